//! Dynamic monitoring over the API as each role uses it: the county office screens (a township
//! may not) and matches a 医保 hospital list; the village opens a case from the clue and walks it
//! with the township and the office — a step by a role without it is 403, a short notice and an
//! early elimination are 422 with their codes; a plan charges an employment measure to a
//! project; a department reads but may not act.

use crate::support::{TestApp, TestResult, call};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn codes(body: &Value) -> Vec<String> {
    body["error"]["details"]
        .as_array()
        .map(|d| {
            d.iter()
                .filter_map(|e| e["code"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_clue_becomes_a_case_with_a_plan_over_the_api() -> TestResult {
    let app = TestApp::start_full().await?;
    let office = app.token("bangfu").await?;
    let cadre = app.token("cun").await?;
    let town = app.token("xiang").await?;
    let sector = app.token("minzheng").await?;
    let (_, own) = call(
        &app,
        &cadre,
        Method::GET,
        "/api/v1/households?per_page=3",
        None,
    )
    .await?;
    let a = own["households"][0]["id"].as_i64().ok_or("a household")?;
    let c = own["households"][2]["id"]
        .as_i64()
        .ok_or("a third household")?;
    for (year, wage) in [(2019, 3_000_000), (2020, 900_000)] {
        let (status, body) = call(
            &app,
            &cadre,
            Method::PUT,
            &format!("/api/v1/households/{a}/incomes/{year}"),
            Some(json!({"wage_fen": wage})),
        )
        .await?;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (status, _) = call(
        &app,
        &town,
        Method::POST,
        "/api/v1/screenings",
        Some(json!({"year": 2020})),
    )
    .await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, outcome) = call(
        &app,
        &office,
        Method::POST,
        "/api/v1/screenings",
        Some(json!({"year": 2020})),
    )
    .await?;
    assert_eq!(status, StatusCode::CREATED, "{outcome}");
    let clue = outcome["clues"]
        .as_array()
        .and_then(|l| l.iter().find(|c| c["household_id"] == a))
        .ok_or(format!("A's clue: {outcome}"))?;
    assert_eq!(clue["reasons"][0]["reason"], "income_under_line");
    let clue = clue["id"].as_i64().ok_or("clue id")?;

    // A 医保 list: the third household's member spent 23,500 元 in hospital.
    let (_, file) = call(
        &app,
        &office,
        Method::GET,
        &format!("/api/v1/households/{c}"),
        None,
    )
    .await?;
    let person = file["people"][0]["id"].as_i64().ok_or("a person")?;
    let (_, shown) = call(
        &app,
        &office,
        Method::POST,
        &format!("/api/v1/people/{person}/id-number"),
        None,
    )
    .await?;
    let id_number = shown["id_number"].as_str().ok_or("id number")?;
    let csv = format!(
        "证件号码,姓名,事由,住院日期,自付金额（元）\n{id_number},某某,住院自付,20200803,23500\n"
    );
    let response = reqwest::Client::new()
        .post(app.url("/api/v1/screenings/department-list?department=医保&year=2020"))
        .bearer_auth(&office)
        .body(csv)
        .send()
        .await?;
    assert_eq!(response.status(), StatusCode::CREATED);
    let listed: Value = response.json().await?;
    assert_eq!(listed["clues"][0]["household_id"], c, "{listed}");
    assert_eq!(
        listed["clues"][0]["reasons"][0]["reason"],
        "department_list"
    );

    // The case.
    let (status, file) = call(
        &app,
        &cadre,
        Method::POST,
        "/api/v1/risk-cases",
        Some(json!({"clue_id": clue, "case_type": "marginal", "risks": ["illness"]})),
    )
    .await?;
    assert_eq!(status, StatusCode::CREATED, "{file}");
    let id = file["case"]["id"].as_i64().ok_or("case id")?;
    let mut version = file["case"]["version"].as_i64().ok_or("version")?;
    let steps = format!("/api/v1/risk-cases/{id}/steps");
    macro_rules! take {
        ($token:expr, $body:expr $(,)?) => {{
            let (status, body) = call(&app, $token, Method::POST, &steps, Some($body)).await?;
            if status == StatusCode::OK {
                version = body["case"]["version"].as_i64().ok_or("version")?;
            }
            Ok::<_, Box<dyn std::error::Error>>((status, body))
        }};
    }
    let (status, _) = take!(&cadre, json!({"action": "verify", "version": version}))?;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = take!(&cadre, json!({"action": "compare", "version": version}))?;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "the village does not compare: {body}"
    );
    let (status, body) = take!(&sector, json!({"action": "compare", "version": version}))?;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, _) = take!(&town, json!({"action": "compare", "version": version}))?;
    assert_eq!(status, StatusCode::OK);
    let today = jixiao_store::demo::BUSINESS_DATE;
    let ago = |days: u64| (today - chrono::Days::new(days)).to_string();
    let (status, body) = take!(
        &cadre,
        json!({"action": "publicise", "version": version, "notice_from": ago(9), "notice_to": ago(7)}),
    )?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(codes(&body), ["notice_too_short"]);
    let (status, body) = take!(
        &cadre,
        json!({"action": "publicise", "version": version, "notice_from": ago(9), "notice_to": ago(5)}),
    )?;
    assert_eq!(status, StatusCode::OK, "{body}");
    for (token, action) in [
        (&town, "township_approve"),
        (&office, "county_approve"),
        (&office, "announce"),
    ] {
        let (status, body) = take!(
            token,
            json!({"action": action, "version": version, "note": "同意"})
        )?;
        assert_eq!(status, StatusCode::OK, "{action}: {body}");
    }
    let (status, body) = take!(
        &cadre,
        json!({"action": "propose_elimination", "version": version, "elimination_method": "assisted"}),
    )?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let refused = codes(&body);
    assert!(
        refused.contains(&"elimination_too_early".to_owned()),
        "{body}"
    );
    assert!(refused.contains(&"no_measure_done".to_owned()), "{body}");
    assert!(version > 1, "the version followed the steps");

    // The plan: an employment measure charged to a project of the library.
    let (_, projects) = call(&app, &office, Method::GET, "/api/v1/risk-cases", None).await?;
    assert_eq!(projects[0]["case"]["state"], "monitored");
    let project: i64 = app
        .db
        .store
        .chargeable_projects(
            &app.db
                .store
                .user(&jixiao_core::Actor::system(), "bangfu")
                .await?
                .actor(),
        )
        .await?
        .first()
        .map(|p| p.0)
        .ok_or("a project")?;
    let measure = json!({"kind": "employment", "description": "公益性岗位之外的就近务工",
        "responsible_unit": "市人社局", "start_on": "2021-01-01", "end_on": "2021-12-31",
        "amount_fen": 120000, "project_id": project, "status": "under_way"});
    let plan_path = format!("/api/v1/risk-cases/{id}/plan");
    let (status, _) = call(
        &app,
        &sector,
        Method::POST,
        &plan_path,
        Some(json!({"version": 0, "measures": [measure]})),
    )
    .await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, plan) = call(
        &app,
        &cadre,
        Method::POST,
        &plan_path,
        Some(json!({"version": 0, "measures": [measure]})),
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{plan}");
    assert_eq!(plan["version"], 1);
    let (status, plan) = call(&app, &sector, Method::GET, &plan_path, None).await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(plan["measures"][0]["project_id"], project);
    assert_eq!(
        app.db
            .store
            .households_with_measures_charged_to(project, 2021)
            .await?,
        [a]
    );
    let (_, clues) = call(
        &app,
        &cadre,
        Method::GET,
        "/api/v1/clues?status=in_case",
        None,
    )
    .await?;
    assert_eq!(clues.as_array().map(Vec::len), Some(1), "{clues}");
    let (_, document) = call(&app, &office, Method::GET, "/api/v1/openapi.json", None).await?;
    assert!(document["paths"]["/api/v1/risk-cases/{id}/steps"].is_object());
    Ok(())
}
