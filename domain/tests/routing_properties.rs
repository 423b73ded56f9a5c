//! Routing invariants over random interleavings of presence changes, memberships, capacity
//! changes, arrivals, resolutions and transfers.

use domain::ids::{ChatId, QueueId, UserId};
use domain::routing::{Assignment, RoutingFact, RoutingState};
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

const AGENTS: u128 = 5;
const QUEUES: u128 = 3;

fn agent(n: u128) -> UserId {
    UserId::from_uuid(Uuid::from_u128(n + 1))
}
fn queue(n: u128) -> QueueId {
    QueueId::from_uuid(Uuid::from_u128(1_000 + n))
}

#[derive(Clone, Debug)]
enum Step {
    Online(u128),
    Offline(u128),
    Pause(u128),
    Resume(u128),
    Join(u128, u128),
    Leave(u128, u128),
    Capacity(u128, u32),
    Arrive(u128),
    Resolve(usize),
    Transfer(usize, u128),
}

fn step() -> impl Strategy<Value = Step> {
    let a = 0..AGENTS;
    let q = 0..QUEUES;
    prop_oneof![
        a.clone().prop_map(Step::Online),
        a.clone().prop_map(Step::Offline),
        a.clone().prop_map(Step::Pause),
        a.clone().prop_map(Step::Resume),
        (a.clone(), q.clone()).prop_map(|(a, q)| Step::Join(a, q)),
        (a.clone(), q.clone()).prop_map(|(a, q)| Step::Leave(a, q)),
        (a, 0u32..4).prop_map(|(a, c)| Step::Capacity(a, c)),
        q.clone().prop_map(Step::Arrive),
        q.clone().prop_map(Step::Arrive),
        any::<usize>().prop_map(Step::Resolve),
        (any::<usize>(), q).prop_map(|(c, q)| Step::Transfer(c, q)),
    ]
}

/// Checks an assignment against the state it is made in.
fn check_assignment(state: &RoutingState, assignment: &Assignment) -> Result<(), TestCaseError> {
    let load = state.agent(assignment.agent).expect("the assignee is known");
    prop_assert!(load.online, "assigned to an offline agent");
    prop_assert!(!load.paused, "assigned to a paused agent");
    prop_assert!((load.active.len() as u32) < load.capacity, "assigned beyond capacity");
    prop_assert!(state.is_member(assignment.agent, assignment.queue), "assigned to a non-member");
    prop_assert!(state.waiting_in(assignment.queue).contains(&assignment.chat), "assigned a chat that was not waiting");
    prop_assert_eq!(state.assignee_of(assignment.chat), None, "a chat assigned twice");
    Ok(())
}

fn check_state(state: &RoutingState) -> Result<(), TestCaseError> {
    let mut holders: BTreeMap<ChatId, UserId> = BTreeMap::new();
    for n in 0..AGENTS {
        if let Some(load) = state.agent(agent(n)) {
            for chat in &load.active {
                prop_assert!(holders.insert(*chat, agent(n)).is_none(), "one chat in two agents' loads");
                prop_assert_eq!(state.assignee_of(*chat), Some(agent(n)));
            }
        }
    }
    for q in 0..QUEUES {
        let waiting = state.waiting_in(queue(q));
        for chat in &waiting {
            prop_assert!(!holders.contains_key(chat), "a chat both waiting and assigned");
        }
        if !waiting.is_empty() {
            for n in 0..AGENTS {
                let available = state.agent(agent(n)).is_some_and(|l| l.can_take_a_chat());
                prop_assert!(
                    !(available && state.is_member(agent(n), queue(q))),
                    "a chat waits while a member of its queue is available"
                );
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn routing_keeps_its_invariants_under_any_interleaving(steps in proptest::collection::vec(step(), 1..120)) {
        let mut state = RoutingState::default();
        let mut chats: Vec<ChatId> = Vec::new();
        let mut open: BTreeSet<ChatId> = BTreeSet::new();
        for step in steps {
            let fact = match step {
                Step::Online(a) => RoutingFact::AgentOnline { agent: agent(a) },
                Step::Offline(a) => RoutingFact::AgentOffline { agent: agent(a) },
                Step::Pause(a) => RoutingFact::AgentPaused { agent: agent(a) },
                Step::Resume(a) => RoutingFact::AgentResumed { agent: agent(a) },
                Step::Join(a, q) => RoutingFact::AgentJoinedQueue { agent: agent(a), queue: queue(q) },
                Step::Leave(a, q) => RoutingFact::AgentLeftQueue { agent: agent(a), queue: queue(q) },
                Step::Capacity(a, c) => RoutingFact::CapacitySet { agent: agent(a), capacity: c },
                Step::Arrive(q) => {
                    let chat = ChatId::from_uuid(Uuid::from_u128(100_000 + chats.len() as u128));
                    chats.push(chat);
                    open.insert(chat);
                    RoutingFact::ChatWaiting { chat, queue: queue(q) }
                }
                Step::Resolve(i) if !open.is_empty() => {
                    let chat = *open.iter().nth(i % open.len()).unwrap();
                    open.remove(&chat);
                    RoutingFact::ChatReleased { chat }
                }
                Step::Transfer(i, q) if !open.is_empty() => {
                    let chat = *open.iter().nth(i % open.len()).unwrap();
                    RoutingFact::ChatWaiting { chat, queue: queue(q) }
                }
                Step::Resolve(_) | Step::Transfer(..) => continue,
            };
            state = state.evolve(&fact);
            for assignment in state.next_assignments() {
                check_assignment(&state, &assignment)?;
                state = state.evolve(&assignment.into());
            }
            check_state(&state)?;
        }
    }

    #[test]
    fn agents_available_all_along_with_equal_capacity_get_counts_within_one(
        agents in 2u128..=AGENTS,
        work in proptest::collection::vec((any::<bool>(), any::<usize>()), 0..200),
    ) {
        let mut state = RoutingState::default();
        for n in 0..agents {
            for fact in [
                RoutingFact::AgentJoinedQueue { agent: agent(n), queue: queue(0) },
                RoutingFact::CapacitySet { agent: agent(n), capacity: 1_000 },
                RoutingFact::AgentOnline { agent: agent(n) },
            ] {
                state = state.evolve(&fact);
            }
        }
        let mut counts: BTreeMap<UserId, usize> = (0..agents).map(|n| (agent(n), 0)).collect();
        let mut open: Vec<ChatId> = Vec::new();
        for (index, (arrives, pick)) in work.into_iter().enumerate() {
            let fact = if arrives || open.is_empty() {
                let chat = ChatId::from_uuid(Uuid::from_u128(500_000 + index as u128));
                open.push(chat);
                RoutingFact::ChatWaiting { chat, queue: queue(0) }
            } else {
                RoutingFact::ChatReleased { chat: open.remove(pick % open.len()) }
            };
            state = state.evolve(&fact);
            for assignment in state.next_assignments() {
                *counts.get_mut(&assignment.agent).unwrap() += 1;
                state = state.evolve(&assignment.into());
            }
        }
        let most = counts.values().max().copied().unwrap_or(0);
        let least = counts.values().min().copied().unwrap_or(0);
        prop_assert!(most - least <= 1, "counts {:?}", counts);
    }
}
