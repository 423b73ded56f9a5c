//! The reports (W8, P1–P10), and their tables as spreadsheet files.

use crate::caller::Caller;
use crate::error::AppError;
use crate::http::common::ErrorBody;
use crate::services::reports::{agents_file, category_file, options_file, report, Category, Report, ReportQuery};
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

#[utoipa::path(get, path = "/api/v1/reports", tag = "reports", summary = "The report of whole days in the company's time zone (supervisors, auditors): each category's total and latest chats, the agents' and menu options' tables, conversations per hour, day and queue; of the company, or of one queue, line or agent", params(ReportQuery), responses((status = 200, description = "the report", body = Report), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn get_report(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<ReportQuery>,
) -> Result<Json<Report>, AppError> {
    Ok(Json(report(&state, &caller, &query).await?))
}

/// Which category's chats a file holds.
#[derive(Deserialize, utoipa::IntoParams)]
pub(crate) struct CategoryQuery {
    category: Category,
}

fn spreadsheet(name: &str, file: String) -> Response {
    (
        [
            (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (axum::http::header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}.csv\"")),
        ],
        file,
    )
        .into_response()
}

#[utoipa::path(get, path = "/api/v1/reports/chats.csv", tag = "reports", summary = "Every chat of one category of the report, as a spreadsheet file (CSV)", params(ReportQuery, CategoryQuery), responses((status = 200, description = "the file", content_type = "text/csv"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn get_category_file(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<ReportQuery>,
    Query(asked): Query<CategoryQuery>,
) -> Result<Response, AppError> {
    let file = category_file(&state, &caller, &query, asked.category).await?;
    Ok(spreadsheet(&format!("{}-{}-{}", asked.category.as_str(), query.from, query.until), file))
}

#[utoipa::path(get, path = "/api/v1/reports/agents.csv", tag = "reports", summary = "The agents' table of the report (P9), as a spreadsheet file (CSV)", params(ReportQuery), responses((status = 200, description = "the file", content_type = "text/csv"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn get_agents_file(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<ReportQuery>,
) -> Result<Response, AppError> {
    let file = agents_file(&state, &caller, &query).await?;
    Ok(spreadsheet(&format!("agents-{}-{}", query.from, query.until), file))
}

#[utoipa::path(get, path = "/api/v1/reports/options.csv", tag = "reports", summary = "The menu options' table of the report (P10), as a spreadsheet file (CSV)", params(ReportQuery), responses((status = 200, description = "the file", content_type = "text/csv"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn get_options_file(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<ReportQuery>,
) -> Result<Response, AppError> {
    let file = options_file(&state, &caller, &query).await?;
    Ok(spreadsheet(&format!("menu-options-{}-{}", query.from, query.until), file))
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/reports", get(get_report))
        .route("/api/v1/reports/chats.csv", get(get_category_file))
        .route("/api/v1/reports/agents.csv", get(get_agents_file))
        .route("/api/v1/reports/options.csv", get(get_options_file))
}
