//! R2 "create queues" through every layer, over HTTP, on both backends: command → decide → event
//! appended → projection → list, pushed live; health and metrics.

use crate::support::*;
use eventlog::testing::Backend;
use server::config::{default_company, LogFormat, Settings};
use server::startup::Application;
use std::time::Duration;

eventlog::on_both_backends!(
    a_supervisor_renames_an_agent,
    a_deactivated_agent_is_signed_out_everywhere_and_cannot_sign_in,
    supervisors_create_rename_and_retire_pause_reasons,
    an_agent_pauses_with_a_reason_and_resumes,
    a_supervisor_sets_an_agents_capacity_within_limits,
    a_supervisor_adds_and_removes_queue_members,
    membership_changes_refuse_unknown_queues_agents_and_non_supervisors,
    a_supervisor_creates_an_agent_who_can_then_sign_in,
    agent_creation_refuses_bad_input_and_duplicate_addresses,
    signing_in_with_the_bootstrap_supervisor_opens_a_session,
    wrong_credentials_are_refused_with_401_and_the_same_reason,
    without_a_session_every_endpoint_answers_401,
    signing_out_ends_the_session,
    an_agent_may_list_queues_but_not_create_them,
    the_first_supervisor_is_created_only_once,
    a_created_queue_appears_in_the_list,
    a_duplicate_queue_name_is_refused_with_409_and_a_reason,
    invalid_queue_names_are_refused_with_422_and_nothing_is_stored,
    malformed_requests_are_refused_with_a_4xx,
    the_server_function_creates_a_queue_and_refuses_a_duplicate,
    the_queue_page_is_rendered_on_the_server_with_the_queues,
    a_live_stream_pushes_the_change_when_a_queue_is_created,
    healthz_reports_the_store_and_projection_lag,
    metrics_expose_requests_appends_and_projection_lag,
    the_read_model_survives_a_restart,
    the_openapi_document_describes_every_endpoint_of_the_router,
    a_supervisor_renames_a_queue_and_its_old_name_is_free_again,
);

async fn a_created_queue_appears_in_the_list(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let response = app.create_queue("  Sales   team ").await;
    assert_eq!(response.status(), 201);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["name"], "Sales team");
    app.create_queue("Billing").await;
    assert_eq!(app.wait_for_queues(&["Billing", "Sales team"]).await, vec!["Billing", "Sales team"]);
}

async fn a_duplicate_queue_name_is_refused_with_409_and_a_reason(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    assert_eq!(app.create_queue("Sales").await.status(), 201);
    let refused = app.create_queue(" SALES ").await;
    assert_eq!(refused.status(), 409);
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["error"], "a queue named \"SALES\" already exists");
    assert_eq!(app.wait_for_queues(&["Sales"]).await, vec!["Sales"]);
}

async fn invalid_queue_names_are_refused_with_422_and_nothing_is_stored(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let cases = [
        ("", "the queue needs a name"),
        ("   ", "the queue needs a name"),
        (&"x".repeat(81), "a queue name has at most 80 characters"),
        ("bad\u{0000}name", "a queue name cannot contain control characters"),
    ];
    for (name, reason) in cases {
        let refused = app.create_queue(name).await;
        assert_eq!(refused.status(), 422, "{name:?}");
        let body: serde_json::Value = refused.json().await.unwrap();
        assert_eq!(body["error"], reason, "{name:?}");
    }
    // Once a later, valid queue is in the read model every earlier event is visible too: the only
    // queue ever created is that one.
    app.create_queue("Marker").await;
    app.wait_for_queues(&["Marker"]).await;
    let log = eventlog::open(&app.database.url).await.unwrap();
    let events = log.read_all(eventlog::Position::default(), 100_000).await.unwrap();
    let created: Vec<&str> =
        events.iter().filter(|e| e.event_type == "QueueCreated").filter_map(|e| e.data["name"].as_str()).collect();
    assert_eq!(created, vec!["Marker"], "no event was stored for a refused name");
}

async fn malformed_requests_are_refused_with_a_4xx(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let cases =
        [("{\"name\": ", "truncated JSON"), ("{\"title\": \"Sales\"}", "missing field"), ("[1, 2]", "not an object")];
    for (body, description) in cases {
        let response = app
            .client
            .post(format!("{}/api/v1/queues", app.address))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_client_error(), "{description}: {}", response.status());
        assert!(!response.text().await.unwrap().is_empty(), "{description}: a reason is given");
    }
}

async fn the_server_function_creates_a_queue_and_refuses_a_duplicate(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let create = |name: &'static str| {
        app.client.post(format!("{}/api/create_queue", app.address)).form(&[("name", name)]).send()
    };
    let created = create("Support").await.unwrap();
    assert_eq!(created.status(), 200);
    let body: serde_json::Value = created.json().await.unwrap();
    assert_eq!(body["name"], "Support");
    let refused = create("support").await.unwrap();
    assert_eq!(refused.status(), 409);
    assert!(refused.text().await.unwrap().contains("already exists"));
    let empty = create(" ").await.unwrap();
    assert_eq!(empty.status(), 422);
    assert!(empty.text().await.unwrap().contains("the queue needs a name"));
}

async fn the_queue_page_is_rendered_on_the_server_with_the_queues(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    app.create_queue("Rendered queue").await;
    app.wait_for_queues(&["Rendered queue"]).await;
    let page = app.client.get(format!("{}/supervisor/queues", app.address)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Rendered queue"), "{html}");
    assert!(html.contains("Create queue"));
}

async fn a_live_stream_pushes_the_change_when_a_queue_is_created(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let mut stream = app.client.get(format!("{}/api/v1/live", app.address)).send().await.unwrap();
    assert_eq!(stream.headers()["content-type"], "text/event-stream");
    app.create_queue("Live").await;
    let mut received = String::new();
    let outcome = tokio::time::timeout(Duration::from_secs(10), async {
        while !received.contains("event: queues") {
            match stream.chunk().await.unwrap() {
                Some(bytes) => received.push_str(&String::from_utf8_lossy(&bytes)),
                None => break,
            }
        }
    })
    .await;
    assert!(outcome.is_ok() && received.contains("event: queues"), "{received}");
    assert_eq!(app.queue_names().await, vec!["Live"], "the list already holds the change when it is pushed");
}

async fn healthz_reports_the_store_and_projection_lag(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    app.create_queue("Health").await;
    app.wait_for_queues(&["Health"]).await;
    let response = app.client.get(format!("{}/healthz", app.address)).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    let expected_backend = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    assert_eq!(body["status"], "ok");
    assert_eq!(body["store"]["backend"], expected_backend);
    assert_eq!(body["store"]["state"], "reachable");
    assert_eq!(body["projections"]["queue_list"]["lag"], 0);
}

async fn metrics_expose_requests_appends_and_projection_lag(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    app.create_queue("Counted").await;
    app.wait_for_queues(&["Counted"]).await;
    let text = app.client.get(format!("{}/metrics", app.address)).send().await.unwrap().text().await.unwrap();
    assert!(text.contains("http_requests_total{method=\"POST\",status=\"201\"} 1"), "{text}");
    // The first company, its first supervisor (an address claim and a user), a session, a name
    // claim and a queue.
    assert!(text.contains("eventlog_events_appended_total 6"), "{text}");
    let lag = format!(
        "projection_lag_events{{projection=\"queue_list\",version=\"{}\"}} 0",
        projections::queue_list::VERSION
    );
    assert!(text.contains(&lag), "{text}");
}

async fn the_read_model_survives_a_restart(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    app.create_queue("Durable").await;
    app.wait_for_queues(&["Durable"]).await;
    let TestApp { database, server, .. } = app;
    drop(server);
    let restarted = TestApp::on_database(database).start().await;
    assert_eq!(restarted.queue_names().await, vec!["Durable"]);
    assert_eq!(restarted.create_queue("durable").await.status(), 409, "the name is still taken");
}

async fn signing_in_with_the_bootstrap_supervisor_opens_a_session(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let client = anonymous();
    let response = sign_in(&client, &app.address, "  ADMIN@example.com ", ADMIN_PASSWORD).await;
    assert_eq!(response.status(), 200);
    let cookie = response.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        cookie.starts_with("ikono_session=") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let me: serde_json::Value =
        client.get(format!("{}/api/v1/session", app.address)).send().await.unwrap().json().await.unwrap();
    assert_eq!(me["role"], "supervisor");
    assert_eq!(me["name"], "Administrator");
}

async fn wrong_credentials_are_refused_with_401_and_the_same_reason(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let cases = [
        (ADMIN_EMAIL, "wrong password", "a wrong password"),
        ("nobody@example.com", ADMIN_PASSWORD, "an unknown address"),
        ("not an address", ADMIN_PASSWORD, "a malformed address"),
    ];
    for (email, password, description) in cases {
        let client = anonymous();
        let response = sign_in(&client, &app.address, email, password).await;
        assert_eq!(response.status(), 401, "{description}");
        assert!(response.headers().get("set-cookie").is_none(), "{description}: no session");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["error"], "wrong e-mail or password", "{description}");
    }
}

async fn without_a_session_every_endpoint_answers_401(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let client = anonymous();
    let address = &app.address;
    let requests = [
        client.get(format!("{address}/api/v1/session")),
        client.get(format!("{address}/api/v1/queues")),
        client.post(format!("{address}/api/v1/queues")).json(&serde_json::json!({ "name": "Sneaky" })),
        client.get(format!("{address}/api/v1/live")),
        client.post(format!("{address}/api/create_queue")).form(&[("name", "Sneaky")]),
        client.post(format!("{address}/api/queues")),
        client.get(format!("{address}/api/v1/queues")).header("cookie", "ikono_session=forged"),
    ];
    for request in requests {
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 401, "{}", response.url());
    }
    assert!(app.queue_names().await.is_empty(), "nothing was created");
}

async fn signing_out_ends_the_session(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let out = app.client.delete(format!("{}/api/v1/session", app.address)).send().await.unwrap();
    assert_eq!(out.status(), 204);
    let after = app.client.get(format!("{}/api/v1/queues", app.address)).send().await.unwrap();
    assert_eq!(after.status(), 401);
}

async fn an_agent_may_list_queues_but_not_create_them(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    assert_eq!(app.create_agent("Ana", "agent@example.com", "agent password").await.status(), 201);
    app.create_queue("Sales").await;
    let agent = signed_in(&app.address, "agent@example.com", "agent password").await;
    let list = agent.get(format!("{}/api/v1/queues", app.address)).send().await.unwrap();
    assert_eq!(list.status(), 200);
    let refused = agent
        .post(format!("{}/api/v1/queues", app.address))
        .json(&serde_json::json!({ "name": "Mine" }))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["error"], "your role (agent) may not do this");
    assert_eq!(app.queue_names().await, vec!["Sales"]);
}

async fn the_first_supervisor_is_created_only_once(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let TestApp { database, server, .. } = app;
    drop(server);
    let restarted = TestApp::on_database(database).start().await;
    let other = anonymous();
    let response = sign_in(&other, &restarted.address, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(response.status(), 200);
    let TestApp { database, server, .. } = restarted;
    drop(server);
    let settings = Settings {
        database_url: database.url.clone(),
        address: "127.0.0.1:0".parse().unwrap(),
        site_root: std::env::temp_dir(),
        log_format: LogFormat::Human,
        company_id: default_company(),
        admin: Some(("intruder@example.com".into(), ADMIN_PASSWORD.into())),
        operator_token: None,
        smtp_url: None,
        smtp_from: "Ikono Chat <bot@localhost>".into(),
        allowed_private_hosts: String::new(),
        trusted_proxies: Vec::new(),
        secure_cookies: false,
        test_clock: false,
        seal_every: std::time::Duration::from_secs(10),
        limits: Default::default(),
        secrets_key: None,
        whatsapp_graph_url: server::config::WHATSAPP_GRAPH_URL.into(),
    };
    let application = Application::build(settings).await.unwrap();
    let address = format!("http://127.0.0.1:{}", application.port());
    let _running = Running(tokio::spawn(application.run_until_stopped()));
    let refused = sign_in(&anonymous(), &address, "intruder@example.com", ADMIN_PASSWORD).await;
    assert_eq!(refused.status(), 401, "a second bootstrap address is ignored once a user exists");
}

async fn a_supervisor_creates_an_agent_who_can_then_sign_in(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let created = app.create_agent("  Ana   María ", "Ana@Example.com", "agent password").await;
    assert_eq!(created.status(), 201);
    let body: serde_json::Value = created.json().await.unwrap();
    assert_eq!((body["name"].as_str(), body["email"].as_str()), (Some("Ana María"), Some("ana@example.com")));
    let agents: Vec<serde_json::Value> =
        app.client.get(format!("{}/api/v1/agents", app.address)).send().await.unwrap().json().await.unwrap();
    assert_eq!(agents.len(), 1);
    assert_eq!(agents[0]["email"], "ana@example.com");
    let agent = signed_in(&app.address, "ana@example.com", "agent password").await;
    let me: serde_json::Value =
        agent.get(format!("{}/api/v1/session", app.address)).send().await.unwrap().json().await.unwrap();
    assert_eq!(me["role"], "agent");
    let refused = agent
        .post(format!("{}/api/v1/agents", app.address))
        .json(&serde_json::json!({ "name": "Eve", "email": "eve@example.com", "password": "eve password" }))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403, "agents do not create agents");
}

async fn agent_creation_refuses_bad_input_and_duplicate_addresses(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let cases = [
        ("Ana", "not-an-address", "agent password", 422, "is not an e-mail address", "a malformed address"),
        ("Ana", "ana@example.com", "short", 422, "at least 8 characters", "a short password"),
        ("   ", "ana@example.com", "agent password", 422, "1 to 120 characters", "an empty name"),
        ("Ana", "ADMIN@example.com", "agent password", 409, "already has an account", "the supervisor's address"),
    ];
    for (name, email, password, status, reason, description) in cases {
        let response = app.create_agent(name, email, password).await;
        assert_eq!(response.status(), status, "{description}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert!(body["error"].as_str().unwrap().contains(reason), "{description}: {body}");
    }
    let agents: Vec<serde_json::Value> =
        app.client.get(format!("{}/api/v1/agents", app.address)).send().await.unwrap().json().await.unwrap();
    assert!(agents.is_empty(), "nothing was created");
}

async fn a_supervisor_adds_and_removes_queue_members(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let queue = created_id(app.create_queue("Sales").await, "id").await;
    let ana = created_id(app.create_agent("Ana", "ana@example.com", "agent password").await, "user_id").await;
    let luis = created_id(app.create_agent("Luis", "luis@example.com", "agent password").await, "user_id").await;
    let member = |agent: &str| format!("{}/api/v1/queues/{queue}/members/{agent}", app.address);
    for agent in [&ana, &luis, &ana] {
        assert_eq!(app.client.put(member(agent)).send().await.unwrap().status(), 204);
    }
    let members = |list: Vec<serde_json::Value>| list[0]["members"].clone();
    let list: Vec<serde_json::Value> =
        app.client.get(format!("{}/api/v1/queues", app.address)).send().await.unwrap().json().await.unwrap();
    assert_eq!(members(list), serde_json::json!([ana, luis]), "in the order they joined, each once");
    assert_eq!(app.client.delete(member(&ana)).send().await.unwrap().status(), 204);
    let list: Vec<serde_json::Value> =
        app.client.get(format!("{}/api/v1/queues", app.address)).send().await.unwrap().json().await.unwrap();
    assert_eq!(members(list), serde_json::json!([luis]));
}

async fn membership_changes_refuse_unknown_queues_agents_and_non_supervisors(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let queue = created_id(app.create_queue("Sales").await, "id").await;
    let ana = created_id(app.create_agent("Ana", "ana@example.com", "agent password").await, "user_id").await;
    let me: serde_json::Value =
        app.client.get(format!("{}/api/v1/session", app.address)).send().await.unwrap().json().await.unwrap();
    let supervisor = me["user_id"].as_str().unwrap().to_string();
    let nobody = uuid::Uuid::now_v7().to_string();
    let cases = [
        (queue.clone(), nobody.clone(), 404, "an unknown agent"),
        (queue.clone(), supervisor, 404, "a supervisor is not an agent"),
        (nobody, ana.clone(), 404, "an unknown queue"),
        (queue.clone(), "not-a-uuid".to_string(), 400, "a malformed id"),
    ];
    for (q, a, status, description) in cases {
        let response = app.client.put(format!("{}/api/v1/queues/{q}/members/{a}", app.address)).send().await.unwrap();
        assert_eq!(response.status(), status, "{description}");
        assert!(!response.text().await.unwrap().is_empty(), "{description}: a reason");
    }
    let agent = signed_in(&app.address, "ana@example.com", "agent password").await;
    let refused = agent.put(format!("{}/api/v1/queues/{queue}/members/{ana}", app.address)).send().await.unwrap();
    assert_eq!(refused.status(), 403);
    let list: Vec<serde_json::Value> =
        app.client.get(format!("{}/api/v1/queues", app.address)).send().await.unwrap().json().await.unwrap();
    assert_eq!(list[0]["members"], serde_json::json!([]));
}

async fn supervisors_create_rename_and_retire_pause_reasons(backend: Backend) {
    use reqwest::Method;
    let app = TestApp::on(backend).start().await;
    let su = &app.client;
    let lunch = created_id(
        app.send(su, Method::POST, "/api/v1/pause-reasons", serde_json::json!({ "name": " Lunch " })).await,
        "id",
    )
    .await;
    let training = created_id(
        app.send(su, Method::POST, "/api/v1/pause-reasons", serde_json::json!({ "name": "Training" })).await,
        "id",
    )
    .await;
    let duplicate = app.send(su, Method::POST, "/api/v1/pause-reasons", serde_json::json!({ "name": "LUNCH" })).await;
    assert_eq!(duplicate.status(), 409);
    let empty = app.send(su, Method::POST, "/api/v1/pause-reasons", serde_json::json!({ "name": "  " })).await;
    assert_eq!(empty.status(), 422);
    let renamed = app
        .send(su, Method::PATCH, &format!("/api/v1/pause-reasons/{lunch}"), serde_json::json!({ "name": "Meal" }))
        .await;
    assert_eq!(renamed.status(), 204);
    let retired = su.delete(format!("{}/api/v1/pause-reasons/{training}", app.address)).send().await.unwrap();
    assert_eq!(retired.status(), 204);
    let unknown = su.delete(format!("{}/api/v1/pause-reasons/{training}", app.address)).send().await.unwrap();
    assert_eq!(unknown.status(), 404);
    assert_eq!(app.get_json(su, "/api/v1/pause-reasons").await, serde_json::json!([{ "id": lunch, "name": "Meal" }]));

    app.create_agent("Ana", "ana@example.com", "agent password").await;
    let agent = signed_in(&app.address, "ana@example.com", "agent password").await;
    let refused = app.send(&agent, Method::POST, "/api/v1/pause-reasons", serde_json::json!({ "name": "Nap" })).await;
    assert_eq!(refused.status(), 403);
    assert_eq!(
        app.get_json(&agent, "/api/v1/pause-reasons").await.as_array().unwrap().len(),
        1,
        "agents see the reasons"
    );
}

async fn an_agent_pauses_with_a_reason_and_resumes(backend: Backend) {
    use reqwest::Method;
    let app = TestApp::on(backend).start().await;
    let su = &app.client;
    let lunch = created_id(
        app.send(su, Method::POST, "/api/v1/pause-reasons", serde_json::json!({ "name": "Lunch" })).await,
        "id",
    )
    .await;
    let old = created_id(
        app.send(su, Method::POST, "/api/v1/pause-reasons", serde_json::json!({ "name": "Old" })).await,
        "id",
    )
    .await;
    su.delete(format!("{}/api/v1/pause-reasons/{old}", app.address)).send().await.unwrap();
    app.create_agent("Ana", "ana@example.com", "agent password").await;
    let agent = signed_in(&app.address, "ana@example.com", "agent password").await;

    let retired = app.send(&agent, Method::POST, "/api/v1/me/pause", serde_json::json!({ "reason_id": old })).await;
    assert_eq!(retired.status(), 404, "a retired reason cannot be used");
    assert_eq!(
        app.send(&agent, Method::POST, "/api/v1/me/pause", serde_json::json!({ "reason_id": lunch })).await.status(),
        204
    );
    let agents = app.get_json(su, "/api/v1/agents").await;
    assert_eq!(agents[0]["paused"]["reason"], "Lunch");
    assert!(agents[0]["paused"]["since"].as_str().is_some());
    let twice = app.send(&agent, Method::POST, "/api/v1/me/pause", serde_json::json!({ "reason_id": lunch })).await;
    assert_eq!(twice.status(), 409);
    assert_eq!(app.send(&agent, Method::POST, "/api/v1/me/resume", serde_json::json!({})).await.status(), 204);
    assert_eq!(app.get_json(su, "/api/v1/agents").await[0]["paused"], serde_json::Value::Null);
    assert_eq!(app.send(&agent, Method::POST, "/api/v1/me/resume", serde_json::json!({})).await.status(), 409);
    let supervisor = app.send(su, Method::POST, "/api/v1/me/pause", serde_json::json!({ "reason_id": lunch })).await;
    assert_eq!(supervisor.status(), 403, "only agents pause");
}

async fn a_supervisor_sets_an_agents_capacity_within_limits(backend: Backend) {
    use reqwest::Method;
    let app = TestApp::on(backend).start().await;
    let su = &app.client;
    let ana = created_id(app.create_agent("Ana", "ana@example.com", "agent password").await, "user_id").await;
    assert_eq!(app.get_json(su, "/api/v1/agents").await[0]["capacity"], 3, "the default capacity");
    let path = format!("/api/v1/agents/{ana}/capacity");
    assert_eq!(app.send(su, Method::PUT, &path, serde_json::json!({ "capacity": 5 })).await.status(), 204);
    assert_eq!(app.get_json(su, "/api/v1/agents").await[0]["capacity"], 5);
    for capacity in [0, 51] {
        let refused = app.send(su, Method::PUT, &path, serde_json::json!({ "capacity": capacity })).await;
        assert_eq!(refused.status(), 422, "capacity {capacity}");
    }
    let negative = app.send(su, Method::PUT, &path, serde_json::json!({ "capacity": -1 })).await;
    assert!(negative.status().is_client_error());
    let nobody = format!("/api/v1/agents/{}/capacity", uuid::Uuid::now_v7());
    assert_eq!(app.send(su, Method::PUT, &nobody, serde_json::json!({ "capacity": 2 })).await.status(), 404);
    let agent = signed_in(&app.address, "ana@example.com", "agent password").await;
    assert_eq!(app.send(&agent, Method::PUT, &path, serde_json::json!({ "capacity": 50 })).await.status(), 403);
    assert_eq!(app.get_json(su, "/api/v1/agents").await[0]["capacity"], 5);
}

async fn a_supervisor_renames_an_agent(backend: Backend) {
    use reqwest::Method;
    let app = TestApp::on(backend).start().await;
    let su = &app.client;
    let ana = created_id(app.create_agent("Ana", "ana@example.com", "agent password").await, "user_id").await;
    let path = format!("/api/v1/agents/{ana}");
    assert_eq!(app.send(su, Method::PATCH, &path, serde_json::json!({ "name": "  Ana   Lucía " })).await.status(), 204);
    assert_eq!(app.get_json(su, "/api/v1/agents").await[0]["name"], "Ana Lucía");
    assert_eq!(app.send(su, Method::PATCH, &path, serde_json::json!({ "name": "" })).await.status(), 422);
    let nobody = format!("/api/v1/agents/{}", uuid::Uuid::now_v7());
    assert_eq!(app.send(su, Method::PATCH, &nobody, serde_json::json!({ "name": "X" })).await.status(), 404);
    assert_eq!(app.get_json(su, "/api/v1/agents").await[0]["name"], "Ana Lucía");
}

async fn a_deactivated_agent_is_signed_out_everywhere_and_cannot_sign_in(backend: Backend) {
    use reqwest::Method;
    let app = TestApp::on(backend).start().await;
    let su = &app.client;
    let ana = created_id(app.create_agent("Ana", "ana@example.com", "agent password").await, "user_id").await;
    let laptop = signed_in(&app.address, "ana@example.com", "agent password").await;
    let phone = signed_in(&app.address, "ana@example.com", "agent password").await;
    let path = format!("/api/v1/agents/{ana}/deactivate");
    assert_eq!(app.send(su, Method::POST, &path, serde_json::json!({})).await.status(), 204);
    for device in [&laptop, &phone] {
        let response = device.get(format!("{}/api/v1/session", app.address)).send().await.unwrap();
        assert_eq!(response.status(), 401, "every session ended");
    }
    let again = sign_in(&anonymous(), &app.address, "ana@example.com", "agent password").await;
    assert_eq!(again.status(), 403);
    let body: serde_json::Value = again.json().await.unwrap();
    assert_eq!(body["error"], "this account is deactivated");
    assert_eq!(app.get_json(su, "/api/v1/agents").await[0]["active"], false, "still listed, marked inactive");
    let agent_cannot = app.send(&laptop, Method::POST, &path, serde_json::json!({})).await;
    assert_eq!(agent_cannot.status(), 401);
}

/// Every `.route("/api/v1/…", get(…).post(…))` of the HTTP areas (`server/src/http/`), as
/// (method, path).
fn routes_in_the_source() -> Vec<(String, String)> {
    let folder = "src/http";
    let mut source = String::new();
    for file in std::fs::read_dir(folder).expect("the HTTP areas' folder") {
        let path = file.expect("an entry of the folder").path();
        if path.extension().is_some_and(|extension| extension == "rs") {
            source += &std::fs::read_to_string(&path).expect("an HTTP area's source");
        }
    }
    let mut routes = Vec::new();
    for chunk in source.split(".route(\"").skip(1) {
        let Some((path, rest)) = chunk.split_once('"') else { continue };
        // A route's declaration ends with its line, or with the statement it closes.
        let declaration = rest.split(")\n").next().unwrap_or("").split(';').next().unwrap_or("");
        for method in ["get", "post", "put", "patch", "delete"] {
            let called = declaration.contains(&format!(" {method}(")) || declaration.contains(&format!(".{method}("));
            if called && (path.starts_with("/api/v1") || path == "/healthz" || path == "/metrics") {
                routes.push((method.to_string(), path.to_string()));
            }
        }
    }
    routes
}

async fn the_openapi_document_describes_every_endpoint_of_the_router(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let response = anonymous().get(format!("{}/api/v1/openapi.json", app.address)).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let document: serde_json::Value = response.json().await.unwrap();
    assert!(document["openapi"].as_str().unwrap().starts_with("3."));
    let routes = routes_in_the_source();
    assert!(routes.len() > 40, "the routes were read from the source: {routes:?}");
    let missing: Vec<String> = routes
        .iter()
        .filter(|(method, path)| path != "/api/v1/openapi.json" && document["paths"][path][method].is_null())
        .map(|(method, path)| format!("{method} {path}"))
        .collect();
    assert!(missing.is_empty(), "not described: {missing:?}");
    let schemas = &document["components"]["schemas"];
    for schema in ["InboundMessage", "ErrorBody", "ChatRow", "LineRouting", "QueueSettings", "BulkOutcome"] {
        assert!(!schemas[schema].is_null(), "schema {schema}");
    }
    let schemes = &document["components"]["securitySchemes"];
    assert!(!schemes["session"].is_null() && !schemes["api_key"].is_null() && !schemes["operator"].is_null());
    let page = anonymous().get(format!("{}/api/docs", app.address)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("/api/v1/openapi.json"));
}

async fn a_supervisor_renames_a_queue_and_its_old_name_is_free_again(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let sales = created_id(app.create_queue("Sales").await, "id").await;
    let billing = created_id(app.create_queue("Billing").await, "id").await;
    let rename = |queue: &str, name: &str| {
        let path = format!("/api/v1/queues/{queue}");
        let body = serde_json::json!({ "name": name });
        let app = &app;
        async move { app.send(&app.client, reqwest::Method::PATCH, &path, body).await.status() }
    };
    assert_eq!(rename(&sales, " Ventas ").await, 204);
    assert_eq!(app.wait_for_queues(&["Billing", "Ventas"]).await, vec!["Billing", "Ventas"]);
    assert_eq!(app.create_queue("sales").await.status(), 201, "the old name is free again");
    assert_eq!(rename(&billing, "VENTAS").await, 409, "the new name is taken");
    assert_eq!(rename(&billing, "  ").await, 422);
    assert_eq!(rename(&uuid::Uuid::now_v7().to_string(), "Other").await, 404);
    assert_eq!(rename(&sales, "VENTAS").await, 204, "a change of case keeps the name reserved");
    assert_eq!(app.create_queue("ventas").await.status(), 409);
    app.create_agent("Ana", "ana@example.com", "agent password").await;
    let ana = signed_in(&app.address, "ana@example.com", "agent password").await;
    let by_agent = app
        .send(&ana, reqwest::Method::PATCH, &format!("/api/v1/queues/{billing}"), serde_json::json!({ "name": "Mine" }))
        .await;
    assert_eq!(by_agent.status(), 403);
    assert_eq!(app.wait_for_queues(&["Billing", "sales", "VENTAS"]).await, vec!["Billing", "sales", "VENTAS"]);
}
