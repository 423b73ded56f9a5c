//! What the benchmarks share: the company they run in, writing their setup straight to the log,
//! the API key their customers use, and reading their figures.

use chrono::Utc;
use domain::apikey::ApiKeyEvent;
use domain::event::{encode, DomainEvent};
use domain::ids::CompanyId;
use eventlog::{EventLog, ExpectedRevision, Metadata, NewEvent};
use server::config::{default_company, LogFormat, Settings};
use server::startup::Application;
use std::time::Duration;
use uuid::Uuid;

pub const KEY: &str = "ik_benchmarkkey0000000000000000000000000000000000";

pub fn company() -> CompanyId {
    CompanyId::from_uuid(default_company())
}

/// The server on the benchmark's database, on a free port: its address and its task.
pub async fn start_server(database_url: &str) -> (String, tokio::task::JoinHandle<std::io::Result<()>>) {
    start_server_with(database_url, None).await
}

/// The server, with its first supervisor (e-mail, password) when the benchmark signs in as one.
pub async fn start_server_with(
    database_url: &str,
    admin: Option<(String, String)>,
) -> (String, tokio::task::JoinHandle<std::io::Result<()>>) {
    start_server_adjusted(database_url, |settings| settings.admin = admin).await
}

/// The key the benchmarks' servers seal channel credentials with.
pub fn secrets_key() -> server::secrets::SecretsKey {
    server::secrets::SecretsKey::parse(&"5e".repeat(32)).expect("a key")
}

/// The server with its settings adjusted by `adjust`.
pub async fn start_server_adjusted(
    database_url: &str,
    adjust: impl FnOnce(&mut Settings),
) -> (String, tokio::task::JoinHandle<std::io::Result<()>>) {
    let mut settings = Settings {
        database_url: database_url.to_string(),
        address: "127.0.0.1:0".parse().expect("an address"),
        site_root: std::env::temp_dir(),
        log_format: LogFormat::Human,
        company_id: default_company(),
        admin: None,
        operator_token: None,
        smtp_url: None,
        smtp_from: "Ikono Chat <bot@localhost>".into(),
        allowed_private_hosts: String::new(),
        trusted_proxies: Vec::new(),
        secure_cookies: false,
        test_clock: false,
        seal_every: std::time::Duration::from_secs(10),
        limits: Default::default(),
        secrets_key: Some(secrets_key()),
        whatsapp_graph_url: server::config::WHATSAPP_GRAPH_URL.into(),
    };
    adjust(&mut settings);
    let application = Application::build(settings).await.expect("the application builds");
    let address = format!("http://127.0.0.1:{}", application.port());
    (address, tokio::spawn(application.run_until_stopped()))
}

/// A setup event as the API would have written it.
pub fn new_event<E: DomainEvent>(event: &E) -> NewEvent {
    let (event_type, data) = encode(event).expect("an event");
    NewEvent {
        event_id: Uuid::now_v7(),
        event_type,
        data,
        metadata: Metadata {
            occurred_at: Utc::now(),
            company_id: company().as_uuid(),
            actor: "system".into(),
            correlation_id: Uuid::now_v7(),
            causation_id: None,
            schema_version: E::SCHEMA_VERSION,
        },
    }
}

/// Appends setup events as the API would have written them.
pub async fn append<E: DomainEvent>(log: &dyn EventLog, stream: &str, events: &[E]) {
    let events = events.iter().map(new_event).collect();
    log.append(stream, ExpectedRevision::Any, events).await.expect("the setup appends");
}

/// The key the benchmarks' customers write with.
pub async fn add_api_key(log: &dyn EventLog) {
    let key = ApiKeyEvent::Created {
        key_id: Uuid::now_v7(),
        company_id: company(),
        name: "bench".into(),
        key_hash: server::services::lines::key_hash(KEY),
        prefix: "ik_bench".into(),
    };
    append(log, &domain::apikey::api_keys_stream(company()), &[key]).await;
}

/// Waits until every read model has applied the whole log, so one phase's backlog of projection
/// work does not weigh on the next phase's figures.
pub async fn settle(http: &reqwest::Client, address: &str) {
    for _ in 0..600 {
        if let Ok(response) = http.get(format!("{address}/healthz")).send().await {
            if let Ok(health) = response.json::<serde_json::Value>().await {
                let lags = health["projections"].as_object().cloned().unwrap_or_default();
                if !lags.is_empty() && lags.values().all(|p| p["lag"] == 0) {
                    return;
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// The backends to measure: SQLite, and PostgreSQL when `TEST_DATABASE_URL` names one;
/// `BENCH_BACKEND=sqlite` or `postgres` measures only that one (to profile one of them).
pub fn backends() -> Vec<eventlog::testing::Backend> {
    use eventlog::testing::Backend;
    let mut backends = vec![Backend::Sqlite];
    if std::env::var("TEST_DATABASE_URL").is_ok() {
        backends.push(Backend::Postgres);
    } else {
        eprintln!("TEST_DATABASE_URL is not set: PostgreSQL skipped");
    }
    match std::env::var("BENCH_BACKEND").as_deref() {
        Ok("sqlite") => backends.retain(|b| *b == Backend::Sqlite),
        Ok("postgres") => backends.retain(|b| *b == Backend::Postgres),
        Ok(other) => eprintln!("BENCH_BACKEND={other} is neither sqlite nor postgres: measuring every backend"),
        Err(_) => {}
    }
    if backends.is_empty() {
        eprintln!("BENCH_BACKEND=postgres needs TEST_DATABASE_URL: nothing to measure");
    }
    backends
}
