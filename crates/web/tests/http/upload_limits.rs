//! One upload limit, stated once: a legitimate workbook above 2 MB passes the CSRF guard and is
//! stored (the guard once read multipart bodies with axum's 2 MB default and called such an
//! upload a forged form); a body above the configured limit is refused by name.

use crate::support::{TestApp, TestResult, call, project_named};
use jixiao_core::target::IndicatorInput;
use jixiao_interop::target_sheet_xlsx::{TemplateLists, TemplateSheet, write_templates};
use reqwest::{Method, StatusCode};
use std::io::{Read, Write};

/// The workbook with an extra part of `size` bytes that do not compress (as a picture would).
fn padded(workbook: &[u8], size: usize) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(workbook))?;
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i)?;
        let name = entry.name()?.to_string();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes)?;
        out.start_file(name, options)?;
        out.write_all(&bytes)?;
    }
    // A simple generator is enough to defeat deflate.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let noise: Vec<u8> = (0..size)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state.to_le_bytes()[0]
        })
        .collect();
    out.start_file(
        "xl/media/image1.bin",
        options.compression_method(zip::CompressionMethod::Stored),
    )?;
    out.write_all(&noise)?;
    Ok(out.finish()?.into_inner())
}

#[tokio::test]
async fn a_three_megabyte_workbook_passes_the_form_guard_and_is_stored() -> TestResult {
    let app = TestApp::start_full().await?;
    let token = app.token("canlian").await?;
    let id = project_named(&app, &token, 2020, "2020年盲人按摩培训").await?;
    let (_, project) = call(
        &app,
        &token,
        Method::GET,
        &format!("/api/v1/projects/{id}"),
        None,
    )
    .await?;
    let row = |name: &str, points: &str| IndicatorInput {
        level1: "产出指标".to_owned(),
        level2: "数量指标".to_owned(),
        name: name.to_owned(),
        op: ">=".to_owned(),
        value: "60".to_owned(),
        unit: "人".to_owned(),
        points: points.to_owned(),
        ..IndicatorInput::default()
    };
    let workbook = write_templates(
        &TemplateLists {
            rulebook_name: "全国通用默认规则".to_owned(),
            level1: vec!["产出指标".to_owned()],
            level2: vec!["数量指标".to_owned()],
        },
        &[TemplateSheet {
            sheet_name: project["code"].as_str().ok_or("code")?.to_owned(),
            year: 2020,
            category_code: project["category"].as_str().ok_or("category")?.to_owned(),
            category_name: "专项业务类".to_owned(),
            project_code: project["code"].as_str().ok_or("code")?.to_owned(),
            overall_goal: "培训盲人按摩师".to_owned(),
            annual_goal: "全年培训60人".to_owned(),
            rows: vec![row("培训人数", "50"), row("结业人数", "50")],
            ..TemplateSheet::default()
        }],
    )?;
    let file = padded(&workbook, 3 * 1024 * 1024)?;
    assert!(file.len() > 3 * 1024 * 1024);

    let agency = app.signed_in("canlian").await?;
    let page = format!("/projects/{id}/target");
    let (status, _, body) = agency
        .upload(&page, &format!("{page}/upload"), file, "目标表.xlsx", true)
        .await?;
    assert!(
        !body.contains("表单已过期"),
        "refused as a forged form: {body}"
    );
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, stored) = call(
        &app,
        &token,
        Method::GET,
        &format!("/api/v1/projects/{id}"),
        None,
    )
    .await?;
    assert_eq!(stored["target"]["annual_goal"], "全年培训60人");
    Ok(())
}

#[tokio::test]
async fn a_body_over_the_upload_limit_is_refused_by_its_limit() -> TestResult {
    let app = TestApp::start_full().await?;
    let token = app.token("canlian").await?;
    let id = project_named(&app, &token, 2020, "2020年盲人按摩培训").await?;
    let agency = app.signed_in("canlian").await?;
    let page = format!("/projects/{id}/target");
    let (status, _, body) = agency
        .upload(
            &page,
            &format!("{page}/upload"),
            vec![b'P'; 22 * 1024 * 1024],
            "目标表.xlsx",
            true,
        )
        .await?;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("上传的文件超过上限（20 MB）"), "{body}");
    Ok(())
}
