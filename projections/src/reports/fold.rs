//! What a batch of events changes in the reports' tables: the rows it needs read first, its events
//! folded in memory in the log's order, then everything written a few statements per table.

use super::{chosen, resolver, ACCOUNTS, ASSIGNMENTS, CHATS, CONVERSATIONS, QUEUES, RESPONSES};
use crate::runner::{decode_event, ProjectionError};
use crate::store::each_chunk;
use domain::chat::{ChatEvent, Resolver};
use domain::queue::QueueEvent;
use eventlog::RecordedEvent;
use sqlx::{AnyConnection, Row};
use std::collections::{BTreeMap, BTreeSet};

/// A chat as the reports follow it between its events.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Chat {
    company_id: String,
    line_id: String,
    /// Its next conversation is the first of an account the company had never seen.
    first_of_account: bool,
    conversation_id: Option<String>,
    /// Its conversation reached the company's people.
    with_people: bool,
    /// Since when the customer waits for an answer.
    asked_ms: Option<i64>,
    /// The menu option its conversation was sorted by: path and labels.
    option: Option<(String, String)>,
}

/// A conversation a batch opens.
struct NewConversation {
    conversation_id: String,
    chat_id: String,
    company_id: String,
    line_id: String,
    opened_ms: i64,
    new_contact: bool,
}

/// What a batch changes in one conversation: each field set, or left as it is (`None`).
#[derive(Default)]
struct ConversationChange {
    option: Option<(String, String)>,
    queue_id: Option<String>,
    agent_id: Option<String>,
    /// When, by whom ([`resolver`]'s words) and the person's id.
    resolved: Option<(i64, &'static str, Option<String>)>,
}

/// A chat's assignment to an agent, as its first answer is looked for.
struct Assignment {
    event_id: String,
    company_id: String,
    chat_id: String,
    agent_id: String,
    revision: i64,
    assigned_ms: i64,
    first_reply_ms: Option<i64>,
    /// Already in the table, unanswered: only its first answer may be written.
    stored: bool,
}

/// An agent's answer to a customer who was waiting.
struct Response {
    event_id: String,
    company_id: String,
    agent_id: String,
    asked_ms: i64,
    answered_ms: i64,
}

/// An event the reports read, decoded once.
enum Read {
    Queue(QueueEvent),
    Chat(Box<ChatEvent>),
}

/// A batch's events folded into what they write, over what they read of the tables.
#[derive(Default)]
pub(super) struct Batch {
    /// Every chat the batch's events name, as stored before it (none: no such chat yet) and then
    /// as the events leave it.
    chats: BTreeMap<String, Option<Chat>>,
    changed_chats: BTreeSet<String>,
    /// Accounts (company, channel, contact) the company has seen, of those the batch names.
    accounts: BTreeSet<(String, String, String)>,
    new_accounts: Vec<(String, String, String)>,
    /// The company queues among those the batch names.
    queues: BTreeSet<String>,
    new_queues: Vec<String>,
    conversations: Vec<NewConversation>,
    changes: BTreeMap<String, ConversationChange>,
    assignments: Vec<Assignment>,
    /// Each chat's latest assignment, by its place in `assignments`.
    latest: BTreeMap<String, usize>,
    responses: Vec<Response>,
}

impl Batch {
    /// Folds `events` over the rows they need, read from the tables first.
    pub(super) async fn fold(
        connection: &mut AnyConnection,
        events: &[&RecordedEvent],
    ) -> Result<Batch, ProjectionError> {
        let mut read = Vec::with_capacity(events.len());
        for event in events {
            read.push(if event.event_type == QueueEvent::CREATED {
                Read::Queue(decode_event::<QueueEvent>(event)?)
            } else {
                Read::Chat(Box::new(decode_event::<ChatEvent>(event)?))
            });
        }
        let mut batch = Batch::default();
        batch.read_before(connection, events, &read).await?;
        for (event, read) in events.iter().zip(read) {
            match read {
                Read::Queue(QueueEvent::Created { queue_id, .. }) => {
                    if batch.queues.insert(queue_id.to_string()) {
                        batch.new_queues.push(queue_id.to_string());
                    }
                }
                Read::Queue(_) => {}
                Read::Chat(chat_event) => batch.evolve(event, *chat_event),
            }
        }
        Ok(batch)
    }

    /// Reads the chats, accounts, queues and latest assignments the batch's events name.
    async fn read_before(
        &mut self,
        connection: &mut AnyConnection,
        events: &[&RecordedEvent],
        read: &[Read],
    ) -> Result<(), sqlx::Error> {
        let mut chats = BTreeSet::new();
        let mut accounts = BTreeSet::new();
        let mut queues = BTreeSet::new();
        let mut answered = BTreeSet::new();
        for (recorded, event) in events.iter().zip(read) {
            let Read::Chat(event) = event else { continue };
            if let Some(chat_id) = recorded.data.get("chat_id").and_then(serde_json::Value::as_str) {
                chats.insert(chat_id.to_string());
            }
            match event.as_ref() {
                ChatEvent::Started { company_id, channel, contact_id, .. } => {
                    accounts.insert((company_id.to_string(), channel.as_str().to_string(), contact_id.clone()));
                }
                ChatEvent::Queued { queue, .. } | ChatEvent::Assigned { queue, .. } => {
                    queues.insert(queue.to_string());
                }
                ChatEvent::AgentReplied { chat_id, .. } => {
                    answered.insert(chat_id.to_string());
                }
                _ => {}
            }
        }
        let chats: Vec<String> = chats.into_iter().collect();
        self.chats = chats.iter().map(|chat| (chat.clone(), None)).collect();
        let stored = each_chunk(
            connection,
            &chats,
            1,
            |rows| {
                format!(
                    "SELECT chat_id, company_id, line_id, first_of_account, conversation_id, with_people, asked_ms, \
                     option_path, option_label FROM {CHATS} WHERE chat_id IN (VALUES {rows})"
                )
            },
            |query, chat| query.bind(chat),
        )
        .await?;
        for row in stored {
            let path: Option<String> = row.try_get("option_path")?;
            let chat = Chat {
                company_id: row.try_get("company_id")?,
                line_id: row.try_get("line_id")?,
                first_of_account: row.try_get::<i64, _>("first_of_account")? == 1,
                conversation_id: row.try_get("conversation_id")?,
                with_people: row.try_get::<i64, _>("with_people")? == 1,
                asked_ms: row.try_get("asked_ms")?,
                option: path.zip(row.try_get::<Option<String>, _>("option_label")?),
            };
            self.chats.insert(row.try_get("chat_id")?, Some(chat));
        }
        let accounts: Vec<_> = accounts.into_iter().collect();
        let seen = each_chunk(
            connection,
            &accounts,
            3,
            |rows| {
                format!(
                    "WITH asked (company_id, channel, contact_id) AS (VALUES {rows}) SELECT {ACCOUNTS}.company_id, \
                     {ACCOUNTS}.channel, {ACCOUNTS}.contact_id FROM {ACCOUNTS} JOIN asked \
                     ON {ACCOUNTS}.company_id = asked.company_id AND {ACCOUNTS}.channel = asked.channel \
                     AND {ACCOUNTS}.contact_id = asked.contact_id"
                )
            },
            |query, (company, channel, contact)| query.bind(company).bind(channel).bind(contact),
        )
        .await?;
        for row in seen {
            self.accounts.insert((row.try_get("company_id")?, row.try_get("channel")?, row.try_get("contact_id")?));
        }
        let queues: Vec<String> = queues.into_iter().collect();
        let known = each_chunk(
            connection,
            &queues,
            1,
            |rows| format!("SELECT queue_id FROM {QUEUES} WHERE queue_id IN (VALUES {rows})"),
            |query, queue| query.bind(queue),
        )
        .await?;
        for row in known {
            self.queues.insert(row.try_get("queue_id")?);
        }
        // A chat's latest assignment, when it has no answer yet: an answered one takes no other.
        let answered: Vec<String> = answered.into_iter().collect();
        let unanswered = each_chunk(
            connection,
            &answered,
            1,
            |rows| {
                format!(
                    "WITH asked (chat_id) AS (VALUES {rows}) SELECT {ASSIGNMENTS}.event_id, {ASSIGNMENTS}.company_id, \
                     {ASSIGNMENTS}.chat_id, {ASSIGNMENTS}.agent_id, {ASSIGNMENTS}.revision, {ASSIGNMENTS}.assigned_ms, \
                     {ASSIGNMENTS}.first_reply_ms FROM asked JOIN {ASSIGNMENTS} ON {ASSIGNMENTS}.chat_id = asked.chat_id \
                     AND {ASSIGNMENTS}.first_reply_ms IS NULL AND {ASSIGNMENTS}.revision = \
                     (SELECT MAX(revision) FROM {ASSIGNMENTS} latest WHERE latest.chat_id = asked.chat_id)"
                )
            },
            |query, chat| query.bind(chat),
        )
        .await?;
        for row in unanswered {
            let assignment = Assignment {
                event_id: row.try_get("event_id")?,
                company_id: row.try_get("company_id")?,
                chat_id: row.try_get("chat_id")?,
                agent_id: row.try_get("agent_id")?,
                revision: row.try_get("revision")?,
                assigned_ms: row.try_get("assigned_ms")?,
                first_reply_ms: row.try_get("first_reply_ms")?,
                stored: true,
            };
            self.latest.insert(assignment.chat_id.clone(), self.assignments.len());
            self.assignments.push(assignment);
        }
        Ok(())
    }

    /// The chat `chat_id` names, when it exists, marked as changed.
    fn chat(&mut self, chat_id: &str) -> Option<&mut Chat> {
        let chat = self.chats.get_mut(chat_id)?.as_mut()?;
        self.changed_chats.insert(chat_id.to_string());
        Some(chat)
    }

    fn change(&mut self, conversation_id: String) -> &mut ConversationChange {
        self.changes.entry(conversation_id).or_default()
    }

    /// What one chat event changes.
    fn evolve(&mut self, event: &RecordedEvent, chat_event: ChatEvent) {
        match chat_event {
            ChatEvent::Started { chat_id, company_id, line_id, channel, contact_id, .. } => {
                let account = (company_id.to_string(), channel.as_str().to_string(), contact_id);
                let seen = !self.accounts.insert(account.clone());
                if !seen {
                    self.new_accounts.push(account);
                }
                let chat_id = chat_id.to_string();
                if let Some(absent @ None) = self.chats.get_mut(&chat_id) {
                    *absent = Some(Chat {
                        company_id: company_id.to_string(),
                        line_id: line_id.to_string(),
                        first_of_account: !seen,
                        conversation_id: None,
                        with_people: false,
                        asked_ms: None,
                        option: None,
                    });
                    self.changed_chats.insert(chat_id);
                }
            }
            ChatEvent::ConversationOpened { chat_id, conversation_id, at } => {
                let chat_id = chat_id.to_string();
                let Some(chat) = self.chat(&chat_id) else { return };
                let opened = NewConversation {
                    conversation_id: conversation_id.to_string(),
                    chat_id,
                    company_id: chat.company_id.clone(),
                    line_id: chat.line_id.clone(),
                    opened_ms: at.timestamp_millis(),
                    new_contact: chat.first_of_account,
                };
                chat.conversation_id = Some(conversation_id.to_string());
                chat.first_of_account = false;
                chat.with_people = false;
                chat.option = None;
                self.conversations.push(opened);
            }
            ChatEvent::CustomerMessageReceived { chat_id, at, .. } => {
                if let Some(chat) = self.chat(&chat_id.to_string()) {
                    chat.asked_ms = chat.asked_ms.or(Some(at.timestamp_millis()));
                }
            }
            // The bot answered a customer no person has yet: they wait for nobody.
            ChatEvent::MenuShown { chat_id, .. }
            | ChatEvent::BotSaid { chat_id, .. }
            | ChatEvent::BotSentFile { chat_id, .. }
            | ChatEvent::InputRequested { chat_id, .. } => {
                if let Some(chat) = self.chat(&chat_id.to_string()) {
                    if !chat.with_people {
                        chat.asked_ms = None;
                    }
                }
            }
            ChatEvent::MenuOptionChosen { chat_id, place, option, label, .. } => {
                let Some(chat) = self.chat(&chat_id.to_string()) else { return };
                let Some(chosen) = chosen(&place, option, &label, chat.option.clone()) else { return };
                chat.option = Some(chosen.clone());
                if let Some(conversation) = chat.conversation_id.clone() {
                    self.change(conversation).option = Some(chosen);
                }
            }
            ChatEvent::Queued { chat_id, conversation_id, queue, at } => {
                self.handed_to_people(&chat_id.to_string(), at.timestamp_millis());
                self.set_queue(conversation_id.to_string(), queue.to_string());
            }
            ChatEvent::Assigned { chat_id, conversation_id, agent, queue, at } => {
                let chat_id = chat_id.to_string();
                self.handed_to_people(&chat_id, at.timestamp_millis());
                self.set_queue(conversation_id.to_string(), queue.to_string());
                self.change(conversation_id.to_string()).agent_id = Some(agent.to_string());
                let revision = i64::try_from(event.revision).unwrap_or(i64::MAX);
                let later =
                    self.latest.get(&chat_id).is_none_or(|&latest| self.assignments[latest].revision < revision);
                if later {
                    self.latest.insert(chat_id.clone(), self.assignments.len());
                }
                self.assignments.push(Assignment {
                    event_id: event.event_id.to_string(),
                    company_id: event.metadata.company_id.to_string(),
                    chat_id,
                    agent_id: agent.to_string(),
                    revision,
                    assigned_ms: at.timestamp_millis(),
                    first_reply_ms: None,
                    stored: false,
                });
            }
            ChatEvent::AgentReplied { chat_id, agent, at, .. } => {
                let (chat_id, agent, at) = (chat_id.to_string(), agent.to_string(), at.timestamp_millis());
                // The first answer of the chat's latest assignment, when it is this agent's.
                if let Some(&latest) = self.latest.get(&chat_id) {
                    let assignment = &mut self.assignments[latest];
                    if assignment.agent_id == agent && assignment.first_reply_ms.is_none() {
                        assignment.first_reply_ms = Some(at);
                    }
                }
                let Some(chat) = self.chat(&chat_id) else { return };
                if let Some(asked_ms) = chat.asked_ms.take() {
                    let company_id = chat.company_id.clone();
                    self.responses.push(Response {
                        event_id: event.event_id.to_string(),
                        company_id,
                        agent_id: agent,
                        asked_ms,
                        answered_ms: at,
                    });
                }
            }
            ChatEvent::Resolved { chat_id, conversation_id, by, at } => {
                let by = match by {
                    Resolver::Agent(id) => (resolver::AGENT, Some(id.to_string())),
                    Resolver::Supervisor(id) => (resolver::SUPERVISOR, Some(id.to_string())),
                    Resolver::Bot | Resolver::System => (resolver::BOT, None),
                };
                self.change(conversation_id.to_string()).resolved = Some((at.timestamp_millis(), by.0, by.1));
                if let Some(chat) = self.chat(&chat_id.to_string()) {
                    chat.asked_ms = None;
                    chat.with_people = false;
                }
            }
            _ => {}
        }
    }

    /// A chat reaches the company's people: a customer who had spoken waits for a person from now on.
    fn handed_to_people(&mut self, chat_id: &str, at: i64) {
        let Some(chat) = self.chat(chat_id) else { return };
        if !chat.with_people {
            chat.asked_ms = chat.asked_ms.map(|_| at);
            chat.with_people = true;
        }
    }

    /// A conversation's queue is the latest of the company's queues it was in: an agent's own
    /// queue (a transfer to them) leaves it where it was.
    fn set_queue(&mut self, conversation_id: String, queue: String) {
        if self.queues.contains(&queue) {
            self.change(conversation_id).queue_id = Some(queue);
        }
    }

    /// Writes what the batch changed.
    pub(super) async fn write(self, connection: &mut AnyConnection) -> Result<(), sqlx::Error> {
        each_chunk(
            connection,
            &self.new_queues,
            1,
            |rows| format!("INSERT INTO {QUEUES} (queue_id) VALUES {rows} ON CONFLICT (queue_id) DO NOTHING"),
            |query, queue| query.bind(queue),
        )
        .await?;
        each_chunk(
            connection,
            &self.new_accounts,
            3,
            |rows| {
                format!(
                    "INSERT INTO {ACCOUNTS} (company_id, channel, contact_id) VALUES {rows} \
                     ON CONFLICT (company_id, channel, contact_id) DO NOTHING"
                )
            },
            |query, (company, channel, contact)| query.bind(company).bind(channel).bind(contact),
        )
        .await?;
        let chats: Vec<(&String, &Chat)> = self
            .changed_chats
            .iter()
            .filter_map(|chat_id| Some((chat_id, self.chats.get(chat_id)?.as_ref()?)))
            .collect();
        each_chunk(
            connection,
            &chats,
            9,
            |rows| {
                format!(
                    "INSERT INTO {CHATS} (chat_id, company_id, line_id, first_of_account, conversation_id, \
                     with_people, asked_ms, option_path, option_label) VALUES {rows} ON CONFLICT (chat_id) DO UPDATE \
                     SET first_of_account = excluded.first_of_account, conversation_id = excluded.conversation_id, \
                     with_people = excluded.with_people, asked_ms = excluded.asked_ms, \
                     option_path = excluded.option_path, option_label = excluded.option_label"
                )
            },
            |query, (chat_id, chat)| {
                let (path, label) = chat.option.clone().unzip();
                query
                    .bind(chat_id.as_str())
                    .bind(chat.company_id.as_str())
                    .bind(chat.line_id.as_str())
                    .bind(i64::from(chat.first_of_account))
                    .bind(chat.conversation_id.as_deref())
                    .bind(i64::from(chat.with_people))
                    .bind(chat.asked_ms)
                    .bind(path)
                    .bind(label)
            },
        )
        .await?;
        each_chunk(
            connection,
            &self.conversations,
            6,
            |rows| {
                format!(
                    "INSERT INTO {CONVERSATIONS} (conversation_id, chat_id, company_id, line_id, opened_ms, \
                     new_contact) VALUES {rows} ON CONFLICT (conversation_id) DO NOTHING"
                )
            },
            |query, opened| {
                query
                    .bind(opened.conversation_id.as_str())
                    .bind(opened.chat_id.as_str())
                    .bind(opened.company_id.as_str())
                    .bind(opened.line_id.as_str())
                    .bind(opened.opened_ms)
                    .bind(i64::from(opened.new_contact))
            },
        )
        .await?;
        let changes: Vec<_> = self.changes.into_iter().collect();
        each_chunk(
            connection,
            &changes,
            9,
            // Every field but the resolver's id is never set to nothing: left as it is when absent.
            |rows| {
                format!(
                    "WITH changed (conversation_id, option_path, option_label, queue_id, agent_id, resolved_ms, \
                     resolved_by, resolver_id, set_resolved) AS (VALUES {rows}) \
                     UPDATE {CONVERSATIONS} SET \
                     option_path = COALESCE(changed.option_path, {CONVERSATIONS}.option_path), \
                     option_label = COALESCE(changed.option_label, {CONVERSATIONS}.option_label), \
                     queue_id = COALESCE(changed.queue_id, {CONVERSATIONS}.queue_id), \
                     agent_id = COALESCE(changed.agent_id, {CONVERSATIONS}.agent_id), \
                     resolved_ms = COALESCE(changed.resolved_ms, {CONVERSATIONS}.resolved_ms), \
                     resolved_by = COALESCE(changed.resolved_by, {CONVERSATIONS}.resolved_by), \
                     resolver_id = CASE WHEN changed.set_resolved = 1 THEN changed.resolver_id \
                     ELSE {CONVERSATIONS}.resolver_id END \
                     FROM changed WHERE {CONVERSATIONS}.conversation_id = changed.conversation_id"
                )
            },
            |query, (conversation_id, change)| {
                let (path, label) = change.option.clone().unzip();
                let (resolved_ms, resolved_by, resolver_id) = match &change.resolved {
                    Some((at, by, id)) => (Some(*at), Some(*by), id.as_deref()),
                    None => (None, None, None),
                };
                query
                    .bind(conversation_id.as_str())
                    .bind(path)
                    .bind(label)
                    .bind(change.queue_id.as_deref())
                    .bind(change.agent_id.as_deref())
                    .bind(resolved_ms)
                    .bind(resolved_by)
                    .bind(resolver_id)
                    .bind(i64::from(change.resolved.is_some()))
            },
        )
        .await?;
        let (stored, added): (Vec<Assignment>, Vec<Assignment>) =
            self.assignments.into_iter().partition(|assignment| assignment.stored);
        each_chunk(
            connection,
            &added,
            7,
            |rows| {
                format!(
                    "INSERT INTO {ASSIGNMENTS} (event_id, company_id, chat_id, agent_id, revision, assigned_ms, \
                     first_reply_ms) VALUES {rows} ON CONFLICT (event_id) DO NOTHING"
                )
            },
            |query, assignment| {
                query
                    .bind(assignment.event_id.as_str())
                    .bind(assignment.company_id.as_str())
                    .bind(assignment.chat_id.as_str())
                    .bind(assignment.agent_id.as_str())
                    .bind(assignment.revision)
                    .bind(assignment.assigned_ms)
                    .bind(assignment.first_reply_ms)
            },
        )
        .await?;
        let answered: Vec<(String, i64)> = stored
            .into_iter()
            .filter_map(|assignment| Some((assignment.event_id, assignment.first_reply_ms?)))
            .collect();
        each_chunk(
            connection,
            &answered,
            2,
            |rows| {
                format!(
                    "WITH answered (event_id, first_reply_ms) AS (VALUES {rows}) UPDATE {ASSIGNMENTS} \
                     SET first_reply_ms = answered.first_reply_ms FROM answered \
                     WHERE {ASSIGNMENTS}.event_id = answered.event_id AND {ASSIGNMENTS}.first_reply_ms IS NULL"
                )
            },
            |query, (event_id, first_reply_ms)| query.bind(event_id.as_str()).bind(*first_reply_ms),
        )
        .await?;
        each_chunk(
            connection,
            &self.responses,
            5,
            |rows| {
                format!(
                    "INSERT INTO {RESPONSES} (event_id, company_id, agent_id, asked_ms, answered_ms) VALUES {rows} \
                     ON CONFLICT (event_id) DO NOTHING"
                )
            },
            |query, response| {
                query
                    .bind(response.event_id.as_str())
                    .bind(response.company_id.as_str())
                    .bind(response.agent_id.as_str())
                    .bind(response.asked_ms)
                    .bind(response.answered_ms)
            },
        )
        .await?;
        Ok(())
    }
}
