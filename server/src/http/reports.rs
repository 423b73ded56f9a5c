//! The reports (W8, P1–P10), and their tables as spreadsheet files.

use crate::caller::Caller;
use crate::error::AppError;
use crate::http::common::spreadsheet;
use crate::http::common::ErrorBody;
use crate::services::reports::{agents_sheet, category_sheet, options_sheet, report, Category, Report, ReportQuery};
use crate::services::sheets::Format;
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::response::Response;
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
    /// For the chats' file: whose chats.
    category: Option<Category>,
}

#[utoipa::path(get, path = "/api/v1/reports/{table}.{format}", tag = "reports", summary = "A table of the report as a spreadsheet file: `chats` (every chat of one `category`), `agents` (P9) or `options` (P10); CSV or an Excel workbook", params(("table" = String, Path, description = "chats, agents or options"), ("format" = String, Path, description = "csv or xlsx"), ReportQuery, CategoryQuery), responses((status = 200, description = "the file", content_type = "text/csv"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn get_report_file(
    state: AppState,
    caller: Caller,
    table: &str,
    query: ReportQuery,
    category: Option<Category>,
    format: Format,
) -> Result<Response, AppError> {
    let days = format!("{}-{}", query.from, query.until);
    let (name, sheet) = match (table, category) {
        ("chats", Some(category)) => {
            (format!("{}-{days}", category.as_str()), category_sheet(&state, &caller, &query, category).await?)
        }
        ("chats", None) => {
            return Err(AppError::Invalid(
                "which category's chats: category=pending, following, open, new or resolved".into(),
            ))
        }
        ("agents", _) => (format!("agents-{days}"), agents_sheet(&state, &caller, &query).await?),
        _ => (format!("menu-options-{days}"), options_sheet(&state, &caller, &query).await?),
    };
    spreadsheet(&name, sheet, format)
}

pub fn router() -> Router<AppState> {
    let mut router = Router::new().route("/api/v1/reports", get(get_report));
    for table in ["chats", "agents", "options"] {
        for format in [Format::Csv, Format::Xlsx] {
            router = router.route(
                &format!("/api/v1/reports/{table}.{}", format.extension()),
                get(
                    move |State(state): State<AppState>,
                          caller: Caller,
                          Query(query): Query<ReportQuery>,
                          Query(asked): Query<CategoryQuery>| async move {
                        get_report_file(state, caller, table, query, asked.category, format).await
                    },
                ),
            );
        }
    }
    router
}
