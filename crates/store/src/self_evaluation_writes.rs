//! Writing self-evaluation sheets: the head (insert at the first save, else update at the version
//! read), the items replaced in one go, state moves through the workflow, and the one-go insert
//! of a scored sheet the demo uses.

use crate::self_evaluations::{EvaluationItem, ITEM_COLUMNS, SelfEvaluation, scored_items};
use crate::tx::Tx;
use crate::workflow::{self, Trail, advance};
use crate::{Error, Result};
use jixiao_core::Actor;
use jixiao_core::scoring::{BudgetBlock, Finding, ItemInput, SheetScore};
use jixiao_core::time;
use jixiao_core::workflow::{SelfEvaluation as Sheet, SelfEvaluationAction};
use sqlx::QueryBuilder;

pub(crate) struct SheetWrite<'a> {
    pub(crate) state: &'a str,
    pub(crate) source: &'a str,
    pub(crate) budget: &'a BudgetBlock,
    pub(crate) scored: &'a SheetScore,
    pub(crate) items: &'a [EvaluationItem],
    pub(crate) findings: &'a [Finding],
    pub(crate) published_total_x100: Option<i64>,
    pub(crate) summary: &'a str,
    pub(crate) actor: &'a str,
}

/// Writes the head (insert on first save, else a workflow move by `action` at the version read,
/// with its audit record) and replaces the items. Returns the sheet's id.
pub(crate) async fn write_sheet(
    tx: &mut Tx,
    current: &SelfEvaluation,
    action: SelfEvaluationAction,
    actor: &Actor,
    w: SheetWrite<'_>,
    details: serde_json::Value,
) -> Result<i64> {
    let now = time::now();
    let findings = serde_json::to_string(w.findings).unwrap_or_else(|_| "[]".to_owned());
    let trail = Trail {
        jurisdiction: Some(&current.project.jurisdiction_code),
        details,
    };
    let id = match current.id {
        None => {
            let state = workflow::create::<Sheet>(action, actor)?;
            let w = SheetWrite {
                state: state.as_str(),
                ..w
            };
            let id = insert_head(
                tx,
                current.project.id,
                current.rulebook_id,
                &w,
                &findings,
                now,
            )
            .await?;
            workflow::record_creation::<Sheet>(tx, id, action, state, actor, trail).await?;
            id
        }
        Some(id) => {
            advance::<Sheet>(tx, id, Some(current.version), action, actor, &[], trail).await?;
            on_tx!(tx, |conn| {
                sqlx::query(
                    "UPDATE self_evaluations SET source = $1, initial_fen = $2, \
                     full_year_fen = $3, executed_fen = $4, execution_points_x100 = $5, \
                     execution_score_x100 = $6, total_x100 = $7, grade = $8, \
                     published_total_x100 = $9, findings = $10, summary = $11, \
                     updated_by = $12, updated_at = $13 WHERE id = $14",
                )
                .bind(w.source)
                .bind(w.budget.initial_fen)
                .bind(w.budget.full_year_fen)
                .bind(w.budget.executed_fen)
                .bind(w.scored.execution.points_x100)
                .bind(w.scored.execution.score_x100)
                .bind(w.scored.total_x100)
                .bind(&w.scored.grade)
                .bind(w.published_total_x100)
                .bind(&findings)
                .bind(w.summary)
                .bind(w.actor)
                .bind(now)
                .bind(id)
                .execute(&mut *conn)
                .await?;
            });
            on_tx!(tx, |conn| {
                sqlx::query("DELETE FROM self_evaluation_items WHERE self_evaluation_id = $1")
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
            });
            id
        }
    };
    insert_items(tx, id, w.items).await?;
    Ok(id)
}

/// Inserts a sheet's head; a second sheet for the same project is a conflict.
pub(crate) async fn insert_head(
    tx: &mut Tx,
    project_id: i64,
    rulebook_id: i64,
    w: &SheetWrite<'_>,
    findings: &str,
    now: i64,
) -> Result<i64> {
    let inserted: std::result::Result<i64, sqlx::Error> = on_tx!(tx, |conn| {
        sqlx::query_scalar(
            "INSERT INTO self_evaluations (project_id, rulebook_id, state, source, \
             initial_fen, full_year_fen, executed_fen, execution_points_x100, \
             execution_score_x100, total_x100, grade, published_total_x100, findings, \
             summary, updated_by, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) \
             RETURNING id",
        )
        .bind(project_id)
        .bind(rulebook_id)
        .bind(w.state)
        .bind(w.source)
        .bind(w.budget.initial_fen)
        .bind(w.budget.full_year_fen)
        .bind(w.budget.executed_fen)
        .bind(w.scored.execution.points_x100)
        .bind(w.scored.execution.score_x100)
        .bind(w.scored.total_x100)
        .bind(&w.scored.grade)
        .bind(w.published_total_x100)
        .bind(findings)
        .bind(w.summary)
        .bind(w.actor)
        .bind(now)
        .fetch_one(&mut *conn)
        .await
    });
    inserted
        .map_err(|e| Error::unique_as_duplicate(e, "绩效自评表已由他人先行保存，请刷新后再保存"))
}

/// Inserts a sheet's items.
pub(crate) async fn insert_items(tx: &mut Tx, id: i64, items: &[EvaluationItem]) -> Result<()> {
    if !items.is_empty() {
        on_tx!(tx, |conn| {
            let mut query = QueryBuilder::new(format!(
                "INSERT INTO self_evaluation_items (self_evaluation_id, {ITEM_COLUMNS}) "
            ));
            query.push_values(items, |mut row, i| {
                row.push_bind(id)
                    .push_bind(i.row_no)
                    .push_bind(i.level1.clone())
                    .push_bind(i.level2.clone())
                    .push_bind(i.name.clone())
                    .push_bind(i.op.clone())
                    .push_bind(i.target.clone())
                    .push_bind(i.unit.clone())
                    .push_bind(i.points_x100)
                    .push_bind(i.actual.clone())
                    .push_bind(i.band.clone())
                    .push_bind(i.band_percent.clone())
                    .push_bind(i.not_applicable)
                    .push_bind(i.effective_points_x100)
                    .push_bind(i.computed_x100)
                    .push_bind(i.manual_x100)
                    .push_bind(i.manual_reason.clone())
                    .push_bind(i.final_x100)
                    .push_bind(i.published_x100)
                    .push_bind(i.missed)
                    .push_bind(i.deviation_reason.clone())
                    .push_bind(i.improvement.clone())
                    .push_bind(i.record_value)
                    .push_bind(i.override_reason.clone());
            });
            query.build().execute(&mut *conn).await?;
        });
    }
    Ok(())
}

/// Stores a scored sheet for a project in one go (the demo's year of self-evaluations).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert_scored_sheet(
    tx: &mut Tx,
    project_id: i64,
    rulebook_id: i64,
    state: &str,
    budget: &BudgetBlock,
    inputs: &[ItemInput],
    scored: &SheetScore,
    summary: &str,
    actor: &str,
) -> Result<i64> {
    let items = scored_items(inputs, scored, &[]);
    let w = SheetWrite {
        state,
        source: "form",
        budget,
        scored,
        items: &items,
        findings: &scored.findings,
        published_total_x100: None,
        summary,
        actor,
    };
    let findings = serde_json::to_string(&scored.findings).unwrap_or_else(|_| "[]".to_owned());
    let id = insert_head(tx, project_id, rulebook_id, &w, &findings, time::now()).await?;
    insert_items(tx, id, &items).await?;
    if state != "draft" {
        on_tx!(tx, |conn| {
            sqlx::query(
                "UPDATE self_evaluations SET submitted_by = $1, submitted_at = $2 WHERE id = $3",
            )
            .bind(actor)
            .bind(time::now())
            .bind(id)
            .execute(&mut *conn)
            .await?;
        });
    }
    Ok(id)
}
