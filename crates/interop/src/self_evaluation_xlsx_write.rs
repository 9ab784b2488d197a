//! Writing a self-evaluation table in the published layout (项目支出绩效自评表): merged title and
//! header cells, the budget block, level-1 and level-2 cells merged down, and 总分 — for
//! downloads, and for testing the reader against real files.

use crate::self_evaluation_xlsx::{MoneyUnit, SelfEvaluationTable};
use crate::spreadsheet_text::{merge_text, write_text};
use jixiao_core::target::Operator;

/// Writes a table in the published layout (for downloads, and for tests of the reader).
pub fn write_table(table: &SelfEvaluationTable) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook};
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(&table.sheet)?;
    let cell = Format::new()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap();
    let title = Format::new()
        .set_bold()
        .set_font_size(16)
        .set_align(FormatAlign::Center);
    let number = cell.clone().set_num_format("0.00");
    let amount = cell.clone().set_num_format("0.00####");
    let merge = |sheet: &mut rust_xlsxwriter::Worksheet,
                 r0: u32,
                 c0: u16,
                 r1: u32,
                 c1: u16,
                 text: &str,
                 format: &Format| {
        if r0 == r1 && c0 == c1 {
            write_text(sheet, r0, c0, text, format)
        } else {
            merge_text(sheet, (r0, c0), (r1, c1), text, format)
        }
    };
    for (col, width) in [
        (0u16, 10.0),
        (1, 12.0),
        (2, 12.0),
        (3, 18.0),
        (4, 12.0),
        (5, 12.0),
        (6, 8.0),
        (7, 8.0),
        (8, 16.0),
        (9, 16.0),
    ] {
        sheet.set_column_width(col, width)?;
    }
    merge(sheet, 0, 0, 0, 9, "项目支出绩效自评表", &title)?;
    let year = table
        .year
        .map(|y| format!("（{y}年度）"))
        .unwrap_or_default();
    merge(
        sheet,
        1,
        0,
        1,
        9,
        &year,
        &Format::new().set_align(FormatAlign::Center),
    )?;
    merge(sheet, 2, 0, 2, 0, "项目名称", &cell)?;
    merge(sheet, 2, 1, 2, 9, &table.project, &cell)?;
    merge(sheet, 3, 0, 3, 0, "主管部门", &cell)?;
    merge(sheet, 3, 1, 3, 4, &table.department, &cell)?;
    merge(sheet, 3, 5, 3, 5, "实施单位", &cell)?;
    merge(sheet, 3, 6, 3, 9, &table.implementing_unit, &cell)?;
    let unit = match table.unit {
        MoneyUnit::Wan => "万元",
        MoneyUnit::Yuan => "元",
    };
    merge(sheet, 4, 0, 7, 0, &format!("项目资金（{unit}）"), &cell)?;
    for (col, label) in [
        "",
        "年初预算数",
        "全年预算数",
        "全年执行数",
        "分值",
        "执行率",
        "得分",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string_with_format(4, 1 + col as u16, *label, &cell)?;
    }
    let to_unit = |fen: i64| match table.unit {
        MoneyUnit::Wan => fen as f64 / 1_000_000.0,
        MoneyUnit::Yuan => fen as f64 / 100.0,
    };
    sheet.write_string_with_format(5, 1, "年度资金总额", &cell)?;
    sheet.write_number_with_format(5, 2, to_unit(table.budget.initial_fen), &amount)?;
    sheet.write_number_with_format(5, 3, to_unit(table.budget.full_year_fen), &amount)?;
    sheet.write_number_with_format(5, 4, to_unit(table.budget.executed_fen), &amount)?;
    if let Some(points) = table.execution_points_x100 {
        sheet.write_number_with_format(5, 5, points as f64 / 100.0, &number)?;
    }
    if table.budget.full_year_fen > 0 {
        let rate = table.budget.executed_fen as f64 / table.budget.full_year_fen as f64;
        sheet.write_number_with_format(5, 6, rate, &cell.clone().set_num_format("0.00%"))?;
    }
    if let Some(score) = table.execution_published_x100 {
        sheet.write_number_with_format(5, 7, score as f64 / 100.0, &number)?;
    }
    for (row, label) in [(6u32, "其中：当年财政拨款"), (7, "其他资金")] {
        sheet.write_string_with_format(row, 1, label, &cell)?;
        for col in 2..=7 {
            sheet.write_blank(row, col, &cell)?;
        }
    }
    merge(sheet, 8, 0, 9, 0, "年度总体目标", &cell)?;
    merge(sheet, 8, 1, 8, 4, "预期目标", &cell)?;
    merge(sheet, 8, 5, 8, 9, "实际完成情况", &cell)?;
    merge(sheet, 9, 1, 9, 4, &table.goal_expected, &cell)?;
    merge(sheet, 9, 5, 9, 9, &table.goal_actual, &cell)?;
    let header = 10u32;
    for (col, label) in [
        "一级指标",
        "二级指标",
        "三级指标",
        "年度指标值",
        "实际完成值",
        "分值",
        "得分",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string_with_format(header, 1 + col as u16, *label, &cell)?;
    }
    merge(sheet, header, 8, header, 9, "偏差原因分析及改进措施", &cell)?;
    let first = header + 1;
    let last = first + table.items.len() as u32 - 1;
    merge(sheet, header, 0, last.max(header), 0, "绩效指标", &cell)?;
    // Level-1 and level-2 cells are merged down over runs of the same value.
    for (col, key) in [(1u16, 0usize), (2, 1)] {
        let mut start = 0usize;
        while start < table.items.len() {
            let value = |i: usize| {
                let input = &table.items[i].input;
                if key == 0 {
                    input.level1.clone()
                } else {
                    format!("{}\u{1f}{}", input.level1, input.level2)
                }
            };
            let mut end = start;
            while end + 1 < table.items.len() && value(end + 1) == value(start) {
                end += 1;
            }
            let text = if key == 0 {
                &table.items[start].input.level1
            } else {
                &table.items[start].input.level2
            };
            merge(
                sheet,
                first + start as u32,
                col,
                first + end as u32,
                col,
                text,
                &cell,
            )?;
            start = end + 1;
        }
    }
    for (i, item) in table.items.iter().enumerate() {
        let row = first + i as u32;
        let input = &item.input;
        let target = if input.op == Operator::Qualitative.as_str() {
            input.target.clone()
        } else {
            let op = Operator::parse(&input.op).map_or("", |o| o.label());
            format!("{op}{}{}", input.target, input.unit)
        };
        write_text(sheet, row, 3, &input.name, &cell)?;
        write_text(sheet, row, 4, &target, &cell)?;
        match input.actual.parse::<f64>() {
            Ok(value) if input.op != Operator::Qualitative.as_str() => {
                sheet.write_number_with_format(row, 5, value, &cell)?;
            }
            _ => write_text(sheet, row, 5, &input.actual, &cell)?,
        }
        match jixiao_core::target::parse_points(&input.points) {
            Some(points) => {
                sheet.write_number_with_format(row, 6, points as f64 / 100.0, &number)?;
            }
            None => write_text(sheet, row, 6, &input.points, &cell)?,
        }
        match item.published_x100 {
            Some(score) => sheet.write_number_with_format(row, 7, score as f64 / 100.0, &number)?,
            None => sheet.write_blank(row, 7, &cell)?,
        };
        merge(sheet, row, 8, row, 9, &input.deviation_reason, &cell)?;
    }
    let total_row = last + 1;
    merge(sheet, total_row, 0, total_row, 5, "总分", &cell)?;
    sheet.write_number_with_format(total_row, 6, 100.0, &number)?;
    match table.total_published_x100 {
        Some(total) => {
            sheet.write_number_with_format(total_row, 7, total as f64 / 100.0, &number)?
        }
        None => sheet.write_blank(total_row, 7, &cell)?,
    };
    merge(sheet, total_row, 8, total_row, 9, "", &cell)?;
    workbook.save_to_buffer()
}
