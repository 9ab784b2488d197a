//! HTTP integration tests: the real server on 127.0.0.1:0 over a fresh database with the demo
//! data, driven as each role would drive it — API clients with bearer tokens, browsers with
//! cookies and forms.

mod api;
mod audit_labels;
mod audit_verification;
mod dashboard;
mod enjoyment_import_api;
mod evaluation_api;
mod evaluation_pages;
mod exports;
mod finding_rectification_api;
mod hostile_files;
mod household_import_api;
mod households_api;
mod key_evaluation_api;
mod key_evaluation_pages;
mod login_throttling;
mod monitoring_api;
mod monitoring_pages;
mod openapi_contract;
mod pages;
mod passwords;
mod payment_batches;
mod policy_checks_api;
mod pools_api;
mod pools_pages;
mod print_forms;
mod projects_api;
mod projects_pages;
mod publication;
mod registry_pages;
mod risk_monitoring_api;
mod risk_monitoring_pages;
mod self_evaluation_upload;
mod support;
mod target_excel;
mod target_review_api;
mod target_review_pages;
mod text_at_the_edge;
mod treasury_api;
mod treasury_pages;
mod upload_limits;
mod workflow_races;
