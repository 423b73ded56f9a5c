//! Catch-up-then-live reading of the whole log from a client-held checkpoint.
//!
//! The reader pages through history with `read_all`, then waits for a commit tick. A tick may come
//! before the new event is visible (on PostgreSQL, an older transaction can still hold it back), so
//! after a tick that shows nothing the reader polls again with a growing pause; polling is the
//! fallback, never the only path.

use crate::log::EventLog;
use crate::record::{Position, RecordedEvent, Result};
use crate::tail::Tail;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

const PAGE: usize = 512;
const FIRST_RETRY: Duration = Duration::from_millis(2);
const LONGEST_PAUSE: Duration = Duration::from_millis(250);

pub struct Subscription {
    events: mpsc::Receiver<Result<Arc<RecordedEvent>>>,
    task: JoinHandle<()>,
}

impl Subscription {
    pub(crate) fn start(log: Arc<dyn EventLog>, after: Position) -> Self {
        let (sender, events) = mpsc::channel(PAGE * 2);
        let task = match log.tail() {
            Some(tail) => tokio::spawn(follow_tail(log, tail, after, sender)),
            None => tokio::spawn(follow(log, after, sender)),
        };
        Self { events, task }
    }

    /// The next event; `None` only if the subscription has stopped after reporting an error.
    pub async fn next(&mut self) -> Option<Result<Arc<RecordedEvent>>> {
        self.events.recv().await
    }

    /// Every event available right now, waiting for at least one, up to `max`.
    pub async fn next_batch(&mut self, max: usize) -> Option<Result<Vec<Arc<RecordedEvent>>>> {
        let first = match self.events.recv().await? {
            Ok(event) => event,
            Err(error) => return Some(Err(error)),
        };
        let mut batch = vec![first];
        while batch.len() < max {
            match self.events.try_recv() {
                Ok(Ok(event)) => batch.push(event),
                Ok(Err(error)) => return Some(Err(error)),
                Err(_) => break,
            }
        }
        Some(Ok(batch))
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Reads what the process's tail keeps, and the database only for what is older than that.
async fn follow_tail(
    log: Arc<dyn EventLog>,
    tail: Arc<Tail>,
    mut checkpoint: Position,
    sender: mpsc::Sender<Result<Arc<RecordedEvent>>>,
) {
    let mut learnt = tail.learnt();
    loop {
        learnt.borrow_and_update();
        let page = match tail.after(checkpoint, PAGE) {
            Some(page) => page,
            None => match log.read_all(checkpoint, PAGE).await {
                Ok(page) => page.into_iter().map(Arc::new).collect(),
                Err(error) => {
                    let _ = sender.send(Err(error)).await;
                    return;
                }
            },
        };
        if page.is_empty() {
            if learnt.changed().await.is_err() {
                return;
            }
            continue;
        }
        for event in page {
            checkpoint = event.position;
            if sender.send(Ok(event)).await.is_err() {
                return;
            }
        }
    }
}

async fn follow(log: Arc<dyn EventLog>, mut checkpoint: Position, sender: mpsc::Sender<Result<Arc<RecordedEvent>>>) {
    let mut commits = log.commits();
    let mut pause = LONGEST_PAUSE;
    loop {
        commits.borrow_and_update();
        let page = match log.read_all(checkpoint, PAGE).await {
            Ok(page) => page,
            Err(error) => {
                let _ = sender.send(Err(error)).await;
                return;
            }
        };
        let full = page.len() == PAGE;
        let found = !page.is_empty();
        for event in page {
            checkpoint = event.position;
            if sender.send(Ok(Arc::new(event))).await.is_err() {
                return;
            }
        }
        if full {
            continue;
        }
        if found {
            pause = LONGEST_PAUSE;
        }
        tokio::select! {
            changed = commits.changed() => {
                if changed.is_err() {
                    return;
                }
                pause = FIRST_RETRY;
            }
            _ = tokio::time::sleep(pause) => {
                pause = (pause * 2).min(LONGEST_PAUSE);
            }
        }
    }
}
