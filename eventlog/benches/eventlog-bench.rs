//! Event log benchmarks, each figure beside a baseline measured in the same run on the same
//! database: raw INSERT + COMMIT of the same rows for appends, raw SELECT + JSON decode for reads,
//! the same call accepted for a refused one.
//!
//! `make bench` (needs TEST_DATABASE_URL for PostgreSQL; `BENCH_READ_EVENTS` shrinks the read set).

use chrono::Utc;
use eventlog::testing::{fresh_database, Backend, TestDatabase};
use eventlog::{EventLog, ExpectedRevision, Metadata, NewEvent, Position, StreamBatch};
use futures::future::join_all;
use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Row};
use std::sync::Arc;
use std::time::{Duration, Instant};
use uuid::Uuid;

const SINGLE_WRITER_APPENDS: usize = 2_000;
const WRITERS: usize = 16;
const APPENDS_PER_WRITER: usize = 250;
const BATCHES: usize = 200;
const BATCH_SIZE: usize = 100;
const PAGE: usize = 1_000;
/// A call the size of one of the router's transactions: 200 assignments, two streams each.
const STREAMS_PER_CALL: usize = 400;
const CALLS: usize = 20;

fn event() -> NewEvent {
    NewEvent {
        event_id: Uuid::now_v7(),
        event_type: "MessageReceived".into(),
        data: serde_json::json!({ "chat": Uuid::now_v7(), "text": "Hello, I would like to know the status of my order", "n": 42 }),
        metadata: Metadata {
            occurred_at: Utc::now(),
            company_id: Uuid::from_u128(1),
            actor: "customer:00000000-0000-0000-0000-000000000001".into(),
            correlation_id: Uuid::now_v7(),
            causation_id: None,
            schema_version: 1,
        },
    }
}

struct Row_ {
    figure: String,
    unit: &'static str,
    log: f64,
    baseline: f64,
    goal: f64,
}

/// The same rows the log stores, written the plainest way the database allows.
struct Raw {
    pool: AnyPool,
    backend: Backend,
}

impl Raw {
    async fn connect(database: &TestDatabase) -> Raw {
        sqlx::any::install_default_drivers();
        let pool = AnyPoolOptions::new().max_connections(WRITERS as u32).connect(&database.url).await.unwrap();
        let create = match database.backend {
            Backend::Postgres => "CREATE TABLE raw_events (LIKE events INCLUDING ALL)".to_string(),
            Backend::Sqlite => {
                let ddl: String = sqlx::query_scalar("SELECT sql FROM sqlite_master WHERE name = 'events'")
                    .fetch_one(&pool)
                    .await
                    .unwrap();
                ddl.replacen("CREATE TABLE events", "CREATE TABLE raw_events", 1)
            }
        };
        sqlx::query(&create).execute(&pool).await.unwrap();
        if database.backend == Backend::Sqlite {
            sqlx::query("PRAGMA busy_timeout = 30000").execute(&pool).await.unwrap();
        }
        Raw { pool, backend: database.backend }
    }

    /// One transaction inserting `events` at consecutive revisions of `stream`.
    async fn insert(&self, stream: &str, first_revision: i64, events: &[NewEvent]) {
        let (columns, transaction_value) = match self.backend {
            Backend::Postgres => ("transaction_id, ", "pg_current_xact_id()::text::bigint, "),
            Backend::Sqlite => ("", ""),
        };
        let cast = |ty: &str| {
            if self.backend == Backend::Postgres {
                format!("::{ty}")
            } else {
                String::new()
            }
        };
        let mut sql = format!(
            "INSERT INTO raw_events ({columns}event_id, stream_id, revision, event_type, schema_version, data, \
             company_id, actor, correlation_id, causation_id, occurred_at, recorded_at) VALUES "
        );
        for i in 0..events.len() {
            let p = |k: usize| format!("${}", i * 12 + k);
            sql.push_str(&format!(
                "{}({transaction_value}{}{}, {}, {}, {}, {}, {}{}, {}{}, {}, {}{}, {}{}, {}{}, {}{})",
                if i > 0 { "," } else { "" },
                p(1),
                cast("uuid"),
                p(2),
                p(3),
                p(4),
                p(5),
                p(6),
                cast("jsonb"),
                p(7),
                cast("uuid"),
                p(8),
                p(9),
                cast("uuid"),
                p(10),
                cast("uuid"),
                p(11),
                cast("timestamptz"),
                p(12),
                cast("timestamptz")
            ));
        }
        let mut query = sqlx::query(&sql);
        for (i, e) in events.iter().enumerate() {
            query = query
                .bind(e.event_id.to_string())
                .bind(stream.to_string())
                .bind(first_revision + i as i64)
                .bind(e.event_type.clone())
                .bind(1_i32)
                .bind(e.data.to_string())
                .bind(e.metadata.company_id.to_string())
                .bind(e.metadata.actor.clone())
                .bind(e.metadata.correlation_id.to_string())
                .bind(Option::<String>::None)
                .bind(e.metadata.occurred_at.to_rfc3339())
                .bind(Utc::now().to_rfc3339());
        }
        let mut transaction = self.pool.begin().await.unwrap();
        query.execute(&mut *transaction).await.unwrap();
        transaction.commit().await.unwrap();
    }

    /// Reads every row of the log's table in pages, decoding each body from JSON, with the
    /// backend's native driver: the least a reader of these rows can do.
    async fn read_all(&self, url: &str) -> usize {
        let mut count = 0;
        let mut after = 0_i64;
        match self.backend {
            Backend::Postgres => {
                let pool = sqlx::PgPool::connect(url).await.unwrap();
                // Paged by the table's key, the global order.
                let mut after_transaction = 0_i64;
                loop {
                    let rows = sqlx::query(
                        "SELECT position, transaction_id, event_id, stream_id, revision, event_type, schema_version, data, \
                         company_id, actor, correlation_id, causation_id, occurred_at, recorded_at FROM events \
                         WHERE (transaction_id, position) > ($1, $2) ORDER BY transaction_id, position LIMIT $3",
                    )
                    .bind(after_transaction)
                    .bind(after)
                    .bind(PAGE as i64)
                    .fetch_all(&pool)
                    .await
                    .unwrap();
                    let Some(last) = rows.last() else { break };
                    after_transaction = last.get("transaction_id");
                    after = last.get("position");
                    for row in &rows {
                        let decoded: serde_json::Value = row.get("data");
                        std::hint::black_box((
                            decoded,
                            row.get::<Uuid, _>("event_id"),
                            row.get::<String, _>("stream_id"),
                            row.get::<i64, _>("revision"),
                            row.get::<i64, _>("transaction_id"),
                            row.get::<String, _>("event_type"),
                            row.get::<i32, _>("schema_version"),
                            row.get::<Uuid, _>("company_id"),
                            row.get::<String, _>("actor"),
                            row.get::<Uuid, _>("correlation_id"),
                            row.get::<Option<Uuid>, _>("causation_id"),
                            row.get::<chrono::DateTime<Utc>, _>("occurred_at"),
                            row.get::<chrono::DateTime<Utc>, _>("recorded_at"),
                        ));
                    }
                    count += rows.len();
                }
            }
            Backend::Sqlite => {
                let pool = sqlx::SqlitePool::connect(url).await.unwrap();
                loop {
                    let rows = sqlx::query(
                        "SELECT position, event_id, stream_id, revision, event_type, schema_version, data, company_id, \
                         actor, correlation_id, causation_id, occurred_at, recorded_at FROM events \
                         WHERE position > $1 ORDER BY position LIMIT $2",
                    )
                    .bind(after)
                    .bind(PAGE as i64)
                    .fetch_all(&pool)
                    .await
                    .unwrap();
                    let Some(last) = rows.last() else { break };
                    after = last.get("position");
                    for row in &rows {
                        let data: String = row.get("data");
                        let decoded: serde_json::Value = serde_json::from_str(&data).unwrap();
                        std::hint::black_box((
                            decoded,
                            row.get::<String, _>("event_id"),
                            row.get::<String, _>("stream_id"),
                            row.get::<i64, _>("revision"),
                            row.get::<String, _>("event_type"),
                            row.get::<i64, _>("schema_version"),
                            row.get::<String, _>("company_id"),
                            row.get::<String, _>("actor"),
                            row.get::<String, _>("correlation_id"),
                            row.get::<Option<String>, _>("causation_id"),
                            row.get::<chrono::DateTime<Utc>, _>("occurred_at"),
                            row.get::<chrono::DateTime<Utc>, _>("recorded_at"),
                        ));
                    }
                    count += rows.len();
                }
            }
        }
        count
    }
}

fn per_second(count: usize, elapsed: Duration) -> f64 {
    count as f64 / elapsed.as_secs_f64()
}

/// Which side runs first alternates between two rounds, so neither profits from the other
/// having warmed the file system (a WAL file that already has its size, cached pages).
async fn alternate<L, LF, R, RF>(figure: String, count: usize, mut log: L, mut raw: R) -> Row_
where
    L: FnMut(usize) -> LF,
    LF: std::future::Future<Output = ()>,
    R: FnMut(usize) -> RF,
    RF: std::future::Future<Output = ()>,
{
    let (mut log_time, mut raw_time) = (Duration::ZERO, Duration::ZERO);
    for round in 0..2 {
        for side in [round, 1 - round] {
            let start = Instant::now();
            if side == 0 {
                log(round).await;
                log_time += start.elapsed();
            } else {
                raw(round).await;
                raw_time += start.elapsed();
            }
        }
    }
    Row_ {
        figure,
        unit: "events/s",
        log: per_second(2 * count, log_time),
        baseline: per_second(2 * count, raw_time),
        goal: 0.7,
    }
}

async fn appends_one_writer(log: &Arc<dyn EventLog>, raw: &Arc<Raw>) -> Row_ {
    alternate(
        "append, 1 event/transaction, 1 writer".into(),
        SINGLE_WRITER_APPENDS,
        |round| async move {
            for i in 0..SINGLE_WRITER_APPENDS {
                let expected = if i == 0 { ExpectedRevision::NoStream } else { ExpectedRevision::Exact(i as u64 - 1) };
                log.append(&format!("single-log-{round}"), expected, vec![event()]).await.unwrap();
            }
        },
        |round| async move {
            for i in 0..SINGLE_WRITER_APPENDS {
                raw.insert(&format!("single-raw-{round}"), i as i64, &[event()]).await;
            }
        },
    )
    .await
}

async fn appends_many_writers(log: &Arc<dyn EventLog>, raw: &Arc<Raw>) -> Row_ {
    alternate(
        format!("append, 1 event/transaction, {WRITERS} writers"),
        WRITERS * APPENDS_PER_WRITER,
        |round| async move {
            join_all((0..WRITERS).map(|w| {
                let log = log.clone();
                tokio::spawn(async move {
                    for i in 0..APPENDS_PER_WRITER {
                        let expected =
                            if i == 0 { ExpectedRevision::NoStream } else { ExpectedRevision::Exact(i as u64 - 1) };
                        log.append(&format!("writer-log-{round}-{w}"), expected, vec![event()]).await.unwrap();
                    }
                })
            }))
            .await;
        },
        |round| async move {
            join_all((0..WRITERS).map(|w| {
                let raw = raw.clone();
                tokio::spawn(async move {
                    for i in 0..APPENDS_PER_WRITER {
                        raw.insert(&format!("writer-raw-{round}-{w}"), i as i64, &[event()]).await;
                    }
                })
            }))
            .await;
        },
    )
    .await
}

async fn appends_in_batches(log: &Arc<dyn EventLog>, raw: &Arc<Raw>) -> Row_ {
    alternate(
        format!("append, {BATCH_SIZE}-event batches"),
        BATCHES * BATCH_SIZE,
        |round| async move {
            for i in 0..BATCHES {
                let batch: Vec<NewEvent> = (0..BATCH_SIZE).map(|_| event()).collect();
                log.append(&format!("batch-log-{round}-{i}"), ExpectedRevision::NoStream, batch).await.unwrap();
            }
        },
        |round| async move {
            for i in 0..BATCHES {
                let batch: Vec<NewEvent> = (0..BATCH_SIZE).map(|_| event()).collect();
                raw.insert(&format!("batch-raw-{round}-{i}"), 0, &batch).await;
            }
        },
    )
    .await
}

/// One call of `STREAMS_PER_CALL` streams, each expected new, in one transaction; answers whether
/// it was appended.
async fn append_many_streams(log: &Arc<dyn EventLog>, prefix: &str) -> bool {
    let batches = (0..STREAMS_PER_CALL)
        .map(|s| StreamBatch {
            stream: format!("{prefix}-{s}"),
            expected: ExpectedRevision::NoStream,
            events: vec![event()],
        })
        .collect();
    let mut transaction = log.begin().await.unwrap();
    let appended = transaction.append_many(batches).await.is_ok();
    if appended {
        transaction.commit().await.unwrap();
    } else {
        transaction.rollback().await.unwrap();
    }
    appended
}

/// The same calls refused for their last stream, which exists already (as when the router's
/// view of an agent is stale), beside them accepted: a refusal should cost no more.
async fn refused_many_streams(log: &Arc<dyn EventLog>) -> Row_ {
    for call in 0..CALLS {
        let last = format!("refused-{call}-{}", STREAMS_PER_CALL - 1);
        log.append(&last, ExpectedRevision::NoStream, vec![event()]).await.unwrap();
    }
    let (mut refused_time, mut accepted_time) = (Duration::ZERO, Duration::ZERO);
    for call in 0..CALLS {
        let start = Instant::now();
        assert!(!append_many_streams(log, &format!("refused-{call}")).await, "the stale call is refused");
        refused_time += start.elapsed();
        let start = Instant::now();
        assert!(append_many_streams(log, &format!("accepted-{call}")).await, "the fresh call is appended");
        accepted_time += start.elapsed();
    }
    Row_ {
        figure: format!("{STREAMS_PER_CALL}-stream call refused for its last stream (baseline: accepted)"),
        unit: "calls/s",
        log: per_second(CALLS, refused_time),
        baseline: per_second(CALLS, accepted_time),
        goal: 1.0,
    }
}

async fn read_everything(log: &Arc<dyn EventLog>, raw: &Arc<Raw>, url: &str, total: usize) -> Row_ {
    let present: i64 = sqlx::query_scalar("SELECT count(*) FROM events").fetch_one(&raw.pool).await.unwrap();
    let mut missing = total.saturating_sub(present as usize);
    let mut i = 0;
    while missing > 0 {
        let batch: Vec<NewEvent> = (0..BATCH_SIZE.min(missing)).map(|_| event()).collect();
        missing -= batch.len();
        log.append(&format!("bench-fill-{i}"), ExpectedRevision::NoStream, batch).await.unwrap();
        i += 1;
    }

    // Log, raw, raw, log: neither side always reads a cache the other warmed.
    let (mut log_time, mut raw_time) = (Duration::ZERO, Duration::ZERO);
    let (mut count, mut raw_count) = (0, 0);
    for side in [0, 1, 1, 0] {
        let start = Instant::now();
        if side == 0 {
            count = read_through_log(log).await;
            log_time += start.elapsed();
        } else {
            raw_count = raw.read_all(url).await;
            raw_time += start.elapsed();
        }
    }
    assert_eq!(raw_count, count, "both readers read the same rows");
    let log_rate = per_second(2 * count, log_time);
    let baseline = per_second(2 * raw_count, raw_time);
    Row_ { figure: format!("read_all of {count} events"), unit: "events/s", log: log_rate, baseline, goal: 0.6 }
}

/// The whole log as its rebuilds read it: one query, handed on a page at a time.
async fn read_through_log(log: &Arc<dyn EventLog>) -> usize {
    let (sender, mut pages) = tokio::sync::mpsc::channel(1);
    let reading = tokio::spawn({
        let log = log.clone();
        async move { log.read_all_into(Position::START, PAGE, sender).await }
    });
    let mut count = 0;
    while let Some(page) = pages.recv().await {
        count += page.len();
    }
    reading.await.unwrap().unwrap();
    count
}

#[tokio::main]
async fn main() {
    let read_events: usize = std::env::var("BENCH_READ_EVENTS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    println!("| backend | figure | event log | baseline | ratio | goal |");
    println!("|---|---|---:|---:|---:|---:|");
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let database = fresh_database(backend).await;
        let log = eventlog::open(&database.url).await.unwrap();
        let raw = Arc::new(Raw::connect(&database).await);
        let rows = vec![
            appends_one_writer(&log, &raw).await,
            appends_many_writers(&log, &raw).await,
            appends_in_batches(&log, &raw).await,
            refused_many_streams(&log).await,
            read_everything(&log, &raw, &database.url, read_events).await,
        ];
        for row in rows {
            let ratio = row.log / row.baseline;
            println!(
                "| {:?} | {} | {:.0} {} | {:.0} {} | {:.2}× | ≥ {:.1}×{} |",
                backend,
                row.figure,
                row.log,
                row.unit,
                row.baseline,
                row.unit,
                ratio,
                row.goal,
                if ratio < row.goal { " **below goal**" } else { "" }
            );
        }
    }
}
