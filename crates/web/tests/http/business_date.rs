//! The business date (issue 20 items 3–4): shown in the header, the same time progress for every
//! user on the same date, lists open on the business year, set by the administrator (audited;
//! a date that is not one is refused and nothing changes).

use super::support::{TestApp, TestResult};
use reqwest::StatusCode;

/// The text of the element with `id`, tags left in (the KPI boxes are short).
fn element<'a>(html: &'a str, id: &str) -> &'a str {
    let marker = format!("id=\"{id}\"");
    let Some(start) = html.find(&marker) else {
        return "";
    };
    let rest = &html[start..];
    &rest[..rest.find("</div>").unwrap_or(rest.len())]
}

/// The time progress the dashboard's KPI states.
fn time_progress(html: &str) -> String {
    let marker = "时间进度 ";
    html.find(marker)
        .map(|i| {
            html[i + marker.len()..]
                .chars()
                .take_while(|c| *c != '<')
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn every_user_sees_the_same_business_date_and_time_progress() -> TestResult {
    let app = TestApp::start_full().await?;
    let mut progress = Vec::new();
    for user in ["finance", "agency", "yiyuan", "viewer"] {
        let browser = app.signed_in(user).await?;
        let (status, html) = browser.get("/dashboard").await?;
        assert_eq!(status, StatusCode::OK, "{user}");
        assert!(html.contains("业务日期 2020-08-31"), "{user}: header");
        assert!(
            html.contains("2020年度预算绩效管理看板"),
            "{user}: opens on the business year"
        );
        assert!(
            html.contains("口径：2020年度") && html.contains("截至业务日期2020年8月31日"),
            "{user}: the basis is stated: {}",
            element(&html, "basis")
        );
        progress.push((user, time_progress(&html)));
    }
    // 2020-08-31 is day 244 of a 366-day year.
    for (user, p) in &progress {
        assert_eq!(p, "66.66%", "{user}'s time progress");
    }
    Ok(())
}

#[tokio::test]
async fn a_unit_drills_down_to_itself() -> TestResult {
    let app = TestApp::start_full().await?;
    let unit = app.signed_in("yiyuan").await?;
    let (status, html) = unit.get("/dashboard?year=2020&department=114001").await?;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("乐陵市人民医院"));
    let (status, _) = unit.get("/dashboard?year=2020&department=116").await?;
    assert_eq!(status, StatusCode::NOT_FOUND, "another department");
    Ok(())
}

#[tokio::test]
async fn lists_open_on_the_business_year() -> TestResult {
    let app = TestApp::start_full().await?;
    let finance = app.signed_in("finance").await?;
    let (_, default) = finance.get("/projects").await?;
    let (_, year_2020) = finance.get("/projects?year=2020").await?;
    let (_, all) = finance.get("/projects?year=all").await?;
    assert!(default.contains("<option value=\"2020\" selected>2020年</option>"));
    let totals = |html: &str| element(html, "totals").to_owned();
    assert_eq!(totals(&default), totals(&year_2020), "default is 2020");
    assert_ne!(totals(&default), totals(&all), "all years add 2019 too");
    let (_, payments) = finance.get("/payments").await?;
    assert!(payments.contains("<option value=\"2020\" selected>2020年</option>"));
    assert!(payments.contains("<datalist id=\"agency-options\">"));
    let bangfu = app.signed_in("bangfu").await?;
    let (_, checks) = bangfu.get("/policy-checks").await?;
    assert!(
        checks.contains("value=\"2020-08-31\""),
        "the coverage check runs as of the business date by default"
    );
    Ok(())
}

#[tokio::test]
async fn the_administrator_sets_the_business_date() -> TestResult {
    let app = TestApp::start_full().await?;
    let admin = app.signed_in("admin").await?;
    let action = "/admin/settings/jurisdictions/371481/business-date";
    let response = admin
        .submit(
            "/admin/settings",
            action,
            &[("business_date", "2020-13-45")],
        )
        .await?;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await?.contains("不是有效的日期"));
    let (_, html) = admin.get("/admin/settings").await?;
    assert!(html.contains("value=\"2020-08-31\""), "unchanged");

    let response = admin
        .submit(
            "/admin/settings",
            action,
            &[("business_date", "2020-06-30")],
        )
        .await?;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let finance = app.signed_in("finance").await?;
    let (_, html) = finance.get("/dashboard").await?;
    assert!(html.contains("业务日期 2020-06-30"));
    assert_eq!(time_progress(&html), "49.72%", "day 182 of 366");
    let (_, audit) = admin.get("/admin/audit").await?;
    assert!(audit.contains("设置业务日期"));

    // Cleared, the pages follow the calendar again.
    let response = admin
        .submit("/admin/settings", action, &[("business_date", "")])
        .await?;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, html) = finance.get("/").await?;
    let today = chrono::Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).ok_or("offset")?)
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    assert!(html.contains(&format!("业务日期 {today}")));

    let finance_refused = finance
        .submit("/", action, &[("business_date", "2021-01-01")])
        .await?;
    assert_eq!(finance_refused.status(), StatusCode::FORBIDDEN);
    Ok(())
}
