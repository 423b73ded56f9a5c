//! One reader of the log per process, shared by all its subscriptions: [`tailed`] wraps a log so
//! that one task follows it into a [`Tail`]; reads by anyone else (`read_all`, `read_stream`)
//! still go to the database, so a writer reads its own writes.

use crate::log::{AppendTransaction, EventLog};
use crate::record::{AppendResult, ExpectedRevision, NewEvent, Position, RecordedEvent, Result, StreamBatch};
use crate::subscription::Subscription;
use crate::tail::Tail;
use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

/// How many of the latest events are kept: enough for every follower of a busy process to be
/// served from memory while it works through a batch. A follower that falls further behind reads
/// the database on its own; under the bot benchmark's load (15,000 events/s) 16,384 left the
/// slower read models reading a tenth of the process's time away.
const KEPT: usize = 65_536;
const PAGE: usize = 512;

/// `log`, with one task following it for every subscription of this process, keeping the latest
/// 65,536 events.
pub async fn tailed(log: Arc<dyn EventLog>) -> Result<Arc<dyn EventLog>> {
    tailed_keeping(log, KEPT).await
}

/// `log`, with one task following it for every subscription of this process, keeping the latest
/// `keeps` events.
pub async fn tailed_keeping(log: Arc<dyn EventLog>, keeps: usize) -> Result<Arc<dyn EventLog>> {
    let tail = Arc::new(Tail::new(log.head().await?, keeps));
    let reader = tokio::spawn(read(log.clone(), tail.clone()));
    Ok(Arc::new(Tailed { log, tail, reader }))
}

/// Follows the log for ever into the tail, starting again after a failure from what it knows.
async fn read(log: Arc<dyn EventLog>, tail: Arc<Tail>) {
    loop {
        let from = tail.head();
        let mut subscription = Subscription::start(log.clone(), from);
        while let Some(batch) = subscription.next_batch(PAGE).await {
            match batch {
                Ok(batch) => tail.keep(batch),
                Err(error) => {
                    tracing::warn!(%error, "the log's reader stopped; starting again");
                    break;
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

struct Tailed {
    log: Arc<dyn EventLog>,
    tail: Arc<Tail>,
    reader: JoinHandle<()>,
}

impl Drop for Tailed {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

#[async_trait]
impl EventLog for Tailed {
    async fn begin(&self) -> Result<Box<dyn AppendTransaction + '_>> {
        self.log.begin().await
    }

    async fn append(&self, stream: &str, expected: ExpectedRevision, events: Vec<NewEvent>) -> Result<AppendResult> {
        self.log.append(stream, expected, events).await
    }

    async fn append_many(&self, batches: Vec<StreamBatch>) -> Result<Vec<AppendResult>> {
        self.log.append_many(batches).await
    }

    async fn read_stream(&self, stream: &str) -> Result<Vec<RecordedEvent>> {
        self.log.read_stream(stream).await
    }

    async fn read_streams(&self, streams: &[String]) -> Result<HashMap<String, Vec<RecordedEvent>>> {
        self.log.read_streams(streams).await
    }

    async fn read_all(&self, after: Position, limit: usize) -> Result<Vec<RecordedEvent>> {
        self.log.read_all(after, limit).await
    }

    async fn read_all_into(&self, after: Position, page: usize, pages: mpsc::Sender<Vec<RecordedEvent>>) -> Result<()> {
        self.log.read_all_into(after, page, pages).await
    }

    async fn head(&self) -> Result<Position> {
        self.log.head().await
    }

    fn commits(&self) -> watch::Receiver<u64> {
        self.log.commits()
    }

    fn backend(&self) -> &'static str {
        self.log.backend()
    }

    fn tail(&self) -> Option<Arc<Tail>> {
        Some(self.tail.clone())
    }
}
