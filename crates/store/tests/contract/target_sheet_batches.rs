//! A year's working target sheets read in batches: the same sheets `project_detail` reads, for
//! the projects the project list shows the actor, and nothing for roles without a project list.

use crate::support::TestResult;
use jixiao_core::{Actor, Role};
use jixiao_store::test_support::TestDatabase;
use jixiao_store::{Error, ProjectFilter, Store, WorkingTargetSheet};

/// Every batch of `limit` until the year is done.
async fn all_batches(
    store: &Store,
    actor: &Actor,
    year: i32,
    jurisdiction: Option<&str>,
    limit: i64,
) -> Result<Vec<WorkingTargetSheet>, Error> {
    let mut all: Vec<WorkingTargetSheet> = Vec::new();
    loop {
        let after = all.last().map(|s| s.project_id);
        let batch = store
            .working_target_sheets_after(actor, year, jurisdiction, after, limit)
            .await?;
        if batch.is_empty() {
            return Ok(all);
        }
        assert!(batch.len() as i64 <= limit);
        all.extend(batch);
    }
}

/// The ids the project list shows the actor for a year.
async fn listed(store: &Store, actor: &Actor, year: i32) -> Result<Vec<i64>, Error> {
    let filter = ProjectFilter {
        year: Some(year),
        ..ProjectFilter::default()
    };
    let mut ids = Vec::new();
    let mut after = None;
    loop {
        let page = store.projects_after(actor, &filter, after, 1000).await?;
        let Some(last) = page.last() else { break };
        after = Some((last.year, last.jurisdiction_code.clone(), last.code.clone()));
        ids.extend(page.iter().map(|p| p.id));
    }
    ids.sort_unstable();
    Ok(ids)
}

#[tokio::test]
async fn batches_hold_the_sheets_project_detail_reads() -> TestResult {
    let db = TestDatabase::new().await?;
    let store = &db.store;
    jixiao_store::demo::load(store).await?;
    let system = Actor::system();
    let mut revised = 0;
    let mut indicators = 0;
    for year in [2019, 2020] {
        // Small batches, so that the keyset is crossed many times.
        let sheets = all_batches(store, &system, year, None, 4).await?;
        let ids: Vec<i64> = sheets.iter().map(|s| s.project_id).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "in id order: {ids:?}");
        assert_eq!(ids, listed(store, &system, year).await?, "{year}");
        assert!(!sheets.is_empty(), "the demo has projects in {year}");
        for sheet in &sheets {
            let detail = store.project_detail(&system, sheet.project_id).await?;
            let p = &detail.project;
            assert_eq!(sheet.target, detail.target, "{}", p.code);
            assert_eq!(
                (
                    sheet.jurisdiction_code.as_str(),
                    sheet.agency_id,
                    sheet.year,
                    sheet.code.as_str(),
                    sheet.name.as_str(),
                    sheet.requested_fen,
                    sheet.serves_people,
                    sheet.target_revision,
                ),
                (
                    p.jurisdiction_code.as_str(),
                    p.agency_id,
                    p.year,
                    p.code.as_str(),
                    p.name.as_str(),
                    p.requested_fen,
                    p.serves_people,
                    p.target_revision,
                ),
            );
            indicators += sheet.target.indicators.len();
            if p.target_revision > 1 {
                revised += 1;
            }
        }
        // One batch as large as allowed reads the same.
        let whole = store
            .working_target_sheets_after(&system, year, None, None, 100_000)
            .await?;
        assert_eq!(whole, sheets);
    }
    assert!(indicators > 0, "the demo's sheets have indicators");
    assert!(
        revised > 0,
        "a project worked on in a later revision is read at it"
    );
    // A jurisdiction filter: the demo's county has them all, another none.
    let county = all_batches(store, &system, 2020, Some(jixiao_store::demo::LELING), 50).await?;
    assert_eq!(county.len(), listed(store, &system, 2020).await?.len());
    assert!(
        all_batches(store, &system, 2020, Some("110101"), 50)
            .await?
            .is_empty()
    );
    assert!(
        all_batches(store, &system, 2031, None, 50)
            .await?
            .is_empty()
    );
    Ok(())
}

#[tokio::test]
async fn batches_keep_to_the_actors_scope() -> TestResult {
    let db = TestDatabase::new().await?;
    let store = &db.store;
    jixiao_store::demo::load(store).await?;
    let system = Actor::system();
    for username in ["agency", "yiyuan", "canlian", "finance"] {
        let actor = store.user(&system, username).await?.actor();
        for year in [2019, 2020] {
            let ids: Vec<i64> = all_batches(store, &actor, year, None, 3)
                .await?
                .iter()
                .map(|s| s.project_id)
                .collect();
            assert_eq!(ids, listed(store, &actor, year).await?, "{username} {year}");
        }
    }
    let unit = store.user(&system, "yiyuan").await?.actor();
    let everything = all_batches(store, &system, 2020, None, 50).await?;
    let own = all_batches(store, &unit, 2020, None, 50).await?;
    assert!(
        own.len() < everything.len(),
        "a unit sees less than the county"
    );
    let expert = Actor {
        role: Role::Expert,
        ..unit
    };
    assert!(matches!(
        store
            .working_target_sheets_after(&expert, 2020, None, None, 10)
            .await,
        Err(Error::Forbidden)
    ));
    Ok(())
}
