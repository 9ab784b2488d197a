//! Dynamic monitoring's pages as each role uses them: the county office screens from the clues
//! page (the township may not), the village opens a case from the clue and verifies it, the
//! township compares; a step the role may not take is refused; the case page shows the pipeline
//! and the plan, the work list marks the cases, and the printed notice carries no ID number.

use crate::support::TestApp;
use reqwest::StatusCode;

#[tokio::test]
async fn the_clue_and_case_pages_by_role() -> Result<(), Box<dyn std::error::Error>> {
    let app = TestApp::start_full().await?;
    let office = app.signed_in("bangfu").await?;
    let cadre = app.signed_in("cun").await?;
    let town = app.signed_in("xiang").await?;
    let helper = app.signed_in("bangfuren").await?;
    let store = &app.db.store;
    let system = jixiao_core::Actor::system();
    let village = store.user(&system, "cun").await?.actor();
    let (own, _) = store.households(&village, None, 1, 1).await?;
    let household = own.first().ok_or("a household")?.id;
    store
        .record_household_income(
            &village,
            household,
            2020,
            &jixiao_core::assistance::registry::IncomeRecord {
                wage: 500_000,
                ..Default::default()
            },
        )
        .await?;

    let response = town
        .submit("/clues", "/screenings", &[("year", "2020")])
        .await?;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let response = office
        .submit(
            "/clues",
            "/screenings",
            &[("township", ""), ("year", "2020")],
        )
        .await?;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.text().await?.contains("新增线索1条"));

    let (status, page) = cadre.get("/clues").await?;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("人均纯收入低于监测范围"), "{page}");
    let marker = "action=\"/clues/";
    let start = page.find(marker).ok_or("an open clue's form")? + marker.len();
    let clue = &page[start..start + page[start..].find('/').ok_or("clue id")?];
    let response = cadre
        .submit(
            "/clues",
            &format!("/clues/{clue}/case"),
            &[
                ("case_type", "marginal"),
                ("risk", "illness"),
                ("risk", "accident"),
            ],
        )
        .await?;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let case = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .ok_or("the case's address")?
        .to_owned();
    let (status, page) = cadre.get(&case).await?;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("待入户核实") && page.contains("一户一策帮扶计划"));
    assert!(page.contains("因病、因意外事故"));
    let response = cadre
        .submit(
            &case,
            &format!("{case}/steps"),
            &[("action", "verify"), ("version", "1")],
        )
        .await?;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    // The village may not compare: the page shows it no such step, and a forged post is refused.
    let (_, page) = cadre.get(&case).await?;
    assert!(!page.contains("value=\"compare\""));
    let response = cadre
        .submit(
            &case,
            &format!("{case}/steps"),
            &[("action", "compare"), ("version", "2")],
        )
        .await?;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let response = town
        .submit(
            &case,
            &format!("{case}/steps"),
            &[("action", "compare"), ("version", "2")],
        )
        .await?;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    // A short notice is refused on the page with the rulebook's days.
    let today = jixiao_store::demo::BUSINESS_DATE;
    let to = (today + chrono::Days::new(1)).to_string();
    let response = cadre
        .submit(
            &case,
            &format!("{case}/steps"),
            &[
                ("action", "publicise"),
                ("version", "3"),
                ("notice_from", &today.to_string()),
                ("notice_to", &to),
            ],
        )
        .await?;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await?.contains("少于规则规定的5天"));
    let to = (today + chrono::Days::new(6)).to_string();
    let response = cadre
        .submit(
            &case,
            &format!("{case}/steps"),
            &[
                ("action", "publicise"),
                ("version", "3"),
                ("notice_from", &today.to_string()),
                ("notice_to", &to),
            ],
        )
        .await?;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (status, notice) = town.get(&format!("{case}/notice")).await?;
    assert_eq!(status, StatusCode::OK);
    assert!(
        notice.contains("公示") && !notice.contains("371481"),
        "no ID number"
    );

    // A plan with one measure from the page.
    let response = cadre
        .submit(
            &case,
            &format!("{case}/plan"),
            &[
                ("version", "0"),
                ("kind_0", "health"),
                ("description_0", "家庭医生签约"),
                ("unit_0", "镇卫生院"),
                ("start_0", "2021-01-01"),
                ("end_0", "2021-12-31"),
                ("amount_0", "1,200.50"),
                ("status_0", "planned"),
            ],
        )
        .await?;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, page) = cadre.get(&case).await?;
    assert!(
        page.contains("1,200.50") && page.contains("第1版"),
        "{page}"
    );

    // The work lists: the township's and the county's show the case; the helper's is empty of
    // forms.
    for browser in [&town, &office] {
        let (status, page) = browser.get("/risk-cases").await?;
        assert_eq!(status, StatusCode::OK);
        assert!(
            page.contains("监测帮扶工作台") && page.contains("公示中"),
            "{page}"
        );
    }
    let (status, page) = helper.get("/clues").await?;
    assert_eq!(status, StatusCode::OK);
    assert!(!page.contains("开始筛查") && !page.contains("登记线索"));
    Ok(())
}
