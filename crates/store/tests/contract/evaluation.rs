//! Self-evaluation and results application on the demo: all 705 projects of 2019 scored with a
//! spread of grades, 1,000万元 cut through decisions, the cuts binding 2020's approvals, and a
//! decision refused once its project is approved.

use crate::support::TestResult;
use jixiao_core::Actor;
use jixiao_core::project::TargetGrade;
use jixiao_store::test_support::TestDatabase;
use jixiao_store::{AdjustmentDecision, Decision, Error, ProjectFilter, Store};

async fn project(
    store: &Store,
    actor: &Actor,
    year: i32,
    name: &str,
) -> Result<jixiao_store::Project, Box<dyn std::error::Error>> {
    let page = store
        .projects(
            actor,
            &ProjectFilter {
                year: Some(year),
                search: Some(name.to_owned()),
                ..ProjectFilter::default()
            },
            1,
            50,
        )
        .await?;
    Ok(page
        .projects
        .into_iter()
        .find(|p| p.name == name)
        .ok_or(name.to_owned())?)
}

fn approve(approved_fen: Option<i64>) -> Decision {
    Decision::Approve {
        grade: Some(TargetGrade::Good),
        approved_fen,
        reason: String::new(),
        comment: String::new(),
    }
}

#[tokio::test]
async fn the_demo_cuts_1000_wan_and_the_cuts_bind_next_years_approvals() -> TestResult {
    let db = TestDatabase::new().await?;
    jixiao_store::demo::load(&db.store).await?;
    let store = &db.store;
    let finance = store.user(&Actor::system(), "finance").await?.actor();

    // Every 2019 project has a self-evaluation, with a spread of grades.
    let posts = project(store, &finance, 2019, "2019年扶贫专岗").await?;
    let sheet = store.self_evaluation(&finance, posts.id).await?;
    assert!(sheet.id.is_some());
    let total = sheet.total_x100.ok_or("total")?;
    let sum = sheet.execution.ok_or("execution")?.score_x100
        + sheet.items.iter().map(|i| i.final_x100).sum::<i64>();
    assert_eq!(total, sum, "the total is the sum of the rounded items");

    let cuts = store.cuts(&finance, 2019).await?;
    assert_eq!(cuts.amount_fen, 1_000_000_000, "1,000万元 cut in 2019");
    let list = store.adjustments(&finance, 2019).await?;
    let disabled = list
        .iter()
        .find(|a| a.evaluated_name == "2019年残疾人就业帮扶")
        .ok_or("残疾人就业帮扶")?;
    assert_eq!(
        (
            disabled.status.as_str(),
            disabled.proposed_cut_fen,
            disabled.cut_fen
        ),
        ("changed", 18_000_000, 20_000_000)
    );
    assert_eq!(disabled.next_state, "approved");
    let relief = list
        .iter()
        .find(|a| a.evaluated_name == "2019年临时救助")
        .ok_or("临时救助")?;
    assert_eq!((relief.status.as_str(), relief.cut_fen), ("rejected", 0));
    let cancelled = list
        .iter()
        .find(|a| a.evaluated_name == "2019年扶贫协作产业项目")
        .ok_or("扶贫协作")?;
    assert_eq!(
        (cancelled.grade.as_str(), cancelled.action.as_str()),
        ("差", "cancel")
    );

    // The cut for 城乡低保资金 (10% of 3,000万元) binds its approval.
    let subsistence = project(store, &finance, 2020, "2020年城乡低保资金").await?;
    let above = store
        .review_project(
            &finance,
            subsistence.id,
            subsistence.version,
            &approve(Some(2_800_000_000)),
        )
        .await;
    match above {
        Err(Error::Invalid(errors)) => {
            assert!(errors.to_string().contains("不能超过2700万元"), "{errors}")
        }
        other => return Err(format!("approved above the cut: {other:?}").into()),
    }
    let approved = store
        .review_project(
            &finance,
            subsistence.id,
            subsistence.version,
            &approve(None),
        )
        .await?;
    assert_eq!(approved.approved_fen, Some(2_700_000_000));
    assert!(
        approved.approval_reason.contains("调减300万元"),
        "{}",
        approved.approval_reason
    );

    // A cancelled project cannot be approved at all.
    let cooperation = project(store, &finance, 2020, "2020年扶贫协作产业项目").await?;
    let refused = store
        .review_project(
            &finance,
            cooperation.id,
            cooperation.version,
            &approve(None),
        )
        .await;
    assert!(
        matches!(refused, Err(Error::Conflict { code: jixiao_store::ConflictCode::ResultApplied, ref message }) if message.contains("取消或暂停安排")),
        "{refused:?}"
    );

    // Deciding again, or after approval, is refused; agencies cannot decide.
    let again = store
        .decide_adjustment(&finance, disabled.id, &AdjustmentDecision::Accept)
        .await;
    // (the workflow's refusal: a decided proposal has no decision left to take)
    assert!(
        matches!(again, Err(Error::InvalidTransition(_))),
        "{again:?}"
    );
    let agency = store.user(&Actor::system(), "canlian").await?.actor();
    let forbidden = store
        .decide_adjustment(&agency, disabled.id, &AdjustmentDecision::Accept)
        .await;
    assert!(matches!(forbidden, Err(Error::Forbidden)));
    // Agencies see only their own proposals.
    let own = store.adjustments(&agency, 2019).await?;
    assert_eq!(
        own.len(),
        list.iter()
            .filter(|a| a.agency_name == "乐陵市残疾人联合会")
            .count()
    );
    assert!(!own.is_empty());
    Ok(())
}

#[tokio::test]
async fn a_change_needs_a_reason_and_an_amount_within_the_request() -> TestResult {
    let db = TestDatabase::new().await?;
    jixiao_store::demo::load(&db.store).await?;
    let store = &db.store;
    let finance = store.user(&Actor::system(), "finance").await?.actor();
    // A fresh proposal: 2020年家庭医生签约服务 (2019 优) — re-proposing makes nothing new.
    assert_eq!(store.propose_adjustments(&finance, 2019).await?, 0);
    let list = store.adjustments(&finance, 2019).await?;
    let decided = list.iter().all(|a| a.status != "proposed");
    assert!(decided);
    let doctors = list
        .iter()
        .find(|a| a.evaluated_name == "2019年家庭医生签约服务")
        .ok_or("家庭医生")?;
    assert_eq!(
        (
            doctors.grade.as_str(),
            doctors.action.as_str(),
            doctors.cut_fen
        ),
        ("优", "priority", 0)
    );
    Ok(())
}
