//! WhatsApp Cloud benchmark (issue 18). Inbound: Meta's notifications posted to a line's callback
//! by 64 concurrent senders, each a realistic signed payload (`inbound_text.json`, one customer's
//! text), `WEBHOOKS` of them from `CUSTOMERS` customers; the figures are webhooks acknowledged a
//! second and the p99 time to acknowledge. Baseline, same run: an HTTP server on the same stack
//! that reads, checks the signature and parses each notification, and answers without storing.
//!
//! Each load starts after a warm-up of one webhook per sender, from other customers, not counted.
//!
//! Outbound: each new chat waits in a queue nobody serves, so the bot tells it its place; those
//! messages go through the outbox to a local Meta, and the figure is sends a second as the local
//! Meta receives them (one number: Meta's limit of 80 a second per number paces them).
//!
//! `make bench` (TEST_DATABASE_URL names the PostgreSQL database). Not a test: it asserts nothing.

use axum::body::Bytes;
use axum::http::HeaderMap;
use domain::ids::{LineId, QueueId};
use domain::line::{ChannelLink, LineEvent, LineRouting};
use domain::queue::{QueueEvent, QueueName};
use eventlog::testing::{fresh_database, TestDatabase};
use futures::future::join_all;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use uuid::Uuid;

#[allow(dead_code)]
mod bench_support;
use bench_support::{append, backends, company, percentile, secrets_key, start_server_adjusted};

const CUSTOMERS: usize = 800;
const WEBHOOKS: usize = 10_000;
const SENDERS: usize = 64;
const APP_SECRET: &str = "the benchmark's app secret";
const PHONE_NUMBER_ID: &str = "1122334455667";

fn fixture() -> serde_json::Value {
    // Relative to the package, where cargo runs benches and tests: a path compiled in would point
    // wherever the binary was built.
    let path = std::path::Path::new("../bridges/tests/fixtures/whatsapp_cloud/inbound_text.json");
    serde_json::from_slice(&std::fs::read(path).expect("the fixture")).expect("JSON")
}

/// Webhook `n`: customer `n % CUSTOMERS` writes their message number `n / CUSTOMERS`.
fn notification(template: &serde_json::Value, n: usize) -> Vec<u8> {
    customers_notification(template, "3460", n)
}

/// One webhook per sender before the measure, from customers of their own: the 64 connections
/// open and the server's pools fill, as on a server that has been running.
fn warm_up(template: &serde_json::Value) -> Arc<Vec<Vec<u8>>> {
    Arc::new((0..SENDERS).map(|n| customers_notification(template, "3461", n)).collect())
}

fn customers_notification(template: &serde_json::Value, prefix: &str, n: usize) -> Vec<u8> {
    let mut body = template.clone();
    let number = format!("{prefix}{:07}", 1_000_000 + n % CUSTOMERS);
    let value = &mut body["entry"][0]["changes"][0]["value"];
    value["contacts"][0]["wa_id"] = serde_json::json!(number);
    value["messages"][0]["from"] = serde_json::json!(number);
    value["messages"][0]["id"] = serde_json::json!(format!("wamid.bench-{prefix}-{n}"));
    value["messages"][0]["text"]["body"] =
        serde_json::json!(format!("message {} of customer {}", n / CUSTOMERS, n % CUSTOMERS));
    serde_json::to_vec(&body).expect("JSON")
}

/// A local Meta that takes every send and counts when each arrived.
async fn local_meta() -> (String, Arc<Mutex<Vec<Instant>>>) {
    let arrivals: Arc<Mutex<Vec<Instant>>> = Arc::default();
    let kept = arrivals.clone();
    let sent = Arc::new(AtomicUsize::new(0));
    let app = axum::Router::new().route(
        "/{phone}/messages",
        axum::routing::post(move || {
            let (kept, sent) = (kept.clone(), sent.clone());
            async move {
                kept.lock().expect("arrivals").push(Instant::now());
                let n = sent.fetch_add(1, Ordering::SeqCst);
                axum::Json(serde_json::json!({ "messages": [{ "id": format!("wamid.out-{n}") }] }))
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let url = format!("http://{}", listener.local_addr().expect("an address"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, arrivals)
}

/// The baseline: the same stack reading, checking and parsing each notification, storing nothing.
async fn baseline_server() -> String {
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(|headers: HeaderMap, body: Bytes| async move {
            let signature = headers.get(bridges::meta::SIGNATURE_HEADER).and_then(|v| v.to_str().ok());
            if bridges::meta::verify_signature(APP_SECRET, &body, signature).is_err() {
                return axum::Json(serde_json::json!({ "recorded": 0, "skipped": 1 }));
            }
            let updates = bridges::whatsapp_cloud::inbound::parse(&body).map(|u| u.len()).unwrap_or(0);
            axum::Json(serde_json::json!({ "recorded": updates, "skipped": 0 }))
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let url = format!("http://{}/hook", listener.local_addr().expect("an address"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
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
    let key = secrets_key();
    let seal = |name: &str, secret: &str| key.seal(&server::secrets::line_secret(line_id, name), secret);
    let events = [
        LineEvent::Created {
            line_id,
            company_id: company(),
            name: "WhatsApp".into(),
            routing: LineRouting::Queue(queue_id),
            webhook: None,
        },
        LineEvent::ChannelLinked {
            line_id,
            link: ChannelLink::WhatsappCloud {
                phone_number_id: PHONE_NUMBER_ID.into(),
                business_account_id: "1".into(),
                access_token: seal("access_token", "bench-token"),
                app_secret: seal("app_secret", APP_SECRET),
                verify_token: seal("verify_token", "bench-verify"),
                token_hint: "oken".into(),
            },
        },
    ];
    append(log, &domain::line::line_stream(line_id), &events).await;
    line_id
}

struct Load {
    per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
    /// p99 of the customers' first messages (a chat starts, a contact is made, the bot tells the
    /// place in line) and of the others.
    p99_first_ms: f64,
    p99_later_ms: f64,
    refused: usize,
}

/// Posts every webhook to `url`, `SENDERS` at a time, each signed.
async fn post_all(http: &reqwest::Client, url: &str, bodies: Arc<Vec<Vec<u8>>>) -> Load {
    let refused = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let senders = (0..SENDERS).map(|sender| {
        let (http, url, bodies, refused) = (http.clone(), url.to_string(), bodies.clone(), refused.clone());
        tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut first = Vec::new();
            for n in (sender..bodies.len()).step_by(SENDERS) {
                let body = bodies[n].clone();
                let signature = bridges::meta::sign(APP_SECRET, &body);
                let sent = Instant::now();
                let answer = http
                    .post(&url)
                    .header("content-type", "application/json")
                    .header("x-hub-signature-256", signature)
                    .body(body)
                    .send()
                    .await;
                match answer {
                    Ok(answer) if answer.status() == 200 => {
                        latencies.push(sent.elapsed().as_secs_f64() * 1000.0);
                        first.push(n < CUSTOMERS);
                    }
                    _ => {
                        refused.fetch_add(1, Ordering::SeqCst);
                    }
                }
            }
            latencies.into_iter().zip(first).collect::<Vec<_>>()
        })
    });
    let timed: Vec<(f64, bool)> =
        join_all(senders).await.into_iter().flat_map(|done| done.expect("a sender")).collect();
    let elapsed = started.elapsed().as_secs_f64();
    let sorted = |keep: &dyn Fn(bool) -> bool| {
        let mut some: Vec<f64> = timed.iter().filter(|(_, first)| keep(*first)).map(|(ms, _)| *ms).collect();
        some.sort_by(|a, b| a.total_cmp(b));
        some
    };
    let latencies = sorted(&|_| true);
    Load {
        per_second: latencies.len() as f64 / elapsed,
        p50_ms: percentile(&latencies, 0.5),
        p99_ms: percentile(&latencies, 0.99),
        p99_first_ms: percentile(&sorted(&|first| first), 0.99),
        p99_later_ms: percentile(&sorted(&|first| !first), 0.99),
        refused: refused.load(Ordering::SeqCst),
    }
}

/// Our load, the baseline's, the sends the local Meta received and their rate, and the decisions
/// made on a stale chat during the load (refused by the log, decided again).
async fn run(database: TestDatabase) -> (Load, Load, usize, f64, u64) {
    let log = eventlog::open(&database.url).await.expect("the log opens");
    let line = set_up(log.as_ref()).await;
    let (meta_url, arrivals) = local_meta().await;
    let (address, server) =
        start_server_adjusted(&database.url, move |settings| settings.whatsapp_graph_url = meta_url).await;
    let http = reqwest::Client::builder().pool_max_idle_per_host(SENDERS).build().expect("a client");
    let template = fixture();
    let bodies: Arc<Vec<Vec<u8>>> = Arc::new((0..WEBHOOKS).map(|n| notification(&template, n)).collect());
    // The line is in the read models before the load.
    let callback = format!("{address}/api/v1/webhooks/whatsapp-cloud/{line}");
    for _ in 0..100 {
        let probe = bridges::meta::sign(APP_SECRET, b"{}");
        let answer = http.post(&callback).header("x-hub-signature-256", probe).body("{}").send().await;
        if answer.is_ok_and(|a| a.status() != 404) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let conflicts = || async {
        let text = http.get(format!("{address}/metrics")).send().await.expect("metrics").text().await.expect("metrics");
        text.lines()
            .find_map(|line| line.strip_prefix("eventlog_append_conflicts_total "))
            .and_then(|count| count.trim().parse::<u64>().ok())
            .unwrap_or_default()
    };
    post_all(&http, &callback, warm_up(&template)).await;
    let conflicts_before = conflicts().await;
    let ours = post_all(&http, &callback, bodies.clone()).await;
    let stale = conflicts().await - conflicts_before;
    // Every new chat's place in line goes out through the outbox.
    let waited = Instant::now();
    while arrivals.lock().expect("arrivals").len() < CUSTOMERS + SENDERS && waited.elapsed() < Duration::from_secs(60) {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let arrived = arrivals.lock().expect("arrivals").clone();
    let sends_per_second = match (arrived.first(), arrived.last()) {
        (Some(first), Some(last)) if arrived.len() > 1 => (arrived.len() - 1) as f64 / (*last - *first).as_secs_f64(),
        _ => 0.0,
    };
    server.abort();
    let baseline_url = baseline_server().await;
    post_all(&http, &baseline_url, warm_up(&template)).await;
    let baseline = post_all(&http, &baseline_url, bodies).await;
    (ours, baseline, arrived.len(), sends_per_second, stale)
}

#[tokio::main]
async fn main() {
    println!("| backend | webhooks | acknowledged/s | baseline/s | ratio | p50 | p99 | p99 first / later messages | refused | decided again | goal | outbound sends (/s) |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|");
    for backend in backends() {
        let (ours, baseline, sent, sends_per_second, stale) = run(fresh_database(backend).await).await;
        println!(
            "| {backend:?} | {WEBHOOKS} | {:.0} | {:.0} | {:.2}× | {:.1} ms | {:.1} ms (baseline {:.1}) | {:.1} / {:.1} ms | {} | {stale} | ≥ 2,000/s, p99 ≤ 25 ms | {sent} ({sends_per_second:.0}/s) |",
            ours.per_second,
            baseline.per_second,
            ours.per_second / baseline.per_second,
            ours.p50_ms,
            ours.p99_ms,
            baseline.p99_ms,
            ours.p99_first_ms,
            ours.p99_later_ms,
            ours.refused + baseline.refused,
        );
    }
}
