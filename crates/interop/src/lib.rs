//! Files Jixiao exchanges with other systems: the treasury payment system's daily CSV export
//! ([`treasury_csv`]), the allotments written back for it ([`allotments_csv`]), the year's
//! budget as open data ([`fiscal_data_package`]), the assistance registry's person export
//! ([`household_export`]), and published
//! self-evaluation tables in .xlsx ([`self_evaluation_xlsx`]), target-sheet templates and their
//! upload ([`target_sheet_xlsx`]), and Excel exports of lists ([`xlsx_export`]); user text in every export is made inert
//! ([`spreadsheet_text`]), and every sheet written shares one page setup ([`xlsx_page`]).

pub mod allotments_csv;
pub mod department_list;
pub mod enjoyment_list;
pub mod fiscal_data_package;
pub mod household_export;
pub mod intake;
mod self_evaluation_compare;
mod self_evaluation_variant;
pub mod self_evaluation_xlsx;
mod self_evaluation_xlsx_write;
pub mod spreadsheet_text;
pub mod target_sheet_xlsx;
pub mod treasury_csv;
pub mod xlsx_export;
pub mod xlsx_page;
