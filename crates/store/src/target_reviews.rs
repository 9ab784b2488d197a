//! The automatic target review (智能预审) as stored: every saved revision of a target sheet keeps
//! the findings of the review run under the rulebook in force when it was written; the year's
//! findings by code and by agency, and the review of a project's working sheet on demand.

use crate::rulebooks::RulebookRecord;
use crate::stored::{self, Cell, Readable};
use crate::tx::Tx;
use crate::{Error, Result, Store};
use jixiao_core::Actor;
use jixiao_core::target::{IndicatorInput, TargetSheet};
use jixiao_core::target_review::{Finding, FindingCode, Reviewer, Severity, SheetUnderReview};
use serde::Serialize;
use sqlx::QueryBuilder;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// How many compiled reviewers are kept (one per rulebook text in use).
const CACHED_REVIEWERS: usize = 64;

/// The reviewer of a rulebook version, compiled once per text (1–2 ms each) and shared.
pub fn reviewer(record: &RulebookRecord) -> Result<Arc<Reviewer>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<Reviewer>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Mutex::default);
    let unavailable = || Error::Internal("智能预审缓存不可用".to_owned());
    if let Some(found) = cache.lock().map_err(|_| unavailable())?.get(&record.digest) {
        return Ok(Arc::clone(found));
    }
    let rulebook = record.rulebook()?;
    let compiled = Arc::new(
        Reviewer::new(&rulebook)
            .map_err(|e| Error::Config(format!("规则中的智能预审词表无法使用：{e}")))?,
    );
    let mut cached = cache.lock().map_err(|_| unavailable())?;
    if cached.len() >= CACHED_REVIEWERS {
        cached.clear();
    }
    cached.insert(record.digest.clone(), Arc::clone(&compiled));
    Ok(compiled)
}

/// The review of one sheet: the rulebook it ran under and what it found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetReview {
    /// The rulebook version the review ran under.
    pub rulebook_id: i64,
    /// The findings, in the reviewer's order.
    pub findings: Vec<Finding>,
}

impl SheetReview {
    /// Reviews `sheet` of a project of `year` asking for `amount_fen` under `record`.
    pub fn of(
        record: &RulebookRecord,
        sheet: &TargetSheet,
        year: i32,
        amount_fen: i64,
    ) -> Result<SheetReview> {
        let under_review = SheetUnderReview::from_target_sheet(sheet, year, Some(amount_fen));
        Ok(SheetReview {
            rulebook_id: record.id,
            findings: reviewer(record)?.review(&under_review),
        })
    }

    /// Reviews `sheet` of `project` against the amount its targets are held to: the request, or
    /// the approved amount they must be adjusted to ([`crate::Project::target_amount`]).
    pub fn for_project(
        record: &RulebookRecord,
        sheet: &TargetSheet,
        project: &crate::Project,
    ) -> Result<SheetReview> {
        let (amount, approved) = project.target_amount();
        SheetReview::against(record, sheet, project.year, amount, approved)
    }

    /// Reviews `sheet` against `amount_fen`, named as the approved amount when `approved`.
    pub fn against(
        record: &RulebookRecord,
        sheet: &TargetSheet,
        year: i32,
        amount_fen: i64,
        approved: bool,
    ) -> Result<SheetReview> {
        let mut under_review = SheetUnderReview::from_target_sheet(sheet, year, Some(amount_fen));
        under_review.amount_approved = approved;
        Ok(SheetReview {
            rulebook_id: record.id,
            findings: reviewer(record)?.review(&under_review),
        })
    }

    /// The findings that block submission.
    pub fn errors(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.is_error())
    }
}

/// Stores the review of revision `revision` of a project's sheet (replacing an earlier one), in
/// the transaction that writes the sheet.
pub(crate) async fn write_review(
    tx: &mut Tx,
    project_id: i64,
    revision: i32,
    review: &SheetReview,
) -> Result<()> {
    let errors = review.errors().count();
    let warnings = review.findings.len() - errors;
    let count = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
    on_tx!(tx, |conn| {
        sqlx::query("DELETE FROM target_review_findings WHERE project_id = $1 AND revision = $2")
            .bind(project_id)
            .bind(revision)
            .execute(&mut *conn)
            .await?;
        sqlx::query(
            "UPDATE target_sheets SET review_rulebook_id = $1, review_errors = $2, \
             review_warnings = $3 WHERE project_id = $4 AND revision = $5",
        )
        .bind(review.rulebook_id)
        .bind(count(errors))
        .bind(count(warnings))
        .bind(project_id)
        .bind(revision)
        .execute(&mut *conn)
        .await?;
        for (index, finding) in review.findings.iter().enumerate() {
            sqlx::query(
                "INSERT INTO target_review_findings (project_id, revision, seq, code, severity, \
                 row_no, indicator, message) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(project_id)
            .bind(revision)
            .bind(count(index + 1))
            .bind(finding.code.as_str())
            .bind(finding.severity.as_str())
            .bind(finding.row.map(count))
            .bind(&finding.indicator)
            .bind(&finding.message)
            .execute(&mut *conn)
            .await?;
        }
        Ok(())
    })
}

/// A finding of the year's review, with the project it is on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct YearReviewFinding {
    /// Project id.
    pub project_id: i64,
    /// Project code.
    pub project_code: String,
    /// Project name.
    pub project_name: String,
    /// The agency's code.
    pub agency_code: String,
    /// The agency's name.
    pub agency_name: String,
    /// The finding's code (`vague_value` …).
    pub code: String,
    /// `error` or `warning`.
    pub severity: String,
    /// The indicator row (from 1), or none for the sheet.
    pub row_no: Option<i32>,
    /// The indicator's name as written.
    pub indicator: String,
    /// What is wrong and what to write instead.
    pub message: String,
}

impl Readable for YearReviewFinding {
    fn read(self) -> Result<YearReviewFinding> {
        let cell = |column| {
            Cell::keyed(
                "target_review_findings",
                format!("project_id={}", self.project_id),
                column,
            )
        };
        cell("code").code(&self.code, FindingCode::parse)?;
        cell("severity").code(&self.severity, |s| {
            matches!(s, "error" | "warning").then_some(())
        })?;
        Ok(self)
    }
}

impl YearReviewFinding {
    /// The code's Chinese name.
    pub fn code_label(&self) -> &'static str {
        FindingCode::parse(&self.code).map_or("", FindingCode::label)
    }

    /// 错误 or 提示.
    pub fn severity_label(&self) -> &'static str {
        if self.severity == "error" {
            Severity::Error.label()
        } else {
            Severity::Warning.label()
        }
    }
}

/// One project's line in the year's review: its working sheet's counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct YearReviewSheet {
    /// Project id.
    pub project_id: i64,
    /// Project code.
    pub code: String,
    /// Project name.
    pub name: String,
    /// The agency's code.
    pub agency_code: String,
    /// The agency's name.
    pub agency_name: String,
    /// The project's state.
    pub state: String,
    /// Findings that block submission; `None` when the sheet was never reviewed.
    pub errors: Option<i32>,
    /// Findings that only inform.
    pub warnings: Option<i32>,
}

impl Readable for YearReviewSheet {
    fn read(self) -> Result<YearReviewSheet> {
        Ok(self)
    }
}

/// Counts of one finding code over the year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodeCount {
    /// The code.
    pub code: FindingCode,
    /// How many findings.
    pub findings: i64,
    /// On how many sheets.
    pub sheets: i64,
}

/// Counts of one agency's sheets over the year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgencyCount {
    /// The agency's code.
    pub agency_code: String,
    /// The agency's name.
    pub agency_name: String,
    /// Its sheets of the year.
    pub sheets: i64,
    /// Of which with any finding.
    pub with_findings: i64,
    /// Of which with a finding that blocks submission.
    pub blocked: i64,
    /// Its findings.
    pub findings: i64,
}

/// The year's review of every working target sheet the actor may see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct YearReview {
    /// The budget year.
    pub year: i32,
    /// Every sheet, worst first (errors, then warnings), then by agency and code.
    pub sheets: Vec<YearReviewSheet>,
    /// Counts by finding code, most frequent first.
    pub by_code: Vec<CodeCount>,
    /// Counts by agency, most findings first.
    pub by_agency: Vec<AgencyCount>,
}

impl YearReview {
    /// Sheets never reviewed (saved before the review was stored).
    pub fn unreviewed(&self) -> usize {
        self.sheets.iter().filter(|s| s.errors.is_none()).count()
    }

    /// Sheets with any finding.
    pub fn with_findings(&self) -> usize {
        self.sheets
            .iter()
            .filter(|s| s.errors.unwrap_or(0) + s.warnings.unwrap_or(0) > 0)
            .count()
    }

    /// Sheets with a finding that blocks submission.
    pub fn blocked(&self) -> usize {
        self.sheets
            .iter()
            .filter(|s| s.errors.unwrap_or(0) > 0)
            .count()
    }
}

impl Store {
    /// Reviews the working target sheet of a project as it is stored now, under the rulebook in
    /// force (for the grid and the printed sheet). Reads only.
    pub async fn review_working_sheet(&self, actor: &Actor, id: i64) -> Result<SheetReview> {
        let project = self.project(actor, id).await?;
        let sheet = self.target_sheet(id, project.target_revision).await?;
        let record = self
            .rulebook_in_force(&project.jurisdiction_code, project.year)
            .await?;
        SheetReview::for_project(&record, &sheet, &project)
    }

    /// Reviews a sheet as typed in the grid (not stored, perhaps not valid yet) for a project
    /// the actor may see: what the grid shows beside each row while the user types. Reads only.
    pub async fn review_typed_sheet(
        &self,
        actor: &Actor,
        id: i64,
        overall_goal: &str,
        annual_goal: &str,
        rows: &[IndicatorInput],
    ) -> Result<SheetReview> {
        let project = self.project(actor, id).await?;
        let record = self
            .rulebook_in_force(&project.jurisdiction_code, project.year)
            .await?;
        let (amount, approved) = project.target_amount();
        let mut sheet = SheetUnderReview::from_inputs(
            overall_goal,
            annual_goal,
            rows,
            project.year,
            Some(amount),
        );
        sheet.amount_approved = approved;
        Ok(SheetReview {
            rulebook_id: record.id,
            findings: reviewer(&record)?.review(&sheet),
        })
    }

    /// The stored review of every working target sheet of a year the actor may see, with
    /// counts by code and by agency.
    pub async fn year_target_review(&self, actor: &Actor, year: i32) -> Result<YearReview> {
        let scope = self.project_scope(actor).await?;
        let sheets: Vec<YearReviewSheet> = on_pool!(&self.pool, |pool| {
            let mut query = QueryBuilder::new(
                "SELECT p.id AS project_id, p.code, p.name, ag.code AS agency_code, \
                 ag.name AS agency_name, p.state, t.review_errors AS errors, \
                 t.review_warnings AS warnings FROM projects p \
                 JOIN agencies ag ON ag.id = p.agency_id \
                 JOIN target_sheets t ON t.project_id = p.id AND t.revision = p.target_revision \
                 WHERE p.year = ",
            );
            query.push_bind(year);
            scope.push(&mut query);
            query.push(
                " ORDER BY COALESCE(t.review_errors, 0) DESC, COALESCE(t.review_warnings, 0) \
                 DESC, ag.code, p.code",
            );
            stored::all(query.build_query_as().fetch_all(pool).await?)?
        });
        let counts: Vec<(String, i64, i64)> = on_pool!(&self.pool, |pool| {
            let mut query = QueryBuilder::new(
                "SELECT f.code, COUNT(*), COUNT(DISTINCT f.project_id) \
                 FROM target_review_findings f JOIN projects p ON p.id = f.project_id \
                 AND f.revision = p.target_revision WHERE p.year = ",
            );
            query.push_bind(year);
            scope.push(&mut query);
            query.push(" GROUP BY f.code");
            query.build_query_as().fetch_all(pool).await?
        });
        let mut by_code = counts
            .into_iter()
            .map(|(code, findings, sheets)| {
                Ok(CodeCount {
                    code: Cell::keyed("target_review_findings", format!("code={code}"), "code")
                        .code(&code, FindingCode::parse)?,
                    findings,
                    sheets,
                })
            })
            .collect::<Result<Vec<CodeCount>>>()?;
        by_code.sort_by(|a, b| b.findings.cmp(&a.findings).then(a.code.cmp(&b.code)));
        let mut agencies: Vec<AgencyCount> = Vec::new();
        for sheet in &sheets {
            let position = match agencies
                .iter()
                .position(|a| a.agency_code == sheet.agency_code)
            {
                Some(position) => position,
                None => {
                    agencies.push(AgencyCount {
                        agency_code: sheet.agency_code.clone(),
                        agency_name: sheet.agency_name.clone(),
                        sheets: 0,
                        with_findings: 0,
                        blocked: 0,
                        findings: 0,
                    });
                    agencies.len() - 1
                }
            };
            let line = &mut agencies[position];
            let errors = i64::from(sheet.errors.unwrap_or(0));
            let all = errors + i64::from(sheet.warnings.unwrap_or(0));
            line.sheets += 1;
            line.findings += all;
            line.with_findings += i64::from(all > 0);
            line.blocked += i64::from(errors > 0);
        }
        agencies.sort_by(|a, b| {
            b.findings
                .cmp(&a.findings)
                .then(a.agency_code.cmp(&b.agency_code))
        });
        Ok(YearReview {
            year,
            sheets,
            by_code,
            by_agency: agencies,
        })
    }

    /// Every stored finding on the working sheets of a year the actor may see (for the Excel
    /// list), by agency, project and row; `code` narrows it to one finding code.
    pub async fn year_target_review_findings(
        &self,
        actor: &Actor,
        year: i32,
        code: Option<FindingCode>,
    ) -> Result<Vec<YearReviewFinding>> {
        let scope = self.project_scope(actor).await?;
        Ok(on_pool!(&self.pool, |pool| {
            let mut query = QueryBuilder::new(
                "SELECT p.id AS project_id, p.code AS project_code, p.name AS project_name, \
                 ag.code AS agency_code, ag.name AS agency_name, f.code, f.severity, f.row_no, \
                 f.indicator, f.message FROM target_review_findings f \
                 JOIN projects p ON p.id = f.project_id AND f.revision = p.target_revision \
                 JOIN agencies ag ON ag.id = p.agency_id WHERE p.year = ",
            );
            query.push_bind(year);
            scope.push(&mut query);
            if let Some(code) = code {
                query.push(" AND f.code = ");
                query.push_bind(code.as_str().to_owned());
            }
            query.push(" ORDER BY ag.code, p.code, f.seq");
            stored::all(query.build_query_as().fetch_all(pool).await?)?
        }))
    }
}
