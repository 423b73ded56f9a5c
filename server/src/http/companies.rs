//! Companies and their limits, for the operator; a company's own use and brand (W5).

use crate::caller::Caller;
use crate::error::AppError;
use crate::http::common::{bearer, parse_body, served_file, ErrorBody, PUBLIC_FILE};
use crate::services::branding::{
    branding_of, logo, remove_logo, rename_company, set_logo, set_time_zone, LOGO_MAX_BYTES,
};
use crate::services::companies::{
    change_limits, company_use, create_company, require_operator, CompanyUse, CreatedCompany, NewCompany,
};
use crate::state::AppState;
use axum::extract::Path;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
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

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub(crate) struct CompanyName {
    name: String,
}

#[utoipa::path(put, path = "/api/v1/company/name", tag = "companies", summary = "Your company's name, as its pages show it (W5)", request_body = CompanyName, responses((status = 204, description = "done"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn put_company_name(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<CompanyName>,
) -> Result<StatusCode, AppError> {
    rename_company(&state, &caller, &body.name).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub(crate) struct CompanyTimeZone {
    /// An IANA name, such as `Europe/Madrid`.
    time_zone: String,
}

#[utoipa::path(put, path = "/api/v1/company/time-zone", tag = "companies", summary = "Your company's time zone: the reports count its days", request_body = CompanyTimeZone, responses((status = 204, description = "done"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn put_company_time_zone(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<CompanyTimeZone>,
) -> Result<StatusCode, AppError> {
    set_time_zone(&state, &caller, &body.time_zone).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/company/logo", tag = "companies", summary = "Your company's logo (W5): a PNG, JPEG, GIF or WebP picture of at most 1 MB, as the body with its Content-Type", request_body(content = Vec<u8>, content_type = "image/png"), responses((status = 200, description = "kept: `logo_url` is its public address", body = Object), (status = 413, description = "too large", body = ErrorBody), (status = 415, description = "not a picture a logo may be", body = ErrorBody), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn post_company_logo(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Json<serde_json::Value>, AppError> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    set_logo(&state, &caller, content_type, &body).await?;
    let brand = branding_of(&state, caller.company_id).await?;
    Ok(Json(serde_json::json!({ "logo_url": brand.logo_url })))
}

#[utoipa::path(delete, path = "/api/v1/company/logo", tag = "companies", summary = "Take your company's logo away", responses((status = 204, description = "done"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn delete_company_logo(State(state): State<AppState>, caller: Caller) -> Result<StatusCode, AppError> {
    remove_logo(&state, &caller).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A company's logo, for anyone: sign-in pages show it before anyone signs in.
pub(crate) async fn get_logo(
    State(state): State<AppState>,
    Path((company, file)): Path<(CompanyId, String)>,
) -> Result<axum::response::Response, AppError> {
    Ok(served_file(logo(&state, company, &file).await?, &file, PUBLIC_FILE))
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/companies", post(post_company))
        .route("/api/v1/companies/{company}/limits", put(put_company_limits))
        .route("/api/v1/company", get(get_company))
        .route("/api/v1/company/name", put(put_company_name))
        .route("/api/v1/company/time-zone", put(put_company_time_zone))
        .route(
            "/api/v1/company/logo",
            post(post_company_logo)
                .delete(delete_company_logo)
                .layer(axum::extract::DefaultBodyLimit::max(LOGO_MAX_BYTES + 1024)),
        )
        .route("/brand/{company}/{file}", get(get_logo))
}
