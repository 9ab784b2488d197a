//! Draws from the pools checked from the command line.

use crate::{TestResult, jixiao, stderr, stdout, succeeds};
use jixiao_store::test_support::TestDatabase;

#[tokio::test]
async fn stored_draws_replay_to_the_same_result() -> TestResult {
    let db = TestDatabase::new().await?;
    let url = &db.url;
    succeeds(url, &["demo"])?;
    // The demo's first draw: the institution for the 2019 key evaluation of 公岗扶贫.
    let out = succeeds(url, &["draw", "replay", "1"])?;
    assert!(out.contains("复核一致"), "{out}");
    let recorded = out
        .lines()
        .find(|l| l.starts_with("记录："))
        .ok_or("recorded")?;
    let replayed = out
        .lines()
        .find(|l| l.starts_with("复核："))
        .ok_or("replayed")?;
    assert_eq!(
        recorded.trim_start_matches("记录："),
        replayed.trim_start_matches("复核：")
    );
    // Tampering with the stored result is caught.
    jixiao_store::test_support::raw_execute(
        url,
        "UPDATE draws SET result = replace(result, '\"selected\":[', '\"selected\":[999,') WHERE id = 1",
    )
    .await?;
    let output = jixiao(url, &["draw", "replay", "1"])?;
    assert_eq!(output.status.code(), Some(2), "{}", stdout(&output));
    assert!(stderr(&output).contains("不一致"));
    let missing = jixiao(url, &["draw", "replay", "999"])?;
    assert!(!missing.status.success());
    Ok(())
}
