//! Targets adjusted to the approved amount (按批复金额调整绩效目标, issue 20 item 5, decision
//! 0043): an approval below the request puts the project on the agency's list with the cost
//! indicators that no longer reconcile; the revision is reviewed against the approved amount; the
//! task ends when targets made for that amount are approved. An approval at the request asks for
//! nothing.

use crate::support::{TestApp, TestResult, call};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// A training project's sheet: `count` trainees at no more than `per_head` 元 each.
fn sheet(version: i64, count: &str, per_head: &str) -> Value {
    json!({
        "version": version,
        "overall_goal": "提升基层卫生人员业务能力，规范基本医疗和公共卫生服务",
        "annual_goal": format!("2020年完成基层卫生人员培训{count}人次"),
        "indicators": [
            {"level1": "产出指标", "level2": "数量指标", "name": "培训人次", "op": ">=", "value": count, "unit": "人次", "points": "30"},
            {"level1": "产出指标", "level2": "成本指标", "name": "人均培训成本", "op": "<=", "value": per_head, "unit": "元/人次", "points": "20"},
            {"level1": "效益指标", "level2": "社会效益指标", "name": "培训考核合格率", "op": ">=", "value": "90", "unit": "%", "points": "30"},
            {"level1": "满意度指标", "level2": "服务对象满意度指标", "name": "参训人员满意度", "op": ">=", "value": "90", "unit": "%", "points": "20"}
        ]
    })
}

fn version(body: &Value) -> i64 {
    body["version"].as_i64().unwrap_or(-1)
}

struct Reviewers {
    department: String,
    budget: String,
    finance: String,
}

impl Reviewers {
    async fn new(app: &TestApp) -> Result<Reviewers, Box<dyn std::error::Error>> {
        Ok(Reviewers {
            department: app.token("agency").await?,
            budget: app.token("budget").await?,
            finance: app.token("finance").await?,
        })
    }

    /// Takes the project through the three review steps; the last one with `last`.
    async fn approve(
        &self,
        app: &TestApp,
        id: i64,
        last: Value,
    ) -> Result<Value, Box<dyn std::error::Error>> {
        let path = format!("/api/v1/projects/{id}/review");
        for token in [&self.department, &self.budget] {
            let (status, body) = call(
                app,
                token,
                Method::POST,
                &path,
                Some(json!({"decision": "approve"})),
            )
            .await?;
            assert_eq!(status, StatusCode::OK, "{body}");
        }
        let mut decision = json!({"decision": "approve", "grade": "良"});
        if let (Some(d), Some(extra)) = (decision.as_object_mut(), last.as_object()) {
            d.extend(extra.clone());
        }
        let (status, body) = call(app, &self.finance, Method::POST, &path, Some(decision)).await?;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["state"], "approved", "{body}");
        Ok(body)
    }
}

/// Creates the training project, fills its sheet and submits it.
async fn submitted_training_project(
    app: &TestApp,
    unit: &str,
    name: &str,
) -> Result<i64, Box<dyn std::error::Error>> {
    let (status, project) = call(
        app,
        unit,
        Method::POST,
        "/api/v1/projects",
        Some(json!({
            "year": 2020, "name": name, "category": "specific", "requested_fen": 100_000_000
        })),
    )
    .await?;
    assert_eq!(status, StatusCode::CREATED, "{project}");
    let id = project["id"].as_i64().ok_or("id")?;
    let (status, saved) = call(
        app,
        unit,
        Method::PUT,
        &format!("/api/v1/projects/{id}/target"),
        Some(sheet(version(&project), "500", "2000")),
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let (status, submitted) = call(
        app,
        unit,
        Method::POST,
        &format!("/api/v1/projects/{id}/submit"),
        Some(json!({"version": version(&saved)})),
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{submitted}");
    Ok(id)
}

#[tokio::test]
async fn a_cut_amount_asks_the_agency_to_adjust_its_targets() -> TestResult {
    let app = TestApp::start().await?;
    let unit = app.token("yiyuan").await?;
    let reviewers = Reviewers::new(&app).await?;
    let id = submitted_training_project(&app, &unit, "基层卫生人员能力提升培训").await?;

    // 100万元 requested for 500人次 at ≤2000元 each; 60万元 approved.
    let approved = reviewers
        .approve(
            &app,
            id,
            json!({"approved_fen": 60_000_000, "reason": "压减培训规模"}),
        )
        .await?;
    assert_eq!(approved["approved_fen"], 60_000_000);
    assert_eq!(approved["targets_adjust_fen"], 60_000_000);

    // The agency's home page lists it; the project page names the cost indicator that no longer
    // reconciles with the approved amount.
    let browser = app.signed_in("yiyuan").await?;
    let (status, home) = browser.get("/").await?;
    assert_eq!(status, StatusCode::OK);
    let list = home
        .split("id=\"targets-to-adjust\"")
        .nth(1)
        .ok_or("the home page has no list of targets to adjust")?;
    assert!(list.contains("基层卫生人员能力提升培训"), "{list}");
    assert!(list.contains(&format!("/projects/{id}#targets-to-adjust")));
    let (_, page) = browser.get(&format!("/projects/{id}")).await?;
    let notice = page
        .split("id=\"targets-to-adjust\"")
        .nth(1)
        .and_then(|rest| rest.split("</div>").next())
        .ok_or("the project page has no notice of targets to adjust")?;
    assert!(
        notice.contains("批复金额60万元与申报金额100万元不一致"),
        "{notice}"
    );
    assert!(
        notice.contains("人均培训成本") && notice.contains("超过批复金额60万元"),
        "the cost indicator out of line is named: {notice}"
    );
    // The department above the unit sees its unit's task too.
    let other = app.signed_in("agency").await?;
    let (_, home) = other.get("/").await?;
    assert!(
        home.contains("基层卫生人员能力提升培训"),
        "the department above the unit sees its unit's task"
    );

    // The revision is reviewed against the approved amount: the grid's automatic review names
    // the cost indicator against 批复金额 while the old sheet is unchanged.
    let (status, revising) = call(
        &app,
        &unit,
        Method::POST,
        &format!("/api/v1/projects/{id}/revise"),
        None,
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{revising}");
    let (_, home) = browser.get("/").await?;
    assert!(
        !home.contains("id=\"targets-to-adjust\""),
        "a revision under way is no longer a task to start"
    );
    let (status, grid) = browser.get(&format!("/projects/{id}/target")).await?;
    assert_eq!(status, StatusCode::OK);
    assert!(
        grid.contains("测算需100万元，超过批复金额60万元"),
        "the grid reviews the revision against the approved amount"
    );
    assert!(!grid.contains("项目申报金额"), "not against the request");

    // Adjusted to 300人次: the revision passes and is approved without naming the amount again;
    // the approved amount and its reason stay, and the task is done.
    let (_, current) = call(
        &app,
        &unit,
        Method::GET,
        &format!("/api/v1/projects/{id}"),
        None,
    )
    .await?;
    let (status, saved) = call(
        &app,
        &unit,
        Method::PUT,
        &format!("/api/v1/projects/{id}/target"),
        Some(sheet(version(&current), "300", "2000")),
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let (status, resubmitted) = call(
        &app,
        &unit,
        Method::POST,
        &format!("/api/v1/projects/{id}/submit"),
        Some(json!({"version": version(&saved)})),
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{resubmitted}");
    assert_eq!(
        resubmitted["target_review_warnings"], 0,
        "300人次 at 2000元 fit 60万元: {resubmitted}"
    );
    let done = reviewers.approve(&app, id, json!({})).await?;
    assert_eq!(done["approved_fen"], 60_000_000, "{done}");
    assert_eq!(done["targets_adjust_fen"], Value::Null, "{done}");
    let (_, home) = browser.get("/").await?;
    assert!(
        !home.contains("id=\"targets-to-adjust\""),
        "the task is done"
    );
    let (_, page) = browser.get(&format!("/projects/{id}")).await?;
    assert!(!page.contains("id=\"targets-to-adjust\""));
    let (_, detail) = call(
        &app,
        &unit,
        Method::GET,
        &format!("/api/v1/projects/{id}"),
        None,
    )
    .await?;
    assert_eq!(detail["approval_reason"], "压减培训规模", "{detail}");
    Ok(())
}

#[tokio::test]
async fn an_approval_at_the_request_asks_for_no_adjustment() -> TestResult {
    let app = TestApp::start().await?;
    let unit = app.token("yiyuan").await?;
    let reviewers = Reviewers::new(&app).await?;
    let id = submitted_training_project(&app, &unit, "乡村医生培训").await?;
    let approved = reviewers.approve(&app, id, json!({})).await?;
    assert_eq!(approved["approved_fen"], 100_000_000);
    assert_eq!(approved["targets_adjust_fen"], Value::Null);
    let browser = app.signed_in("yiyuan").await?;
    let (_, home) = browser.get("/").await?;
    assert!(!home.contains("id=\"targets-to-adjust\""));
    let (_, page) = browser.get(&format!("/projects/{id}")).await?;
    assert!(!page.contains("id=\"targets-to-adjust\""));
    Ok(())
}
