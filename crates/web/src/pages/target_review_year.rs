//! The year's automatic target review (智能预审汇总): every working target sheet of a year the
//! user may see, with counts by finding code and by agency, so a bureau sees which departments
//! write the weakest targets; and every finding as an Excel list.

use super::exports::{attachment, off_workers};
use super::{Chrome, render};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::PageError;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use jixiao_core::target_review::FindingCode;
use jixiao_interop::xlsx_export::{Cell, Column, ColumnKind, ExportWriter};
use jixiao_store::{YearReview, YearReviewSheet};
use serde::Deserialize;

/// The page's query: the year and, for the list, one finding code.
#[derive(Deserialize, Default)]
pub struct YearQuery {
    #[serde(default)]
    year: String,
    #[serde(default)]
    code: String,
}

impl YearQuery {
    fn code(&self) -> Option<FindingCode> {
        FindingCode::parse(self.code.trim())
    }
}

#[derive(Template)]
#[template(path = "target_review.html")]
struct YearPage {
    chrome: Chrome,
    year: i32,
    years: Vec<i32>,
    code: String,
    code_label: String,
    review: YearReview,
    codes: Vec<(String, &'static str, i64, i64)>,
    sheets: Vec<YearReviewSheet>,
}

/// The year asked for, else the newest fiscal year the user sees.
async fn year_of(
    state: &AppState,
    session: &jixiao_store::SessionUser,
    query: &YearQuery,
) -> Result<(i32, Vec<i32>), PageError> {
    let years = super::projects::years(state, session).await?;
    let year = query
        .year
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|y| years.contains(y))
        .or_else(|| years.first().copied())
        .unwrap_or(2020);
    Ok((year, years))
}

/// `GET /target-review?year=&code=`.
pub async fn page(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Query(query): Query<YearQuery>,
) -> Result<Response, PageError> {
    let (year, years) = year_of(&state, &session, &query).await?;
    let review = state
        .store
        .year_target_review(&session.actor(), year)
        .await?;
    let code = query.code();
    // One code: the sheets that have it (from the stored findings), worst first as listed.
    let sheets = match code {
        None => review.sheets.clone(),
        Some(code) => {
            let with: std::collections::BTreeSet<i64> = state
                .store
                .year_target_review_findings(&session.actor(), year, Some(code))
                .await?
                .into_iter()
                .map(|f| f.project_id)
                .collect();
            review
                .sheets
                .iter()
                .filter(|s| with.contains(&s.project_id))
                .cloned()
                .collect()
        }
    };
    let view = YearPage {
        chrome: Chrome::for_session(&session, "projects"),
        year,
        years,
        code: code.map(|c| c.as_str().to_owned()).unwrap_or_default(),
        code_label: code.map(FindingCode::label).unwrap_or_default().to_owned(),
        codes: review
            .by_code
            .iter()
            .map(|c| {
                (
                    c.code.as_str().to_owned(),
                    c.code.label(),
                    c.findings,
                    c.sheets,
                )
            })
            .collect(),
        sheets,
        review,
    };
    Ok(render(StatusCode::OK, &view))
}

/// `GET /target-review.xlsx?year=&code=`: every finding of the year (or of one code), by agency,
/// project and row.
pub async fn export(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Query(query): Query<YearQuery>,
) -> Result<Response, PageError> {
    let (year, _) = year_of(&state, &session, &query).await?;
    let findings = state
        .store
        .year_target_review_findings(&session.actor(), year, query.code())
        .await?;
    let title = format!("{year}年度绩效目标表智能预审问题清单");
    let bytes = off_workers(move || {
        let columns = [
            Column::new("部门单位", 24.0, ColumnKind::Text),
            Column::new("项目编码", 20.0, ColumnKind::Text),
            Column::new("项目名称", 30.0, ColumnKind::Text),
            Column::new("行", 6.0, ColumnKind::Integer),
            Column::new("指标名称", 24.0, ColumnKind::Text),
            Column::new("问题", 18.0, ColumnKind::Text),
            Column::new("性质", 8.0, ColumnKind::Text),
            Column::new("修改意见", 60.0, ColumnKind::Text),
        ];
        let mut writer = ExportWriter::new("预审问题", &title, &columns)?;
        for f in &findings {
            writer.row(&[
                Cell::from(f.agency_name.clone()),
                Cell::from(f.project_code.clone()),
                Cell::from(f.project_name.clone()),
                Cell::from(f.row_no.map(i64::from)),
                Cell::from(f.indicator.clone()),
                Cell::from(f.code_label().to_owned()),
                Cell::from(f.severity_label().to_owned()),
                Cell::from(f.message.clone()),
            ])?;
        }
        writer.finish()
    })
    .await?;
    Ok(attachment(
        axum::body::Body::from(bytes),
        "target-review.xlsx",
        &format!("{year}年度绩效目标表智能预审问题清单"),
    ))
}
