//! Importing a department's list of who enjoys its policies (享受政策名单) into the enjoyment
//! records the coverage check reads: each row's person is found by resident ID among the
//! jurisdiction's live members (people not in the registry are counted and skipped — a
//! department's roll covers the whole county), its policy by name or code in the assistance
//! rulebook and only among the department's own policies; a row already recorded is no change.
//! Planned first; stored only when asked and nothing is wrong, in one transaction, audited once.

use crate::audit::append;
use crate::{Error, POLICY_CHECK_RULEBOOK, Result, Store};
use chrono::NaiveDate;
use jixiao_core::assistance::export::RowError;
use jixiao_core::assistance::id_number::DisabilityCertificateNumber;
use jixiao_core::assistance::registry::Department;
use jixiao_core::assistance::{AssistanceRules, IdNumber, Scope};
use jixiao_core::audit::AuditEntry;
use jixiao_core::{Actor, Capability, time};
use serde::Serialize;
use serde_json::json;
use sqlx::QueryBuilder;
use std::collections::{HashMap, HashSet};

/// One row of the list as the import reads it (from `interop::enjoyment_list`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnjoymentRow {
    /// The sheet row, from 1.
    pub row: u32,
    /// 证件号码 as written.
    pub id_number: String,
    /// Its cell.
    pub id_cell: String,
    /// 政策 as written (name or code).
    pub policy: String,
    /// Its cell.
    pub policy_cell: String,
    /// First day covered.
    pub from: NaiveDate,
    /// Last day covered.
    pub to: Option<NaiveDate>,
    /// Amount, fen.
    pub amount_fen: i64,
}

/// What an enjoyment import did or would do.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct EnjoymentImport {
    /// Whether anything was stored.
    pub stored: bool,
    /// The department the records are of.
    pub department: String,
    /// Rows read.
    pub rows: usize,
    /// New records.
    pub new_records: usize,
    /// Rows already recorded.
    pub unchanged: usize,
    /// Rows whose person is not a live member of the registry (skipped).
    pub not_in_registry: usize,
    /// Every problem, by cell.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub errors: Vec<RowError>,
}

impl Store {
    /// Imports (or plans, `dry_run`) a department's list. A sector user records its own
    /// department's policies; the county office names the department.
    pub async fn import_enjoyments(
        &self,
        actor: &Actor,
        department: Option<&str>,
        rows: &[EnjoymentRow],
        file_errors: &[RowError],
        dry_run: bool,
    ) -> Result<EnjoymentImport> {
        actor.require(Capability::RecordEnjoyments)?;
        let jurisdiction = actor.jurisdiction.clone().ok_or(Error::Forbidden)?;
        let department = match self.sector_department(actor).await? {
            Some(own) => Department::parse(&own).ok_or(Error::Forbidden)?,
            None => department
                .and_then(|d| {
                    Department::ALL
                        .iter()
                        .copied()
                        .find(|x| x.as_str() == d.trim() || x.label() == d.trim())
                })
                .ok_or_else(|| Error::invalid("department", "unknown", "请选择部门"))?,
        };
        let rules = AssistanceRules::shipped(POLICY_CHECK_RULEBOOK)
            .ok_or_else(|| Error::Internal("assistance rulebook missing".to_owned()))?
            .map_err(|e| Error::Internal(e.to_string()))?;
        let today = time::today();
        let mut outcome = EnjoymentImport {
            department: department.label().to_owned(),
            rows: rows.len() + file_errors.len(),
            errors: file_errors.to_vec(),
            ..EnjoymentImport::default()
        };
        // Live members of the jurisdiction by resident ID.
        let people: Vec<(String, i64, i64)> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(
                "SELECT p.resident_id, p.id, p.household_id FROM people p \
                 JOIN households h ON h.id = p.household_id \
                 WHERE h.jurisdiction_code = $1 AND p.left_on IS NULL",
            )
            .bind(&jurisdiction)
            .fetch_all(pool)
            .await?
        });
        let members: HashMap<String, (i64, i64)> = people
            .into_iter()
            .map(|(id, person, household)| (id, (person, household)))
            .collect();
        let existing: Vec<(i64, Option<i64>, String, String)> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(
                "SELECT e.household_id, e.person_id, e.policy, e.from_date FROM enjoyments e \
                 JOIN households h ON h.id = e.household_id WHERE h.jurisdiction_code = $1",
            )
            .bind(&jurisdiction)
            .fetch_all(pool)
            .await?
        });
        let mut known: HashSet<(i64, Option<i64>, String, String)> = existing.into_iter().collect();
        let mut new = Vec::new();
        for row in rows {
            let problem = |cell: &str, column: &str, message: String| RowError {
                row: row.row,
                cell: cell.to_owned(),
                column: column.to_owned(),
                message,
            };
            let Some(policy) = rules
                .policies
                .iter()
                .find(|p| p.code == row.policy.trim() || p.name == row.policy.trim())
            else {
                outcome.errors.push(problem(
                    &row.policy_cell,
                    "政策",
                    format!("政策“{}”不在帮扶政策规则中", row.policy.trim()),
                ));
                continue;
            };
            if policy.department != department {
                outcome.errors.push(problem(
                    &row.policy_cell,
                    "政策",
                    format!(
                        "“{}”由{}记录，不是{}的政策",
                        policy.name,
                        policy.department.label(),
                        department.label()
                    ),
                ));
                continue;
            }
            let resident = if row.id_number.chars().count() == 20 {
                DisabilityCertificateNumber::parse(&row.id_number, today).map(|c| c.id)
            } else {
                IdNumber::parse(&row.id_number, today)
            };
            let resident = match resident {
                Ok(id) => id,
                Err(e) => {
                    outcome
                        .errors
                        .push(problem(&row.id_cell, "证件号码", e.to_string()));
                    continue;
                }
            };
            let Some((person, household)) = members.get(resident.as_str()).copied() else {
                outcome.not_in_registry += 1;
                continue;
            };
            let person = (policy.scope == Scope::Person).then_some(person);
            let key = (
                household,
                person,
                policy.code.clone(),
                row.from.format("%Y-%m-%d").to_string(),
            );
            if !known.insert(key.clone()) {
                outcome.unchanged += 1;
                continue;
            }
            new.push((key, row.to, row.amount_fen));
        }
        outcome.errors.sort_by_key(|e| e.row);
        outcome.new_records = new.len();
        if dry_run {
            return Ok(outcome);
        }
        if !outcome.errors.is_empty() {
            return Err(Error::InvalidImport(outcome.errors));
        }
        let now = time::now();
        let mut tx = self.begin().await?;
        for chunk in new.chunks(400) {
            on_tx!(&mut tx, |conn| {
                let mut query = QueryBuilder::new(
                    "INSERT INTO enjoyments (household_id, person_id, policy, from_date, \
                     to_date, amount_fen, department, recorded_at) ",
                );
                query.push_values(
                    chunk,
                    |mut b, ((household, person, policy, from), to, amount)| {
                        b.push_bind(*household)
                            .push_bind(*person)
                            .push_bind(policy.clone())
                            .push_bind(from.clone())
                            .push_bind(to.map(|d| d.format("%Y-%m-%d").to_string()))
                            .push_bind(*amount)
                            .push_bind(department.as_str())
                            .push_bind(now);
                    },
                );
                query.build().execute(&mut *conn).await?;
            });
        }
        append(
            &mut tx,
            AuditEntry::new(
                &actor.name,
                "enjoyment.import",
                "jurisdiction",
                &jurisdiction,
            )
            .in_jurisdiction(Some(&jurisdiction))
            .with_details(json!({
                "department": department.as_str(), "rows": outcome.rows,
                "new": outcome.new_records, "unchanged": outcome.unchanged,
                "not_in_registry": outcome.not_in_registry,
            })),
        )
        .await?;
        tx.commit().await?;
        outcome.stored = true;
        Ok(outcome)
    }
}
