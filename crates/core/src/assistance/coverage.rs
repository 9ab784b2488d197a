//! The coverage check (政策落实核查): every policy and data check of the assistance rulebook run
//! over a household on a day, giving who should enjoy a policy and does not (应享未享), who enjoys
//! one without qualifying (不应享而享), and data that cannot be right (数据矛盾). Pure: the caller
//! passes the facts, the enjoyments and the day.
//!
//! The household's CEL values are built once; each member is layered on top in a child scope
//! and every compiled person rule is evaluated against it.

use super::binding::{self, RegistryIndex};
use super::context::{HouseholdView, PersonView};
use super::expression::{Expression, FieldShown, Scope};
use super::registry::{
    Department, EnjoymentFacts, HouseholdFacts, HouseholdType, PersonFacts, Sex,
};
use super::rules::{AssistanceRulebookError, AssistanceRules};
use crate::vocabulary;
use cel::{Context, Value};
use chrono::NaiveDate;
use std::collections::HashMap;

vocabulary! {
    /// What a finding says.
    pub enum FindingKind {
        /// Eligible, and no enjoyment covers the day.
        ShouldEnjoy = ("should_enjoy", "应享未享"),
        /// Enjoys on the day, and not eligible.
        WronglyEnjoys = ("wrongly_enjoys", "不应享而享"),
        /// A data check fired.
        DataConflict = ("data_conflict", "数据矛盾"),
        /// A rule could not be evaluated on this household (its data has a shape the rule did
        /// not expect); the rulebook needs a look, the household may not.
        RuleError = ("rule_error", "规则无法执行"),
    }
}

/// One finding of the coverage check.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    /// What it says.
    pub kind: FindingKind,
    /// The policy or check code.
    pub rule_code: String,
    /// The policy or check name.
    pub rule_name: String,
    /// The household.
    pub household_id: String,
    /// The people it concerns; empty when it concerns the whole household.
    pub person_ids: Vec<String>,
    /// The fields the rule reads, with the values that made it fire.
    pub fields: Vec<FieldShown>,
    /// The department that answers for it.
    pub department: Department,
    /// A plain Chinese sentence.
    pub message: String,
}

struct Run<'r, 'h> {
    rules: &'r AssistanceRules,
    household: HouseholdView<'h>,
    people: Vec<PersonView<'h>>,
    /// (kind, rule position, person position + 1 or 0 for the household, finding).
    found: Vec<(usize, usize, usize, Finding)>,
}

fn evaluate(expression: &Expression, context: &Context<'_, '_>) -> Result<bool, String> {
    match expression.program.execute(context) {
        Ok(Value::Bool(b)) => Ok(b),
        Ok(other) => Err(format!("结果应为真或假，实际为 {other:?}")),
        Err(e) => Err(e.to_string()),
    }
}

impl Run<'_, '_> {
    fn push(
        &mut self,
        kind: FindingKind,
        rule: (usize, &str, &str, Department),
        person: Option<usize>,
        reads: &[super::expression::FieldRef],
        message: String,
    ) {
        let (position, code, name, department) = rule;
        let view = person.and_then(|i| self.people.get(i));
        let fields = reads
            .iter()
            .map(|r| r.show(&self.household, &self.people, view, &self.rules.amounts))
            .collect();
        let person_ids = match (person, kind) {
            (Some(_), _) => view.map(|p| p.person.id.clone()).into_iter().collect(),
            (None, FindingKind::WronglyEnjoys) => self.enjoyers(code),
            (None, _) => Vec::new(),
        };
        let kind_rank = FindingKind::ALL
            .iter()
            .position(|k| *k == kind)
            .unwrap_or(0);
        self.found.push((
            kind_rank,
            position,
            person.map_or(0, |i| i + 1),
            Finding {
                kind,
                rule_code: code.to_owned(),
                rule_name: name.to_owned(),
                household_id: self.household.household.id.clone(),
                person_ids,
                fields,
                department,
                message,
            },
        ));
    }

    /// The members named on the household's records of a policy (for a household policy).
    fn enjoyers(&self, code: &str) -> Vec<String> {
        self.people
            .iter()
            .filter(|p| p.enjoys.iter().any(|e| e == code))
            .map(|p| p.person.id.clone())
            .collect()
    }

    /// Runs every rule of one scope against a context (`person` is the member's position).
    fn run_scope(&mut self, scope: Scope, context: &Context<'_, '_>, person: Option<usize>) {
        let rules = self.rules;
        let enjoys = |code: &str, run: &Self| match person.and_then(|i| run.people.get(i)) {
            Some(p) => p.enjoys.iter().any(|e| e == code),
            None => run.household.enjoys.iter().any(|e| e == code),
        };
        for (i, policy) in rules.policies.iter().enumerate() {
            if policy.scope != scope {
                continue;
            }
            let rule = (
                i,
                policy.code.as_str(),
                policy.name.as_str(),
                policy.department,
            );
            let reads = &policy.eligible.reads;
            match evaluate(&policy.eligible, context) {
                Ok(true) if policy.report_should_enjoy && !enjoys(&policy.code, self) => {
                    let message = format!("符合“{}”的条件，但没有享受记录", policy.name);
                    self.push(FindingKind::ShouldEnjoy, rule, person, reads, message);
                }
                Ok(false) if policy.report_wrongly_enjoys && enjoys(&policy.code, self) => {
                    let message = format!("享受“{}”，但不符合其条件", policy.name);
                    self.push(FindingKind::WronglyEnjoys, rule, person, reads, message);
                }
                Ok(_) => {}
                Err(e) => {
                    let message = format!("规则“{}”无法执行：{e}", policy.name);
                    self.push(FindingKind::RuleError, rule, person, reads, message);
                }
            }
        }
        let offset = rules.policies.len();
        for (i, check) in rules.checks.iter().enumerate() {
            if check.scope != scope {
                continue;
            }
            let rule = (
                offset + i,
                check.code.as_str(),
                check.name.as_str(),
                check.department,
            );
            let reads = &check.fires.reads;
            match evaluate(&check.fires, context) {
                Ok(true) => {
                    let view = person.and_then(|i| self.people.get(i));
                    let message =
                        check
                            .message
                            .render(&self.household, &self.people, view, &rules.amounts);
                    self.push(FindingKind::DataConflict, rule, person, reads, message);
                }
                Ok(false) => {}
                Err(e) => {
                    let message = format!("规则“{}”无法执行：{e}", check.name);
                    self.push(FindingKind::RuleError, rule, person, reads, message);
                }
            }
        }
    }
}

/// Checks one household on a day against every policy and data check. `enjoyments` may hold
/// other households' records (they are ignored), and records of policies the rulebook does not
/// know are ignored too. Findings come in a fixed order: by kind (应享未享, 不应享而享, 数据矛盾,
/// 规则无法执行), then by the rule's place in the rulebook, then the household before its members
/// in member order.
pub fn check_household(
    rules: &AssistanceRules,
    household: &HouseholdFacts,
    enjoyments: &[EnjoymentFacts],
    index: &RegistryIndex,
    as_of: NaiveDate,
) -> Vec<Finding> {
    let (household_view, people) = binding::views(household, enjoyments, index, as_of);
    let mut root = Context::with_env(rules.env.0.clone());
    rules
        .bindings
        .bind_household(&mut root, &household_view, &people, &rules.amount_variables);
    let mut run = Run {
        rules,
        household: household_view,
        people,
        found: Vec::new(),
    };
    run.run_scope(Scope::Household, &root, None);
    for i in 0..run.people.len() {
        let mut scope = root.new_inner_scope();
        rules.bindings.bind_person(&mut scope, &run.people[i]);
        run.run_scope(Scope::Person, &scope, Some(i));
    }
    let mut found = run.found;
    found.sort_by_key(|(kind, rule, person, _)| (*kind, *rule, *person));
    found.into_iter().map(|(_, _, _, f)| f).collect()
}

/// Checks every household of a registry on a day (the ID-number index is built from them).
/// Findings come household by household, in the order given.
pub fn check_registry(
    rules: &AssistanceRules,
    households: &[HouseholdFacts],
    enjoyments: &[EnjoymentFacts],
    as_of: NaiveDate,
) -> Vec<Finding> {
    let index = RegistryIndex::build(households);
    let mut by_household: HashMap<&str, Vec<EnjoymentFacts>> = HashMap::new();
    for e in enjoyments {
        by_household
            .entry(e.household_id.as_str())
            .or_default()
            .push(e.clone());
    }
    households
        .iter()
        .flat_map(|h| {
            let own = by_household
                .get(h.id.as_str())
                .map_or(&[][..], Vec::as_slice);
            check_household(rules, h, own, &index, as_of)
        })
        .collect()
}

impl AssistanceRules {
    /// Runs every rule once on a made-up household, so that an expression that parses but
    /// cannot run (a function that does not exist, comparing a number with text, a result that
    /// is not true or false) is refused when the rulebook loads, not during a check.
    pub(crate) fn try_on_sample(&self) -> Result<(), AssistanceRulebookError> {
        let household = sample_household();
        let findings = check_household(
            self,
            &household,
            &[],
            &RegistryIndex::default(),
            sample_day(),
        );
        match findings
            .into_iter()
            .find(|f| f.kind == FindingKind::RuleError)
        {
            Some(f) => Err(AssistanceRulebookError::Expression {
                code: f.rule_code,
                reason: f.message,
            }),
            None => Ok(()),
        }
    }
}

fn sample_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 1, 1).unwrap_or_default()
}

/// A two-person household with every field filled, for the load-time trial run.
fn sample_household() -> HouseholdFacts {
    let person = |id: &str, year: i32| PersonFacts {
        chronic_diseases: vec!["高血压".to_owned()],
        ..PersonFacts::new(
            id,
            "",
            NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default(),
            Sex::Female,
        )
    };
    HouseholdFacts {
        id: "sample".to_owned(),
        household_type: HouseholdType::FormerlyPoor,
        monitoring: None,
        members: vec![person("a", 1960), person("b", 2010)],
        income: Default::default(),
        housing: Default::default(),
        no_labour_support: false,
        measures: vec!["employment".to_owned()],
        phone: "13800000000".to_owned(),
    }
}

#[cfg(test)]
#[path = "coverage_bench.rs"]
mod bench;

#[cfg(test)]
#[path = "coverage_tests.rs"]
mod tests;
