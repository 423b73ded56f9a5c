//! Crash and restart, measured: the server runs as a real process on each backend, customers
//! write and an agent answers without pause, and the process is killed with SIGKILL at moments
//! drawn from a seed the test prints (`CRASH_SEED=… cargo test … crash` replays a run). After the
//! last restart: every message acknowledged with 2xx is in its chat exactly once, every reply
//! acknowledged reached the line's webhook, every re-send with the same `message_id` and body,
//! no timer is lost (every chat of an agent who never answers passes on within its minute to
//! answer, kills or not), and every read model equals a rebuild of the log from position 0.

use crate::support::*;
use eventlog::testing::{fresh_database, Backend};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

eventlog::on_both_backends!(
    acknowledged_work_survives_kills_exactly_once_and_read_models_match_a_rebuild,
    a_whatsapp_send_is_never_lost_and_is_sent_again_only_when_the_kill_falls_before_its_record,
);

const KILLS: usize = 3;
const CUSTOMERS: usize = 12;

/// A small deterministic generator (xorshift64*), so that a seed replays the same moments.
struct Moments(u64);

impl Moments {
    fn next_millis(&mut self, from: u64, to: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        from + self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % (to - from)
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|listener| listener.local_addr()).map_or(0, |a| a.port())
}

/// The server's process, killed with SIGKILL when dropped.
struct Process(std::process::Child);

impl Process {
    /// SIGKILL, and waits until the process is gone.
    fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Starts the server process on `database_url` at `port`, and waits until it answers.
async fn start(database_url: &str, port: u16) -> Process {
    start_with(database_url, port, &[]).await
}

/// The same, with these variables in its environment.
async fn start_with(database_url: &str, port: u16, variables: &[(&str, &str)]) -> Process {
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .envs(variables.iter().copied())
        .args(["--address", &format!("127.0.0.1:{port}"), "--database-url", database_url])
        .args(["--admin-email", ADMIN_EMAIL, "--admin-password", ADMIN_PASSWORD])
        .args(["--allow-private-hosts", "127.0.0.1", "--operator-token", OPERATOR_TOKEN])
        .env("IKONO_SITE_ROOT", std::env::temp_dir())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the server starts");
    let child = Process(child);
    let deadline = Instant::now() + Duration::from_secs(60);
    let health = format!("http://127.0.0.1:{port}/healthz");
    loop {
        if let Ok(answer) = anonymous().get(&health).send().await {
            if answer.status().is_success() {
                return child;
            }
        }
        assert!(Instant::now() < deadline, "the server did not answer within 60 s of starting");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// What the test saw acknowledged: customers' messages (by id: their chat and text) and the
/// agent's replies (their texts).
#[derive(Default)]
struct Acknowledged {
    messages: BTreeMap<String, (String, String)>,
    replies: BTreeSet<String>,
}

async fn acknowledged_work_survives_kills_exactly_once_and_read_models_match_a_rebuild(backend: Backend) {
    let seed = std::env::var("CRASH_SEED").ok().and_then(|seed| seed.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |d| d.as_nanos() as u64) | 1
    });
    eprintln!("crash test on {backend:?}: seed {seed} (CRASH_SEED={seed} replays it)");
    let mut moments = Moments(seed);
    let database = fresh_database(backend).await;
    let port = free_port();
    let address = format!("http://127.0.0.1:{port}");
    let mut server = start(&database.url, port).await;

    let admin = signed_in(&address, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let post = |path: &str, body: serde_json::Value| {
        let request = admin.post(format!("{address}{path}")).json(&body);
        async move {
            let answer = request.send().await.unwrap();
            assert!(answer.status().is_success(), "{}", answer.status());
            answer.json::<serde_json::Value>().await.unwrap()
        }
    };
    let agent =
        post("/api/v1/agents", serde_json::json!({ "name": "Ana", "email": "ana@example.com", "password": PASSWORD }))
            .await;
    let agent_id = agent["user_id"].as_str().unwrap().to_string();
    let bea =
        post("/api/v1/agents", serde_json::json!({ "name": "Bea", "email": "bea@example.com", "password": PASSWORD }))
            .await["user_id"]
            .as_str()
            .unwrap()
            .to_string();
    let queue =
        post("/api/v1/queues", serde_json::json!({ "name": "Sales" })).await["id"].as_str().unwrap().to_string();
    for member in [&agent_id, &bea] {
        let added = admin.put(format!("{address}/api/v1/queues/{queue}/members/{member}")).json(&serde_json::json!({}));
        assert_eq!(added.send().await.unwrap().status(), 204);
    }
    // Ana can hold every customer's chat, so that a chat Bea misses always has somewhere to go.
    let capacity =
        admin.put(format!("{address}/api/v1/agents/{agent_id}/capacity")).json(&serde_json::json!({ "capacity": 50 }));
    assert_eq!(capacity.send().await.unwrap().status(), 204);
    // Bea never answers: each chat she gets must pass on when the minute to answer it is over,
    // whatever kills fall in between (the timers are durable).
    let settings = serde_json::json!({ "waiting_message": "You are number {position}", "no_answer_minutes": 1 });
    let set = admin.put(format!("{address}/api/v1/queues/{queue}/settings")).json(&settings);
    assert_eq!(set.send().await.unwrap().status(), 204);
    let key = post("/api/v1/api-keys", serde_json::json!({ "name": "CRM" })).await["key"].as_str().unwrap().to_string();
    let mut hook = webhook().await;
    let line = post(
        "/api/v1/lines",
        serde_json::json!({ "name": "Shop", "routing": { "queue": queue }, "webhook_url": hook.url }),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let ana = signed_in(&address, "ana@example.com", PASSWORD).await;

    let seen = Arc::new(Mutex::new(Acknowledged::default()));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    // The agent keeps their live socket open (reconnecting after each restart) and answers
    // each chat of theirs in turn.
    let agents_stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    // Each restart: a socket to the killed process may look open until it is used, so the agents
    // open a new one after every restart instead of waiting to notice.
    let restarts = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let agent_work = {
        let (seen, agents_stop, address, restarts) =
            (seen.clone(), agents_stop.clone(), address.clone(), restarts.clone());
        let cookie = cookie_of(&address, "ana@example.com").await;
        tokio::spawn(async move {
            let mut live: Option<LivePage> = None;
            let mut opened_after = usize::MAX;
            let mut n = 0usize;
            while !agents_stop.load(std::sync::atomic::Ordering::SeqCst) {
                let restarted = restarts.load(std::sync::atomic::Ordering::SeqCst);
                if !live.as_ref().is_some_and(LivePage::is_open) || opened_after != restarted {
                    live = open_live(&address, &cookie).await;
                    opened_after = restarted;
                }
                let mine = ana.get(format!("{address}/api/v1/chats")).send().await;
                let Ok(chats) = (match mine {
                    Ok(answer) => answer.json::<Vec<serde_json::Value>>().await.map_err(|_| ()),
                    Err(_) => Err(()),
                }) else {
                    live = None;
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                };
                for chat in chats.iter().filter_map(|chat| chat["chat_id"].as_str()) {
                    let text = format!("reply {n}");
                    let sent = ana
                        .post(format!("{address}/api/v1/chats/{chat}/messages"))
                        .json(&serde_json::json!({ "text": text }))
                        .send()
                        .await;
                    if sent.is_ok_and(|answer| answer.status().as_u16() == 201) {
                        seen.lock().unwrap().replies.insert(text);
                        n += 1;
                    }
                }
                tokio::time::sleep(Duration::from_millis(30)).await;
            }
        })
    };

    let bea_chats: Arc<Mutex<(Option<usize>, Option<Instant>)>> = Arc::default();
    let bea_online = {
        let (agents_stop, bea_chats, address, restarts) =
            (agents_stop.clone(), bea_chats.clone(), address.clone(), restarts.clone());
        let client = signed_in(&address, "bea@example.com", PASSWORD).await;
        let cookie = cookie_of(&address, "bea@example.com").await;
        tokio::spawn(async move {
            let mut live: Option<LivePage> = None;
            let mut opened_after = usize::MAX;
            while !agents_stop.load(std::sync::atomic::Ordering::SeqCst) {
                let restarted = restarts.load(std::sync::atomic::Ordering::SeqCst);
                if !live.as_ref().is_some_and(LivePage::is_open) || opened_after != restarted {
                    live = open_live(&address, &cookie).await;
                    opened_after = restarted;
                }
                let mine = match client.get(format!("{address}/api/v1/chats")).send().await {
                    Ok(answer) => answer.json::<Vec<serde_json::Value>>().await.ok(),
                    Err(_) => None,
                };
                match mine {
                    Some(chats) => {
                        let mut seen = bea_chats.lock().unwrap();
                        seen.0 = Some(chats.len());
                        if !chats.is_empty() && seen.1.is_none() {
                            seen.1 = Some(Instant::now());
                        }
                    }
                    None => live = None,
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
    };

    // Both agents online before the first customer writes, so that the router shares them out.
    let online = Instant::now() + Duration::from_secs(30);
    loop {
        let agents = admin.get(format!("{address}/api/v1/agents")).send().await.unwrap();
        let agents: Vec<serde_json::Value> = agents.json().await.unwrap();
        if agents.iter().filter(|agent| agent["online"] == true).count() == 2 {
            break;
        }
        assert!(Instant::now() < online, "the agents did not come online: {agents:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Customers write one message after another; a message whose answer did not come (the
    // server was down) is sent again with the same id until it is acknowledged.
    let customers = {
        let (seen, stop, address, key, line) = (seen.clone(), stop.clone(), address.clone(), key.clone(), line.clone());
        tokio::spawn(async move {
            let client = anonymous();
            let mut n = 0usize;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                let (id, text) = (format!("m{n}"), format!("message {n}"));
                let body =
                    serde_json::json!({ "contact_id": format!("c{}", n % CUSTOMERS), "message_id": id, "text": text });
                let sent = client
                    .post(format!("{address}/api/v1/lines/{line}/messages"))
                    .bearer_auth(&key)
                    .json(&body)
                    .send()
                    .await;
                match sent {
                    Ok(answer) if answer.status().as_u16() == 202 => {
                        let chat = answer.json::<serde_json::Value>().await.unwrap_or_default()["chat_id"]
                            .as_str()
                            .unwrap_or_default()
                            .to_string();
                        seen.lock().unwrap().messages.insert(id, (chat, text));
                        n += 1;
                    }
                    _ => tokio::time::sleep(Duration::from_millis(20)).await,
                }
            }
        })
    };
    let mut last_kill = Instant::now();
    for kill in 1..=KILLS {
        let after = moments.next_millis(300, 1500);
        tokio::time::sleep(Duration::from_millis(after)).await;
        let before = seen.lock().unwrap().messages.len();
        server.kill();
        last_kill = Instant::now();
        eprintln!("kill {kill} after {after} ms ({before} messages acknowledged so far)");
        drop(server);
        server = start(&database.url, port).await;
        restarts.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
    tokio::time::sleep(Duration::from_millis(moments.next_millis(300, 800))).await;
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let _ = customers.await;
    // No timer is lost: every chat Bea got, before the kills or after, passes on within its minute.
    let first_for_bea = bea_chats.lock().unwrap().1;
    assert!(first_for_bea.is_some_and(|first| first < last_kill), "Bea had a chat before the last kill");
    let deadline = Instant::now() + Duration::from_secs(100);
    loop {
        let left = bea_chats.lock().unwrap().0;
        if left == Some(0) {
            break;
        }
        if Instant::now() > deadline {
            let agents = admin.get(format!("{address}/api/v1/agents")).send().await.unwrap().text().await.unwrap();
            let bea_client = signed_in(&address, "bea@example.com", PASSWORD).await;
            let hers: Vec<serde_json::Value> =
                bea_client.get(format!("{address}/api/v1/chats")).send().await.unwrap().json().await.unwrap();
            let mut histories = Vec::new();
            for chat in hers.iter().filter_map(|chat| chat["chat_id"].as_str()) {
                let history = admin.get(format!("{address}/api/v1/chats/{chat}/history")).send().await.unwrap();
                let events: Vec<serde_json::Value> = history.json().await.unwrap_or_default();
                let kinds: Vec<String> = events
                    .iter()
                    .map(|e| {
                        format!(
                            "{} {}",
                            e["event_type"].as_str().unwrap_or("?"),
                            e["occurred_at"].as_str().unwrap_or("")
                        )
                    })
                    .collect();
                histories.push((chat.to_string(), kinds));
            }
            panic!("Bea still holds {left:?} chats a minute and more after they were hers; agents: {agents}; her chats' histories: {histories:#?}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    agents_stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let _ = bea_online.await;
    let _ = agent_work.await;
    let seen = std::mem::take(&mut *seen.lock().unwrap());
    assert!(
        seen.messages.len() > KILLS && !seen.replies.is_empty(),
        "work went on: {} messages, {} replies",
        seen.messages.len(),
        seen.replies.len()
    );

    // Every acknowledged message is in its chat exactly once.
    let chats: BTreeSet<&String> = seen.messages.values().map(|(chat, _)| chat).collect();
    let mut texts_of: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for chat in chats {
        let read = admin.get(format!("{address}/api/v1/chats/{chat}")).send().await.unwrap();
        let read: serde_json::Value = read.json().await.unwrap();
        let texts = read["messages"].as_array().map_or(vec![], |messages| {
            messages.iter().filter_map(|m| m["text"].as_str().map(str::to_string)).collect()
        });
        texts_of.insert(chat.clone(), texts);
    }
    for (id, (chat, text)) in &seen.messages {
        let times = texts_of.get(chat).map_or(0, |texts| texts.iter().filter(|t| *t == text).count());
        assert_eq!(times, 1, "{id} ({text}) is in its chat {chat} exactly once");
    }

    // Every acknowledged reply reached the webhook; every re-send is the same message.
    let mut delivered: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let texts: BTreeSet<String> = delivered
            .values()
            .flatten()
            .filter_map(|body| {
                serde_json::from_str::<serde_json::Value>(body).ok()?["text"].as_str().map(str::to_string)
            })
            .collect();
        let missing: Vec<&String> = seen.replies.iter().filter(|reply| !texts.contains(*reply)).collect();
        if missing.is_empty() {
            break;
        }
        assert!(Instant::now() < deadline, "replies never delivered: {missing:?}");
        let Ok(Some((_, body))) = tokio::time::timeout(Duration::from_secs(60), hook.calls.recv()).await else {
            panic!("the webhook went quiet with replies undelivered: {missing:?}");
        };
        let id = serde_json::from_str::<serde_json::Value>(&body)
            .ok()
            .and_then(|value| value["message_id"].as_str().map(str::to_string));
        delivered.entry(id.unwrap_or_default()).or_default().insert(body);
    }
    for (id, bodies) in &delivered {
        assert_eq!(bodies.len(), 1, "every re-send of {id} is the same message: {bodies:?}");
    }

    // Every read model equals a rebuild of the log from position 0.
    // A last kill, a start that lets the read models catch up, and a stop.
    server.kill();
    drop(server);
    start(&database.url, port).await.kill();
    read_models_match_a_rebuild(&database.url, backend).await;
}

async fn cookie_of(address: &str, email: &str) -> String {
    let answer = sign_in(&anonymous(), address, email, PASSWORD).await;
    answer.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string()
}

/// An agent's open page: its live socket, read as a browser reads it (the server closes the
/// socket of a page that stops reading, and the agent goes offline), and opened again once it
/// closes, as the page does; closed when dropped.
struct LivePage(tokio::task::JoinHandle<()>);

impl LivePage {
    fn is_open(&self) -> bool {
        !self.0.is_finished()
    }
}

impl Drop for LivePage {
    fn drop(&mut self) {
        self.0.abort();
    }
}

async fn open_live(address: &str, cookie: &str) -> Option<LivePage> {
    use futures::StreamExt;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let mut request = format!("{}/api/v1/ws", address.replace("http://", "ws://")).into_client_request().ok()?;
    request.headers_mut().insert("cookie", cookie.parse().ok()?);
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.ok()?;
    Some(LivePage(tokio::spawn(async move { while let Some(Ok(_)) = socket.next().await {} })))
}

/// Folds the log at `database_url` into a fresh store with every projection, and compares each
/// of their tables with the live one, row by row.
async fn read_models_match_a_rebuild(database_url: &str, backend: Backend) {
    use projections::{Projection, ProjectionRunner, ReadStore};
    let log = eventlog::open(database_url).await.expect("the log opens");
    let live = ReadStore::connect(database_url).await.expect("the live read store");
    let rebuilt_database = fresh_database(backend).await;
    // Opening a log makes the database and the tables every store has (the checkpoints).
    eventlog::open(&rebuilt_database.url).await.expect("a fresh database");
    let rebuilt = ReadStore::connect(&rebuilt_database.url).await.expect("a fresh read store");
    let all: Vec<Arc<dyn Projection>> = vec![
        Arc::new(projections::queue_list::QueueList::new()),
        Arc::new(projections::people::People),
        Arc::new(projections::agent_board::AgentBoard),
        Arc::new(projections::lines::Lines),
        Arc::new(projections::chat_board::ChatBoard),
        Arc::new(projections::contacts::Contacts),
        Arc::new(projections::templates::Templates),
        Arc::new(projections::quick_replies::QuickReplies),
    ];
    for projection in all {
        let runner = ProjectionRunner::new(rebuilt.clone(), log.clone(), projection);
        runner.prepare().await.expect("prepared");
        runner.catch_up().await.expect("rebuilt from position 0");
    }
    let tables = table_names(&rebuilt).await;
    assert!(tables.len() > 6, "the rebuild made the read models' tables: {tables:?}");
    for table in tables {
        let (mine, theirs) = (dump(&live, &table).await, dump(&rebuilt, &table).await);
        assert!(
            mine == theirs,
            "{table}: the live read model differs from the rebuild\nlive: {mine:?}\nrebuilt: {theirs:?}"
        );
    }
}

/// The tables of a store's read models (their names end in `_v<version>`); checkpoints aside.
async fn table_names(store: &projections::ReadStore) -> Vec<String> {
    let query = match store.dialect() {
        projections::Dialect::Sqlite => "SELECT name FROM sqlite_master WHERE type = 'table'",
        projections::Dialect::Postgres => {
            "SELECT CAST(table_name AS TEXT) FROM information_schema.tables WHERE table_schema = current_schema()"
        }
    };
    let names: Vec<String> = sqlx::query_scalar(query).fetch_all(store.pool()).await.unwrap();
    let versioned = |name: &String| name.rsplit_once("_v").is_some_and(|(_, version)| version.parse::<u32>().is_ok());
    let mut names: Vec<String> = names.into_iter().filter(versioned).collect();
    names.sort();
    names
}

/// Every row of `table`, each column as text, in a stable order.
async fn dump(store: &projections::ReadStore, table: &str) -> Vec<Vec<Option<String>>> {
    let query = match store.dialect() {
        projections::Dialect::Sqlite => format!("SELECT name FROM pragma_table_info('{table}') ORDER BY cid"),
        projections::Dialect::Postgres => format!(
            "SELECT CAST(column_name AS TEXT) FROM information_schema.columns WHERE table_name = '{table}' \
             AND table_schema = current_schema() ORDER BY ordinal_position"
        ),
    };
    let columns: Vec<String> = sqlx::query_scalar(&query).fetch_all(store.pool()).await.unwrap();
    let selected: Vec<String> = columns.iter().map(|c| format!("CAST({c} AS TEXT)")).collect();
    let order: Vec<String> = (1..=columns.len()).map(|n| n.to_string()).collect();
    let rows = sqlx::query(&format!("SELECT {} FROM {table} ORDER BY {}", selected.join(", "), order.join(", ")))
        .fetch_all(store.pool())
        .await
        .unwrap();
    use sqlx::Row;
    rows.iter()
        .map(|row| (0..columns.len()).map(|i| row.try_get::<Option<String>, _>(i).unwrap_or(None)).collect())
        .collect()
}

/// Meta's send API has no idempotency key: a message whose send was under way when the process
/// died is sent again after the restart (Meta may then deliver it twice, the documented repeat),
/// and recorded once; one whose outcome was recorded before the kill is never sent again.
async fn a_whatsapp_send_is_never_lost_and_is_sent_again_only_when_the_kill_falls_before_its_record(backend: Backend) {
    const TOKEN: &str = "EAAG-kill-test-token";
    const APP_SECRET: &str = "kill-test-app-secret";
    let mut meta = LocalMeta::start_for(TOKEN).await;
    let database = fresh_database(backend).await;
    let port = free_port();
    let address = format!("http://127.0.0.1:{port}");
    let graph_url = meta.url.clone();
    let variables = [("IKONO_SECRETS_KEY", SECRETS_KEY), ("IKONO_WHATSAPP_GRAPH_URL", graph_url.as_str())];
    let mut server = start_with(&database.url, port, &variables).await;
    let admin = signed_in(&address, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let menu = serde_json::json!({ "menu": { "header": "Hola", "options": [
        { "label": "Horarios", "action": { "kind": "text", "text": "De 9 a 18" } },
    ] } });
    let line =
        admin.post(format!("{address}/api/v1/lines")).json(&serde_json::json!({ "name": "WhatsApp", "routing": menu }));
    let line: serde_json::Value = line.send().await.unwrap().json().await.unwrap();
    let line = line["id"].as_str().unwrap().to_string();
    let credentials = serde_json::json!({ "phone_number_id": "1122334455667", "business_account_id": "99",
                                          "access_token": TOKEN, "app_secret": APP_SECRET });
    let linked = admin.put(format!("{address}/api/v1/lines/{line}/whatsapp-cloud")).json(&credentials);
    assert_eq!(linked.send().await.unwrap().status(), 200);
    let customer_writes = |id: &str, text: &str| {
        let notification = serde_json::json!({ "object": "whatsapp_business_account", "entry": [{ "id": "99", "changes": [{
            "field": "messages", "value": { "messaging_product": "whatsapp",
                "metadata": { "display_phone_number": "15550000000", "phone_number_id": "1122334455667" },
                "contacts": [{ "profile": { "name": "Rosa" }, "wa_id": "5491155550000" }],
                "messages": [{ "from": "5491155550000", "id": id, "timestamp": "1700000000", "type": "text",
                               "text": { "body": text } }] } }] }] });
        let body = serde_json::to_vec(&notification).unwrap();
        anonymous()
            .post(format!("{address}/api/v1/webhooks/whatsapp-cloud/{line}"))
            .header("content-type", "application/json")
            .header("x-hub-signature-256", bridges::meta::sign(APP_SECRET, &body))
            .body(body)
            .send()
    };

    // Killed while Meta holds the menu's send, before its answer.
    meta.hold_next_send();
    assert_eq!(customer_writes("wamid.hola", "hola").await.unwrap().status(), 200);
    let held = meta.next_call().await;
    assert_eq!(held.body["type"], "interactive", "{:?}", held.body);
    server.kill();
    server = start_with(&database.url, port, &variables).await;
    let again = meta.next_call().await;
    assert_eq!(again.body, held.body, "the send under way at the kill is sent again after the restart");
    // Recorded once, with Meta's id of the send it answered.
    let chat = eventually(
        "the chat, its menu delivered",
        || async {
            let chats: Vec<serde_json::Value> =
                admin.get(format!("{address}/api/v1/chats")).send().await.unwrap().json().await.unwrap();
            let chat = chats.first()?["chat_id"].as_str()?.to_string();
            let read: serde_json::Value =
                admin.get(format!("{address}/api/v1/chats/{chat}")).send().await.unwrap().json().await.unwrap();
            let delivered = read["messages"].as_array()?.iter().any(|m| m["provider_id"] == "wamid.out-1");
            delivered.then_some(chat)
        },
        Option::is_some,
    )
    .await
    .unwrap();
    let history = |chat: String| {
        let request = admin.get(format!("{address}/api/v1/chats/{chat}/history"));
        async move { request.send().await.unwrap().json::<Vec<serde_json::Value>>().await.unwrap() }
    };
    let first_menu = history(chat.clone()).await;
    let menu_id = first_menu.iter().find(|e| e["event_type"] == "MenuShown").unwrap()["data"]["message_id"].clone();
    let delivered = |entries: &[serde_json::Value], id: &serde_json::Value| {
        entries
            .iter()
            .filter(|e| e["event_type"] == "OutboundMessageDelivered" && e["data"]["message_id"] == *id)
            .count()
    };
    assert_eq!(delivered(&first_menu, &menu_id), 1);

    // Killed after the record: nothing is sent again. The next send Meta sees is the answer to
    // the customer's next message, not the menu.
    server.kill();
    let _server = start_with(&database.url, port, &variables).await;
    assert_eq!(customer_writes("wamid.uno", "1").await.unwrap().status(), 200);
    let next = meta.next_call().await;
    assert_eq!(next.body["text"]["body"], "De 9 a 18", "{:?}", next.body);
    let entries = eventually(
        "the answer recorded delivered",
        || history(chat.clone()),
        |entries| {
            entries.iter().any(|e| e["event_type"] == "OutboundMessageDelivered" && e["data"]["message_id"] != menu_id)
        },
    )
    .await;
    assert_eq!(delivered(&entries, &menu_id), 1);
}
