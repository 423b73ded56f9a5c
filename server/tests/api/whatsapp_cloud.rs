//! WhatsApp Cloud API lines: a supervisor links a line to a number; its credentials are sealed
//! before they reach the log and never shown again; Meta's subscription handshake answers only
//! the line's verify token.

use crate::support::*;
use eventlog::testing::Backend;
use reqwest::Method;
use serde_json::json;

eventlog::on_both_backends!(
    a_line_is_linked_to_a_whatsapp_number_with_its_credentials_sealed_and_never_shown,
    meta_s_handshake_echoes_the_challenge_for_the_line_s_verify_token_only,
    without_a_secrets_key_no_channel_is_linked,
);

const ACCESS_TOKEN: &str = "EAAGm0PX4ZCpsBAtoken-of-the-test-9f3c";
const APP_SECRET: &str = "app-secret-of-the-test-7d21";
const VERIFY_TOKEN: &str = "verify-token-of-the-test-55aa";

fn credentials(phone_number_id: &str, access_token: &str) -> serde_json::Value {
    json!({
        "phone_number_id": phone_number_id,
        "business_account_id": "1234567890987654321",
        "access_token": access_token,
        "app_secret": APP_SECRET,
        "verify_token": VERIFY_TOKEN,
    })
}

async fn queue_line(app: &TestApp, queue: &str) -> String {
    let queue = created_id(app.create_queue(queue).await, "id").await;
    app.line(json!({ "queue": queue }), None).await.0
}

async fn link(app: &TestApp, client: &reqwest::Client, line: &str, body: serde_json::Value) -> reqwest::Response {
    app.send(client, Method::PUT, &format!("/api/v1/lines/{line}/whatsapp-cloud"), body).await
}

async fn a_line_is_linked_to_a_whatsapp_number_with_its_credentials_sealed_and_never_shown(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let line = queue_line(&app, "Sales").await;

    let linked = link(&app, &app.client, &line, credentials("1122334455667", ACCESS_TOKEN)).await;
    assert_eq!(linked.status(), 200);
    let linked: serde_json::Value = linked.json().await.unwrap();
    assert_eq!(linked["callback_path"], format!("/api/v1/webhooks/whatsapp-cloud/{line}"));
    assert_eq!((linked["verify_token"].as_str(), linked["token_hint"].as_str()), (Some(VERIFY_TOKEN), Some("9f3c")));

    let listed = app.client.get(format!("{}/api/v1/lines", app.address)).send().await.unwrap().text().await.unwrap();
    let lines: serde_json::Value = serde_json::from_str(&listed).unwrap();
    let ours = lines.as_array().unwrap().iter().find(|l| l["line_id"] == line.as_str()).expect("the line is listed");
    assert_eq!(
        ours["channel"],
        json!({ "kind": "whatsapp_cloud", "phone_number_id": "1122334455667", "business_account_id": "1234567890987654321", "token_hint": "9f3c" })
    );
    let history = serde_json::to_string(&app.event_kinds().await).unwrap();
    assert!(history.contains("LineChannelLinked"), "the link is in the history");
    for secret in [ACCESS_TOKEN, APP_SECRET, VERIFY_TOKEN] {
        assert!(!listed.contains(secret), "the lines show {secret}");
        assert!(!history.contains(secret), "the log holds {secret} in the clear");
    }

    // New credentials replace the old; another number is another link.
    let relinked = link(&app, &app.client, &line, credentials("998877", "EAAG-another-token-1234")).await;
    assert_eq!(relinked.status(), 200);
    let lines = app.get_json(&app.client, "/api/v1/lines").await;
    let ours = lines.as_array().unwrap().iter().find(|l| l["line_id"] == line.as_str()).unwrap().clone();
    assert_eq!(
        (ours["channel"]["phone_number_id"].as_str(), ours["channel"]["token_hint"].as_str()),
        (Some("998877"), Some("1234"))
    );

    // What is refused, and by whom.
    for (body, words) in [
        (credentials("+34 600", ACCESS_TOKEN), "Meta's numeric ids"),
        (credentials("1122334455667", "a token with spaces"), "access_token"),
        (credentials("1122334455667", ""), "access_token"),
        (
            json!({ "phone_number_id": "1", "business_account_id": "2", "access_token": "t", "app_secret": "x".repeat(3000) }),
            "app_secret",
        ),
    ] {
        let refused = link(&app, &app.client, &line, body).await;
        assert_eq!(refused.status(), 422);
        let error: serde_json::Value = refused.json().await.unwrap();
        assert!(error["error"].as_str().unwrap().contains(words), "{error}");
    }
    let agent = app.agent("Ana").await;
    assert_eq!(link(&app, &agent.client, &line, credentials("1", ACCESS_TOKEN)).await.status(), 403);
    let other = app.other_company().await;
    assert_eq!(link(&app, &other, &line, credentials("1", ACCESS_TOKEN)).await.status(), 404);

    let path = format!("/api/v1/lines/{line}/whatsapp-cloud");
    assert_eq!(app.send(&app.client, Method::DELETE, &path, json!({})).await.status(), 204);
    let lines = app.get_json(&app.client, "/api/v1/lines").await;
    let ours = lines.as_array().unwrap().iter().find(|l| l["line_id"] == line.as_str()).unwrap().clone();
    assert_eq!(ours["channel"], serde_json::Value::Null);
    assert_eq!(app.send(&app.client, Method::DELETE, &path, json!({})).await.status(), 409);
}

async fn handshake_as(app: &TestApp, line: &str, mode: &str, token: &str, challenge: &str) -> reqwest::Response {
    anonymous()
        .get(format!("{}/api/v1/webhooks/whatsapp-cloud/{line}", app.address))
        .query(&[("hub.mode", mode), ("hub.verify_token", token), ("hub.challenge", challenge)])
        .send()
        .await
        .unwrap()
}

async fn handshake(app: &TestApp, line: &str, token: &str, challenge: &str) -> reqwest::Response {
    handshake_as(app, line, "subscribe", token, challenge).await
}

async fn meta_s_handshake_echoes_the_challenge_for_the_line_s_verify_token_only(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let line = queue_line(&app, "Sales").await;
    let unlinked = queue_line(&app, "Support").await;
    assert_eq!(link(&app, &app.client, &line, credentials("1122334455667", ACCESS_TOKEN)).await.status(), 200);
    let answered = handshake(&app, &line, VERIFY_TOKEN, "1158201444").await;
    assert_eq!(answered.status(), 200);
    assert_eq!(answered.text().await.unwrap(), "1158201444");

    assert_eq!(handshake(&app, &line, "not-the-token", "1158201444").await.status(), 403);
    assert_eq!(handshake(&app, &line, VERIFY_TOKEN, "<script>alert(1)</script>").await.status(), 403);
    for nowhere in [unlinked.as_str(), "0192f0c1-0000-7000-8000-000000000000", "not-a-line"] {
        assert_eq!(handshake(&app, nowhere, VERIFY_TOKEN, "1").await.status(), 404, "{nowhere}");
    }
    assert_eq!(handshake_as(&app, &line, "unsubscribe", VERIFY_TOKEN, "1").await.status(), 403);

    // A token made for the supervisor when they give none is the one that works.
    let mut without = credentials("1122334455667", ACCESS_TOKEN);
    without.as_object_mut().unwrap().remove("verify_token");
    let relinked: serde_json::Value = link(&app, &app.client, &line, without).await.json().await.unwrap();
    let made = relinked["verify_token"].as_str().unwrap().to_string();
    assert!(made.len() >= 32, "{made}");
    assert_eq!(handshake(&app, &line, VERIFY_TOKEN, "7").await.status(), 403);
    assert_eq!(handshake(&app, &line, &made, "7").await.text().await.unwrap(), "7");
}

async fn without_a_secrets_key_no_channel_is_linked(backend: Backend) {
    let app = TestApp::on(backend).with_settings(|settings| settings.secrets_key = None).start().await;
    let line = queue_line(&app, "Sales").await;
    let refused = link(&app, &app.client, &line, credentials("1122334455667", ACCESS_TOKEN)).await;
    assert_eq!(refused.status(), 409);
    let error: serde_json::Value = refused.json().await.unwrap();
    assert!(error["error"].as_str().unwrap().contains("IKONO_SECRETS_KEY_FILE"), "{error}");
    let history = serde_json::to_string(&app.event_kinds().await).unwrap();
    assert!(!history.contains("LineChannelLinked"));
}
