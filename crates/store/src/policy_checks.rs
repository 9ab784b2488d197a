//! The coverage check of the assistance registry (政策落实核查, decision 0031): enjoyment records
//! from departments, a run of the assistance rulebook over the jurisdiction (or one township) on
//! a day, and its findings kept one row per identity (household, rule, people) across runs — a
//! finding a rerun no longer gives is closed by that run. Reading runs and findings is limited to
//! the actor's household scope (a village its village, a sector its department's findings).

use crate::audit::append;
use crate::households::HouseholdScope;
use crate::stored::{Cell, Readable};
use crate::tx::Tx;
use crate::{Error, Result, Store};
use chrono::{Datelike, NaiveDate};
use jixiao_core::assistance::record::{HouseholdRecord, PersonRecord, StoredPerson};
use jixiao_core::assistance::registry::{Department, HouseholdType, IncomeRecord, Relation, Sex};
use jixiao_core::assistance::{
    AssistanceRules, EnjoymentFacts, Finding, FindingKind, HouseholdFacts, RegistryIndex,
    check_household,
};
use jixiao_core::audit::AuditEntry;
use jixiao_core::{Actor, Capability, Role, time};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::QueryBuilder;
use std::collections::{BTreeMap, HashMap, HashSet};

/// The assistance rulebook the check runs (the only one shipped so far).
pub const POLICY_CHECK_RULEBOOK: &str = "assistance-shandong-2020";

/// A finding's state: open, closed (a later run no longer finds it) or accepted (a reviewer
/// accepted the explanation).
pub const FINDING_STATUSES: [&str; 3] = ["open", "closed", "accepted"];

/// One enjoyment record (享受政策记录) as a department reports it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnjoymentInput {
    /// The household it was paid to.
    pub household_id: i64,
    /// The person it concerns; none for a household-wide benefit (低保).
    pub person_id: Option<i64>,
    /// The policy's code in the assistance rulebook.
    pub policy: String,
    /// First day covered.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub from: NaiveDate,
    /// Last day covered; none while it runs.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub to: Option<NaiveDate>,
    /// Amount, fen.
    pub amount_fen: i64,
    /// The reporting department's code (`civil_affairs`, `medical_insurance` …).
    pub department: String,
}

/// A run of the check.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct PolicyCheckRun {
    /// Id.
    pub id: i64,
    /// Jurisdiction.
    pub jurisdiction_code: String,
    /// The township it was limited to, if any.
    pub township_code: Option<String>,
    /// The assistance rulebook run.
    pub rulebook: String,
    /// The day checked, `YYYY-MM-DD`.
    pub as_of: String,
    /// Who started it.
    pub started_by: String,
    /// When (microseconds since the epoch).
    pub started_at: i64,
    /// Households checked.
    pub households: i64,
    /// People checked.
    pub people: i64,
    /// Findings the run gave.
    pub findings: i64,
}

impl Readable for PolicyCheckRun {
    fn read(self) -> Result<PolicyCheckRun> {
        Cell::at("policy_check_runs", self.id, "as_of").date(&self.as_of)?;
        Ok(self)
    }
}

/// Findings counted under one key (a township, a rule, a kind, a department), by status.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FindingTally {
    /// The key's code.
    pub code: String,
    /// The key's name.
    pub label: String,
    /// Still open.
    pub open: i64,
    /// Closed by this run (no longer found).
    pub closed: i64,
    /// Accepted by a reviewer.
    pub accepted: i64,
}

/// A run with its findings counted, within the reader's scope.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyCheckSummary {
    /// The run.
    pub run: PolicyCheckRun,
    /// All the findings the reader may see.
    pub total: FindingTally,
    /// By township.
    pub by_township: Vec<FindingTally>,
    /// By rule.
    pub by_rule: Vec<FindingTally>,
    /// By kind (应享未享, 不应享而享, 数据矛盾, 规则无法执行).
    pub by_kind: Vec<FindingTally>,
    /// By the department that answers for it.
    pub by_department: Vec<FindingTally>,
}

/// A field a finding's rule read, with its value.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingField {
    /// The name in expressions.
    pub name: String,
    /// The name users read.
    pub label: String,
    /// The value as text.
    pub value: String,
}

/// A finding as stored.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyFinding {
    /// Id.
    pub id: i64,
    /// The latest run that found it.
    pub run_id: i64,
    /// The household.
    pub household_id: i64,
    /// 户编号.
    pub household_number: String,
    /// Township code.
    pub township_code: String,
    /// Village code.
    pub village_code: String,
    /// Village name.
    pub village_name: String,
    /// The people it concerns (store ids); empty for the whole household.
    pub person_ids: Vec<i64>,
    /// The rule's code.
    pub rule_code: String,
    /// The rule's name.
    pub rule_name: String,
    /// `should_enjoy`, `wrongly_enjoys`, `data_conflict` or `rule_error`.
    pub kind: String,
    /// The kind as users read it.
    pub kind_label: String,
    /// The department's code.
    pub department: String,
    /// The department as users read it.
    pub department_label: String,
    /// The fields the rule read, with their values.
    pub fields: Vec<FindingField>,
    /// A plain sentence.
    pub message: String,
    /// `open`, `closed` or `accepted`.
    pub status: String,
    /// The run that first found it (since it was last closed).
    pub first_run_id: i64,
    /// The run that closed it.
    pub closed_run_id: Option<i64>,
}

/// A finding's row before its coded and JSON columns are read.
#[derive(sqlx::FromRow)]
pub(crate) struct FindingRow {
    id: i64,
    run_id: i64,
    household_id: i64,
    household_number: String,
    township_code: String,
    village_code: String,
    village_name: String,
    person_ids: String,
    rule_code: String,
    rule_name: String,
    kind: String,
    department: String,
    fields: String,
    message: String,
    status: String,
    first_run_id: i64,
    closed_run_id: Option<i64>,
}

impl FindingRow {
    pub(crate) fn read(self) -> Result<PolicyFinding> {
        let cell = |column| Cell::at("policy_check_findings", self.id, column);
        let kind = cell("kind").code(&self.kind, FindingKind::parse)?;
        let department = cell("department").code(&self.department, Department::parse)?;
        cell("status").code(&self.status, |s| {
            FINDING_STATUSES.contains(&s).then_some(())
        })?;
        let person_ids = read_person_ids(&self.person_ids)
            .ok_or_else(|| cell("person_ids").unreadable(&self.person_ids))?;
        let fields: Vec<FindingField> = cell("fields").json(&self.fields)?;
        Ok(PolicyFinding {
            id: self.id,
            run_id: self.run_id,
            household_id: self.household_id,
            household_number: self.household_number,
            township_code: self.township_code,
            village_code: self.village_code,
            village_name: self.village_name,
            person_ids,
            rule_code: self.rule_code,
            rule_name: self.rule_name,
            kind: kind.as_str().to_owned(),
            kind_label: kind.label().to_owned(),
            department: department.as_str().to_owned(),
            department_label: department.label().to_owned(),
            fields,
            message: self.message,
            status: self.status,
            first_run_id: self.first_run_id,
            closed_run_id: self.closed_run_id,
        })
    }
}

/// Which findings of a run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct FindingFilter {
    /// A rule code.
    pub rule: Option<String>,
    /// A township code.
    pub township: Option<String>,
    /// A village code.
    pub village: Option<String>,
    /// A department code.
    pub department: Option<String>,
    /// `open`, `closed` or `accepted`.
    pub status: Option<String>,
    /// A kind code.
    pub kind: Option<String>,
}

/// Person ids as stored: sorted store ids joined by commas, empty for the whole household.
fn person_ids_text(ids: &[String]) -> Result<String> {
    let mut numbers = ids
        .iter()
        .map(|id| {
            id.parse::<i64>()
                .map_err(|_| Error::Internal(format!("核查结果中的人员编号“{id}”无效")))
        })
        .collect::<Result<Vec<i64>>>()?;
    numbers.sort_unstable();
    numbers.dedup();
    Ok(numbers
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(","))
}

fn read_person_ids(text: &str) -> Option<Vec<i64>> {
    if text.is_empty() {
        return Some(Vec::new());
    }
    text.split(',').map(|id| id.parse().ok()).collect()
}

/// The township code of an area path (`/371481101/371481101201/` → `371481101`).
fn township_of(path: &str) -> Option<&str> {
    path.split('/').find(|s| !s.is_empty())
}

/// A filter value that must be a code (letters, digits, `_`), never a pattern.
fn code_filter(field: &str, value: Option<&str>) -> Result<Option<String>> {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if value.len() > 80
        || !value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        return Err(Error::invalid(field, "invalid_code", "应为代码"));
    }
    Ok(Some(value.to_owned()))
}

#[derive(sqlx::FromRow)]
struct HouseholdRow {
    id: i64,
    household_type: String,
    phone: String,
    facts: String,
    village_code: String,
    path: String,
}

#[derive(sqlx::FromRow)]
struct PersonRow {
    id: i64,
    household_id: i64,
    id_type: String,
    id_number: String,
    relation: String,
    sex: String,
    birth_date: String,
    facts: String,
}

#[derive(sqlx::FromRow)]
struct IncomeRow {
    household_id: i64,
    wage_fen: i64,
    business_fen: i64,
    property_fen: i64,
    transfer_fen: i64,
    self_pay_fen: i64,
    per_capita_fen: i64,
}

#[derive(sqlx::FromRow)]
struct EnjoymentRow {
    id: i64,
    household_id: i64,
    person_id: Option<i64>,
    policy: String,
    from_date: String,
    to_date: Option<String>,
    amount_fen: i64,
    department: String,
}

/// Findings of a run counted by township, rule, kind, department and status.
#[derive(sqlx::FromRow)]
struct TallyRow {
    township_code: String,
    township_name: String,
    rule_code: String,
    rule_name: String,
    kind: String,
    department: String,
    status: String,
    count: i64,
}

/// An existing finding's identity and state, read under the run's lock.
#[derive(sqlx::FromRow)]
struct Existing {
    id: i64,
    household_id: i64,
    rule_code: String,
    person_ids: String,
    status: String,
}

/// What a run read from the registry.
struct Registry {
    /// Every household of the jurisdiction (for the ID index).
    households: Vec<HouseholdFacts>,
    /// (household id, township code, village code) of those the run checks.
    checked: Vec<(i64, String, String)>,
    enjoyments: HashMap<String, Vec<EnjoymentFacts>>,
}

impl Store {
    /// Records one enjoyment a department reports (the county office; import comes later).
    pub async fn add_enjoyment(&self, actor: &Actor, input: &EnjoymentInput) -> Result<i64> {
        actor.require(Capability::RunPolicyChecks)?;
        let jurisdiction = actor.jurisdiction.clone().ok_or(Error::Forbidden)?;
        let department = Department::parse(input.department.trim())
            .ok_or_else(|| Error::invalid("department", "unknown", "部门代码无法识别"))?;
        let policy = input.policy.trim();
        if policy.is_empty() || policy.chars().count() > 60 {
            return Err(Error::invalid(
                "policy",
                "invalid",
                "政策代码应为1至60个字符",
            ));
        }
        if input.to.is_some_and(|to| to < input.from) {
            return Err(Error::invalid("to", "before_from", "截止日期早于起始日期"));
        }
        if input.amount_fen < 0 {
            return Err(Error::invalid("amount_fen", "negative", "金额不能为负"));
        }
        let owner: Option<i64> = on_pool!(&self.pool, |pool| {
            sqlx::query_scalar(
                "SELECT h.id FROM households h WHERE h.id = $1 AND h.jurisdiction_code = $2",
            )
            .bind(input.household_id)
            .bind(&jurisdiction)
            .fetch_optional(pool)
            .await?
        });
        owner.ok_or_else(|| Error::NotFound("帮扶对象户不存在".to_owned()))?;
        if let Some(person) = input.person_id {
            let household: Option<i64> = on_pool!(&self.pool, |pool| {
                sqlx::query_scalar("SELECT household_id FROM people WHERE id = $1")
                    .bind(person)
                    .fetch_optional(pool)
                    .await?
            });
            if household != Some(input.household_id) {
                return Err(Error::invalid(
                    "person_id",
                    "not_a_member",
                    "人员不属于该户",
                ));
            }
        }
        let mut tx = self.begin().await?;
        let id: i64 = on_tx!(&mut tx, |conn| {
            sqlx::query_scalar(
                "INSERT INTO enjoyments (household_id, person_id, policy, from_date, to_date, \
                 amount_fen, department, recorded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(input.household_id)
            .bind(input.person_id)
            .bind(policy)
            .bind(input.from.format("%Y-%m-%d").to_string())
            .bind(input.to.map(|d| d.format("%Y-%m-%d").to_string()))
            .bind(input.amount_fen)
            .bind(department.as_str())
            .bind(time::now())
            .fetch_one(&mut *conn)
            .await?
        });
        append(
            &mut tx,
            AuditEntry::new(
                &actor.name,
                "enjoyment.create",
                "enjoyment",
                &id.to_string(),
            )
            .in_jurisdiction(Some(&jurisdiction))
            .with_details(json!({
                "household": input.household_id, "person": input.person_id, "policy": policy,
                "department": department.as_str(),
            })),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Reads the jurisdiction's registry as it stood on `as_of`: every household (for the ID
    /// index), the ones in `township` to check, their people, the year's income and the
    /// enjoyments covering the day (records and the people's flags).
    async fn policy_check_registry(
        &self,
        jurisdiction: &str,
        township: Option<&str>,
        as_of: NaiveDate,
    ) -> Result<Registry> {
        let day = as_of.format("%Y-%m-%d").to_string();
        let (households, people, incomes, enjoyments): (
            Vec<HouseholdRow>,
            Vec<PersonRow>,
            Vec<IncomeRow>,
            Vec<EnjoymentRow>,
        ) = on_pool!(&self.pool, |pool| {
            let households = sqlx::query_as(
                "SELECT h.id, h.household_type, h.phone, h.facts, h.village_code, ar.path \
                 FROM households h JOIN areas ar ON ar.code = h.village_code \
                 WHERE h.jurisdiction_code = $1 ORDER BY h.village_code, h.number",
            )
            .bind(jurisdiction)
            .fetch_all(pool)
            .await?;
            let people = sqlx::query_as(
                "SELECT p.id, p.household_id, p.id_type, p.id_number, p.relation, p.sex, \
                 p.birth_date, p.facts FROM people p JOIN households h ON h.id = p.household_id \
                 WHERE h.jurisdiction_code = $1 AND p.joined_on <= $2 \
                 AND (p.left_on IS NULL OR p.left_on > $2) \
                 ORDER BY p.household_id, p.relation <> 'householder', p.id",
            )
            .bind(jurisdiction)
            .bind(&day)
            .fetch_all(pool)
            .await?;
            let incomes = sqlx::query_as(
                "SELECT i.household_id, i.wage_fen, i.business_fen, i.property_fen, \
                 i.transfer_fen, i.self_pay_fen, i.per_capita_fen FROM household_incomes i \
                 JOIN households h ON h.id = i.household_id \
                 WHERE h.jurisdiction_code = $1 AND i.year = $2",
            )
            .bind(jurisdiction)
            .bind(as_of.year())
            .fetch_all(pool)
            .await?;
            let enjoyments = sqlx::query_as(
                "SELECT e.id, e.household_id, e.person_id, e.policy, e.from_date, e.to_date, \
                 e.amount_fen, e.department FROM enjoyments e \
                 JOIN households h ON h.id = e.household_id \
                 WHERE h.jurisdiction_code = $1 AND e.from_date <= $2 \
                 AND (e.to_date IS NULL OR e.to_date >= $2)",
            )
            .bind(jurisdiction)
            .bind(&day)
            .fetch_all(pool)
            .await?;
            (households, people, incomes, enjoyments)
        });
        let mut members: HashMap<i64, Vec<StoredPerson>> = HashMap::new();
        for row in people {
            let cell = |column| Cell::at("people", row.id, column);
            let record: PersonRecord = cell("facts").json(&row.facts)?;
            let person = StoredPerson {
                id: row.id.to_string(),
                id_number: row.id_number.clone(),
                relation: cell("relation").code(&row.relation, Relation::parse)?,
                sex: cell("sex").code(&row.sex, Sex::parse)?,
                birth_date: cell("birth_date").date(&row.birth_date)?,
                disability_certificate: row.id_type == "disability_certificate",
                record,
            };
            members.entry(row.household_id).or_default().push(person);
        }
        let incomes: HashMap<i64, IncomeRecord> = incomes
            .into_iter()
            .map(|i| {
                (
                    i.household_id,
                    IncomeRecord {
                        wage: i.wage_fen,
                        business: i.business_fen,
                        property: i.property_fen,
                        transfer: i.transfer_fen,
                        compliant_spending: i.self_pay_fen,
                        recorded_per_capita: Some(i.per_capita_fen),
                    },
                )
            })
            .collect();
        let mut by_household: HashMap<String, Vec<EnjoymentFacts>> = HashMap::new();
        for row in enjoyments {
            let cell = |column| Cell::at("enjoyments", row.id, column);
            let enjoyment = EnjoymentFacts {
                policy: row.policy.clone(),
                household_id: row.household_id.to_string(),
                person_id: row.person_id.map(|p| p.to_string()),
                from: cell("from_date").date(&row.from_date)?,
                to: row
                    .to_date
                    .as_deref()
                    .map(|to| cell("to_date").date(to))
                    .transpose()?,
                amount: row.amount_fen,
                source: cell("department").code(&row.department, Department::parse)?,
            };
            by_household
                .entry(enjoyment.household_id.clone())
                .or_default()
                .push(enjoyment);
        }
        let mut facts = Vec::with_capacity(households.len());
        let mut checked = Vec::new();
        for row in households {
            let cell = |column| Cell::at("households", row.id, column);
            let household_type =
                cell("household_type").code(&row.household_type, HouseholdType::parse)?;
            let record: HouseholdRecord = cell("facts").json(&row.facts)?;
            let town = township_of(&row.path)
                .ok_or_else(|| Error::Internal(format!("区域路径“{}”无效", row.path)))?
                .to_owned();
            let id = row.id.to_string();
            let people = members.remove(&row.id).unwrap_or_default();
            if township.is_none_or(|t| t == town) {
                checked.push((row.id, town, row.village_code.clone()));
                // The flags of the export stand for enjoyments as of the day checked.
                let flags = by_household.entry(id.clone()).or_default();
                for person in &people {
                    flags.extend(person.flag_enjoyments(&id, as_of));
                }
            }
            let income = incomes.get(&row.id).copied().unwrap_or_default();
            facts.push(record.facts(&id, household_type, &row.phone, &people, income));
        }
        Ok(Registry {
            households: facts,
            checked,
            enjoyments: by_household,
        })
    }

    /// Runs the coverage check over the actor's jurisdiction (or one of its townships) on
    /// `as_of` and stores the run and its findings (county assistance office). The ID-number
    /// index is built over the whole jurisdiction, so a number recorded in two townships is found
    /// by a township's run. Returns the run's id.
    pub async fn run_policy_check(
        &self,
        actor: &Actor,
        township: Option<&str>,
        as_of: NaiveDate,
    ) -> Result<i64> {
        actor.require(Capability::RunPolicyChecks)?;
        if actor.role != Role::Assistance {
            return Err(Error::Forbidden);
        }
        let jurisdiction = actor.jurisdiction.clone().ok_or(Error::Forbidden)?;
        let township = township.map(str::trim).filter(|t| !t.is_empty());
        if let Some(code) = township {
            self.area_by_code(&jurisdiction, code)
                .await?
                .filter(|a| a.level == "township")
                .ok_or_else(|| Error::invalid("township", "unknown_township", "乡镇不存在"))?;
        }
        let rules = AssistanceRules::shipped(POLICY_CHECK_RULEBOOK)
            .ok_or_else(|| Error::Internal(format!("规则“{POLICY_CHECK_RULEBOOK}”未随程序提供")))?
            .map_err(|e| Error::Internal(e.to_string()))?;
        let registry = self
            .policy_check_registry(&jurisdiction, township, as_of)
            .await?;
        let index = RegistryIndex::build(&registry.households);
        let by_id: HashMap<&str, &HouseholdFacts> = registry
            .households
            .iter()
            .map(|h| (h.id.as_str(), h))
            .collect();
        let mut findings: Vec<(i64, String, String, Finding)> = Vec::new();
        let mut people = 0usize;
        let mut checked_households = 0usize;
        let mut places: HashMap<i64, (String, String)> = HashMap::new();
        for (id, town, village) in &registry.checked {
            places.insert(*id, (town.clone(), village.clone()));
            let key = id.to_string();
            let Some(household) = by_id.get(key.as_str()) else {
                continue;
            };
            if household.members.is_empty() {
                // Nobody lives there on the day: nothing to check, its findings close.
                continue;
            }
            checked_households += 1;
            people += household.members.len();
            let own = registry.enjoyments.get(&key).map_or(&[][..], Vec::as_slice);
            for finding in check_household(&rules, household, own, &index, as_of) {
                findings.push((*id, town.clone(), village.clone(), finding));
            }
        }
        // One row per identity: the first finding of an identity stands for it.
        let mut seen = HashSet::new();
        let mut found = Vec::with_capacity(findings.len());
        for (household, town, village, finding) in findings {
            let persons = person_ids_text(&finding.person_ids)?;
            if seen.insert((household, finding.rule_code.clone(), persons.clone())) {
                found.push((household, town, village, persons, finding));
            }
        }
        let now = time::now();
        let day = as_of.format("%Y-%m-%d").to_string();
        let mut tx = self.begin().await?;
        if let Tx::Postgres(t) = &mut tx {
            // Two runs at once would race on the identities; SQLite's BEGIN IMMEDIATE already
            // serialises writers.
            sqlx::query("LOCK TABLE policy_check_findings IN SHARE ROW EXCLUSIVE MODE")
                .execute(&mut **t)
                .await?;
        }
        let run: i64 = on_tx!(&mut tx, |conn| {
            sqlx::query_scalar(
                "INSERT INTO policy_check_runs (jurisdiction_code, township_code, rulebook, \
                 as_of, started_by, started_at, households, people, findings) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            )
            .bind(&jurisdiction)
            .bind(township)
            .bind(POLICY_CHECK_RULEBOOK)
            .bind(&day)
            .bind(&actor.name)
            .bind(now)
            .bind(i64::try_from(checked_households).unwrap_or(i64::MAX))
            .bind(i64::try_from(people).unwrap_or(i64::MAX))
            .bind(i64::try_from(found.len()).unwrap_or(i64::MAX))
            .fetch_one(&mut *conn)
            .await?
        });
        let existing: Vec<Existing> = on_tx!(&mut tx, |conn| {
            sqlx::query_as(
                "SELECT id, household_id, rule_code, person_ids, status \
                 FROM policy_check_findings WHERE jurisdiction_code = $1",
            )
            .bind(&jurisdiction)
            .fetch_all(&mut *conn)
            .await?
        });
        let mut known: HashMap<(i64, String, String), (i64, String)> = existing
            .into_iter()
            .filter(|e| places.contains_key(&e.household_id))
            .map(|e| {
                (
                    (e.household_id, e.rule_code, e.person_ids),
                    (e.id, e.status),
                )
            })
            .collect();
        let (mut new, mut reopened) = (0usize, 0usize);
        for (household, town, village, persons, finding) in &found {
            let fields: Vec<FindingField> = finding
                .fields
                .iter()
                .map(|f| FindingField {
                    name: f.name.clone(),
                    label: f.label.clone(),
                    value: f.value.clone(),
                })
                .collect();
            let fields =
                serde_json::to_string(&fields).map_err(|e| Error::Internal(e.to_string()))?;
            let identity = (*household, finding.rule_code.clone(), persons.clone());
            match known.remove(&identity) {
                Some((id, status)) => {
                    let reopen = status == "closed";
                    reopened += usize::from(reopen);
                    on_tx!(&mut tx, |conn| {
                        sqlx::query(
                            "UPDATE policy_check_findings SET run_id = $1, township_code = $2, \
                             village_code = $3, rule_name = $4, kind = $5, department = $6, \
                             fields = $7, message = $8, \
                             status = CASE WHEN status = 'closed' THEN 'open' ELSE status END, \
                             first_run_id = CASE WHEN status = 'closed' THEN $1 \
                             ELSE first_run_id END, \
                             closed_run_id = NULL, updated_at = $9 WHERE id = $10",
                        )
                        .bind(run)
                        .bind(town)
                        .bind(village)
                        .bind(&finding.rule_name)
                        .bind(finding.kind.as_str())
                        .bind(finding.department.as_str())
                        .bind(&fields)
                        .bind(&finding.message)
                        .bind(now)
                        .bind(id)
                        .execute(&mut *conn)
                        .await?;
                    });
                }
                None => {
                    new += 1;
                    on_tx!(&mut tx, |conn| {
                        sqlx::query(
                            "INSERT INTO policy_check_findings (run_id, jurisdiction_code, \
                             household_id, township_code, village_code, person_ids, rule_code, \
                             rule_name, kind, department, fields, message, status, \
                             first_run_id, closed_run_id, updated_at) VALUES ($1, $2, $3, $4, \
                             $5, $6, $7, $8, $9, $10, $11, $12, 'open', $1, NULL, $13)",
                        )
                        .bind(run)
                        .bind(&jurisdiction)
                        .bind(household)
                        .bind(town)
                        .bind(village)
                        .bind(persons)
                        .bind(&finding.rule_code)
                        .bind(&finding.rule_name)
                        .bind(finding.kind.as_str())
                        .bind(finding.department.as_str())
                        .bind(&fields)
                        .bind(&finding.message)
                        .bind(now)
                        .execute(&mut *conn)
                        .await?;
                    });
                }
            }
        }
        // What the run's households had and it no longer finds is closed by this run.
        let mut closed = 0usize;
        for (id, status) in known.into_values() {
            if status == "closed" {
                continue;
            }
            closed += 1;
            on_tx!(&mut tx, |conn| {
                sqlx::query(
                    "UPDATE policy_check_findings SET status = 'closed', closed_run_id = $1, \
                     updated_at = $2 WHERE id = $3",
                )
                .bind(run)
                .bind(now)
                .bind(id)
                .execute(&mut *conn)
                .await?;
            });
        }
        append(
            &mut tx,
            AuditEntry::new(
                &actor.name,
                "policy_check.run",
                "policy_check",
                &run.to_string(),
            )
            .in_jurisdiction(Some(&jurisdiction))
            .with_details(json!({
                "township": township, "as_of": day, "rulebook": POLICY_CHECK_RULEBOOK,
                "households": checked_households, "people": people, "findings": found.len(),
                "new": new, "reopened": reopened, "closed": closed,
            })),
        )
        .await?;
        tx.commit().await?;
        Ok(run)
    }

    /// The run, if it is of the actor's jurisdiction (else "not found"), and the reader's scope.
    async fn policy_check_run(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<(PolicyCheckRun, HouseholdScope, Option<String>)> {
        let scope = self.household_scope(actor).await?;
        let jurisdiction = scope.jurisdiction.clone().ok_or(Error::Forbidden)?;
        let run: Option<PolicyCheckRun> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(
                "SELECT id, jurisdiction_code, township_code, rulebook, as_of, started_by, \
                 started_at, households, people, findings FROM policy_check_runs \
                 WHERE id = $1 AND jurisdiction_code = $2",
            )
            .bind(id)
            .bind(&jurisdiction)
            .fetch_optional(pool)
            .await?
        });
        let run = run
            .ok_or_else(|| Error::NotFound("核查批次不存在".to_owned()))?
            .read()?;
        let department = self.sector_department(actor).await?;
        Ok((run, scope, department))
    }

    /// The department a sector user answers for (`None` for other roles): the findings it sees.
    /// A sector that names no known department sees none.
    pub(crate) async fn sector_department(&self, actor: &Actor) -> Result<Option<String>> {
        if actor.role != Role::Sector {
            return Ok(None);
        }
        let user = actor.user_id.ok_or(Error::Forbidden)?;
        let sector: Option<Option<String>> = on_pool!(&self.pool, |pool| {
            sqlx::query_scalar("SELECT sector FROM users WHERE id = $1")
                .bind(user)
                .fetch_optional(pool)
                .await?
        });
        let sector = sector.flatten().ok_or(Error::Forbidden)?;
        let sector = sector.trim();
        Ok(Some(
            Department::ALL
                .iter()
                .find(|d| d.as_str() == sector || d.label() == sector)
                .map_or_else(|| format!("unknown:{sector}"), |d| d.as_str().to_owned()),
        ))
    }

    /// A run with its findings counted by township, rule, kind and department, within the
    /// reader's scope: what the run found that no later run has seen again, and what it closed.
    pub async fn policy_check(&self, actor: &Actor, id: i64) -> Result<PolicyCheckSummary> {
        let (run, scope, department) = self.policy_check_run(actor, id).await?;
        let rows: Vec<TallyRow> = on_pool!(&self.pool, |pool| {
            let mut query = QueryBuilder::new(
                "SELECT f.township_code, COALESCE(t.name, f.township_code) AS township_name, \
                 f.rule_code, f.rule_name, f.kind, f.department, f.status, COUNT(*) AS count \
                 FROM policy_check_findings f \
                 JOIN households h ON h.id = f.household_id \
                 JOIN areas ar ON ar.code = h.village_code \
                 LEFT JOIN areas t ON t.code = f.township_code WHERE ",
            );
            push_run(&mut query, id);
            scope.push(&mut query);
            if let Some(d) = &department {
                query.push(" AND f.department = ").push_bind(d.clone());
            }
            query.push(
                " GROUP BY f.township_code, t.name, f.rule_code, f.rule_name, f.kind, \
                 f.department, f.status",
            );
            query.build_query_as().fetch_all(pool).await?
        });
        let mut total = FindingTally {
            code: "all".to_owned(),
            label: "合计".to_owned(),
            ..FindingTally::default()
        };
        let mut by_township: BTreeMap<String, FindingTally> = BTreeMap::new();
        let mut by_rule: BTreeMap<String, FindingTally> = BTreeMap::new();
        let mut by_kind: BTreeMap<String, FindingTally> = BTreeMap::new();
        let mut by_department: BTreeMap<String, FindingTally> = BTreeMap::new();
        for row in rows {
            let TallyRow {
                township_code,
                township_name,
                rule_code,
                rule_name,
                kind,
                department: dept,
                status,
                count,
            } = row;
            let cell =
                |column| Cell::keyed("policy_check_findings", format!("run_id={id}"), column);
            let kind_label = cell("kind").code(&kind, FindingKind::parse)?.label();
            let dept_label = cell("department").code(&dept, Department::parse)?.label();
            let add = |map: &mut BTreeMap<String, FindingTally>, code: &str, label: &str| {
                let tally = map.entry(code.to_owned()).or_insert_with(|| FindingTally {
                    code: code.to_owned(),
                    label: label.to_owned(),
                    ..FindingTally::default()
                });
                count_into(tally, &status, count);
            };
            add(&mut by_township, &township_code, &township_name);
            add(&mut by_rule, &rule_code, &rule_name);
            add(&mut by_kind, &kind, kind_label);
            add(&mut by_department, &dept, dept_label);
            count_into(&mut total, &status, count);
        }
        Ok(PolicyCheckSummary {
            run,
            total,
            by_township: by_township.into_values().collect(),
            by_rule: by_rule.into_values().collect(),
            by_kind: by_kind.into_values().collect(),
            by_department: by_department.into_values().collect(),
        })
    }

    /// A page of a run's findings within the reader's scope, by village, household and rule,
    /// with the total.
    pub async fn policy_check_findings(
        &self,
        actor: &Actor,
        id: i64,
        filter: &FindingFilter,
        page: i64,
        per_page: i64,
    ) -> Result<(Vec<PolicyFinding>, i64)> {
        let (_, scope, department) = self.policy_check_run(actor, id).await?;
        let rule = code_filter("rule", filter.rule.as_deref())?;
        let township = code_filter("township", filter.township.as_deref())?;
        let village = code_filter("village", filter.village.as_deref())?;
        let wanted_department = code_filter("department", filter.department.as_deref())?;
        let kind = code_filter("kind", filter.kind.as_deref())?;
        let status = code_filter("status", filter.status.as_deref())?;
        if status
            .as_deref()
            .is_some_and(|s| !FINDING_STATUSES.contains(&s))
        {
            return Err(Error::invalid(
                "status",
                "unknown_status",
                "状态应为 open、closed 或 accepted",
            ));
        }
        let per_page = per_page.clamp(1, 200);
        let offset = (page.max(1) - 1).saturating_mul(per_page);
        let push_filters = |query: &mut dyn FnMut(&str, String)| {
            if let Some(d) = &department {
                query(" AND f.department = ", d.clone());
            }
            for (column, value) in [
                (" AND f.rule_code = ", &rule),
                (" AND f.township_code = ", &township),
                (" AND f.village_code = ", &village),
                (" AND f.department = ", &wanted_department),
                (" AND f.kind = ", &kind),
                (" AND f.status = ", &status),
            ] {
                if let Some(value) = value {
                    query(column, value.clone());
                }
            }
        };
        let (rows, total): (Vec<FindingRow>, i64) = on_pool!(&self.pool, |pool| {
            let mut query = QueryBuilder::new(FINDING_SELECT);
            push_run(&mut query, id);
            scope.push(&mut query);
            push_filters(&mut |sql, value| {
                query.push(sql).push_bind(value);
            });
            query
                .push(" ORDER BY f.village_code, h.number, f.rule_code, f.person_ids LIMIT ")
                .push_bind(per_page);
            query.push(" OFFSET ").push_bind(offset);
            let rows = query.build_query_as().fetch_all(pool).await?;
            let mut count = QueryBuilder::new(
                "SELECT COUNT(*) FROM policy_check_findings f \
                 JOIN households h ON h.id = f.household_id \
                 JOIN areas ar ON ar.code = h.village_code WHERE ",
            );
            push_run(&mut count, id);
            scope.push(&mut count);
            push_filters(&mut |sql, value| {
                count.push(sql).push_bind(value);
            });
            let total = count.build_query_scalar().fetch_one(pool).await?;
            (rows, total)
        });
        let findings = rows
            .into_iter()
            .map(FindingRow::read)
            .collect::<Result<Vec<_>>>()?;
        Ok((findings, total))
    }
}

/// A finding's columns, from findings `f` of households `h` in villages `ar`, up to `WHERE `.
pub(crate) const FINDING_SELECT: &str = "SELECT f.id, f.run_id, f.household_id, \
     h.number AS household_number, f.township_code, f.village_code, ar.name AS village_name, \
     f.person_ids, f.rule_code, f.rule_name, f.kind, f.department, f.fields, f.message, \
     f.status, f.first_run_id, f.closed_run_id FROM policy_check_findings f \
     JOIN households h ON h.id = f.household_id \
     JOIN areas ar ON ar.code = h.village_code WHERE ";

/// The findings of run `id`: those it found and no later run has seen again, and those it
/// closed.
fn push_run<DB: sqlx::Database>(query: &mut QueryBuilder<DB>, id: i64)
where
    for<'t> i64: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    query
        .push("(f.run_id = ")
        .push_bind(id)
        .push(" OR f.closed_run_id = ")
        .push_bind(id)
        .push(")");
}

fn count_into(tally: &mut FindingTally, status: &str, count: i64) {
    match status {
        "open" => tally.open += count,
        "closed" => tally.closed += count,
        _ => tally.accepted += count,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn person_ids_are_sorted_and_read_back() {
        let text = person_ids_text(&["12".into(), "3".into(), "12".into()]).expect("numbers");
        assert_eq!(text, "3,12");
        assert_eq!(read_person_ids(&text), Some(vec![3, 12]));
        assert_eq!(read_person_ids(""), Some(Vec::new()));
        assert_eq!(read_person_ids("3,x"), None);
        assert!(person_ids_text(&["x".into()]).is_err());
        assert_eq!(township_of("/371481101/371481101201/"), Some("371481101"));
    }
}
