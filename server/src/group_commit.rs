//! Group commit: the decisions of concurrent requests are appended together, one transaction per
//! batch, so that many customers' messages cost one commit. A batch the log refuses (a stream in
//! it changed meanwhile) is appended again decision by decision, so that each request gets its own
//! answer and only the one that conflicted decides again.

use crate::commands::{commit, CommitError, Decided};
use crate::metrics::Metrics;
use eventlog::{EventLog, Position};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

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
        tokio::spawn(async move {
            while let Some(first) = waiting.recv().await {
                let mut batch = vec![first];
                while batch.len() < BATCH_MAX {
                    match waiting.try_recv() {
                        Ok(next) => batch.push(next),
                        Err(_) => break,
                    }
                }
                append(log.as_ref(), &metrics, batch).await;
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

async fn append(log: &dyn EventLog, metrics: &Metrics, batch: Vec<(Decided, Answer)>) {
    if batch.len() > 1 {
        let decisions = batch.iter().map(|(decided, _)| decided.clone()).collect();
        if let Ok(last) = commit(log, metrics, decisions).await {
            for (_, answer) in batch {
                let _ = answer.send(Ok(last));
            }
            return;
        }
    }
    for (decided, answer) in batch {
        let _ = answer.send(commit(log, metrics, vec![decided]).await);
    }
}
