//! Target sheets (绩效目标申报表) as Excel: templates with drop-down lists from the rulebook and a
//! protected header, blank for a category or filled from drafts (one sheet per project), and the
//! reading of an uploaded workbook back into rows — every problem named by sheet, row and column,
//! and files that are too large, encrypted, not .xlsx, hold formulas or odd merges refused.

use crate::intake::{self, IntakeError, XlsxLimits, xlsx::SheetCells};
use crate::spreadsheet_text::{merge_text, write_text};
use crate::xlsx_page::{ColumnWidths, set_up_page};
use calamine::Data;
use jixiao_core::target::IndicatorInput;
use rust_xlsxwriter::{
    DataValidation, DataValidationErrorStyle, DataValidationRule, Format, FormatAlign,
    FormatBorder, Formula, ProtectionOptions, Workbook, XlsxError,
};
use serde::Serialize;

/// The marker in the hidden options sheet that makes a workbook ours.
pub const MARKER: &str = "JIXIAO-TARGET-TEMPLATE-1";
/// The hidden sheet with the marker and the drop-down lists.
const OPTIONS_SHEET: &str = "选项";
/// Rows offered for indicators.
pub const TEMPLATE_ROWS: u32 = 60;
/// First indicator row (0-based): row 10 as Excel shows it.
const FIRST_ROW: u32 = 9;
/// Header row (0-based).
const HEADER_ROW: u32 = 8;

/// The indicator columns, in order, with the field each fills.
pub const COLUMNS: [(&str, &str, f64); 10] = [
    ("一级指标", "level1", 12.0),
    ("二级指标", "level2", 16.0),
    ("三级指标", "name", 28.0),
    ("运算符", "op", 8.0),
    ("指标值", "value", 12.0),
    ("计量单位", "unit", 10.0),
    ("分值", "points", 8.0),
    ("指标值确定依据", "value_basis", 16.0),
    ("指标解释", "explanation", 24.0),
    ("数据来源", "data_source", 16.0),
];

/// Units offered in the drop-down (others may be typed after a warning).
const UNITS: [&str; 22] = [
    "%",
    "个",
    "人",
    "人次",
    "户",
    "项",
    "次",
    "家",
    "所",
    "台",
    "套",
    "件",
    "万元",
    "元",
    "元/人",
    "天",
    "月",
    "年",
    "公里",
    "平方米",
    "亩",
    "吨",
];

/// What a template is for: the rulebook's lists, and a project's header and rows if filled.
#[derive(Debug, Clone, Default)]
pub struct TemplateSheet {
    /// Worksheet name (a project code, or 绩效目标申报表).
    pub sheet_name: String,
    /// Budget year.
    pub year: i32,
    /// Category code.
    pub category_code: String,
    /// Category name.
    pub category_name: String,
    /// Project code (empty for a blank template).
    pub project_code: String,
    /// Project name.
    pub project_name: String,
    /// Agency name.
    pub agency_name: String,
    /// 总体目标.
    pub overall_goal: String,
    /// 年度目标.
    pub annual_goal: String,
    /// Rows already filled.
    pub rows: Vec<IndicatorInput>,
}

/// The rulebook's lists for the drop-downs.
#[derive(Debug, Clone, Default)]
pub struct TemplateLists {
    /// Rulebook name shown in the header.
    pub rulebook_name: String,
    /// Level-1 names.
    pub level1: Vec<String>,
    /// Every level-2 name (the upload checks it belongs to its level-1).
    pub level2: Vec<String>,
}

fn column_letter(col: usize) -> String {
    let mut n = col + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        out.push(char::from(b'A' + u8::try_from(rem).unwrap_or(0)));
        n = (n - 1) / 26;
    }
    out.iter().rev().collect()
}

/// Writes a workbook with one target sheet per entry of `sheets` (at least one).
pub fn write_templates(
    lists: &TemplateLists,
    sheets: &[TemplateSheet],
) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let title = Format::new()
        .set_bold()
        .set_font_size(16)
        .set_align(FormatAlign::Center);
    let label = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_background_color("#F2F2F2");
    let fixed = Format::new().set_border(FormatBorder::Thin);
    let input = Format::new()
        .set_border(FormatBorder::Thin)
        .set_unlocked()
        .set_text_wrap()
        .set_background_color("#FFFDE7");
    let header = label.clone().set_align(FormatAlign::Center).set_text_wrap();
    let text_input = input.clone().set_num_format("@");

    for sheet_spec in sheets {
        let sheet = workbook.add_worksheet();
        sheet.set_name(&sheet_spec.sheet_name)?;
        // Each column as wide as its header and the text filled in (a Chinese character counts
        // two), and never narrower than the room the template leaves for typing.
        let mut widths = ColumnWidths::new();
        for (col, (name, _, _)) in COLUMNS.iter().enumerate() {
            widths.measure(col, name);
        }
        for r in &sheet_spec.rows {
            for (col, value) in [&r.level1, &r.level2, &r.name, &r.value, &r.unit]
                .into_iter()
                .enumerate()
            {
                let col = if col >= 3 { col + 1 } else { col };
                widths.measure(col, value);
            }
        }
        let mut total_width = 0.0;
        for (col, (_, _, width)) in COLUMNS.iter().enumerate() {
            let width = width.max(widths.width(col, 40.0));
            sheet.set_column_width(u16::try_from(col).unwrap_or(0), width)?;
            total_width += width;
        }
        set_up_page(sheet, HEADER_ROW, HEADER_ROW, total_width)?;
        let last = u16::try_from(COLUMNS.len() - 1).unwrap_or(0);
        sheet.merge_range(
            0,
            0,
            0,
            last,
            &format!("{}年度项目支出绩效目标申报表", sheet_spec.year),
            &title,
        )?;
        sheet.set_row_height(0, 28)?;
        let pairs: [(u32, &str, String, &str, String); 3] = [
            (
                2,
                "项目编码",
                sheet_spec.project_code.clone(),
                "项目名称",
                sheet_spec.project_name.clone(),
            ),
            (
                3,
                "预算年度",
                sheet_spec.year.to_string(),
                "项目类别",
                format!(
                    "{}（{}）",
                    sheet_spec.category_name, sheet_spec.category_code
                ),
            ),
            (
                4,
                "实施单位",
                sheet_spec.agency_name.clone(),
                "指标体系",
                lists.rulebook_name.clone(),
            ),
        ];
        for (row, l1, v1, l2, v2) in &pairs {
            sheet.write_string_with_format(*row, 0, *l1, &label)?;
            merge_text(sheet, (*row, 1), (*row, 2), v1, &fixed)?;
            sheet.write_string_with_format(*row, 3, *l2, &label)?;
            merge_text(sheet, (*row, 4), (*row, last), v2, &fixed)?;
        }
        for (row, name, value) in [
            (5, "总体目标", &sheet_spec.overall_goal),
            (6, "年度目标", &sheet_spec.annual_goal),
        ] {
            sheet.write_string_with_format(row, 0, name, &label)?;
            merge_text(sheet, (row, 1), (row, last), value, &input)?;
            sheet.set_row_height(row, 48)?;
        }
        sheet.write_string(
            7,
            0,
            "填写说明：黄色单元格可填写；一级、二级指标和运算符从下拉列表选择；定量指标的指标值填数字，\
             定性指标填“达到预期”等描述；分值合计100。请勿修改表头、合并单元格或填写公式。",
        )?;
        for (col, (name, _, _)) in COLUMNS.iter().enumerate() {
            sheet.write_string_with_format(
                HEADER_ROW,
                u16::try_from(col).unwrap_or(0),
                *name,
                &header,
            )?;
        }
        let last_row = FIRST_ROW + TEMPLATE_ROWS - 1;
        for row in FIRST_ROW..=last_row {
            for col in 0..COLUMNS.len() {
                sheet.write_blank(row, u16::try_from(col).unwrap_or(0), &text_input)?;
            }
        }
        for (n, r) in sheet_spec.rows.iter().enumerate() {
            let row = FIRST_ROW + u32::try_from(n).unwrap_or(0);
            if row > last_row {
                break;
            }
            let op =
                jixiao_core::target::Operator::parse(&r.op).map_or(r.op.as_str(), |o| o.label());
            let values = [
                r.level1.as_str(),
                r.level2.as_str(),
                r.name.as_str(),
                op,
                r.value.as_str(),
                r.unit.as_str(),
                r.points.as_str(),
                r.value_basis.as_str(),
                r.explanation.as_str(),
                r.data_source.as_str(),
            ];
            for (col, value) in values.iter().enumerate() {
                write_text(
                    sheet,
                    row,
                    u16::try_from(col).unwrap_or(0),
                    value,
                    &text_input,
                )?;
            }
        }
        let list = |column: &str, count: usize| {
            Formula::new(format!(
                "='{OPTIONS_SHEET}'!${column}$2:${column}${}",
                count.max(1) + 1
            ))
        };
        let level1 = DataValidation::new()
            .allow_list_formula(list("A", lists.level1.len()))
            .set_error_message("请从下拉列表选择一级指标")?;
        let level2 = DataValidation::new()
            .allow_list_formula(list("B", lists.level2.len()))
            .set_error_message("请从下拉列表选择二级指标")?;
        let op = DataValidation::new()
            .allow_list_strings(&["≥", "≤", "=", "定性"])?
            .set_error_message("运算符为 ≥、≤、= 或 定性")?;
        let unit = DataValidation::new()
            .allow_list_formula(list("C", UNITS.len()))
            .set_error_style(DataValidationErrorStyle::Information)
            .set_error_message("不在常用单位中，请确认")?;
        let points = DataValidation::new()
            .allow_decimal_number(DataValidationRule::Between(0.0, 100.0))
            .set_error_message("分值为0到100之间的数，最多两位小数")?;
        sheet.add_data_validation(FIRST_ROW, 0, last_row, 0, &level1)?;
        sheet.add_data_validation(FIRST_ROW, 1, last_row, 1, &level2)?;
        sheet.add_data_validation(FIRST_ROW, 3, last_row, 3, &op)?;
        sheet.add_data_validation(FIRST_ROW, 5, last_row, 5, &unit)?;
        sheet.add_data_validation(FIRST_ROW, 6, last_row, 6, &points)?;
        let options = ProtectionOptions {
            format_columns: true,
            format_rows: true,
            ..ProtectionOptions::default()
        };
        sheet.protect_with_options(&options);
    }

    let options = workbook.add_worksheet();
    options.set_name(OPTIONS_SHEET)?;
    options.write_string(0, 0, MARKER)?;
    let plain = Format::new();
    write_text(options, 0, 1, &lists.rulebook_name, &plain)?;
    for (n, name) in lists.level1.iter().enumerate() {
        write_text(options, u32::try_from(n + 1).unwrap_or(0), 0, name, &plain)?;
    }
    for (n, name) in lists.level2.iter().enumerate() {
        write_text(options, u32::try_from(n + 1).unwrap_or(0), 1, name, &plain)?;
    }
    for (n, name) in UNITS.iter().enumerate() {
        options.write_string(u32::try_from(n + 1).unwrap_or(0), 2, *name)?;
    }
    options.set_hidden(true);
    options.protect();
    workbook.save_to_buffer()
}

/// One problem of an uploaded workbook, with where it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CellProblem {
    /// Worksheet name (empty for the file as a whole).
    pub sheet: String,
    /// Row as Excel shows it (0 for the sheet as a whole).
    pub row: u32,
    /// Column letter (empty for a whole row or sheet).
    pub column: String,
    /// What is wrong, in Chinese, starting with where.
    pub message: String,
}

impl CellProblem {
    fn new(sheet: &str, row: u32, column: &str, what: impl std::fmt::Display) -> CellProblem {
        let place = match (row, column.is_empty()) {
            (0, _) => format!("工作表“{sheet}”"),
            (_, true) => format!("工作表“{sheet}”第{row}行"),
            (_, false) => format!("工作表“{sheet}”{column}{row}单元格"),
        };
        CellProblem {
            sheet: sheet.to_owned(),
            row,
            column: column.to_owned(),
            message: if sheet.is_empty() {
                what.to_string()
            } else {
                format!("{place}：{what}")
            },
        }
    }

    /// A problem of the whole file.
    pub fn file(what: impl std::fmt::Display) -> CellProblem {
        CellProblem::new("", 0, "", what)
    }
}

/// One project's target sheet as read from a workbook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadedSheet {
    /// Worksheet name.
    pub sheet: String,
    /// 项目编码 in the header (empty in a blank template).
    pub project_code: String,
    /// 预算年度 in the header.
    pub year: Option<i32>,
    /// Category code in the header (from `名称（代码）`).
    pub category_code: String,
    /// 总体目标.
    pub overall_goal: String,
    /// 年度目标.
    pub annual_goal: String,
    /// Indicator rows that are not blank, with their Excel row numbers.
    pub rows: Vec<(u32, IndicatorInput)>,
    /// Problems found while reading (formulas, merges, unreadable cells); the sheet is not to be
    /// stored when there are any.
    pub problems: Vec<CellProblem>,
}

impl UploadedSheet {
    /// Where a row error of `parse_sheet` (row = index among the non-blank rows, from 1) is.
    pub fn locate(&self, error: &jixiao_core::target::RowError) -> CellProblem {
        let what = error
            .message
            .split_once('：')
            .map_or(error.message.as_str(), |(_, rest)| rest);
        if error.row == 0 {
            let (row, column) = match error.field.as_str() {
                "overall_goal" => (6, "B"),
                "annual_goal" => (7, "B"),
                _ => (0, ""),
            };
            return CellProblem::new(&self.sheet, row, column, what);
        }
        let excel_row = self.rows.get(error.row - 1).map_or(0, |(row, _)| *row);
        let column = COLUMNS
            .iter()
            .position(|(_, field, _)| *field == error.field)
            .map(column_letter)
            .unwrap_or_default();
        CellProblem::new(&self.sheet, excel_row, &column, what)
    }
}

/// Why a workbook could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkbookError {
    /// Refused by the file intake (size, kind, parts, rows, columns…).
    #[error(transparent)]
    Intake(#[from] IntakeError),
    /// Not made from our template.
    #[error("该文件不是本系统下载的绩效目标申报表模板，请先下载模板，在模板中填写后上传")]
    NotTemplate,
}

fn cell_text(data: Option<&Data>) -> Result<String, &'static str> {
    Ok(match data {
        None | Some(Data::Empty) => String::new(),
        Some(Data::String(s)) => s.trim().to_owned(),
        Some(Data::Int(i)) => i.to_string(),
        Some(Data::Float(f)) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{f:.0}")
            } else {
                // Shortest text that reads back as the same number (no binary noise).
                let text = format!("{f}");
                if text.contains('e') {
                    return Err("数值格式无法识别，请改为文本或普通数字");
                }
                text
            }
        }
        Some(Data::Bool(b)) => if *b { "是" } else { "否" }.to_owned(),
        Some(Data::DateTime(_) | Data::DateTimeIso(_) | Data::DurationIso(_)) => {
            return Err("单元格是日期格式，请改为文本或数字");
        }
        Some(Data::Error(_)) => return Err("单元格是错误值（如 #VALUE!），请改正"),
    })
}

/// Reads an uploaded workbook through the file intake (bounded as [`intake::TARGET_SHEET`],
/// the file no larger than `limit_bytes`): every target sheet in it (the hidden options sheet
/// skipped), each with its own problems.
pub fn read_workbook(bytes: &[u8], limit_bytes: u64) -> Result<Vec<UploadedSheet>, WorkbookError> {
    let limits = XlsxLimits {
        file_bytes: limit_bytes.min(intake::TARGET_SHEET.file_bytes),
        ..intake::TARGET_SHEET
    };
    let mut workbook = intake::xlsx::open(bytes, limits)?;
    let names = workbook.sheet_names();
    if !names.iter().any(|n| n == OPTIONS_SHEET)
        || workbook.cell(OPTIONS_SHEET, (0, 0))? != Data::String(MARKER.to_owned())
    {
        return Err(WorkbookError::NotTemplate);
    }
    let mut sheets = Vec::new();
    for name in names.iter().filter(|n| n.as_str() != OPTIONS_SHEET) {
        sheets.push(read_sheet(&workbook.sheet(name)?));
    }
    Ok(sheets)
}

/// The merges the template has: the title, the header pairs and the two goals.
fn allowed_merge(r0: u32, c0: u32, r1: u32, c1: u32) -> bool {
    let last = u32::try_from(COLUMNS.len() - 1).unwrap_or(0);
    r0 == r1
        && match r0 {
            0 | 5 | 6 => c0 == if r0 == 0 { 0 } else { 1 } && c1 == last,
            2..=4 => (c0, c1) == (1, 2) || (c0, c1) == (4, last),
            _ => false,
        }
}

fn read_sheet(cells: &SheetCells) -> UploadedSheet {
    let (name, range) = (cells.name.as_str(), &cells.values);
    let mut problems = Vec::new();
    let get = |row: u32, col: u32| range.get_value((row, col));
    let text_at = |row: u32, col: u32, problems: &mut Vec<CellProblem>| -> String {
        match cell_text(get(row, col)) {
            Ok(text) => text,
            Err(what) => {
                problems.push(CellProblem::new(
                    name,
                    row + 1,
                    &column_letter(col as usize),
                    what,
                ));
                String::new()
            }
        }
    };
    // The header must be the template's.
    let headers_ok = COLUMNS.iter().enumerate().all(|(col, (header, _, _))| {
        cell_text(get(HEADER_ROW, u32::try_from(col).unwrap_or(0)))
            .ok()
            .as_deref()
            == Some(*header)
    });
    if !headers_ok {
        problems.push(CellProblem::new(
            name,
            HEADER_ROW + 1,
            "",
            "表头与模板不一致（应为一级指标、二级指标、三级指标、运算符、指标值、计量单位、分值、\
             指标值确定依据、指标解释、数据来源），请使用本系统下载的模板",
        ));
    }
    // Formulas where values belong.
    for ((row, col), formula) in &cells.formulas {
        problems.push(CellProblem::new(
            name,
            row + 1,
            &column_letter(*col as usize),
            format!("是公式（={}），请复制后“粘贴为数值”再上传", formula.trim()),
        ));
    }
    // Merged cells where the template has none.
    for merge in &cells.merges {
        let (r0, c0) = merge.start;
        let (r1, c1) = merge.end;
        if !allowed_merge(r0, c0, r1, c1) {
            problems.push(CellProblem::new(
                name,
                r0 + 1,
                &column_letter(c0 as usize),
                format!(
                    "合并单元格 {}{}:{}{} 不是模板中的格式，请取消合并，每行填写完整的指标",
                    column_letter(c0 as usize),
                    r0 + 1,
                    column_letter(c1 as usize),
                    r1 + 1
                ),
            ));
        }
    }
    let project_code = text_at(2, 1, &mut problems);
    let year_text = text_at(3, 1, &mut problems);
    let category = text_at(3, 4, &mut problems);
    let category_code = category
        .rsplit_once('（')
        .map(|(_, code)| code.trim_end_matches('）').to_owned())
        .unwrap_or_default();
    let overall_goal = text_at(5, 1, &mut problems);
    let annual_goal = text_at(6, 1, &mut problems);
    let mut rows = Vec::new();
    let end_row = range.end().map_or(0, |(r, _)| r);
    for row in FIRST_ROW..=end_row {
        let mut fields: Vec<String> = Vec::with_capacity(COLUMNS.len());
        for col in 0..COLUMNS.len() {
            fields.push(text_at(row, u32::try_from(col).unwrap_or(0), &mut problems));
        }
        if fields.iter().all(String::is_empty) {
            continue;
        }
        let mut fields = fields.into_iter();
        let mut next = || fields.next().unwrap_or_default();
        rows.push((
            row + 1,
            IndicatorInput {
                level1: next(),
                level2: next(),
                name: next(),
                op: next(),
                value: next(),
                unit: next(),
                points: next(),
                value_basis: next(),
                explanation: next(),
                data_source: next(),
            },
        ));
    }
    UploadedSheet {
        sheet: name.to_owned(),
        project_code,
        year: year_text.parse().ok(),
        category_code,
        overall_goal,
        annual_goal,
        rows,
        problems,
    }
}
