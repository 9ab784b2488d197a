//! `jixiao bench`: figures for the speed the issues ask for, measured on a scratch database
//! (a temporary SQLite file, or a fresh schema on `JIXIAO_TEST_DATABASE_URL`).

use crate::cli::BenchCommand;
use anyhow::{Context, anyhow};
use jixiao_core::Actor;
use jixiao_core::project::ProjectState;
use jixiao_store::test_support::TestDatabase;
use jixiao_store::{ProjectFilter, Store};
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Runs a benchmark (`database`: the global --database, used only by those that say so).
pub async fn run(command: BenchCommand, database: &str) -> anyhow::Result<ExitCode> {
    match command {
        BenchCommand::Registry { scale } => {
            crate::bench_registry::run(scale.max(1), database).await
        }
        BenchCommand::Projects { count, runs } => projects(count, runs.max(1)).await,
        BenchCommand::Export { count } => export(count).await,
        BenchCommand::Payments {
            payments: group,
            naive_payments,
            allotments,
            clients,
            writers,
        } => {
            crate::bench_payments::run(
                group,
                naive_payments,
                allotments.max(1),
                clients.max(1),
                writers.map(|w| w.max(1)),
            )
            .await
        }
        BenchCommand::TargetReview { projects, runs } => {
            crate::bench_target_review::run(projects.max(1), runs.max(1)).await
        }
        BenchCommand::HttpPayments {
            payments,
            allotments,
            clients,
            batch,
        } => {
            crate::bench_http_payments::run(
                payments.max(1),
                allotments.max(1),
                clients.max(1),
                batch,
            )
            .await
        }
        BenchCommand::Uploads { users, rounds } => {
            crate::bench_uploads::run(users.max(1), rounds.max(1)).await
        }
        BenchCommand::Province {
            scale,
            payments_per_allotment,
            runs,
        } => crate::bench_province::run(scale, payments_per_allotment, runs.max(1), database).await,
        BenchCommand::Visits { scale, runs } => {
            crate::bench_visits::run(scale.max(1), runs.max(1), database).await
        }
    }
}

/// Quantiles of a query's times.
pub(crate) struct Figures {
    pub(crate) median: Duration,
    pub(crate) p95: Duration,
    pub(crate) p99: Duration,
    pub(crate) max: Duration,
}

pub(crate) fn figures(mut times: Vec<Duration>) -> Figures {
    times.sort_unstable();
    let at = |q: f64| {
        let index = ((times.len() as f64 - 1.0) * q).round() as usize;
        times.get(index).copied().unwrap_or_default()
    };
    Figures {
        median: at(0.5),
        p95: at(0.95),
        p99: at(0.99),
        max: times.last().copied().unwrap_or_default(),
    }
}

/// Runs `query` `runs` times: the figures of its times and its last result.
pub(crate) async fn time<F, Fut, T>(runs: usize, mut query: F) -> anyhow::Result<(Figures, T)>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, jixiao_store::Error>>,
{
    let mut times = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs {
        let started = Instant::now();
        let result = query().await.map_err(|e| anyhow!("{e}"))?;
        times.push(started.elapsed());
        last = Some(result);
    }
    Ok((figures(times), last.ok_or_else(|| anyhow!("no run"))?))
}

/// A scratch database with the demo's agencies and users and a library of `count` projects of 2020.
async fn library(count: usize) -> anyhow::Result<TestDatabase> {
    let db = TestDatabase::new().await.map_err(|e| anyhow!("{e}"))?;
    let store: &Store = &db.store;
    println!("backend: {:?}", store.backend());
    jixiao_store::demo::load_base(store)
        .await
        .map_err(|e| anyhow!("{e}"))?;
    let started = Instant::now();
    store
        .seed_benchmark_projects(jixiao_store::demo::LELING, 2020, count)
        .await
        .map_err(|e| anyhow!("{e}"))
        .context("seeding projects")?;
    println!(
        "seeded {count} projects in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(db)
}

async fn projects(count: usize, runs: usize) -> anyhow::Result<ExitCode> {
    let db = library(count).await?;
    let outcome: anyhow::Result<ExitCode> = async {
        let store: &Store = &db.store;
        let finance = actor(store, "finance").await?;
        let agency = actor(store, "agency").await?;
        let year = |f: ProjectFilter| ProjectFilter {
            year: Some(2020),
            ..f
        };
        let cases: Vec<(&str, &Actor, ProjectFilter, i64)> = vec![
            (
                "finance: year, page 1",
                &finance,
                year(ProjectFilter::default()),
                1,
            ),
            (
                "finance: year + state submitted",
                &finance,
                year(ProjectFilter {
                    state: Some(ProjectState::Submitted),
                    ..ProjectFilter::default()
                }),
                1,
            ),
            (
                "finance: year + agency 114",
                &finance,
                year(ProjectFilter {
                    agency_code: Some("114".into()),
                    ..ProjectFilter::default()
                }),
                1,
            ),
            (
                "finance: year + name search",
                &finance,
                year(ProjectFilter {
                    search: Some("体检".into()),
                    ..ProjectFilter::default()
                }),
                1,
            ),
            (
                "finance: year, page 1000",
                &finance,
                year(ProjectFilter::default()),
                1000,
            ),
            (
                "agency 114 subtree: year",
                &agency,
                year(ProjectFilter::default()),
                1,
            ),
        ];
        println!(
            "{:<36} {:>8} {:>10} {:>10} {:>10}",
            "query (50 rows a page + totals)", "matches", "median ms", "p95 ms", "max ms"
        );
        for (label, actor, filter, page) in cases {
            let (f, result) = time(runs, || store.projects(actor, &filter, page, 50)).await?;
            println!(
                "{label:<36} {:>8} {:>10.2} {:>10.2} {:>10.2}",
                result.total,
                f.median.as_secs_f64() * 1e3,
                f.p95.as_secs_f64() * 1e3,
                f.max.as_secs_f64() * 1e3
            );
        }
        let (f, figures_2020) = time(runs, || store.year_figures(&finance, 2020)).await?;
        println!(
            "{:<36} {:>8} {:>10.2} {:>10.2} {:>10.2}",
            "finance: year figures (dashboard)",
            figures_2020
                .by_state
                .iter()
                .map(|t| t.projects)
                .sum::<i64>(),
            f.median.as_secs_f64() * 1e3,
            f.p95.as_secs_f64() * 1e3,
            f.max.as_secs_f64() * 1e3
        );
        Ok(ExitCode::SUCCESS)
    }
    .await;
    // The scratch schema goes with the run (a SQLite file goes when `db` is dropped).
    db.remove().await.map_err(|e| anyhow!("{e}"))?;
    outcome
}

/// A figure of `/proc/PROCESS/status` in KiB (`VmRSS:`, `VmHWM:`; PROCESS a pid or `self`), if
/// the system has one.
pub(crate) fn memory_kib(process: &str, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{process}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

async fn export(count: usize) -> anyhow::Result<ExitCode> {
    let db = library(count).await?;
    let outcome: anyhow::Result<ExitCode> = async {
        let store: &Store = &db.store;
        let finance = actor(store, "finance").await?;
        let filter = ProjectFilter {
            year: Some(2020),
            ..ProjectFilter::default()
        };
        // Peak memory from here on: reset the high-water mark (Linux), note the resident size.
        let _ = std::fs::write("/proc/self/clear_refs", "5");
        let before = memory_kib("self", "VmRSS:");
        let started = Instant::now();
        let (file, rows) =
            jixiao_web::pages::project_library_xlsx(store, &finance, &filter, "基准测试项目库")
                .await
                .map_err(|e| anyhow!("{:?}", e.0))?;
        let size = file.metadata()?.len();
        let elapsed = started.elapsed();
        let peak = memory_kib("self", "VmHWM:");
        println!(
            "exported {rows} rows in {:.2} s ({:.0} rows/s), file {:.1} MB",
            elapsed.as_secs_f64(),
            rows as f64 / elapsed.as_secs_f64(),
            size as f64 / 1_048_576.0
        );
        if rows != u64::try_from(count)? {
            return Err(anyhow!("exported {rows} rows of {count}"));
        }
        if let (Some(before), Some(peak)) = (before, peak) {
            println!(
                "resident memory before {:.1} MB, peak during export {:.1} MB (+{:.1} MB)",
                before as f64 / 1024.0,
                peak as f64 / 1024.0,
                peak.saturating_sub(before) as f64 / 1024.0
            );
        }
        Ok(ExitCode::SUCCESS)
    }
    .await;
    // The scratch schema goes with the run (a SQLite file goes when `db` is dropped).
    db.remove().await.map_err(|e| anyhow!("{e}"))?;
    outcome
}

async fn actor(store: &Store, username: &str) -> anyhow::Result<Actor> {
    Ok(store
        .user(&Actor::system(), username)
        .await
        .map_err(|e| anyhow!("{e}"))?
        .actor())
}
