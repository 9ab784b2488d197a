//! The project library (项目库): creating and editing projects, reading one with its target
//! sheet and review trail, and listing with filters, paging and totals.

use crate::audit::append;
use crate::project_scope::ProjectScope;
use crate::stored::{self, Readable};
use crate::tx::Tx;
use crate::{Error, Pool, Result, Store};
use jixiao_core::audit::AuditEntry;
use jixiao_core::project::{ProjectInput, ProjectState};
use jixiao_core::target::TargetSheet;
use jixiao_core::workflow::{Project as WfProject, ProjectAction};
use jixiao_core::{Actor, time};
use serde::Serialize;
use serde_json::json;
use sqlx::QueryBuilder;

/// A project as stored, with its agency's code and name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Project {
    /// Id.
    pub id: i64,
    /// Jurisdiction.
    pub jurisdiction_code: String,
    /// The agency asking for the money.
    pub agency_id: i64,
    /// Its code.
    pub agency_code: String,
    /// Its name.
    pub agency_name: String,
    /// Its department, when it is a unit.
    pub agency_parent_id: Option<i64>,
    /// Budget year.
    pub year: i32,
    /// Project code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Category code.
    pub category: String,
    /// New (not continuing).
    pub is_new: bool,
    /// The earlier year's project this one continues.
    pub previous_project_id: Option<i64>,
    /// Its code.
    pub previous_project_code: Option<String>,
    /// Period start.
    pub start_year: i32,
    /// Period end.
    pub end_year: i32,
    /// Requested amount.
    pub requested_fen: i64,
    /// 上级财政拨款.
    pub funding_superior_fen: i64,
    /// 本级财政拨款.
    pub funding_local_fen: i64,
    /// 其他资金.
    pub funding_other_fen: i64,
    /// 立项依据.
    pub basis: String,
    /// 必要性.
    pub necessity: String,
    /// 项目负责人.
    pub person_in_charge: String,
    /// Serves people directly.
    pub serves_people: bool,
    /// Ex-ante assessment code.
    pub pre_assessment: Option<String>,
    /// Ex-ante assessment note.
    pub pre_assessment_note: String,
    /// Where it stands: a code of the workflow's vocabulary. Every read through the store checks
    /// it ([`readable`]); a row holding anything else fails the read, naming the row.
    pub state: String,
    /// Current review step, while submitted.
    pub review_step: Option<String>,
    /// Target grade (优/良/中/差).
    pub target_grade: Option<String>,
    /// Approved amount.
    pub approved_fen: Option<i64>,
    /// Why the approved amount differs from the request.
    pub approval_reason: String,
    /// The approved amount the agency must adjust its targets to (按批复金额调整绩效目标), while a
    /// sheet made for it is not yet approved; `None` when the targets fit the money (decision
    /// 0043).
    pub targets_adjust_fen: Option<i64>,
    /// The rulebook version it was submitted under.
    pub rulebook_id: Option<i64>,
    /// The working revision of the target sheet.
    pub target_revision: i32,
    /// The approved revision of the target sheet.
    pub approved_revision: Option<i32>,
    /// Optimistic-lock version: every change adds one.
    pub version: i32,
    /// Last change.
    pub updated_at: i64,
    /// The automatic review of the working target sheet: findings that block submission
    /// (`None` when the sheet was never reviewed, e.g. never saved).
    pub target_review_errors: Option<i32>,
    /// … and findings that only inform.
    pub target_review_warnings: Option<i32>,
}

impl Project {
    /// The state.
    pub fn state(&self) -> ProjectState {
        // Every Project leaves the store checked (`stored::Readable`), so the code parses; the fallback
        // is never taken.
        ProjectState::parse(&self.state).unwrap_or(ProjectState::Draft)
    }

    /// 草稿/待审核/被退回/已审核.
    pub fn state_label(&self) -> &'static str {
        self.state().label()
    }

    /// The amount the working target sheet is held against, and whether it is an approved amount
    /// the targets must be adjusted to (otherwise the request).
    pub fn target_amount(&self) -> (i64, bool) {
        match self.targets_adjust_fen {
            Some(fen) => (fen, true),
            None => (self.requested_fen, false),
        }
    }

    /// Whether the agency has targets to adjust to an approved amount and has not started yet
    /// (待调整绩效目标).
    pub fn targets_to_adjust(&self) -> bool {
        self.targets_adjust_fen.is_some() && self.state() == ProjectState::Approved
    }
}

pub(crate) const SELECT_PROJECT: &str = "SELECT p.id, p.jurisdiction_code, p.agency_id, \
     a.code AS agency_code, a.name AS agency_name, a.parent_id AS agency_parent_id, p.year, \
     p.code, p.name, p.category, p.is_new, p.previous_project_id, \
     prev.code AS previous_project_code, p.start_year, p.end_year, p.requested_fen, \
     p.funding_superior_fen, p.funding_local_fen, p.funding_other_fen, p.basis, p.necessity, \
     p.person_in_charge, p.serves_people, p.pre_assessment, p.pre_assessment_note, p.state, \
     p.review_step, p.target_grade, p.approved_fen, p.approval_reason, p.targets_adjust_fen, p.rulebook_id, \
     p.target_revision, p.approved_revision, p.version, p.updated_at, \
     ts.review_errors AS target_review_errors, ts.review_warnings AS target_review_warnings \
     FROM projects p JOIN agencies a ON a.id = p.agency_id \
     LEFT JOIN projects prev ON prev.id = p.previous_project_id \
     LEFT JOIN target_sheets ts ON ts.project_id = p.id AND ts.revision = p.target_revision";

/// A project's place in the list's order: year (descending), jurisdiction, code.
pub type ProjectKey = (i32, String, String);

/// Filters for the project list; empty fields do not filter.
#[derive(Debug, Clone, Default)]
pub struct ProjectFilter {
    /// A jurisdiction the actor sees: its projects and those of the levels below it.
    pub jurisdiction: Option<String>,
    /// Budget year.
    pub year: Option<i32>,
    /// Agency code (that agency only).
    pub agency_code: Option<String>,
    /// State.
    pub state: Option<ProjectState>,
    /// Category code.
    pub category: Option<String>,
    /// Part of the name or code.
    pub search: Option<String>,
    /// Only projects whose working target sheet has findings of the automatic review
    /// (有问题的目标表).
    pub with_target_findings: bool,
}

/// One page of projects with the totals of everything matching.
#[derive(Debug, Clone)]
pub struct ProjectPage {
    /// The projects on this page, by agency code then project code.
    pub projects: Vec<Project>,
    /// How many match in all.
    pub total: i64,
    /// Their requested amounts together.
    pub requested_fen: i64,
    /// Their approved amounts together.
    pub approved_fen: i64,
    /// This page, from 1.
    pub page: i64,
    /// Rows per page.
    pub per_page: i64,
    /// When the totals were summed (microseconds since the epoch), when they come from the
    /// rollups of a list over several jurisdictions; `None`: counted with the rows.
    pub totals_as_of: Option<i64>,
    /// A name search over a scope wider than a city's matched more than [`SEARCH_COUNT_CAP`]
    /// projects: `total` is the cap, the count stopped there and the amounts (0) were not
    /// summed. Only the first `total` matches are paged.
    pub total_capped: bool,
}

impl ProjectPage {
    /// Pages in all (at least 1).
    pub fn pages(&self) -> i64 {
        ((self.total + self.per_page - 1) / self.per_page).max(1)
    }
}

/// Every project read holds a state of the workflow's vocabulary; a row that does not is an
/// error naming the table, the row and the text, never read as a default.
impl Readable for Project {
    fn read(self) -> Result<Project> {
        crate::workflow::parse_state::<jixiao_core::workflow::Project>(&self.state, self.id)?;
        Ok(self)
    }
}

impl Store {
    /// A project the actor may see (another agency's project is "not found").
    pub async fn project(&self, actor: &Actor, id: i64) -> Result<Project> {
        let scope = self.project_scope(actor).await?;
        let found: Option<Project> = on_pool!(&self.pool, |pool| {
            let mut query = QueryBuilder::new(format!("{SELECT_PROJECT} WHERE p.id = "));
            query.push_bind(id);
            scope.push(&mut query);
            query.build_query_as().fetch_optional(pool).await?
        });
        stored::one(found)?.ok_or_else(|| Error::NotFound("项目不存在".to_owned()))
    }

    /// A project by id whatever the reader: for use cases that have already decided access
    /// another way (a drawn member's open task).
    pub(crate) async fn project_by_id(&self, id: i64) -> Result<Project> {
        let found: Option<Project> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{SELECT_PROJECT} WHERE p.id = $1"
            )))
            .bind(id)
            .fetch_optional(pool)
            .await?
        });
        stored::one(found)?.ok_or_else(|| Error::NotFound("项目不存在".to_owned()))
    }

    /// The id of the project with `code`, if the actor may see it.
    pub async fn project_id_by_code(&self, actor: &Actor, code: &str) -> Result<i64> {
        let scope = self.project_scope(actor).await?;
        let found: Option<i64> = on_pool!(&self.pool, |pool| {
            let mut query = QueryBuilder::new("SELECT p.id FROM projects p WHERE p.code = ");
            query.push_bind(code.trim().to_owned());
            scope.push(&mut query);
            query.build_query_scalar().fetch_optional(pool).await?
        });
        found.ok_or_else(|| Error::NotFound(format!("项目“{}”不存在", code.trim())))
    }

    /// Projects matching `filter` within the actor's scope, with totals.
    pub async fn projects(
        &self,
        actor: &Actor,
        filter: &ProjectFilter,
        page: i64,
        per_page: i64,
    ) -> Result<ProjectPage> {
        self.project_list(actor, filter, page, per_page, None).await
    }

    /// The next `limit` projects matching `filter` after `after` (year, jurisdiction and code of
    /// the last one read — codes repeat across counties; `None` to start), in the list's order —
    /// for reading a whole list batch by batch without paging offsets. The page's totals are not
    /// computed.
    pub async fn projects_after(
        &self,
        actor: &Actor,
        filter: &ProjectFilter,
        after: Option<ProjectKey>,
        limit: i64,
    ) -> Result<Vec<Project>> {
        let cursor = Some(after.unwrap_or((i32::MAX, String::new(), String::new())));
        Ok(self
            .project_list(actor, filter, 1, limit, cursor)
            .await?
            .projects)
    }

    async fn project_list(
        &self,
        actor: &Actor,
        filter: &ProjectFilter,
        page: i64,
        per_page: i64,
        cursor: Option<ProjectKey>,
    ) -> Result<ProjectPage> {
        let scope = self
            .project_scope_in(actor, filter.jurisdiction.as_deref())
            .await?;
        let page = page.max(1);
        let per_page = per_page.clamp(1, if cursor.is_some() { 5000 } else { 500 });
        // Over several jurisdictions, totals a rollup can give (year, state, agency filters)
        // come from it, once built: counting a province's rows per request would cost what the
        // province holds.
        let several = scope
            .jurisdictions
            .as_ref()
            .is_none_or(|codes| codes.len() > 1);
        let totals_as_of = if cursor.is_none()
            && several
            && scope.agencies.is_none()
            && filter.category.is_none()
            && !filter.with_target_findings
            && filter.search.as_deref().is_none_or(|s| s.trim().is_empty())
        {
            self.scope_rollups_refreshed().await?
        } else {
            None
        };
        // An agency code becomes the ids of the agencies of that code in the actor's scope (one
        // for a county user, that department of each county for a city or province user), so
        // the totals need no join; an unknown code matches nothing.
        let agency_ids: Option<Vec<i64>> = match &filter.agency_code {
            None => None,
            Some(code) => Some(
                self.agencies(actor)
                    .await?
                    .into_iter()
                    .filter(|a| &a.code == code)
                    .filter(|a| {
                        scope
                            .jurisdictions
                            .as_ref()
                            .is_none_or(|codes| codes.contains(&a.jurisdiction_code))
                    })
                    .map(|a| a.id)
                    .collect(),
            ),
        };
        let agency_scope = agency_ids.map(|ids| ProjectScope {
            jurisdictions: None,
            agencies: Some(ids),
            breadth: scope.breadth,
        });
        let push_filter = |query: &mut dyn FnMut(&str, FilterValue)| {
            if let Some(year) = filter.year {
                query(" AND p.year = ", FilterValue::Int(i64::from(year)));
            }
            if let Some(state) = filter.state {
                query(
                    " AND p.state = ",
                    FilterValue::Text(state.as_str().to_owned()),
                );
            }
            if let Some(category) = &filter.category {
                query(" AND p.category = ", FilterValue::Text(category.clone()));
            }
        };
        let search = filter
            .search
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| s.replace(['%', '_'], ""));
        // On PostgreSQL, over a scope wider than a city's, the characters and pairs of the words
        // asked for, served by the index of migration 0039 (LIKE then checks the candidates).
        // A county's or a city's rows are fewer than a common word's matches across the
        // province, so there the jurisdiction's index and a scan of its names are faster
        // (measured at full scale: county 17 ms and city 27 ms through the pairs, against a
        // province that it took from about 145 to 87 ms; decision 0050). SQLite always scans.
        let wide = scope.breadth > WIDE_SEARCH_JURISDICTIONS
            && scope.agencies.is_none()
            && agency_scope.is_none();
        let grams = match (&self.pool, &search) {
            (Pool::Postgres(_), Some(term)) if wide => search_grams(term),
            _ => Vec::new(),
        };
        let search = search.map(|s| format!("%{s}%"));
        let counted_to_cap = wide && search.is_some() && cursor.is_none();
        let postgres = matches!(self.pool, Pool::Postgres(_));
        let (rows, totals, page, total_capped) = on_pool!(&self.pool, |pool| {
            let build = |head: &str| {
                let mut query = QueryBuilder::new(head);
                query.push(" WHERE 1 = 1");
                scope.push(&mut query);
                if let Some(agencies) = &agency_scope {
                    agencies.push(&mut query);
                }
                push_filter(&mut |sql, value| {
                    query.push(sql);
                    match value {
                        FilterValue::Int(v) => query.push_bind(v),
                        FilterValue::Text(v) => query.push_bind(v),
                    };
                });
                if filter.with_target_findings {
                    query.push(
                        " AND EXISTS (SELECT 1 FROM target_review_findings trf \
                         WHERE trf.project_id = p.id AND trf.revision = p.target_revision)",
                    );
                }
                if !grams.is_empty() {
                    query.push(" AND search_grams(p.name, p.code) @> ARRAY[");
                    let mut list = query.separated(", ");
                    for gram in &grams {
                        list.push_bind(gram.clone());
                    }
                    query.push("]::TEXT[]");
                }
                if let Some(pattern) = &search {
                    query
                        .push(" AND (p.name LIKE ")
                        .push_bind(pattern.clone())
                        .push(" OR p.code LIKE ")
                        .push_bind(pattern.clone())
                        .push(")");
                }
                if let Some((year, jurisdiction, code)) = &cursor {
                    // After (year, jurisdiction, code) in the order year descending, then
                    // jurisdiction and code ascending.
                    query
                        .push(" AND (p.year < ")
                        .push_bind(*year)
                        .push(" OR (p.year = ")
                        .push_bind(*year)
                        .push(" AND (p.jurisdiction_code > ")
                        .push_bind(jurisdiction.clone())
                        .push(" OR (p.jurisdiction_code = ")
                        .push_bind(jurisdiction.clone())
                        .push(" AND p.code > ")
                        .push_bind(code.clone())
                        .push("))))");
                }
                query
            };
            let totals: (i64, i64, i64) = if cursor.is_some() {
                (0, 0, 0)
            } else if totals_as_of.is_some() {
                let mut query = QueryBuilder::new(
                    "SELECT CAST(COALESCE(SUM(p.projects), 0) AS BIGINT), \
                     CAST(COALESCE(SUM(p.requested_fen), 0) AS BIGINT), \
                     CAST(COALESCE(SUM(p.approved_fen), 0) AS BIGINT) \
                     FROM rollup_projects p WHERE 1 = 1",
                );
                scope.push(&mut query);
                if let Some(agencies) = &agency_scope {
                    agencies.push(&mut query);
                }
                if let Some(year) = filter.year {
                    query.push(" AND p.year = ").push_bind(year);
                }
                if let Some(state) = filter.state {
                    query
                        .push(" AND p.state = ")
                        .push_bind(state.as_str().to_owned());
                }
                query.build_query_as().fetch_one(pool).await?
            } else if counted_to_cap {
                // Counted up to the cap and one more; the amounts only when under it.
                let mut totals = build(
                    "SELECT COUNT(*), CAST(COALESCE(SUM(s.requested_fen), 0) AS BIGINT), \
                     CAST(COALESCE(SUM(s.approved_fen), 0) AS BIGINT) FROM \
                     (SELECT p.requested_fen, p.approved_fen FROM projects p",
                );
                totals
                    .push(" LIMIT ")
                    .push_bind(SEARCH_COUNT_CAP + 1)
                    .push(") s");
                if postgres {
                    // Without parallel workers: starting them cost more than the count (16 ms
                    // median and up to 40 ms with, a steady 10 ms without, at full scale).
                    let mut tx = pool.begin().await?;
                    sqlx::query("SET LOCAL max_parallel_workers_per_gather = 0")
                        .execute(&mut *tx)
                        .await?;
                    let counted = totals.build_query_as().fetch_one(&mut *tx).await?;
                    tx.commit().await?;
                    counted
                } else {
                    totals.build_query_as().fetch_one(pool).await?
                }
            } else {
                let mut totals = build(
                    "SELECT COUNT(*), CAST(COALESCE(SUM(p.requested_fen), 0) AS BIGINT), \
                     CAST(COALESCE(SUM(p.approved_fen), 0) AS BIGINT) FROM projects p",
                );
                totals.build_query_as().fetch_one(pool).await?
            };
            // Over the cap only its first matches are paged: a page past them is the last one,
            // and the last one stops at the cap.
            let capped = counted_to_cap && totals.0 > SEARCH_COUNT_CAP;
            let (page, limit) = if capped {
                let page = page.min((SEARCH_COUNT_CAP + per_page - 1) / per_page);
                (page, per_page.min(SEARCH_COUNT_CAP - (page - 1) * per_page))
            } else {
                (page, per_page)
            };
            // Page over ids first (index only), then read the page's rows with their joins.
            let mut list = build(&format!(
                "{SELECT_PROJECT} WHERE p.id IN (SELECT p.id FROM projects p"
            ));
            // Codes start with the agency code, so this orders by county, then agency, and walks
            // the (jurisdiction, year, code) key in order (the year is fixed by the filter; a
            // city's counties are a list on the key's first column, read in order too).
            list.push(" ORDER BY p.year DESC, p.jurisdiction_code, p.code LIMIT ")
                .push_bind(limit)
                .push(" OFFSET ")
                .push_bind((page - 1).saturating_mul(per_page))
                .push(") ORDER BY p.year DESC, p.jurisdiction_code, p.code");
            let rows: Vec<Project> = stored::all(list.build_query_as().fetch_all(pool).await?)?;
            (rows, totals, page, capped)
        });
        let totals = if total_capped {
            (SEARCH_COUNT_CAP, 0, 0)
        } else {
            totals
        };
        Ok(ProjectPage {
            projects: rows,
            total: totals.0,
            requested_fen: totals.1,
            approved_fen: totals.2,
            total_capped,
            page,
            per_page,
            totals_as_of: totals_as_of.map(|r| r.refreshed_at),
        })
    }

    /// Records a new project as a draft with an empty target sheet. Only agency users ask for
    /// money, for their own agency or a unit below it.
    pub async fn create_project(
        &self,
        actor: &Actor,
        agency_code: Option<&str>,
        input: &ProjectInput,
    ) -> Result<Project> {
        actor.require(jixiao_core::Capability::AskForMoney)?;
        let state = crate::workflow::create::<WfProject>(ProjectAction::Create, actor)?;
        let own = actor.agency_id.ok_or(Error::Forbidden)?;
        let agencies = self.agencies(actor).await?;
        let agency = match agency_code {
            None => agencies.iter().find(|a| a.id == own),
            Some(code) => agencies.iter().find(|a| a.code == code),
        }
        .ok_or_else(|| {
            Error::invalid("agency", "unknown_agency", "只能为本单位或所属单位申报项目")
        })?
        .clone();
        let mut input = input.clone();
        let rulebook = self
            .rulebook_in_force(&agency.jurisdiction_code, input.year)
            .await
            .map_err(|e| match e {
                Error::Conflict {
                    code: crate::ConflictCode::RulebookMissing,
                    message,
                } => Error::invalid("year", "no_rulebook", message),
                other => other,
            })?
            .rulebook()?;
        input.validate(&rulebook)?;
        let previous = self.previous_project_id(actor, &input).await?;
        let now = time::now();
        let mut tx = self.begin().await?;
        let id = insert_project(&mut tx, &agency, &input, state, now, &actor.name).await?;
        set_previous(&mut tx, id, previous).await?;
        crate::workflow::record_creation::<WfProject>(
            &mut tx,
            id,
            ProjectAction::Create,
            state,
            actor,
            crate::workflow::Trail {
                jurisdiction: Some(&agency.jurisdiction_code),
                details: json!({
                    "name": input.name,
                    "year": input.year,
                    "agency": agency.code,
                    "requested_fen": input.requested_fen,
                }),
            },
        )
        .await?;
        tx.commit().await?;
        self.project(actor, id).await
    }

    /// Changes a draft or returned project. `version` must be the one the editor read.
    pub async fn update_project(
        &self,
        actor: &Actor,
        id: i64,
        version: i32,
        input: &ProjectInput,
    ) -> Result<Project> {
        let project = self.editable_project(actor, id).await?;
        let mut input = input.clone();
        input.year = project.year;
        let rulebook = self
            .rulebook_in_force(&project.jurisdiction_code, project.year)
            .await?
            .rulebook()?;
        input.validate(&rulebook)?;
        let previous = self.previous_project_id(actor, &input).await?;
        let mut tx = self.begin().await?;
        bump_version(&mut tx, id, version).await?;
        set_previous(&mut tx, id, previous).await?;
        on_tx!(&mut tx, |conn| {
            sqlx::query(
                "UPDATE projects SET name = $1, category = $2, is_new = $3, start_year = $4, \
                 end_year = $5, requested_fen = $6, funding_superior_fen = $7, \
                 funding_local_fen = $8, funding_other_fen = $9, basis = $10, necessity = $11, \
                 person_in_charge = $12, serves_people = $13, updated_at = $14 WHERE id = $15",
            )
            .bind(input.name.trim())
            .bind(&input.category)
            .bind(input.is_new)
            .bind(input.start_year)
            .bind(input.end_year)
            .bind(input.requested_fen)
            .bind(input.funding_superior_fen)
            .bind(input.funding_local_fen)
            .bind(input.funding_other_fen)
            .bind(input.basis.trim())
            .bind(input.necessity.trim())
            .bind(input.person_in_charge.trim())
            .bind(input.serves_people)
            .bind(time::now())
            .bind(id)
            .execute(&mut *conn)
            .await?;
        });
        append(
            &mut tx,
            AuditEntry::new(&actor.name, "project.update", "project", &id.to_string())
                .in_jurisdiction(Some(&project.jurisdiction_code))
                .with_details(json!({"name": input.name, "requested_fen": input.requested_fen})),
        )
        .await?;
        tx.commit().await?;
        self.project(actor, id).await
    }

    /// The id of the earlier project a continuing project names: one the actor sees, of an
    /// earlier year.
    async fn previous_project_id(
        &self,
        actor: &Actor,
        input: &ProjectInput,
    ) -> Result<Option<i64>> {
        let Some(code) = input
            .previous_project
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
        else {
            return Ok(None);
        };
        let scope = self.project_scope(actor).await?;
        let found: Option<(i64, i32)> = on_pool!(&self.pool, |pool| {
            let mut query =
                QueryBuilder::new("SELECT p.id, p.year FROM projects p WHERE p.code = ");
            query.push_bind(code.to_owned());
            scope.push(&mut query);
            query.build_query_as().fetch_optional(pool).await?
        });
        match found {
            Some((id, year)) if year < input.year => Ok(Some(id)),
            Some(_) => Err(Error::invalid(
                "previous_project",
                "not_earlier",
                format!("关联的项目“{code}”不是以前年度的项目"),
            )),
            None => Err(Error::invalid(
                "previous_project",
                "unknown_project",
                format!("以前年度项目“{code}”不存在"),
            )),
        }
    }

    /// A project the actor may edit now: an agency user's own (subtree) project in draft or
    /// returned state. Finance and viewers may not edit an agency's project.
    pub(crate) async fn editable_project(&self, actor: &Actor, id: i64) -> Result<Project> {
        let project = self.project(actor, id).await?;
        actor.require(jixiao_core::Capability::AskForMoney)?;
        if !project.state().editable() {
            return Err(Error::conflict(
                crate::ConflictCode::NotEditable,
                format!("项目当前为“{}”状态，不能修改", project.state_label()),
            ));
        }
        Ok(project)
    }
}

/// A filter value of either kind.
enum FilterValue {
    Int(i64),
    Text(String),
}

/// Inserts a project row and its empty first target sheet; returns the id. The code is
/// `AGENCY-YEAR-ID`, unique by construction.
pub(crate) async fn insert_project(
    tx: &mut Tx,
    agency: &crate::Agency,
    input: &ProjectInput,
    state: ProjectState,
    now: i64,
    actor: &str,
) -> Result<i64> {
    on_tx!(tx, |conn| {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO projects (jurisdiction_code, agency_id, year, code, name, category, \
             is_new, start_year, end_year, requested_fen, funding_superior_fen, \
             funding_local_fen, funding_other_fen, basis, necessity, person_in_charge, \
             serves_people, state, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, \
             $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $19) RETURNING id",
        )
        .bind(&agency.jurisdiction_code)
        .bind(agency.id)
        .bind(input.year)
        .bind(format!("pending-{now}-{}", agency.id))
        .bind(input.name.trim())
        .bind(&input.category)
        .bind(input.is_new)
        .bind(input.start_year)
        .bind(input.end_year)
        .bind(input.requested_fen)
        .bind(input.funding_superior_fen)
        .bind(input.funding_local_fen)
        .bind(input.funding_other_fen)
        .bind(input.basis.trim())
        .bind(input.necessity.trim())
        .bind(input.person_in_charge.trim())
        .bind(input.serves_people)
        .bind(state.as_str())
        .bind(now)
        .fetch_one(&mut *conn)
        .await?;
        sqlx::query("UPDATE projects SET code = $1 WHERE id = $2")
            .bind(format!("{}-{}-{id:06}", agency.code, input.year))
            .bind(id)
            .execute(&mut *conn)
            .await?;
        sqlx::query(
            "INSERT INTO target_sheets (project_id, revision, overall_goal, annual_goal, \
             saved_at, saved_by) VALUES ($1, 1, '', '', $2, $3)",
        )
        .bind(id)
        .bind(now)
        .bind(actor)
        .execute(&mut *conn)
        .await?;
        Ok(id)
    })
}

/// Links a project to the earlier project it continues (or unlinks it).
pub(crate) async fn set_previous(tx: &mut Tx, id: i64, previous: Option<i64>) -> Result<()> {
    on_tx!(tx, |conn| {
        sqlx::query("UPDATE projects SET previous_project_id = $1 WHERE id = $2")
            .bind(previous)
            .bind(id)
            .execute(&mut *conn)
            .await?;
    });
    Ok(())
}

/// Moves the project's version from `expected` to the next; a stale `expected` means someone
/// else saved in between, and the change is refused.
pub(crate) async fn bump_version(tx: &mut Tx, id: i64, expected: i32) -> Result<()> {
    let changed = on_tx!(tx, |conn| {
        sqlx::query("UPDATE projects SET version = version + 1 WHERE id = $1 AND version = $2")
            .bind(id)
            .bind(expected)
            .execute(&mut *conn)
            .await?
            .rows_affected()
    });
    if changed == 1 {
        Ok(())
    } else {
        Err(Error::StaleVersion(
            "该项目已被他人修改，请刷新页面后重试（您的修改未保存）".to_owned(),
        ))
    }
}

/// A project with what its pages show.
#[derive(Debug, Clone)]
pub struct ProjectDetail {
    /// The project.
    pub project: Project,
    /// The working target sheet.
    pub target: TargetSheet,
    /// The approved target sheet, when a later revision is being worked on.
    pub approved_target: Option<TargetSheet>,
    /// The review trail, oldest first.
    pub reviews: Vec<crate::review::ReviewRecord>,
}

/// A name search over a scope wider than a city's counts its matches up to this many (decision
/// 0053): a word common across a province matches tens of thousands of projects, and counting
/// and summing them all on every page cost more than the page (87 ms for 50,000 at full scale).
pub const SEARCH_COUNT_CAP: i64 = 5000;

/// Above this many jurisdictions in a list's scope (a city has at most about twenty counties), a
/// name search on PostgreSQL goes through the index of characters and pairs.
const WIDE_SEARCH_JURISDICTIONS: usize = 24;

/// What the name-search index (PostgreSQL, migration 0039) is asked for a search term: a single
/// character itself, a longer term each distinct pair of neighbouring characters (the first
/// sixteen: a long term narrows enough with those). Every name or code holding the term holds
/// them all; LIKE checks the candidates.
pub(crate) fn search_grams(term: &str) -> Vec<String> {
    let chars: Vec<char> = term.chars().collect();
    let mut grams: Vec<String> = match chars.len() {
        0 => Vec::new(),
        1 => vec![chars[0].to_string()],
        _ => chars.windows(2).map(|w| w.iter().collect()).collect(),
    };
    grams.sort();
    grams.dedup();
    grams.truncate(16);
    grams
}

#[cfg(test)]
mod tests {
    use super::search_grams;

    /// What migration 0039's `search_grams(name, code)` indexes, for one text.
    fn indexed(text: &str) -> Vec<String> {
        let chars: Vec<char> = text.chars().collect();
        let mut grams: Vec<String> = chars.iter().map(char::to_string).collect();
        grams.extend(chars.windows(2).map(|w| w.iter().collect::<String>()));
        grams
    }

    #[test]
    fn a_term_asks_for_its_character_or_its_pairs() {
        assert!(search_grams("").is_empty());
        assert_eq!(search_grams("体"), ["体"]);
        assert_eq!(search_grams("体检"), ["体检"]);
        assert_eq!(search_grams("学生体检"), ["体检", "学生", "生体"]);
        assert_eq!(search_grams("aaa"), ["aa"]);
        assert_eq!(search_grams(&"长".repeat(5000)), ["长长"]);
        let long: String = ('一'..='龥').take(200).collect();
        assert_eq!(search_grams(&long).len(), 16);
    }

    #[test]
    fn every_name_holding_the_term_holds_what_is_asked_for() {
        let names = [
            "乐陵市学生体检项目",
            "LL2020-001",
            "体",
            "农村改厕（户厕）改造",
            "a体检b",
        ];
        for name in names {
            let chars: Vec<char> = name.chars().collect();
            for start in 0..chars.len() {
                for end in start + 1..=chars.len() {
                    let term: String = chars[start..end].iter().collect();
                    let held = indexed(name);
                    for gram in search_grams(&term) {
                        assert!(held.contains(&gram), "{name} holds {term} but not {gram}");
                    }
                }
            }
        }
    }
}
