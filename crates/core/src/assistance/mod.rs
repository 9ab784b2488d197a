//! The assistance registry (帮扶): ID numbers, the registry's vocabulary, the assistance rulebook
//! and the coverage check (政策落实核查). Pure: no database, no clock.

pub mod binding;
pub mod context;
pub mod coverage;
pub mod export;
pub mod expression;
pub mod id_number;
pub mod monitoring;
pub mod programmes;
pub mod record;
pub mod registry;
pub mod rules;
pub mod visits;

pub use binding::RegistryIndex;
pub use coverage::{Finding, FindingKind, check_household, check_registry};
pub use expression::{FieldRef, FieldShown, Scope};
pub use id_number::{DisabilityCertificateNumber, IdNumber, IdNumberError, mask};
pub use registry::{EnjoymentFacts, HouseholdFacts, PersonFacts};
pub use rules::{AssistanceRulebookError, AssistanceRules};
