//! Time travel on both backends, through HTTP and the command line: the chats, a chat, the agents
//! and a report as they stood at chosen moments of a scripted day, read-only.

use crate::support::*;
use eventlog::testing::Backend;
use reqwest::Method;
use serde_json::json;

eventlog::on_both_backends!(the_chats_a_chat_and_a_report_read_as_they_stood_at_a_chosen_moment,);

fn utc(text: &str) -> chrono::DateTime<chrono::Utc> {
    text.parse().expect("a moment")
}

async fn the_chats_a_chat_and_a_report_read_as_they_stood_at_a_chosen_moment(backend: Backend) {
    let clock = server::clock::TestClock::starting_at(utc("2026-12-03T09:00:00Z"));
    let app = TestApp::on(backend).with_clock(clock.clone()).start().await;
    let ana = app.agent("Ana").await;
    let sales = app.queue_with("Sales", &[&ana]).await;
    let _live = go_online(&app, &ana).await;
    let key = app.api_key().await;
    let (line, _) = app.line(json!({ "queue": sales }), None).await;
    // 09:00 the customer writes; 09:10 Ana answers; 09:20 she resolves.
    let chat = app.customer_writes_as(&key, &line, "+34600000001", "Rosa", "hola").await;
    app.wait_chats(&ana.client, |c| c.len() == 1).await;
    clock.advance(chrono::Duration::minutes(10));
    let path = format!("/api/v1/chats/{chat}/messages");
    assert_eq!(app.send(&ana.client, Method::POST, &path, json!({ "text": "Dime" })).await.status(), 201);
    clock.advance(chrono::Duration::minutes(10));
    let path = format!("/api/v1/chats/{chat}/resolve");
    assert_eq!(app.send(&ana.client, Method::POST, &path, json!({})).await.status(), 204);
    app.settled(None).await;
    assert!(app.get_json(&app.client, "/api/v1/chats").await.as_array().unwrap().is_empty(), "resolved now");

    let past = |path: String| {
        let app = &app;
        async move { app.get_json(&app.client, &path).await }
    };
    let at_0905 = past("/api/v1/past/chats?at=2026-12-03T09:05:00Z".into()).await;
    assert_eq!((at_0905[0]["chat_id"].as_str(), at_0905[0]["state"].as_str()), (Some(chat.as_str()), Some("pending")));
    let at_0915 = past("/api/v1/past/chats?at=2026-12-03T09:15:00Z".into()).await;
    assert_eq!(at_0915[0]["state"], "following");
    let one = past(format!("/api/v1/past/chats/{chat}?at=2026-12-03T09:05:00Z")).await;
    let texts: Vec<&str> = one["messages"].as_array().unwrap().iter().map(|m| m["text"].as_str().unwrap()).collect();
    assert_eq!(texts, ["hola"], "Ana's answer came later");
    let report = past("/api/v1/past/reports?at=2026-12-03T09:15:00Z&from=2026-12-03&until=2026-12-03".into()).await;
    let totals: Vec<i64> =
        report["categories"].as_array().unwrap().iter().map(|c| c["total"].as_i64().unwrap()).collect();
    assert_eq!(totals, [0, 1, 0, 1, 0], "following then, and not resolved yet");
    // Before the day began there was nobody; at 09:05 Ana was there and online.
    assert_eq!(past("/api/v1/past/agents?at=2026-12-03T08:59:00Z".into()).await, json!([]));
    let agents = past("/api/v1/past/agents?at=2026-12-03T09:05:00Z".into()).await;
    assert_eq!((agents[0]["name"].as_str(), agents[0]["online"].as_bool()), (Some("Ana"), Some(true)), "{agents}");

    // The monitor's page and the chat's page ask through their fields (read in UTC: no zone told).
    let page = |endpoint: &str, fields: Vec<(&'static str, String)>| {
        let request = app.client.post(format!("{}/api/{endpoint}", app.address)).form(&fields);
        async move {
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), 200);
            response.json::<serde_json::Value>().await.unwrap()
        }
    };
    let monitor = page("monitor", vec![("at", "2026-12-03T09:05".into())]).await;
    assert_eq!(monitor["at"], "2026-12-03T09:05:00+00:00");
    assert_eq!(
        (monitor["chats"][0]["id"].as_str(), monitor["chats"][0]["state"].as_str()),
        (Some(chat.as_str()), Some("pending"))
    );
    assert_eq!(page("monitor", vec![("at", String::new())]).await["chats"], json!([]), "now: resolved");
    let then = page("chat_as_it_stood", vec![("chat_id", chat.clone()), ("at", "2026-12-03T09:15:30".into())]).await;
    let texts: Vec<&str> = then["messages"].as_array().unwrap().iter().map(|m| m["text"].as_str().unwrap()).collect();
    assert_eq!((texts, then["state"].as_str()), (vec!["hola", "Dime"], Some("following")), "not resolved yet");
    assert_eq!(then["at"], "2026-12-03T09:15:30+00:00");

    // Not a moment to come, not for agents.
    let ahead =
        app.client.get(format!("{}/api/v1/past/chats?at=2099-01-01T00:00:00Z", app.address)).send().await.unwrap();
    assert_eq!(ahead.status(), 422);
    let agents_ask =
        ana.client.get(format!("{}/api/v1/past/chats?at=2026-12-03T09:05:00Z", app.address)).send().await.unwrap();
    assert_eq!(agents_ask.status(), 403);

    // From the command line: the read models as they stood, kept for the operator.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .args(["replay", "--until", "2026-12-03T09:05:00Z"])
        .env("IKONO_DATABASE_URL", &app.database.url)
        .output()
        .expect("the server's binary runs");
    let told = String::from_utf8_lossy(&output.stdout).to_string();
    assert!(output.status.success(), "{told}{}", String::from_utf8_lossy(&output.stderr));
    assert!(told.contains("events replayed") && told.contains("as they stood at 2026-12-03T09:05:00+00:00"), "{told}");
    if let Some(file) = told.split("the SQLite file ").nth(1).map(|rest| rest.trim().to_string()) {
        let replayed = sqlx::AnyPool::connect(&format!("sqlite://{file}")).await.unwrap();
        let state: String = sqlx::query_scalar("SELECT state FROM chat_board_chats_v9 WHERE chat_id = $1")
            .bind(&chat)
            .fetch_one(&replayed)
            .await
            .unwrap();
        assert_eq!(state, "pending");
        replayed.close().await;
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{file}{suffix}"));
        }
    } else {
        assert!(told.contains("the PostgreSQL schema replay_"), "{told}");
    }
    let wrong = std::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .args(["replay", "--until", "yesterday"])
        .env("IKONO_DATABASE_URL", &app.database.url)
        .output()
        .expect("the server's binary runs");
    assert_eq!(wrong.status.code(), Some(2));
}
