//! Each read model, given these events, shows these rows — on SQLite and on PostgreSQL. The events
//! go through the real log and the projection's runner, as in production.

mod agent_board;
mod chat_board;
mod contacts;
mod internal_chats;
mod lines;
mod people;
mod queue_list;
mod reports;
mod templates;

use chrono::{DateTime, Duration, Utc};
use domain::event::{encode, DomainEvent};
use domain::ids::CompanyId;
use eventlog::testing::{fresh_database, settled, Backend, TestDatabase};
use eventlog::{ExpectedRevision, Metadata, NewEvent, Position};
use projections::{Projection, ProjectionRunner, ReadStore};
use std::sync::Arc;
use uuid::Uuid;

/// A moment, `seconds` after noon on 2 December 2026.
pub fn at(seconds: i64) -> DateTime<Utc> {
    "2026-12-02T12:00:00Z".parse::<DateTime<Utc>>().expect("a time") + Duration::seconds(seconds)
}

pub fn company() -> CompanyId {
    CompanyId::from_uuid(Uuid::from_u128(1))
}

/// The events a test gives, each with its stream, in the order they happened.
#[derive(Clone, Default)]
pub struct History {
    events: Vec<(String, NewEvent)>,
}

impl History {
    pub fn new() -> Self {
        Self::default()
    }

    /// `event`, on `stream`, recorded for the test's company one second after the one before.
    pub fn then(mut self, stream: impl Into<String>, event: &impl DomainEvent) -> Self {
        let (event_type, data) = encode(event).expect("the event encodes");
        let metadata = Metadata {
            occurred_at: at(self.events.len() as i64),
            company_id: company().as_uuid(),
            actor: "system".into(),
            correlation_id: Uuid::now_v7(),
            causation_id: None,
            schema_version: 1,
        };
        self.events.push((stream.into(), NewEvent { event_id: Uuid::now_v7(), event_type, data, metadata }));
        self
    }
}

/// A read store holding what a projection made of a history.
pub struct Folded {
    pub store: ReadStore,
    _database: TestDatabase,
}

/// Appends `history` to a fresh log on `backend` and folds it into `projection`, all of it.
pub async fn folded(backend: Backend, projection: impl Projection + 'static, history: History) -> Folded {
    folded_with(backend, projection, history, |runner| runner).await
}

/// The same, `batch_size` events a transaction.
pub async fn folded_in_batches(
    backend: Backend,
    projection: impl Projection + 'static,
    history: History,
    batch_size: usize,
) -> Folded {
    folded_with(backend, projection, history, |runner| runner.with_batch_size(batch_size)).await
}

async fn folded_with(
    backend: Backend,
    projection: impl Projection + 'static,
    history: History,
    runner_as: impl FnOnce(ProjectionRunner) -> ProjectionRunner,
) -> Folded {
    let database = fresh_database(backend).await;
    let log = eventlog::open(&database.url).await.expect("the log opens");
    let mut end = Position::START;
    for (stream, event) in history.events {
        let appended = log.append(&stream, ExpectedRevision::Any, vec![event]).await.expect("the event is appended");
        end = appended.position.expect("one event appended");
    }
    settled(log.as_ref(), end).await;
    let store = ReadStore::connect(&database.url).await.expect("the store opens");
    let runner = runner_as(ProjectionRunner::new(store.clone(), log, Arc::new(projection)));
    runner.prepare().await.expect("the tables are made");
    runner.catch_up().await.expect("the projection folds the history");
    assert_eq!(runner.checkpoint().await.expect("a checkpoint"), end, "folded the whole history");
    Folded { store, _database: database }
}
