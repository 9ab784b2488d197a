//! 核查问题整改 over the API: the county office assigns a run's findings, the village answers
//! one of its own (a stale version is 409, a review by the village 403), the office accepts it
//! and the finding is settled.

use crate::support::{TestApp, TestResult, call};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn a_finding_goes_round_over_the_api() -> TestResult {
    let app = TestApp::start().await?;
    jixiao_store::demo::registry::load(&app.db.store).await?;
    let office = app.token("bangfu").await?;
    let cadre = app.token("cun").await?;
    let (status, run) = call(
        &app,
        &office,
        Method::POST,
        "/api/v1/policy-checks",
        Some(json!({"as_of": "2020-12-31"})),
    )
    .await?;
    assert_eq!(status, StatusCode::CREATED, "{run}");
    let run = run["id"].as_i64().ok_or("run id")?;
    let deadline = (jixiao_core::time::today() + chrono::Days::new(10)).to_string();
    let (status, body) = call(
        &app,
        &cadre,
        Method::POST,
        &format!("/api/v1/policy-checks/{run}/assign"),
        Some(json!({"deadline": deadline})),
    )
    .await?;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, body) = call(
        &app,
        &office,
        Method::POST,
        &format!("/api/v1/policy-checks/{run}/assign"),
        Some(json!({"deadline": deadline})),
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["assigned"].as_i64().unwrap_or(0) > 0);

    let (_, list) = call(
        &app,
        &cadre,
        Method::GET,
        &format!("/api/v1/policy-checks/{run}/findings?per_page=1"),
        None,
    )
    .await?;
    let id = list["findings"][0]["id"]
        .as_i64()
        .ok_or(format!("a finding: {list}"))?;
    let (status, case) = call(
        &app,
        &cadre,
        Method::GET,
        &format!("/api/v1/findings/{id}"),
        None,
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{case}");
    assert_eq!(case["rectification"]["state"], "assigned");
    let version = case["rectification"]["version"].as_i64().ok_or("version")?;
    let answer = |v: i64| json!({"version": v, "answer": "已核实并补录", "evidence": "核实表"});
    let (status, _) = call(
        &app,
        &cadre,
        Method::POST,
        &format!("/api/v1/findings/{id}/answer"),
        Some(answer(version + 1)),
    )
    .await?;
    assert_eq!(status, StatusCode::CONFLICT, "a stale version");
    let (status, case) = call(
        &app,
        &cadre,
        Method::POST,
        &format!("/api/v1/findings/{id}/answer"),
        Some(answer(version)),
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{case}");
    assert_eq!(case["rectification"]["state"], "answered");
    let (status, _) = call(
        &app,
        &cadre,
        Method::POST,
        &format!("/api/v1/findings/{id}/review"),
        Some(json!({"accept": true})),
    )
    .await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, case) = call(
        &app,
        &office,
        Method::POST,
        &format!("/api/v1/findings/{id}/review"),
        Some(json!({"accept": true})),
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{case}");
    assert_eq!(case["finding"]["status"], "accepted");
    Ok(())
}
