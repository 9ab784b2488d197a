//! The JSON API under `/api/v1`, for other systems (department budget, treasury payment) and
//! scripts. Bearer tokens from `POST /api/v1/session`; errors always as
//! `{"error": {"code", "message", "details"}}`; described at `/api/v1/openapi.json`.

mod admin;
mod dashboard;
mod enjoyments;
mod evaluations;
mod finding_rectifications;
mod household_imports;
mod indicator_bindings;
pub(crate) use enjoyments::read_list;
pub(crate) use household_imports::{export_response, read_export};
mod households;
mod json;
mod monitoring;
pub mod openapi;
mod policy_checks;
mod pools;
mod programmes;
mod project_types;
mod projects;
mod publication;
mod results;
mod risk_monitoring;
mod rulebooks;
mod self_evaluation;
mod session;
mod target_review;
pub(crate) mod treasury;
mod treasury_types;
pub(crate) mod visits;

use crate::AppState;
use crate::auth;
use crate::error::{ApiError, Error};
use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post, put};
use jixiao_core::Capability;

pub(crate) use indicator_bindings::as_of_in_year;
pub(crate) use json::ApiJson;

/// The API routes, relative to `/api/v1`.
pub fn router(upload_body: usize) -> Router<AppState> {
    let signed_in = Router::new()
        .route("/session", axum::routing::delete(session::delete))
        .route("/me", get(session::me))
        .route("/me/password", post(session::change_password))
        .route("/self-evaluations/score", post(self_evaluation::score))
        .route("/target-review", post(target_review::review))
        .route_layer(from_fn_with_state(Capability::UseAccount, auth::require));
    let agency_readers = Router::new()
        .route("/agencies", get(admin::list_agencies))
        .route_layer(from_fn_with_state(Capability::ReadAgencies, auth::require));
    let readers = Router::new()
        .route("/projects", get(projects::list))
        .route("/projects/{id}", get(projects::show))
        .route("/stats/coverage", get(projects::coverage))
        .route("/indicator-library", get(projects::library))
        .route("/rulebook", get(rulebooks::in_force))
        .route("/projects/{id}/allotment", get(treasury::allotment))
        .route("/projects/{id}/ledger", get(treasury::ledger))
        .route("/payments", get(treasury::list))
        .route("/stats/execution", get(treasury::execution))
        .route("/monitoring-rounds", get(monitoring::rounds))
        .route("/monitoring-rounds/{id}/reports", get(monitoring::lines))
        .route(
            "/monitoring-rounds/{id}/reports/{project_id}",
            get(monitoring::report),
        )
        .route("/monitoring-rounds/{id}/alerts", get(monitoring::alerts))
        .route("/alerts/{id}", get(monitoring::alert))
        .route("/projects/{id}/self-evaluation", get(self_evaluation::show))
        .route("/results-application", get(results::list))
        .route("/rectifications", get(evaluations::rectifications))
        .route("/projects/{id}/flags", get(evaluations::flags))
        .route("/stats/cuts", get(results::cuts))
        .route("/stats/dashboard", get(dashboard::show))
        // Binding is checked again in the store: the project's agency or the finance bureau.
        .route(
            "/projects/{id}/indicator-bindings",
            get(indicator_bindings::list).post(indicator_bindings::bind),
        )
        .route(
            "/projects/{id}/indicator-bindings/{row_no}",
            axum::routing::delete(indicator_bindings::unbind),
        )
        .route(
            "/projects/{id}/indicator-bindings/{row_no}/records",
            get(indicator_bindings::records),
        )
        .route_layer(from_fn_with_state(Capability::ReadProjects, auth::require));
    let askers = Router::new()
        .route("/projects", post(projects::create))
        .route("/projects/{id}", put(projects::update))
        .route("/projects/{id}/target", put(projects::save_target))
        .route("/projects/{id}/submit", post(projects::submit))
        .route("/projects/{id}/revise", post(projects::revise))
        .route("/projects/{id}/self-evaluation", put(self_evaluation::save))
        .route(
            "/projects/{id}/self-evaluation/submit",
            post(self_evaluation::submit),
        )
        .route("/rectifications/{id}/answer", post(evaluations::answer))
        .route(
            "/monitoring-rounds/{id}/reports/{project_id}",
            put(monitoring::save_report),
        )
        .route(
            "/monitoring-rounds/{id}/reports/{project_id}/submit",
            post(monitoring::submit_report),
        )
        .route_layer(from_fn_with_state(Capability::AskForMoney, auth::require));
    let reviewers = Router::new()
        .route("/projects/{id}/review", post(projects::review))
        .route(
            "/projects/{id}/pre-assessment",
            post(projects::pre_assessment),
        )
        .route("/queue", get(projects::queue))
        .route("/alerts/{id}/decision", post(monitoring::decision))
        .route_layer(from_fn_with_state(
            Capability::ReviewProjects,
            auth::require,
        ));
    let treasury_routes = Router::new()
        .route("/payments", post(treasury::pay))
        .route("/payments/batch", post(treasury::pay_batch))
        .route("/refunds", post(treasury::refund))
        .route("/reservations", post(treasury::reserve))
        .route("/reservations/release", post(treasury::release))
        .route("/treasury/batch", post(treasury::treasury_batch))
        .route("/projects/{id}/allotment/adjust", post(treasury::adjust))
        .route(
            "/projects/{id}/allotment/suspension",
            post(treasury::suspension),
        )
        .route("/monitoring-rounds", post(monitoring::open_round))
        .route(
            "/projects/{id}/self-evaluation/review",
            post(self_evaluation::review),
        )
        .route("/results-application/propose", post(results::propose))
        .route("/publications", post(publication::publish))
        .route("/evaluations/coverage", get(evaluations::coverage))
        .route("/evaluations/{id}/confirm", post(evaluations::confirm))
        .route("/evaluations/{id}/return", post(evaluations::send_back))
        .route("/rectifications", post(evaluations::raise))
        .route("/rectifications/{id}/check", post(evaluations::check))
        .route("/results-application/{id}/decision", post(results::decide))
        .route(
            "/monitoring-rounds/{id}/evaluate",
            post(monitoring::evaluate),
        )
        .route("/monitoring-rounds/{id}/enforce", post(monitoring::enforce))
        .route(
            "/monitoring-rounds/{id}/reports/{project_id}/review",
            post(monitoring::review_report),
        )
        .route_layer(from_fn_with_state(Capability::RunFinance, auth::require));
    let user_keepers = Router::new()
        .route("/users", get(admin::list_users).post(admin::create_user))
        .route("/users/{username}/disable", post(admin::disable_user))
        .route("/users/{username}/password", post(admin::reset_password))
        .route(
            "/users/{username}/require-password-change",
            post(admin::require_password_change),
        )
        .route_layer(from_fn_with_state(Capability::ManageUsers, auth::require));
    let agency_keepers = Router::new()
        .route("/agencies", post(admin::create_agency))
        .route_layer(from_fn_with_state(
            Capability::ManageAgencies,
            auth::require,
        ));
    let settings_keepers = Router::new()
        .route("/rulebooks", post(rulebooks::load))
        .route_layer(from_fn_with_state(
            Capability::ManageSettings,
            auth::require,
        ));
    let auditors = Router::new()
        .route("/audit", get(admin::audit_log))
        .route_layer(from_fn_with_state(Capability::ReadAuditLog, auth::require));
    let pool_readers = Router::new()
        .route("/experts", get(pools::experts))
        .route("/institutions", get(pools::institutions))
        .route("/draws/{id}", get(pools::show))
        .route("/draws/{id}/replay", get(pools::replay))
        .route("/pool-standings", get(pools::standings))
        .route("/pool-members/{id}/complaints", get(pools::complaints))
        .route_layer(from_fn_with_state(Capability::ReadPools, auth::require));
    let members = Router::new()
        .route("/assignments/{id}/accept", post(pools::accept))
        .route("/assignments/{id}/decline", post(pools::decline))
        .route("/assignments/{id}/review", post(pools::review))
        .route_layer(from_fn_with_state(
            Capability::ActOnAssignments,
            auth::require,
        ));
    let assignment_readers = Router::new()
        .route("/assignments", get(pools::assignments))
        .route_layer(from_fn_with_state(
            Capability::ReadAssignments,
            auth::require,
        ));
    let pool_keepers = Router::new()
        .route("/experts", post(pools::add_expert))
        .route("/institutions", post(pools::add_institution))
        .route("/draws", post(pools::draw))
        .route("/assignments/{id}/rating", post(pools::rate))
        .route("/pool-members/{id}/status", post(pools::set_status))
        .route("/pool-members/{id}/account", post(pools::link_account))
        .route("/pool-members/{id}/complaints", post(pools::add_complaint))
        .route_layer(from_fn_with_state(Capability::ManagePools, auth::require));
    let evaluation_readers = Router::new()
        .route("/evaluations", get(evaluations::list))
        .route("/evaluations/{id}", get(evaluations::show))
        .route_layer(from_fn_with_state(
            Capability::ReadEvaluations,
            auth::require,
        ));
    let commissioners = Router::new()
        .route("/evaluations", post(evaluations::commission))
        .route_layer(from_fn_with_state(
            Capability::CommissionEvaluations,
            auth::require,
        ));
    let institutions = Router::new()
        .route("/evaluations/{id}", put(evaluations::save))
        .route("/evaluations/{id}/submit", post(evaluations::submit))
        .route_layer(from_fn_with_state(
            Capability::ScoreEvaluations,
            auth::require,
        ));
    let household_readers = Router::new()
        .route("/households", get(households::list))
        .route("/households/{id}", get(households::show))
        .route("/areas", get(households::areas))
        .route("/policy-checks/{id}", get(policy_checks::show))
        .route("/policy-checks/{id}/findings", get(policy_checks::findings))
        .route("/findings/{id}", get(finding_rectifications::show))
        .route(
            "/findings/{id}/answer",
            post(finding_rectifications::answer),
        )
        .route("/clues", get(risk_monitoring::clues))
        .route("/risk-cases", get(risk_monitoring::cases))
        .route("/risk-cases/by-township", get(risk_monitoring::by_township))
        .route("/risk-cases/{id}", get(risk_monitoring::case))
        .route("/risk-cases/{id}/plan", get(risk_monitoring::plan))
        .route_layer(from_fn_with_state(
            Capability::ReadHouseholds,
            auth::require,
        ));
    let risk_monitors = Router::new()
        .route("/clues", post(risk_monitoring::record_clue))
        .route("/clues/{id}/dismiss", post(risk_monitoring::dismiss_clue))
        .route("/risk-cases", post(risk_monitoring::open_case))
        .route("/risk-cases/{id}/steps", post(risk_monitoring::step))
        .route("/risk-cases/{id}/plan", post(risk_monitoring::save_plan))
        .route_layer(from_fn_with_state(Capability::MonitorRisks, auth::require));
    let screeners = Router::new()
        .route("/screenings", post(risk_monitoring::screen))
        .route(
            "/screenings/department-list",
            post(risk_monitoring::screen_list)
                .layer(axum::extract::DefaultBodyLimit::max(upload_body)),
        )
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
        .route("/children/compliance", get(programmes::children_compliance))
        .route("/children/{id}", get(programmes::child))
        .route(
            "/children/{id}/activities",
            post(programmes::record_activity),
        )
        .route(
            "/courtyards",
            get(programmes::courtyard_rounds).post(programmes::add_courtyard_round),
        )
        .route("/courtyards/{id}", get(programmes::courtyard_round))
        .route("/courtyards/{id}/scores", post(programmes::score_courtyard))
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
        .route_layer(from_fn_with_state(
            Capability::KeepProgrammes,
            auth::require,
        ));
    let visit_readers = Router::new()
        .route("/visits", get(visits::list))
        .route("/visits/compliance", get(visits::compliance))
        .route("/visits/{id}", get(visits::show))
        .route("/evidence/{sha256}", get(visits::evidence))
        .route("/visit-rectifications", get(visits::rectifications))
        .route_layer(from_fn_with_state(Capability::ReadVisits, auth::require));
    let visit_recorders = Router::new()
        .route(
            "/visits",
            post(visits::record).layer(axum::extract::DefaultBodyLimit::max(upload_body)),
        )
        .route("/visit-rectifications/{id}/close", post(visits::close))
        .route_layer(from_fn_with_state(Capability::RecordVisits, auth::require));
    let household_keepers = Router::new()
        .route("/households", post(households::create))
        .route(
            "/households/{id}/incomes/{year}",
            axum::routing::put(risk_monitoring::record_income),
        )
        .route_layer(from_fn_with_state(
            Capability::EditHouseholds,
            auth::require,
        ));
    let id_showers = Router::new()
        .route("/people/{id}/id-number", post(households::show_id_number))
        .route_layer(from_fn_with_state(Capability::ShowIdNumbers, auth::require));
    let checkers = Router::new()
        .route("/policy-checks", post(policy_checks::run))
        .route(
            "/policy-checks/{id}/assign",
            post(finding_rectifications::assign),
        )
        .route(
            "/findings/{id}/review",
            post(finding_rectifications::review),
        )
        .route_layer(from_fn_with_state(
            Capability::RunPolicyChecks,
            auth::require,
        ));
    let importers = Router::new()
        .route(
            "/households/import",
            post(household_imports::import)
                .layer(axum::extract::DefaultBodyLimit::max(upload_body)),
        )
        .route("/households/export.xlsx", get(household_imports::export))
        .route_layer(from_fn_with_state(
            Capability::ImportHouseholds,
            auth::require,
        ));
    let enjoyment_recorders = Router::new()
        .route(
            "/enjoyments/import",
            post(enjoyments::import).layer(axum::extract::DefaultBodyLimit::max(upload_body)),
        )
        .route_layer(from_fn_with_state(
            Capability::RecordEnjoyments,
            auth::require,
        ));
    let area_keepers = Router::new()
        .route("/areas", post(households::load_areas))
        .route_layer(from_fn_with_state(Capability::ManageAreas, auth::require));
    Router::new()
        .route("/session", post(session::create))
        .route("/openapi.json", get(openapi::document))
        .route("/public/projects", get(publication::list))
        .route("/public/projects/{id}", get(publication::show))
        .merge(signed_in)
        .merge(agency_readers)
        .merge(readers)
        .merge(askers)
        .merge(reviewers)
        .merge(treasury_routes)
        .merge(user_keepers)
        .merge(agency_keepers)
        .merge(settings_keepers)
        .merge(auditors)
        .merge(pool_readers)
        .merge(pool_keepers)
        .merge(members)
        .merge(assignment_readers)
        .merge(evaluation_readers)
        .merge(commissioners)
        .merge(institutions)
        .merge(household_readers)
        .merge(household_keepers)
        .merge(id_showers)
        .merge(area_keepers)
        .merge(checkers)
        .merge(importers)
        .merge(enjoyment_recorders)
        .merge(risk_monitors)
        .merge(screeners)
        .merge(programme_keepers)
        .merge(visit_readers)
        .merge(visit_recorders)
        .fallback(not_found)
        .layer(axum::extract::DefaultBodyLimit::max(
            crate::API_BODY_LIMIT_BYTES,
        ))
}

/// Any unknown path under `/api/`.
pub async fn not_found() -> ApiError {
    ApiError(Error::NotFound("接口不存在".to_owned()))
}
