//! Monitoring alerts (预警) and what is done about them: evaluation of a round by the rulebook's
//! rules, the agency's proposal (continue / adjust / cancel) and finance's confirmation, and the
//! deadline that stops payments when a red alert goes undecided.

use crate::allotments::{lock_allotment, recover_in, set_suspension_in};
use crate::audit::append;
use crate::monitoring::{MonitoringRound, ReportRow, finance_jurisdiction, lines, progress_of};
use crate::stored::{self, Cell, Readable};
use crate::tx::Tx;
use crate::workflow::{self, Trail, Value, advance};
use crate::{Error, Result, Store};
use chrono::NaiveDate;
use jixiao_core::audit::AuditEntry;
use jixiao_core::monitoring::{AlertLevel, Finding, ReportFacts, evaluate, level_of};
use jixiao_core::workflow::{
    Alert as WfAlert, AlertAction, AlertDecision as WfDecision, AlertDecisionAction,
    AlertDecisionState, AlertState,
};
use jixiao_core::{Actor, Role, time};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// An alert on one project in one round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Alert {
    /// Id.
    pub id: i64,
    /// The round.
    pub round_id: i64,
    /// The project.
    pub project_id: i64,
    /// Project code.
    pub project_code: String,
    /// Project name.
    pub project_name: String,
    /// Agency name.
    pub agency_name: String,
    /// `red` or `yellow`.
    pub level: String,
    /// The findings as stored (JSON); read once into [`Alert::findings`].
    #[serde(skip)]
    pub findings_json: String,
    /// The findings, read from `findings_json` when the row was read.
    #[sqlx(skip)]
    #[serde(skip)]
    findings: Vec<Finding>,
    /// Execution at the cut-off, basis points.
    pub execution_bp: i64,
    /// Indicator progress, basis points.
    pub progress_bp: Option<i64>,
    /// Business date it was raised.
    pub raised_on: String,
    /// For red alerts: the last working day for a confirmed decision.
    pub deadline: Option<String>,
    /// `open`, `proposed` (awaiting finance) or `decided`.
    pub status: String,
    /// Whether it stopped the project's payments.
    pub suspended: bool,
}

impl Alert {
    /// The findings.
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    /// The reasons in Chinese.
    pub fn reasons(&self) -> Vec<String> {
        self.findings.iter().map(|f| f.reason.clone()).collect()
    }

    /// 红色预警 / 黄色预警 (every alert read has a level of the vocabulary).
    pub fn level_label(&self) -> &'static str {
        AlertLevel::parse(&self.level).map_or("预警", AlertLevel::label)
    }

    /// The status as users read it.
    pub fn status_label(&self) -> &'static str {
        alert_status_label(&self.status, &self.level, self.suspended)
    }

    /// The workflow state, or which row holds a status the workflow does not know.
    pub(crate) fn workflow_state(&self) -> Result<AlertState> {
        workflow::parse_state::<WfAlert>(&self.status, self.id)
    }
}

/// An alert's status as users read it: the workflow's label, except that a stop on payments
/// and a yellow alert (only watched, never proposed on) say so.
pub fn alert_status_label(status: &str, level: &str, suspended: bool) -> &'static str {
    match (AlertState::parse(status), suspended) {
        (_, true) => "逾期未处置，已暂停支付",
        (Some(AlertState::Open), _) if level == AlertLevel::Yellow.code() => "提示关注",
        (Some(state), _) => state.label(),
        (None, _) => "未知",
    }
}

impl Readable for Alert {
    fn read(mut self) -> Result<Alert> {
        let cell = |column| Cell::at("alerts", self.id, column);
        cell("level").code(&self.level, AlertLevel::parse)?;
        self.workflow_state()?;
        self.findings = cell("findings").json(&self.findings_json)?;
        if let Some(deadline) = &self.deadline {
            cell("deadline").date(deadline)?;
        }
        cell("raised_on").date(&self.raised_on)?;
        Ok(self)
    }
}

impl Readable for AlertDecision {
    fn read(self) -> Result<AlertDecision> {
        let cell = |column| Cell::at("alert_decisions", self.id, column);
        cell("status").code(&self.status, AlertDecisionState::parse)?;
        cell("action").code(&self.action, |a| {
            jixiao_core::monitoring::ACTIONS
                .iter()
                .any(|(code, _)| *code == a)
                .then_some(())
        })?;
        Ok(self)
    }
}

/// A decision proposed on an alert, and what became of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct AlertDecision {
    /// Id.
    pub id: i64,
    /// `continue`, `adjust` or `cancel`.
    pub action: String,
    /// The agency's explanation.
    pub comment: String,
    /// Money to give back (adjust).
    pub recover_fen: i64,
    /// Whether the targets will be revised (adjust).
    pub revise_targets: bool,
    /// `proposed`, `confirmed` or `rejected`.
    pub status: String,
    /// Proposed by.
    pub proposed_by: String,
    /// Proposed at.
    pub proposed_at: i64,
    /// Confirmed or rejected by.
    pub decided_by: Option<String>,
    /// When.
    pub decided_at: Option<i64>,
    /// Finance's comment.
    pub decision_comment: String,
}

impl AlertDecision {
    /// The action as users read it.
    pub fn action_label(&self) -> &'static str {
        jixiao_core::monitoring::action_label(&self.action)
    }

    /// The status as users read it (the workflow's label).
    pub fn status_label(&self) -> &'static str {
        AlertDecisionState::parse(&self.status).map_or("未知", AlertDecisionState::label)
    }
}

/// An alert with its decision history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AlertDetail {
    /// The alert.
    pub alert: Alert,
    /// The round.
    pub round: MonitoringRound,
    /// Decisions, oldest first.
    pub decisions: Vec<AlertDecision>,
}

/// The agency's proposal.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ProposalInput {
    /// `continue`, `adjust` or `cancel`.
    pub action: String,
    /// Why.
    pub comment: String,
    /// For `adjust`: money to give back, fen.
    #[serde(default)]
    pub recover_fen: i64,
    /// For `adjust`: whether the targets will be revised.
    #[serde(default)]
    pub revise_targets: bool,
}

/// What evaluating a round found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Evaluation {
    /// Red alerts now.
    pub red: usize,
    /// Yellow alerts now.
    pub yellow: usize,
    /// Alerts that no longer apply and were withdrawn.
    pub cleared: usize,
}

const ALERT_COLUMNS: &str = "al.id, al.round_id, al.project_id, p.code AS project_code, \
     p.name AS project_name, ag.name AS agency_name, al.level, al.findings AS findings_json, \
     al.execution_bp, al.progress_bp, al.raised_on, al.deadline, al.status, al.suspended \
     FROM alerts al JOIN projects p ON p.id = al.project_id JOIN agencies ag ON ag.id = p.agency_id";

/// Today in Beijing, the business date of scheduled work.
pub fn business_today() -> NaiveDate {
    time::today()
}

impl Store {
    /// Evaluates a round's reports against the rulebook as of `as_of` (finance): raises,
    /// updates or withdraws alerts. Decided alerts stay as they were.
    pub async fn evaluate_round(
        &self,
        actor: &Actor,
        round_id: i64,
        as_of: NaiveDate,
    ) -> Result<Evaluation> {
        let jurisdiction = finance_jurisdiction(actor)?;
        let round = self.monitoring_round(actor, round_id).await?;
        let rulebook = self.rulebook_by_id(round.rulebook_id).await?.rulebook()?;
        let (cutoff, due) = (round.cutoff_date()?, round.due_date()?);
        let scope = self.project_scope(actor).await?;
        let all = lines(self, &round, &scope, None).await?;
        let raised = workflow::create::<WfAlert>(AlertAction::Raise, actor)?;
        let existing: Vec<(i64, i64, String, String)> = on_pool!(&self.pool, |pool| {
            sqlx::query_as("SELECT id, project_id, status, level FROM alerts WHERE round_id = $1")
                .bind(round_id)
                .fetch_all(pool)
                .await?
        });
        // What each project's report says (only submitted reports count).
        let mut computed = Vec::with_capacity(all.len());
        for line in &all {
            let submitted = matches!(line.state.as_str(), "submitted" | "approved");
            let rows: Vec<ReportRow> = if submitted {
                self.monitoring_report(actor, round_id, line.project_id)
                    .await?
                    .rows
            } else {
                Vec::new()
            };
            let facts = ReportFacts {
                cutoff,
                due,
                as_of,
                submitted,
                execution_bp: line.execution_bp(),
                indicator_progress_bp: progress_of(&rows),
                cannot_reach: rows
                    .iter()
                    .filter(|r| r.entry.outlook == "不能")
                    .map(|r| r.indicator.name.clone())
                    .collect(),
            };
            let findings = evaluate(&rulebook.monitoring, &facts);
            computed.push((line, facts, findings));
        }
        let deadline = rulebook
            .calendar
            .add_working_days(as_of, rulebook.monitoring.decision_working_days)
            .format("%Y-%m-%d")
            .to_string();
        let today = as_of.format("%Y-%m-%d").to_string();
        let now = time::now();
        let mut result = Evaluation::default();
        let mut tx = self.begin().await?;
        for (line, facts, findings) in computed {
            let previous = existing.iter().find(|(_, p, _, _)| *p == line.project_id);
            if let Some((_, _, status, level)) = previous
                && status == "decided"
            {
                match AlertLevel::parse(level) {
                    Some(AlertLevel::Red) => result.red += 1,
                    _ => result.yellow += 1,
                }
                continue;
            }
            let findings_json =
                serde_json::to_string(&findings).map_err(|e| Error::Internal(e.to_string()))?;
            match (level_of(&findings), previous) {
                (None, None) => {}
                (None, Some((id, ..))) => {
                    withdraw(&mut tx, *id).await?;
                    result.cleared += 1;
                }
                (Some(level), previous) => {
                    match level {
                        AlertLevel::Red => result.red += 1,
                        AlertLevel::Yellow => result.yellow += 1,
                    }
                    let red_deadline = (level == AlertLevel::Red).then(|| deadline.clone());
                    match previous {
                        Some((id, _, _, old_level)) => {
                            // A deadline, once set, stands; a yellow alert turning red gets one.
                            on_tx!(&mut tx, |conn| {
                                sqlx::query(
                                    "UPDATE alerts SET level = $1, findings = $2, execution_bp = $3, \
                                     progress_bp = $4, deadline = COALESCE(deadline, $5), \
                                     updated_at = $6 WHERE id = $7",
                                )
                                .bind(level.code())
                                .bind(&findings_json)
                                .bind(facts.execution_bp)
                                .bind(facts.indicator_progress_bp)
                                .bind(red_deadline.clone())
                                .bind(now)
                                .bind(*id)
                                .execute(&mut *conn)
                                .await?;
                            });
                            let _ = old_level;
                        }
                        None => {
                            on_tx!(&mut tx, |conn| {
                                sqlx::query(
                                    "INSERT INTO alerts (round_id, project_id, level, findings, \
                                     execution_bp, progress_bp, raised_on, deadline, status, \
                                     updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                                )
                                .bind(round_id)
                                .bind(line.project_id)
                                .bind(level.code())
                                .bind(&findings_json)
                                .bind(facts.execution_bp)
                                .bind(facts.indicator_progress_bp)
                                .bind(&today)
                                .bind(red_deadline.clone())
                                .bind(raised.as_str())
                                .bind(now)
                                .execute(&mut *conn)
                                .await?;
                            });
                        }
                    }
                }
            }
        }
        on_tx!(&mut tx, |conn| {
            sqlx::query("UPDATE monitoring_rounds SET evaluated_on = $1 WHERE id = $2")
                .bind(&today)
                .bind(round_id)
                .execute(&mut *conn)
                .await?;
        });
        append(
            &mut tx,
            AuditEntry::new(&actor.name, "monitoring.evaluate", "monitoring_round", &round_id.to_string())
                .in_jurisdiction(Some(&jurisdiction))
                .with_details(json!({
                    "as_of": today, "red": result.red, "yellow": result.yellow, "cleared": result.cleared
                })),
        )
        .await?;
        tx.commit().await?;
        Ok(result)
    }

    /// A round's alerts the actor may see, red first.
    pub async fn round_alerts(&self, actor: &Actor, round_id: i64) -> Result<Vec<Alert>> {
        self.monitoring_round(actor, round_id).await?;
        let scope = self.project_scope(actor).await?;
        Ok(on_pool!(&self.pool, |pool| {
            let mut query =
                sqlx::QueryBuilder::new(format!("SELECT {ALERT_COLUMNS} WHERE al.round_id = "));
            query.push_bind(round_id);
            scope.push(&mut query);
            query.push(" ORDER BY CASE al.level WHEN 'red' THEN 0 ELSE 1 END, p.code");
            stored::all(query.build_query_as().fetch_all(pool).await?)?
        }))
    }

    /// One alert with its decisions, if the actor may see its project.
    pub async fn alert(&self, actor: &Actor, id: i64) -> Result<AlertDetail> {
        let scope = self.project_scope(actor).await?;
        let alert: Option<Alert> = on_pool!(&self.pool, |pool| {
            let mut query =
                sqlx::QueryBuilder::new(format!("SELECT {ALERT_COLUMNS} WHERE al.id = "));
            query.push_bind(id);
            scope.push(&mut query);
            stored::one(query.build_query_as().fetch_optional(pool).await?)?
        });
        let alert = alert.ok_or_else(|| Error::NotFound("预警不存在".to_owned()))?;
        let round = self.monitoring_round(actor, alert.round_id).await?;
        let decisions: Vec<AlertDecision> = on_pool!(&self.pool, |pool| {
            let decisions = sqlx::query_as(
                "SELECT id, action, comment, recover_fen, revise_targets, status, proposed_by, \
                 proposed_at, decided_by, decided_at, decision_comment FROM alert_decisions \
                 WHERE alert_id = $1 ORDER BY id",
            )
            .bind(id)
            .fetch_all(pool)
            .await?;
            stored::all(decisions)?
        });
        Ok(AlertDetail {
            alert,
            round,
            decisions,
        })
    }

    /// The agency proposes what to do about a red alert.
    pub async fn propose_decision(
        &self,
        actor: &Actor,
        alert_id: i64,
        input: &ProposalInput,
    ) -> Result<AlertDetail> {
        if actor.role != Role::Agency {
            return Err(Error::Forbidden);
        }
        let detail = self.alert(actor, alert_id).await?;
        let alert = &detail.alert;
        if alert.level != "red" {
            return Err(Error::conflict(
                crate::ConflictCode::NotApplicable,
                "黄色预警只需关注，无需提出处置意见".to_owned(),
            ));
        }
        workflow::check::<WfAlert>(alert.workflow_state()?, AlertAction::Propose, actor)?;
        let mut errors = jixiao_core::ValidationErrors::default();
        if !jixiao_core::monitoring::ACTIONS
            .iter()
            .any(|(c, _)| *c == input.action)
        {
            errors.add(
                "action",
                "invalid",
                "处置方式应为 continue（继续执行）、adjust（调整）或 cancel（终止）",
            );
        }
        errors.text("comment", "处置说明", &input.comment, 1000);
        if input.recover_fen < 0 {
            errors.add("recover_fen", "negative", "收回金额不能为负数");
        }
        if input.action == "adjust" && input.recover_fen == 0 && !input.revise_targets {
            errors.add(
                "recover_fen",
                "nothing_to_adjust",
                "调整须收回资金或修改绩效目标，至少选择一项",
            );
        }
        if input.action != "adjust" && (input.recover_fen != 0 || input.revise_targets) {
            errors.add(
                "action",
                "not_adjust",
                "只有“调整”才能填写收回金额或修改目标",
            );
        }
        errors.into_result()?;
        let allotment = self.project_allotment(actor, alert.project_id).await?;
        if input.recover_fen > allotment.balances().available() {
            return Err(Error::InsufficientFunds {
                available: allotment.balances().available(),
            });
        }
        let proposed = workflow::create::<WfDecision>(AlertDecisionAction::Propose, actor)?;
        let mut tx = self.begin().await?;
        advance::<WfAlert>(
            &mut tx,
            alert_id,
            None,
            AlertAction::Propose,
            actor,
            &[],
            Trail {
                jurisdiction: Some(&detail.round.jurisdiction_code),
                details: json!({
                    "action": input.action, "recover_fen": input.recover_fen,
                    "revise_targets": input.revise_targets, "comment": input.comment.trim()
                }),
            },
        )
        .await?;
        on_tx!(&mut tx, |conn| {
            sqlx::query(
                "INSERT INTO alert_decisions (alert_id, action, comment, recover_fen, \
                 revise_targets, status, proposed_by, proposed_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(alert_id)
            .bind(&input.action)
            .bind(input.comment.trim())
            .bind(input.recover_fen)
            .bind(input.revise_targets)
            .bind(proposed.as_str())
            .bind(&actor.name)
            .bind(time::now())
            .execute(&mut *conn)
            .await?;
        });
        tx.commit().await?;
        self.alert(actor, alert_id).await
    }

    /// Finance confirms the proposal (and it takes effect) or declines it with a comment.
    pub async fn decide_alert(
        &self,
        actor: &Actor,
        alert_id: i64,
        confirm: bool,
        comment: &str,
    ) -> Result<AlertDetail> {
        let jurisdiction = finance_jurisdiction(actor)?;
        let detail = self.alert(actor, alert_id).await?;
        let (alert_action, decision_action) = if confirm {
            (AlertAction::Confirm, AlertDecisionAction::Confirm)
        } else {
            (AlertAction::Reject, AlertDecisionAction::Reject)
        };
        workflow::check::<WfAlert>(detail.alert.workflow_state()?, alert_action, actor)?;
        let Some(proposal) = detail
            .decisions
            .iter()
            .rev()
            .find(|d| d.status == "proposed")
        else {
            return Err(Error::conflict(
                crate::ConflictCode::PrerequisiteMissing,
                "该预警没有待确认的处置意见".to_owned(),
            ));
        };
        if !confirm && comment.trim().is_empty() {
            return Err(Error::invalid("comment", "required", "不同意时请说明理由"));
        }
        let rulebook = self
            .rulebook_by_id(detail.round.rulebook_id)
            .await?
            .rulebook()?;
        let allotment = self
            .project_allotment(actor, detail.alert.project_id)
            .await?;
        // Revised targets go through review again, as any revision does (read before the
        // transaction; an approved project only — one already under revision keeps its own).
        let revision = if confirm && proposal.action == "adjust" && proposal.revise_targets {
            let project = self.project(actor, detail.alert.project_id).await?;
            if project.state() == jixiao_core::project::ProjectState::Approved {
                let sheet = self
                    .target_sheet(project.id, project.target_revision)
                    .await?;
                Some((project, sheet))
            } else {
                None
            }
        } else {
            None
        };
        let mut tx = self.begin().await?;
        // A confirmed decision lifts the stop the alert put on payments (below, on the allotment).
        let lifted = [("suspended", Value::Bool(false))];
        advance::<WfAlert>(
            &mut tx,
            alert_id,
            None,
            alert_action,
            actor,
            if confirm { &lifted } else { &[] },
            Trail {
                jurisdiction: Some(&jurisdiction),
                details: json!({"decision_id": proposal.id, "action": proposal.action, "comment": comment.trim()}),
            },
        )
        .await?;
        advance::<WfDecision>(
            &mut tx,
            proposal.id,
            None,
            decision_action,
            actor,
            &[
                ("decided_by", Value::Text(Some(actor.name.clone()))),
                ("decided_at", Value::Int(Some(time::now()))),
                (
                    "decision_comment",
                    Value::Text(Some(comment.trim().to_owned())),
                ),
            ],
            Trail {
                jurisdiction: Some(&jurisdiction),
                details: json!({"alert_id": alert_id, "action": proposal.action}),
            },
        )
        .await?;
        if confirm {
            let reason = format!(
                "监控预警处置（{}）：{}",
                proposal.action_label(),
                proposal.comment
            );
            let current = lock_allotment(&mut tx, allotment.id).await?;
            match proposal.action.as_str() {
                "adjust" => {
                    if proposal.recover_fen > 0 {
                        recover_in(
                            &mut tx,
                            allotment.id,
                            proposal.recover_fen,
                            &reason,
                            &actor.name,
                        )
                        .await?;
                    }
                    if let Some((project, sheet)) = &revision {
                        self.start_revision(
                            &mut tx,
                            project,
                            sheet,
                            project.version,
                            actor,
                            jixiao_core::workflow::ProjectAction::ReviseAfterAlert,
                        )
                        .await?;
                    }
                }
                "cancel" => {
                    let available = current.balances().available();
                    if available > 0 {
                        recover_in(&mut tx, allotment.id, available, &reason, &actor.name).await?;
                    }
                    set_suspension_in(
                        &mut tx,
                        allotment.id,
                        true,
                        "项目已终止（监控预警处置）",
                        &actor.name,
                    )
                    .await?;
                }
                _ => {}
            }
            // A decision lifts the stop this alert put on payments.
            if proposal.action != "cancel"
                && current.suspended
                && current.suspension_reason == rulebook.monitoring.suspension_reason
            {
                set_suspension_in(&mut tx, allotment.id, false, "监控预警已处置", &actor.name)
                    .await?;
            }
        }
        tx.commit().await?;
        self.alert(actor, alert_id).await
    }

    /// Stops payments on every red alert whose deadline passed before `as_of` without a
    /// confirmed decision (finance, or the scheduled job as the system). Returns the alerts
    /// that were suspended now. Running it again changes nothing.
    pub async fn enforce_alert_deadlines(
        &self,
        actor: &Actor,
        round_id: Option<i64>,
        as_of: NaiveDate,
    ) -> Result<Vec<i64>> {
        if actor.role != Role::Finance {
            return Err(Error::Forbidden);
        }
        if let Some(id) = round_id {
            self.monitoring_round(actor, id).await?;
        }
        let as_of_text = as_of.format("%Y-%m-%d").to_string();
        let due: Vec<(i64, i64, i64, String)> = on_pool!(&self.pool, |pool| {
            let mut query = sqlx::QueryBuilder::new(
                "SELECT al.id, a.id, r.rulebook_id, r.jurisdiction_code FROM alerts al \
                 JOIN monitoring_rounds r ON r.id = al.round_id \
                 JOIN allotments a ON a.project_id = al.project_id \
                 WHERE al.level = 'red' AND al.status <> 'decided' AND al.suspended = FALSE \
                 AND al.deadline < ",
            );
            query.push_bind(as_of_text.clone());
            if let Some(id) = round_id {
                query.push(" AND al.round_id = ").push_bind(id);
            }
            if let Some(code) = &actor.jurisdiction {
                query
                    .push(" AND r.jurisdiction_code = ")
                    .push_bind(code.clone());
            }
            query.push(" ORDER BY al.id");
            query.build_query_as().fetch_all(pool).await?
        });
        let mut suspended = Vec::new();
        for (alert_id, allotment_id, rulebook_id, jurisdiction) in due {
            let reason = self
                .rulebook_by_id(rulebook_id)
                .await?
                .rulebook()?
                .monitoring
                .suspension_reason;
            let mut tx = self.begin().await?;
            // Only if still undecided and not yet suspended (another run may have come first):
            // read under the row's lock, which the move below keeps.
            let (state, _) = workflow::current::<WfAlert>(&mut tx, alert_id).await?;
            let already: bool = on_tx!(&mut tx, |conn| {
                sqlx::query_scalar("SELECT suspended FROM alerts WHERE id = $1")
                    .bind(alert_id)
                    .fetch_one(&mut *conn)
                    .await?
            });
            if already || state == AlertState::Decided {
                tx.rollback().await?;
                continue;
            }
            // The allotment before the audit head (the move below appends to the log), in the
            // order every treasury transaction takes them, so the job never deadlocks a payment.
            let current = lock_allotment(&mut tx, allotment_id).await?;
            advance::<WfAlert>(
                &mut tx,
                alert_id,
                None,
                AlertAction::Suspend,
                actor,
                &[("suspended", Value::Bool(true))],
                Trail {
                    jurisdiction: Some(&jurisdiction),
                    details: json!({"as_of": as_of_text, "reason": reason}),
                },
            )
            .await?;
            if !current.suspended {
                set_suspension_in(&mut tx, allotment_id, true, &reason, &actor.name).await?;
            }
            tx.commit().await?;
            suspended.push(alert_id);
        }
        Ok(suspended)
    }
}

/// Withdraws an alert that no longer applies (never one with decisions or a suspension).
async fn withdraw(tx: &mut Tx, id: i64) -> Result<()> {
    on_tx!(tx, |conn| {
        sqlx::query(
            "DELETE FROM alerts WHERE id = $1 AND suspended = FALSE AND NOT EXISTS \
             (SELECT 1 FROM alert_decisions d WHERE d.alert_id = alerts.id)",
        )
        .bind(id)
        .execute(&mut *conn)
        .await?;
    });
    Ok(())
}

/// A monitoring task waiting for the signed-in user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MonitoringTask {
    /// What to do, in Chinese.
    pub label: String,
    /// The project.
    pub project_name: String,
    /// By when or about what.
    pub detail: String,
    /// Where to do it.
    pub link: String,
}

impl Store {
    /// Monitoring work waiting for the actor: agencies fill, submit again and propose; finance
    /// reviews reports and confirms proposals.
    pub async fn monitoring_tasks(&self, actor: &Actor) -> Result<Vec<MonitoringTask>> {
        let (report_states, alert_status) = match actor.role {
            Role::Agency => (vec!["pending", "draft", "returned"], "open"),
            Role::Finance => (vec!["submitted"], "proposed"),
            _ => return Ok(Vec::new()),
        };
        let scope = self.project_scope(actor).await?;
        let reports: Vec<(i64, i64, String, String, String, String)> = on_pool!(
            &self.pool,
            |pool| {
                let mut query = sqlx::QueryBuilder::new(
                    "SELECT r.id, p.id, p.name, r.cutoff, r.due, x.state FROM monitoring_reports x \
                 JOIN monitoring_rounds r ON r.id = x.round_id JOIN projects p ON p.id = x.project_id \
                 WHERE x.state IN (",
                );
                let mut list = query.separated(", ");
                for state in &report_states {
                    list.push_bind(state.to_string());
                }
                query.push(")");
                scope.push(&mut query);
                query.push(" ORDER BY r.due, p.code LIMIT 50");
                query.build_query_as().fetch_all(pool).await?
            }
        );
        let alerts: Vec<(i64, String, Option<String>)> = on_pool!(&self.pool, |pool| {
            let mut query = sqlx::QueryBuilder::new(
                "SELECT al.id, p.name, al.deadline FROM alerts al JOIN projects p ON p.id = al.project_id \
                 WHERE al.level = 'red' AND al.status = ",
            );
            query.push_bind(alert_status);
            scope.push(&mut query);
            query.push(" ORDER BY al.deadline, p.code LIMIT 50");
            query.build_query_as().fetch_all(pool).await?
        });
        let mut tasks: Vec<MonitoringTask> = alerts
            .into_iter()
            .map(|(id, name, deadline)| MonitoringTask {
                label: if actor.role == Role::Agency {
                    "提出红色预警处置意见".to_owned()
                } else {
                    "确认预警处置意见".to_owned()
                },
                project_name: name,
                detail: deadline.map_or_else(String::new, |d| format!("处置期限 {d}")),
                link: format!("/alerts/{id}"),
            })
            .collect();
        tasks.extend(
            reports.into_iter().map(
                |(round, project, name, cutoff, due, state)| MonitoringTask {
                    label: match state.as_str() {
                        "returned" => "修改被退回的监控表".to_owned(),
                        "submitted" => "审核监控表".to_owned(),
                        _ => "填报绩效运行监控表".to_owned(),
                    },
                    project_name: name,
                    detail: format!("截至{cutoff}，{due}前报送"),
                    link: format!("/monitoring/{round}/reports/{project}"),
                },
            ),
        );
        Ok(tasks)
    }
}
