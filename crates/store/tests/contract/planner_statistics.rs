//! Planner statistics after a bulk load (decision 0047): seeding refreshes the statistics of what
//! it filled in the store's own schema (SQLite `sqlite_stat1`; PostgreSQL `reltuples` and a
//! vacuum, which sets the visibility map index-only scans need), and a name outside the known
//! tables is skipped without reaching the SQL.

use crate::support::TestResult;
use jixiao_store::demo;
use jixiao_store::test_support::TestDatabase;
use sqlx::Connection;

/// (statistics rows or tuples counted, vacuums) of `projects` as the database sees
/// them, in the test's own schema.
async fn projects_statistics(url: &str) -> Result<(i64, i64), sqlx::Error> {
    if url.starts_with("sqlite:") {
        let mut conn = sqlx::SqliteConnection::connect(url).await?;
        let exists: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'",
        )
        .fetch_one(&mut conn)
        .await?;
        if exists == 0 {
            return Ok((0, 0));
        }
        let rows: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'projects'")
                .fetch_one(&mut conn)
                .await?;
        Ok((rows, 0))
    } else {
        let mut conn = sqlx::PgConnection::connect(url).await?;
        // Vacuums counted (the visibility map itself depends on the oldest snapshot of every
        // other test running on the database, so its pages are not asserted).
        let (tuples, vacuums): (f32, i64) = sqlx::query_as(
            "SELECT c.reltuples, pg_stat_get_vacuum_count(c.oid) FROM pg_class c \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relname = 'projects' AND n.nspname = current_schema()",
        )
        .fetch_one(&mut conn)
        .await?;
        Ok((tuples as i64, vacuums))
    }
}

#[tokio::test]
async fn seeding_leaves_fresh_statistics_and_unknown_names_are_skipped() -> TestResult {
    let db = TestDatabase::new().await?;
    let store = &db.store;
    demo::load_base(store).await?;
    store
        .seed_benchmark_projects(demo::LELING, 2020, 300)
        .await?;
    let (counted, vacuums) = projects_statistics(&db.url).await?;
    assert!(counted > 0, "statistics of the seeded projects: {counted}");
    if db.url.starts_with("postgres") {
        assert!(
            counted >= 300,
            "reltuples after VACUUM (ANALYZE): {counted}"
        );
        assert!(vacuums > 0, "the table was vacuumed: {vacuums}");
    }
    // A name that is not one of the bulk tables never reaches the SQL.
    store
        .refresh_planner_statistics(&["users; DROP TABLE users", "sessions"])
        .await?;
    let users = store.users(&jixiao_core::Actor::system()).await?;
    assert!(!users.is_empty(), "the users are still there");
    db.remove().await?;
    Ok(())
}
