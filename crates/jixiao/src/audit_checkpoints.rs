//! The audit anchor at the command line: finding the key and checkpoint files, and the
//! background task of `serve` that appends a checkpoint of the chain's head every
//! [`EVERY_RECORDS`] records or [`EVERY`] (whichever comes first, only when the head moved), at
//! start and at shutdown.

use crate::cli::AnchorArgs;
use jixiao_store::{AuditAnchor, Error, Store, default_anchor_files};
use std::path::PathBuf;
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// A checkpoint after this many new records…
pub const EVERY_RECORDS: i64 = 100;
/// …or after this long with at least one new record.
pub const EVERY: Duration = Duration::from_secs(5 * 60);
/// How often the head is looked at.
const POLL: Duration = Duration::from_secs(10);

/// The key and checkpoint files: as given, or the defaults for this database.
pub fn files(store: &Store, args: &AnchorArgs) -> (PathBuf, PathBuf) {
    let (key, checkpoints) = default_anchor_files(store);
    (
        args.audit_key_file.clone().unwrap_or(key),
        args.audit_checkpoint_file.clone().unwrap_or(checkpoints),
    )
}

/// Runs until `stop` turns true, then writes a last checkpoint.
pub async fn run(store: Store, anchor: AuditAnchor, mut stop: watch::Receiver<bool>) {
    let mut last = checkpoint(&store, &anchor).await;
    let mut last_at = Instant::now();
    loop {
        tokio::select! {
            _ = stop.changed() => break,
            () = tokio::time::sleep(POLL) => {}
        }
        let head = match store.audit_head().await {
            Ok((seq, _)) => seq,
            Err(error) => {
                tracing::warn!(%error, "audit checkpoint: cannot read the head");
                continue;
            }
        };
        let due = head - last >= EVERY_RECORDS || (head > last && last_at.elapsed() >= EVERY);
        if due {
            last = checkpoint(&store, &anchor).await;
            last_at = Instant::now();
        }
    }
    checkpoint(&store, &anchor).await;
}

async fn checkpoint(store: &Store, anchor: &AuditAnchor) -> i64 {
    match store.write_audit_checkpoint(anchor).await {
        Ok(checkpoint) => checkpoint.seq,
        Err(error) => {
            // Keep serving; the next round tries again, and `audit verify` shows the gap.
            tracing::error!(%error, "audit checkpoint not written");
            -1
        }
    }
}

/// The anchor `audit verify` checks: `None` when neither file exists (a note is printed), an
/// error when checkpoints exist without their key.
pub fn for_verify(store: &Store, args: &AnchorArgs) -> Result<Option<AuditAnchor>, Error> {
    let (key, checkpoints) = files(store, args);
    if key.exists() {
        return AuditAnchor::open(&key, &checkpoints, false).map(Some);
    }
    if checkpoints.exists() {
        return Err(Error::Config(format!(
            "找到审计检查点文件 {}，但缺少审计密钥文件 {}，无法校验检查点",
            checkpoints.display(),
            key.display()
        )));
    }
    Ok(None)
}
