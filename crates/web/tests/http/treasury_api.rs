//! The treasury interconnection over the API, as the treasury payment system uses it.

use crate::support::{TestApp, TestResult, call};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn the_treasury_pays_against_approved_allotments_exactly_once() -> TestResult {
    let app = TestApp::start_full().await?;
    let treasury = app.token("finance").await?;
    use reqwest::Method;
    let (_, list) = call(
        &app,
        &treasury,
        Method::GET,
        "/api/v1/projects?year=2019&q=2019年扶贫专岗",
        None,
    )
    .await?;
    let project = list["projects"]
        .as_array()
        .ok_or("projects")?
        .iter()
        .find(|p| p["name"] == "2019年扶贫专岗")
        .ok_or("the demo has 2019年扶贫专岗")?
        .clone();
    let id = project["id"].as_i64().ok_or("project")?;
    let (status, allotment) = call(
        &app,
        &treasury,
        Method::GET,
        &format!("/api/v1/projects/{id}/allotment"),
        None,
    )
    .await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(allotment["limit_fen"], project["approved_fen"]);
    assert_eq!(
        allotment["execution_rate"], "62.00%",
        "a slow project in the demo"
    );
    let available = allotment["available_fen"].as_i64().ok_or("available")?;

    // Over the available amount: refused, and told what is available.
    let over = json!({"request_id": "GK-T-1", "project_id": id, "amount_fen": available + 1, "payee": "乐陵经济技术开发区", "purpose": "扶贫专岗补贴"});
    let (status, body) = call(
        &app,
        &treasury,
        Method::POST,
        "/api/v1/payments",
        Some(over),
    )
    .await?;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "insufficient_funds");
    assert_eq!(body["error"]["details"][0]["available_fen"], available);

    // Paid once, however often it is sent.
    let payment = json!({"request_id": "GK-T-2", "project_id": id, "amount_fen": 1_000_000, "payee": "乐陵经济技术开发区", "purpose": "岗位补贴", "paid_on": "2019-12-20"});
    let (status, first) = call(
        &app,
        &treasury,
        Method::POST,
        "/api/v1/payments",
        Some(payment.clone()),
    )
    .await?;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert_eq!(first["status"], "paid");
    let (status, again) = call(
        &app,
        &treasury,
        Method::POST,
        "/api/v1/payments",
        Some(payment.clone()),
    )
    .await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again, first);
    let mut changed = payment.clone();
    changed["amount_fen"] = json!(2_000_000);
    let (status, body) = call(
        &app,
        &treasury,
        Method::POST,
        "/api/v1/payments",
        Some(changed),
    )
    .await?;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("request_id_conflict"))
    );
    let (_, after) = call(
        &app,
        &treasury,
        Method::GET,
        &format!("/api/v1/projects/{id}/allotment"),
        None,
    )
    .await?;
    assert_eq!(after["available_fen"].as_i64(), Some(available - 1_000_000));

    // Suspended: refused with the reason, until lifted.
    let (status, _) = call(
        &app,
        &treasury,
        Method::POST,
        &format!("/api/v1/projects/{id}/allotment/suspension"),
        Some(json!({"suspended": true, "reason": "监控预警未处置"})),
    )
    .await?;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = call(
        &app,
        &treasury,
        Method::POST,
        "/api/v1/payments",
        Some(json!({"request_id": "GK-T-3", "project_id": id, "amount_fen": 100})),
    )
    .await?;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("allotment_suspended"))
    );
    assert_eq!(body["error"]["details"][0]["reason"], "监控预警未处置");
    call(
        &app,
        &treasury,
        Method::POST,
        &format!("/api/v1/projects/{id}/allotment/suspension"),
        Some(json!({"suspended": false})),
    )
    .await?;

    // A batch: every item gets its own result; the bad one fails no other.
    let batch = json!({"items": [
        {"request_id": "GK-B-1", "project_id": id, "amount_fen": 100},
        {"request_id": "GK-B-2", "project_id": id, "amount_fen": 1_000_000_000},
        {"request_id": "GK-B-3", "code": project["code"], "amount_fen": 200},
        {"request_id": "GK-T-2", "project_id": id, "amount_fen": 1_000_000, "payee": "乐陵经济技术开发区", "purpose": "岗位补贴", "paid_on": "2019-12-20"}
    ]});
    let (status, result) = call(
        &app,
        &treasury,
        Method::POST,
        "/api/v1/payments/batch",
        Some(batch),
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{result}");
    assert_eq!(
        (
            result["accepted"].as_i64(),
            result["replayed"].as_i64(),
            result["refused"].as_i64()
        ),
        (Some(2), Some(1), Some(1))
    );
    assert_eq!(result["results"][1]["status"], 409);
    assert_eq!(result["results"][1]["error"]["code"], "insufficient_funds");
    assert_eq!(result["results"][3]["status"], 200);

    // Only finance speaks for the treasury; everyone who reads sees execution.
    let agency = app.token("agency").await?;
    let (status, _) = call(
        &app,
        &agency,
        Method::POST,
        "/api/v1/payments",
        Some(json!({"request_id": "X", "project_id": id, "amount_fen": 1})),
    )
    .await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, execution) = call(
        &app,
        &treasury,
        Method::GET,
        "/api/v1/stats/execution?year=2019",
        None,
    )
    .await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(execution[0]["name"], "合计");
    assert_eq!(execution[0]["limit_fen"], 273_180_480_000_i64);
    let (_, payments) = call(
        &app,
        &treasury,
        Method::GET,
        &format!("/api/v1/payments?project_id={id}"),
        None,
    )
    .await?;
    assert!(payments["total"].as_i64().unwrap_or(0) >= 3);
    Ok(())
}
