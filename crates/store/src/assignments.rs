//! Assignments of drawn pool members: the member's account sees only its own, accepts or
//! declines (a decline calls in the next backup), enters its score and opinion and submits.
//! Finance then rates the job out of 100; members averaging below the rulebook's bar over its
//! window are flagged for removal, and removal is a recorded decision.

use crate::audit::append;
use crate::monitoring::finance_jurisdiction;
use crate::stored::{self, Readable};
use crate::tx::Tx;
use crate::workflow::{self, Trail, Value, advance};
use crate::{Error, Result, Store};
use jixiao_core::audit::AuditEntry;
use jixiao_core::workflow::{
    Assignment as WfAssignment, AssignmentAction, AssignmentState, PoolMember as WfMember,
    PoolMemberAction, PoolMemberState,
};
use jixiao_core::{Actor, Role, ValidationErrors, time};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// An assignment as its member (or finance) sees it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Assignment {
    /// Id.
    pub id: i64,
    /// The draw.
    pub draw_id: i64,
    /// What the job is (draw purpose code).
    pub purpose: String,
    /// The member.
    pub member_id: i64,
    /// Member name.
    pub member_name: String,
    /// The project.
    pub project_id: i64,
    /// Project code.
    pub project_code: String,
    /// Project name.
    pub project_name: String,
    /// `invited`, `accepted`, `declined` or `submitted`.
    pub status: String,
    /// Review score in hundredths.
    pub score_x100: Option<i64>,
    /// Review opinion.
    pub opinion: String,
    /// Why declined.
    pub decline_reason: String,
    /// The day the job ended (submitted).
    pub ended_on: Option<String>,
    /// The deadline (`YYYY-MM-DD`): the draw's date plus the rulebook's working days for a job.
    pub due_on: Option<String>,
    /// Whether finance has rated it.
    pub rated: bool,
}

impl Readable for Assignment {
    fn read(self) -> Result<Assignment> {
        self.workflow_state()?;
        Ok(self)
    }
}

impl Assignment {
    /// 待接受/评审中/已谢绝/已提交 (the workflow's labels; every row read has a known status).
    pub fn status_label(&self) -> &'static str {
        AssignmentState::parse(&self.status).map_or("未知", AssignmentState::label)
    }

    /// The workflow state, or which row holds a status the workflow does not know.
    pub(crate) fn workflow_state(&self) -> Result<AssignmentState> {
        workflow::parse_state::<WfAssignment>(&self.status, self.id)
    }
}

/// A review as the member enters it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ReviewInput {
    /// Score out of 100, up to two decimals.
    pub score: String,
    /// Opinion.
    pub opinion: String,
}

/// Finance's rating of one job: four parts of 25 points.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RatingInput {
    /// 业务能力.
    pub skill: i32,
    /// 工作纪律.
    pub discipline: i32,
    /// 职业道德.
    pub ethics: i32,
    /// 廉洁自律.
    pub integrity: i32,
    /// Comment.
    #[serde(default)]
    pub comment: String,
    /// Business date of the rating (default today).
    #[serde(default)]
    pub rated_on: Option<String>,
}

/// A member's standing: average rating over the window, and whether it is below the bar.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Standing {
    /// Member id.
    pub member_id: i64,
    /// Name.
    pub name: String,
    /// Ratings in the window.
    pub ratings: i64,
    /// Average in hundredths.
    pub average_x100: i64,
    /// Below the rulebook's bar: to be considered for removal.
    pub flagged: bool,
}

const ASSIGNMENT_COLUMNS: &str = "a.id, a.draw_id, d.purpose, a.member_id, m.name AS member_name, \
     a.project_id, p.code AS project_code, p.name AS project_name, a.status, a.score_x100, \
     a.opinion, a.decline_reason, a.ended_on, a.due_on, \
     EXISTS (SELECT 1 FROM ratings r WHERE r.assignment_id = a.id) AS rated FROM assignments a JOIN draws d ON d.id = a.draw_id \
     JOIN pool_members m ON m.id = a.member_id JOIN projects p ON p.id = a.project_id";

/// Opens assignments for the members a draw selected (finance's draw, or a member's decline
/// calling the next backup), in the state the workflow creates them in.
pub(crate) async fn assign(
    tx: &mut Tx,
    draw_id: i64,
    project_id: i64,
    members: &[i64],
    due_on: Option<&str>,
    actor: &Actor,
) -> Result<()> {
    let state = workflow::create::<WfAssignment>(AssignmentAction::Invite, actor)?;
    for member in members {
        on_tx!(tx, |conn| {
            sqlx::query(
                "INSERT INTO assignments (draw_id, member_id, project_id, status, updated_at, \
                 due_on) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(draw_id)
            .bind(*member)
            .bind(project_id)
            .bind(state.as_str())
            .bind(time::now())
            .bind(due_on)
            .execute(&mut *conn)
            .await?;
        });
    }
    Ok(())
}

impl Store {
    /// Assignments the actor may see: an expert's or institution's own; finance and supervisors
    /// see all of the jurisdiction's.
    pub async fn assignments(&self, actor: &Actor) -> Result<Vec<Assignment>> {
        Ok(on_pool!(&self.pool, |pool| {
            let mut query = sqlx::QueryBuilder::new(format!("SELECT {ASSIGNMENT_COLUMNS} WHERE "));
            match actor.role {
                Role::Expert | Role::Institution => {
                    query
                        .push("m.user_id = ")
                        .push_bind(actor.user_id.unwrap_or(-1));
                }
                Role::Finance | Role::Admin | Role::Viewer => match &actor.jurisdiction {
                    Some(code) => {
                        query.push("d.jurisdiction_code = ").push_bind(code.clone());
                    }
                    None => {
                        query.push("1 = 1");
                    }
                },
                Role::Agency
                | Role::Village
                | Role::Township
                | Role::Assistance
                | Role::Sector
                | Role::Helper => return Err(Error::Forbidden),
            }
            query.push(" ORDER BY a.id DESC");
            stored::all(query.build_query_as().fetch_all(pool).await?)?
        }))
    }

    /// One assignment, if the actor may see it.
    pub async fn assignment(&self, actor: &Actor, id: i64) -> Result<Assignment> {
        self.assignments(actor)
            .await?
            .into_iter()
            .find(|a| a.id == id)
            .ok_or_else(|| Error::NotFound("任务不存在".to_owned()))
    }

    /// The member accepts (`true`) or declines an invitation; a decline calls in the next backup.
    pub async fn answer_assignment(
        &self,
        actor: &Actor,
        id: i64,
        accept: bool,
        reason: &str,
    ) -> Result<Assignment> {
        if !matches!(actor.role, Role::Expert | Role::Institution) {
            return Err(Error::Forbidden);
        }
        let assignment = self.assignment(actor, id).await?;
        let action = if accept {
            AssignmentAction::Accept
        } else {
            AssignmentAction::Decline
        };
        workflow::check::<WfAssignment>(assignment.workflow_state()?, action, actor)?;
        if !accept && reason.trim().is_empty() {
            return Err(Error::invalid(
                "reason",
                "required",
                "请说明不能参加的原因（如需回避）",
            ));
        }
        let mut tx = self.begin().await?;
        // A decline calls in the first backup not yet called.
        let backup: Option<i64> = if accept {
            None
        } else {
            on_tx!(&mut tx, |conn| {
                sqlx::query_scalar(
                    "SELECT dm.member_id FROM draw_members dm WHERE dm.draw_id = $1 \
                     AND dm.role = 'backup' AND NOT EXISTS (SELECT 1 FROM assignments x \
                     WHERE x.draw_id = dm.draw_id AND x.member_id = dm.member_id) \
                     ORDER BY dm.position LIMIT 1",
                )
                .bind(assignment.draw_id)
                .fetch_optional(&mut *conn)
                .await?
            })
        };
        let declined = [(
            "decline_reason",
            Value::Text(Some(reason.trim().to_owned())),
        )];
        advance::<WfAssignment>(
            &mut tx,
            id,
            None,
            action,
            actor,
            if accept { &[] } else { &declined },
            Trail {
                jurisdiction: None,
                details: json!({"reason": reason.trim(), "backup_called": backup}),
            },
        )
        .await?;
        if let Some(member) = backup {
            assign(
                &mut tx,
                assignment.draw_id,
                assignment.project_id,
                &[member],
                assignment.due_on.as_deref(),
                actor,
            )
            .await?;
        }
        tx.commit().await?;
        self.assignment(actor, id).await
    }

    /// The member submits its review: a score out of 100 and an opinion.
    pub async fn submit_review(
        &self,
        actor: &Actor,
        id: i64,
        input: &ReviewInput,
    ) -> Result<Assignment> {
        if !matches!(actor.role, Role::Expert | Role::Institution) {
            return Err(Error::Forbidden);
        }
        let assignment = self.assignment(actor, id).await?;
        workflow::check::<WfAssignment>(
            assignment.workflow_state()?,
            AssignmentAction::Submit,
            actor,
        )?;
        let mut errors = ValidationErrors::default();
        let score =
            jixiao_core::target::parse_points(&input.score).filter(|s| (0..=10_000).contains(s));
        if score.is_none() {
            errors.add("score", "invalid", "评分应为0–100之间的数，最多两位小数");
        }
        errors.text("opinion", "评审意见", &input.opinion, 5000);
        errors.into_result()?;
        let ended_on = self
            .business_date(Some(
                &self
                    .project_by_id(assignment.project_id)
                    .await?
                    .jurisdiction_code,
            ))
            .await?
            .to_string();
        let mut tx = self.begin().await?;
        // One statement: a submitted assignment always carries its score and end date.
        advance::<WfAssignment>(
            &mut tx,
            id,
            None,
            AssignmentAction::Submit,
            actor,
            &submitted(score, input.opinion.trim(), &ended_on),
            Trail {
                jurisdiction: None,
                details: json!({"score_x100": score}),
            },
        )
        .await?;
        tx.commit().await?;
        self.assignment(actor, id).await
    }

    /// Finance rates a finished job out of 100 (four parts of 25); whether it came within the
    /// rulebook's working days of the job's end is recorded.
    pub async fn rate_assignment(
        &self,
        actor: &Actor,
        id: i64,
        input: &RatingInput,
    ) -> Result<Standing> {
        let jurisdiction = finance_jurisdiction(actor)?;
        let assignment = self.assignment(actor, id).await?;
        let Some(ended) = assignment
            .ended_on
            .clone()
            .filter(|_| assignment.status == "submitted")
        else {
            return Err(Error::conflict(
                crate::ConflictCode::PrerequisiteMissing,
                "任务完成后才能评价".to_owned(),
            ));
        };
        let mut errors = ValidationErrors::default();
        for (field, label, value) in [
            ("skill", "业务能力", input.skill),
            ("discipline", "工作纪律", input.discipline),
            ("ethics", "职业道德", input.ethics),
            ("integrity", "廉洁自律", input.integrity),
        ] {
            if !(0..=25).contains(&value) {
                errors.add(field, "invalid", format!("{label}应为0–25分"));
            }
        }
        errors.into_result()?;
        let rated_on = match input
            .rated_on
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            Some(text) => crate::monitoring::parse_date("rated_on", text)?,
            None => self.business_date(Some(&jurisdiction)).await?,
        };
        let rulebook = self.latest_rulebook(&jurisdiction).await?;
        let days = self
            .draw_record(actor, assignment.draw_id)
            .await?
            .rules
            .rating_working_days;
        let ended = crate::monitoring::parse_date("ended_on", &ended)?;
        let deadline = rulebook.calendar.add_working_days(ended, days);
        let mut tx = self.begin().await?;
        let inserted = on_tx!(&mut tx, |conn| {
            sqlx::query(
                "INSERT INTO ratings (assignment_id, member_id, skill, discipline, ethics, integrity, \
                 comment, rated_on, on_time, rated_by, rated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(id)
            .bind(assignment.member_id)
            .bind(input.skill)
            .bind(input.discipline)
            .bind(input.ethics)
            .bind(input.integrity)
            .bind(input.comment.trim())
            .bind(rated_on.to_string())
            .bind(rated_on <= deadline)
            .bind(&actor.name)
            .bind(time::now())
            .execute(&mut *conn)
            .await
            .map(|_| ())
        });
        match inserted {
            Ok(()) => {}
            Err(sqlx::Error::Database(db)) if db.is_unique_violation() => {
                return Err(Error::Duplicate("该任务已评价".to_owned()));
            }
            Err(e) => return Err(e.into()),
        }
        let total = input.skill + input.discipline + input.ethics + input.integrity;
        append(
            &mut tx,
            AuditEntry::new(
                &actor.name,
                "pool.rate",
                "pool_member",
                &assignment.member_id.to_string(),
            )
            .in_jurisdiction(Some(&jurisdiction))
            .with_details(
                json!({"assignment_id": id, "total": total, "on_time": rated_on <= deadline}),
            ),
        )
        .await?;
        tx.commit().await?;
        self.standings(actor, rated_on)
            .await?
            .into_iter()
            .find(|s| s.member_id == assignment.member_id)
            .ok_or_else(|| Error::Internal("评价未记录".to_owned()))
    }

    /// Every rated member's average over the rulebook's window up to `as_of`, flagged when below
    /// the bar.
    pub async fn standings(
        &self,
        actor: &Actor,
        as_of: chrono::NaiveDate,
    ) -> Result<Vec<Standing>> {
        let jurisdiction = self.pool_jurisdiction(actor)?;
        let rules = self.latest_rulebook(&jurisdiction).await?.pools;
        let year: i32 = chrono::Datelike::year(&as_of);
        let from =
            chrono::Datelike::with_year(&as_of, year - rules.rating_years as i32).unwrap_or(as_of);
        self.standings_between(&jurisdiction, from, as_of, rules.removal_below)
            .await
    }

    /// Every rated member's average for one calendar year (the yearly rating of institutions).
    pub async fn standings_for_year(&self, actor: &Actor, year: i32) -> Result<Vec<Standing>> {
        let jurisdiction = self.pool_jurisdiction(actor)?;
        let rules = self.latest_rulebook(&jurisdiction).await?.pools;
        let (Some(from), Some(to)) = (
            year.checked_sub(1)
                .and_then(|y| chrono::NaiveDate::from_ymd_opt(y, 12, 31)),
            chrono::NaiveDate::from_ymd_opt(year, 12, 31),
        ) else {
            return Err(Error::invalid("year", "invalid", "年度无效"));
        };
        self.standings_between(&jurisdiction, from, to, rules.removal_below)
            .await
    }

    fn pool_jurisdiction(&self, actor: &Actor) -> Result<String> {
        if !matches!(actor.role, Role::Finance | Role::Admin | Role::Viewer) {
            return Err(Error::Forbidden);
        }
        actor.jurisdiction.clone().ok_or(Error::Forbidden)
    }

    /// Averages of ratings made after `from` up to and including `to`.
    async fn standings_between(
        &self,
        jurisdiction: &str,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
        removal_below: u32,
    ) -> Result<Vec<Standing>> {
        let rows: Vec<(i64, String, i64, i64)> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(
                "SELECT m.id, m.name, COUNT(*), \
                 CAST(SUM(r.skill + r.discipline + r.ethics + r.integrity) AS BIGINT) \
                 FROM ratings r JOIN pool_members m ON m.id = r.member_id \
                 WHERE m.jurisdiction_code = $1 AND r.rated_on > $2 AND r.rated_on <= $3 \
                 GROUP BY m.id, m.name ORDER BY m.id",
            )
            .bind(jurisdiction)
            .bind(from.to_string())
            .bind(to.to_string())
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(member_id, name, ratings, sum)| {
                let average_x100 = sum * 100 / ratings.max(1);
                Standing {
                    member_id,
                    name,
                    ratings,
                    average_x100,
                    flagged: average_x100 < i64::from(removal_below) * 100,
                }
            })
            .collect())
    }

    /// Finance suspends (until a date), removes (a recorded decision) or reinstates a member.
    pub async fn set_member_status(
        &self,
        actor: &Actor,
        id: i64,
        status: &str,
        until: Option<&str>,
        reason: &str,
    ) -> Result<crate::PoolMember> {
        let jurisdiction = finance_jurisdiction(actor)?;
        let member = self.pool_member(actor, id).await?;
        // The action's code is the status it leads to.
        let Some(action) = PoolMemberAction::parse(status) else {
            return Err(Error::invalid(
                "status",
                "invalid",
                "状态应为 active、suspended 或 removed",
            ));
        };
        workflow::check::<WfMember>(
            workflow::parse_state::<WfMember>(&member.status, id)?,
            action,
            actor,
        )?;
        if status != "active" && reason.trim().is_empty() {
            return Err(Error::invalid(
                "reason",
                "required",
                "请说明暂停或出库的理由",
            ));
        }
        let until = match (status, until.map(str::trim).filter(|t| !t.is_empty())) {
            ("suspended", Some(text)) => {
                Some(crate::monitoring::parse_date("until", text)?.to_string())
            }
            ("suspended", None) => {
                return Err(Error::invalid("until", "required", "请填写暂停截止日期"));
            }
            _ => None,
        };
        let mut tx = self.begin().await?;
        advance::<WfMember>(
            &mut tx,
            id,
            None,
            action,
            actor,
            &[
                ("suspended_until", Value::Text(until.clone())),
                ("status_reason", Value::Text(Some(reason.trim().to_owned()))),
            ],
            Trail {
                jurisdiction: Some(&jurisdiction),
                details: json!({"until": until, "reason": reason.trim()}),
            },
        )
        .await?;
        tx.commit().await?;
        self.pool_member(actor, id).await
    }

    /// Links a member to the account that acts for it (an expert or institution user); the
    /// account is shown by the member's name from then on (audited with the old name).
    pub async fn link_member_account(&self, actor: &Actor, id: i64, username: &str) -> Result<()> {
        let jurisdiction = finance_jurisdiction(actor)?;
        let member = self.pool_member(actor, id).await?;
        let user = self.user(&Actor::system(), username.trim()).await?;
        let expected = if member.kind == "expert" {
            Role::Expert
        } else {
            Role::Institution
        };
        if user.role != expected {
            return Err(Error::invalid(
                "username",
                "wrong_role",
                format!("账号“{}”的角色不是{}", user.username, expected.label()),
            ));
        }
        let mut tx = self.begin().await?;
        // One account acts for one member.
        on_tx!(&mut tx, |conn| {
            sqlx::query("UPDATE pool_members SET user_id = NULL WHERE user_id = $1")
                .bind(user.id)
                .execute(&mut *conn)
                .await?;
        });
        on_tx!(&mut tx, |conn| {
            sqlx::query("UPDATE pool_members SET user_id = $1, updated_at = $2 WHERE id = $3")
                .bind(user.id)
                .bind(time::now())
                .bind(id)
                .execute(&mut *conn)
                .await?;
            // The account acts for this member: it is shown by the member's name.
            sqlx::query("UPDATE users SET display_name = $1 WHERE id = $2")
                .bind(&member.name)
                .bind(user.id)
                .execute(&mut *conn)
                .await?;
        });
        append(
            &mut tx,
            AuditEntry::new(
                &actor.name,
                "pool.link_account",
                "pool_member",
                &id.to_string(),
            )
            .in_jurisdiction(Some(&jurisdiction))
            .with_details(json!({
                "username": user.username,
                "display_name": {"from": user.display_name, "to": member.name},
            })),
        )
        .await?;
        // The session cached for this user shows the old name.
        self.commit_session_change(tx).await
    }
}

/// The columns a submitted job carries with its status (a table constraint ties them to it).
pub(crate) fn submitted(
    score_x100: Option<i64>,
    opinion: &str,
    ended_on: &str,
) -> [crate::workflow::Set; 3] {
    [
        ("score_x100", Value::Int(score_x100)),
        ("opinion", Value::Text(Some(opinion.to_owned()))),
        ("ended_on", Value::Text(Some(ended_on.to_owned()))),
    ]
}

/// A complaint about a member and how it was handled.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Complaint {
    /// Id (0 until stored).
    #[serde(default)]
    pub id: i64,
    /// Received (YYYY-MM-DD).
    pub received_on: String,
    /// What it says.
    pub summary: String,
    /// Whether it was substantiated (查实).
    pub substantiated: bool,
    /// The finding.
    #[serde(default)]
    pub finding: String,
    /// Decided (YYYY-MM-DD).
    pub decided_on: String,
}

impl Store {
    /// Records the handling of a complaint (finance); a substantiated one suspends the member
    /// for the rulebook's months from the decision.
    pub async fn record_complaint(
        &self,
        actor: &Actor,
        member_id: i64,
        input: &Complaint,
    ) -> Result<crate::PoolMember> {
        let jurisdiction = finance_jurisdiction(actor)?;
        self.pool_member(actor, member_id).await?;
        let received = crate::monitoring::parse_date("received_on", &input.received_on)?;
        let decided = crate::monitoring::parse_date("decided_on", &input.decided_on)?;
        let mut errors = ValidationErrors::default();
        errors.text("summary", "投诉内容", &input.summary, 2000);
        if decided < received {
            errors.add("decided_on", "before_received", "处理日期不能早于收到日期");
        }
        if input.substantiated && input.finding.trim().is_empty() {
            errors.add("finding", "required", "投诉查实时请写明查实情况");
        }
        errors.into_result()?;
        let months = self
            .latest_rulebook(&jurisdiction)
            .await?
            .pools
            .complaint_suspension_months;
        let until = decided
            .checked_add_months(chrono::Months::new(months))
            .unwrap_or(decided)
            .to_string();
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |conn| {
            sqlx::query(
                "INSERT INTO pool_complaints (member_id, received_on, summary, substantiated, \
                 finding, decided_on, decided_by, decided_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(member_id)
            .bind(received.to_string())
            .bind(input.summary.trim())
            .bind(input.substantiated)
            .bind(input.finding.trim())
            .bind(decided.to_string())
            .bind(&actor.name)
            .bind(time::now())
            .execute(&mut *conn)
            .await?;
        });
        // A substantiated complaint suspends the member (one already out of the pool stays out).
        let suspends = input.substantiated
            && workflow::current::<WfMember>(&mut tx, member_id).await?.0
                != PoolMemberState::Removed;
        append(
            &mut tx,
            AuditEntry::new(
                &actor.name,
                "pool.complaint",
                "pool_member",
                &member_id.to_string(),
            )
            .in_jurisdiction(Some(&jurisdiction))
            .with_details(json!({
                "substantiated": input.substantiated, "summary": input.summary.trim(),
                "suspended_until": suspends.then_some(&until)
            })),
        )
        .await?;
        if suspends {
            let reason = format!("投诉查实：{}", input.finding.trim());
            advance::<WfMember>(
                &mut tx,
                member_id,
                None,
                PoolMemberAction::Suspend,
                actor,
                &[
                    ("suspended_until", Value::Text(Some(until.clone()))),
                    ("status_reason", Value::Text(Some(reason.clone()))),
                ],
                Trail {
                    jurisdiction: Some(&jurisdiction),
                    details: json!({"until": until, "reason": reason, "complaint": true}),
                },
            )
            .await?;
        }
        tx.commit().await?;
        self.pool_member(actor, member_id).await
    }

    /// A member's complaint history, oldest first.
    pub async fn complaints(&self, actor: &Actor, member_id: i64) -> Result<Vec<Complaint>> {
        self.pool_member(actor, member_id).await?;
        Ok(on_pool!(&self.pool, |pool| {
            sqlx::query_as(
                "SELECT id, received_on, summary, substantiated, finding, decided_on \
                 FROM pool_complaints WHERE member_id = $1 ORDER BY id",
            )
            .bind(member_id)
            .fetch_all(pool)
            .await?
        }))
    }
}

impl Store {
    /// Each member's past jobs (assignments not declined), newest first, as "project (purpose)".
    pub async fn past_jobs(&self, actor: &Actor, kind: &str) -> Result<Vec<(i64, String)>> {
        let jurisdiction = self.pool_jurisdiction(actor)?;
        Ok(on_pool!(&self.pool, |pool| {
            sqlx::query_as(
                "SELECT a.member_id, p.name FROM assignments a JOIN pool_members m ON m.id = a.member_id \
                 JOIN projects p ON p.id = a.project_id WHERE m.jurisdiction_code = $1 AND m.kind = $2 \
                 AND a.status <> 'declined' ORDER BY a.id DESC",
            )
            .bind(&jurisdiction)
            .bind(kind)
            .fetch_all(pool)
            .await?
        }))
    }
}
