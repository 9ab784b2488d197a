//! Fresh, isolated databases for tests: a temporary SQLite file, or — when
//! `JIXIAO_TEST_DATABASE_URL` is set — a new schema of its own on that PostgreSQL database.

use crate::{Error, Result, Store};
use jixiao_core::token;
use std::path::PathBuf;

/// The environment variable naming the PostgreSQL database tests should use.
pub const TEST_DATABASE_ENV: &str = "JIXIAO_TEST_DATABASE_URL";

/// A migrated, empty database for one test. A SQLite file is removed when this is dropped.
#[derive(Debug)]
pub struct TestDatabase {
    /// The store, connected and migrated.
    pub store: Store,
    /// The URL that reaches the same database (for the CLI or a second server).
    pub url: String,
    file: Option<PathBuf>,
    /// The PostgreSQL database and the schema made in it.
    schema: Option<(String, String)>,
}

impl TestDatabase {
    /// Creates the database and migrates it.
    pub async fn new() -> Result<TestDatabase> {
        TestDatabase::on(std::env::var(TEST_DATABASE_ENV).ok().as_deref()).await
    }

    /// Creates the database on a PostgreSQL database `base` (a new schema of its own in it), or
    /// in a temporary SQLite file when `base` is none or empty, and migrates it.
    pub async fn on(base: Option<&str>) -> Result<TestDatabase> {
        let name = format!(
            "jixiao_t_{}",
            &token::new_secret().map_err(|e| Error::Internal(e.to_string()))?[..16]
        );
        let (url, file) = match base {
            Some(base) if !base.trim().is_empty() => {
                let admin = Store::connect(base).await?;
                on_pool!(&admin.pool, |pool| {
                    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {name}")))
                        .execute(pool)
                        .await?;
                });
                admin.close().await;
                let separator = if base.contains('?') { '&' } else { '?' };
                (
                    format!("{base}{separator}options[search_path]={name}"),
                    None,
                )
            }
            _ => {
                let path = std::env::temp_dir().join(format!("{name}.db"));
                (format!("sqlite://{}", path.display()), Some(path))
            }
        };
        let schema = base
            .filter(|_| file.is_none())
            .map(|base| (base.to_owned(), name.clone()));
        let store = Store::connect(&url).await?;
        store.migrate().await?;
        Ok(TestDatabase {
            store,
            url,
            file,
            schema,
        })
    }

    /// Closes the store and removes the database: drops the PostgreSQL schema with everything
    /// in it (a SQLite file goes when this is dropped).
    pub async fn remove(self) -> Result<()> {
        self.store.close().await;
        if let Some((base, name)) = &self.schema {
            let admin = Store::connect(base).await?;
            on_pool!(&admin.pool, |pool| {
                sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {name} CASCADE")))
                    .execute(pool)
                    .await?;
            });
            admin.close().await;
        }
        Ok(())
    }
}

impl TestDatabase {
    /// Copies to `to` the rows of `table` that `self` has and `to` lacks (by `key`), as a
    /// replica replays its primary's writes: for tests of a read-only database that lags behind.
    /// PostgreSQL test databases only (both schemas live in one database).
    pub async fn replay_new_rows_to(
        &self,
        to: &TestDatabase,
        table: &str,
        key: &str,
    ) -> Result<u64> {
        let (Some((_, from_schema)), Some((_, to_schema))) = (&self.schema, &to.schema) else {
            return Err(Error::Config(
                "replaying rows needs PostgreSQL test databases".into(),
            ));
        };
        let sql = format!(
            "INSERT INTO {to_schema}.{table} SELECT * FROM {from_schema}.{table} \
             WHERE {key} NOT IN (SELECT {key} FROM {to_schema}.{table})"
        );
        Ok(on_pool!(&self.store.pool, |pool| {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(pool)
                .await?
                .rows_affected()
        }))
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some(path) = &self.file {
            for suffix in ["", "-wal", "-shm", ".audit-key", ".audit-checkpoints"] {
                let mut file = path.clone().into_os_string();
                file.push(suffix);
                let _ = std::fs::remove_file(file);
            }
        }
    }
}

/// Runs SQL on a test database over a connection of its own (to tamper with data as an attacker
/// with database access would).
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

/// Drops the triggers that keep the audit log append-only, as an attacker with full database
/// access would before rewriting it.
pub async fn drop_audit_guards(url: &str) -> Result<(), sqlx::Error> {
    if url.starts_with("sqlite:") {
        raw_execute(url, "DROP TRIGGER audit_log_no_update").await?;
        raw_execute(url, "DROP TRIGGER audit_log_no_delete").await
    } else {
        raw_execute(url, "DROP TRIGGER audit_log_no_change ON audit_log").await
    }
}

/// Cuts the connection of every server listening for session changes on the test's PostgreSQL
/// database (as a network fault or a database restart would); answers how many were cut.
pub async fn cut_session_listeners(url: &str) -> Result<usize, sqlx::Error> {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(url).await?;
    let cut: Vec<bool> = sqlx::query_scalar(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND pid <> pg_backend_pid() \
         AND left(query, length($1)) = $1",
    )
    .bind(format!(
        "LISTEN \"{}\"",
        crate::session_cache::SESSION_CHANGES
    ))
    .fetch_all(&mut conn)
    .await?;
    Ok(cut.into_iter().filter(|cut| *cut).count())
}

/// Switches `store`'s session cache on as if its listener had heard its ping, with no listener:
/// no notice will ever drop it, so only the store's own drops after its commits do.
pub fn cache_sessions_without_listening(store: &Store) {
    store.session_cache.hear_ping();
}
