//! Every export keeps user text inert: a name or value that starts like a formula is written
//! with Excel's quote prefix in .xlsx (read from the file's own XML) and with a leading quote in
//! CSV; numbers stay numbers.

use jixiao_core::target::IndicatorInput;
use jixiao_interop::allotments_csv::{self, AllotmentLine};
use jixiao_interop::spreadsheet_text::looks_like_formula;
use jixiao_interop::target_sheet_xlsx::{TemplateLists, TemplateSheet, write_templates};
use jixiao_interop::xlsx_export::{Cell, Column, ColumnKind, write};
use std::io::Read;

type TestResult = Result<(), Box<dyn std::error::Error>>;

const ATTACK: &str = "=HYPERLINK(\"http://evil.example\",\"点我\")";

/// The text of one part of the package.
fn part(bytes: &[u8], name: &str) -> Result<String, Box<dyn std::error::Error>> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))?;
    let mut text = String::new();
    archive.by_name(name)?.read_to_string(&mut text)?;
    Ok(text)
}

fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let len = tag[start..].find('"')?;
    Some(&tag[start..start + len])
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The text inside the first `<t …>…</t>` of a fragment.
fn first_text(fragment: &str) -> Option<String> {
    let open = fragment.find("<t")?;
    let body = &fragment[open..];
    let start = body.find('>')? + 1;
    let end = body.find("</t>")?;
    Some(unescape(&body[start..end]))
}

/// Every text cell of a sheet, with whether its style carries the quote prefix.
fn text_cells(
    bytes: &[u8],
    sheet: &str,
) -> Result<Vec<(String, bool)>, Box<dyn std::error::Error>> {
    let styles = part(bytes, "xl/styles.xml")?;
    let cell_xfs = styles
        .split("<cellXfs")
        .nth(1)
        .and_then(|s| s.split("</cellXfs>").next())
        .unwrap_or("");
    let quoted: Vec<bool> = cell_xfs
        .split("<xf ")
        .skip(1)
        .map(|xf| xf.contains("quotePrefix=\"1\""))
        .collect();
    let shared: Vec<String> = part(bytes, "xl/sharedStrings.xml")
        .map(|s| {
            s.split("<si>")
                .skip(1)
                .map(|si| first_text(si).unwrap_or_default())
                .collect()
        })
        .unwrap_or_default();
    let xml = part(bytes, sheet)?;
    let mut cells = Vec::new();
    for fragment in xml.split("<c ").skip(1) {
        let tag = &fragment[..fragment.find('>').unwrap_or(fragment.len())];
        let tag = format!(" {tag}");
        let style: usize = attribute(&tag, "s").map_or(Ok(0), str::parse)?;
        let text = match attribute(&tag, "t") {
            Some("s") => {
                let start = fragment.find("<v>").map(|i| i + 3).unwrap_or(0);
                let end = fragment.find("</v>").unwrap_or(start);
                let index: usize = fragment[start..end].parse()?;
                shared.get(index).cloned()
            }
            Some("inlineStr") | Some("str") => first_text(fragment),
            _ => None,
        };
        if let Some(text) = text {
            cells.push((text, quoted.get(style).copied().unwrap_or(false)));
        }
    }
    Ok(cells)
}

fn assert_inert(cells: &[(String, bool)], expected: &[&str]) {
    for (text, quoted) in cells {
        if looks_like_formula(text) {
            assert!(quoted, "{text:?} is written without the quote prefix");
        }
    }
    for want in expected {
        assert!(
            cells.iter().any(|(text, quoted)| text == want && *quoted),
            "{want:?} not found as quoted text in {cells:?}"
        );
    }
}

#[test]
fn target_templates_quote_user_text_that_looks_like_a_formula() -> TestResult {
    let sheet = TemplateSheet {
        sheet_name: "112-2020-000712".to_owned(),
        year: 2020,
        category_code: "social".to_owned(),
        category_name: "社会保障".to_owned(),
        project_code: "112-2020-000712".to_owned(),
        project_name: ATTACK.to_owned(),
        agency_name: "@乐陵市残疾人联合会".to_owned(),
        overall_goal: "+帮扶残疾人就业".to_owned(),
        annual_goal: "-帮扶100人".to_owned(),
        rows: vec![IndicatorInput {
            level1: "产出指标".to_owned(),
            level2: "数量指标".to_owned(),
            name: "=1+1".to_owned(),
            op: ">=".to_owned(),
            value: "100".to_owned(),
            unit: "人".to_owned(),
            points: "30".to_owned(),
            data_source: "@台账".to_owned(),
            ..IndicatorInput::default()
        }],
    };
    let lists = TemplateLists {
        rulebook_name: "=规则".to_owned(),
        level1: vec!["产出指标".to_owned()],
        level2: vec!["数量指标".to_owned()],
    };
    let bytes = write_templates(&lists, &[sheet])?;
    assert_inert(
        &text_cells(&bytes, "xl/worksheets/sheet1.xml")?,
        &[
            ATTACK,
            "@乐陵市残疾人联合会",
            "+帮扶残疾人就业",
            "-帮扶100人",
            "=1+1",
            "@台账",
        ],
    );
    assert_inert(&text_cells(&bytes, "xl/worksheets/sheet2.xml")?, &["=规则"]);
    Ok(())
}

#[test]
fn list_exports_quote_user_text_that_looks_like_a_formula() -> TestResult {
    let columns = [
        Column::new("项目名称", 30.0, ColumnKind::Text),
        Column::new("金额（元）", 16.0, ColumnKind::Yuan),
    ];
    let rows = vec![
        vec![Cell::from(ATTACK), Cell::from(-100)],
        vec![Cell::from("乐陵市"), Cell::from(100)],
    ];
    let bytes = write("项目库", "项目库", &columns, rows)?;
    assert_inert(&text_cells(&bytes, "xl/worksheets/sheet1.xml")?, &[ATTACK]);
    Ok(())
}

#[test]
fn allotments_csv_quotes_formula_text_and_keeps_amounts() -> TestResult {
    let mut out = Vec::new();
    allotments_csv::write(
        &mut out,
        &[AllotmentLine {
            code: "ZB-1".into(),
            document_number: "+预指〔2020〕1号".into(),
            year: 2020,
            project_code: "1".into(),
            project_name: ATTACK.into(),
            agency_code: "204".into(),
            agency_name: "@经开区".into(),
            funding_source: "local".into(),
            function_code: String::new(),
            economic_code: String::new(),
            limit_fen: 100,
            frozen_fen: 0,
            used_fen: 200,
            suspended: false,
        }],
    )?;
    let mut reader = csv::Reader::from_reader(out.as_slice());
    let record = reader.records().next().ok_or("no line")??;
    assert_eq!(&record[1], "'+预指〔2020〕1号");
    assert_eq!(&record[4], format!("'{ATTACK}"));
    assert_eq!(&record[6], "'@经开区");
    assert_eq!(&record[13], "-1.00", "a negative amount stays a number");
    Ok(())
}
