//! What every HTTP test needs: a served application on a fresh database and signed-in clients.

#![allow(dead_code)]

use chrono::{DateTime, Utc};
use eventlog::testing::{fresh_database, Backend, TestDatabase};
use server::clock::{Clock, SystemClock, TestClock};
use server::config::{default_company, LogFormat, Settings};
use server::startup::Application;
use std::sync::Arc;
use std::time::Duration;

mod chats;
mod meta;
mod outside;
#[allow(unused_imports)]
pub use chats::*;
#[allow(unused_imports)]
pub use meta::*;
#[allow(unused_imports)]
pub use outside::*;

pub const ADMIN_EMAIL: &str = "admin@example.com";
pub const ADMIN_PASSWORD: &str = "correct horse battery";
pub const OPERATOR_TOKEN: &str = "operator token for tests";

pub struct TestApp {
    pub address: String,
    /// Signed in as the first supervisor.
    pub client: reqwest::Client,
    pub database: TestDatabase,
    pub server: Running,
}

/// The served application; stopped when dropped.
pub struct Running(pub tokio::task::JoinHandle<std::io::Result<()>>);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The one way a test starts the application: `TestApp::on(backend)` on a fresh database, or
/// `TestApp::on_database(database)` to start again on one a stopped application left; then
/// `.with_clock(…)` or `.with_settings(…)` if the test needs them, and `.start()`.
pub struct AppBuilder {
    database: Database,
    clock: Arc<dyn Clock>,
    adjust: Box<dyn FnOnce(&mut Settings)>,
}

enum Database {
    Fresh(Backend),
    Kept(TestDatabase),
}

impl TestApp {
    pub fn on(backend: Backend) -> AppBuilder {
        AppBuilder::new(Database::Fresh(backend))
    }

    /// The application again on the database of one that was stopped (a restart).
    pub fn on_database(database: TestDatabase) -> AppBuilder {
        AppBuilder::new(Database::Kept(database))
    }
}

impl AppBuilder {
    /// The system's clock and the settings every test starts from.
    fn new(database: Database) -> Self {
        AppBuilder { database, clock: Arc::new(SystemClock), adjust: Box::new(|_| {}) }
    }

    /// Timers and every business rule read `clock`, which the test drives.
    pub fn with_clock(self, clock: TestClock) -> Self {
        Self { clock: Arc::new(clock), ..self }
    }

    /// Settings the test changes (e.g. the SMTP server the application sends to), after those
    /// earlier calls changed.
    pub fn with_settings(self, adjust: impl FnOnce(&mut Settings) + 'static) -> Self {
        let earlier = self.adjust;
        Self {
            adjust: Box::new(move |settings| {
                earlier(settings);
                adjust(settings)
            }),
            ..self
        }
    }

    /// Serves the application and signs its first supervisor in.
    pub async fn start(self) -> TestApp {
        let database = match self.database {
            Database::Fresh(backend) => fresh_database(backend).await,
            Database::Kept(database) => database,
        };
        let mut settings = settings(&database.url);
        (self.adjust)(&mut settings);
        let (email, password) =
            settings.admin.clone().unwrap_or_else(|| (ADMIN_EMAIL.to_string(), ADMIN_PASSWORD.to_string()));
        let application = Application::build_with_clock(settings, self.clock).await.expect("the application builds");
        let address = format!("http://127.0.0.1:{}", application.port());
        let server = Running(tokio::spawn(application.run_until_stopped()));
        let client = signed_in(&address, &email, &password).await;
        TestApp { address, client, database, server }
    }
}

fn settings(database_url: &str) -> Settings {
    Settings {
        database_url: database_url.to_string(),
        address: "127.0.0.1:0".parse().unwrap(),
        site_root: std::env::temp_dir(),
        log_format: LogFormat::Human,
        company_id: default_company(),
        admin: Some((ADMIN_EMAIL.to_string(), ADMIN_PASSWORD.to_string())),
        operator_token: Some(OPERATOR_TOKEN.to_string()),
        smtp_url: None,
        smtp_from: "Ikono Chat <bot@localhost>".into(),
        // The services tests stand up listen on 127.0.0.1, as an operator's own would.
        allowed_private_hosts: "127.0.0.1".into(),
        trusted_proxies: Vec::new(),
        secure_cookies: false,
        test_clock: false,
        seal_every: std::time::Duration::from_secs(10),
        limits: Default::default(),
        secrets_key: Some(server::secrets::SecretsKey::parse(SECRETS_KEY).expect("the tests' key")),
        whatsapp_graph_url: server::config::WHATSAPP_GRAPH_URL.into(),
    }
}

/// The key the tests' servers seal channel credentials with.
pub const SECRETS_KEY: &str = "6b6579206f6620746865207465737473277320736572766572732c2033326221";

impl TestApp {
    /// A second node of the application on the same database; answers its address.
    pub async fn another_node(&self) -> (String, Running) {
        let application = Application::build(settings(&self.database.url)).await.expect("the application builds");
        let address = format!("http://127.0.0.1:{}", application.port());
        (address, Running(tokio::spawn(application.run_until_stopped())))
    }
}

/// A browser-like client. A response that stops coming fails its test after a minute, saying so,
/// instead of holding `make test` for ever.
pub fn anonymous() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).read_timeout(Duration::from_secs(60)).build().unwrap()
}

pub async fn sign_in(client: &reqwest::Client, address: &str, email: &str, password: &str) -> reqwest::Response {
    client
        .post(format!("{address}/api/v1/session"))
        .json(&serde_json::json!({ "email": email, "password": password }))
        .send()
        .await
        .unwrap()
}

/// A client whose cookie jar holds a session of this user.
pub async fn signed_in(address: &str, email: &str, password: &str) -> reqwest::Client {
    let client = anonymous();
    let response = sign_in(&client, address, email, password).await;
    assert_eq!(response.status(), 200, "{email} signs in");
    client
}

impl TestApp {
    pub async fn create_agent(&self, name: &str, email: &str, password: &str) -> reqwest::Response {
        self.client
            .post(format!("{}/api/v1/agents", self.address))
            .json(&serde_json::json!({ "name": name, "email": email, "password": password }))
            .send()
            .await
            .unwrap()
    }

    pub async fn create_queue(&self, name: &str) -> reqwest::Response {
        self.client
            .post(format!("{}/api/v1/queues", self.address))
            .json(&serde_json::json!({ "name": name }))
            .send()
            .await
            .unwrap()
    }

    pub async fn queue_names(&self) -> Vec<String> {
        let list: Vec<serde_json::Value> =
            self.client.get(format!("{}/api/v1/queues", self.address)).send().await.unwrap().json().await.unwrap();
        list.iter().map(|q| q["name"].as_str().unwrap().to_string()).collect()
    }

    /// The read model is eventually consistent: wait (bounded) until it shows what we expect.
    pub async fn wait_for_queues(&self, expected: &[&str]) -> Vec<String> {
        eventually(&format!("the queues {expected:?}"), || self.queue_names(), |names| names == expected).await
    }

    /// Waits until every process that follows the log has acted on all of it and every projection
    /// shows it — and, given `timers_at`, until the router has rung every timer due then. After
    /// it, what has not happened will not happen without a new event or a later time: negative
    /// checks wait for this instead of sleeping.
    pub async fn settled(&self, timers_at: Option<DateTime<Utc>>) {
        let health = || async {
            let response = anonymous().get(format!("{}/healthz", self.address)).send().await.unwrap();
            response.json::<serde_json::Value>().await.unwrap()
        };
        let is_settled = |health: &serde_json::Value| {
            let head = health["store"]["head"].as_str().unwrap_or_default();
            let followers = health["followers"].as_object().cloned().unwrap_or_default();
            let at_head = |progress: &serde_json::Value| {
                let acted = &progress["acted"];
                format!("{}/{}", acted["transaction"], acted["sequence"]) == head
            };
            let timers_rung = |progress: &serde_json::Value| match timers_at {
                None => true,
                Some(at) => progress["timers_checked_at"]
                    .as_str()
                    .and_then(|checked| checked.parse::<DateTime<Utc>>().ok())
                    .is_some_and(|checked| checked >= at),
            };
            FOLLOWERS.iter().all(|name| followers.get(*name).is_some_and(at_head))
                && ["router", "file fetcher"].iter().all(|name| followers.get(*name).is_some_and(timers_rung))
                && health["projections"].as_object().is_some_and(|all| all.values().all(|p| p["lag"] == 0))
        };
        eventually("every follower and projection at the head of the log", health, is_settled).await;
    }
}

/// The processes that follow the log, as `/healthz` names them.
const FOLLOWERS: [&str; 6] = ["router", "delivery", "errands", "contact keeper", "contact importer", "file fetcher"];

/// How long a wait goes on before the test fails.
const PATIENCE: Duration = Duration::from_secs(15);

/// Asks `look` until what it answers satisfies `done`, and answers that; after `PATIENCE`, fails at
/// once saying what it waited for and what it saw last.
pub async fn eventually<T, F, Fut>(waiting_for: &str, mut look: F, done: impl Fn(&T) -> bool) -> T
where
    T: std::fmt::Debug,
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = T>,
{
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let seen = look().await;
        if done(&seen) {
            return seen;
        }
        if tokio::time::Instant::now() >= deadline {
            panic!("waited {PATIENCE:?} for {waiting_for}; saw {seen:#?}");
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

impl TestApp {
    /// Every event in the history, as its type and data.
    pub async fn event_kinds(&self) -> Vec<(String, serde_json::Value)> {
        let log = eventlog::open(&self.database.url).await.unwrap();
        let events = log.read_all(eventlog::Position::default(), 100_000).await.unwrap();
        events.into_iter().map(|e| (e.event_type, e.data)).collect()
    }

    /// Waits (bounded) until the history holds `count` events of `kind`; answers their data.
    pub async fn wait_events(&self, kind: &str, count: usize) -> Vec<serde_json::Value> {
        let of_kind = |events: Vec<(String, serde_json::Value)>| -> Vec<serde_json::Value> {
            events.into_iter().filter(|(k, _)| k == kind).map(|(_, data)| data).collect()
        };
        let waiting_for = format!("{count} {kind} events");
        eventually(&waiting_for, || async { of_kind(self.event_kinds().await) }, |found| found.len() >= count).await
    }
}

pub async fn created_id(response: reqwest::Response, field: &str) -> String {
    assert!(response.status().is_success(), "{}", response.status());
    let body: serde_json::Value = response.json().await.unwrap();
    body[field].as_str().unwrap().to_string()
}

impl TestApp {
    /// A second company, made by the operator, and its supervisor `b@other.example` signed in.
    pub async fn other_company(&self) -> reqwest::Client {
        let created = anonymous()
            .post(format!("{}/api/v1/companies", self.address))
            .bearer_auth(OPERATOR_TOKEN)
            .json(&serde_json::json!({ "name": "Other", "supervisor": { "name": "B", "email": "b@other.example", "password": "boss password" } }))
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), 201);
        signed_in(&self.address, "b@other.example", "boss password").await
    }

    pub async fn send(
        &self,
        client: &reqwest::Client,
        method: reqwest::Method,
        path: &str,
        body: serde_json::Value,
    ) -> reqwest::Response {
        client.request(method, format!("{}{path}", self.address)).json(&body).send().await.unwrap()
    }

    /// Posts a file's bytes as they are, as a browser's upload does.
    pub async fn post_file(
        &self,
        client: &reqwest::Client,
        path: &str,
        file: impl Into<reqwest::Body>,
    ) -> reqwest::Response {
        client.post(format!("{}{path}", self.address)).body(file).send().await.unwrap()
    }

    pub async fn get_json(&self, client: &reqwest::Client, path: &str) -> serde_json::Value {
        client.get(format!("{}{path}", self.address)).send().await.unwrap().json().await.unwrap()
    }
}
