//! Attention queues (R1, R2): a queue is created with a name unique within its company.
//!
//! Uniqueness spans many queues: the name is claimed in its reservation stream (see
//! [`crate::reservation`]) in the same transaction that creates the queue.

use crate::decider::Decider;
use crate::event::DomainEvent;
use crate::ids::{CompanyId, QueueId, UserId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;

/// A queue's name: trimmed, inner runs of white space folded, 1 to 80 characters, no control characters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueueName(String);

pub const QUEUE_NAME_MAX_CHARS: usize = 80;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueueNameError {
    #[error("the queue needs a name")]
    Empty,
    #[error("a queue name has at most {QUEUE_NAME_MAX_CHARS} characters")]
    TooLong,
    #[error("a queue name cannot contain control characters")]
    ControlCharacter,
}

impl QueueName {
    pub fn parse(raw: &str) -> Result<Self, QueueNameError> {
        if raw.chars().any(|c| c.is_control() && !c.is_whitespace()) {
            return Err(QueueNameError::ControlCharacter);
        }
        let folded = crate::text::single_spaced(raw);
        if folded.is_empty() {
            return Err(QueueNameError::Empty);
        }
        if folded.chars().count() > QUEUE_NAME_MAX_CHARS {
            return Err(QueueNameError::TooLong);
        }
        Ok(Self(folded))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form two names are compared in: "Sales" and " sales " are the same queue name.
    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }
}

impl TryFrom<String> for QueueName {
    type Error = QueueNameError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<QueueName> for String {
    fn from(value: QueueName) -> Self {
        value.0
    }
}

impl fmt::Display for QueueName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a customer waiting in a queue is told until a queue sets its own words (G21).
pub const DEFAULT_WAITING_MESSAGE: &str = "You are number {position} in line. An agent will be with you shortly.";
pub const WAITING_MESSAGE_MAX_CHARS: usize = 500;
pub const NO_ANSWER_MAX_MINUTES: u32 = 24 * 60;

/// How a queue treats its chats.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueueSettings {
    /// Told to waiting customers, `{position}` replaced by their place in line; empty: say nothing.
    pub waiting_message: String,
    /// When set, a chat its agent has not answered within these minutes goes to the next agent.
    pub no_answer_minutes: Option<u32>,
}

impl Default for QueueSettings {
    fn default() -> Self {
        Self { waiting_message: DEFAULT_WAITING_MESSAGE.to_string(), no_answer_minutes: None }
    }
}

impl QueueSettings {
    fn check(&self) -> Result<(), QueueRejection> {
        let message = &self.waiting_message;
        if message.chars().count() > WAITING_MESSAGE_MAX_CHARS || message.chars().any(|c| c.is_control() && c != '\n') {
            return Err(QueueRejection::InvalidWaitingMessage);
        }
        if self.no_answer_minutes.is_some_and(|m| !(1..=NO_ANSWER_MAX_MINUTES).contains(&m)) {
            return Err(QueueRejection::InvalidNoAnswerTime);
        }
        Ok(())
    }

    /// The waiting message for a place in line, if the queue says anything.
    pub fn waiting_text(&self, position: u32) -> Option<String> {
        let text = self.waiting_message.trim();
        (!text.is_empty()).then(|| text.replace("{position}", &position.to_string()))
    }
}

/// The queue in which one agent alone takes the chats transferred to them.
pub fn personal_queue(agent: UserId) -> QueueId {
    QueueId::from_uuid(agent.as_uuid())
}

/// The stream of one queue.
pub fn queue_stream(queue: QueueId) -> String {
    format!("queue-{queue}")
}

/// The stream that reserves one queue name within a company.
pub fn queue_name_stream(company: CompanyId, name: &QueueName) -> String {
    format!("queuename-{company}-{}", name.key())
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum QueueEvent {
    #[serde(rename = "QueueCreated")]
    Created { queue_id: QueueId, company_id: CompanyId, name: QueueName },
    #[serde(rename = "AgentAddedToQueue")]
    AgentAdded { queue_id: QueueId, agent: UserId },
    #[serde(rename = "AgentRemovedFromQueue")]
    AgentRemoved { queue_id: QueueId, agent: UserId },
    #[serde(rename = "QueueRenamed")]
    Renamed { queue_id: QueueId, name: QueueName },
    #[serde(rename = "QueueSettingsChanged")]
    SettingsChanged { queue_id: QueueId, settings: QueueSettings },
}

crate::stored_names!(QueueEvent {
    CREATED = "QueueCreated",
    AGENT_ADDED = "AgentAddedToQueue",
    AGENT_REMOVED = "AgentRemovedFromQueue",
    RENAMED = "QueueRenamed",
    SETTINGS_CHANGED = "QueueSettingsChanged",
});

impl DomainEvent for QueueEvent {}

#[derive(Clone, Debug, PartialEq)]
pub enum QueueCommand {
    CreateQueue {
        queue_id: QueueId,
        company_id: CompanyId,
        name: QueueName,
    },
    /// The caller's company comes with the command: a queue of another company is not found.
    AddAgent {
        queue_id: QueueId,
        company_id: CompanyId,
        agent: UserId,
    },
    RemoveAgent {
        queue_id: QueueId,
        company_id: CompanyId,
        agent: UserId,
    },
    Configure {
        queue_id: QueueId,
        company_id: CompanyId,
        settings: QueueSettings,
    },
    /// The new name was claimed beside; the old one is released with it.
    Rename {
        queue_id: QueueId,
        company_id: CompanyId,
        name: QueueName,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QueueRejection {
    #[error("this queue already exists")]
    AlreadyExists,
    #[error("no such queue")]
    NotFound,
    #[error("a waiting message has at most {WAITING_MESSAGE_MAX_CHARS} characters and no control characters")]
    InvalidWaitingMessage,
    #[error("the time to answer is 1 to {NO_ANSWER_MAX_MINUTES} minutes, or none")]
    InvalidNoAnswerTime,
}

#[derive(Default, Debug)]
pub struct QueueState {
    company: Option<CompanyId>,
    pub name: Option<QueueName>,
    members: BTreeSet<UserId>,
    settings: QueueSettings,
}

pub struct Queue;

impl Decider for Queue {
    type State = QueueState;
    type Command = QueueCommand;
    type Event = QueueEvent;
    type Rejection = QueueRejection;

    fn decide(state: &QueueState, command: &QueueCommand) -> Result<Vec<QueueEvent>, QueueRejection> {
        match command {
            QueueCommand::CreateQueue { queue_id, company_id, name } => {
                if state.company.is_some() {
                    return Err(QueueRejection::AlreadyExists);
                }
                Ok(vec![QueueEvent::Created { queue_id: *queue_id, company_id: *company_id, name: name.clone() }])
            }
            QueueCommand::AddAgent { queue_id, company_id, agent } => {
                if state.company != Some(*company_id) {
                    return Err(QueueRejection::NotFound);
                }
                // Adding a member twice records nothing new.
                Ok(if state.members.contains(agent) {
                    vec![]
                } else {
                    vec![QueueEvent::AgentAdded { queue_id: *queue_id, agent: *agent }]
                })
            }
            QueueCommand::Rename { queue_id, company_id, name } => {
                if state.company != Some(*company_id) {
                    return Err(QueueRejection::NotFound);
                }
                Ok(if state.name.as_ref() == Some(name) {
                    vec![]
                } else {
                    vec![QueueEvent::Renamed { queue_id: *queue_id, name: name.clone() }]
                })
            }
            QueueCommand::Configure { queue_id, company_id, settings } => {
                if state.company != Some(*company_id) {
                    return Err(QueueRejection::NotFound);
                }
                settings.check()?;
                Ok(if state.settings == *settings {
                    vec![]
                } else {
                    vec![QueueEvent::SettingsChanged { queue_id: *queue_id, settings: settings.clone() }]
                })
            }
            QueueCommand::RemoveAgent { queue_id, company_id, agent } => {
                if state.company != Some(*company_id) {
                    return Err(QueueRejection::NotFound);
                }
                Ok(if state.members.contains(agent) {
                    vec![QueueEvent::AgentRemoved { queue_id: *queue_id, agent: *agent }]
                } else {
                    vec![]
                })
            }
        }
    }

    fn evolve(mut state: QueueState, event: &QueueEvent) -> QueueState {
        match event {
            QueueEvent::Created { company_id, name, .. } => {
                state.company = Some(*company_id);
                state.name = Some(name.clone());
            }
            QueueEvent::Renamed { name, .. } => state.name = Some(name.clone()),
            QueueEvent::AgentAdded { agent, .. } => {
                state.members.insert(*agent);
            }
            QueueEvent::AgentRemoved { agent, .. } => {
                state.members.remove(agent);
            }
            QueueEvent::SettingsChanged { settings, .. } => state.settings = settings.clone(),
        }
        state
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stored_names_are_the_events_own() {
        crate::event::check_names::<QueueEvent>(QueueEvent::NAMES);
    }
    use crate::decider::given;
    use uuid::Uuid;

    fn name(raw: &str) -> QueueName {
        QueueName::parse(raw).unwrap()
    }

    fn queue(n: u128) -> QueueId {
        QueueId::from_uuid(Uuid::from_u128(n))
    }

    fn company() -> CompanyId {
        CompanyId::from_uuid(Uuid::from_u128(7))
    }

    #[test]
    fn queue_names_are_trimmed_and_folded() {
        assert_eq!(name("  Sales   team ").as_str(), "Sales team");
    }

    #[test]
    fn invalid_queue_names_are_refused_with_a_reason() {
        let cases = [
            ("", QueueNameError::Empty, "empty"),
            ("   \t ", QueueNameError::Empty, "only white space"),
            ("a\u{0007}b", QueueNameError::ControlCharacter, "bell character"),
            (&"x".repeat(81), QueueNameError::TooLong, "81 characters"),
        ];
        for (raw, error, description) in cases {
            assert_eq!(QueueName::parse(raw), Err(error), "{description}");
        }
        assert!(QueueName::parse(&"é".repeat(80)).is_ok(), "80 multi-byte characters fit");
    }

    #[test]
    fn names_differing_only_in_case_and_spacing_share_a_reservation() {
        assert_eq!(queue_name_stream(company(), &name("Sales")), queue_name_stream(company(), &name(" SALES ")));
    }

    #[test]
    fn given_no_queue_when_created_then_queue_created() {
        given::<Queue>(vec![])
            .when(QueueCommand::CreateQueue { queue_id: queue(1), company_id: company(), name: name("Sales") })
            .then(vec![QueueEvent::Created { queue_id: queue(1), company_id: company(), name: name("Sales") }]);
    }

    #[test]
    fn given_a_queue_when_created_again_then_rejected() {
        given::<Queue>(vec![QueueEvent::Created { queue_id: queue(1), company_id: company(), name: name("Sales") }])
            .when(QueueCommand::CreateQueue { queue_id: queue(1), company_id: company(), name: name("Sales") })
            .then_rejects(QueueRejection::AlreadyExists);
    }

    fn ana() -> UserId {
        UserId::from_uuid(Uuid::from_u128(50))
    }

    fn created() -> QueueEvent {
        QueueEvent::Created { queue_id: queue(1), company_id: company(), name: name("Sales") }
    }

    #[test]
    fn given_a_queue_when_an_agent_is_added_then_added_and_only_once() {
        let add = QueueCommand::AddAgent { queue_id: queue(1), company_id: company(), agent: ana() };
        given::<Queue>(vec![created()])
            .when(add.clone())
            .then(vec![QueueEvent::AgentAdded { queue_id: queue(1), agent: ana() }]);
        given::<Queue>(vec![created(), QueueEvent::AgentAdded { queue_id: queue(1), agent: ana() }])
            .when(add)
            .then(vec![]);
    }

    #[test]
    fn given_a_member_when_removed_then_removed() {
        given::<Queue>(vec![created(), QueueEvent::AgentAdded { queue_id: queue(1), agent: ana() }])
            .when(QueueCommand::RemoveAgent { queue_id: queue(1), company_id: company(), agent: ana() })
            .then(vec![QueueEvent::AgentRemoved { queue_id: queue(1), agent: ana() }]);
    }

    #[test]
    fn a_queue_of_another_company_or_none_is_not_found() {
        let other = CompanyId::from_uuid(Uuid::from_u128(8));
        given::<Queue>(vec![created()])
            .when(QueueCommand::AddAgent { queue_id: queue(1), company_id: other, agent: ana() })
            .then_rejects(QueueRejection::NotFound);
        given::<Queue>(vec![])
            .when(QueueCommand::RemoveAgent { queue_id: queue(1), company_id: company(), agent: ana() })
            .then_rejects(QueueRejection::NotFound);
    }
}

#[cfg(test)]
mod settings_tests {
    use super::*;
    use crate::decider::given;
    use uuid::Uuid;

    fn queue() -> QueueId {
        QueueId::from_uuid(Uuid::from_u128(1))
    }
    fn company() -> CompanyId {
        CompanyId::from_uuid(Uuid::from_u128(7))
    }
    fn created() -> QueueEvent {
        QueueEvent::Created { queue_id: queue(), company_id: company(), name: QueueName::parse("Sales").unwrap() }
    }
    fn configure(waiting_message: &str, no_answer_minutes: Option<u32>) -> QueueCommand {
        QueueCommand::Configure {
            queue_id: queue(),
            company_id: company(),
            settings: QueueSettings { waiting_message: waiting_message.into(), no_answer_minutes },
        }
    }

    #[test]
    fn a_queue_sets_its_waiting_words_and_time_to_answer() {
        let settings = QueueSettings { waiting_message: "Sos el {position}".into(), no_answer_minutes: Some(5) };
        given::<Queue>(vec![created()])
            .when(configure("Sos el {position}", Some(5)))
            .then(vec![QueueEvent::SettingsChanged { queue_id: queue(), settings: settings.clone() }]);
        given::<Queue>(vec![created(), QueueEvent::SettingsChanged { queue_id: queue(), settings }])
            .when(configure("Sos el {position}", Some(5)))
            .then(vec![]);
        assert_eq!(
            QueueSettings::default().waiting_text(3).unwrap(),
            "You are number 3 in line. An agent will be with you shortly."
        );
        assert_eq!(QueueSettings { waiting_message: " ".into(), no_answer_minutes: None }.waiting_text(3), None);
    }

    #[test]
    fn a_queue_is_renamed_within_its_company() {
        let new = QueueName::parse("Ventas").unwrap();
        given::<Queue>(vec![created()])
            .when(QueueCommand::Rename { queue_id: queue(), company_id: company(), name: new.clone() })
            .then(vec![QueueEvent::Renamed { queue_id: queue(), name: new.clone() }]);
        let other = CompanyId::from_uuid(Uuid::from_u128(8));
        given::<Queue>(vec![created()])
            .when(QueueCommand::Rename { queue_id: queue(), company_id: other, name: new })
            .then_rejects(QueueRejection::NotFound);
    }

    #[test]
    fn out_of_range_times_and_oversized_messages_are_refused() {
        given::<Queue>(vec![created()]).when(configure("x", Some(0))).then_rejects(QueueRejection::InvalidNoAnswerTime);
        given::<Queue>(vec![created()])
            .when(configure("x", Some(NO_ANSWER_MAX_MINUTES + 1)))
            .then_rejects(QueueRejection::InvalidNoAnswerTime);
        given::<Queue>(vec![created()])
            .when(configure(&"x".repeat(WAITING_MESSAGE_MAX_CHARS + 1), None))
            .then_rejects(QueueRejection::InvalidWaitingMessage);
    }
}
