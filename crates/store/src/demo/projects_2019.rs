//! The 2019 project library of the demo: 705 approved projects under performance management
//! covering 273,180.48万元 of higher-level and local funds, as the seed reports, including the
//! three projects chosen for key evaluation (公岗扶贫, 农业综合开发, 金亿奶牛养殖 — 3,059万元)
//! and the poverty programmes of the seed's other articles. Amounts are spread deterministically.

use super::LELING;
use crate::audit::append;
use crate::projects::insert_project;
use crate::target_reviews::SheetReview;
use crate::targets::write_sheet;
use crate::{Error, Result, Store};
use jixiao_core::audit::AuditEntry;
use jixiao_core::indicator_library;
use jixiao_core::project::ProjectInput;
use jixiao_core::target::parse_sheet;
use jixiao_core::{Actor, time};
use serde_json::json;

/// Projects in 2019.
pub const PROJECTS: usize = 705;
/// Their money: 273,180.48万元 in fen.
pub const TOTAL_FEN: i64 = 273_180_480_000;

/// (agency, name, category, template, 万元, new, serves people) of the named projects.
const NAMED: &[(&str, &str, &str, &str, i64, bool, bool)] = &[
    (
        "110",
        "公岗扶贫",
        "specific",
        "poverty_posts",
        1_256,
        false,
        true,
    ),
    (
        "115001",
        "农业综合开发",
        "specific",
        "agriculture",
        1_403,
        false,
        true,
    ),
    (
        "115",
        "金亿奶牛养殖",
        "specific",
        "agriculture",
        400,
        true,
        true,
    ),
];

/// (agency, stem, category) of the rest; names are varied by town (a county department's) or by
/// batch (a town's own). Each takes the indicator template its purpose names
/// ([`indicator_library::suggested`]).
const STEMS: &[(&str, &str, &str)] = &[
    ("204", "扶贫专岗", "specific"),
    ("203", "洁净庭院创建", "specific"),
    ("112", "残疾人就业帮扶", "specific"),
    ("114", "健康扶贫", "specific"),
    ("117", "留守儿童关爱（12345模式）", "specific"),
    ("113001", "就业介绍信专项行动", "specific"),
    ("114001", "慢性病患者免费体检", "specific"),
    ("116001", "建档立卡贫困学生助学金", "specific"),
    ("202", "贫困户政策保障兜底", "specific"),
    ("201", "扶贫协作产业项目", "specific"),
    ("111", "城乡低保资金", "specific"),
    ("111", "特困人员供养", "specific"),
    ("111", "临时救助", "specific"),
    ("111", "残疾人两项补贴", "specific"),
    ("111001", "社会福利中心运转", "operation"),
    ("110", "扶贫小额信贷贴息", "specific"),
    ("110", "雨露计划职业教育补助", "specific"),
    ("112", "盲人按摩培训", "specific"),
    ("112", "残疾人康复服务", "specific"),
    ("113", "就业创业培训", "specific"),
    ("113", "公益性岗位补贴", "specific"),
    ("114", "基本公共卫生服务", "specific"),
    ("114", "家庭医生签约服务", "specific"),
    ("114001", "医疗设备购置", "specific"),
    ("114002", "重大传染病防控培训", "specific"),
    ("115", "高标准农田建设", "specific"),
    ("115", "农机购置补贴", "specific"),
    ("115001", "土地治理项目", "specific"),
    ("116", "学前教育资助", "specific"),
    ("116", "校舍维修改造", "specific"),
    ("116", "中小学教师培训", "specific"),
    ("116001", "实训设备购置", "specific"),
    ("201", "农村道路维修", "specific"),
    ("202", "农村人居环境整治", "specific"),
    ("105", "财政信息化建设", "specific"),
    ("105", "会计人员继续教育", "specific"),
    ("105001", "国库集中支付系统运维", "specific"),
    ("105002", "第三方绩效评价委托", "specific"),
    ("105", "机关运转保障", "operation"),
    ("114", "机关运转保障", "operation"),
];

const TOWNS: &[&str] = &[
    "杨安镇",
    "孔镇镇",
    "郭家街道",
    "经开区",
    "朱集镇",
    "花园镇",
    "黄夹镇",
    "西段乡",
    "铁营镇",
    "胡家街道",
    "市中街道",
    "寨头堡乡",
    "丁坞镇",
    "大孙乡",
    "化楼镇",
    "郑店镇",
    "云红街道",
];

/// One planned project.
struct Planned {
    agency: &'static str,
    name: String,
    category: &'static str,
    template: &'static indicator_library::Template,
    fen: i64,
    is_new: bool,
    serves_people: bool,
}

/// The towns whose own governments are demo agencies (乡镇、街道、开发区).
const TOWN_AGENCIES: &[(&str, &str)] = &[
    ("201", "杨安镇"),
    ("202", "孔镇镇"),
    ("203", "郭家街道"),
    ("204", "经开区"),
];

/// 二 … 二十: the batch of a town's repeated project (第二批 …).
fn batch_numeral(n: usize) -> String {
    const DIGITS: [&str; 10] = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => DIGITS[n].to_owned(),
        10 => "十".to_owned(),
        11..=19 => format!("十{}", DIGITS[n - 10]),
        _ => format!("{}十{}", DIGITS[(n / 10) % 10], DIGITS[n % 10]),
    }
}

/// The plan: named projects first, then the rest with amounts that add up exactly.
fn plan() -> Result<Vec<Planned>> {
    let template_of = |key: &str| {
        indicator_library::template(key).ok_or_else(|| Error::Internal(format!("template {key}")))
    };
    let mut planned: Vec<Planned> = Vec::new();
    for (agency, name, category, template, wan, is_new, serves) in NAMED {
        planned.push(Planned {
            agency,
            name: (*name).to_owned(),
            category,
            template: template_of(template)?,
            fen: wan * 1_000_000,
            is_new: *is_new,
            serves_people: *serves,
        });
    }
    let named_fen: i64 = planned.iter().map(|p| p.fen).sum();
    let rest = PROJECTS - planned.len();
    // Deterministic weights from a linear congruential generator: mostly small projects,
    // a few large ones, as in a county budget.
    let mut seed: u64 = 20_191_231;
    let mut weights = Vec::with_capacity(rest);
    for _ in 0..rest {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let draw = (seed >> 33) % 1000;
        weights.push(if draw < 50 { 40 + draw } else { 1 + draw % 12 });
    }
    let weight_sum: u64 = weights.iter().sum();
    // Spread in whole hundreds of yuan (10,000 fen); the last project takes the remainder.
    let units = (TOTAL_FEN - named_fen) / 10_000;
    let mut given = 0i64;
    for (i, weight) in weights.iter().enumerate() {
        let (agency, stem, category) = STEMS[i % STEMS.len()];
        let round = i / STEMS.len();
        let own_town = TOWN_AGENCIES.iter().find(|(code, _)| *code == agency);
        let name = match (round, own_town) {
            (0, _) => stem.to_owned(),
            (_, Some(_)) => format!("{stem}（第{}批）", batch_numeral(round + 1)),
            (_, None) => format!("{stem}（{}）", TOWNS[(round - 1 + i) % TOWNS.len()]),
        };
        let template = indicator_library::suggested(category, stem)
            .ok_or_else(|| Error::Internal(format!("no indicator template fits {stem}")))?;
        let share = i64::try_from(u64::try_from(units).unwrap_or(0) * weight / weight_sum)
            .unwrap_or(0)
            .max(1);
        let fen = if i + 1 == rest {
            TOTAL_FEN - named_fen - given
        } else {
            share * 10_000
        };
        given += fen;
        planned.push(Planned {
            agency,
            name,
            category,
            template,
            fen,
            is_new: i % 7 == 0,
            serves_people: template.key != "operation",
        });
    }
    Ok(planned)
}

/// Loads the 2019 library in one transaction, audited as one import.
pub(super) async fn load(store: &Store) -> Result<()> {
    let system = Actor::system();
    let agencies = store.agencies(&system).await?;
    let rulebook_record = store.rulebook_in_force(LELING, 2019).await?;
    let rulebook = rulebook_record.rulebook()?;
    let planned = plan()?;
    let now = time::now();
    let treasury = super::treasury_actor();
    let mut tx = store.begin().await?;
    for (i, project) in planned.iter().enumerate() {
        let agency = agencies
            .iter()
            .find(|a| a.code == project.agency && a.jurisdiction_code == LELING)
            .ok_or_else(|| Error::Internal(format!("demo agency {}", project.agency)))?;
        let template = project.template;
        let input = ProjectInput {
            year: 2019,
            name: format!("2019年{}", project.name),
            category: project.category.to_owned(),
            is_new: project.is_new,
            previous_project: None,
            start_year: 2019,
            end_year: 2019,
            requested_fen: project.fen,
            funding_superior_fen: project.fen * 4 / 10,
            funding_local_fen: project.fen - project.fen * 4 / 10,
            funding_other_fen: 0,
            basis: "《乐陵市2019年部门预算编制方案》".to_owned(),
            necessity: format!("保障{}工作顺利开展。", project.name),
            person_in_charge: agency.head.clone(),
            serves_people: project.serves_people,
        };
        let id = insert_project(
            &mut tx,
            agency,
            &input,
            jixiao_core::project::ProjectState::Draft,
            now,
            "system",
        )
        .await?;
        let goal = format!("完成{}各项任务，资金使用规范高效，群众满意。", project.name);
        let sheet = parse_sheet(&goal, &format!("2019年度{goal}"), &template.rows())
            .map_err(|e| Error::Internal(format!("demo sheet: {e:?}")))?;
        let review = SheetReview::of(&rulebook_record, &sheet, 2019, project.fen)?;
        write_sheet(&mut tx, id, 1, &sheet, "system", &review).await?;
        let grade = match i % 10 {
            0..=3 => "优",
            4..=8 => "良",
            _ => "中",
        };
        on_tx!(&mut tx, |conn| {
            sqlx::query(
                "UPDATE projects SET state = 'approved', approved_fen = requested_fen, \
                 approved_revision = 1, target_grade = $1, rulebook_id = $2, \
                 pre_assessment = CASE WHEN is_new AND requested_fen >= $3 THEN 'support' \
                 ELSE NULL END WHERE id = $4",
            )
            .bind(grade)
            .bind(rulebook_record.id)
            .bind(rulebook.pre_assessment_threshold_fen())
            .bind(id)
            .execute(&mut *conn)
            .await?;
        });
        crate::allotments::open_or_adjust(&mut tx, id, project.fen, "system").await?;
        pay_2019(&mut tx, &treasury, id, project.fen, i).await?;
    }
    append(
        &mut tx,
        AuditEntry::new("system", "project.import", "project", "2019")
            .in_jurisdiction(Some(LELING))
            .with_details(json!({
                "source": "demo",
                "projects": planned.len(),
                "approved_fen": TOTAL_FEN,
            })),
    )
    .await?;
    tx.commit().await
}

/// Payments through the year that bring a project to a realistic execution rate: most between
/// 80% and 99%, some fully spent, a few slow.
async fn pay_2019(
    tx: &mut crate::tx::Tx,
    treasury: &Actor,
    project_id: i64,
    fen: i64,
    i: usize,
) -> Result<()> {
    let rate_bp: i64 = match i % 20 {
        0..=2 => 10_000,
        3 => 6_200,
        4 => 7_400,
        n => (8_000 + i64::try_from(n).unwrap_or(0) * 105 + i64::try_from(i % 7).unwrap_or(0) * 13)
            .min(9_950),
    };
    let target = fen * rate_bp / 10_000;
    let parts: i64 = 1 + i64::try_from(i % 3).unwrap_or(0);
    let mut paid = 0;
    for part in 0..parts {
        let amount = if part + 1 == parts {
            target - paid
        } else {
            target / parts
        };
        if amount <= 0 {
            continue;
        }
        paid += amount;
        let month = 2 + part * 4 + i64::try_from(i % 3).unwrap_or(0);
        let request = crate::TreasuryRequest::Payment {
            request_id: format!("GK2019-{project_id:05}-{part}"),
            target: crate::Target {
                project_id: Some(project_id),
                code: None,
            },
            amount_fen: amount,
            payee: super::PAYEES[(i + usize::try_from(part).unwrap_or(0)) % super::PAYEES.len()]
                .to_owned(),
            purpose: "项目支出".to_owned(),
            paid_on: Some(format!("2019-{month:02}-{:02}", 5 + i % 20)),
            reservation_request_id: None,
        };
        crate::treasury::apply_in(tx, treasury, LELING, &request).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plan_reproduces_the_seed_figures() -> Result<()> {
        let planned = plan()?;
        assert_eq!(planned.len(), PROJECTS);
        assert_eq!(planned.iter().map(|p| p.fen).sum::<i64>(), TOTAL_FEN);
        assert!(planned.iter().all(|p| p.fen > 0));
        let key: i64 = planned[..3].iter().map(|p| p.fen).sum();
        assert_eq!(key, 3_059_000_000);
        for stem in [
            "扶贫专岗",
            "洁净庭院创建",
            "残疾人就业帮扶",
            "健康扶贫",
            "留守儿童关爱（12345模式）",
            "就业介绍信专项行动",
        ] {
            assert!(planned.iter().any(|p| p.name == stem), "{stem}");
        }
        Ok(())
    }

    #[test]
    fn every_project_reads_true() -> Result<()> {
        for project in plan()? {
            // A town's project never carries another town's name.
            if let Some((_, own)) = TOWN_AGENCIES.iter().find(|(c, _)| *c == project.agency) {
                for town in TOWNS.iter().filter(|t| *t != own) {
                    assert!(!project.name.contains(town), "{} of {own}", project.name);
                }
            }
            // Its indicators are those its purpose names.
            if let Some(fits) = indicator_library::suggested(project.category, &project.name) {
                assert_eq!(project.template.key, fits.key, "{}", project.name);
            }
        }
        assert_eq!(batch_numeral(2), "二");
        assert_eq!(batch_numeral(12), "十二");
        assert_eq!(batch_numeral(20), "二十");
        Ok(())
    }
}
