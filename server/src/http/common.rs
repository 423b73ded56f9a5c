//! What every endpoint shares: bodies read, bearer tokens, the headers every answer carries, requests counted.

use crate::caller::Caller;
use crate::error::AppError;
use crate::services::sessions::caller_from_token;
use crate::state::AppState;
use app::ssr::token_from_cookies;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use axum::extract::FromRequestParts;
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The nonce of one page's own scripts: the page's `<script>` tags carry it and its
/// Content-Security-Policy names it, so no other inline script can run there.
#[derive(Clone, Debug)]
pub struct ScriptNonce(pub String);

impl ScriptNonce {
    fn new() -> Self {
        let mut bytes = [0u8; 16];
        OsRng.fill_bytes(&mut bytes);
        Self(bytes.iter().map(|b| format!("{b:02x}")).collect())
    }
}

/// The Content-Security-Policy of every answer, the one home of what our pages may load and run:
/// scripts only from this site and the page's own nonce (no inline script, no `eval`, no other
/// site's script; WebAssembly may compile), media from anywhere a message may name, connections
/// only back to this site. Only the widget's room may be shown inside other sites' pages; every
/// other page refuses to be framed, so no site can dress our console up to trick a signed-in user
/// into clicks.
pub async fn page_policy(mut request: Request, next: Next) -> Response {
    let framed_by_anyone = request.uri().path().starts_with("/widget/");
    let nonce = ScriptNonce::new();
    request.extensions_mut().insert(nonce.clone());
    let mut response = next.run(request).await;
    let frame_ancestors = if framed_by_anyone { "*" } else { "'none'" };
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{}' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; \
         img-src 'self' https: http: data: blob:; media-src 'self' https: http: blob:; connect-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors {frame_ancestors}",
        nonce.0
    );
    let headers = response.headers_mut();
    // An answer that set a stricter policy of its own (a file) keeps it.
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        if let Ok(policy) = HeaderValue::from_str(&policy) {
            headers.insert(header::CONTENT_SECURITY_POLICY, policy);
        }
    }
    if !framed_by_anyone {
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    response
}

/// A request that changes something with a browser's session must come from one of our pages:
/// when it names where it comes from (`Origin`, else `Referer`), that must be this server's
/// host. A session cookie sent from another site's page is refused (`403`), REST and server
/// functions alike; callers without a session (API keys, the widget) are not concerned.
pub async fn same_origin(request: Request, next: Next) -> Response {
    let reads =
        matches!(*request.method(), axum::http::Method::GET | axum::http::Method::HEAD | axum::http::Method::OPTIONS);
    if reads || token_from_cookies(request.headers()).is_none() {
        return next.run(request).await;
    }
    let headers = request.headers();
    let header = |name: header::HeaderName| headers.get(name).and_then(|value| value.to_str().ok());
    let Some(from) = header(header::ORIGIN).or_else(|| header(header::REFERER)) else {
        return next.run(request).await;
    };
    let from_host = reqwest::Url::parse(from).ok().and_then(|url| {
        let host = url.host_str()?.to_ascii_lowercase();
        Some(url.port().map_or(host.clone(), |port| format!("{host}:{port}")))
    });
    let ours = [header(header::HOST), header(header::HeaderName::from_static("x-forwarded-host"))];
    let same = from_host.is_some_and(|from| ours.iter().flatten().any(|host| host.eq_ignore_ascii_case(&from)));
    if same {
        next.run(request).await
    } else {
        AppError::Forbidden("a change made with your session must come from this site's pages".into()).into_response()
    }
}

/// The longest address (path and query) a request may have.
const ADDRESS_MAX_BYTES: usize = 8 * 1024;
/// The most query parameters a request may have.
const QUERY_MAX_PARAMETERS: usize = 64;
/// The largest body of a request outside the REST API (the pages' server functions, forms); the
/// REST API's routes have axum's limit, and those that take files read them against their own.
const BODY_MAX_BYTES: usize = 1024 * 1024;

/// How long a request may take before the log says so: far longer than any page should.
const SLOW_REQUEST: std::time::Duration = std::time::Duration::from_secs(2);

/// Warns of every request that took longer than [`SLOW_REQUEST`] to answer, naming it, so that a
/// rare stall (a server function that waited for seconds under load) is found where it happened.
/// Measured on the machine's clock: this is about the process, not the business.
pub async fn warn_slow_requests(request: Request, next: Next) -> Response {
    let (method, path) = (request.method().clone(), request.uri().path().to_string());
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    let took = started.elapsed();
    if took > SLOW_REQUEST {
        tracing::warn!(%method, %path, status = response.status().as_u16(), ms = took.as_millis() as u64, "slow request");
    }
    response
}

/// Limits every request before anything reads it: its address, its query's parameters, and the
/// body of anything that is not the REST API (which axum limits route by route). Hyper limits
/// the header block (at most 100 headers, in a buffer of about 400 KB: 431 beyond).
pub async fn request_limits(request: Request, next: Next) -> Response {
    let uri = request.uri();
    if uri.path_and_query().map_or(0, |address| address.as_str().len()) > ADDRESS_MAX_BYTES {
        let refusal = format!("addresses of at most {ADDRESS_MAX_BYTES} bytes are accepted");
        return AppError::AddressTooLong(refusal).into_response();
    }
    if uri.query().is_some_and(|query| query.split('&').count() > QUERY_MAX_PARAMETERS) {
        let refusal = format!("at most {QUERY_MAX_PARAMETERS} query parameters are accepted");
        return AppError::AddressTooLong(refusal).into_response();
    }
    if uri.path().starts_with("/api/v1/") {
        return next.run(request).await;
    }
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok()?.parse::<usize>().ok())
        .unwrap_or(0);
    if declared > BODY_MAX_BYTES {
        return too_large_body();
    }
    // A body that does not say its length is cut at the limit; whatever the reader then answered,
    // the client is told why.
    let cut = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let noticed = cut.clone();
    let request = request.map(|body| {
        let limited = http_body_util::BodyExt::map_err(http_body_util::Limited::new(body, BODY_MAX_BYTES), move |e| {
            noticed.store(true, std::sync::atomic::Ordering::SeqCst);
            e
        });
        axum::body::Body::new(limited)
    });
    let response = next.run(request).await;
    if cut.load(std::sync::atomic::Ordering::SeqCst) {
        return too_large_body();
    }
    response
}

fn too_large_body() -> Response {
    AppError::TooLarge(format!("bodies of at most {} KB are accepted", BODY_MAX_BYTES / 1024)).into_response()
}

/// Counts every answered request by method and status; a method outside the standard ones is
/// counted as `OTHER`, so nobody can grow the metrics by making methods up.
pub async fn count_requests(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let method: &'static str = match request.method().as_str() {
        "GET" => "GET",
        "POST" => "POST",
        "PUT" => "PUT",
        "PATCH" => "PATCH",
        "DELETE" => "DELETE",
        "HEAD" => "HEAD",
        "OPTIONS" => "OPTIONS",
        _ => "OTHER",
    };
    let response = next.run(request).await;
    state.metrics.request(method, response.status().as_u16());
    response
}

/// The most of a refusal's text kept when it is rewritten as JSON.
const REFUSAL_MAX_BYTES: usize = 4096;

/// Every refusal under `/api/` is the documented JSON body: the ones axum's extractors write as
/// plain text (a body that is not JSON, a wrong content type, a missing path part, a body too
/// large, a method not allowed) are rewritten as `{"error": …}` with the same status.
pub async fn api_refusals_as_json(request: Request, next: Next) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    let refused = response.status().is_client_error() || response.status().is_server_error();
    let json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/json"));
    if !api || !refused || json {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = match axum::body::to_bytes(body, REFUSAL_MAX_BYTES).await {
        Ok(bytes) if !bytes.is_empty() => String::from_utf8_lossy(&bytes).trim().to_string(),
        _ => parts.status.canonical_reason().unwrap_or("refused").to_string(),
    };
    let mut answer = (parts.status, axum::Json(ErrorBody { error: text })).into_response();
    for name in [header::ALLOW, header::RETRY_AFTER, header::WWW_AUTHENTICATE] {
        if let Some(value) = parts.headers.get(&name) {
            answer.headers_mut().insert(name, value.clone());
        }
    }
    answer
}

/// What an `/api/` path that names no endpoint answers (instead of the console's page).
pub async fn no_such_endpoint(method: axum::http::Method, uri: axum::http::Uri) -> AppError {
    AppError::NotFound(format!("there is no endpoint {method} {}; /api/v1/openapi.json lists them", uri.path()))
}

/// A JSON body, or a 400 that says what is wrong with it.
pub(crate) fn parse_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
    serde_json::from_slice(body).map_err(|e| AppError::Malformed(format!("the body is not valid: {e}")))
}

/// Whether a request may read what is for the operator: it carries the operator's token, or it
/// comes from this machine straight, not through a proxy.
pub(crate) fn for_the_operator(state: &AppState, peer: std::net::SocketAddr, headers: &HeaderMap) -> bool {
    let local = peer.ip().is_loopback() && !state.settings.trusted_proxies.contains(&peer.ip());
    local || crate::services::companies::require_operator(state, bearer(headers)).is_ok()
}

/// The largest message a browser may send on a live socket: ours only listen, so a few
/// kilobytes is plenty; a larger frame closes the socket.
const LIVE_MESSAGE_MAX_BYTES: usize = 16 * 1024;

/// What a live socket keeps for reading: what it reads is small, and tungstenite's default (128
/// KiB per socket, allocated at once) made 10,000 idle sockets take 1.3 GB.
const LIVE_READ_BUFFER_BYTES: usize = 4 * 1024;
/// The most a live socket holds of what a slow browser has not taken yet.
const LIVE_WRITE_BACKLOG_BYTES: usize = 64 * 1024;

/// A live socket's upgrade with its messages and buffers kept small: ours send a few bytes per
/// change and read nothing but pings.
pub(crate) fn small_messages(upgrade: axum::extract::ws::WebSocketUpgrade) -> axum::extract::ws::WebSocketUpgrade {
    upgrade
        .max_message_size(LIVE_MESSAGE_MAX_BYTES)
        .max_frame_size(LIVE_MESSAGE_MAX_BYTES)
        .read_buffer_size(LIVE_READ_BUFFER_BYTES)
        .write_buffer_size(0)
        .max_write_buffer_size(LIVE_WRITE_BACKLOG_BYTES)
}

/// The bearer token of a request, if it has one.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer ").map(str::trim)
}

/// What every refusal answers.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Why the request was refused, in words a person can act on.
    pub error: String,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        caller_from_token(state, token_from_cookies(&parts.headers).as_deref()).await
    }
}

/// How long a file may be kept, and by whom: the address is the content's hash, so what it names
/// never changes; a company's files only by the reader's own browser.
pub const PRIVATE_FILE: &str = "private, max-age=31536000, immutable";
/// A company's logo, which sign-in pages show to anyone.
pub const PUBLIC_FILE: &str = "public, max-age=31536000, immutable";

/// A table given as a file named `name` (without its extension) in `format`.
pub fn spreadsheet(
    name: &str,
    sheet: crate::services::sheets::Sheet,
    format: crate::services::sheets::Format,
) -> Result<Response, crate::error::AppError> {
    let mut response = sheet.written(format)?.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(format.content_type()));
    let disposition = format!("attachment; filename=\"{name}.{}\"", format.extension());
    if let Ok(disposition) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, disposition);
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    Ok(response)
}

/// A file as we serve it: with its checked type; in the page only if it is a picture, audio or
/// video, downloaded otherwise; never run as a page of ours (no sniffing, a sandbox that allows
/// nothing); kept as `cache` says.
pub fn served_file(found: crate::services::media::MediaFile, file: &str, cache: &'static str) -> Response {
    let disposition =
        if found.shown_inline() { "inline".to_string() } else { format!("attachment; filename=\"{file}\"") };
    let mut response = found.content.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(found.content_type));
    if let Ok(disposition) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, disposition);
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; sandbox"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.insert(header::VARY, HeaderValue::from_static("cookie, authorization"));
    response
}
