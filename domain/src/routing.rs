//! Round-robin routing (R4, G2, G21): which available agent of a queue gets each waiting chat.
//!
//! The router learns facts (presence, memberships, capacity, chats waiting and released) and, after
//! each one, [`RoutingState::next_assignments`] says which waiting chats go to which agents. Pure:
//! the server folds the facts from the log and appends the assignments it decides.
//!
//! Rules: an agent gets a new chat only while online, not paused and under capacity; a queue's
//! waiting chats leave first in, first out; the queue's members take turns in a stable order that
//! continues after the last agent served; when several queues wait for one agent, the chat that has
//! waited longest goes first.

use crate::ids::{ChatId, QueueId, UserId};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// What the router knows of one agent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AgentLoad {
    pub online: bool,
    pub paused: bool,
    /// The most chats the agent handles at once.
    pub capacity: u32,
    pub active: BTreeSet<ChatId>,
}

impl AgentLoad {
    /// Whether the agent may receive one more chat now.
    pub fn can_take_a_chat(&self) -> bool {
        self.online && !self.paused && (self.active.len() as u64) < u64::from(self.capacity)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct QueueTurns {
    /// Members in the order they joined: the round's stable order.
    members: Vec<UserId>,
    /// The member served last; the next turn starts after them.
    last_served: Option<UserId>,
}

/// A fact the router folds into its state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RoutingFact {
    AgentJoinedQueue {
        agent: UserId,
        queue: QueueId,
    },
    AgentLeftQueue {
        agent: UserId,
        queue: QueueId,
    },
    CapacitySet {
        agent: UserId,
        capacity: u32,
    },
    AgentOnline {
        agent: UserId,
    },
    AgentOffline {
        agent: UserId,
    },
    AgentPaused {
        agent: UserId,
    },
    AgentResumed {
        agent: UserId,
    },
    /// A chat starts waiting in a queue (new, transferred to it, or its agent let it go).
    ChatWaiting {
        chat: ChatId,
        queue: QueueId,
    },
    ChatAssigned {
        chat: ChatId,
        agent: UserId,
        queue: QueueId,
    },
    /// Resolved, or transferred away from its agent: it no longer counts against capacity.
    ChatReleased {
        chat: ChatId,
    },
    /// The contact's own agent (R7), who gets the chat even while away; `None`: nobody's.
    ChatOwnedBy {
        chat: ChatId,
        agent: Option<UserId>,
    },
    /// The chat's agent did not answer in time: while it waits again, it goes to someone else.
    ChatMissedBy {
        chat: ChatId,
        agent: UserId,
    },
}

/// A decision: this waiting chat goes to this agent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    pub chat: ChatId,
    pub agent: UserId,
    pub queue: QueueId,
}

impl From<Assignment> for RoutingFact {
    fn from(a: Assignment) -> Self {
        RoutingFact::ChatAssigned { chat: a.chat, agent: a.agent, queue: a.queue }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RoutingState {
    agents: BTreeMap<UserId, AgentLoad>,
    queues: BTreeMap<QueueId, QueueTurns>,
    /// Waiting chats by arrival: the key orders them across queues.
    waiting: BTreeMap<u64, (ChatId, QueueId)>,
    /// Each waiting chat's key in `waiting`.
    arrival_of: BTreeMap<ChatId, u64>,
    arrivals: u64,
    assigned_to: BTreeMap<ChatId, UserId>,
    /// Agents a waiting chat must not go back to.
    avoid: BTreeMap<ChatId, UserId>,
    /// Chats whose contact has an agent of their own.
    owners: BTreeMap<ChatId, UserId>,
}

impl RoutingState {
    pub fn agent(&self, agent: UserId) -> Option<&AgentLoad> {
        self.agents.get(&agent)
    }

    pub fn assignee_of(&self, chat: ChatId) -> Option<UserId> {
        self.assigned_to.get(&chat).copied()
    }

    /// The chats waiting in a queue, first in first.
    pub fn waiting_in(&self, queue: QueueId) -> Vec<ChatId> {
        self.waiting.values().filter(|(_, q)| *q == queue).map(|(chat, _)| *chat).collect()
    }

    /// A chat's place in its queue's line, from 1.
    pub fn position_of(&self, chat: ChatId) -> Option<usize> {
        let (_, queue) = self.waiting.values().find(|(c, _)| *c == chat)?;
        self.waiting_in(*queue).iter().position(|c| *c == chat).map(|i| i + 1)
    }

    /// Every waiting chat with its queue and its place in that queue's line, from 1.
    pub fn waiting_positions(&self) -> Vec<(ChatId, QueueId, usize)> {
        let mut places: BTreeMap<QueueId, usize> = BTreeMap::new();
        self.waiting
            .values()
            .map(|(chat, queue)| {
                let place = places.entry(*queue).or_default();
                *place += 1;
                (*chat, *queue, *place)
            })
            .collect()
    }

    /// The contact's own agent of a chat, if it has one.
    pub fn owner_of(&self, chat: ChatId) -> Option<UserId> {
        self.owners.get(&chat).copied()
    }

    /// The chats an agent has now.
    pub fn chats_of(&self, agent: UserId) -> Vec<ChatId> {
        self.agents.get(&agent).map(|load| load.active.iter().copied().collect()).unwrap_or_default()
    }

    pub fn is_member(&self, agent: UserId, queue: QueueId) -> bool {
        self.queues.get(&queue).is_some_and(|turns| turns.members.contains(&agent))
    }

    pub fn evolve(mut self, fact: &RoutingFact) -> Self {
        match fact {
            RoutingFact::AgentJoinedQueue { agent, queue } => {
                let turns = self.queues.entry(*queue).or_default();
                if !turns.members.contains(agent) {
                    turns.members.push(*agent);
                }
                self.agents.entry(*agent).or_default();
            }
            RoutingFact::AgentLeftQueue { agent, queue } => {
                if let Some(turns) = self.queues.get_mut(queue) {
                    turns.members.retain(|member| member != agent);
                }
            }
            RoutingFact::CapacitySet { agent, capacity } => self.agents.entry(*agent).or_default().capacity = *capacity,
            RoutingFact::AgentOnline { agent } => self.agents.entry(*agent).or_default().online = true,
            RoutingFact::AgentOffline { agent } => self.agents.entry(*agent).or_default().online = false,
            RoutingFact::AgentPaused { agent } => self.agents.entry(*agent).or_default().paused = true,
            RoutingFact::AgentResumed { agent } => self.agents.entry(*agent).or_default().paused = false,
            RoutingFact::ChatWaiting { chat, queue } => {
                self.release(*chat);
                self.arrivals += 1;
                self.waiting.insert(self.arrivals, (*chat, *queue));
                self.arrival_of.insert(*chat, self.arrivals);
            }
            RoutingFact::ChatAssigned { chat, agent, queue } => {
                self.release(*chat);
                self.avoid.remove(chat);
                self.agents.entry(*agent).or_default().active.insert(*chat);
                self.assigned_to.insert(*chat, *agent);
                if let Some(turns) = self.queues.get_mut(queue) {
                    turns.last_served = Some(*agent);
                }
            }
            RoutingFact::ChatReleased { chat } => {
                self.release(*chat);
                self.avoid.remove(chat);
            }
            RoutingFact::ChatMissedBy { chat, agent } => {
                self.avoid.insert(*chat, *agent);
            }
            RoutingFact::ChatOwnedBy { chat, agent: Some(agent) } => {
                self.owners.insert(*chat, *agent);
            }
            RoutingFact::ChatOwnedBy { chat, agent: None } => {
                self.owners.remove(chat);
            }
        }
        self
    }

    /// Takes a chat out of every line and every agent's load.
    fn release(&mut self, chat: ChatId) {
        if let Some(arrival) = self.arrival_of.remove(&chat) {
            self.waiting.remove(&arrival);
        }
        if let Some(agent) = self.assigned_to.remove(&chat) {
            if let Some(load) = self.agents.get_mut(&agent) {
                load.active.remove(&chat);
            }
        }
    }

    /// The next member of `queue` whose turn it is and who can take a chat, other than `except`.
    fn next_in_turn(&self, queue: QueueId, except: Option<UserId>) -> Option<UserId> {
        let turns = self.queues.get(&queue)?;
        let start =
            turns.last_served.and_then(|last| turns.members.iter().position(|m| *m == last)).map_or(0, |i| i + 1);
        let count = turns.members.len();
        (0..count)
            .map(|offset| turns.members[(start + offset) % count])
            .find(|member| Some(*member) != except && self.agents.get(member).is_some_and(AgentLoad::can_take_a_chat))
    }

    /// Whether a member of `queue` other than `agent` could take a chat now.
    pub fn someone_else_can_take(&self, queue: QueueId, agent: UserId) -> bool {
        self.next_in_turn(queue, Some(agent)).is_some()
    }

    /// Every assignment that can be made now, the longest-waiting chat first. Applying them (as
    /// `ChatAssigned` facts) leaves no chat waiting that an available member could take.
    pub fn next_assignments(&self) -> Vec<Assignment> {
        self.plan().0
    }

    /// The assignments to make now, and the state they leave.
    pub fn plan(&self) -> (Vec<Assignment>, RoutingState) {
        let mut state = self.clone();
        let mut decided = Vec::new();
        let mut blocked: BTreeSet<QueueId> = BTreeSet::new();
        let waiting: Vec<(ChatId, QueueId)> = state.waiting.values().copied().collect();
        for (chat, queue) in waiting {
            // A contact's own agent takes their chat whether present or not, while under capacity;
            // such a chat never holds up its queue.
            let owner = state.owners.get(&chat).copied().filter(|owner| state.avoid.get(&chat) != Some(owner));
            if let Some(owner) = owner {
                let has_room =
                    state.agents.get(&owner).is_some_and(|load| (load.active.len() as u64) < u64::from(load.capacity));
                if has_room {
                    let assignment = Assignment { chat, agent: owner, queue };
                    state = state.evolve(&assignment.into());
                    decided.push(assignment);
                }
                continue;
            }
            if blocked.contains(&queue) {
                continue;
            }
            match state.next_in_turn(queue, state.avoid.get(&chat).copied()) {
                Some(agent) => {
                    let assignment = Assignment { chat, agent, queue };
                    state = state.evolve(&assignment.into());
                    decided.push(assignment);
                }
                // Nobody can take this queue's head now; its later chats must not overtake it.
                None if !state.avoid.contains_key(&chat) => {
                    blocked.insert(queue);
                }
                // Only the agent it left could take it: the chats behind it may still go.
                None => {}
            }
        }
        (decided, state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn agent(n: u128) -> UserId {
        UserId::from_uuid(Uuid::from_u128(n))
    }
    fn queue(n: u128) -> QueueId {
        QueueId::from_uuid(Uuid::from_u128(1000 + n))
    }
    fn chat(n: u128) -> ChatId {
        ChatId::from_uuid(Uuid::from_u128(100_000 + n))
    }

    fn given(facts: &[RoutingFact]) -> RoutingState {
        facts.iter().fold(RoutingState::default(), |state, fact| state.evolve(fact))
    }

    fn ready(a: u128, q: u128, capacity: u32) -> Vec<RoutingFact> {
        vec![
            RoutingFact::AgentJoinedQueue { agent: agent(a), queue: queue(q) },
            RoutingFact::CapacitySet { agent: agent(a), capacity },
            RoutingFact::AgentOnline { agent: agent(a) },
        ]
    }

    /// Applies facts one by one, routing after each, as the server does.
    fn run(facts: &[RoutingFact]) -> (RoutingState, Vec<Assignment>) {
        let mut state = RoutingState::default();
        let mut all = Vec::new();
        for fact in facts {
            state = state.evolve(fact);
            for assignment in state.next_assignments() {
                state = state.evolve(&assignment.into());
                all.push(assignment);
            }
        }
        (state, all)
    }

    #[test]
    fn a_chat_goes_to_an_available_member() {
        let mut facts = ready(1, 1, 2);
        facts.push(RoutingFact::ChatWaiting { chat: chat(1), queue: queue(1) });
        assert_eq!(
            given(&facts).next_assignments(),
            vec![Assignment { chat: chat(1), agent: agent(1), queue: queue(1) }]
        );
    }

    #[test]
    fn members_take_turns_continuing_after_the_last_served() {
        let mut facts = [ready(1, 1, 9), ready(2, 1, 9), ready(3, 1, 9)].concat();
        facts.extend((1..=5).map(|n| RoutingFact::ChatWaiting { chat: chat(n), queue: queue(1) }));
        let (_, assignments) = run(&facts);
        let order: Vec<UserId> = assignments.iter().map(|a| a.agent).collect();
        assert_eq!(order, vec![agent(1), agent(2), agent(3), agent(1), agent(2)]);
    }

    #[test]
    fn paused_offline_and_full_agents_get_nothing() {
        let mut facts = [ready(1, 1, 1), ready(2, 1, 5), ready(3, 1, 5)].concat();
        facts.push(RoutingFact::AgentPaused { agent: agent(2) });
        facts.push(RoutingFact::AgentOffline { agent: agent(3) });
        facts.push(RoutingFact::ChatWaiting { chat: chat(1), queue: queue(1) });
        facts.push(RoutingFact::ChatWaiting { chat: chat(2), queue: queue(1) });
        let (state, assignments) = run(&facts);
        assert_eq!(assignments, vec![Assignment { chat: chat(1), agent: agent(1), queue: queue(1) }]);
        assert_eq!(state.waiting_in(queue(1)), vec![chat(2)]);
        assert_eq!(state.position_of(chat(2)), Some(1));
    }

    #[test]
    fn a_waiting_chat_is_assigned_the_moment_an_agent_frees_capacity() {
        let mut facts = ready(1, 1, 1);
        facts.push(RoutingFact::ChatWaiting { chat: chat(1), queue: queue(1) });
        facts.push(RoutingFact::ChatWaiting { chat: chat(2), queue: queue(1) });
        facts.push(RoutingFact::ChatReleased { chat: chat(1) });
        let (_, assignments) = run(&facts);
        assert_eq!(assignments.last(), Some(&Assignment { chat: chat(2), agent: agent(1), queue: queue(1) }));
    }

    #[test]
    fn chats_that_found_nobody_wait_in_order_and_go_when_an_agent_comes_online() {
        let mut facts: Vec<RoutingFact> =
            (1..=3).map(|n| RoutingFact::ChatWaiting { chat: chat(n), queue: queue(1) }).collect();
        facts.push(RoutingFact::AgentJoinedQueue { agent: agent(1), queue: queue(1) });
        facts.push(RoutingFact::CapacitySet { agent: agent(1), capacity: 2 });
        let (state, none) = run(&facts);
        assert!(none.is_empty());
        assert_eq!(state.position_of(chat(3)), Some(3));
        facts.push(RoutingFact::AgentOnline { agent: agent(1) });
        let (state, assignments) = run(&facts);
        assert_eq!(assignments.iter().map(|a| a.chat).collect::<Vec<_>>(), vec![chat(1), chat(2)]);
        assert_eq!(state.position_of(chat(3)), Some(1));
        assert_eq!(state.waiting_positions(), vec![(chat(3), queue(1), 1)]);
    }

    #[test]
    fn the_longest_waiting_chat_goes_first_across_queues() {
        let mut facts = vec![
            RoutingFact::AgentJoinedQueue { agent: agent(1), queue: queue(1) },
            RoutingFact::AgentJoinedQueue { agent: agent(1), queue: queue(2) },
            RoutingFact::CapacitySet { agent: agent(1), capacity: 1 },
            RoutingFact::ChatWaiting { chat: chat(1), queue: queue(2) },
            RoutingFact::ChatWaiting { chat: chat(2), queue: queue(1) },
        ];
        facts.push(RoutingFact::AgentOnline { agent: agent(1) });
        let (_, assignments) = run(&facts);
        assert_eq!(assignments, vec![Assignment { chat: chat(1), agent: agent(1), queue: queue(2) }]);
    }

    #[test]
    fn a_chat_its_agent_missed_goes_to_another_member_and_never_back() {
        let mut facts = [ready(1, 1, 5), ready(2, 1, 5)].concat();
        facts.push(RoutingFact::ChatWaiting { chat: chat(1), queue: queue(1) });
        let (state, first) = run(&facts);
        assert_eq!(first[0].agent, agent(1));
        assert!(state.someone_else_can_take(queue(1), agent(1)));
        facts.push(RoutingFact::AgentOffline { agent: agent(2) });
        facts.push(RoutingFact::ChatMissedBy { chat: chat(1), agent: agent(1) });
        facts.push(RoutingFact::ChatWaiting { chat: chat(1), queue: queue(1) });
        let (state, _) = run(&facts);
        assert_eq!(state.assignee_of(chat(1)), None, "agent 1 missed it and agent 2 is away: it waits");
        facts.push(RoutingFact::AgentOnline { agent: agent(2) });
        let (state, _) = run(&facts);
        assert_eq!(state.assignee_of(chat(1)), Some(agent(2)));
    }

    #[test]
    fn a_contacts_own_agent_gets_the_chat_even_when_away_but_within_capacity() {
        let mut facts = [ready(1, 1, 1), ready(2, 1, 5)].concat();
        facts.push(RoutingFact::AgentOffline { agent: agent(1) });
        facts.push(RoutingFact::ChatOwnedBy { chat: chat(1), agent: Some(agent(1)) });
        facts.push(RoutingFact::ChatWaiting { chat: chat(1), queue: queue(1) });
        facts.push(RoutingFact::ChatOwnedBy { chat: chat(2), agent: Some(agent(1)) });
        facts.push(RoutingFact::ChatWaiting { chat: chat(2), queue: queue(1) });
        facts.push(RoutingFact::ChatWaiting { chat: chat(3), queue: queue(1) });
        let (state, _) = run(&facts);
        assert_eq!(state.assignee_of(chat(1)), Some(agent(1)), "offline, and still theirs");
        assert_eq!(state.assignee_of(chat(2)), None, "but never beyond capacity");
        assert_eq!(state.assignee_of(chat(3)), Some(agent(2)), "an owned chat waiting holds up nobody");
    }

    #[test]
    fn a_chat_waiting_again_leaves_its_agent() {
        let mut facts = ready(1, 1, 1);
        facts.push(RoutingFact::ChatWaiting { chat: chat(1), queue: queue(1) });
        let (state, _) = run(&facts);
        assert_eq!(state.assignee_of(chat(1)), Some(agent(1)));
        let state = state.evolve(&RoutingFact::AgentOffline { agent: agent(1) });
        let state = state.evolve(&RoutingFact::ChatWaiting { chat: chat(1), queue: queue(1) });
        assert_eq!(state.assignee_of(chat(1)), None);
        assert!(state.agent(agent(1)).unwrap().active.is_empty());
    }
}
