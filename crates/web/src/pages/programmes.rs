//! The programmes' pages (decision 0045): 公益性岗位 posts with their holders and months, the
//! left-behind children's files with their "12345" activities and compliance, the
//! clean-courtyard rounds with their scores, and the health screening campaigns with their
//! appointments and results; work records with their printable 就业介绍信. Each is a list with its form and a record page with the forms of
//! its parts; a refusal is shown on the page in Chinese and nothing is stored.

use super::{Chrome, render};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::{Error, PageError};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;
use jixiao_core::money;
use jixiao_core::time;
use jixiao_store::{
    AppointmentInput, Campaign, CampaignFile, CampaignInput, Child, ChildActivityInput, ChildFile,
    ChildInput, ChildrenCompliance, CourtyardRound, CourtyardRoundFile, CourtyardRoundInput,
    CourtyardScoreInput, HolderInput, Post, PostFile, PostInput, PostMonthInput,
    ScreeningResultInput, SessionUser, WorkRecord, WorkRecordInput,
};
use serde::Deserialize;
use std::collections::HashMap;

const KEY: &str = "programmes";

type Fields = HashMap<String, String>;

fn text(form: &Fields, name: &str) -> String {
    form.get(name).cloned().unwrap_or_default()
}

fn number<T: std::str::FromStr + Default>(form: &Fields, name: &str) -> T {
    form.get(name)
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_default()
}

/// 元 as typed into fen (0 when it cannot be read: the store refuses it).
fn fen(form: &Fields, name: &str) -> i64 {
    money::parse_yuan(form.get(name).map_or("", |v| v.trim())).unwrap_or(-1)
}

/// The page after `result`: to `to` when it went through, else `page` again with the refusal.
async fn after<T, P: Template>(
    result: Result<T, jixiao_store::Error>,
    to: impl FnOnce(T) -> String,
    page: impl AsyncFnOnce(Option<String>) -> Result<P, Error>,
) -> Result<Response, PageError> {
    match result {
        Ok(done) => Ok(Redirect::to(&to(done)).into_response()),
        Err(error) if super::shown_inline(&error) => {
            let status = super::inline_status(&error);
            let shown = page(Some(super::refusal_message(&error))).await?;
            Ok(render(status, &shown))
        }
        Err(error) => Err(error.into()),
    }
}

#[derive(Template)]
#[template(path = "programme_posts.html")]
struct PostsPage {
    chrome: Chrome,
    posts: Vec<Post>,
    projects: Vec<(i64, i32, String)>,
    year: i32,
    error: Option<String>,
}

async fn posts_page(
    state: &AppState,
    session: &SessionUser,
    error: Option<String>,
) -> Result<PostsPage, Error> {
    let actor = session.actor();
    Ok(PostsPage {
        chrome: Chrome::for_session(session, KEY),
        posts: state.store.posts(&actor, None).await?,
        projects: state.store.chargeable_projects(&actor).await?,
        year: time::today().year(),
        error,
    })
}

/// `GET /posts`.
pub async fn posts(
    State(state): State<AppState>,
    PageUser(session): PageUser,
) -> Result<Response, PageError> {
    Ok(render(
        StatusCode::OK,
        &posts_page(&state, &session, None).await?,
    ))
}

/// `POST /posts`.
pub async fn create_post(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Form(form): Form<Fields>,
) -> Result<Response, PageError> {
    let input = PostInput {
        name: text(&form, "name"),
        area_code: text(&form, "area_code"),
        monthly_pay_fen: fen(&form, "monthly_pay"),
        project_id: number(&form, "project_id"),
        year: number(&form, "year"),
    };
    let result = state.store.create_post(&session.actor(), &input).await;
    after(
        result,
        |f| format!("/posts/{}", f.post.id),
        async |e| posts_page(&state, &session, e).await,
    )
    .await
}

#[derive(Template)]
#[template(path = "programme_post.html")]
struct PostPage {
    chrome: Chrome,
    f: PostFile,
    error: Option<String>,
}

async fn post_page(
    state: &AppState,
    session: &SessionUser,
    id: i64,
    error: Option<String>,
) -> Result<PostPage, Error> {
    Ok(PostPage {
        chrome: Chrome::for_session(session, KEY),
        f: state.store.post(&session.actor(), id).await?,
        error,
    })
}

/// `GET /posts/{id}`.
pub async fn post(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    Ok(render(
        StatusCode::OK,
        &post_page(&state, &session, id, None).await?,
    ))
}

/// `POST /posts/{id}/holders`.
pub async fn add_holder(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    Form(form): Form<Fields>,
) -> Result<Response, PageError> {
    let input = HolderInput {
        person_id: number(&form, "person_id"),
        from_on: text(&form, "from_on"),
        to_on: text(&form, "to_on"),
    };
    let result = state
        .store
        .add_post_holder(&session.actor(), id, &input)
        .await;
    after(
        result,
        |_| format!("/posts/{id}"),
        async |e| post_page(&state, &session, id, e).await,
    )
    .await
}

/// `POST /posts/{id}/months`.
pub async fn record_month(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    Form(form): Form<Fields>,
) -> Result<Response, PageError> {
    let input = PostMonthInput {
        holder_id: number(&form, "holder_id"),
        month: text(&form, "month"),
        days_worked: number(&form, "days_worked"),
        pay_fen: fen(&form, "pay"),
        note: text(&form, "note"),
    };
    let result = state
        .store
        .record_post_month(&session.actor(), id, &input)
        .await;
    after(
        result,
        |_| format!("/posts/{id}"),
        async |e| post_page(&state, &session, id, e).await,
    )
    .await
}

/// The period of the children's compliance.
#[derive(Deserialize)]
pub struct PeriodQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

#[derive(Template)]
#[template(path = "programme_children.html")]
struct ChildrenPage {
    chrome: Chrome,
    children: Vec<Child>,
    compliance: Option<ChildrenCompliance>,
    from: String,
    to: String,
    error: Option<String>,
}

async fn children_page(
    state: &AppState,
    session: &SessionUser,
    period: &PeriodQuery,
    error: Option<String>,
) -> Result<ChildrenPage, Error> {
    let actor = session.actor();
    let today = time::today();
    let day = |t: &str| chrono::NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d").ok();
    let from = day(&period.from).unwrap_or_else(|| today.with_day(1).unwrap_or(today));
    let to = day(&period.to).unwrap_or(today);
    let (compliance, error) = match state.store.children_compliance(&actor, from, to).await {
        Ok(c) => (Some(c), error),
        Err(e) if super::shown_inline(&e) => (None, Some(super::refusal_message(&e))),
        Err(e) => return Err(e),
    };
    Ok(ChildrenPage {
        chrome: Chrome::for_session(session, KEY),
        children: state.store.children(&actor).await?,
        compliance,
        from: from.to_string(),
        to: to.to_string(),
        error,
    })
}

/// `GET /children?from&to`.
pub async fn children(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Query(period): Query<PeriodQuery>,
) -> Result<Response, PageError> {
    Ok(render(
        StatusCode::OK,
        &children_page(&state, &session, &period, None).await?,
    ))
}

/// `POST /children`.
pub async fn add_child(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Form(form): Form<Fields>,
) -> Result<Response, PageError> {
    let person = number::<i64>(&form, "person_id");
    let input = ChildInput {
        village_code: text(&form, "village_code"),
        person_id: (person > 0).then_some(person),
        name: text(&form, "name"),
        birth_date: text(&form, "birth_date"),
        school: text(&form, "school"),
        guardian_name: text(&form, "guardian_name"),
        guardian_relation: text(&form, "guardian_relation"),
        guardian_age: form.get("guardian_age").and_then(|v| v.trim().parse().ok()),
        guardian_health: text(&form, "guardian_health"),
        parents_workplace: text(&form, "parents_workplace"),
        parents_phone: text(&form, "parents_phone"),
    };
    let result = state.store.add_child(&session.actor(), &input).await;
    let period = PeriodQuery {
        from: String::new(),
        to: String::new(),
    };
    after(
        result,
        |f| format!("/children/{}", f.child.id),
        async |e| children_page(&state, &session, &period, e).await,
    )
    .await
}

#[derive(Template)]
#[template(path = "programme_child.html")]
struct ChildPage {
    chrome: Chrome,
    f: ChildFile,
    kinds: Vec<(&'static str, &'static str)>,
    today: String,
    error: Option<String>,
}

async fn child_page(
    state: &AppState,
    session: &SessionUser,
    id: i64,
    error: Option<String>,
) -> Result<ChildPage, Error> {
    use jixiao_core::assistance::programmes::ChildActivityKind;
    Ok(ChildPage {
        chrome: Chrome::for_session(session, KEY),
        f: state.store.child(&session.actor(), id).await?,
        kinds: ChildActivityKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.label()))
            .collect(),
        today: time::today().to_string(),
        error,
    })
}

/// `GET /children/{id}`.
pub async fn child(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    Ok(render(
        StatusCode::OK,
        &child_page(&state, &session, id, None).await?,
    ))
}

/// `POST /children/{id}/activities`.
pub async fn record_activity(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    Form(form): Form<Fields>,
) -> Result<Response, PageError> {
    let input = ChildActivityInput {
        kind: text(&form, "kind"),
        on_day: text(&form, "on_day"),
        note: text(&form, "note"),
    };
    let result = state
        .store
        .record_child_activity(&session.actor(), id, &input, time::today())
        .await;
    after(
        result,
        |_| format!("/children/{id}"),
        async |e| child_page(&state, &session, id, e).await,
    )
    .await
}

#[derive(Template)]
#[template(path = "programme_courtyards.html")]
struct CourtyardsPage {
    chrome: Chrome,
    rounds: Vec<CourtyardRound>,
    today: String,
    error: Option<String>,
}

async fn courtyards_page(
    state: &AppState,
    session: &SessionUser,
    error: Option<String>,
) -> Result<CourtyardsPage, Error> {
    Ok(CourtyardsPage {
        chrome: Chrome::for_session(session, KEY),
        rounds: state.store.courtyard_rounds(&session.actor()).await?,
        today: time::today().to_string(),
        error,
    })
}

/// `GET /courtyards`.
pub async fn courtyards(
    State(state): State<AppState>,
    PageUser(session): PageUser,
) -> Result<Response, PageError> {
    Ok(render(
        StatusCode::OK,
        &courtyards_page(&state, &session, None).await?,
    ))
}

/// `POST /courtyards`.
pub async fn add_round(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Form(form): Form<Fields>,
) -> Result<Response, PageError> {
    let input = CourtyardRoundInput {
        name: text(&form, "name"),
        area_code: text(&form, "area_code"),
        held_on: text(&form, "held_on"),
    };
    let result = state
        .store
        .add_courtyard_round(&session.actor(), &input)
        .await;
    after(
        result,
        |f| format!("/courtyards/{}", f.round.id),
        async |e| courtyards_page(&state, &session, e).await,
    )
    .await
}

#[derive(Template)]
#[template(path = "programme_courtyard.html")]
struct CourtyardPage {
    chrome: Chrome,
    f: CourtyardRoundFile,
    error: Option<String>,
}

async fn courtyard_page(
    state: &AppState,
    session: &SessionUser,
    id: i64,
    error: Option<String>,
) -> Result<CourtyardPage, Error> {
    Ok(CourtyardPage {
        chrome: Chrome::for_session(session, KEY),
        f: state.store.courtyard_round(&session.actor(), id).await?,
        error,
    })
}

/// `GET /courtyards/{id}`.
pub async fn courtyard(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    Ok(render(
        StatusCode::OK,
        &courtyard_page(&state, &session, id, None).await?,
    ))
}

/// `POST /courtyards/{id}/scores`.
pub async fn score(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    Form(form): Form<Fields>,
) -> Result<Response, PageError> {
    let input = CourtyardScoreInput {
        household_id: number(&form, "household_id"),
        score: form
            .get("score")
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(-1),
        help: text(&form, "help"),
        note: text(&form, "note"),
    };
    let result = state
        .store
        .score_courtyard(&session.actor(), id, &input)
        .await;
    after(
        result,
        |_| format!("/courtyards/{id}"),
        async |e| courtyard_page(&state, &session, id, e).await,
    )
    .await
}

#[derive(Template)]
#[template(path = "programme_campaigns.html")]
struct CampaignsPage {
    chrome: Chrome,
    campaigns: Vec<Campaign>,
    error: Option<String>,
}

async fn campaigns_page(
    state: &AppState,
    session: &SessionUser,
    error: Option<String>,
) -> Result<CampaignsPage, Error> {
    Ok(CampaignsPage {
        chrome: Chrome::for_session(session, KEY),
        campaigns: state.store.screening_campaigns(&session.actor()).await?,
        error,
    })
}

/// `GET /screening-campaigns`.
pub async fn campaigns(
    State(state): State<AppState>,
    PageUser(session): PageUser,
) -> Result<Response, PageError> {
    Ok(render(
        StatusCode::OK,
        &campaigns_page(&state, &session, None).await?,
    ))
}

/// `POST /screening-campaigns`.
pub async fn add_campaign(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Form(form): Form<Fields>,
) -> Result<Response, PageError> {
    let input = CampaignInput {
        name: text(&form, "name"),
        area_code: text(&form, "area_code"),
        from_on: text(&form, "from_on"),
        to_on: text(&form, "to_on"),
    };
    let result = state
        .store
        .add_screening_campaign(&session.actor(), &input)
        .await;
    after(
        result,
        |f| format!("/screening-campaigns/{}", f.campaign.id),
        async |e| campaigns_page(&state, &session, e).await,
    )
    .await
}

#[derive(Template)]
#[template(path = "programme_campaign.html")]
struct CampaignPage {
    chrome: Chrome,
    f: CampaignFile,
    error: Option<String>,
}

async fn campaign_page(
    state: &AppState,
    session: &SessionUser,
    id: i64,
    error: Option<String>,
) -> Result<CampaignPage, Error> {
    Ok(CampaignPage {
        chrome: Chrome::for_session(session, KEY),
        f: state.store.screening_campaign(&session.actor(), id).await?,
        error,
    })
}

/// `GET /screening-campaigns/{id}`.
pub async fn campaign(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    Ok(render(
        StatusCode::OK,
        &campaign_page(&state, &session, id, None).await?,
    ))
}

/// `POST /screening-campaigns/{id}/appointments`.
pub async fn appoint(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    Form(form): Form<Fields>,
) -> Result<Response, PageError> {
    let input = AppointmentInput {
        person_id: number(&form, "person_id"),
        appointment_on: text(&form, "appointment_on"),
    };
    let result = state
        .store
        .appoint_for_screening(&session.actor(), id, &input)
        .await;
    after(
        result,
        |_| format!("/screening-campaigns/{id}"),
        async |e| campaign_page(&state, &session, id, e).await,
    )
    .await
}

/// `POST /screening-campaigns/{id}/results`.
pub async fn record_result(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    Form(form): Form<Fields>,
) -> Result<Response, PageError> {
    let input = ScreeningResultInput {
        person_id: number(&form, "person_id"),
        result: text(&form, "result"),
        finding: text(&form, "finding"),
    };
    let result = state
        .store
        .record_screening_result(&session.actor(), id, &input, time::today())
        .await;
    after(
        result,
        |_| format!("/screening-campaigns/{id}"),
        async |e| campaign_page(&state, &session, id, e).await,
    )
    .await
}

#[derive(Template)]
#[template(path = "programme_work_records.html")]
struct WorkRecordsPage {
    chrome: Chrome,
    records: Vec<WorkRecord>,
    error: Option<String>,
}

async fn work_records_page(
    state: &AppState,
    session: &SessionUser,
    error: Option<String>,
) -> Result<WorkRecordsPage, Error> {
    Ok(WorkRecordsPage {
        chrome: Chrome::for_session(session, KEY),
        records: state.store.work_records(&session.actor()).await?,
        error,
    })
}

/// `GET /work-records`.
pub async fn work_records(
    State(state): State<AppState>,
    PageUser(session): PageUser,
) -> Result<Response, PageError> {
    Ok(render(
        StatusCode::OK,
        &work_records_page(&state, &session, None).await?,
    ))
}

/// `POST /work-records`: records the work and opens its letter.
pub async fn add_work_record(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Form(form): Form<Fields>,
) -> Result<Response, PageError> {
    let input = WorkRecordInput {
        person_id: number(&form, "person_id"),
        employer: text(&form, "employer"),
        position: text(&form, "position"),
        start_on: text(&form, "start_on"),
        monthly_income_fen: fen(&form, "monthly_income"),
        transport_subsidy_fen: fen(&form, "transport_subsidy"),
    };
    let result = state
        .store
        .add_work_record(&session.actor(), &input, time::today())
        .await;
    after(
        result,
        |r| format!("/work-records/{}/letter", r.id),
        async |e| work_records_page(&state, &session, e).await,
    )
    .await
}

#[derive(Template)]
#[template(path = "work_letter_print.html")]
struct WorkLetterPrint {
    chrome: Chrome,
    r: WorkRecord,
    issued: String,
}

/// `GET /work-records/{id}/letter`: the printable 就业介绍信.
pub async fn work_letter(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let r = state.store.work_record(&session.actor(), id).await?;
    let issued = chrono::NaiveDate::parse_from_str(&r.issued_on, "%Y-%m-%d").map_or_else(
        |_| r.issued_on.clone(),
        |d| format!("{}年{}月{}日", d.year(), d.month(), d.day()),
    );
    let view = WorkLetterPrint {
        chrome: Chrome::for_session(&session, KEY),
        r,
        issued,
    };
    Ok(render(StatusCode::OK, &view))
}
