//! The year's bulletin (绩效评价结果通报), printable on A4: the figures of the year, the key
//! evaluations with their grades and problems, the projects graded 中 and 差, and the results
//! application with the money cut, ending in the finance bureau's seal area.

use super::{Chrome, render};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::PageError;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use jixiao_core::money;
use jixiao_core::scoring::format_score;
use jixiao_store::{Adjustment, KeyEvaluation, SelfEvaluationLine};
use serde::Deserialize;

struct KeyLine {
    e: KeyEvaluation,
    approved_wan: String,
    score: String,
    problems: String,
}

struct LowLine {
    l: SelfEvaluationLine,
    score: String,
}

struct CutLine {
    a: Adjustment,
    cut_wan: String,
}

#[derive(Template)]
#[template(path = "bulletin.html")]
struct BulletinPage {
    chrome: Chrome,
    year: i32,
    issuer: String,
    projects: usize,
    money_wan: String,
    evaluated: usize,
    grades: Vec<(&'static str, usize)>,
    keys: Vec<KeyLine>,
    key_money_wan: String,
    low: Vec<LowLine>,
    cuts: Vec<CutLine>,
    cut_wan: String,
    cut_projects: i64,
}

/// The year.
#[derive(Debug, Deserialize)]
pub struct YearQuery {
    year: Option<i32>,
}

/// `GET /evaluation/bulletin?year=Y`.
pub async fn show(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Query(query): Query<YearQuery>,
) -> Result<Response, PageError> {
    let actor = session.actor();
    let year = match query.year {
        Some(year) => year,
        None => {
            state
                .store
                .latest_evaluation_year(&session.actor(), 2019)
                .await?
        }
    };
    let lines = state.store.self_evaluation_lines(&actor, year).await?;
    let issuer = match &actor.jurisdiction {
        Some(code) => state
            .store
            .jurisdictions()
            .await?
            .into_iter()
            .find(|j| &j.code == code)
            .map_or_else(String::new, |j| j.name),
        None => String::new(),
    };
    let evaluated: Vec<&SelfEvaluationLine> = lines
        .iter()
        .filter(|l| matches!(l.state.as_deref(), Some("submitted" | "approved")))
        .collect();
    let grades = ["优", "良", "中", "差"]
        .into_iter()
        .map(|g| {
            (
                g,
                evaluated
                    .iter()
                    .filter(|l| l.grade.as_deref() == Some(g))
                    .count(),
            )
        })
        .collect();
    let keys: Vec<KeyLine> = state
        .store
        .key_evaluations(&actor)
        .await?
        .into_iter()
        .filter(|e| e.year == year && e.state == "confirmed")
        .map(|e| KeyLine {
            approved_wan: money::format_wan(e.approved_fen),
            score: e.final_x100.map_or("—".to_owned(), format_score),
            problems: e.problem_list().join("；"),
            e,
        })
        .collect();
    let key_money: i64 = keys.iter().map(|k| k.e.approved_fen).sum();
    let low = evaluated
        .iter()
        .filter(|l| matches!(l.grade.as_deref(), Some("中" | "差")))
        .map(|l| LowLine {
            score: l.total_x100.map_or("—".to_owned(), format_score),
            l: (*l).clone(),
        })
        .collect();
    let cuts = state
        .store
        .adjustments(&actor, year)
        .await?
        .into_iter()
        .filter(|a| a.status != "proposed")
        .map(|a| CutLine {
            cut_wan: money::format_wan(a.cut_fen),
            a,
        })
        .collect();
    let total = state.store.cuts(&actor, year).await?;
    Ok(render(
        StatusCode::OK,
        &BulletinPage {
            chrome: Chrome::for_session(&session, "evaluation"),
            year,
            issuer,
            projects: lines.len(),
            money_wan: money::format_wan(lines.iter().map(|l| l.approved_fen).sum()),
            evaluated: evaluated.len(),
            grades,
            keys,
            key_money_wan: money::format_wan(key_money),
            low,
            cuts,
            cut_wan: money::format_wan(total.amount_fen),
            cut_projects: total.projects,
        },
    ))
}
