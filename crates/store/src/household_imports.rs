//! Importing the national system's person export into the registry, and exporting it back: the
//! file's households are matched by 户编号 and people by their resident ID; the plan lists what
//! would change (new and changed households and people, members who left or moved, households
//! of the file's villages the file no longer has) with every problem by its cell, and is stored
//! only when asked and when nothing is wrong — all of it in one transaction with one audit entry.
//! Nothing is deleted: a member missing from the file leaves the household on the import's date.

use crate::audit::append;
use crate::stored::Cell;
use crate::tx::Tx;
use crate::{Error, Result, Store};
use chrono::{Datelike, NaiveDate};
use jixiao_core::assistance::export::{ExportHousehold, ExportPerson, RowError};
use jixiao_core::assistance::mask;
use jixiao_core::assistance::record::{HouseholdRecord, PersonRecord};
use jixiao_core::assistance::registry::{HouseholdType, IncomeRecord, Relation, Sex};
use jixiao_core::audit::AuditEntry;
use jixiao_core::{Actor, Capability, time};
use serde::Serialize;
use serde_json::json;
use sqlx::QueryBuilder;
use std::collections::HashMap;

/// Rows per multi-row INSERT (well under both databases' bind limits).
const BATCH: usize = 400;

/// What one change of an import is.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportChangeKind {
    /// 新增户.
    NewHousehold,
    /// 户信息变更.
    ChangedHousehold,
    /// 新增人员.
    NewPerson,
    /// 人员信息变更.
    ChangedPerson,
    /// 人员迁入本户 (left another household of the registry).
    MovedPerson,
    /// 人员不在本户 (in the registry, not in the file): leaves on the import's date.
    LeftPerson,
    /// 户未出现在文件中 (of the file's villages): reported, left as it is.
    AbsentHousehold,
}

impl ImportChangeKind {
    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            ImportChangeKind::NewHousehold => "新增户",
            ImportChangeKind::ChangedHousehold => "户信息变更",
            ImportChangeKind::NewPerson => "新增人员",
            ImportChangeKind::ChangedPerson => "人员信息变更",
            ImportChangeKind::MovedPerson => "从他户迁入",
            ImportChangeKind::LeftPerson => "不再是本户成员",
            ImportChangeKind::AbsentHousehold => "文件中没有此户（未改动）",
        }
    }
}

/// One change the import makes (or would make).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportChange {
    /// What it is.
    pub kind: ImportChangeKind,
    /// The sheet row, when the change comes from one.
    pub row: Option<u32>,
    /// 户编号.
    pub household: String,
    /// The village's name.
    pub village: String,
    /// The person's name and masked ID number, for a change of a person.
    pub person: String,
    /// What changed (field names).
    pub detail: String,
}

/// The counts of an import.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ImportCounts {
    /// Households in the file.
    pub households: usize,
    /// People in the file.
    pub people: usize,
    /// New households.
    pub new_households: usize,
    /// Households whose record changes.
    pub changed_households: usize,
    /// Households exactly as stored.
    pub unchanged_households: usize,
    /// New people.
    pub new_people: usize,
    /// People whose record changes.
    pub changed_people: usize,
    /// People who move in from another household.
    pub moved_people: usize,
    /// Members who are no longer in their household.
    pub left_people: usize,
    /// Households of the file's villages not in the file.
    pub absent_households: usize,
}

/// The outcome of an import or its dry run.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct HouseholdImport {
    /// Whether anything was stored (false for a dry run, or when there are problems).
    pub stored: bool,
    /// The counts.
    pub counts: ImportCounts,
    /// Every change, in file order (absent households last).
    pub changes: Vec<ImportChange>,
    /// Every problem, by cell.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<ImportProblem>))]
    pub errors: Vec<RowError>,
}

/// One problem of an import file, as the API shows it (the schema of
/// [`jixiao_core::assistance::export::RowError`]).
#[cfg(feature = "openapi")]
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct ImportProblem {
    /// The sheet row, from 1.
    row: u32,
    /// The cell, e.g. `G5`.
    cell: String,
    /// The column's header.
    column: String,
    /// What is wrong and what to write instead.
    message: String,
}

#[derive(sqlx::FromRow)]
struct StoredHousehold {
    id: i64,
    number: String,
    village_code: String,
    household_type: String,
    phone: String,
    facts: String,
}

#[derive(sqlx::FromRow, Clone)]
struct StoredPersonRow {
    id: i64,
    household_id: i64,
    number: String,
    id_type: String,
    id_number: String,
    resident_id: String,
    name: String,
    relation: String,
    sex: String,
    birth_date: String,
    facts: String,
}

#[derive(sqlx::FromRow)]
struct StoredIncome {
    household_id: i64,
    wage_fen: i64,
    business_fen: i64,
    property_fen: i64,
    transfer_fen: i64,
    self_pay_fen: i64,
    per_capita_fen: i64,
}

#[derive(sqlx::FromRow)]
struct AreaRow {
    code: String,
    level: String,
    name: String,
    path: String,
}

/// The income as the table keeps it (a per-capita figure not recorded is 0).
fn income_columns(income: &IncomeRecord) -> [i64; 6] {
    [
        income.wage,
        income.business,
        income.property,
        income.transfer,
        income.compliant_spending,
        income.recorded_per_capita.unwrap_or(0),
    ]
}

/// The top-level keys of two JSON objects that differ, named for people.
fn changed_keys(before: &serde_json::Value, after: &serde_json::Value) -> Vec<&'static str> {
    const NAMES: &[(&str, &str)] = &[
        ("ethnicity", "民族"),
        ("education", "文化程度"),
        ("school_status", "在校生状况"),
        ("out_of_school_reason", "未上学原因"),
        ("health", "健康状况"),
        ("chronic_diseases", "慢性病"),
        ("disability_grade", "残疾等级"),
        ("labour", "劳动技能"),
        ("work_status", "务工状况"),
        ("work_place", "务工所在地"),
        ("monthly_work_income", "务工收入"),
        ("phone", "联系电话"),
        ("cover", "参保与享受政策"),
        ("in_care_institution", "集中供养"),
        ("columns", "其他列"),
        ("monitoring", "监测对象类别"),
        ("monitoring_since", "识别监测时间"),
        ("risks", "风险类型"),
        ("risk_eliminated", "风险是否已消除"),
        ("elimination_method", "风险消除方式"),
        ("eliminated_in", "消除监测时间"),
        ("no_labour_support", "无劳动能力兜底"),
        ("housing", "住房与饮水"),
        ("measures", "帮扶措施"),
    ];
    NAMES
        .iter()
        .filter(|(key, _)| before.get(key) != after.get(key))
        .map(|(_, name)| *name)
        .collect()
}

/// The registry of a jurisdiction as the import compares against it.
struct Registry {
    households: HashMap<String, StoredHousehold>,
    people_by_household: HashMap<i64, Vec<StoredPersonRow>>,
    people_by_resident: HashMap<String, StoredPersonRow>,
    incomes: HashMap<i64, [i64; 6]>,
    village_by_code: HashMap<String, (String, String)>,
}

/// Writes planned for one import.
#[derive(Default)]
struct Writes {
    leaves: Vec<(i64, &'static str)>,
    household_updates: Vec<(i64, String, String, String, String)>,
    new_households: Vec<(String, String, String, String, String)>,
    incomes: Vec<(String, [i64; 6])>,
    person_updates: Vec<(i64, NewPerson)>,
    new_people: Vec<(String, NewPerson)>,
}

/// A person row to write.
#[derive(Clone)]
struct NewPerson {
    number: String,
    id_type: &'static str,
    id_number: String,
    resident_id: String,
    name: String,
    relation: Relation,
    sex: Sex,
    birth_date: String,
    facts: String,
}

impl NewPerson {
    fn of(person: &ExportPerson, household: &ExportHousehold, position: usize) -> Result<Self> {
        Ok(NewPerson {
            number: if person.number.is_empty() {
                format!("{}{:02}", household.number, position + 1)
            } else {
                person.number.clone()
            },
            id_type: person.id_type,
            id_number: person.id_number.clone(),
            resident_id: person.resident_id.clone(),
            name: person.name.clone(),
            relation: person.relation,
            sex: person.sex,
            birth_date: person.birth_date.format("%Y-%m-%d").to_string(),
            facts: serde_json::to_string(&person.record)
                .map_err(|e| Error::Internal(e.to_string()))?,
        })
    }

    /// The names of what differs from the stored row (人编号 only when the file has one).
    fn differences(&self, stored: &StoredPersonRow, file_has_number: bool) -> Result<Vec<&str>> {
        let mut changed = Vec::new();
        if file_has_number && self.number != stored.number {
            changed.push("人编号");
        }
        if self.id_type != stored.id_type || self.id_number != stored.id_number {
            changed.push("证件");
        }
        if self.name != stored.name {
            changed.push("姓名");
        }
        if self.relation.as_str() != stored.relation {
            changed.push("与户主关系");
        }
        let before: PersonRecord = Cell::at("people", stored.id, "facts").json(&stored.facts)?;
        let after: PersonRecord =
            serde_json::from_str(&self.facts).map_err(|e| Error::Internal(e.to_string()))?;
        if before != after {
            let a = serde_json::to_value(&before).map_err(|e| Error::Internal(e.to_string()))?;
            let b = serde_json::to_value(&after).map_err(|e| Error::Internal(e.to_string()))?;
            changed.extend(changed_keys(&a, &b));
        }
        Ok(changed)
    }
}

/// Rows stored by an import from which the planner's statistics are refreshed at once.
const BULK_ROWS: usize = 1_000;

impl Store {
    /// Imports households from the national export (or only plans it, `dry_run`): `file_errors`
    /// are the reader's problems, reported with the store's own (unknown village, another
    /// scope's household). Stores nothing unless asked and nothing is wrong; refuses with
    /// [`Error::InvalidImport`] when asked to store a file with problems.
    pub async fn import_households(
        &self,
        actor: &Actor,
        households: &[ExportHousehold],
        file_errors: &[RowError],
        as_of: NaiveDate,
        dry_run: bool,
    ) -> Result<HouseholdImport> {
        actor.require(Capability::ImportHouseholds)?;
        let scope = self.household_scope(actor).await?;
        let jurisdiction = scope.jurisdiction.clone().ok_or(Error::Forbidden)?;
        let mut tx = self.begin().await?;
        if tx.is_postgres() {
            // One import of a jurisdiction at a time: the plan is made on what is stored.
            on_tx!(&mut tx, |conn| {
                sqlx::query("SELECT code FROM jurisdictions WHERE code = $1 FOR UPDATE")
                    .bind(&jurisdiction)
                    .execute(&mut *conn)
                    .await?;
            });
        }
        let registry = load_registry(&mut tx, &jurisdiction, as_of.year()).await?;
        let areas: Vec<AreaRow> = on_tx!(&mut tx, |conn| {
            sqlx::query_as("SELECT code, level, name, path FROM areas WHERE jurisdiction_code = $1")
                .bind(&jurisdiction)
                .fetch_all(&mut *conn)
                .await?
        });
        let mut outcome = HouseholdImport {
            errors: file_errors.to_vec(),
            ..HouseholdImport::default()
        };
        let mut writes = Writes::default();
        plan(
            &registry,
            &areas,
            scope.path.as_deref(),
            households,
            &mut outcome,
            &mut writes,
        )?;
        outcome.errors.sort_by_key(|e| e.row);
        if dry_run || !outcome.errors.is_empty() {
            if !dry_run {
                return Err(Error::InvalidImport(outcome.errors));
            }
            return Ok(outcome);
        }
        apply(&mut tx, &jurisdiction, as_of, writes).await?;
        let numbers = |kind: ImportChangeKind| -> Vec<&str> {
            outcome
                .changes
                .iter()
                .filter(|c| c.kind == kind)
                .map(|c| c.household.as_str())
                .collect()
        };
        let people = |kind: ImportChangeKind| -> Vec<String> {
            outcome
                .changes
                .iter()
                .filter(|c| c.kind == kind)
                .map(|c| format!("{} {}", c.household, c.person))
                .collect()
        };
        append(
            &mut tx,
            AuditEntry::new(&actor.name, "household.import", "household", &jurisdiction)
                .in_jurisdiction(Some(&jurisdiction))
                .with_details(json!({
                    "as_of": as_of.to_string(),
                    "counts": outcome.counts,
                    "new_households": numbers(ImportChangeKind::NewHousehold),
                    "changed_households": numbers(ImportChangeKind::ChangedHousehold),
                    "changed_people": people(ImportChangeKind::ChangedPerson),
                    "moved_people": people(ImportChangeKind::MovedPerson),
                    "left_people": people(ImportChangeKind::LeftPerson),
                })),
        )
        .await?;
        tx.commit().await?;
        outcome.stored = true;
        // A county's registry arrives in one import: the lists and checks that follow should
        // not wait for autovacuum to learn about it. Refreshed beside the answer, not before
        // it (a vacuum of the registry takes seconds); a failed refresh loses nothing.
        if outcome.counts.new_people + outcome.counts.new_households >= BULK_ROWS {
            let store = self.clone();
            tokio::spawn(async move {
                if let Err(error) = store
                    .refresh_planner_statistics(&["households", "people"])
                    .await
                {
                    tracing::warn!(%error, "statistics not refreshed after the import");
                }
            });
        }
        Ok(outcome)
    }

    /// The households within the actor's scope (optionally one township or village) in the
    /// national export's layout, with their live members; the export is written to the audit
    /// log (ID numbers leave the system in full, as the national system's own export has them).
    pub async fn export_households(
        &self,
        actor: &Actor,
        area: Option<&str>,
        as_of: NaiveDate,
    ) -> Result<Vec<ExportHousehold>> {
        actor.require(Capability::ImportHouseholds)?;
        actor.require(Capability::ShowIdNumbers)?;
        let scope = self.household_scope(actor).await?;
        let jurisdiction = scope.jurisdiction.clone().ok_or(Error::Forbidden)?;
        if area.is_some_and(|a| !a.bytes().all(|b| b.is_ascii_digit())) {
            return Err(Error::invalid("area", "invalid_area", "区域代码应为数字"));
        }
        let mut tx = self.begin().await?;
        let registry = load_registry(&mut tx, &jurisdiction, as_of.year()).await?;
        let county: String = on_tx!(&mut tx, |conn| {
            sqlx::query_scalar("SELECT name FROM jurisdictions WHERE code = $1")
                .bind(&jurisdiction)
                .fetch_one(&mut *conn)
                .await?
        });
        let areas: Vec<AreaRow> = on_tx!(&mut tx, |conn| {
            sqlx::query_as("SELECT code, level, name, path FROM areas WHERE jurisdiction_code = $1")
                .bind(&jurisdiction)
                .fetch_all(&mut *conn)
                .await?
        });
        let names: HashMap<&str, &str> = areas
            .iter()
            .map(|a| (a.code.as_str(), a.name.as_str()))
            .collect();
        let mut list: Vec<&StoredHousehold> = registry
            .households
            .values()
            .filter(|h| {
                let Some((_, path)) = registry.village_by_code.get(&h.village_code) else {
                    return false;
                };
                scope.path.as_deref().is_none_or(|p| path.starts_with(p))
                    && area.is_none_or(|a| path.contains(&format!("/{a}/")))
            })
            .collect();
        list.sort_by(|a, b| (&a.village_code, &a.number).cmp(&(&b.village_code, &b.number)));
        let mut out = Vec::with_capacity(list.len());
        for h in list {
            let (_, path) = &registry.village_by_code[&h.village_code];
            let township = path
                .split('/')
                .find(|s| !s.is_empty())
                .and_then(|code| names.get(code))
                .copied()
                .unwrap_or("");
            let record: HouseholdRecord = Cell::at("households", h.id, "facts").json(&h.facts)?;
            let income = registry.incomes.get(&h.id).copied().unwrap_or_default();
            let mut members = Vec::new();
            let mut people = registry
                .people_by_household
                .get(&h.id)
                .cloned()
                .unwrap_or_default();
            people.sort_by_key(|p| (p.relation != "householder", p.id));
            for p in people {
                let cell = |column| Cell::at("people", p.id, column);
                members.push(ExportPerson {
                    row: 0,
                    number: p.number.clone(),
                    name: p.name.clone(),
                    id_type: if p.id_type == "disability_certificate" {
                        "disability_certificate"
                    } else {
                        "resident_id"
                    },
                    id_number: p.id_number.clone(),
                    resident_id: p.resident_id.clone(),
                    relation: cell("relation").code(&p.relation, Relation::parse)?,
                    sex: cell("sex").code(&p.sex, Sex::parse)?,
                    birth_date: cell("birth_date").date(&p.birth_date)?,
                    record: cell("facts").json(&p.facts)?,
                });
            }
            out.push(ExportHousehold {
                row: 0,
                county: county.clone(),
                township: township.to_owned(),
                village: names
                    .get(h.village_code.as_str())
                    .copied()
                    .unwrap_or("")
                    .to_owned(),
                number: h.number.clone(),
                village_cell: String::new(),
                household_type: Cell::at("households", h.id, "household_type")
                    .code(&h.household_type, HouseholdType::parse)?,
                phone: h.phone.clone(),
                record,
                income: IncomeRecord {
                    wage: income[0],
                    business: income[1],
                    property: income[2],
                    transfer: income[3],
                    compliant_spending: income[4],
                    recorded_per_capita: Some(income[5]),
                },
                members,
            });
        }
        append(
            &mut tx,
            AuditEntry::new(&actor.name, "household.export", "household", &jurisdiction)
                .in_jurisdiction(Some(&jurisdiction))
                .with_details(json!({"area": area, "households": out.len(),
                    "people": out.iter().map(|h| h.members.len()).sum::<usize>()})),
        )
        .await?;
        tx.commit().await?;
        Ok(out)
    }
}

/// Reads the jurisdiction's households, live people, the year's incomes and its villages.
async fn load_registry(tx: &mut Tx, jurisdiction: &str, year: i32) -> Result<Registry> {
    let households: Vec<StoredHousehold> = on_tx!(tx, |conn| {
        sqlx::query_as(
            "SELECT id, number, village_code, household_type, phone, facts FROM households \
             WHERE jurisdiction_code = $1",
        )
        .bind(jurisdiction)
        .fetch_all(&mut *conn)
        .await?
    });
    let people: Vec<StoredPersonRow> = on_tx!(tx, |conn| {
        sqlx::query_as(
            "SELECT p.id, p.household_id, p.number, p.id_type, p.id_number, p.resident_id, \
             p.name, p.relation, p.sex, p.birth_date, p.facts FROM people p \
             JOIN households h ON h.id = p.household_id \
             WHERE h.jurisdiction_code = $1 AND p.left_on IS NULL ORDER BY p.id",
        )
        .bind(jurisdiction)
        .fetch_all(&mut *conn)
        .await?
    });
    let incomes: Vec<StoredIncome> = on_tx!(tx, |conn| {
        sqlx::query_as(
            "SELECT i.household_id, i.wage_fen, i.business_fen, i.property_fen, \
             i.transfer_fen, i.self_pay_fen, i.per_capita_fen FROM household_incomes i \
             JOIN households h ON h.id = i.household_id \
             WHERE h.jurisdiction_code = $1 AND i.year = $2",
        )
        .bind(jurisdiction)
        .bind(year)
        .fetch_all(&mut *conn)
        .await?
    });
    let villages: Vec<(String, String, String)> = on_tx!(tx, |conn| {
        sqlx::query_as(
            "SELECT code, name, path FROM areas WHERE jurisdiction_code = $1 \
             AND level = 'village'",
        )
        .bind(jurisdiction)
        .fetch_all(&mut *conn)
        .await?
    });
    let mut registry = Registry {
        households: HashMap::with_capacity(households.len()),
        people_by_household: HashMap::new(),
        people_by_resident: HashMap::with_capacity(people.len()),
        incomes: incomes
            .into_iter()
            .map(|i| {
                (
                    i.household_id,
                    [
                        i.wage_fen,
                        i.business_fen,
                        i.property_fen,
                        i.transfer_fen,
                        i.self_pay_fen,
                        i.per_capita_fen,
                    ],
                )
            })
            .collect(),
        village_by_code: villages
            .into_iter()
            .map(|(code, name, path)| (code, (name, path)))
            .collect(),
    };
    for h in households {
        registry.households.insert(h.number.clone(), h);
    }
    for p in people {
        registry
            .people_by_household
            .entry(p.household_id)
            .or_default()
            .push(p.clone());
        registry.people_by_resident.insert(p.resident_id.clone(), p);
    }
    Ok(registry)
}

/// Compares the file with the registry: the changes, the problems and the writes.
fn plan(
    registry: &Registry,
    areas: &[AreaRow],
    scope_path: Option<&str>,
    households: &[ExportHousehold],
    outcome: &mut HouseholdImport,
    writes: &mut Writes,
) -> Result<()> {
    let townships: HashMap<&str, &AreaRow> = areas
        .iter()
        .filter(|a| a.level == "township")
        .map(|a| (a.name.as_str(), a))
        .collect();
    let mut villages: HashMap<(&str, &str), &AreaRow> = HashMap::new();
    for village in areas.iter().filter(|a| a.level == "village") {
        if let Some(town) = areas
            .iter()
            .find(|t| t.level == "township" && village.path.starts_with(&t.path))
        {
            villages.insert((town.name.as_str(), village.name.as_str()), village);
        }
    }
    let mut file_villages: Vec<&str> = Vec::new();
    let mut in_file: std::collections::HashSet<&str> = std::collections::HashSet::new();
    let counts = &mut outcome.counts;
    counts.households = households.len();
    counts.people = households.iter().map(|h| h.members.len()).sum();
    for household in households {
        in_file.insert(household.number.as_str());
        let problem = |message: String| RowError {
            row: household.row,
            cell: household.village_cell.clone(),
            column: "村".to_owned(),
            message,
        };
        let village = if household.township.is_empty() {
            let mut matching = villages
                .iter()
                .filter(|((_, v), _)| *v == household.village.as_str());
            match (matching.next(), matching.next()) {
                (Some((_, area)), None) => Some(*area),
                _ => None,
            }
        } else {
            villages
                .get(&(household.township.as_str(), household.village.as_str()))
                .copied()
        };
        let Some(village) = village else {
            let message = if !household.township.is_empty()
                && !townships.contains_key(household.township.as_str())
            {
                format!("乡镇“{}”不在本区划的区域中", household.township)
            } else {
                format!(
                    "行政村“{}{}”不在本区划的区域中，请先在区域管理中添加或核对村名",
                    household.township, household.village
                )
            };
            outcome.errors.push(problem(message));
            continue;
        };
        if scope_path.is_some_and(|p| !village.path.starts_with(p)) {
            outcome.errors.push(problem(format!(
                "行政村“{}”不在您的管辖范围内",
                household.village
            )));
            continue;
        }
        if !file_villages.contains(&village.code.as_str()) {
            file_villages.push(village.code.as_str());
        }
        let facts =
            serde_json::to_string(&household.record).map_err(|e| Error::Internal(e.to_string()))?;
        let income = income_columns(&household.income);
        let people: Vec<NewPerson> = household
            .members
            .iter()
            .enumerate()
            .map(|(i, p)| NewPerson::of(p, household, i))
            .collect::<Result<_>>()?;
        let change = |kind, row: Option<u32>, person: String, detail: String| ImportChange {
            kind,
            row,
            household: household.number.clone(),
            village: household.village.clone(),
            person,
            detail,
        };
        let who = |p: &NewPerson| format!("{} {}", p.name, mask(&p.resident_id));
        let Some(stored) = registry.households.get(&household.number) else {
            counts.new_households += 1;
            outcome.changes.push(change(
                ImportChangeKind::NewHousehold,
                Some(household.row),
                String::new(),
                format!("{}人", household.members.len()),
            ));
            for (person, new) in household.members.iter().zip(&people) {
                if let Some(before) = registry.people_by_resident.get(&new.resident_id) {
                    counts.moved_people += 1;
                    writes.leaves.push((before.id, "moved"));
                    outcome.changes.push(change(
                        ImportChangeKind::MovedPerson,
                        Some(person.row),
                        who(new),
                        "从他户迁入".to_owned(),
                    ));
                } else {
                    counts.new_people += 1;
                }
                writes
                    .new_people
                    .push((household.number.clone(), new.clone()));
            }
            writes.new_households.push((
                household.number.clone(),
                village.code.clone(),
                household.household_type.as_str().to_owned(),
                household.phone.clone(),
                facts,
            ));
            writes.incomes.push((household.number.clone(), income));
            continue;
        };
        if registry
            .village_by_code
            .get(&stored.village_code)
            .is_some_and(|(_, path)| scope_path.is_some_and(|p| !path.starts_with(p)))
        {
            outcome.errors.push(problem(format!(
                "户编号{}已登记在您管辖范围以外的村",
                household.number
            )));
            continue;
        }
        let mut changed: Vec<&str> = Vec::new();
        if stored.village_code != village.code {
            changed.push("所在村");
        }
        if stored.household_type != household.household_type.as_str() {
            changed.push("户类型");
        }
        if stored.phone != household.phone {
            changed.push("户联系电话");
        }
        let before: HouseholdRecord =
            Cell::at("households", stored.id, "facts").json(&stored.facts)?;
        if before != household.record {
            let a = serde_json::to_value(&before).map_err(|e| Error::Internal(e.to_string()))?;
            let b = serde_json::to_value(&household.record)
                .map_err(|e| Error::Internal(e.to_string()))?;
            changed.extend(changed_keys(&a, &b));
        }
        // No income row for the year is the same as an income of nothing.
        if registry
            .incomes
            .get(&stored.id)
            .copied()
            .unwrap_or_default()
            != income
        {
            changed.push("收入");
            writes.incomes.push((household.number.clone(), income));
        }
        let members = registry
            .people_by_household
            .get(&stored.id)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let mut person_changed = false;
        for (person, new) in household.members.iter().zip(&people) {
            match registry.people_by_resident.get(&new.resident_id) {
                Some(before) if before.household_id == stored.id => {
                    let differences = new.differences(before, !person.number.is_empty())?;
                    if !differences.is_empty() {
                        person_changed = true;
                        counts.changed_people += 1;
                        outcome.changes.push(change(
                            ImportChangeKind::ChangedPerson,
                            Some(person.row),
                            who(new),
                            differences.join("、"),
                        ));
                        let mut update = new.clone();
                        if person.number.is_empty() {
                            update.number = before.number.clone();
                        }
                        writes.person_updates.push((before.id, update));
                    }
                }
                Some(before) => {
                    person_changed = true;
                    counts.moved_people += 1;
                    writes.leaves.push((before.id, "moved"));
                    writes
                        .new_people
                        .push((household.number.clone(), new.clone()));
                    outcome.changes.push(change(
                        ImportChangeKind::MovedPerson,
                        Some(person.row),
                        who(new),
                        "从他户迁入".to_owned(),
                    ));
                }
                None => {
                    person_changed = true;
                    counts.new_people += 1;
                    writes
                        .new_people
                        .push((household.number.clone(), new.clone()));
                    outcome.changes.push(change(
                        ImportChangeKind::NewPerson,
                        Some(person.row),
                        who(new),
                        String::new(),
                    ));
                }
            }
        }
        for member in members {
            if !people.iter().any(|p| p.resident_id == member.resident_id) {
                person_changed = true;
                // A member moving to another household of the file is counted there.
                let moving = households.iter().any(|h| {
                    h.number != household.number
                        && h.members
                            .iter()
                            .any(|p| p.resident_id == member.resident_id)
                });
                if !moving {
                    counts.left_people += 1;
                    writes.leaves.push((member.id, "departed"));
                    outcome.changes.push(change(
                        ImportChangeKind::LeftPerson,
                        None,
                        format!("{} {}", member.name, mask(&member.resident_id)),
                        "导入日起不再是本户成员".to_owned(),
                    ));
                }
            }
        }
        if changed.is_empty() && !person_changed {
            counts.unchanged_households += 1;
            continue;
        }
        if !changed.is_empty() {
            counts.changed_households += 1;
            outcome.changes.push(change(
                ImportChangeKind::ChangedHousehold,
                Some(household.row),
                String::new(),
                changed.join("、"),
            ));
            writes.household_updates.push((
                stored.id,
                village.code.clone(),
                household.household_type.as_str().to_owned(),
                household.phone.clone(),
                facts,
            ));
        }
    }
    let mut absent: Vec<&StoredHousehold> = registry
        .households
        .values()
        .filter(|h| {
            file_villages.contains(&h.village_code.as_str()) && !in_file.contains(h.number.as_str())
        })
        .collect();
    absent.sort_by(|a, b| a.number.cmp(&b.number));
    for h in absent {
        counts.absent_households += 1;
        outcome.changes.push(ImportChange {
            kind: ImportChangeKind::AbsentHousehold,
            row: None,
            household: h.number.clone(),
            village: registry
                .village_by_code
                .get(&h.village_code)
                .map(|(name, _)| name.clone())
                .unwrap_or_default(),
            person: String::new(),
            detail: "未改动；如该户已销户，请另行办理".to_owned(),
        });
    }
    Ok(())
}

/// Stores the planned writes: leaves first, then updates (heads last), then new rows, so the
/// one-live-household and one-head indexes hold at every statement.
async fn apply(tx: &mut Tx, jurisdiction: &str, as_of: NaiveDate, writes: Writes) -> Result<()> {
    let now = time::now();
    let today = as_of.format("%Y-%m-%d").to_string();
    for (id, reason) in &writes.leaves {
        on_tx!(tx, |conn| {
            sqlx::query(
                "UPDATE people SET left_on = $1, left_reason = $2, version = version + 1, \
                 updated_at = $3 WHERE id = $4 AND left_on IS NULL",
            )
            .bind(&today)
            .bind(*reason)
            .bind(now)
            .bind(*id)
            .execute(&mut *conn)
            .await?;
        });
    }
    for (id, village, household_type, phone, facts) in &writes.household_updates {
        on_tx!(tx, |conn| {
            sqlx::query(
                "UPDATE households SET village_code = $1, household_type = $2, phone = $3, \
                 facts = $4, version = version + 1, updated_at = $5 WHERE id = $6",
            )
            .bind(village)
            .bind(household_type)
            .bind(phone)
            .bind(facts)
            .bind(now)
            .bind(*id)
            .execute(&mut *conn)
            .await?;
        });
    }
    let mut updates = writes.person_updates;
    updates.sort_by_key(|(_, p)| p.relation == Relation::Householder);
    for (id, p) in &updates {
        on_tx!(tx, |conn| {
            sqlx::query(
                "UPDATE people SET number = $1, id_type = $2, id_number = $3, name = $4, \
                 relation = $5, sex = $6, birth_date = $7, facts = $8, version = version + 1, \
                 updated_at = $9 WHERE id = $10",
            )
            .bind(&p.number)
            .bind(p.id_type)
            .bind(&p.id_number)
            .bind(&p.name)
            .bind(p.relation.as_str())
            .bind(p.sex.as_str())
            .bind(&p.birth_date)
            .bind(&p.facts)
            .bind(now)
            .bind(*id)
            .execute(&mut *conn)
            .await
            .map_err(|e| Error::unique_as_duplicate(e, "每户只能有一名户主"))?;
        });
    }
    let mut ids: HashMap<String, i64> = HashMap::new();
    for chunk in writes.new_households.chunks(BATCH) {
        let rows: Vec<(i64, String)> = on_tx!(tx, |conn| {
            let mut query = QueryBuilder::new(
                "INSERT INTO households (jurisdiction_code, village_code, number, \
                 household_type, phone, facts, created_at, updated_at) ",
            );
            query.push_values(chunk, |mut row, (number, village, kind, phone, facts)| {
                row.push_bind(jurisdiction.to_owned())
                    .push_bind(village.clone())
                    .push_bind(number.clone())
                    .push_bind(kind.clone())
                    .push_bind(phone.clone())
                    .push_bind(facts.clone())
                    .push_bind(now)
                    .push_bind(now);
            });
            query.push(" RETURNING id, number");
            query
                .build_query_as()
                .fetch_all(&mut *conn)
                .await
                .map_err(|e| {
                    Error::unique_as_duplicate(e, "户编号已存在（可能有另一导入同时进行），请重试")
                })?
        });
        ids.extend(rows.into_iter().map(|(id, number)| (number, id)));
    }
    let household_id = |number: &str, ids: &HashMap<String, i64>| -> Result<i64> {
        ids.get(number)
            .copied()
            .ok_or_else(|| Error::Internal(format!("household {number} not found after insert")))
    };
    // Households that already existed: their ids for incomes and new members.
    let existing: Vec<(i64, String)> = on_tx!(tx, |conn| {
        sqlx::query_as("SELECT id, number FROM households WHERE jurisdiction_code = $1")
            .bind(jurisdiction)
            .fetch_all(&mut *conn)
            .await?
    });
    for (id, number) in existing {
        ids.entry(number).or_insert(id);
    }
    let year = as_of.year();
    for (number, income) in &writes.incomes {
        let id = household_id(number, &ids)?;
        on_tx!(tx, |conn| {
            sqlx::query(
                "INSERT INTO household_incomes (household_id, year, wage_fen, business_fen, \
                 property_fen, transfer_fen, self_pay_fen, per_capita_fen) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                 ON CONFLICT (household_id, year) DO UPDATE SET wage_fen = excluded.wage_fen, \
                 business_fen = excluded.business_fen, property_fen = excluded.property_fen, \
                 transfer_fen = excluded.transfer_fen, self_pay_fen = excluded.self_pay_fen, \
                 per_capita_fen = excluded.per_capita_fen",
            )
            .bind(id)
            .bind(year)
            .bind(income[0])
            .bind(income[1])
            .bind(income[2])
            .bind(income[3])
            .bind(income[4])
            .bind(income[5])
            .execute(&mut *conn)
            .await?;
        });
    }
    let mut people = writes.new_people;
    people.sort_by_key(|(_, p)| p.relation == Relation::Householder);
    let people: Vec<(i64, NewPerson)> = people
        .into_iter()
        .map(|(number, p)| Ok((household_id(&number, &ids)?, p)))
        .collect::<Result<_>>()?;
    for chunk in people.chunks(BATCH) {
        on_tx!(tx, |conn| {
            let mut query = QueryBuilder::new(
                "INSERT INTO people (household_id, number, id_type, id_number, resident_id, \
                 name, relation, sex, birth_date, facts, joined_on, updated_at) ",
            );
            query.push_values(chunk, |mut row, (household, p)| {
                row.push_bind(*household)
                    .push_bind(p.number.clone())
                    .push_bind(p.id_type)
                    .push_bind(p.id_number.clone())
                    .push_bind(p.resident_id.clone())
                    .push_bind(p.name.clone())
                    .push_bind(p.relation.as_str())
                    .push_bind(p.sex.as_str())
                    .push_bind(p.birth_date.clone())
                    .push_bind(p.facts.clone())
                    .push_bind(today.clone())
                    .push_bind(now);
            });
            query.build().execute(&mut *conn).await.map_err(|e| {
                Error::unique_as_duplicate(
                    e,
                    "有人员已登记在其他户或本户已有户主（可能有另一导入同时进行），请重试",
                )
            })?;
        });
    }
    Ok(())
}
