//! Evaluation pages in a browser: an agency fills the self-evaluation sheet on one page, sees row
//! errors beside the rows with what it typed kept, saves and submits; finance returns it; the
//! year page shows the grade distribution, the 1,000万元 cut and its list; other agencies get 404.

use crate::support::{TestApp, TestResult, call};
use reqwest::{Method, StatusCode};

#[tokio::test]
async fn an_agency_fills_the_sheet_on_one_page_and_finance_reviews_it() -> TestResult {
    let app = TestApp::start_full().await?;
    let token = app.token("finance").await?;
    let (_, list) = call(
        &app,
        &token,
        Method::GET,
        "/api/v1/projects?year=2020&q=2020年妇幼健康服务",
        None,
    )
    .await?;
    let id = list["projects"][0]["id"].as_i64().ok_or("project")?;
    let (_, blank) = call(
        &app,
        &token,
        Method::GET,
        &format!("/api/v1/projects/{id}/self-evaluation"),
        None,
    )
    .await?;
    let items = blank["items"].as_array().ok_or("items")?.clone();
    let page = format!("/projects/{id}/self-evaluation");

    let agency = app.signed_in("agency").await?;
    let (status, html) = agency.get(&page).await?;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("项目支出绩效自评表") && html.contains("未填报"));
    assert!(html.contains("全年执行数"));

    // Every row filled; the first quantitative row gets text where a number belongs.
    let mut fields: Vec<(String, String)> = vec![
        ("intent".into(), "save".into()),
        ("version".into(), "0".into()),
        ("summary".into(), "年度目标基本完成".into()),
    ];
    let mut bad_row = 0;
    for (i, item) in items.iter().enumerate() {
        let n = i + 1;
        if item["op"] == "qualitative" {
            fields.push((format!("band_{n}"), "达成".into()));
            fields.push((format!("band_percent_{n}"), "90".into()));
        } else if bad_row == 0 {
            bad_row = n;
            fields.push((format!("actual_{n}"), "大约一半".into()));
        } else {
            fields.push((
                format!("actual_{n}"),
                item["target"].as_str().ok_or("target")?.to_owned(),
            ));
        }
    }
    let form: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let response = agency.submit(&page, &page, &form).await?;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await?;
    assert!(
        html.contains(&format!("第{bad_row}行：实际完成值“大约一半”不是数字")),
        "row error beside the row"
    );
    assert!(
        html.contains("value=\"大约一半\""),
        "what was typed is kept"
    );

    // Fixed: saved and scored.
    let target = items[bad_row - 1]["target"]
        .as_str()
        .ok_or("target")?
        .to_owned();
    let fixed: Vec<(&str, &str)> = form
        .iter()
        .map(|(k, v)| {
            if *k == format!("actual_{bad_row}") {
                (*k, target.as_str())
            } else {
                (*k, *v)
            }
        })
        .collect();
    let response = agency.submit(&page, &page, &fixed).await?;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, html) = agency.get(&format!("{page}?done=saved")).await?;
    assert!(html.contains("已保存，得分已按规则重新计算") && html.contains("草稿"));
    assert!(html.contains("评价等级："));

    // Without a CSRF token nothing happens.
    let forged = agency
        .post_raw(&page, &[("intent", "submit"), ("version", "1")])
        .await?;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);

    // Submit, then finance returns it with a reason.
    let mut submit = fixed.clone();
    submit.retain(|(k, _)| *k != "intent" && *k != "version");
    submit.push(("intent", "submit"));
    submit.push(("version", "1"));
    let response = agency.submit(&page, &page, &submit).await?;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let finance = app.signed_in("finance").await?;
    let (_, html) = finance.get(&page).await?;
    assert!(html.contains("待审核") && html.contains("财政审核"));
    let review = format!("{page}/review");
    let response = finance
        .submit(&page, &review, &[("action", "return"), ("comment", "")])
        .await?;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await?.contains("退回时请说明理由"));
    let response = finance
        .submit(
            &page,
            &review,
            &[
                ("action", "return"),
                ("comment", "请补充满意度调查样本说明"),
            ],
        )
        .await?;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, html) = agency.get(&page).await?;
    assert!(html.contains("被退回") && html.contains("请补充满意度调查样本说明"));

    // The print layout of the official form, with signature and seal areas.
    let (status, printed) = agency.get(&format!("{page}/print")).await?;
    assert_eq!(status, StatusCode::OK);
    assert!(
        printed.contains("项目支出绩效自评表")
            && printed.contains("单位负责人（签字）")
            && printed.contains("（盖章）")
    );
    assert!(printed.contains("年度资金总额") && printed.contains("评价等级："));

    // Another agency cannot see it.
    let other = app.signed_in("canlian").await?;
    let (status, _) = other.get(&page).await?;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = other.get(&format!("{page}/print")).await?;
    assert_eq!(status, StatusCode::NOT_FOUND);
    Ok(())
}

#[tokio::test]
async fn the_year_page_shows_grades_the_cut_and_finance_decides() -> TestResult {
    let app = TestApp::start_full().await?;
    let finance = app.signed_in("finance").await?;
    let (status, html) = finance.get("/evaluation?year=2019").await?;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("2019年度绩效评价与结果应用"));
    assert!(
        html.contains("纳入评价项目</div><div class=\"value\">705 个"),
        "705 projects"
    );
    assert!(html.contains("1,000.00 万元"), "the 1,000万元 cut");
    assert!(html.contains("2020年残疾人就业帮扶") && html.contains("调整后采纳"));
    assert!(html.contains("不采纳") && html.contains("临时救助为兜底保障资金"));
    let (_, latest) = finance.get("/evaluation").await?;
    assert!(
        latest.contains("2019年度绩效评价与结果应用"),
        "the latest evaluated year by default"
    );
    let (_, fair) = finance.get("/evaluation?year=2019&grade=中").await?;
    assert!(fair.contains("2019年城乡低保资金"));
    // An agency sees the page, but no decision forms.
    let agency = app.signed_in("canlian").await?;
    let (status, html) = agency.get("/evaluation?year=2019").await?;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains("按规则生成结果应用建议"));
    assert!(
        !html.contains("2019年城乡低保资金"),
        "other agencies' projects are not listed"
    );
    let response = agency
        .submit(
            "/evaluation?year=2019",
            "/evaluation/propose",
            &[("year", "2019")],
        )
        .await?;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    Ok(())
}
