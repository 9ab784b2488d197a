//! The Leling-scale registry, small: deterministic, IDs valid and unique with one 户主 a
//! household, written as the national export and read back unchanged, stored through the
//! import paths (a second import changes nothing), and the coverage check finding every seeded
//! problem and nothing on the households without one.

use crate::support::TestResult;
use jixiao_core::Actor;
use jixiao_core::assistance::IdNumber;
use jixiao_core::assistance::registry::Relation;
use jixiao_interop::household_export;
use jixiao_store::demo::registry_scale::{self, Problem};
use jixiao_store::test_support::TestDatabase;
use jixiao_store::{FindingFilter, ImportChangeKind};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

const HOUSEHOLDS: usize = 300;

#[test]
fn the_generator_is_deterministic_and_its_ids_are_valid_and_unique() {
    let registry = registry_scale::generate_small(HOUSEHOLDS);
    let again = registry_scale::generate_small(HOUSEHOLDS);
    assert_eq!(registry.households, again.households);
    assert_eq!(registry.enjoyments, again.enjoyments);
    assert_eq!(registry.seeded, again.seeded);
    let mut ids = HashSet::new();
    let mut numbers = HashSet::new();
    for h in &registry.households {
        assert!(numbers.insert(h.number.clone()), "{} twice", h.number);
        let heads = h
            .members
            .iter()
            .filter(|p| p.relation == Relation::Householder)
            .count();
        assert_eq!(heads, 1, "one 户主 in {}", h.number);
        for p in &h.members {
            let id = IdNumber::parse(&p.resident_id, registry_scale::as_of())
                .expect("a valid resident ID");
            assert_eq!((id.birth_date(), id.sex()), (p.birth_date, p.sex));
            assert!(ids.insert(p.resident_id.clone()), "{} twice", p.resident_id);
        }
    }
}

#[test]
fn the_registry_reads_back_from_the_national_export_unchanged() {
    let registry = registry_scale::generate_small(HOUSEHOLDS);
    let bytes = household_export::write_xlsx(&registry.households, "人员信息表", "乐陵市")
        .expect("the export is written");
    let file = household_export::read(&bytes, registry_scale::as_of()).expect("it reads");
    assert!(file.errors.is_empty(), "{:?}", file.errors);
    assert_eq!(file.households.len(), registry.households.len());
    for (read, written) in file.households.iter().zip(&registry.households) {
        assert_eq!(read, written);
    }
}

#[tokio::test]
async fn stored_the_coverage_check_finds_every_seeded_problem_and_nothing_else() -> TestResult {
    let db = TestDatabase::new().await?;
    let store = &db.store;
    jixiao_store::demo::load_base(store).await?;
    jixiao_store::demo::registry::load_tree(store).await?;
    let registry = registry_scale::generate_small(HOUSEHOLDS);
    let stored = registry_scale::store_registry(store, &registry).await?;
    assert_eq!(stored.households, HOUSEHOLDS);
    assert_eq!(stored.people, registry.people());
    assert_eq!(stored.enjoyments, registry.enjoyments.len());

    let office = store.user(&Actor::system(), "bangfu").await?.actor();
    let as_of = registry_scale::as_of();
    let again = store
        .import_households(&office, &registry.households, &[], as_of, false)
        .await?;
    assert_eq!(again.counts.unchanged_households, HOUSEHOLDS);
    assert!(
        again
            .changes
            .iter()
            .all(|c| c.kind == ImportChangeKind::AbsentHousehold),
        "the same registry again changes nothing"
    );

    let run = store.run_policy_check(&office, None, as_of).await?;
    let mut found: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for page in 1.. {
        let (rows, _) = store
            .policy_check_findings(&office, run, &FindingFilter::default(), page, 200)
            .await?;
        if rows.is_empty() {
            break;
        }
        for f in rows {
            found
                .entry(f.household_number)
                .or_default()
                .insert(f.rule_code);
        }
    }
    let seeded: HashMap<&str, Problem> = registry
        .seeded
        .iter()
        .map(|s| (s.household.as_str(), s.problem))
        .collect();
    let kinds: BTreeSet<Problem> = seeded.values().copied().collect();
    assert_eq!(kinds.len(), Problem::ALL.len(), "every kind is seeded");
    for s in &registry.seeded {
        let rules = found.get(&s.household);
        assert!(
            rules.is_some_and(|r| r.contains(s.problem.rule())),
            "{:?} in {}: {rules:?}",
            s.problem,
            s.household
        );
    }
    for (household, rules) in &found {
        let problem = seeded
            .get(household.as_str())
            .ok_or_else(|| format!("{household} has nothing seeded but {rules:?}"))?;
        for rule in rules {
            assert!(
                rule == problem.rule() || problem.also().contains(&rule.as_str()),
                "{problem:?} in {household} also gives {rule}"
            );
        }
    }
    Ok(())
}
