//! The Leling-scale synthetic assistance registry (issue 18, item 7; decision 0032): 6,772
//! registered households with 12,967 people over Leling's 15 townships, the demo's villages and
//! 69 key villages (ASSISTANCE.md §5), 85% of households with illness or disability among the
//! causes, 44% one-person households, valid synthetic resident IDs, the person and household
//! facts the assistance rulebook reads, the policies each department reports as enjoyed, and a
//! realistic share (7%) of seeded problems the coverage check must find. Deterministic: the same
//! scale gives the same registry, byte for byte. Stored through the real import paths
//! (`Store::import_households`, `Store::import_enjoyments`).

use super::LELING;
use super::registry::{DEMO_VILLAGES_PER_TOWNSHIP, TOWNSHIPS, village_code, village_name};
use crate::{AreaLine, EnjoymentRow, Error, Result, Store};
use chrono::{Datelike, Days, NaiveDate};
use jixiao_core::Actor;
use jixiao_core::assistance::export::{ExportHousehold, ExportPerson};
use jixiao_core::assistance::id_number::check_character;
use jixiao_core::assistance::record::{HouseholdRecord, PersonRecord};
use jixiao_core::assistance::registry::{
    Department, DisabilityGrade, Education, Health, HouseholdType, IncomeRecord, LabourAbility,
    MonitoringCategory, Relation, SchoolStatus, Sex, WorkStatus,
};
use std::collections::{BTreeMap, HashMap};

/// Registered households at scale 1 (Leling, 2016).
pub const HOUSEHOLDS: usize = 6_772;
/// Registered people at scale 1.
pub const PEOPLE: usize = 12_967;
/// Leling's key villages (重点村).
pub const KEY_VILLAGES: usize = 69;
/// Share of households with a seeded problem, per mille, in the full registry.
pub const SEEDED_PER_MILLE: u32 = 70;
/// Share of one-person households, per mille.
pub const ONE_PERSON_PER_MILLE: usize = 440;
/// Share of households with illness or disability among the causes, per mille.
pub const ILL_PER_MILLE: usize = 850;

/// The day the registry describes (ages, incomes of the year, enjoyments running).
pub fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 12, 31).unwrap_or_default()
}

/// A problem seeded into the registry for the coverage check to find.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Problem {
    /// 健康状况为残疾, no 残疾人证.
    DisabledWithoutCertificate,
    /// 一/二级 certificate, no 重度残疾人护理补贴.
    SevereDisabilityWithoutCare,
    /// The whole household without labour ability, neither 低保 nor 特困.
    NoLabourWithoutDibao,
    /// A 中职 student of a 脱贫户 without 雨露计划.
    VocationalWithoutYulu,
    /// 雨露计划 paid to someone no longer at a vocational school.
    YuluNotInSchool,
    /// 特困 recipient aged 18–60, healthy, not at school.
    TekunAbleBodied,
    /// 低保 household whose income is above the line.
    DibaoAboveLine,
    /// A member without 居民医保 (and so without 大病保险).
    MissingMedicalInsurance,
    /// 高血压 without 家庭医生签约.
    ChronicWithoutFamilyDoctor,
    /// A child of 7–14 out of school without 义务教育保障.
    ChildOutOfSchool,
    /// A public-welfare post held by someone of 70 or over.
    PostHolderOver70,
    /// Work income under 400 元 a month.
    LowWorkIncome,
    /// A healthy 16–60-year-old recorded as 弱劳动力.
    HealthyWeakLabour,
    /// 技能劳动力 not working.
    SkilledNotWorking,
    /// A monitored household with a recorded per-capita income above 20,000 元.
    MonitoredIncomeTooHigh,
    /// 户联系电话 a landline.
    HouseholdPhoneNotMobile,
    /// A member's phone with a digit missing.
    MemberPhoneNotMobile,
}

impl Problem {
    /// Every kind, with its weight in the seeded share.
    pub const ALL: [(Problem, usize); 17] = [
        (Problem::MissingMedicalInsurance, 12),
        (Problem::HouseholdPhoneNotMobile, 10),
        (Problem::MemberPhoneNotMobile, 8),
        (Problem::DisabledWithoutCertificate, 8),
        (Problem::ChronicWithoutFamilyDoctor, 8),
        (Problem::NoLabourWithoutDibao, 6),
        (Problem::DibaoAboveLine, 6),
        (Problem::LowWorkIncome, 6),
        (Problem::HealthyWeakLabour, 6),
        (Problem::SkilledNotWorking, 5),
        (Problem::SevereDisabilityWithoutCare, 5),
        (Problem::VocationalWithoutYulu, 4),
        (Problem::YuluNotInSchool, 3),
        (Problem::TekunAbleBodied, 3),
        (Problem::ChildOutOfSchool, 3),
        (Problem::PostHolderOver70, 3),
        (Problem::MonitoredIncomeTooHigh, 3),
    ];

    /// The rule of the assistance rulebook that must find it.
    pub fn rule(self) -> &'static str {
        match self {
            Problem::DisabledWithoutCertificate => "disabled_without_certificate",
            Problem::SevereDisabilityWithoutCare => "severe_disability_care",
            Problem::NoLabourWithoutDibao => "no_labour_without_dibao_or_tekun",
            Problem::VocationalWithoutYulu | Problem::YuluNotInSchool => "yulu",
            Problem::TekunAbleBodied => "tekun_able_bodied",
            Problem::DibaoAboveLine => "dibao",
            Problem::MissingMedicalInsurance => "resident_medical",
            Problem::ChronicWithoutFamilyDoctor => "family_doctor",
            Problem::ChildOutOfSchool => "compulsory_education",
            Problem::PostHolderOver70 => "public_welfare_post",
            Problem::LowWorkIncome => "low_monthly_work_income",
            Problem::HealthyWeakLabour => "healthy_recorded_weak_labour",
            Problem::SkilledNotWorking => "skilled_not_working",
            Problem::MonitoredIncomeTooHigh => "monitored_income_too_high",
            Problem::HouseholdPhoneNotMobile => "household_phone_not_mobile",
            Problem::MemberPhoneNotMobile => "member_phone_not_mobile",
        }
    }

    /// Other rules the same problem may set off in its household (a member without 居民医保 has
    /// no 大病保险 either; a healthy 特困 recipient of working age does not qualify for 特困).
    pub fn also(self) -> &'static [&'static str] {
        match self {
            Problem::MissingMedicalInsurance => &["critical_illness"],
            Problem::TekunAbleBodied => &["tekun_dispersed", "tekun_centralized"],
            _ => &[],
        }
    }

    /// Whether the problem can be seeded into a household of `size` people.
    fn fits(self, size: usize) -> bool {
        match self {
            Problem::TekunAbleBodied => size == 1,
            Problem::NoLabourWithoutDibao | Problem::PostHolderOver70 => size <= 2,
            Problem::ChildOutOfSchool
            | Problem::VocationalWithoutYulu
            | Problem::YuluNotInSchool => size >= 2,
            _ => true,
        }
    }

    /// Whether the problem needs a healthy adult of working age (16–55) in the household.
    fn needs_worker(self) -> bool {
        matches!(
            self,
            Problem::LowWorkIncome | Problem::HealthyWeakLabour | Problem::SkilledNotWorking
        )
    }
}

/// A seeded problem: the household (户编号) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seeded {
    /// 户编号.
    pub household: String,
    /// The problem.
    pub problem: Problem,
}

/// One enjoyment a department reports: whose (resident ID), which policy, from when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enjoyment {
    /// The department whose list it is on.
    pub department: Department,
    /// The person's resident ID (for a household policy, the 户主's).
    pub resident_id: String,
    /// The policy's code in the assistance rulebook.
    pub policy: &'static str,
    /// First day covered.
    pub from: NaiveDate,
    /// Last day covered.
    pub to: Option<NaiveDate>,
    /// Amount, fen.
    pub amount_fen: i64,
}

/// The generated registry.
#[derive(Debug, Clone, Default)]
pub struct ScaleRegistry {
    /// The key villages the registry adds to the demo's area tree.
    pub villages: Vec<AreaLine>,
    /// The households as the national person export carries them (rows as an export of them
    /// in this order has them).
    pub households: Vec<ExportHousehold>,
    /// What the departments report as enjoyed.
    pub enjoyments: Vec<Enjoyment>,
    /// The problems seeded, one per household at most.
    pub seeded: Vec<Seeded>,
}

impl ScaleRegistry {
    /// People in the registry.
    pub fn people(&self) -> usize {
        self.households.iter().map(|h| h.members.len()).sum()
    }
}

/// The registry at `scale` × Leling (6,772 × `scale` households), 7% of them with a problem.
pub fn generate(scale: u32) -> ScaleRegistry {
    let scale = usize::try_from(scale.max(1)).unwrap_or(1);
    generate_with(
        HOUSEHOLDS * scale,
        SEEDED_PER_MILLE,
        0x4c65_6c69_6e67 ^ scale as u64,
    )
}

/// A small registry of `households` households in the same proportions, a third of them with a
/// problem so that every kind appears (for tests).
pub fn generate_small(households: usize) -> ScaleRegistry {
    generate_with(households.max(1), 333, 0x0073_6d61_6c6c)
}

/// SplitMix64: small, fast and the same everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }

    /// A number in `lo..=hi`.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        lo + i64::try_from(self.below(u64::try_from(hi - lo + 1).unwrap_or(1))).unwrap_or(0)
    }

    /// An age in `lo..=hi`.
    fn age(&mut self, lo: u32, hi: u32) -> u32 {
        u32::try_from(self.range(i64::from(lo), i64::from(hi))).unwrap_or(lo)
    }

    /// True `per_mille` times in a thousand.
    fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }

    /// One of the items, by weight.
    fn weighted<T: Copy>(&mut self, items: &[(T, u64)]) -> T {
        let total: u64 = items.iter().map(|(_, w)| w).sum();
        let mut at = self.below(total);
        for (item, weight) in items {
            if at < *weight {
                return *item;
            }
            at -= weight;
        }
        items[0].0
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[usize::try_from(self.below(items.len() as u64)).unwrap_or(0)]
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = usize::try_from(self.below(i as u64 + 1)).unwrap_or(0);
            items.swap(i, j);
        }
    }
}

const SURNAMES: [&str; 40] = [
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "郑", "梁", "宋", "韩", "冯", "于", "董", "曹", "田", "崔", "孟", "薛", "许",
    "魏", "史", "贾", "付", "邢", "耿", "常", "侯",
];
const MALE_NAMES: [&str; 30] = [
    "建国", "建华", "志强", "国庆", "明", "勇", "立新", "振华", "德胜", "长江", "金山", "秀山",
    "洪波", "春生", "玉林", "宝山", "永刚", "卫东", "海涛", "军", "磊", "伟", "浩然", "子轩",
    "宇航", "俊杰", "广田", "传福", "恩来", "保国",
];
const FEMALE_NAMES: [&str; 30] = [
    "秀英", "桂兰", "玉兰", "淑珍", "凤英", "海燕", "秀兰", "桂英", "玉珍", "春梅", "丽娟", "红梅",
    "淑芳", "翠花", "金凤", "美玲", "艳", "静", "丽", "敏", "雪", "欣怡", "子涵", "梓萱", "雨桐",
    "秀云", "素芳", "兰英", "月华", "彩霞",
];
/// Place-name stems of the synthetic key villages.
const VILLAGE_STEMS: [&str; 24] = [
    "王", "李", "张", "刘", "赵", "杨", "孙", "马", "郑", "魏", "崔", "韩", "冯", "于", "董", "曹",
    "田", "孟", "薛", "宋", "许", "高", "史", "贾",
];
const VILLAGE_PREFIXES: [&str; 6] = ["前", "后", "东", "西", "大", "小"];
const VILLAGE_SUFFIXES: [&str; 6] = ["家庄", "官庄", "家集", "家寨", "家屯", "家店"];

const CHRONIC: [(&str, u64); 8] = [
    ("高血压", 30),
    ("糖尿病", 15),
    ("冠心病", 12),
    ("脑血管病", 15),
    ("慢阻肺", 8),
    ("类风湿关节炎", 8),
    ("严重精神障碍", 5),
    ("结核病", 2),
];
/// The chronic diseases for which the rulebook expects 家庭医生签约.
const FAMILY_DOCTOR_DISEASES: [&str; 4] = ["高血压", "糖尿病", "结核病", "严重精神障碍"];

const WORK_IN_COUNTY: [&str; 3] = ["乐陵市城区", "本镇", "乐陵经济开发区"];
const WORK_IN_PROVINCE: [&str; 3] = [
    "省内县外（济南市）",
    "省内县外（德州市）",
    "省内县外（滨州市）",
];
const WORK_OUT_OF_PROVINCE: [&str; 3] =
    ["省外（天津市）", "省外（北京市）", "省外（河北省沧州市）"];
const WORK_SELF_EMPLOYED: &str = "自主创业（个体经营）";

/// 城乡居民基础养老金 2020, 元 a year (142 元 a month).
const BASIC_PENSION_YUAN: i64 = 1_704;
/// The rulebook's 低保 line a year, 元 (285 × 12).
const DIBAO_LINE_YUAN: i64 = 3_420;
/// The rulebook's 特困 (分散) line a year, 元.
const TEKUN_LINE_YUAN: i64 = 3_720;

/// 元 to fen.
const fn fen(yuan: i64) -> i64 {
    yuan * 100
}

/// A household's economic class, which decides its 低保/特困 flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    NotPoor,
    Dibao,
    Tekun,
}

/// A person being made.
#[derive(Debug, Clone)]
struct Member {
    relation: Relation,
    sex: Sex,
    age: u32,
    birth: NaiveDate,
    name: String,
    health: Health,
    diseases: Vec<&'static str>,
    /// (category 1–7, grade) of the disability, when disabled.
    disability: Option<(u8, DisabilityGrade)>,
    /// Whether the disability is on a 残疾人证.
    certificate: bool,
    education: Education,
    school: SchoolStatus,
    out_of_school_reason: &'static str,
    labour: LabourAbility,
    work: Option<WorkStatus>,
    work_place: &'static str,
    monthly_income: i64,
    employee_insurance: bool,
    post: bool,
    phone: String,
    in_care: bool,
    /// The n-th ID number of the birth date and sex (from 1).
    order: u32,
}

impl Member {
    fn new(relation: Relation, sex: Sex, age: u32) -> Member {
        Member {
            relation,
            sex,
            age,
            birth: as_of(),
            name: String::new(),
            health: Health::Healthy,
            diseases: Vec::new(),
            disability: None,
            certificate: false,
            education: Education::Junior,
            school: SchoolStatus::NotInSchool,
            out_of_school_reason: "",
            labour: LabourAbility::Ordinary,
            work: None,
            work_place: "",
            monthly_income: 0,
            employee_insurance: false,
            post: false,
            phone: String::new(),
            in_care: false,
            order: 1,
        }
    }

    fn student(&self) -> bool {
        self.school != SchoolStatus::NotInSchool
    }

    fn no_labour(&self) -> bool {
        matches!(self.labour, LabourAbility::Lost | LabourAbility::NoAbility)
    }

    /// The grade the rules read: only a certificate's.
    fn grade(&self) -> Option<DisabilityGrade> {
        self.disability.filter(|_| self.certificate).map(|(_, g)| g)
    }

    fn severe(&self) -> bool {
        matches!(
            self.grade(),
            Some(DisabilityGrade::One | DisabilityGrade::Two)
        )
    }

    fn chronic(&self) -> bool {
        self.health == Health::Chronic || !self.diseases.is_empty()
    }

    fn vocational(&self) -> bool {
        matches!(
            self.school,
            SchoolStatus::VocationalSecondary | SchoolStatus::HigherVocational
        )
    }
}

/// A household being made.
struct Draft {
    members: Vec<Member>,
    problem: Option<Problem>,
    /// The member a problem concerns.
    target: usize,
    ill: bool,
    class: Class,
    income: IncomeRecord,
    monitoring: Option<MonitoringCategory>,
    monitoring_since: String,
    risks: Vec<String>,
    phone: String,
    land_mu: i64,
    enjoyments: Vec<(usize, &'static str)>,
}

/// Everything drawn for the registry, in generation order.
struct Generator {
    rng: Rng,
    seeded_per_mille: u64,
}

fn generate_with(households: usize, seeded_per_mille: u32, seed: u64) -> ScaleRegistry {
    let mut g = Generator {
        rng: Rng(seed),
        seeded_per_mille: u64::from(seeded_per_mille),
    };
    let villages = key_villages();
    let places = allocate(households, &villages);
    let sizes = g.sizes(households);
    let mut ill: Vec<bool> = (0..households)
        .map(|i| i < (households * ILL_PER_MILLE + 500) / 1000)
        .collect();
    g.rng.shuffle(&mut ill);
    let mut deck = g.deck();
    let mut next_card = 0usize;
    let mut drafts = Vec::with_capacity(households);
    for (i, size) in sizes.iter().copied().enumerate() {
        let problem = if g.rng.chance(g.seeded_per_mille) {
            // The next card of the deck that fits the household, moved up to be drawn now.
            let found = (0..deck.len())
                .map(|k| (next_card + k) % deck.len())
                .find(|at| deck[*at].fits(size));
            found.map(|at| {
                deck.swap(at, next_card);
                let problem = deck[next_card];
                next_card = (next_card + 1) % deck.len();
                problem
            })
        } else {
            None
        };
        drafts.push(g.household(size, problem, ill[i]));
    }
    let mut ids = IdNumbers::default();
    let mut out = ScaleRegistry {
        villages: villages
            .iter()
            .map(|v| AreaLine {
                code: v.code.clone(),
                name: v.name.clone(),
                level: "village".to_owned(),
                parent_code: format!("{LELING}{}", v.town),
            })
            .collect(),
        ..ScaleRegistry::default()
    };
    let mut counters: HashMap<String, usize> = HashMap::new();
    let mut row: u32 = 4;
    let mut order: Vec<usize> = (0..households).collect();
    order.sort_by_key(|i| places[*i]);
    let all_villages = all_villages(&villages);
    for i in order {
        let draft = &mut drafts[i];
        let village = &all_villages[places[i]];
        let n = counters.entry(village.code.clone()).or_insert(0);
        *n += 1;
        let number = format!("{}{:04}", village.code, n);
        g.finish_people(draft, &mut ids);
        let (household, enjoyments) = export(draft, village, &number, row);
        row += u32::try_from(household.members.len()).unwrap_or(0);
        if let Some(problem) = draft.problem {
            out.seeded.push(Seeded {
                household: number.clone(),
                problem,
            });
        }
        out.enjoyments.extend(enjoyments);
        out.households.push(household);
    }
    out
}

/// A village of the registry: the demo's first five of each township and the key villages.
#[derive(Debug, Clone)]
struct Village {
    town: &'static str,
    township: &'static str,
    code: String,
    name: String,
    key: bool,
}

/// The 69 key villages: three in each street (街道), five in each town and 乡, and two more in
/// 杨安镇 and 孔镇镇; numbered after the demo's five.
fn key_villages() -> Vec<Village> {
    let mut out = Vec::new();
    for (t, (town, township)) in TOWNSHIPS.iter().enumerate() {
        let count = if town.starts_with('0') {
            3
        } else if ["101", "108"].contains(town) {
            6
        } else {
            5
        };
        for k in 0..count {
            let stem = VILLAGE_STEMS[(t * 5 + k * 7) % VILLAGE_STEMS.len()];
            let name = format!(
                "{}{stem}{}村",
                VILLAGE_PREFIXES[(t + k) % VILLAGE_PREFIXES.len()],
                VILLAGE_SUFFIXES[k % VILLAGE_SUFFIXES.len()]
            );
            out.push(Village {
                town,
                township,
                code: village_code(town, DEMO_VILLAGES_PER_TOWNSHIP + 1 + k),
                name,
                key: true,
            });
        }
    }
    debug_assert_eq!(out.len(), KEY_VILLAGES);
    out
}

/// The demo's villages followed by the key villages, in code order.
fn all_villages(key: &[Village]) -> Vec<Village> {
    let mut out: Vec<Village> = TOWNSHIPS
        .iter()
        .flat_map(|(town, township)| {
            (1..=DEMO_VILLAGES_PER_TOWNSHIP).map(move |v| Village {
                town,
                township,
                code: village_code(town, v),
                name: village_name(township, v),
                key: false,
            })
        })
        .chain(key.iter().cloned())
        .collect();
    out.sort_by(|a, b| a.code.cmp(&b.code));
    out
}

/// Each household's village (an index into [`all_villages`]): a key village holds twice the
/// households of another, shares rounded by largest remainder; households are dealt in order.
fn allocate(households: usize, key: &[Village]) -> Vec<usize> {
    let villages = all_villages(key);
    let weights: Vec<usize> = villages.iter().map(|v| if v.key { 2 } else { 1 }).collect();
    let total: usize = weights.iter().sum();
    let mut counts: Vec<usize> = weights.iter().map(|w| households * w / total).collect();
    let mut remainders: Vec<(usize, usize)> = weights
        .iter()
        .enumerate()
        .map(|(i, w)| (households * w % total, i))
        .collect();
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let missing = households - counts.iter().sum::<usize>();
    for (_, i) in remainders.into_iter().take(missing) {
        counts[i] += 1;
    }
    let mut out = Vec::with_capacity(households);
    // Dealt round the villages so that any prefix of the households is spread over them too.
    let mut left = counts.clone();
    while out.len() < households {
        for (i, n) in left.iter_mut().enumerate() {
            if *n > 0 {
                *n -= 1;
                out.push(i);
            }
        }
    }
    out
}

impl Generator {
    /// Household sizes: 44% of one person, the rest 2 to 6 so that the people come to 12,967
    /// per 6,772 households; shuffled.
    fn sizes(&mut self, households: usize) -> Vec<usize> {
        let singles = (households * ONE_PERSON_PER_MILLE + 500) / 1000;
        let multi = households - singles;
        let shares = [(2usize, 62usize), (3, 21), (4, 10), (5, 5), (6, 2)];
        let mut counts: Vec<usize> = shares.iter().map(|(_, s)| multi * s / 100).collect();
        let short = multi - counts.iter().sum::<usize>();
        counts[0] += short;
        let people = |counts: &[usize]| -> usize {
            singles
                + counts
                    .iter()
                    .zip(shares)
                    .map(|(n, (size, _))| n * size)
                    .sum::<usize>()
        };
        let target = (households * PEOPLE + HOUSEHOLDS / 2) / HOUSEHOLDS;
        // Move households between two and three people until the people match.
        while people(&counts) > target && counts[1] > 0 {
            counts[1] -= 1;
            counts[0] += 1;
        }
        while people(&counts) < target && counts[0] > 0 {
            counts[0] -= 1;
            counts[1] += 1;
        }
        let mut sizes = vec![1; singles];
        for (n, (size, _)) in counts.iter().zip(shares) {
            sizes.extend(std::iter::repeat_n(size, *n));
        }
        self.rng.shuffle(&mut sizes);
        sizes
    }

    /// The problems in their proportions, shuffled: seeded households draw from it in turn.
    fn deck(&mut self) -> Vec<Problem> {
        let mut deck: Vec<Problem> = Problem::ALL
            .iter()
            .flat_map(|(p, w)| std::iter::repeat_n(*p, *w))
            .collect();
        self.rng.shuffle(&mut deck);
        deck
    }

    fn sex(&mut self, male_per_mille: u64) -> Sex {
        if self.rng.chance(male_per_mille) {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    /// Who lives in a household of `size` people (relation, sex, age), and the member the
    /// problem concerns.
    fn demographics(&mut self, size: usize, problem: Option<Problem>) -> (Vec<Member>, usize) {
        let needs_worker = problem.is_some_and(Problem::needs_worker);
        if size == 1 {
            let age = match problem {
                Some(Problem::TekunAbleBodied) => self.rng.age(25, 55),
                Some(Problem::NoLabourWithoutDibao) => self.rng.age(70, 90),
                Some(Problem::PostHolderOver70) => self.rng.age(70, 76),
                _ if needs_worker => self.rng.age(28, 55),
                _ if self.rng.chance(750) => self.rng.age(60, 92),
                _ => self.rng.age(28, 59),
            };
            let sex = self.sex(if age >= 60 { 450 } else { 600 });
            return (vec![Member::new(Relation::Householder, sex, age)], 0);
        }
        if size == 2 {
            let child_age = match problem {
                Some(Problem::ChildOutOfSchool) => Some(self.rng.age(7, 14)),
                Some(Problem::VocationalWithoutYulu) => Some(self.rng.age(16, 17)),
                Some(Problem::YuluNotInSchool) => Some(self.rng.age(19, 21)),
                _ if needs_worker => Some(self.rng.age(20, 45)),
                _ => None,
            };
            let couple = matches!(
                problem,
                Some(Problem::NoLabourWithoutDibao | Problem::PostHolderOver70)
            );
            let variant = if couple {
                0
            } else if let Some(age) = child_age {
                if age < 18 { 2 } else { 1 }
            } else {
                self.rng.weighted(&[(0, 55), (1, 25), (2, 20)])
            };
            return match variant {
                0 => {
                    let age = match problem {
                        Some(Problem::NoLabourWithoutDibao) => self.rng.age(72, 88),
                        Some(Problem::PostHolderOver70) => self.rng.age(70, 76),
                        _ => self.rng.age(62, 88),
                    };
                    let spouse = (i64::from(age) + self.rng.range(-3, 2)).clamp(58, 95);
                    let spouse = u32::try_from(spouse).unwrap_or(age);
                    (
                        vec![
                            Member::new(Relation::Householder, Sex::Male, age),
                            Member::new(Relation::Spouse, Sex::Female, spouse),
                        ],
                        0,
                    )
                }
                1 => {
                    let child = child_age.unwrap_or_else(|| self.rng.age(18, 50));
                    let parent = (child + self.rng.age(22, 35)).min(92);
                    let (head, kid) = (self.sex(500), self.sex(550));
                    let relation = if kid == Sex::Male {
                        Relation::Son
                    } else {
                        Relation::Daughter
                    };
                    (
                        vec![
                            Member::new(Relation::Householder, head, parent),
                            Member::new(relation, kid, child),
                        ],
                        1,
                    )
                }
                _ => {
                    let child = child_age.unwrap_or_else(|| self.rng.age(3, 17));
                    let grandparent = self.rng.age(58, 80);
                    let (head, kid) = (self.sex(450), self.sex(520));
                    let relation = if kid == Sex::Male {
                        Relation::Grandson
                    } else {
                        Relation::Granddaughter
                    };
                    (
                        vec![
                            Member::new(Relation::Householder, head, grandparent),
                            Member::new(relation, kid, child),
                        ],
                        1,
                    )
                }
            };
        }
        // A family: the couple, their children, and in some an elderly parent.
        let child_age = match problem {
            Some(Problem::ChildOutOfSchool) => Some(self.rng.age(7, 14)),
            Some(Problem::VocationalWithoutYulu) => Some(self.rng.age(16, 17)),
            Some(Problem::YuluNotInSchool) => Some(self.rng.age(19, 21)),
            _ => None,
        };
        let head_age = match child_age {
            Some(c) => (c + self.rng.age(22, 32)).clamp(32, 55),
            None => self.rng.age(32, 55),
        };
        let head_sex = self.sex(800);
        let spouse_age = u32::try_from((i64::from(head_age) + self.rng.range(-4, 3)).max(24))
            .unwrap_or(head_age);
        let mut members = vec![
            Member::new(Relation::Householder, head_sex, head_age),
            Member::new(
                Relation::Spouse,
                if head_sex == Sex::Male {
                    Sex::Female
                } else {
                    Sex::Male
                },
                spouse_age,
            ),
        ];
        let elder = size >= 4 && self.rng.chance(350);
        if elder {
            let sex = self.sex(400);
            let age = (head_age + self.rng.age(22, 32)).min(95);
            members.push(Member::new(
                if sex == Sex::Male {
                    Relation::Father
                } else {
                    Relation::Mother
                },
                sex,
                age,
            ));
        }
        let mut target = 0;
        while members.len() < size {
            let first = !members
                .iter()
                .any(|m| matches!(m.relation, Relation::Son | Relation::Daughter));
            let age = match (first, child_age) {
                (true, Some(age)) => {
                    target = members.len();
                    age
                }
                _ => self.rng.age(0, (head_age - 20).min(30)),
            };
            let sex = self.sex(520);
            members.push(Member::new(
                if sex == Sex::Male {
                    Relation::Son
                } else {
                    Relation::Daughter
                },
                sex,
                age,
            ));
        }
        (members, target)
    }

    /// 文化程度 and 在校生状况 by age.
    fn schooling(&mut self, m: &mut Member) {
        let (education, school) = match m.age {
            0..=2 => (Education::Preschool, SchoolStatus::NotInSchool),
            3..=5 => (Education::Preschool, SchoolStatus::Preschool),
            6..=11 => (Education::Primary, SchoolStatus::Primary),
            12..=14 => (Education::Junior, SchoolStatus::Junior),
            15..=17 => match self.rng.below(100) {
                0..=54 => (Education::Senior, SchoolStatus::Senior),
                55..=89 => (
                    Education::VocationalSecondary,
                    SchoolStatus::VocationalSecondary,
                ),
                // Left school after 初中 (never at 15: compulsory schooling runs to 15).
                _ if m.age >= 16 => (Education::Junior, SchoolStatus::NotInSchool),
                _ => (Education::Senior, SchoolStatus::Senior),
            },
            18..=21 => match self.rng.below(100) {
                0..=29 => (Education::HigherVocational, SchoolStatus::HigherVocational),
                30..=54 => (Education::College, SchoolStatus::College),
                _ => (
                    self.rng.weighted(&[
                        (Education::Senior, 50),
                        (Education::VocationalSecondary, 50),
                    ]),
                    SchoolStatus::NotInSchool,
                ),
            },
            22..=49 => (
                self.rng.weighted(&[
                    (Education::Primary, 8),
                    (Education::Junior, 57),
                    (Education::Senior, 20),
                    (Education::VocationalSecondary, 10),
                    (Education::College, 5),
                ]),
                SchoolStatus::NotInSchool,
            ),
            50..=69 => (
                self.rng.weighted(&[
                    (Education::Illiterate, 5),
                    (Education::Primary, 40),
                    (Education::Junior, 45),
                    (Education::Senior, 10),
                ]),
                SchoolStatus::NotInSchool,
            ),
            _ => (
                self.rng.weighted(&[
                    (Education::Illiterate, 45),
                    (Education::Primary, 45),
                    (Education::Junior, 10),
                ]),
                SchoolStatus::NotInSchool,
            ),
        };
        m.education = education;
        m.school = school;
    }

    /// Makes a member ill or disabled.
    fn make_patient(&mut self, m: &mut Member, condition: Health) {
        m.health = condition;
        match condition {
            Health::Chronic => {
                let first = self.rng.weighted(&CHRONIC);
                m.diseases = vec![first];
                if self.rng.chance(300) {
                    let second = self.rng.weighted(&CHRONIC);
                    if second != first {
                        m.diseases.push(second);
                    }
                }
            }
            Health::Disabled => {
                let category = self.rng.weighted(&[
                    (1u8, 12),
                    (2, 10),
                    (3, 3),
                    (4, 50),
                    (5, 10),
                    (6, 10),
                    (7, 5),
                ]);
                let grade = self.rng.weighted(&[
                    (DisabilityGrade::One, 12),
                    (DisabilityGrade::Two, 23),
                    (DisabilityGrade::Three, 30),
                    (DisabilityGrade::Four, 35),
                ]);
                m.disability = Some((category, grade));
                m.certificate = true;
            }
            Health::Healthy | Health::SeriousIllness => {}
        }
    }

    /// 劳动技能 and work by age, health and schooling.
    fn labour_and_work(&mut self, m: &mut Member) {
        let age = m.age;
        m.labour = if age < 16 || m.student() {
            LabourAbility::NoAbility
        } else {
            match m.health {
                Health::Healthy if age <= 60 => {
                    if m.education == Education::College
                        || ((18..=55).contains(&age) && self.rng.chance(200))
                    {
                        LabourAbility::Skilled
                    } else {
                        LabourAbility::Ordinary
                    }
                }
                Health::Healthy if age <= 69 => self
                    .rng
                    .weighted(&[(LabourAbility::Ordinary, 50), (LabourAbility::Weak, 50)]),
                Health::Healthy if age <= 79 => self
                    .rng
                    .weighted(&[(LabourAbility::Weak, 60), (LabourAbility::Lost, 40)]),
                Health::Healthy => LabourAbility::Lost,
                Health::Chronic if age <= 59 => self
                    .rng
                    .weighted(&[(LabourAbility::Weak, 60), (LabourAbility::Ordinary, 40)]),
                Health::Chronic if age <= 74 => self
                    .rng
                    .weighted(&[(LabourAbility::Weak, 60), (LabourAbility::Lost, 40)]),
                Health::Chronic => LabourAbility::Lost,
                Health::SeriousIllness => self
                    .rng
                    .weighted(&[(LabourAbility::Lost, 70), (LabourAbility::Weak, 30)]),
                Health::Disabled => {
                    if matches!(
                        m.disability,
                        Some((_, DisabilityGrade::One | DisabilityGrade::Two))
                    ) {
                        self.rng
                            .weighted(&[(LabourAbility::Lost, 60), (LabourAbility::NoAbility, 40)])
                    } else if age <= 59 {
                        self.rng
                            .weighted(&[(LabourAbility::Weak, 70), (LabourAbility::Ordinary, 30)])
                    } else {
                        self.rng
                            .weighted(&[(LabourAbility::Lost, 50), (LabourAbility::Weak, 50)])
                    }
                }
            }
        };
        let working = match (m.labour, age) {
            (LabourAbility::Skilled, 16..=59) => true,
            (LabourAbility::Ordinary, 16..=59) => self.rng.chance(750),
            (LabourAbility::Ordinary | LabourAbility::Weak, 60..=69) => self.rng.chance(200),
            (LabourAbility::Weak, 16..=59) => self.rng.chance(300),
            _ => false,
        };
        if !working {
            return;
        }
        let skilled = m.labour == LabourAbility::Skilled;
        let status = if age >= 60 || matches!(m.labour, LabourAbility::Weak) {
            WorkStatus::InCounty
        } else {
            self.rng.weighted(&[
                (WorkStatus::InCounty, if skilled { 35 } else { 45 }),
                (WorkStatus::InProvince, if skilled { 35 } else { 30 }),
                (WorkStatus::OutOfProvince, 20),
                (WorkStatus::SelfEmployed, if skilled { 10 } else { 5 }),
            ])
        };
        m.work = Some(status);
        m.work_place = match status {
            WorkStatus::InCounty => *self.rng.pick(&WORK_IN_COUNTY),
            WorkStatus::InProvince => *self.rng.pick(&WORK_IN_PROVINCE),
            WorkStatus::OutOfProvince => *self.rng.pick(&WORK_OUT_OF_PROVINCE),
            WorkStatus::SelfEmployed | WorkStatus::NotWorking => WORK_SELF_EMPLOYED,
        };
        let (lo, hi) = if skilled {
            (2_500, 5_500)
        } else if status == WorkStatus::InCounty && (age >= 60 || m.labour == LabourAbility::Weak) {
            (800, 1_600)
        } else {
            (1_500, 4_000)
        };
        m.monthly_income = fen(self.rng.range(lo / 10, hi / 10) * 10);
        m.employee_insurance = matches!(status, WorkStatus::InProvince | WorkStatus::OutOfProvince)
            && m.monthly_income >= fen(3_000)
            && self.rng.chance(400);
    }

    /// One household of `size` people, `ill` or not, with `problem` seeded.
    fn household(&mut self, size: usize, problem: Option<Problem>, ill: bool) -> Draft {
        let (mut members, target) = self.demographics(size, problem);
        for m in &mut members {
            self.schooling(m);
        }
        // The problem's facts that come before health.
        match problem {
            Some(Problem::ChildOutOfSchool) => {
                let m = &mut members[target];
                m.school = SchoolStatus::NotInSchool;
                m.education = Education::Primary;
                m.out_of_school_reason = "辍学";
            }
            Some(Problem::VocationalWithoutYulu) => {
                members[target].school = SchoolStatus::VocationalSecondary;
                members[target].education = Education::VocationalSecondary;
            }
            Some(Problem::YuluNotInSchool) => {
                members[target].school = SchoolStatus::NotInSchool;
                members[target].education = Education::VocationalSecondary;
            }
            Some(p) if p.needs_worker() => {
                let m = &mut members[target];
                if m.student() {
                    m.school = SchoolStatus::NotInSchool;
                    m.education = Education::Senior;
                }
            }
            _ => {}
        }
        // Health: who is ill or disabled.
        let forced = match problem {
            Some(Problem::DisabledWithoutCertificate | Problem::SevereDisabilityWithoutCare) => {
                Some(Health::Disabled)
            }
            Some(Problem::ChronicWithoutFamilyDoctor) => Some(Health::Chronic),
            _ => None,
        };
        let keep_healthy = problem.is_some_and(|p| {
            p.needs_worker()
                || matches!(
                    p,
                    Problem::TekunAbleBodied
                        | Problem::ChildOutOfSchool
                        | Problem::VocationalWithoutYulu
                        | Problem::YuluNotInSchool
                )
        });
        let mut ill = ill || forced.is_some();
        if let Some(condition) = forced {
            let m = &mut members[target];
            self.make_patient(m, condition);
            match problem {
                Some(Problem::DisabledWithoutCertificate) => {
                    let grade = self
                        .rng
                        .weighted(&[(DisabilityGrade::Three, 45), (DisabilityGrade::Four, 55)]);
                    m.disability = m.disability.map(|(c, _)| (c, grade));
                }
                Some(Problem::SevereDisabilityWithoutCare) => {
                    let grade = self
                        .rng
                        .weighted(&[(DisabilityGrade::One, 35), (DisabilityGrade::Two, 65)]);
                    m.disability = m.disability.map(|(c, _)| (c, grade));
                }
                Some(Problem::ChronicWithoutFamilyDoctor) => m.diseases = vec!["高血压"],
                _ => {}
            }
        } else if ill {
            let candidates: Vec<usize> = (0..members.len())
                .filter(|i| !(keep_healthy && *i == target))
                .filter(|i| members[*i].age >= 16 || self.rng.chance(80))
                .collect();
            if candidates.is_empty() {
                ill = false;
            } else {
                let patients = if candidates.len() >= 2 && self.rng.chance(300) {
                    2
                } else {
                    1
                };
                // The oldest are the likeliest to be ill.
                let mut by_age = candidates.clone();
                by_age.sort_by_key(|i| std::cmp::Reverse(members[*i].age));
                for k in 0..patients {
                    let at = if self.rng.chance(650) {
                        by_age[k]
                    } else {
                        *self.rng.pick(&by_age)
                    };
                    if members[at].health != Health::Healthy {
                        continue;
                    }
                    let child = members[at].age < 16;
                    let condition = if child {
                        self.rng
                            .weighted(&[(Health::Disabled, 70), (Health::SeriousIllness, 30)])
                    } else {
                        self.rng.weighted(&[
                            (Health::Disabled, 35),
                            (Health::Chronic, 45),
                            (Health::SeriousIllness, 20),
                        ])
                    };
                    self.make_patient(&mut members[at], condition);
                    // A severely disabled child of school age may be taught at home (送教上门).
                    let m = &mut members[at];
                    if (6..=15).contains(&m.age)
                        && m.severe()
                        && problem.is_none()
                        && self.rng.chance(500)
                    {
                        m.school = SchoolStatus::NotInSchool;
                        m.out_of_school_reason = "身体原因（送教上门）";
                    }
                }
            }
        }
        for m in &mut members {
            if m.health != Health::Healthy && m.education == Education::College && !m.student() {
                m.education = Education::Senior;
            }
            self.labour_and_work(m);
        }
        // The problem's facts that come after work. Whoever the problem leaves without work has
        // no 大专 (which would be a second problem: educated and idle).
        if matches!(
            problem,
            Some(Problem::TekunAbleBodied | Problem::HealthyWeakLabour)
        ) && members[target].education == Education::College
        {
            members[target].education = Education::Senior;
        }
        match problem {
            Some(Problem::TekunAbleBodied) => {
                let m = &mut members[0];
                m.labour = LabourAbility::Ordinary;
                m.work = None;
                m.work_place = "";
                m.monthly_income = 0;
                m.employee_insurance = false;
            }
            Some(Problem::NoLabourWithoutDibao) => {
                for m in &mut members {
                    m.labour = LabourAbility::Lost;
                    m.work = None;
                    m.work_place = "";
                    m.monthly_income = 0;
                    m.employee_insurance = false;
                    m.post = false;
                }
            }
            Some(Problem::LowWorkIncome) => {
                let m = &mut members[target];
                m.labour = LabourAbility::Ordinary;
                m.work = Some(WorkStatus::InCounty);
                m.work_place = "本镇";
                m.monthly_income = fen(self.rng.range(20, 39) * 10);
                m.employee_insurance = false;
            }
            Some(Problem::HealthyWeakLabour) => {
                let m = &mut members[target];
                m.labour = LabourAbility::Weak;
                m.work = None;
                m.work_place = "";
                m.monthly_income = 0;
                m.employee_insurance = false;
            }
            Some(Problem::SkilledNotWorking) => {
                let m = &mut members[target];
                m.labour = LabourAbility::Skilled;
                m.work = None;
                m.work_place = "";
                m.monthly_income = 0;
                m.employee_insurance = false;
            }
            Some(Problem::YuluNotInSchool) => {
                let m = &mut members[target];
                if m.work.is_none() {
                    m.labour = LabourAbility::Ordinary;
                    m.work = Some(WorkStatus::InCounty);
                    m.work_place = "乐陵市城区";
                    m.monthly_income = fen(2_200);
                }
            }
            Some(Problem::PostHolderOver70) => {
                // Still able to sweep the village road, but past the age for the post.
                members[0].post = true;
                members[0].labour = LabourAbility::Weak;
            }
            Some(Problem::MissingMedicalInsurance) => {
                let at = usize::try_from(self.rng.below(members.len() as u64)).unwrap_or(0);
                members[at].employee_insurance = false;
            }
            _ => {}
        }
        let target = match problem {
            Some(Problem::MissingMedicalInsurance) => members
                .iter()
                .position(|m| !m.employee_insurance)
                .unwrap_or(0),
            Some(Problem::MemberPhoneNotMobile) => 0,
            _ => target,
        };
        // A public-welfare post for a member of 45–65 not otherwise working (6%).
        if problem.is_none()
            && self.rng.chance(60)
            && let Some(m) = members.iter_mut().find(|m| {
                (45..=65).contains(&m.age)
                    && m.work.is_none()
                    && !m.student()
                    && matches!(m.labour, LabourAbility::Ordinary | LabourAbility::Weak)
            })
        {
            m.post = true;
        }
        let mut draft = Draft {
            members,
            problem,
            target,
            ill,
            class: Class::NotPoor,
            income: IncomeRecord::default(),
            monitoring: None,
            monitoring_since: String::new(),
            risks: Vec::new(),
            phone: String::new(),
            land_mu: 0,
            enjoyments: Vec::new(),
        };
        self.income(&mut draft);
        self.monitoring(&mut draft);
        self.benefits(&mut draft);
        self.phones(&mut draft);
        draft
    }

    /// The year's income and the class it puts the household in: 特困 for one person who
    /// qualifies (in the band between the 低保 and 特困 lines, so the two never overlap), 低保
    /// below the 低保 line, else above both lines. A household without any labour is always
    /// 低保 or 特困 unless that is the problem seeded.
    fn income(&mut self, d: &mut Draft) {
        let n = i64::try_from(d.members.len()).unwrap_or(1);
        let wage: i64 = d
            .members
            .iter()
            .map(|m| {
                let months = if m.work.is_some() {
                    10 + (m.age % 3)
                } else {
                    0
                };
                m.monthly_income * i64::from(months) + if m.post { fen(500 * 12) } else { 0 }
            })
            .sum();
        let pensions: i64 = d
            .members
            .iter()
            .filter(|m| m.age >= 60 && !m.employee_insurance)
            .map(|_| fen(BASIC_PENSION_YUAN))
            .sum();
        let mut spending = 0;
        for m in &d.members {
            spending += match m.health {
                Health::SeriousIllness => fen(self.rng.range(30, 200) * 100),
                Health::Chronic => fen(self.rng.range(3, 25) * 100) * m.diseases.len() as i64,
                Health::Disabled => fen(self.rng.range(0, 12) * 100),
                Health::Healthy => 0,
            };
        }
        let farmers = d
            .members
            .iter()
            .filter(|m| {
                (16..=75).contains(&m.age)
                    && !m.student()
                    && matches!(
                        m.labour,
                        LabourAbility::Skilled | LabourAbility::Ordinary | LabourAbility::Weak
                    )
            })
            .count();
        d.land_mu = i64::try_from(d.members.len()).unwrap_or(1) * self.rng.range(10, 18) / 10;
        let no_labour = d.members.iter().all(Member::no_labour);
        let single = d.members.len() == 1;
        let tekun_criteria = single && {
            let m = &d.members[0];
            m.age >= 60 || m.age < 16 || m.severe() || m.no_labour()
        };
        // A healthy 60-year-old qualifies by age but is one of the able-bodied the rulebook
        // questions (18–60): the office waits a year.
        let questioned = single && {
            let m = &d.members[0];
            m.health == Health::Healthy && (18..=60).contains(&m.age) && !m.student()
        };
        // Farming and land rent as a poor household has them, and as others do.
        let business_poor = if farmers > 0 {
            fen(self.rng.range(0, 12) * 100)
        } else {
            0
        };
        let rent_poor = if self.rng.chance(300) {
            fen(self.rng.range(0, 8) * 100)
        } else {
            0
        };
        let base = |business: i64, rent: i64| wage + pensions + business + rent - spending;
        let wanted = match d.problem {
            Some(Problem::NoLabourWithoutDibao | Problem::DibaoAboveLine) => Class::NotPoor,
            Some(Problem::TekunAbleBodied) => Class::Tekun,
            _ if tekun_criteria && !questioned && (no_labour || self.rng.chance(350)) => {
                Class::Tekun
            }
            _ if !tekun_criteria && (no_labour || self.rng.chance(300)) => Class::Dibao,
            _ => Class::NotPoor,
        };
        let poor_total = base(business_poor, rent_poor);
        let (class, target_yuan, business, rent) = match wanted {
            Class::Tekun => {
                let target = self.rng.range(3_450, 3_699);
                if poor_total <= fen(target) * n {
                    (Class::Tekun, Some(target), business_poor, rent_poor)
                } else {
                    (Class::NotPoor, None, 0, 0)
                }
            }
            Class::Dibao => {
                let target = self.rng.range(1_800, 3_350);
                if poor_total <= fen(DIBAO_LINE_YUAN - 21) * n {
                    (Class::Dibao, Some(target), business_poor, rent_poor)
                } else {
                    (Class::NotPoor, None, 0, 0)
                }
            }
            Class::NotPoor => (Class::NotPoor, None, 0, 0),
        };
        let (business, rent, target_yuan) = if class == Class::NotPoor {
            let business = if farmers > 0 {
                fen(self.rng.range(15, 60) * 100)
            } else {
                0
            };
            let rent = if self.rng.chance(300) {
                fen(self.rng.range(5, 25) * 100)
            } else {
                0
            };
            let target = if single && d.members[0].age >= 60 {
                self.rng.range(3_900, 8_000)
            } else {
                self.rng.range(4_500, 12_000)
            };
            (business, rent, target)
        } else {
            (business, rent, target_yuan.unwrap_or(DIBAO_LINE_YUAN - 100))
        };
        let total = base(business, rent);
        let top_up = (fen(target_yuan) * n - total).max(0);
        // A 低保 household already between its target and the line keeps what it has.
        d.income = IncomeRecord {
            wage,
            business,
            property: rent,
            transfer: pensions + top_up,
            compliant_spending: spending,
            recorded_per_capita: None,
        };
        let per_capita = d.income.per_capita(d.members.len());
        debug_assert!(match class {
            Class::Dibao => per_capita < fen(DIBAO_LINE_YUAN),
            Class::Tekun => (fen(DIBAO_LINE_YUAN)..fen(TEKUN_LINE_YUAN)).contains(&per_capita),
            Class::NotPoor => per_capita >= fen(TEKUN_LINE_YUAN),
        });
        d.income.recorded_per_capita = Some(per_capita);
        d.class = class;
    }

    /// Dynamic monitoring: about 5% of households are 监测户 (脱贫不稳定户, a few 突发严重困难户).
    fn monitoring(&mut self, d: &mut Draft) {
        let per_capita = d.income.recorded_per_capita.unwrap_or(0);
        let seeded = d.problem == Some(Problem::MonitoredIncomeTooHigh);
        let category = if seeded || (per_capita < fen(15_000) && self.rng.chance(45)) {
            Some(MonitoringCategory::Unstable)
        } else if per_capita < fen(15_000) && self.rng.chance(8) {
            Some(MonitoringCategory::SuddenHardship)
        } else {
            None
        };
        let Some(category) = category else {
            return;
        };
        d.monitoring = Some(category);
        d.monitoring_since = format!("2020{:02}", self.rng.range(3, 10));
        let cause = if d.members.iter().any(|m| m.health == Health::Disabled) {
            "因残"
        } else if d.ill {
            "因病"
        } else if d.members.iter().any(Member::student) {
            "因学"
        } else {
            "缺劳动力"
        };
        d.risks = vec![cause.to_owned()];
        if category == MonitoringCategory::SuddenHardship {
            d.risks.push("因意外事故".to_owned());
        }
        if d.problem == Some(Problem::MonitoredIncomeTooHigh) {
            // A figure typed with a digit too many: the parts say otherwise.
            d.income.recorded_per_capita = Some(fen(self.rng.range(21_000, 30_000)));
        }
    }

    /// What each department pays or provides to those who qualify, less what the problem
    /// takes away (or adds).
    fn benefits(&mut self, d: &mut Draft) {
        let monitored = d.monitoring.is_some();
        let dibao = d.class == Class::Dibao || d.problem == Some(Problem::DibaoAboveLine);
        let mut out: Vec<(usize, &'static str)> = Vec::new();
        for (i, m) in d.members.iter().enumerate() {
            if m.certificate && dibao {
                out.push((i, "disability_living_subsidy"));
            }
            if m.certificate && m.severe() {
                out.push((i, "severe_disability_care"));
            }
            if m.vocational() {
                out.push((i, "yulu"));
            }
            if m.school == SchoolStatus::VocationalSecondary {
                out.push((i, "vocational_grant"));
            }
            if m.chronic() {
                out.push((i, "chronic_card"));
            }
            if m.diseases
                .iter()
                .any(|d| FAMILY_DOCTOR_DISEASES.contains(d))
            {
                out.push((i, "family_doctor"));
            }
            if (6..=15).contains(&m.age) && !m.student() {
                out.push((i, "compulsory_education"));
            }
            if m.post {
                out.push((i, "public_welfare_post"));
            }
        }
        if monitored && d.monitoring == Some(MonitoringCategory::SuddenHardship) {
            out.push((0, "temporary_relief"));
        }
        let target = d.target;
        let drop = match d.problem {
            Some(Problem::SevereDisabilityWithoutCare) => Some("severe_disability_care"),
            Some(Problem::ChronicWithoutFamilyDoctor) => Some("family_doctor"),
            Some(Problem::VocationalWithoutYulu) => Some("yulu"),
            Some(Problem::ChildOutOfSchool) => Some("compulsory_education"),
            _ => None,
        };
        if let Some(policy) = drop {
            out.retain(|(i, p)| !(*i == target && *p == policy));
        }
        if d.problem == Some(Problem::YuluNotInSchool) {
            out.push((target, "yulu"));
        }
        if d.problem == Some(Problem::DisabledWithoutCertificate) {
            d.members[target].certificate = false;
            out.retain(|(i, p)| {
                !(*i == target
                    && matches!(*p, "disability_living_subsidy" | "severe_disability_care"))
            });
        }
        d.enjoyments = out;
        // 特困 供养: a quarter in a care home (集中), the rest at home (分散).
        if d.class == Class::Tekun {
            d.members[0].in_care = self.rng.chance(250);
        }
    }

    fn mobile(&mut self) -> String {
        let second = *self.rng.pick(&[3u8, 5, 7, 8, 9]);
        format!("1{second}{:09}", self.rng.below(1_000_000_000))
    }

    /// Phones: most members of working age have a mobile, few of the old; the household's is
    /// the 户主's or a relative's.
    fn phones(&mut self, d: &mut Draft) {
        for i in 0..d.members.len() {
            let m = &d.members[i];
            let has = match m.age {
                _ if m.student() || m.age < 16 => false,
                16..=69 => self.rng.chance(800),
                _ => self.rng.chance(250),
            } || (d.problem == Some(Problem::MemberPhoneNotMobile) && i == d.target);
            if has {
                d.members[i].phone = self.mobile();
            }
        }
        d.phone = match d.members.iter().find(|m| !m.phone.is_empty()) {
            Some(m) => m.phone.clone(),
            None => self.mobile(),
        };
        match d.problem {
            Some(Problem::HouseholdPhoneNotMobile) => {
                d.phone = format!("0534{:07}", self.rng.below(10_000_000));
            }
            Some(Problem::MemberPhoneNotMobile) => {
                // A digit lost when it was typed.
                d.members[d.target].phone.pop();
            }
            _ => {}
        }
    }

    /// Names and birth dates, then the ID numbers.
    fn finish_people(&mut self, d: &mut Draft, ids: &mut IdNumbers) {
        let surname = *self.rng.pick(&SURNAMES);
        for m in &mut d.members {
            let family = match m.relation {
                Relation::Spouse | Relation::Mother => *self.rng.pick(&SURNAMES),
                _ => surname,
            };
            let given = match m.sex {
                Sex::Male => *self.rng.pick(&MALE_NAMES),
                Sex::Female => *self.rng.pick(&FEMALE_NAMES),
            };
            m.name = format!("{family}{given}");
            let year = as_of().year() - i32::try_from(m.age).unwrap_or(0);
            let day = u32::try_from(self.rng.range(1, 365)).unwrap_or(1);
            m.birth = NaiveDate::from_yo_opt(year, day).unwrap_or_else(as_of);
        }
        for m in &mut d.members {
            (m.birth, m.order) = ids.reserve(m.birth, m.sex);
        }
    }
}

/// The resident IDs handed out: per birth date and sex, the next order code. The order code's
/// last digit carries the sex (odd for men) and here also differs from what the demo's small
/// registry (`registry.rs`) writes after the same first two digits, so the two never share a
/// number.
#[derive(Default)]
struct IdNumbers {
    used: HashMap<(NaiveDate, Sex), u32>,
}

impl IdNumbers {
    /// Reserves an order code on `birth` (or the next day of the same year with one free) and
    /// returns the date used and the code's number.
    fn reserve(&mut self, birth: NaiveDate, sex: Sex) -> (NaiveDate, u32) {
        let mut day = birth;
        loop {
            let n = self.used.entry((day, sex)).or_insert(0);
            if *n < 100 {
                *n += 1;
                return (day, *n);
            }
            day = match day.checked_add_days(Days::new(1)) {
                Some(next) if next.year() == birth.year() && next < as_of() => next,
                _ => NaiveDate::from_yo_opt(birth.year(), 1).unwrap_or(birth),
            };
        }
    }

    /// The ID of the `n`-th (1-based) person of a birth date and sex.
    fn number(birth: NaiveDate, sex: Sex, n: u32) -> String {
        let first = n - 1;
        let male = u32::from(sex == Sex::Male);
        let last = ((first % 5 + 1) % 5) * 2 + male;
        let body = format!("{LELING}{}{first:02}{last}", birth.format("%Y%m%d"));
        let check = check_character(&body).unwrap_or('0');
        format!("{body}{check}")
    }
}

/// The household as the national export carries it, and its enjoyments.
fn export(
    d: &Draft,
    village: &Village,
    number: &str,
    first_row: u32,
) -> (ExportHousehold, Vec<Enjoyment>) {
    let mut members = Vec::with_capacity(d.members.len());
    let mut enjoyments = Vec::new();
    let mut resident_ids = Vec::with_capacity(d.members.len());
    let ill_cause = d.members.iter().any(|m| m.health == Health::Disabled);
    let cause = if d.ill {
        if ill_cause { "因残" } else { "因病" }
    } else if d.members.iter().any(Member::student) {
        "因学"
    } else if d.members.iter().all(|m| m.age >= 60 || m.no_labour()) {
        "缺劳力"
    } else if d.land_mu % 2 == 0 {
        "缺技术"
    } else {
        "缺资金"
    };
    for (i, m) in d.members.iter().enumerate() {
        let resident_id = m_id(m);
        resident_ids.push(resident_id.clone());
        let (id_type, id_number) = match (m.certificate, m.disability) {
            (true, Some((category, grade))) => (
                "disability_certificate",
                format!("{resident_id}{category}{}", grade.number()),
            ),
            _ => ("resident_id", resident_id.clone()),
        };
        let resident = m.age >= 16 && !m.student() && !m.employee_insurance;
        let mut columns = BTreeMap::new();
        if i == 0 {
            columns.insert("主要致贫原因".to_owned(), cause.to_owned());
            columns.insert(
                "耕地面积（亩）".to_owned(),
                format!("{}.{}", d.land_mu, (d.land_mu * 7) % 10),
            );
        }
        let record = PersonRecord {
            ethnicity: if resident_id.ends_with('7') && m.age % 9 == 0 {
                "回族"
            } else {
                "汉族"
            }
            .to_owned(),
            education: Some(m.education),
            school_status: Some(m.school),
            out_of_school_reason: m.out_of_school_reason.to_owned(),
            health: Some(m.health),
            chronic_diseases: m.diseases.iter().map(|s| (*s).to_owned()).collect(),
            disability_grade: m.grade(),
            labour: Some(m.labour),
            work_status: m.work,
            work_place: m.work_place.to_owned(),
            monthly_work_income: m.monthly_income,
            phone: m.phone.clone(),
            cover: jixiao_core::assistance::record::PersonCover {
                resident_medical: !m.employee_insurance,
                employee_medical: m.employee_insurance,
                critical_illness: !m.employee_insurance,
                resident_pension: resident,
                employee_pension: m.employee_insurance,
                medical_assistance: d.class != Class::NotPoor || m.health == Health::SeriousIllness,
                dibao: d.class == Class::Dibao || d.problem == Some(Problem::DibaoAboveLine),
                tekun: d.class == Class::Tekun,
            },
            in_care_institution: m.in_care,
            columns,
        };
        let mut record = record;
        if d.problem == Some(Problem::MissingMedicalInsurance) && i == d.target {
            record.cover.resident_medical = false;
            record.cover.critical_illness = false;
        }
        members.push(ExportPerson {
            row: first_row + u32::try_from(i).unwrap_or(0),
            number: format!("{number}{:02}", i + 1),
            name: m.name.clone(),
            id_type,
            id_number,
            resident_id: resident_id.clone(),
            relation: m.relation,
            sex: m.sex,
            birth_date: m.birth,
            record,
        });
    }
    let from = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap_or_else(as_of);
    let autumn = NaiveDate::from_ymd_opt(2020, 9, 1).unwrap_or_else(as_of);
    for (i, policy) in &d.enjoyments {
        let (department, amount_yuan, from, to) = match *policy {
            "disability_living_subsidy" => (Department::DisabledPersons, 80, from, None),
            "severe_disability_care" => (Department::DisabledPersons, 80, from, None),
            "yulu" => (
                Department::RuralRevitalization,
                1_500,
                autumn,
                NaiveDate::from_ymd_opt(2021, 1, 31),
            ),
            "vocational_grant" => (
                Department::Education,
                1_000,
                autumn,
                NaiveDate::from_ymd_opt(2021, 1, 31),
            ),
            "chronic_card" => (Department::MedicalInsurance, 0, from, None),
            "family_doctor" => (Department::Health, 0, from, None),
            "compulsory_education" => (Department::Education, 0, autumn, None),
            "public_welfare_post" => (
                Department::HumanResources,
                500,
                NaiveDate::from_ymd_opt(2020, 3, 1).unwrap_or(from),
                None,
            ),
            "temporary_relief" => (
                Department::CivilAffairs,
                2_000,
                NaiveDate::from_ymd_opt(2020, 11, 1).unwrap_or(from),
                None,
            ),
            _ => (Department::RuralRevitalization, 0, from, None),
        };
        enjoyments.push(Enjoyment {
            department,
            resident_id: resident_ids.get(*i).cloned().unwrap_or_default(),
            policy,
            from,
            to,
            amount_fen: fen(amount_yuan),
        });
    }
    let no_labour = d.members.iter().all(Member::no_labour);
    let mut measures = Vec::new();
    let workers = d.members.iter().any(|m| m.work.is_some());
    let able = d
        .members
        .iter()
        .any(|m| matches!(m.labour, LabourAbility::Skilled | LabourAbility::Ordinary));
    let students = d.members.iter().any(Member::student);
    let flags = [
        ("industry", able && d.land_mu % 3 != 0),
        ("employment", workers),
        ("public_welfare_post", d.members.iter().any(|m| m.post)),
        ("finance", able && d.land_mu % 7 == 1),
        ("housing", d.land_mu % 10 == 3),
        ("water", false),
        ("health", d.ill),
        ("compulsory_education", false),
        ("education", students),
        ("social_security", d.class != Class::NotPoor),
        ("social", d.land_mu % 13 == 5),
        ("relocation", false),
    ];
    for (code, on) in flags {
        if on {
            measures.push(code.to_owned());
        }
    }
    let record = HouseholdRecord {
        monitoring: d.monitoring,
        monitoring_since: d.monitoring_since.clone(),
        risks: d.risks.clone(),
        risk_eliminated: false,
        elimination_method: String::new(),
        eliminated_in: String::new(),
        no_labour_support: no_labour && d.class != Class::NotPoor,
        housing: jixiao_core::assistance::record::HousingRecord {
            unsafe_housing: false,
            safe_water: true,
            electricity: true,
            sanitary_toilet: d.land_mu % 7 != 0,
            hardened_road: d.land_mu % 19 != 0,
            floor_area_m2: u32::try_from(40 + d.land_mu * 9 % 80).unwrap_or(60),
        },
        measures,
        columns: BTreeMap::new(),
    };
    (
        ExportHousehold {
            row: first_row,
            county: "乐陵市".to_owned(),
            township: village.township.to_owned(),
            village: village.name.clone(),
            number: number.to_owned(),
            village_cell: format!("C{first_row}"),
            household_type: HouseholdType::FormerlyPoor,
            phone: d.phone.clone(),
            record,
            income: d.income,
            members,
        },
        enjoyments,
    )
}

/// A member's resident ID (the order code was reserved for the birth date and sex).
fn m_id(m: &Member) -> String {
    IdNumbers::number(m.birth, m.sex, m.order)
}

/// What storing the registry did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stored {
    /// Households imported.
    pub households: usize,
    /// People imported.
    pub people: usize,
    /// Enjoyment records imported.
    pub enjoyments: usize,
}

/// A department's list as its import reads it (one row per enjoyment, a header on row 1).
pub fn enjoyment_lists(registry: &ScaleRegistry) -> BTreeMap<&'static str, Vec<EnjoymentRow>> {
    let mut lists: BTreeMap<&'static str, Vec<EnjoymentRow>> = BTreeMap::new();
    for e in &registry.enjoyments {
        let rows = lists.entry(e.department.as_str()).or_default();
        let row = u32::try_from(rows.len() + 2).unwrap_or(u32::MAX);
        rows.push(EnjoymentRow {
            row,
            id_number: e.resident_id.clone(),
            id_cell: format!("A{row}"),
            policy: e.policy.to_owned(),
            policy_cell: format!("B{row}"),
            from: e.from,
            to: e.to,
            amount_fen: e.amount_fen,
        });
    }
    lists
}

/// Adds the key villages to the demo's area tree (`registry::load` made the townships) and
/// stores the registry as the county assistance office (`bangfu`) would: the person export
/// through `Store::import_households` (one transaction, one audit entry), then each
/// department's list through `Store::import_enjoyments`.
pub async fn store_registry(store: &Store, registry: &ScaleRegistry) -> Result<Stored> {
    let system = Actor::system();
    store
        .load_areas(&system, LELING, &registry.villages)
        .await?;
    let office = store.user(&system, "bangfu").await?.actor();
    let import = store
        .import_households(&office, &registry.households, &[], as_of(), false)
        .await?;
    let mut stored = Stored {
        households: import.counts.new_households,
        people: import.counts.new_people,
        enjoyments: 0,
    };
    for (department, rows) in enjoyment_lists(registry) {
        let done = store
            .import_enjoyments(&office, Some(department), &rows, &[], false)
            .await?;
        if done.not_in_registry > 0 {
            return Err(Error::Internal(format!(
                "{department}: {} people of the list are not in the registry",
                done.not_in_registry
            )));
        }
        stored.enjoyments += done.new_records;
    }
    Ok(stored)
}

/// Loads the registry at `scale` into the demo (after `registry::load`), unless its key
/// villages are already there. Returns whether it loaded.
pub async fn load(store: &Store, scale: u32) -> Result<bool> {
    let system = Actor::system();
    let first_key = village_code(TOWNSHIPS[0].0, DEMO_VILLAGES_PER_TOWNSHIP + 1);
    if store
        .areas(&system, LELING)
        .await?
        .iter()
        .any(|a| a.code == first_key)
    {
        return Ok(false);
    }
    store_registry(store, &generate(scale)).await?;
    Ok(true)
}

#[cfg(test)]
#[path = "registry_scale_tests.rs"]
mod tests;
