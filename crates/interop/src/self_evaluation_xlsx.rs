//! Published self-evaluation tables (项目支出绩效自评表, the layout of 财预〔2020〕10号 附件1) read
//! from .xlsx: cells are found by their labels, not by position; vertically merged level-1 and
//! level-2 cells are filled down; values like `≥50个`, `≤90万元`, `>=90%` are split into operator,
//! number and unit; every score is recomputed by the rulebook and compared with the table's own.

use crate::intake::{self, IntakeError};
use calamine::Data;
use jixiao_core::money;
use jixiao_core::scoring::{BudgetBlock, ItemInput, ScoringRules};
use jixiao_core::target::{Operator, RowError};
use serde::Serialize;

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

#[derive(Debug, Clone, Default)]
struct Cell {
    text: String,
    number: Option<String>,
    error: bool,
}

struct Grid {
    cells: Vec<Vec<Cell>>,
}

/// `G14` for row 13, column 6 (both from 0).
pub fn cell_ref(row: usize, col: usize) -> String {
    let mut letters = String::new();
    let mut n = col + 1;
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.insert(0, char::from(b'A' + u8::try_from(rem).unwrap_or(0)));
        n = (n - 1) / 26;
    }
    format!("{letters}{}", row + 1)
}

fn normalize(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            '：' => ':',
            other => other,
        })
        .collect()
}

/// A float as a decimal text with at most six places (cells hold binary floats).
fn float_text(value: f64) -> String {
    let text = format!("{value:.6}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_owned()
    } else {
        text.to_owned()
    }
}

impl Grid {
    fn cell(&self, row: usize, col: usize) -> Option<&Cell> {
        self.cells.get(row).and_then(|r| r.get(col))
    }

    fn text(&self, row: usize, col: usize) -> &str {
        self.cell(row, col).map_or("", |c| c.text.as_str())
    }

    fn rows(&self) -> usize {
        self.cells.len()
    }

    /// The first cell (row-major) whose normalized text starts with `label`.
    fn find(&self, label: &str) -> Option<(usize, usize)> {
        self.cells.iter().enumerate().find_map(|(r, row)| {
            row.iter()
                .position(|c| normalize(&c.text).starts_with(label))
                .map(|c| (r, c))
        })
    }

    /// The first filled cell right of `(row, col)` that is not the label itself spread by a merge.
    fn value_right_of(&self, row: usize, col: usize) -> String {
        let label = self.text(row, col).to_owned();
        self.cells
            .get(row)
            .into_iter()
            .flat_map(|r| r.iter().skip(col + 1))
            .map(|c| c.text.trim())
            .find(|t| !t.is_empty() && *t != label.trim())
            .unwrap_or("")
            .to_owned()
    }

    /// The column in `row` whose normalized text contains `label`.
    fn column(&self, row: usize, label: &str) -> Option<usize> {
        self.cells
            .get(row)?
            .iter()
            .position(|c| normalize(&c.text).contains(label))
    }

    /// The first row containing every label.
    fn header_row(&self, labels: &[&str]) -> Option<usize> {
        (0..self.rows()).find(|r| labels.iter().all(|l| self.column(*r, l).is_some()))
    }
}

fn read_grid(bytes: &[u8]) -> Result<(String, Grid), TableError> {
    let mut workbook = intake::xlsx::open(bytes, intake::SELF_EVALUATION)?;
    let mut first: Option<(String, Grid)> = None;
    for name in workbook.sheet_names() {
        let sheet = workbook.sheet(&name)?;
        let range = &sheet.values;
        let Some((end_row, end_col)) = range.end() else {
            continue;
        };
        let rows = end_row as usize + 1;
        let cols = end_col as usize + 1;
        let mut cells = vec![vec![Cell::default(); cols]; rows];
        for (r, row) in cells.iter_mut().enumerate() {
            for (c, cell) in row.iter_mut().enumerate() {
                let position = (
                    u32::try_from(r).unwrap_or(u32::MAX),
                    u32::try_from(c).unwrap_or(u32::MAX),
                );
                *cell = match range.get_value(position) {
                    Some(Data::String(s)) => Cell {
                        text: s.clone(),
                        number: None,
                        error: false,
                    },
                    Some(Data::Int(i)) => Cell {
                        text: i.to_string(),
                        number: Some(i.to_string()),
                        error: false,
                    },
                    Some(Data::Float(f)) => Cell {
                        text: float_text(*f),
                        number: Some(float_text(*f)),
                        error: false,
                    },
                    Some(Data::Bool(b)) => Cell {
                        text: if *b { "是" } else { "否" }.to_owned(),
                        number: None,
                        error: false,
                    },
                    Some(Data::DateTime(d)) => Cell {
                        text: d.to_string(),
                        number: None,
                        error: false,
                    },
                    Some(Data::DateTimeIso(s) | Data::DurationIso(s)) => Cell {
                        text: s.clone(),
                        number: None,
                        error: false,
                    },
                    Some(Data::Error(e)) => Cell {
                        text: format!("#{e:?}"),
                        number: None,
                        error: true,
                    },
                    Some(Data::Empty) | None => Cell::default(),
                };
            }
        }
        // Each merged region takes its first cell's value; regions are clipped to the grid and
        // together may cover it at most once over, so filling them costs no more than the grid.
        let mut budget = rows.saturating_mul(cols);
        for dims in &sheet.merges {
            let (r0, c0) = (dims.start.0 as usize, dims.start.1 as usize);
            let (r1, c1) = (
                (dims.end.0 as usize).min(rows.saturating_sub(1)),
                (dims.end.1 as usize).min(cols.saturating_sub(1)),
            );
            let Some(value) = cells.get(r0).and_then(|r| r.get(c0)).cloned() else {
                continue;
            };
            let area = (r1.saturating_sub(r0) + 1).saturating_mul(c1.saturating_sub(c0) + 1);
            budget =
                budget
                    .checked_sub(area)
                    .ok_or(TableError::Intake(IntakeError::TooManyMerges {
                        sheet: name.clone(),
                        limit: intake::SELF_EVALUATION.merges,
                    }))?;
            for row in cells.iter_mut().take(r1 + 1).skip(r0) {
                for cell in row.iter_mut().take(c1 + 1).skip(c0) {
                    *cell = value.clone();
                }
            }
        }
        let grid = Grid { cells };
        if grid.find("项目名称").is_some() {
            return Ok((name, grid));
        }
        if first.is_none() {
            first = Some((name, grid));
        }
    }
    first.ok_or(TableError::Missing("项目名称"))
}

/// Splits `≥50个`, `<=90万元`, `不低于95%` into operator, number and unit. A value with a number
/// but no operator is taken as `≥`; one without a number is qualitative.
pub fn parse_value(text: &str) -> (Operator, String, String) {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    const PREFIXES: [(&str, Operator); 22] = [
        (">=", Operator::AtLeast),
        ("＞＝", Operator::AtLeast),
        ("≥", Operator::AtLeast),
        ("≧", Operator::AtLeast),
        ("⩾", Operator::AtLeast),
        ("不低于", Operator::AtLeast),
        ("不少于", Operator::AtLeast),
        ("大于等于", Operator::AtLeast),
        ("<=", Operator::AtMost),
        ("＜＝", Operator::AtMost),
        ("≤", Operator::AtMost),
        ("≦", Operator::AtMost),
        ("⩽", Operator::AtMost),
        ("不高于", Operator::AtMost),
        ("不超过", Operator::AtMost),
        ("小于等于", Operator::AtMost),
        ("=", Operator::Equal),
        ("＝", Operator::Equal),
        (">", Operator::AtLeast),
        ("＞", Operator::AtLeast),
        ("<", Operator::AtMost),
        ("＜", Operator::AtMost),
    ];
    let mut op = None;
    let mut rest = compact.as_str();
    for (prefix, o) in PREFIXES {
        if let Some(r) = rest.strip_prefix(prefix) {
            op = Some(o);
            rest = r;
            break;
        }
    }
    let number: String = rest
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ',' || *c == '-')
        .filter(|c| *c != ',')
        .collect();
    if number.is_empty() || !jixiao_core::target::is_number(&number) {
        return (Operator::Qualitative, text.trim().to_owned(), String::new());
    }
    let unit = rest[rest
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_digit() || *c == '.' || *c == ',' || *c == '-'))
        .map_or(rest.len(), |(i, _)| i)..]
        .to_owned();
    (op.unwrap_or(Operator::AtLeast), number, unit)
}

/// The number at the start of a cell (`450人` → `450`), if any.
fn leading_number(cell: &Cell) -> Option<String> {
    if let Some(n) = &cell.number {
        return Some(n.clone());
    }
    let (op, value, _) = parse_value(&cell.text);
    (op != Operator::Qualitative).then_some(value)
}

fn points_of(text: &str) -> Option<i64> {
    let cleaned = text.trim().trim_end_matches('分');
    jixiao_core::target::parse_points(cleaned).or_else(|| {
        // Scores with more than two decimals are rounded half-up to two.
        jixiao_core::monitoring::parse_decimal(cleaned)
            .filter(|v| *v >= 0)
            .and_then(|v| i64::try_from((v + 50) / 100).ok())
    })
}

fn cell_error(row: usize, col: usize, column: &str, message: impl std::fmt::Display) -> RowError {
    RowError {
        row: row + 1,
        field: column.to_owned(),
        message: format!("单元格{}（{column}）{message}", cell_ref(row, col)),
    }
}

/// Reads a table. Refuses a file that is not an .xlsx workbook, an encrypted one, one without
/// the labels of the layout, and cells that should hold numbers but do not (naming each cell).
pub fn read_table(bytes: &[u8], rules: &ScoringRules) -> Result<SelfEvaluationTable, TableError> {
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

    let header = grid
        .header_row(&[
            "一级指标",
            "二级指标",
            "三级指标",
            "年度指标值",
            "实际完成值",
        ])
        .ok_or(TableError::NoIndicators)?;
    let hcol = |label: &str| grid.column(header, label);
    let (Some(l1), Some(l2), Some(l3), Some(tc), Some(ac)) = (
        hcol("一级指标"),
        hcol("二级指标"),
        hcol("三级指标"),
        hcol("年度指标值"),
        hcol("实际完成值"),
    ) else {
        return Err(TableError::NoIndicators);
    };
    let points_col = hcol("分值").ok_or(TableError::Missing("分值"))?;
    let score_col = hcol("得分").ok_or(TableError::Missing("得分"))?;
    let reason_col = hcol("偏差原因");
    let mut items = Vec::new();
    let mut total_published_x100 = None;
    for r in header + 1..grid.rows() {
        let row_texts: Vec<String> = (0..grid.cells[r].len())
            .map(|c| normalize(grid.text(r, c)))
            .collect();
        if row_texts.iter().any(|t| t.starts_with("总分")) {
            let published = grid
                .cell(r, score_col)
                .and_then(|cell| cell.number.clone().or_else(|| Some(cell.text.clone())));
            total_published_x100 = published.as_deref().and_then(points_of).or_else(|| {
                (0..grid.cells[r].len()).rev().find_map(|c| {
                    grid.cell(r, c)
                        .and_then(|cell| cell.number.as_deref())
                        .and_then(points_of)
                })
            });
            break;
        }
        let name = grid.text(r, l3).trim().to_owned();
        let target_text = grid.text(r, tc).trim().to_owned();
        if name.is_empty() && target_text.is_empty() || normalize(&name) == "三级指标" {
            continue;
        }
        for c in [tc, ac, points_col, score_col] {
            if grid.cell(r, c).is_some_and(|cell| cell.error) {
                errors.push(cell_error(
                    r,
                    c,
                    "单元格",
                    format!("是错误值{}", grid.text(r, c)),
                ));
            }
        }
        let (op, target, target_unit) = parse_value(&target_text);
        let points_text = grid
            .cell(r, points_col)
            .map(|cell| {
                cell.number
                    .clone()
                    .unwrap_or_else(|| cell.text.trim().to_owned())
            })
            .unwrap_or_default();
        let points_x100 = match points_of(&points_text) {
            Some(p) => p,
            None => {
                errors.push(cell_error(
                    r,
                    points_col,
                    "分值",
                    format!("“{points_text}”不是数字"),
                ));
                0
            }
        };
        let published_x100 = optional_points("得分", r, Some(score_col), &mut errors);
        let actual_cell = grid.cell(r, ac).cloned().unwrap_or_default();
        let mut input = ItemInput {
            level1: grid.text(r, l1).trim().to_owned(),
            level2: grid.text(r, l2).trim().to_owned(),
            name,
            op: op.as_str().to_owned(),
            target: target.clone(),
            unit: target_unit.clone(),
            points: jixiao_core::target::format_points(points_x100),
            deviation_reason: reason_col
                .map(|c| grid.text(r, c).trim().to_owned())
                .unwrap_or_default(),
            ..ItemInput::default()
        };
        if op == Operator::Qualitative {
            input.actual = actual_cell.text.trim().to_owned();
            match rules
                .band_of_text(&input.actual)
                .or_else(|| rules.band_of_text(&target))
            {
                Some(band) => {
                    input.band = band.name.clone();
                    // The evaluator's pick within the band is the table's own score.
                    let percent_x100 = match published_x100 {
                        Some(score) if points_x100 > 0 => {
                            (i128::from(score) * 1_000_000 / i128::from(points_x100)) as i64
                        }
                        _ => i64::from(band.high_percent) * 10_000,
                    };
                    let clamped = percent_x100.clamp(
                        i64::from(band.low_percent) * 10_000,
                        i64::from(band.high_percent) * 10_000,
                    );
                    input.band_percent = format!("{}.{:04}", clamped / 10_000, clamped % 10_000);
                }
                None => errors.push(cell_error(
                    r,
                    ac,
                    "实际完成值",
                    format!("“{}”无法判断达成程度（达成/部分达成/未达成）", input.actual),
                )),
            }
        } else {
            match leading_number(&actual_cell) {
                Some(mut actual) => {
                    // A percent cell holds 0.98 for 98%.
                    if target_unit.contains('%') && actual_cell.number.is_some() {
                        let value = jixiao_core::monitoring::parse_decimal(&actual).unwrap_or(0);
                        let target_value =
                            jixiao_core::monitoring::parse_decimal(&target).unwrap_or(0);
                        if value <= 10_000 && target_value > 10_000 {
                            actual = float_text(actual.parse::<f64>().unwrap_or(0.0) * 100.0);
                        }
                    }
                    input.actual = actual;
                }
                None => errors.push(cell_error(
                    r,
                    ac,
                    "实际完成值",
                    format!("“{}”不是数字", actual_cell.text.trim()),
                )),
            }
        }
        items.push(TableItem {
            sheet_row: u32::try_from(r + 1).unwrap_or(u32::MAX),
            input,
            published_x100,
        });
    }
    if items.is_empty() {
        return Err(TableError::NoIndicators);
    }
    if !errors.is_empty() {
        return Err(TableError::Cells(errors));
    }
    Ok(SelfEvaluationTable {
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
        items,
        total_published_x100,
    })
}

pub use crate::self_evaluation_compare::{ComparedItem, Comparison, compare};
pub use crate::self_evaluation_xlsx_write::write_table;
