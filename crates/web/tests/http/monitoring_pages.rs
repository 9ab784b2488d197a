//! The monitoring pages as finance and the agencies use them: the round's overview with its
//! traffic lights and chart, the report form with errors beside the rows, and the alert page
//! where the agency proposes and finance confirms.

use crate::support::{TestApp, TestResult};
use reqwest::StatusCode;

fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn a_round_is_opened_filled_evaluated_and_decided_on_the_pages() -> TestResult {
    let app = TestApp::start_full().await?;
    let finance = app.signed_in("finance").await?;

    // The demo round: lights, the chart against time progress, the suspended project.
    let (status, html) = finance.get("/monitoring").await?;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("截至2020-07-31") && html.contains("发起监控"));
    let (status, html) = finance.get("/monitoring/1").await?;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<svg") && html.contains("时间进度58.19%"));
    assert!(html.contains("红灯") && html.contains("黄灯") && html.contains("绿灯"));
    assert!(html.contains("逾期未处置，已暂停支付"));

    // Finance opens a June round; a duplicate is refused on the page.
    let form = [
        ("year", "2020"),
        ("cutoff", "2020-06-30"),
        ("due", "2020-07-10"),
        ("scope", "all"),
        ("project_codes", ""),
    ];
    let response = finance.submit("/monitoring", "/monitoring", &form).await?;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let round = location(&response);
    let response = finance.submit("/monitoring", "/monitoring", &form).await?;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert!(
        response
            .text()
            .await?
            .contains("已有截止日期为2020-06-30的监控批次")
    );
    // Without the form token nothing happens.
    let response = finance
        .post_raw(&format!("{round}/evaluate"), &[("as_of", "2020-07-01")])
        .await?;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    // The department fills its report for 妇幼健康服务: a word where a number belongs is shown
    // beside the row, with what was typed kept.
    let agency = app.signed_in("agency").await?;
    let (_, html) = agency.get(&round).await?;
    let start = html
        .find("2020年妇幼健康服务")
        .ok_or("project in the round")?;
    let link_start = html[..start].rfind("href=\"").ok_or("link")? + 6;
    let link_end = html[link_start..].find('"').ok_or("link end")? + link_start;
    let report = html[link_start..link_end].to_owned();
    let (status, html) = agency.get(&report).await?;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("取自国库集中支付数据，不可修改") && html.contains("10.00%"));
    let version = {
        let marker = "name=\"version\" value=\"";
        let at = html.find(marker).ok_or("version")? + marker.len();
        html[at..at + html[at..].find('"').ok_or("end")?].to_owned()
    };
    let response = agency
        .submit(
            &report,
            &report,
            &[
                ("version", &version),
                ("intent", "save"),
                ("reached_1", "约一半"),
                ("outlook_1", "能"),
            ],
        )
        .await?;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await?;
    assert!(html.contains("第1行") && html.contains("应为数字") && html.contains("约一半"));
    let (_, html) = agency.get(&report).await?;
    assert!(html.contains("待填报"), "nothing stored");
    let (_, home) = agency.get("/").await?;
    assert!(
        home.contains("绩效监控待办") && home.contains(&report),
        "the report is in the agency's queue"
    );

    // Finance evaluates on 1 July: the slow project is red, with its reason on the alert page.
    let response = finance
        .submit(
            &round,
            &format!("{round}/evaluate"),
            &[("as_of", "2020-07-01")],
        )
        .await?;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, html) = agency.get(&round).await?;
    let row = &html[html.find("2020年妇幼健康服务").ok_or("row")?..];
    let alert_at = row.find("/alerts/").ok_or("alert link")?;
    let alert = row[alert_at..alert_at + row[alert_at..].find('"').ok_or("end")?].to_owned();
    let (status, html) = agency.get(&alert).await?;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("截至2020年6月30日预算执行率10.00%，低于6月末应达到的40%"));
    assert!(html.contains("2020-07-15") && html.contains("提出处置意见"));

    // A viewer may read but not propose; the agency proposes; finance confirms.
    let viewer = app.signed_in("viewer").await?;
    let response = viewer
        .submit(
            &alert,
            &format!("{alert}/propose"),
            &[("action", "continue"), ("comment", "x")],
        )
        .await?;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let response = agency
        .submit(
            &alert,
            &format!("{alert}/propose"),
            &[
                ("action", "adjust"),
                ("recover", "30"),
                ("revise_targets", "1"),
                ("comment", "上半年采购延后"),
            ],
        )
        .await?;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, html) = finance.get(&alert).await?;
    assert!(html.contains("待财政确认") && html.contains("财政确认"));
    let (_, home) = finance.get("/").await?;
    assert!(
        home.contains("确认预警处置意见") && home.contains(&alert),
        "in finance's queue"
    );
    let response = finance
        .submit(
            &alert,
            &format!("{alert}/decide"),
            &[("action", "confirm"), ("comment", "同意")],
        )
        .await?;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, html) = finance.get(&alert).await?;
    assert!(html.contains("已处置") && html.contains("30.00"));
    Ok(())
}
