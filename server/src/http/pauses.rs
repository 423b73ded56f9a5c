//! Pause reasons, and agents pausing and resuming.

use crate::caller::Caller;
use crate::error::AppError;
use crate::http::common::ErrorBody;
use crate::services::pauses::{change_reasons, pause, resume};
use crate::state::AppState;
use axum::extract::Path;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use domain::pause::PauseReasonCommand;
use projections::agent_board::{AgentBoard, ReasonRow};
use serde::Deserialize;

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct ReasonName {
    name: String,
}

#[utoipa::path(get, path = "/api/v1/pause-reasons", tag = "pauses", summary = "Pause reasons", responses((status = 200, description = "the reasons", body = [ReasonRow]), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn get_reasons(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<ReasonRow>>, AppError> {
    Ok(Json(AgentBoard.reasons_of(&state.store, &caller.company_id.to_string()).await?))
}

#[utoipa::path(post, path = "/api/v1/pause-reasons", tag = "pauses", summary = "Create a pause reason", request_body = ReasonName, responses((status = 201, description = "created", body = Object), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn post_reason(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<ReasonName>,
) -> Result<(StatusCode, Json<serde_json::Value>), AppError> {
    let reason_id = uuid::Uuid::now_v7();
    change_reasons(&state, &caller, PauseReasonCommand::Create { reason_id, name: body.name }).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": reason_id }))))
}

#[utoipa::path(patch, path = "/api/v1/pause-reasons/{reason}", tag = "pauses", summary = "Rename a pause reason", request_body = ReasonName, params(("reason" = uuid::Uuid, Path, description = "a pause reason")), responses((status = 204, description = "done"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn patch_reason(
    State(state): State<AppState>,
    caller: Caller,
    Path(reason_id): Path<uuid::Uuid>,
    Json(body): Json<ReasonName>,
) -> Result<StatusCode, AppError> {
    change_reasons(&state, &caller, PauseReasonCommand::Rename { reason_id, name: body.name }).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/v1/pause-reasons/{reason}", tag = "pauses", summary = "Retire a pause reason", params(("reason" = uuid::Uuid, Path, description = "a pause reason")), responses((status = 204, description = "done"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn delete_reason(
    State(state): State<AppState>,
    caller: Caller,
    Path(reason_id): Path<uuid::Uuid>,
) -> Result<StatusCode, AppError> {
    change_reasons(&state, &caller, PauseReasonCommand::Retire { reason_id }).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct PauseRequest {
    reason_id: uuid::Uuid,
}

#[utoipa::path(post, path = "/api/v1/me/pause", tag = "pauses", summary = "The signed-in agent pauses", request_body = PauseRequest, responses((status = 204, description = "done"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn post_pause(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<PauseRequest>,
) -> Result<StatusCode, AppError> {
    pause(&state, &caller, body.reason_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/me/resume", tag = "pauses", summary = "The signed-in agent resumes", responses((status = 204, description = "done"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn post_resume(State(state): State<AppState>, caller: Caller) -> Result<StatusCode, AppError> {
    resume(&state, &caller).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/pause-reasons", get(get_reasons).post(post_reason))
        .route("/api/v1/pause-reasons/{reason}", patch(patch_reason).delete(delete_reason))
        .route("/api/v1/me/pause", post(post_pause))
        .route("/api/v1/me/resume", post(post_resume))
}
