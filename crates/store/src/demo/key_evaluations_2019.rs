//! The demo's three key evaluations of 2019 (公岗扶贫, 农业综合开发, 金亿奶牛养殖 — 3,059万元),
//! each by the institution the draw selected: accepted, commissioned by finance, scored on the
//! framework, submitted, confirmed with the problems found — which become rectification items,
//! one answered and checked off, one answered and sent back, the rest open.

use crate::{ConfirmInput, Error, Result, Store};
use jixiao_core::Actor;
use jixiao_core::key_evaluation::ScoreEntry;
use jixiao_core::user::NewUser;

/// (project, draw id, account, scores on the 20 framework items, conclusion, problems).
type Plan = (
    &'static str,
    i64,
    &'static str,
    [&'static str; 20],
    &'static str,
    &'static [&'static str],
);

const PLANS: [Plan; 3] = [
    (
        "2019年公岗扶贫",
        1,
        "jigou-gonggang",
        [
            "3", "2.5", "3", "2", "4", "4", "4", "3.5", "4", "4", "3", "9", "8", "5", "3", "7",
            "4", "5", "3.5", "4.5",
        ],
        "项目立项依据充分，公益岗位按计划开发，带动贫困劳动力稳定增收；岗位考勤管理和绩效指标细化仍需加强。",
        &[
            "部分乡镇公益岗位考勤记录不完整，存在代签现象",
            "绩效指标未细化到乡镇，年度任务数与岗位数不对应",
        ],
    ),
    (
        "2019年农业综合开发",
        2,
        "institution",
        [
            "2.5", "2", "2", "1.5", "3", "3", "4", "2.5", "3", "3", "2.5", "7", "7", "3", "3", "6",
            "3", "4", "3", "4",
        ],
        "项目完成了主要建设内容，但资金拨付滞后，部分工程未按期验收，后期管护存在问题。",
        &[
            "项目资金拨付滞后，四季度集中支付比例超过60%",
            "2处土地治理工程未按期完成竣工验收",
            "项目建成后管护主体和管护经费未落实",
        ],
    ),
    (
        "2019年金亿奶牛养殖",
        3,
        "jigou-jinyi",
        [
            "3", "3", "2.5", "2", "3.5", "3.5", "4", "3", "3.5", "3", "3", "8", "8", "4", "4", "7",
            "4", "4", "3", "4",
        ],
        "养殖场建设和奶牛引进基本完成，带贫效果初步显现；资产收益分配台账和财务核算需规范。",
        &["扶贫资产收益分配台账不健全，分红名单未公示"],
    ),
];

async fn institution_actor(
    store: &Store,
    finance: &Actor,
    member: i64,
    username: &str,
) -> Result<Actor> {
    let system = Actor::system();
    if store.user(&system, username).await.is_err() {
        store
            .add_user(
                &system,
                &NewUser {
                    username: username.to_owned(),
                    display_name: format!("第三方机构账号 {username}"),
                    role: "institution".to_owned(),
                    jurisdiction: Some(super::LELING.to_owned()),
                    agency_code: None,
                    password: super::DEMO_PASSWORD.to_owned(),
                    area_code: None,
                    sector: None,
                },
            )
            .await?;
        store.link_member_account(finance, member, username).await?;
    }
    Ok(store.user(&system, username).await?.actor())
}

/// Runs the three evaluations through the real use cases.
pub(super) async fn load(store: &Store) -> Result<()> {
    let finance = store.user(&Actor::system(), "finance").await?.actor();
    for (project, draw, username, scores, summary, problems) in PLANS {
        let record = store.draw_record(&finance, draw).await?;
        let member = record
            .result
            .selected
            .first()
            .copied()
            .ok_or_else(|| Error::Internal("demo key draw selected no one".to_owned()))?;
        let institution = institution_actor(store, &finance, member, username).await?;
        let task = store
            .assignments(&institution)
            .await?
            .into_iter()
            .find(|a| a.draw_id == draw)
            .ok_or_else(|| Error::Internal(format!("demo assignment for {project}")))?;
        store
            .answer_assignment(&institution, task.id, true, "")
            .await?;
        let evaluation = store.commission_evaluation(&finance, task.id).await?;
        let entries: Vec<ScoreEntry> = scores
            .iter()
            .enumerate()
            .map(|(n, score)| ScoreEntry {
                item_no: i32::try_from(n + 1).unwrap_or(0),
                score: (*score).to_owned(),
                finding: String::new(),
            })
            .collect();
        let saved = store
            .save_key_evaluation(
                &institution,
                evaluation.id,
                evaluation.version,
                &entries,
                summary,
            )
            .await?;
        store
            .submit_key_evaluation(&institution, evaluation.id, saved.evaluation.version)
            .await?;
        store
            .confirm_key_evaluation(
                &finance,
                evaluation.id,
                &ConfirmInput {
                    final_score: String::new(),
                    reason: String::new(),
                    problems: problems.iter().map(|p| (*p).to_owned()).collect(),
                },
            )
            .await?;
    }
    // The three and the results they led to are published.
    let evaluated: Vec<i64> = store
        .key_evaluations(&finance)
        .await?
        .into_iter()
        .map(|e| e.project_id)
        .collect();
    store.set_published(&finance, &evaluated, true).await?;
    // Rectification: one item answered and checked off, one answered and sent back.
    let open = store.rectifications(&finance, Some(2019)).await?;
    let agency_of = |project: &str| {
        open.iter()
            .find(|r| r.project_name == project)
            .cloned()
            .ok_or_else(|| Error::Internal(format!("demo rectification {project}")))
    };
    let posts = agency_of("2019年公岗扶贫")?;
    let poverty_office = super::agency_actor(store, "110").await?;
    let answered = store
        .answer_rectification(
            &poverty_office,
            posts.id,
            posts.version,
            "已对全部公益岗位实行人脸识别考勤，代签问题已追责整改。",
        )
        .await?;
    store
        .check_rectification(&finance, answered.id, true, "经核查整改到位，予以销号。")
        .await?;
    let dairy = agency_of("2019年金亿奶牛养殖")?;
    let agriculture = super::agency_actor(store, "115").await?;
    let answered = store
        .answer_rectification(
            &agriculture,
            dairy.id,
            dairy.version,
            "已建立收益分配台账。",
        )
        .await?;
    store
        .check_rectification(
            &finance,
            answered.id,
            false,
            "分红名单尚未在村务公开栏公示，请补充公示照片后再报。",
        )
        .await?;
    Ok(())
}
