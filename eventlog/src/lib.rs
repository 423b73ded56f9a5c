//! The append-only event log, modelled on KurrentDB: streams with 0-based revisions, optimistic
//! concurrency on append, a global order readers can follow without ever skipping a late commit,
//! and catch-up-then-live subscriptions. It knows nothing of chats.
//!
//! Bottom up:
//! - [`record`]: what the log stores and answers (positions, revisions, events, errors).
//! - `appending`: the checks both backends make around an append.
//! - [`tail`]: the latest events, kept in memory by the process's one reader.
//! - [`log`]: the contract both backends keep (`EventLog`, `AppendTransaction`).
//! - [`subscription`]: catch-up-then-live reading of the whole log from a client-held checkpoint.
//! - [`tailed`]: a log with one reader per process, shared by its subscriptions.
//! - `postgres_insert`: how PostgreSQL appends (one `INSERT`, and why when it writes nothing).
//! - `postgres_nodes`: how PostgreSQL nodes wake each other's readers (`LISTEN/NOTIFY`).
//! - [`postgres`]: the production backend (global order by transaction id, `LISTEN/NOTIFY`).
//! - [`sqlite`]: the embedded default (one writer, WAL, `synchronous=FULL`).
//! - [`testing`]: fresh, isolated stores for tests on either backend.
//!
//! This file only names the parts and opens a log from a URL.

mod appending;
pub mod log;
pub mod postgres;
mod postgres_insert;
mod postgres_nodes;
pub mod record;
pub mod sqlite;
pub mod subscription;
pub mod tail;
pub mod tailed;
pub mod testing;

use std::sync::Arc;

pub use log::{AppendTransaction, EventLog};
pub use record::{
    AppendResult, EventLogError, ExpectedRevision, Metadata, NewEvent, Position, RecordedEvent, Result, StreamBatch,
};
pub use subscription::Subscription;
pub use tail::Tail;
pub use tailed::{tailed, tailed_keeping};

/// Follows the whole log from `after`: every event once, in order, then live.
pub fn subscribe_all(log: Arc<dyn EventLog>, after: Position) -> Subscription {
    Subscription::start(log, after)
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
