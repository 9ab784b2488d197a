//! Consistent copies of a live SQLite database (PostgreSQL has pg_dump for that).

use crate::{Error, Pool, Result, Store};
use std::path::Path;

impl Store {
    /// Writes a consistent copy of the live SQLite database to `target` with `VACUUM INTO`,
    /// which reads one snapshot while writers go on. `target` must not exist yet.
    pub async fn backup_sqlite(&self, target: &Path) -> Result<()> {
        let Pool::Sqlite(pool) = &self.pool else {
            return Err(Error::Config(
                "PostgreSQL 数据库请使用 pg_dump 备份，例如：pg_dump -Fc -f jixiao.dump DBNAME"
                    .to_owned(),
            ));
        };
        if target.exists() {
            return Err(Error::conflict(
                crate::ConflictCode::FileExists,
                format!("备份文件 {} 已存在，不会覆盖", target.display()),
            ));
        }
        let target = target
            .to_str()
            .ok_or_else(|| Error::Config("备份文件路径须为 UTF-8".to_owned()))?;
        sqlx::query("VACUUM INTO $1")
            .bind(target)
            .execute(pool)
            .await?;
        Ok(())
    }
}
