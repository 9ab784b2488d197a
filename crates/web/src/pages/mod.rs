//! The HTML pages: plain forms that work without JavaScript, rendered on the server with
//! askama (auto-escaped). Every page route declares its roles; every form carries a CSRF token.

mod admin_agencies;
mod admin_audit;
mod admin_rulebook;
mod admin_settings;
mod admin_users;
mod allotment_actions;
mod allotment_export;
mod bulletin;
mod dashboard;
mod enjoyments;
mod evaluation;
pub(crate) mod exports;
mod home;
mod households;
mod indicator_records;
mod key_evaluation;
mod login;
mod menu;
mod monitoring;
mod monitoring_report;
mod password;
mod payments;
mod policy_checks;
mod pools;
mod print_forms;
mod programmes;
mod project_page;
mod project_views;
mod projects;
mod public;
mod risk_cases;
mod risk_clues;
mod self_evaluation;
mod self_evaluation_upload;
mod target_excel;
mod target_grid;
mod target_review_year;
mod visits;

use crate::AppState;
use crate::auth;
use jixiao_core::Capability;

use crate::csrf;
use askama::Template;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{StatusCode, header};
use axum::middleware::from_fn_with_state;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use jixiao_core::FieldError;
use jixiao_store::SessionUser;

pub(crate) use admin_audit::audit_filter;
pub use exports::project_library_xlsx;

/// What the page frame needs: the signed-in user (for the menu) and the session's CSRF token.
#[derive(Clone)]
pub struct Chrome {
    /// The user, if signed in.
    pub user: Option<ChromeUser>,
    /// The CSRF token forms must carry.
    pub csrf: String,
    /// Which menu entry is active.
    pub active: &'static str,
}

/// The user as the page frame shows it.
#[derive(Clone)]
pub struct ChromeUser {
    /// Name shown.
    pub display_name: String,
    /// Role as users read it.
    pub role_label: &'static str,
    /// The menu the role may open, grouped.
    pub menu: Vec<menu::MenuGroup>,
    /// Whether the user must change their password first (the menu is hidden until then).
    pub must_change_password: bool,
    /// The business date the pages take as today (业务日期), `YYYY-MM-DD`.
    pub business_date: String,
    /// Whether the business date is the calendar day (otherwise the header marks it).
    pub business_date_is_today: bool,
}

impl Chrome {
    fn for_session(session: &SessionUser, active: &'static str) -> Chrome {
        Chrome {
            user: Some(ChromeUser {
                display_name: session.user.display_name.clone(),
                role_label: session.user.role.label(),
                menu: menu::menu_for(session.user.role),
                must_change_password: session.user.must_change_password,
                business_date: session.business_date.format("%Y-%m-%d").to_string(),
                business_date_is_today: session.business_date == jixiao_core::time::today(),
            }),
            csrf: session.csrf_token.clone(),
            active,
        }
    }

    fn anonymous(csrf: String) -> Chrome {
        Chrome {
            user: None,
            csrf,
            active: "",
        }
    }
}

/// Renders a template with a status.
fn render(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(error) => {
            tracing::error!(%error, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "页面生成失败").into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage<'a> {
    chrome: Chrome,
    heading: &'a str,
    message: &'a str,
}

/// What a message page said, kept on its response so that it can be framed again with the
/// signed-in user's menu ([`framed`]): a refusal or a missing page then leads back.
#[derive(Clone)]
struct MessageText {
    heading: String,
    message: String,
}

/// A page that tells the user why something did not happen.
pub(crate) fn message_page(status: StatusCode, heading: &str, message: &str) -> Response {
    let mut response = render(
        status,
        &MessagePage {
            chrome: Chrome::anonymous(String::new()),
            heading,
            message,
        },
    );
    response.extensions_mut().insert(MessageText {
        heading: heading.to_owned(),
        message: message.to_owned(),
    });
    response
}

/// A message page rendered again inside the signed-in user's frame (menu, name, business date);
/// any other response as it is.
pub(crate) fn framed(response: Response, session: &SessionUser) -> Response {
    let Some(text) = response.extensions().get::<MessageText>().cloned() else {
        return response;
    };
    let mut page = render(
        response.status(),
        &MessagePage {
            chrome: Chrome::for_session(session, ""),
            heading: &text.heading,
            message: &text.message,
        },
    );
    for (name, value) in response.headers() {
        if name != header::CONTENT_LENGTH && name != header::CONTENT_TYPE {
            page.headers_mut().insert(name.clone(), value.clone());
        }
    }
    page
}

/// The `?done=…` of a redirect after a successful change: which confirmation to show.
#[derive(serde::Deserialize)]
pub struct Notice {
    /// A code each page maps to its own fixed message (never shown as sent).
    pub done: Option<String>,
}

/// A refused form save as the form shows it again: the status and the errors beside the fields
/// (a conflict is put beside `conflict_field`). Other errors are not the form's to show.
pub(crate) fn form_refusal(
    error: jixiao_store::Error,
    conflict_field: &str,
) -> Result<(StatusCode, Vec<FieldError>), jixiao_store::Error> {
    match error {
        jixiao_store::Error::Invalid(errors) => Ok((StatusCode::UNPROCESSABLE_ENTITY, errors.0)),
        clash if clash.is_conflict() => Ok((
            StatusCode::CONFLICT,
            vec![FieldError {
                field: conflict_field.to_owned(),
                code: clash.code().to_owned(),
                message: clash.user_message(),
            }],
        )),
        other => Err(other),
    }
}

/// Whether a refusal is shown on the form that caused it (input to correct, or a clash with what
/// is stored) rather than on the error page.
pub(crate) fn shown_inline(error: &jixiao_store::Error) -> bool {
    error.is_conflict() || matches!(error, jixiao_store::Error::Invalid(_))
}

/// The status a refusal shown inline answers with: 409 for a clash with what is stored, 422 for
/// input to correct.
pub(crate) fn inline_status(error: &jixiao_store::Error) -> StatusCode {
    if error.is_conflict() {
        StatusCode::CONFLICT
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

/// A refusal as one line on a page: every field error, or the store's message.
pub(crate) fn refusal_message(error: &jixiao_store::Error) -> String {
    match error {
        jixiao_store::Error::Invalid(errors) => errors
            .0
            .iter()
            .map(|f| f.message.clone())
            .collect::<Vec<_>>()
            .join("；"),
        other => other.user_message(),
    }
}

/// The first error for `field`, for showing beside the input.
fn error_for<'a>(errors: &'a [FieldError], field: &str) -> Option<&'a str> {
    errors
        .iter()
        .find(|e| e.field == field)
        .map(|e| e.message.as_str())
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/app.css"),
    )
}

async fn script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/app.js"),
    )
}

async fn page_not_found() -> Response {
    message_page(StatusCode::NOT_FOUND, "页面不存在", "您访问的页面不存在。")
}

/// Every page route, with its role guard and the CSRF guard.
pub fn router(state: AppState) -> Router<AppState> {
    let upload_body = state.upload_body_limit();
    let agency_keepers = Router::new()
        .route(
            "/admin/agencies",
            get(admin_agencies::list).post(admin_agencies::create),
        )
        .route("/admin/agencies/{id}/head", post(admin_agencies::set_head))
        .route_layer(from_fn_with_state(
            Capability::ManageAgencies,
            auth::require,
        ));
    let user_keepers = Router::new()
        .route(
            "/admin/users",
            get(admin_users::list).post(admin_users::create),
        )
        .route(
            "/admin/users/{username}/disable",
            post(admin_users::disable),
        )
        .route("/admin/users/{username}/enable", post(admin_users::enable))
        .route(
            "/admin/users/{username}/require-password-change",
            post(admin_users::require_password_change),
        )
        .route(
            "/admin/users/{username}/password",
            post(admin_users::reset_password),
        )
        .route_layer(from_fn_with_state(Capability::ManageUsers, auth::require));
    let auditors = Router::new()
        .route("/admin/audit", get(admin_audit::list))
        .route("/admin/audit/verify", post(admin_audit::verify))
        .route("/admin/audit/export.xlsx", get(exports::audit))
        .route_layer(from_fn_with_state(Capability::ReadAuditLog, auth::require));
    let settings_keepers = Router::new()
        .route(
            "/admin/rulebook",
            get(admin_rulebook::show).post(admin_rulebook::load),
        )
        .route("/admin/settings", get(admin_settings::show))
        .route(
            "/admin/settings/jurisdictions",
            post(admin_settings::add_jurisdiction),
        )
        .route(
            "/admin/settings/jurisdictions/{code}/name",
            post(admin_settings::rename_jurisdiction),
        )
        .route(
            "/admin/settings/jurisdictions/{code}/business-date",
            post(admin_settings::set_business_date),
        )
        .route(
            "/admin/settings/fiscal-years",
            post(admin_settings::add_fiscal_year),
        )
        .route_layer(from_fn_with_state(
            Capability::ManageSettings,
            auth::require,
        ));
    let readers = Router::new()
        .route("/projects", get(projects::list))
        .route("/projects/{id}", get(project_page::show))
        .route(
            "/projects/{id}/indicators/{row_no}/records",
            get(indicator_records::records),
        )
        // Binding is checked again in the store: the project's agency or the finance bureau.
        .route(
            "/projects/{id}/indicator-bindings",
            post(indicator_records::bind),
        )
        .route(
            "/projects/{id}/indicator-bindings/{row_no}/unbind",
            post(indicator_records::unbind),
        )
        .route(
            "/projects/{id}/target/print",
            get(print_forms::target_sheet),
        )
        .route(
            "/monitoring/{id}/reports/{project_id}/print",
            get(print_forms::monitoring_report),
        )
        .route("/dashboard", get(dashboard::show))
        .route("/dashboard/export.xlsx", get(dashboard::export))
        .route("/payments", get(payments::list))
        .route("/monitoring", get(monitoring::list))
        .route("/monitoring/{id}", get(monitoring::show))
        .route(
            "/monitoring/{id}/export.xlsx",
            get(exports::monitoring_round),
        )
        .route(
            "/monitoring/{id}/reports/{project_id}",
            get(monitoring_report::show),
        )
        .route("/alerts/{id}", get(monitoring_report::alert))
        .route("/evaluation", get(evaluation::show))
        .route("/evaluation/export.xlsx", get(exports::self_evaluations))
        .route("/evaluation/results.xlsx", get(exports::results))
        .route("/projects/export.xlsx", get(exports::projects))
        .route("/target-review", get(target_review_year::page))
        .route("/target-review.xlsx", get(target_review_year::export))
        .route(
            "/projects/{id}/target.xlsx",
            get(target_excel::project_sheet),
        )
        .route("/targets/template.xlsx", get(target_excel::blank))
        .route("/payments/export.xlsx", get(exports::payments))
        .route("/allotments/export.xlsx", get(allotment_export::allotments))
        .route("/rectifications/export.xlsx", get(exports::rectifications))
        .route("/rectifications", get(key_evaluation::rectifications))
        .route("/evaluation/bulletin", get(bulletin::show))
        .route("/projects/{id}/self-evaluation", get(self_evaluation::show))
        .route(
            "/projects/{id}/self-evaluation/print",
            get(self_evaluation::print),
        )
        .route_layer(from_fn_with_state(Capability::ReadProjects, auth::require));
    let treasury = Router::new()
        .route(
            "/projects/{id}/allotment/adjust",
            post(allotment_actions::adjust),
        )
        .route(
            "/projects/{id}/allotment/suspension",
            post(allotment_actions::suspension),
        )
        .route(
            "/payments/import",
            get(payments::import_form)
                .post(payments::import)
                .layer(DefaultBodyLimit::max(upload_body)),
        )
        .route("/monitoring", post(monitoring::open))
        .route("/evaluation/propose", post(evaluation::propose))
        .route("/evaluations/{id}/confirm", post(key_evaluation::confirm))
        .route("/projects/{id}/publication", post(self_evaluation::publish))
        .route("/results/{id}/decide", post(evaluation::decide))
        .route(
            "/projects/{id}/self-evaluation/review",
            post(self_evaluation::review),
        )
        .route("/monitoring/{id}/evaluate", post(monitoring::evaluate))
        .route("/monitoring/{id}/enforce", post(monitoring::enforce))
        .route(
            "/monitoring/{id}/reports/{project_id}/review",
            post(monitoring_report::review),
        )
        .route("/alerts/{id}/decide", post(monitoring_report::decide))
        .route("/alerts/{id}/rectification", post(monitoring_report::raise))
        .route_layer(from_fn_with_state(Capability::RunFinance, auth::require));
    let askers = Router::new()
        .route("/projects/new", get(projects::new))
        .route("/projects", post(projects::create))
        .route(
            "/projects/{id}/edit",
            get(projects::edit).post(projects::update),
        )
        .route(
            "/projects/{id}/target",
            get(target_grid::show).post(target_grid::submit),
        )
        .route(
            "/projects/{id}/target/review",
            post(target_grid::live_review),
        )
        .route("/projects/{id}/submit", post(project_page::submit))
        .route("/targets/drafts.xlsx", get(target_excel::drafts))
        .route(
            "/projects/{id}/target/upload",
            post(target_excel::upload).layer(DefaultBodyLimit::max(upload_body)),
        )
        .route(
            "/targets/upload",
            post(target_excel::upload_bulk).layer(DefaultBodyLimit::max(upload_body)),
        )
        .route("/projects/{id}/revise", post(project_page::revise))
        .route(
            "/monitoring/{id}/reports/{project_id}",
            post(monitoring_report::save),
        )
        .route("/alerts/{id}/propose", post(monitoring_report::propose))
        .route(
            "/projects/{id}/self-evaluation",
            post(self_evaluation::save),
        )
        .route(
            "/projects/{id}/self-evaluation/upload",
            post(self_evaluation_upload::upload).layer(DefaultBodyLimit::max(upload_body)),
        )
        .route_layer(from_fn_with_state(Capability::AskForMoney, auth::require));
    let reviewers = Router::new()
        .route("/projects/{id}/review", post(project_page::review))
        .route(
            "/projects/{id}/pre-assessment",
            post(project_page::pre_assessment),
        )
        .route_layer(from_fn_with_state(
            Capability::ReviewProjects,
            auth::require,
        ));
    let pool_readers = Router::new()
        .route("/pools/{kind}", get(pools::list))
        .route("/draws/{id}", get(pools::draw_page))
        .route_layer(from_fn_with_state(Capability::ReadPools, auth::require));
    let pool_keepers = Router::new()
        .route("/pools/{kind}", post(pools::add))
        .route("/draws", post(pools::draw))
        .route("/assignments/{id}/rating", post(pools::rate))
        .route("/pool-members/{id}/status", post(pools::set_status))
        .route_layer(from_fn_with_state(Capability::ManagePools, auth::require));
    let members = Router::new()
        .route("/assignments/{id}/answer", post(pools::answer))
        .route("/assignments/{id}/review", post(pools::review))
        .route_layer(from_fn_with_state(
            Capability::ActOnAssignments,
            auth::require,
        ));
    let assignment_readers = Router::new()
        .route("/assignments", get(pools::assignments))
        .route("/assignments/{id}", get(pools::assignment))
        .route_layer(from_fn_with_state(
            Capability::ReadAssignments,
            auth::require,
        ));
    let evaluation_readers = Router::new()
        .route("/evaluations", get(key_evaluation::list))
        .route("/evaluations/export.xlsx", get(exports::key_evaluations))
        .route("/evaluations/{id}", get(key_evaluation::show))
        .route("/evaluations/{id}/print", get(print_forms::key_evaluation))
        .route_layer(from_fn_with_state(
            Capability::ReadEvaluations,
            auth::require,
        ));
    let commissioners = Router::new()
        .route("/evaluations", post(key_evaluation::commission))
        .route_layer(from_fn_with_state(
            Capability::CommissionEvaluations,
            auth::require,
        ));
    let institutions = Router::new()
        .route("/evaluations/{id}", post(key_evaluation::save))
        .route_layer(from_fn_with_state(
            Capability::ScoreEvaluations,
            auth::require,
        ));
    let household_readers = Router::new()
        .route("/households", get(households::list))
        .route("/households/{id}", get(households::show))
        .route("/households/{id}/print", get(households::print))
        .route("/policy-checks", get(policy_checks::list))
        .route("/policy-checks/{id}", get(policy_checks::show))
        .route("/policy-checks/{id}/findings", get(policy_checks::findings))
        .route(
            "/policy-checks/{id}/findings.xlsx",
            get(policy_checks::export),
        )
        .route("/findings/{id}", get(policy_checks::finding))
        .route("/findings/{id}/answer", post(policy_checks::answer))
        .route("/clues", get(risk_clues::list))
        .route("/risk-cases", get(risk_cases::list))
        .route("/risk-cases/{id}", get(risk_cases::show))
        .route("/risk-cases/{id}/notice", get(risk_cases::notice))
        .route_layer(from_fn_with_state(
            Capability::ReadHouseholds,
            auth::require,
        ));
    let household_importers = Router::new()
        .route(
            "/households/import",
            get(households::import_form)
                .post(households::import)
                .layer(DefaultBodyLimit::max(upload_body)),
        )
        .route("/households/export.xlsx", get(households::export))
        .route_layer(from_fn_with_state(
            Capability::ImportHouseholds,
            auth::require,
        ));
    let checkers = Router::new()
        .route("/policy-checks", post(policy_checks::run))
        .route("/policy-checks/{id}/assign", post(policy_checks::assign))
        .route("/findings/{id}/review", post(policy_checks::review))
        .route_layer(from_fn_with_state(
            Capability::RunPolicyChecks,
            auth::require,
        ));
    let household_keepers = Router::new()
        .route("/households/publicity.xlsx", get(households::publicity))
        .route_layer(from_fn_with_state(
            Capability::EditHouseholds,
            auth::require,
        ));
    let enjoyment_recorders = Router::new()
        .route(
            "/enjoyments/import",
            get(enjoyments::form)
                .post(enjoyments::import)
                .layer(DefaultBodyLimit::max(upload_body)),
        )
        .route_layer(from_fn_with_state(
            Capability::RecordEnjoyments,
            auth::require,
        ));
    let id_showers = Router::new()
        .route("/people/{id}/id-number", post(households::show_id_number))
        .route_layer(from_fn_with_state(Capability::ShowIdNumbers, auth::require));
    let risk_monitors = Router::new()
        .route("/clues", post(risk_clues::record))
        .route("/clues/{id}/case", post(risk_clues::open_case))
        .route("/clues/{id}/dismiss", post(risk_clues::dismiss))
        .route("/risk-cases/{id}/steps", post(risk_cases::step))
        .route("/risk-cases/{id}/plan", post(risk_cases::save_plan))
        .route_layer(from_fn_with_state(Capability::MonitorRisks, auth::require));
    let visit_readers = Router::new()
        .route("/visits", get(visits::list))
        .route("/visits/compliance", get(visits::compliance))
        .route("/visits/{id}", get(visits::show))
        .route("/visits/evidence/{sha256}", get(visits::evidence))
        .route("/visit-rectifications", get(visits::rectifications))
        .route_layer(from_fn_with_state(Capability::ReadVisits, auth::require));
    let visit_recorders = Router::new()
        .route("/visits/new", get(visits::new))
        .route(
            "/visits",
            post(visits::record).layer(DefaultBodyLimit::max(upload_body)),
        )
        .route("/visit-rectifications/{id}/close", post(visits::close))
        .route_layer(from_fn_with_state(Capability::RecordVisits, auth::require));
    let screeners = Router::new()
        .route("/screenings", post(risk_clues::screen))
        .route_layer(from_fn_with_state(Capability::RunScreenings, auth::require));
    let programme_keepers = Router::new()
        .route(
            "/posts",
            get(programmes::posts).post(programmes::create_post),
        )
        .route("/posts/{id}", get(programmes::post))
        .route("/posts/{id}/holders", post(programmes::add_holder))
        .route("/posts/{id}/months", post(programmes::record_month))
        .route(
            "/children",
            get(programmes::children).post(programmes::add_child),
        )
        .route("/children/{id}", get(programmes::child))
        .route(
            "/children/{id}/activities",
            post(programmes::record_activity),
        )
        .route(
            "/courtyards",
            get(programmes::courtyards).post(programmes::add_round),
        )
        .route("/courtyards/{id}", get(programmes::courtyard))
        .route("/courtyards/{id}/scores", post(programmes::score))
        .route(
            "/screening-campaigns",
            get(programmes::campaigns).post(programmes::add_campaign),
        )
        .route("/screening-campaigns/{id}", get(programmes::campaign))
        .route(
            "/screening-campaigns/{id}/appointments",
            post(programmes::appoint),
        )
        .route(
            "/screening-campaigns/{id}/results",
            post(programmes::record_result),
        )
        .route(
            "/work-records",
            get(programmes::work_records).post(programmes::add_work_record),
        )
        .route("/work-records/{id}/letter", get(programmes::work_letter))
        .route_layer(from_fn_with_state(
            Capability::KeepProgrammes,
            auth::require,
        ));
    let signed_in = Router::new()
        .route(
            auth::CHANGE_PASSWORD_PAGE,
            get(password::show).post(password::submit),
        )
        .route_layer(from_fn_with_state(Capability::UseAccount, auth::require));
    let rectifiers = Router::new()
        .route("/rectifications/{id}", post(key_evaluation::act))
        .route_layer(from_fn_with_state(
            Capability::HandleRectifications,
            auth::require,
        ));
    Router::new()
        .route("/", get(home::show))
        .route("/login", get(login::form).post(login::submit))
        .route("/public", get(public::list))
        .route("/public/projects/{id}", get(public::show))
        .route("/logout", post(login::logout))
        .route("/static/app.css", get(stylesheet))
        .route("/static/app.js", get(script))
        .merge(signed_in)
        .merge(agency_keepers)
        .merge(user_keepers)
        .merge(auditors)
        .merge(settings_keepers)
        .merge(readers)
        .merge(askers)
        .merge(reviewers)
        .merge(treasury)
        .merge(pool_readers)
        .merge(pool_keepers)
        .merge(members)
        .merge(assignment_readers)
        .merge(evaluation_readers)
        .merge(commissioners)
        .merge(institutions)
        .merge(rectifiers)
        .merge(household_readers)
        .merge(household_importers)
        .merge(id_showers)
        .merge(enjoyment_recorders)
        .merge(household_keepers)
        .merge(checkers)
        .merge(risk_monitors)
        .merge(visit_readers)
        .merge(visit_recorders)
        .merge(screeners)
        .merge(programme_keepers)
        .fallback(page_not_found)
        .layer(from_fn_with_state(state, csrf::guard))
}
