//! The API keeps its word to an integrator: every refusal under `/api/` is the documented JSON
//! error body, whatever refused it (an unknown path, a wrong method, a body that is not JSON or
//! too large, a malformed path); and `server --help` tells how to run the server.

use crate::support::*;
use eventlog::testing::Backend;

eventlog::on_both_backends!(
    every_refusal_under_api_is_the_json_error_body,
    a_chat_answered_with_202_can_be_read_at_once,
    health_details_and_metrics_are_for_the_operator_and_a_proxy_unlocks_nothing,
    a_change_made_with_a_session_from_another_sites_page_is_refused,
    every_page_runs_only_its_own_scripts,
);

async fn every_refusal_under_api_is_the_json_error_body(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let url = |path: &str| format!("{}{path}", app.address);
    let client = &app.client;
    let json = ("content-type", "application/json");
    let too_large = format!("{{\"name\": \"{}\"}}", "x".repeat(3 * 1024 * 1024));
    let cases = [
        ("an unknown version", client.get(url("/api/v2/queues")), 404, "no endpoint GET /api/v2/queues"),
        ("an unknown endpoint", client.post(url("/api/v1/nothing-here")), 404, "no endpoint POST"),
        ("a wrong method", client.delete(url("/api/v1/queues")), 405, ""),
        ("a body that is not JSON", client.post(url("/api/v1/queues")).header(json.0, json.1).body("{name"), 400, ""),
        ("a body of the wrong shape", client.post(url("/api/v1/queues")).header(json.0, json.1).body("[1]"), 422, ""),
        ("no content type", client.post(url("/api/v1/queues")).body("{\"name\":\"Sales\"}"), 415, ""),
        ("a malformed id in the path", client.get(url("/api/v1/chats/not-an-id")), 400, ""),
        // Last: the server closes a connection whose body it would not read.
        ("a body too large", client.post(url("/api/v1/queues")).header(json.0, json.1).body(too_large), 413, ""),
    ];
    for (shape, request, status, says) in cases {
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), status, "{shape}");
        let content_type = response.headers()["content-type"].to_str().unwrap_or_default().to_string();
        assert!(content_type.starts_with("application/json"), "{shape}: {content_type}");
        let allow = response.headers().get("allow").cloned();
        let body: serde_json::Value = response.json().await.unwrap_or_else(|e| panic!("{shape}: not JSON: {e}"));
        let error = body["error"].as_str().unwrap_or_else(|| panic!("{shape}: no error in {body}"));
        assert!(!error.is_empty() && error.contains(says), "{shape}: {error}");
        assert_eq!(body.as_object().map(|o| o.len()), Some(1), "{shape}: only the error: {body}");
        if status == 405 {
            assert!(allow.is_some(), "a wrong method still says which are allowed");
        }
    }
    // The console's pages are not under /api, and still answer as pages.
    let page = anonymous().get(url("/no-such-page")).send().await.unwrap();
    assert_eq!(page.status(), 404);
    assert!(page.headers()["content-type"].to_str().unwrap_or_default().starts_with("text/html"));
}

async fn a_chat_answered_with_202_can_be_read_at_once(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let queue = created_id(app.create_queue("Sales").await, "id").await;
    let key = app.api_key().await;
    let (line, _) = app.line(serde_json::json!({ "queue": queue }), None).await;
    for n in 0..40 {
        let body = serde_json::json!({ "contact_id": format!("c{n}"), "text": "hola" });
        let accepted = app.inbound(&key, &line, body).await;
        assert_eq!(accepted.status(), 202);
        let chat = created_id(accepted, "chat_id").await;
        let read = app.client.get(format!("{}/api/v1/chats/{chat}", app.address)).send().await.unwrap();
        assert_eq!(read.status(), 200, "chat {n}, read right after its 202");
        let read: serde_json::Value = read.json().await.unwrap();
        assert_eq!(read["messages"][0]["text"], "hola", "chat {n}");
    }
}

async fn health_details_and_metrics_are_for_the_operator_and_a_proxy_unlocks_nothing(backend: Backend) {
    // Behind a proxy on this machine every request comes from 127.0.0.1: that says nothing.
    let app = TestApp::on(backend)
        .with_settings(|settings| settings.trusted_proxies = vec!["127.0.0.1".parse().unwrap()])
        .start()
        .await;
    let get = |path: &str, token: Option<&str>, forwarded: Option<&str>| {
        let mut request = anonymous().get(format!("{}{path}", app.address));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(forwarded) = forwarded {
            request = request.header("x-forwarded-for", forwarded);
        }
        async move {
            let response = request.send().await.unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };
    for forwarded in [None, Some("127.0.0.1"), Some("::1, 127.0.0.1")] {
        let (status, body) = get("/healthz", None, forwarded).await;
        assert_eq!((status, body.as_str()), (200, r#"{"status":"ok"}"#), "only alive, from {forwarded:?}");
        let (status, body) = get("/metrics", None, forwarded).await;
        assert_eq!(status, 401, "{body}");
        assert!(body.contains("for the operator"), "{body}");
    }
    for token in [Some("not the token"), Some("")] {
        assert_eq!(get("/metrics", token, None).await.0, 401, "{token:?}");
    }
    let (status, body) = get("/healthz", Some(OPERATOR_TOKEN), None).await;
    assert_eq!(status, 200);
    let health: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(health["projections"].is_object() && health["followers"].is_object(), "{health}");
    let (status, body) = get("/metrics", Some(OPERATOR_TOKEN), None).await;
    assert_eq!(status, 200);
    assert!(body.contains("eventlog_events_appended_total"), "{body}");
}

async fn a_change_made_with_a_session_from_another_sites_page_is_refused(backend: Backend) {
    let app = TestApp::on(backend).with_settings(|settings| settings.secure_cookies = true).start().await;
    let host = app.address.trim_start_matches("http://").to_string();
    let (name, port) = host.split_once(':').unwrap_or_default();
    let another_port = format!("http://{name}:{}", port.parse::<u16>().unwrap_or_default().wrapping_add(1));
    let create = |name: &str, header: Option<(&str, String)>| {
        let mut request =
            app.client.post(format!("{}/api/v1/queues", app.address)).json(&serde_json::json!({ "name": name }));
        if let Some((name, value)) = header {
            request = request.header(name, value);
        }
        async move { request.send().await.unwrap().status().as_u16() }
    };
    for (shape, header) in [
        ("another site's page", ("origin", "https://attacker.example".to_string())),
        ("a page without an origin", ("origin", "null".to_string())),
        ("another port of this host", ("origin", another_port)),
        ("a link from another site", ("referer", "https://attacker.example/page".to_string())),
    ] {
        assert_eq!(create(shape, Some(header)).await, 403, "{shape}");
    }
    assert!(app.queue_names().await.is_empty(), "none of them created a queue");
    assert_eq!(create("Ours", Some(("origin", format!("http://{host}")))).await, 201, "our own page");
    assert_eq!(create("A program", None).await, 201, "a program that names no page");
    // The console's server functions are held to the same rule.
    let console = app
        .client
        .post(format!("{}/api/create_queue", app.address))
        .header("origin", "https://attacker.example")
        .form(&[("name", "Theirs")])
        .send()
        .await
        .unwrap();
    assert_eq!(console.status(), 403);

    let signed = sign_in(&anonymous(), &app.address, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let cookie = signed.headers()["set-cookie"].to_str().unwrap_or_default().to_string();
    assert!(cookie.contains("; Secure") && cookie.contains("HttpOnly"), "HTTPS only, when set: {cookie}");
}

/// The nonce a page's Content-Security-Policy names for its scripts.
fn script_nonce(policy: &str) -> Option<String> {
    let script_src = policy.split(';').map(str::trim).find(|directive| directive.starts_with("script-src "))?;
    let sources: Vec<&str> = script_src.split_whitespace().skip(1).collect();
    assert!(
        !sources
            .iter()
            .any(|source| ["'unsafe-inline'", "'unsafe-eval'", "*", "https:", "http:", "data:"].contains(source)),
        "no inline, eval'd or foreign script: {script_src}"
    );
    sources.iter().find_map(|source| source.strip_prefix("'nonce-")?.strip_suffix('\'').map(str::to_string))
}

/// Every `<script ...>` opening tag of a page.
fn script_tags(html: &str) -> Vec<String> {
    html.match_indices("<script")
        .filter_map(|(at, _)| Some(html[at..at + html[at..].find('>')? + 1].to_string()))
        .collect()
}

async fn every_page_runs_only_its_own_scripts(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let mut nonces = Vec::new();
    // Signed out and signed in, the console's pages, the 404 page, the API's page.
    for (shape, client, path) in [
        ("the sign-in page", anonymous(), "/login/supervisor"),
        ("a console page", app.client.clone(), "/"),
        ("a page with server-loaded lists", app.client.clone(), "/contacts"),
        ("a page that does not exist", app.client.clone(), "/no/such/page"),
        ("the API's page", anonymous(), "/api/docs"),
    ] {
        let answer = client.get(format!("{}{path}", app.address)).send().await.unwrap();
        let policy = answer.headers()["content-security-policy"].to_str().unwrap().to_string();
        let nonce = script_nonce(&policy).unwrap_or_else(|| panic!("{shape}: the policy names a nonce: {policy}"));
        for directive in ["object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"] {
            assert!(policy.contains(directive), "{shape}: {directive} in {policy}");
        }
        assert_eq!(answer.headers()["x-content-type-options"], "nosniff", "{shape}");
        let html = answer.text().await.unwrap();
        let tags = script_tags(&html);
        assert!(!tags.is_empty(), "{shape}: the page has its scripts");
        for tag in tags {
            assert!(tag.contains(&format!("nonce=\"{nonce}\"")), "{shape}: every script carries the nonce: {tag}");
        }
        nonces.push(nonce);
    }
    let mut distinct = nonces.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), nonces.len(), "each answer has its own nonce: {nonces:?}");

    // The widget's room, shown inside customers' sites, loads its one script from this site.
    let queue = app.queue_with("Sales", &[]).await;
    let (line, _) = app.line(serde_json::json!({ "queue": queue }), None).await;
    let key = app.open_widget(&line).await["key"].as_str().unwrap().to_string();
    let room = anonymous().get(format!("{}/widget/{key}", app.address)).send().await.unwrap();
    let policy = room.headers()["content-security-policy"].to_str().unwrap().to_string();
    let nonce = script_nonce(&policy).unwrap_or_default();
    assert!(policy.contains("frame-ancestors *"), "{policy}");
    for tag in script_tags(&room.text().await.unwrap()) {
        assert!(tag.contains("src=\"/widget-room.js\"") || tag.contains(&nonce), "{tag}");
    }
}

#[test]
fn server_help_prints_the_usage_and_exits_0() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_server")).arg("--help").output().unwrap();
    assert!(output.status.success(), "{:?}", output.status);
    let usage = String::from_utf8_lossy(&output.stdout);
    for flag in ["Usage: server", "--database-url", "--address", "--allow-private-hosts", "IKONO_SMTP_URL"] {
        assert!(usage.contains(flag), "{flag} in {usage}");
    }
    let refused = std::process::Command::new(env!("CARGO_BIN_EXE_server")).arg("--frobnicate").output().unwrap();
    assert_eq!(refused.status.code(), Some(2), "an unknown flag is a usage error");
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--help"));
}
