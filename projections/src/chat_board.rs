//! Chats as agents and supervisors see them: each chat's state, queue, agent and last message, and
//! every message of its history.

use crate::runner::{decode_event, Projection, ProjectionError};
use crate::store::ReadStore;
use async_trait::async_trait;
use domain::chat::ChatEvent;
use domain::menu::Choice;
use eventlog::RecordedEvent;
use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Row};

// Versions — 2: the bot's choices as buttons.
crate::projection_names!("chat_board", version 3, tables { CHATS = "chats", MESSAGES = "messages" });

/// Where a chat stands.
pub mod state {
    /// With the menu bot.
    pub const BOT: &str = "bot";
    /// Open with nobody: the customer stopped the bot and there is no queue to go to.
    pub const OPEN: &str = "open";
    /// Waiting in a queue for an agent.
    pub const WAITING: &str = "waiting";
    /// Assigned, and the customer spoke last.
    pub const PENDING: &str = "pending";
    /// Assigned, and the agent spoke last.
    pub const FOLLOWING: &str = "following";
    pub const RESOLVED: &str = "resolved";
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChatRow {
    pub chat_id: String,
    pub company_id: String,
    pub line_id: String,
    /// With `contact_id`, the account of the contact the chat is with.
    pub channel: String,
    pub contact_id: String,
    pub contact_name: String,
    pub state: String,
    pub conversation_id: Option<String>,
    pub queue_id: Option<String>,
    pub agent_id: Option<String>,
    pub last_text: String,
    pub last_at: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MessageRow {
    pub message_id: String,
    /// `in` from the customer, `out` to them, `note` between colleagues (never sent).
    pub direction: String,
    /// `customer`, `bot` or the agent's id.
    pub author: String,
    pub text: String,
    pub media: Option<String>,
    pub at: String,
    /// For messages out: `pending`, `delivered` or `failed`.
    pub delivery: Option<String>,
    /// The bot's options as buttons (C7, M16); each answers as if typed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<Choice>,
}

const CHAT_COLUMNS: &str = "chat_id, company_id, line_id, channel, contact_id, contact_name, state, \
                            conversation_id, queue_id, agent_id, last_text, last_at";

fn chat_row(row: &sqlx::any::AnyRow) -> Result<ChatRow, sqlx::Error> {
    Ok(ChatRow {
        chat_id: row.try_get("chat_id")?,
        company_id: row.try_get("company_id")?,
        line_id: row.try_get("line_id")?,
        channel: row.try_get("channel")?,
        contact_id: row.try_get("contact_id")?,
        contact_name: row.try_get("contact_name")?,
        state: row.try_get("state")?,
        conversation_id: row.try_get("conversation_id")?,
        queue_id: row.try_get("queue_id")?,
        agent_id: row.try_get("agent_id")?,
        last_text: row.try_get("last_text")?,
        last_at: row.try_get("last_at")?,
    })
}

#[derive(Default)]
pub struct ChatBoard;

impl ChatBoard {
    pub async fn chat(&self, store: &ReadStore, chat_id: &str) -> Result<Option<ChatRow>, sqlx::Error> {
        let row = sqlx::query(&format!("SELECT {CHAT_COLUMNS} FROM {CHATS} WHERE chat_id = $1"))
            .bind(chat_id)
            .fetch_optional(store.pool())
            .await?;
        row.as_ref().map(chat_row).transpose()
    }

    /// A company's chats that are not resolved, the longest waiting first.
    pub async fn open_chats_of(&self, store: &ReadStore, company: &str) -> Result<Vec<ChatRow>, sqlx::Error> {
        let rows = sqlx::query(&format!(
            "SELECT {CHAT_COLUMNS} FROM {CHATS} WHERE company_id = $1 AND state <> $2 ORDER BY opened_at, chat_id"
        ))
        .bind(company)
        .bind(state::RESOLVED)
        .fetch_all(store.pool())
        .await?;
        rows.iter().map(chat_row).collect()
    }

    /// The chats assigned to one agent now, the longest open first.
    pub async fn chats_of_agent(
        &self,
        store: &ReadStore,
        company: &str,
        agent: &str,
    ) -> Result<Vec<ChatRow>, sqlx::Error> {
        let rows = sqlx::query(&format!(
            "SELECT {CHAT_COLUMNS} FROM {CHATS} WHERE company_id = $1 AND agent_id = $2 AND state <> $3 \
             ORDER BY opened_at, chat_id"
        ))
        .bind(company)
        .bind(agent)
        .bind(state::RESOLVED)
        .fetch_all(store.pool())
        .await?;
        rows.iter().map(chat_row).collect()
    }

    /// The chats of one account of a contact, on every line, the latest first.
    pub async fn chats_of_account(
        &self,
        store: &ReadStore,
        company: &str,
        channel: &str,
        contact_id: &str,
    ) -> Result<Vec<ChatRow>, sqlx::Error> {
        let rows = sqlx::query(&format!(
            "SELECT {CHAT_COLUMNS} FROM {CHATS} WHERE company_id = $1 AND channel = $2 AND contact_id = $3 \
             ORDER BY last_at DESC, chat_id"
        ))
        .bind(company)
        .bind(channel)
        .bind(contact_id)
        .fetch_all(store.pool())
        .await?;
        rows.iter().map(chat_row).collect()
    }

    /// Every message of a chat, in order.
    pub async fn messages_of_chat(&self, store: &ReadStore, chat_id: &str) -> Result<Vec<MessageRow>, sqlx::Error> {
        let rows = sqlx::query(&format!(
            "SELECT message_id, direction, author, text, media, at, delivery, choices FROM {MESSAGES} \
             WHERE chat_id = $1 ORDER BY seq"
        ))
        .bind(chat_id)
        .fetch_all(store.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(MessageRow {
                    message_id: row.try_get("message_id")?,
                    direction: row.try_get("direction")?,
                    author: row.try_get("author")?,
                    text: row.try_get("text")?,
                    media: row.try_get("media")?,
                    at: row.try_get("at")?,
                    delivery: row.try_get("delivery")?,
                    choices: row
                        .try_get::<Option<String>, _>("choices")?
                        .map(|json| serde_json::from_str(&json))
                        .transpose()
                        .map_err(|e| sqlx::Error::Decode(Box::new(e)))?
                        .unwrap_or_default(),
                })
            })
            .collect()
    }
}

struct NewMessage<'a> {
    message_id: String,
    chat_id: String,
    direction: &'a str,
    author: String,
    text: &'a str,
    media: Option<&'a str>,
    choices: &'a [Choice],
    at: String,
    then: ThenChat,
}

/// What a message changes in its chat besides its last message, written in the same statement.
#[derive(Clone, Copy)]
enum ThenChat {
    Stays,
    /// Answering an agent's reply makes the chat pending again.
    CustomerSpoke,
    AgentSpoke,
    /// The bot waits for the customer's answer, with nobody else on the chat.
    BotAsks,
}

impl ThenChat {
    fn assignments(self) -> String {
        match self {
            Self::Stays => String::new(),
            Self::CustomerSpoke => {
                format!(", state = CASE WHEN state = '{}' THEN '{}' ELSE state END", state::FOLLOWING, state::PENDING)
            }
            Self::AgentSpoke => format!(", state = '{}'", state::FOLLOWING),
            Self::BotAsks => format!(", state = '{}', agent_id = NULL, queue_id = NULL", state::BOT),
        }
    }
}

async fn add_message(connection: &mut AnyConnection, message: NewMessage<'_>) -> Result<(), ProjectionError> {
    let delivery = (message.direction == "out").then_some("pending");
    let choices = match message.choices {
        [] => None,
        choices => Some(serde_json::to_string(choices).map_err(|e| sqlx::Error::Encode(Box::new(e)))?),
    };
    sqlx::query(&format!(
        "INSERT INTO {MESSAGES} (message_id, chat_id, seq, direction, author, text, media, at, delivery, choices) \
         VALUES ($1, $2, (SELECT COALESCE(MAX(seq), 0) + 1 FROM {MESSAGES} WHERE chat_id = $2), \
         $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (message_id) DO NOTHING"
    ))
    .bind(&message.message_id)
    .bind(&message.chat_id)
    .bind(message.direction)
    .bind(message.author)
    .bind(message.text)
    .bind(message.media)
    .bind(&message.at)
    .bind(delivery)
    .bind(choices)
    .execute(&mut *connection)
    .await?;
    let last = if message.text.is_empty() { "📎" } else { message.text };
    let then = message.then.assignments();
    sqlx::query(&format!("UPDATE {CHATS} SET last_text = $1, last_at = $2{then} WHERE chat_id = $3"))
        .bind(last)
        .bind(message.at)
        .bind(message.chat_id)
        .execute(&mut *connection)
        .await?;
    Ok(())
}

/// A note between colleagues in a chat's history, never sent to the customer; the event's id is
/// the note's.
async fn add_note(
    connection: &mut AnyConnection,
    event: &RecordedEvent,
    chat_id: domain::ids::ChatId,
    author: String,
    text: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<(), ProjectionError> {
    let message = NewMessage {
        message_id: event.event_id.to_string(),
        chat_id: chat_id.to_string(),
        direction: "note",
        author,
        text,
        media: None,
        choices: &[],
        at: at.to_rfc3339(),
        then: ThenChat::Stays,
    };
    add_message(connection, message).await
}

/// A message of the bot's that changes nothing else: the rest is said where it is added.
fn bot_message(
    chat_id: domain::ids::ChatId,
    message_id: uuid::Uuid,
    text: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> NewMessage<'_> {
    NewMessage {
        message_id: message_id.to_string(),
        chat_id: chat_id.to_string(),
        direction: "out",
        author: "bot".into(),
        text,
        media: None,
        choices: &[],
        at: at.to_rfc3339(),
        then: ThenChat::Stays,
    }
}

async fn set_state(
    connection: &mut AnyConnection,
    chat_id: String,
    state: &str,
    assignments: &str,
) -> Result<(), ProjectionError> {
    sqlx::query(&format!("UPDATE {CHATS} SET state = $1{assignments} WHERE chat_id = $2"))
        .bind(state)
        .bind(chat_id)
        .execute(&mut *connection)
        .await?;
    Ok(())
}

#[async_trait]
impl Projection for ChatBoard {
    fn name(&self) -> &'static str {
        NAME
    }

    fn version(&self) -> u32 {
        VERSION
    }

    async fn create_tables(&self, connection: &mut AnyConnection) -> Result<(), ProjectionError> {
        sqlx::query(&format!(
            "CREATE TABLE IF NOT EXISTS {CHATS} (chat_id TEXT PRIMARY KEY, company_id TEXT NOT NULL, \
             line_id TEXT NOT NULL, channel TEXT NOT NULL, contact_id TEXT NOT NULL, contact_name TEXT NOT NULL, state TEXT NOT NULL, \
             conversation_id TEXT, queue_id TEXT, agent_id TEXT, last_text TEXT NOT NULL, last_at TEXT NOT NULL, \
             opened_at TEXT NOT NULL)"
        ))
        .execute(&mut *connection)
        .await?;
        sqlx::query(&format!("CREATE INDEX IF NOT EXISTS {CHATS}_company ON {CHATS} (company_id, state)"))
            .execute(&mut *connection)
            .await?;
        sqlx::query(&format!(
            "CREATE INDEX IF NOT EXISTS {CHATS}_account ON {CHATS} (company_id, channel, contact_id)"
        ))
        .execute(&mut *connection)
        .await?;
        sqlx::query(&format!("CREATE INDEX IF NOT EXISTS {CHATS}_agent ON {CHATS} (agent_id, state)"))
            .execute(&mut *connection)
            .await?;
        sqlx::query(&format!(
            "CREATE TABLE IF NOT EXISTS {MESSAGES} (message_id TEXT PRIMARY KEY, chat_id TEXT NOT NULL, \
             seq BIGINT NOT NULL, direction TEXT NOT NULL, author TEXT NOT NULL, text TEXT NOT NULL, media TEXT, \
             at TEXT NOT NULL, delivery TEXT, choices TEXT)"
        ))
        .execute(&mut *connection)
        .await?;
        sqlx::query(&format!("CREATE INDEX IF NOT EXISTS {MESSAGES}_chat ON {MESSAGES} (chat_id, seq)"))
            .execute(&mut *connection)
            .await?;
        Ok(())
    }

    fn reads(&self, event: &RecordedEvent) -> bool {
        ChatEvent::NAMES.contains(&event.event_type.as_str())
    }

    async fn apply(&self, connection: &mut AnyConnection, event: &RecordedEvent) -> Result<(), ProjectionError> {
        let at = event.metadata.occurred_at.to_rfc3339();
        match decode_event::<ChatEvent>(event)? {
            ChatEvent::Started { chat_id, company_id, line_id, channel, contact_id, contact_name, .. } => {
                sqlx::query(&format!(
                    "INSERT INTO {CHATS} ({CHAT_COLUMNS}, opened_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, NULL, NULL, '', $8, $8) ON CONFLICT (chat_id) DO NOTHING"
                ))
                .bind(chat_id.to_string())
                .bind(company_id.to_string())
                .bind(line_id.to_string())
                .bind(channel.as_str())
                .bind(contact_id)
                .bind(contact_name)
                .bind(state::RESOLVED)
                .bind(&at)
                .execute(&mut *connection)
                .await?;
            }
            ChatEvent::ContactNameSeen { chat_id, name, .. } => {
                sqlx::query(&format!("UPDATE {CHATS} SET contact_name = $1 WHERE chat_id = $2"))
                    .bind(name)
                    .bind(chat_id.to_string())
                    .execute(&mut *connection)
                    .await?;
            }
            ChatEvent::ConversationOpened { chat_id, conversation_id, at } => {
                sqlx::query(&format!(
                    "UPDATE {CHATS} SET conversation_id = $1, opened_at = $2, agent_id = NULL, queue_id = NULL \
                     WHERE chat_id = $3"
                ))
                .bind(conversation_id.to_string())
                .bind(at.to_rfc3339())
                .bind(chat_id.to_string())
                .execute(&mut *connection)
                .await?;
            }
            ChatEvent::CustomerMessageReceived { chat_id, message_id, text, media, at, .. } => {
                let message = NewMessage {
                    message_id: format!("{chat_id}:{message_id}"),
                    chat_id: chat_id.to_string(),
                    direction: "in",
                    author: "customer".into(),
                    text: &text,
                    media: media.as_deref(),
                    choices: &[],
                    at: at.to_rfc3339(),
                    then: ThenChat::CustomerSpoke,
                };
                add_message(connection, message).await?;
            }
            ChatEvent::Queued { chat_id, queue, .. } => {
                sqlx::query(&format!(
                    "UPDATE {CHATS} SET state = $1, queue_id = $2, agent_id = NULL WHERE chat_id = $3"
                ))
                .bind(state::WAITING)
                .bind(queue.to_string())
                .bind(chat_id.to_string())
                .execute(&mut *connection)
                .await?;
            }
            ChatEvent::Assigned { chat_id, agent, queue, .. } => {
                sqlx::query(&format!("UPDATE {CHATS} SET state = $1, queue_id = $2, agent_id = $3 WHERE chat_id = $4"))
                    .bind(state::PENDING)
                    .bind(queue.to_string())
                    .bind(agent.to_string())
                    .bind(chat_id.to_string())
                    .execute(&mut *connection)
                    .await?;
            }
            ChatEvent::AgentReplied { chat_id, message_id, agent, text, at } => {
                let message = NewMessage {
                    message_id: message_id.to_string(),
                    chat_id: chat_id.to_string(),
                    direction: "out",
                    author: agent.to_string(),
                    text: &text,
                    media: None,
                    choices: &[],
                    at: at.to_rfc3339(),
                    then: ThenChat::AgentSpoke,
                };
                add_message(connection, message).await?;
            }
            ChatEvent::WaitingPositionTold { chat_id, message_id, text, at, .. }
            | ChatEvent::BotSaid { chat_id, message_id, text, at }
            | ChatEvent::MenuReminderSent { chat_id, message_id, text, at } => {
                add_message(connection, bot_message(chat_id, message_id, &text, at)).await?;
            }
            ChatEvent::MenuShown { chat_id, message_id, text, choices, at, .. }
            | ChatEvent::InputRequested { chat_id, message_id, text, choices, at, .. }
            | ChatEvent::ConsentAsked { chat_id, message_id, text, choices, at } => {
                let asking = bot_message(chat_id, message_id, &text, at);
                add_message(connection, NewMessage { choices: &choices, then: ThenChat::BotAsks, ..asking }).await?;
            }
            ChatEvent::BotSentFile { chat_id, message_id, text, media, at } => {
                let file = bot_message(chat_id, message_id, &text, at);
                add_message(connection, NewMessage { media: Some(&media), ..file }).await?;
            }
            // What the customer answered the bot, where the agent who takes the chat reads it.
            ChatEvent::FormCompleted { chat_id, answers, at } => {
                let text =
                    answers.iter().map(|(name, value)| format!("{name}: {value}")).collect::<Vec<_>>().join("\n");
                add_note(connection, event, chat_id, "bot".into(), &text, at).await?;
            }
            ChatEvent::WebQueryFailed { chat_id, reason, at, .. } => {
                let text = format!("The bot's web query failed: {reason}");
                add_note(connection, event, chat_id, "system".into(), &text, at).await?;
            }
            ChatEvent::AnswersEmailFailed { chat_id, reason, at, .. } => {
                let text = format!("The e-mail of the customer's answers failed: {reason}");
                add_note(connection, event, chat_id, "system".into(), &text, at).await?;
            }
            ChatEvent::ConsentGiven { .. }
            | ChatEvent::ConsentRefused { .. }
            | ChatEvent::InputAccepted { .. }
            | ChatEvent::InputRejected { .. }
            | ChatEvent::InputAbandoned { .. }
            | ChatEvent::WebQueryRequested { .. }
            | ChatEvent::WebQueryAnswered { .. }
            | ChatEvent::AnswersEmailRequested { .. }
            | ChatEvent::AnswersEmailed { .. } => {}
            ChatEvent::BotStopped { chat_id, .. } => {
                set_state(connection, chat_id.to_string(), state::OPEN, "").await?
            }
            ChatEvent::MenuOptionChosen { .. }
            | ChatEvent::MenuAnswerRejected { .. }
            | ChatEvent::KeyPhraseHeard { .. }
            | ChatEvent::AssignmentGreetingSet { .. }
            | ChatEvent::MenuTimedOut { .. }
            | ChatEvent::BotResumed { .. } => {}
            ChatEvent::Transferred { chat_id, by, note: Some(note), at, .. } => {
                let author = match by {
                    domain::chat::Resolver::Agent(id) | domain::chat::Resolver::Supervisor(id) => id.to_string(),
                    domain::chat::Resolver::Bot => "bot".into(),
                    domain::chat::Resolver::System => "system".into(),
                };
                add_note(connection, event, chat_id, author, &note, at).await?;
            }
            ChatEvent::Transferred { .. } | ChatEvent::ReplyDeadlineSet { .. } | ChatEvent::OwnAgentSet { .. } => {}
            ChatEvent::LeftByOfflineAgent { chat_id, at, .. } => {
                add_note(
                    connection,
                    event,
                    chat_id,
                    "system".into(),
                    "The agent went offline: passed on to the next agent",
                    at,
                )
                .await?;
            }
            ChatEvent::ReplyDeadlineMissed { chat_id, at, .. } => {
                add_note(
                    connection,
                    event,
                    chat_id,
                    "system".into(),
                    "Not answered in time: passed on to the next agent",
                    at,
                )
                .await?;
            }
            ChatEvent::Resolved { chat_id, .. } => {
                set_state(
                    connection,
                    chat_id.to_string(),
                    state::RESOLVED,
                    ", conversation_id = NULL, agent_id = NULL",
                )
                .await?;
            }
            ChatEvent::Delivered { message_id, .. } => set_delivery(connection, message_id, "delivered").await?,
            ChatEvent::DeliveryFailed { message_id, .. } => set_delivery(connection, message_id, "failed").await?,
        }
        Ok(())
    }
}

async fn set_delivery(
    connection: &mut AnyConnection,
    message_id: uuid::Uuid,
    delivery: &str,
) -> Result<(), ProjectionError> {
    sqlx::query(&format!("UPDATE {MESSAGES} SET delivery = $1 WHERE message_id = $2"))
        .bind(delivery)
        .bind(message_id.to_string())
        .execute(&mut *connection)
        .await?;
    Ok(())
}
