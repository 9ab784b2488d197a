//! Publication and the bulletin: the public reads published projects' targets and results without
//! logging in; finance chooses what is published; unpublished projects stay hidden; the year's
//! bulletin carries the figures, the key evaluations and the seal area.

use crate::support::{TestApp, TestResult, call};
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

#[tokio::test]
async fn the_public_reads_what_finance_publishes_and_nothing_else() -> TestResult {
    let app = TestApp::start_full().await?;
    let anonymous = Client::new();
    let list: Value = anonymous
        .get(app.url("/api/v1/public/projects?year=2019"))
        .send()
        .await?
        .json()
        .await?;
    let list = list.as_array().ok_or("list")?.clone();
    let farm = list
        .iter()
        .find(|p| p["name"] == "2019年农业综合开发")
        .ok_or("农业综合开发 published")?;
    assert_eq!(farm["key_grade"], "中");
    assert_eq!(farm["action"], "cut");
    assert_eq!(farm["cut_fen"], 115_000_000);
    assert!(
        list.iter()
            .any(|p| p["name"] == "2019年残疾人就业帮扶" && p["cut_fen"] == 20_000_000)
    );

    let response = anonymous.get(app.url("/public?year=2019")).send().await?;
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await?;
    assert!(html.contains("预算绩效信息公开") && html.contains("2019年金亿奶牛养殖"));
    assert!(!html.contains("退出"), "no signed-in frame");

    // A project not published: 404 for the public, page and API alike.
    let finance = app.token("finance").await?;
    let (_, found) = call(
        &app,
        &finance,
        Method::GET,
        "/api/v1/projects?year=2019&q=2019年扶贫专岗",
        None,
    )
    .await?;
    let hidden = found["projects"][0]["id"].as_i64().ok_or("project")?;
    assert_eq!(
        anonymous
            .get(app.url(&format!("/public/projects/{hidden}")))
            .send()
            .await?
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        anonymous
            .get(app.url(&format!("/api/v1/public/projects/{hidden}")))
            .send()
            .await?
            .status(),
        StatusCode::NOT_FOUND
    );

    // Only finance publishes; then the public sees the targets and results.
    let agency = app.token("agency").await?;
    let (status, _) = call(
        &app,
        &agency,
        Method::POST,
        "/api/v1/publications",
        Some(json!({"project_ids": [hidden], "published": true})),
    )
    .await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, changed) = call(
        &app,
        &finance,
        Method::POST,
        "/api/v1/publications",
        Some(json!({"project_ids": [hidden], "published": true})),
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["changed"], 1);
    let detail: Value = anonymous
        .get(app.url(&format!("/api/v1/public/projects/{hidden}")))
        .send()
        .await?
        .json()
        .await?;
    assert!(
        !detail["targets"]["indicators"]
            .as_array()
            .ok_or("indicators")?
            .is_empty()
    );
    assert!(detail["project"]["self_grade"].is_string());
    let page = anonymous
        .get(app.url(&format!("/public/projects/{hidden}")))
        .send()
        .await?
        .text()
        .await?;
    assert!(page.contains("绩效目标") && page.contains("单位自评得分"));
    let (_, _) = call(
        &app,
        &finance,
        Method::POST,
        "/api/v1/publications",
        Some(json!({"project_ids": [hidden], "published": false})),
    )
    .await?;
    assert_eq!(
        anonymous
            .get(app.url(&format!("/api/v1/public/projects/{hidden}")))
            .send()
            .await?
            .status(),
        StatusCode::NOT_FOUND
    );

    // An unapproved project cannot be published.
    let (_, drafts) = call(
        &app,
        &finance,
        Method::GET,
        "/api/v1/projects?year=2020&state=draft",
        None,
    )
    .await?;
    let draft = drafts["projects"][0]["id"].as_i64().ok_or("draft")?;
    let (status, refused) = call(
        &app,
        &finance,
        Method::POST,
        "/api/v1/publications",
        Some(json!({"project_ids": [draft], "published": true})),
    )
    .await?;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        refused["error"]["code"], "prerequisite_missing",
        "{refused}"
    );
    Ok(())
}

#[tokio::test]
async fn the_bulletin_prints_the_years_results_with_the_seal_area() -> TestResult {
    let app = TestApp::start_full().await?;
    let finance = app.signed_in("finance").await?;
    let (status, html) = finance.get("/evaluation/bulletin?year=2019").await?;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("乐陵市财政局<br>关于2019年度预算绩效评价结果的通报"));
    assert!(html.contains("纳入预算绩效管理的项目705个"));
    assert!(html.contains("涉及资金3,059.00万元"));
    assert!(html.contains("调减低效资金1,000.00万元"));
    for name in ["2019年公岗扶贫", "2019年农业综合开发", "2019年金亿奶牛养殖"] {
        assert!(html.contains(name), "{name}");
    }
    assert!(html.contains("（盖章）"));
    let anonymous = app.browser()?;
    let (status, _) = anonymous.get("/evaluation/bulletin?year=2019").await?;
    assert_eq!(status, StatusCode::SEE_OTHER, "signed-in users only");
    Ok(())
}
