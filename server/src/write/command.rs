//! Command handling: load a stream, fold it, decide, and append what was decided with the stream's
//! revision as the expectation; when another writer got there first, decide again.

use crate::error::AppError;
use crate::metrics::Metrics;
use chrono::{DateTime, Utc};
use domain::decider::Decider;
use domain::event::{decode, encode, DomainEvent};
use eventlog::{EventLog, EventLogError, ExpectedRevision, Metadata, NewEvent, Position, StreamBatch};
use std::future::Future;
use uuid::Uuid;

/// Who asks, for which company, when, and as part of what.
#[derive(Clone, Debug)]
pub struct CommandContext {
    pub company_id: Uuid,
    pub actor: String,
    pub correlation_id: Uuid,
    pub causation_id: Option<Uuid>,
    pub now: DateTime<Utc>,
}

impl CommandContext {
    /// A fresh correlation, no cause: what a command starts with when nothing caused it.
    pub fn new(company_id: Uuid, actor: impl Into<String>, now: DateTime<Utc>) -> Self {
        Self { company_id, actor: actor.into(), correlation_id: Uuid::now_v7(), causation_id: None, now }
    }

    /// The system itself acting for a company (process managers, timers, start-up).
    pub fn system(company: domain::ids::CompanyId, now: DateTime<Utc>) -> Self {
        Self::new(company.as_uuid(), domain::actor::Actor::System.to_string(), now)
    }

    fn metadata(&self, schema_version: u32) -> Metadata {
        Metadata {
            occurred_at: self.now,
            company_id: self.company_id,
            actor: self.actor.clone(),
            correlation_id: self.correlation_id,
            causation_id: self.causation_id,
            schema_version,
        }
    }
}

/// Events decided for one stream, not yet appended.
#[derive(Clone)]
pub struct Decided {
    stream: String,
    expected: ExpectedRevision,
    events: Vec<NewEvent>,
}

/// The state a stream's history leaves, and the revision to expect when appending after it.
pub async fn load<D>(log: &dyn EventLog, stream: &str) -> Result<(D::State, ExpectedRevision), AppError>
where
    D: Decider,
    D::Event: DomainEvent,
    AppError: From<D::Rejection>,
{
    folded::<D>(&log.read_stream(stream).await?)
}

/// The state a history already read leaves, and the revision to expect when appending after it.
pub fn folded<D>(history: &[eventlog::RecordedEvent]) -> Result<(D::State, ExpectedRevision), AppError>
where
    D: Decider,
    D::Event: DomainEvent,
{
    let expected = history.last().map_or(ExpectedRevision::NoStream, |last| ExpectedRevision::Exact(last.revision));
    let events = history
        .iter()
        .map(|recorded| decode::<D::Event>(&recorded.event_type, recorded.metadata.schema_version, &recorded.data))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((D::fold(events.iter()), expected))
}

/// Decides one command on one stream and appends what it decided, deciding again after a
/// conflict; answers where the last event went, if any.
pub async fn decide_and_append<D>(
    log: &dyn EventLog,
    metrics: &Metrics,
    context: &CommandContext,
    stream: &str,
    command: &D::Command,
) -> Result<Option<Position>, AppError>
where
    D: Decider,
    D::Event: DomainEvent,
    AppError: From<D::Rejection>,
{
    with_retry(metrics, || async {
        let decided = decide::<D>(log, context, stream, command).await?;
        commit(log, metrics, vec![decided]).await
    })
    .await
}

/// Loads `stream`, folds it and decides `command`; a rejection becomes the `AppError` that
/// `crate::error` decides for it.
pub async fn decide<D>(
    log: &dyn EventLog,
    context: &CommandContext,
    stream: &str,
    command: &D::Command,
) -> Result<Decided, AppError>
where
    D: Decider,
    D::Event: DomainEvent,
    AppError: From<D::Rejection>,
{
    decide_on::<D>(&log.read_stream(stream).await?, context, stream, command)
}

/// Decides one command on a stream whose history was already read.
pub fn decide_on<D>(
    history: &[eventlog::RecordedEvent],
    context: &CommandContext,
    stream: &str,
    command: &D::Command,
) -> Result<Decided, AppError>
where
    D: Decider,
    D::Event: DomainEvent,
    AppError: From<D::Rejection>,
{
    let (state, expected) = folded::<D>(history)?;
    let decided = D::decide(&state, command)?;
    Decided::new(context, stream, expected, &decided)
}

impl Decided {
    /// Events decided on a state the caller already holds, to append after `expected`.
    pub fn new<E: DomainEvent>(
        context: &CommandContext,
        stream: &str,
        expected: ExpectedRevision,
        decided: &[E],
    ) -> Result<Self, AppError> {
        let events = decided
            .iter()
            .map(|event| {
                let (event_type, data) = encode(event)?;
                let mut metadata = context.metadata(E::SCHEMA_VERSION);
                if let Some(actor) = event.actor() {
                    metadata.actor = actor.to_string();
                }
                Ok(NewEvent { event_id: Uuid::now_v7(), event_type, data, metadata })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        Ok(Decided { stream: stream.to_string(), expected, events })
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    pub fn stream(&self) -> &str {
        &self.stream
    }

    pub fn events(&self) -> &[NewEvent] {
        &self.events
    }

    /// What to expect of the stream once these events are appended.
    pub fn expected_after(&self) -> ExpectedRevision {
        match (self.first_revision(), self.events.len() as u64) {
            (_, 0) | (None, _) => self.expected,
            (Some(first), n) => ExpectedRevision::Exact(first + n - 1),
        }
    }

    /// The revision the first event gets once appended, when the expectation fixes it.
    pub fn first_revision(&self) -> Option<u64> {
        match self.expected {
            ExpectedRevision::NoStream => Some(0),
            ExpectedRevision::Exact(revision) => Some(revision + 1),
            ExpectedRevision::Any | ExpectedRevision::StreamExists => None,
        }
    }
}

/// Appends decisions on several streams atomically; answers the position of the last event
/// appended (`None` when the decisions held no events).
pub async fn commit(
    log: &dyn EventLog,
    metrics: &Metrics,
    decisions: Vec<Decided>,
) -> Result<Option<Position>, CommitError> {
    let count: usize = decisions.iter().map(|d| d.events.len()).sum();
    let batches = decisions.into_iter().map(StreamBatch::from).collect();
    // The log spares the transaction where it can: on PostgreSQL one statement, one round trip.
    let last = log.append_many(batches).await?.iter().rev().find_map(|appended| appended.position);
    metrics.events_appended(count);
    Ok(last)
}

impl From<Decided> for StreamBatch {
    fn from(decided: Decided) -> Self {
        StreamBatch { stream: decided.stream, expected: decided.expected, events: decided.events }
    }
}

/// Appends decisions each on its own in one transaction: those the log refuses (another writer
/// changed their stream meanwhile) leave nothing, the others commit together. Answers, for each,
/// the position of its last event or its refusal.
pub async fn commit_each(
    log: &dyn EventLog,
    metrics: &Metrics,
    decisions: Vec<Decided>,
) -> Result<Vec<Result<Option<Position>, CommitError>>, CommitError> {
    let mut transaction = log.begin().await?;
    let batches: Vec<StreamBatch> = decisions.into_iter().map(StreamBatch::from).collect();
    let counts: Vec<usize> = batches.iter().map(|b| b.events.len()).collect();
    let results = transaction.append_each(batches).await?;
    transaction.commit().await?;
    metrics.events_appended(counts.iter().zip(&results).filter(|(_, r)| r.is_ok()).map(|(n, _)| n).sum());
    Ok(results.into_iter().map(|result| result.map(|appended| appended.position).map_err(CommitError::from)).collect())
}

#[derive(Debug, thiserror::Error)]
pub enum CommitError {
    #[error(transparent)]
    Log(#[from] EventLogError),
    #[error(transparent)]
    Rejected(#[from] AppError),
}

const ATTEMPTS: usize = 8;

/// Runs `attempt` (decide, then commit) again when another writer changed a stream in between.
pub async fn with_retry<T, F, Fut>(metrics: &Metrics, mut attempt: F) -> Result<T, AppError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, CommitError>>,
{
    for tried in 0..ATTEMPTS {
        match attempt().await {
            Ok(value) => return Ok(value),
            Err(CommitError::Log(EventLogError::WrongExpectedRevision { .. })) => {
                metrics.append_conflict();
                // Writers that keep colliding on a busy stream go again at different moments:
                // a wait that doubles (1, 2, 4… ms) plus a random part of it.
                let base = 1u64 << tried.min(5);
                let jitter = u64::from(uuid::Uuid::now_v7().as_bytes()[15]) % base;
                tokio::time::sleep(std::time::Duration::from_millis(base + jitter)).await;
            }
            Err(CommitError::Log(other)) => return Err(other.into()),
            Err(CommitError::Rejected(error)) => return Err(error),
        }
    }
    Err(AppError::Contention)
}
