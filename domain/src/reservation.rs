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

/// What a reserved name names: it says, in a refusal, what the name is already taken by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reserved {
    /// A person's e-mail address (sign-in).
    EmailAddress,
    /// A queue's name within its company.
    QueueName,
    /// A customer's account on a channel, within a company: one contact holds it.
    Account,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ReservationCommand {
    Claim { owner: Uuid, name: String, what: Reserved },
    Release { owner: Uuid },
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReservationRejection {
    #[error("{}", taken_words(*what, name))]
    Taken { what: Reserved, name: String },
}

fn taken_words(what: Reserved, name: &str) -> String {
    match what {
        Reserved::EmailAddress => format!("{name} already has an account"),
        Reserved::QueueName => format!("a queue named \"{name}\" already exists"),
        Reserved::Account => format!("the account {name} already belongs to another contact"),
    }
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
            ReservationCommand::Claim { owner, name, what } => match state.holder {
                None => Ok(vec![ReservationEvent::Claimed { owner: *owner, name: name.clone() }]),
                // A retried command finds its own claim: nothing more to record.
                Some(holder) if holder == *owner => Ok(vec![]),
                Some(_) => Err(ReservationRejection::Taken { what: *what, name: name.clone() }),
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
        ReservationCommand::Claim { owner: Uuid::from_u128(owner), name: name.into(), what: Reserved::QueueName }
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
            .then_rejects(ReservationRejection::Taken { what: Reserved::QueueName, name: "sales".into() });
    }

    #[test]
    fn a_refusal_says_what_the_name_is_taken_by() {
        let taken = |what| ReservationRejection::Taken { what, name: "x".into() }.to_string();
        assert_eq!(taken(Reserved::EmailAddress), "x already has an account");
        assert_eq!(taken(Reserved::QueueName), "a queue named \"x\" already exists");
        assert_eq!(taken(Reserved::Account), "the account x already belongs to another contact");
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
