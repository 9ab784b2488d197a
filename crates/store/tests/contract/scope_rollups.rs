//! The dashboards' rollups refreshed where their rows changed (decision 0055, migration 0043):
//! the first refresh rebuilds everything, one with no change rebuilds nothing, and after the
//! demo's workflows — and after a change typed in SQL to each table the rollups sum, outside
//! the store — a refresh rebuilds only the (jurisdiction, year) that changed, and what it leaves
//! equals a whole rebuild. The check of the rollups (decision 0056) tells what waits for a
//! refresh from what was lost, and refreshes and rebuilds running beside payments lose nothing.

use crate::support::TestResult;
use jixiao_core::{Actor, Role};
use jixiao_store::demo::LELING;
use jixiao_store::test_support::TestDatabase;
use jixiao_store::{Backend, Error, RollupRound, Store};
use sqlx::Connection;

/// Every row of the four rollups, in key order, as text.
async fn rollups(url: &str) -> Result<Vec<String>, sqlx::Error> {
    let projects = "SELECT year, jurisdiction_code, agency_id, state, projects, requested_fen, \
                    approved_fen FROM rollup_projects ORDER BY 1, 2, 3, 4";
    let allotments = "SELECT year, jurisdiction_code, agency_id, limit_fen, used_fen \
                      FROM rollup_allotments ORDER BY 1, 2, 3";
    let months = "SELECT year, jurisdiction_code, agency_id, month, paid_fen \
                  FROM rollup_payment_months ORDER BY 1, 2, 3, 4";
    let counts = "SELECT year, jurisdiction_code, agency_id, kind, item, entries, amount_fen \
                  FROM rollup_counts ORDER BY 1, 2, 3, 4, 5";
    type P = (i32, String, i64, String, i64, i64, i64);
    type A = (i32, String, i64, i64, i64);
    type M = (i32, String, i64, String, i64);
    type C = (i32, String, i64, String, String, i64, i64);
    macro_rules! read {
        ($conn:expr) => {{
            let mut out = Vec::new();
            for row in sqlx::query_as::<_, P>(projects)
                .fetch_all(&mut $conn)
                .await?
            {
                out.push(format!("project {row:?}"));
            }
            for row in sqlx::query_as::<_, A>(allotments)
                .fetch_all(&mut $conn)
                .await?
            {
                out.push(format!("allotment {row:?}"));
            }
            for row in sqlx::query_as::<_, M>(months).fetch_all(&mut $conn).await? {
                out.push(format!("month {row:?}"));
            }
            for row in sqlx::query_as::<_, C>(counts).fetch_all(&mut $conn).await? {
                out.push(format!("count {row:?}"));
            }
            out
        }};
    }
    if url.starts_with("sqlite:") {
        let mut conn = sqlx::SqliteConnection::connect(url).await?;
        Ok(read!(conn))
    } else {
        let mut conn = sqlx::PgConnection::connect(url).await?;
        Ok(read!(conn))
    }
}

/// A SQL console of its own, as an operator would type in: one connection, kept (its temporary
/// tables live as long as it does).
enum Console {
    Sqlite(sqlx::SqliteConnection),
    Postgres(sqlx::PgConnection),
}

impl Console {
    async fn open(url: &str) -> Result<Console, sqlx::Error> {
        Ok(if url.starts_with("sqlite:") {
            Console::Sqlite(sqlx::SqliteConnection::connect(url).await?)
        } else {
            Console::Postgres(sqlx::PgConnection::connect(url).await?)
        })
    }

    /// The number `sql` reads.
    async fn count(&mut self, sql: &str) -> Result<i64, sqlx::Error> {
        let sql = sqlx::AssertSqlSafe(sql);
        Ok(match self {
            Console::Sqlite(conn) => sqlx::query_scalar(sql).fetch_one(conn).await?,
            Console::Postgres(conn) => sqlx::query_scalar(sql).fetch_one(conn).await?,
        })
    }

    /// Runs `sql`; the rows it changed.
    async fn run(&mut self, sql: &str) -> Result<u64, sqlx::Error> {
        let sql = sqlx::AssertSqlSafe(sql);
        Ok(match self {
            Console::Sqlite(conn) => sqlx::query(sql).execute(conn).await?.rows_affected(),
            Console::Postgres(conn) => sqlx::query(sql).execute(conn).await?.rows_affected(),
        })
    }
}

/// Refreshes, then checks that what the refresh left equals a whole rebuild. Before it, the
/// check of the rollups finds every difference marked for it (and among what it rebuilds);
/// after it, none.
async fn refresh_equals_rebuild(
    store: &Store,
    url: &str,
) -> Result<(RollupRound, Vec<String>), Box<dyn std::error::Error>> {
    let before = store.check_scope_rollups().await?;
    assert_eq!(before.lost().count(), 0, "{before:?}");
    let round = store.refresh_scope_rollups().await?;
    for d in &before.differences {
        assert!(
            round.whole
                || round.rebuilt.iter().any(|(code, year)| {
                    *code == d.jurisdiction && year.is_none_or(|y| y == d.year)
                }),
            "{d:?} was not rebuilt by {round:?}"
        );
    }
    let after = store.check_scope_rollups().await?;
    assert!(after.differences.is_empty(), "after {round:?}: {after:?}");
    let refreshed = rollups(url).await?;
    let whole = store.rebuild_scope_rollups().await?;
    assert!(whole.whole);
    let rebuilt = rollups(url).await?;
    let only_refreshed: Vec<&String> = refreshed.iter().filter(|r| !rebuilt.contains(r)).collect();
    let only_rebuilt: Vec<&String> = rebuilt.iter().filter(|r| !refreshed.contains(r)).collect();
    assert!(
        only_refreshed.is_empty() && only_rebuilt.is_empty(),
        "the refresh ({round:?}) left other figures than a whole rebuild: \
         {only_refreshed:?} instead of {only_rebuilt:?}"
    );
    Ok((round, refreshed))
}

#[tokio::test]
async fn a_refresh_rebuilds_only_what_changed_and_equals_a_whole_rebuild() -> TestResult {
    let db = TestDatabase::new().await?;
    let (store, url) = (&db.store, db.url.as_str());

    // The first refresh rebuilds everything; with nothing changed since, the next one nothing,
    // and it still moves the time the figures are as of.
    let first = store.refresh_scope_rollups().await?;
    assert!(first.whole, "{first:?}");
    let idle = store.refresh_scope_rollups().await?;
    assert!(!idle.whole && idle.rebuilt.is_empty(), "{idle:?}");
    assert!(idle.refresh.refreshed_at >= first.refresh.refreshed_at);

    // The demo's workflows through the store: projects, allotments, payments, alerts,
    // self-evaluations, rectifications and cuts, all in Leling.
    jixiao_store::demo::load(store).await?;
    let (round, after_demo) = refresh_equals_rebuild(store, url).await?;
    assert!(!round.whole, "{round:?}");
    assert!(
        round.rebuilt.contains(&(LELING.to_owned(), Some(2019)))
            && round.rebuilt.contains(&(LELING.to_owned(), Some(2020))),
        "{round:?}"
    );
    assert!(round.rebuilt.iter().all(|(code, _)| code == LELING));
    for kind in ["alert", "grade", "rectification", "cut"] {
        assert!(
            after_demo
                .iter()
                .any(|row| row.contains(&format!("{kind:?}"))),
            "the demo leaves no {kind} in the rollups"
        );
    }
    let idle = store.refresh_scope_rollups().await?;
    assert!(idle.rebuilt.is_empty(), "{idle:?}");

    // A change to each table the rollups sum, typed in SQL: one year of Leling is rebuilt, the
    // figures move, and they equal a whole rebuild.
    let changes = [
        (
            "projects",
            "UPDATE projects SET requested_fen = requested_fen + 1, \
             funding_other_fen = funding_other_fen + 1 \
             WHERE id = (SELECT MIN(id) FROM projects)",
        ),
        (
            "allotments",
            "UPDATE allotments SET limit_fen = limit_fen + 1 \
             WHERE id = (SELECT MIN(id) FROM allotments)",
        ),
        (
            "payment months",
            "UPDATE payment_months SET paid_fen = paid_fen + 1 \
             WHERE allotment_id = (SELECT MIN(allotment_id) FROM payment_months)",
        ),
        (
            "alerts",
            "UPDATE alerts SET status = CASE WHEN status = 'decided' THEN 'open' ELSE 'decided' END \
             WHERE id = (SELECT MIN(id) FROM alerts)",
        ),
        (
            "self-evaluations",
            "UPDATE self_evaluations SET grade = CASE WHEN grade = '优' THEN '良' ELSE '优' END \
             WHERE id = (SELECT MIN(id) FROM self_evaluations \
                         WHERE state IN ('submitted', 'approved'))",
        ),
        (
            "rectifications",
            "UPDATE rectifications \
             SET state = CASE WHEN state = 'closed' THEN 'answered' ELSE 'closed' END \
             WHERE id = (SELECT MIN(id) FROM rectifications WHERE answer <> '')",
        ),
        (
            "adjustments",
            "UPDATE adjustments SET cut_fen = cut_fen - 1, proposed_cut_fen = cut_fen - 1 \
             WHERE id = (SELECT MIN(id) FROM adjustments \
                         WHERE status IN ('accepted', 'changed') AND cut_fen > 0)",
        ),
        (
            "a payment month removed",
            "DELETE FROM payment_months \
             WHERE allotment_id = (SELECT MAX(allotment_id) FROM payment_months)",
        ),
    ];
    let mut console = Console::open(url).await?;
    let mut before = after_demo;
    for (what, sql) in changes {
        assert!(console.run(sql).await? > 0, "{what}: no row changed");
        let stale = store.check_scope_rollups().await?;
        assert!(
            stale.pending() >= 1 && stale.lost().count() == 0,
            "{what}: the check should find the change waiting for the refresh: {stale:?}"
        );
        let (round, after) = refresh_equals_rebuild(store, url).await?;
        assert!(!round.whole, "{what}: {round:?}");
        assert_eq!(round.rebuilt.len(), 1, "{what}: {round:?}");
        assert!(
            matches!(&round.rebuilt[0], (code, Some(_)) if code == LELING),
            "{what}: {round:?}"
        );
        assert!(before != after, "{what}: the rollups did not move");
        before = after;
    }

    // Rows moved to another year: the year they left and the year they joined are rebuilt.
    let moves = [
        (
            "a rectification item moved to 2021",
            "UPDATE rectifications SET year = 2021 WHERE id = (SELECT MIN(id) FROM rectifications)",
        ),
        (
            "an alert of 2020 moved to a project of 2019",
            "UPDATE alerts SET project_id = (SELECT MIN(id) FROM projects WHERE year = 2019) \
             WHERE id = (SELECT MIN(id) FROM alerts)",
        ),
        (
            "an allotment of 2019 moved to 2021",
            "UPDATE allotments SET year = 2021 \
             WHERE id = (SELECT MIN(id) FROM allotments WHERE year = 2019)",
        ),
    ];
    for (what, sql) in moves {
        assert_eq!(console.run(sql).await?, 1, "{what}");
        let (round, after) = refresh_equals_rebuild(store, url).await?;
        assert_eq!(round.rebuilt.len(), 2, "{what}: {round:?}");
        assert!(before != after, "{what}: the rollups did not move");
        before = after;
    }

    // Each kind of row deleted, then put back as it was: each time one year is rebuilt, and
    // putting it back brings the figures back.
    let kept = [
        (
            "alerts",
            "id = (SELECT MIN(a.id) FROM alerts a \
             WHERE NOT EXISTS (SELECT 1 FROM alert_decisions d WHERE d.alert_id = a.id))",
            None,
        ),
        (
            "self_evaluations",
            "id = (SELECT MIN(id) FROM self_evaluations WHERE state = 'approved')",
            Some(("self_evaluation_items", "self_evaluation_id")),
        ),
        (
            "rectifications",
            "id = (SELECT MIN(id) FROM rectifications)",
            None,
        ),
        (
            "adjustments",
            "id = (SELECT MIN(id) FROM adjustments WHERE status = 'accepted' AND cut_fen > 0)",
            None,
        ),
        (
            "payment_months",
            "allotment_id = (SELECT MIN(m.allotment_id) FROM payment_months m \
             JOIN allotments l ON l.id = m.allotment_id \
             WHERE substr(m.month, 1, 4) = CAST(l.year AS TEXT))",
            None,
        ),
    ];
    for (table, which, children) in kept {
        console
            .run(&format!(
                "CREATE TEMP TABLE kept_{table} AS SELECT * FROM {table} WHERE {which}"
            ))
            .await?;
        if let Some((child, parent)) = children {
            console
                .run(&format!(
                    "CREATE TEMP TABLE kept_{child} AS SELECT * FROM {child} \
                     WHERE {parent} IN (SELECT id FROM kept_{table})"
                ))
                .await?;
            console
                .run(&format!(
                    "DELETE FROM {child} WHERE {parent} IN (SELECT id FROM kept_{table})"
                ))
                .await?;
        }
        let gone = format!("DELETE FROM {table} WHERE {which}");
        assert!(console.run(&gone).await? > 0, "{table}: nothing deleted");
        let (round, without) = refresh_equals_rebuild(store, url).await?;
        assert_eq!(round.rebuilt.len(), 1, "{table} deleted: {round:?}");
        assert!(
            before != without,
            "{table} deleted: the rollups did not move"
        );
        console
            .run(&format!("INSERT INTO {table} SELECT * FROM kept_{table}"))
            .await?;
        if let Some((child, _)) = children {
            console
                .run(&format!("INSERT INTO {child} SELECT * FROM kept_{child}"))
                .await?;
        }
        let (round, back) = refresh_equals_rebuild(store, url).await?;
        assert_eq!(round.rebuilt.len(), 1, "{table} put back: {round:?}");
        assert_eq!(
            before, back,
            "{table} put back: the figures did not come back"
        );
    }

    // A project moved to another agency: its rectifications and cuts of other years are
    // counted under its agency, so every year of Leling is rebuilt.
    let moved = "UPDATE projects SET agency_id = (SELECT MIN(a.id) FROM agencies a \
                 WHERE a.jurisdiction_code = projects.jurisdiction_code \
                 AND a.id <> projects.agency_id) \
                 WHERE id = (SELECT MIN(project_id) FROM rectifications)";
    assert_eq!(console.run(moved).await?, 1);
    let (round, after) = refresh_equals_rebuild(store, url).await?;
    assert_eq!(round.rebuilt, vec![(LELING.to_owned(), None)], "{round:?}");
    assert!(before != after, "the rollups did not move");

    // On PostgreSQL a truncate cannot say which rows went: everything is rebuilt.
    if !url.starts_with("sqlite:") {
        console.run("TRUNCATE payment_months").await?;
        let (round, after) = refresh_equals_rebuild(store, url).await?;
        assert!(round.whole, "{round:?}");
        assert!(!after.iter().any(|row| row.starts_with("month ")));
    }
    db.remove().await?;
    Ok(())
}

/// A database with Leling's demo and its rollups refreshed.
async fn leling_refreshed() -> Result<TestDatabase, Box<dyn std::error::Error>> {
    let db = TestDatabase::new().await?;
    jixiao_store::demo::load(&db.store).await?;
    db.store.refresh_scope_rollups().await?;
    Ok(db)
}

#[tokio::test]
async fn a_check_finds_a_lost_change_and_a_rebuild_by_the_administrator_mends_it() -> TestResult {
    let db = leling_refreshed().await?;
    let (store, url) = (&db.store, db.url.as_str());
    let clean = store.check_scope_rollups().await?;
    assert!(clean.differences.is_empty() && clean.rows > 0, "{clean:?}");

    // A change typed in SQL is marked: the figures are only stale.
    let mut console = Console::open(url).await?;
    let change = "UPDATE allotments SET limit_fen = limit_fen + 100 \
                  WHERE id = (SELECT MIN(id) FROM allotments WHERE year = 2019)";
    assert_eq!(console.run(change).await?, 1);
    let stale = store.check_scope_rollups().await?;
    assert_eq!(stale.pending(), 1, "{stale:?}");
    assert_eq!(stale.lost().count(), 0, "{stale:?}");

    // Its mark lost (as when an operator works with the triggers switched off); a rollup row
    // altered, one added and one deleted by hand: all are lost, and a refresh sees none.
    console.run("DELETE FROM rollup_changes").await?;
    let by_hand = [
        format!(
            "UPDATE rollup_projects SET projects = projects + 1 \
             WHERE year = 2019 AND jurisdiction_code = '{LELING}' AND agency_id = \
             (SELECT MIN(agency_id) FROM rollup_projects WHERE year = 2019)"
        ),
        format!(
            "INSERT INTO rollup_allotments (year, jurisdiction_code, agency_id, limit_fen, \
             used_fen) SELECT 2018, '{LELING}', MIN(id), 1, 0 FROM agencies"
        ),
        format!(
            "DELETE FROM rollup_counts WHERE year = 2019 AND jurisdiction_code = '{LELING}' \
             AND kind = 'grade'"
        ),
    ];
    for sql in &by_hand {
        assert!(console.run(sql).await? >= 1, "{sql}");
    }
    let idle = store.refresh_scope_rollups().await?;
    assert!(idle.rebuilt.is_empty(), "{idle:?}");
    // Marks elsewhere excuse none of them: another county's 2019, and Leling's 2020.
    console
        .run("INSERT INTO rollup_changes (jurisdiction_code, year) VALUES ('371482', 2019)")
        .await?;
    let marked = "UPDATE projects SET requested_fen = requested_fen + 1, \
                  funding_other_fen = funding_other_fen + 1 \
                  WHERE id = (SELECT MIN(id) FROM projects WHERE year = 2020)";
    assert_eq!(console.run(marked).await?, 1);
    let lost = store.check_scope_rollups().await?;
    let named: Vec<(&str, &str, i32)> = lost
        .lost()
        .map(|d| (d.rollup.as_str(), d.jurisdiction.as_str(), d.year))
        .collect();
    assert_eq!(
        named,
        vec![
            ("rollup_projects", LELING, 2019),
            ("rollup_allotments", LELING, 2018),
            ("rollup_allotments", LELING, 2019),
            ("rollup_counts", LELING, 2019),
        ],
        "{lost:?}"
    );
    assert_eq!(lost.pending(), 1, "{lost:?}");
    assert!(
        lost.differences
            .iter()
            .any(|d| d.pending && d.rollup == "rollup_projects" && d.year == 2020),
        "{lost:?}"
    );

    // Only an administrator of the whole deployment rebuilds; a refusal writes nothing.
    let audited = "SELECT COUNT(*) FROM audit_log WHERE action = 'rollups.rebuild'";
    for (role, jurisdiction) in [(Role::Finance, None), (Role::Admin, Some(LELING))] {
        let actor = Actor {
            user_id: Some(1),
            name: "someone".to_owned(),
            role,
            jurisdiction: jurisdiction.map(str::to_owned),
            agency_id: None,
        };
        let refused = store.rebuild_scope_rollups_as(&actor).await;
        assert!(matches!(refused, Err(Error::Forbidden)), "{refused:?}");
    }
    assert_eq!(console.count(audited).await?, 0);
    assert_eq!(store.check_scope_rollups().await?.lost().count(), 4);

    let round = store.rebuild_scope_rollups_as(&Actor::system()).await?;
    assert!(round.whole, "{round:?}");
    assert_eq!(console.count(audited).await?, 1);
    let mended = store.check_scope_rollups().await?;
    assert!(mended.differences.is_empty(), "{mended:?}");
    db.remove().await?;
    Ok(())
}

#[tokio::test]
async fn refreshes_and_rebuilds_beside_payments_lose_no_change() -> TestResult {
    let db = leling_refreshed().await?;
    let (store, url) = (&db.store, db.url.as_str());
    let mut console = Console::open(url).await?;
    let project = console
        .count(&format!(
            "SELECT project_id FROM allotments WHERE jurisdiction_code = '{LELING}' \
             AND year = 2020 AND NOT suspended \
             ORDER BY limit_fen - frozen_fen - used_fen DESC, id LIMIT 1"
        ))
        .await?;

    // On PostgreSQL one refresh runs at a time: with its lock held by hand, a refresh waits.
    if store.backend() == Backend::Postgres {
        let lock = "hashtext(current_schema()), hashtext('dashboards.rollup_rows')";
        console
            .run(&format!("SELECT pg_advisory_lock({lock})"))
            .await?;
        let waiting = tokio::spawn({
            let store = store.clone();
            async move { store.refresh_scope_rollups().await }
        });
        // A request for that very lock, not yet granted (other tests wait on locks of their own).
        let waits = "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted \
                     AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) \
                     AND classid = hashtext(current_schema())::oid \
                     AND objid = hashtext('dashboards.rollup_rows')::oid AND objsubid = 2";
        let started = std::time::Instant::now();
        while console.count(waits).await? == 0 {
            assert!(
                !waiting.is_finished(),
                "the refresh ran while another held the lock"
            );
            assert!(started.elapsed().as_secs() < 60, "the refresh never asked");
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        assert!(!waiting.is_finished());
        console
            .run(&format!("SELECT pg_advisory_unlock({lock})"))
            .await?;
        waiting.await??;
    }

    // Four payers, two refreshers (each checking as it goes) and a whole rebuild at once.
    let finance = Actor {
        user_id: None,
        name: "test finance".to_owned(),
        role: Role::Finance,
        jurisdiction: Some(LELING.to_owned()),
        agency_id: None,
    };
    let mut tasks = Vec::new();
    for payer in 0..4 {
        let (store, finance) = (store.clone(), finance.clone());
        tasks.push(tokio::spawn(async move {
            for n in 0..12 {
                let request = crate::treasury::pay(&format!("R-{payer}-{n}"), project, 100 + n);
                store.treasury(&finance, &request).await?;
            }
            Ok::<(), Error>(())
        }));
    }
    for _ in 0..2 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            for _ in 0..8 {
                store.refresh_scope_rollups().await?;
                let check = store.check_scope_rollups().await?;
                assert_eq!(check.lost().count(), 0, "{check:?}");
            }
            Ok(())
        }));
    }
    let rebuilder = store.clone();
    tasks.push(tokio::spawn(async move {
        for _ in 0..3 {
            rebuilder.rebuild_scope_rollups().await?;
        }
        Ok(())
    }));
    for task in tasks {
        task.await??;
    }
    assert_eq!(
        console
            .count("SELECT COUNT(*) FROM payments WHERE request_id LIKE 'R-%'")
            .await?,
        48
    );
    store.refresh_scope_rollups().await?;
    let check = store.check_scope_rollups().await?;
    assert!(check.differences.is_empty(), "{check:?}");
    db.remove().await?;
    Ok(())
}
