//! The one door every uploaded or imported file comes in by. A workbook is inspected as a zip
//! before any spreadsheet code sees it (parts counted, every part really decompressed through a
//! counting reader that stops at the limit) and its cells are read sparsely, refusing a cell
//! outside the rows and columns its form can have; a CSV file is bounded in size and decoded as
//! UTF-8 or, as Excel on Chinese Windows saves it, GBK/GB18030. The limits of each form live
//! here, in one place, and every refusal is a Chinese sentence naming the limit — never the text
//! of a library.

pub mod csv;
#[doc(hidden)]
pub mod samples;
pub mod xlsx;

/// The bounds of one kind of workbook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct XlsxLimits {
    /// The largest file, in bytes.
    pub file_bytes: u64,
    /// The most parts (zip entries) a workbook may have.
    pub parts: usize,
    /// The most bytes one part may decompress to.
    pub part_bytes: u64,
    /// The most bytes all parts together may decompress to.
    pub total_bytes: u64,
    /// The most worksheets.
    pub sheets: usize,
    /// Rows a worksheet may use (a cell with content below is refused).
    pub rows: u32,
    /// Columns a worksheet may use (a cell with content to the right is refused).
    pub columns: u32,
    /// The most distinct texts (the shared-strings table) a workbook may declare.
    pub shared_strings: u64,
    /// The most merged regions on one worksheet.
    pub merges: usize,
}

const MB: u64 = 1024 * 1024;

/// 绩效目标申报表: the system's own template, one sheet per project (69 rows, columns A–J, and a
/// hidden options sheet); a bulk workbook carries one agency's drafts.
pub const TARGET_SHEET: XlsxLimits = XlsxLimits {
    file_bytes: 20 * MB,
    parts: 1_000,
    part_bytes: 8 * MB,
    total_bytes: 32 * MB,
    sheets: 200,
    rows: 500,
    columns: 26,
    shared_strings: 200_000,
    merges: 200,
};

/// 项目支出绩效自评表 (财预〔2020〕10号 附件1): one table of a few dozen rows, found by its labels
/// on whichever sheet holds it.
pub const SELF_EVALUATION: XlsxLimits = XlsxLimits {
    file_bytes: 20 * MB,
    parts: 500,
    part_bytes: 8 * MB,
    total_bytes: 32 * MB,
    sheets: 50,
    rows: 1_000,
    columns: 64,
    shared_strings: 100_000,
    merges: 2_000,
};

/// 全国防返贫监测信息系统 person export (one row per person, 100+ columns, header on row 3):
/// a county of 15,000 people is a few MB; a prefecture-level file stays within these bounds.
pub const HOUSEHOLD_EXPORT: XlsxLimits = XlsxLimits {
    file_bytes: 100 * MB,
    parts: 200,
    part_bytes: 1_024 * MB,
    total_bytes: 1_280 * MB,
    sheets: 20,
    rows: 300_000,
    columns: 400,
    shared_strings: 5_000_000,
    merges: 2_000,
};

/// The bounds of one kind of CSV file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CsvLimits {
    /// The largest file, in bytes.
    pub file_bytes: u64,
    /// The most data lines.
    pub lines: usize,
}

/// The treasury payment system's daily export (国库集中支付数据).
pub const TREASURY_CSV: CsvLimits = CsvLimits {
    file_bytes: 20 * MB,
    lines: 200_000,
};

/// The same export saved as CSV (often GBK).
pub const HOUSEHOLD_CSV: CsvLimits = CsvLimits {
    file_bytes: 100 * MB,
    lines: 300_000,
};

/// Why a file was refused before its content was looked at as a form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IntakeError {
    /// Larger than the limit.
    #[error("文件大小为{}，超过上限{}，请删去多余内容后再上传", megabytes(*size), megabytes(*limit))]
    TooLarge {
        /// The file's size in bytes.
        size: u64,
        /// The limit in bytes.
        limit: u64,
    },
    /// Not an .xlsx workbook (or a broken one).
    #[error("文件不是有效的 .xlsx 工作簿，请用Excel或WPS另存为“Excel工作簿（*.xlsx）”后再上传")]
    NotXlsx,
    /// Encrypted.
    #[error("工作簿设有打开密码，请另存为无密码的 .xlsx 文件后再上传")]
    Encrypted,
    /// More zip parts than a workbook of this form has.
    #[error("工作簿包含的部件超过{limit}个，请检查是否为本系统模板")]
    TooManyParts {
        /// The limit.
        limit: usize,
    },
    /// One part decompresses to more than the limit.
    #[error("工作簿中的“{part}”解压后超过{}，请删去多余内容，或检查是否为本系统模板", megabytes(*limit))]
    PartTooLarge {
        /// The part's name in the zip.
        part: String,
        /// The limit in bytes.
        limit: u64,
    },
    /// All parts together decompress to more than the limit.
    #[error("工作簿解压后超过{}，请删去多余内容，或检查是否为本系统模板", megabytes(*limit))]
    Expands {
        /// The limit in bytes.
        limit: u64,
    },
    /// More worksheets than the form has.
    #[error("工作簿超过{limit}张工作表，请分批上传，或检查是否为本系统模板")]
    TooManySheets {
        /// The limit.
        limit: usize,
    },
    /// A cell with content below the last row the form may use.
    #[error(
        "工作表“{sheet}”超过{limit}行（{cell}单元格有内容），请删去多余内容，或检查是否为本系统模板"
    )]
    TooManyRows {
        /// Worksheet name.
        sheet: String,
        /// The limit.
        limit: u32,
        /// The first cell found outside.
        cell: String,
    },
    /// A cell with content right of the last column the form may use.
    #[error(
        "工作表“{sheet}”超过{limit}列（{cell}单元格有内容），请删去多余内容，或检查是否为本系统模板"
    )]
    TooManyColumns {
        /// Worksheet name.
        sheet: String,
        /// The limit.
        limit: u32,
        /// The first cell found outside.
        cell: String,
    },
    /// Too many merged regions on a sheet.
    #[error("工作表“{sheet}”的合并单元格超过{limit}处，请取消多余的合并，或检查是否为本系统模板")]
    TooManyMerges {
        /// Worksheet name.
        sheet: String,
        /// The limit.
        limit: usize,
    },
    /// The shared-strings table declares more texts than the form can hold.
    #[error("工作簿的文字内容超过{limit}条，请检查是否为本系统模板")]
    TooManyStrings {
        /// The limit.
        limit: u64,
    },
    /// The parts are there but their content cannot be read as a worksheet.
    #[error("工作簿内容已损坏，无法读取，请用Excel或WPS打开后另存为“Excel工作簿（*.xlsx）”再上传")]
    Unreadable,
    /// A CSV file in neither UTF-8 nor GBK/GB18030.
    #[error(
        "文件编码无法识别：请使用 UTF-8 或 GBK（GB18030）编码的CSV文件；Excel“CSV（逗号分隔）”另存的文件即为GBK编码，可直接导入"
    )]
    Encoding,
    /// A binary file (an .xlsx, a picture…) sent where a CSV belongs.
    #[error("文件不是CSV文本{}，请在Excel中“另存为”“CSV（逗号分隔）（*.csv）”后再导入", if *workbook { "（像是Excel工作簿）" } else { "" })]
    NotText {
        /// It looks like a zip (an .xlsx).
        workbook: bool,
    },
    /// More CSV lines than the form allows.
    #[error("文件超过{limit}行，请分批导入")]
    TooManyLines {
        /// The limit.
        limit: usize,
    },
}

/// `12.3 MB` for a size in bytes (rounded down to a tenth).
pub fn megabytes(bytes: u64) -> String {
    let tenths = bytes.saturating_mul(10) / MB;
    format!("{}.{} MB", tenths / 10, tenths % 10)
}

/// `XFD1048576` for row 1048575, column 16383 (both from 0).
pub fn cell_name(row: u32, col: u32) -> String {
    let mut letters = Vec::new();
    let mut n = u64::from(col) + 1;
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(char::from(b'A' + u8::try_from(rem).unwrap_or(0)));
        n = (n - 1) / 26;
    }
    let column: String = letters.iter().rev().collect();
    format!("{column}{}", u64::from(row) + 1)
}

/// Refuses a file larger than `limit` bytes.
fn check_size(bytes: &[u8], limit: u64) -> Result<(), IntakeError> {
    let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if size > limit {
        return Err(IntakeError::TooLarge { size, limit });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_and_sizes_are_named_as_excel_and_people_say_them() {
        assert_eq!(cell_name(0, 0), "A1");
        assert_eq!(cell_name(1_048_575, 16_383), "XFD1048576");
        assert_eq!(cell_name(u32::MAX, u32::MAX), "MWLQKWV4294967296");
        assert_eq!(megabytes(20 * MB), "20.0 MB");
        assert_eq!(megabytes(u64::MAX), megabytes(u64::MAX));
    }
}
