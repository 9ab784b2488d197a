//! A department's list for the monitoring screening (部门预警数据: 医保's hospital self-paid
//! spending, 残联's new disability certificates, 民政's relief applicants …), as .xlsx or CSV
//! (UTF-8 or GBK) through the same intake guards as every other file: the header within the
//! first rows with 证件号码 (required) and, when given, 姓名, 事由, 日期 and 金额（元）. Each row
//! is read into the shape the enjoyment import uses (`policy` holds the 事由). Every problem is
//! named by its cell; rows without content are skipped.

use crate::enjoyment_list::{EnjoymentLine, EnjoymentList, ListError, text_of};
use crate::intake::{self, IntakeError, cell_name};
use chrono::NaiveDate;
use jixiao_core::assistance::export::RowError;
use jixiao_core::money;
use std::collections::HashMap;

/// Rows searched for the header.
const HEADER_SEARCH_ROWS: u32 = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Column {
    IdNumber,
    Name,
    Item,
    Day,
    Amount,
}

const HEADERS: &[(Column, &[&str])] = &[
    (
        Column::IdNumber,
        &["证件号码", "身份证号码", "身份证号", "公民身份号码"],
    ),
    (Column::Name, &["姓名"]),
    (
        Column::Item,
        &["事由", "类别", "项目", "就诊类型", "残疾类别", "救助类别"],
    ),
    (
        Column::Day,
        &["日期", "住院日期", "出院日期", "发证日期", "结算日期"],
    ),
    (
        Column::Amount,
        &[
            "金额（元）",
            "金额",
            "自付金额（元）",
            "自付金额",
            "个人自付（元）",
            "个人自付",
        ],
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

struct Reader {
    header: Option<HashMap<Column, u32>>,
    list: EnjoymentList,
    today: NaiveDate,
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
                if found.contains_key(&Column::IdNumber) {
                    self.header = Some(found);
                    self.list.header_row = row;
                }
            }
            return;
        };
        if cells.iter().all(|(_, t)| t.trim().is_empty()) {
            return;
        }
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
        let mut errors = Vec::new();
        let mut problem = |column: Column, name: &str, message: String| {
            errors.push(RowError {
                row,
                cell: cell(column),
                column: name.to_owned(),
                message,
            });
        };
        let id_number = text(Column::IdNumber).to_ascii_uppercase();
        if id_number.is_empty() {
            problem(Column::IdNumber, "证件号码", "证件号码为空".to_owned());
        }
        let day_text = text(Column::Day);
        let from = if day_text.is_empty() {
            self.today
        } else {
            match crate::household_export::columns::date(&day_text) {
                Ok(d) => d,
                Err(message) => {
                    problem(Column::Day, "日期", message);
                    self.today
                }
            }
        };
        let amount_text = text(Column::Amount).replace([',', '，'], "");
        let amount_fen = if amount_text.is_empty() {
            0
        } else {
            money::parse_yuan(&amount_text).unwrap_or_else(|_| {
                problem(
                    Column::Amount,
                    "金额（元）",
                    format!("“{amount_text}”应为金额（元），不能为负"),
                );
                0
            })
        };
        let item = text(Column::Item);
        let name = text(Column::Name);
        if [&id_number, &item, &name]
            .iter()
            .any(|t| t.chars().any(char::is_control) || t.chars().count() > 100)
        {
            problem(Column::Item, "事由", "含有控制字符或超过100字".to_owned());
        }
        if errors.is_empty() {
            self.list.lines.push(EnjoymentLine {
                row,
                id_cell: cell(Column::IdNumber),
                policy_cell: cell(Column::Item),
                id_number,
                name,
                policy: item,
                from,
                to: None,
                amount_fen,
            });
        }
        self.list.errors.append(&mut errors);
    }
}

/// Reads a list by its content: a workbook if it is a zip, else CSV. Rows without a date are
/// dated `today`.
pub fn read(bytes: &[u8], today: NaiveDate) -> Result<EnjoymentList, ListError> {
    let mut reader = Reader {
        header: None,
        list: EnjoymentList::default(),
        today,
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
    if reader.header.is_none() {
        return Err(ListError::NoHeader);
    }
    if reader.list.lines.is_empty() && reader.list.errors.is_empty() {
        return Err(ListError::Empty);
    }
    Ok(reader.list)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gbk_hospital_list_reads_and_bad_cells_are_named() {
        let text = "乐陵市医疗保障局 住院自付费用名单\n证件号码,姓名,事由,住院日期,自付金额（元）\n\
                    371481195003040116,王建国,住院自付,20201103,\"23,500\"\n\
                    ,李秀英,住院自付,20201103,100\n\
                    371481194101010423,张桂兰,住院,2020年1月,abc\n";
        let bytes = encoding_rs::GBK.encode(text).0.into_owned();
        let today = NaiveDate::from_ymd_opt(2021, 1, 10).expect("a date");
        let list = read(&bytes, today).expect("reads");
        assert_eq!(list.header_row, 2);
        assert_eq!(list.lines.len(), 1);
        assert_eq!(list.lines[0].amount_fen, 2_350_000);
        assert_eq!(list.lines[0].policy, "住院自付");
        let cells: Vec<&str> = list.errors.iter().map(|e| e.cell.as_str()).collect();
        assert_eq!(cells, ["A4", "D5", "E5"]);
    }
}
