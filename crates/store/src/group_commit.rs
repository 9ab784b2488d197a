//! Group commit for treasury requests: writers take whatever requests are waiting, apply them in
//! one transaction (each under a savepoint, so one refusal undoes nothing else), commit, and only
//! then answer every caller. Many requests share one durable commit; none is acknowledged before
//! its commit is on disk.

use crate::treasury::{Outcome, treasury_jurisdiction};
use crate::treasury_runs::apply_each;
use crate::{Error, Result, Store};
use jixiao_core::Actor;
use jixiao_core::treasury::TreasuryRequest;
use tokio::sync::{mpsc, oneshot};

/// One request waiting for its commit, and where its answer goes.
pub(crate) struct Job {
    pub(crate) actor: Actor,
    pub(crate) request: TreasuryRequest,
    pub(crate) reply: oneshot::Sender<Result<Outcome>>,
}

/// The front door of the group-commit writers. Cheap to clone.
#[derive(Clone, Debug)]
pub struct GroupCommitter {
    sender: Queue,
    stats: std::sync::Arc<Stats>,
}

/// Commits made and requests they carried, since start.
#[derive(Debug, Default)]
pub(crate) struct Stats {
    commits: std::sync::atomic::AtomicU64,
    requests: std::sync::atomic::AtomicU64,
}

impl Stats {
    /// Counts one group of `requests`.
    pub(crate) fn count(&self, requests: usize) {
        use std::sync::atomic::Ordering::Relaxed;
        self.commits.fetch_add(1, Relaxed);
        self.requests.fetch_add(requests as u64, Relaxed);
    }
}

/// Where requests wait: writer tasks on the pool read a Tokio channel; the SQLite writer thread
/// reads a standard channel (it can wait for stragglers with a timeout in microseconds).
#[derive(Clone, Debug)]
enum Queue {
    Tasks(mpsc::Sender<Job>),
    Thread(std::sync::mpsc::Sender<Job>),
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.request.request_id())
    }
}

impl GroupCommitter {
    /// Starts the writers, each taking up to `max_batch` requests per transaction: on a SQLite
    /// file, one writer thread with its own connection (SQLite has one writer at a time anyway);
    /// otherwise `writers` writer tasks on the pool (PostgreSQL gains from a few). Must be called
    /// within a Tokio runtime.
    pub fn start(store: Store, writers: usize, max_batch: usize) -> GroupCommitter {
        let stats = std::sync::Arc::new(Stats::default());
        if let Some(path) = store.sqlite_file.clone() {
            match crate::sqlite_payments::open(&path) {
                Ok(conn) => {
                    let (sender, receiver) = std::sync::mpsc::channel::<Job>();
                    // Should the thread not start, requests are refused as the queue is closed.
                    if let Err(e) = crate::sqlite_payments::start(
                        store.clone(),
                        &path,
                        conn,
                        receiver,
                        max_batch,
                        stats.clone(),
                    ) {
                        tracing::error!("cannot start the payment writer thread: {e}");
                    }
                    return GroupCommitter {
                        sender: Queue::Thread(sender),
                        stats,
                    };
                }
                Err(e) => tracing::warn!("SQLite payment writer unavailable, using the pool: {e}"),
            }
        }
        let (sender, receiver) = mpsc::channel::<Job>(max_batch.max(1) * 4);
        let committer = GroupCommitter {
            sender: Queue::Tasks(sender),
            stats: stats.clone(),
        };
        let receiver = std::sync::Arc::new(tokio::sync::Mutex::new(receiver));
        for _ in 0..writers.max(1) {
            let (store, receiver, stats) = (store.clone(), receiver.clone(), stats.clone());
            tokio::spawn(async move {
                loop {
                    let mut jobs = Vec::new();
                    {
                        let mut receiver = receiver.lock().await;
                        match receiver.recv().await {
                            Some(job) => jobs.push(job),
                            None => return,
                        }
                        while jobs.len() < max_batch {
                            match receiver.try_recv() {
                                Ok(job) => jobs.push(job),
                                Err(_) => break,
                            }
                        }
                    }
                    stats.count(jobs.len());
                    write_group(&store, jobs).await;
                }
            });
        }
        committer
    }

    /// The writers a server runs on `backend`: one on SQLite (one writer at a time anyway);
    /// two on PostgreSQL — each group ends waiting for the audit chain's head, so more writers
    /// only split the waiting requests into smaller groups (`bench payments`, 32 clients, 1, 2,
    /// 3, 4 and 8 writers: 5,955, 5,543, 5,108, 4,300 and 2,594 a second), and two keep one
    /// group's commit beside the next group's work.
    pub fn writers_for(backend: crate::Backend) -> usize {
        match backend {
            crate::Backend::Sqlite => 1,
            crate::Backend::Postgres => 2,
        }
    }

    /// Commits made and requests carried so far.
    pub fn counts(&self) -> (u64, u64) {
        use std::sync::atomic::Ordering::Relaxed;
        (
            self.stats.commits.load(Relaxed),
            self.stats.requests.load(Relaxed),
        )
    }

    /// Applies one request with others waiting at the same time; answers after the commit.
    pub async fn submit(&self, actor: &Actor, request: TreasuryRequest) -> Result<Outcome> {
        treasury_jurisdiction(actor)?;
        let (reply, answer) = oneshot::channel();
        let job = Job {
            actor: actor.clone(),
            request,
            reply,
        };
        let sent = match &self.sender {
            Queue::Tasks(sender) => sender.send(job).await.is_ok(),
            Queue::Thread(sender) => sender.send(job).is_ok(),
        };
        if !sent {
            return Err(Error::Internal("支付写入队列已关闭".to_owned()));
        }
        answer
            .await
            .map_err(|_| Error::Internal("支付写入中断".to_owned()))?
    }
}

/// Applies `jobs` on the pool in one transaction and answers each caller after the commit.
pub(crate) async fn write_group(store: &Store, jobs: Vec<Job>) {
    let results = apply_group(store, &jobs).await;
    match results {
        Ok(results) => {
            for (job, result) in jobs.into_iter().zip(results) {
                let result = match result {
                    // Another writer took the same request id at the same moment (or the two
                    // deadlocked): applied again on its own, the request gets its true answer —
                    // a replay of what the other stored, or its own outcome.
                    Err(error) if crate::treasury_runs::is_contention(&error) => {
                        store.treasury(&job.actor, &job.request).await
                    }
                    other => other,
                };
                let _ = job.reply.send(result);
            }
        }
        // The whole group clashed with another transaction (a deadlock or serialization failure
        // outside any one request's savepoint, or at commit): nothing of it was kept, and each
        // request is applied on its own for its true answer.
        Err(error) if crate::treasury_runs::is_contention(&error) => {
            tracing::warn!("payment group clashed ({error}); applying request by request");
            for job in jobs {
                let result = store.treasury(&job.actor, &job.request).await;
                let _ = job.reply.send(result);
            }
        }
        Err(error) => {
            let message = error.to_string();
            for job in jobs {
                let _ = job.reply.send(Err(Error::Internal(message.clone())));
            }
        }
    }
}

async fn apply_group(store: &Store, jobs: &[Job]) -> Result<Vec<Result<Outcome>>> {
    let mut tx = store.begin().await?;
    // Requests are applied per run of the same sender, in arrival order.
    let mut results = Vec::with_capacity(jobs.len());
    let mut start = 0;
    while start < jobs.len() {
        let actor = &jobs[start].actor;
        let end = jobs[start..]
            .iter()
            .position(|j| j.actor != *actor)
            .map_or(jobs.len(), |n| start + n);
        let requests: Vec<TreasuryRequest> =
            jobs[start..end].iter().map(|j| j.request.clone()).collect();
        match treasury_jurisdiction(actor) {
            Ok(jurisdiction) => {
                results.extend(apply_each(&mut tx, actor, &jurisdiction, &requests).await?)
            }
            Err(_) => results.extend(requests.iter().map(|_| Err(Error::Forbidden))),
        }
        start = end;
    }
    tx.commit().await?;
    Ok(results)
}
