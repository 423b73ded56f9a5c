//! Histories as the log holds them (supervisors, auditors): of a chat, contact, agent, queue or
//! line, as JSON, CSV or an Excel workbook; and the audit of the whole installation.

use crate::audit::{audit_for, AuditOutcome};
use crate::caller::Caller;
use crate::error::AppError;
use crate::http::common::{spreadsheet, ErrorBody};
use crate::services::history::{history_sheet, history_where, HistoryEntry, HistoryQuery, Subject};
use crate::services::sheets::Format;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};

#[utoipa::path(get, path = "/api/v1/{kind}/{id}/history", tag = "history", summary = "Every event of a chat, contact, agent (their account and work states), queue or line as the log holds it, secrets hidden (supervisors, auditors), narrowed by type and time if asked", params(("kind" = String, Path, description = "chats, contacts, agents, queues or lines"), ("id" = uuid::Uuid, Path, description = "one of your company's"), HistoryQuery), responses((status = 200, description = "the events, in the log's order", body = [HistoryEntry]), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn get_history(
    State(state): State<AppState>,
    caller: Caller,
    Path((kind, id)): Path<(String, String)>,
    Query(query): Query<HistoryQuery>,
) -> Result<Json<Vec<HistoryEntry>>, AppError> {
    Ok(Json(history_where(&state, &caller, Subject::parse(&kind, &id)?, &query).await?))
}

#[utoipa::path(get, path = "/api/v1/{kind}/{id}/history.{format}", tag = "history", summary = "The same history as a spreadsheet file, narrowed the same way", params(("kind" = String, Path, description = "chats, contacts, agents, queues or lines"), ("id" = uuid::Uuid, Path, description = "one of your company's"), ("format" = String, Path, description = "csv or xlsx"), HistoryQuery), responses((status = 200, description = "the file", content_type = "text/csv"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn get_history_file(
    state: AppState,
    caller: Caller,
    kind: &str,
    id: &str,
    query: HistoryQuery,
    format: Format,
) -> Result<Response, AppError> {
    let subject = Subject::parse(kind, id)?;
    let sheet = history_sheet(&state, &caller, subject, &query).await?;
    let singular = kind.trim_end_matches('s');
    spreadsheet(&format!("{singular}-{}-history", subject.id()), sheet, format)
}

#[utoipa::path(post, path = "/api/v1/audit", tag = "history", summary = "Audit the installation (supervisors, auditors): every read model rebuilt from the log beside the live one and compared, every seal of the log checked; one audit at a time", responses((status = 200, description = "what the audit found", body = AuditOutcome), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn post_audit(State(state): State<AppState>, caller: Caller) -> Result<Json<AuditOutcome>, AppError> {
    Ok(Json(audit_for(&state, &caller).await?))
}

pub fn router() -> Router<AppState> {
    let mut router = Router::new().route("/api/v1/audit", axum::routing::post(post_audit));
    for kind in Subject::KINDS {
        router = router.route(
            &format!("/api/v1/{kind}/{{id}}/history"),
            get(move |state: State<AppState>, caller: Caller, Path(id): Path<String>, query: Query<HistoryQuery>| {
                get_history(state, caller, Path((kind.to_string(), id)), query)
            }),
        );
        for format in [Format::Csv, Format::Xlsx] {
            router = router.route(
                &format!("/api/v1/{kind}/{{id}}/history.{}", format.extension()),
                get(
                    move |State(state): State<AppState>,
                          caller: Caller,
                          Path(id): Path<String>,
                          Query(query): Query<HistoryQuery>| async move {
                        get_history_file(state, caller, kind, &id, query, format).await
                    },
                ),
            );
        }
    }
    router
}
