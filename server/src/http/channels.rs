//! Channel lines: linking a line to a provider's account, and the callbacks providers call.

use crate::caller::Caller;
use crate::error::AppError;
use crate::http::common::ErrorBody;
use crate::services::channels::{
    link_whatsapp_cloud, receive_whatsapp_notification, send_test, unlink_channel, whatsapp_state,
    whatsapp_subscription, LinkedWhatsappCloud, NotificationOutcome, SentTest, TestMessage, WhatsappCloudCredentials,
    WhatsappCloudState,
};
use crate::services::templates::{list_templates, submit_template, NewTemplate, SubmittedTemplate};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, put};
use axum::{Json, Router};
use domain::ids::LineId;
use projections::templates::TemplateRow;
use serde::Deserialize;

#[utoipa::path(put, path = "/api/v1/lines/{line}/whatsapp-cloud", tag = "channels", summary = "Link a line to a WhatsApp Cloud API number, or replace its credentials (sealed; never shown again)", request_body = WhatsappCloudCredentials, params(("line" = LineId, Path, description = "a line of your company")), responses((status = 200, description = "linked; what to paste at Meta (the verify token is shown once)", body = LinkedWhatsappCloud), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn put_whatsapp_cloud(
    State(state): State<AppState>,
    caller: Caller,
    Path(line): Path<LineId>,
    Json(body): Json<WhatsappCloudCredentials>,
) -> Result<Json<LinkedWhatsappCloud>, AppError> {
    Ok(Json(link_whatsapp_cloud(&state, &caller, line, body).await?))
}

#[utoipa::path(get, path = "/api/v1/lines/{line}/whatsapp-cloud", tag = "channels", summary = "The line's WhatsApp number and how its callback fares (when Meta last reached it, the last notification refused and why; per node)", params(("line" = LineId, Path, description = "a line of your company")), responses((status = 200, description = "the link", body = WhatsappCloudState), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn get_whatsapp_cloud(
    State(state): State<AppState>,
    caller: Caller,
    Path(line): Path<LineId>,
) -> Result<Json<WhatsappCloudState>, AppError> {
    Ok(Json(whatsapp_state(&state, &caller, line).await?))
}

#[utoipa::path(delete, path = "/api/v1/lines/{line}/whatsapp-cloud", tag = "channels", summary = "Unlink the line's channel: it is an API line again", params(("line" = LineId, Path, description = "a line of your company")), responses((status = 204, description = "done"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn delete_whatsapp_cloud(
    State(state): State<AppState>,
    caller: Caller,
    Path(line): Path<LineId>,
) -> Result<StatusCode, AppError> {
    unlink_channel(&state, &caller, line).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/lines/{line}/whatsapp-cloud/test", tag = "channels", summary = "Send Meta's `hello_world` template from the line's number to a number, to check the link works (no chat is opened)", request_body = TestMessage, params(("line" = LineId, Path, description = "a line of your company")), responses((status = 200, description = "Meta took it", body = SentTest), (status = 422, description = "refused, by us or by Meta; `error` says why", body = ErrorBody), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn post_whatsapp_test(
    State(state): State<AppState>,
    caller: Caller,
    Path(line): Path<LineId>,
    Json(body): Json<TestMessage>,
) -> Result<Json<SentTest>, AppError> {
    Ok(Json(send_test(&state, &caller, line, body).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub(crate) struct Subscription {
    #[serde(rename = "hub.mode")]
    mode: Option<String>,
    #[serde(rename = "hub.verify_token")]
    verify_token: Option<String>,
    #[serde(rename = "hub.challenge")]
    challenge: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/webhooks/whatsapp-cloud/{line}", tag = "channels", summary = "Meta's subscription handshake: the challenge echoed for the line's verify token", params(("line" = String, Path, description = "the line, as its callback names it"), Subscription), responses((status = 200, description = "the challenge, as text", body = String), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)))]
pub(crate) async fn get_whatsapp_subscription(
    State(state): State<AppState>,
    Path(line): Path<String>,
    Query(query): Query<Subscription>,
) -> Result<String, AppError> {
    whatsapp_subscription(
        &state,
        &line,
        query.mode.as_deref(),
        query.verify_token.as_deref(),
        query.challenge.as_deref(),
    )
    .await
}

#[utoipa::path(post, path = "/api/v1/webhooks/whatsapp-cloud/{line}", tag = "channels", summary = "Meta's notifications for the line: customers' messages, reactions, statuses, preferences (signed with the app secret)", params(("line" = String, Path, description = "the line, as its callback names it")), request_body(content = String, description = "Meta's notification, as Meta sent it", content_type = "application/json"), responses((status = 200, description = "recorded", body = NotificationOutcome), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)))]
pub(crate) async fn post_whatsapp_notification(
    State(state): State<AppState>,
    Path(line): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Json<NotificationOutcome>, AppError> {
    let signature = headers.get(bridges::meta::SIGNATURE_HEADER).and_then(|value| value.to_str().ok());
    Ok(Json(receive_whatsapp_notification(&state, &line, signature, &body).await?))
}

#[utoipa::path(post, path = "/api/v1/templates", tag = "channels", summary = "Submit a message template for Meta's review through a WhatsApp Cloud line (W12)", request_body = NewTemplate, responses((status = 201, description = "submitted; Meta's id and state", body = SubmittedTemplate), (status = "4XX", description = "refused (by us, or by Meta with its words); `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn post_template(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<NewTemplate>,
) -> Result<(StatusCode, Json<SubmittedTemplate>), AppError> {
    Ok((StatusCode::CREATED, Json(submit_template(&state, &caller, body).await?)))
}

#[utoipa::path(get, path = "/api/v1/templates", tag = "channels", summary = "The company's message templates with Meta's last decision (W12, W13)", responses((status = 200, description = "the templates", body = [TemplateRow]), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn get_templates(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<TemplateRow>>, AppError> {
    Ok(Json(list_templates(&state, &caller).await?))
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/templates", get(get_templates).post(post_template))
        .route(
            "/api/v1/lines/{line}/whatsapp-cloud",
            put(put_whatsapp_cloud).delete(delete_whatsapp_cloud).get(get_whatsapp_cloud),
        )
        .route("/api/v1/lines/{line}/whatsapp-cloud/test", axum::routing::post(post_whatsapp_test))
        .route(
            "/api/v1/webhooks/whatsapp-cloud/{line}",
            get(get_whatsapp_subscription).post(post_whatsapp_notification),
        )
}
