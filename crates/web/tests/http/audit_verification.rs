//! The audit page says when the chain was last verified and up to which record; an admin's
//! "立即校验" verifies chain and checkpoints now, and a removed tail shows as a failed run.

use crate::support::{TestApp, TestResult, csrf_of};
use jixiao_store::AuditAnchor;
use jixiao_store::test_support::{drop_audit_guards, raw_execute};
use reqwest::StatusCode;

#[tokio::test]
async fn the_admin_verifies_the_chain_and_sees_the_last_run() -> TestResult {
    let dir = tempfile::tempdir()?;
    let anchor = AuditAnchor::open(
        &dir.path().join("audit.key"),
        &dir.path().join("checkpoints"),
        true,
    )?;
    let app = TestApp::start_anchored(anchor.clone()).await?;
    let admin = app.signed_in("admin").await?;
    let (status, html) = admin.get("/admin/audit").await?;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("尚未校验过审计日志"), "{html}");
    assert!(html.contains("立即校验"));

    let checkpoint = app.db.store.write_audit_checkpoint(&anchor).await?;
    let response = admin
        .submit("/admin/audit", "/admin/audit/verify", &[])
        .await?;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, html) = admin.get("/admin/audit").await?;
    assert!(
        html.contains(&format!("校验至第 {} 条记录", checkpoint.seq))
            && html.contains("核对外部检查点 1 个")
            && html.contains("<strong class=\"ok\">通过</strong>")
            && html.contains("校验人 admin"),
        "{html}"
    );

    // Someone with database access removes the newest records and moves the head to match.
    drop_audit_guards(&app.db.url).await?;
    raw_execute(&app.db.url, "DELETE FROM audit_log WHERE seq > 3").await?;
    raw_execute(
        &app.db.url,
        "UPDATE audit_head SET last_seq = 3, \
         last_hash = (SELECT hash FROM audit_log WHERE seq = 3) WHERE id = 1",
    )
    .await?;
    let response = admin
        .submit("/admin/audit", "/admin/audit/verify", &[])
        .await?;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, html) = admin.get("/admin/audit").await?;
    assert!(
        html.contains("未通过") && html.contains("审计日志尾部被截断"),
        "{html}"
    );
    Ok(())
}

#[tokio::test]
async fn only_an_admin_may_run_a_verification() -> TestResult {
    let app = TestApp::start().await?;
    let finance = app.signed_in("finance").await?;
    let (_, home) = finance.get("/").await?;
    let csrf = csrf_of(&home).ok_or("no form token")?;
    let response = finance
        .post_raw("/admin/audit/verify", &[("_csrf", csrf.as_str())])
        .await?;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.db.store.last_audit_verification().await?, None);
    Ok(())
}
