//! Pause reasons (O1), kept per company in one catalogue.

use crate::decider::Decider;
use crate::event::DomainEvent;
use crate::ids::CompanyId;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

pub const REASON_MAX_CHARS: usize = 60;

/// The stream of a company's pause reasons.
pub fn pause_reasons_stream(company: CompanyId) -> String {
    format!("pausereasons-{company}")
}

/// A pause reason's name: trimmed, folded, 1 to 60 characters.
pub fn parse_reason_name(raw: &str) -> Result<String, PauseRejection> {
    let name = crate::text::single_spaced(raw);
    if name.is_empty() || name.chars().count() > REASON_MAX_CHARS || name.chars().any(char::is_control) {
        return Err(PauseRejection::InvalidName);
    }
    Ok(name)
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PauseRejection {
    #[error("a pause reason has 1 to {REASON_MAX_CHARS} characters")]
    InvalidName,
    #[error("a pause reason named \"{0}\" already exists")]
    DuplicateName(String),
    #[error("no such pause reason")]
    UnknownReason,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum PauseReasonEvent {
    #[serde(rename = "PauseReasonCreated")]
    Created { reason_id: Uuid, name: String },
    #[serde(rename = "PauseReasonRenamed")]
    Renamed { reason_id: Uuid, name: String },
    #[serde(rename = "PauseReasonRetired")]
    Retired { reason_id: Uuid },
}

crate::stored_names!(PauseReasonEvent {
    CREATED = "PauseReasonCreated",
    RENAMED = "PauseReasonRenamed",
    RETIRED = "PauseReasonRetired",
});

impl DomainEvent for PauseReasonEvent {}

#[derive(Clone, Debug, PartialEq)]
pub enum PauseReasonCommand {
    Create { reason_id: Uuid, name: String },
    Rename { reason_id: Uuid, name: String },
    Retire { reason_id: Uuid },
}

/// The reasons in use, by id.
#[derive(Default, Debug)]
pub struct PauseReasonsState {
    active: BTreeMap<Uuid, String>,
}

impl PauseReasonsState {
    pub fn name_of(&self, reason: Uuid) -> Option<&str> {
        self.active.get(&reason).map(String::as_str)
    }

    fn name_taken(&self, name: &str, except: Option<Uuid>) -> bool {
        self.active.iter().any(|(id, n)| Some(*id) != except && n.to_lowercase() == name.to_lowercase())
    }
}

pub struct PauseReasons;

impl Decider for PauseReasons {
    type State = PauseReasonsState;
    type Command = PauseReasonCommand;
    type Event = PauseReasonEvent;
    type Rejection = PauseRejection;

    fn decide(
        state: &PauseReasonsState,
        command: &PauseReasonCommand,
    ) -> Result<Vec<PauseReasonEvent>, PauseRejection> {
        match command {
            PauseReasonCommand::Create { reason_id, name } => {
                let name = parse_reason_name(name)?;
                if state.name_taken(&name, None) {
                    return Err(PauseRejection::DuplicateName(name));
                }
                Ok(vec![PauseReasonEvent::Created { reason_id: *reason_id, name }])
            }
            PauseReasonCommand::Rename { reason_id, name } => {
                let name = parse_reason_name(name)?;
                match state.name_of(*reason_id) {
                    None => Err(PauseRejection::UnknownReason),
                    Some(current) if current == name => Ok(vec![]),
                    Some(_) if state.name_taken(&name, Some(*reason_id)) => Err(PauseRejection::DuplicateName(name)),
                    Some(_) => Ok(vec![PauseReasonEvent::Renamed { reason_id: *reason_id, name }]),
                }
            }
            PauseReasonCommand::Retire { reason_id } => match state.name_of(*reason_id) {
                None => Err(PauseRejection::UnknownReason),
                Some(_) => Ok(vec![PauseReasonEvent::Retired { reason_id: *reason_id }]),
            },
        }
    }

    fn evolve(mut state: PauseReasonsState, event: &PauseReasonEvent) -> PauseReasonsState {
        match event {
            PauseReasonEvent::Created { reason_id, name } | PauseReasonEvent::Renamed { reason_id, name } => {
                state.active.insert(*reason_id, name.clone());
            }
            PauseReasonEvent::Retired { reason_id } => {
                state.active.remove(reason_id);
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
        crate::event::check_names::<PauseReasonEvent>(PauseReasonEvent::NAMES);
    }
    use crate::decider::given;

    fn reason(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }
    fn lunch() -> PauseReasonEvent {
        PauseReasonEvent::Created { reason_id: reason(1), name: "Lunch".into() }
    }

    #[test]
    fn given_no_reasons_when_one_is_created_then_created_with_a_folded_name() {
        given::<PauseReasons>(vec![])
            .when(PauseReasonCommand::Create { reason_id: reason(1), name: "  Lunch   break ".into() })
            .then(vec![PauseReasonEvent::Created { reason_id: reason(1), name: "Lunch break".into() }]);
    }

    #[test]
    fn duplicate_or_empty_reason_names_are_refused() {
        given::<PauseReasons>(vec![lunch()])
            .when(PauseReasonCommand::Create { reason_id: reason(2), name: "LUNCH".into() })
            .then_rejects(PauseRejection::DuplicateName("LUNCH".into()));
        given::<PauseReasons>(vec![])
            .when(PauseReasonCommand::Create { reason_id: reason(2), name: "  ".into() })
            .then_rejects(PauseRejection::InvalidName);
    }

    #[test]
    fn a_reason_is_renamed_and_retired_and_then_unknown() {
        given::<PauseReasons>(vec![lunch()])
            .when(PauseReasonCommand::Rename { reason_id: reason(1), name: "Meal".into() })
            .then(vec![PauseReasonEvent::Renamed { reason_id: reason(1), name: "Meal".into() }]);
        given::<PauseReasons>(vec![lunch(), PauseReasonEvent::Retired { reason_id: reason(1) }])
            .when(PauseReasonCommand::Retire { reason_id: reason(1) })
            .then_rejects(PauseRejection::UnknownReason);
    }

    #[test]
    fn a_retired_name_can_be_used_again() {
        given::<PauseReasons>(vec![lunch(), PauseReasonEvent::Retired { reason_id: reason(1) }])
            .when(PauseReasonCommand::Create { reason_id: reason(2), name: "Lunch".into() })
            .then(vec![PauseReasonEvent::Created { reason_id: reason(2), name: "Lunch".into() }]);
    }
}
