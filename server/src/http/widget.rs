//! HTTP endpoints of the web chat widget: opening a line's widget, and what a visitor does with
//! their token (read their chat, say something, send a file, follow the chat live); the files.

use crate::caller::Caller;
use crate::error::AppError;
use crate::http::common::ErrorBody;
use crate::live::hub::{push_changes, Audience};
use crate::services::lines::company_of_key;
use crate::services::lines::AcceptedMessage;
use crate::services::media::{self, KeptFile, MEDIA_MAX_BYTES};
use crate::services::sessions::caller_from_token;
use app::ssr::token_from_cookies;

use crate::http::common::{bearer, parse_body, served_file, small_messages, PRIVATE_FILE};
use crate::services::widget::{
    count_upload, new_visitor, open_socket, open_widget, snippet, visit, visitor_chat, visitor_file, visitor_says,
    widget_line, NewVisitor, OpenedWidget, VisitorChat, VisitorSays,
};
use crate::state::AppState;
use app::pages::widget::{room_messages, room_page, RoomMessage};
use axum::extract::ws::{WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, DefaultBodyLimit, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use domain::chat::chat_stream;
use domain::ids::LineId;
use serde::Deserialize;
use std::net::SocketAddr;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/lines/{line}/widget", put(put_widget))
        .route("/api/v1/widget/{key}/visitors", post(post_visitor))
        .route("/api/v1/widget/{key}/messages", get(get_visitor_chat).post(post_visitor_message))
        .route("/api/v1/widget/{key}/files", post(post_file).layer(DefaultBodyLimit::disable()))
        .route("/api/v1/widget/{key}/live", get(visitor_live))
        .route("/api/v1/widget/{key}/media/{file}", get(get_visitor_file))
        .route("/media/{file}", get(get_file))
        .route("/widget/{key}", get(get_room))
        .route("/widget/{key}/messages", get(get_room_messages))
}

#[derive(Deserialize)]
pub(crate) struct RoomQuery {
    lang: Option<String>,
    theme: Option<String>,
}

/// The widget's room, the page a web site's iframe shows; its script fills and follows the chat.
pub(crate) async fn get_room(
    State(state): State<AppState>,
    Path(key): Path<String>,
    Query(query): Query<RoomQuery>,
) -> Result<Response, AppError> {
    let (status, title) = match widget_line(&state, &key).await {
        Ok(line) => (StatusCode::OK, Some(line.name)),
        Err(AppError::NotFound(_)) => (StatusCode::NOT_FOUND, None),
        Err(error) => return Err(error),
    };
    let lang = query.lang.unwrap_or_default();
    Ok((status, Html(room_page(&key, title.as_deref(), &lang, query.theme.as_deref()))).into_response())
}

/// The visitor's messages, rendered as the room lists them (the visitor's token as bearer).
pub(crate) async fn get_room_messages(
    State(state): State<AppState>,
    Path(key): Path<String>,
    Query(query): Query<RoomQuery>,
    headers: HeaderMap,
) -> Result<Html<String>, AppError> {
    let chat = visitor_chat(&state, &key, bearer(&headers)).await?;
    let messages = chat
        .messages
        .into_iter()
        .map(|m| RoomMessage {
            id: m.id,
            from: m.from,
            text: m.text,
            media: m.media,
            choices: m.choices.into_iter().map(|c| (c.answer, c.label)).collect(),
            edits: m.edits,
            deleted: m.deleted,
        })
        .collect();
    Ok(Html(room_messages(messages, &query.lang.unwrap_or_default())))
}

#[utoipa::path(put, path = "/api/v1/lines/{line}/widget", tag = "widget", summary = "Open a line's web chat widget (or read the one it has): its key and the tag for web pages", params(("line" = LineId, Path, description = "a line of your company")), responses((status = 200, description = "the widget", body = OpenedWidget), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn put_widget(
    State(state): State<AppState>,
    caller: Caller,
    Path(line): Path<String>,
    headers: HeaderMap,
) -> Result<Json<OpenedWidget>, AppError> {
    let line: LineId = line.parse().map_err(|_| AppError::NotFound("no such line".into()))?;
    let key = open_widget(&state, &caller, line).await?;
    Ok(Json(OpenedWidget { snippet: snippet(&app::ssr::origin_of(&headers), &key), key }))
}

#[utoipa::path(post, path = "/api/v1/widget/{key}/visitors", tag = "widget", summary = "A new visitor: the token their browser keeps", params(("key" = String, Path, description = "the widget's key")), responses((status = 201, description = "the visitor's token", body = NewVisitor), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)))]
pub(crate) async fn post_visitor(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(key): Path<String>,
) -> Result<(StatusCode, Json<NewVisitor>), AppError> {
    let client = state.client_of(peer, &headers);
    Ok((StatusCode::CREATED, Json(new_visitor(&state, &key, client).await?)))
}

#[utoipa::path(get, path = "/api/v1/widget/{key}/messages", tag = "widget", summary = "The visitor's chat: every message they sent and received", params(("key" = String, Path, description = "the widget's key")), responses((status = 200, description = "the chat", body = VisitorChat), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("visitor" = [])))]
pub(crate) async fn get_visitor_chat(
    State(state): State<AppState>,
    Path(key): Path<String>,
    headers: HeaderMap,
) -> Result<Json<VisitorChat>, AppError> {
    Ok(Json(visitor_chat(&state, &key, bearer(&headers)).await?))
}

#[utoipa::path(post, path = "/api/v1/widget/{key}/messages", tag = "widget", summary = "The visitor says something (text and/or a file they uploaded)", request_body = VisitorSays, params(("key" = String, Path, description = "the widget's key")), responses((status = 202, description = "stored; the bot's answer is in the chat already", body = AcceptedMessage), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("visitor" = [])))]
pub(crate) async fn post_visitor_message(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(key): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<AcceptedMessage>), AppError> {
    let says: VisitorSays = parse_body(&body)?;
    let client = state.client_of(peer, &headers);
    Ok((StatusCode::ACCEPTED, Json(visitor_says(&state, &key, bearer(&headers), client, says).await?)))
}

#[utoipa::path(post, path = "/api/v1/widget/{key}/files", tag = "widget", summary = "The visitor uploads a file (the body, with its Content-Type); at most 10 MB of an accepted kind", params(("key" = String, Path, description = "the widget's key")), request_body(content = Vec<u8>, content_type = "application/octet-stream"), responses((status = 201, description = "kept", body = KeptFile), (status = 413, description = "too large", body = ErrorBody), (status = 415, description = "a kind not accepted", body = ErrorBody), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("visitor" = [])))]
pub(crate) async fn post_file(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(key): Path<String>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<(StatusCode, Json<KeptFile>), AppError> {
    let visit = visit(&state, &key, bearer(&headers)).await?;
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|value| value.to_str().ok()).unwrap_or_default();
    // One byte over the limit is enough to know the file is too large; nothing more is read.
    let content = axum::body::to_bytes(body, MEDIA_MAX_BYTES + 1).await.map_err(|_| media::too_large())?;
    count_upload(&state, state.client_of(peer, &headers), content.len())?;
    let url = media::keep(&state.store, &visit.line.company_id, content_type, &content).await?;
    Ok((StatusCode::CREATED, Json(KeptFile { url })))
}

#[derive(Deserialize)]
pub(crate) struct VisitorQuery {
    visitor: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/widget/{key}/live", tag = "widget", summary = "The visitor's live WebSocket: `{\"topic\": \"messages\"}` whenever their chat changes", params(("key" = String, Path, description = "the widget's key"), ("visitor" = String, Query, description = "the visitor's token")), responses((status = 101, description = "switching to the WebSocket protocol"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)))]
pub(crate) async fn visitor_live(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(key): Path<String>,
    Query(query): Query<VisitorQuery>,
    upgrade: WebSocketUpgrade,
) -> Result<Response, AppError> {
    let visit = visit(&state, &key, query.visitor.as_deref()).await?;
    let opened = open_socket(&state, &key, state.client_of(peer, &headers))?;
    let chat = chat_stream(visit.chat_id);
    Ok(small_messages(upgrade).on_upgrade(move |socket| async move {
        follow_chat(state, chat, socket).await;
        drop(opened);
    }))
}

async fn follow_chat(state: AppState, chat: String, mut socket: WebSocket) {
    let mut changes = state.live.listen(Audience::Chat(chat));
    push_changes(&mut changes, &mut socket, |_| "messages", |_| false).await;
}

#[utoipa::path(get, path = "/media/{file}", tag = "widget", summary = "A file sent or received by your company, by its address: to its members (session) and to its API keys", params(("file" = String, Path, description = "<sha256>.<extension>")), responses((status = 200, description = "the file"), (status = 401, description = "not signed in", body = ErrorBody), (status = 404, description = "no such file of your company", body = ErrorBody)), security(("session" = []), ("api_key" = [])))]
pub(crate) async fn get_file(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let company = match token_from_cookies(&headers) {
        Some(session) => caller_from_token(&state, Some(&session)).await?.company_id,
        None => company_of_key(&state, bearer(&headers))
            .await
            .map_err(|_| AppError::Unauthorized("please sign in".into()))?,
    };
    let found = media::find(&state.store, &company.to_string(), &file).await?;
    Ok(served_file(found.ok_or_else(|| AppError::NotFound("no such file".into()))?, &file, PRIVATE_FILE))
}

#[utoipa::path(get, path = "/api/v1/widget/{key}/media/{file}", tag = "widget", summary = "A file of the visitor's own chat", params(("key" = String, Path, description = "the widget's key"), ("file" = String, Path, description = "<sha256>.<extension>")), responses((status = 200, description = "the file"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("visitor" = [])))]
pub(crate) async fn get_visitor_file(
    State(state): State<AppState>,
    Path((key, file)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    Ok(served_file(visitor_file(&state, &key, bearer(&headers), &file).await?, &file, PRIVATE_FILE))
}
