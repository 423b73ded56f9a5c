//! Agents, supervisors and auditors of a company.

use crate::caller::Caller;
use crate::error::AppError;
use crate::http::common::ErrorBody;
use crate::services::agents::{
    change_agent, create_agent, create_colleague, deactivate_colleague, list_agents, AgentRow, NewAgent,
};
use crate::services::pauses::set_capacity;
use crate::state::AppState;
use axum::extract::Path;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, patch, post, put};
use axum::{Json, Router};
use domain::ids::UserId;
use domain::user::Role;
use domain::user::UserCommand;
use serde::Deserialize;

#[utoipa::path(post, path = "/api/v1/agents", tag = "people", summary = "Create an agent (supervisors)", request_body = NewAgent, responses((status = 201, description = "created", body = AgentRow), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn post_agent(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<NewAgent>,
) -> Result<(StatusCode, Json<AgentRow>), AppError> {
    Ok((StatusCode::CREATED, Json(create_agent(&state, &caller, &body).await?)))
}

#[utoipa::path(post, path = "/api/v1/auditors", tag = "people", summary = "Create an auditor (supervisors)", request_body = NewAgent, responses((status = 201, description = "created", body = Object), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn post_auditor(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<NewAgent>,
) -> Result<(StatusCode, Json<serde_json::Value>), AppError> {
    Ok((StatusCode::CREATED, Json(create_colleague(&state, &caller, &body, Role::Auditor).await?)))
}

#[utoipa::path(post, path = "/api/v1/supervisors", tag = "people", summary = "Create a supervisor (supervisors)", request_body = NewAgent, responses((status = 201, description = "created", body = Object), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn post_supervisor(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<NewAgent>,
) -> Result<(StatusCode, Json<serde_json::Value>), AppError> {
    Ok((StatusCode::CREATED, Json(create_colleague(&state, &caller, &body, Role::Supervisor).await?)))
}

#[utoipa::path(get, path = "/api/v1/agents", tag = "people", summary = "Agents with capacity, pause and presence", responses((status = 200, description = "the agents", body = [AgentRow]), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn get_agents(State(state): State<AppState>, caller: Caller) -> Result<Json<Vec<AgentRow>>, AppError> {
    Ok(Json(list_agents(&state, &caller).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct AgentChanges {
    name: String,
}

#[utoipa::path(patch, path = "/api/v1/agents/{agent}", tag = "people", summary = "Rename an agent", request_body = AgentChanges, params(("agent" = UserId, Path, description = "an agent of your company")), responses((status = 204, description = "done"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn patch_agent(
    State(state): State<AppState>,
    caller: Caller,
    Path(agent): Path<UserId>,
    Json(body): Json<AgentChanges>,
) -> Result<StatusCode, AppError> {
    change_agent(&state, &caller, agent, UserCommand::Rename { name: body.name }).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/agents/{agent}/deactivate", tag = "people", summary = "Deactivate an agent (signed out everywhere)", params(("agent" = UserId, Path, description = "an agent of your company")), responses((status = 204, description = "done"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn post_deactivate(
    State(state): State<AppState>,
    caller: Caller,
    Path(agent): Path<UserId>,
) -> Result<StatusCode, AppError> {
    change_agent(&state, &caller, agent, UserCommand::Deactivate).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/supervisors/{user}/deactivate", tag = "people", summary = "Deactivate a supervisor (signed out everywhere); the company keeps one", params(("user" = UserId, Path, description = "a supervisor of your company")), responses((status = 204, description = "done"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn post_deactivate_supervisor(
    State(state): State<AppState>,
    caller: Caller,
    Path(user): Path<UserId>,
) -> Result<StatusCode, AppError> {
    deactivate_colleague(&state, &caller, user, Role::Supervisor).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/auditors/{user}/deactivate", tag = "people", summary = "Deactivate an auditor (signed out everywhere)", params(("user" = UserId, Path, description = "an auditor of your company")), responses((status = 204, description = "done"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn post_deactivate_auditor(
    State(state): State<AppState>,
    caller: Caller,
    Path(user): Path<UserId>,
) -> Result<StatusCode, AppError> {
    deactivate_colleague(&state, &caller, user, Role::Auditor).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct Capacity {
    capacity: u32,
}

#[utoipa::path(put, path = "/api/v1/agents/{agent}/capacity", tag = "people", summary = "Set how many chats an agent handles at once", request_body = Capacity, params(("agent" = UserId, Path, description = "an agent of your company")), responses((status = 204, description = "done"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn put_capacity(
    State(state): State<AppState>,
    caller: Caller,
    Path(agent): Path<UserId>,
    Json(body): Json<Capacity>,
) -> Result<StatusCode, AppError> {
    set_capacity(&state, &caller, agent, body.capacity).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/agents", get(get_agents).post(post_agent))
        .route("/api/v1/auditors", post(post_auditor))
        .route("/api/v1/supervisors", post(post_supervisor))
        .route("/api/v1/agents/{agent}", patch(patch_agent))
        .route("/api/v1/agents/{agent}/deactivate", post(post_deactivate))
        .route("/api/v1/supervisors/{user}/deactivate", post(post_deactivate_supervisor))
        .route("/api/v1/auditors/{user}/deactivate", post(post_deactivate_auditor))
        .route("/api/v1/agents/{agent}/capacity", put(put_capacity))
}
