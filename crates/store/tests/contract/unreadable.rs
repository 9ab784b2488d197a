//! Stored values that do not read as what their column holds: each read fails with
//! `Unreadable` naming the table, the row and the column, instead of reading as a default.

use crate::support::{TestResult, raw_execute};
use jixiao_core::Actor;
use jixiao_store::Error;
use jixiao_store::test_support::TestDatabase;

/// The place an `Unreadable` error names, or a description of what came instead.
fn place<T: std::fmt::Debug>(read: Result<T, Error>) -> Result<(String, String, String), String> {
    match read {
        Err(Error::Unreadable {
            table,
            row,
            column,
            value,
        }) => {
            assert_eq!(value, "damaged", "the stored text is named as it is");
            Ok((table.to_owned(), row, column.to_owned()))
        }
        other => Err(format!("read as {other:?}")),
    }
}

#[tokio::test]
async fn damaged_documents_fail_the_read_and_name_their_place() -> TestResult {
    let db = TestDatabase::new().await?;
    jixiao_store::demo::load(&db.store).await?;
    let store = &db.store;
    let system = Actor::system();
    let url = db.url.as_str();

    // JSON columns have no CHECK on either database: damage them as a faulty tool would.
    let round = store
        .monitoring_rounds(&system, Some(2020))
        .await?
        .into_iter()
        .next()
        .ok_or("the demo has a 2020 monitoring round")?;
    let alerts = store.round_alerts(&system, round.id).await?;
    let alert = alerts.first().ok_or("the demo's round has alerts")?;
    raw_execute(url, "UPDATE alerts SET findings = 'damaged'").await?;
    let (table, row, column) = place(store.round_alerts(&system, round.id).await)?;
    assert_eq!((table.as_str(), column.as_str()), ("alerts", "findings"));
    assert!(row.starts_with("id="), "{row}");
    let (_, row, _) = place(store.alert(&system, alert.id).await)?;
    assert_eq!(row, format!("id={}", alert.id));

    raw_execute(url, "UPDATE pool_members SET fields = 'damaged'").await?;
    let (table, _, column) = place(store.pool_members(&system, "expert", None, None).await)?;
    assert_eq!(
        (table.as_str(), column.as_str()),
        ("pool_members", "fields")
    );

    let evaluations = store.key_evaluations(&system).await?;
    assert!(!evaluations.is_empty(), "the demo has key evaluations");
    raw_execute(url, "UPDATE evaluations SET problems = 'damaged'").await?;
    let (table, _, column) = place(store.key_evaluations(&system).await)?;
    assert_eq!(
        (table.as_str(), column.as_str()),
        ("evaluations", "problems")
    );

    let year = store.latest_evaluation_year(&system, 2020).await?;
    let sheet = store
        .self_evaluation_lines(&system, year)
        .await?
        .into_iter()
        .find(|line| line.state.is_some())
        .ok_or("the demo has self-evaluations")?;
    raw_execute(url, "UPDATE self_evaluations SET findings = 'damaged'").await?;
    let (table, _, column) = place(store.self_evaluation(&system, sheet.project_id).await)?;
    assert_eq!(
        (table.as_str(), column.as_str()),
        ("self_evaluations", "findings")
    );

    // Coded columns carry a CHECK; SQLite can switch it off for one connection (a damaged or
    // foreign database), PostgreSQL cannot, and its read path is the same.
    if url.starts_with("sqlite:") {
        raw_execute(
            url,
            "PRAGMA ignore_check_constraints = ON; UPDATE agencies SET kind = 'damaged'",
        )
        .await?;
        let (table, _, column) = place(store.agencies(&system).await)?;
        assert_eq!((table.as_str(), column.as_str()), ("agencies", "kind"));

        raw_execute(
            url,
            "PRAGMA ignore_check_constraints = ON; \
             UPDATE target_indicators SET op = 'damaged' WHERE row_no = 1",
        )
        .await?;
        let (table, row, column) = place(store.project_detail(&system, sheet.project_id).await)?;
        assert_eq!(
            (table.as_str(), column.as_str()),
            ("target_indicators", "op")
        );
        assert!(
            row.contains(&format!("project_id={}", sheet.project_id)),
            "{row}"
        );
    }
    Ok(())
}
