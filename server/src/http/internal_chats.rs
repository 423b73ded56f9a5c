//! Internal chats (G8): colleagues write to each other one to one.

use crate::caller::Caller;
use crate::error::AppError;
use crate::http::common::ErrorBody;
use crate::services::internal_chats::{colleagues, messages_with, read_with, write_to, Colleague, InternalMessage};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::ids::UserId;
use projections::internal_chats::InternalMessageRow;
use serde::Deserialize;

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct InternalText {
    text: String,
}

#[utoipa::path(get, path = "/api/v1/colleagues", tag = "internal chats", summary = "The colleagues one may write to (agents and supervisors), with what each wrote that you have not read", responses((status = 200, description = "the colleagues, the latest conversations first", body = [Colleague]), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn get_colleagues(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<Colleague>>, AppError> {
    Ok(Json(colleagues(&state, &caller).await?))
}

#[utoipa::path(get, path = "/api/v1/colleagues/{colleague}/messages", tag = "internal chats", summary = "Your conversation with a colleague", params(("colleague" = UserId, Path, description = "an agent or supervisor of your company")), responses((status = 200, description = "every message, in order", body = [InternalMessageRow]), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn get_messages(
    State(state): State<AppState>,
    caller: Caller,
    Path(colleague): Path<UserId>,
) -> Result<Json<Vec<InternalMessageRow>>, AppError> {
    Ok(Json(messages_with(&state, &caller, colleague).await?))
}

#[utoipa::path(post, path = "/api/v1/colleagues/{colleague}/messages", tag = "internal chats", summary = "Write to a colleague", request_body = InternalText, params(("colleague" = UserId, Path, description = "an active agent or supervisor of your company")), responses((status = 201, description = "sent", body = InternalMessage), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn post_message(
    State(state): State<AppState>,
    caller: Caller,
    Path(colleague): Path<UserId>,
    Json(body): Json<InternalText>,
) -> Result<(StatusCode, Json<InternalMessage>), AppError> {
    Ok((StatusCode::CREATED, Json(write_to(&state, &caller, colleague, body.text).await?)))
}

#[utoipa::path(post, path = "/api/v1/colleagues/{colleague}/read", tag = "internal chats", summary = "You have read what the colleague wrote so far", params(("colleague" = UserId, Path, description = "an agent or supervisor of your company")), responses((status = 204, description = "done"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn post_read(
    State(state): State<AppState>,
    caller: Caller,
    Path(colleague): Path<UserId>,
) -> Result<StatusCode, AppError> {
    read_with(&state, &caller, colleague).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/colleagues", get(get_colleagues))
        .route("/api/v1/colleagues/{colleague}/messages", get(get_messages).post(post_message))
        .route("/api/v1/colleagues/{colleague}/read", post(post_read))
}
