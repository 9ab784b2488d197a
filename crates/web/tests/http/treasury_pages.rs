//! The treasury pages: a project's allotment and ledger, finance's movements and suspension,
//! the payments list, the CSV import with its per-row report, execution on the dashboard.

use crate::support::{TestApp, TestResult};
use reqwest::StatusCode;
use serde_json::Value;

#[tokio::test]
async fn allotments_payments_and_the_import_work_on_the_pages() -> TestResult {
    let app = TestApp::start_full().await?;
    let token = app.token("finance").await?;
    let list: Value = reqwest::Client::new()
        .get(app.url("/api/v1/projects?year=2019&q=2019年扶贫专岗"))
        .bearer_auth(&token)
        .send()
        .await?
        .json()
        .await?;
    let project = list["projects"]
        .as_array()
        .ok_or("list")?
        .iter()
        .find(|p| p["name"] == "2019年扶贫专岗")
        .ok_or("project")?
        .clone();
    let id = project["id"].as_i64().ok_or("id")?;
    let code = project["code"].as_str().ok_or("code")?.to_owned();
    let page = format!("/projects/{id}");

    let finance = app.signed_in("finance").await?;
    let (status, html) = finance.get(&page).await?;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("预算指标 ZB-") && html.contains("执行率 62.00%"));
    assert!(html.contains("下达指标") && html.contains("支付"));
    assert!(html.contains("指标调整"), "finance may adjust");
    let agency = app.signed_in("agency").await?;
    let (status, html) = agency.get("/payments?year=2019").await?;
    assert_eq!(status, StatusCode::OK, "agencies read their own payments");
    assert!(!html.contains("导入国库支付数据"));

    // Suspend, then see the banner; lift it again.
    let response = finance
        .submit(
            &page,
            &format!("{page}/allotment/suspension"),
            &[("suspended", "true"), ("reason", "监控预警未处置")],
        )
        .await?;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, html) = finance.get(&page).await?;
    assert!(html.contains("已暂停支付：监控预警未处置"));
    let response = finance
        .submit(
            &page,
            &format!("{page}/allotment/suspension"),
            &[("suspended", "false"), ("reason", "已处置")],
        )
        .await?;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    // 调减 below what is paid is refused with the reason on the page.
    let response = finance
        .submit(
            &page,
            &format!("{page}/allotment/adjust"),
            &[
                ("kind", "decrease"),
                ("amount", "100000"),
                ("reason", "压减"),
            ],
        )
        .await?;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response
            .text()
            .await?
            .contains("不得低于已冻结与已支付之和")
    );

    // Import: a dry run reports without paying; the real run pays the good row only once.
    let csv = format!(
        "request_id,date,code,amount_yuan,payee,purpose,type\n\
         WEB-1,2019-12-30,{code},500.00,乐陵经济技术开发区,岗位补贴,payment\n\
         WEB-2,2019-12-30,{code},abc,乐陵经济技术开发区,岗位补贴,payment\n"
    );
    let response = finance
        .submit(
            "/payments/import",
            "/payments/import",
            &[("csv", &csv), ("dry_run", "1")],
        )
        .await?;
    let html = response.text().await?;
    assert!(
        html.contains("试运行，未作任何改动")
            && html.contains("成功1行")
            && html.contains("失败1行"),
        "{html}"
    );
    let (_, listing) = finance.get(&format!("/payments?project_id={id}")).await?;
    assert!(!listing.contains("WEB-1"));
    let response = finance
        .submit("/payments/import", "/payments/import", &[("csv", &csv)])
        .await?;
    assert!(response.text().await?.contains("已支付"));
    let (_, listing) = finance.get(&format!("/payments?project_id={id}")).await?;
    assert!(listing.contains("WEB-1") && listing.contains("500.00"));
    let response = finance
        .submit("/payments/import", "/payments/import", &[("csv", &csv)])
        .await?;
    assert!(response.text().await?.contains("重复1行"));
    let (status, _) = agency.get("/payments/import").await?;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (_, dashboard) = finance.get("/dashboard?year=2019").await?;
    assert!(dashboard.contains("预算执行") && dashboard.contains("273,180.48"));
    Ok(())
}
