//! The audit log page: filters by actor, entity and date range, newest first, paged; when the
//! chain was last verified and up to which record, and a button that verifies it now.

use super::{Chrome, render};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::PageError;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use jixiao_core::{Capability, ValidationErrors, audit, time};
use jixiao_store::{AuditFilter, AuditPage, AuditVerification};
use serde::{Deserialize, Serialize};

/// Records per page.
const PER_PAGE: i64 = 50;

/// The filter as it arrives in the query string (and goes back into the form).
#[derive(Deserialize, Serialize, Default, Clone)]
pub struct AuditQuery {
    #[serde(default)]
    pub(crate) actor: String,
    #[serde(default)]
    pub(crate) entity: String,
    #[serde(default)]
    pub(crate) from: String,
    #[serde(default)]
    pub(crate) to: String,
    #[serde(default, skip_serializing)]
    page: Option<i64>,
}

/// The last verification run as the page shows it.
struct LastVerification {
    at: String,
    actor: String,
    through_seq: i64,
    checkpoints: i64,
    intact: bool,
    message: String,
}

impl From<AuditVerification> for LastVerification {
    fn from(run: AuditVerification) -> Self {
        LastVerification {
            at: time::display(run.at),
            actor: run.actor,
            through_seq: run.through_seq,
            checkpoints: run.checkpoints,
            intact: run.intact,
            message: run.message,
        }
    }
}

struct Row {
    seq: i64,
    at: String,
    actor: String,
    action: String,
    entity: String,
    entity_id: String,
    jurisdiction: String,
    details: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditLogPage {
    chrome: Chrome,
    filter: AuditQuery,
    filter_error: Option<String>,
    entities: &'static [(&'static str, &'static str)],
    page: AuditPage,
    rows: Vec<Row>,
    prev_link: Option<String>,
    next_link: Option<String>,
    verification: Option<LastVerification>,
    anchored: bool,
}

fn parse_date(
    text: &str,
    field: &str,
    label: &str,
    errors: &mut ValidationErrors,
) -> Option<NaiveDate> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let parsed = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok();
    if parsed.is_none() {
        errors.add(
            field,
            "invalid_date",
            format!("{label}“{text}”不是有效日期，应为 YYYY-MM-DD"),
        );
    }
    parsed
}

/// Builds the store filter from the texts of a form or query string. Dates are Beijing
/// calendar days; `to` is inclusive.
pub(crate) fn audit_filter(
    actor: &str,
    entity: &str,
    from: &str,
    to: &str,
) -> Result<AuditFilter, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let from = parse_date(from, "from", "起始日期", &mut errors);
    let to = parse_date(to, "to", "截止日期", &mut errors);
    errors.into_result()?;
    let non_empty = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    Ok(AuditFilter {
        actor: non_empty(actor),
        entity: non_empty(entity),
        from: from.map(time::start_of_day),
        to: to.and_then(|d| d.succ_opt()).map(time::start_of_day),
    })
}

fn link(query: &AuditQuery, page: i64) -> String {
    let base = serde_urlencoded::to_string(query).unwrap_or_default();
    format!("/admin/audit?{base}&page={page}")
}

/// `GET /admin/audit`.
pub async fn list(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Query(query): Query<AuditQuery>,
) -> Result<Response, PageError> {
    let (filter, filter_error) =
        match audit_filter(&query.actor, &query.entity, &query.from, &query.to) {
            Ok(filter) => (filter, None),
            Err(errors) => (AuditFilter::default(), Some(errors.to_string())),
        };
    let page = state
        .store
        .audit_log(&session.actor(), &filter, query.page.unwrap_or(1), PER_PAGE)
        .await?;
    let rows = page
        .records
        .iter()
        .map(|r| Row {
            seq: r.seq,
            at: time::display(r.at),
            actor: r.actor.clone(),
            action: audit::action_label(&r.action).to_owned(),
            entity: audit::entity_label(&r.entity).to_owned(),
            entity_id: r.entity_id.clone(),
            jurisdiction: r.jurisdiction.clone().unwrap_or_default(),
            details: r.details.clone(),
        })
        .collect();
    let verification = state
        .store
        .last_audit_verification()
        .await?
        .map(LastVerification::from);
    let prev_link = (page.page > 1).then(|| link(&query, page.page - 1));
    let next_link = (page.page < page.pages()).then(|| link(&query, page.page + 1));
    let status = if filter_error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let view = AuditLogPage {
        chrome: Chrome::for_session(&session, "audit"),
        filter: query,
        filter_error,
        entities: jixiao_core::audit::ENTITIES,
        page,
        rows,
        prev_link,
        next_link,
        verification,
        anchored: state.audit_anchor.is_some(),
    };
    Ok(render(status, &view))
}

/// `POST /admin/audit/verify`: re-computes the chain and checks the checkpoints on a blocking
/// thread (hashing the whole log must not hold up other requests), records the run, and shows
/// the page again with its outcome.
pub async fn verify(
    State(state): State<AppState>,
    PageUser(session): PageUser,
) -> Result<Response, PageError> {
    session
        .actor()
        .require(Capability::ReadAuditLog)
        .map_err(|_| crate::error::Error::Forbidden)?;
    let store = state.store.clone();
    let anchor = state.audit_anchor.clone();
    let actor = session.user.username.clone();
    let runtime = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        runtime.block_on(store.verify_audit(&actor, anchor.as_ref()))
    })
    .await
    .map_err(|e| crate::error::Error::Internal(e.to_string()))??;
    Ok(Redirect::to("/admin/audit").into_response())
}
