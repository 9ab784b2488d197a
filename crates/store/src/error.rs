//! The store's error: what went wrong, in terms a page or an API response can show.

use jixiao_core::ValidationErrors;
use jixiao_core::actor::Forbidden;

/// Why a store operation did not happen. Nothing was written when one of these is returned.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The input has problems, listed field by field.
    #[error("{0}")]
    Invalid(ValidationErrors),
    /// The target sheet has rows that can never be right; nothing was stored.
    #[error("绩效目标表有误，未保存")]
    InvalidRows(Vec<jixiao_core::target::RowError>),
    /// The monitoring report has rows that can never be right; nothing was stored.
    #[error("监控报告有误，未保存")]
    InvalidReport(Vec<jixiao_core::target::RowError>),
    /// The self-evaluation sheet has rows that cannot be scored; nothing was stored.
    #[error("绩效自评表有误，未保存")]
    InvalidEvaluation(Vec<jixiao_core::target::RowError>),
    /// Too few pool members are eligible for a draw.
    #[error("{0}")]
    DrawTooFew(jixiao_core::draw::TooFew),
    /// The gate stays shut: the project stays a draft.
    #[error("未通过绩效目标审核关口，项目仍为草稿")]
    GateFailed(Vec<jixiao_core::gate::Finding>),
    /// A payment or reservation asks for more than is available.
    #[error("可用指标不足")]
    InsufficientFunds {
        /// What is available, in fen.
        available: i64,
    },
    /// Payments against the allotment are suspended.
    #[error("该预算指标已暂停支付：{0}")]
    AllotmentSuspended(String),
    /// The request id was used before for a different request.
    #[error("请求编号已用于内容不同的另一笔请求")]
    RequestConflict,
    /// Too many wrong passwords recently (the login throttle): try again after the wait.
    #[error("密码错误次数过多，请{}后再试", .0.wait_text())]
    Throttled(jixiao_core::login_throttle::Throttle),
    /// The actor may not do this.
    #[error("无权执行此操作")]
    Forbidden,
    /// Separation of duties: this person already decided another step of the same document.
    #[error("{0}")]
    DutySeparation(String),
    /// The thing does not exist (or is not visible to the actor).
    #[error("{0}")]
    NotFound(String),
    /// The document changed since the caller read it (its version moved on).
    #[error("{0}")]
    StaleVersion(String),
    /// The action does not apply to the document in the state it is in.
    #[error("{0}")]
    InvalidTransition(jixiao_core::workflow::Refusal),
    /// A stored value does not read as what the table says it holds: never defaulted, always
    /// told with the table and row.
    #[error("系统内部错误：{table}第{id}行的{column}“{value}”无法识别")]
    Unreadable {
        /// The table.
        table: &'static str,
        /// The row's id.
        id: i64,
        /// The column.
        column: &'static str,
        /// The stored text.
        value: String,
    },
    /// What the request would create exists already (a code, a user name, a year, a second
    /// commission of one project …).
    #[error("{0}")]
    Duplicate(String),
    /// The request conflicts with what is stored (a locked allotment, a file that exists …).
    #[error("{0}")]
    Conflict(String),
    /// The database address or settings are wrong.
    #[error("{0}")]
    Config(String),
    /// The audit chain is broken.
    #[error("{0}")]
    AuditChain(#[from] jixiao_core::audit::ChainBreak),
    /// The database failed.
    #[error("数据库错误：{0}")]
    Database(#[from] sqlx::Error),
    /// A migration failed.
    #[error("数据库迁移失败：{0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Something that should not happen (a failed random source, a lost worker thread).
    #[error("系统内部错误：{0}")]
    Internal(String),
}

impl From<ValidationErrors> for StoreError {
    fn from(errors: ValidationErrors) -> Self {
        StoreError::Invalid(errors)
    }
}

impl From<jixiao_core::workflow::Refusal> for StoreError {
    fn from(refusal: jixiao_core::workflow::Refusal) -> Self {
        match refusal {
            jixiao_core::workflow::Refusal::RoleNotAllowed { .. } => StoreError::Forbidden,
            other => StoreError::InvalidTransition(other),
        }
    }
}

impl From<Forbidden> for StoreError {
    fn from(_: Forbidden) -> Self {
        StoreError::Forbidden
    }
}

impl StoreError {
    /// The refusal as a user reads it, never with database internals.
    pub fn user_message(&self) -> String {
        match self {
            StoreError::InsufficientFunds { available } => format!(
                "可用指标不足，当前可用{}元",
                jixiao_core::money::format_yuan(*available)
            ),
            StoreError::Database(_)
            | StoreError::Migrate(_)
            | StoreError::Internal(_)
            | StoreError::Unreadable { .. } => "系统内部错误，请稍后再试".to_owned(),
            other => other.to_string(),
        }
    }

    /// Whether the database refused a text it cannot store (PostgreSQL: a NUL byte, or a
    /// character outside the encoding) — the request's fault, not the server's.
    pub fn is_unstorable_text(&self) -> bool {
        matches!(self, StoreError::Database(sqlx::Error::Database(db))
            if matches!(db.code().as_deref(), Some("22021" | "22P05")))
    }

    /// Whether the refusal is a clash with what is stored (409): a stale version, a move the
    /// state does not allow, or another conflict.
    pub fn is_conflict(&self) -> bool {
        matches!(
            self,
            StoreError::Conflict(_)
                | StoreError::Duplicate(_)
                | StoreError::StaleVersion(_)
                | StoreError::InvalidTransition(_)
        )
    }

    /// A validation error on one field.
    pub fn invalid(field: &str, code: &str, message: impl Into<String>) -> StoreError {
        let mut errors = ValidationErrors::default();
        errors.add(field, code, message);
        StoreError::Invalid(errors)
    }

    /// Maps a unique-key violation to [`StoreError::Duplicate`] with `message`; other errors
    /// pass through.
    pub(crate) fn unique_as_duplicate(
        error: sqlx::Error,
        message: impl Into<String>,
    ) -> StoreError {
        match &error {
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                StoreError::Duplicate(message.into())
            }
            _ => StoreError::Database(error),
        }
    }
}
