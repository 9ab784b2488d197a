//! Indicators fed from records (issue 19 item 6, decision 0046), as each role uses them: a
//! hospital's 2020 health-assistance project binds its output indicator (households) to the
//! households whose plans charge a health measure to it; the value follows the plans; the
//! monitoring report and the self-evaluation read it and refuse a different value without a
//! written reason (nothing stored); a viewer may not bind; only a quantitative output indicator
//! in a fitting unit is bound; the records behind the value are listed; the board by township
//! counts the cases and measures.

use crate::support::{TestApp, TestResult, call};
use jixiao_core::scoring::{BudgetBlock, ItemInput};
use jixiao_interop::self_evaluation_xlsx::{
    MoneyUnit, SelfEvaluationTable, TableItem, write_table,
};
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

/// The project's sheet: 20 monitored households given health help at ≤ 50,000 元 each.
fn sheet(version: i64) -> Value {
    json!({
        "version": version,
        "overall_goal": "对因病存在返贫致贫风险的监测户落实健康帮扶，防止因病返贫",
        "annual_goal": "2020年为20户监测户落实健康帮扶措施",
        "indicators": [
            {"level1": "产出指标", "level2": "数量指标", "name": "落实健康帮扶的监测户数", "op": ">=", "value": "20", "unit": "户", "points": "30"},
            {"level1": "产出指标", "level2": "成本指标", "name": "户均帮扶成本", "op": "<=", "value": "50000", "unit": "元/户", "points": "20"},
            {"level1": "效益指标", "level2": "社会效益指标", "name": "帮扶户风险消除率", "op": ">=", "value": "50", "unit": "%", "points": "30"},
            {"level1": "满意度指标", "level2": "服务对象满意度指标", "name": "帮扶户满意度", "op": ">=", "value": "90", "unit": "%", "points": "20"}
        ]
    })
}

/// Creates the hospital's project, submits it and takes it through the three review steps.
async fn approved_project(app: &TestApp, unit: &str) -> Result<i64, Box<dyn std::error::Error>> {
    let (status, project) = call(
        app,
        unit,
        Method::POST,
        "/api/v1/projects",
        Some(
            json!({"year": 2020, "name": "2020年监测户健康帮扶", "category": "specific",
                    "requested_fen": 100_000_000}),
        ),
    )
    .await?;
    assert_eq!(status, StatusCode::CREATED, "{project}");
    let id = project["id"].as_i64().ok_or("id")?;
    let (status, saved) = call(
        app,
        unit,
        Method::PUT,
        &format!("/api/v1/projects/{id}/target"),
        Some(sheet(project["version"].as_i64().ok_or("version")?)),
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let (status, submitted) = call(
        app,
        unit,
        Method::POST,
        &format!("/api/v1/projects/{id}/submit"),
        Some(json!({"version": saved["version"]})),
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{submitted}");
    let path = format!("/api/v1/projects/{id}/review");
    for (who, decision) in [
        ("agency", json!({"decision": "approve"})),
        ("budget", json!({"decision": "approve"})),
        ("finance", json!({"decision": "approve", "grade": "良"})),
    ] {
        let token = app.token(who).await?;
        let (status, body) = call(app, &token, Method::POST, &path, Some(decision)).await?;
        assert_eq!(status, StatusCode::OK, "{who}: {body}");
    }
    Ok(id)
}

/// Opens a case from an open clue of the village and saves a plan with `measure`.
async fn case_with_measure(
    app: &TestApp,
    cadre: &str,
    clue: &Value,
    measure: Value,
) -> Result<i64, Box<dyn std::error::Error>> {
    let (status, file) = call(
        app,
        cadre,
        Method::POST,
        "/api/v1/risk-cases",
        Some(json!({"clue_id": clue["id"], "case_type": "marginal", "risks": ["illness"]})),
    )
    .await?;
    assert_eq!(status, StatusCode::CREATED, "{file}");
    let case = file["case"]["id"].as_i64().ok_or("case id")?;
    let (status, plan) = call(
        app,
        cadre,
        Method::POST,
        &format!("/api/v1/risk-cases/{case}/plan"),
        Some(json!({"version": 0, "measures": [measure]})),
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{plan}");
    clue["household_id"].as_i64().ok_or("household".into())
}

#[tokio::test]
async fn a_bound_indicator_reads_the_plans_in_monitoring_and_self_evaluation() -> TestResult {
    let app = TestApp::start_full().await?;
    let hospital = app.token("yiyuan").await?;
    let viewer = app.token("viewer").await?;
    let finance = app.token("finance").await?;
    let cadre = app.token("cun").await?;
    let id = approved_project(&app, &hospital).await?;
    let bindings = format!("/api/v1/projects/{id}/indicator-bindings");

    // Who may bind, and what.
    let health = json!({"row_no": 1, "measure": "households_with_measure:health"});
    let (status, _) = call(&app, &viewer, Method::POST, &bindings, Some(health.clone())).await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    for (row, code) in [(3, "not_a_quantitative_output"), (9, "no_such_row")] {
        let (status, body) = call(
            &app,
            &hospital,
            Method::POST,
            &bindings,
            Some(json!({"row_no": row, "measure": "households_with_measures"})),
        )
        .await?;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(codes(&body), [code]);
    }
    let (status, body) = call(
        &app,
        &hospital,
        Method::POST,
        &bindings,
        Some(json!({"row_no": 1, "measure": "people_everywhere"})),
    )
    .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(codes(&body), ["unknown_measure"]);
    let (status, bound) = call(&app, &hospital, Method::POST, &bindings, Some(health)).await?;
    assert_eq!(status, StatusCode::OK, "{bound}");
    assert_eq!(bound["bindings"][0]["value"], 0, "{bound}");

    // Two households of the village without a live clue: the cadre records a clue for each.
    let (_, live) = call(&app, &cadre, Method::GET, "/api/v1/clues", None).await?;
    let live: Vec<i64> = live
        .as_array()
        .ok_or("clues")?
        .iter()
        .filter(|c| c["status"] == "open" || c["status"] == "in_case")
        .filter_map(|c| c["household_id"].as_i64())
        .collect();
    let (_, own) = call(
        &app,
        &cadre,
        Method::GET,
        "/api/v1/households?per_page=100",
        None,
    )
    .await?;
    let mut clues = Vec::new();
    for household in own["households"].as_array().ok_or("households")? {
        let Some(household) = household["id"].as_i64() else {
            continue;
        };
        if live.contains(&household) || clues.len() == 2 {
            continue;
        }
        let (status, clue) = call(
            &app,
            &cadre,
            Method::POST,
            "/api/v1/clues",
            Some(json!({"household_id": household, "channel": "visit",
                        "message": "走访发现家中有慢性病患者，门诊费用负担较重"})),
        )
        .await?;
        assert_eq!(status, StatusCode::CREATED, "{clue}");
        clues.push(clue);
    }
    assert_eq!(clues.len(), 2, "two households without a live clue");
    // One gets a health measure charged to the project, the other an employment measure.
    let measure = |kind: &str, status: &str| {
        json!({"kind": kind, "description": "慢病门诊费用补助", "responsible_unit": "乐陵市人民医院",
               "start_on": "2020-03-01", "end_on": "2020-12-31", "amount_fen": 300_000,
               "project_id": id, "status": status})
    };
    let helped = case_with_measure(&app, &cadre, &clues[0], measure("health", "under_way")).await?;
    case_with_measure(&app, &cadre, &clues[1], measure("employment", "done")).await?;

    // The board by township counts them where they live (the demo's small registry has no
    // other case).
    let office = app.token("bangfu").await?;
    let (status, board) = call(
        &app,
        &office,
        Method::GET,
        "/api/v1/risk-cases/by-township",
        None,
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{board}");
    let lines = board.as_array().ok_or("lines")?;
    let total = lines.last().ok_or("total")?;
    assert_eq!(total["township_name"], "合计");
    assert_eq!(
        (
            &total["identifying"],
            &total["measures"],
            &total["measures_done"]
        ),
        (&json!(2), &json!(2), &json!(1)),
        "{board}"
    );
    // Every township with households due a visit has a line; only one has the cases.
    let with_cases: Vec<&Value> = lines[..lines.len() - 1]
        .iter()
        .filter(|l| l["identifying"].as_i64() > Some(0))
        .collect();
    assert_eq!(with_cases.len(), 1, "one township has the cases: {board}");
    assert_eq!(with_cases[0]["township_name"], "杨安镇");
    assert_eq!(with_cases[0]["identifying"], 2);
    let (status, _) = call(
        &app,
        &viewer,
        Method::GET,
        "/api/v1/risk-cases/by-township",
        None,
    )
    .await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, work_list) = app.signed_in("cun").await?.get("/risk-cases").await?;
    assert_eq!(status, StatusCode::OK);
    assert!(work_list.contains("各乡镇监测帮扶情况"), "{work_list}");
    assert!(
        work_list.contains("2020年8月走访")
            && work_list.contains("已访/应访")
            && work_list.contains("滞后户"),
        "the board carries the month's visits: {work_list}"
    );

    let (status, project) = call(
        &app,
        &viewer,
        Method::GET,
        &format!("/api/v1/projects/{id}"),
        None,
    )
    .await?;
    assert_eq!(status, StatusCode::OK);
    let binding = &project["target"]["indicators"][0]["binding"];
    assert_eq!(binding["value"], 1, "{project}");
    assert_eq!(binding["unit"], "户");
    assert!(project["target"]["indicators"][1]["binding"].is_null());
    let records_path = binding["records"].as_str().ok_or("records link")?;
    let (status, records) = call(&app, &viewer, Method::GET, records_path, None).await?;
    assert_eq!(status, StatusCode::OK, "{records}");
    assert_eq!(records["count"], 1);
    assert_eq!(records["records"][0]["household_id"], helped);
    let head = records["records"][0]["name"].as_str().ok_or("name")?;
    assert!(head.chars().skip(1).all(|c| c == '*'), "{head}");
    let browser = app.signed_in("viewer").await?;
    let (status, page) = browser
        .get(binding["source"].as_str().ok_or("source")?)
        .await?;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("指标取数明细") && page.contains("健康帮扶"),
        "{page}"
    );

    // Monitoring: the report reads 1; 3 without a reason is refused and nothing is stored.
    let (status, round) = call(
        &app,
        &finance,
        Method::POST,
        "/api/v1/monitoring-rounds",
        Some(
            json!({"year": 2020, "cutoff": "2020-10-31", "due": "2020-11-10",
                    "scope": "selected", "project_ids": [id]}),
        ),
    )
    .await?;
    assert_eq!(status, StatusCode::CREATED, "{round}");
    let report_path = format!(
        "/api/v1/monitoring-rounds/{}/reports/{id}",
        round["id"].as_i64().ok_or("round")?
    );
    let (status, report) = call(&app, &hospital, Method::GET, &report_path, None).await?;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["rows"][0]["computed"]["value"], 1, "{report}");
    assert_eq!(report["rows"][0]["entry"]["reached"], "1");
    let version = report["version"].clone();
    let rows = |reached: &str, reason: &str| {
        json!({"version": version, "rows": [
            {"row_no": 1, "reached": reached, "expected": "20", "outlook": "能", "override_reason": reason},
            {"row_no": 2, "reached": "45000", "expected": "50000", "outlook": "能"},
            {"row_no": 3, "reached": "40", "expected": "60", "outlook": "能"},
            {"row_no": 4, "reached": "92", "expected": "92", "outlook": "能"}]})
    };
    let (status, refused) = call(
        &app,
        &hospital,
        Method::PUT,
        &report_path,
        Some(rows("3", "")),
    )
    .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(refused.to_string().contains("调整理由"), "{refused}");
    let (_, unchanged) = call(&app, &hospital, Method::GET, &report_path, None).await?;
    assert_eq!(unchanged["version"], version, "nothing stored");
    assert_eq!(unchanged["rows"][1]["entry"]["reached"], "");
    let (status, saved) = call(
        &app,
        &hospital,
        Method::PUT,
        &report_path,
        Some(rows("3", "两户已帮扶，资料尚在录入")),
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["rows"][0]["entry"]["reached"], "3");
    assert_eq!(
        saved["rows"][0]["entry"]["override_reason"],
        "两户已帮扶，资料尚在录入"
    );
    let hospital_pages = app.signed_in("yiyuan").await?;
    let (status, page) = hospital_pages
        .get(&report_path.replace("/api/v1/monitoring-rounds", "/monitoring"))
        .await?;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("系统取数"), "{page}");
    assert!(
        page.contains(&format!(
            "/projects/{id}/indicators/1/records?as_of=2020-10-31"
        )),
        "the records at the cut-off: {page}"
    );
    assert!(page.contains("两户已帮扶，资料尚在录入"));

    // Self-evaluation: the year's value, and the same rule.
    let evaluation_path = format!("/api/v1/projects/{id}/self-evaluation");
    let (status, sheet) = call(&app, &hospital, Method::GET, &evaluation_path, None).await?;
    assert_eq!(status, StatusCode::OK, "{sheet}");
    assert_eq!(sheet["computed"][0]["value"], 1, "{sheet}");
    assert_eq!(sheet["computed"][0]["as_of"], "2020-12-31");
    assert_eq!(sheet["items"][0]["actual"], "1");
    let entries = |actual: &str, reason: &str| {
        json!({"version": 0, "summary": "已完成", "entries": [
            {"row_no": 1, "actual": actual, "override_reason": reason,
             "deviation_reason": "监测户识别晚于预期", "improvement": "加快识别纳入"},
            {"row_no": 2, "actual": "45000"}, {"row_no": 3, "actual": "60"},
            {"row_no": 4, "actual": "95"}]})
    };
    let (status, refused) = call(
        &app,
        &hospital,
        Method::PUT,
        &evaluation_path,
        Some(entries("2", "")),
    )
    .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    let (_, unchanged) = call(&app, &hospital, Method::GET, &evaluation_path, None).await?;
    assert_eq!(unchanged["state"], "not_started", "nothing stored");
    let (status, saved) = call(
        &app,
        &hospital,
        Method::PUT,
        &evaluation_path,
        Some(entries("", "")),
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["items"][0]["actual"], "1", "{saved}");
    assert_eq!(saved["items"][0]["record_value"], 1);

    // The hospital's filled Excel table says 2 where the records give 1: the table is stored
    // as submitted (it is what the unit signed), the records' value kept beside it, and the
    // difference is a finding for the reviewer.
    let row = |level1: &str,
               level2: &str,
               name: &str,
               op: &str,
               target: &str,
               unit: &str,
               points: &str,
               actual: &str| TableItem {
        sheet_row: 0,
        input: ItemInput {
            level1: level1.to_owned(),
            level2: level2.to_owned(),
            name: name.to_owned(),
            op: op.to_owned(),
            target: target.to_owned(),
            unit: unit.to_owned(),
            points: points.to_owned(),
            actual: actual.to_owned(),
            ..ItemInput::default()
        },
        published_x100: None,
    };
    let table = SelfEvaluationTable {
        sheet: "Sheet1".to_owned(),
        project: "2020年监测户健康帮扶".to_owned(),
        department: "乐陵市卫生健康局".to_owned(),
        implementing_unit: "乐陵市人民医院".to_owned(),
        year: Some(2020),
        unit: MoneyUnit::Yuan,
        budget: BudgetBlock {
            initial_fen: 100_000_000,
            full_year_fen: 100_000_000,
            executed_fen: 90_000_000,
        },
        execution_points_x100: Some(1000),
        execution_published_x100: None,
        goal_expected: "2020年为20户监测户落实健康帮扶措施".to_owned(),
        goal_actual: "已为2户落实".to_owned(),
        items: vec![
            row(
                "产出指标",
                "数量指标",
                "落实健康帮扶的监测户数",
                "≥",
                "20",
                "户",
                "30",
                "2",
            ),
            row(
                "产出指标",
                "成本指标",
                "户均帮扶成本",
                "≤",
                "50000",
                "元/户",
                "20",
                "45000",
            ),
            row(
                "效益指标",
                "社会效益指标",
                "帮扶户风险消除率",
                "≥",
                "50",
                "%",
                "30",
                "60",
            ),
            row(
                "满意度指标",
                "服务对象满意度指标",
                "帮扶户满意度",
                "≥",
                "90",
                "%",
                "20",
                "95",
            ),
        ],
        total_published_x100: None,
    };
    let browser = app.signed_in("yiyuan").await?;
    let page = format!("/projects/{id}/self-evaluation");
    let (status, _, html) = browser
        .upload(
            &page,
            &format!("{page}/upload"),
            write_table(&table)?,
            "自评表.xlsx",
            true,
        )
        .await?;
    assert_eq!(status, StatusCode::OK, "{html}");
    let (_, imported) = call(&app, &hospital, Method::GET, &evaluation_path, None).await?;
    assert_eq!(imported["source"], "import", "{imported}");
    assert_eq!(imported["items"][0]["actual"], "2");
    assert_eq!(imported["items"][0]["record_value"], 1, "{imported}");
    let differs = imported["findings"]
        .as_array()
        .ok_or("findings")?
        .iter()
        .find(|f| f["code"] == "record_value_differs")
        .ok_or(format!("a finding on the bound row: {imported}"))?;
    assert_eq!(differs["row"], 1);
    assert!(
        differs["message"]
            .as_str()
            .is_some_and(|m| m.contains("业务记录取数为1户")),
        "{differs}"
    );

    // Unbinding: not the viewer's; the indicator is typed by hand again.
    let row = format!("{bindings}/1");
    let (status, _) = call(&app, &viewer, Method::DELETE, &row, None).await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, left) = call(&app, &hospital, Method::DELETE, &row, None).await?;
    assert_eq!(status, StatusCode::OK, "{left}");
    assert_eq!(left["bindings"], json!([]));
    let (status, _) = call(&app, &hospital, Method::DELETE, &row, None).await?;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, trail) = call(
        &app,
        &app.token("admin").await?,
        Method::GET,
        "/api/v1/audit?actor=yiyuan&entity=project",
        None,
    )
    .await?;
    assert!(
        trail.to_string().contains("households_with_measure:health"),
        "{trail}"
    );
    Ok(())
}
