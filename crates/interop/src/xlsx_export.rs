//! Excel exports of lists (导出Excel): a title row with year and agency, Chinese headers frozen
//! above the data, sensible widths, money as numbers formatted in 万元 or 元 (never text), and
//! user text written as text — a cell starting with `=`, `+`, `-` or `@` gets Excel's quote prefix
//! so it can never run as a formula. Rows are written in order in constant memory, so long lists
//! do not sit in memory while the file is made.

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
    /// Width in characters.
    pub width: f64,
    /// What it holds.
    pub kind: ColumnKind,
}

impl Column {
    /// A column.
    pub fn new(header: &str, width: f64, kind: ColumnKind) -> Column {
        Column {
            header: header.to_owned(),
            width,
            kind,
        }
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
    sheet: usize,
    next_row: u32,
}

impl ExportWriter {
    /// Starts a sheet: `title` in the first row, headers in the second (both frozen).
    pub fn new(
        sheet_name: &str,
        title: &str,
        columns: &[Column],
    ) -> Result<ExportWriter, XlsxError> {
        let text = Format::new().set_border(FormatBorder::Thin);
        let quoted = text.clone().set_quote_prefix();
        let mut writer = ExportWriter {
            workbook: Workbook::new(),
            columns: Vec::new(),
            text,
            quoted,
            formats: Vec::new(),
            sheet: 0,
            next_row: 2,
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
        self.start_sheet(sheet_name, title, columns)?;
        self.sheet += 1;
        Ok(())
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
        let last = u16::try_from(columns.len().saturating_sub(1)).unwrap_or(0);
        for (n, column) in columns.iter().enumerate() {
            sheet.set_column_width(u16::try_from(n).unwrap_or(u16::MAX), column.width)?;
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
        sheet.set_freeze_panes(2, 0)?;
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
                }
                Cell::Number(value) => {
                    let shown = match column.kind {
                        ColumnKind::Wan => *value as f64 / 1_000_000.0,
                        ColumnKind::Yuan | ColumnKind::Hundredths => *value as f64 / 100.0,
                        ColumnKind::Percent => *value as f64 / 10_000.0,
                        ColumnKind::Integer | ColumnKind::Text => *value as f64,
                    };
                    sheet.write_number_with_format(row_number, col, shown, &self.formats[n])?;
                }
            }
        }
        self.next_row += 1;
        Ok(())
    }

    /// The finished file.
    pub fn finish(mut self) -> Result<Vec<u8>, XlsxError> {
        self.workbook.save_to_buffer()
    }

    /// The finished file in an anonymous temporary file, read from its start: long lists are
    /// never whole in memory, not even as the finished workbook.
    pub fn finish_to_file(mut self) -> Result<std::fs::File, XlsxError> {
        use std::io::{Seek, SeekFrom};
        let mut file = tempfile::tempfile()?;
        self.workbook.save_to_writer(&mut file)?;
        file.seek(SeekFrom::Start(0))?;
        Ok(file)
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
