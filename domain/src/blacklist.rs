//! The company's blacklist (G19): customers' accounts that must never be written to. An agent's
//! message to one is refused with the reason; what they send is dropped before any chat is made,
//! and each drop is recorded, so that the company knows how often they tried.

use crate::contact::Account;
use crate::decider::Decider;
use crate::event::DomainEvent;
use crate::ids::{CompanyId, LineId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const REASON_MAX_CHARS: usize = 200;

/// The stream of a company's blacklist.
pub fn blacklist_stream(company: CompanyId) -> String {
    format!("blacklist-{company}")
}

/// The stream the drops of a company's blacklisted accounts are recorded in: apart from the list,
/// so that a flood of them never holds up a supervisor changing it.
pub fn drops_stream(company: CompanyId) -> String {
    format!("blacklist-drops-{company}")
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum BlacklistEvent {
    #[serde(rename = "BlacklistEntryAdded")]
    Added { company_id: CompanyId, account: Account, reason: String },
    #[serde(rename = "BlacklistEntryRemoved")]
    Removed { company_id: CompanyId, account: Account },
    /// A message from a blacklisted account, dropped before any chat was made.
    #[serde(rename = "BlacklistedMessageDropped")]
    MessageDropped { company_id: CompanyId, account: Account, line_id: LineId },
}

crate::stored_names!(BlacklistEvent {
    ADDED = "BlacklistEntryAdded",
    REMOVED = "BlacklistEntryRemoved",
    MESSAGE_DROPPED = "BlacklistedMessageDropped",
});

impl DomainEvent for BlacklistEvent {}

#[derive(Clone, Debug, PartialEq)]
pub enum BlacklistCommand {
    Add { company_id: CompanyId, account: Account, reason: String },
    Remove { company_id: CompanyId, account: Account },
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BlacklistRejection {
    #[error("say why, in 1 to {REASON_MAX_CHARS} characters")]
    InvalidReason,
    #[error("{0} is already on the blacklist")]
    AlreadyListed(String),
    #[error("{0} is not on the blacklist")]
    NotListed(String),
}

/// The listed accounts, by their key, with the reason each was listed.
#[derive(Clone, Debug, Default)]
pub struct BlacklistState {
    pub listed: BTreeMap<String, String>,
}

pub struct Blacklist;

impl Decider for Blacklist {
    type State = BlacklistState;
    type Command = BlacklistCommand;
    type Event = BlacklistEvent;
    type Rejection = BlacklistRejection;

    fn decide(state: &BlacklistState, command: &BlacklistCommand) -> Result<Vec<BlacklistEvent>, BlacklistRejection> {
        match command {
            BlacklistCommand::Add { company_id, account, reason } => {
                let reason = crate::text::single_spaced(reason);
                if reason.is_empty() || reason.chars().count() > REASON_MAX_CHARS {
                    return Err(BlacklistRejection::InvalidReason);
                }
                if state.listed.contains_key(&account.key()) {
                    return Err(BlacklistRejection::AlreadyListed(account.id.clone()));
                }
                Ok(vec![BlacklistEvent::Added { company_id: *company_id, account: account.clone(), reason }])
            }
            BlacklistCommand::Remove { company_id, account } => {
                if !state.listed.contains_key(&account.key()) {
                    return Err(BlacklistRejection::NotListed(account.id.clone()));
                }
                Ok(vec![BlacklistEvent::Removed { company_id: *company_id, account: account.clone() }])
            }
        }
    }

    fn evolve(mut state: BlacklistState, event: &BlacklistEvent) -> BlacklistState {
        match event {
            BlacklistEvent::Added { account, reason, .. } => {
                state.listed.insert(account.key(), reason.clone());
            }
            BlacklistEvent::Removed { account, .. } => {
                state.listed.remove(&account.key());
            }
            BlacklistEvent::MessageDropped { .. } => {}
        }
        state
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contact::Channel;
    use crate::decider::given;
    use uuid::Uuid;

    fn company() -> CompanyId {
        CompanyId::from_uuid(Uuid::from_u128(1))
    }
    fn number() -> Account {
        Account::parse(Channel::Whatsapp, "+34 612 34 56 78", None).unwrap()
    }
    fn added() -> BlacklistEvent {
        BlacklistEvent::Added { company_id: company(), account: number(), reason: "Threatened an agent".into() }
    }

    #[test]
    fn an_account_is_listed_once_with_a_reason_and_taken_off_again() {
        let add =
            |reason: &str| BlacklistCommand::Add { company_id: company(), account: number(), reason: reason.into() };
        given::<Blacklist>(vec![]).when(add("  Threatened   an agent ")).then(vec![added()]);
        given::<Blacklist>(vec![]).when(add("   ")).then_rejects(BlacklistRejection::InvalidReason);
        given::<Blacklist>(vec![added()])
            .when(add("Again"))
            .then_rejects(BlacklistRejection::AlreadyListed("+34612345678".into()));
        let remove = BlacklistCommand::Remove { company_id: company(), account: number() };
        given::<Blacklist>(vec![added()])
            .when(remove.clone())
            .then(vec![BlacklistEvent::Removed { company_id: company(), account: number() }]);
        given::<Blacklist>(vec![]).when(remove).then_rejects(BlacklistRejection::NotListed("+34612345678".into()));
    }

    #[test]
    fn stored_names_are_those_of_the_variants() {
        crate::event::check_names::<BlacklistEvent>(BlacklistEvent::NAMES);
    }
}
