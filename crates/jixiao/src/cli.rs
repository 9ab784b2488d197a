//! The command line: subcommands and their arguments (help in English, Chinese where users
//! read it).

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// Jixiao (绩效) — budget performance management for finance bureaus (预算绩效管理系统).
#[derive(Debug, Parser)]
#[command(name = "jixiao", version)]
pub struct Cli {
    /// Database URL: sqlite://FILE (created if missing) or postgres://USER@HOST/DB.
    #[arg(
        long,
        global = true,
        env = "JIXIAO_DATABASE",
        default_value = "sqlite://jixiao.db"
    )]
    pub database: String,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server (pages and /api/v1). 启动系统。
    Serve(ServeArgs),
    /// Create or update the database schema. 数据库迁移。
    Migrate,
    /// Load the Leling demo data into the database (only once). 载入演示数据。
    Demo(DemoArgs),
    /// Write a consistent copy of a live SQLite database to FILE. 备份数据库。
    Backup {
        /// Where to write the copy (must not exist).
        file: PathBuf,
    },
    /// The audit log. 审计日志。
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Allotment ledgers. 预算指标账。
    #[command(subcommand)]
    Ledger(LedgerCommand),
    /// The dashboards' rollups (figures by year, jurisdiction and agency). 汇总数据。
    #[command(subcommand)]
    Rollups(RollupsCommand),
    /// Draws from the expert and institution pools. 专家与中介机构抽取。
    #[command(subcommand)]
    Draw(DrawCommand),
    /// Jurisdictions (财政区划). 财政区划。
    #[command(subcommand)]
    Jurisdiction(JurisdictionCommand),
    /// Agencies: departments and budget units. 部门单位。
    #[command(subcommand)]
    Agency(AgencyCommand),
    /// Users and roles. 用户。
    #[command(subcommand)]
    User(UserCommand),
    /// Rulebooks: every rule that differs between places and years. 规则。
    #[command(subcommand)]
    Rulebook(RulebookCommand),
    /// Bring in files from other systems. 导入。
    #[command(subcommand)]
    Import(ImportCommand),
    /// Write files for other systems. 导出。
    #[command(subcommand)]
    Export(ExportCommand),
    /// Automatic reviews. 智能预审。
    #[command(subcommand)]
    Review(ReviewCommand),
    /// Measure how fast the system answers (prints figures; changes nothing of yours).
    #[command(subcommand)]
    Bench(BenchCommand),
}

/// `review` subcommands.
#[derive(Debug, Subcommand)]
pub enum ReviewCommand {
    /// Reviews the working target sheet of every project of a year under the rulebook in force
    /// (智能预审), prints a line per project with findings and the count by finding code, or
    /// (--json) every finding. Or, given FILE, reviews a target sheet workbook in Jixiao's
    /// layout (.xlsx, one sheet per project) that is not in the database, under --rulebook (no
    /// database needed) or the rulebook in force for --year and --jurisdiction; prints each
    /// finding with its row, or (--json) `{"findings": […], "blocks_submission": …}`, and exits
    /// with 2 when a finding blocks submission. Changes nothing.
    Targets {
        /// A target sheet workbook (.xlsx) to review instead of a year's projects.
        #[arg(required_unless_present = "year")]
        file: Option<PathBuf>,
        /// Budget year (for FILE: default the year in its header).
        #[arg(long)]
        year: Option<i32>,
        /// Only this jurisdiction (default: all of them; for FILE: whose rulebook, default the
        /// only county-level one).
        #[arg(long)]
        jurisdiction: Option<String>,
        /// With FILE: review under this rulebook (TOML) instead of the database's.
        #[arg(long, requires = "file", conflicts_with = "jurisdiction")]
        rulebook: Option<PathBuf>,
        /// Print every finding as JSON (one array of projects; for FILE one object).
        #[arg(long)]
        json: bool,
    },
}

/// `rulebook` subcommands.
#[derive(Debug, Subcommand)]
pub enum RulebookCommand {
    /// Load a rulebook (TOML) for a year; a changed text becomes a new version.
    Load {
        /// The rulebook file, e.g. rulebooks/national-default.toml.
        file: PathBuf,
        /// The fiscal year it governs.
        #[arg(long)]
        year: i32,
        /// Jurisdiction code; defaults to the only county-level one.
        #[arg(long)]
        jurisdiction: Option<String>,
    },
    /// Print the rulebook in force for a year.
    Show {
        /// The fiscal year.
        #[arg(long)]
        year: i32,
        /// Jurisdiction code; defaults to the only county-level one.
        #[arg(long)]
        jurisdiction: Option<String>,
    },
}

/// `bench` subcommands.
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Time the project list (filters, search, paging, totals) over a library of N projects,
    /// in a fresh scratch database (SQLite in a temporary file unless --database is given).
    Projects {
        /// How many projects to put in the library.
        #[arg(long, default_value_t = 100_000)]
        count: usize,
        /// How many times to run each query.
        #[arg(long, default_value_t = 50)]
        runs: usize,
    },
    /// Export the project library of N projects to Excel as the download does (batches of
    /// 1,000 rows streamed into a constant-memory sheet); time and peak memory.
    Export {
        /// How many projects to put in the library and export.
        #[arg(long, default_value_t = 100_000)]
        count: usize,
    },
    /// Post payments from concurrent clients over many allotments, first one transaction per
    /// payment (the naive baseline), then through group commit; check the invariant after.
    Payments {
        /// Payments through group commit.
        #[arg(long, default_value_t = 1_000_000)]
        payments: usize,
        /// Payments through the naive path (the baseline; it is slow, so fewer).
        #[arg(long, default_value_t = 20_000)]
        naive_payments: usize,
        /// Allotments paid against.
        #[arg(long, default_value_t = 10_000)]
        allotments: usize,
        /// Concurrent clients.
        #[arg(long, default_value_t = 32)]
        clients: usize,
        /// Group-commit writers (default: as the server runs them, 1 on SQLite, 2 on
        /// PostgreSQL).
        #[arg(long)]
        writers: Option<usize>,
    },
    /// Generate Shandong (16 cities, 136 counties with their real codes) at a scale factor —
    /// 1.0 is a province's year: about 503,000 projects, 5 million indicators and, at 40 a
    /// funded project, 10 million payments — timing the seeding, then time every list and
    /// dashboard query for a county user, a city user, the province and a county department.
    /// On a scratch database: a temporary SQLite file, or a new schema (dropped afterwards)
    /// when --database names PostgreSQL.
    Province {
        /// 1.0 for a province's year; 0.001 runs in seconds.
        #[arg(long, default_value_t = 0.2, value_parser = scale)]
        scale: f64,
        /// Payments of each funded project's allotment.
        #[arg(long, default_value_t = 40)]
        payments_per_allotment: usize,
        /// How many times to run each query.
        #[arg(long, default_value_t = 20)]
        runs: usize,
    },
    /// Load the full demo's registry (Leling's scale × N, 375 households screened, about 300
    /// monitoring cases) with a year of visits at Leling's rhythm (timed), and time the
    /// compliance view of the peak month and the board by township on it.
    /// On a scratch database: a temporary SQLite file, or a new schema (dropped afterwards)
    /// when --database names PostgreSQL.
    Visits {
        /// Times Leling's 6,772 registered households.
        #[arg(long, default_value_t = 1)]
        scale: u32,
        /// How many times to read the compliance view.
        #[arg(long, default_value_t = 10)]
        runs: usize,
    },
    /// Generate the Leling-scale assistance registry (6,772 households × N), write it as the
    /// national person export (.xlsx), and time reading it, importing it as `import households`
    /// does (plan, then store), importing it again (which must change nothing), the
    /// departments' enjoyment lists and the coverage check. On a scratch database: a temporary
    /// SQLite file, or a new schema (dropped afterwards) when --database names PostgreSQL.
    Registry {
        /// Times Leling's 6,772 registered households.
        #[arg(long, default_value_t = 1)]
        scale: u32,
    },
    /// Seed a year of N projects with ten indicators each (partly poor, as published sheets
    /// are) and time the target review over the year (智能预审, the path of `review targets
    /// --year`): batched reads and review, wall and CPU time, indicators and findings.
    TargetReview {
        /// How many projects to seed and review.
        #[arg(long, default_value_t = 100_000)]
        projects: usize,
        /// How many times to review the year.
        #[arg(long, default_value_t = 3)]
        runs: usize,
    },
    /// Start the server (this binary's `serve`) on a scratch database with allotments, sign in
    /// as finance, have concurrent clients post payments over HTTP — `POST /api/v1/payments`,
    /// or with --batch K `POST /api/v1/payments/batch` with K a request — and report payments
    /// and requests per second, latency, statuses and the server's peak memory; check the
    /// invariant and the reconciliation on the database after the server stops. A temporary
    /// SQLite file, or a new schema (dropped afterwards) on `JIXIAO_TEST_DATABASE_URL`.
    HttpPayments {
        /// Payments to post.
        #[arg(long, default_value_t = 50_000)]
        payments: usize,
        /// Allotments paid against.
        #[arg(long, default_value_t = 5_000)]
        allotments: usize,
        /// Concurrent clients, each with its own connection.
        #[arg(long, default_value_t = 32)]
        clients: usize,
        /// Payments a request: 1 posts each to /payments, more post batches to /payments/batch.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=10_000))]
        batch: u16,
    },
    /// Start the server, have several users upload the largest accepted target workbook at
    /// once, round after round, while /healthz is polled; report the server's peak memory and
    /// the health check's latency.
    Uploads {
        /// Users uploading at once.
        #[arg(long, default_value_t = 4)]
        users: usize,
        /// Rounds of simultaneous uploads.
        #[arg(long, default_value_t = 5)]
        rounds: usize,
    },
}

/// The province around the demo (`demo --province`, `serve --demo --province`).
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Also generate Shandong's other 135 counties (16 cities, real codes) with a year of
    /// synthetic projects, allotments and payments, and finance accounts for the province
    /// (sheng), 德州市 (dezhou) and 禹城市 (yucheng). 生成全省演示数据。
    #[arg(long)]
    pub province: bool,
    /// With --province: 1.0 is a province's year (about 503,000 projects); the default makes
    /// about 10,000 in a minute or so.
    #[arg(long, default_value_t = 0.02, requires = "province", value_parser = scale)]
    pub province_scale: f64,
}

/// A scale factor in (0, 4].
fn scale(text: &str) -> Result<f64, String> {
    let value: f64 = text.parse().map_err(|_| format!("不是数字：{text}"))?;
    if value > 0.0 && value <= 4.0 {
        Ok(value)
    } else {
        Err("规模系数应大于0且不超过4".to_owned())
    }
}

/// Arguments of `serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "JIXIAO_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// Load the Leling demo data (agencies and one account per role) on start. A database that
    /// already holds it is used as it is.
    #[arg(long)]
    pub demo: bool,
    /// With --demo: delete the SQLite demo database (and its audit checkpoints) and load the demo
    /// afresh. Refused for PostgreSQL and for a database that holds anything but the demo.
    #[arg(long, requires = "demo")]
    pub reset: bool,
    /// With --demo: the province around it (see `jixiao demo --help`).
    #[command(flatten)]
    pub province: DemoArgs,
    /// Largest Excel file accepted by upload forms, in MB.
    #[arg(long, env = "JIXIAO_UPLOAD_LIMIT_MB", default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub upload_limit_mb: u64,
    /// A reverse proxy (IP or CIDR block, repeatable) whose X-Forwarded-For names the client;
    /// from any other peer the header is ignored. Login throttling counts by client address.
    #[arg(
        long = "trusted-proxy",
        env = "JIXIAO_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<jixiao_web::TrustedProxy>,
    /// A read-only PostgreSQL database, a streaming replica of --database, for lists,
    /// dashboards and exports (sessions and every change stay on --database); their pages say
    /// how current it is. Refused when its schema is not the primary's.
    #[arg(long, env = "JIXIAO_READ_DATABASE_URL")]
    pub read_database: Option<String>,
    /// Where the audit chain is anchored outside the database.
    #[command(flatten)]
    pub anchor: AnchorArgs,
}

/// The audit anchor's files (see docs/decisions/0020-audit-anchor.md). Defaults: next to a
/// SQLite database file (`FILE.audit-key`, `FILE.audit-checkpoints`); in the working directory
/// for PostgreSQL (`jixiao-audit.key`, `jixiao-audit-checkpoints.log`).
#[derive(Debug, Args)]
pub struct AnchorArgs {
    /// The HMAC key sealing the checkpoints (created with mode 0600 by `serve` when missing).
    /// Keep it where the database's users cannot write.
    #[arg(long, env = "JIXIAO_AUDIT_KEY_FILE")]
    pub audit_key_file: Option<PathBuf>,
    /// The file the chain's head is appended to (every 100 records or 5 minutes, at start and
    /// at shutdown), one sealed line per checkpoint.
    #[arg(long, env = "JIXIAO_AUDIT_CHECKPOINT_FILE")]
    pub audit_checkpoint_file: Option<PathBuf>,
}

/// `audit` subcommands.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Re-compute the hash chain and check every checkpoint of the anchor file against it; exit
    /// 2 naming the first broken record or checkpoint. 校验审计日志。
    Verify(AnchorArgs),
}

/// `ledger` subcommands.
#[derive(Debug, Subcommand)]
pub enum LedgerCommand {
    /// Check every allotment's balances against its ledger, payments and reservations; exit
    /// non-zero naming each that disagrees. 核对预算指标账。
    Verify,
}

/// `rollups` subcommands.
#[derive(Debug, Subcommand)]
pub enum RollupsCommand {
    /// Compare every rollup with sums made afresh from the rows it replaces. A difference with a
    /// change registered for the next refresh (each minute while a server runs) is only stale;
    /// one without was lost: exit 2 naming each lost one. Changes nothing. 核对汇总数据。
    Verify,
    /// Rebuild every rollup from its rows now (audited), e.g. after maintenance done with the
    /// triggers switched off; servers also do it when they start. 重算汇总数据。
    Rebuild,
}

/// `draw` subcommands.
#[derive(Debug, Subcommand)]
pub enum DrawCommand {
    /// Re-run a stored draw from its record (seed, facts, rules) and confirm the same result;
    /// exit non-zero if it differs. 复核抽取结果。
    Replay {
        /// The draw's id.
        id: i64,
    },
}

/// `jurisdiction` subcommands.
#[derive(Debug, Subcommand)]
pub enum JurisdictionCommand {
    /// Add a jurisdiction, e.g. `371481 乐陵市 --parent 371400`.
    Add {
        /// Six-digit administrative division code.
        code: String,
        /// Name.
        name: String,
        /// The level above.
        #[arg(long)]
        parent: Option<String>,
    },
    /// List jurisdictions.
    List,
}

/// `agency` subcommands.
#[derive(Debug, Subcommand)]
pub enum AgencyCommand {
    /// Add a department, or with --parent a budget unit under one.
    Add {
        /// Agency code, unique within the jurisdiction.
        code: String,
        /// Name, e.g. 乐陵市财政局.
        name: String,
        /// The department above (makes this a unit).
        #[arg(long)]
        parent: Option<String>,
        /// The head (第一责任人).
        #[arg(long, default_value = "")]
        head: String,
        /// Jurisdiction code; defaults to the only county-level one.
        #[arg(long)]
        jurisdiction: Option<String>,
    },
    /// List agencies.
    List,
}

/// `user` subcommands.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user. Password from env JIXIAO_PASSWORD, else asked on the terminal.
    Add {
        /// Login name.
        name: String,
        /// admin | finance | agency | expert | institution | viewer
        #[arg(long)]
        role: String,
        /// Agency code (required for the agency role).
        #[arg(long)]
        agency: Option<String>,
        /// Jurisdiction code; defaults to the only county-level one (none for admin).
        #[arg(long)]
        jurisdiction: Option<String>,
        /// Name shown on pages.
        #[arg(long, default_value = "")]
        display_name: String,
    },
    /// List users.
    List,
    /// Disable a user; their sessions end at once.
    Disable {
        /// Login name.
        name: String,
    },
}

/// `import` subcommands.
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// The treasury's daily payments CSV (columns: request_id, date, code, amount_yuan, payee,
    /// purpose, type); prints a result per row. 导入国库支付数据。
    Payments {
        /// The CSV file.
        file: PathBuf,
        /// Check every row and report, but change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Jurisdiction whose treasury sent the file; defaults to the only county-level one.
        #[arg(long)]
        jurisdiction: Option<String>,
    },
    /// A published self-evaluation table (项目支出绩效自评表, .xlsx): recomputes every score,
    /// compares it with the table's own and stores it against the matching project.
    /// 导入项目支出绩效自评表。
    SelfEvaluation {
        /// The .xlsx file.
        file: PathBuf,
        /// Score by this shipped rulebook (national-default, execution-20) instead of the
        /// project's own.
        #[arg(long)]
        rulebook: Option<String>,
        /// Read, recompute and report, but store nothing.
        #[arg(long)]
        dry_run: bool,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        /// Budget year of the project, when the table does not say.
        #[arg(long)]
        year: Option<i32>,
        /// Jurisdiction; defaults to the only county-level one.
        #[arg(long)]
        jurisdiction: Option<String>,
    },
    /// The national system's person export (全国防返贫监测信息系统 人员信息表, .xlsx or CSV in
    /// UTF-8/GBK; header on row 3): prints what would change and every problem by its cell,
    /// and stores it unless `--dry-run` or a row has a problem. 导入帮扶对象人员信息。
    Households {
        /// The .xlsx or .csv file.
        file: PathBuf,
        /// Report what would change, store nothing.
        #[arg(long)]
        dry_run: bool,
        /// Print the outcome as JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        date: RegistryDate,
    },
}

/// `import households` / `export households` options shared by both.
#[derive(Debug, clap::Args)]
pub struct RegistryDate {
    /// The date of the data: members who join or leave do so on it, and ID numbers born after
    /// it are refused. Defaults to today.
    #[arg(long)]
    pub as_of: Option<chrono::NaiveDate>,
    /// Jurisdiction; defaults to the only county-level one.
    #[arg(long)]
    pub jurisdiction: Option<String>,
}

/// `export` subcommands.
#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Allotments for the treasury, as CSV (amounts in 元). 导出预算指标。
    Allotments {
        /// Only this budget year.
        #[arg(long)]
        year: Option<i32>,
        /// Jurisdiction; defaults to the only county-level one.
        #[arg(long)]
        jurisdiction: Option<String>,
        /// Write here instead of to standard output.
        #[arg(long)]
        output: Option<PathBuf>,
    },
    /// The registry in the national system's person-export layout (.xlsx). 导出帮扶对象人员信息。
    Households {
        /// Only this township or village (its area code).
        #[arg(long)]
        area: Option<String>,
        #[command(flatten)]
        date: RegistryDate,
        /// The .xlsx file to write.
        #[arg(long)]
        output: PathBuf,
    },
    /// The year's budget and published performance as a Fiscal Data Package (CSV +
    /// datapackage.json) in DIR. 导出财政开放数据包。
    FiscalDataPackage {
        /// Budget year.
        #[arg(long)]
        year: i32,
        /// Jurisdiction; defaults to the only county-level one.
        #[arg(long)]
        jurisdiction: Option<String>,
        /// Directory to write into (created if missing).
        dir: PathBuf,
    },
}
