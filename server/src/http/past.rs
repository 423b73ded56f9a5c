//! Time travel over HTTP (supervisors, auditors): the chats, one chat, the agents and a report as
//! they stood at a chosen moment, read-only.

use crate::caller::Caller;
use crate::error::AppError;
use crate::http::common::ErrorBody;
use crate::services::agents::{list_agents, AgentRow};
use crate::services::chats::{list_chats, read_chat, ChatWithMessages};
use crate::services::reports::{report, Report, ReportQuery};
use crate::state::AppState;
use crate::time_travel::as_of;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use domain::ids::ChatId;
use projections::chat_board::ChatRow;

/// The moment to read: RFC 3339, by the business clock; not later than now.
#[derive(serde::Deserialize, utoipa::IntoParams)]
pub(crate) struct Moment {
    at: chrono::DateTime<chrono::Utc>,
}

#[utoipa::path(get, path = "/api/v1/past/chats", tag = "history", summary = "The open chats as they stood at a moment (the monitor's list then)", params(Moment), responses((status = 200, description = "the chats then", body = [ChatRow]), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn get_past_chats(
    State(state): State<AppState>,
    caller: Caller,
    Query(moment): Query<Moment>,
) -> Result<Json<Vec<ChatRow>>, AppError> {
    let past = as_of(&state, &caller, moment.at).await?;
    Ok(Json(list_chats(&past, &caller).await?))
}

#[utoipa::path(get, path = "/api/v1/past/chats/{chat}", tag = "history", summary = "One chat with its messages as they stood at a moment", params(("chat" = ChatId, Path, description = "a chat of your company"), Moment), responses((status = 200, description = "the chat then", body = ChatWithMessages), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn get_past_chat(
    State(state): State<AppState>,
    caller: Caller,
    Path(chat): Path<ChatId>,
    Query(moment): Query<Moment>,
) -> Result<Json<ChatWithMessages>, AppError> {
    let past = as_of(&state, &caller, moment.at).await?;
    Ok(Json(read_chat(&past, &caller, chat).await?))
}

#[utoipa::path(get, path = "/api/v1/past/agents", tag = "history", summary = "The agents, their states and pauses as they stood at a moment (the monitor's agents then)", params(Moment), responses((status = 200, description = "the agents then", body = [AgentRow]), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn get_past_agents(
    State(state): State<AppState>,
    caller: Caller,
    Query(moment): Query<Moment>,
) -> Result<Json<Vec<AgentRow>>, AppError> {
    let past = as_of(&state, &caller, moment.at).await?;
    Ok(Json(list_agents(&past, &caller).await?))
}

#[utoipa::path(get, path = "/api/v1/past/reports", tag = "history", summary = "A report as it read at a moment: what was pending, following and open then, and the days' figures as the log held them then", params(Moment, ReportQuery), responses((status = 200, description = "the report then", body = Report), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn get_past_report(
    State(state): State<AppState>,
    caller: Caller,
    Query(moment): Query<Moment>,
    Query(query): Query<ReportQuery>,
) -> Result<Json<Report>, AppError> {
    let past = as_of(&state, &caller, moment.at).await?;
    Ok(Json(report(&past, &caller, &query).await?))
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/past/chats", get(get_past_chats))
        .route("/api/v1/past/chats/{chat}", get(get_past_chat))
        .route("/api/v1/past/agents", get(get_past_agents))
        .route("/api/v1/past/reports", get(get_past_report))
}
