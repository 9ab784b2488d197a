//! The working target sheets of a year read in batches by keyset (project id), two queries a
//! batch whatever its size — for the target review (智能预审) over a whole year.

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
}

#[derive(sqlx::FromRow)]
struct IndicatorRow {
    project_id: i64,
    row_no: i32,
    level1: String,
    level2: String,
    name: String,
    op: String,
    value: String,
    unit: String,
    points_x100: i64,
    value_basis: String,
    explanation: String,
    data_source: String,
}

/// The conditions both queries of a batch share: the year, the jurisdiction and the actor's
/// scope (on `projects p`).
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
    /// working sheet — the projects and their goals in one query, every indicator row of the
    /// batch in a second, inside one read-only snapshot. Only `jurisdiction`'s projects when
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
        let (headers, rows) = on_pool!(&self.pool, |pool| {
            let mut tx = pool.begin().await?;
            if postgres {
                // Both queries see one snapshot: a sheet saved meanwhile is read whole or not.
                sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    .execute(&mut *tx)
                    .await?;
            }
            let mut query = QueryBuilder::new(
                "SELECT p.id, p.jurisdiction_code, p.agency_id, p.year, p.code, p.name, \
                 p.requested_fen, p.serves_people, p.target_revision, \
                 s.overall_goal, s.annual_goal \
                 FROM projects p LEFT JOIN target_sheets s \
                 ON s.project_id = p.id AND s.revision = p.target_revision",
            );
            push_conditions(&mut query, year, jurisdiction, &scope);
            query
                .push(" AND p.id > ")
                .push_bind(after)
                .push(" ORDER BY p.id LIMIT ")
                .push_bind(limit);
            let headers: Vec<HeaderRow> = query.build_query_as().fetch_all(&mut *tx).await?;
            let rows: Vec<IndicatorRow> = match (headers.first(), headers.last()) {
                (Some(first), Some(last)) => {
                    // The batch's id range under the same conditions: exactly its projects.
                    let mut query = QueryBuilder::new(
                        "SELECT i.project_id, i.row_no, i.level1, i.level2, i.name, i.op, \
                         i.value, i.unit, i.points_x100, i.value_basis, i.explanation, \
                         i.data_source \
                         FROM projects p JOIN target_indicators i \
                         ON i.project_id = p.id AND i.revision = p.target_revision",
                    );
                    push_conditions(&mut query, year, jurisdiction, &scope);
                    query
                        .push(" AND p.id >= ")
                        .push_bind(first.id)
                        .push(" AND p.id <= ")
                        .push_bind(last.id)
                        .push(" ORDER BY i.project_id, i.row_no");
                    query.build_query_as().fetch_all(&mut *tx).await?
                }
                _ => Vec::new(),
            };
            tx.commit().await?;
            (headers, rows)
        });
        assemble(headers, rows)
    }
}

/// Puts each indicator row (in project and row order) into its project's sheet.
fn assemble(headers: Vec<HeaderRow>, rows: Vec<IndicatorRow>) -> Result<Vec<WorkingTargetSheet>> {
    let mut sheets: Vec<WorkingTargetSheet> = headers
        .into_iter()
        .map(|h| WorkingTargetSheet {
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
                indicators: Vec::new(),
            },
        })
        .collect();
    let mut at = 0;
    for r in rows {
        while sheets.get(at).is_some_and(|s| s.project_id < r.project_id) {
            at += 1;
        }
        // Both lists are in id order and the rows are of the batch's projects.
        let Some(sheet) = sheets.get_mut(at).filter(|s| s.project_id == r.project_id) else {
            continue;
        };
        let op = match Operator::parse(&r.op) {
            Some(op) => op,
            None => {
                let key = format!(
                    "project_id={},revision={},row_no={}",
                    r.project_id, sheet.target_revision, r.row_no
                );
                Cell::keyed("target_indicators", key, "op").code(&r.op, Operator::parse)?
            }
        };
        sheet.target.indicators.push(Indicator {
            level1: r.level1,
            level2: r.level2,
            name: r.name,
            op,
            value: r.value,
            unit: r.unit,
            points_x100: r.points_x100,
            value_basis: r.value_basis,
            explanation: r.explanation,
            data_source: r.data_source,
        });
    }
    Ok(sheets)
}
