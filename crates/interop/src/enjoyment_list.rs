//! A department's list of who enjoys its policies (享受政策名单: 民政's 低保 roll, 医保's insured,
//! 残联's subsidies …), as .xlsx or CSV (UTF-8 or GBK): one row per person and policy, the header
//! within the first rows (证件号码, 政策, 起始日期; 姓名, 截止日期, 金额（元） when given). Every
//! problem is named by its cell; rows without content are skipped.

use crate::intake::{self, IntakeError, cell_name};
use calamine::Data;
use chrono::NaiveDate;
use jixiao_core::assistance::export::RowError;
use jixiao_core::money;
use std::collections::HashMap;

/// Rows searched for the header.
const HEADER_SEARCH_ROWS: u32 = 10;

/// One row of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnjoymentLine {
    /// The sheet row, from 1.
    pub row: u32,
    /// 证件号码 as written (upper-case X).
    pub id_number: String,
    /// 证件号码's cell, for problems found later.
    pub id_cell: String,
    /// 姓名 (may be empty).
    pub name: String,
    /// 政策 as written (a policy's name or code).
    pub policy: String,
    /// 政策's cell.
    pub policy_cell: String,
    /// First day covered.
    pub from: NaiveDate,
    /// Last day covered, if the list says.
    pub to: Option<NaiveDate>,
    /// 金额, fen (0 when not given).
    pub amount_fen: i64,
}

/// A list read.
#[derive(Debug, Clone, Default)]
pub struct EnjoymentList {
    /// The rows that read.
    pub lines: Vec<EnjoymentLine>,
    /// Every problem, by cell.
    pub errors: Vec<RowError>,
    /// The header's row, from 1.
    pub header_row: u32,
}

/// Why a list cannot be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ListError {
    /// The file itself was refused.
    #[error(transparent)]
    Intake(#[from] IntakeError),
    /// No header.
    #[error(
        "未找到表头：前{HEADER_SEARCH_ROWS}行中没有同时含“证件号码”“政策”“起始日期”的行。请按“证件号码、姓名、政策、起始日期、截止日期、金额（元）”列出"
    )]
    NoHeader,
    /// No rows under the header.
    #[error("表头以下没有数据")]
    Empty,
}

/// The list's columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Column {
    IdNumber,
    Name,
    Policy,
    From,
    To,
    Amount,
}

const HEADERS: &[(Column, &[&str])] = &[
    (
        Column::IdNumber,
        &["证件号码", "身份证号码", "身份证号", "公民身份号码"],
    ),
    (Column::Name, &["姓名"]),
    (
        Column::Policy,
        &["政策", "政策名称", "享受政策", "救助类别"],
    ),
    (
        Column::From,
        &["起始日期", "享受起始日期", "开始日期", "享受开始日期"],
    ),
    (
        Column::To,
        &["截止日期", "享受截止日期", "结束日期", "享受结束日期"],
    ),
    (
        Column::Amount,
        &["金额（元）", "金额", "发放金额（元）", "发放金额"],
    ),
];

fn column_of(header: &str) -> Option<Column> {
    let h = crate::household_export::columns::normalise_header(header);
    HEADERS.iter().find_map(|(c, names)| {
        names
            .iter()
            .any(|n| crate::household_export::columns::normalise_header(n) == h)
            .then_some(*c)
    })
}

fn header_name(column: Column) -> &'static str {
    HEADERS
        .iter()
        .find(|(c, _)| *c == column)
        .and_then(|(_, n)| n.first().copied())
        .unwrap_or("")
}

struct Reader {
    header: Option<HashMap<Column, u32>>,
    list: EnjoymentList,
}

impl Reader {
    fn visit(&mut self, row0: u32, cells: &[(u32, String)]) {
        let row = row0 + 1;
        let Some(header) = &self.header else {
            if row <= HEADER_SEARCH_ROWS {
                let found: HashMap<Column, u32> = cells
                    .iter()
                    .filter_map(|(col, text)| column_of(text).map(|c| (c, *col)))
                    .collect();
                if [Column::IdNumber, Column::Policy, Column::From]
                    .iter()
                    .all(|c| found.contains_key(c))
                {
                    self.header = Some(found);
                    self.list.header_row = row;
                }
            }
            return;
        };
        let text = |column: Column| -> String {
            header
                .get(&column)
                .and_then(|col| cells.iter().find(|(c, _)| c == col))
                .map(|(_, t)| t.trim().to_owned())
                .unwrap_or_default()
        };
        let cell = |column: Column| {
            header
                .get(&column)
                .map(|col| cell_name(row0, *col))
                .unwrap_or_default()
        };
        if cells.iter().all(|(_, t)| t.trim().is_empty()) {
            return;
        }
        let mut errors = Vec::new();
        let mut problem = |column: Column, message: String| {
            errors.push(RowError {
                row,
                cell: cell(column),
                column: header_name(column).to_owned(),
                message,
            });
        };
        let id_number = text(Column::IdNumber).to_ascii_uppercase();
        if id_number.is_empty() {
            problem(Column::IdNumber, "证件号码为空".to_owned());
        }
        let policy = text(Column::Policy);
        if policy.is_empty() {
            problem(Column::Policy, "政策为空".to_owned());
        }
        let date = |t: &str| crate::household_export::columns::date(t);
        let from = match date(&text(Column::From)) {
            Ok(d) => Some(d),
            Err(message) => {
                problem(Column::From, message);
                None
            }
        };
        let to_text = text(Column::To);
        let to = if to_text.is_empty() {
            None
        } else {
            match date(&to_text) {
                Ok(d) => Some(d),
                Err(message) => {
                    problem(Column::To, message);
                    None
                }
            }
        };
        if let (Some(from), Some(to)) = (from, to)
            && to < from
        {
            problem(Column::To, "截止日期早于起始日期".to_owned());
        }
        let amount_text = text(Column::Amount).replace([',', '，'], "");
        let amount_fen = if amount_text.is_empty() {
            0
        } else {
            match money::parse_yuan(&amount_text) {
                Ok(fen) => fen,
                Err(_) => {
                    problem(
                        Column::Amount,
                        format!("“{amount_text}”应为金额（元），不能为负"),
                    );
                    0
                }
            }
        };
        let name = text(Column::Name);
        if [&id_number, &policy, &name]
            .iter()
            .any(|t| t.chars().any(char::is_control) || t.chars().count() > 100)
        {
            problem(Column::Name, "含有控制字符或超过100字".to_owned());
        }
        if errors.is_empty()
            && let Some(from) = from
        {
            self.list.lines.push(EnjoymentLine {
                row,
                id_cell: cell(Column::IdNumber),
                policy_cell: cell(Column::Policy),
                id_number,
                name,
                policy,
                from,
                to,
                amount_fen,
            });
        }
        self.list.errors.append(&mut errors);
    }

    fn finish(self) -> Result<EnjoymentList, ListError> {
        if self.header.is_none() {
            return Err(ListError::NoHeader);
        }
        if self.list.lines.is_empty() && self.list.errors.is_empty() {
            return Err(ListError::Empty);
        }
        Ok(self.list)
    }
}

pub(crate) fn text_of(data: &Data) -> String {
    match data {
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => {
            let days = d.as_f64().floor();
            NaiveDate::from_ymd_opt(1899, 12, 30)
                .and_then(|epoch| {
                    (days.is_finite() && (0.0..3_000_000.0).contains(&days))
                        .then(|| epoch + chrono::Days::new(days as u64))
                })
                .map_or_else(String::new, |d| d.format("%Y%m%d").to_string())
        }
        Data::Error(_) | Data::Empty => String::new(),
    }
}

/// Reads a list by its content: a workbook if it is a zip, else CSV.
pub fn read(bytes: &[u8]) -> Result<EnjoymentList, ListError> {
    let mut reader = Reader {
        header: None,
        list: EnjoymentList::default(),
    };
    if bytes.starts_with(b"PK\x03\x04") {
        let mut workbook = intake::xlsx::open(bytes, intake::HOUSEHOLD_EXPORT)?;
        let sheet = workbook
            .sheet_names()
            .into_iter()
            .next()
            .ok_or(IntakeError::Unreadable)?;
        workbook.each_row(&sheet, |row, cells| {
            let cells: Vec<(u32, String)> = cells.iter().map(|(c, d)| (*c, text_of(d))).collect();
            reader.visit(row, &cells);
        })?;
    } else {
        let text = intake::csv::decode(bytes, intake::HOUSEHOLD_CSV)?;
        let mut csv = ::csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        for (i, record) in csv.records().enumerate() {
            if i >= intake::HOUSEHOLD_CSV.lines {
                return Err(IntakeError::TooManyLines {
                    limit: intake::HOUSEHOLD_CSV.lines,
                }
                .into());
            }
            let record = record.map_err(|_| IntakeError::Encoding)?;
            let cells: Vec<(u32, String)> = record
                .iter()
                .enumerate()
                .map(|(c, t)| (u32::try_from(c).unwrap_or(u32::MAX), t.to_owned()))
                .collect();
            reader.visit(u32::try_from(i).unwrap_or(u32::MAX), &cells);
        }
    }
    reader.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gbk_list_reads_and_each_bad_cell_is_named() {
        let text = "乐陵市民政局 低保名单\n证件号码,姓名,政策,起始日期,截止日期,金额（元）\n\
                    371481195003040116,王建国,低保,20200101,,285\n\
                    ,李秀英,低保,20200101,,285\n\
                    371481195206117221,李秀英,低保,2020年1月,,285\n\
                    371481194101010423,张桂兰,特困供养（分散）,20200101,20191231,abc\n\
                    ,,,,,\n";
        let bytes = encoding_rs::GBK.encode(text).0.into_owned();
        let list = read(&bytes).expect("reads");
        assert_eq!(list.header_row, 2);
        assert_eq!(list.lines.len(), 1);
        assert_eq!(list.lines[0].amount_fen, 28_500);
        assert_eq!(list.lines[0].id_cell, "A3");
        let cells: Vec<&str> = list.errors.iter().map(|e| e.cell.as_str()).collect();
        assert_eq!(cells, ["A4", "D5", "E6", "F6"]);
        assert_eq!(read(b"a,b\n1,2\n").err(), Some(ListError::NoHeader));
    }
}
