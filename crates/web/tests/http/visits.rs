//! Visits (走访) over the API as a helper uses them: a visit with a real PNG is stored with the
//! content's SHA-256 and read back; a wrong type, an oversize file, too many files, a NUL in a
//! field, an unknown or unassigned household are refused with nothing stored; roles without the
//! capability are refused; the month's compliance lists the helper behind schedule; a problem
//! becomes a rectification item due within the rulebook's days and is closed with a note.

use crate::support::{TestApp, TestResult, call};
use reqwest::multipart::{Form, Part};
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

/// A real 2×2 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02, 0x08, 0x02, 0x00, 0x00, 0x00, 0xfd, 0xd4, 0x9a,
    0x73, 0x00, 0x00, 0x00, 0x10, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xc0,
    0x00, 0xc2, 0x10, 0x02, 0x00, 0x1c, 0xf2, 0x02, 0xfe, 0x74, 0x7a, 0x0a, 0x17, 0x00, 0x00, 0x00,
    0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

/// Its SHA-256.
const PNG_SHA256: &str = "f64a90040e6f3bd98147f1daae98d79db34137c0944c7350ee148a795438c868";

/// Posts a visit as a multipart form: the JSON and each file as an `evidence` part.
async fn post_visit(
    app: &TestApp,
    token: &str,
    visit: &Value,
    files: &[(&str, Vec<u8>)],
) -> Result<(StatusCode, Value), reqwest::Error> {
    let mut form = Form::new().text("visit", visit.to_string());
    for (name, content) in files {
        form = form.part(
            "evidence",
            Part::bytes(content.clone()).file_name((*name).to_owned()),
        );
    }
    let response = Client::new()
        .post(app.url("/api/v1/visits"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await?;
    let status = response.status();
    Ok((status, response.json().await.unwrap_or(Value::Null)))
}

fn error_code(body: &Value) -> String {
    body["error"]["details"][0]["code"]
        .as_str()
        .or_else(|| body["error"]["code"].as_str())
        .unwrap_or("")
        .to_owned()
}

#[tokio::test]
async fn a_helper_records_visits_with_evidence_and_problems_are_rectified() -> TestResult {
    let app = TestApp::start_full().await?;
    let helper = app.token("bangfuren").await?;
    let office = app.token("bangfu").await?;
    let sector = app.token("minzheng").await?;
    let cadre = app.token("cun").await?;
    let (_, own) = call(
        &app,
        &helper,
        Method::GET,
        "/api/v1/households?per_page=3",
        None,
    )
    .await?;
    let household = own["households"]
        .as_array()
        .and_then(|l| l.iter().find(|h| h["household_type"] == "formerly_poor"))
        .and_then(|h| h["id"].as_i64())
        .ok_or(format!("a 脱贫户 of the helper: {own}"))?;
    let (_, all) = call(
        &app,
        &office,
        Method::GET,
        "/api/v1/households?per_page=500",
        None,
    )
    .await?;
    let mine: Vec<i64> = own["households"]
        .as_array()
        .map(|l| l.iter().filter_map(|h| h["id"].as_i64()).collect())
        .unwrap_or_default();
    let (_, helper_all) = call(
        &app,
        &helper,
        Method::GET,
        "/api/v1/households?per_page=500",
        None,
    )
    .await?;
    let helper_ids: Vec<i64> = helper_all["households"]
        .as_array()
        .map(|l| l.iter().filter_map(|h| h["id"].as_i64()).collect())
        .unwrap_or_default();
    assert!(mine.iter().all(|id| helper_ids.contains(id)));
    let not_assigned = all["households"]
        .as_array()
        .and_then(|l| {
            l.iter()
                .filter_map(|h| h["id"].as_i64())
                .find(|id| !helper_ids.contains(id))
        })
        .ok_or("a household not assigned to the helper")?;

    let visit = json!({
        "household_id": household,
        "visited_on": "2020-07-20",
        "people_met": "户主及其配偶",
        "problems": [{"class": "housing", "description": "西屋屋顶漏雨"}],
        "actions": "已联系村委会安排维修",
    });

    // What the demo holds already (a few visits of August 2020).
    let (_, before) = call(&app, &office, Method::GET, "/api/v1/visits", None).await?;
    let visits_before = before.as_array().map(Vec::len).ok_or("visits")?;
    let (_, before) = call(
        &app,
        &office,
        Method::GET,
        "/api/v1/visit-rectifications",
        None,
    )
    .await?;
    let items_before = before.as_array().map(Vec::len).ok_or("items")?;

    // Refusals first: nothing may be stored by any of them.
    let (status, body) = post_visit(
        &app,
        &helper,
        &visit,
        &[("photo.png", b"this is text, not a photo".to_vec())],
    )
    .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_code(&body), "wrong_file_type", "{body}");
    assert!(
        body["error"]["details"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("photo.png") && m.contains("未保存")),
        "{body}"
    );
    // One good file and one bad refuse the whole visit.
    let (status, body) = post_visit(
        &app,
        &helper,
        &visit,
        &[
            ("good.png", PNG.to_vec()),
            ("clip.gif", b"GIF89a\x01\x00\x01\x00".to_vec()),
        ],
    )
    .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_code(&body), "wrong_file_type");
    let mut big = PNG.to_vec();
    big.resize(10 * 1024 * 1024 + 1, 0);
    let (status, body) = post_visit(&app, &helper, &visit, &[("big.png", big)]).await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_code(&body), "file_too_large", "{body}");
    let ten: Vec<(&str, Vec<u8>)> = (0..10).map(|_| ("p.png", PNG.to_vec())).collect();
    let (status, body) = post_visit(&app, &helper, &visit, &ten).await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_code(&body), "too_many_files", "{body}");
    let mut nul = visit.clone();
    nul["people_met"] = json!("户主\u{0}");
    let (status, body) = post_visit(&app, &helper, &nul, &[("a.png", PNG.to_vec())]).await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_code(&body), "invalid_text", "{body}");
    let mut unknown_class = visit.clone();
    unknown_class["problems"][0]["class"] = json!("weather");
    let (status, body) = post_visit(&app, &helper, &unknown_class, &[]).await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_code(&body), "unknown_class", "{body}");
    for other in [999_999_999, not_assigned] {
        let mut elsewhere = visit.clone();
        elsewhere["household_id"] = json!(other);
        let (status, body) =
            post_visit(&app, &helper, &elsewhere, &[("a.png", PNG.to_vec())]).await?;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("不存在"))
        );
    }
    // Roles without the capability: a department, the county office (reads, does not visit).
    for token in [&sector, &office] {
        let (status, body) = post_visit(&app, token, &visit, &[("a.png", PNG.to_vec())]).await?;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    }
    let (status, _) = call(&app, &sector, Method::GET, "/api/v1/visits", None).await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, none) = call(&app, &office, Method::GET, "/api/v1/visits", None).await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        none.as_array().map(Vec::len),
        Some(visits_before),
        "nothing stored: {none}"
    );
    let (_, open) = call(
        &app,
        &office,
        Method::GET,
        "/api/v1/visit-rectifications",
        None,
    )
    .await?;
    assert_eq!(open.as_array().map(Vec::len), Some(items_before), "{open}");

    // The visit with a real PNG (sent twice: stored once, linked twice).
    let (status, stored) = post_visit(
        &app,
        &helper,
        &visit,
        &[("IMG_0001.png", PNG.to_vec()), ("copy.png", PNG.to_vec())],
    )
    .await?;
    assert_eq!(status, StatusCode::CREATED, "{stored}");
    let id = stored["visit"]["id"].as_i64().ok_or("visit id")?;
    assert_eq!(stored["visit"]["household_id"], household);
    assert_eq!(stored["visit"]["visitor"], "bangfuren");
    assert_eq!(stored["evidence"][0]["sha256"], PNG_SHA256);
    assert_eq!(stored["evidence"][0]["media_type"], "image/png");
    assert_eq!(stored["evidence"][0]["size"], PNG.len());
    assert_eq!(stored["evidence"][0]["file_name"], "IMG_0001.png");
    assert_eq!(stored["evidence"][1]["sha256"], PNG_SHA256);
    assert_eq!(stored["problems"][0]["class_name"], "住房安全");
    let (status, read) = call(
        &app,
        &office,
        Method::GET,
        &format!("/api/v1/visits/{id}"),
        None,
    )
    .await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read, stored);
    let response = Client::new()
        .get(app.url(&format!("/api/v1/evidence/{PNG_SHA256}")))
        .bearer_auth(&helper)
        .send()
        .await?;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("image/png")
    );
    assert_eq!(response.bytes().await?.as_ref(), PNG);
    let (status, list) = call(
        &app,
        &helper,
        Method::GET,
        "/api/v1/visits?month=2020-07",
        None,
    )
    .await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");
    assert_eq!(list[0]["evidence"], 2);
    assert_eq!(list[0]["problems"], 1);
    let (status, _) = call(
        &app,
        &helper,
        Method::GET,
        "/api/v1/visits?month=2020-8",
        None,
    )
    .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // The problem became a rectification item, due 30 days after the visit (the rulebook).
    let item = stored["problems"][0]["rectification_id"]
        .as_i64()
        .ok_or("rectification id")?;
    let (_, open) = call(
        &app,
        &helper,
        Method::GET,
        "/api/v1/visit-rectifications?status=open",
        None,
    )
    .await?;
    let line = open
        .as_array()
        .and_then(|l| l.iter().find(|r| r["id"] == item))
        .ok_or(format!("the item: {open}"))?;
    assert_eq!(line["due_on"], "2020-08-19");
    assert_eq!(line["status"], "open");
    assert_eq!(line["class_name"], "住房安全");
    let (status, body) = call(
        &app,
        &helper,
        Method::POST,
        &format!("/api/v1/visit-rectifications/{item}/close"),
        Some(json!({"version": 1, "note": ""})),
    )
    .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, _) = call(
        &app,
        &office,
        Method::POST,
        &format!("/api/v1/visit-rectifications/{item}/close"),
        Some(json!({"version": 1, "note": "已维修"})),
    )
    .await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, closed) = call(
        &app,
        &helper,
        Method::POST,
        &format!("/api/v1/visit-rectifications/{item}/close"),
        Some(json!({"version": 1, "note": "村委会已组织维修屋顶，复查不再漏雨"})),
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{closed}");
    assert_eq!(closed["status"], "closed");
    assert_eq!(closed["closed_by"], "bangfuren");
    assert_eq!(closed["overdue"], false);
    let (status, body) = call(
        &app,
        &helper,
        Method::POST,
        &format!("/api/v1/visit-rectifications/{item}/close"),
        Some(json!({"version": 2, "note": "再次销号"})),
    )
    .await?;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");

    // Compliance of July 2020: one visit of the helper's many due — behind schedule.
    let (status, month) = call(
        &app,
        &office,
        Method::GET,
        "/api/v1/visits/compliance?month=2020-07",
        None,
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{month}");
    assert_eq!(month["total"]["visits_done"], 1);
    let helper_line = month["helpers"]
        .as_array()
        .and_then(|l| l.iter().find(|h| h["name"] == "帮扶责任人 吴国庆"))
        .ok_or(format!("the helper's line: {month}"))?;
    assert!(helper_line["households_behind"].as_u64() > Some(0));
    assert_eq!(helper_line["visits_done"], 1);
    assert!(helper_line["visits_due"].as_u64() >= Some(2 * mine.len() as u64));
    assert!(
        month["behind"]
            .as_array()
            .is_some_and(|l| l.iter().any(|h| h["helper_name"] == "帮扶责任人 吴国庆")),
        "{month}"
    );
    // The visited household is due two (a 脱贫户) and has one: still behind.
    assert!(
        month["behind"].as_array().is_some_and(|l| l
            .iter()
            .any(|h| h["household_id"] == household && h["done"] == 1)),
        "{month}"
    );
    let (status, body) = call(
        &app,
        &office,
        Method::GET,
        "/api/v1/visits/compliance?month=2020-13",
        None,
    )
    .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    // A village cadre sees its own village's compliance only.
    let (status, village) = call(
        &app,
        &cadre,
        Method::GET,
        "/api/v1/visits/compliance?month=2020-07",
        None,
    )
    .await?;
    assert_eq!(status, StatusCode::OK);
    assert!(
        village["villages"].as_array().is_some_and(|l| l.len() == 1),
        "{village}"
    );

    // The board by township carries the month of the business date (August 2020): its
    // townships sum to the compliance view's total, for the office and for the village.
    for (token, who) in [(&office, "office"), (&cadre, "village")] {
        let (status, august) = call(
            &app,
            token,
            Method::GET,
            "/api/v1/visits/compliance?month=2020-08",
            None,
        )
        .await?;
        assert_eq!(status, StatusCode::OK, "{august}");
        let (status, board) = call(
            &app,
            token,
            Method::GET,
            "/api/v1/risk-cases/by-township",
            None,
        )
        .await?;
        assert_eq!(status, StatusCode::OK, "{board}");
        let lines = board.as_array().ok_or("lines")?;
        let (total, townships) = lines.split_last().ok_or("total")?;
        for field in ["visits_due", "visits_done"] {
            assert_eq!(
                total[field], august["total"][field],
                "{who} {field}: {board}"
            );
            let summed: i64 = townships.iter().filter_map(|l| l[field].as_i64()).sum();
            assert_eq!(
                Some(summed),
                total[field].as_i64(),
                "{who} {field}: {board}"
            );
        }
        assert_eq!(
            total["visit_households_behind"], august["total"]["households_behind"],
            "{who}: {board}"
        );
        assert_eq!(total["visits_percent"], august["total"]["percent"], "{who}");
        assert!(total["visits_due"].as_i64() > Some(0), "{who}: {board}");
    }
    // A sector without visits sees the board without them.
    let (status, board) = call(
        &app,
        &sector,
        Method::GET,
        "/api/v1/risk-cases/by-township",
        None,
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{board}");
    let total = board.as_array().and_then(|l| l.last()).ok_or("total")?;
    assert_eq!(total["visits_due"], 0, "{board}");
    Ok(())
}

/// Posts the phone form of `/visits/new` as a browser would: the token, the fields and the files.
async fn post_page_form(
    browser: &crate::support::Browser,
    fields: &[(&str, String)],
    files: &[(&str, Vec<u8>)],
) -> Result<(StatusCode, String, String), Box<dyn std::error::Error>> {
    let (_, html) = browser.get("/visits/new").await?;
    let mut form = Form::new().text("_csrf", crate::support::csrf_of(&html).ok_or("csrf")?);
    for (name, value) in fields {
        form = form.text((*name).to_owned(), value.clone());
    }
    for (name, content) in files {
        form = form.part(
            "evidence",
            Part::bytes(content.clone()).file_name((*name).to_owned()),
        );
    }
    let response = browser
        .client
        .post(format!("{}/visits", browser.base))
        .multipart(form)
        .send()
        .await?;
    let status = response.status();
    let location = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    Ok((status, location, response.text().await?))
}

#[tokio::test]
async fn the_phone_form_records_a_visit_and_the_pages_show_it() -> TestResult {
    let app = TestApp::start_full().await?;
    let helper = app.signed_in("bangfuren").await?;
    let (status, html) = helper.get("/visits/new").await?;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains(r#"accept="image/*,video/mp4" capture multiple"#),
        "{html}"
    );
    assert!(html.contains("form class=\"phone\""));
    assert!(html.contains("住房安全"));
    let token = app.token("bangfuren").await?;
    let (_, own) = call(
        &app,
        &token,
        Method::GET,
        "/api/v1/households?per_page=1",
        None,
    )
    .await?;
    let household = own["households"][0]["id"].as_i64().ok_or("household")?;
    let fields = |people: &str| {
        vec![
            ("household_id", household.to_string()),
            ("visited_on", "2020-06-05".to_owned()),
            ("people_met", people.to_owned()),
            ("problem_class_1", "drinking_water".to_owned()),
            ("problem_text_1", "井水浑浊".to_owned()),
            ("problem_class_2", String::new()),
            ("problem_text_2", String::new()),
            ("actions", "报乡镇水利站".to_owned()),
        ]
    };
    // A text file passed off as a photo: the form again with the reason, nothing stored.
    let (status, _, page) = post_page_form(
        &helper,
        &fields("户主"),
        &[("photo.jpg", b"not a photo".to_vec())],
    )
    .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("photo.jpg") && page.contains("走访未保存"),
        "{page}"
    );
    let (status, location, _) =
        post_page_form(&helper, &fields("户主"), &[("IMG_1.png", PNG.to_vec())]).await?;
    assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
    assert!(location.starts_with("/visits/"));
    let (status, page) = helper.get(&location).await?;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("井水浑浊") && page.contains("饮水安全"),
        "{page}"
    );
    assert!(page.contains(&format!("/visits/evidence/{PNG_SHA256}")));
    let (status, page) = helper
        .get(&format!("/visits/evidence/{PNG_SHA256}"))
        .await?;
    assert_eq!(status, StatusCode::OK);
    assert!(!page.is_empty());
    let (status, page) = helper.get("/visits?month=2020-06").await?;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("2020-06-05"));
    let (status, page) = helper.get("/visits/compliance?month=2020-06").await?;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("帮扶责任人 吴国庆") && page.contains("未达标的户"),
        "{page}"
    );
    // The open item, overdue by now (its deadline was 2020-07-05), is highlighted and closed.
    let (status, page) = helper.get("/visit-rectifications").await?;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("井水浑浊") && page.contains("已逾期"),
        "{page}"
    );
    let item = page
        .split("action=\"/visit-rectifications/")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .ok_or("a close form")?
        .to_owned();
    let version = "1".to_owned();
    let response = helper
        .submit(
            "/visit-rectifications",
            &format!("/visit-rectifications/{item}/close"),
            &[("version", version.as_str()), ("note", "已更换净水设备")],
        )
        .await?;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    // The county office reads the pages but has no form to record a visit.
    let office = app.signed_in("bangfu").await?;
    let (status, page) = office.get("/visits").await?;
    assert_eq!(status, StatusCode::OK);
    assert!(!page.contains("/visits/new"));
    let (status, _) = office.get("/visits/new").await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    Ok(())
}
