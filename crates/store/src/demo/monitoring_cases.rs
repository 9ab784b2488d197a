//! The demo's dynamic monitoring (decision 0035): incomes for the first `n` households of 杨安镇
//! (the demo township user's area) that make the rulebook's triggers fire — under the line, a
//! sharp drop, large self-paid medical spending — one screening of the township early in 2020
//! (the demo's budget year), and a case per clue walked to a state by its rank: clue left open or
//! dismissed, each step of identification, monitored with or without a plan (the latter overdue),
//! elimination under way and eliminated. Plans charge their measures to the 2020 project
//! 防止返贫动态监测帮扶, whose output indicators are bound to them (decision 0046). Every step
//! goes through the store's use cases as the 乡镇 and 帮扶办 users, on the dates of 2020 it would
//! have happened. Deterministic.

use super::LELING;
use crate::{ClueInput, MeasureInput, PlanInput, Result, RiskCaseInput, RiskStepInput, Store};
use chrono::NaiveDate;
use jixiao_core::Actor;
use jixiao_core::assistance::registry::IncomeRecord;

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, m, d).unwrap_or_default()
}

fn income(per_person_yuan: i64, members: i64, self_paid_yuan: i64) -> IncomeRecord {
    IncomeRecord {
        wage: per_person_yuan * members * 100 + self_paid_yuan * 100,
        compliant_spending: self_paid_yuan * 100,
        ..IncomeRecord::default()
    }
}

fn step(action: &str, version: i32) -> RiskStepInput {
    RiskStepInput {
        action: action.to_owned(),
        version,
        note: "经核实，情况属实".to_owned(),
        documents: "入户核实表、评议记录".to_owned(),
        ..RiskStepInput::default()
    }
}

const RISKS: [&str; 6] = [
    "illness",
    "disability",
    "unstable_work",
    "accident",
    "schooling",
    "lack_of_labour",
];
const TYPES: [&str; 3] = ["marginal", "unstable", "sudden_hardship"];

/// Loads the monitoring of the first `n` households of 杨安镇. Returns the cases opened.
pub async fn load(store: &Store, n: usize) -> Result<usize> {
    let system = Actor::system();
    let office = store.user(&system, "bangfu").await?.actor();
    let town = store.user(&system, "xiang").await?.actor();
    let mut households = Vec::new();
    let mut page = 1;
    while households.len() < n {
        let (lines, total) = store.households(&town, None, page, 200).await?;
        households.extend(lines.into_iter().filter(|l| l.members > 0));
        if page * 200 >= total {
            break;
        }
        page += 1;
    }
    households.truncate(n);
    for (i, h) in households.iter().enumerate() {
        let (last, this) = match i % 3 {
            0 => (income(6_500, h.members, 0), income(4_800, h.members, 0)),
            1 => (income(12_000, h.members, 0), income(7_000, h.members, 0)),
            _ => (
                income(9_000, h.members, 0),
                income(9_000, h.members, 18_000),
            ),
        };
        store
            .record_household_income(&office, h.id, 2018, &last)
            .await?;
        store
            .record_household_income(&office, h.id, 2019, &this)
            .await?;
    }
    let township = format!("{LELING}101");
    let screened = store
        .run_screening(&office, Some(&township), 2019, day(1, 10))
        .await?;
    // A visit adds to the first clue; an application with its consent to the second.
    for (i, channel) in [(0usize, "visit"), (1, "application")] {
        if let Some(h) = households.get(i) {
            store
                .record_clue(
                    &town,
                    &ClueInput {
                        household_id: h.id,
                        channel: channel.to_owned(),
                        message: "户主反映近期住院，家庭支出增加".to_owned(),
                        consent_signed: channel == "application",
                    },
                    day(1, 11),
                )
                .await?;
        }
    }
    let project = risk_monitoring_project(store).await?;
    let mut opened = 0;
    for (i, h) in households.iter().enumerate() {
        let Some(clue) = screened.clues.iter().find(|c| c.household_id == h.id) else {
            continue;
        };
        let rank = i % 10;
        if rank == 0 {
            continue;
        }
        if rank == 1 {
            store
                .dismiss_clue(&town, clue.id, "入户核实后收入稳定，不予立案", day(1, 12))
                .await?;
            continue;
        }
        let file = store
            .open_risk_case(
                &town,
                &RiskCaseInput {
                    clue_id: clue.id,
                    case_type: TYPES[i % TYPES.len()].to_owned(),
                    risks: vec![
                        RISKS[i % RISKS.len()].to_owned(),
                        RISKS[(i + 2) % RISKS.len()].to_owned(),
                    ],
                    note: String::new(),
                },
                day(1, 12),
            )
            .await?;
        opened += 1;
        let id = file.case.id;
        let mut version = file.case.version;
        walk_identification(store, &town, &office, id, &mut version, rank).await?;
        if rank < 6 || rank == 7 {
            continue;
        }
        let done = rank >= 8;
        let health = MeasureInput {
            kind: "health".to_owned(),
            description: "家庭医生签约，慢病随访，门诊费用补助".to_owned(),
            responsible_unit: "杨安镇卫生院".to_owned(),
            start_on: "2020-02-01".to_owned(),
            end_on: "2020-12-31".to_owned(),
            amount_fen: 80_000,
            project_id: project,
            status: "under_way".to_owned(),
        };
        // Rank 6 has health help only (a household with labour and no development measure
        // carries a finding on its plan); the others also work.
        let measures = if rank == 6 {
            vec![health]
        } else {
            vec![
                MeasureInput {
                    kind: "employment".to_owned(),
                    description: "推荐到县城工业园务工".to_owned(),
                    responsible_unit: "杨安镇人民政府".to_owned(),
                    start_on: "2020-02-01".to_owned(),
                    end_on: "2020-12-31".to_owned(),
                    amount_fen: 150_000,
                    project_id: project,
                    status: if done { "done" } else { "under_way" }.to_owned(),
                },
                health,
            ]
        };
        let plan = PlanInput {
            version: 0,
            note: "一户一策：就业增收，健康保障".to_owned(),
            measures,
        };
        store.save_risk_plan(&town, id, &plan, day(2, 1)).await?;
        if !done {
            continue;
        }
        store
            .record_household_income(&office, h.id, 2020, &income(9_500, h.members, 0))
            .await?;
        let mut propose = step("propose_elimination", version);
        propose.elimination_method = Some("assisted".to_owned());
        version = store
            .take_risk_case_step(&town, id, &propose, day(8, 2))
            .await?
            .case
            .version;
        if rank == 8 {
            continue;
        }
        for (who, action, on) in [(&town, "verify", day(8, 3)), (&town, "compare", day(8, 5))] {
            version = store
                .take_risk_case_step(who, id, &step(action, version), on)
                .await?
                .case
                .version;
        }
        let mut notice = step("publicise", version);
        notice.notice_from = Some("2020-08-06".to_owned());
        notice.notice_to = Some("2020-08-10".to_owned());
        version = store
            .take_risk_case_step(&town, id, &notice, day(8, 6))
            .await?
            .case
            .version;
        for (who, action, on) in [
            (&town, "township_approve", day(8, 12)),
            (&office, "county_approve", day(8, 13)),
            (&office, "announce", day(8, 15)),
        ] {
            version = store
                .take_risk_case_step(who, id, &step(action, version), on)
                .await?
                .case
                .version;
        }
    }
    Ok(opened)
}

/// Walks a case's identification as far as its rank says: 2 stays at 入户核实, 3 at 信息比对,
/// 4 in the notice, 5 with the county, 6 and above included.
async fn walk_identification(
    store: &Store,
    town: &Actor,
    office: &Actor,
    id: i64,
    version: &mut i32,
    rank: usize,
) -> Result<()> {
    let steps: [(&Actor, &str, NaiveDate); 6] = [
        (town, "verify", day(1, 13)),
        (town, "compare", day(1, 15)),
        (town, "publicise", day(1, 18)),
        (town, "township_approve", day(1, 25)),
        (office, "county_approve", day(1, 27)),
        (office, "announce", day(1, 28)),
    ];
    let take = match rank {
        2 => 0,
        3 => 1,
        4 => 3,
        5 => 4,
        _ => 6,
    };
    for (who, action, on) in steps.into_iter().take(take) {
        let mut input = step(action, *version);
        if action == "publicise" {
            input.notice_from = Some("2020-01-18".to_owned());
            input.notice_to = Some("2020-01-22".to_owned());
        }
        *version = store
            .take_risk_case_step(who, id, &input, on)
            .await?
            .case
            .version;
    }
    Ok(())
}

/// The id of the 2020 project the plans are charged to.
async fn risk_monitoring_project(store: &Store) -> Result<Option<i64>> {
    Ok(
        super::project_named(store, 2020, super::projects_2020::RISK_MONITORING_PROJECT)
            .await?
            .map(|p| p.id),
    )
}

/// Binds the project's two household counts to the plans (decision 0046), as the 扶贫办 that
/// owns it: 落实帮扶措施的监测户数 to every measure charged to it, 落实就业帮扶措施的监测户数 to
/// its employment measures.
pub(super) async fn bind_indicators(store: &Store) -> Result<()> {
    let Some(project) = risk_monitoring_project(store).await? else {
        return Ok(());
    };
    let owner = super::agency_actor(store, "110").await?;
    for (row, measure) in [
        (1, "households_with_measures"),
        (2, "households_with_measure:employment"),
    ] {
        store.bind_indicator(&owner, project, row, measure).await?;
    }
    Ok(())
}

/// After the plans are loaded (the full demo), the July report of the bound project states what
/// they gave at the cut-off, as it would have had the plans been there when it was written.
pub(super) async fn refresh_july_report(store: &Store) -> Result<()> {
    let Some(project) = risk_monitoring_project(store).await? else {
        return Ok(());
    };
    let finance = store.user(&Actor::system(), "finance").await?.actor();
    let Some(round) = store
        .monitoring_rounds(&finance, Some(2020))
        .await?
        .into_iter()
        .find(|r| r.cutoff == "2020-07-31")
    else {
        return Ok(());
    };
    let report = store.monitoring_report(&finance, round.id, project).await?;
    for row in &report.rows {
        let Some(computed) = &row.computed else {
            continue;
        };
        on_pool!(&store.pool, |pool| {
            sqlx::query(
                "UPDATE monitoring_report_rows SET reached = $1, record_value = $2 \
                 WHERE report_id = $3 AND row_no = $4",
            )
            .bind(computed.value.to_string())
            .bind(computed.value)
            .bind(report.id)
            .bind(row.entry.row_no)
            .execute(pool)
            .await?;
        });
    }
    Ok(())
}
