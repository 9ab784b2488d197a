//! What an assistance rule can read: the fields of `person`, `household` (and of each member in
//! `household.members`) and `amounts`, each declared once with its Chinese label and how its
//! value is read from the facts. The same table validates expressions when the rulebook loads,
//! builds the CEL values at check time, and shows the values that made a rule fire.

use super::registry::{HouseholdFacts, PersonFacts};
use crate::money;
use cel::Value;
use std::sync::Arc;

/// One field's value, typed for display.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue {
    /// 是/否.
    Bool(bool),
    /// A count or an age.
    Int(i64),
    /// Fen, shown in 元.
    Money(i64),
    /// A vocabulary code and its label.
    Code(&'static str, &'static str),
    /// Free text.
    Text(String),
    /// A list of codes or names.
    List(Vec<String>),
}

impl FieldValue {
    /// The value as CEL sees it: money as integer fen, a code as its code.
    pub fn to_cel(&self) -> Value {
        match self {
            FieldValue::Bool(b) => Value::Bool(*b),
            FieldValue::Int(i) | FieldValue::Money(i) => Value::Int(*i),
            FieldValue::Code(code, _) => Value::String(Arc::new((*code).to_owned())),
            FieldValue::Text(t) => Value::String(Arc::new(t.clone())),
            FieldValue::List(items) => Value::List(Arc::new(
                items
                    .iter()
                    .map(|s| Value::String(Arc::new(s.clone())))
                    .collect(),
            )),
        }
    }

    /// The value as a person reads it: 是/否, 元 with two decimals, a label.
    pub fn display(&self) -> String {
        match self {
            FieldValue::Bool(true) => "是".to_owned(),
            FieldValue::Bool(false) => "否".to_owned(),
            FieldValue::Int(i) => i.to_string(),
            FieldValue::Money(fen) => format!("{}元", money::format_yuan(*fen)),
            FieldValue::Code(_, label) => (*label).to_owned(),
            FieldValue::Text(t) if t.is_empty() => "（空）".to_owned(),
            FieldValue::Text(t) => t.clone(),
            FieldValue::List(items) if items.is_empty() => "（无）".to_owned(),
            FieldValue::List(items) => items.join("、"),
        }
    }
}

/// A person as the rules see them on the day of the check.
#[derive(Debug, Clone)]
pub struct PersonView<'a> {
    /// The recorded facts.
    pub person: &'a PersonFacts,
    /// Age in whole years on the day.
    pub age: i64,
    /// Policy codes the person enjoys on the day.
    pub enjoys: Vec<String>,
    /// Whether the recorded 证件号码 is a valid 身份证 or 残疾人证 number.
    pub id_number_valid: bool,
    /// How many live person records in the registry carry the same ID number (1 when unique).
    pub id_number_records: u32,
}

/// A household as the rules see it on the day of the check.
#[derive(Debug, Clone)]
pub struct HouseholdView<'a> {
    /// The recorded facts.
    pub household: &'a HouseholdFacts,
    /// Policy codes anyone in the household (or the household itself) enjoys on the day.
    pub enjoys: Vec<String>,
}

/// A field of `person` (and of each element of `household.members`).
pub struct PersonField {
    /// The name in expressions.
    pub name: &'static str,
    /// The name users read.
    pub label: &'static str,
    /// Reads the value.
    pub get: fn(&PersonView<'_>) -> FieldValue,
}

/// A field of `household`.
pub struct HouseholdField {
    /// The name in expressions.
    pub name: &'static str,
    /// The name users read.
    pub label: &'static str,
    /// Reads the value.
    pub get: fn(&HouseholdView<'_>) -> FieldValue,
}

fn code<T: crate::workflow::StateCode>(v: T) -> FieldValue {
    FieldValue::Code(v.code(), v.name())
}

/// Every field of `person`.
pub static PERSON_FIELDS: &[PersonField] = &[
    PersonField {
        name: "relation",
        label: "与户主关系",
        get: |p| code(p.person.relation),
    },
    PersonField {
        name: "sex",
        label: "性别",
        get: |p| code(p.person.sex),
    },
    PersonField {
        name: "age",
        label: "年龄",
        get: |p| FieldValue::Int(p.age),
    },
    PersonField {
        name: "education",
        label: "文化程度",
        get: |p| code(p.person.education),
    },
    PersonField {
        name: "school_status",
        label: "在校生状况",
        get: |p| code(p.person.school_status),
    },
    PersonField {
        name: "in_school",
        label: "是否在校",
        get: |p| FieldValue::Bool(p.person.school_status.in_school()),
    },
    PersonField {
        name: "health",
        label: "健康状况",
        get: |p| code(p.person.health),
    },
    PersonField {
        name: "chronic_diseases",
        label: "慢性病病种",
        get: |p| FieldValue::List(p.person.chronic_diseases.clone()),
    },
    PersonField {
        name: "has_disability_certificate",
        label: "是否持残疾人证",
        get: |p| FieldValue::Bool(p.person.disability_certificate),
    },
    PersonField {
        name: "disability_grade",
        label: "残疾等级",
        get: |p| {
            FieldValue::Int(
                p.person
                    .disability_grade
                    .map_or(0, |g| i64::from(g.number())),
            )
        },
    },
    PersonField {
        name: "labour",
        label: "劳动技能",
        get: |p| code(p.person.labour),
    },
    PersonField {
        name: "work_status",
        label: "务工状况",
        get: |p| code(p.person.work_status),
    },
    PersonField {
        name: "working",
        label: "是否务工",
        get: |p| FieldValue::Bool(p.person.work_status.working()),
    },
    PersonField {
        name: "monthly_work_income",
        label: "月务工收入",
        get: |p| FieldValue::Money(p.person.monthly_work_income),
    },
    PersonField {
        name: "phone",
        label: "联系电话",
        get: |p| FieldValue::Text(p.person.phone.clone()),
    },
    PersonField {
        name: "phone_is_mobile",
        label: "联系电话是否为11位手机号码",
        get: |p| FieldValue::Bool(is_mobile(&p.person.phone)),
    },
    PersonField {
        name: "employee_medical_insurance",
        label: "是否参加城镇职工基本医疗保险",
        get: |p| FieldValue::Bool(p.person.employee_medical_insurance),
    },
    PersonField {
        name: "in_care_institution",
        label: "是否集中供养（敬老院、福利院）",
        get: |p| FieldValue::Bool(p.person.in_care_institution),
    },
    PersonField {
        name: "id_number_valid",
        label: "证件号码是否有效",
        get: |p| FieldValue::Bool(p.id_number_valid),
    },
    PersonField {
        name: "id_number_records",
        label: "同一证件号码的人员记录数",
        get: |p| FieldValue::Int(i64::from(p.id_number_records)),
    },
    PersonField {
        name: "enjoys",
        label: "享受的政策",
        get: |p| FieldValue::List(p.enjoys.clone()),
    },
];

/// The name of the household field that lists the members.
pub const MEMBERS: &str = "members";

/// Every field of `household`, `members` included (its value shown as the number of members).
pub static HOUSEHOLD_FIELDS: &[HouseholdField] = &[
    HouseholdField {
        name: "household_type",
        label: "户类型",
        get: |h| code(h.household.household_type),
    },
    HouseholdField {
        name: "monitored",
        label: "是否监测户",
        get: |h| FieldValue::Bool(h.household.monitoring.is_some()),
    },
    HouseholdField {
        name: "monitoring_category",
        label: "监测对象类别",
        get: |h| {
            h.household
                .monitoring
                .map_or(FieldValue::Code("", "非监测对象"), code)
        },
    },
    HouseholdField {
        name: MEMBERS,
        label: "家庭成员人数",
        get: |h| FieldValue::Int(size(h)),
    },
    HouseholdField {
        name: "size",
        label: "家庭人口数",
        get: |h| FieldValue::Int(size(h)),
    },
    HouseholdField {
        name: "wage_income",
        label: "工资性收入",
        get: |h| FieldValue::Money(h.household.income.wage),
    },
    HouseholdField {
        name: "business_income",
        label: "生产经营性收入",
        get: |h| FieldValue::Money(h.household.income.business),
    },
    HouseholdField {
        name: "property_income",
        label: "财产性收入",
        get: |h| FieldValue::Money(h.household.income.property),
    },
    HouseholdField {
        name: "transfer_income",
        label: "转移性收入",
        get: |h| FieldValue::Money(h.household.income.transfer),
    },
    HouseholdField {
        name: "compliant_spending",
        label: "合规自付支出",
        get: |h| FieldValue::Money(h.household.income.compliant_spending),
    },
    HouseholdField {
        name: "net_income",
        label: "家庭纯收入",
        get: |h| FieldValue::Money(h.household.income.net()),
    },
    HouseholdField {
        name: "per_capita_income",
        label: "人均纯收入（按各项收入计算）",
        get: |h| FieldValue::Money(h.household.income.per_capita(h.household.members.len())),
    },
    HouseholdField {
        name: "recorded_per_capita_income",
        label: "人均纯收入（系统登记）",
        get: |h| {
            let income = &h.household.income;
            FieldValue::Money(
                income
                    .recorded_per_capita
                    .unwrap_or_else(|| income.per_capita(h.household.members.len())),
            )
        },
    },
    HouseholdField {
        name: "unsafe_housing",
        label: "是否危房户",
        get: |h| FieldValue::Bool(h.household.housing.unsafe_housing),
    },
    HouseholdField {
        name: "safe_water",
        label: "是否解决安全饮用水",
        get: |h| FieldValue::Bool(h.household.housing.safe_water),
    },
    HouseholdField {
        name: "electricity",
        label: "是否通生活用电",
        get: |h| FieldValue::Bool(h.household.housing.electricity),
    },
    HouseholdField {
        name: "sanitary_toilet",
        label: "是否有卫生厕所",
        get: |h| FieldValue::Bool(h.household.housing.sanitary_toilet),
    },
    HouseholdField {
        name: "hardened_road",
        label: "入户道路是否硬化",
        get: |h| FieldValue::Bool(h.household.housing.hardened_road),
    },
    HouseholdField {
        name: "floor_area",
        label: "住房面积（平方米）",
        get: |h| FieldValue::Int(i64::from(h.household.housing.floor_area_m2)),
    },
    HouseholdField {
        name: "no_labour_support",
        label: "是否整户无劳动能力兜底保障户",
        get: |h| FieldValue::Bool(h.household.no_labour_support),
    },
    HouseholdField {
        name: "measures",
        label: "帮扶措施",
        get: |h| FieldValue::List(h.household.measures.clone()),
    },
    HouseholdField {
        name: "phone",
        label: "户联系电话",
        get: |h| FieldValue::Text(h.household.phone.clone()),
    },
    HouseholdField {
        name: "phone_is_mobile",
        label: "户联系电话是否为11位手机号码",
        get: |h| FieldValue::Bool(is_mobile(&h.household.phone)),
    },
    HouseholdField {
        name: "enjoys",
        label: "全户享受的政策",
        get: |h| FieldValue::List(h.enjoys.clone()),
    },
];

/// Whether a phone number is an 11-digit mainland mobile number (1, then 3–9, then 9 digits).
/// Read as a field because CEL's `matches` compiles its pattern on every call.
pub fn is_mobile(phone: &str) -> bool {
    let b = phone.trim().as_bytes();
    b.len() == 11
        && b[0] == b'1'
        && (b'3'..=b'9').contains(&b[1])
        && b.iter().all(u8::is_ascii_digit)
}

fn size(h: &HouseholdView<'_>) -> i64 {
    i64::try_from(h.household.members.len()).unwrap_or(i64::MAX)
}

/// Looks a person field up by name.
pub fn person_field(name: &str) -> Option<&'static PersonField> {
    PERSON_FIELDS.iter().find(|f| f.name == name)
}

/// Looks a household field up by name.
pub fn household_field(name: &str) -> Option<&'static HouseholdField> {
    HOUSEHOLD_FIELDS.iter().find(|f| f.name == name)
}
