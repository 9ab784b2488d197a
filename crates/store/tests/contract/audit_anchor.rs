//! The audit log is append-only in the database, and its head is anchored outside it: removing
//! or rewriting the tail (even with the head marker moved to match) is found through the
//! checkpoint file; a changed checkpoint file is found through its MAC.

use crate::foundation::{agency, leling};
use crate::support::{TestResult, drop_audit_guards, raw_execute};
use jixiao_core::Actor;
use jixiao_store::AuditAnchor;
use std::path::Path;

fn anchor(dir: &Path) -> Result<AuditAnchor, jixiao_store::Error> {
    AuditAnchor::open(&dir.join("audit.key"), &dir.join("checkpoints"), true)
}

#[tokio::test]
async fn the_database_refuses_to_change_or_remove_audit_records() -> TestResult {
    let db = leling().await?;
    let update = raw_execute(
        &db.url,
        "UPDATE audit_log SET actor = 'mallory' WHERE seq = 3",
    )
    .await;
    assert!(update.is_err(), "{update:?}");
    let delete = raw_execute(&db.url, "DELETE FROM audit_log WHERE seq >= 6").await;
    assert!(delete.is_err(), "{delete:?}");
    if !db.url.starts_with("sqlite:") {
        let truncate = raw_execute(&db.url, "TRUNCATE audit_log").await;
        assert!(truncate.is_err(), "{truncate:?}");
    }
    // Appending still works, and the chain is whole.
    db.store
        .add_agency(
            &Actor::system(),
            &agency("371481", "120", "乐陵市民政局", None),
        )
        .await?;
    assert_eq!(db.store.verify_audit_chain().await?, 9);
    Ok(())
}

#[tokio::test]
async fn a_removed_tail_with_the_head_moved_to_match_is_found_by_the_checkpoints() -> TestResult {
    let db = leling().await?;
    let dir = tempfile::tempdir()?;
    let anchor = anchor(dir.path())?;
    let checkpoint = db.store.write_audit_checkpoint(&anchor).await?;
    assert_eq!(checkpoint.seq, 8);
    let run = db.store.verify_audit("system", Some(&anchor)).await?;
    assert!(run.intact, "{run:?}");
    assert_eq!((run.through_seq, run.checkpoints), (8, 1));

    // The attacker drops the guards, removes the last three records and moves the head.
    drop_audit_guards(&db.url).await?;
    raw_execute(&db.url, "DELETE FROM audit_log WHERE seq > 5").await?;
    raw_execute(
        &db.url,
        "UPDATE audit_head SET last_seq = 5, \
         last_hash = (SELECT hash FROM audit_log WHERE seq = 5) WHERE id = 1",
    )
    .await?;
    // The chain alone no longer sees it…
    assert_eq!(db.store.verify_audit_chain().await?, 5);
    // …the checkpoint does.
    let run = db.store.verify_audit("system", Some(&anchor)).await?;
    assert!(!run.intact);
    assert!(
        run.message.contains("审计日志尾部被截断") && run.message.contains("第8条"),
        "{}",
        run.message
    );
    assert_eq!(db.store.last_audit_verification().await?, Some(run));
    Ok(())
}

#[tokio::test]
async fn a_rewritten_tail_is_found_by_the_checkpoints() -> TestResult {
    let db = leling().await?;
    let dir = tempfile::tempdir()?;
    let anchor = anchor(dir.path())?;
    db.store.write_audit_checkpoint(&anchor).await?;
    drop_audit_guards(&db.url).await?;
    raw_execute(&db.url, "DELETE FROM audit_log WHERE seq > 6").await?;
    raw_execute(
        &db.url,
        "UPDATE audit_head SET last_seq = 6, \
         last_hash = (SELECT hash FROM audit_log WHERE seq = 6) WHERE id = 1",
    )
    .await?;
    // New, different records take the removed ones' numbers: a whole chain again.
    for code in ["121", "122"] {
        db.store
            .add_agency(&Actor::system(), &agency("371481", code, "替换", None))
            .await?;
    }
    assert_eq!(db.store.verify_audit_chain().await?, 8);
    let run = db.store.verify_audit("system", Some(&anchor)).await?;
    assert!(!run.intact);
    assert!(run.message.contains("第8条审计记录与"), "{}", run.message);
    Ok(())
}

#[tokio::test]
async fn a_changed_checkpoint_file_fails_its_mac() -> TestResult {
    let db = leling().await?;
    let dir = tempfile::tempdir()?;
    let anchor = anchor(dir.path())?;
    db.store.write_audit_checkpoint(&anchor).await?;
    let path = anchor.checkpoint_file().to_owned();
    let text = std::fs::read_to_string(&path)?;
    // Lower the checkpoint's number to hide a truncation.
    std::fs::write(&path, text.replacen("8\t", "5\t", 1))?;
    let run = db.store.verify_audit("system", Some(&anchor)).await?;
    assert!(!run.intact);
    assert!(
        run.message.contains("检查点文件第1行") && run.message.contains("校验码不符"),
        "{}",
        run.message
    );
    // A key of the right shape but another value fails the same way.
    let other = AuditAnchor::open(&dir.path().join("other.key"), &path, true)?;
    std::fs::write(&path, text)?;
    let run = db.store.verify_audit("system", Some(&other)).await?;
    assert!(
        !run.intact && run.message.contains("校验码不符"),
        "{}",
        run.message
    );
    Ok(())
}

#[cfg(unix)]
#[test]
fn a_new_key_file_is_readable_by_its_owner_only() -> TestResult {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir()?;
    let key = dir.path().join("audit.key");
    AuditAnchor::open(&key, &dir.path().join("c"), true)?;
    assert_eq!(std::fs::metadata(&key)?.permissions().mode() & 0o777, 0o600);
    // Opening again reads the same key rather than replacing it.
    let before = std::fs::read_to_string(&key)?;
    AuditAnchor::open(&key, &dir.path().join("c"), true)?;
    assert_eq!(std::fs::read_to_string(&key)?, before);
    Ok(())
}
