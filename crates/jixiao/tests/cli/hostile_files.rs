//! The CLI imports against the files that once killed them by SIGABRT: a published table with a
//! cell at XFD1048576, at A4294967295, a zip bomb, a million rows, a thousand parts — each refused
//! with the limit named and a plain non-zero exit, nothing stored; and a treasury file saved as
//! GBK by Excel imported like its UTF-8 twin.

use crate::*;
use jixiao_interop::intake::samples;
use jixiao_interop::self_evaluation_xlsx::write_table;
use jixiao_store::test_support::TestDatabase;

const SHEET: &str = "xl/worksheets/sheet1.xml";

#[tokio::test]
async fn hostile_workbooks_are_refused_by_the_import_without_dying() -> TestResult {
    let db = TestDatabase::new().await?;
    let url = db.url.as_str();
    succeeds(url, &["demo"])?;
    let base = write_table(&crate::self_evaluation::table("乐陵市卫生健康局"))?;
    let files = [
        (
            samples::with_cell_at(&base, SHEET, "XFD1048576", 1_048_576)?,
            "超过1000行（XFD1048576单元格有内容）",
        ),
        (
            samples::with_cell_at(&base, SHEET, "A4294967295", 4_294_967_295)?,
            "超过1000行（A4294967295单元格有内容）",
        ),
        (
            samples::with_bomb(&base, 100 * 1024 * 1024)?,
            "解压后超过8.0 MB",
        ),
        (
            samples::with_rows(&base, SHEET, 40, 1_000_000)?,
            "解压后超过8.0 MB",
        ),
        (samples::with_parts(&base, 1_000)?, "部件超过500个"),
    ];
    for (n, (bytes, words)) in files.iter().enumerate() {
        let file = crate::temp_path(&format!("hostile-{n}"), "xlsx", bytes)?;
        let output = jixiao(
            url,
            &["import", "self-evaluation", file.to_str().ok_or("path")?],
        )?;
        assert_eq!(
            output.status.code(),
            Some(1),
            "an exit, not a signal: {words}"
        );
        assert!(
            stderr(&output).contains(words),
            "{words}: {}",
            stderr(&output)
        );
    }
    // Nothing was stored: the genuine table still imports.
    let genuine = crate::temp_path("genuine", "xlsx", &base)?;
    let stored = succeeds(
        url,
        &["import", "self-evaluation", genuine.to_str().ok_or("path")?],
    )?;
    assert!(stored.contains("已保存为项目"), "{stored}");
    Ok(())
}

#[tokio::test]
async fn a_treasury_file_saved_as_gbk_is_imported() -> TestResult {
    let db = TestDatabase::new().await?;
    let url = db.url.as_str();
    succeeds(url, &["demo"])?;
    let exported = succeeds(url, &["export", "allotments", "--year", "2019"])?;
    let code = exported
        .lines()
        .find(|l| l.contains(",2019年扶贫专岗,"))
        .and_then(|l| l.split(',').next())
        .ok_or("扶贫专岗 exported")?
        .to_owned();
    let text = format!(
        "请求编号,日期,指标编码,金额（元）,收款人,用途,类型\n\
         GBK-CLI-1,2019-12-30,{code},100.00,乐陵经济技术开发区,岗位补贴,支付\n"
    );
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    let file = std::env::temp_dir().join(format!("jixiao-gbk-{}.csv", std::process::id()));
    std::fs::write(&file, &gbk)?;
    let report = succeeds(url, &["import", "payments", file.to_str().ok_or("path")?])?;
    assert!(
        report.contains("第2行 GBK-CLI-1：已支付100.00元"),
        "{report}"
    );
    std::fs::write(&file, b"request_id\n\xFF\xFE\xFF\n")?;
    let refused = fails(url, &["import", "payments", file.to_str().ok_or("path")?])?;
    std::fs::remove_file(&file)?;
    assert!(refused.contains("UTF-8 或 GBK（GB18030）"), "{refused}");
    Ok(())
}
