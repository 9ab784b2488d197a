//! Target sheets as stored: one revision per round of review; the approved revision stays
//! readable while a later one is worked on.

use crate::audit::append;
use crate::projects::bump_version;
use crate::stored::Cell;
use crate::target_reviews::{SheetReview, write_review};
use crate::tx::Tx;
use crate::{Error, Result, Store};
use jixiao_core::audit::AuditEntry;
use jixiao_core::target::{self, Indicator, IndicatorInput, Operator, TargetSheet};
use jixiao_core::{Actor, time};
use serde_json::json;

#[derive(sqlx::FromRow)]
struct IndicatorRow {
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

impl Store {
    /// A revision of a project's target sheet (no access check: callers checked the project).
    pub(crate) async fn target_sheet(&self, project_id: i64, revision: i32) -> Result<TargetSheet> {
        let (goals, rows) = on_pool!(&self.pool, |pool| {
            let goals: Option<(String, String)> = sqlx::query_as(
                "SELECT overall_goal, annual_goal FROM target_sheets \
                 WHERE project_id = $1 AND revision = $2",
            )
            .bind(project_id)
            .bind(revision)
            .fetch_optional(pool)
            .await?;
            let rows: Vec<IndicatorRow> = sqlx::query_as(
                "SELECT row_no, level1, level2, name, op, value, unit, points_x100, value_basis, \
                 explanation, data_source FROM target_indicators \
                 WHERE project_id = $1 AND revision = $2 ORDER BY row_no",
            )
            .bind(project_id)
            .bind(revision)
            .fetch_all(pool)
            .await?;
            (goals, rows)
        });
        // A revision without goals is a sheet never saved: empty goals, as the form starts.
        let (overall_goal, annual_goal) = goals.unwrap_or_default();
        let indicators = rows
            .into_iter()
            .map(|r| {
                let key = format!(
                    "project_id={project_id},revision={revision},row_no={}",
                    r.row_no
                );
                Ok(Indicator {
                    op: Cell::keyed("target_indicators", key, "op").code(&r.op, Operator::parse)?,
                    level1: r.level1,
                    level2: r.level2,
                    name: r.name,
                    value: r.value,
                    unit: r.unit,
                    points_x100: r.points_x100,
                    value_basis: r.value_basis,
                    explanation: r.explanation,
                    data_source: r.data_source,
                })
            })
            .collect::<Result<Vec<Indicator>>>()?;
        Ok(TargetSheet {
            overall_goal,
            annual_goal,
            indicators,
        })
    }

    /// Saves the working target sheet of a draft or returned project. Rows that can never be
    /// right are all reported and nothing is stored; a stale `version` is refused.
    pub async fn save_target(
        &self,
        actor: &Actor,
        id: i64,
        version: i32,
        overall_goal: &str,
        annual_goal: &str,
        rows: &[IndicatorInput],
    ) -> Result<i32> {
        let sheet = TargetSheetInput {
            project_id: id,
            version,
            overall_goal: overall_goal.to_owned(),
            annual_goal: annual_goal.to_owned(),
            rows: rows.to_vec(),
        };
        self.save_target_sheets(actor, std::slice::from_ref(&sheet))
            .await
            .map(|_| version + 1)
    }

    /// Saves the working target sheets of several draft or returned projects in one transaction:
    /// all of them or none. Every sheet is checked before anything is written; the first refusal
    /// (rows that can never be right, a project not editable, a stale version) is returned.
    pub async fn save_target_sheets(
        &self,
        actor: &Actor,
        sheets: &[TargetSheetInput],
    ) -> Result<()> {
        let mut checked = Vec::with_capacity(sheets.len());
        for input in sheets {
            let project = self.editable_project(actor, input.project_id).await?;
            let record = self
                .rulebook_in_force(&project.jurisdiction_code, project.year)
                .await?;
            let sheet = target::parse_sheet(&input.overall_goal, &input.annual_goal, &input.rows)
                .map_err(Error::InvalidRows)?;
            // A draft with review findings is saved; only submission is gated on them.
            let review = SheetReview::for_project(&record, &sheet, &project)?;
            checked.push((input, project, sheet, review));
        }
        let mut tx = self.begin().await?;
        for (input, project, sheet, review) in &checked {
            let id = input.project_id;
            bump_version(&mut tx, id, input.version).await?;
            write_sheet(
                &mut tx,
                id,
                project.target_revision,
                sheet,
                &actor.name,
                review,
            )
            .await?;
            append(
                &mut tx,
                AuditEntry::new(&actor.name, "target.save", "project", &id.to_string())
                    .in_jurisdiction(Some(&project.jurisdiction_code))
                    .with_details(json!({
                        "revision": project.target_revision,
                        "indicators": sheet.indicators.len(),
                        "review_findings": review.findings.len(),
                    })),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// A target sheet to save: the project, the version it was read at, and the sheet as typed.
#[derive(Debug, Clone)]
pub struct TargetSheetInput {
    /// The project.
    pub project_id: i64,
    /// The project's version when the sheet was read.
    pub version: i32,
    /// 总体目标.
    pub overall_goal: String,
    /// 年度目标.
    pub annual_goal: String,
    /// The rows.
    pub rows: Vec<IndicatorInput>,
}

/// Replaces revision `revision` of a project's sheet with `sheet`, with its automatic review.
pub(crate) async fn write_sheet(
    tx: &mut Tx,
    project_id: i64,
    revision: i32,
    sheet: &TargetSheet,
    actor: &str,
    review: &SheetReview,
) -> Result<()> {
    on_tx!(tx, |conn| {
        sqlx::query("DELETE FROM target_indicators WHERE project_id = $1 AND revision = $2")
            .bind(project_id)
            .bind(revision)
            .execute(&mut *conn)
            .await?;
        sqlx::query(
            "INSERT INTO target_sheets (project_id, revision, overall_goal, annual_goal, saved_at, \
             saved_by) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (project_id, revision) DO \
             UPDATE SET overall_goal = excluded.overall_goal, annual_goal = excluded.annual_goal, \
             saved_at = excluded.saved_at, saved_by = excluded.saved_by",
        )
        .bind(project_id)
        .bind(revision)
        .bind(&sheet.overall_goal)
        .bind(&sheet.annual_goal)
        .bind(time::now())
        .bind(actor)
        .execute(&mut *conn)
        .await?;
        for (index, indicator) in sheet.indicators.iter().enumerate() {
            sqlx::query(
                "INSERT INTO target_indicators (project_id, revision, row_no, level1, level2, \
                 name, op, value, unit, points_x100, value_basis, explanation, data_source) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            )
            .bind(project_id)
            .bind(revision)
            .bind(i32::try_from(index + 1).unwrap_or(i32::MAX))
            .bind(&indicator.level1)
            .bind(&indicator.level2)
            .bind(&indicator.name)
            .bind(indicator.op.as_str())
            .bind(&indicator.value)
            .bind(&indicator.unit)
            .bind(indicator.points_x100)
            .bind(&indicator.value_basis)
            .bind(&indicator.explanation)
            .bind(&indicator.data_source)
            .execute(&mut *conn)
            .await?;
        }
        Ok::<(), Error>(())
    })?;
    write_review(tx, project_id, revision, review).await
}
