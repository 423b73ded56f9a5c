//! The blacklist (G19) over HTTP, on both backends: a listed account's messages are dropped
//! before any chat is made and counted; agents' messages to it are refused with the reason; only
//! supervisors change the list.

use crate::support::*;
use eventlog::testing::Backend;
use reqwest::Method;
use serde_json::json;

eventlog::on_both_backends!(a_blacklisted_account_is_never_written_to_and_its_messages_are_dropped_and_counted,);

async fn a_blacklisted_account_is_never_written_to_and_its_messages_are_dropped_and_counted(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let ana = app.agent("Ana").await;
    let _live = go_online(&app, &ana).await;
    let key = app.api_key().await;
    let (line, _) = app.line(json!({ "agent": ana.id }), None).await;
    let list = |body: serde_json::Value| app.send(&app.client, Method::POST, "/api/v1/blacklist", body);

    let spam = json!({ "channel": "api", "account_id": "c-spam", "reason": "Insults agents" });
    assert_eq!(list(spam.clone()).await.status(), 201);
    assert_eq!(list(spam).await.status(), 409, "listed once");
    let no_reason = json!({ "channel": "api", "account_id": "c-other", "reason": "  " });
    assert_eq!(list(no_reason).await.status(), 422);
    let by_agent = app
        .send(
            &ana.client,
            Method::POST,
            "/api/v1/blacklist",
            json!({ "channel": "api", "account_id": "x", "reason": "r" }),
        )
        .await;
    assert_eq!(by_agent.status(), 403);

    for text in ["hola", "hola otra vez"] {
        let body = json!({ "contact_id": "c-spam", "text": text });
        let dropped = app.inbound(&key, &line, body).await;
        assert_eq!(dropped.status(), 403, "dropped, and the sender told so");
    }
    let drops = app.wait_events("BlacklistedMessageDropped", 2).await;
    assert_eq!(drops[0]["account"], json!({ "channel": "api", "id": "c-spam" }));
    let entries = app.get_json(&app.client, "/api/v1/blacklist").await;
    assert_eq!(entries[0]["account_id"], "c-spam");
    assert_eq!(entries[0]["dropped"], 2, "every drop is counted");
    assert_eq!(entries[0]["reason"], "Insults agents");

    // A customer already talking to Ana is listed: her next message to them is refused, saying why.
    let chat = app.customer_writes(&key, &line, "c-rude", "hola").await;
    app.wait_chats(&ana.client, |chats| chats.len() == 1).await;
    let chats = app.chats_of(&app.client).await;
    assert!(chats.iter().all(|c| c["contact_id"] != "c-spam"), "no chat was made for the listed account");
    assert_eq!(list(json!({ "channel": "api", "account_id": "c-rude", "reason": "Threats" })).await.status(), 201);
    let replies = format!("/api/v1/chats/{chat}/messages");
    let refused = app.send(&ana.client, Method::POST, &replies, json!({ "text": "¿En qué te ayudo?" })).await;
    assert_eq!(refused.status(), 403);
    let error = refused.json::<serde_json::Value>().await.unwrap()["error"].as_str().unwrap().to_string();
    assert!(error.contains("blacklist") && error.contains("Threats"), "{error}");

    let removed = app.client.delete(format!("{}/api/v1/blacklist/api/c-rude", app.address)).send().await.unwrap();
    assert_eq!(removed.status(), 204);
    let again = app.client.delete(format!("{}/api/v1/blacklist/api/c-rude", app.address)).send().await.unwrap();
    assert_eq!(again.status(), 404);
    let sent = app.send(&ana.client, Method::POST, &replies, json!({ "text": "¿En qué te ayudo?" })).await;
    assert_eq!(sent.status(), 201, "off the list, written to again");
}
