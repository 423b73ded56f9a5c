//! Imports of contact files in the background (K8, K14): the file is kept, the import is started
//! as a stream of its own, and the importer (a leader-only log follower) takes it batch by batch —
//! each batch's contacts, their accounts' reservations and the import's progress in one
//! transaction — so an import stopped by a restart resumes at its first row not done.
//!
//! Rows are idempotent: a row's contact has an id derived from what identifies it (its first
//! account, else its e-mail, else its name), and a row whose account already belongs to a contact
//! is that contact, so the same file twice creates nothing new.

use crate::caller::Caller;
use crate::error::AppError;
use crate::services::contacts::files::{read, read_table};
use crate::write::command::{commit, with_retry, Decided};

use crate::state::AppState;
use domain::contact_import::{import_stream, ContactImport, ImportCommand, ImportEvent, ImportState, RowCounts};
use domain::decider::Decider;
use domain::event::decode;
use domain::ids::{CompanyId, ContactId, ImportId};
use domain::user::Role;
use projections::store::{Dialect, ReadStore};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use uuid::Uuid;

/// The largest file imported (100,000 rows of contacts take about 10 MB of CSV).
pub const IMPORT_MAX_BYTES: usize = 50 * 1024 * 1024;
const FILES: &str = "contact_import_files";

/// Where an import stands.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ImportStatus {
    pub id: ImportId,
    pub file_name: String,
    /// Rows of contacts in the file, the header not counted.
    pub rows: usize,
    /// Rows done so far.
    pub done: usize,
    /// Every row is done and the directory shows them.
    pub finished: bool,
    #[serde(flatten)]
    pub counts: RowCounts,
}

impl ImportStatus {
    fn of(id: ImportId, import: ImportState) -> Self {
        Self {
            id,
            file_name: import.file_name,
            rows: import.rows,
            done: import.done,
            finished: import.finished,
            counts: import.counts,
        }
    }
}

/// Creates the table of imported files if it is missing.
pub async fn prepare(store: &ReadStore) -> Result<(), sqlx::Error> {
    let blob = match store.dialect() {
        Dialect::Sqlite => "BLOB",
        Dialect::Postgres => "BYTEA",
    };
    sqlx::query(&format!(
        "CREATE TABLE IF NOT EXISTS {FILES} (import_id TEXT PRIMARY KEY, company_id TEXT NOT NULL, content {blob} NOT NULL)"
    ))
    .execute(store.pool())
    .await?;
    Ok(())
}

async fn keep_file(store: &ReadStore, import: ImportId, company: CompanyId, content: &[u8]) -> Result<(), AppError> {
    let mut transaction = store.begin_write().await?;
    sqlx::query(&format!("INSERT INTO {FILES} (import_id, company_id, content) VALUES ($1, $2, $3)"))
        .bind(import.to_string())
        .bind(company.to_string())
        .bind(content.to_vec())
        .execute(&mut **transaction)
        .await?;
    transaction.commit().await?;
    Ok(())
}

pub(crate) async fn kept_file(store: &ReadStore, import: ImportId) -> Result<Vec<u8>, AppError> {
    let row = sqlx::query(&format!("SELECT content FROM {FILES} WHERE import_id = $1"))
        .bind(import.to_string())
        .fetch_optional(store.pool())
        .await?
        .ok_or_else(|| AppError::Internal(format!("the file of import {import} is missing")))?;
    Ok(row.try_get::<Vec<u8>, _>("content")?)
}

pub fn too_large() -> AppError {
    AppError::TooLarge(format!("files of at most {} MB are imported", IMPORT_MAX_BYTES / (1024 * 1024)))
}

/// `POST /contacts/import`: checks the file can be read, keeps it, and starts its import; the
/// rows are imported in the background.
pub async fn start_import(
    state: &AppState,
    caller: &Caller,
    file_name: &str,
    file: &[u8],
) -> Result<ImportStatus, AppError> {
    caller.require(&[Role::Supervisor])?;
    if file.len() > IMPORT_MAX_BYTES {
        return Err(too_large());
    }
    let rows = read(read_table(file).await?)?.len();
    let import_id = ImportId::from_uuid(Uuid::now_v7());
    let file_name = file_name.trim();
    let command = ImportCommand::Start {
        import_id,
        company_id: caller.company_id,
        file: format!("import:{import_id}"),
        file_name: if file_name.is_empty() { "contacts".into() } else { file_name.chars().take(200).collect() },
        rows,
    };
    let started = ContactImport::decide(&ImportState::default(), &command)?;
    keep_file(&state.store, import_id, caller.company_id, file).await?;
    let context = caller.context(state.clock.now());
    let decided = Decided::new(&context, &import_stream(import_id), eventlog::ExpectedRevision::NoStream, &started)?;
    with_retry(&state.metrics, || commit(state.log.as_ref(), &state.metrics, vec![decided.clone()])).await?;
    Ok(ImportStatus::of(import_id, started.iter().fold(ImportState::default(), ContactImport::evolve)))
}

/// `GET /contacts/imports/{id}`: how far an import of the caller's company has gone. An import is
/// said finished once the directory shows its contacts too (until then its rows are all done but
/// it is not finished), so whoever reads the directory next finds them.
pub async fn import_status(state: &AppState, caller: &Caller, import_id: ImportId) -> Result<ImportStatus, AppError> {
    caller.require(&[Role::Supervisor])?;
    let history = state.log.read_stream(&import_stream(import_id)).await?;
    let last = history.last().map(|event| event.position);
    let events = history
        .into_iter()
        .map(|recorded| decode::<ImportEvent>(&recorded.event_type, recorded.metadata.schema_version, &recorded.data))
        .collect::<Result<Vec<_>, _>>()?;
    let import = ContactImport::fold(events.iter());
    if import.company_id != Some(caller.company_id) {
        return Err(AppError::NotFound("no such import".into()));
    }
    let mut status = ImportStatus::of(import_id, import);
    if status.finished {
        let shown = state.contacts.shown().await?;
        status.finished = last.is_none_or(|last| shown >= last);
    }
    Ok(status)
}

/// The contact a file makes for what identifies a row (its first account's key, else its e-mail,
/// else its name): the same for every file, so a row imported twice is one contact.
pub(crate) fn imported_contact_id(company: CompanyId, identity: &str) -> ContactId {
    ContactId::from_uuid(Uuid::new_v5(&company.as_uuid(), format!("import:{identity}").as_bytes()))
}
