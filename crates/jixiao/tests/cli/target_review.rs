//! `jixiao review targets`: the automatic target review over a year's projects on the demo.

use crate::*;
use jixiao_store::test_support::TestDatabase;
use serde_json::Value;

#[tokio::test]
async fn a_years_target_sheets_are_reviewed_with_findings_by_code_and_row() -> TestResult {
    let db = TestDatabase::new().await?;
    let url = db.url.as_str();
    succeeds(url, &["demo"])?;
    let json: Value = serde_json::from_str(&succeeds(
        url,
        &["review", "targets", "--year", "2020", "--json"],
    )?)?;
    let projects = json.as_array().ok_or("an array of projects")?;
    assert_eq!(projects.len(), 18, "every 2020 project of the demo");
    // The purchase whose first two rows were saved without units is sent back for them.
    let purchase = projects
        .iter()
        .find(|p| p["name"] == "2020年医疗设备购置（第一批）")
        .ok_or("the purchase")?;
    assert_eq!(purchase["blocks_submission"], true, "{purchase}");
    let missing_units: Vec<i64> = purchase["findings"]
        .as_array()
        .ok_or("findings")?
        .iter()
        .filter(|f| f["code"] == "missing_unit")
        .filter_map(|f| f["row"].as_i64())
        .collect();
    assert_eq!(missing_units, vec![1, 2], "{purchase}");
    // Every finding carries its code, severity and message.
    for project in projects {
        for finding in project["findings"].as_array().ok_or("findings")? {
            assert!(finding["code"].is_string() && finding["severity"].is_string());
            assert!(finding["message"].as_str().is_some_and(|m| !m.is_empty()));
        }
    }
    let summary = succeeds(url, &["review", "targets", "--year", "2020"])?;
    assert!(summary.contains("2020年度共预审18个项目"), "{summary}");
    assert!(summary.contains("missing_unit: 2"), "{summary}");
    // A year without projects says so.
    let empty = succeeds(url, &["review", "targets", "--year", "2030"])?;
    assert!(empty.contains("共预审0个项目"), "{empty}");
    Ok(())
}
