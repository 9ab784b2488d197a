//! 洁净庭院 (issue 19 item 5, decision 0045): inspection rounds over a township or village, a
//! score (of 100) per household's courtyard per round, the help volunteers gave a household
//! without labour, and the households whose courtyard passes (the rulebook's pass score). Kept
//! by the county office in its jurisdiction, townships and villages in their area; every change
//! is audited. A village sees the rounds over its township too (and scores its own households).
//! "Courtyards passing in year Y" is [`Store::courtyards_passing`].

use crate::audit::append;
use crate::posts::{ProgrammeScope, programme_rules};
use crate::{Error, Result, Store};
use chrono::{Datelike, NaiveDate};
use jixiao_core::audit::AuditEntry;
use jixiao_core::{Actor, ValidationErrors, time};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// A round as the form sends it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CourtyardRoundInput {
    /// Name (e.g. 2020年第二季度洁净庭院评比).
    pub name: String,
    /// The township or village inspected.
    pub area_code: String,
    /// The day of the inspection, `YYYY-MM-DD`.
    pub held_on: String,
}

/// An inspection round with its counts.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct CourtyardRound {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Township or village code.
    pub area_code: String,
    /// Its name.
    pub area_name: String,
    /// The day.
    pub held_on: String,
    /// Courtyards scored.
    pub scored: i64,
    /// Courtyards passing (at least the rulebook's score).
    pub passing: i64,
}

/// A score as the form sends it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CourtyardScoreInput {
    /// The household.
    pub household_id: i64,
    /// The score, 0–100.
    pub score: i32,
    /// Help given (volunteers cleaning for a household without labour); empty: none.
    pub help: String,
    /// A note.
    pub note: String,
}

/// A household's courtyard in a round.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct CourtyardScore {
    /// The household.
    pub household_id: i64,
    /// 户编号.
    pub household_number: String,
    /// 户主.
    pub head_name: String,
    /// The village.
    pub village_name: String,
    /// The score.
    pub score: i32,
    /// Help given.
    pub help: String,
    /// A note.
    pub note: String,
    /// Whether it passes.
    #[sqlx(skip)]
    pub passes: bool,
}

/// A round with its scores.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CourtyardRoundFile {
    /// The round.
    pub round: CourtyardRound,
    /// The pass score of the rulebook.
    pub pass_score: i64,
    /// Every courtyard scored, the passing (compliant) ones first.
    pub scores: Vec<CourtyardScore>,
}

const ROUND_SELECT: &str = "SELECT r.id, r.name, r.area_code, ar.name AS area_name, r.held_on, \
     (SELECT COUNT(*) FROM courtyard_scores s WHERE s.round_id = r.id) AS scored, \
     (SELECT COUNT(*) FROM courtyard_scores s WHERE s.round_id = r.id AND s.score >= $3) \
     AS passing \
     FROM courtyard_rounds r JOIN areas ar ON ar.code = r.area_code \
     WHERE r.jurisdiction_code = $1 \
     AND (ar.path LIKE $2 OR $2 LIKE ar.path || '%')";

impl Store {
    async fn round_in(&self, scope: &ProgrammeScope, id: i64) -> Result<CourtyardRound> {
        let pass = programme_rules()?.courtyard_pass_score;
        let round: Option<CourtyardRound> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{ROUND_SELECT} AND r.id = $4")))
                .bind(&scope.jurisdiction)
                .bind(&scope.path)
                .bind(pass)
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        round.ok_or_else(|| Error::NotFound("检查轮次不存在".to_owned()))
    }

    /// The inspection rounds in the actor's area, latest first.
    pub async fn courtyard_rounds(&self, actor: &Actor) -> Result<Vec<CourtyardRound>> {
        let scope = self.programme_scope(actor).await?;
        let pass = programme_rules()?.courtyard_pass_score;
        let rows: Vec<CourtyardRound> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{ROUND_SELECT} ORDER BY r.held_on DESC, r.id DESC LIMIT 500"
            )))
            .bind(&scope.jurisdiction)
            .bind(&scope.path)
            .bind(pass)
            .fetch_all(pool)
            .await?
        });
        Ok(rows)
    }

    /// A round with its scores, the passing courtyards first.
    pub async fn courtyard_round(&self, actor: &Actor, id: i64) -> Result<CourtyardRoundFile> {
        let scope = self.programme_scope(actor).await?;
        let round = self.round_in(&scope, id).await?;
        let rules = programme_rules()?;
        let mut scores: Vec<CourtyardScore> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(
                "SELECT s.household_id, h.number AS household_number, \
                 COALESCE(hp.name, '') AS head_name, ar.name AS village_name, s.score, s.help, \
                 s.note FROM courtyard_scores s JOIN households h ON h.id = s.household_id \
                 JOIN areas ar ON ar.code = h.village_code \
                 LEFT JOIN people hp ON hp.household_id = h.id AND hp.left_on IS NULL \
                 AND hp.relation = 'householder' WHERE s.round_id = $1 \
                 ORDER BY s.score DESC, h.number",
            )
            .bind(id)
            .fetch_all(pool)
            .await?
        });
        for s in &mut scores {
            s.passes = rules.courtyard_passes(i64::from(s.score));
        }
        Ok(CourtyardRoundFile {
            round,
            pass_score: rules.courtyard_pass_score,
            scores,
        })
    }

    /// Records an inspection round over a township or village of the actor's area.
    pub async fn add_courtyard_round(
        &self,
        actor: &Actor,
        input: &CourtyardRoundInput,
    ) -> Result<CourtyardRoundFile> {
        let scope = self.programme_scope(actor).await?;
        let mut errors = ValidationErrors::default();
        errors.text("name", "轮次名称", &input.name, 100);
        let area = self.programme_area(&scope, &input.area_code).await?;
        if area.is_none() {
            errors.add(
                "area_code",
                "unknown_area",
                "乡镇或行政村不存在或不在本辖区",
            );
        }
        let held = NaiveDate::parse_from_str(input.held_on.trim(), "%Y-%m-%d").ok();
        if held.is_none() {
            errors.add("held_on", "invalid_date", "请填写检查日期（YYYY-MM-DD）");
        }
        errors.into_result()?;
        let (Some(area), Some(held)) = (area, held) else {
            return Err(Error::Forbidden);
        };
        let mut tx = self.begin().await?;
        let id: i64 = on_tx!(&mut tx, |conn| {
            sqlx::query_scalar(
                "INSERT INTO courtyard_rounds (jurisdiction_code, area_code, name, held_on, \
                 year, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(&scope.jurisdiction)
            .bind(&area.code)
            .bind(input.name.trim())
            .bind(held.to_string())
            .bind(held.year())
            .bind(&actor.name)
            .bind(time::now())
            .fetch_one(&mut *conn)
            .await?
        });
        append(
            &mut tx,
            AuditEntry::new(
                &actor.name,
                "courtyard_round.create",
                "courtyard_round",
                &id.to_string(),
            )
            .in_jurisdiction(Some(&scope.jurisdiction))
            .with_details(json!({"name": input.name.trim(), "area": area.code,
                "held_on": held.to_string()})),
        )
        .await?;
        tx.commit().await?;
        self.courtyard_round(actor, id).await
    }

    /// Scores a household's courtyard in a round (a second score corrects the first): the
    /// household must be one the actor sees, in the round's area.
    pub async fn score_courtyard(
        &self,
        actor: &Actor,
        round_id: i64,
        input: &CourtyardScoreInput,
    ) -> Result<CourtyardRoundFile> {
        let scope = self.programme_scope(actor).await?;
        let round = self.round_in(&scope, round_id).await?;
        let in_round: Option<i64> = on_pool!(&self.pool, |pool| {
            sqlx::query_scalar(
                "SELECT h.id FROM households h JOIN areas ar ON ar.code = h.village_code \
                 WHERE h.id = $1 AND ar.path LIKE $2",
            )
            .bind(input.household_id)
            .bind(format!("%/{}/%", round.area_code))
            .fetch_optional(pool)
            .await?
        });
        let visible = match self.visible_household(actor, input.household_id).await {
            Ok(_) => true,
            Err(Error::NotFound(_)) => false,
            Err(e) => return Err(e),
        };
        let mut errors = ValidationErrors::default();
        if in_round.is_none() || !visible {
            errors.add(
                "household_id",
                "unknown_household",
                "该户不在本轮检查范围内",
            );
        }
        if !(0..=100).contains(&input.score) {
            errors.add("score", "out_of_range", "得分应在0至100之间");
        }
        errors.optional_text("help", "帮扶情况", &input.help, 200);
        errors.optional_text("note", "备注", &input.note, 500);
        errors.into_result()?;
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |conn| {
            sqlx::query(
                "INSERT INTO courtyard_scores (round_id, household_id, score, help, note, \
                 scored_by, scored_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (round_id, household_id) DO UPDATE SET score = excluded.score, \
                 help = excluded.help, note = excluded.note, scored_by = excluded.scored_by, \
                 scored_at = excluded.scored_at",
            )
            .bind(round_id)
            .bind(input.household_id)
            .bind(input.score)
            .bind(input.help.trim())
            .bind(input.note.trim())
            .bind(&actor.name)
            .bind(time::now())
            .execute(&mut *conn)
            .await?;
        });
        append(
            &mut tx,
            AuditEntry::new(
                &actor.name,
                "courtyard.score",
                "courtyard_round",
                &round_id.to_string(),
            )
            .in_jurisdiction(Some(&scope.jurisdiction))
            .with_details(
                json!({"household": input.household_id, "score": input.score,
                "helped": !input.help.trim().is_empty()}),
            ),
        )
        .await?;
        tx.commit().await?;
        self.courtyard_round(actor, round_id).await
    }

    /// The households of a jurisdiction whose courtyard passes in `year`: the score of the
    /// latest round of the year that scored them is at least the rulebook's (for indicators
    /// bound to records; no actor: the caller has checked its actor may read the project).
    pub async fn courtyards_passing(&self, jurisdiction: &str, year: i32) -> Result<Vec<i64>> {
        let pass = programme_rules()?.courtyard_pass_score;
        let rows: Vec<i64> = on_pool!(&self.pool, |pool| {
            sqlx::query_scalar(
                "SELECT s.household_id FROM courtyard_scores s \
                 JOIN courtyard_rounds r ON r.id = s.round_id \
                 WHERE r.jurisdiction_code = $1 AND r.year = $2 AND s.score >= $3 \
                 AND NOT EXISTS (SELECT 1 FROM courtyard_scores s2 \
                     JOIN courtyard_rounds r2 ON r2.id = s2.round_id \
                     WHERE s2.household_id = s.household_id AND r2.jurisdiction_code = $1 \
                     AND r2.year = $2 AND (r2.held_on > r.held_on \
                     OR (r2.held_on = r.held_on AND r2.id > r.id))) \
                 ORDER BY s.household_id",
            )
            .bind(jurisdiction)
            .bind(year)
            .bind(pass)
            .fetch_all(pool)
            .await?
        });
        Ok(rows)
    }
}
