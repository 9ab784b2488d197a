//! The cells of a self-evaluation workbook as a grid of texts: the sheet holding 项目名称 is
//! chosen, merged regions take their first cell's value, and labels are found by their
//! normalized text (spaces dropped, full-width brackets and colons made half-width).

use super::TableError;
use crate::intake::{self, IntakeError};
use calamine::Data;

#[derive(Debug, Clone, Default)]
pub(crate) struct Cell {
    /// The text shown.
    pub text: String,
    /// The number, for a numeric cell.
    pub number: Option<String>,
    /// An error value (#DIV/0!).
    pub error: bool,
}

pub(crate) struct Grid {
    /// Rows of cells, merged regions filled with their first cell.
    pub cells: Vec<Vec<Cell>>,
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

pub(crate) fn normalize(text: &str) -> String {
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
pub(crate) fn float_text(value: f64) -> String {
    let text = format!("{value:.6}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_owned()
    } else {
        text.to_owned()
    }
}

impl Grid {
    pub(crate) fn cell(&self, row: usize, col: usize) -> Option<&Cell> {
        self.cells.get(row).and_then(|r| r.get(col))
    }

    pub(crate) fn text(&self, row: usize, col: usize) -> &str {
        self.cell(row, col).map_or("", |c| c.text.as_str())
    }

    pub(crate) fn rows(&self) -> usize {
        self.cells.len()
    }

    /// The first cell (row-major) whose normalized text starts with `label`.
    pub(crate) fn find(&self, label: &str) -> Option<(usize, usize)> {
        self.cells.iter().enumerate().find_map(|(r, row)| {
            row.iter()
                .position(|c| normalize(&c.text).starts_with(label))
                .map(|c| (r, c))
        })
    }

    /// The first filled cell right of `(row, col)` that is not the label itself spread by a merge.
    pub(crate) fn value_right_of(&self, row: usize, col: usize) -> String {
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
    pub(crate) fn column(&self, row: usize, label: &str) -> Option<usize> {
        self.cells
            .get(row)?
            .iter()
            .position(|c| normalize(&c.text).contains(label))
    }

    /// The first row containing every label.
    pub(crate) fn header_row(&self, labels: &[&str]) -> Option<usize> {
        (0..self.rows()).find(|r| labels.iter().all(|l| self.column(*r, l).is_some()))
    }
}

pub(crate) fn read_grid(bytes: &[u8]) -> Result<(String, Grid), TableError> {
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
