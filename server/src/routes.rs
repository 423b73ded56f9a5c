//! HTTP endpoints outside the Leptos pages: health, metrics, the REST API and the live stream.

use crate::agents::{change_agent, create_agent, list_agents, AgentRow, NewAgent};
use crate::error::AppError;
use crate::metrics::ProjectionLag;
use crate::pauses::{change_reasons, pause, resume, set_capacity};
use crate::people::{expired_session_cookie, session_cookie, sign_in, sign_out, Caller};
use crate::queues::{create_queue, list_queues, set_membership, CreatedQueue};
use crate::startup::AppState;
use axum::extract::Path;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post, put};
use axum::{Json, Router};
use domain::ids::{QueueId, UserId};
use domain::pause::PauseReasonCommand;
use domain::user::Role;
use domain::user::UserCommand;
use futures::Stream;
use projections::agent_board::{AgentBoard, ReasonRow};
use serde::Deserialize;
use std::convert::Infallible;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::StreamExt;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .route("/api/v1/session", get(get_session).post(post_session).delete(delete_session))
        .route("/api/v1/queues", get(get_queues).post(post_queue))
        .route("/api/v1/agents", get(get_agents).post(post_agent))
        .route("/api/v1/queues/{queue}/members/{agent}", put(put_member).delete(delete_member))
        .route("/api/v1/agents/{agent}", patch(patch_agent))
        .route("/api/v1/agents/{agent}/deactivate", post(post_deactivate))
        .route("/api/v1/agents/{agent}/capacity", put(put_capacity))
        .route("/api/v1/pause-reasons", get(get_reasons).post(post_reason))
        .route("/api/v1/pause-reasons/{reason}", patch(patch_reason).delete(delete_reason))
        .route("/api/v1/me/pause", post(post_pause))
        .route("/api/v1/me/resume", post(post_resume))
        .route("/api/v1/live", get(live))
}

/// Counts every answered request by method and status.
pub async fn count_requests(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let method = request.method().to_string();
    let response = next.run(request).await;
    state.metrics.request(&method, response.status().as_u16());
    response
}

/// Lag is counted exactly up to this many events; beyond it the gauge reads this figure.
const LAG_COUNTED_UP_TO: usize = 10_000;

async fn projection_lags(state: &AppState) -> Result<Vec<ProjectionLag>, AppError> {
    let head = state.log.head().await?;
    let mut lags = Vec::new();
    for runner in state.projections.iter() {
        let checkpoint = runner.checkpoint().await.map_err(|e| AppError::Internal(e.to_string()))?;
        let behind =
            if checkpoint >= head { 0 } else { state.log.read_all(checkpoint, LAG_COUNTED_UP_TO).await?.len() as u64 };
        lags.push(ProjectionLag {
            name: runner.projection().name(),
            version: runner.projection().version(),
            events_behind: behind,
        });
    }
    Ok(lags)
}

#[tracing::instrument(skip(state))]
async fn healthz(State(state): State<AppState>) -> Response {
    match projection_lags(&state).await {
        Ok(lags) => {
            let projections: serde_json::Map<String, serde_json::Value> = lags
                .iter()
                .map(|lag| {
                    (lag.name.to_string(), serde_json::json!({ "version": lag.version, "lag": lag.events_behind }))
                })
                .collect();
            let head = state.log.head().await.map(|p| p.to_string()).unwrap_or_default();
            Json(serde_json::json!({
                "status": "ok",
                "store": { "backend": state.log.backend(), "state": "reachable", "head": head },
                "projections": projections,
            }))
            .into_response()
        }
        Err(error) => {
            tracing::error!(%error, "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({
                    "status": "unavailable",
                    "store": { "backend": state.log.backend(), "state": "unreachable" },
                })),
            )
                .into_response()
        }
    }
}

async fn metrics(State(state): State<AppState>) -> Response {
    let lags = projection_lags(&state).await.unwrap_or_default();
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], state.metrics.render(&lags)).into_response()
}

#[derive(Deserialize)]
struct Credentials {
    email: String,
    password: String,
}

fn signed_in(caller: &Caller) -> serde_json::Value {
    serde_json::json!({
        "user_id": caller.user_id,
        "company_id": caller.company_id,
        "name": caller.name,
        "role": caller.role.as_str(),
    })
}

async fn post_session(State(state): State<AppState>, Json(body): Json<Credentials>) -> Result<Response, AppError> {
    let (token, caller) = sign_in(&state, &body.email, &body.password).await?;
    Ok(([(header::SET_COOKIE, session_cookie(&token))], Json(signed_in(&caller))).into_response())
}

async fn get_session(caller: Caller) -> Json<serde_json::Value> {
    Json(signed_in(&caller))
}

async fn delete_session(State(state): State<AppState>, caller: Caller) -> Result<Response, AppError> {
    sign_out(&state, &caller).await?;
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, expired_session_cookie())]).into_response())
}

async fn post_agent(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<NewAgent>,
) -> Result<(StatusCode, Json<AgentRow>), AppError> {
    Ok((StatusCode::CREATED, Json(create_agent(&state, &caller, &body).await?)))
}

async fn get_agents(State(state): State<AppState>, caller: Caller) -> Result<Json<Vec<AgentRow>>, AppError> {
    Ok(Json(list_agents(&state, &caller).await?))
}

async fn put_member(
    State(state): State<AppState>,
    caller: Caller,
    Path((queue, agent)): Path<(QueueId, UserId)>,
) -> Result<StatusCode, AppError> {
    set_membership(&state, &caller, queue, agent, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn delete_member(
    State(state): State<AppState>,
    caller: Caller,
    Path((queue, agent)): Path<(QueueId, UserId)>,
) -> Result<StatusCode, AppError> {
    set_membership(&state, &caller, queue, agent, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct AgentChanges {
    name: String,
}

async fn patch_agent(
    State(state): State<AppState>,
    caller: Caller,
    Path(agent): Path<UserId>,
    Json(body): Json<AgentChanges>,
) -> Result<StatusCode, AppError> {
    change_agent(&state, &caller, agent, UserCommand::Rename { name: body.name }).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn post_deactivate(
    State(state): State<AppState>,
    caller: Caller,
    Path(agent): Path<UserId>,
) -> Result<StatusCode, AppError> {
    change_agent(&state, &caller, agent, UserCommand::Deactivate).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct Capacity {
    capacity: u32,
}

async fn put_capacity(
    State(state): State<AppState>,
    caller: Caller,
    Path(agent): Path<UserId>,
    Json(body): Json<Capacity>,
) -> Result<StatusCode, AppError> {
    set_capacity(&state, &caller, agent, body.capacity).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct ReasonName {
    name: String,
}

async fn get_reasons(State(state): State<AppState>, caller: Caller) -> Result<Json<Vec<ReasonRow>>, AppError> {
    Ok(Json(AgentBoard.reasons_of(&state.store, &caller.company_id.to_string()).await?))
}

async fn post_reason(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<ReasonName>,
) -> Result<(StatusCode, Json<serde_json::Value>), AppError> {
    let reason_id = uuid::Uuid::now_v7();
    change_reasons(&state, &caller, PauseReasonCommand::Create { reason_id, name: body.name }).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": reason_id }))))
}

async fn patch_reason(
    State(state): State<AppState>,
    caller: Caller,
    Path(reason_id): Path<uuid::Uuid>,
    Json(body): Json<ReasonName>,
) -> Result<StatusCode, AppError> {
    change_reasons(&state, &caller, PauseReasonCommand::Rename { reason_id, name: body.name }).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn delete_reason(
    State(state): State<AppState>,
    caller: Caller,
    Path(reason_id): Path<uuid::Uuid>,
) -> Result<StatusCode, AppError> {
    change_reasons(&state, &caller, PauseReasonCommand::Retire { reason_id }).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct PauseRequest {
    reason_id: uuid::Uuid,
}

async fn post_pause(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<PauseRequest>,
) -> Result<StatusCode, AppError> {
    pause(&state, &caller, body.reason_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn post_resume(State(state): State<AppState>, caller: Caller) -> Result<StatusCode, AppError> {
    resume(&state, &caller).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct NewQueue {
    name: String,
}

#[tracing::instrument(skip(state, caller, body))]
async fn post_queue(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<NewQueue>,
) -> Result<(StatusCode, Json<CreatedQueue>), AppError> {
    caller.require(&[Role::Supervisor])?;
    let created = create_queue(&state, &caller.context(), &body.name).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

async fn get_queues(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<projections::queue_list::QueueRow>>, AppError> {
    Ok(Json(list_queues(&state, caller.company_id).await?))
}

/// Server-sent events: one event per change of a topic the caller's company's pages show.
async fn live(State(state): State<AppState>, caller: Caller) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let company = caller.company_id.as_uuid();
    let changes = BroadcastStream::new(state.live.subscribe()).filter_map(move |change| match change {
        Ok(change) if change.company_id == company => Some(Ok(Event::default().event(change.topic).data("changed"))),
        _ => None,
    });
    Sse::new(changes).keep_alive(KeepAlive::default())
}
