//! Target sheets through Excel over HTTP, as an agency would: download the template, upload it
//! with mistakes and see them by cell with nothing stored, fix them, upload again and submit;
//! bulk workbooks with a report per project; files of the wrong kind, year, category or size.

use crate::support::{TestApp, TestResult, call, csrf_of, project_named};
use jixiao_core::target::IndicatorInput;
use jixiao_interop::target_sheet_xlsx::{
    TemplateLists, TemplateSheet, read_workbook, write_templates,
};
use reqwest::{Method, StatusCode};
use serde_json::Value;

const LIMIT: u64 = 20 * 1024 * 1024;

fn rows_of(target: &Value) -> Vec<IndicatorInput> {
    target["indicators"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|i| IndicatorInput {
                    level1: i["level1"].as_str().unwrap_or("").to_owned(),
                    level2: i["level2"].as_str().unwrap_or("").to_owned(),
                    name: i["name"].as_str().unwrap_or("").to_owned(),
                    op: i["op"].as_str().unwrap_or("").to_owned(),
                    value: i["value"].as_str().unwrap_or("").to_owned(),
                    unit: i["unit"].as_str().unwrap_or("").to_owned(),
                    points: i["points"].as_str().unwrap_or("").to_owned(),
                    value_basis: i["value_basis"].as_str().unwrap_or("").to_owned(),
                    explanation: i["explanation"].as_str().unwrap_or("").to_owned(),
                    data_source: i["data_source"].as_str().unwrap_or("").to_owned(),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The project's own template with `rows` typed in, as a spreadsheet program would save it.
fn filled(
    template: &[u8],
    lists: &TemplateLists,
    overall: &str,
    annual: &str,
    rows: Vec<IndicatorInput>,
) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    let sheet = read_workbook(template, LIMIT)?.remove(0);
    let category_name = "专项业务类".to_owned();
    Ok(write_templates(
        lists,
        &[TemplateSheet {
            sheet_name: sheet.sheet.clone(),
            year: sheet.year.ok_or("year")?,
            category_code: sheet.category_code.clone(),
            category_name,
            project_code: sheet.project_code.clone(),
            overall_goal: overall.to_owned(),
            annual_goal: annual.to_owned(),
            rows,
            ..TemplateSheet::default()
        }],
    )?)
}

fn lists() -> TemplateLists {
    TemplateLists {
        rulebook_name: "全国通用默认规则".to_owned(),
        level1: vec!["产出指标".to_owned()],
        level2: vec!["数量指标".to_owned()],
    }
}

#[tokio::test]
async fn an_agency_fills_the_excel_template_fixes_its_errors_and_submits() -> TestResult {
    let app = TestApp::start_full().await?;
    let token = app.token("canlian").await?;
    let id = project_named(&app, &token, 2020, "2020年盲人按摩培训").await?;
    let approved = project_named(&app, &token, 2020, "2020年残疾人就业帮扶").await?;
    let (_, model) = call(
        &app,
        &token,
        Method::GET,
        &format!("/api/v1/projects/{approved}"),
        None,
    )
    .await?;
    let good_rows = rows_of(&model["target"]);
    assert!(good_rows.len() >= 3);
    let (_, before) = call(
        &app,
        &token,
        Method::GET,
        &format!("/api/v1/projects/{id}"),
        None,
    )
    .await?;

    let agency = app.signed_in("canlian").await?;
    let page = format!("/projects/{id}/target");
    let (_, html) = agency.get(&page).await?;
    assert!(html.contains(&format!("/projects/{id}/target.xlsx")) && html.contains("用Excel填报"));
    let template = agency
        .download(&format!("/projects/{id}/target.xlsx"))
        .await?;

    // Mistakes: a level-2 not under its level-1, a number that is not one.
    let mut bad_rows = good_rows.clone();
    bad_rows[0].level2 = "满意度".to_owned();
    bad_rows[1].op = "≥".to_owned();
    bad_rows[1].value = "很多".to_owned();
    let bad = filled(&template, &lists(), "培训盲人按摩师", "全年培训", bad_rows)?;
    let (status, _, html) = agency
        .upload(&page, &format!("{page}/upload"), bad, "目标表.xlsx", true)
        .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("B10单元格"), "level-2 error by cell: {html}");
    assert!(html.contains("E11单元格"), "value error by cell");
    assert!(html.contains("没有保存任何内容"));
    let (_, after) = call(
        &app,
        &token,
        Method::GET,
        &format!("/api/v1/projects/{id}"),
        None,
    )
    .await?;
    assert_eq!(after["target"], before["target"], "nothing stored");
    assert_eq!(after["version"], before["version"]);

    // Fixed: stored, shown back, submitted.
    let good = filled(
        &template,
        &lists(),
        "培训盲人按摩师",
        "全年培训60人",
        good_rows.clone(),
    )?;
    let (status, location, _) = agency
        .upload(&page, &format!("{page}/upload"), good, "目标表.xlsx", true)
        .await?;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, format!("/projects/{id}/target?done=uploaded"));
    let (_, html) = agency.get(&location).await?;
    assert!(html.contains("已从Excel导入"));
    let (_, stored) = call(
        &app,
        &token,
        Method::GET,
        &format!("/api/v1/projects/{id}"),
        None,
    )
    .await?;
    assert_eq!(stored["target"]["annual_goal"], "全年培训60人");
    let names: Vec<&str> = stored["target"]["indicators"]
        .as_array()
        .ok_or("indicators")?
        .iter()
        .filter_map(|i| i["name"].as_str())
        .collect();
    let expected: Vec<&str> = good_rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, expected);
    let project_page = format!("/projects/{id}");
    let (_, html) = agency.get(&project_page).await?;
    let csrf = csrf_of(&html).ok_or("csrf")?;
    let version = stored["version"].to_string();
    let response = agency
        .post_raw(
            &format!("{project_page}/submit"),
            &[("_csrf", csrf.as_str()), ("version", version.as_str())],
        )
        .await?;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, submitted) = call(
        &app,
        &token,
        Method::GET,
        &format!("/api/v1/projects/{id}"),
        None,
    )
    .await?;
    assert_eq!(submitted["state"], "submitted");
    Ok(())
}

#[tokio::test]
async fn wrong_files_are_refused_with_nothing_stored() -> TestResult {
    let app = TestApp::start_full().await?;
    let token = app.token("canlian").await?;
    let id = project_named(&app, &token, 2020, "2020年盲人按摩培训").await?;
    let (_, before) = call(
        &app,
        &token,
        Method::GET,
        &format!("/api/v1/projects/{id}"),
        None,
    )
    .await?;
    let agency = app.signed_in("canlian").await?;
    let page = format!("/projects/{id}/target");
    let action = format!("{page}/upload");

    // A template of another year.
    let other_year = agency
        .download("/targets/template.xlsx?year=2019&category=specific")
        .await?;
    let (status, _, html) = agency
        .upload(&page, &action, other_year, "目标表.xlsx", true)
        .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("模板为2019年度"), "{html}");
    // Not a workbook; a workbook of something else; too large.
    let (status, _, html) = agency
        .upload(&page, &action, b"a,b\n1,2\n".to_vec(), "目标表.xlsx", true)
        .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("不是有效的 .xlsx 工作簿"));
    let (status, _, html) = agency
        .upload(
            &page,
            &action,
            vec![b'P'; 21 * 1024 * 1024],
            "目标表.xlsx",
            true,
        )
        .await?;
    assert!(status.is_client_error(), "{status}");
    assert!(html.contains("超过上限"), "{html}");
    // Without the form token, or as finance: refused.
    let template = agency
        .download(&format!("/projects/{id}/target.xlsx"))
        .await?;
    let (status, _, _) = agency
        .upload(&page, &action, template.clone(), "目标表.xlsx", false)
        .await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let finance = app.signed_in("finance").await?;
    let (status, _, _) = finance
        .upload("/projects", &action, template, "目标表.xlsx", true)
        .await?;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (_, after) = call(
        &app,
        &token,
        Method::GET,
        &format!("/api/v1/projects/{id}"),
        None,
    )
    .await?;
    assert_eq!(after, before, "nothing changed");
    Ok(())
}

#[tokio::test]
async fn a_bulk_workbook_is_stored_whole_or_not_at_all_with_a_report_per_project() -> TestResult {
    let app = TestApp::start_full().await?;
    let token = app.token("canlian").await?;
    let id = project_named(&app, &token, 2020, "2020年盲人按摩培训").await?;
    let approved = project_named(&app, &token, 2020, "2020年残疾人就业帮扶").await?;
    let (_, model) = call(
        &app,
        &token,
        Method::GET,
        &format!("/api/v1/projects/{approved}"),
        None,
    )
    .await?;
    let agency = app.signed_in("canlian").await?;
    let (_, html) = agency.get("/projects?year=2020").await?;
    assert!(html.contains("/targets/drafts.xlsx") && html.contains("批量上传"));
    let drafts = agency.download("/targets/drafts.xlsx?year=2020").await?;
    let sheets = read_workbook(&drafts, LIMIT)?;
    let (_, project) = call(
        &app,
        &token,
        Method::GET,
        &format!("/api/v1/projects/{id}"),
        None,
    )
    .await?;
    let code = project["code"].as_str().ok_or("code")?;
    assert!(
        sheets.iter().any(|s| s.project_code == code),
        "the draft has its sheet"
    );
    assert!(
        sheets.iter().all(|s| s.project_code.starts_with("112")),
        "only the agency's own drafts"
    );

    // Two sheets: this draft filled right, and another agency's project.
    let good = TemplateSheet {
        sheet_name: code.to_owned(),
        year: 2020,
        category_code: "specific".to_owned(),
        category_name: "专项业务类".to_owned(),
        project_code: code.to_owned(),
        overall_goal: "培训盲人按摩师".to_owned(),
        annual_goal: "全年培训60人".to_owned(),
        rows: rows_of(&model["target"]),
        ..TemplateSheet::default()
    };
    let foreign = TemplateSheet {
        sheet_name: "114-2020-000711".to_owned(),
        project_code: "114-2020-000711".to_owned(),
        ..good.clone()
    };
    let workbook = write_templates(&lists(), &[good.clone(), foreign])?;
    let (status, _, html) = agency
        .upload(
            "/projects",
            "/targets/upload",
            workbook,
            "目标表.xlsx",
            true,
        )
        .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("无误，未保存"),
        "the sound sheet is reported: {html}"
    );
    assert!(html.contains("未找到项目编码“114-2020-000711”"));
    let path = format!("/api/v1/projects/{id}");
    let (_, unchanged) = call(&app, &token, Method::GET, &path, None).await?;
    assert_eq!(unchanged["target"], project["target"], "nothing stored");

    // Without the stranger's sheet: stored, every sheet in one go.
    let workbook = write_templates(&lists(), &[good])?;
    let (status, _, html) = agency
        .upload(
            "/projects",
            "/targets/upload",
            workbook,
            "目标表.xlsx",
            true,
        )
        .await?;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("已保存") && html.contains("全部工作表已导入"));
    let (_, stored) = call(&app, &token, Method::GET, &path, None).await?;
    assert_eq!(stored["target"]["annual_goal"], "全年培训60人");
    Ok(())
}

#[tokio::test]
async fn one_upload_reports_formulas_and_row_errors_together() -> TestResult {
    use jixiao_interop::target_sheet_xlsx::{COLUMNS, MARKER};
    let app = TestApp::start_full().await?;
    let token = app.token("canlian").await?;
    let id = project_named(&app, &token, 2020, "2020年盲人按摩培训").await?;
    let (_, project) = call(
        &app,
        &token,
        Method::GET,
        &format!("/api/v1/projects/{id}"),
        None,
    )
    .await?;
    let code = project["code"].as_str().ok_or("code")?;
    // As a spreadsheet program would save the template after a careless edit.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(code)?;
    sheet.write_string(2, 1, code)?;
    sheet.write_string(3, 1, "2020")?;
    sheet.write_string(3, 4, "专项业务类（specific）")?;
    for (col, (header, _, _)) in COLUMNS.iter().enumerate() {
        sheet.write_string(8, u16::try_from(col)?, *header)?;
    }
    for (col, value) in ["产出指标", "满意度", "培训人数", "≥", "60", "人", "30"]
        .iter()
        .enumerate()
    {
        sheet.write_string(9, u16::try_from(col)?, *value)?;
    }
    for (col, value) in ["产出指标", "数量指标", "结业人数", "≥", "", "人", "30"]
        .iter()
        .enumerate()
    {
        sheet.write_string(10, u16::try_from(col)?, *value)?;
    }
    sheet.write_formula(10, 4, "=30*2")?;
    let options = book.add_worksheet();
    options.set_name("选项")?;
    options.write_string(0, 0, MARKER)?;
    let bytes = book.save_to_buffer()?;

    let agency = app.signed_in("canlian").await?;
    let page = format!("/projects/{id}/target");
    let (status, _, html) = agency
        .upload(&page, &format!("{page}/upload"), bytes, "目标表.xlsx", true)
        .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let level2 = html.find("B10单元格").ok_or("level-2 error")?;
    let formula = html.find("E11单元格：是公式（=30*2）").ok_or("formula")?;
    assert!(level2 < formula, "in the order of the sheet");
    let (_, after) = call(
        &app,
        &token,
        Method::GET,
        &format!("/api/v1/projects/{id}"),
        None,
    )
    .await?;
    assert_eq!(after["target"], project["target"], "nothing stored");
    Ok(())
}
