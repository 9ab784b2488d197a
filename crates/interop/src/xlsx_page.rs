//! The page setup every Excel file the system writes shares (decision 0037): A4, landscape when
//! the columns are wider than a portrait page, scaled to one page wide, the header rows printed
//! on every page (print titles) and frozen above the data on screen, page numbers in the footer,
//! and column widths measured from the text they hold, a Chinese (full-width) character counting
//! as two.

use rust_xlsxwriter::{Worksheet, XlsxError};

/// Excel's paper size code for A4.
const A4: u8 = 9;

/// The widest sheet (its columns' widths added, in Excel character units) printed on a portrait
/// A4 page at a legible scale; a wider sheet is set landscape. Either way it is scaled to one
/// page wide.
pub const PORTRAIT_MAX_WIDTH: f64 = 100.0;

/// Room added to a column's measured text (cell padding and the autofilter arrow).
const PADDING: usize = 2;

/// The narrowest column.
const MIN_WIDTH: usize = 6;

/// The width of `text` in Excel's character units: a Chinese (CJK or other full-width)
/// character counts two, any other one; for text of several lines, its longest line.
pub fn text_width(text: &str) -> usize {
    text.lines()
        .map(|line| line.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum())
        .max()
        .unwrap_or(0)
}

/// Whether `c` takes two columns (East Asian wide or full-width).
fn is_wide(c: char) -> bool {
    matches!(u32::from(c),
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3040..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x20000..=0x3FFFD)
}

/// The widest text seen in each column of a sheet, as it is written, so the columns fit it.
#[derive(Debug, Clone, Default)]
pub struct ColumnWidths {
    widest: Vec<usize>,
}

impl ColumnWidths {
    /// No text seen yet.
    pub fn new() -> ColumnWidths {
        ColumnWidths::default()
    }

    /// Notes `text` written (or shown, for numbers) in column `col`.
    pub fn measure(&mut self, col: usize, text: &str) {
        if self.widest.len() <= col {
            self.widest.resize(col + 1, 0);
        }
        let width = text_width(text);
        if width > self.widest[col] {
            self.widest[col] = width;
        }
    }

    /// The width column `col` is given: its widest text with padding, at least [`MIN_WIDTH`] and
    /// at most `max` (longer text wraps).
    pub fn width(&self, col: usize, max: f64) -> f64 {
        let fit = self.widest.get(col).copied().unwrap_or(0) + PADDING;
        let fit = fit.max(MIN_WIDTH) as f64;
        fit.min(max.max(MIN_WIDTH as f64))
    }

    /// Sets every measured column's width on `sheet` (column `n` at most `max[n]`, or
    /// `default_max` past the end of `max`) and returns the sheet's total width.
    pub fn apply(
        &self,
        sheet: &mut Worksheet,
        max: &[f64],
        default_max: f64,
    ) -> Result<f64, XlsxError> {
        let mut total = 0.0;
        for col in 0..self.widest.len() {
            let width = self.width(col, max.get(col).copied().unwrap_or(default_max));
            sheet.set_column_width(u16::try_from(col).unwrap_or(u16::MAX), width)?;
            total += width;
        }
        Ok(total)
    }
}

/// Sets `sheet` up for printing and reading: A4, landscape when `total_width` (the columns'
/// widths added) is past [`PORTRAIT_MAX_WIDTH`], one page wide and as many pages long as it
/// takes, rows `first_header_row..=last_header_row` repeated on every printed page and frozen
/// above the data, centred, with page numbers.
pub fn set_up_page(
    sheet: &mut Worksheet,
    first_header_row: u32,
    last_header_row: u32,
    total_width: f64,
) -> Result<(), XlsxError> {
    sheet.set_paper_size(A4);
    if total_width > PORTRAIT_MAX_WIDTH {
        sheet.set_landscape();
    } else {
        sheet.set_portrait();
    }
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(first_header_row, last_header_row)?;
    sheet.set_freeze_panes(last_header_row + 1, 0)?;
    sheet.set_print_center_horizontally(true);
    sheet.set_margins(0.4, 0.4, 0.6, 0.6, 0.3, 0.3);
    sheet.set_footer("&C第 &P 页，共 &N 页");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_counts_two_and_the_longest_line_counts() {
        assert_eq!(text_width("项目名称"), 8);
        assert_eq!(text_width("批复金额（万元）"), 16);
        assert_eq!(text_width("2019年公岗扶贫"), 14);
        assert_eq!(text_width("ab\n乐陵市"), 6);
        assert_eq!(text_width(""), 0);
    }

    #[test]
    fn a_column_fits_its_widest_text_within_bounds() {
        let mut widths = ColumnWidths::new();
        widths.measure(0, "乐陵市农业综合开发服务中心");
        widths.measure(0, "财政局");
        widths.measure(2, "x");
        assert_eq!(widths.width(0, 60.0), 28.0);
        assert_eq!(widths.width(0, 20.0), 20.0);
        assert_eq!(widths.width(1, 60.0), 6.0);
        assert_eq!(widths.width(2, 60.0), 6.0);
    }
}
