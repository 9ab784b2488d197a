//! `jixiao bench payments`: payments per second and latency from concurrent clients over many
//! allotments, naive (one transaction per payment) against group commit, in one run, on a
//! scratch database; the invariant and the reconciliation are checked at the end.

use anyhow::anyhow;
use jixiao_core::treasury::{Target, TreasuryRequest};
use jixiao_core::{Actor, Role};
use jixiao_store::test_support::TestDatabase;
use jixiao_store::{GroupCommitter, Store};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

fn finance() -> Actor {
    Actor {
        user_id: None,
        name: "bench".to_owned(),
        role: Role::Finance,
        jurisdiction: Some(jixiao_store::demo::LELING.to_owned()),
        agency_id: None,
    }
}

/// The amount of the benchmark's `n`th payment: 1 to 100 fen.
pub(crate) fn amount_fen(n: usize) -> i64 {
    1 + (n % 100) as i64
}

/// The project the benchmark's `n`th payment pays: spread over the allotments in a scattered
/// order.
pub(crate) fn project_of(projects: &[i64], n: usize) -> i64 {
    projects[(n.wrapping_mul(7919)) % projects.len()]
}

/// A scratch database (see [`TestDatabase`]) with the demo's jurisdictions, agencies and users
/// and `allotments` approved projects of 2020, each with an allotment too large to run out.
/// Returns the database and the projects' ids.
pub(crate) async fn scratch_allotments(
    allotments: usize,
) -> anyhow::Result<(TestDatabase, Vec<i64>)> {
    let db = TestDatabase::new().await.map_err(|e| anyhow!("{e}"))?;
    let seeded: anyhow::Result<Vec<i64>> = async {
        jixiao_store::demo::load_base(&db.store)
            .await
            .map_err(|e| anyhow!("{e}"))?;
        let started = Instant::now();
        let projects = db
            .store
            .seed_benchmark_allotments(
                jixiao_store::demo::LELING,
                2020,
                allotments,
                1_000_000_000_000,
            )
            .await
            .map_err(|e| anyhow!("{e}"))?;
        println!("seeded in {:.1} s", started.elapsed().as_secs_f64());
        Ok(projects)
    }
    .await;
    match seeded {
        Ok(projects) => Ok((db, projects)),
        Err(error) => {
            db.remove().await.map_err(|e| anyhow!("{e}"))?;
            Err(error)
        }
    }
}

/// Checks that the allotments' used amounts add up to the `accepted` fen and that every
/// allotment reconciles, prints both, and says whether they hold.
pub(crate) async fn ledger_holds(store: &Store, accepted: i64) -> anyhow::Result<bool> {
    let reconciled = store.reconcile().await.map_err(|e| anyhow!("{e}"))?;
    let used: i64 = store
        .allotments_for_export(&Actor::system(), Some(2020))
        .await
        .map_err(|e| anyhow!("{e}"))?
        .iter()
        .map(|a| a.used_fen)
        .sum();
    println!(
        "invariant: used {used} fen = accepted {accepted} fen: {}; reconciliation: {} allotments, {} discrepancies",
        if used == accepted { "yes" } else { "NO" },
        reconciled.allotments,
        reconciled.discrepancies.len()
    );
    Ok(used == accepted && reconciled.discrepancies.is_empty())
}

/// Payment `n` of a run named `mode` from `project_id`'s allotment (1–100 fen, in June 2020).
pub(crate) fn payment(mode: &str, n: usize, project_id: i64) -> TreasuryRequest {
    TreasuryRequest::Payment {
        request_id: format!("{mode}-{n}"),
        target: Target {
            project_id: Some(project_id),
            code: None,
        },
        amount_fen: amount_fen(n),
        payee: "基准测试收款人".to_owned(),
        purpose: "基准测试".to_owned(),
        paid_on: Some("2020-06-30".to_owned()),
        reservation_request_id: None,
    }
}

struct Run {
    accepted: usize,
    amount: i64,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

async fn drive(
    mode: &'static str,
    total: usize,
    clients: usize,
    projects: Arc<Vec<i64>>,
    send: Arc<dyn Fn(TreasuryRequest) -> futures_like::BoxFuture + Send + Sync>,
) -> anyhow::Result<Run> {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (next, projects, send) = (next.clone(), projects.clone(), send.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let (mut accepted, mut amount) = (0usize, 0i64);
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= total {
                    break;
                }
                let request = payment(mode, n, project_of(&projects, n));
                let sent = Instant::now();
                let result = send(request).await;
                latencies.push(sent.elapsed());
                if let Ok(fen) = result {
                    accepted += 1;
                    amount += fen;
                }
            }
            (accepted, amount, latencies)
        }));
    }
    let mut run = Run {
        accepted: 0,
        amount: 0,
        elapsed: Duration::ZERO,
        latencies: Vec::with_capacity(total),
    };
    for task in tasks {
        let (accepted, amount, latencies) = task.await?;
        run.accepted += accepted;
        run.amount += amount;
        run.latencies.extend(latencies);
    }
    run.elapsed = started.elapsed();
    Ok(run)
}

/// A boxed future of a payment's amount (or its refusal), to drive both paths alike.
mod futures_like {
    pub type BoxFuture =
        std::pin::Pin<Box<dyn std::future::Future<Output = Result<i64, String>> + Send>>;
}

fn report(label: &str, run: &mut Run) {
    run.latencies.sort_unstable();
    let at = |q: f64| {
        let i = ((run.latencies.len() as f64 - 1.0) * q).round() as usize;
        run.latencies
            .get(i)
            .copied()
            .unwrap_or_default()
            .as_secs_f64()
            * 1e3
    };
    println!(
        "{label:<34} {:>9} {:>10.0} {:>9.2} {:>9.2}",
        run.accepted,
        run.accepted as f64 / run.elapsed.as_secs_f64(),
        at(0.5),
        at(0.99)
    );
}

/// Runs the benchmark.
pub async fn run(
    group: usize,
    naive: usize,
    allotments: usize,
    clients: usize,
    writers: Option<usize>,
) -> anyhow::Result<ExitCode> {
    let (db, projects) = scratch_allotments(allotments).await?;
    let outcome: anyhow::Result<ExitCode> = async {
        let store: Store = db.store.clone();
        println!(
            "backend: {:?}; {allotments} allotments; {clients} concurrent clients",
            store.backend()
        );
        let projects = Arc::new(projects);
        println!(
            "{:<34} {:>9} {:>10} {:>9} {:>9}",
            "path", "payments", "per second", "p50 ms", "p99 ms"
        );
        let actor = Arc::new(finance());

        let naive_store = store.clone();
        let naive_actor = actor.clone();
        let send: Arc<dyn Fn(TreasuryRequest) -> futures_like::BoxFuture + Send + Sync> =
            Arc::new(move |request| {
                let (store, actor) = (naive_store.clone(), naive_actor.clone());
                Box::pin(async move {
                    store
                        .treasury(&actor, &request)
                        .await
                        .map(|o| o.receipt.amount_fen)
                        .map_err(|e| e.to_string())
                })
            });
        let mut naive_run = drive("NAIVE", naive, clients, projects.clone(), send).await?;
        report("naive: one transaction per payment", &mut naive_run);

        let writers = writers.unwrap_or(GroupCommitter::writers_for(store.backend()));
        let committer = GroupCommitter::start(store.clone(), writers, 512);
        let counter = committer.clone();
        let group_actor = actor.clone();
        let send: Arc<dyn Fn(TreasuryRequest) -> futures_like::BoxFuture + Send + Sync> =
            Arc::new(move |request| {
                let (committer, actor) = (committer.clone(), group_actor.clone());
                Box::pin(async move {
                    committer
                        .submit(&actor, request)
                        .await
                        .map(|o| o.receipt.amount_fen)
                        .map_err(|e| e.to_string())
                })
            });
        let mut group_run = drive("GROUP", group, clients, projects.clone(), send).await?;
        report(
            &format!("group commit ({writers} writer(s))"),
            &mut group_run,
        );
        let (commits, carried) = counter.counts();
        println!(
            "group commit: {commits} commits, {:.1} payments per commit",
            carried as f64 / commits.max(1) as f64
        );

        let accepted = naive_run.amount + group_run.amount;
        let ledger_holds = ledger_holds(&store, accepted).await?;
        // The dashboard's execution by month after the run: from the payment months (what
        // the dashboard reads) against the scan of the year's payments it replaced.
        let runs = 5;
        let (mut from_months, mut from_payments) = (Vec::new(), Vec::new());
        let (mut board, mut scanned) = (None, Vec::new());
        for _ in 0..runs {
            let started = Instant::now();
            board = Some(
                store
                    .dashboard(&actor, 2020, None)
                    .await
                    .map_err(|e| anyhow!("{e}"))?,
            );
            from_months.push(started.elapsed());
            let started = Instant::now();
            scanned = store
                .benchmark_months_from_payments(2020)
                .await
                .map_err(|e| anyhow!("{e}"))?;
            from_payments.push(started.elapsed());
        }
        from_months.sort();
        from_payments.sort();
        let months_agree = board.as_ref().is_some_and(|b| {
            let paid: i64 = b.months.iter().map(|m| m.paid_fen).sum();
            paid == scanned.iter().map(|(_, fen)| fen).sum::<i64>()
        });
        println!(
            "dashboard (whole view, median of {runs}): {:.1} ms; execution by month scanning the \
             year's payments (the query it replaced, median): {:.1} ms; same sums: {}",
            from_months[runs / 2].as_secs_f64() * 1000.0,
            from_payments[runs / 2].as_secs_f64() * 1000.0,
            if months_agree { "yes" } else { "NO" }
        );
        Ok(if ledger_holds && months_agree {
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
