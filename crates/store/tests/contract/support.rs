//! Helpers shared by the contract tests.

pub type TestResult = Result<(), Box<dyn std::error::Error>>;

pub use jixiao_store::test_support::{drop_audit_guards, raw_execute};
