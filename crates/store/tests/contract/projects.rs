//! Rulebooks, the project library, target sheets, the gate and the review chain.

use crate::foundation::{actor_of, leling, user};
use crate::support::TestResult;
use jixiao_core::project::{PreAssessment, ProjectInput, ProjectState, TargetGrade};
use jixiao_core::rulebook::NATIONAL_DEFAULT;
use jixiao_core::target::IndicatorInput;
use jixiao_core::{Actor, Role};
use jixiao_store::test_support::TestDatabase;
use jixiao_store::{Decision, ProjectFilter, StoreError};

struct Cast {
    db: TestDatabase,
    department: Actor,
    unit: Actor,
    other: Actor,
    finance: Actor,
    viewer: Actor,
}

async fn cast() -> Result<Cast, Box<dyn std::error::Error>> {
    let db = leling().await?;
    let system = Actor::system();
    db.store.add_fiscal_year(&system, "371481", 2020).await?;
    for (name, role, agency) in [
        ("weijian", "agency", Some("114")),
        ("hospital", "agency", Some("114001")),
        ("caizhengju", "agency", Some("105")),
        ("jixiaoke", "finance", None),
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
        viewer: actor_of(&db.store, "renda").await?,
        db,
    })
}

fn input(name: &str, wan: i64) -> ProjectInput {
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

fn good_rows() -> Vec<IndicatorInput> {
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
        Err(StoreError::GateFailed(findings)) => {
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
        Err(StoreError::GateFailed(findings)) => {
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
    assert!(matches!(early, Err(StoreError::Forbidden)), "{early:?}");
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
    assert!(matches!(empty_return, Err(StoreError::Invalid(_))));
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
            &c.finance,
            project.id,
            again.version,
            &approve(None, None, ""),
        )
        .await?;
    assert_eq!(at_performance.review_step.as_deref(), Some("performance"));

    // The performance section grades; 差 cannot pass; a cut needs a reason.
    let ungraded = store
        .review_project(
            &c.finance,
            project.id,
            at_performance.version,
            &approve(None, None, ""),
        )
        .await;
    assert!(matches!(ungraded, Err(StoreError::Invalid(_))));
    let poor = store
        .review_project(
            &c.finance,
            project.id,
            at_performance.version,
            &approve(Some(TargetGrade::Poor), None, ""),
        )
        .await;
    assert!(matches!(poor, Err(StoreError::Invalid(_))), "{poor:?}");
    let unexplained = store
        .review_project(
            &c.finance,
            project.id,
            at_performance.version,
            &approve(Some(TargetGrade::Good), Some(90_000_000), ""),
        )
        .await;
    assert!(matches!(unexplained, Err(StoreError::Invalid(_))));
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
    assert!(matches!(frozen, Err(StoreError::Conflict(_))));
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
        assert!(matches!(seen, Err(StoreError::NotFound(_))), "{seen:?}");
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
        assert!(matches!(saved, Err(StoreError::NotFound(_))));
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
    assert!(matches!(by_finance, Err(StoreError::Forbidden)));
    let by_viewer = store
        .update_project(&c.viewer, project.id, project.version, &input("改名", 10))
        .await;
    assert!(matches!(by_viewer, Err(StoreError::Forbidden)));
    let by_finance = store
        .create_project(&c.finance, Some("114"), &input("财政代报", 10))
        .await;
    assert!(matches!(by_finance, Err(StoreError::Forbidden)));
    let for_other = store
        .create_project(&c.unit, Some("105"), &input("越权申报", 10))
        .await;
    assert!(matches!(for_other, Err(StoreError::Invalid(_))));
    let expert = Actor {
        role: Role::Expert,
        agency_id: None,
        ..c.finance.clone()
    };
    assert!(matches!(
        store.project(&expert, project.id).await,
        Err(StoreError::Forbidden)
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
    assert!(matches!(late, Err(StoreError::Conflict(_))));
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
    assert!(matches!(second, Err(StoreError::Conflict(_))), "{second:?}");
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
        Err(StoreError::InvalidRows(errors)) => {
            let found: Vec<(usize, &str)> =
                errors.iter().map(|e| (e.row, e.field.as_str())).collect();
            assert_eq!(found, [(1, "value"), (3, "op")]);
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
    assert!(matches!(negative, Err(StoreError::Invalid(_))));
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
    assert!(matches!(unknown, Err(StoreError::Invalid(_))));
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
        matches!(no_rulebook, Err(StoreError::Invalid(_))),
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
        Err(StoreError::GateFailed(findings)) => {
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
    assert!(matches!(blocked, Err(StoreError::GateFailed(_))));
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
    assert!(matches!(bad, Err(StoreError::Invalid(_))));
    let by_finance = store
        .load_rulebook(&c.finance, "371481", 2020, NATIONAL_DEFAULT)
        .await;
    assert!(matches!(by_finance, Err(StoreError::Forbidden)));

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
        Err(StoreError::GateFailed(findings)) => {
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
        Err(StoreError::Invalid(_))
    ));
    let new_with_link = ProjectInput {
        is_new: true,
        ..continuing.clone()
    };
    assert!(matches!(
        store.create_project(&c.unit, None, &new_with_link).await,
        Err(StoreError::Invalid(_))
    ));
    let others = ProjectInput {
        previous_project: Some(earlier.code.clone()),
        ..continuing
    };
    assert!(
        matches!(
            store.create_project(&c.other, None, &others).await,
            Err(StoreError::Invalid(_))
        ),
        "another agency's project cannot be continued"
    );
    Ok(())
}
