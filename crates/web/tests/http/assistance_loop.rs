//! The assistance loop end to end over HTTP (issue 19, what it must show): a 医保 hospital list
//! marks a household; the clue becomes a case that walks the identification pipeline with its
//! notice period; its plan charges an employment measure to the 2020 monitoring-assistance
//! project; the helper visits; elimination is refused before six months and allowed after, once
//! the measure is carried out and the income is above the line; the project's bound indicators
//! show the right values in the monitoring report and in the self-evaluation. The days are the
//! bureau's business date, moved on as the months pass.

use crate::support::{TestApp, TestResult, call};
use chrono::NaiveDate;
use jixiao_core::Actor;
use reqwest::multipart::{Form, Part};
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

/// A real 2×2 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02, 0x08, 0x02, 0x00, 0x00, 0x00, 0xfd, 0xd4, 0x9a,
    0x73, 0x00, 0x00, 0x00, 0x10, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xc0,
    0x00, 0xc2, 0x10, 0x02, 0x00, 0x1c, 0xf2, 0x02, 0xfe, 0x74, 0x7a, 0x0a, 0x17, 0x00, 0x00, 0x00,
    0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

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

fn day(text: &str) -> Result<NaiveDate, chrono::ParseError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
}

async fn business_date(app: &TestApp, on: &str) -> TestResult {
    app.db
        .store
        .set_business_date(&Actor::system(), jixiao_store::demo::LELING, Some(day(on)?))
        .await?;
    Ok(())
}

#[tokio::test]
async fn a_hospital_list_to_an_eliminated_risk_and_a_bound_indicator() -> TestResult {
    let app = TestApp::start_full().await?;
    let office = app.token("bangfu").await?;
    let cadre = app.token("cun").await?;
    let town = app.token("xiang").await?;
    let helper = app.token("bangfuren").await?;
    let finance = app.token("finance").await?;
    let agency_office = "乐陵市扶贫开发领导小组办公室";
    business_date(&app, "2020-03-02").await?;

    // A household of the helper in the cadre's village.
    let (_, mine) = call(
        &app,
        &helper,
        Method::GET,
        "/api/v1/households?per_page=50",
        None,
    )
    .await?;
    let (_, village) = call(
        &app,
        &cadre,
        Method::GET,
        "/api/v1/households?per_page=500",
        None,
    )
    .await?;
    let ids = |list: &Value| -> Vec<i64> {
        list["households"]
            .as_array()
            .map(|l| l.iter().filter_map(|h| h["id"].as_i64()).collect())
            .unwrap_or_default()
    };
    let in_village = ids(&village);
    let household = ids(&mine)
        .into_iter()
        .find(|h| in_village.contains(h))
        .ok_or("a household of the helper in the cadre's village")?;

    // 医保's list: one of its members paid 23,500 元 in hospital.
    let (_, file) = call(
        &app,
        &office,
        Method::GET,
        &format!("/api/v1/households/{household}"),
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
        "证件号码,姓名,事由,住院日期,自付金额（元）\n{id_number},某某,住院自付,20200220,23500\n"
    );
    let response = Client::new()
        .post(app.url("/api/v1/screenings/department-list?department=医保&year=2019"))
        .bearer_auth(&office)
        .body(csv)
        .send()
        .await?;
    assert_eq!(response.status(), StatusCode::CREATED);
    let listed: Value = response.json().await?;
    let clue = listed["clues"]
        .as_array()
        .and_then(|l| l.iter().find(|c| c["household_id"] == household))
        .ok_or(format!("the household's clue: {listed}"))?;
    assert_eq!(clue["raised_on"], "2020-03-02");

    // The case walks identification; a notice shorter than the rulebook's 5 days is refused.
    let (status, opened) = call(
        &app,
        &cadre,
        Method::POST,
        "/api/v1/risk-cases",
        Some(json!({"clue_id": clue["id"], "case_type": "sudden_hardship", "risks": ["illness"]})),
    )
    .await?;
    assert_eq!(status, StatusCode::CREATED, "{opened}");
    let case = opened["case"]["id"].as_i64().ok_or("case")?;
    let mut version = opened["case"]["version"].as_i64().ok_or("version")?;
    let steps = format!("/api/v1/risk-cases/{case}/steps");
    macro_rules! take {
        ($token:expr, $body:expr $(,)?) => {{
            let mut body: Value = $body;
            body["version"] = json!(version);
            let (status, answer) = call(&app, $token, Method::POST, &steps, Some(body)).await?;
            if status == StatusCode::OK {
                version = answer["case"]["version"].as_i64().ok_or("version")?;
            }
            (status, answer)
        }};
    }
    let (status, _) = take!(&cadre, json!({"action": "verify"}));
    assert_eq!(status, StatusCode::OK);
    let (status, _) = take!(&town, json!({"action": "compare"}));
    assert_eq!(status, StatusCode::OK);
    let (status, refused) = take!(
        &cadre,
        json!({"action": "publicise", "notice_from": "2020-03-03", "notice_to": "2020-03-05"}),
    );
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(codes(&refused), ["notice_too_short"]);
    let (status, answer) = take!(
        &cadre,
        json!({"action": "publicise", "notice_from": "2020-03-03", "notice_to": "2020-03-07"}),
    );
    assert_eq!(status, StatusCode::OK, "{answer}");
    let (status, refused) = take!(&town, json!({"action": "township_approve"}));
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the notice is running"
    );
    assert_eq!(codes(&refused), ["notice_running"]);
    business_date(&app, "2020-03-09").await?;
    for (token, action) in [
        (&town, "township_approve"),
        (&office, "county_approve"),
        (&office, "announce"),
    ] {
        let (status, answer) = take!(token, json!({"action": action, "note": "同意"}));
        assert_eq!(status, StatusCode::OK, "{action}: {answer}");
    }
    assert_eq!(
        app.db
            .store
            .risk_case(
                &app.db.store.user(&Actor::system(), "bangfu").await?.actor(),
                case,
                day("2020-03-09")?
            )
            .await?
            .case
            .included_on
            .as_deref(),
        Some("2020-03-09")
    );

    // The plan: an employment measure charged to the 2020 monitoring-assistance project, whose
    // rows 1 (households with measures) and 2 (… employment) the demo binds to the plans.
    let (_, found) = call(
        &app,
        &finance,
        Method::GET,
        "/api/v1/projects?year=2020&search=防止返贫动态监测帮扶",
        None,
    )
    .await?;
    let project = found["projects"][0]["id"].as_i64().ok_or("the project")?;
    assert_eq!(found["projects"][0]["agency_name"], agency_office);
    let measure = |status: &str| {
        json!({"kind": "employment", "description": "推荐到县城工业园务工",
               "responsible_unit": "杨安镇人民政府", "start_on": "2020-03-10",
               "end_on": "2020-12-31", "amount_fen": 150_000, "project_id": project,
               "status": status})
    };
    let plan = format!("/api/v1/risk-cases/{case}/plan");
    let (status, saved) = call(
        &app,
        &cadre,
        Method::POST,
        &plan,
        Some(json!({"version": 0, "measures": [measure("under_way")]})),
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{saved}");

    // The helper visits twice in March, with a photo.
    business_date(&app, "2020-03-31").await?;
    for on in ["2020-03-15", "2020-03-28"] {
        let visit = json!({"household_id": household, "visited_on": on,
            "people_met": "户主", "problems": [], "actions": "了解务工情况"});
        let form = Form::new()
            .text("visit", visit.to_string())
            .part("evidence", Part::bytes(PNG.to_vec()).file_name("门前.png"));
        let response = Client::new()
            .post(app.url("/api/v1/visits"))
            .bearer_auth(&helper)
            .multipart(form)
            .send()
            .await?;
        assert_eq!(response.status(), StatusCode::CREATED, "{on}");
    }
    let (_, visits) = call(&app, &office, Method::GET, "/api/v1/visits", None).await?;
    let visited = visits
        .as_array()
        .ok_or("visits")?
        .iter()
        .filter(|v| {
            v["household_id"] == household
                && v["visited_on"]
                    .as_str()
                    .is_some_and(|d| d.starts_with("2020-03"))
                && v["evidence"] == 1
        })
        .count();
    assert_eq!(visited, 2, "{visits}");

    // Too early: three months in, with the measure under way.
    business_date(&app, "2020-06-10").await?;
    let (status, refused) = take!(
        &cadre,
        json!({"action": "propose_elimination", "elimination_method": "assisted"}),
    );
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let refused = codes(&refused);
    assert!(refused.contains(&"elimination_too_early".to_owned()));
    assert!(refused.contains(&"no_measure_done".to_owned()));

    // Six months on: the measure carried out, the income above the line.
    business_date(&app, "2020-09-14").await?;
    let (status, saved) = call(
        &app,
        &cadre,
        Method::POST,
        &plan,
        Some(json!({"version": 1, "measures": [measure("done")]})),
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let (status, income) = call(
        &app,
        &cadre,
        Method::PUT,
        &format!("/api/v1/households/{household}/incomes/2020"),
        Some(json!({"wage_fen": 9_000_000})),
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{income}");
    let (status, answer) = take!(
        &cadre,
        json!({"action": "propose_elimination", "elimination_method": "assisted"}),
    );
    assert_eq!(status, StatusCode::OK, "{answer}");
    for (token, action) in [(&cadre, "verify"), (&town, "compare")] {
        let (status, answer) = take!(token, json!({"action": action}));
        assert_eq!(status, StatusCode::OK, "{action}: {answer}");
    }
    let (status, answer) = take!(
        &cadre,
        json!({"action": "publicise", "notice_from": "2020-09-15", "notice_to": "2020-09-20"}),
    );
    assert_eq!(status, StatusCode::OK, "{answer}");
    business_date(&app, "2020-09-22").await?;
    for (token, action) in [
        (&town, "township_approve"),
        (&office, "county_approve"),
        (&office, "announce"),
    ] {
        let (status, answer) = take!(token, json!({"action": action, "note": "同意"}));
        assert_eq!(status, StatusCode::OK, "{action}: {answer}");
    }
    let (_, file) = call(
        &app,
        &office,
        Method::GET,
        &format!("/api/v1/risk-cases/{case}"),
        None,
    )
    .await?;
    assert_eq!(file["case"]["state"], "eliminated", "{file}");
    assert_eq!(file["case"]["eliminated_on"], "2020-09-22");

    // The bound indicators: one household with a measure, one with employment, in the
    // September monitoring report and in the self-evaluation.
    business_date(&app, "2020-10-01").await?;
    let (status, round) = call(
        &app,
        &finance,
        Method::POST,
        "/api/v1/monitoring-rounds",
        Some(
            json!({"year": 2020, "cutoff": "2020-09-30", "due": "2020-10-10",
                    "scope": "selected", "project_ids": [project]}),
        ),
    )
    .await?;
    assert_eq!(status, StatusCode::CREATED, "{round}");
    let (status, report) = call(
        &app,
        &finance,
        Method::GET,
        &format!(
            "/api/v1/monitoring-rounds/{}/reports/{project}",
            round["id"].as_i64().ok_or("round")?
        ),
        None,
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{report}");
    for row in [0, 1] {
        assert_eq!(report["rows"][row]["computed"]["value"], 1, "{report}");
        assert_eq!(report["rows"][row]["entry"]["reached"], "1");
    }
    let (status, sheet) = call(
        &app,
        &finance,
        Method::GET,
        &format!("/api/v1/projects/{project}/self-evaluation"),
        None,
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{sheet}");
    let employment = sheet["computed"]
        .as_array()
        .and_then(|c| c.iter().find(|v| v["row_no"] == 2))
        .ok_or(format!("row 2 computed: {sheet}"))?;
    assert_eq!(employment["value"], 1);
    assert_eq!(employment["as_of"], "2020-12-31");
    assert_eq!(sheet["items"][1]["actual"], "1");
    Ok(())
}
