//! The workflow kernel under a race: twenty reviewers decide one document at the same moment, as
//! finance over the API, half approving and half returning, all from the version they read.
//! Exactly one decision wins; every other one is told `409 stale_version` or
//! `409 invalid_transition`, and the audit log holds one record of the move.

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
    let (audit_before, _) = audit_moves(&app).await?;

    let mut racers = Vec::new();
    for n in 0..20 {
        let body = if n % 2 == 0 {
            json!({"decision": "approve", "grade": "良", "version": version})
        } else {
            json!({"decision": "return", "comment": format!("第{n}位审核人退回"), "version": version})
        };
        let request = client
            .post(app.url(&format!("/api/v1/projects/{id}/review")))
            .bearer_auth(&token)
            .json(&body);
        racers.push(tokio::spawn(async move {
            let response = request.send().await?;
            let status = response.status();
            let body: Value = response.json().await.unwrap_or(Value::Null);
            Ok::<_, reqwest::Error>((status, body))
        }));
    }
    let mut winners = Vec::new();
    let mut losers = Vec::new();
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
            losers.push(code.to_owned());
        }
    }
    assert_eq!(winners.len(), 1, "exactly one decision wins: {winners:?}");
    assert_eq!(losers.len(), 19);
    let winner = &winners[0];
    assert_eq!(winner["version"].as_i64(), Some(version + 1));
    assert_ne!(
        (winner["state"].clone(), winner["review_step"].clone()),
        (json!("submitted"), step),
        "the winner moved the project"
    );
    // One move, one audit record.
    let (audit_after, newest) = audit_moves(&app).await?;
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

/// How many records finance has on projects in the audit log, and the newest one (read as the
/// administrator; newest first).
async fn audit_moves(app: &TestApp) -> Result<(i64, Value), Box<dyn std::error::Error>> {
    let admin = app.token("admin").await?;
    let page: Value = Client::new()
        .get(app.url("/api/v1/audit?actor=finance&entity=project"))
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
