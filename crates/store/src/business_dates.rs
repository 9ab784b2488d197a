//! The business date (业务日期) of a jurisdiction: the day its users' pages and use cases take as
//! "today" — time progress, the budget year lists open on, default as-of dates and deadlines,
//! ages. Unset, it is the calendar day in Beijing; a bureau working over a past year sets it
//! (the demo works in 2020). Decision 0038.

use crate::audit::append;
use crate::{Error, Result, Store};
use chrono::NaiveDate;
use jixiao_core::audit::AuditEntry;
use jixiao_core::{Actor, Capability, time};
use serde_json::json;

/// A stored business date as read: `None` (unset) is the calendar day in Beijing.
pub(crate) fn business_date_from(stored: Option<&str>, code: &str) -> Result<NaiveDate> {
    match stored {
        None => Ok(time::today()),
        Some(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| Error::Unreadable {
            table: "jurisdictions",
            row: format!("code={code}"),
            column: "business_date",
            value: text.to_owned(),
        }),
    }
}

impl Store {
    /// The business date of `jurisdiction` (the calendar day for none, as for a
    /// deployment-wide administrator).
    pub async fn business_date(&self, jurisdiction: Option<&str>) -> Result<NaiveDate> {
        let Some(code) = jurisdiction else {
            return Ok(time::today());
        };
        let stored: Option<Option<String>> = on_pool!(&self.pool, |pool| {
            sqlx::query_scalar("SELECT business_date FROM jurisdictions WHERE code = $1")
                .bind(code)
                .fetch_optional(pool)
                .await?
        });
        business_date_from(stored.flatten().as_deref(), code)
    }

    /// The business date of the actor's jurisdiction.
    pub async fn business_date_of(&self, actor: &Actor) -> Result<NaiveDate> {
        self.business_date(actor.jurisdiction.as_deref()).await
    }

    /// Sets or clears (`None`: follow the calendar) a jurisdiction's business date (its
    /// settings page). Audited with the old and new dates.
    pub async fn set_business_date(
        &self,
        actor: &Actor,
        code: &str,
        date: Option<NaiveDate>,
    ) -> Result<()> {
        actor.require(Capability::ManageSettings)?;
        if !self.covers_jurisdiction(actor, code).await? {
            return Err(Error::NotFound(format!("财政区划“{code}”不存在")));
        }
        if let Some(d) = date {
            let year = chrono::Datelike::year(&d);
            if !(2000..=2100).contains(&year) {
                let mut errors = jixiao_core::ValidationErrors::default();
                errors.add(
                    "business_date",
                    "out_of_range",
                    "业务日期应在2000年至2100年之间",
                );
                errors.into_result()?;
            }
        }
        let text = date.map(|d| d.format("%Y-%m-%d").to_string());
        let mut tx = self.begin().await?;
        let old: Option<Option<String>> = on_tx!(&mut tx, |conn| {
            let old = sqlx::query_scalar("SELECT business_date FROM jurisdictions WHERE code = $1")
                .bind(code)
                .fetch_optional(&mut *conn)
                .await?;
            sqlx::query("UPDATE jurisdictions SET business_date = $1 WHERE code = $2")
                .bind(&text)
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
            AuditEntry::new(
                &actor.name,
                "jurisdiction.business_date",
                "jurisdiction",
                code,
            )
            .in_jurisdiction(Some(code))
            .with_details(json!({"from": old, "to": text})),
        )
        .await?;
        self.commit_session_change(tx).await
    }
}
