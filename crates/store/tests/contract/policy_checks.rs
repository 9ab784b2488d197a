//! The coverage check run (政策落实核查) stored: a run finds a seeded problem, a rerun after the
//! fix closes it (one row per identity), an enjoyment record answers a 应享未享 finding, readers
//! see only their scope (a village its village, a sector its department), and only the county
//! office runs it.

use crate::support::{TestResult, raw_execute};
use chrono::NaiveDate;
use jixiao_core::Actor;
use jixiao_store::test_support::TestDatabase;
use jixiao_store::{EnjoymentInput, Error, FindingFilter, PolicyFinding, Store};

/// The demo's first village of 杨安镇 (the village user `cun`'s).
const VILLAGE: &str = "371481101201";
const TOWNSHIP: &str = "371481101";
const DISABLED: &str = "disabled_without_certificate";

async fn registry() -> Result<TestDatabase, Box<dyn std::error::Error>> {
    let db = TestDatabase::new().await?;
    jixiao_store::demo::load_base(&db.store).await?;
    jixiao_store::demo::registry::load(&db.store).await?;
    Ok(db)
}

async fn actor(store: &Store, username: &str) -> Result<Actor, Box<dyn std::error::Error>> {
    Ok(store.user(&Actor::system(), username).await?.actor())
}

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 12, 31).expect("a valid date")
}

async fn findings(
    store: &Store,
    actor: &Actor,
    run: i64,
    filter: FindingFilter,
) -> Result<Vec<PolicyFinding>, Box<dyn std::error::Error>> {
    let mut all = Vec::new();
    for page in 1.. {
        let (rows, total) = store
            .policy_check_findings(actor, run, &filter, page, 200)
            .await?;
        let last = rows.is_empty();
        all.extend(rows);
        if last {
            assert_eq!(usize::try_from(total)?, all.len(), "every page read");
            break;
        }
    }
    Ok(all)
}

fn rule(code: &str) -> FindingFilter {
    FindingFilter {
        rule: Some(code.to_owned()),
        ..FindingFilter::default()
    }
}

#[tokio::test]
async fn a_run_finds_a_seeded_problem_and_a_rerun_after_the_fix_closes_it() -> TestResult {
    let db = registry().await?;
    let store = &db.store;
    let office = actor(store, "bangfu").await?;
    raw_execute(
        &db.url,
        "UPDATE people SET facts = '{\"health\":\"disabled\"}' WHERE relation = 'householder' \
         AND household_id IN (SELECT id FROM households WHERE village_code = '371481101201')",
    )
    .await?;
    let first = store.run_policy_check(&office, None, day()).await?;
    let summary = store.policy_check(&office, first).await?;
    assert_eq!(summary.run.households, 225);
    assert_eq!(summary.run.as_of, "2020-12-31");
    assert!(summary.run.people > 225);
    assert_eq!(summary.total.open, summary.run.findings);
    assert_eq!(summary.total.closed, 0);
    let disabled = summary
        .by_rule
        .iter()
        .find(|t| t.code == DISABLED)
        .ok_or("the seeded problem is counted")?;
    assert_eq!(
        (disabled.open, disabled.label.as_str()),
        (3, "健康状况为残疾但无残疾人证")
    );
    let seeded = findings(store, &office, first, rule(DISABLED)).await?;
    assert_eq!(seeded.len(), 3);
    for finding in &seeded {
        assert_eq!(finding.village_code, VILLAGE);
        assert_eq!(finding.township_code, TOWNSHIP);
        assert_eq!(
            (finding.kind.as_str(), finding.status.as_str()),
            ("data_conflict", "open")
        );
        assert_eq!(finding.person_ids.len(), 1);
        assert_eq!(finding.department, "disabled_persons");
        assert!(finding.fields.iter().any(|f| f.name == "person.health"));
    }
    let by_township = summary
        .by_township
        .iter()
        .find(|t| t.code == TOWNSHIP)
        .ok_or("杨安镇 is counted")?;
    assert_eq!(by_township.label, "杨安镇");

    // An enjoyment record answers a 应享未享 finding of one person.
    let medical = findings(store, &office, first, rule("resident_medical")).await?;
    let answered = medical
        .first()
        .ok_or("everyone lacks 居民医保 in the demo")?;
    let person = *answered.person_ids.first().ok_or("a person's finding")?;
    store
        .add_enjoyment(
            &office,
            &EnjoymentInput {
                household_id: answered.household_id,
                person_id: Some(person),
                policy: "resident_medical".to_owned(),
                from: NaiveDate::from_ymd_opt(2020, 1, 1).ok_or("date")?,
                to: None,
                amount_fen: 0,
                department: "medical_insurance".to_owned(),
            },
        )
        .await?;

    // The fix: the heads are healthy after all.
    raw_execute(
        &db.url,
        "UPDATE people SET facts = '{}' WHERE household_id IN \
         (SELECT id FROM households WHERE village_code = '371481101201')",
    )
    .await?;
    let second = store.run_policy_check(&office, None, day()).await?;
    let again = store.policy_check(&office, second).await?;
    assert_eq!(again.total.closed, 4, "three seeded and one answered");
    assert_eq!(again.total.open, summary.total.open - 4);
    let closed = findings(store, &office, second, rule(DISABLED)).await?;
    assert_eq!(closed.len(), 3);
    for finding in &closed {
        assert_eq!(finding.status, "closed");
        assert_eq!(finding.closed_run_id, Some(second));
        assert_eq!(finding.first_run_id, first);
        assert!(seeded.iter().any(|s| s.id == finding.id), "the same row");
    }
    let still = findings(store, &office, second, rule("resident_medical")).await?;
    assert_eq!(still.len(), medical.len());
    let gone = still
        .iter()
        .find(|f| f.id == answered.id)
        .ok_or("the answered finding is listed as closed")?;
    assert_eq!(gone.status, "closed");
    for finding in still.iter().filter(|f| f.id != answered.id) {
        assert_eq!(
            (
                finding.status.as_str(),
                finding.run_id,
                finding.first_run_id
            ),
            ("open", second, first),
            "kept, brought up to the latest run"
        );
    }
    // The first run keeps what no later run has seen again: the closed ones.
    let old = findings(store, &office, first, FindingFilter::default()).await?;
    assert_eq!(old.len(), 4);
    assert!(old.iter().all(|f| f.status == "closed"));

    // Status filter, and a filter is a code, never a pattern.
    let open = findings(
        store,
        &office,
        second,
        FindingFilter {
            status: Some("open".to_owned()),
            ..FindingFilter::default()
        },
    )
    .await?;
    assert_eq!(i64::try_from(open.len())?, again.total.open);
    let refused = store
        .policy_check_findings(&office, second, &rule("%"), 1, 50)
        .await;
    assert!(matches!(refused, Err(Error::Invalid(_))), "{refused:?}");
    Ok(())
}

#[tokio::test]
async fn readers_see_their_scope_and_only_the_county_office_runs_checks() -> TestResult {
    let db = registry().await?;
    let store = &db.store;
    let office = actor(store, "bangfu").await?;
    let village = actor(store, "cun").await?;
    let township = actor(store, "xiang").await?;
    let sector = actor(store, "minzheng").await?;
    let finance = actor(store, "finance").await?;
    let run = store.run_policy_check(&office, None, day()).await?;

    let all = store.policy_check(&office, run).await?;
    let own = store.policy_check(&village, run).await?;
    assert!(own.total.open > 0 && own.total.open < all.total.open);
    let rows = findings(store, &village, run, FindingFilter::default()).await?;
    assert_eq!(i64::try_from(rows.len())?, own.total.open);
    assert!(rows.iter().all(|f| f.village_code == VILLAGE));
    // Asking for another village gives nothing.
    let other = findings(
        store,
        &village,
        run,
        FindingFilter {
            village: Some("371481108202".to_owned()),
            ..FindingFilter::default()
        },
    )
    .await?;
    assert!(other.is_empty());
    let town = store.policy_check(&township, run).await?;
    assert_eq!(town.by_township.len(), 1);
    assert_eq!(town.by_township[0].code, TOWNSHIP);

    // 民政 sees what 民政 answers for.
    let civil = findings(store, &sector, run, FindingFilter::default()).await?;
    assert!(civil.iter().all(|f| f.department == "civil_affairs"));
    let summary = store.policy_check(&sector, run).await?;
    assert!(
        summary
            .by_department
            .iter()
            .all(|t| t.code == "civil_affairs")
    );

    // Only the county office runs the check; others are refused, and the budget side reads
    // nothing.
    for who in [&village, &township, &sector, &finance] {
        let refused = store.run_policy_check(who, None, day()).await;
        assert!(matches!(refused, Err(Error::Forbidden)), "{refused:?}");
    }
    let refused = store.policy_check(&finance, run).await;
    assert!(matches!(refused, Err(Error::Forbidden)), "{refused:?}");
    let missing = store.policy_check(&office, run + 100).await;
    assert!(matches!(missing, Err(Error::NotFound(_))), "{missing:?}");

    // A township's run checks its households, against an ID index over the whole jurisdiction.
    let local = store
        .run_policy_check(&office, Some(TOWNSHIP), day())
        .await?;
    let local = store.policy_check(&office, local).await?;
    assert_eq!(local.run.households, 15);
    assert_eq!(local.run.township_code.as_deref(), Some(TOWNSHIP));
    // It takes over its township's findings and leaves the others to the run that found them.
    let town_open = all
        .by_township
        .iter()
        .find(|t| t.code == TOWNSHIP)
        .map_or(0, |t| t.open);
    assert_eq!((local.total.open, local.total.closed), (town_open, 0));
    let before = store.policy_check(&office, run).await?;
    assert_eq!(before.total.open, all.total.open - town_open);
    assert_eq!(before.total.closed, 0);
    let unknown = store.run_policy_check(&office, Some(VILLAGE), day()).await;
    assert!(matches!(unknown, Err(Error::Invalid(_))), "{unknown:?}");

    // A damaged record fails the run and names its place; nothing is defaulted.
    raw_execute(&db.url, "UPDATE people SET facts = 'damaged' WHERE id = 1").await?;
    let damaged = store.run_policy_check(&office, None, day()).await;
    match damaged {
        Err(Error::Unreadable { table, column, .. }) => {
            assert_eq!((table, column), ("people", "facts"));
        }
        other => return Err(format!("read as {other:?}").into()),
    }
    Ok(())
}
