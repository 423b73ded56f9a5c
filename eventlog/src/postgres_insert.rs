//! How PostgreSQL appends: a call's batches go in one `INSERT` written here, whose unique indexes
//! answer concurrent writers and retries (a stream's revision, an event's id); when it writes
//! nothing, the log is read to say why. No function runs in the database: a PL/pgSQL call, its
//! advisory lock and its checks cost four times the insert itself.
//!
//! A stream's revisions stay contiguous because each insert either starts the stream at 0 (the
//! index refuses a second revision 0), follows a revision known to be stored (`Exact`: seen by
//! this node, or else checked by the statement), or follows the last revision read just before
//! (`Any`, `StreamExists`; a writer that got there first makes the index refuse, and the insert is
//! tried again).

use crate::appending::{check_batch, checked_empty_append, idempotent_result, revision_from_db, revision_to_db};
use crate::record::{AppendResult, EventLogError, ExpectedRevision, NewEvent, Position, Result, StreamBatch};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Postgres, QueryBuilder, Row};
use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use uuid::Uuid;

const COLUMNS: &str = "INSERT INTO events (transaction_id, event_id, stream_id, revision, event_type, \
     schema_version, data, company_id, actor, correlation_id, causation_id, occurred_at) ";

const TRANSACTION: &str = "pg_current_xact_id()::text::bigint";

/// Up to this many events a statement lists its rows (`VALUES`), each statement shape prepared once
/// per connection; beyond, it binds each column as one array (PostgreSQL takes at most 65,535
/// parameters, eleven an event).
const LISTED_ROWS: usize = 16;

/// How often an append whose stream moved under it (`Any`, `StreamExists`) is tried again: only
/// to end a loop that something other than other writers keeps going.
const ATTEMPTS: usize = 1_000;

/// The last revision this node has seen stored in each stream, forgotten all at once when it holds
/// too many. A stored revision stays stored, so an `Exact` append that follows one needs no check
/// that it exists: a tenth of what PostgreSQL spends on a single-event append under sixteen
/// writers (measured, docs/BENCHMARKS.md). Only committed revisions are remembered: those a read
/// returned, or an append outside any transaction, or a transaction's once it commits.
#[derive(Default)]
pub(crate) struct Known(Mutex<HashMap<String, u64>>);

impl Known {
    const STREAMS: usize = 65_536;

    pub(crate) fn saw(&self, stream: &str, revision: u64) {
        let Ok(mut known) = self.0.lock() else { return };
        if let Some(last) = known.get_mut(stream) {
            *last = (*last).max(revision);
            return;
        }
        if known.len() >= Self::STREAMS {
            known.clear();
        }
        known.insert(stream.to_string(), revision);
    }

    fn stored(&self, stream: &str, revision: u64) -> bool {
        self.0.lock().is_ok_and(|known| known.get(stream).is_some_and(|last| *last >= revision))
    }
}

/// Whether the statements run inside a transaction the caller holds: each insert then runs in a
/// savepoint, since a refused statement would otherwise abort the whole transaction.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Within {
    Nothing,
    Transaction,
}

/// Appends one stream's batch, as `EventLog::append` promises: one statement when it is accepted.
pub(crate) async fn append_one(
    connection: &mut PgConnection,
    within: Within,
    known: &Known,
    batch: &StreamBatch,
) -> Result<AppendResult> {
    if batch.events.is_empty() {
        let actual = current_revisions(connection, &[batch.stream.as_str()]).await?.remove(&batch.stream);
        return checked_empty_append(&batch.stream, batch.expected, actual.flatten());
    }
    for _ in 0..ATTEMPTS {
        if let Some(mut appended) = insert_at_once(connection, within, known, std::slice::from_ref(batch)).await? {
            return appended.pop().ok_or_else(|| EventLogError::Corrupt("an append answered nothing".into()));
        }
        if let Some(stored) = refusal(connection, batch).await? {
            return Ok(stored);
        }
    }
    Err(moved_on(connection, batch).await)
}

/// What became of a call's batches tried in one statement.
pub(crate) enum AtOnce {
    Appended(Vec<AppendResult>),
    /// The first batch the log refuses, as appends one after the other would find it.
    Refused(EventLogError),
    /// Not possible in one statement, or nothing refused outright (a retry of stored events, a
    /// race with another writer): the batches go [`one_by_one`].
    OneByOne,
}

/// Tries a call's batches in one statement, and if it writes nothing, reads at once why.
pub(crate) async fn at_once(
    connection: &mut PgConnection,
    within: Within,
    known: &Known,
    batches: &[StreamBatch],
) -> Result<AtOnce> {
    if !at_once_possible(batches) {
        return Ok(AtOnce::OneByOne);
    }
    if let Some(results) = insert_at_once(connection, within, known, batches).await? {
        return Ok(AtOnce::Appended(results));
    }
    Ok(first_refusal(connection, batches).await?.map_or(AtOnce::OneByOne, AtOnce::Refused))
}

/// A call's batches one after the other, in a transaction the caller holds.
pub(crate) async fn one_by_one(
    connection: &mut PgConnection,
    known: &Known,
    batches: &[StreamBatch],
) -> Result<Vec<AppendResult>> {
    let mut results = Vec::with_capacity(batches.len());
    for batch in batches {
        results.push(append_one(connection, Within::Transaction, known, batch).await?);
    }
    Ok(results)
}

/// Whether a call's batches can go in one statement: each stream once, none empty.
pub(crate) fn at_once_possible(batches: &[StreamBatch]) -> bool {
    let streams: HashSet<&str> = batches.iter().map(|b| b.stream.as_str()).collect();
    streams.len() == batches.len() && batches.iter().all(|b| !b.events.is_empty())
}

/// Inserts every batch in one statement if each one's expectation holds. `None`: nothing was
/// written — an expectation does not hold, an id is stored already, or another writer got there
/// first; [`refusal`] tells which. The caller has checked [`at_once_possible`].
pub(crate) async fn insert_at_once(
    connection: &mut PgConnection,
    within: Within,
    known: &Known,
    batches: &[StreamBatch],
) -> Result<Option<Vec<AppendResult>>> {
    for batch in batches {
        check_batch(&batch.events)?;
    }
    let unread: Vec<&str> = batches
        .iter()
        .filter(|b| matches!(b.expected, ExpectedRevision::Any | ExpectedRevision::StreamExists))
        .map(|b| b.stream.as_str())
        .collect();
    let heads = if unread.is_empty() { HashMap::new() } else { current_revisions(connection, &unread).await? };
    let mut placed = Vec::with_capacity(batches.len());
    for batch in batches {
        let head = heads.get(batch.stream.as_str()).copied().flatten();
        let (first, follows) = match (batch.expected, head) {
            (ExpectedRevision::NoStream, _) => (0, None),
            (ExpectedRevision::Exact(revision), _) => {
                let unknown = !known.stored(&batch.stream, revision);
                (after(revision)?, unknown.then(|| revision_to_db(revision)).transpose()?)
            }
            (ExpectedRevision::Any, None) => (0, None),
            (ExpectedRevision::Any | ExpectedRevision::StreamExists, Some(head)) => (after(head)?, None),
            (ExpectedRevision::StreamExists, None) => return Ok(None),
        };
        placed.push(Placed { batch, first, follows });
    }
    if within == Within::Transaction {
        sqlx::query("SAVEPOINT eventlog_append").execute(&mut *connection).await?;
    }
    let inserted = insert(&placed).build().fetch_all(&mut *connection).await;
    let refused = match &inserted {
        Ok(rows) => rows.is_empty(),
        Err(error) => error.as_database_error().is_some_and(|db| db.is_unique_violation()),
    };
    if within == Within::Transaction {
        let end = if refused { "ROLLBACK TO SAVEPOINT eventlog_append" } else { "RELEASE SAVEPOINT eventlog_append" };
        // After a failure other than a refusal the transaction is lost anyway: say why it failed.
        if inserted.is_ok() || refused {
            sqlx::query(end).execute(&mut *connection).await?;
        }
    }
    if refused {
        return Ok(None);
    }
    appended(&placed, &inserted?).map(Some)
}

/// The revision after `revision`, as the database holds it.
fn after(revision: u64) -> Result<i64> {
    revision_to_db(revision.saturating_add(1))
}

/// Where one batch's events go.
struct Placed<'a> {
    batch: &'a StreamBatch,
    /// The revision of its first event.
    first: i64,
    /// The revision the statement must find stored for the batch to follow it (`Exact`).
    follows: Option<i64>,
}

/// The statement: every event a row, inserted only if every revision the batches follow is stored.
fn insert<'a>(placed: &'a [Placed<'a>]) -> QueryBuilder<'a, Postgres> {
    let rows = || placed.iter().flat_map(|p| p.batch.events.iter().zip(p.first..).map(move |(e, r)| (p, e, r)));
    let checks: Vec<(&str, i64)> = placed.iter().filter_map(|p| Some((p.batch.stream.as_str(), p.follows?))).collect();
    let mut query = QueryBuilder::<Postgres>::new(COLUMNS);
    if rows().count() <= LISTED_ROWS {
        let values = |query: &mut QueryBuilder<'a, Postgres>| {
            query.push_values(rows(), |mut row, (placed, event, revision)| {
                row.push(TRANSACTION)
                    .push_bind(event.event_id)
                    .push_bind(placed.batch.stream.as_str())
                    .push_bind(revision)
                    .push_bind(event.event_type.as_str())
                    .push_bind(schema_version(event))
                    .push_bind(&event.data)
                    .push_bind(event.metadata.company_id)
                    .push_bind(event.metadata.actor.as_str())
                    .push_bind(event.metadata.correlation_id)
                    .push_bind(event.metadata.causation_id)
                    .push_bind(event.metadata.occurred_at);
            });
        };
        if checks.is_empty() {
            values(&mut query);
        } else {
            query.push("SELECT * FROM (");
            values(&mut query);
            query.push(") AS listed WHERE ");
            let mut all = query.separated(" AND ");
            for (stream, revision) in checks {
                all.push("EXISTS (SELECT 1 FROM events WHERE stream_id = ")
                    .push_bind_unseparated(stream)
                    .push_unseparated(" AND revision = ")
                    .push_bind_unseparated(revision)
                    .push_unseparated(")");
            }
        }
    } else {
        // Set-returning functions in the select list run in step, row by row, where `unnest` in
        // `FROM` stores every row first; the transaction's id is read once, not once a row.
        query
            .push("SELECT writer.id, unnest(")
            .push_bind(rows().map(|(_, e, _)| e.event_id).collect::<Vec<Uuid>>())
            .push("), unnest(")
            .push_bind(rows().map(|(p, _, _)| p.batch.stream.as_str()).collect::<Vec<&str>>())
            .push("), unnest(")
            .push_bind(rows().map(|(_, _, r)| r).collect::<Vec<i64>>())
            .push("), unnest(")
            .push_bind(rows().map(|(_, e, _)| e.event_type.as_str()).collect::<Vec<&str>>())
            .push("), unnest(")
            .push_bind(rows().map(|(_, e, _)| schema_version(e)).collect::<Vec<i32>>())
            .push("), unnest(")
            .push_bind(rows().map(|(_, e, _)| &e.data).collect::<Vec<&serde_json::Value>>())
            .push("), unnest(")
            .push_bind(rows().map(|(_, e, _)| e.metadata.company_id).collect::<Vec<Uuid>>())
            .push("), unnest(")
            .push_bind(rows().map(|(_, e, _)| e.metadata.actor.as_str()).collect::<Vec<&str>>())
            .push("), unnest(")
            .push_bind(rows().map(|(_, e, _)| e.metadata.correlation_id).collect::<Vec<Uuid>>())
            .push("), unnest(")
            .push_bind(rows().map(|(_, e, _)| e.metadata.causation_id).collect::<Vec<Option<Uuid>>>())
            .push("), unnest(")
            .push_bind(rows().map(|(_, e, _)| e.metadata.occurred_at).collect::<Vec<_>>())
            .push(format!(") FROM (SELECT {TRANSACTION} AS id) AS writer"));
        if !checks.is_empty() {
            let (streams, revisions): (Vec<&str>, Vec<i64>) = checks.into_iter().unzip();
            query
                .push(" WHERE NOT EXISTS (SELECT 1 FROM unnest(")
                .push_bind(streams)
                .push(", ")
                .push_bind(revisions)
                .push(
                    ") AS followed(stream_id, revision) WHERE NOT EXISTS (SELECT 1 FROM events e \
                     WHERE e.stream_id = followed.stream_id AND e.revision = followed.revision))",
                );
        }
    }
    query.push(" RETURNING revision, transaction_id, position");
    query
}

fn schema_version(event: &NewEvent) -> i32 {
    i32::try_from(event.metadata.schema_version).unwrap_or(i32::MAX)
}

/// Each batch's result, from the rows the statement inserted: one a row it was given, in their
/// order (checked by their revisions), so a batch's last row is its last event.
fn appended(placed: &[Placed], rows: &[PgRow]) -> Result<Vec<AppendResult>> {
    let given: usize = placed.iter().map(|p| p.batch.events.len()).sum();
    if rows.len() != given {
        return Err(EventLogError::Corrupt(format!("an append of {given} events inserted {}", rows.len())));
    }
    let mut rows = rows.iter();
    placed
        .iter()
        .map(|p| {
            let mut last = None;
            for expected in (p.first..).take(p.batch.events.len()) {
                let row = rows.next().ok_or_else(|| EventLogError::Corrupt("an append inserted too few".into()))?;
                let revision: i64 = row.try_get(0)?;
                if revision != expected {
                    return Err(EventLogError::Corrupt(format!(
                        "`{}` got revision {revision} where {expected} was planned",
                        p.batch.stream
                    )));
                }
                last = Some((revision, Position { transaction: row.try_get(1)?, sequence: row.try_get(2)? }));
            }
            let (revision, position) = last.ok_or_else(|| EventLogError::Corrupt("an empty batch inserted".into()))?;
            Ok(AppendResult { next_expected_revision: Some(revision_from_db(revision)?), position: Some(position) })
        })
        .collect()
}

/// Why a batch was not inserted: a retry of a batch stored already (its first result again), an
/// id stored elsewhere, or a stale expectation. `None`: its expectation holds now — another writer
/// moved the stream between the read and the insert — and it may be tried again.
pub(crate) async fn refusal(connection: &mut PgConnection, batch: &StreamBatch) -> Result<Option<AppendResult>> {
    let stored = stored_under(connection, &batch.events).await?;
    if !stored.is_empty() {
        return idempotent_result(&batch.stream, &batch.events, &stored).map(Some);
    }
    let actual = current_revisions(connection, &[batch.stream.as_str()]).await?.remove(&batch.stream).flatten();
    if batch.expected.admits(actual) {
        return Ok(None);
    }
    Err(EventLogError::WrongExpectedRevision { stream: batch.stream.clone(), expected: batch.expected, actual })
}

/// Why a call's batches were not inserted at once, read for all of them together: the first one
/// the log refuses, as appends one after the other would find it (a stale expectation, an id
/// stored elsewhere). `None` when each would be appended or is a retry of one stored: then they go
/// one by one. A refused call of the router's 400 streams so costs three statements, not 1,200.
/// The caller has checked [`at_once_possible`]: each stream is named once.
async fn first_refusal(connection: &mut PgConnection, batches: &[StreamBatch]) -> Result<Option<EventLogError>> {
    let stored = stored_under(connection, batches.iter().flat_map(|b| &b.events)).await?;
    let streams: Vec<&str> = batches.iter().map(|b| b.stream.as_str()).collect();
    let heads = current_revisions(connection, &streams).await?;
    for batch in batches {
        let ids: HashSet<Uuid> = batch.events.iter().map(|e| e.event_id).collect();
        let its: Vec<_> = stored.iter().filter(|(id, ..)| ids.contains(id)).cloned().collect();
        if !its.is_empty() {
            match idempotent_result(&batch.stream, &batch.events, &its) {
                Ok(_) => continue,
                Err(refused) => return Ok(Some(refused)),
            }
        }
        let actual = heads.get(&batch.stream).copied().flatten();
        if !batch.expected.admits(actual) {
            return Ok(Some(EventLogError::WrongExpectedRevision {
                stream: batch.stream.clone(),
                expected: batch.expected,
                actual,
            }));
        }
    }
    Ok(None)
}

/// A batch tried [`ATTEMPTS`] times, each time behind another writer: refused as stale.
async fn moved_on(connection: &mut PgConnection, batch: &StreamBatch) -> EventLogError {
    match current_revisions(connection, &[batch.stream.as_str()]).await {
        Ok(mut heads) => EventLogError::WrongExpectedRevision {
            stream: batch.stream.clone(),
            expected: batch.expected,
            actual: heads.remove(&batch.stream).flatten(),
        },
        Err(error) => error,
    }
}

/// Each stream's last revision (`None`: no stream), each read through the index from its end.
async fn current_revisions(connection: &mut PgConnection, streams: &[&str]) -> Result<HashMap<String, Option<u64>>> {
    let rows: Vec<(String, Option<i64>)> = sqlx::query_as(
        "SELECT name, (SELECT max(revision) FROM events WHERE stream_id = name) FROM unnest($1::text[]) AS name",
    )
    .bind(streams)
    .fetch_all(&mut *connection)
    .await?;
    rows.into_iter().map(|(name, revision)| Ok((name, revision.map(revision_from_db).transpose()?))).collect()
}

/// The events stored under a batch's ids, wherever they are.
async fn stored_under<'a>(
    connection: &mut PgConnection,
    events: impl IntoIterator<Item = &'a NewEvent>,
) -> Result<Vec<(Uuid, String, u64, Position)>> {
    let ids: Vec<Uuid> = events.into_iter().map(|e| e.event_id).collect();
    let rows: Vec<(Uuid, String, i64, i64, i64)> = sqlx::query_as(
        "SELECT event_id, stream_id, revision, transaction_id, position FROM events WHERE event_id = ANY($1)",
    )
    .bind(&ids)
    .fetch_all(&mut *connection)
    .await?;
    rows.into_iter()
        .map(|(id, stream, revision, transaction, sequence)| {
            Ok((id, stream, revision_from_db(revision)?, Position { transaction, sequence }))
        })
        .collect()
}
