//! The file intake against the files that once took the server down: the system's own template
//! with one cell at XFD1048576, a hand-made cell at A4294967295, a zip bomb, a million rows, a
//! thousand parts, an absurd shared-strings count — each refused with the limit named, by the
//! target-sheet reader and the self-evaluation reader alike; and the treasury CSV in GBK.

use jixiao_core::rulebook::Rulebook;
use jixiao_interop::intake::{self, IntakeError, samples};
use jixiao_interop::self_evaluation_xlsx::{TableError, read_table};
use jixiao_interop::target_sheet_xlsx::{
    TemplateLists, TemplateSheet, WorkbookError, read_workbook, write_templates,
};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const LIMIT: u64 = 20 * 1024 * 1024;
/// The target sheet's part in a written template (the options sheet is sheet2).
const SHEET: &str = "xl/worksheets/sheet1.xml";

fn template() -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let lists = TemplateLists {
        rulebook_name: "全国通用默认规则".to_owned(),
        level1: vec!["产出指标".to_owned()],
        level2: vec!["数量指标".to_owned()],
    };
    let sheet = TemplateSheet {
        sheet_name: "绩效目标申报表".to_owned(),
        year: 2020,
        category_code: "social".to_owned(),
        category_name: "社会保障".to_owned(),
        ..TemplateSheet::default()
    };
    write_templates(&lists, &[sheet])
}

fn target_refusal(bytes: &[u8]) -> IntakeError {
    match read_workbook(bytes, LIMIT) {
        Err(WorkbookError::Intake(error)) => error,
        other => panic!("not refused by the intake: {other:?}"),
    }
}

fn self_evaluation_refusal(bytes: &[u8]) -> Result<IntakeError, Box<dyn std::error::Error>> {
    let rules = Rulebook::national_default()?.self_evaluation;
    match read_table(bytes, &rules) {
        Err(TableError::Intake(error)) => Ok(error),
        other => panic!("not refused by the intake: {other:?}"),
    }
}

#[test]
fn the_template_itself_is_read() -> TestResult {
    let sheets = read_workbook(&template()?, LIMIT)?;
    assert_eq!(sheets.len(), 1);
    assert!(sheets[0].problems.is_empty(), "{:?}", sheets[0].problems);
    Ok(())
}

#[test]
fn a_cell_at_the_last_position_of_the_sheet_is_refused_naming_the_limit() -> TestResult {
    let bytes = samples::with_cell_at(&template()?, SHEET, "XFD1048576", 1_048_576)?;
    assert!(bytes.len() < 20 * 1024, "a small file: {}", bytes.len());
    let refused = target_refusal(&bytes);
    assert_eq!(
        refused.to_string(),
        "工作表“绩效目标申报表”超过500行（XFD1048576单元格有内容），请删去多余内容，或检查是否为本系统模板"
    );
    assert!(matches!(
        self_evaluation_refusal(&bytes)?,
        IntakeError::TooManyRows { limit: 1_000, .. }
    ));
    Ok(())
}

#[test]
fn a_hand_made_cell_at_row_4294967295_is_refused() -> TestResult {
    let bytes = samples::with_cell_at(&template()?, SHEET, "A4294967295", 4_294_967_295)?;
    assert!(matches!(
        target_refusal(&bytes),
        IntakeError::TooManyRows { ref cell, .. } if cell == "A4294967295"
    ));
    // Beyond u32: the spreadsheet library's own arithmetic overflows; still a refusal.
    let beyond = samples::with_cell_at(&template()?, SHEET, "A4294967297", 4_294_967_297)?;
    assert!(matches!(
        read_workbook(&beyond, LIMIT),
        Err(WorkbookError::Intake(_))
    ));
    Ok(())
}

#[test]
fn a_cell_right_of_the_known_columns_is_refused() -> TestResult {
    let bytes = samples::with_cell_at(&template()?, SHEET, "AA20", 20)?;
    assert_eq!(
        target_refusal(&bytes),
        IntakeError::TooManyColumns {
            sheet: "绩效目标申报表".to_owned(),
            limit: 26,
            cell: "AA20".to_owned()
        }
    );
    Ok(())
}

#[test]
fn rows_beyond_the_form_are_refused_and_a_million_rows_never_expand() -> TestResult {
    let bytes = samples::with_rows(&template()?, SHEET, 69, 500)?;
    assert!(matches!(
        target_refusal(&bytes),
        IntakeError::TooManyRows { limit: 500, ref cell, .. } if cell == "A501"
    ));
    let million = samples::with_rows(&template()?, SHEET, 69, 1_000_000)?;
    assert!(million.len() < 1024 * 1024, "{}", million.len());
    assert_eq!(
        target_refusal(&million).to_string(),
        "工作簿中的“xl/worksheets/sheet1.xml”解压后超过8.0 MB，请删去多余内容，或检查是否为本系统模板"
    );
    assert!(matches!(
        self_evaluation_refusal(&million)?,
        IntakeError::PartTooLarge { .. }
    ));
    Ok(())
}

#[test]
fn a_zip_bomb_is_stopped_while_it_is_inflated() -> TestResult {
    // 200 MB of zeros in a file of a few hundred KB; the declared size is not trusted.
    let bomb = samples::with_bomb(&template()?, 200 * 1024 * 1024)?;
    assert!(bomb.len() < 1024 * 1024, "{}", bomb.len());
    assert!(matches!(
        target_refusal(&bomb),
        IntakeError::PartTooLarge { ref part, limit } if part == "xl/media/image1.bin" && limit == 8 * 1024 * 1024
    ));
    assert!(matches!(
        self_evaluation_refusal(&bomb)?,
        IntakeError::PartTooLarge { .. }
    ));
    // Many parts each under the part limit, together over the workbook's.
    let mut many = template()?;
    for _ in 0..5 {
        many = samples::with_bomb(&many, 7 * 1024 * 1024)?;
    }
    assert_eq!(
        target_refusal(&many).to_string(),
        "工作簿解压后超过32.0 MB，请删去多余内容，或检查是否为本系统模板"
    );
    Ok(())
}

#[test]
fn too_many_parts_or_texts_are_refused_before_reading() -> TestResult {
    let parts = samples::with_parts(&template()?, 1_000)?;
    assert_eq!(
        target_refusal(&parts).to_string(),
        "工作簿包含的部件超过1000个，请检查是否为本系统模板"
    );
    assert!(matches!(
        self_evaluation_refusal(&parts)?,
        IntakeError::TooManyParts { limit: 500 }
    ));
    let strings = samples::with_declared_strings(&template()?, "4000000000000")?;
    assert_eq!(
        target_refusal(&strings),
        IntakeError::TooManyStrings { limit: 200_000 }
    );
    Ok(())
}

#[test]
fn library_text_never_reaches_people() -> TestResult {
    let broken = samples::append_to_sheet(&template()?, SHEET, "<row r=\"x\">", "A1")?;
    let refused = target_refusal(&broken);
    assert_eq!(refused, IntakeError::Unreadable);
    let rules = Rulebook::national_default()?.self_evaluation;
    let message = read_table(b"PK\x03\x04garbage", &rules)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        message.starts_with("文件不是有效的 .xlsx 工作簿"),
        "{message}"
    );
    assert!(
        !message.contains("Zip") && !message.contains("error"),
        "{message}"
    );
    Ok(())
}

#[test]
fn a_gbk_treasury_file_reads_as_its_utf8_twin() -> TestResult {
    let text = "请求编号,日期,指标编码,金额（元）,收款人,用途,类型\n\
                GK1,2020-06-01,ZB-112-2020-000001,\"12,345.60\",乐陵市残疾人联合会,就业补贴,支付\n";
    let (gbk, _, _) = encoding_rs::GBK.encode(text);
    let utf8 = jixiao_interop::treasury_csv::read(text.as_bytes())?;
    let from_gbk = jixiao_interop::treasury_csv::read(&gbk)?;
    assert_eq!(utf8, from_gbk);
    assert_eq!(
        from_gbk[0].as_ref().map(|l| l.payee.as_str()).ok(),
        Some("乐陵市残疾人联合会")
    );
    let refused = jixiao_interop::treasury_csv::read(b"request_id\n\xFF\xFF\n")
        .err()
        .map(|e| e.0)
        .unwrap_or_default();
    assert_eq!(refused, IntakeError::Encoding.to_string());
    let nul = jixiao_interop::treasury_csv::read(
        "request_id,date,code,amount_yuan,payee,purpose,type\nA,2020-01-01,X,1,p\u{0}q,r,payment\n"
            .as_bytes(),
    )?;
    assert!(
        nul[0]
            .as_ref()
            .err()
            .is_some_and(|e| e.message.starts_with("收款人含有控制字符"))
    );
    let many = format!(
        "request_id,date,code,amount_yuan,payee,purpose,type\n{}",
        "A,2020-01-01,X,1,p,q,payment\n".repeat(intake::TREASURY_CSV.lines + 1)
    );
    let refused = jixiao_interop::treasury_csv::read(many.as_bytes())
        .err()
        .map(|e| e.0)
        .unwrap_or_default();
    assert_eq!(refused, "文件超过200000行，请分批导入");
    Ok(())
}
