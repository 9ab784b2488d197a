//! Helpers shared by the contract tests.

pub type TestResult = Result<(), Box<dyn std::error::Error>>;

/// Runs SQL on the test database over a connection of its own.
pub async fn raw_execute(url: &str, sql: &'static str) -> Result<(), sqlx::Error> {
    use sqlx::Connection;
    if url.starts_with("sqlite:") {
        let mut conn = sqlx::SqliteConnection::connect(url).await?;
        sqlx::query(sql).execute(&mut conn).await?;
    } else {
        let mut conn = sqlx::PgConnection::connect(url).await?;
        sqlx::query(sql).execute(&mut conn).await?;
    }
    Ok(())
}
