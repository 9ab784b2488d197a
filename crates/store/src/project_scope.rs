//! Which projects an actor may see: its jurisdictions and, for an agency user, its agency and
//! the units below it — as SQL conditions every project query adds.

use crate::{Error, Result, Store};
use jixiao_core::{Actor, Role, tree};
use sqlx::QueryBuilder;

/// What the actor may see of projects: `None` for all, else jurisdictions and (for agency
/// users) agency ids.
#[derive(Debug, Clone, Default)]
pub(crate) struct ProjectScope {
    pub jurisdictions: Option<Vec<String>>,
    pub agencies: Option<Vec<i64>>,
    /// How many jurisdictions the scope spans (all of the deployment's when `jurisdictions` is
    /// `None`): what decides whether a name search is wide (decision 0053).
    pub breadth: usize,
}

impl ProjectScope {
    pub(crate) fn push<DB: sqlx::Database>(&self, query: &mut QueryBuilder<DB>)
    where
        for<'t> String: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
        for<'t> i64: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    {
        if let Some(codes) = &self.jurisdictions {
            push_in(query, "p.jurisdiction_code", codes.iter().cloned());
        }
        if let Some(ids) = &self.agencies {
            push_in(query, "p.agency_id", ids.iter().copied());
        }
    }
}

/// ` AND column IN (values…)`, or a condition no row meets when there are no values.
fn push_in<DB, T>(query: &mut QueryBuilder<DB>, column: &str, values: impl Iterator<Item = T>)
where
    DB: sqlx::Database,
    for<'t> T: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    let mut values = values.peekable();
    if values.peek().is_none() {
        query.push(" AND 1 = 0");
        return;
    }
    query.push(format!(" AND {column} IN ("));
    let mut list = query.separated(", ");
    for value in values {
        list.push_bind(value);
    }
    query.push(")");
}

impl Store {
    /// Which projects the actor may see.
    pub(crate) async fn project_scope(&self, actor: &Actor) -> Result<ProjectScope> {
        match actor.role {
            Role::Admin | Role::Finance | Role::Viewer | Role::Agency => {}
            Role::Expert
            | Role::Institution
            | Role::Village
            | Role::Township
            | Role::Assistance
            | Role::Sector
            | Role::Helper => return Err(Error::Forbidden),
        }
        // The top of a one-province deployment sees every project: no list of all the codes
        // for the queries to match (and sort) against.
        let all = self.jurisdictions().await?;
        let visible = crate::jurisdictions::visible_among(actor, &all);
        let breadth = visible.as_ref().map_or(all.len(), Vec::len);
        let jurisdictions = visible.filter(|codes| codes.len() < all.len());
        let agencies = if actor.role == Role::Agency {
            let own = actor.agency_id.ok_or(Error::Forbidden)?;
            let all = self.agencies(actor).await?;
            let parents: Vec<(i64, Option<i64>)> =
                all.iter().map(|a| (a.id, a.parent_id)).collect();
            Some(tree::subtree(&own, &parents))
        } else {
            None
        };
        Ok(ProjectScope {
            jurisdictions,
            agencies,
            breadth,
        })
    }

    /// Which projects the actor may see within `jurisdiction` and the levels below it (all it
    /// may see when none is named; nothing when it names one the actor does not see).
    pub(crate) async fn project_scope_in(
        &self,
        actor: &Actor,
        jurisdiction: Option<&str>,
    ) -> Result<ProjectScope> {
        let mut scope = self.project_scope(actor).await?;
        if let Some(code) = jurisdiction.map(str::trim).filter(|c| !c.is_empty()) {
            let under = self.jurisdiction_subtree(code).await?;
            let narrowed: Vec<String> = match scope.jurisdictions {
                None => under,
                Some(visible) => under.into_iter().filter(|c| visible.contains(c)).collect(),
            };
            scope.breadth = narrowed.len();
            scope.jurisdictions = Some(narrowed);
        }
        Ok(scope)
    }
}
