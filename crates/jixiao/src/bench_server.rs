//! The server of the benchmarks that measure over HTTP (`bench uploads`, `bench http-payments`):
//! this binary's `serve` started as a child process on a scratch database, waited for until
//! `/healthz` answers, measured through `/proc/<pid>/status`, and killed when dropped.

use anyhow::{Context, anyhow};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long the server may take to answer `/healthz` after it is started.
const START_TIMEOUT: Duration = Duration::from_secs(120);

/// A running `jixiao serve` child process, killed when dropped.
pub(crate) struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub(crate) base: String,
    /// Holds the audit anchor's files and the server's log for as long as the server runs.
    dir: tempfile::TempDir,
}

impl Server {
    /// Starts `jixiao --database DATABASE serve EXTRA… --listen 127.0.0.1:PORT` with the audit
    /// anchor's files and its log in a temporary folder of its own, and waits for `/healthz`.
    pub(crate) async fn start(database: &str, extra: &[&str]) -> anyhow::Result<Server> {
        let dir = tempfile::tempdir()?;
        let port = free_port()?;
        let log = std::fs::File::create(dir.path().join("serve.log"))?;
        let child = Command::new(std::env::current_exe()?)
            .args(["--database", database, "serve"])
            .args(extra)
            .arg("--listen")
            .arg(format!("127.0.0.1:{port}"))
            .arg("--audit-key-file")
            .arg(dir.path().join("audit-key"))
            .arg("--audit-checkpoint-file")
            .arg(dir.path().join("audit-checkpoints"))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .context("starting the server")?;
        let mut server = Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
            dir,
        };
        let started = Instant::now();
        loop {
            if reqwest::get(format!("{}/healthz", server.base))
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return Ok(server);
            }
            if let Some(status) = server.child.try_wait()? {
                return Err(anyhow!("the server stopped ({status}): {}", server.log()));
            }
            if started.elapsed() > START_TIMEOUT {
                return Err(anyhow!("the server did not start: {}", server.log()));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The server process's figure `field` (`VmHWM:`, `VmRSS:`) in KiB.
    pub(crate) fn memory_kib(&self, field: &str) -> anyhow::Result<u64> {
        let pid = self.child.id();
        crate::bench::memory_kib(&pid.to_string(), field)
            .ok_or_else(|| anyhow!("no {field} in /proc/{pid}/status (Linux only)"))
    }

    /// What the server has logged (its standard error), for a failure's message.
    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("serve.log")).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}
