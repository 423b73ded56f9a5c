//! Addresses a tenant writes — a menu's web queries, a line's webhook — reach only public
//! addresses however they are written, directly or through a redirect, unless the operator allowed
//! the host; answers are read up to a size and a deadline; a silent webhook delays no other line.
//! The "internal" services here listen on 127.0.0.2 and on 127.0.0.1 and count every call, so a
//! refusal is proven by the recorded failure and by the service never having been called.

use crate::support::*;
use axum::body::Body;
use axum::http::{header, StatusCode};
use axum::routing::{get, post};
use eventlog::testing::Backend;
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

eventlog::on_both_backends!(
    a_menu_query_reaches_no_private_address_however_it_is_written,
    the_operator_allows_private_hosts_by_name_and_nothing_else,
    a_query_answer_is_read_up_to_its_size_and_its_deadline,
    a_silent_webhook_delays_no_other_line_and_webhooks_follow_no_redirect,
);

const NOT_PUBLIC: &str = "the address is not a public one, and is not allowed";

/// A service on `address` that answers every path and counts the calls.
async fn counted_service(address: &str) -> (String, Arc<AtomicUsize>, tokio::task::JoinHandle<()>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let app = axum::Router::new().fallback(move || {
        let counter = counter.clone();
        async move {
            counter.fetch_add(1, Ordering::SeqCst);
            axum::Json(json!({ "secret": "internal data" }))
        }
    });
    let listener = tokio::net::TcpListener::bind(address).await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (port.to_string(), calls, server)
}

fn redirect_to(
    location: String,
) -> impl Fn() -> std::future::Ready<(StatusCode, [(header::HeaderName, String); 1])> + Clone {
    move || std::future::ready((StatusCode::FOUND, [(header::LOCATION, location.clone())]))
}

/// A menu whose options each query one URL, answering with what the service said.
fn menu_of_queries(urls: &[String]) -> serde_json::Value {
    let options: Vec<_> = urls
        .iter()
        .enumerate()
        .map(|(n, url)| {
            json!({ "label": format!("Query {n}"), "action": { "kind": "query", "url": url, "timeout_ms": 3000,
                    "answer": "It said {{secret}}", "error": "The service is not answering" } })
        })
        .collect();
    json!({ "menu": { "header": "Hi", "options": options } })
}

/// Each URL is queried by its own customer; answers the outcomes' events in the order asked.
async fn query_each(app: &TestApp, urls: &[String]) -> Vec<serde_json::Value> {
    let key = app.api_key().await;
    let (line, _) = app.line(menu_of_queries(urls), None).await;
    for n in 0..urls.len() {
        let contact = format!("customer{n}");
        let say = |m: usize, text: String| json!({ "contact_id": contact, "message_id": format!("{contact}-{m}"), "text": text });
        assert_eq!(app.inbound(&key, &line, say(0, "hola".into())).await.status(), 202);
        assert_eq!(app.inbound(&key, &line, say(1, (n + 1).to_string())).await.status(), 202);
    }
    let mut requested = app.wait_events("WebQueryRequested", urls.len()).await;
    requested.sort_by_key(|request| urls.iter().position(|url| request["request"]["url"] == url.as_str()));
    let mut outcomes = Vec::new();
    for request in &requested {
        let query = request["query_id"].clone();
        let find = || async {
            app.event_kinds().await.into_iter().find(|(kind, data)| {
                kind.starts_with("WebQuery") && kind != "WebQueryRequested" && data["query_id"] == query
            })
        };
        let outcome =
            eventually(&format!("the outcome of the query to {}", request["request"]["url"]), find, Option::is_some)
                .await;
        let (kind, data) = outcome.unwrap_or_default();
        outcomes.push(json!({ "url": request["request"]["url"], "kind": kind, "data": data }));
    }
    outcomes
}

async fn a_menu_query_reaches_no_private_address_however_it_is_written(backend: Backend) {
    let (internal, internal_calls, _a) = counted_service("127.0.0.2:0").await;
    let (loopback, loopback_calls, _b) = counted_service("127.0.0.1:0").await;
    let redirects = Arc::new(AtomicUsize::new(0));
    let (counted_a, counted_b) = (redirects.clone(), redirects.clone());
    let to_internal = redirect_to(format!("http://127.0.0.2:{internal}/secret"));
    let to_loopback = redirect_to(format!("http://localhost:{loopback}/secret"));
    let (allowed, _c) = web_service(
        axum::Router::new()
            .route(
                "/to-internal",
                get(move || {
                    counted_a.fetch_add(1, Ordering::SeqCst);
                    to_internal()
                }),
            )
            .route(
                "/to-loopback",
                get(move || {
                    counted_b.fetch_add(1, Ordering::SeqCst);
                    to_loopback()
                }),
            ),
    )
    .await;
    // The operator allowed 127.0.0.1 (where `allowed` listens); nothing else private.
    let app = TestApp::on(backend).start().await;
    let urls = [
        format!("http://127.0.0.2:{internal}/secret"),
        format!("http://2130706434:{internal}/secret"),
        format!("http://0x7f.0.0.2:{internal}/secret"),
        format!("http://127.2:{internal}/secret"),
        format!("http://[::ffff:127.0.0.2]:{internal}/secret"),
        format!("http://localhost:{loopback}/secret"),
        format!("http://0:{loopback}/secret"),
        format!("{allowed}/to-internal"),
        format!("{allowed}/to-loopback"),
    ];
    let outcomes = query_each(&app, &urls).await;
    for outcome in &outcomes {
        assert_eq!(outcome["kind"], "WebQueryFailed", "{outcome:#}");
        assert_eq!(outcome["data"]["reason"], NOT_PUBLIC, "{outcome:#}");
    }
    assert_eq!(redirects.load(Ordering::SeqCst), 2, "the allowed service was called, and its redirects refused");
    assert_eq!(internal_calls.load(Ordering::SeqCst), 0, "nothing reached the service on 127.0.0.2");
    assert_eq!(loopback_calls.load(Ordering::SeqCst), 0, "nothing reached the service on localhost");

    // The agent reads that the query failed and why, and nothing of the network behind it.
    let chats = app.chats_of(&app.client).await;
    let notes: Vec<String> = futures::future::join_all(
        chats.iter().map(|c| app.chat(&app.client, c["chat_id"].as_str().unwrap_or_default())),
    )
    .await
    .iter()
    .flat_map(|chat| chat["messages"].as_array().cloned().unwrap_or_default())
    .filter(|m| m["direction"] == "note")
    .map(|m| m["text"].as_str().unwrap_or_default().to_string())
    .collect();
    assert_eq!(notes.len(), urls.len(), "{notes:?}");
    assert!(notes.iter().all(|n| n == &format!("The bot's web query failed: {NOT_PUBLIC}")), "{notes:?}");
}

async fn the_operator_allows_private_hosts_by_name_and_nothing_else(backend: Backend) {
    let (port, calls, _service) = counted_service("127.0.0.1:0").await;
    let app = TestApp::on(backend)
        .with_settings(|settings| settings.allowed_private_hosts = "LocalHost.".into())
        .start()
        .await;
    let urls = [
        format!("http://localhost:{port}/ok"),
        format!("http://127.0.0.1:{port}/ok"),
        format!("http://[::1]:{port}/ok"),
    ];
    let outcomes = query_each(&app, &urls).await;
    assert_eq!(outcomes[0]["kind"], "WebQueryAnswered", "the name the operator allowed: {outcomes:#?}");
    assert_eq!(outcomes[1]["data"]["reason"], NOT_PUBLIC, "its address written out is another host");
    assert_eq!(outcomes[2]["data"]["reason"], NOT_PUBLIC);
    assert_eq!(calls.load(Ordering::SeqCst), 1, "only the allowed name reached the service");
}

async fn a_query_answer_is_read_up_to_its_size_and_its_deadline(backend: Backend) {
    const CAP: usize = 256 * 1024;
    let trickle = || async {
        // A byte every 50 ms, for ever: never too large, never finished.
        let bytes = futures::stream::unfold((), |()| async {
            tokio::time::sleep(Duration::from_millis(50)).await;
            Some((Ok::<_, std::io::Error>(axum::body::Bytes::from_static(b" ")), ()))
        });
        Body::from_stream(bytes)
    };
    let unsized_big = || async {
        let chunks = futures::stream::iter((0..40).map(|_| Ok::<_, std::io::Error>(vec![b'x'; 8 * 1024])));
        Body::from_stream(chunks)
    };
    let (service, _running) = web_service(
        axum::Router::new()
            .route("/declared", get(|| async { "x".repeat(CAP + 1) }))
            .route("/streamed", get(unsized_big))
            .route("/just-fits", get(|| async { format!("\"{}\"", "y".repeat(CAP - 2)) }))
            .route("/trickle", get(trickle)),
    )
    .await;
    let app = TestApp::on(backend).start().await;
    let urls = ["/declared", "/streamed", "/just-fits", "/trickle"].map(|path| format!("{service}{path}"));
    let outcomes = query_each(&app, &urls).await;
    assert_eq!(outcomes[0]["data"]["reason"], "the answer is larger than 256 KB", "{:#}", outcomes[0]);
    assert_eq!(outcomes[1]["data"]["reason"], "the answer is larger than 256 KB", "without a declared length");
    assert_eq!(outcomes[2]["kind"], "WebQueryAnswered", "an answer of exactly the cap is read");
    assert_eq!(outcomes[3]["data"]["reason"], "no answer within 3000 ms", "the deadline covers the whole answer");
}

async fn a_silent_webhook_delays_no_other_line_and_webhooks_follow_no_redirect(backend: Backend) {
    // Takes connections and never answers.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent_url = format!("http://{}/hook", silent.local_addr().unwrap());
    let held = Arc::new(tokio::sync::Mutex::new(Vec::new()));
    let holder = held.clone();
    let _silent = tokio::spawn(async move {
        while let Ok((connection, _)) = silent.accept().await {
            holder.lock().await.push(connection);
        }
    });
    let mut hook = webhook().await;
    let (redirecting, _r) = web_service(axum::Router::new().route(
        "/hook",
        post({
            let location = hook.url.clone();
            move || std::future::ready((StatusCode::TEMPORARY_REDIRECT, [(header::LOCATION, location.clone())]))
        }),
    ))
    .await;
    let (internal, internal_calls, _i) = counted_service("127.0.0.2:0").await;

    let app = TestApp::on(backend).start().await;
    // Two agents, two lines each: an agent takes three chats at a time.
    let (ana, bea) = (app.agent("Ana").await, app.agent("Bea").await);
    let _online = (go_online(&app, &ana).await, go_online(&app, &bea).await);
    let key = app.api_key().await;
    let webhooks =
        [silent_url, format!("{redirecting}/hook"), format!("http://127.0.0.2:{internal}/hook"), hook.url.clone()];
    let mut chats = Vec::new();
    for (n, url) in webhooks.iter().enumerate() {
        let agent = if n < 2 { &ana } else { &bea };
        let (line, _) = app.line(json!({ "agent": agent.id }), Some(url)).await;
        chats.push((app.customer_writes(&key, &line, &format!("c{n}"), "hola").await, agent));
    }
    app.wait_chats(&ana.client, |c| c.len() == 2).await;
    app.wait_chats(&bea.client, |c| c.len() == 2).await;
    for (chat, agent) in &chats {
        let path = format!("/api/v1/chats/{chat}/messages");
        let sent = app.send(&agent.client, reqwest::Method::POST, &path, json!({ "text": format!("to {chat}") })).await;
        assert_eq!(sent.status(), 201);
    }
    let chats: Vec<String> = chats.into_iter().map(|(chat, _)| chat).collect();
    // The silent webhook holds its call for ten seconds, three times; the last line's webhook,
    // answered after it, gets its message within the receiver's patience all the same.
    let (_, body) = hook.next().await;
    assert_eq!(body["text"], format!("to {}", chats[3]), "the last line's own message, not the redirected one");

    let failures = app.wait_events("OutboundMessageFailed", 2).await;
    let reason_of = |chat: &str| {
        failures.iter().find(|f| f["chat_id"] == chat).map(|f| f["reason"].as_str().unwrap_or_default().to_string())
    };
    assert_eq!(
        reason_of(&chats[1]).as_deref(),
        Some("the webhook was not called: the service redirected, and this call does not follow redirects")
    );
    assert_eq!(reason_of(&chats[2]).as_deref(), Some(format!("the webhook was not called: {NOT_PUBLIC}").as_str()));
    assert_eq!(internal_calls.load(Ordering::SeqCst), 0, "nothing reached the private webhook");
    assert!(!held.lock().await.is_empty(), "the silent webhook was called");
    let read = app.wait_chat(&app.client, &chats[1], |c| c["messages"][1]["delivery"] == "failed").await;
    assert_eq!(read["messages"][1]["delivery"], "failed", "the agent sees the message did not reach the customer");
    assert!(hook.calls.try_recv().is_err(), "the redirect was not followed to the other webhook");
}
