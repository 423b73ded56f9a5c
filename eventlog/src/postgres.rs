//! The PostgreSQL backend: production and several nodes.
//!
//! Global order is `(transaction_id, position)`; a reader sees only rows written by transactions
//! older than every transaction still in flight, so an event whose transaction commits late is
//! never skipped. Commits wake readers on every node through `LISTEN/NOTIFY`.

use crate::appending::{limit_to_db, revision_from_db};
use crate::log::{by_stream, AppendTransaction, EventLog};
use crate::postgres_insert::{
    append_one, at_once, at_once_possible, insert_at_once, one_by_one, AtOnce, Known, Within,
};
use crate::postgres_nodes::{listen, tell, Nodes};
use crate::record::{
    AppendResult, EventLogError, ExpectedRevision, Metadata, NewEvent, Position, RecordedEvent, Result, StreamBatch,
};
use async_trait::async_trait;
use futures::{Stream, TryStreamExt};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgRow};
use sqlx::{PgConnection, Postgres, Row, Transaction};
use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Arc;
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
    nodes: Arc<Nodes>,
    listener: tokio::task::JoinHandle<()>,
    notifier: tokio::task::JoinHandle<()>,
    known: Known,
}

impl PostgresLog {
    /// Connects, runs the migrations and starts listening for commits of other nodes.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self> {
        let options = PgConnectOptions::from_str(url)?;
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options.clone())
            .await?;
        MIGRATOR.run(&pool).await?;
        let schema: String = sqlx::query_scalar("SELECT current_schema()").fetch_one(&pool).await?;
        // Each node signs its notifications, so that it does not wake its readers twice for its own commits.
        let nodes = Arc::new(Nodes::new(Uuid::now_v7().to_string(), format!("eventlog_{schema}")));
        // The listener holds its connection for good, and a NOTIFY should not wait behind appends:
        // each has a connection of its own, besides the writers' `max_connections`. A NOTIFY is a
        // wake-up, worth nothing after a crash: its commit waits for no disk.
        let own_connection =
            |options: PgConnectOptions| PgPoolOptions::new().max_connections(1).connect_lazy_with(options);
        let listener = tokio::spawn(listen(own_connection(options.clone()), nodes.clone()));
        let notifier =
            tokio::spawn(tell(own_connection(options.options([("synchronous_commit", "off")])), nodes.clone()));
        Ok(Self { pool, nodes, listener, notifier, known: Known::default() })
    }

    /// How many times this node has had commits to tell other nodes (none while it is alone).
    pub fn commits_told(&self) -> u64 {
        self.nodes.told()
    }

    /// Whether this node has lately heard of another sharing the log.
    pub fn hears_other_nodes(&self) -> bool {
        self.nodes.others_listen()
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
        let batch = StreamBatch { stream: stream.to_string(), expected, events };
        append_one(connection, Within::Transaction, &Known::default(), &batch).await
    }

    /// Several streams' batches, one after the other, in a transaction the caller holds: in one
    /// statement when each stream is named once and none is empty.
    async fn append_many_on(
        connection: &mut PgConnection,
        known: &Known,
        batches: &[StreamBatch],
    ) -> Result<Vec<AppendResult>> {
        match at_once(connection, Within::Transaction, known, batches).await? {
            AtOnce::Appended(results) => Ok(results),
            AtOnce::Refused(refused) => Err(refused),
            AtOnce::OneByOne => one_by_one(connection, known, batches).await,
        }
    }

    /// Remembers the streams' revisions a commit stored and, when it appended, tells this node's
    /// readers and other nodes.
    fn committed<'a>(&self, appended: impl IntoIterator<Item = (&'a str, &'a AppendResult)>) {
        let mut any = false;
        for (stream, result) in appended {
            if let (Some(revision), Some(_)) = (result.next_expected_revision, result.position) {
                self.known.saw(stream, revision);
                any = true;
            }
        }
        if any {
            self.nodes.committed_here();
        }
    }
}

impl Drop for PostgresLog {
    fn drop(&mut self) {
        self.listener.abort();
        self.notifier.abort();
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

struct PgAppendTransaction<'a> {
    transaction: Transaction<'static, Postgres>,
    log: &'a PostgresLog,
    /// What it appended, to remember once it commits.
    appended: Vec<(String, AppendResult)>,
}

#[async_trait]
impl AppendTransaction for PgAppendTransaction<'_> {
    async fn append(
        &mut self,
        stream: &str,
        expected: ExpectedRevision,
        events: Vec<NewEvent>,
    ) -> Result<AppendResult> {
        let batch = StreamBatch { stream: stream.to_string(), expected, events };
        let result = append_one(&mut self.transaction, Within::Transaction, &self.log.known, &batch).await?;
        self.appended.push((batch.stream, result));
        Ok(result)
    }

    async fn append_many(&mut self, batches: Vec<StreamBatch>) -> Result<Vec<AppendResult>> {
        let results = PostgresLog::append_many_on(&mut self.transaction, &self.log.known, &batches).await?;
        self.appended.extend(batches.into_iter().map(|b| b.stream).zip(results.iter().copied()));
        Ok(results)
    }

    async fn append_each(&mut self, batches: Vec<StreamBatch>) -> Result<Vec<Result<AppendResult>>> {
        if at_once_possible(&batches) {
            let known = &self.log.known;
            if let Some(results) = insert_at_once(&mut self.transaction, Within::Transaction, known, &batches).await? {
                self.appended.extend(batches.into_iter().map(|b| b.stream).zip(results.iter().copied()));
                return Ok(results.into_iter().map(Ok).collect());
            }
        }
        let mut results = Vec::with_capacity(batches.len());
        for batch in batches {
            match append_one(&mut self.transaction, Within::Transaction, &self.log.known, &batch).await {
                Ok(result) => {
                    self.appended.push((batch.stream, result));
                    results.push(Ok(result));
                }
                Err(refused) if refused.is_refusal() => results.push(Err(refused)),
                Err(failed) => return Err(failed),
            }
        }
        Ok(results)
    }

    async fn commit(self: Box<Self>) -> Result<()> {
        self.transaction.commit().await?;
        self.log.committed(self.appended.iter().map(|(stream, result)| (stream.as_str(), result)));
        Ok(())
    }

    async fn rollback(self: Box<Self>) -> Result<()> {
        Ok(self.transaction.rollback().await?)
    }
}

#[async_trait]
impl EventLog for PostgresLog {
    async fn begin(&self) -> Result<Box<dyn AppendTransaction + '_>> {
        Ok(Box::new(PgAppendTransaction { transaction: self.pool.begin().await?, log: self, appended: Vec::new() }))
    }

    /// One statement, atomic on its own, when the log accepts the batch: one round trip.
    async fn append(&self, stream: &str, expected: ExpectedRevision, events: Vec<NewEvent>) -> Result<AppendResult> {
        let mut connection = self.pool.acquire().await?;
        let batch = StreamBatch { stream: stream.to_string(), expected, events };
        let result = append_one(&mut connection, Within::Nothing, &self.known, &batch).await?;
        self.committed([(stream, &result)]);
        Ok(result)
    }

    /// One statement when each stream is named once, none is empty and the log accepts them all;
    /// otherwise one after the other in a transaction.
    async fn append_many(&self, batches: Vec<StreamBatch>) -> Result<Vec<AppendResult>> {
        let mut connection = self.pool.acquire().await?;
        let results = match at_once(&mut connection, Within::Nothing, &self.known, &batches).await? {
            AtOnce::Appended(results) => results,
            AtOnce::Refused(refused) => return Err(refused),
            AtOnce::OneByOne => {
                let mut transaction = sqlx::Connection::begin(&mut *connection).await?;
                let results = one_by_one(&mut transaction, &self.known, &batches).await?;
                transaction.commit().await?;
                results
            }
        };
        self.committed(batches.iter().map(|b| b.stream.as_str()).zip(&results));
        Ok(results)
    }

    async fn read_stream(&self, stream: &str) -> Result<Vec<RecordedEvent>> {
        let rows = sqlx::query(&format!("{SELECT_EVENTS} WHERE stream_id = $1 ORDER BY revision"))
            .bind(stream)
            .fetch_all(&self.pool)
            .await?;
        let events: Vec<RecordedEvent> = rows.iter().map(recorded).collect::<Result<_>>()?;
        if let Some(last) = events.last() {
            self.known.saw(stream, last.revision);
        }
        Ok(events)
    }

    async fn read_streams(&self, streams: &[String]) -> Result<HashMap<String, Vec<RecordedEvent>>> {
        let rows = sqlx::query(&format!("{SELECT_EVENTS} WHERE stream_id = ANY($1) ORDER BY stream_id, revision"))
            .bind(streams)
            .fetch_all(&self.pool)
            .await?;
        let read = by_stream(streams, rows.iter().map(recorded))?;
        for (stream, events) in &read {
            if let Some(last) = events.last() {
                self.known.saw(stream, last.revision);
            }
        }
        Ok(read)
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
        hand_on(rows, page, &pages).await
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
        self.nodes.commits()
    }

    fn backend(&self) -> &'static str {
        "postgres"
    }
}

/// Hands the rows of a streamed query on to `pages`, decoded, `page` at a time (see
/// [`EventLog::read_all_into`]).
async fn hand_on(
    mut rows: impl Stream<Item = std::result::Result<PgRow, sqlx::Error>> + Unpin,
    page: usize,
    pages: &mpsc::Sender<Vec<RecordedEvent>>,
) -> Result<()> {
    let page = page.max(1);
    let mut filling = Vec::with_capacity(page);
    while let Some(row) = rows.try_next().await? {
        filling.push(recorded(&row)?);
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
