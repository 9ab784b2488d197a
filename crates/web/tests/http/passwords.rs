//! Passwords as their users meet them: changing one's own (page and API), refusals that change
//! nothing, the login throttle shared with wrong current passwords, and an administrator
//! requiring a change at the next login — pages lead only to the change, the API refuses with
//! `password_change_required`, and the change lifts it.

use crate::support::{Browser, TestApp, TestResult, call};
use jixiao_core::Actor;
use jixiao_core::login_throttle::{Backoff, ThrottlePolicy};
use jixiao_core::time::minutes;
use jixiao_store::AuditFilter;
use jixiao_store::demo::DEMO_PASSWORD;
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

/// Fills in the change-password form as the user would.
async fn change_on_page(
    browser: &Browser,
    current: &str,
    new: &str,
    again: &str,
) -> Result<(StatusCode, String, String), Box<dyn std::error::Error>> {
    let response = browser
        .submit(
            "/password",
            "/password",
            &[
                ("current_password", current),
                ("new_password", new),
                ("new_password_again", again),
            ],
        )
        .await?;
    let status = response.status();
    let to = location(&response);
    Ok((status, to, response.text().await?))
}

/// Logs in over the API with `password`: the status and the token, if any.
async fn api_login(
    app: &TestApp,
    username: &str,
    password: &str,
) -> Result<(StatusCode, String), reqwest::Error> {
    let response = Client::new()
        .post(app.url("/api/v1/session"))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await?;
    let status = response.status();
    let body: Value = response.json().await?;
    Ok((status, body["token"].as_str().unwrap_or("").to_owned()))
}

/// The audit records of `username`'s user row and sessions, oldest first: (action, details).
async fn audit_of(
    app: &TestApp,
    username: &str,
) -> Result<Vec<(String, String)>, Box<dyn std::error::Error>> {
    let page = app
        .db
        .store
        .audit_log(
            &Actor::system(),
            &AuditFilter {
                actor: Some(username.to_owned()),
                ..AuditFilter::default()
            },
            1,
            500,
        )
        .await?;
    let mut records: Vec<(String, String)> = page
        .records
        .iter()
        .map(|r| (r.action.clone(), r.details.clone()))
        .collect();
    records.reverse();
    Ok(records)
}

/// Whether the administrator's user list says `username` must change their password.
async fn must_change(
    app: &TestApp,
    admin: &str,
    username: &str,
) -> Result<bool, Box<dyn std::error::Error>> {
    let (status, users) = call(app, admin, Method::GET, "/api/v1/users", None).await?;
    assert_eq!(status, StatusCode::OK);
    let user = users
        .as_array()
        .ok_or("users")?
        .iter()
        .find(|u| u["username"] == username)
        .ok_or("no such user")?;
    Ok(user["must_change_password"].as_bool().ok_or("flag")?)
}

#[tokio::test]
async fn users_change_their_own_password_and_log_in_with_the_new_one() -> TestResult {
    let app = TestApp::start().await?;
    let browser = app.signed_in("agency").await?;
    let elsewhere = app.signed_in("agency").await?;
    let token = app.token("agency").await?;

    // Every signed-in user finds the page in the header.
    let (_, home) = browser.get("/").await?;
    assert!(home.contains(r#"<a href="/password""#) && home.contains("修改密码"));
    let (status, form) = browser.get("/password").await?;
    assert_eq!(status, StatusCode::OK);
    for label in [
        "当前密码",
        "新密码（8至128位，不能与当前密码相同）",
        "再次输入新密码",
    ] {
        assert!(form.contains(label), "{label}");
    }

    // A forged form (no token) changes nothing.
    let forged = browser
        .post_raw(
            "/password",
            &[
                ("current_password", DEMO_PASSWORD),
                ("new_password", "forged-password-1"),
                ("new_password_again", "forged-password-1"),
            ],
        )
        .await?;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);

    let (status, to, _) = change_on_page(
        &browser,
        DEMO_PASSWORD,
        "wo-de-xin-mima-2024",
        "wo-de-xin-mima-2024",
    )
    .await?;
    assert_eq!(
        (status, to.as_str()),
        (StatusCode::SEE_OTHER, "/password?done=changed")
    );
    let (_, done) = browser.get("/password?done=changed").await?;
    assert!(done.contains("密码已修改"), "{done}");

    // This session stays; the user's other browser and API token are ended.
    assert_eq!(browser.get("/").await?.0, StatusCode::OK);
    let (status, _) = elsewhere.get("/").await?;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _) = call(&app, &token, Method::GET, "/api/v1/me", None).await?;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // The old password no longer opens the account; the new one does.
    let again = app.browser()?;
    let refused = again.login("agency", DEMO_PASSWORD).await?;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    let admitted = again.login("agency", "wo-de-xin-mima-2024").await?;
    assert_eq!(admitted.status(), StatusCode::SEE_OTHER);

    // Audited as 修改密码 in the same breath, without the password.
    let records = audit_of(&app, "agency").await?;
    let (_, details) = records
        .iter()
        .find(|(action, _)| action == "user.change_password")
        .ok_or("no user.change_password record")?;
    assert!(details.contains("\"sessions_ended\":2"), "{details}");
    for (_, details) in &records {
        assert!(!details.contains("wo-de-xin-mima") && !details.contains(DEMO_PASSWORD));
    }
    let admin = app.signed_in("admin").await?;
    let (_, log) = admin.get("/admin/audit?entity=user").await?;
    assert!(log.contains("<td>修改密码</td>"), "{log}");
    assert!(!log.contains("wo-de-xin-mima"));

    // Over the API too; the token that changed it keeps working.
    let (status, token) = api_login(&app, "agency", "wo-de-xin-mima-2024").await?;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = call(
        &app,
        &token,
        Method::POST,
        "/api/v1/me/password",
        Some(
            json!({"current_password": "wo-de-xin-mima-2024", "new_password": "third-password-3"}),
        ),
    )
    .await?;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        call(&app, &token, Method::GET, "/api/v1/me", None).await?.0,
        StatusCode::OK
    );
    assert_eq!(
        api_login(&app, "agency", "third-password-3").await?.0,
        StatusCode::OK
    );
    Ok(())
}

#[tokio::test]
async fn refused_changes_say_why_in_chinese_and_change_nothing() -> TestResult {
    let app = TestApp::start().await?;
    let browser = app.signed_in("finance").await?;

    let (status, _, page) = change_on_page(
        &browser,
        "not-my-password",
        "a-new-password-1",
        "a-new-password-1",
    )
    .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("当前密码不正确，密码未修改"), "{page}");

    let (status, _, page) = change_on_page(&browser, DEMO_PASSWORD, "short", "short").await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("密码至少8位"), "{page}");

    let (status, _, page) = change_on_page(
        &browser,
        DEMO_PASSWORD,
        "a-new-password-1",
        "a-new-password-2",
    )
    .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("两次输入的新密码不一致"), "{page}");

    let (status, _, page) =
        change_on_page(&browser, DEMO_PASSWORD, DEMO_PASSWORD, DEMO_PASSWORD).await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("新密码不能与当前密码相同"), "{page}");

    // The API names the field and the reason.
    let token = app.token("finance").await?;
    let (status, body) = call(
        &app,
        &token,
        Method::POST,
        "/api/v1/me/password",
        Some(json!({"current_password": "not-my-password", "new_password": "a-new-password-1"})),
    )
    .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["details"][0]["field"], "current_password");
    assert_eq!(body["error"]["details"][0]["code"], "wrong_password");

    // Nothing changed: the old password still logs in, none of the new ones does.
    assert_eq!(
        api_login(&app, "finance", DEMO_PASSWORD).await?.0,
        StatusCode::OK
    );
    assert_eq!(
        api_login(&app, "finance", "a-new-password-1").await?.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        api_login(&app, "finance", "short").await?.0,
        StatusCode::UNAUTHORIZED
    );
    let wrong: Vec<String> = audit_of(&app, "finance")
        .await?
        .into_iter()
        .filter(|(action, _)| action.starts_with("user."))
        .map(|(action, _)| action)
        .collect();
    // Only the wrong current passwords are recorded (the other refusals checked nothing).
    assert_eq!(
        wrong,
        ["user.change_password_failed", "user.change_password_failed"]
    );
    Ok(())
}

#[tokio::test]
async fn wrong_current_passwords_count_towards_the_login_throttle() -> TestResult {
    let app = TestApp::start_with(ThrottlePolicy {
        per_pair: Backoff {
            free: 3,
            first_delay: minutes(10),
            max_delay: minutes(15),
        },
        ..ThrottlePolicy::default()
    })
    .await?;
    let browser = app.signed_in("expert").await?;
    for _ in 0..3 {
        let (status, _, _) = change_on_page(
            &browser,
            "guess-password",
            "a-new-password-1",
            "a-new-password-1",
        )
        .await?;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    // The fourth try waits, even with the right password, and says so.
    let (status, _, page) = change_on_page(
        &browser,
        DEMO_PASSWORD,
        "a-new-password-1",
        "a-new-password-1",
    )
    .await?;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(page.contains("密码错误次数过多，请10分钟后再试"), "{page}");
    // So does a login from the same address, and the throttle is audited.
    let (status, _) = api_login(&app, "expert", DEMO_PASSWORD).await?;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let actions: Vec<String> = audit_of(&app, "expert")
        .await?
        .into_iter()
        .map(|(action, _)| action)
        .collect();
    assert!(
        actions.contains(&"login.throttled".to_owned()),
        "{actions:?}"
    );
    Ok(())
}

#[tokio::test]
async fn an_administrator_requires_a_change_and_only_the_change_lifts_it() -> TestResult {
    let app = TestApp::start().await?;
    let admin_token = app.token("admin").await?;
    let admin = app.signed_in("admin").await?;
    let before = app.signed_in("yiyuan").await?;

    // No other role may require it, on the API or on the page.
    let finance = app.token("finance").await?;
    let (status, body) = call(
        &app,
        &finance,
        Method::POST,
        "/api/v1/users/yiyuan/require-password-change",
        None,
    )
    .await?;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden"))
    );
    let finance_browser = app.signed_in("finance").await?;
    let refused = finance_browser
        .submit("/", "/admin/users/yiyuan/require-password-change", &[])
        .await?;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(!must_change(&app, &admin_token, "yiyuan").await?);

    // The administrator requires it from the users page.
    let (_, users) = admin.get("/admin/users").await?;
    assert!(users.contains("要求修改密码"));
    let done = admin
        .submit(
            "/admin/users",
            "/admin/users/yiyuan/require-password-change",
            &[],
        )
        .await?;
    assert_eq!(location(&done), "/admin/users?done=must_change");
    let (_, users) = admin.get("/admin/users?done=must_change").await?;
    assert!(users.contains("已要求该用户修改密码") && users.contains("须修改密码"));
    assert!(must_change(&app, &admin_token, "yiyuan").await?);

    // A session opened before and one opened after both lead only to the change.
    let after = app.signed_in("yiyuan").await?;
    for browser in [&before, &after] {
        for path in [
            "/",
            "/projects",
            "/monitoring",
            "/admin/users",
            "/no-such-page",
        ] {
            let response = browser
                .client
                .get(format!("{}{path}", app.base))
                .send()
                .await?;
            assert_eq!(response.status(), StatusCode::SEE_OTHER, "{path}");
            assert_eq!(location(&response), "/password", "{path}");
        }
        let (status, page) = browser.get("/password").await?;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("系统管理员要求您修改密码"), "{page}");
        assert!(!page.contains(r#"href="/projects""#), "the menu is hidden");
        assert_eq!(browser.get("/static/app.css").await?.0, StatusCode::OK);
    }
    // A form posted elsewhere is not acted on.
    let (_, page) = after.get("/password").await?;
    let csrf = crate::support::csrf_of(&page).ok_or("csrf")?;
    let response = after
        .post_raw("/projects", &[("_csrf", csrf.as_str()), ("name", "x")])
        .await?;
    assert_eq!(location(&response), "/password");
    // Logging out still works.
    let out = before.submit("/password", "/logout", &[]).await?;
    assert_eq!(location(&out), "/login");

    // The API refuses everything but the change and logging out, with its own code.
    let token = app.token("yiyuan").await?;
    for path in ["/api/v1/projects", "/api/v1/me"] {
        let (status, body) = call(&app, &token, Method::GET, path, None).await?;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        assert_eq!(body["error"]["code"], "password_change_required", "{path}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap_or("")
                .contains("请先修改密码")
        );
    }
    let (status, _) = call(
        &app,
        &token,
        Method::POST,
        "/api/v1/me/password",
        Some(json!({"current_password": DEMO_PASSWORD, "new_password": "yiyuan-new-pass"})),
    )
    .await?;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        call(&app, &token, Method::GET, "/api/v1/projects", None)
            .await?
            .0,
        StatusCode::OK
    );
    assert!(!must_change(&app, &admin_token, "yiyuan").await?);
    // The browser session was another session of the user: the change ended it.
    assert_eq!(
        location(&after.client.get(app.url("/")).send().await?),
        "/login"
    );

    let records: Vec<String> = audit_of(&app, "admin")
        .await?
        .into_iter()
        .map(|(action, _)| action)
        .collect();
    assert!(records.contains(&"user.require_password_change".to_owned()));

    // Over the API, the administrator may require it too; a token ends only by logging out.
    let (status, _) = call(
        &app,
        &admin_token,
        Method::POST,
        "/api/v1/users/canlian/require-password-change",
        None,
    )
    .await?;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let canlian = app.token("canlian").await?;
    let (status, _) = call(&app, &canlian, Method::DELETE, "/api/v1/session", None).await?;
    assert_eq!(status, StatusCode::NO_CONTENT);
    Ok(())
}

#[tokio::test]
async fn a_password_reset_by_an_administrator_must_be_changed_by_its_user() -> TestResult {
    let app = TestApp::start().await?;
    let admin = app.token("admin").await?;
    let (status, _) = call(
        &app,
        &admin,
        Method::POST,
        "/api/v1/users/viewer/password",
        Some(json!({"password": "short"})),
    )
    .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = call(
        &app,
        &admin,
        Method::POST,
        "/api/v1/users/viewer/password",
        Some(json!({"password": "set-by-admin-1"})),
    )
    .await?;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(must_change(&app, &admin, "viewer").await?);

    // The user logs in with what the administrator set and is sent to change it.
    let browser = app.browser()?;
    let response = browser.login("viewer", "set-by-admin-1").await?;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (status, _) = browser.get("/").await?;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, to, _) = change_on_page(
        &browser,
        "set-by-admin-1",
        "only-i-know-this",
        "only-i-know-this",
    )
    .await?;
    assert_eq!(
        (status, to.as_str()),
        (StatusCode::SEE_OTHER, "/password?done=changed")
    );
    let (status, home) = browser.get("/").await?;
    assert_eq!(status, StatusCode::OK);
    assert!(home.contains(r#"href="/projects""#), "the menu is back");
    assert!(!must_change(&app, &admin, "viewer").await?);
    Ok(())
}
