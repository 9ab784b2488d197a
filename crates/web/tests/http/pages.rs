//! The pages as people use them in a browser: login, home, admin pages, CSRF and role refusals.

use crate::support::{TestApp, TestResult, csrf_of};
use jixiao_core::login_throttle::ThrottlePolicy;
use jixiao_store::demo::DEMO_PASSWORD;
use reqwest::StatusCode;
use reqwest::header::LOCATION;

fn location(response: &reqwest::Response) -> &str {
    response
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

#[tokio::test]
async fn a_user_logs_in_on_the_page_and_sees_what_is_theirs() -> TestResult {
    let app = TestApp::start().await?;
    let browser = app.browser()?;
    let (status, html) = browser.get("/").await?;
    assert_eq!(status, StatusCode::SEE_OTHER, "home needs a login: {html}");
    let (status, html) = browser.get("/login").await?;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("用户登录"));
    assert!(html.contains("lang=\"zh-CN\""));

    let response = browser.login("agency", DEMO_PASSWORD).await?;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/");
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("jixiao_session="))
        .ok_or("no session cookie")?
        .to_owned();
    assert!(cookie.contains("HttpOnly"));
    assert!(cookie.contains("SameSite=Lax"));

    let (status, html) = browser.get("/").await?;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("卫生健康局 李明"));
    assert!(html.contains("部门/单位"));
    assert!(html.contains("乐陵市卫生健康局（114，主管部门）"));
    assert!(html.contains("乐陵市人民医院"), "its units are listed");
    assert!(!html.contains("乐陵市财政局"), "other departments are not");
    assert!(!html.contains("用户管理"), "no admin menu");

    let (_, home) = browser.get("/").await?;
    let response = browser.submit("/", "/logout", &[]).await?;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(home.contains("退出"));
    let (status, _) = browser.get("/").await?;
    assert_eq!(status, StatusCode::SEE_OTHER, "logged out");
    Ok(())
}

#[tokio::test]
async fn wrong_passwords_and_throttling_are_told_in_chinese() -> TestResult {
    // After five failures the next attempt waits 15 minutes (long enough to be seen here).
    let app = TestApp::start_with(ThrottlePolicy {
        per_pair: jixiao_core::login_throttle::Backoff {
            free: 5,
            first_delay: jixiao_core::time::minutes(15),
            max_delay: jixiao_core::time::minutes(15),
        },
        ..ThrottlePolicy::default()
    })
    .await?;
    let browser = app.browser()?;
    for _ in 0..5 {
        let response = browser.login("finance", "wrong-password").await?;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        let html = response.text().await?;
        assert!(html.contains("用户名或密码错误"));
        assert!(html.contains("value=\"finance\""), "the username is kept");
    }
    let response = browser.login("finance", DEMO_PASSWORD).await?;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().contains_key("retry-after"));
    assert!(
        response
            .text()
            .await?
            .contains("登录失败次数过多，请15分钟后再试")
    );
    Ok(())
}

#[tokio::test]
async fn forms_without_the_csrf_token_are_refused_and_change_nothing() -> TestResult {
    let app = TestApp::start().await?;
    let browser = app.browser()?;
    // Login form without its token.
    let response = browser
        .post_raw(
            "/login",
            &[("username", "admin"), ("password", DEMO_PASSWORD)],
        )
        .await?;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(response.text().await?.contains("表单已失效"));

    let admin = app.signed_in("admin").await?;
    let form = [
        ("jurisdiction", "371481"),
        ("code", "301"),
        ("name", "伪造的部门"),
    ];
    let response = admin.post_raw("/admin/agencies", &form).await?;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let mut forged = vec![("_csrf", "0000")];
    forged.extend_from_slice(&form);
    let response = admin.post_raw("/admin/agencies", &forged).await?;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let (_, html) = admin.get("/admin/agencies").await?;
    assert!(!html.contains("伪造的部门"));

    let response = admin
        .submit("/admin/agencies", "/admin/agencies", &form)
        .await?;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, html) = admin.get("/admin/agencies?done=created").await?;
    assert!(html.contains("伪造的部门") && html.contains("已新增部门单位"));
    Ok(())
}

#[tokio::test]
async fn non_admins_are_refused_admin_pages() -> TestResult {
    let app = TestApp::start().await?;
    for role in ["agency", "finance", "viewer", "expert", "institution"] {
        let browser = app.signed_in(role).await?;
        for path in [
            "/admin/users",
            "/admin/agencies",
            "/admin/audit",
            "/admin/settings",
        ] {
            let (status, html) = browser.get(path).await?;
            assert_eq!(status, StatusCode::FORBIDDEN, "{role} {path}");
            assert!(html.contains("无权访问此功能"));
        }
        let response = browser
            .submit("/", "/admin/users/viewer/disable", &[])
            .await?;
        assert_eq!(
            response.status(),
            StatusCode::FORBIDDEN,
            "{role} cannot disable"
        );
    }
    let anonymous = app.browser()?;
    let (status, _) = anonymous.get("/admin/users").await?;
    assert_eq!(status, StatusCode::SEE_OTHER);
    Ok(())
}

#[tokio::test]
async fn an_admin_creates_a_user_who_then_logs_in() -> TestResult {
    let app = TestApp::start().await?;
    let admin = app.signed_in("admin").await?;
    let response = admin
        .submit(
            "/admin/users",
            "/admin/users",
            &[
                ("username", "yangan"),
                ("display_name", "杨安镇 财务 周红"),
                ("role", "agency"),
                ("jurisdiction", "371481"),
                ("agency", "201"),
                ("password", "yangan-2020"),
            ],
        )
        .await?;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/admin/users?done=created");

    let user = app.browser()?;
    assert_eq!(
        user.login("yangan", "yangan-2020").await?.status(),
        StatusCode::SEE_OTHER
    );
    let (_, html) = user.get("/").await?;
    assert!(html.contains("乐陵市杨安镇人民政府"));

    // A bad form comes back with the entries and the errors beside the fields.
    let response = admin
        .submit(
            "/admin/users",
            "/admin/users",
            &[
                ("username", "zhou hong"),
                ("display_name", "周红"),
                ("role", "agency"),
                ("jurisdiction", "371481"),
                ("agency", ""),
                ("password", "short"),
            ],
        )
        .await?;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await?;
    assert!(html.contains("value=\"zhou hong\""));
    assert!(html.contains("部门/单位用户必须指定所属单位"));
    assert!(html.contains("密码至少8位"));
    Ok(())
}

#[tokio::test]
async fn a_disabled_user_is_signed_out_and_cannot_sign_in() -> TestResult {
    let app = TestApp::start().await?;
    let viewer = app.signed_in("viewer").await?;
    assert_eq!(viewer.get("/").await?.0, StatusCode::OK);
    let admin = app.signed_in("admin").await?;
    let response = admin
        .submit("/admin/users", "/admin/users/viewer/disable", &[])
        .await?;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        viewer.get("/").await?.0,
        StatusCode::SEE_OTHER,
        "session ended"
    );
    let again = app.browser()?;
    let response = again.login("viewer", DEMO_PASSWORD).await?;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(response.text().await?.contains("该账号已停用"));

    let response = admin
        .submit("/admin/users", "/admin/users/viewer/enable", &[])
        .await?;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        again.login("viewer", DEMO_PASSWORD).await?.status(),
        StatusCode::SEE_OTHER
    );
    Ok(())
}

#[tokio::test]
async fn entered_text_is_escaped_on_pages() -> TestResult {
    let app = TestApp::start().await?;
    let admin = app.signed_in("admin").await?;
    let response = admin
        .submit(
            "/admin/agencies",
            "/admin/agencies",
            &[
                ("jurisdiction", "371481"),
                ("code", "302"),
                ("name", "<script>alert(1)</script>局"),
                ("head", "\"><b>x</b>"),
            ],
        )
        .await?;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, html) = admin.get("/admin/agencies").await?;
    assert!(!html.contains("<script>alert(1)</script>"));
    assert!(html.contains("&#60;script&#62;alert(1)&#60;/script&#62;局"));
    assert!(!html.contains("<b>x</b>"));
    Ok(())
}

#[tokio::test]
async fn the_agency_form_keeps_entries_and_names_each_problem() -> TestResult {
    let app = TestApp::start().await?;
    let admin = app.signed_in("admin").await?;
    let response = admin
        .submit(
            "/admin/agencies",
            "/admin/agencies",
            &[
                ("jurisdiction", "371481"),
                ("code", "303"),
                ("name", ""),
                ("parent_code", ""),
            ],
        )
        .await?;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await?;
    assert!(html.contains("单位名称不能为空"));
    assert!(html.contains("value=\"303\""));
    let duplicate = admin
        .submit(
            "/admin/agencies",
            "/admin/agencies",
            &[
                ("jurisdiction", "371481"),
                ("code", "105"),
                ("name", "又一个财政局"),
            ],
        )
        .await?;
    assert_eq!(duplicate.status(), StatusCode::CONFLICT);
    assert!(duplicate.text().await?.contains("单位编码“105”已存在"));

    let agencies = app.db.store.agencies(&jixiao_core::Actor::system()).await?;
    let finance = agencies.iter().find(|a| a.code == "105").ok_or("105")?;
    let response = admin
        .submit(
            "/admin/agencies",
            &format!("/admin/agencies/{}/head", finance.id),
            &[("head", "吴强（局长）")],
        )
        .await?;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, html) = admin.get("/admin/agencies").await?;
    assert!(html.contains("吴强（局长）"));
    Ok(())
}

#[tokio::test]
async fn the_audit_page_filters_the_log() -> TestResult {
    let app = TestApp::start_with(ThrottlePolicy::default()).await?;
    let admin = app.signed_in("admin").await?;
    let (status, html) = admin.get("/admin/audit?entity=session&actor=admin").await?;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<td>登录</td>"));
    assert!(!html.contains("新增部门单位"));
    let (status, html) = admin.get("/admin/audit?entity=agency").await?;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<td>新增部门单位</td>"));
    assert!(html.contains("共 21 条记录"));
    let (status, html) = admin.get("/admin/audit?from=2020-02-30").await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("不是有效日期"));
    let (_, html) = admin.get("/admin/audit?to=2000-01-01").await?;
    assert!(html.contains("没有符合条件的记录"));
    Ok(())
}

#[tokio::test]
async fn settings_add_fiscal_years_and_rename_the_jurisdiction() -> TestResult {
    let app = TestApp::start().await?;
    let admin = app.signed_in("admin").await?;
    let response = admin
        .submit(
            "/admin/settings",
            "/admin/settings/fiscal-years",
            &[("jurisdiction", "371481"), ("year", "2022")],
        )
        .await?;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let response = admin
        .submit(
            "/admin/settings",
            "/admin/settings/fiscal-years",
            &[("jurisdiction", "371481"), ("year", "二〇二二")],
        )
        .await?;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await?.contains("年度应为四位数字"));
    let response = admin
        .submit(
            "/admin/settings",
            "/admin/settings/jurisdictions/371481/name",
            &[("name", "乐陵市")],
        )
        .await?;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, html) = admin.get("/admin/settings").await?;
    assert!(html.contains("2022年度"));
    Ok(())
}

#[tokio::test]
async fn unknown_pages_are_a_chinese_404() -> TestResult {
    let app = TestApp::start().await?;
    let (status, html) = app.browser()?.get("/no/such/page").await?;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("页面不存在"));
    Ok(())
}

#[tokio::test]
async fn pages_forbid_framing_and_foreign_scripts() -> TestResult {
    let app = TestApp::start().await?;
    let response = app.browser()?.client.get(app.url("/login")).send().await?;
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    assert!(header("content-security-policy").contains("default-src 'self'"));
    assert!(header("content-security-policy").contains("frame-ancestors 'none'"));
    assert_eq!(header("x-frame-options"), "DENY");
    assert_eq!(header("x-content-type-options"), "nosniff");
    let html = response.text().await?;
    assert!(
        !html.contains("<script>") && !html.contains("style=\""),
        "nothing inline"
    );
    Ok(())
}

#[tokio::test]
async fn personal_and_financial_answers_are_never_cached() -> TestResult {
    let app = TestApp::start_full().await?;
    let finance = app.signed_in("finance").await?;
    let token = app.token("finance").await?;
    let cache_control = |response: &reqwest::Response| {
        response
            .headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    for path in [
        "/projects",
        "/payments",
        "/admin/audit",
        "/projects/export.xlsx",
    ] {
        let response = finance.client.get(app.url(path)).send().await?;
        assert_eq!(cache_control(&response), "no-store", "{path}");
    }
    let response = reqwest::Client::new()
        .get(app.url("/api/v1/projects?year=2020"))
        .bearer_auth(&token)
        .send()
        .await?;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(cache_control(&response), "no-store", "API");
    let response = finance.client.get(app.url("/login")).send().await?;
    assert_eq!(cache_control(&response), "no-store", "login");
    let response = finance
        .client
        .get(app.url("/static/app.css"))
        .send()
        .await?;
    assert_eq!(
        cache_control(&response),
        "public, max-age=3600",
        "static files"
    );
    Ok(())
}

#[tokio::test]
async fn malformed_addresses_and_forms_are_refused_in_chinese_not_library_text() -> TestResult {
    let app = TestApp::start_full().await?;
    let finance = app.signed_in("finance").await?;
    let token = app.token("finance").await?;
    let library_words = [
        "Invalid URL",
        "Failed to deserialize",
        "Cannot parse",
        "missing field",
    ];
    for (path, status, words) in [
        (
            "/projects/abc",
            StatusCode::BAD_REQUEST,
            "“abc”不是有效的编号",
        ),
        (
            "/evaluation?year=x",
            StatusCode::BAD_REQUEST,
            "查询参数“year”的值无效",
        ),
    ] {
        let (got, html) = finance.get(path).await?;
        assert_eq!(got, status, "{path}");
        assert!(html.contains(words), "{path}: {html}");
        assert!(
            library_words.iter().all(|w| !html.contains(w)),
            "{path}: {html}"
        );
    }
    let response = reqwest::Client::new()
        .get(app.url("/api/v1/projects/abc"))
        .bearer_auth(&token)
        .send()
        .await?;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = response.json().await?;
    assert_eq!(body["error"]["code"], "invalid_path", "{body}");

    let (_, html) = finance.get("/evaluation").await?;
    let csrf = csrf_of(&html).ok_or("csrf")?;
    let response = finance
        .post_raw(
            "/evaluation/propose",
            &[("_csrf", csrf.as_str()), ("year", "二〇二〇")],
        )
        .await?;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await?;
    assert!(html.contains("表单字段“year”缺失或取值无效"), "{html}");
    assert!(library_words.iter().all(|w| !html.contains(w)), "{html}");
    Ok(())
}
