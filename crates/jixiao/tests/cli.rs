//! The `jixiao` binary as an operator uses it: setting up a fresh database from the command
//! line, serving it, verifying the audit log and backing up.

use jixiao_store::test_support::TestDatabase;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn jixiao(url: &str, args: &[&str]) -> std::io::Result<Output> {
    Command::new(env!("CARGO_BIN_EXE_jixiao"))
        .arg("--database")
        .arg(url)
        .args(args)
        .env("JIXIAO_PASSWORD", "cli-password-1")
        .env_remove("JIXIAO_DATABASE")
        .output()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn succeeds(url: &str, args: &[&str]) -> Result<String, Box<dyn std::error::Error>> {
    let output = jixiao(url, args)?;
    if !output.status.success() {
        return Err(format!("{args:?} failed: {}", stderr(&output)).into());
    }
    Ok(stdout(&output))
}

fn fails(url: &str, args: &[&str]) -> Result<String, Box<dyn std::error::Error>> {
    let output = jixiao(url, args)?;
    if output.status.success() {
        return Err(format!("{args:?} should have failed: {}", stdout(&output)).into());
    }
    Ok(stderr(&output))
}

async fn set_up(url: &str) -> TestResult {
    succeeds(url, &["jurisdiction", "add", "371400", "德州市"])?;
    succeeds(
        url,
        &[
            "jurisdiction",
            "add",
            "371481",
            "乐陵市",
            "--parent",
            "371400",
        ],
    )?;
    succeeds(
        url,
        &["agency", "add", "105", "乐陵市财政局", "--head", "吴强"],
    )?;
    succeeds(url, &["agency", "add", "112", "乐陵市残疾人联合会"])?;
    succeeds(
        url,
        &[
            "agency",
            "add",
            "112001",
            "乐陵市残疾人就业服务所",
            "--parent",
            "112",
        ],
    )?;
    Ok(())
}

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

async fn tamper(url: &str, sql: &'static str) -> Result<(), sqlx::Error> {
    use sqlx::Connection;
    if url.starts_with("sqlite:") {
        let mut conn = sqlx::SqliteConnection::connect(url).await?;
        sqlx::query(sql).execute(&mut conn).await?;
    } else {
        let mut conn = sqlx::PgConnection::connect(url).await?;
        sqlx::query(sql).execute(&mut conn).await?;
    }
    Ok(())
}

/// A running `jixiao serve`, killed when dropped.
struct Server {
    child: Child,
    base: String,
    printed: Vec<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(url: &str, extra: &[&str]) -> Result<Server, Box<dyn std::error::Error>> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_jixiao"))
        .args(["--database", url, "serve", "--listen", "127.0.0.1:0"])
        .args(extra)
        .env_remove("JIXIAO_DATABASE")
        .env_remove("JIXIAO_LISTEN")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let out = child.stdout.take().ok_or("no stdout")?;
    let (lines, receive) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    let mut printed = Vec::new();
    loop {
        let line = receive.recv_timeout(Duration::from_secs(60))?;
        if let Some(address) = line.split("http://").nth(1) {
            let base = format!("http://{}", address.trim());
            printed.push(line);
            return Ok(Server {
                child,
                base,
                printed,
            });
        }
        printed.push(line);
    }
}

async fn api_login(
    base: &str,
    username: &str,
    password: &str,
) -> Result<StatusCode, reqwest::Error> {
    Ok(reqwest::Client::new()
        .post(format!("{base}/api/v1/session"))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await?
        .status())
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

#[tokio::test]
async fn the_treasury_csv_pays_good_rows_and_reports_bad_ones() -> TestResult {
    let db = TestDatabase::new().await?;
    let url = db.url.as_str();
    succeeds(url, &["demo"])?;
    let exported = succeeds(url, &["export", "allotments", "--year", "2019"])?;
    let mut rows = exported.lines();
    assert!(
        rows.next()
            .is_some_and(|h| h.starts_with("code,document_number,year"))
    );
    let all: Vec<&str> = rows.collect();
    assert_eq!(all.len(), 705, "one line per 2019 allotment");
    let posts = all
        .iter()
        .find(|l| l.contains(",2019年扶贫专岗,"))
        .ok_or("扶贫专岗 exported")?;
    let fields: Vec<&str> = posts.split(',').collect();
    let (code, available) = (fields[0], fields[13]);
    let file = std::env::temp_dir().join(format!("jixiao-payments-{}.csv", std::process::id()));
    std::fs::write(
        &file,
        format!(
            "request_id,date,code,amount_yuan,payee,purpose,type\n\
             GK-CSV-1,2019-12-30,{code},1000.00,乐陵经济技术开发区,岗位补贴,payment\n\
             GK-CSV-2,2019-12-30,{code},99999999.00,乐陵经济技术开发区,岗位补贴,payment\n\
             GK-CSV-3,2019-13-01,{code},1.00,x,y,payment\n\
             GK-CSV-1,2019-12-30,{code},1000.00,乐陵经济技术开发区,岗位补贴,payment\n\
             GK-CSV-4,2019-12-31,{code},200.00,乐陵经济技术开发区,多付退回,refund\n"
        ),
    )?;
    let path = file.to_str().ok_or("path")?;
    let dry = jixiao(url, &["import", "payments", path, "--dry-run"])?;
    let report = stdout(&dry);
    assert!(
        report.contains("第2行 GK-CSV-1：已支付1,000.00元"),
        "{report}"
    );
    assert!(
        report.contains("第3行 GK-CSV-2：失败，可用指标不足"),
        "{report}"
    );
    assert!(report.contains("第4行：日期“2019-13-01”无效"), "{report}");
    assert!(report.contains("第5行 GK-CSV-1：重复请求"), "{report}");
    assert!(report.contains("试运行，未作任何改动"));
    let unchanged = succeeds(url, &["export", "allotments", "--year", "2019"])?;
    assert_eq!(unchanged, exported, "a dry run changes nothing");

    let real = jixiao(url, &["import", "payments", path])?;
    assert_eq!(real.status.code(), Some(1), "some rows failed");
    let report = stdout(&real);
    assert!(
        report.contains("共5行：成功2行，重复1行，失败2行"),
        "{report}"
    );
    let after = succeeds(url, &["export", "allotments", "--year", "2019"])?;
    let line = after
        .lines()
        .find(|l| l.starts_with(&format!("{code},")))
        .ok_or("line")?;
    let available_after = line.split(',').nth(13).ok_or("available")?;
    let before_fen = jixiao_core::money::parse_yuan(available)?;
    let after_fen = jixiao_core::money::parse_yuan(available_after)?;
    assert_eq!(before_fen - after_fen, 80_000, "1,000 paid, 200 refunded");
    let again = jixiao(url, &["import", "payments", path])?;
    assert!(
        stdout(&again).contains("成功0行，重复3行"),
        "re-importing the file pays nothing twice"
    );
    std::fs::remove_file(&file)?;
    Ok(())
}

#[tokio::test]
async fn acknowledged_payments_survive_killing_the_server() -> TestResult {
    let db = TestDatabase::new().await?;
    let url = db.url.clone();
    succeeds(&url, &["demo"])?;
    let server = serve(&url, &[])?;
    let client = reqwest::Client::new();
    let login: Value = client
        .post(format!("{}/api/v1/session", server.base))
        .json(&json!({"username": "finance", "password": "jixiao-demo"}))
        .send()
        .await?
        .json()
        .await?;
    let token = login["token"].as_str().ok_or("token")?.to_owned();
    let found: Value = client
        .get(format!(
            "{}/api/v1/projects?year=2019&q=2019年扶贫专岗",
            server.base
        ))
        .bearer_auth(&token)
        .send()
        .await?
        .json()
        .await?;
    let project = found["projects"]
        .as_array()
        .ok_or("list")?
        .iter()
        .find(|p| p["name"] == "2019年扶贫专岗")
        .ok_or("project")?
        .clone();
    let id = project["id"].as_i64().ok_or("id")?;
    let before: Value = client
        .get(format!("{}/api/v1/projects/{id}/allotment", server.base))
        .bearer_auth(&token)
        .send()
        .await?
        .json()
        .await?;

    // A stream of payments from several clients; keep what was acknowledged.
    let acknowledged = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let mut clients = Vec::new();
    for worker in 0..6 {
        let (base, token, acknowledged) =
            (server.base.clone(), token.clone(), acknowledged.clone());
        clients.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            for n in 0.. {
                let request_id = format!("CRASH-{worker}-{n}");
                let sent = client
                    .post(format!("{base}/api/v1/payments"))
                    .bearer_auth(&token)
                    .json(&json!({"request_id": request_id, "project_id": id, "amount_fen": 1, "payee": "测试", "purpose": "崩溃测试"}))
                    .send()
                    .await;
                match sent {
                    Ok(response) if response.status() == StatusCode::CREATED => {
                        if let Ok(mut list) = acknowledged.lock() {
                            list.push(request_id);
                        }
                    }
                    Ok(_) => {}
                    Err(_) => break,
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    drop(server); // SIGKILL, mid-stream
    for task in clients {
        task.await?;
    }
    let acknowledged = acknowledged.lock().map_err(|_| "lock")?.clone();
    assert!(
        acknowledged.len() > 10,
        "the stream ran: {}",
        acknowledged.len()
    );

    // After a restart every acknowledged payment is there (a replay answers 200) and the
    // balances equal the ledger.
    let restarted = serve(&url, &[])?;
    for request_id in &acknowledged {
        let worker_and_n = request_id.clone();
        let response = client
            .post(format!("{}/api/v1/payments", restarted.base))
            .bearer_auth(&token)
            .json(&json!({"request_id": worker_and_n, "project_id": id, "amount_fen": 1, "payee": "测试", "purpose": "崩溃测试"}))
            .send()
            .await?;
        assert_eq!(
            response.status(),
            StatusCode::OK,
            "{request_id} was acknowledged, so it must replay"
        );
    }
    let after: Value = client
        .get(format!("{}/api/v1/projects/{id}/allotment", restarted.base))
        .bearer_auth(&token)
        .send()
        .await?
        .json()
        .await?;
    let paid = after["used_fen"].as_i64().unwrap_or(0) - before["used_fen"].as_i64().unwrap_or(0);
    assert!(
        paid >= i64::try_from(acknowledged.len())?,
        "every acknowledged fen is in used"
    );
    drop(restarted);
    let verified = succeeds(&url, &["ledger", "verify"])?;
    assert!(verified.contains("核对一致"), "{verified}");
    Ok(())
}

#[test]
fn the_payments_benchmark_checks_the_invariant() -> TestResult {
    let output = Command::new(env!("CARGO_BIN_EXE_jixiao"))
        .args([
            "bench",
            "payments",
            "--payments",
            "300",
            "--naive-payments",
            "60",
            "--allotments",
            "20",
            "--clients",
            "4",
        ])
        .env_remove("JIXIAO_DATABASE")
        .output()?;
    let text = stdout(&output);
    assert!(output.status.success(), "{text}{}", stderr(&output));
    assert!(text.contains("naive: one transaction per payment") && text.contains("group commit"));
    assert!(
        text.contains(": yes; reconciliation: 20 allotments, 0 discrepancies"),
        "{text}"
    );
    Ok(())
}
