//! The audit log as the administrator reads it: on every page of `/admin/audit`, every row names
//! its action and the kind of thing it changed in Chinese — never by a code such as
//! `treasury.payment` or `monitoring_report`.

use crate::support::{TestApp, TestResult, call};
use jixiao_store::demo::DEMO_PASSWORD;
use reqwest::{Client, Method, StatusCode};
use serde_json::json;
use std::collections::BTreeSet;

/// The cells of each row of the log's table, as text.
fn rows(html: &str) -> Vec<Vec<String>> {
    let Some(body) = html
        .split("<tbody>")
        .nth(1)
        .and_then(|b| b.split("</tbody>").next())
    else {
        return Vec::new();
    };
    body.split("<tr>")
        .skip(1)
        .map(|row| {
            row.split("<td")
                .skip(1)
                .map(|cell| {
                    let start = cell.find('>').map_or(0, |i| i + 1);
                    let end = cell.find("</td>").unwrap_or(cell.len());
                    cell[start..end].trim().to_owned()
                })
                .collect()
        })
        .collect()
}

/// Whether `text` is a code (ASCII lowercase, `_` and `.`) rather than a name users read.
fn is_code(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'.')
}

/// The number of pages the log page says it has (`第 1 / N 页`).
fn pages(html: &str) -> Result<i64, Box<dyn std::error::Error>> {
    let after = html.split("第 1 / ").nth(1).ok_or("no page count")?;
    Ok(after.split(' ').next().ok_or("no page count")?.parse()?)
}

#[tokio::test]
async fn every_row_of_every_page_names_its_action_and_object_in_chinese() -> TestResult {
    let app = TestApp::start_full().await?;
    // A few records the demo does not write: a failed login, a password changed (and one
    // refused), a change required, a password reset, a logout.
    let response = Client::new()
        .post(app.url("/api/v1/session"))
        .json(&json!({"username": "finance", "password": "wrong-password"}))
        .send()
        .await?;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let agency = app.token("agency").await?;
    for (current, expected) in [
        ("wrong-password", StatusCode::UNPROCESSABLE_ENTITY),
        (DEMO_PASSWORD, StatusCode::NO_CONTENT),
    ] {
        let body = json!({"current_password": current, "new_password": "a-new-password-1"});
        let (status, _) = call(
            &app,
            &agency,
            Method::POST,
            "/api/v1/me/password",
            Some(body),
        )
        .await?;
        assert_eq!(status, expected);
    }
    let admin_token = app.token("admin").await?;
    for (path, body) in [
        ("/api/v1/users/canlian/require-password-change", None),
        (
            "/api/v1/users/viewer/password",
            Some(json!({"password": "set-by-admin-1"})),
        ),
    ] {
        let (status, _) = call(&app, &admin_token, Method::POST, path, body).await?;
        assert_eq!(status, StatusCode::NO_CONTENT, "{path}");
    }
    let (status, _) = call(&app, &agency, Method::DELETE, "/api/v1/session", None).await?;
    assert_eq!(status, StatusCode::NO_CONTENT);

    let admin = app.signed_in("admin").await?;
    let (status, first) = admin.get("/admin/audit").await?;
    assert_eq!(status, StatusCode::OK);
    let count = pages(&first)?;
    let (mut actions, mut entities, mut raw) = (BTreeSet::new(), BTreeSet::new(), Vec::new());
    let mut seen = 0;
    for page in 1..=count {
        let (status, html) = admin.get(&format!("/admin/audit?page={page}")).await?;
        assert_eq!(status, StatusCode::OK, "page {page}");
        for cells in rows(&html) {
            // 序号, 时间, 操作人, 操作, 对象 (kind and id), 区划, 详情
            let [seq, _, _, action, object, ..] = cells.as_slice() else {
                return Err(format!("page {page}: a row of {} cells", cells.len()).into());
            };
            let kind = object.split(' ').next().unwrap_or_default();
            if is_code(action) || is_code(kind) {
                raw.push(format!("page {page}, record {seq}: {action} / {object}"));
            }
            actions.insert(action.clone());
            entities.insert(kind.to_owned());
            seen += 1;
        }
    }
    assert!(
        raw.is_empty(),
        "rows showing codes instead of names:\n{raw:#?}"
    );
    // The walk saw the whole log and many kinds of record, including the ones added here.
    let (_, api) = call(&app, &admin_token, Method::GET, "/api/v1/audit", None).await?;
    assert_eq!(
        Some(seen),
        api["total"].as_i64(),
        "every record was on some page"
    );
    assert!(
        actions.len() >= 40,
        "only {} actions: {actions:?}",
        actions.len()
    );
    for name in [
        "登录失败",
        "修改密码",
        "修改密码失败（当前密码错误）",
        "要求下次登录修改密码",
        "重置密码",
        "退出登录",
    ] {
        assert!(actions.contains(name), "{name} not in {actions:?}");
    }
    assert!(entities.len() >= 10, "{entities:?}");
    Ok(())
}
