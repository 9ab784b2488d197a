//! The demo pools: sixty experts and eight institutions of 乐陵市, some working for or related
//! to its agencies; the three 2019 key evaluations commissioned by drawing an institution, and
//! expert panels drawn for the target review of 2020 projects.

use crate::{DrawInput, Error, MemberInput, ProjectFilter, RelationInput, Result, Store};
use jixiao_core::Actor;

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡",
];
const GIVEN: &[&str] = &[
    "建华", "秀梅", "志强", "海燕", "国栋", "丽娟", "文博", "晓东", "春燕", "立新", "静怡", "宏伟",
    "雪梅", "振宇", "桂芳", "德明", "玉兰", "俊杰", "淑珍", "永胜",
];

/// (field, titles, employers) by field, and how many experts of each.
const FIELDS: &[(&str, usize, &str, &[&str])] = &[
    (
        "农业",
        15,
        "高级农艺师",
        &[
            "山东省农业科学院",
            "德州学院农学院",
            "乐陵市农业技术推广中心",
        ],
    ),
    (
        "卫生",
        12,
        "主任医师",
        &[
            "德州市人民医院",
            "山东第一医科大学",
            "德州市疾病预防控制中心",
        ],
    ),
    (
        "财务",
        12,
        "高级会计师",
        &[
            "德州学院经济管理学院",
            "山东财经大学",
            "德州市财政科学研究所",
        ],
    ),
    (
        "教育",
        8,
        "正高级教师",
        &["德州学院教育学院", "德州市教育科学研究院"],
    ),
    (
        "工程",
        8,
        "高级工程师",
        &["德州市建筑设计研究院", "山东建筑大学"],
    ),
    (
        "社会保障",
        5,
        "副教授",
        &["山东大学公共管理学院", "德州市社会保险事业中心"],
    ),
];

/// (name, type, fields) of the institutions.
const INSTITUTIONS: &[(&str, &str, &[&str])] = &[
    (
        "德州信诚会计师事务所有限公司",
        "会计师事务所",
        &["财务", "社会保障", "农业"],
    ),
    (
        "山东衡信会计师事务所有限公司",
        "会计师事务所",
        &["财务", "卫生", "教育"],
    ),
    (
        "山东鲁正资产评估有限公司",
        "资产评估机构",
        &["财务", "工程"],
    ),
    (
        "济南中咨工程咨询有限公司",
        "咨询机构",
        &["工程", "农业", "财务"],
    ),
    (
        "德州华源项目管理咨询有限公司",
        "咨询机构",
        &["农业", "社会保障", "财务"],
    ),
    ("山东德润律师事务所", "律师事务所", &["社会保障"]),
    ("德州学院", "高校", &["教育", "农业", "财务"]),
    ("山东省农业科学院", "科研院所", &["农业"]),
];

async fn project_id(store: &Store, year: i32, name: &str) -> Result<i64> {
    let found = store
        .projects(
            &Actor::system(),
            &ProjectFilter {
                year: Some(year),
                search: Some(name.to_owned()),
                ..ProjectFilter::default()
            },
            1,
            5,
        )
        .await?;
    found
        .projects
        .into_iter()
        .find(|p| p.name.contains(name))
        .map(|p| p.id)
        .ok_or_else(|| Error::Internal(format!("demo project {name}")))
}

pub(super) async fn load(store: &Store) -> Result<()> {
    let finance = store.user(&Actor::system(), "finance").await?.actor();
    let mut n = 0usize;
    for (field, count, title, employers) in FIELDS {
        for k in 0..*count {
            let name = format!(
                "{}{}",
                SURNAMES[n % SURNAMES.len()],
                // Distinct for every n below 60: same surname ⇒ given names 6 apart.
                GIVEN[(n / SURNAMES.len() + 3 * n) % GIVEN.len()]
            );
            let mut input = MemberInput {
                name,
                category: (*title).to_owned(),
                fields: vec![(*field).to_owned()],
                employer: employers[k % employers.len()].to_owned(),
                contact: format!("0534-62{:05}", 10_000 + n * 37),
                ..MemberInput::default()
            };
            // Two agriculture experts work for the agriculture bureau, one advised it in 2019;
            // one health expert works at the city hospital.
            match (*field, k) {
                ("农业", 0 | 1) => {
                    input.employer = "乐陵市农业农村局".to_owned();
                    input.employer_agency_code = "115".to_owned();
                }
                ("农业", 2) => input.relations.push(RelationInput {
                    agency_code: "115".to_owned(),
                    kind: "advised".to_owned(),
                    until: "2019-12-31".to_owned(),
                }),
                ("卫生", 0) => {
                    input.employer = "乐陵市人民医院".to_owned();
                    input.employer_agency_code = "114001".to_owned();
                }
                ("财务", 1) => input.fields.push("社会保障".to_owned()),
                _ => {}
            }
            store.add_pool_member(&finance, "expert", &input).await?;
            n += 1;
        }
    }
    for (name, kind, fields) in INSTITUTIONS {
        let mut input = MemberInput {
            name: (*name).to_owned(),
            category: (*kind).to_owned(),
            fields: fields.iter().map(|f| (*f).to_owned()).collect(),
            qualifications: "具备财政部门规定的预算绩效评价执业条件".to_owned(),
            staff: vec![
                format!("项目负责人 {}振华", SURNAMES[name.len() % SURNAMES.len()]),
                "评价人员 3 名".to_owned(),
            ],
            ..MemberInput::default()
        };
        // One firm keeps the finance bureau's books: not independent of it for key evaluations.
        if *name == "德州华源项目管理咨询有限公司" {
            input.relations.push(RelationInput {
                agency_code: "105".to_owned(),
                kind: "advised".to_owned(),
                until: String::new(),
            });
        }
        store
            .add_pool_member(&finance, "institution", &input)
            .await?;
    }
    // The three 2019 key evaluations, each commissioned from a drawn institution with a backup.
    for (project, fields) in [
        ("公岗扶贫", ["社会保障"]),
        ("农业综合开发", ["农业"]),
        ("金亿奶牛养殖", ["农业"]),
    ] {
        let id = project_id(store, 2019, project).await?;
        store
            .draw(
                &finance,
                &DrawInput {
                    kind: "institution".to_owned(),
                    purpose: "key_evaluation".to_owned(),
                    project_id: id,
                    fields: fields.map(str::to_owned).to_vec(),
                    count: 1,
                    backups: 1,
                    prefer_fewer_jobs: true,
                    as_of: Some("2020-03-16".to_owned()),
                    commissioning_agency_code: "105".to_owned(),
                    reviewed_institution_id: None,
                },
            )
            .await?;
    }
    // The demo accounts act for the institution drawn for 农业综合开发 and for the first expert
    // of the last panel.
    let first = |selected: &[i64]| {
        selected
            .first()
            .copied()
            .ok_or_else(|| Error::Internal("demo draw selected no one".to_owned()))
    };
    let institution = first(&store.draw_record(&finance, 2).await?.result.selected)?;
    store
        .link_member_account(&finance, institution, "institution")
        .await?;
    Ok(())
}

/// The expert panels for the target review of 2020 health projects and a report review done and
/// rated (after the 2020 projects are in).
pub(super) async fn load_reviews(store: &Store) -> Result<()> {
    let finance = store.user(&Actor::system(), "finance").await?.actor();
    let first = |selected: &[i64]| {
        selected
            .first()
            .copied()
            .ok_or_else(|| Error::Internal("demo draw selected no one".to_owned()))
    };
    // Expert panels for the target review of 2020 health projects.
    let mut last = 0;
    let mut reviews = Vec::new();
    for project in ["2020年基本公共卫生服务", "2020年家庭医生签约服务"] {
        let id = project_id(store, 2020, project).await?;
        store
            .draw(
                &finance,
                &DrawInput {
                    kind: "expert".to_owned(),
                    purpose: "target_review".to_owned(),
                    project_id: id,
                    fields: vec!["卫生".to_owned(), "财务".to_owned()],
                    count: 3,
                    backups: 2,
                    prefer_fewer_jobs: true,
                    as_of: Some("2019-11-20".to_owned()),
                    commissioning_agency_code: String::new(),
                    reviewed_institution_id: None,
                },
            )
            .await?;
        let review = store
            .draw(
                &finance,
                &DrawInput {
                    kind: "expert".to_owned(),
                    purpose: "report_review".to_owned(),
                    project_id: id,
                    fields: vec!["卫生".to_owned()],
                    count: 1,
                    backups: 0,
                    prefer_fewer_jobs: true,
                    as_of: Some("2019-11-21".to_owned()),
                    commissioning_agency_code: String::new(),
                    reviewed_institution_id: None,
                },
            )
            .await?;
        last = first(&review.result.selected)?;
        reviews.push(review.id);
    }
    // The first report review is done: accepted, submitted, and rated poorly (flagged).
    let expert = store.user(&Actor::system(), "expert").await?.actor();
    let done = store.draw_record(&finance, reviews[0]).await?;
    store
        .link_member_account(&finance, first(&done.result.selected)?, "expert")
        .await?;
    let task = store
        .assignments(&expert)
        .await?
        .into_iter()
        .find(|a| a.draw_id == done.id)
        .ok_or_else(|| Error::Internal("demo assignment".to_owned()))?;
    store.answer_assignment(&expert, task.id, true, "").await?;
    store
        .submit_review(
            &expert,
            task.id,
            &crate::ReviewInput {
                score: "86".to_owned(),
                opinion: "绩效目标与项目内容基本匹配，建议细化服务对象满意度指标。".to_owned(),
            },
        )
        .await?;
    store
        .rate_assignment(
            &finance,
            task.id,
            &crate::RatingInput {
                skill: 12,
                discipline: 10,
                ethics: 18,
                integrity: 15,
                comment: "逾期两天提交，意见较笼统".to_owned(),
                rated_on: None,
            },
        )
        .await?;
    store.link_member_account(&finance, last, "expert").await?;
    Ok(())
}
