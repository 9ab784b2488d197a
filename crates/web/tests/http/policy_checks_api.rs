//! The coverage check (政策落实核查) over the API: the county office starts a run and reads its
//! counts and findings; a village cadre may not start one and reads only its village's findings;
//! an unknown run is "not found"; ID numbers never appear in findings.

use crate::support::{TestApp, TestResult, call};
use jixiao_core::Actor;
use jixiao_store::AuditFilter;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const VILLAGE: &str = "371481101201";

async fn get(
    app: &TestApp,
    token: &str,
    path: &str,
) -> Result<(StatusCode, Value), Box<dyn std::error::Error>> {
    Ok(call(app, token, Method::GET, path, None).await?)
}

#[tokio::test]
async fn the_county_office_runs_a_check_and_each_reader_sees_its_scope() -> TestResult {
    let app = TestApp::start().await?;
    jixiao_store::demo::registry::load(&app.db.store).await?;
    let office = app.token("bangfu").await?;
    let cun = app.token("cun").await?;

    let (status, body) = call(
        &app,
        &office,
        Method::POST,
        "/api/v1/policy-checks",
        Some(json!({"as_of": "2020-12-31"})),
    )
    .await?;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let run = body["id"].as_i64().ok_or("no run id")?;

    let (status, summary) = get(&app, &office, &format!("/api/v1/policy-checks/{run}")).await?;
    assert_eq!(status, StatusCode::OK, "{summary}");
    assert_eq!(summary["run"]["households"], 225);
    assert_eq!(summary["run"]["as_of"], "2020-12-31");
    assert_eq!(summary["run"]["started_by"], "bangfu");
    let open = summary["total"]["open"].as_i64().ok_or("no total")?;
    assert!(open > 0);
    assert_eq!(summary["by_township"].as_array().map(Vec::len), Some(15));
    assert!(
        summary["by_kind"]
            .as_array()
            .ok_or("no kinds")?
            .iter()
            .any(|k| k["label"] == "应享未享")
    );

    let (status, page) = get(
        &app,
        &office,
        &format!("/api/v1/policy-checks/{run}/findings?per_page=5&status=open"),
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["total"].as_i64(), Some(open));
    assert_eq!(page["findings"].as_array().map(Vec::len), Some(5));

    // The village cadre: no run of its own, its village's findings only.
    let (status, body) = call(
        &app,
        &cun,
        Method::POST,
        "/api/v1/policy-checks",
        Some(json!({})),
    )
    .await?;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "forbidden");
    let (status, own) = get(
        &app,
        &cun,
        &format!("/api/v1/policy-checks/{run}/findings?per_page=200"),
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{own}");
    let rows = own["findings"].as_array().ok_or("no findings")?;
    assert!(!rows.is_empty());
    assert_eq!(own["total"].as_i64(), i64::try_from(rows.len()).ok());
    assert!(own["total"].as_i64() < Some(open));
    assert!(rows.iter().all(|f| f["village_code"] == VILLAGE), "{own}");
    let (status, summary) = get(&app, &cun, &format!("/api/v1/policy-checks/{run}")).await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(summary["total"]["open"], own["total"]);

    // People are store ids; their ID numbers are nowhere in the findings.
    let person = rows
        .iter()
        .find_map(|f| f["person_ids"][0].as_i64())
        .ok_or("a person's finding")?;
    let (status, shown) = call(
        &app,
        &office,
        Method::POST,
        &format!("/api/v1/people/{person}/id-number"),
        None,
    )
    .await?;
    assert_eq!(status, StatusCode::OK);
    let full = shown["id_number"].as_str().ok_or("no number")?;
    assert!(!own.to_string().contains(full));

    // Unknown runs, unknown townships, other roles.
    for path in [
        "/api/v1/policy-checks/999999",
        "/api/v1/policy-checks/999999/findings",
    ] {
        let (status, body) = get(&app, &office, path).await?;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        assert_eq!(body["error"]["code"], "not_found");
    }
    let (status, body) = call(
        &app,
        &office,
        Method::POST,
        "/api/v1/policy-checks",
        Some(json!({"township": VILLAGE})),
    )
    .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = get(
        &app,
        &office,
        &format!("/api/v1/policy-checks/{run}/findings?status=gone"),
    )
    .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let finance = app.token("finance").await?;
    let (status, _) = get(&app, &finance, &format!("/api/v1/policy-checks/{run}")).await?;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // One audit record per run.
    let page = app
        .db
        .store
        .audit_log(
            &Actor::system(),
            &AuditFilter {
                actor: Some("bangfu".to_owned()),
                ..AuditFilter::default()
            },
            1,
            500,
        )
        .await?;
    let runs = page
        .records
        .iter()
        .filter(|r| r.action == "policy_check.run")
        .count();
    assert_eq!(runs, 1);
    Ok(())
}
