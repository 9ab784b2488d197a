//! The one error of Jixiao, from the store to the edge: every refusal and failure with its
//! stable machine code, its HTTP status and its Chinese message. The web layer only chooses how
//! to show it (a JSON body under `/api/`, a page elsewhere); it never re-maps it.

use jixiao_core::ValidationErrors;
use jixiao_core::actor::Forbidden;

jixiao_core::vocabulary! {
    /// Which clash with what is stored a [`Error::Conflict`] is: its own machine code, so a
    /// client can tell them apart without reading the Chinese message.
    pub enum ConflictCode {
        /// The step needs something that is not there yet (an approved project, a saved score,
        /// an accepted commission, a finished task …).
        PrerequisiteMissing = ("prerequisite_missing", "前置条件未满足"),
        /// No rulebook is loaded for the year (no budget year set up).
        RulebookMissing = ("rulebook_missing", "该年度尚未载入规则"),
        /// The document's state does not allow editing it any more.
        NotEditable = ("not_editable", "当前状态不能修改"),
        /// Next year's project was approved already, so a result application can no longer
        /// be decided (or an approval is barred by a decided result application).
        ResultApplied = ("result_applied", "与绩效结果应用冲突"),
        /// A treasury request is paid or released in full.
        AlreadySettled = ("already_settled", "已全部支付或解冻"),
        /// An approved amount below what is frozen and paid already.
        BelowCommitted = ("below_committed", "低于已冻结与已支付之和"),
        /// A yellow alert takes no decision.
        NotApplicable = ("not_applicable", "该事项不适用此操作"),
        /// A table names another agency than the project's, or a name matches several projects.
        WrongDocument = ("wrong_document", "文件与项目不符"),
        /// An administrator may not disable their own account.
        OwnAccount = ("own_account", "不能对自己的账号执行此操作"),
        /// The password changed while the request was under way.
        CredentialsChanged = ("credentials_changed", "密码刚刚已被修改"),
        /// A file that would be overwritten exists.
        FileExists = ("file_exists", "文件已存在"),
    }
}

/// Why an operation did not happen. Nothing was written when one of these is returned.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No valid session or token.
    #[error("请先登录")]
    Unauthenticated,
    /// Unknown username or wrong password.
    #[error("用户名或密码错误")]
    BadCredentials,
    /// The actor may not do this.
    #[error("无权访问此功能")]
    Forbidden,
    /// A form arrived without the right CSRF token.
    #[error("表单已失效或来源不明，请返回刷新页面后重试")]
    Csrf,
    /// The account is disabled.
    #[error("该账号已停用，请联系系统管理员")]
    Disabled,
    /// The user must change their password before anything else.
    #[error("请先修改密码：系统管理员已要求您修改密码，修改前只能修改密码或退出登录")]
    PasswordChangeRequired,
    /// Separation of duties: this person already decided another step of the same document.
    #[error("{0}")]
    DutySeparation(String),
    /// The thing does not exist (or is not visible to the actor).
    #[error("{0}")]
    NotFound(String),
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
    /// The registry file has rows that cannot be read; nothing was imported.
    #[error("导入文件有误（{}处），未导入任何数据", .0.len())]
    InvalidImport(Vec<jixiao_core::assistance::export::RowError>),
    /// Too few pool members are eligible for a draw.
    #[error("{0}")]
    DrawTooFew(jixiao_core::draw::TooFew),
    /// The gate stays shut: the project stays a draft.
    #[error("未通过绩效目标审核关口，项目仍为草稿")]
    GateFailed(Vec<jixiao_core::gate::Finding>),
    /// A request that cannot be read (malformed JSON, a body too large, a wrong content type …).
    #[error("{message}")]
    BadRequest {
        /// Machine-readable code.
        code: &'static str,
        /// Chinese message.
        message: String,
    },
    /// A payment or reservation asks for more than is available.
    #[error("可用指标不足，当前可用{}元", jixiao_core::money::format_yuan(*available))]
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
    /// The document changed since the caller read it (its version moved on).
    #[error("{0}")]
    StaleVersion(String),
    /// The action does not apply to the document in the state it is in.
    #[error("{0}")]
    InvalidTransition(jixiao_core::workflow::Refusal),
    /// What the request would create exists already (a code, a user name, a year, a second
    /// commission of one project …).
    #[error("{0}")]
    Duplicate(String),
    /// Another clash with what is stored, named by its code.
    #[error("{message}")]
    Conflict {
        /// Which clash.
        code: ConflictCode,
        /// Chinese message.
        message: String,
    },
    /// Too many attempts (the login or password throttle): the message says when to retry.
    #[error("{message}")]
    Throttled {
        /// Chinese message.
        message: String,
        /// Seconds until an attempt is allowed again (`Retry-After`).
        retry_after_seconds: i64,
    },
    /// Too many files are being parsed; try again shortly.
    #[error("系统繁忙，正在处理其他用户上传的文件，请稍后再试")]
    Busy,
    /// A stored value does not read as what the table says it holds: never defaulted, always
    /// told with the table and row.
    #[error("系统内部错误：{table}表{row}的{column}“{value}”无法识别")]
    Unreadable {
        /// The table.
        table: &'static str,
        /// The row: `id=7`, or the key of a table without ids (`project_id=3,revision=1,row_no=2`).
        row: String,
        /// The column.
        column: &'static str,
        /// The stored text.
        value: String,
    },
    /// The database address or settings are wrong.
    #[error("{0}")]
    Config(String),
    /// The audit chain is broken.
    #[error("{0}")]
    AuditChain(#[from] jixiao_core::audit::ChainBreak),
    /// The database failed.
    #[error("数据库错误：{0}")]
    Database(sqlx::Error),
    /// A migration failed.
    #[error("数据库迁移失败：{0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Something that should not happen (a failed random source, a lost worker thread).
    #[error("系统内部错误：{0}")]
    Internal(String),
}

/// Every machine code an [`Error`] can carry, with its HTTP status and what it means: the
/// catalogue the OpenAPI document prints and a test holds to [`Error::code`].
pub const CODES: &[(&str, u16, &str)] = &[
    ("unauthenticated", 401, "未登录或会话已失效"),
    ("bad_credentials", 401, "用户名或密码错误"),
    ("forbidden", 403, "该角色无权执行此操作"),
    ("csrf_failed", 403, "表单令牌无效"),
    ("account_disabled", 403, "账号已停用"),
    (
        "password_change_required",
        403,
        "须先修改密码（只可修改密码或退出）",
    ),
    (
        "separation_of_duties",
        403,
        "同一项目的另一审核环节须由他人办理",
    ),
    ("not_found", 404, "不存在或无权查看"),
    ("invalid_input", 422, "字段有误，details 逐项列出"),
    ("invalid_text", 422, "文字含有无法保存的字符（如 NUL）"),
    (
        "gate_failed",
        422,
        "未通过绩效目标审核关口，details 列出各项发现",
    ),
    ("too_few_eligible", 422, "符合条件的专家或机构不足"),
    ("insufficient_funds", 409, "可用指标不足"),
    ("allotment_suspended", 409, "预算指标已暂停支付"),
    ("request_id_conflict", 409, "请求编号已用于内容不同的请求"),
    ("stale_version", 409, "单据已被他人修改，请刷新后重试"),
    (
        "invalid_transition",
        409,
        "单据当前状态不允许此操作（见 docs/workflow.md）",
    ),
    ("duplicate", 409, "要创建的内容已存在"),
    (
        "too_many_attempts",
        429,
        "尝试次数过多，Retry-After 给出等待秒数",
    ),
    ("busy", 503, "系统繁忙，请稍后再试"),
    ("malformed_json", 400, "请求体不是有效的 JSON"),
    ("unreadable_body", 400, "请求体无法读取"),
    ("body_too_large", 400, "请求体超过大小上限"),
    ("unsupported_media_type", 400, "请求内容的格式不受支持"),
    ("method_not_allowed", 400, "该地址不支持此请求方法"),
    ("bad_request", 400, "请求无法识别"),
    ("invalid_path", 400, "访问地址中的编号无效"),
    ("invalid_query", 400, "查询参数无效"),
    ("invalid_action", 400, "action 取值无效"),
    ("invalid_date", 400, "日期格式无效"),
    ("unknown_rulebook", 400, "没有该名称的规则"),
    ("year_required", 400, "须指定年度"),
    ("bad_upload", 400, "上传内容不完整或超过大小上限"),
    ("internal", 500, "系统内部错误（详情只写入日志）"),
];

impl From<sqlx::Error> for Error {
    /// Text the database cannot store (PostgreSQL: a NUL byte, or a character outside the
    /// encoding) is the request's fault, told as such; everything else is a database failure.
    fn from(error: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &error
            && matches!(db.code().as_deref(), Some("22021" | "22P05"))
        {
            tracing::warn!("text refused by the database: {error}");
            return Error::invalid(
                "text",
                jixiao_core::text::INVALID_TEXT,
                "提交的文字中含有无法保存的字符（如空字符 NUL），请删除后重新提交",
            );
        }
        Error::Database(error)
    }
}

impl From<ValidationErrors> for Error {
    fn from(errors: ValidationErrors) -> Self {
        Error::Invalid(errors)
    }
}

impl From<jixiao_core::workflow::Refusal> for Error {
    fn from(refusal: jixiao_core::workflow::Refusal) -> Self {
        match refusal {
            jixiao_core::workflow::Refusal::RoleNotAllowed { .. } => Error::Forbidden,
            other => Error::InvalidTransition(other),
        }
    }
}

impl From<Forbidden> for Error {
    fn from(_: Forbidden) -> Self {
        Error::Forbidden
    }
}

impl Error {
    /// A clash with what is stored, with its code.
    pub fn conflict(code: ConflictCode, message: impl Into<String>) -> Error {
        Error::Conflict {
            code,
            message: message.into(),
        }
    }

    /// A validation error on one field.
    pub fn invalid(field: &str, code: &str, message: impl Into<String>) -> Error {
        let mut errors = ValidationErrors::default();
        errors.add(field, code, message);
        Error::Invalid(errors)
    }

    /// A request that cannot be read.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Error {
        Error::BadRequest {
            code,
            message: message.into(),
        }
    }

    /// The stable machine-readable code (one of [`CODES`] or a [`ConflictCode`], or a
    /// [`Error::BadRequest`]'s own code).
    pub fn code(&self) -> &'static str {
        match self {
            Error::Unauthenticated => "unauthenticated",
            Error::BadCredentials => "bad_credentials",
            Error::Forbidden => "forbidden",
            Error::Csrf => "csrf_failed",
            Error::Disabled => "account_disabled",
            Error::PasswordChangeRequired => "password_change_required",
            Error::DutySeparation(_) => "separation_of_duties",
            Error::NotFound(_) => "not_found",
            Error::Invalid(errors)
                if !errors.0.is_empty()
                    && errors
                        .0
                        .iter()
                        .all(|e| e.code == jixiao_core::text::INVALID_TEXT) =>
            {
                "invalid_text"
            }
            Error::Invalid(_)
            | Error::InvalidRows(_)
            | Error::InvalidReport(_)
            | Error::InvalidEvaluation(_)
            | Error::InvalidImport(_) => "invalid_input",
            Error::DrawTooFew(_) => "too_few_eligible",
            Error::GateFailed(_) => "gate_failed",
            Error::BadRequest { code, .. } => code,
            Error::InsufficientFunds { .. } => "insufficient_funds",
            Error::AllotmentSuspended(_) => "allotment_suspended",
            Error::RequestConflict => "request_id_conflict",
            Error::StaleVersion(_) => "stale_version",
            Error::InvalidTransition(_) => "invalid_transition",
            Error::Duplicate(_) => "duplicate",
            Error::Conflict { code, .. } => code.as_str(),
            Error::Throttled { .. } => "too_many_attempts",
            Error::Busy => "busy",
            Error::Unreadable { .. }
            | Error::Config(_)
            | Error::AuditChain(_)
            | Error::Database(_)
            | Error::Migrate(_)
            | Error::Internal(_) => "internal",
        }
    }

    /// The HTTP status: the one [`CODES`] gives the code (409 for every [`ConflictCode`], 400
    /// for a `BadRequest` code not catalogued).
    pub fn status(&self) -> u16 {
        let code = self.code();
        match CODES.iter().find(|(c, _, _)| *c == code) {
            Some((_, status, _)) => *status,
            None if matches!(self, Error::Conflict { .. }) => 409,
            None => 400,
        }
    }

    /// Whether the details are for the log only: the user reads a generic message.
    pub fn is_internal(&self) -> bool {
        self.status() == 500
    }

    /// The message as a user reads it, never with database internals.
    pub fn user_message(&self) -> String {
        if self.is_internal() {
            "系统内部错误，请稍后再试".to_owned()
        } else {
            self.to_string()
        }
    }

    /// What the `details` array of the API error carries: the fields, rows or findings.
    pub fn details(&self) -> serde_json::Value {
        use serde_json::json;
        match self {
            Error::Invalid(errors) => json!(errors.0),
            Error::InvalidRows(rows)
            | Error::InvalidReport(rows)
            | Error::InvalidEvaluation(rows) => {
                json!(rows)
            }
            Error::InvalidImport(rows) => json!(rows),
            Error::DrawTooFew(error) => crate::draws::too_few_details(error),
            Error::GateFailed(findings) => json!(findings),
            Error::InsufficientFunds { available } => json!([{"available_fen": available}]),
            Error::AllotmentSuspended(reason) => json!([{"reason": reason}]),
            Error::Throttled {
                retry_after_seconds,
                ..
            } => json!([{"retry_after_seconds": retry_after_seconds}]),
            _ => json!([]),
        }
    }

    /// Whether the refusal is a clash with what is stored (409): a stale version, a move the
    /// state does not allow, a duplicate or another conflict.
    pub fn is_conflict(&self) -> bool {
        matches!(
            self,
            Error::Conflict { .. }
                | Error::Duplicate(_)
                | Error::StaleVersion(_)
                | Error::InvalidTransition(_)
        )
    }

    /// Maps a unique-key violation to [`Error::Duplicate`] with `message`; other errors
    /// pass through.
    pub(crate) fn unique_as_duplicate(error: sqlx::Error, message: impl Into<String>) -> Error {
        match &error {
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                Error::Duplicate(message.into())
            }
            _ => Error::from(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_in_the_catalogue_with_its_status() {
        let samples = [
            (Error::Unauthenticated, 401),
            (Error::BadCredentials, 401),
            (Error::Forbidden, 403),
            (Error::Csrf, 403),
            (Error::Disabled, 403),
            (Error::PasswordChangeRequired, 403),
            (Error::DutySeparation(String::new()), 403),
            (Error::NotFound(String::new()), 404),
            (Error::invalid("f", "c", "m"), 422),
            (
                Error::invalid("f", jixiao_core::text::INVALID_TEXT, "m"),
                422,
            ),
            (Error::InvalidRows(Vec::new()), 422),
            (Error::GateFailed(Vec::new()), 422),
            (Error::InsufficientFunds { available: 0 }, 409),
            (Error::AllotmentSuspended(String::new()), 409),
            (Error::RequestConflict, 409),
            (Error::StaleVersion(String::new()), 409),
            (Error::Duplicate(String::new()), 409),
            (
                Error::Throttled {
                    message: String::new(),
                    retry_after_seconds: 1,
                },
                429,
            ),
            (Error::Busy, 503),
            (Error::bad_request("malformed_json", "m"), 400),
            (Error::bad_request("not_catalogued", "m"), 400),
            (Error::Internal(String::new()), 500),
            (
                Error::Unreadable {
                    table: "t",
                    row: "id=1".to_owned(),
                    column: "c",
                    value: String::new(),
                },
                500,
            ),
        ];
        for (error, expected) in samples {
            assert_eq!(error.status(), expected, "{}", error.code());
            let catalogued = CODES.iter().any(|(code, _, _)| *code == error.code());
            assert!(
                catalogued || error.code() == "not_catalogued",
                "{} is not in CODES",
                error.code()
            );
        }
        for code in ConflictCode::ALL {
            let error = Error::conflict(*code, "x");
            assert_eq!(error.code(), code.as_str());
            assert_eq!(error.status(), 409);
            assert!(!CODES.iter().any(|(c, _, _)| *c == code.as_str()));
        }
    }

    #[test]
    fn internal_details_never_reach_the_user() {
        let error = Error::Internal("secret path /var/x".to_owned());
        assert_eq!(error.user_message(), "系统内部错误，请稍后再试");
        assert!(
            Error::Unreadable {
                table: "projects",
                row: "id=7".to_owned(),
                column: "state",
                value: "x".to_owned()
            }
            .is_internal()
        );
    }
}
