//! The rectification of coverage-check findings (核查问题整改) on the kernel: the county office
//! assigns a run's open findings with a deadline (once: a second assignment adds none), the
//! village answers one of its own (another village's is "not found", a department another
//! department's), the county office sends it back and then accepts it, which settles the
//! finding; wrong roles, stale versions and wrong states are refused and change nothing.

use crate::support::TestResult;
use chrono::NaiveDate;
use jixiao_core::Actor;
use jixiao_store::test_support::TestDatabase;
use jixiao_store::{Error, FindingFilter, Store};

async fn actor(store: &Store, username: &str) -> Result<Actor, Box<dyn std::error::Error>> {
    Ok(store.user(&Actor::system(), username).await?.actor())
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid date")
}

#[tokio::test]
async fn findings_are_assigned_answered_sent_back_and_accepted() -> TestResult {
    let db = TestDatabase::new().await?;
    let store = &db.store;
    jixiao_store::demo::load_base(store).await?;
    jixiao_store::demo::registry::load(store).await?;
    let office = actor(store, "bangfu").await?;
    let village = actor(store, "cun").await?;
    let today = day(2021, 1, 4);
    let run = store
        .run_policy_check(&office, None, day(2020, 12, 31))
        .await?;

    assert!(matches!(
        store
            .assign_findings(&village, run, day(2021, 2, 1), today)
            .await,
        Err(Error::Forbidden)
    ));
    assert!(matches!(
        store
            .assign_findings(&office, run, day(2020, 1, 1), today)
            .await,
        Err(Error::Invalid(_))
    ));
    let assigned = store
        .assign_findings(&office, run, day(2021, 2, 1), today)
        .await?;
    assert!(assigned > 0);
    assert_eq!(
        store
            .assign_findings(&office, run, day(2021, 2, 1), today)
            .await?,
        0,
        "assigned once"
    );

    // The village cadre's own finding, and one of another township.
    let (own, _) = store
        .policy_check_findings(&village, run, &FindingFilter::default(), 1, 1)
        .await?;
    let own = own.first().ok_or("the village has a finding")?.id;
    let (all, _) = store
        .policy_check_findings(
            &office,
            run,
            &FindingFilter {
                township: Some("371481102".to_owned()),
                ..FindingFilter::default()
            },
            1,
            1,
        )
        .await?;
    let other = all.first().ok_or("another township has a finding")?.id;
    assert!(matches!(
        store.answer_finding(&village, other, 1, "已处理", "").await,
        Err(Error::NotFound(_))
    ));

    let case = store.finding_case(&village, own).await?;
    let rect = case.rectification.ok_or("assigned")?;
    assert_eq!(
        (rect.state.as_str(), rect.deadline.as_str()),
        ("assigned", "2021-02-01")
    );
    assert!(rect.overdue(day(2021, 2, 2)) && !rect.overdue(day(2021, 2, 1)));
    assert!(matches!(
        store
            .answer_finding(&village, own, rect.version, "  ", "")
            .await,
        Err(Error::Invalid(_))
    ));
    assert!(matches!(
        store
            .answer_finding(&village, own, rect.version + 1, "已补办", "")
            .await,
        Err(Error::StaleVersion(_))
    ));
    assert!(
        matches!(
            store.review_finding(&office, own, true, "").await,
            Err(Error::InvalidTransition(_))
        ),
        "nothing to review before an answer"
    );
    let answered = store
        .answer_finding(
            &village,
            own,
            rect.version,
            "已入户核实并补录联系电话",
            "入户核实表第3页",
        )
        .await?;
    let rect = answered.rectification.ok_or("still there")?;
    assert_eq!(rect.state, "answered");
    assert!(matches!(
        store.review_finding(&village, own, true, "").await,
        Err(Error::Forbidden)
    ));
    assert!(matches!(
        store.review_finding(&office, own, false, " ").await,
        Err(Error::Invalid(_))
    ));
    let back = store
        .review_finding(&office, own, false, "请附核实照片")
        .await?;
    assert_eq!(back.rectification.ok_or("kept")?.state, "assigned");
    assert_eq!(back.finding.status, "open");
    let rect = store
        .finding_case(&village, own)
        .await?
        .rectification
        .ok_or("kept")?;
    store
        .answer_finding(&village, own, rect.version, "已补录并附照片", "照片2张")
        .await?;
    let accepted = store.review_finding(&office, own, true, "").await?;
    assert_eq!(accepted.rectification.ok_or("kept")?.state, "accepted");
    assert_eq!(
        accepted.finding.status, "accepted",
        "the finding is settled"
    );
    Ok(())
}
