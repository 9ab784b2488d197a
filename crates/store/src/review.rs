//! Submission through the gate, review step by step, return and approval with money, revision
//! of approved targets, the ex-ante assessment, and each user's queue (待我处理).

use crate::audit::append;
use crate::projects::{Project, ProjectDetail, SELECT_PROJECT, bump_version};
use crate::target_reviews::SheetReview;
use crate::targets::write_sheet;
use crate::workflow::{self, Trail, Value, advance};
use crate::{Error, Result, Store};
use jixiao_core::audit::AuditEntry;
use jixiao_core::gate::{self, ProjectFacts};
use jixiao_core::money;
use jixiao_core::project::{PreAssessment, ProjectState, TargetGrade};
use jixiao_core::rulebook::DEPARTMENT_STEP;
use jixiao_core::workflow::{Project as WfProject, ProjectAction};
use jixiao_core::{Actor, Role, time};
use serde::Serialize;
use serde_json::json;
use sqlx::QueryBuilder;

/// One entry of a project's review trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ReviewRecord {
    /// The step (`department`, `budget`, … or `agency` for submissions).
    pub step: String,
    /// `submit`, `approve`, `return` or `revise`.
    pub action: String,
    /// The comment.
    pub comment: String,
    /// Target grade given.
    pub grade: Option<String>,
    /// Amount approved.
    pub approved_fen: Option<i64>,
    /// Who.
    pub actor: String,
    /// When.
    pub at: i64,
}

impl ReviewRecord {
    /// 提交/通过/退回/发起调整.
    pub fn action_label(&self) -> &'static str {
        match self.action.as_str() {
            "submit" => "提交审核",
            "approve" => "审核通过",
            "return" => "退回修改",
            "revise" => "发起目标调整",
            _ => "",
        }
    }
}

/// A reviewer's decision on the current step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Pass the step; on the last step, approve with the money.
    Approve {
        /// The target grade, required where the step grades targets.
        grade: Option<TargetGrade>,
        /// The approved amount, on the last step (defaults to the request).
        approved_fen: Option<i64>,
        /// Why the approved amount differs from the request.
        reason: String,
        /// Comment.
        comment: String,
    },
    /// Send it back with comments.
    Return {
        /// What to change (required).
        comment: String,
    },
}

impl Decision {
    /// The workflow action the decision is on a step before the transaction decides whether the
    /// step is the last (then an approval is [`ProjectAction::Approve`]).
    fn action_on_step(&self) -> ProjectAction {
        match self {
            Decision::Approve { .. } => ProjectAction::PassStep,
            Decision::Return { .. } => ProjectAction::Return,
        }
    }
}

impl Store {
    /// A project with its working sheet, approved sheet (when different) and review trail.
    pub async fn project_detail(&self, actor: &Actor, id: i64) -> Result<ProjectDetail> {
        let project = self.project(actor, id).await?;
        let target = self.target_sheet(id, project.target_revision).await?;
        let approved_target = match project.approved_revision {
            Some(revision) if revision != project.target_revision => {
                Some(self.target_sheet(id, revision).await?)
            }
            _ => None,
        };
        let reviews: Vec<ReviewRecord> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(
                "SELECT step, action, comment, grade, approved_fen, actor, at \
                 FROM project_reviews WHERE project_id = $1 ORDER BY id",
            )
            .bind(id)
            .fetch_all(pool)
            .await?
        });
        Ok(ProjectDetail {
            project,
            target,
            approved_target,
            reviews,
        })
    }

    /// Submits a draft or returned project. The rulebook's gate runs first; a project that
    /// fails stays a draft and gets every finding ([`Error::GateFailed`]).
    pub async fn submit_project(&self, actor: &Actor, id: i64, version: i32) -> Result<Project> {
        let project = self.editable_project(actor, id).await?;
        let record = self
            .rulebook_in_force(&project.jurisdiction_code, project.year)
            .await?;
        let rulebook = record.rulebook()?;
        let sheet = self.target_sheet(id, project.target_revision).await?;
        let mut findings = gate::check(
            &rulebook,
            &sheet,
            ProjectFacts {
                is_new: project.is_new,
                requested_fen: project.requested_fen,
                serves_people: project.serves_people,
                pre_assessment: project
                    .pre_assessment
                    .as_deref()
                    .and_then(PreAssessment::parse),
            },
        );
        // The automatic review's errors gate submission beside the gate's own checks (the
        // rulebook's [target_review.severity] decides which are errors); a row the gate already
        // names for the same reason is not named twice.
        let review = SheetReview::for_project(&record, &sheet, &project)?;
        for finding in review.errors() {
            let code = finding.code.as_str();
            if findings
                .iter()
                .any(|f| f.code == code && f.row == finding.row)
            {
                continue;
            }
            let message = match finding.row {
                Some(row) if !finding.indicator.is_empty() => {
                    format!("第{row}行（{}）：{}", finding.indicator, finding.message)
                }
                Some(row) => format!("第{row}行：{}", finding.message),
                None => finding.message.clone(),
            };
            findings.push(gate::Finding {
                code,
                message,
                row: finding.row,
            });
        }
        if !findings.is_empty() {
            return Err(Error::GateFailed(findings));
        }
        let first = rulebook
            .first_step(project.agency_parent_id.is_some())
            .to_owned();
        let mut tx = self.begin().await?;
        advance::<WfProject>(
            &mut tx,
            id,
            Some(version),
            ProjectAction::Submit,
            actor,
            &[
                ("review_step", Value::Text(Some(first.clone()))),
                ("rulebook_id", Value::Int(Some(record.id))),
                ("target_grade", Value::Text(None)),
            ],
            Trail {
                jurisdiction: Some(&project.jurisdiction_code),
                details: json!({"step": first, "rulebook": record.id}),
            },
        )
        .await?;
        self.record_review(&mut tx, id, "agency", "submit", "", None, None, &actor.name)
            .await?;
        tx.commit().await?;
        self.project(actor, id).await
    }

    /// Decides the project's current review step. The department step belongs to the agency
    /// user of the unit's department; finance steps to finance.
    pub async fn review_project(
        &self,
        actor: &Actor,
        id: i64,
        version: i32,
        decision: &Decision,
    ) -> Result<Project> {
        let project = self.project(actor, id).await?;
        if project.version != version {
            return Err(workflow::stale::<WfProject>());
        }
        // The step and money below are read from this row; `advance` re-checks its version
        // inside the transaction, so they are the ones the decision applies to.
        let state = project.state();
        workflow::check::<WfProject>(state, decision.action_on_step(), actor)?;
        let step = project.review_step.clone().unwrap_or_default();
        let reviewer_ok = if step == DEPARTMENT_STEP {
            actor.role == Role::Agency
                && actor.agency_id.is_some()
                && actor.agency_id == project.agency_parent_id
        } else {
            actor.role == Role::Finance
        };
        if !reviewer_ok {
            return Err(Error::Forbidden);
        }
        let record = match project.rulebook_id {
            Some(rulebook_id) => self.rulebook_by_id(rulebook_id).await?,
            None => {
                self.rulebook_in_force(&project.jurisdiction_code, project.year)
                    .await?
            }
        };
        let rulebook = record.rulebook()?;
        if rulebook.review.distinct_reviewers && step != DEPARTMENT_STEP {
            self.check_distinct_reviewer(&project, &step, actor, &rulebook)
                .await?;
        }
        let mut tx = self.begin().await?;
        match decision {
            Decision::Return { comment } => {
                if comment.trim().is_empty() {
                    return Err(Error::invalid(
                        "comment",
                        "required",
                        "退回时须填写审核意见",
                    ));
                }
                advance::<WfProject>(
                    &mut tx,
                    id,
                    Some(version),
                    ProjectAction::Return,
                    actor,
                    &[("review_step", Value::Text(None))],
                    Trail {
                        jurisdiction: Some(&project.jurisdiction_code),
                        details: json!({"step": step, "comment": comment.trim()}),
                    },
                )
                .await?;
                self.record_review(
                    &mut tx,
                    id,
                    &step,
                    "return",
                    comment.trim(),
                    None,
                    None,
                    &actor.name,
                )
                .await?;
            }
            Decision::Approve {
                grade,
                approved_fen,
                reason,
                comment,
            } => {
                let grades = rulebook.step(&step).is_some_and(|s| s.grades_target);
                if grades {
                    let Some(grade) = grade else {
                        return Err(Error::invalid(
                            "grade",
                            "required",
                            "请评定绩效目标等级（优/良/中/差）",
                        ));
                    };
                    if rulebook
                        .review
                        .blocking_grades
                        .iter()
                        .any(|g| g == grade.as_str())
                    {
                        return Err(Error::invalid(
                            "grade",
                            "blocking_grade",
                            format!(
                                "绩效目标评定为“{}”的项目不能审核通过，请退回修改",
                                grade.as_str()
                            ),
                        ));
                    }
                }
                let next = rulebook.next_step(&step).map(str::to_owned);
                let grade_text = grade.filter(|_| grades).map(|g| g.as_str().to_owned());
                match next {
                    Some(next) => {
                        advance::<WfProject>(
                            &mut tx,
                            id,
                            Some(version),
                            ProjectAction::PassStep,
                            actor,
                            &[
                                ("review_step", Value::Text(Some(next.clone()))),
                                (
                                    "target_grade",
                                    Value::Text(
                                        grade_text.clone().or_else(|| project.target_grade.clone()),
                                    ),
                                ),
                            ],
                            Trail {
                                jurisdiction: Some(&project.jurisdiction_code),
                                details: json!({"step": step, "next": next, "grade": grade_text,
                                                "comment": comment.trim()}),
                            },
                        )
                        .await?;
                        self.record_review(
                            &mut tx,
                            id,
                            &step,
                            "approve",
                            comment.trim(),
                            grade_text.clone(),
                            None,
                            &actor.name,
                        )
                        .await?;
                    }
                    None => {
                        // Results application binds the approval: the decided cut comes off.
                        let binding = crate::adjustments::binding_cut(&mut tx, id).await?;
                        let ceiling = project.requested_fen
                            - binding
                                .as_ref()
                                .map_or(0, |b| b.cut_fen)
                                .min(project.requested_fen);
                        if let Some(b) = &binding
                            && ceiling == 0
                        {
                            return Err(Error::conflict(
                                crate::ConflictCode::ResultApplied,
                                format!(
                                    "依据{}年度绩效评价结果（{}），该项目已决定{}，不能批复",
                                    b.year,
                                    b.grade,
                                    crate::adjustments::action_label(&b.action)
                                ),
                            ));
                        }
                        // A revision of an approved project keeps its approved amount unless
                        // the reviewer names another.
                        let approved = approved_fen.unwrap_or_else(|| {
                            project.approved_fen.map_or(ceiling, |a| a.min(ceiling))
                        });
                        if let Some(b) = &binding
                            && approved > ceiling
                        {
                            return Err(Error::invalid(
                                "approved_fen",
                                "above_results_cut",
                                format!(
                                    "依据{}年度绩效评价结果（{}）已决定调减{}万元，批复金额不能超过{}万元",
                                    b.year,
                                    b.grade,
                                    money::format_wan_exact(b.cut_fen),
                                    money::format_wan_exact(ceiling)
                                ),
                            ));
                        }
                        let reason = match &binding {
                            Some(b)
                                if reason.trim().is_empty()
                                    && approved != project.requested_fen =>
                            {
                                format!(
                                    "依据{}年度绩效评价结果（{}）调减{}万元",
                                    b.year,
                                    b.grade,
                                    money::format_wan_exact(b.cut_fen)
                                )
                            }
                            // The same amount as before keeps its reason.
                            _ if reason.trim().is_empty()
                                && project.approved_fen == Some(approved) =>
                            {
                                project.approval_reason.clone()
                            }
                            _ => reason.clone(),
                        };
                        // Targets made for another amount must be adjusted to this one: a
                        // first approval holds the sheet against the request, a revision
                        // against the amount it was made for (decision 0043).
                        let (made_for, _) = project.target_amount();
                        let targets_adjust_fen = (approved != made_for).then_some(approved);
                        if !(0..=money::MAX_FEN).contains(&approved) {
                            return Err(Error::invalid(
                                "approved_fen",
                                "out_of_range",
                                "批复金额应为不小于零的金额",
                            ));
                        }
                        if approved != project.requested_fen && reason.trim().is_empty() {
                            return Err(Error::invalid(
                                "reason",
                                "required",
                                format!(
                                    "批复金额{}万元与申报金额{}万元不同，须说明理由",
                                    money::format_wan_exact(approved),
                                    money::format_wan_exact(project.requested_fen)
                                ),
                            ));
                        }
                        advance::<WfProject>(
                            &mut tx,
                            id,
                            Some(version),
                            ProjectAction::Approve,
                            actor,
                            &[
                                ("review_step", Value::Text(None)),
                                (
                                    "target_grade",
                                    Value::Text(
                                        grade_text.clone().or_else(|| project.target_grade.clone()),
                                    ),
                                ),
                                ("approved_fen", Value::Int(Some(approved))),
                                (
                                    "approval_reason",
                                    Value::Text(Some(reason.trim().to_owned())),
                                ),
                                (
                                    "approved_revision",
                                    Value::Int(Some(i64::from(project.target_revision))),
                                ),
                                ("targets_adjust_fen", Value::Int(targets_adjust_fen)),
                            ],
                            Trail {
                                jurisdiction: Some(&project.jurisdiction_code),
                                details: json!({
                                    "step": step, "approved_fen": approved,
                                    "requested_fen": project.requested_fen, "reason": reason.trim(),
                                    "targets_adjust_fen": targets_adjust_fen,
                                    "grade": grade_text, "rulebook": record.id,
                                    "comment": comment.trim(),
                                }),
                            },
                        )
                        .await?;
                        self.record_review(
                            &mut tx,
                            id,
                            &step,
                            "approve",
                            comment.trim(),
                            grade_text.clone(),
                            Some(approved),
                            &actor.name,
                        )
                        .await?;
                        // Approval opens the allotment in the same transaction.
                        crate::allotments::open_or_adjust(&mut tx, id, approved, &actor.name)
                            .await?;
                    }
                }
            }
        }
        tx.commit().await?;
        self.project(actor, id).await
    }

    /// Separation of duties: refuses `actor` on finance step `step` of `project` if they already
    /// decided another finance step of the same submission.
    async fn check_distinct_reviewer(
        &self,
        project: &Project,
        step: &str,
        actor: &Actor,
        rulebook: &jixiao_core::rulebook::Rulebook,
    ) -> Result<()> {
        let earlier: Option<String> = on_pool!(&self.pool, |pool| {
            sqlx::query_scalar(
                "SELECT step FROM project_reviews WHERE project_id = $1 AND actor = $2 \
                 AND action = 'approve' AND step <> $3 AND step <> $4 \
                 AND id > COALESCE((SELECT MAX(id) FROM project_reviews \
                 WHERE project_id = $1 AND action = 'submit'), 0) \
                 ORDER BY id LIMIT 1",
            )
            .bind(project.id)
            .bind(&actor.name)
            .bind(step)
            .bind(DEPARTMENT_STEP)
            .fetch_optional(pool)
            .await?
        });
        match earlier {
            None => Ok(()),
            Some(done) => Err(Error::DutySeparation(format!(
                "按本年度规则，同一项目的各财政审核环节须由不同人员办理：您已办理本项目的“{}”，“{}”请由其他人员办理",
                rulebook.step_name(&done),
                rulebook.step_name(step)
            ))),
        }
    }

    /// Starts a revision of an approved project's targets: a new working sheet copied from the
    /// approved one, which stays readable; the project goes through review again.
    pub async fn revise_project(&self, actor: &Actor, id: i64, version: i32) -> Result<Project> {
        let project = self.project(actor, id).await?;
        workflow::check::<WfProject>(project.state(), ProjectAction::Revise, actor)?;
        let sheet = self.target_sheet(id, project.target_revision).await?;
        let mut tx = self.begin().await?;
        self.start_revision(
            &mut tx,
            &project,
            &sheet,
            version,
            actor,
            ProjectAction::Revise,
        )
        .await?;
        tx.commit().await?;
        self.project(actor, id).await
    }

    /// Starts a revision of an approved project's targets inside `tx`: the next working sheet,
    /// a copy of `sheet` (the current one, read before the transaction), and the project back to draft (its approved sheet stays
    /// readable, its allotment untouched) until the revision passes review.
    pub(crate) async fn start_revision(
        &self,
        tx: &mut crate::tx::Tx,
        project: &Project,
        sheet: &jixiao_core::target::TargetSheet,
        expected_version: i32,
        actor: &Actor,
        action: ProjectAction,
    ) -> Result<()> {
        let id = project.id;
        let next = project.target_revision + 1;
        let record = self
            .rulebook_in_force(&project.jurisdiction_code, project.year)
            .await?;
        let review = SheetReview::for_project(&record, sheet, project)?;
        advance::<WfProject>(
            tx,
            id,
            Some(expected_version),
            action,
            actor,
            &[("target_revision", Value::Int(Some(i64::from(next))))],
            Trail {
                jurisdiction: Some(&project.jurisdiction_code),
                details: json!({"revision": next}),
            },
        )
        .await?;
        write_sheet(tx, id, next, sheet, &actor.name, &review).await?;
        self.record_review(tx, id, "agency", "revise", "", None, None, &actor.name)
            .await?;
        Ok(())
    }

    /// Records the conclusion of the ex-ante assessment (by the agency while it edits, or by
    /// finance before approval).
    pub async fn set_pre_assessment(
        &self,
        actor: &Actor,
        id: i64,
        version: i32,
        conclusion: PreAssessment,
        note: &str,
    ) -> Result<Project> {
        let project = self.project(actor, id).await?;
        let allowed = match actor.role {
            Role::Agency => project.state().editable(),
            Role::Finance => project.state() != ProjectState::Approved,
            _ => false,
        };
        if !allowed {
            return Err(Error::Forbidden);
        }
        let mut errors = jixiao_core::ValidationErrors::default();
        errors.optional_text("note", "评估意见", note, 2000);
        errors.into_result()?;
        let mut tx = self.begin().await?;
        bump_version(&mut tx, id, version).await?;
        on_tx!(&mut tx, |conn| {
            sqlx::query(
                "UPDATE projects SET pre_assessment = $1, pre_assessment_note = $2, \
                 updated_at = $3 WHERE id = $4",
            )
            .bind(conclusion.as_str())
            .bind(note.trim())
            .bind(time::now())
            .bind(id)
            .execute(&mut *conn)
            .await?;
        });
        append(
            &mut tx,
            AuditEntry::new(
                &actor.name,
                "project.pre_assessment",
                "project",
                &id.to_string(),
            )
            .in_jurisdiction(Some(&project.jurisdiction_code))
            .with_details(json!({"conclusion": conclusion.as_str()})),
        )
        .await?;
        tx.commit().await?;
        self.project(actor, id).await
    }

    /// What waits for the actor (待我处理): for an agency user, its drafts and returned
    /// projects and its units' projects at the department step; for finance, projects at a
    /// finance step. Oldest first.
    pub async fn my_queue(&self, actor: &Actor, limit: i64) -> Result<Vec<Project>> {
        let scope = match actor.role {
            Role::Agency | Role::Finance => self.project_scope(actor).await?,
            _ => return Ok(Vec::new()),
        };
        // An agency sees its units' projects at the department step through its subtree.
        let own = actor.agency_id.unwrap_or(-1);
        let rows: Vec<Project> = on_pool!(&self.pool, |pool| {
            let mut query = QueryBuilder::new(format!("{SELECT_PROJECT} WHERE 1 = 1"));
            scope.push(&mut query);
            if actor.role == Role::Agency {
                query
                    .push(" AND (p.state IN ('draft', 'returned') OR (p.review_step = ")
                    .push_bind(DEPARTMENT_STEP)
                    .push(" AND a.parent_id = ")
                    .push_bind(own)
                    .push("))");
            } else {
                query
                    .push(" AND p.state = 'submitted' AND p.review_step <> ")
                    .push_bind(DEPARTMENT_STEP);
            }
            query
                .push(" ORDER BY p.updated_at, p.id LIMIT ")
                .push_bind(limit.clamp(1, 1000));
            query.build_query_as().fetch_all(pool).await?
        });
        crate::stored::all(rows)
    }

    #[allow(clippy::too_many_arguments)]
    async fn record_review(
        &self,
        tx: &mut crate::tx::Tx,
        id: i64,
        step: &str,
        action: &str,
        comment: &str,
        grade: Option<String>,
        approved_fen: Option<i64>,
        actor: &str,
    ) -> Result<()> {
        on_tx!(tx, |conn| {
            sqlx::query(
                "INSERT INTO project_reviews (project_id, step, action, comment, grade, \
                 approved_fen, actor, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(id)
            .bind(step)
            .bind(action)
            .bind(comment)
            .bind(grade)
            .bind(approved_fen)
            .bind(actor)
            .bind(time::now())
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }
}
