//! The payment months (issue 21 item 2, migration 0037) equal the sums of the payments they
//! replace: after every way a payment or refund is written — one request, a batch, the group
//! committer (SQLite's writer thread or PostgreSQL's grouped statement) and refunds in another
//! month — and on the demo's two years of payments; the dashboard's execution by month reads them.

use crate::projects::cast;
use crate::support::TestResult;
use crate::treasury::{approved, pay};
use jixiao_store::{GroupCommitter, Target, TreasuryRequest};
use sqlx::Connection;
use std::collections::BTreeMap;

type Months = BTreeMap<(i64, String), (i64, i64)>;

/// (allotment, month) → (net fen, entries), from the rollup and from the payments themselves.
async fn both(url: &str) -> Result<(Months, Months), sqlx::Error> {
    let rollup = "SELECT allotment_id, month, paid_fen, entries FROM payment_months";
    let sums = "SELECT allotment_id, substr(paid_on, 1, 7), \
                CAST(SUM(CASE WHEN kind = 'refund' THEN -amount_fen ELSE amount_fen END) AS BIGINT), \
                COUNT(*) FROM payments GROUP BY allotment_id, substr(paid_on, 1, 7)";
    let collect = |rows: Vec<(i64, String, i64, i64)>| -> Months {
        rows.into_iter()
            .map(|(a, m, fen, n)| ((a, m), (fen, n)))
            .collect()
    };
    if url.starts_with("sqlite:") {
        let mut conn = sqlx::SqliteConnection::connect(url).await?;
        Ok((
            collect(sqlx::query_as(rollup).fetch_all(&mut conn).await?),
            collect(sqlx::query_as(sums).fetch_all(&mut conn).await?),
        ))
    } else {
        let mut conn = sqlx::PgConnection::connect(url).await?;
        Ok((
            collect(sqlx::query_as(rollup).fetch_all(&mut conn).await?),
            collect(sqlx::query_as(sums).fetch_all(&mut conn).await?),
        ))
    }
}

#[tokio::test]
async fn payment_months_equal_the_payments_however_they_are_written() -> TestResult {
    let c = cast().await?;
    let store = &c.db.store;
    let first = approved(&c, "2020年慢性病患者免费体检", 100).await?;
    let second = approved(&c, "2020年家庭医生签约服务", 80).await?;
    // One request at a time, in May.
    store
        .treasury(&c.finance, &pay("M-1", first, 300_000))
        .await?;
    store
        .treasury(&c.finance, &pay("M-2", first, 200_000))
        .await?;
    // A batch across both allotments, in June; one refused item (too much) writes nothing.
    let mut june = vec![
        pay("M-3", first, 50_000),
        pay("M-4", second, 70_000),
        pay("M-5", second, 999_999_999_999),
    ];
    for request in &mut june {
        if let TreasuryRequest::Payment { paid_on, .. } = request {
            *paid_on = Some("2020-06-15".into());
        }
    }
    let answers = store.treasury_batch(&c.finance, &june).await?;
    assert!(answers[2].is_err(), "the overspending item is refused");
    // The group committer, in July, several requests in flight at once.
    let committer = GroupCommitter::start(store.clone(), 2, 16);
    let mut flights = Vec::new();
    for n in 0..12 {
        let committer = committer.clone();
        let finance = c.finance.clone();
        let project = if n % 2 == 0 { first } else { second };
        let mut request = pay(&format!("G-{n}"), project, 1_000 + n);
        if let TreasuryRequest::Payment { paid_on, .. } = &mut request {
            *paid_on = Some("2020-07-01".into());
        }
        flights.push(tokio::spawn(async move {
            committer.submit(&finance, request).await
        }));
    }
    for flight in flights {
        flight.await??;
    }
    // A refund in August of May's payment, and a replayed request that adds nothing.
    store
        .treasury(
            &c.finance,
            &TreasuryRequest::Refund {
                request_id: "F-1".into(),
                payment_request_id: Some("M-1".into()),
                target: Target::default(),
                amount_fen: 100_000,
                purpose: "多付退回".into(),
                paid_on: Some("2020-08-03".into()),
            },
        )
        .await?;
    store
        .treasury(&c.finance, &pay("M-2", first, 200_000))
        .await?;

    let (rollup, sums) = both(&c.db.url).await?;
    assert_eq!(rollup, sums, "the payment months are the payments' sums");
    let months: Vec<&str> = rollup.keys().map(|(_, m)| m.as_str()).collect();
    for month in ["2020-05", "2020-06", "2020-07", "2020-08"] {
        assert!(months.contains(&month), "{month} in {months:?}");
    }
    let august: i64 = rollup
        .iter()
        .filter(|((_, m), _)| m == "2020-08")
        .map(|(_, (fen, _))| fen)
        .sum();
    assert_eq!(august, -100_000, "a refund counts negative in its month");
    // The dashboard's months come from them.
    let board = store.dashboard(&c.finance, 2020, None).await?;
    let may = board
        .months
        .iter()
        .find(|m| m.month == 5)
        .ok_or("May on the dashboard")?;
    assert_eq!(may.paid_fen, 500_000);
    Ok(())
}

#[tokio::test]
async fn the_demos_payment_months_equal_its_payments() -> TestResult {
    let db = jixiao_store::test_support::TestDatabase::new().await?;
    jixiao_store::demo::load(&db.store).await?;
    let (rollup, sums) = both(&db.url).await?;
    assert!(
        rollup.len() > 100,
        "two years of payments: {}",
        rollup.len()
    );
    assert_eq!(rollup, sums);
    db.remove().await?;
    Ok(())
}
