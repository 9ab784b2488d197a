//! Targets to adjust to the approved amount (按批复金额调整绩效目标, decision 0043): the
//! agencies' work list of approved projects whose money differs from what their targets were
//! made for, and the cost indicators of such a sheet that no longer reconcile with the money.

use crate::projects::SELECT_PROJECT;
use crate::target_reviews::SheetReview;
use crate::{Project, Result, Store};
use jixiao_core::Actor;
use jixiao_core::target_review::{Finding, FindingCode};
use sqlx::QueryBuilder;

impl Store {
    /// The approved projects in the actor's scope whose targets must still be adjusted to the
    /// approved amount (no revision started yet), oldest change first.
    pub async fn targets_to_adjust(&self, actor: &Actor, limit: i64) -> Result<Vec<Project>> {
        let scope = self.project_scope(actor).await?;
        let rows: Vec<Project> = on_pool!(&self.pool, |pool| {
            let mut query = QueryBuilder::new(format!(
                "{SELECT_PROJECT} WHERE p.state = 'approved' AND p.targets_adjust_fen IS NOT NULL"
            ));
            scope.push(&mut query);
            query
                .push(" ORDER BY p.updated_at, p.id LIMIT ")
                .push_bind(limit.clamp(1, 1000));
            query.build_query_as().fetch_all(pool).await?
        });
        crate::stored::all(rows)
    }

    /// The cost indicators of a project's approved targets that no longer reconcile with the
    /// approved amount (批复金额与成本指标不再相符): the cost findings of the approved sheet held
    /// against the amount its targets must be adjusted to, less those it already had against the
    /// request. Empty when the project has no targets to adjust. Reads only.
    pub async fn costs_out_of_line(&self, actor: &Actor, id: i64) -> Result<Vec<Finding>> {
        let project = self.project(actor, id).await?;
        let (Some(approved), Some(revision)) =
            (project.targets_adjust_fen, project.approved_revision)
        else {
            return Ok(Vec::new());
        };
        let sheet = self.target_sheet(id, revision).await?;
        let record = self
            .rulebook_in_force(&project.jurisdiction_code, project.year)
            .await?;
        let cost = |f: &Finding| {
            matches!(
                f.code,
                FindingCode::CostExceedsBudget | FindingCode::BudgetMismatch
            )
        };
        let before =
            SheetReview::against(&record, &sheet, project.year, project.requested_fen, false)?;
        let after = SheetReview::against(&record, &sheet, project.year, approved, true)?;
        Ok(after
            .findings
            .into_iter()
            .filter(|f| {
                cost(f)
                    && !before
                        .findings
                        .iter()
                        .any(|b| cost(b) && b.code == f.code && b.row == f.row)
            })
            .collect())
    }
}
