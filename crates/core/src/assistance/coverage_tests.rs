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

/// (rule code, kind expected, change that makes it fire, change that keeps it quiet).
fn cases() -> Vec<(&'static str, FindingKind, Change, Change)> {
    use FindingKind::{DataConflict as Conflict, ShouldEnjoy as Should, WronglyEnjoys as Wrong};
    vec![
        (
            "dibao",
            Should,
            |h, _| poor(h),
            |h, e| {
                poor(h);
                add(e, "dibao", None)
            },
        ),
        ("dibao", Wrong, |_, e| add(e, "dibao", None), |_, _| {}),
        (
            "tekun_centralized",
            Should,
            |h, _| lone_elder(h, true),
            |h, e| {
                lone_elder(h, true);
                add(e, "tekun_centralized", Some("p1"))
            },
        ),
        (
            "tekun_centralized",
            Wrong,
            |_, e| add(e, "tekun_centralized", Some("p1")),
            |h, e| {
                lone_elder(h, true);
                add(e, "tekun_centralized", Some("p1"))
            },
        ),
        (
            "tekun_dispersed",
            Should,
            |h, _| lone_elder(h, false),
            |h, e| {
                lone_elder(h, false);
                add(e, "tekun_dispersed", Some("p1"))
            },
        ),
        (
            "tekun_dispersed",
            Wrong,
            |h, e| {
                lone_elder(h, true);
                add(e, "tekun_dispersed", Some("p1"))
            },
            |_, _| {},
        ),
        (
            "temporary_relief",
            Should,
            |h, _| h.monitoring = Some(MonitoringCategory::SuddenHardship),
            |h, e| {
                h.monitoring = Some(MonitoringCategory::SuddenHardship);
                add(e, "temporary_relief", None)
            },
        ),
        // Relief after the hardship is not reported as wrong.
        (
            "temporary_relief",
            Should,
            |h, _| h.monitoring = Some(MonitoringCategory::SuddenHardship),
            |_, e| add(e, "temporary_relief", None),
        ),
        (
            "disability_living_subsidy",
            Should,
            |h, e| {
                h.members[0].disability_certificate = true;
                add(e, "dibao", None)
            },
            |h, e| {
                h.members[0].disability_certificate = true;
                add(e, "dibao", None);
                add(e, "disability_living_subsidy", Some("p1"))
            },
        ),
        (
            "disability_living_subsidy",
            Wrong,
            |_, e| add(e, "disability_living_subsidy", Some("p1")),
            |h, _| h.members[0].disability_certificate = true,
        ),
        (
            "severe_disability_care",
            Should,
            |h, _| {
                h.members[0].disability_certificate = true;
                h.members[0].disability_grade = Some(DisabilityGrade::Two)
            },
            |h, e| {
                h.members[0].disability_certificate = true;
                h.members[0].disability_grade = Some(DisabilityGrade::One);
                add(e, "severe_disability_care", Some("p1"))
            },
        ),
        (
            "severe_disability_care",
            Wrong,
            |h, e| {
                h.members[0].disability_certificate = true;
                h.members[0].disability_grade = Some(DisabilityGrade::Three);
                add(e, "severe_disability_care", Some("p1"))
            },
            |h, _| {
                h.members[0].disability_certificate = true;
                h.members[0].disability_grade = Some(DisabilityGrade::Three)
            },
        ),
        (
            "yulu",
            Should,
            |h, _| {
                h.household_type = HouseholdType::FormerlyPoor;
                student(h, SchoolStatus::HigherVocational)
            },
            |h, _| student(h, SchoolStatus::HigherVocational),
        ),
        (
            "yulu",
            Wrong,
            |h, e| {
                h.household_type = HouseholdType::FormerlyPoor;
                student(h, SchoolStatus::Senior);
                add(e, "yulu", Some("p2"))
            },
            |h, e| {
                h.monitoring = Some(MonitoringCategory::Marginal);
                student(h, SchoolStatus::VocationalSecondary);
                add(e, "yulu", Some("p2"))
            },
        ),
        (
            "vocational_grant",
            Should,
            |h, e| {
                add(e, "dibao", None);
                student(h, SchoolStatus::VocationalSecondary)
            },
            |h, _| student(h, SchoolStatus::VocationalSecondary),
        ),
        (
            "vocational_grant",
            Wrong,
            |h, e| {
                h.household_type = HouseholdType::FormerlyPoor;
                student(h, SchoolStatus::HigherVocational);
                add(e, "vocational_grant", Some("p2"))
            },
            |_, _| {},
        ),
        (
            "resident_medical",
            Should,
            |_, e| e.retain(|x| x.policy != "resident_medical"),
            |_, _| {},
        ),
        (
            "resident_medical",
            Wrong,
            |h, _| h.members[0].employee_medical_insurance = true,
            |h, e| {
                h.members[0].employee_medical_insurance = true;
                e.clear()
            },
        ),
        (
            "critical_illness",
            Should,
            |h, e| {
                h.household_type = HouseholdType::FormerlyPoor;
                e.retain(|x| x.policy != "critical_illness")
            },
            |_, _| {},
        ),
        (
            "critical_illness",
            Wrong,
            |_, e| e.retain(|x| x.policy != "resident_medical"),
            |h, e| {
                h.members[0].employee_medical_insurance = true;
                e.clear()
            },
        ),
        (
            "family_doctor",
            Should,
            |h, _| h.members[0].chronic_diseases = vec!["糖尿病".into()],
            |h, e| {
                h.members[0].chronic_diseases = vec!["严重精神障碍".into()];
                add(e, "family_doctor", Some("p1"))
            },
        ),
        // Signing with a family doctor while healthy is not wrong.
        (
            "family_doctor",
            Should,
            |h, _| h.members[0].chronic_diseases = vec!["高血压".into()],
            |_, e| add(e, "family_doctor", Some("p1")),
        ),
        (
            "chronic_card",
            Should,
            |h, _| h.members[0].health = Health::Chronic,
            |h, e| {
                h.members[0].health = Health::Chronic;
                add(e, "chronic_card", Some("p1"))
            },
        ),
        (
            "chronic_card",
            Wrong,
            |_, e| add(e, "chronic_card", Some("p1")),
            |h, e| {
                h.members[0].chronic_diseases = vec!["结核病".into()];
                add(e, "chronic_card", Some("p1"))
            },
        ),
        (
            "compulsory_education",
            Should,
            |h, _| h.members.push(member("p2", 2010)),
            |h, _| {
                let mut child = member("p2", 2010);
                child.school_status = SchoolStatus::Primary;
                h.members.push(child)
            },
        ),
        (
            "public_welfare_post",
            Wrong,
            |h, e| {
                h.household_type = HouseholdType::FormerlyPoor;
                h.members[0] = member("p1", 1948);
                add(e, "public_welfare_post", Some("p1"))
            },
            |h, e| {
                h.household_type = HouseholdType::FormerlyPoor;
                add(e, "public_welfare_post", Some("p1"))
            },
        ),
        // Posts are few: an eligible person without one is not reported.
        (
            "public_welfare_post",
            Wrong,
            |_, e| add(e, "public_welfare_post", Some("p1")),
            |h, _| h.household_type = HouseholdType::FormerlyPoor,
        ),
        (
            "disabled_without_certificate",
            Conflict,
            |h, _| h.members[0].health = Health::Disabled,
            |h, _| {
                h.members[0].health = Health::Disabled;
                h.members[0].disability_certificate = true
            },
        ),
        (
            "grade_without_certificate",
            Conflict,
            |h, _| h.members[0].disability_grade = Some(DisabilityGrade::Four),
            |h, _| {
                h.members[0].disability_grade = Some(DisabilityGrade::Four);
                h.members[0].disability_certificate = true
            },
        ),
        (
            "no_labour_without_dibao_or_tekun",
            Conflict,
            |h, _| {
                h.members[0].labour = LabourAbility::NoAbility;
                let mut second = member("p2", 1940);
                second.labour = LabourAbility::Lost;
                h.members.push(second)
            },
            |h, e| {
                h.members[0].labour = LabourAbility::NoAbility;
                add(e, "tekun_dispersed", Some("p1"))
            },
        ),
        (
            "tekun_able_bodied",
            Conflict,
            |_, e| add(e, "tekun_dispersed", Some("p1")),
            |h, e| {
                h.members[0].health = Health::SeriousIllness;
                add(e, "tekun_dispersed", Some("p1"))
            },
        ),
        (
            "post_measure_nobody_works",
            Conflict,
            |h, _| {
                h.measures = vec!["public_welfare_post".into()];
                h.members[0].work_status = WorkStatus::NotWorking
            },
            |h, _| h.measures = vec!["public_welfare_post".into()],
        ),
        (
            "healthy_recorded_weak_labour",
            Conflict,
            |h, _| h.members[0].labour = LabourAbility::Weak,
            |h, _| {
                h.members[0].labour = LabourAbility::Weak;
                h.members[0].health = Health::Chronic
            },
        ),
        (
            "skilled_not_working",
            Conflict,
            |h, _| {
                h.members[0].labour = LabourAbility::Skilled;
                h.members[0].work_status = WorkStatus::NotWorking
            },
            |h, _| h.members[0].labour = LabourAbility::Skilled,
        ),
        (
            "low_monthly_work_income",
            Conflict,
            |h, _| h.members[0].monthly_work_income = 39_999,
            |h, _| h.members[0].monthly_work_income = 40_000,
        ),
        (
            "monitored_income_too_high",
            Conflict,
            |h, _| {
                h.monitoring = Some(MonitoringCategory::Unstable);
                h.income.recorded_per_capita = Some(2_000_001)
            },
            |h, _| {
                h.monitoring = Some(MonitoringCategory::Unstable);
                h.income.recorded_per_capita = Some(2_000_000)
            },
        ),
        (
            "duplicate_id_number",
            Conflict,
            |h, _| {
                let mut twin = member("p2", 1985);
                twin.id_number = h.members[0].id_number.to_lowercase();
                h.members.push(twin)
            },
            |h, _| h.members.push(member("p2", 1985)),
        ),
        (
            "invalid_id_number",
            Conflict,
            |h, _| h.members[0].id_number = "371481198003080000".into(),
            |h, _| {
                let id = h.members[0].id_number.clone();
                h.members[0].id_number = format!("{id}41")
            },
        ),
        (
            "member_phone_not_mobile",
            Conflict,
            |h, _| h.members[0].phone = "0534-6212345".into(),
            |h, _| h.members[0].phone = String::new(),
        ),
        (
            "household_phone_not_mobile",
            Conflict,
            |h, _| h.phone = "1380000000".into(),
            |h, _| h.phone = "19912345678".into(),
        ),
    ]
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
            ("月务工收入", "300.00元"),
            ("是否务工", "是"),
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
