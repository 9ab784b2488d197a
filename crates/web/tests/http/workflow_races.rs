//! The workflow kernel under a race: twenty reviewers decide one document at the same moment, as
//! finance over the API, half approving and half returning, all from the version they read.
//! Exactly one decision wins; every other one is told `409 stale_version` or
//! `409 invalid_transition`, and the audit log holds one record of the move. The same holds for a
//! document whose state lives in a `status` column without a version: ten answers to one
//! invitation from the expert's account.

use crate::support::{TestApp, TestResult};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

#[tokio::test]
async fn twenty_simultaneous_decisions_on_one_project_leave_one_winner() -> TestResult {
    let app = TestApp::start_full().await?;
    let token = app.token("finance").await?;
    let client = Client::new();
    // A project waiting at one of finance's steps (the demo leaves some in finance's queue).
    let queue: Value = client
        .get(app.url("/api/v1/queue"))
        .bearer_auth(&token)
        .send()
        .await?
        .json()
        .await?;
    let project = queue
        .as_array()
        .and_then(|q| q.iter().find(|p| p["state"] == "submitted"))
        .ok_or("finance's queue holds no submitted project")?
        .clone();
    let id = project["id"].as_i64().ok_or("id")?;
    let version = project["version"].as_i64().ok_or("version")?;
    let step = project["review_step"].clone();
    let (audit_before, _) = audit_records(&app, "finance", "project").await?;

    let mut requests = Vec::new();
    for n in 0..20 {
        let body = if n % 2 == 0 {
            json!({"decision": "approve", "grade": "良", "version": version})
        } else {
            json!({"decision": "return", "comment": format!("第{n}位审核人退回"), "version": version})
        };
        requests.push(
            client
                .post(app.url(&format!("/api/v1/projects/{id}/review")))
                .bearer_auth(&token)
                .json(&body),
        );
    }
    let (winners, losers) = race(requests).await?;
    assert_eq!(winners.len(), 1, "exactly one decision wins: {winners:?}");
    assert_eq!(losers, 19);
    let winner = &winners[0];
    assert_eq!(winner["version"].as_i64(), Some(version + 1));
    assert_ne!(
        (winner["state"].clone(), winner["review_step"].clone()),
        (json!("submitted"), step),
        "the winner moved the project"
    );
    // One move, one audit record.
    let (audit_after, newest) = audit_records(&app, "finance", "project").await?;
    assert_eq!(audit_after, audit_before + 1);
    assert_eq!(newest["entity_id"], json!(id.to_string()), "{newest}");
    assert!(
        matches!(
            newest["action"].as_str(),
            Some("project.approve" | "project.return" | "project.pass_step")
        ),
        "the move is recorded under the action's own code: {newest}"
    );
    Ok(())
}

#[tokio::test]
async fn ten_simultaneous_answers_to_one_invitation_leave_one_winner() -> TestResult {
    let app = TestApp::start_full().await?;
    let token = app.token("expert").await?;
    let client = Client::new();
    // The demo leaves the expert's account an invitation it has not answered.
    let mine: Value = client
        .get(app.url("/api/v1/assignments"))
        .bearer_auth(&token)
        .send()
        .await?
        .json()
        .await?;
    let id = mine
        .as_array()
        .and_then(|list| list.iter().find(|a| a["status"] == "invited"))
        .and_then(|a| a["id"].as_i64())
        .ok_or_else(|| format!("the expert has no open invitation: {mine}"))?;
    let before = audit_records(&app, "expert", "assignment").await?;

    let mut requests = Vec::new();
    for n in 0..10 {
        let request = if n % 2 == 0 {
            client.post(app.url(&format!("/api/v1/assignments/{id}/accept")))
        } else {
            client
                .post(app.url(&format!("/api/v1/assignments/{id}/decline")))
                .json(&json!({"reason": format!("第{n}次答复：申请回避")}))
        };
        requests.push(request.bearer_auth(&token));
    }
    let (winners, losers) = race(requests).await?;
    assert_eq!(winners.len(), 1, "exactly one answer wins: {winners:?}");
    assert_eq!(losers, 9);
    let status = winners[0]["status"].as_str().unwrap_or("");
    assert!(matches!(status, "accepted" | "declined"), "{}", winners[0]);
    // One move, one audit record, under the action's own code; the row says what won.
    let after = audit_records(&app, "expert", "assignment").await?;
    assert_eq!(after.0, before.0 + 1);
    assert_eq!(after.1["entity_id"], json!(id.to_string()), "{}", after.1);
    let expected = if status == "accepted" {
        "assignment.accept"
    } else {
        "assignment.decline"
    };
    assert_eq!(after.1["action"], expected, "{}", after.1);
    let now: Value = client
        .get(app.url("/api/v1/assignments"))
        .bearer_auth(&token)
        .send()
        .await?
        .json()
        .await?;
    let row = now
        .as_array()
        .and_then(|list| list.iter().find(|a| a["id"] == id))
        .ok_or("the assignment")?;
    assert_eq!(row["status"], status);
    Ok(())
}

/// Sends `requests` at once and sorts the answers: the bodies of the 200s, and how many lost.
/// Every loser must be a 409 with its own code (`stale_version` or `invalid_transition`) and a
/// message.
async fn race(
    requests: Vec<reqwest::RequestBuilder>,
) -> Result<(Vec<Value>, usize), Box<dyn std::error::Error>> {
    let racers: Vec<_> = requests
        .into_iter()
        .map(|request| {
            tokio::spawn(async move {
                let response = request.send().await?;
                let status = response.status();
                let body: Value = response.json().await.unwrap_or(Value::Null);
                Ok::<_, reqwest::Error>((status, body))
            })
        })
        .collect();
    let mut winners = Vec::new();
    let mut losers = 0;
    for racer in racers {
        let (status, body) = racer.await??;
        if status == StatusCode::OK {
            winners.push(body);
        } else {
            assert_eq!(status, StatusCode::CONFLICT, "{body}");
            let code = body["error"]["code"].as_str().unwrap_or("");
            assert!(
                code == "stale_version" || code == "invalid_transition",
                "a loser is told why in a code of its own: {body}"
            );
            assert!(
                body["error"]["message"]
                    .as_str()
                    .is_some_and(|m| !m.is_empty())
            );
            losers += 1;
        }
    }
    Ok((winners, losers))
}

/// How many records `actor` has on `entity` in the audit log, and the newest one (read as the
/// administrator; newest first).
async fn audit_records(
    app: &TestApp,
    actor: &str,
    entity: &str,
) -> Result<(i64, Value), Box<dyn std::error::Error>> {
    let admin = app.token("admin").await?;
    let page: Value = Client::new()
        .get(app.url(&format!("/api/v1/audit?actor={actor}&entity={entity}")))
        .bearer_auth(&admin)
        .send()
        .await?
        .json()
        .await?;
    let total = page["total"]
        .as_i64()
        .ok_or_else(|| format!("audit page: {page}"))?;
    Ok((total, page["records"][0].clone()))
}
