//! `jixiao bench registry`: the Leling-scale assistance registry (6,772 households × N) generated,
//! written as the national person export (.xlsx), read back, imported as `jixiao import
//! households` imports it (plan, then store), imported again (nothing may change), the
//! departments' enjoyment lists imported, and the coverage check run twice; every step timed.
//! On a scratch database: a temporary SQLite file, or a new schema on the PostgreSQL database
//! --database names (dropped at the end).

use anyhow::{Context, anyhow, bail};
use jixiao_core::Actor;
use jixiao_interop::household_export;
use jixiao_store::demo::registry_scale::{self, Problem};
use jixiao_store::test_support::TestDatabase;
use jixiao_store::{ImportChangeKind, Store};
use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::{Duration, Instant};

fn store_error(e: jixiao_store::Error) -> anyhow::Error {
    anyhow!("{e}")
}

fn line(step: &str, took: Duration, what: String) {
    println!("{step:<44} {:>9.2} s  {what}", took.as_secs_f64());
}

/// Runs the benchmark at `scale`; `database` is the global --database (PostgreSQL only: a
/// scratch schema is made in it).
pub async fn run(scale: u32, database: &str) -> anyhow::Result<ExitCode> {
    let base = database.starts_with("postgres").then_some(database);
    let started = Instant::now();
    let registry = registry_scale::generate(scale);
    let people = registry.people();
    line(
        "generate",
        started.elapsed(),
        format!(
            "{} households, {people} people, {} enjoyments, {} seeded problems",
            registry.households.len(),
            registry.enjoyments.len(),
            registry.seeded.len()
        ),
    );
    let as_of = registry_scale::as_of();
    let started = Instant::now();
    let bytes = household_export::write_xlsx(
        &registry.households,
        "防返贫监测信息系统 人员信息表",
        &format!("导出单位：371481  数据日期：{as_of}"),
    )?;
    line(
        "write the person export (.xlsx)",
        started.elapsed(),
        format!("{:.1} MB", bytes.len() as f64 / 1_048_576.0),
    );

    let db = TestDatabase::on(base).await.map_err(store_error)?;
    let outcome = measure(&db.store, &registry, &bytes, people).await;
    db.remove().await.map_err(store_error)?;
    outcome
}

async fn measure(
    store: &Store,
    registry: &registry_scale::ScaleRegistry,
    bytes: &[u8],
    people: usize,
) -> anyhow::Result<ExitCode> {
    println!("backend: {:?}", store.backend());
    let as_of = registry_scale::as_of();
    jixiao_store::demo::load_base(store)
        .await
        .map_err(store_error)?;
    jixiao_store::demo::registry::load_tree(store)
        .await
        .map_err(store_error)?;
    store
        .load_areas(
            &Actor::system(),
            jixiao_store::demo::LELING,
            &registry.villages,
        )
        .await
        .map_err(store_error)?;
    let office = store
        .user(&Actor::system(), "bangfu")
        .await
        .map_err(store_error)?
        .actor();

    let started = Instant::now();
    let file = household_export::read(bytes, as_of).context("reading the export")?;
    let read = started.elapsed();
    line(
        "read the export",
        read,
        format!("{} rows, {} problems", file.rows, file.errors.len()),
    );
    if !file.errors.is_empty() {
        bail!("the generated export has problems: {:?}", &file.errors[..1]);
    }
    if file.households.len() != registry.households.len() {
        bail!("the export read back {} households", file.households.len());
    }
    let started = Instant::now();
    let plan = store
        .import_households(&office, &file.households, &file.errors, as_of, true)
        .await
        .map_err(store_error)?;
    let planned = started.elapsed();
    line(
        "import: plan (dry run)",
        planned,
        format!("{} new households", plan.counts.new_households),
    );
    let started = Instant::now();
    let done = store
        .import_households(&office, &file.households, &file.errors, as_of, false)
        .await
        .map_err(store_error)?;
    let stored = started.elapsed();
    line(
        "import: store (one transaction)",
        stored,
        format!(
            "{} households, {} people",
            done.counts.new_households, done.counts.new_people
        ),
    );
    let whole = read + planned + stored;
    line(
        "import households, as the command does",
        whole,
        format!(
            "read + plan + store: {:.0} people/s",
            people as f64 / whole.as_secs_f64()
        ),
    );
    let started = Instant::now();
    let again = store
        .import_households(&office, &file.households, &file.errors, as_of, false)
        .await
        .map_err(store_error)?;
    let changes = again
        .changes
        .iter()
        .filter(|c| c.kind != ImportChangeKind::AbsentHousehold)
        .count();
    line(
        "import again (the same file)",
        started.elapsed(),
        format!(
            "{} unchanged households, {changes} changes",
            again.counts.unchanged_households
        ),
    );
    if changes != 0 || again.counts.unchanged_households != registry.households.len() {
        bail!("importing the same file again changed something");
    }
    let started = Instant::now();
    let mut records = 0;
    let lists = registry_scale::enjoyment_lists(registry);
    for (department, rows) in &lists {
        let done = store
            .import_enjoyments(&office, Some(department), rows, &[], false)
            .await
            .map_err(store_error)?;
        records += done.new_records;
    }
    line(
        "enjoyment lists",
        started.elapsed(),
        format!("{records} records from {} departments", lists.len()),
    );

    let mut run = 0;
    for label in ["coverage check (first run)", "coverage check (second run)"] {
        let started = Instant::now();
        run = store
            .run_policy_check(&office, None, as_of)
            .await
            .map_err(store_error)?;
        let took = started.elapsed();
        let summary = store
            .policy_check(&office, run)
            .await
            .map_err(store_error)?;
        line(
            label,
            took,
            format!(
                "{} households, {} people, {} findings",
                summary.run.households, summary.run.people, summary.run.findings
            ),
        );
    }
    // Each seeded problem is one finding of its rule; other rules are the problems' companions.
    let summary = store
        .policy_check(&office, run)
        .await
        .map_err(store_error)?;
    let mut seeded: BTreeMap<&str, i64> = BTreeMap::new();
    for s in &registry.seeded {
        *seeded.entry(s.problem.rule()).or_default() += 1;
    }
    let companions: Vec<&str> = Problem::ALL
        .iter()
        .flat_map(|(p, _)| p.also().iter().copied())
        .collect();
    let mut wrong = Vec::new();
    println!("{:<36} {:>8} {:>8}", "rule", "seeded", "found");
    for tally in &summary.by_rule {
        let expected = seeded.get(tally.code.as_str()).copied().unwrap_or(0);
        println!("{:<36} {expected:>8} {:>8}", tally.code, tally.open);
        if tally.open != expected && !companions.contains(&tally.code.as_str()) {
            wrong.push(tally.code.clone());
        }
    }
    for (rule, n) in &seeded {
        if !summary.by_rule.iter().any(|t| t.code == *rule) {
            println!("{rule:<36} {n:>8} {:>8}", 0);
            wrong.push((*rule).to_owned());
        }
    }
    if !wrong.is_empty() {
        bail!("the check did not find what was seeded: {wrong:?}");
    }
    Ok(ExitCode::SUCCESS)
}
