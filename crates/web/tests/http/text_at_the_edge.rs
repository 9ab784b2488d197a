//! Control characters at the edge: a NUL (or any control character) in a JSON body, a form, a
//! query string or a path is refused with 422 naming the field, and nothing is stored; JSON of
//! the wrong shape is told in Chinese without serde's words.

use crate::support::{TestApp, TestResult, call, project_named};
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

/// Asserts the API's `invalid_text` refusal naming `field`.
fn assert_invalid_text(status: StatusCode, body: &Value, field: &str) {
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "invalid_text", "{body}");
    assert_eq!(body["error"]["details"][0]["field"], field, "{body}");
    let message = body["error"]["message"].as_str().unwrap_or("");
    assert!(
        message.contains(field) && (message.contains("控制字符") || message.contains("空字符")),
        "{message}"
    );
}

#[tokio::test]
async fn a_nul_in_a_payment_is_refused_naming_the_field_and_nothing_is_stored() -> TestResult {
    let app = TestApp::start_full().await?;
    let token = app.token("finance").await?;
    let id = project_named(&app, &token, 2019, "2019年扶贫专岗").await?;
    let (_, before) = call(&app, &token, Method::GET, "/api/v1/payments", None).await?;

    let payment = json!({"request_id": "NUL-1", "project_id": id, "amount_fen": 100,
        "payee": "乐陵\u{0}公司", "purpose": "测试"});
    let (status, body) = call(
        &app,
        &token,
        Method::POST,
        "/api/v1/payments",
        Some(payment),
    )
    .await?;
    assert_invalid_text(status, &body, "payee");

    let batch = json!({"items": [
        {"request_id": "NUL-2", "project_id": id, "amount_fen": 100, "payee": "好"},
        {"request_id": "NUL-3", "project_id": id, "amount_fen": 100, "purpose": "坏\u{1b}"},
    ]});
    let (status, body) = call(
        &app,
        &token,
        Method::POST,
        "/api/v1/payments/batch",
        Some(batch),
    )
    .await?;
    assert_invalid_text(status, &body, "items[1].purpose");

    // A control character in a field name is refused too.
    let odd = json!({"request_id": "NUL-4", "project_id": id, "amount_fen": 100, "x\u{0}": 1});
    let (status, body) = call(&app, &token, Method::POST, "/api/v1/payments", Some(odd)).await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    let (_, after) = call(&app, &token, Method::GET, "/api/v1/payments", None).await?;
    assert_eq!(after["total"], before["total"], "nothing stored");

    // Line breaks are text in a free-text field: accepted.
    let payment = json!({"request_id": "NUL-5", "project_id": id, "amount_fen": 100,
        "payee": "乐陵公司", "purpose": "第一行\n第二行"});
    let (status, body) = call(
        &app,
        &token,
        Method::POST,
        "/api/v1/payments",
        Some(payment),
    )
    .await?;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    Ok(())
}

#[tokio::test]
async fn a_nul_in_a_login_a_query_or_a_path_is_a_422_not_a_500() -> TestResult {
    let app = TestApp::start().await?;
    let client = Client::new();
    let response = client
        .post(app.url("/api/v1/session"))
        .json(&json!({"username": "finance\u{0}", "password": "x"}))
        .send()
        .await?;
    let status = response.status();
    assert_invalid_text(status, &response.json().await?, "username");

    let token = app.token("finance").await?;
    let (status, body) = call(&app, &token, Method::GET, "/api/v1/projects?q=%00", None).await?;
    assert_invalid_text(status, &body, "q");
    let (status, body) = call(
        &app,
        &token,
        Method::GET,
        "/api/v1/projects?year=2019&q=a%07b",
        None,
    )
    .await?;
    assert_invalid_text(status, &body, "q");
    let admin = app.token("admin").await?;
    let (status, body) = call(
        &app,
        &admin,
        Method::POST,
        "/api/v1/users/a%00b/disable",
        None,
    )
    .await?;
    assert_invalid_text(status, &body, "path");

    // Pages: the same refusal as a Chinese page.
    let browser = app.signed_in("finance").await?;
    let (status, html) = browser.get("/projects?q=%00").await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("“q”中含有不允许的空字符（NUL）"), "{html}");
    Ok(())
}

#[tokio::test]
async fn a_nul_in_a_page_form_is_refused_with_a_chinese_message_and_nothing_is_stored() -> TestResult
{
    let app = TestApp::start().await?;
    let admin = app.signed_in("admin").await?;
    let response = admin
        .submit(
            "/admin/agencies",
            "/admin/agencies",
            &[
                ("jurisdiction", "371481"),
                ("code", "188"),
                ("name", "新\u{0}单位"),
            ],
        )
        .await?;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await?;
    assert!(html.contains("“name”中含有不允许的空字符（NUL）"), "{html}");
    let agencies = app.db.store.agencies(&jixiao_core::Actor::system()).await?;
    assert!(!agencies.iter().any(|a| a.code == "188"), "nothing stored");

    // The login form too: refused before any lookup, and no failure is counted.
    let browser = app.browser()?;
    let response = browser.login("admin\u{0}", "x").await?;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response
            .text()
            .await?
            .contains("“username”中含有不允许的空字符")
    );
    Ok(())
}

#[tokio::test]
async fn json_of_the_wrong_shape_is_told_in_chinese_naming_the_field() -> TestResult {
    let app = TestApp::start().await?;
    let token = app.token("finance").await?;
    let batch = json!({"items": [{"request_id": "S-1", "project_id": 1, "amount_fen": "一百"}]});
    let (status, body) = call(
        &app,
        &token,
        Method::POST,
        "/api/v1/payments/batch",
        Some(batch),
    )
    .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["code"], "invalid_input");
    assert_eq!(body["error"]["details"][0]["field"], "items[0].amount_fen");
    assert_eq!(
        body["error"]["message"],
        "“items[0].amount_fen”的值不符合要求，应为整数"
    );
    let text = body.to_string();
    for serde_words in ["invalid type", "expected", "line ", "column"] {
        assert!(!text.contains(serde_words), "no serde text: {text}");
    }
    let (status, body) = call(
        &app,
        &token,
        Method::POST,
        "/api/v1/payments",
        Some(json!({"project_id": 1})),
    )
    .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["message"], "缺少必填字段“request_id”");
    Ok(())
}
