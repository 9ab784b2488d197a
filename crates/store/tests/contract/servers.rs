//! Several app servers on one database: a background job runs on one server at a time.

use crate::support::TestResult;
use jixiao_store::Store;
use jixiao_store::test_support::TestDatabase;

#[tokio::test]
async fn one_server_at_a_time_holds_a_background_job() -> TestResult {
    let db = TestDatabase::new().await?;
    // A second server: a pool of its own on the same database.
    let other = Store::connect(&db.url).await?;
    let held = db
        .store
        .try_job_lock("monitoring.enforce_deadlines")
        .await?
        .ok_or("the first server takes the job")?;
    let postgres = db.url.starts_with("postgres");
    if postgres {
        assert!(
            other
                .try_job_lock("monitoring.enforce_deadlines")
                .await?
                .is_none(),
            "the second server skips the round while the first runs it"
        );
    }
    // Another job is free meanwhile.
    other
        .try_job_lock("exports.scheduled")
        .await?
        .ok_or("another job is not held")?
        .release()
        .await?;
    held.release().await?;
    let again = other
        .try_job_lock("monitoring.enforce_deadlines")
        .await?
        .ok_or("released, the job is free again")?;
    if postgres {
        // A lock held by a server that goes away (its connection closes) is let go too, once
        // PostgreSQL has ended that session.
        drop(again);
        other.close().await;
        let mut freed = None;
        for _ in 0..100 {
            freed = db
                .store
                .try_job_lock("monitoring.enforce_deadlines")
                .await?;
            if freed.is_some() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        freed
            .ok_or("the lock of a server that went away is free")?
            .release()
            .await?;
    } else {
        again.release().await?;
        other.close().await;
    }
    db.remove().await?;
    Ok(())
}
