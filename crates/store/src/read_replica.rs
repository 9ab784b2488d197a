//! The read-only database of `serve --read-database` (a PostgreSQL streaming replica): opening
//! it read-only, checking that it carries the primary's schema, the heartbeat a server writes to
//! the primary, and how current the replica is by the heartbeat it has replayed (decision 0052).

use crate::{Error, Pool, Result, Store};
use jixiao_core::time::{self, Micros};
use sqlx::postgres::PgConnectOptions;
use std::str::FromStr;

/// How current a read-only database is: the newest heartbeat of the primary it has replayed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplicaFreshness {
    /// When the primary wrote the heartbeat the replica holds (microseconds since the epoch,
    /// UTC); `None` before the first heartbeat reached it.
    pub as_of: Option<Micros>,
    /// Seconds between that heartbeat and now (at least the heartbeat's period when current).
    pub lag_seconds: Option<i64>,
}

impl Store {
    /// Opens the read-only database at `url` (PostgreSQL only: a streaming replica of the
    /// primary). Every transaction on it is read-only, so a write sent there by mistake fails
    /// instead of landing beside the primary's data. Does not migrate: the replica replays the
    /// primary's schema.
    pub async fn connect_read_only(url: &str) -> Result<Store> {
        if !(url.starts_with("postgres:") || url.starts_with("postgresql:")) {
            return Err(Error::Config(
                "只读数据库（--read-database）须为 PostgreSQL 流复制备库，地址应以 postgres:// 开头"
                    .to_owned(),
            ));
        }
        let options = PgConnectOptions::from_str(url)
            .map_err(|e| Error::Config(format!("只读数据库地址无效：{e}")))?
            .options([("default_transaction_read_only", "on")]);
        let pool = crate::postgres_pool_options().connect_with(options).await?;
        Ok(Store {
            sqlite_file: None,
            pool: Pool::Postgres(pool),
            session_cache: Default::default(),
        })
    }

    /// The newest schema migration applied to this database (0 before any).
    pub async fn schema_version(&self) -> Result<i64> {
        Ok(on_pool!(&self.pool, |pool| {
            sqlx::query_scalar(
                "SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success",
            )
            .fetch_one(pool)
            .await?
        }))
    }

    /// Refuses a read-only database whose schema is not the primary's (`self`): a replica that
    /// lags behind a migration would answer the new code's queries wrongly or not at all.
    pub async fn check_read_only_schema(&self, reads: &Store) -> Result<()> {
        let (primary, replica) = (self.schema_version().await?, reads.schema_version().await?);
        if primary != replica {
            return Err(Error::Config(format!(
                "只读数据库的结构版本（{replica}）与主库（{primary}）不一致：请等待备库追上主库后再启动"
            )));
        }
        Ok(())
    }

    /// Writes the heartbeat (now) on the primary; the replica replays it with everything else.
    pub async fn beat_replica_heartbeat(&self) -> Result<()> {
        on_pool!(&self.pool, |pool| {
            sqlx::query(
                "INSERT INTO replica_heartbeat (id, beat_at) VALUES ('primary', $1) \
                 ON CONFLICT (id) DO UPDATE SET beat_at = excluded.beat_at",
            )
            .bind(time::now())
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// How current this (read-only) database is, by the heartbeat it holds.
    pub async fn replica_freshness(&self) -> Result<ReplicaFreshness> {
        let beat: Option<i64> = on_pool!(&self.pool, |pool| {
            sqlx::query_scalar("SELECT beat_at FROM replica_heartbeat WHERE id = 'primary'")
                .fetch_optional(pool)
                .await?
        });
        Ok(ReplicaFreshness {
            as_of: beat,
            lag_seconds: beat.map(|at| (time::now() - at).max(0) / 1_000_000),
        })
    }
}
