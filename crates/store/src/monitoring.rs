//! Monitoring rounds (监控批次) and the agencies' monitoring reports: finance opens a round with
//! a cut-off, a due date and a scope; each project in scope gets a report with one row per
//! approved indicator; the budget figures come from the ledger as of the cut-off.

use crate::audit::append;
use crate::project_scope::ProjectScope;
use crate::stored::Cell;
use crate::workflow::{self, Trail, Value, advance};
use crate::{Error, Project, Result, Store};
use chrono::NaiveDate;
use jixiao_core::audit::AuditEntry;
use jixiao_core::ledger::execution_rate_bp;
use jixiao_core::monitoring::{
    CAUSES, IndicatorProgress, OUTLOOKS, parse_decimal, time_progress_bp,
};
use jixiao_core::target::{Indicator, Operator, RowError};
use jixiao_core::workflow::{AlertState, MonitoringReport as Report, ReportAction, ReportState};
use jixiao_core::{Actor, Role, ValidationErrors, time};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::QueryBuilder;

/// A monitoring round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct MonitoringRound {
    /// Id.
    pub id: i64,
    /// Jurisdiction.
    pub jurisdiction_code: String,
    /// Budget year.
    pub year: i32,
    /// Cut-off date (YYYY-MM-DD): figures as of the end of this day.
    pub cutoff: String,
    /// Reports are due by the end of this day.
    pub due: String,
    /// `all` approved projects of the year, or `selected` ones.
    pub scope: String,
    /// The rulebook version the round runs under.
    pub rulebook_id: i64,
    /// Business date of the last evaluation.
    pub evaluated_on: Option<String>,
    /// Opened by.
    pub created_by: String,
    /// Opened at.
    pub created_at: i64,
}

impl MonitoringRound {
    /// The cut-off as a date.
    pub fn cutoff_date(&self) -> Result<NaiveDate> {
        parse_date("cutoff", &self.cutoff)
    }

    /// The due date as a date.
    pub fn due_date(&self) -> Result<NaiveDate> {
        parse_date("due", &self.due)
    }

    /// 全部项目 or 重点项目.
    pub fn scope_label(&self) -> &'static str {
        if self.scope == "all" {
            "全部已批复项目"
        } else {
            "财政选定的重点项目"
        }
    }
}

/// What finance gives to open a round.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RoundInput {
    /// Budget year.
    pub year: i32,
    /// Cut-off date, YYYY-MM-DD.
    pub cutoff: String,
    /// Due date for reports, YYYY-MM-DD.
    pub due: String,
    /// `all` or `selected`.
    pub scope: String,
    /// With `selected`: the projects.
    #[serde(default)]
    pub project_ids: Vec<i64>,
}

/// A date typed by a user, or a field error.
pub(crate) fn parse_date(field: &str, text: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
        Error::invalid(
            field,
            "invalid_date",
            "日期格式应为 YYYY-MM-DD，如 2020-06-30",
        )
    })
}

/// One project's line in a round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ReportLine {
    /// Project.
    pub project_id: i64,
    /// Project code.
    pub project_code: String,
    /// Project name.
    pub project_name: String,
    /// Agency.
    pub agency_id: i64,
    /// Agency name.
    pub agency_name: String,
    /// Report state: pending, draft, submitted, returned, approved.
    pub state: String,
    /// Budget (the allotment's limit).
    pub limit_fen: i64,
    /// Paid by the cut-off, net of refunds.
    pub spent_fen: i64,
    /// The project's alert in this round, if any.
    pub alert_id: Option<i64>,
    /// Its level.
    pub alert_level: Option<String>,
    /// Its status.
    pub alert_status: Option<String>,
    /// Whether the alert stopped the payments.
    pub alert_suspended: Option<bool>,
}

impl ReportLine {
    /// Executed ÷ budget at the cut-off, basis points.
    pub fn execution_bp(&self) -> i64 {
        execution_rate_bp(self.spent_fen, self.limit_fen)
    }

    /// The report state as users read it.
    pub fn state_label(&self) -> &'static str {
        report_state_label(&self.state)
    }
}

/// 待填报/填报中/已报送/已退回/已审核.
pub fn report_state_label(state: &str) -> &'static str {
    ReportState::parse(state).map_or("未知", ReportState::label)
}

/// What the agency enters for one indicator.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct ReportEntry {
    /// The indicator's row number in the approved sheet (from 1).
    pub row_no: i32,
    /// Value reached by the cut-off.
    #[serde(default)]
    pub reached: String,
    /// Expected full-year value.
    #[serde(default)]
    pub expected: String,
    /// 能 / 不能 / 不确定.
    #[serde(default)]
    pub outlook: String,
    /// Cause category of a deviation.
    #[serde(default)]
    pub cause: String,
    /// Explanation of the deviation.
    #[serde(default)]
    pub explanation: String,
    /// Corrective measures.
    #[serde(default)]
    pub measures: String,
    /// Why the value reached differs from the value computed from the records (bound
    /// indicators only; required when it differs).
    #[serde(default)]
    pub override_reason: String,
}

/// One row of a report: the approved indicator and what was entered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportRow {
    /// The approved indicator.
    pub indicator: Indicator,
    /// The entry.
    pub entry: ReportEntry,
    /// The value computed from the records at the cut-off, for a bound indicator.
    pub computed: Option<crate::ComputedValue>,
}

/// A whole monitoring report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MonitoringReport {
    /// Report id.
    pub id: i64,
    /// The round.
    pub round: MonitoringRound,
    /// The project.
    pub project: Project,
    /// State code.
    pub state: String,
    /// Finance's comment when returned.
    pub comment: String,
    /// Optimistic-lock version.
    pub version: i32,
    /// Budget (the allotment's limit).
    pub limit_fen: i64,
    /// Paid by the cut-off, net of refunds (from the ledger; cannot be typed over).
    pub spent_fen: i64,
    /// Execution rate at the cut-off, basis points.
    pub execution_bp: i64,
    /// Share of the year elapsed at the cut-off, basis points.
    pub time_progress_bp: i64,
    /// Indicator progress from the entries, basis points.
    pub progress_bp: Option<i64>,
    /// Rows.
    pub rows: Vec<ReportRow>,
    /// Submitted by.
    pub submitted_by: Option<String>,
    /// Submitted at.
    pub submitted_at: Option<i64>,
}

impl MonitoringReport {
    /// The state as users read it.
    pub fn state_label(&self) -> &'static str {
        report_state_label(&self.state)
    }

    /// Whether the agency may still change it.
    pub fn editable(&self) -> bool {
        ReportState::parse(&self.state).is_some_and(|s| {
            jixiao_core::workflow::allows::<Report>(s, ReportAction::Save, Role::Agency)
        })
    }
}

/// The computed value of row `row_no`, when it is bound.
fn computed_at(rows: &[ReportRow], row_no: i32) -> Option<&crate::ComputedValue> {
    rows.iter()
        .filter_map(|r| r.computed.as_ref())
        .find(|c| c.row_no == row_no)
}

/// Rows of bound indicators whose value reached differs from the records' without a reason.
fn override_errors(rows: &[ReportRow], entries: &[ReportEntry]) -> Vec<RowError> {
    entries
        .iter()
        .filter_map(|e| {
            let c = computed_at(rows, e.row_no)?;
            let problem = jixiao_core::indicator_binding::override_problem(
                &e.reached,
                c.value,
                &e.override_reason,
            )?;
            Some(RowError {
                row: usize::try_from(e.row_no).unwrap_or(0),
                field: "override_reason".to_owned(),
                message: format!("第{}行：{problem}", e.row_no),
            })
        })
        .collect()
}

/// Indicator progress of a report's rows.
pub(crate) fn progress_of(rows: &[ReportRow]) -> Option<i64> {
    let items: Vec<IndicatorProgress<'_>> = rows
        .iter()
        .map(|r| IndicatorProgress {
            op: r.indicator.op,
            unit: &r.indicator.unit,
            target: &r.indicator.value,
            reached: &r.entry.reached,
        })
        .collect();
    jixiao_core::monitoring::indicator_progress_bp(&items)
}

/// Checks entries against the approved rows; with `complete`, also that everything a submitted
/// report needs is there.
fn check_entries(
    indicators: &[Indicator],
    entries: &[ReportEntry],
    complete: bool,
) -> Vec<RowError> {
    let mut errors = Vec::new();
    let error = |row: usize, field: &str, message: String| RowError {
        row,
        field: field.to_owned(),
        message: format!("第{row}行：{message}"),
    };
    for entry in entries {
        let row = entry.row_no.max(0) as usize;
        if row == 0 || row > indicators.len() {
            errors.push(error(row, "row_no", "不是本项目已批复的指标".to_owned()));
        }
    }
    for (index, indicator) in indicators.iter().enumerate() {
        let row = index + 1;
        let entry = entries
            .iter()
            .find(|e| e.row_no as usize == row)
            .cloned()
            .unwrap_or_default();
        let quantitative = indicator.op != Operator::Qualitative;
        for (field, label, value) in [
            ("reached", "截至目前完成值", &entry.reached),
            ("expected", "全年预计完成值", &entry.expected),
        ] {
            if quantitative && !value.trim().is_empty() && parse_decimal(value).is_none() {
                errors.push(error(
                    row,
                    field,
                    format!(
                        "“{}”的{label}应为数字（单位：{}）",
                        indicator.name, indicator.unit
                    ),
                ));
            }
            if complete && value.trim().is_empty() {
                errors.push(error(
                    row,
                    field,
                    format!("请填写“{}”的{label}", indicator.name),
                ));
            }
            if value.chars().count() > 200 {
                errors.push(error(row, field, format!("{label}过长")));
            }
        }
        if !entry.outlook.is_empty() && !OUTLOOKS.contains(&entry.outlook.as_str()) {
            errors.push(error(
                row,
                "outlook",
                "全年目标能否完成应为 能/不能/不确定".to_owned(),
            ));
        }
        if !entry.cause.is_empty() && !CAUSES.contains(&entry.cause.as_str()) {
            errors.push(error(
                row,
                "cause",
                format!("偏差原因类别应为 {}", CAUSES.join("/")),
            ));
        }
        for (field, label, value) in [
            ("explanation", "偏差原因说明", &entry.explanation),
            ("measures", "纠偏措施", &entry.measures),
        ] {
            if value.chars().count() > 1000 {
                errors.push(error(row, field, format!("{label}不超过1000字")));
            }
        }
        if complete {
            if entry.outlook.is_empty() {
                errors.push(error(
                    row,
                    "outlook",
                    format!("请判断“{}”全年目标能否完成", indicator.name),
                ));
            }
            if matches!(entry.outlook.as_str(), "不能" | "不确定") {
                if entry.cause.is_empty() {
                    errors.push(error(
                        row,
                        "cause",
                        "预计不能完成或不确定时，请选择偏差原因类别".to_owned(),
                    ));
                }
                if entry.explanation.trim().is_empty() {
                    errors.push(error(row, "explanation", "请说明偏差原因".to_owned()));
                }
                if entry.measures.trim().is_empty() {
                    errors.push(error(row, "measures", "请填写纠偏措施".to_owned()));
                }
            }
        }
    }
    errors
}

#[derive(sqlx::FromRow)]
struct ReportHead {
    id: i64,
    revision: i32,
    state: String,
    comment: String,
    version: i32,
    submitted_by: Option<String>,
    submitted_at: Option<i64>,
}

const ROUND_COLUMNS: &str = "id, jurisdiction_code, year, cutoff, due, scope, rulebook_id, \
     evaluated_on, created_by, created_at";

impl Store {
    /// Opens a monitoring round (finance): one report per project in scope.
    pub async fn open_monitoring_round(
        &self,
        actor: &Actor,
        input: &RoundInput,
    ) -> Result<MonitoringRound> {
        let jurisdiction = finance_jurisdiction(actor)?;
        let pending = workflow::create::<Report>(ReportAction::Open, actor)?;
        let mut errors = ValidationErrors::default();
        let cutoff = parse_date("cutoff", &input.cutoff);
        let due = parse_date("due", &input.due);
        match (&cutoff, &due) {
            (Ok(cutoff), Ok(due)) => {
                if chrono::Datelike::year(cutoff) != input.year {
                    errors.add("cutoff", "wrong_year", "截止日期应在监控年度内");
                }
                if due <= cutoff {
                    errors.add("due", "before_cutoff", "报送期限应晚于截止日期");
                }
            }
            _ => {
                if cutoff.is_err() {
                    errors.add("cutoff", "invalid_date", "截止日期格式应为 YYYY-MM-DD");
                }
                if due.is_err() {
                    errors.add("due", "invalid_date", "报送期限格式应为 YYYY-MM-DD");
                }
            }
        }
        if !matches!(input.scope.as_str(), "all" | "selected") {
            errors.add(
                "scope",
                "invalid",
                "监控范围应为 all（全部已批复项目）或 selected（重点项目）",
            );
        }
        if input.scope == "selected" && input.project_ids.is_empty() {
            errors.add("project_ids", "required", "请选择纳入重点监控的项目");
        }
        errors.into_result()?;
        let rulebook = self.rulebook_in_force(&jurisdiction, input.year).await?;
        // The projects in scope: approved (an allotment exists) in this year and jurisdiction.
        let candidates: Vec<(i64, i32)> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(
                "SELECT p.id, p.approved_revision FROM projects p \
                 JOIN allotments a ON a.project_id = p.id \
                 WHERE p.jurisdiction_code = $1 AND p.year = $2 AND p.approved_revision IS NOT NULL \
                 ORDER BY p.code",
            )
            .bind(&jurisdiction)
            .bind(input.year)
            .fetch_all(pool)
            .await?
        });
        let projects: Vec<(i64, i32)> = if input.scope == "all" {
            candidates
        } else {
            let mut chosen = Vec::new();
            for id in &input.project_ids {
                match candidates.iter().find(|(p, _)| p == id) {
                    Some(found) if !chosen.contains(found) => chosen.push(*found),
                    Some(_) => {}
                    None => {
                        return Err(Error::invalid(
                            "project_ids",
                            "not_approved",
                            format!("项目{id}不是本年度已批复的项目"),
                        ));
                    }
                }
            }
            chosen
        };
        if projects.is_empty() {
            return Err(Error::conflict(
                crate::ConflictCode::PrerequisiteMissing,
                format!("{}年度没有已批复的项目，无法开展监控", input.year),
            ));
        }
        let now = time::now();
        let mut tx = self.begin().await?;
        let inserted: std::result::Result<i64, sqlx::Error> = on_tx!(&mut tx, |conn| {
            sqlx::query_scalar(
                "INSERT INTO monitoring_rounds (jurisdiction_code, year, cutoff, due, scope, \
                 rulebook_id, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                 RETURNING id",
            )
            .bind(&jurisdiction)
            .bind(input.year)
            .bind(input.cutoff.trim())
            .bind(input.due.trim())
            .bind(&input.scope)
            .bind(rulebook.id)
            .bind(&actor.name)
            .bind(now)
            .fetch_one(&mut *conn)
            .await
        });
        let id = match inserted {
            Ok(id) => id,
            Err(sqlx::Error::Database(db)) if db.is_unique_violation() => {
                return Err(Error::Duplicate(format!(
                    "{}年度已有截止日期为{}的监控批次",
                    input.year,
                    input.cutoff.trim()
                )));
            }
            Err(e) => return Err(e.into()),
        };
        for chunk in projects.chunks(500) {
            on_tx!(&mut tx, |conn| {
                let mut query = QueryBuilder::new(
                    "INSERT INTO monitoring_reports (round_id, project_id, revision, state, updated_at) ",
                );
                query.push_values(chunk, |mut row, (project, revision)| {
                    row.push_bind(id)
                        .push_bind(*project)
                        .push_bind(*revision)
                        .push_bind(pending.as_str())
                        .push_bind(now);
                });
                query.build().execute(&mut *conn).await?;
            });
        }
        append(
            &mut tx,
            // One record for the round, under the reports' creating action's code
            // (`monitoring.open`, labelled by the workflow).
            AuditEntry::new(
                &actor.name,
                "monitoring.open",
                "monitoring_round",
                &id.to_string(),
            )
            .in_jurisdiction(Some(&jurisdiction))
            .with_details(json!({
                "year": input.year, "cutoff": input.cutoff.trim(), "due": input.due.trim(),
                "scope": input.scope, "projects": projects.len()
            })),
        )
        .await?;
        tx.commit().await?;
        self.monitoring_round(actor, id).await
    }

    /// Rounds the actor may see, newest cut-off first (agency users: rounds with their projects).
    pub async fn monitoring_rounds(
        &self,
        actor: &Actor,
        year: Option<i32>,
    ) -> Result<Vec<MonitoringRound>> {
        let scope = self.project_scope(actor).await?;
        Ok(on_pool!(&self.pool, |pool| {
            let mut query = QueryBuilder::new(format!(
                "SELECT {ROUND_COLUMNS} FROM monitoring_rounds r WHERE EXISTS (SELECT 1 FROM \
                 monitoring_reports x JOIN projects p ON p.id = x.project_id WHERE x.round_id = r.id"
            ));
            scope.push(&mut query);
            query.push(")");
            if let Some(year) = year {
                query.push(" AND r.year = ").push_bind(year);
            }
            query.push(" ORDER BY r.cutoff DESC, r.id DESC");
            query.build_query_as().fetch_all(pool).await?
        }))
    }

    /// One round, if the actor may see it.
    pub async fn monitoring_round(&self, actor: &Actor, id: i64) -> Result<MonitoringRound> {
        let scope = self.project_scope(actor).await?;
        let found: Option<MonitoringRound> = on_pool!(&self.pool, |pool| {
            let mut query = QueryBuilder::new(format!(
                "SELECT {ROUND_COLUMNS} FROM monitoring_rounds r WHERE r.id = "
            ));
            query.push_bind(id).push(
                " AND EXISTS (SELECT 1 FROM monitoring_reports x JOIN projects p ON \
                 p.id = x.project_id WHERE x.round_id = r.id",
            );
            scope.push(&mut query);
            query.push(")");
            query.build_query_as().fetch_optional(pool).await?
        });
        found.ok_or_else(|| Error::NotFound("监控批次不存在".to_owned()))
    }

    /// The round's projects the actor may see, with figures at the cut-off and alerts.
    pub async fn round_lines(&self, actor: &Actor, round_id: i64) -> Result<Vec<ReportLine>> {
        let round = self.monitoring_round(actor, round_id).await?;
        let scope = self.project_scope(actor).await?;
        lines(self, &round, &scope, None).await
    }

    /// A project's report in a round.
    pub async fn monitoring_report(
        &self,
        actor: &Actor,
        round_id: i64,
        project_id: i64,
    ) -> Result<MonitoringReport> {
        let round = self.monitoring_round(actor, round_id).await?;
        let project = self.project(actor, project_id).await?;
        let head: Option<ReportHead> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(
                "SELECT id, revision, state, comment, version, submitted_by, submitted_at \
                 FROM monitoring_reports WHERE round_id = $1 AND project_id = $2",
            )
            .bind(round_id)
            .bind(project_id)
            .fetch_optional(pool)
            .await?
        });
        let head = head.ok_or_else(|| Error::NotFound("该项目不在本监控批次内".to_owned()))?;
        Cell::at("monitoring_reports", head.id, "state").code(&head.state, ReportState::parse)?;
        let sheet = self.target_sheet(project_id, head.revision).await?;
        let entries: Vec<ReportEntry> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(
                "SELECT row_no, reached, expected, outlook, cause, explanation, measures, \
                 override_reason FROM monitoring_report_rows WHERE report_id = $1 ORDER BY row_no",
            )
            .bind(head.id)
            .fetch_all(pool)
            .await?
        });
        let names: Vec<&str> = sheet.indicators.iter().map(|i| i.name.as_str()).collect();
        let computed = self
            .computed_values(project_id, &names, round.cutoff_date()?)
            .await?;
        let rows: Vec<ReportRow> = sheet
            .indicators
            .into_iter()
            .enumerate()
            .map(|(i, indicator)| {
                let row_no = i as i32 + 1;
                let computed = computed.iter().find(|c| c.row_no == row_no).cloned();
                let mut entry = entries
                    .iter()
                    .find(|e| e.row_no == row_no)
                    .cloned()
                    .unwrap_or(ReportEntry {
                        row_no,
                        ..ReportEntry::default()
                    });
                // A bound indicator not yet filled in reads the records' value.
                if let Some(c) = &computed
                    && entry.reached.trim().is_empty()
                {
                    entry.reached = c.value.to_string();
                }
                ReportRow {
                    entry,
                    indicator,
                    computed,
                }
            })
            .collect();
        let scope = self.project_scope(actor).await?;
        let line = lines(self, &round, &scope, Some(project_id))
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| Error::NotFound("该项目不在本监控批次内".to_owned()))?;
        Ok(MonitoringReport {
            id: head.id,
            time_progress_bp: time_progress_bp(round.cutoff_date()?),
            progress_bp: progress_of(&rows),
            round,
            project,
            state: head.state,
            comment: head.comment,
            version: head.version,
            limit_fen: line.limit_fen,
            spent_fen: line.spent_fen,
            execution_bp: line.execution_bp(),
            rows,
            submitted_by: head.submitted_by,
            submitted_at: head.submitted_at,
        })
    }

    /// Saves the agency's entries (agency users only, while the report is open to them).
    pub async fn save_monitoring_report(
        &self,
        actor: &Actor,
        round_id: i64,
        project_id: i64,
        version: i32,
        entries: &[ReportEntry],
    ) -> Result<MonitoringReport> {
        actor.require(jixiao_core::Capability::AskForMoney)?;
        let report = self.monitoring_report(actor, round_id, project_id).await?;
        let state = workflow::parse_state::<Report>(&report.state, report.id)?;
        workflow::check::<Report>(state, ReportAction::Save, actor)?;
        let indicators: Vec<Indicator> = report.rows.iter().map(|r| r.indicator.clone()).collect();
        // A bound indicator left empty takes the records' value; one that differs needs a reason.
        let entries: Vec<ReportEntry> = entries
            .iter()
            .map(|e| {
                let mut e = e.clone();
                if let Some(c) = computed_at(&report.rows, e.row_no)
                    && e.reached.trim().is_empty()
                {
                    e.reached = c.value.to_string();
                }
                e
            })
            .collect();
        let entries = entries.as_slice();
        let mut errors = check_entries(&indicators, entries, false);
        errors.extend(override_errors(&report.rows, entries));
        if !errors.is_empty() {
            return Err(Error::InvalidReport(errors));
        }
        let mut tx = self.begin().await?;
        advance::<Report>(
            &mut tx,
            report.id,
            Some(version),
            ReportAction::Save,
            actor,
            &[],
            Trail {
                jurisdiction: Some(&report.round.jurisdiction_code),
                details: json!({"round_id": round_id, "project_id": project_id,
                                "rows": entries.len()}),
            },
        )
        .await?;
        on_tx!(&mut tx, |conn| {
            sqlx::query("DELETE FROM monitoring_report_rows WHERE report_id = $1")
                .bind(report.id)
                .execute(&mut *conn)
                .await?;
        });
        if !entries.is_empty() {
            on_tx!(&mut tx, |conn| {
                let mut query = QueryBuilder::new(
                    "INSERT INTO monitoring_report_rows (report_id, row_no, reached, expected, \
                     outlook, cause, explanation, measures, record_value, override_reason) ",
                );
                query.push_values(entries, |mut row, e| {
                    let computed = computed_at(&report.rows, e.row_no).map(|c| c.value);
                    row.push_bind(report.id)
                        .push_bind(e.row_no)
                        .push_bind(e.reached.trim().to_owned())
                        .push_bind(e.expected.trim().to_owned())
                        .push_bind(e.outlook.clone())
                        .push_bind(e.cause.clone())
                        .push_bind(e.explanation.trim().to_owned())
                        .push_bind(e.measures.trim().to_owned())
                        .push_bind(computed)
                        .push_bind(if computed.is_some() {
                            e.override_reason.trim().to_owned()
                        } else {
                            String::new()
                        });
                });
                query.build().execute(&mut *conn).await?;
            });
        }
        tx.commit().await?;
        self.monitoring_report(actor, round_id, project_id).await
    }

    /// Submits the report to finance (agency users; every row complete).
    pub async fn submit_monitoring_report(
        &self,
        actor: &Actor,
        round_id: i64,
        project_id: i64,
        version: i32,
    ) -> Result<MonitoringReport> {
        actor.require(jixiao_core::Capability::AskForMoney)?;
        let report = self.monitoring_report(actor, round_id, project_id).await?;
        let state = workflow::parse_state::<Report>(&report.state, report.id)?;
        workflow::check::<Report>(state, ReportAction::Submit, actor)?;
        let indicators: Vec<Indicator> = report.rows.iter().map(|r| r.indicator.clone()).collect();
        let entries: Vec<ReportEntry> = report.rows.iter().map(|r| r.entry.clone()).collect();
        let errors = check_entries(&indicators, &entries, true);
        if !errors.is_empty() {
            return Err(Error::InvalidReport(errors));
        }
        let mut tx = self.begin().await?;
        advance::<Report>(
            &mut tx,
            report.id,
            Some(version),
            ReportAction::Submit,
            actor,
            &[
                ("submitted_by", Value::Text(Some(actor.name.clone()))),
                ("submitted_at", Value::Int(Some(time::now()))),
                ("comment", Value::Text(Some(String::new()))),
            ],
            Trail {
                jurisdiction: Some(&report.round.jurisdiction_code),
                details: json!({"round_id": round_id, "project_id": project_id}),
            },
        )
        .await?;
        tx.commit().await?;
        self.monitoring_report(actor, round_id, project_id).await
    }

    /// Finance approves a submitted report or returns it with a comment.
    pub async fn review_monitoring_report(
        &self,
        actor: &Actor,
        round_id: i64,
        project_id: i64,
        approve: bool,
        comment: &str,
    ) -> Result<MonitoringReport> {
        finance_jurisdiction(actor)?;
        let report = self.monitoring_report(actor, round_id, project_id).await?;
        let action = if approve {
            ReportAction::Approve
        } else {
            ReportAction::Return
        };
        let state = workflow::parse_state::<Report>(&report.state, report.id)?;
        workflow::check::<Report>(state, action, actor)?;
        if !approve && comment.trim().is_empty() {
            return Err(Error::invalid("comment", "required", "退回时请说明理由"));
        }
        let mut tx = self.begin().await?;
        advance::<Report>(
            &mut tx,
            report.id,
            Some(report.version),
            action,
            actor,
            &[("comment", Value::Text(Some(comment.trim().to_owned())))],
            Trail {
                jurisdiction: Some(&report.round.jurisdiction_code),
                details: json!({"round_id": round_id, "project_id": project_id,
                                "comment": comment.trim()}),
            },
        )
        .await?;
        tx.commit().await?;
        self.monitoring_report(actor, round_id, project_id).await
    }
}

/// The jurisdiction of a finance user, or Forbidden (the same check as the treasury's).
pub(crate) use crate::treasury::treasury_jurisdiction as finance_jurisdiction;

/// The round's lines within `scope` (one project with `only`).
pub(crate) async fn lines(
    store: &Store,
    round: &MonitoringRound,
    scope: &ProjectScope,
    only: Option<i64>,
) -> Result<Vec<ReportLine>> {
    let rows: Vec<ReportLine> = on_pool!(&store.pool, |pool| {
        let mut query = QueryBuilder::new(
            "SELECT p.id AS project_id, p.code AS project_code, p.name AS project_name, \
             p.agency_id, ag.name AS agency_name, x.state, COALESCE(a.limit_fen, 0) AS limit_fen, \
             CAST(COALESCE((SELECT SUM(CASE WHEN m.kind = 'refund' THEN -m.amount_fen \
             ELSE m.amount_fen END) FROM payments m WHERE m.allotment_id = a.id AND m.paid_on <= ",
        );
        query.push_bind(round.cutoff.clone()).push(
            "), 0) AS BIGINT) AS spent_fen, al.id AS alert_id, al.level AS alert_level, \
             al.status AS alert_status, al.suspended AS alert_suspended \
             FROM monitoring_reports x JOIN projects p ON p.id = x.project_id \
             JOIN agencies ag ON ag.id = p.agency_id \
             LEFT JOIN allotments a ON a.project_id = p.id \
             LEFT JOIN alerts al ON al.round_id = x.round_id AND al.project_id = x.project_id \
             WHERE x.round_id = ",
        );
        query.push_bind(round.id);
        if let Some(id) = only {
            query.push(" AND p.id = ").push_bind(id);
        }
        scope.push(&mut query);
        query.push(" ORDER BY ag.code, p.code");
        query.build_query_as().fetch_all(pool).await?
    });
    for line in &rows {
        let key = format!("round_id={},project_id={}", round.id, line.project_id);
        Cell::keyed("monitoring_reports", key, "state").code(&line.state, ReportState::parse)?;
        if let Some(id) = line.alert_id {
            let alert = |column| Cell::at("alerts", id, column);
            let (level, status) = (line.alert_level.as_deref(), line.alert_status.as_deref());
            alert("level").code(
                level.unwrap_or_default(),
                jixiao_core::monitoring::AlertLevel::parse,
            )?;
            alert("status").code(status.unwrap_or_default(), AlertState::parse)?;
        }
    }
    Ok(rows)
}
