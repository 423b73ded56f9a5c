//! The contact importer: takes each started import of a contact file batch by batch, resuming after a restart (K8, K14).

use crate::error::AppError;
use crate::services::contacts::directory::{decide_in_turn, open_business};
use crate::services::contacts::files::{read, read_table, ContactLine};
use crate::services::contacts::imports::{imported_contact_id, kept_file};
use crate::workers::follower::Follower;
use crate::workers::leader::Leadership;
use crate::write::command::{commit, decide_on, folded, load, with_retry, CommandContext, Decided};

use crate::state::AppState;
use domain::contact::{account_stream, contact_stream, Account, Contact, ContactCommand, ContactDetails, NameSource};
use domain::contact_import::{import_stream, ContactImport, ImportCommand, ImportEvent, RefusedRow, RowCounts};
use domain::decider::Decider;
use domain::event::decode;
use domain::ids::{BusinessId, CompanyId, ContactId, ImportId};
use domain::reservation::{Reservation, ReservationCommand, Reserved};
use eventlog::{EventLog, Position, RecordedEvent};
use projections::contacts::Contacts;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;
use uuid::Uuid;

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

/// A row as read: the accounts it names, its details, and the contact it is.
struct Row {
    accounts: Vec<Account>,
    details: ContactDetails,
    contact_id: ContactId,
}

impl Row {
    fn read(
        company: CompanyId,
        businesses: &BTreeMap<String, Result<BusinessId, String>>,
        line: &ContactLine,
    ) -> Result<Row, AppError> {
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
        let identity = match (accounts.first(), &details.email) {
            (Some(account), _) => account.key(),
            (None, Some(email)) => format!("email:{email}"),
            (None, None) => format!("name:{}", details.name.to_lowercase()),
        };
        let contact_id = imported_contact_id(company, &identity);
        Ok(Row { accounts, details, contact_id })
    }

    /// The streams deciding this row reads: its accounts' reservations and its contact.
    fn streams(&self, company: CompanyId) -> impl Iterator<Item = String> + '_ {
        self.accounts
            .iter()
            .map(move |account| account_stream(company, account))
            .chain([contact_stream(self.contact_id)])
    }
}

/// One row, on the histories its batch read at once: planned as a new contact (`true`), found in
/// the directory already (`false`).
fn plan_row(
    context: &CommandContext,
    company: CompanyId,
    row: Row,
    histories: &HashMap<String, Vec<RecordedEvent>>,
    batch: &mut Batch,
) -> Result<bool, AppError> {
    let history = |stream: &str| histories.get(stream).map(Vec::as_slice).unwrap_or_default();
    let Row { accounts, details, contact_id } = row;
    if accounts.iter().any(|account| batch.accounts.contains(&account.key())) || batch.contacts.contains(&contact_id) {
        return Ok(false);
    }
    let mut claims = Vec::new();
    for account in &accounts {
        let stream = account_stream(company, account);
        let claim =
            ReservationCommand::Claim { owner: contact_id.as_uuid(), name: account.key(), what: Reserved::Account };
        match decide_on::<Reservation>(history(&stream), context, &stream, &claim) {
            Ok(claimed) => claims.push(claimed),
            // The account is a contact's already: the row is that contact.
            Err(AppError::Conflict(_)) => return Ok(false),
            Err(other) => return Err(other),
        }
    }
    let stream = contact_stream(contact_id);
    let (contact, expected) = folded::<Contact>(history(&stream))?;
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
        let rows: Vec<Result<Row, AppError>> =
            lines[from..to].iter().map(|line| Row::read(company, businesses, line)).collect();
        // Every stream the batch decides on, read at once rather than row by row.
        let streams: Vec<String> = rows.iter().flatten().flat_map(|row| row.streams(company)).collect();
        let histories = log.read_streams(&streams).await?;
        for (n, row) in rows.into_iter().enumerate() {
            match row.and_then(|row| plan_row(context, company, row, &histories, &mut batch)) {
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
        let lines = read(read_table(&file).await?)?;
        let mut businesses: BTreeMap<String, Result<BusinessId, String>> = Contacts
            .businesses_of(&self.state.store, &started.company.to_string())
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
                now: self.state.clock.now(),
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
    const NAME: &'static str = "contact importer";

    fn log(&self) -> Arc<dyn EventLog> {
        self.state.log.clone()
    }

    fn position(&mut self) -> &mut Position {
        &mut self.position
    }

    fn learn(&mut self, event: &RecordedEvent) -> Result<(), AppError> {
        if !matches!(event.event_type.as_str(), ImportEvent::STARTED | ImportEvent::FINISHED) {
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

/// Rows per transaction: large enough to import 100,000 rows in minutes, small enough that a
/// restart loses little and the progress bar moves.
const BATCH: usize = 500;
