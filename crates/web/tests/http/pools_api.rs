//! The expert pool over the API: registering experts, a draw that excludes a conflicted expert
//! with the reason, the replay, too few eligible, masked identity numbers, and who may do what.

use crate::support::{TestApp, TestResult};
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

async fn call(
    app: &TestApp,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Result<(StatusCode, Value), reqwest::Error> {
    let mut request = Client::new()
        .request(method, app.url(path))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await?;
    let status = response.status();
    Ok((status, response.json().await.unwrap_or(Value::Null)))
}

#[tokio::test]
async fn finance_draws_three_agriculture_experts_and_the_draw_replays() -> TestResult {
    let app = TestApp::start_full().await?;
    let finance = app.token("finance").await?;
    // A 2019 project of the agriculture bureau (115).
    let (_, list) = call(
        &app,
        &finance,
        Method::GET,
        "/api/v1/projects?year=2019&agency=115&per_page=1",
        None,
    )
    .await?;
    let project = list["projects"][0]["id"]
        .as_i64()
        .ok_or("an agriculture project")?;

    // Six agriculture experts; one works for the bureau, one advised it last year, one is a
    // teacher (another field).
    let mut ids = Vec::new();
    for (n, (name, extra)) in [
        ("农业专家甲", json!({})),
        ("农业专家乙", json!({"employer": "乐陵市农业农村局", "employer_agency_code": "115"})),
        ("农业专家丙", json!({"relations": [{"agency_code": "115", "kind": "advised", "until": "2019-06-30"}]})),
        ("农业专家丁", json!({})),
        ("农业专家戊", json!({"id_number": "371481198001011234"})),
        ("农业专家己", json!({})),
    ]
    .into_iter()
    .enumerate()
    {
        let mut body = json!({"name": name, "category": "高级农艺师", "fields": ["农业"]});
        if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
            body.extend(extra.clone());
        }
        let (status, member) = call(&app, &finance, Method::POST, "/api/v1/experts", Some(body)).await?;
        assert_eq!(status, StatusCode::CREATED, "expert {n}: {member}");
        ids.push(member["id"].as_i64().ok_or("member id")?);
    }
    let (status, _) = call(
        &app,
        &finance,
        Method::POST,
        "/api/v1/experts",
        Some(json!({"name": "教育专家", "fields": ["教育"]})),
    )
    .await?;
    assert_eq!(status, StatusCode::CREATED);
    let (status, body) = call(
        &app,
        &finance,
        Method::POST,
        "/api/v1/experts",
        Some(json!({"name": "外行", "fields": ["占星"]})),
    )
    .await?;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "fields come from the rulebook: {body}"
    );

    // Identity numbers are never shown in full.
    let (_, experts) = call(
        &app,
        &finance,
        Method::GET,
        "/api/v1/experts?field=农业&q=农业专家",
        None,
    )
    .await?;
    let text = experts.to_string();
    assert!(!text.contains("371481198001011234"));
    assert!(text.contains("3714**********1234"));
    assert_eq!(experts.as_array().map(Vec::len), Some(6));

    // Agencies and experts may not draw or read the pools.
    let agency = app.token("agency").await?;
    let draw = json!({"purpose": "key_evaluation", "project_id": project, "fields": ["农业"], "count": 3, "backups": 1, "as_of": "2020-03-02"});
    let (status, _) = call(
        &app,
        &agency,
        Method::POST,
        "/api/v1/draws",
        Some(draw.clone()),
    )
    .await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let expert = app.token("expert").await?;
    let (status, _) = call(&app, &expert, Method::GET, "/api/v1/experts", None).await?;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, drawn) = call(
        &app,
        &finance,
        Method::POST,
        "/api/v1/draws",
        Some(draw.clone()),
    )
    .await?;
    assert_eq!(status, StatusCode::CREATED, "{drawn}");
    let selected = drawn["selected"].as_array().ok_or("selected")?.clone();
    assert_eq!(selected.len(), 3);
    assert_eq!(drawn["backups"].as_array().map(Vec::len), Some(1));
    let excluded = drawn["excluded"].as_array().ok_or("excluded")?;
    let reason_of = |id: i64| {
        excluded
            .iter()
            .find(|e| e["member_id"] == id)
            .and_then(|e| e["reason"].as_str())
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(reason_of(ids[1]), "任职于项目实施单位或其主管部门");
    assert_eq!(reason_of(ids[2]), "近3年曾为项目单位提供咨询服务");
    assert!(!selected.contains(&json!(ids[1])) && !selected.contains(&json!(ids[2])));
    assert!(
        drawn["eligible_hash"]
            .as_str()
            .is_some_and(|h| h.len() == 64)
    );

    let id = drawn["id"].as_i64().ok_or("draw id")?;
    let (status, replay) = call(
        &app,
        &finance,
        Method::GET,
        &format!("/api/v1/draws/{id}/replay"),
        None,
    )
    .await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(replay["matches"], true);
    assert_eq!(replay["selected"], json!(selected));
    let viewer = app.token("viewer").await?;
    let (status, _) = call(
        &app,
        &viewer,
        Method::GET,
        &format!("/api/v1/draws/{id}/replay"),
        None,
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "supervisors may check a draw");

    // More are needed than are eligible: refused, with the reasons, nothing stored.
    let mut five = draw;
    five["count"] = json!(30);
    let (status, refused) = call(&app, &finance, Method::POST, "/api/v1/draws", Some(five)).await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused["error"]["code"], "too_few_eligible");
    let eligible = refused["error"]["details"]["eligible"]
        .as_i64()
        .ok_or("eligible")?;
    assert!(eligible < 30);
    assert!(
        refused["error"]["message"]
            .as_str()
            .ok_or("message")?
            .contains(&format!("需要30名，仅{eligible}名符合条件"))
    );
    let (status, _) = call(
        &app,
        &finance,
        Method::GET,
        &format!("/api/v1/draws/{}", id + 1),
        None,
    )
    .await?;
    assert_eq!(status, StatusCode::NOT_FOUND);
    Ok(())
}
