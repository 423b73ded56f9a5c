//! The append-only event log, modelled on KurrentDB: streams with 0-based revisions, optimistic
//! concurrency on append, a global order readers can follow without ever skipping a late commit,
//! and catch-up-then-live subscriptions. It knows nothing of chats.
//!
//! - [`postgres`]: the production backend (global order by transaction id, `LISTEN/NOTIFY`).
//! - [`sqlite`]: the embedded default (one writer, WAL, `synchronous=FULL`).
//! - [`subscription`]: catch-up-then-live reading of the whole log from a client-held checkpoint.
//! - [`tail`]: one reader of the log per process, shared by its subscriptions.
//! - [`testing`]: fresh, isolated stores for tests on either backend.

pub mod postgres;
pub mod sqlite;
pub mod subscription;
pub mod tail;
pub mod testing;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;
use std::sync::Arc;
use tokio::sync::watch;
use uuid::Uuid;

pub use subscription::Subscription;
pub use tail::{tailed, tailed_keeping, Tail};

/// A place in the global order. PostgreSQL orders by the writing transaction's id, then by the
/// row's sequence; SQLite has one writer at a time and uses the sequence alone (transaction 0).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Position {
    pub transaction: i64,
    pub sequence: i64,
}

impl Position {
    /// Before every event.
    pub const START: Position = Position { transaction: 0, sequence: 0 };
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.transaction, self.sequence)
    }
}

/// What the writer believes about the stream it appends to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExpectedRevision {
    /// No check at all.
    Any,
    /// The stream must not exist yet.
    NoStream,
    /// The stream must have at least one event.
    StreamExists,
    /// The stream's last event must have exactly this revision.
    Exact(u64),
}

impl ExpectedRevision {
    /// Whether a stream whose last revision is `actual` (`None`: no stream) meets this expectation.
    pub fn admits(&self, actual: Option<u64>) -> bool {
        match self {
            ExpectedRevision::Any => true,
            ExpectedRevision::NoStream => actual.is_none(),
            ExpectedRevision::StreamExists => actual.is_some(),
            ExpectedRevision::Exact(n) => actual == Some(*n),
        }
    }
}

impl fmt::Display for ExpectedRevision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExpectedRevision::Any => f.write_str("any"),
            ExpectedRevision::NoStream => f.write_str("no stream"),
            ExpectedRevision::StreamExists => f.write_str("stream exists"),
            ExpectedRevision::Exact(n) => write!(f, "revision {n}"),
        }
    }
}

/// Who, when, for which company and why: stored with every event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Metadata {
    pub occurred_at: DateTime<Utc>,
    pub company_id: Uuid,
    /// `agent:<id>`, `customer:<id>`, `supervisor:<id>`, `bot` or `system`.
    pub actor: String,
    pub correlation_id: Uuid,
    pub causation_id: Option<Uuid>,
    pub schema_version: u32,
}

/// An event to append.
#[derive(Clone, Debug, PartialEq)]
pub struct NewEvent {
    pub event_id: Uuid,
    pub event_type: String,
    pub data: Value,
    pub metadata: Metadata,
}

/// An event as the log holds it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecordedEvent {
    pub event_id: Uuid,
    pub stream: String,
    pub revision: u64,
    pub position: Position,
    pub event_type: String,
    pub data: Value,
    pub metadata: Metadata,
    pub recorded_at: DateTime<Utc>,
}

/// Where a stream stands after an append.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AppendResult {
    /// The revision of the stream's last event, to pass as `Exact` next time; `None`: no stream.
    pub next_expected_revision: Option<u64>,
    /// The position of the last event appended; `None` when nothing was appended.
    pub position: Option<Position>,
}

#[derive(Debug, thiserror::Error)]
pub enum EventLogError {
    #[error("wrong expected revision on `{stream}`: expected {expected}, actual {}", describe_revision(.actual))]
    WrongExpectedRevision { stream: String, expected: ExpectedRevision, actual: Option<u64> },
    #[error("event {event_id} is already stored in stream `{stored_in}`")]
    DuplicateEventId { event_id: Uuid, stored_in: String },
    #[error("invalid batch: {0}")]
    InvalidBatch(String),
    #[error("invalid configuration: {0}")]
    Configuration(String),
    #[error("the stored log is inconsistent: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration error: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
}

fn describe_revision(actual: &Option<u64>) -> String {
    match actual {
        Some(n) => format!("revision {n}"),
        None => "no stream".into(),
    }
}

pub type Result<T, E = EventLogError> = std::result::Result<T, E>;

/// Appends that commit together: several streams, one atomic outcome.
#[async_trait]
pub trait AppendTransaction: Send {
    async fn append(&mut self, stream: &str, expected: ExpectedRevision, events: Vec<NewEvent>)
        -> Result<AppendResult>;
    /// Appends to several streams in order, with the outcome `append` would have one after the
    /// other, in as few round trips as the backend allows. Stops at the first failure.
    async fn append_many(&mut self, batches: Vec<StreamBatch>) -> Result<Vec<AppendResult>>;
    async fn commit(self: Box<Self>) -> Result<()>;
    async fn rollback(self: Box<Self>) -> Result<()>;
}

/// One stream's part of a multi-stream append.
#[derive(Clone, Debug)]
pub struct StreamBatch {
    pub stream: String,
    pub expected: ExpectedRevision,
    pub events: Vec<NewEvent>,
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

    /// Every event of a stream, from revision 0.
    async fn read_stream(&self, stream: &str) -> Result<Vec<RecordedEvent>>;

    /// Up to `limit` events after `after` in the global order.
    async fn read_all(&self, after: Position, limit: usize) -> Result<Vec<RecordedEvent>>;

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

/// Follows the whole log from `after`: every event once, in order, then live.
pub fn subscribe_all(log: Arc<dyn EventLog>, after: Position) -> Subscription {
    Subscription::start(log, after)
}

/// Checks a batch before it reaches the database: every event id must be distinct.
fn check_batch(events: &[NewEvent]) -> Result<()> {
    let mut ids: Vec<Uuid> = events.iter().map(|e| e.event_id).collect();
    ids.sort_unstable();
    if ids.windows(2).any(|pair| pair[0] == pair[1]) {
        return Err(EventLogError::InvalidBatch("the same event id appears twice in one batch".into()));
    }
    Ok(())
}

/// Compares a batch with the events already stored under its ids, for idempotent retries:
/// the same ids, in the same order, consecutively in the same stream, are the first result again.
fn idempotent_result(
    stream: &str,
    events: &[NewEvent],
    stored: &[(Uuid, String, u64, Position)],
) -> Result<AppendResult> {
    if let Some((event_id, other, _, _)) = stored.iter().find(|(_, s, _, _)| s != stream) {
        return Err(EventLogError::DuplicateEventId { event_id: *event_id, stored_in: other.clone() });
    }
    let mut by_revision = stored.to_vec();
    by_revision.sort_by_key(|(_, _, revision, _)| *revision);
    let same_batch = by_revision.len() == events.len()
        && by_revision.iter().zip(events).all(|((id, _, _, _), event)| *id == event.event_id)
        && by_revision.windows(2).all(|pair| pair[1].2 == pair[0].2 + 1);
    match by_revision.last() {
        Some((_, _, revision, position)) if same_batch => {
            Ok(AppendResult { next_expected_revision: Some(*revision), position: Some(*position) })
        }
        _ => Err(EventLogError::DuplicateEventId { event_id: by_revision[0].0, stored_in: stream.to_string() }),
    }
}

fn revision_to_db(revision: u64) -> Result<i64> {
    i64::try_from(revision).map_err(|_| EventLogError::InvalidBatch(format!("revision {revision} is out of range")))
}

fn revision_from_db(revision: i64) -> Result<u64> {
    u64::try_from(revision).map_err(|_| EventLogError::Corrupt(format!("negative revision {revision}")))
}

fn limit_to_db(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

/// Opens the log a database URL names: `sqlite:` or `postgres:`.
pub async fn open(url: &str) -> Result<Arc<dyn EventLog>> {
    if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        Ok(Arc::new(postgres::PostgresLog::connect(url, 16).await?))
    } else if url.starts_with("sqlite:") {
        Ok(Arc::new(sqlite::SqliteLog::connect(url).await?))
    } else {
        Err(EventLogError::Configuration(format!("unsupported database URL `{url}`: use sqlite: or postgres:")))
    }
}
