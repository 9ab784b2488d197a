//! Demo visits (走访, decision 0044). [`load_year`]: a year of visits at Leling's rhythm over
//! every household of the registry — each household due the rulebook's figure for its type (more
//! when under monitoring), a share of households one visit short that shrinks from spring to the
//! December peak (about 13,600 visits at scale 1) — inserted in bulk in one transaction with one
//! audit entry. [`load_examples`]: a few visits through `Store::record_visit` by the demo helper,
//! with problems that became rectification items (one closed), so the pages are not empty.
//! Deterministic.

use super::LELING;
use crate::audit::append;
use crate::{ProblemInput, RectificationClose, Result, Store, VisitInput, visit_rules};
use chrono::NaiveDate;
use jixiao_core::Actor;
use jixiao_core::assistance::visits::month_bounds;
use jixiao_core::audit::AuditEntry;
use jixiao_core::time;
use serde_json::json;
use sqlx::QueryBuilder;
use std::collections::HashSet;

/// Per month, the share (percent) of households visited as often as due; the others are one
/// visit short. December is the peak: every household on schedule.
const ON_SCHEDULE_PERCENT: [u64; 12] = [72, 70, 78, 82, 85, 86, 84, 88, 90, 93, 96, 100];

struct Row {
    household: i64,
    visited_on: String,
    month: String,
}

/// Loads a year of visits over every household of the demo jurisdiction, unless the bulk load
/// ran already (the few example visits do not count). Returns how many were inserted.
pub async fn load_year(store: &Store, year: i32) -> Result<usize> {
    let rules = visit_rules()?;
    let existing: i64 = on_pool!(&store.pool, |pool| {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM visits WHERE jurisdiction_code = $1 AND visitor = 'demo'",
        )
        .bind(LELING)
        .fetch_one(pool)
        .await?
    });
    if existing > 0 {
        return Ok(0);
    }
    let households: Vec<(i64, String)> = on_pool!(&store.pool, |pool| {
        sqlx::query_as(
            "SELECT id, household_type FROM households WHERE jurisdiction_code = $1 ORDER BY id",
        )
        .bind(LELING)
        .fetch_all(pool)
        .await?
    });
    // A household is under monitoring in a month as the compliance view counts it: a case
    // opened by the month's end, not eliminated before its start.
    let cases: Vec<(i64, String, Option<String>)> = on_pool!(&store.pool, |pool| {
        sqlx::query_as(
            "SELECT household_id, opened_on, eliminated_on FROM risk_cases \
             WHERE state <> 'not_included'",
        )
        .fetch_all(pool)
        .await?
    });
    let mut rows = Vec::new();
    for (m, share) in (1u32..=12).zip(ON_SCHEDULE_PERCENT) {
        let month = format!("{year}-{m:02}");
        let (first, last) =
            month_bounds(&month).ok_or_else(|| crate::Error::Internal(format!("month {month}")))?;
        let (first, last) = (first.to_string(), last.to_string());
        let monitored: HashSet<i64> = cases
            .iter()
            .filter(|(_, opened, eliminated)| {
                *opened <= last && eliminated.as_ref().is_none_or(|e| *e >= first)
            })
            .map(|(household, _, _)| *household)
            .collect();
        for (id, kind) in &households {
            let due = rules.visits_due(kind, monitored.contains(id));
            let key = u64::try_from(*id).unwrap_or_default();
            let mixed = key
                .wrapping_mul(2_654_435_761)
                .wrapping_add(u64::from(m) * 97)
                % 100;
            let done = if mixed < share {
                due
            } else {
                due.saturating_sub(1)
            };
            for k in 0..done {
                // Spread over the month: the first visit in the first fortnight, the next ones
                // a week or two apart.
                let day = 1 + (key % 13) + u64::from(k) * (27 / u64::from(done.max(1)));
                let day = u32::try_from(day.min(28)).unwrap_or(28);
                rows.push(Row {
                    household: *id,
                    visited_on: format!("{year}-{m:02}-{day:02}"),
                    month: month.clone(),
                });
            }
        }
    }
    let now = time::now();
    let mut tx = store.begin().await?;
    for chunk in rows.chunks(2000) {
        on_tx!(&mut tx, |conn| {
            let mut query = QueryBuilder::new(
                "INSERT INTO visits (jurisdiction_code, household_id, visitor_user_id, visitor, \
                 visitor_role, visited_on, month, people_met, actions, created_at) ",
            );
            query.push_values(chunk, |mut row, r| {
                row.push_bind(LELING)
                    .push_bind(r.household)
                    .push("NULL, 'demo', 'helper'")
                    .push_bind(r.visited_on.clone())
                    .push_bind(r.month.clone())
                    .push("'户主', '了解近况，宣讲政策'")
                    .push_bind(now);
            });
            query.build().execute(&mut *conn).await?;
        });
    }
    append(
        &mut tx,
        AuditEntry::new("system", "visit.bulk_load", "visit", LELING)
            .in_jurisdiction(Some(LELING))
            .with_details(json!({"year": year, "visits": rows.len()})),
    )
    .await?;
    tx.commit().await?;
    // A bulk load leaves the planner's statistics behind (PostgreSQL would walk the year's
    // visits once per household of the compliance view): refresh them for what it reads.
    store
        .refresh_planner_statistics(&["visits", "households", "people", "risk_cases"])
        .await?;
    Ok(rows.len())
}

/// A few visits by the demo helper (`bangfuren`) to households of 杨安镇 in August 2020, with
/// problems that became rectification items, one of them closed.
pub async fn load_examples(store: &Store) -> Result<()> {
    let system = Actor::system();
    let helper = store.user(&system, "bangfuren").await?.actor();
    let (households, _) = store.households(&helper, None, 1, 4).await?;
    let day = |d: u32| NaiveDate::from_ymd_opt(2020, 8, d).unwrap_or_default();
    let problems = [
        vec![ProblemInput {
            class: "housing".to_owned(),
            description: "西屋屋顶漏雨，需维修".to_owned(),
        }],
        vec![
            ProblemInput {
                class: "basic_medical".to_owned(),
                description: "户主慢性病卡未办理".to_owned(),
            },
            ProblemInput {
                class: "drinking_water".to_owned(),
                description: "自来水间歇停水".to_owned(),
            },
        ],
        Vec::new(),
        vec![ProblemInput {
            class: "income".to_owned(),
            description: "配偶务工中断，收入下降".to_owned(),
        }],
    ];
    let mut first_item = None;
    for (i, (household, problems)) in households.iter().zip(problems).enumerate() {
        let d = u32::try_from(3 + i * 5).unwrap_or(3);
        let visit = store
            .record_visit(
                &helper,
                &VisitInput {
                    household_id: household.id,
                    visited_on: day(d).to_string(),
                    people_met: format!("户主{}", household.head_name),
                    problems,
                    actions: "宣讲帮扶政策，记录问题并报村委会".to_owned(),
                },
                &[],
                day(28),
            )
            .await?;
        if first_item.is_none() {
            first_item = visit.problems.first().and_then(|p| p.rectification_id);
        }
    }
    if let Some(item) = first_item {
        store
            .close_visit_rectification(
                &helper,
                item,
                &RectificationClose {
                    version: 1,
                    note: "村委会已组织维修，复查不再漏雨".to_owned(),
                },
                day(28),
            )
            .await?;
    }
    Ok(())
}
