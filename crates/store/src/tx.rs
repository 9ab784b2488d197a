//! Write transactions, the macros that run one query text on either backend, and the lock that
//! lets one server at a time run a background job.
//!
//! `on_tx!(tx, |conn| body)` and `on_pool!(pool, |pool| body)` expand `body` once per backend, so
//! the same `sqlx::query(...)` is type-checked against SQLite and PostgreSQL alike.

use crate::{Pool, Result, Store};
use sqlx::{Postgres, Sqlite, Transaction};

/// An open write transaction on either backend.
pub(crate) enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// Runs `body` with `$conn` bound to the transaction's connection.
macro_rules! on_tx {
    ($tx:expr, |$conn:ident| $body:expr) => {
        match $tx {
            $crate::tx::Tx::Sqlite(t) => {
                let $conn: &mut sqlx::SqliteConnection = &mut *t;
                $body
            }
            $crate::tx::Tx::Postgres(t) => {
                let $conn: &mut sqlx::PgConnection = &mut *t;
                $body
            }
        }
    };
}

/// Runs `body` with `$pool` bound to the pool (for reads outside a transaction).
macro_rules! on_pool {
    ($pool:expr, |$p:ident| $body:expr) => {
        match $pool {
            $crate::Pool::Sqlite($p) => $body,
            $crate::Pool::Postgres($p) => $body,
        }
    };
}

impl Store {
    /// Starts a write transaction: `BEGIN IMMEDIATE` on SQLite (take the write lock up front, so
    /// a read-then-write never fails on upgrade), a plain `BEGIN` on PostgreSQL (row locks where
    /// needed).
    pub(crate) async fn begin(&self) -> Result<Tx> {
        Ok(match &self.pool {
            Pool::Sqlite(pool) => Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Pool::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }
}

impl Tx {
    /// Commits the transaction.
    pub(crate) async fn commit(self) -> Result<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }

    /// Rolls the transaction back.
    pub(crate) async fn rollback(self) -> Result<()> {
        match self {
            Tx::Sqlite(t) => t.rollback().await?,
            Tx::Postgres(t) => t.rollback().await?,
        }
        Ok(())
    }

    /// Whether this is a PostgreSQL transaction (for the few dialect-specific statements).
    pub(crate) fn is_postgres(&self) -> bool {
        matches!(self, Tx::Postgres(_))
    }
}

/// The right to run one background job now, held by one server at a time across all servers on
/// the database (see [`Store::try_job_lock`]). Dropping it (or the process dying) lets go.
#[derive(Debug)]
pub struct JobLock {
    /// On PostgreSQL, the transaction holding the advisory lock; on SQLite nothing.
    held: Option<Transaction<'static, Postgres>>,
}

impl JobLock {
    /// Lets go of the lock now.
    pub async fn release(self) -> Result<()> {
        if let Some(held) = self.held {
            held.rollback().await?;
        }
        Ok(())
    }
}

impl Store {
    /// Takes the lock of background job `job` if no other server holds it: `None` when another
    /// server is running the job right now (the caller skips this round). On PostgreSQL a
    /// transaction-level advisory lock (`pg_try_advisory_xact_lock`) held by a transaction of its
    /// own until [`JobLock::release`], so a server that dies lets go with its connection; on
    /// SQLite one process owns the file, and the lock is always granted.
    pub async fn try_job_lock(&self, job: &str) -> Result<Option<JobLock>> {
        match &self.pool {
            Pool::Sqlite(_) => Ok(Some(JobLock { held: None })),
            Pool::Postgres(pool) => {
                let mut held = pool.begin().await?;
                // Keyed by the schema and the job's name: servers of one deployment share the
                // lock; deployments in other schemas of the same database do not.
                let granted: bool = sqlx::query_scalar(
                    "SELECT pg_try_advisory_xact_lock(hashtext(current_schema()), hashtext($1))",
                )
                .bind(job)
                .fetch_one(&mut *held)
                .await?;
                if granted {
                    Ok(Some(JobLock { held: Some(held) }))
                } else {
                    held.rollback().await?;
                    Ok(None)
                }
            }
        }
    }
}
