//! The session cache (decision 0054) as the store keeps it. The store that commits a change to
//! a session, a user or a business date drops its cached sessions at once, without waiting for
//! its notice (both databases, caching switched on by hand with no listener, so nothing else
//! can drop them). On PostgreSQL the triggers send one notice for each statement that changes
//! what a session reads, none for one that changes nothing of it, none for a rollback.

use crate::foundation::{leling, login_token, user};
use crate::support::TestResult;
use jixiao_core::Actor;
use jixiao_core::login_throttle::ThrottlePolicy;
use jixiao_store::test_support::cache_sessions_without_listening;
use jixiao_store::{PasswordChange, SessionUser, Store};
use sqlx::Connection;
use sqlx::postgres::PgListener;
use std::time::Duration;

/// A fresh session of `username`, read once (and so cached).
async fn cached_session(
    store: &Store,
    username: &str,
    password: &str,
) -> Result<SessionUser, Box<dyn std::error::Error>> {
    let token = login_token(store, username, password).await?;
    let session = store.session(&token).await?.ok_or("no session")?;
    assert!(
        store.cached_sessions() > 0,
        "the session read was not cached"
    );
    Ok(session)
}

#[tokio::test]
async fn every_change_to_what_a_session_reads_drops_the_cache_of_the_store_that_made_it()
-> TestResult {
    let db = leling().await?;
    let store = &db.store;
    let system = Actor::system();
    store
        .add_user(&system, &user("wang", "finance", Some("371481"), None))
        .await?;
    cache_sessions_without_listening(store);

    let session = cached_session(store, "wang", "password-123").await?;
    store.logout(&session).await?;
    assert_eq!(store.cached_sessions(), 0, "logout");

    cached_session(store, "wang", "password-123").await?;
    store
        .set_business_date(
            &system,
            "371481",
            chrono::NaiveDate::from_ymd_opt(2026, 6, 30),
        )
        .await?;
    assert_eq!(store.cached_sessions(), 0, "business date");

    cached_session(store, "wang", "password-123").await?;
    store.require_password_change(&system, "wang").await?;
    assert_eq!(store.cached_sessions(), 0, "password change required");

    let session = cached_session(store, "wang", "password-123").await?;
    store
        .change_own_password(
            &session,
            PasswordChange {
                current: "password-123",
                new: "password-456",
                again: None,
            },
            &ThrottlePolicy::default(),
            "",
        )
        .await?;
    assert_eq!(store.cached_sessions(), 0, "own password changed");

    cached_session(store, "wang", "password-456").await?;
    store
        .reset_password(&system, "wang", "password-789")
        .await?;
    assert_eq!(store.cached_sessions(), 0, "password reset");

    cached_session(store, "wang", "password-789").await?;
    store.set_user_disabled(&system, "wang", true).await?;
    assert_eq!(store.cached_sessions(), 0, "user disabled");
    Ok(())
}

/// Notices for this test's schema heard after `sql` ran (one simple query: one transaction
/// unless it says otherwise). An end marker sent in a transaction of its own after it closes the
/// count: notices arrive in commit order, so nothing of `sql`'s can come after the marker.
async fn notices_after(
    listener: &mut PgListener,
    url: &str,
    schema: &str,
    sql: &str,
) -> Result<usize, Box<dyn std::error::Error>> {
    let mut conn = sqlx::PgConnection::connect(url).await?;
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
        .execute(&mut conn)
        .await?;
    let end = format!("{schema}:end");
    sqlx::query("SELECT pg_notify('jixiao_session_changes', $1)")
        .bind(&end)
        .execute(&mut conn)
        .await?;
    let mut heard = 0;
    loop {
        let notice = tokio::time::timeout(Duration::from_secs(10), listener.recv()).await??;
        if notice.payload() == end {
            return Ok(heard);
        }
        if notice.payload() == schema {
            heard += 1;
        }
    }
}

#[tokio::test]
async fn the_triggers_tell_of_each_statement_that_changes_what_a_session_reads() -> TestResult {
    let db = leling().await?;
    if !db.url.starts_with("postgres") {
        return Ok(());
    }
    db.store
        .add_user(
            &Actor::system(),
            &user("wang", "finance", Some("371481"), None),
        )
        .await?;
    login_token(&db.store, "wang", "password-123").await?;
    let schema: String = {
        let mut conn = sqlx::PgConnection::connect(&db.url).await?;
        sqlx::query_scalar("SELECT current_schema()")
            .fetch_one(&mut conn)
            .await?
    };
    let mut listener = PgListener::connect(&db.url).await?;
    listener.listen("jixiao_session_changes").await?;
    let url = &db.url;

    // Each told once.
    for sql in [
        "UPDATE users SET display_name = display_name WHERE username = 'wang'",
        "UPDATE jurisdictions SET business_date = '2026-06-30' WHERE code = '371481'",
        "UPDATE agencies SET name = name WHERE code = '105'",
        "UPDATE users SET disabled = FALSE",
        "DELETE FROM sessions",
    ] {
        assert_eq!(
            notices_after(&mut listener, url, &schema, sql).await?,
            1,
            "{sql}"
        );
    }
    // Nothing a session reads, or nothing committed: not told.
    for sql in [
        "DELETE FROM sessions WHERE user_id = -1",
        "UPDATE jurisdictions SET name = name WHERE code = '371481'",
        "UPDATE agencies SET head = head WHERE code = '105'",
        "BEGIN; UPDATE users SET disabled = TRUE; DELETE FROM sessions; ROLLBACK",
    ] {
        assert_eq!(
            notices_after(&mut listener, url, &schema, sql).await?,
            0,
            "{sql}"
        );
    }
    assert_eq!(
        notices_after(&mut listener, url, &schema, "TRUNCATE sessions").await?,
        1
    );
    Ok(())
}
