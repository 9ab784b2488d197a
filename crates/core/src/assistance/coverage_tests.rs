//! Tests of the coverage check: for every policy and every data check of the shipped rulebook, a
//! household that makes it fire and one that keeps it quiet.

use super::*;
use crate::assistance::id_number::check_character;
use crate::assistance::registry::{
    DisabilityGrade, Health, IncomeRecord, LabourAbility, MonitoringCategory, SchoolStatus,
    WorkStatus,
};
use crate::assistance::rules::SHANDONG_2020;
use std::collections::BTreeSet;

#[path = "coverage_cases.rs"]
mod cases;
use cases::cases;

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 6, 30).expect("date")
}

fn rules() -> AssistanceRules {
    AssistanceRules::parse(SHANDONG_2020).expect("shipped rulebook loads")
}

fn id_number(birth: NaiveDate, seq: u32) -> String {
    let body = format!("371481{}{seq:03}", birth.format("%Y%m%d"));
    format!("{body}{}", check_character(&body).expect("17 digits"))
}

/// A member born in `year`, healthy, working in the county for 3,000 元 a month.
fn member(id: &str, year: i32) -> PersonFacts {
    let birth = NaiveDate::from_ymd_opt(year, 3, 8).expect("date");
    let seq = id.bytes().map(u32::from).sum::<u32>() % 1000;
    PersonFacts {
        work_status: WorkStatus::InCounty,
        monthly_work_income: 300_000,
        phone: "13912345678".to_owned(),
        ..PersonFacts::new(id, id_number(birth, seq), birth, Sex::Male)
    }
}

fn enjoys(policy: &str, person: Option<&str>) -> EnjoymentFacts {
    EnjoymentFacts {
        policy: policy.to_owned(),
        household_id: "h1".to_owned(),
        person_id: person.map(str::to_owned),
        from: NaiveDate::from_ymd_opt(2020, 1, 1).expect("date"),
        to: None,
        amount: 0,
        source: Department::CivilAffairs,
    }
}

/// A household no rule complains about: one working adult of 40, insured, a good income.
fn quiet() -> (HouseholdFacts, Vec<EnjoymentFacts>) {
    let household = HouseholdFacts {
        id: "h1".to_owned(),
        household_type: HouseholdType::Ordinary,
        monitoring: None,
        members: vec![member("p1", 1980)],
        income: IncomeRecord {
            wage: 3_600_000,
            ..Default::default()
        },
        housing: Default::default(),
        no_labour_support: false,
        measures: Vec::new(),
        phone: "13800000000".to_owned(),
    };
    let enjoyments = vec![
        enjoys("resident_medical", Some("p1")),
        enjoys("critical_illness", Some("p1")),
    ];
    (household, enjoyments)
}

type Change = fn(&mut HouseholdFacts, &mut Vec<EnjoymentFacts>);

fn poor(h: &mut HouseholdFacts) {
    h.income = IncomeRecord::default();
}

fn lone_elder(h: &mut HouseholdFacts, in_institution: bool) {
    poor(h);
    let p = &mut h.members[0];
    *p = member("p1", 1945);
    p.work_status = WorkStatus::NotWorking;
    p.monthly_work_income = 0;
    p.labour = LabourAbility::Lost;
    p.in_care_institution = in_institution;
}

fn student(h: &mut HouseholdFacts, status: SchoolStatus) {
    let mut child = member("p2", 2003);
    child.school_status = status;
    child.work_status = WorkStatus::NotWorking;
    child.monthly_work_income = 0;
    h.members.push(child);
}

fn add(e: &mut Vec<EnjoymentFacts>, policy: &str, person: Option<&str>) {
    e.push(enjoys(policy, person));
}

fn run(change: Change) -> Vec<Finding> {
    let (mut household, mut enjoyments) = quiet();
    change(&mut household, &mut enjoyments);
    let index = RegistryIndex::build([&household]);
    check_household(&rules(), &household, &enjoyments, &index, day())
}

#[test]
fn the_quiet_household_is_quiet() {
    assert_eq!(run(|_, _| {}), Vec::new());
}

#[test]
fn every_rule_fires_on_one_household_and_keeps_quiet_on_another() {
    for (code, kind, fire, keep_quiet) in cases() {
        let fired = run(fire);
        assert!(
            fired.iter().any(|f| f.rule_code == code && f.kind == kind),
            "{code} should give {kind:?}: {fired:#?}"
        );
        let quiet = run(keep_quiet);
        assert!(
            !quiet.iter().any(|f| f.rule_code == code),
            "{code} should keep quiet: {quiet:#?}"
        );
        assert!(
            !fired
                .iter()
                .chain(&quiet)
                .any(|f| f.kind == FindingKind::RuleError),
            "{code}: a rule could not run"
        );
    }
}

#[test]
fn every_rule_of_the_shipped_rulebook_has_a_case() {
    let rules = rules();
    let shipped: BTreeSet<&str> = rules
        .policies
        .iter()
        .map(|p| p.code.as_str())
        .chain(rules.checks.iter().map(|c| c.code.as_str()))
        .collect();
    let tested: BTreeSet<&str> = cases().iter().map(|c| c.0).collect();
    assert_eq!(shipped, tested);
}

#[test]
fn a_finding_says_who_why_and_whose_job_it_is() {
    let findings = run(|h, e| {
        poor(h);
        h.members[0].monthly_work_income = 30_000;
        add(e, "dibao", None);
        e.retain(|x| x.policy != "resident_medical" && x.policy != "critical_illness");
    });
    let codes: Vec<(&str, FindingKind)> = findings
        .iter()
        .map(|f| (f.rule_code.as_str(), f.kind))
        .collect();
    assert_eq!(
        codes,
        [
            ("resident_medical", FindingKind::ShouldEnjoy),
            ("low_monthly_work_income", FindingKind::DataConflict),
        ]
    );
    let should = &findings[0];
    assert_eq!(should.person_ids, ["p1"]);
    assert_eq!(should.department, Department::MedicalInsurance);
    assert_eq!(should.message, "符合“居民医保”的条件，但没有享受记录");
    assert_eq!(should.fields[0].name, "person.employee_medical_insurance");
    assert_eq!(should.fields[0].value, "否");
    let low = &findings[1];
    assert_eq!(low.message, "务工月收入300.00元，低于400.00元");
    let shown: Vec<(&str, &str)> = low
        .fields
        .iter()
        .map(|f| (f.label.as_str(), f.value.as_str()))
        .collect();
    assert_eq!(
        shown,
        [
            ("是否务工", "是"),
            ("月务工收入", "300.00元"),
            ("标准 min_monthly_work_income", "400.00元"),
        ]
    );
}

#[test]
fn household_findings_name_the_household_and_the_enjoyers() {
    let should = run(|h, _| poor(h));
    let dibao = should
        .iter()
        .find(|f| f.rule_code == "dibao")
        .expect("dibao");
    assert!(dibao.person_ids.is_empty());
    assert_eq!(dibao.household_id, "h1");
    assert_eq!(dibao.fields[0].label, "人均纯收入（按各项收入计算）");
    assert_eq!(dibao.fields[0].value, "0.00元");
    assert_eq!(dibao.fields[1].label, "标准 dibao_monthly");
    let wrong = run(|_, e| add(e, "dibao", Some("p1")));
    let dibao = wrong
        .iter()
        .find(|f| f.rule_code == "dibao")
        .expect("dibao");
    assert_eq!(dibao.kind, FindingKind::WronglyEnjoys);
    assert_eq!(dibao.person_ids, ["p1"]);
    let members = run(|h, _| {
        h.members[0].labour = LabourAbility::NoAbility;
        h.members.push(PersonFacts {
            labour: LabourAbility::Lost,
            ..member("p2", 1950)
        });
    });
    let check = members
        .iter()
        .find(|f| f.rule_code == "no_labour_without_dibao_or_tekun")
        .expect("fires");
    assert_eq!(
        check.message,
        "全户2人均无劳动能力，但无人享受低保或特困供养"
    );
    let labour = check
        .fields
        .iter()
        .find(|f| f.name == "household.members.labour")
        .expect("member field shown");
    assert_eq!(labour.value, "无劳动力、丧失劳动力");
}

#[test]
fn enjoyments_count_only_on_the_days_they_cover() {
    let ended = run(|h, e| {
        poor(h);
        let mut old = enjoys("dibao", None);
        old.to = NaiveDate::from_ymd_opt(2020, 6, 29);
        e.push(old);
    });
    assert!(ended.iter().any(|f| f.rule_code == "dibao"));
    let other_household = run(|h, e| {
        poor(h);
        let mut theirs = enjoys("dibao", None);
        theirs.household_id = "h2".into();
        e.push(theirs);
    });
    assert!(other_household.iter().any(|f| f.rule_code == "dibao"));
    let unknown_policy = run(|_, e| add(e, "no_such_policy", Some("p1")));
    assert_eq!(unknown_policy, Vec::new());
}

#[test]
fn the_same_id_in_two_households_is_found_in_both() {
    let (first, enjoyments) = quiet();
    let mut second = first.clone();
    second.id = "h2".into();
    second.members[0].id = "q1".into();
    let findings = check_registry(&rules(), &[first, second], &enjoyments, day());
    let duplicates: Vec<(&str, &[String])> = findings
        .iter()
        .filter(|f| f.rule_code == "duplicate_id_number")
        .map(|f| (f.household_id.as_str(), f.person_ids.as_slice()))
        .collect();
    assert_eq!(duplicates.len(), 2);
    assert_eq!(duplicates[0].0, "h1");
    assert_eq!(duplicates[1], ("h2", &["q1".to_owned()][..]));
}

#[test]
fn findings_come_in_a_fixed_order() {
    let change: Change = |h, e| {
        poor(h);
        h.phone = String::new();
        h.members.push(member("p2", 2012));
        h.members[0].health = Health::Disabled;
        e.clear();
    };
    let first = run(change);
    for _ in 0..5 {
        assert_eq!(run(change), first);
    }
    let kinds: Vec<FindingKind> = first.iter().map(|f| f.kind).collect();
    let mut sorted = kinds.clone();
    sorted.sort_by_key(|k| FindingKind::ALL.iter().position(|x| x == k));
    assert_eq!(kinds, sorted);
}

#[test]
fn a_finding_serialises_with_codes() {
    let findings = run(|h, _| h.members[0].health = Health::Disabled);
    let json = serde_json::to_value(&findings[0]).expect("serialises");
    assert_eq!(json["kind"], "data_conflict");
    assert_eq!(json["rule_code"], "disabled_without_certificate");
    assert_eq!(json["department"], "disabled_persons");
    assert_eq!(json["fields"][0]["label"], "健康状况");
    assert_eq!(json["fields"][0]["value"], "残疾");
}
