//! HTTP endpoints outside the Leptos pages: health, metrics, the REST API and the live stream.

use crate::commands::CommandContext;
use crate::error::AppError;
use crate::metrics::ProjectionLag;
use crate::queues::{create_queue, list_queues, CreatedQueue};
use crate::startup::AppState;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use domain::ids::CompanyId;
use futures::Stream;
use serde::Deserialize;
use std::convert::Infallible;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::StreamExt;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .route("/api/v1/queues", get(get_queues).post(post_queue))
        .route("/api/v1/live", get(live))
}

/// Counts every answered request by method and status.
pub async fn count_requests(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
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
        let checkpoint = runner
            .checkpoint()
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let behind = if checkpoint >= head {
            0
        } else {
            state
                .log
                .read_all(checkpoint, LAG_COUNTED_UP_TO)
                .await?
                .len() as u64
        };
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
                    (
                        lag.name.to_string(),
                        serde_json::json!({ "version": lag.version, "lag": lag.events_behind }),
                    )
                })
                .collect();
            let head = state
                .log
                .head()
                .await
                .map(|p| p.to_string())
                .unwrap_or_default();
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
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(&lags),
    )
        .into_response()
}

#[derive(Deserialize)]
struct NewQueue {
    name: String,
}

#[tracing::instrument(skip(state, body))]
async fn post_queue(
    State(state): State<AppState>,
    Json(body): Json<NewQueue>,
) -> Result<(StatusCode, Json<CreatedQueue>), AppError> {
    let context = state.console_context();
    let created = create_queue(&state, &context, &body.name).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

async fn get_queues(
    State(state): State<AppState>,
) -> Result<Json<Vec<projections::queue_list::QueueRow>>, AppError> {
    let company = CompanyId::from_uuid(state.settings.company_id);
    Ok(Json(list_queues(&state, company).await?))
}

/// Server-sent events: one event per change of a topic this company's pages show.
async fn live(State(state): State<AppState>) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let company = state.settings.company_id;
    let changes =
        BroadcastStream::new(state.live.subscribe()).filter_map(move |change| match change {
            Ok(change) if change.company_id == company => {
                Some(Ok(Event::default().event(change.topic).data("changed")))
            }
            _ => None,
        });
    Sse::new(changes).keep_alive(KeepAlive::default())
}

impl AppState {
    /// The context of a command from the console, until sign-in gives each one its supervisor.
    pub fn console_context(&self) -> CommandContext {
        CommandContext {
            company_id: self.settings.company_id,
            actor: format!("supervisor:{}", crate::config::console_supervisor()),
            correlation_id: uuid::Uuid::now_v7(),
            causation_id: None,
            now: chrono::Utc::now(),
        }
    }
}
