//! Monitoring cases (监测帮扶案件, decision 0035) on the workflow kernel: a case is opened from a
//! live clue, walks 入户核实 → 信息比对 → 村民主评议并公示 (the notice at least the rulebook's days)
//! → 乡镇审核 (after the notice) → 县审定 → 公告 (纳入), and later the same steps to eliminate the
//! risk, whose conditions (months monitored, a measure carried out, income above the line) core
//! checks at the proposal and at the county's decision. Every step is a row of
//! `risk_case_steps` (who, role, when, note, documents) and an audit record; nothing is deleted.
//! The work list marks the cases whose measures are late.

use crate::audit::append;
use crate::screenings::monitoring_rules;
use crate::stored::Cell;
use crate::tx::Tx;
use crate::workflow;
use crate::{Clue, Error, Result, Store};
use chrono::NaiveDate;
use jixiao_core::assistance::monitoring::{
    self as rules, EliminationMethod, MonitoringRules, RiskKind,
};
use jixiao_core::assistance::record::PersonRecord;
use jixiao_core::assistance::registry::{MonitoringCategory, age_on};
use jixiao_core::audit::AuditEntry;
use jixiao_core::workflow::{RiskCase as Doc, RiskCaseAction as Action, RiskCaseState as State};
use jixiao_core::{Actor, Capability, time};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::QueryBuilder;

/// A case as lists and its page show it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct RiskCaseView {
    /// Id.
    pub id: i64,
    /// The household.
    pub household_id: i64,
    /// 户编号.
    pub household_number: String,
    /// 户主姓名.
    pub head_name: String,
    /// The village's code.
    pub village_code: String,
    /// The village.
    pub village_name: String,
    /// Live members.
    pub members: i64,
    /// The clue it was opened from.
    pub clue_id: i64,
    /// `unstable` (脱贫不稳定户), `marginal` (边缘易致贫户) or `sudden_hardship` (突发严重困难户).
    pub case_type: String,
    /// Risk kinds (codes of [`RiskKind`]), JSON text as stored; see [`RiskCaseView::risk_codes`].
    #[serde(skip)]
    pub risks: String,
    /// The state's code.
    pub state: String,
    /// `YYYY-MM-DD`.
    pub opened_on: String,
    /// Who opened it.
    pub opened_by: String,
    /// The public notice's first day.
    pub notice_from: Option<String>,
    /// Its last day.
    pub notice_to: Option<String>,
    /// The day it was included (纳入监测).
    pub included_on: Option<String>,
    /// The day the risk was eliminated.
    pub eliminated_on: Option<String>,
    /// `assisted` (帮扶消除) or `natural` (自然消除).
    pub elimination_method: Option<String>,
    /// Still tracked after elimination (no labour in the household).
    pub tracked: bool,
    /// The plan's current version (0: no plan yet).
    pub plan_version: i32,
    /// Measures of the current plan carried out.
    pub measures_done: i64,
    /// Measures of the current plan.
    pub measures: i64,
    /// The clue's first day, `YYYY-MM-DD`.
    pub clue_raised_on: String,
    /// Optimistic-lock version.
    pub version: i32,
}

impl RiskCaseView {
    fn read(self) -> Result<RiskCaseView> {
        let cell = |c| Cell::at("risk_cases", self.id, c);
        workflow::parse_state::<Doc>(&self.state, self.id)?;
        cell("case_type").code(&self.case_type, MonitoringCategory::parse)?;
        cell("opened_on").date(&self.opened_on)?;
        self.risk_kinds()?;
        Ok(self)
    }

    /// The risk kinds.
    pub fn risk_kinds(&self) -> Result<Vec<RiskKind>> {
        let codes: Vec<String> = Cell::at("risk_cases", self.id, "risks").json(&self.risks)?;
        codes
            .iter()
            .map(|c| Cell::at("risk_cases", self.id, "risks").code(c, RiskKind::parse))
            .collect()
    }

    /// The risk kinds' codes.
    pub fn risk_codes(&self) -> Vec<String> {
        self.risk_kinds()
            .unwrap_or_default()
            .iter()
            .map(|k| k.as_str().to_owned())
            .collect()
    }

    /// The risk kinds' labels, joined.
    pub fn risk_labels(&self) -> String {
        let labels: Vec<&str> = self
            .risk_kinds()
            .unwrap_or_default()
            .iter()
            .map(|k| k.label())
            .collect();
        labels.join("、")
    }

    /// The state.
    pub fn state(&self) -> State {
        // The fallback is never taken: every view is checked by `read` when loaded.
        State::parse(&self.state).unwrap_or(State::Verifying)
    }

    /// The state's label.
    pub fn state_label(&self) -> &'static str {
        self.state().label()
    }

    /// The type's label.
    pub fn type_label(&self) -> &'static str {
        MonitoringCategory::parse(&self.case_type).map_or("", MonitoringCategory::label)
    }

    /// The elimination method's label.
    pub fn method_label(&self) -> &'static str {
        self.elimination_method
            .as_deref()
            .and_then(EliminationMethod::parse)
            .map_or("", EliminationMethod::label)
    }

    /// Why the case is late on `today`, if it is: measures are due within the rulebook's days
    /// of the clue.
    pub fn overdue(&self, rules: &MonitoringRules, today: NaiveDate) -> Option<String> {
        let state = self.state();
        if state.ended() || state.eliminating() || self.measures > 0 {
            return None;
        }
        let raised = NaiveDate::parse_from_str(&self.clue_raised_on, "%Y-%m-%d").ok()?;
        let due = rules::measures_due(rules, raised);
        (today > due).then(|| {
            format!(
                "线索{}发现，超过{}天（{}）仍未落实帮扶措施",
                self.clue_raised_on, rules.clue_to_measures_days, due
            )
        })
    }
}

/// One step a case took.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct RiskCaseStep {
    /// The action's code.
    pub action: String,
    /// The state before (none for the opening).
    pub from_state: Option<String>,
    /// The state after.
    pub to_state: String,
    /// Who.
    pub actor: String,
    /// In which role.
    pub role: String,
    /// `YYYY-MM-DD`.
    pub day: String,
    /// When (microseconds since the epoch).
    pub at: i64,
    /// The note.
    pub note: String,
    /// The documents (names, numbers, where kept).
    pub documents: String,
}

impl RiskCaseStep {
    /// The action's label.
    pub fn action_label(&self) -> &'static str {
        Action::parse(&self.action).map_or("", Action::label)
    }

    /// The resulting state's label.
    pub fn state_label(&self) -> &'static str {
        State::parse(&self.to_state).map_or("", State::label)
    }
}

/// A case with its clue, its steps and its plan.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RiskCaseFile {
    /// The case.
    pub case: RiskCaseView,
    /// Risk kinds' codes.
    pub risks: Vec<String>,
    /// The clue.
    pub clue: Clue,
    /// Every step, oldest first.
    pub steps: Vec<RiskCaseStep>,
    /// The current plan.
    pub plan: crate::RiskPlan,
    /// Why the case is late, if it is.
    pub overdue: Option<String>,
}

/// Opening a case from a clue.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RiskCaseInput {
    /// The clue.
    pub clue_id: i64,
    /// `unstable`, `marginal` or `sudden_hardship`.
    pub case_type: String,
    /// One to five risk kinds (`illness`, `disability`, `schooling`, `disaster`, `accident`,
    /// `lack_of_labour`, `unstable_work`, `failed_industry`, `housing`, `drinking_water`,
    /// `other`).
    pub risks: Vec<String>,
    /// A note.
    pub note: String,
}

/// A step of a case.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RiskStepInput {
    /// `verify`, `compare`, `publicise`, `township_approve`, `county_approve`, `announce`,
    /// `reject` or `propose_elimination`.
    pub action: String,
    /// The case's version as read.
    pub version: i32,
    /// What was found or decided (required for `reject`).
    pub note: String,
    /// The documents of the step (names, numbers, where kept).
    pub documents: String,
    /// For `publicise`: the notice's first day, `YYYY-MM-DD`.
    pub notice_from: Option<String>,
    /// For `publicise`: its last day.
    pub notice_to: Option<String>,
    /// For `propose_elimination`: `assisted` or `natural`.
    pub elimination_method: Option<String>,
}

const CASE_SELECT: &str = "SELECT k.id, k.household_id, h.number AS household_number, \
     COALESCE(hp.name, '') AS head_name, h.village_code, ar.name AS village_name, \
     (SELECT COUNT(*) FROM people m WHERE m.household_id = h.id AND m.left_on IS NULL) AS members, \
     k.clue_id, k.case_type, k.risks, k.state, k.opened_on, k.opened_by, k.notice_from, \
     k.notice_to, k.included_on, k.eliminated_on, k.elimination_method, k.tracked, \
     k.plan_version, \
     (SELECT COUNT(*) FROM risk_measures x WHERE x.case_id = k.id \
      AND x.plan_version = k.plan_version AND x.status = 'done') AS measures_done, \
     (SELECT COUNT(*) FROM risk_measures x WHERE x.case_id = k.id \
      AND x.plan_version = k.plan_version) AS measures, \
     c.raised_on AS clue_raised_on, k.version \
     FROM risk_cases k JOIN households h ON h.id = k.household_id \
     JOIN areas ar ON ar.code = h.village_code JOIN clues c ON c.id = k.clue_id \
     LEFT JOIN people hp ON hp.household_id = h.id AND hp.left_on IS NULL \
     AND hp.relation = 'householder' WHERE 1 = 1";

pub(crate) fn text_field(field: &str, text: &str, limit: usize, label: &str) -> Result<String> {
    let text = text.trim();
    if text.chars().count() > limit || text.chars().any(|c| c.is_control() && c != '\n') {
        return Err(Error::invalid(
            field,
            "too_long",
            format!("{label}不超过{limit}字"),
        ));
    }
    Ok(text.to_owned())
}

pub(crate) fn day_field(field: &str, text: Option<&str>, label: &str) -> Result<NaiveDate> {
    text.and_then(|t| NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d").ok())
        .ok_or_else(|| {
            Error::invalid(
                field,
                "invalid_date",
                format!("请填写{label}（YYYY-MM-DD）"),
            )
        })
}

/// Writes one step row.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn record_step(
    tx: &mut Tx,
    case: i64,
    action: Action,
    from: Option<State>,
    to: State,
    actor: &Actor,
    today: NaiveDate,
    note: &str,
    documents: &str,
) -> Result<()> {
    on_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO risk_case_steps (case_id, action, from_state, to_state, actor, role, \
             day, at, note, documents) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(case)
        .bind(action.as_str())
        .bind(from.map(State::as_str))
        .bind(to.as_str())
        .bind(&actor.name)
        .bind(actor.role.as_str())
        .bind(today.to_string())
        .bind(time::now())
        .bind(note)
        .bind(documents)
        .execute(&mut *conn)
        .await?;
    });
    Ok(())
}

impl Store {
    /// Opens a monitoring case from a live clue of a household without one under way.
    pub async fn open_risk_case(
        &self,
        actor: &Actor,
        input: &RiskCaseInput,
        today: NaiveDate,
    ) -> Result<RiskCaseFile> {
        actor.require(Capability::MonitorRisks)?;
        let state = workflow::create::<Doc>(Action::Open, actor)?;
        let clue = self.clue(actor, input.clue_id, today).await?;
        if clue.status != "open" {
            return Err(Error::Conflict {
                code: crate::ConflictCode::NotEditable,
                message: format!("线索当前为“{}”，不能立案", clue.status_label()),
            });
        }
        let case_type = MonitoringCategory::parse(input.case_type.trim()).ok_or_else(|| {
            Error::invalid(
                "case_type",
                "unknown_type",
                "监测对象类别应为脱贫不稳定户、边缘易致贫户或突发严重困难户",
            )
        })?;
        let mut risks: Vec<RiskKind> = Vec::new();
        for code in &input.risks {
            let kind = RiskKind::parse(code.trim()).ok_or_else(|| {
                Error::invalid("risks", "unknown_risk", format!("风险类别“{code}”无法识别"))
            })?;
            if !risks.contains(&kind) {
                risks.push(kind);
            }
        }
        if risks.is_empty() || risks.len() > 5 {
            return Err(Error::invalid(
                "risks",
                "risk_count",
                "请选择1至5项致贫返贫风险类别",
            ));
        }
        let note = text_field("note", &input.note, 1000, "说明")?;
        let (jurisdiction, _) = self.visible_household(actor, clue.household_id).await?;
        let codes: Vec<&str> = risks.iter().map(|r| r.as_str()).collect();
        let risks_text =
            serde_json::to_string(&codes).map_err(|e| Error::Internal(e.to_string()))?;
        let now = time::now();
        let mut tx = self.begin().await?;
        let under_way: Option<i64> = on_tx!(&mut tx, |conn| {
            sqlx::query_scalar(
                "SELECT id FROM risk_cases WHERE household_id = $1 \
                 AND state NOT IN ('not_included', 'eliminated')",
            )
            .bind(clue.household_id)
            .fetch_optional(&mut *conn)
            .await?
        });
        if under_way.is_some() {
            return Err(Error::Duplicate("该户已有在办的监测帮扶案件".to_owned()));
        }
        let id: i64 = on_tx!(&mut tx, |conn| {
            sqlx::query_scalar(
                "INSERT INTO risk_cases (jurisdiction_code, household_id, clue_id, case_type, \
                 risks, state, opened_on, opened_by, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
            )
            .bind(&jurisdiction)
            .bind(clue.household_id)
            .bind(clue.id)
            .bind(case_type.as_str())
            .bind(&risks_text)
            .bind(state.as_str())
            .bind(today.to_string())
            .bind(&actor.name)
            .bind(now)
            .fetch_one(&mut *conn)
            .await?
        });
        let changed = on_tx!(&mut tx, |conn| {
            sqlx::query(
                "UPDATE clues SET status = 'in_case', version = version + 1, updated_at = $1 \
                 WHERE id = $2 AND status = 'open'",
            )
            .bind(now)
            .bind(clue.id)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        if changed != 1 {
            return Err(Error::StaleVersion("线索已被他人处理，请刷新".to_owned()));
        }
        record_step(
            &mut tx,
            id,
            Action::Open,
            None,
            state,
            actor,
            today,
            &note,
            "",
        )
        .await?;
        append(
            &mut tx,
            AuditEntry::new(&actor.name, "risk_case.open", "risk_case", &id.to_string())
                .in_jurisdiction(Some(&jurisdiction))
                .with_details(json!({"clue": clue.id, "household": clue.household_id,
                "case_type": case_type.as_str(), "risks": codes})),
        )
        .await?;
        tx.commit().await?;
        self.risk_case(actor, id, today).await
    }

    pub(crate) async fn risk_case_view(&self, actor: &Actor, id: i64) -> Result<RiskCaseView> {
        self.risk_case_views(actor, Some(id), None)
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| Error::NotFound("监测帮扶案件不存在".to_owned()))
    }

    async fn risk_case_views(
        &self,
        actor: &Actor,
        id: Option<i64>,
        state: Option<&str>,
    ) -> Result<Vec<RiskCaseView>> {
        let scope = self.household_scope(actor).await?;
        let rows: Vec<RiskCaseView> = on_pool!(&self.pool, |pool| {
            let mut query = QueryBuilder::new(CASE_SELECT);
            scope.push(&mut query);
            if let Some(id) = id {
                query.push(" AND k.id = ").push_bind(id);
            }
            if let Some(state) = state {
                query.push(" AND k.state = ").push_bind(state.to_owned());
            }
            query.push(" ORDER BY k.id DESC LIMIT 5000");
            query.build_query_as().fetch_all(pool).await?
        });
        rows.into_iter().map(RiskCaseView::read).collect()
    }

    /// A case with its clue, steps and current plan, within the actor's scope.
    pub async fn risk_case(
        &self,
        actor: &Actor,
        id: i64,
        today: NaiveDate,
    ) -> Result<RiskCaseFile> {
        let case = self.risk_case_view(actor, id).await?;
        let clue = self.clue(actor, case.clue_id, today).await?;
        let steps: Vec<RiskCaseStep> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(
                "SELECT action, from_state, to_state, actor, role, day, at, note, documents \
                 FROM risk_case_steps WHERE case_id = $1 ORDER BY id",
            )
            .bind(id)
            .fetch_all(pool)
            .await?
        });
        let plan = self.risk_plan_of(&case, None).await?;
        let rules = monitoring_rules()?;
        Ok(RiskCaseFile {
            risks: case.risk_codes(),
            overdue: case.overdue(&rules, today),
            case,
            clue,
            steps,
            plan,
        })
    }

    /// The work list: the cases within the actor's scope (optionally in one state), each with
    /// why it is late, if it is.
    pub async fn risk_cases(
        &self,
        actor: &Actor,
        state: Option<&str>,
        today: NaiveDate,
    ) -> Result<Vec<(RiskCaseView, Option<String>)>> {
        let state = state.map(str::trim).filter(|s| !s.is_empty());
        if let Some(s) = state
            && State::parse(s).is_none()
        {
            return Err(Error::invalid("state", "unknown_state", "案件状态有误"));
        }
        let rules = monitoring_rules()?;
        Ok(self
            .risk_case_views(actor, None, state)
            .await?
            .into_iter()
            .map(|c| {
                let overdue = c.overdue(&rules, today);
                (c, overdue)
            })
            .collect())
    }

    /// Whether any live member of the household counts as labour on `today`.
    pub(crate) async fn household_has_labour(
        &self,
        household: i64,
        today: NaiveDate,
    ) -> Result<bool> {
        let rows: Vec<(i64, String, String)> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(
                "SELECT id, birth_date, facts FROM people WHERE household_id = $1 \
                 AND left_on IS NULL",
            )
            .bind(household)
            .fetch_all(pool)
            .await?
        });
        for (id, birth, facts) in rows {
            let birth = Cell::at("people", id, "birth_date").date(&birth)?;
            let record: PersonRecord = Cell::at("people", id, "facts").json(&facts)?;
            if rules::has_labour(record.labour, age_on(birth, today)) {
                return Ok(true);
            }
        }
        Ok(false)
    }
}
