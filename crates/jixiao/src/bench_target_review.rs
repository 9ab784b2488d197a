//! `jixiao bench target-review`: the target review (智能预审) over a year of N projects with
//! about ten indicators each, read from a scratch database in batches and reviewed — the code
//! path of `jixiao review targets --year` — timed in wall and CPU time.

use anyhow::{Context, anyhow};
use jixiao_core::Actor;
use jixiao_store::Store;
use jixiao_store::test_support::TestDatabase;
use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// CPU time of the whole process, every thread (the database's included), from
/// `/proc/self/stat` (Linux; `None` elsewhere).
fn process_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // Linux reports them in USER_HZ, 100 a second on every mainstream kernel.
    Some(Duration::from_millis(ticks * 10))
}

/// Runs the benchmark: seeds `count` projects of 2020 and reviews the year `runs` times.
pub async fn run(count: usize, runs: usize) -> anyhow::Result<ExitCode> {
    let db = TestDatabase::new().await.map_err(|e| anyhow!("{e}"))?;
    let outcome: anyhow::Result<ExitCode> = async {
        let store: &Store = &db.store;
        println!("backend: {:?}", store.backend());
        jixiao_store::demo::load_base(store)
            .await
            .map_err(|e| anyhow!("{e}"))?;
        let started = Instant::now();
        let seeded = store
            .seed_benchmark_target_sheets(jixiao_store::demo::LELING, 2020, count)
            .await
            .map_err(|e| anyhow!("{e}"))
            .context("seeding target sheets")?;
        println!(
            "seeded {count} projects with {seeded} indicators in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        let system = Actor::system();
        for run in 1..=runs {
            let cpu_before = process_cpu();
            let started = Instant::now();
            let reviewed = crate::target_review::review_year(store, &system, 2020, None).await?;
            let wall = started.elapsed();
            let cpu = process_cpu()
                .zip(cpu_before)
                .map(|(after, before)| after.saturating_sub(before));
            let indicators: usize = reviewed.iter().map(|p| p.indicators).sum();
            let findings: usize = reviewed.iter().map(|p| p.findings.len()).sum();
            let with_findings = reviewed.iter().filter(|p| !p.findings.is_empty()).count();
            let blocked = reviewed
                .iter()
                .filter(|p| jixiao_core::target_review::blocks_submission(&p.findings))
                .count();
            if reviewed.len() != count || indicators != seeded {
                return Err(anyhow!(
                    "reviewed {} projects and {indicators} indicators of {count} and {seeded}",
                    reviewed.len()
                ));
            }
            println!(
                "run {run}: reviewed {} projects, {indicators} indicators in {:.2} s wall, {} CPU \
                 (all threads); {findings} findings, {with_findings} projects with findings, \
                 {blocked} blocked",
                reviewed.len(),
                wall.as_secs_f64(),
                cpu.map_or_else(
                    || "unknown".to_owned(),
                    |c| format!("{:.2} s", c.as_secs_f64())
                ),
            );
            if run == runs {
                let mut by_code: BTreeMap<&str, usize> = BTreeMap::new();
                for finding in reviewed.iter().flat_map(|p| &p.findings) {
                    *by_code.entry(finding.code.as_str()).or_default() += 1;
                }
                let counts: Vec<String> = by_code.iter().map(|(c, n)| format!("{c} {n}")).collect();
                println!("findings by code: {}", counts.join(", "));
            }
        }
        Ok(ExitCode::SUCCESS)
    }
    .await;
    // The scratch schema goes with the run (a SQLite file goes when `db` is dropped).
    db.remove().await.map_err(|e| anyhow!("{e}"))?;
    outcome
}
