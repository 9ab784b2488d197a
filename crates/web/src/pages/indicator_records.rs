//! Indicators fed from records on the pages (decision 0046): the project page's 指标取数 card
//! (the bound rows with their values, and the form to bind or unbind a row for the project's
//! agency or the finance bureau) and the list of records that make a bound value.

use super::{Chrome, render};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::PageError;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use jixiao_core::Role;
use jixiao_core::indicator_binding::{RecordMeasure, check_binding};
use jixiao_core::target::TargetSheet;
use jixiao_store::{BoundRecord, Project, SessionUser};
use serde::Deserialize;

/// A bound row on the project page.
pub(crate) struct BoundRow {
    pub(crate) row_no: i32,
    pub(crate) name: String,
    pub(crate) label: String,
    pub(crate) value: String,
    pub(crate) source: String,
}

/// The project page's 指标取数 card.
pub(crate) struct Feeds {
    pub(crate) as_of: NaiveDate,
    pub(crate) bound: Vec<BoundRow>,
    /// (row, name) of the rows that may be bound: quantitative output indicators.
    pub(crate) rows: Vec<(i32, String)>,
    /// (code, label) of the measures.
    pub(crate) measures: Vec<(String, String)>,
    pub(crate) can_bind: bool,
}

impl Feeds {
    /// Whether the card has anything to show.
    pub(crate) fn shown(&self) -> bool {
        !self.bound.is_empty() || (self.can_bind && !self.rows.is_empty())
    }
}

/// The card for `project` and its working sheet.
pub(crate) async fn feeds(
    state: &AppState,
    session: &SessionUser,
    project: &Project,
    sheet: &TargetSheet,
) -> Result<Feeds, PageError> {
    let as_of = crate::api::as_of_in_year(session.business_date, project.year);
    let values = state
        .store
        .bound_values(&session.actor(), project.id, as_of)
        .await?;
    let name_of = |row: i32| {
        usize::try_from(row)
            .ok()
            .and_then(|n| n.checked_sub(1))
            .and_then(|i| sheet.indicators.get(i))
            .map(|i| i.name.clone())
            .unwrap_or_default()
    };
    let bound = values
        .iter()
        .map(|v| BoundRow {
            row_no: v.row_no,
            name: name_of(v.row_no),
            label: v.label.clone(),
            value: format!("{}{}", v.value, v.unit),
            source: v.source.clone(),
        })
        .collect();
    let any = RecordMeasure::HouseholdsWithMeasures;
    let rows = sheet
        .indicators
        .iter()
        .enumerate()
        .filter(|(_, i)| check_binding(&i.level1, i.op.as_str(), &i.unit, any).is_ok())
        .map(|(n, i)| (i32::try_from(n + 1).unwrap_or(i32::MAX), i.name.clone()))
        .collect();
    Ok(Feeds {
        as_of,
        bound,
        rows,
        measures: RecordMeasure::all()
            .into_iter()
            .map(|m| (m.code(), m.label()))
            .collect(),
        can_bind: matches!(session.user.role, Role::Agency | Role::Finance),
    })
}

/// The bind form.
#[derive(Deserialize)]
pub struct BindForm {
    #[serde(default)]
    row_no: String,
    #[serde(default)]
    measure: String,
}

/// `POST /projects/{id}/indicator-bindings`.
pub async fn bind(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    Form(form): Form<BindForm>,
) -> Result<Response, PageError> {
    let row_no = form.row_no.trim().parse().unwrap_or(0);
    match state
        .store
        .bind_indicator(&session.actor(), id, row_no, &form.measure)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/projects/{id}#indicator-feeds")).into_response()),
        Err(error) => super::project_page::refused(&state, &session, id, error).await,
    }
}

/// `POST /projects/{id}/indicator-bindings/{row_no}/unbind`.
pub async fn unbind(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path((id, row_no)): Path<(i64, i32)>,
) -> Result<Response, PageError> {
    match state
        .store
        .unbind_indicator(&session.actor(), id, row_no)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/projects/{id}#indicator-feeds")).into_response()),
        Err(error) => super::project_page::refused(&state, &session, id, error).await,
    }
}

#[derive(Template)]
#[template(path = "indicator_records.html")]
struct RecordsPage {
    chrome: Chrome,
    p: Project,
    row_no: i32,
    label: String,
    /// 户 or 人.
    unit: &'static str,
    /// The columns' headers: number, name, place, what counts it.
    heads: [&'static str; 4],
    as_of: NaiveDate,
    records: Vec<BoundRecord>,
}

/// The records list's headers for what `measure` counts.
fn heads_of(measure: RecordMeasure) -> [&'static str; 4] {
    match measure {
        RecordMeasure::PostHolders => ["人员编号", "姓名", "岗位", "在岗情况"],
        RecordMeasure::ChildrenOnSchedule => ["儿童编号", "姓名", "", "关爱情况"],
        RecordMeasure::CourtyardsPassing => ["户编号", "户主", "村", "检查情况"],
        _ => ["户编号", "户主", "村", "本项目安排的帮扶措施"],
    }
}

/// The day asked for.
#[derive(Deserialize)]
pub struct AsOf {
    #[serde(default)]
    as_of: String,
}

/// `GET /projects/{id}/indicators/{row_no}/records?as_of=YYYY-MM-DD`.
pub async fn records(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path((id, row_no)): Path<(i64, i32)>,
    Query(query): Query<AsOf>,
) -> Result<Response, PageError> {
    let actor = session.actor();
    let project = state.store.project(&actor, id).await?;
    let as_of = NaiveDate::parse_from_str(query.as_of.trim(), "%Y-%m-%d")
        .unwrap_or_else(|_| crate::api::as_of_in_year(session.business_date, project.year));
    let (binding, records) = state.store.bound_records(&actor, id, row_no, as_of).await?;
    Ok(render(
        StatusCode::OK,
        &RecordsPage {
            chrome: Chrome::for_session(&session, "projects"),
            p: project,
            row_no,
            label: binding.measure.label(),
            unit: binding.measure.counted().unit(),
            heads: heads_of(binding.measure),
            as_of,
            records,
        },
    ))
}
