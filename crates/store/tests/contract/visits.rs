//! Visits (decision 0044) on every backend: a helper's visit with evidence (the same photo twice
//! is one stored blob, read back by hash), problems becoming rectification items due within the
//! rulebook's days and closed once; refusals store nothing (a wrong file, an unassigned
//! household, a role without the right); the month's compliance counts the helper behind; the
//! demo's year of visits loads in bulk with December the peak.

use crate::support::TestResult;
use chrono::NaiveDate;
use jixiao_core::Actor;
use jixiao_store::test_support::TestDatabase;
use jixiao_store::{Error, EvidenceFile, ProblemInput, RectificationClose, Store, VisitInput};

async fn actor(store: &Store, username: &str) -> Result<Actor, Box<dyn std::error::Error>> {
    Ok(store.user(&Actor::system(), username).await?.actor())
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid date")
}

const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02, 0x08, 0x02, 0x00, 0x00, 0x00, 0xfd, 0xd4, 0x9a,
    0x73, 0x00, 0x00, 0x00, 0x10, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xc0,
    0x00, 0xc2, 0x10, 0x02, 0x00, 0x1c, 0xf2, 0x02, 0xfe, 0x74, 0x7a, 0x0a, 0x17, 0x00, 0x00, 0x00,
    0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

fn png(name: &str) -> EvidenceFile {
    EvidenceFile {
        file_name: name.to_owned(),
        content: PNG.to_vec(),
    }
}

#[tokio::test]
async fn visits_evidence_rectifications_and_compliance() -> TestResult {
    let db = TestDatabase::new().await?;
    let store = &db.store;
    jixiao_store::demo::load(store).await?;
    let helper = actor(store, "bangfuren").await?;
    let office = actor(store, "bangfu").await?;
    let today = day(2020, 12, 31);
    let (own, _) = store.households(&helper, None, 1, 500).await?;
    let household = own
        .iter()
        .find(|h| h.household_type == "formerly_poor")
        .ok_or("a 脱贫户 of the helper")?
        .id;
    let (all, _) = store.households(&office, None, 1, 500).await?;
    let elsewhere = all
        .iter()
        .find(|h| !own.iter().any(|o| o.id == h.id))
        .ok_or("a household of another helper")?
        .id;
    let input = VisitInput {
        household_id: household,
        visited_on: "2020-11-10".to_owned(),
        people_met: "户主".to_owned(),
        problems: vec![ProblemInput {
            class: "housing".to_owned(),
            description: "屋顶漏雨".to_owned(),
        }],
        actions: "报村委会".to_owned(),
    };
    let before = store.visits(&office, None, None).await?.len();
    let text = EvidenceFile {
        file_name: "a.jpg".to_owned(),
        content: b"plain text".to_vec(),
    };
    for (who, visit, files) in [
        (&helper, input.clone(), vec![png("ok.png"), text]),
        (
            &helper,
            VisitInput {
                household_id: elsewhere,
                ..input.clone()
            },
            vec![],
        ),
        (&office, input.clone(), vec![]),
    ] {
        let refused = store.record_visit(who, &visit, &files, today).await;
        assert!(
            matches!(
                refused,
                Err(Error::Invalid(_) | Error::NotFound(_) | Error::Forbidden)
            ),
            "{refused:?}"
        );
    }
    assert_eq!(store.visits(&office, None, None).await?.len(), before);

    let first = store
        .record_visit(&helper, &input, &[png("a.png"), png("b.png")], today)
        .await?;
    assert_eq!(first.evidence.len(), 2);
    assert_eq!(first.evidence[0].sha256, first.evidence[1].sha256);
    let (media, content) = store
        .visit_evidence(&helper, &first.evidence[0].sha256)
        .await?;
    assert_eq!((media.as_str(), content.as_slice()), ("image/png", PNG));
    let item = first.problems[0].rectification_id.ok_or("an item")?;
    let open = store.visit_rectifications(&helper, true, today).await?;
    let line = open.iter().find(|r| r.id == item).ok_or("the item")?;
    assert_eq!(line.due_on, "2020-12-10");
    assert!(line.overdue, "open past 2020-12-10 on 2020-12-31");
    let closed = store
        .close_visit_rectification(
            &helper,
            item,
            &RectificationClose {
                version: 1,
                note: "已维修".to_owned(),
            },
            today,
        )
        .await?;
    assert_eq!(closed.status, "closed");
    assert!(!closed.overdue);
    assert!(matches!(
        store
            .close_visit_rectification(
                &helper,
                item,
                &RectificationClose {
                    version: 2,
                    note: "again".to_owned(),
                },
                today,
            )
            .await,
        Err(Error::Conflict { .. })
    ));

    let month = store.visit_compliance(&office, "2020-11").await?;
    assert_eq!(month.total.visits_done, 1);
    let line = month
        .helpers
        .iter()
        .find(|h| h.name == "帮扶责任人 吴国庆")
        .ok_or("the helper")?;
    assert!(line.households_behind > 0 && line.visits_done == 1);
    assert!(
        month
            .behind
            .iter()
            .any(|b| b.household_id == household && b.due == 2 && b.done == 1)
    );
    assert!(store.visit_compliance(&office, "2020-13").await.is_err());

    // The year's bulk load: December is the peak, every household on schedule.
    let loaded = jixiao_store::demo::visits::load_year(store, 2020).await?;
    assert_eq!(jixiao_store::demo::visits::load_year(store, 2020).await?, 0);
    let december = store.visit_compliance(&office, "2020-12").await?;
    let june = store.visit_compliance(&office, "2020-06").await?;
    assert!(loaded > 0);
    assert_eq!(december.total.households_behind, 0, "{:?}", december.total);
    assert_eq!(december.total.visits_done, december.total.visits_due);
    assert!(june.total.households_behind > 0);
    assert!(june.total.visits_done < december.total.visits_done);
    db.remove().await?;
    Ok(())
}
