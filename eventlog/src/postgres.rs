//! The PostgreSQL backend: production and several nodes.
//!
//! Global order is `(transaction_id, position)`; a reader sees only rows written by transactions
//! older than every transaction still in flight, so an event whose transaction commits late is
//! never skipped. Commits wake readers on every node through `LISTEN/NOTIFY`.

use crate::appending::{
    check_batch, checked_empty_append, idempotent_result, limit_to_db, revision_from_db, revision_to_db,
};
use crate::log::{by_stream, AppendTransaction, EventLog};
use crate::record::{
    AppendResult, EventLogError, ExpectedRevision, Metadata, NewEvent, Position, RecordedEvent, Result, StreamBatch,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures::{Stream, TryStreamExt};
use sqlx::postgres::{PgConnectOptions, PgListener, PgPool, PgPoolOptions, PgRow};
use sqlx::{PgConnection, Postgres, Row, Transaction};
use std::collections::HashMap;
use std::str::FromStr;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use uuid::Uuid;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

const SELECT_EVENTS: &str = "SELECT position, transaction_id, event_id, stream_id, revision, event_type, \
     schema_version, data, company_id, actor, correlation_id, causation_id, occurred_at, recorded_at FROM events";

macro_rules! read_models {
    () => {
        "ikono-read-models"
    };
}

/// The `application_name` of connections that never append events (the read models'): readers of
/// the log do not wait for their transactions.
pub const READ_MODELS: &str = read_models!();

/// Rows written by transactions older than every one still running that may append events:
/// nothing can commit before them any more. Transactions of the read models' connections are
/// left out; one that ended just before `pg_stat_activity` was read is not, which only makes the
/// reader wait a little longer. (A running transaction's 32-bit `backend_xid` is the low half of
/// its 64-bit id.)
const SETTLED: &str = concat!(
    "transaction_id < COALESCE(\
     (SELECT min(running::text::bigint) FROM pg_snapshot_xip(pg_current_snapshot()) AS running \
      WHERE running::text::bigint % 4294967296 NOT IN (SELECT backend_xid::text::bigint FROM pg_stat_activity \
      WHERE application_name = '",
    read_models!(),
    "' AND backend_xid IS NOT NULL)), pg_snapshot_xmax(pg_current_snapshot())::text::bigint)"
);

pub struct PostgresLog {
    pool: PgPool,
    commits: watch::Sender<u64>,
    /// Ticks after each local commit; the notifier turns bursts of ticks into one NOTIFY.
    local_commits: watch::Sender<u64>,
    listener: tokio::task::JoinHandle<()>,
    notifier: tokio::task::JoinHandle<()>,
}

impl PostgresLog {
    /// Connects, runs the migrations and starts listening for commits of other nodes.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self> {
        let options = PgConnectOptions::from_str(url)?;
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options)
            .await?;
        MIGRATOR.run(&pool).await?;
        let schema: String = sqlx::query_scalar("SELECT current_schema()").fetch_one(&pool).await?;
        let channel = format!("eventlog_{schema}");
        let (commits, _) = watch::channel(0);
        let (local_commits, local) = watch::channel(0);
        let listener = tokio::spawn(listen_for_commits(pool.clone(), channel.clone(), commits.clone()));
        let notifier = tokio::spawn(notify_other_nodes(pool.clone(), channel, local));
        Ok(Self { pool, commits, local_commits, listener, notifier })
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Begins a transaction on a caller's connection, for tests that interleave transactions by hand.
    pub async fn begin_on(connection: &mut PgConnection) -> Result<Transaction<'_, Postgres>> {
        Ok(sqlx::Connection::begin(connection).await?)
    }

    /// Appends inside a transaction the caller controls.
    pub async fn append_on(
        connection: &mut PgConnection,
        stream: &str,
        expected: ExpectedRevision,
        events: Vec<NewEvent>,
    ) -> Result<AppendResult> {
        check_batch(&events)?;
        if events.is_empty() {
            let current: Option<i64> = sqlx::query_scalar("SELECT max(revision) FROM events WHERE stream_id = $1")
                .bind(stream)
                .fetch_one(&mut *connection)
                .await?;
            let actual = current.map(revision_from_db).transpose()?;
            return checked_empty_append(stream, expected, actual);
        }
        let (kind, revision) = expectation(expected)?;
        let batch = Columns::of(events.iter());
        let row = sqlx::query(
            "SELECT outcome, current_revision, last_transaction, last_position, stored_ids, stored_streams, \
             stored_revisions, stored_transactions, stored_positions \
             FROM append_events($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(stream)
        .bind(kind)
        .bind(revision)
        .bind(&batch.ids)
        .bind(&batch.types)
        .bind(&batch.versions)
        .bind(&batch.data)
        .bind(&batch.companies)
        .bind(&batch.actors)
        .bind(&batch.correlations)
        .bind(&batch.causations)
        .bind(&batch.occurred)
        .fetch_one(&mut *connection)
        .await
        .map_err(|e| duplicate_id_or(e, events.first()))?;
        appended_or_not(&row, stream, expected, &events)
    }

    /// Several streams' batches in one call of `append_batches`.
    async fn append_many_on(connection: &mut PgConnection, batches: Vec<StreamBatch>) -> Result<Vec<AppendResult>> {
        for batch in &batches {
            check_batch(&batch.events)?;
        }
        if batches.iter().any(|b| b.events.is_empty()) {
            let mut results = Vec::with_capacity(batches.len());
            for batch in batches {
                results.push(Self::append_on(connection, &batch.stream, batch.expected, batch.events).await?);
            }
            return Ok(results);
        }
        let mut kinds = Vec::new();
        let mut revisions = Vec::new();
        for batch in &batches {
            let (kind, revision) = expectation(batch.expected)?;
            kinds.push(kind);
            revisions.push(revision);
        }
        let columns = Columns::of(batches.iter().flat_map(|b| &b.events));
        let streams: Vec<&str> = batches.iter().map(|b| b.stream.as_str()).collect();
        // Each event's batch (from 1) and its place in it (from 1), as the function numbers them.
        let (batch_of_event, place_in_batch): (Vec<i32>, Vec<i32>) = batches
            .iter()
            .zip(1..)
            .flat_map(|(batch, index)| (1..).take(batch.events.len()).map(move |place| (index, place)))
            .unzip();
        let rows = sqlx::query(
            "SELECT stream_index, outcome, current_revision, last_transaction, last_position, stored_ids, \
             stored_streams, stored_revisions, stored_transactions, stored_positions \
             FROM append_batches($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(&streams)
        .bind(&kinds)
        .bind(&revisions)
        .bind(&batch_of_event)
        .bind(&place_in_batch)
        .bind(&columns.ids)
        .bind(&columns.types)
        .bind(&columns.versions)
        .bind(&columns.data)
        .bind(&columns.companies)
        .bind(&columns.actors)
        .bind(&columns.correlations)
        .bind(&columns.causations)
        .bind(&columns.occurred)
        .fetch_all(&mut *connection)
        .await
        .map_err(|e| duplicate_id_or(e, batches.iter().flat_map(|b| &b.events).next()))?;
        let mut results = Vec::with_capacity(batches.len());
        for row in &rows {
            // A refusal may be answered alone, for the batch it concerns.
            let index: i32 = row.try_get("stream_index")?;
            let batch = usize::try_from(index - 1).ok().and_then(|index| batches.get(index)).ok_or_else(|| {
                EventLogError::Corrupt(format!("append_batches answered for batch {index} of {}", batches.len()))
            })?;
            results.push(appended_or_not(row, &batch.stream, batch.expected, &batch.events)?);
        }
        if results.len() != batches.len() {
            return Err(EventLogError::Corrupt("append_batches answered fewer batches than it was given".into()));
        }
        Ok(results)
    }
}

fn expectation(expected: ExpectedRevision) -> Result<(&'static str, i64)> {
    Ok(match expected {
        ExpectedRevision::Any => ("any", 0),
        ExpectedRevision::NoStream => ("no_stream", 0),
        ExpectedRevision::StreamExists => ("stream_exists", 0),
        ExpectedRevision::Exact(n) => ("exact", revision_to_db(n)?),
    })
}

/// What one stream's append answered: its result, or why it was not appended.
fn appended_or_not(row: &PgRow, stream: &str, expected: ExpectedRevision, events: &[NewEvent]) -> Result<AppendResult> {
    {
        let outcome: String = row.try_get("outcome")?;
        let current: Option<i64> = row.try_get("current_revision")?;
        match outcome.as_str() {
            "appended" => Ok(AppendResult {
                next_expected_revision: current.map(revision_from_db).transpose()?,
                position: Some(Position {
                    transaction: row.try_get("last_transaction")?,
                    sequence: row.try_get("last_position")?,
                }),
            }),
            "wrong_expected" => Err(EventLogError::WrongExpectedRevision {
                stream: stream.to_string(),
                expected,
                actual: current.map(revision_from_db).transpose()?,
            }),
            "stored" => {
                let ids: Vec<Uuid> = row.try_get("stored_ids")?;
                let streams: Vec<String> = row.try_get("stored_streams")?;
                let revisions: Vec<i64> = row.try_get("stored_revisions")?;
                let transactions: Vec<i64> = row.try_get("stored_transactions")?;
                let positions: Vec<i64> = row.try_get("stored_positions")?;
                let stored = ids
                    .into_iter()
                    .zip(streams)
                    .zip(revisions)
                    .zip(transactions.into_iter().zip(positions))
                    .map(|(((id, s), r), (t, p))| {
                        Ok((id, s, revision_from_db(r)?, Position { transaction: t, sequence: p }))
                    })
                    .collect::<Result<Vec<_>>>()?;
                idempotent_result(stream, events, &stored)
            }
            other => Err(EventLogError::Corrupt(format!("append_events answered `{other}`"))),
        }
    }
}

impl Drop for PostgresLog {
    fn drop(&mut self) {
        self.listener.abort();
        self.notifier.abort();
    }
}

/// A concurrent writer stored one of these ids in another stream between our check and our insert.
fn duplicate_id_or(error: sqlx::Error, first: Option<&NewEvent>) -> EventLogError {
    let is_duplicate_id = error
        .as_database_error()
        .is_some_and(|db| db.is_unique_violation() && db.constraint() == Some("events_event_id_key"));
    match (is_duplicate_id, first) {
        (true, Some(first)) => {
            EventLogError::DuplicateEventId { event_id: first.event_id, stored_in: "another stream".into() }
        }
        _ => EventLogError::Database(error),
    }
}

/// The events of an append as one array per column (as the append functions take them), borrowed
/// from the events.
struct Columns<'a> {
    ids: Vec<Uuid>,
    types: Vec<&'a str>,
    versions: Vec<i32>,
    data: Vec<&'a serde_json::Value>,
    companies: Vec<Uuid>,
    actors: Vec<&'a str>,
    correlations: Vec<Uuid>,
    causations: Vec<Option<Uuid>>,
    occurred: Vec<DateTime<Utc>>,
}

impl<'a> Columns<'a> {
    fn of(events: impl Iterator<Item = &'a NewEvent> + Clone) -> Self {
        Self {
            ids: events.clone().map(|e| e.event_id).collect(),
            types: events.clone().map(|e| e.event_type.as_str()).collect(),
            versions: events.clone().map(|e| i32::try_from(e.metadata.schema_version).unwrap_or(i32::MAX)).collect(),
            data: events.clone().map(|e| &e.data).collect(),
            companies: events.clone().map(|e| e.metadata.company_id).collect(),
            actors: events.clone().map(|e| e.metadata.actor.as_str()).collect(),
            correlations: events.clone().map(|e| e.metadata.correlation_id).collect(),
            causations: events.clone().map(|e| e.metadata.causation_id).collect(),
            occurred: events.map(|e| e.metadata.occurred_at).collect(),
        }
    }
}

fn recorded(row: &PgRow) -> Result<RecordedEvent> {
    let schema_version: i32 = row.try_get("schema_version")?;
    Ok(RecordedEvent {
        event_id: row.try_get("event_id")?,
        stream: row.try_get("stream_id")?,
        revision: revision_from_db(row.try_get("revision")?)?,
        position: Position { transaction: row.try_get("transaction_id")?, sequence: row.try_get("position")? },
        event_type: row.try_get("event_type")?,
        data: row.try_get("data")?,
        metadata: Metadata {
            occurred_at: row.try_get("occurred_at")?,
            company_id: row.try_get("company_id")?,
            actor: row.try_get("actor")?,
            correlation_id: row.try_get("correlation_id")?,
            causation_id: row.try_get("causation_id")?,
            schema_version: u32::try_from(schema_version)
                .map_err(|_| EventLogError::Corrupt(format!("negative schema version {schema_version}")))?,
        },
        recorded_at: row.try_get("recorded_at")?,
    })
}

struct PgAppendTransaction {
    transaction: Transaction<'static, Postgres>,
    commits: watch::Sender<u64>,
    local_commits: watch::Sender<u64>,
    appended: bool,
}

#[async_trait]
impl AppendTransaction for PgAppendTransaction {
    async fn append(
        &mut self,
        stream: &str,
        expected: ExpectedRevision,
        events: Vec<NewEvent>,
    ) -> Result<AppendResult> {
        let result = PostgresLog::append_on(&mut self.transaction, stream, expected, events).await?;
        self.appended |= result.position.is_some();
        Ok(result)
    }

    async fn append_many(&mut self, batches: Vec<StreamBatch>) -> Result<Vec<AppendResult>> {
        let results = PostgresLog::append_many_on(&mut self.transaction, batches).await?;
        self.appended |= results.iter().any(|r| r.position.is_some());
        Ok(results)
    }

    async fn append_each(&mut self, batches: Vec<StreamBatch>) -> Result<Vec<Result<AppendResult>>> {
        let mut results = Vec::with_capacity(batches.len());
        for batch in batches {
            let mut savepoint = sqlx::Acquire::begin(&mut self.transaction).await?;
            match PostgresLog::append_on(&mut savepoint, &batch.stream, batch.expected, batch.events).await {
                Ok(result) => {
                    savepoint.commit().await?;
                    self.appended |= result.position.is_some();
                    results.push(Ok(result));
                }
                Err(refused) if refused.is_refusal() => {
                    savepoint.rollback().await?;
                    results.push(Err(refused));
                }
                Err(failed) => return Err(failed),
            }
        }
        Ok(results)
    }

    async fn commit(self: Box<Self>) -> Result<()> {
        self.transaction.commit().await?;
        if self.appended {
            self.commits.send_modify(|n| *n = n.wrapping_add(1));
            self.local_commits.send_modify(|n| *n = n.wrapping_add(1));
        }
        Ok(())
    }

    async fn rollback(self: Box<Self>) -> Result<()> {
        Ok(self.transaction.rollback().await?)
    }
}

#[async_trait]
impl EventLog for PostgresLog {
    async fn begin(&self) -> Result<Box<dyn AppendTransaction + '_>> {
        Ok(Box::new(PgAppendTransaction {
            transaction: self.pool.begin().await?,
            commits: self.commits.clone(),
            local_commits: self.local_commits.clone(),
            appended: false,
        }))
    }

    /// One stream needs no explicit transaction: `append_events` is one statement, atomic on its
    /// own, so a single append costs one round trip.
    async fn append(&self, stream: &str, expected: ExpectedRevision, events: Vec<NewEvent>) -> Result<AppendResult> {
        let mut connection = self.pool.acquire().await?;
        let result = Self::append_on(&mut connection, stream, expected, events).await?;
        if result.position.is_some() {
            self.commits.send_modify(|n| *n = n.wrapping_add(1));
            self.local_commits.send_modify(|n| *n = n.wrapping_add(1));
        }
        Ok(result)
    }

    async fn read_stream(&self, stream: &str) -> Result<Vec<RecordedEvent>> {
        let rows = sqlx::query(&format!("{SELECT_EVENTS} WHERE stream_id = $1 ORDER BY revision"))
            .bind(stream)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(recorded).collect()
    }

    async fn read_streams(&self, streams: &[String]) -> Result<HashMap<String, Vec<RecordedEvent>>> {
        let rows = sqlx::query(&format!("{SELECT_EVENTS} WHERE stream_id = ANY($1) ORDER BY stream_id, revision"))
            .bind(streams)
            .fetch_all(&self.pool)
            .await?;
        by_stream(streams, rows.iter().map(recorded))
    }

    async fn read_all(&self, after: Position, limit: usize) -> Result<Vec<RecordedEvent>> {
        let rows = sqlx::query(&format!(
            "{SELECT_EVENTS} WHERE (transaction_id, position) > ($1, $2) AND {SETTLED} \
             ORDER BY transaction_id, position LIMIT $3"
        ))
        .bind(after.transaction)
        .bind(after.sequence)
        .bind(limit_to_db(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(recorded).collect()
    }

    /// One statement: its snapshot, and with it where the settled events end, holds for the
    /// whole read.
    async fn read_all_into(&self, after: Position, page: usize, pages: mpsc::Sender<Vec<RecordedEvent>>) -> Result<()> {
        let sql = format!(
            "{SELECT_EVENTS} WHERE (transaction_id, position) > ($1, $2) AND {SETTLED} ORDER BY transaction_id, position"
        );
        let rows = sqlx::query(&sql).bind(after.transaction).bind(after.sequence).fetch(&self.pool);
        hand_on(rows, page, &pages, recorded).await
    }

    async fn head(&self) -> Result<Position> {
        let row: Option<(i64, i64)> = sqlx::query_as(&format!(
            "SELECT transaction_id, position FROM events WHERE {SETTLED} \
             ORDER BY transaction_id DESC, position DESC LIMIT 1"
        ))
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map_or(Position::START, |(transaction, sequence)| Position { transaction, sequence }))
    }

    fn commits(&self) -> watch::Receiver<u64> {
        self.commits.subscribe()
    }

    fn backend(&self) -> &'static str {
        "postgres"
    }
}

/// Hands the rows of a streamed query on to `pages`, decoded, `page` at a time (see
/// [`EventLog::read_all_into`]).
async fn hand_on<R>(
    mut rows: impl Stream<Item = std::result::Result<R, sqlx::Error>> + Unpin,
    page: usize,
    pages: &mpsc::Sender<Vec<RecordedEvent>>,
    decode: impl Fn(&R) -> Result<RecordedEvent>,
) -> Result<()> {
    let page = page.max(1);
    let mut filling = Vec::with_capacity(page);
    while let Some(row) = rows.try_next().await? {
        filling.push(decode(&row)?);
        if filling.len() == page && pages.send(std::mem::replace(&mut filling, Vec::with_capacity(page))).await.is_err()
        {
            return Ok(());
        }
    }
    if !filling.is_empty() {
        // A reader gone by now wanted no more.
        let _ = pages.send(filling).await;
    }
    Ok(())
}

/// Forwards other nodes' commit notifications to this process's readers, reconnecting when the
/// connection drops (every reconnection counts as a commit: notifications may have been missed).
async fn listen_for_commits(pool: PgPool, channel: String, commits: watch::Sender<u64>) {
    loop {
        match PgListener::connect_with(&pool).await {
            Ok(mut listener) => {
                if let Err(error) = listener.listen(&channel).await {
                    tracing::warn!(%error, "could not LISTEN for event log commits");
                } else {
                    commits.send_modify(|n| *n = n.wrapping_add(1));
                    while listener.recv().await.is_ok() {
                        commits.send_modify(|n| *n = n.wrapping_add(1));
                    }
                }
            }
            Err(error) => {
                tracing::warn!(%error, "could not connect to LISTEN for event log commits")
            }
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Tells other nodes that this one committed events, after the commit and outside the writers'
/// transactions. Commits that arrive while a NOTIFY is under way are covered by the next one.
async fn notify_other_nodes(pool: PgPool, channel: String, mut local_commits: watch::Receiver<u64>) {
    while local_commits.changed().await.is_ok() {
        local_commits.borrow_and_update();
        if let Err(error) = sqlx::query("SELECT pg_notify($1, '')").bind(&channel).execute(&pool).await {
            tracing::warn!(%error, "could not NOTIFY other nodes of a commit");
        }
    }
}
