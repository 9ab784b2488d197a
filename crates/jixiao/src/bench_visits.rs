//! `jixiao bench visits`: the full demo's registry (the Leling-scale one × N, 375
//! households screened, 300 cases) with a year of visits at Leling's rhythm loaded in bulk (timed: the demo's load
//! time), then the compliance view of the peak month (December, about 13,600 visits at scale 1)
//! read as the county office reads it, several times (median, min, max), and the monitoring
//! board by township on that month's last day (cases, measures, alerts and the month's visits
//! per township: the assistance dashboard), as many times. On a scratch
//! database: a temporary SQLite file, or a new schema on the PostgreSQL database --database
//! names (dropped at the end).

use anyhow::anyhow;
use jixiao_core::Actor;
use jixiao_store::Store;
use jixiao_store::demo::{self, registry_scale};
use jixiao_store::test_support::TestDatabase;
use std::process::ExitCode;
use std::time::{Duration, Instant};

fn store_error(e: jixiao_store::Error) -> anyhow::Error {
    anyhow!("{e}")
}

fn line(step: &str, took: Duration, what: String) {
    println!("{step:<44} {:>9.3} s  {what}", took.as_secs_f64());
}

/// Runs the benchmark at `scale`, reading the compliance view `runs` times.
pub async fn run(scale: u32, runs: usize, database: &str) -> anyhow::Result<ExitCode> {
    let base = database.starts_with("postgres").then_some(database);
    let db = TestDatabase::on(base).await.map_err(store_error)?;
    let outcome = measure(&db.store, scale, runs).await;
    db.remove().await.map_err(store_error)?;
    outcome
}

async fn measure(store: &Store, scale: u32, runs: usize) -> anyhow::Result<ExitCode> {
    println!("backend: {:?}", store.backend());
    let started = Instant::now();
    demo::load_base(store).await.map_err(store_error)?;
    demo::registry::load(store).await.map_err(store_error)?;
    registry_scale::load(store, scale)
        .await
        .map_err(store_error)?;
    let cases = demo::monitoring_cases::load(store, demo::MONITORED_HOUSEHOLDS)
        .await
        .map_err(store_error)?;
    line(
        "registry and monitoring cases",
        started.elapsed(),
        format!("{cases} cases"),
    );
    let started = Instant::now();
    let visits = demo::visits::load_year(store, demo::VISITS_YEAR)
        .await
        .map_err(store_error)?;
    line(
        "a year of visits, in bulk (demo load)",
        started.elapsed(),
        format!("{visits} visits"),
    );
    let office = store
        .user(&Actor::system(), "bangfu")
        .await
        .map_err(store_error)?
        .actor();
    let month = format!("{}-12", demo::VISITS_YEAR);
    let mut times = Vec::with_capacity(runs);
    let mut report = None;
    for _ in 0..runs {
        let started = Instant::now();
        report = Some(
            store
                .visit_compliance(&office, &month)
                .await
                .map_err(store_error)?,
        );
        times.push(started.elapsed());
    }
    times.sort();
    let report = report.ok_or_else(|| anyhow!("no run"))?;
    line(
        "compliance view of the peak month (median)",
        times[times.len() / 2],
        format!(
            "{month}: {} households due, {} visits due, {} done, {} helpers, {} villages; \
             min {:.3} s, max {:.3} s over {runs} runs",
            report.total.households_due,
            report.total.visits_due,
            report.total.visits_done,
            report.helpers.len(),
            report.villages.len(),
            times[0].as_secs_f64(),
            times[times.len() - 1].as_secs_f64()
        ),
    );
    let last_day = chrono::NaiveDate::from_ymd_opt(demo::VISITS_YEAR, 12, 31)
        .ok_or_else(|| anyhow!("no last day"))?;
    let mut times = Vec::with_capacity(runs);
    let mut board = Vec::new();
    for _ in 0..runs {
        let started = Instant::now();
        board = store
            .township_board(&office, last_day)
            .await
            .map_err(store_error)?;
        times.push(started.elapsed());
    }
    times.sort();
    let total = board.last().cloned().unwrap_or_default();
    line(
        "board by township on the peak month (median)",
        times[times.len() / 2],
        format!(
            "{} townships; {} monitored, {} measures, {} alerts, visits {}/{} ({}%); \
             min {:.3} s, max {:.3} s over {runs} runs",
            board.len().saturating_sub(1),
            total.monitored,
            total.measures,
            total.alerts(),
            total.visits_done,
            total.visits_due,
            total.visits_percent,
            times[0].as_secs_f64(),
            times[times.len() - 1].as_secs_f64()
        ),
    );
    let started = Instant::now();
    let june = store
        .visit_compliance(&office, &format!("{}-06", demo::VISITS_YEAR))
        .await
        .map_err(store_error)?;
    line(
        "compliance view of June",
        started.elapsed(),
        format!(
            "{} visits done, {} households behind",
            june.total.visits_done, june.total.households_behind
        ),
    );
    Ok(ExitCode::SUCCESS)
}
