//! In-year monitoring over the API on the demo: a round, reports, alerts, the decision deadline
//! that stops payments, and the decision that lets them flow again.

use crate::support::{TestApp, TestResult, call, project_named};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn pay(
    app: &TestApp,
    token: &str,
    project: i64,
    request_id: &str,
) -> Result<(StatusCode, Value), reqwest::Error> {
    call(
        app,
        token,
        Method::POST,
        "/api/v1/payments",
        Some(
            json!({"request_id": request_id, "project_id": project, "amount_fen": 100_000,
            "payee": "乐陵市妇幼保健院", "purpose": "项目支出"}),
        ),
    )
    .await
}

#[tokio::test]
async fn slow_spending_raises_a_red_alert_and_an_undecided_one_stops_payments() -> TestResult {
    let app = TestApp::start_full().await?;
    let finance = app.token("finance").await?;
    let agency = app.token("agency").await?;
    let project = project_named(&app, &finance, 2020, "2020年妇幼健康服务").await?;

    let round = json!({"year": 2020, "cutoff": "2020-06-30", "due": "2020-07-10", "scope": "all"});
    let (status, created) = call(
        &app,
        &finance,
        Method::POST,
        "/api/v1/monitoring-rounds",
        Some(round.clone()),
    )
    .await?;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_i64().ok_or("round id")?;
    let (status, again) = call(
        &app,
        &finance,
        Method::POST,
        "/api/v1/monitoring-rounds",
        Some(round),
    )
    .await?;
    assert_eq!(status, StatusCode::CONFLICT, "same cut-off twice: {again}");
    let (status, _) = call(
        &app,
        &agency,
        Method::POST,
        "/api/v1/monitoring-rounds",
        Some(json!({"year": 2020, "cutoff": "2020-05-31", "due": "2020-06-10", "scope": "all"})),
    )
    .await?;
    assert_eq!(status, StatusCode::FORBIDDEN, "agencies do not open rounds");

    // The budget block comes from the ledger: 10% paid by 30 June.
    let (status, report) = call(
        &app,
        &agency,
        Method::GET,
        &format!("/api/v1/monitoring-rounds/{id}/reports/{project}"),
        None,
    )
    .await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (report["limit_fen"].as_i64(), report["spent_fen"].as_i64()),
        (Some(300_000_000), Some(30_000_000))
    );
    assert_eq!(report["execution_bp"], 1_000);

    let (status, evaluation) = call(
        &app,
        &finance,
        Method::POST,
        &format!("/api/v1/monitoring-rounds/{id}/evaluate?as_of=2020-07-01"),
        None,
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{evaluation}");
    let (_, alerts) = call(
        &app,
        &finance,
        Method::GET,
        &format!("/api/v1/monitoring-rounds/{id}/alerts"),
        None,
    )
    .await?;
    let alert = alerts
        .as_array()
        .ok_or("alerts")?
        .iter()
        .find(|a| a["project_id"] == project)
        .ok_or("an alert on the slow project")?
        .clone();
    assert_eq!(alert["level"], "red");
    assert_eq!(
        alert["reasons"][0],
        "截至2020年6月30日预算执行率10.00%，低于6月末应达到的40%"
    );
    // 1 July 2020 + 10 working days (no holiday in between) = 15 July.
    assert_eq!(alert["deadline"], "2020-07-15");
    let alert_id = alert["id"].as_i64().ok_or("alert id")?;

    // On the deadline itself nothing stops; the day after, payments stop.
    let (_, enforced) = call(
        &app,
        &finance,
        Method::POST,
        &format!("/api/v1/monitoring-rounds/{id}/enforce?as_of=2020-07-15"),
        None,
    )
    .await?;
    assert_eq!(enforced["suspended_alerts"], json!([]));
    assert_eq!(
        pay(&app, &finance, project, "MON-1").await?.0,
        StatusCode::CREATED
    );
    let (_, enforced) = call(
        &app,
        &finance,
        Method::POST,
        &format!("/api/v1/monitoring-rounds/{id}/enforce?as_of=2020-07-16"),
        None,
    )
    .await?;
    assert!(
        enforced["suspended_alerts"]
            .as_array()
            .ok_or("list")?
            .contains(&json!(alert_id))
    );
    let (_, again) = call(
        &app,
        &finance,
        Method::POST,
        &format!("/api/v1/monitoring-rounds/{id}/enforce?as_of=2020-07-17"),
        None,
    )
    .await?;
    assert!(
        !again["suspended_alerts"]
            .as_array()
            .ok_or("list")?
            .contains(&json!(alert_id)),
        "once only"
    );
    let (status, refused) = pay(&app, &finance, project, "MON-2").await?;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(refused["error"]["code"], "allotment_suspended");
    assert!(
        refused["error"]["message"]
            .as_str()
            .ok_or("message")?
            .contains("监控预警未处置")
    );

    // Wrong roles and wrong actions change nothing.
    let viewer = app.token("viewer").await?;
    let decision = format!("/api/v1/alerts/{alert_id}/decision");
    let (status, _) = call(
        &app,
        &viewer,
        Method::POST,
        &decision,
        Some(json!({"action": "continue", "comment": "x"})),
    )
    .await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = call(
        &app,
        &agency,
        Method::POST,
        &decision,
        Some(json!({"action": "confirm"})),
    )
    .await?;
    assert_eq!(status, StatusCode::FORBIDDEN, "agencies do not confirm");
    let (status, refused) = call(
        &app,
        &finance,
        Method::POST,
        &decision,
        Some(json!({"action": "confirm"})),
    )
    .await?;
    assert_eq!(status, StatusCode::CONFLICT, "nothing proposed yet");
    assert_eq!(refused["error"]["code"], "invalid_transition", "{refused}");
    let (status, body) = call(
        &app,
        &agency,
        Method::POST,
        &decision,
        Some(json!({"action": "adjust", "comment": "招标延后"})),
    )
    .await?;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "adjust needs money back or new targets: {body}"
    );

    // The agency proposes to adjust, giving 50万元 back; finance confirms.
    let (status, proposed) = call(&app, &agency, Method::POST, &decision,
        Some(json!({"action": "adjust", "comment": "上半年招标延后，收回50万元并调整目标", "recover_fen": 50_000_000, "revise_targets": true}))).await?;
    assert_eq!(status, StatusCode::OK, "{proposed}");
    assert_eq!(proposed["alert"]["status"], "proposed");
    let (status, decided) = call(
        &app,
        &finance,
        Method::POST,
        &decision,
        Some(json!({"action": "confirm", "comment": "同意"})),
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{decided}");
    assert_eq!(decided["alert"]["status"], "decided");
    assert_eq!(decided["decisions"][0]["status"], "confirmed");
    let (_, allotment) = call(
        &app,
        &finance,
        Method::GET,
        &format!("/api/v1/projects/{project}/allotment"),
        None,
    )
    .await?;
    assert_eq!(
        allotment["limit_fen"], 250_000_000,
        "the money given back is a recovery"
    );
    assert_eq!(allotment["suspended"], false);
    let (_, ledger) = call(
        &app,
        &finance,
        Method::GET,
        &format!("/api/v1/projects/{project}/ledger"),
        None,
    )
    .await?;
    let kinds: Vec<&str> = ledger
        .as_array()
        .ok_or("ledger")?
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    assert!(
        kinds.ends_with(&["suspend", "recovery", "resume"]),
        "{kinds:?}"
    );
    let (_, shown) = call(
        &app,
        &agency,
        Method::GET,
        &format!("/api/v1/projects/{project}"),
        None,
    )
    .await?;
    assert_eq!(
        shown["state"], "draft",
        "revised targets go through review again: {shown}"
    );
    assert_eq!(
        shown["reviews"]
            .as_array()
            .and_then(|r| r.last())
            .map(|r| r["action"].clone()),
        Some(json!("revise"))
    );
    assert_eq!(
        pay(&app, &finance, project, "MON-3").await?.0,
        StatusCode::CREATED,
        "payments flow again"
    );
    Ok(())
}

#[tokio::test]
async fn reports_are_checked_by_row_and_kept_to_their_agency() -> TestResult {
    let app = TestApp::start_full().await?;
    let finance = app.token("finance").await?;
    let agency = app.token("agency").await?;
    let canlian = app.token("canlian").await?;
    let project = project_named(&app, &finance, 2020, "2020年艾滋病防治").await?;
    let (_, created) = call(&app, &finance, Method::POST, "/api/v1/monitoring-rounds",
        Some(json!({"year": 2020, "cutoff": "2020-08-31", "due": "2020-09-10", "scope": "selected", "project_ids": [project]}))).await?;
    let id = created["id"].as_i64().ok_or("round id")?;
    let path = format!("/api/v1/monitoring-rounds/{id}/reports/{project}");
    let (_, report) = call(&app, &agency, Method::GET, &path, None).await?;
    let rows = report["rows"].as_array().ok_or("rows")?.len();
    assert!(rows >= 3);
    assert_eq!(
        report["execution_bp"], 3_500,
        "35% paid by the end of August"
    );

    // Another agency's project, and a project outside the round: not found.
    let (status, _) = call(&app, &canlian, Method::GET, &path, None).await?;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let other = project_named(&app, &finance, 2020, "2020年妇幼健康服务").await?;
    let (status, _) = call(
        &app,
        &agency,
        Method::PUT,
        &format!("/api/v1/monitoring-rounds/{id}/reports/{other}"),
        Some(json!({"version": 1, "rows": []})),
    )
    .await?;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A word where a number belongs: 422 naming the row; nothing stored.
    let (status, body) = call(&app, &agency, Method::PUT, &path,
        Some(json!({"version": report["version"], "rows": [{"row_no": 1, "reached": "一半", "outlook": "能"}]}))).await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["error"]["details"][0]["message"]
            .as_str()
            .ok_or("row message")?
            .starts_with("第1行")
    );
    let (_, unchanged) = call(&app, &agency, Method::GET, &path, None).await?;
    assert_eq!(unchanged["version"], report["version"]);
    assert_eq!(unchanged["state"], "pending");

    // Half the rows: saved as a draft, but not complete enough to submit.
    let (status, saved) = call(&app, &agency, Method::PUT, &path,
        Some(json!({"version": report["version"], "rows": [{"row_no": 1, "reached": "100", "expected": "200", "outlook": "不能"}]}))).await?;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let (status, body) = call(
        &app,
        &agency,
        Method::POST,
        &format!("{path}/submit"),
        Some(json!({"version": saved["version"]})),
    )
    .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let messages = body["error"]["details"].to_string();
    assert!(
        messages.contains("请选择偏差原因类别") && messages.contains("第2行"),
        "{messages}"
    );
    // A stale version is refused.
    let (status, _) = call(
        &app,
        &agency,
        Method::PUT,
        &path,
        Some(json!({"version": report["version"], "rows": []})),
    )
    .await?;
    assert_eq!(status, StatusCode::CONFLICT);

    // Complete, submitted, evaluated: 不能 is a red reason of its own.
    let full: Vec<Value> = (1..=rows).map(|n| if n == 1 {
        json!({"row_no": 1, "reached": "100", "expected": "200", "outlook": "不能", "cause": "经费保障",
            "explanation": "试剂到货延迟", "measures": "追加筛查批次"})
    } else {
        json!({"row_no": n, "reached": "95", "expected": "95", "outlook": "能"})
    }).collect();
    let (status, saved) = call(
        &app,
        &agency,
        Method::PUT,
        &path,
        Some(json!({"version": saved["version"], "rows": full})),
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let (status, submitted) = call(
        &app,
        &agency,
        Method::POST,
        &format!("{path}/submit"),
        Some(json!({"version": saved["version"]})),
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{submitted}");
    assert_eq!(submitted["state"], "submitted");
    let (status, _) = call(
        &app,
        &agency,
        Method::PUT,
        &path,
        Some(json!({"version": submitted["version"], "rows": []})),
    )
    .await?;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "a submitted report is closed to the agency"
    );
    call(
        &app,
        &finance,
        Method::POST,
        &format!("/api/v1/monitoring-rounds/{id}/evaluate?as_of=2020-09-01"),
        None,
    )
    .await?;
    let (_, alerts) = call(
        &app,
        &finance,
        Method::GET,
        &format!("/api/v1/monitoring-rounds/{id}/alerts"),
        None,
    )
    .await?;
    let reasons = alerts[0]["reasons"].to_string();
    assert!(reasons.contains("全年目标不能完成"), "{reasons}");
    assert!(reasons.contains("低于8月末应达到的60%"), "{reasons}");
    Ok(())
}
