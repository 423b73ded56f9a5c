//! The event log's contract, which both backends keep: append (one stream or several in one
//! transaction), read, follow.

use crate::record::{AppendResult, ExpectedRevision, NewEvent, Position, RecordedEvent, Result, StreamBatch};
use crate::tail::Tail;
use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::{mpsc, watch};

/// Appends that commit together: several streams, one atomic outcome.
#[async_trait]
pub trait AppendTransaction: Send {
    async fn append(&mut self, stream: &str, expected: ExpectedRevision, events: Vec<NewEvent>)
        -> Result<AppendResult>;
    /// Appends to several streams in order, with the outcome `append` would have one after the
    /// other, in as few round trips as the backend allows. Stops at the first failure.
    async fn append_many(&mut self, batches: Vec<StreamBatch>) -> Result<Vec<AppendResult>>;
    /// Appends to several streams each on its own: a batch the log refuses (its expectation, its
    /// ids) leaves nothing and does not stop the others, which commit together. The outer error
    /// is the database's, and then nothing of the transaction stands.
    async fn append_each(&mut self, batches: Vec<StreamBatch>) -> Result<Vec<Result<AppendResult>>>;
    async fn commit(self: Box<Self>) -> Result<()>;
    async fn rollback(self: Box<Self>) -> Result<()>;
}

/// The event log: append, read, follow.
#[async_trait]
pub trait EventLog: Send + Sync + 'static {
    /// Starts a transaction that may append to several streams.
    async fn begin(&self) -> Result<Box<dyn AppendTransaction + '_>>;

    /// Appends a batch to one stream atomically, checking `expected` first.
    async fn append(&self, stream: &str, expected: ExpectedRevision, events: Vec<NewEvent>) -> Result<AppendResult> {
        let mut transaction = self.begin().await?;
        let result = transaction.append(stream, expected, events).await?;
        transaction.commit().await?;
        Ok(result)
    }

    /// Appends to several streams atomically, with the outcome `AppendTransaction::append_many`
    /// would have in a transaction of their own.
    async fn append_many(&self, batches: Vec<StreamBatch>) -> Result<Vec<AppendResult>> {
        let mut transaction = self.begin().await?;
        let results = transaction.append_many(batches).await?;
        transaction.commit().await?;
        Ok(results)
    }

    /// Every event of a stream, from revision 0.
    async fn read_stream(&self, stream: &str) -> Result<Vec<RecordedEvent>>;

    /// Every event of each of several streams, in one read: each stream asked for is a key,
    /// with no events when it has none.
    async fn read_streams(&self, streams: &[String]) -> Result<HashMap<String, Vec<RecordedEvent>>>;

    /// Up to `limit` events after `after` in the global order.
    async fn read_all(&self, after: Position, limit: usize) -> Result<Vec<RecordedEvent>>;

    /// Every event after `after` a reader can see now, in the global order, handed on `page` at a
    /// time to `pages` (the read waits while it is full: it keeps ahead of its reader by what
    /// `pages` holds): on PostgreSQL one query whose rows are decoded as they arrive, on SQLite a
    /// query a page. Ends once the last page is handed on, or, without error, as soon as `pages`
    /// is dropped.
    async fn read_all_into(&self, after: Position, page: usize, pages: mpsc::Sender<Vec<RecordedEvent>>) -> Result<()>;

    /// The position of the last event a reader can see now (`Position::START` when empty).
    async fn head(&self) -> Result<Position>;

    /// Ticks after every commit that may have made new events visible (in this process and, on
    /// PostgreSQL, on other nodes).
    fn commits(&self) -> watch::Receiver<u64>;

    /// Which backend this is, for health reports.
    fn backend(&self) -> &'static str;

    /// The process's shared reader of this log, which subscriptions read from when it has one.
    fn tail(&self) -> Option<Arc<Tail>> {
        None
    }
}

/// What `read_streams` answers, from the events read in stream order: every stream asked for,
/// with its events or none.
pub(crate) fn by_stream(
    streams: &[String],
    events: impl Iterator<Item = Result<RecordedEvent>>,
) -> Result<HashMap<String, Vec<RecordedEvent>>> {
    let mut read: HashMap<String, Vec<RecordedEvent>> = streams.iter().map(|s| (s.clone(), Vec::new())).collect();
    for event in events {
        let event = event?;
        read.entry(event.stream.clone()).or_default().push(event);
    }
    Ok(read)
}

/// One tick of [`EventLog::commits`].
pub(crate) fn tick(commits: &watch::Sender<u64>) {
    commits.send_modify(|n| *n = n.wrapping_add(1));
}
