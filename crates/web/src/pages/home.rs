//! The home page: what is the signed-in user's — their role, jurisdiction, agency and duties.

use super::{Chrome, render};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::PageError;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use jixiao_core::{Role, money};
use jixiao_store::Agency;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    chrome: Chrome,
    display_name: String,
    username: String,
    role_label: &'static str,
    jurisdiction: String,
    agency: Option<Agency>,
    duties: &'static str,
    agencies_heading: &'static str,
    agencies: Vec<Agency>,
    queue: Option<Vec<super::project_views::ProjectRow>>,
    monitoring: Vec<jixiao_store::MonitoringTask>,
    /// Approved projects whose targets must be adjusted to the approved amount.
    adjust: Vec<AdjustRow>,
}

/// One project of the 待调整绩效目标 list.
struct AdjustRow {
    id: i64,
    name: String,
    agency_name: String,
    requested_wan: String,
    approved_wan: String,
}

fn duties(role: Role) -> &'static str {
    match role {
        Role::Admin => "管理用户与角色、部门单位、财政区划与预算年度，查阅审计日志。",
        Role::Finance => {
            "审核部门单位报送的绩效目标、批复预算，组织绩效运行监控与绩效评价，推动评价结果应用。"
        }
        Role::Agency => {
            "按照“谁申请资金、谁设置目标”的原则申报项目和绩效目标，报送监控情况，开展单位自评并落实整改。本单位主要负责人是预算绩效第一责任人。"
        }
        Role::Expert => "对分配给您的绩效目标和评价报告进行评审，提出评分和意见。",
        Role::Institution => "承担受托的重点绩效评价工作，独立、客观地出具评价报告。",
        Role::Viewer => "查阅预算绩效管理全过程信息，依法履行监督职责（只读）。",
        Role::Village => "维护本村帮扶对象户档案，核实家庭成员和收入情况，落实政策核查发现的问题。",
        Role::Township => "审核所辖各村帮扶对象户档案，组织政策落实核查和问题整改。",
        Role::Assistance => {
            "管理全县帮扶对象户档案，导入全国防返贫监测系统数据，组织政策落实核查。"
        }
        Role::Sector => "查阅本部门政策所需的帮扶对象信息，登记本部门政策落实情况。",
        Role::Helper => "联系所帮扶农户，开展走访，如实记录帮扶情况。",
    }
}

/// `GET /`.
pub async fn show(
    State(state): State<AppState>,
    PageUser(session): PageUser,
) -> Result<Response, PageError> {
    let actor = session.actor();
    let user = &session.user;
    let jurisdiction = match &user.jurisdiction {
        None => "全部财政区划".to_owned(),
        Some(code) => state
            .store
            .jurisdictions()
            .await?
            .into_iter()
            .find(|j| &j.code == code)
            .map_or_else(|| code.clone(), |j| format!("{}（{}）", j.name, j.code)),
    };
    let agencies = if user.role.can(jixiao_core::Capability::ReadAgencies) {
        state.store.agencies(&actor).await?
    } else {
        Vec::new()
    };
    let agency = user
        .agency_id
        .and_then(|id| agencies.iter().find(|a| a.id == id).cloned());
    let agencies_heading = if user.role == Role::Agency {
        "本部门及所属单位"
    } else {
        "辖区部门单位"
    };
    let queue = match user.role {
        Role::Agency | Role::Finance => {
            let year = chrono::Datelike::year(&session.business_date);
            let rulebook = super::projects::display_rulebook(&state, &session, year).await;
            Some(
                state
                    .store
                    .my_queue(&actor, 50)
                    .await?
                    .iter()
                    .map(|p| super::project_views::ProjectRow::new(p, rulebook.as_ref()))
                    .collect(),
            )
        }
        _ => None,
    };
    let monitoring = state.store.monitoring_tasks(&actor).await?;
    let adjust = match user.role {
        Role::Agency | Role::Finance => state
            .store
            .targets_to_adjust(&actor, 200)
            .await?
            .into_iter()
            .map(|p| AdjustRow {
                id: p.id,
                requested_wan: money::format_wan(p.requested_fen),
                approved_wan: money::format_wan(p.targets_adjust_fen.unwrap_or(0)),
                name: p.name,
                agency_name: p.agency_name,
            })
            .collect(),
        _ => Vec::new(),
    };
    let page = HomePage {
        chrome: Chrome::for_session(&session, "home"),
        display_name: user.display_name.clone(),
        username: user.username.clone(),
        role_label: user.role.label(),
        jurisdiction,
        agency,
        duties: duties(user.role),
        agencies_heading,
        agencies,
        queue,
        monitoring,
        adjust,
    };
    Ok(render(StatusCode::OK, &page))
}
