//! Dynamic monitoring (decision 0035): a screening raises clues from incomes and spending (a rerun
//! adds nothing; a second clue merges), a medical list matched by ID number raises one, a clue
//! becomes a case that walks the identification pipeline (a short notice, an early township
//! review and a step by the wrong role are refused), gets a versioned plan charged to a project,
//! and has its risk eliminated only when the rulebook's conditions hold; a rejected case closes
//! its clue. Scope: a village sees its own, a township its villages.

use crate::support::{TestResult, raw_execute};
use chrono::NaiveDate;
use jixiao_core::Actor;
use jixiao_core::assistance::registry::IncomeRecord;
use jixiao_store::test_support::TestDatabase;
use jixiao_store::{
    ClueInput, DepartmentRow, Error, MeasureInput, PlanInput, RiskCaseInput, RiskStepInput, Store,
};

async fn actor(store: &Store, username: &str) -> Result<Actor, Box<dyn std::error::Error>> {
    Ok(store.user(&Actor::system(), username).await?.actor())
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid date")
}

fn income(per_person_yuan: i64, members: i64, self_paid_yuan: i64) -> IncomeRecord {
    IncomeRecord {
        wage: per_person_yuan * members * 100 + self_paid_yuan * 100,
        compliant_spending: self_paid_yuan * 100,
        ..IncomeRecord::default()
    }
}

fn invalid_codes(result: Result<impl std::fmt::Debug, Error>) -> Vec<String> {
    match result {
        Err(Error::Invalid(errors)) => errors.0.iter().map(|e| e.code.clone()).collect(),
        other => vec![format!("not invalid: {other:?}")],
    }
}

fn step(action: &str, version: i32) -> RiskStepInput {
    RiskStepInput {
        action: action.to_owned(),
        version,
        note: "已办理".to_owned(),
        documents: "核实表".to_owned(),
        ..RiskStepInput::default()
    }
}

fn measure(kind: &str, project: Option<i64>, status: &str) -> MeasureInput {
    MeasureInput {
        kind: kind.to_owned(),
        description: "安排就近务工".to_owned(),
        responsible_unit: "杨安镇人民政府".to_owned(),
        start_on: "2021-02-01".to_owned(),
        end_on: "2021-12-31".to_owned(),
        amount_fen: 360_000,
        project_id: project,
        status: status.to_owned(),
    }
}

#[tokio::test]
async fn screening_cases_plans_and_elimination() -> TestResult {
    let db = TestDatabase::new().await?;
    let store = &db.store;
    jixiao_store::demo::load(store).await?;
    let office = actor(store, "bangfu").await?;
    let village = actor(store, "cun").await?;
    let township = actor(store, "xiang").await?;
    let (own, _) = store.households(&village, None, 1, 10).await?;
    let (a, b, c) = (own[0].id, own[1].id, own[2].id);
    let members = |i: usize| own[i].members;
    // The demo's people are old or children: spouses get labour (A and C have one, B not).
    raw_execute(
        &db.url,
        "UPDATE people SET facts = '{\"labour\":\"ordinary\"}' WHERE relation = 'spouse'",
    )
    .await?;

    // Incomes: A fell under the line, B paid a lot for medicine, C is fine.
    store
        .record_household_income(&office, a, 2019, &income(9_000, members(0), 0))
        .await?;
    store
        .record_household_income(&office, a, 2020, &income(5_000, members(0), 0))
        .await?;
    store
        .record_household_income(&village, b, 2020, &income(12_000, members(1), 20_000))
        .await?;
    store
        .record_household_income(&village, c, 2020, &income(12_000, members(2), 0))
        .await?;
    let today = day(2021, 1, 10);
    assert!(matches!(
        store.run_screening(&township, None, 2020, today).await,
        Err(Error::Forbidden)
    ));
    let outcome = store.run_screening(&office, None, 2020, today).await?;
    assert_eq!(outcome.run.clues_new, 2, "{outcome:?}");
    let clue_a = outcome
        .clues
        .iter()
        .find(|c| c.household_id == a)
        .ok_or("A's clue")?;
    let reasons: Vec<&str> = clue_a.reasons.iter().map(|r| r.reason.as_str()).collect();
    assert_eq!(reasons, ["income_under_line", "sharp_drop"]);
    assert!(
        outcome
            .clues
            .iter()
            .any(|c| c.household_id == b && c.reasons[0].reason == "medical_spending")
    );
    let again = store.run_screening(&office, None, 2020, today).await?;
    assert_eq!((again.run.clues_new, again.run.clues_merged), (0, 0));

    // A visit merges into A's clue; an application needs the consent.
    let visit = store
        .record_clue(
            &village,
            &ClueInput {
                household_id: a,
                channel: "visit".to_owned(),
                message: "户主住院".to_owned(),
                consent_signed: false,
            },
            today,
        )
        .await?;
    assert_eq!((visit.id, visit.reasons.len()), (clue_a.id, 3));
    let no_consent = store
        .record_clue(
            &village,
            &ClueInput {
                household_id: c,
                channel: "application".to_owned(),
                message: "申请纳入监测".to_owned(),
                consent_signed: false,
            },
            today,
        )
        .await;
    assert_eq!(invalid_codes(no_consent), ["consent_missing"]);
    assert_eq!(store.clues(&village, Some("open"), today).await?.len(), 2);
    assert!(store.clues(&township, None, today).await?.len() >= 2);

    // A medical list: C's head spent more than the fixed amount.
    let (c_file, _) = (store.household(&office, c).await?, ());
    let id_number = store.show_id_number(&office, c_file.people[0].id).await?;
    let row = DepartmentRow {
        row: 2,
        id_number,
        id_cell: "A2".to_owned(),
        policy: "住院自付".to_owned(),
        policy_cell: "C2".to_owned(),
        from: day(2020, 11, 3),
        to: None,
        amount_fen: 2_000_000,
    };
    let listed = store
        .screen_department_list(&office, "医保", &[row], &[], 2020, today)
        .await?;
    assert_eq!(listed.run.clues_new, 1);
    assert_eq!(listed.clues[0].household_id, c);
    assert_eq!(listed.clues[0].reasons[0].reason, "department_list");

    // A's case walks the identification pipeline.
    let open = |clue_id| RiskCaseInput {
        clue_id,
        case_type: "marginal".to_owned(),
        risks: vec!["illness".to_owned(), "unstable_work".to_owned()],
        note: String::new(),
    };
    let file = store
        .open_risk_case(&village, &open(clue_a.id), today)
        .await?;
    let id = file.case.id;
    assert_eq!(file.case.state, "verifying");
    assert!(matches!(
        store
            .open_risk_case(&village, &open(clue_a.id), today)
            .await,
        Err(Error::Conflict { .. })
    ));
    let file = store
        .take_risk_case_step(&village, id, &step("verify", 1), today)
        .await?;
    assert!(matches!(
        store
            .take_risk_case_step(&village, id, &step("compare", file.case.version), today)
            .await,
        Err(Error::Forbidden)
    ));
    let file = store
        .take_risk_case_step(&township, id, &step("compare", file.case.version), today)
        .await?;
    let notice = |from: &str, to: &str, version| RiskStepInput {
        notice_from: Some(from.to_owned()),
        notice_to: Some(to.to_owned()),
        ..step("publicise", version)
    };
    let short = store
        .take_risk_case_step(
            &village,
            id,
            &notice("2021-01-11", "2021-01-13", file.case.version),
            today,
        )
        .await;
    assert_eq!(invalid_codes(short), ["notice_too_short"]);
    let file = store
        .take_risk_case_step(
            &village,
            id,
            &notice("2021-01-11", "2021-01-15", file.case.version),
            today,
        )
        .await?;
    assert_eq!(file.case.state, "noticing");
    let early = store
        .take_risk_case_step(
            &township,
            id,
            &step("township_approve", file.case.version),
            day(2021, 1, 15),
        )
        .await;
    assert_eq!(invalid_codes(early), ["notice_running"]);
    let later = day(2021, 1, 16);
    let file = store
        .take_risk_case_step(
            &township,
            id,
            &step("township_approve", file.case.version),
            later,
        )
        .await?;
    let file = store
        .take_risk_case_step(
            &office,
            id,
            &step("county_approve", file.case.version),
            later,
        )
        .await?;
    let file = store
        .take_risk_case_step(&office, id, &step("announce", file.case.version), later)
        .await?;
    assert_eq!(file.case.state, "monitored");
    assert_eq!(file.case.included_on.as_deref(), Some("2021-01-16"));
    assert_eq!(file.steps.len(), 7);

    // The plan: without a development measure a household with labour has a finding.
    let project = store
        .chargeable_projects(&office)
        .await?
        .first()
        .map(|p| p.0)
        .ok_or("a project")?;
    let plan = store
        .save_risk_plan(
            &village,
            id,
            &PlanInput {
                version: 0,
                note: String::new(),
                measures: vec![measure("health", None, "under_way")],
            },
            later,
        )
        .await?;
    assert_eq!(plan.version, 1);
    assert_eq!(plan.findings.len(), 1, "{plan:?}");
    let stale = store
        .save_risk_plan(
            &village,
            id,
            &PlanInput {
                version: 1,
                ..PlanInput::default()
            },
            later,
        )
        .await;
    assert!(matches!(stale, Err(Error::Invalid(_))), "no measures");
    let plan = store
        .save_risk_plan(
            &village,
            id,
            &PlanInput {
                version: 1,
                note: "增加就业帮扶".to_owned(),
                measures: vec![
                    measure("health", None, "under_way"),
                    measure("employment", Some(project), "under_way"),
                ],
            },
            later,
        )
        .await?;
    assert_eq!((plan.version, plan.versions.len()), (2, 2));
    assert!(plan.findings.is_empty());
    assert_eq!(
        store
            .households_with_measures_charged_to(project, 2021)
            .await?,
        [a]
    );
    assert!(
        store
            .households_with_measures_charged_to(project, 2020)
            .await?
            .is_empty()
    );

    // Elimination: too early, nothing done, income under the line.
    let file = store.risk_case(&village, id, later).await?;
    let mut propose = step("propose_elimination", file.case.version);
    propose.elimination_method = Some("assisted".to_owned());
    let refused = store
        .take_risk_case_step(&village, id, &propose, day(2021, 3, 1))
        .await;
    assert_eq!(
        invalid_codes(refused),
        [
            "elimination_too_early",
            "no_measure_done",
            "income_not_above_line"
        ]
    );
    store
        .save_risk_plan(
            &village,
            id,
            &PlanInput {
                version: 2,
                note: String::new(),
                measures: vec![measure("employment", Some(project), "done")],
            },
            later,
        )
        .await?;
    store
        .record_household_income(&village, a, 2021, &income(9_000, members(0), 0))
        .await?;
    let when = day(2021, 7, 20);
    let file = store
        .take_risk_case_step(&village, id, &propose, when)
        .await?;
    assert_eq!(file.case.state, "elimination_verifying");
    let mut version = file.case.version;
    for (who, action) in [(&village, "verify"), (&township, "compare")] {
        version = store
            .take_risk_case_step(who, id, &step(action, version), when)
            .await?
            .case
            .version;
    }
    version = store
        .take_risk_case_step(
            &village,
            id,
            &notice("2021-07-20", "2021-07-24", version),
            when,
        )
        .await?
        .case
        .version;
    let after = day(2021, 7, 26);
    for (who, action) in [
        (&township, "township_approve"),
        (&office, "county_approve"),
        (&office, "announce"),
    ] {
        version = store
            .take_risk_case_step(who, id, &step(action, version), after)
            .await?
            .case
            .version;
    }
    let file = store.risk_case(&office, id, after).await?;
    assert_eq!(file.case.state, "eliminated");
    assert_eq!(file.case.elimination_method.as_deref(), Some("assisted"));
    assert_eq!(file.clue.status, "closed");
    assert!(!file.case.tracked, "the household has labour");
    assert_eq!(file.steps.len(), 14);

    // B's case is rejected by the township after its notice: not included, clue closed.
    let clue_b = store
        .clues(&village, Some("open"), today)
        .await?
        .into_iter()
        .find(|c| c.household_id == b)
        .ok_or("B's clue")?;
    let file = store
        .open_risk_case(&township, &open(clue_b.id), today)
        .await?;
    let b_id = file.case.id;
    let mut version = file.case.version;
    for (who, action) in [(&village, "verify"), (&office, "compare")] {
        version = store
            .take_risk_case_step(who, b_id, &step(action, version), today)
            .await?
            .case
            .version;
    }
    version = store
        .take_risk_case_step(
            &township,
            b_id,
            &notice("2021-01-11", "2021-01-17", version),
            today,
        )
        .await?
        .case
        .version;
    let mut reject = step("reject", version);
    reject.note = String::new();
    assert_eq!(
        invalid_codes(
            store
                .take_risk_case_step(&township, b_id, &reject, later)
                .await
        ),
        ["required"]
    );
    reject.note = "收入核实后高于监测范围".to_owned();
    let file = store
        .take_risk_case_step(&township, b_id, &reject, later)
        .await?;
    assert_eq!(
        (file.case.state.as_str(), file.clue.status.as_str()),
        ("not_included", "closed")
    );

    // The work list: the village sees its cases; another township's user sees none of them.
    let list = store.risk_cases(&village, None, after).await?;
    assert_eq!(list.len(), 2);
    let elsewhere = actor(store, "minzheng").await?;
    assert!(
        matches!(
            store.risk_cases(&elsewhere, None, after).await,
            Ok(cases) if cases.len() == 2
        ),
        "a department reads the jurisdiction"
    );
    Ok(())
}

#[tokio::test]
async fn the_demo_monitoring_spreads_cases_over_the_states() -> TestResult {
    let db = TestDatabase::new().await?;
    let store = &db.store;
    jixiao_store::demo::load(store).await?;
    let opened = jixiao_store::demo::monitoring_cases::load(store, 10).await?;
    assert_eq!(opened, 8);
    let office = actor(store, "bangfu").await?;
    let today = day(2021, 9, 1);
    let cases = store.risk_cases(&office, None, today).await?;
    let mut states: Vec<&str> = cases.iter().map(|(c, _)| c.state.as_str()).collect();
    states.sort_unstable();
    assert_eq!(
        states,
        [
            "comparing",
            "county_review",
            "eliminated",
            "elimination_verifying",
            "monitored",
            "monitored",
            "noticing",
            "verifying"
        ]
    );
    let overdue = cases.iter().filter(|(_, o)| o.is_some()).count();
    assert_eq!(
        overdue, 5,
        "every case without measures is late by September"
    );
    let clues = store.clues(&office, None, today).await?;
    assert!(clues.iter().any(|c| c.status == "dismissed"));
    assert!(
        clues
            .iter()
            .any(|c| c.status == "open" && c.reasons.len() == 2)
    );
    Ok(())
}
