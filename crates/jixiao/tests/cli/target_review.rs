//! `jixiao review targets`: the automatic target review over a year's projects on the demo.

use crate::*;
use jixiao_store::test_support::TestDatabase;
use serde_json::Value;

#[tokio::test]
async fn a_years_target_sheets_are_reviewed_with_findings_by_code_and_row() -> TestResult {
    let db = TestDatabase::new().await?;
    let url = db.url.as_str();
    succeeds(url, &["demo"])?;
    let json: Value = serde_json::from_str(&succeeds(
        url,
        &["review", "targets", "--year", "2020", "--json"],
    )?)?;
    let projects = json.as_array().ok_or("an array of projects")?;
    assert_eq!(projects.len(), 22, "every 2020 project of the demo");
    // The purchase whose first two rows were saved without units is sent back for them.
    let purchase = projects
        .iter()
        .find(|p| p["name"] == "2020年医疗设备购置（第一批）")
        .ok_or("the purchase")?;
    assert_eq!(purchase["blocks_submission"], true, "{purchase}");
    let missing_units: Vec<i64> = purchase["findings"]
        .as_array()
        .ok_or("findings")?
        .iter()
        .filter(|f| f["code"] == "missing_unit")
        .filter_map(|f| f["row"].as_i64())
        .collect();
    assert_eq!(missing_units, vec![1, 2], "{purchase}");
    // Every finding carries its code, severity and message.
    for project in projects {
        for finding in project["findings"].as_array().ok_or("findings")? {
            assert!(finding["code"].is_string() && finding["severity"].is_string());
            assert!(finding["message"].as_str().is_some_and(|m| !m.is_empty()));
        }
    }
    let summary = succeeds(url, &["review", "targets", "--year", "2020"])?;
    assert!(summary.contains("2020年度共预审22个项目"), "{summary}");
    assert!(summary.contains("missing_unit: 2"), "{summary}");
    // A year without projects says so.
    let empty = succeeds(url, &["review", "targets", "--year", "2030"])?;
    assert!(empty.contains("共预审0个项目"), "{empty}");
    Ok(())
}

/// A target sheet workbook in Jixiao's layout with the given rows (op, value and unit in their
/// own columns), written to a file of its own.
fn workbook(
    name: &str,
    annual_goal: &str,
    rows: &[(&str, &str, &str, &str, &str, &str, &str)],
) -> Result<tempfile::TempPath, Box<dyn std::error::Error>> {
    use jixiao_core::target::IndicatorInput;
    use jixiao_interop::target_sheet_xlsx::{TemplateLists, TemplateSheet, write_templates};
    let lists = TemplateLists {
        rulebook_name: "全国通用默认规则".to_owned(),
        level1: vec!["产出指标".into(), "效益指标".into(), "满意度指标".into()],
        level2: vec!["数量指标".into(), "社会效益指标".into()],
    };
    let sheet = TemplateSheet {
        sheet_name: "绩效目标申报表".to_owned(),
        year: 2020,
        category_code: "social".to_owned(),
        category_name: "社会保障".to_owned(),
        project_name: "慢性病患者免费体检".to_owned(),
        overall_goal: "到2022年全市慢性病患者规范管理率达到80%以上".to_owned(),
        annual_goal: annual_goal.to_owned(),
        rows: rows
            .iter()
            .map(
                |(level1, level2, name, op, value, unit, points)| IndicatorInput {
                    level1: (*level1).into(),
                    level2: (*level2).into(),
                    name: (*name).into(),
                    op: (*op).into(),
                    value: (*value).into(),
                    unit: (*unit).into(),
                    points: (*points).into(),
                    ..IndicatorInput::default()
                },
            )
            .collect(),
        ..TemplateSheet::default()
    };
    crate::temp_path(name, "xlsx", &write_templates(&lists, &[sheet])?)
}

const POOR: &[(&str, &str, &str, &str, &str, &str, &str)] = &[
    (
        "产出指标",
        "数量指标",
        "免费体检人数",
        ">=",
        "176",
        "",
        "40",
    ),
    (
        "效益指标",
        "社会效益指标",
        "群众生活水平",
        "",
        "提高",
        "",
        "40",
    ),
    (
        "满意度指标",
        "服务对象满意度指标",
        "体检对象满意度",
        ">=",
        "90",
        "%",
        "20",
    ),
];

fn rulebook_file() -> String {
    format!(
        "{}/../../rulebooks/national-default.toml",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[tokio::test]
async fn a_workbook_not_in_jixiao_is_reviewed_under_a_rulebook_file_without_a_database()
-> TestResult {
    let file = workbook("poor-sheet", "2020年为全市176名慢性病患者免费体检", POOR)?;
    let path = file.to_str().ok_or("path")?;
    // A database that cannot even be opened: none is needed.
    let nowhere = "sqlite:///nonexistent-jixiao-dir/jixiao.db";
    let rulebook = rulebook_file();
    let output = jixiao(
        nowhere,
        &["review", "targets", path, "--rulebook", &rulebook, "--json"],
    )?;
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let json: Value = serde_json::from_str(&stdout(&output))?;
    assert_eq!(json["blocks_submission"], true, "{json}");
    assert_eq!(json["year"], 2020, "the year in the sheet's header");
    let findings = json["findings"].as_array().ok_or("findings")?;
    let of =
        |code: &str| -> Vec<&Value> { findings.iter().filter(|f| f["code"] == code).collect() };
    let missing_unit = of("missing_unit");
    assert_eq!(missing_unit.len(), 1, "{json}");
    assert_eq!(missing_unit[0]["row"], 1, "{json}");
    assert_eq!(
        missing_unit[0]["excel_row"], 10,
        "the first row of the form: {json}"
    );
    assert_eq!(missing_unit[0]["indicator"], "免费体检人数");
    let vague = of("vague_value");
    assert_eq!(vague.len(), 1, "{json}");
    assert_eq!(vague[0]["excel_row"], 11);
    for finding in findings {
        assert!(finding["severity"] == "error" || finding["severity"] == "warning");
        assert!(finding["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    // The same in words, one line a finding with its row.
    let output = jixiao(
        nowhere,
        &["review", "targets", path, "--rulebook", &rulebook],
    )?;
    assert_eq!(output.status.code(), Some(2));
    let text = stdout(&output);
    assert!(
        text.contains("第10行「免费体检人数」 [missing_unit]"),
        "{text}"
    );
    assert!(text.contains("不能提交"), "{text}");
    assert!(
        !std::path::Path::new("/nonexistent-jixiao-dir").exists(),
        "no database was made"
    );

    // A sound sheet passes with exit code 0.
    let sound = workbook(
        "sound-sheet",
        "2020年为全市176名慢性病患者免费体检，早发现率达到90%",
        &[
            (
                "产出指标",
                "数量指标",
                "免费体检人数",
                ">=",
                "176",
                "人",
                "40",
            ),
            (
                "效益指标",
                "社会效益指标",
                "慢性病早发现率",
                ">=",
                "90",
                "%",
                "40",
            ),
            POOR[2],
        ],
    )?;
    let output = jixiao(
        nowhere,
        &[
            "review",
            "targets",
            sound.to_str().ok_or("path")?,
            "--rulebook",
            &rulebook,
            "--json",
        ],
    )?;
    let json: Value = serde_json::from_str(&stdout(&output))?;
    assert_eq!(json["blocks_submission"], false, "{json}");
    assert_eq!(output.status.code(), Some(0), "{json}");
    Ok(())
}

#[tokio::test]
async fn a_workbook_is_reviewed_under_the_rulebook_in_force() -> TestResult {
    let db = TestDatabase::new().await?;
    let url = db.url.as_str();
    succeeds(url, &["demo"])?;
    let file = workbook("poor-sheet-db", "2020年为全市176名慢性病患者免费体检", POOR)?;
    let path = file.to_str().ok_or("path")?;
    let output = jixiao(url, &["review", "targets", path, "--json"])?;
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let json: Value = serde_json::from_str(&stdout(&output))?;
    assert!(
        json["rulebook"]
            .as_str()
            .is_some_and(|r| r.contains("371481 2020年度")),
        "{json}"
    );
    let codes: Vec<&str> = json["findings"]
        .as_array()
        .ok_or("findings")?
        .iter()
        .filter_map(|f| f["code"].as_str())
        .collect();
    assert!(
        codes.contains(&"missing_unit") && codes.contains(&"vague_value"),
        "{codes:?}"
    );
    // A year without a rulebook says so, in Chinese.
    let refused = fails(url, &["review", "targets", path, "--year", "2031"])?;
    assert!(refused.contains("2031年度没有生效的规则"), "{refused}");
    Ok(())
}

#[tokio::test]
async fn files_that_are_not_target_sheets_are_refused_in_chinese() -> TestResult {
    use jixiao_interop::intake::samples;
    let rulebook = rulebook_file();
    let nowhere = "sqlite:///nonexistent-jixiao-dir/jixiao.db";
    let sheet = workbook("base-sheet", "2020年为全市176名慢性病患者免费体检", POOR)?;
    let base = std::fs::read(&sheet)?;
    let self_evaluation = jixiao_interop::self_evaluation_xlsx::write_table(
        &crate::self_evaluation::table("乐陵市卫生健康局"),
    )?;
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (b"name,value\n".to_vec(), "不是有效的 .xlsx 工作簿"),
        (self_evaluation, "不是本系统下载的绩效目标申报表模板"),
        (samples::with_bomb(&base, 100 * 1024 * 1024)?, "解压后超过"),
    ];
    for (n, (bytes, words)) in cases.iter().enumerate() {
        let file = crate::temp_path(&format!("not-a-sheet-{n}"), "xlsx", bytes)?;
        let output = jixiao(
            nowhere,
            &[
                "review",
                "targets",
                file.to_str().ok_or("path")?,
                "--rulebook",
                &rulebook,
            ],
        )?;
        assert_eq!(
            output.status.code(),
            Some(1),
            "an error, not a signal: {words}"
        );
        assert!(
            stderr(&output).contains(words),
            "{words}: {}",
            stderr(&output)
        );
        assert!(!stderr(&output).contains("panicked"), "{}", stderr(&output));
    }
    // Neither a file nor a year: clap says what is missing.
    let output = jixiao(nowhere, &["review", "targets"])?;
    assert!(!output.status.success());
    Ok(())
}
