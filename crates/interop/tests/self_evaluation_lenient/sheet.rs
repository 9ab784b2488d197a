//! Self-evaluation tables in a county's own layout, written with rust_xlsxwriter for the lenient
//! import tests, and helpers that run and inspect an import.

use jixiao_interop::self_evaluation_xlsx::{Import, Variant, import};
use rust_xlsxwriter::{Format, Workbook, Worksheet};

pub type TestResult = Result<(), Box<dyn std::error::Error>>;

/// A cell value as a county writes it.
#[derive(Clone)]
pub enum Value {
    Text(&'static str),
    Number(f64),
}

/// One indicator row: level-1, level-2, name, target, actual, points, printed score.
#[derive(Clone)]
pub struct Row {
    pub level1: &'static str,
    pub level2: &'static str,
    pub name: &'static str,
    pub target: &'static str,
    pub actual: Value,
    pub points: Value,
    pub score: Option<f64>,
}

pub fn row(
    level1: &'static str,
    level2: &'static str,
    name: &'static str,
    target: &'static str,
    actual: Value,
    points: f64,
    score: f64,
) -> Row {
    Row {
        level1,
        level2,
        name,
        target,
        actual,
        points: Value::Number(points),
        score: Some(score),
    }
}

/// A table in a county's own layout.
pub struct Sheet {
    /// 年初预算数, 全年预算数, 全年执行数 in 万元 (as written).
    pub budget: [Value; 3],
    pub execution_points: f64,
    pub execution_score: f64,
    pub rows: Vec<Row>,
    pub points_total: f64,
    pub total: Option<f64>,
}

pub fn write(sheet: &mut Worksheet, r: u32, c: u16, value: &Value, f: &Format) -> TestResult {
    match value {
        Value::Text(t) => sheet.write_string_with_format(r, c, *t, f)?,
        Value::Number(n) => sheet.write_number_with_format(r, c, *n, f)?,
    };
    Ok(())
}

/// Writes `table`: title with the year in A1, the budget block from row 4, the indicator
/// header in row 8 (A 一级指标 … G 得分), level-1 cells merged down, 总分 last.
pub fn build(table: &Sheet) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("2021年自评")?;
    let f = Format::new();
    sheet.merge_range(0, 0, 0, 7, "2021年度项目支出绩效自评表", &f)?;
    sheet.write_string(1, 0, "项目名称")?;
    sheet.merge_range(1, 1, 1, 7, "2021年农村实用技术培训", &f)?;
    sheet.write_string(2, 0, "主管部门")?;
    sheet.write_string(2, 1, "乐陵市农业农村局")?;
    sheet.write_string(2, 4, "实施单位")?;
    sheet.write_string(2, 5, "乐陵市农业技术推广中心")?;
    for (c, label) in [
        "项目资金（万元）",
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
        sheet.write_string(3, c as u16, *label)?;
    }
    sheet.write_string(4, 0, "年度资金总额")?;
    for (i, value) in table.budget.iter().enumerate() {
        write(sheet, 4, 1 + i as u16, value, &f)?;
    }
    sheet.write_number(4, 4, table.execution_points)?;
    sheet.write_string(4, 5, "95%")?;
    sheet.write_number(4, 6, table.execution_score)?;
    sheet.write_string(5, 0, "年度总体目标")?;
    sheet.write_string(5, 1, "预期目标")?;
    sheet.write_string(5, 4, "实际完成情况")?;
    sheet.write_string(6, 1, "培训农民500人次，合格率95%以上")?;
    sheet.write_string(6, 4, "培训520人次，合格率98%")?;
    for (c, label) in [
        "一级指标",
        "二级指标",
        "三级指标",
        "年度指标值",
        "实际完成值",
        "分值",
        "得分",
        "偏差原因分析及改进措施",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(7, c as u16, *label)?;
    }
    let first = 8u32;
    let mut start = 0usize;
    while start < table.rows.len() {
        let mut end = start;
        while end + 1 < table.rows.len() && table.rows[end + 1].level1 == table.rows[start].level1 {
            end += 1;
        }
        let (r0, r1) = (first + start as u32, first + end as u32);
        if r0 == r1 {
            sheet.write_string(r0, 0, table.rows[start].level1)?;
        } else {
            sheet.merge_range(r0, 0, r1, 0, table.rows[start].level1, &f)?;
        }
        start = end + 1;
    }
    for (i, row) in table.rows.iter().enumerate() {
        let r = first + i as u32;
        sheet.write_string(r, 1, row.level2)?;
        sheet.write_string(r, 2, row.name)?;
        sheet.write_string(r, 3, row.target)?;
        write(sheet, r, 4, &row.actual, &f)?;
        write(sheet, r, 5, &row.points, &f)?;
        if let Some(score) = row.score {
            sheet.write_number(r, 6, score)?;
        }
    }
    let total_row = first + table.rows.len() as u32;
    sheet.merge_range(total_row, 0, total_row, 4, "总分", &f)?;
    sheet.write_number(total_row, 5, table.points_total)?;
    if let Some(total) = table.total {
        sheet.write_number(total_row, 6, total)?;
    }
    Ok(workbook.save_to_buffer()?)
}

pub fn shipped(name: &str) -> Result<Variant, Box<dyn std::error::Error>> {
    Variant::shipped()
        .into_iter()
        .find(|v| v.name == name)
        .ok_or_else(|| format!("no shipped rulebook {name}").into())
}

pub fn run(table: &Sheet, requested: &str) -> Result<Import, Box<dyn std::error::Error>> {
    Ok(import(
        &build(table)?,
        &shipped(requested)?,
        &Variant::shipped(),
    )?)
}

pub fn codes(import: &Import) -> Vec<(String, Option<usize>)> {
    import
        .report
        .findings
        .iter()
        .map(|f| (f.code.clone(), f.row))
        .collect()
}

pub fn has(import: &Import, code: &str, row: Option<usize>) -> bool {
    import
        .report
        .findings
        .iter()
        .any(|f| f.code == code && f.row == row)
}

pub fn message(import: &Import, code: &str) -> String {
    import
        .report
        .findings
        .iter()
        .filter(|f| f.code == code)
        .map(|f| f.message.clone())
        .collect::<Vec<_>>()
        .join("；")
}

pub const FULL_BUDGET: [Value; 3] = [
    Value::Number(100.0),
    Value::Number(100.0),
    Value::Number(95.0),
];

/// A national-default table (execution 10 of 95% → 9.50): 产出 50, 效益 30, 满意度 10.
pub fn national_table(rows: Vec<Row>, total: f64) -> Sheet {
    Sheet {
        budget: FULL_BUDGET,
        execution_points: 10.0,
        execution_score: 9.5,
        rows,
        points_total: 100.0,
        total: Some(total),
    }
}
