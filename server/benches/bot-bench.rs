//! Menu bot benchmark (issue 4): 10,000 simulated customers, all in the middle of their walk at
//! once, each walking a 3-level menu through the API line — "hola" (the menu), "2", "2" (two
//! levels down), "1" (a queue) — so every message gets a bot reply. The bot decides its reply in
//! the same transaction that stores the message, so the reply latency is the HTTP round trip of
//! `POST /api/v1/lines/{line}/messages`. At most `IN_FLIGHT` requests are open at a time.
//!
//! Baseline, same run, same database: the plainest SQL storing the same messages — one INSERT
//! per message, each its own transaction, `IN_FLIGHT` connections.
//!
//! `make bench` (TEST_DATABASE_URL names the PostgreSQL database). Not a test: it asserts nothing.

use domain::ids::{LineId, QueueId};
use domain::line::{LineEvent, LineRouting};
use domain::menu::{Menu, MenuAction, MenuOption};
use domain::queue::{QueueEvent, QueueName};
use eventlog::testing::{fresh_database, TestDatabase};
use futures::future::join_all;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;
use uuid::Uuid;

mod bench_support;
use bench_support::{add_api_key, append, backends, company, percentile, settle, start_server, KEY};

const CUSTOMERS: usize = 10_000;
const WALK: [&str; 4] = ["hola", "2", "2", "1"];
const IN_FLIGHT: usize = 64;

fn option(label: &str, action: MenuAction) -> MenuOption {
    MenuOption { label: label.into(), action }
}

/// Sales · Help › (Hours · Orders › (Track · Returns))
fn three_levels(queue: QueueId) -> Menu {
    let to_queue = || MenuAction::Queue { queue, message: None, on_assignment: None };
    let orders = MenuAction::Submenu {
        header: "Orders".into(),
        options: vec![option("Track", to_queue()), option("Returns", to_queue())],
    };
    let help = MenuAction::Submenu {
        header: "How can we help?".into(),
        options: vec![
            option("Hours", MenuAction::Text { text: "9 to 18".into(), resolve: false }),
            option("Orders", orders),
        ],
    };
    Menu::new("Welcome!", vec![option("Sales", to_queue()), option("Help", help)])
}

async fn set_up(log: &dyn eventlog::EventLog) -> LineId {
    let queue_id = QueueId::from_uuid(Uuid::now_v7());
    let name = QueueName::parse("Sales").expect("a name");
    append(
        log,
        &domain::queue::queue_stream(queue_id),
        &[QueueEvent::Created { queue_id, company_id: company(), name }],
    )
    .await;
    let line_id = LineId::from_uuid(Uuid::now_v7());
    let line = LineEvent::Created {
        line_id,
        company_id: company(),
        name: "Web shop".into(),
        routing: LineRouting::Menu(Box::new(three_levels(queue_id))),
        webhook: None,
    };
    append(log, &domain::line::line_stream(line_id), &[line]).await;
    add_api_key(log).await;
    line_id
}

/// One customer message; answers how long the reply took, once the server took it.
async fn say(http: &reqwest::Client, address: &str, line: LineId, customer: usize, step: usize) -> Duration {
    loop {
        let started = Instant::now();
        let sent = http
            .post(format!("{address}/api/v1/lines/{line}/messages"))
            .bearer_auth(KEY)
            .json(&serde_json::json!({
                "contact_id": format!("customer-{customer}"),
                "message_id": format!("customer-{customer}-{step}"),
                "text": WALK[step],
            }))
            .send()
            .await;
        match sent {
            Ok(response) if response.status() == 202 => return started.elapsed(),
            // The read models may not show the line yet right after the setup.
            _ => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

struct Figures {
    replies_per_second: f64,
    baseline_per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
}

async fn run(database: TestDatabase) -> Figures {
    let log = eventlog::open(&database.url).await.expect("the log opens");
    let line = set_up(log.as_ref()).await;
    let (address, server) = start_server(&database.url).await;
    let http = reqwest::Client::builder().pool_max_idle_per_host(IN_FLIGHT).build().expect("a client");
    say(&http, &address, line, CUSTOMERS, 0).await;
    settle(&http, &address).await;

    let in_flight = Arc::new(Semaphore::new(IN_FLIGHT));
    let started = Instant::now();
    // Each customer is a task of their own, as independent clients are: one task polling all of
    // them would time a reply only when that one task next runs.
    let customers = (0..CUSTOMERS).map(|customer| {
        let (http, address, in_flight) = (http.clone(), address.clone(), in_flight.clone());
        tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(WALK.len());
            for step in 0..WALK.len() {
                let _turn = in_flight.acquire().await.expect("the semaphore stays open");
                latencies.push(say(&http, &address, line, customer, step).await);
            }
            latencies
        })
    });
    let mut latencies: Vec<f64> = join_all(customers)
        .await
        .into_iter()
        .flat_map(|walked| walked.expect("a customer's walk"))
        .map(|d| d.as_secs_f64() * 1000.0)
        .collect();
    let elapsed = started.elapsed().as_secs_f64();
    server.abort();
    latencies.sort_by(|a, b| a.total_cmp(b));
    Figures {
        replies_per_second: latencies.len() as f64 / elapsed,
        baseline_per_second: baseline(&database).await,
        p50_ms: percentile(&latencies, 0.5),
        p99_ms: percentile(&latencies, 0.99),
    }
}

/// The same number of messages stored the plainest way: one INSERT each, in its own transaction.
async fn baseline(database: &TestDatabase) -> f64 {
    sqlx::any::install_default_drivers();
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(if database.url.starts_with("sqlite:") { 1 } else { IN_FLIGHT as u32 })
        .connect(&database.url)
        .await
        .expect("a pool");
    sqlx::query("CREATE TABLE bench_messages (id TEXT PRIMARY KEY, customer TEXT, text TEXT)")
        .execute(&pool)
        .await
        .expect("a table");
    let messages = CUSTOMERS * WALK.len();
    let started = Instant::now();
    let writers = (0..IN_FLIGHT).map(|writer| {
        let pool = pool.clone();
        async move {
            for n in (writer..messages).step_by(IN_FLIGHT) {
                sqlx::query("INSERT INTO bench_messages (id, customer, text) VALUES ($1, $2, $3)")
                    .bind(format!("message-{n}"))
                    .bind(format!("customer-{}", n / WALK.len()))
                    .bind(WALK[n % WALK.len()])
                    .execute(&pool)
                    .await
                    .expect("an insert");
            }
        }
    });
    join_all(writers).await;
    messages as f64 / started.elapsed().as_secs_f64()
}

#[tokio::main]
async fn main() {
    println!("| backend | customers | bot replies/s | raw SQL inserts/s | ratio | p50 reply | p99 reply | goal |");
    println!("|---|---:|---:|---:|---:|---:|---:|---|");
    for backend in backends() {
        let figures = run(fresh_database(backend).await).await;
        println!(
            "| {backend:?} | {CUSTOMERS} | {:.0} | {:.0} | {:.2}× | {:.1} ms | {:.1} ms | ≥ 2,000/s, p99 ≤ 50 ms |",
            figures.replies_per_second,
            figures.baseline_per_second,
            figures.replies_per_second / figures.baseline_per_second,
            figures.p50_ms,
            figures.p99_ms,
        );
    }
}
