//! Where uploaded files are parsed: on Tokio's blocking threads, never on the async workers that
//! answer everyone else, a few at a time, with a short queue behind them. A request that finds
//! the queue full is told at once that the system is busy (503) instead of waiting unseen.

use crate::error::Error;
use std::sync::Arc;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The bounded pool every file parse (and other CPU-heavy job of a request) goes through.
#[derive(Debug, Clone)]
pub struct ParseQueue {
    /// Jobs running at once.
    running: Arc<Semaphore>,
    /// Jobs running or waiting.
    admitted: Arc<Semaphore>,
}

/// A place in the queue, taken before the job is handed over.
#[derive(Debug)]
pub struct Admission {
    running: Arc<Semaphore>,
    _place: OwnedSemaphorePermit,
}

impl ParseQueue {
    /// At most `running` parses at once and `waiting` more queued behind them.
    pub fn new(running: usize, waiting: usize) -> ParseQueue {
        let running = running.max(1);
        ParseQueue {
            running: Arc::new(Semaphore::new(running)),
            admitted: Arc::new(Semaphore::new(running + waiting)),
        }
    }

    /// As many parses at once as the machine has cores (at most 4), and 16 waiting.
    pub fn for_this_machine() -> ParseQueue {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        ParseQueue::new(cores.min(4), 16)
    }

    /// A place in the queue, or [`Error::Busy`] when it is full.
    pub fn admit(&self) -> Result<Admission, Error> {
        let place = Arc::clone(&self.admitted)
            .try_acquire_owned()
            .map_err(|_| Error::Busy)?;
        Ok(Admission {
            running: Arc::clone(&self.running),
            _place: place,
        })
    }

    /// Admits and runs `job` (see [`Admission::run`]).
    pub async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Error> {
        self.admit()?.run(job).await
    }
}

impl Admission {
    /// Waits for a free runner, then runs `job` on a blocking thread.
    pub async fn run<T: Send + 'static>(
        self,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Error> {
        let _runner = self
            .running
            .acquire_owned()
            .await
            .map_err(|_| Error::Busy)?;
        tokio::task::spawn_blocking(job)
            .await
            .map_err(|e| Error::Internal(format!("parse job failed: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_job_runs_on_a_blocking_thread_not_the_callers() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        let caller = std::thread::current().id();
        let ran_on = runtime
            .block_on(ParseQueue::new(1, 0).run(|| std::thread::current().id()))
            .expect("ran");
        assert_ne!(ran_on, caller);
    }

    #[test]
    fn a_full_queue_refuses_at_once() {
        let queue = ParseQueue::new(1, 1);
        let first = queue.admit().expect("running");
        let second = queue.admit().expect("waiting");
        assert!(matches!(queue.admit(), Err(Error::Busy)));
        drop(first);
        let third = queue.admit().expect("a place freed");
        drop((second, third));
    }
}
