//! Login throttling as a stranger and the real user meet it: failures are counted by (client
//! address, user name) and by address with back-off, the account locks only at a high count,
//! the client address comes from `X-Forwarded-For` only behind a trusted proxy, and every
//! throttle is in the audit log. The server here trusts 127.0.0.1 as its proxy, so a test can
//! act from any address.

use crate::support::{TestApp, TestResult};
use jixiao_core::Actor;
use jixiao_core::login_throttle::{Backoff, ThrottlePolicy};
use jixiao_core::time::{minutes, seconds};
use jixiao_store::AuditFilter;
use jixiao_store::demo::DEMO_PASSWORD;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

/// Logs in over the API from `address` (as the proxy reports it): status, body, Retry-After.
async fn login_from(
    app: &TestApp,
    address: &str,
    username: &str,
    password: &str,
) -> Result<(StatusCode, Value, Option<i64>), reqwest::Error> {
    let response = Client::new()
        .post(app.url("/api/v1/session"))
        .header("x-forwarded-for", address)
        .json(&json!({"username": username, "password": password}))
        .send()
        .await?;
    let status = response.status();
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    Ok((status, response.json().await?, retry_after))
}

/// The throttling records of the audit log, oldest first: (action, details).
async fn throttle_records(
    app: &TestApp,
) -> Result<Vec<(String, Value)>, Box<dyn std::error::Error>> {
    let page = app
        .db
        .store
        .audit_log(
            &Actor::system(),
            &AuditFilter {
                entity: Some("session".into()),
                ..AuditFilter::default()
            },
            1,
            500,
        )
        .await?;
    let mut records: Vec<(String, Value)> = page
        .records
        .iter()
        .filter(|r| r.action == "login.throttled" || r.action == "login.locked")
        .map(|r| {
            (
                r.action.clone(),
                serde_json::from_str(&r.details).unwrap_or(Value::Null),
            )
        })
        .collect();
    records.reverse();
    Ok(records)
}

#[tokio::test]
async fn a_stranger_hammering_from_one_address_does_not_lock_out_the_real_user() -> TestResult {
    // Five free failures per address and name, then waits (long enough that this test never
    // outlasts the first one).
    let app = TestApp::start_behind_proxy(ThrottlePolicy {
        per_pair: Backoff {
            free: 5,
            first_delay: minutes(10),
            max_delay: minutes(15),
        },
        ..ThrottlePolicy::default()
    })
    .await?;
    for attempt in 1..=5 {
        let (status, body, _) = login_from(&app, "203.0.113.7", "finance", "guess").await?;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "attempt {attempt}: {body}"
        );
    }
    for _ in 0..20 {
        let (status, body, retry_after) =
            login_from(&app, "203.0.113.7", "finance", "guess").await?;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(body["error"]["code"], "too_many_attempts");
        assert!(retry_after.is_some_and(|s| s >= 1), "Retry-After sent");
        assert_eq!(
            body["error"]["details"][0]["retry_after_seconds"],
            json!(retry_after)
        );
        let message = body["error"]["message"].as_str().unwrap_or("");
        assert!(message.starts_with("登录失败次数过多，请"), "{message}");
    }
    // Even the right password is refused from the stranger's address while it waits…
    let (status, _, _) = login_from(&app, "203.0.113.7", "finance", DEMO_PASSWORD).await?;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    // …but the real user on another address gets in, on the API and on the login page.
    let (status, body, _) = login_from(&app, "198.51.100.20", "finance", DEMO_PASSWORD).await?;
    assert_eq!(status, StatusCode::OK, "{body}");
    let browser = app.browser()?;
    let (_, html) = browser.get("/login").await?;
    let csrf = crate::support::csrf_of(&html).ok_or("login form token")?;
    let response = browser
        .client
        .post(app.url("/login"))
        .header("x-forwarded-for", "198.51.100.21")
        .form(&[
            ("_csrf", csrf.as_str()),
            ("username", "finance"),
            ("password", DEMO_PASSWORD),
        ])
        .send()
        .await?;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "page login from elsewhere"
    );

    // The throttle is in the audit log with the stranger's address; the refused attempts
    // added no failures (only one throttle record, from the fifth failure).
    let records = throttle_records(&app).await?;
    assert_eq!(records.len(), 1, "{records:?}");
    assert_eq!(records[0].0, "login.throttled");
    assert_eq!(records[0].1["address"], "203.0.113.7");
    assert_eq!(records[0].1["scope"], "address_and_user");
    assert_eq!(records[0].1["failures"], 5);
    Ok(())
}

#[tokio::test]
async fn waits_double_with_each_failure_past_the_free_ones() -> TestResult {
    let app = TestApp::start_behind_proxy(ThrottlePolicy {
        per_pair: Backoff {
            free: 2,
            first_delay: 100_000,
            max_delay: seconds(10),
        },
        ..ThrottlePolicy::default()
    })
    .await?;
    let mut failures = 0;
    while failures < 5 {
        let (status, _, _) = login_from(&app, "203.0.113.8", "viewer", "guess").await?;
        match status {
            StatusCode::UNAUTHORIZED => failures += 1,
            // Waiting as told (in whole seconds on the wire; the audit has milliseconds).
            StatusCode::TOO_MANY_REQUESTS => {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await
            }
            other => return Err(format!("unexpected {other}").into()),
        }
    }
    let waits: Vec<i64> = throttle_records(&app)
        .await?
        .iter()
        .map(|(_, d)| d["retry_after_ms"].as_i64().unwrap_or(-1))
        .collect();
    assert_eq!(
        waits,
        vec![100, 200, 400, 800],
        "after failures 2, 3, 4 and 5"
    );
    Ok(())
}

#[tokio::test]
async fn an_address_trying_many_names_is_slowed_down_for_all_of_them() -> TestResult {
    let app = TestApp::start_behind_proxy(ThrottlePolicy {
        per_address: Backoff {
            free: 6,
            first_delay: minutes(5),
            max_delay: minutes(15),
        },
        ..ThrottlePolicy::default()
    })
    .await?;
    for name in ["a1", "a2", "a3", "a4", "a5", "a6"] {
        let (status, _, _) = login_from(&app, "203.0.113.9", name, "guess").await?;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, _, retry_after) = login_from(&app, "203.0.113.9", "viewer", DEMO_PASSWORD).await?;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(retry_after.is_some_and(|s| s > 60));
    let (status, _, _) = login_from(&app, "203.0.113.10", "viewer", DEMO_PASSWORD).await?;
    assert_eq!(status, StatusCode::OK, "another address is not slowed");
    let records = throttle_records(&app).await?;
    assert_eq!(
        records.last().map(|r| r.1["scope"].clone()),
        Some(json!("address"))
    );
    Ok(())
}

#[tokio::test]
async fn the_account_locks_only_after_the_high_count_from_many_addresses() -> TestResult {
    let app = TestApp::start_behind_proxy(ThrottlePolicy {
        account_lock_failures: 12,
        ..ThrottlePolicy::default()
    })
    .await?;
    // Eleven failures from three addresses, each under its free five: the user still gets in.
    for n in 0..11 {
        let address = format!("203.0.113.{}", 20 + n % 3);
        let (status, _, _) = login_from(&app, &address, "agency", "guess").await?;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, _, _) = login_from(&app, "198.51.100.30", "agency", DEMO_PASSWORD).await?;
    assert_eq!(status, StatusCode::OK, "below the lock count");
    // The twelfth locks the account, from everywhere, for the lock's length.
    let (status, _, _) = login_from(&app, "203.0.113.23", "agency", "guess").await?;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, body, retry_after) =
        login_from(&app, "198.51.100.31", "agency", DEMO_PASSWORD).await?;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert!(retry_after.is_some_and(|s| s > 14 * 60));
    assert_eq!(body["error"]["message"], "登录失败次数过多，请15分钟后再试");
    // An unknown name is counted and locked alike: the answer tells nothing of existence.
    for n in 0..12 {
        login_from(
            &app,
            &format!("203.0.113.{}", 40 + n % 3),
            "nobody",
            "guess",
        )
        .await?;
    }
    let (status, ghost, _) = login_from(&app, "198.51.100.32", "nobody", "guess").await?;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(ghost["error"]["message"], body["error"]["message"]);
    let records = throttle_records(&app).await?;
    let locks: Vec<&Value> = records
        .iter()
        .filter(|(action, _)| action == "login.locked")
        .map(|(_, d)| d)
        .collect();
    assert_eq!(locks.len(), 2, "{records:?}");
    assert_eq!(locks[0]["scope"], "account");
    assert_eq!(locks[0]["failures"], 12);
    Ok(())
}

#[tokio::test]
async fn forwarded_for_from_an_untrusted_peer_is_ignored() -> TestResult {
    // No trusted proxy: every request comes from 127.0.0.1 whatever the header says.
    let app = TestApp::start_with(ThrottlePolicy::default()).await?;
    for n in 0..5 {
        let (status, _, _) = login_from(&app, &format!("203.0.113.{n}"), "viewer", "guess").await?;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, _, _) = login_from(&app, "198.51.100.50", "viewer", DEMO_PASSWORD).await?;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "a forged header does not buy a fresh address"
    );
    let records = throttle_records(&app).await?;
    assert_eq!(records[0].1["address"], "127.0.0.1");
    Ok(())
}
