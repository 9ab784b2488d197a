//! The domain of budget performance management (预算绩效管理), free of any database or web code.
//!
//! Read this crate to learn the rules: who may do what ([`role`]), how jurisdictions and agencies
//! nest ([`jurisdiction`], [`agency`]), how users and passwords are checked ([`user`],
//! [`password`], [`login_throttle`]), and how the audit log is chained ([`audit`]).

pub mod actor;
pub mod adjustment;
pub mod agency;
pub mod assistance;
pub mod audit;
pub mod audit_checkpoint;
pub mod calendar;
pub mod draw;
pub mod gate;
pub mod indicator_binding;
pub mod indicator_library;
pub mod jurisdiction;
pub mod key_evaluation;
pub mod ledger;
pub mod login_throttle;
pub mod money;
pub mod monitoring;
pub mod password;
pub mod project;
pub mod role;
pub mod rulebook;
pub mod scoring;
pub mod target;
pub mod target_review;
pub mod text;
pub mod time;
pub mod token;
pub mod treasury;
pub mod tree;
pub mod user;
pub mod validation;
pub mod workflow;

pub use actor::Actor;
pub use role::{Capability, Role};
pub use validation::{FieldError, ValidationErrors};
