//! The SQLite group-commit writer: one thread with its own connection and prepared statements
//! takes whatever treasury requests wait, applies each group of plain payments in one
//! transaction, commits, and hands the answers to a syncer thread, which makes the log durable
//! (`fsync` of the WAL file) and only then answers — while the writer already applies the next
//! group (decision 0017). Other kinds of request take the shared sqlx path in arrival order, with
//! the pool's `synchronous=FULL`. Rules, rows, receipts and audit records are the same as on the
//! shared path (`group_payments.rs`); a companion thread checkpoints the WAL so commits never
//! wait for it.

use crate::group_commit::{Job, Stats, write_group};
use crate::treasury::{Outcome, Receipt, check_request, today, treasury_jurisdiction};
use crate::{Error, Store};
use jixiao_core::audit::chain_hash;
use jixiao_core::ledger::{Balances, Movement};
use jixiao_core::time::{self, Micros};
use jixiao_core::treasury::TreasuryRequest;
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};
use serde_json::json;
use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc as std_mpsc;
use std::time::Duration;

/// Opens the writer's connection with the same durability settings as the pool.
pub(crate) fn open(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(Duration::from_secs(10))?;
    // The writer's commits do not fsync: the syncer thread fsyncs the WAL after each commit and
    // answers only then (decision 0017). Checkpoints run on another connection with
    // synchronous=FULL, so the database file is synced before the log is ever reused.
    conn.pragma_update(None, "synchronous", "OFF")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // The companion thread checkpoints; a commit never does.
    conn.pragma_update(None, "wal_autocheckpoint", 0)?;
    // A small page cache: SQLite walks it at every commit, and the OS caches the file anyway.
    conn.pragma_update(None, "cache_size", -8_192)?;
    // Savepoint journals in memory, not in a temporary file per request.
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.set_prepared_statement_cache_capacity(32);
    let mode: String = conn.query_row("PRAGMA journal_mode", [], |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(rusqlite::Error::InvalidParameterName(format!(
            "journal_mode {mode}"
        )));
    }
    Ok(conn)
}

/// Starts the writer thread (and its checkpointer) on `conn`.
pub(crate) fn start(
    store: Store,
    path: &Path,
    mut conn: Connection,
    receiver: std_mpsc::Receiver<Job>,
    max_batch: usize,
    stats: Arc<Stats>,
) -> std::io::Result<()> {
    let runtime = tokio::runtime::Handle::current();
    let (dirty, wake) = std_mpsc::sync_channel::<()>(1);
    let checkpoint_path = path.to_path_buf();
    std::thread::Builder::new()
        .name("jixiao-checkpoint".to_owned())
        .spawn(move || checkpoint_loop(&checkpoint_path, &wake))?;
    let (committed, to_sync) = std_mpsc::channel::<Answers>();
    let mut wal_path = path.as_os_str().to_owned();
    wal_path.push("-wal");
    let wal_path = std::path::PathBuf::from(wal_path);
    std::thread::Builder::new()
        .name("jixiao-wal-sync".to_owned())
        .spawn(move || sync_loop(&wal_path, &to_sync))?;
    std::thread::Builder::new()
        .name("jixiao-payments".to_owned())
        .spawn(move || {
            while let Ok(first) = receiver.recv() {
                let jobs = gather(first, &receiver, max_batch.min(GROUP_CAP));
                stats.count(jobs.len());
                // Runs of plain payments here; anything else on the shared path, in order.
                let mut jobs = jobs.into_iter().peekable();
                while let Some(job) = jobs.next() {
                    let plain = crate::group_payments::is_plain_payment(&job.request);
                    let mut run = vec![job];
                    while let Some(next) = jobs
                        .next_if(|j| crate::group_payments::is_plain_payment(&j.request) == plain)
                    {
                        run.push(next);
                    }
                    if plain {
                        write_payments(&mut conn, &store, &runtime, run, &committed);
                    } else {
                        runtime.block_on(write_group(&store, run));
                    }
                }
                let _ = dirty.try_send(());
            }
        })?;
    Ok(())
}

/// How long the writer waits for one more request before it starts a transaction, and the most
/// it waits in all. Callers answered by the last commit send their next requests within a few
/// microseconds; waiting a little for them fills the next commit at almost no cost in latency
/// (a commit's fsync alone takes longer).
const LINGER: Duration = Duration::from_micros(100);
/// The most requests in one group: small enough that the next group fills (and is applied) while
/// the previous one's fsync runs — with 32 callers, two groups of 16 alternate. Larger groups
/// would take every waiting caller and leave the writer idle during the fsync.
const GROUP_CAP: usize = 16;
const LINGER_MAX: Duration = Duration::from_micros(800);

/// The requests for one transaction: `first`, whatever waits, and whatever arrives while
/// arrivals keep coming.
fn gather(first: Job, receiver: &std_mpsc::Receiver<Job>, max_batch: usize) -> Vec<Job> {
    let started = std::time::Instant::now();
    let mut jobs = vec![first];
    while jobs.len() < max_batch {
        match receiver.try_recv() {
            Ok(job) => jobs.push(job),
            Err(_) if started.elapsed() >= LINGER_MAX => break,
            Err(_) => match receiver.recv_timeout(LINGER) {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            },
        }
    }
    jobs
}

/// Checkpoints the WAL after commits, at most every 50 ms: passively (never blocking the
/// writer), then — once the log has grown past 16,000 pages (64 MB) — a brief RESTART of what is
/// left, so the writer starts the log over instead of growing it.
fn checkpoint_loop(path: &Path, wake: &std_mpsc::Receiver<()>) {
    let Ok(conn) = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    ) else {
        return;
    };
    if conn.busy_timeout(Duration::from_secs(10)).is_err() {
        return;
    }
    let checkpoint = |mode: &str| -> rusqlite::Result<i64> {
        conn.query_row(&format!("PRAGMA wal_checkpoint({mode})"), [], |row| {
            row.get(1)
        })
    };
    while wake.recv().is_ok() {
        match checkpoint("PASSIVE") {
            Ok(frames) if frames > 16_000 => {
                if let Err(e) = checkpoint("RESTART") {
                    tracing::warn!("WAL checkpoint failed: {e}");
                }
            }
            Ok(_) => {}
            Err(e) => tracing::warn!("WAL checkpoint failed: {e}"),
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The answers of one committed group, to be sent once the log holding it is on disk.
type Answers = Vec<(
    tokio::sync::oneshot::Sender<crate::Result<Outcome>>,
    crate::Result<Outcome>,
)>;

/// Makes committed groups durable and answers them: takes every group committed so far, fsyncs
/// the WAL file once for all of them (each group's frames were written before it was handed
/// over, so one fsync covers them all), then answers in commit order. Should the fsync fail, the
/// callers are told their request's outcome is unknown; a retry with the same request id returns
/// the stored outcome.
fn sync_loop(wal_path: &Path, committed: &std_mpsc::Receiver<Answers>) {
    let mut wal: Option<std::fs::File> = None;
    while let Ok(first) = committed.recv() {
        let mut groups = vec![first];
        while let Ok(more) = committed.try_recv() {
            groups.push(more);
        }
        let synced = (|| -> std::io::Result<()> {
            if wal.is_none() {
                wal = Some(std::fs::OpenOptions::new().read(true).open(wal_path)?);
            }
            match &wal {
                Some(file) => file.sync_data(),
                None => Ok(()),
            }
        })();
        if let Err(error) = &synced {
            tracing::error!("WAL fsync failed: {error}");
            wal = None;
        }
        for (reply, result) in groups.into_iter().flatten() {
            let answer = match &synced {
                Ok(()) => result,
                Err(_) => Err(Error::Internal(
                    "支付已记账但未能确认写入磁盘，请以相同请求编号重试以查询结果".to_owned(),
                )),
            };
            let _ = reply.send(answer);
        }
    }
}

/// Applies a run of plain payments in one transaction, commits, then hands the answers to the
/// syncer, which sends them once the commit is on disk. Should the run fail as a whole, it is
/// retried on the shared path, where each request stands alone.
fn write_payments(
    conn: &mut Connection,
    store: &Store,
    runtime: &tokio::runtime::Handle,
    jobs: Vec<Job>,
    committed: &std_mpsc::Sender<Answers>,
) {
    match apply_payments(conn, &jobs) {
        Ok(results) => {
            let answers: Answers = jobs
                .into_iter()
                .zip(results)
                .map(|(job, result)| (job.reply, result))
                .collect();
            if let Err(unsent) = committed.send(answers) {
                // The syncer is gone: durability cannot be confirmed, so nothing is confirmed.
                for (reply, _) in unsent.0 {
                    let _ = reply.send(Err(Error::Internal(
                        "支付写入后未能确认落盘，请以相同请求编号重试以查询结果".to_owned(),
                    )));
                }
            }
        }
        Err(error) => {
            tracing::warn!("payment group failed ({error}); retrying request by request");
            runtime.block_on(write_group(store, jobs));
        }
    }
}

/// The head of the audit chain as the run goes.
struct ChainHead {
    seq: i64,
    hash: String,
}

fn apply_payments(
    conn: &mut Connection,
    jobs: &[Job],
) -> rusqlite::Result<Vec<crate::Result<Outcome>>> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut head = tx.query_row(
        "SELECT last_seq, last_hash FROM audit_head WHERE id = 1",
        [],
        |row| {
            Ok(ChainHead {
                seq: row.get(0)?,
                hash: row.get(1)?,
            })
        },
    )?;
    let now = time::now();
    let today = today();
    let mut results = Vec::with_capacity(jobs.len());
    for job in jobs {
        // Every refusal comes before the first write, so no savepoint is needed; a failed write
        // (which the rules should make impossible) fails the run, which is then retried on the
        // shared path, one savepoint per request.
        let (outcome, next) = match pay(&tx, job, now, &today, &head) {
            Ok(done) => done,
            Err(Refusal::Store(error)) => {
                results.push(Err(error));
                continue;
            }
            Err(Refusal::Sql(error)) => return Err(error),
        };
        if let Some(next) = next {
            head = next;
        }
        results.push(Ok(outcome));
    }
    tx.execute(
        "UPDATE audit_head SET last_seq = ?1, last_hash = ?2 WHERE id = 1",
        params![head.seq, head.hash],
    )?;
    tx.commit()?;
    Ok(results)
}

/// Why one request was not applied.
enum Refusal {
    Store(Error),
    Sql(rusqlite::Error),
}

impl From<Error> for Refusal {
    fn from(error: Error) -> Refusal {
        Refusal::Store(error)
    }
}

impl From<rusqlite::Error> for Refusal {
    fn from(error: rusqlite::Error) -> Refusal {
        Refusal::Sql(error)
    }
}

/// The allotment fields a payment needs.
struct Payable {
    id: i64,
    project_id: i64,
    code: String,
    balances: Balances,
    suspended: bool,
    suspension_reason: String,
}

/// One plain payment: the outcome and, when something was written, the new chain head.
fn pay(
    conn: &Connection,
    job: &Job,
    now: Micros,
    today: &str,
    head: &ChainHead,
) -> Result<(Outcome, Option<ChainHead>), Refusal> {
    let jurisdiction = treasury_jurisdiction(&job.actor)?;
    let request = &job.request;
    check_request(request)?;
    let TreasuryRequest::Payment {
        request_id,
        target,
        amount_fen,
        payee,
        purpose,
        paid_on,
        ..
    } = request
    else {
        return Err(Error::Internal("不是支付请求".to_owned()).into());
    };
    let digest = request.digest();
    let seen: Option<(String, String)> = conn
        .prepare_cached(
            "SELECT digest, response FROM treasury_requests \
             WHERE jurisdiction_code = ?1 AND request_id = ?2",
        )?
        .query_row(params![jurisdiction, request_id], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })
        .optional()?;
    if let Some((stored_digest, response)) = seen {
        if stored_digest != digest {
            return Err(Error::RequestConflict.into());
        }
        let receipt: Receipt =
            serde_json::from_str(&response).map_err(|e| Error::Internal(e.to_string()))?;
        return Ok((
            Outcome {
                receipt,
                replayed: true,
            },
            None,
        ));
    }

    let allotment = find_allotment(conn, &jurisdiction, target)?;
    if allotment.suspended {
        return Err(Error::AllotmentSuspended(allotment.suspension_reason).into());
    }
    let after = allotment
        .balances
        .apply(Movement::Pay(*amount_fen))
        .map_err(|e| crate::allotments::ledger_error(e, None))?;
    let payee = payee.trim();
    let purpose = purpose.trim();
    let paid_on = paid_on.clone().unwrap_or_else(|| today.to_owned());

    let id: i64 = conn
        .prepare_cached(
            "INSERT INTO payments (allotment_id, request_id, kind, amount_fen, payee, purpose, \
             paid_on, created_at) VALUES (?1, ?2, 'payment', ?3, ?4, ?5, ?6, ?7) RETURNING id",
        )?
        .query_row(
            params![
                allotment.id,
                request_id,
                amount_fen,
                payee,
                purpose,
                paid_on,
                now
            ],
            |row| row.get(0),
        )?;
    let receipt = Receipt {
        id,
        request_id: request_id.clone(),
        status: "paid".to_owned(),
        project_id: allotment.project_id,
        allotment_code: allotment.code.clone(),
        amount_fen: *amount_fen,
        payee: payee.to_owned(),
        purpose: purpose.to_owned(),
        paid_on,
        limit_fen: after.limit,
        frozen_fen: after.frozen,
        used_fen: after.used,
        available_fen: after.available(),
    };
    let response = serde_json::to_string(&receipt).map_err(|e| Error::Internal(e.to_string()))?;
    conn.prepare_cached(
        "INSERT INTO ledger_entries (allotment_id, kind, amount_fen, limit_after, frozen_after, \
         used_after, reference, reason, actor, at) \
         VALUES (?1, 'payment', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        allotment.id,
        amount_fen,
        after.limit,
        after.frozen,
        after.used,
        request_id,
        purpose,
        job.actor.name,
        now
    ])?;
    conn.prepare_cached(
        "INSERT INTO treasury_requests (jurisdiction_code, request_id, kind, digest, response, \
         created_at, payment_id) VALUES (?1, ?2, 'payment', ?3, ?4, ?5, ?6)",
    )?
    .execute(params![jurisdiction, request_id, digest, response, now, id])?;
    conn.prepare_cached("UPDATE allotments SET used_fen = ?1, updated_at = ?2 WHERE id = ?3")?
        .execute(params![after.used, now, allotment.id])?;

    // The audit record, chained to the one before.
    let details = json!({"request_id": request_id, "amount_fen": amount_fen}).to_string();
    let seq = head.seq + 1;
    let (action, entity) = ("treasury.payment", "allotment");
    let hash = chain_hash(
        seq,
        now,
        &job.actor.name,
        action,
        entity,
        &allotment.code,
        Some(&jurisdiction),
        &details,
        &head.hash,
    );
    conn.prepare_cached(
        "INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, jurisdiction_code, \
         details, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        seq,
        now,
        job.actor.name,
        action,
        entity,
        allotment.code,
        jurisdiction,
        details,
        head.hash,
        hash
    ])?;
    Ok((
        Outcome {
            receipt,
            replayed: false,
        },
        Some(ChainHead { seq, hash }),
    ))
}

/// The allotment fields a payment reads (a macro, so the queries are constant strings).
macro_rules! allotment_fields {
    () => {
        "SELECT a.id, a.project_id, a.code, a.limit_fen, a.frozen_fen, a.used_fen, a.suspended, \
         a.suspension_reason FROM allotments a"
    };
}

/// The allotment a payment names: by project id, allotment code or project code.
fn find_allotment(
    conn: &Connection,
    jurisdiction: &str,
    target: &jixiao_core::treasury::Target,
) -> Result<Payable, Refusal> {
    let read = |row: &rusqlite::Row<'_>| {
        Ok(Payable {
            id: row.get(0)?,
            project_id: row.get(1)?,
            code: row.get(2)?,
            balances: Balances {
                limit: row.get(3)?,
                frozen: row.get(4)?,
                used: row.get(5)?,
            },
            suspended: row.get(6)?,
            suspension_reason: row.get(7)?,
        })
    };
    let found = match (&target.project_id, &target.code) {
        (Some(project_id), _) => conn
            .prepare_cached(concat!(
                allotment_fields!(),
                " WHERE a.project_id = ?1 AND a.jurisdiction_code = ?2"
            ))?
            .query_row(params![project_id, jurisdiction], read)
            .optional()?,
        (None, Some(code)) => {
            let by_code = conn
                .prepare_cached(concat!(
                    allotment_fields!(),
                    " WHERE a.jurisdiction_code = ?1 AND a.code = ?2"
                ))?
                .query_row(params![jurisdiction, code], read)
                .optional()?;
            match by_code {
                Some(found) => Some(found),
                None => conn
                    .prepare_cached(concat!(
                        allotment_fields!(),
                        " JOIN projects p ON a.project_id = p.id \
                         WHERE p.jurisdiction_code = ?1 AND p.code = ?2 \
                         AND a.jurisdiction_code = ?1"
                    ))?
                    .query_row(params![jurisdiction, code], read)
                    .optional()?,
            }
        }
        (None, None) => None,
    };
    found.ok_or_else(|| crate::treasury_lookup::no_allotment(target).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answers(
        n: usize,
    ) -> (
        Answers,
        Vec<tokio::sync::oneshot::Receiver<crate::Result<Outcome>>>,
    ) {
        let mut answers = Vec::new();
        let mut receivers = Vec::new();
        for i in 0..n {
            let (reply, receiver) = tokio::sync::oneshot::channel();
            let outcome = Outcome {
                receipt: Receipt {
                    id: i64::try_from(i).unwrap_or(0),
                    ..Receipt::default()
                },
                replayed: false,
            };
            answers.push((reply, Ok(outcome)));
            receivers.push(receiver);
        }
        (answers, receivers)
    }

    #[test]
    fn answers_go_out_only_after_the_log_is_synced() {
        let dir = std::env::temp_dir().join(format!("jixiao-sync-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let wal = dir.join("db-wal");
        std::fs::write(&wal, b"frames").expect("wal");
        let (sender, receiver) = std_mpsc::channel::<Answers>();
        let (first, mut first_rx) = answers(2);
        let (second, mut second_rx) = answers(1);
        sender.send(first).expect("send");
        sender.send(second).expect("send");
        drop(sender);
        sync_loop(&wal, &receiver);
        for rx in first_rx.iter_mut().chain(second_rx.iter_mut()) {
            assert!(
                rx.try_recv().expect("answered").is_ok(),
                "synced: the outcome"
            );
        }
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn when_the_log_cannot_be_synced_nothing_is_confirmed() {
        let missing = std::env::temp_dir().join("jixiao-no-such-dir/db-wal");
        let (sender, receiver) = std_mpsc::channel::<Answers>();
        let (group, mut receivers) = answers(3);
        sender.send(group).expect("send");
        drop(sender);
        sync_loop(&missing, &receiver);
        for rx in &mut receivers {
            let answer = rx.try_recv().expect("answered");
            assert!(
                matches!(&answer, Err(Error::Internal(m)) if m.contains("相同请求编号重试")),
                "{answer:?}"
            );
        }
    }
}
