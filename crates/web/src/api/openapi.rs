//! The OpenAPI document of `/api/v1` and the shapes it describes.

use super::{
    admin, dashboard, enjoyments, evaluations, finding_rectifications, household_imports,
    households, indicator_bindings, monitoring, policy_checks, pools, programmes, projects,
    publication, results, risk_monitoring, rulebooks, self_evaluation, session, target_review,
    treasury, visits,
};
use axum::Json;
use jixiao_core::audit::AuditRecord;
use jixiao_store::{Agency, User};
use serde::Serialize;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

/// Every error: `{"error": {...}}`.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable code (one per situation; `jixiao_store::ERROR_CODES` and `ConflictCode` are the
    /// source). 401: `unauthenticated`, `bad_credentials`. 403: `forbidden`, `csrf_failed`,
    /// `account_disabled`, `password_change_required`, `separation_of_duties` (another person
    /// must decide this review step). 404: `not_found`. 400: `malformed_json`,
    /// `unreadable_body`, `unsupported_media_type`, `method_not_allowed`, `bad_request`,
    /// `invalid_path`, `invalid_query`, `invalid_action`, `invalid_date`, `unknown_rulebook`,
    /// `year_required`, `bad_upload`, `body_too_large` (the API reads at most 2 MB). 422: `invalid_input` (details list the fields), `invalid_text`,
    /// `gate_failed`, `too_few_eligible`, `too_many_rows`. 409: `stale_version` (the document
    /// changed since it was read: reload), `invalid_transition` (the action does not apply in
    /// the document's state; see docs/workflow.md), `insufficient_funds`,
    /// `allotment_suspended`, `request_id_conflict`, `duplicate` (what the request would create
    /// exists already), `prerequisite_missing` (the step needs an earlier one: an approved
    /// project, a saved score, an accepted commission …), `rulebook_missing` (no rules loaded
    /// for the year), `not_editable`, `result_applied` (a decided result application bars the
    /// step), `already_settled`, `below_committed`, `not_applicable`, `wrong_document`,
    /// `own_account`, `credentials_changed`, `file_exists`. 429: `too_many_attempts`
    /// (`Retry-After`). 503: `busy`. 500: `internal`.
    pub code: String,
    /// Message in Chinese, fit to show to a user.
    pub message: String,
    /// Field-level problems: `{"field", "code", "message"}` each.
    #[schema(value_type = Vec<Object>)]
    pub details: Vec<serde_json::Value>,
}

/// A user.
#[derive(Serialize, ToSchema)]
pub struct UserView {
    /// Login name.
    pub username: String,
    /// Name shown on pages.
    pub display_name: String,
    /// Role code.
    pub role: String,
    /// Jurisdiction code (null for a deployment-wide administrator).
    pub jurisdiction: Option<String>,
    /// Agency code, for agency users.
    pub agency: Option<String>,
    /// Whether the user is disabled.
    pub disabled: bool,
    /// Whether the user must change their password before anything else (an administrator
    /// required it or reset the password); until then only `POST /api/v1/me/password` and
    /// `DELETE /api/v1/session` answer.
    pub must_change_password: bool,
}

impl From<&User> for UserView {
    fn from(user: &User) -> Self {
        UserView {
            username: user.username.clone(),
            display_name: user.display_name.clone(),
            role: user.role.as_str().to_owned(),
            jurisdiction: user.jurisdiction.clone(),
            agency: user.agency_code.clone(),
            disabled: user.disabled,
            must_change_password: user.must_change_password,
        }
    }
}

/// An agency.
#[derive(Serialize, ToSchema)]
pub struct AgencyView {
    /// Jurisdiction code.
    pub jurisdiction: String,
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// `department` (主管部门) or `unit` (预算单位).
    pub kind: String,
    /// The department's code, for a unit.
    pub parent_code: Option<String>,
    /// The head (第一责任人).
    pub head: String,
}

impl From<&Agency> for AgencyView {
    fn from(agency: &Agency) -> Self {
        AgencyView {
            jurisdiction: agency.jurisdiction_code.clone(),
            code: agency.code.clone(),
            name: agency.name.clone(),
            kind: agency.kind.clone(),
            parent_code: agency.parent_code.clone(),
            head: agency.head.clone(),
        }
    }
}

/// One audit record.
#[derive(Serialize, ToSchema)]
pub struct AuditRecordView {
    /// Position in the chain.
    pub seq: i64,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// Who.
    pub actor: String,
    /// What.
    pub action: String,
    /// Kind of thing changed.
    pub entity: String,
    /// Which one.
    pub entity_id: String,
    /// Jurisdiction code.
    pub jurisdiction: Option<String>,
    /// Details (JSON).
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
    /// This record's chained hash.
    pub hash: String,
}

impl From<&AuditRecord> for AuditRecordView {
    fn from(record: &AuditRecord) -> Self {
        AuditRecordView {
            seq: record.seq,
            at: jixiao_core::time::to_rfc3339(record.at),
            actor: record.actor.clone(),
            action: record.action.clone(),
            entity: record.entity.clone(),
            entity_id: record.entity_id.clone(),
            jurisdiction: record.jurisdiction.clone(),
            // The chain covers the text as written: text that is not JSON is shown as it is.
            details: serde_json::from_str(&record.details)
                .unwrap_or_else(|_| serde_json::Value::String(record.details.clone())),
            hash: record.hash.clone(),
        }
    }
}

/// A page of the audit log.
#[derive(Serialize, ToSchema)]
pub struct AuditPageView {
    /// Matching records in all.
    pub total: i64,
    /// This page.
    pub page: i64,
    /// Pages in all.
    pub pages: i64,
    /// The records, newest first.
    pub records: Vec<AuditRecordView>,
}

struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Adds the error answers every operation can give (from the JSON extractor, the role guard and
/// the id lookups) where a handler's own list does not name them, so that each documented
/// status list is the whole truth: 400 malformed request, 401/403 for secured operations, 404
/// always (path, query or body may name something missing), 413 with a body, 409 where a
/// body or a query is read, 422 always (a control character anywhere is refused at the edge).
struct StandardErrors;

impl Modify for StandardErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::{Operation, ParameterIn};
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let error = |description: &str| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ErrorBody")))
                        .build(),
                )
                .build()
        };
        let add = |operation: &mut Operation, takes_body: bool| {
            let secured = operation.security.as_ref().is_some_and(|s| !s.is_empty());
            let reads_query = operation
                .parameters
                .iter()
                .flatten()
                .any(|p| matches!(p.parameter_in, ParameterIn::Query));
            let mut codes = vec![("400", "请求格式有误")];
            if secured {
                codes.push(("401", "未登录或令牌无效"));
                codes.push((
                    "403",
                    "无权执行此操作（forbidden），或须先修改密码（password_change_required）",
                ));
            }
            // The path, the query or the body may name something missing or not visible.
            codes.push(("404", "对象不存在或不可见"));
            if takes_body {
                codes.push(("413", "请求体过大"));
            }
            if takes_body || reads_query {
                codes.push(("409", "与已有数据或当前状态冲突"));
            }
            // Any path, query or body may carry a control character, refused at the edge.
            codes.push(("422", "输入有误，details 列出每个字段的问题"));
            for (code, description) in codes {
                operation
                    .responses
                    .responses
                    .entry(code.to_owned())
                    .or_insert_with(|| error(description).into());
            }
        };
        for item in openapi.paths.paths.values_mut() {
            for operation in [&mut item.get, &mut item.delete].into_iter().flatten() {
                add(operation, false);
            }
            for operation in [&mut item.post, &mut item.put, &mut item.patch]
                .into_iter()
                .flatten()
            {
                let takes_body = operation.request_body.is_some();
                add(operation, takes_body);
            }
        }
    }
}

/// The API description.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Jixiao 绩效 API",
        description = "Budget performance management (预算绩效管理). Log in with `POST /api/v1/session`, then send `Authorization: Bearer TOKEN`. Errors are always `{\"error\": {\"code\", \"message\", \"details\"}}`; messages are in Chinese.",
        version = "1"
    ),
    paths(
        session::create, session::delete, session::me, session::change_password,
        admin::list_agencies, admin::create_agency,
        admin::list_users, admin::create_user, admin::disable_user, admin::reset_password,
        admin::require_password_change,
        admin::audit_log,
        projects::create, projects::list, projects::show, projects::update,
        projects::save_target, projects::submit, projects::review, projects::pre_assessment,
        projects::revise, projects::queue, projects::coverage, projects::library,
        target_review::review,
        rulebooks::in_force, rulebooks::load,
        treasury::allotment, treasury::ledger, treasury::pay, treasury::refund, treasury::reserve,
        treasury::release, treasury::pay_batch, treasury::treasury_batch, treasury::list,
        treasury::adjust, treasury::suspension, treasury::execution,
        monitoring::open_round, monitoring::rounds, monitoring::lines, monitoring::report,
        monitoring::save_report, monitoring::submit_report, monitoring::review_report,
        monitoring::evaluate, monitoring::alerts, monitoring::enforce, monitoring::alert,
        monitoring::decision,
        pools::add_expert, pools::experts, pools::add_institution, pools::institutions,
        pools::draw, pools::show, pools::replay, pools::assignments, pools::accept,
        pools::decline, pools::review, pools::rate, pools::standings, pools::set_status,
        pools::link_account, pools::add_complaint, pools::complaints,
        self_evaluation::show, self_evaluation::save, self_evaluation::submit,
        self_evaluation::review, self_evaluation::score,
        results::list, results::propose, results::decide, results::cuts, dashboard::show,
        evaluations::list, evaluations::show, evaluations::coverage, evaluations::commission,
        evaluations::save, evaluations::submit, evaluations::confirm, evaluations::send_back,
        evaluations::rectifications, evaluations::raise, evaluations::answer, evaluations::check,
        evaluations::flags, publication::publish, publication::list, publication::show,
        households::list, households::show, households::create, households::show_id_number,
        households::areas, households::load_areas,
        policy_checks::run, policy_checks::show, policy_checks::findings,
        household_imports::import, household_imports::export, enjoyments::import,
        finding_rectifications::assign, finding_rectifications::show,
        finding_rectifications::answer, finding_rectifications::review,
        risk_monitoring::screen, risk_monitoring::screen_list, risk_monitoring::clues,
        risk_monitoring::record_clue, risk_monitoring::dismiss_clue, risk_monitoring::cases,
        risk_monitoring::open_case, risk_monitoring::case, risk_monitoring::step,
        risk_monitoring::plan, risk_monitoring::save_plan, risk_monitoring::record_income,
        risk_monitoring::by_township,
        indicator_bindings::list, indicator_bindings::bind, indicator_bindings::unbind,
        indicator_bindings::records,
        programmes::posts, programmes::create_post, programmes::post, programmes::add_holder,
        programmes::record_month, programmes::children, programmes::add_child,
        programmes::child, programmes::record_activity, programmes::children_compliance,
        programmes::courtyard_rounds, programmes::add_courtyard_round,
        programmes::courtyard_round, programmes::score_courtyard, programmes::campaigns,
        programmes::add_campaign, programmes::campaign, programmes::appoint,
        programmes::record_result, programmes::work_records, programmes::add_work_record,
        visits::record, visits::list, visits::show, visits::evidence, visits::compliance,
        visits::rectifications, visits::close,
    ),
    components(schemas(ErrorBody, ErrorDetail, UserView, AgencyView, AuditRecordView, AuditPageView)),
    modifiers(&BearerToken, &StandardErrors),
    tags(
        (name = "session", description = "登录与会话"),
        (name = "agencies", description = "部门单位"),
        (name = "users", description = "用户"),
        (name = "audit", description = "审计日志"),
        (name = "projects", description = "项目库、绩效目标与审核"),
        (name = "rulebooks", description = "规则"),
        (name = "treasury", description = "预算指标与国库集中支付"),
        (name = "monitoring", description = "绩效运行监控与预警处置"),
        (name = "pools", description = "专家库、中介机构库与随机抽取"),
        (name = "assistance", description = "帮扶对象户档案（一户一档）、区域、政策落实核查与防返贫动态监测"),
        (name = "evaluation", description = "绩效评价与结果应用"),
    )
)]
pub struct ApiDoc;

/// `GET /api/v1/openapi.json`.
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

#[cfg(test)]
mod tests {
    use super::ApiDoc;
    use utoipa::OpenApi;

    /// Every machine code the API can answer with is named in the OpenAPI document, and every
    /// code a handler writes into a `BadRequest` is in the store's catalogue.
    #[test]
    fn the_document_names_every_error_code() {
        let document = ApiDoc::openapi()
            .to_json()
            .expect("the OpenAPI document serialises");
        let codes = jixiao_store::ERROR_CODES
            .iter()
            .map(|(code, _, _)| *code)
            .chain(jixiao_store::ConflictCode::ALL.iter().map(|c| c.as_str()));
        for code in codes {
            assert!(
                document.contains(&format!("`{code}`")),
                "`{code}` is missing from ErrorDetail's description"
            );
        }
        let sources = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut written = Vec::new();
        collect_bad_request_codes(&sources, &mut written);
        assert!(written.len() > 10, "the scan found the handlers' codes");
        for (file, code) in written {
            assert!(
                jixiao_store::ERROR_CODES.iter().any(|(c, _, _)| *c == code),
                "{file}: code {code:?} is not in jixiao_store::ERROR_CODES"
            );
        }
    }

    fn collect_bad_request_codes(dir: &std::path::Path, out: &mut Vec<(String, String)>) {
        let entries = std::fs::read_dir(dir).expect("source folder");
        for entry in entries {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                collect_bad_request_codes(&path, out);
                continue;
            }
            if path.ends_with("api/openapi.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("source");
            let lines: Vec<&str> = text.lines().collect();
            for (i, line) in lines.iter().enumerate() {
                let opens = line.contains("Error::BadRequest {") || line.contains("bad_request(");
                if !opens || line.contains("fn bad_request") {
                    continue;
                }
                for next in lines.iter().skip(i).take(3) {
                    if let Some(code) = next.split('"').nth(1)
                        && (next.contains("code: \"") || next.contains("bad_request(\""))
                    {
                        out.push((path.display().to_string(), code.to_owned()));
                        break;
                    }
                }
            }
        }
    }
}
