//! Pool pages: the expert and institution registries with search and field filter (finance
//! registers), the draw form and the draw page showing who was excluded and why with its replay,
//! and the assignments — a member's own, with accept/decline and review, and finance's ratings.

use super::project_views::SheetView;
use super::{Chrome, render};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::PageError;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jixiao_core::Role;
use jixiao_core::money;
use jixiao_core::target::format_points;
use jixiao_store::{
    Assignment, AssignmentMaterial, DrawInput, Error, MemberInput, PURPOSES, PoolMember,
    RatingInput, RelationInput, ReviewInput,
};
use serde::Deserialize;

/// Registry filters.
#[derive(Deserialize, Default)]
pub struct PoolQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    field: String,
}

/// The registration form.
#[derive(Deserialize, Default)]
pub struct MemberForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    fields: String,
    #[serde(default)]
    employer: String,
    #[serde(default)]
    employer_agency_code: String,
    #[serde(default)]
    contact: String,
    #[serde(default)]
    id_number: String,
    #[serde(default)]
    relation_agency: String,
    #[serde(default)]
    relation_kind: String,
    #[serde(default)]
    relation_until: String,
    #[serde(default)]
    staff: String,
}

#[derive(Template)]
#[template(path = "pools.html")]
struct PoolPage {
    chrome: Chrome,
    kind: &'static str,
    title: &'static str,
    members: Vec<(PoolMember, String, String)>,
    query: PoolQuery,
    field_names: Vec<String>,
    can_add: bool,
    error: Option<String>,
    purposes: &'static [(&'static str, &'static str)],
}

fn kind_of(kind: &str) -> Result<(&'static str, &'static str), PageError> {
    match kind {
        "experts" => Ok(("expert", "专家库")),
        "institutions" => Ok(("institution", "中介机构库")),
        _ => Err(Error::NotFound("页面不存在".to_owned()).into()),
    }
}

async fn pool_page(
    state: &AppState,
    session: &jixiao_store::SessionUser,
    kind: &str,
    query: PoolQuery,
    status: StatusCode,
    error: Option<String>,
) -> Result<Response, PageError> {
    let (kind, title) = kind_of(kind)?;
    let actor = session.actor();
    // Past commissions and jobs (none for a deployment-wide administrator).
    let jobs = match state.store.past_jobs(&actor, kind).await {
        Ok(jobs) => jobs,
        Err(Error::Forbidden) => Vec::new(),
        Err(other) => return Err(other.into()),
    };
    let members = state
        .store
        .pool_members(&actor, kind, Some(&query.field), Some(&query.q))
        .await?
        .into_iter()
        .map(|m| {
            let fields = m.fields().join("、");
            let past: Vec<&str> = jobs
                .iter()
                .filter(|(id, _)| *id == m.id)
                .map(|(_, project)| project.as_str())
                .collect();
            let past = if past.is_empty() {
                "—".to_owned()
            } else {
                format!("{}次：{}", past.len(), past.join("、"))
            };
            (m, fields, past)
        })
        .collect();
    let field_names = jixiao_core::draw::PoolRules::default().fields;
    Ok(render(
        status,
        &PoolPage {
            chrome: Chrome::for_session(session, "pools"),
            kind,
            title,
            members,
            query,
            field_names,
            can_add: session.user.role == Role::Finance,
            error,
            purposes: &PURPOSES,
        },
    ))
}

/// `GET /pools/{experts|institutions}`.
pub async fn list(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(kind): Path<String>,
    Query(query): Query<PoolQuery>,
) -> Result<Response, PageError> {
    pool_page(&state, &session, &kind, query, StatusCode::OK, None).await
}

fn words(text: &str) -> Vec<String> {
    text.split([',', '，', '、', ' ', '\n'])
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// `POST /pools/{experts|institutions}` (finance): registers a member.
pub async fn add(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(kind): Path<String>,
    Form(form): Form<MemberForm>,
) -> Result<Response, PageError> {
    let (member_kind, _) = kind_of(&kind)?;
    let mut input = MemberInput {
        name: form.name,
        category: form.category,
        fields: words(&form.fields),
        employer: form.employer,
        employer_agency_code: form.employer_agency_code,
        contact: form.contact,
        id_number: form.id_number,
        staff: words(&form.staff),
        ..MemberInput::default()
    };
    if !form.relation_agency.trim().is_empty() {
        input.relations.push(RelationInput {
            agency_code: form.relation_agency,
            kind: form.relation_kind,
            until: form.relation_until,
        });
    }
    match state
        .store
        .add_pool_member(&session.actor(), member_kind, &input)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/pools/{kind}")).into_response()),
        Err(e @ (Error::Invalid(_) | Error::NotFound(_))) => {
            pool_page(
                &state,
                &session,
                &kind,
                PoolQuery::default(),
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(super::refusal_message(&e)),
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}

/// The draw form.
#[derive(Deserialize, Default)]
pub struct DrawForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    purpose: String,
    #[serde(default)]
    project_code: String,
    #[serde(default)]
    fields: String,
    #[serde(default)]
    count: String,
    #[serde(default)]
    backups: String,
    #[serde(default)]
    prefer_fewer_jobs: Option<String>,
    #[serde(default)]
    commissioner: String,
}

/// `POST /draws` (finance).
pub async fn draw(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Form(form): Form<DrawForm>,
) -> Result<Response, PageError> {
    let actor = session.actor();
    let back = if form.kind == "institution" {
        "institutions"
    } else {
        "experts"
    };
    let result = async {
        let project_id = state
            .store
            .project_id_by_code(&actor, &form.project_code)
            .await?;
        state
            .store
            .draw(
                &actor,
                &DrawInput {
                    kind: form.kind.clone(),
                    purpose: form.purpose.clone(),
                    project_id,
                    fields: words(&form.fields),
                    count: form.count.trim().parse().unwrap_or(0),
                    backups: form.backups.trim().parse().unwrap_or(0),
                    prefer_fewer_jobs: form.prefer_fewer_jobs.is_some(),
                    as_of: None,
                    commissioning_agency_code: form.commissioner.clone(),
                    reviewed_institution_id: None,
                },
            )
            .await
    }
    .await;
    match result {
        Ok(record) => Ok(Redirect::to(&format!("/draws/{}", record.id)).into_response()),
        Err(e @ (Error::Invalid(_) | Error::NotFound(_) | Error::DrawTooFew(_))) => {
            let message = match &e {
                Error::DrawTooFew(too_few) => {
                    let reasons: Vec<String> = too_few
                        .excluded
                        .iter()
                        .map(|x| format!("{}：{}", x.name, x.reason))
                        .collect();
                    format!("{e}。排除情况：{}", reasons.join("；"))
                }
                other => super::refusal_message(other),
            };
            pool_page(
                &state,
                &session,
                back,
                PoolQuery::default(),
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(message),
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Template)]
#[template(path = "draw.html")]
struct DrawPage {
    chrome: Chrome,
    d: jixiao_store::DrawRecord,
    project: String,
    conflicts: Vec<jixiao_core::draw::Exclusion>,
    other_fields: usize,
    purpose: &'static str,
    selected: Vec<String>,
    backups: Vec<String>,
    matches: bool,
}

/// `GET /draws/{id}`: the record, the exclusions and the replay.
pub async fn draw_page(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let actor = session.actor();
    let replay = state.store.replay_draw(&actor, id).await?;
    let d = replay.draw;
    let project = match state.store.project(&actor, d.project_id).await {
        Ok(p) => format!("{}（{}，{}）", p.name, p.code, p.agency_name),
        Err(_) => format!("项目 {}", d.project_id),
    };
    // Members of other fields are not conflicts: counted, not listed.
    let (other, conflicts): (Vec<_>, Vec<_>) = d
        .result
        .excluded
        .iter()
        .cloned()
        .partition(|x| x.reason.starts_with("专业领域不符"));
    let names = |ids: &[i64]| ids.iter().map(|m| d.name_of(*m)).collect::<Vec<_>>();
    let page = DrawPage {
        chrome: Chrome::for_session(&session, "pools"),
        project,
        conflicts,
        other_fields: other.len(),
        purpose: PURPOSES
            .iter()
            .find(|(c, _)| *c == d.purpose)
            .map_or("", |(_, l)| l),
        selected: names(&d.result.selected),
        backups: names(&d.result.backups),
        matches: replay.matches,
        d,
    };
    Ok(render(StatusCode::OK, &page))
}

struct AssignmentRow {
    a: Assignment,
    purpose: &'static str,
    status: &'static str,
    score: String,
}

#[derive(Template)]
#[template(path = "assignments.html")]
struct AssignmentsPage {
    chrome: Chrome,
    rows: Vec<AssignmentRow>,
    standings: Vec<(jixiao_store::Standing, String)>,
    is_member: bool,
    is_finance: bool,
    error: Option<String>,
}

async fn assignments_page(
    state: &AppState,
    session: &jixiao_store::SessionUser,
    status: StatusCode,
    error: Option<String>,
) -> Result<Response, PageError> {
    let rows = state
        .store
        .assignments(&session.actor())
        .await?
        .into_iter()
        .map(|a| AssignmentRow {
            purpose: PURPOSES
                .iter()
                .find(|(c, _)| *c == a.purpose)
                .map_or("", |(_, l)| l),
            status: a.status_label(),
            score: a.score_x100.map(format_points).unwrap_or_default(),
            a,
        })
        .collect();
    let role = session.user.role;
    let standings = if matches!(role, Role::Finance | Role::Admin | Role::Viewer) {
        // A deployment-wide administrator has no jurisdiction's pool to rate.
        match state
            .store
            .standings(&session.actor(), session.business_date)
            .await
        {
            Ok(standings) => standings,
            Err(Error::Forbidden) => Vec::new(),
            Err(other) => return Err(other.into()),
        }
        .into_iter()
        .map(|s| {
            let average = format_points(s.average_x100);
            (s, average)
        })
        .collect()
    } else {
        Vec::new()
    };
    Ok(render(
        status,
        &AssignmentsPage {
            chrome: Chrome::for_session(session, "assignments"),
            rows,
            standings,
            is_member: matches!(role, Role::Expert | Role::Institution),
            is_finance: role == Role::Finance,
            error,
        },
    ))
}

/// `GET /assignments`.
pub async fn assignments(
    State(state): State<AppState>,
    PageUser(session): PageUser,
) -> Result<Response, PageError> {
    assignments_page(&state, &session, StatusCode::OK, None).await
}

/// Accept or decline.
#[derive(Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    answer: String,
    #[serde(default)]
    reason: String,
}

async fn after(
    state: &AppState,
    session: &jixiao_store::SessionUser,
    result: Result<(), Error>,
) -> Result<Response, PageError> {
    match result {
        Ok(()) => Ok(Redirect::to("/assignments").into_response()),
        Err(e) if super::shown_inline(&e) => {
            assignments_page(
                state,
                session,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(super::refusal_message(&e)),
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}

/// `POST /assignments/{id}/answer` (the member).
pub async fn answer(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    Form(form): Form<AnswerForm>,
) -> Result<Response, PageError> {
    let result = state
        .store
        .answer_assignment(&session.actor(), id, form.answer == "accept", &form.reason)
        .await
        .map(|_| ());
    after(&state, &session, result).await
}

/// `POST /assignments/{id}/review` (the member).
pub async fn review(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    Form(form): Form<ReviewInput>,
) -> Result<Response, PageError> {
    let result = state
        .store
        .submit_review(&session.actor(), id, &form)
        .await
        .map(|_| ());
    after(&state, &session, result).await
}

/// Finance's rating form.
#[derive(Deserialize)]
pub struct RatingForm {
    #[serde(default)]
    skill: String,
    #[serde(default)]
    discipline: String,
    #[serde(default)]
    ethics: String,
    #[serde(default)]
    integrity: String,
    #[serde(default)]
    comment: String,
}

/// `POST /assignments/{id}/rating` (finance).
pub async fn rate(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    Form(form): Form<RatingForm>,
) -> Result<Response, PageError> {
    let part = |text: &str| text.trim().parse::<i32>().unwrap_or(-1);
    let input = RatingInput {
        skill: part(&form.skill),
        discipline: part(&form.discipline),
        ethics: part(&form.ethics),
        integrity: part(&form.integrity),
        comment: form.comment,
        rated_on: None,
    };
    let result = state
        .store
        .rate_assignment(&session.actor(), id, &input)
        .await
        .map(|_| ());
    after(&state, &session, result).await
}

/// Finance's status decision on a member.
#[derive(Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    status: String,
    #[serde(default)]
    until: String,
    #[serde(default)]
    reason: String,
}

/// `POST /pool-members/{id}/status` (finance): suspend, remove or reinstate.
pub async fn set_status(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    Form(form): Form<StatusForm>,
) -> Result<Response, PageError> {
    let result = state
        .store
        .set_member_status(
            &session.actor(),
            id,
            &form.status,
            Some(form.until.as_str()),
            &form.reason,
        )
        .await
        .map(|_| ());
    after(&state, &session, result).await
}

#[derive(Template)]
#[template(path = "assignment.html")]
struct TaskPage {
    chrome: Chrome,
    m: AssignmentMaterial,
    purpose: &'static str,
    status: &'static str,
    score: String,
    overdue: bool,
    rubric_total: u32,
    requested_wan: String,
    approved_wan: String,
    sheet: Option<SheetView>,
    is_member: bool,
    error: Option<String>,
}

/// `GET /assignments/{id}`: one task with its material (the project, its target sheet, the
/// rubric and the deadline) — a member's own while the task is open.
pub async fn assignment(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let m = state
        .store
        .assignment_material(&session.actor(), id)
        .await?;
    let open = matches!(m.assignment.status.as_str(), "invited" | "accepted");
    let overdue = open
        && m.assignment
            .due_on
            .as_deref()
            .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .is_some_and(|due| session.business_date > due);
    let view = TaskPage {
        chrome: Chrome::for_session(&session, "assignments"),
        purpose: PURPOSES
            .iter()
            .find(|(c, _)| *c == m.assignment.purpose)
            .map_or("评审任务", |(_, l)| l),
        status: m.assignment.status_label(),
        score: m
            .assignment
            .score_x100
            .map(format_points)
            .unwrap_or_default(),
        overdue,
        rubric_total: m.rubric.iter().map(|r| r.points).sum(),
        requested_wan: m
            .project
            .as_ref()
            .map(|p| money::format_wan(p.requested_fen))
            .unwrap_or_default(),
        approved_wan: m
            .project
            .as_ref()
            .and_then(|p| p.approved_fen)
            .map(money::format_wan)
            .unwrap_or_default(),
        sheet: m.target.as_ref().map(SheetView::from),
        is_member: matches!(session.user.role, Role::Expert | Role::Institution),
        error: None,
        m,
    };
    Ok(render(StatusCode::OK, &view))
}
