//! Writing the person export back in the national layout: two title rows, the header on row 3,
//! one row per person, every cell text (ID numbers and dates never turned into numbers), the known
//! columns in the national order and then every kept column; user text made inert.

use super::columns::{
    self, Field, HousingFlag, IncomeColumn, KNOWN, PersonFlag, header_of, yes_no_text, yuan_text,
};
use super::{ExportHousehold, ExportPerson};
use crate::spreadsheet_text::write_text;
use crate::xlsx_page::{ColumnWidths, set_up_page};
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use std::collections::BTreeSet;

/// The text of one known column for a person of a household.
fn value(field: Field, household: &ExportHousehold, person: &ExportPerson) -> String {
    let r = &person.record;
    let h = &household.record;
    let code_label = |label: Option<&'static str>| label.unwrap_or("").to_owned();
    match field {
        Field::County => household.county.clone(),
        Field::Township => household.township.clone(),
        Field::Village => household.village.clone(),
        Field::HouseholdNumber => household.number.clone(),
        Field::PersonNumber => person.number.clone(),
        Field::Name => person.name.clone(),
        Field::IdType => if person.id_type == "disability_certificate" {
            "残疾人证"
        } else {
            "居民身份证"
        }
        .to_owned(),
        Field::IdNumber => person.id_number.clone(),
        Field::Relation => person.relation.label().to_owned(),
        Field::Sex => person.sex.label().to_owned(),
        Field::BirthDate => person.birth_date.format("%Y%m%d").to_string(),
        Field::Ethnicity => r.ethnicity.clone(),
        Field::Education => code_label(r.education.map(|v| v.label())),
        Field::SchoolStatus => code_label(r.school_status.map(|v| v.label())),
        Field::OutOfSchoolReason => r.out_of_school_reason.clone(),
        Field::Health => code_label(r.health.map(|v| v.label())),
        Field::ChronicDiseases => r.chronic_diseases.join("、"),
        Field::Labour => code_label(r.labour.map(|v| v.label())),
        Field::WorkPlace => {
            if r.work_place.is_empty() {
                r.work_status
                    .map(columns::work_place_text)
                    .unwrap_or("")
                    .to_owned()
            } else {
                r.work_place.clone()
            }
        }
        Field::MonthlyWorkIncome => {
            if r.monthly_work_income == 0 {
                String::new()
            } else {
                yuan_text(r.monthly_work_income)
            }
        }
        Field::PersonPhone => r.phone.clone(),
        Field::HouseholdPhone => household.phone.clone(),
        Field::HouseholdType => household.household_type.label().to_owned(),
        Field::MonitoringCategory => code_label(h.monitoring.map(|v| v.label())),
        Field::MonitoringSince => h.monitoring_since.clone(),
        Field::Risk(i) => h.risks.get(usize::from(i)).cloned().unwrap_or_default(),
        Field::RiskEliminated => yes_no_text(h.risk_eliminated).to_owned(),
        Field::EliminationMethod => h.elimination_method.clone(),
        Field::EliminatedIn => h.eliminated_in.clone(),
        Field::NoLabourSupport => yes_no_text(h.no_labour_support).to_owned(),
        Field::Person(flag) => yes_no_text(match flag {
            PersonFlag::ResidentMedical => r.cover.resident_medical,
            PersonFlag::EmployeeMedical => r.cover.employee_medical,
            PersonFlag::CriticalIllness => r.cover.critical_illness,
            PersonFlag::ResidentPension => r.cover.resident_pension,
            PersonFlag::EmployeePension => r.cover.employee_pension,
            PersonFlag::MedicalAssistance => r.cover.medical_assistance,
            PersonFlag::Dibao => r.cover.dibao,
            PersonFlag::Tekun => r.cover.tekun,
            PersonFlag::CareInstitution => r.in_care_institution,
        })
        .to_owned(),
        Field::Housing(flag) => yes_no_text(match flag {
            HousingFlag::UnsafeHousing => h.housing.unsafe_housing,
            HousingFlag::SafeWater => h.housing.safe_water,
            HousingFlag::Electricity => h.housing.electricity,
            HousingFlag::SanitaryToilet => h.housing.sanitary_toilet,
            HousingFlag::HardenedRoad => h.housing.hardened_road,
        })
        .to_owned(),
        Field::FloorArea => {
            if h.housing.floor_area_m2 == 0 {
                String::new()
            } else {
                h.housing.floor_area_m2.to_string()
            }
        }
        Field::Income(column) => {
            let i = &household.income;
            match column {
                IncomeColumn::PerCapita => i.recorded_per_capita.map(yuan_text).unwrap_or_default(),
                IncomeColumn::Wage => yuan_text(i.wage),
                IncomeColumn::Business => yuan_text(i.business),
                IncomeColumn::Property => yuan_text(i.property),
                IncomeColumn::Transfer => yuan_text(i.transfer),
                IncomeColumn::CompliantSpending => yuan_text(i.compliant_spending),
            }
        }
        Field::Measure(code) => yes_no_text(h.measures.iter().any(|m| m == code)).to_owned(),
    }
}

/// Writes households in the national layout: `title` on row 1, `subtitle` on row 2, the header on
/// row 3, then one row per person; the kept columns of every person follow the known ones.
pub fn write_xlsx(
    households: &[ExportHousehold],
    title: &str,
    subtitle: &str,
) -> Result<Vec<u8>, XlsxError> {
    let kept: Vec<String> = households
        .iter()
        .flat_map(|h| h.members.iter())
        .flat_map(|p| p.record.columns.keys().cloned())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet_with_constant_memory()?;
    sheet.set_name("人员信息")?;
    let text = Format::new();
    let bold = Format::new().set_bold();
    sheet.write_string_with_format(0, 0, title, &bold)?;
    write_text(sheet, 1, 0, subtitle, &text)?;
    let mut widths = ColumnWidths::new();
    let mut col: u16 = 0;
    for (field, _) in KNOWN {
        sheet.write_string_with_format(2, col, header_of(*field), &bold)?;
        widths.measure(usize::from(col), header_of(*field));
        col += 1;
    }
    for header in &kept {
        write_text(sheet, 2, col, header, &bold)?;
        widths.measure(usize::from(col), header);
        col += 1;
    }
    let mut row: u32 = 3;
    for household in households {
        for person in &household.members {
            let mut col: u16 = 0;
            for (field, _) in KNOWN {
                let v = value(*field, household, person);
                if !v.is_empty() {
                    write_text(sheet, row, col, &v, &text)?;
                    widths.measure(usize::from(col), &v);
                }
                col += 1;
            }
            for header in &kept {
                if let Some(v) = person.record.columns.get(header) {
                    write_text(sheet, row, col, v, &text)?;
                    widths.measure(usize::from(col), v);
                }
                col += 1;
            }
            row += 1;
        }
    }
    // The header row repeats on every printed page and stays above the rows on screen.
    let total = widths.apply(sheet, &[], 30.0)?;
    set_up_page(sheet, 2, 2, total)?;
    workbook.save_to_buffer()
}
