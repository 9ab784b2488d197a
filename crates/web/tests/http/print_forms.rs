//! Print-ready forms over HTTP: the target sheet, the monitoring report and the key evaluation
//! summary carry the official layout's parts (signature line, seal areas) and the stored figures;
//! rights are those of the pages they print.

use crate::support::{TestApp, TestResult, call, project_named};
use reqwest::{Method, StatusCode};

#[tokio::test]
async fn official_forms_print_with_their_figures_and_seal_areas() -> TestResult {
    let app = TestApp::start_full().await?;
    let token = app.token("finance").await?;
    let finance = app.signed_in("finance").await?;

    // The target sheet of an approved project: its approved indicators and amount.
    let id = project_named(&app, &token, 2020, "2020年残疾人就业帮扶").await?;
    let (status, html) = finance.get(&format!("/projects/{id}/target/print")).await?;
    assert_eq!(status, StatusCode::OK);
    for part in [
        "项目支出绩效目标申报表",
        "2020年残疾人就业帮扶",
        "乐陵市残疾人联合会",
        "批复 160.00",
        "单位负责人（签字）",
        "（盖章）",
        "data-print",
    ] {
        assert!(html.contains(part), "{part}");
    }
    let (_, project) = call(
        &app,
        &token,
        Method::GET,
        &format!("/api/v1/projects/{id}"),
        None,
    )
    .await?;
    let first = &project["target"]["indicators"][0];
    let name = first["name"].as_str().ok_or("name")?;
    assert!(html.contains(name));

    // The monitoring report of 2020年妇幼健康服务: the ledger's figures as of the cutoff.
    let report_project = project_named(&app, &token, 2020, "2020年妇幼健康服务").await?;
    let (_, rounds) = call(&app, &token, Method::GET, "/api/v1/monitoring-rounds", None).await?;
    let round = rounds[0]["id"].as_i64().ok_or("round")?;
    let (_, report) = call(
        &app,
        &token,
        Method::GET,
        &format!("/api/v1/monitoring-rounds/{round}/reports/{report_project}"),
        None,
    )
    .await?;
    let (status, html) = finance
        .get(&format!(
            "/monitoring/{round}/reports/{report_project}/print"
        ))
        .await?;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("项目支出绩效运行监控表") && html.contains("（盖章）"));
    let spent = report["spent_fen"].as_i64().ok_or("spent")?;
    let spent_wan = format!("{}.{:02}", spent / 1_000_000, spent % 1_000_000 / 10_000);
    assert!(html.contains(&spent_wan), "{spent_wan}");

    // The key evaluation summary: final score, grade, problems, the institution's seal.
    let (_, evaluations) = call(&app, &token, Method::GET, "/api/v1/evaluations", None).await?;
    let gonggang = evaluations
        .as_array()
        .ok_or("evaluations")?
        .iter()
        .find(|e| e["project_name"] == "2019年公岗扶贫")
        .ok_or("公岗扶贫")?;
    let eid = gonggang["id"].as_i64().ok_or("id")?;
    let (status, html) = finance.get(&format!("/evaluations/{eid}/print")).await?;
    assert_eq!(status, StatusCode::OK);
    for part in [
        "结果报告摘要",
        "86.00",
        "良",
        "发现的问题",
        "评价机构负责人（签字）",
        "（盖章）",
    ] {
        assert!(html.contains(part), "{part}");
    }

    // Rights: another agency does not see the federation's sheet; experts print no targets.
    let agency = app.signed_in("agency").await?;
    let (status, _) = agency.get(&format!("/projects/{id}/target/print")).await?;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let expert = app.signed_in("expert").await?;
    let (status, _) = expert.get(&format!("/projects/{id}/target/print")).await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    Ok(())
}
