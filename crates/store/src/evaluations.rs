//! Key evaluations (部门评价/财政评价) as stored: finance or the project's department commissions
//! the institution a key-evaluation draw selected; the institution scores the rulebook's
//! framework and submits its report (its job then counts as done); experts review the report
//! through their own draws; finance confirms the final score, grade and problems found (which
//! become rectification items), or returns it. The coverage view shows key projects due.

use crate::stored::{self, Cell, Readable};
use crate::workflow::{self, Trail, Value, advance};
use crate::{Error, Result, Store};
use jixiao_core::key_evaluation::{FrameworkItem, ScoreEntry};
use jixiao_core::scoring::format_score;
use jixiao_core::target::{RowError, parse_points};
use jixiao_core::workflow::{
    Assignment as WfAssignment, AssignmentAction, AssignmentState, KeyEvaluation as Eval,
    KeyEvaluationAction as EvalAction, KeyEvaluationState,
};
use jixiao_core::{Actor, Role, time};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// A key evaluation as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct KeyEvaluation {
    /// Id.
    pub id: i64,
    /// Jurisdiction.
    pub jurisdiction_code: String,
    /// The project.
    pub project_id: i64,
    /// Its code.
    pub project_code: String,
    /// Its name.
    pub project_name: String,
    /// Its year.
    pub year: i32,
    /// Its agency.
    pub agency_name: String,
    /// Approved amount.
    pub approved_fen: i64,
    /// `department` or `finance`.
    pub mode: String,
    /// The commissioning department (department mode).
    pub commissioning_agency_id: Option<i64>,
    /// The institution's assignment.
    pub assignment_id: i64,
    /// The institution.
    pub institution_id: i64,
    /// Its name.
    pub institution_name: String,
    /// The rulebook holding the framework.
    pub rulebook_id: i64,
    /// `commissioned`, `submitted`, `returned`, `confirmed`.
    pub state: String,
    /// The report's conclusion.
    pub summary: String,
    /// The institution's total.
    pub total_x100: Option<i64>,
    /// Finance's final score.
    pub final_x100: Option<i64>,
    /// Finance's grade.
    pub final_grade: Option<String>,
    /// Why the final score differs from the institution's.
    pub final_reason: String,
    /// Problems found (JSON array of text).
    pub problems: String,
    /// Finance's comment when returned.
    pub comment: String,
    /// Optimistic-lock version.
    pub version: i32,
    /// Commissioned by.
    pub commissioned_by: String,
    /// The problems, read from `problems` when the row was read.
    #[sqlx(skip)]
    #[serde(skip)]
    problem_list: Vec<String>,
}

impl KeyEvaluation {
    /// 已委托/待确认/被退回/已确认.
    pub fn state_label(&self) -> &'static str {
        KeyEvaluationState::parse(&self.state).map_or("未知", KeyEvaluationState::label)
    }

    /// The workflow state, or which row holds a state the workflow does not know.
    pub(crate) fn workflow_state(&self) -> Result<KeyEvaluationState> {
        workflow::parse_state::<Eval>(&self.state, self.id)
    }

    /// 部门评价 or 财政评价.
    pub fn mode_label(&self) -> &'static str {
        if self.mode == "department" {
            "部门评价"
        } else {
            "财政评价"
        }
    }

    /// The problems found, as a list.
    pub fn problem_list(&self) -> &[String] {
        &self.problem_list
    }
}

impl Readable for KeyEvaluation {
    fn read(mut self) -> Result<KeyEvaluation> {
        let cell = |column| Cell::at("evaluations", self.id, column);
        self.workflow_state()?;
        cell("mode").code(&self.mode, |m| {
            matches!(m, "department" | "finance").then_some(())
        })?;
        self.problem_list = cell("problems").json(&self.problems)?;
        Ok(self)
    }
}

/// One framework item with the institution's entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScoredItem {
    /// The item.
    pub item: FrameworkItem,
    /// Score in hundredths, once entered.
    pub score_x100: Option<i64>,
    /// Finding.
    pub finding: String,
}

/// A key evaluation with its framework, scores and the expert reviews of its report.
#[derive(Debug, Clone, Serialize)]
pub struct KeyEvaluationDetail {
    /// The evaluation.
    pub evaluation: KeyEvaluation,
    /// Framework items with scores.
    pub items: Vec<ScoredItem>,
    /// Expert reviews of the report (report-review assignments on the project).
    pub reviews: Vec<crate::Assignment>,
}

/// What finance confirms.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ConfirmInput {
    /// A final score other than the institution's (with a reason).
    pub final_score: String,
    /// Why.
    pub reason: String,
    /// Problems found, one per entry; each becomes a rectification item.
    pub problems: Vec<String>,
}

/// A key project's coverage in the last years.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CoverageLine {
    /// Project id.
    pub project_id: i64,
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Agency.
    pub agency_name: String,
    /// Approved.
    pub approved_fen: i64,
    /// The last year it (or a project it continues) had a key evaluation, within the window.
    pub last_evaluated_year: Option<i32>,
    /// Not evaluated within the window: due.
    pub due: bool,
}

const SELECT_EVALUATION: &str = "SELECT e.id, e.jurisdiction_code, e.project_id, \
     p.code AS project_code, p.name AS project_name, p.year, ag.name AS agency_name, \
     COALESCE(p.approved_fen, 0) AS approved_fen, e.mode, e.commissioning_agency_id, \
     e.assignment_id, m.id AS institution_id, m.name AS institution_name, e.rulebook_id, e.state, \
     e.summary, e.total_x100, e.final_x100, e.final_grade, e.final_reason, e.problems, e.comment, \
     e.version, e.commissioned_by \
     FROM evaluations e JOIN projects p ON p.id = e.project_id \
     JOIN agencies ag ON ag.id = p.agency_id JOIN assignments a ON a.id = e.assignment_id \
     JOIN pool_members m ON m.id = a.member_id";

#[derive(Debug, sqlx::FromRow)]
struct AssignmentFacts {
    project_id: i64,
    purpose: String,
    kind: String,
    status: String,
}

async fn assignment_facts(store: &Store, id: i64) -> Result<Option<AssignmentFacts>> {
    Ok(on_pool!(&store.pool, |pool| {
        sqlx::query_as(
            "SELECT a.project_id, d.purpose, d.kind, a.status \
             FROM assignments a JOIN draws d ON d.id = a.draw_id WHERE a.id = $1",
        )
        .bind(id)
        .fetch_optional(pool)
        .await?
    }))
}

impl Store {
    /// Key evaluations the actor may see: finance, admins and viewers all of theirs; agencies
    /// those of their projects; an institution those it was commissioned for.
    pub async fn key_evaluations(&self, actor: &Actor) -> Result<Vec<KeyEvaluation>> {
        let scope = match actor.role {
            Role::Institution | Role::Expert => None,
            _ => Some(self.project_scope(actor).await?),
        };
        Ok(on_pool!(&self.pool, |pool| {
            let mut query = sqlx::QueryBuilder::new(format!("{SELECT_EVALUATION} WHERE 1 = 1"));
            match (&scope, actor.role) {
                (Some(scope), _) => scope.push(&mut query),
                (None, Role::Institution) => {
                    query
                        .push(" AND m.user_id = ")
                        .push_bind(actor.user_id.unwrap_or(-1));
                }
                (None, _) => {
                    query.push(" AND 1 = 0");
                }
            }
            query.push(" ORDER BY p.year DESC, p.code");
            stored::all(query.build_query_as().fetch_all(pool).await?)?
        }))
    }

    /// One key evaluation with its framework, scores and expert reviews.
    pub async fn key_evaluation(&self, actor: &Actor, id: i64) -> Result<KeyEvaluationDetail> {
        let evaluation = self
            .key_evaluations(actor)
            .await?
            .into_iter()
            .find(|e| e.id == id)
            .ok_or_else(|| Error::NotFound("评价不存在".to_owned()))?;
        let rulebook = self
            .rulebook_by_id(evaluation.rulebook_id)
            .await?
            .rulebook()?;
        let scores: Vec<(i32, i64, String)> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(
                "SELECT item_no, score_x100, finding FROM evaluation_scores \
                 WHERE evaluation_id = $1 ORDER BY item_no",
            )
            .bind(id)
            .fetch_all(pool)
            .await?
        });
        let items = rulebook
            .key_evaluation
            .framework
            .into_iter()
            .enumerate()
            .map(|(n, item)| {
                let entry = scores
                    .iter()
                    .find(|(no, _, _)| usize::try_from(*no).ok() == Some(n + 1));
                ScoredItem {
                    item,
                    score_x100: entry.map(|(_, s, _)| *s),
                    finding: entry.map(|(_, _, f)| f.clone()).unwrap_or_default(),
                }
            })
            .collect();
        let reviews: Vec<crate::Assignment> = match actor.role {
            Role::Finance | Role::Admin | Role::Viewer => self
                .assignments(actor)
                .await?
                .into_iter()
                .filter(|a| a.project_id == evaluation.project_id && a.purpose == "report_review")
                .collect(),
            _ => Vec::new(),
        };
        Ok(KeyEvaluationDetail {
            evaluation,
            items,
            reviews,
        })
    }

    /// Commissions the institution of an accepted key-evaluation assignment to evaluate its
    /// project: finance (财政评价) or the project's department (部门评价).
    pub async fn commission_evaluation(
        &self,
        actor: &Actor,
        assignment_id: i64,
    ) -> Result<KeyEvaluation> {
        let facts = assignment_facts(self, assignment_id)
            .await?
            .ok_or_else(|| Error::NotFound("任务不存在".to_owned()))?;
        let project = self.project(actor, facts.project_id).await?;
        let (mode, commissioner) = match actor.role {
            Role::Finance => ("finance", None),
            // A department commissions for its own projects and its units'.
            Role::Agency
                if actor.agency_id == Some(project.agency_id)
                    && project.agency_parent_id.is_none()
                    || actor.agency_id.is_some() && actor.agency_id == project.agency_parent_id =>
            {
                ("department", actor.agency_id)
            }
            _ => return Err(Error::Forbidden),
        };
        if facts.purpose != "key_evaluation" || facts.kind != "institution" {
            return Err(Error::invalid(
                "assignment_id",
                "wrong_job",
                "只能委托经“重点绩效评价”抽取的第三方机构",
            ));
        }
        if facts.status != "accepted" {
            return Err(Error::conflict(
                crate::ConflictCode::PrerequisiteMissing,
                "该机构尚未接受委托，不能开展评价".to_owned(),
            ));
        }
        if project.approved_revision.is_none() {
            return Err(Error::conflict(
                crate::ConflictCode::PrerequisiteMissing,
                "项目尚未批复，不能开展重点评价".to_owned(),
            ));
        }
        let state = workflow::create::<Eval>(EvalAction::Commission, actor)?;
        let (rulebook_id, _) = self.project_rulebook(&project).await?;
        let mut tx = self.begin().await?;
        let inserted: std::result::Result<i64, sqlx::Error> = on_tx!(&mut tx, |conn| {
            sqlx::query_scalar(
                "INSERT INTO evaluations (jurisdiction_code, project_id, mode, \
                 commissioning_agency_id, assignment_id, rulebook_id, state, commissioned_by, \
                 created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            )
            .bind(&project.jurisdiction_code)
            .bind(project.id)
            .bind(mode)
            .bind(commissioner)
            .bind(assignment_id)
            .bind(rulebook_id)
            .bind(state.as_str())
            .bind(&actor.name)
            .bind(time::now())
            .fetch_one(&mut *conn)
            .await
        });
        let id = inserted.map_err(|e| {
            Error::unique_as_duplicate(e, format!("项目“{}”已委托重点评价", project.name))
        })?;
        workflow::record_creation::<Eval>(
            &mut tx,
            id,
            EvalAction::Commission,
            state,
            actor,
            Trail {
                jurisdiction: Some(&project.jurisdiction_code),
                details: json!({"project": project.code, "mode": mode,
                                "assignment_id": assignment_id}),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(self.key_evaluation(&Actor::system(), id).await?.evaluation)
    }

    /// The institution saves its scores and report conclusion (while open to it).
    pub async fn save_key_evaluation(
        &self,
        actor: &Actor,
        id: i64,
        version: i32,
        entries: &[ScoreEntry],
        summary: &str,
    ) -> Result<KeyEvaluationDetail> {
        if actor.role != Role::Institution {
            return Err(Error::Forbidden);
        }
        let detail = self.key_evaluation(actor, id).await?;
        let e = &detail.evaluation;
        workflow::check::<Eval>(e.workflow_state()?, EvalAction::Save, actor)?;
        let rulebook = self.rulebook_by_id(e.rulebook_id).await?.rulebook()?;
        let (scores, total) = rulebook
            .key_evaluation
            .score(entries)
            .map_err(Error::InvalidEvaluation)?;
        if summary.trim().is_empty() || summary.chars().count() > 5000 {
            return Err(Error::InvalidEvaluation(vec![RowError {
                row: 0,
                field: "summary".to_owned(),
                message: "请填写评价结论（不超过5000字）".to_owned(),
            }]));
        }
        let mut tx = self.begin().await?;
        advance::<Eval>(
            &mut tx,
            id,
            Some(version),
            EvalAction::Save,
            actor,
            &[],
            Trail {
                jurisdiction: Some(&e.jurisdiction_code),
                details: json!({"total": format_score(total)}),
            },
        )
        .await?;
        on_tx!(&mut tx, |conn| {
            sqlx::query("DELETE FROM evaluation_scores WHERE evaluation_id = $1")
                .bind(id)
                .execute(&mut *conn)
                .await?;
            sqlx::query("UPDATE evaluations SET summary = $1, total_x100 = $2 WHERE id = $3")
                .bind(summary.trim())
                .bind(total)
                .bind(id)
                .execute(&mut *conn)
                .await?;
            for (n, score) in scores.iter().enumerate() {
                let finding = entries
                    .iter()
                    .find(|x| usize::try_from(x.item_no).ok() == Some(n + 1))
                    .map_or(String::new(), |x| x.finding.trim().to_owned());
                sqlx::query(
                    "INSERT INTO evaluation_scores (evaluation_id, item_no, score_x100, finding) \
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(id)
                .bind(i32::try_from(n + 1).unwrap_or(i32::MAX))
                .bind(*score)
                .bind(finding)
                .execute(&mut *conn)
                .await?;
            }
        });
        tx.commit().await?;
        self.key_evaluation(actor, id).await
    }

    /// The institution submits its report: the evaluation waits for finance, and the
    /// institution's job counts as done (with the total as its score) for rating.
    pub async fn submit_key_evaluation(
        &self,
        actor: &Actor,
        id: i64,
        version: i32,
    ) -> Result<KeyEvaluationDetail> {
        if actor.role != Role::Institution {
            return Err(Error::Forbidden);
        }
        let detail = self.key_evaluation(actor, id).await?;
        let e = &detail.evaluation;
        workflow::check::<Eval>(e.workflow_state()?, EvalAction::Submit, actor)?;
        let Some(total) = e.total_x100 else {
            return Err(Error::conflict(
                crate::ConflictCode::PrerequisiteMissing,
                "请先保存完整的评分后再提交评价报告".to_owned(),
            ));
        };
        let business_date = self.business_date(Some(&e.jurisdiction_code)).await?;
        let mut tx = self.begin().await?;
        advance::<Eval>(
            &mut tx,
            id,
            Some(version),
            EvalAction::Submit,
            actor,
            &[
                ("submitted_at", Value::Int(Some(time::now()))),
                ("comment", Value::Text(Some(String::new()))),
            ],
            Trail {
                jurisdiction: Some(&e.jurisdiction_code),
                details: json!({"total": format_score(total)}),
            },
        )
        .await?;
        // The institution's job is done with its first report (a report sent back and submitted
        // again finds it done already).
        let (job, _) = workflow::current::<WfAssignment>(&mut tx, e.assignment_id).await?;
        if job == AssignmentState::Accepted {
            advance::<WfAssignment>(
                &mut tx,
                e.assignment_id,
                None,
                AssignmentAction::Submit,
                actor,
                &crate::assignments::submitted(Some(total), &e.summary, &business_date.to_string()),
                Trail {
                    jurisdiction: Some(&e.jurisdiction_code),
                    details: json!({"score_x100": total, "evaluation_id": id}),
                },
            )
            .await?;
        }
        tx.commit().await?;
        self.key_evaluation(actor, id).await
    }

    /// Finance confirms a submitted report (final score, grade, problems) or returns it.
    pub async fn confirm_key_evaluation(
        &self,
        actor: &Actor,
        id: i64,
        input: &ConfirmInput,
    ) -> Result<KeyEvaluationDetail> {
        let jurisdiction = crate::monitoring::finance_jurisdiction(actor)?;
        let detail = self.key_evaluation(actor, id).await?;
        let e = &detail.evaluation;
        workflow::check::<Eval>(e.workflow_state()?, EvalAction::Confirm, actor)?;
        let Some(total) = e.total_x100 else {
            return Err(Error::conflict(
                crate::ConflictCode::PrerequisiteMissing,
                "评价报告尚无总分，不能确认".to_owned(),
            ));
        };
        let final_x100 = if input.final_score.trim().is_empty() {
            total
        } else {
            match parse_points(&input.final_score).filter(|s| (0..=10_000).contains(s)) {
                Some(s) => s,
                None => {
                    return Err(Error::invalid(
                        "final_score",
                        "invalid",
                        "最终得分应为0–100之间的数，最多两位小数",
                    ));
                }
            }
        };
        if final_x100 != total && input.reason.trim().is_empty() {
            return Err(Error::invalid(
                "reason",
                "required",
                format!("最终得分与机构评分{}不同，须说明理由", format_score(total)),
            ));
        }
        let problems: Vec<String> = input
            .problems
            .iter()
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty())
            .collect();
        if problems.iter().any(|p| p.chars().count() > 500) {
            return Err(Error::invalid(
                "problems",
                "too_long",
                "每个问题不超过500字",
            ));
        }
        let rulebook = self.rulebook_by_id(e.rulebook_id).await?.rulebook()?;
        let grade = rulebook.self_evaluation.grade(final_x100).to_owned();
        let mut tx = self.begin().await?;
        let problems_json = serde_json::to_string(&problems).unwrap_or_else(|_| "[]".to_owned());
        // The final score is written with the state that says confirmed.
        advance::<Eval>(
            &mut tx,
            id,
            Some(e.version),
            EvalAction::Confirm,
            actor,
            &[
                ("final_x100", Value::Int(Some(final_x100))),
                ("final_grade", Value::Text(Some(grade.clone()))),
                (
                    "final_reason",
                    Value::Text(Some(input.reason.trim().to_owned())),
                ),
                ("problems", Value::Text(Some(problems_json))),
                ("confirmed_by", Value::Text(Some(actor.name.clone()))),
                ("confirmed_at", Value::Int(Some(time::now()))),
            ],
            Trail {
                jurisdiction: Some(&jurisdiction),
                details: json!({"total": format_score(total), "final": format_score(final_x100),
                    "grade": grade, "reason": input.reason.trim(), "problems": problems.len()}),
            },
        )
        .await?;
        crate::rectifications::open_items(
            &mut tx,
            &jurisdiction,
            e.project_id,
            "evaluation",
            id,
            &problems,
            actor,
        )
        .await?;
        tx.commit().await?;
        self.key_evaluation(actor, id).await
    }

    /// Finance returns a submitted report to the institution with a comment.
    pub async fn return_key_evaluation(
        &self,
        actor: &Actor,
        id: i64,
        comment: &str,
    ) -> Result<KeyEvaluationDetail> {
        let jurisdiction = crate::monitoring::finance_jurisdiction(actor)?;
        let detail = self.key_evaluation(actor, id).await?;
        let e = &detail.evaluation;
        workflow::check::<Eval>(e.workflow_state()?, EvalAction::Return, actor)?;
        if comment.trim().is_empty() {
            return Err(Error::invalid("comment", "required", "退回时请说明理由"));
        }
        let mut tx = self.begin().await?;
        advance::<Eval>(
            &mut tx,
            id,
            Some(e.version),
            EvalAction::Return,
            actor,
            &[("comment", Value::Text(Some(comment.trim().to_owned())))],
            Trail {
                jurisdiction: Some(&jurisdiction),
                details: json!({"comment": comment.trim()}),
            },
        )
        .await?;
        tx.commit().await?;
        self.key_evaluation(actor, id).await
    }

    /// Key projects of a year (approved at or above the rulebook's amount) and whether each, or
    /// a project it continues, had a key evaluation within the coverage window.
    pub async fn evaluation_coverage(&self, actor: &Actor, year: i32) -> Result<Vec<CoverageLine>> {
        let jurisdiction = match (&actor.role, &actor.jurisdiction) {
            (Role::Finance | Role::Viewer, Some(code)) => code.clone(),
            _ => return Err(Error::Forbidden),
        };
        let record = self.rulebook_in_force(&jurisdiction, year).await?;
        let rules = record.rulebook()?.key_evaluation;
        let threshold = i64::from(rules.key_project_wan) * 1_000_000;
        let rows: Vec<(i64, String, String, String, i64, Option<i64>)> =
            on_pool!(&self.pool, |pool| {
                sqlx::query_as(
                    "SELECT p.id, p.code, p.name, ag.name, p.approved_fen, p.previous_project_id \
                 FROM projects p JOIN agencies ag ON ag.id = p.agency_id \
                 WHERE p.jurisdiction_code = $1 AND p.year = $2 AND p.approved_fen >= $3 \
                 ORDER BY p.approved_fen DESC, p.code",
                )
                .bind(&jurisdiction)
                .bind(year)
                .bind(threshold)
                .fetch_all(pool)
                .await?
            });
        // Every project of the window with the project it continues.
        let window: Vec<(i64, i32, Option<i64>)> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(
                "SELECT p.id, p.year, p.previous_project_id FROM projects p \
                 WHERE p.jurisdiction_code = $1 AND p.year > $2 - $3 AND p.year <= $2",
            )
            .bind(&jurisdiction)
            .bind(year)
            .bind(i32::try_from(rules.coverage_years).unwrap_or(5))
            .fetch_all(pool)
            .await?
        });
        let has_evaluation: std::collections::HashSet<i64> = on_pool!(&self.pool, |pool| {
            sqlx::query_scalar::<_, i64>(
                "SELECT project_id FROM evaluations WHERE jurisdiction_code = $1",
            )
            .bind(&jurisdiction)
            .fetch_all(pool)
            .await?
        })
        .into_iter()
        .collect();
        let by_id: std::collections::HashMap<i64, (i32, Option<i64>)> = window
            .into_iter()
            .map(|(id, y, prev)| (id, (y, prev)))
            .collect();
        let lines = rows
            .into_iter()
            .map(|(id, code, name, agency_name, approved_fen, _)| {
                // Walk back through the projects it continues, within the window.
                let mut last = None;
                let mut cursor = Some(id);
                while let Some(pid) = cursor {
                    let Some((y, prev)) = by_id.get(&pid) else {
                        break;
                    };
                    if has_evaluation.contains(&pid) {
                        last = Some(*y);
                        break;
                    }
                    cursor = *prev;
                }
                CoverageLine {
                    project_id: id,
                    code,
                    name,
                    agency_name,
                    approved_fen,
                    due: last.is_none(),
                    last_evaluated_year: last,
                }
            })
            .collect();
        Ok(lines)
    }
}
