//! The expert pool over the API: registering experts, a draw that excludes a conflicted expert
//! with the reason, the replay, too few eligible, masked identity numbers, and who may do what.

use crate::support::{TestApp, TestResult, call};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[tokio::test]
async fn finance_draws_three_agriculture_experts_and_the_draw_replays() -> TestResult {
    let app = TestApp::start_full().await?;
    let finance = app.token("finance").await?;
    // A 2019 project of the agriculture bureau (115).
    let (_, list) = call(
        &app,
        &finance,
        Method::GET,
        "/api/v1/projects?year=2019&agency=115&per_page=1",
        None,
    )
    .await?;
    let project = list["projects"][0]["id"]
        .as_i64()
        .ok_or("an agriculture project")?;

    // Six agriculture experts; one works for the bureau, one advised it last year, one is a
    // teacher (another field).
    let mut ids = Vec::new();
    for (n, (name, extra)) in [
        ("农业专家甲", json!({})),
        ("农业专家乙", json!({"employer": "乐陵市农业农村局", "employer_agency_code": "115"})),
        ("农业专家丙", json!({"relations": [{"agency_code": "115", "kind": "advised", "until": "2019-06-30"}]})),
        ("农业专家丁", json!({})),
        ("农业专家戊", json!({"id_number": "371481198001011234"})),
        ("农业专家己", json!({})),
    ]
    .into_iter()
    .enumerate()
    {
        let mut body = json!({"name": name, "category": "高级农艺师", "fields": ["农业"]});
        if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
            body.extend(extra.clone());
        }
        let (status, member) = call(&app, &finance, Method::POST, "/api/v1/experts", Some(body)).await?;
        assert_eq!(status, StatusCode::CREATED, "expert {n}: {member}");
        ids.push(member["id"].as_i64().ok_or("member id")?);
    }
    let (status, _) = call(
        &app,
        &finance,
        Method::POST,
        "/api/v1/experts",
        Some(json!({"name": "教育专家", "fields": ["教育"]})),
    )
    .await?;
    assert_eq!(status, StatusCode::CREATED);
    let (status, body) = call(
        &app,
        &finance,
        Method::POST,
        "/api/v1/experts",
        Some(json!({"name": "外行", "fields": ["占星"]})),
    )
    .await?;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "fields come from the rulebook: {body}"
    );

    // Identity numbers are never shown in full.
    let (_, experts) = call(
        &app,
        &finance,
        Method::GET,
        "/api/v1/experts?field=农业&q=农业专家",
        None,
    )
    .await?;
    let text = experts.to_string();
    assert!(!text.contains("371481198001011234"));
    assert!(text.contains("3714**********1234"));
    assert_eq!(experts.as_array().map(Vec::len), Some(6));

    // Agencies and experts may not draw or read the pools.
    let agency = app.token("agency").await?;
    let draw = json!({"purpose": "key_evaluation", "project_id": project, "fields": ["农业"], "count": 3, "backups": 1, "as_of": "2020-03-02"});
    let (status, _) = call(
        &app,
        &agency,
        Method::POST,
        "/api/v1/draws",
        Some(draw.clone()),
    )
    .await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let expert = app.token("expert").await?;
    let (status, _) = call(&app, &expert, Method::GET, "/api/v1/experts", None).await?;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, drawn) = call(
        &app,
        &finance,
        Method::POST,
        "/api/v1/draws",
        Some(draw.clone()),
    )
    .await?;
    assert_eq!(status, StatusCode::CREATED, "{drawn}");
    let selected = drawn["selected"].as_array().ok_or("selected")?.clone();
    assert_eq!(selected.len(), 3);
    assert_eq!(drawn["backups"].as_array().map(Vec::len), Some(1));
    let excluded = drawn["excluded"].as_array().ok_or("excluded")?;
    let reason_of = |id: i64| {
        excluded
            .iter()
            .find(|e| e["member_id"] == id)
            .and_then(|e| e["reason"].as_str())
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(reason_of(ids[1]), "任职于项目实施单位或其主管部门");
    assert_eq!(reason_of(ids[2]), "近3年曾为项目单位提供咨询服务");
    assert!(!selected.contains(&json!(ids[1])) && !selected.contains(&json!(ids[2])));
    assert!(
        drawn["eligible_hash"]
            .as_str()
            .is_some_and(|h| h.len() == 64)
    );

    let id = drawn["id"].as_i64().ok_or("draw id")?;
    let (status, replay) = call(
        &app,
        &finance,
        Method::GET,
        &format!("/api/v1/draws/{id}/replay"),
        None,
    )
    .await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(replay["matches"], true);
    assert_eq!(replay["selected"], json!(selected));
    let viewer = app.token("viewer").await?;
    let (status, _) = call(
        &app,
        &viewer,
        Method::GET,
        &format!("/api/v1/draws/{id}/replay"),
        None,
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "supervisors may check a draw");

    // More are needed than are eligible: refused, with the reasons, nothing stored.
    let mut five = draw;
    five["count"] = json!(30);
    let (status, refused) = call(&app, &finance, Method::POST, "/api/v1/draws", Some(five)).await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused["error"]["code"], "too_few_eligible");
    let eligible = refused["error"]["details"]["eligible"]
        .as_i64()
        .ok_or("eligible")?;
    assert!(eligible < 30);
    assert!(
        refused["error"]["message"]
            .as_str()
            .ok_or("message")?
            .contains(&format!("需要30名，仅{eligible}名符合条件"))
    );
    let (status, _) = call(
        &app,
        &finance,
        Method::GET,
        &format!("/api/v1/draws/{}", id + 1),
        None,
    )
    .await?;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Experts who worked for the institution under review are left out of its report review.
    let (_, found) = call(
        &app,
        &finance,
        Method::GET,
        "/api/v1/institutions?q=华源",
        None,
    )
    .await?;
    let huayuan = found[0]["id"].as_i64().ok_or("华源")?;
    let (status, insider) = call(
        &app,
        &finance,
        Method::POST,
        "/api/v1/experts",
        Some(
            json!({"name": "农业专家庚", "category": "农艺师", "fields": ["农业"],
            "institution_relations": [{"institution_id": huayuan, "kind": "worked"}]}),
        ),
    )
    .await?;
    assert_eq!(status, StatusCode::CREATED, "{insider}");
    let (_, reviewed) = call(&app, &finance, Method::POST, "/api/v1/draws",
        Some(json!({"purpose": "report_review", "project_id": project, "fields": ["农业"], "count": 2,
            "reviewed_institution_id": huayuan}))).await?;
    assert!(
        reviewed["excluded"]
            .as_array()
            .ok_or("excluded")?
            .iter()
            .any(|e| e["member_id"] == insider["id"]
                && e["reason"] == "近3年与被评审机构存在任职、咨询或亲属关系"),
        "{reviewed}"
    );
    let (status, firm) = call(
        &app,
        &finance,
        Method::POST,
        "/api/v1/institutions",
        Some(
            json!({"name": "乐陵测试会计师事务所", "category": "会计师事务所", "fields": ["财务"],
            "staff": ["注册会计师 张明", "注册会计师 李红"]}),
        ),
    )
    .await?;
    assert_eq!(status, StatusCode::CREATED, "{firm}");
    assert_eq!(firm["staff"], json!(["注册会计师 张明", "注册会计师 李红"]));

    // An institution for a key evaluation must be independent of the commissioning body too.
    let (status, drawn) = call(
        &app,
        &finance,
        Method::POST,
        "/api/v1/draws",
        Some(
            json!({"kind": "institution", "purpose": "key_evaluation", "project_id": project,
            "fields": ["农业"], "count": 1, "backups": 1, "commissioning_agency_code": "105"}),
        ),
    )
    .await?;
    assert_eq!(status, StatusCode::CREATED, "{drawn}");
    let (_, institutions) = call(
        &app,
        &finance,
        Method::GET,
        "/api/v1/institutions?q=华源",
        None,
    )
    .await?;
    let huayuan = institutions[0]["id"].as_i64().ok_or("华源")?;
    assert!(
        drawn["excluded"]
            .as_array()
            .ok_or("excluded")?
            .iter()
            .any(|e| e["member_id"] == huayuan && e["reason"] == "近3年曾为委托方提供咨询服务"),
        "{drawn}"
    );
    Ok(())
}

#[tokio::test]
async fn an_expert_sees_only_its_assignment_reviews_and_is_rated() -> TestResult {
    let app = TestApp::start_full().await?;
    let finance = app.token("finance").await?;
    let admin = app.token("admin").await?;
    let (_, list) = call(
        &app,
        &finance,
        Method::GET,
        "/api/v1/projects?year=2019&agency=115&per_page=1",
        None,
    )
    .await?;
    let project = list["projects"][0]["id"].as_i64().ok_or("project")?;
    let draw = json!({"purpose": "report_review", "project_id": project, "fields": ["财务"], "count": 2, "backups": 1, "as_of": "2020-04-01"});
    let (status, drawn) = call(&app, &finance, Method::POST, "/api/v1/draws", Some(draw)).await?;
    assert_eq!(status, StatusCode::CREATED, "{drawn}");
    let first = drawn["selected"][0].as_i64().ok_or("first")?;
    let second = drawn["selected"][1].as_i64().ok_or("second")?;
    let backup = drawn["backups"][0].as_i64().ok_or("backup")?;

    // Accounts for the two selected experts.
    let (status, body) = call(&app, &admin, Method::POST, "/api/v1/users",
        Some(json!({"username": "zhuanjia2", "display_name": "评审专家二", "role": "expert", "password": "jixiao-demo"}))).await?;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    for (member, username) in [(first, "expert"), (second, "zhuanjia2")] {
        let (status, body) = call(
            &app,
            &finance,
            Method::POST,
            &format!("/api/v1/pool-members/{member}/account"),
            Some(json!({"username": username})),
        )
        .await?;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    }
    let (status, _) = call(
        &app,
        &finance,
        Method::POST,
        &format!("/api/v1/pool-members/{first}/account"),
        Some(json!({"username": "agency"})),
    )
    .await?;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "only an expert account acts for an expert"
    );

    // The expert sees its own assignment only, and no project outside it.
    let expert = app.token("expert").await?;
    let (_, mine) = call(&app, &expert, Method::GET, "/api/v1/assignments", None).await?;
    let mine = mine.as_array().ok_or("assignments")?.clone();
    assert!(
        mine.iter().all(|a| a["member_id"] == first),
        "only its own: {mine:?}"
    );
    let this = drawn["id"].clone();
    let mine: Vec<Value> = mine.into_iter().filter(|a| a["draw_id"] == this).collect();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["project_id"], project);
    let assignment = mine[0]["id"].as_i64().ok_or("assignment")?;
    let (status, _) = call(
        &app,
        &expert,
        Method::GET,
        &format!("/api/v1/projects/{project}"),
        None,
    )
    .await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let other = app.token("zhuanjia2").await?;
    let (_, theirs) = call(&app, &other, Method::GET, "/api/v1/assignments", None).await?;
    let theirs_id = theirs[0]["id"].as_i64().ok_or("theirs")?;
    let (status, _) = call(
        &app,
        &expert,
        Method::POST,
        &format!("/api/v1/assignments/{theirs_id}/accept"),
        None,
    )
    .await?;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "another expert's assignment is not there"
    );

    // The second declines: the backup is called in.
    let (status, declined) = call(
        &app,
        &other,
        Method::POST,
        &format!("/api/v1/assignments/{theirs_id}/decline"),
        Some(json!({"reason": "曾为该单位提供咨询，申请回避"})),
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{declined}");
    let (_, all) = call(&app, &finance, Method::GET, "/api/v1/assignments", None).await?;
    assert!(
        all.as_array()
            .ok_or("all")?
            .iter()
            .any(|a| a["member_id"] == backup && a["status"] == "invited")
    );

    // The first accepts, reviews, submits; finance rates it poorly: flagged.
    let (status, _) = call(
        &app,
        &expert,
        Method::POST,
        &format!("/api/v1/assignments/{assignment}/review"),
        Some(json!({"score": "88", "opinion": "x"})),
    )
    .await?;
    assert_eq!(status, StatusCode::CONFLICT, "accept first");
    call(
        &app,
        &expert,
        Method::POST,
        &format!("/api/v1/assignments/{assignment}/accept"),
        None,
    )
    .await?;
    let (status, body) = call(
        &app,
        &expert,
        Method::POST,
        &format!("/api/v1/assignments/{assignment}/review"),
        Some(json!({"score": "120", "opinion": "x"})),
    )
    .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, done) = call(
        &app,
        &expert,
        Method::POST,
        &format!("/api/v1/assignments/{assignment}/review"),
        Some(json!({"score": "88.50", "opinion": "评价报告结构完整，但满意度调查样本偏少。"})),
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["score_x100"], 8_850);
    let (status, _) = call(
        &app,
        &expert,
        Method::POST,
        &format!("/api/v1/assignments/{assignment}/rating"),
        Some(json!({"skill": 25, "discipline": 25, "ethics": 25, "integrity": 25})),
    )
    .await?;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "experts do not rate themselves"
    );
    let (status, standing) = call(&app, &finance, Method::POST, &format!("/api/v1/assignments/{assignment}/rating"),
        Some(json!({"skill": 10, "discipline": 12, "ethics": 15, "integrity": 15, "comment": "未按时提交"}))).await?;
    assert_eq!(status, StatusCode::OK, "{standing}");
    assert_eq!(standing["average_x100"], 5_200);
    assert_eq!(standing["flagged"], true);
    let (status, _) = call(
        &app,
        &finance,
        Method::POST,
        &format!("/api/v1/assignments/{assignment}/rating"),
        Some(json!({"skill": 20, "discipline": 20, "ethics": 20, "integrity": 20})),
    )
    .await?;
    assert_eq!(status, StatusCode::CONFLICT, "one rating per job");
    let year = done["ended_on"]
        .as_str()
        .and_then(|d| d.get(0..4))
        .ok_or("ended_on")?
        .to_owned();
    let (_, yearly) = call(
        &app,
        &finance,
        Method::GET,
        &format!("/api/v1/pool-standings?year={year}"),
        None,
    )
    .await?;
    assert!(
        yearly
            .as_array()
            .ok_or("yearly")?
            .iter()
            .any(|s| s["member_id"] == first && s["ratings"] == 1)
    );
    let (_, standings) = call(&app, &finance, Method::GET, "/api/v1/pool-standings", None).await?;
    assert!(
        standings
            .as_array()
            .ok_or("standings")?
            .iter()
            .any(|s| s["member_id"] == first && s["flagged"] == true)
    );

    // Removal is a recorded decision with its reason.
    let (status, _) = call(
        &app,
        &finance,
        Method::POST,
        &format!("/api/v1/pool-members/{first}/status"),
        Some(json!({"status": "removed"})),
    )
    .await?;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a reason is required"
    );
    let (status, removed) = call(
        &app,
        &finance,
        Method::POST,
        &format!("/api/v1/pool-members/{first}/status"),
        Some(json!({"status": "removed", "reason": "两年平均评分低于60分"})),
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{removed}");
    assert_eq!(removed["status"], "removed");
    Ok(())
}

#[tokio::test]
async fn a_substantiated_complaint_suspends_an_institution_for_the_rulebook_period() -> TestResult {
    let app = TestApp::start_full().await?;
    let finance = app.token("finance").await?;
    let (_, found) = call(
        &app,
        &finance,
        Method::GET,
        "/api/v1/institutions?q=鲁正",
        None,
    )
    .await?;
    let id = found[0]["id"].as_i64().ok_or("鲁正")?;
    let path = format!("/api/v1/pool-members/{id}/complaints");
    let (status, body) = call(&app, &finance, Method::POST, &path,
        Some(json!({"received_on": "2020-05-01", "summary": "评估报告数据与账簿不符", "substantiated": true, "decided_on": "2020-05-20"}))).await?;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a finding is required: {body}"
    );
    let (status, body) = call(&app, &finance, Method::POST, &path,
        Some(json!({"received_on": "2020-05-01", "summary": "评估报告数据与账簿不符", "substantiated": false, "decided_on": "2020-04-20"}))).await?;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "decided before received: {body}"
    );
    let (status, _) = call(&app, &finance, Method::POST, &path,
        Some(json!({"received_on": "2020-03-01", "summary": "未按期提交报告", "substantiated": false, "decided_on": "2020-03-10"}))).await?;
    assert_eq!(status, StatusCode::CREATED);
    let (status, member) = call(&app, &finance, Method::POST, &path,
        Some(json!({"received_on": "2020-05-01", "summary": "评估报告数据与账簿不符", "substantiated": true,
            "finding": "抽查3个项目均存在数据错误", "decided_on": "2020-05-20"}))).await?;
    assert_eq!(status, StatusCode::CREATED, "{member}");
    assert_eq!(member["status"], "suspended");
    assert_eq!(
        member["suspended_until"], "2020-11-20",
        "six months from the decision"
    );
    let (_, history) = call(&app, &finance, Method::GET, &path, None).await?;
    assert_eq!(history.as_array().map(Vec::len), Some(2));
    let agency = app.token("agency").await?;
    let (status, _) = call(&app, &agency, Method::POST, &path,
        Some(json!({"received_on": "2020-05-01", "summary": "x", "substantiated": false, "decided_on": "2020-05-02"}))).await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // While suspended it is not drawn, and the draw says why.
    let (_, list) = call(
        &app,
        &finance,
        Method::GET,
        "/api/v1/projects?year=2019&agency=115&per_page=1",
        None,
    )
    .await?;
    let project = list["projects"][0]["id"].as_i64().ok_or("project")?;
    let (status, drawn) = call(
        &app,
        &finance,
        Method::POST,
        "/api/v1/draws",
        Some(
            json!({"kind": "institution", "purpose": "key_evaluation", "project_id": project,
            "fields": ["财务"], "count": 1, "as_of": "2020-06-01"}),
        ),
    )
    .await?;
    assert_eq!(status, StatusCode::CREATED, "{drawn}");
    assert!(
        drawn["excluded"]
            .as_array()
            .ok_or("excluded")?
            .iter()
            .any(|e| e["member_id"] == id && e["reason"] == "暂停至2020-11-20"),
        "{drawn}"
    );
    Ok(())
}
