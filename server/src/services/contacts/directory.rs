//! The contact directory's commands and queries (K1, K2, K4–K6, K9–K13): contacts with their
//! accounts (each claimed in its own reservation stream, so an account is one contact's), their
//! owner and consent, merges and splits, and businesses.

use crate::caller::Caller;
use crate::error::AppError;
use crate::metrics::Metrics;
use crate::write::command::{commit, decide, load, with_retry, CommandContext, Decided};

use crate::state::AppState;
use domain::business::{business_stream, Business, BusinessCommand};
use domain::contact::{
    account_stream, contact_stream, Account, AccountRecord, Channel, ConsentRecord, ConsentScope, ConsentSource,
    Contact, ContactCommand, ContactDetails, ContactEvent, ContactOwner, ContactRejection, ContactState, NameSource,
};
use domain::decider::Decider;
use domain::ids::{BusinessId, CompanyId, ContactId, LineId};
use domain::phone::Country;
use domain::reservation::{Reservation, ReservationCommand, ReservationState, Reserved};
use domain::user::Role;
use eventlog::{EventLog, ExpectedRevision};
use projections::chat_board::{ChatBoard, ChatRow};
use projections::contacts::{BusinessRow, ContactRow, Contacts};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

/// An account as people write it.
#[derive(Clone, Debug, Deserialize, Serialize, utoipa::ToSchema)]
pub struct NewAccount {
    pub channel: Channel,
    pub id: String,
}

/// A contact's details as a person or a file gives them.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ContactForm {
    pub name: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
    #[serde(default)]
    pub business_id: Option<BusinessId>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct NewContact {
    #[serde(flatten)]
    pub details: ContactForm,
    #[serde(default)]
    pub accounts: Vec<NewAccount>,
    /// Reads phone numbers written without their country code (two letters, e.g. `ES`).
    #[serde(default)]
    pub country: Option<String>,
}

#[derive(Clone, Debug, Deserialize, Serialize, utoipa::ToSchema)]
pub struct CreatedContact {
    pub id: ContactId,
}

/// A contact's card: the contact, its consents at each level, whether each account may be
/// contacted, and its chats on every line.
#[derive(Clone, Debug, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ContactCard {
    pub contact: ContactRow,
    /// The contacts merged into this one, each undone by splitting its merge (K9).
    pub merges: Vec<MergedContact>,
    pub consents: Vec<ConsentRecord>,
    pub reachable: Vec<AccountConsent>,
    pub chats: Vec<ChatRow>,
}

/// A contact merged into another, and the merge that undoes it.
#[derive(Clone, Debug, Deserialize, Serialize, utoipa::ToSchema)]
pub struct MergedContact {
    pub merge: Uuid,
    pub contact_id: ContactId,
    pub name: String,
}

/// What the most specific consent says of one account (K4); `null` when nobody recorded any.
#[derive(Clone, Debug, Deserialize, Serialize, utoipa::ToSchema)]
pub struct AccountConsent {
    pub channel: Channel,
    pub id: String,
    pub consented: Option<bool>,
}

pub(crate) fn country_of(raw: Option<&str>) -> Result<Option<Country>, AppError> {
    raw.map(str::trim)
        .filter(|c| !c.is_empty())
        .map(Country::parse)
        .transpose()
        .map_err(|e| AppError::Invalid(format!("country: {e}")))
}

/// Checks the accounts as given, naming the one that is wrong.
pub fn parse_accounts(accounts: &[NewAccount], country: Option<Country>) -> Result<Vec<Account>, AppError> {
    accounts
        .iter()
        .enumerate()
        .map(|(n, a)| {
            Account::parse(a.channel, &a.id, country).map_err(|e| AppError::Invalid(format!("accounts[{n}]: {e}")))
        })
        .collect()
}

async fn check_business(state: &AppState, company: CompanyId, business: Option<BusinessId>) -> Result<(), AppError> {
    let Some(business) = business else { return Ok(()) };
    match Contacts.company_of_business(&state.store, &business.to_string()).await? {
        Some(owner) if owner == company.to_string() => Ok(()),
        _ => Err(AppError::Invalid("business_id: no such business".into())),
    }
}

/// The details a form gives, checked, with the business checked to be the company's.
pub async fn parse_details(
    state: &AppState,
    company: CompanyId,
    form: &ContactForm,
    source: NameSource,
) -> Result<ContactDetails, AppError> {
    let details =
        ContactDetails::parse(&form.name, source, form.email.as_deref(), &form.notes, &form.fields, form.business_id)?;
    check_business(state, company, details.business).await?;
    Ok(details)
}

/// Folds several commands on one state in memory: what they decide together.
pub fn decide_in_turn(
    mut state: ContactState,
    commands: &[ContactCommand],
) -> Result<Vec<ContactEvent>, ContactRejection> {
    let mut events = Vec::new();
    for command in commands {
        let decided = Contact::decide(&state, command)?;
        state = decided.iter().fold(state, Contact::evolve);
        events.extend(decided);
    }
    Ok(events)
}

/// Creates a contact with its accounts; each account is claimed in the same transaction.
pub async fn create_contact(
    log: &dyn EventLog,
    metrics: &Metrics,
    context: &CommandContext,
    contact_id: ContactId,
    details: ContactDetails,
    accounts: &[(Account, Option<LineId>)],
) -> Result<Option<eventlog::Position>, AppError> {
    let company = CompanyId::from_uuid(context.company_id);
    with_retry(metrics, || async {
        let mut reservations = Vec::new();
        for (account, _) in accounts {
            reservations.push(load::<Reservation>(log, &account_stream(company, account)).await?);
        }
        let contact = load::<Contact>(log, &contact_stream(contact_id)).await?;
        let decisions = making_contact(context, contact_id, details.clone(), accounts, reservations, contact)?;
        commit(log, metrics, decisions).await
    })
    .await
}

/// What makes a contact holding `accounts`, decided on the states their reservations (one per
/// account, in order) and the contact's own stream are in.
fn making_contact(
    context: &CommandContext,
    contact_id: ContactId,
    details: ContactDetails,
    accounts: &[(Account, Option<LineId>)],
    reservations: Vec<(ReservationState, ExpectedRevision)>,
    (contact, expected): (ContactState, ExpectedRevision),
) -> Result<Vec<Decided>, AppError> {
    let company = CompanyId::from_uuid(context.company_id);
    let mut decisions = Vec::new();
    for ((account, _), (held, expected)) in accounts.iter().zip(reservations) {
        let claim =
            ReservationCommand::Claim { owner: contact_id.as_uuid(), name: account.key(), what: Reserved::Account };
        let claimed = Reservation::decide(&held, &claim)?;
        decisions.push(Decided::new(context, &account_stream(company, account), expected, &claimed)?);
    }
    let mut commands = vec![ContactCommand::Create { contact_id, company_id: company, details }];
    commands.extend(
        accounts.iter().map(|(account, line)| ContactCommand::AddAccount { account: account.clone(), line: *line }),
    );
    let events = decide_in_turn(contact, &commands).map_err(AppError::from)?;
    decisions.push(Decided::new(context, &contact_stream(contact_id), expected, &events)?);
    Ok(decisions)
}

/// What makes a contact when neither it nor its accounts' reservations have a history: decided
/// without reading, so that many can go in one append, which refuses them all if any stream
/// turns out to exist.
pub fn first_contact(
    context: &CommandContext,
    contact_id: ContactId,
    details: ContactDetails,
    accounts: &[(Account, Option<LineId>)],
) -> Result<Vec<Decided>, AppError> {
    let reservations = accounts.iter().map(|_| (ReservationState::default(), ExpectedRevision::NoStream)).collect();
    let contact = (ContactState::default(), ExpectedRevision::NoStream);
    making_contact(context, contact_id, details, accounts, reservations, contact)
}

/// The contact a chat's account makes when it has none: always the same one for the same account
/// (so making it twice makes one), named as the channel shows the customer, or by the account's
/// id when it shows no name.
pub fn channel_contact(
    company: CompanyId,
    account: &Account,
    shown: ChannelName<'_>,
) -> Result<(ContactId, ContactDetails), AppError> {
    let contact = ContactId::from_uuid(Uuid::new_v5(&company.as_uuid(), account.key().as_bytes()));
    let none = BTreeMap::new();
    let details = ContactDetails::parse(shown.name, shown.source, None, "", &none, None)
        .or_else(|_| ContactDetails::parse(&account.id, NameSource::Profile, None, "", &none, None))?;
    Ok((contact, details))
}

/// `POST /contacts`: a person creates a contact (K1).
pub async fn add_contact(state: &AppState, caller: &Caller, new: NewContact) -> Result<CreatedContact, AppError> {
    caller.require(&[Role::Supervisor, Role::Agent])?;
    let details = parse_details(state, caller.company_id, &new.details, NameSource::Agent).await?;
    let accounts = parse_accounts(&new.accounts, country_of(new.country.as_deref())?)?;
    let contact_id = ContactId::from_uuid(Uuid::now_v7());
    let with_lines: Vec<_> = accounts.into_iter().map(|a| (a, None)).collect();
    let position = create_contact(
        state.log.as_ref(),
        &state.metrics,
        &caller.context(state.clock.now()),
        contact_id,
        details,
        &with_lines,
    )
    .await?;
    state.caught_up(&state.contacts, position).await?;
    Ok(CreatedContact { id: contact_id })
}

/// The contact `contact` of the caller's company, as its stream tells it.
async fn company_contact(
    state: &AppState,
    company: CompanyId,
    contact: ContactId,
) -> Result<(ContactState, ExpectedRevision), AppError> {
    let (found, expected) = load::<Contact>(state.log.as_ref(), &contact_stream(contact)).await?;
    if found.company_id != Some(company) {
        return Err(AppError::NotFound("no such contact".into()));
    }
    Ok((found, expected))
}

/// Runs one command on a contact of the caller's company and waits for the directory to show it.
async fn change_contact(
    state: &AppState,
    caller: &Caller,
    contact: ContactId,
    command: ContactCommand,
) -> Result<(), AppError> {
    let context = caller.context(state.clock.now());
    let stream = contact_stream(contact);
    let position = with_retry(&state.metrics, || async {
        let (found, expected) = company_contact(state, caller.company_id, contact).await?;
        let events = Contact::decide(&found, &command).map_err(AppError::from)?;
        commit(state.log.as_ref(), &state.metrics, vec![Decided::new(&context, &stream, expected, &events)?]).await
    })
    .await?;
    state.caught_up(&state.contacts, position).await
}

pub async fn edit_contact(
    state: &AppState,
    caller: &Caller,
    contact: ContactId,
    form: ContactForm,
) -> Result<(), AppError> {
    caller.require(&[Role::Supervisor, Role::Agent])?;
    let details = parse_details(state, caller.company_id, &form, NameSource::Agent).await?;
    change_contact(state, caller, contact, ContactCommand::ChangeDetails { details }).await
}

/// K6: who looks after the contact; the agent or group must be the company's.
pub async fn set_owner(
    state: &AppState,
    caller: &Caller,
    contact: ContactId,
    owner: Option<ContactOwner>,
) -> Result<(), AppError> {
    caller.require(&[Role::Supervisor])?;
    match owner {
        Some(ContactOwner::Agent(agent)) => {
            crate::services::agents::ensure_agent_of_caller(state, caller, agent).await?
        }
        Some(ContactOwner::Group(queue)) => ensure_queue_of_company(state, caller.company_id, queue).await?,
        None => {}
    }
    change_contact(state, caller, contact, ContactCommand::SetOwner { owner }).await
}

async fn ensure_queue_of_company(
    state: &AppState,
    company: CompanyId,
    queue: domain::ids::QueueId,
) -> Result<(), AppError> {
    let queues = projections::queue_list::QueueList::new().queues_of(&state.store, company).await?;
    if queues.iter().any(|row| row.queue_id == queue.to_string()) {
        Ok(())
    } else {
        Err(AppError::NotFound("no such queue".into()))
    }
}

#[derive(Clone, Debug, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ConsentForm {
    pub scope: ConsentScope,
    pub given: bool,
}

/// K2, K4: a person records a consent or its withdrawal at a level.
pub async fn record_consent(
    state: &AppState,
    caller: &Caller,
    contact: ContactId,
    form: ConsentForm,
) -> Result<(), AppError> {
    caller.require(&[Role::Supervisor, Role::Agent])?;
    let consent =
        ConsentRecord { scope: form.scope, given: form.given, source: ConsentSource::Agent, at: state.clock.now() };
    change_contact(state, caller, contact, ContactCommand::RecordConsent { consent }).await
}

/// Adds an account to a contact by hand: claimed for it, or refused if another contact has it.
pub async fn add_account(
    state: &AppState,
    caller: &Caller,
    contact: ContactId,
    new: NewAccount,
    country: Option<&str>,
) -> Result<(), AppError> {
    caller.require(&[Role::Supervisor, Role::Agent])?;
    let account = parse_accounts(std::slice::from_ref(&new), country_of(country)?)?.remove(0);
    let context = caller.context(state.clock.now());
    let log = state.log.as_ref();
    let position = with_retry(&state.metrics, || async {
        let (found, expected) = company_contact(state, caller.company_id, contact).await?;
        let claim =
            ReservationCommand::Claim { owner: contact.as_uuid(), name: account.key(), what: Reserved::Account };
        let claimed =
            decide::<Reservation>(log, &context, &account_stream(caller.company_id, &account), &claim).await?;
        let events = Contact::decide(&found, &ContactCommand::AddAccount { account: account.clone(), line: None })
            .map_err(AppError::from)?;
        commit(log, &state.metrics, vec![claimed, Decided::new(&context, &contact_stream(contact), expected, &events)?])
            .await
    })
    .await?;
    state.caught_up(&state.contacts, position).await
}

#[derive(Clone, Debug, Deserialize, Serialize, utoipa::ToSchema)]
pub struct MergeForm {
    /// The contact that disappears into the one named in the path.
    pub from: ContactId,
}

#[derive(Clone, Debug, Deserialize, Serialize, utoipa::ToSchema)]
pub struct Merged {
    /// What to split to undo the merge.
    pub merge: Uuid,
}

/// K9: `from` is merged into `into`: its accounts (and their chats), and its consents newer than
/// `into`'s, go to `into`; both histories stay. One transaction over both contacts and every
/// account's reservation.
pub async fn merge_contacts(
    state: &AppState,
    caller: &Caller,
    into: ContactId,
    from: ContactId,
) -> Result<Merged, AppError> {
    caller.require(&[Role::Supervisor])?;
    let merge = Uuid::now_v7();
    let context = caller.context(state.clock.now());
    let log = state.log.as_ref();
    let position = with_retry(&state.metrics, || async {
        let (survivor, survivor_expected) = company_contact(state, caller.company_id, into).await?;
        let (absorbed, absorbed_expected) = company_contact(state, caller.company_id, from).await?;
        let merged = Contact::decide(&absorbed, &ContactCommand::MergeInto { into, merge }).map_err(AppError::from)?;
        let absorb = ContactCommand::Absorb { from, merge, absorbed: Box::new(absorbed.clone()) };
        let took = Contact::decide(&survivor, &absorb).map_err(AppError::from)?;
        let mut decisions = vec![
            Decided::new(&context, &contact_stream(from), absorbed_expected, &merged)?,
            Decided::new(&context, &contact_stream(into), survivor_expected, &took)?,
        ];
        for account in absorbed.accounts.keys() {
            decisions.push(hand_over_account(log, &context, caller.company_id, account, from, into).await?);
        }
        commit(log, &state.metrics, decisions).await
    })
    .await?;
    state.caught_up(&state.contacts, position).await?;
    Ok(Merged { merge })
}

/// K9 undone: the merge's accounts, with the lines they talked to since, go back to the contact
/// that was merged, which lives again.
pub async fn split_contacts(
    state: &AppState,
    caller: &Caller,
    survivor_id: ContactId,
    merge: Uuid,
) -> Result<ContactId, AppError> {
    caller.require(&[Role::Supervisor])?;
    let context = caller.context(state.clock.now());
    let log = state.log.as_ref();
    let (position, restored_id) = with_retry(&state.metrics, || async {
        let (survivor, survivor_expected) = company_contact(state, caller.company_id, survivor_id).await?;
        let from = survivor.merges.get(&merge).map(|m| m.from).ok_or(AppError::from(ContactRejection::NoSuchMerge))?;
        let (restored, restored_expected) = company_contact(state, caller.company_id, from).await?;
        let back: Vec<AccountRecord> = survivor.accounts.values().filter(|r| r.merge == Some(merge)).cloned().collect();
        let split = Contact::decide(&survivor, &ContactCommand::SplitOff { merge }).map_err(AppError::from)?;
        let restore = ContactCommand::Restore { merge, accounts: back.clone() };
        let lives = Contact::decide(&restored, &restore).map_err(AppError::from)?;
        let mut decisions = vec![
            Decided::new(&context, &contact_stream(survivor_id), survivor_expected, &split)?,
            Decided::new(&context, &contact_stream(from), restored_expected, &lives)?,
        ];
        for record in &back {
            decisions
                .push(hand_over_account(log, &context, caller.company_id, &record.account, survivor_id, from).await?);
        }
        commit(log, &state.metrics, decisions).await.map(|position| (position, from))
    })
    .await?;
    state.caught_up(&state.contacts, position).await?;
    Ok(restored_id)
}

/// The contact that holds `account` now, if one does.
pub async fn holder_of(
    log: &dyn EventLog,
    company: CompanyId,
    account: &Account,
) -> Result<Option<ContactId>, AppError> {
    let (reservation, _) = load::<Reservation>(log, &account_stream(company, account)).await?;
    Ok(reservation.holder().map(ContactId::from_uuid))
}

/// The name a channel shows for a customer, and whose it is (K5).
#[derive(Clone, Copy, Debug)]
pub struct ChannelName<'a> {
    pub name: &'a str,
    pub source: NameSource,
}

/// The contact that holds an account, as [`find_or_create_contact`] found it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Holder {
    /// Made just now, named as the channel shows the customer and holding the account from the line.
    New(ContactId),
    Known(ContactId),
}

/// The contact holding `account`, or a new one named as the channel shows them (by the account's
/// id when it shows no name) and holding it from `line`.
pub async fn find_or_create_contact(
    log: &dyn EventLog,
    metrics: &Metrics,
    context: &CommandContext,
    account: &Account,
    line: LineId,
    shown: ChannelName<'_>,
) -> Result<Holder, AppError> {
    let company = CompanyId::from_uuid(context.company_id);
    if let Some(known) = holder_of(log, company, account).await? {
        return Ok(Holder::Known(known));
    }
    let (contact, details) = channel_contact(company, account, shown)?;
    let accounts = [(account.clone(), Some(line))];
    match create_contact(log, metrics, context, contact, details.clone(), &accounts).await {
        Ok(_) => Ok(Holder::New(contact)),
        Err(AppError::Conflict(_)) => match holder_of(log, company, account).await? {
            // Someone claimed it meanwhile: theirs it is.
            Some(known) => Ok(Holder::Known(known)),
            // The account's own contact was merged away after the account left it: a new one.
            None => {
                let contact = ContactId::from_uuid(Uuid::now_v7());
                create_contact(log, metrics, context, contact, details, &accounts).await?;
                Ok(Holder::New(contact))
            }
        },
        Err(error) => Err(error),
    }
}

/// Runs commands on a contact, in turn, in one append.
pub async fn change_in_turn(
    log: &dyn EventLog,
    metrics: &Metrics,
    context: &CommandContext,
    contact: ContactId,
    commands: &[ContactCommand],
) -> Result<Option<eventlog::Position>, AppError> {
    let stream = contact_stream(contact);
    with_retry(metrics, || async {
        let (state, expected) = load::<Contact>(log, &stream).await?;
        let events = decide_in_turn(state, commands).map_err(AppError::from)?;
        commit(log, metrics, vec![Decided::new(context, &stream, expected, &events)?]).await
    })
    .await
}

/// The reservation of `account` passes from one contact to another.
async fn hand_over_account(
    log: &dyn EventLog,
    context: &CommandContext,
    company: CompanyId,
    account: &Account,
    from: ContactId,
    to: ContactId,
) -> Result<Decided, AppError> {
    let stream = account_stream(company, account);
    let (held, expected) = load::<Reservation>(log, &stream).await?;
    let mut events = Reservation::decide(&held, &ReservationCommand::Release { owner: from.as_uuid() })?;
    let released = events.iter().fold(held, Reservation::evolve);
    events.extend(Reservation::decide(
        &released,
        &ReservationCommand::Claim { owner: to.as_uuid(), name: account.key(), what: Reserved::Account },
    )?);
    Decided::new(context, &stream, expected, &events)
}

#[derive(Clone, Debug, Deserialize, utoipa::IntoParams)]
pub struct ContactQuery {
    /// Words of a name, e-mail or business, an account id, or a phone number written any way.
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub limit: Option<u32>,
}

/// K11: the company's contacts a search finds (every one, by name, for an empty search).
pub async fn search_contacts(
    state: &AppState,
    caller: &Caller,
    query: &ContactQuery,
) -> Result<Vec<ContactRow>, AppError> {
    caller.require(&[Role::Supervisor, Role::Agent, Role::Auditor])?;
    Ok(Contacts.search(&state.store, &caller.company_id.to_string(), &query.q, query.limit.unwrap_or(50)).await?)
}

/// Whether the directory holds a customer's consent to be contacted through `account` (K4, at
/// any level, wherever it was given): `None` when the account has no contact yet or nobody
/// recorded any.
pub async fn consent_on_record(
    state: &AppState,
    company: CompanyId,
    account: &Account,
) -> Result<Option<bool>, AppError> {
    let Some(contact) = Contacts.contact_of_account(&state.store, &company.to_string(), account).await? else {
        return Ok(None);
    };
    let consents = Contacts.consents_of_contact(&state.store, &contact).await?;
    Ok(ContactState::with_consents(&consents).consent_for(account))
}

/// A contact's card, merged or not (a merged one says into which).
pub async fn contact_card(state: &AppState, caller: &Caller, contact: ContactId) -> Result<ContactCard, AppError> {
    caller.require(&[Role::Supervisor, Role::Agent, Role::Auditor])?;
    let row = Contacts
        .contact(&state.store, &contact.to_string())
        .await?
        .filter(|row| row.company_id == caller.company_id.to_string())
        .ok_or_else(|| AppError::NotFound("no such contact".into()))?;
    let consents = Contacts.consents_of_contact(&state.store, &row.contact_id).await?;
    let known = ContactState::with_consents(&consents);
    let reachable = row
        .accounts
        .iter()
        .filter_map(|a| Channel::parse(&a.channel).ok().map(|channel| Account { channel, id: a.id.clone() }))
        .map(|account| AccountConsent {
            consented: known.consent_for(&account),
            channel: account.channel,
            id: account.id,
        })
        .collect();
    let (state_now, _) = company_contact(state, caller.company_id, contact).await?;
    let mut merges = Vec::new();
    for (merge, absorption) in &state_now.merges {
        let (merged, _) = load::<Contact>(state.log.as_ref(), &contact_stream(absorption.from)).await?;
        merges.push(MergedContact { merge: *merge, contact_id: absorption.from, name: merged.details.name });
    }
    let mut chats = Vec::new();
    for account in &row.accounts {
        chats.extend(ChatBoard.chats_of_account(&state.store, &row.company_id, &account.channel, &account.id).await?);
    }
    Ok(ContactCard { contact: row, merges, consents, reachable, chats })
}

#[derive(Clone, Debug, Deserialize, Serialize, utoipa::ToSchema)]
pub struct BusinessForm {
    pub name: String,
}

#[derive(Clone, Debug, Deserialize, Serialize, utoipa::ToSchema)]
pub struct CreatedBusiness {
    pub id: BusinessId,
}

/// K10.
pub async fn create_business(
    state: &AppState,
    caller: &Caller,
    form: BusinessForm,
) -> Result<CreatedBusiness, AppError> {
    caller.require(&[Role::Supervisor])?;
    let business_id = BusinessId::from_uuid(Uuid::now_v7());
    open_business(state, &caller.context(state.clock.now()), caller.company_id, business_id, form.name).await?;
    Ok(CreatedBusiness { id: business_id })
}

/// Records a business of `company` under `business_id` (again: nothing new).
pub async fn open_business(
    state: &AppState,
    context: &CommandContext,
    company: CompanyId,
    business_id: BusinessId,
    name: String,
) -> Result<(), AppError> {
    let command = BusinessCommand::Create { business_id, company_id: company, name };
    crate::state::execute::<Business>(state, context, &business_stream(business_id), &command, &state.contacts).await
}

/// Renames or deletes a business of the caller's company.
pub async fn change_business(
    state: &AppState,
    caller: &Caller,
    business: BusinessId,
    command: BusinessCommand,
) -> Result<(), AppError> {
    caller.require(&[Role::Supervisor])?;
    check_business(state, caller.company_id, Some(business))
        .await
        .map_err(|_| AppError::NotFound("no such business".into()))?;
    crate::state::execute::<Business>(
        state,
        &caller.context(state.clock.now()),
        &business_stream(business),
        &command,
        &state.contacts,
    )
    .await
}

pub async fn list_businesses(state: &AppState, caller: &Caller) -> Result<Vec<BusinessRow>, AppError> {
    caller.require(&[Role::Supervisor, Role::Agent, Role::Auditor])?;
    Ok(Contacts.businesses_of(&state.store, &caller.company_id.to_string()).await?)
}
