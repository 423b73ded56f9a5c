//! HTTP endpoints outside the Leptos pages: health, metrics, the REST API and the live stream.

use crate::agents::{change_agent, create_agent, create_colleague, list_agents, AgentRow, NewAgent};
use crate::chats::{
    chat_history, list_chats, read_chat, reply, resolve, resolve_many, set_own_agent, transfer, BulkOutcome,
    ChatWithMessages, HistoryEntry, SentMessage,
};
use crate::companies::{
    change_limits, company_use, create_company, require_operator, CompanyUse, CreatedCompany, NewCompany,
};
use crate::contacts::{record_provider_consent, ProviderConsent, RecordedProviderConsent};
use crate::error::AppError;
use crate::lines::{
    change_line_routing, company_of_key, create_api_key, create_line, list_api_keys, list_lines, receive_message,
    revoke_api_key, set_offline_policy, AcceptedMessage, CreatedApiKey, CreatedLine, InboundMessage, NewLine,
};
use crate::metrics::ProjectionLag;
use crate::openapi::ErrorBody;
use crate::pauses::{change_reasons, pause, resume, set_capacity};
use crate::people::{expired_session_cookie, session_cookie, sign_in, sign_out, Caller};
use crate::presence;
use crate::queues::{configure_queue, create_queue, list_queues, rename_queue, set_membership, CreatedQueue};
use crate::startup::AppState;
use axum::extract::ws::{WebSocket, WebSocketUpgrade};
use axum::extract::Path;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, patch, post, put};
use axum::{Json, Router};
use domain::chat::TransferTarget;
use domain::company::CompanyLimits;
use domain::ids::{ChatId, CompanyId, LineId, QueueId, UserId};
use domain::line::{LineRouting, OfflinePolicy};
use domain::pause::PauseReasonCommand;
use domain::queue::QueueSettings;
use domain::user::Role;
use domain::user::UserCommand;
use futures::Stream;
use projections::agent_board::{AgentBoard, ReasonRow};
use projections::chat_board::ChatRow;
use projections::lines::{ApiKeyRow, LineRow};
use projections::queue_list::QueueRow;
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
        .route("/api/v1/auditors", post(post_auditor))
        .route("/api/v1/supervisors", post(post_supervisor))
        .route("/api/v1/queues/{queue}/members/{agent}", put(put_member).delete(delete_member))
        .route("/api/v1/queues/{queue}", patch(patch_queue))
        .route("/api/v1/queues/{queue}/settings", put(put_queue_settings))
        .route("/api/v1/agents/{agent}", patch(patch_agent))
        .route("/api/v1/agents/{agent}/deactivate", post(post_deactivate))
        .route("/api/v1/agents/{agent}/capacity", put(put_capacity))
        .route("/api/v1/pause-reasons", get(get_reasons).post(post_reason))
        .route("/api/v1/pause-reasons/{reason}", patch(patch_reason).delete(delete_reason))
        .route("/api/v1/me/pause", post(post_pause))
        .route("/api/v1/me/resume", post(post_resume))
        .route("/api/v1/live", get(live))
        .route("/api/v1/openapi.json", get(crate::openapi::document))
        .route("/api/docs", get(crate::openapi::page))
        .route("/api/v1/ws", get(websocket))
        .route("/api/v1/companies", post(post_company))
        .route("/api/v1/companies/{company}/limits", put(put_company_limits))
        .route("/api/v1/company", get(get_company))
        .route("/api/v1/api-keys", get(get_api_keys).post(post_api_key))
        .route("/api/v1/api-keys/{key}", delete(delete_api_key))
        .route("/api/v1/lines", get(get_lines).post(post_line))
        .route("/api/v1/lines/{line}/routing", put(put_line_routing))
        .route("/api/v1/lines/{line}/messages", post(post_inbound_message))
        .route("/api/v1/lines/{line}/consents", post(post_provider_consent))
        .route("/api/v1/lines/{line}/offline-policy", put(put_offline_policy))
        .route("/api/v1/chats/{chat}/own-agent", put(put_own_agent))
        .route("/api/v1/chats", get(get_chats))
        .route("/api/v1/chats/resolve", post(post_resolve_many))
        .route("/api/v1/chats/{chat}", get(get_chat))
        .route("/api/v1/chats/{chat}/history", get(get_chat_history))
        .route("/api/v1/chats/{chat}/messages", post(post_reply))
        .route("/api/v1/chats/{chat}/resolve", post(post_resolve))
        .route("/api/v1/chats/{chat}/transfer", post(post_transfer))
        .merge(crate::widget_api::router())
        .merge(crate::contacts_api::router())
}

/// Only the widget's room may be shown inside other sites' pages; every other page of ours refuses
/// to be framed, so no site can dress our console up to trick a signed-in user into clicks.
pub async fn frame_policy(request: Request, next: Next) -> Response {
    let framed_by_anyone = request.uri().path().starts_with("/widget/");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if framed_by_anyone {
        headers.insert(header::CONTENT_SECURITY_POLICY, axum::http::HeaderValue::from_static("frame-ancestors *"));
    } else {
        headers.insert(header::CONTENT_SECURITY_POLICY, axum::http::HeaderValue::from_static("frame-ancestors 'none'"));
        headers.insert(header::X_FRAME_OPTIONS, axum::http::HeaderValue::from_static("DENY"));
    }
    response
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
        let checkpoint = runner.shown().await.map_err(|e| AppError::Internal(e.to_string()))?;
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

#[utoipa::path(get, path = "/healthz", tag = "operations", summary = "Store reachability, head of the log, lag of each projection", responses((status = 200, description = "healthy", body = Object), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)))]
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

#[utoipa::path(get, path = "/metrics", tag = "operations", summary = "Prometheus metrics", responses((status = 200, description = "metrics in the text format", content_type = "text/plain"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)))]
async fn metrics(State(state): State<AppState>) -> Response {
    let lags = projection_lags(&state).await.unwrap_or_default();
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], state.metrics.render(&lags)).into_response()
}

#[derive(Deserialize, utoipa::ToSchema)]
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

#[utoipa::path(post, path = "/api/v1/session", tag = "sign-in", summary = "Sign in; sets the session cookie", request_body = Credentials, responses((status = 200, description = "signed in", body = Object), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)))]
async fn post_session(State(state): State<AppState>, Json(body): Json<Credentials>) -> Result<Response, AppError> {
    let (token, caller) = sign_in(&state, &body.email, &body.password).await?;
    Ok(([(header::SET_COOKIE, session_cookie(&token))], Json(signed_in(&caller))).into_response())
}

#[utoipa::path(get, path = "/api/v1/session", tag = "sign-in", summary = "Who is signed in", responses((status = 200, description = "the caller", body = Object), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
async fn get_session(caller: Caller) -> Json<serde_json::Value> {
    Json(signed_in(&caller))
}

#[utoipa::path(delete, path = "/api/v1/session", tag = "sign-in", summary = "Sign out", responses((status = 204, description = "done"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
async fn delete_session(State(state): State<AppState>, caller: Caller) -> Result<Response, AppError> {
    sign_out(&state, &caller).await?;
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, expired_session_cookie())]).into_response())
}

#[utoipa::path(post, path = "/api/v1/agents", tag = "people", summary = "Create an agent (supervisors)", request_body = NewAgent, responses((status = 201, description = "created", body = AgentRow), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
async fn post_agent(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<NewAgent>,
) -> Result<(StatusCode, Json<AgentRow>), AppError> {
    Ok((StatusCode::CREATED, Json(create_agent(&state, &caller, &body).await?)))
}

#[utoipa::path(post, path = "/api/v1/auditors", tag = "people", summary = "Create an auditor (supervisors)", request_body = NewAgent, responses((status = 201, description = "created", body = Object), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
async fn post_auditor(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<NewAgent>,
) -> Result<(StatusCode, Json<serde_json::Value>), AppError> {
    Ok((StatusCode::CREATED, Json(create_colleague(&state, &caller, &body, Role::Auditor).await?)))
}

#[utoipa::path(post, path = "/api/v1/supervisors", tag = "people", summary = "Create a supervisor (supervisors)", request_body = NewAgent, responses((status = 201, description = "created", body = Object), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
async fn post_supervisor(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<NewAgent>,
) -> Result<(StatusCode, Json<serde_json::Value>), AppError> {
    Ok((StatusCode::CREATED, Json(create_colleague(&state, &caller, &body, Role::Supervisor).await?)))
}

#[utoipa::path(get, path = "/api/v1/agents", tag = "people", summary = "Agents with capacity, pause and presence", responses((status = 200, description = "the agents", body = [AgentRow]), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
async fn get_agents(State(state): State<AppState>, caller: Caller) -> Result<Json<Vec<AgentRow>>, AppError> {
    Ok(Json(list_agents(&state, &caller).await?))
}

#[utoipa::path(put, path = "/api/v1/queues/{queue}/members/{agent}", tag = "queues", summary = "Add an agent to a queue", params(("queue" = QueueId, Path, description = "a queue of your company"), ("agent" = UserId, Path, description = "an agent of your company")), responses((status = 204, description = "done"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
async fn put_member(
    State(state): State<AppState>,
    caller: Caller,
    Path((queue, agent)): Path<(QueueId, UserId)>,
) -> Result<StatusCode, AppError> {
    set_membership(&state, &caller, queue, agent, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/v1/queues/{queue}/members/{agent}", tag = "queues", summary = "Take an agent out of a queue", params(("queue" = QueueId, Path, description = "a queue of your company"), ("agent" = UserId, Path, description = "an agent of your company")), responses((status = 204, description = "done"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
async fn delete_member(
    State(state): State<AppState>,
    caller: Caller,
    Path((queue, agent)): Path<(QueueId, UserId)>,
) -> Result<StatusCode, AppError> {
    set_membership(&state, &caller, queue, agent, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(patch, path = "/api/v1/queues/{queue}", tag = "queues", summary = "Rename a queue", request_body = NewQueue, params(("queue" = QueueId, Path, description = "a queue of your company")), responses((status = 204, description = "done"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
async fn patch_queue(
    State(state): State<AppState>,
    caller: Caller,
    Path(queue): Path<QueueId>,
    Json(body): Json<NewQueue>,
) -> Result<StatusCode, AppError> {
    rename_queue(&state, &caller, queue, &body.name).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(put, path = "/api/v1/queues/{queue}/settings", tag = "queues", summary = "Waiting message and time to answer", request_body = QueueSettings, params(("queue" = QueueId, Path, description = "a queue of your company")), responses((status = 204, description = "done"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
async fn put_queue_settings(
    State(state): State<AppState>,
    caller: Caller,
    Path(queue): Path<QueueId>,
    Json(body): Json<QueueSettings>,
) -> Result<StatusCode, AppError> {
    configure_queue(&state, &caller, queue, body).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
struct AgentChanges {
    name: String,
}

#[utoipa::path(patch, path = "/api/v1/agents/{agent}", tag = "people", summary = "Rename an agent", request_body = AgentChanges, params(("agent" = UserId, Path, description = "an agent of your company")), responses((status = 204, description = "done"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
async fn patch_agent(
    State(state): State<AppState>,
    caller: Caller,
    Path(agent): Path<UserId>,
    Json(body): Json<AgentChanges>,
) -> Result<StatusCode, AppError> {
    change_agent(&state, &caller, agent, UserCommand::Rename { name: body.name }).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/agents/{agent}/deactivate", tag = "people", summary = "Deactivate an agent (signed out everywhere)", params(("agent" = UserId, Path, description = "an agent of your company")), responses((status = 204, description = "done"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
async fn post_deactivate(
    State(state): State<AppState>,
    caller: Caller,
    Path(agent): Path<UserId>,
) -> Result<StatusCode, AppError> {
    change_agent(&state, &caller, agent, UserCommand::Deactivate).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
struct Capacity {
    capacity: u32,
}

#[utoipa::path(put, path = "/api/v1/agents/{agent}/capacity", tag = "people", summary = "Set how many chats an agent handles at once", request_body = Capacity, params(("agent" = UserId, Path, description = "an agent of your company")), responses((status = 204, description = "done"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
async fn put_capacity(
    State(state): State<AppState>,
    caller: Caller,
    Path(agent): Path<UserId>,
    Json(body): Json<Capacity>,
) -> Result<StatusCode, AppError> {
    set_capacity(&state, &caller, agent, body.capacity).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
struct ReasonName {
    name: String,
}

#[utoipa::path(get, path = "/api/v1/pause-reasons", tag = "pauses", summary = "Pause reasons", responses((status = 200, description = "the reasons", body = [ReasonRow]), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
async fn get_reasons(State(state): State<AppState>, caller: Caller) -> Result<Json<Vec<ReasonRow>>, AppError> {
    Ok(Json(AgentBoard.reasons_of(&state.store, &caller.company_id.to_string()).await?))
}

#[utoipa::path(post, path = "/api/v1/pause-reasons", tag = "pauses", summary = "Create a pause reason", request_body = ReasonName, responses((status = 201, description = "created", body = Object), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
async fn post_reason(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<ReasonName>,
) -> Result<(StatusCode, Json<serde_json::Value>), AppError> {
    let reason_id = uuid::Uuid::now_v7();
    change_reasons(&state, &caller, PauseReasonCommand::Create { reason_id, name: body.name }).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": reason_id }))))
}

#[utoipa::path(patch, path = "/api/v1/pause-reasons/{reason}", tag = "pauses", summary = "Rename a pause reason", request_body = ReasonName, params(("reason" = uuid::Uuid, Path, description = "a pause reason")), responses((status = 204, description = "done"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
async fn patch_reason(
    State(state): State<AppState>,
    caller: Caller,
    Path(reason_id): Path<uuid::Uuid>,
    Json(body): Json<ReasonName>,
) -> Result<StatusCode, AppError> {
    change_reasons(&state, &caller, PauseReasonCommand::Rename { reason_id, name: body.name }).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/v1/pause-reasons/{reason}", tag = "pauses", summary = "Retire a pause reason", params(("reason" = uuid::Uuid, Path, description = "a pause reason")), responses((status = 204, description = "done"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
async fn delete_reason(
    State(state): State<AppState>,
    caller: Caller,
    Path(reason_id): Path<uuid::Uuid>,
) -> Result<StatusCode, AppError> {
    change_reasons(&state, &caller, PauseReasonCommand::Retire { reason_id }).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
struct PauseRequest {
    reason_id: uuid::Uuid,
}

#[utoipa::path(post, path = "/api/v1/me/pause", tag = "pauses", summary = "The signed-in agent pauses", request_body = PauseRequest, responses((status = 204, description = "done"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
async fn post_pause(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<PauseRequest>,
) -> Result<StatusCode, AppError> {
    pause(&state, &caller, body.reason_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/me/resume", tag = "pauses", summary = "The signed-in agent resumes", responses((status = 204, description = "done"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
async fn post_resume(State(state): State<AppState>, caller: Caller) -> Result<StatusCode, AppError> {
    resume(&state, &caller).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
struct NewQueue {
    name: String,
}

#[utoipa::path(post, path = "/api/v1/queues", tag = "queues", summary = "Create a queue", request_body = NewQueue, responses((status = 201, description = "created", body = CreatedQueue), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
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

#[utoipa::path(get, path = "/api/v1/queues", tag = "queues", summary = "Queues with members and settings", responses((status = 200, description = "the queues", body = [QueueRow]), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
async fn get_queues(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<projections::queue_list::QueueRow>>, AppError> {
    Ok(Json(list_queues(&state, caller.company_id).await?))
}

/// Server-sent events: one event per change of a topic the caller's pages show.
#[utoipa::path(get, path = "/api/v1/live", tag = "live", summary = "Server-sent events: a topic each time a page's data changed", responses((status = 200, description = "an event stream", content_type = "text/event-stream"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
async fn live(State(state): State<AppState>, caller: Caller) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let changes = BroadcastStream::new(state.live.subscribe()).filter_map(move |change| match change {
        Ok(change) if change.concerns(&caller) => Some(Ok(Event::default().event(change.topic).data("changed"))),
        _ => None,
    });
    Sse::new(changes).keep_alive(KeepAlive::default())
}

/// The live connection: pushes `{"topic": …}` for every change that concerns the caller, and keeps
/// an agent online while it is open.
#[utoipa::path(get, path = "/api/v1/ws", tag = "live", summary = "The live WebSocket; an agent is online while it is open", responses((status = 101, description = "switching to the WebSocket protocol"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
async fn websocket(State(state): State<AppState>, caller: Caller, upgrade: WebSocketUpgrade) -> Response {
    upgrade.on_upgrade(move |socket| follow_live(state, caller, socket))
}

async fn follow_live(state: AppState, caller: Caller, mut socket: WebSocket) {
    let mut changes = state.live.subscribe();
    if let Err(error) = presence::connected(&state, &caller).await {
        tracing::warn!(%error, "presence could not be recorded");
    }
    crate::live::push_changes(&mut changes, &mut socket, |change| change.concerns(&caller).then_some(change.topic))
        .await;
    if let Err(error) = presence::disconnected(&state, &caller).await {
        tracing::warn!(%error, "presence could not be recorded");
    }
}

/// A JSON body, or a 400 that says what is wrong with it.
pub(crate) fn parse_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
    serde_json::from_slice(body).map_err(|e| AppError::Malformed(format!("the body is not valid: {e}")))
}

/// The installation operator creates a company with its first supervisor.
#[utoipa::path(post, path = "/api/v1/companies", tag = "companies", summary = "Create a company and its first supervisor (operator)", request_body = NewCompany, responses((status = 201, description = "created", body = CreatedCompany), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("operator" = [])))]
async fn post_company(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<CreatedCompany>), AppError> {
    require_operator(&state, bearer(&headers))?;
    let company: NewCompany = parse_body(&body)?;
    Ok((StatusCode::CREATED, Json(create_company(&state, &company).await?)))
}

#[utoipa::path(put, path = "/api/v1/companies/{company}/limits", tag = "companies", summary = "Set a company's limits (operator)", request_body = CompanyLimits, params(("company" = CompanyId, Path, description = "a company")), responses((status = 204, description = "done"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("operator" = [])))]
async fn put_company_limits(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(company): Path<CompanyId>,
    body: axum::body::Bytes,
) -> Result<StatusCode, AppError> {
    require_operator(&state, bearer(&headers))?;
    change_limits(&state, company, parse_body(&body)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/company", tag = "companies", summary = "Your company's limits and use", responses((status = 200, description = "limits and use", body = CompanyUse), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
async fn get_company(State(state): State<AppState>, caller: Caller) -> Result<Json<CompanyUse>, AppError> {
    Ok(Json(company_use(&state, &caller).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
struct KeyName {
    name: String,
}

#[utoipa::path(post, path = "/api/v1/api-keys", tag = "lines", summary = "Create an API key (shown once)", request_body = KeyName, responses((status = 201, description = "created", body = CreatedApiKey), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
async fn post_api_key(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<KeyName>,
) -> Result<(StatusCode, Json<CreatedApiKey>), AppError> {
    Ok((StatusCode::CREATED, Json(create_api_key(&state, &caller, &body.name).await?)))
}

#[utoipa::path(get, path = "/api/v1/api-keys", tag = "lines", summary = "API keys (never the keys themselves)", responses((status = 200, description = "the keys", body = [ApiKeyRow]), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
async fn get_api_keys(State(state): State<AppState>, caller: Caller) -> Result<Json<Vec<ApiKeyRow>>, AppError> {
    Ok(Json(list_api_keys(&state, &caller).await?))
}

#[utoipa::path(delete, path = "/api/v1/api-keys/{key}", tag = "lines", summary = "Revoke an API key", params(("key" = uuid::Uuid, Path, description = "an API key of your company")), responses((status = 204, description = "done"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
async fn delete_api_key(
    State(state): State<AppState>,
    caller: Caller,
    Path(key): Path<uuid::Uuid>,
) -> Result<StatusCode, AppError> {
    revoke_api_key(&state, &caller, key).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/lines", tag = "lines", summary = "Create a line and where its chats go", request_body = NewLine, responses((status = 201, description = "created; the webhook secret is shown once", body = CreatedLine), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
async fn post_line(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<NewLine>,
) -> Result<(StatusCode, Json<CreatedLine>), AppError> {
    Ok((StatusCode::CREATED, Json(create_line(&state, &caller, &body).await?)))
}

#[utoipa::path(get, path = "/api/v1/lines", tag = "lines", summary = "Lines", responses((status = 200, description = "the lines", body = [LineRow]), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
async fn get_lines(State(state): State<AppState>, caller: Caller) -> Result<Json<Vec<LineRow>>, AppError> {
    Ok(Json(list_lines(&state, &caller).await?))
}

#[utoipa::path(put, path = "/api/v1/lines/{line}/routing", tag = "lines", summary = "Change where a line's chats go", request_body = LineRouting, params(("line" = LineId, Path, description = "a line of your company")), responses((status = 204, description = "done"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
async fn put_line_routing(
    State(state): State<AppState>,
    caller: Caller,
    Path(line): Path<LineId>,
    Json(body): Json<LineRouting>,
) -> Result<StatusCode, AppError> {
    change_line_routing(&state, &caller, line, body).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The bearer token of a request, if it has one.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer ").map(str::trim)
}

/// The company whose API key the request carries, and the line its path names.
async fn line_of_key(state: &AppState, headers: &HeaderMap, line: &str) -> Result<(CompanyId, LineId), AppError> {
    let company = company_of_key(state, bearer(headers)).await?;
    let line = line.parse().map_err(|_| AppError::NotFound("no such line".into()))?;
    Ok((company, line))
}

/// The API line: an outside system hands over a customer's message with its API key.
#[utoipa::path(post, path = "/api/v1/lines/{line}/messages", tag = "lines", summary = "A customer's message, handed over by an outside system", request_body = InboundMessage, params(("line" = LineId, Path, description = "a line of your company")), responses((status = 202, description = "stored", body = AcceptedMessage), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("api_key" = [])))]
async fn post_inbound_message(
    State(state): State<AppState>,
    Path(line): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<AcceptedMessage>), AppError> {
    let (company, line) = line_of_key(&state, &headers, &line).await?;
    let message = parse_body(&body)?;
    Ok((StatusCode::ACCEPTED, Json(receive_message(&state, company, line, message).await?)))
}

/// The API line: an outside system hands over what the channel's provider said of a customer's
/// consent (an opt-out, or an opt-in).
#[utoipa::path(post, path = "/api/v1/lines/{line}/consents", tag = "lines", summary = "A provider's opt-out or opt-in of a customer, handed over by an outside system", request_body = ProviderConsent, params(("line" = LineId, Path, description = "a line of your company")), responses((status = 200, description = "recorded on the customer's contact", body = RecordedProviderConsent), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("api_key" = [])))]
async fn post_provider_consent(
    State(state): State<AppState>,
    Path(line): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Json<RecordedProviderConsent>, AppError> {
    let (company, line) = line_of_key(&state, &headers, &line).await?;
    let report = parse_body(&body)?;
    Ok(Json(record_provider_consent(&state, company, line, report).await?))
}

#[utoipa::path(get, path = "/api/v1/chats", tag = "chats", summary = "Open chats (supervisors, auditors) or mine (agents)", responses((status = 200, description = "the chats", body = [ChatRow]), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
async fn get_chats(State(state): State<AppState>, caller: Caller) -> Result<Json<Vec<ChatRow>>, AppError> {
    Ok(Json(list_chats(&state, &caller).await?))
}

#[utoipa::path(get, path = "/api/v1/chats/{chat}", tag = "chats", summary = "One chat with its whole history", params(("chat" = ChatId, Path, description = "a chat of your company")), responses((status = 200, description = "the chat", body = ChatWithMessages), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
async fn get_chat(
    State(state): State<AppState>,
    caller: Caller,
    Path(chat): Path<ChatId>,
) -> Result<Json<ChatWithMessages>, AppError> {
    Ok(Json(read_chat(&state, &caller, chat).await?))
}

#[utoipa::path(get, path = "/api/v1/chats/{chat}/history", tag = "chats", summary = "Every event of a chat as the log holds it (supervisors, auditors)", params(("chat" = ChatId, Path, description = "a chat of your company")), responses((status = 200, description = "the events, oldest first", body = [HistoryEntry]), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
async fn get_chat_history(
    State(state): State<AppState>,
    caller: Caller,
    Path(chat): Path<ChatId>,
) -> Result<Json<Vec<HistoryEntry>>, AppError> {
    Ok(Json(chat_history(&state, &caller, chat).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
struct ReplyText {
    text: String,
}

#[utoipa::path(post, path = "/api/v1/chats/{chat}/messages", tag = "chats", summary = "The assigned agent answers", request_body = ReplyText, params(("chat" = ChatId, Path, description = "a chat of your company")), responses((status = 201, description = "sent", body = SentMessage), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
async fn post_reply(
    State(state): State<AppState>,
    caller: Caller,
    Path(chat): Path<ChatId>,
    Json(body): Json<ReplyText>,
) -> Result<(StatusCode, Json<SentMessage>), AppError> {
    Ok((StatusCode::CREATED, Json(reply(&state, &caller, chat, &body.text).await?)))
}

#[utoipa::path(post, path = "/api/v1/chats/{chat}/resolve", tag = "chats", summary = "Resolve a chat", params(("chat" = ChatId, Path, description = "a chat of your company")), responses((status = 204, description = "done"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
async fn post_resolve(
    State(state): State<AppState>,
    caller: Caller,
    Path(chat): Path<ChatId>,
) -> Result<StatusCode, AppError> {
    resolve(&state, &caller, chat).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
struct TransferRequest {
    to: TransferTarget,
    note: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/chats/{chat}/transfer", tag = "chats", summary = "Transfer a chat to a colleague or a queue", request_body = TransferRequest, params(("chat" = ChatId, Path, description = "a chat of your company")), responses((status = 204, description = "done"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
async fn post_transfer(
    State(state): State<AppState>,
    caller: Caller,
    Path(chat): Path<ChatId>,
    Json(body): Json<TransferRequest>,
) -> Result<StatusCode, AppError> {
    transfer(&state, &caller, chat, body.to, body.note).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
struct OwnAgent {
    /// The agent, or null for nobody.
    agent: Option<UserId>,
}

#[utoipa::path(put, path = "/api/v1/chats/{chat}/own-agent", tag = "chats", summary = "Name the contact's own agent (R7), or nobody", request_body = OwnAgent, params(("chat" = ChatId, Path, description = "a chat of your company")), responses((status = 204, description = "done"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
async fn put_own_agent(
    State(state): State<AppState>,
    caller: Caller,
    Path(chat): Path<ChatId>,
    Json(body): Json<OwnAgent>,
) -> Result<StatusCode, AppError> {
    set_own_agent(&state, &caller, chat, body.agent).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
struct PolicyChoice {
    policy: OfflinePolicy,
}

#[utoipa::path(put, path = "/api/v1/lines/{line}/offline-policy", tag = "lines", summary = "What happens to chats whose agent is offline (G6)", request_body = PolicyChoice, params(("line" = LineId, Path, description = "a line of your company")), responses((status = 204, description = "done"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
async fn put_offline_policy(
    State(state): State<AppState>,
    caller: Caller,
    Path(line): Path<LineId>,
    Json(body): Json<PolicyChoice>,
) -> Result<StatusCode, AppError> {
    set_offline_policy(&state, &caller, line, body.policy).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
struct ChatIds {
    chat_ids: Vec<ChatId>,
}

#[utoipa::path(post, path = "/api/v1/chats/resolve", tag = "chats", summary = "Resolve many chats at once", request_body = ChatIds, responses((status = 200, description = "what was resolved and what was refused, and why", body = BulkOutcome), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
async fn post_resolve_many(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<ChatIds>,
) -> Result<Json<BulkOutcome>, AppError> {
    Ok(Json(resolve_many(&state, &caller, &body.chat_ids).await?))
}
