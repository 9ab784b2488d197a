//! Files that once took the server down, uploaded where people upload: the project's own target
//! template with a cell at XFD1048576, a hand-made cell at A4294967295, a zip bomb, a million rows
//! and a thousand parts — each refused with the limit named, nothing stored, the server still
//! answering; the same for the bulk upload and the self-evaluation upload; and a treasury file
//! saved as GBK by Excel accepted by the import form.

use crate::support::{TestApp, TestResult, call, project_named};
use jixiao_interop::intake::samples;
use reqwest::{Method, StatusCode};

/// The target sheet's part in a downloaded template (the options sheet comes last).
const SHEET: &str = "xl/worksheets/sheet1.xml";

/// A hostile file: what it is, its bytes, the words its refusal must show.
type Hostile = (&'static str, Vec<u8>, String);

/// The hostile variants of `base` (whose first sheet is `SHEET`), each with the words its
/// refusal must show.
fn hostile(base: &[u8], rows: u32) -> Result<Vec<Hostile>, Box<dyn std::error::Error>> {
    Ok(vec![
        (
            "a cell at XFD1048576",
            samples::with_cell_at(base, SHEET, "XFD1048576", 1_048_576)?,
            format!(
                "超过{rows}行（XFD1048576单元格有内容），请删去多余内容，或检查是否为本系统模板"
            ),
        ),
        (
            "a cell at A4294967295",
            samples::with_cell_at(base, SHEET, "A4294967295", 4_294_967_295)?,
            format!("超过{rows}行（A4294967295单元格有内容）"),
        ),
        (
            "a zip bomb",
            samples::with_bomb(base, 100 * 1024 * 1024)?,
            "解压后超过8.0 MB".to_owned(),
        ),
        (
            "a million rows",
            samples::with_rows(base, SHEET, 70, 1_000_000)?,
            "解压后超过8.0 MB".to_owned(),
        ),
        (
            "a thousand parts",
            samples::with_parts(base, 1_000)?,
            "部件超过".to_owned(),
        ),
    ])
}

async fn alive(app: &TestApp) -> Result<(), Box<dyn std::error::Error>> {
    let health = reqwest::get(app.url("/healthz")).await?;
    assert_eq!(health.status(), StatusCode::OK, "the server still answers");
    Ok(())
}

#[tokio::test]
async fn hostile_target_workbooks_are_refused_with_the_limit_and_nothing_stored() -> TestResult {
    let app = TestApp::start_full().await?;
    let token = app.token("canlian").await?;
    let id = project_named(&app, &token, 2020, "2020年盲人按摩培训").await?;
    let path = format!("/api/v1/projects/{id}");
    let (_, before) = call(&app, &token, Method::GET, &path, None).await?;
    let agency = app.signed_in("canlian").await?;
    let page = format!("/projects/{id}/target");

    let template = agency
        .download(&format!("/projects/{id}/target.xlsx"))
        .await?;
    for (what, file, words) in hostile(&template, 500)? {
        let (status, _, html) = agency
            .upload(&page, &format!("{page}/upload"), file, "目标表.xlsx", true)
            .await?;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{what}");
        assert!(html.contains(&words), "{what}: {html}");
        alive(&app).await?;
    }

    let drafts = agency.download("/targets/drafts.xlsx?year=2020").await?;
    for (what, file, words) in hostile(&drafts, 500)? {
        let (status, _, html) = agency
            .upload("/projects", "/targets/upload", file, "草稿.xlsx", true)
            .await?;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "bulk: {what}");
        assert!(html.contains(&words), "bulk: {what}: {html}");
    }
    alive(&app).await?;
    let (_, after) = call(&app, &token, Method::GET, &path, None).await?;
    assert_eq!(after, before, "nothing stored");
    Ok(())
}

#[tokio::test]
async fn hostile_self_evaluation_tables_are_refused_and_nothing_stored() -> TestResult {
    let app = TestApp::start_full().await?;
    let token = app.token("agency").await?;
    let id = project_named(&app, &token, 2020, "2020年妇幼健康服务").await?;
    let path = format!("/api/v1/projects/{id}/self-evaluation");
    let (_, before) = call(&app, &token, Method::GET, &path, None).await?;
    let agency = app.signed_in("agency").await?;
    let page = format!("/projects/{id}/self-evaluation");
    // Any workbook will do as the base: the refusal comes before its content is looked at.
    let template = agency
        .download("/targets/template.xlsx?year=2020&category=specific")
        .await?;
    for (what, file, words) in hostile(&template, 1_000)? {
        let (status, _, html) = agency
            .upload(&page, &format!("{page}/upload"), file, "自评表.xlsx", true)
            .await?;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{what}");
        assert!(html.contains(&words), "{what}: {html}");
    }
    alive(&app).await?;
    let (_, after) = call(&app, &token, Method::GET, &path, None).await?;
    assert_eq!(after, before, "nothing stored");
    Ok(())
}

#[tokio::test]
async fn a_treasury_file_saved_as_gbk_is_imported_from_the_form() -> TestResult {
    let app = TestApp::start_full().await?;
    let token = app.token("finance").await?;
    let list: serde_json::Value = reqwest::Client::new()
        .get(app.url("/api/v1/projects?year=2019&q=2019年扶贫专岗"))
        .bearer_auth(&token)
        .send()
        .await?
        .json()
        .await?;
    let code = list["projects"]
        .as_array()
        .ok_or("list")?
        .iter()
        .find(|p| p["name"] == "2019年扶贫专岗")
        .and_then(|p| p["code"].as_str())
        .ok_or("code")?
        .to_owned();
    let text = format!(
        "请求编号,日期,指标编码,金额（元）,收款人,用途,类型\n\
         GBK-1,2019-12-30,{code},500.00,乐陵经济技术开发区,岗位补贴,支付\n"
    );
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(&text);
    assert!(
        !unmappable && std::str::from_utf8(&gbk).is_err(),
        "really GBK"
    );
    let finance = app.signed_in("finance").await?;
    let (status, _, html) = finance
        .upload(
            "/payments/import",
            "/payments/import",
            gbk.into_owned(),
            "国库支付.csv",
            true,
        )
        .await?;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("已支付") && html.contains("GBK-1"), "{html}");
    let (_, listing) = finance.get("/payments?year=2019").await?;
    assert!(listing.contains("GBK-1") && listing.contains("乐陵经济技术开发区"));

    // Neither UTF-8 nor GBK: refused, saying which encodings are accepted.
    let (status, _, html) = finance
        .upload(
            "/payments/import",
            "/payments/import",
            b"request_id\n\xFF\xFE\xFF\n".to_vec(),
            "坏文件.csv",
            true,
        )
        .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("UTF-8 或 GBK（GB18030）"), "{html}");
    Ok(())
}
