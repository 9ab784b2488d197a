//! The audit chain's anchor outside the database: a key file (created 0600 when missing) and a
//! checkpoint file to which the head of the chain is appended, sealed with an HMAC under that
//! key. Verification checks the chain and then every checkpoint against the database, and the
//! outcome of each run is kept for the admin page.

use crate::{Error, Result, Store};
use jixiao_core::audit_checkpoint::{self, Checkpoint};
use jixiao_core::time::{self, Micros};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The key and the checkpoint file of one deployment.
#[derive(Clone)]
pub struct AuditAnchor {
    key: Vec<u8>,
    checkpoint_file: PathBuf,
}

impl std::fmt::Debug for AuditAnchor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the key.
        f.debug_struct("AuditAnchor")
            .field("checkpoint_file", &self.checkpoint_file)
            .finish_non_exhaustive()
    }
}

fn io_error(what: &str, path: &Path, error: &std::io::Error) -> Error {
    Error::Config(format!("{what} {}：{error}", path.display()))
}

impl AuditAnchor {
    /// Reads the key from `key_file`, creating it (32 random bytes as hex, mode 0600) when
    /// `create` is set and it does not exist.
    pub fn open(key_file: &Path, checkpoint_file: &Path, create: bool) -> Result<AuditAnchor> {
        if create && !key_file.exists() {
            let key =
                jixiao_core::token::new_secret().map_err(|e| Error::Internal(e.to_string()))?;
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options
                .open(key_file)
                .map_err(|e| io_error("无法创建审计密钥文件", key_file, &e))?;
            file.write_all(format!("{key}\n").as_bytes())
                .and_then(|()| file.sync_all())
                .map_err(|e| io_error("无法写入审计密钥文件", key_file, &e))?;
        }
        let text = std::fs::read_to_string(key_file)
            .map_err(|e| io_error("无法读取审计密钥文件", key_file, &e))?;
        let key = audit_checkpoint::parse_key(&text)
            .map_err(|e| Error::Config(format!("{}：{e}", key_file.display())))?;
        Ok(AuditAnchor {
            key,
            checkpoint_file: checkpoint_file.to_owned(),
        })
    }

    /// Where the checkpoints go.
    pub fn checkpoint_file(&self) -> &Path {
        &self.checkpoint_file
    }

    /// Appends one checkpoint line and syncs it to disk.
    fn append(&self, checkpoint: &Checkpoint) -> Result<()> {
        let path = &self.checkpoint_file;
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| io_error("无法打开审计检查点文件", path, &e))?;
        writeln!(file, "{}", checkpoint.to_line())
            .and_then(|()| file.sync_data())
            .map_err(|e| io_error("无法写入审计检查点文件", path, &e))
    }

    /// Every checkpoint in the file, each MAC checked; none when the file does not exist yet.
    fn checkpoints(&self) -> Result<Result<Vec<Checkpoint>, String>> {
        let path = &self.checkpoint_file;
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Ok(Vec::new())),
            Err(e) => return Err(io_error("无法读取审计检查点文件", path, &e)),
        };
        let mut checkpoints = Vec::new();
        for (index, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            match Checkpoint::parse_line(&self.key, index + 1, line) {
                Ok(checkpoint) => checkpoints.push(checkpoint),
                Err(e) => return Ok(Err(e.to_string())),
            }
        }
        Ok(Ok(checkpoints))
    }
}

/// The default key and checkpoint files: next to a SQLite database file; in the working
/// directory of the server for PostgreSQL (the application host, not the database's).
pub fn default_anchor_files(store: &Store) -> (PathBuf, PathBuf) {
    match &store.sqlite_file {
        Some(file) => {
            let with = |suffix: &str| {
                let mut name = file.clone().into_os_string();
                name.push(suffix);
                PathBuf::from(name)
            };
            (with(".audit-key"), with(".audit-checkpoints"))
        }
        None => (
            PathBuf::from("jixiao-audit.key"),
            PathBuf::from("jixiao-audit-checkpoints.log"),
        ),
    }
}

/// One verification run: when, by whom, how far, and what it found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditVerification {
    /// When it ran.
    pub at: Micros,
    /// Who ran it (`system` from the command line).
    pub actor: String,
    /// The last record the chain was verified through.
    pub through_seq: i64,
    /// How many checkpoints were checked (0 when no anchor is configured).
    pub checkpoints: i64,
    /// Whether chain and checkpoints were intact.
    pub intact: bool,
    /// The finding, as users read it.
    pub message: String,
}

impl Store {
    /// The head of the chain: the last record's number and hash (0 and the genesis hash when
    /// the log is empty).
    pub async fn audit_head(&self) -> Result<(i64, String)> {
        Ok(on_pool!(&self.pool, |pool| {
            sqlx::query_as("SELECT last_seq, last_hash FROM audit_head WHERE id = 1")
                .fetch_one(pool)
                .await?
        }))
    }

    /// Appends a checkpoint of the current head to the anchor's file.
    pub async fn write_audit_checkpoint(&self, anchor: &AuditAnchor) -> Result<Checkpoint> {
        let (seq, hash) = self.audit_head().await?;
        let checkpoint = Checkpoint::seal(&anchor.key, seq, &hash, &time::to_rfc3339(time::now()))
            .map_err(|e| Error::Config(e.to_string()))?;
        anchor.append(&checkpoint)?;
        Ok(checkpoint)
    }

    async fn audit_hash_at(&self, seq: i64) -> Result<Option<String>> {
        Ok(on_pool!(&self.pool, |pool| {
            sqlx::query_scalar("SELECT hash FROM audit_log WHERE seq = $1")
                .bind(seq)
                .fetch_optional(pool)
                .await?
        }))
    }

    /// Checks every checkpoint against the database; the first mismatch as users read it.
    async fn check_checkpoints(
        &self,
        anchor: &AuditAnchor,
        through_seq: i64,
    ) -> Result<(i64, Option<String>)> {
        let checkpoints = match anchor.checkpoints()? {
            Ok(checkpoints) => checkpoints,
            Err(message) => return Ok((0, Some(message))),
        };
        let count = i64::try_from(checkpoints.len()).unwrap_or(i64::MAX);
        for checkpoint in &checkpoints {
            if checkpoint.seq == 0 {
                continue;
            }
            if checkpoint.seq > through_seq {
                return Ok((
                    count,
                    Some(format!(
                        "审计日志尾部被截断：{} 的检查点记录链已到第{}条，数据库中只到第{}条",
                        checkpoint.at, checkpoint.seq, through_seq
                    )),
                ));
            }
            match self.audit_hash_at(checkpoint.seq).await? {
                Some(hash) if hash == checkpoint.hash => {}
                Some(_) => {
                    return Ok((
                        count,
                        Some(format!(
                            "第{}条审计记录与 {} 的检查点不符：其后的记录被改写",
                            checkpoint.seq, checkpoint.at
                        )),
                    ));
                }
                None => {
                    return Ok((
                        count,
                        Some(format!(
                            "第{}条审计记录缺失（{} 的检查点记录过该条）",
                            checkpoint.seq, checkpoint.at
                        )),
                    ));
                }
            }
        }
        Ok((count, None))
    }

    /// Verifies the hash chain and, with an anchor, every checkpoint; records the run (for the
    /// admin page) and returns it. A broken chain or checkpoint is an outcome, not an error.
    pub async fn verify_audit(
        &self,
        actor: &str,
        anchor: Option<&AuditAnchor>,
    ) -> Result<AuditVerification> {
        let (through_seq, mut checkpoints, mut failure) = match self.verify_audit_chain().await {
            Ok(last) => (last, 0, None),
            Err(Error::AuditChain(broken)) => {
                let (head, _) = self.audit_head().await?;
                (head, 0, Some(broken.to_string()))
            }
            Err(other) => return Err(other),
        };
        if let (None, Some(anchor)) = (&failure, anchor) {
            let (count, found) = self.check_checkpoints(anchor, through_seq).await?;
            checkpoints = count;
            failure = found;
        }
        let message = match (&failure, anchor) {
            (Some(message), _) => message.clone(),
            (None, Some(_)) => format!(
                "共 {through_seq} 条记录，哈希链校验通过；{checkpoints} 个外部检查点与数据库一致。"
            ),
            (None, None) => format!(
                "共 {through_seq} 条记录，哈希链校验通过（未配置外部检查点，无法发现尾部被整体删除）。"
            ),
        };
        let run = AuditVerification {
            at: time::now(),
            actor: actor.to_owned(),
            through_seq,
            checkpoints,
            intact: failure.is_none(),
            message,
        };
        on_pool!(&self.pool, |pool| {
            sqlx::query(
                "INSERT INTO audit_verifications (at, actor, through_seq, checkpoints, intact, \
                 message) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(run.at)
            .bind(&run.actor)
            .bind(run.through_seq)
            .bind(run.checkpoints)
            .bind(run.intact)
            .bind(&run.message)
            .execute(pool)
            .await?;
        });
        Ok(run)
    }

    /// The most recent verification run, if any.
    pub async fn last_audit_verification(&self) -> Result<Option<AuditVerification>> {
        type Row = (i64, String, i64, i64, bool, String);
        let row: Option<Row> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(
                "SELECT at, actor, through_seq, checkpoints, intact, message \
                 FROM audit_verifications ORDER BY id DESC LIMIT 1",
            )
            .fetch_optional(pool)
            .await?
        });
        Ok(row.map(
            |(at, actor, through_seq, checkpoints, intact, message)| AuditVerification {
                at,
                actor,
                through_seq,
                checkpoints,
                intact,
                message,
            },
        ))
    }
}
