//! Group commit: the decisions of concurrent requests are appended together, one transaction per
//! batch, so that many customers' messages cost one commit. A batch the log refuses (streams in
//! it changed meanwhile) is appended once more with each decision on its own, in one transaction:
//! each request gets its own answer, only those that conflicted decide again, and a batch costs at
//! most two transactions however many of its streams changed.

use crate::metrics::Metrics;
use crate::write::command::{commit, commit_each, CommitError, Decided};
use eventlog::{EventLog, Position};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot, Semaphore};

/// The most decisions appended in one transaction.
const BATCH_MAX: usize = 256;

type Answer = oneshot::Sender<Result<Option<Position>, CommitError>>;

#[derive(Clone)]
pub struct GroupCommit {
    requests: mpsc::Sender<(Decided, Answer)>,
}

impl GroupCommit {
    /// Starts the task that appends for everyone; it ends when the last handle is dropped.
    pub fn start(log: Arc<dyn EventLog>, metrics: Arc<Metrics>) -> Self {
        let (requests, mut waiting) = mpsc::channel::<(Decided, Answer)>(4 * BATCH_MAX);
        let in_flight = Arc::new(Semaphore::new(batches_in_flight(log.as_ref())));
        tokio::spawn(async move {
            while let Some(first) = waiting.recv().await {
                let Ok(turn) = in_flight.clone().acquire_owned().await else { return };
                let mut batch = vec![first];
                while batch.len() < BATCH_MAX {
                    match waiting.try_recv() {
                        Ok(next) => batch.push(next),
                        Err(_) => break,
                    }
                }
                let (log, metrics) = (log.clone(), metrics.clone());
                tokio::spawn(async move {
                    // One decision per stream in a transaction: a second one on the same stream was
                    // decided on the same history and goes in the next transaction, to be refused
                    // there and decided again, instead of taking the whole batch down with it.
                    while !batch.is_empty() {
                        let mut streams = std::collections::HashSet::new();
                        let (first, later): (Vec<_>, Vec<_>) =
                            batch.into_iter().partition(|(decided, _)| streams.insert(decided.stream().to_string()));
                        append(log.as_ref(), &metrics, first).await;
                        batch = later;
                    }
                    drop(turn);
                });
            }
        });
        Self { requests }
    }

    /// Appends `decided` with whatever else is waiting; answers a position at or after its last
    /// event (the batch's last), so waiting for it reads this decision's effect.
    pub async fn commit(&self, decided: Decided) -> Result<Option<Position>, CommitError> {
        let (answer, answered) = oneshot::channel();
        let gone = || CommitError::Rejected(crate::error::AppError::Internal("the group commit stopped".into()));
        self.requests.send((decided, answer)).await.map_err(|_| gone())?;
        answered.await.map_err(|_| gone())?
    }
}

/// SQLite has one writer at a time: a second batch would only wait for the first. PostgreSQL
/// writes batches side by side, and while one waits for its commit to reach the disk the next
/// forms and goes.
fn batches_in_flight(log: &dyn EventLog) -> usize {
    if log.backend() == "postgres" {
        4
    } else {
        1
    }
}

async fn append(log: &dyn EventLog, metrics: &Metrics, batch: Vec<(Decided, Answer)>) {
    let decisions = || batch.iter().map(|(decided, _)| decided.clone()).collect::<Vec<_>>();
    match commit(log, metrics, decisions()).await {
        Ok(last) => {
            for (_, answer) in batch {
                let _ = answer.send(Ok(last));
            }
            return;
        }
        Err(alone) if batch.len() == 1 => {
            if let Some((_, answer)) = batch.into_iter().next() {
                let _ = answer.send(Err(alone));
            }
            return;
        }
        // A stream that changed meanwhile decides again; the others go on together, in one
        // more transaction however many streams changed.
        Err(_) => {}
    }
    if let Ok(results) = commit_each(log, metrics, decisions()).await {
        for ((_, answer), result) in batch.into_iter().zip(results) {
            let _ = answer.send(result);
        }
        return;
    }
    for (decided, answer) in batch {
        let _ = answer.send(commit(log, metrics, vec![decided]).await);
    }
}
