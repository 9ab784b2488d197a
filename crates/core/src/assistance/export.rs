//! A household and its people as the national system's person export carries them (names of
//! township and village as written, the sheet row each came from), and a problem found in one
//! cell of such a file: what the file reader produces, the registry imports, and an export
//! writes back.

use super::record::{HouseholdRecord, PersonRecord};
use super::registry::{HouseholdType, IncomeRecord, Relation, Sex};
use chrono::NaiveDate;
use serde::Serialize;

/// One person of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportPerson {
    /// The sheet row, from 1.
    pub row: u32,
    /// 人编号.
    pub number: String,
    /// 姓名.
    pub name: String,
    /// `resident_id` or `disability_certificate`.
    pub id_type: &'static str,
    /// 证件号码 as written (upper-case X).
    pub id_number: String,
    /// The 18-digit resident ID the number carries.
    pub resident_id: String,
    /// 与户主关系.
    pub relation: Relation,
    /// 性别.
    pub sex: Sex,
    /// 出生日期.
    pub birth_date: NaiveDate,
    /// Everything else about the person.
    pub record: PersonRecord,
}

/// One household of the file: its rows grouped by 户编号.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportHousehold {
    /// The sheet row of its first person, from 1.
    pub row: u32,
    /// 县 as written.
    pub county: String,
    /// 乡 as written.
    pub township: String,
    /// 村 as written.
    pub village: String,
    /// 户编号.
    pub number: String,
    /// The 村 cell of its first row (e.g. `C4`), where a problem with the village is reported.
    pub village_cell: String,
    /// 户类型.
    pub household_type: HouseholdType,
    /// 户联系电话.
    pub phone: String,
    /// Household facts (read from the 户主's row).
    pub record: HouseholdRecord,
    /// Income (read from the 户主's row; the export repeats it on every row).
    pub income: IncomeRecord,
    /// The people, in file order.
    pub members: Vec<ExportPerson>,
}

/// A problem with one cell (or one row), named as Excel names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    /// The sheet row, from 1.
    pub row: u32,
    /// The cell, e.g. `G5`.
    pub cell: String,
    /// The column's header.
    pub column: String,
    /// What is wrong and what to write instead.
    pub message: String,
}
