//! Signing in and out, and who is signed in.

use crate::caller::Caller;
use crate::error::AppError;
use crate::http::common::ErrorBody;
use crate::services::sessions::{change_password, expired_session_cookie, session_cookie, sign_in, sign_out};
use crate::state::AppState;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::{Json, Router};
use serde::Deserialize;
use std::net::SocketAddr;

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct Credentials {
    email: String,
    password: String,
}

pub(crate) fn signed_in(caller: &Caller) -> serde_json::Value {
    serde_json::json!({
        "user_id": caller.user_id,
        "company_id": caller.company_id,
        "name": caller.name,
        "role": caller.role.as_str(),
    })
}

#[utoipa::path(post, path = "/api/v1/session", tag = "sign-in", summary = "Sign in; sets the session cookie", request_body = Credentials, responses((status = 200, description = "signed in", body = Object), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)))]
pub(crate) async fn post_session(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Json(body): Json<Credentials>,
) -> Result<Response, AppError> {
    let client = state.client_of(peer, &headers);
    let session = sign_in(&state, &body.email, &body.password, client).await?;
    let mut answer = signed_in(&session.caller);
    answer["password_to_change"] = serde_json::Value::Bool(session.password_to_change);
    Ok(([(header::SET_COOKIE, session_cookie(&session.token, state.settings.secure_cookies))], Json(answer))
        .into_response())
}

#[utoipa::path(get, path = "/api/v1/session", tag = "sign-in", summary = "Who is signed in", responses((status = 200, description = "the caller", body = Object), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn get_session(caller: Caller) -> Json<serde_json::Value> {
    Json(signed_in(&caller))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct PasswordChange {
    current: String,
    new: String,
}

#[utoipa::path(put, path = "/api/v1/session/password", tag = "sign-in", summary = "Change your password (your other sessions end)", request_body = PasswordChange, responses((status = 204, description = "changed"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn put_password(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<PasswordChange>,
) -> Result<StatusCode, AppError> {
    change_password(&state, &caller, &body.current, &body.new).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/v1/session", tag = "sign-in", summary = "Sign out", responses((status = 204, description = "done"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn delete_session(State(state): State<AppState>, caller: Caller) -> Result<Response, AppError> {
    sign_out(&state, &caller).await?;
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, expired_session_cookie(state.settings.secure_cookies))])
        .into_response())
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/session", get(get_session).post(post_session).delete(delete_session))
        .route("/api/v1/session/password", put(put_password))
}
