//! Published self-evaluation tables (项目支出绩效自评表, the layout of 财预〔2020〕10号 附件1) read
//! from .xlsx: cells are found by their labels, not by position ([`grid`]); vertically merged
//! level-1 and level-2 cells are filled down; values like `≥50个`, `≤90万元`, `>=90%` are split
//! into operator, number and unit ([`values`]); an actual value in words is read as a finance
//! reviewer would ([`actual`]); every score is recomputed by the rulebook and compared with the
//! table's own ([`compare`]), by the rulebook variant the table's own points fit ([`import`]).

mod actual;
mod grid;
mod indicators;
mod values;

pub use grid::cell_ref;
pub use values::parse_value;

use grid::{normalize, read_grid};
use jixiao_core::money;
use jixiao_core::scoring::{BudgetBlock, Finding, ItemInput, ScoringRules};
use jixiao_core::target::RowError;
use serde::Serialize;
use values::{cell_error, points_of};

use crate::intake::IntakeError;

/// Why a file could not be read as a self-evaluation table. Messages name the cell or row.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TableError {
    /// Refused by the file intake: not an .xlsx workbook, encrypted, broken, or beyond the
    /// bounds of a self-evaluation table.
    #[error(transparent)]
    Intake(#[from] IntakeError),
    /// A required label was not found.
    #[error("未找到“{0}”，该文件不是项目支出绩效自评表")]
    Missing(&'static str),
    /// The indicator block is missing or empty.
    #[error("未找到绩效指标表（一级指标、二级指标、三级指标、年度指标值、实际完成值、分值、得分）")]
    NoIndicators,
    /// Cells that should hold numbers do not, or rows that cannot be scored.
    #[error("自评表有{}处错误：{}", .0.len(), .0.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join("；"))]
    Cells(Vec<RowError>),
}

/// The unit amounts are given in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum MoneyUnit {
    /// 万元.
    #[serde(rename = "万元")]
    Wan,
    /// 元.
    #[serde(rename = "元")]
    Yuan,
}

/// One indicator row of a table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableItem {
    /// Row number in the sheet (from 1, as Excel shows it).
    pub sheet_row: u32,
    /// The item as scoring input (band and share derived for qualitative rows).
    pub input: ItemInput,
    /// The table's 得分.
    pub published_x100: Option<i64>,
}

/// What was read off a table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SelfEvaluationTable {
    /// Worksheet name.
    pub sheet: String,
    /// 项目名称.
    pub project: String,
    /// 主管部门.
    pub department: String,
    /// 实施单位.
    pub implementing_unit: String,
    /// The year in the title (（2019年度）), if any.
    pub year: Option<i32>,
    /// The unit of the budget block.
    pub unit: MoneyUnit,
    /// 年初预算数, 全年预算数, 全年执行数.
    pub budget: BudgetBlock,
    /// The execution row's 分值.
    pub execution_points_x100: Option<i64>,
    /// The execution row's 得分.
    pub execution_published_x100: Option<i64>,
    /// 预期目标.
    pub goal_expected: String,
    /// 实际完成情况.
    pub goal_actual: String,
    /// Indicator rows.
    pub items: Vec<TableItem>,
    /// 总分 as the table gives it.
    pub total_published_x100: Option<i64>,
}

/// What the reading noticed beside the table itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SheetNotes {
    /// Actual values interpreted, and scores taken from the table (`actual_interpreted`,
    /// `score_taken_from_sheet`).
    pub findings: Vec<Finding>,
    /// The points the 总分 row prints (100 in the published layout).
    pub points_total_printed_x100: Option<i64>,
    /// Level-1 points printed with the level-1 name (产出指标（50分）), in order.
    pub level1_printed: Vec<(String, i64)>,
}

/// A table as read, with what the reading noticed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableReading {
    /// The table.
    pub table: SelfEvaluationTable,
    /// Interpretations and printed sums.
    pub notes: SheetNotes,
}

/// Reads a table (see [`read`]).
pub fn read_table(bytes: &[u8], rules: &ScoringRules) -> Result<SelfEvaluationTable, TableError> {
    read(bytes, rules).map(|reading| reading.table)
}

/// Reads a table with what the reading noticed. Refuses a file that is not an .xlsx workbook, an
/// encrypted one, one without the labels of the layout, and cells that should hold numbers but
/// do not (naming each cell); a 实际完成值 in words is interpreted, or the row's own 得分 taken,
/// and noted instead.
pub fn read(bytes: &[u8], rules: &ScoringRules) -> Result<TableReading, TableError> {
    let (sheet, grid) = read_grid(bytes)?;
    let (r, c) = grid
        .find("项目名称")
        .ok_or(TableError::Missing("项目名称"))?;
    let project = grid.value_right_of(r, c);
    if project.is_empty() {
        return Err(TableError::Cells(vec![cell_error(
            r,
            c + 1,
            "项目名称",
            "为空",
        )]));
    }
    let department = grid
        .find("主管部门")
        .map(|(r, c)| grid.value_right_of(r, c))
        .unwrap_or_default();
    let implementing_unit = grid
        .find("实施单位")
        .map(|(r, c)| grid.value_right_of(r, c))
        .unwrap_or_default();
    let year = grid.cells.iter().flatten().find_map(|cell| {
        let text = normalize(&cell.text);
        let at = text.find("年度")?;
        let digits: String = text[..at]
            .chars()
            .rev()
            .take_while(char::is_ascii_digit)
            .collect();
        (digits.len() == 4)
            .then(|| digits.chars().rev().collect::<String>().parse().ok())
            .flatten()
    });

    let mut errors = Vec::new();
    let budget_row = grid
        .header_row(&["年初预算数", "全年预算数", "全年执行数"])
        .ok_or(TableError::Missing("全年预算数"))?;
    let unit = if (0..=budget_row)
        .any(|r| (0..grid.cells[r].len()).any(|c| normalize(grid.text(r, c)).contains("万元")))
    {
        MoneyUnit::Wan
    } else if (0..=budget_row).any(|r| {
        (0..grid.cells[r].len()).any(|c| {
            let t = normalize(grid.text(r, c));
            t.contains("(元)") || t.contains("单位:元")
        })
    }) {
        MoneyUnit::Yuan
    } else {
        MoneyUnit::Wan
    };
    let col = |label: &str| grid.column(budget_row, label);
    let full_col = col("全年预算数").ok_or(TableError::Missing("全年预算数"))?;
    let values_row = (budget_row + 1..grid.rows())
        .find(|r| {
            (0..grid.cells[*r].len()).any(|c| normalize(grid.text(*r, c)).contains("年度资金总额"))
        })
        .or_else(|| {
            (budget_row + 1..grid.rows()).find(|r| !grid.text(*r, full_col).trim().is_empty())
        })
        .ok_or(TableError::Missing("年度资金总额"))?;
    let mut amount = |label: &'static str| -> i64 {
        let Some(c) = col(label) else {
            return 0;
        };
        let Some(cell) = grid.cell(values_row, c) else {
            return 0;
        };
        if cell.text.trim().is_empty() {
            return 0;
        }
        let text = cell.number.clone().unwrap_or_else(|| {
            cell.text
                .trim()
                .trim_end_matches("万元")
                .trim_end_matches('元')
                .replace(',', "")
        });
        let parsed = match unit {
            MoneyUnit::Wan => money::parse_wan(&text),
            MoneyUnit::Yuan => money::parse_yuan(&text),
        };
        match parsed {
            Ok(fen) if fen >= 0 => fen,
            _ => {
                errors.push(cell_error(
                    values_row,
                    c,
                    label,
                    format!("“{}”不是金额", cell.text.trim()),
                ));
                0
            }
        }
    };
    let budget = BudgetBlock {
        initial_fen: amount("年初预算数"),
        full_year_fen: amount("全年预算数"),
        executed_fen: amount("全年执行数"),
    };
    let optional_points = |label: &'static str,
                           row: usize,
                           c: Option<usize>,
                           errors: &mut Vec<RowError>|
     -> Option<i64> {
        let c = c?;
        let text = grid.text(row, c).trim().to_owned();
        if text.is_empty() {
            return None;
        }
        let parsed = grid
            .cell(row, c)
            .and_then(|cell| cell.number.clone())
            .unwrap_or(text.clone());
        match points_of(&parsed) {
            Some(p) => Some(p),
            None => {
                errors.push(cell_error(row, c, label, format!("“{text}”不是数字")));
                None
            }
        }
    };
    let budget_points_col = col("分值");
    let budget_score_col = col("得分");
    let execution_points_x100 = optional_points("分值", values_row, budget_points_col, &mut errors);
    let execution_published_x100 =
        optional_points("得分", values_row, budget_score_col, &mut errors);

    let (goal_expected, goal_actual) = match grid.header_row(&["预期目标", "实际完成情况"])
    {
        Some(r) => {
            let expected = grid
                .column(r, "预期目标")
                .map(|c| grid.text(r + 1, c).trim().to_owned())
                .unwrap_or_default();
            let actual = grid
                .column(r, "实际完成情况")
                .map(|c| grid.text(r + 1, c).trim().to_owned())
                .unwrap_or_default();
            (expected, actual)
        }
        None => (String::new(), String::new()),
    };

    let mut notes = SheetNotes::default();
    let indicators = indicators::read(&grid, rules, &mut errors, &mut notes)?;
    if !errors.is_empty() {
        return Err(TableError::Cells(errors));
    }
    Ok(TableReading {
        table: SelfEvaluationTable {
            sheet,
            project,
            department,
            implementing_unit,
            year,
            unit,
            budget,
            execution_points_x100,
            execution_published_x100,
            goal_expected,
            goal_actual,
            items: indicators.items,
            total_published_x100: indicators.total_published_x100,
        },
        notes,
    })
}

/// A finding on a table.
pub(crate) fn finding(code: &str, row: Option<usize>, message: String) -> Finding {
    Finding {
        code: code.to_owned(),
        row,
        message,
    }
}

pub use crate::self_evaluation_compare::{ComparedItem, Comparison, compare};
pub use crate::self_evaluation_variant::{Import, Variant, import};
pub use crate::self_evaluation_xlsx_write::write_table;
