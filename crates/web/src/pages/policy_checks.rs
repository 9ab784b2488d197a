//! The coverage check's pages (政策落实核查): the runs with a form to start one (county office),
//! a run's summary by township, rule, kind and department with the share rectified, the findings
//! with filters, and their Excel export per village for the village cadres.

use super::{Chrome, render};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::{Error, PageError};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Redirect, Response};
use jixiao_core::Capability;
use jixiao_interop::xlsx_export::{Cell, Column, ColumnKind, ExportWriter};
use jixiao_store::{
    Area, FindingCase, FindingFilter, FindingRectificationView, FindingTally, PolicyCheckRun,
    PolicyCheckSummary, PolicyFinding,
};
use serde::{Deserialize, Serialize};

/// Findings per page.
const PER_PAGE: i64 = 50;

/// A tally with its share rectified, as the summary shows it.
struct TallyRow {
    tally: FindingTally,
    total: i64,
    rectified: String,
}

impl TallyRow {
    fn of(tally: &FindingTally) -> TallyRow {
        let total = tally.open + tally.closed + tally.accepted;
        let done = tally.closed + tally.accepted;
        let rectified = if total == 0 {
            "—".to_owned()
        } else {
            // One decimal, rounded half up, in integers.
            let tenths = (done * 1000 + total / 2) / total;
            format!("{}.{}%", tenths / 10, tenths % 10)
        };
        TallyRow {
            tally: tally.clone(),
            total,
            rectified,
        }
    }
}

#[derive(Template)]
#[template(path = "policy_checks.html")]
struct RunsPage {
    chrome: Chrome,
    runs: Vec<PolicyCheckRun>,
    townships: Vec<Area>,
    can_run: bool,
    today: String,
    error: Option<String>,
}

async fn townships(
    state: &AppState,
    session: &jixiao_store::SessionUser,
) -> Result<Vec<Area>, Error> {
    let Some(jurisdiction) = session.actor().jurisdiction else {
        return Ok(Vec::new());
    };
    Ok(state
        .store
        .areas(&session.actor(), &jurisdiction)
        .await?
        .into_iter()
        .filter(|a| a.level == "township")
        .collect())
}

async fn runs_page(
    state: &AppState,
    session: &jixiao_store::SessionUser,
    error: Option<String>,
) -> Result<RunsPage, Error> {
    Ok(RunsPage {
        chrome: Chrome::for_session(session, "policy_checks"),
        runs: state.store.policy_checks(&session.actor()).await?,
        townships: townships(state, session).await?,
        can_run: session.user.role.can(Capability::RunPolicyChecks),
        today: session.business_date.to_string(),
        error,
    })
}

/// `GET /policy-checks`.
pub async fn list(
    State(state): State<AppState>,
    PageUser(session): PageUser,
) -> Result<Response, PageError> {
    let page = runs_page(&state, &session, None).await?;
    Ok(render(StatusCode::OK, &page))
}

/// The form that starts a run.
#[derive(Deserialize)]
pub struct RunForm {
    #[serde(default)]
    township: String,
    #[serde(default)]
    as_of: String,
}

/// `POST /policy-checks`: starts a run over the jurisdiction or one township.
pub async fn run(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Form(form): Form<RunForm>,
) -> Result<Response, PageError> {
    let Ok(as_of) = chrono::NaiveDate::parse_from_str(form.as_of.trim(), "%Y-%m-%d") else {
        let page = runs_page(
            &state,
            &session,
            Some("请填写核查基准日（YYYY-MM-DD）".to_owned()),
        )
        .await?;
        return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page));
    };
    let township = Some(form.township.trim()).filter(|t| !t.is_empty());
    match state
        .store
        .run_policy_check(&session.actor(), township, as_of)
        .await
    {
        Ok(id) => Ok(axum::response::IntoResponse::into_response(Redirect::to(
            &format!("/policy-checks/{id}"),
        ))),
        Err(e) if super::shown_inline(&e) => {
            let status = super::inline_status(&e);
            let page = runs_page(&state, &session, Some(super::refusal_message(&e))).await?;
            Ok(render(status, &page))
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Template)]
#[template(path = "policy_check.html")]
struct SummaryPage {
    chrome: Chrome,
    summary: PolicyCheckSummary,
    total: TallyRow,
    by_township: Vec<TallyRow>,
    by_rule: Vec<TallyRow>,
    by_kind: Vec<TallyRow>,
    by_department: Vec<TallyRow>,
    can_assign: bool,
    deadline: String,
    notice: Option<String>,
}

/// `GET /policy-checks/{id}`.
pub async fn show(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    Query(notice): Query<super::Notice>,
) -> Result<Response, PageError> {
    let page = summary_page(&state, &session, id, notice.done.as_deref()).await?;
    Ok(render(StatusCode::OK, &page))
}

async fn summary_page(
    state: &AppState,
    session: &jixiao_store::SessionUser,
    id: i64,
    done: Option<&str>,
) -> Result<SummaryPage, Error> {
    let summary = state.store.policy_check(&session.actor(), id).await?;
    let rows = |list: &[FindingTally]| list.iter().map(TallyRow::of).collect();
    let deadline = (session.business_date + chrono::Days::new(30)).to_string();
    Ok(SummaryPage {
        chrome: Chrome::for_session(session, "policy_checks"),
        total: TallyRow::of(&summary.total),
        by_township: rows(&summary.by_township),
        by_rule: rows(&summary.by_rule),
        by_kind: rows(&summary.by_kind),
        by_department: rows(&summary.by_department),
        summary,
        can_assign: session.user.role.can(Capability::RunPolicyChecks),
        deadline,
        notice: (done == Some("assigned"))
            .then(|| "已将本批待整改问题交办到村和责任部门".to_owned()),
    })
}

/// The form that assigns a run's open findings.
#[derive(Deserialize)]
pub struct AssignForm {
    #[serde(default)]
    deadline: String,
}

/// `POST /policy-checks/{id}/assign`.
pub async fn assign(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    Form(form): Form<AssignForm>,
) -> Result<Response, PageError> {
    let today = session.business_date;
    let result = match chrono::NaiveDate::parse_from_str(form.deadline.trim(), "%Y-%m-%d") {
        Ok(deadline) => {
            state
                .store
                .assign_findings(&session.actor(), id, deadline, today)
                .await
        }
        Err(_) => Err(Error::invalid(
            "deadline",
            "invalid_date",
            "请填写整改期限（YYYY-MM-DD）",
        )),
    };
    match result {
        Ok(_) => Ok(axum::response::IntoResponse::into_response(Redirect::to(
            &format!("/policy-checks/{id}?done=assigned"),
        ))),
        Err(e) if super::shown_inline(&e) => {
            let mut page = summary_page(&state, &session, id, None).await?;
            page.notice = Some(super::refusal_message(&e));
            Ok(render(super::inline_status(&e), &page))
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Template)]
#[template(path = "finding.html")]
struct FindingPage {
    chrome: Chrome,
    case: FindingCase,
    overdue: bool,
    can_answer: bool,
    can_review: bool,
    error: Option<String>,
}

async fn finding_page(
    state: &AppState,
    session: &jixiao_store::SessionUser,
    id: i64,
    error: Option<String>,
) -> Result<FindingPage, Error> {
    use jixiao_core::workflow::{FindingRectification, FindingRectificationAction, next};
    let case = state.store.finding_case(&session.actor(), id).await?;
    let role = session.user.role;
    let allowed = |action| {
        case.rectification.as_ref().is_some_and(|r| {
            jixiao_core::workflow::FindingRectificationState::parse(&r.state)
                .is_some_and(|s| next::<FindingRectification>(s, action, role).is_ok())
        })
    };
    Ok(FindingPage {
        chrome: Chrome::for_session(session, "policy_checks"),
        overdue: case
            .rectification
            .as_ref()
            .is_some_and(|r| r.overdue(session.business_date)),
        can_answer: allowed(FindingRectificationAction::Answer),
        can_review: allowed(FindingRectificationAction::Accept),
        case,
        error,
    })
}

/// `GET /findings/{id}`.
pub async fn finding(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let page = finding_page(&state, &session, id, None).await?;
    Ok(render(StatusCode::OK, &page))
}

/// The answer form.
#[derive(Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    version: i32,
    #[serde(default)]
    answer: String,
    #[serde(default)]
    evidence: String,
}

/// `POST /findings/{id}/answer`.
pub async fn answer(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    Form(form): Form<AnswerForm>,
) -> Result<Response, PageError> {
    let result = state
        .store
        .answer_finding(
            &session.actor(),
            id,
            form.version,
            &form.answer,
            &form.evidence,
        )
        .await;
    after_move(&state, &session, id, result.map(|_| ())).await
}

/// The review form.
#[derive(Deserialize)]
pub struct ReviewForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    comment: String,
}

/// `POST /findings/{id}/review`.
pub async fn review(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    Form(form): Form<ReviewForm>,
) -> Result<Response, PageError> {
    let result = state
        .store
        .review_finding(
            &session.actor(),
            id,
            form.decision == "accept",
            &form.comment,
        )
        .await;
    after_move(&state, &session, id, result.map(|_| ())).await
}

async fn after_move(
    state: &AppState,
    session: &jixiao_store::SessionUser,
    id: i64,
    result: Result<(), Error>,
) -> Result<Response, PageError> {
    match result {
        Ok(()) => Ok(axum::response::IntoResponse::into_response(Redirect::to(
            &format!("/findings/{id}"),
        ))),
        Err(e) if super::shown_inline(&e) => {
            let page = finding_page(state, session, id, Some(super::refusal_message(&e))).await?;
            Ok(render(super::inline_status(&e), &page))
        }
        Err(other) => Err(other.into()),
    }
}

/// The findings' filters as typed.
#[derive(Deserialize, Serialize, Default, Clone)]
pub struct FindingQuery {
    #[serde(default)]
    rule: String,
    #[serde(default)]
    township: String,
    #[serde(default)]
    village: String,
    #[serde(default)]
    department: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    kind: String,
    #[serde(default, skip_serializing)]
    page: Option<i64>,
}

impl FindingQuery {
    fn filter(&self) -> FindingFilter {
        let some = |t: &str| Some(t.trim().to_owned()).filter(|t| !t.is_empty());
        FindingFilter {
            rule: some(&self.rule),
            township: some(&self.township),
            village: some(&self.village),
            department: some(&self.department),
            status: some(&self.status),
            kind: some(&self.kind),
        }
    }
}

#[derive(Template)]
#[template(path = "policy_check_findings.html")]
struct FindingsPage {
    chrome: Chrome,
    run_id: i64,
    query: FindingQuery,
    query_string: String,
    findings: Vec<(PolicyFinding, Option<FindingRectificationView>, bool)>,
    total: i64,
    page: i64,
    pages: i64,
    rules: Vec<FindingTally>,
    townships: Vec<FindingTally>,
    departments: Vec<FindingTally>,
    prev_link: Option<String>,
    next_link: Option<String>,
}

/// `GET /policy-checks/{id}/findings`.
pub async fn findings(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    Query(query): Query<FindingQuery>,
) -> Result<Response, PageError> {
    let actor = session.actor();
    let summary = state.store.policy_check(&actor, id).await?;
    let page = query.page.unwrap_or(1).max(1);
    let (findings, total) = state
        .store
        .policy_check_findings(&actor, id, &query.filter(), page, PER_PAGE)
        .await?;
    let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
    let ids: Vec<i64> = findings.iter().map(|f| f.id).collect();
    let mut rectifications = state.store.finding_rectifications_of(&ids).await?;
    let today = session.business_date;
    let findings = findings
        .into_iter()
        .map(|f| {
            let at = rectifications.iter().position(|r| r.finding_id == f.id);
            let rectification = at.map(|i| rectifications.swap_remove(i));
            let overdue = rectification.as_ref().is_some_and(|r| r.overdue(today));
            (f, rectification, overdue)
        })
        .collect();
    let query_string = serde_urlencoded::to_string(&query).unwrap_or_default();
    let link = |n: i64| format!("/policy-checks/{id}/findings?{query_string}&page={n}");
    let view = FindingsPage {
        chrome: Chrome::for_session(&session, "policy_checks"),
        run_id: id,
        prev_link: (page > 1).then(|| link(page - 1)),
        next_link: (page < pages).then(|| link(page + 1)),
        query_string: query_string.clone(),
        query,
        findings,
        total,
        page,
        pages,
        rules: summary.by_rule,
        townships: summary.by_township,
        departments: summary.by_department,
    };
    Ok(render(StatusCode::OK, &view))
}

/// `GET /policy-checks/{id}/findings.xlsx`: the findings (as filtered) for the village cadres,
/// one row per finding, ID numbers never included.
pub async fn export(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    Query(query): Query<FindingQuery>,
) -> Result<Response, PageError> {
    let actor = session.actor();
    let filter = query.filter();
    let mut all = Vec::new();
    let mut page = 1;
    loop {
        let (batch, total) = state
            .store
            .policy_check_findings(&actor, id, &filter, page, 200)
            .await?;
        let done =
            batch.is_empty() || i64::try_from(all.len() + batch.len()).unwrap_or(i64::MAX) >= total;
        all.extend(batch);
        if done {
            break;
        }
        page += 1;
    }
    let title = format!("政策落实核查问题清单（第{id}批）");
    let bytes = super::exports::off_workers(move || {
        let columns = [
            Column::new("行政村", 16.0, ColumnKind::Text),
            Column::new("户编号", 20.0, ColumnKind::Text),
            Column::new("类别", 12.0, ColumnKind::Text),
            Column::new("规则", 24.0, ColumnKind::Text),
            Column::new("问题", 60.0, ColumnKind::Text),
            Column::new("依据的信息", 48.0, ColumnKind::Text),
            Column::new("责任部门", 10.0, ColumnKind::Text),
            Column::new("状态", 10.0, ColumnKind::Text),
            Column::new("整改情况", 30.0, ColumnKind::Text),
        ];
        let mut writer = ExportWriter::new("问题清单", &title, &columns)?;
        for f in &all {
            let fields: Vec<String> = f
                .fields
                .iter()
                .map(|field| format!("{}：{}", field.label, field.value))
                .collect();
            writer.row(&[
                Cell::from(f.village_name.clone()),
                Cell::from(f.household_number.clone()),
                Cell::from(f.kind_label.clone()),
                Cell::from(f.rule_name.clone()),
                Cell::from(f.message.clone()),
                Cell::from(fields.join("；")),
                Cell::from(f.department_label.clone()),
                Cell::from(status_label(&f.status)),
                Cell::Empty,
            ])?;
        }
        writer.finish()
    })
    .await?;
    Ok(super::exports::attachment(
        axum::body::Body::from(bytes),
        "findings.xlsx",
        "政策落实核查问题清单",
    ))
}

/// 待整改 / 已销号 / 已认可说明.
fn status_label(status: &str) -> &'static str {
    match status {
        "open" => "待整改",
        "closed" => "已销号",
        _ => "已认可说明",
    }
}
