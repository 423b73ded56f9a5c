//! Imports of contact files in the background (K8, K14): the file is kept, the import is started
//! as a stream of its own, and the importer (a leader-only log follower) takes it batch by batch —
//! each batch's contacts, their accounts' reservations and the import's progress in one
//! transaction — so an import stopped by a restart resumes at its first row not done.
//!
//! Rows are idempotent: a row's contact has an id derived from what identifies it (its first
//! account, else its e-mail, else its name), and a row whose account already belongs to a contact
//! is that contact, so the same file twice creates nothing new.

use crate::commands::{commit, decide, load, with_retry, CommandContext, Decided};
use crate::contact_files::{read, table_of, ContactLine};
use crate::contacts::{account_taken, decide_in_turn, open_business};
use crate::error::AppError;
use crate::follower::Follower;
use crate::leader::Leadership;
use crate::people::Caller;
use crate::startup::AppState;
use domain::contact::{account_stream, contact_stream, Account, Contact, ContactCommand, ContactDetails, NameSource};
use domain::contact_import::{
    import_stream, ContactImport, ImportCommand, ImportEvent, ImportRejection, ImportState, RefusedRow, RowCounts,
};
use domain::decider::Decider;
use domain::event::decode;
use domain::ids::{BusinessId, CompanyId, ContactId, ImportId};
use domain::reservation::{Reservation, ReservationCommand};
use domain::user::Role;
use eventlog::{EventLog, Position, RecordedEvent};
use projections::contacts::Contacts;
use projections::store::{Dialect, ReadStore};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::Arc;
use uuid::Uuid;

/// Rows per transaction: large enough to import 100,000 rows in minutes, small enough that a
/// restart loses little and the progress bar moves.
const BATCH: usize = 500;
/// The largest file imported (100,000 rows of contacts take about 10 MB of CSV).
pub const IMPORT_MAX_BYTES: usize = 50 * 1024 * 1024;
const FILES: &str = "contact_import_files";

impl From<ImportRejection> for AppError {
    fn from(rejection: ImportRejection) -> Self {
        match rejection {
            ImportRejection::NotFound => AppError::NotFound(rejection.to_string()),
            ImportRejection::Empty => AppError::Invalid(rejection.to_string()),
            _ => AppError::Conflict(rejection.to_string()),
        }
    }
}

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

async fn kept_file(store: &ReadStore, import: ImportId) -> Result<Vec<u8>, AppError> {
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
    let rows = read(table_of(file)?)?.len();
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
    let context = caller.context();
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

/// The businesses a batch names, by name in lower case: the company's, or created for it; a
/// name that cannot be a business is its rows' refusal.
async fn businesses_of(
    state: &AppState,
    context: &CommandContext,
    company: CompanyId,
    known: &mut BTreeMap<String, Result<BusinessId, String>>,
    lines: &[ContactLine],
) -> Result<(), AppError> {
    let named: BTreeSet<&String> = lines.iter().filter_map(|l| l.business.as_ref()).collect();
    for name in named {
        let key = name.to_lowercase();
        if known.contains_key(&key) {
            continue;
        }
        let business_id = BusinessId::from_uuid(Uuid::new_v5(&company.as_uuid(), format!("business:{key}").as_bytes()));
        let opened = match open_business(state, context, company, business_id, name.clone()).await {
            Ok(()) => Ok(business_id),
            Err(AppError::Internal(cause)) => return Err(AppError::Internal(cause)),
            Err(refused) => Err(format!("business: {refused}")),
        };
        known.insert(key, opened);
    }
    Ok(())
}

/// What a batch will append, and what it has claimed so far (so two rows of one batch that share
/// an account or an identity make one contact).
#[derive(Default)]
struct Batch {
    decisions: Vec<Decided>,
    accounts: HashSet<String>,
    contacts: HashSet<ContactId>,
    counts: RowCounts,
}

/// The contact a file makes for what identifies a row (its first account's key, else its e-mail,
/// else its name): the same for every file, so a row imported twice is one contact.
pub(crate) fn imported_contact_id(company: CompanyId, identity: &str) -> ContactId {
    ContactId::from_uuid(Uuid::new_v5(&company.as_uuid(), format!("import:{identity}").as_bytes()))
}

/// One row: planned as a new contact (`true`), found in the directory already (`false`), or
/// refused with the reason.
async fn plan_row(
    log: &dyn EventLog,
    context: &CommandContext,
    company: CompanyId,
    businesses: &BTreeMap<String, Result<BusinessId, String>>,
    line: &ContactLine,
    batch: &mut Batch,
) -> Result<bool, AppError> {
    let mut accounts: Vec<Account> = Vec::new();
    for (channel, id) in &line.accounts {
        let account = Account::parse(*channel, id, None)?;
        if !accounts.contains(&account) {
            accounts.push(account);
        }
    }
    let business = match &line.business {
        Some(name) => match businesses.get(&name.to_lowercase()) {
            Some(Ok(id)) => Some(*id),
            Some(Err(reason)) => return Err(AppError::Invalid(reason.clone())),
            None => return Err(AppError::Internal(format!("the business {name} was not looked up"))),
        },
        None => None,
    };
    let details = ContactDetails::parse(
        &line.name,
        NameSource::Import,
        line.email.as_deref(),
        &line.notes,
        &line.fields,
        business,
    )?;
    if accounts.iter().any(|account| batch.accounts.contains(&account.key())) {
        return Ok(false);
    }
    let identity = match (accounts.first(), &details.email) {
        (Some(account), _) => account.key(),
        (None, Some(email)) => format!("email:{email}"),
        (None, None) => format!("name:{}", details.name.to_lowercase()),
    };
    let contact_id = imported_contact_id(company, &identity);
    if batch.contacts.contains(&contact_id) {
        return Ok(false);
    }
    let mut claims = Vec::new();
    for account in &accounts {
        let claim = ReservationCommand::Claim { owner: contact_id.as_uuid(), name: account.key() };
        match decide::<Reservation>(log, context, &account_stream(company, account), &claim, account_taken).await {
            Ok(claimed) => claims.push(claimed),
            // The account is a contact's already: the row is that contact.
            Err(AppError::Conflict(_)) => return Ok(false),
            Err(other) => return Err(other),
        }
    }
    let stream = contact_stream(contact_id);
    let (contact, expected) = load::<Contact>(log, &stream).await?;
    if contact.company_id.is_some() {
        // Imported before, and perhaps changed since: it stays as people left it.
        return Ok(false);
    }
    let mut commands = vec![ContactCommand::Create { contact_id, company_id: company, details }];
    commands.extend(accounts.iter().map(|account| ContactCommand::AddAccount { account: account.clone(), line: None }));
    let events = decide_in_turn(contact, &commands)?;
    batch.decisions.extend(claims);
    batch.decisions.push(Decided::new(context, &stream, expected, &events)?);
    batch.accounts.extend(accounts.iter().map(Account::key));
    batch.contacts.insert(contact_id);
    Ok(true)
}

/// Imports the next batch of rows; answers whether the import is finished.
async fn import_next_batch(
    state: &AppState,
    context: &CommandContext,
    import_id: ImportId,
    lines: &[ContactLine],
    businesses: &mut BTreeMap<String, Result<BusinessId, String>>,
) -> Result<bool, AppError> {
    let log = state.log.as_ref();
    let stream = import_stream(import_id);
    let (import, _) = load::<ContactImport>(log, &stream).await?;
    let (Some(company), false) = (import.company_id, import.finished) else { return Ok(true) };
    let from = import.done;
    let to = (from + BATCH).min(import.rows).min(lines.len());
    businesses_of(state, context, company, businesses, &lines[from..to]).await?;
    let (businesses, stream) = (&*businesses, &stream);
    with_retry(&state.metrics, || async move {
        let (import, expected) = load::<ContactImport>(log, stream).await?;
        if import.finished || import.done != from {
            // Another node took this batch meanwhile.
            return Ok(import.finished);
        }
        let mut batch = Batch::default();
        for (n, line) in lines[from..to].iter().enumerate() {
            match plan_row(log, context, company, businesses, line, &mut batch).await {
                Ok(true) => batch.counts.created += 1,
                Ok(false) => batch.counts.unchanged += 1,
                Err(AppError::Invalid(reason)) => batch.counts.refused.push(RefusedRow { row: from + n + 2, reason }),
                Err(other) => return Err(other.into()),
            }
        }
        let progress = ContactImport::decide(&import, &ImportCommand::RecordRows { from, to, counts: batch.counts })
            .map_err(AppError::from)?;
        let finished = progress.iter().any(|event| matches!(event, ImportEvent::Finished { .. }));
        batch.decisions.push(Decided::new(context, stream, expected, &progress)?);
        commit(log, &state.metrics, batch.decisions).await?;
        Ok(finished)
    })
    .await
}

/// An import to take, with who started it: the rows it imports are their act.
#[derive(Clone)]
struct Started {
    company: CompanyId,
    actor: String,
    correlation: Uuid,
    cause: Uuid,
}

/// Takes every import started and not finished, on the leader, to its end.
pub struct ContactImporter {
    state: AppState,
    leadership: Leadership,
    position: Position,
    pending: BTreeMap<ImportId, Started>,
}

impl ContactImporter {
    pub fn new(state: AppState, leadership: Leadership) -> Self {
        Self { state, leadership, position: Position::default(), pending: BTreeMap::new() }
    }

    async fn run(&self, import_id: ImportId, started: &Started) -> Result<(), AppError> {
        let file = kept_file(&self.state.store, import_id).await?;
        let lines = read(table_of(&file)?)?;
        let mut businesses: BTreeMap<String, Result<BusinessId, String>> = Contacts
            .businesses(&self.state.store, &started.company.to_string())
            .await?
            .into_iter()
            .filter_map(|b| b.business_id.parse().ok().map(|id| (b.name.to_lowercase(), Ok(id))))
            .collect();
        loop {
            let context = CommandContext {
                company_id: started.company.as_uuid(),
                actor: started.actor.clone(),
                correlation_id: started.correlation,
                causation_id: Some(started.cause),
                now: chrono::Utc::now(),
            };
            if import_next_batch(&self.state, &context, import_id, &lines, &mut businesses).await? {
                return Ok(());
            }
        }
    }
}

#[async_trait::async_trait]
impl Follower for ContactImporter {
    type Error = AppError;
    const NAME: &'static str = "the contact importer";

    fn log(&self) -> Arc<dyn EventLog> {
        self.state.log.clone()
    }

    fn position(&mut self) -> &mut Position {
        &mut self.position
    }

    fn learn(&mut self, event: &RecordedEvent) -> Result<(), AppError> {
        if !matches!(event.event_type.as_str(), "ContactImportStarted" | "ContactImportFinished") {
            return Ok(());
        }
        match decode::<ImportEvent>(&event.event_type, event.metadata.schema_version, &event.data)? {
            ImportEvent::Started { import_id, company_id, .. } => {
                let started = Started {
                    company: company_id,
                    actor: event.metadata.actor.clone(),
                    correlation: event.metadata.correlation_id,
                    cause: event.event_id,
                };
                self.pending.insert(import_id, started);
            }
            ImportEvent::Finished { import_id } => {
                self.pending.remove(&import_id);
            }
            ImportEvent::RowsDone { .. } => {}
        }
        Ok(())
    }

    async fn act(&mut self) -> Result<(), AppError> {
        if self.pending.is_empty() || !self.leadership.try_lead().await {
            return Ok(());
        }
        while let Some((import_id, started)) = self.pending.first_key_value().map(|(i, s)| (*i, s.clone())) {
            self.run(import_id, &started).await?;
            self.pending.remove(&import_id);
        }
        Ok(())
    }
}
