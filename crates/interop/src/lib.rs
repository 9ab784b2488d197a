//! Files Jixiao exchanges with other systems: the treasury payment system's daily CSV export
//! ([`treasury_csv`]) and the allotments written back for it ([`allotments_csv`]).

pub mod allotments_csv;
pub mod treasury_csv;
