//! Live connections: the server as its own process on SQLite, `SOCKETS` widget visitors (10,000
//! unless told) each with their live socket open. Prints the server's memory at rest (the
//! baseline, after the setup) and with every socket open, their ratio and the memory per socket;
//! then the time from a visitor's message sent to the frame on their socket, for 1,000 of them one
//! after another (p50, p99).
//!
//! Run: `make bench` (or `cargo bench -p server --bench sockets-bench`).

use futures::StreamExt;
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;

mod process_support;
use process_support::{rss_mib, ServerProcess};

const ADMIN: (&str, &str) = ("bench@example.com", "bench password");
const PROBES: usize = 1_000;

fn client() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).build().expect("a client")
}

#[tokio::main]
async fn main() {
    let sockets: usize = std::env::var("SOCKETS").ok().and_then(|n| n.parse().ok()).unwrap_or(10_000);
    let folder = std::env::temp_dir().join(format!("ikono-sockets-bench-{}", std::process::id()));
    std::fs::create_dir_all(&folder).expect("a folder for the database");
    let database = format!("sqlite://{}", folder.join("bench.db").display());
    let server =
        ServerProcess::start(&database, 10 * sockets, &["--admin-email", ADMIN.0, "--admin-password", ADMIN.1]).await;
    let (pid, address) = (server.pid(), server.address.clone());

    let admin = client();
    let signed = admin
        .post(format!("{address}/api/v1/session"))
        .json(&serde_json::json!({ "email": ADMIN.0, "password": ADMIN.1 }));
    assert!(signed.send().await.expect("sign-in").status().is_success());
    let created = |path: &'static str, body: serde_json::Value| {
        let request = admin.post(format!("{address}{path}")).json(&body);
        async move { request.send().await.expect("created").json::<serde_json::Value>().await.expect("an answer") }
    };
    let queue = created("/api/v1/queues", serde_json::json!({ "name": "Sales" })).await["id"]
        .as_str()
        .expect("a queue")
        .to_string();
    let line = created("/api/v1/lines", serde_json::json!({ "name": "Shop", "routing": { "queue": queue } })).await
        ["id"]
        .as_str()
        .expect("a line")
        .to_string();
    let opened = admin
        .put(format!("{address}/api/v1/lines/{line}/widget"))
        .json(&serde_json::json!({}))
        .send()
        .await
        .expect("a widget");
    let key = opened.json::<serde_json::Value>().await.expect("a widget")["key"].as_str().expect("a key").to_string();

    let visitors = client();
    let tokens: Vec<String> = futures::stream::iter(0..sockets)
        .map(|_| {
            let request = visitors.post(format!("{address}/api/v1/widget/{key}/visitors"));
            async move {
                request.send().await.expect("a visitor").json::<serde_json::Value>().await.expect("a token")["token"]
                    .as_str()
                    .expect("a token")
                    .to_string()
            }
        })
        .buffered(32)
        .collect()
        .await;
    let at_rest = rss_mib(pid);

    let started = Instant::now();
    let config = WebSocketConfig::default().read_buffer_size(4 * 1024).write_buffer_size(0);
    let live_url = format!("{}/api/v1/widget/{key}/live", address.replace("http://", "ws://"));
    let mut open: Vec<_> = futures::stream::iter(tokens.iter().cloned())
        .map(|token| {
            let url = format!("{live_url}?visitor={token}");
            async move {
                let (mut socket, _) =
                    tokio_tungstenite::connect_async_with_config(url, Some(config), false).await.expect("a socket");
                let greeting = socket.next().await;
                assert!(matches!(greeting, Some(Ok(Message::Text(_)))), "greeted: {greeting:?}");
                socket
            }
        })
        .buffered(200)
        .collect()
        .await;
    let opening = started.elapsed();
    let with_sockets = rss_mib(pid);

    // A visitor says something; the time until their socket is told, one visitor after another.
    let probes = PROBES.min(sockets);
    let mut waits = Vec::with_capacity(probes);
    for (n, socket) in open.iter_mut().take(probes).enumerate() {
        let started = Instant::now();
        let said = visitors
            .post(format!("{address}/api/v1/widget/{key}/messages"))
            .bearer_auth(&tokens[n])
            .json(&serde_json::json!({ "text": format!("hola {n}") }))
            .send()
            .await
            .expect("said");
        assert_eq!(said.status().as_u16(), 202);
        loop {
            match tokio::time::timeout(Duration::from_secs(10), socket.next()).await {
                Ok(Some(Ok(Message::Text(text)))) if text.contains("messages") => break,
                Ok(Some(Ok(_))) => continue,
                other => panic!("visitor {n} was not told: {other:?}"),
            }
        }
        waits.push(started.elapsed());
    }
    waits.sort();
    let at = |q: f64| waits[((waits.len() as f64 * q) as usize).min(waits.len() - 1)];
    for socket in &mut open {
        let _ = socket.close(None).await;
    }

    let per_socket = (with_sockets - at_rest).max(0.0) * 1024.0 / sockets as f64;
    println!("| figure | value |");
    println!("|---|---:|");
    println!("| server RSS at rest, after the setup (baseline) | {:.1} MiB |", at_rest);
    println!("| server RSS with {sockets} visitor sockets open | {:.1} MiB |", with_sockets);
    println!("| ratio (open ÷ at rest) | {:.2}× |", with_sockets / at_rest.max(1.0));
    println!("| memory per open socket | {per_socket:.1} KiB |");
    println!("| time to open them (200 at a time) | {:.1} s |", opening.as_secs_f64());
    println!(
        "| a visitor's message sent → the frame on their socket, p50 / p99 ({probes} one by one) | {:.1} / {:.1} ms |",
        at(0.5).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&folder);
}
