//! The demo data of `jixiao serve --demo`: 乐陵市 (Leling, Shandong) as the seed newspaper page
//! describes it — its jurisdiction chain, its bureaus, towns and zone, fiscal years, one user per
//! role, the 2019 project library (705 projects, 273,180.48万元) and 2020 projects in every
//! workflow state, the 2019 self-evaluations, the three key evaluations of 2019 by drawn
//! institutions with their rectification items, the results application that cut 1,000万元
//! from 2020's requests, and the assistance registry: a small one in [`load`] (which tests use)
//! and, in [`load_full`] (what `serve --demo` and `jixiao demo` load), the Leling-scale one of
//! `registry_scale.rs`. Later features add their demo data here. Loading is deterministic and
//! happens once per database.

mod key_evaluations_2019;
mod monitoring_2020;
pub mod monitoring_cases;
mod pools;
mod programmes;
mod projects_2019;
mod projects_2020;
pub mod province;
pub mod registry;
pub mod registry_scale;
mod results_2019;
mod self_evaluations_2019;
pub mod shandong;
pub mod visits;

use crate::{Result, Store};
use jixiao_core::Actor;
use jixiao_core::agency::NewAgency;
use jixiao_core::jurisdiction::NewJurisdiction;
use jixiao_core::user::NewUser;

/// Payees of demo payments.
pub(crate) const PAYEES: &[&str] = &[
    "乐陵市人民医院",
    "乐陵市第二建筑工程有限公司",
    "德州市农业机械供应站",
    "乐陵市金亿奶牛养殖专业合作社",
    "乐陵市公共就业和人才服务中心",
    "山东华鲁医疗器械有限公司",
    "乐陵市杨安镇刘武官村股份经济合作社",
    "乐陵市职业中等专业学校",
    "乐陵市城乡居民（代发）",
    "德州市新华书店乐陵分店",
];

/// The finance bureau's treasury section acting for demo payments.
pub(crate) fn treasury_actor() -> Actor {
    Actor {
        user_id: None,
        name: "system".to_owned(),
        role: jixiao_core::Role::Finance,
        jurisdiction: Some(LELING.to_owned()),
        agency_id: None,
    }
}

/// An agency without a demo account (its code), acting through the demo loader.
pub(crate) async fn agency_actor(store: &Store, code: &str) -> Result<Actor> {
    let agency = store
        .agency_by_code(LELING, code)
        .await?
        .ok_or_else(|| crate::Error::Internal(format!("demo agency {code}")))?;
    Ok(Actor {
        user_id: None,
        name: format!("{}（演示）", agency.name),
        role: jixiao_core::Role::Agency,
        jurisdiction: Some(LELING.to_owned()),
        agency_id: Some(agency.id),
    })
}

/// The password of every demo account. Demo only: never use it on real data.
pub const DEMO_PASSWORD: &str = "jixiao-demo";

/// The demo jurisdiction: 乐陵市.
pub const LELING: &str = "371481";

const JURISDICTIONS: &[(&str, &str, Option<&str>)] = &[
    ("370000", "山东省", None),
    ("371400", "德州市", Some("370000")),
    (LELING, "乐陵市", Some("371400")),
];

/// (code, name, parent code, head). Departments (主管部门) come before their units (预算单位).
const AGENCIES: &[(&str, &str, Option<&str>, &str)] = &[
    ("105", "乐陵市财政局", None, "吴强"),
    ("105001", "乐陵市国库集中支付中心", Some("105"), "王建国"),
    ("105002", "乐陵市预算绩效评价中心", Some("105"), "李秀英"),
    ("110", "乐陵市扶贫开发领导小组办公室", None, "张立新"),
    ("111", "乐陵市民政局", None, "刘桂兰"),
    ("111001", "乐陵市社会福利中心", Some("111"), "陈志强"),
    ("112", "乐陵市残疾人联合会", None, "杨文华"),
    ("113", "乐陵市人力资源和社会保障局", None, "赵永刚"),
    (
        "113001",
        "乐陵市公共就业和人才服务中心",
        Some("113"),
        "孙丽娟",
    ),
    ("114", "乐陵市卫生健康局", None, "周明"),
    ("114001", "乐陵市人民医院", Some("114"), "吴海燕"),
    ("114002", "乐陵市疾病预防控制中心", Some("114"), "郑国庆"),
    ("115", "乐陵市农业农村局", None, "冯志刚"),
    (
        "115001",
        "乐陵市农业综合开发服务中心",
        Some("115"),
        "褚红梅",
    ),
    ("116", "乐陵市教育和体育局", None, "卫东"),
    ("116001", "乐陵市职业中等专业学校", Some("116"), "蒋春生"),
    ("117", "乐陵市妇女联合会", None, "沈玉珍"),
    ("201", "乐陵市杨安镇人民政府", None, "韩立军"),
    ("202", "乐陵市孔镇镇人民政府", None, "朱建华"),
    ("203", "乐陵市郭家街道办事处", None, "秦小平"),
    ("204", "乐陵经济技术开发区管理委员会", None, "许长江"),
];

/// (username, display name, role, agency code).
const USERS: &[(&str, &str, &str, Option<&str>)] = &[
    ("admin", "系统管理员", "admin", None),
    ("finance", "绩效科 王芳", "finance", None),
    ("budget", "预算科 张伟", "finance", None),
    ("agency", "卫生健康局 李明", "agency", Some("114")),
    // Shown by the name of the pool member it acts for once linked (demo::pools).
    ("expert", "评审专家", "expert", None),
    ("institution", "德信会计师事务所", "institution", None),
    ("viewer", "市人大预算工委 孙强", "viewer", None),
    ("yiyuan", "人民医院 财务科 吴静", "agency", Some("114001")),
    ("canlian", "残联 计财科 杨帆", "agency", Some("112")),
];

const FISCAL_YEARS: &[i32] = &[2019, 2020, 2021];

/// The demo accounts as the start-up message lists them: (user name, display name, role label).
pub fn accounts() -> Vec<(&'static str, &'static str, &'static str)> {
    USERS
        .iter()
        .map(|(username, display_name, role, _)| {
            let label = jixiao_core::Role::parse(role).map_or("", jixiao_core::Role::label);
            (*username, *display_name, label)
        })
        .chain(registry::accounts())
        .collect()
}

/// Whether the database holds nothing but what the demo could have written: it is empty, or it
/// has only the demo's jurisdictions and the demo's own department account. `serve --demo --reset`
/// refuses any other database.
pub async fn is_disposable(store: &Store) -> Result<bool> {
    let jurisdictions = store.jurisdictions().await?;
    if jurisdictions.is_empty() {
        return Ok(true);
    }
    if !jurisdictions.iter().all(|j| {
        JURISDICTIONS.iter().any(|(code, _, _)| *code == j.code)
            || shandong::CITIES.iter().any(|(code, _)| *code == j.code)
            || shandong::COUNTIES.iter().any(|(code, _)| *code == j.code)
    }) {
        return Ok(false);
    }
    let users = store.users(&Actor::system()).await?;
    Ok(users
        .iter()
        .any(|u| u.username == "agency" && u.display_name == "卫生健康局 李明"))
}

/// Loads all the demo data unless it is already there. Returns whether anything was loaded.
pub async fn load(store: &Store) -> Result<bool> {
    if !load_base(store).await? {
        return Ok(false);
    }
    // Set first, so that what the use cases date themselves (ratings, reviews ended) is dated
    // in the demo's year.
    store
        .set_business_date(&Actor::system(), LELING, Some(BUSINESS_DATE))
        .await?;
    projects_2019::load(store).await?;
    classify_allotments(store, 2019).await?;
    self_evaluations_2019::load(store).await?;
    pools::load(store).await?;
    key_evaluations_2019::load(store).await?;
    projects_2020::load(store).await?;
    // The registry and the programmes' records before the July round, so that the indicators
    // bound to them report what they held at the cut-off.
    registry::load(store).await?;
    programmes::load(store).await?;
    monitoring_cases::bind_indicators(store).await?;
    programmes::bind_indicators(store).await?;
    monitoring_2020::load(store).await?;
    classify_allotments(store, 2020).await?;
    pools::load_reviews(store).await?;
    visits::load_examples(store).await?;
    Ok(true)
}

/// The demo's project of `year` named exactly `name`, if there is one.
pub(crate) async fn project_named(
    store: &Store,
    year: i32,
    name: &str,
) -> Result<Option<crate::projects::Project>> {
    let found = store
        .projects(
            &Actor::system(),
            &crate::ProjectFilter {
                year: Some(year),
                search: Some(name.to_owned()),
                ..crate::ProjectFilter::default()
            },
            1,
            10,
        )
        .await?;
    Ok(found.projects.into_iter().find(|p| p.name == name))
}

/// The demo bureau works in 2020: its business date (业务日期) is the end of August, after the
/// July monitoring round, its alerts and their decision deadlines.
pub const BUSINESS_DATE: chrono::NaiveDate = match chrono::NaiveDate::from_ymd_opt(2020, 8, 31) {
    Some(date) => date,
    None => panic!("2020-08-31 is a date"),
};

/// The year of visits (走访) in the full demo: Leling's rhythm, December the peak.
pub const VISITS_YEAR: i32 = 2020;

/// Households of 杨安镇 whose incomes fire the screening in the full demo (decision 0035): one
/// in ten keeps an open clue, one in ten is dismissed, the other 300 become monitoring cases in
/// every state of the pipeline.
pub const MONITORED_HOUSEHOLDS: usize = 375;

/// Loads everything [`load`] does and the Leling-scale assistance registry (6,772 households,
/// 12,967 people, decision 0032) of `jixiao serve --demo` and `jixiao demo`. Returns whether
/// anything was loaded; a database that already holds the demo is left as it is.
pub async fn load_full(store: &Store) -> Result<bool> {
    if !load(store).await? {
        return Ok(false);
    }
    registry_scale::load(store, 1).await?;
    monitoring_cases::load(store, MONITORED_HOUSEHOLDS).await?;
    monitoring_cases::refresh_july_report(store).await?;
    visits::load_year(store, VISITS_YEAR).await?;
    Ok(true)
}

/// The functional classification (支出功能分类, 类级科目) of each demo department's allotments.
const FUNCTIONS: &[(&str, &str)] = &[
    ("105", "201"), // 财政局: 一般公共服务支出
    ("110", "213"), // 扶贫办: 农林水支出（扶贫）
    ("111", "208"), // 民政局: 社会保障和就业支出
    ("112", "208"), // 残联
    ("113", "208"), // 人社局
    ("114", "210"), // 卫生健康局: 卫生健康支出
    ("115", "213"), // 农业农村局: 农林水支出
    ("116", "205"), // 教育和体育局: 教育支出
    ("117", "201"), // 妇联: 一般公共服务支出（群众团体事务）
    ("201", "213"), // 乡镇、街道: 农林水支出（农村综合改革、扶贫）
    ("202", "213"),
    ("203", "213"),
    ("204", "215"), // 开发区: 资源勘探工业信息等支出
];

async fn classify_allotments(store: &Store, year: i32) -> Result<()> {
    let finance = treasury_actor();
    for (department, function) in FUNCTIONS {
        store
            .classify_allotments(&finance, year, department, function)
            .await?;
    }
    Ok(())
}

/// Loads the jurisdictions, agencies, fiscal years and users only (for tests that need no
/// projects). Returns whether anything was loaded.
pub async fn load_base(store: &Store) -> Result<bool> {
    if store
        .jurisdictions()
        .await?
        .iter()
        .any(|j| j.code == LELING)
    {
        return Ok(false);
    }
    let system = Actor::system();
    for (code, name, parent) in JURISDICTIONS {
        store
            .add_jurisdiction(
                &system,
                &NewJurisdiction {
                    code: (*code).to_owned(),
                    name: (*name).to_owned(),
                    parent_code: parent.map(str::to_owned),
                },
            )
            .await?;
    }
    for year in FISCAL_YEARS {
        store.add_fiscal_year(&system, LELING, *year).await?;
    }
    for (code, name, parent, head) in AGENCIES {
        store
            .add_agency(
                &system,
                &NewAgency {
                    jurisdiction: LELING.to_owned(),
                    code: (*code).to_owned(),
                    name: (*name).to_owned(),
                    parent_code: parent.map(str::to_owned),
                    head: (*head).to_owned(),
                },
            )
            .await?;
    }
    for (username, display_name, role, agency) in USERS {
        store
            .add_user(
                &system,
                &NewUser {
                    username: (*username).to_owned(),
                    display_name: (*display_name).to_owned(),
                    role: (*role).to_owned(),
                    jurisdiction: if *role == "admin" {
                        None
                    } else {
                        Some(LELING.to_owned())
                    },
                    agency_code: agency.map(str::to_owned),
                    password: DEMO_PASSWORD.to_owned(),
                    area_code: None,
                    sector: None,
                },
            )
            .await?;
    }
    Ok(true)
}
