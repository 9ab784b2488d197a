//! Key evaluation and rectification end to end over HTTP: a department commissions the drawn
//! institution, the institution scores the framework and submits, finance confirms with the
//! problems found, the problems reach the agency as rectification items which it answers, finance
//! sends one back and closes it, and the item is flagged on the agency's next-year project until
//! then. Coverage, roles and bad input are checked on the way; the demo's three key evaluations
//! are there.

use crate::support::{TestApp, TestResult, call, project_named};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[tokio::test]
async fn a_department_commissions_a_drawn_institution_and_problems_become_rectification()
-> TestResult {
    let app = TestApp::start_full().await?;
    let finance = app.token("finance").await?;
    let admin = app.token("admin").await?;
    let department = app.token("canlian").await?;

    // The demo's three key evaluations of 2019, confirmed, 3,059万元 together.
    let (_, all) = call(&app, &finance, Method::GET, "/api/v1/evaluations", None).await?;
    let all = all.as_array().ok_or("evaluations")?.clone();
    assert_eq!(all.len(), 3);
    assert!(all.iter().all(|e| e["state"] == "confirmed"));
    let money: i64 = all.iter().filter_map(|e| e["approved_fen"].as_i64()).sum();
    assert_eq!(money, 3_059_000_000);

    let project = project_named(&app, &finance, 2019, "2019年残疾人就业帮扶").await?;
    let draw = json!({"kind": "institution", "purpose": "key_evaluation", "project_id": project, "fields": ["社会保障"], "count": 1, "as_of": "2020-03-20", "commissioning_agency_code": "112"});
    let (status, drawn) = call(&app, &finance, Method::POST, "/api/v1/draws", Some(draw)).await?;
    assert_eq!(status, StatusCode::CREATED, "{drawn}");
    let member = drawn["selected"][0].as_i64().ok_or("member")?;
    let (status, body) = call(&app, &admin, Method::POST, "/api/v1/users",
        Some(json!({"username": "jigou9", "display_name": "评价机构九", "role": "institution", "password": "jixiao-demo"}))).await?;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, _) = call(
        &app,
        &finance,
        Method::POST,
        &format!("/api/v1/pool-members/{member}/account"),
        Some(json!({"username": "jigou9"})),
    )
    .await?;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let institution = app.token("jigou9").await?;
    let (_, tasks) = call(&app, &institution, Method::GET, "/api/v1/assignments", None).await?;
    let task = tasks
        .as_array()
        .ok_or("tasks")?
        .iter()
        .find(|t| t["project_id"] == project)
        .and_then(|t| t["id"].as_i64())
        .ok_or("task")?;

    // Not before the institution accepts; and not by another department.
    let (status, _) = call(
        &app,
        &department,
        Method::POST,
        "/api/v1/evaluations",
        Some(json!({"assignment_id": task})),
    )
    .await?;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = call(
        &app,
        &institution,
        Method::POST,
        &format!("/api/v1/assignments/{task}/accept"),
        Some(json!({})),
    )
    .await?;
    assert_eq!(status, StatusCode::OK);
    let health = app.token("agency").await?;
    let (status, _) = call(
        &app,
        &health,
        Method::POST,
        "/api/v1/evaluations",
        Some(json!({"assignment_id": task})),
    )
    .await?;
    assert_eq!(status, StatusCode::NOT_FOUND, "another agency's project");
    let (status, created) = call(
        &app,
        &department,
        Method::POST,
        "/api/v1/evaluations",
        Some(json!({"assignment_id": task})),
    )
    .await?;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["mode"], "department");
    let id = created["id"].as_i64().ok_or("id")?;
    let (status, _) = call(
        &app,
        &department,
        Method::POST,
        "/api/v1/evaluations",
        Some(json!({"assignment_id": task})),
    )
    .await?;
    assert_eq!(status, StatusCode::CONFLICT, "once per project");

    // The framework: 20 items, each with explanation, points to check and scoring standard.
    let (_, detail) = call(
        &app,
        &institution,
        Method::GET,
        &format!("/api/v1/evaluations/{id}"),
        None,
    )
    .await?;
    let items = detail["items"].as_array().ok_or("items")?;
    assert_eq!(items.len(), 20);
    assert!(
        items
            .iter()
            .all(|i| !i["item"]["standard"].as_str().unwrap_or("").is_empty())
    );
    let mut entries: Vec<Value> = items
        .iter()
        .enumerate()
        .map(|(n, i)| json!({"item_no": n + 1, "score": i["item"]["points"].to_string()}))
        .collect();
    entries[11]["score"] = json!("12");
    let path = format!("/api/v1/evaluations/{id}");
    let (status, refused) = call(
        &app,
        &institution,
        Method::PUT,
        &path,
        Some(json!({"version": 1, "entries": entries, "summary": "总体较好"})),
    )
    .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused["error"]["details"][0]["message"]
            .as_str()
            .ok_or("m")?
            .contains("应在0至10分之间")
    );
    entries[11]["score"] = json!("6");
    entries[15]["score"] = json!("6.5");
    let (status, _) = call(
        &app,
        &finance,
        Method::PUT,
        &path,
        Some(json!({"version": 1, "entries": entries, "summary": "x"})),
    )
    .await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, saved) = call(
        &app,
        &institution,
        Method::PUT,
        &path,
        Some(json!({"version": 1, "entries": entries, "summary": "培训完成但稳定就业率未达目标"})),
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["evaluation"]["total_x100"], 9_250);
    let (status, _) = call(
        &app,
        &institution,
        Method::POST,
        &format!("{path}/submit"),
        Some(json!({"version": 2})),
    )
    .await?;
    assert_eq!(status, StatusCode::OK);

    // Finance lowers the score with a reason and records the problems.
    let confirm = format!("{path}/confirm");
    let (status, _) = call(
        &app,
        &finance,
        Method::POST,
        &confirm,
        Some(json!({"final_score": "78"})),
    )
    .await?;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a changed score needs a reason"
    );
    let (status, confirmed) = call(&app, &finance, Method::POST, &confirm, Some(json!({"final_score": "78", "reason": "专家评审认为培训后稳定就业率指标得分偏高", "problems": ["培训后6个月稳定就业率仅41%，低于目标"]}))).await?;
    assert_eq!(status, StatusCode::OK, "{confirmed}");
    assert_eq!(confirmed["evaluation"]["final_grade"], "中");
    let (status, _) = call(&app, &finance, Method::POST, &confirm, Some(json!({}))).await?;
    assert_eq!(status, StatusCode::CONFLICT, "confirmed once");

    // The problem reaches the agency; it is flagged on its 2020 project until closed.
    let (_, items) = call(
        &app,
        &department,
        Method::GET,
        "/api/v1/rectifications?year=2019",
        None,
    )
    .await?;
    let item = items
        .as_array()
        .ok_or("items")?
        .iter()
        .find(|r| r["problem"].as_str().unwrap_or("").contains("稳定就业率"))
        .cloned()
        .ok_or("item")?;
    assert_eq!(item["state"], "open");
    let item_id = item["id"].as_i64().ok_or("item id")?;
    let next = project_named(&app, &finance, 2020, "2020年残疾人就业帮扶").await?;
    let (_, flags) = call(
        &app,
        &department,
        Method::GET,
        &format!("/api/v1/projects/{next}/flags"),
        None,
    )
    .await?;
    assert!(
        flags["unrectified"]
            .as_array()
            .ok_or("flags")?
            .iter()
            .any(|r| r["id"] == item_id)
    );
    let (_, others) = call(
        &app,
        &health,
        Method::GET,
        "/api/v1/rectifications?year=2019",
        None,
    )
    .await?;
    assert!(
        others
            .as_array()
            .ok_or("others")?
            .iter()
            .all(|r| r["id"] != item_id),
        "not another agency's"
    );

    let answer = format!("/api/v1/rectifications/{item_id}/answer");
    let check = format!("/api/v1/rectifications/{item_id}/check");
    let (status, _) = call(
        &app,
        &department,
        Method::POST,
        &answer,
        Some(json!({"version": 1, "answer": ""})),
    )
    .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, answered) = call(
        &app,
        &department,
        Method::POST,
        &answer,
        Some(json!({"version": 1, "answer": "与3家企业签订定向用工协议"})),
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{answered}");
    let (status, _) = call(
        &app,
        &department,
        Method::POST,
        &check,
        Some(json!({"action": "close"})),
    )
    .await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, back) = call(
        &app,
        &finance,
        Method::POST,
        &check,
        Some(json!({"action": "send_back", "comment": "请附就业跟踪台账"})),
    )
    .await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(back["state"], "open");
    let (status, _) = call(
        &app,
        &department,
        Method::POST,
        &answer,
        Some(json!({"version": 2, "answer": "x"})),
    )
    .await?;
    assert_eq!(status, StatusCode::CONFLICT, "stale version");
    let (_, _) = call(
        &app,
        &department,
        Method::POST,
        &answer,
        Some(json!({"version": 3, "answer": "已补充就业跟踪台账，稳定就业率提升至63%"})),
    )
    .await?;
    let (status, closed) = call(
        &app,
        &finance,
        Method::POST,
        &check,
        Some(json!({"action": "close", "comment": "已核实"})),
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{closed}");
    assert_eq!(closed["state"], "closed");
    let (_, flags) = call(
        &app,
        &department,
        Method::GET,
        &format!("/api/v1/projects/{next}/flags"),
        None,
    )
    .await?;
    assert!(
        flags["unrectified"]
            .as_array()
            .ok_or("flags")?
            .iter()
            .all(|r| r["id"] != item_id)
    );

    // Coverage: key projects of 2019 and which are due.
    let (status, coverage) = call(
        &app,
        &finance,
        Method::GET,
        "/api/v1/evaluations/coverage?year=2019",
        None,
    )
    .await?;
    assert_eq!(status, StatusCode::OK);
    let lines = coverage.as_array().ok_or("coverage")?;
    let farm = lines
        .iter()
        .find(|l| l["name"] == "2019年农业综合开发")
        .ok_or("农业综合开发")?;
    assert_eq!(
        (farm["due"].as_bool(), farm["last_evaluated_year"].as_i64()),
        (Some(false), Some(2019))
    );
    assert!(lines.iter().any(|l| l["due"] == true));
    let (status, _) = call(
        &app,
        &department,
        Method::GET,
        "/api/v1/evaluations/coverage?year=2019",
        None,
    )
    .await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    Ok(())
}
