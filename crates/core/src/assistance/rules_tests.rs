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
