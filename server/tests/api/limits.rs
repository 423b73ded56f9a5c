//! Floods: what one client may do is limited, the refusal is a 429 with `Retry-After`, and
//! nobody else is held back by it. Client addresses come from `X-Forwarded-For` because the
//! tests' connection is the operator's listed proxy.

use crate::support::*;
use chrono::Duration;
use eventlog::testing::Backend;
use futures::{SinkExt, StreamExt};
use server::clock::TestClock;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

eventlog::on_both_backends!(
    failed_sign_ins_make_an_account_wait_longer_each_time_from_any_address,
    failed_sign_ins_from_one_address_make_it_wait_whatever_the_account,
    unknown_accounts_cost_a_password_check_and_checks_run_a_few_at_a_time,
    widget_visitors_are_issued_by_the_server_and_limited_per_address_and_per_widget,
    widget_messages_and_files_are_limited_per_address_and_nothing_else_stops,
    visitor_sockets_are_limited_per_address_and_their_messages_kept_small,
    every_part_of_a_request_has_a_limit,
);

const LOCAL: &str = "127.0.0.1";

/// Sends `request` as coming from `client` (the address the proxy says it saw): the status,
/// `Retry-After`, and the body's `field` (else its `error`).
async fn from_client(request: reqwest::RequestBuilder, client: &str, field: &str) -> (u16, Option<u64>, String) {
    let answer = request.header("x-forwarded-for", client).send().await.unwrap();
    let status = answer.status().as_u16();
    let retry_after = answer.headers().get("retry-after").and_then(|value| value.to_str().ok()?.parse().ok());
    let body: serde_json::Value = answer.json().await.unwrap_or_default();
    (status, retry_after, body[field].as_str().or(body["error"].as_str()).unwrap_or_default().to_string())
}

/// A sign-in from `client`: the status, `Retry-After` and the error.
async fn sign_in_from(app: &TestApp, client: &str, email: &str, password: &str) -> (u16, Option<u64>, String) {
    let credentials = serde_json::json!({ "email": email, "password": password });
    from_client(anonymous().post(format!("{}/api/v1/session", app.address)).json(&credentials), client, "error").await
}

fn behind_a_proxy(clock: &TestClock, backend: Backend) -> AppBuilder {
    TestApp::on(backend).with_clock(clock.clone()).with_settings(|settings| {
        settings.trusted_proxies = vec![LOCAL.parse().unwrap()];
    })
}

async fn failed_sign_ins_make_an_account_wait_longer_each_time_from_any_address(backend: Backend) {
    let clock = TestClock::default();
    let app = behind_a_proxy(&clock, backend).start().await;
    let _ana = app.agent("Ana").await;
    let free = server::limits::Limits::default().sign_in_free_failures;
    for attempt in 1..=free {
        let (status, _, _) = sign_in_from(&app, "203.0.113.1", ADMIN_EMAIL, "guess").await;
        assert_eq!(status, 401, "free attempt {attempt}");
    }
    // Now the account waits, whatever the address and even with the right password.
    for (client, password) in
        [("203.0.113.1", ADMIN_PASSWORD), ("198.51.100.9", ADMIN_PASSWORD), ("2001:db8::1", "guess")]
    {
        let (status, retry_after, error) = sign_in_from(&app, client, &ADMIN_EMAIL.to_uppercase(), password).await;
        assert_eq!((status, retry_after), (429, Some(1)), "{client}: {error}");
        assert!(error.contains("too many failed sign-ins for this account"), "{error}");
    }
    let (status, _, _) = sign_in_from(&app, "203.0.113.1", "ana@example.com", PASSWORD).await;
    assert_eq!(status, 200, "another account from the same address is not held back");

    clock.advance(Duration::seconds(1));
    assert_eq!(sign_in_from(&app, "203.0.113.1", ADMIN_EMAIL, "guess again").await.0, 401);
    let (status, retry_after, _) = sign_in_from(&app, "203.0.113.1", ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!((status, retry_after), (429, Some(2)), "each failure doubles the wait");
    clock.advance(Duration::seconds(2));
    assert_eq!(sign_in_from(&app, "203.0.113.1", ADMIN_EMAIL, ADMIN_PASSWORD).await.0, 200, "after the wait");
    // A success starts the count again.
    for attempt in 1..=free {
        assert_eq!(sign_in_from(&app, "203.0.113.1", ADMIN_EMAIL, "guess").await.0, 401, "attempt {attempt}");
    }
}

async fn failed_sign_ins_from_one_address_make_it_wait_whatever_the_account(backend: Backend) {
    let clock = TestClock::default();
    let app = behind_a_proxy(&clock, backend).start().await;
    let free = server::limits::Limits::default().sign_in_free_failures_per_address;
    // Made-up accounts from one IPv6 network (a subscriber holds a whole /64).
    for attempt in 1..=free {
        let client = format!("2001:db8:7:7::{attempt:x}");
        let (status, _, _) = sign_in_from(&app, &client, &format!("nobody{attempt}@example.com"), "guess").await;
        assert_eq!(status, 401, "free attempt {attempt}");
    }
    let (status, retry_after, error) = sign_in_from(&app, "2001:db8:7:7::ffff", ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!((status, retry_after), (429, Some(1)), "{error}");
    assert!(error.contains("from your address"), "{error}");
    let (status, _, _) = sign_in_from(&app, "2001:db8:7:8::1", ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(status, 200, "the next network signs in");
    // The console's sign-in page is held to the same limit.
    let page = anonymous()
        .post(format!("{}/api/sign_in", app.address))
        .header("x-forwarded-for", "2001:db8:7:7::1")
        .form(&[("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)])
        .send()
        .await
        .unwrap();
    let said = page.text().await.unwrap_or_default();
    assert!(said.contains("too many failed sign-ins from your address"), "{said}");
    clock.advance(Duration::seconds(1));
    assert_eq!(sign_in_from(&app, "2001:db8:7:7::1", ADMIN_EMAIL, ADMIN_PASSWORD).await.0, 200);
}

async fn unknown_accounts_cost_a_password_check_and_checks_run_a_few_at_a_time(backend: Backend) {
    let app = TestApp::on(backend).with_settings(|settings| settings.limits.password_checks_at_once = 2).start().await;
    let metric = |name: &'static str| {
        let request = anonymous().get(format!("{}/metrics", app.address)).bearer_auth(OPERATOR_TOKEN);
        async move {
            let text = request.send().await.unwrap().text().await.unwrap();
            text.lines()
                .find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.parse::<u64>().ok())
                .unwrap_or_else(|| panic!("{name} in {text}"))
        }
    };
    let checks = metric("sign_in_password_checks_total").await;
    assert_eq!(sign_in(&anonymous(), &app.address, "nobody@example.com", "guess").await.status(), 401);
    assert_eq!(metric("sign_in_password_checks_total").await, checks + 1, "an unknown account costs a check");
    assert_eq!(sign_in(&anonymous(), &app.address, ADMIN_EMAIL, "guess").await.status(), 401);
    assert_eq!(metric("sign_in_password_checks_total").await, checks + 2, "as a known one does");

    let signing_in: Vec<_> = (0..8)
        .map(|_| {
            let address = app.address.clone();
            tokio::spawn(async move { sign_in(&anonymous(), &address, ADMIN_EMAIL, ADMIN_PASSWORD).await.status() })
        })
        .collect();
    for each in signing_in {
        assert_eq!(each.await.unwrap(), 200, "everyone gets their turn");
    }
    let most = metric("sign_in_password_checks_most_at_once").await;
    assert!((1..=2).contains(&most), "at most 2 checks ran at once: {most}");
}

/// A widget on a new line of the app's company: its key.
async fn widget(app: &TestApp) -> String {
    let queue = app.queue_with(&format!("Queue {}", uuid::Uuid::now_v7()), &[]).await;
    let (line, _) = app.line(serde_json::json!({ "queue": queue }), None).await;
    let opened = app.client.put(format!("{}/api/v1/lines/{line}/widget", app.address)).json(&serde_json::json!({}));
    opened.send().await.unwrap().json::<serde_json::Value>().await.unwrap()["key"].as_str().unwrap().to_string()
}

/// Asks `key`'s widget for a new visitor from `client`: the status, `Retry-After` and the token.
async fn new_visitor(app: &TestApp, key: &str, client: &str) -> (u16, Option<u64>, String) {
    from_client(anonymous().post(format!("{}/api/v1/widget/{key}/visitors", app.address)), client, "token").await
}

async fn visitor_says(app: &TestApp, key: &str, token: &str, client: &str, text: &str) -> (u16, Option<u64>) {
    let says = anonymous()
        .post(format!("{}/api/v1/widget/{key}/messages", app.address))
        .bearer_auth(token)
        .json(&serde_json::json!({ "text": text }));
    let (status, retry_after, _) = from_client(says, client, "error").await;
    (status, retry_after)
}

async fn widget_visitors_are_issued_by_the_server_and_limited_per_address_and_per_widget(backend: Backend) {
    let clock = TestClock::default();
    let app = behind_a_proxy(&clock, backend)
        .with_settings(|settings| {
            settings.limits.visitors_per_address_hour = 3;
            settings.limits.visitors_per_widget_hour = 5;
        })
        .start()
        .await;
    let key = widget(&app).await;
    // A token the browser made up, however well formed, names nobody.
    let made_up = format!("wv_{}", "ab".repeat(32));
    let (status, _) = visitor_says(&app, &key, &made_up, "203.0.113.1", "hola").await;
    assert_eq!(status, 401, "a made-up token is refused");
    let (status, _, token) = new_visitor(&app, &key, "203.0.113.1").await;
    assert_eq!(status, 201);
    let other_key = widget(&app).await;
    assert_eq!(visitor_says(&app, &other_key, &token, "203.0.113.1", "hola").await.0, 401, "another widget's token");
    assert_eq!(visitor_says(&app, &key, &token, "203.0.113.1", "hola").await.0, 202);

    for _ in 2..=3 {
        assert_eq!(new_visitor(&app, &key, "203.0.113.1").await.0, 201);
    }
    let (status, retry_after, error) = new_visitor(&app, &key, "203.0.113.1").await;
    assert_eq!((status, retry_after), (429, Some(3600)), "{error}");
    assert!(error.contains("too many new conversations"), "{error}");
    assert_eq!(new_visitor(&app, &other_key, "203.0.113.1").await.0, 429, "the address's limit spans widgets");
    assert_eq!(new_visitor(&app, &key, "198.51.100.2").await.0, 201, "another address");
    assert_eq!(new_visitor(&app, &key, "198.51.100.3").await.0, 201, "the widget's fifth this hour");
    assert_eq!(new_visitor(&app, &key, "198.51.100.4").await.0, 429, "the widget's limit, from any address");
    assert_eq!(new_visitor(&app, &other_key, "198.51.100.4").await.0, 201, "another widget is not held back");
    // Visitors already in are not held back, nor is anyone else.
    assert_eq!(visitor_says(&app, &key, &token, "203.0.113.1", "still here").await.0, 202);
    assert_eq!(app.client.get(format!("{}/api/v1/queues", app.address)).send().await.unwrap().status(), 200);
    clock.advance(Duration::hours(1));
    assert_eq!(new_visitor(&app, &key, "203.0.113.1").await.0, 201, "an hour later");
}

async fn widget_messages_and_files_are_limited_per_address_and_nothing_else_stops(backend: Backend) {
    let clock = TestClock::default();
    let app = behind_a_proxy(&clock, backend)
        .with_settings(|settings| {
            settings.limits.widget_messages_per_address_minute = 3;
            settings.limits.widget_uploads_per_address_day = 2;
            settings.limits.widget_upload_bytes_per_address_day = 100;
        })
        .start()
        .await;
    let key = widget(&app).await;
    let (_, _, token) = new_visitor(&app, &key, "203.0.113.1").await;
    for said in ["uno", "dos", "tres"] {
        assert_eq!(visitor_says(&app, &key, &token, "203.0.113.1", said).await.0, 202, "{said}");
    }
    let (status, retry_after) = visitor_says(&app, &key, &token, "203.0.113.1", "cuatro").await;
    assert_eq!(status, 429);
    assert!(retry_after.is_some_and(|seconds| (1..=60).contains(&seconds)), "{retry_after:?}");
    let (_, _, neighbour) = new_visitor(&app, &key, "198.51.100.2").await;
    assert_eq!(visitor_says(&app, &key, &neighbour, "198.51.100.2", "hola").await.0, 202, "another address");

    let upload = |bytes: usize| {
        let request = anonymous()
            .post(format!("{}/api/v1/widget/{key}/files", app.address))
            .header("x-forwarded-for", "203.0.113.1")
            .header("content-type", "text/plain")
            .bearer_auth(&token)
            .body(vec![b'x'; bytes]);
        async move { request.send().await.unwrap().status().as_u16() }
    };
    assert_eq!(upload(60).await, 201);
    assert_eq!(upload(50).await, 429, "over the day's bytes");
    assert_eq!(upload(10).await, 201);
    assert_eq!(upload(1).await, 429, "over the day's count");
    clock.advance(Duration::minutes(1));
    assert_eq!(visitor_says(&app, &key, &token, "203.0.113.1", "cinco").await.0, 202, "a minute later");
    clock.advance(Duration::days(1));
    assert_eq!(upload(10).await, 201, "a day later");
    // Everything the limits refused was not stored, and everything accepted was.
    let chat = anonymous()
        .get(format!("{}/api/v1/widget/{key}/messages", app.address))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap();
    let said: Vec<&str> = chat["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["from"] == "visitor")
        .filter_map(|m| m["text"].as_str())
        .collect();
    assert_eq!(said, ["uno", "dos", "tres", "cinco"]);
}

async fn visitor_sockets_are_limited_per_address_and_their_messages_kept_small(backend: Backend) {
    let app = behind_a_proxy(&TestClock::default(), backend)
        .with_settings(|settings| settings.limits.visitor_sockets_per_address = 2)
        .start()
        .await;
    let key = widget(&app).await;
    let (_, _, token) = new_visitor(&app, &key, "203.0.113.1").await;
    let open = |client: &'static str| {
        let url = format!("{}/api/v1/widget/{key}/live?visitor={token}", app.address.replace("http://", "ws://"));
        async move {
            let mut request = url.into_client_request().unwrap();
            request.headers_mut().insert("x-forwarded-for", client.parse().unwrap());
            tokio_tungstenite::connect_async(request).await
        }
    };
    let mut first = open("203.0.113.1").await.expect("the first socket opens").0;
    let second = open("203.0.113.1").await.expect("the second socket opens").0;
    match open("203.0.113.1").await {
        Err(tokio_tungstenite::tungstenite::Error::Http(answer)) => assert_eq!(answer.status(), 429),
        other => panic!("a third socket from the address is refused with 429: {:?}", other.map(|(_, answer)| answer)),
    }
    let _elsewhere = open("198.51.100.2").await.expect("another address opens its own");

    // A small message is fine; a large one closes that socket, and its place is free again.
    assert_eq!(first.next().await.and_then(|m| m.ok()), Some(Message::text(r#"{"topic":"connected"}"#)));
    first.send(Message::text("x".repeat(1024))).await.unwrap();
    assert_eq!(visitor_says(&app, &key, &token, "203.0.113.1", "hola").await.0, 202);
    assert_eq!(first.next().await.and_then(|m| m.ok()), Some(Message::text(r#"{"topic":"messages"}"#)), "still open");
    let mut second = second;
    let _ = second.next().await;
    let _ = second.send(Message::text("x".repeat(64 * 1024))).await;
    let closed = loop {
        match second.next().await {
            Some(Ok(Message::Text(_))) => continue,
            other => break other,
        }
    };
    assert!(!matches!(closed, Some(Ok(Message::Text(_)))), "the large message closed the socket: {closed:?}");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        match open("203.0.113.1").await {
            Ok(_) => break,
            Err(error) if std::time::Instant::now() > deadline => {
                panic!("the closed socket's place was never freed: {error}")
            }
            Err(_) => tokio::task::yield_now().await,
        }
    }
}

async fn every_part_of_a_request_has_a_limit(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let url = |path: &str| format!("{}{path}", app.address);
    let status = |request: reqwest::RequestBuilder| async move { request.send().await.unwrap().status().as_u16() };
    let long_path = format!("/api/v1/queues/{}", "q".repeat(9 * 1024));
    let many_parameters =
        format!("/api/v1/queues?{}", (0..100).map(|n| format!("p{n}=1")).collect::<Vec<_>>().join("&"));
    let mut many_headers = reqwest::header::HeaderMap::new();
    for n in 0..150 {
        many_headers.insert(reqwest::header::HeaderName::try_from(format!("x-h{n}")).unwrap(), "1".parse().unwrap());
    }
    for (shape, request, expected) in [
        ("a long address", app.client.get(url(&long_path)), 414),
        ("many query parameters", app.client.get(url(&many_parameters)), 414),
        ("many headers", app.client.get(url("/api/v1/queues")).headers(many_headers), 431),
        ("a huge header", app.client.get(url("/api/v1/queues")).header("x-big", "h".repeat(512 * 1024)), 431),
    ] {
        assert_eq!(status(request).await, expected, "{shape}");
    }
    // A body that says it is too large is refused before it is sent (the answer comes first, so
    // the test sends only the head).
    let answer = declared_post(&app.address, "/api/sign_in", "application/x-www-form-urlencoded", 3 << 20).await;
    let status_line = answer.lines().next().unwrap_or_default().to_string();
    assert!(status_line.contains(" 413 "), "a large server function body: {status_line}");
    // The REST API reads a body up to axum's 2 MB, then refuses it: the client sees the 413, or,
    // when it was still sending, the connection closed; either way nothing was created.
    let big_json = serde_json::json!({ "name": "x".repeat(3 << 20) });
    let sender = signed_in(&app.address, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let sent = sender.post(url("/api/v1/queues")).json(&big_json).send().await;
    let outcome = sent.as_ref().map(|answer| answer.status().as_u16()).map_err(|error| error.to_string());
    assert!(matches!(outcome, Ok(413) | Err(_)), "a large JSON body is refused: {outcome:?}");
    assert!(app.queue_names().await.is_empty(), "nothing was created");
    // A body that does not say its length is cut at the limit too.
    let answer = chunked_post(&app.address, "/api/sign_in", 4 * 1024 * 1024).await;
    let status_line = answer.lines().next().unwrap_or_default().to_string();
    eprintln!("STATUS {status_line}");
    assert!(
        !status_line.contains(" 200 ") && !status_line.contains(" 302 "),
        "a 4 MB chunked body is refused: {status_line}"
    );
    assert_eq!(status(app.client.get(url("/api/v1/queues"))).await, 200, "and the server goes on");
}

/// Posts `bytes` of form data in chunks, without saying the length; answers what came back (or
/// nothing, if the server closed the connection first).
async fn chunked_post(address: &str, path: &str, bytes: usize) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let host = address.trim_start_matches("http://");
    let mut connection = tokio::net::TcpStream::connect(host).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    let form = format!("email={ADMIN_EMAIL}&password={ADMIN_PASSWORD}&pad=");
    let written = async {
        connection.write_all(head.as_bytes()).await?;
        connection.write_all(format!("{:x}\r\n{form}\r\n", form.len()).as_bytes()).await?;
        let chunk = vec![b'a'; 64 * 1024];
        for _ in 0..bytes / chunk.len() {
            connection.write_all(format!("{:x}\r\n", chunk.len()).as_bytes()).await?;
            connection.write_all(&chunk).await?;
            connection.write_all(b"\r\n").await?;
        }
        connection.write_all(b"0\r\n\r\n").await
    };
    let _ = written.await;
    let mut answer = Vec::new();
    let _ = connection.read_to_end(&mut answer).await;
    String::from_utf8_lossy(&answer).to_string()
}

/// Sends the head of a POST that declares a body of `length` bytes, and nothing of the body;
/// answers what came back.
async fn declared_post(address: &str, path: &str, content_type: &str, length: usize) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let host = address.trim_start_matches("http://");
    let mut connection = tokio::net::TcpStream::connect(host).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: {content_type}\r\nContent-Length: {length}\r\n\
         Connection: close\r\n\r\n"
    );
    connection.write_all(head.as_bytes()).await.unwrap();
    let mut answer = vec![0u8; 4096];
    let read = tokio::time::timeout(std::time::Duration::from_secs(10), connection.read(&mut answer)).await;
    let read = read.expect("the server answers before the body comes").unwrap_or(0);
    String::from_utf8_lossy(&answer[..read]).to_string()
}
