//! Routing benchmark (issue 3): 1,000 agents in 100 queues; 10,000 chats arrive through the API
//! line while nobody is online; then every agent comes online and the router drains the backlog.
//! Then, with agents free, 1,000 more chats arrive at a steady pace and each one's time from
//! "inbound message appended" to "assigned" is measured: from the `occurred_at` of its
//! `ChatQueued` (written with the message) to that of its `ChatAssigned` (the router's decision,
//! committed right after).
//!
//! Baseline, same run, same database: the plainest SQL doing the assignments' writes — one
//! UPDATE per chat in transactions of the router's size — to show what the router's event-sourced
//! decisions cost beside it.
//!
//! `make bench` (TEST_DATABASE_URL names the PostgreSQL database). Not a test: it asserts nothing.

use chrono::Utc;
use domain::agent::AgentEvent;
use domain::email::Email;
use domain::ids::{LineId, QueueId, UserId};
use domain::line::{LineEvent, LineRouting};
use domain::queue::{QueueEvent, QueueName};
use domain::user::{PasswordHash, Role, UserEvent};
use eventlog::testing::{fresh_database, TestDatabase};
use eventlog::{EventLog, Position};
use futures::future::join_all;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use uuid::Uuid;

mod bench_support;
use bench_support::{add_api_key, append, backends, company, percentile, settle, start_server, KEY};

const AGENTS: usize = 1_000;
const QUEUES: usize = 100;
const BACKLOG: usize = 10_000;
const CAPACITY: u32 = 12;
const LIVE_CHATS: usize = 1_000;
const LIVE_RATE_PER_SECOND: u64 = 200;
const SENDERS: usize = 32;

struct Setup {
    agents: Vec<UserId>,
    lines: Vec<LineId>,
}

/// Agents, queues with ten members each, one API line per queue, and a key: written straight to
/// the log, as the API would have written them.
async fn set_up(log: &dyn EventLog) -> Setup {
    let agents: Vec<UserId> = (0..AGENTS).map(|_| UserId::from_uuid(Uuid::now_v7())).collect();
    join_all(agents.iter().enumerate().map(|(n, agent)| async move {
        let registered = UserEvent::Registered {
            user_id: *agent,
            company_id: company(),
            email: Email::parse(&format!("agent{n}@bench.example")).expect("an address"),
            name: format!("Agent {n}"),
            role: Role::Agent,
            password_hash: PasswordHash::new("not-used".into()),
        };
        append(log, &domain::user::user_stream(*agent), &[registered]).await;
        let capacity = AgentEvent::CapacitySet { agent: *agent, capacity: CAPACITY };
        append(log, &domain::agent::agent_stream(*agent), &[capacity]).await;
    }))
    .await;
    let mut lines = Vec::new();
    for q in 0..QUEUES {
        let queue_id = QueueId::from_uuid(Uuid::now_v7());
        let mut events = vec![QueueEvent::Created {
            queue_id,
            company_id: company(),
            name: QueueName::parse(&format!("Queue {q}")).expect("a name"),
        }];
        let members = agents.iter().skip(q * (AGENTS / QUEUES)).take(AGENTS / QUEUES);
        events.extend(members.map(|agent| QueueEvent::AgentAdded { queue_id, agent: *agent }));
        append(log, &domain::queue::queue_stream(queue_id), &events).await;
        let line_id = LineId::from_uuid(Uuid::now_v7());
        let line = LineEvent::Created {
            line_id,
            company_id: company(),
            name: format!("Line {q}"),
            routing: LineRouting::Queue(queue_id),
            webhook: None,
        };
        append(log, &domain::line::line_stream(line_id), &[line]).await;
        lines.push(line_id);
    }
    add_api_key(log).await;
    Setup { agents, lines }
}

/// Posts customers' first messages through the API line, `SENDERS` at a time.
async fn send_chats(http: &reqwest::Client, address: &str, lines: &[LineId], first: usize, count: usize) {
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(first));
    let senders = (0..SENDERS).map(|_| {
        let (http, next, lines) = (http.clone(), next.clone(), lines.to_vec());
        let address = address.to_string();
        async move {
            loop {
                let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if n >= first + count {
                    return;
                }
                post_chat(&http, &address, lines[n % lines.len()], n).await;
            }
        }
    });
    join_all(senders).await;
}

async fn post_chat(http: &reqwest::Client, address: &str, line: LineId, n: usize) {
    loop {
        let sent = http
            .post(format!("{address}/api/v1/lines/{line}/messages"))
            .bearer_auth(KEY)
            .json(&serde_json::json!({ "contact_id": format!("customer-{n}"), "name": format!("Customer {n}"), "text": "Hello, where is my order?" }))
            .send()
            .await;
        match sent {
            Ok(response) if response.status() == 202 => return,
            // The read models may not show the line yet right after the setup.
            _ => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

/// Follows the log from `after` until `expected` events of `kind` have been seen; answers, per
/// chat, when each was seen and when it was written (its `occurred_at`).
async fn seen(log: Arc<dyn EventLog>, after: Position, kind: &str, expected: usize) -> HashMap<String, Seen> {
    let mut subscription = eventlog::subscribe_all(log, after);
    let mut seen = HashMap::new();
    while seen.len() < expected {
        let Some(Ok(batch)) = subscription.next_batch(1_000).await else { break };
        let now = Instant::now();
        for event in batch.iter().filter(|e| e.event_type == kind) {
            seen.entry(event.stream.clone()).or_insert(Seen { observed: now, written: event.metadata.occurred_at });
        }
    }
    seen
}

/// How many events of each kind the log holds after `after`, as "kind: count" by count.
async fn census(log: &dyn EventLog, after: Position) -> String {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for event in log.read_all(after, 1_000_000).await.unwrap_or_default() {
        *counts.entry(event.event_type).or_default() += 1;
    }
    let mut counts: Vec<(String, usize)> = counts.into_iter().collect();
    counts.sort_by_key(|(_, count)| std::cmp::Reverse(*count));
    counts.iter().map(|(kind, count)| format!("{kind}: {count}")).collect::<Vec<_>>().join(", ")
}

/// How many appends the server has seen refused for a wrong expected revision so far.
async fn append_conflicts(http: &reqwest::Client, address: &str) -> u64 {
    let Ok(response) = http.get(format!("{address}/metrics")).send().await else { return 0 };
    let text = response.text().await.unwrap_or_default();
    text.lines()
        .find_map(|line| line.strip_prefix("eventlog_append_conflicts_total "))
        .and_then(|count| count.trim().parse().ok())
        .unwrap_or(0)
}

#[derive(Clone, Copy)]
struct Seen {
    observed: Instant,
    written: chrono::DateTime<Utc>,
}

struct Figures {
    drain_seconds: f64,
    assignments_per_second: f64,
    baseline_per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
}

async fn run(database: TestDatabase) -> Figures {
    let log = eventlog::open(&database.url).await.expect("the log opens");
    let setup = set_up(log.as_ref()).await;
    let (address, server) = start_server(&database.url).await;
    let http = reqwest::Client::builder().pool_max_idle_per_host(SENDERS).build().expect("a client");

    // Nobody online: the backlog piles up.
    let before_backlog = log.head().await.expect("the head");
    let queued = tokio::spawn(seen(log.clone(), before_backlog, "ChatQueued", BACKLOG));
    let started = Instant::now();
    send_chats(&http, &address, &setup.lines, 0, BACKLOG).await;
    let _ = queued.await;
    eprintln!("  {BACKLOG} chats waiting after {:.1} s", started.elapsed().as_secs_f64());
    tokio::time::sleep(Duration::from_secs(2)).await;

    // Everyone comes online, as their WebSockets would record it.
    let before_online = log.head().await.expect("the head");
    let assigned = tokio::spawn(seen(log.clone(), before_online, "ChatAssigned", BACKLOG));
    let conflicts_before = append_conflicts(&http, &address).await;
    let online_from = Instant::now();
    let log_ref = log.as_ref();
    join_all(setup.agents.iter().map(|agent| async move {
        let online = AgentEvent::CameOnline { agent: *agent, node: "bench".into(), at: Utc::now() };
        append(log_ref, &domain::agent::agent_stream(*agent), &[online]).await;
    }))
    .await;
    eprintln!("  every agent online after {:.2} s", online_from.elapsed().as_secs_f64());
    let assigned = assigned.await.unwrap_or_default();
    let conflicts = append_conflicts(&http, &address).await - conflicts_before;
    let last = assigned.values().map(|s| s.observed).max().unwrap_or(online_from);
    let drain_seconds = last.duration_since(online_from).as_secs_f64();
    eprintln!("  backlog of {} drained in {drain_seconds:.2} s", assigned.len());
    eprintln!("  written while draining: {}", census(log.as_ref(), before_online).await);
    eprintln!("  appends refused for a stale revision while draining: {conflicts}");

    // With the read models caught up, chats arriving at a steady pace are assigned as they come.
    settle(&http, &address).await;
    let before_live = log.head().await.expect("the head");
    let live_assigned = tokio::spawn(seen(log.clone(), before_live, "ChatAssigned", LIVE_CHATS));
    let live_queued = tokio::spawn(seen(log.clone(), before_live, "ChatQueued", LIVE_CHATS));
    let pause = Duration::from_micros(1_000_000 / LIVE_RATE_PER_SECOND);
    let mut pace = tokio::time::interval(pause);
    let mut sends = Vec::new();
    for n in 0..LIVE_CHATS {
        pace.tick().await;
        let (http, address, line) = (http.clone(), address.clone(), setup.lines[n % setup.lines.len()]);
        sends.push(tokio::spawn(async move { post_chat(&http, &address, line, BACKLOG + n).await }));
    }
    join_all(sends).await;
    let (queued_at, assigned_at) = (live_queued.await.unwrap_or_default(), live_assigned.await.unwrap_or_default());
    let mut latencies: Vec<f64> = assigned_at
        .iter()
        .filter_map(|(chat, assigned)| {
            let queued = queued_at.get(chat)?;
            Some((assigned.written - queued.written).num_microseconds()? as f64 / 1000.0)
        })
        .collect();
    latencies.sort_by(|a, b| a.total_cmp(b));
    server.abort();

    Figures {
        drain_seconds,
        assignments_per_second: assigned.len() as f64 / drain_seconds.max(1e-9),
        baseline_per_second: baseline(&database).await,
        p50_ms: percentile(&latencies, 0.5),
        p99_ms: percentile(&latencies, 0.99),
    }
}

/// The same number of assignments written the plainest way: an UPDATE per chat, committed in
/// transactions of the router's size.
async fn baseline(database: &TestDatabase) -> f64 {
    sqlx::any::install_default_drivers();
    let pool = sqlx::any::AnyPoolOptions::new().max_connections(1).connect(&database.url).await.expect("a pool");
    sqlx::query("CREATE TABLE bench_chats (chat_id TEXT PRIMARY KEY, agent_id TEXT)").execute(&pool).await.ok();
    for chunk in (0..BACKLOG).collect::<Vec<_>>().chunks(1_000) {
        let mut transaction = pool.begin().await.expect("a transaction");
        for n in chunk {
            sqlx::query("INSERT INTO bench_chats (chat_id, agent_id) VALUES ($1, NULL)")
                .bind(format!("chat-{n}"))
                .execute(&mut *transaction)
                .await
                .expect("an insert");
        }
        transaction.commit().await.expect("a commit");
    }
    let started = Instant::now();
    for chunk in (0..BACKLOG).collect::<Vec<_>>().chunks(200) {
        let mut transaction = pool.begin().await.expect("a transaction");
        for n in chunk {
            sqlx::query("UPDATE bench_chats SET agent_id = $1 WHERE chat_id = $2")
                .bind(format!("agent-{}", n % AGENTS))
                .bind(format!("chat-{n}"))
                .execute(&mut *transaction)
                .await
                .expect("an update");
        }
        transaction.commit().await.expect("a commit");
    }
    BACKLOG as f64 / started.elapsed().as_secs_f64()
}

#[tokio::main]
async fn main() {
    println!("| backend | drain {BACKLOG} chats | assignments/s | raw SQL updates/s | ratio | p50 appended→assigned | p99 | goal |");
    println!("|---|---:|---:|---:|---:|---:|---:|---|");
    for backend in backends() {
        eprintln!("{backend:?}:");
        let figures = run(fresh_database(backend).await).await;
        println!(
            "| {backend:?} | {:.2} s | {:.0} | {:.0} | {:.2}× | {:.1} ms | {:.1} ms | ≥ 2,000/s, p99 ≤ 50 ms |",
            figures.drain_seconds,
            figures.assignments_per_second,
            figures.baseline_per_second,
            figures.assignments_per_second / figures.baseline_per_second,
            figures.p50_ms,
            figures.p99_ms,
        );
    }
}
