//! Visits (走访, issue 19 item 4, decision 0044): a helper (帮扶责任人) records a visit to a
//! household assigned to them — a village or township cadre to one in their area — with the
//! people met, the problems found by class and the actions taken, and its evidence: photos or
//! short videos checked by the rulebook (type by content, size, count; one bad file refuses the
//! whole visit) and stored once by SHA-256 in the database. Each problem becomes a rectification
//! item due within the rulebook's days, closed later with a note. The month's compliance counts,
//! per helper and per village, the visits due by the rulebook against those recorded. Every write
//! is audited in its transaction; nothing is deleted.

use crate::audit::append;
use crate::risk_cases::{day_field, text_field};
use crate::tx::Tx;
use crate::{Error, POLICY_CHECK_RULEBOOK, Result, Store};
use chrono::NaiveDate;
use jixiao_core::assistance::AssistanceRules;
use jixiao_core::assistance::visits::{
    HouseholdMonth, Tally, VisitRules, content_hash, month_bounds,
};
use jixiao_core::audit::AuditEntry;
use jixiao_core::{Actor, Capability, time};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::QueryBuilder;
use std::collections::BTreeMap;

/// The visit rules of the shipped assistance rulebook.
pub fn visit_rules() -> Result<VisitRules> {
    static RULES: std::sync::OnceLock<std::result::Result<VisitRules, String>> =
        std::sync::OnceLock::new();
    RULES
        .get_or_init(|| {
            AssistanceRules::shipped(POLICY_CHECK_RULEBOOK)
                .ok_or_else(|| format!("规则“{POLICY_CHECK_RULEBOOK}”未随程序提供"))?
                .map_err(|e| e.to_string())?
                .visits
                .ok_or_else(|| "帮扶政策规则缺少 [visits] 走访规则".to_owned())
        })
        .clone()
        .map_err(Error::Internal)
}

/// The most problems one visit may record.
const MAX_PROBLEMS: usize = 20;

/// A problem found on a visit, as sent.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProblemInput {
    /// The class's code (the rulebook's `problem_classes`: `income`, `housing`,
    /// `drinking_water`, `compulsory_education`, `basic_medical`, `employment`, `policy`,
    /// `other`).
    pub class: String,
    /// What was found.
    pub description: String,
}

/// A visit, as sent (the evidence files come beside it).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VisitInput {
    /// The household visited.
    pub household_id: i64,
    /// The day, `YYYY-MM-DD` (not after today).
    pub visited_on: String,
    /// Who was met (names, relation to the head).
    pub people_met: String,
    /// Problems found, by class; each becomes a rectification item.
    pub problems: Vec<ProblemInput>,
    /// What was done or agreed on the spot.
    pub actions: String,
}

/// An evidence file sent with a visit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceFile {
    /// The name it was sent under (kept for reading; the type is read from the content).
    pub file_name: String,
    /// Its bytes.
    pub content: Vec<u8>,
}

/// A visit as lists show it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct VisitLine {
    /// Id.
    pub id: i64,
    /// The household.
    pub household_id: i64,
    /// 户编号.
    pub household_number: String,
    /// 户主姓名.
    pub head_name: String,
    /// The village.
    pub village_name: String,
    /// Who visited (user name).
    pub visitor: String,
    /// In which role.
    pub visitor_role: String,
    /// `YYYY-MM-DD`.
    pub visited_on: String,
    /// Who was met.
    pub people_met: String,
    /// What was done.
    pub actions: String,
    /// Problems found.
    pub problems: i64,
    /// Evidence files.
    pub evidence: i64,
}

/// A problem of a visit.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct VisitProblem {
    /// The class's code.
    pub class: String,
    /// The class's name.
    #[sqlx(skip)]
    pub class_name: String,
    /// What was found.
    pub description: String,
    /// The rectification item it became.
    pub rectification_id: Option<i64>,
}

/// An evidence file of a visit.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct EvidenceLink {
    /// SHA-256 of the content (lowercase hex): where it is read, `/api/v1/evidence/{sha256}`.
    pub sha256: String,
    /// `image/jpeg`, `image/png`, `image/webp` or `video/mp4`, read from the content.
    pub media_type: String,
    /// Bytes.
    pub size: i64,
    /// The name it was sent under.
    pub file_name: String,
}

/// A visit with its problems and evidence.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Visit {
    /// The visit.
    pub visit: VisitLine,
    /// Problems found, in the order recorded.
    pub problems: Vec<VisitProblem>,
    /// Evidence, in the order sent.
    pub evidence: Vec<EvidenceLink>,
}

/// A rectification item raised by a visit's problem.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct VisitRectification {
    /// Id.
    pub id: i64,
    /// The household.
    pub household_id: i64,
    /// 户编号.
    pub household_number: String,
    /// 户主姓名.
    pub head_name: String,
    /// The village.
    pub village_name: String,
    /// The visit that found it.
    pub visit_id: i64,
    /// The day of that visit.
    pub visited_on: String,
    /// The class's code.
    pub class: String,
    /// The class's name.
    #[sqlx(skip)]
    pub class_name: String,
    /// What was found.
    pub description: String,
    /// To be rectified by, `YYYY-MM-DD` (the visit's day plus the rulebook's days).
    pub due_on: String,
    /// `open` or `closed`.
    pub status: String,
    /// The day it was closed.
    pub closed_on: Option<String>,
    /// Who closed it.
    pub closed_by: Option<String>,
    /// How it was rectified.
    pub close_note: String,
    /// Optimistic-lock version.
    pub version: i32,
    /// Open past its deadline (as of the day read).
    #[sqlx(skip)]
    pub overdue: bool,
}

/// Closing a rectification item.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RectificationClose {
    /// The item's version as read.
    pub version: i32,
    /// How the problem was rectified (required).
    pub note: String,
}

/// A group's standing in a month (one helper's households, one village's).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ComplianceGroup {
    /// The helper's user id (for a helper row) or the village's code.
    pub key: String,
    /// The helper's or the village's name.
    pub name: String,
    /// Households with a visit due.
    pub households_due: u32,
    /// Visits due (rulebook).
    pub visits_due: u32,
    /// Visits recorded.
    pub visits_done: u32,
    /// Visits due and recorded, counted per household up to what it was due.
    pub visits_counted: u32,
    /// Households behind schedule.
    pub households_behind: u32,
    /// Share of due visits done, whole percent (counted per household up to what it was due).
    pub percent: u32,
}

/// A household behind schedule in the month.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BehindHousehold {
    /// The household.
    pub household_id: i64,
    /// 户编号.
    pub household_number: String,
    /// 户主姓名.
    pub head_name: String,
    /// The village.
    pub village_name: String,
    /// Its helper's name (empty: none assigned).
    pub helper_name: String,
    /// Under monitoring (监测户) this month.
    pub monitored: bool,
    /// Visits due.
    pub due: u32,
    /// Visits recorded.
    pub done: u32,
}

/// The month's compliance within the actor's scope.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VisitCompliance {
    /// `YYYY-MM`.
    pub month: String,
    /// The whole scope.
    pub total: ComplianceGroup,
    /// Per helper, those behind first.
    pub helpers: Vec<ComplianceGroup>,
    /// Per village, those behind first.
    pub villages: Vec<ComplianceGroup>,
    /// Households behind schedule (at most [`BEHIND_SHOWN`]), by village and number.
    pub behind: Vec<BehindHousehold>,
}

/// The most households behind schedule a compliance view lists (the totals count them all).
pub const BEHIND_SHOWN: usize = 1000;

fn group(key: String, name: String, tally: &Tally) -> ComplianceGroup {
    ComplianceGroup {
        key,
        name,
        households_due: tally.households_due,
        visits_due: tally.visits_due,
        visits_done: tally.visits_done,
        visits_counted: tally.visits_counted,
        households_behind: tally.households_behind,
        percent: tally.percent(),
    }
}

#[derive(sqlx::FromRow)]
struct MonthRow {
    id: i64,
    number: String,
    household_type: String,
    village_code: String,
    village_name: String,
    helper_user_id: Option<i64>,
    helper_name: String,
    head_name: String,
    monitored: bool,
    done: i64,
}

const VISIT_SELECT: &str = "SELECT v.id, v.household_id, h.number AS household_number, \
     COALESCE(hp.name, '') AS head_name, ar.name AS village_name, v.visitor, v.visitor_role, \
     v.visited_on, v.people_met, v.actions, \
     (SELECT COUNT(*) FROM visit_problems p WHERE p.visit_id = v.id) AS problems, \
     (SELECT COUNT(*) FROM visit_evidence e WHERE e.visit_id = v.id) AS evidence \
     FROM visits v JOIN households h ON h.id = v.household_id \
     JOIN areas ar ON ar.code = h.village_code \
     LEFT JOIN people hp ON hp.household_id = h.id AND hp.left_on IS NULL \
     AND hp.relation = 'householder' WHERE 1 = 1";

const RECTIFICATION_SELECT: &str = "SELECT r.id, r.household_id, h.number AS household_number, \
     COALESCE(hp.name, '') AS head_name, ar.name AS village_name, r.visit_id, \
     v.visited_on, r.class, r.description, r.due_on, r.status, r.closed_on, r.closed_by, \
     r.close_note, r.version \
     FROM visit_rectifications r JOIN visits v ON v.id = r.visit_id \
     JOIN households h ON h.id = r.household_id JOIN areas ar ON ar.code = h.village_code \
     LEFT JOIN people hp ON hp.household_id = h.id AND hp.left_on IS NULL \
     AND hp.relation = 'householder' WHERE 1 = 1";

fn class_name(rules: &VisitRules, code: &str) -> String {
    rules
        .problem_class(code)
        .map_or_else(|| code.to_owned(), |c| c.name.clone())
}

/// Inserts an evidence blob unless its hash is stored already.
async fn store_blob(tx: &mut Tx, sha: &str, media: &str, content: &[u8], now: i64) -> Result<()> {
    let size = i64::try_from(content.len()).map_err(|e| Error::Internal(e.to_string()))?;
    on_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO evidence_blobs (sha256, media_type, size, content, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (sha256) DO NOTHING",
        )
        .bind(sha)
        .bind(media)
        .bind(size)
        .bind(content)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    });
    Ok(())
}

impl Store {
    /// Records a visit with its problems and evidence. A helper records visits to households
    /// assigned to them, a village or township cadre to households of their area. Every field
    /// and every file is checked first (type by content, size and count by the rulebook); any
    /// problem refuses the whole visit and nothing is stored. Each problem becomes a
    /// rectification item due within the rulebook's days.
    pub async fn record_visit(
        &self,
        actor: &Actor,
        input: &VisitInput,
        files: &[EvidenceFile],
        today: NaiveDate,
    ) -> Result<Visit> {
        actor.require(Capability::RecordVisits)?;
        let rules = visit_rules()?;
        // A control character (NUL …) anywhere refuses the visit, naming the field.
        let clean = |field: &str, text: &str, line_breaks: bool| {
            jixiao_core::text::check(field, text, line_breaks)
                .map_err(|fault| Error::Invalid(fault.into_errors()))
        };
        clean("visited_on", &input.visited_on, false)?;
        clean("people_met", &input.people_met, false)?;
        clean("actions", &input.actions, true)?;
        for (i, p) in input.problems.iter().enumerate() {
            clean(&format!("problems[{i}].class"), &p.class, false)?;
            clean(&format!("problems[{i}].description"), &p.description, true)?;
        }
        for file in files {
            clean("evidence", &file.file_name, false)?;
        }
        let visited = day_field("visited_on", Some(&input.visited_on), "走访日期")?;
        if visited > today {
            return Err(Error::invalid(
                "visited_on",
                "future_date",
                "走访日期不能晚于今天",
            ));
        }
        let people_met = text_field("people_met", &input.people_met, 200, "见到的人")?;
        if people_met.is_empty() {
            return Err(Error::invalid(
                "people_met",
                "required",
                "请填写走访时见到的人",
            ));
        }
        let actions = text_field("actions", &input.actions, 1000, "采取的措施")?;
        if input.problems.len() > MAX_PROBLEMS {
            return Err(Error::invalid(
                "problems",
                "too_many",
                format!("每次走访最多记录{MAX_PROBLEMS}个问题"),
            ));
        }
        let mut problems = Vec::with_capacity(input.problems.len());
        for (i, p) in input.problems.iter().enumerate() {
            let field = format!("problems[{i}]");
            let class = rules.problem_class(p.class.trim()).ok_or_else(|| {
                Error::invalid(
                    &field,
                    "unknown_class",
                    format!("问题类别“{}”无法识别", p.class.trim()),
                )
            })?;
            let description = text_field(&field, &p.description, 500, "问题描述")?;
            if description.is_empty() {
                return Err(Error::invalid(&field, "required", "请描述发现的问题"));
            }
            problems.push((class.code.clone(), description));
        }
        let named: Vec<(&str, &[u8])> = files
            .iter()
            .map(|f| (f.file_name.as_str(), f.content.as_slice()))
            .collect();
        let types = rules
            .check_evidence(&named)
            .map_err(|refusal| Error::invalid("evidence", refusal.code(), refusal.to_string()))?;
        let mut evidence = Vec::with_capacity(files.len());
        for (file, kind) in files.iter().zip(&types) {
            let name = text_field("evidence", &file.file_name, 200, "文件名")?;
            evidence.push((content_hash(&file.content), kind.media_type(), name, file));
        }
        let (jurisdiction, _) = self.visible_household(actor, input.household_id).await?;
        let due = rules.rectify_by(visited);
        let now = time::now();
        let mut tx = self.begin().await?;
        let id: i64 = on_tx!(&mut tx, |conn| {
            sqlx::query_scalar(
                "INSERT INTO visits (jurisdiction_code, household_id, visitor_user_id, visitor, \
                 visitor_role, visited_on, month, people_met, actions, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            )
            .bind(&jurisdiction)
            .bind(input.household_id)
            .bind(actor.user_id)
            .bind(&actor.name)
            .bind(actor.role.as_str())
            .bind(visited.to_string())
            .bind(visited.format("%Y-%m").to_string())
            .bind(&people_met)
            .bind(&actions)
            .bind(now)
            .fetch_one(&mut *conn)
            .await?
        });
        let mut rectifications = Vec::new();
        for (position, (class, description)) in problems.iter().enumerate() {
            let position = i32::try_from(position).map_err(|e| Error::Internal(e.to_string()))?;
            let problem: i64 = on_tx!(&mut tx, |conn| {
                sqlx::query_scalar(
                    "INSERT INTO visit_problems (visit_id, position, class, description) \
                     VALUES ($1, $2, $3, $4) RETURNING id",
                )
                .bind(id)
                .bind(position)
                .bind(class)
                .bind(description)
                .fetch_one(&mut *conn)
                .await?
            });
            let item: i64 = on_tx!(&mut tx, |conn| {
                sqlx::query_scalar(
                    "INSERT INTO visit_rectifications (jurisdiction_code, household_id, \
                     visit_id, problem_id, class, description, due_on, status, created_at, \
                     updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, $8) \
                     RETURNING id",
                )
                .bind(&jurisdiction)
                .bind(input.household_id)
                .bind(id)
                .bind(problem)
                .bind(class)
                .bind(description)
                .bind(due.to_string())
                .bind(now)
                .fetch_one(&mut *conn)
                .await?
            });
            rectifications.push(item);
        }
        for (position, (sha, media, name, file)) in evidence.iter().enumerate() {
            let position = i32::try_from(position).map_err(|e| Error::Internal(e.to_string()))?;
            store_blob(&mut tx, sha, media, &file.content, now).await?;
            on_tx!(&mut tx, |conn| {
                sqlx::query(
                    "INSERT INTO visit_evidence (visit_id, position, sha256, file_name) \
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(id)
                .bind(position)
                .bind(sha)
                .bind(name)
                .execute(&mut *conn)
                .await?;
            });
        }
        let hashes: Vec<&str> = evidence.iter().map(|e| e.0.as_str()).collect();
        let classes: Vec<&str> = problems.iter().map(|p| p.0.as_str()).collect();
        append(
            &mut tx,
            AuditEntry::new(&actor.name, "visit.record", "visit", &id.to_string())
                .in_jurisdiction(Some(&jurisdiction))
                .with_details(json!({"household": input.household_id,
                    "visited_on": visited.to_string(), "problems": classes,
                    "rectifications": rectifications, "evidence": hashes})),
        )
        .await?;
        tx.commit().await?;
        self.visit(actor, id).await
    }

    /// Visits within the actor's scope, newest first: of one month (`YYYY-MM`) and/or one
    /// household when given (at most 500).
    pub async fn visits(
        &self,
        actor: &Actor,
        month: Option<&str>,
        household: Option<i64>,
    ) -> Result<Vec<VisitLine>> {
        actor.require(Capability::ReadVisits)?;
        let month = match month.map(str::trim).filter(|m| !m.is_empty()) {
            Some(m) => {
                month_bounds(m).ok_or_else(|| {
                    Error::invalid("month", "invalid_month", "月份格式应为 YYYY-MM")
                })?;
                Some(m.to_owned())
            }
            None => None,
        };
        self.visit_lines(actor, None, month, household).await
    }

    async fn visit_lines(
        &self,
        actor: &Actor,
        id: Option<i64>,
        month: Option<String>,
        household: Option<i64>,
    ) -> Result<Vec<VisitLine>> {
        let scope = self.household_scope(actor).await?;
        Ok(on_pool!(&self.pool, |pool| {
            let mut query = QueryBuilder::new(VISIT_SELECT);
            scope.push(&mut query);
            if let Some(id) = id {
                query.push(" AND v.id = ").push_bind(id);
            }
            if let Some(month) = month.clone() {
                query.push(" AND v.month = ").push_bind(month);
            }
            if let Some(household) = household {
                query.push(" AND v.household_id = ").push_bind(household);
            }
            query.push(" ORDER BY v.visited_on DESC, v.id DESC LIMIT 500");
            query.build_query_as().fetch_all(pool).await?
        }))
    }

    /// A visit with its problems and evidence, within the actor's scope.
    pub async fn visit(&self, actor: &Actor, id: i64) -> Result<Visit> {
        actor.require(Capability::ReadVisits)?;
        let rules = visit_rules()?;
        let visit = self
            .visit_lines(actor, Some(id), None, None)
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| Error::NotFound("走访记录不存在".to_owned()))?;
        let mut problems: Vec<VisitProblem> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(
                "SELECT p.class, p.description, r.id AS rectification_id \
                 FROM visit_problems p LEFT JOIN visit_rectifications r ON r.problem_id = p.id \
                 WHERE p.visit_id = $1 ORDER BY p.position",
            )
            .bind(id)
            .fetch_all(pool)
            .await?
        });
        for p in &mut problems {
            p.class_name = class_name(&rules, &p.class);
        }
        let evidence: Vec<EvidenceLink> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(
                "SELECT e.sha256, b.media_type, b.size, e.file_name FROM visit_evidence e \
                 JOIN evidence_blobs b ON b.sha256 = e.sha256 WHERE e.visit_id = $1 \
                 ORDER BY e.position",
            )
            .bind(id)
            .fetch_all(pool)
            .await?
        });
        Ok(Visit {
            visit,
            problems,
            evidence,
        })
    }

    /// An evidence file's media type and content, when it belongs to a visit of a household
    /// within the actor's scope.
    pub async fn visit_evidence(&self, actor: &Actor, sha256: &str) -> Result<(String, Vec<u8>)> {
        actor.require(Capability::ReadVisits)?;
        let sha = sha256.trim().to_ascii_lowercase();
        let missing = || Error::NotFound("佐证文件不存在".to_owned());
        if sha.len() != 64 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(missing());
        }
        let scope = self.household_scope(actor).await?;
        let visible: Option<i64> = on_pool!(&self.pool, |pool| {
            let mut query = QueryBuilder::new(
                "SELECT v.id FROM visit_evidence e JOIN visits v ON v.id = e.visit_id \
                 JOIN households h ON h.id = v.household_id \
                 JOIN areas ar ON ar.code = h.village_code WHERE e.sha256 = ",
            );
            query.push_bind(sha.clone());
            scope.push(&mut query);
            query.push(" LIMIT 1");
            query.build_query_scalar().fetch_optional(pool).await?
        });
        visible.ok_or_else(missing)?;
        let row: Option<(String, Vec<u8>)> = on_pool!(&self.pool, |pool| {
            sqlx::query_as("SELECT media_type, content FROM evidence_blobs WHERE sha256 = $1")
                .bind(&sha)
                .fetch_optional(pool)
                .await?
        });
        row.ok_or_else(missing)
    }

    /// Rectification items within the actor's scope (open ones only when asked), the earliest
    /// deadline first; `overdue` as of `today`.
    pub async fn visit_rectifications(
        &self,
        actor: &Actor,
        open_only: bool,
        today: NaiveDate,
    ) -> Result<Vec<VisitRectification>> {
        actor.require(Capability::ReadVisits)?;
        self.rectification_rows(actor, None, open_only, today).await
    }

    async fn rectification_rows(
        &self,
        actor: &Actor,
        id: Option<i64>,
        open_only: bool,
        today: NaiveDate,
    ) -> Result<Vec<VisitRectification>> {
        let rules = visit_rules()?;
        let scope = self.household_scope(actor).await?;
        let mut rows: Vec<VisitRectification> = on_pool!(&self.pool, |pool| {
            let mut query = QueryBuilder::new(RECTIFICATION_SELECT);
            scope.push(&mut query);
            if let Some(id) = id {
                query.push(" AND r.id = ").push_bind(id);
            }
            if open_only {
                query.push(" AND r.status = 'open'");
            }
            query.push(" ORDER BY r.status DESC, r.due_on, r.id LIMIT 2000");
            query.build_query_as().fetch_all(pool).await?
        });
        let today = today.to_string();
        for r in &mut rows {
            r.class_name = class_name(&rules, &r.class);
            r.overdue = r.status == "open" && r.due_on < today;
        }
        Ok(rows)
    }

    /// Closes an open rectification item with a note on how it was rectified.
    pub async fn close_visit_rectification(
        &self,
        actor: &Actor,
        id: i64,
        input: &RectificationClose,
        today: NaiveDate,
    ) -> Result<VisitRectification> {
        actor.require(Capability::RecordVisits)?;
        let note = text_field("note", &input.note, 500, "整改情况")?;
        if note.is_empty() {
            return Err(Error::invalid("note", "required", "请填写整改情况"));
        }
        let item = self
            .rectification_rows(actor, Some(id), false, today)
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| Error::NotFound("整改事项不存在".to_owned()))?;
        if item.status != "open" {
            return Err(Error::Conflict {
                code: crate::ConflictCode::NotEditable,
                message: "该整改事项已销号".to_owned(),
            });
        }
        let (jurisdiction, _) = self.visible_household(actor, item.household_id).await?;
        let mut tx = self.begin().await?;
        let changed = on_tx!(&mut tx, |conn| {
            sqlx::query(
                "UPDATE visit_rectifications SET status = 'closed', closed_on = $1, \
                 closed_by = $2, close_note = $3, version = version + 1, updated_at = $4 \
                 WHERE id = $5 AND version = $6 AND status = 'open'",
            )
            .bind(today.to_string())
            .bind(&actor.name)
            .bind(&note)
            .bind(time::now())
            .bind(id)
            .bind(input.version)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        if changed != 1 {
            return Err(Error::StaleVersion(
                "整改事项已被他人修改，请刷新后重试".to_owned(),
            ));
        }
        append(
            &mut tx,
            AuditEntry::new(
                &actor.name,
                "visit_rectification.close",
                "visit_rectification",
                &id.to_string(),
            )
            .in_jurisdiction(Some(&jurisdiction))
            .with_details(
                json!({"household": item.household_id, "visit": item.visit_id,
                "class": item.class, "note": note}),
            ),
        )
        .await?;
        tx.commit().await?;
        self.rectification_rows(actor, Some(id), false, today)
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| Error::NotFound("整改事项不存在".to_owned()))
    }

    /// The month's compliance (`YYYY-MM`) within the actor's scope: every household's visits
    /// due by the rulebook (a household with a monitoring case open that month is due the
    /// monitored figure) against those recorded, summed per helper and per village, with the
    /// households behind schedule. One query over the households, the month's visits read by
    /// the `(household_id, month)` index.
    pub async fn visit_compliance(&self, actor: &Actor, month: &str) -> Result<VisitCompliance> {
        actor.require(Capability::ReadVisits)?;
        let rules = visit_rules()?;
        let month = month.trim().to_owned();
        let (first, last) = month_bounds(&month)
            .ok_or_else(|| Error::invalid("month", "invalid_month", "月份格式应为 YYYY-MM"))?;
        let scope = self.household_scope(actor).await?;
        let rows: Vec<MonthRow> = on_pool!(&self.pool, |pool| {
            let mut query = QueryBuilder::new(
                "SELECT h.id, h.number, h.household_type, h.village_code, \
                 ar.name AS village_name, h.helper_user_id, \
                 COALESCE(u.display_name, '') AS helper_name, \
                 COALESCE(hp.name, '') AS head_name, \
                 EXISTS (SELECT 1 FROM risk_cases k WHERE k.household_id = h.id \
                 AND k.state <> 'not_included' AND k.opened_on <= ",
            );
            query
                .push_bind(last.to_string())
                .push(" AND (k.eliminated_on IS NULL OR k.eliminated_on >= ")
                .push_bind(first.to_string())
                .push(
                    ")) AS monitored, (SELECT COUNT(*) FROM visits v \
                     WHERE v.household_id = h.id AND v.month = ",
                )
                .push_bind(month.clone())
                .push(
                    ") AS done FROM households h JOIN areas ar ON ar.code = h.village_code \
                     LEFT JOIN users u ON u.id = h.helper_user_id \
                     LEFT JOIN people hp ON hp.household_id = h.id AND hp.left_on IS NULL \
                     AND hp.relation = 'householder' WHERE 1 = 1",
                );
            scope.push(&mut query);
            query.push(" ORDER BY ar.name, h.number");
            query.build_query_as().fetch_all(pool).await?
        });
        let mut total = Tally::default();
        let mut helpers: BTreeMap<Option<i64>, (String, Tally)> = BTreeMap::new();
        let mut villages: BTreeMap<String, (String, Tally)> = BTreeMap::new();
        let mut behind = Vec::new();
        for row in rows {
            let due = rules.visits_due(&row.household_type, row.monitored);
            let done = u32::try_from(row.done).unwrap_or(u32::MAX);
            let standing = HouseholdMonth { due, done };
            if due == 0 && done == 0 {
                continue;
            }
            total.add(standing);
            helpers
                .entry(row.helper_user_id)
                .or_insert_with(|| (row.helper_name.clone(), Tally::default()))
                .1
                .add(standing);
            villages
                .entry(row.village_code.clone())
                .or_insert_with(|| (row.village_name.clone(), Tally::default()))
                .1
                .add(standing);
            if standing.behind() && behind.len() < BEHIND_SHOWN {
                behind.push(BehindHousehold {
                    household_id: row.id,
                    household_number: row.number,
                    head_name: row.head_name,
                    village_name: row.village_name,
                    helper_name: row.helper_name,
                    monitored: row.monitored,
                    due,
                    done,
                });
            }
        }
        let order = |groups: &mut Vec<ComplianceGroup>| {
            groups.sort_by(|a, b| {
                a.percent
                    .cmp(&b.percent)
                    .then(b.households_behind.cmp(&a.households_behind))
                    .then(a.name.cmp(&b.name))
            });
        };
        let mut helper_groups: Vec<ComplianceGroup> = helpers
            .into_iter()
            .map(|(id, (name, tally))| {
                let name = if id.is_none() {
                    "（未指定帮扶责任人）".to_owned()
                } else {
                    name
                };
                group(id.map(|i| i.to_string()).unwrap_or_default(), name, &tally)
            })
            .collect();
        order(&mut helper_groups);
        let mut village_groups: Vec<ComplianceGroup> = villages
            .into_iter()
            .map(|(code, (name, tally))| group(code, name, &tally))
            .collect();
        order(&mut village_groups);
        Ok(VisitCompliance {
            total: group(String::new(), "合计".to_owned(), &total),
            month,
            helpers: helper_groups,
            villages: village_groups,
            behind,
        })
    }
}
