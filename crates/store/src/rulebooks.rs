//! Rulebooks as stored: versioned per jurisdiction and fiscal year. Loading a changed text makes
//! a new version; projects keep the id of the version they were decided under.

use crate::audit::append;
use crate::{Error, Result, Store};
use jixiao_core::audit::AuditEntry;
use jixiao_core::rulebook::Rulebook;
use jixiao_core::{Actor, Capability, time, token};
use serde_json::json;

/// A stored rulebook version.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RulebookRecord {
    /// Id (what decisions point to).
    pub id: i64,
    /// Jurisdiction.
    pub jurisdiction_code: String,
    /// Fiscal year.
    pub year: i32,
    /// Version, from 1.
    pub version: i32,
    /// The rulebook's name.
    pub name: String,
    /// The TOML text exactly as loaded.
    pub source: String,
    /// SHA-256 of the text.
    pub digest: String,
    /// When.
    pub loaded_at: i64,
    /// By whom.
    pub loaded_by: String,
}

impl RulebookRecord {
    /// The parsed rulebook (stored texts were checked when loaded).
    pub fn rulebook(&self) -> Result<Rulebook> {
        Rulebook::parse(&self.source).map_err(|e| Error::Internal(e.to_string()))
    }
}

const COLUMNS: &str =
    "id, jurisdiction_code, year, version, name, source, digest, loaded_at, loaded_by";

/// What loading a rulebook did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedRulebook {
    /// The version now in force.
    pub record: RulebookRecord,
    /// Whether a new version was made (false when the text equals the version in force).
    pub created: bool,
}

impl Store {
    /// Loads a rulebook text for a jurisdiction and year, making a new version when it differs
    /// from the one in force.
    pub async fn load_rulebook(
        &self,
        actor: &Actor,
        jurisdiction: &str,
        year: i32,
        source: &str,
    ) -> Result<LoadedRulebook> {
        actor.require(Capability::ManageSettings)?;
        if !self.covers_jurisdiction(actor, jurisdiction).await? {
            return Err(Error::Forbidden);
        }
        if !(2000..=2100).contains(&year) {
            return Err(Error::invalid(
                "year",
                "out_of_range",
                "预算年度应在2000至2100之间",
            ));
        }
        let rulebook = Rulebook::parse(source)
            .map_err(|e| Error::invalid("rulebook", "invalid_rulebook", e.to_string()))?;
        let digest = token::digest(source);
        let mut tx = self.begin().await?;
        let current: Option<RulebookRecord> = on_tx!(&mut tx, |conn| {
            let exists: Option<String> =
                sqlx::query_scalar("SELECT code FROM jurisdictions WHERE code = $1")
                    .bind(jurisdiction)
                    .fetch_optional(&mut *conn)
                    .await?;
            if exists.is_none() {
                return Err(Error::invalid(
                    "jurisdiction",
                    "unknown_jurisdiction",
                    format!("财政区划“{jurisdiction}”不存在"),
                ));
            }
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM rulebooks WHERE jurisdiction_code = $1 AND year = $2 \
                 ORDER BY version DESC LIMIT 1"
            )))
            .bind(jurisdiction)
            .bind(year)
            .fetch_optional(&mut *conn)
            .await?
        });
        if let Some(current) = current.filter(|c| c.digest == digest) {
            return Ok(LoadedRulebook {
                record: current,
                created: false,
            });
        }
        let next_version = on_tx!(&mut tx, |conn| {
            let max: Option<i32> = sqlx::query_scalar(
                "SELECT MAX(version) FROM rulebooks WHERE jurisdiction_code = $1 AND year = $2",
            )
            .bind(jurisdiction)
            .bind(year)
            .fetch_one(&mut *conn)
            .await?;
            max.unwrap_or(0) + 1
        });
        let now = time::now();
        let id: i64 = on_tx!(&mut tx, |conn| {
            sqlx::query_scalar(
                "INSERT INTO rulebooks (jurisdiction_code, year, version, name, source, digest, \
                 loaded_at, loaded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(jurisdiction)
            .bind(year)
            .bind(next_version)
            .bind(&rulebook.name)
            .bind(source)
            .bind(&digest)
            .bind(now)
            .bind(&actor.name)
            .fetch_one(&mut *conn)
            .await?
        });
        append(
            &mut tx,
            AuditEntry::new(
                &actor.name,
                "rulebook.load",
                "rulebook",
                &format!("{jurisdiction}/{year}/v{next_version}"),
            )
            .in_jurisdiction(Some(jurisdiction))
            .with_details(json!({"name": rulebook.name, "digest": digest})),
        )
        .await?;
        tx.commit().await?;
        Ok(LoadedRulebook {
            record: RulebookRecord {
                id,
                jurisdiction_code: jurisdiction.to_owned(),
                year,
                version: next_version,
                name: rulebook.name,
                source: source.to_owned(),
                digest,
                loaded_at: now,
                loaded_by: actor.name.clone(),
            },
            created: true,
        })
    }

    /// The rulebook in force for a jurisdiction and year: the newest version loaded for it, or
    /// else for the nearest jurisdiction above it (a province-wide rulebook).
    pub async fn rulebook_in_force(&self, jurisdiction: &str, year: i32) -> Result<RulebookRecord> {
        let all = self.jurisdictions().await?;
        let mut code = Some(jurisdiction.to_owned());
        let mut hops = 0;
        while let Some(current) = code {
            let found: Option<RulebookRecord> = on_pool!(&self.pool, |pool| {
                sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "SELECT {COLUMNS} FROM rulebooks WHERE jurisdiction_code = $1 AND year = $2 \
                     ORDER BY version DESC LIMIT 1"
                )))
                .bind(&current)
                .bind(year)
                .fetch_optional(pool)
                .await?
            });
            if let Some(found) = found {
                return Ok(found);
            }
            hops += 1;
            code = all
                .iter()
                .find(|j| j.code == current)
                .and_then(|j| j.parent_code.clone())
                .filter(|_| hops < 10);
        }
        Err(Error::conflict(
            crate::ConflictCode::RulebookMissing,
            format!("{year}年度尚未载入规则，请系统管理员先设立预算年度或载入规则"),
        ))
    }

    /// One stored rulebook version by id.
    pub async fn rulebook_by_id(&self, id: i64) -> Result<RulebookRecord> {
        let found: Option<RulebookRecord> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM rulebooks WHERE id = $1"
            )))
            .bind(id)
            .fetch_optional(pool)
            .await?
        });
        found.ok_or_else(|| Error::NotFound("规则版本不存在".to_owned()))
    }

    /// Every rulebook version of the jurisdictions the actor sees, newest first.
    pub async fn rulebooks(&self, actor: &Actor) -> Result<Vec<RulebookRecord>> {
        let visible = self.visible_jurisdiction_codes(actor).await?;
        let all: Vec<RulebookRecord> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM rulebooks ORDER BY jurisdiction_code, year DESC, version DESC"
            )))
            .fetch_all(pool)
            .await?
        });
        Ok(match visible {
            None => all,
            Some(codes) => all
                .into_iter()
                .filter(|r| codes.contains(&r.jurisdiction_code))
                .collect(),
        })
    }
}
