//! `jixiao export fiscal-data-package`: the year's budget by phase adds up to the seed's figures,
//! published targets and results come along, and the package validates against the published
//! Fiscal Data Package profile and its table schemas where the validators are installed
//! (required in CI: `JIXIAO_REQUIRE_FDP_VALIDATOR=1`).

use crate::{TestResult, fails, succeeds};
use jixiao_store::test_support::TestDatabase;
use serde_json::Value;
use std::process::Command;

fn column_sum(path: &std::path::Path, column: &str) -> Result<i64, Box<dyn std::error::Error>> {
    let mut reader = csv::Reader::from_path(path)?;
    let index = reader
        .headers()?
        .iter()
        .position(|h| h == column)
        .ok_or("column")?;
    let mut fen = 0;
    for record in reader.records() {
        let text = record?.get(index).unwrap_or("").to_owned();
        let (whole, cents) = text.split_once('.').ok_or("two decimals")?;
        assert_eq!(cents.len(), 2, "{text}");
        fen += whole.parse::<i64>()? * 100 + cents.parse::<i64>()?;
    }
    Ok(fen)
}

#[tokio::test]
async fn the_years_budget_exports_as_a_valid_fiscal_data_package() -> TestResult {
    let db = TestDatabase::new().await?;
    let url = db.url.as_str();
    succeeds(url, &["demo"])?;
    let dir = std::env::temp_dir().join(format!("jixiao-fdp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let dir_text = dir.to_str().ok_or("path")?;
    let listed = succeeds(
        url,
        &["export", "fiscal-data-package", "--year", "2019", dir_text],
    )?;
    assert!(listed.contains("datapackage.json") && listed.contains("budget.csv"));

    // The seed: 705 projects, 273,180.48万元 approved; executed equals the ledger.
    let budget = dir.join("budget.csv");
    assert_eq!(column_sum(&budget, "approved")?, 273_180_480_000);
    assert_eq!(csv::Reader::from_path(&budget)?.records().count(), 705);
    let executed = column_sum(&budget, "executed")?;
    assert!(executed > 0 && executed < 273_180_480_000);
    let text = std::fs::read_to_string(&budget)?;
    assert!(
        text.contains(",208,社会保障和就业支出,"),
        "classified by function"
    );

    // Published projects: their targets and results.
    let results = std::fs::read_to_string(dir.join("results.csv"))?;
    assert!(results.contains("公岗扶贫") && results.contains(",良,"));
    let targets = std::fs::read_to_string(dir.join("targets.csv"))?;
    assert!(targets.lines().count() > 10);

    let descriptor: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("datapackage.json"))?)?;
    assert_eq!(descriptor["profile"], "tabular-data-package");
    assert_eq!(
        descriptor["model"]["measures"]["executed"]["phase"],
        "executed"
    );
    assert_eq!(descriptor["fiscalPeriod"]["start"], "2019-01-01");

    // The published profile and the table schemas, by the Frictionless validators.
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/cli/validate_fiscal_data_package.py"
    );
    let output = Command::new("python3").arg(script).arg(&dir).output()?;
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    match output.status.code() {
        Some(0) => assert!(said.contains("valid"), "{said}"),
        Some(2) if std::env::var("JIXIAO_REQUIRE_FDP_VALIDATOR").is_err() => {
            eprintln!("Fiscal Data Package validators not installed; schema check skipped");
        }
        _ => return Err(format!("the package does not validate: {said}").into()),
    }

    // A year without approved projects exports nothing.
    let refused = fails(
        url,
        &["export", "fiscal-data-package", "--year", "2021", dir_text],
    )?;
    assert!(refused.contains("2021年度没有已批复的项目"), "{refused}");
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
