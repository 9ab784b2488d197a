//! What each subcommand does. Commands act as the system actor, and every change they make is
//! audited like a change made on a page.

use crate::cli::{
    AgencyCommand, AnchorArgs, AuditCommand, Cli, Command, DemoArgs, DrawCommand,
    JurisdictionCommand, LedgerCommand, RollupsCommand, RulebookCommand, ServeArgs, UserCommand,
};
use anyhow::{Context, anyhow, bail};
use jixiao_core::Actor;
use jixiao_core::agency::NewAgency;
use jixiao_core::jurisdiction::NewJurisdiction;
use jixiao_core::user::NewUser;
use jixiao_store::{Error, Store};
use std::process::ExitCode;

/// Runs one command.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    init_logging();
    // Benchmarks work on a scratch database of their own, never on the data of --database.
    if let Command::Bench(command) = cli.command {
        return crate::bench::run(command, &cli.database).await;
    }
    // A workbook reviewed under a rulebook file needs no database (none is opened or created).
    if let Command::Review(command) = &cli.command
        && crate::target_review::needs_no_database(command)
    {
        let Command::Review(command) = cli.command else {
            return Ok(ExitCode::FAILURE);
        };
        return crate::target_review::run(None, command).await;
    }
    if let Command::Serve(args) = &cli.command
        && args.reset
    {
        reset_demo(&cli.database, &args.anchor).await?;
    }
    let store = open(&cli.database).await?;
    let result = match cli.command {
        Command::Serve(args) => serve(&store, args).await,
        Command::Migrate => {
            println!("数据库已是最新结构。");
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo(args) => {
            if jixiao_store::demo::load_full(&store)
                .await
                .map_err(explain)?
            {
                println!("{}", demo_accounts_message("已载入乐陵市演示数据"));
            } else {
                println!("演示数据此前已载入，未作改动。");
            }
            demo_province(&store, &args).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Backup { file } => {
            store.backup_sqlite(&file).await.map_err(explain)?;
            println!("已备份到 {}", file.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit(AuditCommand::Verify(anchor)) => audit_verify(&store, &anchor).await,
        Command::Ledger(LedgerCommand::Verify) => ledger_verify(&store).await,
        Command::Rollups(RollupsCommand::Verify) => rollups_verify(&store).await,
        Command::Rollups(RollupsCommand::Rebuild) => rollups_rebuild(&store).await,
        Command::Draw(DrawCommand::Replay { id }) => draw_replay(&store, id).await,
        Command::Jurisdiction(command) => jurisdiction(&store, command).await,
        Command::Agency(command) => agency(&store, command).await,
        Command::User(command) => user(&store, command).await,
        Command::Rulebook(command) => rulebook(&store, command).await,
        Command::Import(command) => crate::transfer::import(&store, command).await,
        Command::Export(command) => crate::transfer::export(&store, command).await,
        Command::Review(command) => crate::target_review::run(Some(&store), command).await,
        Command::Bench(_) => Ok(ExitCode::SUCCESS),
    };
    store.close().await;
    result
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("JIXIAO_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}

/// Connects and migrates (every command works on an up-to-date schema).
async fn open(url: &str) -> anyhow::Result<Store> {
    let store = Store::connect(url)
        .await
        .map_err(explain)
        .with_context(|| format!("无法打开数据库 {}", redact(url)))?;
    store.migrate().await.map_err(explain)?;
    Ok(store)
}

/// The start-up message of the demo: what happened and every demo account with its role.
fn demo_accounts_message(what: &str) -> String {
    let mut lines = vec![format!(
        "{what}。演示账号（密码均为 {}，仅供演示，切勿用于真实数据）：",
        jixiao_store::demo::DEMO_PASSWORD
    )];
    for (username, display_name, role) in jixiao_store::demo::accounts() {
        lines.push(format!("  {username:<12} {role}　{display_name}"));
    }
    lines.join("\n")
}

/// `--province`: the province around the demo, once.
async fn demo_province(store: &Store, args: &DemoArgs) -> anyhow::Result<()> {
    if !args.province {
        return Ok(());
    }
    println!("正在生成山东省16市136个县（市、区）的演示数据……");
    match jixiao_store::demo::province::load_demo(store, args.province_scale)
        .await
        .map_err(explain)?
    {
        None => println!("全省演示数据此前已生成，未作改动。"),
        Some(report) => {
            println!(
                "已生成全省演示数据：{} 个县（市、区），{} 个项目、{} 条绩效指标、{} 笔支付，用时 {:.1} 秒。",
                report.counties + 1,
                report.projects,
                report.indicators,
                report.payments,
                (report.setup + report.data + report.statistics).as_secs_f64()
            );
            for (username, display_name, _) in jixiao_store::demo::province::ACCOUNTS {
                println!("  {username:<12} 财政　{display_name}");
            }
        }
    }
    Ok(())
}

/// `serve --demo --reset`: deletes the SQLite demo database with its WAL files and its audit
/// checkpoints (a new database starts a new chain), after checking it holds nothing but demo data.
async fn reset_demo(url: &str, anchor: &AnchorArgs) -> anyhow::Result<()> {
    let store = open(url).await?;
    let Some(file) = store.sqlite_file().map(std::path::Path::to_path_buf) else {
        bail!(
            "--reset 只适用于 SQLite 演示数据库；PostgreSQL 数据库请由管理员另行处理，未作任何改动"
        );
    };
    if !jixiao_store::demo::is_disposable(&store)
        .await
        .map_err(explain)?
    {
        bail!(
            "{} 中有演示数据以外的内容，拒绝重置，未作任何改动（真实数据请勿使用 --reset）",
            file.display()
        );
    }
    let (_, checkpoints) = crate::audit_checkpoints::files(&store, anchor);
    store.close().await;
    drop(store);
    let mut removed = Vec::new();
    for suffix in ["", "-wal", "-shm"] {
        let mut name = file.clone().into_os_string();
        name.push(suffix);
        let path = std::path::PathBuf::from(name);
        match std::fs::remove_file(&path) {
            Ok(()) => removed.push(path),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => {
                return Err(error).with_context(|| format!("无法删除 {}", path.display()));
            }
        }
    }
    match std::fs::remove_file(&checkpoints) {
        Ok(()) => removed.push(checkpoints),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(error) => {
            return Err(error).with_context(|| format!("无法删除 {}", checkpoints.display()));
        }
    }
    let names: Vec<String> = removed.iter().map(|p| p.display().to_string()).collect();
    println!(
        "已重置演示数据库（删除 {}），将重新载入演示数据。",
        names.join("、")
    );
    Ok(())
}

/// A database URL fit for printing: any password replaced.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..scheme + 3], user, &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// A store error as the command line says it: each field problem on its own line.
fn explain(error: Error) -> anyhow::Error {
    match error {
        Error::Invalid(errors) => {
            let lines: Vec<String> = errors
                .0
                .iter()
                .map(|e| format!("  - {}：{}", e.field, e.message))
                .collect();
            anyhow!("输入有误，未作任何改动：\n{}", lines.join("\n"))
        }
        Error::Forbidden => anyhow!("无权执行此操作"),
        other => anyhow!("{other}"),
    }
}

async fn serve(store: &Store, args: ServeArgs) -> anyhow::Result<ExitCode> {
    // Before anything is written: a refused read-only database changes nothing.
    let reads = match &args.read_database {
        Some(url) => Some(read_database(store, url).await?),
        None => None,
    };
    if args.demo {
        let loaded = jixiao_store::demo::load_full(store)
            .await
            .map_err(explain)?;
        let place = store.sqlite_file().map_or_else(
            || "PostgreSQL 数据库".to_owned(),
            |f| f.display().to_string(),
        );
        if loaded {
            println!(
                "{}",
                demo_accounts_message(&format!("已在 {place} 载入乐陵市演示数据"))
            );
        } else {
            println!(
                "{}",
                demo_accounts_message(&format!(
                    "{place} 中已有演示数据，按原样使用（未重新载入；要恢复初始演示数据，请用 serve --demo --reset）"
                ))
            );
        }
        demo_province(store, &args.province).await?;
    } else if let Some(password) = store.ensure_initial_admin().await.map_err(explain)? {
        println!("已创建系统管理员账号 admin，初始密码（仅显示这一次，请登录后修改）：{password}");
    }
    let (key_file, checkpoint_file) = crate::audit_checkpoints::files(store, &args.anchor);
    let anchor = jixiao_store::AuditAnchor::open(&key_file, &checkpoint_file, true)
        .map_err(explain)
        .context("无法启用审计日志外部锚定（--audit-key-file）")?;
    let (stop_checkpoints, stopped) = tokio::sync::watch::channel(false);
    let checkpoints = tokio::spawn(crate::audit_checkpoints::run(
        store.clone(),
        anchor.clone(),
        stopped,
    ));
    let shutdown = shutdown_signal();
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .with_context(|| format!("无法监听 {}", args.listen))?;
    let address = listener.local_addr()?;
    println!("绩效（Jixiao）已启动：http://{address}");
    tracing::info!(%address, backend = ?store.backend(), "serving");
    let state = jixiao_web::AppState {
        upload_limit_bytes: args.upload_limit_mb * 1024 * 1024,
        audit_anchor: Some(anchor),
        trusted_proxies: args.trusted_proxies.clone(),
        ..jixiao_web::AppState::new(store.clone())
    };
    let state = match reads {
        Some(reads) => state.with_read_database(reads),
        None => state,
    };
    jixiao_web::serve(listener, state, shutdown).await?;
    // The last checkpoint, after the last request.
    let _ = stop_checkpoints.send(true);
    let _ = checkpoints.await;
    Ok(ExitCode::SUCCESS)
}

/// Opens `serve --read-database`: a read-only PostgreSQL database beside a PostgreSQL primary,
/// with the primary's schema; the first heartbeat is written to the primary now.
async fn read_database(primary: &Store, url: &str) -> anyhow::Result<Store> {
    if primary.backend() != jixiao_store::Backend::Postgres {
        anyhow::bail!(
            "只读数据库（--read-database）只能是 PostgreSQL 主库的流复制备库；SQLite 主库不支持"
        );
    }
    let reads = Store::connect_read_only(url)
        .await
        .map_err(explain)
        .context("无法连接只读数据库（--read-database）")?;
    primary
        .check_read_only_schema(&reads)
        .await
        .map_err(explain)?;
    primary.beat_replica_heartbeat().await.map_err(explain)?;
    println!("列表、看板和导出读取只读数据库（--read-database）");
    Ok(reads)
}

/// The future that resolves on Ctrl-C or SIGTERM. The handlers are installed now, before the
/// address is announced, so a stop right after start still shuts down gracefully (and writes
/// the last audit checkpoint).
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    let ctrl_c = tokio::signal::ctrl_c();
    async move {
        #[cfg(unix)]
        let terminate = async move {
            match terminate {
                Some(mut signal) => {
                    signal.recv().await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        #[cfg(not(unix))]
        let terminate = std::future::pending::<()>();
        tokio::select! {
            _ = ctrl_c => {},
            () = terminate => {},
        }
    }
}

async fn audit_verify(store: &Store, args: &AnchorArgs) -> anyhow::Result<ExitCode> {
    let anchor = match crate::audit_checkpoints::for_verify(store, args) {
        Ok(anchor) => anchor,
        Err(error) => {
            eprintln!("审计日志校验失败：{error}");
            return Ok(ExitCode::from(2));
        }
    };
    let run = store
        .verify_audit("system", anchor.as_ref())
        .await
        .map_err(explain)?;
    if run.intact {
        println!("审计日志完整：{}", run.message);
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("审计日志校验失败：{}", run.message);
        Ok(ExitCode::from(2))
    }
}

async fn draw_replay(store: &Store, id: i64) -> anyhow::Result<ExitCode> {
    let replay = store
        .replay_draw(&Actor::system(), id)
        .await
        .map_err(explain)?;
    let names = |ids: &[i64]| {
        ids.iter()
            .map(|m| replay.draw.name_of(*m))
            .collect::<Vec<_>>()
            .join("、")
    };
    println!(
        "抽取 #{id}（种子 {}，符合条件 {} 名，排除 {} 名，名单哈希 {}）",
        replay.draw.seed,
        replay.draw.result.eligible.len(),
        replay.draw.result.excluded.len(),
        replay.draw.result.eligible_hash
    );
    println!(
        "记录：入选 {}；替补 {}",
        names(&replay.draw.result.selected),
        names(&replay.draw.result.backups)
    );
    println!(
        "复核：入选 {}；替补 {}",
        names(&replay.replayed.selected),
        names(&replay.replayed.backups)
    );
    if replay.matches {
        println!("复核一致。");
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("复核结果与记录不一致！");
        Ok(ExitCode::from(2))
    }
}

async fn ledger_verify(store: &Store) -> anyhow::Result<ExitCode> {
    let result = store.reconcile().await.map_err(explain)?;
    if result.discrepancies.is_empty() {
        println!(
            "预算指标账核对一致：共 {} 个指标，余额与分类账、支付和用款计划相符。",
            result.allotments
        );
        return Ok(ExitCode::SUCCESS);
    }
    for d in &result.discrepancies {
        eprintln!(
            "指标 {} 不一致：额度/冻结/已支付 {}/{}/{}，分类账 {}/{}/{}，支付净额 {}，未完用款计划 {}",
            d.code,
            d.limit_fen,
            d.frozen_fen,
            d.used_fen,
            d.ledger_limit,
            d.ledger_frozen,
            d.ledger_used,
            d.paid_net,
            d.reserved_open
        );
    }
    Ok(ExitCode::from(2))
}

/// `rollups verify`: each rollup against sums made afresh; exit 2 when a change was lost.
async fn rollups_verify(store: &Store) -> anyhow::Result<ExitCode> {
    let check = store.check_scope_rollups().await.map_err(explain)?;
    let refreshed = store.scope_rollups_refreshed().await.map_err(explain)?;
    let lost: Vec<_> = check.lost().collect();
    for d in &lost {
        eprintln!(
            "汇总数据不一致：{} 中区划 {} 的 {} 年度汇总与明细不符，且无待刷新记录（变动已遗漏）",
            d.rollup, d.jurisdiction, d.year
        );
    }
    if !lost.is_empty() {
        eprintln!("请运行 jixiao rollups rebuild 重算汇总数据。");
        return Ok(ExitCode::from(2));
    }
    let when = refreshed.map_or_else(
        || "尚未刷新过".to_owned(),
        |r| {
            format!(
                "最近一次刷新于 {}",
                jixiao_core::time::display(r.refreshed_at)
            )
        },
    );
    match check.pending() {
        0 => println!(
            "汇总数据核对一致：共 {} 行，与明细数据相符（{when}）。",
            check.rows
        ),
        n => println!(
            "汇总数据核对完毕：共 {} 行，未发现遗漏的变动；另有 {n} 处区划年度的变动已登记，\
             待下次刷新（服务运行时每分钟一次；{when}）。",
            check.rows
        ),
    }
    Ok(ExitCode::SUCCESS)
}

/// `rollups rebuild`: every rollup rebuilt now, audited.
async fn rollups_rebuild(store: &Store) -> anyhow::Result<ExitCode> {
    let round = store
        .rebuild_scope_rollups_as(&Actor::system())
        .await
        .map_err(explain)?;
    println!("汇总数据已全部重算，用时 {} 毫秒。", round.refresh.took_ms);
    Ok(ExitCode::SUCCESS)
}

/// The jurisdiction to use: the one named, else the only county-level one.
pub(crate) async fn pick_jurisdiction(
    store: &Store,
    named: Option<String>,
) -> anyhow::Result<String> {
    match named {
        Some(code) => Ok(code),
        None => store.default_jurisdiction().await.map_err(explain)?.ok_or_else(|| {
            anyhow!(
                "请用 --jurisdiction 指定财政区划（尚无或有多个县级区划；可先用 jixiao jurisdiction add 新增）"
            )
        }),
    }
}

async fn jurisdiction(store: &Store, command: JurisdictionCommand) -> anyhow::Result<ExitCode> {
    match command {
        JurisdictionCommand::Add { code, name, parent } => {
            let added = store
                .add_jurisdiction(
                    &Actor::system(),
                    &NewJurisdiction {
                        code,
                        name,
                        parent_code: parent,
                    },
                )
                .await
                .map_err(explain)?;
            println!("已新增财政区划 {} {}", added.code, added.name);
        }
        JurisdictionCommand::List => {
            for j in store.jurisdictions().await.map_err(explain)? {
                println!(
                    "{}\t{}\t{}",
                    j.code,
                    j.name,
                    j.parent_code.unwrap_or_default()
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn agency(store: &Store, command: AgencyCommand) -> anyhow::Result<ExitCode> {
    match command {
        AgencyCommand::Add {
            code,
            name,
            parent,
            head,
            jurisdiction,
        } => {
            let jurisdiction = pick_jurisdiction(store, jurisdiction).await?;
            let added = store
                .add_agency(
                    &Actor::system(),
                    &NewAgency {
                        jurisdiction,
                        code,
                        name,
                        parent_code: parent,
                        head,
                    },
                )
                .await
                .map_err(explain)?;
            println!("已新增{} {} {}", added.kind_label(), added.code, added.name);
        }
        AgencyCommand::List => {
            println!("区划\t编码\t名称\t类别\t上级\t第一责任人");
            for a in store.agencies(&Actor::system()).await.map_err(explain)? {
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    a.jurisdiction_code,
                    a.code,
                    a.name,
                    a.kind_label(),
                    a.parent_code.as_deref().unwrap_or(""),
                    a.head
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The new user's password: `JIXIAO_PASSWORD`, else asked twice on the terminal.
fn read_password() -> anyhow::Result<String> {
    if let Ok(password) = std::env::var("JIXIAO_PASSWORD") {
        return Ok(password);
    }
    let first = rpassword::prompt_password("新用户密码：")
        .context("无法从终端读取密码；可改用环境变量 JIXIAO_PASSWORD")?;
    let second = rpassword::prompt_password("再次输入密码：")
        .context("无法从终端读取密码；可改用环境变量 JIXIAO_PASSWORD")?;
    if first != second {
        bail!("两次输入的密码不一致，未创建用户");
    }
    Ok(first)
}

async fn user(store: &Store, command: UserCommand) -> anyhow::Result<ExitCode> {
    let system = Actor::system();
    match command {
        UserCommand::Add {
            name,
            role,
            agency,
            jurisdiction,
            display_name,
        } => {
            let jurisdiction = match jurisdiction {
                Some(code) => Some(code),
                None if role == "admin" => None,
                None => Some(pick_jurisdiction(store, None).await?),
            };
            // Check what can be checked before asking for a password.
            if jixiao_core::Role::parse(&role).is_none() {
                bail!(
                    "未知角色“{role}”，可选：admin、finance、agency、expert、institution、viewer"
                );
            }
            let password = read_password()?;
            let user = store
                .add_user(
                    &system,
                    &NewUser {
                        username: name,
                        display_name,
                        role,
                        jurisdiction,
                        agency_code: agency,
                        password,
                        area_code: None,
                        sector: None,
                    },
                )
                .await
                .map_err(explain)?;
            println!("已创建用户 {}（{}）", user.username, user.role.label());
        }
        UserCommand::List => {
            println!("用户名\t姓名\t角色\t区划\t单位\t状态");
            for u in store.users(&system).await.map_err(explain)? {
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    u.username,
                    u.display_name,
                    u.role.as_str(),
                    u.jurisdiction.as_deref().unwrap_or("全部"),
                    u.agency_code.as_deref().unwrap_or(""),
                    if u.disabled { "已停用" } else { "正常" }
                );
            }
        }
        UserCommand::Disable { name } => {
            store
                .set_user_disabled(&system, &name, true)
                .await
                .map_err(explain)?;
            println!("已停用用户 {name}，其登录会话已结束。");
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn rulebook(store: &Store, command: RulebookCommand) -> anyhow::Result<ExitCode> {
    match command {
        RulebookCommand::Load {
            file,
            year,
            jurisdiction,
        } => {
            let source = std::fs::read_to_string(&file)
                .with_context(|| format!("无法读取规则文件 {}", file.display()))?;
            let jurisdiction = pick_jurisdiction(store, jurisdiction).await?;
            let loaded = store
                .load_rulebook(&Actor::system(), &jurisdiction, year, &source)
                .await
                .map_err(explain)?;
            if loaded.created {
                println!(
                    "已载入规则“{}”：{jurisdiction} {year}年度 第{}版",
                    loaded.record.name, loaded.record.version
                );
            } else {
                println!(
                    "规则文本与现行第{}版相同，未形成新版本。",
                    loaded.record.version
                );
            }
        }
        RulebookCommand::Show { year, jurisdiction } => {
            let jurisdiction = pick_jurisdiction(store, jurisdiction).await?;
            let record = store
                .rulebook_in_force(&jurisdiction, year)
                .await
                .map_err(explain)?;
            println!(
                "# {} {}年度 第{}版（{}，载入人 {}）",
                record.jurisdiction_code,
                record.year,
                record.version,
                jixiao_core::time::display(record.loaded_at),
                record.loaded_by
            );
            print!("{}", record.source);
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_in_database_urls_are_not_printed() {
        assert_eq!(
            redact("postgres://jixiao:s3cret@db.example/jixiao"),
            "postgres://jixiao:***@db.example/jixiao"
        );
        assert_eq!(
            redact("postgres://postgres@127.0.0.1/x"),
            "postgres://postgres@127.0.0.1/x"
        );
        assert_eq!(redact("sqlite://jixiao.db"), "sqlite://jixiao.db");
    }
}
