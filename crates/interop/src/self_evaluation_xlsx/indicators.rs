//! The indicator block of a self-evaluation table (一级指标 … 得分) down to its 总分 row: every
//! row's target split into operator, number and unit, its points and the table's score read as
//! numbers, its 实际完成值 interpreted, and the points and total the table prints.

use super::actual::{Row, interpret};
use super::grid::{Grid, normalize};
use super::values::{cell_error, parse_value, points_of};
use super::{SheetNotes, TableError, TableItem};
use jixiao_core::scoring::{ItemInput, ScoringRules};
use jixiao_core::target::RowError;

/// What the indicator block holds.
pub(crate) struct Indicators {
    /// The rows.
    pub items: Vec<TableItem>,
    /// 总分 as printed.
    pub total_published_x100: Option<i64>,
}

/// Splits `产出指标（50分）` into the level-1 name and the points printed with it.
fn level1_with_points(text: &str) -> (String, Option<i64>) {
    let compact = normalize(text);
    if let Some(open) = compact.find('(')
        && let Some(inner) = compact[open + 1..].strip_suffix(')')
        && let Some(points) = inner.strip_suffix('分').and_then(points_of)
    {
        return (compact[..open].to_owned(), Some(points));
    }
    (text.trim().to_owned(), None)
}

/// A cell's number, else its trimmed text.
fn number_or_text(grid: &Grid, r: usize, c: usize) -> String {
    grid.cell(r, c)
        .map(|cell| {
            cell.number
                .clone()
                .unwrap_or_else(|| cell.text.trim().to_owned())
        })
        .unwrap_or_default()
}

/// Reads the block; problems with cells are added to `errors`, interpretations to `notes`.
pub(crate) fn read(
    grid: &Grid,
    rules: &ScoringRules,
    errors: &mut Vec<RowError>,
    notes: &mut SheetNotes,
) -> Result<Indicators, TableError> {
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
            notes.points_total_printed_x100 = grid
                .cell(r, points_col)
                .and_then(|cell| cell.number.as_deref())
                .and_then(points_of);
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
        let points_text = number_or_text(grid, r, points_col);
        let points_x100 = points_of(&points_text).unwrap_or_else(|| {
            errors.push(cell_error(
                r,
                points_col,
                "分值",
                format!("“{points_text}”不是数字"),
            ));
            0
        });
        let score_text = number_or_text(grid, r, score_col);
        let published_x100 = if score_text.is_empty() {
            None
        } else {
            let parsed = points_of(&score_text);
            if parsed.is_none() {
                errors.push(cell_error(
                    r,
                    score_col,
                    "得分",
                    format!("“{score_text}”不是数字"),
                ));
            }
            parsed
        };
        let (level1, level1_points) = level1_with_points(grid.text(r, l1));
        if let Some(points) = level1_points
            && !notes.level1_printed.iter().any(|(l, _)| *l == level1)
        {
            notes.level1_printed.push((level1.clone(), points));
        }
        let mut input = ItemInput {
            level1,
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
        let actual = grid.cell(r, ac).cloned().unwrap_or_default();
        let row = Row {
            rules,
            r,
            actual_col: ac,
            actual: &actual,
            target_text: &target_text,
            points_x100,
            published_x100,
        };
        match interpret(&row, &mut input) {
            Ok(Some(finding)) => notes.findings.push(finding),
            Ok(None) => {}
            Err(error) => errors.push(error),
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
    Ok(Indicators {
        items,
        total_published_x100,
    })
}
