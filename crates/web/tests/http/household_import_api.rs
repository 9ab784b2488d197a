//! The national person export over the API as each role: the county office's dry run stores
//! nothing, its import stores the file and a second import changes nothing, a file with broken
//! rows is refused whole with every cell named (the GBK CSV form too), other roles are refused,
//! and the registry exported in the national layout reads back as no change.

use crate::support::{TestApp, TestResult, call};
use jixiao_interop::household_export::sample::{self, person_row, resident_id, set};
use reqwest::{Client, Method, StatusCode};
use serde_json::Value;

async fn registry_app() -> Result<TestApp, Box<dyn std::error::Error>> {
    let app = TestApp::start().await?;
    jixiao_store::demo::registry::load(&app.db.store).await?;
    Ok(app)
}

fn rows() -> Vec<Vec<String>> {
    let village = ("杨安镇", "杨安第一村");
    vec![
        person_row(
            village,
            "API001",
            1,
            "王建国",
            &resident_id("371481", "19500304", 811),
            "户主",
        ),
        person_row(
            village,
            "API001",
            2,
            "李秀英",
            &resident_id("371481", "19520611", 822),
            "配偶",
        ),
        person_row(
            village,
            "API002",
            1,
            "张桂兰",
            &resident_id("371481", "19410101", 842),
            "户主",
        ),
    ]
}

async fn post_file(
    app: &TestApp,
    token: &str,
    query: &str,
    file: Vec<u8>,
) -> Result<(StatusCode, Value), reqwest::Error> {
    let response = Client::new()
        .post(app.url(&format!("/api/v1/households/import{query}")))
        .bearer_auth(token)
        .header("content-type", "application/octet-stream")
        .body(file)
        .send()
        .await?;
    let status = response.status();
    Ok((status, response.json().await.unwrap_or(Value::Null)))
}

async fn total(app: &TestApp, token: &str) -> Result<i64, Box<dyn std::error::Error>> {
    let (_, body) = call(
        app,
        token,
        Method::GET,
        "/api/v1/households?per_page=1",
        None,
    )
    .await?;
    body["total"].as_i64().ok_or_else(|| "total".into())
}

#[tokio::test]
async fn the_county_office_dry_runs_imports_and_reimports_without_change() -> TestResult {
    let app = registry_app().await?;
    let token = app.token("bangfu").await?;
    let before = total(&app, &token).await?;
    let file = sample::xlsx(&rows())?;

    let (status, plan) = post_file(&app, &token, "?as_of=2020-12-31", file.clone()).await?;
    assert_eq!(status, StatusCode::OK, "{plan}");
    assert_eq!(plan["stored"], false);
    assert_eq!(plan["counts"]["new_households"], 2);
    assert_eq!(plan["counts"]["new_people"], 3);
    assert_eq!(plan["header_row"], 3);
    assert_eq!(plan["kept_columns"][0], "耕地面积（亩）");
    assert_eq!(
        total(&app, &token).await?,
        before,
        "a dry run stores nothing"
    );

    let (status, done) = post_file(
        &app,
        &token,
        "?dry_run=false&as_of=2020-12-31",
        file.clone(),
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["stored"], true);
    assert_eq!(total(&app, &token).await?, before + 2);
    let text = done.to_string();
    assert!(
        !text.contains("19500304811"),
        "ID numbers are masked in the plan"
    );

    let (_, again) = post_file(&app, &token, "?dry_run=false&as_of=2020-12-31", file).await?;
    assert_eq!(again["counts"]["unchanged_households"], 2);
    assert_eq!(again["counts"]["new_people"], 0);
    assert_eq!(again["counts"]["changed_people"], 0);
    Ok(())
}

#[tokio::test]
async fn broken_rows_are_refused_whole_by_cell_in_xlsx_and_gbk_csv() -> TestResult {
    let app = registry_app().await?;
    let token = app.token("bangfu").await?;
    let before = total(&app, &token).await?;
    let mut broken = rows();
    set(&mut broken[1], "与户主关系", "户主");
    set(&mut broken[2], "村", "没有这个村");
    for file in [sample::xlsx(&broken)?, sample::gbk(&sample::csv(&broken))] {
        let (status, body) = post_file(&app, &token, "?dry_run=false", file).await?;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["error"]["code"], "invalid_input", "{body}");
        let cells: Vec<&str> = body["error"]["details"]
            .as_array()
            .ok_or("details")?
            .iter()
            .filter_map(|d| d["cell"].as_str())
            .collect();
        assert_eq!(cells, ["I5", "C6"], "{body}");
    }
    assert_eq!(total(&app, &token).await?, before, "nothing stored");

    let (status, body) = post_file(&app, &token, "", b"not a table".to_vec()).await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("表头"),
        "{body}"
    );
    Ok(())
}

#[tokio::test]
async fn only_the_county_office_imports_and_exports() -> TestResult {
    let app = registry_app().await?;
    for user in ["cun", "xiang", "minzheng", "bangfuren", "finance"] {
        let token = app.token(user).await?;
        let (status, _) = post_file(&app, &token, "", sample::xlsx(&rows())?).await?;
        assert_eq!(status, StatusCode::FORBIDDEN, "{user} imports");
        let (status, _) = call(
            &app,
            &token,
            Method::GET,
            "/api/v1/households/export.xlsx",
            None,
        )
        .await?;
        assert_eq!(status, StatusCode::FORBIDDEN, "{user} exports");
    }
    Ok(())
}

#[tokio::test]
async fn the_export_reads_back_as_no_change() -> TestResult {
    let app = registry_app().await?;
    let token = app.token("bangfu").await?;
    let response = Client::new()
        .get(app.url("/api/v1/households/export.xlsx?area=371481101&as_of=2020-12-31"))
        .bearer_auth(&token)
        .send()
        .await?;
    assert_eq!(response.status(), StatusCode::OK);
    let bytes = response.bytes().await?.to_vec();
    let (status, plan) = post_file(&app, &token, "?as_of=2020-12-31", bytes).await?;
    assert_eq!(status, StatusCode::OK, "{plan}");
    assert_eq!(plan["counts"]["households"], 15);
    assert_eq!(plan["counts"]["unchanged_households"], 15, "{plan}");
    Ok(())
}
