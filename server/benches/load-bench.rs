//! The load of one busy node (issue 17): `COMPANIES` companies (100) of `AGENTS` agents each
//! (96: this machine allows 20,000 open files a process, and the server holds both kinds of
//! socket, the requests in flight and its database connections), every agent with their live socket open and as many widget visitors with theirs, each
//! visitor in a chat with one agent. Then `RATE` messages a second (1,000) for `SECONDS` (10),
//! each from a visitor: the time from the message sent to the frame on that visitor's socket and
//! on their agent's. Prints the server's RSS at rest (the baseline: everything set up, no socket
//! open), with every socket open and at its peak under load, the latencies' p50 / p99 / max, the
//! rate reached, and the CPU share of the server and of this load generator over the load.
//!
//! The server runs as its own process (its RSS is its own), on SQLite and, when
//! `TEST_DATABASE_URL` names one, on PostgreSQL. Companies, agents, sessions, queues and lines are
//! written straight to the log, as the API would have written them (10,000 passwords hashed would
//! take minutes); visitors are asked for through the API.
//!
//! Run: `make bench` (or `cargo bench -p server --bench load-bench`).

use chrono::Utc;
use domain::company::{company_stream, CompanyEvent, CompanyLimits};
use domain::email::Email;
use domain::event::{encode, DomainEvent};
use domain::ids::{CompanyId, LineId, QueueId, UserId};
use domain::line::{line_stream, LineEvent, LineRouting};
use domain::queue::{queue_stream, QueueEvent, QueueName};
use domain::user::{user_stream, PasswordHash, Role, UserEvent};
use eventlog::testing::{fresh_database, Backend, TestDatabase};
use eventlog::{EventLog, ExpectedRevision, Metadata, NewEvent};
use futures::StreamExt;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;
use uuid::Uuid;

mod process_support;
use process_support::{rss_mib, ServerProcess};

/// The most requests of the load in flight at once (each holds a connection).
const IN_FLIGHT: usize = 200;

fn setting(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|value| value.parse().ok()).unwrap_or(default)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A setup event of `company` as the API would have written it.
fn event_of<E: DomainEvent>(company: CompanyId, event: &E) -> NewEvent {
    let (event_type, data) = encode(event).expect("an event");
    NewEvent {
        event_id: Uuid::now_v7(),
        event_type,
        data,
        metadata: Metadata {
            occurred_at: Utc::now(),
            company_id: company.as_uuid(),
            actor: "system".into(),
            correlation_id: Uuid::now_v7(),
            causation_id: None,
            schema_version: E::SCHEMA_VERSION,
        },
    }
}

async fn append_for<E: DomainEvent>(log: &dyn EventLog, company: CompanyId, stream: &str, events: &[E]) {
    let events = events.iter().map(|event| event_of(company, event)).collect();
    log.append(stream, ExpectedRevision::Any, events).await.expect("the setup appends");
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() as f64 - 1.0) * q).round() as usize]
}

/// One company's people and places: its agents' session tokens and its widget's key.
struct Company {
    tokens: Vec<String>,
    widget: String,
}

async fn set_up(log: &dyn EventLog, companies: usize, agents: usize) -> Vec<Company> {
    let mut made = Vec::new();
    for c in 0..companies {
        let company = CompanyId::from_uuid(Uuid::now_v7());
        let limits = CompanyLimits { max_agents: None, max_signed_in_agents: None };
        append_for(
            log,
            company,
            &company_stream(company),
            &[CompanyEvent::Created { company_id: company, name: format!("Company {c}"), limits }],
        )
        .await;
        let queue_id = QueueId::from_uuid(Uuid::now_v7());
        let mut queue = vec![QueueEvent::Created {
            queue_id,
            company_id: company,
            name: QueueName::parse("Sales").expect("a name"),
        }];
        let mut tokens = Vec::new();
        let users: Vec<(UserId, String)> =
            (0..agents).map(|_| (UserId::from_uuid(Uuid::now_v7()), hex(&Uuid::now_v7().into_bytes()))).collect();
        futures::future::join_all(users.iter().enumerate().map(|(a, (user, token))| async move {
            let registered = UserEvent::Registered {
                user_id: *user,
                company_id: company,
                email: Email::parse(&format!("agent{a}@company{c}.example")).expect("an address"),
                name: format!("Agent {a}"),
                role: Role::Agent,
                password_hash: PasswordHash::new("not-used".into()),
            };
            let session = UserEvent::SessionStarted {
                session_id: Uuid::now_v7(),
                token_hash: hex(&Sha256::digest(token.as_bytes())),
                expires_at: Utc::now() + chrono::Duration::days(1),
            };
            append_for(log, company, &user_stream(*user), &[registered, session]).await;
        }))
        .await;
        for (user, token) in users {
            queue.push(QueueEvent::AgentAdded { queue_id, agent: user });
            tokens.push(token);
        }
        append_for(log, company, &queue_stream(queue_id), &queue).await;
        let line_id = LineId::from_uuid(Uuid::now_v7());
        let widget = format!("wk_{}", hex(&Uuid::now_v7().into_bytes()));
        let line = [
            LineEvent::Created {
                line_id,
                company_id: company,
                name: "Shop".into(),
                routing: LineRouting::Queue(queue_id),
                webhook: None,
            },
            LineEvent::WidgetOpened { line_id, key: widget.clone() },
        ];
        append_for(log, company, &line_stream(line_id), &line).await;
        made.push(Company { tokens, widget });
    }
    made
}

/// The CPU time process `pid` has used, in clock ticks (user and system).
/// Waits until the server is quiet: every read model caught up, and nothing appended for a
/// second (the new visitors' contacts, made and indexed in the background, are written), so that
/// the load starts on a server with nothing else to do; answers how long that took.
async fn until_quiet(http: &reqwest::Client, address: &str) -> Duration {
    let started = Instant::now();
    let metrics = || async {
        let text = http.get(format!("{address}/metrics")).send().await.expect("metrics").text().await.expect("metrics");
        let appended = text
            .lines()
            .find_map(|line| line.strip_prefix("eventlog_events_appended_total "))
            .and_then(|count| count.trim().parse::<u64>().ok())
            .expect("the count of events appended");
        let behind: u64 = text
            .lines()
            .filter(|line| line.starts_with("projection_lag_events{"))
            .filter_map(|line| line.rsplit(' ').next()?.parse::<u64>().ok())
            .sum();
        (appended, behind)
    };
    let mut before = metrics().await;
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let now = metrics().await;
        if now.0 == before.0 && now.1 == 0 {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "not quiet after 10 minutes: {} events appended, read models {} events behind",
            now.0,
            now.1
        );
        before = now;
    }
}

fn cpu_ticks(pid: &str) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let field = |n: usize| fields.get(n).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    field(11) + field(12)
}

async fn run(database: TestDatabase, companies: usize, agents: usize, rate: usize, seconds: usize) {
    let log = eventlog::open(&database.url).await.expect("the log");
    let setup_started = Instant::now();
    let made = set_up(log.as_ref(), companies, agents).await;
    drop(log);
    let server = ServerProcess::start(&database.url, 10 * companies * agents, &[]).await;
    let (pid, address) = (server.pid(), server.address.clone());
    let http = reqwest::Client::builder().pool_max_idle_per_host(256).build().expect("a client");
    // A visitor for each agent, through the API.
    let wanted: Vec<usize> =
        made.iter().enumerate().flat_map(|(c, company)| company.tokens.iter().map(move |_| c)).collect();
    let visitors: Vec<(String, String)> = futures::stream::iter(wanted)
        .map(|c| {
            let key = made[c].widget.clone();
            let request = http.post(format!("{address}/api/v1/widget/{key}/visitors"));
            async move {
                let token =
                    request.send().await.expect("a visitor").json::<serde_json::Value>().await.expect("a token")
                        ["token"]
                        .as_str()
                        .expect("a token")
                        .to_string();
                (key, token)
            }
        })
        .buffered(64)
        .collect()
        .await;
    let at_rest = rss_mib(pid);
    eprintln!(
        "set up in {:.0} s: {} agents, {} visitors; server at rest {at_rest:.1} MiB",
        setup_started.elapsed().as_secs_f64(),
        companies * agents,
        visitors.len()
    );

    // Every socket, agents' and visitors', read by a task of its own that times the frames.
    let config = WebSocketConfig::default().read_buffer_size(4 * 1024).write_buffer_size(0);
    let ws = address.replace("http://", "ws://");
    let sent_at: Arc<Vec<Mutex<Option<Instant>>>> = Arc::new((0..visitors.len()).map(|_| Mutex::new(None)).collect());
    let agent_sent_at: Arc<Vec<Mutex<Option<Instant>>>> =
        Arc::new((0..visitors.len()).map(|_| Mutex::new(None)).collect());
    let visitor_waits: Arc<Mutex<Vec<f64>>> = Arc::default();
    let agent_waits: Arc<Mutex<Vec<f64>>> = Arc::default();
    let agent_tokens: Vec<String> = made.iter().flat_map(|company| company.tokens.clone()).collect();
    let opening = Instant::now();
    let agent_sockets: Vec<_> = futures::stream::iter(agent_tokens.iter().cloned())
        .map(|token| {
            let mut request = format!("{ws}/api/v1/ws").into_client_request().expect("a request");
            request.headers_mut().insert("cookie", format!("ikono_session={token}").parse().expect("a cookie"));
            async move {
                tokio_tungstenite::connect_async_with_config(request, Some(config), false)
                    .await
                    .expect("an agent's socket")
                    .0
            }
        })
        .buffered(100)
        .collect()
        .await;
    let visitor_sockets: Vec<_> = futures::stream::iter(visitors.iter().cloned())
        .map(|(key, token)| {
            let url = format!("{ws}/api/v1/widget/{key}/live?visitor={token}");
            async move {
                tokio_tungstenite::connect_async_with_config(url, Some(config), false)
                    .await
                    .expect("a visitor's socket")
                    .0
            }
        })
        .buffered(100)
        .collect()
        .await;
    let open_for = opening.elapsed();
    // Each visitor says hello: their chat opens and goes to an agent of their company.
    let chats: Vec<String> = futures::stream::iter(visitors.iter().cloned())
        .map(|(key, token)| {
            let request = http
                .post(format!("{address}/api/v1/widget/{key}/messages"))
                .bearer_auth(token)
                .json(&serde_json::json!({ "text": "hola" }));
            async move {
                request.send().await.expect("said").json::<serde_json::Value>().await.expect("a chat")["chat_id"]
                    .as_str()
                    .expect("a chat")
                    .to_string()
            }
        })
        .buffered(32)
        .collect()
        .await;
    let visitor_of_chat: HashMap<String, usize> = chats.iter().enumerate().map(|(n, chat)| (chat.clone(), n)).collect();
    // Which visitor each agent has: what the agent's own chats say, once the router has shared them out.
    let mut agent_visitor: Vec<Option<usize>> = vec![None; agent_tokens.len()];
    let assigning = Instant::now() + Duration::from_secs(300);
    loop {
        let unknown: Vec<usize> = (0..agent_tokens.len()).filter(|a| agent_visitor[*a].is_none()).collect();
        if unknown.is_empty() || Instant::now() > assigning {
            break;
        }
        let found: Vec<(usize, Option<usize>)> = futures::stream::iter(unknown)
            .map(|a| {
                let request = http
                    .get(format!("{address}/api/v1/chats"))
                    .header("cookie", format!("ikono_session={}", agent_tokens[a]));
                let visitor_of_chat = &visitor_of_chat;
                async move {
                    let chats: Vec<serde_json::Value> = match request.send().await {
                        Ok(answer) => answer.json().await.unwrap_or_default(),
                        Err(_) => Vec::new(),
                    };
                    (a, chats.iter().find_map(|chat| visitor_of_chat.get(chat["chat_id"].as_str()?).copied()))
                }
            })
            .buffered(64)
            .collect()
            .await;
        for (a, visitor) in found {
            agent_visitor[a] = visitor;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let paired = agent_visitor.iter().filter(|v| v.is_some()).count();
    let quiet_after = until_quiet(&http, &address).await;
    let with_sockets = rss_mib(pid);
    eprintln!(
        "{} sockets open in {:.1} s; {paired} agents have their visitor; server {with_sockets:.1} MiB; \
         quiet {:.1} s later",
        agent_sockets.len() + visitor_sockets.len(),
        open_for.as_secs_f64(),
        quiet_after.as_secs_f64()
    );

    let mut readers = Vec::new();
    for (n, mut socket) in visitor_sockets.into_iter().enumerate() {
        let (sent_at, waits) = (sent_at.clone(), visitor_waits.clone());
        readers.push(tokio::spawn(async move {
            while let Some(Ok(message)) = socket.next().await {
                if matches!(&message, Message::Text(text) if text.contains("messages")) {
                    if let Some(sent) = sent_at[n].lock().expect("a slot").take() {
                        waits.lock().expect("the waits").push(sent.elapsed().as_secs_f64() * 1e3);
                    }
                }
            }
        }));
    }
    for (a, mut socket) in agent_sockets.into_iter().enumerate() {
        let (sent_at, waits, visitor) = (agent_sent_at.clone(), agent_waits.clone(), agent_visitor[a]);
        readers.push(tokio::spawn(async move {
            while let Some(Ok(message)) = socket.next().await {
                if let (Message::Text(text), Some(visitor)) = (&message, visitor) {
                    if text.contains("chats") {
                        if let Some(sent) = sent_at[visitor].lock().expect("a slot").take() {
                            waits.lock().expect("the waits").push(sent.elapsed().as_secs_f64() * 1e3);
                        }
                    }
                }
            }
        }));
    }

    // The load: `rate` messages a second, from the visitors in turn.
    let total = rate * seconds;
    let (server_cpu, own_cpu) = (cpu_ticks(&pid.to_string()), cpu_ticks("self"));
    let load_started = Instant::now();
    let peak = Arc::new(Mutex::new(with_sockets));
    let watching = {
        let peak = peak.clone();
        tokio::spawn(async move {
            loop {
                let now = rss_mib(pid);
                {
                    let mut peak = peak.lock().expect("the peak");
                    *peak = peak.max(now);
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        })
    };
    let refused = Arc::new(AtomicU64::new(0));
    // Both processes hold every socket; the requests in flight share what the open-file limit
    // leaves. A message waiting here for its turn is late by that wait, which its time counts.
    let connections = Arc::new(tokio::sync::Semaphore::new(IN_FLIGHT));
    let mut sending = tokio::time::interval(Duration::from_micros(1_000_000 / rate as u64));
    let mut inflight = Vec::with_capacity(total);
    for m in 0..total {
        sending.tick().await;
        let n = m % visitors.len();
        let (key, token) = visitors[n].clone();
        let request = http
            .post(format!("{address}/api/v1/widget/{key}/messages"))
            .bearer_auth(token)
            .json(&serde_json::json!({ "text": format!("message {m}") }));
        let (sent_at, agent_sent_at, refused) = (sent_at.clone(), agent_sent_at.clone(), refused.clone());
        let connections = connections.clone();
        inflight.push(tokio::spawn(async move {
            let now = Instant::now();
            *sent_at[n].lock().expect("a slot") = Some(now);
            *agent_sent_at[n].lock().expect("a slot") = Some(now);
            let _connection = connections.acquire().await.expect("the semaphore stays open");
            if !request.send().await.is_ok_and(|answer| answer.status().as_u16() == 202) {
                refused.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    for sent in inflight {
        let _ = sent.await;
    }
    let sending_took = load_started.elapsed();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let load_took = load_started.elapsed().as_secs_f64();
    let ticks = 100.0; // USER_HZ
    let server_share = (cpu_ticks(&pid.to_string()) - server_cpu) as f64 / ticks / load_took / 2.0;
    let own_share = (cpu_ticks("self") - own_cpu) as f64 / ticks / load_took / 2.0;
    watching.abort();
    let peak = *peak.lock().expect("the peak");
    for reader in readers {
        reader.abort();
    }

    let mut visitor_waits = std::mem::take(&mut *visitor_waits.lock().expect("the waits"));
    let mut agent_waits = std::mem::take(&mut *agent_waits.lock().expect("the waits"));
    visitor_waits.sort_by(f64::total_cmp);
    agent_waits.sort_by(f64::total_cmp);
    let backend = database.backend;
    println!("| {backend:?} | figure | value |");
    println!("|---|---|---:|");
    println!("| {backend:?} | sockets open: agents, visitors | {}, {} |", agent_tokens.len(), visitors.len());
    println!("| {backend:?} | server RSS at rest (baseline), with every socket open, peak under load | {at_rest:.1}, {with_sockets:.1}, {peak:.1} MiB |");
    println!("| {backend:?} | ratio: peak under load ÷ at rest | {:.2}× |", peak / at_rest.max(1.0));
    println!(
        "| {backend:?} | messages sent, refused; rate reached | {total}, {}; {:.0}/s |",
        refused.load(Ordering::Relaxed),
        total as f64 / sending_took.as_secs_f64()
    );
    for (who, waits) in [("visitor", &visitor_waits), ("agent", &agent_waits)] {
        println!(
            "| {backend:?} | sent → frame on the {who}'s socket, p50 / p99 / max ({} frames) | {:.1} / {:.1} / {:.1} ms |",
            waits.len(),
            percentile(waits, 0.5),
            percentile(waits, 0.99),
            waits.last().copied().unwrap_or(f64::NAN)
        );
    }
    println!(
        "| {backend:?} | CPU over the load (of 2 cores): server, load generator | {:.0} %, {:.0} % |",
        server_share * 100.0,
        own_share * 100.0
    );
    drop(server);
}

#[tokio::main]
async fn main() {
    let companies = setting("COMPANIES", 100);
    let agents = setting("AGENTS", 96);
    let rate = setting("RATE", 1_000);
    let seconds = setting("SECONDS", 10);
    let mut backends = vec![Backend::Sqlite];
    if std::env::var("TEST_DATABASE_URL").is_ok() {
        backends.push(Backend::Postgres);
    }
    if let Ok(only) = std::env::var("BENCH_BACKEND") {
        backends.retain(|backend| format!("{backend:?}").eq_ignore_ascii_case(&only));
    }
    for backend in backends {
        run(fresh_database(backend).await, companies, agents, rate, seconds).await;
    }
}
