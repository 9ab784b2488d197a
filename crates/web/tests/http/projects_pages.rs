//! The project pages as a new user tries them on the demo: an agency fills a target sheet on
//! one page, is stopped by the gate with every finding, fixes it and submits; finance returns it
//! once, then approves it with an amount; the dashboard shows the seed's figures.

use crate::support::{Browser, TestApp, TestResult, csrf_of};
use reqwest::StatusCode;
use reqwest::header::LOCATION;

pub(crate) fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

/// The value of the hidden `version` field of a page.
fn version_of(html: &str) -> Option<String> {
    let marker = "name=\"version\" value=\"";
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_owned())
}

pub(crate) async fn post_with_page_tokens(
    browser: &Browser,
    page: &str,
    action: &str,
    form: &[(&str, &str)],
) -> Result<reqwest::Response, Box<dyn std::error::Error>> {
    let (_, html) = browser.get(page).await?;
    let csrf = csrf_of(&html).ok_or("csrf")?;
    let version = version_of(&html).unwrap_or_default();
    let mut fields: Vec<(&str, &str)> = vec![("_csrf", &csrf), ("version", &version)];
    fields.extend_from_slice(form);
    Ok(browser.post_raw(action, &fields).await?)
}

#[tokio::test]
async fn an_agency_fills_targets_meets_the_gate_and_finance_approves() -> TestResult {
    let app = TestApp::start().await?;
    let agency = app.signed_in("agency").await?;

    // Record the project.
    let response = agency
        .submit(
            "/projects/new",
            "/projects",
            &[
                ("name", "2020年妇幼健康服务"),
                ("agency", "114"),
                ("year", "2020"),
                ("category", "specific"),
                ("is_new", "false"),
                ("requested", "35.5"),
                ("serves_people", "true"),
            ],
        )
        .await?;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let target_page = location(&response)
        .split('?')
        .next()
        .unwrap_or("")
        .to_owned();
    assert!(target_page.ends_with("/target"), "{target_page}");
    let project_page = target_page.trim_end_matches("/target").to_owned();

    // Fill the grid: one row lacks its unit; another has a value that is not a number.
    let grid = |unit2: &'static str, value3: &'static str| -> Vec<(&'static str, &'static str)> {
        vec![
            ("overall_goal", "提升妇幼健康服务水平"),
            ("annual_goal", ""),
            ("r0_level1", "产出指标"),
            ("r0_level2", "数量指标"),
            ("r0_name", "孕产妇健康管理人数"),
            ("r0_op", ">="),
            ("r0_value", "800"),
            ("r0_unit", "人"),
            ("r0_points", "40"),
            ("r1_level1", "效益指标"),
            ("r1_level2", "社会效益指标"),
            ("r1_name", "孕产妇系统管理率"),
            ("r1_op", ">="),
            ("r1_value", "90"),
            ("r1_unit", unit2),
            ("r1_points", "40"),
            ("r2_level1", "满意度指标"),
            ("r2_level2", "服务对象满意度指标"),
            ("r2_name", "服务对象满意度"),
            ("r2_op", ">="),
            ("r2_value", value3),
            ("r2_unit", "%"),
            ("r2_points", "20"),
            ("r3_level1", ""),
            ("r3_level2", ""),
            ("r3_name", ""),
            ("r3_op", ""),
            ("r3_value", ""),
            ("r3_unit", ""),
            ("r3_points", ""),
        ]
    };
    let mut form = grid("", "九十");
    form.push(("action", "submit"));
    let response = post_with_page_tokens(&agency, &target_page, &target_page, &form).await?;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await?;
    assert!(html.contains("第3行：定量指标的指标值“九十”不是数字"));
    assert!(
        html.contains("value=\"孕产妇系统管理率\""),
        "entries are kept"
    );
    assert!(
        html.contains("value=\"九十\""),
        "the bad entry is shown back"
    );

    // Fix the number: saved, but the gate lists every finding, each by its row.
    let mut form = grid("", "90");
    form.push(("action", "submit"));
    let response = post_with_page_tokens(&agency, &target_page, &target_page, &form).await?;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await?;
    assert!(html.contains("未通过绩效目标审核关口"));
    assert!(html.contains("缺少年度目标"));
    assert!(html.contains("第2行：定量指标缺少计量单位"));

    // Fix it and submit.
    let mut form = grid("%", "90");
    form[1] = ("annual_goal", "2020年孕产妇健康管理800人");
    form.push(("action", "submit"));
    let response = post_with_page_tokens(&agency, &target_page, &target_page, &form).await?;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "{}",
        response.text().await.unwrap_or_default()
    );
    let (_, html) = agency
        .get(&format!("{project_page}?done=submitted"))
        .await?;
    assert!(html.contains("项目已提交审核") && html.contains("预算科审核"));

    // Finance finds it in its queue, returns it once.
    let finance = app.signed_in("finance").await?;
    let (_, home) = finance.get("/").await?;
    assert!(home.contains("待我处理") && home.contains("2020年妇幼健康服务"));
    let review = format!("{project_page}/review");
    let response = post_with_page_tokens(
        &finance,
        &project_page,
        &review,
        &[("decision", "return"), ("comment", "")],
    )
    .await?;
    assert_eq!(
        response.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a return needs a comment"
    );
    assert!(response.text().await?.contains("退回时须填写审核意见"));
    let response = post_with_page_tokens(
        &finance,
        &project_page,
        &review,
        &[
            ("decision", "return"),
            ("comment", "管理人数依据不足，请补充"),
        ],
    )
    .await?;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);

    // The agency sees it returned, resubmits from the project page.
    let (_, html) = agency.get(&project_page).await?;
    assert!(html.contains("被退回") && html.contains("管理人数依据不足，请补充"));
    let response = post_with_page_tokens(
        &agency,
        &project_page,
        &format!("{project_page}/submit"),
        &[],
    )
    .await?;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);

    // 预算科 passes the budget step; 绩效科 (finance) grades and approves with a cut and its reason.
    let budget = app.signed_in("budget").await?;
    let response =
        post_with_page_tokens(&budget, &project_page, &review, &[("decision", "approve")]).await?;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, html) = finance.get(&project_page).await?;
    assert!(html.contains("绩效科审核") && html.contains("绩效目标等级"));
    let response = post_with_page_tokens(
        &finance,
        &project_page,
        &review,
        &[
            ("decision", "approve"),
            ("grade", "良"),
            ("approved", "30"),
            ("reason", ""),
        ],
    )
    .await?;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await?.contains("须说明理由"));
    let response = post_with_page_tokens(
        &finance,
        &project_page,
        &review,
        &[
            ("decision", "approve"),
            ("grade", "良"),
            ("approved", "30"),
            ("reason", "压减宣传费用"),
        ],
    )
    .await?;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, html) = agency.get(&project_page).await?;
    assert!(html.contains("已审核"));
    assert!(html.contains("30.00 万元（压减宣传费用）"));
    assert!(html.contains("目标审核等级</dt><dd>良"));
    Ok(())
}

#[tokio::test]
async fn the_grid_adds_rows_and_library_templates_without_losing_entries() -> TestResult {
    let app = TestApp::start().await?;
    let agency = app.signed_in("yiyuan").await?;
    let response = agency
        .submit(
            "/projects/new",
            "/projects",
            &[
                ("name", "设备购置"),
                ("agency", "114001"),
                ("year", "2020"),
                ("category", "specific"),
                ("requested", "12"),
            ],
        )
        .await?;
    let target_page = location(&response)
        .split('?')
        .next()
        .unwrap_or("")
        .to_owned();
    let form = [
        ("overall_goal", "更新设备"),
        ("r0_name", "购置彩超"),
        ("r0_level1", "产出指标"),
        ("action", "add_template"),
        ("template", "purchase"),
    ];
    let response = post_with_page_tokens(&agency, &target_page, &target_page, &form).await?;
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await?;
    assert!(html.contains("value=\"购置彩超\"") && html.contains("更新设备"));
    assert!(
        html.contains("value=\"设备验收合格率\""),
        "template rows offered"
    );
    assert!(html.contains("尚未保存"));
    let (_, saved) = agency.get(&target_page).await?;
    assert!(!saved.contains("购置彩超"), "adding rows does not save");
    let five_rows = [
        ("overall_goal", "x"),
        ("r0_name", "甲"),
        ("r1_name", ""),
        ("r2_name", ""),
        ("r3_name", ""),
        ("r4_name", ""),
        ("action", "add_row"),
    ];
    let response = post_with_page_tokens(&agency, &target_page, &target_page, &five_rows).await?;
    let html = response.text().await?;
    assert!(
        html.contains("name=\"r5_name\"") && !html.contains("name=\"r6_name\""),
        "one more row than shown"
    );
    assert!(html.contains("value=\"甲\""));

    // Other agencies cannot open it; finance sees the project but not the grid.
    let other = app.signed_in("canlian").await?;
    let (status, _) = other.get(&target_page).await?;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let finance = app.signed_in("finance").await?;
    let (status, _) = finance.get(&target_page).await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    Ok(())
}

#[tokio::test]
async fn the_dashboard_and_library_show_the_seed_figures() -> TestResult {
    let app = TestApp::start_full().await?;
    let finance = app.signed_in("finance").await?;
    let (status, html) = finance.get("/dashboard?year=2019").await?;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("705 个"), "705 projects");
    assert!(html.contains("273,180.48 万元"));
    assert!(html.contains("<svg"));
    let (status, html) = finance.get("/projects?year=2019&q=公岗扶贫").await?;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("共 <strong>1</strong> 个项目") && html.contains("1,256.00"));
    let (_, html) = finance.get("/projects?year=2019").await?;
    assert!(
        html.contains(
            "共 <strong>705</strong> 个项目，申报金额合计 <strong>273,180.48</strong> 万元"
        )
    );
    let viewer = app.signed_in("viewer").await?;
    let (status, _) = viewer.get("/dashboard?year=2019").await?;
    assert_eq!(status, StatusCode::OK);
    let expert = app.signed_in("expert").await?;
    let (status, _) = expert.get("/projects").await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let admin = app.signed_in("admin").await?;
    let (status, html) = admin.get("/admin/rulebook").await?;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("全国通用默认规则") && html.contains("绩效指标不少于3个"));
    Ok(())
}
