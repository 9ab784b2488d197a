//! The pool pages: the registries, a draw made on the page with its exclusions and replay, and
//! the assignments page for members and finance.

use crate::support::{TestApp, TestResult};
use reqwest::StatusCode;

#[tokio::test]
async fn finance_draws_on_the_page_and_members_see_their_tasks() -> TestResult {
    let app = TestApp::start_full().await?;
    let finance = app.signed_in("finance").await?;
    let (status, html) = finance.get("/pools/experts?field=农业").await?;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("专家库") && html.contains("随机抽取") && html.contains("乐陵市农业农村局")
    );
    let (status, html) = finance.get("/pools/institutions").await?;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("山东省农业科学院"));
    assert!(
        html.contains("1次：2019年农业综合开发"),
        "past commissions are shown"
    );
    let (status, _) = finance.get("/pools/nobody").await?;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A draw for the agriculture bureau's project: its own staff are excluded, with the reason.
    let response = finance
        .submit(
            "/pools/experts",
            "/draws",
            &[
                ("kind", "expert"),
                ("purpose", "target_review"),
                ("project_code", "115-2019-000003"),
                ("fields", "农业"),
                ("count", "3"),
                ("backups", "1"),
            ],
        )
        .await?;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let (status, html) = finance.get(&location).await?;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("抽取结果一致"));
    assert!(html.contains("任职于项目实施单位或其主管部门"));
    // The draw is dated on the demo's business date (2020-08-31): the one who advised the
    // bureau until 2019 is still within the rulebook's 3 years and is excluded, with the reason.
    assert!(html.contains("近3年曾为项目单位提供咨询服务"));

    // Too many asked: refused on the page with the reasons.
    let response = finance
        .submit(
            "/pools/experts",
            "/draws",
            &[
                ("kind", "expert"),
                ("purpose", "target_review"),
                ("project_code", "115-2019-000003"),
                ("fields", "农业"),
                ("count", "40"),
                ("backups", "0"),
            ],
        )
        .await?;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await?.contains("符合条件的人选不足"));

    // Others may not draw; members see their own tasks page.
    let viewer = app.signed_in("viewer").await?;
    let response = viewer
        .submit(
            "/pools/experts",
            "/draws",
            &[("kind", "expert"), ("purpose", "target_review")],
        )
        .await?;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let agency = app.signed_in("agency").await?;
    let (status, _) = agency.get("/pools/experts").await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let expert = app.signed_in("expert").await?;
    let (status, html) = expert.get("/assignments").await?;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("我的评审任务") && html.contains("待接受"),
        "the demo expert's tasks"
    );
    assert!(!html.contains("评价说明"), "members answer; finance rates");
    assert!(
        !html.contains("/draws/"),
        "members do not open draw records"
    );
    let (status, html) = finance.get("/assignments").await?;
    assert_eq!(status, StatusCode::OK);
    // The demo's poorly rated expert is flagged, and finance may remove it with a reason.
    assert!(html.contains("低于60分，建议出库") && html.contains(">55<"));
    let at = html.find("/pool-members/").ok_or("removal form")?;
    let action = html[at..at + html[at..].find('"').ok_or("end")?].to_owned();
    let response = finance
        .submit(
            "/assignments",
            &action,
            &[("status", "removed"), ("reason", "近两年平均评分低于60分")],
        )
        .await?;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, html) = finance.get("/pools/experts").await?;
    assert!(html.contains("已出库：近两年平均评分低于60分"));
    let (status, html) = finance.get("/assignments").await?;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("评审任务与评价") && html.contains("待接受"));
    Ok(())
}
