//! Year lists for evaluation pages: every project's self-evaluation state, score and grade within
//! the actor's sight, with the grade distribution.

use crate::stored::{self, Cell, Readable};
use crate::{Result, Store};
use jixiao_core::Actor;
use jixiao_core::workflow::SelfEvaluationState;
use serde::Serialize;
use sqlx::QueryBuilder;

/// One project's line in the year's self-evaluation list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct SelfEvaluationLine {
    /// Project id.
    pub project_id: i64,
    /// Project code.
    pub code: String,
    /// Project name.
    pub name: String,
    /// Agency.
    pub agency_name: String,
    /// Approved amount.
    pub approved_fen: i64,
    /// Sheet state; `None` when not started.
    pub state: Option<String>,
    /// Total.
    pub total_x100: Option<i64>,
    /// Grade.
    pub grade: Option<String>,
    /// `form` or `import`; `None` when not started.
    pub source: Option<String>,
}

impl Readable for SelfEvaluationLine {
    fn read(self) -> Result<SelfEvaluationLine> {
        // The sheet's row is named by its project (one sheet per project).
        let cell = |column| {
            Cell::keyed(
                "self_evaluations",
                format!("project_id={}", self.project_id),
                column,
            )
        };
        if let Some(state) = &self.state {
            cell("state").code(state, SelfEvaluationState::parse)?;
        }
        if let Some(source) = &self.source {
            cell("source").code(source, |s| matches!(s, "form" | "import").then_some(()))?;
        }
        Ok(self)
    }
}

impl Store {
    /// The latest year with self-evaluations the actor may see (the year evaluation pages show
    /// when none is asked for); `fallback` when there is none.
    pub async fn latest_evaluation_year(&self, actor: &Actor, fallback: i32) -> Result<i32> {
        let scope = self.project_scope(actor).await?;
        let year: Option<i32> = on_pool!(&self.pool, |pool| {
            let mut query = QueryBuilder::new(
                "SELECT MAX(p.year) FROM projects p JOIN self_evaluations s ON s.project_id = p.id \
                 WHERE 1 = 1",
            );
            scope.push(&mut query);
            query.build_query_scalar().fetch_one(pool).await?
        });
        Ok(year.unwrap_or(fallback))
    }

    /// The year's approved projects with their self-evaluations (agencies see their own).
    pub async fn self_evaluation_lines(
        &self,
        actor: &Actor,
        year: i32,
    ) -> Result<Vec<SelfEvaluationLine>> {
        let scope = self.project_scope(actor).await?;
        Ok(on_pool!(&self.pool, |pool| {
            let mut query = QueryBuilder::new(
                "SELECT p.id AS project_id, p.code, p.name, ag.name AS agency_name, \
                 COALESCE(p.approved_fen, 0) AS approved_fen, s.state, s.total_x100, s.grade, \
                 s.source FROM projects p JOIN agencies ag ON ag.id = p.agency_id \
                 LEFT JOIN self_evaluations s ON s.project_id = p.id \
                 WHERE p.approved_revision IS NOT NULL AND p.year = ",
            );
            query.push_bind(year);
            scope.push(&mut query);
            query.push(" ORDER BY ag.code, p.code");
            stored::all(query.build_query_as().fetch_all(pool).await?)?
        }))
    }
}
