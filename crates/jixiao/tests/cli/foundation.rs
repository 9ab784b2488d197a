//! Setting up, serving, auditing, backing up and the rulebook from the command line.

use crate::*;
use jixiao_store::test_support::{TestDatabase, drop_audit_guards};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::process::Command;

#[tokio::test]
async fn agencies_and_users_are_managed_from_the_command_line() -> TestResult {
    let db = TestDatabase::new().await?;
    let url = db.url.as_str();
    let error = fails(url, &["agency", "add", "105", "乐陵市财政局"])?;
    assert!(
        error.contains("jurisdiction"),
        "no jurisdiction yet: {error}"
    );
    set_up(url).await?;

    let list = succeeds(url, &["agency", "list"])?;
    assert!(
        list.contains("105\t乐陵市财政局\t主管部门\t\t吴强"),
        "{list}"
    );
    assert!(
        list.contains("112001\t乐陵市残疾人就业服务所\t预算单位\t112"),
        "{list}"
    );

    let error = fails(
        url,
        &["agency", "add", "113001", "无主单位", "--parent", "113"],
    )?;
    assert!(error.contains("上级部门“113”不存在"), "{error}");
    let error = fails(url, &["agency", "add", "105", "重复"])?;
    assert!(error.contains("单位编码“105”已存在"), "{error}");
    let error = fails(url, &["agency", "add", "bad code", "名称"])?;
    assert!(error.contains("单位编码应为"), "{error}");

    succeeds(
        url,
        &[
            "user", "add", "canlian", "--role", "agency", "--agency", "112",
        ],
    )?;
    succeeds(url, &["user", "add", "root2", "--role", "admin"])?;
    let error = fails(url, &["user", "add", "x", "--role", "root"])?;
    assert!(error.contains("未知角色“root”"), "{error}");
    let error = fails(
        url,
        &["user", "add", "y", "--role", "agency", "--agency", "999"],
    )?;
    assert!(error.contains("单位“999”不存在"), "{error}");
    let error = fails(url, &["user", "add", "z", "--role", "agency"])?;
    assert!(error.contains("必须指定所属单位"), "{error}");
    let error = fails(url, &["user", "add", "canlian", "--role", "viewer"])?;
    assert!(error.contains("已存在"), "{error}");

    let users = succeeds(url, &["user", "list"])?;
    assert!(
        users.contains("canlian\tcanlian\tagency\t371481\t112\t正常"),
        "{users}"
    );
    assert!(users.contains("root2\troot2\tadmin\t全部"), "{users}");
    assert!(!users.contains("\tx\t") && !users.contains("\ty\t"));

    succeeds(url, &["user", "disable", "canlian"])?;
    let users = succeeds(url, &["user", "list"])?;
    assert!(users.contains("canlian\tcanlian\tagency\t371481\t112\t已停用"));
    let error = fails(url, &["user", "disable", "nobody"])?;
    assert!(error.contains("用户“nobody”不存在"), "{error}");
    Ok(())
}

#[tokio::test]
async fn audit_verify_passes_on_an_intact_log_and_names_a_tampered_record() -> TestResult {
    let db = TestDatabase::new().await?;
    let url = db.url.as_str();
    set_up(url).await?;
    let report = succeeds(url, &["audit", "verify"])?;
    assert!(report.contains("共 5 条记录，哈希链校验通过"), "{report}");

    drop_audit_guards(url).await?;
    tamper(url, "UPDATE audit_log SET actor = 'mallory' WHERE seq = 3").await?;
    let output = jixiao(url, &["audit", "verify"])?;
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("第3条审计记录已被篡改"),
        "{}",
        stderr(&output)
    );
    Ok(())
}

#[tokio::test]
async fn serve_anchors_the_chain_and_verify_finds_a_removed_tail() -> TestResult {
    let db = TestDatabase::new().await?;
    let url = db.url.as_str();
    set_up(url).await?;
    let (key, checkpoints) = anchor_files(url);
    let _cleanup = Cleanup(vec![key.clone(), checkpoints.clone()]);
    let mut server = serve(url, &[])?;
    // A graceful stop writes the last checkpoint.
    let stopped = std::process::Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()?;
    assert!(stopped.success());
    assert!(server.child.wait()?.success());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&key)?.permissions().mode() & 0o777, 0o600);
    }
    let lines = std::fs::read_to_string(&checkpoints)?;
    // One at start, one at shutdown; the head includes the generated admin (record 6).
    assert_eq!(lines.lines().count(), 2, "{lines}");
    assert!(lines.lines().all(|l| l.starts_with("6\t")), "{lines}");
    let report = succeeds(url, &["audit", "verify"])?;
    assert!(report.contains("2 个外部检查点与数据库一致"), "{report}");

    drop_audit_guards(url).await?;
    tamper(url, "DELETE FROM audit_log WHERE seq > 4").await?;
    tamper(
        url,
        "UPDATE audit_head SET last_seq = 4, \
         last_hash = (SELECT hash FROM audit_log WHERE seq = 4) WHERE id = 1",
    )
    .await?;
    let output = jixiao(url, &["audit", "verify"])?;
    assert_eq!(output.status.code(), Some(2), "{}", stdout(&output));
    assert!(
        stderr(&output).contains("审计日志尾部被截断"),
        "{}",
        stderr(&output)
    );
    Ok(())
}

/// Removes the files it names when dropped.
struct Cleanup(Vec<std::path::PathBuf>);

impl Drop for Cleanup {
    fn drop(&mut self) {
        for file in &self.0 {
            let _ = std::fs::remove_file(file);
        }
    }
}

#[tokio::test]
async fn a_fresh_database_is_served_with_a_generated_admin_password() -> TestResult {
    let db = TestDatabase::new().await?;
    let url = db.url.as_str();
    set_up(url).await?;
    succeeds(
        url,
        &[
            "user", "add", "canlian", "--role", "agency", "--agency", "112",
        ],
    )?;

    let server = serve(url, &[])?;
    let announcement = server
        .printed
        .iter()
        .find(|l| l.contains("初始密码"))
        .ok_or("no admin password printed")?;
    let password = announcement
        .rsplit('：')
        .next()
        .ok_or("password")?
        .trim()
        .to_owned();
    assert_eq!(password.len(), 16);

    let health = reqwest::get(format!("{}/healthz", server.base)).await?;
    assert_eq!(health.status(), StatusCode::OK);
    // Logged to a file, the lines carry no terminal colour codes.
    let log = server.log()?;
    assert!(log.contains("serving"), "{log}");
    assert!(
        !log.contains('\u{1b}'),
        "colour codes in a log file: {log:?}"
    );
    assert_eq!(
        api_login(&server.base, "admin", &password).await?,
        StatusCode::OK
    );
    assert_eq!(
        api_login(&server.base, "canlian", "cli-password-1").await?,
        StatusCode::OK
    );

    // The same user through the login page.
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let html = browser
        .get(format!("{}/login", server.base))
        .send()
        .await?
        .text()
        .await?;
    let marker = "name=\"_csrf\" value=\"";
    let start = html.find(marker).ok_or("csrf")? + marker.len();
    let csrf = &html[start..start + 64];
    let response = browser
        .post(format!("{}/login", server.base))
        .form(&[
            ("_csrf", csrf),
            ("username", "canlian"),
            ("password", "cli-password-1"),
        ])
        .send()
        .await?;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let home = browser
        .get(format!("{}/", server.base))
        .send()
        .await?
        .text()
        .await?;
    assert!(home.contains("乐陵市残疾人联合会"));
    drop(server);

    // A second start prints no password: the admin exists.
    let again = serve(url, &[])?;
    assert!(!again.printed.iter().any(|l| l.contains("初始密码")));
    Ok(())
}

#[tokio::test]
async fn serve_demo_loads_the_leling_accounts() -> TestResult {
    let db = TestDatabase::new().await?;
    let server = serve(&db.url, &["--demo"])?;
    assert!(server.printed.iter().any(|l| l.contains("乐陵市演示数据")));
    for role in [
        "admin",
        "finance",
        "agency",
        "expert",
        "institution",
        "viewer",
    ] {
        assert_eq!(
            api_login(&server.base, role, "jixiao-demo").await?,
            StatusCode::OK,
            "{role}"
        );
    }
    let token: Value = reqwest::Client::new()
        .post(format!("{}/api/v1/session", server.base))
        .json(&json!({"username": "agency", "password": "jixiao-demo"}))
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(token["user"]["agency"], "114");
    Ok(())
}

#[tokio::test]
async fn serve_demo_lists_every_account_keeps_an_existing_demo_and_resets_only_a_demo() -> TestResult
{
    let db = TestDatabase::new().await?;
    let url = db.url.as_str();
    if !url.starts_with("sqlite:") {
        let refused = crate::command(url)
            .args(["serve", "--demo", "--reset", "--listen", "127.0.0.1:0"])
            .output()?;
        assert!(!refused.status.success());
        assert!(String::from_utf8_lossy(&refused.stderr).contains("只适用于 SQLite"));
        return Ok(());
    }
    let accounts = [
        "admin",
        "finance",
        "budget",
        "agency",
        "yiyuan",
        "canlian",
        "expert",
        "institution",
        "viewer",
    ];
    {
        let server = serve(url, &["--demo"])?;
        let text = server.printed.join("\n");
        assert!(text.contains("载入乐陵市演示数据"), "{text}");
        for account in accounts {
            assert!(
                text.contains(account),
                "the start-up message names {account}: {text}"
            );
        }
        // A change made while using the demo: the supervisor's account is disabled.
        let admin: Value = reqwest::Client::new()
            .post(format!("{}/api/v1/session", server.base))
            .json(&json!({"username": "admin", "password": "jixiao-demo"}))
            .send()
            .await?
            .json()
            .await?;
        let status = reqwest::Client::new()
            .post(format!("{}/api/v1/users/viewer/disable", server.base))
            .bearer_auth(admin["token"].as_str().ok_or("token")?)
            .send()
            .await?
            .status();
        assert!(status.is_success(), "{status}");
    }
    {
        // Started again with --demo, the database is used as it is, and says so.
        let server = serve(url, &["--demo"])?;
        let text = server.printed.join("\n");
        assert!(
            text.contains("按原样使用") && text.contains("--reset"),
            "{text}"
        );
        assert_ne!(
            api_login(&server.base, "viewer", "jixiao-demo").await?,
            StatusCode::OK
        );
    }
    {
        // --reset brings the demo back as it was.
        let server = serve(url, &["--demo", "--reset"])?;
        let text = server.printed.join("\n");
        assert!(text.contains("已重置演示数据库"), "{text}");
        assert_eq!(
            api_login(&server.base, "viewer", "jixiao-demo").await?,
            StatusCode::OK
        );
    }
    // A database with anything but the demo in it is never reset.
    succeeds(url, &["jurisdiction", "add", "110000", "北京市"])?;
    let refused = crate::command(url)
        .args(["serve", "--demo", "--reset", "--listen", "127.0.0.1:0"])
        .output()?;
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("拒绝重置"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    let kept = succeeds(url, &["audit", "verify"])?;
    assert!(!kept.is_empty());
    // --reset alone is a usage error.
    let alone = crate::command(url).args(["serve", "--reset"]).output()?;
    assert!(!alone.status.success());
    Ok(())
}

#[tokio::test]
async fn backup_copies_sqlite_and_points_postgres_to_pg_dump() -> TestResult {
    let db = TestDatabase::new().await?;
    let url = db.url.as_str();
    set_up(url).await?;
    let target = std::env::temp_dir().join(format!("jixiao-cli-backup-{}.db", std::process::id()));
    let _ = std::fs::remove_file(&target);
    let target_text = target.to_str().ok_or("path")?;
    if url.starts_with("sqlite:") {
        succeeds(url, &["backup", target_text])?;
        let copy = format!("sqlite://{target_text}");
        let report = succeeds(&copy, &["audit", "verify"])?;
        assert!(report.contains("共 5 条记录"), "{report}");
        let error = fails(url, &["backup", target_text])?;
        assert!(error.contains("已存在"), "{error}");
        std::fs::remove_file(&target)?;
    } else {
        let error = fails(url, &["backup", target_text])?;
        assert!(error.contains("pg_dump"), "{error}");
    }
    Ok(())
}

#[test]
fn help_and_bad_urls_are_clear() -> TestResult {
    let help = Command::new(env!("CARGO_BIN_EXE_jixiao"))
        .arg("--help")
        .output()?;
    let text = stdout(&help);
    assert!(text.contains("budget performance management") && text.contains("预算绩效管理系统"));
    for command in ["serve", "migrate", "backup", "audit", "agency", "user"] {
        assert!(text.contains(command), "{command}");
    }
    let bad = jixiao("mysql://localhost/x", &["migrate"])?;
    assert!(!bad.status.success());
    assert!(stderr(&bad).contains("不支持的数据库地址"));
    Ok(())
}

#[tokio::test]
async fn rulebooks_are_loaded_and_shown_from_the_command_line() -> TestResult {
    let db = TestDatabase::new().await?;
    let url = db.url.as_str();
    set_up(url).await?;
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../rulebooks/national-default.toml"
    );
    let out = succeeds(url, &["rulebook", "load", file, "--year", "2021"])?;
    assert!(out.contains("371481 2021年度 第1版"), "{out}");
    let out = succeeds(url, &["rulebook", "load", file, "--year", "2021"])?;
    assert!(out.contains("未形成新版本"), "{out}");
    let stricter =
        std::env::temp_dir().join(format!("jixiao-rulebook-{}.toml", std::process::id()));
    std::fs::write(
        &stricter,
        std::fs::read_to_string(file)?.replace("min_indicators = 3", "min_indicators = 5"),
    )?;
    let out = succeeds(
        url,
        &[
            "rulebook",
            "load",
            stricter.to_str().ok_or("path")?,
            "--year",
            "2021",
        ],
    )?;
    assert!(out.contains("第2版"), "{out}");
    let shown = succeeds(url, &["rulebook", "show", "--year", "2021"])?;
    assert!(shown.contains("第2版") && shown.contains("min_indicators = 5"));
    std::fs::write(&stricter, "name = \"broken\"\n")?;
    let error = fails(
        url,
        &[
            "rulebook",
            "load",
            stricter.to_str().ok_or("path")?,
            "--year",
            "2021",
        ],
    )?;
    assert!(error.contains("规则文件格式有误"), "{error}");
    let error = fails(url, &["rulebook", "show", "--year", "2030"])?;
    assert!(error.contains("2030年度尚未载入规则"), "{error}");
    std::fs::remove_file(&stricter)?;
    Ok(())
}

#[test]
fn the_project_benchmark_runs_on_a_scratch_database() -> TestResult {
    let output = Command::new(env!("CARGO_BIN_EXE_jixiao"))
        .args(["bench", "projects", "--count", "300", "--runs", "2"])
        .env_remove("JIXIAO_DATABASE")
        .output()?;
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("seeded 300 projects"));
    assert!(
        text.contains("finance: year, page 1") && text.contains("     300 "),
        "{text}"
    );
    Ok(())
}

#[test]
fn the_export_benchmark_writes_every_row() -> TestResult {
    let output = Command::new(env!("CARGO_BIN_EXE_jixiao"))
        .args(["bench", "export", "--count", "2500"])
        .env_remove("JIXIAO_DATABASE")
        .output()?;
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("exported 2500 rows"), "{text}");
    Ok(())
}

/// `serve --read-database` (decision 0052): refused beside a SQLite primary, for an address
/// that is not PostgreSQL and for a replica whose schema is not the primary's — each before
/// anything is written (no administrator account is made); a replica with the primary's schema
/// is taken and announced.
#[tokio::test]
async fn serve_takes_a_read_only_database_only_as_a_postgresql_replica_of_its_schema() -> TestResult
{
    let db = TestDatabase::new().await?;
    let url = db.url.as_str();
    let refused = |read: &str| -> Result<String, Box<dyn std::error::Error>> {
        let output = jixiao(
            url,
            &["serve", "--listen", "127.0.0.1:0", "--read-database", read],
        )?;
        assert!(!output.status.success(), "{}", stdout(&output));
        assert!(
            !stdout(&output).contains("初始密码"),
            "nothing written first"
        );
        Ok(stderr(&output))
    };
    if url.starts_with("sqlite:") {
        let error = refused("postgres://postgres@127.0.0.1:5432/replica")?;
        assert!(error.contains("SQLite 主库不支持"), "{error}");
        return Ok(());
    }
    let error = refused("sqlite:///tmp/replica.db")?;
    assert!(error.contains("须为 PostgreSQL 流复制备库"), "{error}");
    let replica = TestDatabase::new().await?;
    let server = serve(url, &["--read-database", &replica.url])?;
    assert!(
        server.printed.iter().any(|l| l.contains("读取只读数据库")),
        "{:?}",
        server.printed
    );
    drop(server);
    jixiao_store::test_support::raw_execute(
        &replica.url,
        "DELETE FROM _sqlx_migrations WHERE version = (SELECT MAX(version) FROM _sqlx_migrations)",
    )
    .await?;
    let error = refused(&replica.url)?;
    assert!(error.contains("结构版本"), "{error}");
    replica.remove().await?;
    Ok(())
}
