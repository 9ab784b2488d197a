//! The programmes of the seed (decision 0045) on every backend: the demo's posts are held only by
//! villagers the rulebook's ages allow, a holder of 15 is refused with `holder_age` and nothing
//! is stored, a village sees only its own posts; the figures indicators will read — distinct
//! holders charged to a project, children visited per schedule, courtyards passing — come out of
//! the demo's records.

use crate::support::TestResult;
use chrono::NaiveDate;
use jixiao_core::Actor;
use jixiao_core::assistance::registry::age_on;
use jixiao_store::test_support::TestDatabase;
use jixiao_store::{Error, HolderInput};

#[tokio::test]
async fn the_demo_programmes_and_the_figures_they_give() -> TestResult {
    let db = TestDatabase::new().await?;
    let store = &db.store;
    jixiao_store::demo::load(store).await?;
    let system = Actor::system();
    let office = store.user(&system, "bangfu").await?.actor();
    let village = store.user(&system, "cun").await?.actor();
    let jurisdiction = office.jurisdiction.clone().ok_or("jurisdiction")?;

    let posts = store.posts(&office, Some(2019)).await?;
    assert!(posts.len() >= 2, "{posts:?}");
    let project = posts
        .iter()
        .find(|p| p.project_name.contains("公岗扶贫"))
        .ok_or("a 公岗扶贫 post")?
        .project_id;
    let charged = store.post_holders_charged_to(project, 2019).await?;
    assert!(!charged.is_empty(), "the demo's holders");
    assert!(
        charged
            .iter()
            .all(|h| !h.name.is_empty() && !h.post.is_empty())
    );
    // Every holder is of age on the first day.
    for p in &posts {
        let file = store.post(&office, p.id).await?;
        for h in &file.holders {
            let household = store.household(&office, h.household_id).await?;
            let person = household
                .people
                .iter()
                .find(|x| x.id == h.person_id)
                .ok_or("the holder")?;
            let born = NaiveDate::parse_from_str(&person.birth_date, "%Y-%m-%d")?;
            let start = NaiveDate::parse_from_str(&h.from_on, "%Y-%m-%d")?;
            assert!((16..=70).contains(&age_on(born, start)), "{h:?}");
        }
    }
    assert!(
        store
            .post_holders_charged_to(project, 2018)
            .await?
            .is_empty()
    );

    // The village sees its own posts only.
    let own = store.posts(&village, None).await?;
    assert!(!own.is_empty() && own.len() < posts.len(), "{own:?}");

    // A child of the registry (a grandchild born 2008–2015) may not hold a post.
    let child = store
        .children(&office)
        .await?
        .into_iter()
        .find_map(|c| c.person_id)
        .ok_or("a registry child")?;
    let before = store.post(&office, posts[0].id).await?.holders.len();
    let refused = store
        .add_post_holder(
            &office,
            posts[0].id,
            &HolderInput {
                person_id: child,
                from_on: "2019-03-01".to_owned(),
                to_on: "2019-12-31".to_owned(),
            },
        )
        .await;
    match refused {
        Err(Error::Invalid(errors)) => {
            assert_eq!(errors.0[0].code, "holder_age", "{errors:?}");
        }
        other => return Err(format!("not refused: {other:?}").into()),
    }
    assert_eq!(
        store.post(&office, posts[0].id).await?.holders.len(),
        before
    );

    // Children visited per schedule: every other demo child has the four home visits of 2020.
    let children = store.children(&office).await?;
    let visited = store
        .children_visited_per_schedule(&jurisdiction, 2020)
        .await?;
    assert!(!visited.is_empty() && visited.len() < children.len());
    assert!(
        store
            .children_visited_per_schedule(&jurisdiction, 2019)
            .await?
            .is_empty()
    );
    // Courtyards: the demo round passes most, not all.
    let rounds = store.courtyard_rounds(&office).await?;
    let round = rounds.first().ok_or("the demo round")?;
    let passing = store.courtyards_passing(&jurisdiction, 2020).await?;
    assert_eq!(i64::try_from(passing.len())?, round.passing);
    assert!(
        round.passing > 0 && round.passing < round.scored,
        "{round:?}"
    );
    Ok(())
}
