//! The programmes of the seed over the API (decision 0045): a village sets up a 公益性岗位 post
//! charged to 2019年公岗扶贫, records an adult of its registry as holder and her months; a holder
//! aged 15 on the first day is refused with `holder_age` and nothing is stored; pay above the
//! post's and a month outside the holding are refused; another village's area and a department
//! user are kept out; the distinct holders charged to the project are what the indicator will read.

use crate::support::{TestApp, TestResult, call, project_named};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn codes(body: &Value) -> Vec<String> {
    body["error"]["details"]
        .as_array()
        .map(|d| {
            d.iter()
                .filter_map(|e| e["code"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn resident_id(body: &str) -> Result<String, Box<dyn std::error::Error>> {
    let check = jixiao_core::assistance::id_number::check_character(body).ok_or("check")?;
    Ok(format!("{body}{check}"))
}

#[tokio::test]
async fn posts_take_holders_of_age_and_their_months() -> TestResult {
    let app = TestApp::start_full().await?;
    let finance = app.token("finance").await?;
    let cadre = app.token("cun").await?;
    let sector = app.token("minzheng").await?;
    let project = project_named(&app, &finance, 2019, "2019年公岗扶贫").await?;
    let village = jixiao_store::demo::registry::village_code("101", 1);

    // A household of the village with a mother of 39 and a son of 15.
    let mother = json!({"number": "01", "id_type": "resident_id",
        "id_number": resident_id("37148119800101002")?, "name": "岗试母",
        "relation": "householder", "sex": "female", "birth_date": "1980-01-01"});
    let son = json!({"number": "02", "id_type": "resident_id",
        "id_number": resident_id("37148120040615003")?, "name": "岗试子",
        "relation": "son", "sex": "male", "birth_date": "2004-06-15"});
    let (status, household) = call(
        &app,
        &cadre,
        Method::POST,
        "/api/v1/households",
        Some(json!({"village_code": village, "number": "GANG-1",
            "household_type": "formerly_poor", "members": [mother, son]})),
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{household}");
    let person = |name: &str| {
        household["people"]
            .as_array()
            .and_then(|p| p.iter().find(|p| p["name"] == name))
            .and_then(|p| p["id"].as_i64())
            .ok_or(format!("{name} in {household}"))
    };
    let (mother, son) = (person("岗试母")?, person("岗试子")?);

    // The post.
    let post = json!({"name": "村级保洁员", "area_code": village, "monthly_pay_fen": 50_000,
        "project_id": project, "year": 2019});
    let (status, body) = call(
        &app,
        &sector,
        Method::POST,
        "/api/v1/posts",
        Some(post.clone()),
    )
    .await?;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let mut elsewhere = post.clone();
    elsewhere["area_code"] = json!(jixiao_store::demo::registry::village_code("101", 2));
    let (status, body) = call(&app, &cadre, Method::POST, "/api/v1/posts", Some(elsewhere)).await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(codes(&body), ["unknown_area"]);
    let (status, file) = call(&app, &cadre, Method::POST, "/api/v1/posts", Some(post)).await?;
    assert_eq!(status, StatusCode::CREATED, "{file}");
    let id = file["post"]["id"].as_i64().ok_or("post id")?;
    assert_eq!(file["post"]["project_id"], project);

    // A holder of 15 on the first day: refused, nothing stored.
    let holders = format!("/api/v1/posts/{id}/holders");
    let (status, body) = call(
        &app,
        &cadre,
        Method::POST,
        &holders,
        Some(json!({"person_id": son, "from_on": "2019-07-01", "to_on": "2019-12-31"})),
    )
    .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(codes(&body), ["holder_age"]);
    let message = body["error"]["details"][0]["message"]
        .as_str()
        .unwrap_or("");
    assert!(
        message.contains("15") && message.contains("16至70"),
        "{message}"
    );
    let (_, file) = call(
        &app,
        &cadre,
        Method::GET,
        &format!("/api/v1/posts/{id}"),
        None,
    )
    .await?;
    assert_eq!(file["holders"], json!([]), "nothing stored: {file}");

    let (status, file) = call(
        &app,
        &cadre,
        Method::POST,
        &holders,
        Some(json!({"person_id": mother, "from_on": "2019-03-01", "to_on": "2019-12-31"})),
    )
    .await?;
    assert_eq!(status, StatusCode::CREATED, "{file}");
    let holder = file["holders"][0]["id"].as_i64().ok_or("holder id")?;
    let (status, body) = call(
        &app,
        &cadre,
        Method::POST,
        &holders,
        Some(json!({"person_id": mother, "from_on": "2019-06-01", "to_on": "2019-06-30"})),
    )
    .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(codes(&body), ["already_holding"]);

    // Months: within the holding and not above the post's pay.
    let months = format!("/api/v1/posts/{id}/months");
    let (status, body) = call(
        &app,
        &cadre,
        Method::POST,
        &months,
        Some(
            json!({"holder_id": holder, "month": "2019-02", "days_worked": 20,
            "pay_fen": 60_000}),
        ),
    )
    .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(codes(&body), ["outside_holding", "pay_above_post"]);
    for pay in [40_000, 50_000] {
        let (status, file) = call(
            &app,
            &cadre,
            Method::POST,
            &months,
            Some(
                json!({"holder_id": holder, "month": "2019-03", "days_worked": 22,
                "pay_fen": pay}),
            ),
        )
        .await?;
        assert_eq!(status, StatusCode::OK, "{file}");
        assert_eq!(file["months"].as_array().map(Vec::len), Some(1), "{file}");
        assert_eq!(file["months"][0]["pay_fen"], pay);
    }

    // Listed for the village and the office; a department may not read them.
    let (status, list) = call(&app, &cadre, Method::GET, "/api/v1/posts?year=2019", None).await?;
    assert_eq!(status, StatusCode::OK);
    assert!(
        list.as_array()
            .is_some_and(|l| l.iter().any(|p| p["id"] == id && p["holders"] == 1)),
        "{list}"
    );
    let (status, _) = call(&app, &sector, Method::GET, "/api/v1/posts", None).await?;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // What the bound indicator will count: distinct people on posts charged to the project.
    let charged = app.db.store.post_holders_charged_to(project, 2019).await?;
    assert!(
        charged
            .iter()
            .any(|h| h.person_id == mother && h.post == "村级保洁员"),
        "{charged:?}"
    );
    assert!(charged.iter().all(|h| h.person_id != son));
    assert!(
        app.db
            .store
            .post_holders_charged_to(project, 2018)
            .await?
            .is_empty()
    );

    // An output indicator in people bound to the holders (decision 0046) reads that count, with
    // the holders listed by surname.
    let (_, file) = call(
        &app,
        &finance,
        Method::GET,
        &format!("/api/v1/projects/{project}"),
        None,
    )
    .await?;
    let row = file["target"]["indicators"]
        .as_array()
        .and_then(|rows| {
            rows.iter()
                .position(|r| r["level1"] == "产出指标" && r["unit"] == "人")
        })
        .ok_or(format!("an output indicator in 人: {file}"))?
        + 1;
    let (status, bound) = call(
        &app,
        &finance,
        Method::POST,
        &format!("/api/v1/projects/{project}/indicator-bindings"),
        Some(json!({"row_no": row, "measure": "post_holders"})),
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{bound}");
    let binding = &bound["bindings"][0];
    assert_eq!(binding["value"], charged.len(), "{bound}");
    assert_eq!(binding["unit"], "人");
    let (status, records) = call(
        &app,
        &finance,
        Method::GET,
        binding["records"].as_str().ok_or("records")?,
        None,
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{records}");
    assert!(
        records["records"].as_array().is_some_and(|l| l
            .iter()
            .any(|r| r["name"] == "岗**" && r["place"] == "村级保洁员")),
        "{records}"
    );
    Ok(())
}

#[tokio::test]
async fn childrens_activities_are_measured_against_12345() -> TestResult {
    let app = TestApp::start_full().await?;
    let cadre = app.token("cun").await?;
    let sector = app.token("minzheng").await?;
    let village = jixiao_store::demo::registry::village_code("101", 1);
    let school = "接口测试小学";
    let (status, _) = call(
        &app,
        &sector,
        Method::POST,
        "/api/v1/children",
        Some(
            json!({"village_code": village, "name": "某", "birth_date": "2012-01-01",
            "school": school, "guardian_name": "某"}),
        ),
    )
    .await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // One child recorded by name, one from the registry (a grandchild of the village).
    let (status, a) = call(
        &app,
        &cadre,
        Method::POST,
        "/api/v1/children",
        Some(
            json!({"village_code": village, "name": "关爱甲", "birth_date": "2012-03-04",
            "school": school, "guardian_name": "关爱祖母", "guardian_relation": "祖母",
            "guardian_age": 66, "parents_workplace": "青岛", "parents_phone": "13900000000"}),
        ),
    )
    .await?;
    assert_eq!(status, StatusCode::CREATED, "{a}");
    let a = a["child"]["id"].as_i64().ok_or("child a")?;
    // The demo's grandchild of the village already has a file: one file per child.
    let (_, own) = call(
        &app,
        &cadre,
        Method::GET,
        "/api/v1/households?per_page=1",
        None,
    )
    .await?;
    let household = own["households"][0]["id"].as_i64().ok_or("a household")?;
    let (_, file) = call(
        &app,
        &cadre,
        Method::GET,
        &format!("/api/v1/households/{household}"),
        None,
    )
    .await?;
    let on_file = file["people"]
        .as_array()
        .and_then(|p| {
            p.iter()
                .find(|p| p["relation"] == "grandson" || p["relation"] == "granddaughter")
        })
        .ok_or(format!("a grandchild: {file}"))?;
    let (status, body) = call(
        &app,
        &cadre,
        Method::POST,
        "/api/v1/children",
        Some(json!({"village_code": village, "person_id": on_file["id"],
            "school": school, "guardian_name": "关爱祖父"})),
    )
    .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(codes(&body), ["already_on_file"]);
    // A child of a household recorded now: the file takes the registry's name and birth date.
    let head = json!({"number": "01", "id_type": "resident_id",
        "id_number": resident_id("37148119850302004")?, "name": "关爱户主",
        "relation": "householder", "sex": "female", "birth_date": "1985-03-02"});
    let child = json!({"number": "02", "id_type": "resident_id",
        "id_number": resident_id("37148120120901005")?, "name": "关爱乙",
        "relation": "son", "sex": "male", "birth_date": "2012-09-01"});
    let (status, household) = call(
        &app,
        &cadre,
        Method::POST,
        "/api/v1/households",
        Some(json!({"village_code": village, "number": "GUANAI-1",
            "household_type": "formerly_poor", "members": [head, child]})),
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{household}");
    let person = household["people"]
        .as_array()
        .and_then(|p| p.iter().find(|p| p["name"] == "关爱乙"))
        .ok_or("关爱乙")?;
    let (status, b) = call(
        &app,
        &cadre,
        Method::POST,
        "/api/v1/children",
        Some(json!({"village_code": village, "person_id": person["id"],
            "school": school, "guardian_name": "关爱户主"})),
    )
    .await?;
    assert_eq!(status, StatusCode::CREATED, "{b}");
    assert_eq!(b["child"]["name"], "关爱乙");
    assert_eq!(b["child"]["birth_date"], "2012-09-01");
    let b = b["child"]["id"].as_i64().ok_or("child b")?;

    let record = |child: i64, kind: &'static str, on: String| {
        let app = &app;
        let cadre = &cadre;
        async move {
            call(
                app,
                cadre,
                Method::POST,
                &format!("/api/v1/children/{child}/activities"),
                Some(json!({"kind": kind, "on_day": on, "note": "电话联系"})),
            )
            .await
        }
    };
    let (status, body) = record(a, "chat", "2020-02-03".to_owned()).await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(codes(&body), ["unknown_kind"]);
    let (status, body) = record(a, "contact", "2999-01-01".to_owned()).await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(codes(&body), ["future_date"]);
    // The week of 3–9 February 2020 owes 7 contacts and 2 special classes: A has them, B one
    // contact.
    for d in 3..=9 {
        let (status, body) = record(a, "contact", format!("2020-02-{d:02}")).await?;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    for d in [4, 6] {
        record(a, "special_class", format!("2020-02-{d:02}")).await?;
    }
    record(b, "contact", "2020-02-03".to_owned()).await?;
    for m in [2, 4, 6, 8] {
        record(a, "home_visit", format!("2020-{m:02}-10")).await?;
    }
    let (status, view) = call(
        &app,
        &cadre,
        Method::GET,
        "/api/v1/children/compliance?from=2020-02-03&to=2020-02-09",
        None,
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{view}");
    let listed = view["children"].as_array().ok_or("children")?;
    let at = |id: i64| listed.iter().position(|c| c["child_id"] == id);
    let (pa, pb) = (at(a).ok_or("a listed")?, at(b).ok_or("b listed")?);
    assert!(pb < pa, "the child behind first: {view}");
    assert_eq!(listed[pb]["compliant"], false);
    assert_eq!(listed[pa]["compliant"], true, "{view}");
    let contact = &listed[pa]["kinds"][0];
    assert_eq!(
        (contact["owed"].as_i64(), contact["done"].as_i64()),
        (Some(7), Some(7))
    );
    let schools = view["schools"].as_array().ok_or("schools")?;
    assert!(
        schools
            .iter()
            .any(|s| s["school"] == school && s["children"] == 2 && s["compliant"] == 1),
        "{view}"
    );
    let (status, body) = call(
        &app,
        &cadre,
        Method::GET,
        "/api/v1/children/compliance?from=2020-02-09&to=2020-02-03",
        None,
    )
    .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(codes(&body), ["invalid_period"]);
    let (status, _) = call(&app, &sector, Method::GET, "/api/v1/children", None).await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, list) = call(&app, &cadre, Method::GET, "/api/v1/children", None).await?;
    assert_eq!(status, StatusCode::OK);
    let ids: Vec<i64> = list
        .as_array()
        .ok_or("list")?
        .iter()
        .filter_map(|c| c["id"].as_i64())
        .collect();
    assert!(ids.contains(&a) && ids.contains(&b), "{list}");

    // Four home visits in 2020: visited per schedule.
    let jurisdiction = app
        .db
        .store
        .user(&jixiao_core::Actor::system(), "cun")
        .await?
        .actor()
        .jurisdiction
        .ok_or("jurisdiction")?;
    let visited = app
        .db
        .store
        .children_visited_per_schedule(&jurisdiction, 2020)
        .await?;
    assert!(visited.iter().any(|v| v.0 == a), "{visited:?}");
    assert!(visited.iter().all(|v| v.0 != b), "{visited:?}");
    Ok(())
}

#[tokio::test]
async fn courtyards_are_scored_in_rounds_against_the_pass_score() -> TestResult {
    let app = TestApp::start_full().await?;
    let cadre = app.token("cun").await?;
    let town = app.token("xiang").await?;
    let sector = app.token("minzheng").await?;
    let village = jixiao_store::demo::registry::village_code("101", 1);
    let round = json!({"name": "2020年第二季度洁净庭院评比", "area_code": village,
        "held_on": "2020-06-20"});
    let (status, _) = call(
        &app,
        &sector,
        Method::POST,
        "/api/v1/courtyards",
        Some(round.clone()),
    )
    .await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = call(
        &app,
        &cadre,
        Method::POST,
        "/api/v1/courtyards",
        Some(json!({"name": "", "area_code": "000", "held_on": "六月"})),
    )
    .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(codes(&body).len(), 3, "{body}");
    let (status, file) = call(
        &app,
        &cadre,
        Method::POST,
        "/api/v1/courtyards",
        Some(round),
    )
    .await?;
    assert_eq!(status, StatusCode::CREATED, "{file}");
    let id = file["round"]["id"].as_i64().ok_or("round id")?;
    let pass = file["pass_score"].as_i64().ok_or("pass score")?;

    let (_, own) = call(
        &app,
        &cadre,
        Method::GET,
        "/api/v1/households?per_page=3",
        None,
    )
    .await?;
    let ids: Vec<i64> = own["households"]
        .as_array()
        .ok_or("households")?
        .iter()
        .filter_map(|h| h["id"].as_i64())
        .collect();
    assert!(ids.len() >= 2, "{own}");
    let scores = format!("/api/v1/courtyards/{id}/scores");
    let (status, body) = call(
        &app,
        &cadre,
        Method::POST,
        &scores,
        Some(json!({"household_id": ids[0], "score": 101})),
    )
    .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(codes(&body), ["out_of_range"]);
    for (household, score, help) in [
        (ids[0], pass - 1, ""),
        (ids[1], pass, "志愿者帮助清理"),
        (ids[0], pass + 5, ""),
    ] {
        let (status, body) = call(
            &app,
            &cadre,
            Method::POST,
            &scores,
            Some(json!({"household_id": household, "score": score, "help": help})),
        )
        .await?;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    // The township sees the round of its village, the correction counted once.
    let (status, file) = call(
        &app,
        &town,
        Method::GET,
        &format!("/api/v1/courtyards/{id}"),
        None,
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{file}");
    assert_eq!(file["round"]["scored"], 2);
    assert_eq!(file["round"]["passing"], 2);
    assert!(
        file["scores"]
            .as_array()
            .is_some_and(|s| s.iter().all(|s| s["passes"] == true)),
        "{file}"
    );
    assert_eq!(file["scores"][1]["help"], "志愿者帮助清理");
    let (status, list) = call(&app, &town, Method::GET, "/api/v1/courtyards", None).await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list[0]["id"], id);
    let jurisdiction = app
        .db
        .store
        .user(&jixiao_core::Actor::system(), "cun")
        .await?
        .actor()
        .jurisdiction
        .ok_or("jurisdiction")?;
    let passing = app.db.store.courtyards_passing(&jurisdiction, 2020).await?;
    assert!(
        passing.contains(&ids[0]) && passing.contains(&ids[1]),
        "{passing:?}"
    );
    Ok(())
}

#[tokio::test]
async fn a_serious_screening_result_raises_a_clue_for_illness() -> TestResult {
    let app = TestApp::start_full().await?;
    let cadre = app.token("cun").await?;
    let sector = app.token("minzheng").await?;
    let village = jixiao_store::demo::registry::village_code("101", 1);
    let (status, _) = call(
        &app,
        &sector,
        Method::GET,
        "/api/v1/screening-campaigns",
        None,
    )
    .await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, file) = call(
        &app,
        &cadre,
        Method::POST,
        "/api/v1/screening-campaigns",
        Some(
            json!({"name": "2020年脱贫户免费健康查体", "area_code": village,
            "from_on": "2020-05-01", "to_on": "2020-05-31"}),
        ),
    )
    .await?;
    assert_eq!(status, StatusCode::CREATED, "{file}");
    let id = file["campaign"]["id"].as_i64().ok_or("campaign id")?;
    let (_, own) = call(
        &app,
        &cadre,
        Method::GET,
        "/api/v1/households?per_page=3",
        None,
    )
    .await?;
    let household = own["households"][1]["id"].as_i64().ok_or("a household")?;
    let (_, hfile) = call(
        &app,
        &cadre,
        Method::GET,
        &format!("/api/v1/households/{household}"),
        None,
    )
    .await?;
    let person = hfile["people"][0]["id"].as_i64().ok_or("a person")?;
    let results = format!("/api/v1/screening-campaigns/{id}/results");
    let serious =
        json!({"person_id": person, "result": "serious", "finding": "疑似恶性肿瘤，建议住院"});
    let (status, body) = call(&app, &cadre, Method::POST, &results, Some(serious.clone())).await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(codes(&body), ["not_appointed"]);
    let appointments = format!("/api/v1/screening-campaigns/{id}/appointments");
    let (status, body) = call(
        &app,
        &cadre,
        Method::POST,
        &appointments,
        Some(json!({"person_id": person, "appointment_on": "2020-06-01"})),
    )
    .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(codes(&body), ["outside_campaign"]);
    let (status, body) = call(
        &app,
        &cadre,
        Method::POST,
        &appointments,
        Some(json!({"person_id": person, "appointment_on": "2020-05-12"})),
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = call(
        &app,
        &cadre,
        Method::POST,
        &results,
        Some(json!({"person_id": person, "result": "follow_up"})),
    )
    .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(codes(&body), ["required"]);
    let (_, before) = call(&app, &cadre, Method::GET, "/api/v1/clues", None).await?;
    let (status, file) = call(&app, &cadre, Method::POST, &results, Some(serious)).await?;
    assert_eq!(status, StatusCode::OK, "{file}");
    assert_eq!(file["people"][0]["result"], "serious");
    assert_eq!(file["campaign"]["serious"], 1);
    let clue = file["people"][0]["clue_id"].as_i64().ok_or("a clue")?;
    let (_, after) = call(&app, &cadre, Method::GET, "/api/v1/clues", None).await?;
    let raised = after
        .as_array()
        .and_then(|l| l.iter().find(|c| c["id"] == clue))
        .ok_or(format!("clue {clue} in {after}"))?;
    assert_eq!(raised["household_id"], household);
    let reasons = raised["reasons"].as_array().ok_or("reasons")?;
    let reason = reasons.last().ok_or("a reason")?;
    assert_eq!(reason["reason"], "health_screening");
    assert!(
        reason["message"]
            .as_str()
            .is_some_and(|m| m.contains("因病")),
        "{raised}"
    );
    assert_eq!(reason["data"]["risk"], "illness");
    assert!(
        after.as_array().map(Vec::len) >= before.as_array().map(Vec::len),
        "a new or merged clue"
    );
    let (status, list) = call(
        &app,
        &cadre,
        Method::GET,
        "/api/v1/screening-campaigns",
        None,
    )
    .await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list[0]["screened"], 1);
    Ok(())
}

#[tokio::test]
async fn a_work_record_prints_its_introduction_letter() -> TestResult {
    let app = TestApp::start_full().await?;
    let cadre = app.token("cun").await?;
    let browser = app.signed_in("cun").await?;
    let sector = app.token("minzheng").await?;
    let (_, own) = call(
        &app,
        &cadre,
        Method::GET,
        "/api/v1/households?per_page=1",
        None,
    )
    .await?;
    let household = own["households"][0]["id"].as_i64().ok_or("a household")?;
    let (_, file) = call(
        &app,
        &cadre,
        Method::GET,
        &format!("/api/v1/households/{household}"),
        None,
    )
    .await?;
    let person = file["people"][0]["id"].as_i64().ok_or("a person")?;
    let record = json!({"person_id": person, "employer": "乐陵市金鑫食品有限公司",
        "position": "包装工", "start_on": "2020-09-01", "monthly_income_fen": 260_000,
        "transport_subsidy_fen": 20_000});
    let (status, _) = call(
        &app,
        &sector,
        Method::POST,
        "/api/v1/work-records",
        Some(record.clone()),
    )
    .await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let mut bad = record.clone();
    bad["employer"] = json!("");
    bad["monthly_income_fen"] = json!(-1);
    let (status, body) = call(
        &app,
        &cadre,
        Method::POST,
        "/api/v1/work-records",
        Some(bad),
    )
    .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(codes(&body).len(), 2, "{body}");
    let (status, created) = call(
        &app,
        &cadre,
        Method::POST,
        "/api/v1/work-records",
        Some(record),
    )
    .await?;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_i64().ok_or("record id")?;
    let (status, html) = browser.get(&format!("/work-records/{id}/letter")).await?;
    assert_eq!(status, StatusCode::OK);
    for text in [
        "就业介绍信",
        "乐陵市金鑫食品有限公司",
        "包装工",
        "2,600.00",
        "200.00",
        "（盖章）",
        "data-print",
    ] {
        assert!(html.contains(text), "{text}: {html}");
    }
    let masked = created["id_masked"].as_str().ok_or("masked id")?;
    assert!(masked.contains('*') && html.contains(masked), "{masked}");
    let (status, list) = call(&app, &cadre, Method::GET, "/api/v1/work-records", None).await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list[0]["id"], id);
    Ok(())
}
