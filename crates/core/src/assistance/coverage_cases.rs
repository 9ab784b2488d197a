//! The table of the coverage-check tests: for every rule of the shipped rulebook, a change to the
//! quiet household that makes it fire and one that keeps it quiet.

use super::*;

/// (rule code, kind expected, change that makes it fire, change that keeps it quiet).
pub(super) fn cases() -> Vec<(&'static str, FindingKind, Change, Change)> {
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
