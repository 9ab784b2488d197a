//! Concurrent payments with bad ones mixed in: every valid payment is acknowledged exactly once,
//! every invalid one is refused alone with a 4xx, and nothing answers 500 — on SQLite and (with
//! `JIXIAO_TEST_DATABASE_URL`) PostgreSQL, where many requests share one group commit.

use crate::support::{TestApp, TestResult, call};
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};
use std::collections::HashMap;

/// A small deterministic random source, so a failing round can be replayed from its seed.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Projects of 2019 whose allotments have at least `at_least` fen available: (id, available).
async fn payable_projects(
    app: &TestApp,
    token: &str,
    at_least: i64,
) -> Result<Vec<(i64, i64)>, Box<dyn std::error::Error>> {
    let (_, list) = call(app, token, Method::GET, "/api/v1/projects?year=2019", None).await?;
    let mut found = Vec::new();
    for project in list["projects"].as_array().ok_or("projects")? {
        let id = project["id"].as_i64().ok_or("id")?;
        let (status, allotment) = call(
            app,
            token,
            Method::GET,
            &format!("/api/v1/projects/{id}/allotment"),
            None,
        )
        .await?;
        if status == StatusCode::OK
            && allotment["suspended"] == false
            && allotment["available_fen"].as_i64().unwrap_or(0) >= at_least
        {
            found.push((id, allotment["available_fen"].as_i64().unwrap_or(0)));
        }
        if found.len() == 4 {
            break;
        }
    }
    assert!(
        found.len() >= 2,
        "the demo has payable 2019 projects: {list}"
    );
    Ok(found)
}

/// What a request is expected to get.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    /// Paid once (201), or the same receipt again (200) for a copy.
    Paid,
    /// Refused with this status.
    Refused(u16),
    /// One of a pair with the same id and different content: one is paid, the other refused.
    Contested,
}

#[tokio::test]
async fn concurrent_payments_with_bad_ones_mixed_in_fail_only_themselves() -> TestResult {
    let app = TestApp::start_full().await?;
    let token = app.token("finance").await?;
    let projects = payable_projects(&app, &token, 1_000_000).await?;
    let client = Client::new();
    for seed in [0x9E37_79B9_7F4A_7C15_u64, 0xD1B5_4A32_D192_ED03] {
        let mut dice = Dice(seed);
        let before = payments_total(&app, &token).await?;
        let mut requests: Vec<(Value, Expect)> = Vec::new();
        for n in 0..150 {
            let id = format!("R{seed:x}-{n}");
            let (project, _) = projects[dice.below(projects.len() as u64) as usize];
            let amount = 100 + dice.below(900) as i64;
            let valid = json!({"request_id": id, "project_id": project, "amount_fen": amount,
                "payee": "乐陵市某公司", "purpose": "并发测试"});
            match dice.below(10) {
                0 => {
                    let mut bad = valid.clone();
                    bad["payee"] = json!("乐陵\u{0}公司");
                    requests.push((bad, Expect::Refused(422)));
                }
                1 => {
                    let mut bad = valid.clone();
                    bad["project_id"] = json!(987_654_321);
                    requests.push((bad, Expect::Refused(404)));
                }
                2 => {
                    let mut bad = valid.clone();
                    bad["amount_fen"] = json!(999_999_999_999_i64);
                    requests.push((bad, Expect::Refused(409)));
                }
                3 => {
                    // The same request sent three times at once.
                    for _ in 0..3 {
                        requests.push((valid.clone(), Expect::Paid));
                    }
                }
                4 => {
                    let mut other = valid.clone();
                    other["amount_fen"] = json!(amount + 1);
                    requests.push((valid, Expect::Contested));
                    requests.push((other, Expect::Contested));
                }
                _ => requests.push((valid, Expect::Paid)),
            }
        }
        // Shuffle, so copies and bad requests land in different groups.
        for i in (1..requests.len()).rev() {
            let j = dice.below(i as u64 + 1) as usize;
            requests.swap(i, j);
        }
        let mut tasks = Vec::new();
        for (body, expect) in requests {
            let client = client.clone();
            let url = app.url("/api/v1/payments");
            let token = token.clone();
            tasks.push(tokio::spawn(async move {
                let response = client
                    .post(url)
                    .bearer_auth(token)
                    .json(&body)
                    .send()
                    .await?;
                let status = response.status().as_u16();
                let answer: Value = response.json().await.unwrap_or(Value::Null);
                Ok::<_, reqwest::Error>((body, expect, status, answer))
            }));
        }
        // Per request id: the statuses and receipt ids seen.
        let mut by_id: HashMap<String, Vec<(Expect, u16, Option<i64>)>> = HashMap::new();
        for task in tasks {
            let (body, expect, status, answer) = task.await??;
            assert!(status < 500, "never a 5xx: {status} {answer} for {body}");
            let id = body["request_id"].as_str().ok_or("id")?.to_owned();
            if let Expect::Refused(code) = expect {
                assert_eq!(status, code, "refused alone: {body} → {answer}");
                assert!(answer["error"]["code"].is_string(), "{answer}");
            }
            by_id
                .entry(id)
                .or_default()
                .push((expect, status, answer["id"].as_i64()));
        }
        for (id, seen) in &by_id {
            match seen[0].0 {
                Expect::Refused(_) => {}
                Expect::Paid => {
                    let created = seen.iter().filter(|s| s.1 == 201).count();
                    assert_eq!(created, 1, "{id} paid exactly once: {seen:?}");
                    assert!(seen.iter().all(|s| s.1 == 201 || s.1 == 200), "{seen:?}");
                    assert!(
                        seen.iter().all(|s| s.2 == seen[0].2),
                        "one receipt {seen:?}"
                    );
                }
                Expect::Contested => {
                    let mut statuses: Vec<u16> = seen.iter().map(|s| s.1).collect();
                    statuses.sort_unstable();
                    assert_eq!(statuses, vec![201, 409], "{id}: one wins, one refused");
                }
            }
        }
        // Every acknowledged payment is stored once, and the ledger agrees with the balances.
        let paid = by_id
            .values()
            .filter(|seen| seen.iter().any(|s| s.1 == 201))
            .count() as i64;
        assert_eq!(payments_total(&app, &token).await? - before, paid);
        let reconciliation = app.db.store.reconcile().await?;
        assert!(
            reconciliation.discrepancies.is_empty(),
            "{:?}",
            reconciliation.discrepancies
        );
    }
    Ok(())
}

/// How many payments and refunds are stored.
async fn payments_total(app: &TestApp, token: &str) -> Result<i64, Box<dyn std::error::Error>> {
    let (_, list) = call(app, token, Method::GET, "/api/v1/payments", None).await?;
    Ok(list["total"].as_i64().ok_or("total")?)
}
