//! Results application (结果应用) as stored: proposals made by the rulebook from each evaluated
//! project's grade for its continuing project next year, finance's decision (accept, change with
//! a reason, reject), the cut that binds next year's approval, and the year's money cut.

use crate::audit::append;
use crate::stored::{self, Readable};
use crate::tx::Tx;
use crate::workflow::{self, Trail, Value, advance};
use crate::{Error, Result, Store};
use jixiao_core::audit::AuditEntry;
use jixiao_core::workflow::{Adjustment as WfAdjustment, AdjustmentAction, AdjustmentState};
use jixiao_core::{Actor, money, time};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::QueryBuilder;

/// A proposal and its decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Adjustment {
    /// Id.
    pub id: i64,
    /// The evaluated year.
    pub year: i32,
    /// The evaluated project.
    pub evaluated_project_id: i64,
    /// Its code.
    pub evaluated_code: String,
    /// Its name.
    pub evaluated_name: String,
    /// Its agency.
    pub agency_name: String,
    /// Next year's continuing project.
    pub next_project_id: i64,
    /// Its code.
    pub next_code: String,
    /// Its name.
    pub next_name: String,
    /// Its state.
    pub next_state: String,
    /// 优/良/中/差.
    pub grade: String,
    /// The score behind the grade.
    pub score_x100: i64,
    /// `self_evaluation` or `evaluation` (key evaluation).
    pub source: String,
    /// `priority`, `as_needed`, `cut`, `cancel`.
    pub action: String,
    /// Next year's request when proposed.
    pub base_fen: i64,
    /// The rulebook's cut.
    pub proposed_cut_fen: i64,
    /// `proposed`, `accepted`, `changed`, `rejected`.
    pub status: String,
    /// The cut decided (0 until decided, and when rejected).
    pub cut_fen: i64,
    /// Why changed or rejected.
    pub reason: String,
    /// Decided by.
    pub decided_by: Option<String>,
    /// Decided at.
    pub decided_at: Option<i64>,
}

impl Readable for Adjustment {
    fn read(self) -> Result<Adjustment> {
        self.workflow_state()?;
        Ok(self)
    }
}

impl Adjustment {
    /// 优先保障 … as users read the action.
    pub fn action_label(&self) -> &'static str {
        action_label(&self.action)
    }

    /// 待决定/采纳建议/调整后采纳/不采纳 (the workflow's labels).
    pub fn status_label(&self) -> &'static str {
        AdjustmentState::parse(&self.status).map_or("未知", AdjustmentState::label)
    }

    /// The workflow state, or which row holds a status the workflow does not know.
    pub(crate) fn workflow_state(&self) -> Result<AdjustmentState> {
        workflow::parse_state::<WfAdjustment>(&self.status, self.id)
    }
}

/// The label of an action code.
pub fn action_label(action: &str) -> &'static str {
    match action {
        "priority" => "优先保障",
        "as_needed" => "按需安排",
        "cut" => "压减预算",
        "cancel" => "取消或暂停安排",
        _ => "未知",
    }
}

/// Finance's decision on a proposal.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(tag = "decision", rename_all = "lowercase")]
pub enum AdjustmentDecision {
    /// Take the rulebook's cut.
    Accept,
    /// Cut a different amount, with a reason.
    Change {
        /// The cut, fen.
        cut_fen: i64,
        /// Why.
        reason: String,
    },
    /// Cut nothing, with a reason.
    Reject {
        /// Why.
        reason: String,
    },
}

/// The year's money cut through results application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Cuts {
    /// Money cut, fen.
    pub amount_fen: i64,
    /// Projects cut.
    pub projects: i64,
}

const SELECT_ADJUSTMENT: &str = "SELECT x.id, x.year, x.evaluated_project_id, \
     e.code AS evaluated_code, e.name AS evaluated_name, ag.name AS agency_name, \
     x.next_project_id, n.code AS next_code, n.name AS next_name, n.state AS next_state, \
     x.grade, x.score_x100, x.source, x.action, x.base_fen, x.proposed_cut_fen, x.status, \
     x.cut_fen, x.reason, x.decided_by, x.decided_at \
     FROM adjustments x JOIN projects e ON e.id = x.evaluated_project_id \
     JOIN projects n ON n.id = x.next_project_id JOIN agencies ag ON ag.id = e.agency_id";

#[derive(Debug, sqlx::FromRow)]
struct Candidate {
    evaluated_id: i64,
    next_id: i64,
    next_requested_fen: i64,
    grade: String,
    score_x100: i64,
    rulebook_id: i64,
    source: String,
}

/// The cut decided for a project as next year's continuation, with what decided it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct BindingCut {
    pub(crate) year: i32,
    pub(crate) grade: String,
    pub(crate) action: String,
    pub(crate) cut_fen: i64,
}

/// The decided cut binding a project's approval, if any.
pub(crate) async fn binding_cut(tx: &mut Tx, project_id: i64) -> Result<Option<BindingCut>> {
    Ok(on_tx!(tx, |conn| {
        sqlx::query_as(
            "SELECT year, grade, action, cut_fen FROM adjustments \
             WHERE next_project_id = $1 AND status IN ('accepted', 'changed') AND cut_fen > 0",
        )
        .bind(project_id)
        .fetch_optional(&mut *conn)
        .await?
    }))
}

impl Store {
    /// Makes the rulebook's proposals for the year's evaluated projects that continue next year
    /// and have none yet (finance). Returns how many were made.
    pub async fn propose_adjustments(&self, actor: &Actor, year: i32) -> Result<usize> {
        let jurisdiction = crate::monitoring::finance_jurisdiction(actor)?;
        let candidates: Vec<Candidate> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(
                "SELECT p.id AS evaluated_id, n.id AS next_id, n.requested_fen AS next_requested_fen, \
                 COALESCE(e.final_grade, s.grade) AS grade, \
                 COALESCE(e.final_x100, s.total_x100) AS score_x100, \
                 COALESCE(e.rulebook_id, s.rulebook_id) AS rulebook_id, \
                 CASE WHEN e.id IS NULL THEN 'self_evaluation' ELSE 'evaluation' END AS source \
                 FROM projects p JOIN projects n ON n.previous_project_id = p.id \
                 LEFT JOIN self_evaluations s ON s.project_id = p.id AND s.state = 'approved' \
                 LEFT JOIN evaluations e ON e.project_id = p.id AND e.state = 'confirmed' \
                 WHERE p.jurisdiction_code = $1 AND p.year = $2 \
                 AND (s.id IS NOT NULL OR e.id IS NOT NULL) \
                 AND n.state <> 'approved' \
                 AND NOT EXISTS (SELECT 1 FROM adjustments x WHERE x.evaluated_project_id = p.id \
                                 OR x.next_project_id = n.id) \
                 ORDER BY p.code",
            )
            .bind(&jurisdiction)
            .bind(year)
            .fetch_all(pool)
            .await?
        });
        if candidates.is_empty() {
            return Ok(0);
        }
        let mut rulebooks = std::collections::HashMap::new();
        for c in &candidates {
            if let std::collections::hash_map::Entry::Vacant(e) = rulebooks.entry(c.rulebook_id) {
                e.insert(self.rulebook_by_id(c.rulebook_id).await?.rulebook()?);
            }
        }
        let proposed = workflow::create::<WfAdjustment>(AdjustmentAction::Propose, actor)?;
        let now = time::now();
        let mut tx = self.begin().await?;
        let mut made = 0usize;
        let mut cut_total = 0i64;
        for c in &candidates {
            let Some(proposal) = rulebooks.get(&c.rulebook_id).and_then(|r| {
                r.results_application
                    .propose(&c.grade, c.next_requested_fen)
            }) else {
                continue;
            };
            on_tx!(&mut tx, |conn| {
                sqlx::query(
                    "INSERT INTO adjustments (jurisdiction_code, year, evaluated_project_id, \
                     next_project_id, grade, score_x100, source, action, base_fen, \
                     proposed_cut_fen, status, proposed_by, proposed_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
                )
                .bind(&jurisdiction)
                .bind(year)
                .bind(c.evaluated_id)
                .bind(c.next_id)
                .bind(&c.grade)
                .bind(c.score_x100)
                .bind(&c.source)
                .bind(&proposal.action)
                .bind(c.next_requested_fen)
                .bind(proposal.cut_fen)
                .bind(proposed.as_str())
                .bind(&actor.name)
                .bind(now)
                .execute(&mut *conn)
                .await?;
            });
            made += 1;
            cut_total += proposal.cut_fen;
        }
        append(
            &mut tx,
            // One record for the year's batch, under the creating action's code
            // (`adjustment.propose`, labelled by the workflow).
            AuditEntry::new(
                &actor.name,
                "adjustment.propose",
                "adjustment",
                &year.to_string(),
            )
            .in_jurisdiction(Some(&jurisdiction))
            .with_details(json!({"year": year, "proposals": made,
                                     "proposed_cut": money::format_wan_exact(cut_total)})),
        )
        .await?;
        tx.commit().await?;
        Ok(made)
    }

    /// The year's proposals and decisions within the actor's sight (agencies see their own).
    pub async fn adjustments(&self, actor: &Actor, year: i32) -> Result<Vec<Adjustment>> {
        let scope = self.project_scope(actor).await?;
        Ok(on_pool!(&self.pool, |pool| {
            let mut query = QueryBuilder::new(format!("{SELECT_ADJUSTMENT} WHERE x.year = "));
            query.push_bind(year);
            // The scope filters on `p`; here the evaluated project plays that part.
            query.push(" AND x.evaluated_project_id IN (SELECT p.id FROM projects p WHERE 1 = 1");
            scope.push(&mut query);
            query.push(") ORDER BY x.cut_fen DESC, e.code");
            stored::all(query.build_query_as().fetch_all(pool).await?)?
        }))
    }

    /// One proposal.
    pub async fn adjustment(&self, actor: &Actor, id: i64) -> Result<Adjustment> {
        let scope = self.project_scope(actor).await?;
        let found: Option<Adjustment> = on_pool!(&self.pool, |pool| {
            let mut query = QueryBuilder::new(format!("{SELECT_ADJUSTMENT} WHERE x.id = "));
            query.push_bind(id);
            query.push(" AND x.evaluated_project_id IN (SELECT p.id FROM projects p WHERE 1 = 1");
            scope.push(&mut query);
            query.push(")");
            stored::one(query.build_query_as().fetch_optional(pool).await?)?
        });
        found.ok_or_else(|| Error::NotFound("结果应用建议不存在".to_owned()))
    }

    /// Finance decides on a proposal, before next year's project is approved.
    pub async fn decide_adjustment(
        &self,
        actor: &Actor,
        id: i64,
        decision: &AdjustmentDecision,
    ) -> Result<Adjustment> {
        let jurisdiction = crate::monitoring::finance_jurisdiction(actor)?;
        let current = self.adjustment(actor, id).await?;
        let action = match decision {
            AdjustmentDecision::Accept => AdjustmentAction::Accept,
            AdjustmentDecision::Change { .. } => AdjustmentAction::Change,
            AdjustmentDecision::Reject { .. } => AdjustmentAction::Reject,
        };
        workflow::check::<WfAdjustment>(current.workflow_state()?, action, actor)?;
        if current.next_state == "approved" {
            return Err(Error::conflict(
                crate::ConflictCode::ResultApplied,
                format!("项目“{}”已批复，结果应用须在批复前决定", current.next_name),
            ));
        }
        let (cut_fen, reason) = match decision {
            AdjustmentDecision::Accept => (current.proposed_cut_fen, String::new()),
            AdjustmentDecision::Change { cut_fen, reason } => {
                if !(0..=current.base_fen).contains(cut_fen) {
                    return Err(Error::invalid(
                        "cut_fen",
                        "out_of_range",
                        format!(
                            "调减金额应在0至{}万元之间",
                            money::format_wan_exact(current.base_fen)
                        ),
                    ));
                }
                (*cut_fen, reason.trim().to_owned())
            }
            AdjustmentDecision::Reject { reason } => (0, reason.trim().to_owned()),
        };
        if action != AdjustmentAction::Accept && reason.is_empty() {
            return Err(Error::invalid(
                "reason",
                "required",
                "调整或不采纳建议时须说明理由",
            ));
        }
        if reason.chars().count() > 500 {
            return Err(Error::invalid("reason", "too_long", "理由不能超过500字"));
        }
        let mut tx = self.begin().await?;
        // Next year's project must still be unapproved: read under its lock, which its approval
        // (which reads the decided cut) also takes.
        let sql = if tx.is_postgres() {
            "SELECT state FROM projects WHERE id = $1 FOR UPDATE"
        } else {
            "SELECT state FROM projects WHERE id = $1"
        };
        let next_state: String = on_tx!(&mut tx, |conn| {
            sqlx::query_scalar(sql)
                .bind(current.next_project_id)
                .fetch_one(&mut *conn)
                .await?
        });
        if next_state == "approved" {
            return Err(Error::StaleVersion(
                "项目已批复，结果应用须在批复前决定，请刷新后重试".to_owned(),
            ));
        }
        advance::<WfAdjustment>(
            &mut tx,
            id,
            None,
            action,
            actor,
            &[
                ("cut_fen", Value::Int(Some(cut_fen))),
                ("reason", Value::Text(Some(reason.clone()))),
                ("decided_by", Value::Text(Some(actor.name.clone()))),
                ("decided_at", Value::Int(Some(time::now()))),
            ],
            Trail {
                jurisdiction: Some(&jurisdiction),
                details: json!({
                    "evaluated": current.evaluated_code,
                    "next": current.next_code,
                    "grade": current.grade,
                    "proposed_cut": money::format_wan_exact(current.proposed_cut_fen),
                    "cut": money::format_wan_exact(cut_fen),
                    "reason": reason,
                }),
            },
        )
        .await?;
        tx.commit().await?;
        self.adjustment(actor, id).await
    }

    /// Money cut through results application for the year's evaluations (decided cuts only).
    pub async fn cuts(&self, actor: &Actor, year: i32) -> Result<Cuts> {
        let list = self.adjustments(actor, year).await?;
        let cut: Vec<&Adjustment> = list
            .iter()
            .filter(|a| matches!(a.status.as_str(), "accepted" | "changed") && a.cut_fen > 0)
            .collect();
        Ok(Cuts {
            amount_fen: cut.iter().map(|a| a.cut_fen).sum(),
            projects: i64::try_from(cut.len()).unwrap_or(i64::MAX),
        })
    }
}
