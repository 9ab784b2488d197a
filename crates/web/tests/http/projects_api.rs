//! Projects over the API: the whole path from draft through the gate to approval, as the right
//! roles, with the refusals and the optimistic lock.

use crate::support::{TestApp, TestResult};
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

struct Caller<'a> {
    app: &'a TestApp,
    token: String,
}

impl<'a> Caller<'a> {
    async fn new(
        app: &'a TestApp,
        username: &str,
    ) -> Result<Caller<'a>, Box<dyn std::error::Error>> {
        Ok(Caller {
            app,
            token: app.token(username).await?,
        })
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<(StatusCode, Value), reqwest::Error> {
        let mut request = Client::new()
            .request(method, self.app.url(path))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await?;
        let status = response.status();
        Ok((status, response.json().await.unwrap_or(Value::Null)))
    }
}

fn sheet(version: i64, unit_of_second_row: &str) -> Value {
    json!({
        "version": version,
        "overall_goal": "为建档立卡贫困慢性病患者免费体检，早发现早干预",
        "annual_goal": "2020年为176名患者免费体检",
        "indicators": [
            {"level1": "产出指标", "level2": "数量指标", "name": "免费体检人数", "op": ">=", "value": "176", "unit": "人", "points": "40"},
            {"level1": "效益指标", "level2": "社会效益指标", "name": "慢性病早发现率", "op": ">=", "value": "90", "unit": unit_of_second_row, "points": "40"},
            {"level1": "满意度指标", "level2": "服务对象满意度指标", "name": "体检对象满意度", "op": "≥", "value": "90", "unit": "%", "points": "20"}
        ]
    })
}

fn version(body: &Value) -> i64 {
    body["version"].as_i64().unwrap_or(-1)
}

#[tokio::test]
async fn the_demo_coverage_is_705_projects_and_273180_48_wan() -> TestResult {
    let app = TestApp::start_full().await?;
    let finance = Caller::new(&app, "finance").await?;
    let (status, body) = finance
        .call(Method::GET, "/api/v1/stats/coverage?year=2019", None)
        .await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({"projects": 705, "amount_fen": 273_180_480_000_i64})
    );
    let (_, list) = finance
        .call(Method::GET, "/api/v1/projects?year=2019&q=金亿奶牛", None)
        .await?;
    assert_eq!(list["total"], 1);
    assert_eq!(list["projects"][0]["approved_fen"], 400_000_000);
    let (_, queue) = finance.call(Method::GET, "/api/v1/queue", None).await?;
    assert!(
        queue.as_array().map_or(0, Vec::len) >= 2,
        "finance has work waiting: {queue}"
    );
    Ok(())
}

#[tokio::test]
async fn a_project_goes_from_draft_to_approval_over_the_api() -> TestResult {
    let app = TestApp::start().await?;
    let unit = Caller::new(&app, "yiyuan").await?;
    let department = Caller::new(&app, "agency").await?;
    let finance = Caller::new(&app, "finance").await?;

    let (status, project) = unit
        .call(Method::POST, "/api/v1/projects", Some(json!({
            "year": 2020, "name": "慢性病患者免费体检", "category": "specific", "requested_fen": 86_000_000
        })))
        .await?;
    assert_eq!(status, StatusCode::CREATED, "{project}");
    let id = project["id"].as_i64().ok_or("id")?;
    assert_eq!(project["state"], "draft");
    assert_eq!(project["agency"], "114001");

    let (status, gate) = unit
        .call(Method::POST, &format!("/api/v1/projects/{id}/submit"), None)
        .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(gate["error"]["code"], "gate_failed");
    let codes: Vec<&str> = gate["error"]["details"]
        .as_array()
        .ok_or("details")?
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect();
    assert!(
        codes.contains(&"missing_overall_goal") && codes.contains(&"missing_required_level2"),
        "{codes:?}"
    );

    // A row that can never be stored (points over 100): 422 with the row; nothing stored.
    // (Words in a quantitative row are a draft's to keep; the gate refuses them, decision 0039.)
    let mut bad = sheet(version(&project), "%");
    bad["indicators"][0]["points"] = json!("120");
    let (status, body) = unit
        .call(
            Method::PUT,
            &format!("/api/v1/projects/{id}/target"),
            Some(bad),
        )
        .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["details"][0]["row"], 1);
    assert_eq!(body["error"]["details"][0]["field"], "points");

    let (status, saved) = unit
        .call(
            Method::PUT,
            &format!("/api/v1/projects/{id}/target"),
            Some(sheet(version(&project), "")),
        )
        .await?;
    assert_eq!(status, StatusCode::OK);
    // Someone else saving from the same version loses, and is told so.
    let (status, stale) = unit
        .call(
            Method::PUT,
            &format!("/api/v1/projects/{id}/target"),
            Some(sheet(version(&project), "%")),
        )
        .await?;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(stale["error"]["code"], "stale_version");

    let (status, gate) = unit
        .call(Method::POST, &format!("/api/v1/projects/{id}/submit"), None)
        .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        gate["error"]["details"],
        json!([{"code": "missing_unit", "message": "第2行：定量指标缺少计量单位", "row": 2}])
    );
    let (_, saved) = unit
        .call(
            Method::PUT,
            &format!("/api/v1/projects/{id}/target"),
            Some(sheet(version(&saved), "%")),
        )
        .await?;
    let (status, submitted) = unit
        .call(
            Method::POST,
            &format!("/api/v1/projects/{id}/submit"),
            Some(json!({"version": version(&saved)})),
        )
        .await?;
    assert_eq!(status, StatusCode::OK, "{submitted}");
    assert_eq!(
        (
            submitted["state"].as_str(),
            submitted["review_step"].as_str()
        ),
        (Some("submitted"), Some("department"))
    );

    // Editing a submitted project is refused.
    let (status, _) = unit
        .call(
            Method::PUT,
            &format!("/api/v1/projects/{id}/target"),
            Some(sheet(version(&submitted), "%")),
        )
        .await?;
    assert_eq!(status, StatusCode::CONFLICT);

    let review = |decision: &str, extra: Value| {
        let mut body = json!({"decision": decision});
        if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
            body.extend(extra.clone());
        }
        body
    };
    let path = format!("/api/v1/projects/{id}/review");
    let (status, _) = finance
        .call(Method::POST, &path, Some(review("approve", json!({}))))
        .await?;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "finance cannot take the department's step"
    );
    let (status, body) = department
        .call(Method::POST, &path, Some(review("approve", json!({}))))
        .await?;
    assert_eq!(
        (status, body["review_step"].as_str()),
        (StatusCode::OK, Some("budget"))
    );
    let (status, body) = finance
        .call(
            Method::POST,
            &path,
            Some(review("return", json!({"comment": "体检单价依据不足"}))),
        )
        .await?;
    assert_eq!(
        (status, body["state"].as_str()),
        (StatusCode::OK, Some("returned"))
    );

    let (status, body) = unit
        .call(Method::POST, &format!("/api/v1/projects/{id}/submit"), None)
        .await?;
    assert_eq!(status, StatusCode::OK, "{body}");
    department
        .call(Method::POST, &path, Some(review("approve", json!({}))))
        .await?;
    // 预算科 passes the budget step; separation of duties keeps the same person off the next one.
    let budget = Caller::new(&app, "budget").await?;
    let (_, body) = budget
        .call(Method::POST, &path, Some(review("approve", json!({}))))
        .await?;
    assert_eq!(body["review_step"], "performance");
    let (status, refused) = budget
        .call(
            Method::POST,
            &path,
            Some(review("approve", json!({"grade": "良"}))),
        )
        .await?;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
    assert_eq!(refused["error"]["code"], "separation_of_duties");
    assert!(
        refused["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("不同人员")),
        "{refused}"
    );
    let (status, body) = finance
        .call(
            Method::POST,
            &path,
            Some(review("approve", json!({"grade": "差"}))),
        )
        .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["error"]["details"][0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("不能审核通过")
    );
    let (status, body) = finance
        .call(
            Method::POST,
            &path,
            Some(review(
                "approve",
                json!({"grade": "良", "approved_fen": 80_000_000, "reason": "压减体检单价"}),
            )),
        )
        .await?;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (body["state"].as_str(), body["approved_fen"].as_i64()),
        (Some("approved"), Some(80_000_000))
    );

    let (_, detail) = finance
        .call(Method::GET, &format!("/api/v1/projects/{id}"), None)
        .await?;
    assert_eq!(detail["target_grade"], "良");
    assert_eq!(detail["reviews"].as_array().map_or(0, Vec::len), 7);
    assert_eq!(detail["target"]["indicators"][2]["op"], ">=");
    let (_, coverage) = finance
        .call(Method::GET, "/api/v1/stats/coverage?year=2020", None)
        .await?;
    assert_eq!(coverage["projects"], 1);
    Ok(())
}

#[tokio::test]
async fn projects_are_refused_to_the_wrong_roles_and_agencies() -> TestResult {
    let app = TestApp::start().await?;
    let unit = Caller::new(&app, "yiyuan").await?;
    let (_, project) = unit
        .call(Method::POST, "/api/v1/projects", Some(json!({"year": 2020, "name": "医疗设备购置", "category": "specific", "requested_fen": 3_200_000_000_i64})))
        .await?;
    let id = project["id"].as_i64().ok_or("id")?;
    let other = Caller::new(&app, "canlian").await?;
    let (status, body) = other
        .call(Method::GET, &format!("/api/v1/projects/{id}"), None)
        .await?;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "another agency's project is not found: {body}"
    );
    let finance = Caller::new(&app, "finance").await?;
    let (status, _) = finance
        .call(
            Method::PUT,
            &format!("/api/v1/projects/{id}/target"),
            Some(sheet(version(&project), "%")),
        )
        .await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let viewer = Caller::new(&app, "viewer").await?;
    let (status, _) = viewer
        .call(Method::GET, &format!("/api/v1/projects/{id}"), None)
        .await?;
    assert_eq!(status, StatusCode::OK, "viewers read");
    let (status, _) = viewer
        .call(
            Method::POST,
            "/api/v1/projects",
            Some(json!({"year": 2020, "name": "x", "category": "specific", "requested_fen": 1})),
        )
        .await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let expert = Caller::new(&app, "expert").await?;
    let (status, _) = expert.call(Method::GET, "/api/v1/projects", None).await?;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, body) = unit
        .call(
            Method::POST,
            "/api/v1/projects",
            Some(json!({"year": 2020, "name": "", "category": "桥梁", "requested_fen": -5})),
        )
        .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = body["error"]["details"]
        .as_array()
        .ok_or("details")?
        .iter()
        .filter_map(|d| d["field"].as_str())
        .collect();
    assert_eq!(fields, ["name", "category", "requested_fen"]);
    let mut unknown_op = sheet(version(&project), "%");
    unknown_op["indicators"][1]["op"] = json!("约等于");
    unknown_op["indicators"][2]["points"] = json!("-1");
    let (status, body) = unit
        .call(
            Method::PUT,
            &format!("/api/v1/projects/{id}/target"),
            Some(unknown_op),
        )
        .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let rows: Vec<i64> = body["error"]["details"]
        .as_array()
        .ok_or("details")?
        .iter()
        .filter_map(|d| d["row"].as_i64())
        .collect();
    assert_eq!(rows, [2, 3]);
    let (status, _) = unit
        .call(
            Method::PUT,
            &format!("/api/v1/projects/{id}/target"),
            Some(json!({"indicators": []})),
        )
        .await?;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a save without version is refused"
    );

    // 3,200万元 new: the gate asks for the ex-ante assessment.
    let (_, saved) = unit
        .call(
            Method::PUT,
            &format!("/api/v1/projects/{id}/target"),
            Some(sheet(version(&project), "%")),
        )
        .await?;
    let (_, gate) = unit
        .call(Method::POST, &format!("/api/v1/projects/{id}/submit"), None)
        .await?;
    assert_eq!(
        gate["error"]["details"][0]["code"],
        "missing_pre_assessment"
    );
    let (status, _) = unit
        .call(
            Method::POST,
            &format!("/api/v1/projects/{id}/pre-assessment"),
            Some(json!({"conclusion": "支持", "version": version(&saved)})),
        )
        .await?;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = unit
        .call(Method::POST, &format!("/api/v1/projects/{id}/submit"), None)
        .await?;
    assert_eq!(status, StatusCode::OK);
    Ok(())
}
