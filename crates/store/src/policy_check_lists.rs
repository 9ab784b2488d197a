//! What the registry's pages list about the coverage check: the jurisdiction's runs, newest
//! first, and the findings still standing against one household (open or accepted, from
//! whichever run last found them), within the reader's scope.

use crate::households::HouseholdScope;
use crate::policy_checks::{FINDING_SELECT, FindingRow};
use crate::stored;
use crate::{Error, PolicyCheckRun, PolicyFinding, Result, Store};
use jixiao_core::Actor;
use sqlx::QueryBuilder;

/// Runs listed on the page.
const RUNS_LISTED: i64 = 50;

impl Store {
    /// The jurisdiction's coverage-check runs, newest first (the last 50).
    pub async fn policy_checks(&self, actor: &Actor) -> Result<Vec<PolicyCheckRun>> {
        let scope: HouseholdScope = self.household_scope(actor).await?;
        let jurisdiction = scope.jurisdiction.ok_or(Error::Forbidden)?;
        let runs: Vec<PolicyCheckRun> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(
                "SELECT id, jurisdiction_code, township_code, rulebook, as_of, started_by, \
                 started_at, households, people, findings FROM policy_check_runs \
                 WHERE jurisdiction_code = $1 ORDER BY id DESC LIMIT $2",
            )
            .bind(&jurisdiction)
            .bind(RUNS_LISTED)
            .fetch_all(pool)
            .await?
        });
        stored::all(runs)
    }

    /// The findings still standing against a household within the reader's scope (a sector
    /// user: its department's), by rule.
    pub async fn household_findings(
        &self,
        actor: &Actor,
        household_id: i64,
    ) -> Result<Vec<PolicyFinding>> {
        let scope = self.household_scope(actor).await?;
        let department = self.sector_department(actor).await?;
        let rows: Vec<FindingRow> = on_pool!(&self.pool, |pool| {
            let mut query = QueryBuilder::new(FINDING_SELECT);
            query
                .push("f.household_id = ")
                .push_bind(household_id)
                .push(" AND f.status <> 'closed'");
            scope.push(&mut query);
            if let Some(department) = &department {
                query
                    .push(" AND f.department = ")
                    .push_bind(department.clone());
            }
            query.push(" ORDER BY f.kind, f.rule_code, f.person_ids");
            query.build_query_as().fetch_all(pool).await?
        });
        rows.into_iter().map(FindingRow::read).collect()
    }
}
