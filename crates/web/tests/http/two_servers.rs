//! Two app servers on one PostgreSQL database, as a province runs them behind a reverse proxy:
//! each with its own pool, group-commit writers and background jobs. The treasury system sends
//! the same `request_id`s to both at the same moment (a retry after a timeout lands on the other
//! server): each id counts exactly once (one 201, every other copy a 200 replay of the same
//! receipt; a payment refused for want of money is refused to every copy), no answer is a 500, no allotment is overspent and each payment has one
//! ledger entry and one audit record. The races run when `JIXIAO_TEST_DATABASE_URL` is set (on
//! SQLite one process owns the file, so there is no second server to race); the health check's
//! test runs on both.

use crate::support::{TestApp, TestResult, call, on_postgres};
use jixiao_store::test_support::TEST_DATABASE_ENV;
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};

/// Keys sent, and copies of each (420 requests in all, as in the measurement).
const KEYS: usize = 140;
const COPIES: usize = 3;
/// Allotments the keys spread over.
const ALLOTMENTS: usize = 4;

/// Projects of 2019 with an open allotment and money available: (project id, available fen).
async fn open_allotments(
    app: &TestApp,
    token: &str,
    wanted: usize,
) -> Result<Vec<(i64, i64)>, Box<dyn std::error::Error>> {
    let (_, list) = call(
        app,
        token,
        Method::GET,
        "/api/v1/projects?year=2019&per_page=100",
        None,
    )
    .await?;
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
        let available = allotment["available_fen"].as_i64().unwrap_or(0);
        if status == StatusCode::OK && allotment["suspended"] == json!(false) && available > 10_000
        {
            found.push((id, available));
        }
        if found.len() == wanted {
            return Ok(found);
        }
    }
    Err(format!("the demo has fewer than {wanted} open allotments of 2019").into())
}

/// Sends every `(server, path, body)` at once; answers (status, body) in the same order.
async fn fire(
    token: &str,
    requests: Vec<(String, &'static str, Value)>,
) -> Result<Vec<(StatusCode, Value)>, Box<dyn std::error::Error>> {
    let client = Client::new();
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(requests.len()));
    let mut tasks = Vec::new();
    for (base, path, body) in requests {
        let request = client
            .post(format!("{base}{path}"))
            .bearer_auth(token)
            .json(&body);
        let barrier = barrier.clone();
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            let response = request.send().await?;
            let status = response.status();
            let body = response.json::<Value>().await.unwrap_or(Value::Null);
            Ok::<_, reqwest::Error>((status, body))
        }));
    }
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await??);
    }
    Ok(answers)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_same_request_ids_at_two_servers_at_once_pay_once_and_never_fail() -> TestResult {
    if !on_postgres() {
        eprintln!("skipped: two servers share a PostgreSQL database ({TEST_DATABASE_ENV})");
        return Ok(());
    }
    let app = TestApp::start_full().await?;
    let servers = [app.base.clone(), app.second_server().await?];
    // Sessions live in the database: a token from one server is good at the other.
    let token = app.token("finance").await?;
    let allotments = open_allotments(&app, &token, ALLOTMENTS).await?;

    // Each allotment gets KEYS / ALLOTMENTS keys asking for more than it holds in all, so some
    // are refused for want of money while their copies race.
    let mut payments = Vec::new();
    for key in 0..KEYS {
        let (project, available) = allotments[key % ALLOTMENTS];
        let amount = available / (KEYS / ALLOTMENTS * 2 / 3) as i64;
        payments.push(json!({
            "request_id": format!("GK-2S-{key:04}"), "project_id": project, "amount_fen": amount,
            "payee": "乐陵市财政局", "purpose": "两台服务器同时收到的支付", "paid_on": "2019-12-20"
        }));
    }
    let mut requests = Vec::new();
    for copy in 0..COPIES {
        for (key, payment) in payments.iter().enumerate() {
            requests.push((
                servers[(key + copy) % 2].clone(),
                "/api/v1/payments",
                payment.clone(),
            ));
        }
    }
    let answers = fire(&token, requests).await?;

    let mut by_key: HashMap<String, Vec<(StatusCode, Value)>> = HashMap::new();
    for (n, answer) in answers.into_iter().enumerate() {
        let key = payments[n % KEYS]["request_id"]
            .as_str()
            .ok_or("key")?
            .to_owned();
        by_key.entry(key).or_default().push(answer);
    }
    let failures: Vec<_> = by_key
        .iter()
        .flat_map(|(key, answers)| answers.iter().map(move |a| (key, a)))
        .filter(|(_, (status, _))| status.is_server_error())
        .collect();
    assert!(failures.is_empty(), "no 500: {failures:?}");

    let mut paid: HashMap<String, i64> = HashMap::new();
    for (key, answers) in &by_key {
        let created: Vec<&Value> = answers
            .iter()
            .filter(|(s, _)| *s == StatusCode::CREATED)
            .map(|(_, b)| b)
            .collect();
        match created.as_slice() {
            [receipt] => {
                for (status, body) in answers {
                    match *status {
                        StatusCode::CREATED => {}
                        StatusCode::OK => assert_eq!(body, *receipt, "a replay of {key}"),
                        other => panic!("{key}: {other} {body}"),
                    }
                }
                paid.insert(key.clone(), receipt["amount_fen"].as_i64().ok_or("amount")?);
            }
            [] => {
                for (status, body) in answers {
                    assert_eq!(*status, StatusCode::CONFLICT, "{key}: {body}");
                    assert_eq!(body["error"]["code"], "insufficient_funds", "{key}: {body}");
                }
            }
            more => panic!("{key} was paid {} times", more.len()),
        }
    }
    assert!(!paid.is_empty(), "some payments went through");
    assert!(paid.len() < KEYS, "some were refused for want of money");

    // Each allotment moved by exactly what was paid against it, and is not overspent; each
    // payment has one ledger entry.
    for (index, (project, available)) in allotments.iter().enumerate() {
        let keys: HashSet<String> = (index..KEYS)
            .step_by(ALLOTMENTS)
            .map(|k| format!("GK-2S-{k:04}"))
            .collect();
        let spent: i64 = paid
            .iter()
            .filter(|(k, _)| keys.contains(*k))
            .map(|(_, a)| a)
            .sum();
        let (_, allotment) = call(
            &app,
            &token,
            Method::GET,
            &format!("/api/v1/projects/{project}/allotment"),
            None,
        )
        .await?;
        assert_eq!(allotment["available_fen"].as_i64(), Some(available - spent));
        assert!(available - spent >= 0, "never overspent");
        let (_, ledger) = call(
            &app,
            &token,
            Method::GET,
            &format!("/api/v1/projects/{project}/ledger"),
            None,
        )
        .await?;
        let mut entries: HashMap<String, usize> = HashMap::new();
        for entry in ledger.as_array().ok_or("ledger")? {
            if let Some(reference) = entry["reference"].as_str()
                && keys.contains(reference)
            {
                *entries.entry(reference.to_owned()).or_default() += 1;
            }
        }
        for key in &keys {
            let expected = usize::from(paid.contains_key(key));
            assert_eq!(entries.get(key).copied().unwrap_or(0), expected, "{key}");
        }
    }

    // One audit record per payment, and the chain unbroken.
    let records = app
        .db
        .store
        .audit_log_before(
            &jixiao_core::Actor::system(),
            &jixiao_store::AuditFilter::default(),
            None,
            5000,
        )
        .await?;
    let mut audited: HashMap<String, usize> = HashMap::new();
    for record in records.iter().filter(|r| r.action == "treasury.payment") {
        let details: Value = serde_json::from_str(&record.details)?;
        if let Some(key) = details["request_id"].as_str() {
            *audited.entry(key.to_owned()).or_default() += 1;
        }
    }
    for key in by_key.keys() {
        let expected = usize::from(paid.contains_key(key));
        assert_eq!(audited.get(key).copied().unwrap_or(0), expected, "{key}");
    }
    app.db.store.verify_audit_chain().await?;
    eprintln!(
        "two servers: {} requests, {} keys paid once, {} refused for want of money, no 500",
        KEYS * COPIES,
        paid.len(),
        KEYS - paid.len()
    );
    Ok(())
}

/// The answers per key: statuses with bodies, from every copy.
type ByKey = HashMap<String, Vec<(StatusCode, Value)>>;

/// Checks each key's answers: exactly one 201, every other copy a 200 replay of its receipt.
fn exactly_once(by_key: &ByKey) {
    for (key, answers) in by_key {
        let created: Vec<&Value> = answers
            .iter()
            .filter(|(s, _)| *s == StatusCode::CREATED)
            .map(|(_, b)| b)
            .collect();
        assert_eq!(created.len(), 1, "{key}: {answers:?}");
        for (status, body) in answers {
            match *status {
                StatusCode::CREATED => {}
                StatusCode::OK => assert_eq!(body, created[0], "a replay of {key}"),
                other => panic!("{key}: {other} {body}"),
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn refunds_reservations_releases_and_batches_at_two_servers_count_once() -> TestResult {
    if !on_postgres() {
        eprintln!("skipped: two servers share a PostgreSQL database ({TEST_DATABASE_ENV})");
        return Ok(());
    }
    let app = TestApp::start_full().await?;
    let servers = [app.base.clone(), app.second_server().await?];
    let token = app.token("finance").await?;
    let allotments = open_allotments(&app, &token, ALLOTMENTS).await?;
    const EACH: usize = 12;

    // Payments and reservations made before the race, one at a time.
    for n in 0..EACH {
        let (project, _) = allotments[n % ALLOTMENTS];
        for (path, body) in [
            (
                "/api/v1/payments",
                json!({"request_id": format!("GK-P-{n}"), "project_id": project, "amount_fen": 5_000, "payee": "某公司", "purpose": "先行支付"}),
            ),
            (
                "/api/v1/reservations",
                json!({"request_id": format!("GK-R-{n}"), "project_id": project, "amount_fen": 3_000, "purpose": "用款计划"}),
            ),
        ] {
            let (status, answer) = call(&app, &token, Method::POST, path, Some(body)).await?;
            assert_eq!(status, StatusCode::CREATED, "{answer}");
        }
    }

    // Now each new request goes to both servers twice, all at once: refunds of those payments,
    // releases of those reservations, new reservations and payments against reservations.
    let mut bodies: Vec<(&'static str, Value)> = Vec::new();
    for n in 0..EACH {
        let (project, _) = allotments[n % ALLOTMENTS];
        bodies.push((
            "/api/v1/refunds",
            json!({"request_id": format!("GK-F-{n}"), "payment_request_id": format!("GK-P-{n}"), "amount_fen": 1_000, "purpose": "退回多付"}),
        ));
        bodies.push((
            "/api/v1/reservations/release",
            json!({"request_id": format!("GK-L-{n}"), "reservation_request_id": format!("GK-R-{n}")}),
        ));
        bodies.push((
            "/api/v1/reservations",
            json!({"request_id": format!("GK-N-{n}"), "project_id": project, "amount_fen": 2_000, "purpose": "新用款计划"}),
        ));
        bodies.push((
            "/api/v1/payments",
            json!({"request_id": format!("GK-Q-{n}"), "project_id": allotments[(n + 1) % ALLOTMENTS].0, "amount_fen": 700, "payee": "某公司", "purpose": "另一笔支付"}),
        ));
    }
    let mut requests = Vec::new();
    for copy in 0..4 {
        for (path, body) in &bodies {
            requests.push((servers[copy % 2].clone(), *path, body.clone()));
        }
    }
    let answers = fire(&token, requests).await?;
    let mut by_key: ByKey = HashMap::new();
    for (n, answer) in answers.into_iter().enumerate() {
        let key = bodies[n % bodies.len()].1["request_id"]
            .as_str()
            .ok_or("key")?
            .to_owned();
        by_key.entry(key).or_default().push(answer);
    }
    exactly_once(&by_key);

    // The same batch of payments posted to both servers twice at once: each item paid once.
    let items: Vec<Value> = (0..40)
        .map(|n| {
            json!({"request_id": format!("GK-B-{n}"), "project_id": allotments[n % ALLOTMENTS].0,
                   "amount_fen": 300, "payee": "某公司", "purpose": "批量支付"})
        })
        .collect();
    let batch = json!({ "items": items });
    let requests = (0..4)
        .map(|copy| {
            (
                servers[copy % 2].clone(),
                "/api/v1/payments/batch",
                batch.clone(),
            )
        })
        .collect();
    let answers = fire(&token, requests).await?;
    let mut by_key: ByKey = HashMap::new();
    for (status, body) in answers {
        assert_eq!(status, StatusCode::OK, "{body}");
        for result in body["results"].as_array().ok_or("results")? {
            let index = result["index"].as_u64().ok_or("index")? as usize;
            let status = StatusCode::from_u16(result["status"].as_u64().ok_or("status")? as u16)?;
            let answer = match &result["receipt"] {
                Value::Null => json!({"error": result["error"].clone()}),
                receipt => receipt.clone(),
            };
            by_key
                .entry(format!("GK-B-{index}"))
                .or_default()
                .push((status, answer));
        }
    }
    exactly_once(&by_key);
    app.db.store.verify_audit_chain().await?;
    Ok(())
}

/// The health check the proxy and the operators poll: `200 ok` while a server reaches the
/// database, `503` once it does not — the other server goes on answering 200. On both backends.
#[tokio::test]
async fn a_server_that_loses_the_database_fails_its_health_check_alone() -> TestResult {
    let app = TestApp::start().await?;
    let (second, store) = app.second_server_and_store().await?;
    for base in [&app.base, &second] {
        let health = reqwest::get(format!("{base}/healthz")).await?;
        assert_eq!(health.status(), StatusCode::OK);
        assert_eq!(health.text().await?, "ok");
    }
    // The second server's connections are gone (as when its network to the database fails).
    store.close().await;
    let health = reqwest::get(format!("{second}/healthz")).await?;
    assert_eq!(health.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(health.text().await?, "database unavailable");
    let health = reqwest::get(app.url("/healthz")).await?;
    assert_eq!(
        health.status(),
        StatusCode::OK,
        "the first server still serves"
    );
    Ok(())
}
