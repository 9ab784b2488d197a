//! The working target sheets of a year read in batches by keyset (project id), one query a
//! batch whatever its size (each project's rows as one JSON array) — for the target review
//! (智能预审) over a whole year.

use crate::project_scope::ProjectScope;
use crate::stored::Cell;
use crate::{Backend, Result, Store};
use jixiao_core::Actor;
use jixiao_core::target::{Indicator, Operator, TargetSheet};
use sqlx::QueryBuilder;

/// The most projects one batch reads.
pub(crate) const MAX_BATCH: i64 = 5000;

/// A project with its working target sheet (the revision `target_revision` names), as the
/// target review needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkingTargetSheet {
    /// Project id (the batches' key).
    pub project_id: i64,
    /// Jurisdiction.
    pub jurisdiction_code: String,
    /// The agency asking.
    pub agency_id: i64,
    /// Budget year.
    pub year: i32,
    /// Project code.
    pub code: String,
    /// Project name.
    pub name: String,
    /// Amount requested, in fen.
    pub requested_fen: i64,
    /// Serves people directly.
    pub serves_people: bool,
    /// The working revision read.
    pub target_revision: i32,
    /// The sheet at that revision (empty goals when the revision was never saved), exactly as
    /// `project_detail` reads it.
    pub target: TargetSheet,
}

#[derive(sqlx::FromRow)]
struct HeaderRow {
    id: i64,
    jurisdiction_code: String,
    agency_id: i64,
    year: i32,
    code: String,
    name: String,
    requested_fen: i64,
    serves_people: bool,
    target_revision: i32,
    overall_goal: Option<String>,
    annual_goal: Option<String>,
    indicators: Option<String>,
}

/// The batch's conditions: the year, the jurisdiction and the actor's scope (on `projects p`).
fn push_conditions<DB: sqlx::Database>(
    query: &mut QueryBuilder<DB>,
    year: i32,
    jurisdiction: Option<&str>,
    scope: &ProjectScope,
) where
    for<'t> String: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    for<'t> i64: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    for<'t> i32: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    query.push(" WHERE p.year = ").push_bind(year);
    if let Some(code) = jurisdiction {
        query
            .push(" AND p.jurisdiction_code = ")
            .push_bind(code.to_owned());
    }
    scope.push(query);
}

impl Store {
    /// The next batch of a year's working target sheets: at most `limit` (1 to [`MAX_BATCH`])
    /// projects of `year` with an id above `after_project_id`, in id order, each with its
    /// working sheet — projects, goals and every indicator row in one query (so one snapshot).
    /// Only `jurisdiction`'s projects when
    /// given, and only those the actor may see, as in the project list (admin, finance and
    /// viewers their jurisdictions, an agency user its agency and the units below it; other
    /// roles are refused). An empty batch means the year is done.
    pub async fn working_target_sheets_after(
        &self,
        actor: &Actor,
        year: i32,
        jurisdiction: Option<&str>,
        after_project_id: Option<i64>,
        limit: i64,
    ) -> Result<Vec<WorkingTargetSheet>> {
        let scope = self.project_scope(actor).await?;
        let limit = limit.clamp(1, MAX_BATCH);
        let after = after_project_id.unwrap_or(i64::MIN);
        let postgres = self.backend() == Backend::Postgres;
        // Each project's rows come as one JSON array (in row order) rather than ten result
        // rows: on SQLite every result row crosses a channel from the database thread, and
        // that, not the query, was most of the time of a year's read.
        let rows_of_project = if postgres {
            "(SELECT CAST(json_agg(json_build_array(i.row_no, i.level1, i.level2, i.name, \
             i.op, i.value, i.unit, i.points_x100, i.value_basis, i.explanation, \
             i.data_source) ORDER BY i.row_no) AS TEXT)"
        } else {
            "(SELECT json_group_array(json_array(i.row_no, i.level1, i.level2, i.name, \
             i.op, i.value, i.unit, i.points_x100, i.value_basis, i.explanation, \
             i.data_source) ORDER BY i.row_no)"
        };
        let head = format!(
            "SELECT p.id, p.jurisdiction_code, p.agency_id, p.year, p.code, p.name, \
             p.requested_fen, p.serves_people, p.target_revision, \
             s.overall_goal, s.annual_goal, {rows_of_project} \
             FROM target_indicators i \
             WHERE i.project_id = p.id AND i.revision = p.target_revision) AS indicators \
             FROM projects p LEFT JOIN target_sheets s \
             ON s.project_id = p.id AND s.revision = p.target_revision"
        );
        let headers: Vec<HeaderRow> = on_pool!(&self.pool, |pool| {
            let mut query = QueryBuilder::new(head.as_str());
            push_conditions(&mut query, year, jurisdiction, &scope);
            query
                .push(" AND p.id > ")
                .push_bind(after)
                .push(" ORDER BY p.id LIMIT ")
                .push_bind(limit);
            query.build_query_as().fetch_all(pool).await?
        });
        headers.into_iter().map(assemble).collect()
    }
}

/// An indicator row as the JSON array of the query holds it.
type JsonRow = (
    i32,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    String,
    String,
    String,
);

/// A project's sheet from its row of the query.
fn assemble(h: HeaderRow) -> Result<WorkingTargetSheet> {
    let rows: Vec<JsonRow> = match h.indicators.as_deref() {
        None | Some("") => Vec::new(),
        Some(text) => Cell::keyed(
            "target_indicators",
            format!("project_id={},revision={}", h.id, h.target_revision),
            "*",
        )
        .json(text)?,
    };
    let mut indicators = Vec::with_capacity(rows.len());
    for (row_no, level1, level2, name, op, value, unit, points_x100, basis, explanation, source) in
        rows
    {
        let op = match Operator::parse(&op) {
            Some(op) => op,
            None => {
                let key = format!(
                    "project_id={},revision={},row_no={row_no}",
                    h.id, h.target_revision
                );
                Cell::keyed("target_indicators", key, "op").code(&op, Operator::parse)?
            }
        };
        indicators.push(Indicator {
            level1,
            level2,
            name,
            op,
            value,
            unit,
            points_x100,
            value_basis: basis,
            explanation,
            data_source: source,
        });
    }
    Ok(WorkingTargetSheet {
        project_id: h.id,
        jurisdiction_code: h.jurisdiction_code,
        agency_id: h.agency_id,
        year: h.year,
        code: h.code,
        name: h.name,
        requested_fen: h.requested_fen,
        serves_people: h.serves_people,
        target_revision: h.target_revision,
        target: TargetSheet {
            overall_goal: h.overall_goal.unwrap_or_default(),
            annual_goal: h.annual_goal.unwrap_or_default(),
            indicators,
        },
    })
}
