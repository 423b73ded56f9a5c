//! Unique names (queue names within a company, e-mail addresses of users): one small stream per
//! name, claimed before the thing that carries the name is created.

use crate::decider::Decider;
use crate::event::DomainEvent;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum ReservationEvent {
    #[serde(rename = "NameClaimed")]
    Claimed { owner: Uuid, name: String },
    /// The owner let the name go (it was renamed): anyone may claim it again.
    #[serde(rename = "NameReleased")]
    Released { owner: Uuid },
}

impl DomainEvent for ReservationEvent {}

#[derive(Clone, Debug, PartialEq)]
pub enum ReservationCommand {
    Claim { owner: Uuid, name: String },
    Release { owner: Uuid },
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReservationRejection {
    #[error("\"{0}\" is already taken")]
    Taken(String),
}

#[derive(Default, Debug)]
pub struct ReservationState {
    holder: Option<Uuid>,
}

impl ReservationState {
    /// Who holds the name now, if anyone.
    pub fn holder(&self) -> Option<Uuid> {
        self.holder
    }
}

pub struct Reservation;

impl Decider for Reservation {
    type State = ReservationState;
    type Command = ReservationCommand;
    type Event = ReservationEvent;
    type Rejection = ReservationRejection;

    fn decide(
        state: &ReservationState,
        command: &ReservationCommand,
    ) -> Result<Vec<ReservationEvent>, ReservationRejection> {
        match command {
            ReservationCommand::Claim { owner, name } => match state.holder {
                None => Ok(vec![ReservationEvent::Claimed { owner: *owner, name: name.clone() }]),
                // A retried command finds its own claim: nothing more to record.
                Some(holder) if holder == *owner => Ok(vec![]),
                Some(_) => Err(ReservationRejection::Taken(name.clone())),
            },
            // Only the holder lets a name go; anything else has nothing to release.
            ReservationCommand::Release { owner } => Ok(if state.holder == Some(*owner) {
                vec![ReservationEvent::Released { owner: *owner }]
            } else {
                vec![]
            }),
        }
    }

    fn evolve(_state: ReservationState, event: &ReservationEvent) -> ReservationState {
        match event {
            ReservationEvent::Claimed { owner, .. } => ReservationState { holder: Some(*owner) },
            ReservationEvent::Released { .. } => ReservationState { holder: None },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decider::given;

    fn claim(owner: u128, name: &str) -> ReservationCommand {
        ReservationCommand::Claim { owner: Uuid::from_u128(owner), name: name.into() }
    }

    fn claimed(owner: u128, name: &str) -> ReservationEvent {
        ReservationEvent::Claimed { owner: Uuid::from_u128(owner), name: name.into() }
    }

    #[test]
    fn given_a_free_name_when_claimed_then_claimed() {
        given::<Reservation>(vec![]).when(claim(1, "Sales")).then(vec![claimed(1, "Sales")]);
    }

    #[test]
    fn given_a_name_held_by_another_when_claimed_then_taken() {
        given::<Reservation>(vec![claimed(1, "Sales")])
            .when(claim(2, "sales"))
            .then_rejects(ReservationRejection::Taken("sales".into()));
    }

    #[test]
    fn a_released_name_can_be_claimed_by_another() {
        let released = ReservationEvent::Released { owner: Uuid::from_u128(1) };
        given::<Reservation>(vec![claimed(1, "Sales"), released])
            .when(claim(2, "Sales"))
            .then(vec![claimed(2, "Sales")]);
        given::<Reservation>(vec![claimed(1, "Sales")])
            .when(ReservationCommand::Release { owner: Uuid::from_u128(2) })
            .then(vec![]);
    }

    #[test]
    fn given_a_name_held_by_the_same_owner_when_claimed_again_then_nothing_new() {
        given::<Reservation>(vec![claimed(1, "Sales")]).when(claim(1, "Sales")).then(vec![]);
    }
}
