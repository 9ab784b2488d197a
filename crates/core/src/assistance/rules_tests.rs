//! Tests of the assistance rulebook loader: the shipped file loads, and bad files are refused
//! with the code of the rule at fault.

use super::*;

#[test]
fn the_shipped_rulebook_loads() {
    let rules = AssistanceRules::parse(SHANDONG_2020).expect("shipped rulebook loads");
    assert_eq!(rules.province, "370000");
    assert_eq!(rules.amounts["dibao_monthly"], 28_500);
    assert_eq!(
        rules
            .policy("tekun_centralized")
            .and_then(|p| p.benefit.amount),
        Some(468_000)
    );
    assert!(rules.policies.len() >= 14, "{}", rules.policies.len());
    assert!(AssistanceRules::shipped("assistance-shandong-2020").is_some());
}

const HEADER: &str = r#"
name = "t"
title = "测试"
province = "370000"
year = 2020
[amounts]
line = "285"
"#;

fn policy(code: &str, scope: &str, eligible: &str) -> String {
    format!(
        "[[policies]]\ncode = \"{code}\"\nname = \"政策{code}\"\ndepartment = \"civil_affairs\"\n\
         scope = \"{scope}\"\neligible = '''{eligible}'''\nbenefit = {{ text = \"补助\" }}\n"
    )
}

fn check(code: &str, scope: &str, fires: &str, message: &str) -> String {
    format!(
        "[[checks]]\ncode = \"{code}\"\nname = \"核查{code}\"\ndepartment = \"health\"\n\
         scope = \"{scope}\"\nfires = '''{fires}'''\nmessage = \"{message}\"\n"
    )
}

fn load(body: &str) -> Result<AssistanceRules, AssistanceRulebookError> {
    AssistanceRules::parse(&format!("{HEADER}\n{body}"))
}

fn refusal(body: &str) -> AssistanceRulebookError {
    load(body).expect_err("should be refused")
}

fn expression_refusal(body: &str) -> (String, String) {
    match refusal(body) {
        AssistanceRulebookError::Expression { code, reason } => (code, reason),
        other => panic!("expected an expression error, got {other:?}"),
    }
}

#[test]
fn a_small_rulebook_loads_and_records_what_it_reads() {
    let rules = load(&format!(
        "{}{}",
        policy(
            "p",
            "person",
            "person.age >= 60 && household.per_capita_income < amounts.line * 12"
        ),
        check(
            "c",
            "household",
            "household.members.exists(m, m.labour == 'none')",
            "共{household.size}人"
        ),
    ))
    .expect("loads");
    let reads: Vec<String> = rules.policies[0]
        .eligible
        .reads
        .iter()
        .map(|r| r.name())
        .collect();
    assert_eq!(
        reads,
        ["person.age", "household.per_capita_income", "amounts.line"]
    );
    let reads: Vec<String> = rules.checks[0]
        .fires
        .reads
        .iter()
        .map(|r| r.name())
        .collect();
    assert_eq!(reads, ["household.members.labour"]);
    assert!(rules.policies[0].report_should_enjoy && rules.policies[0].report_wrongly_enjoys);
}

#[test]
fn an_expression_that_does_not_parse_is_refused_with_its_code() {
    let (code, reason) = expression_refusal(&policy("broken", "person", "person.age >= "));
    assert_eq!(code, "broken");
    assert!(reason.starts_with("表达式无法解析"), "{reason}");
    let (code, _) = expression_refusal(&policy("empty", "person", "  "));
    assert_eq!(code, "empty");
}

#[test]
fn an_unknown_field_or_name_is_refused_with_its_code() {
    let cases = [
        (
            policy("p1", "person", "person.agee > 3"),
            "“person”没有字段“agee”",
        ),
        (
            policy("p2", "person", "household.members.all(m, m.salary > 0)"),
            "“m”没有字段“salary”",
        ),
        (
            policy("p3", "person", "amounts.nothing > 0"),
            "未定义的标准“amounts.nothing”",
        ),
        (
            policy("p4", "person", "citizen.age > 3"),
            "未知的名称“citizen”",
        ),
        (policy("p5", "household", "person.age > 3"), "家庭规则"),
        (
            check("c1", "person", "household.colour == 'red'", "x"),
            "“household”没有字段“colour”",
        ),
    ];
    for (body, want) in cases {
        let (code, reason) =
            expression_refusal(&format!("{}{body}", policy("ok", "person", "true")));
        assert!(code.starts_with('p') || code.starts_with('c'), "{code}");
        assert!(reason.contains(want), "{code}: {reason}");
    }
}

#[test]
fn an_expression_that_cannot_run_is_refused_when_loading() {
    let (code, reason) = expression_refusal(&policy("p", "person", "person.age"));
    assert_eq!(code, "p");
    assert!(reason.contains("结果应为真或假"), "{reason}");
    let (code, _) = expression_refusal(&policy("q", "person", "person.age > 'sixty'"));
    assert_eq!(code, "q");
    let (code, _) = expression_refusal(&policy("r", "person", "no_such_function(person.age)"));
    assert_eq!(code, "r");
}

#[test]
fn duplicate_codes_are_refused() {
    let body = format!(
        "{}{}",
        policy("same", "person", "true"),
        check("same", "person", "false", "x")
    );
    assert_eq!(
        refusal(&body),
        AssistanceRulebookError::DuplicateCode("same".into())
    );
    assert_eq!(refusal(&body).to_string(), "规则代码 same 重复");
}

#[test]
fn bad_amounts_are_refused() {
    let text = format!(
        "{HEADER}bad = \"12.345\"\n{}",
        policy("p", "person", "true")
    );
    match AssistanceRules::parse(&text) {
        Err(AssistanceRulebookError::Amount { place, text, .. }) => {
            assert_eq!((place.as_str(), text.as_str()), ("amounts.bad", "12.345"));
        }
        other => panic!("{other:?}"),
    }
    let body =
        policy("p", "person", "true").replace("{ text = \"补助\" }", "{ amount = \"两百\" }");
    assert!(
        matches!(refusal(&body), AssistanceRulebookError::Amount { place, .. } if place == "p")
    );
    let negative =
        policy("p", "person", "true").replace("{ text = \"补助\" }", "{ amount = \"-5\" }");
    assert!(matches!(
        refusal(&negative),
        AssistanceRulebookError::Amount { .. }
    ));
}

#[test]
fn other_mistakes_are_refused_with_the_code() {
    let cases = [
        policy("p", "person", "true").replace("civil_affairs", "police"),
        policy("p", "family", "true"),
        policy("p", "person", "true").replace("{ text = \"补助\" }", "{ per = \"月\" }"),
        policy("P-1", "person", "true"),
        check("c", "person", "true", "{person.nothing}"),
        check("c", "person", "true", "未闭合{person.age"),
    ];
    for body in cases {
        let err = refusal(&format!("{}{body}", policy("ok", "person", "true")));
        assert!(
            matches!(&err, AssistanceRulebookError::Rule { code, .. } if code != "ok"),
            "{body}: {err:?}"
        );
    }
    assert!(matches!(
        refusal("x = 1"),
        AssistanceRulebookError::Syntax(_)
    ));
    assert!(matches!(
        AssistanceRules::parse(&HEADER.replace("370000", "37")),
        Err(AssistanceRulebookError::Syntax(_) | AssistanceRulebookError::Rule { .. })
    ));
}

#[test]
fn a_department_reads_the_fields_of_its_own_rules_only() {
    use crate::assistance::registry::Department;
    let rules = AssistanceRules::shipped("assistance-shandong-2020")
        .expect("shipped")
        .expect("loads");
    let civil = rules.fields_read_by(Department::CivilAffairs);
    assert!(
        civil.contains("per_capita_income") && civil.contains("labour"),
        "{civil:?}"
    );
    assert!(
        !civil.contains("education"),
        "民政 has no rule on schooling: {civil:?}"
    );
    let people = rules.fields_read_by(Department::HumanResources);
    assert!(people.contains("education"), "{people:?}");
}
