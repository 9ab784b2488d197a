//! Excel exports of lists (导出Excel): a title row with year and agency, Chinese headers frozen
//! above the data, sensible widths, money as numbers formatted in 万元 or 元 (never text), and
//! user text written as text — a cell starting with `=`, `+`, `-` or `@` gets Excel's quote prefix
//! so it can never run as a formula. Rows are written in order in constant memory, so long lists
//! do not sit in memory while the file is made. Each sheet gets the shared page setup of
//! [`crate::xlsx_page`] (A4, fit to width, print titles, frozen header, widths that fit Chinese
//! text) and, where the form has one, a total row (合计) summed in integer fen.

use crate::xlsx_page::{ColumnWidths, set_up_page, text_width};
pub use rust_xlsxwriter::XlsxError;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook};

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    /// Text.
    Text,
    /// Money in fen, shown in 万元.
    Wan,
    /// Money in fen, shown in 元.
    Yuan,
    /// Hundredths (scores, points), shown with two decimals.
    Hundredths,
    /// Basis points, shown as a percentage.
    Percent,
    /// A whole number.
    Integer,
}

/// A column.
#[derive(Debug, Clone)]
pub struct Column {
    /// Chinese header.
    pub header: String,
    /// The widest the column grows, in characters (a Chinese character counts two): it is as
    /// wide as its widest text up to this, and longer text wraps.
    pub width: f64,
    /// What it holds.
    pub kind: ColumnKind,
    /// Whether the total row (合计) adds it up.
    pub total: bool,
}

impl Column {
    /// A column.
    pub fn new(header: &str, width: f64, kind: ColumnKind) -> Column {
        Column {
            header: header.to_owned(),
            width,
            kind,
            total: false,
        }
    }

    /// The column, added up in the total row (合计) that then ends its sheet: money in the
    /// column's unit, counts as counts.
    pub fn with_total(mut self) -> Column {
        self.total = true;
        self
    }
}

/// One cell of a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    /// Text.
    Text(String),
    /// A whole number: fen for money columns, hundredths, basis points, or a count.
    Number(i64),
    /// Nothing.
    Empty,
}

impl From<&str> for Cell {
    fn from(text: &str) -> Cell {
        Cell::Text(text.to_owned())
    }
}

impl From<String> for Cell {
    fn from(text: String) -> Cell {
        Cell::Text(text)
    }
}

impl From<i64> for Cell {
    fn from(n: i64) -> Cell {
        Cell::Number(n)
    }
}

impl From<Option<i64>> for Cell {
    fn from(n: Option<i64>) -> Cell {
        n.map_or(Cell::Empty, Cell::Number)
    }
}

pub use crate::spreadsheet_text::looks_like_formula;

/// A sheet being written, row by row (the caller may fetch the next batch between rows).
pub struct ExportWriter {
    workbook: Workbook,
    columns: Vec<Column>,
    text: Format,
    quoted: Format,
    formats: Vec<Format>,
    total_formats: Vec<Format>,
    sheet: usize,
    next_row: u32,
    widths: ColumnWidths,
    /// The running sums (in the stored unit: fen, hundredths, counts) of the columns totalled.
    sums: Vec<i64>,
}

impl ExportWriter {
    /// Starts a sheet: `title` in the first row, headers in the second (both frozen).
    pub fn new(
        sheet_name: &str,
        title: &str,
        columns: &[Column],
    ) -> Result<ExportWriter, XlsxError> {
        let text = Format::new()
            .set_border(FormatBorder::Thin)
            .set_text_wrap()
            .set_align(FormatAlign::Top);
        let quoted = text.clone().set_quote_prefix();
        let mut writer = ExportWriter {
            workbook: Workbook::new(),
            columns: Vec::new(),
            text,
            quoted,
            formats: Vec::new(),
            total_formats: Vec::new(),
            sheet: 0,
            next_row: 2,
            widths: ColumnWidths::new(),
            sums: Vec::new(),
        };
        writer.start_sheet(sheet_name, title, columns)?;
        writer.sheet = 0;
        Ok(writer)
    }

    /// Starts another sheet of the same workbook; later rows go to it.
    pub fn add_sheet(
        &mut self,
        sheet_name: &str,
        title: &str,
        columns: &[Column],
    ) -> Result<(), XlsxError> {
        self.close_sheet()?;
        self.start_sheet(sheet_name, title, columns)?;
        self.sheet += 1;
        Ok(())
    }

    /// Ends the sheet being written: its total row when a column is totalled, then its column
    /// widths and page setup (title and header rows repeated on every printed page, frozen).
    fn close_sheet(&mut self) -> Result<(), XlsxError> {
        if self.columns.iter().any(|c| c.total) {
            self.total_row("合计")?;
        }
        // A column grows to its cap, and always to its whole header.
        let max: Vec<f64> = self
            .columns
            .iter()
            .map(|c| c.width.max((text_width(&c.header) + 2) as f64))
            .collect();
        let sheet = self.workbook.worksheet_from_index(self.sheet)?;
        let total = self.widths.apply(sheet, &max, 60.0)?;
        set_up_page(sheet, 0, 1, total)
    }

    fn start_sheet(
        &mut self,
        sheet_name: &str,
        title: &str,
        columns: &[Column],
    ) -> Result<(), XlsxError> {
        let sheet = self.workbook.add_worksheet_with_constant_memory()?;
        sheet.set_name(sheet_name)?;
        let title_format = Format::new()
            .set_bold()
            .set_font_size(14)
            .set_align(FormatAlign::Center);
        let header = Format::new()
            .set_bold()
            .set_border(FormatBorder::Thin)
            .set_background_color("#F2F2F2")
            .set_align(FormatAlign::Center)
            .set_text_wrap();
        let text = &self.text;
        self.formats = columns
            .iter()
            .map(|c| match c.kind {
                ColumnKind::Wan | ColumnKind::Yuan => text.clone().set_num_format("#,##0.00"),
                ColumnKind::Hundredths => text.clone().set_num_format("0.00"),
                ColumnKind::Percent => text.clone().set_num_format("0.00%"),
                ColumnKind::Integer | ColumnKind::Text => text.clone().set_num_format("0"),
            })
            .collect();
        self.total_formats = self
            .formats
            .iter()
            .map(|f| f.clone().set_bold().set_background_color("#F2F2F2"))
            .collect();
        self.widths = ColumnWidths::new();
        self.sums = vec![0; columns.len()];
        let last = u16::try_from(columns.len().saturating_sub(1)).unwrap_or(0);
        for (n, column) in columns.iter().enumerate() {
            self.widths.measure(n, &column.header);
        }
        if last > 0 {
            sheet.merge_range(0, 0, 0, last, title, &title_format)?;
        } else {
            sheet.write_string_with_format(0, 0, title, &title_format)?;
        }
        sheet.set_row_height(0, 24)?;
        for (n, column) in columns.iter().enumerate() {
            sheet.write_string_with_format(
                1,
                u16::try_from(n).unwrap_or(u16::MAX),
                &column.header,
                &header,
            )?;
        }
        self.columns = columns.to_vec();
        self.next_row = 2;
        Ok(())
    }

    /// Writes the next row.
    pub fn row(&mut self, cells: &[Cell]) -> Result<(), XlsxError> {
        let row_number = self.next_row;
        let sheet = self.workbook.worksheet_from_index(self.sheet)?;
        for (n, (cell, column)) in cells.iter().zip(&self.columns).enumerate() {
            let col = u16::try_from(n).unwrap_or(u16::MAX);
            match cell {
                Cell::Empty => {
                    sheet.write_blank(row_number, col, &self.text)?;
                }
                Cell::Text(value) => {
                    let format = if looks_like_formula(value) {
                        &self.quoted
                    } else {
                        &self.text
                    };
                    sheet.write_string_with_format(row_number, col, value, format)?;
                    self.widths.measure(n, value);
                }
                Cell::Number(value) => {
                    sheet.write_number_with_format(
                        row_number,
                        col,
                        shown_value(column.kind, *value),
                        &self.formats[n],
                    )?;
                    self.widths.measure(n, &shown_text(column.kind, *value));
                    if column.total {
                        self.sums[n] = self.sums[n].saturating_add(*value);
                    }
                }
            }
        }
        self.next_row += 1;
        Ok(())
    }

    /// Writes the total row (合计) of the sheet: `label` in the first column and the sums of the
    /// columns made [`Column::with_total`] of every row written, added in integer fen (or
    /// hundredths, or counts) and shown in the column's unit.
    fn total_row(&mut self, label: &str) -> Result<(), XlsxError> {
        let row_number = self.next_row;
        let sheet = self.workbook.worksheet_from_index(self.sheet)?;
        for (n, column) in self.columns.iter().enumerate() {
            let col = u16::try_from(n).unwrap_or(u16::MAX);
            let format = &self.total_formats[n];
            if n == 0 {
                sheet.write_string_with_format(row_number, col, label, format)?;
            } else if column.total {
                let sum = self.sums[n];
                sheet.write_number_with_format(
                    row_number,
                    col,
                    shown_value(column.kind, sum),
                    format,
                )?;
                self.widths.measure(n, &shown_text(column.kind, sum));
            } else {
                sheet.write_blank(row_number, col, format)?;
            }
        }
        self.next_row += 1;
        Ok(())
    }

    /// The finished file.
    pub fn finish(mut self) -> Result<Vec<u8>, XlsxError> {
        self.close_sheet()?;
        self.workbook.save_to_buffer()
    }

    /// The finished file in an anonymous temporary file, read from its start: long lists are
    /// never whole in memory, not even as the finished workbook.
    pub fn finish_to_file(mut self) -> Result<std::fs::File, XlsxError> {
        use std::io::{Seek, SeekFrom};
        self.close_sheet()?;
        let mut file = tempfile::tempfile()?;
        self.workbook.save_to_writer(&mut file)?;
        file.seek(SeekFrom::Start(0))?;
        Ok(file)
    }
}

/// A stored number (fen, hundredths, basis points or a count) as the cell holds it.
fn shown_value(kind: ColumnKind, value: i64) -> f64 {
    match kind {
        ColumnKind::Wan => value as f64 / 1_000_000.0,
        ColumnKind::Yuan | ColumnKind::Hundredths => value as f64 / 100.0,
        ColumnKind::Percent => value as f64 / 10_000.0,
        ColumnKind::Integer | ColumnKind::Text => value as f64,
    }
}

/// A stored number as Excel shows it with the column's format (for the column's width).
fn shown_text(kind: ColumnKind, value: i64) -> String {
    let grouped = |whole: i64| {
        let digits = whole.unsigned_abs().to_string();
        let mut out = String::new();
        for (i, d) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(d);
        }
        if whole < 0 { format!("-{out}") } else { out }
    };
    match kind {
        ColumnKind::Wan => format!("{}.00", grouped(value / 1_000_000)),
        ColumnKind::Yuan => format!("{}.00", grouped(value / 100)),
        ColumnKind::Hundredths => format!("{}.00", value / 100),
        ColumnKind::Percent => format!("{}.00%", value / 100),
        ColumnKind::Integer | ColumnKind::Text => value.to_string(),
    }
}

/// Writes a whole sheet at once (see [`ExportWriter`]).
pub fn write<I>(
    sheet_name: &str,
    title: &str,
    columns: &[Column],
    rows: I,
) -> Result<Vec<u8>, XlsxError>
where
    I: IntoIterator<Item = Vec<Cell>>,
{
    let mut writer = ExportWriter::new(sheet_name, title, columns)?;
    for row in rows {
        writer.row(&row)?;
    }
    writer.finish()
}
