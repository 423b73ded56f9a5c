//! Pause reasons (O1), kept per company in one catalogue, and each agent's working state: pauses
//! (O2), capacity, presence and the chats the router gives them.

use crate::decider::Decider;
use crate::event::DomainEvent;
use crate::ids::{ChatId, CompanyId, UserId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

pub const REASON_MAX_CHARS: usize = 60;
pub const CAPACITY_MAX: u32 = 50;
/// The chats an agent handles at once until a supervisor sets another figure.
pub const DEFAULT_CAPACITY: u32 = 3;

/// The stream of a company's pause reasons.
pub fn pause_reasons_stream(company: CompanyId) -> String {
    format!("pausereasons-{company}")
}

/// The stream of one agent's working state.
pub fn agent_stream(agent: UserId) -> String {
    format!("agent-{agent}")
}

/// A pause reason's name: trimmed, folded, 1 to 60 characters.
pub fn parse_reason_name(raw: &str) -> Result<String, PauseRejection> {
    let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
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
    #[error("the agent is already paused")]
    AlreadyPaused,
    #[error("the agent is not paused")]
    NotPaused,
    #[error("capacity is a number of chats from 1 to {CAPACITY_MAX}")]
    InvalidCapacity,
    #[error("the agent is paused or offline")]
    Unavailable,
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

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum AgentEvent {
    #[serde(rename = "AgentCapacitySet")]
    CapacitySet { agent: UserId, capacity: u32 },
    #[serde(rename = "AgentPaused")]
    Paused { agent: UserId, reason_id: Uuid, reason: String, since: DateTime<Utc> },
    #[serde(rename = "AgentResumed")]
    Resumed { agent: UserId, at: DateTime<Utc> },
    /// The agent's first live connection on `node` opened.
    #[serde(rename = "AgentCameOnline")]
    CameOnline { agent: UserId, node: String, at: DateTime<Utc> },
    /// The agent's last live connection on `node` closed.
    #[serde(rename = "AgentWentOffline")]
    WentOffline { agent: UserId, node: String, at: DateTime<Utc> },
    /// The router gave the agent a chat; written beside the chat's `ChatAssigned` so that a pause
    /// or a disconnection racing with the assignment makes one of them fail and be decided again.
    #[serde(rename = "AgentReceivedChat")]
    ReceivedChat { agent: UserId, chat: ChatId },
}

impl DomainEvent for AgentEvent {}

#[derive(Clone, Debug, PartialEq)]
pub enum AgentCommand {
    SetCapacity {
        agent: UserId,
        capacity: u32,
    },
    /// The reason was looked up in the company's catalogue: its name comes with the command.
    Pause {
        agent: UserId,
        reason_id: Uuid,
        reason: String,
        at: DateTime<Utc>,
    },
    Resume {
        agent: UserId,
        at: DateTime<Utc>,
    },
    ComeOnline {
        agent: UserId,
        node: String,
        at: DateTime<Utc>,
    },
    GoOffline {
        agent: UserId,
        node: String,
        at: DateTime<Utc>,
    },
    /// `own_agent`: the chat's contact belongs to this agent (R7), who gets it even when away.
    ReceiveChat {
        agent: UserId,
        chat: ChatId,
        own_agent: bool,
    },
}

#[derive(Clone, Default, Debug)]
pub struct AgentState {
    paused: bool,
    /// The nodes where the agent has a live connection open.
    online_on: BTreeSet<String>,
}

impl AgentState {
    pub fn is_online(&self) -> bool {
        !self.online_on.is_empty()
    }

    /// The nodes the agent is connected on.
    pub fn nodes(&self) -> impl Iterator<Item = &String> {
        self.online_on.iter()
    }
}

pub struct Agent;

impl Decider for Agent {
    type State = AgentState;
    type Command = AgentCommand;
    type Event = AgentEvent;
    type Rejection = PauseRejection;

    fn decide(state: &AgentState, command: &AgentCommand) -> Result<Vec<AgentEvent>, PauseRejection> {
        match command {
            AgentCommand::SetCapacity { agent, capacity } => {
                if !(1..=CAPACITY_MAX).contains(capacity) {
                    return Err(PauseRejection::InvalidCapacity);
                }
                Ok(vec![AgentEvent::CapacitySet { agent: *agent, capacity: *capacity }])
            }
            AgentCommand::Pause { agent, reason_id, reason, at } => {
                if state.paused {
                    return Err(PauseRejection::AlreadyPaused);
                }
                Ok(vec![AgentEvent::Paused {
                    agent: *agent,
                    reason_id: *reason_id,
                    reason: reason.clone(),
                    since: *at,
                }])
            }
            AgentCommand::Resume { agent, at } => {
                if !state.paused {
                    return Err(PauseRejection::NotPaused);
                }
                Ok(vec![AgentEvent::Resumed { agent: *agent, at: *at }])
            }
            AgentCommand::ComeOnline { agent, node, at } => Ok(if state.online_on.contains(node) {
                vec![]
            } else {
                vec![AgentEvent::CameOnline { agent: *agent, node: node.clone(), at: *at }]
            }),
            AgentCommand::GoOffline { agent, node, at } => Ok(if state.online_on.contains(node) {
                vec![AgentEvent::WentOffline { agent: *agent, node: node.clone(), at: *at }]
            } else {
                vec![]
            }),
            AgentCommand::ReceiveChat { agent, chat, own_agent } => {
                if !own_agent && (state.paused || !state.is_online()) {
                    return Err(PauseRejection::Unavailable);
                }
                Ok(vec![AgentEvent::ReceivedChat { agent: *agent, chat: *chat }])
            }
        }
    }

    fn evolve(mut state: AgentState, event: &AgentEvent) -> AgentState {
        match event {
            AgentEvent::CapacitySet { .. } | AgentEvent::ReceivedChat { .. } => {}
            AgentEvent::Paused { .. } => state.paused = true,
            AgentEvent::Resumed { .. } => state.paused = false,
            AgentEvent::CameOnline { node, .. } => {
                state.online_on.insert(node.clone());
            }
            AgentEvent::WentOffline { node, .. } => {
                state.online_on.remove(node);
            }
        }
        state
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decider::given;

    fn reason(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }
    fn ana() -> UserId {
        UserId::from_uuid(Uuid::from_u128(77))
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

    #[test]
    fn an_agent_pauses_once_and_resumes_once() {
        let at = DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap();
        let pause = AgentCommand::Pause { agent: ana(), reason_id: reason(1), reason: "Lunch".into(), at };
        let paused = AgentEvent::Paused { agent: ana(), reason_id: reason(1), reason: "Lunch".into(), since: at };
        given::<Agent>(vec![]).when(pause.clone()).then(vec![paused.clone()]);
        given::<Agent>(vec![paused.clone()]).when(pause).then_rejects(PauseRejection::AlreadyPaused);
        given::<Agent>(vec![paused])
            .when(AgentCommand::Resume { agent: ana(), at })
            .then(vec![AgentEvent::Resumed { agent: ana(), at }]);
        given::<Agent>(vec![]).when(AgentCommand::Resume { agent: ana(), at }).then_rejects(PauseRejection::NotPaused);
    }

    #[test]
    fn presence_is_counted_per_node_and_repeated_news_change_nothing() {
        let at = DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap();
        let online = |node: &str| AgentEvent::CameOnline { agent: ana(), node: node.into(), at };
        given::<Agent>(vec![])
            .when(AgentCommand::ComeOnline { agent: ana(), node: "a".into(), at })
            .then(vec![online("a")]);
        given::<Agent>(vec![online("a")])
            .when(AgentCommand::ComeOnline { agent: ana(), node: "a".into(), at })
            .then(vec![]);
        given::<Agent>(vec![online("a")])
            .when(AgentCommand::GoOffline { agent: ana(), node: "b".into(), at })
            .then(vec![]);
        let state =
            Agent::fold(&[online("a"), online("b"), AgentEvent::WentOffline { agent: ana(), node: "a".into(), at }]);
        assert!(state.is_online(), "still connected on node b");
    }

    #[test]
    fn only_an_online_agent_who_is_not_paused_receives_a_chat_unless_it_is_their_own_contact() {
        let at = DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap();
        let chat = ChatId::from_uuid(Uuid::from_u128(5));
        let online = AgentEvent::CameOnline { agent: ana(), node: "a".into(), at };
        let paused = AgentEvent::Paused { agent: ana(), reason_id: reason(1), reason: "Lunch".into(), since: at };
        let receive = |own_agent| AgentCommand::ReceiveChat { agent: ana(), chat, own_agent };
        given::<Agent>(vec![online.clone()])
            .when(receive(false))
            .then(vec![AgentEvent::ReceivedChat { agent: ana(), chat }]);
        given::<Agent>(vec![]).when(receive(false)).then_rejects(PauseRejection::Unavailable);
        given::<Agent>(vec![online, paused]).when(receive(false)).then_rejects(PauseRejection::Unavailable);
        given::<Agent>(vec![]).when(receive(true)).then(vec![AgentEvent::ReceivedChat { agent: ana(), chat }]);
    }

    #[test]
    fn capacity_is_between_one_and_fifty() {
        for (capacity, accepted) in [(0, false), (1, true), (50, true), (51, false)] {
            let outcome = Agent::decide(&AgentState::default(), &AgentCommand::SetCapacity { agent: ana(), capacity });
            assert_eq!(outcome.is_ok(), accepted, "capacity {capacity}");
        }
    }
}
