//! A local Meta on 127.0.0.1: answers as Meta's Graph API does, hands over every call we make,
//! and answers what a test tells it to answer next.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;

/// One call to the local Meta.
#[derive(Debug)]
pub struct MetaCall {
    pub path: String,
    pub authorization: String,
    pub body: Value,
}

#[derive(Clone)]
struct Shared {
    calls: mpsc::UnboundedSender<MetaCall>,
    /// Answers to give, in order, before the usual ones.
    script: Arc<Mutex<VecDeque<(u16, Value)>>>,
    sent: Arc<Mutex<u64>>,
}

pub struct LocalMeta {
    pub url: String,
    calls: mpsc::UnboundedReceiver<MetaCall>,
    script: Arc<Mutex<VecDeque<(u16, Value)>>>,
    _server: tokio::task::JoinHandle<()>,
}

async fn messages(
    State(shared): State<Shared>,
    Path(phone_number_id): Path<String>,
    headers: HeaderMap,
    body: String,
) -> (StatusCode, axum::Json<Value>) {
    let authorization = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let body: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    let _ =
        shared.calls.send(MetaCall { path: format!("/{phone_number_id}/messages"), authorization, body: body.clone() });
    if let Some((status, answer)) = shared.script.lock().unwrap().pop_front() {
        return (StatusCode::from_u16(status).unwrap(), axum::Json(answer));
    }
    let mut sent = shared.sent.lock().unwrap();
    *sent += 1;
    let id = format!("wamid.out-{sent}");
    let to = body["to"].clone();
    (
        StatusCode::OK,
        axum::Json(
            json!({ "messaging_product": "whatsapp", "contacts": [{ "input": to, "wa_id": to }], "messages": [{ "id": id }] }),
        ),
    )
}

impl LocalMeta {
    pub async fn start() -> Self {
        let (sender, calls) = mpsc::unbounded_channel();
        let script = Arc::new(Mutex::new(VecDeque::new()));
        let shared = Shared { calls: sender, script: script.clone(), sent: Arc::default() };
        let app = axum::Router::new().route("/{phone}/messages", axum::routing::post(messages)).with_state(shared);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        LocalMeta { url, calls, script, _server: server }
    }

    /// The next calls are answered `status` with `body`, in the order told.
    pub fn answer_next(&self, status: u16, body: Value) {
        self.script.lock().unwrap().push_back((status, body));
    }

    /// The next call we make to Meta (waits up to ten seconds).
    pub async fn next_call(&mut self) -> MetaCall {
        match tokio::time::timeout(Duration::from_secs(10), self.calls.recv()).await {
            Ok(Some(call)) => call,
            _ => panic!("no call reached the local Meta within 10 s"),
        }
    }

    /// The next call whose body satisfies `wanted`, skipping others (the bot's words, say).
    pub async fn next_call_where(&mut self, wanted: impl Fn(&Value) -> bool) -> MetaCall {
        let mut skipped = Vec::new();
        loop {
            let call = match tokio::time::timeout(Duration::from_secs(10), self.calls.recv()).await {
                Ok(Some(call)) => call,
                _ => panic!("no wanted call reached the local Meta within 10 s; saw {skipped:?}"),
            };
            if wanted(&call.body) {
                return call;
            }
            skipped.push(call.body);
        }
    }
}
