//! Jurisdictions (财政区划) and their fiscal years (预算年度), and which of them an actor sees.

use crate::audit::append;
use crate::{Error, Result, Store};
use jixiao_core::audit::AuditEntry;
use jixiao_core::jurisdiction::NewJurisdiction;
use jixiao_core::{Actor, Capability, time, tree};
use serde::Serialize;
use serde_json::json;

/// A finance level with its code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Jurisdiction {
    /// Six-digit code, e.g. `371481`.
    pub code: String,
    /// Name, e.g. 乐陵市.
    pub name: String,
    /// The level above.
    pub parent_code: Option<String>,
    /// Its business date (业务日期, `YYYY-MM-DD`), `None` when it follows the calendar.
    pub business_date: Option<String>,
}

/// A fiscal year of a jurisdiction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct FiscalYear {
    /// The jurisdiction.
    pub jurisdiction_code: String,
    /// The calendar year.
    pub year: i32,
    /// `open` or `closed`.
    pub status: String,
}

impl FiscalYear {
    /// The status as users read it.
    pub fn status_label(&self) -> &'static str {
        if self.status == "closed" {
            "已结转"
        } else {
            "进行中"
        }
    }
}

impl Store {
    /// Every jurisdiction, ordered by code.
    pub async fn jurisdictions(&self) -> Result<Vec<Jurisdiction>> {
        Ok(on_pool!(&self.pool, |pool| {
            sqlx::query_as(
                "SELECT code, name, parent_code, business_date FROM jurisdictions ORDER BY code",
            )
            .fetch_all(pool)
            .await?
        }))
    }

    /// The codes the actor may see: its jurisdiction and those below; `None` means all.
    pub(crate) async fn visible_jurisdiction_codes(
        &self,
        actor: &Actor,
    ) -> Result<Option<Vec<String>>> {
        if actor.jurisdiction.is_none() {
            return Ok(None);
        }
        Ok(visible_among(actor, &self.jurisdictions().await?))
    }

    /// `code` and every jurisdiction below it (empty when there is no such jurisdiction).
    pub(crate) async fn jurisdiction_subtree(&self, code: &str) -> Result<Vec<String>> {
        let all = self.jurisdictions().await?;
        if !all.iter().any(|j| j.code == code) {
            return Ok(Vec::new());
        }
        let parents: Vec<(String, Option<String>)> =
            all.into_iter().map(|j| (j.code, j.parent_code)).collect();
        Ok(tree::subtree(&code.to_owned(), &parents))
    }

    /// Whether the actor's jurisdiction covers `code`.
    pub(crate) async fn covers_jurisdiction(&self, actor: &Actor, code: &str) -> Result<bool> {
        Ok(match self.visible_jurisdiction_codes(actor).await? {
            None => true,
            Some(codes) => codes.iter().any(|c| c == code),
        })
    }

    /// The jurisdictions the actor may see.
    pub async fn visible_jurisdictions(&self, actor: &Actor) -> Result<Vec<Jurisdiction>> {
        let visible = self.visible_jurisdiction_codes(actor).await?;
        let all = self.jurisdictions().await?;
        Ok(match visible {
            None => all,
            Some(codes) => all
                .into_iter()
                .filter(|j| codes.contains(&j.code))
                .collect(),
        })
    }

    /// The jurisdiction to use when none is named: the only one without levels below it.
    pub async fn default_jurisdiction(&self) -> Result<Option<String>> {
        let all = self.jurisdictions().await?;
        let leaves: Vec<&Jurisdiction> = all
            .iter()
            .filter(|j| !all.iter().any(|c| c.parent_code.as_ref() == Some(&j.code)))
            .collect();
        Ok(match leaves.as_slice() {
            [only] => Some(only.code.clone()),
            _ => None,
        })
    }

    /// Adds a jurisdiction under an existing one (or as a root, for a deployment-wide admin).
    pub async fn add_jurisdiction(
        &self,
        actor: &Actor,
        new: &NewJurisdiction,
    ) -> Result<Jurisdiction> {
        actor.require(Capability::ManageSettings)?;
        new.validate()?;
        match &new.parent_code {
            None if actor.jurisdiction.is_some() => return Err(Error::Forbidden),
            Some(parent) if !self.covers_jurisdiction(actor, parent).await? => {
                return Err(Error::Forbidden);
            }
            _ => {}
        }
        let name = new.name.trim();
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |conn| {
            if let Some(parent) = &new.parent_code {
                let found: Option<String> =
                    sqlx::query_scalar("SELECT code FROM jurisdictions WHERE code = $1")
                        .bind(parent)
                        .fetch_optional(&mut *conn)
                        .await?;
                if found.is_none() {
                    return Err(Error::invalid(
                        "parent_code",
                        "unknown_jurisdiction",
                        format!("上级财政区划“{parent}”不存在"),
                    ));
                }
            }
            sqlx::query(
                "INSERT INTO jurisdictions (code, name, parent_code, created_at) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(&new.code)
            .bind(name)
            .bind(&new.parent_code)
            .bind(time::now())
            .execute(&mut *conn)
            .await
            .map_err(|e| Error::unique_as_duplicate(e, format!("财政区划“{}”已存在", new.code)))?;
        });
        append(
            &mut tx,
            AuditEntry::new(
                &actor.name,
                "jurisdiction.create",
                "jurisdiction",
                &new.code,
            )
            .in_jurisdiction(Some(&new.code))
            .with_details(json!({"name": name, "parent_code": new.parent_code})),
        )
        .await?;
        tx.commit().await?;
        Ok(Jurisdiction {
            code: new.code.clone(),
            name: name.to_owned(),
            parent_code: new.parent_code.clone(),
            business_date: None,
        })
    }

    /// Renames a jurisdiction (its settings page).
    pub async fn rename_jurisdiction(&self, actor: &Actor, code: &str, name: &str) -> Result<()> {
        actor.require(Capability::ManageSettings)?;
        let mut errors = jixiao_core::ValidationErrors::default();
        errors.text("name", "财政区划名称", name, 50);
        errors.into_result()?;
        if !self.covers_jurisdiction(actor, code).await? {
            return Err(Error::NotFound(format!("财政区划“{code}”不存在")));
        }
        let name = name.trim();
        let mut tx = self.begin().await?;
        let old: Option<String> = on_tx!(&mut tx, |conn| {
            let old = sqlx::query_scalar("SELECT name FROM jurisdictions WHERE code = $1")
                .bind(code)
                .fetch_optional(&mut *conn)
                .await?;
            sqlx::query("UPDATE jurisdictions SET name = $1 WHERE code = $2")
                .bind(name)
                .bind(code)
                .execute(&mut *conn)
                .await?;
            old
        });
        let Some(old) = old else {
            return Err(Error::NotFound(format!("财政区划“{code}”不存在")));
        };
        append(
            &mut tx,
            AuditEntry::new(&actor.name, "jurisdiction.rename", "jurisdiction", code)
                .in_jurisdiction(Some(code))
                .with_details(json!({"from": old, "to": name})),
        )
        .await?;
        tx.commit().await
    }

    /// Opens a fiscal year for a jurisdiction.
    pub async fn add_fiscal_year(
        &self,
        actor: &Actor,
        jurisdiction: &str,
        year: i32,
    ) -> Result<()> {
        actor.require(Capability::ManageSettings)?;
        if !(2000..=2100).contains(&year) {
            return Err(Error::invalid(
                "year",
                "out_of_range",
                "预算年度应在2000至2100之间",
            ));
        }
        if !self.covers_jurisdiction(actor, jurisdiction).await? {
            return Err(Error::NotFound(format!("财政区划“{jurisdiction}”不存在")));
        }
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |conn| {
            sqlx::query(
                "INSERT INTO fiscal_years (jurisdiction_code, year, status, created_at) \
                 VALUES ($1, $2, 'open', $3)",
            )
            .bind(jurisdiction)
            .bind(year)
            .bind(time::now())
            .execute(&mut *conn)
            .await
            .map_err(|e| match &e {
                sqlx::Error::Database(db) if db.is_foreign_key_violation() => {
                    Error::NotFound(format!("财政区划“{jurisdiction}”不存在"))
                }
                _ => Error::unique_as_duplicate(e, format!("{year}年度已存在")),
            })?;
        });
        append(
            &mut tx,
            AuditEntry::new(
                &actor.name,
                "fiscal_year.create",
                "fiscal_year",
                &format!("{jurisdiction}/{year}"),
            )
            .in_jurisdiction(Some(jurisdiction)),
        )
        .await?;
        tx.commit().await?;
        // A new year starts under the national default unless a rulebook already applies.
        if self.rulebook_in_force(jurisdiction, year).await.is_err() {
            self.load_rulebook(
                actor,
                jurisdiction,
                year,
                jixiao_core::rulebook::NATIONAL_DEFAULT,
            )
            .await?;
        }
        Ok(())
    }

    /// The fiscal years of the jurisdictions the actor sees, newest first.
    pub async fn fiscal_years(&self, actor: &Actor) -> Result<Vec<FiscalYear>> {
        let visible = self.visible_jurisdiction_codes(actor).await?;
        let years: Vec<FiscalYear> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(
                "SELECT jurisdiction_code, year, status FROM fiscal_years \
                 ORDER BY jurisdiction_code, year DESC",
            )
            .fetch_all(pool)
            .await?
        });
        Ok(match visible {
            None => years,
            Some(codes) => years
                .into_iter()
                .filter(|y| codes.contains(&y.jurisdiction_code))
                .collect(),
        })
    }
}

/// The codes of `all` the actor may see: its jurisdiction and those below; `None` means all.
pub(crate) fn visible_among(actor: &Actor, all: &[Jurisdiction]) -> Option<Vec<String>> {
    let own = actor.jurisdiction.as_ref()?;
    let parents: Vec<(String, Option<String>)> = all
        .iter()
        .map(|j| (j.code.clone(), j.parent_code.clone()))
        .collect();
    Some(tree::subtree(own, &parents))
}
