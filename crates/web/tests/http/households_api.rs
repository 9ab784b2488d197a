//! The assistance registry over the API as each of its roles: scope by area, helper and
//! jurisdiction (another village's household is "not found"), masked ID numbers everywhere, a
//! full number only on purpose and audited, and household records refused whole when wrong.

use crate::support::{TestApp, TestResult, call};
use jixiao_core::Actor;
use jixiao_store::AuditFilter;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn registry_app() -> Result<TestApp, Box<dyn std::error::Error>> {
    let app = TestApp::start().await?;
    jixiao_store::demo::registry::load(&app.db.store).await?;
    Ok(app)
}

async fn list(
    app: &TestApp,
    token: &str,
    query: &str,
) -> Result<Value, Box<dyn std::error::Error>> {
    let (status, body) = call(
        app,
        token,
        Method::GET,
        &format!("/api/v1/households{query}"),
        None,
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{body}");
    Ok(body)
}

async fn audited(
    app: &TestApp,
    action: &str,
    actor: &str,
) -> Result<usize, Box<dyn std::error::Error>> {
    let page = app
        .db
        .store
        .audit_log(
            &Actor::system(),
            &AuditFilter {
                actor: Some(actor.to_owned()),
                ..AuditFilter::default()
            },
            1,
            500,
        )
        .await?;
    Ok(page.records.iter().filter(|r| r.action == action).count())
}

#[tokio::test]
async fn each_role_sees_its_own_households_with_masked_ids() -> TestResult {
    let app = registry_app().await?;
    let mut totals = Vec::new();
    for user in ["cun", "xiang", "bangfu", "minzheng", "bangfuren"] {
        let token = app.token(user).await?;
        let body = list(&app, &token, "?per_page=200").await?;
        totals.push((user, body["total"].as_i64().unwrap_or(-1)));
        for line in body["households"].as_array().ok_or("no households")? {
            let id = line["head_id_masked"].as_str().ok_or("no id")?;
            assert_eq!(id.chars().count(), 18, "{id}");
            assert_eq!(&id[6..14], "********", "digits 7–14 are hidden: {id}");
        }
    }
    assert_eq!(
        totals,
        vec![
            ("cun", 3),
            ("xiang", 15),
            ("bangfu", 225),
            ("minzheng", 225),
            ("bangfuren", 15)
        ]
    );
    // A page far past the end is empty, not an overflow.
    let body = list(
        &app,
        &app.token("bangfu").await?,
        "?page=9223372036854775807",
    )
    .await?;
    assert_eq!(body["households"].as_array().map(Vec::len), Some(0));
    let office = app.token("bangfu").await?;
    // An area is a code, not a pattern.
    let (status, body) = call(
        &app,
        &office,
        Method::GET,
        "/api/v1/households?area=%25",
        None,
    )
    .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    // A township filter within the county office's scope.
    let body = list(&app, &office, "?area=371481108").await?;
    assert_eq!(body["total"], 15);
    // The budget side has no door here.
    let finance = app.token("finance").await?;
    let (status, body) = call(&app, &finance, Method::GET, "/api/v1/households", None).await?;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "forbidden");
    Ok(())
}

#[tokio::test]
async fn a_village_cadre_reaches_only_its_village_and_shows_ids_on_purpose() -> TestResult {
    let app = registry_app().await?;
    let cun = app.token("cun").await?;
    let office = app.token("bangfu").await?;
    let own = list(&app, &cun, "").await?;
    let own_id = own["households"][0]["id"].as_i64().ok_or("no household")?;
    // Another village of the same township.
    let other = list(&app, &office, "?area=371481108202").await?;
    let other_id = other["households"][0]["id"]
        .as_i64()
        .ok_or("no household")?;

    let (status, file) = call(
        &app,
        &cun,
        Method::GET,
        &format!("/api/v1/households/{own_id}"),
        None,
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{file}");
    assert_eq!(audited(&app, "household.read", "cun").await?, 1);
    let person = file["people"][0]["id"].as_i64().ok_or("no person")?;
    let masked = file["people"][0]["id_number_masked"]
        .as_str()
        .ok_or("no id")?
        .to_owned();
    assert!(masked.contains("********"), "{masked}");
    assert!(!file.to_string().contains(&masked.replace('*', "")) || masked.len() == 18);

    let (status, body) = call(
        &app,
        &cun,
        Method::GET,
        &format!("/api/v1/households/{other_id}"),
        None,
    )
    .await?;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (other_file_status, other_file) = call(
        &app,
        &office,
        Method::GET,
        &format!("/api/v1/households/{other_id}"),
        None,
    )
    .await?;
    assert_eq!(other_file_status, StatusCode::OK);
    let stranger = other_file["people"][0]["id"].as_i64().ok_or("no person")?;
    let (status, _) = call(
        &app,
        &cun,
        Method::POST,
        &format!("/api/v1/people/{stranger}/id-number"),
        None,
    )
    .await?;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, shown) = call(
        &app,
        &cun,
        Method::POST,
        &format!("/api/v1/people/{person}/id-number"),
        None,
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{shown}");
    let full = shown["id_number"].as_str().ok_or("no number")?;
    assert_eq!(full.len(), 18);
    assert!(!full.contains('*'));
    assert_eq!(&full[..4], &masked[..4]);
    assert_eq!(audited(&app, "person.show_id_number", "cun").await?, 1);

    // A sector reads, but never sees a full number.
    let sector = app.token("minzheng").await?;
    let (status, _) = call(
        &app,
        &sector,
        Method::POST,
        &format!("/api/v1/people/{person}/id-number"),
        None,
    )
    .await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    Ok(())
}

fn household(village: &str, number: &str, members: Value) -> Value {
    json!({"village_code": village, "number": number, "household_type": "formerly_poor",
           "members": members})
}

#[tokio::test]
async fn a_household_is_recorded_whole_or_refused_with_every_reason() -> TestResult {
    let app = registry_app().await?;
    let cun = app.token("cun").await?;
    let own_village = jixiao_store::demo::registry::village_code("101", 1);
    // 37148119800101001 + check digit: computed by the core.
    let body = "37148119800101001";
    let check = jixiao_core::assistance::id_number::check_character(body).ok_or("check")?;
    let good = format!("{body}{check}");
    let bad_check = format!("{body}{}", if check == '0' { '1' } else { '0' });
    let head = |id: &str, relation: &str| {
        json!({"number": "01", "id_type": "resident_id", "id_number": id, "name": "测试户主",
               "relation": relation, "sex": "male", "birth_date": "1980-01-01"})
    };

    // Another village: not this cadre's to record.
    let (status, answer) = call(
        &app,
        &cun,
        Method::POST,
        "/api/v1/households",
        Some(household(
            &jixiao_store::demo::registry::village_code("101", 2),
            "T-1",
            json!([head(&good, "householder")]),
        )),
    )
    .await?;
    assert_eq!(status, StatusCode::NOT_FOUND, "{answer}");

    // A wrong check digit, a birth date the number does not carry, and no head: all reported.
    let wrong = json!([head(&bad_check, "spouse"),
        {"number": "02", "id_type": "resident_id", "id_number": good, "name": "测试",
         "relation": "son", "sex": "male", "birth_date": "1981-01-01"}]);
    let (status, answer) = call(
        &app,
        &cun,
        Method::POST,
        "/api/v1/households",
        Some(household(&own_village, "T-1", wrong)),
    )
    .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    let text = answer.to_string();
    assert!(
        text.contains("校验") && text.contains("出生日期") && text.contains("户主"),
        "{text}"
    );

    let (status, answer) = call(
        &app,
        &cun,
        Method::POST,
        "/api/v1/households",
        Some(household(
            &own_village,
            "T-1",
            json!([head(&good, "householder")]),
        )),
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(
        answer["people"][0]["id_number_masked"]
            .as_str()
            .map(|s| s.contains("********")),
        Some(true)
    );
    // The same person cannot live in a second household.
    let (status, answer) = call(
        &app,
        &cun,
        Method::POST,
        "/api/v1/households",
        Some(household(
            &own_village,
            "T-2",
            json!([head(&good, "householder")]),
        )),
    )
    .await?;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    assert_eq!(answer["error"]["code"], "duplicate");
    assert!(
        !answer.to_string().contains(&good),
        "the full number is never echoed"
    );
    // Nothing of the refused household was stored.
    assert_eq!(list(&app, &cun, "").await?["total"], 4);
    Ok(())
}

#[tokio::test]
async fn ten_simultaneous_records_of_one_person_store_one_household() -> TestResult {
    let app = registry_app().await?;
    let cun = app.token("cun").await?;
    let village = jixiao_store::demo::registry::village_code("101", 1);
    let body = "37148119800101001";
    let check = jixiao_core::assistance::id_number::check_character(body).ok_or("check")?;
    let id = format!("{body}{check}");
    let mut tasks = Vec::new();
    for i in 0..10 {
        let (base, token) = (app.base.clone(), cun.clone());
        let request = household(
            &village,
            &format!("RACE-{i}"),
            json!([{"number": "01", "id_type": "resident_id", "id_number": id, "name": "并发",
                    "relation": "householder", "sex": "male", "birth_date": "1980-01-01"}]),
        );
        tasks.push(tokio::spawn(async move {
            reqwest::Client::new()
                .post(format!("{base}/api/v1/households"))
                .bearer_auth(token)
                .json(&request)
                .send()
                .await
                .map(|r| r.status())
        }));
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await??);
    }
    let won = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::CONFLICT)
        .count();
    assert_eq!((won, refused), (1, 9), "{statuses:?}");
    assert_eq!(list(&app, &cun, "").await?["total"], 4);
    Ok(())
}
