//! The event log beside plain SQL and `postgres-es` 0.5.0 (with `cqrs-es`, the most used Rust
//! event store on PostgreSQL), on the same PostgreSQL database, with the same events, in
//! alternating rounds: appends of one event a commit by one writer and by sixteen, appends of a
//! hundred events a commit, and reading everything back with its JSON decoded.
//!
//! - Plain SQL: a table with the log's columns and primary key, no other index, no trigger; an
//!   append is one `INSERT` (a hundred rows in one `INSERT` for a batch), committed on its own;
//!   the read is one query streamed as it arrives.
//! - `postgres-es`: its own table, written and read through its `PersistedEventRepository`
//!   (`persist`, `stream_all_events`), each event's body and metadata as it stores them.
//! - This log: `EventLog::append` and `EventLog::read_all`, as the server calls them.
//!
//! Each contender has its own schema and a pool of sixteen connections; `synchronous_commit` is
//! the database's. Every run is printed; the table shows each figure's median over the rounds.
//!
//! `make bench` runs it (TEST_DATABASE_URL names the database; `make test` does not build this
//! crate). `BENCH_SECONDS` (6), `BENCH_ROUNDS` (3) and `BENCH_READ_EVENTS` (1,000,000) change
//! the run; `BENCH_FIGURES` runs only some figures (`one`, `many`, `batch`, `read`, by commas),
//! `BENCH_SIDES` only some contenders (`sql`, `peer`, `log`: to profile one alone). The log is one
//! node, as most installations are, which tells no one of its commits; `BENCH_OTHER_NODE=1` adds a
//! second node listening (in this process), so that the first pays for telling it.

use chrono::{DateTime, Utc};
use cqrs_es::event_sink::EventSink;
use cqrs_es::persist::{PersistedEventRepository, SerializedEvent};
use cqrs_es::{Aggregate, DomainEvent};
use eventlog::postgres::PostgresLog;
use eventlog::testing::{fresh_database, Backend, TestDatabase};
use eventlog::{EventLog, ExpectedRevision, Metadata, NewEvent, Position};
use futures::TryStreamExt;
use postgres_es::PostgresEventRepository;
use serde::{Deserialize, Serialize};
use sqlx::postgres::PgPoolOptions;
use sqlx::{PgPool, Row};
use std::sync::Arc;
use std::time::{Duration, Instant};
use uuid::Uuid;

const WRITERS: usize = 16;
const BATCH: usize = 100;
/// The log's page, as `server audit` reads it to check the seals.
const PAGE: usize = 1_000;

/// What every contender stores: a customer's message, about 200 bytes of JSON.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct MessageReceived {
    chat: Uuid,
    customer: String,
    channel: String,
    text: String,
    n: u64,
}

impl DomainEvent for MessageReceived {
    fn event_type(&self) -> String {
        "MessageReceived".into()
    }

    fn event_version(&self) -> String {
        "1".into()
    }
}

/// The aggregate `postgres-es` files the events under; only its type name is used.
#[derive(Default, Serialize, Deserialize)]
struct Chat;

#[derive(Debug)]
struct NeverRefused;

impl std::fmt::Display for NeverRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("never refused")
    }
}

impl std::error::Error for NeverRefused {}

impl Aggregate for Chat {
    const TYPE: &'static str = "chat";
    type Command = ();
    type Event = MessageReceived;
    type Error = NeverRefused;
    type Services = ();

    async fn handle(&mut self, _: (), _: &(), _: &EventSink<Self>) -> Result<(), NeverRefused> {
        Ok(())
    }

    fn apply(&mut self, _: MessageReceived) {}
}

/// One event's content and metadata, the same for every contender.
struct Sample {
    event_id: Uuid,
    body: MessageReceived,
    company: Uuid,
    actor: String,
    correlation: Uuid,
    occurred_at: DateTime<Utc>,
}

fn sample(n: u64) -> Sample {
    Sample {
        event_id: Uuid::now_v7(),
        body: MessageReceived {
            chat: Uuid::now_v7(),
            customer: "+5491100000000".into(),
            channel: "whatsapp".into(),
            text: "Hello, I would like to know where my order is: it should have come on Monday".into(),
            n,
        },
        company: Uuid::from_u128(1),
        actor: "customer:+5491100000000".into(),
        correlation: Uuid::now_v7(),
        occurred_at: Utc::now(),
    }
}

fn body(sample: &Sample) -> serde_json::Value {
    serde_json::to_value(&sample.body).expect("the body is JSON")
}

fn new_event(sample: &Sample) -> NewEvent {
    NewEvent {
        event_id: sample.event_id,
        event_type: "MessageReceived".into(),
        data: body(sample),
        metadata: Metadata {
            occurred_at: sample.occurred_at,
            company_id: sample.company,
            actor: sample.actor.clone(),
            correlation_id: sample.correlation,
            causation_id: None,
            schema_version: 1,
        },
    }
}

/// The event as `postgres-es` stores it: the same body, the rest in its metadata (which it reads
/// back as a map of strings).
fn serialized(stream: &str, sequence: usize, sample: &Sample) -> SerializedEvent {
    let metadata = serde_json::json!({
        "event_id": sample.event_id.to_string(),
        "company_id": sample.company.to_string(),
        "actor": sample.actor,
        "correlation_id": sample.correlation.to_string(),
        "occurred_at": sample.occurred_at.to_rfc3339(),
    });
    SerializedEvent::new(
        stream.to_string(),
        sequence,
        Chat::TYPE.to_string(),
        "MessageReceived".into(),
        "1".into(),
        body(sample),
        metadata,
    )
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    Plain,
    Peer,
    Log,
}

impl Side {
    const ALL: [Side; 3] = [Side::Plain, Side::Peer, Side::Log];

    /// Its name in `BENCH_SIDES`.
    fn key(self) -> &'static str {
        match self {
            Side::Plain => "sql",
            Side::Peer => "peer",
            Side::Log => "log",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Side::Plain => "plain SQL",
            Side::Peer => "postgres-es",
            Side::Log => "this log",
        }
    }
}

/// Each contender's store, in a schema of its own.
struct Stores {
    plain: PgPool,
    peer: PostgresEventRepository,
    peer_pool: PgPool,
    log: Arc<dyn EventLog>,
    /// A second node of the log (`BENCH_OTHER_NODE=1`), which the first then tells of its commits.
    _other_node: Option<PostgresLog>,
    log_pool: PgPool,
    schemas: Vec<TestDatabase>,
}

const PLAIN_COLUMNS: &str = "transaction_id, event_id, stream_id, revision, event_type, schema_version, data, \
     company_id, actor, correlation_id, causation_id, occurred_at";

async fn pool(url: &str) -> PgPool {
    PgPoolOptions::new().max_connections(WRITERS as u32).connect(url).await.expect("PostgreSQL answers")
}

/// A second node of the log at `url`, once `log` has heard of it.
async fn joined(log: &PostgresLog, url: &str) -> PostgresLog {
    let other = PostgresLog::connect(url, 1).await.expect("the second node opens");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !log.hears_other_nodes() {
        assert!(Instant::now() < deadline, "the log did not hear of the second node in ten seconds");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    other
}

impl Stores {
    async fn open() -> Stores {
        let (plain_schema, peer_schema, log_schema) = (
            fresh_database(Backend::Postgres).await,
            fresh_database(Backend::Postgres).await,
            fresh_database(Backend::Postgres).await,
        );
        let plain = pool(&plain_schema.url).await;
        sqlx::query(
            "CREATE TABLE events (position bigserial, transaction_id bigint NOT NULL, \
             event_id uuid NOT NULL, stream_id text NOT NULL, revision bigint NOT NULL, event_type text NOT NULL, \
             schema_version integer NOT NULL, data jsonb NOT NULL, company_id uuid NOT NULL, actor text NOT NULL, \
             correlation_id uuid NOT NULL, causation_id uuid, occurred_at timestamptz NOT NULL, \
             recorded_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (transaction_id, position))",
        )
        .execute(&plain)
        .await
        .expect("the plain table");
        let peer_pool = pool(&peer_schema.url).await;
        // The table postgres-es documents (its db/init.sql).
        sqlx::query(
            "CREATE TABLE events (aggregate_type text NOT NULL, aggregate_id text NOT NULL, \
             sequence bigint CHECK (sequence >= 0) NOT NULL, event_type text NOT NULL, event_version text NOT NULL, \
             payload json NOT NULL, metadata json NOT NULL, PRIMARY KEY (aggregate_type, aggregate_id, sequence))",
        )
        .execute(&peer_pool)
        .await
        .expect("the peer's table");
        let log = PostgresLog::connect(&log_schema.url, WRITERS as u32).await.expect("the log opens");
        let other_node = match setting("BENCH_OTHER_NODE", 0) {
            0 => None,
            _ => Some(joined(&log, &log_schema.url).await),
        };
        let log_pool = pool(&log_schema.url).await;
        Stores {
            plain,
            peer: PostgresEventRepository::new(peer_pool.clone()),
            peer_pool,
            log: Arc::new(log),
            _other_node: other_node,
            log_pool,
            schemas: vec![plain_schema, peer_schema, log_schema],
        }
    }

    /// Appends `samples` to `stream` from `revision` (0-based) in one commit.
    async fn append(&self, side: Side, stream: &str, revision: u64, samples: &[Sample]) {
        match side {
            Side::Plain => {
                let rows: Vec<String> = (0..samples.len())
                    .map(|row| {
                        let p = |column: usize| format!("${}", row * 8 + column);
                        format!(
                            "(pg_current_xact_id()::text::bigint, {}, {}, {}, 'MessageReceived', 1, {}, {}, {}, {}, NULL, {})",
                            p(1),
                            p(2),
                            p(3),
                            p(4),
                            p(5),
                            p(6),
                            p(7),
                            p(8)
                        )
                    })
                    .collect();
                let sql = format!("INSERT INTO events ({PLAIN_COLUMNS}) VALUES {}", rows.join(", "));
                let mut query = sqlx::query(&sql);
                for (i, sample) in samples.iter().enumerate() {
                    query = query
                        .bind(sample.event_id)
                        .bind(stream)
                        .bind(revision as i64 + i as i64)
                        .bind(body(sample))
                        .bind(sample.company)
                        .bind(sample.actor.as_str())
                        .bind(sample.correlation)
                        .bind(sample.occurred_at);
                }
                query.execute(&self.plain).await.expect("the plain insert");
            }
            Side::Peer => {
                let events: Vec<SerializedEvent> = samples
                    .iter()
                    .enumerate()
                    .map(|(i, sample)| serialized(stream, revision as usize + i + 1, sample))
                    .collect();
                self.peer.persist::<Chat>(&events, None).await.expect("postgres-es persists");
            }
            Side::Log => {
                let expected = match revision {
                    0 => ExpectedRevision::NoStream,
                    next => ExpectedRevision::Exact(next - 1),
                };
                self.log
                    .append(stream, expected, samples.iter().map(new_event).collect())
                    .await
                    .expect("the log appends");
            }
        }
    }

    /// Writes every dirty page out before a run, so that no contender pays for pages another
    /// dirtied (the checkpoints of a run's own writes, and the first writes to each page after
    /// them, it pays itself). Needs `pg_checkpoint`, which `scripts/test-postgres.sh` grants.
    async fn checkpoint(&self) {
        if let Err(error) = sqlx::query("CHECKPOINT").execute(&self.plain).await {
            eprintln!("no checkpoint before the run ({error}): the runs are less comparable");
        }
    }

    async fn count(&self, side: Side) -> usize {
        let pool = match side {
            Side::Plain => &self.plain,
            Side::Peer => &self.peer_pool,
            Side::Log => &self.log_pool,
        };
        let count: i64 = sqlx::query_scalar("SELECT count(*) FROM events").fetch_one(pool).await.expect("a count");
        usize::try_from(count).unwrap_or_default()
    }

    /// Reads every event back with its body decoded; answers how many.
    async fn read_everything(&self, side: Side) -> usize {
        let mut count = 0;
        match side {
            Side::Plain => {
                let mut rows = sqlx::query(
                    "SELECT position, transaction_id, event_id, stream_id, revision, event_type, schema_version, data, \
                     company_id, actor, correlation_id, causation_id, occurred_at, recorded_at FROM events ORDER BY transaction_id, position",
                )
                .fetch(&self.plain);
                while let Some(row) = rows.try_next().await.expect("the plain read") {
                    let data: serde_json::Value = row.get("data");
                    let body: MessageReceived = serde_json::from_value(data).expect("a body");
                    std::hint::black_box((
                        body,
                        row.get::<i64, _>("position"),
                        row.get::<i64, _>("transaction_id"),
                        row.get::<Uuid, _>("event_id"),
                        row.get::<String, _>("stream_id"),
                        row.get::<i64, _>("revision"),
                        row.get::<String, _>("event_type"),
                        row.get::<i32, _>("schema_version"),
                        row.get::<Uuid, _>("company_id"),
                        row.get::<String, _>("actor"),
                        row.get::<Uuid, _>("correlation_id"),
                        row.get::<Option<Uuid>, _>("causation_id"),
                        row.get::<DateTime<Utc>, _>("occurred_at"),
                        row.get::<DateTime<Utc>, _>("recorded_at"),
                    ));
                    count += 1;
                }
            }
            Side::Peer => {
                let mut stream = self.peer.stream_all_events::<Chat>().await.expect("postgres-es streams");
                while let Some(envelope) = stream.next::<Chat>(&[]).await {
                    std::hint::black_box(envelope.expect("postgres-es decodes"));
                    count += 1;
                }
            }
            Side::Log => {
                let (sender, mut pages) = tokio::sync::mpsc::channel(1);
                let log = self.log.clone();
                let reading = tokio::spawn(async move { log.read_all_into(Position::START, PAGE, sender).await });
                while let Some(page) = pages.recv().await {
                    for event in &page {
                        let body = MessageReceived::deserialize(&event.data).expect("a body");
                        std::hint::black_box(body);
                    }
                    count += page.len();
                }
                reading.await.expect("the read's task").expect("the log reads");
            }
        }
        count
    }
}

/// One figure: what a contender does over and over until `deadline`, and how many events that was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Figure {
    OneWriter,
    ManyWriters,
    Batches,
}

impl Figure {
    const ALL: [Figure; 3] = [Figure::OneWriter, Figure::ManyWriters, Figure::Batches];

    /// Its name in `BENCH_FIGURES`.
    fn key(self) -> &'static str {
        match self {
            Figure::OneWriter => "one",
            Figure::ManyWriters => "many",
            Figure::Batches => "batch",
        }
    }

    fn name(self) -> String {
        match self {
            Figure::OneWriter => "1 event per commit, 1 writer (events/s)".into(),
            Figure::ManyWriters => format!("1 event per commit, {WRITERS} writers (events/s)"),
            Figure::Batches => format!("{BATCH} events per commit, 1 writer (events/s)"),
        }
    }

    async fn run(self, stores: &Arc<Stores>, side: Side, round: usize, seconds: Duration) -> f64 {
        stores.checkpoint().await;
        let started = Instant::now();
        let deadline = started + seconds;
        let events = match self {
            Figure::OneWriter => writing(stores.clone(), side, format!("one-{round}"), 1, deadline).await,
            Figure::ManyWriters => {
                let writers = (0..WRITERS).map(|writer| {
                    tokio::spawn(writing(stores.clone(), side, format!("many-{round}-{writer}"), 1, deadline))
                });
                futures::future::try_join_all(writers).await.expect("every writer ends").into_iter().sum()
            }
            Figure::Batches => writing(stores.clone(), side, format!("batch-{round}"), BATCH, deadline).await,
        };
        events as f64 / started.elapsed().as_secs_f64()
    }
}

/// Appends `per_commit` events a commit until `deadline`: single events go one after the other to
/// one stream, batches each to a new stream. Answers how many events.
async fn writing(stores: Arc<Stores>, side: Side, stream: String, per_commit: usize, deadline: Instant) -> usize {
    let mut written = 0;
    let mut commits = 0_u64;
    while Instant::now() < deadline {
        let samples: Vec<Sample> = (0..per_commit as u64).map(sample).collect();
        if per_commit == 1 {
            stores.append(side, &stream, commits, &samples).await;
        } else {
            stores.append(side, &format!("{stream}-{commits}"), 0, &samples).await;
        }
        commits += 1;
        written += per_commit;
    }
    written
}

fn median(mut runs: Vec<f64>) -> f64 {
    runs.sort_by(f64::total_cmp);
    runs.get(runs.len() / 2).copied().unwrap_or_default()
}

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|value| value.replace(['_', ','], "").parse().ok()).unwrap_or(default)
}

#[tokio::main]
async fn main() {
    let seconds = Duration::from_secs(setting("BENCH_SECONDS", 6));
    let rounds = setting("BENCH_ROUNDS", 3) as usize;
    let read_events = setting("BENCH_READ_EVENTS", 1_000_000) as usize;
    let stores = Arc::new(Stores::open().await);
    let mut table: Vec<(String, [Vec<f64>; 3])> = Vec::new();

    for figure in Figure::ALL.into_iter().filter(|figure| chosen(figure.key())) {
        let mut runs: [Vec<f64>; 3] = Default::default();
        for round in 0..rounds {
            // Each round starts with another contender, so none always finds the database warm.
            for offset in 0..3 {
                let index = (round + offset) % 3;
                let side = Side::ALL[index];
                if !listed("BENCH_SIDES", side.key()) {
                    continue;
                }
                let rate = figure.run(&stores, side, round, seconds).await;
                eprintln!("round {}: {}: {}: {rate:.0}", round + 1, figure.name(), side.name());
                runs[index].push(rate);
            }
        }
        table.push((figure.name(), runs));
    }

    if chosen("read") {
        table.push(read_back(&stores, rounds, read_events).await);
    }

    println!("| figure | plain SQL | postgres-es | this log | log ÷ SQL | log ÷ peer | goal |");
    println!("|---|---:|---:|---:|---:|---:|---|");
    for (name, runs) in table {
        let [plain, peer, log] = runs.map(median);
        let goal = if name.starts_with("read") { "≥ 0.6× SQL, ≥ 1× peer" } else { "≥ 0.8× SQL, ≥ 1× peer" };
        println!("| {name} | {plain:.0} | {peer:.0} | {log:.0} | {:.2}× | {:.2}× | {goal} |", log / plain, log / peer);
    }

    // Millions of events in each schema: not left in the test database.
    if let Ok(stores) = Arc::try_unwrap(stores) {
        for schema in stores.schemas {
            schema.remove().await;
        }
    }
}

/// Whether `BENCH_FIGURES` asks for this figure (all when it is not set).
fn chosen(key: &str) -> bool {
    listed("BENCH_FIGURES", key)
}

/// Whether the environment variable `name` lists `key` among its commas, or is not set.
fn listed(name: &str, key: &str) -> bool {
    std::env::var(name).map_or(true, |keys| keys.split(',').any(|listed| listed.trim() == key))
}

/// Fills every store to the same number of events, the most any holds after the appends (the
/// faster wrote more) and at least `read_events`, then reads each back in alternating rounds.
async fn read_back(stores: &Stores, rounds: usize, read_events: usize) -> (String, [Vec<f64>; 3]) {
    let mut held = [0; 3];
    for (index, side) in Side::ALL.into_iter().enumerate() {
        held[index] = stores.count(side).await;
    }
    let wanted = held.into_iter().max().unwrap_or_default().max(read_events);
    for (side, mut held) in Side::ALL.into_iter().zip(held) {
        let mut batch = 0;
        while held < wanted {
            let samples: Vec<Sample> = (0..BATCH.min(wanted - held) as u64).map(sample).collect();
            stores.append(side, &format!("fill-{batch}"), 0, &samples).await;
            held += samples.len();
            batch += 1;
        }
    }
    let mut runs: [Vec<f64>; 3] = Default::default();
    let mut counted = [0; 3];
    for round in 0..rounds {
        for offset in 0..3 {
            let index = (round + offset) % 3;
            let side = Side::ALL[index];
            stores.checkpoint().await;
            let started = Instant::now();
            let count = stores.read_everything(side).await;
            let rate = count as f64 / started.elapsed().as_secs_f64();
            eprintln!("round {}: read everything: {}: {count} events, {rate:.0}/s", round + 1, side.name());
            counted[index] = count;
            runs[index].push(rate);
        }
    }
    assert!(counted.iter().all(|&count| count == counted[0]), "each contender read as many events: {counted:?}");
    (format!("read everything, JSON decoded ({} events, rows/s)", counted[0]), runs)
}
