//! The rulebook page: the rulebook in force for each year, its versions, its rules in plain
//! Chinese, and the form to load a new text.

use super::{Chrome, render};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::PageError;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jixiao_core::rulebook::Rulebook;
use jixiao_core::time;
use jixiao_store::{Error, RulebookRecord, SessionUser};
use serde::Deserialize;

struct VersionRow {
    year: i32,
    version: i32,
    name: String,
    loaded_at: String,
    loaded_by: String,
    digest: String,
    in_force: bool,
}

struct Shown {
    year: i32,
    version: i32,
    title: String,
    basis: String,
    categories: String,
    tree: Vec<String>,
    gate: Vec<String>,
    pre_assessment: String,
    review: String,
    source: String,
}

impl Shown {
    fn new(record: &RulebookRecord, rulebook: &Rulebook) -> Shown {
        let gate = &rulebook.gate;
        let mut rules = Vec::new();
        if gate.require_overall_goal {
            rules.push("须填写总体目标".to_owned());
        }
        if gate.require_annual_goal {
            rules.push("须填写年度目标".to_owned());
        }
        rules.push(format!("绩效指标不少于{}个", gate.min_indicators));
        for level in gate.required_level2.iter().chain(&gate.required_level1) {
            rules.push(format!("至少设置一个{level}"));
        }
        if let Some(satisfaction) = &gate.satisfaction_level1 {
            rules.push(format!("直接服务群众的项目须设置{satisfaction}"));
        }
        if gate.quantitative_needs_value_and_unit {
            rules.push("定量指标须有指标值和计量单位".to_owned());
        }
        if let Some(total) = gate.points_total {
            rules.push(format!("指标分值合计为{total}分"));
        }
        let mut steps = Vec::new();
        if rulebook.review.department_step {
            steps.push("主管部门审核（预算单位的项目）".to_owned());
        }
        for step in &rulebook.review.steps {
            steps.push(if step.grades_target {
                format!("{}（评定目标等级）", step.name)
            } else {
                step.name.clone()
            });
        }
        Shown {
            year: record.year,
            version: record.version,
            title: rulebook.title.clone(),
            basis: rulebook.basis.clone(),
            categories: rulebook
                .categories
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>()
                .join("、"),
            tree: rulebook
                .indicator_tree
                .iter()
                .map(|l| format!("{}：{}", l.level1, l.level2.join("、")))
                .collect(),
            gate: rules,
            pre_assessment: format!(
                "{}申报金额达到{}万元的，须开展事前绩效评估，结论为“不予支持”的不得提交",
                if rulebook.pre_assessment.new_projects_only {
                    "新增项目"
                } else {
                    "项目"
                },
                rulebook.pre_assessment.threshold_wan
            ),
            review: format!(
                "{}；评定为{}的不得通过",
                steps.join(" → "),
                rulebook
                    .review
                    .blocking_grades
                    .iter()
                    .map(|g| format!("“{g}”"))
                    .collect::<Vec<_>>()
                    .join("、")
            ),
            source: record.source.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "rulebook.html")]
struct RulebookPage {
    chrome: Chrome,
    jurisdiction: String,
    notice: Option<&'static str>,
    error: Option<String>,
    versions: Vec<VersionRow>,
    shown: Option<Shown>,
}

/// Which version to show, and which confirmation.
#[derive(Deserialize)]
pub struct RulebookQuery {
    year: Option<i32>,
    version: Option<i32>,
    done: Option<String>,
}

async fn page(
    state: &AppState,
    session: &SessionUser,
    status: StatusCode,
    query: RulebookQuery,
    error: Option<String>,
) -> Result<Response, PageError> {
    let records = state.store.rulebooks(&session.actor()).await?;
    let in_force = |r: &RulebookRecord| {
        !records.iter().any(|o| {
            o.jurisdiction_code == r.jurisdiction_code && o.year == r.year && o.version > r.version
        })
    };
    let shown = records
        .iter()
        .find(|r| Some(r.year) == query.year && query.version.is_none_or(|v| v == r.version))
        .or_else(|| records.first());
    let shown = match shown {
        Some(record) => Some(Shown::new(record, &record.rulebook()?)),
        None => None,
    };
    let jurisdiction = match records.first() {
        Some(r) => r.jurisdiction_code.clone(),
        None => String::new(),
    };
    let view = RulebookPage {
        chrome: Chrome::for_session(session, "rulebook"),
        jurisdiction,
        notice: match query.done.as_deref() {
            Some("created") => Some("已载入规则，形成新版本。"),
            Some("unchanged") => Some("规则文本与现行版本相同，未形成新版本。"),
            _ => None,
        },
        error,
        versions: records
            .iter()
            .map(|r| VersionRow {
                year: r.year,
                version: r.version,
                name: r.name.clone(),
                loaded_at: time::display(r.loaded_at),
                loaded_by: r.loaded_by.clone(),
                digest: r.digest.chars().take(16).collect(),
                in_force: in_force(r),
            })
            .collect(),
        shown,
    };
    Ok(render(status, &view))
}

/// `GET /admin/rulebook`.
pub async fn show(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Query(query): Query<RulebookQuery>,
) -> Result<Response, PageError> {
    page(&state, &session, StatusCode::OK, query, None).await
}

/// The load form.
#[derive(Deserialize)]
pub struct LoadForm {
    #[serde(default)]
    year: String,
    #[serde(default)]
    source: String,
}

/// `POST /admin/rulebook`.
pub async fn load(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Form(form): Form<LoadForm>,
) -> Result<Response, PageError> {
    let empty = RulebookQuery {
        year: None,
        version: None,
        done: None,
    };
    let Ok(year) = form.year.trim().parse::<i32>() else {
        return page(
            &state,
            &session,
            StatusCode::UNPROCESSABLE_ENTITY,
            empty,
            Some("年度应为四位数字".to_owned()),
        )
        .await;
    };
    let jurisdiction = match &session.user.jurisdiction {
        Some(code) => Some(code.clone()),
        None => state.store.default_jurisdiction().await?,
    };
    let Some(jurisdiction) = jurisdiction else {
        return page(
            &state,
            &session,
            StatusCode::UNPROCESSABLE_ENTITY,
            empty,
            Some("请先设立财政区划".to_owned()),
        )
        .await;
    };
    match state
        .store
        .load_rulebook(&session.actor(), &jurisdiction, year, &form.source)
        .await
    {
        Ok(loaded) => {
            let done = if loaded.created {
                "created"
            } else {
                "unchanged"
            };
            Ok(Redirect::to(&format!("/admin/rulebook?year={year}&done={done}")).into_response())
        }
        Err(Error::Invalid(errors)) => {
            page(
                &state,
                &session,
                StatusCode::UNPROCESSABLE_ENTITY,
                empty,
                Some(errors.to_string()),
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}
