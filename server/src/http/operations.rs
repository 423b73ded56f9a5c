//! Health and metrics, for the operator's monitoring.

use crate::error::AppError;
use crate::http::common::for_the_operator;
use crate::http::common::ErrorBody;
use crate::metrics::ProjectionLag;
use crate::state::AppState;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use std::net::SocketAddr;

/// Lag is counted exactly up to this many events; beyond it the gauge reads this figure.
const LAG_COUNTED_UP_TO: usize = 10_000;

pub(crate) async fn projection_lags(state: &AppState) -> Result<Vec<ProjectionLag>, AppError> {
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

#[utoipa::path(get, path = "/healthz", tag = "operations", summary = "Alive or not; for the operator (their token, or from the machine itself) also store reachability, head of the log, lag of each projection, how far each log follower has acted", responses((status = 200, description = "healthy", body = Object), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)))]
#[tracing::instrument(skip(state, headers))]
pub(crate) async fn healthz(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    // Anyone may ask whether the server is alive; what it is made of is for the operator.
    if !for_the_operator(&state, peer, &headers) {
        return match state.log.head().await {
            Ok(_) => Json(serde_json::json!({ "status": "ok" })).into_response(),
            Err(_) => {
                (StatusCode::SERVICE_UNAVAILABLE, Json(serde_json::json!({ "status": "unavailable" }))).into_response()
            }
        };
    }
    // Read in this order, so that a follower shown at the head has acted on everything up to it.
    let followers = state.metrics.followers();
    let head = state.log.head().await.map_err(AppError::from);
    match (head, projection_lags(&state).await) {
        (Ok(head), Ok(lags)) => {
            let projections: serde_json::Map<String, serde_json::Value> = lags
                .iter()
                .map(|lag| {
                    (lag.name.to_string(), serde_json::json!({ "version": lag.version, "lag": lag.events_behind }))
                })
                .collect();
            Json(serde_json::json!({
                "status": "ok",
                "store": { "backend": state.log.backend(), "state": "reachable", "head": head.to_string() },
                "projections": projections,
                "followers": followers,
            }))
            .into_response()
        }
        (Err(error), _) | (_, Err(error)) => {
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
pub(crate) async fn metrics(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    if !for_the_operator(&state, peer, &headers) {
        return AppError::Unauthorized("the metrics are for the operator: their token, or from this machine".into())
            .into_response();
    }
    let lags = projection_lags(&state).await.unwrap_or_default();
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], state.metrics.render(&lags)).into_response()
}

pub fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz)).route("/metrics", get(metrics))
}
