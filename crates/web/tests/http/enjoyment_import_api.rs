//! A department's list of who enjoys its policies over the API: 民政 plans and imports its 低保
//! roll (GBK CSV) for registry members — people outside the registry counted and skipped, a
//! second import no change — a 医保 policy on 民政's list is refused by its cell and nothing is
//! stored, the county office names the department, and other roles are refused.

use crate::support::{TestApp, TestResult};
use jixiao_interop::household_export::sample::{self, person_row, resident_id};
use reqwest::{Client, StatusCode};
use serde_json::Value;

async fn post_list(
    app: &TestApp,
    token: &str,
    query: &str,
    file: Vec<u8>,
) -> Result<(StatusCode, Value), reqwest::Error> {
    let response = Client::new()
        .post(app.url(&format!("/api/v1/enjoyments/import{query}")))
        .bearer_auth(token)
        .body(file)
        .send()
        .await?;
    let status = response.status();
    Ok((status, response.json().await.unwrap_or(Value::Null)))
}

#[tokio::test]
async fn a_department_imports_its_roll_for_registry_members() -> TestResult {
    let app = TestApp::start().await?;
    jixiao_store::demo::registry::load(&app.db.store).await?;
    let office = app.token("bangfu").await?;
    // Two registry members, imported from the national export.
    let member = resident_id("371481", "19500304", 611);
    let rows = vec![person_row(
        ("杨安镇", "杨安第一村"),
        "EJ001",
        1,
        "王建国",
        &member,
        "户主",
    )];
    let response = Client::new()
        .post(app.url("/api/v1/households/import?dry_run=false&as_of=2020-12-31"))
        .bearer_auth(&office)
        .body(sample::xlsx(&rows)?)
        .send()
        .await?;
    assert_eq!(response.status(), StatusCode::OK);

    let stranger = resident_id("371481", "19700101", 633);
    let roll = format!(
        "乐陵市民政局 农村低保名单\n证件号码,姓名,政策,起始日期,截止日期,金额（元）\n\
         {member},王建国,低保,20200101,,285\n{stranger},外人,低保,20200101,,285\n"
    );
    let gbk = sample::gbk(&roll);
    let sector = app.token("minzheng").await?;
    let (status, plan) = post_list(&app, &sector, "", gbk.clone()).await?;
    assert_eq!(status, StatusCode::OK, "{plan}");
    assert_eq!(plan["stored"], false);
    assert_eq!(plan["new_records"], 1);
    assert_eq!(plan["not_in_registry"], 1);
    assert_eq!(plan["department"], "民政");
    let (_, done) = post_list(&app, &sector, "?dry_run=false", gbk.clone()).await?;
    assert_eq!(done["stored"], true, "{done}");
    let (_, again) = post_list(&app, &sector, "?dry_run=false", gbk).await?;
    assert_eq!(
        (again["new_records"].as_i64(), again["unchanged"].as_i64()),
        (Some(0), Some(1))
    );

    // Another department's policy: refused by its cell, nothing stored.
    let wrong = format!("证件号码,姓名,政策,起始日期\n{member},王建国,居民医保,20200101\n");
    let (status, body) = post_list(&app, &sector, "?dry_run=false", wrong.into_bytes()).await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["details"][0]["cell"], "C2", "{body}");

    // The county office names the department; other roles may not import.
    let list = format!("证件号码,政策,起始日期\n{member},居民医保,20200101\n");
    let (status, body) = post_list(&app, &office, "", list.clone().into_bytes()).await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = post_list(
        &app,
        &office,
        "?department=medical_insurance",
        list.clone().into_bytes(),
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["new_records"], 1);
    for user in ["cun", "xiang", "bangfuren", "finance"] {
        let token = app.token(user).await?;
        let (status, _) = post_list(&app, &token, "", list.clone().into_bytes()).await?;
        assert_eq!(status, StatusCode::FORBIDDEN, "{user}");
    }
    Ok(())
}
