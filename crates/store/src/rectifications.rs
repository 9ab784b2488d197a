//! Rectification (整改) as stored: problems found by a key evaluation or by monitoring become
//! items sent to the project's agency; the agency answers with what it did; finance checks each
//! off or sends it back. Items not yet closed are flagged on the agency's next-year projects.

use crate::stored::{self, Readable};
use crate::tx::Tx;
use crate::workflow::{self, Trail, Value, advance};
use crate::{Error, Result, Store};
use jixiao_core::workflow::{Rectification as Rect, RectificationAction, RectificationState};
use jixiao_core::{Actor, Role, time};
use serde::Serialize;
use serde_json::json;
use sqlx::QueryBuilder;

/// A rectification item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Rectification {
    /// Id.
    pub id: i64,
    /// The project the problem was found on.
    pub project_id: i64,
    /// Its code.
    pub project_code: String,
    /// Its name.
    pub project_name: String,
    /// The agency that must rectify.
    pub agency_id: i64,
    /// Its name.
    pub agency_name: String,
    /// The project's year.
    pub year: i32,
    /// `evaluation`, `monitoring` or `self_evaluation`.
    pub source: String,
    /// The key evaluation or alert it came from.
    pub source_id: Option<i64>,
    /// The problem.
    pub problem: String,
    /// `open` (with the agency), `answered` (with finance), `closed`.
    pub state: String,
    /// What the agency did.
    pub answer: String,
    /// Finance's comment when sending back or closing.
    pub check_comment: String,
    /// Optimistic-lock version.
    pub version: i32,
}

impl Readable for Rectification {
    fn read(self) -> Result<Rectification> {
        self.workflow_state()?;
        Ok(self)
    }
}

impl Rectification {
    /// 待整改/待核查/已销号 (every row read has a state of the workflow).
    pub fn state_label(&self) -> &'static str {
        RectificationState::parse(&self.state).map_or("未知", RectificationState::label)
    }

    /// The workflow state, or which row holds a state the workflow does not know.
    pub(crate) fn workflow_state(&self) -> Result<RectificationState> {
        workflow::parse_state::<Rect>(&self.state, self.id)
    }

    /// 重点评价/绩效监控/单位自评.
    pub fn source_label(&self) -> &'static str {
        match self.source.as_str() {
            "evaluation" => "重点评价",
            "monitoring" => "绩效监控",
            _ => "单位自评",
        }
    }
}

const SELECT: &str = "SELECT r.id, r.project_id, p.code AS project_code, p.name AS project_name, \
     r.agency_id, ag.name AS agency_name, r.year, r.source, r.source_id, r.problem, r.state, \
     r.answer, r.check_comment, r.version FROM rectifications r \
     JOIN projects p ON p.id = r.project_id JOIN agencies ag ON ag.id = r.agency_id";

/// Opens one item per problem on a project, in the caller's transaction.
pub(crate) async fn open_items(
    tx: &mut Tx,
    jurisdiction: &str,
    project_id: i64,
    source: &str,
    source_id: i64,
    problems: &[String],
    actor: &Actor,
) -> Result<()> {
    let state = workflow::create::<Rect>(RectificationAction::Raise, actor)?;
    for problem in problems {
        on_tx!(tx, |conn| {
            sqlx::query(
                "INSERT INTO rectifications (jurisdiction_code, project_id, agency_id, year, \
                 source, source_id, problem, state, created_by, created_at) \
                 SELECT $1, p.id, p.agency_id, p.year, $2, $3, $4, $5, $6, $7 \
                 FROM projects p WHERE p.id = $8",
            )
            .bind(jurisdiction)
            .bind(source)
            .bind(source_id)
            .bind(problem)
            .bind(state.as_str())
            .bind(&actor.name)
            .bind(time::now())
            .bind(project_id)
            .execute(&mut *conn)
            .await?;
        });
    }
    Ok(())
}

impl Store {
    /// Items the actor may see (agencies their own tree's), optionally of one year.
    pub async fn rectifications(
        &self,
        actor: &Actor,
        year: Option<i32>,
    ) -> Result<Vec<Rectification>> {
        if matches!(actor.role, Role::Expert | Role::Institution) {
            return Err(Error::Forbidden);
        }
        let scope = self.project_scope(actor).await?;
        Ok(on_pool!(&self.pool, |pool| {
            let mut query = QueryBuilder::new(format!("{SELECT} WHERE 1 = 1"));
            if let Some(year) = year {
                query.push(" AND r.year = ").push_bind(year);
            }
            scope.push(&mut query);
            query.push(" ORDER BY r.state, r.id");
            stored::all(query.build_query_as().fetch_all(pool).await?)?
        }))
    }

    /// One item.
    pub async fn rectification(&self, actor: &Actor, id: i64) -> Result<Rectification> {
        self.rectifications(actor, None)
            .await?
            .into_iter()
            .find(|r| r.id == id)
            .ok_or_else(|| Error::NotFound("整改事项不存在".to_owned()))
    }

    /// Finance raises an item on a project from monitoring (e.g. an alert's finding).
    pub async fn raise_rectification(
        &self,
        actor: &Actor,
        project_id: i64,
        problem: &str,
        alert_id: Option<i64>,
    ) -> Result<Rectification> {
        let jurisdiction = crate::monitoring::finance_jurisdiction(actor)?;
        workflow::create::<Rect>(RectificationAction::Raise, actor)?;
        let project = self.project(actor, project_id).await?;
        let problem = problem.trim();
        if problem.is_empty() || problem.chars().count() > 500 {
            return Err(Error::invalid(
                "problem",
                "invalid",
                "请填写发现的问题（不超过500字）",
            ));
        }
        let mut tx = self.begin().await?;
        open_items(
            &mut tx,
            &jurisdiction,
            project.id,
            "monitoring",
            alert_id.unwrap_or(0),
            &[problem.to_owned()],
            actor,
        )
        .await?;
        let id: i64 = on_tx!(&mut tx, |conn| {
            sqlx::query_scalar("SELECT MAX(id) FROM rectifications WHERE project_id = $1")
                .bind(project.id)
                .fetch_one(&mut *conn)
                .await?
        });
        workflow::record_creation::<Rect>(
            &mut tx,
            id,
            RectificationAction::Raise,
            RectificationState::Open,
            actor,
            Trail {
                jurisdiction: Some(&jurisdiction),
                details: json!({"project": project.code, "problem": problem}),
            },
        )
        .await?;
        tx.commit().await?;
        self.rectification(actor, id).await
    }

    /// The agency answers an open item with what it did.
    pub async fn answer_rectification(
        &self,
        actor: &Actor,
        id: i64,
        version: i32,
        answer: &str,
    ) -> Result<Rectification> {
        actor.require(jixiao_core::Capability::HandleRectifications)?;
        let item = self.rectification(actor, id).await?;
        workflow::check::<Rect>(item.workflow_state()?, RectificationAction::Answer, actor)?;
        let answer = answer.trim();
        if answer.is_empty() || answer.chars().count() > 2000 {
            return Err(Error::invalid(
                "answer",
                "invalid",
                "请填写整改措施及成效（不超过2000字）",
            ));
        }
        self.move_item(
            actor,
            &item,
            version,
            RectificationAction::Answer,
            answer,
            None,
        )
        .await
    }

    /// Finance checks an answered item off (`close`) or sends it back with a comment.
    pub async fn check_rectification(
        &self,
        actor: &Actor,
        id: i64,
        close: bool,
        comment: &str,
    ) -> Result<Rectification> {
        crate::monitoring::finance_jurisdiction(actor)?;
        let item = self.rectification(actor, id).await?;
        let action = if close {
            RectificationAction::Close
        } else {
            RectificationAction::SendBack
        };
        workflow::check::<Rect>(item.workflow_state()?, action, actor)?;
        if !close && comment.trim().is_empty() {
            return Err(Error::invalid(
                "comment",
                "required",
                "退回整改时请说明理由",
            ));
        }
        self.move_item(
            actor,
            &item,
            item.version,
            action,
            &item.answer,
            Some(comment.trim()),
        )
        .await
    }

    async fn move_item(
        &self,
        actor: &Actor,
        item: &Rectification,
        version: i32,
        action: RectificationAction,
        answer: &str,
        comment: Option<&str>,
    ) -> Result<Rectification> {
        let now = time::now();
        let mut also = vec![
            ("answer", Value::Text(Some(answer.to_owned()))),
            (
                "check_comment",
                Value::Text(Some(comment.unwrap_or(&item.check_comment).to_owned())),
            ),
        ];
        if comment.is_some() {
            also.push(("checked_by", Value::Text(Some(actor.name.clone()))));
            also.push(("checked_at", Value::Int(Some(now))));
        } else {
            also.push(("answered_by", Value::Text(Some(actor.name.clone()))));
            also.push(("answered_at", Value::Int(Some(now))));
        }
        let mut tx = self.begin().await?;
        advance::<Rect>(
            &mut tx,
            item.id,
            Some(version),
            action,
            actor,
            &also,
            Trail {
                jurisdiction: actor.jurisdiction.as_deref(),
                details: json!({"project": item.project_code, "comment": comment.unwrap_or("")}),
            },
        )
        .await?;
        tx.commit().await?;
        self.rectification(actor, item.id).await
    }

    /// Items of the agency (and the units below it) from earlier years that are not closed:
    /// the flags on a project of `project_id`'s agency and year.
    pub async fn unrectified_before(
        &self,
        actor: &Actor,
        project_id: i64,
    ) -> Result<Vec<Rectification>> {
        let project = self.project(actor, project_id).await?;
        Ok(on_pool!(&self.pool, |pool| {
            let rows = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{SELECT} WHERE r.agency_id = $1 AND r.year < $2 AND r.state <> 'closed' \
                 ORDER BY r.year DESC, r.id"
            )))
            .bind(project.agency_id)
            .bind(project.year)
            .fetch_all(pool)
            .await?;
            stored::all(rows)?
        }))
    }
}
