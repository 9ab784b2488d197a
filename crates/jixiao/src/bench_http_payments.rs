//! `jixiao bench http-payments`: payments per second over HTTP — concurrent clients posting to
//! `POST /api/v1/payments` (or `/payments/batch`, K a request) of the server run as its own
//! process on a scratch database with allotments — with latency, statuses and the server's peak
//! memory; the invariant and the reconciliation are checked on the database after it stops.

use crate::bench_payments::{amount_fen, ledger_holds, project_of, scratch_allotments};
use crate::bench_server::Server;
use anyhow::anyhow;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// What the clients saw, per payment (items of a batch count one by one) and per request.
#[derive(Default)]
struct Tally {
    /// Paid (201).
    created: usize,
    /// Answered with the earlier receipt (200): a request id seen before.
    replayed: usize,
    /// Refused with a 4xx.
    refused: usize,
    /// Failed with a 5xx.
    failed: usize,
    /// No answer (connection or timeout).
    unanswered: usize,
    /// The fen of the payments paid.
    accepted_fen: i64,
    /// HTTP statuses of the requests (0: no answer).
    statuses: BTreeMap<u16, usize>,
    latencies: Vec<Duration>,
}

impl Tally {
    /// Counts one payment of `amount` answered with `status`.
    fn item(&mut self, status: u16, amount: i64) {
        match status {
            201 => {
                self.created += 1;
                self.accepted_fen += amount;
            }
            200 => self.replayed += 1,
            400..=499 => self.refused += 1,
            _ => self.failed += 1,
        }
    }

    fn add(&mut self, other: Tally) {
        self.created += other.created;
        self.replayed += other.replayed;
        self.refused += other.refused;
        self.failed += other.failed;
        self.unanswered += other.unanswered;
        self.accepted_fen += other.accepted_fen;
        for (status, count) in other.statuses {
            *self.statuses.entry(status).or_default() += count;
        }
        self.latencies.extend(other.latencies);
    }
}

/// The body of the `n`th payment.
fn payment(n: usize, projects: &[i64]) -> Value {
    json!({
        "request_id": format!("HTTP-{n}"),
        "project_id": project_of(projects, n),
        "amount_fen": amount_fen(n),
        "payee": "基准测试收款人",
        "purpose": "基准测试",
        "paid_on": "2020-06-30",
    })
}

/// A bearer token of the demo's finance user.
async fn sign_in(client: &reqwest::Client, base: &str) -> anyhow::Result<String> {
    let response = client
        .post(format!("{base}/api/v1/session"))
        .json(&json!({"username": "finance", "password": jixiao_store::demo::DEMO_PASSWORD}))
        .send()
        .await?;
    let status = response.status();
    let body: Value = response.json().await?;
    body["token"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| anyhow!("sign-in as finance: {status} {body}"))
}

/// Posts request `r` — payments `r·batch` up to `(r+1)·batch` (short of `total`) — and counts
/// what came back.
async fn post(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    (r, batch, total): (usize, usize, usize),
    projects: &[i64],
    tally: &mut Tally,
) {
    let numbers: Vec<usize> = (r * batch..((r + 1) * batch).min(total)).collect();
    let (url, body) = if batch == 1 {
        (
            format!("{base}/api/v1/payments"),
            payment(numbers[0], projects),
        )
    } else {
        let items: Vec<Value> = numbers.iter().map(|n| payment(*n, projects)).collect();
        (
            format!("{base}/api/v1/payments/batch"),
            json!({ "items": items }),
        )
    };
    let sent = Instant::now();
    let answer = async {
        let response = client
            .post(url)
            .bearer_auth(token)
            .json(&body)
            .send()
            .await?;
        let status = response.status().as_u16();
        let text = response.bytes().await?;
        Ok::<_, reqwest::Error>((status, text))
    }
    .await;
    tally.latencies.push(sent.elapsed());
    let Ok((status, text)) = answer else {
        *tally.statuses.entry(0).or_default() += 1;
        tally.unanswered += numbers.len();
        return;
    };
    *tally.statuses.entry(status).or_default() += 1;
    if batch == 1 || status != 200 {
        for n in &numbers {
            tally.item(status, amount_fen(*n));
        }
        return;
    }
    // A batch answers 200 with a result per item, in order.
    let results: Value = serde_json::from_slice(&text).unwrap_or(Value::Null);
    let results = results["results"].as_array().map_or(&[][..], Vec::as_slice);
    for (i, n) in numbers.iter().enumerate() {
        let item = results
            .get(i)
            .and_then(|r| r["status"].as_u64())
            .and_then(|s| u16::try_from(s).ok())
            .unwrap_or(500);
        tally.item(item, amount_fen(*n));
    }
}

/// Runs the benchmark: `payments` over `allotments` from `clients` at once, `batch` a request.
pub async fn run(
    payments: usize,
    allotments: usize,
    clients: usize,
    batch: u16,
) -> anyhow::Result<ExitCode> {
    let batch = usize::from(batch).max(1);
    let (db, projects) = scratch_allotments(allotments).await?;
    let outcome: anyhow::Result<ExitCode> = async {
        let endpoint = if batch == 1 {
            "POST /api/v1/payments".to_owned()
        } else {
            format!("POST /api/v1/payments/batch, {batch} payments a request")
        };
        println!(
            "backend: {:?}; {allotments} allotments; {clients} concurrent clients; {endpoint}",
            db.store.backend()
        );
        let started = Instant::now();
        let server = Server::start(&db.url, &[]).await?;
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(clients)
            .timeout(Duration::from_secs(300))
            .build()?;
        let token = sign_in(&client, &server.base).await?;
        println!(
            "server started and signed in as finance in {:.1} s; its peak memory so far (VmHWM): {:.1} MB",
            started.elapsed().as_secs_f64(),
            server.memory_kib("VmHWM:")? as f64 / 1024.0
        );

        let requests = payments.div_ceil(batch);
        let next = Arc::new(AtomicUsize::new(0));
        let projects = Arc::new(projects);
        let started = Instant::now();
        let mut tasks = Vec::with_capacity(clients);
        for _ in 0..clients {
            let (client, base, token) = (client.clone(), server.base.clone(), token.clone());
            let (next, projects) = (next.clone(), projects.clone());
            tasks.push(tokio::spawn(async move {
                let mut tally = Tally::default();
                loop {
                    let r = next.fetch_add(1, Ordering::Relaxed);
                    if r >= requests {
                        break;
                    }
                    post(
                        &client,
                        &base,
                        &token,
                        (r, batch, payments),
                        &projects,
                        &mut tally,
                    )
                    .await;
                }
                tally
            }));
        }
        let mut tally = Tally::default();
        for task in tasks {
            tally.add(task.await?);
        }
        let elapsed = started.elapsed().as_secs_f64();
        let (peak_kb, resident_kb) = (
            server.memory_kib("VmHWM:")?,
            server.memory_kib("VmRSS:")?,
        );
        drop(server);

        let answered = tally.latencies.len();
        let times = crate::bench::figures(std::mem::take(&mut tally.latencies));
        println!(
            "payments: {} paid of {payments} in {elapsed:.2} s: {:.0} payments/s, {:.0} requests/s; \
             latency a request p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            tally.created,
            tally.created as f64 / elapsed,
            answered as f64 / elapsed,
            times.median.as_secs_f64() * 1e3,
            times.p99.as_secs_f64() * 1e3,
            times.max.as_secs_f64() * 1e3,
        );
        let statuses: Vec<String> = tally
            .statuses
            .iter()
            .map(|(status, count)| match status {
                0 => format!("no answer ×{count}"),
                _ => format!("{status} ×{count}"),
            })
            .collect();
        println!(
            "statuses: requests {}; payments: 201 paid {}, 200 replayed {}, 4xx {}, 5xx {}, no answer {}",
            statuses.join(", "),
            tally.created,
            tally.replayed,
            tally.refused,
            tally.failed,
            tally.unanswered
        );
        println!(
            "server memory: peak (VmHWM) {:.1} MB, resident at the end (VmRSS) {:.1} MB",
            peak_kb as f64 / 1024.0,
            resident_kb as f64 / 1024.0
        );
        let holds = ledger_holds(&db.store, tally.accepted_fen).await?;
        let all_paid = tally.created == payments;
        if !all_paid {
            println!(
                "NOT every payment was paid: {} of {payments}",
                tally.created
            );
        }
        Ok(if holds && all_paid && tally.failed == 0 {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(2)
        })
    }
    .await;
    // The scratch schema goes with the run (a SQLite file goes when `db` is dropped).
    db.remove().await.map_err(|e| anyhow!("{e}"))?;
    outcome
}
