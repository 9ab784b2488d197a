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
