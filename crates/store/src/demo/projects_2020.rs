//! The 2020 demo projects, taken through the real use cases as the demo users would: some still
//! drafts (one stopped by the gate, one needing an ex-ante assessment), some waiting at each
//! review step, one returned with comments, and approved ones — one cut by 20万元 on the strength
//! of its evaluation, as the seed reports.

use crate::review::Decision;
use crate::{Error, Result, Store};
use jixiao_core::Actor;
use jixiao_core::indicator_library;
use jixiao_core::project::{ProjectInput, TargetGrade};
use jixiao_core::target::IndicatorInput;

fn input(name: &str, wan: i64, is_new: bool) -> ProjectInput {
    ProjectInput {
        year: 2020,
        name: name.to_owned(),
        category: "specific".to_owned(),
        is_new,
        requested_fen: wan * 1_000_000,
        funding_local_fen: wan * 1_000_000,
        basis: "《乐陵市2020年部门预算编制方案》".to_owned(),
        necessity: "落实脱贫攻坚和民生保障政策。".to_owned(),
        serves_people: true,
        ..ProjectInput::default()
    }
}

fn rows(template: &str) -> Vec<IndicatorInput> {
    indicator_library::template(template).map_or_else(Vec::new, |t| t.rows())
}

/// A project with the indicators its purpose names ([`indicator_library::suggested`]).
/// A demo project: what it asks for and the targets it states.
type Declared = (ProjectInput, Vec<IndicatorInput>);

fn project(name: &str, wan: i64, is_new: bool) -> Declared {
    let sheet = indicator_library::suggested("specific", name).map_or_else(Vec::new, |t| t.rows());
    (input(name, wan, is_new), sheet)
}

/// The 2020 project the demo's plans of measures are charged to and whose output indicators
/// are fed from them.
pub(super) const RISK_MONITORING_PROJECT: &str = "2020年防止返贫动态监测帮扶";

/// The 2020 programme projects whose output indicators are fed from the programmes' records
/// (decision 0046), with the owner's agency code, the bound row and what it counts: the
/// 护林员 posts of 杨安镇's villages (charged to the latest 扶贫专岗 project), the township's
/// clean-courtyard round, and the left-behind children's "12345" home visits.
pub(super) const PROGRAMME_PROJECTS: &[(&str, &str, i32, &str)] = &[
    ("2020年扶贫专岗（护林员）", "110", 2, "post_holders"),
    ("2020年杨安镇洁净庭院创建", "201", 1, "courtyards_passing"),
    (
        "2020年农村留守儿童关爱服务",
        "117",
        1,
        "children_on_schedule",
    ),
];

/// A programme project's sheet: its template's rows, with the bound row's target set to what
/// the township can reach and, for the posts, the row naming the people on the posts (the
/// template counts the people they serve).
fn programme_project(name: &str, wan: i64, target: &str) -> Declared {
    let (input, mut sheet) = project(name, wan, true);
    let bound = PROGRAMME_PROJECTS
        .iter()
        .find(|p| p.0 == name)
        .map_or(1, |p| p.2);
    if let Some(row) = usize::try_from(bound - 1)
        .ok()
        .and_then(|i| sheet.get_mut(i))
    {
        row.value = target.to_owned();
        if name.contains("专岗") {
            row.name = "扶贫专岗上岗人数".to_owned();
        }
    }
    (input, sheet)
}

async fn actor(store: &Store, username: &str) -> Result<Actor> {
    Ok(store.user(&Actor::system(), username).await?.actor())
}

/// The first half-year's instalments: 20% in March, 25% in June.
const HALF_YEAR: &[(&str, i64)] = &[("2020-03-20", 20), ("2020-06-18", 25)];

/// Where a demo project should end up.
enum Stop {
    /// A draft with the given sheet (may fail the gate).
    Draft,
    /// Submitted, then passed through `passes` review steps.
    InReview { passes: usize },
    /// Returned at the first finance step with this comment.
    Returned(&'static str),
    /// Approved with this grade and amount (万元), with a reason when cut, and paid by the
    /// treasury on these dates these shares (%) of the amount.
    Approved(
        TargetGrade,
        i64,
        &'static str,
        &'static [(&'static str, i64)],
    ),
}

pub(super) async fn load(store: &Store) -> Result<()> {
    let department = actor(store, "agency").await?;
    let hospital = actor(store, "yiyuan").await?;
    let disabled = actor(store, "canlian").await?;
    let finance = actor(store, "finance").await?;
    // Separation of duties: 预算科 decides the budget step, 绩效科 (finance) the performance step.
    let budget = actor(store, "budget").await?;
    let reviewer_at = |step: Option<&str>| {
        if step == Some("budget") {
            &budget
        } else {
            &finance
        }
    };
    let civil = super::agency_actor(store, "111").await?;
    let agriculture = super::agency_actor(store, "115").await?;
    let agriculture_centre = super::agency_actor(store, "115001").await?;
    let town = super::agency_actor(store, "201").await?;
    let assistance_office = super::agency_actor(store, "110").await?;
    let women = super::agency_actor(store, "117").await?;
    let mut incomplete = rows("purchase");
    for row in incomplete.iter_mut().take(2) {
        row.unit.clear();
    }
    let plan: Vec<(&Actor, Declared, Stop)> = vec![
        (
            &hospital,
            project("2020年慢性病患者免费体检", 86, false),
            Stop::InReview { passes: 0 },
        ),
        (
            &hospital,
            (input("2020年医疗设备购置（第一批）", 320, true), incomplete),
            Stop::Draft,
        ),
        (
            &department,
            project("2020年基本公共卫生服务", 1_150, false),
            Stop::InReview { passes: 0 },
        ),
        (
            &department,
            project("2020年家庭医生签约服务", 210, false),
            Stop::InReview { passes: 1 },
        ),
        (
            &department,
            project("2020年健康扶贫", 460, false),
            Stop::Returned("满意度指标值设定偏低，请参照2019年实际完成情况调整后重新报送"),
        ),
        (
            &department,
            project("2020年公共卫生服务能力提升", 800, true),
            Stop::Draft,
        ),
        (
            &disabled,
            project("2020年残疾人就业帮扶", 180, false),
            Stop::Approved(
                TargetGrade::Good,
                160,
                "根据2019年度第三方绩效评价结果调减20万元",
                HALF_YEAR,
            ),
        ),
        (
            &disabled,
            project("2020年残疾人康复服务", 95, false),
            Stop::Approved(TargetGrade::Excellent, 95, "", HALF_YEAR),
        ),
        // Spent 10% by the end of June, caught up in July.
        (
            &department,
            project("2020年妇幼健康服务", 300, true),
            Stop::Approved(
                TargetGrade::Good,
                300,
                "",
                &[("2020-05-20", 10), ("2020-07-15", 35)],
            ),
        ),
        // Slow spending: red alerts in the July round.
        (
            &department,
            project("2020年基层医疗机构能力建设", 480, true),
            Stop::Approved(TargetGrade::Good, 480, "", &[("2020-04-15", 15)]),
        ),
        (
            &hospital,
            project("2020年院前急救体系建设", 240, true),
            Stop::Approved(TargetGrade::Fair, 240, "", &[("2020-05-10", 20)]),
        ),
        (
            &department,
            project("2020年艾滋病防治", 120, true),
            Stop::Approved(
                TargetGrade::Good,
                120,
                "",
                &[("2020-04-10", 15), ("2020-07-20", 20)],
            ),
        ),
        (
            &disabled,
            (input("2020年盲人按摩培训", 24, true), Vec::new()),
            Stop::Draft,
        ),
        // The plans of measures of the monitored households are charged to it (decision 0046).
        (
            &assistance_office,
            project(RISK_MONITORING_PROJECT, 260, true),
            Stop::Approved(
                TargetGrade::Good,
                260,
                "",
                &[("2020-03-25", 20), ("2020-06-22", 30)],
            ),
        ),
        // Programme projects fed from the programmes' records (decision 0046).
        (
            &assistance_office,
            programme_project(PROGRAMME_PROJECTS[0].0, 45, "12"),
            Stop::Approved(TargetGrade::Good, 45, "", HALF_YEAR),
        ),
        (
            &town,
            programme_project(PROGRAMME_PROJECTS[1].0, 60, "16"),
            Stop::Approved(TargetGrade::Good, 60, "", HALF_YEAR),
        ),
        (
            &women,
            programme_project(PROGRAMME_PROJECTS[2].0, 38, "10"),
            Stop::Approved(TargetGrade::Good, 38, "", HALF_YEAR),
        ),
        // Continuing projects whose 2019 grades cut them through results application.
        (
            &civil,
            project("2020年城乡低保资金", 3_000, false),
            Stop::InReview { passes: 1 },
        ),
        (
            &civil,
            project("2020年临时救助", 150, false),
            Stop::InReview { passes: 1 },
        ),
        (
            &agriculture,
            project("2020年高标准农田建设", 2_000, false),
            Stop::InReview { passes: 1 },
        ),
        (
            &agriculture_centre,
            project("2020年农业综合开发", 1_150, false),
            Stop::InReview { passes: 1 },
        ),
        (
            &town,
            project("2020年扶贫协作产业项目", 365, false),
            Stop::InReview { passes: 1 },
        ),
    ];
    let mut approvals = Vec::new();
    for (owner, (mut project_input, sheet), stop) in plan {
        // A continuing project continues the 2019 project of the same name.
        if !project_input.is_new {
            let earlier = project_input.name.replace("2020年", "2019年");
            project_input.previous_project = super::project_named(store, 2019, &earlier)
                .await?
                .map(|p| p.code);
        }
        let project = store.create_project(owner, None, &project_input).await?;
        let goal = format!(
            "完成{}任务，资金使用规范，服务对象满意。",
            project_input.name
        );
        let mut version = if sheet.is_empty() {
            project.version
        } else {
            store
                .save_target(
                    owner,
                    project.id,
                    project.version,
                    &goal,
                    &format!("2020年度{goal}"),
                    &sheet,
                )
                .await?
        };
        let steps = match stop {
            Stop::Draft => continue,
            Stop::InReview { passes } => Some(passes),
            Stop::Returned(_) | Stop::Approved(..) => None,
        };
        let submitted = store.submit_project(owner, project.id, version).await?;
        version = submitted.version;
        let mut step = submitted.review_step.clone();
        // The department passes its units' projects on before finance sees them (except the
        // one left waiting at the department step).
        if submitted.review_step.as_deref() == Some(jixiao_core::rulebook::DEPARTMENT_STEP)
            && !matches!(steps, Some(0))
        {
            let reviewer = if owner.agency_id == agriculture_centre.agency_id {
                &agriculture
            } else {
                &department
            };
            let passed = store
                .review_project(reviewer, project.id, version, &pass(None, None, ""))
                .await?;
            version = passed.version;
            step = passed.review_step;
        }
        match stop {
            Stop::Draft => {}
            Stop::InReview { passes } => {
                for _ in 0..passes {
                    let passed = store
                        .review_project(
                            reviewer_at(step.as_deref()),
                            project.id,
                            version,
                            &pass(None, None, ""),
                        )
                        .await?;
                    version = passed.version;
                    step = passed.review_step;
                }
            }
            Stop::Returned(comment) => {
                store
                    .review_project(
                        &finance,
                        project.id,
                        version,
                        &Decision::Return {
                            comment: comment.to_owned(),
                        },
                    )
                    .await?;
            }
            Stop::Approved(grade, wan, reason, schedule) => {
                version = store
                    .review_project(
                        reviewer_at(step.as_deref()),
                        project.id,
                        version,
                        &pass(None, None, ""),
                    )
                    .await?
                    .version;
                approvals.push((project.id, version, grade, wan, reason, schedule));
            }
        }
    }
    // The results of 2019's evaluations bind these requests before any is approved.
    super::results_2019::apply(store, &finance).await?;
    for (project_id, version, grade, wan, reason, schedule) in approvals {
        let approved = store
            .review_project(
                &finance,
                project_id,
                version,
                &pass(Some(grade), Some(wan * 1_000_000), reason),
            )
            .await?;
        if approved.approved_fen != Some(wan * 1_000_000) {
            return Err(Error::Internal("demo approval".to_owned()));
        }
        // Payments to date.
        let treasury = super::treasury_actor();
        for (n, (date, share)) in schedule.iter().enumerate() {
            store
                .treasury(
                    &treasury,
                    &crate::TreasuryRequest::Payment {
                        request_id: format!("GK2020-{project_id:05}-{n}"),
                        target: crate::Target {
                            project_id: Some(project_id),
                            code: None,
                        },
                        amount_fen: wan * 1_000_000 * share / 100,
                        payee: super::PAYEES[n % super::PAYEES.len()].to_owned(),
                        purpose: "项目支出".to_owned(),
                        paid_on: Some((*date).to_owned()),
                        reservation_request_id: None,
                    },
                )
                .await?;
        }
    }
    Ok(())
}

fn pass(grade: Option<TargetGrade>, approved_fen: Option<i64>, reason: &str) -> Decision {
    Decision::Approve {
        grade,
        approved_fen,
        reason: reason.to_owned(),
        comment: String::new(),
    }
}
