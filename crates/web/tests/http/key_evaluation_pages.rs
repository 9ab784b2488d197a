//! Key-evaluation and rectification pages in a browser: finance sees the three evaluations, the
//! coverage of key projects and the framework with its scoring standards; the institution sees
//! only its own; an agency answers a rectification item on the page and finance checks it off.

use crate::support::{TestApp, TestResult, call};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn evaluations_and_rectification_on_the_pages() -> TestResult {
    let app = TestApp::start_full().await?;
    let finance = app.signed_in("finance").await?;
    let (status, html) = finance.get("/evaluations").await?;
    assert_eq!(status, StatusCode::OK);
    for name in ["2019年公岗扶贫", "2019年农业综合开发", "2019年金亿奶牛养殖"] {
        assert!(html.contains(name), "{name}");
    }
    assert!(html.contains("重点项目评价覆盖情况") && html.contains("待安排评价"));
    let id: String = html
        .match_indices("/evaluations/")
        .map(|(at, m)| {
            html[at + m.len()..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
        })
        .find(|digits| !digits.is_empty())
        .ok_or("link to an evaluation")?;
    let (status, detail) = finance.get(&format!("/evaluations/{id}")).await?;
    assert_eq!(status, StatusCode::OK);
    assert!(
        detail.contains("评分标准")
            && detail.contains("立项依据充分性")
            && detail.contains("已确认")
    );

    // The problems of 2019 not yet rectified are flagged on the agency's 2020 project.
    let token = app.token("finance").await?;
    let (_, next) = call(
        &app,
        &token,
        Method::GET,
        "/api/v1/projects?year=2020&q=2020年农业综合开发",
        None,
    )
    .await?;
    let next = next["projects"][0]["id"].as_i64().ok_or("2020 project")?;
    let (_, page) = finance.get(&format!("/projects/{next}")).await?;
    assert!(page.contains("尚未整改到位（3项）"), "flagged");
    assert!(page.contains("2处土地治理工程未按期完成竣工验收"));

    // The demo institution sees its own evaluation only; an expert none.
    let institution = app.signed_in("institution").await?;
    let (status, own) = institution.get("/evaluations").await?;
    assert_eq!(status, StatusCode::OK);
    assert!(own.contains("2019年农业综合开发") && !own.contains("2019年公岗扶贫"));
    let expert = app.signed_in("expert").await?;
    let (status, _) = expert.get("/evaluations").await?;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Finance raises an item from monitoring; the agency answers on the page; finance closes it.
    let (_, list) = call(
        &app,
        &token,
        Method::GET,
        "/api/v1/projects?year=2019&q=2019年残疾人康复服务",
        None,
    )
    .await?;
    let project = list["projects"][0]["id"].as_i64().ok_or("project")?;
    let (status, item) = call(
        &app,
        &token,
        Method::POST,
        "/api/v1/rectifications",
        Some(json!({"project_id": project, "problem": "康复服务台账与实际服务人次不一致"})),
    )
    .await?;
    assert_eq!(status, StatusCode::CREATED, "{item}");
    let id = item["id"].as_i64().ok_or("id")?;
    let agency = app.signed_in("canlian").await?;
    let (_, page) = agency.get("/rectifications").await?;
    assert!(page.contains("康复服务台账与实际服务人次不一致") && page.contains("待整改"));
    let action = format!("/rectifications/{id}");
    let forged = agency
        .post_raw(&action, &[("version", "1"), ("answer", "x")])
        .await?;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN, "no CSRF token");
    let empty = agency
        .submit(
            "/rectifications",
            &action,
            &[("version", "1"), ("answer", "")],
        )
        .await?;
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.text().await?.contains("请填写整改措施及成效"));
    let answered = agency
        .submit(
            "/rectifications",
            &action,
            &[("version", "1"), ("answer", "已逐户核对并更新台账")],
        )
        .await?;
    assert_eq!(answered.status(), StatusCode::SEE_OTHER);
    let closed = finance
        .submit(
            "/rectifications",
            &action,
            &[("action", "close"), ("comment", "核查属实")],
        )
        .await?;
    assert_eq!(closed.status(), StatusCode::SEE_OTHER);
    let (_, page) = agency.get("/rectifications").await?;
    assert!(page.contains("已销号"));

    // From a monitoring alert, finance lists a problem for rectification.
    let (_, rounds) = finance.get("/monitoring").await?;
    let at = rounds.find("/monitoring/").ok_or("round")? + "/monitoring/".len();
    let round: String = rounds[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let (_, overview) = finance.get(&format!("/monitoring/{round}")).await?;
    let at = overview.find("/alerts/").ok_or("alert link")? + "/alerts/".len();
    let alert: String = overview[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let page = format!("/alerts/{alert}");
    let action = format!("/alerts/{alert}/rectification");
    let empty = finance.submit(&page, &action, &[("problem", "")]).await?;
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let raised = finance
        .submit(
            &page,
            &action,
            &[("problem", "上半年支出进度明显滞后于时间进度")],
        )
        .await?;
    assert_eq!(raised.status(), StatusCode::SEE_OTHER);
    let (_, list) = finance.get("/rectifications").await?;
    assert!(list.contains("上半年支出进度明显滞后于时间进度") && list.contains("绩效监控"));
    Ok(())
}
