//! HTTP endpoints of the contact directory (K1, K2, K4, K6, K9–K13) and of businesses (K10).

use crate::caller::Caller;
use crate::error::AppError;
use crate::http::common::ErrorBody;
use crate::services::contacts::consents::{import_consents, preview_consents, ConsentFileQuery, ConsentPreview};
use crate::services::contacts::directory::{
    add_account, add_contact, change_business, contact_card, create_business, edit_contact, list_businesses,
    merge_contacts, record_consent, search_contacts, set_owner, split_contacts, BusinessForm, ConsentForm, ContactCard,
    ContactForm, ContactQuery, CreatedBusiness, CreatedContact, MergeForm, Merged, NewAccount, NewContact,
};
use crate::services::contacts::files::{export, FileFormat};
use crate::services::contacts::imports::{import_status, start_import, too_large, ImportStatus, IMPORT_MAX_BYTES};

use crate::http::common::parse_body;
use crate::state::AppState;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post, put};
use axum::{Json, Router};
use domain::business::BusinessCommand;
use domain::contact::ContactOwner;
use domain::ids::{BusinessId, ContactId, ImportId};
use projections::contacts::{BusinessRow, ContactRow};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/contacts", get(get_contacts).post(post_contact))
        .route("/api/v1/contacts/export", get(get_export))
        .route("/api/v1/contacts/import", post(post_import).layer(DefaultBodyLimit::disable()))
        .route("/api/v1/contacts/imports/{import}", get(get_import))
        .route("/api/v1/contacts/consents/preview", post(post_consents_preview).layer(DefaultBodyLimit::disable()))
        .route("/api/v1/contacts/consents/import", post(post_consents_import).layer(DefaultBodyLimit::disable()))
        .route("/api/v1/contacts/{contact}", get(get_contact).put(put_contact))
        .route("/api/v1/contacts/{contact}/accounts", post(post_account))
        .route("/api/v1/contacts/{contact}/owner", put(put_owner))
        .route("/api/v1/contacts/{contact}/consents", post(post_consent))
        .route("/api/v1/contacts/{contact}/merge", post(post_merge))
        .route("/api/v1/contacts/{contact}/merges/{merge}/split", post(post_split))
        .route("/api/v1/businesses", get(get_businesses).post(post_business))
        .route("/api/v1/businesses/{business}", patch(patch_business).delete(delete_business))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub(crate) struct ExportQuery {
    /// `standard` (ours, the default) or `google` (Google Contacts' CSV).
    #[serde(default)]
    format: Option<FileFormat>,
}

#[utoipa::path(get, path = "/api/v1/contacts/export", tag = "contacts", summary = "Every contact as a CSV file: ours, or Google Contacts' (K7)", params(ExportQuery), responses((status = 200, description = "the file", content_type = "text/csv"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn get_export(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<ExportQuery>,
) -> Result<Response, AppError> {
    let format = query.format.unwrap_or(FileFormat::Standard);
    let file = export(&state, &caller, format).await?;
    let name = match format {
        FileFormat::Standard => "contacts.csv",
        FileFormat::Google => "google-contacts.csv",
    };
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        file,
    )
        .into_response())
}

#[derive(Deserialize, utoipa::IntoParams)]
pub(crate) struct ImportQuery {
    /// The file's name, as the import's list shows it.
    #[serde(default)]
    name: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/contacts/import", tag = "contacts", summary = "Start importing contacts from a CSV file (ours or Google Contacts', K8) or an Excel workbook in either layout (K14); the rows are imported in the background: follow the import at `/api/v1/contacts/imports/{id}`. Every valid row kept, every refused row reported; the same file twice creates nothing new", params(ImportQuery), request_body(content = String, content_type = "text/csv"), responses((status = 202, description = "started; how far it has gone", body = ImportStatus), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn post_import(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<ImportQuery>,
    body: axum::body::Body,
) -> Result<(StatusCode, Json<ImportStatus>), AppError> {
    let file = uploaded_file(body).await?;
    let started = start_import(&state, &caller, query.name.as_deref().unwrap_or_default(), &file).await?;
    Ok((StatusCode::ACCEPTED, Json(started)))
}

#[utoipa::path(get, path = "/api/v1/contacts/imports/{import}", tag = "contacts", summary = "How far an import has gone: rows done of the file's, contacts created, rows found already, each refused row with its reason", params(("import" = ImportId, Path, description = "an import of your company")), responses((status = 200, description = "the import", body = ImportStatus), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn get_import(
    State(state): State<AppState>,
    caller: Caller,
    Path(import): Path<String>,
) -> Result<Json<ImportStatus>, AppError> {
    let import: ImportId = import.parse().map_err(|_| AppError::NotFound("no such import".into()))?;
    Ok(Json(import_status(&state, &caller, import).await?))
}

#[utoipa::path(post, path = "/api/v1/contacts/consents/preview", tag = "contacts", summary = "What a file of WhatsApp numbers (CSV or Excel) would record as consent, row by row, with each refused row's reason; nothing is stored (K3)", params(ConsentFileQuery), request_body(content = String, content_type = "text/csv"), responses((status = 200, description = "the preview", body = ConsentPreview), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn post_consents_preview(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<ConsentFileQuery>,
    body: axum::body::Body,
) -> Result<Json<ConsentPreview>, AppError> {
    let file = uploaded_file(body).await?;
    Ok(Json(preview_consents(&state, &caller, &file, &query).await?))
}

#[utoipa::path(post, path = "/api/v1/contacts/consents/import", tag = "contacts", summary = "Record the consents of a file of WhatsApp numbers (CSV or Excel), all or none: a file with a refused row stores nothing; numbers no contact has become contacts (K3)", params(ConsentFileQuery), request_body(content = String, content_type = "text/csv"), responses((status = 200, description = "recorded", body = ConsentPreview), (status = "4XX", description = "refused; `error` names the refused rows", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn post_consents_import(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<ConsentFileQuery>,
    body: axum::body::Body,
) -> Result<Json<ConsentPreview>, AppError> {
    let file = uploaded_file(body).await?;
    Ok(Json(import_consents(&state, &caller, &file, &query).await?))
}

/// A file sent as the request's body, refused past the import limit.
async fn uploaded_file(body: axum::body::Body) -> Result<axum::body::Bytes, AppError> {
    axum::body::to_bytes(body, IMPORT_MAX_BYTES + 1).await.map_err(|_| too_large())
}

fn contact_id(raw: &str) -> Result<ContactId, AppError> {
    raw.parse().map_err(|_| AppError::NotFound("no such contact".into()))
}

fn business_id(raw: &str) -> Result<BusinessId, AppError> {
    raw.parse().map_err(|_| AppError::NotFound("no such business".into()))
}

#[utoipa::path(get, path = "/api/v1/contacts", tag = "contacts", summary = "Find contacts by name, phone written any way, e-mail, business or account id (K11); all, by name, without `q`", params(ContactQuery), responses((status = 200, description = "the contacts found, with their accounts", body = [ContactRow]), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn get_contacts(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<ContactQuery>,
) -> Result<Json<Vec<ContactRow>>, AppError> {
    Ok(Json(search_contacts(&state, &caller, &query).await?))
}

#[utoipa::path(post, path = "/api/v1/contacts", tag = "contacts", summary = "Create a contact with its accounts (K1)", request_body = NewContact, responses((status = 201, description = "created", body = CreatedContact), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn post_contact(
    State(state): State<AppState>,
    caller: Caller,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<CreatedContact>), AppError> {
    let new: NewContact = parse_body(&body)?;
    Ok((StatusCode::CREATED, Json(add_contact(&state, &caller, new).await?)))
}

#[utoipa::path(get, path = "/api/v1/contacts/{contact}", tag = "contacts", summary = "A contact's card: details, accounts and their lines, consents, chats", params(("contact" = ContactId, Path, description = "a contact of your company")), responses((status = 200, description = "the card", body = ContactCard), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn get_contact(
    State(state): State<AppState>,
    caller: Caller,
    Path(contact): Path<String>,
) -> Result<Json<ContactCard>, AppError> {
    Ok(Json(contact_card(&state, &caller, contact_id(&contact)?).await?))
}

#[utoipa::path(put, path = "/api/v1/contacts/{contact}", tag = "contacts", summary = "Change a contact's details (K1)", request_body = ContactForm, params(("contact" = ContactId, Path, description = "a contact of your company")), responses((status = 204, description = "done"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn put_contact(
    State(state): State<AppState>,
    caller: Caller,
    Path(contact): Path<String>,
    body: axum::body::Bytes,
) -> Result<StatusCode, AppError> {
    let contact = contact_id(&contact)?;
    edit_contact(&state, &caller, contact, parse_body(&body)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, Serialize, utoipa::ToSchema)]
pub(crate) struct AccountForm {
    #[serde(flatten)]
    account: NewAccount,
    /// Reads a phone number written without its country code (e.g. `ES`).
    #[serde(default)]
    country: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/contacts/{contact}/accounts", tag = "contacts", summary = "Add an account to a contact (refused if another contact has it)", request_body = AccountForm, params(("contact" = ContactId, Path, description = "a contact of your company")), responses((status = 204, description = "done"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn post_account(
    State(state): State<AppState>,
    caller: Caller,
    Path(contact): Path<String>,
    body: axum::body::Bytes,
) -> Result<StatusCode, AppError> {
    let contact = contact_id(&contact)?;
    let form: AccountForm = parse_body(&body)?;
    add_account(&state, &caller, contact, form.account, form.country.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, Serialize, utoipa::ToSchema)]
pub(crate) struct OwnerForm {
    /// `{"kind": "agent", "id": …}`, `{"kind": "group", "id": <queue>}`, or null for nobody.
    owner: Option<ContactOwner>,
}

#[utoipa::path(put, path = "/api/v1/contacts/{contact}/owner", tag = "contacts", summary = "Who looks after the contact: an agent or a group (K6, R7)", request_body = OwnerForm, params(("contact" = ContactId, Path, description = "a contact of your company")), responses((status = 204, description = "done"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn put_owner(
    State(state): State<AppState>,
    caller: Caller,
    Path(contact): Path<String>,
    body: axum::body::Bytes,
) -> Result<StatusCode, AppError> {
    let contact = contact_id(&contact)?;
    let form: OwnerForm = parse_body(&body)?;
    set_owner(&state, &caller, contact, form.owner).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/contacts/{contact}/consents", tag = "contacts", summary = "Record a consent or its withdrawal: general, per channel, or per account (K2, K4)", request_body = ConsentForm, params(("contact" = ContactId, Path, description = "a contact of your company")), responses((status = 204, description = "done"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn post_consent(
    State(state): State<AppState>,
    caller: Caller,
    Path(contact): Path<String>,
    body: axum::body::Bytes,
) -> Result<StatusCode, AppError> {
    let contact = contact_id(&contact)?;
    let form: ConsentForm = parse_body(&body)?;
    record_consent(&state, &caller, contact, form).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/contacts/{contact}/merge", tag = "contacts", summary = "Merge another contact into this one (K9)", request_body = MergeForm, params(("contact" = ContactId, Path, description = "the contact that stays")), responses((status = 200, description = "merged; split this merge to undo it", body = Merged), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn post_merge(
    State(state): State<AppState>,
    caller: Caller,
    Path(contact): Path<String>,
    body: axum::body::Bytes,
) -> Result<Json<Merged>, AppError> {
    let into = contact_id(&contact)?;
    let form: MergeForm = parse_body(&body)?;
    Ok(Json(merge_contacts(&state, &caller, into, form.from).await?))
}

#[derive(Deserialize, Serialize, utoipa::ToSchema)]
pub(crate) struct Restored {
    /// The contact the merge had taken in, living again.
    restored: ContactId,
}

#[utoipa::path(post, path = "/api/v1/contacts/{contact}/merges/{merge}/split", tag = "contacts", summary = "Undo a merge: the other contact lives again with its accounts (K9)", params(("contact" = ContactId, Path, description = "the contact that stayed"), ("merge" = Uuid, Path, description = "the merge")), responses((status = 200, description = "split", body = Restored), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn post_split(
    State(state): State<AppState>,
    caller: Caller,
    Path((contact, merge)): Path<(String, String)>,
) -> Result<Json<Restored>, AppError> {
    let survivor = contact_id(&contact)?;
    let merge: Uuid = merge.parse().map_err(|_| AppError::NotFound("no such merge of this contact".into()))?;
    Ok(Json(Restored { restored: split_contacts(&state, &caller, survivor, merge).await? }))
}

#[utoipa::path(get, path = "/api/v1/businesses", tag = "contacts", summary = "The company's businesses (K10)", responses((status = 200, description = "the businesses", body = [BusinessRow]), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn get_businesses(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<BusinessRow>>, AppError> {
    Ok(Json(list_businesses(&state, &caller).await?))
}

#[utoipa::path(post, path = "/api/v1/businesses", tag = "contacts", summary = "Create a business (K10)", request_body = BusinessForm, responses((status = 201, description = "created", body = CreatedBusiness), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn post_business(
    State(state): State<AppState>,
    caller: Caller,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<CreatedBusiness>), AppError> {
    let form: BusinessForm = parse_body(&body)?;
    Ok((StatusCode::CREATED, Json(create_business(&state, &caller, form).await?)))
}

#[utoipa::path(patch, path = "/api/v1/businesses/{business}", tag = "contacts", summary = "Rename a business (K10)", request_body = BusinessForm, params(("business" = BusinessId, Path, description = "a business of your company")), responses((status = 204, description = "done"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn patch_business(
    State(state): State<AppState>,
    caller: Caller,
    Path(business): Path<String>,
    body: axum::body::Bytes,
) -> Result<StatusCode, AppError> {
    let business = business_id(&business)?;
    let form: BusinessForm = parse_body(&body)?;
    change_business(&state, &caller, business, BusinessCommand::Rename { name: form.name }).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/v1/businesses/{business}", tag = "contacts", summary = "Delete a business; its contacts stay, without it (K10)", params(("business" = BusinessId, Path, description = "a business of your company")), responses((status = 204, description = "done"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn delete_business(
    State(state): State<AppState>,
    caller: Caller,
    Path(business): Path<String>,
) -> Result<StatusCode, AppError> {
    change_business(&state, &caller, business_id(&business)?, BusinessCommand::Delete).await?;
    Ok(StatusCode::NO_CONTENT)
}
