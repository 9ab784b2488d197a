//! The assistance registry (帮扶): ID numbers, the registry's vocabulary, the assistance rulebook
//! and the coverage check (政策落实核查). Pure: no database, no clock.

pub mod id_number;
pub mod registry;

pub use id_number::{DisabilityCertificateNumber, IdNumber, IdNumberError, mask};
pub use registry::{EnjoymentFacts, HouseholdFacts, PersonFacts};
