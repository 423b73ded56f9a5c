//! Contact import benchmark (issue 5, K8): a CSV of 100,000 contacts (name, e-mail, WhatsApp
//! number, business) imported through `POST /api/v1/contacts/import` as a supervisor does from
//! the page, followed to its end through `GET /api/v1/contacts/imports/{id}`: time to the last
//! row, rows per second, and how often the progress moved.
//!
//! Baseline, same run, same database: the plainest SQL import of the same rows — one INSERT per
//! row into a table of its own, in transactions of the importer's batch size (500 rows).
//!
//! `make bench` (TEST_DATABASE_URL names the PostgreSQL database). Not a test: it asserts nothing.

use eventlog::testing::{fresh_database, TestDatabase};
use projections::ReadStore;
use std::time::{Duration, Instant};

#[allow(dead_code)]
mod bench_support;
use bench_support::{backends, start_server_with};

const ROWS: usize = 100_000;
const BATCH: usize = 500;
const EMAIL: &str = "bench@example.com";
const PASSWORD: &str = "benchmark password";

fn row(n: usize) -> (String, String, String, String) {
    (
        format!("Person {n}"),
        format!("person{n}@example.com"),
        format!("+34{}", 600_000_000 + n * 7),
        format!("Firm {}", n % 50),
    )
}

fn file() -> String {
    let mut file = String::from("Name,E-mail,WhatsApp,Business\n");
    for n in 0..ROWS {
        let (name, email, phone, business) = row(n);
        file.push_str(&format!("{name},{email},{phone},{business}\n"));
    }
    file
}

/// The plainest import of the same rows: INSERTs into a table of their own.
async fn baseline(store: &ReadStore) -> f64 {
    sqlx::query("CREATE TABLE bench_import_rows (name TEXT, email TEXT, phone TEXT PRIMARY KEY, business TEXT)")
        .execute(store.pool())
        .await
        .expect("the baseline's table");
    let started = Instant::now();
    for start in (0..ROWS).step_by(BATCH) {
        let mut transaction = store.begin_write().await.expect("a transaction");
        for n in start..(start + BATCH).min(ROWS) {
            let (name, email, phone, business) = row(n);
            sqlx::query("INSERT INTO bench_import_rows (name, email, phone, business) VALUES ($1, $2, $3, $4)")
                .bind(name)
                .bind(email)
                .bind(phone)
                .bind(business)
                .execute(&mut **transaction)
                .await
                .expect("a row");
        }
        transaction.commit().await.expect("a batch");
    }
    started.elapsed().as_secs_f64()
}

struct Figures {
    /// Until the importer had done every row.
    rows_done_seconds: f64,
    /// Until the directory showed them all.
    seconds: f64,
    created: u64,
    progress_seen: usize,
    baseline_seconds: f64,
}

async fn run(database: TestDatabase) -> Figures {
    let admin = Some((EMAIL.to_string(), PASSWORD.to_string()));
    let (address, server) = start_server_with(&database.url, admin).await;
    let signed = reqwest::Client::new()
        .post(format!("{address}/api/v1/session"))
        .json(&serde_json::json!({ "email": EMAIL, "password": PASSWORD }))
        .send()
        .await
        .expect("signs in");
    assert!(signed.status().is_success(), "the supervisor signs in");
    // The session cookie, sent back by hand (the benchmark's client keeps no cookie jar).
    let cookie = signed
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok()?.split(';').next().map(str::to_string))
        .collect::<Vec<_>>()
        .join("; ");
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::COOKIE, cookie.parse().expect("a cookie header"));
    let http = reqwest::Client::builder().default_headers(headers).build().expect("a client");
    let file = file();
    let started = Instant::now();
    let import: serde_json::Value = http
        .post(format!("{address}/api/v1/contacts/import?name=bench.csv"))
        .body(file)
        .send()
        .await
        .expect("the import starts")
        .json()
        .await
        .expect("its status");
    let status = format!("{address}/api/v1/contacts/imports/{}", import["id"].as_str().expect("an id"));
    let mut progress = std::collections::BTreeSet::new();
    let mut rows_done = None;
    let finished = loop {
        let now: serde_json::Value = http.get(&status).send().await.expect("a status").json().await.expect("json");
        progress.insert(now["done"].as_u64().unwrap_or_default());
        if now["done"] == ROWS as u64 && rows_done.is_none() {
            rows_done = Some(started.elapsed().as_secs_f64());
        }
        if now["finished"] == true {
            break now;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let seconds = started.elapsed().as_secs_f64();
    server.abort();
    let store = ReadStore::connect(&database.url).await.expect("the read store");
    Figures {
        rows_done_seconds: rows_done.unwrap_or(seconds),
        seconds,
        created: finished["created"].as_u64().unwrap_or_default(),
        progress_seen: progress.len(),
        baseline_seconds: baseline(&store).await,
    }
}

#[tokio::main]
async fn main() {
    println!("| backend | rows | created | rows done | rows/s | shown in the directory | progress steps seen | plain INSERTs (baseline) | rows done ÷ baseline |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for backend in backends() {
        let figures = run(fresh_database(backend).await).await;
        println!(
            "| {backend:?} | {ROWS} | {} | {:.1} s | {:.0} | {:.1} s | {} | {:.1} s | {:.1}× |",
            figures.created,
            figures.rows_done_seconds,
            ROWS as f64 / figures.rows_done_seconds,
            figures.seconds,
            figures.progress_seen,
            figures.baseline_seconds,
            figures.rows_done_seconds / figures.baseline_seconds,
        );
    }
}
