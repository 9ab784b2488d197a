//! The project library pages: the list with filters and totals, and the form to record or edit
//! a project.

use super::project_views::ProjectRow;
use super::{Chrome, error_for, form_refusal, render};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::PageError;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jixiao_core::money;
use jixiao_core::project::{ProjectInput, ProjectState};
use jixiao_core::rulebook::Rulebook;
use jixiao_core::{FieldError, Role, ValidationErrors};
use jixiao_store::{Agency, ProjectFilter, ProjectPage, SessionUser};
use serde::{Deserialize, Serialize};

const PER_PAGE: i64 = 50;

/// The list filters as they come in the query string.
#[derive(Deserialize, Serialize, Default, Clone)]
pub struct ListQuery {
    /// A jurisdiction below the user's (a city or province user's list of one county).
    #[serde(default)]
    pub(crate) jurisdiction: String,
    #[serde(default)]
    pub(crate) year: String,
    #[serde(default)]
    pub(crate) agency: String,
    #[serde(default)]
    pub(crate) state: String,
    #[serde(default)]
    pub(crate) category: String,
    #[serde(default)]
    pub(crate) q: String,
    /// `1`: only 有问题的目标表 (findings of the automatic review).
    #[serde(default)]
    pub(crate) findings: String,
    #[serde(default, skip_serializing)]
    page: Option<i64>,
}

impl ListQuery {
    /// The store's filter for these fields.
    pub(crate) fn filter(&self) -> ProjectFilter {
        ProjectFilter {
            jurisdiction: Some(self.jurisdiction.trim().to_owned()).filter(|j| !j.is_empty()),
            year: self.year.trim().parse::<i32>().ok(),
            agency_code: Some(self.agency.trim().to_owned()).filter(|a| !a.is_empty()),
            state: ProjectState::parse(self.state.trim()),
            category: Some(self.category.trim().to_owned()).filter(|c| !c.is_empty()),
            search: Some(self.q.trim().to_owned()).filter(|q| !q.is_empty()),
            with_target_findings: self.findings.trim() == "1",
        }
    }
}

#[derive(Template)]
#[template(path = "projects.html")]
struct ProjectsPage {
    chrome: Chrome,
    filter: ListQuery,
    years: Vec<i32>,
    agencies: Vec<Agency>,
    states: Vec<(&'static str, &'static str)>,
    categories: Vec<(String, String)>,
    page: ProjectPage,
    rows: Vec<ProjectRow>,
    /// Each row's county, when the list spans several (empty otherwise: no column).
    places: Vec<String>,
    requested_wan: String,
    approved_wan: String,
    /// When the totals were summed, when they come from the rollups (a city's or the
    /// province's list).
    totals_as_of: Option<String>,
    /// How current the data is, when read from the read-only database.
    freshness: Option<String>,
    can_create: bool,
    prev_link: Option<String>,
    next_link: Option<String>,
}

/// Jurisdiction names by code.
async fn jurisdiction_names(
    state: &AppState,
) -> Result<std::collections::HashMap<String, String>, PageError> {
    Ok(state
        .store
        .jurisdictions()
        .await?
        .into_iter()
        .map(|j| (j.code, j.name))
        .collect())
}

/// The agency filter's choices: the agencies the user sees — within the jurisdiction the list
/// is narrowed to, if any. Over several counties, a code is offered once (the filter matches
/// that code in each county), named without the county.
async fn agency_choices(
    state: &AppState,
    actor: &jixiao_core::Actor,
    jurisdiction: &str,
) -> Result<Vec<Agency>, PageError> {
    let mut agencies = state.store.agencies(actor).await?;
    if !jurisdiction.is_empty() {
        let narrowed: Vec<Agency> = agencies
            .iter()
            .filter(|a| a.jurisdiction_code == jurisdiction)
            .cloned()
            .collect();
        if !narrowed.is_empty() {
            return Ok(narrowed);
        }
    }
    let places: std::collections::BTreeSet<&str> = agencies
        .iter()
        .map(|a| a.jurisdiction_code.as_str())
        .collect();
    if places.len() <= 1 {
        return Ok(agencies);
    }
    let names = jurisdiction_names(state).await?;
    let mut counts: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for a in &agencies {
        *counts.entry(a.code.clone()).or_default() += 1;
    }
    agencies.sort_by(|a, b| a.code.cmp(&b.code));
    agencies.dedup_by(|a, b| a.code == b.code);
    for a in &mut agencies {
        let place = names.get(&a.jurisdiction_code).map_or("", String::as_str);
        let bare = a.name.strip_prefix(place).unwrap_or(&a.name).to_owned();
        let n = counts.get(&a.code).copied().unwrap_or(1);
        a.name = if n > 1 {
            format!("{bare}（{n}个地区）")
        } else {
            a.name.clone()
        };
    }
    Ok(agencies)
}

/// The rulebook for showing names: the one in force for the year shown (or the latest year).
pub(crate) async fn display_rulebook(
    state: &AppState,
    session: &SessionUser,
    year: i32,
) -> Option<Rulebook> {
    let jurisdiction = match &session.user.jurisdiction {
        Some(code) => code.clone(),
        None => state.store.default_jurisdiction().await.ok().flatten()?,
    };
    state
        .store
        .rulebook_in_force(&jurisdiction, year)
        .await
        .ok()?
        .rulebook()
        .ok()
}

/// A list's year filter as the list opens: when none is asked for, the budget year of the
/// business date (or, when the user has no such year, the newest it has), so that totals never
/// add money across years by default. `all` asks for every year on purpose.
pub(crate) fn list_year(asked: &str, years: &[i32], session: &SessionUser) -> String {
    let asked = asked.trim();
    if !asked.is_empty() {
        return asked.to_owned();
    }
    let business_year = chrono::Datelike::year(&session.business_date);
    if years.contains(&business_year) || years.is_empty() {
        business_year.to_string()
    } else {
        years.first().map(ToString::to_string).unwrap_or_default()
    }
}

/// The fiscal years the user sees, newest first.
pub(crate) async fn years(state: &AppState, session: &SessionUser) -> Result<Vec<i32>, PageError> {
    let mut years: Vec<i32> = state
        .store
        .fiscal_years(&session.actor())
        .await?
        .into_iter()
        .map(|y| y.year)
        .collect();
    years.sort_unstable_by(|a, b| b.cmp(a));
    years.dedup();
    Ok(years)
}

/// `GET /projects`.
pub async fn list(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Query(mut query): Query<ListQuery>,
) -> Result<Response, PageError> {
    let actor = session.actor();
    let years = years(&state, &session).await?;
    query.year = list_year(&query.year, &years, &session);
    let year = query.year.trim().parse::<i32>().ok();
    let rulebook = display_rulebook(
        &state,
        &session,
        year.or(years.first().copied()).unwrap_or(2020),
    )
    .await;
    let filter = query.filter();
    let page = state
        .reads
        .projects(&actor, &filter, query.page.unwrap_or(1), PER_PAGE)
        .await?;
    let rows = page
        .projects
        .iter()
        .map(|p| ProjectRow::new(p, rulebook.as_ref()))
        .collect();
    // Over several counties (a city's or the province's list), each row names its county:
    // codes repeat from one county to the next.
    let places: Vec<String> = if page.projects.first().is_some_and(|first| {
        page.projects
            .iter()
            .any(|p| p.jurisdiction_code != first.jurisdiction_code)
    }) || session
        .user
        .jurisdiction
        .as_deref()
        .is_some_and(|own| page.projects.iter().any(|p| p.jurisdiction_code != own))
    {
        let names = jurisdiction_names(&state).await?;
        page.projects
            .iter()
            .map(|p| {
                names
                    .get(&p.jurisdiction_code)
                    .cloned()
                    .unwrap_or_else(|| p.jurisdiction_code.clone())
            })
            .collect()
    } else {
        Vec::new()
    };
    let link = |n: i64| {
        format!(
            "/projects?{}&page={n}",
            serde_urlencoded::to_string(&query).unwrap_or_default()
        )
    };
    let filter_jurisdiction = query.jurisdiction.trim().to_owned();
    let view = ProjectsPage {
        chrome: Chrome::for_session(&session, "projects"),
        prev_link: (page.page > 1).then(|| link(page.page - 1)),
        next_link: (page.page < page.pages()).then(|| link(page.page + 1)),
        requested_wan: money::format_wan(page.requested_fen),
        approved_wan: money::format_wan(page.approved_fen),
        totals_as_of: page.totals_as_of.map(jixiao_core::time::display),
        freshness: crate::read_database::freshness_note(&state).await,
        filter: query,
        years,
        agencies: agency_choices(&state, &actor, &filter_jurisdiction).await?,
        states: ProjectState::ALL
            .iter()
            .map(|s| (s.as_str(), s.label()))
            .collect(),
        categories: rulebook
            .map(|r| {
                r.categories
                    .iter()
                    .map(|c| (c.code.clone(), c.name.clone()))
                    .collect()
            })
            .unwrap_or_default(),
        page,
        rows,
        places,
        can_create: session.user.role == Role::Agency,
    };
    Ok(render(StatusCode::OK, &view))
}

/// The project form as posted: amounts typed in 万元.
#[derive(Deserialize, Default)]
pub struct ProjectForm {
    #[serde(default)]
    version: String,
    #[serde(default)]
    agency: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    is_new: String,
    #[serde(default)]
    previous_project: String,
    #[serde(default)]
    start_year: String,
    #[serde(default)]
    end_year: String,
    #[serde(default)]
    amount_unit: String,
    #[serde(default)]
    requested: String,
    #[serde(default)]
    superior: String,
    #[serde(default)]
    local: String,
    #[serde(default)]
    other: String,
    #[serde(default)]
    person_in_charge: String,
    #[serde(default)]
    serves_people: String,
    #[serde(default)]
    basis: String,
    #[serde(default)]
    necessity: String,
}

impl ProjectForm {
    /// Reads the typed form into a project; every unreadable field is reported.
    fn input(&self) -> Result<ProjectInput, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let mut amount = |field: &str, label: &str, text: &str, required: bool| -> i64 {
            if text.trim().is_empty() && !required {
                return 0;
            }
            let parsed = if self.amount_unit == "yuan" {
                money::parse_yuan(text)
            } else {
                money::parse_wan(text)
            };
            match parsed {
                Ok(fen) => fen,
                Err(e) => {
                    errors.add(field, "invalid_amount", format!("{label}：{e}"));
                    0
                }
            }
        };
        let requested_fen = amount("requested_fen", "申报金额", &self.requested, true);
        let funding_superior_fen = amount(
            "funding_superior_fen",
            "上级财政拨款",
            &self.superior,
            false,
        );
        let funding_local_fen = amount("funding_local_fen", "本级财政拨款", &self.local, false);
        let funding_other_fen = amount("funding_other_fen", "其他资金", &self.other, false);
        let year = self.year.trim().parse::<i32>().unwrap_or(0);
        let number = |text: &str| text.trim().parse::<i32>().unwrap_or(0);
        errors.into_result()?;
        Ok(ProjectInput {
            year,
            name: self.name.clone(),
            category: self.category.clone(),
            is_new: self.is_new != "false",
            previous_project: Some(self.previous_project.trim().to_owned())
                .filter(|c| !c.is_empty()),
            start_year: number(&self.start_year),
            end_year: number(&self.end_year),
            requested_fen,
            funding_superior_fen,
            funding_local_fen,
            funding_other_fen,
            basis: self.basis.clone(),
            necessity: self.necessity.clone(),
            person_in_charge: self.person_in_charge.clone(),
            serves_people: self.serves_people != "false",
        })
    }

    fn from_project(p: &jixiao_store::Project) -> ProjectForm {
        let wan = |fen: i64| {
            if fen == 0 {
                String::new()
            } else {
                money::format_wan_exact(fen)
            }
        };
        ProjectForm {
            version: p.version.to_string(),
            agency: p.agency_code.clone(),
            year: p.year.to_string(),
            name: p.name.clone(),
            category: p.category.clone(),
            is_new: p.is_new.to_string(),
            amount_unit: "wan".to_owned(),
            previous_project: p.previous_project_code.clone().unwrap_or_default(),
            start_year: p.start_year.to_string(),
            end_year: p.end_year.to_string(),
            requested: money::format_wan_exact(p.requested_fen),
            superior: wan(p.funding_superior_fen),
            local: wan(p.funding_local_fen),
            other: wan(p.funding_other_fen),
            person_in_charge: p.person_in_charge.clone(),
            serves_people: p.serves_people.to_string(),
            basis: p.basis.clone(),
            necessity: p.necessity.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "project_form.html")]
struct ProjectFormPage {
    chrome: Chrome,
    heading: &'static str,
    action: String,
    cancel: String,
    is_new_form: bool,
    errors: Vec<FieldError>,
    form: ProjectForm,
    agencies: Vec<Agency>,
    years: Vec<i32>,
    categories: Vec<(String, String)>,
}

impl ProjectFormPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

async fn form_page(
    state: &AppState,
    session: &SessionUser,
    status: StatusCode,
    edit_of: Option<i64>,
    errors: Vec<FieldError>,
    mut form: ProjectForm,
) -> Result<Response, PageError> {
    let years = years(state, session).await?;
    if form.year.is_empty() {
        form.year = years.first().map(ToString::to_string).unwrap_or_default();
    }
    let year = form.year.parse().unwrap_or(2020);
    let rulebook = display_rulebook(state, session, year).await;
    if form.category.is_empty() {
        form.category = "specific".to_owned();
    }
    let view = ProjectFormPage {
        chrome: Chrome::for_session(session, "projects"),
        heading: if edit_of.is_some() {
            "修改项目信息"
        } else {
            "新建项目"
        },
        action: edit_of.map_or_else(
            || "/projects".to_owned(),
            |id| format!("/projects/{id}/edit"),
        ),
        cancel: edit_of.map_or_else(|| "/projects".to_owned(), |id| format!("/projects/{id}")),
        is_new_form: edit_of.is_none(),
        errors,
        form,
        agencies: state.store.agencies(&session.actor()).await?,
        years,
        categories: rulebook
            .map(|r| {
                r.categories
                    .iter()
                    .map(|c| (c.code.clone(), c.name.clone()))
                    .collect()
            })
            .unwrap_or_default(),
    };
    Ok(render(status, &view))
}

/// `GET /projects/new`.
pub async fn new(
    State(state): State<AppState>,
    PageUser(session): PageUser,
) -> Result<Response, PageError> {
    let form = ProjectForm {
        agency: session.user.agency_code.clone().unwrap_or_default(),
        is_new: "true".to_owned(),
        serves_people: "true".to_owned(),
        ..ProjectForm::default()
    };
    form_page(&state, &session, StatusCode::OK, None, Vec::new(), form).await
}

/// `POST /projects`.
pub async fn create(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Form(form): Form<ProjectForm>,
) -> Result<Response, PageError> {
    let input = match form.input() {
        Ok(input) => input,
        Err(errors) => {
            return form_page(
                &state,
                &session,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                errors.0,
                form,
            )
            .await;
        }
    };
    let agency = Some(form.agency.trim()).filter(|a| !a.is_empty());
    match state
        .store
        .create_project(&session.actor(), agency, &input)
        .await
    {
        Ok(project) => Ok(
            Redirect::to(&format!("/projects/{}/target?done=created", project.id)).into_response(),
        ),
        Err(error) => {
            let (status, errors) = form_refusal(error, "version")?;
            form_page(&state, &session, status, None, errors, form).await
        }
    }
}

/// `GET /projects/{id}/edit`.
pub async fn edit(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let project = state.store.project(&session.actor(), id).await?;
    form_page(
        &state,
        &session,
        StatusCode::OK,
        Some(id),
        Vec::new(),
        ProjectForm::from_project(&project),
    )
    .await
}

/// `POST /projects/{id}/edit`.
pub async fn update(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    Form(form): Form<ProjectForm>,
) -> Result<Response, PageError> {
    let input = match form.input() {
        Ok(input) => input,
        Err(errors) => {
            return form_page(
                &state,
                &session,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(id),
                errors.0,
                form,
            )
            .await;
        }
    };
    let version = form.version.trim().parse::<i32>().unwrap_or(0);
    match state
        .store
        .update_project(&session.actor(), id, version, &input)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/projects/{id}?done=updated")).into_response()),
        Err(error) => {
            let (status, errors) = form_refusal(error, "version")?;
            form_page(&state, &session, status, Some(id), errors, form).await
        }
    }
}
