//! What every endpoint shares: bodies read, bearer tokens, the headers every answer carries, requests counted.

use crate::caller::Caller;
use crate::error::AppError;
use crate::services::sessions::caller_from_token;
use crate::state::AppState;
use app::ssr::token_from_cookies;
use axum::extract::FromRequestParts;
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use axum::middleware::Next;
use axum::response::Response;

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

/// A JSON body, or a 400 that says what is wrong with it.
pub(crate) fn parse_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
    serde_json::from_slice(body).map_err(|e| AppError::Malformed(format!("the body is not valid: {e}")))
}

/// The bearer token of a request, if it has one.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer ").map(str::trim)
}

/// What every refusal answers.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Why the request was refused, in words a person can act on.
    pub error: String,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        caller_from_token(state, token_from_cookies(&parts.headers).as_deref()).await
    }
}
