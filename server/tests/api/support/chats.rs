//! Agents, queues, lines and chats as HTTP tests set them up: signed-in agents online over the
//! live WebSocket, webhook receivers, and waiting (bounded) for chats to change.

use super::*;
use futures::StreamExt;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

pub const PASSWORD: &str = "agent password 1";

/// A signed-in agent: an HTTP client and the session cookie for the WebSocket.
pub struct SignedAgent {
    pub id: String,
    pub client: reqwest::Client,
    pub cookie: String,
}

/// A webhook receiver on 127.0.0.1 that answers 200 and hands over each call.
pub struct Webhook {
    pub url: String,
    pub calls: mpsc::UnboundedReceiver<(axum::http::HeaderMap, String)>,
    _server: tokio::task::JoinHandle<()>,
}

pub async fn webhook() -> Webhook {
    let (sender, calls) = mpsc::unbounded_channel();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: axum::http::HeaderMap, body: String| {
            let sender = sender.clone();
            async move {
                let _ = sender.send((headers, body));
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let server = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    Webhook { url, calls, _server: server }
}

impl Webhook {
    /// The next call: its headers, its body as sent, and that body read.
    pub async fn next_raw(&mut self) -> (axum::http::HeaderMap, String, serde_json::Value) {
        let (headers, body) =
            tokio::time::timeout(Duration::from_secs(10), self.calls.recv()).await.expect("a webhook call").unwrap();
        let value = serde_json::from_str(&body).unwrap();
        (headers, body, value)
    }

    /// The next call whose body has `text`, skipping others (the bot's words, say); fails naming
    /// those it skipped.
    pub async fn next_saying(&mut self, text: &str) -> serde_json::Value {
        let mut skipped = Vec::new();
        loop {
            let Ok(Some((_, body))) = tokio::time::timeout(Duration::from_secs(10), self.calls.recv()).await else {
                panic!("no webhook call said {text:?} within 10 s; skipped {skipped:?}");
            };
            let value: serde_json::Value = serde_json::from_str(&body).unwrap();
            if value["text"] == text {
                return value;
            }
            skipped.push(body);
        }
    }

    pub async fn next(&mut self) -> (axum::http::HeaderMap, serde_json::Value) {
        let (headers, _, value) = self.next_raw().await;
        (headers, value)
    }
}

impl TestApp {
    pub async fn agent(&self, name: &str) -> SignedAgent {
        let email = format!("{}@example.com", name.to_lowercase());
        let id = created_id(self.create_agent(name, &email, PASSWORD).await, "user_id").await;
        let client = anonymous();
        let response = sign_in(&client, &self.address, &email, PASSWORD).await;
        assert_eq!(response.status(), 200);
        let cookie = response.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
        SignedAgent { id, client, cookie }
    }

    pub async fn queue_with(&self, name: &str, members: &[&SignedAgent]) -> String {
        let queue = created_id(self.create_queue(name).await, "id").await;
        for member in members {
            let path = format!("/api/v1/queues/{queue}/members/{}", member.id);
            assert_eq!(self.send(&self.client, reqwest::Method::PUT, &path, serde_json::json!({})).await.status(), 204);
        }
        queue
    }

    pub async fn api_key(&self) -> String {
        let response = self
            .send(&self.client, reqwest::Method::POST, "/api/v1/api-keys", serde_json::json!({ "name": "CRM" }))
            .await;
        assert_eq!(response.status(), 201);
        let body: serde_json::Value = response.json().await.unwrap();
        body["key"].as_str().unwrap().to_string()
    }

    /// Creates a line; answers its id and webhook secret.
    pub async fn line(&self, routing: serde_json::Value, webhook_url: Option<&str>) -> (String, Option<String>) {
        let body = serde_json::json!({ "name": "Web shop", "routing": routing, "webhook_url": webhook_url });
        let response = self.send(&self.client, reqwest::Method::POST, "/api/v1/lines", body).await;
        assert_eq!(response.status(), 201);
        let body: serde_json::Value = response.json().await.unwrap();
        (body["id"].as_str().unwrap().to_string(), body["webhook_secret"].as_str().map(str::to_string))
    }

    pub async fn inbound(&self, key: &str, line: &str, body: serde_json::Value) -> reqwest::Response {
        anonymous()
            .post(format!("{}/api/v1/lines/{line}/messages", self.address))
            .bearer_auth(key)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// A customer writes; answers the chat id.
    pub async fn customer_writes(&self, key: &str, line: &str, contact: &str, text: &str) -> String {
        self.customer_writes_as(key, line, contact, &format!("Customer {contact}"), text).await
    }

    /// The same, from a customer with this name.
    pub async fn customer_writes_as(&self, key: &str, line: &str, contact: &str, name: &str, text: &str) -> String {
        let body = serde_json::json!({ "contact_id": contact, "name": name, "text": text });
        created_id(self.inbound(key, line, body).await, "chat_id").await
    }

    pub async fn chats_of(&self, client: &reqwest::Client) -> Vec<serde_json::Value> {
        let list = self.get_json(client, "/api/v1/chats").await;
        list.as_array().cloned().unwrap_or_default()
    }

    /// Waits (bounded) until `client`'s chat list satisfies `done`.
    pub async fn wait_chats(
        &self,
        client: &reqwest::Client,
        done: impl Fn(&[serde_json::Value]) -> bool,
    ) -> Vec<serde_json::Value> {
        eventually("the chat list to change as expected", || self.chats_of(client), |chats| done(chats)).await
    }

    pub async fn chat(&self, client: &reqwest::Client, chat: &str) -> serde_json::Value {
        self.get_json(client, &format!("/api/v1/chats/{chat}")).await
    }

    /// Waits (bounded) until the chat as `client` reads it satisfies `done`.
    pub async fn wait_chat(
        &self,
        client: &reqwest::Client,
        chat: &str,
        done: impl Fn(&serde_json::Value) -> bool,
    ) -> serde_json::Value {
        eventually(&format!("chat {chat} to change as expected"), || self.chat(client, chat), |read| done(read)).await
    }
}

pub type Live = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens the agent's live connection (they are online while it is open) and waits for its hello.
pub async fn go_online(app: &TestApp, agent: &SignedAgent) -> Live {
    go_online_at(app, &app.address, agent).await
}

/// The same, connected to the node at `address`.
pub async fn go_online_at(app: &TestApp, address: &str, agent: &SignedAgent) -> Live {
    let url = format!("{}/api/v1/ws", address.replace("http://", "ws://"));
    let mut request = url.into_client_request().unwrap();
    request.headers_mut().insert("cookie", agent.cookie.parse().unwrap());
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.expect("the WebSocket opens");
    let hello = next_topic(&mut socket).await;
    assert_eq!(hello, "connected");
    wait_online(app, &agent.id, true).await;
    socket
}

pub async fn next_topic(socket: &mut Live) -> String {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(10), socket.next()).await.expect("a live message");
        if let Some(Ok(tokio_tungstenite::tungstenite::Message::Text(text))) = message {
            let value: serde_json::Value = serde_json::from_str(&text).unwrap();
            return value["topic"].as_str().unwrap().to_string();
        }
    }
}

/// Waits for a change of `topic`, passing over changes of other topics.
pub async fn wait_topic(socket: &mut Live, topic: &str) {
    while next_topic(socket).await != topic {}
}

/// Waits until the supervisor's agent list shows the agent online (or offline).
pub async fn wait_online(app: &TestApp, agent: &str, online: bool) {
    let shown = |agents: &serde_json::Value| {
        agents.as_array().is_some_and(|all| all.iter().any(|a| a["user_id"] == agent && a["online"] == online))
    };
    let agents = || app.get_json(&app.client, "/api/v1/agents");
    eventually(&format!("agent {agent} shown with online = {online}"), agents, shown).await;
}
