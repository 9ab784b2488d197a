//! Print-ready official forms (A4, signature and seal areas): the target sheet
//! (项目支出绩效目标申报表), the monitoring report (项目支出绩效运行监控表) and the key evaluation
//! summary (重点绩效评价结果报告摘要). Each reads what its page reads, with the same rights.
//! Their last rows are printed on one page with the signatures and the seal (decision 0037).

use super::{Chrome, render};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::PageError;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use jixiao_core::ledger::format_rate;
use jixiao_core::money;
use jixiao_core::scoring::format_score;
use jixiao_core::target::{Indicator, format_points};
use jixiao_store::{KeyEvaluationDetail, MonitoringReport, Project, SessionUser};

/// The rows of a form printed on the page of its signatures and seal, so the seal is never
/// alone on a page.
const ROWS_KEPT_WITH_SEAL: usize = 2;

/// `rows` split into the rows printed before the last page's block and the last rows, printed
/// with the signatures and the seal.
pub(super) fn with_last_rows<T>(mut rows: Vec<T>) -> (Vec<T>, Vec<T>) {
    let last = rows.split_off(rows.len().saturating_sub(ROWS_KEPT_WITH_SEAL));
    (rows, last)
}

/// The department above a unit (the agency itself when it is a department).
pub(super) async fn department_of(
    state: &AppState,
    session: &SessionUser,
    project: &Project,
) -> Result<String, PageError> {
    Ok(match project.agency_parent_id {
        Some(parent) => state
            .store
            .agencies(&session.actor())
            .await?
            .into_iter()
            .find(|a| a.id == parent)
            .map_or_else(String::new, |a| a.name),
        None => project.agency_name.clone(),
    })
}

/// An indicator's target as the forms write it: `≥200人`, `达到预期`.
fn target_text(indicator: &Indicator) -> String {
    if indicator.op.is_quantitative() {
        format!(
            "{}{}{}",
            indicator.op.label(),
            indicator.value,
            indicator.unit
        )
    } else {
        indicator.value.clone()
    }
}

struct TargetLine {
    level1: String,
    level2: String,
    name: String,
    target: String,
    points: String,
}

#[derive(Template)]
#[template(path = "target_print.html")]
struct TargetPrint {
    chrome: Chrome,
    p: Project,
    department: String,
    requested_wan: String,
    superior_wan: String,
    local_wan: String,
    other_wan: String,
    approved_wan: Option<String>,
    overall_goal: String,
    annual_goal: String,
    lines: Vec<TargetLine>,
    last_lines: Vec<TargetLine>,
    /// The automatic review of the printed sheet, for a reviewer (not printed for the agency
    /// that signs the form): where, what, and what to write instead.
    review: Option<Vec<ReviewLine>>,
}

/// A finding of the automatic review on the printed sheet.
struct ReviewLine {
    place: String,
    label: String,
    message: String,
    error: bool,
}

/// `GET /projects/{id}/target/print`: the approved target sheet once approved, else the one
/// being filled.
pub async fn target_sheet(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let detail = state.store.project_detail(&session.actor(), id).await?;
    let department = department_of(&state, &session, &detail.project).await?;
    let sheet = detail.approved_target.as_ref().unwrap_or(&detail.target);
    let p = detail.project.clone();
    let review = if session.user.role == jixiao_core::Role::Agency {
        None
    } else {
        let rows: Vec<_> = sheet.indicators.iter().map(|i| i.to_input()).collect();
        let done = state
            .store
            .review_typed_sheet(
                &session.actor(),
                id,
                &sheet.overall_goal,
                &sheet.annual_goal,
                &rows,
            )
            .await?;
        Some(
            done.findings
                .iter()
                .map(|f| ReviewLine {
                    place: match f.row {
                        Some(row) if !f.indicator.is_empty() => {
                            format!("第{row}行 {}", f.indicator)
                        }
                        Some(row) => format!("第{row}行"),
                        None => "全表".to_owned(),
                    },
                    label: format!("{}·{}", f.severity.label(), f.code.label()),
                    message: f.message.clone(),
                    error: f.is_error(),
                })
                .collect(),
        )
    };
    let (lines, last_lines) = with_last_rows(
        sheet
            .indicators
            .iter()
            .map(|i| TargetLine {
                level1: i.level1.clone(),
                level2: i.level2.clone(),
                name: i.name.clone(),
                target: target_text(i),
                points: format_points(i.points_x100),
            })
            .collect(),
    );
    let view = TargetPrint {
        chrome: Chrome::for_session(&session, "projects"),
        department,
        requested_wan: money::format_wan(p.requested_fen),
        superior_wan: money::format_wan(p.funding_superior_fen),
        local_wan: money::format_wan(p.funding_local_fen),
        other_wan: money::format_wan(p.funding_other_fen),
        approved_wan: p.approved_fen.map(money::format_wan),
        overall_goal: sheet.overall_goal.clone(),
        annual_goal: sheet.annual_goal.clone(),
        lines,
        last_lines,
        p,
        review,
    };
    Ok(render(StatusCode::OK, &view))
}

struct MonitoringLine {
    level1: String,
    level2: String,
    name: String,
    target: String,
    reached: String,
    expected: String,
    outlook: String,
    cause: String,
    explanation: String,
    measures: String,
}

#[derive(Template)]
#[template(path = "monitoring_report_print.html")]
struct MonitoringPrint {
    chrome: Chrome,
    r: MonitoringReport,
    department: String,
    limit_wan: String,
    spent_wan: String,
    rate: String,
    time_progress: String,
    progress: String,
    lines: Vec<MonitoringLine>,
    last_lines: Vec<MonitoringLine>,
}

/// `GET /monitoring/{id}/reports/{project_id}/print`.
pub async fn monitoring_report(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path((id, project_id)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    let r = state
        .store
        .monitoring_report(&session.actor(), id, project_id)
        .await?;
    let department = department_of(&state, &session, &r.project).await?;
    let (lines, last_lines) = with_last_rows(
        r.rows
            .iter()
            .map(|row| MonitoringLine {
                level1: row.indicator.level1.clone(),
                level2: row.indicator.level2.clone(),
                name: row.indicator.name.clone(),
                target: target_text(&row.indicator),
                reached: row.entry.reached.clone(),
                expected: row.entry.expected.clone(),
                outlook: row.entry.outlook.clone(),
                cause: row.entry.cause.clone(),
                explanation: row.entry.explanation.clone(),
                measures: row.entry.measures.clone(),
            })
            .collect(),
    );
    let view = MonitoringPrint {
        chrome: Chrome::for_session(&session, "monitoring"),
        department,
        limit_wan: money::format_wan(r.limit_fen),
        spent_wan: money::format_wan(r.spent_fen),
        rate: format_rate(r.execution_bp),
        time_progress: format_rate(r.time_progress_bp),
        progress: r.progress_bp.map_or("—".to_owned(), format_rate),
        lines,
        last_lines,
        r,
    };
    Ok(render(StatusCode::OK, &view))
}

struct FrameworkLine {
    level1: String,
    level2: String,
    level3: String,
    points: u32,
    score: String,
    finding: String,
}

#[derive(Template)]
#[template(path = "key_evaluation_print.html")]
struct KeyEvaluationPrint {
    chrome: Chrome,
    d: KeyEvaluationDetail,
    approved_wan: String,
    total: String,
    final_score: String,
    grade: String,
    problems: Vec<String>,
    by_level1: Vec<(String, u32, String)>,
    lines: Vec<FrameworkLine>,
    last_lines: Vec<FrameworkLine>,
}

/// `GET /evaluations/{id}/print`: the summary of a key evaluation.
pub async fn key_evaluation(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let d = state.store.key_evaluation(&session.actor(), id).await?;
    let e = &d.evaluation;
    // Points and scores by level-1 (决策, 过程, 产出, 效益).
    let mut by_level1: Vec<(String, u32, i64)> = Vec::new();
    for item in &d.items {
        let score = item.score_x100.unwrap_or(0);
        match by_level1
            .iter_mut()
            .find(|(l, _, _)| *l == item.item.level1)
        {
            Some(entry) => {
                entry.1 += item.item.points;
                entry.2 += score;
            }
            None => by_level1.push((item.item.level1.clone(), item.item.points, score)),
        }
    }
    let (lines, last_lines) = with_last_rows(
        d.items
            .iter()
            .map(|s| FrameworkLine {
                level1: s.item.level1.clone(),
                level2: s.item.level2.clone(),
                level3: s.item.level3.clone(),
                points: s.item.points,
                score: s.score_x100.map(format_score).unwrap_or_default(),
                finding: s.finding.clone(),
            })
            .collect(),
    );
    let view = KeyEvaluationPrint {
        chrome: Chrome::for_session(&session, "key_evaluations"),
        approved_wan: money::format_wan(e.approved_fen),
        total: e.total_x100.map_or("—".to_owned(), format_score),
        final_score: e.final_x100.map_or("—".to_owned(), format_score),
        grade: e.final_grade.clone().unwrap_or_else(|| "—".to_owned()),
        problems: e.problem_list().to_vec(),
        by_level1: by_level1
            .into_iter()
            .map(|(l, points, score)| (l, points, format_score(score)))
            .collect(),
        lines,
        last_lines,
        d,
    };
    Ok(render(StatusCode::OK, &view))
}
