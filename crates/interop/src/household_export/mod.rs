//! The national system's person export (全国防返贫监测信息系统 人员信息), in and out: one sheet,
//! two title rows, the header on row 3, one row per person, every cell text. Reading finds the
//! header, maps the columns it knows (keeping every other column as read, and naming the known
//! ones that are missing), checks each row (identity with its check digit, birth date and sex
//! against the number, labels, 是/否 flags, 元 amounts) and the households the rows make (one
//! 户主, one village, an ID number once in the file), and reports every problem by its cell.
//! The same file as CSV (UTF-8 or GBK) reads alike. Writing produces the same layout back.

pub mod columns;
#[doc(hidden)]
pub mod sample;
mod write;

pub use jixiao_core::assistance::export::{ExportHousehold, ExportPerson, RowError};
pub use write::write_xlsx;

use crate::intake::{self, IntakeError, cell_name};
use calamine::Data;
use chrono::NaiveDate;
use columns::{Field, HousingFlag, IncomeColumn, PersonFlag};
use jixiao_core::assistance::id_number::DisabilityCertificateNumber;
use jixiao_core::assistance::record::{HouseholdRecord, PersonRecord};
use jixiao_core::assistance::registry::{
    DisabilityGrade, HouseholdType, IncomeRecord, Relation, Sex,
};
use jixiao_core::assistance::{IdNumber, mask};
use std::collections::HashMap;

/// Rows searched for the header (the national export puts it on row 3).
const HEADER_SEARCH_ROWS: u32 = 10;

/// A file read: the households, every row problem, and what the header said.
#[derive(Debug, Clone, Default)]
pub struct ExportFile {
    /// Households in file order (rows with problems left out).
    pub households: Vec<ExportHousehold>,
    /// Every problem found, in row order.
    pub errors: Vec<RowError>,
    /// Person rows read (with or without problems).
    pub rows: usize,
    /// The header row, from 1.
    pub header_row: u32,
    /// Known columns the file does not have (their values are taken as empty).
    pub missing_columns: Vec<&'static str>,
    /// Columns the registry does not use, kept as read.
    pub kept_columns: Vec<String>,
}

/// Why a file cannot be read as a person export at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExportError {
    /// The file itself was refused.
    #[error(transparent)]
    Intake(#[from] IntakeError),
    /// No row in the first rows names 户编号 and 证件号码.
    #[error(
        "未找到表头：前{HEADER_SEARCH_ROWS}行中没有同时含“户编号”和“证件号码”的行。请上传防返贫监测信息系统导出的人员信息表（第3行为表头）"
    )]
    NoHeader,
    /// Required columns are missing.
    #[error("表头缺少必需的列：{}", .0.join("、"))]
    MissingColumns(Vec<&'static str>),
    /// A column appears twice.
    #[error("表头“{0}”出现了两次（{1}列和{2}列），请删去其中一列")]
    DuplicateColumn(String, String, String),
    /// No person rows under the header.
    #[error("表头以下没有人员数据")]
    Empty,
}

/// A cell as read: its text, and whether the spreadsheet held it as a number (an ID number held
/// as a number has lost its last digits) or an error value.
#[derive(Debug, Clone, PartialEq)]
enum Raw {
    Text(String),
    Number(String),
    Error,
}

impl Raw {
    fn from_data(data: &Data) -> Raw {
        match data {
            Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => Raw::Text(s.clone()),
            Data::Int(i) => Raw::Number(i.to_string()),
            Data::Float(f) => {
                if f.fract() == 0.0 && f.abs() < 1e15 {
                    Raw::Number(format!("{f:.0}"))
                } else {
                    Raw::Number(f.to_string())
                }
            }
            Data::Bool(b) => Raw::Text(columns::yes_no_text(*b).to_owned()),
            Data::DateTime(d) => {
                // An Excel date: days since 1899-12-30.
                let days = d.as_f64().floor();
                NaiveDate::from_ymd_opt(1899, 12, 30)
                    .and_then(|epoch| {
                        (days.is_finite() && (0.0..3_000_000.0).contains(&days))
                            .then(|| epoch + chrono::Days::new(days as u64))
                    })
                    .map_or(Raw::Error, |date| {
                        Raw::Text(date.format("%Y%m%d").to_string())
                    })
            }
            Data::Error(_) => Raw::Error,
            Data::Empty => Raw::Text(String::new()),
        }
    }
}

/// The header as understood.
struct Header {
    row: u32,
    fields: HashMap<u32, Field>,
    by_field: HashMap<Field, u32>,
    kept: Vec<(u32, String)>,
}

/// The reader's state over the rows of one sheet.
struct Reader {
    as_of: NaiveDate,
    header: Option<Header>,
    header_error: Option<ExportError>,
    people: Vec<(ExportPerson, HouseholdPart)>,
    errors: Vec<RowError>,
    rows: usize,
}

/// What a person row says about its household.
#[derive(Debug, Clone)]
struct HouseholdPart {
    county: String,
    township: String,
    village: String,
    number: String,
    household_type: Option<HouseholdType>,
    phone: String,
    record: HouseholdRecord,
    income: IncomeRecord,
    cells: PartCells,
}

/// Where a row's household cells are, for problems found when rows are grouped.
#[derive(Debug, Clone)]
struct PartCells {
    village: String,
    relation: String,
    id_number: String,
}

/// The cells of one row by field, with the row's problems.
struct Row<'a> {
    row: u32,
    header: &'a Header,
    cells: HashMap<u32, Raw>,
    errors: Vec<RowError>,
}

impl Row<'_> {
    fn cell(&self, field: Field) -> String {
        self.header
            .by_field
            .get(&field)
            .map(|col| cell_name(self.row - 1, *col))
            .unwrap_or_default()
    }

    fn error(&mut self, field: Field, message: impl Into<String>) {
        self.errors.push(RowError {
            row: self.row,
            cell: self.cell(field),
            column: columns::header_of(field).to_owned(),
            message: message.into(),
        });
    }

    /// The cell's text, trimmed; empty when the column is missing.
    fn text(&mut self, field: Field) -> String {
        let Some(col) = self.header.by_field.get(&field).copied() else {
            return String::new();
        };
        match self.cells.get(&col) {
            None => String::new(),
            Some(Raw::Text(t) | Raw::Number(t)) => {
                let t = t.trim().to_owned();
                if t.chars().any(|c| c.is_control() && c != '\n') {
                    self.error(field, "含有不可见的控制字符，请删去后重新导入");
                    return String::new();
                }
                if t.chars().count() > 200 {
                    self.error(field, "内容超过200字");
                    return String::new();
                }
                t
            }
            Some(Raw::Error) => {
                self.error(field, "单元格为错误值（如 #N/A、#VALUE!），请改为文字");
                String::new()
            }
        }
    }

    fn read<T>(&mut self, field: Field, parse: fn(&str) -> Result<T, String>) -> Option<T> {
        let text = self.text(field);
        match parse(&text) {
            Ok(v) => Some(v),
            Err(message) => {
                self.error(field, message);
                None
            }
        }
    }

    fn flag(&mut self, field: Field) -> bool {
        self.read(field, columns::yes_no).unwrap_or(false)
    }
}

impl Reader {
    fn new(as_of: NaiveDate) -> Reader {
        Reader {
            as_of,
            header: None,
            header_error: None,
            people: Vec::new(),
            errors: Vec::new(),
            rows: 0,
        }
    }

    fn visit(&mut self, row0: u32, cells: Vec<(u32, Raw)>) {
        if self.header_error.is_some() {
            return;
        }
        let row = row0 + 1;
        if self.header.is_none() {
            if row <= HEADER_SEARCH_ROWS {
                self.try_header(row, &cells);
            }
            return;
        }
        let Some(header) = self.header.as_ref() else {
            return;
        };
        let mut line = Row {
            row,
            header,
            cells: cells.into_iter().collect(),
            errors: Vec::new(),
        };
        let key_empty = [Field::HouseholdNumber, Field::IdNumber, Field::Name]
            .into_iter()
            .all(|f| line.text(f).is_empty());
        if key_empty {
            // A note or a total under the list, not a person.
            return;
        }
        self.rows += 1;
        let person = read_person(&mut line, self.as_of);
        let household = read_household_part(&mut line);
        self.errors.append(&mut line.errors);
        if let (Some(person), Some(household)) = (person, household) {
            self.people.push((person, household));
        }
    }

    fn try_header(&mut self, row: u32, cells: &[(u32, Raw)]) {
        let texts: Vec<(u32, String)> = cells
            .iter()
            .filter_map(|(col, raw)| match raw {
                Raw::Text(t) | Raw::Number(t) if !t.trim().is_empty() => {
                    Some((*col, t.trim().to_owned()))
                }
                _ => None,
            })
            .collect();
        let fields: Vec<(u32, Option<Field>, &String)> = texts
            .iter()
            .map(|(col, t)| (*col, columns::field_of(t), t))
            .collect();
        let has = |f: Field| fields.iter().any(|(_, g, _)| *g == Some(f));
        if !(has(Field::HouseholdNumber) && has(Field::IdNumber)) {
            return;
        }
        let mut header = Header {
            row,
            fields: HashMap::new(),
            by_field: HashMap::new(),
            kept: Vec::new(),
        };
        let mut kept_names: HashMap<String, u32> = HashMap::new();
        for (col, field, text) in fields {
            match field {
                Some(field) => {
                    if let Some(first) = header.by_field.insert(field, col) {
                        self.header_error = Some(ExportError::DuplicateColumn(
                            text.clone(),
                            column_letters(first),
                            column_letters(col),
                        ));
                        return;
                    }
                    header.fields.insert(col, field);
                }
                None => {
                    let name = columns::normalise_header(text);
                    if let Some(first) = kept_names.insert(name.clone(), col) {
                        self.header_error = Some(ExportError::DuplicateColumn(
                            text.clone(),
                            column_letters(first),
                            column_letters(col),
                        ));
                        return;
                    }
                    header.kept.push((col, text.clone()));
                }
            }
        }
        let missing: Vec<&'static str> = columns::REQUIRED
            .iter()
            .filter(|f| !header.by_field.contains_key(f))
            .map(|f| columns::header_of(*f))
            .collect();
        if !missing.is_empty() {
            self.header_error = Some(ExportError::MissingColumns(missing));
            return;
        }
        self.header = Some(header);
    }

    fn finish(self) -> Result<ExportFile, ExportError> {
        if let Some(error) = self.header_error {
            return Err(error);
        }
        let header = self.header.ok_or(ExportError::NoHeader)?;
        if self.rows == 0 {
            return Err(ExportError::Empty);
        }
        let missing_columns = columns::KNOWN
            .iter()
            .filter(|(f, _)| !header.by_field.contains_key(f) && !columns::is_extension(*f))
            .map(|(f, _)| columns::header_of(*f))
            .collect();
        let mut file = ExportFile {
            households: Vec::new(),
            errors: self.errors,
            rows: self.rows,
            header_row: header.row,
            missing_columns,
            kept_columns: header.kept.iter().map(|(_, t)| t.clone()).collect(),
        };
        group_households(&mut file, self.people);
        file.errors.sort_by_key(|e| e.row);
        Ok(file)
    }
}

/// `A` for column 0.
fn column_letters(col: u32) -> String {
    cell_name(0, col).trim_end_matches('1').to_owned()
}

/// Reads a person's cells, recording problems on the row.
fn read_person(line: &mut Row<'_>, as_of: NaiveDate) -> Option<ExportPerson> {
    let errors_before = line.errors.len();
    let number = line.text(Field::PersonNumber);
    let name = line.text(Field::Name);
    if name.is_empty() {
        line.error(Field::Name, "姓名为空");
    } else if name.chars().count() > 50 {
        line.error(Field::Name, "姓名超过50个字");
    }
    let id_cell_is_number = line
        .header
        .by_field
        .get(&Field::IdNumber)
        .and_then(|c| line.cells.get(c))
        .is_some_and(|raw| matches!(raw, Raw::Number(_)));
    let id_text = line.text(Field::IdNumber).to_ascii_uppercase();
    let id_type_text = line.text(Field::IdType);
    let as_certificate = match id_type_text.as_str() {
        "" => id_text.chars().count() == 20,
        t if t.contains("身份证") => false,
        t if t.contains("残疾人证") => true,
        other => {
            line.error(
                Field::IdType,
                format!("证件类型“{other}”不能登记，应为居民身份证或残疾人证"),
            );
            false
        }
    };
    let mut grade = None;
    let identity = if id_cell_is_number && id_text.chars().count() > 15 {
        line.error(
            Field::IdNumber,
            "证件号码被Excel存成了数字，末几位已丢失；请将该列设为“文本”格式后重新导出",
        );
        None
    } else if id_text.is_empty() {
        line.error(Field::IdNumber, "证件号码为空");
        None
    } else if as_certificate {
        match DisabilityCertificateNumber::parse(&id_text, as_of) {
            Ok(c) => {
                grade = match c.grade {
                    1 => Some(DisabilityGrade::One),
                    2 => Some(DisabilityGrade::Two),
                    3 => Some(DisabilityGrade::Three),
                    4 => Some(DisabilityGrade::Four),
                    _ => None,
                };
                Some(c.id)
            }
            Err(e) => {
                line.error(Field::IdNumber, format!("残疾人证号{}", e));
                None
            }
        }
    } else {
        match IdNumber::parse(&id_text, as_of) {
            Ok(id) => Some(id),
            Err(e) => {
                line.error(Field::IdNumber, e.to_string());
                None
            }
        }
    };
    let relation = line.read(Field::Relation, columns::relation).flatten();
    if relation.is_none() && !line.text(Field::Relation).is_empty() {
        // already reported
    } else if relation.is_none() {
        line.error(Field::Relation, "与户主关系为空");
    }
    let sex_written = line.read(Field::Sex, columns::sex).flatten();
    let birth_text = line.text(Field::BirthDate);
    let birth_written = if birth_text.is_empty() {
        None
    } else {
        line.read(Field::BirthDate, columns::date)
    };
    let mut sex = Sex::Male;
    let mut birth_date = as_of;
    if let Some(id) = &identity {
        sex = id.sex();
        birth_date = id.birth_date();
        if let Some(written) = sex_written
            && id.check_sex(written).is_err()
        {
            line.error(
                Field::Sex,
                format!(
                    "性别“{}”与证件号码（{}）不符",
                    written.label(),
                    id.sex().label()
                ),
            );
        }
        if let Some(written) = birth_written
            && id.check_birth_date(written).is_err()
        {
            line.error(
                Field::BirthDate,
                format!(
                    "出生日期{}与证件号码所载{}不符",
                    written.format("%Y%m%d"),
                    id.birth_date().format("%Y%m%d")
                ),
            );
        }
    }
    let mut record = PersonRecord {
        ethnicity: line.text(Field::Ethnicity),
        education: line.read(Field::Education, columns::education).flatten(),
        school_status: line
            .read(Field::SchoolStatus, columns::school_status)
            .flatten(),
        out_of_school_reason: line.text(Field::OutOfSchoolReason),
        health: line.read(Field::Health, columns::health).flatten(),
        chronic_diseases: line
            .text(Field::ChronicDiseases)
            .split(['、', ',', '，', ';', '；'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        disability_grade: grade,
        labour: line.read(Field::Labour, columns::labour).flatten(),
        work_place: line.text(Field::WorkPlace),
        monthly_work_income: line
            .read(Field::MonthlyWorkIncome, columns::yuan)
            .unwrap_or(0),
        phone: line.text(Field::PersonPhone),
        ..PersonRecord::default()
    };
    // An empty 务工所在地 says nothing more than a missing one.
    record.work_status =
        (!record.work_place.is_empty()).then(|| columns::work_status(&record.work_place));
    record.cover.resident_medical = line.flag(Field::Person(PersonFlag::ResidentMedical));
    record.cover.employee_medical = line.flag(Field::Person(PersonFlag::EmployeeMedical));
    record.cover.critical_illness = line.flag(Field::Person(PersonFlag::CriticalIllness));
    record.cover.resident_pension = line.flag(Field::Person(PersonFlag::ResidentPension));
    record.cover.employee_pension = line.flag(Field::Person(PersonFlag::EmployeePension));
    record.cover.medical_assistance = line.flag(Field::Person(PersonFlag::MedicalAssistance));
    record.cover.dibao = line.flag(Field::Person(PersonFlag::Dibao));
    record.cover.tekun = line.flag(Field::Person(PersonFlag::Tekun));
    record.in_care_institution = line.flag(Field::Person(PersonFlag::CareInstitution));
    let kept = line.header.kept.clone();
    for (col, header) in kept {
        if let Some(Raw::Text(t) | Raw::Number(t)) = line.cells.get(&col) {
            let t = t.trim();
            if !t.is_empty() {
                record.columns.insert(header, t.to_owned());
            }
        }
    }
    if line.errors.len() > errors_before {
        return None;
    }
    let id = identity?;
    Some(ExportPerson {
        row: line.row,
        number,
        name,
        id_type: if as_certificate {
            "disability_certificate"
        } else {
            "resident_id"
        },
        id_number: id_text,
        resident_id: id.as_str().to_owned(),
        relation: relation?,
        sex,
        birth_date,
        record,
    })
}

/// Reads what a person row says about the household.
fn read_household_part(line: &mut Row<'_>) -> Option<HouseholdPart> {
    let errors_before = line.errors.len();
    let number = line.text(Field::HouseholdNumber);
    if number.is_empty() {
        line.error(Field::HouseholdNumber, "户编号为空");
    } else if number.chars().count() > 40 {
        line.error(Field::HouseholdNumber, "户编号超过40个字符");
    }
    let township = line.text(Field::Township);
    let village = line.text(Field::Village);
    if village.is_empty() {
        line.error(Field::Village, "村为空");
    }
    let household_type = if line.header.by_field.contains_key(&Field::HouseholdType) {
        let t = line.read(Field::HouseholdType, columns::household_type);
        if t == Some(None) {
            line.error(Field::HouseholdType, "户类型为空");
        }
        t.flatten()
    } else {
        None
    };
    let mut record = HouseholdRecord {
        monitoring: line
            .read(Field::MonitoringCategory, columns::monitoring_category)
            .flatten(),
        monitoring_since: line.text(Field::MonitoringSince),
        risks: (0..5)
            .map(|i| line.text(Field::Risk(i)))
            .filter(|r| !r.is_empty())
            .collect(),
        risk_eliminated: line.flag(Field::RiskEliminated),
        elimination_method: line.text(Field::EliminationMethod),
        eliminated_in: line.text(Field::EliminatedIn),
        no_labour_support: line.flag(Field::NoLabourSupport),
        ..HouseholdRecord::default()
    };
    let housing = &mut record.housing;
    housing.unsafe_housing = line.flag(Field::Housing(HousingFlag::UnsafeHousing));
    housing.safe_water = line.flag(Field::Housing(HousingFlag::SafeWater));
    housing.electricity = line.flag(Field::Housing(HousingFlag::Electricity));
    housing.sanitary_toilet = line.flag(Field::Housing(HousingFlag::SanitaryToilet));
    housing.hardened_road = line.flag(Field::Housing(HousingFlag::HardenedRoad));
    let area = line.text(Field::FloorArea);
    if !area.is_empty() {
        match area.parse::<f64>() {
            Ok(a) if (0.0..100_000.0).contains(&a) => {
                // Whole square metres; the export's decimals are not used by any rule.
                record.housing.floor_area_m2 = u32::try_from(a.floor() as i64).unwrap_or(0);
            }
            _ => line.error(Field::FloorArea, format!("住房面积“{area}”应为平方米数")),
        }
    }
    for (field, _) in columns::KNOWN {
        if let Field::Measure(code) = field
            && line.flag(*field)
        {
            record.measures.push((*code).to_owned());
        }
    }
    let mut amount = |c: IncomeColumn| line.read(Field::Income(c), columns::yuan).unwrap_or(0);
    let per_capita = amount(IncomeColumn::PerCapita);
    let income = IncomeRecord {
        wage: amount(IncomeColumn::Wage),
        business: amount(IncomeColumn::Business),
        property: amount(IncomeColumn::Property),
        transfer: amount(IncomeColumn::Transfer),
        compliant_spending: amount(IncomeColumn::CompliantSpending),
        recorded_per_capita: line
            .header
            .by_field
            .contains_key(&Field::Income(IncomeColumn::PerCapita))
            .then_some(per_capita),
    };
    if income.compliant_spending < 0 {
        line.error(
            Field::Income(IncomeColumn::CompliantSpending),
            "合规自付支出不能为负数",
        );
    }
    let cells = PartCells {
        village: line.cell(Field::Village),
        relation: line.cell(Field::Relation),
        id_number: line.cell(Field::IdNumber),
    };
    if line.errors.len() > errors_before {
        return None;
    }
    Some(HouseholdPart {
        county: line.text(Field::County),
        township,
        village,
        number,
        household_type,
        phone: line.text(Field::HouseholdPhone),
        record,
        income,
        cells,
    })
}

/// Groups person rows into households by 户编号, checking one 户主, one village and an ID number
/// once in the file.
fn group_households(file: &mut ExportFile, people: Vec<(ExportPerson, HouseholdPart)>) {
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut groups: Vec<Vec<(ExportPerson, HouseholdPart)>> = Vec::new();
    let mut ids: HashMap<String, (u32, String)> = HashMap::new();
    let id_column = columns::header_of(Field::IdNumber).to_owned();
    for (person, part) in people {
        if let Some((first_row, first_household)) = ids.get(&person.resident_id) {
            let message = if *first_household == part.number {
                format!(
                    "证件号码{}在本户重复（第{first_row}行）",
                    mask(&person.resident_id)
                )
            } else {
                format!(
                    "证件号码{}已在第{first_row}行的户{}中出现，同一人不能在两户",
                    mask(&person.resident_id),
                    first_household
                )
            };
            file.errors.push(RowError {
                row: person.row,
                cell: part.cells.id_number.clone(),
                column: id_column.clone(),
                message,
            });
            continue;
        }
        ids.insert(
            person.resident_id.clone(),
            (person.row, part.number.clone()),
        );
        let at = *index.entry(part.number.clone()).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[at].push((person, part));
    }
    for group in groups {
        if let Some(household) = household_of(file, group) {
            file.households.push(household);
        }
    }
}

/// One household from its rows, or `None` with the problems recorded.
fn household_of(
    file: &mut ExportFile,
    group: Vec<(ExportPerson, HouseholdPart)>,
) -> Option<ExportHousehold> {
    let heads: Vec<usize> = group
        .iter()
        .enumerate()
        .filter(|(_, (p, _))| p.relation == Relation::Householder)
        .map(|(i, _)| i)
        .collect();
    let (first_person, first_part) = group.first()?;
    let number = first_part.number.clone();
    let mut ok = true;
    if heads.is_empty() {
        file.errors.push(RowError {
            row: first_person.row,
            cell: first_part.cells.relation.clone(),
            column: columns::header_of(Field::Relation).to_owned(),
            message: format!("户{number}没有户主：每户应有且只有一名户主"),
        });
        ok = false;
    }
    for extra in heads.iter().skip(1) {
        let (person, part) = &group[*extra];
        file.errors.push(RowError {
            row: person.row,
            cell: part.cells.relation.clone(),
            column: columns::header_of(Field::Relation).to_owned(),
            message: format!(
                "户{number}有两名户主（另一名在第{}行）：每户应有且只有一名户主",
                group[heads[0]].0.row
            ),
        });
        ok = false;
    }
    for (person, part) in &group {
        if (part.township.as_str(), part.village.as_str())
            != (first_part.township.as_str(), first_part.village.as_str())
        {
            file.errors.push(RowError {
                row: person.row,
                cell: part.cells.village.clone(),
                column: columns::header_of(Field::Village).to_owned(),
                message: format!(
                    "户{number}的村与第{}行不同（{}{} / {}{}）：同一户应在同一村",
                    first_person.row,
                    first_part.township,
                    first_part.village,
                    part.township,
                    part.village
                ),
            });
            ok = false;
        }
    }
    if !ok {
        return None;
    }
    let head = heads.first().copied().unwrap_or(0);
    let part = group[head].1.clone();
    let household_type = match part.household_type {
        Some(t) => t,
        None => {
            // Without a 户类型 column the registry holds 脱贫户 by default: the export is of
            // registered households.
            HouseholdType::FormerlyPoor
        }
    };
    Some(ExportHousehold {
        row: first_person.row,
        county: part.county,
        township: part.township,
        village: part.village,
        number,
        village_cell: part.cells.village.clone(),
        household_type,
        phone: part.phone,
        record: part.record,
        income: part.income,
        members: group.into_iter().map(|(p, _)| p).collect(),
    })
}

/// Reads an .xlsx person export as of a date (ID numbers with birth dates after it are refused).
pub fn read_xlsx(bytes: &[u8], as_of: NaiveDate) -> Result<ExportFile, ExportError> {
    let mut workbook = intake::xlsx::open(bytes, intake::HOUSEHOLD_EXPORT)?;
    let mut last = ExportError::NoHeader;
    for sheet in workbook.sheet_names() {
        let mut reader = Reader::new(as_of);
        workbook.each_row(&sheet, |row, cells| {
            reader.visit(
                row,
                cells
                    .iter()
                    .map(|(col, data)| (*col, Raw::from_data(data)))
                    .collect(),
            );
        })?;
        match reader.finish() {
            Err(ExportError::NoHeader) => {}
            Err(other) => last = other,
            Ok(file) => return Ok(file),
        }
        if last != ExportError::NoHeader {
            return Err(last);
        }
    }
    Err(last)
}

/// Reads the same export saved as CSV, in UTF-8 or GBK.
pub fn read_csv(bytes: &[u8], as_of: NaiveDate) -> Result<ExportFile, ExportError> {
    let text = intake::csv::decode(bytes, intake::HOUSEHOLD_CSV)?;
    let mut reader = Reader::new(as_of);
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
        let row = u32::try_from(i).unwrap_or(u32::MAX);
        let cells = record
            .iter()
            .enumerate()
            .filter(|(_, t)| !t.trim().is_empty())
            .map(|(col, t)| {
                (
                    u32::try_from(col).unwrap_or(u32::MAX),
                    Raw::Text(t.to_owned()),
                )
            })
            .collect();
        reader.visit(row, cells);
    }
    reader.finish()
}

/// Reads a file by its content: a workbook if it is a zip, else CSV.
pub fn read(bytes: &[u8], as_of: NaiveDate) -> Result<ExportFile, ExportError> {
    if bytes.starts_with(b"PK\x03\x04") {
        read_xlsx(bytes, as_of)
    } else {
        read_csv(bytes, as_of)
    }
}

#[cfg(test)]
mod tests;
