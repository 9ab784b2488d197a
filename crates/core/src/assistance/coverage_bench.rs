//! A benchmark of the coverage check (run by hand, prints figures, asserts nothing about time):
//! `cargo test -p jixiao-core --release --lib assistance::coverage::bench -- --ignored --nocapture`

use super::*;
use crate::assistance::registry::{
    Education, Health, LabourAbility, Relation, SchoolStatus, WorkStatus,
};
use std::time::Instant;

/// The shipped rulebook with every rule repeated under a second code: about 54 rules.
fn doubled_rulebook() -> String {
    let text = super::super::rules::SHANDONG_2020;
    let start = text.find("[[policies]]").expect("policies");
    let copy = text[start..].replace("code = \"", "code = \"copy_");
    format!("{text}\n{copy}")
}

/// 6,772 households, 13,000 people, with varied facts.
fn registry(day: NaiveDate) -> (Vec<HouseholdFacts>, Vec<EnjoymentFacts>) {
    let mut households = Vec::new();
    let mut enjoyments = Vec::new();
    let mut person_no = 0u32;
    for h in 0..6_772u32 {
        let size = if h % 3 == 0 {
            1
        } else if h % 3 == 1 {
            2
        } else {
            3
        };
        let mut members = Vec::new();
        for m in 0..size {
            if person_no >= 13_000 {
                break;
            }
            person_no += 1;
            let year = 1930 + (person_no % 90) as i32;
            let birth = NaiveDate::from_ymd_opt(year, 1 + person_no % 12, 1 + person_no % 28)
                .expect("date");
            let body = format!("371481{}{:03}", birth.format("%Y%m%d"), person_no % 1000);
            let check = crate::assistance::id_number::check_character(&body).expect("digits");
            let mut p = PersonFacts::new(
                format!("p{person_no}"),
                format!("{body}{check}"),
                birth,
                Sex::ALL[(person_no % 2) as usize],
            );
            p.relation = if m == 0 {
                Relation::Householder
            } else {
                Relation::Son
            };
            p.health = Health::ALL[(person_no % 4) as usize];
            p.labour = LabourAbility::ALL[(person_no % 5) as usize];
            p.work_status = WorkStatus::ALL[(person_no % 5) as usize];
            p.school_status = SchoolStatus::ALL[(person_no % 8) as usize];
            p.education = Education::ALL[(person_no % 8) as usize];
            p.disability_certificate = person_no.is_multiple_of(7);
            p.monthly_work_income = i64::from(person_no % 5000) * 100;
            p.phone = format!("13{:09}", person_no);
            if person_no.is_multiple_of(5) {
                p.chronic_diseases.push("高血压".to_owned());
            }
            if person_no.is_multiple_of(4) {
                enjoyments.push(EnjoymentFacts {
                    policy: "resident_medical".to_owned(),
                    household_id: format!("h{h}"),
                    person_id: Some(p.id.clone()),
                    from: day - chrono::Days::new(100),
                    to: None,
                    amount: 0,
                    source: Department::MedicalInsurance,
                });
            }
            members.push(p);
        }
        if members.is_empty() {
            break;
        }
        if h % 5 == 0 {
            enjoyments.push(EnjoymentFacts {
                policy: "dibao".to_owned(),
                household_id: format!("h{h}"),
                person_id: None,
                from: day - chrono::Days::new(30),
                to: None,
                amount: 28_500,
                source: Department::CivilAffairs,
            });
        }
        households.push(HouseholdFacts {
            id: format!("h{h}"),
            household_type: if h % 2 == 0 {
                HouseholdType::FormerlyPoor
            } else {
                HouseholdType::Ordinary
            },
            monitoring: None,
            members,
            income: crate::assistance::registry::IncomeRecord {
                wage: i64::from(h % 20) * 100_000,
                ..Default::default()
            },
            housing: Default::default(),
            no_labour_support: false,
            measures: Vec::new(),
            phone: format!("1390000{:04}", h),
        });
    }
    (households, enjoyments)
}

#[test]
#[ignore = "a benchmark: run by hand with --release --ignored --nocapture"]
fn bench() {
    let day = NaiveDate::from_ymd_opt(2020, 6, 30).expect("date");
    let started = Instant::now();
    let rules = AssistanceRules::parse(&doubled_rulebook()).expect("doubled rulebook loads");
    let loaded = started.elapsed();
    let rule_count = rules.policies.len() + rules.checks.len();
    let (households, enjoyments) = registry(day);
    let people: usize = households.iter().map(|h| h.members.len()).sum();
    let mut best = std::time::Duration::MAX;
    let mut findings = 0;
    for _ in 0..3 {
        let started = Instant::now();
        findings = check_registry(&rules, &households, &enjoyments, day).len();
        best = best.min(started.elapsed());
    }
    println!(
        "assistance coverage check: {} households, {people} people, {rule_count} rules: \
         {:.0} ms (best of 3), {findings} findings; rulebook load {:.1} ms",
        households.len(),
        best.as_secs_f64() * 1000.0,
        loaded.as_secs_f64() * 1000.0,
    );
}

#[test]
#[ignore = "a benchmark: run by hand with --release --ignored --nocapture"]
fn bench_parts() {
    let day = NaiveDate::from_ymd_opt(2020, 6, 30).expect("date");
    let (households, enjoyments) = registry(day);
    let one = "name = \"x\"\ntitle = \"x\"\nprovince = \"370000\"\nyear = 2020\n[[policies]]\ncode = \"p\"\nname = \"p\"\ndepartment = \"health\"\nscope = \"person\"\neligible = \"person.age > 200\"\nbenefit = { text = \"x\" }\n";
    let rules = AssistanceRules::parse(one).expect("loads");
    let started = Instant::now();
    let n = check_registry(&rules, &households, &enjoyments, day).len();
    println!(
        "one quiet rule: {:.0} ms ({n})",
        started.elapsed().as_secs_f64() * 1000.0
    );
}
