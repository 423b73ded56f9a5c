//! Queues, their members and settings.

use crate::caller::Caller;
use crate::error::AppError;
use crate::http::common::ErrorBody;
use crate::services::queues::{configure_queue, create_queue, list_queues, rename_queue, set_membership, CreatedQueue};
use crate::state::AppState;
use axum::extract::Path;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, patch, put};
use axum::{Json, Router};
use domain::ids::{QueueId, UserId};
use domain::queue::QueueSettings;
use domain::user::Role;
use projections::queue_list::QueueRow;
use serde::Deserialize;

#[utoipa::path(put, path = "/api/v1/queues/{queue}/members/{agent}", tag = "queues", summary = "Add an agent to a queue", params(("queue" = QueueId, Path, description = "a queue of your company"), ("agent" = UserId, Path, description = "an agent of your company")), responses((status = 204, description = "done"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn put_member(
    State(state): State<AppState>,
    caller: Caller,
    Path((queue, agent)): Path<(QueueId, UserId)>,
) -> Result<StatusCode, AppError> {
    set_membership(&state, &caller, queue, agent, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/v1/queues/{queue}/members/{agent}", tag = "queues", summary = "Take an agent out of a queue", params(("queue" = QueueId, Path, description = "a queue of your company"), ("agent" = UserId, Path, description = "an agent of your company")), responses((status = 204, description = "done"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn delete_member(
    State(state): State<AppState>,
    caller: Caller,
    Path((queue, agent)): Path<(QueueId, UserId)>,
) -> Result<StatusCode, AppError> {
    set_membership(&state, &caller, queue, agent, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(patch, path = "/api/v1/queues/{queue}", tag = "queues", summary = "Rename a queue", request_body = NewQueue, params(("queue" = QueueId, Path, description = "a queue of your company")), responses((status = 204, description = "done"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn patch_queue(
    State(state): State<AppState>,
    caller: Caller,
    Path(queue): Path<QueueId>,
    Json(body): Json<NewQueue>,
) -> Result<StatusCode, AppError> {
    rename_queue(&state, &caller, queue, &body.name).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(put, path = "/api/v1/queues/{queue}/settings", tag = "queues", summary = "Waiting message and time to answer", request_body = QueueSettings, params(("queue" = QueueId, Path, description = "a queue of your company")), responses((status = 204, description = "done"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn put_queue_settings(
    State(state): State<AppState>,
    caller: Caller,
    Path(queue): Path<QueueId>,
    Json(body): Json<QueueSettings>,
) -> Result<StatusCode, AppError> {
    configure_queue(&state, &caller, queue, body).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct NewQueue {
    name: String,
}

#[utoipa::path(post, path = "/api/v1/queues", tag = "queues", summary = "Create a queue", request_body = NewQueue, responses((status = 201, description = "created", body = CreatedQueue), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
#[tracing::instrument(skip(state, caller, body))]
pub(crate) async fn post_queue(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<NewQueue>,
) -> Result<(StatusCode, Json<CreatedQueue>), AppError> {
    caller.require(&[Role::Supervisor])?;
    let created = create_queue(&state, &caller.context(state.clock.now()), &body.name).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[utoipa::path(get, path = "/api/v1/queues", tag = "queues", summary = "Queues with members and settings", responses((status = 200, description = "the queues", body = [QueueRow]), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn get_queues(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<projections::queue_list::QueueRow>>, AppError> {
    Ok(Json(list_queues(&state, caller.company_id).await?))
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/queues", get(get_queues).post(post_queue))
        .route("/api/v1/queues/{queue}/members/{agent}", put(put_member).delete(delete_member))
        .route("/api/v1/queues/{queue}", patch(patch_queue))
        .route("/api/v1/queues/{queue}/settings", put(put_queue_settings))
}
