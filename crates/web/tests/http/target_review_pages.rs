//! The automatic target review (智能预审) where people meet it: beside each row of the grid (on
//! the page and live as the user types), never blocking a draft's save but gating submission;
//! the count and the "有问题的目标表" filter in finance's project list; the reviewer's printed
//! sheet; and the year's findings by code and agency, with its Excel list.

use crate::exports::sheet;
use crate::projects_pages::{location, post_with_page_tokens};
use crate::support::{TestApp, TestResult, csrf_of};
use calamine::Data;
use reqwest::StatusCode;
use serde_json::Value;

/// A sheet whose second row is `name2`: 维护社会稳定 ≥95% puts a percentage on an idea that
/// cannot be counted (虚假量化, an error of the review that the form's own checks let through).
const BAD: &str = "维护社会稳定";
const GOOD: &str = "培训后就业率";

fn grid(name2: &'static str) -> Vec<(&'static str, &'static str)> {
    vec![
        ("overall_goal", "提高城乡居民就业技能，促进转移就业"),
        (
            "annual_goal",
            "2020年培训农村劳动力600人次，培训后就业率≥80%",
        ),
        ("r0_level1", "产出指标"),
        ("r0_level2", "数量指标"),
        ("r0_name", "培训人次"),
        ("r0_op", ">="),
        ("r0_value", "600"),
        ("r0_unit", "人次"),
        ("r0_points", "50"),
        // A blank row between two filled ones: the live review must still put row 2's notes
        // beside the form's third row.
        ("r1_name", ""),
        ("r2_level1", "效益指标"),
        ("r2_level2", "社会效益指标"),
        ("r2_name", name2),
        ("r2_op", ">="),
        ("r2_value", if name2 == BAD { "95" } else { "80" }),
        ("r2_unit", "%"),
        ("r2_points", "40"),
        ("r3_level1", "满意度指标"),
        ("r3_level2", "服务对象满意度指标"),
        ("r3_name", "参训人员满意度"),
        ("r3_op", ">="),
        ("r3_value", "90"),
        ("r3_unit", "%"),
        ("r3_points", "10"),
    ]
}

#[tokio::test]
async fn the_review_shows_beside_rows_gates_submission_and_adds_up_for_the_year() -> TestResult {
    let app = TestApp::start().await?;
    let agency = app.signed_in("agency").await?;
    let response = agency
        .submit(
            "/projects/new",
            "/projects",
            &[
                ("name", "2020年农村劳动力转移就业培训"),
                ("agency", "114"),
                ("year", "2020"),
                ("category", "specific"),
                ("is_new", "false"),
                ("requested", "60"),
                ("serves_people", "true"),
            ],
        )
        .await?;
    let target_page = location(&response)
        .split('?')
        .next()
        .unwrap_or("")
        .to_owned();
    let project_page = target_page.trim_end_matches("/target").to_owned();
    let id = project_page.trim_start_matches("/projects/").to_owned();

    // Live, as the user types: nothing stored, the note keyed by the form's row index.
    let (_, html) = agency.get(&target_page).await?;
    let csrf = csrf_of(&html).ok_or("csrf")?;
    let mut form = vec![("_csrf", csrf.as_str())];
    form.extend(grid(BAD));
    let live = format!("{target_page}/review");
    let response = agency.post_raw(&live, &form).await?;
    assert_eq!(response.status(), StatusCode::OK);
    let answer: Value = response.json().await?;
    assert_eq!(answer["blocks_submission"], true, "{answer}");
    let notes = answer["rows"]["2"].as_array().ok_or("row notes")?;
    assert!(
        notes
            .iter()
            .any(|n| n["severity"] == "error" && n["label"] == "错误·虚假量化"),
        "{answer}"
    );
    assert!(answer["rows"]["1"].is_null(), "the blank row has no notes");
    assert!(
        answer["summary"]
            .as_str()
            .is_some_and(|s| s.contains("1个错误"))
    );
    // Without the page's token the live review is refused like any other form.
    let forged = agency.post_raw(&live, &grid(BAD)).await?;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let (_, html) = agency.get(&target_page).await?;
    assert!(!html.contains(BAD), "the live review stored nothing");

    // Saving a draft with the finding works; the grid shows it beside the row.
    let mut save = grid(BAD);
    save.push(("action", "save"));
    let response = post_with_page_tokens(&agency, &target_page, &target_page, &save).await?;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "a draft is saved");
    let (_, html) = agency.get(&format!("{target_page}?done=saved")).await?;
    assert!(html.contains("绩效目标已保存"));
    assert!(html.contains("智能预审：1个错误"), "{html}");
    assert!(html.contains("错误·虚假量化"));

    // Submission is gated on it: 422, the project stays a draft.
    let mut submit = grid(BAD);
    submit.push(("action", "submit"));
    let response = post_with_page_tokens(&agency, &target_page, &target_page, &submit).await?;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await?;
    assert!(html.contains("未通过绩效目标审核关口"));
    assert!(html.contains("第2行（维护社会稳定）"), "{html}");
    let (_, html) = agency.get(&project_page).await?;
    assert!(html.contains("草稿"));

    // Finance finds it among 有问题的目标表, with its count; a sound sheet is not there.
    let finance = app.signed_in("finance").await?;
    let (_, list) = finance.get("/projects?year=2020&findings=1").await?;
    assert!(list.contains("2020年农村劳动力转移就业培训"), "{list}");
    assert!(list.contains("1个错误"));
    let total = |html: &str| -> Option<i64> {
        let start = html.find("共 <strong>")? + "共 <strong>".len();
        html[start..].split('<').next()?.parse().ok()
    };
    assert_eq!(total(&list), Some(1), "the one sheet with findings");

    // The reviewer's printed sheet carries the review; the agency's (for signing) does not.
    let (_, print) = finance.get(&format!("{project_page}/target/print")).await?;
    assert!(print.contains("智能预审意见") && print.contains("第2行 维护社会稳定"));
    let (_, print) = agency.get(&format!("{project_page}/target/print")).await?;
    assert!(!print.contains("智能预审意见"));

    // The year's review: counts by code and by agency, and every finding in Excel.
    let (status, year) = finance.get("/target-review?year=2020").await?;
    assert_eq!(status, StatusCode::OK);
    assert!(year.contains("2020年度绩效目标表智能预审"));
    assert!(year.contains("虚假量化") && year.contains("卫生健康局"));
    let (_, one) = finance
        .get("/target-review?year=2020&code=pseudo_quantified")
        .await?;
    assert!(one.contains("有“虚假量化”问题的目标表"));
    assert!(one.contains("2020年农村劳动力转移就业培训"));
    let rows = sheet(
        &finance,
        "/target-review.xlsx?year=2020&code=pseudo_quantified",
    )
    .await?;
    let found = rows.rows().any(|row| {
        row.iter()
            .any(|c| *c == Data::String("2020年农村劳动力转移就业培训".to_owned()))
            && row
                .iter()
                .any(|c| *c == Data::String("虚假量化".to_owned()))
    });
    assert!(found, "the finding is in the Excel list");

    // Fixing the row and saving clears it; submission goes through.
    let mut fixed = grid(GOOD);
    fixed.push(("action", "submit"));
    let response = post_with_page_tokens(&agency, &target_page, &target_page, &fixed).await?;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "{}",
        response.text().await.unwrap_or_default()
    );
    let (_, only) = finance.get("/projects?year=2020&findings=1").await?;
    assert!(!only.contains("2020年农村劳动力转移就业培训"));
    assert_eq!(
        total(&only),
        Some(0),
        "a sound sheet is left out of the filter"
    );
    let api = app.token("finance").await?;
    let body: Value = reqwest::Client::new()
        .get(app.url(&format!("/api/v1/projects/{id}")))
        .bearer_auth(&api)
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(body["target_review_errors"], 0, "{body}");
    Ok(())
}

#[tokio::test]
async fn roles_outside_the_project_library_cannot_read_the_years_review() -> TestResult {
    let app = TestApp::start().await?;
    for user in ["expert", "institution"] {
        let browser = app.signed_in(user).await?;
        let (status, _) = browser.get("/target-review?year=2020").await?;
        assert_eq!(status, StatusCode::FORBIDDEN, "{user}");
        let (status, _) = browser.get("/target-review.xlsx?year=2020").await?;
        assert_eq!(status, StatusCode::FORBIDDEN, "{user}");
    }
    Ok(())
}
