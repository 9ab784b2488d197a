//! The registry's vocabulary (户类型, 与户主关系, 文化程度, 健康状况, 劳动技能 …) and the plain facts a
//! rule of the assistance rulebook is evaluated against: a household with its members as of a
//! date ([`HouseholdFacts`], [`PersonFacts`]) and the policies they enjoy ([`EnjoymentFacts`]).
//! Money is fen, never a float.

use crate::vocabulary;
use chrono::NaiveDate;

vocabulary! {
    /// 性别.
    pub enum Sex {
        Male = ("male", "男"),
        Female = ("female", "女"),
    }
}

vocabulary! {
    /// 户类型 in the national system.
    pub enum HouseholdType {
        /// 脱贫户: registered poor, since lifted out of poverty.
        FormerlyPoor = ("formerly_poor", "脱贫户"),
        /// 一般农户.
        Ordinary = ("ordinary", "一般农户"),
    }
}

vocabulary! {
    /// 监测对象类别: a household of either type under dynamic monitoring (监测户).
    pub enum MonitoringCategory {
        /// 脱贫不稳定户.
        Unstable = ("unstable", "脱贫不稳定户"),
        /// 边缘易致贫户.
        Marginal = ("marginal", "边缘易致贫户"),
        /// 突发严重困难户.
        SuddenHardship = ("sudden_hardship", "突发严重困难户"),
    }
}

vocabulary! {
    /// 与户主关系.
    pub enum Relation {
        Householder = ("householder", "户主"),
        Spouse = ("spouse", "配偶"),
        Son = ("son", "之子"),
        Daughter = ("daughter", "之女"),
        DaughterInLaw = ("daughter_in_law", "之儿媳"),
        SonInLaw = ("son_in_law", "之女婿"),
        Grandson = ("grandson", "之孙子"),
        Granddaughter = ("granddaughter", "之孙女"),
        DaughtersSon = ("daughters_son", "之外孙子"),
        DaughtersDaughter = ("daughters_daughter", "之外孙女"),
        Father = ("father", "之父"),
        Mother = ("mother", "之母"),
        Grandfather = ("grandfather", "之祖父"),
        Grandmother = ("grandmother", "之祖母"),
        Sibling = ("sibling", "之兄弟姐妹"),
        Other = ("other", "其他"),
    }
}

vocabulary! {
    /// 文化程度: the highest level reached.
    pub enum Education {
        Illiterate = ("illiterate", "文盲或半文盲"),
        Preschool = ("preschool", "学龄前儿童"),
        Primary = ("primary", "小学"),
        Junior = ("junior", "初中"),
        Senior = ("senior", "高中"),
        VocationalSecondary = ("vocational_secondary", "中职"),
        HigherVocational = ("higher_vocational", "高职"),
        College = ("college", "大专及以上"),
    }
}

vocabulary! {
    /// 在校生状况: where a person is at school now.
    pub enum SchoolStatus {
        NotInSchool = ("not_in_school", "非在校生"),
        Preschool = ("preschool", "学前教育"),
        Primary = ("primary", "小学"),
        Junior = ("junior", "初中"),
        Senior = ("senior", "高中"),
        VocationalSecondary = ("vocational_secondary", "中职"),
        HigherVocational = ("higher_vocational", "高职"),
        College = ("college", "大专及以上"),
    }
}

vocabulary! {
    /// 健康状况.
    pub enum Health {
        Healthy = ("healthy", "健康"),
        Chronic = ("chronic", "长期慢性病"),
        SeriousIllness = ("serious_illness", "患大病"),
        Disabled = ("disabled", "残疾"),
    }
}

vocabulary! {
    /// 残疾等级 on the 残疾人证 (一级 the most severe).
    pub enum DisabilityGrade {
        One = ("1", "一级"),
        Two = ("2", "二级"),
        Three = ("3", "三级"),
        Four = ("4", "四级"),
    }
}

vocabulary! {
    /// 劳动技能.
    pub enum LabourAbility {
        Skilled = ("skilled", "技能劳动力"),
        Ordinary = ("ordinary", "普通劳动力"),
        Weak = ("weak", "弱劳动力或半劳动力"),
        Lost = ("lost", "丧失劳动力"),
        NoAbility = ("none", "无劳动力"),
    }
}

vocabulary! {
    /// 务工状况: whether and where a person works.
    pub enum WorkStatus {
        NotWorking = ("not_working", "未务工"),
        InCounty = ("in_county", "县内务工"),
        InProvince = ("in_province", "省内县外务工"),
        OutOfProvince = ("out_of_province", "省外务工"),
        SelfEmployed = ("self_employed", "自主创业或生产经营"),
    }
}

vocabulary! {
    /// The departments that own policies and answer for findings.
    pub enum Department {
        CivilAffairs = ("civil_affairs", "民政"),
        MedicalInsurance = ("medical_insurance", "医保"),
        DisabledPersons = ("disabled_persons", "残联"),
        Education = ("education", "教育"),
        HumanResources = ("human_resources", "人社"),
        Health = ("health", "卫健"),
        RuralRevitalization = ("rural_revitalization", "乡村振兴"),
        Housing = ("housing", "住建"),
    }
}

impl DisabilityGrade {
    /// The grade as a number, 1 (一级) to 4 (四级).
    pub fn number(self) -> u8 {
        match self {
            DisabilityGrade::One => 1,
            DisabilityGrade::Two => 2,
            DisabilityGrade::Three => 3,
            DisabilityGrade::Four => 4,
        }
    }
}

impl SchoolStatus {
    /// Whether the person is at school (学前教育 included).
    pub fn in_school(self) -> bool {
        self != SchoolStatus::NotInSchool
    }
}

impl WorkStatus {
    /// Whether the person works at all.
    pub fn working(self) -> bool {
        self != WorkStatus::NotWorking
    }
}

/// One member of a household, as of the date of the check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonFacts {
    /// The person's id in the registry (人编号 or the store's key), carried into findings.
    pub id: String,
    /// 证件号码 as recorded (checked by the rules, never shown unmasked).
    pub id_number: String,
    /// 与户主关系.
    pub relation: Relation,
    /// 性别.
    pub sex: Sex,
    /// 出生日期.
    pub birth_date: NaiveDate,
    /// 文化程度.
    pub education: Education,
    /// 在校生状况.
    pub school_status: SchoolStatus,
    /// 健康状况.
    pub health: Health,
    /// Named chronic diseases (高血压, 糖尿病, 结核病, 严重精神障碍 …), empty when none recorded.
    pub chronic_diseases: Vec<String>,
    /// Whether the person holds a 残疾人证.
    pub disability_certificate: bool,
    /// The grade on the certificate.
    pub disability_grade: Option<DisabilityGrade>,
    /// 劳动技能.
    pub labour: LabourAbility,
    /// 务工状况.
    pub work_status: WorkStatus,
    /// Monthly income from work, fen (0 when not working or unknown).
    pub monthly_work_income: i64,
    /// 家庭成员联系电话 (empty when none).
    pub phone: String,
    /// 是否参加城镇职工基本医疗保险 (居民医保 and 大病保险 are policies, see the rulebook).
    pub employee_medical_insurance: bool,
    /// Whether the person lives in a care institution (敬老院, 福利院): 特困 集中供养 or 分散供养.
    pub in_care_institution: bool,
}

impl PersonFacts {
    /// A person with the plainest facts (户主, healthy, 普通劳动力, not at school, not working,
    /// no certificate, no phone); the caller sets what it knows.
    pub fn new(
        id: impl Into<String>,
        id_number: impl Into<String>,
        birth_date: NaiveDate,
        sex: Sex,
    ) -> Self {
        PersonFacts {
            id: id.into(),
            id_number: id_number.into(),
            relation: Relation::Householder,
            sex,
            birth_date,
            education: Education::Junior,
            school_status: SchoolStatus::NotInSchool,
            health: Health::Healthy,
            chronic_diseases: Vec::new(),
            disability_certificate: false,
            disability_grade: None,
            labour: LabourAbility::Ordinary,
            work_status: WorkStatus::NotWorking,
            monthly_work_income: 0,
            phone: String::new(),
            employee_medical_insurance: false,
            in_care_institution: false,
        }
    }
}

/// A household's income over the trailing 12 months, fen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct IncomeRecord {
    /// 工资性收入.
    pub wage: i64,
    /// 生产经营性收入 (net).
    pub business: i64,
    /// 财产性收入.
    pub property: i64,
    /// 转移性收入.
    pub transfer: i64,
    /// 合规自付支出 (mostly medical), subtracted from income.
    pub compliant_spending: i64,
    /// 人均纯收入 as recorded in the national system, when there is one (it may disagree with
    /// the parts; a rule may compare them).
    pub recorded_per_capita: Option<i64>,
}

impl IncomeRecord {
    /// 家庭纯收入: the four incomes less compliant out-of-pocket spending.
    pub fn net(&self) -> i64 {
        self.wage + self.business + self.property + self.transfer - self.compliant_spending
    }

    /// 人均纯收入 computed from the parts, fen, rounded down; 0 for an empty household.
    pub fn per_capita(&self, members: usize) -> i64 {
        match i64::try_from(members) {
            Ok(n) if n > 0 => self.net().div_euclid(n),
            _ => 0,
        }
    }
}

/// The household's housing and living conditions (两不愁三保障 and 饮水安全).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HousingFacts {
    /// 是否危房户.
    pub unsafe_housing: bool,
    /// 是否解决安全饮用水.
    pub safe_water: bool,
    /// 是否通生活用电.
    pub electricity: bool,
    /// 是否有卫生厕所.
    pub sanitary_toilet: bool,
    /// 入户道路是否硬化.
    pub hardened_road: bool,
    /// 住房面积, whole square metres.
    pub floor_area_m2: u32,
}

/// A household as of the date of the check, with everything the assistance rules read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseholdFacts {
    /// The household's id in the registry (户编号 or the store's key), carried into findings.
    pub id: String,
    /// 户类型.
    pub household_type: HouseholdType,
    /// 监测对象类别, when the household is monitored.
    pub monitoring: Option<MonitoringCategory>,
    /// The members, 户主 first by convention; the order is the order of findings.
    pub members: Vec<PersonFacts>,
    /// Income over the trailing 12 months.
    pub income: IncomeRecord,
    /// Housing and living conditions.
    pub housing: HousingFacts,
    /// 整户无劳动能力兜底保障户.
    pub no_labour_support: bool,
    /// The codes of the assistance measures recorded for the household (产业帮扶 `industry`,
    /// 就业帮扶 `employment`, 公益性岗位 `public_welfare_post`, 健康帮扶 `health` …).
    pub measures: Vec<String>,
    /// 户联系电话 (empty when none).
    pub phone: String,
}

/// One enjoyment of a policy (享受政策记录), from the household file or another department's data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnjoymentFacts {
    /// The policy's code in the rulebook.
    pub policy: String,
    /// The household it was paid to.
    pub household_id: String,
    /// The person it concerns; `None` for a household-wide benefit.
    pub person_id: Option<String>,
    /// First day covered.
    pub from: NaiveDate,
    /// Last day covered; `None` while it runs.
    pub to: Option<NaiveDate>,
    /// The amount, fen (per the policy's period; 0 for a service).
    pub amount: i64,
    /// The department whose data says so.
    pub source: Department,
}

impl EnjoymentFacts {
    /// Whether the enjoyment covers the day.
    pub fn covers(&self, day: NaiveDate) -> bool {
        self.from <= day && self.to.is_none_or(|to| day <= to)
    }
}

/// A person's age in whole years on a day (0 before the first birthday).
pub fn age_on(birth_date: NaiveDate, day: NaiveDate) -> i64 {
    use chrono::Datelike;
    let mut years = i64::from(day.year() - birth_date.year());
    if (day.month(), day.day()) < (birth_date.month(), birth_date.day()) {
        years -= 1;
    }
    years.max(0)
}
