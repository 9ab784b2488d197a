//! From facts to a CEL context: the views of a household and its members on a day (age,
//! current enjoyments, ID-number checks), the registry-wide ID-number index, and the binding of
//! exactly the fields a rulebook reads.

use super::context::{
    HouseholdField, HouseholdView, MEMBERS, PersonField, PersonView, household_field, person_field,
};
use super::expression::FieldRef;
use super::registry::{EnjoymentFacts, HouseholdFacts, age_on};
use cel::{Context, Value};
use chrono::NaiveDate;
use std::collections::HashMap;
use std::sync::Arc;

/// The fields the rules of a rulebook read, found when it loads. Only these are bound at check
/// time, each as a variable of its own (`person.age`, which CEL resolves before a map `person`),
/// so that reading a field never copies a whole record.
#[derive(Default)]
pub struct Bindings {
    person: Vec<(String, &'static PersonField)>,
    household: Vec<(String, &'static HouseholdField)>,
    member: Vec<&'static PersonField>,
}

impl std::fmt::Debug for Bindings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bindings")
            .field(
                "person",
                &self.person.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            )
            .field(
                "household",
                &self.household.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            )
            .field(
                "member",
                &self.member.iter().map(|m| m.name).collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl Bindings {
    /// The union of what a set of expressions reads.
    pub fn from_reads<'a>(reads: impl IntoIterator<Item = &'a FieldRef>) -> Bindings {
        let mut b = Bindings::default();
        for read in reads {
            match read {
                FieldRef::Person(f) => {
                    if let Some(field) = person_field(f) {
                        b.person.push((format!("person.{f}"), field));
                    }
                }
                FieldRef::Household(f) => {
                    if let Some(field) = household_field(f) {
                        b.household.push((format!("household.{f}"), field));
                    }
                }
                FieldRef::Member(f) => b.member.extend(person_field(f)),
                FieldRef::Amount(_) => {}
            }
        }
        b.person.sort_by_key(|(n, _)| n.clone());
        b.person.dedup_by_key(|(n, _)| n.clone());
        b.household.sort_by_key(|(n, _)| n.clone());
        b.household.dedup_by_key(|(n, _)| n.clone());
        b.member.sort_by_key(|f| f.name);
        b.member.dedup_by_key(|f| f.name);
        b
    }

    /// Binds the household's fields, `household.members` (a list of maps of the member fields
    /// the rules read) and the amounts.
    pub fn bind_household(
        &self,
        context: &mut Context<'_, '_>,
        household: &HouseholdView<'_>,
        people: &[PersonView<'_>],
        amounts: &[(String, i64)],
    ) {
        for (name, field) in &self.household {
            context.add_variable_from_value(name.clone(), (field.get)(household).to_cel());
        }
        let members: Vec<Value> = people
            .iter()
            .map(|p| {
                let map: HashMap<String, Value> = self
                    .member
                    .iter()
                    .map(|f| (f.name.to_owned(), (f.get)(p).to_cel()))
                    .collect();
                Value::from(map)
            })
            .collect();
        context.add_variable_from_value(
            format!("household.{MEMBERS}"),
            Value::List(Arc::new(members)),
        );
        for (name, fen) in amounts {
            context.add_variable_from_value(name.clone(), Value::Int(*fen));
        }
    }

    /// Binds one member's fields.
    pub fn bind_person(&self, context: &mut Context<'_, '_>, person: &PersonView<'_>) {
        for (name, field) in &self.person {
            context.add_variable_from_value(name.clone(), (field.get)(person).to_cel());
        }
    }
}

/// The registry-wide facts a household's check needs: how many live records carry each ID
/// number (the same ID must never appear twice).
#[derive(Debug, Clone, Default)]
pub struct RegistryIndex {
    id_number_records: HashMap<String, u32>,
}

impl RegistryIndex {
    /// Counts the ID numbers of every member of every household (upper-cased, trimmed).
    pub fn build<'a>(households: impl IntoIterator<Item = &'a HouseholdFacts>) -> Self {
        let mut id_number_records = HashMap::new();
        for person in households.into_iter().flat_map(|h| &h.members) {
            *id_number_records
                .entry(normalise(&person.id_number))
                .or_insert(0) += 1;
        }
        RegistryIndex { id_number_records }
    }

    /// How many records carry the number (at least 1: the person asking).
    pub fn records(&self, id_number: &str) -> u32 {
        self.id_number_records
            .get(&normalise(id_number))
            .copied()
            .unwrap_or(1)
            .max(1)
    }
}

fn normalise(id_number: &str) -> String {
    id_number.trim().to_ascii_uppercase()
}

/// Whether a recorded 证件号码 is a valid 身份证 (18) or 残疾人证 (20) number on the day.
pub fn id_number_valid(text: &str, day: NaiveDate) -> bool {
    use super::id_number::{DisabilityCertificateNumber, IdNumber};
    IdNumber::parse(text, day).is_ok() || DisabilityCertificateNumber::parse(text, day).is_ok()
}

/// Builds the views of a household and its members on a day, from its enjoyments.
pub fn views<'a>(
    household: &'a HouseholdFacts,
    enjoyments: &[EnjoymentFacts],
    index: &RegistryIndex,
    day: NaiveDate,
) -> (HouseholdView<'a>, Vec<PersonView<'a>>) {
    let current: Vec<&EnjoymentFacts> = enjoyments
        .iter()
        .filter(|e| e.household_id == household.id && e.covers(day))
        .collect();
    let mut household_enjoys: Vec<String> = current.iter().map(|e| e.policy.clone()).collect();
    household_enjoys.sort();
    household_enjoys.dedup();
    let people = household
        .members
        .iter()
        .map(|person| {
            let mut enjoys: Vec<String> = current
                .iter()
                .filter(|e| e.person_id.as_deref() == Some(person.id.as_str()))
                .map(|e| e.policy.clone())
                .collect();
            enjoys.sort();
            enjoys.dedup();
            PersonView {
                person,
                age: age_on(person.birth_date, day),
                enjoys,
                id_number_valid: id_number_valid(&person.id_number, day),
                id_number_records: index.records(&person.id_number),
            }
        })
        .collect();
    (
        HouseholdView {
            household,
            enjoys: household_enjoys,
        },
        people,
    )
}
