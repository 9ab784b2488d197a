//! Figures for finance and leaders: projects and money under performance management, by state
//! and by agency.

use crate::{Result, Store};
use jixiao_core::Actor;
use serde::Serialize;
use sqlx::QueryBuilder;

/// Count and money of a group of projects.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Tally {
    /// What the group is (state code, or agency code).
    pub key: String,
    /// Its name (state or agency name).
    pub label: String,
    /// Projects.
    pub projects: i64,
    /// Requested, in fen.
    pub requested_fen: i64,
    /// Approved, in fen.
    pub approved_fen: i64,
}

/// A year's figures.
#[derive(Debug, Clone, Default, Serialize)]
pub struct YearFigures {
    /// The year.
    pub year: i32,
    /// Approved projects: under performance management.
    pub covered: Tally,
    /// By state.
    pub by_state: Vec<Tally>,
    /// By department (units counted with their department).
    pub by_department: Vec<Tally>,
    /// When the figures were summed (microseconds since the epoch), when they come from the
    /// rollups over several jurisdictions; `None`: read from the projects just now.
    pub as_of: Option<i64>,
}

impl Store {
    /// The year's figures within the actor's scope.
    pub async fn year_figures(&self, actor: &Actor, year: i32) -> Result<YearFigures> {
        self.year_figures_in(actor, year, None).await
    }

    /// The year's figures within a jurisdiction the actor sees and the levels below it.
    pub async fn year_figures_in(
        &self,
        actor: &Actor,
        year: i32,
        jurisdiction: Option<&str>,
    ) -> Result<YearFigures> {
        let scope = self.project_scope_in(actor, jurisdiction).await?;
        // Over several jurisdictions (a city's, the province's): the rollups, once built.
        let several = scope
            .jurisdictions
            .as_ref()
            .is_none_or(|codes| codes.len() > 1);
        let as_of = if several && scope.agencies.is_none() {
            self.scope_rollups_refreshed().await?
        } else {
            None
        };
        let rollup = as_of.is_some();
        let (by_state, by_department) = on_pool!(&self.pool, |pool| {
            let mut query = QueryBuilder::new(if rollup {
                "SELECT p.state AS key, p.state AS label, \
                 CAST(SUM(p.projects) AS BIGINT) AS projects, \
                 CAST(COALESCE(SUM(p.requested_fen), 0) AS BIGINT) AS requested_fen, \
                 CAST(COALESCE(SUM(p.approved_fen), 0) AS BIGINT) AS approved_fen \
                 FROM rollup_projects p WHERE p.year = "
            } else {
                "SELECT p.state AS key, p.state AS label, COUNT(*) AS projects, \
                 CAST(COALESCE(SUM(p.requested_fen), 0) AS BIGINT) AS requested_fen, \
                 CAST(COALESCE(SUM(p.approved_fen), 0) AS BIGINT) AS approved_fen \
                 FROM projects p WHERE p.year = "
            });
            query.push_bind(year);
            scope.push(&mut query);
            query.push(" GROUP BY p.state");
            let by_state: Vec<Tally> = query.build_query_as().fetch_all(pool).await?;
            // Sum per agency from the covering index first, then roll units up into their
            // departments.
            let mut query = QueryBuilder::new(if rollup {
                "SELECT d.code AS key, d.name AS label, \
                 CAST(SUM(t.projects) AS BIGINT) AS projects, \
                 CAST(SUM(t.requested_fen) AS BIGINT) AS requested_fen, \
                 CAST(SUM(t.approved_fen) AS BIGINT) AS approved_fen FROM (\
                 SELECT p.agency_id, SUM(p.projects) AS projects, \
                 COALESCE(SUM(p.requested_fen), 0) AS requested_fen, \
                 COALESCE(SUM(p.approved_fen), 0) AS approved_fen \
                 FROM rollup_projects p WHERE p.year = "
            } else {
                "SELECT d.code AS key, d.name AS label, \
                 CAST(SUM(t.projects) AS BIGINT) AS projects, \
                 CAST(SUM(t.requested_fen) AS BIGINT) AS requested_fen, \
                 CAST(SUM(t.approved_fen) AS BIGINT) AS approved_fen FROM (\
                 SELECT p.agency_id, COUNT(*) AS projects, \
                 COALESCE(SUM(p.requested_fen), 0) AS requested_fen, \
                 COALESCE(SUM(p.approved_fen), 0) AS approved_fen \
                 FROM projects p WHERE p.year = "
            });
            query.push_bind(year);
            scope.push(&mut query);
            query.push(
                " GROUP BY p.agency_id) t JOIN agencies a ON a.id = t.agency_id \
                 JOIN agencies d ON d.id = COALESCE(a.parent_id, a.id) \
                 GROUP BY d.code, d.name ORDER BY d.code",
            );
            let by_department: Vec<Tally> = query.build_query_as().fetch_all(pool).await?;
            (by_state, by_department)
        });
        let mut ordered = Vec::new();
        for state in jixiao_core::project::ProjectState::ALL {
            let mut tally = by_state
                .iter()
                .find(|t| t.key == state.as_str())
                .cloned()
                .unwrap_or_default();
            tally.key = state.as_str().to_owned();
            tally.label = state.label().to_owned();
            ordered.push(tally);
        }
        let covered = ordered
            .iter()
            .find(|t| t.key == "approved")
            .cloned()
            .unwrap_or_default();
        Ok(YearFigures {
            year,
            covered: Tally {
                key: "covered".to_owned(),
                label: "纳入绩效管理".to_owned(),
                ..covered
            },
            by_state: ordered,
            by_department,
            as_of: as_of.map(|r| r.refreshed_at),
        })
    }
}
