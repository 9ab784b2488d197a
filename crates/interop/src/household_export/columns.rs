//! The columns of the national system's person export that the registry reads and writes, by
//! their printed headers (with the variants counties' files carry), and how each cell's text is
//! read: 是/否 flags, 元 amounts, `YYYYMMDD` dates, and the labels of the registry's vocabulary
//! with the wordings seen in real exports.

use chrono::NaiveDate;
use jixiao_core::assistance::registry::{
    Education, Health, HouseholdType, LabourAbility, MonitoringCategory, Relation, SchoolStatus,
    Sex, WorkStatus,
};
use jixiao_core::money;

/// A household flag of the export's cover and housing columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PersonFlag {
    /// 是否参加城乡居民基本医疗保险.
    ResidentMedical,
    /// 是否参加城镇职工基本医疗保险.
    EmployeeMedical,
    /// 是否参加大病保险.
    CriticalIllness,
    /// 是否参加城乡居民基本养老保险.
    ResidentPension,
    /// 是否参加城镇职工基本养老保险.
    EmployeePension,
    /// 是否接受医疗救助.
    MedicalAssistance,
    /// 享受低保政策情况.
    Dibao,
    /// 享受特困供养政策情况.
    Tekun,
    /// 是否集中供养 (a Jixiao column: lives in a care institution).
    CareInstitution,
}

/// A household flag of the export's housing columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HousingFlag {
    /// 是否危房户.
    UnsafeHousing,
    /// 是否解决安全饮用水.
    SafeWater,
    /// 是否通生活用电.
    Electricity,
    /// 是否有卫生厕所.
    SanitaryToilet,
    /// 入户道路是否硬化.
    HardenedRoad,
}

/// An income column (元, household-wide).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IncomeColumn {
    /// 人均纯收入（元）.
    PerCapita,
    /// 工资性收入.
    Wage,
    /// 生产经营性收入.
    Business,
    /// 财产性收入.
    Property,
    /// 转移性收入.
    Transfer,
    /// 合规自付支出.
    CompliantSpending,
}

/// What a column of the export is to the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// 县.
    County,
    /// 乡 (乡镇/街道).
    Township,
    /// 村.
    Village,
    /// 户编号.
    HouseholdNumber,
    /// 人编号.
    PersonNumber,
    /// 姓名.
    Name,
    /// 证件类型.
    IdType,
    /// 证件号码.
    IdNumber,
    /// 与户主关系.
    Relation,
    /// 性别.
    Sex,
    /// 出生日期.
    BirthDate,
    /// 民族.
    Ethnicity,
    /// 文化程度.
    Education,
    /// 在校生状况.
    SchoolStatus,
    /// 义务教育阶段未上学原因.
    OutOfSchoolReason,
    /// 健康状况.
    Health,
    /// 慢性病病种 (a Jixiao column; names separated by 、 or ,).
    ChronicDiseases,
    /// 劳动技能.
    Labour,
    /// 务工所在地.
    WorkPlace,
    /// 务工月收入（元） (a Jixiao column).
    MonthlyWorkIncome,
    /// 家庭成员联系电话.
    PersonPhone,
    /// 户联系电话.
    HouseholdPhone,
    /// 户类型.
    HouseholdType,
    /// 监测对象类别.
    MonitoringCategory,
    /// 识别监测时间 (`YYYYMM`).
    MonitoringSince,
    /// 致贫/返贫风险1…5 (index 0–4).
    Risk(u8),
    /// 风险是否已消除.
    RiskEliminated,
    /// 风险消除方式.
    EliminationMethod,
    /// 消除监测时间.
    EliminatedIn,
    /// 整户无劳动能力兜底保障户.
    NoLabourSupport,
    /// A per-person cover or benefit flag.
    Person(PersonFlag),
    /// A housing flag.
    Housing(HousingFlag),
    /// 住房面积.
    FloorArea,
    /// An income column.
    Income(IncomeColumn),
    /// An assistance-measure flag with the measure's code.
    Measure(&'static str),
}

/// Every column the registry knows, by the header the national export prints (first) and the
/// variants seen in counties' files; the order is the order an export is written in.
pub const KNOWN: &[(Field, &[&str])] = &[
    (
        Field::County,
        &["县", "县（市、区、旗）", "县(市、区)", "县级"],
    ),
    (
        Field::Township,
        &["乡", "乡镇", "乡（镇、街道）", "乡镇（街道）"],
    ),
    (Field::Village, &["村", "行政村", "村（社区）"]),
    (Field::HouseholdNumber, &["户编号"]),
    (Field::PersonNumber, &["人编号"]),
    (Field::Name, &["姓名"]),
    (Field::IdType, &["证件类型"]),
    (Field::IdNumber, &["证件号码", "身份证号码", "身份证号"]),
    (Field::Relation, &["与户主关系"]),
    (Field::Sex, &["性别"]),
    (Field::BirthDate, &["出生日期"]),
    (Field::Ethnicity, &["民族"]),
    (Field::Education, &["文化程度"]),
    (Field::SchoolStatus, &["在校生状况"]),
    (Field::OutOfSchoolReason, &["义务教育阶段未上学原因"]),
    (Field::Health, &["健康状况"]),
    (Field::ChronicDiseases, &["慢性病病种"]),
    (Field::Labour, &["劳动技能"]),
    (Field::WorkPlace, &["务工所在地"]),
    (
        Field::MonthlyWorkIncome,
        &["务工月收入（元）", "务工月收入"],
    ),
    (Field::PersonPhone, &["家庭成员联系电话", "联系电话"]),
    (Field::HouseholdPhone, &["户联系电话"]),
    (Field::HouseholdType, &["户类型"]),
    (Field::MonitoringCategory, &["监测对象类别"]),
    (Field::MonitoringSince, &["识别监测时间"]),
    (Field::Risk(0), &["致贫/返贫风险1", "致贫返贫风险1"]),
    (Field::Risk(1), &["致贫/返贫风险2", "致贫返贫风险2"]),
    (Field::Risk(2), &["致贫/返贫风险3", "致贫返贫风险3"]),
    (Field::Risk(3), &["致贫/返贫风险4", "致贫返贫风险4"]),
    (Field::Risk(4), &["致贫/返贫风险5", "致贫返贫风险5"]),
    (Field::RiskEliminated, &["风险是否已消除"]),
    (Field::EliminationMethod, &["风险消除方式"]),
    (Field::EliminatedIn, &["消除监测时间"]),
    (Field::NoLabourSupport, &["整户无劳动能力兜底保障户"]),
    (
        Field::Income(IncomeColumn::PerCapita),
        &["人均纯收入（元）", "人均纯收入"],
    ),
    (
        Field::Income(IncomeColumn::Wage),
        &["工资性收入", "工资性收入（元）"],
    ),
    (
        Field::Income(IncomeColumn::Business),
        &["生产经营性收入", "生产经营性收入（元）"],
    ),
    (
        Field::Income(IncomeColumn::Property),
        &["财产性收入", "财产性收入（元）"],
    ),
    (
        Field::Income(IncomeColumn::Transfer),
        &["转移性收入", "转移性收入（元）"],
    ),
    (
        Field::Income(IncomeColumn::CompliantSpending),
        &["合规自付支出", "合规自付支出（元）"],
    ),
    (
        Field::Person(PersonFlag::ResidentMedical),
        &["是否参加城乡居民基本医疗保险"],
    ),
    (
        Field::Person(PersonFlag::EmployeeMedical),
        &["是否参加城镇职工基本医疗保险"],
    ),
    (
        Field::Person(PersonFlag::CriticalIllness),
        &["是否参加大病保险"],
    ),
    (
        Field::Person(PersonFlag::ResidentPension),
        &["是否参加城乡居民基本养老保险"],
    ),
    (
        Field::Person(PersonFlag::EmployeePension),
        &["是否参加城镇职工基本养老保险"],
    ),
    (
        Field::Person(PersonFlag::MedicalAssistance),
        &["是否接受医疗救助"],
    ),
    (Field::Person(PersonFlag::Dibao), &["享受低保政策情况"]),
    (Field::Person(PersonFlag::Tekun), &["享受特困供养政策情况"]),
    (
        Field::Person(PersonFlag::CareInstitution),
        &["是否集中供养"],
    ),
    (Field::Housing(HousingFlag::UnsafeHousing), &["是否危房户"]),
    (
        Field::Housing(HousingFlag::SafeWater),
        &["是否解决安全饮用水"],
    ),
    (
        Field::Housing(HousingFlag::Electricity),
        &["是否通生活用电"],
    ),
    (
        Field::Housing(HousingFlag::SanitaryToilet),
        &["是否有卫生厕所"],
    ),
    (
        Field::Housing(HousingFlag::HardenedRoad),
        &["入户道路是否硬化"],
    ),
    (Field::FloorArea, &["住房面积", "住房面积（平方米）"]),
    (Field::Measure("industry"), &["产业帮扶"]),
    (Field::Measure("employment"), &["就业帮扶"]),
    (
        Field::Measure("public_welfare_post"),
        &["公益性岗位", "公益岗位帮扶"],
    ),
    (Field::Measure("finance"), &["金融帮扶"]),
    (Field::Measure("housing"), &["住房安全保障"]),
    (Field::Measure("water"), &["饮水安全保障"]),
    (Field::Measure("health"), &["健康帮扶"]),
    (Field::Measure("compulsory_education"), &["义务教育保障"]),
    (Field::Measure("education"), &["教育帮扶"]),
    (Field::Measure("social_security"), &["综合保障"]),
    (Field::Measure("social"), &["社会帮扶"]),
    (Field::Measure("relocation"), &["搬迁"]),
];

/// Columns without which a file cannot be read as a person export.
pub const REQUIRED: [Field; 6] = [
    Field::Township,
    Field::Village,
    Field::HouseholdNumber,
    Field::Name,
    Field::IdNumber,
    Field::Relation,
];

/// Whether a column is Jixiao's own (not in the national export): never reported missing.
pub fn is_extension(field: Field) -> bool {
    matches!(
        field,
        Field::ChronicDiseases
            | Field::MonthlyWorkIncome
            | Field::Person(PersonFlag::CareInstitution)
    )
}

/// A header as compared: spaces gone, ASCII parentheses as the national export's full-width ones.
pub fn normalise_header(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '(' => '（',
            ')' => '）',
            other => other,
        })
        .collect()
}

/// The field a header names, if the registry knows it.
pub fn field_of(header: &str) -> Option<Field> {
    let header = normalise_header(header);
    KNOWN.iter().find_map(|(field, names)| {
        names
            .iter()
            .any(|n| normalise_header(n) == header)
            .then_some(*field)
    })
}

/// The header an export prints for a field.
pub fn header_of(field: Field) -> &'static str {
    KNOWN
        .iter()
        .find(|(f, _)| *f == field)
        .and_then(|(_, names)| names.first().copied())
        .unwrap_or("")
}

/// 是/否 as the export writes it (also 享受/未享受, 有/无, 已/未); empty is 否.
pub fn yes_no(text: &str) -> Result<bool, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(false);
    }
    for no in ["否", "未", "无", "不", "没有"] {
        if t.starts_with(no) {
            return Ok(false);
        }
    }
    for yes in ["是", "享受", "有", "已", "参加", "接受"] {
        if t.starts_with(yes) {
            return Ok(true);
        }
    }
    Err(format!("“{t}”应为“是”或“否”"))
}

/// The text written back for a flag.
pub fn yes_no_text(value: bool) -> &'static str {
    if value { "是" } else { "否" }
}

/// An amount in 元 (a minus sign allowed: 生产经营性收入 is net), empty as 0.
pub fn yuan(text: &str) -> Result<i64, String> {
    let t = text.trim().replace([',', '，'], "");
    if t.is_empty() {
        return Ok(0);
    }
    let (negative, digits) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.as_str()),
    };
    let fen = money::parse_yuan(digits).map_err(|_| format!("“{}”应为金额（元）", text.trim()))?;
    Ok(if negative { -fen } else { fen })
}

/// 元 as the export writes it: `1234.5` → `1234.50`, whole amounts without decimals.
pub fn yuan_text(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    if abs.is_multiple_of(100) {
        format!("{sign}{}", abs / 100)
    } else {
        format!("{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

/// 出生日期: `YYYYMMDD` as exported, or `YYYY-MM-DD`, `YYYY/MM/DD`, `YYYY.MM.DD`.
pub fn date(text: &str) -> Result<NaiveDate, String> {
    let t = text.trim();
    if t.bytes().all(|b| b.is_ascii_digit()) && t.len() != 8 {
        return Err(format!("“{t}”不是有效日期，应为YYYYMMDD"));
    }
    ["%Y%m%d", "%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(t, f).ok())
        .ok_or_else(|| format!("“{t}”不是有效日期，应为YYYYMMDD"))
}

/// Reads a vocabulary value by its label, or by a wording real exports use; empty is `None`.
fn labelled<T: Copy>(
    text: &str,
    all: &[T],
    label: fn(T) -> &'static str,
    wordings: &[(&str, T)],
    what: &str,
) -> Result<Option<T>, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    if let Some(v) = all.iter().copied().find(|v| label(*v) == t) {
        return Ok(Some(v));
    }
    wordings
        .iter()
        .find(|(w, _)| t.contains(w))
        .map(|(_, v)| Some(*v))
        .ok_or_else(|| format!("{what}“{t}”无法识别"))
}

/// 与户主关系 (“本人” and “子”, “女” as some counties write them).
pub fn relation(text: &str) -> Result<Option<Relation>, String> {
    labelled(
        text,
        Relation::ALL,
        Relation::label,
        &[
            ("本人", Relation::Householder),
            ("户主", Relation::Householder),
            ("配偶", Relation::Spouse),
            ("妻", Relation::Spouse),
            ("夫", Relation::Spouse),
            ("儿媳", Relation::DaughterInLaw),
            ("女婿", Relation::SonInLaw),
            ("外孙女", Relation::DaughtersDaughter),
            ("外孙", Relation::DaughtersSon),
            ("孙女", Relation::Granddaughter),
            ("孙", Relation::Grandson),
            ("子", Relation::Son),
            ("女", Relation::Daughter),
            ("祖父", Relation::Grandfather),
            ("祖母", Relation::Grandmother),
            ("父", Relation::Father),
            ("母", Relation::Mother),
            ("兄", Relation::Sibling),
            ("弟", Relation::Sibling),
            ("姐", Relation::Sibling),
            ("妹", Relation::Sibling),
        ],
        "与户主关系",
    )
}

/// 性别.
pub fn sex(text: &str) -> Result<Option<Sex>, String> {
    labelled(text, Sex::ALL, Sex::label, &[], "性别")
}

/// 户类型.
pub fn household_type(text: &str) -> Result<Option<HouseholdType>, String> {
    labelled(
        text,
        HouseholdType::ALL,
        HouseholdType::label,
        &[
            ("脱贫", HouseholdType::FormerlyPoor),
            ("贫困户", HouseholdType::FormerlyPoor),
            ("农户", HouseholdType::Ordinary),
        ],
        "户类型",
    )
}

/// 监测对象类别.
pub fn monitoring_category(text: &str) -> Result<Option<MonitoringCategory>, String> {
    labelled(
        text,
        MonitoringCategory::ALL,
        MonitoringCategory::label,
        &[
            ("不稳定", MonitoringCategory::Unstable),
            ("边缘", MonitoringCategory::Marginal),
            ("突发", MonitoringCategory::SuddenHardship),
        ],
        "监测对象类别",
    )
}

/// 文化程度.
pub fn education(text: &str) -> Result<Option<Education>, String> {
    labelled(
        text,
        Education::ALL,
        Education::label,
        &[
            ("文盲", Education::Illiterate),
            ("学龄前", Education::Preschool),
            ("小学", Education::Primary),
            ("初中", Education::Junior),
            ("中职", Education::VocationalSecondary),
            ("中专", Education::VocationalSecondary),
            ("高职", Education::HigherVocational),
            ("高中", Education::Senior),
            ("大专", Education::College),
            ("本科", Education::College),
            ("研究生", Education::College),
        ],
        "文化程度",
    )
}

/// 在校生状况 (“小学三年级”, “中职一年级” and the like read by their stage).
pub fn school_status(text: &str) -> Result<Option<SchoolStatus>, String> {
    labelled(
        text,
        SchoolStatus::ALL,
        SchoolStatus::label,
        &[
            ("非在校", SchoolStatus::NotInSchool),
            ("学前", SchoolStatus::Preschool),
            ("幼儿园", SchoolStatus::Preschool),
            ("小学", SchoolStatus::Primary),
            ("初中", SchoolStatus::Junior),
            ("中职", SchoolStatus::VocationalSecondary),
            ("中专", SchoolStatus::VocationalSecondary),
            ("技工", SchoolStatus::VocationalSecondary),
            ("高职", SchoolStatus::HigherVocational),
            ("高中", SchoolStatus::Senior),
            ("大专", SchoolStatus::College),
            ("本科", SchoolStatus::College),
            ("研究生", SchoolStatus::College),
        ],
        "在校生状况",
    )
}

/// 健康状况: a combination (“残疾,长期慢性病”) reads as its most serious part.
pub fn health(text: &str) -> Result<Option<Health>, String> {
    labelled(
        text,
        Health::ALL,
        Health::label,
        &[
            ("残疾", Health::Disabled),
            ("大病", Health::SeriousIllness),
            ("慢性病", Health::Chronic),
            ("健康", Health::Healthy),
        ],
        "健康状况",
    )
}

/// 劳动技能.
pub fn labour(text: &str) -> Result<Option<LabourAbility>, String> {
    labelled(
        text,
        LabourAbility::ALL,
        LabourAbility::label,
        &[
            ("技能", LabourAbility::Skilled),
            ("普通", LabourAbility::Ordinary),
            ("弱劳动", LabourAbility::Weak),
            ("半劳动", LabourAbility::Weak),
            ("丧失", LabourAbility::Lost),
            ("无劳动", LabourAbility::NoAbility),
        ],
        "劳动技能",
    )
}

/// 务工状况 from 务工所在地: empty is not working; 省外, 省内县外, 县内 by the words written.
pub fn work_status(place: &str) -> WorkStatus {
    let p = place.trim();
    if p.is_empty() || p.starts_with('无') || p.starts_with('否') || p == "未务工" {
        WorkStatus::NotWorking
    } else if p.contains("省外") {
        WorkStatus::OutOfProvince
    } else if p.contains("县外") || p.contains("省内") || p.contains("市内") {
        WorkStatus::InProvince
    } else if p.contains("创业") || p.contains("经营") {
        WorkStatus::SelfEmployed
    } else {
        WorkStatus::InCounty
    }
}

/// The text written back for a work status, when 务工所在地 is not known as written.
pub fn work_place_text(status: WorkStatus) -> &'static str {
    match status {
        WorkStatus::NotWorking => "",
        WorkStatus::InCounty => "县内",
        WorkStatus::InProvince => "省内县外",
        WorkStatus::OutOfProvince => "省外",
        WorkStatus::SelfEmployed => "自主创业",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_read_with_their_variants_and_parentheses() {
        assert_eq!(
            field_of(" 人均纯收入(元) "),
            Some(Field::Income(IncomeColumn::PerCapita))
        );
        assert_eq!(field_of("乡镇（街道）"), Some(Field::Township));
        assert_eq!(field_of("致贫/返贫风险3"), Some(Field::Risk(2)));
        assert_eq!(field_of("耕地面积（亩）"), None);
        assert_eq!(header_of(Field::Village), "村");
        for (field, names) in KNOWN {
            assert_eq!(field_of(names[0]), Some(*field), "{}", names[0]);
        }
    }

    #[test]
    fn cells_read_as_a_reviewer_reads_them() {
        assert_eq!(yes_no("是"), Ok(true));
        assert_eq!(yes_no("未享受"), Ok(false));
        assert_eq!(yes_no(""), Ok(false));
        assert!(yes_no("可能").is_err());
        assert_eq!(yuan("1,234.5"), Ok(123_450));
        assert_eq!(yuan("-200"), Ok(-20_000));
        assert!(yuan("约三千").is_err());
        assert_eq!(yuan_text(123_450), "1234.50");
        assert_eq!(yuan_text(300_000), "3000");
        assert_eq!(yuan(&yuan_text(-5)), Ok(-5));
        assert_eq!(relation("本人"), Ok(Some(Relation::Householder)));
        assert_eq!(relation("之外孙女"), Ok(Some(Relation::DaughtersDaughter)));
        assert_eq!(relation("长子"), Ok(Some(Relation::Son)));
        assert!(relation("邻居").is_err());
        assert_eq!(health("残疾,长期慢性病"), Ok(Some(Health::Disabled)));
        assert_eq!(school_status("小学三年级"), Ok(Some(SchoolStatus::Primary)));
        assert_eq!(
            school_status("中职一年级"),
            Ok(Some(SchoolStatus::VocationalSecondary))
        );
        assert_eq!(labour("弱劳动力或半劳动力"), Ok(Some(LabourAbility::Weak)));
        assert_eq!(work_status("省外"), WorkStatus::OutOfProvince);
        assert_eq!(work_status(""), WorkStatus::NotWorking);
        assert_eq!(
            date("19500304").map(|d| d.to_string()),
            Ok("1950-03-04".into())
        );
        assert!(date("1950034").is_err());
    }
}
