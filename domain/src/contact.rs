//! Contacts (K1–K13): a company's customers — their details, their accounts on each channel and
//! the lines each account talked to, their own agent or group (K6), their consent to be contacted
//! (K2, K4), and merges of two contacts that a split undoes (K9).
//!
//! An account belongs to one contact at a time: its [`account_stream`] is a reservation the
//! contact claims in the same transaction as it records the account.

use crate::decider::Decider;
use crate::email::Email;
use crate::event::DomainEvent;
use crate::ids::{BusinessId, CompanyId, ContactId, LineId, QueueId, UserId};
use crate::phone::{normalize_phone, Country, PhoneRejection};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

pub const CONTACT_NAME_MAX_CHARS: usize = 120;
pub const NOTES_MAX_CHARS: usize = 4000;
pub const FIELDS_MAX: usize = 50;
pub const FIELD_NAME_MAX_CHARS: usize = 40;
pub const FIELD_VALUE_MAX_CHARS: usize = 500;
pub const ACCOUNT_ID_MAX_CHARS: usize = 128;

pub fn contact_stream(contact: ContactId) -> String {
    format!("contact-{contact}")
}

/// The reservation stream of an account within a company.
pub fn account_stream(company: CompanyId, account: &Account) -> String {
    format!("account-{company}-{}", account.key())
}

/// Where a customer talks to the company.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Whatsapp,
    Instagram,
    Messenger,
    /// The web chat widget (I1).
    Web,
    /// The generic API line, for anything else.
    Api,
}

impl Channel {
    pub const ALL: [Channel; 5] =
        [Channel::Whatsapp, Channel::Instagram, Channel::Messenger, Channel::Web, Channel::Api];

    pub fn as_str(&self) -> &'static str {
        match self {
            Channel::Whatsapp => "whatsapp",
            Channel::Instagram => "instagram",
            Channel::Messenger => "messenger",
            Channel::Web => "web",
            Channel::Api => "api",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, ContactRejection> {
        Channel::ALL
            .into_iter()
            .find(|c| c.as_str() == raw.trim().to_lowercase())
            .ok_or_else(|| ContactRejection::UnknownChannel(raw.trim().to_string()))
    }
}

/// One identity of a customer on one channel: a WhatsApp number (E.164), an Instagram or
/// Messenger id, a widget visitor.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Account {
    pub channel: Channel,
    pub id: String,
}

impl Account {
    /// An account as written by a person, a file or a provider; WhatsApp numbers in E.164.
    pub fn parse(channel: Channel, raw: &str, country: Option<Country>) -> Result<Self, ContactRejection> {
        let id = match channel {
            Channel::Whatsapp => normalize_phone(raw, country)?,
            _ => {
                let id = raw.trim();
                if id.is_empty() || id.chars().count() > ACCOUNT_ID_MAX_CHARS || id.chars().any(|c| c.is_whitespace()) {
                    return Err(ContactRejection::InvalidAccount(channel.as_str().into(), id.into()));
                }
                id.to_string()
            }
        };
        Ok(Self { channel, id })
    }

    /// A customer's id as their channel's provider gives it. A WhatsApp number is in E.164 when
    /// our numbering plan knows it, and otherwise `+` and its digits as given: the provider knows
    /// the number is in use, even when our plan is older than the number.
    pub fn from_provider(channel: Channel, raw: &str) -> Result<Self, ContactRejection> {
        match Self::parse(channel, raw, None) {
            Err(refused) if channel == Channel::Whatsapp => {
                let digits = raw.trim().trim_start_matches('+');
                if (7..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
                    Ok(Self { channel, id: format!("+{digits}") })
                } else {
                    Err(refused)
                }
            }
            parsed => parsed,
        }
    }

    /// `channel:id`, the account's name in streams and read models.
    pub fn key(&self) -> String {
        format!("{}:{}", self.channel.as_str(), self.id)
    }
}

/// Where a contact's name came from (K5): a name an agent or a file gave outranks the one the
/// channel's profile shows, which only fills a name nobody gave.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NameSource {
    /// The channel's profile name (WhatsApp's push name, the widget's visitor name).
    #[default]
    Profile,
    /// The name saved in the company's phone book (WhatsApp Web).
    PhoneBook,
    Agent,
    Import,
}

impl NameSource {
    /// Among the names a channel gives, which outranks which; `None` for a name a person gave,
    /// which no channel replaces.
    pub fn channel_rank(self) -> Option<u8> {
        match self {
            NameSource::Profile => Some(0),
            NameSource::PhoneBook => Some(1),
            NameSource::Agent | NameSource::Import => None,
        }
    }
}

/// What a person knows of a contact, checked.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactDetails {
    pub name: String,
    pub name_source: NameSource,
    pub email: Option<String>,
    pub notes: String,
    pub fields: BTreeMap<String, String>,
    pub business: Option<BusinessId>,
}

impl ContactDetails {
    /// Checks and tidies details as given: names and field names single-spaced, the e-mail
    /// lower-cased, empty values dropped.
    pub fn parse(
        name: &str,
        name_source: NameSource,
        email: Option<&str>,
        notes: &str,
        fields: &BTreeMap<String, String>,
        business: Option<BusinessId>,
    ) -> Result<Self, ContactRejection> {
        let name = crate::text::single_spaced(name);
        if name.is_empty() || name.chars().count() > CONTACT_NAME_MAX_CHARS || name.chars().any(char::is_control) {
            return Err(ContactRejection::InvalidName);
        }
        let email = match email.map(str::trim).filter(|e| !e.is_empty()) {
            Some(raw) => {
                Some(Email::parse(raw).map_err(|e| ContactRejection::InvalidEmail(e.to_string()))?.as_str().to_string())
            }
            None => None,
        };
        let notes = notes.trim().to_string();
        if notes.chars().count() > NOTES_MAX_CHARS {
            return Err(ContactRejection::NotesTooLong);
        }
        let mut tidy = BTreeMap::new();
        for (key, value) in fields {
            let key = crate::text::single_spaced(key);
            let value = value.trim();
            if key.is_empty()
                || key.chars().count() > FIELD_NAME_MAX_CHARS
                || value.chars().count() > FIELD_VALUE_MAX_CHARS
            {
                return Err(ContactRejection::InvalidField(key));
            }
            if !value.is_empty() {
                tidy.insert(key, value.to_string());
            }
        }
        if tidy.len() > FIELDS_MAX {
            return Err(ContactRejection::TooManyFields);
        }
        Ok(Self { name, name_source, email, notes, fields: tidy, business })
    }
}

/// Who looks after a contact (K6): their chats go to this agent, or to this group's queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum ContactOwner {
    Agent(UserId),
    Group(QueueId),
}

/// How far a consent reaches (K4): the most specific one that exists decides.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case", tag = "level")]
pub enum ConsentScope {
    /// Every account of the contact.
    General,
    /// Every account on one channel.
    Channel { channel: Channel },
    /// One account.
    Account { account: Account },
}

/// Who recorded a consent or its withdrawal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConsentSource {
    /// The customer answered the menu bot's question (M12).
    Menu,
    Agent,
    Import,
    /// The channel's provider told us the customer opted out or back in (WhatsApp's "stop
    /// promotions" and "resume", Gupshup's opted-out and opted-in).
    Provider,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsentRecord {
    pub scope: ConsentScope,
    pub given: bool,
    pub source: ConsentSource,
    pub at: DateTime<Utc>,
}

/// The account of a contact, with the lines it talked to (K12, K13).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountRecord {
    pub account: Account,
    pub lines: BTreeSet<LineId>,
    /// The merge that brought it, if one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merge: Option<Uuid>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum ContactEvent {
    #[serde(rename = "ContactCreated")]
    Created { contact_id: ContactId, company_id: CompanyId, details: ContactDetails },
    #[serde(rename = "ContactDetailsChanged")]
    DetailsChanged { contact_id: ContactId, details: ContactDetails },
    #[serde(rename = "ContactAccountAdded")]
    AccountAdded { contact_id: ContactId, account: Account, line: Option<LineId> },
    /// An account already known talked to another line.
    #[serde(rename = "ContactAccountTalkedToLine")]
    AccountTalkedToLine { contact_id: ContactId, account: Account, line: LineId },
    #[serde(rename = "ContactAccountRemoved")]
    AccountRemoved { contact_id: ContactId, account: Account },
    #[serde(rename = "ContactOwnerSet")]
    OwnerSet { contact_id: ContactId, owner: Option<ContactOwner> },
    #[serde(rename = "ContactConsentRecorded")]
    ConsentRecorded { contact_id: ContactId, consent: ConsentRecord },
    /// This contact was merged into `into`: its history stays, it takes no more commands.
    #[serde(rename = "ContactMergedInto")]
    MergedInto { contact_id: ContactId, into: ContactId, merge: Uuid },
    /// `from` was merged into this contact, which took its accounts and the consents newer than
    /// its own; `replaced` are this contact's consents those took the place of.
    #[serde(rename = "ContactAbsorbed")]
    Absorbed {
        contact_id: ContactId,
        from: ContactId,
        merge: Uuid,
        accounts: Vec<AccountRecord>,
        consents: Vec<ConsentRecord>,
        replaced: Vec<ConsentRecord>,
    },
    /// A merge undone, on the contact that had absorbed the other: the accounts it brought go
    /// back, the consents it brought go (unless recorded again since), its own come back.
    #[serde(rename = "ContactSplitOff")]
    SplitOff {
        contact_id: ContactId,
        from: ContactId,
        merge: Uuid,
        accounts: Vec<Account>,
        consents_removed: Vec<ConsentScope>,
        consents_restored: Vec<ConsentRecord>,
    },
    /// A merge undone, on the contact that had been merged: it lives again with its accounts.
    #[serde(rename = "ContactRestored")]
    Restored { contact_id: ContactId, merge: Uuid, accounts: Vec<AccountRecord> },
}

crate::stored_names!(ContactEvent {
    CREATED = "ContactCreated",
    DETAILS_CHANGED = "ContactDetailsChanged",
    ACCOUNT_ADDED = "ContactAccountAdded",
    ACCOUNT_TALKED_TO_LINE = "ContactAccountTalkedToLine",
    ACCOUNT_REMOVED = "ContactAccountRemoved",
    OWNER_SET = "ContactOwnerSet",
    CONSENT_RECORDED = "ContactConsentRecorded",
    MERGED_INTO = "ContactMergedInto",
    ABSORBED = "ContactAbsorbed",
    SPLIT_OFF = "ContactSplitOff",
    RESTORED = "ContactRestored",
});

impl DomainEvent for ContactEvent {}

#[derive(Clone, Debug, PartialEq)]
pub enum ContactCommand {
    Create {
        contact_id: ContactId,
        company_id: CompanyId,
        details: ContactDetails,
    },
    ChangeDetails {
        details: ContactDetails,
    },
    /// The channel shows a name (K5), its customer's profile name or the one saved in the
    /// company's phone book: it names the contact unless a person did, and a phone-book name
    /// outranks a profile name.
    SeeChannelName {
        name: String,
        source: NameSource,
    },
    /// The account talked to `line` (or was added by hand, without a line).
    AddAccount {
        account: Account,
        line: Option<LineId>,
    },
    RemoveAccount {
        account: Account,
    },
    SetOwner {
        owner: Option<ContactOwner>,
    },
    RecordConsent {
        consent: ConsentRecord,
    },
    /// On the contact that disappears into `into`.
    MergeInto {
        into: ContactId,
        merge: Uuid,
    },
    /// On the contact that stays, with the state of the one merged into it.
    Absorb {
        from: ContactId,
        merge: Uuid,
        absorbed: Box<ContactState>,
    },
    /// On the contact that absorbed: gives back what `merge` brought.
    SplitOff {
        merge: Uuid,
    },
    /// On the contact that was merged: lives again with the accounts the merge took.
    Restore {
        merge: Uuid,
        accounts: Vec<AccountRecord>,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ContactRejection {
    #[error("a contact's name has 1 to {CONTACT_NAME_MAX_CHARS} characters")]
    InvalidName,
    #[error("{0}")]
    InvalidEmail(String),
    #[error("notes have at most {NOTES_MAX_CHARS} characters")]
    NotesTooLong,
    #[error(
        "field \"{0}\": names have 1 to {FIELD_NAME_MAX_CHARS} characters, values at most {FIELD_VALUE_MAX_CHARS}"
    )]
    InvalidField(String),
    #[error("a contact has at most {FIELDS_MAX} fields")]
    TooManyFields,
    #[error("\"{0}\" is not a channel (whatsapp, instagram, messenger, web or api)")]
    UnknownChannel(String),
    #[error("a {0} account id has 1 to {ACCOUNT_ID_MAX_CHARS} characters without spaces (got \"{1}\")")]
    InvalidAccount(String, String),
    #[error(transparent)]
    InvalidPhone(#[from] PhoneRejection),
    #[error("this contact already exists")]
    AlreadyExists,
    #[error("no such contact")]
    NotFound,
    #[error("this contact was merged into contact {0}")]
    Merged(ContactId),
    #[error("a contact cannot be merged into itself")]
    MergeWithItself,
    #[error("no such merge of this contact")]
    NoSuchMerge,
    #[error("this contact has no such account")]
    NoSuchAccount,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ContactState {
    pub contact_id: Option<ContactId>,
    pub company_id: Option<CompanyId>,
    pub details: ContactDetails,
    pub accounts: BTreeMap<Account, AccountRecord>,
    pub owner: Option<ContactOwner>,
    pub consents: BTreeMap<ConsentScope, ConsentRecord>,
    pub merged_into: Option<(ContactId, Uuid)>,
    /// Merges this contact absorbed and has not split off: the other contact and its consents'
    /// places.
    pub merges: BTreeMap<Uuid, Absorption>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Absorption {
    pub from: ContactId,
    pub consents: Vec<ConsentRecord>,
    pub replaced: Vec<ConsentRecord>,
}

impl ContactState {
    /// What a contact's consents alone decide, from the records a read model keeps.
    pub fn with_consents(consents: &[ConsentRecord]) -> Self {
        ContactState {
            consents: consents.iter().map(|c| (c.scope.clone(), c.clone())).collect(),
            ..ContactState::default()
        }
    }

    /// Whether the contact may be contacted through `account` (K4): the account's own consent,
    /// else its channel's, else the general one; `None` when nobody recorded any.
    pub fn consent_for(&self, account: &Account) -> Option<bool> {
        [
            ConsentScope::Account { account: account.clone() },
            ConsentScope::Channel { channel: account.channel },
            ConsentScope::General,
        ]
        .iter()
        .find_map(|scope| self.consents.get(scope))
        .map(|record| record.given)
    }
}

pub struct Contact;

impl Decider for Contact {
    type State = ContactState;
    type Command = ContactCommand;
    type Event = ContactEvent;
    type Rejection = ContactRejection;

    fn decide(state: &ContactState, command: &ContactCommand) -> Result<Vec<ContactEvent>, ContactRejection> {
        if let ContactCommand::Create { contact_id, company_id, details } = command {
            return match state.contact_id {
                None => Ok(vec![ContactEvent::Created {
                    contact_id: *contact_id,
                    company_id: *company_id,
                    details: details.clone(),
                }]),
                Some(_) if state.details == *details && state.company_id == Some(*company_id) => Ok(vec![]),
                Some(_) => Err(ContactRejection::AlreadyExists),
            };
        }
        let contact_id = state.contact_id.ok_or(ContactRejection::NotFound)?;
        if let ContactCommand::Restore { merge, accounts } = command {
            return match state.merged_into {
                Some((_, merged)) if merged == *merge => {
                    Ok(vec![ContactEvent::Restored { contact_id, merge: *merge, accounts: accounts.clone() }])
                }
                _ => Err(ContactRejection::NoSuchMerge),
            };
        }
        if let Some((into, merge)) = state.merged_into {
            return match command {
                ContactCommand::MergeInto { into: again, merge: same } if *again == into && *same == merge => {
                    Ok(vec![])
                }
                _ => Err(ContactRejection::Merged(into)),
            };
        }
        match command {
            ContactCommand::Create { .. } | ContactCommand::Restore { .. } => Ok(vec![]),
            ContactCommand::ChangeDetails { details } => Ok(if state.details == *details {
                vec![]
            } else {
                vec![ContactEvent::DetailsChanged { contact_id, details: details.clone() }]
            }),
            ContactCommand::SeeChannelName { name, source } => {
                let name = crate::text::single_spaced(name);
                let outranked = source
                    .channel_rank()
                    .zip(state.details.name_source.channel_rank())
                    .is_some_and(|(seen, held)| seen >= held);
                let unchanged = name == state.details.name && *source == state.details.name_source;
                Ok(if outranked && !unchanged && !name.is_empty() && name.chars().count() <= CONTACT_NAME_MAX_CHARS {
                    let details = ContactDetails { name, name_source: *source, ..state.details.clone() };
                    vec![ContactEvent::DetailsChanged { contact_id, details }]
                } else {
                    vec![]
                })
            }
            ContactCommand::AddAccount { account, line } => Ok(match state.accounts.get(account) {
                None => vec![ContactEvent::AccountAdded { contact_id, account: account.clone(), line: *line }],
                Some(known) => match line {
                    Some(line) if !known.lines.contains(line) => {
                        vec![ContactEvent::AccountTalkedToLine { contact_id, account: account.clone(), line: *line }]
                    }
                    _ => vec![],
                },
            }),
            ContactCommand::RemoveAccount { account } => {
                if !state.accounts.contains_key(account) {
                    return Err(ContactRejection::NoSuchAccount);
                }
                Ok(vec![ContactEvent::AccountRemoved { contact_id, account: account.clone() }])
            }
            ContactCommand::SetOwner { owner } => Ok(if state.owner == *owner {
                vec![]
            } else {
                vec![ContactEvent::OwnerSet { contact_id, owner: *owner }]
            }),
            ContactCommand::RecordConsent { consent } => {
                // A record older than the one held changes nothing: a keeper replaying the log, or
                // a provider's late report, must not undo a newer answer.
                let same_or_older = state.consents.get(&consent.scope).is_some_and(|known| {
                    (known.given == consent.given && known.source == consent.source) || known.at > consent.at
                });
                Ok(if same_or_older {
                    vec![]
                } else {
                    vec![ContactEvent::ConsentRecorded { contact_id, consent: consent.clone() }]
                })
            }
            ContactCommand::MergeInto { into, merge } => {
                if *into == contact_id {
                    return Err(ContactRejection::MergeWithItself);
                }
                Ok(vec![ContactEvent::MergedInto { contact_id, into: *into, merge: *merge }])
            }
            ContactCommand::Absorb { from, merge, absorbed } => {
                if *from == contact_id {
                    return Err(ContactRejection::MergeWithItself);
                }
                if state.merges.contains_key(merge) {
                    return Ok(vec![]);
                }
                let accounts = absorbed
                    .accounts
                    .values()
                    .map(|record| AccountRecord { merge: Some(*merge), ..record.clone() })
                    .collect();
                let consents: Vec<ConsentRecord> = absorbed
                    .consents
                    .values()
                    .filter(|theirs| state.consents.get(&theirs.scope).is_none_or(|ours| ours.at < theirs.at))
                    .cloned()
                    .collect();
                let replaced = consents.iter().filter_map(|c| state.consents.get(&c.scope).cloned()).collect();
                Ok(vec![ContactEvent::Absorbed {
                    contact_id,
                    from: *from,
                    merge: *merge,
                    accounts,
                    consents,
                    replaced,
                }])
            }
            ContactCommand::SplitOff { merge } => {
                let absorption = state.merges.get(merge).ok_or(ContactRejection::NoSuchMerge)?;
                let accounts =
                    state.accounts.values().filter(|r| r.merge == Some(*merge)).map(|r| r.account.clone()).collect();
                // A consent recorded after the merge stays: it is newer news than either contact's.
                let consents_removed: Vec<ConsentScope> = absorption
                    .consents
                    .iter()
                    .filter(|brought| state.consents.get(&brought.scope) == Some(*brought))
                    .map(|brought| brought.scope.clone())
                    .collect();
                let consents_restored =
                    absorption.replaced.iter().filter(|ours| consents_removed.contains(&ours.scope)).cloned().collect();
                Ok(vec![ContactEvent::SplitOff {
                    contact_id,
                    from: absorption.from,
                    merge: *merge,
                    accounts,
                    consents_removed,
                    consents_restored,
                }])
            }
        }
    }

    fn evolve(mut state: ContactState, event: &ContactEvent) -> ContactState {
        match event {
            ContactEvent::Created { contact_id, company_id, details } => {
                state.contact_id = Some(*contact_id);
                state.company_id = Some(*company_id);
                state.details = details.clone();
            }
            ContactEvent::DetailsChanged { details, .. } => state.details = details.clone(),
            ContactEvent::AccountAdded { account, line, .. } => {
                let record =
                    AccountRecord { account: account.clone(), lines: line.iter().copied().collect(), merge: None };
                state.accounts.insert(account.clone(), record);
            }
            ContactEvent::AccountTalkedToLine { account, line, .. } => {
                if let Some(record) = state.accounts.get_mut(account) {
                    record.lines.insert(*line);
                }
            }
            ContactEvent::AccountRemoved { account, .. } => {
                state.accounts.remove(account);
            }
            ContactEvent::OwnerSet { owner, .. } => state.owner = *owner,
            ContactEvent::ConsentRecorded { consent, .. } => {
                state.consents.insert(consent.scope.clone(), consent.clone());
            }
            ContactEvent::MergedInto { into, merge, .. } => state.merged_into = Some((*into, *merge)),
            ContactEvent::Absorbed { from, merge, accounts, consents, replaced, .. } => {
                for record in accounts {
                    state.accounts.insert(record.account.clone(), record.clone());
                }
                for consent in consents {
                    state.consents.insert(consent.scope.clone(), consent.clone());
                }
                let absorption = Absorption { from: *from, consents: consents.clone(), replaced: replaced.clone() };
                state.merges.insert(*merge, absorption);
            }
            ContactEvent::SplitOff { merge, accounts, consents_removed, consents_restored, .. } => {
                for account in accounts {
                    state.accounts.remove(account);
                }
                for scope in consents_removed {
                    state.consents.remove(scope);
                }
                for ours in consents_restored {
                    state.consents.insert(ours.scope.clone(), ours.clone());
                }
                state.merges.remove(merge);
            }
            ContactEvent::Restored { accounts, .. } => {
                state.merged_into = None;
                for record in accounts {
                    state.accounts.insert(record.account.clone(), AccountRecord { merge: None, ..record.clone() });
                }
            }
        }
        state
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stored_names_are_the_events_own() {
        crate::event::check_names::<ContactEvent>(ContactEvent::NAMES);
    }
    use crate::decider::given;
    use chrono::TimeZone;

    fn id(n: u128) -> ContactId {
        ContactId::from_uuid(Uuid::from_u128(n))
    }

    fn company() -> CompanyId {
        CompanyId::from_uuid(Uuid::from_u128(1))
    }

    fn line(n: u128) -> LineId {
        LineId::from_uuid(Uuid::from_u128(100 + n))
    }

    fn details(name: &str, source: NameSource) -> ContactDetails {
        ContactDetails::parse(name, source, None, "", &BTreeMap::new(), None).unwrap()
    }

    fn created(n: u128, name: &str, source: NameSource) -> ContactEvent {
        ContactEvent::Created { contact_id: id(n), company_id: company(), details: details(name, source) }
    }

    fn whatsapp(number: &str) -> Account {
        Account::parse(Channel::Whatsapp, number, None).unwrap()
    }

    fn added(n: u128, account: Account, on: u128) -> ContactEvent {
        ContactEvent::AccountAdded { contact_id: id(n), account, line: Some(line(on)) }
    }

    fn consent(scope: ConsentScope, given: bool, minute: u32) -> ConsentRecord {
        let at = Utc.with_ymd_and_hms(2026, 11, 1, 10, minute, 0).unwrap();
        ConsentRecord { scope, given, source: ConsentSource::Agent, at }
    }

    #[test]
    fn details_are_tidied_and_bad_ones_refused_with_the_reason() {
        let fields =
            BTreeMap::from([("  Customer   number ".to_string(), " 42 ".to_string()), ("Empty".into(), " ".into())]);
        let tidy = ContactDetails::parse(
            " Ana   López ",
            NameSource::Agent,
            Some(" Ana@Example.COM "),
            " vip ",
            &fields,
            None,
        )
        .unwrap();
        assert_eq!(tidy.name, "Ana López");
        assert_eq!(tidy.email.as_deref(), Some("ana@example.com"));
        assert_eq!(tidy.fields, BTreeMap::from([("Customer number".to_string(), "42".to_string())]));
        let none = BTreeMap::new();
        assert_eq!(
            ContactDetails::parse(" ", NameSource::Agent, None, "", &none, None),
            Err(ContactRejection::InvalidName)
        );
        assert!(matches!(
            ContactDetails::parse("Ana", NameSource::Agent, Some("ana.example.com"), "", &none, None),
            Err(ContactRejection::InvalidEmail(_))
        ));
        assert_eq!(
            ContactDetails::parse("Ana", NameSource::Agent, None, &"x".repeat(NOTES_MAX_CHARS + 1), &none, None),
            Err(ContactRejection::NotesTooLong)
        );
    }

    #[test]
    fn accounts_are_one_identity_per_channel_with_whatsapp_numbers_in_e164() {
        assert_eq!(whatsapp("+34 612 34 56 78"), whatsapp("34612345678"));
        assert_eq!(whatsapp("0034 612 345 678").key(), "whatsapp:+34612345678");
        assert!(matches!(Account::parse(Channel::Whatsapp, "12", None), Err(ContactRejection::InvalidPhone(_))));
        assert_eq!(
            Account::parse(Channel::Instagram, "has space", None),
            Err(ContactRejection::InvalidAccount("instagram".into(), "has space".into()))
        );
        assert_eq!(Channel::parse(" WhatsApp "), Ok(Channel::Whatsapp));
        assert_eq!(Channel::parse("fax"), Err(ContactRejection::UnknownChannel("fax".into())));
    }

    #[test]
    fn a_provider_s_whatsapp_number_is_kept_even_when_our_numbering_plan_does_not_know_it() {
        let known = Account::from_provider(Channel::Whatsapp, "34612345678").unwrap();
        assert_eq!(known.id, "+34612345678");
        let newer = Account::from_provider(Channel::Whatsapp, "972987654321").unwrap();
        assert_eq!(newer.id, "+972987654321");
        assert!(Account::parse(Channel::Whatsapp, "972987654321", None).is_err(), "the plan does not know it");
        for refused in ["12", "abc", "+1234567890123456", ""] {
            assert!(Account::from_provider(Channel::Whatsapp, refused).is_err(), "{refused}");
        }
        assert_eq!(Account::from_provider(Channel::Instagram, " 1789 ").unwrap().id, "1789");
    }

    #[test]
    fn an_account_is_added_once_and_remembers_each_line_it_talked_to() {
        let ana = whatsapp("+34612345678");
        given::<Contact>(vec![created(1, "Ana", NameSource::Profile)])
            .when(ContactCommand::AddAccount { account: ana.clone(), line: Some(line(1)) })
            .then(vec![added(1, ana.clone(), 1)]);
        given::<Contact>(vec![created(1, "Ana", NameSource::Profile), added(1, ana.clone(), 1)])
            .when(ContactCommand::AddAccount { account: ana.clone(), line: Some(line(1)) })
            .then(vec![]);
        given::<Contact>(vec![created(1, "Ana", NameSource::Profile), added(1, ana.clone(), 1)])
            .when(ContactCommand::AddAccount { account: ana.clone(), line: Some(line(2)) })
            .then(vec![ContactEvent::AccountTalkedToLine { contact_id: id(1), account: ana, line: line(2) }]);
    }

    #[test]
    fn a_channel_names_a_contact_nobody_named_and_the_phone_book_outranks_the_profile() {
        let profile = |name: &str| ContactCommand::SeeChannelName { name: name.into(), source: NameSource::Profile };
        let phone_book =
            |name: &str| ContactCommand::SeeChannelName { name: name.into(), source: NameSource::PhoneBook };
        given::<Contact>(vec![created(1, "Ana", NameSource::Profile)]).when(profile("Ana María")).then(vec![
            ContactEvent::DetailsChanged { contact_id: id(1), details: details("Ana María", NameSource::Profile) },
        ]);
        given::<Contact>(vec![created(1, "Ana", NameSource::Profile)]).when(phone_book("Ana López (Acme)")).then(vec![
            ContactEvent::DetailsChanged {
                contact_id: id(1),
                details: details("Ana López (Acme)", NameSource::PhoneBook),
            },
        ]);
        given::<Contact>(vec![created(1, "Ana", NameSource::Profile)]).when(phone_book("Ana")).then(vec![
            ContactEvent::DetailsChanged { contact_id: id(1), details: details("Ana", NameSource::PhoneBook) },
        ]);
        given::<Contact>(vec![created(1, "Ana López (Acme)", NameSource::PhoneBook)])
            .when(phone_book("Ana López (Acme) VIP"))
            .then(vec![ContactEvent::DetailsChanged {
                contact_id: id(1),
                details: details("Ana López (Acme) VIP", NameSource::PhoneBook),
            }]);
        given::<Contact>(vec![created(1, "Ana López (Acme)", NameSource::PhoneBook)])
            .when(profile("Ana María"))
            .then(vec![]);
        given::<Contact>(vec![created(1, "Ana López", NameSource::PhoneBook)])
            .when(phone_book("Ana López"))
            .then(vec![]);
        given::<Contact>(vec![created(1, "Ana López", NameSource::Agent)]).when(phone_book("Ana María")).then(vec![]);
        given::<Contact>(vec![created(1, "Ana López", NameSource::Import)]).when(profile("Ana María")).then(vec![]);
        given::<Contact>(vec![created(1, "Ana", NameSource::Profile)]).when(profile("  ")).then(vec![]);
    }

    #[test]
    fn the_most_specific_consent_decides() {
        let ana = whatsapp("+34612345678");
        let other = whatsapp("+34699999999");
        let state = Contact::fold(&[
            created(1, "Ana", NameSource::Agent),
            ContactEvent::ConsentRecorded { contact_id: id(1), consent: consent(ConsentScope::General, true, 0) },
            ContactEvent::ConsentRecorded {
                contact_id: id(1),
                consent: consent(ConsentScope::Channel { channel: Channel::Whatsapp }, false, 1),
            },
            ContactEvent::ConsentRecorded {
                contact_id: id(1),
                consent: consent(ConsentScope::Account { account: ana.clone() }, true, 2),
            },
        ]);
        assert_eq!(state.consent_for(&ana), Some(true));
        assert_eq!(state.consent_for(&other), Some(false));
        assert_eq!(state.consent_for(&Account::parse(Channel::Web, "web-1", None).unwrap()), Some(true));
        assert_eq!(Contact::fold(&[created(1, "Ana", NameSource::Agent)]).consent_for(&ana), None);
    }

    #[test]
    fn a_consent_older_than_the_one_held_changes_nothing() {
        let ana = ConsentScope::Account { account: whatsapp("+34612345678") };
        let stopped = ConsentRecord { source: ConsentSource::Provider, ..consent(ana.clone(), false, 5) };
        let held = vec![
            created(1, "Ana", NameSource::Agent),
            ContactEvent::ConsentRecorded { contact_id: id(1), consent: stopped.clone() },
        ];
        let menu_before = ConsentRecord { source: ConsentSource::Menu, ..consent(ana.clone(), true, 3) };
        given::<Contact>(held.clone()).when(ContactCommand::RecordConsent { consent: menu_before }).then(vec![]);
        let menu_after = ConsentRecord { source: ConsentSource::Menu, ..consent(ana.clone(), true, 6) };
        given::<Contact>(held.clone())
            .when(ContactCommand::RecordConsent { consent: menu_after.clone() })
            .then(vec![ContactEvent::ConsentRecorded { contact_id: id(1), consent: menu_after }]);
        let again = ConsentRecord { at: stopped.at + chrono::Duration::minutes(1), ..stopped };
        given::<Contact>(held).when(ContactCommand::RecordConsent { consent: again }).then(vec![]);
    }

    #[test]
    fn a_merge_brings_accounts_and_newer_consents_and_a_split_gives_them_back() {
        let ana = whatsapp("+34612345678");
        let ana_web = Account::parse(Channel::Web, "web-ana", None).unwrap();
        let merge = Uuid::from_u128(9);
        let survivor = vec![
            created(1, "Ana", NameSource::Agent),
            added(1, ana_web.clone(), 2),
            ContactEvent::ConsentRecorded { contact_id: id(1), consent: consent(ConsentScope::General, false, 0) },
        ];
        let absorbed = Contact::fold(&[
            created(2, "Ana M.", NameSource::Profile),
            added(2, ana.clone(), 1),
            ContactEvent::ConsentRecorded { contact_id: id(2), consent: consent(ConsentScope::General, true, 5) },
        ]);
        let absorbed_event = ContactEvent::Absorbed {
            contact_id: id(1),
            from: id(2),
            merge,
            accounts: vec![AccountRecord {
                account: ana.clone(),
                lines: BTreeSet::from([line(1)]),
                merge: Some(merge),
            }],
            consents: vec![consent(ConsentScope::General, true, 5)],
            replaced: vec![consent(ConsentScope::General, false, 0)],
        };
        given::<Contact>(survivor.clone())
            .when(ContactCommand::Absorb { from: id(2), merge, absorbed: Box::new(absorbed) })
            .then(vec![absorbed_event.clone()]);

        let mut history = survivor.clone();
        history.push(absorbed_event);
        let merged = Contact::fold(&history);
        assert_eq!(merged.accounts.keys().cloned().collect::<Vec<_>>(), vec![ana.clone(), ana_web.clone()]);
        assert_eq!(merged.consent_for(&ana_web), Some(true));

        let split = ContactEvent::SplitOff {
            contact_id: id(1),
            from: id(2),
            merge,
            accounts: vec![ana.clone()],
            consents_removed: vec![ConsentScope::General],
            consents_restored: vec![consent(ConsentScope::General, false, 0)],
        };
        given::<Contact>(history.clone()).when(ContactCommand::SplitOff { merge }).then(vec![split.clone()]);
        history.push(split);
        assert_eq!(Contact::fold(&history), Contact::fold(&survivor), "the split restores the survivor as it was");
        given::<Contact>(history).when(ContactCommand::SplitOff { merge }).then_rejects(ContactRejection::NoSuchMerge);
    }

    #[test]
    fn a_merged_contact_takes_no_commands_until_restored() {
        let merge = Uuid::from_u128(9);
        let ana = whatsapp("+34612345678");
        let merged = vec![
            created(2, "Ana M.", NameSource::Profile),
            added(2, ana.clone(), 1),
            ContactEvent::MergedInto { contact_id: id(2), into: id(1), merge },
        ];
        given::<Contact>(merged.clone())
            .when(ContactCommand::SetOwner { owner: None })
            .then_rejects(ContactRejection::Merged(id(1)));
        given::<Contact>(merged.clone()).when(ContactCommand::MergeInto { into: id(1), merge }).then(vec![]);
        let back = vec![AccountRecord { account: ana, lines: BTreeSet::from([line(1), line(3)]), merge: Some(merge) }];
        given::<Contact>(merged.clone())
            .when(ContactCommand::Restore { merge, accounts: back.clone() })
            .then(vec![ContactEvent::Restored { contact_id: id(2), merge, accounts: back.clone() }]);
        let mut history = merged;
        history.push(ContactEvent::Restored { contact_id: id(2), merge, accounts: back });
        let restored = Contact::fold(&history);
        assert_eq!(restored.merged_into, None);
        assert_eq!(restored.accounts.values().next().map(|r| r.lines.len()), Some(2));
        given::<Contact>(vec![created(1, "Ana", NameSource::Agent)])
            .when(ContactCommand::MergeInto { into: id(1), merge })
            .then_rejects(ContactRejection::MergeWithItself);
    }

    #[test]
    fn the_owner_is_an_agent_or_a_group() {
        let agent = ContactOwner::Agent(UserId::from_uuid(Uuid::from_u128(5)));
        given::<Contact>(vec![created(1, "Ana", NameSource::Agent)])
            .when(ContactCommand::SetOwner { owner: Some(agent) })
            .then(vec![ContactEvent::OwnerSet { contact_id: id(1), owner: Some(agent) }]);
        given::<Contact>(vec![
            created(1, "Ana", NameSource::Agent),
            ContactEvent::OwnerSet { contact_id: id(1), owner: Some(agent) },
        ])
        .when(ContactCommand::SetOwner { owner: Some(agent) })
        .then(vec![]);
        given::<Contact>(vec![])
            .when(ContactCommand::SetOwner { owner: None })
            .then_rejects(ContactRejection::NotFound);
    }
}
