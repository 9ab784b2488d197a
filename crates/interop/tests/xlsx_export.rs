//! Excel exports read back as a spreadsheet program would: the title and headers on top, money
//! as numbers in 万元, scores with two decimals, and user text that looks like a formula kept as
//! text, never a formula.

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use jixiao_interop::xlsx_export::{Cell, Column, ColumnKind, looks_like_formula, write};
use std::io::Cursor;

#[test]
fn a_list_exports_with_numbers_as_numbers_and_formulas_as_text()
-> Result<(), Box<dyn std::error::Error>> {
    let columns = [
        Column::new("项目名称", 30.0, ColumnKind::Text),
        Column::new("批复金额（万元）", 16.0, ColumnKind::Wan),
        Column::new("支付金额（元）", 16.0, ColumnKind::Yuan),
        Column::new("得分", 8.0, ColumnKind::Hundredths),
        Column::new("执行率", 8.0, ColumnKind::Percent),
    ];
    let rows = vec![
        vec![
            Cell::from("2019年公岗扶贫"),
            Cell::from(12_560_000_000),
            Cell::from(123_456),
            Cell::from(8_444),
            Cell::from(9_000),
        ],
        vec![
            Cell::from("=HYPERLINK(\"http://x\",\"点我\")"),
            Cell::Empty,
            Cell::from(None),
            Cell::from(0),
            Cell::from(10_000),
        ],
        vec![
            Cell::from("+86 电话"),
            Cell::from(1),
            Cell::from(1),
            Cell::from(1),
            Cell::from(1),
        ],
    ];
    let bytes = write("项目库", "乐陵市2019年度项目库（全部单位）", &columns, rows)?;
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes))?;
    let range = book.worksheet_range("项目库")?;
    assert_eq!(
        range.get_value((0, 0)),
        Some(&Data::String("乐陵市2019年度项目库（全部单位）".to_owned()))
    );
    assert_eq!(
        range.get_value((1, 1)),
        Some(&Data::String("批复金额（万元）".to_owned()))
    );
    assert_eq!(range.get_value((2, 1)), Some(&Data::Float(12_560.0)));
    assert_eq!(range.get_value((2, 2)), Some(&Data::Float(1_234.56)));
    assert_eq!(range.get_value((2, 3)), Some(&Data::Float(84.44)));
    assert_eq!(range.get_value((2, 4)), Some(&Data::Float(0.9)));
    assert_eq!(
        range.get_value((3, 0)),
        Some(&Data::String(
            "=HYPERLINK(\"http://x\",\"点我\")".to_owned()
        ))
    );
    let formulas = book.worksheet_formula("项目库")?;
    assert!(
        formulas.used_cells().all(|(_, _, f)| f.is_empty()),
        "no formula anywhere"
    );
    assert!(
        looks_like_formula("=1+1") && looks_like_formula("@SUM(A1)") && looks_like_formula("-2")
    );
    assert!(!looks_like_formula("乐陵市"));
    Ok(())
}

/// The text of one part of the package.
fn part(bytes: &[u8], name: &str) -> Result<String, Box<dyn std::error::Error>> {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))?;
    let mut text = String::new();
    archive.by_name(name)?.read_to_string(&mut text)?;
    Ok(text)
}

/// The first `<tag …>` element of `xml`, as written.
fn element<'a>(xml: &'a str, tag: &str) -> Option<&'a str> {
    let start = xml.find(&format!("<{tag} "))?;
    let end = xml[start..].find('>')? + start;
    Some(&xml[start..=end])
}

/// The width of every column of a sheet, in order (a `<col>` may cover several).
fn column_widths(xml: &str) -> Vec<f64> {
    let number = |col: &str, name: &str| -> Option<f64> {
        let start = col.find(&format!(" {name}=\""))? + name.len() + 3;
        let len = col[start..].find('"')?;
        col[start..start + len].parse().ok()
    };
    let mut widths = Vec::new();
    for col in xml.split("<col ").skip(1).map(|c| format!(" {c}")) {
        if let (Some(min), Some(max), Some(width)) = (
            number(&col, "min"),
            number(&col, "max"),
            number(&col, "width"),
        ) {
            for _ in (min as usize)..=(max as usize) {
                widths.push(width);
            }
        }
    }
    widths
}

#[test]
fn every_sheet_prints_on_a4_with_its_header_repeated_and_frozen_and_a_total()
-> Result<(), Box<dyn std::error::Error>> {
    use jixiao_interop::xlsx_export::ExportWriter;
    // A wide list (landscape) with money totalled, then a narrow one (portrait) without.
    let wide = [
        Column::new("项目名称", 40.0, ColumnKind::Text),
        Column::new("部门单位", 40.0, ColumnKind::Text),
        Column::new("批复金额（万元）", 16.0, ColumnKind::Wan).with_total(),
        Column::new("支付金额（元）", 16.0, ColumnKind::Yuan).with_total(),
        Column::new("执行率", 10.0, ColumnKind::Percent),
        Column::new("说明", 60.0, ColumnKind::Text),
    ];
    let mut writer = ExportWriter::new("项目库", "乐陵市2019年度项目库", &wide)?;
    for (name, wan, yuan) in [
        (
            "2019年农业综合开发服务中心高标准农田建设",
            14_030_000_000i64,
            1_234_501,
        ),
        ("2019年公岗扶贫", 1, 99),
    ] {
        writer.row(&[
            Cell::from(name),
            Cell::from("乐陵市农业综合开发服务中心"),
            Cell::from(wan),
            Cell::from(yuan),
            Cell::from(5_000),
            Cell::from("x".repeat(200)),
        ])?;
    }
    writer.add_sheet(
        "月份",
        "按月",
        &[
            Column::new("月份", 8.0, ColumnKind::Integer),
            Column::new("名称", 30.0, ColumnKind::Text),
        ],
    )?;
    writer.row(&[Cell::from(1), Cell::from("一月")])?;
    let bytes = writer.finish()?;

    let first = part(&bytes, "xl/worksheets/sheet1.xml")?;
    let setup = element(&first, "pageSetup").ok_or("pageSetup")?;
    assert!(setup.contains("paperSize=\"9\""), "A4: {setup}");
    assert!(setup.contains("orientation=\"landscape\""), "{setup}");
    assert!(setup.contains("fitToHeight=\"0\""), "{setup}");
    let fit = element(&first, "pageSetUpPr").ok_or("pageSetUpPr")?;
    assert!(fit.contains("fitToPage=\"1\""), "fit to width: {fit}");
    let pane = element(&first, "pane").ok_or("pane")?;
    assert!(
        pane.contains("ySplit=\"2\"") && pane.contains("state=\"frozen\""),
        "{pane}"
    );
    // Widths fit the Chinese text (two units a character) up to the column's cap.
    let widths = column_widths(&first);
    assert_eq!(widths.len(), 6, "{widths:?}");
    assert!(widths[0] >= 40.0, "a long name gets its cap: {widths:?}");
    assert!(widths[1] >= 28.0, "13 characters are 26 units: {widths:?}");
    assert!(widths[2] >= 18.0, "the header in Chinese: {widths:?}");
    assert!(widths[5] <= 61.0, "long text wraps: {widths:?}");

    let second = part(&bytes, "xl/worksheets/sheet2.xml")?;
    let setup = element(&second, "pageSetup").ok_or("pageSetup")?;
    assert!(
        setup.contains("paperSize=\"9\"") && setup.contains("orientation=\"portrait\""),
        "{setup}"
    );

    let workbook = part(&bytes, "xl/workbook.xml")?;
    for (sheet, name) in [("0", "项目库"), ("1", "月份")] {
        let titles = format!(
            "<definedName name=\"_xlnm.Print_Titles\" localSheetId=\"{sheet}\">{name}!$1:$2</definedName>"
        );
        assert!(workbook.contains(&titles), "{titles} in {workbook}");
    }

    // The total row adds the fen and shows them in the column's unit; only the first sheet
    // has one.
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes))?;
    let range = book.worksheet_range("项目库")?;
    assert_eq!(
        range.get_value((4, 0)),
        Some(&Data::String("合计".to_owned()))
    );
    assert_eq!(range.get_value((4, 2)), Some(&Data::Float(14_030.000001)));
    assert_eq!(range.get_value((4, 3)), Some(&Data::Float(12_346.0)));
    assert_eq!(range.get_value((4, 4)), Some(&Data::Empty));
    let months = book.worksheet_range("月份")?;
    assert_eq!(months.height(), 3, "no total row without a totalled column");
    Ok(())
}
