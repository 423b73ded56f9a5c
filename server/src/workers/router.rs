//! The router (R4, G2, G21): a process manager that folds the log into each company's routing
//! state and, on the node that leads, appends the assignments it decides and tells waiting
//! customers their place in line.
//!
//! It keeps the states of the chats and agents it may write to, so it decides with the aggregates'
//! own rules and appends after the exact revision it folded: an assignment racing with a pause,
//! a disconnection or another assignment fails and is decided again on fresher facts.

use crate::clock::{machine_time, Clock};
use crate::error::AppError;
use crate::metrics::Metrics;
use crate::workers::follower::Follower;
use crate::workers::leader::Leadership;
use crate::write::command::{commit, CommandContext, CommitError, Decided};
use chrono::{DateTime, Utc};
use domain::agent::{Agent, AgentCommand, AgentEvent, AgentState, DEFAULT_CAPACITY};
use domain::chat::{Chat, ChatCommand, ChatEvent, ChatState};
use domain::contact::{Account, ContactEvent, ContactOwner};
use domain::decider::Decider;
use domain::event::decode;
use domain::ids::{ChatId, CompanyId, ContactId, LineId, QueueId, UserId};
use domain::line::{line_queue, LineEvent, OfflinePolicy};
use domain::menu::Menu;
use domain::queue::{personal_queue, QueueEvent, QueueSettings};
use domain::routing::{Assignment, RoutingFact, RoutingState};
use domain::user::{Role, UserEvent};
use eventlog::{EventLog, EventLogError, ExpectedRevision, Position, RecordedEvent};
use projections::ReadStore;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;
use uuid::Uuid;

/// Assignments appended in one transaction.
const ASSIGNMENTS_PER_COMMIT: usize = 200;
/// Customers hear their new place in line once it stops moving, never in the middle of a burst of
/// assignments (they would hear every step of it), but at the latest this long after it moved.
const POSITIONS_HELD_AT_MOST: chrono::Duration = chrono::Duration::seconds(10);

/// An event as the router folds it: from the log, or just appended by the router itself.
struct Fact<'a> {
    stream: &'a str,
    revision: u64,
    event_type: &'a str,
    metadata: &'a eventlog::Metadata,
    data: &'a serde_json::Value,
}

/// An aggregate's state as of a revision of its stream.
struct Tracked<S> {
    state: S,
    revision: u64,
}

impl<S> Tracked<S> {
    fn expected(&self) -> ExpectedRevision {
        ExpectedRevision::Exact(self.revision)
    }
}

/// How a queue's line changed since its customers were last told their places.
#[derive(Default)]
struct LineChange {
    /// Someone left it: every place behind them moved.
    someone_left: bool,
    /// Chats that joined at the back: unless someone left, only they need telling.
    joined: Vec<ChatId>,
}

/// Everything the router has learnt from the log.
#[derive(Default)]
pub struct Books {
    routing: HashMap<CompanyId, RoutingState>,
    chats: HashMap<ChatId, Tracked<ChatState>>,
    agents: HashMap<UserId, Tracked<AgentState>>,
    deactivated: HashSet<UserId>,
    line_agents: HashMap<LineId, Vec<UserId>>,
    /// The last place in line each waiting chat was told.
    told: HashMap<ChatId, u32>,
    queue_settings: HashMap<QueueId, QueueSettings>,
    /// When each assigned chat's agent must have answered by.
    deadlines: HashMap<ChatId, DateTime<Utc>>,
    offline_policies: HashMap<LineId, OfflinePolicy>,
    /// The menus of lines that have one, for the bot's question when an agent goes away (G6)
    /// and its timers (M7, M8).
    line_menus: HashMap<LineId, Menu>,
    /// When the bot next acts on its own for each chat it has.
    menu_timers: HashMap<ChatId, DateTime<Utc>>,
    company_of_agent: HashMap<UserId, CompanyId>,
    /// Queues whose line changed since their customers were last told their places.
    lines_moved: HashMap<CompanyId, BTreeMap<QueueId, LineChange>>,
    /// Since when each company's new places have waited for its lines to stop moving.
    positions_held_since: HashMap<CompanyId, DateTime<Utc>>,
    /// Companies with news since the router last acted.
    dirty: BTreeSet<CompanyId>,
    /// Contacts' own agents (K6) reach their chats on every line through the chats' accounts.
    owners: ContactOwners,
    /// Chats that started waiting on their line's queue though their contact is looked after by a
    /// group (K6): each is to move to the group's queue (line's queue, group's queue).
    to_group: HashMap<ChatId, (CompanyId, QueueId, QueueId)>,
}

/// Whose chats each contact's own agent gets (K6, R7), by account: `company/channel:id`.
#[derive(Default)]
struct ContactOwners {
    chats_of_account: HashMap<String, Vec<ChatId>>,
    contact_of_account: HashMap<String, ContactId>,
    agent_of_contact: HashMap<ContactId, UserId>,
    /// Contacts looked after by a group of agents (a queue): their new conversations wait there.
    group_of_contact: HashMap<ContactId, QueueId>,
    account_of_chat: HashMap<ChatId, String>,
    /// Chats given their own agent one by one: that choice outranks the contact's.
    chosen_per_chat: HashSet<ChatId>,
    /// Chats transferred and not yet queued again: a transfer's queue is not the group's to change.
    transferred: HashSet<ChatId>,
}

impl ContactOwners {
    fn key(company: CompanyId, account: &Account) -> String {
        format!("{company}/{}", account.key())
    }

    /// The facts that give each chat of `account` its contact's own agent now.
    fn facts_for(&self, account: &str) -> Vec<RoutingFact> {
        let agent =
            self.contact_of_account.get(account).and_then(|contact| self.agent_of_contact.get(contact)).copied();
        self.chats_of_account
            .get(account)
            .into_iter()
            .flatten()
            .filter(|chat| !self.chosen_per_chat.contains(chat))
            .map(|chat| RoutingFact::ChatOwnedBy { chat: *chat, agent })
            .collect()
    }

    /// The group looking after the chat's contact, if it has one.
    fn group_of_chat(&self, chat: ChatId) -> Option<QueueId> {
        let account = self.account_of_chat.get(&chat)?;
        self.group_of_contact.get(self.contact_of_account.get(account)?).copied()
    }

    /// Folds a contact's event; answers the accounts whose chats' owner may have changed.
    fn learn(&mut self, company: CompanyId, event: &ContactEvent) -> Vec<String> {
        let key = |account: &Account| Self::key(company, account);
        let mut link = |contact: ContactId, accounts: Vec<&Account>| {
            accounts
                .into_iter()
                .map(|account| {
                    self.contact_of_account.insert(key(account), contact);
                    key(account)
                })
                .collect::<Vec<_>>()
        };
        match event {
            ContactEvent::AccountAdded { contact_id, account, .. } => link(*contact_id, vec![account]),
            ContactEvent::Absorbed { contact_id, accounts, .. }
            | ContactEvent::Restored { contact_id, accounts, .. } => {
                link(*contact_id, accounts.iter().map(|r| &r.account).collect())
            }
            ContactEvent::AccountRemoved { account, .. } => {
                self.contact_of_account.remove(&key(account));
                vec![key(account)]
            }
            ContactEvent::OwnerSet { contact_id, owner } => {
                self.agent_of_contact.remove(contact_id);
                self.group_of_contact.remove(contact_id);
                match owner {
                    Some(ContactOwner::Agent(agent)) => {
                        self.agent_of_contact.insert(*contact_id, *agent);
                    }
                    Some(ContactOwner::Group(queue)) => {
                        self.group_of_contact.insert(*contact_id, *queue);
                    }
                    None => {}
                }
                self.contact_of_account.iter().filter(|(_, c)| *c == contact_id).map(|(a, _)| a.clone()).collect()
            }
            _ => vec![],
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RouterError {
    #[error(transparent)]
    Log(#[from] EventLogError),
    #[error(transparent)]
    App(#[from] AppError),
}

impl Books {
    fn fact(&mut self, company: CompanyId, fact: RoutingFact) {
        let state = self.routing.remove(&company).unwrap_or_default();
        let (left, joined) = match &fact {
            RoutingFact::ChatWaiting { chat, queue } => (state.queue_waited_in(*chat), Some((*queue, *chat))),
            RoutingFact::ChatAssigned { chat, .. }
            | RoutingFact::ChatReleased { chat }
            | RoutingFact::ChatWithTheBot { chat } => (state.queue_waited_in(*chat), None),
            _ => (None, None),
        };
        let moved = self.lines_moved.entry(company).or_default();
        if let Some(queue) = left {
            moved.entry(queue).or_default().someone_left = true;
        }
        if let Some((queue, chat)) = joined {
            moved.entry(queue).or_default().joined.push(chat);
        }
        self.routing.insert(company, state.evolve(&fact));
        self.dirty.insert(company);
    }

    /// Whether the router already holds this event (it appended it itself and folded it then).
    fn holds(&self, event: &Fact<'_>) -> bool {
        let known = if let Some(id) = event.stream.strip_prefix("chat-") {
            id.parse().ok().and_then(|id: ChatId| self.chats.get(&id)).map(|t| t.revision)
        } else if let Some(id) = event.stream.strip_prefix("agent-") {
            id.parse().ok().and_then(|id: UserId| self.agents.get(&id)).map(|t| t.revision)
        } else {
            None
        };
        known.is_some_and(|revision| event.revision <= revision)
    }

    /// Folds one event of the log.
    pub fn learn(&mut self, event: &RecordedEvent) -> Result<(), RouterError> {
        self.learn_fact(&Fact {
            stream: &event.stream,
            revision: event.revision,
            event_type: &event.event_type,
            metadata: &event.metadata,
            data: &event.data,
        })
    }

    /// Folds what this router has just appended, before the log brings it back, so that its next
    /// decisions start from them.
    fn learn_own(&mut self, transaction: &[Decided]) -> Result<(), RouterError> {
        for decided in transaction {
            let Some(first) = decided.first_revision() else { continue };
            for (offset, event) in decided.events().iter().enumerate() {
                self.learn_fact(&Fact {
                    stream: decided.stream(),
                    revision: first + offset as u64,
                    event_type: &event.event_type,
                    metadata: &event.metadata,
                    data: &event.data,
                })?;
            }
        }
        Ok(())
    }

    fn learn_fact(&mut self, event: &Fact<'_>) -> Result<(), RouterError> {
        if self.holds(event) {
            return Ok(());
        }
        let company = CompanyId::from_uuid(event.metadata.company_id);
        let version = event.metadata.schema_version;
        match event.event_type {
            // Every event of a chat moves its revision, which the router's appends expect.
            _ if event.stream.starts_with("chat-") => {
                let chat_event = decode::<ChatEvent>(event.event_type, version, event.data).map_err(AppError::from)?;
                self.learn_chat(company, event.revision, &chat_event);
            }
            ContactEvent::ACCOUNT_ADDED
            | ContactEvent::ABSORBED
            | ContactEvent::RESTORED
            | ContactEvent::ACCOUNT_REMOVED
            | ContactEvent::OWNER_SET => {
                let contact_event =
                    decode::<ContactEvent>(event.event_type, version, event.data).map_err(AppError::from)?;
                for account in self.owners.learn(company, &contact_event) {
                    for fact in self.owners.facts_for(&account) {
                        self.fact(company, fact);
                    }
                }
            }
            AgentEvent::CAPACITY_SET
            | AgentEvent::PAUSED
            | AgentEvent::RESUMED
            | AgentEvent::CAME_ONLINE
            | AgentEvent::WENT_OFFLINE
            | AgentEvent::RECEIVED_CHAT => {
                let agent_event =
                    decode::<AgentEvent>(event.event_type, version, event.data).map_err(AppError::from)?;
                self.learn_agent(company, event.revision, &agent_event);
            }
            QueueEvent::AGENT_ADDED | QueueEvent::AGENT_REMOVED | QueueEvent::SETTINGS_CHANGED => {
                match decode::<QueueEvent>(event.event_type, version, event.data).map_err(AppError::from)? {
                    QueueEvent::AgentAdded { queue_id, agent } => {
                        self.fact(company, RoutingFact::AgentJoinedQueue { agent, queue: queue_id })
                    }
                    QueueEvent::AgentRemoved { queue_id, agent } => {
                        self.fact(company, RoutingFact::AgentLeftQueue { agent, queue: queue_id })
                    }
                    QueueEvent::SettingsChanged { queue_id, settings } => {
                        self.queue_settings.insert(queue_id, settings);
                    }
                    QueueEvent::Created { .. } | QueueEvent::Renamed { .. } => {}
                }
            }
            UserEvent::REGISTERED | UserEvent::DEACTIVATED => {
                let user = event.stream.strip_prefix("user-").and_then(|id| id.parse::<UserId>().ok());
                match (decode::<UserEvent>(event.event_type, version, event.data).map_err(AppError::from)?, user) {
                    (UserEvent::Registered { user_id, role: Role::Agent, .. }, _) => {
                        self.fact(company, RoutingFact::CapacitySet { agent: user_id, capacity: DEFAULT_CAPACITY });
                        let queue = personal_queue(user_id);
                        self.fact(company, RoutingFact::AgentJoinedQueue { agent: user_id, queue });
                    }
                    (UserEvent::Deactivated, Some(agent)) => {
                        self.deactivated.insert(agent);
                        self.fact(company, RoutingFact::AgentOffline { agent });
                    }
                    _ => {}
                }
            }
            LineEvent::CREATED | LineEvent::ROUTING_CHANGED | LineEvent::OFFLINE_POLICY_SET => {
                let (line_id, routing) =
                    match decode::<LineEvent>(event.event_type, version, event.data).map_err(AppError::from)? {
                        LineEvent::Created { line_id, routing, .. }
                        | LineEvent::RoutingChanged { line_id, routing } => (line_id, routing),
                        LineEvent::OfflinePolicySet { line_id, policy } => {
                            self.offline_policies.insert(line_id, policy);
                            self.dirty.insert(company);
                            return Ok(());
                        }
                        LineEvent::WidgetOpened { .. }
                        | LineEvent::MessageEditingSet { .. }
                        | LineEvent::ChannelLinked { .. }
                        | LineEvent::ChannelUnlinked { .. }
                        | LineEvent::WebhookSet { .. }
                        | LineEvent::SendingFailed { .. }
                        | LineEvent::SendingRestored { .. } => return Ok(()),
                    };
                match routing.menu() {
                    Some(menu) => self.line_menus.insert(line_id, menu.clone()),
                    None => self.line_menus.remove(&line_id),
                };
                let before = self.line_agents.remove(&line_id).unwrap_or_default();
                let after = routing.own_agents();
                let queue = line_queue(line_id);
                for agent in before.iter().filter(|a| !after.contains(a)) {
                    self.fact(company, RoutingFact::AgentLeftQueue { agent: *agent, queue });
                }
                for agent in after.iter().filter(|a| !before.contains(a)) {
                    self.fact(company, RoutingFact::AgentJoinedQueue { agent: *agent, queue });
                }
                self.line_agents.insert(line_id, after);
            }
            _ => {}
        }
        Ok(())
    }

    fn learn_chat(&mut self, company: CompanyId, revision: u64, event: &ChatEvent) {
        let (chat, fact) = match event {
            ChatEvent::Started { chat_id, channel, contact_id, .. } => {
                let account = ContactOwners::key(company, &Account { channel: *channel, id: contact_id.clone() });
                self.owners.chats_of_account.entry(account.clone()).or_default().push(*chat_id);
                self.owners.account_of_chat.insert(*chat_id, account.clone());
                for fact in self.owners.facts_for(&account) {
                    self.fact(company, fact);
                }
                (*chat_id, None)
            }
            ChatEvent::Queued { chat_id, queue, .. } => {
                self.told.remove(chat_id);
                self.deadlines.remove(chat_id);
                let transferred = self.owners.transferred.remove(chat_id);
                match self.owners.group_of_chat(*chat_id) {
                    Some(group) if group != *queue && !transferred => {
                        self.to_group.insert(*chat_id, (company, *queue, group));
                        self.dirty.insert(company);
                        (*chat_id, Some(RoutingFact::ChatReleased { chat: *chat_id }))
                    }
                    _ => (*chat_id, Some(RoutingFact::ChatWaiting { chat: *chat_id, queue: *queue })),
                }
            }
            ChatEvent::Transferred { chat_id, .. } => {
                self.owners.transferred.insert(*chat_id);
                self.to_group.remove(chat_id);
                (*chat_id, None)
            }
            ChatEvent::Assigned { chat_id, agent, queue, .. } => {
                self.told.remove(chat_id);
                self.deadlines.remove(chat_id);
                (*chat_id, Some(RoutingFact::ChatAssigned { chat: *chat_id, agent: *agent, queue: *queue }))
            }
            ChatEvent::Resolved { chat_id, .. } => {
                self.told.remove(chat_id);
                self.deadlines.remove(chat_id);
                (*chat_id, Some(RoutingFact::ChatReleased { chat: *chat_id }))
            }
            ChatEvent::ReplyDeadlineSet { chat_id, due_at, .. } => {
                self.deadlines.insert(*chat_id, *due_at);
                (*chat_id, None)
            }
            ChatEvent::OwnAgentSet { chat_id, agent, .. } => {
                self.owners.chosen_per_chat.insert(*chat_id);
                (*chat_id, Some(RoutingFact::ChatOwnedBy { chat: *chat_id, agent: *agent }))
            }
            ChatEvent::LeftByOfflineAgent { chat_id, agent, .. } => {
                self.deadlines.remove(chat_id);
                (*chat_id, Some(RoutingFact::ChatMissedBy { chat: *chat_id, agent: *agent }))
            }
            ChatEvent::ReplyDeadlineMissed { chat_id, agent, .. } => {
                self.deadlines.remove(chat_id);
                (*chat_id, Some(RoutingFact::ChatMissedBy { chat: *chat_id, agent: *agent }))
            }
            ChatEvent::AgentReplied { chat_id, .. } => {
                self.deadlines.remove(chat_id);
                (*chat_id, None)
            }
            ChatEvent::WaitingPositionTold { chat_id, position, .. } => {
                self.told.insert(*chat_id, *position);
                (*chat_id, None)
            }
            // With the bot, the chat is nobody's (after an agent went away, no longer theirs).
            ChatEvent::MenuShown { chat_id, .. }
            | ChatEvent::InputRequested { chat_id, .. }
            | ChatEvent::ConsentAsked { chat_id, .. } => {
                (*chat_id, Some(RoutingFact::ChatWithTheBot { chat: *chat_id }))
            }
            ChatEvent::ConversationOpened { chat_id, .. }
            | ChatEvent::ContactNameSeen { chat_id, .. }
            | ChatEvent::CustomerMessageReceived { chat_id, .. }
            | ChatEvent::MenuOptionChosen { chat_id, .. }
            | ChatEvent::MenuReminderSent { chat_id, .. }
            | ChatEvent::MenuTimedOut { chat_id, .. }
            | ChatEvent::MenuAnswerRejected { chat_id, .. }
            | ChatEvent::BotSaid { chat_id, .. }
            | ChatEvent::KeyPhraseHeard { chat_id, .. }
            | ChatEvent::AssignmentGreetingSet { chat_id, .. }
            | ChatEvent::BotStopped { chat_id, .. }
            | ChatEvent::BotResumed { chat_id, .. }
            | ChatEvent::Delivered { chat_id, .. }
            | ChatEvent::DeliveryFailed { chat_id, .. }
            | ChatEvent::CustomerReacted { chat_id, .. }
            | ChatEvent::AgentReacted { chat_id, .. }
            | ChatEvent::NoteWritten { chat_id, .. }
            | ChatEvent::MessageEdited { chat_id, .. }
            | ChatEvent::MessageDeleted { chat_id, .. }
            | ChatEvent::Renamed { chat_id, .. }
            | ChatEvent::Tagged { chat_id, .. }
            | ChatEvent::Untagged { chat_id, .. }
            | ChatEvent::FileKept { chat_id, .. }
            | ChatEvent::FileFetchFailed { chat_id, .. }
            | ChatEvent::StatusReported { chat_id, .. }
            | ChatEvent::InputAccepted { chat_id, .. }
            | ChatEvent::InputRejected { chat_id, .. }
            | ChatEvent::InputAbandoned { chat_id, .. }
            | ChatEvent::FormCompleted { chat_id, .. }
            | ChatEvent::WebQueryRequested { chat_id, .. }
            | ChatEvent::WebQueryAnswered { chat_id, .. }
            | ChatEvent::WebQueryFailed { chat_id, .. }
            | ChatEvent::AnswersEmailRequested { chat_id, .. }
            | ChatEvent::AnswersEmailed { chat_id, .. }
            | ChatEvent::AnswersEmailFailed { chat_id, .. }
            | ChatEvent::BotSentFile { chat_id, .. }
            | ChatEvent::ConsentGiven { chat_id, .. }
            | ChatEvent::ConsentRefused { chat_id, .. } => (*chat_id, None),
        };
        let tracked = self.chats.remove(&chat).map_or_else(ChatState::default, |t| t.state);
        let state = Chat::evolve(tracked, event);
        self.set_menu_timer(chat, &state);
        self.chats.insert(chat, Tracked { state, revision });
        if let Some(fact) = fact {
            self.fact(company, fact);
        }
    }

    fn learn_agent(&mut self, company: CompanyId, revision: u64, event: &AgentEvent) {
        let agent = match event {
            AgentEvent::CapacitySet { agent, .. }
            | AgentEvent::Paused { agent, .. }
            | AgentEvent::Resumed { agent, .. }
            | AgentEvent::CameOnline { agent, .. }
            | AgentEvent::WentOffline { agent, .. }
            | AgentEvent::ReceivedChat { agent, .. } => *agent,
        };
        self.company_of_agent.insert(agent, company);
        let before = self.agents.remove(&agent).map_or_else(AgentState::default, |t| t.state);
        let state = Agent::evolve(before, event);
        let online = state.is_online() && !self.deactivated.contains(&agent);
        self.agents.insert(agent, Tracked { state, revision });
        let fact = match event {
            AgentEvent::CapacitySet { capacity, .. } => RoutingFact::CapacitySet { agent, capacity: *capacity },
            AgentEvent::Paused { .. } => RoutingFact::AgentPaused { agent },
            AgentEvent::Resumed { .. } => RoutingFact::AgentResumed { agent },
            AgentEvent::CameOnline { .. } | AgentEvent::WentOffline { .. } if online => {
                RoutingFact::AgentOnline { agent }
            }
            AgentEvent::CameOnline { .. } | AgentEvent::WentOffline { .. } => RoutingFact::AgentOffline { agent },
            AgentEvent::ReceivedChat { .. } => return,
        };
        self.fact(company, fact);
    }

    /// The assignments and position messages to append for one company now.
    fn decide(&mut self, company: CompanyId, now: DateTime<Utc>) -> Result<Vec<Vec<Decided>>, AppError> {
        let Some(routing) = self.routing.get(&company) else {
            return Ok(vec![]);
        };
        let context = system_context(company, now);
        let mut transactions = Vec::new();
        let assignments = routing.next_assignments();
        let mut agents = HashMap::new();
        for chunk in assignments.chunks(ASSIGNMENTS_PER_COMMIT) {
            transactions.push(self.decide_assignments(&context, chunk, &mut agents)?);
        }
        if !assignments.is_empty() {
            let held_since = *self.positions_held_since.entry(company).or_insert(now);
            if now - held_since < POSITIONS_HELD_AT_MOST {
                self.dirty.insert(company);
                return Ok(transactions);
            }
        }
        self.positions_held_since.remove(&company);
        let assigned: HashSet<ChatId> = assignments.iter().map(|a| a.chat).collect();
        let mut tell = Vec::new();
        for (queue, change) in self.lines_moved.remove(&company).unwrap_or_default() {
            let waiting = |chat: &ChatId| !assigned.contains(chat);
            let places: Vec<(ChatId, usize)> = if change.someone_left || assignments.iter().any(|a| a.queue == queue) {
                routing
                    .waiting_in(queue)
                    .into_iter()
                    .filter(waiting)
                    .enumerate()
                    .map(|(i, chat)| (chat, i + 1))
                    .collect()
            } else {
                let joined = change.joined.into_iter().filter(waiting);
                joined.filter_map(|chat| Some((chat, routing.position_of(chat)?))).collect()
            };
            for (chat, place) in places {
                let position = u32::try_from(place).unwrap_or(u32::MAX);
                if !worth_telling(self.told.get(&chat).copied(), position) {
                    continue;
                }
                let Some(tracked) = self.chats.get(&chat) else { continue };
                let Some(text) = self.settings_of(queue).waiting_text(position) else { continue };
                let command = ChatCommand::TellPosition { message_id: Uuid::now_v7(), position, text, at: context.now };
                if let Ok(events) = Chat::decide(&tracked.state, &command) {
                    tell.push(Decided::new(&context, &domain::chat::chat_stream(chat), tracked.expected(), &events)?);
                }
            }
        }
        while !tell.is_empty() {
            let rest = tell.split_off(tell.len().min(ASSIGNMENTS_PER_COMMIT));
            transactions.push(std::mem::replace(&mut tell, rest));
        }
        Ok(transactions)
    }

    fn set_menu_timer(&mut self, chat: ChatId, state: &ChatState) {
        let menu = state.line_id.and_then(|line| self.line_menus.get(&line));
        match menu.and_then(|menu| state.menu_timer(menu)) {
            Some((due, _)) => self.menu_timers.insert(chat, due),
            None => self.menu_timers.remove(&chat),
        };
    }

    /// Chats whose menu timer is due: each rings in a transaction of its own. A timer the chat
    /// no longer has (the line's menu changed) is set again from the chat's state.
    fn ring_menu_timers(&mut self, now: DateTime<Utc>) -> Result<Vec<Vec<Decided>>, AppError> {
        let due: Vec<ChatId> = self.menu_timers.iter().filter(|(_, at)| **at <= now).map(|(chat, _)| *chat).collect();
        let mut transactions = Vec::new();
        for chat in due {
            let Some(tracked) = self.chats.get(&chat) else {
                self.menu_timers.remove(&chat);
                continue;
            };
            let menu = tracked.state.line_id.and_then(|line| self.line_menus.get(&line)).cloned();
            let (Some(menu), Some(company)) = (menu, tracked.state.company_id) else {
                self.menu_timers.remove(&chat);
                continue;
            };
            let command = ChatCommand::RingMenuTimer { menu: Box::new(menu), at: now };
            match chat_transaction(company, now, chat, tracked, &command)? {
                Some(transaction) => transactions.push(transaction),
                None => {
                    let state = tracked.state.clone();
                    self.set_menu_timer(chat, &state);
                }
            }
        }
        Ok(transactions)
    }

    fn every_line_moved(&mut self, company: CompanyId) {
        let Some(routing) = self.routing.get(&company) else { return };
        let moved = self.lines_moved.entry(company).or_default();
        for queue in routing.queues_with_waiting_chats() {
            moved.entry(queue).or_default().someone_left = true;
        }
    }

    fn settings_of(&self, queue: QueueId) -> QueueSettings {
        self.queue_settings.get(&queue).cloned().unwrap_or_default()
    }

    /// Chats whose agent did not answer in time and that another member could take now: each
    /// moves on in a transaction of its own. A deadline nobody else could take stays due.
    fn expire_deadlines(&self, now: DateTime<Utc>) -> Result<Vec<Vec<Decided>>, AppError> {
        let mut transactions = Vec::new();
        for (chat, due) in &self.deadlines {
            let Some(tracked) = self.chats.get(chat).filter(|_| *due <= now) else { continue };
            let (Some(company), Some(agent), Some(queue)) =
                (tracked.state.company_id, tracked.state.agent, tracked.state.queue)
            else {
                continue;
            };
            if !self.routing.get(&company).is_some_and(|r| r.someone_else_can_take(queue, agent)) {
                continue;
            }
            let command = ChatCommand::ExpireReplyDeadline { agent, at: now };
            transactions.extend(chat_transaction(company, now, *chat, tracked, &command)?);
        }
        Ok(transactions)
    }

    /// Chats held by offline agents on lines that pass such chats on, when someone else of the
    /// queue could take them now: each moves on in a transaction of its own (G6).
    fn hand_over(&self, company: CompanyId, now: DateTime<Utc>) -> Result<Vec<Vec<Decided>>, AppError> {
        let Some(routing) = self.routing.get(&company) else { return Ok(vec![]) };
        let mut transactions = Vec::new();
        for (agent, tracked_agent) in &self.agents {
            if tracked_agent.state.is_online() && !self.deactivated.contains(agent) {
                continue;
            }
            for chat in routing.chats_of(*agent) {
                let Some(tracked) = self.chats.get(&chat) else { continue };
                let line = tracked.state.line_id;
                let policy = line.and_then(|line| self.offline_policies.get(&line)).copied().unwrap_or_default();
                let command = match (policy, tracked.state.queue) {
                    (OfflinePolicy::TransferToQueue, Some(queue)) if routing.someone_else_can_take(queue, *agent) => {
                        ChatCommand::HandOver { agent: *agent, at: now }
                    }
                    (OfflinePolicy::AskTheCustomer, _) => ChatCommand::AskAfterAgentLeft {
                        agent: *agent,
                        menu: line.and_then(|line| self.line_menus.get(&line)).cloned().map(Box::new),
                        at: now,
                    },
                    _ => continue,
                };
                transactions.extend(chat_transaction(company, now, chat, tracked, &command)?);
            }
        }
        Ok(transactions)
    }

    /// Chats waiting on their line's queue whose contact a group looks after: each moves to the
    /// group's queue in a transaction of its own (K6). A chat that can no longer move waits where
    /// it is.
    fn send_to_groups(&mut self, company: CompanyId, now: DateTime<Utc>) -> Result<Vec<Vec<Decided>>, AppError> {
        let due: Vec<(ChatId, QueueId, QueueId)> = self
            .to_group
            .iter()
            .filter(|(_, (of, _, _))| *of == company)
            .map(|(chat, (_, line_queue, group))| (*chat, *line_queue, *group))
            .collect();
        let mut transactions = Vec::new();
        for (chat, line_queue, group) in due {
            let Some(tracked) = self.chats.get(&chat) else { continue };
            let command = ChatCommand::Transfer {
                company_id: company,
                by: domain::chat::Resolver::System,
                to: domain::chat::TransferTarget::Queue(group),
                note: None,
                at: now,
            };
            let waiting_on_line = tracked.state.is_waiting() && tracked.state.queue == Some(line_queue);
            match Chat::decide(&tracked.state, &command) {
                Ok(events) if waiting_on_line && !events.is_empty() => {
                    let context = system_context(company, now);
                    let stream = domain::chat::chat_stream(chat);
                    transactions.push(vec![Decided::new(&context, &stream, tracked.expected(), &events)?]);
                }
                _ => {
                    self.to_group.remove(&chat);
                    if waiting_on_line {
                        self.fact(company, RoutingFact::ChatWaiting { chat, queue: line_queue });
                    }
                }
            }
        }
        Ok(transactions)
    }

    /// One transaction of assignments. `agents` carries each agent's state and stream revision
    /// from one transaction to the next of the same decision, so that an agent given chats in
    /// several of them is expected where the previous one left their stream.
    fn decide_assignments(
        &self,
        context: &CommandContext,
        chunk: &[Assignment],
        agents: &mut HashMap<UserId, (AgentState, ExpectedRevision)>,
    ) -> Result<Vec<Decided>, AppError> {
        let mut decisions = Vec::new();
        let mut received_now: HashMap<UserId, Vec<AgentEvent>> = HashMap::new();
        for assignment in chunk {
            let Some(chat) = self.chats.get(&assignment.chat) else { continue };
            let (agent_state, _) =
                agents.entry(assignment.agent).or_insert_with(|| match self.agents.get(&assignment.agent) {
                    Some(t) => (t.state.clone(), t.expected()),
                    None => (AgentState::default(), ExpectedRevision::NoStream),
                });
            let own_agent = self
                .routing
                .get(&CompanyId::from_uuid(context.company_id))
                .is_some_and(|r| r.owner_of(assignment.chat) == Some(assignment.agent));
            let receive = AgentCommand::ReceiveChat { agent: assignment.agent, chat: assignment.chat, own_agent };
            let reply_by = self
                .settings_of(assignment.queue)
                .no_answer_minutes
                .map(|minutes| context.now + chrono::Duration::minutes(i64::from(minutes)));
            let assign =
                ChatCommand::Assign { agent: assignment.agent, queue: assignment.queue, reply_by, at: context.now };
            let (Ok(received), Ok(assigned)) =
                (Agent::decide(agent_state, &receive), Chat::decide(&chat.state, &assign))
            else {
                continue;
            };
            for event in &received {
                *agent_state = Agent::evolve(std::mem::take(agent_state), event);
            }
            received_now.entry(assignment.agent).or_default().extend(received);
            decisions.push(Decided::new(
                context,
                &domain::chat::chat_stream(assignment.chat),
                chat.expected(),
                &assigned,
            )?);
        }
        for (agent, events) in received_now.into_iter().filter(|(_, events)| !events.is_empty()) {
            let Some((_, expected)) = agents.get_mut(&agent) else { continue };
            let decided = Decided::new(context, &domain::agent::agent_stream(agent), *expected, &events)?;
            *expected = decided.expected_after();
            decisions.push(decided);
        }
        Ok(decisions)
    }
}

/// A waiting customer hears their place when they start waiting, and again each time it halves.
fn worth_telling(last: Option<u32>, position: u32) -> bool {
    match last {
        None => true,
        Some(last) => position.saturating_mul(2) <= last,
    }
}

/// One chat's command decided by the system, as a transaction of its own; none when the chat's
/// rules say there is nothing to do (a stale timer, a chat that moved meanwhile).
fn chat_transaction(
    company: CompanyId,
    now: DateTime<Utc>,
    chat: ChatId,
    tracked: &Tracked<ChatState>,
    command: &ChatCommand,
) -> Result<Option<Vec<Decided>>, AppError> {
    let events = Chat::decide(&tracked.state, command).map_err(|e| AppError::Internal(e.to_string()))?;
    if events.is_empty() {
        return Ok(None);
    }
    let context = system_context(company, now);
    Ok(Some(vec![Decided::new(&context, &domain::chat::chat_stream(chat), tracked.expected(), &events)?]))
}

fn system_context(company: CompanyId, now: DateTime<Utc>) -> CommandContext {
    CommandContext::system(company, now)
}

pub struct ChatRouter {
    log: Arc<dyn EventLog>,
    store: ReadStore,
    metrics: Arc<Metrics>,
    leadership: Leadership,
    clock: Arc<dyn Clock>,
    /// The node this router runs on: alive, whatever its heartbeat's row says.
    node: String,
    books: Books,
    position: Position,
}

impl ChatRouter {
    pub fn new(
        log: Arc<dyn EventLog>,
        store: ReadStore,
        metrics: Arc<Metrics>,
        leadership: Leadership,
        clock: Arc<dyn Clock>,
        node: String,
    ) -> Self {
        Self { log, store, metrics, leadership, clock, node, books: Books::default(), position: Position::default() }
    }

    /// On the leading node, takes agents connected only through dead nodes offline. Liveness is
    /// about real processes, so it reads the machine's time; the events it records carry the business clock's.
    async fn end_presence_on_dead_nodes(&mut self) -> Result<(), RouterError> {
        // A heartbeat held back by a busy database must not make a node take its own agents
        // offline while their sockets stay open on it: the node that runs this is alive.
        let dead = match crate::workers::nodes::dead_nodes(&self.store, machine_time()).await {
            Ok(dead) => dead.into_iter().filter(|node| *node != self.node).collect::<Vec<_>>(),
            // Routing goes on without it; the next tick asks again.
            Err(error) => {
                tracing::warn!(%error, "could not read the nodes' heartbeats");
                return Ok(());
            }
        };
        if dead.is_empty() || !self.leadership.try_lead().await {
            return Ok(());
        }
        let now = self.clock.now();
        let mut transactions = Vec::new();
        for (agent, tracked) in &self.books.agents {
            for node in tracked.state.nodes().filter(|node| dead.contains(node)) {
                let command = AgentCommand::GoOffline { agent: *agent, node: node.clone(), at: now };
                let events = Agent::decide(&tracked.state, &command).map_err(|e| AppError::Internal(e.to_string()))?;
                let Some(company) = self.books.company_of_agent.get(agent).copied() else { continue };
                let context = system_context(company, now);
                let stream = domain::agent::agent_stream(*agent);
                transactions.push(vec![Decided::new(&context, &stream, tracked.expected(), &events)?]);
                break;
            }
        }
        for transaction in transactions {
            self.append(transaction).await?;
        }
        Ok(())
    }

    /// On the leading node, appends what the routing state calls for now.
    async fn route(&mut self) -> Result<(), RouterError> {
        let now = self.clock.now();
        let due = self.books.deadlines.values().chain(self.books.menu_timers.values()).any(|due| *due <= now);
        if self.books.dirty.is_empty() && !due {
            self.metrics.timers_checked(Self::NAME, now);
            return Ok(());
        }
        if !self.leadership.try_lead().await {
            return Ok(());
        }
        for transaction in self.books.expire_deadlines(now)? {
            self.append(transaction).await?;
        }
        for transaction in self.books.ring_menu_timers(now)? {
            self.append(transaction).await?;
        }
        let companies = std::mem::take(&mut self.books.dirty);
        for company in companies {
            for transaction in self.books.send_to_groups(company, now)? {
                if !self.append(transaction).await? {
                    self.books.dirty.insert(company);
                }
            }
            for transaction in self.books.hand_over(company, now)? {
                if !self.append(transaction).await? {
                    // The chat moved meanwhile (a delivery recorded, a message): look again once
                    // that is folded.
                    self.books.dirty.insert(company);
                }
            }
            for transaction in self.books.decide(company, now)? {
                if !self.append(transaction).await? {
                    // Decide again once the change that got in the way has been folded; the
                    // places this cycle did not tell are told then.
                    self.books.dirty.insert(company);
                    self.books.every_line_moved(company);
                    break;
                }
            }
        }
        self.metrics.timers_checked(Self::NAME, now);
        Ok(())
    }

    /// Appends one transaction of decisions; answers false when a chat or an agent changed
    /// meanwhile (its event is in the log, and brings fresh facts).
    async fn append(&mut self, transaction: Vec<Decided>) -> Result<bool, RouterError> {
        if transaction.is_empty() {
            return Ok(true);
        }
        let appended = commit(self.log.as_ref(), &self.metrics, transaction.clone()).await;
        match appended {
            Ok(_) => {
                self.books.learn_own(&transaction)?;
                Ok(true)
            }
            Err(CommitError::Log(EventLogError::WrongExpectedRevision { .. })) => {
                self.metrics.append_conflict();
                Ok(false)
            }
            Err(CommitError::Log(error)) => Err(error.into()),
            Err(CommitError::Rejected(error)) => Err(error.into()),
        }
    }
}

#[async_trait::async_trait]
impl Follower for ChatRouter {
    type Error = RouterError;
    const NAME: &'static str = "router";

    fn log(&self) -> Arc<dyn EventLog> {
        self.log.clone()
    }

    fn position(&mut self) -> &mut Position {
        &mut self.position
    }

    fn learn(&mut self, event: &RecordedEvent) -> Result<(), RouterError> {
        self.books.learn(event)
    }

    async fn act(&mut self) -> Result<(), RouterError> {
        self.route().await
    }

    async fn on_tick(&mut self) -> Result<(), RouterError> {
        self.end_presence_on_dead_nodes().await?;
        self.route().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::Metrics;
    use domain::chat::Inbound;
    use domain::contact::{Channel, NameSource};
    use domain::event::DomainEvent;
    use domain::ids::ConversationId;
    use eventlog::testing::{fresh_database, Backend};

    /// A fixed time: these tests are about order, not about when.
    fn noon() -> DateTime<Utc> {
        "2026-12-02T12:00:00Z".parse().expect("a time")
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn on_sqlite_a_decision_bigger_than_one_transaction_is_appended_whole() {
        a_decision_bigger_than_one_transaction_is_appended_whole(Backend::Sqlite).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn on_postgres_a_decision_bigger_than_one_transaction_is_appended_whole() {
        a_decision_bigger_than_one_transaction_is_appended_whole(Backend::Postgres).await
    }

    async fn write<E: DomainEvent>(log: &dyn EventLog, company: CompanyId, stream: &str, events: &[E]) {
        let decided = Decided::new(&system_context(company, noon()), stream, ExpectedRevision::Any, events).unwrap();
        commit(log, &Metrics::default(), vec![decided]).await.expect("the log takes it");
    }

    /// Every transaction of one decision is taken by the log in turn, though agents get chats in
    /// several of them: each expects an agent's stream where the one before left it.
    async fn a_decision_bigger_than_one_transaction_is_appended_whole(backend: Backend) {
        // Given six agents online in one queue with room for 300 chats, and 250 chats waiting there.
        let database = fresh_database(backend).await;
        let log = eventlog::open(&database.url).await.expect("the log opens");
        let company = CompanyId::from_uuid(Uuid::now_v7());
        let queue = QueueId::from_uuid(Uuid::now_v7());
        let agents: Vec<UserId> = (0..6).map(|_| UserId::from_uuid(Uuid::now_v7())).collect();
        for agent in &agents {
            let online = AgentEvent::CameOnline { agent: *agent, node: "here".into(), at: noon() };
            let capacity = AgentEvent::CapacitySet { agent: *agent, capacity: 50 };
            write(log.as_ref(), company, &domain::agent::agent_stream(*agent), &[capacity, online]).await;
            let joined = QueueEvent::AgentAdded { queue_id: queue, agent: *agent };
            write(log.as_ref(), company, &domain::queue::queue_stream(queue), &[joined]).await;
        }
        for n in 0..250 {
            let chat_id = ChatId::from_uuid(Uuid::now_v7());
            let inbound = Inbound {
                company_id: company,
                line_id: LineId::from_uuid(Uuid::now_v7()),
                channel: Channel::Api,
                contact_id: format!("customer-{n}"),
                contact_name: format!("Customer {n}"),
                name_source: NameSource::Profile,
                message_id: format!("message-{n}"),
                text: "hello".into(),
                media: None,
                sticker: false,
                content: Default::default(),
                queue,
                menu: None,
                consent_on_record: false,
            };
            let conversation_id = ConversationId::from_uuid(Uuid::now_v7());
            let receive = ChatCommand::Receive { chat_id, inbound, conversation_id, at: noon() };
            let events = Chat::decide(&ChatState::default(), &receive).expect("a first message");
            write(log.as_ref(), company, &domain::chat::chat_stream(chat_id), &events).await;
        }
        let mut books = Books::default();
        for event in log.read_all(Position::default(), 10_000).await.expect("the log reads") {
            books.learn(&event).expect("the router learns it");
        }

        // When the router decides.
        let transactions = books.decide(company, noon()).expect("a decision");

        // Then some agent gets chats in more than one of its transactions, the log takes each of
        // them in turn, and every chat is assigned.
        assert!(transactions.len() > 1, "the decision spans several transactions");
        let in_several = agents.iter().filter(|agent| {
            let stream = domain::agent::agent_stream(**agent);
            transactions.iter().filter(|t| t.iter().any(|d| d.stream() == stream)).count() > 1
        });
        assert!(in_several.count() > 0, "some agent gets chats in more than one transaction");
        for transaction in transactions {
            commit(log.as_ref(), &Metrics::default(), transaction).await.expect("the log takes every transaction");
        }
        let everything = log.read_all(Position::default(), 10_000).await.expect("the log reads");
        assert_eq!(everything.iter().filter(|e| e.event_type == ChatEvent::CHAT_ASSIGNED).count(), 250);
    }
}
