//! Indicators fed from records (issue 19 item 6, decision 0046): binding an output indicator of a
//! project to a count over the assistance records, the value that count has on a day, and the
//! records that make it. Monitoring reports and self-evaluations read the computed values from
//! here; an entry that differs needs a written reason (checked where they are saved).

use crate::audit::append;
use crate::{Error, Result, Store};
use chrono::{Datelike, NaiveDate};
use jixiao_core::assistance::monitoring::{MeasureKind, MeasureStatus};
use jixiao_core::audit::AuditEntry;
use jixiao_core::indicator_binding::{RecordMeasure, check_binding};
use jixiao_core::{Actor, Capability, time};
use serde::Serialize;
use serde_json::json;
use sqlx::QueryBuilder;

/// An indicator's binding as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Binding {
    /// The indicator's row in the sheet (from 1).
    pub row_no: i32,
    /// The indicator's name when it was bound.
    pub indicator_name: String,
    /// What it counts.
    pub measure: RecordMeasure,
    /// Who bound it.
    pub bound_by: String,
    /// When, microseconds.
    pub bound_at: i64,
}

/// A bound indicator's value on a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ComputedValue {
    /// The indicator's row (from 1).
    pub row_no: i32,
    /// The measure's code.
    pub measure: String,
    /// The measure as users read it.
    pub label: String,
    /// The count.
    pub value: i64,
    /// Its unit (户 or 人).
    pub unit: String,
    /// The day it counts to (the year's records from 1 January).
    pub as_of: NaiveDate,
    /// The page listing the records that make it.
    pub source: String,
}

/// One record behind a computed value: a household (with its measures charged to the project,
/// or its courtyard), a post holder or a child.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BoundRecord {
    /// The household, for a household count.
    pub household_id: Option<i64>,
    /// 户编号, or the registry member's or child's number.
    pub number: String,
    /// The householder's, holder's or child's name shortened to the surname (the list is read
    /// outside the assistance office).
    pub name: String,
    /// 村, or the post held.
    pub place: String,
    /// What counts it: the measures as `类别（状态）` joined by `；`, the post, the visits.
    pub detail: String,
}

#[derive(sqlx::FromRow)]
struct BindingRow {
    row_no: i32,
    indicator_name: String,
    measure: String,
    bound_by: String,
    bound_at: i64,
}

impl Store {
    /// The bindings of a project the actor may read.
    pub async fn indicator_bindings(&self, actor: &Actor, project_id: i64) -> Result<Vec<Binding>> {
        self.project(actor, project_id).await?;
        self.bindings_of(project_id).await
    }

    /// The bindings of a project, for callers that have checked access.
    pub(crate) async fn bindings_of(&self, project_id: i64) -> Result<Vec<Binding>> {
        let rows: Vec<BindingRow> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(
                "SELECT row_no, indicator_name, measure, bound_by, bound_at \
                 FROM indicator_bindings WHERE project_id = $1 ORDER BY row_no",
            )
            .bind(project_id)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|r| {
                let measure =
                    RecordMeasure::parse(&r.measure).ok_or_else(|| Error::Unreadable {
                        table: "indicator_bindings",
                        row: format!("project_id={project_id},row_no={}", r.row_no),
                        column: "measure",
                        value: r.measure.clone(),
                    })?;
                Ok(Binding {
                    row_no: r.row_no,
                    indicator_name: r.indicator_name,
                    measure,
                    bound_by: r.bound_by,
                    bound_at: r.bound_at,
                })
            })
            .collect()
    }

    /// Binds row `row_no` of the project's working sheet to `measure` (the project's agency or
    /// the finance bureau). Only a quantitative output indicator in a fitting unit is bound; a
    /// row bound before is rebound. Audited.
    pub async fn bind_indicator(
        &self,
        actor: &Actor,
        project_id: i64,
        row_no: i32,
        measure: &str,
    ) -> Result<Vec<Binding>> {
        may_bind(actor)?;
        let project = self.project(actor, project_id).await?;
        let measure = RecordMeasure::parse(measure.trim()).ok_or_else(|| {
            Error::invalid(
                "measure",
                "unknown_measure",
                "取数口径不存在，请从列表中选择",
            )
        })?;
        let sheet = self
            .target_sheet(project_id, project.target_revision)
            .await?;
        let indicator = usize::try_from(row_no)
            .ok()
            .and_then(|n| n.checked_sub(1))
            .and_then(|i| sheet.indicators.get(i))
            .ok_or_else(|| {
                Error::invalid(
                    "row_no",
                    "no_such_row",
                    format!("绩效目标表没有第{row_no}行指标"),
                )
            })?;
        check_binding(
            &indicator.level1,
            indicator.op.as_str(),
            &indicator.unit,
            measure,
        )
        .map_err(|refusal| Error::invalid("row_no", refusal.code(), refusal.message()))?;
        let mut tx = self.begin().await?;
        // One statement, so two people binding the same row at once both succeed (the later
        // binding stands) instead of one meeting the primary key.
        on_tx!(&mut tx, |conn| {
            sqlx::query(
                "INSERT INTO indicator_bindings \
                 (project_id, row_no, indicator_name, measure, bound_by, bound_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (project_id, row_no) DO UPDATE \
                 SET indicator_name = excluded.indicator_name, measure = excluded.measure, \
                 bound_by = excluded.bound_by, bound_at = excluded.bound_at",
            )
            .bind(project_id)
            .bind(row_no)
            .bind(&indicator.name)
            .bind(measure.code())
            .bind(&actor.name)
            .bind(time::now())
            .execute(&mut *conn)
            .await?;
        });
        append(
            &mut tx,
            AuditEntry::new(
                &actor.name,
                "indicator.bind",
                "project",
                &project_id.to_string(),
            )
            .in_jurisdiction(Some(&project.jurisdiction_code))
            .with_details(json!({"row_no": row_no, "indicator": indicator.name,
                                 "measure": measure.code()})),
        )
        .await?;
        tx.commit().await?;
        self.bindings_of(project_id).await
    }

    /// Removes the binding of row `row_no` (as [`Store::bind_indicator`]). Audited; a row not
    /// bound is a 404.
    pub async fn unbind_indicator(
        &self,
        actor: &Actor,
        project_id: i64,
        row_no: i32,
    ) -> Result<Vec<Binding>> {
        may_bind(actor)?;
        let project = self.project(actor, project_id).await?;
        let mut tx = self.begin().await?;
        let removed = on_tx!(&mut tx, |conn| {
            sqlx::query("DELETE FROM indicator_bindings WHERE project_id = $1 AND row_no = $2")
                .bind(project_id)
                .bind(row_no)
                .execute(&mut *conn)
                .await?
                .rows_affected()
        });
        if removed == 0 {
            return Err(Error::NotFound(format!("第{row_no}行指标未设置取数")));
        }
        append(
            &mut tx,
            AuditEntry::new(
                &actor.name,
                "indicator.unbind",
                "project",
                &project_id.to_string(),
            )
            .in_jurisdiction(Some(&project.jurisdiction_code))
            .with_details(json!({"row_no": row_no})),
        )
        .await?;
        tx.commit().await?;
        self.bindings_of(project_id).await
    }

    /// The computed value of every bound row of the sheet in use (its indicators' names) on `as_of`,
    /// counting the year of `as_of` from 1 January; a binding whose indicator was renamed or
    /// moved does not apply. No actor: the caller has checked access to the project.
    pub(crate) async fn computed_values(
        &self,
        project_id: i64,
        indicator_names: &[&str],
        as_of: NaiveDate,
    ) -> Result<Vec<ComputedValue>> {
        let mut values = Vec::new();
        for binding in self.bindings_of(project_id).await? {
            let applies = usize::try_from(binding.row_no)
                .ok()
                .and_then(|n| n.checked_sub(1))
                .and_then(|i| indicator_names.get(i))
                .is_some_and(|name| *name == binding.indicator_name);
            if !applies {
                continue;
            }
            let records = self
                .records_counted(project_id, binding.measure, as_of)
                .await?;
            values.push(ComputedValue {
                row_no: binding.row_no,
                measure: binding.measure.code(),
                label: binding.measure.label(),
                value: i64::try_from(records.len()).unwrap_or(i64::MAX),
                unit: binding.measure.counted().unit().to_owned(),
                as_of,
                source: format!(
                    "/projects/{project_id}/indicators/{}/records?as_of={as_of}",
                    binding.row_no
                ),
            });
        }
        Ok(values)
    }

    /// The computed values of the bound rows of the project's working sheet on `as_of`, for a
    /// reader of the project.
    pub async fn bound_values(
        &self,
        actor: &Actor,
        project_id: i64,
        as_of: NaiveDate,
    ) -> Result<Vec<ComputedValue>> {
        let project = self.project(actor, project_id).await?;
        let sheet = self
            .target_sheet(project_id, project.target_revision)
            .await?;
        let names: Vec<&str> = sheet.indicators.iter().map(|i| i.name.as_str()).collect();
        self.computed_values(project_id, &names, as_of).await
    }

    /// The records that make row `row_no`'s value on `as_of`, for a reader of the project.
    pub async fn bound_records(
        &self,
        actor: &Actor,
        project_id: i64,
        row_no: i32,
        as_of: NaiveDate,
    ) -> Result<(Binding, Vec<BoundRecord>)> {
        self.project(actor, project_id).await?;
        let binding = self
            .bindings_of(project_id)
            .await?
            .into_iter()
            .find(|b| b.row_no == row_no)
            .ok_or_else(|| Error::NotFound(format!("第{row_no}行指标未设置取数")))?;
        let records = self
            .records_counted(project_id, binding.measure, as_of)
            .await?;
        Ok((binding, records))
    }

    /// The records `measure` counts for the project on `as_of` (the year of `as_of` from
    /// 1 January): households whose current plan has a measure charged to the project in force
    /// in that time, post holders of the project's posts in the year, passing courtyards and
    /// children visited on schedule in the project's jurisdiction in the year.
    async fn records_counted(
        &self,
        project_id: i64,
        measure: RecordMeasure,
        as_of: NaiveDate,
    ) -> Result<Vec<BoundRecord>> {
        let year = as_of.year();
        let (kind, done_only) = match measure {
            RecordMeasure::HouseholdsWithMeasures => (None, false),
            RecordMeasure::HouseholdsWithMeasuresDone => (None, true),
            RecordMeasure::HouseholdsWithMeasureOfKind(kind) => (Some(kind.as_str()), false),
            RecordMeasure::PostHolders => {
                return Ok(self
                    .post_holders_charged_to(project_id, year)
                    .await?
                    .into_iter()
                    .map(|h| BoundRecord {
                        household_id: None,
                        number: h.person_id.to_string(),
                        name: surname_only(&h.name),
                        place: h.post.clone(),
                        detail: format!("{year}年在岗"),
                    })
                    .collect());
            }
            RecordMeasure::CourtyardsPassing => {
                let jurisdiction = self.project_by_id(project_id).await?.jurisdiction_code;
                let ids = self.courtyards_passing(&jurisdiction, year).await?;
                return self
                    .household_records(&ids, &format!("{year}年洁净庭院检查达标"))
                    .await;
            }
            RecordMeasure::ChildrenOnSchedule => {
                let jurisdiction = self.project_by_id(project_id).await?.jurisdiction_code;
                return Ok(self
                    .children_visited_per_schedule(&jurisdiction, year)
                    .await?
                    .into_iter()
                    .map(|(id, name)| BoundRecord {
                        household_id: None,
                        number: id.to_string(),
                        name: surname_only(&name),
                        place: String::new(),
                        detail: format!("{year}年家访次数达到要求"),
                    })
                    .collect());
            }
        };
        let year_start = format!("{year:04}-01-01");
        let rows: Vec<(i64, String, String, String, String, String)> =
            on_pool!(&self.pool, |pool| {
                sqlx::query_as(
                    "SELECT h.id, h.number, COALESCE(hp.name, ''), ar.name, m.kind, \
                     m.status FROM risk_measures m \
                     JOIN risk_cases k ON k.id = m.case_id AND k.plan_version = m.plan_version \
                     JOIN households h ON h.id = k.household_id \
                     JOIN areas ar ON ar.code = h.village_code \
                     LEFT JOIN people hp ON hp.household_id = h.id AND hp.left_on IS NULL \
                     AND hp.relation = 'householder' \
                     WHERE m.project_id = $1 AND m.start_on <= $2 AND m.end_on >= $3 \
                     AND ($4 = '' OR m.kind = $4) AND ($5 = 0 OR m.status = 'done') \
                     ORDER BY h.number, m.position",
                )
                .bind(project_id)
                .bind(as_of.to_string())
                .bind(&year_start)
                .bind(kind.unwrap_or(""))
                .bind(i32::from(done_only))
                .fetch_all(pool)
                .await?
            });
        let mut records: Vec<BoundRecord> = Vec::new();
        for (household_id, number, head, village, kind, status) in rows {
            let what = format!(
                "{}（{}）",
                MeasureKind::parse(&kind).map_or(kind.as_str(), |k| k.label()),
                MeasureStatus::parse(&status).map_or(status.as_str(), |s| s.label()),
            );
            match records.last_mut() {
                Some(last) if last.household_id == Some(household_id) => {
                    last.detail.push('；');
                    last.detail.push_str(&what);
                }
                _ => records.push(BoundRecord {
                    household_id: Some(household_id),
                    number,
                    name: surname_only(&head),
                    place: village,
                    detail: what,
                }),
            }
        }
        Ok(records)
    }

    /// The households `ids` as records, each with `detail`.
    async fn household_records(&self, ids: &[i64], detail: &str) -> Result<Vec<BoundRecord>> {
        let mut records = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let rows: Vec<(i64, String, String, String)> = on_pool!(&self.pool, |pool| {
                let mut query: QueryBuilder<_> = QueryBuilder::new(
                    "SELECT h.id, h.number, COALESCE(hp.name, ''), ar.name FROM households h \
                     JOIN areas ar ON ar.code = h.village_code \
                     LEFT JOIN people hp ON hp.household_id = h.id AND hp.left_on IS NULL \
                     AND hp.relation = 'householder' WHERE h.id IN (",
                );
                let mut listed = query.separated(", ");
                for id in chunk {
                    listed.push_bind(*id);
                }
                query.push(") ORDER BY h.number");
                query.build_query_as().fetch_all(pool).await?
            });
            records.extend(
                rows.into_iter()
                    .map(|(id, number, head, village)| BoundRecord {
                        household_id: Some(id),
                        number,
                        name: surname_only(&head),
                        place: village,
                        detail: detail.to_owned(),
                    }),
            );
        }
        Ok(records)
    }
}

/// Binding is the project's agency's or the finance bureau's.
fn may_bind(actor: &Actor) -> Result<()> {
    actor
        .require(Capability::AskForMoney)
        .or_else(|_| actor.require(Capability::ReviewProjects))
        .map_err(|_| Error::Forbidden)
}

/// `张三丰` → `张**`: the list of records names households without their people's full names.
fn surname_only(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => std::iter::once(first).chain(chars.map(|_| '*')).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::surname_only;

    #[test]
    fn names_keep_only_the_surname() {
        assert_eq!(surname_only("张三丰"), "张**");
        assert_eq!(surname_only("李四"), "李*");
        assert_eq!(surname_only(""), "");
    }
}
