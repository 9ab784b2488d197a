//! Persistence for Jixiao: one [`Store`] over embedded SQLite (the default) or PostgreSQL.
//!
//! Queries are written once in the SQL both dialects accept (`$1` placeholders, `RETURNING`,
//! `ON CONFLICT`) and run on either backend through the [`tx`] dispatch macros; the few
//! dialect-specific statements sit side by side. Every public operation is a use case: it checks
//! the actor's rights, validates input, writes its rows and its audit record in one transaction.

#[macro_use]
mod tx;
mod adjustments;
mod agencies;
mod alerts;
mod allotments;
mod areas;
mod assignment_material;
mod assignments;
mod audit;
mod audit_anchor;
#[cfg(test)]
mod audit_codes;
mod backup;
mod bench_data;
mod business_dates;
mod children;
mod courtyards;
mod dashboard;
pub mod demo;
mod draws;
mod enjoyment_imports;
mod error;
mod evaluation_lists;
mod evaluations;
mod execution;
mod finding_rectifications;
mod fiscal_data;
mod group_commit;
mod group_payments;
mod health_screenings;
mod household_imports;
mod household_publicity;
mod households;
mod indicator_bindings;
mod jurisdictions;
mod login_failures;
mod monitoring;
mod passwords;
mod planner_statistics;
mod policy_check_lists;
mod policy_checks;
mod pools;
mod posts;
mod project_scope;
mod projects;
mod publications;
mod read_replica;
mod reconcile;
mod rectifications;
mod review;
mod risk_case_steps;
mod risk_cases;
mod risk_plans;
mod rulebooks;
mod scope_rollup_check;
mod scope_rollups;
mod screening_runs;
mod screenings;
mod self_evaluation_imports;
mod self_evaluation_writes;
mod self_evaluations;
mod session_cache;
mod sessions;
mod sqlite_payments;
mod stats;
mod stored;
mod target_adjustments;
mod target_reviews;
mod target_sheet_batches;
mod targets;
pub mod test_support;
mod township_board;
mod treasury;
mod treasury_lookup;
mod treasury_runs;
mod users;
mod visits;
mod work_records;
mod workflow;

pub use adjustments::{Adjustment, AdjustmentDecision, Cuts, action_label};
pub use agencies::Agency;
pub use alerts::{
    Alert, AlertDecision, AlertDetail, Evaluation, MonitoringTask, ProposalInput,
    alert_status_label, business_today,
};
pub use allotments::{AdjustmentKind, Allotment, LedgerEntry};
pub use areas::{AREA_LEVELS, Area, AreaLine};
pub use assignment_material::AssignmentMaterial;
pub use assignments::{Assignment, Complaint, RatingInput, ReviewInput, Standing};
pub use audit::{AuditFilter, AuditPage};
pub use audit_anchor::{AuditAnchor, AuditVerification, default_anchor_files};
pub use children::{
    Child, ChildActivity, ChildActivityInput, ChildCompliance, ChildFile, ChildInput,
    ChildrenCompliance, KindStandingView, SchoolCompliance,
};
pub use courtyards::{
    CourtyardRound, CourtyardRoundFile, CourtyardRoundInput, CourtyardScore, CourtyardScoreInput,
};
pub use dashboard::{
    AgencyFigures, Count, CutFigures, Dashboard, DepartmentRef, JurisdictionRef, MonthExecution,
    ProjectFigures,
};
pub use draws::{DrawInput, DrawRecord, PURPOSES, Replay, too_few_details};
pub use enjoyment_imports::{EnjoymentImport, EnjoymentRow};
pub use error::{CODES as ERROR_CODES, ConflictCode, Error};
pub use evaluation_lists::SelfEvaluationLine;
pub use evaluations::{ConfirmInput, CoverageLine, KeyEvaluation, KeyEvaluationDetail, ScoredItem};
pub use execution::{AllotmentExport, ExecutionRow, PaymentFilter, PaymentPage, PaymentRow};
pub use finding_rectifications::{FindingCase, FindingRectificationView};
pub use fiscal_data::BudgetLine;
pub use group_commit::GroupCommitter;
pub use health_screenings::{
    AppointmentInput, Campaign, CampaignFile, CampaignInput, CampaignPerson, ScreeningResultInput,
};
pub use household_imports::{HouseholdImport, ImportChange, ImportChangeKind, ImportCounts};
pub use household_publicity::PublicityLine;
pub use households::{HouseholdFile, HouseholdInput, HouseholdLine, Person, PersonInput};
pub use indicator_bindings::{Binding, BoundRecord, ComputedValue};
pub use jurisdictions::{FiscalYear, Jurisdiction};
pub use monitoring::{
    MonitoringReport, MonitoringRound, ReportEntry, ReportLine, ReportRow, RoundInput,
    report_state_label,
};
pub use passwords::PasswordChange;
pub use policy_checks::{
    EnjoymentInput, FINDING_STATUSES, FindingField, FindingFilter, FindingTally,
    POLICY_CHECK_RULEBOOK, PolicyCheckRun, PolicyCheckSummary, PolicyFinding,
};
pub use pools::{INSTITUTION_TYPES, MemberInput, PoolMember, RelationInput, mask_id_number};
pub use posts::{
    HolderInput, Post, PostFile, PostHolder, PostHolderLine, PostInput, PostMonth, PostMonthInput,
};
pub use projects::{
    Project, ProjectDetail, ProjectFilter, ProjectKey, ProjectPage, SEARCH_COUNT_CAP,
};
pub use publications::{PublicProject, PublicProjectDetail};
pub use read_replica::ReplicaFreshness;
pub use reconcile::{Discrepancy, Reconciliation};
pub use rectifications::Rectification;
pub use review::{Decision, ReviewRecord};
pub use risk_cases::{RiskCaseFile, RiskCaseInput, RiskCaseStep, RiskCaseView, RiskStepInput};
pub use risk_plans::{Measure, MeasureInput, PlanInput, RiskPlan};
pub use rulebooks::{LoadedRulebook, RulebookRecord};
pub use scope_rollup_check::{RollupCheck, RollupDifference};
pub use scope_rollups::{RollupRefresh, RollupRound};
pub use screenings::{
    Clue, ClueInput, ClueReasonEntry, DepartmentRow, ScreeningOutcome, ScreeningRun,
};
pub use self_evaluation_imports::ImportedSheet;
pub use self_evaluations::{
    EntryInput, EvaluationItem, SelfEvaluation, SelfEvaluationInput, missing_reasons,
    state_label as self_evaluation_state_label,
};
pub use session_cache::SESSION_CACHE_TTL;
pub use sessions::{LoginOutcome, LoginRefusal, SessionKind, SessionUser};
pub use stats::{Tally, YearFigures};
pub use target_reviews::{
    AgencyCount, CodeCount, SheetReview, YearReview, YearReviewFinding, YearReviewSheet, reviewer,
};
pub use target_sheet_batches::WorkingTargetSheet;
pub use targets::TargetSheetInput;
pub use township_board::TownshipLine;
pub use treasury::{Outcome, Receipt, Target, TreasuryRequest};
pub use tx::JobLock;
pub use users::User;
pub use visits::{
    BEHIND_SHOWN, BehindHousehold, ComplianceGroup, EvidenceFile, EvidenceLink, ProblemInput,
    RectificationClose, Visit, VisitCompliance, VisitInput, VisitLine, VisitProblem,
    VisitRectification, visit_rules,
};
pub use work_records::{WorkRecord, WorkRecordInput};

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};
use std::str::FromStr;
use std::time::Duration;

/// Result of a store operation.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The database behind a store.
#[derive(Clone, Debug)]
pub(crate) enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Which database a store runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite file.
    Sqlite,
    /// PostgreSQL server.
    Postgres,
}

/// The one way into Jixiao's data. Cheap to clone (it holds a connection pool).
#[derive(Clone, Debug)]
pub struct Store {
    pub(crate) pool: Pool,
    /// The SQLite database file (none for PostgreSQL and in-memory SQLite): the payment writer
    /// opens its own connection to it.
    pub(crate) sqlite_file: Option<std::path::PathBuf>,
    /// Live sessions kept for a few seconds while the server listens for changes to them
    /// (PostgreSQL; decision 0054). Shared by the store's clones.
    pub(crate) session_cache: std::sync::Arc<session_cache::SessionCache>,
}

/// The PostgreSQL pool's settings (the primary's and a read-only database's): 16 connections; a
/// connection is pinged before use only after lying idle for a few seconds — a ping before each
/// use doubled the round trips of a short request (the session lookup of every API call), and
/// one idle that long may have been dropped by a database restart (a failed ping closes it and
/// the pool takes or opens another).
pub(crate) fn postgres_pool_options() -> PgPoolOptions {
    PgPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(10))
        .test_before_acquire(false)
        .before_acquire(|connection, meta| {
            Box::pin(async move {
                if meta.idle_for >= Duration::from_secs(5) {
                    sqlx::Connection::ping(connection).await?;
                }
                Ok(true)
            })
        })
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Store {
    /// Opens the database at `url` (`sqlite://FILE`, `sqlite::memory:` or `postgres://…`).
    /// A SQLite file is created when missing. Does not migrate; see [`Store::migrate`].
    pub async fn connect(url: &str) -> Result<Store> {
        if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)
                .map_err(|e| Error::Config(format!("SQLite 数据库地址无效：{e}")))?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                // FULL: a commit is on disk before it is acknowledged (power loss included); group
                // commit keeps the throughput.
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(Duration::from_secs(10))
                // Multi-row statements of group commit come in many sizes; keep them prepared.
                .statement_cache_capacity(1024)
                // Savepoint journals in memory, not in a temporary file per savepoint.
                .pragma("temp_store", "memory")
                .foreign_keys(true);
            let in_memory = url.contains(":memory:") || url.contains("mode=memory");
            let file = options.get_filename().to_path_buf();
            let pool = SqlitePoolOptions::new()
                // An in-memory database lives and dies with its one connection.
                .max_connections(if in_memory { 1 } else { 8 })
                .min_connections(if in_memory { 1 } else { 0 })
                .idle_timeout(if in_memory {
                    None
                } else {
                    Some(Duration::from_secs(600))
                })
                .max_lifetime(if in_memory {
                    None
                } else {
                    Some(Duration::from_secs(3600))
                })
                .connect_with(options)
                .await?;
            Ok(Store {
                pool: Pool::Sqlite(pool),
                sqlite_file: (!in_memory).then_some(file),
                session_cache: Default::default(),
            })
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let options = PgConnectOptions::from_str(url)
                .map_err(|e| Error::Config(format!("PostgreSQL 数据库地址无效：{e}")))?;
            let pool = postgres_pool_options().connect_with(options).await?;
            Ok(Store {
                sqlite_file: None,
                pool: Pool::Postgres(pool),
                session_cache: Default::default(),
            })
        } else {
            Err(Error::Config(format!(
                "不支持的数据库地址“{url}”：应以 sqlite:// 或 postgres:// 开头"
            )))
        }
    }

    /// Brings the schema up to date, and builds any index an interrupted bulk load set aside.
    /// Safe to run on every start.
    pub async fn migrate(&self) -> Result<()> {
        match &self.pool {
            Pool::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await?,
            Pool::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await?,
        }
        // An index a bulk load set aside and did not build again (decision 0053).
        self.rebuild_set_aside_indexes().await?;
        Ok(())
    }

    /// Which database this store runs on.
    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<()> {
        on_pool!(&self.pool, |pool| {
            sqlx::query("SELECT 1").execute(pool).await?;
        });
        Ok(())
    }

    /// The database file of a SQLite store (`None` for PostgreSQL or an in-memory database).
    pub fn sqlite_file(&self) -> Option<&std::path::Path> {
        self.sqlite_file.as_deref()
    }

    /// Closes every connection (waits for those in use).
    pub async fn close(&self) {
        match &self.pool {
            Pool::Sqlite(pool) => pool.close().await,
            Pool::Postgres(pool) => pool.close().await,
        }
    }
}
