//! Rulebooks, the project library, target sheets, the gate and the review chain.

use crate::foundation::{actor_of, leling, user};
use crate::support::TestResult;
use jixiao_core::project::{PreAssessment, ProjectInput, ProjectState, TargetGrade};
use jixiao_core::target::IndicatorInput;
use jixiao_core::{Actor, Role};
use jixiao_store::test_support::TestDatabase;
use jixiao_store::{Decision, Error};

pub(crate) struct Cast {
    pub(crate) db: TestDatabase,
    pub(crate) department: Actor,
    pub(crate) unit: Actor,
    pub(crate) other: Actor,
    pub(crate) finance: Actor,
    /// 预算科: decides the budget step (the rulebook keeps the two finance steps apart).
    pub(crate) budget: Actor,
    pub(crate) viewer: Actor,
}

pub(crate) async fn cast() -> Result<Cast, Box<dyn std::error::Error>> {
    let db = leling().await?;
    let system = Actor::system();
    db.store.add_fiscal_year(&system, "371481", 2020).await?;
    for (name, role, agency) in [
        ("weijian", "agency", Some("114")),
        ("hospital", "agency", Some("114001")),
        ("caizhengju", "agency", Some("105")),
        ("jixiaoke", "finance", None),
        ("yusuanke", "finance", None),
        ("renda", "viewer", None),
    ] {
        db.store
            .add_user(&system, &user(name, role, Some("371481"), agency))
            .await?;
    }
    Ok(Cast {
        department: actor_of(&db.store, "weijian").await?,
        unit: actor_of(&db.store, "hospital").await?,
        other: actor_of(&db.store, "caizhengju").await?,
        finance: actor_of(&db.store, "jixiaoke").await?,
        budget: actor_of(&db.store, "yusuanke").await?,
        viewer: actor_of(&db.store, "renda").await?,
        db,
    })
}

pub(crate) fn input(name: &str, wan: i64) -> ProjectInput {
    ProjectInput {
        year: 2020,
        name: name.into(),
        category: "specific".into(),
        is_new: true,
        requested_fen: wan * 1_000_000,
        serves_people: true,
        ..ProjectInput::default()
    }
}

fn row(
    level1: &str,
    level2: &str,
    name: &str,
    op: &str,
    value: &str,
    unit: &str,
    points: &str,
) -> IndicatorInput {
    IndicatorInput {
        level1: level1.into(),
        level2: level2.into(),
        name: name.into(),
        op: op.into(),
        value: value.into(),
        unit: unit.into(),
        points: points.into(),
        ..IndicatorInput::default()
    }
}

pub(crate) fn good_rows() -> Vec<IndicatorInput> {
    vec![
        row(
            "产出指标",
            "数量指标",
            "免费体检人数",
            ">=",
            "176",
            "人",
            "40",
        ),
        row(
            "效益指标",
            "社会效益指标",
            "慢性病早发现率",
            ">=",
            "90",
            "%",
            "40",
        ),
        row(
            "满意度指标",
            "服务对象满意度指标",
            "体检对象满意度",
            ">=",
            "90",
            "%",
            "20",
        ),
    ]
}

fn approve(grade: Option<TargetGrade>, approved_fen: Option<i64>, reason: &str) -> Decision {
    Decision::Approve {
        grade,
        approved_fen,
        reason: reason.into(),
        comment: String::new(),
    }
}

#[tokio::test]
async fn a_project_goes_from_draft_through_the_gate_and_review_to_approval() -> TestResult {
    let c = cast().await?;
    let store = &c.db.store;
    let project = store
        .create_project(&c.unit, None, &input("慢性病患者免费体检", 100))
        .await?;
    assert_eq!(project.state(), ProjectState::Draft);
    assert_eq!(project.agency_code, "114001");
    assert!(project.code.starts_with("114001-2020-"));

    // The gate stays shut on an empty sheet, with every finding at once.
    match store
        .submit_project(&c.unit, project.id, project.version)
        .await
    {
        Err(Error::GateFailed(findings)) => {
            let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
            assert!(messages.contains(&"缺少总体目标"));
            assert!(messages.contains(&"缺少数量指标"));
            assert!(messages.contains(&"绩效指标不少于3个，现有0个"));
        }
        other => return Err(format!("gate open: {other:?}").into()),
    }
    assert_eq!(
        store.project(&c.unit, project.id).await?.state(),
        ProjectState::Draft
    );

    // A row without a unit is named by its row.
    let mut rows = good_rows();
    rows[1].unit.clear();
    let version = store
        .save_target(
            &c.unit,
            project.id,
            project.version,
            "为贫困慢性病患者免费体检",
            "全年体检176人",
            &rows,
        )
        .await?;
    match store.submit_project(&c.unit, project.id, version).await {
        Err(Error::GateFailed(findings)) => {
            assert_eq!(findings.len(), 1);
            assert_eq!(findings[0].message, "第2行：定量指标缺少计量单位");
            assert_eq!(findings[0].row, Some(2));
        }
        other => return Err(format!("gate open: {other:?}").into()),
    }
    let version = store
        .save_target(
            &c.unit,
            project.id,
            version,
            "为贫困慢性病患者免费体检",
            "全年体检176人",
            &good_rows(),
        )
        .await?;
    let submitted = store.submit_project(&c.unit, project.id, version).await?;
    assert_eq!(submitted.state(), ProjectState::Submitted);
    assert_eq!(submitted.review_step.as_deref(), Some("department"));

    // Finance cannot take the department's step; the department can.
    let early = store
        .review_project(
            &c.finance,
            project.id,
            submitted.version,
            &approve(None, None, ""),
        )
        .await;
    assert!(matches!(early, Err(Error::Forbidden)), "{early:?}");
    let at_budget = store
        .review_project(
            &c.department,
            project.id,
            submitted.version,
            &approve(None, None, ""),
        )
        .await?;
    assert_eq!(at_budget.review_step.as_deref(), Some("budget"));
    assert!(
        store
            .my_queue(&c.finance, 10)
            .await?
            .iter()
            .any(|p| p.id == project.id)
    );

    // Finance returns it once; the unit resubmits.
    let empty_return = store
        .review_project(
            &c.finance,
            project.id,
            at_budget.version,
            &Decision::Return {
                comment: " ".into(),
            },
        )
        .await;
    assert!(matches!(empty_return, Err(Error::Invalid(_))));
    let returned = store
        .review_project(
            &c.finance,
            project.id,
            at_budget.version,
            &Decision::Return {
                comment: "体检人数依据不足".into(),
            },
        )
        .await?;
    assert_eq!(returned.state(), ProjectState::Returned);
    assert!(
        store
            .my_queue(&c.unit, 10)
            .await?
            .iter()
            .any(|p| p.id == project.id)
    );
    let again = store
        .submit_project(&c.unit, project.id, returned.version)
        .await?;
    let again = store
        .review_project(
            &c.department,
            project.id,
            again.version,
            &approve(None, None, ""),
        )
        .await?;
    let at_performance = store
        .review_project(
            &c.budget,
            project.id,
            again.version,
            &approve(None, None, ""),
        )
        .await?;
    assert_eq!(at_performance.review_step.as_deref(), Some("performance"));
    // Separation of duties: who passed the budget step may not also decide the performance
    // step of the same submission; nothing is written.
    let same_person = store
        .review_project(
            &c.budget,
            project.id,
            at_performance.version,
            &approve(Some(TargetGrade::Good), None, ""),
        )
        .await;
    match same_person {
        Err(Error::DutySeparation(message)) => {
            assert!(
                message.contains("预算科审核") && message.contains("绩效科审核"),
                "{message}"
            );
        }
        other => return Err(format!("one person decided both finance steps: {other:?}").into()),
    }
    let untouched = store.project(&c.finance, project.id).await?;
    assert_eq!(untouched.version, at_performance.version);
    assert_eq!(untouched.review_step.as_deref(), Some("performance"));

    // The performance section grades; 差 cannot pass; a cut needs a reason.
    let ungraded = store
        .review_project(
            &c.finance,
            project.id,
            at_performance.version,
            &approve(None, None, ""),
        )
        .await;
    assert!(matches!(ungraded, Err(Error::Invalid(_))));
    let poor = store
        .review_project(
            &c.finance,
            project.id,
            at_performance.version,
            &approve(Some(TargetGrade::Poor), None, ""),
        )
        .await;
    assert!(matches!(poor, Err(Error::Invalid(_))), "{poor:?}");
    let unexplained = store
        .review_project(
            &c.finance,
            project.id,
            at_performance.version,
            &approve(Some(TargetGrade::Good), Some(90_000_000), ""),
        )
        .await;
    assert!(matches!(unexplained, Err(Error::Invalid(_))));
    let approved = store
        .review_project(
            &c.finance,
            project.id,
            at_performance.version,
            &approve(Some(TargetGrade::Good), Some(90_000_000), "压减体检单价"),
        )
        .await?;
    assert_eq!(approved.state(), ProjectState::Approved);
    assert_eq!(approved.approved_fen, Some(90_000_000));
    assert_eq!(approved.target_grade.as_deref(), Some("良"));
    assert_eq!(approved.approved_revision, Some(1));

    let detail = store.project_detail(&c.viewer, project.id).await?;
    let trail: Vec<(&str, &str)> = detail
        .reviews
        .iter()
        .map(|r| (r.step.as_str(), r.action.as_str()))
        .collect();
    assert_eq!(
        trail,
        [
            ("agency", "submit"),
            ("department", "approve"),
            ("budget", "return"),
            ("agency", "submit"),
            ("department", "approve"),
            ("budget", "approve"),
            ("performance", "approve"),
        ]
    );

    // Approved targets are frozen; changes are a revision that goes through review again.
    let frozen = store
        .save_target(
            &c.unit,
            project.id,
            approved.version,
            "改",
            "改",
            &good_rows(),
        )
        .await;
    assert!(matches!(
        frozen,
        Err(Error::Conflict {
            code: jixiao_store::ConflictCode::NotEditable,
            ..
        })
    ));
    let revising = store
        .revise_project(&c.unit, project.id, approved.version)
        .await?;
    assert_eq!(
        (revising.state(), revising.target_revision),
        (ProjectState::Draft, 2)
    );
    let mut rows = good_rows();
    rows[0].value = "200".into();
    store
        .save_target(
            &c.unit,
            project.id,
            revising.version,
            "为贫困慢性病患者免费体检",
            "全年体检200人",
            &rows,
        )
        .await?;
    let detail = store.project_detail(&c.unit, project.id).await?;
    assert_eq!(detail.target.indicators[0].value, "200");
    let approved_sheet = detail.approved_target.ok_or("approved version readable")?;
    assert_eq!(approved_sheet.indicators[0].value, "176");
    assert_eq!(detail.project.approved_fen, Some(90_000_000));
    Ok(())
}

#[tokio::test]
async fn access_is_refused_outside_ones_own_agency_and_role() -> TestResult {
    let c = cast().await?;
    let store = &c.db.store;
    let project = store
        .create_project(&c.unit, None, &input("健康扶贫", 10))
        .await?;
    for outsider in [&c.other] {
        let seen = store.project(outsider, project.id).await;
        assert!(matches!(seen, Err(Error::NotFound(_))), "{seen:?}");
        let saved = store
            .save_target(
                outsider,
                project.id,
                project.version,
                "x",
                "x",
                &good_rows(),
            )
            .await;
        assert!(matches!(saved, Err(Error::NotFound(_))));
    }
    // The department sees its unit's project; finance and viewers read but do not edit.
    assert_eq!(
        store.project(&c.department, project.id).await?.id,
        project.id
    );
    let by_finance = store
        .save_target(
            &c.finance,
            project.id,
            project.version,
            "x",
            "x",
            &good_rows(),
        )
        .await;
    assert!(matches!(by_finance, Err(Error::Forbidden)));
    let by_viewer = store
        .update_project(&c.viewer, project.id, project.version, &input("改名", 10))
        .await;
    assert!(matches!(by_viewer, Err(Error::Forbidden)));
    let by_finance = store
        .create_project(&c.finance, Some("114"), &input("财政代报", 10))
        .await;
    assert!(matches!(by_finance, Err(Error::Forbidden)));
    let for_other = store
        .create_project(&c.unit, Some("105"), &input("越权申报", 10))
        .await;
    assert!(matches!(for_other, Err(Error::Invalid(_))));
    let expert = Actor {
        role: Role::Expert,
        agency_id: None,
        ..c.finance.clone()
    };
    assert!(matches!(
        store.project(&expert, project.id).await,
        Err(Error::Forbidden)
    ));

    // A submitted project cannot be edited.
    let version = store
        .save_target(
            &c.unit,
            project.id,
            project.version,
            "目标",
            "年度目标",
            &good_rows(),
        )
        .await?;
    let submitted = store.submit_project(&c.unit, project.id, version).await?;
    let late = store
        .update_project(&c.unit, project.id, submitted.version, &input("改名", 10))
        .await;
    assert!(matches!(
        late,
        Err(Error::Conflict {
            code: jixiao_store::ConflictCode::NotEditable,
            ..
        })
    ));
    Ok(())
}

#[tokio::test]
async fn the_second_of_two_saves_from_the_same_version_is_refused() -> TestResult {
    let c = cast().await?;
    let store = &c.db.store;
    let project = store
        .create_project(&c.unit, None, &input("残疾人就业", 30))
        .await?;
    let first = store
        .save_target(
            &c.unit,
            project.id,
            project.version,
            "甲的目标",
            "",
            &good_rows(),
        )
        .await;
    assert!(first.is_ok());
    let second = store
        .save_target(
            &c.department,
            project.id,
            project.version,
            "乙的目标",
            "",
            &good_rows(),
        )
        .await;
    assert!(matches!(second, Err(Error::StaleVersion(_))), "{second:?}");
    let detail = store.project_detail(&c.unit, project.id).await?;
    assert_eq!(detail.target.overall_goal, "甲的目标");
    Ok(())
}

#[tokio::test]
async fn bad_rows_and_bad_amounts_store_nothing() -> TestResult {
    let c = cast().await?;
    let store = &c.db.store;
    let project = store
        .create_project(&c.unit, None, &input("留守儿童关爱", 20))
        .await?;
    let version = store
        .save_target(
            &c.unit,
            project.id,
            project.version,
            "原目标",
            "",
            &good_rows(),
        )
        .await?;
    let mut rows = good_rows();
    rows[0].value = "很多".into();
    rows[2].op = "大约".into();
    match store
        .save_target(&c.unit, project.id, version, "新目标", "", &rows)
        .await
    {
        Err(Error::InvalidRows(errors)) => {
            let found: Vec<(usize, &str)> =
                errors.iter().map(|e| (e.row, e.field.as_str())).collect();
            // Words in a quantitative row are a draft's to keep (the gate refuses them at
            // submission, decision 0039); an unknown operator can never be stored.
            assert_eq!(found, [(3, "op")]);
        }
        other => return Err(format!("accepted: {other:?}").into()),
    }
    let detail = store.project_detail(&c.unit, project.id).await?;
    assert_eq!(
        (detail.target.overall_goal.as_str(), detail.project.version),
        ("原目标", version)
    );

    let negative = store
        .create_project(
            &c.unit,
            None,
            &ProjectInput {
                requested_fen: -1,
                ..input("负数", 1)
            },
        )
        .await;
    assert!(matches!(negative, Err(Error::Invalid(_))));
    let unknown = store
        .create_project(
            &c.unit,
            None,
            &ProjectInput {
                category: "桥梁".into(),
                ..input("x", 1)
            },
        )
        .await;
    assert!(matches!(unknown, Err(Error::Invalid(_))));
    let no_rulebook = store
        .create_project(
            &c.unit,
            None,
            &ProjectInput {
                year: 2031,
                ..input("未来", 1)
            },
        )
        .await;
    assert!(
        matches!(no_rulebook, Err(Error::Invalid(_))),
        "{no_rulebook:?}"
    );
    Ok(())
}

#[tokio::test]
async fn large_new_projects_need_a_supporting_pre_assessment() -> TestResult {
    let c = cast().await?;
    let store = &c.db.store;
    let project = store
        .create_project(&c.unit, None, &input("公共卫生服务能力提升", 800))
        .await?;
    let version = store
        .save_target(
            &c.unit,
            project.id,
            project.version,
            "目标",
            "年度",
            &good_rows(),
        )
        .await?;
    match store.submit_project(&c.unit, project.id, version).await {
        Err(Error::GateFailed(findings)) => {
            assert_eq!(
                findings[0].message,
                "申报金额达到500万元，须先开展事前绩效评估"
            );
        }
        other => return Err(format!("gate open: {other:?}").into()),
    }
    let rejected = store
        .set_pre_assessment(
            &c.unit,
            project.id,
            version,
            PreAssessment::Reject,
            "必要性不足",
        )
        .await?;
    let blocked = store
        .submit_project(&c.unit, project.id, rejected.version)
        .await;
    assert!(matches!(blocked, Err(Error::GateFailed(_))));
    let supported = store
        .set_pre_assessment(
            &c.unit,
            project.id,
            rejected.version,
            PreAssessment::SupportAfterAdjustment,
            "压缩规模后支持",
        )
        .await?;
    let submitted = store
        .submit_project(&c.unit, project.id, supported.version)
        .await?;
    assert_eq!(submitted.state(), ProjectState::Submitted);
    Ok(())
}

#[tokio::test]
async fn a_stored_state_outside_the_workflow_fails_the_read_instead_of_reading_as_a_draft()
-> TestResult {
    let c = cast().await?;
    if !c.db.url.starts_with("sqlite:") {
        // PostgreSQL's CHECK cannot be switched off per connection; the read path is the same.
        return Ok(());
    }
    let store = &c.db.store;
    let project = store
        .create_project(&c.unit, None, &input("状态被篡改的项目", 10))
        .await?;
    // A damaged or foreign database: the CHECK on state is bypassed for one connection.
    crate::support::raw_execute(
        &c.db.url,
        "PRAGMA ignore_check_constraints = ON; UPDATE projects SET state = 'lost'",
    )
    .await?;
    let read = store.project(&c.unit, project.id).await;
    match read {
        Err(Error::Unreadable {
            table,
            row,
            column,
            value,
        }) => {
            assert_eq!(
                (table, row, column, value.as_str()),
                ("projects", format!("id={}", project.id), "state", "lost")
            );
        }
        other => return Err(format!("an unknown state was read as {other:?}").into()),
    }
    Ok(())
}
