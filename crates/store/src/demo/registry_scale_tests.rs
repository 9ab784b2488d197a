//! The generator on its own (no database): the shares at full size, valid and unique IDs, and
//! the coverage check run in memory finding every seeded problem and nothing else.

use super::*;
use crate::POLICY_CHECK_RULEBOOK;
use jixiao_core::assistance::record::StoredPerson;
use jixiao_core::assistance::{
    AssistanceRules, EnjoymentFacts, IdNumber, RegistryIndex, check_household,
};
use std::collections::{BTreeSet, HashSet};

/// The rules found per household (户编号), by the core check over the generated registry as
/// the store would read it.
pub(super) fn findings(registry: &ScaleRegistry) -> BTreeMap<String, BTreeSet<String>> {
    let rules = AssistanceRules::shipped(POLICY_CHECK_RULEBOOK)
        .expect("the rulebook is shipped")
        .expect("the rulebook reads");
    let day = as_of();
    let mut facts = Vec::new();
    let mut enjoyments: HashMap<String, Vec<EnjoymentFacts>> = HashMap::new();
    let mut household_of: HashMap<&str, &str> = HashMap::new();
    for h in &registry.households {
        let members: Vec<StoredPerson> = h
            .members
            .iter()
            .map(|p| StoredPerson {
                id: p.resident_id.clone(),
                id_number: p.id_number.clone(),
                relation: p.relation,
                sex: p.sex,
                birth_date: p.birth_date,
                disability_certificate: p.id_type == "disability_certificate",
                record: p.record.clone(),
            })
            .collect();
        let own = enjoyments.entry(h.number.clone()).or_default();
        for m in &members {
            own.extend(m.flag_enjoyments(&h.number, day));
            household_of.insert(&h.members[0].resident_id, &h.number);
        }
        for p in &h.members {
            household_of.insert(&p.resident_id, &h.number);
        }
        facts.push(
            h.record
                .facts(&h.number, h.household_type, &h.phone, &members, h.income),
        );
    }
    let household_scope = ["dibao", "temporary_relief"];
    for e in &registry.enjoyments {
        let household = household_of[e.resident_id.as_str()];
        enjoyments
            .entry(household.to_owned())
            .or_default()
            .push(EnjoymentFacts {
                policy: e.policy.to_owned(),
                household_id: household.to_owned(),
                person_id: (!household_scope.contains(&e.policy)).then(|| e.resident_id.clone()),
                from: e.from,
                to: e.to,
                amount: e.amount_fen,
                source: e.department,
            });
    }
    let index = RegistryIndex::build(&facts);
    let mut out = BTreeMap::new();
    for h in &facts {
        let own = enjoyments.get(&h.id).map_or(&[][..], Vec::as_slice);
        let found: BTreeSet<String> = check_household(&rules, h, own, &index, day)
            .into_iter()
            .map(|f| f.rule_code)
            .collect();
        if !found.is_empty() {
            out.insert(h.id.clone(), found);
        }
    }
    out
}

/// Every seeded problem is found, and nothing else is found anywhere.
fn assert_found_exactly_the_seeded(registry: &ScaleRegistry) {
    let found = findings(registry);
    let seeded: HashMap<&str, Problem> = registry
        .seeded
        .iter()
        .map(|s| (s.household.as_str(), s.problem))
        .collect();
    let mut wrong = Vec::new();
    for s in &registry.seeded {
        let rules = found.get(&s.household);
        if !rules.is_some_and(|r| r.contains(s.problem.rule())) {
            wrong.push(format!(
                "{:?} in {}: found {rules:?}",
                s.problem, s.household
            ));
        }
    }
    for (household, rules) in &found {
        match seeded.get(household.as_str()) {
            None => wrong.push(format!("{household}: nothing seeded, found {rules:?}")),
            Some(problem) => {
                for rule in rules {
                    if rule != problem.rule() && !problem.also().contains(&rule.as_str()) {
                        wrong.push(format!("{problem:?} in {household} also gives {rule}"));
                    }
                }
            }
        }
    }
    if let Some(first) = wrong.first() {
        let household = first.split([' ', ':']).find(|w| w.starts_with("371481"));
        let detail = household
            .and_then(|n| registry.households.iter().find(|h| h.number == n))
            .map(|h| format!("{h:#?}"))
            .unwrap_or_default();
        panic!(
            "{} wrong:\n{}\n{detail}",
            wrong.len(),
            wrong
                .iter()
                .take(40)
                .cloned()
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

#[test]
fn the_same_size_gives_the_same_registry() {
    let a = generate_small(120);
    let b = generate_small(120);
    assert_eq!(a.households, b.households);
    assert_eq!(a.enjoyments, b.enjoyments);
    assert_eq!(a.seeded, b.seeded);
}

#[test]
fn ids_are_valid_unique_and_agree_with_birth_date_and_sex() {
    let registry = generate_small(600);
    let mut seen = HashSet::new();
    for h in &registry.households {
        let heads = h
            .members
            .iter()
            .filter(|p| p.relation == Relation::Householder)
            .count();
        assert_eq!(heads, 1, "{}", h.number);
        assert_eq!(h.members[0].relation, Relation::Householder);
        for p in &h.members {
            let id = IdNumber::parse(&p.resident_id, as_of()).expect("a valid ID");
            assert_eq!(id.birth_date(), p.birth_date);
            assert_eq!(id.sex(), p.sex);
            assert!(
                seen.insert(p.resident_id.clone()),
                "{} twice",
                p.resident_id
            );
            if p.id_type == "disability_certificate" {
                assert_eq!(p.id_number.len(), 20);
                assert!(p.id_number.starts_with(&p.resident_id));
            } else {
                assert_eq!(p.id_number, p.resident_id);
            }
        }
    }
}

#[test]
fn a_small_registry_has_every_problem_and_the_check_finds_exactly_them() {
    let registry = generate_small(400);
    let kinds: BTreeSet<Problem> = registry.seeded.iter().map(|s| s.problem).collect();
    assert_eq!(kinds.len(), Problem::ALL.len(), "{kinds:?}");
    assert_found_exactly_the_seeded(&registry);
}

#[test]
fn the_full_registry_has_leling_s_shares_and_the_check_finds_exactly_the_seeded() {
    let registry = generate(1);
    let households = registry.households.len();
    assert_eq!(households, HOUSEHOLDS);
    assert_eq!(registry.people(), PEOPLE);
    let share = |n: usize| n as f64 / households as f64;
    let singles = registry
        .households
        .iter()
        .filter(|h| h.members.len() == 1)
        .count();
    assert!((share(singles) - 0.44).abs() < 0.002, "{}", share(singles));
    let ill = registry
        .households
        .iter()
        .filter(|h| {
            h.members
                .iter()
                .any(|p| p.record.health.is_some_and(|x| x != Health::Healthy))
        })
        .count();
    assert!((share(ill) - 0.85).abs() < 0.01, "{}", share(ill));
    let cause = registry
        .households
        .iter()
        .filter(|h| {
            h.members[0]
                .record
                .columns
                .get("主要致贫原因")
                .is_some_and(|c| c == "因病" || c == "因残")
        })
        .count();
    assert_eq!(
        cause, ill,
        "the cause says illness or disability where there is one"
    );
    let seeded = share(registry.seeded.len());
    assert!((0.06..0.08).contains(&seeded), "{seeded}");
    let monitored = registry
        .households
        .iter()
        .filter(|h| h.record.monitoring.is_some())
        .map(|h| h.members.len())
        .sum::<usize>();
    assert!(monitored <= 1_000, "{monitored} monitored people");
    let villages: HashSet<&str> = registry
        .households
        .iter()
        .map(|h| h.village.as_str())
        .collect();
    assert_eq!(registry.villages.len(), KEY_VILLAGES);
    assert!(villages.len() >= KEY_VILLAGES + 15 * DEMO_VILLAGES_PER_TOWNSHIP - 5);
    assert_found_exactly_the_seeded(&registry);
}
