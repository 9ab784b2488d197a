//! Target-sheet templates: written with drop-downs and protection, read back row for row; files
//! that are too large, encrypted, not xlsx, not our template, or hold formulas or odd merges are
//! refused or reported by cell.

use jixiao_core::target::{IndicatorInput, RowError};
use jixiao_interop::intake::IntakeError;
use jixiao_interop::target_sheet_xlsx::{
    COLUMNS, MARKER, TemplateLists, TemplateSheet, WorkbookError, read_workbook, write_templates,
};
use rust_xlsxwriter::{Format, Workbook};
use std::io::Read;

const LIMIT: u64 = 20 * 1024 * 1024;

fn lists() -> TemplateLists {
    TemplateLists {
        rulebook_name: "全国通用默认规则".to_owned(),
        level1: vec![
            "产出指标".to_owned(),
            "效益指标".to_owned(),
            "满意度指标".to_owned(),
        ],
        level2: vec![
            "数量指标".to_owned(),
            "质量指标".to_owned(),
            "社会效益指标".to_owned(),
            "服务对象满意度指标".to_owned(),
        ],
    }
}

fn row(
    level1: &str,
    level2: &str,
    name: &str,
    op: &str,
    value: &str,
    unit: &str,
) -> IndicatorInput {
    IndicatorInput {
        level1: level1.to_owned(),
        level2: level2.to_owned(),
        name: name.to_owned(),
        op: op.to_owned(),
        value: value.to_owned(),
        unit: unit.to_owned(),
        points: "30".to_owned(),
        ..IndicatorInput::default()
    }
}

fn filled() -> TemplateSheet {
    TemplateSheet {
        sheet_name: "112-2020-000712".to_owned(),
        year: 2020,
        category_code: "social".to_owned(),
        category_name: "社会保障".to_owned(),
        project_code: "112-2020-000712".to_owned(),
        project_name: "2020年残疾人就业帮扶".to_owned(),
        agency_name: "乐陵市残疾人联合会".to_owned(),
        overall_goal: "帮扶残疾人就业".to_owned(),
        annual_goal: "全年帮扶200人".to_owned(),
        rows: vec![
            row("产出指标", "数量指标", "帮扶人数", ">=", "200", "人"),
            row(
                "效益指标",
                "社会效益指标",
                "就业稳定",
                "qualitative",
                "稳步提高",
                "",
            ),
            row(
                "满意度指标",
                "服务对象满意度指标",
                "满意度",
                ">=",
                "95",
                "%",
            ),
        ],
    }
}

fn zip_entry(bytes: &[u8], name: &str) -> String {
    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("the template is a zip");
    let mut text = String::new();
    archive
        .by_name(name)
        .expect("entry")
        .read_to_string(&mut text)
        .expect("utf-8");
    text
}

#[test]
fn a_blank_template_has_lists_protection_and_reads_back_empty() {
    let blank = TemplateSheet {
        sheet_name: "绩效目标申报表".to_owned(),
        year: 2020,
        category_code: "social".to_owned(),
        category_name: "社会保障".to_owned(),
        ..TemplateSheet::default()
    };
    let bytes = write_templates(&lists(), &[blank]).expect("written");
    let sheet_xml = zip_entry(&bytes, "xl/worksheets/sheet1.xml");
    assert!(
        sheet_xml.contains("<sheetProtection"),
        "the header is protected"
    );
    assert!(sheet_xml.contains("<dataValidation"), "drop-downs");
    assert!(
        sheet_xml.contains("'选项'!$A$2:$A$4"),
        "level-1 list from the rulebook"
    );
    assert!(sheet_xml.contains("&quot;≥,≤,=,定性&quot;") || sheet_xml.contains("\"≥,≤,=,定性\""));
    let options_xml = zip_entry(&bytes, "xl/workbook.xml");
    assert!(
        options_xml.contains("state=\"hidden\""),
        "the lists sheet is hidden"
    );
    // Printed on A4 landscape (ten columns), one page wide, the indicator header (row 9) on
    // every page and frozen above the rows to fill.
    assert!(
        sheet_xml.contains("paperSize=\"9\"") && sheet_xml.contains("orientation=\"landscape\""),
        "A4 landscape"
    );
    assert!(sheet_xml.contains("fitToPage=\"1\"") && sheet_xml.contains("fitToHeight=\"0\""));
    assert!(sheet_xml.contains("ySplit=\"9\"") && sheet_xml.contains("state=\"frozen\""));
    assert!(
        options_xml
            .contains("name=\"_xlnm.Print_Titles\" localSheetId=\"0\">绩效目标申报表!$9:$9<"),
        "{options_xml}"
    );

    let sheets = read_workbook(&bytes, LIMIT).expect("read");
    assert_eq!(sheets.len(), 1);
    let sheet = &sheets[0];
    assert!(sheet.problems.is_empty(), "{:?}", sheet.problems);
    assert!(sheet.rows.is_empty());
    assert_eq!(sheet.year, Some(2020));
    assert_eq!(sheet.category_code, "social");
    assert_eq!(sheet.project_code, "");
}

#[test]
fn a_filled_template_reads_back_row_for_row() {
    let bytes = write_templates(&lists(), &[filled(), filled_other()]).expect("written");
    let sheets = read_workbook(&bytes, LIMIT).expect("read");
    assert_eq!(
        sheets.len(),
        2,
        "one sheet per project, the lists sheet skipped"
    );
    let sheet = &sheets[0];
    assert!(sheet.problems.is_empty(), "{:?}", sheet.problems);
    assert_eq!(sheet.project_code, "112-2020-000712");
    assert_eq!(sheet.overall_goal, "帮扶残疾人就业");
    assert_eq!(sheet.annual_goal, "全年帮扶200人");
    let rows: Vec<u32> = sheet.rows.iter().map(|(r, _)| *r).collect();
    assert_eq!(rows, vec![10, 11, 12], "Excel row numbers");
    let first = &sheet.rows[0].1;
    assert_eq!(first.op, "≥", "operators written as users read them");
    assert_eq!((first.value.as_str(), first.unit.as_str()), ("200", "人"));
    assert_eq!(sheet.rows[1].1.op, "定性");
    assert_eq!(sheets[1].project_code, "112-2020-000713");
}

fn filled_other() -> TemplateSheet {
    TemplateSheet {
        sheet_name: "112-2020-000713".to_owned(),
        project_code: "112-2020-000713".to_owned(),
        ..filled()
    }
}

#[test]
fn row_errors_are_placed_on_their_cells() {
    let bytes = write_templates(&lists(), &[filled()]).expect("written");
    let sheets = read_workbook(&bytes, LIMIT).expect("read");
    let sheet = &sheets[0];
    let problem = sheet.locate(&RowError {
        row: 3,
        field: "value".to_owned(),
        message: "第3行：指标值“很多”不是数字".to_owned(),
    });
    assert_eq!((problem.row, problem.column.as_str()), (12, "E"));
    assert_eq!(
        problem.message,
        "工作表“112-2020-000712”E12单元格：指标值“很多”不是数字"
    );
    let goal = sheet.locate(&RowError {
        row: 0,
        field: "annual_goal".to_owned(),
        message: "年度目标不能超过2000字".to_owned(),
    });
    assert_eq!((goal.row, goal.column.as_str()), (7, "B"));
}

/// A workbook shaped like the template, written by hand, with `extra` applied to its sheet.
fn handmade(extra: impl FnOnce(&mut rust_xlsxwriter::Worksheet)) -> Vec<u8> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("目标表").expect("name");
    sheet.write_string(2, 1, "").expect("code");
    sheet.write_string(3, 1, "2020").expect("year");
    sheet
        .write_string(3, 4, "社会保障（social）")
        .expect("category");
    for (col, (header, _, _)) in COLUMNS.iter().enumerate() {
        sheet
            .write_string(8, u16::try_from(col).expect("col"), *header)
            .expect("header");
    }
    sheet.write_string(9, 0, "产出指标").expect("cell");
    extra(sheet);
    let options = workbook.add_worksheet();
    options.set_name("选项").expect("name");
    options.write_string(0, 0, MARKER).expect("marker");
    workbook.save_to_buffer().expect("saved")
}

#[test]
fn formulas_and_odd_merges_are_reported_by_cell() {
    let bytes = handmade(|sheet| {
        sheet.write_formula(9, 4, "=100+100").expect("formula");
        sheet
            .merge_range(10, 0, 12, 0, "产出指标", &Format::new())
            .expect("merge");
    });
    let sheets = read_workbook(&bytes, LIMIT).expect("read");
    let messages: Vec<&str> = sheets[0]
        .problems
        .iter()
        .map(|p| p.message.as_str())
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("工作表“目标表”E10单元格：是公式（=100+100）")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("A11单元格") && m.contains("合并单元格 A11:A13")),
        "{messages:?}"
    );
}

#[test]
fn a_changed_header_is_reported() {
    let bytes = handmade(|sheet| {
        sheet.write_string(8, 4, "目标值").expect("header");
    });
    let sheets = read_workbook(&bytes, LIMIT).expect("read");
    assert!(
        sheets[0]
            .problems
            .iter()
            .any(|p| p.row == 9 && p.message.contains("表头与模板不一致")),
        "{:?}",
        sheets[0].problems
    );
}

#[test]
fn files_that_are_not_our_template_are_refused_whole() {
    assert_eq!(
        read_workbook(b"name,amount\n", LIMIT),
        Err(WorkbookError::Intake(IntakeError::NotXlsx))
    );
    let mut ole = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    ole.resize(4096, 0);
    assert_eq!(
        read_workbook(&ole, LIMIT),
        Err(WorkbookError::Intake(IntakeError::Encrypted))
    );
    let mut other = Workbook::new();
    other
        .add_worksheet()
        .write_string(0, 0, "项目名称")
        .expect("cell");
    let other = other.save_to_buffer().expect("saved");
    assert_eq!(
        read_workbook(&other, LIMIT),
        Err(WorkbookError::NotTemplate)
    );
    let blank = write_templates(&lists(), &[filled()]).expect("written");
    let refused = read_workbook(&blank, 1024).expect_err("too large");
    assert!(refused.to_string().contains("超过上限0.0 MB"), "{refused}");
    let big = vec![b'P'; 21 * 1024 * 1024];
    let refused = read_workbook(&big, LIMIT).expect_err("too large");
    assert_eq!(
        refused.to_string(),
        "文件大小为21.0 MB，超过上限20.0 MB，请删去多余内容后再上传"
    );
}

/// Writes a filled template into the fuzz corpus (`cargo test -- --ignored seed`).
#[test]
#[ignore = "writes the fuzz corpus; run by hand"]
fn seed_the_fuzz_corpus_with_a_filled_template() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/xlsx");
    let bytes = write_templates(&lists(), &[filled()]).expect("written");
    std::fs::write(dir.join("target_sheet_filled.xlsx"), &bytes).expect("stored");
    let bomb_free = jixiao_interop::intake::samples::with_cell_at(
        &bytes,
        "xl/worksheets/sheet1.xml",
        "XFD1048576",
        1_048_576,
    )
    .expect("rewritten");
    std::fs::write(dir.join("target_sheet_xfd1048576.xlsx"), bomb_free).expect("stored");
}
