//! `jixiao bench province`: Shandong's 16 cities and 136 counties generated at a scale factor
//! (1.0 is a province's year: ≈ 503,000 projects, 5 million indicators, ≈ 10 million payments),
//! seeding timed, then every list and dashboard query timed for a county user (乐陵市), its
//! city (德州市, 11 counties), the province and a county department (乐陵市卫生健康局 and its
//! units): median, p95, p99 and max over the runs. On a scratch database: a temporary SQLite file,
//! or a new schema on the PostgreSQL database --database names (dropped at the end).

use crate::bench::{Figures, figures, time};
use anyhow::anyhow;
use jixiao_core::project::ProjectState;
use jixiao_core::{Actor, Role};
use jixiao_store::demo::province::{self, ProvinceOptions};
use jixiao_store::test_support::TestDatabase;
use jixiao_store::{ProjectFilter, Store};
use std::process::ExitCode;
use std::time::{Duration, Instant};

const YEAR: i32 = 2020;

fn store_error(e: jixiao_store::Error) -> anyhow::Error {
    anyhow!("{e}")
}

/// Runs the benchmark.
pub async fn run(
    scale: f64,
    payments_per_allotment: usize,
    runs: usize,
    database: &str,
) -> anyhow::Result<ExitCode> {
    if !(scale > 0.0 && scale <= 4.0) {
        return Err(anyhow!("--scale must be in (0, 4]"));
    }
    let base = database.starts_with("postgres").then_some(database);
    let db = TestDatabase::on(base).await.map_err(store_error)?;
    let outcome = measure(&db.store, scale, payments_per_allotment, runs).await;
    db.remove().await.map_err(store_error)?;
    outcome
}

fn finance(jurisdiction: &str) -> Actor {
    Actor {
        user_id: None,
        name: format!("bench {jurisdiction}"),
        role: Role::Finance,
        jurisdiction: Some(jurisdiction.to_owned()),
        agency_id: None,
    }
}

fn report(label: &str, rows: impl std::fmt::Display, f: &Figures) {
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "{label:<48} {:>9} {:>9.2} {:>9.2} {:>9.2} {:>9.2}",
        rows.to_string(),
        ms(f.median),
        ms(f.p95),
        ms(f.p99),
        ms(f.max)
    );
}

async fn measure(
    store: &Store,
    scale: f64,
    payments_per_allotment: usize,
    runs: usize,
) -> anyhow::Result<ExitCode> {
    println!("backend: {:?}, scale {scale}", store.backend());
    jixiao_store::demo::load_base(store)
        .await
        .map_err(store_error)?;
    let seeded = province::load_province(
        store,
        &ProvinceOptions {
            year: YEAR,
            scale,
            payments_per_allotment,
            skip_counties_with_projects: false,
            paid_through_month: 11,
            business_date: None,
        },
    )
    .await
    .map_err(store_error)?;
    let seconds = seeded.data.as_secs_f64();
    println!(
        "seeded {} counties: {} agencies, {} projects, {} indicators, {} allotments, {} payments",
        seeded.counties,
        seeded.agencies,
        seeded.projects,
        seeded.indicators,
        seeded.allotments,
        seeded.payments
    );
    println!(
        "seeding: jurisdictions, years and rulebook {:.1} s; data {seconds:.1} s \
         ({:.0} projects/s, {:.0} payments/s); planner statistics {:.1} s",
        seeded.setup.as_secs_f64(),
        seeded.projects as f64 / seconds,
        seeded.payments as f64 / seconds,
        seeded.statistics.as_secs_f64()
    );

    let leling = jixiao_store::demo::LELING;
    let health = store
        .agency_by_code(leling, "114")
        .await
        .map_err(store_error)?
        .ok_or_else(|| anyhow!("no agency 114 in {leling}"))?;
    let users: Vec<(&str, Actor)> = vec![
        ("county 乐陵市", finance(leling)),
        ("city 德州市", finance("371400")),
        ("province 山东省", finance("370000")),
        (
            "agency 乐陵市卫生健康局 (subtree)",
            Actor {
                role: Role::Agency,
                agency_id: Some(health.id),
                ..finance(leling)
            },
        ),
    ];
    println!(
        "{:<48} {:>9} {:>9} {:>9} {:>9} {:>9}",
        "query (50 rows a page + totals), ms", "rows", "median", "p95", "p99", "max"
    );
    let year = |f: ProjectFilter| ProjectFilter {
        year: Some(YEAR),
        ..f
    };
    for (who, actor) in &users {
        let lists: Vec<(&str, ProjectFilter, i64)> = vec![
            ("list, page 1", year(ProjectFilter::default()), 1),
            (
                "list, state submitted",
                year(ProjectFilter {
                    state: Some(ProjectState::Submitted),
                    ..ProjectFilter::default()
                }),
                1,
            ),
            (
                "list, name search 体检",
                year(ProjectFilter {
                    search: Some("体检".into()),
                    ..ProjectFilter::default()
                }),
                1,
            ),
            (
                "list, name search （3712） (rare)",
                year(ProjectFilter {
                    search: Some("（3712）".into()),
                    ..ProjectFilter::default()
                }),
                1,
            ),
            (
                "list, agency 114",
                year(ProjectFilter {
                    agency_code: Some("114".into()),
                    ..ProjectFilter::default()
                }),
                1,
            ),
            ("list, page 20", year(ProjectFilter::default()), 20),
        ];
        for (what, filter, page) in lists {
            let (times, result) = time(runs, || store.projects(actor, &filter, page, 50)).await?;
            // A search over the province counts up to the cap (decision 0053): "5000+".
            let rows = format!(
                "{}{}",
                result.total,
                if result.total_capped { "+" } else { "" }
            );
            report(&format!("{who}: {what}"), rows, &times);
        }
        let (times, figures) = time(runs, || store.year_figures(actor, YEAR)).await?;
        report(
            &format!("{who}: year figures (coverage API)"),
            figures.by_state.iter().map(|t| t.projects).sum::<i64>(),
            &times,
        );
        let (times, dashboard) = time(runs, || store.dashboard(actor, YEAR, None)).await?;
        report(
            &format!("{who}: dashboard (rows)"),
            i64::try_from(dashboard.agencies.len())?,
            &times,
        );
    }
    let mut rebuilds = Vec::with_capacity(3);
    for _ in 0..3 {
        let started = Instant::now();
        store.rebuild_scope_rollups().await.map_err(store_error)?;
        rebuilds.push(started.elapsed());
    }
    println!(
        "rollups for the city and province dashboards rebuilt (median of 3): {:.2} s",
        figures(rebuilds).median.as_secs_f64()
    );
    refresh_after_payments(store, leling, runs.clamp(3, 20)).await?;
    let started = Instant::now();
    let check = store.check_scope_rollups().await.map_err(store_error)?;
    println!(
        "rollups checked against their rows (rollups verify): {} rows, {} differences, {:.2} s",
        check.rows,
        check.differences.len(),
        started.elapsed().as_secs_f64()
    );
    if !check.differences.is_empty() {
        return Err(anyhow!("the rollups differ from their rows: {check:?}"));
    }
    let started = Instant::now();
    let reconciliation = store.reconcile().await.map_err(store_error)?;
    println!(
        "reconciliation: {} allotments, {} discrepancies, {:.2} s",
        reconciliation.allotments,
        reconciliation.discrepancies.len(),
        started.elapsed().as_secs_f64()
    );
    if !reconciliation.discrepancies.is_empty() {
        return Err(anyhow!("the generated ledgers do not reconcile"));
    }
    Ok(ExitCode::SUCCESS)
}

/// The minute's refresh of the rollups (decision 0055) when nothing changed, and after one
/// payment in one county: it rebuilds that county's year only.
async fn refresh_after_payments(store: &Store, county: &str, runs: usize) -> anyhow::Result<()> {
    let (idle, last) = time(runs, || store.refresh_scope_rollups()).await?;
    if !last.rebuilt.is_empty() {
        return Err(anyhow!("the refresh with nothing changed rebuilt {last:?}"));
    }
    // A project to pay from: the county's first approved one, else the province's (a tiny
    // scale may leave the county none).
    let mut project = None;
    for scope in [county, "370000"] {
        let approved = store
            .projects(
                &finance(scope),
                &ProjectFilter {
                    year: Some(YEAR),
                    state: Some(ProjectState::Approved),
                    ..ProjectFilter::default()
                },
                1,
                1,
            )
            .await
            .map_err(store_error)?;
        if let Some(found) = approved.projects.into_iter().next() {
            project = Some(found);
            break;
        }
    }
    let Some(project) = project else {
        println!(
            "rollups refreshed with nothing changed: median {:.2} ms; no approved project to pay from",
            idle.median.as_secs_f64() * 1e3
        );
        return Ok(());
    };
    let county = project.jurisdiction_code.as_str();
    let actor = finance(county);
    let mut after_payment = Vec::with_capacity(runs);
    for run in 0..runs {
        let request = crate::bench_payments::payment("bench-rollup", run, project.id);
        store
            .treasury(&actor, &request)
            .await
            .map_err(store_error)?;
        let started = Instant::now();
        let round = store.refresh_scope_rollups().await.map_err(store_error)?;
        after_payment.push(started.elapsed());
        if round.whole || round.rebuilt != vec![(county.to_owned(), Some(YEAR))] {
            return Err(anyhow!("the refresh after one payment rebuilt {round:?}"));
        }
    }
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let after_payment = figures(after_payment);
    println!(
        "rollups refreshed with nothing changed: median {:.2} ms, max {:.2} ms; \
         after a payment in {county}, its year rebuilt: median {:.2} ms, max {:.2} ms",
        ms(idle.median),
        ms(idle.max),
        ms(after_payment.median),
        ms(after_payment.max)
    );
    Ok(())
}
