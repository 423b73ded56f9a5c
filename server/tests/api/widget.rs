//! The web chat widget's endpoints, on both backends: a line's widget is opened by a supervisor;
//! visitors keep a token, chat with the menu bot and an agent (answers pushed live), send files
//! within the limits, and never see anyone else's chat.

use crate::support::*;
use eventlog::testing::Backend;
use reqwest::Method;
use serde_json::json;

eventlog::on_both_backends!(
    a_visitor_walks_the_menu_reaches_an_agent_and_gets_the_answer_live,
    widget_calls_without_a_valid_widget_or_visitor_are_refused,
    visitors_send_files_within_the_limits_and_agents_see_them,
    consent_is_asked_before_the_menu_and_a_refusal_ends_the_conversation_without_it,
    the_server_renders_the_room_and_the_visitors_messages_escaped,
    files_are_served_only_to_their_company_and_to_the_visitor_of_their_chat,
);

/// A visitor of a widget: their token, and the calls they make.
struct Visitor<'a> {
    app: &'a TestApp,
    key: String,
    token: String,
}

impl Visitor<'_> {
    fn url(&self, path: &str) -> String {
        format!("{}/api/v1/widget/{}/{path}", self.app.address, self.key)
    }

    async fn says(&self, text: &str) -> reqwest::Response {
        anonymous()
            .post(self.url("messages"))
            .bearer_auth(&self.token)
            .json(&json!({ "text": text }))
            .send()
            .await
            .unwrap()
    }

    /// Sends a file they uploaded (by the address its upload answered).
    async fn sends_file(&self, url: &str) -> reqwest::Response {
        anonymous()
            .post(self.url("messages"))
            .bearer_auth(&self.token)
            .json(&json!({ "text": "", "media": url }))
            .send()
            .await
            .unwrap()
    }

    async fn chat(&self) -> serde_json::Value {
        let response = anonymous().get(self.url("messages")).bearer_auth(&self.token).send().await.unwrap();
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }

    /// What the chat shows: who said what, in order.
    async fn lines(&self) -> Vec<(String, String)> {
        let chat = self.chat().await;
        chat["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| (m["from"].as_str().unwrap().to_string(), m["text"].as_str().unwrap().to_string()))
            .collect()
    }

    async fn upload(&self, content_type: &str, content: Vec<u8>) -> reqwest::Response {
        anonymous()
            .post(self.url("files"))
            .bearer_auth(&self.token)
            .header("content-type", content_type)
            .body(content)
            .send()
            .await
            .unwrap()
    }
}

impl TestApp {
    pub async fn open_widget(&self, line: &str) -> serde_json::Value {
        let response = self.send(&self.client, Method::PUT, &format!("/api/v1/lines/{line}/widget"), json!({})).await;
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }

    async fn visitor(&self, key: &str) -> Visitor<'_> {
        let response = anonymous().post(format!("{}/api/v1/widget/{key}/visitors", self.address)).send().await.unwrap();
        assert_eq!(response.status(), 201);
        let body: serde_json::Value = response.json().await.unwrap();
        Visitor { app: self, key: key.to_string(), token: body["token"].as_str().unwrap().to_string() }
    }
}

fn menu(sales: &str) -> serde_json::Value {
    json!({ "menu": {
        "header": "Welcome to the shop",
        "options": [
            { "label": "Help", "action": { "kind": "submenu", "header": "Help with", "options": [
                { "label": "Opening hours", "action": { "kind": "text", "text": "9 to 18" } }
            ] } },
            { "label": "Buy", "action": { "kind": "queue", "queue": sales, "message": "A seller will be with you" } }
        ]
    } })
}

async fn a_visitor_walks_the_menu_reaches_an_agent_and_gets_the_answer_live(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let ana = app.agent("Ana").await;
    let sales = app.queue_with("Sales", &[&ana]).await;
    let _online = go_online(&app, &ana).await;
    let (line, _) = app.line(menu(&sales), None).await;
    let widget = app.open_widget(&line).await;
    let key = widget["key"].as_str().unwrap().to_string();
    let snippet = widget["snippet"].as_str().unwrap();
    assert!(snippet.contains("/widget.js") && snippet.contains(&format!("data-line=\"{key}\"")), "{snippet}");
    assert_eq!(app.open_widget(&line).await["key"], key.as_str(), "opening it again keeps the key web pages embed");

    let room = anonymous().get(format!("{}/widget/{key}", app.address)).send().await.unwrap();
    assert_eq!(room.status(), 200);
    let room_policy = room.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(room_policy.contains("frame-ancestors *"), "any site may show the room: {room_policy}");
    let console = anonymous().get(format!("{}/login/supervisor", app.address)).send().await.unwrap();
    assert_eq!(console.headers()["x-frame-options"], "DENY", "no site may frame the console");
    let console_policy = console.headers()["content-security-policy"].to_str().unwrap();
    assert!(console_policy.contains("frame-ancestors 'none'"), "{console_policy}");

    let visitor = app.visitor(&key).await;
    let first = visitor.chat().await;
    assert_eq!(first["title"], "Web shop");
    assert_eq!(first["messages"], json!([]));
    let live_url = format!("{}?visitor={}", visitor.url("live").replace("http://", "ws://"), visitor.token);
    let (mut live, _) = tokio_tungstenite::connect_async(live_url).await.expect("the visitor's WebSocket opens");
    assert_eq!(next_topic(&mut live).await, "connected");

    assert_eq!(visitor.says("hola").await.status(), 202);
    let said = |from: &str, text: &str| (from.to_string(), text.to_string());
    assert_eq!(
        visitor.lines().await,
        vec![said("visitor", "hola"), said("bot", "Welcome to the shop\n1. Help\n2. Buy")],
        "the bot's answer is there as soon as the message is accepted"
    );
    assert_eq!(
        visitor.chat().await["messages"][1]["choices"],
        json!([{ "answer": "1", "label": "Help" }, { "answer": "2", "label": "Buy" }]),
        "the options as buttons"
    );
    visitor.says("1").await;
    visitor.says("0").await;
    visitor.says("2").await;
    let lines = visitor.lines().await;
    assert_eq!(
        lines[2..],
        [
            said("visitor", "1"),
            said("bot", "Help with\n1. Opening hours\n0. Back"),
            said("visitor", "0"),
            said("bot", "Welcome to the shop\n1. Help\n2. Buy"),
            said("visitor", "2"),
            said("bot", "A seller will be with you"),
        ]
    );

    let mine = app.wait_chats(&ana.client, |c| c.len() == 1).await;
    assert_eq!(mine.len(), 1, "Buy took the visitor to Sales, where Ana is online");
    let chat = mine[0]["chat_id"].as_str().unwrap().to_string();
    assert!(mine[0]["contact_name"].as_str().unwrap().starts_with("Visitor "));
    let reply = app
        .send(
            &ana.client,
            Method::POST,
            &format!("/api/v1/chats/{chat}/messages"),
            json!({ "text": "¿En qué te ayudo?" }),
        )
        .await;
    assert_eq!(reply.status(), 201);
    wait_topic(&mut live, "messages").await;
    // The agent's answer reaches the visitor.
    let answered = |lines: &Vec<_>| lines.last() == Some(&said("agent", "¿En qué te ayudo?"));
    let lines = eventually("the agent's answer in the visitor's chat", || visitor.lines(), answered).await;

    let returning = Visitor { app: &app, key: key.clone(), token: visitor.token.clone() };
    assert_eq!(returning.lines().await, lines, "coming back with the token shows the whole history");
    let stranger = app.visitor(&key).await;
    assert_eq!(stranger.chat().await["messages"], json!([]), "another visitor sees nothing of it");

    // G18: the widget shows the agent's edit live, then that the message was deleted, not its words.
    let reply_id = reply.json::<serde_json::Value>().await.unwrap()["message_id"].as_str().unwrap().to_string();
    let message = format!("/api/v1/chats/{chat}/messages/{reply_id}");
    let edit = app.send(&ana.client, Method::PUT, &message, json!({ "text": "¿Te ayudo con algo?" })).await;
    assert_eq!(edit.status(), 204);
    wait_topic(&mut live, "messages").await;
    let last =
        |chat: &serde_json::Value| chat["messages"].as_array().and_then(|m| m.last()).cloned().unwrap_or_default();
    let edited = eventually("the edit in the visitor's chat", || visitor.chat(), |c| last(c)["edits"] == 1).await;
    assert_eq!(last(&edited)["text"], "¿Te ayudo con algo?");
    let delete = app.send(&ana.client, Method::DELETE, &message, json!({})).await;
    assert_eq!(delete.status(), 204);
    wait_topic(&mut live, "messages").await;
    let deleted =
        eventually("the deletion in the visitor's chat", || visitor.chat(), |c| last(c)["deleted"] == true).await;
    assert_eq!(last(&deleted)["text"], "", "the visitor no longer reads what the agent took back");
    let room = anonymous()
        .get(format!("{}/widget/{key}/messages?lang=es", app.address))
        .bearer_auth(&visitor.token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(room.contains("Este mensaje se eliminó.") && !room.contains("¿Te ayudo con algo?"), "{room}");
}

async fn widget_calls_without_a_valid_widget_or_visitor_are_refused(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let ana = app.agent("Ana").await;
    let sales = app.queue_with("Sales", &[&ana]).await;
    let (line, _) = app.line(json!({ "queue": sales }), None).await;
    let by_agent = app.send(&ana.client, Method::PUT, &format!("/api/v1/lines/{line}/widget"), json!({})).await;
    assert_eq!(by_agent.status(), 403, "only supervisors open widgets");
    let key = app.open_widget(&line).await["key"].as_str().unwrap().to_string();

    let unknown = anonymous().post(format!("{}/api/v1/widget/wk_nothing/visitors", app.address)).send().await.unwrap();
    assert_eq!(unknown.status(), 404);
    let body: serde_json::Value = unknown.json().await.unwrap();
    assert_eq!(body["error"], "no such chat widget");

    let visitor = app.visitor(&key).await;
    for token in ["", "wv_guess", &visitor.token[..visitor.token.len() - 1]] {
        let forged = Visitor { app: &app, key: key.clone(), token: token.to_string() };
        assert_eq!(forged.says("hola").await.status(), 401, "token {token:?}");
    }
    let no_token = anonymous().get(visitor.url("messages")).send().await.unwrap();
    assert_eq!(no_token.status(), 401);
    let elsewhere = anonymous()
        .post(visitor.url("messages"))
        .bearer_auth(&visitor.token)
        .json(&json!({ "text": "look", "media": "https://evil.example/x.png" }))
        .send()
        .await
        .unwrap();
    assert_eq!(elsewhere.status(), 422, "files are only those uploaded here");
    let malformed =
        anonymous().post(visitor.url("messages")).bearer_auth(&visitor.token).body("{").send().await.unwrap();
    assert_eq!(malformed.status(), 400);
    assert_eq!(visitor.says("   ").await.status(), 422, "nothing to say");
    // A message accepted after the refused ones is the chat's only one.
    assert_eq!(visitor.says("hola").await.status(), 202);
    // The bot may already have told the visitor their place in line: only their own words count.
    let said: Vec<String> =
        visitor.lines().await.into_iter().filter(|(from, _)| from == "visitor").map(|(_, text)| text).collect();
    assert_eq!(said, ["hola"], "nothing refused was stored");
}

async fn visitors_send_files_within_the_limits_and_agents_see_them(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let ana = app.agent("Ana").await;
    let sales = app.queue_with("Sales", &[&ana]).await;
    let _online = go_online(&app, &ana).await;
    let (line, _) = app.line(json!({ "queue": sales }), None).await;
    let key = app.open_widget(&line).await["key"].as_str().unwrap().to_string();
    let visitor = app.visitor(&key).await;

    let picture: Vec<u8> = b"\x89PNG\r\n\x1a\n a small picture".to_vec();
    let kept = visitor.upload("image/png", picture.clone()).await;
    assert_eq!(kept.status(), 201);
    let url = kept.json::<serde_json::Value>().await.unwrap()["url"].as_str().unwrap().to_string();
    assert!(url.starts_with("/media/") && url.ends_with(".png"), "{url}");
    let served = ana.client.get(format!("{}{url}", app.address)).send().await.unwrap();
    assert_eq!(served.status(), 200);
    assert_eq!(served.headers()["content-type"], "image/png");
    assert_eq!(served.bytes().await.unwrap().to_vec(), picture);

    let sent = visitor.sends_file(&url).await;
    assert_eq!(sent.status(), 202);
    let chat = sent.json::<serde_json::Value>().await.unwrap()["chat_id"].as_str().unwrap().to_string();
    let read = app.wait_chat(&ana.client, &chat, |c| c["messages"].as_array().is_some_and(|m| !m.is_empty())).await;
    assert_eq!(read["messages"][0]["media"], url.as_str(), "the agent sees the picture");

    let too_large = visitor.upload("application/pdf", vec![b'%'; 10 * 1024 * 1024 + 1]).await;
    assert_eq!(too_large.status(), 413);
    let body: serde_json::Value = too_large.json().await.unwrap();
    assert_eq!(body["error"], "files of at most 10 MB are accepted");
    let program = visitor.upload("application/x-msdownload", b"MZ".to_vec()).await;
    assert_eq!(program.status(), 415);
    let body: serde_json::Value = program.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("not accepted"), "{body}");
    assert_eq!(visitor.upload("image/png", vec![]).await.status(), 422);
    let stranger =
        anonymous().post(visitor.url("files")).header("content-type", "image/png").body(picture).send().await.unwrap();
    assert_eq!(stranger.status(), 401, "only visitors upload");
    assert_eq!(visitor.chat().await["messages"].as_array().unwrap().len(), 1, "refused files sent nothing");
    let missing = ana.client.get(format!("{}/media/{}.png", app.address, "0".repeat(64))).send().await.unwrap();
    assert_eq!(missing.status(), 404);
}

async fn files_are_served_only_to_their_company_and_to_the_visitor_of_their_chat(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let sales = app.queue_with("Sales", &[]).await;
    let (line, _) = app.line(json!({ "queue": sales }), None).await;
    let key = app.open_widget(&line).await["key"].as_str().unwrap().to_string();
    let visitor = app.visitor(&key).await;
    let picture = b"\x89PNG\r\n\x1a\n a picture only we may see".to_vec();
    let pdf = b"%PDF-1.4 an invoice".to_vec();
    let mut urls = Vec::new();
    for (kind, content) in [("image/png", picture.clone()), ("application/pdf", pdf.clone())] {
        let url = visitor.upload(kind, content).await.json::<serde_json::Value>().await.unwrap()["url"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(visitor.sends_file(&url).await.status(), 202);
        urls.push(url);
    }
    let (picture_url, pdf_url) = (&urls[0], &urls[1]);
    let file_of = |url: &str| url.trim_start_matches("/media/").to_string();
    let by_visitor = |token: String, url: &str| {
        let request =
            anonymous().get(format!("{}/api/v1/widget/{key}/media/{}", app.address, file_of(url))).bearer_auth(token);
        async move { request.send().await.unwrap() }
    };

    // Those who may: the company's members, its API keys, the visitor of that chat.
    let api_key = app.api_key().await;
    for (who, answer) in [
        ("a supervisor", app.client.get(format!("{}{picture_url}", app.address)).send().await.unwrap()),
        (
            "an API key",
            anonymous().get(format!("{}{picture_url}", app.address)).bearer_auth(&api_key).send().await.unwrap(),
        ),
        ("the chat's visitor", by_visitor(visitor.token.clone(), picture_url).await),
    ] {
        assert_eq!(answer.status(), 200, "{who}");
        let headers = answer.headers();
        assert_eq!(headers["content-type"], "image/png", "{who}");
        assert_eq!(headers["content-disposition"], "inline", "{who}: a checked picture is shown in the page");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{who}");
        assert_eq!(headers["content-security-policy"], "default-src 'none'; sandbox", "{who}");
        let cache = headers["cache-control"].to_str().unwrap();
        assert!(cache.starts_with("private") && !cache.contains("public"), "{who}: never a shared cache: {cache}");
        assert_eq!(answer.bytes().await.unwrap().to_vec(), picture, "{who}");
    }
    let document = app.client.get(format!("{}{pdf_url}", app.address)).send().await.unwrap();
    assert_eq!(document.status(), 200);
    let disposition = document.headers()["content-disposition"].to_str().unwrap().to_string();
    assert!(
        disposition.starts_with("attachment"),
        "anything but pictures, audio and video is downloaded: {disposition}"
    );
    assert_eq!(by_visitor(visitor.token.clone(), pdf_url).await.status(), 200);

    // Those who may not: nobody signed in, a made-up token, another visitor of the same widget,
    // another company (its members and its keys).
    assert_eq!(anonymous().get(format!("{}{picture_url}", app.address)).send().await.unwrap().status(), 401);
    let made_up =
        anonymous().get(format!("{}{picture_url}", app.address)).bearer_auth("ik_made_up").send().await.unwrap();
    assert_eq!(made_up.status(), 401);
    assert_eq!(by_visitor(format!("wv_{}", "0".repeat(64)), picture_url).await.status(), 401, "a made-up visitor");
    let stranger = app.visitor(&key).await;
    let said = anonymous().post(stranger.url("messages")).bearer_auth(&stranger.token).json(&json!({ "text": "hi" }));
    assert_eq!(said.send().await.unwrap().status(), 202);
    assert_eq!(by_visitor(stranger.token.clone(), picture_url).await.status(), 404, "another visitor");
    let other = app.other_company().await;
    assert_eq!(other.get(format!("{}{picture_url}", app.address)).send().await.unwrap().status(), 404);
    // The same content sent to the other company is theirs too, and still nobody else's.
    let created = |path: &str, body: serde_json::Value| {
        let request = other.post(format!("{}{path}", app.address)).json(&body);
        async move {
            let answer = request.send().await.unwrap();
            assert_eq!(answer.status(), 201);
            answer.json::<serde_json::Value>().await.unwrap()["id"].as_str().unwrap().to_string()
        }
    };
    let their_queue = created("/api/v1/queues", json!({ "name": "Theirs" })).await;
    let other_line = created("/api/v1/lines", json!({ "name": "Theirs", "routing": { "queue": their_queue } })).await;
    let opened =
        other.put(format!("{}/api/v1/lines/{other_line}/widget", app.address)).json(&json!({})).send().await.unwrap();
    let other_key = opened.json::<serde_json::Value>().await.unwrap()["key"].as_str().unwrap().to_string();
    let their_visitor = app.visitor(&other_key).await;
    let theirs = their_visitor.upload("image/png", picture.clone()).await.json::<serde_json::Value>().await.unwrap();
    assert_eq!(theirs["url"], picture_url.as_str(), "the same content has the same address");
    assert_eq!(other.get(format!("{}{picture_url}", app.address)).send().await.unwrap().status(), 200);
    assert_eq!(other.get(format!("{}{pdf_url}", app.address)).send().await.unwrap().status(), 404);
}

async fn consent_is_asked_before_the_menu_and_a_refusal_ends_the_conversation_without_it(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let sales = app.queue_with("Sales", &[]).await;
    let mut routing = menu(&sales);
    routing["menu"]["consent"] = json!({ "text": "May we contact you here later?", "yes": "Sure", "no": "No thanks",
                                          "farewell": "Understood. Bye!" });
    let (line, _) = app.line(routing, None).await;
    let key = app.open_widget(&line).await["key"].as_str().unwrap().to_string();
    let visitor = app.visitor(&key).await;
    let said = |from: &str, text: &str| (from.to_string(), text.to_string());

    visitor.says("hola").await;
    assert_eq!(
        visitor.lines().await.last(),
        Some(&said("bot", "May we contact you here later?\n1. Sure\n2. No thanks"))
    );
    assert_eq!(
        visitor.chat().await["messages"][1]["choices"],
        json!([{ "answer": "1", "label": "Sure" }, { "answer": "2", "label": "No thanks" }])
    );
    let open = app.wait_chats(&app.client, |c| c.len() == 1).await;
    assert_eq!(open[0]["state"], "bot", "the conversation is open, with the bot");
    let chat = open[0]["chat_id"].as_str().unwrap().to_string();
    visitor.says("No thanks").await;
    assert_eq!(visitor.lines().await.last(), Some(&said("bot", "Understood. Bye!")), "no menu (M13)");
    let ended = app.wait_chat(&app.client, &chat, |c| c["chat"]["state"] == "resolved").await;
    assert_eq!(ended["chat"]["state"], "resolved", "the refusal ended the conversation");
    assert!(app.chats_of(&app.client).await.is_empty(), "nothing open is left");

    visitor.says("hola de nuevo").await;
    assert_eq!(
        visitor.lines().await.last(),
        Some(&said("bot", "May we contact you here later?\n1. Sure\n2. No thanks"))
    );
    visitor.says("1").await;
    assert_eq!(visitor.lines().await.last(), Some(&said("bot", "Welcome to the shop\n1. Help\n2. Buy")));
    let chat = app.wait_chats(&app.client, |c| c.len() == 1).await[0]["chat_id"].as_str().unwrap().to_string();
    let resolved = app.send(&app.client, Method::POST, &format!("/api/v1/chats/{chat}/resolve"), json!({})).await;
    assert_eq!(resolved.status(), 204);
    visitor.says("otra consulta").await;
    assert_eq!(
        visitor.lines().await.last(),
        Some(&said("bot", "Welcome to the shop\n1. Help\n2. Buy")),
        "a given consent is remembered for the next conversation"
    );
}

/// The room's page and its messages come rendered from the server (no WASM on the visitor's
/// phone): in the visitor's language, a missing widget said in place, the messages only for the
/// visitor's token, and whatever a customer typed shown as text, never as markup.
async fn the_server_renders_the_room_and_the_visitors_messages_escaped(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let ana = app.agent("Ana").await;
    let sales = app.queue_with("Sales", &[&ana]).await;
    let (line, _) = app.line(json!({ "queue": sales }), None).await;
    let key = app.open_widget(&line).await["key"].as_str().unwrap().to_string();
    let room = anonymous().get(format!("{}/widget/{key}?lang=es&theme=dark", app.address)).send().await.unwrap();
    assert_eq!(room.status(), 200);
    let html = room.text().await.unwrap();
    for expected in ["<html lang=\"es\"", "widget theme-dark", "Enviar", "Adjuntar un archivo", "/widget-room.js"] {
        assert!(html.contains(expected), "{expected:?} missing from the room: {html}");
    }
    assert!(!html.contains(".wasm"), "the room loads no WASM: {html}");
    let missing = anonymous().get(format!("{}/widget/wk_nothing", app.address)).send().await.unwrap();
    assert_eq!(missing.status(), 404);
    let html = missing.text().await.unwrap();
    assert!(html.contains("This chat is not available."), "{html}");
    assert!(!html.contains("<form"), "nothing to send on a missing widget: {html}");

    let visitor = app.visitor(&key).await;
    let messages = format!("{}/widget/{key}/messages?lang=en", app.address);
    assert_eq!(anonymous().get(&messages).send().await.unwrap().status(), 401, "the visitor's token is needed");
    let empty = anonymous().get(&messages).bearer_auth(&visitor.token).send().await.unwrap();
    assert_eq!(empty.status(), 200);
    assert!(empty.text().await.unwrap().contains("Write to us: we answer here."));

    let hostile = "<script>alert(1)</script><img src=x onerror=alert(2)>";
    assert_eq!(visitor.says(hostile).await.status(), 202);
    let shown = anonymous().get(&messages).bearer_auth(&visitor.token).send().await.unwrap().text().await.unwrap();
    assert!(shown.contains("&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;"), "{shown}");
    assert!(!shown.contains("<script") && !shown.contains("<img"), "a customer's text is never markup: {shown}");
    let id = visitor.chat().await["messages"][0]["id"].as_str().unwrap().to_string();
    assert!(shown.contains(&format!("data-id=\"{id}\"")), "each message is named by its id: {shown}");
    assert!(shown.contains("class=\"bubble from-visitor\""), "{shown}");
}
