//! The SQLite backend: the embedded default. One writer connection (`BEGIN IMMEDIATE`), a pool of
//! readers, WAL with `synchronous=FULL`. Every writer of the file in this process (the log and the
//! projections) takes its turn at one [`WriteGate`]; the busy timeout is left for other processes.

use crate::appending::{check_batch, checked_empty_append, idempotent_result, limit_to_db, revision_from_db};
use crate::log::{by_stream, tick, AppendTransaction, EventLog};
use crate::record::{
    AppendResult, EventLogError, ExpectedRevision, Metadata, NewEvent, Position, RecordedEvent, Result, StreamBatch,
};
use async_trait::async_trait;
use chrono::Utc;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection, Transaction};
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tokio::sync::{mpsc, watch, Mutex as AsyncMutex, Notify, OwnedMutexGuard};
use uuid::Uuid;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");

const SELECT_EVENTS: &str = "SELECT position, event_id, stream_id, revision, event_type, schema_version, data, \
     company_id, actor, correlation_id, causation_id, occurred_at, recorded_at FROM events";

/// SQLite binds at most 32,766 parameters per statement; a batch row takes 12.
const ROWS_PER_INSERT: usize = 2_000;

/// Where the writers of one database file in this process take turns. SQLite lets one write
/// transaction in at a time, and a writer that finds the file locked sleeps in its busy handler for
/// up to 100 ms between tries: waiting here instead wakes it the moment the file is free (under
/// load the sleeps, not the writes, were most of the time an append took).
///
/// Appends to the log go before read-model updates that are waiting with them: a customer's
/// message or an assignment should not queue behind projections, which catch up right after.
/// Read models yield once, not for ever (see [`WriteGate::for_read_models`]).
#[derive(Default)]
pub struct WriteGate {
    turn: Arc<AsyncMutex<()>>,
    appends_waiting: AtomicUsize,
    appends_let_in: Notify,
}

/// A writer's turn at the file; the next writer goes when it is dropped.
pub type WriteTurn = OwnedMutexGuard<()>;

impl WriteGate {
    /// The gate of the database file `url` names, shared by everyone in this process.
    pub fn of(url: &str) -> std::result::Result<Arc<WriteGate>, sqlx::Error> {
        static GATES: OnceLock<Mutex<HashMap<PathBuf, Arc<WriteGate>>>> = OnceLock::new();
        let file = SqliteConnectOptions::from_str(url)?.get_filename().to_path_buf();
        let file = std::path::absolute(&file).unwrap_or(file);
        let mut gates = GATES.get_or_init(Default::default).lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        Ok(gates.entry(file).or_default().clone())
    }

    pub async fn for_append(&self) -> WriteTurn {
        self.appends_waiting.fetch_add(1, Ordering::SeqCst);
        // Counted out when it gets its turn or is given up while waiting (its task dropped, as a
        // stopping server drops them): a waiting append counted for ever would keep every read
        // model waiting for it.
        let waiting = AppendWaiting(self);
        let turn = self.turn.clone().lock_owned().await;
        drop(waiting);
        turn
    }

    /// A turn for read models: after the appends waiting now, not after every append to come.
    /// Under a steady stream of messages some append is nearly always waiting, and a read model
    /// that let each one by would never write: the requests that wait to read their writes, and
    /// the live pages, would wait with it.
    pub async fn for_read_models(&self) -> WriteTurn {
        let appends_let_in = self.appends_let_in.notified();
        if self.appends_waiting.load(Ordering::SeqCst) > 0 {
            appends_let_in.await;
        }
        self.turn.clone().lock_owned().await
    }
}

/// An append waiting for its turn, counted out of the gate's waiting appends when dropped.
struct AppendWaiting<'a>(&'a WriteGate);

impl Drop for AppendWaiting<'_> {
    fn drop(&mut self) {
        if self.0.appends_waiting.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.appends_let_in.notify_waiters();
        }
    }
}

pub struct SqliteLog {
    gate: Arc<WriteGate>,
    writer: SqlitePool,
    readers: SqlitePool,
    commits: watch::Sender<u64>,
}

/// How long after a commit the write-ahead log is copied into the database file, so that one
/// copy takes many commits.
const CHECKPOINT_AFTER: Duration = Duration::from_millis(200);

/// Copies the write-ahead log into the database file after commits, on a connection of its own,
/// until the log is closed. SQLite would otherwise do it inside whichever commit filled the WAL
/// (every 1,000 pages), with the writer's turn held through the copy and its `fsync`: under load
/// the appends waiting behind it stalled for tens of milliseconds. `PASSIVE` never waits for
/// readers or writers; what it cannot copy now, the next one does.
async fn checkpoint_after_commits(mut connection: SqliteConnection, mut commits: watch::Receiver<u64>) {
    while commits.changed().await.is_ok() {
        tokio::time::sleep(CHECKPOINT_AFTER).await;
        commits.borrow_and_update();
        if let Err(error) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&mut connection).await {
            tracing::warn!(%error, "the write-ahead log could not be copied into the database file");
        }
    }
}

/// The connection settings every user of the database file shares. SQLite's own checkpoints are
/// off: [`checkpoint_after_commits`] copies the WAL instead, outside the writers' turns.
pub fn connect_options(url: &str) -> Result<SqliteConnectOptions> {
    Ok(SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(Duration::from_secs(30))
        .pragma("wal_autocheckpoint", "0")
        .foreign_keys(true))
}

impl SqliteLog {
    /// Opens (creating when missing) the database file and runs the migrations.
    pub async fn connect(url: &str) -> Result<Self> {
        let options = connect_options(url)?;
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            // The one writer connection is ours alone and in-process: pinging it before every
            // append only adds a round trip to its worker thread.
            .test_before_acquire(false)
            // An append dropped while opening its transaction must not leave the one writer
            // connection inside it: such a connection is closed instead of pooled.
            .after_release(|connection, _| {
                Box::pin(async move { Ok(!sqlx::Connection::is_in_transaction(connection)) })
            })
            .acquire_timeout(Duration::from_secs(60))
            .connect_with(options.clone())
            .await?;
        MIGRATOR.run(&writer).await?;
        let readers = SqlitePoolOptions::new().max_connections(4).connect_with(options.clone()).await?;
        let (commits, _) = watch::channel(0);
        let checkpointer: SqliteConnection = sqlx::Connection::connect_with(&options).await?;
        tokio::spawn(checkpoint_after_commits(checkpointer, commits.subscribe()));
        Ok(Self { gate: WriteGate::of(url)?, writer, readers, commits })
    }

    pub fn writer(&self) -> &SqlitePool {
        &self.writer
    }

    /// Appends with the expectation checked by the insert itself: one statement per chunk of
    /// the batch in the common case; the checks that explain a refusal run only on refusal.
    async fn append_on(
        connection: &mut SqliteConnection,
        stream: &str,
        expected: ExpectedRevision,
        events: Vec<NewEvent>,
    ) -> Result<AppendResult> {
        check_batch(&events)?;
        if events.is_empty() {
            let actual = current_revision(connection, stream).await?;
            return checked_empty_append(stream, expected, actual);
        }
        let recorded_at = Utc::now();
        let mut last = None;
        for chunk in events.chunks(ROWS_PER_INSERT) {
            // Later chunks continue exactly where the previous one ended.
            let chunk_expected = match last {
                None => expected,
                Some((revision, _)) => ExpectedRevision::Exact(revision),
            };
            match insert_checked(connection, stream, chunk_expected, chunk, recorded_at).await {
                Ok(Some(appended)) => last = Some(appended),
                Ok(None) => return refusal(connection, stream, expected, &events).await,
                Err(error) if is_duplicate_event_id(&error) => {
                    let stored = stored_under(connection, &events).await?;
                    return idempotent_result(stream, &events, &stored);
                }
                Err(error) => return Err(error.into()),
            }
        }
        let (revision, sequence) = last.ok_or_else(|| EventLogError::Corrupt("an append stored nothing".into()))?;
        Ok(AppendResult {
            next_expected_revision: Some(revision),
            position: Some(Position { transaction: 0, sequence }),
        })
    }
}

/// Appends several streams' batches with one read of their revisions and one insert — the common
/// case of a multi-stream transaction (the router's 200 assignments touch 400 streams). `None`
/// when the batches need the one-stream path: an expectation that does not hold (to say why, or
/// to answer a retry), an event id already stored, a stream named twice, an empty or large batch.
/// A refused insert writes nothing, so that path starts from where this one did.
async fn append_at_once(
    connection: &mut SqliteConnection,
    batches: &[StreamBatch],
) -> Result<Option<Vec<AppendResult>>> {
    let rows: usize = batches.iter().map(|b| b.events.len()).sum();
    let streams: HashSet<&str> = batches.iter().map(|b| b.stream.as_str()).collect();
    if rows > ROWS_PER_INSERT || streams.len() != batches.len() || batches.iter().any(|b| b.events.is_empty()) {
        return Ok(None);
    }
    for batch in batches {
        check_batch(&batch.events)?;
    }
    let mut current: HashMap<String, u64> = HashMap::new();
    for chunk in batches.chunks(ROWS_PER_INSERT / 4) {
        let mut query = QueryBuilder::<Sqlite>::new("SELECT stream_id, max(revision) FROM events WHERE stream_id IN (");
        let mut names = query.separated(", ");
        for batch in chunk {
            names.push_bind(&batch.stream);
        }
        query.push(") GROUP BY stream_id");
        let found: Vec<(String, i64)> = query.build_query_as().fetch_all(&mut *connection).await?;
        for (stream, revision) in found {
            current.insert(stream, revision_from_db(revision)?);
        }
    }
    if batches.iter().any(|b| !b.expected.admits(current.get(&b.stream).copied())) {
        return Ok(None);
    }
    let recorded_at = Utc::now();
    let mut insert = QueryBuilder::<Sqlite>::new(
        "INSERT INTO events (event_id, stream_id, revision, event_type, schema_version, data, company_id, \
         actor, correlation_id, causation_id, occurred_at, recorded_at) ",
    );
    let rows = batches.iter().flat_map(|batch| {
        let first = current.get(&batch.stream).map_or(0, |revision| revision + 1);
        batch.events.iter().enumerate().map(move |(i, event)| (batch.stream.as_str(), first + i as u64, event))
    });
    insert.push_values(rows, |mut row, (stream, revision, event)| {
        row.push_bind(event.event_id.to_string())
            .push_bind(stream)
            .push_bind(i64::try_from(revision).unwrap_or(i64::MAX))
            .push_bind(&event.event_type)
            .push_bind(i64::from(event.metadata.schema_version))
            .push_bind(event.data.to_string())
            .push_bind(event.metadata.company_id.to_string())
            .push_bind(&event.metadata.actor)
            .push_bind(event.metadata.correlation_id.to_string())
            .push_bind(event.metadata.causation_id.map(|id| id.to_string()))
            .push_bind(event.metadata.occurred_at)
            .push_bind(recorded_at);
    });
    insert.push(" RETURNING stream_id, position");
    let stored: Vec<(String, i64)> = match insert.build_query_as().fetch_all(&mut *connection).await {
        Ok(stored) => stored,
        Err(error) if is_duplicate_event_id(&error) => return Ok(None),
        Err(error) => return Err(error.into()),
    };
    let mut last_position: HashMap<String, i64> = HashMap::new();
    for (stream, position) in stored {
        let last = last_position.entry(stream).or_insert(position);
        *last = (*last).max(position);
    }
    let results = batches
        .iter()
        .map(|batch| {
            let before = current.get(&batch.stream).copied();
            let appended = batch.events.len() as u64;
            AppendResult {
                next_expected_revision: Some(before.map_or(appended - 1, |revision| revision + appended)),
                position: last_position
                    .get(&batch.stream)
                    .map(|sequence| Position { transaction: 0, sequence: *sequence }),
            }
        })
        .collect();
    Ok(Some(results))
}

async fn current_revision(connection: &mut SqliteConnection, stream: &str) -> Result<Option<u64>> {
    let current: Option<i64> = sqlx::query_scalar("SELECT max(revision) FROM events WHERE stream_id = ?1")
        .bind(stream)
        .fetch_one(&mut *connection)
        .await?;
    current.map(revision_from_db).transpose()
}

/// Why an insert whose expectation failed stored nothing: a retry of a stored batch, or a stale
/// expectation.
async fn refusal(
    connection: &mut SqliteConnection,
    stream: &str,
    expected: ExpectedRevision,
    events: &[NewEvent],
) -> Result<AppendResult> {
    let stored = stored_under(connection, events).await?;
    if !stored.is_empty() {
        return idempotent_result(stream, events, &stored);
    }
    let actual = current_revision(connection, stream).await?;
    Err(EventLogError::WrongExpectedRevision { stream: stream.to_string(), expected, actual })
}

fn is_duplicate_event_id(error: &sqlx::Error) -> bool {
    error.as_database_error().is_some_and(|db| db.is_unique_violation() && db.message().contains("events.event_id"))
}

/// Inserts a chunk at the revisions after the stream's last one, only if `expected` holds.
/// `None`: the expectation did not hold and nothing was written.
async fn insert_checked(
    connection: &mut SqliteConnection,
    stream: &str,
    expected: ExpectedRevision,
    chunk: &[NewEvent],
    recorded_at: chrono::DateTime<Utc>,
) -> std::result::Result<Option<(u64, i64)>, sqlx::Error> {
    let mut insert =
        QueryBuilder::<Sqlite>::new("WITH current AS (SELECT max(revision) AS revision FROM events WHERE stream_id = ");
    insert.push_bind(stream).push(
        ") INSERT INTO events (event_id, stream_id, revision, event_type, schema_version, data, company_id, \
         actor, correlation_id, causation_id, occurred_at, recorded_at) \
         SELECT batch.column1, ",
    );
    insert.push_bind(stream).push(
        ", coalesce(current.revision, -1) + batch.column2, batch.column3, batch.column4, batch.column5, \
         batch.column6, batch.column7, batch.column8, batch.column9, batch.column10, ",
    );
    insert.push_bind(recorded_at).push(" FROM current, (");
    insert.push_values(chunk.iter().enumerate(), |mut row, (i, event)| {
        row.push_bind(event.event_id.to_string())
            .push_bind(i as i64 + 1)
            .push_bind(&event.event_type)
            .push_bind(i64::from(event.metadata.schema_version))
            .push_bind(event.data.to_string())
            .push_bind(event.metadata.company_id.to_string())
            .push_bind(&event.metadata.actor)
            .push_bind(event.metadata.correlation_id.to_string())
            .push_bind(event.metadata.causation_id.map(|id| id.to_string()))
            .push_bind(event.metadata.occurred_at);
    });
    insert.push(") AS batch WHERE ");
    match expected {
        ExpectedRevision::Any => insert.push("1 = 1"),
        ExpectedRevision::NoStream => insert.push("current.revision IS NULL"),
        ExpectedRevision::StreamExists => insert.push("current.revision IS NOT NULL"),
        ExpectedRevision::Exact(n) => {
            let n = i64::try_from(n).unwrap_or(i64::MAX);
            insert.push("current.revision = ").push_bind(n)
        }
    };
    insert.push(" ORDER BY batch.column2 RETURNING position, revision");
    let rows: Vec<(i64, i64)> = insert.build_query_as().fetch_all(&mut *connection).await?;
    let Some(position) = rows.iter().map(|(p, _)| *p).max() else {
        return Ok(None);
    };
    let revision = rows.iter().map(|(_, r)| *r).max().unwrap_or_default();
    Ok(Some((u64::try_from(revision).unwrap_or_default(), position)))
}

async fn stored_under(
    connection: &mut SqliteConnection,
    events: &[NewEvent],
) -> Result<Vec<(Uuid, String, u64, Position)>> {
    let mut stored = Vec::new();
    for chunk in events.chunks(ROWS_PER_INSERT) {
        let mut query = QueryBuilder::<Sqlite>::new(
            "SELECT event_id, stream_id, revision, position FROM events WHERE event_id IN (",
        );
        let mut ids = query.separated(", ");
        for event in chunk {
            ids.push_bind(event.event_id.to_string());
        }
        query.push(")");
        for row in query.build().fetch_all(&mut *connection).await? {
            let id: String = row.try_get("event_id")?;
            stored.push((
                parse_uuid(&id)?,
                row.try_get("stream_id")?,
                revision_from_db(row.try_get("revision")?)?,
                Position { transaction: 0, sequence: row.try_get("position")? },
            ));
        }
    }
    Ok(stored)
}

fn parse_uuid(text: &str) -> Result<Uuid> {
    Uuid::parse_str(text).map_err(|_| EventLogError::Corrupt(format!("`{text}` is not a uuid")))
}

fn recorded(row: &SqliteRow) -> Result<RecordedEvent> {
    let schema_version: i64 = row.try_get("schema_version")?;
    let data: String = row.try_get("data")?;
    let causation: Option<String> = row.try_get("causation_id")?;
    Ok(RecordedEvent {
        event_id: parse_uuid(row.try_get("event_id")?)?,
        stream: row.try_get("stream_id")?,
        revision: revision_from_db(row.try_get("revision")?)?,
        position: Position { transaction: 0, sequence: row.try_get("position")? },
        event_type: row.try_get("event_type")?,
        data: serde_json::from_str(&data).map_err(|e| EventLogError::Corrupt(format!("event body: {e}")))?,
        metadata: Metadata {
            occurred_at: row.try_get("occurred_at")?,
            company_id: parse_uuid(row.try_get("company_id")?)?,
            actor: row.try_get("actor")?,
            correlation_id: parse_uuid(row.try_get("correlation_id")?)?,
            causation_id: causation.as_deref().map(parse_uuid).transpose()?,
            schema_version: u32::try_from(schema_version)
                .map_err(|_| EventLogError::Corrupt(format!("schema version {schema_version}")))?,
        },
        recorded_at: row.try_get("recorded_at")?,
    })
}

struct SqliteAppendTransaction {
    transaction: Transaction<'static, Sqlite>,
    commits: watch::Sender<u64>,
    appended: bool,
    /// Declared after the transaction, so it is let go of only once the transaction has ended.
    _turn: WriteTurn,
}

#[async_trait]
impl AppendTransaction for SqliteAppendTransaction {
    async fn append(
        &mut self,
        stream: &str,
        expected: ExpectedRevision,
        events: Vec<NewEvent>,
    ) -> Result<AppendResult> {
        let result = SqliteLog::append_on(&mut self.transaction, stream, expected, events).await?;
        self.appended |= result.position.is_some();
        Ok(result)
    }

    async fn append_many(&mut self, batches: Vec<StreamBatch>) -> Result<Vec<AppendResult>> {
        if let Some(results) = append_at_once(&mut self.transaction, &batches).await? {
            self.appended = true;
            return Ok(results);
        }
        let mut results = Vec::with_capacity(batches.len());
        for batch in batches {
            results.push(self.append(&batch.stream, batch.expected, batch.events).await?);
        }
        Ok(results)
    }

    async fn append_each(&mut self, batches: Vec<StreamBatch>) -> Result<Vec<Result<AppendResult>>> {
        let mut results = Vec::with_capacity(batches.len());
        for batch in batches {
            let mut savepoint = sqlx::Acquire::begin(&mut self.transaction).await?;
            match SqliteLog::append_on(&mut savepoint, &batch.stream, batch.expected, batch.events).await {
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
            tick(&self.commits);
        }
        Ok(())
    }

    async fn rollback(self: Box<Self>) -> Result<()> {
        Ok(self.transaction.rollback().await?)
    }
}

#[async_trait]
impl EventLog for SqliteLog {
    async fn begin(&self) -> Result<Box<dyn AppendTransaction + '_>> {
        let turn = self.gate.for_append().await;
        Ok(Box::new(SqliteAppendTransaction {
            transaction: self.writer.begin_with("BEGIN IMMEDIATE").await?,
            commits: self.commits.clone(),
            appended: false,
            _turn: turn,
        }))
    }

    /// One statement, atomic on its own, when the batch fits one insert: no `BEGIN` and `COMMIT`,
    /// each a round trip to SQLite's thread. The turn is held throughout, so that the reads that
    /// say why an insert was refused see what it saw.
    async fn append(&self, stream: &str, expected: ExpectedRevision, events: Vec<NewEvent>) -> Result<AppendResult> {
        if events.len() > ROWS_PER_INSERT {
            let mut transaction = self.begin().await?;
            let result = transaction.append(stream, expected, events).await?;
            transaction.commit().await?;
            return Ok(result);
        }
        let _turn = self.gate.for_append().await;
        let mut connection = self.writer.acquire().await?;
        let result = SqliteLog::append_on(&mut connection, stream, expected, events).await?;
        if result.position.is_some() {
            tick(&self.commits);
        }
        Ok(result)
    }

    async fn read_stream(&self, stream: &str) -> Result<Vec<RecordedEvent>> {
        let rows = sqlx::query(&format!("{SELECT_EVENTS} WHERE stream_id = ?1 ORDER BY revision"))
            .bind(stream)
            .fetch_all(&self.readers)
            .await?;
        rows.iter().map(recorded).collect()
    }

    async fn read_streams(&self, streams: &[String]) -> Result<HashMap<String, Vec<RecordedEvent>>> {
        let asked = serde_json::to_string(streams).map_err(|e| EventLogError::Corrupt(format!("stream names: {e}")))?;
        let rows = sqlx::query(&format!(
            "{SELECT_EVENTS} WHERE stream_id IN (SELECT value FROM json_each(?1)) ORDER BY stream_id, revision"
        ))
        .bind(asked)
        .fetch_all(&self.readers)
        .await?;
        by_stream(streams, rows.iter().map(recorded))
    }

    async fn read_all(&self, after: Position, limit: usize) -> Result<Vec<RecordedEvent>> {
        let rows = sqlx::query(&format!("{SELECT_EVENTS} WHERE position > ?1 ORDER BY position LIMIT ?2"))
            .bind(after.sequence)
            .bind(limit_to_db(limit))
            .fetch_all(&self.readers)
            .await?;
        rows.iter().map(recorded).collect()
    }

    /// A page a query, each fetched while the reader works on the one before: one query held
    /// open for a whole rebuild would keep its snapshot, and the checkpointer could copy none of
    /// what the read models write meanwhile out of the write-ahead log, which would grow by all of
    /// it. (Every event committed is settled here: one writer.)
    async fn read_all_into(&self, after: Position, page: usize, pages: mpsc::Sender<Vec<RecordedEvent>>) -> Result<()> {
        let mut after = after;
        loop {
            let read = self.read_all(after, page.max(1)).await?;
            let Some(last) = read.last().map(|event| event.position) else { return Ok(()) };
            after = last;
            if pages.send(read).await.is_err() {
                return Ok(());
            }
        }
    }

    async fn head(&self) -> Result<Position> {
        let last: Option<i64> = sqlx::query_scalar("SELECT max(position) FROM events").fetch_one(&self.readers).await?;
        Ok(last.map_or(Position::START, |sequence| Position { transaction: 0, sequence }))
    }

    fn commits(&self) -> watch::Receiver<u64> {
        self.commits.subscribe()
    }

    fn backend(&self) -> &'static str {
        "sqlite"
    }
}
