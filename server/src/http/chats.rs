//! Chats as agents and supervisors read, answer, transfer and resolve them.

use crate::caller::Caller;
use crate::error::AppError;
use crate::http::common::ErrorBody;
use crate::services::chats::{
    delete_message, edit_message, files_of_chat, find_chats, keep_file, react, read_chat, rename_chat, reply, resolve,
    resolve_many, set_own_agent, start_conversation, tag_chat, take_over, templates_for_chat, transfer, write_note,
    Answer, BulkOutcome, ChatFile, ChatName, ChatSearch, ChatWithMessages, NewConversation, NewNote, NewWords,
    SentMessage, StartedConversation,
};
use crate::services::dashboard::{my_day, AgentDay};
use crate::services::media::{self, KeptFile, MEDIA_MAX_BYTES};
use crate::state::AppState;
use axum::extract::State;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::http::{header, HeaderMap};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use domain::chat::TransferTarget;
use domain::ids::{ChatId, UserId};
use projections::chat_board::ChatRow;
use projections::templates::TemplateRow;
use serde::Deserialize;
use uuid::Uuid;

#[utoipa::path(get, path = "/api/v1/chats", tag = "chats", summary = "Open chats (supervisors, auditors) or mine (agents), narrowed by a tag and by words (name, number, messages) if asked", params(ChatSearch), responses((status = 200, description = "the chats", body = [ChatRow]), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn get_chats(
    State(state): State<AppState>,
    caller: Caller,
    Query(search): Query<ChatSearch>,
) -> Result<Json<Vec<ChatRow>>, AppError> {
    Ok(Json(find_chats(&state, &caller, &search).await?))
}

#[utoipa::path(put, path = "/api/v1/chats/{chat}/name", tag = "chats", summary = "Name the chat for the company (W6), instead of the contact's name; none or blank gives it back", request_body = ChatName, params(("chat" = ChatId, Path, description = "a chat of your company")), responses((status = 204, description = "done"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn put_chat_name(
    State(state): State<AppState>,
    caller: Caller,
    Path(chat): Path<ChatId>,
    Json(body): Json<ChatName>,
) -> Result<StatusCode, AppError> {
    rename_chat(&state, &caller, chat, body).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct ChatTag {
    tag: String,
}

#[utoipa::path(post, path = "/api/v1/chats/{chat}/tags", tag = "chats", summary = "Put a tag on the chat (W11); one it has already changes nothing", request_body = ChatTag, params(("chat" = ChatId, Path, description = "a chat of your company")), responses((status = 204, description = "done"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn post_chat_tag(
    State(state): State<AppState>,
    caller: Caller,
    Path(chat): Path<ChatId>,
    Json(body): Json<ChatTag>,
) -> Result<StatusCode, AppError> {
    tag_chat(&state, &caller, chat, &body.tag, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/v1/chats/{chat}/tags/{tag}", tag = "chats", summary = "Take a tag off the chat (W11)", params(("chat" = ChatId, Path, description = "a chat of your company"), ("tag" = String, Path, description = "the tag, any case")), responses((status = 204, description = "done"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn delete_chat_tag(
    State(state): State<AppState>,
    caller: Caller,
    Path((chat, tag)): Path<(ChatId, String)>,
) -> Result<StatusCode, AppError> {
    tag_chat(&state, &caller, chat, &tag, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/chats/{chat}", tag = "chats", summary = "One chat with its whole history", params(("chat" = ChatId, Path, description = "a chat of your company")), responses((status = 200, description = "the chat", body = ChatWithMessages), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn get_chat(
    State(state): State<AppState>,
    caller: Caller,
    Path(chat): Path<ChatId>,
) -> Result<Json<ChatWithMessages>, AppError> {
    Ok(Json(read_chat(&state, &caller, chat).await?))
}

#[utoipa::path(post, path = "/api/v1/chats/{chat}/messages", tag = "chats", summary = "The assigned agent answers", request_body = Answer, params(("chat" = ChatId, Path, description = "a chat of your company")), responses((status = 201, description = "sent", body = SentMessage), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn post_reply(
    State(state): State<AppState>,
    caller: Caller,
    Path(chat): Path<ChatId>,
    Json(body): Json<Answer>,
) -> Result<(StatusCode, Json<SentMessage>), AppError> {
    Ok((StatusCode::CREATED, Json(reply(&state, &caller, chat, body).await?)))
}

#[utoipa::path(post, path = "/api/v1/chats/{chat}/resolve", tag = "chats", summary = "Resolve a chat", params(("chat" = ChatId, Path, description = "a chat of your company")), responses((status = 204, description = "done"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn post_resolve(
    State(state): State<AppState>,
    caller: Caller,
    Path(chat): Path<ChatId>,
) -> Result<StatusCode, AppError> {
    resolve(&state, &caller, chat).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/chats/{chat}/take-over", tag = "chats", summary = "A supervisor takes an open chat over (G1): it leaves its agent and the supervisor answers it", params(("chat" = ChatId, Path, description = "a chat of your company")), responses((status = 204, description = "done"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn post_take_over(
    State(state): State<AppState>,
    caller: Caller,
    Path(chat): Path<ChatId>,
) -> Result<StatusCode, AppError> {
    take_over(&state, &caller, chat).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct TransferRequest {
    to: TransferTarget,
    note: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/chats/{chat}/transfer", tag = "chats", summary = "Transfer a chat to a colleague or a queue", request_body = TransferRequest, params(("chat" = ChatId, Path, description = "a chat of your company")), responses((status = 204, description = "done"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn post_transfer(
    State(state): State<AppState>,
    caller: Caller,
    Path(chat): Path<ChatId>,
    Json(body): Json<TransferRequest>,
) -> Result<StatusCode, AppError> {
    transfer(&state, &caller, chat, body.to, body.note).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct OwnAgent {
    /// The agent, or null for nobody.
    agent: Option<UserId>,
}

#[utoipa::path(put, path = "/api/v1/chats/{chat}/own-agent", tag = "chats", summary = "Name the contact's own agent (R7), or nobody", request_body = OwnAgent, params(("chat" = ChatId, Path, description = "a chat of your company")), responses((status = 204, description = "done"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn put_own_agent(
    State(state): State<AppState>,
    caller: Caller,
    Path(chat): Path<ChatId>,
    Json(body): Json<OwnAgent>,
) -> Result<StatusCode, AppError> {
    set_own_agent(&state, &caller, chat, body.agent).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct ChatIds {
    chat_ids: Vec<ChatId>,
}

#[utoipa::path(post, path = "/api/v1/chats/resolve", tag = "chats", summary = "Resolve many chats at once", request_body = ChatIds, responses((status = 200, description = "what was resolved and what was refused, and why", body = BulkOutcome), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn post_resolve_many(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<ChatIds>,
) -> Result<Json<BulkOutcome>, AppError> {
    Ok(Json(resolve_many(&state, &caller, &body.chat_ids).await?))
}

#[utoipa::path(get, path = "/api/v1/chats/{chat}/files", tag = "chats", summary = "Every file sent or received in a chat (C3)", params(("chat" = ChatId, Path, description = "a chat of your company")), responses((status = 200, description = "the files, oldest first", body = [ChatFile]), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn get_chat_files(
    State(state): State<AppState>,
    caller: Caller,
    Path(chat): Path<ChatId>,
) -> Result<Json<Vec<ChatFile>>, AppError> {
    Ok(Json(files_of_chat(&state, &caller, chat).await?))
}

#[utoipa::path(post, path = "/api/v1/chats/{chat}/files", tag = "chats", summary = "Upload a file to send in the chat (the body, with its Content-Type; at most 10 MB of an accepted kind); send its address as a message's `media`", params(("chat" = ChatId, Path, description = "a chat of your company")), request_body(content = Vec<u8>, content_type = "application/octet-stream"), responses((status = 201, description = "kept", body = KeptFile), (status = 413, description = "too large", body = ErrorBody), (status = 415, description = "a kind not accepted", body = ErrorBody), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn post_chat_file(
    State(state): State<AppState>,
    caller: Caller,
    Path(chat): Path<ChatId>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<(StatusCode, Json<KeptFile>), AppError> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|value| value.to_str().ok()).unwrap_or_default();
    // One byte over the limit is enough to know the file is too large; nothing more is read.
    let content = axum::body::to_bytes(body, MEDIA_MAX_BYTES + 1).await.map_err(|_| media::too_large())?;
    Ok((StatusCode::CREATED, Json(keep_file(&state, &caller, chat, content_type, &content).await?)))
}

#[utoipa::path(post, path = "/api/v1/chats", tag = "chats", summary = "An agent writes first to a customer (G3): their chat on a WhatsApp line opens a conversation assigned to the agent, with an approved template as its first message", request_body = NewConversation, responses((status = 201, description = "started", body = StartedConversation), (status = 409, description = "the customer's chat is open already", body = ErrorBody), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn post_chat(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<NewConversation>,
) -> Result<(StatusCode, Json<StartedConversation>), AppError> {
    Ok((StatusCode::CREATED, Json(start_conversation(&state, &caller, body).await?)))
}

#[utoipa::path(get, path = "/api/v1/chats/{chat}/templates", tag = "chats", summary = "The approved templates an agent may send in the chat (G3), the only messages its WhatsApp line takes 24 hours after the customer's last one", params(("chat" = ChatId, Path, description = "a chat of your company")), responses((status = 200, description = "the templates", body = [TemplateRow]), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn get_chat_templates(
    State(state): State<AppState>,
    caller: Caller,
    Path(chat): Path<ChatId>,
) -> Result<Json<Vec<TemplateRow>>, AppError> {
    Ok(Json(templates_for_chat(&state, &caller, chat).await?))
}

#[utoipa::path(post, path = "/api/v1/chats/{chat}/notes", tag = "chats", summary = "A private note in the chat (G7), by its agent or a supervisor: colleagues read it, the customer never", request_body = NewNote, params(("chat" = ChatId, Path, description = "a chat of your company")), responses((status = 201, description = "written", body = SentMessage), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn post_note(
    State(state): State<AppState>,
    caller: Caller,
    Path(chat): Path<ChatId>,
    Json(body): Json<NewNote>,
) -> Result<(StatusCode, Json<SentMessage>), AppError> {
    Ok((StatusCode::CREATED, Json(write_note(&state, &caller, chat, body).await?)))
}

#[utoipa::path(put, path = "/api/v1/chats/{chat}/messages/{message}", tag = "chats", summary = "Change the words of your own reply or note (G18), unless the chat's line forbids it to agents; the history keeps the earlier words", request_body = NewWords, params(("chat" = ChatId, Path, description = "a chat you work on"), ("message" = Uuid, Path, description = "a reply or note of yours")), responses((status = 204, description = "done"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn put_message(
    State(state): State<AppState>,
    caller: Caller,
    Path((chat, message)): Path<(ChatId, Uuid)>,
    Json(body): Json<NewWords>,
) -> Result<StatusCode, AppError> {
    edit_message(&state, &caller, chat, message, body).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/v1/chats/{chat}/messages/{message}", tag = "chats", summary = "Take back your own reply or note (G18), unless the chat's line forbids it to agents; colleagues still read it, marked deleted", params(("chat" = ChatId, Path, description = "a chat you work on"), ("message" = Uuid, Path, description = "a reply or note of yours")), responses((status = 204, description = "done"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn delete_own_message(
    State(state): State<AppState>,
    caller: Caller,
    Path((chat, message)): Path<(ChatId, Uuid)>,
) -> Result<StatusCode, AppError> {
    delete_message(&state, &caller, chat, message).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::IntoParams)]
pub(crate) struct DayQuery {
    /// Where the agent's day begins: an IANA time zone (`Europe/Madrid`); UTC when not said.
    time_zone: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/me/day", tag = "chats", summary = "The signed-in agent's dashboard (P11): chats pending and following now; resolved and average first response since midnight in their time zone", params(DayQuery), responses((status = 200, description = "the figures", body = AgentDay), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn get_my_day(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<DayQuery>,
) -> Result<Json<AgentDay>, AppError> {
    if query.time_zone.as_deref().is_some_and(|name| domain::calendar::zone(name).is_none()) {
        return Err(AppError::Invalid("time_zone: an IANA time zone, such as Europe/Madrid".into()));
    }
    Ok(Json(my_day(&state, &caller, query.time_zone.as_deref()).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct ReactionTo {
    /// The id of a message of the chat.
    message: String,
    /// None, or empty: the reaction is taken back.
    emoji: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/chats/{chat}/reactions", tag = "chats", summary = "The assigned agent reacts to a message of the chat, or takes the reaction back", request_body = ReactionTo, params(("chat" = ChatId, Path, description = "a chat of your company")), responses((status = 201, description = "sent", body = SentMessage), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn post_reaction(
    State(state): State<AppState>,
    caller: Caller,
    Path(chat): Path<ChatId>,
    Json(body): Json<ReactionTo>,
) -> Result<(StatusCode, Json<SentMessage>), AppError> {
    Ok((StatusCode::CREATED, Json(react(&state, &caller, chat, &body.message, body.emoji).await?)))
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/chats/{chat}/own-agent", put(put_own_agent))
        .route("/api/v1/me/day", get(get_my_day))
        .route("/api/v1/chats", get(get_chats).post(post_chat))
        .route("/api/v1/chats/resolve", post(post_resolve_many))
        .route("/api/v1/chats/{chat}", get(get_chat))
        .route("/api/v1/chats/{chat}/messages", post(post_reply))
        .route("/api/v1/chats/{chat}/messages/{message}", put(put_message).delete(delete_own_message))
        .route("/api/v1/chats/{chat}/reactions", post(post_reaction))
        .route(
            "/api/v1/chats/{chat}/files",
            get(get_chat_files).post(post_chat_file).layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route("/api/v1/chats/{chat}/templates", get(get_chat_templates))
        .route("/api/v1/chats/{chat}/notes", post(post_note))
        .route("/api/v1/chats/{chat}/name", put(put_chat_name))
        .route("/api/v1/chats/{chat}/tags", post(post_chat_tag))
        .route("/api/v1/chats/{chat}/tags/{tag}", axum::routing::delete(delete_chat_tag))
        .route("/api/v1/chats/{chat}/resolve", post(post_resolve))
        .route("/api/v1/chats/{chat}/transfer", post(post_transfer))
        .route("/api/v1/chats/{chat}/take-over", post(post_take_over))
}
