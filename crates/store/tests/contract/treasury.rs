//! Allotments and treasury requests: hard budget control, exactly-once requests, suspension,
//! reservations, refunds, movements, batches, dry runs — and the invariant under concurrency.

use crate::projects::{Cast, cast, good_rows, input};
use crate::support::{TestResult, raw_execute};
use jixiao_core::project::TargetGrade;
use jixiao_store::{AdjustmentKind, Decision, Error, Store, Target, TreasuryRequest};

/// A project of the department approved with `wan` 万元; returns its id.
pub(crate) async fn approved(
    c: &Cast,
    name: &str,
    wan: i64,
) -> Result<i64, Box<dyn std::error::Error>> {
    let store = &c.db.store;
    let project = store
        .create_project(&c.department, None, &input(name, wan))
        .await?;
    let version = store
        .save_target(
            &c.department,
            project.id,
            project.version,
            "目标",
            "年度目标",
            &good_rows(),
        )
        .await?;
    let p = store
        .submit_project(&c.department, project.id, version)
        .await?;
    let pass = |grade| Decision::Approve {
        grade,
        approved_fen: None,
        reason: String::new(),
        comment: String::new(),
    };
    let p = store
        .review_project(&c.budget, p.id, p.version, &pass(None))
        .await?;
    store
        .review_project(&c.finance, p.id, p.version, &pass(Some(TargetGrade::Good)))
        .await?;
    Ok(project.id)
}

pub(crate) fn pay(request_id: &str, project_id: i64, amount_fen: i64) -> TreasuryRequest {
    TreasuryRequest::Payment {
        request_id: request_id.into(),
        target: Target {
            project_id: Some(project_id),
            code: None,
        },
        amount_fen,
        payee: "乐陵市人民医院".into(),
        purpose: "体检费".into(),
        paid_on: Some("2020-05-06".into()),
        reservation_request_id: None,
    }
}

#[tokio::test]
async fn approval_opens_the_allotment_and_payments_never_exceed_it() -> TestResult {
    let c = cast().await?;
    let store = &c.db.store;
    let id = approved(&c, "卫生监督执法", 10).await?;
    let allotment = store.project_allotment(&c.department, id).await?;
    assert_eq!((allotment.limit_fen, allotment.used_fen), (10_000_000, 0));
    assert!(allotment.code.starts_with("ZB-114-2020-"));

    let first = store
        .treasury(&c.finance, &pay("T-1", id, 6_000_000))
        .await?;
    assert!(!first.replayed);
    assert_eq!(
        (first.receipt.status.as_str(), first.receipt.available_fen),
        ("paid", 4_000_000)
    );
    match store.treasury(&c.finance, &pay("T-2", id, 4_000_001)).await {
        Err(Error::InsufficientFunds { available }) => assert_eq!(available, 4_000_000),
        other => return Err(format!("over-payment accepted: {other:?}").into()),
    }
    // A replay pays once; the same id with other content is refused.
    let again = store
        .treasury(&c.finance, &pay("T-1", id, 6_000_000))
        .await?;
    assert!(again.replayed);
    assert_eq!(again.receipt, first.receipt);
    assert!(matches!(
        store.treasury(&c.finance, &pay("T-1", id, 5_000_000)).await,
        Err(Error::RequestConflict)
    ));
    assert_eq!(
        store.project_allotment(&c.finance, id).await?.used_fen,
        6_000_000
    );

    // Only finance sends treasury requests; a bad amount or date is refused outright.
    assert!(matches!(
        store.treasury(&c.department, &pay("T-3", id, 1)).await,
        Err(Error::Forbidden)
    ));
    assert!(matches!(
        store.treasury(&c.finance, &pay("T-4", id, -1)).await,
        Err(Error::Invalid(_))
    ));
    let ledger = store.allotment_ledger(&c.viewer, id).await?;
    let kinds: Vec<&str> = ledger.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["open", "payment"]);
    assert_eq!(ledger[1].used_after, 6_000_000);
    Ok(())
}

#[tokio::test]
async fn a_suspended_allotment_refuses_payments_until_lifted() -> TestResult {
    let c = cast().await?;
    let store = &c.db.store;
    let id = approved(&c, "妇幼保健", 5).await?;
    assert!(matches!(
        store
            .set_allotment_suspension(&c.department, id, true, "x")
            .await,
        Err(Error::Forbidden)
    ));
    store
        .set_allotment_suspension(&c.finance, id, true, "监控预警未处置")
        .await?;
    match store.treasury(&c.finance, &pay("S-1", id, 100)).await {
        Err(Error::AllotmentSuspended(reason)) => assert_eq!(reason, "监控预警未处置"),
        other => return Err(format!("paid while suspended: {other:?}").into()),
    }
    store
        .set_allotment_suspension(&c.finance, id, false, "已处置")
        .await?;
    assert!(
        store
            .treasury(&c.finance, &pay("S-1", id, 100))
            .await
            .is_ok()
    );
    Ok(())
}

#[tokio::test]
async fn reservations_refunds_and_movements_keep_the_balances() -> TestResult {
    let c = cast().await?;
    let store = &c.db.store;
    let id = approved(&c, "疾病防控", 10).await?;
    let other = approved(&c, "卫生应急", 2).await?;
    let reserve = TreasuryRequest::Reservation {
        request_id: "R-1".into(),
        target: Target {
            project_id: None,
            code: Some(store.project_allotment(&c.finance, id).await?.code),
        },
        amount_fen: 3_000_000,
        purpose: "疫苗采购用款计划".into(),
    };
    let reserved = store.treasury(&c.finance, &reserve).await?.receipt;
    assert_eq!(
        (reserved.frozen_fen, reserved.available_fen),
        (3_000_000, 7_000_000)
    );
    let mut from_reservation = pay("P-1", id, 2_000_000);
    if let TreasuryRequest::Payment {
        reservation_request_id,
        ..
    } = &mut from_reservation
    {
        *reservation_request_id = Some("R-1".into());
    }
    let paid = store.treasury(&c.finance, &from_reservation).await?.receipt;
    assert_eq!((paid.frozen_fen, paid.used_fen), (1_000_000, 2_000_000));
    let released = store
        .treasury(
            &c.finance,
            &TreasuryRequest::Release {
                request_id: "L-1".into(),
                reservation_request_id: "R-1".into(),
            },
        )
        .await?
        .receipt;
    assert_eq!((released.amount_fen, released.frozen_fen), (1_000_000, 0));
    let refund = TreasuryRequest::Refund {
        request_id: "F-1".into(),
        payment_request_id: Some("P-1".into()),
        target: Target::default(),
        amount_fen: 500_000,
        purpose: "多付退回".into(),
        paid_on: None,
    };
    assert_eq!(
        store.treasury(&c.finance, &refund).await?.receipt.used_fen,
        1_500_000
    );
    let too_much = TreasuryRequest::Refund {
        request_id: "F-2".into(),
        payment_request_id: Some("P-1".into()),
        target: Target::default(),
        amount_fen: 1_500_001,
        purpose: String::new(),
        paid_on: None,
    };
    assert!(matches!(
        store.treasury(&c.finance, &too_much).await,
        Err(Error::Invalid(_))
    ));

    // 调减 below what is used is refused; 收回 and 调剂 move the limit with a reason.
    let below = store
        .adjust_allotment(&c.finance, id, AdjustmentKind::Decrease, 8_600_000, "压减")
        .await;
    assert!(matches!(below, Err(Error::Invalid(_))), "{below:?}");
    let no_reason = store
        .adjust_allotment(&c.finance, id, AdjustmentKind::Recovery, 1, " ")
        .await;
    assert!(matches!(no_reason, Err(Error::Invalid(_))));
    store
        .adjust_allotment(
            &c.finance,
            id,
            AdjustmentKind::Recovery,
            1_000_000,
            "收回结余资金",
        )
        .await?;
    let target = store.project_allotment(&c.finance, other).await?;
    store
        .adjust_allotment(
            &c.finance,
            id,
            AdjustmentKind::Transfer { to: target.id },
            500_000,
            "调剂用于应急",
        )
        .await?;
    store
        .adjust_allotment(&c.finance, other, AdjustmentKind::Increase, 100, "追加")
        .await?;
    let after = store.project_allotment(&c.finance, id).await?;
    assert_eq!(
        (after.limit_fen, after.used_fen, after.frozen_fen),
        (8_500_000, 1_500_000, 0)
    );
    assert_eq!(
        store.project_allotment(&c.finance, other).await?.limit_fen,
        2_500_100
    );
    let kinds: Vec<String> = store
        .allotment_ledger(&c.finance, id)
        .await?
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds,
        [
            "open",
            "reserve",
            "payment",
            "release",
            "refund",
            "recovery",
            "transfer_out"
        ]
    );
    Ok(())
}

#[tokio::test]
async fn a_batch_applies_good_items_and_reports_bad_ones_and_a_dry_run_keeps_nothing() -> TestResult
{
    let c = cast().await?;
    let store = &c.db.store;
    let id = approved(&c, "基层医疗", 1).await?;
    let items = vec![
        pay("B-1", id, 400_000),
        pay("B-2", id, 700_000),
        pay("B-3", id, 600_000),
        pay("B-1", id, 400_000),
    ];
    let dry = store.treasury_dry_run(&c.finance, &items).await?;
    assert!(dry[0].is_ok() && dry[1].is_err() && dry[2].is_ok());
    assert_eq!(
        store.project_allotment(&c.finance, id).await?.used_fen,
        0,
        "dry run keeps nothing"
    );
    let results = store.treasury_batch(&c.finance, &items).await?;
    assert!(matches!(
        results[1],
        Err(Error::InsufficientFunds { available: 600_000 })
    ));
    assert!(results[2].is_ok());
    assert!(
        results[3].as_ref().is_ok_and(|o| o.replayed),
        "a repeated id in one batch is a replay"
    );
    assert_eq!(
        store.project_allotment(&c.finance, id).await?.used_fen,
        1_000_000
    );
    Ok(())
}

#[tokio::test]
async fn many_simultaneous_payers_never_overspend() -> TestResult {
    let c = cast().await?;
    let id = approved(&c, "家庭医生签约", 1).await?;
    let mut tasks = Vec::new();
    for n in 0..30 {
        let store: Store = c.db.store.clone();
        let finance = c.finance.clone();
        tasks.push(tokio::spawn(async move {
            store
                .treasury(&finance, &pay(&format!("C-{n}"), id, 100_000))
                .await
        }));
    }
    let mut accepted = 0;
    for task in tasks {
        match task.await? {
            Ok(outcome) => accepted += outcome.receipt.amount_fen,
            Err(Error::InsufficientFunds { .. }) => {}
            Err(other) => return Err(other.into()),
        }
    }
    let allotment = c.db.store.project_allotment(&c.finance, id).await?;
    assert_eq!(accepted, 1_000_000, "exactly the limit is accepted");
    assert_eq!(allotment.used_fen, accepted);
    assert!(c.db.store.reconcile().await?.discrepancies.is_empty());
    Ok(())
}

#[tokio::test]
async fn the_database_refuses_overspending_and_ledger_edits() -> TestResult {
    let c = cast().await?;
    let id = approved(&c, "卫生信息化", 1).await?;
    c.db.store.treasury(&c.finance, &pay("D-1", id, 10)).await?;
    let over = raw_execute(&c.db.url, "UPDATE allotments SET used_fen = limit_fen + 1").await;
    assert!(over.is_err(), "CHECK (frozen + used <= limit)");
    let negative = raw_execute(&c.db.url, "UPDATE allotments SET frozen_fen = -1").await;
    assert!(negative.is_err());
    let edit = raw_execute(&c.db.url, "UPDATE ledger_entries SET amount_fen = 1").await;
    assert!(edit.is_err(), "ledger is append-only");
    let delete = raw_execute(&c.db.url, "DELETE FROM ledger_entries").await;
    assert!(delete.is_err());
    let replayed_id = raw_execute(
        &c.db.url,
        "INSERT INTO treasury_requests (jurisdiction_code, request_id, kind, digest, response, created_at) \
         VALUES ('371481', 'D-1', 'payment', 'x', '{}', 0)",
    )
    .await;
    assert!(replayed_id.is_err(), "one request per id");
    Ok(())
}

#[tokio::test]
async fn group_commit_answers_each_caller_and_never_overspends() -> TestResult {
    let c = cast().await?;
    let id = approved(&c, "公共卫生服务", 1).await?;
    let committer = jixiao_store::GroupCommitter::start(c.db.store.clone(), 2, 16);
    let mut tasks = Vec::new();
    for n in 0..40 {
        let (committer, finance) = (committer.clone(), c.finance.clone());
        tasks.push(tokio::spawn(async move {
            committer
                .submit(&finance, pay(&format!("G-{}", n % 35), id, 50_000))
                .await
        }));
    }
    let (mut paid, mut replays, mut refused) = (0, 0, 0);
    for task in tasks {
        match task.await? {
            Ok(o) if o.replayed => replays += 1,
            Ok(o) => paid += o.receipt.amount_fen,
            Err(Error::InsufficientFunds { .. }) => refused += 1,
            Err(other) => return Err(other.into()),
        }
    }
    let allotment = c.db.store.project_allotment(&c.finance, id).await?;
    assert_eq!(paid, 1_000_000, "20 of 35 distinct requests fit the limit");
    assert_eq!(allotment.used_fen, paid);
    assert_eq!(
        replays + refused,
        20,
        "15 refused, and the 5 repeated ids replay or are refused alike"
    );
    assert!(c.db.store.reconcile().await?.discrepancies.is_empty());
    Ok(())
}

/// Plain payments touching every rule, with the project they pay (and a suspended one).
async fn rule_cases(c: &Cast) -> Result<(i64, Vec<TreasuryRequest>), Box<dyn std::error::Error>> {
    let store = &c.db.store;
    let id = approved(c, "卫生健康宣传", 1).await?;
    let stopped = approved(c, "卫生执法", 1).await?;
    store
        .set_allotment_suspension(&c.finance, stopped, true, "监控预警未处置")
        .await?;
    let code = store.project_allotment(&c.finance, id).await?.code;
    let project_code = store.project(&c.finance, id).await?.code;
    let by_code = |request_id: &str, code: &str, amount| TreasuryRequest::Payment {
        request_id: request_id.into(),
        target: Target {
            project_id: None,
            code: Some(code.into()),
        },
        amount_fen: amount,
        payee: String::new(),
        purpose: String::new(),
        paid_on: None,
        reservation_request_id: None,
    };
    let items = vec![
        by_code("K-1", &code, 100),
        by_code("K-2", &project_code, 200),
        pay("K-1", id, 999),                // same id, other content
        by_code("K-2", &project_code, 200), // same id, same content: a replay
        pay("K-3", stopped, 1),             // suspended
        pay("K-4", 999_999, 1),             // no such project
        pay("K-5", id, 0),                  // not an amount
        pay("K-6", id, 1_000_000),          // more than is left
        pay("K-7", id, 999_700),            // exactly what is left
    ];
    Ok((id, items))
}

/// The answers to [`rule_cases`], and the state they leave.
async fn check_rule_cases(
    store: &Store,
    c: &Cast,
    id: i64,
    results: &[Result<jixiao_store::Outcome, Error>],
) -> TestResult {
    assert!(
        results[0]
            .as_ref()
            .is_ok_and(|o| !o.replayed && o.receipt.available_fen == 999_900)
    );
    assert!(results[1].as_ref().is_ok_and(|o| o.receipt.used_fen == 300));
    assert!(matches!(results[2], Err(Error::RequestConflict)));
    assert!(
        results[3]
            .as_ref()
            .is_ok_and(|o| o.replayed && o.receipt.request_id == "K-2")
    );
    assert!(
        matches!(&results[4], Err(Error::AllotmentSuspended(reason)) if reason == "监控预警未处置")
    );
    assert!(matches!(results[5], Err(Error::NotFound(_))));
    assert!(matches!(results[6], Err(Error::Invalid(_))));
    assert!(matches!(
        results[7],
        Err(Error::InsufficientFunds { available: 999_700 })
    ));
    assert!(
        results[8]
            .as_ref()
            .is_ok_and(|o| o.receipt.available_fen == 0)
    );
    let allotment = store.project_allotment(&c.finance, id).await?;
    assert_eq!(allotment.used_fen, 1_000_000);
    assert!(store.reconcile().await?.discrepancies.is_empty());
    assert!(
        store.verify_audit_chain().await? > 0,
        "the chain stays intact"
    );
    Ok(())
}

#[tokio::test]
async fn a_batch_of_plain_payments_keeps_every_rule() -> TestResult {
    let c = cast().await?;
    let store = &c.db.store;
    let (id, items) = rule_cases(&c).await?;
    let results = store.treasury_batch(&c.finance, &items).await?;
    check_rule_cases(store, &c, id, &results).await?;
    // Sent again, the whole batch pays nothing more.
    let again = store.treasury_batch(&c.finance, &items).await?;
    assert!(again[0].as_ref().is_ok_and(|o| o.replayed));
    assert!(again[8].as_ref().is_ok_and(|o| o.replayed));
    assert_eq!(
        store.project_allotment(&c.finance, id).await?.used_fen,
        1_000_000
    );
    Ok(())
}

#[tokio::test]
async fn group_commit_keeps_every_rule_and_the_audit_chain() -> TestResult {
    // On SQLite this is the writer thread with its own connection; on PostgreSQL, the pool.
    let c = cast().await?;
    let store = &c.db.store;
    let (id, items) = rule_cases(&c).await?;
    let committer = jixiao_store::GroupCommitter::start(store.clone(), 2, 64);
    let mut results = Vec::new();
    for item in &items {
        results.push(committer.submit(&c.finance, item.clone()).await);
    }
    check_rule_cases(store, &c, id, &results).await?;
    // Other kinds of request, mixed with plain payments, in one queue.
    let other = approved(&c, "卫生应急", 2).await?;
    let reserve = TreasuryRequest::Reservation {
        request_id: "GR-1".into(),
        target: Target {
            project_id: Some(other),
            code: None,
        },
        amount_fen: 500_000,
        purpose: "用款计划".into(),
    };
    let mut from_reservation = pay("GP-1", other, 300_000);
    if let TreasuryRequest::Payment {
        reservation_request_id,
        ..
    } = &mut from_reservation
    {
        *reservation_request_id = Some("GR-1".into());
    }
    let reserved = committer.submit(&c.finance, reserve).await?;
    assert_eq!(reserved.receipt.frozen_fen, 500_000);
    let (a, b) = tokio::join!(
        committer.submit(&c.finance, from_reservation),
        committer.submit(&c.finance, pay("GP-2", other, 100_000)),
    );
    assert_eq!(a?.receipt.used_fen + b?.receipt.amount_fen, 400_000);
    let allotment = store.project_allotment(&c.finance, other).await?;
    assert_eq!(
        (allotment.frozen_fen, allotment.used_fen),
        (200_000, 400_000)
    );
    // A second look from the pool sees what the writer committed, and the chain holds.
    assert!(store.reconcile().await?.discrepancies.is_empty());
    assert!(store.verify_audit_chain().await? > 0);
    let (commits, carried) = committer.counts();
    assert!(commits >= 1 && carried == items.len() as u64 + 3);
    Ok(())
}

#[tokio::test]
async fn one_bad_or_racing_request_fails_only_itself_in_a_group_commit() -> TestResult {
    // Control characters that got past the edge, and copies of one request id racing through
    // several writers: each answer is its own request's, never a database error.
    let c = cast().await?;
    let id = approved(&c, "疾病预防控制", 10).await?;
    let committer = jixiao_store::GroupCommitter::start(c.db.store.clone(), 4, 32);
    let mut tasks = Vec::new();
    // Thirty request ids, four copies of each; the first copy of two ids in three carries a
    // control character (a NUL in the payee, a BEL in the purpose).
    let bad = |n: i64| n % 4 == 0 && (n / 4) % 3 != 2;
    for n in 0..120 {
        let key = n / 4;
        let mut request = pay(&format!("N-{key}"), id, 100 + key);
        if let TreasuryRequest::Payment { payee, purpose, .. } = &mut request {
            match (bad(n), key % 3) {
                (true, 0) => *payee = "乐陵\u{0}医院".into(),
                (true, _) => *purpose = "体检\u{7}费".into(),
                _ => {}
            }
        }
        let (committer, finance) = (committer.clone(), c.finance.clone());
        tasks.push(tokio::spawn(async move {
            (n, committer.submit(&finance, request).await)
        }));
    }
    let mut receipts: std::collections::HashMap<i64, Vec<(bool, i64)>> = Default::default();
    for task in tasks {
        let (n, result) = task.await?;
        match result {
            Ok(outcome) => {
                assert!(!bad(n), "{n} accepted");
                receipts
                    .entry(n / 4)
                    .or_default()
                    .push((outcome.replayed, outcome.receipt.id));
            }
            Err(Error::Invalid(errors)) => {
                assert!(bad(n), "{n}: {errors:?}");
                assert_eq!(errors.0[0].code, "invalid_text");
            }
            Err(other) => return Err(format!("{n}: {other}").into()),
        }
    }
    assert_eq!(receipts.len(), 30);
    let mut paid = 0;
    for (key, seen) in &receipts {
        let created = seen.iter().filter(|(replayed, _)| !replayed).count();
        assert_eq!(created, 1, "{key} paid once: {seen:?}");
        assert!(
            seen.iter().all(|(_, r)| *r == seen[0].1),
            "one receipt for {key}"
        );
        paid += 100 + key;
    }
    let allotment = c.db.store.project_allotment(&c.finance, id).await?;
    assert_eq!(allotment.used_fen, paid);
    assert!(c.db.store.reconcile().await?.discrepancies.is_empty());
    assert!(c.db.store.verify_audit_chain().await? > 0);

    // A batch: the bad item is refused alone.
    let mut bad = pay("B-2", id, 5);
    if let TreasuryRequest::Payment { payee, .. } = &mut bad {
        *payee = "\u{0}".into();
    }
    let results =
        c.db.store
            .treasury_batch(&c.finance, &[pay("B-1", id, 5), bad, pay("B-3", id, 5)])
            .await?;
    assert!(results[0].is_ok() && results[2].is_ok());
    assert!(matches!(&results[1], Err(Error::Invalid(e)) if e.0[0].field == "payee"));
    Ok(())
}
