//! The dashboard over HTTP: its API figures agree with the other endpoints (cuts, execution,
//! rectifications, grades), the page draws the same numbers, the Excel download carries them,
//! drill-down narrows to a department and its projects, and rights hold.

use crate::support::{TestApp, TestResult, call};
use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::io::Cursor;

fn rate(bp: i64) -> String {
    format!("{}.{:02}%", bp / 100, bp % 100)
}

fn sum(list: &Value, field: &str) -> i64 {
    list.as_array()
        .map(|a| a.iter().filter_map(|x| x[field].as_i64()).sum())
        .unwrap_or(0)
}

#[tokio::test]
async fn dashboard_figures_agree_with_the_other_endpoints() -> TestResult {
    let app = TestApp::start_full().await?;
    let finance = app.token("finance").await?;
    let (status, d) = call(
        &app,
        &finance,
        Method::GET,
        "/api/v1/stats/dashboard?year=2019",
        None,
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{d}");
    // The seed: 705 projects, 273,180.48万元 under performance management.
    assert_eq!(d["covered_projects"], 705);
    assert_eq!(d["covered_fen"], 273_180_480_000_i64);
    let grades: Vec<i64> = d["grades"]
        .as_array()
        .ok_or("grades")?
        .iter()
        .filter_map(|g| g["count"].as_i64())
        .collect();
    assert_eq!(grades, vec![315, 281, 94, 15]);
    // Money cut: the same as /stats/cuts, 1,000万元 from five projects.
    let (_, cuts) = call(
        &app,
        &finance,
        Method::GET,
        "/api/v1/stats/cuts?year=2019",
        None,
    )
    .await?;
    assert_eq!(d["cuts_from_year"]["amount_fen"], cuts["amount_fen"]);
    assert_eq!(d["cuts_from_year"]["amount_fen"], 1_000_000_000_i64);
    assert_eq!(d["cuts_from_year"]["projects"], 5);
    // Execution: the same as /stats/execution; the months add up to it.
    let (_, execution) = call(
        &app,
        &finance,
        Method::GET,
        "/api/v1/stats/execution?year=2019",
        None,
    )
    .await?;
    assert_eq!(d["used_fen"], execution[0]["used_fen"]);
    assert_eq!(d["limit_fen"], execution[0]["limit_fen"]);
    assert_eq!(
        rate(d["rate_bp"].as_i64().ok_or("rate")?),
        execution[0]["execution_rate"]
            .as_str()
            .ok_or("execution_rate")?,
        "the same rounding as the execution figures"
    );
    for row in execution.as_array().ok_or("execution")?.iter().skip(1) {
        let agency = d["agencies"]
            .as_array()
            .ok_or("agencies")?
            .iter()
            .find(|a| a["code"] == row["agency"])
            .ok_or("department")?;
        assert_eq!(
            rate(agency["rate_bp"].as_i64().ok_or("rate")?),
            row["execution_rate"].as_str().ok_or("execution_rate")?
        );
    }
    let months = d["months"].as_array().ok_or("months")?;
    assert_eq!(months.len(), 12);
    assert_eq!(
        sum(&d["months"], "paid_fen"),
        d["used_fen"].as_i64().ok_or("used")?
    );
    assert_eq!(months[11]["cumulative_fen"], d["used_fen"]);
    assert_eq!(months[11]["time_progress_bp"], 10_000);
    // Departments add up to the whole.
    assert_eq!(
        sum(&d["agencies"], "used_fen"),
        d["used_fen"].as_i64().ok_or("used")?
    );
    assert_eq!(sum(&d["agencies"], "projects"), 705);
    // Rectification items: the same as the rectification list.
    let (_, items) = call(
        &app,
        &finance,
        Method::GET,
        "/api/v1/rectifications?year=2019",
        None,
    )
    .await?;
    let listed = items.as_array().ok_or("items")?;
    assert_eq!(
        usize::try_from(sum(&d["rectifications"], "count"))?,
        listed.len()
    );
    assert!(!listed.is_empty());

    // 2020: last year's cuts land in this year's budget; alerts by level add up per agency.
    let (_, d20) = call(
        &app,
        &finance,
        Method::GET,
        "/api/v1/stats/dashboard?year=2020",
        None,
    )
    .await?;
    assert_eq!(d20["cuts_into_year"]["amount_fen"], cuts["amount_fen"]);
    let red = d20["alerts"][0]["count"].as_i64().ok_or("red")?;
    let yellow = d20["alerts"][1]["count"].as_i64().ok_or("yellow")?;
    assert!(red + yellow > 0);
    assert_eq!(sum(&d20["agencies"], "red_alerts"), red);
    assert_eq!(sum(&d20["agencies"], "yellow_alerts"), yellow);

    // Drill-down: the disabled persons' federation, its projects with the 160万元 approval.
    let (status, dept) = call(
        &app,
        &finance,
        Method::GET,
        "/api/v1/stats/dashboard?year=2020&department=112",
        None,
    )
    .await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(dept["department"]["name"], "乐陵市残疾人联合会");
    let line = dept["project_lines"]
        .as_array()
        .ok_or("lines")?
        .iter()
        .find(|p| p["name"] == "2020年残疾人就业帮扶")
        .ok_or("就业帮扶")?;
    assert_eq!(line["approved_fen"], 160_000_000);
    let city_row = d20["agencies"]
        .as_array()
        .ok_or("agencies")?
        .iter()
        .find(|a| a["code"] == "112")
        .ok_or("112")?;
    assert_eq!(dept["used_fen"], city_row["used_fen"]);
    assert_eq!(dept["covered_fen"], city_row["approved_fen"]);

    // Unknown department: 404; an agency cannot look into another department; experts none.
    let (status, error) = call(
        &app,
        &finance,
        Method::GET,
        "/api/v1/stats/dashboard?year=2020&department=999",
        None,
    )
    .await?;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(error["error"]["code"].is_string());
    let canlian = app.token("canlian").await?;
    let (status, _) = call(
        &app,
        &canlian,
        Method::GET,
        "/api/v1/stats/dashboard?year=2020&department=105",
        None,
    )
    .await?;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, own) = call(
        &app,
        &canlian,
        Method::GET,
        "/api/v1/stats/dashboard?year=2020",
        None,
    )
    .await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(own["agencies"].as_array().map(Vec::len), Some(1));
    assert_eq!(own["used_fen"], dept["used_fen"]);
    let expert = app.token("expert").await?;
    let (status, _) = call(
        &app,
        &expert,
        Method::GET,
        "/api/v1/stats/dashboard?year=2020",
        None,
    )
    .await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    Ok(())
}

#[tokio::test]
async fn dashboard_page_and_excel_show_the_api_figures() -> TestResult {
    let app = TestApp::start_full().await?;
    let token = app.token("finance").await?;
    let (_, d) = call(
        &app,
        &token,
        Method::GET,
        "/api/v1/stats/dashboard?year=2019",
        None,
    )
    .await?;
    let finance = app.signed_in("finance").await?;
    let (status, html) = finance.get("/dashboard?year=2019").await?;
    assert_eq!(status, StatusCode::OK);
    // The charts: line, bars and donuts, with the API's numbers.
    for class in ["line-chart", "bar-chart", "donut-chart"] {
        assert!(html.contains(&format!("<svg class=\"{class}\"")), "{class}");
    }
    let overall = rate(d["rate_bp"].as_i64().ok_or("rate")?);
    assert!(
        html.contains(&format!(">{overall}</text>")),
        "{overall} at the line's end"
    );
    assert!(html.contains("705 个</text>"), "grades donut total");
    assert!(html.contains("优 315 个"));
    for agency in d["agencies"].as_array().ok_or("agencies")? {
        let name = agency["name"].as_str().ok_or("name")?;
        let shown = rate(agency["rate_bp"].as_i64().ok_or("rate")?);
        assert!(html.contains(&format!(">{name}</text>")), "{name} bar");
        assert!(html.contains(&shown), "{name} {shown}");
        let code = agency["code"].as_str().ok_or("code")?;
        assert!(html.contains(&format!("/dashboard?year=2019&amp;department={code}")));
    }
    assert!(html.contains("1,000.00 万元"), "the cut");

    // Drill down to a department and on to a project.
    let (_, html) = finance.get("/dashboard?year=2020&department=112").await?;
    assert!(html.contains("乐陵市残疾人联合会") && html.contains("2020年残疾人就业帮扶"));
    assert!(html.contains("/dashboard/export.xlsx?year=2020&amp;department=112"));
    let id = crate::support::project_named(&app, &token, 2020, "2020年残疾人就业帮扶").await?;
    assert!(html.contains(&format!("href=\"/projects/{id}\"")));
    let (status, html) = finance.get("/dashboard?year=2020&department=999").await?;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("部门不存在"));

    // Excel: the months and the departments as numbers.
    let response = finance
        .client
        .get(app.url("/dashboard/export.xlsx?year=2019"))
        .send()
        .await?;
    assert_eq!(response.status(), StatusCode::OK);
    let bytes = response.bytes().await?.to_vec();
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes))?;
    assert_eq!(
        book.sheet_names(),
        vec!["执行进度", "各部门", "预警评价整改"]
    );
    let months = book.worksheet_range("执行进度")?;
    // Twelve months and the year's total of the month's payments.
    assert_eq!(months.height(), 2 + 12 + 1);
    match months.get_value((14, 1)) {
        Some(Data::Float(v)) => {
            let used_wan = d["used_fen"].as_f64().ok_or("used")? / 1_000_000.0;
            assert!((v - used_wan).abs() < 0.001, "{v} {used_wan}");
        }
        other => return Err(format!("total: {other:?}").into()),
    }
    let used_wan = d["used_fen"].as_f64().ok_or("used")? / 1_000_000.0;
    match months.get_value((13, 2)) {
        Some(Data::Float(v)) => assert!((v - used_wan).abs() < 0.001, "{v} {used_wan}"),
        other => return Err(format!("cumulative: {other:?}").into()),
    }
    let departments = book.worksheet_range("各部门")?;
    assert_eq!(
        departments.height(),
        2 + d["agencies"].as_array().map_or(0, Vec::len) + 1
    );
    let grades = book.worksheet_range("预警评价整改")?;
    assert!(
        grades
            .rows()
            .any(|r| r.get(1) == Some(&Data::String("优".to_owned()))
                && r.get(2) == Some(&Data::Float(315.0)))
    );
    Ok(())
}
