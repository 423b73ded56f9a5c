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
use std::collections::{BTreeMap, BTreeSet, HashMap};

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
    /// Back with the bot within its conversation: it no longer counts against capacity, and an
    /// agent who missed it is still not given it again (not even the contact's own agent).
    ChatWithTheBot {
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
    /// Each queue's line: its waiting chats by arrival. Arrivals are counted across queues, so
    /// they also say which of two queues' chats has waited longer.
    lines: BTreeMap<QueueId, BTreeMap<u64, ChatId>>,
    /// Each waiting chat's arrival and queue.
    arrival_of: BTreeMap<ChatId, (u64, QueueId)>,
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
        self.lines.get(&queue).map(|line| line.values().copied().collect()).unwrap_or_default()
    }

    /// Every queue with someone waiting.
    pub fn queues_with_waiting_chats(&self) -> impl Iterator<Item = QueueId> + '_ {
        self.lines.keys().copied()
    }

    /// The queue a chat waits in, if it waits.
    pub fn queue_waited_in(&self, chat: ChatId) -> Option<QueueId> {
        self.arrival_of.get(&chat).map(|(_, queue)| *queue)
    }

    /// A chat's place in its queue's line, from 1. Counted from the back: the chats asked about
    /// most are those that just joined.
    pub fn position_of(&self, chat: ChatId) -> Option<usize> {
        let (arrival, queue) = self.arrival_of.get(&chat)?;
        let line = self.lines.get(queue)?;
        Some(line.len() + 1 - line.range(*arrival..).count())
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
                self.lines.entry(*queue).or_default().insert(self.arrivals, *chat);
                self.arrival_of.insert(*chat, (self.arrivals, *queue));
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
            RoutingFact::ChatWithTheBot { chat } => self.release(*chat),
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
        if let Some((arrival, queue)) = self.arrival_of.remove(&chat) {
            if let Some(line) = self.lines.get_mut(&queue) {
                line.remove(&arrival);
                if line.is_empty() {
                    self.lines.remove(&queue);
                }
            }
        }
        if let Some(agent) = self.assigned_to.remove(&chat) {
            if let Some(load) = self.agents.get_mut(&agent) {
                load.active.remove(&chat);
            }
        }
    }

    /// Whether a member of `queue` other than `agent` could take a chat now.
    pub fn someone_else_can_take(&self, queue: QueueId, agent: UserId) -> bool {
        Plan::new(self).next_in_turn(queue, Some(agent)).is_some()
    }

    /// Every assignment that can be made now, the longest-waiting chat first. Applying them (as
    /// `ChatAssigned` facts) leaves no chat waiting that an available member could take.
    pub fn next_assignments(&self) -> Vec<Assignment> {
        let mut plan = Plan::new(self);
        let mut blocked: BTreeSet<QueueId> = BTreeSet::new();
        for (chat, queue) in self.candidates().into_values() {
            // A contact's own agent takes their chat whether present or not, while under capacity;
            // such a chat never holds up its queue.
            let owner = self.owners.get(&chat).copied().filter(|owner| self.avoid.get(&chat) != Some(owner));
            if let Some(owner) = owner {
                if plan.has_room(owner) {
                    plan.assign(Assignment { chat, agent: owner, queue });
                }
                continue;
            }
            if blocked.contains(&queue) {
                continue;
            }
            match plan.next_in_turn(queue, self.avoid.get(&chat).copied()) {
                Some(agent) => plan.assign(Assignment { chat, agent, queue }),
                // Nobody can take this queue's head now; its later chats must not overtake it.
                None if !self.avoid.contains_key(&chat) => {
                    blocked.insert(queue);
                }
                // Only the agent it left could take it: the chats behind it may still go.
                None => {}
            }
        }
        plan.decided
    }

    /// The waiting chats that might be assigned now, by arrival: every chat with an own agent,
    /// and the head of each line as far as its available members have room. A chat further back
    /// could only be reached once that room is used up or its line is held up, so a plan over
    /// these decides what a plan over every waiting chat would — without reading a long backlog.
    fn candidates(&self) -> BTreeMap<u64, (ChatId, QueueId)> {
        let mut found = BTreeMap::new();
        let owned_and_waiting: Vec<ChatId> = if self.owners.len() < self.arrival_of.len() {
            self.owners.keys().filter(|chat| self.arrival_of.contains_key(chat)).copied().collect()
        } else {
            self.arrival_of.keys().filter(|chat| self.owners.contains_key(chat)).copied().collect()
        };
        for chat in owned_and_waiting {
            if let Some((arrival, queue)) = self.arrival_of.get(&chat) {
                found.insert(*arrival, (chat, *queue));
            }
        }
        for (queue, line) in &self.lines {
            let mut room = self.room_in(*queue);
            for (arrival, chat) in line {
                if room == 0 {
                    break;
                }
                found.insert(*arrival, (*chat, *queue));
                if !self.owners.contains_key(chat) && !self.avoid.contains_key(chat) {
                    room -= 1;
                }
            }
        }
        found
    }

    /// How many more chats the available members of `queue` can take between them.
    fn room_in(&self, queue: QueueId) -> u64 {
        let Some(turns) = self.queues.get(&queue) else { return 0 };
        turns
            .members
            .iter()
            .filter_map(|member| self.agents.get(member))
            .filter(|load| load.can_take_a_chat())
            .map(|load| u64::from(load.capacity).saturating_sub(load.active.len() as u64))
            .sum()
    }
}

/// One planning pass: the routing state, and what the assignments decided so far change in it.
struct Plan<'a> {
    state: &'a RoutingState,
    taken: HashMap<UserId, u64>,
    last_served: HashMap<QueueId, UserId>,
    decided: Vec<Assignment>,
}

impl<'a> Plan<'a> {
    fn new(state: &'a RoutingState) -> Self {
        Self { state, taken: HashMap::new(), last_served: HashMap::new(), decided: Vec::new() }
    }

    fn has_room(&self, agent: UserId) -> bool {
        let taken = self.taken.get(&agent).copied().unwrap_or(0);
        self.state.agents.get(&agent).is_some_and(|load| load.active.len() as u64 + taken < u64::from(load.capacity))
    }

    fn can_take(&self, agent: UserId) -> bool {
        self.state.agents.get(&agent).is_some_and(|load| load.online && !load.paused) && self.has_room(agent)
    }

    /// The next member of `queue` whose turn it is and who can take a chat, other than `except`.
    fn next_in_turn(&self, queue: QueueId, except: Option<UserId>) -> Option<UserId> {
        let turns = self.state.queues.get(&queue)?;
        let last = self.last_served.get(&queue).copied().or(turns.last_served);
        let start = last.and_then(|last| turns.members.iter().position(|m| *m == last)).map_or(0, |i| i + 1);
        let count = turns.members.len();
        (0..count)
            .map(|offset| turns.members[(start + offset) % count])
            .find(|member| Some(*member) != except && self.can_take(*member))
    }

    fn assign(&mut self, assignment: Assignment) {
        *self.taken.entry(assignment.agent).or_default() += 1;
        self.last_served.insert(assignment.queue, assignment.agent);
        self.decided.push(assignment);
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
        assert_eq!(state.waiting_in(queue(1)), vec![chat(3)]);
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
    fn a_chat_back_with_the_bot_after_its_own_agent_went_away_goes_to_someone_else() {
        let mut facts = [ready(1, 1, 5), ready(2, 1, 5)].concat();
        facts.push(RoutingFact::ChatOwnedBy { chat: chat(1), agent: Some(agent(1)) });
        facts.push(RoutingFact::ChatAssigned { chat: chat(1), agent: agent(1), queue: queue(1) });
        facts.push(RoutingFact::AgentOffline { agent: agent(1) });
        facts.push(RoutingFact::ChatMissedBy { chat: chat(1), agent: agent(1) });
        facts.push(RoutingFact::ChatWithTheBot { chat: chat(1) });
        facts.push(RoutingFact::ChatWaiting { chat: chat(1), queue: queue(1) });
        let (state, _) = run(&facts);
        assert_eq!(state.assignee_of(chat(1)), Some(agent(2)), "the customer asked for another agent");
    }

    /// The routing rules read plainly: every waiting chat in arrival order, each assignment
    /// applied to a copy of the state before the next. Slow on a long backlog; the yardstick for
    /// the planner that reads only the heads of the lines.
    fn plan_over_every_waiting_chat(state: &RoutingState) -> Vec<Assignment> {
        let mut state = state.clone();
        let mut decided = Vec::new();
        let mut blocked = BTreeSet::new();
        let mut waiting: Vec<(u64, ChatId, QueueId)> =
            state.arrival_of.iter().map(|(chat, (arrival, queue))| (*arrival, *chat, *queue)).collect();
        waiting.sort();
        for (_, chat, queue) in waiting {
            let avoided = state.avoid.get(&chat).copied();
            let has_room = |state: &RoutingState, agent: UserId| {
                state.agents.get(&agent).is_some_and(|l| (l.active.len() as u64) < u64::from(l.capacity))
            };
            let chosen = match state.owners.get(&chat).copied().filter(|owner| avoided != Some(*owner)) {
                Some(owner) if has_room(&state, owner) => Some(owner),
                Some(_) => continue,
                None if blocked.contains(&queue) => continue,
                None => {
                    let turns = state.queues.get(&queue).cloned().unwrap_or_default();
                    let start = turns
                        .last_served
                        .and_then(|last| turns.members.iter().position(|m| *m == last))
                        .map_or(0, |i| i + 1);
                    let next = (0..turns.members.len())
                        .map(|offset| turns.members[(start + offset) % turns.members.len()])
                        .find(|m| Some(*m) != avoided && state.agents.get(m).is_some_and(AgentLoad::can_take_a_chat));
                    if next.is_none() && avoided.is_none() {
                        blocked.insert(queue);
                    }
                    next
                }
            };
            if let Some(agent) = chosen {
                let assignment = Assignment { chat, agent, queue };
                state = state.evolve(&assignment.into());
                decided.push(assignment);
            }
        }
        decided
    }

    fn any_fact() -> impl proptest::strategy::Strategy<Value = RoutingFact> {
        use proptest::prelude::*;
        let a = (0u128..4).prop_map(agent);
        let q = (0u128..3).prop_map(queue);
        let c = (0u128..12).prop_map(chat);
        prop_oneof![
            (a.clone(), q.clone()).prop_map(|(agent, queue)| RoutingFact::AgentJoinedQueue { agent, queue }),
            (a.clone(), q.clone()).prop_map(|(agent, queue)| RoutingFact::AgentLeftQueue { agent, queue }),
            (a.clone(), 0u32..4).prop_map(|(agent, capacity)| RoutingFact::CapacitySet { agent, capacity }),
            a.clone().prop_map(|agent| RoutingFact::AgentOnline { agent }),
            a.clone().prop_map(|agent| RoutingFact::AgentOffline { agent }),
            a.clone().prop_map(|agent| RoutingFact::AgentPaused { agent }),
            a.clone().prop_map(|agent| RoutingFact::AgentResumed { agent }),
            (c.clone(), q.clone()).prop_map(|(chat, queue)| RoutingFact::ChatWaiting { chat, queue }),
            (c.clone(), q).prop_map(|(chat, queue)| RoutingFact::ChatWaiting { chat, queue }),
            c.clone().prop_map(|chat| RoutingFact::ChatReleased { chat }),
            c.clone().prop_map(|chat| RoutingFact::ChatWithTheBot { chat }),
            (c.clone(), proptest::option::of(a.clone()))
                .prop_map(|(chat, agent)| RoutingFact::ChatOwnedBy { chat, agent }),
            (c, a).prop_map(|(chat, agent)| RoutingFact::ChatMissedBy { chat, agent }),
        ]
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

        #[test]
        fn the_planner_decides_what_reading_every_waiting_chat_decides(
            facts in proptest::collection::vec(any_fact(), 1..150),
            assign_after_each in proptest::bool::ANY,
        ) {
            let mut state = RoutingState::default();
            for fact in &facts {
                state = state.evolve(fact);
                let planned = state.next_assignments();
                proptest::prop_assert_eq!(&planned, &plan_over_every_waiting_chat(&state));
                if assign_after_each {
                    for assignment in planned {
                        state = state.evolve(&assignment.into());
                    }
                }
            }
        }
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
