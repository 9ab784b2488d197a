//! A drawn member's task (issue 20 item 1): the work list links each task to a page with the
//! project, its target sheet, the rulebook's rubric and the deadline; the member accepts and
//! submits there; once the task ends the material closes to the member but not to finance; a
//! task of another member cannot be opened.

use super::support::{TestApp, TestResult};
use reqwest::StatusCode;

/// The first `/assignments/{id}` link of a page.
fn first_task(html: &str) -> Option<String> {
    let start = html.find("href=\"/assignments/")? + 6;
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_owned())
}

#[tokio::test]
async fn a_drawn_expert_reviews_from_its_task_page() -> TestResult {
    let app = TestApp::start_full().await?;
    let expert = app.signed_in("expert").await?;
    let (status, list) = expert.get("/assignments").await?;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains("截止日期"), "deadlines on the work list");
    let task = first_task(&list).ok_or("a task link")?;

    let (status, page) = expert.get(&task).await?;
    assert_eq!(status, StatusCode::OK, "{page}");
    for expected in [
        "绩效目标表",
        "项目基本情况",
        "评分要点",
        "id=\"rubric\"",
        "<th class=\"num\">100</th>",
        "截止日期",
        "本账号代表该成员参加评审",
    ] {
        assert!(page.contains(expected), "task page shows {expected}");
    }

    // The account is shown by the name of the member it acts for.
    let marker = "<dt>库内成员</dt><dd>";
    let at = page.find(marker).ok_or("member line")? + marker.len();
    let member = &page[at..at + page[at..].find('（').ok_or("member name")?];
    assert!(
        page.contains(&format!("<span>{member}（评审专家）</span>")),
        "the header names the member {member}"
    );

    // Accept, then submit the review from the task page.
    let id = task.trim_start_matches("/assignments/");
    let response = expert
        .submit(
            &task,
            &format!("/assignments/{id}/answer"),
            &[("answer", "accept")],
        )
        .await?;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let response = expert
        .submit(
            &task,
            &format!("/assignments/{id}/review"),
            &[("score", "88"), ("opinion", "目标明确，指标可衡量。")],
        )
        .await?;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);

    // The task ended: the expert keeps its record, not the project's material.
    let (status, page) = expert.get(&task).await?;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("任务已结束，项目材料不再向本账号开放"));
    assert!(!page.contains("绩效目标表"));
    assert!(page.contains("88"), "its own score stays");

    // Finance still reads the whole task.
    let finance = app.signed_in("finance").await?;
    let (status, page) = finance.get(&task).await?;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("绩效目标表"));

    // Another member's task is not found for this expert; agencies may not open tasks.
    let (_, finance_list) = finance.get("/assignments").await?;
    let mut others = Vec::new();
    let mut rest = finance_list.as_str();
    while let Some(link) = first_task(rest) {
        if link != task {
            others.push(link.clone());
        }
        let at = rest.find(&link).ok_or("link")? + link.len();
        rest = &rest[at..];
    }
    let (_, own_list) = expert.get("/assignments").await?;
    let foreign = others
        .iter()
        .find(|l| !own_list.contains(l.as_str()))
        .ok_or("a task of another member")?;
    let (status, _) = expert.get(foreign).await?;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let agency = app.signed_in("agency").await?;
    let (status, _) = agency.get(&task).await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    Ok(())
}

#[tokio::test]
async fn a_task_page_that_does_not_exist_is_a_chinese_404() -> TestResult {
    let app = TestApp::start_full().await?;
    let expert = app.signed_in("expert").await?;
    let (status, page) = expert.get("/assignments/999999").await?;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains("任务不存在"));
    let (status, _) = expert.get("/assignments/abc").await?;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    Ok(())
}
