//! The company's blacklist (G19) over HTTP.

use crate::caller::Caller;
use crate::error::AppError;
use crate::http::common::ErrorBody;
use crate::services::blacklist::{add, entries, remove, ListedAccount};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get};
use axum::{Json, Router};
use domain::contact::Channel;
use projections::blacklist::BlacklistRow;
use serde::Deserialize;

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct NewEntry {
    #[serde(flatten)]
    account: ListedAccount,
    /// Why it may never be written to; agents read it when they are refused.
    reason: String,
}

#[utoipa::path(get, path = "/api/v1/blacklist", tag = "blacklist", summary = "The accounts never written to, why, and how many of their messages were dropped (G19)", responses((status = 200, description = "the entries, newest first", body = [BlacklistRow]), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn get_blacklist(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<BlacklistRow>>, AppError> {
    Ok(Json(entries(&state, &caller).await?))
}

#[utoipa::path(post, path = "/api/v1/blacklist", tag = "blacklist", summary = "Put an account on the blacklist: agents may not write to it, its messages are dropped", request_body = NewEntry, responses((status = 201, description = "listed"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn post_entry(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<NewEntry>,
) -> Result<StatusCode, AppError> {
    add(&state, &caller, &body.account, &body.reason).await?;
    Ok(StatusCode::CREATED)
}

#[utoipa::path(delete, path = "/api/v1/blacklist/{channel}/{account}", tag = "blacklist", summary = "Take an account off the blacklist", params(("channel" = Channel, Path, description = "its channel"), ("account" = String, Path, description = "its id on the channel")), responses((status = 204, description = "done"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn delete_entry(
    State(state): State<AppState>,
    caller: Caller,
    Path((channel, account_id)): Path<(Channel, String)>,
) -> Result<StatusCode, AppError> {
    remove(&state, &caller, &ListedAccount { channel, account_id }).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/blacklist", get(get_blacklist).post(post_entry))
        .route("/api/v1/blacklist/{channel}/{account}", delete(delete_entry))
}
