//! Year-end self-evaluation (单位自评) as stored: one sheet per approved project, its items scored
//! by the project's rulebook, the budget block taken from the ledger; the agency saves and submits,
//! finance approves or returns. Imported tables keep their published scores beside ours.

use crate::projects::Project;
use crate::self_evaluation_writes::{SheetWrite, write_sheet};
use crate::stored::Cell;
use crate::workflow::{self, Trail, Value, advance};
use crate::{Error, Result, Store};
use jixiao_core::rulebook::Rulebook;
use jixiao_core::scoring::{
    BudgetBlock, ExecutionScore, Finding, ItemInput, SheetScore, execution_rate_bp, format_score,
    score, table_points,
};
use jixiao_core::target::{Operator, RowError, format_points};
use jixiao_core::workflow::{SelfEvaluation as Sheet, SelfEvaluationAction, SelfEvaluationState};
use jixiao_core::{Actor, time};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// One scored item of a stored sheet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct EvaluationItem {
    /// Row from 1.
    pub row_no: i32,
    /// 一级指标.
    pub level1: String,
    /// 二级指标.
    pub level2: String,
    /// 三级指标.
    pub name: String,
    /// Operator code.
    pub op: String,
    /// 年度指标值.
    pub target: String,
    /// Unit.
    pub unit: String,
    /// 分值 in hundredths.
    pub points_x100: i64,
    /// 实际完成值.
    pub actual: String,
    /// Qualitative band.
    pub band: String,
    /// Share within the band, percent.
    pub band_percent: String,
    /// Does not apply this year.
    pub not_applicable: bool,
    /// Points after rescaling.
    pub effective_points_x100: i64,
    /// The rule's score.
    pub computed_x100: Option<i64>,
    /// Set by hand.
    pub manual_x100: Option<i64>,
    /// Why.
    pub manual_reason: String,
    /// What counts.
    pub final_x100: i64,
    /// The score an imported table gave.
    pub published_x100: Option<i64>,
    /// Target not reached in full.
    pub missed: bool,
    /// 偏差原因分析.
    pub deviation_reason: String,
    /// 改进措施.
    pub improvement: String,
    /// For an indicator fed from records: the value the records gave when the sheet was saved.
    pub record_value: Option<i64>,
    /// Why the value entered differs from the records' (bound indicators only).
    pub override_reason: String,
}

impl EvaluationItem {
    /// The operator. Every item leaves the store checked (an unknown code fails the read of its
    /// sheet), so the fallback is never taken.
    pub fn operator(&self) -> Operator {
        // Checked when read (`Cell::code`): the fallback is never taken.
        Operator::parse(&self.op).unwrap_or(Operator::Qualitative)
    }

    /// The item as scoring input.
    pub fn to_input(&self) -> ItemInput {
        ItemInput {
            level1: self.level1.clone(),
            level2: self.level2.clone(),
            name: self.name.clone(),
            op: self.op.clone(),
            target: self.target.clone(),
            unit: self.unit.clone(),
            points: format_points(self.points_x100),
            actual: self.actual.clone(),
            band: self.band.clone(),
            band_percent: self.band_percent.clone(),
            not_applicable: self.not_applicable,
            manual_score: self.manual_x100.map(format_score).unwrap_or_default(),
            manual_reason: self.manual_reason.clone(),
            deviation_reason: self.deviation_reason.clone(),
            improvement: self.improvement.clone(),
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct Head {
    id: i64,
    rulebook_id: i64,
    state: String,
    source: String,
    initial_fen: i64,
    full_year_fen: i64,
    executed_fen: i64,
    execution_points_x100: i64,
    execution_score_x100: i64,
    total_x100: i64,
    grade: String,
    published_total_x100: Option<i64>,
    findings: String,
    summary: String,
    comment: String,
    version: i32,
    updated_by: String,
    updated_at: i64,
    submitted_by: Option<String>,
    submitted_at: Option<i64>,
}

/// A project's self-evaluation sheet (or, before the first save, the blank sheet to fill).
#[derive(Debug, Clone, Serialize)]
pub struct SelfEvaluation {
    /// Id; `None` before the first save.
    pub id: Option<i64>,
    /// The project.
    pub project: Project,
    /// The rulebook version scoring it.
    pub rulebook_id: i64,
    /// `not_started`, `draft`, `submitted`, `returned`, `approved`.
    pub state: String,
    /// `form` or `import`.
    pub source: String,
    /// The budget block.
    pub budget: BudgetBlock,
    /// The execution item; `None` before the first save.
    pub execution: Option<ExecutionScore>,
    /// Items.
    pub items: Vec<EvaluationItem>,
    /// The values computed from the records at the year's end, for the bound indicators.
    pub computed: Vec<crate::ComputedValue>,
    /// Total; `None` before the first save.
    pub total_x100: Option<i64>,
    /// Grade; `None` before the first save.
    pub grade: Option<String>,
    /// The total an imported table gave.
    pub published_total_x100: Option<i64>,
    /// Consistency findings.
    pub findings: Vec<Finding>,
    /// 总体目标完成情况 (the agency's summary).
    pub summary: String,
    /// Finance's comment when returned.
    pub comment: String,
    /// Optimistic-lock version (0 before the first save).
    pub version: i32,
    /// Last saved by.
    pub updated_by: Option<String>,
    /// Last saved at.
    pub updated_at: Option<i64>,
    /// Submitted by.
    pub submitted_by: Option<String>,
    /// Submitted at.
    pub submitted_at: Option<i64>,
}

impl SelfEvaluation {
    /// 未填报/草稿/待审核/被退回/已审核.
    pub fn state_label(&self) -> &'static str {
        state_label(&self.state)
    }

    /// Whether the agency may still change it.
    pub fn editable(&self) -> bool {
        SelfEvaluationState::parse(&self.state).is_some_and(SelfEvaluationState::editable)
    }

    /// The workflow state, or which row holds a state the workflow does not know.
    pub(crate) fn workflow_state(&self) -> Result<SelfEvaluationState> {
        workflow::parse_state::<Sheet>(&self.state, self.id.unwrap_or(0))
    }
}

/// The label of a state code.
pub fn state_label(state: &str) -> &'static str {
    SelfEvaluationState::parse(state).map_or("未知", SelfEvaluationState::label)
}

/// The agency's entry for one item.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EntryInput {
    /// Row from 1.
    pub row_no: i32,
    /// 实际完成值.
    pub actual: String,
    /// Qualitative band.
    pub band: String,
    /// Share within the band, percent.
    pub band_percent: String,
    /// Does not apply this year.
    pub not_applicable: bool,
    /// A score set by hand.
    pub manual_score: String,
    /// Why.
    pub manual_reason: String,
    /// 偏差原因分析.
    pub deviation_reason: String,
    /// 改进措施.
    pub improvement: String,
    /// Why the value entered differs from the value computed from the records (bound
    /// indicators only; required when it differs).
    pub override_reason: String,
}

/// A whole sheet as saved by the agency.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SelfEvaluationInput {
    /// The version read (0 for the first save).
    pub version: i32,
    /// 总体目标完成情况.
    pub summary: String,
    /// One entry per item.
    pub entries: Vec<EntryInput>,
}

const HEAD_COLUMNS: &str = "id, rulebook_id, state, source, initial_fen, full_year_fen, \
     executed_fen, execution_points_x100, execution_score_x100, total_x100, grade, \
     published_total_x100, findings, summary, comment, version, updated_by, updated_at, \
     submitted_by, submitted_at";

pub(crate) const ITEM_COLUMNS: &str = "row_no, level1, level2, name, op, target, unit, points_x100, actual, \
     band, band_percent, not_applicable, effective_points_x100, computed_x100, manual_x100, \
     manual_reason, final_x100, published_x100, missed, deviation_reason, improvement, \
     record_value, override_reason";

/// Rows whose target was missed but which give no deviation reason or measure.
pub fn missing_reasons(items: &[EvaluationItem]) -> Vec<RowError> {
    items
        .iter()
        .filter(|i| i.missed && !i.not_applicable)
        .filter(|i| i.deviation_reason.trim().is_empty() || i.improvement.trim().is_empty())
        .map(|i| RowError {
            row: usize::try_from(i.row_no).unwrap_or(0),
            field: "deviation_reason".to_owned(),
            message: format!(
                "第{}行：“{}”未完成年度指标值，请填写偏差原因分析及改进措施",
                i.row_no, i.name
            ),
        })
        .collect()
}

/// The stored items of a scored sheet.
pub(crate) fn scored_items(
    inputs: &[ItemInput],
    scored: &SheetScore,
    published: &[Option<i64>],
) -> Vec<EvaluationItem> {
    inputs
        .iter()
        .zip(&scored.items)
        .enumerate()
        .map(|(i, (input, s))| EvaluationItem {
            row_no: i32::try_from(i + 1).unwrap_or(i32::MAX),
            level1: input.level1.trim().to_owned(),
            level2: input.level2.trim().to_owned(),
            name: input.name.trim().to_owned(),
            op: jixiao_core::target::Operator::parse(&input.op)
                .map_or_else(|| input.op.clone(), |o| o.as_str().to_owned()),
            target: input.target.trim().to_owned(),
            unit: input.unit.trim().to_owned(),
            points_x100: s.points_x100,
            actual: input.actual.trim().to_owned(),
            band: s.band.clone().unwrap_or_default(),
            band_percent: input.band_percent.trim().to_owned(),
            not_applicable: input.not_applicable,
            effective_points_x100: s.effective_points_x100,
            computed_x100: s.computed_x100,
            manual_x100: s.manual_x100,
            manual_reason: input.manual_reason.trim().to_owned(),
            final_x100: s.final_x100,
            published_x100: published.get(i).copied().flatten(),
            missed: s.missed,
            deviation_reason: input.deviation_reason.trim().to_owned(),
            improvement: input.improvement.trim().to_owned(),
            record_value: None,
            override_reason: String::new(),
        })
        .collect()
}

impl Store {
    /// The values the records give the bound indicators at the end of the project's year; an
    /// item not yet filled in reads its value.
    async fn with_computed(
        &self,
        project: &Project,
        mut items: Vec<EvaluationItem>,
    ) -> Result<(Vec<EvaluationItem>, Vec<crate::ComputedValue>)> {
        let names: Vec<&str> = items.iter().map(|i| i.name.as_str()).collect();
        let year_end = chrono::NaiveDate::from_ymd_opt(project.year, 12, 31)
            .ok_or_else(|| Error::Internal(format!("项目年度{}无效", project.year)))?;
        let computed = self.computed_values(project.id, &names, year_end).await?;
        for item in &mut items {
            if let Some(c) = computed.iter().find(|c| c.row_no == item.row_no)
                && item.actual.trim().is_empty()
            {
                item.actual = c.value.to_string();
            }
        }
        Ok((items, computed))
    }

    /// The rulebook a project is scored by (the version it was approved under).
    pub(crate) async fn project_rulebook(&self, project: &Project) -> Result<(i64, Rulebook)> {
        let id = project.rulebook_id.ok_or_else(|| {
            Error::conflict(
                crate::ConflictCode::RulebookMissing,
                "项目没有适用的规则版本，不能自评".to_owned(),
            )
        })?;
        let record = self.rulebook_by_id(id).await?;
        Ok((id, record.rulebook()?))
    }

    /// The budget block from the ledger: the approved amount, the allotment's limit now and what
    /// was paid net of refunds.
    async fn ledger_budget(&self, project: &Project) -> Result<BudgetBlock> {
        let row: Option<(i64, i64)> = on_pool!(&self.pool, |pool| {
            sqlx::query_as("SELECT limit_fen, used_fen FROM allotments WHERE project_id = $1")
                .bind(project.id)
                .fetch_optional(pool)
                .await?
        });
        let initial = project.approved_fen.unwrap_or(0);
        let (full_year, executed) = row.unwrap_or((initial, 0));
        Ok(BudgetBlock {
            initial_fen: initial,
            full_year_fen: full_year,
            executed_fen: executed,
        })
    }

    /// A project's self-evaluation (its blank sheet before the first save).
    pub async fn self_evaluation(&self, actor: &Actor, project_id: i64) -> Result<SelfEvaluation> {
        let project = self.project(actor, project_id).await?;
        let Some(revision) = project.approved_revision else {
            return Err(Error::conflict(
                crate::ConflictCode::PrerequisiteMissing,
                "项目尚未批复，没有需要自评的绩效目标".to_owned(),
            ));
        };
        let head: Option<Head> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {HEAD_COLUMNS} FROM self_evaluations WHERE project_id = $1"
            )))
            .bind(project_id)
            .fetch_optional(pool)
            .await?
        });
        let Some(head) = head else {
            let (rulebook_id, rulebook) = self.project_rulebook(&project).await?;
            let budget = self.ledger_budget(&project).await?;
            let sheet = self.target_sheet(project_id, revision).await?;
            let points: Vec<i64> = sheet.indicators.iter().map(|i| i.points_x100).collect();
            let points = table_points(&points, rulebook.self_evaluation.indicator_points_x100());
            let items = sheet
                .indicators
                .iter()
                .zip(points)
                .enumerate()
                .map(|(i, (indicator, points_x100))| EvaluationItem {
                    row_no: i32::try_from(i + 1).unwrap_or(i32::MAX),
                    level1: indicator.level1.clone(),
                    level2: indicator.level2.clone(),
                    name: indicator.name.clone(),
                    op: indicator.op.as_str().to_owned(),
                    target: indicator.value.clone(),
                    unit: indicator.unit.clone(),
                    points_x100,
                    actual: String::new(),
                    band: String::new(),
                    band_percent: String::new(),
                    not_applicable: false,
                    effective_points_x100: points_x100,
                    computed_x100: None,
                    manual_x100: None,
                    manual_reason: String::new(),
                    final_x100: 0,
                    published_x100: None,
                    missed: false,
                    deviation_reason: String::new(),
                    improvement: String::new(),
                    record_value: None,
                    override_reason: String::new(),
                })
                .collect();
            let (items, computed) = self.with_computed(&project, items).await?;
            return Ok(SelfEvaluation {
                id: None,
                project,
                rulebook_id,
                state: "not_started".to_owned(),
                source: "form".to_owned(),
                budget,
                execution: None,
                items,
                computed,
                total_x100: None,
                grade: None,
                published_total_x100: None,
                findings: Vec::new(),
                summary: String::new(),
                comment: String::new(),
                version: 0,
                updated_by: None,
                updated_at: None,
                submitted_by: None,
                submitted_at: None,
            });
        };
        let items: Vec<EvaluationItem> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {ITEM_COLUMNS} FROM self_evaluation_items \
                 WHERE self_evaluation_id = $1 ORDER BY row_no"
            )))
            .bind(head.id)
            .fetch_all(pool)
            .await?
        });
        workflow::parse_state::<Sheet>(&head.state, head.id)?;
        for item in &items {
            let key = format!("self_evaluation_id={},row_no={}", head.id, item.row_no);
            Cell::keyed("self_evaluation_items", key, "op").code(&item.op, Operator::parse)?;
        }
        let findings = Cell::at("self_evaluations", head.id, "findings").json(&head.findings)?;
        let budget = BudgetBlock {
            initial_fen: head.initial_fen,
            full_year_fen: head.full_year_fen,
            executed_fen: head.executed_fen,
        };
        let (items, computed) = self.with_computed(&project, items).await?;
        Ok(SelfEvaluation {
            id: Some(head.id),
            project,
            rulebook_id: head.rulebook_id,
            state: head.state,
            source: head.source,
            budget,
            execution: Some(ExecutionScore {
                points_x100: head.execution_points_x100,
                rate_bp: execution_rate_bp(&budget),
                score_x100: head.execution_score_x100,
            }),
            items,
            computed,
            total_x100: Some(head.total_x100),
            grade: Some(head.grade),
            published_total_x100: head.published_total_x100,
            findings,
            summary: head.summary,
            comment: head.comment,
            version: head.version,
            updated_by: Some(head.updated_by),
            updated_at: Some(head.updated_at),
            submitted_by: head.submitted_by,
            submitted_at: head.submitted_at,
        })
    }

    /// Saves the agency's entries as a draft, scoring every item (agency users, while the sheet
    /// is open to them). Every problem is reported by row and nothing is stored.
    pub async fn save_self_evaluation(
        &self,
        actor: &Actor,
        project_id: i64,
        input: &SelfEvaluationInput,
    ) -> Result<SelfEvaluation> {
        actor.require(jixiao_core::Capability::AskForMoney)?;
        let current = self.self_evaluation(actor, project_id).await?;
        workflow::check::<Sheet>(current.workflow_state()?, SelfEvaluationAction::Save, actor)?;
        if input.version != current.version {
            return Err(workflow::stale::<Sheet>());
        }
        if input.summary.chars().count() > 2000 {
            return Err(Error::invalid(
                "summary",
                "too_long",
                "总体目标完成情况不能超过2000字",
            ));
        }
        let mut errors = Vec::new();
        for entry in &input.entries {
            if entry.row_no < 1 || entry.row_no as usize > current.items.len() {
                errors.push(RowError {
                    row: 0,
                    field: "row_no".to_owned(),
                    message: format!("没有第{}行指标", entry.row_no),
                });
            }
            let long = [
                &entry.deviation_reason,
                &entry.improvement,
                &entry.manual_reason,
            ]
            .iter()
            .any(|t| t.chars().count() > 1000);
            if long || entry.actual.chars().count() > 200 {
                errors.push(RowError {
                    row: usize::try_from(entry.row_no).unwrap_or(0),
                    field: "deviation_reason".to_owned(),
                    message: format!("第{}行：填写内容过长", entry.row_no),
                });
            }
        }
        let computed_at = |row_no: i32| current.computed.iter().find(|c| c.row_no == row_no);
        for entry in &input.entries {
            if let Some(c) = computed_at(entry.row_no)
                && let Some(problem) = jixiao_core::indicator_binding::override_problem(
                    &entry.actual,
                    c.value,
                    &entry.override_reason,
                )
            {
                errors.push(RowError {
                    row: usize::try_from(entry.row_no).unwrap_or(0),
                    field: "override_reason".to_owned(),
                    message: format!("第{}行：{problem}", entry.row_no),
                });
            }
            if entry.override_reason.chars().count() > 500 {
                errors.push(RowError {
                    row: usize::try_from(entry.row_no).unwrap_or(0),
                    field: "override_reason".to_owned(),
                    message: format!("第{}行：调整理由不超过500字", entry.row_no),
                });
            }
        }
        if !errors.is_empty() {
            return Err(Error::InvalidEvaluation(errors));
        }
        let inputs: Vec<ItemInput> = current
            .items
            .iter()
            .map(|item| {
                let mut entry = input
                    .entries
                    .iter()
                    .find(|e| e.row_no == item.row_no)
                    .cloned()
                    .unwrap_or_default();
                // A bound indicator left empty takes the records' value.
                if let Some(c) = computed_at(item.row_no)
                    && entry.actual.trim().is_empty()
                {
                    entry.actual = c.value.to_string();
                }
                ItemInput {
                    actual: entry.actual,
                    band: entry.band,
                    band_percent: entry.band_percent,
                    not_applicable: entry.not_applicable,
                    manual_score: entry.manual_score,
                    manual_reason: entry.manual_reason,
                    deviation_reason: entry.deviation_reason,
                    improvement: entry.improvement,
                    ..item.to_input()
                }
            })
            .collect();
        let (_, rulebook) = self.project_rulebook(&current.project).await?;
        // The budget block is read again from the ledger at every save of a sheet from the form.
        let budget = if current.source == "import" {
            current.budget
        } else {
            self.ledger_budget(&current.project).await?
        };
        let scored =
            score(&rulebook.self_evaluation, &budget, &inputs).map_err(Error::InvalidEvaluation)?;
        let published: Vec<Option<i64>> = current.items.iter().map(|i| i.published_x100).collect();
        let mut items = scored_items(&inputs, &scored, &published);
        for item in &mut items {
            if let Some(c) = computed_at(item.row_no) {
                item.record_value = Some(c.value);
                item.override_reason = input
                    .entries
                    .iter()
                    .find(|e| e.row_no == item.row_no)
                    .map(|e| e.override_reason.trim().to_owned())
                    .unwrap_or_default();
            }
        }
        let manual: Vec<serde_json::Value> = items
            .iter()
            .filter_map(|i| {
                i.manual_x100.map(|m| {
                    json!({"row": i.row_no, "computed": i.computed_x100.map(format_score),
                           "manual": format_score(m), "reason": i.manual_reason})
                })
            })
            .collect();
        let mut tx = self.begin().await?;
        write_sheet(
            &mut tx,
            &current,
            SelfEvaluationAction::Save,
            actor,
            SheetWrite {
                state: "draft",
                source: &current.source,
                budget: &budget,
                scored: &scored,
                items: &items,
                findings: &scored.findings,
                published_total_x100: current.published_total_x100,
                summary: input.summary.trim(),
                actor: &actor.name,
            },
            json!({
                "project_id": project_id,
                "total": format_score(scored.total_x100),
                "grade": scored.grade,
                "manual_scores": manual,
            }),
        )
        .await?;
        tx.commit().await?;
        self.self_evaluation(actor, project_id).await
    }

    /// Submits the sheet to finance (agency users; every missed target explained).
    pub async fn submit_self_evaluation(
        &self,
        actor: &Actor,
        project_id: i64,
        version: i32,
    ) -> Result<SelfEvaluation> {
        actor.require(jixiao_core::Capability::AskForMoney)?;
        let current = self.self_evaluation(actor, project_id).await?;
        let Some(id) = current.id else {
            return Err(Error::conflict(
                crate::ConflictCode::PrerequisiteMissing,
                "请先填写并保存绩效自评表".to_owned(),
            ));
        };
        workflow::check::<Sheet>(
            current.workflow_state()?,
            SelfEvaluationAction::Submit,
            actor,
        )?;
        let missing = missing_reasons(&current.items);
        if !missing.is_empty() {
            return Err(Error::InvalidEvaluation(missing));
        }
        let mut tx = self.begin().await?;
        advance::<Sheet>(
            &mut tx,
            id,
            Some(version),
            SelfEvaluationAction::Submit,
            actor,
            &[
                ("submitted_by", Value::Text(Some(actor.name.clone()))),
                ("submitted_at", Value::Int(Some(time::now()))),
                ("comment", Value::Text(Some(String::new()))),
            ],
            Trail {
                jurisdiction: Some(&current.project.jurisdiction_code),
                details: json!({"project_id": project_id,
                    "total": current.total_x100.map(format_score), "grade": current.grade}),
            },
        )
        .await?;
        tx.commit().await?;
        self.self_evaluation(actor, project_id).await
    }

    /// Finance approves a submitted sheet or returns it with a comment.
    pub async fn review_self_evaluation(
        &self,
        actor: &Actor,
        project_id: i64,
        approve: bool,
        comment: &str,
    ) -> Result<SelfEvaluation> {
        crate::monitoring::finance_jurisdiction(actor)?;
        let current = self.self_evaluation(actor, project_id).await?;
        let action = if approve {
            SelfEvaluationAction::Approve
        } else {
            SelfEvaluationAction::Return
        };
        workflow::check::<Sheet>(current.workflow_state()?, action, actor)?;
        let Some(id) = current.id else {
            return Err(Error::NotFound("绩效自评表不存在".to_owned()));
        };
        if !approve && comment.trim().is_empty() {
            return Err(Error::invalid("comment", "required", "退回时请说明理由"));
        }
        let mut tx = self.begin().await?;
        advance::<Sheet>(
            &mut tx,
            id,
            Some(current.version),
            action,
            actor,
            &[("comment", Value::Text(Some(comment.trim().to_owned())))],
            Trail {
                jurisdiction: Some(&current.project.jurisdiction_code),
                details: json!({"project_id": project_id, "comment": comment.trim()}),
            },
        )
        .await?;
        tx.commit().await?;
        self.self_evaluation(actor, project_id).await
    }
}
