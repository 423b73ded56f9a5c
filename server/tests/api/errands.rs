//! The menu bot's forms, errands and media through the API line, on both backends: answers
//! checked and kept, e-mailed through a local SMTP server, sent to a local web service whose answer
//! the customer reads — or its failure, said and recorded —, files sent by the bot, and its reply
//! to stickers.

use crate::support::*;
use axum::extract::Query;
use axum::routing::get;
use eventlog::testing::Backend;
use serde_json::json;
use std::collections::HashMap;
use std::time::Duration;

eventlog::on_both_backends!(
    a_customer_fills_a_form_whose_answers_are_emailed_and_kept_for_the_agent,
    a_web_query_tells_the_customer_what_the_service_answered_or_that_it_failed,
    without_an_smtp_server_the_email_is_recorded_as_failed_with_the_reason,
    the_bot_sends_files_to_the_lines_webhook,
    a_sticker_gets_the_menus_reply_to_stickers,
    a_form_that_gives_up_tells_the_customer_what_happens_next,
);

fn lead_form(sales: &str) -> serde_json::Value {
    json!({ "menu": {
        "header": "Hi",
        "options": [
            { "label": "Leave your details", "action": { "kind": "form",
                "questions": [
                    { "name": "name", "text": "Your name?" },
                    { "name": "email", "text": "Your e-mail?", "check": { "kind": "email" },
                      "error": "That is not an e-mail." },
                    { "name": "size", "text": "Which size?",
                      "check": { "kind": "one_of", "options": ["Small", "Large"] } }
                ],
                "email": { "to": "sales@shop.example", "subject": "New lead" },
                "routes": [{ "question": "size", "equals": "large", "queue": sales, "message": "A seller will call you" }],
                "done": "Thanks!" } }
        ]
    } })
}

/// What the chat shows, in order, as the company's supervisor reads it.
async fn texts(app: &TestApp, chat: &str, count: usize) -> Vec<(String, String)> {
    let read = app.wait_chat(&app.client, chat, |c| c["messages"].as_array().is_some_and(|m| m.len() >= count)).await;
    read["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["direction"].as_str().unwrap().to_string(), m["text"].as_str().unwrap().to_string()))
        .collect()
}

async fn a_customer_fills_a_form_whose_answers_are_emailed_and_kept_for_the_agent(backend: Backend) {
    let mut smtp = smtp_server().await;
    let smtp_url = smtp.url.clone();
    let app = TestApp::on(backend)
        .with_settings(|settings| {
            settings.smtp_url = Some(smtp_url);
            settings.smtp_from = "Shop bot <bot@shop.example>".into();
        })
        .start()
        .await;
    let ana = app.agent("Ana").await;
    let sales = app.queue_with("Sales", &[&ana]).await;
    let _online = go_online(&app, &ana).await;
    let key = app.api_key().await;
    let (line, _) = app.line(lead_form(&sales), None).await;
    let mut chat = String::new();
    // `ana@shop..example` is refused by the one e-mail rule, like `ana@`.
    let answers = ["hola", "1", "Ana Díaz", "ana@", "ana@shop..example", "Ana@Shop.example", "2"];
    for (n, says) in answers.iter().enumerate() {
        let body = json!({ "contact_id": "c1", "message_id": format!("m{n}"), "text": says });
        chat = created_id(app.inbound(&key, &line, body).await, "chat_id").await;
    }
    let mail = smtp.next().await;
    assert_eq!(mail.to, ["<sales@shop.example>"]);
    assert_eq!(mail.from, "<bot@shop.example>");
    assert!(mail.data.contains("Subject: New lead"), "{}", mail.data);
    for line in ["Your name?: Ana Díaz", "Your e-mail?: ana@shop.example", "Which size?: Large"] {
        assert!(
            mail.data.contains(line) || mail.data.contains(&line.replace('í', "=C3=AD")),
            "{line} in {}",
            mail.data
        );
    }
    app.wait_events("AnswersEmailed", 1).await;

    // Seven answers, seven of the bot's messages and the note of the answers.
    let shown = texts(&app, &chat, 15).await;
    let bot: Vec<&str> = shown.iter().filter(|(d, _)| d == "out").map(|(_, t)| t.as_str()).collect();
    assert_eq!(
        bot,
        [
            "Hi\n1. Leave your details",
            "Your name?",
            "Your e-mail?",
            "That is not an e-mail.\n\nYour e-mail?",
            "That is not an e-mail.\n\nYour e-mail?",
            "Which size?\n1. Small\n2. Large",
            "A seller will call you"
        ]
    );
    let note = shown.iter().find(|(d, _)| d == "note").map(|(_, t)| t.clone()).unwrap_or_default();
    assert_eq!(note, "email: ana@shop.example\nname: Ana Díaz\nsize: Large", "the agent reads the answers");

    let mut to_a_bad_address = lead_form(&sales);
    to_a_bad_address["menu"]["options"][0]["action"]["email"]["to"] = json!("sales@shop..example");
    let path = format!("/api/v1/lines/{line}/routing");
    let refused = app.send(&app.client, reqwest::Method::PUT, &path, to_a_bad_address).await;
    assert_eq!(refused.status(), 422, "the one e-mail rule: an address with an empty label is refused");
    let mine = app.wait_chats(&ana.client, |c| c.len() == 1).await;
    assert_eq!(mine[0]["chat_id"], chat.as_str(), "answering Large routed the chat to Sales (G20)");
    let kinds: Vec<String> = app.event_kinds().await.into_iter().map(|(k, _)| k).collect();
    for kind in ["InputRequested", "InputRejected", "InputAccepted", "FormCompleted", "AnswersEmailRequested"] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} is in the history");
    }
}

async fn a_web_query_tells_the_customer_what_the_service_answered_or_that_it_failed(backend: Backend) {
    let (service, _running) = web_service(
        axum::Router::new()
            .route(
                "/quote",
                get(|headers: axum::http::HeaderMap, Query(query): Query<HashMap<String, String>>| async move {
                    if headers.get("x-api-key").is_none_or(|key| key != "s3cret-key") {
                        return Err(axum::http::StatusCode::UNAUTHORIZED);
                    }
                    let amount: f64 = query.get("amount").and_then(|a| a.parse().ok()).unwrap_or_default();
                    Ok(axum::Json(json!({ "price": { "total": format!("$ {:.2}", amount * 1.21) } })))
                }),
            )
            .route("/broken", get(|| async { (axum::http::StatusCode::INTERNAL_SERVER_ERROR, "down") }))
            .route(
                "/slow",
                get(|| async {
                    tokio::time::sleep(Duration::from_secs(2)).await;
                    "late"
                }),
            ),
    )
    .await;
    let app = TestApp::on(backend).start().await;
    let key = app.api_key().await;
    let query = |path: &str, timeout_ms: u32| {
        json!({ "kind": "query", "url": format!("{service}{path}"), "timeout_ms": timeout_ms,
                "answer": "Not used", "error": "The service is not answering" })
    };
    let menu = json!({ "menu": { "header": "Hi", "options": [
        { "label": "Quote", "action": { "kind": "form",
            "questions": [{ "name": "amount", "text": "How much?", "check": { "kind": "number", "min": 1 } }],
            "query": { "url": format!("{service}/quote?amount={{{{amount}}}}"), "headers": { "X-Api-Key": "s3cret-key" },
                       "answer": "Your price: {{price.total}}", "error": "No quotes now" } } },
        { "label": "Broken", "action": query("/broken", 2000) },
        { "label": "Slow", "action": query("/slow", 200) }
    ] } });
    let (line, _) = app.line(menu, None).await;
    let say = |contact: &'static str, n: usize, text: &'static str| {
        let body = json!({ "contact_id": contact, "message_id": format!("{contact}{n}"), "text": text });
        app.inbound(&key, &line, body)
    };
    let quoted = created_id(say("a", 0, "hola").await, "chat_id").await;
    say("a", 1, "1").await;
    say("a", 2, "100").await;
    let shown = texts(&app, &quoted, 8).await;
    assert_eq!(shown[5], ("note".to_string(), "amount: 100".to_string()), "the answer, for the agent");
    assert_eq!(shown[6], ("out".to_string(), "Your price: $ 121.00".to_string()), "{shown:?}");
    assert!(shown[7].1.starts_with("Anything else?"), "then the choice after a text");
    let history = app.client.get(format!("{}/api/v1/chats/{quoted}/history", app.address)).send().await.unwrap();
    let history = history.text().await.unwrap();
    assert!(history.contains("WebQueryRequested") && history.contains(r#""X-Api-Key":"***""#), "{history}");
    assert!(!history.contains("s3cret-key"), "the header's value, sent to the service, is not shown in the history");

    let broken = created_id(say("b", 0, "hola").await, "chat_id").await;
    say("b", 1, "2").await;
    let shown = texts(&app, &broken, 6).await;
    let seen: Vec<&str> = shown.iter().filter(|(d, _)| d != "note").map(|(_, t)| t.as_str()).collect();
    assert_eq!(seen[3], "The service is not answering");
    assert!(shown.iter().any(|(d, t)| d == "note" && t.starts_with("The bot's web query failed: ")));
    let failed = app.wait_events("WebQueryFailed", 1).await.remove(0);
    assert_eq!(failed["reason"], "the service answered 500 Internal Server Error");

    let slow = created_id(say("c", 0, "hola").await, "chat_id").await;
    say("c", 1, "3").await;
    let shown = texts(&app, &slow, 6).await;
    let seen: Vec<&str> = shown.iter().filter(|(d, _)| d != "note").map(|(_, t)| t.as_str()).collect();
    assert_eq!(seen[3], "The service is not answering");
    assert!(shown.iter().any(|(d, t)| d == "note" && t.starts_with("The bot's web query failed: ")));
    let reasons: Vec<String> = app
        .event_kinds()
        .await
        .into_iter()
        .filter(|(k, _)| k == "WebQueryFailed")
        .map(|(_, data)| data["reason"].as_str().unwrap_or_default().to_string())
        .collect();
    assert!(reasons.contains(&"no answer within 200 ms".to_string()), "{reasons:?}");
}

async fn without_an_smtp_server_the_email_is_recorded_as_failed_with_the_reason(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let sales = app.queue_with("Sales", &[]).await;
    let key = app.api_key().await;
    let (line, _) = app.line(lead_form(&sales), None).await;
    let mut chat = String::new();
    for (n, says) in ["hola", "1", "Ana", "ana@shop.example", "1"].iter().enumerate() {
        let body = json!({ "contact_id": "c1", "message_id": format!("m{n}"), "text": says });
        chat = created_id(app.inbound(&key, &line, body).await, "chat_id").await;
    }
    let failed = app.wait_events("AnswersEmailFailed", 1).await.remove(0);
    assert_eq!(failed["reason"], "no SMTP server is configured (IKONO_SMTP_URL / --smtp-url)");
    let shown = texts(&app, &chat, 13).await;
    assert!(
        shown.iter().any(|(d, t)| d == "note" && t.starts_with("The e-mail of the customer's answers failed")),
        "the agent is told: {shown:?}"
    );
    assert!(shown.iter().any(|(_, t)| t == "Thanks!"), "Small took no route: the form's words");
}

async fn the_bot_sends_files_to_the_lines_webhook(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let key = app.api_key().await;
    let mut hook = webhook().await;
    let menu = json!({ "menu": { "header": "Hi", "options": [
        { "label": "Catalogue", "action": { "kind": "files", "text": "Our catalogue",
            "files": ["https://shop.example/catalogue.pdf", "https://shop.example/cover.jpg"] } }
    ] } });
    let (line, _) = app.line(menu, Some(&hook.url)).await;
    for (n, says) in ["hola", "1"].iter().enumerate() {
        let body = json!({ "contact_id": "c1", "message_id": format!("m{n}"), "text": says });
        app.inbound(&key, &line, body).await;
    }
    let first = hook.next().await;
    let mut sent = vec![(first.1["text"].as_str().unwrap().to_string(), None)];
    for _ in 1..4 {
        let (_, message) = hook.next().await;
        sent.push((message["text"].as_str().unwrap().to_string(), message["media"].as_str().map(str::to_string)));
    }
    let (_, menu) = &first;
    assert_eq!(menu["choices"], json!([{ "answer": "1", "label": "Catalogue" }]), "buttons where the channel has them");
    assert_eq!(sent[1], ("Our catalogue".to_string(), Some("https://shop.example/catalogue.pdf".to_string())));
    assert_eq!(sent[2], (String::new(), Some("https://shop.example/cover.jpg".to_string())));
    assert!(sent[3].0.starts_with("Anything else?") && sent[3].1.is_none());
}

async fn a_sticker_gets_the_menus_reply_to_stickers(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let key = app.api_key().await;
    let mut hook = webhook().await;
    let menu = json!({ "menu": { "header": "Hi", "sticker_reply": "Nice sticker! Please choose an option.",
        "options": [{ "label": "Hours", "action": { "kind": "text", "text": "9 to 18" } }] } });
    let (line, _) = app.line(menu, Some(&hook.url)).await;
    let sticker =
        json!({ "contact_id": "c1", "message_id": "s1", "media": "https://cdn.example/s.webp", "sticker": true });
    assert_eq!(app.inbound(&key, &line, sticker).await.status(), 202);
    let (_, reply) = hook.next().await;
    assert_eq!(reply["text"], "Nice sticker! Please choose an option.");
    let (_, menu) = hook.next().await;
    assert_eq!(menu["text"], "Hi\n1. Hours");
    let log = app.event_kinds().await;
    let received = log.iter().find(|(k, _)| k == "CustomerMessageReceived").map(|(_, d)| d.clone()).unwrap();
    assert_eq!(received["sticker"], true, "the history says it was a sticker");
}

async fn a_form_that_gives_up_tells_the_customer_what_happens_next(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let sales = app.queue_with("Sales", &[]).await;
    let key = app.api_key().await;
    let form = |on_give_up: serde_json::Value| {
        json!({ "kind": "form", "max_attempts": 2, "on_give_up": on_give_up,
            "questions": [{ "name": "email", "text": "Your e-mail?", "check": { "kind": "email" } }],
            "done": "Thanks!" })
    };
    let menu = json!({ "menu": {
        "header": "Hi",
        "farewell": "Bye!",
        "words": { "gave_up_to_agent": "Una persona te ayudará con eso.",
                   "gave_up_to_end": "Lo dejamos aquí por ahora." },
        "options": [
            { "label": "To an agent", "action": form(json!({ "then": "queue", "queue": sales })) },
            { "label": "To the end", "action": form(json!({ "then": "end" })) },
            { "label": "To the menu", "action": form(json!({ "then": "menu" })) }
        ]
    } });
    let (line, _) = app.line(menu, None).await;
    for (customer, option, what_next) in [
        ("c1", "1", "Una persona te ayudará con eso."),
        ("c2", "2", "Lo dejamos aquí por ahora."),
        ("c3", "3", "Let's leave that question; here is the menu again."),
    ] {
        let mut chat = String::new();
        for (n, says) in ["hola", option, "not an e-mail", "still not"].iter().enumerate() {
            let body = json!({ "contact_id": customer, "message_id": format!("{customer}-{n}"), "text": says });
            chat = created_id(app.inbound(&key, &line, body).await, "chat_id").await;
        }
        let shown = texts(&app, &chat, 8).await;
        let bot: Vec<&str> = shown.iter().filter(|(d, _)| d == "out").map(|(_, t)| t.as_str()).collect();
        assert!(bot.iter().any(|said| said.starts_with(what_next)), "{customer} is told what happens next: {bot:?}");
    }
    let queued = app.wait_events("ChatQueued", 1).await;
    assert!(queued.iter().any(|event| event["queue"] == sales.as_str()), "the first went to the queue: {queued:?}");
}
