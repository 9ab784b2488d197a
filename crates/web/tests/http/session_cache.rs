//! The session cache (decision 0054): on PostgreSQL a server keeps the sessions it read for a
//! few seconds, and a change that ends or alters a session reaches every server at once — made
//! through another server's API, or by an operator in psql — not only when the cache's few
//! seconds run out. A server that lost its listener stops caching until a new one hears its ping. On
//! SQLite nothing is cached.

use crate::support::{TestApp, TestResult, on_postgres};
use jixiao_store::test_support::{cut_session_listeners, raw_execute};
use jixiao_store::{SESSION_CACHE_TTL, Store};
use reqwest::{Client, StatusCode};
use serde_json::Value;
use std::time::{Duration, Instant};

/// How long a change may take to reach another server in these tests: well under the cache's
/// lifetime, so only the notification can explain a refusal in time.
const HEARD_WITHIN: Duration = Duration::from_secs(2);

async fn me(base: &str, token: &str) -> Result<(StatusCode, Value), reqwest::Error> {
    let response = Client::new()
        .get(format!("{base}/api/v1/me"))
        .bearer_auth(token)
        .send()
        .await?;
    let status = response.status();
    Ok((status, response.json().await.unwrap_or(Value::Null)))
}

/// Asks `base` as `token` until `store` holds a cached session (so it is at most a few
/// milliseconds old when this returns).
async fn until_cached(
    base: &str,
    token: &str,
    store: &Store,
) -> Result<(), Box<dyn std::error::Error>> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (status, _) = me(base, token).await?;
        assert_eq!(status, StatusCode::OK);
        if store.cached_sessions() > 0 {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err("the server never cached the session".into());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Asks `base` as `token` until it answers `expected`, for at most [`HEARD_WITHIN`].
async fn until_answered(
    base: &str,
    token: &str,
    expected: StatusCode,
) -> Result<Value, Box<dyn std::error::Error>> {
    let started = Instant::now();
    loop {
        let (status, body) = me(base, token).await?;
        if status == expected {
            return Ok(body);
        }
        if started.elapsed() > HEARD_WITHIN {
            return Err(format!(
                "still {status} after {HEARD_WITHIN:?}, expected {expected} (the cache lives {SESSION_CACHE_TTL:?})"
            )
            .into());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_user_disabled_on_one_server_is_refused_by_the_other_at_once() -> TestResult {
    let app = TestApp::start().await?;
    let admin = app.token("admin").await?;
    let token = app.token("finance").await?;
    if !on_postgres() {
        // One process owns a SQLite file, and it does not cache: every request reads.
        for _ in 0..3 {
            assert_eq!(me(&app.base, &token).await?.0, StatusCode::OK);
        }
        assert_eq!(app.db.store.cached_sessions(), 0);
        return Ok(());
    }
    assert!(SESSION_CACHE_TTL > HEARD_WITHIN * 2);
    let (second, second_store) = app.second_server_and_store().await?;
    // The second server's copy is cached last: it is a few milliseconds old at the change.
    until_cached(&app.base, &token, &app.db.store).await?;
    until_cached(&second, &token, &second_store).await?;

    let response = Client::new()
        .post(app.url("/api/v1/users/finance/disable"))
        .bearer_auth(&admin)
        .send()
        .await?;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    // The server that made the change refuses the very next request.
    assert_eq!(me(&app.base, &token).await?.0, StatusCode::UNAUTHORIZED);
    // The other server hears of it long before its cached copy would run out.
    until_answered(&second, &token, StatusCode::UNAUTHORIZED).await?;
    Ok(())
}

#[tokio::test]
async fn a_change_made_in_psql_reaches_the_servers_and_a_lost_listener_stops_the_caching()
-> TestResult {
    if !on_postgres() {
        return Ok(());
    }
    let app = TestApp::start().await?;
    let token = app.token("finance").await?;
    let (second, second_store) = app.second_server_and_store().await?;
    until_cached(&second, &token, &second_store).await?;

    // An operator requires the password change by hand: no server's code ran.
    let url = &app.db.url;
    raw_execute(
        url,
        "UPDATE users SET must_change_password = TRUE WHERE username = 'finance'",
    )
    .await?;
    let body = until_answered(&second, &token, StatusCode::FORBIDDEN).await?;
    assert_eq!(body["error"]["code"], "password_change_required");
    raw_execute(
        url,
        "UPDATE users SET must_change_password = FALSE WHERE username = 'finance'",
    )
    .await?;
    until_answered(&second, &token, StatusCode::OK).await?;

    // Every listener's connection is cut (as by a network fault or a database restart): the
    // servers stop caching, listen again and cache again.
    assert!(
        cut_session_listeners(url).await? >= 2,
        "both servers listen"
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while second_store.cached_sessions() > 0 {
        assert!(Instant::now() < deadline, "the cache outlived its listener");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    until_cached(&second, &token, &second_store).await?;
    // The new listener hears changes as the old one did.
    raw_execute(
        url,
        "DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE username = 'finance')",
    )
    .await?;
    until_answered(&second, &token, StatusCode::UNAUTHORIZED).await?;
    Ok(())
}
