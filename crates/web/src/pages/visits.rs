//! Visit pages (走访, decision 0044): the phone-friendly visit form (one column, large tap
//! targets, the camera offered for photos and short videos), the list of visits, one visit with
//! its evidence, the month's compliance (helpers and villages behind schedule) and the open
//! rectification items with their deadlines (overdue ones highlighted), closed with a note.

use super::{Chrome, render};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::{Error, PageError};
use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jixiao_core::Capability;
use jixiao_store::{
    EvidenceFile, HouseholdLine, ProblemInput, RectificationClose, SessionUser, Visit,
    VisitCompliance, VisitInput, VisitLine, VisitRectification, visit_rules,
};
use serde::Deserialize;

/// How many problem rows the form offers.
const PROBLEM_ROWS: usize = 3;

#[derive(Template)]
#[template(path = "visits.html")]
struct VisitsPage {
    chrome: Chrome,
    visits: Vec<VisitLine>,
    month: String,
    can_record: bool,
}

#[derive(Template)]
#[template(path = "visit_form.html")]
struct VisitFormPage {
    chrome: Chrome,
    households: Vec<HouseholdLine>,
    classes: Vec<(String, String)>,
    rows: Vec<usize>,
    today: String,
    max_files: usize,
    max_mib: u64,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "visit.html")]
struct VisitPage {
    chrome: Chrome,
    file: Visit,
}

#[derive(Template)]
#[template(path = "visit_compliance.html")]
struct CompliancePage {
    chrome: Chrome,
    report: VisitCompliance,
}

#[derive(Template)]
#[template(path = "visit_rectifications.html")]
struct RectificationsPage {
    chrome: Chrome,
    items: Vec<VisitRectification>,
    can_close: bool,
    error: Option<String>,
}

/// Which month.
#[derive(Deserialize)]
pub struct MonthQuery {
    #[serde(default)]
    month: String,
}

fn this_month(business_date: chrono::NaiveDate) -> String {
    business_date.format("%Y-%m").to_string()
}

/// `GET /visits`: the visits of a month (default: all, newest first).
pub async fn list(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Query(query): Query<MonthQuery>,
) -> Result<Response, PageError> {
    let month = query.month.trim().to_owned();
    let visits = state
        .store
        .visits(&session.actor(), Some(&month), None)
        .await?;
    Ok(render(
        StatusCode::OK,
        &VisitsPage {
            chrome: Chrome::for_session(&session, "visits"),
            visits,
            month,
            can_record: session.user.role.can(Capability::RecordVisits),
        },
    ))
}

async fn form_page(
    state: &AppState,
    session: &SessionUser,
    error: Option<String>,
) -> Result<VisitFormPage, Error> {
    let rules = visit_rules()?;
    let (households, _) = state
        .store
        .households(&session.actor(), None, 1, 500)
        .await?;
    Ok(VisitFormPage {
        chrome: Chrome::for_session(session, "visits"),
        households,
        classes: rules
            .problem_classes
            .iter()
            .map(|c| (c.code.clone(), c.name.clone()))
            .collect(),
        rows: (1..=PROBLEM_ROWS).collect(),
        today: session.business_date.to_string(),
        max_files: rules.max_files,
        max_mib: rules.max_file_bytes.div_ceil(1024 * 1024),
        error,
    })
}

/// `GET /visits/new`: the visit form.
pub async fn new(
    State(state): State<AppState>,
    PageUser(session): PageUser,
) -> Result<Response, PageError> {
    Ok(render(
        StatusCode::OK,
        &form_page(&state, &session, None).await?,
    ))
}

/// Reads the page form: the fields, up to three problems and the evidence files.
async fn read_form(mut form: Multipart) -> Result<(VisitInput, Vec<EvidenceFile>), Error> {
    let bad = || {
        Error::invalid(
            "visit",
            "unreadable_form",
            "走访表单无法读取（或超过上传上限），走访未保存",
        )
    };
    let mut input = VisitInput::default();
    let mut classes = vec![String::new(); PROBLEM_ROWS];
    let mut texts = vec![String::new(); PROBLEM_ROWS];
    let mut files = Vec::new();
    while let Some(field) = form.next_field().await.map_err(|_| bad())? {
        let name = field.name().unwrap_or("").to_owned();
        if name == "evidence" {
            let file_name = field.file_name().unwrap_or("").to_owned();
            let content = field.bytes().await.map_err(|_| bad())?;
            // A file input left empty still sends one nameless, empty part.
            if !(file_name.is_empty() && content.is_empty()) {
                files.push(EvidenceFile {
                    file_name,
                    content: content.to_vec(),
                });
            }
            continue;
        }
        let text = field.text().await.map_err(|_| bad())?;
        let row = |prefix: &str| {
            name.strip_prefix(prefix)
                .and_then(|n| n.parse::<usize>().ok())
                .filter(|n| (1..=PROBLEM_ROWS).contains(n))
                .map(|n| n - 1)
        };
        match name.as_str() {
            "household_id" => {
                input.household_id = text
                    .trim()
                    .parse()
                    .map_err(|_| Error::invalid("household_id", "required", "请选择走访的户"))?;
            }
            "visited_on" => input.visited_on = text,
            "people_met" => input.people_met = text,
            "actions" => input.actions = text,
            _ => {
                if let Some(i) = row("problem_class_") {
                    classes[i] = text;
                } else if let Some(i) = row("problem_text_") {
                    texts[i] = text;
                }
            }
        }
    }
    for (class, description) in classes.into_iter().zip(texts) {
        if class.trim().is_empty() && description.trim().is_empty() {
            continue;
        }
        if class.trim().is_empty() {
            return Err(Error::invalid(
                "problems",
                "unknown_class",
                "请为每个问题选择问题类别",
            ));
        }
        input.problems.push(ProblemInput { class, description });
    }
    Ok((input, files))
}

/// `POST /visits` (multipart): records the visit and shows it, or the form with the refusal.
pub async fn record(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    form: Multipart,
) -> Result<Response, PageError> {
    let recorded = match read_form(form).await {
        Ok((input, files)) => {
            state
                .store
                .record_visit(&session.actor(), &input, &files, session.business_date)
                .await
        }
        Err(e) => Err(e),
    };
    match recorded {
        Ok(visit) => Ok(Redirect::to(&format!("/visits/{}", visit.visit.id)).into_response()),
        Err(e) if super::shown_inline(&e) || matches!(e, Error::NotFound(_)) => {
            let status = if matches!(e, Error::NotFound(_)) {
                StatusCode::NOT_FOUND
            } else {
                super::inline_status(&e)
            };
            let page = form_page(&state, &session, Some(super::refusal_message(&e))).await?;
            Ok(render(status, &page))
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET /visits/{id}`.
pub async fn show(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let file = state.store.visit(&session.actor(), id).await?;
    Ok(render(
        StatusCode::OK,
        &VisitPage {
            chrome: Chrome::for_session(&session, "visits"),
            file,
        },
    ))
}

/// `GET /visits/evidence/{sha256}`: an evidence file for the page's `<img>` and `<video>`.
pub async fn evidence(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(sha256): Path<String>,
) -> Result<Response, PageError> {
    let (media_type, content) = state
        .store
        .visit_evidence(&session.actor(), &sha256)
        .await?;
    Ok(crate::api::visits::evidence_response(media_type, content))
}

/// `GET /visits/compliance?month=YYYY-MM` (default: this month).
pub async fn compliance(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Query(query): Query<MonthQuery>,
) -> Result<Response, PageError> {
    let month = Some(query.month.trim())
        .filter(|m| !m.is_empty())
        .map_or_else(|| this_month(session.business_date), str::to_owned);
    let report = state
        .store
        .visit_compliance(&session.actor(), &month)
        .await?;
    Ok(render(
        StatusCode::OK,
        &CompliancePage {
            chrome: Chrome::for_session(&session, "visits"),
            report,
        },
    ))
}

async fn rectifications_page(
    state: &AppState,
    session: &SessionUser,
    error: Option<String>,
) -> Result<RectificationsPage, Error> {
    Ok(RectificationsPage {
        chrome: Chrome::for_session(session, "visits"),
        items: state
            .store
            .visit_rectifications(&session.actor(), true, session.business_date)
            .await?,
        can_close: session.user.role.can(Capability::RecordVisits),
        error,
    })
}

/// `GET /visit-rectifications`: the open items, the earliest deadline first.
pub async fn rectifications(
    State(state): State<AppState>,
    PageUser(session): PageUser,
) -> Result<Response, PageError> {
    Ok(render(
        StatusCode::OK,
        &rectifications_page(&state, &session, None).await?,
    ))
}

/// The close form.
#[derive(Deserialize)]
pub struct CloseForm {
    version: i32,
    #[serde(default)]
    note: String,
}

/// `POST /visit-rectifications/{id}/close`.
pub async fn close(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    Form(form): Form<CloseForm>,
) -> Result<Response, PageError> {
    let input = RectificationClose {
        version: form.version,
        note: form.note,
    };
    match state
        .store
        .close_visit_rectification(&session.actor(), id, &input, session.business_date)
        .await
    {
        Ok(_) => Ok(Redirect::to("/visit-rectifications").into_response()),
        Err(e) if super::shown_inline(&e) => {
            let status = super::inline_status(&e);
            let page =
                rectifications_page(&state, &session, Some(super::refusal_message(&e))).await?;
            Ok(render(status, &page))
        }
        Err(e) => Err(e.into()),
    }
}
