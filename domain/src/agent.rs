//! Each agent's working state: pauses (O2), capacity, presence on each node and the chats the
//! router gives them.

use crate::decider::Decider;
use crate::event::DomainEvent;
use crate::ids::{ChatId, UserId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use uuid::Uuid;

pub const CAPACITY_MAX: u32 = 50;
/// The chats an agent handles at once until a supervisor sets another figure.
pub const DEFAULT_CAPACITY: u32 = 3;

/// The stream of one agent's working state.
pub fn agent_stream(agent: UserId) -> String {
    format!("agent-{agent}")
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AgentRejection {
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

crate::stored_names!(AgentEvent {
    CAPACITY_SET = "AgentCapacitySet",
    PAUSED = "AgentPaused",
    RESUMED = "AgentResumed",
    CAME_ONLINE = "AgentCameOnline",
    WENT_OFFLINE = "AgentWentOffline",
    RECEIVED_CHAT = "AgentReceivedChat",
});

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
    type Rejection = AgentRejection;

    fn decide(state: &AgentState, command: &AgentCommand) -> Result<Vec<AgentEvent>, AgentRejection> {
        match command {
            AgentCommand::SetCapacity { agent, capacity } => {
                if !(1..=CAPACITY_MAX).contains(capacity) {
                    return Err(AgentRejection::InvalidCapacity);
                }
                Ok(vec![AgentEvent::CapacitySet { agent: *agent, capacity: *capacity }])
            }
            AgentCommand::Pause { agent, reason_id, reason, at } => {
                if state.paused {
                    return Err(AgentRejection::AlreadyPaused);
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
                    return Err(AgentRejection::NotPaused);
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
                    return Err(AgentRejection::Unavailable);
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

    #[test]
    fn the_stored_names_are_the_events_own() {
        crate::event::check_names::<AgentEvent>(AgentEvent::NAMES);
    }
    use crate::decider::given;

    fn reason(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }
    fn ana() -> UserId {
        UserId::from_uuid(Uuid::from_u128(77))
    }

    #[test]
    fn an_agent_pauses_once_and_resumes_once() {
        let at = DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap();
        let pause = AgentCommand::Pause { agent: ana(), reason_id: reason(1), reason: "Lunch".into(), at };
        let paused = AgentEvent::Paused { agent: ana(), reason_id: reason(1), reason: "Lunch".into(), since: at };
        given::<Agent>(vec![]).when(pause.clone()).then(vec![paused.clone()]);
        given::<Agent>(vec![paused.clone()]).when(pause).then_rejects(AgentRejection::AlreadyPaused);
        given::<Agent>(vec![paused])
            .when(AgentCommand::Resume { agent: ana(), at })
            .then(vec![AgentEvent::Resumed { agent: ana(), at }]);
        given::<Agent>(vec![]).when(AgentCommand::Resume { agent: ana(), at }).then_rejects(AgentRejection::NotPaused);
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
        given::<Agent>(vec![]).when(receive(false)).then_rejects(AgentRejection::Unavailable);
        given::<Agent>(vec![online, paused]).when(receive(false)).then_rejects(AgentRejection::Unavailable);
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
