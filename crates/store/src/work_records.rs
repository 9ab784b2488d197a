//! 就业介绍信 (issue 19 item 5, decision 0045): a work record of a registry member — the
//! employer, the start, the monthly income and the transport subsidy (fen) — from which the
//! printable introduction letter to the employer is made. Kept by the county office in its
//! jurisdiction, townships and villages in their area; every record is audited; the letter
//! carries the ID number masked.

use crate::audit::append;
use crate::{Error, Result, Store};
use chrono::NaiveDate;
use jixiao_core::assistance::mask;
use jixiao_core::audit::AuditEntry;
use jixiao_core::{Actor, ValidationErrors, time};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// A work record as the form sends it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WorkRecordInput {
    /// The registry member.
    pub person_id: i64,
    /// 用工单位.
    pub employer: String,
    /// 岗位 (work to be done).
    pub position: String,
    /// First day, `YYYY-MM-DD`.
    pub start_on: String,
    /// 月收入, fen.
    pub monthly_income_fen: i64,
    /// 交通补贴, fen.
    pub transport_subsidy_fen: i64,
}

/// A work record with its person.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct WorkRecord {
    /// Id (the letter's number).
    pub id: i64,
    /// The registry member.
    pub person_id: i64,
    /// Name.
    pub name: String,
    /// 性别 code.
    pub sex: String,
    /// The resident ID, masked.
    pub id_masked: String,
    /// The household.
    pub household_id: i64,
    /// The village.
    pub village_name: String,
    /// 用工单位.
    pub employer: String,
    /// 岗位.
    pub position: String,
    /// First day.
    pub start_on: String,
    /// 月收入, fen.
    pub monthly_income_fen: i64,
    /// 交通补贴, fen.
    pub transport_subsidy_fen: i64,
    /// The day it was recorded.
    pub issued_on: String,
}

impl WorkRecord {
    /// The monthly income in 元.
    pub fn income_yuan(&self) -> String {
        jixiao_core::money::format_yuan(self.monthly_income_fen)
    }

    /// The transport subsidy in 元.
    pub fn subsidy_yuan(&self) -> String {
        jixiao_core::money::format_yuan(self.transport_subsidy_fen)
    }

    /// 男 / 女.
    pub fn sex_label(&self) -> &'static str {
        if self.sex == "female" { "女" } else { "男" }
    }
}

const RECORD_SELECT: &str = "SELECT w.id, w.person_id, pe.name, pe.sex, \
     pe.resident_id AS id_masked, pe.household_id, ar.name AS village_name, w.employer, \
     w.position, w.start_on, w.monthly_income_fen, w.transport_subsidy_fen, w.issued_on \
     FROM work_records w JOIN people pe ON pe.id = w.person_id \
     JOIN households h ON h.id = pe.household_id JOIN areas ar ON ar.code = h.village_code \
     WHERE w.jurisdiction_code = $1 AND ar.path LIKE $2";

impl Store {
    /// The work records in the actor's area, newest first (ID numbers masked).
    pub async fn work_records(&self, actor: &Actor) -> Result<Vec<WorkRecord>> {
        let scope = self.programme_scope(actor).await?;
        let mut rows: Vec<WorkRecord> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{RECORD_SELECT} ORDER BY w.id DESC LIMIT 2000"
            )))
            .bind(&scope.jurisdiction)
            .bind(&scope.path)
            .fetch_all(pool)
            .await?
        });
        for r in &mut rows {
            r.id_masked = mask(&r.id_masked);
        }
        Ok(rows)
    }

    /// A work record in the actor's area (its ID number masked).
    pub async fn work_record(&self, actor: &Actor, id: i64) -> Result<WorkRecord> {
        let scope = self.programme_scope(actor).await?;
        let row: Option<WorkRecord> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{RECORD_SELECT} AND w.id = $3"
            )))
            .bind(&scope.jurisdiction)
            .bind(&scope.path)
            .bind(id)
            .fetch_optional(pool)
            .await?
        });
        let mut row = row.ok_or_else(|| Error::NotFound("就业记录不存在".to_owned()))?;
        row.id_masked = mask(&row.id_masked);
        Ok(row)
    }

    /// Records a live registry member's work, the ground of an introduction letter.
    pub async fn add_work_record(
        &self,
        actor: &Actor,
        input: &WorkRecordInput,
        today: NaiveDate,
    ) -> Result<WorkRecord> {
        let scope = self.programme_scope(actor).await?;
        let household: Option<i64> = on_pool!(&self.pool, |pool| {
            sqlx::query_scalar("SELECT household_id FROM people WHERE id = $1 AND left_on IS NULL")
                .bind(input.person_id)
                .fetch_optional(pool)
                .await?
        });
        let mut errors = ValidationErrors::default();
        let visible = match household {
            Some(h) => match self.visible_household(actor, h).await {
                Ok(_) => true,
                Err(Error::NotFound(_)) => false,
                Err(e) => return Err(e),
            },
            None => false,
        };
        if !visible {
            errors.add("person_id", "unknown_person", "人员不存在");
        }
        errors.text("employer", "用工单位", &input.employer, 100);
        errors.optional_text("position", "岗位", &input.position, 100);
        let start = NaiveDate::parse_from_str(input.start_on.trim(), "%Y-%m-%d").ok();
        if start.is_none() {
            errors.add("start_on", "invalid_date", "请填写上岗日期（YYYY-MM-DD）");
        }
        if !(0..=100_000_000).contains(&input.monthly_income_fen) {
            errors.add("monthly_income_fen", "out_of_range", "月收入有误");
        }
        if !(0..=10_000_000).contains(&input.transport_subsidy_fen) {
            errors.add("transport_subsidy_fen", "out_of_range", "交通补贴有误");
        }
        errors.into_result()?;
        let start = start.ok_or(Error::Forbidden)?;
        let mut tx = self.begin().await?;
        let id: i64 = on_tx!(&mut tx, |conn| {
            sqlx::query_scalar(
                "INSERT INTO work_records (jurisdiction_code, person_id, employer, position, \
                 start_on, monthly_income_fen, transport_subsidy_fen, issued_on, created_by, \
                 created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            )
            .bind(&scope.jurisdiction)
            .bind(input.person_id)
            .bind(input.employer.trim())
            .bind(input.position.trim())
            .bind(start.to_string())
            .bind(input.monthly_income_fen)
            .bind(input.transport_subsidy_fen)
            .bind(today.to_string())
            .bind(&actor.name)
            .bind(time::now())
            .fetch_one(&mut *conn)
            .await?
        });
        append(
            &mut tx,
            AuditEntry::new(
                &actor.name,
                "work_record.create",
                "work_record",
                &id.to_string(),
            )
            .in_jurisdiction(Some(&scope.jurisdiction))
            .with_details(json!({"person": input.person_id, "household": household,
                    "employer": input.employer.trim(), "start": start.to_string(),
                    "monthly_income_fen": input.monthly_income_fen,
                    "transport_subsidy_fen": input.transport_subsidy_fen})),
        )
        .await?;
        tx.commit().await?;
        self.work_record(actor, id).await
    }
}
