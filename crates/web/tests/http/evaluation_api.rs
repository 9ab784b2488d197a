//! Self-evaluation over the API on the demo: the blank sheet from the approved targets and the
//! ledger, row errors that store nothing, scoring, submission with deviation reasons, finance's
//! return and approval, other agencies and roles refused; and the scoring endpoint on the worked
//! examples under both `≤` rules and both shipped rulebooks.

use crate::support::{TestApp, TestResult, call, project_named};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Entries meeting every target, except the first row reaching half of it.
fn entries(sheet: &Value, explain: bool) -> Result<Vec<Value>, Box<dyn std::error::Error>> {
    let mut entries = Vec::new();
    for item in sheet["items"].as_array().ok_or("items")? {
        let row = item["row_no"].as_i64().ok_or("row")?;
        let entry = if item["op"] == "qualitative" {
            json!({"row_no": row, "band": "达成", "band_percent": "90", "actual": "效果明显"})
        } else {
            let target: f64 = item["target"].as_str().ok_or("target")?.parse()?;
            let actual = if row == 1 {
                format!("{}", target / 2.0)
            } else {
                item["target"].as_str().ok_or("t")?.to_owned()
            };
            let mut e = json!({"row_no": row, "actual": actual});
            if row == 1 && explain {
                e["deviation_reason"] = json!("受疫情影响，部分活动延期");
                e["improvement"] = json!("下半年加密排期，线上线下结合");
            }
            e
        };
        entries.push(entry);
    }
    Ok(entries)
}

#[tokio::test]
async fn an_agency_scores_submits_and_finance_returns_then_approves() -> TestResult {
    let app = TestApp::start_full().await?;
    let agency = app.token("agency").await?;
    let finance = app.token("finance").await?;
    let other = app.token("canlian").await?;
    let id = project_named(&app, &finance, 2020, "2020年妇幼健康服务").await?;
    let path = format!("/api/v1/projects/{id}/self-evaluation");

    let (status, blank) = call(&app, &agency, Method::GET, &path, None).await?;
    assert_eq!(status, StatusCode::OK, "{blank}");
    assert_eq!(blank["state"], "not_started");
    assert_eq!(blank["version"], 0);
    let (_, allotment) = call(
        &app,
        &agency,
        Method::GET,
        &format!("/api/v1/projects/{id}/allotment"),
        None,
    )
    .await?;
    assert_eq!(blank["budget"]["full_year_fen"], allotment["limit_fen"]);
    assert_eq!(blank["budget"]["executed_fen"], allotment["used_fen"]);
    let points: i64 = blank["items"]
        .as_array()
        .ok_or("items")?
        .iter()
        .filter_map(|i| i["points_x100"].as_i64())
        .sum();
    assert_eq!(points, 9_000, "target points scaled to the indicators' 90");

    // Other agencies and roles.
    let (status, _) = call(&app, &other, Method::GET, &path, None).await?;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = call(
        &app,
        &finance,
        Method::PUT,
        &path,
        Some(json!({"version": 0, "entries": []})),
    )
    .await?;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Text where a number belongs: a row error, nothing stored.
    let mut bad = entries(&blank, false)?;
    let first_quantitative = blank["items"]
        .as_array()
        .ok_or("items")?
        .iter()
        .position(|i| i["op"] != "qualitative")
        .ok_or("quantitative row")?;
    bad[first_quantitative]["actual"] = json!("大约一半");
    let (status, refused) = call(
        &app,
        &agency,
        Method::PUT,
        &path,
        Some(json!({"version": 0, "entries": bad})),
    )
    .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(refused["error"]["details"][0]["field"], "actual");
    assert!(
        refused["error"]["details"][0]["message"]
            .as_str()
            .ok_or("message")?
            .contains("不是数字")
    );
    let (_, still) = call(&app, &agency, Method::GET, &path, None).await?;
    assert_eq!(still["state"], "not_started");

    // A manual score above the points is refused; one within, with a reason, is kept and shown.
    let mut manual = entries(&blank, false)?;
    manual[1]["manual_score"] = json!("999");
    manual[1]["manual_reason"] = json!("复核调整");
    let (status, _) = call(
        &app,
        &agency,
        Method::PUT,
        &path,
        Some(json!({"version": 0, "entries": manual})),
    )
    .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    let (status, saved) = call(&app, &agency, Method::PUT, &path, Some(json!({"version": 0, "summary": "年度目标基本完成", "entries": entries(&blank, false)?}))).await?;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["state"], "draft");
    let items = saved["items"].as_array().ok_or("items")?;
    let sum: i64 = saved["execution"]["score_x100"]
        .as_i64()
        .ok_or("execution")?
        + items
            .iter()
            .filter_map(|i| i["final_x100"].as_i64())
            .sum::<i64>();
    assert_eq!(saved["total_x100"], sum);
    assert!(items[0]["missed"].as_bool().ok_or("missed")?);
    assert_eq!(
        items[0]["final_x100"],
        items[0]["points_x100"].as_i64().ok_or("p")? / 2
    );
    assert!(!saved["grade"].as_str().ok_or("grade")?.is_empty());

    // A stale version is refused.
    let (status, _) = call(
        &app,
        &agency,
        Method::PUT,
        &path,
        Some(json!({"version": 0, "entries": entries(&blank, false)?})),
    )
    .await?;
    assert_eq!(status, StatusCode::CONFLICT);

    // Submitting without a deviation reason for the missed target names the row.
    let (status, refused) = call(
        &app,
        &agency,
        Method::POST,
        &format!("{path}/submit"),
        Some(json!({"version": 1})),
    )
    .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(
        refused["error"]["details"][0]["message"]
            .as_str()
            .ok_or("m")?
            .starts_with("第1行")
    );

    let (status, saved) = call(
        &app,
        &agency,
        Method::PUT,
        &path,
        Some(json!({"version": 1, "entries": entries(&blank, true)?})),
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let (status, submitted) = call(
        &app,
        &agency,
        Method::POST,
        &format!("{path}/submit"),
        Some(json!({"version": 2})),
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{submitted}");
    assert_eq!(submitted["state"], "submitted");
    let (status, _) = call(
        &app,
        &agency,
        Method::PUT,
        &path,
        Some(json!({"version": 3, "entries": entries(&blank, true)?})),
    )
    .await?;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "a submitted sheet cannot be changed"
    );

    // Finance returns (a reason is needed), the agency fixes with a manual score, finance approves.
    let review = format!("{path}/review");
    let (status, _) = call(
        &app,
        &agency,
        Method::POST,
        &review,
        Some(json!({"action": "approve"})),
    )
    .await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = call(
        &app,
        &finance,
        Method::POST,
        &review,
        Some(json!({"action": "return"})),
    )
    .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, returned) = call(
        &app,
        &finance,
        Method::POST,
        &review,
        Some(json!({"action": "return", "comment": "第1行实际完成值请附统计台账"})),
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{returned}");
    assert_eq!(returned["state"], "returned");
    let mut fixed = entries(&blank, true)?;
    let half = items[0]["points_x100"].as_i64().ok_or("p")? / 2 + 100;
    fixed[0]["manual_score"] = json!(format!("{}.{:02}", half / 100, half % 100));
    fixed[0]["manual_reason"] = json!("补录下半年线上服务人次");
    let (status, resaved) = call(
        &app,
        &agency,
        Method::PUT,
        &path,
        Some(json!({"version": 4, "entries": fixed})),
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{resaved}");
    assert_eq!(resaved["items"][0]["manual_x100"], half);
    assert_eq!(resaved["items"][0]["computed_x100"], items[0]["final_x100"]);
    assert_eq!(
        resaved["items"][0]["manual_reason"],
        "补录下半年线上服务人次"
    );
    let (status, _) = call(
        &app,
        &agency,
        Method::POST,
        &format!("{path}/submit"),
        Some(json!({"version": 5})),
    )
    .await?;
    assert_eq!(status, StatusCode::OK);
    let (status, approved) = call(
        &app,
        &finance,
        Method::POST,
        &review,
        Some(json!({"action": "approve"})),
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{approved}");
    assert_eq!(approved["state"], "approved");

    // The manual change is in the audit log with the computed score beside it.
    let admin = app.token("admin").await?;
    let (_, audit) = call(
        &app,
        &admin,
        Method::GET,
        "/api/v1/audit?action=self_evaluation.save",
        None,
    )
    .await?;
    let text = audit.to_string();
    assert!(text.contains("补录下半年线上服务人次"), "{text}");
    Ok(())
}

fn worked_example() -> Value {
    json!({
        "budget": {"initial_fen": 200_000_000, "full_year_fen": 200_000_000, "executed_fen": 180_000_000},
        "items": [
            {"level1": "产出指标", "level2": "数量指标", "name": "培训人次", "op": "≥", "target": "500", "unit": "人", "points": "20", "actual": "450"},
            {"level1": "产出指标", "level2": "质量指标", "name": "合格率", "op": ">=", "target": "95", "unit": "%", "points": "15", "actual": "98"},
            {"level1": "产出指标", "level2": "成本指标", "name": "人均培训成本", "op": "<=", "target": "2000", "unit": "元", "points": "15", "actual": "2500"},
            {"level1": "效益指标", "level2": "社会效益指标", "name": "就业能力提升", "op": "定性", "target": "效果明显", "points": "30", "band": "部分达成", "band_percent": "70"},
            {"level1": "满意度指标", "level2": "服务对象满意度指标", "name": "学员满意度", "op": ">=", "target": "90", "unit": "%", "points": "10", "actual": "85"}
        ]
    })
}

#[tokio::test]
async fn the_scoring_endpoint_reproduces_the_worked_examples() -> TestResult {
    let app = TestApp::start().await?;
    let token = app.token("agency").await?;
    let (status, ratio) = call(
        &app,
        &token,
        Method::POST,
        "/api/v1/self-evaluations/score",
        Some(worked_example()),
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{ratio}");
    assert_eq!(ratio["rulebook"], "national-default");
    assert_eq!(ratio["execution"]["score_x100"], 900);
    let finals: Vec<i64> = ratio["items"]
        .as_array()
        .ok_or("items")?
        .iter()
        .filter_map(|i| i["final_x100"].as_i64())
        .collect();
    assert_eq!(finals, vec![1800, 1500, 1200, 2100, 944]);
    assert_eq!(ratio["total"], "84.44");
    assert_eq!(ratio["grade"], "良");
    assert_eq!(ratio["findings"], json!([]));

    let mut linear = worked_example();
    linear["at_most_rule"] = json!("linear");
    let (_, linear) = call(
        &app,
        &token,
        Method::POST,
        "/api/v1/self-evaluations/score",
        Some(linear),
    )
    .await?;
    assert_eq!(linear["items"][2]["final_x100"], 1125);
    assert_eq!(linear["total"], "83.69");
    assert_eq!(linear["grade"], "良");

    // Under the 20-point rulebook the same table's points do not add up: scored and flagged.
    let mut variant = worked_example();
    variant["rulebook"] = json!("execution-20");
    let (_, variant) = call(
        &app,
        &token,
        Method::POST,
        "/api/v1/self-evaluations/score",
        Some(variant),
    )
    .await?;
    assert_eq!(variant["execution"]["score_x100"], 1800);
    assert_eq!(variant["findings"][0]["code"], "points_not_100");

    let mut bad = worked_example();
    bad["items"][0]["actual"] = json!("四百五十");
    let (status, refused) = call(
        &app,
        &token,
        Method::POST,
        "/api/v1/self-evaluations/score",
        Some(bad),
    )
    .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused["error"]["details"][0]["row"], 1);
    let mut unknown = worked_example();
    unknown["rulebook"] = json!("nowhere");
    let (status, _) = call(
        &app,
        &token,
        Method::POST,
        "/api/v1/self-evaluations/score",
        Some(unknown),
    )
    .await?;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    Ok(())
}

#[tokio::test]
async fn results_application_lists_proposals_decisions_and_the_years_cut() -> TestResult {
    let app = TestApp::start_full().await?;
    let finance = app.token("finance").await?;
    let (status, cuts) = call(
        &app,
        &finance,
        Method::GET,
        "/api/v1/stats/cuts?year=2019",
        None,
    )
    .await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(cuts["amount_fen"], 1_000_000_000);
    assert_eq!(cuts["projects"], 5);
    let (_, results) = call(
        &app,
        &finance,
        Method::GET,
        "/api/v1/results-application?year=2019",
        None,
    )
    .await?;
    let proposals = results["proposals"].as_array().ok_or("proposals")?;
    let cut_sum: i64 = proposals.iter().filter_map(|p| p["cut_fen"].as_i64()).sum();
    assert_eq!(cut_sum, 1_000_000_000);
    let changed = proposals
        .iter()
        .find(|p| p["status"] == "changed")
        .ok_or("changed")?;
    assert_eq!(changed["cut_fen"], 20_000_000);
    assert_eq!(changed["next_name"], "2020年残疾人就业帮扶");
    assert!(
        changed["reason"]
            .as_str()
            .ok_or("reason")?
            .contains("第三方绩效评价")
    );

    // An agency sees its own; it may neither propose nor decide.
    let canlian = app.token("canlian").await?;
    let (_, own) = call(
        &app,
        &canlian,
        Method::GET,
        "/api/v1/results-application?year=2019",
        None,
    )
    .await?;
    assert!(
        own["proposals"]
            .as_array()
            .ok_or("own")?
            .iter()
            .all(|p| p["agency_name"] == "乐陵市残疾人联合会")
    );
    let id = changed["id"].as_i64().ok_or("id")?;
    let (status, _) = call(
        &app,
        &canlian,
        Method::POST,
        &format!("/api/v1/results-application/{id}/decision"),
        Some(json!({"decision": "accept"})),
    )
    .await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = call(
        &app,
        &canlian,
        Method::POST,
        "/api/v1/results-application/propose",
        Some(json!({"year": 2019})),
    )
    .await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Decided already: 409; nothing new to propose.
    let (status, _) = call(
        &app,
        &finance,
        Method::POST,
        &format!("/api/v1/results-application/{id}/decision"),
        Some(json!({"decision": "reject", "reason": "再议"})),
    )
    .await?;
    assert_eq!(status, StatusCode::CONFLICT);
    let (_, proposed) = call(
        &app,
        &finance,
        Method::POST,
        "/api/v1/results-application/propose",
        Some(json!({"year": 2019})),
    )
    .await?;
    assert_eq!(proposed["proposed"], 0);
    let (_, after) = call(
        &app,
        &finance,
        Method::GET,
        "/api/v1/stats/cuts?year=2019",
        None,
    )
    .await?;
    assert_eq!(after, cuts, "refusals change nothing");
    Ok(())
}
