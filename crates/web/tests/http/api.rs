//! The JSON API as other systems use it.

use crate::support::{TestApp, TestResult};
use jixiao_core::login_throttle::{Backoff, ThrottlePolicy};
use jixiao_store::demo::DEMO_PASSWORD;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

async fn login(
    app: &TestApp,
    username: &str,
    password: &str,
) -> Result<(StatusCode, Value), reqwest::Error> {
    let response = Client::new()
        .post(app.url("/api/v1/session"))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await?;
    let status = response.status();
    Ok((status, response.json().await?))
}

async fn get(
    app: &TestApp,
    token: &str,
    path: &str,
) -> Result<(StatusCode, Value), reqwest::Error> {
    let response = Client::new()
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await?;
    let status = response.status();
    Ok((status, response.json().await.unwrap_or(Value::Null)))
}

#[tokio::test]
async fn health_and_the_openapi_document() -> TestResult {
    let app = TestApp::start().await?;
    let health = Client::new().get(app.url("/healthz")).send().await?;
    assert_eq!(health.status(), StatusCode::OK);
    assert_eq!(health.text().await?, "ok");
    let doc: Value = Client::new()
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await?
        .json()
        .await?;
    assert!(doc["openapi"].as_str().unwrap_or("").starts_with("3."));
    for path in [
        "/api/v1/session",
        "/api/v1/me",
        "/api/v1/agencies",
        "/api/v1/users",
        "/api/v1/audit",
        "/api/v1/projects",
        "/api/v1/projects/{id}/submit",
        "/api/v1/stats/coverage",
        "/api/v1/payments",
        "/api/v1/payments/batch",
        "/api/v1/projects/{id}/allotment",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} documented");
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
    Ok(())
}

#[tokio::test]
async fn every_role_logs_in_and_sees_itself() -> TestResult {
    let app = TestApp::start().await?;
    for role in [
        "admin",
        "finance",
        "agency",
        "expert",
        "institution",
        "viewer",
    ] {
        let (status, body) = login(&app, role, DEMO_PASSWORD).await?;
        assert_eq!(status, StatusCode::OK, "{role}: {body}");
        assert_eq!(body["user"]["role"], role);
        let token = body["token"].as_str().ok_or("token")?;
        let (status, me) = get(&app, token, "/api/v1/me").await?;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(me["username"], role);
        assert_eq!(me["role"], role);
        if role == "agency" {
            assert_eq!(me["agency"], "114");
        } else {
            assert!(me["agency"].is_null());
        }
    }
    Ok(())
}

#[tokio::test]
async fn errors_are_structured_and_in_chinese() -> TestResult {
    let app = TestApp::start().await?;
    let (status, body) = login(&app, "finance", "wrong-password").await?;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "bad_credentials");
    assert_eq!(body["error"]["message"], "用户名或密码错误");
    assert!(body["error"]["details"].is_array());
    let (status, _) = login(&app, "finance", &"长".repeat(10_000)).await?;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "an over-long password is simply wrong"
    );
    let (status, unknown) = login(&app, "no-such-user", "wrong-password").await?;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown, body, "unknown users look like wrong passwords");

    let client = Client::new();
    let malformed = client
        .post(app.url("/api/v1/session"))
        .header("content-type", "application/json")
        .body("{\"username\": ")
        .send()
        .await?;
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
    let body: Value = malformed.json().await?;
    assert_eq!(body["error"]["code"], "malformed_json");

    let wrong_shape = client
        .post(app.url("/api/v1/session"))
        .json(&json!({"username": 7}))
        .send()
        .await?;
    assert_eq!(wrong_shape.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let no_type = client
        .post(app.url("/api/v1/session"))
        .body("{}")
        .send()
        .await?;
    assert_eq!(no_type.status(), StatusCode::BAD_REQUEST);

    for path in ["/api/v1/no-such-thing", "/api/v2/me", "/api"] {
        let response = client.get(app.url(path)).send().await?;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        let body: Value = response.json().await?;
        assert_eq!(body["error"]["code"], "not_found", "{path}");
    }

    let (status, body) = get(&app, "", "/api/v1/me").await?;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "unauthenticated");
    let (status, _) = get(&app, &"a".repeat(64), "/api/v1/me").await?;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    Ok(())
}

#[tokio::test]
async fn the_sixth_bad_login_is_throttled_then_allowed_after_the_window() -> TestResult {
    let app = TestApp::start_with(ThrottlePolicy {
        per_pair: Backoff {
            free: 5,
            first_delay: 2_000_000,
            max_delay: 2_000_000,
        },
        ..ThrottlePolicy::default()
    })
    .await?;
    for attempt in 1..=5 {
        let (status, _) = login(&app, "viewer", "guess").await?;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {attempt}");
    }
    let (status, body) = login(&app, "viewer", DEMO_PASSWORD).await?;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(body["error"]["code"], "too_many_attempts");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("登录失败次数过多")
    );
    // Other users are not affected.
    let (status, _) = login(&app, "finance", DEMO_PASSWORD).await?;
    assert_eq!(status, StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let (status, _) = login(&app, "viewer", DEMO_PASSWORD).await?;
    assert_eq!(status, StatusCode::OK);
    Ok(())
}

#[tokio::test]
async fn roles_are_refused_what_is_not_theirs() -> TestResult {
    let app = TestApp::start().await?;
    let agency = app.token("agency").await?;
    let viewer = app.token("viewer").await?;
    let finance = app.token("finance").await?;
    let expert = app.token("expert").await?;
    for (token, path) in [
        (&agency, "/api/v1/users"),
        (&agency, "/api/v1/audit"),
        (&viewer, "/api/v1/users"),
        (&finance, "/api/v1/audit"),
        (&expert, "/api/v1/agencies"),
    ] {
        let (status, body) = get(&app, token, path).await?;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        assert_eq!(body["error"]["code"], "forbidden");
    }
    let created = Client::new()
        .post(app.url("/api/v1/agencies"))
        .bearer_auth(&agency)
        .json(&json!({"code": "199", "name": "自封部门"}))
        .send()
        .await?;
    assert_eq!(created.status(), StatusCode::FORBIDDEN);

    // An agency user sees its own department and units only.
    let (status, agencies) = get(&app, &agency, "/api/v1/agencies").await?;
    assert_eq!(status, StatusCode::OK);
    let codes: Vec<&str> = agencies
        .as_array()
        .ok_or("list")?
        .iter()
        .filter_map(|a| a["code"].as_str())
        .collect();
    assert_eq!(codes, ["114", "114001", "114002"]);
    let (_, all) = get(&app, &finance, "/api/v1/agencies").await?;
    assert!(all.as_array().map_or(0, Vec::len) > 10);
    Ok(())
}

#[tokio::test]
async fn an_admin_manages_users_over_the_api() -> TestResult {
    let app = TestApp::start().await?;
    let admin = app.token("admin").await?;
    let client = Client::new();
    let created = client
        .post(app.url("/api/v1/users"))
        .bearer_auth(&admin)
        .json(
            &json!({"username": "kongzhen", "display_name": "孔镇镇 刘会计", "role": "agency",
                      "agency": "202", "password": "kongzhen-2020"}),
        )
        .send()
        .await?;
    assert_eq!(created.status(), StatusCode::CREATED);
    let (status, body) = login(&app, "kongzhen", "kongzhen-2020").await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["user"]["agency"], "202");

    let duplicate = client
        .post(app.url("/api/v1/users"))
        .bearer_auth(&admin)
        .json(&json!({"username": "kongzhen", "role": "viewer", "password": "whatever-123"}))
        .send()
        .await?;
    assert_eq!(duplicate.status(), StatusCode::CONFLICT);
    let body: Value = duplicate.json().await?;
    assert_eq!(body["error"]["code"], "duplicate", "{body}");

    let invalid = client
        .post(app.url("/api/v1/users"))
        .bearer_auth(&admin)
        .json(&json!({"username": "x".repeat(65), "role": "superuser", "password": "short"}))
        .send()
        .await?;
    assert_eq!(invalid.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = invalid.json().await?;
    let fields: Vec<&str> = body["error"]["details"]
        .as_array()
        .ok_or("details")?
        .iter()
        .filter_map(|d| d["field"].as_str())
        .collect();
    assert_eq!(fields, ["username", "role", "password"]);

    let user_token = body_token(login(&app, "kongzhen", "kongzhen-2020").await?.1)?;
    let disabled = client
        .post(app.url("/api/v1/users/kongzhen/disable"))
        .bearer_auth(&admin)
        .send()
        .await?;
    assert_eq!(disabled.status(), StatusCode::NO_CONTENT);
    let (status, _) = get(&app, &user_token, "/api/v1/me").await?;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "sessions of a disabled user end"
    );
    let (status, body) = login(&app, "kongzhen", "kongzhen-2020").await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"]["code"], "account_disabled");

    let (status, audit) = get(&app, &admin, "/api/v1/audit?entity=user").await?;
    assert_eq!(status, StatusCode::OK);
    let actions: Vec<&str> = audit["records"]
        .as_array()
        .ok_or("records")?
        .iter()
        .filter_map(|r| r["action"].as_str())
        .collect();
    assert_eq!(&actions[..2], ["user.disable", "user.create"]);
    let (status, _) = get(&app, &admin, "/api/v1/audit?from=2020-13-01").await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    Ok(())
}

fn body_token(body: Value) -> Result<String, &'static str> {
    body["token"].as_str().map(str::to_owned).ok_or("token")
}

#[tokio::test]
async fn logging_out_ends_the_token() -> TestResult {
    let app = TestApp::start().await?;
    let token = app.token("finance").await?;
    let response = Client::new()
        .delete(app.url("/api/v1/session"))
        .bearer_auth(&token)
        .send()
        .await?;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (status, _) = get(&app, &token, "/api/v1/me").await?;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    Ok(())
}

#[tokio::test]
async fn a_page_session_cookie_does_not_open_the_api() -> TestResult {
    let app = TestApp::start().await?;
    let browser = app.signed_in("admin").await?;
    let response = browser.client.get(app.url("/api/v1/users")).send().await?;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    Ok(())
}
