//! Internal chats (G8) over HTTP and the live WebSocket, on both backends: colleagues write one to
//! one, each with what the other wrote that they have not read; strangers, auditors and
//! deactivated colleagues are refused.

use crate::support::*;
use eventlog::testing::Backend;
use reqwest::Method as M;
use serde_json::{json, Value};

eventlog::on_both_backends!(
    colleagues_write_to_each_other_live_and_each_reads_at_their_own_pace,
    nobody_writes_to_themselves_a_stranger_or_a_colleague_who_left_and_auditors_do_not_chat,
);

async fn colleagues_write_to_each_other_live_and_each_reads_at_their_own_pace(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let ana = app.agent("Ana").await;
    let ben = app.agent("Ben").await;
    let mut bens_page = go_online(&app, &ben).await;
    let unread = |list: &Value, who: &str| {
        list.as_array().unwrap().iter().find(|c| c["user_id"] == who).map(|c| c["unread"].as_i64().unwrap())
    };

    let sent = app
        .send(
            &ana.client,
            M::POST,
            &format!("/api/v1/colleagues/{}/messages", ben.id),
            json!({ "text": " ¿Me cubrís a las 3? " }),
        )
        .await;
    assert_eq!(sent.status(), 201);
    wait_topic(&mut bens_page, "internal").await;
    let bens = app.get_json(&ben.client, "/api/v1/colleagues").await;
    assert_eq!(unread(&bens, &ana.id), Some(1));
    let first = bens.as_array().unwrap()[0].clone();
    assert_eq!(
        (first["user_id"].as_str(), first["last_text"].as_str()),
        (Some(ana.id.as_str()), Some("¿Me cubrís a las 3?"))
    );
    let anas = app.get_json(&ana.client, "/api/v1/colleagues").await;
    assert_eq!(unread(&anas, &ben.id), Some(0), "what one wrote is not unread for them");
    assert!(unread(&anas, &app_supervisor_id(&app).await).is_some(), "supervisors are colleagues too");

    let messages = app.get_json(&ben.client, &format!("/api/v1/colleagues/{}/messages", ana.id)).await;
    let texts: Vec<(&str, &str)> = messages
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["from"].as_str().unwrap(), m["text"].as_str().unwrap()))
        .collect();
    assert_eq!(texts, [(ana.id.as_str(), "¿Me cubrís a las 3?")]);
    for _ in 0..2 {
        let read = app.send(&ben.client, M::POST, &format!("/api/v1/colleagues/{}/read", ana.id), json!({})).await;
        assert_eq!(read.status(), 204);
    }
    eventually(
        "Ben's unread count back to 0",
        || app.get_json(&ben.client, "/api/v1/colleagues"),
        |list| unread(list, &ana.id) == Some(0),
    )
    .await;
    assert_eq!(app.wait_events("InternalChatRead", 1).await.len(), 1, "reading twice reads once");

    let answer = app
        .send(&ben.client, M::POST, &format!("/api/v1/colleagues/{}/messages", ana.id), json!({ "text": "Dale" }))
        .await;
    assert_eq!(answer.status(), 201);
    eventually(
        "Ana's unread count",
        || app.get_json(&ana.client, "/api/v1/colleagues"),
        |list| unread(list, &ben.id) == Some(1),
    )
    .await;
    let both = app.get_json(&ana.client, &format!("/api/v1/colleagues/{}/messages", ben.id)).await;
    let texts: Vec<&str> = both.as_array().unwrap().iter().map(|m| m["text"].as_str().unwrap()).collect();
    assert_eq!(texts, ["¿Me cubrís a las 3?", "Dale"]);
    // Reading a conversation that never started changes nothing and is no error.
    let eva = app.agent("Eva").await;
    let read = app.send(&eva.client, M::POST, &format!("/api/v1/colleagues/{}/read", ana.id), json!({})).await;
    assert_eq!(read.status(), 204);
    assert_eq!(app.get_json(&eva.client, &format!("/api/v1/colleagues/{}/messages", ana.id)).await, json!([]));
}

async fn app_supervisor_id(app: &TestApp) -> String {
    let me = app.get_json(&app.client, "/api/v1/session").await;
    me["user_id"].as_str().unwrap().to_string()
}

async fn nobody_writes_to_themselves_a_stranger_or_a_colleague_who_left_and_auditors_do_not_chat(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let ana = app.agent("Ana").await;
    let ben = app.agent("Ben").await;
    let write = |client: &reqwest::Client, to: &str, text: &str| {
        let (client, path, body) =
            (client.clone(), format!("/api/v1/colleagues/{to}/messages"), json!({ "text": text }));
        let app = &app;
        async move { app.send(&client, M::POST, &path, body).await.status().as_u16() }
    };
    assert_eq!(write(&ana.client, &ana.id, "hola").await, 422, "to oneself");
    assert_eq!(write(&ana.client, &ben.id, "   ").await, 422, "nothing to say");
    assert_eq!(write(&ana.client, &uuid::Uuid::now_v7().to_string(), "hola").await, 404, "no such colleague");
    let other = app.other_company().await;
    let strangers = app.get_json(&other, "/api/v1/colleagues").await;
    assert!(strangers.as_array().unwrap().iter().all(|c| c["user_id"] != ana.id), "another company's list");
    assert_eq!(write(&other, &ana.id, "hola").await, 404, "another company's agent is nobody's colleague there");
    let auditor = json!({ "name": "Aud", "email": "aud@example.com", "password": "auditor password" });
    let created = app.send(&app.client, M::POST, "/api/v1/auditors", auditor).await;
    let auditor_id = created.json::<Value>().await.unwrap()["user_id"].as_str().unwrap().to_string();
    assert_eq!(write(&ana.client, &auditor_id, "hola").await, 404, "auditors are no one to chat with");
    let aud = signed_in(&app.address, "aud@example.com", "auditor password").await;
    assert_eq!(app.send(&aud, M::GET, "/api/v1/colleagues", json!(null)).await.status(), 403);
    let left = app.send(&app.client, M::POST, &format!("/api/v1/agents/{}/deactivate", ben.id), json!({})).await;
    assert_eq!(left.status(), 204);
    eventually(
        "Ben gone from Ana's colleagues",
        || app.get_json(&ana.client, "/api/v1/colleagues"),
        |list| list.as_array().unwrap().iter().all(|c| c["user_id"] != ben.id),
    )
    .await;
    assert_eq!(write(&ana.client, &ben.id, "hola").await, 409, "a colleague who left");
}
