//! The library side: rulebook versions, listing with filters and totals, continuing projects,
//! and the demo's figures.

use crate::projects::{cast, good_rows, input};
use crate::support::TestResult;
use jixiao_core::Actor;
use jixiao_core::project::{ProjectInput, ProjectState};
use jixiao_core::rulebook::NATIONAL_DEFAULT;
use jixiao_store::test_support::TestDatabase;
use jixiao_store::{Error, ProjectFilter};

#[tokio::test]
async fn rulebooks_are_versioned_and_decisions_keep_theirs() -> TestResult {
    let c = cast().await?;
    let store = &c.db.store;
    let system = Actor::system();
    let v1 = store.rulebook_in_force("371481", 2020).await?;
    assert_eq!(v1.version, 1);
    let same = store
        .load_rulebook(&system, "371481", 2020, NATIONAL_DEFAULT)
        .await?;
    assert!(!same.created);

    let project = store
        .create_project(&c.department, None, &input("卫生监督", 10))
        .await?;
    let version = store
        .save_target(
            &c.department,
            project.id,
            project.version,
            "目标",
            "年度",
            &good_rows(),
        )
        .await?;
    let submitted = store
        .submit_project(&c.department, project.id, version)
        .await?;
    assert_eq!(
        submitted.review_step.as_deref(),
        Some("budget"),
        "a department skips the department step"
    );
    assert_eq!(submitted.rulebook_id, Some(v1.id));

    let stricter = NATIONAL_DEFAULT.replace("min_indicators = 3", "min_indicators = 4");
    let v2 = store
        .load_rulebook(&system, "371481", 2020, &stricter)
        .await?;
    assert!(v2.created);
    assert_eq!(v2.record.version, 2);
    assert_eq!(
        store.rulebook_in_force("371481", 2020).await?.id,
        v2.record.id
    );
    assert_eq!(
        store.project(&c.finance, project.id).await?.rulebook_id,
        Some(v1.id)
    );

    let bad = store
        .load_rulebook(&system, "371481", 2020, "name = 1")
        .await;
    assert!(matches!(bad, Err(Error::Invalid(_))));
    let by_finance = store
        .load_rulebook(&c.finance, "371481", 2020, NATIONAL_DEFAULT)
        .await;
    assert!(matches!(by_finance, Err(Error::Forbidden)));

    // The stricter gate applies to what is submitted from now on.
    let next = store
        .create_project(&c.department, None, &input("卫生应急", 10))
        .await?;
    let version = store
        .save_target(
            &c.department,
            next.id,
            next.version,
            "目标",
            "年度",
            &good_rows(),
        )
        .await?;
    match store.submit_project(&c.department, next.id, version).await {
        Err(Error::GateFailed(findings)) => {
            assert_eq!(findings[0].message, "绩效指标不少于4个，现有3个")
        }
        other => return Err(format!("gate open: {other:?}").into()),
    }
    Ok(())
}

#[tokio::test]
async fn the_list_filters_pages_and_totals_within_scope() -> TestResult {
    let c = cast().await?;
    let store = &c.db.store;
    for (actor, name, wan) in [
        (&c.unit, "医院设备购置", 50),
        (&c.unit, "医院信息化", 30),
        (&c.department, "卫生健康宣传", 5),
        (&c.other, "财政信息化", 20),
    ] {
        store.create_project(actor, None, &input(name, wan)).await?;
    }
    let all = store
        .projects(
            &c.finance,
            &ProjectFilter {
                year: Some(2020),
                ..ProjectFilter::default()
            },
            1,
            2,
        )
        .await?;
    assert_eq!(
        (
            all.total,
            all.requested_fen,
            all.projects.len(),
            all.pages()
        ),
        (4, 105_000_000, 2, 2)
    );
    let health = store
        .projects(&c.department, &ProjectFilter::default(), 1, 50)
        .await?;
    assert_eq!((health.total, health.requested_fen), (3, 85_000_000));
    let unit = store
        .projects(&c.unit, &ProjectFilter::default(), 1, 50)
        .await?;
    assert_eq!(unit.total, 2);
    let search = store
        .projects(
            &c.finance,
            &ProjectFilter {
                search: Some("信息化".into()),
                ..ProjectFilter::default()
            },
            1,
            50,
        )
        .await?;
    assert_eq!(search.total, 2);
    let by_agency = store
        .projects(
            &c.finance,
            &ProjectFilter {
                agency_code: Some("105".into()),
                state: Some(ProjectState::Draft),
                ..ProjectFilter::default()
            },
            1,
            50,
        )
        .await?;
    assert_eq!(by_agency.total, 1);
    let figures = store.year_figures(&c.finance, 2020).await?;
    assert_eq!(figures.by_state[0].projects, 4);
    assert_eq!(figures.covered.projects, 0);
    assert_eq!(
        figures
            .by_department
            .iter()
            .map(|t| t.projects)
            .sum::<i64>(),
        4
    );
    Ok(())
}

#[tokio::test]
async fn the_demo_reproduces_the_seed_figures_and_every_state() -> TestResult {
    let db = TestDatabase::new().await?;
    jixiao_store::demo::load(&db.store).await?;
    let system = Actor::system();
    let y2019 = db.store.year_figures(&system, 2019).await?;
    assert_eq!(
        (y2019.covered.projects, y2019.covered.approved_fen),
        (705, 273_180_480_000)
    );
    let key = db
        .store
        .projects(
            &system,
            &ProjectFilter {
                year: Some(2019),
                search: Some("公岗扶贫".into()),
                ..ProjectFilter::default()
            },
            1,
            10,
        )
        .await?;
    assert_eq!(key.total, 1);
    let y2020 = db.store.year_figures(&system, 2020).await?;
    for state in &y2020.by_state {
        assert!(state.projects > 0, "2020 has {} projects", state.label);
    }
    let cut = db
        .store
        .projects(
            &system,
            &ProjectFilter {
                year: Some(2020),
                search: Some("残疾人就业帮扶".into()),
                ..ProjectFilter::default()
            },
            1,
            10,
        )
        .await?;
    let cut = &cut.projects[0];
    assert_eq!(
        cut.requested_fen - cut.approved_fen.unwrap_or(0),
        20_000_000
    );
    assert!(db.store.verify_audit_chain().await? > 0);
    let reconciled = db.store.reconcile().await?;
    assert_eq!(
        reconciled.allotments, 715,
        "705 in 2019 and ten approved in 2020"
    );
    assert!(
        reconciled.discrepancies.is_empty(),
        "{:?}",
        reconciled.discrepancies.first()
    );
    // The 2020 monitoring round: alerts raised, two decided, one overdue and suspended.
    let finance = db.store.user(&system, "finance").await?.actor();
    let rounds = db.store.monitoring_rounds(&finance, Some(2020)).await?;
    assert_eq!(rounds.len(), 1);
    assert_eq!(rounds[0].cutoff, "2020-07-31");
    let alerts = db.store.round_alerts(&finance, rounds[0].id).await?;
    let status = |name: &str| {
        alerts
            .iter()
            .find(|a| a.project_name == name)
            .map(|a| (a.level.clone(), a.status.clone(), a.suspended))
    };
    assert_eq!(
        status("2020年院前急救体系建设"),
        Some(("red".into(), "open".into(), true))
    );
    assert_eq!(
        status("2020年基层医疗机构能力建设"),
        Some(("red".into(), "decided".into(), false))
    );
    assert_eq!(
        status("2020年残疾人康复服务"),
        Some(("yellow".into(), "open".into(), false))
    );
    assert_eq!(status("2020年妇幼健康服务"), None, "caught up by July");
    // The pools: sixty experts, eight institutions, five draws that replay.
    let experts = db
        .store
        .pool_members(&finance, "expert", None, None)
        .await?;
    let names: std::collections::BTreeSet<&str> = experts.iter().map(|e| e.name.as_str()).collect();
    assert_eq!((experts.len(), names.len()), (60, 60));
    let institutions = db
        .store
        .pool_members(&finance, "institution", None, None)
        .await?;
    assert_eq!(institutions.len(), 8);
    for id in 1..=5 {
        assert!(db.store.replay_draw(&finance, id).await?.matches);
    }
    Ok(())
}

#[tokio::test]
async fn a_continuing_project_links_to_its_earlier_year() -> TestResult {
    let c = cast().await?;
    let store = &c.db.store;
    store
        .add_fiscal_year(&Actor::system(), "371481", 2019)
        .await?;
    let earlier = store
        .create_project(
            &c.unit,
            None,
            &ProjectInput {
                year: 2019,
                ..input("2019年健康扶贫", 10)
            },
        )
        .await?;
    let continuing = ProjectInput {
        is_new: false,
        previous_project: Some(earlier.code.clone()),
        ..input("2020年健康扶贫", 12)
    };
    let linked = store.create_project(&c.unit, None, &continuing).await?;
    assert_eq!(linked.previous_project_id, Some(earlier.id));
    assert_eq!(
        linked.previous_project_code.as_deref(),
        Some(earlier.code.as_str())
    );
    let unknown = ProjectInput {
        previous_project: Some("XX-1".into()),
        ..continuing.clone()
    };
    assert!(matches!(
        store.create_project(&c.unit, None, &unknown).await,
        Err(Error::Invalid(_))
    ));
    let new_with_link = ProjectInput {
        is_new: true,
        ..continuing.clone()
    };
    assert!(matches!(
        store.create_project(&c.unit, None, &new_with_link).await,
        Err(Error::Invalid(_))
    ));
    let others = ProjectInput {
        previous_project: Some(earlier.code.clone()),
        ..continuing
    };
    assert!(
        matches!(
            store.create_project(&c.other, None, &others).await,
            Err(Error::Invalid(_))
        ),
        "another agency's project cannot be continued"
    );
    Ok(())
}

#[tokio::test]
async fn reading_by_key_returns_the_list_once_in_order_within_scope() -> TestResult {
    let db = TestDatabase::new().await?;
    let store = &db.store;
    jixiao_store::demo::load_base(store).await?;
    store
        .seed_benchmark_projects(jixiao_store::demo::LELING, 2020, 2_345)
        .await?;
    let finance = store.user(&Actor::system(), "finance").await?.actor();
    let agency = store.user(&Actor::system(), "agency").await?.actor();
    for (actor, filter) in [
        (&finance, ProjectFilter::default()),
        (
            &finance,
            ProjectFilter {
                state: Some(ProjectState::Submitted),
                ..ProjectFilter::default()
            },
        ),
        (&agency, ProjectFilter::default()),
    ] {
        let expected = store.projects(actor, &filter, 1, 1).await?.total;
        let mut seen: Vec<(i32, String, String)> = Vec::new();
        let mut after = None;
        loop {
            let batch = store
                .projects_after(actor, &filter, after.clone(), 500)
                .await?;
            if batch.is_empty() {
                break;
            }
            seen.extend(
                batch
                    .iter()
                    .map(|p| (p.year, p.jurisdiction_code.clone(), p.code.clone())),
            );
            after = seen.last().cloned();
        }
        assert_eq!(i64::try_from(seen.len())?, expected, "every row once");
        let mut ordered = seen.clone();
        ordered.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        ordered.dedup();
        assert_eq!(ordered, seen, "in the list's order, no repeats");
        // The same rows as the paged list.
        let first_page: Vec<String> = store
            .projects(actor, &filter, 1, 50)
            .await?
            .projects
            .into_iter()
            .map(|p| p.code)
            .collect();
        let first_keys: Vec<String> = seen.iter().take(50).map(|k| k.2.clone()).collect();
        assert_eq!(first_page, first_keys);
    }
    Ok(())
}

#[tokio::test]
async fn target_sheets_saved_together_are_saved_all_or_none() -> TestResult {
    let c = cast().await?;
    let store = &c.db.store;
    let first = store
        .create_project(&c.department, None, &input("卫生监督", 10))
        .await?;
    let second = store
        .create_project(&c.department, None, &input("健康教育", 10))
        .await?;
    let sheet = |id: i64, version: i32| jixiao_store::TargetSheetInput {
        project_id: id,
        version,
        overall_goal: "目标".to_owned(),
        annual_goal: "年度".to_owned(),
        rows: good_rows(),
    };
    // The second is stale: neither is written.
    let refused = store
        .save_target_sheets(
            &c.department,
            &[
                sheet(first.id, first.version),
                sheet(second.id, second.version - 1),
            ],
        )
        .await;
    assert!(
        matches!(refused, Err(Error::StaleVersion(_))),
        "{refused:?}"
    );
    let untouched = store.project_detail(&c.department, first.id).await?;
    assert!(
        untouched.target.indicators.is_empty(),
        "the first was not saved either"
    );
    assert_eq!(untouched.project.version, first.version);
    // Both current: both written.
    store
        .save_target_sheets(
            &c.department,
            &[
                sheet(first.id, first.version),
                sheet(second.id, second.version),
            ],
        )
        .await?;
    for id in [first.id, second.id] {
        let saved = store.project_detail(&c.department, id).await?;
        assert_eq!(saved.target.indicators.len(), good_rows().len());
    }
    Ok(())
}

#[tokio::test]
async fn payments_read_by_key_come_once_in_the_lists_order() -> TestResult {
    let db = TestDatabase::new().await?;
    let store = &db.store;
    jixiao_store::demo::load(store).await?;
    let finance = store.user(&Actor::system(), "finance").await?.actor();
    let filter = jixiao_store::PaymentFilter {
        year: Some(2019),
        ..jixiao_store::PaymentFilter::default()
    };
    let page = store.payments(&finance, &filter, 1, 500).await?;
    assert!(page.total > 1000, "enough to need several batches");
    let mut seen: Vec<(String, i64)> = Vec::new();
    let mut after = None;
    loop {
        let batch = store
            .payments_after(&finance, &filter, after.clone(), 700)
            .await?;
        if batch.is_empty() {
            break;
        }
        seen.extend(batch.iter().map(|r| (r.paid_on.clone(), r.id)));
        after = seen.last().cloned();
    }
    assert_eq!(i64::try_from(seen.len())?, page.total, "every payment once");
    let mut ordered = seen.clone();
    ordered.sort_by(|a, b| b.cmp(a));
    ordered.dedup();
    assert_eq!(ordered, seen, "newest first, no repeats");
    let first: Vec<i64> = page.rows.iter().map(|r| r.id).collect();
    let keyed: Vec<i64> = seen.iter().take(first.len()).map(|k| k.1).collect();
    assert_eq!(first, keyed, "the same order as the paged list");
    Ok(())
}
