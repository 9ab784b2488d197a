//! The target grid as a draft (issue 20 item 6): words in a quantitative row and a level outside
//! the rulebook's tree are saved and flagged, the gate refuses them at submission; what can
//! never be stored is refused with row numbers that match the grid shown back, also after a row
//! was deleted; the level-2 choices carry their level-1 group for the page's filter.

use super::projects_pages::post_with_page_tokens;
use super::support::{TestApp, TestResult};
use reqwest::StatusCode;

/// A new draft project of the health bureau; answers its target page.
async fn new_draft(agency: &super::support::Browser) -> Result<String, Box<dyn std::error::Error>> {
    let response = agency
        .submit(
            "/projects/new",
            "/projects",
            &[
                ("name", "2020年基层卫生人员培训"),
                ("agency", "114"),
                ("year", "2020"),
                ("category", "specific"),
                ("is_new", "false"),
                ("requested", "12"),
                ("serves_people", "false"),
            ],
        )
        .await?;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    Ok(location.split('?').next().unwrap_or_default().to_owned())
}

fn indicator(
    index: usize,
    level1: &'static str,
    level2: &'static str,
    name: &'static str,
    op: &'static str,
    value: &'static str,
) -> Vec<(String, String)> {
    [
        ("level1", level1),
        ("level2", level2),
        ("name", name),
        ("op", op),
        ("value", value),
        ("unit", "人次"),
        ("points", "10"),
    ]
    .into_iter()
    .map(|(field, v)| (format!("r{index}_{field}"), v.to_owned()))
    .collect()
}

/// The sheet's two goals, as the grid posts them.
fn goals() -> Vec<(String, String)> {
    vec![
        ("overall_goal".to_owned(), "提升基层卫生人员能力".to_owned()),
        (
            "annual_goal".to_owned(),
            "2020年培训基层卫生人员".to_owned(),
        ),
    ]
}

#[tokio::test]
async fn a_draft_with_words_saves_and_the_gate_refuses_it_at_submission() -> TestResult {
    let app = TestApp::start().await?;
    let agency = app.signed_in("agency").await?;
    let target_page = new_draft(&agency).await?;
    let mut form = goals();
    form.extend(indicator(
        0,
        "产出指标",
        "数量指标",
        "培训人次",
        ">=",
        "五百",
    ));
    form.extend(indicator(
        1,
        "产出指标",
        "社会效益指标",
        "培训覆盖",
        ">=",
        "1",
    ));
    form.push(("action".to_owned(), "save".to_owned()));
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let response = post_with_page_tokens(&agency, &target_page, &target_page, &fields).await?;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "the draft is saved"
    );
    let (_, html) = agency.get(&target_page).await?;
    assert!(html.contains("value=\"五百\""), "kept as written");

    // Submission: refused by the gate, each row named.
    let project_page = target_page.trim_end_matches("/target").to_owned();
    let (_, page) = agency.get(&project_page).await?;
    assert!(page.contains("/submit"), "{page}");
    let submit = format!("{project_page}/submit");
    let response = post_with_page_tokens(&agency, &project_page, &submit, &[]).await?;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await?;
    assert!(
        html.contains("第1行：定量指标的指标值“五百”不是数字"),
        "{html}"
    );
    assert!(html.contains("第2行：二级指标“社会效益指标”不属于“产出指标”"));
    Ok(())
}

#[tokio::test]
async fn row_numbers_match_the_grid_after_a_row_is_deleted() -> TestResult {
    let app = TestApp::start().await?;
    let agency = app.signed_in("agency").await?;
    let target_page = new_draft(&agency).await?;
    let mut form = goals();
    form.extend(indicator(
        0,
        "产出指标",
        "数量指标",
        "培训人次",
        ">=",
        "500",
    ));
    form.extend(indicator(1, "产出指标", "数量指标", "删去的行", ">=", "1"));
    form.push(("r1_delete".to_owned(), "1".to_owned()));
    form.extend(indicator(
        2,
        "产出指标",
        "质量指标",
        "考核合格率",
        "大于",
        "90",
    ));
    form.push(("action".to_owned(), "save".to_owned()));
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let response = post_with_page_tokens(&agency, &target_page, &target_page, &fields).await?;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await?;
    // The deleted row is gone from the grid shown back, so the bad row is now row 2 — and the
    // message says row 2, beside the row numbered 2.
    assert!(html.contains("第2行：运算符“大于”无效"), "{html}");
    assert!(!html.contains("删去的行"));
    let row2 = html
        .find("<td class=\"rowno\">2</td>")
        .ok_or("row 2 of the grid")?;
    let next_row = html[row2..]
        .find("<td class=\"rowno\">3</td>")
        .map_or(html.len(), |i| row2 + i);
    assert!(
        html[row2..next_row].contains("value=\"考核合格率\"")
            && html[row2..next_row].contains("第2行：运算符"),
        "the message sits beside the row it names"
    );
    // Level-2 choices are grouped under their level 1 for the page's filter.
    assert!(html.contains("<optgroup label=\"产出指标\">"));
    Ok(())
}
