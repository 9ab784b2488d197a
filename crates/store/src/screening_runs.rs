//! Screening runs (预警, decision 0035): the rulebook's monitoring triggers over the registry
//! (the jurisdiction or one township, this year's incomes against last year's) or over a
//! department's list matched by ID number (医保's hospital self-paid spending through the
//! spending trigger, any other list for every person found). One run is stored with its counts
//! and audited once; each household that fires gets a new clue or its live clue the new reasons.

use crate::audit::append;
use crate::screenings::{Raised, entry, monitoring_rules, raise};
use crate::stored::{self};
use crate::{DepartmentRow, Error, Result, ScreeningOutcome, ScreeningRun, Store};
use chrono::NaiveDate;
use jixiao_core::assistance::IdNumber;
use jixiao_core::assistance::export::RowError;
use jixiao_core::assistance::id_number::DisabilityCertificateNumber;
use jixiao_core::assistance::monitoring::{self as rules, ClueReason, Fired, ScreeningFacts};
use jixiao_core::assistance::registry::Department;
use jixiao_core::audit::AuditEntry;
use jixiao_core::{Actor, Capability, Role, time};
use serde_json::json;
use sqlx::QueryBuilder;
use std::collections::HashMap;

impl Store {
    /// Runs the registry triggers over the jurisdiction (or one township) on the incomes of
    /// `year` against `year - 1`, raising or merging a clue for each household that fires.
    pub async fn run_screening(
        &self,
        actor: &Actor,
        township: Option<&str>,
        year: i32,
        today: NaiveDate,
    ) -> Result<ScreeningOutcome> {
        actor.require(Capability::RunScreenings)?;
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
        if !(2000..=2100).contains(&year) {
            return Err(Error::invalid("year", "out_of_range", "年度有误"));
        }
        let rules = monitoring_rules()?;
        type IncomeLine = (i64, Option<i64>, Option<i64>, Option<i64>, Option<i64>);
        let lines: Vec<IncomeLine> = on_pool!(&self.pool, |pool| {
            let mut query = QueryBuilder::new(
                "SELECT h.id, i.per_capita_fen, p.per_capita_fen, \
                 i.wage_fen + i.business_fen + i.property_fen + i.transfer_fen, i.self_pay_fen \
                 FROM households h JOIN areas ar ON ar.code = h.village_code \
                 LEFT JOIN household_incomes i ON i.household_id = h.id AND i.year = ",
            );
            query.push_bind(year);
            query.push(" LEFT JOIN household_incomes p ON p.household_id = h.id AND p.year = ");
            query.push_bind(year - 1);
            query
                .push(" WHERE h.jurisdiction_code = ")
                .push_bind(jurisdiction.clone());
            if let Some(code) = township {
                query
                    .push(" AND ar.path LIKE ")
                    .push_bind(format!("%/{code}/%"));
            }
            query.push(" ORDER BY h.id");
            query.build_query_as().fetch_all(pool).await?
        });
        let mut fired = Vec::new();
        for (household, per_capita, last, gross, self_paid) in &lines {
            let facts = ScreeningFacts {
                per_capita: *per_capita,
                last_per_capita: *last,
                gross_income: gross.unwrap_or(0),
                self_paid: self_paid.unwrap_or(0),
            };
            let reasons = rules::screen(&rules, &facts);
            if !reasons.is_empty() {
                fired.push((*household, reasons));
            }
        }
        let source = "registry".to_owned();
        let households = i64::try_from(lines.len()).unwrap_or(i64::MAX);
        self.store_screening(
            actor,
            &jurisdiction,
            township,
            &source,
            year,
            today,
            (households, households, 0),
            fired,
        )
        .await
    }

    /// Matches a department's list (医保 hospital spending, 残联 new certificates …) against
    /// the registry by ID number and raises a clue for each matched person's household: for a
    /// medical list with amounts, when the self-paid amount passes the spending trigger; for any
    /// other list, for every match. A list with unreadable rows is refused whole.
    pub async fn screen_department_list(
        &self,
        actor: &Actor,
        department: &str,
        rows: &[DepartmentRow],
        file_errors: &[RowError],
        year: i32,
        today: NaiveDate,
    ) -> Result<ScreeningOutcome> {
        actor.require(Capability::RunScreenings)?;
        let jurisdiction = actor.jurisdiction.clone().ok_or(Error::Forbidden)?;
        let department = Department::ALL
            .iter()
            .copied()
            .find(|d| d.as_str() == department.trim() || d.label() == department.trim())
            .ok_or_else(|| Error::invalid("department", "unknown", "请选择部门"))?;
        let mut errors = file_errors.to_vec();
        let rules = monitoring_rules()?;
        let people: Vec<(String, i64, Option<i64>)> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(
                "SELECT p.resident_id, p.household_id, \
                 i.wage_fen + i.business_fen + i.property_fen + i.transfer_fen \
                 FROM people p JOIN households h ON h.id = p.household_id \
                 LEFT JOIN household_incomes i ON i.household_id = h.id AND i.year = $2 \
                 WHERE h.jurisdiction_code = $1 AND p.left_on IS NULL",
            )
            .bind(&jurisdiction)
            .bind(year)
            .fetch_all(pool)
            .await?
        });
        let members: HashMap<String, (i64, i64)> = people
            .into_iter()
            .map(|(id, household, gross)| (id, (household, gross.unwrap_or(0))))
            .collect();
        let mut not_in_registry = 0i64;
        let mut by_household: Vec<(i64, Vec<Fired>)> = Vec::new();
        let mut matched = std::collections::HashSet::new();
        for row in rows {
            let resident = if row.id_number.chars().count() == 20 {
                DisabilityCertificateNumber::parse(&row.id_number, today).map(|c| c.id)
            } else {
                IdNumber::parse(&row.id_number, today)
            };
            let resident = match resident {
                Ok(id) => id,
                Err(e) => {
                    errors.push(RowError {
                        row: row.row,
                        cell: row.id_cell.clone(),
                        column: "证件号码".to_owned(),
                        message: e.to_string(),
                    });
                    continue;
                }
            };
            let Some((household, gross)) = members.get(resident.as_str()).copied() else {
                not_in_registry += 1;
                continue;
            };
            matched.insert(household);
            let what = row.policy.trim();
            let fired = if department == Department::MedicalInsurance && row.amount_fen > 0 {
                rules::spending(&rules, row.amount_fen, gross).map(|mut f| {
                    f.reason = ClueReason::DepartmentList;
                    f.message = format!("{}名单（{what}）：{}", department.label(), f.message);
                    f
                })
            } else {
                Some(Fired {
                    reason: ClueReason::DepartmentList,
                    message: format!("{}名单：{what}", department.label()),
                    data: json!({"department": department.as_str(), "item": what,
                        "amount_fen": row.amount_fen, "from": row.from.to_string()}),
                })
            };
            if let Some(f) = fired {
                match by_household.iter_mut().find(|(h, _)| *h == household) {
                    Some((_, list)) => list.push(f),
                    None => by_household.push((household, vec![f])),
                }
            }
        }
        if !errors.is_empty() {
            errors.sort_by_key(|e| e.row);
            return Err(Error::InvalidImport(errors));
        }
        let read = i64::try_from(rows.len()).unwrap_or(i64::MAX);
        let matched = i64::try_from(matched.len()).unwrap_or(i64::MAX);
        self.store_screening(
            actor,
            &jurisdiction,
            None,
            department.as_str(),
            year,
            today,
            (matched, read, not_in_registry),
            by_household,
        )
        .await
    }

    /// Stores a run and its clues in one transaction, audited once.
    #[allow(clippy::too_many_arguments)]
    async fn store_screening(
        &self,
        actor: &Actor,
        jurisdiction: &str,
        township: Option<&str>,
        source: &str,
        year: i32,
        today: NaiveDate,
        (households, rows_read, not_in_registry): (i64, i64, i64),
        fired: Vec<(i64, Vec<Fired>)>,
    ) -> Result<ScreeningOutcome> {
        let by = format!("筛查（{}）", actor.name);
        let mut tx = self.begin().await?;
        let run: i64 = on_tx!(&mut tx, |conn| {
            sqlx::query_scalar(
                "INSERT INTO screening_runs (jurisdiction_code, township_code, source, year, \
                 as_of, started_by, started_at, households, rows_read, not_in_registry) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            )
            .bind(jurisdiction)
            .bind(township)
            .bind(source)
            .bind(year)
            .bind(today.to_string())
            .bind(&actor.name)
            .bind(time::now())
            .bind(households)
            .bind(rows_read)
            .bind(not_in_registry)
            .fetch_one(&mut *conn)
            .await?
        });
        let (mut new, mut merged) = (0i64, 0i64);
        let mut ids = Vec::new();
        for (household, reasons) in fired {
            let reasons = reasons.iter().map(|f| entry(f, today, &by)).collect();
            match raise(
                &mut tx,
                jurisdiction,
                household,
                reasons,
                false,
                today,
                &by,
                Some(run),
            )
            .await?
            {
                Raised::New(id) => {
                    new += 1;
                    ids.push(id);
                }
                Raised::Merged(id) => {
                    merged += 1;
                    ids.push(id);
                }
                Raised::Unchanged(id) => ids.push(id),
            }
        }
        on_tx!(&mut tx, |conn| {
            sqlx::query(
                "UPDATE screening_runs SET clues_new = $1, clues_merged = $2 WHERE id = $3",
            )
            .bind(new)
            .bind(merged)
            .bind(run)
            .execute(&mut *conn)
            .await?;
        });
        append(
            &mut tx,
            AuditEntry::new(&actor.name, "screening.run", "screening", &run.to_string())
                .in_jurisdiction(Some(jurisdiction))
                .with_details(json!({"source": source, "township": township, "year": year,
                    "households": households, "clues_new": new, "clues_merged": merged})),
        )
        .await?;
        tx.commit().await?;
        let run_row: Option<ScreeningRun> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(
                "SELECT id, source, township_code, year, as_of, started_by, households, \
                 rows_read, not_in_registry, clues_new, clues_merged FROM screening_runs \
                 WHERE id = $1",
            )
            .bind(run)
            .fetch_optional(pool)
            .await?
        });
        let run = stored::one(run_row)?.ok_or_else(|| Error::NotFound("筛查不存在".to_owned()))?;
        let mut clues = Vec::with_capacity(ids.len());
        for id in ids.into_iter().take(500) {
            clues.push(self.clue(actor, id, today).await?);
        }
        Ok(ScreeningOutcome { run, clues })
    }
}
