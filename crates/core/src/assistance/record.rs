//! What the registry keeps about a person and a household beyond identity — the `facts` JSON of
//! `people` and `households`: the coded fields the rules read, the flags of the national export
//! (insurance, 低保/特困, housing), and every other column of the export kept as read — and the
//! conversion of a stored household into the facts a coverage check is evaluated on.

use super::registry::{
    DisabilityGrade, Education, EnjoymentFacts, Health, HouseholdFacts, HouseholdType,
    HousingFacts, IncomeRecord, LabourAbility, MonitoringCategory, PersonFacts, Relation,
    SchoolStatus, Sex, WorkStatus,
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A vocabulary value stored by its code (never by its Rust name), optional.
mod code {
    use crate::workflow::{StateCode, UnknownCode};
    use serde::{Deserialize, Deserializer, Serialize, Serializer, de::Error};

    pub fn serialize<S: Serializer, T: StateCode + Copy>(
        value: &Option<T>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        value.map(StateCode::code).serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>, T: TryFrom<String, Error = UnknownCode>>(
        deserializer: D,
    ) -> Result<Option<T>, D::Error> {
        Option::<String>::deserialize(deserializer)?
            .map(T::try_from)
            .transpose()
            .map_err(D::Error::custom)
    }
}

/// Cover and benefits the national export records per person as 是/否.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PersonCover {
    /// 是否参加城乡居民基本医疗保险.
    pub resident_medical: bool,
    /// 是否参加城镇职工基本医疗保险.
    pub employee_medical: bool,
    /// 是否参加大病保险.
    pub critical_illness: bool,
    /// 是否参加城乡居民基本养老保险.
    pub resident_pension: bool,
    /// 是否参加城镇职工基本养老保险.
    pub employee_pension: bool,
    /// 是否接受医疗救助.
    pub medical_assistance: bool,
    /// 享受低保政策情况: enjoys 低保.
    pub dibao: bool,
    /// 享受特困供养政策情况: enjoys 特困供养.
    pub tekun: bool,
}

/// A person's stored facts (`people.facts`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PersonRecord {
    /// 民族.
    pub ethnicity: String,
    /// 文化程度.
    #[serde(with = "code")]
    pub education: Option<Education>,
    /// 在校生状况.
    #[serde(with = "code")]
    pub school_status: Option<SchoolStatus>,
    /// 义务教育阶段未上学原因.
    pub out_of_school_reason: String,
    /// 健康状况.
    #[serde(with = "code")]
    pub health: Option<Health>,
    /// Named chronic diseases (高血压, 糖尿病 …).
    pub chronic_diseases: Vec<String>,
    /// The grade on the 残疾人证.
    #[serde(with = "code")]
    pub disability_grade: Option<DisabilityGrade>,
    /// 劳动技能.
    #[serde(with = "code")]
    pub labour: Option<LabourAbility>,
    /// 务工状况.
    #[serde(with = "code")]
    pub work_status: Option<WorkStatus>,
    /// 务工所在地 as written.
    pub work_place: String,
    /// Monthly income from work, fen.
    pub monthly_work_income: i64,
    /// 家庭成员联系电话.
    pub phone: String,
    /// Insurance and benefits.
    pub cover: PersonCover,
    /// Lives in a care institution (集中供养).
    pub in_care_institution: bool,
    /// The export's other person columns, kept as read (header → text).
    pub columns: BTreeMap<String, String>,
}

/// Housing and living conditions as stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct HousingRecord {
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

/// A household's stored facts (`households.facts`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct HouseholdRecord {
    /// 监测对象类别.
    #[serde(with = "code")]
    pub monitoring: Option<MonitoringCategory>,
    /// 识别监测时间, `YYYYMM` as exported.
    pub monitoring_since: String,
    /// 致贫/返贫风险1…5, as written.
    pub risks: Vec<String>,
    /// 风险是否已消除.
    pub risk_eliminated: bool,
    /// 风险消除方式.
    pub elimination_method: String,
    /// 消除监测时间, `YYYYMM`.
    pub eliminated_in: String,
    /// 整户无劳动能力兜底保障户.
    pub no_labour_support: bool,
    /// Housing and living conditions.
    pub housing: HousingRecord,
    /// Codes of the assistance measures recorded (`industry`, `employment`,
    /// `public_welfare_post` …).
    pub measures: Vec<String>,
    /// The export's other household columns, kept as read (header → text).
    pub columns: BTreeMap<String, String>,
}

impl PersonRecord {
    /// Keeps only what the named fields need (names as the assistance rules write them:
    /// `health`, `labour`, `enjoys` …); everything else is cleared, the kept columns too.
    pub fn retain(&mut self, fields: &std::collections::HashSet<&str>) {
        let keep = |names: &[&str]| names.iter().any(|n| fields.contains(n));
        if !keep(&["education"]) {
            self.education = None;
        }
        if !keep(&["school_status", "in_school"]) {
            self.school_status = None;
            self.out_of_school_reason.clear();
        }
        if !keep(&["health"]) {
            self.health = None;
        }
        if !keep(&["chronic_diseases"]) {
            self.chronic_diseases.clear();
        }
        if !keep(&["disability_grade", "has_disability_certificate"]) {
            self.disability_grade = None;
        }
        if !keep(&["labour"]) {
            self.labour = None;
        }
        if !keep(&["work_status", "working", "monthly_work_income"]) {
            self.work_status = None;
            self.work_place.clear();
            self.monthly_work_income = 0;
        }
        if !keep(&["phone", "phone_is_mobile"]) {
            self.phone.clear();
        }
        if !keep(&["enjoys", "employee_medical_insurance"]) {
            self.cover = PersonCover::default();
        }
        if !keep(&["in_care_institution"]) {
            self.in_care_institution = false;
        }
        self.ethnicity.clear();
        self.columns.clear();
    }
}

impl HouseholdRecord {
    /// Keeps only what the named fields need (see [`PersonRecord::retain`]).
    pub fn retain(&mut self, fields: &std::collections::HashSet<&str>) {
        let keep = |names: &[&str]| names.iter().any(|n| fields.contains(n));
        if !keep(&["monitored", "monitoring_category"]) {
            self.monitoring = None;
            self.monitoring_since.clear();
            self.risks.clear();
            self.risk_eliminated = false;
            self.elimination_method.clear();
            self.eliminated_in.clear();
        }
        if !keep(&["no_labour_support"]) {
            self.no_labour_support = false;
        }
        if !keep(&[
            "unsafe_housing",
            "safe_water",
            "electricity",
            "sanitary_toilet",
            "hardened_road",
            "floor_area",
        ]) {
            self.housing = HousingRecord::default();
        }
        if !keep(&["measures"]) {
            self.measures.clear();
        }
        self.columns.clear();
    }
}

/// A live member as stored: identity and record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPerson {
    /// The store's key.
    pub id: String,
    /// 证件号码 as stored.
    pub id_number: String,
    /// 与户主关系.
    pub relation: Relation,
    /// 性别.
    pub sex: Sex,
    /// 出生日期.
    pub birth_date: NaiveDate,
    /// Whether the document is a 残疾人证.
    pub disability_certificate: bool,
    /// Everything else.
    pub record: PersonRecord,
}

/// A policy code, the flag of the export that says it is enjoyed, and the department.
type FlagPolicy = (
    &'static str,
    fn(&PersonCover) -> bool,
    super::registry::Department,
);

/// The department and policy code a stored flag of the export stands for, by person.
const PERSON_FLAGS: [FlagPolicy; 3] = [
    (
        "resident_medical",
        |c| c.resident_medical,
        super::registry::Department::MedicalInsurance,
    ),
    (
        "critical_illness",
        |c| c.critical_illness,
        super::registry::Department::MedicalInsurance,
    ),
    (
        "dibao",
        |c| c.dibao,
        super::registry::Department::CivilAffairs,
    ),
];

impl StoredPerson {
    /// The facts the rules read; a field the record leaves open takes the plainest value
    /// (not at school, healthy, 普通劳动力, not working).
    pub fn facts(&self) -> PersonFacts {
        let r = &self.record;
        let mut facts = PersonFacts::new(
            self.id.clone(),
            self.id_number.clone(),
            self.birth_date,
            self.sex,
        );
        facts.relation = self.relation;
        facts.education = r.education.unwrap_or(facts.education);
        facts.school_status = r.school_status.unwrap_or(facts.school_status);
        facts.health = r.health.unwrap_or(facts.health);
        facts.chronic_diseases = r.chronic_diseases.clone();
        facts.disability_certificate = self.disability_certificate;
        facts.disability_grade = r.disability_grade;
        facts.labour = r.labour.unwrap_or(facts.labour);
        facts.work_status = r.work_status.unwrap_or(facts.work_status);
        facts.monthly_work_income = r.monthly_work_income;
        facts.phone = r.phone.clone();
        facts.employee_medical_insurance = r.cover.employee_medical;
        facts.in_care_institution = r.in_care_institution;
        facts
    }

    /// The enjoyments the export's flags stand for (居民医保, 大病保险, 低保, 特困), as of `from`
    /// and still running; 特困 is 集中 for a person in a care institution, else 分散.
    pub fn flag_enjoyments(&self, household_id: &str, from: NaiveDate) -> Vec<EnjoymentFacts> {
        let cover = &self.record.cover;
        let mut codes: Vec<(&str, super::registry::Department)> = PERSON_FLAGS
            .iter()
            .filter(|(_, flag, _)| flag(cover))
            .map(|(code, _, department)| (*code, *department))
            .collect();
        if cover.tekun {
            let code = if self.record.in_care_institution {
                "tekun_centralized"
            } else {
                "tekun_dispersed"
            };
            codes.push((code, super::registry::Department::CivilAffairs));
        }
        codes
            .into_iter()
            .map(|(policy, source)| EnjoymentFacts {
                policy: policy.to_owned(),
                household_id: household_id.to_owned(),
                person_id: (policy != "dibao").then(|| self.id.clone()),
                from,
                to: None,
                amount: 0,
                source,
            })
            .collect()
    }
}

impl HouseholdRecord {
    /// The household's facts with its live members and the year's income.
    pub fn facts(
        &self,
        id: &str,
        household_type: HouseholdType,
        phone: &str,
        members: &[StoredPerson],
        income: IncomeRecord,
    ) -> HouseholdFacts {
        let h = &self.housing;
        HouseholdFacts {
            id: id.to_owned(),
            household_type,
            monitoring: self.monitoring,
            members: members.iter().map(StoredPerson::facts).collect(),
            income,
            housing: HousingFacts {
                unsafe_housing: h.unsafe_housing,
                safe_water: h.safe_water,
                electricity: h.electricity,
                sanitary_toilet: h.sanitary_toilet,
                hardened_road: h.hardened_road,
                floor_area_m2: h.floor_area_m2,
            },
            no_labour_support: self.no_labour_support,
            measures: self.measures.clone(),
            phone: phone.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    #[test]
    fn codes_are_stored_by_code_and_a_foreign_code_does_not_read() {
        let record = PersonRecord {
            disability_grade: Some(DisabilityGrade::Two),
            labour: Some(LabourAbility::NoAbility),
            ..PersonRecord::default()
        };
        let json = serde_json::to_value(&record).expect("serialises");
        assert_eq!(json["disability_grade"], "2");
        assert_eq!(json["labour"], "none");
        let back: PersonRecord = serde_json::from_value(json).expect("reads back");
        assert_eq!(back, record);
        let damaged = serde_json::json!({"labour": "no_ability"});
        assert!(serde_json::from_value::<PersonRecord>(damaged).is_err());
        // An empty object is a record with nothing known.
        let empty: PersonRecord = serde_json::from_str("{}").expect("reads");
        assert_eq!(empty, PersonRecord::default());
    }

    #[test]
    fn flags_become_enjoyments_of_the_right_policy_and_department() {
        let mut person = StoredPerson {
            id: "7".into(),
            id_number: "371481195003040019".into(),
            relation: Relation::Householder,
            sex: Sex::Male,
            birth_date: day(1950, 3, 4),
            disability_certificate: false,
            record: PersonRecord::default(),
        };
        assert!(person.flag_enjoyments("1", day(2020, 1, 1)).is_empty());
        person.record.cover.dibao = true;
        person.record.cover.tekun = true;
        person.record.cover.resident_medical = true;
        let got = person.flag_enjoyments("1", day(2020, 1, 1));
        let codes: Vec<&str> = got.iter().map(|e| e.policy.as_str()).collect();
        assert_eq!(codes, ["resident_medical", "dibao", "tekun_dispersed"]);
        assert_eq!(got[1].person_id, None, "低保 is paid to the household");
        person.record.in_care_institution = true;
        let got = person.flag_enjoyments("1", day(2020, 1, 1));
        assert_eq!(got[2].policy, "tekun_centralized");
        let facts = person.facts();
        assert!(facts.in_care_institution);
        assert_eq!(facts.labour, LabourAbility::Ordinary);
    }
}

#[cfg(test)]
mod retain_tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn a_record_keeps_only_what_the_named_fields_need() {
        let mut person = PersonRecord {
            education: Some(Education::College),
            health: Some(Health::Disabled),
            labour: Some(LabourAbility::Lost),
            phone: "13800000000".into(),
            ethnicity: "汉族".into(),
            ..PersonRecord::default()
        };
        person.cover.dibao = true;
        person.columns.insert("耕地面积（亩）".into(), "3".into());
        person.retain(&HashSet::from(["labour", "enjoys"]));
        assert_eq!(person.labour, Some(LabourAbility::Lost));
        assert!(person.cover.dibao);
        assert_eq!((person.education, person.health), (None, None));
        assert!(
            person.phone.is_empty() && person.ethnicity.is_empty() && person.columns.is_empty()
        );

        let mut household = HouseholdRecord {
            monitoring: Some(MonitoringCategory::Marginal),
            risks: vec!["因病".into()],
            measures: vec!["industry".into()],
            ..HouseholdRecord::default()
        };
        household.housing.unsafe_housing = true;
        household.retain(&HashSet::from(["measures"]));
        assert_eq!(household.monitoring, None);
        assert!(household.risks.is_empty() && !household.housing.unsafe_housing);
        assert_eq!(household.measures, ["industry"]);
    }
}
