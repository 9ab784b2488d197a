//! The `jixiao` binary as an operator uses it: setting up a fresh database from the command
//! line, serving it, verifying the audit log, backing up, and exchanging files with the treasury.

mod foundation;
mod hostile_files;
mod open_data;
mod pools;
mod province;
mod self_evaluation;
mod target_review;
mod treasury;

use reqwest::StatusCode;
use serde_json::json;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

pub(crate) type TestResult = Result<(), Box<dyn std::error::Error>>;

/// A file in the temporary folder (`jixiao-{name}-….{ext}`) holding `bytes`, removed when the
/// returned path is dropped — also when a test fails before its end, so no workbook is left
/// behind.
pub(crate) fn temp_path(
    name: &str,
    ext: &str,
    bytes: &[u8],
) -> Result<tempfile::TempPath, Box<dyn std::error::Error>> {
    use std::io::Write;
    let mut file = tempfile::Builder::new()
        .prefix(&format!("jixiao-{name}-"))
        .suffix(&format!(".{ext}"))
        .tempfile()?;
    file.write_all(bytes)?;
    file.flush()?;
    Ok(file.into_temp_path())
}

/// A [`temp_path`] that reads as its path's text, for command lines.
pub(crate) struct TempFile {
    _path: tempfile::TempPath,
    text: String,
}

impl std::ops::Deref for TempFile {
    type Target = str;
    fn deref(&self) -> &str {
        &self.text
    }
}

/// A [`TempFile`] holding `bytes`.
pub(crate) fn temp_file(
    name: &str,
    ext: &str,
    bytes: &[u8],
) -> Result<TempFile, Box<dyn std::error::Error>> {
    let path = temp_path(name, ext, bytes)?;
    let text = path.to_str().ok_or("path")?.to_owned();
    Ok(TempFile { _path: path, text })
}

/// The audit anchor's files for the database at `url`: the defaults next to a SQLite file; for
/// PostgreSQL (whose default is the working directory) files of its own in the temp directory.
pub(crate) fn anchor_files(url: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    use std::hash::{Hash, Hasher};
    if let Some(file) = url.strip_prefix("sqlite://") {
        return (
            format!("{file}.audit-key").into(),
            format!("{file}.audit-checkpoints").into(),
        );
    }
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    url.hash(&mut hasher);
    let stem = std::env::temp_dir().join(format!("jixiao-cli-{:016x}", hasher.finish()));
    (
        stem.with_extension("audit-key"),
        stem.with_extension("audit-checkpoints"),
    )
}

/// `jixiao --database URL` with the anchor files of [`anchor_files`].
fn command(url: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_jixiao"));
    command.arg("--database").arg(url);
    if !url.starts_with("sqlite:") {
        let (key, checkpoints) = anchor_files(url);
        command
            .env("JIXIAO_AUDIT_KEY_FILE", key)
            .env("JIXIAO_AUDIT_CHECKPOINT_FILE", checkpoints);
    }
    command
}

pub(crate) fn jixiao(url: &str, args: &[&str]) -> std::io::Result<Output> {
    command(url)
        .args(args)
        .env("JIXIAO_PASSWORD", "cli-password-1")
        .env_remove("JIXIAO_DATABASE")
        .output()
}

pub(crate) fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub(crate) fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub(crate) fn succeeds(url: &str, args: &[&str]) -> Result<String, Box<dyn std::error::Error>> {
    let output = jixiao(url, args)?;
    if !output.status.success() {
        return Err(format!("{args:?} failed: {}", stderr(&output)).into());
    }
    Ok(stdout(&output))
}

pub(crate) fn fails(url: &str, args: &[&str]) -> Result<String, Box<dyn std::error::Error>> {
    let output = jixiao(url, args)?;
    if output.status.success() {
        return Err(format!("{args:?} should have failed: {}", stdout(&output)).into());
    }
    Ok(stderr(&output))
}

pub(crate) async fn set_up(url: &str) -> TestResult {
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

pub(crate) async fn tamper(url: &str, sql: &'static str) -> Result<(), sqlx::Error> {
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
pub(crate) struct Server {
    pub(crate) child: Child,
    pub(crate) base: String,
    pub(crate) printed: Vec<String>,
    /// Where the server's log (its standard error) goes: a file, as under systemd or `2>log`.
    log: tempfile::NamedTempFile,
}

impl Server {
    /// What the server has logged so far.
    pub(crate) fn log(&self) -> std::io::Result<String> {
        std::fs::read_to_string(self.log.path())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn serve(url: &str, extra: &[&str]) -> Result<Server, Box<dyn std::error::Error>> {
    let log = tempfile::Builder::new()
        .prefix("jixiao-serve-")
        .suffix(".log")
        .tempfile()?;
    let mut child = command(url)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(extra)
        .env_remove("JIXIAO_DATABASE")
        .env_remove("JIXIAO_LISTEN")
        .stdout(Stdio::piped())
        .stderr(log.reopen()?)
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
        // Generous: `serve --demo` loads the Leling-scale registry and the monitored households
        // before it prints its address (over a minute on PostgreSQL in a debug build on a busy
        // machine). A bound on start-up, not a speed check.
        let line = receive.recv_timeout(Duration::from_secs(600))?;
        if let Some(address) = line.split("http://").nth(1) {
            let base = format!("http://{}", address.trim());
            printed.push(line);
            return Ok(Server {
                child,
                base,
                printed,
                log,
            });
        }
        printed.push(line);
    }
}

pub(crate) async fn api_login(
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
