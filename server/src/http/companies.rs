//! Companies and their limits, for the operator; a company's own use.

use crate::caller::Caller;
use crate::error::AppError;
use crate::http::common::{bearer, parse_body, ErrorBody};
use crate::services::companies::{
    change_limits, company_use, create_company, require_operator, CompanyUse, CreatedCompany, NewCompany,
};
use crate::state::AppState;
use axum::extract::Path;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use domain::company::CompanyLimits;
use domain::ids::CompanyId;

/// The installation operator creates a company with its first supervisor.
#[utoipa::path(post, path = "/api/v1/companies", tag = "companies", summary = "Create a company and its first supervisor (operator)", request_body = NewCompany, responses((status = 201, description = "created", body = CreatedCompany), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("operator" = [])))]
pub(crate) async fn post_company(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<CreatedCompany>), AppError> {
    require_operator(&state, bearer(&headers))?;
    let company: NewCompany = parse_body(&body)?;
    Ok((StatusCode::CREATED, Json(create_company(&state, &company).await?)))
}

#[utoipa::path(put, path = "/api/v1/companies/{company}/limits", tag = "companies", summary = "Set a company's limits (operator)", request_body = CompanyLimits, params(("company" = CompanyId, Path, description = "a company")), responses((status = 204, description = "done"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("operator" = [])))]
pub(crate) async fn put_company_limits(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(company): Path<CompanyId>,
    body: axum::body::Bytes,
) -> Result<StatusCode, AppError> {
    require_operator(&state, bearer(&headers))?;
    change_limits(&state, company, parse_body(&body)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/company", tag = "companies", summary = "Your company's limits and use", responses((status = 200, description = "limits and use", body = CompanyUse), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn get_company(State(state): State<AppState>, caller: Caller) -> Result<Json<CompanyUse>, AppError> {
    Ok(Json(company_use(&state, &caller).await?))
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/companies", post(post_company))
        .route("/api/v1/companies/{company}/limits", put(put_company_limits))
        .route("/api/v1/company", get(get_company))
}
