//! The programmes' pages as the village uses them (decision 0045): the demo's posts, children,
//! courtyard round and screening campaign are listed; a holder of 15 entered on the post's page
//! is refused in Chinese and nothing is stored; an activity is recorded from the child's page; a
//! department is kept out.

use crate::support::{TestApp, call};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn the_programme_pages_of_a_village() -> Result<(), Box<dyn std::error::Error>> {
    let app = TestApp::start_full().await?;
    let cadre = app.signed_in("cun").await?;
    let sector = app.signed_in("minzheng").await?;
    let token = app.token("cun").await?;
    let (status, _) = sector.get("/posts").await?;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, page) = cadre.get("/posts").await?;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("村级保洁员") && page.contains("公岗扶贫"),
        "{page}"
    );
    assert!(page.contains("帮扶项目台账"), "the menu leads here");
    let (status, page) = cadre.get("/courtyards").await?;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("2020年第二季度洁净庭院评比"), "{page}");
    let (status, page) = cadre.get("/screening-campaigns").await?;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("2020年脱贫户免费健康查体"), "{page}");
    let (status, page) = cadre.get("/children?from=2020-06-01&to=2020-06-30").await?;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("杨安镇中心小学") && page.contains("专题课"),
        "{page}"
    );

    // A post of the village's own and a household with a son of 15.
    let village = jixiao_store::demo::registry::village_code("101", 1);
    let (_, posts) = call(&app, &token, Method::GET, "/api/v1/posts", None).await?;
    let post = posts
        .as_array()
        .and_then(|l| l.iter().find(|p| p["area_code"] == village.as_str()))
        .and_then(|p| p["id"].as_i64())
        .ok_or(format!("a post of the village: {posts}"))?;
    let id = |body: &str| -> Result<String, Box<dyn std::error::Error>> {
        let check = jixiao_core::assistance::id_number::check_character(body).ok_or("check")?;
        Ok(format!("{body}{check}"))
    };
    let (status, household) = call(
        &app,
        &token,
        Method::POST,
        "/api/v1/households",
        Some(json!({"village_code": village, "number": "PAGE-1",
            "household_type": "formerly_poor", "members": [
            {"number": "01", "id_type": "resident_id", "id_number": id("37148119790505006")?,
             "name": "页面户主", "relation": "householder", "sex": "female",
             "birth_date": "1979-05-05"},
            {"number": "02", "id_type": "resident_id", "id_number": id("37148120050101007")?,
             "name": "页面少年", "relation": "son", "sex": "male", "birth_date": "2005-01-01"}]})),
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{household}");
    let son = household["people"]
        .as_array()
        .and_then(|p| p.iter().find(|p| p["name"] == "页面少年"))
        .and_then(|p| p["id"].as_i64())
        .ok_or("the son")?
        .to_string();
    let page = format!("/posts/{post}");
    let response = cadre
        .submit(
            &page,
            &format!("/posts/{post}/holders"),
            &[
                ("person_id", son.as_str()),
                ("from_on", "2019-06-01"),
                ("to_on", "2019-12-31"),
            ],
        )
        .await?;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await?;
    assert!(
        html.contains("14周岁") && html.contains("16至70周岁"),
        "{html}"
    );
    let (_, shown) = cadre.get(&page).await?;
    assert!(!shown.contains("页面少年"), "nothing stored");

    // An activity from the child's page.
    let (_, children) = call(&app, &token, Method::GET, "/api/v1/children", None).await?;
    let child = children[0]["id"].as_i64().ok_or("a child")?;
    let page = format!("/children/{child}");
    let response = cadre
        .submit(
            &page,
            &format!("/children/{child}/activities"),
            &[
                ("kind", "home_visit"),
                ("on_day", "2020-08-20"),
                ("note", "入户家访，了解学习情况"),
            ],
        )
        .await?;
    assert!(response.status().is_success() || response.status().is_redirection());
    let (_, shown) = cadre.get(&page).await?;
    assert!(shown.contains("入户家访，了解学习情况"), "{shown}");
    Ok(())
}
