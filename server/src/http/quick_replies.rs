//! Quick replies (G4, G5): written by supervisors, found by every member.

use crate::caller::Caller;
use crate::error::AppError;
use crate::http::common::ErrorBody;
use crate::services::quick_replies::{
    change_quick_reply, create_quick_reply, find_quick_replies, quick_reply_categories, retire_quick_reply,
    CreatedQuickReply,
};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, put};
use axum::{Json, Router};
use domain::quick_reply::QuickReplyDraft;
use projections::quick_replies::QuickReplyRow;
use serde::Deserialize;
use uuid::Uuid;

#[derive(Deserialize, utoipa::IntoParams)]
pub(crate) struct Search {
    /// Words the shortcut, title or text holds (a leading `/` is the shortcut's sign, ignored).
    q: Option<String>,
    /// Only this category (any case).
    category: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/quick-replies", tag = "quick replies", summary = "The company's quick replies whose shortcut, title or text holds the words, in a category; shortcuts that start with them first (at most 200)", params(Search), responses((status = 200, description = "the replies", body = [QuickReplyRow]), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn get_quick_replies(
    State(state): State<AppState>,
    caller: Caller,
    Query(search): Query<Search>,
) -> Result<Json<Vec<QuickReplyRow>>, AppError> {
    let words = search.q.unwrap_or_default();
    Ok(Json(find_quick_replies(&state, &caller, &words, search.category.as_deref()).await?))
}

#[utoipa::path(get, path = "/api/v1/quick-replies/categories", tag = "quick replies", summary = "The categories the company's quick replies use", responses((status = 200, description = "the categories, in order", body = [String]), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn get_categories(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<String>>, AppError> {
    Ok(Json(quick_reply_categories(&state, &caller).await?))
}

#[utoipa::path(post, path = "/api/v1/quick-replies", tag = "quick replies", summary = "A supervisor writes a quick reply", request_body = QuickReplyDraft, responses((status = 201, description = "created", body = CreatedQuickReply), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn post_quick_reply(
    State(state): State<AppState>,
    caller: Caller,
    Json(draft): Json<QuickReplyDraft>,
) -> Result<(StatusCode, Json<CreatedQuickReply>), AppError> {
    Ok((StatusCode::CREATED, Json(create_quick_reply(&state, &caller, draft).await?)))
}

#[utoipa::path(put, path = "/api/v1/quick-replies/{reply}", tag = "quick replies", summary = "A supervisor rewrites a quick reply", request_body = QuickReplyDraft, params(("reply" = Uuid, Path, description = "a quick reply of your company")), responses((status = 204, description = "done"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn put_quick_reply(
    State(state): State<AppState>,
    caller: Caller,
    Path(reply): Path<Uuid>,
    Json(draft): Json<QuickReplyDraft>,
) -> Result<StatusCode, AppError> {
    change_quick_reply(&state, &caller, reply, draft).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/v1/quick-replies/{reply}", tag = "quick replies", summary = "A supervisor retires a quick reply", params(("reply" = Uuid, Path, description = "a quick reply of your company")), responses((status = 204, description = "done"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn delete_quick_reply(
    State(state): State<AppState>,
    caller: Caller,
    Path(reply): Path<Uuid>,
) -> Result<StatusCode, AppError> {
    retire_quick_reply(&state, &caller, reply).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/quick-replies", get(get_quick_replies).post(post_quick_reply))
        .route("/api/v1/quick-replies/categories", get(get_categories))
        .route("/api/v1/quick-replies/{reply}", put(put_quick_reply).delete(delete_quick_reply))
}
