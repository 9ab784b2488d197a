//! Pages anyone can read without logging in (绩效信息公开): the projects finance has published,
//! with their approved targets and results.

use super::{Chrome, render};
use crate::AppState;
use crate::error::PageError;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use jixiao_core::money;
use jixiao_core::scoring::format_score;
use jixiao_store::{Error, PublicProject};
use serde::Deserialize;

/// A published project as a line.
pub(crate) struct PublicLine {
    pub(crate) p: PublicProject,
    pub(crate) approved_wan: String,
    pub(crate) executed_wan: String,
    pub(crate) self_score: String,
    pub(crate) key_score: String,
    pub(crate) action: String,
    pub(crate) cut_wan: String,
}

impl From<PublicProject> for PublicLine {
    fn from(p: PublicProject) -> PublicLine {
        PublicLine {
            approved_wan: money::format_wan(p.approved_fen),
            executed_wan: money::format_wan(p.executed_fen),
            self_score: match (&p.self_total_x100, &p.self_grade) {
                (Some(t), Some(g)) => format!("{}（{g}）", format_score(*t)),
                _ => "—".to_owned(),
            },
            key_score: match (&p.key_total_x100, &p.key_grade) {
                (Some(t), Some(g)) => format!("{}（{g}）", format_score(*t)),
                _ => "—".to_owned(),
            },
            action: p.action.as_deref().map_or("—".to_owned(), |a| {
                jixiao_store::action_label(a).to_owned()
            }),
            cut_wan: p
                .cut_fen
                .filter(|c| *c > 0)
                .map_or(String::new(), money::format_wan),
            p,
        }
    }
}

#[derive(Template)]
#[template(path = "public.html")]
struct PublicPage {
    chrome: Chrome,
    year: Option<i32>,
    lines: Vec<PublicLine>,
}

/// The year filter.
#[derive(Debug, Deserialize)]
pub struct YearQuery {
    year: Option<i32>,
}

/// `GET /public`.
pub async fn list(
    State(state): State<AppState>,
    Query(query): Query<YearQuery>,
) -> Result<Response, PageError> {
    let jurisdiction = state
        .store
        .default_jurisdiction()
        .await?
        .ok_or_else(|| Error::NotFound("尚未设置财政区划".to_owned()))?;
    let lines = state
        .store
        .public_projects(&jurisdiction, query.year)
        .await?
        .into_iter()
        .map(PublicLine::from)
        .collect();
    Ok(render(
        StatusCode::OK,
        &PublicPage {
            chrome: Chrome::anonymous(String::new()),
            year: query.year,
            lines,
        },
    ))
}

#[derive(Template)]
#[template(path = "public_project.html")]
struct PublicProjectPage {
    chrome: Chrome,
    line: PublicLine,
    targets: jixiao_core::target::TargetSheet,
}

/// `GET /public/projects/{id}`.
pub async fn show(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let detail = state.store.public_project(id).await?;
    Ok(render(
        StatusCode::OK,
        &PublicProjectPage {
            chrome: Chrome::anonymous(String::new()),
            line: detail.project.into(),
            targets: detail.targets,
        },
    ))
}
