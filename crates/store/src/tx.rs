//! Write transactions and the macros that run one query text on either backend.
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
