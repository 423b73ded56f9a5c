//! WhatsApp Cloud API lines: a supervisor links a line to a number; its credentials are sealed
//! before they reach the log and never shown again; Meta's subscription handshake answers only
//! the line's verify token.

use crate::support::*;
use eventlog::testing::Backend;
use reqwest::Method;
use serde_json::json;

eventlog::on_both_backends!(
    a_line_whose_token_meta_refuses_cannot_send_until_a_message_goes_out_again,
    a_line_is_linked_to_a_whatsapp_number_with_its_credentials_sealed_and_never_shown,
    meta_s_handshake_echoes_the_challenge_for_the_line_s_verify_token_only,
    without_a_secrets_key_no_channel_is_linked,
    every_kind_of_message_reaches_the_chat_as_the_agent_reads_it,
    a_notification_wrongly_signed_unsigned_malformed_or_oversized_is_refused_and_records_nothing,
    a_notification_delivered_twice_or_in_another_key_order_stores_one_message,
    reactions_show_on_the_message_they_name_and_statuses_are_recorded_once,
    a_tapped_button_walks_the_menu_and_a_marketing_stop_is_the_contact_s_consent,
    an_agents_reply_reaches_the_customer_through_meta_and_its_read_status_shows,
    meta_failing_twice_then_taking_it_sends_once_and_a_permanent_refusal_shows_its_reason,
    the_bots_menu_reaches_whatsapp_as_buttons_or_a_list,
    a_customers_photo_is_fetched_from_meta_tried_again_after_a_failure_and_served_to_the_company_only,
    an_agent_quotes_a_message_and_after_24_hours_free_text_is_refused_before_it_is_sent,
    a_template_is_submitted_to_meta_and_its_approval_or_rejection_recorded,
    after_24_hours_the_lines_approved_templates_are_offered_and_one_goes_out_with_its_values,
    an_agents_file_is_uploaded_to_meta_once_and_sent_by_its_id_and_one_whatsapp_refuses_is_not_sent,
    an_agent_starts_a_conversation_with_a_template_and_the_customers_answer_reaches_them,
    a_test_from_the_lines_number_reaches_meta_and_its_refusal_shows_meta_s_words,
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
    // G10: the company's second number, on a line of its own, beside the first.
    let (second, _) =
        app.line(json!({ "queue": created_id(app.create_queue("Support").await, "id").await }), None).await;
    assert_eq!(link(&app, &app.client, &second, credentials("1122334455667", ACCESS_TOKEN)).await.status(), 200);
    let lines = app.get_json(&app.client, "/api/v1/lines").await;
    let mut numbers: Vec<&str> =
        lines.as_array().unwrap().iter().filter_map(|l| l["channel"]["phone_number_id"].as_str()).collect();
    numbers.sort();
    assert_eq!(numbers, ["1122334455667", "998877"]);

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

// ---- Meta's notifications, from the fixtures, through the line's callback ----

/// A fixture of `bridges/tests/fixtures/whatsapp_cloud/`, as Meta wrote it.
fn fixture(name: &str) -> serde_json::Value {
    let path = std::path::Path::new("../bridges/tests/fixtures/whatsapp_cloud").join(name);
    serde_json::from_slice(&std::fs::read(&path).unwrap_or_else(|e| panic!("{name}: {e}"))).unwrap()
}

/// The fixture's first message (or status) with its id set to `id`: many of Meta's examples
/// share one id, and a repeated id is a repeated message.
fn with_id(mut notification: serde_json::Value, id: &str) -> serde_json::Value {
    let value = &mut notification["entry"][0]["changes"][0]["value"];
    for list in ["messages", "statuses"] {
        if let Some(first) = value.get_mut(list).and_then(|l| l.get_mut(0)) {
            first["id"] = json!(id);
        }
    }
    notification
}

async fn post_signed(app: &TestApp, line: &str, body: &[u8], signature: Option<String>) -> reqwest::Response {
    let mut request = anonymous()
        .post(format!("{}/api/v1/webhooks/whatsapp-cloud/{line}", app.address))
        .header("content-type", "application/json")
        .body(body.to_vec());
    if let Some(signature) = signature {
        request = request.header("x-hub-signature-256", signature);
    }
    request.send().await.unwrap()
}

/// Posts `notification` signed with the line's app secret, as Meta does; answers what was done.
async fn notify(app: &TestApp, line: &str, notification: &serde_json::Value) -> serde_json::Value {
    let body = serde_json::to_vec(notification).unwrap();
    let answered = post_signed(app, line, &body, Some(bridges::meta::sign(APP_SECRET, &body))).await;
    assert_eq!(answered.status(), 200);
    answered.json().await.unwrap()
}

/// A WhatsApp Cloud line routed to a queue, linked to the fixtures' number.
async fn whatsapp_line(app: &TestApp, routing: serde_json::Value) -> String {
    let (line, _) = app.line(routing, None).await;
    assert_eq!(link(app, &app.client, &line, credentials("1122334455667", ACCESS_TOKEN)).await.status(), 200);
    line
}

/// The chat of the customer `number` writes from, once it shows `count` messages.
async fn chat_of(app: &TestApp, number: &str, count: usize) -> serde_json::Value {
    let contact = format!("+{number}");
    let chat = eventually(
        &format!("a chat with {contact}"),
        || async { app.chats_of(&app.client).await.into_iter().find(|chat| chat["contact_id"] == contact.as_str()) },
        Option::is_some,
    )
    .await
    .unwrap();
    let id = chat["chat_id"].as_str().unwrap().to_string();
    eventually(
        &format!("{count} messages in {id}"),
        || async { app.chat(&app.client, &id).await },
        |chat| customers(chat).len() >= count,
    )
    .await
}

/// The customer's messages of a chat, without what the bot and the agents said.
fn customers(chat: &serde_json::Value) -> Vec<serde_json::Value> {
    chat["messages"].as_array().into_iter().flatten().filter(|m| m["direction"] == "in").cloned().collect()
}

async fn every_kind_of_message_reaches_the_chat_as_the_agent_reads_it(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let queue = created_id(app.create_queue("Sales").await, "id").await;
    let line = whatsapp_line(&app, json!({ "queue": queue })).await;
    let sent = [
        "inbound_text.json",
        "inbound_image.json",
        "inbound_image_with_url.json",
        "inbound_video.json",
        "inbound_audio.json",
        "inbound_voice_note.json",
        "inbound_document_pdf.json",
        "inbound_sticker.json",
        "inbound_sticker_animated.json",
        "inbound_location_current.json",
        "inbound_location_named.json",
        "inbound_contacts.json",
        "inbound_reply_quoting_context.json",
        "inbound_forwarded.json",
        "inbound_ctwa_referral.json",
        "inbound_interactive_button_reply.json",
        "inbound_interactive_list_reply.json",
        "inbound_interactive_list_reply_with_description.json",
        "inbound_template_quick_reply_button.json",
        "inbound_template_quick_reply_no_context.json",
        "inbound_order.json",
        "inbound_unsupported.json",
        "inbound_interactive_with_error.json",
        "inbound_system_phone_number_change.json",
    ];
    for name in sent {
        let outcome = notify(&app, &line, &with_id(fixture(name), &format!("wamid.{name}"))).await;
        assert_eq!(outcome, json!({ "recorded": 1, "skipped": 0 }), "{name}");
    }
    let chat = chat_of(&app, "972987654321", sent.len()).await;
    let messages = customers(&chat);
    assert_eq!(chat["chat"]["channel"], "whatsapp");
    assert_eq!(chat["chat"]["contact_name"], "Test Name");
    let kinds: Vec<&str> = messages.iter().map(|m| m["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "text",
            "image",
            "image",
            "video",
            "audio",
            "voice",
            "document",
            "sticker",
            "sticker",
            "location",
            "location",
            "contacts",
            "text",
            "text",
            "text",
            "text",
            "text",
            "text",
            "text",
            "text",
            "unsupported",
            "unsupported",
            "unsupported",
            "unsupported",
        ]
    );
    let by_id = |name: &str| {
        messages
            .iter()
            .find(|m| m["provider_id"] == format!("wamid.{name}").as_str())
            .unwrap_or_else(|| panic!("{name}"))
    };
    assert_eq!(by_id("inbound_text.json")["text"], "Body Text");
    assert_eq!(by_id("inbound_image.json")["file"], json!({ "id": "65463453", "content_type": "image/jpeg" }));
    assert_eq!(by_id("inbound_document_pdf.json")["file"]["filename"], "filename.pdf");
    assert_eq!(by_id("inbound_document_pdf.json")["text"], "caption");
    assert_eq!(
        by_id("inbound_location_named.json")["location"],
        json!({ "latitude": 37.4611978, "longitude": -122.2164385, "name": "Facebook HQ", "address": "1 Hacker Way, Menlo Park, CA 94025" })
    );
    assert_eq!(
        by_id("inbound_contacts.json")["cards"][0],
        json!({ "name": "Chandler Bing", "phones": ["+1 555-555-5555"] })
    );
    // The quoted message is not one this chat holds: kept as an unknown message.
    assert_eq!(
        by_id("inbound_reply_quoting_context.json")["quoted"],
        json!({ "provider_id": "wamid.xyzxyz==", "message_id": null, "text": null })
    );
    let tapped = by_id("inbound_interactive_button_reply.json");
    assert_eq!((tapped["text"].as_str(), tapped["choice"].as_str()), (Some("title"), Some("callback_data")));
    assert_eq!(by_id("inbound_order.json")["text"], "(order)");
    assert!(by_id("inbound_unsupported.json")["text"].as_str().unwrap().starts_with("131051"));
    // The chat's row shows its last message: the customer's last, or the bot telling their place
    // in the queue, which the router may say at any moment. The row and the messages are read one
    // after the other: the row may be a batch behind.
    let id = chat["chat"]["chat_id"].as_str().unwrap();
    let latest = "User A changed from 972987654321 to 972912345678";
    assert_eq!(customers(&chat).last().map(|m| m["text"].clone()), Some(json!(latest)));
    app.wait_chat(&app.client, id, |chat| {
        let last = chat["messages"].as_array().and_then(|messages| messages.last()).map(|m| m["text"].clone());
        last.is_some_and(|text| chat["chat"]["last_text"] == text)
    })
    .await;
}

async fn a_notification_wrongly_signed_unsigned_malformed_or_oversized_is_refused_and_records_nothing(
    backend: Backend,
) {
    let app = TestApp::on(backend).start().await;
    let queue = created_id(app.create_queue("Sales").await, "id").await;
    let line = whatsapp_line(&app, json!({ "queue": queue })).await;
    let body = serde_json::to_vec(&fixture("inbound_text.json")).unwrap();
    let refusals = [
        (post_signed(&app, &line, &body, None).await, 401, "not signed"),
        (
            post_signed(&app, &line, &body, Some(bridges::meta::sign("another secret", &body))).await,
            401,
            "does not match",
        ),
        (post_signed(&app, &line, &body, Some("sha256=abc".into())).await, 401, "64 hex digits"),
    ];
    for (response, status, words) in refusals {
        assert_eq!(response.status(), status);
        let error: serde_json::Value = response.json().await.unwrap();
        assert!(error["error"].as_str().unwrap().contains(words), "{error}");
    }
    // One byte changed after signing is another body.
    let mut tampered = body.clone();
    let at = tampered.iter().position(|b| *b == b'B').unwrap();
    tampered[at] = b'C';
    assert_eq!(post_signed(&app, &line, &tampered, Some(bridges::meta::sign(APP_SECRET, &body))).await.status(), 401);
    for malformed in [&b"{not json"[..], br#"{"object":"page","entry":[]}"#] {
        let response = post_signed(&app, &line, malformed, Some(bridges::meta::sign(APP_SECRET, malformed))).await;
        assert_eq!(response.status(), 400);
    }
    let huge = format!(r#"{{"object":"whatsapp_business_account","padding":"{}"}}"#, "x".repeat(2 * 1024 * 1024));
    let response =
        post_signed(&app, &line, huge.as_bytes(), Some(bridges::meta::sign(APP_SECRET, huge.as_bytes()))).await;
    assert_eq!(response.status(), 413);
    // A line without a channel has no callback.
    let (plain, _) = app.line(json!({ "queue": queue }), None).await;
    assert_eq!(post_signed(&app, &plain, &body, Some(bridges::meta::sign(APP_SECRET, &body))).await.status(), 404);

    // The supervisor sees the last refusal, and no notification taken yet.
    let state_path = format!("/api/v1/lines/{line}/whatsapp-cloud");
    let checked = app.get_json(&app.client, &state_path).await;
    assert_eq!(checked["phone_number_id"], "1122334455667");
    assert_eq!(checked["callback_path"], format!("/api/v1/webhooks/whatsapp-cloud/{line}"));
    assert_eq!(checked["health"]["last_notification_at"], serde_json::Value::Null);
    assert!(
        checked["health"]["last_refused"]["reason"].as_str().unwrap().contains("not a WhatsApp Business Account"),
        "{checked}"
    );
    assert!(!serde_json::to_string(&checked).unwrap().contains(ACCESS_TOKEN));

    // A correct one afterwards is the only message there is.
    notify(&app, &line, &fixture("inbound_text.json")).await;
    let chat = chat_of(&app, "972987654321", 1).await;
    app.settled(None).await;
    assert_eq!(app.chats_of(&app.client).await.len(), 1);
    assert_eq!(customers(&chat).len(), 1);
    let history = app.event_kinds().await;
    assert_eq!(history.iter().filter(|(kind, _)| kind == "CustomerMessageReceived").count(), 1);
    let checked = app.get_json(&app.client, &state_path).await;
    assert!(checked["health"]["last_notification_at"].is_string(), "{checked}");
    let agent = app.agent("Ana").await;
    assert_eq!(agent.client.get(format!("{}{state_path}", app.address)).send().await.unwrap().status(), 403);
}

async fn a_notification_delivered_twice_or_in_another_key_order_stores_one_message(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let queue = created_id(app.create_queue("Sales").await, "id").await;
    let line = whatsapp_line(&app, json!({ "queue": queue })).await;
    let text = fixture("inbound_text.json");
    notify(&app, &line, &text).await;
    notify(&app, &line, &text).await;
    // `entry` before `object`, compact: other bytes, signed as they are, the same message.
    let reordered = format!(r#"{{"entry":{},"object":"whatsapp_business_account"}}"#, text["entry"]);
    let answered =
        post_signed(&app, &line, reordered.as_bytes(), Some(bridges::meta::sign(APP_SECRET, reordered.as_bytes())))
            .await;
    assert_eq!(answered.status(), 200);
    // A later message proves the ones before it were handled.
    notify(&app, &line, &with_id(fixture("inbound_forwarded.json"), "wamid.later")).await;
    let chat = chat_of(&app, "972987654321", 2).await;
    let texts: Vec<String> = customers(&chat).iter().map(|m| m["text"].as_str().unwrap().to_string()).collect();
    assert_eq!(texts, ["Body Text", "forwarded text"]);
}

async fn reactions_show_on_the_message_they_name_and_statuses_are_recorded_once(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let queue = created_id(app.create_queue("Sales").await, "id").await;
    let line = whatsapp_line(&app, json!({ "queue": queue })).await;
    notify(&app, &line, &with_id(fixture("inbound_text.json"), "wamid.A")).await;
    let mut reaction = with_id(fixture("inbound_reaction.json"), "wamid.reaction-1");
    reaction["entry"][0]["changes"][0]["value"]["messages"][0]["reaction"]["message_id"] = json!("wamid.A");
    assert_eq!(notify(&app, &line, &reaction).await, json!({ "recorded": 1, "skipped": 0 }));
    let reacted = eventually(
        "the reaction on the message",
        || async { chat_of(&app, "972987654321", 1).await },
        |chat| customers(chat)[0]["reaction"] == "😮",
    )
    .await;
    assert_eq!(customers(&reacted).len(), 1, "a reaction is no message of its own");
    let mut removed = with_id(fixture("inbound_reaction_removed.json"), "wamid.reaction-2");
    removed["entry"][0]["changes"][0]["value"]["messages"][0]["reaction"]["message_id"] = json!("wamid.A");
    notify(&app, &line, &removed).await;
    eventually(
        "the reaction taken back",
        || async { chat_of(&app, "972987654321", 1).await },
        |chat| customers(chat)[0].get("reaction").is_none(),
    )
    .await;

    let read = fixture("status_read.json");
    assert_eq!(notify(&app, &line, &read).await, json!({ "recorded": 1, "skipped": 0 }));
    assert_eq!(notify(&app, &line, &read).await, json!({ "recorded": 1, "skipped": 0 }), "again: recorded already");
    let failed = with_id(fixture("status_failed.json"), "wamid.B");
    notify(&app, &line, &failed).await;
    let statuses = app.wait_events("OutboundStatusReported", 2).await;
    assert_eq!(statuses.len(), 2, "the repeated `read` is recorded once: {statuses:?}");
    assert!(statuses[1]["reason"].as_str().unwrap().starts_with("130472"));
    // A status for a customer who never wrote to the line names no chat of ours.
    let mut elsewhere = fixture("status_delivered.json");
    elsewhere["entry"][0]["changes"][0]["value"]["statuses"][0]["recipient_id"] = json!("34612345678");
    assert_eq!(notify(&app, &line, &elsewhere).await, json!({ "recorded": 0, "skipped": 1 }));
    // Nor does a notification for another of the business's numbers.
    let mut other_number = with_id(fixture("inbound_text.json"), "wamid.C");
    other_number["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = json!("999");
    assert_eq!(notify(&app, &line, &other_number).await, json!({ "recorded": 0, "skipped": 1 }));
}

async fn a_tapped_button_walks_the_menu_and_a_marketing_stop_is_the_contact_s_consent(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let queue = created_id(app.create_queue("Sales").await, "id").await;
    let menu = json!({ "menu": { "header": "Welcome!", "options": [
        { "label": "Sales", "action": { "kind": "queue", "queue": queue } },
        { "label": "Hours", "action": { "kind": "text", "text": "We open 9 to 18" } },
    ] } });
    let line = whatsapp_line(&app, menu).await;
    notify(&app, &line, &with_id(fixture("inbound_text.json"), "wamid.hola")).await;
    let mut tap = with_id(fixture("inbound_interactive_button_reply.json"), "wamid.tap");
    tap["entry"][0]["changes"][0]["value"]["messages"][0]["interactive"]["button_reply"] =
        json!({ "id": "2", "title": "Hours" });
    notify(&app, &line, &tap).await;
    let chat = eventually(
        "the bot's answer to the tap",
        || async { chat_of(&app, "972987654321", 2).await },
        |chat| chat["messages"].as_array().unwrap().iter().any(|m| m["text"] == "We open 9 to 18"),
    )
    .await;
    let tapped = chat["messages"].as_array().unwrap().iter().find(|m| m["provider_id"] == "wamid.tap").unwrap().clone();
    assert_eq!((tapped["text"].as_str(), tapped["choice"].as_str()), (Some("Hours"), Some("2")));

    let mut stop = fixture("user_marketing_preferences_resume.json");
    stop["entry"][0]["changes"][0]["value"]["user_preferences"][0]["value"] = json!("stop");
    stop["entry"][0]["changes"][0]["value"]["user_preferences"][0]["wa_id"] = json!("972987654321");
    stop["entry"][0]["changes"][0]["value"]["metadata"] = json!({ "phone_number_id": "1122334455667" });
    assert_eq!(notify(&app, &line, &stop).await, json!({ "recorded": 1, "skipped": 0 }));
    let consents = app.wait_events("ContactConsentRecorded", 1).await;
    assert_eq!(consents[0]["consent"]["given"], false, "{consents:?}");
}

// ---- What we send through Meta ----

/// The application with its Graph API at the local Meta.
async fn with_local_meta(backend: Backend) -> (TestApp, LocalMeta) {
    with_local_meta_and_clock(backend, server::clock::TestClock::default()).await
}

async fn with_local_meta_and_clock(backend: Backend, clock: server::clock::TestClock) -> (TestApp, LocalMeta) {
    let meta = LocalMeta::start_for(ACCESS_TOKEN).await;
    let url = meta.url.clone();
    let app = TestApp::on(backend)
        .with_clock(clock)
        .with_settings(move |settings| settings.whatsapp_graph_url = url)
        .start()
        .await;
    (app, meta)
}

/// Ana, online, has the chat of the fixtures' customer on a WhatsApp line routed to her.
async fn ana_has_a_whatsapp_chat(app: &TestApp) -> (SignedAgent, Live, String, String) {
    let ana = app.agent("Ana").await;
    let line = whatsapp_line(app, json!({ "agent": ana.id })).await;
    let live = go_online(app, &ana).await;
    notify(app, &line, &with_id(fixture("inbound_text.json"), "wamid.hola")).await;
    let mine = app.wait_chats(&ana.client, |chats| chats.len() == 1).await;
    let chat = mine[0]["chat_id"].as_str().unwrap().to_string();
    (ana, live, line, chat)
}

async fn reply(app: &TestApp, agent: &SignedAgent, chat: &str, text: &str) {
    let sent =
        app.send(&agent.client, Method::POST, &format!("/api/v1/chats/{chat}/messages"), json!({ "text": text })).await;
    assert_eq!(sent.status(), 201);
}

/// The agent's message `text` in the chat, once `done` holds for it.
async fn agents_message(
    app: &TestApp,
    agent: &SignedAgent,
    chat: &str,
    text: &str,
    done: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let chat = app
        .wait_chat(&agent.client, chat, |chat| {
            chat["messages"].as_array().into_iter().flatten().any(|m| m["text"] == text && done(m))
        })
        .await;
    chat["messages"].as_array().unwrap().iter().find(|m| m["text"] == text).unwrap().clone()
}

async fn an_agents_reply_reaches_the_customer_through_meta_and_its_read_status_shows(backend: Backend) {
    let (app, mut meta) = with_local_meta(backend).await;
    let (ana, _live, line, chat) = ana_has_a_whatsapp_chat(&app).await;
    reply(&app, &ana, &chat, "¡Hola! ¿En qué te ayudo?").await;
    let call = meta.next_call_where(|body| body["text"]["body"] == "¡Hola! ¿En qué te ayudo?").await;
    assert_eq!(call.path, "/1122334455667/messages");
    assert_eq!(call.authorization, format!("Bearer {ACCESS_TOKEN}"));
    assert_eq!(
        call.body,
        json!({ "messaging_product": "whatsapp", "recipient_type": "individual", "to": "972987654321", "type": "text",
                "text": { "preview_url": false, "body": "¡Hola! ¿En qué te ayudo?" } })
    );
    let sent = agents_message(&app, &ana, &chat, "¡Hola! ¿En qué te ayudo?", |m| m["delivery"] == "delivered").await;
    let provider_id = sent["provider_id"].as_str().expect("Meta's id of the message").to_string();
    assert!(provider_id.starts_with("wamid.out-"), "{provider_id}");

    // Meta reports it read, then (late) delivered: read stands.
    notify(&app, &line, &with_id(fixture("status_read.json"), &provider_id)).await;
    notify(&app, &line, &with_id(fixture("status_delivered.json"), &provider_id)).await;
    notify(&app, &line, &with_id(fixture("inbound_forwarded.json"), "wamid.after")).await;
    let read = agents_message(&app, &ana, &chat, "¡Hola! ¿En qué te ayudo?", |m| m["status"] == "read").await;
    assert_eq!(read["status"], "read");
    let history = app.wait_events("OutboundStatusReported", 2).await;
    assert_eq!(history.len(), 2);
}

async fn meta_failing_twice_then_taking_it_sends_once_and_a_permanent_refusal_shows_its_reason(backend: Backend) {
    let (app, mut meta) = with_local_meta(backend).await;
    let (ana, _live, _line, chat) = ana_has_a_whatsapp_chat(&app).await;
    // Whatever the bot says first is answered normally.
    while tokio::time::timeout(std::time::Duration::from_millis(300), meta.next_call()).await.is_ok() {}
    meta.answer_next(500, json!({ "error": { "message": "An unknown error occurred", "code": 1 } }));
    meta.answer_next(503, json!({}));
    reply(&app, &ana, &chat, "first").await;
    for attempt in 0..3 {
        let call = meta.next_call().await;
        assert_eq!(call.body["text"]["body"], "first", "attempt {attempt}");
    }
    let sent = agents_message(&app, &ana, &chat, "first", |m| m["delivery"] == "delivered").await;
    assert_eq!(sent["provider_id"], "wamid.out-1", "the third call is the one Meta took");
    assert_eq!(app.wait_events("OutboundMessageDelivered", 1).await.len(), 1);

    meta.answer_next(
        400,
        json!({ "error": { "message": "(#131047) Re-engagement message", "type": "OAuthException", "code": 131047,
                "error_data": { "messaging_product": "whatsapp", "details": "Message failed to send because more than 24 hours have passed since the customer last replied to this number." } } }),
    );
    reply(&app, &ana, &chat, "second").await;
    assert_eq!(meta.next_call().await.body["text"]["body"], "second");
    let failed = agents_message(&app, &ana, &chat, "second", |m| m["delivery"] == "failed").await;
    let reason = failed["delivery_reason"].as_str().unwrap();
    assert!(reason.starts_with("131047") && reason.contains("24 hours"), "{reason}");
    // Given up at once: the next message is the next call.
    reply(&app, &ana, &chat, "third").await;
    assert_eq!(meta.next_call().await.body["text"]["body"], "third");
}

async fn a_line_whose_token_meta_refuses_cannot_send_until_a_message_goes_out_again(backend: Backend) {
    let (app, mut meta) = with_local_meta(backend).await;
    let (ana, _live, line, chat) = ana_has_a_whatsapp_chat(&app).await;
    while tokio::time::timeout(std::time::Duration::from_millis(300), meta.next_call()).await.is_ok() {}
    let expired = || {
        json!({ "error": { "message": "Error validating access token: Session has expired", "type": "OAuthException",
                "code": 190 } })
    };
    let state = |app: &TestApp| {
        let (client, url) = (app.client.clone(), format!("{}/api/v1/lines", app.address));
        let line = line.clone();
        async move {
            let lines: serde_json::Value = client.get(url).send().await.unwrap().json().await.unwrap();
            lines.as_array().unwrap().iter().find(|l| l["line_id"] == line.as_str()).unwrap()["sending_failure"].clone()
        }
    };

    meta.answer_next(401, expired());
    reply(&app, &ana, &chat, "first").await;
    assert_eq!(meta.next_call().await.body["text"]["body"], "first");
    agents_message(&app, &ana, &chat, "first", |m| m["delivery"] == "failed").await;
    let failed = app.wait_events("LineSendingFailed", 1).await;
    assert!(failed[0]["reason"].as_str().unwrap().starts_with("190: Error validating access token"), "{failed:?}");
    let failure = eventually("the line shown unable to send", || state(&app), |f| !f.is_null()).await;
    assert!(failure["reason"].as_str().unwrap().starts_with("190:"), "{failure}");
    assert!(failure["since"].as_str().is_some(), "{failure}");

    // Refused again: the line was already known to fail, nothing new is recorded.
    meta.answer_next(401, expired());
    reply(&app, &ana, &chat, "second").await;
    assert_eq!(meta.next_call().await.body["text"]["body"], "second");
    agents_message(&app, &ana, &chat, "second", |m| m["delivery"] == "failed").await;
    // A refusal of one message alone (outside the window) says nothing of the line.
    meta.answer_next(400, json!({ "error": { "message": "(#131047) Re-engagement message", "code": 131047 } }));
    reply(&app, &ana, &chat, "third").await;
    assert_eq!(meta.next_call().await.body["text"]["body"], "third");
    agents_message(&app, &ana, &chat, "third", |m| m["delivery"] == "failed").await;

    reply(&app, &ana, &chat, "fourth").await;
    assert_eq!(meta.next_call().await.body["text"]["body"], "fourth");
    assert_eq!(app.wait_events("LineSendingRestored", 1).await.len(), 1);
    assert_eq!(app.wait_events("LineSendingFailed", 1).await.len(), 1, "the line failed once, not per message");
    eventually("the line shown sending again", || state(&app), |f| f.is_null()).await;
}

async fn the_bots_menu_reaches_whatsapp_as_buttons_or_a_list(backend: Backend) {
    let (app, mut meta) = with_local_meta(backend).await;
    let queue = created_id(app.create_queue("Sales").await, "id").await;
    let option = |label: &str| json!({ "label": label, "action": { "kind": "queue", "queue": queue } });
    let two = json!({ "menu": { "header": "Welcome!", "options": [option("Sales"), option("Help")] } });
    let line = whatsapp_line(&app, two).await;
    notify(&app, &line, &with_id(fixture("inbound_text.json"), "wamid.hola")).await;
    let call = meta.next_call().await;
    assert_eq!(call.body["type"], "interactive");
    assert_eq!(call.body["interactive"]["type"], "button");
    assert_eq!(
        call.body["interactive"]["action"]["buttons"],
        json!([{ "type": "reply", "reply": { "id": "1", "title": "Sales" } }, { "type": "reply", "reply": { "id": "2", "title": "Help" } }])
    );
    assert!(call.body["interactive"]["body"]["text"].as_str().unwrap().starts_with("Welcome!"));

    let five: Vec<_> = ["A", "B", "C", "D", "E"].iter().map(|l| option(l)).collect();
    let routing = json!({ "menu": { "header": "Pick", "options": five } });
    assert_eq!(
        app.send(&app.client, Method::PUT, &format!("/api/v1/lines/{line}/routing"), routing).await.status(),
        204
    );
    let mut other = with_id(fixture("inbound_text.json"), "wamid.hola-2");
    other["entry"][0]["changes"][0]["value"]["messages"][0]["from"] = json!("34612345678");
    other["entry"][0]["changes"][0]["value"]["contacts"][0]["wa_id"] = json!("34612345678");
    notify(&app, &line, &other).await;
    let call = meta.next_call_where(|body| body["to"] == "34612345678").await;
    assert_eq!(call.body["interactive"]["type"], "list");
    assert_eq!(call.body["interactive"]["action"]["sections"][0]["rows"].as_array().unwrap().len(), 5);
    assert_eq!(call.body["interactive"]["action"]["button"], "Opciones · Options");
}

// ---- Customers' files ----

async fn a_customers_photo_is_fetched_from_meta_tried_again_after_a_failure_and_served_to_the_company_only(
    backend: Backend,
) {
    let clock = server::clock::TestClock::default();
    let (app, meta) = with_local_meta_and_clock(backend, clock.clone()).await;
    let queue = created_id(app.create_queue("Sales").await, "id").await;
    let line = whatsapp_line(&app, json!({ "queue": queue })).await;
    let photo = b"\xff\xd8\xff\xe0 a customer's photo".to_vec();
    meta.keep_file("65463453", "image/jpeg", &photo);
    meta.fail_files_next(503);
    notify(&app, &line, &with_id(fixture("inbound_image.json"), "wamid.photo")).await;

    // The message is there at once; its file failed once and says when it is tried again.
    let first_try = clock_now(&clock);
    let failed = eventually(
        "the photo's first attempt recorded",
        || async { customers(&chat_of(&app, "972987654321", 1).await) },
        |messages| messages[0].get("file_problem").is_some(),
    )
    .await;
    let problem = &failed[0]["file_problem"];
    assert!(problem["reason"].as_str().unwrap().contains("Service temporarily unavailable"), "{problem}");
    let retry_at: chrono::DateTime<chrono::Utc> = problem["retry_at"].as_str().unwrap().parse().unwrap();
    assert_eq!((retry_at - first_try).num_seconds() / 60, 1, "tried again a minute later");
    assert_eq!(failed[0]["media"], serde_json::Value::Null);

    clock.advance(chrono::Duration::minutes(1));
    let kept = eventually(
        "the photo kept after its second attempt",
        || async { customers(&chat_of(&app, "972987654321", 1).await) },
        |messages| messages[0]["media"].is_string(),
    )
    .await;
    let address = kept[0]["media"].as_str().unwrap().to_string();
    assert!(address.starts_with("/media/") && address.ends_with(".jpg"), "{address}");
    assert!(kept[0].get("file_problem").is_none());
    let served = app.client.get(format!("{}{address}", app.address)).send().await.unwrap();
    assert_eq!(served.status(), 200);
    assert_eq!(served.headers()["content-type"], "image/jpeg");
    assert_eq!(served.bytes().await.unwrap().to_vec(), photo);
    let other = app.other_company().await;
    assert_eq!(other.get(format!("{}{address}", app.address)).send().await.unwrap().status(), 404);

    // A file of a kind a chat does not keep is given up at once, with the reason.
    meta.keep_file("999", "application/x-msdownload", b"MZ not a document");
    let mut document = with_id(fixture("inbound_document_pdf.json"), "wamid.exe");
    document["entry"][0]["changes"][0]["value"]["messages"][0]["document"]["id"] = json!("999");
    notify(&app, &line, &document).await;
    // C3: the chat's files, in one list.
    let files_path = format!("/api/v1/chats/{}/files", chat_id_of(&app, "972987654321").await);
    let files = app.get_json(&app.client, &files_path).await;
    assert_eq!(files.as_array().unwrap().len(), 1);
    assert_eq!((files[0]["media"].as_str(), files[0]["kind"].as_str()), (Some(address.as_str()), Some("image")));
    let given_up = eventually(
        "the program given up",
        || async { customers(&chat_of(&app, "972987654321", 2).await) },
        |messages| messages.len() == 2 && messages[1].get("file_problem").is_some(),
    )
    .await;
    let problem = &given_up[1]["file_problem"];
    assert!(problem["reason"].as_str().unwrap().contains("not accepted"), "{problem}");
    assert_eq!(problem["retry_at"], serde_json::Value::Null);
    assert_eq!(
        app.get_json(&app.client, &files_path).await.as_array().unwrap().len(),
        1,
        "a file given up is not listed"
    );
}

fn clock_now(clock: &server::clock::TestClock) -> chrono::DateTime<chrono::Utc> {
    use server::clock::Clock;
    clock.now()
}

async fn an_agent_quotes_a_message_and_after_24_hours_free_text_is_refused_before_it_is_sent(backend: Backend) {
    let clock = server::clock::TestClock::default();
    let (app, mut meta) = with_local_meta_and_clock(backend, clock.clone()).await;
    let (ana, _live, line, chat) = ana_has_a_whatsapp_chat(&app).await;
    let customers_message = format!("{chat}:wamid.hola");

    let quoting = json!({ "text": "About this:", "quote": customers_message });
    let sent = app.send(&ana.client, Method::POST, &format!("/api/v1/chats/{chat}/messages"), quoting).await;
    assert_eq!(sent.status(), 201);
    let call = meta.next_call_where(|body| body["text"]["body"] == "About this:").await;
    assert_eq!(call.body["context"], json!({ "message_id": "wamid.hola" }));
    let shown = agents_message(&app, &ana, &chat, "About this:", |m| m["quoted"].is_object()).await;
    assert_eq!(
        shown["quoted"],
        json!({ "provider_id": "wamid.hola", "message_id": customers_message, "text": "Body Text" })
    );
    let unknown = json!({ "text": "About that:", "quote": "no-such-message" });
    let refused = app.send(&ana.client, Method::POST, &format!("/api/v1/chats/{chat}/messages"), unknown).await;
    assert_eq!(refused.status(), 422);

    // The agent reacts to the customer's message, then takes the reaction back.
    let reactions = format!("/api/v1/chats/{chat}/reactions");
    let reacted =
        app.send(&ana.client, Method::POST, &reactions, json!({ "message": customers_message, "emoji": "👍" })).await;
    assert_eq!(reacted.status(), 201);
    let call = meta.next_call_where(|body| body["type"] == "reaction").await;
    assert_eq!(call.body["reaction"], json!({ "message_id": "wamid.hola", "emoji": "👍" }));
    app.wait_chat(&ana.client, &chat, |chat| {
        chat["messages"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|m| m["message_id"] == customers_message.as_str() && m["our_reaction"] == "👍")
    })
    .await;
    let taken_back =
        app.send(&ana.client, Method::POST, &reactions, json!({ "message": customers_message, "emoji": null })).await;
    assert_eq!(taken_back.status(), 201);
    let call = meta.next_call_where(|body| body["type"] == "reaction").await;
    assert_eq!(call.body["reaction"], json!({ "message_id": "wamid.hola", "emoji": "" }));
    let unknown = app.send(&ana.client, Method::POST, &reactions, json!({ "message": "nothing", "emoji": "👍" })).await;
    assert_eq!(unknown.status(), 422);

    // C6: the agent shares a place, without words.
    let place = json!({ "location": { "latitude": -34.6037, "longitude": -58.3816, "name": "Our shop" } });
    let shared = app.send(&ana.client, Method::POST, &format!("/api/v1/chats/{chat}/messages"), place).await;
    assert_eq!(shared.status(), 201);
    let call = meta.next_call_where(|body| body["type"] == "location").await;
    assert_eq!(call.body["location"], json!({ "latitude": -34.6037, "longitude": -58.3816, "name": "Our shop" }));
    let shown = app
        .wait_chat(&ana.client, &chat, |chat| {
            chat["messages"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|m| m["direction"] == "out" && m["kind"] == "location")
        })
        .await;
    let ours = shown["messages"].as_array().unwrap().iter().find(|m| m["kind"] == "location").unwrap().clone();
    assert_eq!(ours["location"]["name"], "Our shop");
    let off = json!({ "location": { "latitude": 91.0, "longitude": 0.0 } });
    let refused = app.send(&ana.client, Method::POST, &format!("/api/v1/chats/{chat}/messages"), off).await;
    assert_eq!(refused.status(), 422);

    // A day and a minute after the customer's last message, WhatsApp would refuse free text.
    clock.advance(chrono::Duration::hours(24) + chrono::Duration::minutes(1));
    let late =
        app.send(&ana.client, Method::POST, &format!("/api/v1/chats/{chat}/messages"), json!({ "text": "late" })).await;
    assert_eq!(late.status(), 409);
    let error: serde_json::Value = late.json().await.unwrap();
    assert!(error["error"].as_str().unwrap().contains("24 hours"), "{error}");
    // The customer writes again: the window opens again, and the next call is this reply, not
    // the refused one.
    notify(&app, &line, &with_id(fixture("inbound_forwarded.json"), "wamid.back")).await;
    chat_of(&app, "972987654321", 2).await;
    reply(&app, &ana, &chat, "welcome back").await;
    let next = meta.next_call_where(|body| body["type"] == "text").await;
    assert_eq!(next.body["text"]["body"], "welcome back");
}

async fn chat_id_of(app: &TestApp, number: &str) -> String {
    chat_of(app, number, 1).await["chat"]["chat_id"].as_str().unwrap().to_string()
}

// ---- Templates ----

async fn a_template_is_submitted_to_meta_and_its_approval_or_rejection_recorded(backend: Backend) {
    let (app, mut meta) = with_local_meta(backend).await;
    let queue = created_id(app.create_queue("Sales").await, "id").await;
    let line = whatsapp_line(&app, json!({ "queue": queue })).await;
    let template = |name: &str| {
        json!({ "line_id": line, "name": name, "language": "es", "category": "utility",
                "body": "Hola {{1}}, tu pedido {{2}} está listo.", "examples": ["Ana", "A-12"] })
    };
    let submitted = app.send(&app.client, Method::POST, "/api/v1/templates", template("order_ready")).await;
    assert_eq!(submitted.status(), 201);
    let submitted: serde_json::Value = submitted.json().await.unwrap();
    let call = meta.next_call().await;
    assert_eq!(call.path, "/1234567890987654321/message_templates");
    assert_eq!(call.authorization, format!("Bearer {ACCESS_TOKEN}"));
    assert_eq!(
        call.body,
        json!({ "name": "order_ready", "language": "es", "category": "UTILITY", "components": [
            { "type": "BODY", "text": "Hola {{1}}, tu pedido {{2}} está listo.", "example": { "body_text": [["Ana", "A-12"]] } }
        ] })
    );
    let provider_id = submitted["provider_id"].as_str().unwrap().to_string();
    assert_eq!(submitted["status"], "PENDING");
    let listed = app.get_json(&app.client, "/api/v1/templates").await;
    assert_eq!((listed[0]["name"].as_str(), listed[0]["status"].as_str()), (Some("order_ready"), Some("PENDING")));
    assert_eq!(listed[0]["shared"], true);

    // Meta approves it; a second one it rejects, with its reason.
    let mut approved = fixture("template_status_approved_webhook.json");
    approved["entry"][0]["changes"][0]["value"]["message_template_id"] = json!(provider_id);
    assert_eq!(notify(&app, &line, &approved).await, json!({ "recorded": 1, "skipped": 0 }));
    let second = app.send(&app.client, Method::POST, "/api/v1/templates", template("abandoned_cart")).await;
    let second: serde_json::Value = second.json().await.unwrap();
    meta.next_call().await;
    let mut rejected = fixture("template_status_rejected_webhook.json");
    rejected["entry"][0]["changes"][0]["value"]["message_template_id"] = json!(second["provider_id"]);
    notify(&app, &line, &rejected).await;
    let listed = eventually(
        "both decisions on the list",
        || async { app.get_json(&app.client, "/api/v1/templates").await },
        |list| list.as_array().is_some_and(|all| all.iter().all(|t| t["status"] != "PENDING")),
    )
    .await;
    let by_name = |name: &str| listed.as_array().unwrap().iter().find(|t| t["name"] == name).unwrap().clone();
    assert_eq!(by_name("order_ready")["status"], "APPROVED");
    assert_eq!(by_name("abandoned_cart")["status"], "REJECTED");
    assert!(by_name("abandoned_cart")["reason"].as_str().unwrap().starts_with("INVALID_FORMAT"));
    // The same decision again changes nothing; a template Meta never had from us is skipped.
    assert_eq!(notify(&app, &line, &approved).await, json!({ "recorded": 1, "skipped": 0 }));
    assert_eq!(app.wait_events("TemplateStatusChanged", 2).await.len(), 2);
    let mut stranger = fixture("template_status_approved_webhook.json");
    stranger["entry"][0]["changes"][0]["value"]["message_template_id"] = json!("999");
    assert_eq!(notify(&app, &line, &stranger).await, json!({ "recorded": 0, "skipped": 1 }));

    // What Meta would refuse is refused before asking it; what Meta refuses shows its words.
    let gaps = json!({ "line_id": line, "name": "gaps", "language": "es", "category": "utility", "body": "Hola {{1}} {{3}}", "examples": ["a", "b"] });
    assert_eq!(app.send(&app.client, Method::POST, "/api/v1/templates", gaps).await.status(), 422);
    meta.answer_next(400, json!({ "error": { "code": 100, "message": "Invalid parameter", "error_data": { "details": "Template name already exists" } } }));
    let refused = app.send(&app.client, Method::POST, "/api/v1/templates", template("order_ready")).await;
    assert_eq!(refused.status(), 422);
    let error: serde_json::Value = refused.json().await.unwrap();
    assert!(error["error"].as_str().unwrap().contains("Template name already exists"), "{error}");
    let agent = app.agent("Ana").await;
    assert_eq!(app.send(&agent.client, Method::POST, "/api/v1/templates", template("x")).await.status(), 403);
}

/// Submits `name` (two variables) through `line` and has Meta decide `status` on it; answers its id.
async fn decided_template(app: &TestApp, meta: &mut LocalMeta, line: &str, name: &str, status: &str) -> String {
    let template = json!({ "line_id": line, "name": name, "language": "es", "category": "utility",
                           "body": "Hola {{1}}, tu pedido {{2}} está listo.", "examples": ["Ana", "A-12"] });
    let submitted = app.send(&app.client, Method::POST, "/api/v1/templates", template).await;
    assert_eq!(submitted.status(), 201);
    let submitted: serde_json::Value = submitted.json().await.unwrap();
    meta.next_call_where(|body| body["name"] == name).await;
    if status != "PENDING" {
        let mut decision = fixture("template_status_approved_webhook.json");
        let value = &mut decision["entry"][0]["changes"][0]["value"];
        value["message_template_id"] = submitted["provider_id"].clone();
        value["event"] = json!(status);
        notify(app, line, &decision).await;
        eventually(
            "Meta's decision on the list",
            || async { app.get_json(&app.client, "/api/v1/templates").await },
            |list| list.as_array().into_iter().flatten().any(|t| t["name"] == name && t["status"] == status),
        )
        .await;
    }
    submitted["template_id"].as_str().unwrap().to_string()
}

async fn after_24_hours_the_lines_approved_templates_are_offered_and_one_goes_out_with_its_values(backend: Backend) {
    let clock = server::clock::TestClock::default();
    let (app, mut meta) = with_local_meta_and_clock(backend, clock.clone()).await;
    let (ana, _live, line, chat) = ana_has_a_whatsapp_chat(&app).await;
    let approved = decided_template(&app, &mut meta, &line, "order_ready", "APPROVED").await;
    let pending = decided_template(&app, &mut meta, &line, "still_in_review", "PENDING").await;
    let rejected = decided_template(&app, &mut meta, &line, "refused_one", "REJECTED").await;

    clock.advance(chrono::Duration::hours(25));
    let late =
        app.send(&ana.client, Method::POST, &format!("/api/v1/chats/{chat}/messages"), json!({ "text": "hola" })).await;
    assert_eq!(late.status(), 409);
    // Only the approved template is offered.
    let offered = app.get_json(&ana.client, &format!("/api/v1/chats/{chat}/templates")).await;
    let names: Vec<&str> = offered.as_array().unwrap().iter().filter_map(|t| t["name"].as_str()).collect();
    assert_eq!(names, ["order_ready"]);
    assert_eq!(offered[0]["body"], "Hola {{1}}, tu pedido {{2}} está listo.");

    let messages = format!("/api/v1/chats/{chat}/messages");
    for (template, values) in
        [(&pending, json!(["Ana", "A-12"])), (&rejected, json!(["Ana", "A-12"])), (&approved, json!(["Ana"]))]
    {
        let choice = json!({ "template": { "template_id": template, "values": values } });
        let refused = app.send(&ana.client, Method::POST, &messages, choice).await;
        assert_eq!(refused.status(), 422, "{template} {values}");
    }
    let choice = json!({ "template": { "template_id": approved, "values": ["Ana", "A-12"] } });
    let sent = app.send(&ana.client, Method::POST, &messages, choice).await;
    assert_eq!(sent.status(), 201);
    let call = meta.next_call_where(|body| body["type"] == "template").await;
    assert_eq!(call.path, "/1122334455667/messages");
    assert_eq!(
        call.body,
        json!({ "messaging_product": "whatsapp", "recipient_type": "individual", "to": "972987654321", "type": "template",
                "template": { "name": "order_ready", "language": { "policy": "deterministic", "code": "es" },
                              "components": [{ "type": "body", "parameters": [
                                  { "type": "text", "text": "Ana" }, { "type": "text", "text": "A-12" }] }] } })
    );
    // The agent reads what the customer read, marked as a template, and that Meta took it.
    let shown =
        agents_message(&app, &ana, &chat, "Hola Ana, tu pedido A-12 está listo.", |m| m["provider_id"].is_string())
            .await;
    assert_eq!(shown["kind"], "template");

    // A template shared from another business account is not this number's to send.
    let queue = created_id(app.create_queue("Elsewhere").await, "id").await;
    let (elsewhere, _) = app.line(json!({ "queue": queue }), None).await;
    let other_account = json!({ "phone_number_id": "999888777", "business_account_id": "5550001",
                                "access_token": ACCESS_TOKEN, "app_secret": APP_SECRET });
    assert_eq!(link(&app, &app.client, &elsewhere, other_account).await.status(), 200);
    let foreign = decided_template(&app, &mut meta, &elsewhere, "other_account", "APPROVED").await;
    let offered = app.get_json(&ana.client, &format!("/api/v1/chats/{chat}/templates")).await;
    let names: Vec<&str> = offered.as_array().unwrap().iter().filter_map(|t| t["name"].as_str()).collect();
    assert_eq!(names, ["order_ready"]);
    let choice = json!({ "template": { "template_id": foreign, "values": ["Ana", "A-12"] } });
    assert_eq!(app.send(&ana.client, Method::POST, &messages, choice).await.status(), 422);

    let other = app.agent("Bea").await;
    let theirs = other.client.get(format!("{}/api/v1/chats/{chat}/templates", app.address)).send().await.unwrap();
    assert_eq!(theirs.status(), 403, "an agent without the chat reads none of its templates");
}

async fn an_agents_file_is_uploaded_to_meta_once_and_sent_by_its_id_and_one_whatsapp_refuses_is_not_sent(
    backend: Backend,
) {
    use sha2::Digest;
    let (app, mut meta) = with_local_meta(backend).await;
    let (ana, _live, _line, chat) = ana_has_a_whatsapp_chat(&app).await;
    let files = format!("/api/v1/chats/{chat}/files");
    let messages = format!("/api/v1/chats/{chat}/messages");
    let png = b"\x89PNG\r\n\x1a\n an invoice of the test".to_vec();
    let upload = |content_type: &'static str, bytes: Vec<u8>| {
        ana.client.post(format!("{}{files}", app.address)).header("content-type", content_type).body(bytes).send()
    };
    let kept = upload("image/png", png.clone()).await.unwrap();
    assert_eq!(kept.status(), 201);
    let url = kept.json::<serde_json::Value>().await.unwrap()["url"].as_str().unwrap().to_string();

    let sent = app.send(&ana.client, Method::POST, &messages, json!({ "text": "Your invoice", "media": url })).await;
    assert_eq!(sent.status(), 201);
    let uploaded = meta.next_call().await;
    assert_eq!(uploaded.path, "/1122334455667/media");
    assert_eq!(uploaded.authorization, format!("Bearer {ACCESS_TOKEN}"));
    assert_eq!(uploaded.body["messaging_product"], "whatsapp");
    assert_eq!(uploaded.body["type"], "image/png");
    assert_eq!(uploaded.body["file"]["content_type"], "image/png");
    assert_eq!(uploaded.body["file"]["sha256"], hex(&sha2::Sha256::digest(&png)));
    let call = meta.next_call().await;
    assert_eq!(call.path, "/1122334455667/messages");
    assert_eq!(call.body["type"], "image");
    assert_eq!(call.body["image"], json!({ "id": "upload-1", "caption": "Your invoice" }));
    let shown = agents_message(&app, &ana, &chat, "Your invoice", |m| m["provider_id"].is_string()).await;
    assert_eq!((shown["kind"].as_str(), shown["media"].as_str()), (Some("image"), Some(url.as_str())));
    let listed = app.get_json(&ana.client, &files).await;
    assert!(listed.as_array().unwrap().iter().any(|f| f["media"] == url.as_str() && f["direction"] == "out"));

    // The same file again is not uploaded again: the next call is the message itself.
    let again = app.send(&ana.client, Method::POST, &messages, json!({ "text": "Again", "media": url })).await;
    assert_eq!(again.status(), 201);
    let call = meta.next_call().await;
    assert_eq!((call.path.as_str(), &call.body["image"]["id"]), ("/1122334455667/messages", &json!("upload-1")));

    // A GIF is kept here but WhatsApp takes none: it is given up before calling Meta, saying why.
    let gif = upload("image/gif", b"GIF89a the test".to_vec()).await.unwrap();
    let gif = gif.json::<serde_json::Value>().await.unwrap()["url"].as_str().unwrap().to_string();
    let sent = app.send(&ana.client, Method::POST, &messages, json!({ "text": "A gif", "media": gif })).await;
    assert_eq!(sent.status(), 201);
    let failed = agents_message(&app, &ana, &chat, "A gif", |m| m["delivery_reason"].is_string()).await;
    assert_eq!(failed["delivery_reason"], "WhatsApp does not take files of type image/gif");
    // The next call Meta sees is the next message, not the GIF.
    reply(&app, &ana, &chat, "after the gif").await;
    let call = meta.next_call().await;
    assert_eq!(call.body["text"]["body"], "after the gif");

    // Only the company's own files, uploaded here, are sent; a kind we do not keep is refused.
    let stranger =
        json!({ "text": "x", "media": "/media/0000000000000000000000000000000000000000000000000000000000000000.png" });
    assert_eq!(app.send(&ana.client, Method::POST, &messages, stranger).await.status(), 422);
    let link = json!({ "text": "x", "media": "https://elsewhere.example/a.png" });
    assert_eq!(app.send(&ana.client, Method::POST, &messages, link).await.status(), 422);
    let page = upload("text/html", b"<script>alert(1)</script>".to_vec()).await.unwrap();
    assert_eq!(page.status(), 415);
    let other = app.agent("Bea").await;
    let theirs = other
        .client
        .post(format!("{}{files}", app.address))
        .header("content-type", "image/png")
        .body(png)
        .send()
        .await
        .unwrap();
    assert_eq!(theirs.status(), 403, "an agent without the chat uploads nothing to it");
}

async fn an_agent_starts_a_conversation_with_a_template_and_the_customers_answer_reaches_them(backend: Backend) {
    let (app, mut meta) = with_local_meta(backend).await;
    let queue = created_id(app.create_queue("Sales").await, "id").await;
    let line = whatsapp_line(&app, json!({ "queue": queue })).await;
    let template = decided_template(&app, &mut meta, &line, "order_ready", "APPROVED").await;
    let ana = app.agent("Ana").await;
    let _live = go_online(&app, &ana).await;
    let start = |to: &str, line: &str| {
        json!({ "line_id": line, "to": to, "name": "Rosa Díaz",
                "template": { "template_id": template, "values": ["Rosa", "A-12"] } })
    };

    let started = app.send(&ana.client, Method::POST, "/api/v1/chats", start("+54 9 11 5555-0000", &line)).await;
    assert_eq!(started.status(), 201);
    let started: serde_json::Value = started.json().await.unwrap();
    let chat = started["chat_id"].as_str().unwrap().to_string();
    let call = meta.next_call_where(|body| body["type"] == "template").await;
    assert_eq!(call.body["to"], "5491155550000");
    assert_eq!(call.body["template"]["name"], "order_ready");
    // The chat is Ana's, named as she said, its first message the template as Rosa reads it.
    let mine = app.wait_chats(&ana.client, |chats| chats.len() == 1).await;
    assert_eq!(mine[0]["chat_id"], chat.as_str());
    assert_eq!(mine[0]["contact_name"], "Rosa Díaz");
    agents_message(&app, &ana, &chat, "Hola Rosa, tu pedido A-12 está listo.", |m| m["provider_id"].is_string()).await;

    // Open already: starting again is refused, and free text waits for Rosa's answer.
    let again = app.send(&ana.client, Method::POST, "/api/v1/chats", start("+5491155550000", &line)).await;
    assert_eq!(again.status(), 409);
    let early =
        app.send(&ana.client, Method::POST, &format!("/api/v1/chats/{chat}/messages"), json!({ "text": "¿Y?" })).await;
    assert_eq!(early.status(), 409);
    // Rosa answers: her message reaches Ana's chat, not the queue, and Ana writes freely.
    let mut answer = with_id(fixture("inbound_text.json"), "wamid.rosa");
    let value = &mut answer["entry"][0]["changes"][0]["value"];
    value["messages"][0]["from"] = json!("5491155550000");
    value["contacts"][0]["wa_id"] = json!("5491155550000");
    notify(&app, &line, &answer).await;
    app.wait_chat(&ana.client, &chat, |chat| customers(chat).len() == 1).await;
    reply(&app, &ana, &chat, "¡Gracias, Rosa!").await;
    let call = meta.next_call_where(|body| body["type"] == "text").await;
    assert_eq!(call.body["text"]["body"], "¡Gracias, Rosa!");

    // A customer who told WhatsApp to stop is not written to first.
    let mut stop = fixture("user_marketing_preferences_resume.json");
    let value = &mut stop["entry"][0]["changes"][0]["value"];
    value["user_preferences"][0]["value"] = json!("stop");
    value["user_preferences"][0]["wa_id"] = json!("5491155550003");
    value["metadata"] = json!({ "phone_number_id": "1122334455667" });
    assert_eq!(notify(&app, &line, &stop).await, json!({ "recorded": 1, "skipped": 0 }));
    app.settled(None).await;
    let refused = app.send(&ana.client, Method::POST, "/api/v1/chats", start("+5491155550003", &line)).await;
    assert_eq!(refused.status(), 409);
    let error: serde_json::Value = refused.json().await.unwrap();
    assert!(error["error"].as_str().unwrap().contains("consent"), "{error}");

    // A line not linked to WhatsApp, a number that is not one, a supervisor: refused.
    let (web_line, _) = app.line(json!({ "queue": queue }), None).await;
    let refused = app.send(&ana.client, Method::POST, "/api/v1/chats", start("+5491155550001", &web_line)).await;
    assert_eq!(refused.status(), 422);
    let refused = app.send(&ana.client, Method::POST, "/api/v1/chats", start("not a number", &line)).await;
    assert_eq!(refused.status(), 422);
    let refused = app.send(&app.client, Method::POST, "/api/v1/chats", start("+5491155550001", &line)).await;
    assert_eq!(refused.status(), 403);
}

async fn a_test_from_the_lines_number_reaches_meta_and_its_refusal_shows_meta_s_words(backend: Backend) {
    let (app, mut meta) = with_local_meta(backend).await;
    let queue = created_id(app.create_queue("Sales").await, "id").await;
    let line = whatsapp_line(&app, json!({ "queue": queue })).await;
    let test = format!("/api/v1/lines/{line}/whatsapp-cloud/test");
    let sent = app.send(&app.client, Method::POST, &test, json!({ "to": "+54 9 11 5555-0000" })).await;
    assert_eq!(sent.status(), 200);
    let sent: serde_json::Value = sent.json().await.unwrap();
    let call = meta.next_call().await;
    assert_eq!(call.path, "/1122334455667/messages");
    assert_eq!(
        call.body,
        json!({ "messaging_product": "whatsapp", "recipient_type": "individual", "to": "5491155550000", "type": "template",
                "template": { "name": "hello_world", "language": { "policy": "deterministic", "code": "en_US" } } })
    );
    assert_eq!(sent["provider_message_id"], "wamid.out-1");
    // No chat is opened by a test.
    assert!(app.chats_of(&app.client).await.is_empty());

    meta.answer_next(
        401,
        json!({ "error": { "code": 190, "message": "Error validating access token: Session has expired" } }),
    );
    let refused = app.send(&app.client, Method::POST, &test, json!({ "to": "+5491155550000" })).await;
    assert_eq!(refused.status(), 422);
    let error: serde_json::Value = refused.json().await.unwrap();
    assert!(error["error"].as_str().unwrap().contains("Session has expired"), "{error}");
    let not_a_number = app.send(&app.client, Method::POST, &test, json!({ "to": "call me" })).await;
    assert_eq!(not_a_number.status(), 422);
    let agent = app.agent("Ana").await;
    assert_eq!(app.send(&agent.client, Method::POST, &test, json!({ "to": "+5491155550000" })).await.status(), 403);
    let (plain, _) = app.line(json!({ "queue": queue }), None).await;
    let unlinked = format!("/api/v1/lines/{plain}/whatsapp-cloud/test");
    assert_eq!(app.send(&app.client, Method::POST, &unlinked, json!({ "to": "+5491155550000" })).await.status(), 404);
}
