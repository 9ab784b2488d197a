//! The household's plan (一户一策, decision 0035): a versioned list of measures per monitoring
//! case, each with its kind, responsible unit, dates, amount (fen), the project of the project
//! library it is charged to, and its status. Saving writes a new version (the older ones stay);
//! a household with labour and no development measure (产业 or 就业) has a finding on its plan.
//! "Households with a measure charged to project P in year Y" is one query
//! ([`Store::households_with_measures_charged_to`]).

use crate::audit::append;
use crate::risk_cases::RiskCaseView;
use crate::stored::Cell;
use crate::{Error, Result, Store};
use chrono::NaiveDate;
use jixiao_core::assistance::monitoring::{MeasureKind, MeasureStatus};
use jixiao_core::audit::AuditEntry;
use jixiao_core::{Actor, Capability, time};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// A measure as the plan form sends it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MeasureInput {
    /// `industry`, `employment`, `public_welfare_post`, `health`, `education`, `housing`,
    /// `drinking_water`, `comprehensive`, `social` or `microcredit`.
    pub kind: String,
    /// What is done.
    pub description: String,
    /// 责任单位.
    pub responsible_unit: String,
    /// First day, `YYYY-MM-DD`.
    pub start_on: String,
    /// Last day, `YYYY-MM-DD`.
    pub end_on: String,
    /// Amount, fen.
    pub amount_fen: i64,
    /// The project of the project library it is charged to.
    pub project_id: Option<i64>,
    /// `planned`, `under_way` or `done`.
    pub status: String,
}

/// A plan as saved.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PlanInput {
    /// The plan's version as read (0 before the first); a stale one is refused.
    pub version: i32,
    /// A note on the plan.
    pub note: String,
    /// Every measure of the new version.
    pub measures: Vec<MeasureInput>,
}

/// A stored measure.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Measure {
    /// Id.
    pub id: i64,
    /// Kind's code.
    pub kind: String,
    /// What is done.
    pub description: String,
    /// 责任单位.
    pub responsible_unit: String,
    /// `YYYY-MM-DD`.
    pub start_on: String,
    /// `YYYY-MM-DD`.
    pub end_on: String,
    /// Fen.
    pub amount_fen: i64,
    /// The project it is charged to.
    pub project_id: Option<i64>,
    /// The project's name.
    pub project_name: Option<String>,
    /// Status code.
    pub status: String,
}

impl Measure {
    /// The kind's label.
    pub fn kind_label(&self) -> &'static str {
        MeasureKind::parse(&self.kind).map_or("", MeasureKind::label)
    }

    /// The status's label.
    pub fn status_label(&self) -> &'static str {
        MeasureStatus::parse(&self.status).map_or("", MeasureStatus::label)
    }

    /// The amount in 元.
    pub fn amount_yuan(&self) -> String {
        jixiao_core::money::format_yuan(self.amount_fen)
    }
}

/// A version of a case's plan.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RiskPlan {
    /// The case.
    pub case_id: i64,
    /// This version (0: no plan yet).
    pub version: i32,
    /// Every version saved.
    pub versions: Vec<i32>,
    /// The note.
    pub note: String,
    /// Who saved it.
    pub saved_by: String,
    /// When (microseconds since the epoch).
    pub saved_at: i64,
    /// Its measures.
    pub measures: Vec<Measure>,
    /// What is wrong with it (a household with labour and no development measure).
    pub findings: Vec<String>,
}

const MEASURE_SELECT: &str = "SELECT m.id, m.kind, m.description, m.responsible_unit, \
     m.start_on, m.end_on, m.amount_fen, m.project_id, p.name AS project_name, m.status \
     FROM risk_measures m LEFT JOIN projects p ON p.id = m.project_id \
     WHERE m.case_id = $1 AND m.plan_version = $2 ORDER BY m.position";

fn read_measure(m: Measure) -> Result<Measure> {
    let cell = |c| Cell::at("risk_measures", m.id, c);
    cell("kind").code(&m.kind, MeasureKind::parse)?;
    cell("status").code(&m.status, MeasureStatus::parse)?;
    cell("start_on").date(&m.start_on)?;
    cell("end_on").date(&m.end_on)?;
    Ok(m)
}

impl Store {
    /// A case's plan: `version`, or the current one.
    pub(crate) async fn risk_plan_of(
        &self,
        case: &RiskCaseView,
        version: Option<i32>,
    ) -> Result<RiskPlan> {
        let version = version.unwrap_or(case.plan_version);
        let versions: Vec<(i32, String, String, i64)> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(
                "SELECT version, note, saved_by, saved_at FROM risk_plans WHERE case_id = $1 \
                 ORDER BY version",
            )
            .bind(case.id)
            .fetch_all(pool)
            .await?
        });
        let mut plan = RiskPlan {
            case_id: case.id,
            version,
            versions: versions.iter().map(|v| v.0).collect(),
            ..RiskPlan::default()
        };
        if let Some((_, note, by, at)) = versions.into_iter().find(|v| v.0 == version) {
            plan.note = note;
            plan.saved_by = by;
            plan.saved_at = at;
        } else if version != 0 {
            return Err(Error::NotFound("帮扶计划版本不存在".to_owned()));
        }
        let rows: Vec<Measure> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(MEASURE_SELECT)
                .bind(case.id)
                .bind(version)
                .fetch_all(pool)
                .await?
        });
        plan.measures = rows
            .into_iter()
            .map(read_measure)
            .collect::<Result<Vec<_>>>()?;
        let state = case.state();
        let development = plan
            .measures
            .iter()
            .any(|m| MeasureKind::parse(&m.kind).is_some_and(MeasureKind::development));
        if !state.ended()
            && !development
            && self
                .household_has_labour(case.household_id, time::today())
                .await?
        {
            plan.findings
                .push("家庭有劳动能力，但帮扶计划中没有产业或就业类发展性帮扶措施".to_owned());
        }
        Ok(plan)
    }

    /// A case's plan within the actor's scope: `version`, or the current one.
    pub async fn risk_plan(
        &self,
        actor: &Actor,
        case_id: i64,
        version: Option<i32>,
    ) -> Result<RiskPlan> {
        let file = self.risk_case(actor, case_id, time::today()).await?;
        self.risk_plan_of(&file.case, version).await
    }

    /// Saves a new version of a case's plan with all its measures.
    pub async fn save_risk_plan(
        &self,
        actor: &Actor,
        case_id: i64,
        input: &PlanInput,
        today: NaiveDate,
    ) -> Result<RiskPlan> {
        actor.require(Capability::MonitorRisks)?;
        let file = self.risk_case(actor, case_id, today).await?;
        let case = file.case;
        if case.state().ended() {
            return Err(Error::Conflict {
                code: crate::ConflictCode::NotEditable,
                message: format!("案件当前为“{}”，不能修改帮扶计划", case.state_label()),
            });
        }
        if input.version != case.plan_version {
            return Err(Error::StaleVersion(
                "帮扶计划已被他人修改，请刷新后重试".to_owned(),
            ));
        }
        let (jurisdiction, _) = self.visible_household(actor, case.household_id).await?;
        let note = input.note.trim();
        let mut errors = jixiao_core::ValidationErrors::default();
        if note.chars().count() > 1000 {
            errors.add("note", "too_long", "计划说明不超过1000字");
        }
        if input.measures.is_empty() || input.measures.len() > 50 {
            errors.add("measures", "count", "请填写1至50项帮扶措施");
        }
        let mut rows = Vec::with_capacity(input.measures.len());
        for (i, m) in input.measures.iter().enumerate() {
            let at = |f: &str| format!("measures[{i}].{f}");
            let n = i + 1;
            let kind = MeasureKind::parse(m.kind.trim());
            if kind.is_none() {
                errors.add(&at("kind"), "unknown_kind", format!("第{n}项措施类别有误"));
            }
            let status = MeasureStatus::parse(m.status.trim());
            if status.is_none() {
                errors.add(
                    &at("status"),
                    "unknown_status",
                    format!("第{n}项措施状态有误"),
                );
            }
            let unit = m.responsible_unit.trim();
            if unit.is_empty() || unit.chars().count() > 100 {
                errors.add(
                    &at("responsible_unit"),
                    "required",
                    format!("第{n}项请填写责任单位"),
                );
            }
            if m.description.trim().chars().count() > 500 {
                errors.add(
                    &at("description"),
                    "too_long",
                    format!("第{n}项措施内容不超过500字"),
                );
            }
            let date = |t: &str| NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d").ok();
            let (start, end) = (date(&m.start_on), date(&m.end_on));
            match (start, end) {
                (Some(s), Some(e)) if e >= s => {}
                (Some(_), Some(_)) => errors.add(
                    &at("end_on"),
                    "invalid_date",
                    format!("第{n}项结束日期早于开始日期"),
                ),
                _ => errors.add(
                    &at("start_on"),
                    "invalid_date",
                    format!("第{n}项请填写起止日期（YYYY-MM-DD）"),
                ),
            }
            if !(0..=10_000_000_000).contains(&m.amount_fen) {
                errors.add(
                    &at("amount_fen"),
                    "out_of_range",
                    format!("第{n}项金额有误"),
                );
            }
            if let Some(project) = m.project_id {
                let found: Option<i64> = on_pool!(&self.pool, |pool| {
                    sqlx::query_scalar(
                        "SELECT id FROM projects WHERE id = $1 AND jurisdiction_code = $2",
                    )
                    .bind(project)
                    .bind(&jurisdiction)
                    .fetch_optional(pool)
                    .await?
                });
                if found.is_none() {
                    errors.add(
                        &at("project_id"),
                        "unknown_project",
                        format!("第{n}项列支项目不存在"),
                    );
                }
            }
            if let (Some(kind), Some(status), Some(start), Some(end)) = (kind, status, start, end) {
                rows.push((kind, status, start, end, m));
            }
        }
        errors.into_result()?;
        let version = case.plan_version + 1;
        let now = time::now();
        let mut tx = self.begin().await?;
        let changed = on_tx!(&mut tx, |conn| {
            sqlx::query(
                "UPDATE risk_cases SET plan_version = $1, updated_at = $2 WHERE id = $3 \
                 AND plan_version = $4",
            )
            .bind(version)
            .bind(now)
            .bind(case_id)
            .bind(case.plan_version)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        if changed != 1 {
            return Err(Error::StaleVersion(
                "帮扶计划已被他人修改，请刷新后重试".to_owned(),
            ));
        }
        on_tx!(&mut tx, |conn| {
            sqlx::query(
                "INSERT INTO risk_plans (case_id, version, note, saved_by, saved_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(case_id)
            .bind(version)
            .bind(note)
            .bind(&actor.name)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        });
        for (position, (kind, status, start, end, m)) in rows.iter().enumerate() {
            let position = i32::try_from(position).unwrap_or(i32::MAX);
            on_tx!(&mut tx, |conn| {
                sqlx::query(
                    "INSERT INTO risk_measures (case_id, plan_version, position, kind, \
                     description, responsible_unit, start_on, end_on, amount_fen, project_id, \
                     status) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                )
                .bind(case_id)
                .bind(version)
                .bind(position)
                .bind(kind.as_str())
                .bind(m.description.trim())
                .bind(m.responsible_unit.trim())
                .bind(start.to_string())
                .bind(end.to_string())
                .bind(m.amount_fen)
                .bind(m.project_id)
                .bind(status.as_str())
                .execute(&mut *conn)
                .await?;
            });
        }
        let kinds: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
        append(
            &mut tx,
            AuditEntry::new(
                &actor.name,
                "risk_plan.save",
                "risk_plan",
                &case_id.to_string(),
            )
            .in_jurisdiction(Some(&jurisdiction))
            .with_details(json!({"version": version, "household": case.household_id,
                    "measures": kinds,
                    "done": rows.iter().filter(|r| r.1 == MeasureStatus::Done).count()})),
        )
        .await?;
        tx.commit().await?;
        self.risk_plan(actor, case_id, None).await
    }

    /// The households with a measure of their case's current plan charged to `project` and
    /// running in `year` (issue 19 item 6 binds indicators to this). No actor: the caller has
    /// checked that its actor may read the project.
    pub async fn households_with_measures_charged_to(
        &self,
        project: i64,
        year: i32,
    ) -> Result<Vec<i64>> {
        let rows: Vec<i64> = on_pool!(&self.pool, |pool| {
            sqlx::query_scalar(
                "SELECT DISTINCT k.household_id FROM risk_measures m \
                 JOIN risk_cases k ON k.id = m.case_id AND k.plan_version = m.plan_version \
                 WHERE m.project_id = $1 AND m.start_on <= $2 AND m.end_on >= $3 \
                 ORDER BY k.household_id",
            )
            .bind(project)
            .bind(format!("{year:04}-12-31"))
            .bind(format!("{year:04}-01-01"))
            .fetch_all(pool)
            .await?
        });
        Ok(rows)
    }

    /// The projects of the actor's jurisdiction a measure may be charged to: (id, year, name),
    /// newest year first.
    pub async fn chargeable_projects(&self, actor: &Actor) -> Result<Vec<(i64, i32, String)>> {
        actor.require(Capability::MonitorRisks)?;
        let jurisdiction = actor.jurisdiction.clone().ok_or(Error::Forbidden)?;
        let rows: Vec<(i64, i32, String)> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(
                "SELECT id, year, name FROM projects WHERE jurisdiction_code = $1 \
                 ORDER BY year DESC, name LIMIT 500",
            )
            .bind(&jurisdiction)
            .fetch_all(pool)
            .await?
        });
        Ok(rows)
    }
}
