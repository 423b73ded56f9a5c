//! Lines, API keys, and what customers send through the API line.

use crate::caller::Caller;
use crate::error::AppError;
use crate::http::common::{bearer, parse_body, ErrorBody};
use crate::services::lines::{
    change_line_routing, company_of_key, create_api_key, create_line, list_api_keys, list_lines, receive_message,
    revoke_api_key, set_message_editing, set_offline_policy, set_webhook, AcceptedMessage, CreatedApiKey, CreatedLine,
    InboundMessage, NewLine,
};
use crate::services::lines::{record_provider_consent, ProviderConsent, RecordedProviderConsent};
use crate::state::AppState;
use axum::extract::Path;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use domain::ids::{CompanyId, LineId};
use domain::line::{LineRouting, OfflinePolicy};
use projections::lines::{ApiKeyRow, LineRow};
use serde::Deserialize;

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct KeyName {
    name: String,
}

#[utoipa::path(post, path = "/api/v1/api-keys", tag = "lines", summary = "Create an API key (shown once)", request_body = KeyName, responses((status = 201, description = "created", body = CreatedApiKey), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn post_api_key(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<KeyName>,
) -> Result<(StatusCode, Json<CreatedApiKey>), AppError> {
    Ok((StatusCode::CREATED, Json(create_api_key(&state, &caller, &body.name).await?)))
}

#[utoipa::path(get, path = "/api/v1/api-keys", tag = "lines", summary = "API keys (never the keys themselves)", responses((status = 200, description = "the keys", body = [ApiKeyRow]), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn get_api_keys(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<ApiKeyRow>>, AppError> {
    Ok(Json(list_api_keys(&state, &caller).await?))
}

#[utoipa::path(delete, path = "/api/v1/api-keys/{key}", tag = "lines", summary = "Revoke an API key", params(("key" = uuid::Uuid, Path, description = "an API key of your company")), responses((status = 204, description = "done"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn delete_api_key(
    State(state): State<AppState>,
    caller: Caller,
    Path(key): Path<uuid::Uuid>,
) -> Result<StatusCode, AppError> {
    revoke_api_key(&state, &caller, key).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/lines", tag = "lines", summary = "Create a line and where its chats go", request_body = NewLine, responses((status = 201, description = "created; the webhook secret is shown once", body = CreatedLine), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn post_line(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<NewLine>,
) -> Result<(StatusCode, Json<CreatedLine>), AppError> {
    Ok((StatusCode::CREATED, Json(create_line(&state, &caller, &body).await?)))
}

#[utoipa::path(get, path = "/api/v1/lines", tag = "lines", summary = "Lines", responses((status = 200, description = "the lines", body = [LineRow]), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn get_lines(State(state): State<AppState>, caller: Caller) -> Result<Json<Vec<LineRow>>, AppError> {
    Ok(Json(list_lines(&state, &caller).await?))
}

#[utoipa::path(put, path = "/api/v1/lines/{line}/routing", tag = "lines", summary = "Change where a line's chats go", request_body = LineRouting, params(("line" = LineId, Path, description = "a line of your company")), responses((status = 204, description = "done"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn put_line_routing(
    State(state): State<AppState>,
    caller: Caller,
    Path(line): Path<LineId>,
    Json(body): Json<LineRouting>,
) -> Result<StatusCode, AppError> {
    change_line_routing(&state, &caller, line, body).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The company whose API key the request carries, and the line its path names.
pub(crate) async fn line_of_key(
    state: &AppState,
    headers: &HeaderMap,
    line: &str,
) -> Result<(CompanyId, LineId), AppError> {
    let company = company_of_key(state, bearer(headers)).await?;
    let line = line.parse().map_err(|_| AppError::NotFound("no such line".into()))?;
    Ok((company, line))
}

/// The API line: an outside system hands over a customer's message with its API key.
#[utoipa::path(post, path = "/api/v1/lines/{line}/messages", tag = "lines", summary = "A customer's message, handed over by an outside system", request_body = InboundMessage, params(("line" = LineId, Path, description = "a line of your company")), responses((status = 202, description = "stored", body = AcceptedMessage), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("api_key" = [])))]
pub(crate) async fn post_inbound_message(
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
pub(crate) async fn post_provider_consent(
    State(state): State<AppState>,
    Path(line): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Json<RecordedProviderConsent>, AppError> {
    let (company, line) = line_of_key(&state, &headers, &line).await?;
    let report = parse_body(&body)?;
    Ok(Json(record_provider_consent(&state, company, line, report).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct PolicyChoice {
    policy: OfflinePolicy,
}

#[utoipa::path(put, path = "/api/v1/lines/{line}/offline-policy", tag = "lines", summary = "What happens to chats whose agent is offline (G6)", request_body = PolicyChoice, params(("line" = LineId, Path, description = "a line of your company")), responses((status = 204, description = "done"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn put_offline_policy(
    State(state): State<AppState>,
    caller: Caller,
    Path(line): Path<LineId>,
    Json(body): Json<PolicyChoice>,
) -> Result<StatusCode, AppError> {
    set_offline_policy(&state, &caller, line, body.policy).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct EditingChoice {
    agents_may_edit: bool,
}

#[utoipa::path(put, path = "/api/v1/lines/{line}/message-editing", tag = "lines", summary = "Whether the line's agents may edit and delete their own messages (G18); a new line lets them", request_body = EditingChoice, params(("line" = LineId, Path, description = "a line of your company")), responses((status = 204, description = "done"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn put_message_editing(
    State(state): State<AppState>,
    caller: Caller,
    Path(line): Path<LineId>,
    Json(body): Json<EditingChoice>,
) -> Result<StatusCode, AppError> {
    set_message_editing(&state, &caller, line, body.agents_may_edit).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct WebhookChoice {
    /// An http:// or https:// address; none (or empty) stops the line's webhook.
    url: Option<String>,
}

#[utoipa::path(put, path = "/api/v1/lines/{line}/webhook", tag = "lines", summary = "Where the line's messages are POSTed, with a new secret (shown once); null stops them", request_body = WebhookChoice, params(("line" = LineId, Path, description = "a line of your company")), responses((status = 200, description = "set: `webhook_secret` signs every call from now on", body = Object), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn put_webhook(
    State(state): State<AppState>,
    caller: Caller,
    Path(line): Path<LineId>,
    Json(body): Json<WebhookChoice>,
) -> Result<Json<serde_json::Value>, AppError> {
    let secret = set_webhook(&state, &caller, line, body.url).await?;
    Ok(Json(serde_json::json!({ "webhook_secret": secret })))
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/api-keys", get(get_api_keys).post(post_api_key))
        .route("/api/v1/api-keys/{key}", delete(delete_api_key))
        .route("/api/v1/lines", get(get_lines).post(post_line))
        .route("/api/v1/lines/{line}/routing", put(put_line_routing))
        .route("/api/v1/lines/{line}/messages", post(post_inbound_message))
        .route("/api/v1/lines/{line}/consents", post(post_provider_consent))
        .route("/api/v1/lines/{line}/offline-policy", put(put_offline_policy))
        .route("/api/v1/lines/{line}/message-editing", put(put_message_editing))
        .route("/api/v1/lines/{line}/webhook", put(put_webhook))
}
