//! The province over HTTP (issue 21): the province's dashboard has a row per city and the
//! city's a row per county, each a link to that level's dashboard, saying when the rollups were
//! summed; a county user cannot open another county's dashboard nor list its projects; a list
//! over the counties offers each department code once.

use crate::support::{TestApp, TestResult, call};
use reqwest::{Method, StatusCode};

#[tokio::test]
async fn each_level_opens_the_levels_below_it_and_nothing_beside_it() -> TestResult {
    let app = TestApp::start_province().await?;

    let province = app.signed_in("sheng").await?;
    let (status, html) = province.get("/dashboard?year=2020").await?;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("各市执行与预警"), "{html}");
    assert!(html.contains("济南市") && html.contains("菏泽市"));
    assert!(html.contains("/dashboard?year=2020&amp;jurisdiction=371400"));
    assert!(html.contains("各地区汇总数据截至"));
    let (status, html) = province
        .get("/dashboard?year=2020&jurisdiction=371400")
        .await?;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("各县（市、区）执行与预警"));
    assert!(html.contains("禹城市") && html.contains("乐陵市"));
    assert!(!html.contains(">济南市<"), "only 德州市's counties");
    // Down to a county: its departments, live, with the way back.
    let (status, html) = province
        .get("/dashboard?year=2020&jurisdiction=371482")
        .await?;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("各部门（含所属单位）执行与预警"));
    assert!(
        html.contains("/dashboard?year=2020&amp;jurisdiction=371482&amp;department="),
        "a department opens within the county"
    );
    assert!(html.contains("jurisdiction=371400\">德州市</a>"));
    assert!(!html.contains("各地区汇总数据截至"));
    // The list across the counties offers 114 once, for all of them.
    let (status, html) = province.get("/projects?year=2020&agency=114").await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(html.matches("<option value=\"114\"").count(), 1, "{html}");
    assert!(html.contains("卫生健康局（136个地区）"));
    // Each row names its county: codes repeat from one county to the next.
    assert!(html.contains("<th>地区</th>"));
    let first_place = html
        .split("<td class=\"nowrap\">")
        .nth(1)
        .and_then(|rest| rest.split("</td>").next())
        .ok_or("a row with its county")?;
    assert!(
        ["区", "县", "市"]
            .iter()
            .any(|end| first_place.ends_with(end)),
        "{first_place}"
    );
    let county = app.signed_in("yucheng").await?;
    let (_, own) = county.get("/projects?year=2020").await?;
    assert!(
        !own.contains("<th>地区</th>"),
        "a county's own list needs no column"
    );

    // A county user: its own county only.
    let (status, _) = county
        .get("/dashboard?year=2020&jurisdiction=371481")
        .await?;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, html) = county
        .get("/projects?year=2020&jurisdiction=371481")
        .await?;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("共 <strong>0</strong> 个项目"), "{html}");

    // The API: a city's dashboard by county, with the time of its rollups; nothing outside it.
    let city = app.token("dezhou").await?;
    let (status, d) = call(
        &app,
        &city,
        Method::GET,
        "/api/v1/stats/dashboard?year=2020",
        None,
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{d}");
    assert_eq!(d["by_jurisdiction"], true);
    assert!(d["as_of"].is_i64());
    assert_eq!(d["agencies"].as_array().map(Vec::len), Some(11));
    let (status, list) = call(
        &app,
        &city,
        Method::GET,
        "/api/v1/projects?year=2020&jurisdiction=370102",
        None,
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["total"], 0, "历下区 is not 德州市's");
    let (status, list) = call(&app, &city, Method::GET, "/api/v1/projects?year=2020", None).await?;
    assert_eq!(status, StatusCode::OK);
    assert!(list["totals_as_of"].is_string(), "{list}");
    Ok(())
}

/// A word common across the province: the province's list says more than the cap matched and
/// sums nothing (page and API); the county's own list counts and sums every match.
#[tokio::test]
async fn a_province_wide_search_of_a_common_word_says_it_stopped_counting() -> TestResult {
    let app = TestApp::start_province().await?;
    let cap = jixiao_store::SEARCH_COUNT_CAP;
    let seeded = usize::try_from(cap)? + 20;
    app.db
        .store
        .seed_benchmark_projects("371482", 2021, seeded)
        .await?;

    let province = app.signed_in("sheng").await?;
    let (status, html) = province.get("/projects?year=2021&q=%E5%B9%B4").await?;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains(&format!("匹配项目超过 <strong>{cap}</strong> 个")),
        "{html}"
    );
    assert!(html.contains("不显示金额合计"));
    assert!(!html.contains("申报金额合计"));
    assert!(html.contains(&format!("第 1 / {} 页", cap / 50)));
    let list = searched_over_the_api(&app, "sheng").await?;
    assert_eq!(list["total_capped"], true);
    assert_eq!(list["total"], cap);
    assert!(list.get("requested_fen").is_none() && list.get("approved_fen").is_none());

    let county = app.signed_in("yucheng").await?;
    let (status, html) = county.get("/projects?year=2021&q=%E5%B9%B4").await?;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains(&format!("共 <strong>{seeded}</strong> 个项目")),
        "{html}"
    );
    let list = searched_over_the_api(&app, "yucheng").await?;
    assert!(list.get("total_capped").is_none(), "{list}");
    assert!(list["requested_fen"].as_i64().is_some_and(|fen| fen > 0));
    Ok(())
}

/// The API's list of 2021 searched for 年, as `user`; the status must be 200.
async fn searched_over_the_api(
    app: &TestApp,
    user: &str,
) -> Result<serde_json::Value, Box<dyn std::error::Error>> {
    let token = app.token(user).await?;
    let (status, list) = call(
        app,
        &token,
        Method::GET,
        "/api/v1/projects?year=2021&q=%E5%B9%B4",
        None,
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{list}");
    Ok(list)
}
