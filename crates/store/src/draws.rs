//! Draws from the pools (抽取): a job on a project, the facts of every member considered, the
//! seeded selection with its exclusions, and the record that lets anyone replay it.

use crate::audit::append;
use crate::monitoring::{finance_jurisdiction, parse_date};
use crate::pools::{MEMBER_COLUMNS, PoolMember, check_kind, may_read};
use crate::stored::{self, Cell};
use crate::{Error, Result, Store};
use chrono::{Datelike, NaiveDate};
use jixiao_core::audit::AuditEntry;
use jixiao_core::draw::{self, Candidate, DrawResult, Job, Relation, TooFew};
use jixiao_core::{Actor, time, token};
use serde::{Deserialize, Serialize};
use serde_json::json;
/// Jobs a draw is for.
pub const PURPOSES: [(&str, &str); 4] = [
    ("target_review", "绩效目标评审"),
    ("monitoring_review", "绩效监控评审"),
    ("key_evaluation", "重点绩效评价"),
    ("report_review", "评价报告评审"),
];

/// What finance asks a draw for.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DrawInput {
    /// `expert` (default) or `institution`.
    #[serde(default)]
    pub kind: String,
    /// One of [`PURPOSES`].
    pub purpose: String,
    /// The project.
    pub project_id: i64,
    /// Fields needed.
    pub fields: Vec<String>,
    /// Members to select.
    pub count: u32,
    /// Backups.
    #[serde(default)]
    pub backups: u32,
    /// Prefer members with fewer jobs in the last 12 months.
    #[serde(default)]
    pub prefer_fewer_jobs: bool,
    /// Business date (default today).
    #[serde(default)]
    pub as_of: Option<String>,
    /// The commissioning body's agency code (委托方, for a key evaluation): members must be
    /// independent of it too.
    #[serde(default)]
    pub commissioning_agency_code: String,
    /// The institution whose work is reviewed (a report review): members must be independent
    /// of it.
    #[serde(default)]
    pub reviewed_institution_id: Option<i64>,
}

/// A stored draw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DrawRecord {
    /// Id.
    pub id: i64,
    /// `expert` or `institution`.
    pub kind: String,
    /// Purpose code.
    pub purpose: String,
    /// The project.
    pub project_id: i64,
    /// The job as drawn.
    pub job: Job,
    /// The pool rules it was drawn under.
    pub rules: draw::PoolRules,
    /// The facts of every member considered.
    pub candidates: Vec<Candidate>,
    /// The seed.
    pub seed: String,
    /// The result.
    pub result: DrawResult,
    /// Drawn by.
    pub drawn_by: String,
    /// Drawn at.
    pub drawn_at: i64,
}

impl DrawRecord {
    /// A member's name as the draw knew it.
    pub fn name_of(&self, member_id: i64) -> String {
        self.candidates
            .iter()
            .find(|c| c.member_id == member_id)
            .map_or_else(|| member_id.to_string(), |c| c.name.clone())
    }
}

#[derive(sqlx::FromRow)]
struct DrawRow {
    id: i64,
    kind: String,
    purpose: String,
    project_id: i64,
    job: String,
    candidates: String,
    seed: String,
    result: String,
    drawn_by: String,
    drawn_at: i64,
}

impl TryFrom<DrawRow> for DrawRecord {
    type Error = Error;
    fn try_from(row: DrawRow) -> Result<DrawRecord> {
        let cell = |column| Cell::at("draws", row.id, column);
        let stored: StoredJob = cell("job").json(&row.job)?;
        Ok(DrawRecord {
            id: row.id,
            kind: row.kind,
            purpose: row.purpose,
            project_id: row.project_id,
            job: stored.job,
            rules: stored.rules,
            candidates: cell("candidates").json(&row.candidates)?,
            seed: row.seed,
            result: cell("result").json(&row.result)?,
            drawn_by: row.drawn_by,
            drawn_at: row.drawn_at,
        })
    }
}

/// A replay: whether re-running the stored draw gives the stored result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Replay {
    /// The stored draw.
    pub draw: DrawRecord,
    /// The result of running it again.
    pub replayed: DrawResult,
    /// Whether they agree.
    pub matches: bool,
}

impl Store {
    /// Draws members for a job on a project (finance); too few eligible is refused with reasons.
    pub async fn draw(&self, actor: &Actor, input: &DrawInput) -> Result<DrawRecord> {
        let jurisdiction = finance_jurisdiction(actor)?;
        let kind = check_kind(&input.kind)?;
        if !PURPOSES.iter().any(|(code, _)| *code == input.purpose) {
            return Err(Error::invalid(
                "purpose",
                "invalid",
                "抽取用途应为 target_review、monitoring_review、key_evaluation 或 report_review",
            ));
        }
        if input.count == 0 || input.count > 50 || input.backups > 50 {
            return Err(Error::invalid(
                "count",
                "invalid",
                "抽取人数应为1–50人，替补不超过50人",
            ));
        }
        if input.fields.is_empty() {
            return Err(Error::invalid(
                "fields",
                "required",
                "请至少选择一个专业领域",
            ));
        }
        let project = self.project(actor, input.project_id).await?;
        let as_of = match input
            .as_of
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            Some(text) => parse_date("as_of", text)?,
            None => self.business_date(Some(&project.jurisdiction_code)).await?,
        };
        let rulebook = self
            .rulebook_in_force(&jurisdiction, project.year)
            .await?
            .rulebook()?;
        let due_on = rulebook
            .calendar
            .add_working_days(as_of, rulebook.pools.task_working_days)
            .to_string();
        let rules = rulebook.pools;
        let mut project_agency_ids = vec![project.agency_id];
        project_agency_ids.extend(project.agency_parent_id);
        let commissioner_agency_ids = if input.commissioning_agency_code.trim().is_empty() {
            Vec::new()
        } else {
            vec![
                self.agency_id(
                    &jurisdiction,
                    &input.commissioning_agency_code,
                    "commissioning_agency_code",
                )
                .await?,
            ]
        };
        let job = Job {
            project_id: project.id,
            project_agency_ids,
            commissioner_agency_ids,
            institution_ids: input.reviewed_institution_id.into_iter().collect(),
            fields: input.fields.clone(),
            count: input.count,
            backups: input.backups,
            as_of,
            prefer_fewer_jobs: input.prefer_fewer_jobs,
        };
        let candidates = self.candidates(&jurisdiction, kind, as_of).await?;
        let seed = token::new_secret().map_err(|e| Error::Internal(e.to_string()))?;
        let result = draw::draw(&rules, &job, &candidates, &seed).map_err(Error::DrawTooFew)?;
        let job_json = to_json(&StoredJob {
            job: job.clone(),
            rules: rules.clone(),
        })?;
        let (candidates_json, result_json) = (to_json(&candidates)?, to_json(&result)?);
        let drawn_on = as_of.to_string();
        let now = time::now();
        let mut tx = self.begin().await?;
        let id: i64 = on_tx!(&mut tx, |conn| {
            sqlx::query_scalar(
                "INSERT INTO draws (jurisdiction_code, kind, purpose, project_id, job, candidates, \
                 seed, result, eligible_hash, drawn_by, drawn_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
            )
            .bind(&jurisdiction)
            .bind(kind)
            .bind(&input.purpose)
            .bind(project.id)
            .bind(&job_json)
            .bind(&candidates_json)
            .bind(&seed)
            .bind(&result_json)
            .bind(&result.eligible_hash)
            .bind(&actor.name)
            .bind(now)
            .fetch_one(&mut *conn)
            .await?
        });
        let picked = result
            .selected
            .iter()
            .map(|m| (m, "selected"))
            .chain(result.backups.iter().map(|m| (m, "backup")));
        for (position, (member, role)) in picked.enumerate() {
            on_tx!(&mut tx, |conn| {
                sqlx::query(
                    "INSERT INTO draw_members (draw_id, member_id, position, role, drawn_on) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(id)
                .bind(*member)
                .bind(position as i32 + 1)
                .bind(role)
                .bind(&drawn_on)
                .execute(&mut *conn)
                .await?;
            });
        }
        crate::assignments::assign(
            &mut tx,
            id,
            project.id,
            &result.selected,
            Some(&due_on),
            actor,
        )
        .await?;
        append(
            &mut tx,
            AuditEntry::new(&actor.name, "pool.draw", "draw", &id.to_string())
                .in_jurisdiction(Some(&jurisdiction))
                .with_details(json!({
                    "project_id": project.id, "purpose": input.purpose, "seed": seed,
                    "eligible_hash": result.eligible_hash, "selected": result.selected,
                    "backups": result.backups, "excluded": result.excluded.len()
                })),
        )
        .await?;
        tx.commit().await?;
        self.draw_record(actor, id).await
    }

    /// The facts of every member of a pool as of a date.
    async fn candidates(
        &self,
        jurisdiction: &str,
        kind: &str,
        as_of: NaiveDate,
    ) -> Result<Vec<Candidate>> {
        let members: Vec<PoolMember> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {MEMBER_COLUMNS} FROM pool_members WHERE jurisdiction_code = $1 AND kind = $2 \
                 ORDER BY id"
            )))
            .bind(jurisdiction)
            .bind(kind)
            .fetch_all(pool)
            .await?
        });
        let members = stored::all(members)?;
        let relations: Vec<(i64, i64, String, Option<String>)> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(
                "SELECT r.member_id, r.agency_id, r.kind, r.until FROM pool_relations r \
                 JOIN pool_members m ON m.id = r.member_id WHERE m.jurisdiction_code = $1",
            )
            .bind(jurisdiction)
            .fetch_all(pool)
            .await?
        });
        let institution_relations: Vec<(i64, i64, String, Option<String>)> =
            on_pool!(&self.pool, |pool| {
                sqlx::query_as(
                    "SELECT r.member_id, r.institution_id, r.kind, r.until \
                     FROM pool_institution_relations r JOIN pool_members m ON m.id = r.member_id \
                     WHERE m.jurisdiction_code = $1",
                )
                .bind(jurisdiction)
                .fetch_all(pool)
                .await?
            });
        let designs: Vec<(i64, i64)> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(
                "SELECT d.member_id, d.project_id FROM pool_designs d \
                 JOIN pool_members m ON m.id = d.member_id WHERE m.jurisdiction_code = $1",
            )
            .bind(jurisdiction)
            .fetch_all(pool)
            .await?
        });
        let year_ago = as_of
            .with_year(as_of.year() - 1)
            .unwrap_or(as_of)
            .to_string();
        let jobs: Vec<(i64, i64)> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(
                "SELECT member_id, COUNT(*) FROM draw_members WHERE role = 'selected' \
                 AND drawn_on > $1 AND drawn_on <= $2 GROUP BY member_id",
            )
            .bind(&year_ago)
            .bind(as_of.to_string())
            .fetch_all(pool)
            .await?
        });
        // A relation's end date that does not read is an error, never "no end": it decides who
        // may be drawn. (Relations have no id of their own: the error names the member's.)
        let read_relations = |table: &'static str, rows: &[(i64, i64, String, Option<String>)]| {
            rows.iter()
                .map(|(member_id, agency_id, kind, until)| {
                    let until = until
                        .as_deref()
                        .map(|t| Cell::at(table, *member_id, "until").date(t))
                        .transpose()?;
                    Ok((
                        *member_id,
                        Relation {
                            agency_id: *agency_id,
                            kind: kind.clone(),
                            until,
                        },
                    ))
                })
                .collect::<Result<Vec<(i64, Relation)>>>()
        };
        let relations = read_relations("pool_relations", &relations)?;
        let institution_relations =
            read_relations("pool_institution_relations", &institution_relations)?;
        let of = |rows: &[(i64, Relation)], member_id: i64| -> Vec<Relation> {
            rows.iter()
                .filter(|(m, _)| *m == member_id)
                .map(|(_, r)| r.clone())
                .collect()
        };
        members
            .into_iter()
            .map(|m| {
                let suspended_until = m
                    .suspended_until
                    .as_deref()
                    .map(|t| Cell::at("pool_members", m.id, "suspended_until").date(t))
                    .transpose()?;
                Ok(Candidate {
                    member_id: m.id,
                    name: m.name.clone(),
                    fields: m.fields().to_vec(),
                    employer_agency_id: m.employer_agency_id,
                    status: m.status.clone(),
                    suspended_until,
                    relations: of(&relations, m.id),
                    institution_relations: of(&institution_relations, m.id),
                    designed_project_ids: designs
                        .iter()
                        .filter(|d| d.0 == m.id)
                        .map(|d| d.1)
                        .collect(),
                    recent_jobs: jobs.iter().find(|j| j.0 == m.id).map_or(0, |j| j.1 as u32),
                })
            })
            .collect()
    }

    /// A stored draw.
    pub async fn draw_record(&self, actor: &Actor, id: i64) -> Result<DrawRecord> {
        may_read(actor)?;
        let row: Option<DrawRow> = on_pool!(&self.pool, |pool| {
            let mut query = sqlx::QueryBuilder::new(
                "SELECT id, kind, purpose, project_id, job, candidates, seed, result, drawn_by, \
                 drawn_at FROM draws WHERE id = ",
            );
            query.push_bind(id);
            if let Some(code) = &actor.jurisdiction {
                query
                    .push(" AND jurisdiction_code = ")
                    .push_bind(code.clone());
            }
            query.build_query_as().fetch_optional(pool).await?
        });
        row.ok_or_else(|| Error::NotFound("抽取记录不存在".to_owned()))?
            .try_into()
    }

    /// Re-runs a stored draw from its record and says whether the result is the same.
    pub async fn replay_draw(&self, actor: &Actor, id: i64) -> Result<Replay> {
        let record = self.draw_record(actor, id).await?;
        let replayed = draw::draw(&record.rules, &record.job, &record.candidates, &record.seed)
            .map_err(Error::DrawTooFew)?;
        Ok(Replay {
            matches: replayed == record.result,
            replayed,
            draw: record,
        })
    }
}

/// The job as stored with a draw, with the rules it was drawn under.
#[derive(Serialize, Deserialize)]
struct StoredJob {
    job: Job,
    rules: draw::PoolRules,
}

pub(crate) fn to_json<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| Error::Internal(e.to_string()))
}

/// A too-few refusal's details.
pub fn too_few_details(error: &TooFew) -> serde_json::Value {
    json!({
        "needed": error.needed,
        "eligible": error.eligible,
        "excluded": error.excluded,
    })
}
