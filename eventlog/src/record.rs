//! What the log stores and answers: positions in the global order, expected revisions, events as
//! written and as read, where an append leaves a stream, and what can go wrong.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;
use uuid::Uuid;

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

impl EventLogError {
    /// Whether the log refused this batch for what it holds (its expectation, its ids), rather
    /// than failed: the same transaction's other batches may still be appended.
    pub fn is_refusal(&self) -> bool {
        matches!(self, Self::WrongExpectedRevision { .. } | Self::DuplicateEventId { .. } | Self::InvalidBatch(_))
    }
}

fn describe_revision(actual: &Option<u64>) -> String {
    match actual {
        Some(n) => format!("revision {n}"),
        None => "no stream".into(),
    }
}

pub type Result<T, E = EventLogError> = std::result::Result<T, E>;

/// One stream's part of a multi-stream append.
#[derive(Clone, Debug)]
pub struct StreamBatch {
    pub stream: String,
    pub expected: ExpectedRevision,
    pub events: Vec<NewEvent>,
}
