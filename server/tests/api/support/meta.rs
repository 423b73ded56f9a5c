//! A local Meta on 127.0.0.1: answers as Meta's Graph API does, hands over every call we make,
//! and answers what a test tells it to answer next.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde_json::{json, Value};
use std::collections::{HashMap, VecDeque};
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

/// A customer's file the local Meta keeps: its type and bytes.
type Files = Arc<Mutex<HashMap<String, (String, Vec<u8>)>>>;

#[derive(Clone)]
struct Shared {
    calls: mpsc::UnboundedSender<MetaCall>,
    /// Answers to give, in order, before the usual ones.
    script: Arc<Mutex<VecDeque<(u16, Value)>>>,
    sent: Arc<Mutex<u64>>,
    files: Files,
    /// Statuses to answer the next asks for a file's address with.
    file_failures: Arc<Mutex<VecDeque<u16>>>,
    /// The token the line was linked with: files are only served to it.
    token: String,
    /// How many of the next sends to take in and never answer, as if Meta hung.
    held: Arc<Mutex<u32>>,
    url: Arc<Mutex<String>>,
}

pub struct LocalMeta {
    pub url: String,
    calls: mpsc::UnboundedReceiver<MetaCall>,
    script: Arc<Mutex<VecDeque<(u16, Value)>>>,
    files: Files,
    file_failures: Arc<Mutex<VecDeque<u16>>>,
    held: Arc<Mutex<u32>>,
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
    let hold = {
        let mut held = shared.held.lock().unwrap();
        let hold = *held > 0;
        *held = held.saturating_sub(1);
        hold
    };
    if hold {
        std::future::pending::<()>().await;
    }
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

/// `POST /<number>/media`: one of our files uploaded (multipart `messaging_product`, `type`,
/// `file`), answered with its id as Meta does. The call handed over names the file by its type,
/// name, size and SHA-256.
async fn upload(
    State(shared): State<Shared>,
    Path(phone_number_id): Path<String>,
    headers: HeaderMap,
    mut form: axum::extract::Multipart,
) -> (StatusCode, axum::Json<Value>) {
    use sha2::Digest;
    let authorization = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let mut body = json!({});
    while let Ok(Some(field)) = form.next_field().await {
        let name = field.name().unwrap_or_default().to_string();
        let filename = field.file_name().map(str::to_string);
        let content_type = field.content_type().map(str::to_string);
        let bytes = field.bytes().await.unwrap_or_default();
        body[&name] = match filename {
            Some(filename) => json!({
                "filename": filename,
                "content_type": content_type,
                "size": bytes.len(),
                "sha256": hex(&sha2::Sha256::digest(&bytes)),
            }),
            None => json!(String::from_utf8_lossy(&bytes)),
        };
    }
    let _ = shared.calls.send(MetaCall { path: format!("/{phone_number_id}/media"), authorization, body });
    if let Some((status, answer)) = shared.script.lock().unwrap().pop_front() {
        return (StatusCode::from_u16(status).unwrap(), axum::Json(answer));
    }
    let mut sent = shared.sent.lock().unwrap();
    *sent += 1;
    (StatusCode::OK, axum::Json(json!({ "id": format!("upload-{sent}") })))
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `POST /<business account id>/message_templates`: a template taken for review.
async fn message_templates(
    State(shared): State<Shared>,
    Path(account): Path<String>,
    headers: HeaderMap,
    body: String,
) -> (StatusCode, axum::Json<Value>) {
    let authorization = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let body: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    let _ = shared.calls.send(MetaCall {
        path: format!("/{account}/message_templates"),
        authorization,
        body: body.clone(),
    });
    if let Some((status, answer)) = shared.script.lock().unwrap().pop_front() {
        return (StatusCode::from_u16(status).unwrap(), axum::Json(answer));
    }
    let mut sent = shared.sent.lock().unwrap();
    *sent += 1;
    (
        StatusCode::OK,
        axum::Json(json!({ "id": format!("tmpl-{sent}"), "status": "PENDING", "category": body["category"] })),
    )
}

/// `GET /<media id>`: where the file is, as Meta answers (media_retrieve_url_response.json).
async fn file_address(
    State(shared): State<Shared>,
    Path(media_id): Path<String>,
    headers: HeaderMap,
) -> (StatusCode, axum::Json<Value>) {
    if !authorized(&shared, &headers) {
        return (
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({ "error": { "code": 190, "message": "Invalid OAuth access token" } })),
        );
    }
    if let Some(status) = shared.file_failures.lock().unwrap().pop_front() {
        return (
            StatusCode::from_u16(status).unwrap(),
            axum::Json(json!({ "error": { "code": 2, "message": "Service temporarily unavailable" } })),
        );
    }
    let files = shared.files.lock().unwrap();
    let Some((content_type, bytes)) = files.get(&media_id) else {
        return (
            StatusCode::NOT_FOUND,
            axum::Json(json!({ "error": { "code": 100, "message": "Unsupported get request" } })),
        );
    };
    let url = format!("{}/download/{media_id}", shared.url.lock().unwrap());
    (
        StatusCode::OK,
        axum::Json(
            json!({ "messaging_product": "whatsapp", "url": url, "mime_type": content_type, "file_size": bytes.len().to_string(), "id": media_id }),
        ),
    )
}

/// The file itself, with the same token.
async fn download(
    State(shared): State<Shared>,
    Path(media_id): Path<String>,
    headers: HeaderMap,
) -> (StatusCode, Vec<u8>) {
    if !authorized(&shared, &headers) {
        return (StatusCode::UNAUTHORIZED, Vec::new());
    }
    match shared.files.lock().unwrap().get(&media_id) {
        Some((_, bytes)) => (StatusCode::OK, bytes.clone()),
        None => (StatusCode::NOT_FOUND, Vec::new()),
    }
}

fn authorized(shared: &Shared, headers: &HeaderMap) -> bool {
    headers.get("authorization").and_then(|v| v.to_str().ok()) == Some(format!("Bearer {}", shared.token).as_str())
}

impl LocalMeta {
    /// A local Meta that serves files to the holder of `token`.
    pub async fn start_for(token: &str) -> Self {
        let (sender, calls) = mpsc::unbounded_channel();
        let script = Arc::new(Mutex::new(VecDeque::new()));
        let files = Files::default();
        let file_failures = Arc::new(Mutex::new(VecDeque::new()));
        let url = Arc::new(Mutex::new(String::new()));
        let held = Arc::new(Mutex::new(0));
        let shared = Shared {
            calls: sender,
            script: script.clone(),
            sent: Arc::default(),
            files: files.clone(),
            file_failures: file_failures.clone(),
            token: token.to_string(),
            held: held.clone(),
            url: url.clone(),
        };
        let app = axum::Router::new()
            .route("/{phone}/messages", axum::routing::post(messages))
            .route("/{phone}/media", axum::routing::post(upload))
            .route("/{account}/message_templates", axum::routing::post(message_templates))
            .route("/{media}", axum::routing::get(file_address))
            .route("/download/{media}", axum::routing::get(download))
            .with_state(shared);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = format!("http://{}", listener.local_addr().unwrap());
        *url.lock().unwrap() = address.clone();
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        LocalMeta { url: address, calls, script, files, file_failures, held, _server: server }
    }

    pub async fn start() -> Self {
        Self::start_for("").await
    }

    /// Meta keeps a customer's file under `media_id`.
    pub fn keep_file(&self, media_id: &str, content_type: &str, bytes: &[u8]) {
        self.files.lock().unwrap().insert(media_id.to_string(), (content_type.to_string(), bytes.to_vec()));
    }

    /// The next send is taken in and never answered, as if Meta hung before its answer.
    pub fn hold_next_send(&self) {
        *self.held.lock().unwrap() += 1;
    }

    /// The next asks for a file's address are answered `status`, in the order told.
    pub fn fail_files_next(&self, status: u16) {
        self.file_failures.lock().unwrap().push_back(status);
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
