//! The target review over the API (`POST /api/v1/target-review`): sheets as counties write
//! them, answered with findings by code and row; who may call it; the refusals of the body.

use crate::support::{TestApp, TestResult};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

async fn post(
    app: &TestApp,
    token: Option<&str>,
    body: &Value,
) -> Result<(StatusCode, Value), reqwest::Error> {
    let mut request = Client::new()
        .post(app.url("/api/v1/target-review"))
        .json(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await?;
    let status = response.status();
    Ok((status, response.json().await.unwrap_or(Value::Null)))
}

fn row(level1: &str, level2: &str, name: &str, value: &str, points: i64) -> Value {
    json!({"level1": level1, "level2": level2, "name": name, "value": value, "points": points})
}

/// A sound sheet: a county's 2020 left-behind children care project of 50万元.
fn good_sheet() -> Value {
    json!({
        "year": 2020,
        "amount_fen": 50_000_000,
        "project_name": "2020年农村留守儿童关爱服务项目",
        "overall_goal": "建立农村留守儿童关爱服务体系，到2022年实现全县留守儿童关爱服务全覆盖",
        "annual_goal": "2020年为300名留守儿童提供关爱服务，每学年入户家访4次，家长及儿童满意度达到90%以上",
        "last_year_annual_goal": "2019年为260名留守儿童提供关爱服务",
        "indicators": [
            row("产出指标", "数量指标", "关爱服务留守儿童人数", "≥300人", 20),
            row("", "", "入户家访次数", "≥4次", 10),
            row("", "质量指标", "关爱服务覆盖率", "=100%", 15),
            row("", "时效指标", "服务完成时间", "2020年12月底前", 5),
            row("", "成本指标", "人均关爱服务成本", "≤1500元/人", 10),
            row("效益指标", "社会效益指标", "留守儿童心理健康状况", "明显改善", 20),
            row("", "可持续影响指标", "关爱服务机制", "建立健全并长期运行", 5),
            row("满意度指标", "服务对象满意度指标", "家长及儿童满意度", "≥90%", 15),
        ]
    })
}

fn codes_and_rows(body: &Value) -> Vec<(String, Option<u64>)> {
    body["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            (
                f["code"].as_str().unwrap_or_default().to_owned(),
                f["row"].as_u64(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_poor_sheet_gets_each_finding_on_its_row() -> TestResult {
    let app = TestApp::start().await?;
    let token = app.token("agency").await?;
    let sheet = json!({
        "year": 2020,
        "serves_people": true,
        "project_name": "2020年城乡就业促进项目",
        "overall_goal": "到2022年全县城镇登记失业人员就业率达到90%",
        "annual_goal": "2020年培训城乡劳动者300人，城镇登记失业人员就业率达到85%",
        "indicators": [
            row("产出指标", "数量指标", "培训城乡劳动者人数", "≥300人", 20),
            row("效益指标", "社会效益指标", "城镇登记失业人员就业率", "明显提升", 10),
            row("产出指标", "质量指标", "验收合格率", "100%", 10),
            row("效益指标", "社会效益指标", "维护社会稳定", "≥95%", 10),
        ]
    });
    let (status, body) = post(&app, Some(&token), &sheet).await?;
    assert_eq!(status, StatusCode::OK, "{body}");
    let found = codes_and_rows(&body);
    for expected in [
        ("vague_value", Some(2)),
        ("missing_operator", Some(3)),
        ("pseudo_quantified", Some(4)),
        ("satisfaction_missing", None),
        ("weights_total", None),
    ] {
        let expected = (expected.0.to_owned(), expected.1);
        assert!(found.contains(&expected), "{expected:?} not in {found:?}");
    }
    assert_eq!(body["blocks_submission"], true);
    assert_eq!(body["rulebook"]["year"], 2020);
    assert!(body["rulebook"]["id"].as_i64().is_some(), "{body}");
    for finding in body["findings"].as_array().ok_or("no findings")? {
        assert!(
            ["error", "warning"].contains(&finding["severity"].as_str().unwrap_or_default()),
            "{finding}"
        );
        assert!(
            !finding["message"].as_str().unwrap_or_default().is_empty(),
            "{finding}"
        );
    }
    let vague = body["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["code"] == "vague_value")
        .ok_or("no vague_value")?;
    assert_eq!(vague["indicator"], "城镇登记失业人员就业率");
    Ok(())
}

#[tokio::test]
async fn a_sound_sheet_has_nothing_blocking_for_every_reader() -> TestResult {
    let app = TestApp::start().await?;
    for user in ["agency", "finance", "viewer"] {
        let token = app.token(user).await?;
        let (status, body) = post(&app, Some(&token), &good_sheet()).await?;
        assert_eq!(status, StatusCode::OK, "{user}: {body}");
        assert_eq!(body["blocks_submission"], false, "{user}: {body}");
        assert!(
            body["findings"]
                .as_array()
                .ok_or("no findings")?
                .iter()
                .all(|f| f["severity"] == "warning"),
            "{user}: {body}"
        );
    }
    // Without a year: the latest fiscal year of the caller's jurisdiction.
    let token = app.token("agency").await?;
    let mut sheet = good_sheet();
    sheet.as_object_mut().ok_or("not an object")?.remove("year");
    let (status, body) = post(&app, Some(&token), &sheet).await?;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["rulebook"]["year"], 2021);
    Ok(())
}

#[tokio::test]
async fn any_signed_in_role_may_call_it_and_no_one_else() -> TestResult {
    let app = TestApp::start().await?;
    // An expert reviewing a sheet it was drawn for checks it the same way.
    let expert = app.token("expert").await?;
    let (status, body) = post(&app, Some(&expert), &good_sheet()).await?;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["findings"].is_array());
    let (status, body) = post(&app, None, &good_sheet()).await?;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["error"]["code"], "unauthenticated");
    Ok(())
}

#[tokio::test]
async fn malformed_bodies_get_the_house_errors() -> TestResult {
    let app = TestApp::start().await?;
    let token = app.token("agency").await?;
    let response = Client::new()
        .post(app.url("/api/v1/target-review"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{\"indicators\": ")
        .send()
        .await?;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await?;
    assert_eq!(body["error"]["code"], "malformed_json", "{body}");
    assert!(body["error"]["message"].is_string(), "{body}");

    let (status, body) = post(&app, Some(&token), &json!({"indicators": {}})).await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "invalid_input");
    assert_eq!(body["error"]["details"][0]["field"], "indicators");

    let bad_points =
        json!({"indicators": [{"name": "培训人数", "value": "≥300人", "points": "二十"}]});
    let (status, body) = post(&app, Some(&token), &bad_points).await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["details"][0]["field"], "indicators[0].points");

    // A body past the API's limit is told as such, with the limit, and the service goes on.
    let mut huge = good_sheet();
    huge["overall_goal"] = Value::String("长".repeat(1_100_000));
    let (status, body) = post(&app, Some(&token), &huge).await?;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["code"], "body_too_large", "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("2 MB"),
        "{body}"
    );
    let (status, _) = post(&app, Some(&token), &good_sheet()).await?;
    assert_eq!(status, StatusCode::OK);
    Ok(())
}

#[tokio::test]
async fn at_most_500_rows() -> TestResult {
    let app = TestApp::start().await?;
    let token = app.token("agency").await?;
    let rows = |n: usize| -> Vec<Value> {
        (0..n)
            .map(|i| row("产出指标", "数量指标", &format!("培训人数{i}"), "≥300人", 0))
            .collect()
    };
    let mut sheet = good_sheet();
    sheet["indicators"] = Value::Array(rows(500));
    let (status, body) = post(&app, Some(&token), &sheet).await?;
    assert_eq!(status, StatusCode::OK, "{body}");

    sheet["indicators"] = Value::Array(rows(501));
    let (status, body) = post(&app, Some(&token), &sheet).await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "invalid_input");
    assert_eq!(body["error"]["details"][0]["field"], "indicators");
    assert_eq!(body["error"]["details"][0]["code"], "too_many_rows");
    assert!(
        body["error"]["details"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("500"),
        "{body}"
    );
    Ok(())
}
