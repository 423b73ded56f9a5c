//! Chats as agents and supervisors see them: each chat's state, queue, agent and last message, and
//! every message of its history.

use crate::runner::{decode_event, Projection, ProjectionError};
use crate::store::{each_chunk, rows_per_statement, ReadStore};
use async_trait::async_trait;
use domain::chat::ChatEvent;
use domain::menu::Choice;
use domain::message::{ContactCard, Content, DeliveryStatus, Location, MessageKind, ProviderFile};
use eventlog::RecordedEvent;
use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Row};
use std::collections::{BTreeMap, BTreeSet};

// Versions — 2: the bot's choices as buttons. 4: what channels' messages carry, reactions and
// statuses (`marks`). 6: the customer's messages a person has not answered yet. 7: messages
// edited and deleted by their authors. 8: what happened to each chat besides its messages.
// 9: since when a chat has waited in its queue.
crate::projection_names!("chat_board", version 9, tables {
    CHATS = "chats",
    MESSAGES = "messages",
    MARKS = "marks",
    HAPPENINGS = "happenings"
});

/// What happens to a chat besides its messages, as a conversation shows it (W14): where it waited,
/// who took it, passed it on, named, tagged or resolved it.
const HAPPENING_TYPES: [&str; 7] = [
    ChatEvent::CHAT_QUEUED,
    ChatEvent::CHAT_ASSIGNED,
    ChatEvent::CHAT_TRANSFERRED,
    ChatEvent::RENAMED,
    ChatEvent::TAGGED,
    ChatEvent::UNTAGGED,
    ChatEvent::CHAT_RESOLVED,
];

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
    /// The chat's name for the company (W6), when it has one instead of the contact's.
    pub name: Option<String>,
    /// Its tags (W11), in the order they were put.
    pub tags: Vec<String>,
    /// The customer's messages since a person (not the bot) last wrote to them.
    pub unanswered: i64,
}

/// The chats waiting in one queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueWait {
    pub queue_id: String,
    pub waiting: i64,
    /// When the chat that has waited longest started waiting.
    pub since: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
    /// Why a message out failed, in the words of its channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_reason: Option<String>,
    /// Why the customer's file is not here yet, and when it is tried again (none: given up).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_problem: Option<FileProblem>,
    /// The bot's options as buttons (C7, M16); each answers as if typed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<Choice>,
    /// What the message is (C1, C6): `text`, `image`, `video`, `audio`, `voice`, `document`,
    /// `sticker`, `location`, `contacts` or `unsupported`.
    pub kind: MessageKind,
    /// A file the channel keeps until it is fetched: its type and name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<ProviderFile>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cards: Vec<ContactCard>,
    /// The message this one quotes (C5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quoted: Option<Quoted>,
    /// The option the customer tapped, by its answer (C7).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub choice: Option<String>,
    /// The channel's id of the message, once known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_id: Option<String>,
    /// The customer's reaction to it (C8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reaction: Option<String>,
    /// The agent's reaction to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub our_reaction: Option<String>,
    /// How far the channel says it got: `sent`, `delivered`, `read`, `played` or `failed`, with
    /// the channel's reason for a failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<DeliveryStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_reason: Option<String>,
    /// The words it had before its author edited it (G18), the first first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub earlier: Vec<EarlierWords>,
    /// When its author took it back (G18); its words stay for colleagues, never for the customer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<String>,
}

/// What a message said until its author changed it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EarlierWords {
    pub text: String,
    /// When it was replaced (RFC 3339).
    pub until: String,
}

/// Why a customer's file could not be fetched from their channel.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FileProblem {
    pub reason: String,
    /// When it is tried again (RFC 3339); none: given up.
    pub retry_at: Option<String>,
}

/// A quoted message as the quote shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Quoted {
    /// The channel's id of the quoted message.
    pub provider_id: String,
    /// Ours, when the chat holds it; `None`: a message we never saw ("unknown message").
    pub message_id: Option<String>,
    pub text: Option<String>,
}

const CHAT_COLUMNS: &str = "chat_id, company_id, line_id, channel, contact_id, contact_name, state, \
                            conversation_id, queue_id, agent_id, last_text, last_at";

fn chat_row(row: &sqlx::any::AnyRow) -> Result<ChatRow, sqlx::Error> {
    let tags: String = row.try_get("tags")?;
    Ok(ChatRow {
        name: row.try_get("name")?,
        tags: serde_json::from_str(&tags).unwrap_or_default(),
        unanswered: row.try_get("unanswered")?,
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
        let row =
            sqlx::query(&format!("SELECT {CHAT_COLUMNS}, name, tags, unanswered FROM {CHATS} WHERE chat_id = $1"))
                .bind(chat_id)
                .fetch_optional(store.pool())
                .await?;
        row.as_ref().map(chat_row).transpose()
    }

    /// A company's chats that are not resolved, the longest waiting first.
    pub async fn open_chats_of(&self, store: &ReadStore, company: &str) -> Result<Vec<ChatRow>, sqlx::Error> {
        let rows = sqlx::query(&format!(
            "SELECT {CHAT_COLUMNS}, name, tags, unanswered FROM {CHATS} WHERE company_id = $1 AND state <> $2 ORDER BY opened_at, chat_id"
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
            "SELECT {CHAT_COLUMNS}, name, tags, unanswered FROM {CHATS} WHERE company_id = $1 AND agent_id = $2 AND state <> $3 \
             ORDER BY opened_at, chat_id"
        ))
        .bind(company)
        .bind(agent)
        .bind(state::RESOLVED)
        .fetch_all(store.pool())
        .await?;
        rows.iter().map(chat_row).collect()
    }

    /// Each queue of a company with chats waiting in it: how many, and since when the first waits.
    pub async fn waiting_per_queue(&self, store: &ReadStore, company: &str) -> Result<Vec<QueueWait>, sqlx::Error> {
        let rows = sqlx::query(&format!(
            "SELECT queue_id, COUNT(*) AS waiting, MIN(waiting_since) AS since FROM {CHATS} \
             WHERE company_id = $1 AND state = $2 AND queue_id IS NOT NULL GROUP BY queue_id"
        ))
        .bind(company)
        .bind(state::WAITING)
        .fetch_all(store.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let since: Option<String> = row.try_get("since")?;
                Ok(QueueWait {
                    queue_id: row.try_get("queue_id")?,
                    waiting: row.try_get("waiting")?,
                    since: since.and_then(|text| chrono::DateTime::parse_from_rfc3339(&text).ok()).map(|t| t.to_utc()),
                })
            })
            .collect()
    }

    /// The chats waiting for an agent in any of `queues`, the longest waiting first.
    pub async fn waiting_in(
        &self,
        store: &ReadStore,
        company: &str,
        queues: &[String],
    ) -> Result<Vec<ChatRow>, sqlx::Error> {
        if queues.is_empty() {
            return Ok(Vec::new());
        }
        let asked: Vec<String> = (0..queues.len()).map(|i| format!("${}", i + 3)).collect();
        let sql = format!(
            "SELECT {CHAT_COLUMNS}, name, tags, unanswered FROM {CHATS} WHERE company_id = $1 AND state = $2 \
             AND queue_id IN ({}) ORDER BY opened_at, chat_id",
            asked.join(", ")
        );
        let mut query = sqlx::query(&sql).bind(company).bind(state::WAITING);
        for queue in queues {
            query = query.bind(queue);
        }
        let rows = query.fetch_all(store.pool()).await?;
        rows.iter().map(chat_row).collect()
    }

    /// The chats of `ids` that exist, in no order.
    pub async fn chats_by_ids(&self, store: &ReadStore, ids: &[String]) -> Result<Vec<ChatRow>, sqlx::Error> {
        let mut chats = Vec::with_capacity(ids.len());
        // In bounded pieces: databases cap how many values one statement binds.
        for piece in ids.chunks(500) {
            let asked: Vec<String> = (1..=piece.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT {CHAT_COLUMNS}, name, tags, unanswered FROM {CHATS} WHERE chat_id IN ({})",
                asked.join(", ")
            );
            let mut query = sqlx::query(&sql);
            for id in piece {
                query = query.bind(id);
            }
            for row in query.fetch_all(store.pool()).await? {
                chats.push(chat_row(&row)?);
            }
        }
        Ok(chats)
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
            "SELECT {CHAT_COLUMNS}, name, tags, unanswered FROM {CHATS} WHERE company_id = $1 AND channel = $2 AND contact_id = $3 \
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
    /// The company's chats with a message (or note) that holds `words`, in any case of ASCII
    /// letters.
    pub async fn chats_with_words(
        &self,
        store: &ReadStore,
        company: &str,
        words: &str,
    ) -> Result<std::collections::HashSet<String>, sqlx::Error> {
        let rows = sqlx::query(&format!(
            "SELECT DISTINCT m.chat_id FROM {MESSAGES} m JOIN {CHATS} c ON c.chat_id = m.chat_id \
             WHERE c.company_id = $1 AND lower(m.text) LIKE $2 ESCAPE '\\'"
        ))
        .bind(company)
        .bind(crate::store::like_holding(words))
        .fetch_all(store.pool())
        .await?;
        rows.iter().map(|row| row.try_get("chat_id")).collect()
    }

    pub async fn messages_of_chat(&self, store: &ReadStore, chat_id: &str) -> Result<Vec<MessageRow>, sqlx::Error> {
        self.messages_in(store, chat_id, "", None).await
    }

    /// The chat's latest `count` messages, in order, and whether it has earlier ones: what a
    /// conversation shows first however long its history (thousands of messages).
    pub async fn latest_messages(
        &self,
        store: &ReadStore,
        chat_id: &str,
        count: usize,
    ) -> Result<(Vec<MessageRow>, bool), sqlx::Error> {
        let count = i64::try_from(count).unwrap_or(i64::MAX);
        let last: Option<i64> = sqlx::query_scalar(&format!("SELECT MAX(seq) FROM {MESSAGES} WHERE chat_id = $1"))
            .bind(chat_id)
            .fetch_one(store.pool())
            .await?;
        // A chat's messages are numbered 1, 2, 3… with no gap.
        let after = last.unwrap_or(0).saturating_sub(count).max(0);
        let messages = self.messages_in(store, chat_id, "AND m.seq > $2", Some(after)).await?;
        Ok((messages, after > 0))
    }

    /// What happened to the chat besides its messages (W14), in order; with `since` (RFC 3339),
    /// only from then on.
    pub async fn happenings(
        &self,
        store: &ReadStore,
        chat_id: &str,
        since: Option<&str>,
    ) -> Result<Vec<ChatEvent>, sqlx::Error> {
        let rows = sqlx::query(&format!(
            "SELECT event_type, schema_version, data FROM {HAPPENINGS} WHERE chat_id = $1 AND at >= $2 ORDER BY revision"
        ))
        .bind(chat_id)
        .bind(since.unwrap_or(""))
        .fetch_all(store.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let data: String = row.try_get("data")?;
                let data: serde_json::Value =
                    serde_json::from_str(&data).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
                let version = u32::try_from(row.try_get::<i64, _>("schema_version")?).unwrap_or(1);
                domain::event::decode::<ChatEvent>(&row.try_get::<String, _>("event_type")?, version, &data)
                    .map_err(|e| sqlx::Error::Decode(Box::new(e)))
            })
            .collect()
    }

    /// The chat's messages from `message_id` on, in order, and whether it has earlier ones; none
    /// when the chat has no such message. A page showing a window keeps its first message while
    /// new ones come, so that nothing shown moves.
    pub async fn messages_from(
        &self,
        store: &ReadStore,
        chat_id: &str,
        message_id: &str,
    ) -> Result<Option<(Vec<MessageRow>, bool)>, sqlx::Error> {
        let first: Option<i64> =
            sqlx::query_scalar(&format!("SELECT seq FROM {MESSAGES} WHERE chat_id = $1 AND message_id = $2"))
                .bind(chat_id)
                .bind(message_id)
                .fetch_optional(store.pool())
                .await?;
        let Some(first) = first else { return Ok(None) };
        let messages = self.messages_in(store, chat_id, "AND m.seq >= $2", Some(first)).await?;
        Ok(Some((messages, first > 1)))
    }

    /// The chat's messages with a file, in order (C3).
    pub async fn messages_with_files(&self, store: &ReadStore, chat_id: &str) -> Result<Vec<MessageRow>, sqlx::Error> {
        self.messages_in(store, chat_id, "AND m.media IS NOT NULL", None).await
    }

    /// The chat's messages that `narrowing` (SQL on `m`, with `$2` for `after`) keeps, in order,
    /// with what the channel said of them and the messages they quote.
    async fn messages_in(
        &self,
        store: &ReadStore,
        chat_id: &str,
        narrowing: &str,
        after: Option<i64>,
    ) -> Result<Vec<MessageRow>, sqlx::Error> {
        let sql = format!(
            "SELECT m.message_id, m.direction, m.author, m.text, m.media, m.at, m.delivery, m.delivery_reason, \
             m.choices, m.content, m.file_problem, m.earlier, m.deleted_at, \
             m.provider_id, k.reaction, k.our_reaction, k.status, k.reason FROM {MESSAGES} m \
             LEFT JOIN {MARKS} k ON k.chat_id = m.chat_id AND k.provider_id = m.provider_id \
             WHERE m.chat_id = $1 {narrowing} ORDER BY m.seq"
        );
        let mut query = sqlx::query(&sql).bind(chat_id);
        if let Some(after) = after {
            query = query.bind(after);
        }
        let rows = query.fetch_all(store.pool()).await?;
        let decode = |e: serde_json::Error| sqlx::Error::Decode(Box::new(e));
        let mut messages = rows
            .iter()
            .map(|row| {
                let content: Content = row
                    .try_get::<Option<String>, _>("content")?
                    .map(|json| serde_json::from_str(&json))
                    .transpose()
                    .map_err(decode)?
                    .unwrap_or_default();
                let status = row.try_get::<Option<String>, _>("status")?.and_then(|s| DeliveryStatus::parse(&s));
                Ok(MessageRow {
                    kind: content.kind,
                    file: content.file,
                    location: content.location,
                    cards: content.cards,
                    quoted: content.quoted.map(|provider_id| Quoted { provider_id, message_id: None, text: None }),
                    choice: content.choice,
                    provider_id: row.try_get("provider_id")?,
                    reaction: row.try_get("reaction")?,
                    our_reaction: row.try_get("our_reaction")?,
                    status,
                    status_reason: row.try_get("reason")?,
                    message_id: row.try_get("message_id")?,
                    direction: row.try_get("direction")?,
                    author: row.try_get("author")?,
                    text: row.try_get("text")?,
                    media: row.try_get("media")?,
                    at: row.try_get("at")?,
                    delivery: row.try_get("delivery")?,
                    delivery_reason: row.try_get("delivery_reason")?,
                    earlier: row
                        .try_get::<Option<String>, _>("earlier")?
                        .map(|json| serde_json::from_str(&json))
                        .transpose()
                        .map_err(decode)?
                        .unwrap_or_default(),
                    deleted_at: row.try_get("deleted_at")?,
                    file_problem: row
                        .try_get::<Option<String>, _>("file_problem")?
                        .map(|json| serde_json::from_str(&json))
                        .transpose()
                        .map_err(decode)?,
                    choices: row
                        .try_get::<Option<String>, _>("choices")?
                        .map(|json| serde_json::from_str(&json))
                        .transpose()
                        .map_err(decode)?
                        .unwrap_or_default(),
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        // A quote shows the message it quotes when the chat holds it, shown or earlier.
        let mut by_provider_id: BTreeMap<String, (String, String)> = messages
            .iter()
            .filter_map(|m| Some((m.provider_id.clone()?, (m.message_id.clone(), m.text.clone()))))
            .collect();
        let elsewhere: BTreeSet<String> = messages
            .iter()
            .filter_map(|m| m.quoted.as_ref().map(|q| q.provider_id.clone()))
            .filter(|id| !by_provider_id.contains_key(id))
            .collect();
        for some in elsewhere.into_iter().collect::<Vec<_>>().chunks(rows_per_statement(1)) {
            let asked: Vec<String> = (0..some.len()).map(|i| format!("${}", i + 2)).collect();
            let sql = format!(
                "SELECT provider_id, message_id, text FROM {MESSAGES} WHERE chat_id = $1 AND provider_id IN ({})",
                asked.join(", ")
            );
            let mut query = sqlx::query(&sql).bind(chat_id);
            for id in some {
                query = query.bind(id);
            }
            for row in query.fetch_all(store.pool()).await? {
                by_provider_id.insert(row.try_get("provider_id")?, (row.try_get("message_id")?, row.try_get("text")?));
            }
        }
        for quoted in messages.iter_mut().filter_map(|m| m.quoted.as_mut()) {
            if let Some((message_id, text)) = by_provider_id.get(&quoted.provider_id) {
                (quoted.message_id, quoted.text) = (Some(message_id.clone()), Some(text.clone()));
            }
        }
        Ok(messages)
    }
}

/// A message a chat's event adds to its history.
struct NewMessage {
    message_id: String,
    chat_id: String,
    direction: &'static str,
    author: String,
    text: String,
    media: Option<String>,
    choices: Vec<Choice>,
    /// What a channel's message carries besides its text, as JSON (none: a plain text).
    content: Option<String>,
    /// The channel's id of the message, which reactions, statuses and quotes name.
    provider_id: Option<String>,
    at: String,
    then: ThenChat,
}

/// What a message changes in its chat besides its last message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ThenChat {
    Stays,
    /// Answering an agent's reply makes the chat pending again.
    CustomerSpoke,
    AgentSpoke,
    /// The bot waits for the customer's answer, with nobody else on the chat.
    BotAsks,
}

/// What a run of one chat's events changes in its row, as one change: a page's events of a chat
/// are written with one row of one statement.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct ChatChange {
    /// The state the chat ends in, whatever it was.
    set_state: Option<&'static str>,
    /// Otherwise: a chat that was following becomes pending.
    answered: bool,
    /// Its count of the customer's unanswered messages starts again: a person wrote to the
    /// customer, or the chat was resolved.
    unanswered_reset: bool,
    /// The customer's messages after that (or after all the earlier ones).
    customer_messages: i64,
    /// Its last message's words and moment.
    last: Option<(String, String)>,
    /// Each field below is set (`Some`, to nothing with `Some(None)`) or left as it is (`None`).
    conversation_id: Option<Option<String>>,
    queue_id: Option<Option<String>>,
    agent_id: Option<Option<String>>,
    opened_at: Option<String>,
    waiting_since: Option<String>,
    contact_name: Option<String>,
    name: Option<Option<String>>,
}

impl ThenChat {
    fn change(self) -> ChatChange {
        let set = |state| ChatChange { set_state: Some(state), ..ChatChange::default() };
        match self {
            Self::Stays => ChatChange::default(),
            Self::CustomerSpoke => ChatChange { answered: true, ..ChatChange::default() },
            Self::AgentSpoke => set(state::FOLLOWING),
            Self::BotAsks => ChatChange { queue_id: Some(None), agent_id: Some(None), ..set(state::BOT) },
        }
    }
}

impl ChatChange {
    fn state(state: &'static str) -> Self {
        Self { set_state: Some(state), ..Self::default() }
    }

    /// This change, then `next`.
    fn then(self, next: ChatChange) -> ChatChange {
        let set_state = match (self.set_state, next.set_state) {
            (_, Some(state)) => Some(state),
            (Some(state::FOLLOWING), None) if next.answered => Some(state::PENDING),
            (earlier, None) => earlier,
        };
        ChatChange {
            set_state,
            answered: set_state.is_none() && (self.answered || next.answered),
            unanswered_reset: self.unanswered_reset || next.unanswered_reset,
            customer_messages: if next.unanswered_reset {
                next.customer_messages
            } else {
                self.customer_messages + next.customer_messages
            },
            last: next.last.or(self.last),
            conversation_id: next.conversation_id.or(self.conversation_id),
            queue_id: next.queue_id.or(self.queue_id),
            agent_id: next.agent_id.or(self.agent_id),
            opened_at: next.opened_at.or(self.opened_at),
            waiting_since: next.waiting_since.or(self.waiting_since),
            contact_name: next.contact_name.or(self.contact_name),
            name: next.name.or(self.name),
        }
    }
}

/// A chat a page's events start.
struct NewChat {
    chat_id: String,
    company_id: String,
    line_id: String,
    channel: &'static str,
    contact_id: String,
    contact_name: String,
    at: String,
}

/// How a message of ours went out: its delivery, why it failed, and the channel's id of it (which
/// its statuses and the customer's reactions and quotes name).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Delivery {
    delivery: &'static str,
    reason: Option<String>,
    provider_id: Option<String>,
}

/// What happened to a chat besides its messages, as it is kept.
struct Happening {
    chat_id: String,
    revision: i64,
    event_type: String,
    schema_version: i64,
    data: String,
    at: String,
}

/// What a page's events write, gathered so that it takes a few statements: the chats they start,
/// the messages they add, one change per chat, the tags put on and taken off chats, the
/// deliveries of messages and the happenings. An event that changes something else (a message's
/// words or file, a mark) writes what is gathered first, so that everything lands in the log's
/// order.
#[derive(Default)]
struct Pending {
    chats: Vec<NewChat>,
    messages: Vec<NewMessage>,
    changes: BTreeMap<String, ChatChange>,
    tags: BTreeMap<String, Vec<TagEdit>>,
    deliveries: BTreeMap<String, Delivery>,
    happenings: Vec<Happening>,
}

/// A tag put on a chat or taken off it. Only these change a chat's tags, so a page's edits of a
/// chat's tags are applied together, in their order, after everything else it gathered.
enum TagEdit {
    Put(String),
    TakenOff(String),
}

impl Pending {
    fn change(&mut self, chat_id: String, change: ChatChange) {
        match self.changes.remove(&chat_id) {
            Some(earlier) => self.changes.insert(chat_id, earlier.then(change)),
            None => self.changes.insert(chat_id, change),
        };
    }

    fn tag(&mut self, chat_id: String, edit: TagEdit) {
        self.tags.entry(chat_id).or_default().push(edit);
    }

    fn add_message(&mut self, message: NewMessage) {
        let last = if message.text.is_empty() { wordless(message.content.as_deref()) } else { message.text.clone() };
        let change = ChatChange {
            unanswered_reset: message.direction == "out" && !matches!(message.author.as_str(), "bot" | "system"),
            customer_messages: i64::from(message.direction == "in"),
            last: Some((last, message.at.clone())),
            ..message.then.change()
        };
        self.change(message.chat_id.clone(), change);
        self.messages.push(message);
    }

    /// A later delivery of the same message takes the place of an earlier one; the channel's id
    /// stays once known.
    fn deliver(&mut self, message_id: String, delivery: Delivery) {
        let known = self.deliveries.remove(&message_id).and_then(|earlier| earlier.provider_id);
        let provider_id = delivery.provider_id.or(known);
        self.deliveries.insert(message_id, Delivery { provider_id, ..delivery });
    }

    async fn write(&mut self, connection: &mut AnyConnection) -> Result<(), ProjectionError> {
        let Pending { chats, messages, changes, tags, deliveries, happenings } = std::mem::take(self);
        insert_chats(connection, chats).await?;
        insert_messages(connection, messages).await?;
        change_chats(connection, changes).await?;
        change_tags(connection, tags).await?;
        set_deliveries(connection, deliveries).await?;
        insert_happenings(connection, happenings).await
    }
}

async fn insert_chats(connection: &mut AnyConnection, chats: Vec<NewChat>) -> Result<(), ProjectionError> {
    each_chunk(
        connection,
        &chats,
        13,
        |rows| {
            format!("INSERT INTO {CHATS} ({CHAT_COLUMNS}, opened_at) VALUES {rows} ON CONFLICT (chat_id) DO NOTHING")
        },
        |query, chat| {
            query
                .bind(chat.chat_id.as_str())
                .bind(chat.company_id.as_str())
                .bind(chat.line_id.as_str())
                .bind(chat.channel)
                .bind(chat.contact_id.as_str())
                .bind(chat.contact_name.as_str())
                .bind(state::RESOLVED)
                .bind(None::<String>)
                .bind(None::<String>)
                .bind(None::<String>)
                .bind("")
                .bind(chat.at.as_str())
                .bind(chat.at.as_str())
        },
    )
    .await?;
    Ok(())
}

/// Adds messages to their chats' histories, in order: a few statements however many there are.
async fn insert_messages(connection: &mut AnyConnection, messages: Vec<NewMessage>) -> Result<(), ProjectionError> {
    let chats: Vec<String> = messages.iter().map(|m| m.chat_id.clone()).collect::<BTreeSet<_>>().into_iter().collect();
    // Each chat's last message found by its own step back in the index, not by reading all of its
    // messages.
    let last = each_chunk(
        connection,
        &chats,
        1,
        |rows| {
            format!(
                "WITH asked (chat_id) AS (VALUES {rows}) SELECT asked.chat_id, \
                 (SELECT seq FROM {MESSAGES} WHERE {MESSAGES}.chat_id = asked.chat_id ORDER BY seq DESC LIMIT 1) AS seq \
                 FROM asked"
            )
        },
        |query, chat| query.bind(chat),
    )
    .await?;
    let mut last_seq: BTreeMap<String, i64> = BTreeMap::new();
    for row in last {
        if let Some(seq) = row.try_get::<Option<i64>, _>("seq")? {
            last_seq.insert(row.try_get("chat_id")?, seq);
        }
    }
    let mut numbered = Vec::with_capacity(messages.len());
    for message in messages {
        let seq = last_seq.entry(message.chat_id.clone()).or_insert(0);
        *seq += 1;
        let choices = match message.choices.as_slice() {
            [] => None,
            choices => Some(serde_json::to_string(choices).map_err(|e| sqlx::Error::Encode(Box::new(e)))?),
        };
        numbered.push((*seq, choices, message));
    }
    each_chunk(
        connection,
        &numbered,
        12,
        |rows| {
            format!(
                "INSERT INTO {MESSAGES} (message_id, chat_id, seq, direction, author, text, media, at, delivery, \
                 choices, content, provider_id) VALUES {rows} ON CONFLICT (message_id) DO NOTHING"
            )
        },
        |query, (seq, choices, message)| {
            query
                .bind(message.message_id.as_str())
                .bind(message.chat_id.as_str())
                .bind(*seq)
                .bind(message.direction)
                .bind(message.author.as_str())
                .bind(message.text.as_str())
                .bind(message.media.as_deref())
                .bind(message.at.as_str())
                .bind((message.direction == "out").then_some("pending"))
                .bind(choices.as_deref())
                .bind(message.content.as_deref())
                .bind(message.provider_id.as_deref())
        },
    )
    .await?;
    Ok(())
}

/// Writes each chat's change, a statement for many chats.
async fn change_chats(
    connection: &mut AnyConnection,
    changes: BTreeMap<String, ChatChange>,
) -> Result<(), ProjectionError> {
    let changes: Vec<_> = changes.into_iter().collect();
    let set = |field: &str| {
        format!("{field} = CASE WHEN changed.set_{field} = 1 THEN changed.{field} ELSE {CHATS}.{field} END")
    };
    let kept = |field: &str| format!("{field} = COALESCE(changed.{field}, {CHATS}.{field})");
    each_chunk(
        connection,
        &changes,
        18,
        |rows| {
            format!(
                "WITH changed (chat_id, last_text, last_at, set_state, answered, unanswered_reset, customer_messages, \
                 set_conversation_id, conversation_id, set_queue_id, queue_id, set_agent_id, agent_id, opened_at, \
                 waiting_since, contact_name, set_name, name) AS (VALUES {rows}) \
                 UPDATE {CHATS} SET {last_text}, {last_at}, \
                 unanswered = changed.customer_messages + \
                   CASE WHEN changed.unanswered_reset = 1 THEN 0 ELSE {CHATS}.unanswered END, \
                 state = COALESCE(changed.set_state, \
                   CASE WHEN changed.answered = 1 AND {CHATS}.state = '{following}' THEN '{pending}' ELSE {CHATS}.state END), \
                 {conversation}, {queue}, {agent}, {opened_at}, {waiting_since}, {contact_name}, {name} \
                 FROM changed WHERE {CHATS}.chat_id = changed.chat_id",
                last_text = kept("last_text"),
                last_at = kept("last_at"),
                following = state::FOLLOWING,
                pending = state::PENDING,
                conversation = set("conversation_id"),
                queue = set("queue_id"),
                agent = set("agent_id"),
                opened_at = kept("opened_at"),
                waiting_since = kept("waiting_since"),
                contact_name = kept("contact_name"),
                name = set("name"),
            )
        },
        |query, (chat, change)| {
            let (text, at) = change.last.as_ref().map(|(text, at)| (text.as_str(), at.as_str())).unzip();
            let settable = |field: &Option<Option<String>>| (i64::from(field.is_some()), field.clone().flatten());
            let (set_conversation, conversation) = settable(&change.conversation_id);
            let (set_queue, queue) = settable(&change.queue_id);
            let (set_agent, agent) = settable(&change.agent_id);
            let (set_name, name) = settable(&change.name);
            query
                .bind(chat.as_str())
                .bind(text)
                .bind(at)
                .bind(change.set_state)
                .bind(i64::from(change.answered))
                .bind(i64::from(change.unanswered_reset))
                .bind(change.customer_messages)
                .bind(set_conversation)
                .bind(conversation)
                .bind(set_queue)
                .bind(queue)
                .bind(set_agent)
                .bind(agent)
                .bind(change.opened_at.as_deref())
                .bind(change.waiting_since.as_deref())
                .bind(change.contact_name.as_deref())
                .bind(set_name)
                .bind(name)
        },
    )
    .await?;
    Ok(())
}

async fn set_deliveries(
    connection: &mut AnyConnection,
    deliveries: BTreeMap<String, Delivery>,
) -> Result<(), ProjectionError> {
    let deliveries: Vec<_> = deliveries.into_iter().collect();
    each_chunk(
        connection,
        &deliveries,
        4,
        |rows| {
            format!(
                "WITH delivered (message_id, delivery, reason, provider_id) AS (VALUES {rows}) \
                 UPDATE {MESSAGES} SET delivery = delivered.delivery, delivery_reason = delivered.reason, \
                 provider_id = COALESCE(delivered.provider_id, {MESSAGES}.provider_id) \
                 FROM delivered WHERE {MESSAGES}.message_id = delivered.message_id"
            )
        },
        |query, (message_id, delivery)| {
            query
                .bind(message_id.as_str())
                .bind(delivery.delivery)
                .bind(delivery.reason.as_deref())
                .bind(delivery.provider_id.as_deref())
        },
    )
    .await?;
    Ok(())
}

async fn insert_happenings(connection: &mut AnyConnection, happenings: Vec<Happening>) -> Result<(), ProjectionError> {
    each_chunk(
        connection,
        &happenings,
        6,
        |rows| {
            format!(
                "INSERT INTO {HAPPENINGS} (chat_id, revision, event_type, schema_version, data, at) VALUES {rows} \
                 ON CONFLICT (chat_id, revision) DO NOTHING"
            )
        },
        |query, happening| {
            query
                .bind(happening.chat_id.as_str())
                .bind(happening.revision)
                .bind(happening.event_type.as_str())
                .bind(happening.schema_version)
                .bind(happening.data.as_str())
                .bind(happening.at.as_str())
        },
    )
    .await?;
    Ok(())
}

/// What a chat's list shows for its last message when it has no text: a sign of its kind.
fn wordless(content: Option<&str>) -> String {
    let kind = content.and_then(|json| serde_json::from_str::<Content>(json).ok()).map(|c| c.kind);
    match kind {
        Some(MessageKind::Location) => "📍",
        Some(MessageKind::Contacts) => "👤",
        Some(MessageKind::Unsupported) => "❔",
        Some(MessageKind::Sticker) => "🙂",
        Some(MessageKind::Audio | MessageKind::Voice) => "🎤",
        _ => "📎",
    }
    .to_string()
}

/// Who acted, as a message's author is written: a person's id, `bot` or `system`.
fn author_of(by: domain::chat::Resolver) -> String {
    match by {
        domain::chat::Resolver::Agent(id) | domain::chat::Resolver::Supervisor(id) => id.to_string(),
        domain::chat::Resolver::Bot => "bot".into(),
        domain::chat::Resolver::System => "system".into(),
    }
}

/// A note between colleagues in a chat's history, never sent to the customer; the event's id is
/// the note's.
fn note(
    event: &RecordedEvent,
    chat_id: domain::ids::ChatId,
    author: &str,
    text: String,
    at: chrono::DateTime<chrono::Utc>,
) -> NewMessage {
    NewMessage {
        message_id: event.event_id.to_string(),
        chat_id: chat_id.to_string(),
        direction: "note",
        author: author.to_string(),
        text,
        media: None,
        choices: Vec::new(),
        content: None,
        provider_id: None,
        at: at.to_rfc3339(),
        then: ThenChat::Stays,
    }
}

/// A message of the bot's that changes nothing else: the rest is said where it is added.
fn bot_message(
    chat_id: domain::ids::ChatId,
    message_id: uuid::Uuid,
    text: String,
    at: chrono::DateTime<chrono::Utc>,
) -> NewMessage {
    NewMessage {
        message_id: message_id.to_string(),
        chat_id: chat_id.to_string(),
        direction: "out",
        author: "bot".into(),
        text,
        media: None,
        choices: Vec::new(),
        content: None,
        provider_id: None,
        at: at.to_rfc3339(),
        then: ThenChat::Stays,
    }
}

/// The message a chat's event adds to its history, or the event back when it adds none.
fn message_of(event: &RecordedEvent, chat_event: ChatEvent) -> Result<NewMessage, Box<ChatEvent>> {
    Ok(match chat_event {
        ChatEvent::CustomerMessageReceived { chat_id, message_id, text, media, content, at, .. } => NewMessage {
            message_id: format!("{chat_id}:{message_id}"),
            chat_id: chat_id.to_string(),
            direction: "in",
            author: "customer".into(),
            text,
            media,
            choices: Vec::new(),
            content: (!content.is_plain()).then(|| serde_json::to_string(&content).unwrap_or_default()),
            provider_id: Some(message_id),
            at: at.to_rfc3339(),
            then: ThenChat::CustomerSpoke,
        },
        ChatEvent::AgentReplied { chat_id, message_id, agent, text, quoted, location, media, template, at } => {
            NewMessage {
                message_id: message_id.to_string(),
                chat_id: chat_id.to_string(),
                direction: "out",
                author: agent.to_string(),
                text,
                media: media.clone(),
                choices: Vec::new(),
                content: {
                    let kind = match (&location, &template, &media) {
                        (Some(_), _, _) => MessageKind::Location,
                        (None, Some(_), _) => MessageKind::Template,
                        (None, None, Some(media)) => domain::media::kind_of(media),
                        (None, None, None) => MessageKind::Text,
                    };
                    let content = Content { kind, quoted, location, ..Content::default() };
                    (!content.is_plain()).then(|| serde_json::to_string(&content).unwrap_or_default())
                },
                provider_id: None,
                at: at.to_rfc3339(),
                then: ThenChat::AgentSpoke,
            }
        }
        ChatEvent::WaitingPositionTold { chat_id, message_id, text, at, .. }
        | ChatEvent::BotSaid { chat_id, message_id, text, at }
        | ChatEvent::MenuReminderSent { chat_id, message_id, text, at } => bot_message(chat_id, message_id, text, at),
        ChatEvent::MenuShown { chat_id, message_id, text, choices, at, .. }
        | ChatEvent::InputRequested { chat_id, message_id, text, choices, at, .. }
        | ChatEvent::ConsentAsked { chat_id, message_id, text, choices, at } => {
            NewMessage { choices, then: ThenChat::BotAsks, ..bot_message(chat_id, message_id, text, at) }
        }
        ChatEvent::BotSentFile { chat_id, message_id, text, media, at } => {
            NewMessage { media: Some(media), ..bot_message(chat_id, message_id, text, at) }
        }
        // What the customer answered the bot, where the agent who takes the chat reads it.
        ChatEvent::FormCompleted { chat_id, answers, at } => {
            let text = answers.iter().map(|(name, value)| format!("{name}: {value}")).collect::<Vec<_>>().join("\n");
            note(event, chat_id, "bot", text, at)
        }
        ChatEvent::WebQueryFailed { chat_id, reason, at, .. } => {
            note(event, chat_id, "system", format!("The bot's web query failed: {reason}"), at)
        }
        ChatEvent::AnswersEmailFailed { chat_id, reason, at, .. } => {
            note(event, chat_id, "system", format!("The e-mail of the customer's answers failed: {reason}"), at)
        }
        ChatEvent::Transferred { chat_id, by, note: Some(text), at, .. } => {
            note(event, chat_id, &author_of(by), text, at)
        }
        ChatEvent::NoteWritten { chat_id, note_id, by, text, at } => {
            NewMessage { message_id: note_id.to_string(), ..note(event, chat_id, &author_of(by), text, at) }
        }
        ChatEvent::LeftByOfflineAgent { chat_id, at, .. } => {
            note(event, chat_id, "system", "The agent went offline: passed on to the next agent".into(), at)
        }
        ChatEvent::ReplyDeadlineMissed { chat_id, at, .. } => {
            note(event, chat_id, "system", "Not answered in time: passed on to the next agent".into(), at)
        }
        other => return Err(Box::new(other)),
    })
}

/// Applies each chat's tag edits to the tags it has: one statement reads them for many chats,
/// another writes them.
async fn change_tags(
    connection: &mut AnyConnection,
    edits: BTreeMap<String, Vec<TagEdit>>,
) -> Result<(), ProjectionError> {
    let chats: Vec<&String> = edits.keys().collect();
    let kept = each_chunk(
        connection,
        &chats,
        1,
        |rows| format!("WITH asked (chat_id) AS (VALUES {rows}) SELECT {CHATS}.chat_id, tags FROM {CHATS} JOIN asked ON {CHATS}.chat_id = asked.chat_id"),
        |query, chat| query.bind(chat.as_str()),
    )
    .await?;
    let mut changed = Vec::with_capacity(kept.len());
    for row in kept {
        let chat_id: String = row.try_get("chat_id")?;
        let tags: String = row.try_get("tags")?;
        let mut tags: Vec<String> = serde_json::from_str(&tags).unwrap_or_default();
        for edit in edits.get(&chat_id).into_iter().flatten() {
            match edit {
                TagEdit::Put(tag) => tags.push(tag.clone()),
                TagEdit::TakenOff(tag) => tags.retain(|kept| kept != tag),
            }
        }
        let tags = serde_json::to_string(&tags).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
        changed.push((chat_id, tags));
    }
    each_chunk(
        connection,
        &changed,
        2,
        |rows| {
            format!(
                "WITH tagged (chat_id, tags) AS (VALUES {rows}) UPDATE {CHATS} SET tags = tagged.tags \
                 FROM tagged WHERE {CHATS}.chat_id = tagged.chat_id"
            )
        },
        |query, (chat_id, tags)| query.bind(chat_id.as_str()).bind(tags.as_str()),
    )
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
             opened_at TEXT NOT NULL, name TEXT, tags TEXT NOT NULL DEFAULT '[]', unanswered BIGINT NOT NULL DEFAULT 0, \
             waiting_since TEXT)"
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
             at TEXT NOT NULL, delivery TEXT, delivery_reason TEXT, choices TEXT, content TEXT, provider_id TEXT, \
             file_problem TEXT, earlier TEXT, deleted_at TEXT)"
        ))
        .execute(&mut *connection)
        .await?;
        sqlx::query(&format!("CREATE INDEX IF NOT EXISTS {MESSAGES}_chat ON {MESSAGES} (chat_id, seq)"))
            .execute(&mut *connection)
            .await?;
        // A chat's files (C3) without reading its thousands of words.
        sqlx::query(&format!(
            "CREATE INDEX IF NOT EXISTS {MESSAGES}_files ON {MESSAGES} (chat_id, seq) WHERE media IS NOT NULL"
        ))
        .execute(&mut *connection)
        .await?;
        // What the channel says of a message, by its id on the channel: kept apart from the
        // message, so that a report arriving before the message it names is not lost.
        sqlx::query(&format!(
            "CREATE TABLE IF NOT EXISTS {HAPPENINGS} (chat_id TEXT NOT NULL, revision BIGINT NOT NULL, \
             event_type TEXT NOT NULL, schema_version BIGINT NOT NULL, data TEXT NOT NULL, at TEXT NOT NULL, \
             PRIMARY KEY (chat_id, revision))"
        ))
        .execute(&mut *connection)
        .await?;
        sqlx::query(&format!(
            "CREATE TABLE IF NOT EXISTS {MARKS} (chat_id TEXT NOT NULL, provider_id TEXT NOT NULL, \
             reaction TEXT, our_reaction TEXT, status TEXT, reason TEXT, PRIMARY KEY (chat_id, provider_id))"
        ))
        .execute(&mut *connection)
        .await?;
        Ok(())
    }

    fn reads(&self, event: &RecordedEvent) -> bool {
        ChatEvent::NAMES.contains(&event.event_type.as_str())
    }

    async fn apply(&self, connection: &mut AnyConnection, event: &RecordedEvent) -> Result<(), ProjectionError> {
        self.apply_all(connection, &[event]).await
    }

    /// A batch's events are gathered and written together (see [`Pending`]).
    async fn apply_all(
        &self,
        connection: &mut AnyConnection,
        events: &[&RecordedEvent],
    ) -> Result<(), ProjectionError> {
        let mut pending = Pending::default();
        for event in events {
            if HAPPENING_TYPES.contains(&event.event_type.as_str()) {
                pending.happenings.push(happening(event));
            }
            match message_of(event, decode_event::<ChatEvent>(event)?) {
                Ok(message) => pending.add_message(message),
                Err(other) => apply_other(connection, &mut pending, event, *other).await?,
            }
        }
        pending.write(connection).await
    }
}

/// An event of what happened to a chat as the log holds it, with when it happened.
fn happening(event: &RecordedEvent) -> Happening {
    let chat_id = event.data.get("chat_id").and_then(serde_json::Value::as_str).unwrap_or_default();
    let at = event.data.get("at").and_then(serde_json::Value::as_str).map(str::to_string);
    let at = at
        .and_then(|at| chrono::DateTime::parse_from_rfc3339(&at).ok())
        .map_or_else(|| event.metadata.occurred_at.to_rfc3339(), |at| at.with_timezone(&chrono::Utc).to_rfc3339());
    Happening {
        chat_id: chat_id.to_string(),
        revision: i64::try_from(event.revision).unwrap_or(i64::MAX),
        event_type: event.event_type.clone(),
        schema_version: i64::from(event.metadata.schema_version),
        data: event.data.to_string(),
        at,
    }
}

/// Applies an event that adds no message: what it changes in the chat's row or a message's
/// delivery is gathered in `pending`; anything else is written at once, after what is gathered.
async fn apply_other(
    connection: &mut AnyConnection,
    pending: &mut Pending,
    event: &RecordedEvent,
    chat_event: ChatEvent,
) -> Result<(), ProjectionError> {
    match chat_event {
        ChatEvent::Started { chat_id, company_id, line_id, channel, contact_id, contact_name, .. } => {
            pending.chats.push(NewChat {
                chat_id: chat_id.to_string(),
                company_id: company_id.to_string(),
                line_id: line_id.to_string(),
                channel: channel.as_str(),
                contact_id,
                contact_name,
                at: event.metadata.occurred_at.to_rfc3339(),
            });
        }
        ChatEvent::ContactNameSeen { chat_id, name, .. } => {
            pending.change(chat_id.to_string(), ChatChange { contact_name: Some(name), ..ChatChange::default() })
        }
        ChatEvent::ConversationOpened { chat_id, conversation_id, at } => pending.change(
            chat_id.to_string(),
            ChatChange {
                conversation_id: Some(Some(conversation_id.to_string())),
                opened_at: Some(at.to_rfc3339()),
                agent_id: Some(None),
                queue_id: Some(None),
                ..ChatChange::default()
            },
        ),
        ChatEvent::Queued { chat_id, queue, at, .. } => pending.change(
            chat_id.to_string(),
            ChatChange {
                queue_id: Some(Some(queue.to_string())),
                agent_id: Some(None),
                waiting_since: Some(at.to_rfc3339()),
                ..ChatChange::state(state::WAITING)
            },
        ),
        ChatEvent::Assigned { chat_id, agent, queue, .. } => pending.change(
            chat_id.to_string(),
            ChatChange {
                queue_id: Some(Some(queue.to_string())),
                agent_id: Some(Some(agent.to_string())),
                ..ChatChange::state(state::PENDING)
            },
        ),
        ChatEvent::ConsentGiven { .. }
        | ChatEvent::ConsentRefused { .. }
        | ChatEvent::InputAccepted { .. }
        | ChatEvent::InputRejected { .. }
        | ChatEvent::InputAbandoned { .. }
        | ChatEvent::WebQueryRequested { .. }
        | ChatEvent::WebQueryAnswered { .. }
        | ChatEvent::AnswersEmailRequested { .. }
        | ChatEvent::AnswersEmailed { .. } => {}
        ChatEvent::BotStopped { chat_id, .. } => pending.change(chat_id.to_string(), ChatChange::state(state::OPEN)),
        ChatEvent::MenuOptionChosen { .. }
        | ChatEvent::MenuAnswerRejected { .. }
        | ChatEvent::KeyPhraseHeard { .. }
        | ChatEvent::AssignmentGreetingSet { .. }
        | ChatEvent::MenuTimedOut { .. }
        | ChatEvent::BotResumed { .. } => {}
        ChatEvent::Transferred { note: None, .. }
        | ChatEvent::ReplyDeadlineSet { .. }
        | ChatEvent::OwnAgentSet { .. } => {}
        ChatEvent::Renamed { chat_id, name, .. } => {
            pending.change(chat_id.to_string(), ChatChange { name: Some(name), ..ChatChange::default() })
        }
        ChatEvent::Resolved { chat_id, .. } => pending.change(
            chat_id.to_string(),
            ChatChange {
                conversation_id: Some(None),
                agent_id: Some(None),
                unanswered_reset: true,
                ..ChatChange::state(state::RESOLVED)
            },
        ),
        ChatEvent::Delivered { message_id, provider_message_id, .. } => pending.deliver(
            message_id.to_string(),
            Delivery { delivery: "delivered", reason: None, provider_id: provider_message_id },
        ),
        ChatEvent::DeliveryFailed { message_id, reason, .. } => pending
            .deliver(message_id.to_string(), Delivery { delivery: "failed", reason: Some(reason), provider_id: None }),
        // Written by `apply_all` with the messages around them; here for completeness.
        message @ (ChatEvent::CustomerMessageReceived { .. }
        | ChatEvent::AgentReplied { .. }
        | ChatEvent::WaitingPositionTold { .. }
        | ChatEvent::BotSaid { .. }
        | ChatEvent::MenuReminderSent { .. }
        | ChatEvent::MenuShown { .. }
        | ChatEvent::InputRequested { .. }
        | ChatEvent::ConsentAsked { .. }
        | ChatEvent::BotSentFile { .. }
        | ChatEvent::FormCompleted { .. }
        | ChatEvent::WebQueryFailed { .. }
        | ChatEvent::AnswersEmailFailed { .. }
        | ChatEvent::Transferred { note: Some(_), .. }
        | ChatEvent::NoteWritten { .. }
        | ChatEvent::LeftByOfflineAgent { .. }
        | ChatEvent::ReplyDeadlineMissed { .. }) => {
            if let Ok(message) = message_of(event, message) {
                pending.add_message(message);
            }
        }
        ChatEvent::Tagged { chat_id, tag, .. } => pending.tag(chat_id.to_string(), TagEdit::Put(tag)),
        ChatEvent::Untagged { chat_id, tag, .. } => pending.tag(chat_id.to_string(), TagEdit::TakenOff(tag)),
        rare @ (ChatEvent::FileKept { .. }
        | ChatEvent::FileFetchFailed { .. }
        | ChatEvent::AgentReacted { .. }
        | ChatEvent::CustomerReacted { .. }
        | ChatEvent::StatusReported { .. }
        | ChatEvent::MessageEdited { .. }
        | ChatEvent::MessageDeleted { .. }) => {
            pending.write(connection).await?;
            apply_at_once(connection, rare).await?;
        }
    }
    Ok(())
}

/// Writes at once what a rarer event changes: a message's file, words or deletion, a
/// reaction or a channel's status of a message.
async fn apply_at_once(connection: &mut AnyConnection, chat_event: ChatEvent) -> Result<(), ProjectionError> {
    match chat_event {
        ChatEvent::FileKept { chat_id, message_id, media, .. } => {
            sqlx::query(&format!("UPDATE {MESSAGES} SET media = $1, file_problem = NULL WHERE message_id = $2"))
                .bind(media)
                .bind(format!("{chat_id}:{message_id}"))
                .execute(&mut *connection)
                .await?;
        }
        ChatEvent::FileFetchFailed { chat_id, message_id, reason, retry_at, .. } => {
            let problem = FileProblem { reason, retry_at: retry_at.map(|at| at.to_rfc3339()) };
            let problem = serde_json::to_string(&problem).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
            sqlx::query(&format!("UPDATE {MESSAGES} SET file_problem = $1 WHERE message_id = $2 AND media IS NULL"))
                .bind(problem)
                .bind(format!("{chat_id}:{message_id}"))
                .execute(&mut *connection)
                .await?;
        }
        ChatEvent::AgentReacted { chat_id, to, emoji, .. } => {
            set_reaction(connection, "our_reaction", chat_id, to, emoji).await?
        }
        ChatEvent::CustomerReacted { chat_id, to, emoji, .. } => {
            set_reaction(connection, "reaction", chat_id, to, emoji).await?
        }
        ChatEvent::StatusReported { chat_id, provider_message_id, status, reason, .. } => {
            let current =
                sqlx::query(&format!("SELECT status, reason FROM {MARKS} WHERE chat_id = $1 AND provider_id = $2"))
                    .bind(chat_id.to_string())
                    .bind(&provider_message_id)
                    .fetch_optional(&mut *connection)
                    .await?;
            let (was, had_reason) = match &current {
                Some(row) => (
                    row.try_get::<Option<String>, _>("status")?.and_then(|s| DeliveryStatus::parse(&s)),
                    row.try_get::<Option<String>, _>("reason")?,
                ),
                None => (None, None),
            };
            let merged = DeliveryStatus::merge(was, status);
            let reason = if merged == DeliveryStatus::Failed { reason.or(had_reason) } else { None };
            sqlx::query(&format!(
                "INSERT INTO {MARKS} (chat_id, provider_id, status, reason) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (chat_id, provider_id) DO UPDATE SET status = excluded.status, reason = excluded.reason"
            ))
            .bind(chat_id.to_string())
            .bind(provider_message_id)
            .bind(merged.as_str())
            .bind(reason)
            .execute(&mut *connection)
            .await?;
        }
        ChatEvent::MessageEdited { message_id, text, at, .. } => {
            edit_message(connection, message_id.to_string(), text, at.to_rfc3339()).await?
        }
        ChatEvent::MessageDeleted { message_id, at, .. } => {
            sqlx::query(&format!("UPDATE {MESSAGES} SET deleted_at = $1 WHERE message_id = $2"))
                .bind(at.to_rfc3339())
                .bind(message_id.to_string())
                .execute(&mut *connection)
                .await?;
        }
        // Gathered by `apply_other`.
        _ => {}
    }
    Ok(())
}

/// A message's new words, its earlier ones kept after those it had before.
async fn edit_message(
    connection: &mut AnyConnection,
    message_id: String,
    text: String,
    at: String,
) -> Result<(), ProjectionError> {
    let row = sqlx::query(&format!("SELECT text, earlier FROM {MESSAGES} WHERE message_id = $1"))
        .bind(&message_id)
        .fetch_optional(&mut *connection)
        .await?;
    let Some(row) = row else { return Ok(()) };
    let mut earlier: Vec<EarlierWords> = row
        .try_get::<Option<String>, _>("earlier")?
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default();
    earlier.push(EarlierWords { text: row.try_get("text")?, until: at });
    let earlier = serde_json::to_string(&earlier).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    sqlx::query(&format!("UPDATE {MESSAGES} SET text = $1, earlier = $2 WHERE message_id = $3"))
        .bind(text)
        .bind(earlier)
        .bind(message_id)
        .execute(&mut *connection)
        .await?;
    Ok(())
}

/// A reaction on the message the channel knows by `to`: the customer's (`reaction`) or the
/// agent's (`our_reaction`); none takes it back.
async fn set_reaction(
    connection: &mut AnyConnection,
    whose: &'static str,
    chat_id: domain::ids::ChatId,
    to: String,
    emoji: Option<String>,
) -> Result<(), ProjectionError> {
    sqlx::query(&format!(
        "INSERT INTO {MARKS} (chat_id, provider_id, {whose}) VALUES ($1, $2, $3) \
         ON CONFLICT (chat_id, provider_id) DO UPDATE SET {whose} = excluded.{whose}"
    ))
    .bind(chat_id.to_string())
    .bind(to)
    .bind(emoji)
    .execute(&mut *connection)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A chat's state, whether it has an agent and its unanswered messages, as the statement that
    /// writes a change leaves them.
    type Row = (&'static str, bool, i64);
    fn written(change: &ChatChange, (state, assigned, unanswered): Row) -> Row {
        let state = match change.set_state {
            Some(set) => set,
            None if change.answered && state == state::FOLLOWING => state::PENDING,
            None => state,
        };
        let unanswered = change.customer_messages + if change.unanswered_reset { 0 } else { unanswered };
        (state, change.agent_id.as_ref().map_or(assigned, Option::is_some), unanswered)
    }

    #[test]
    fn a_chats_changes_in_a_row_leave_it_as_written_one_after_the_other() {
        let customer_wrote = ChatChange {
            customer_messages: 1,
            last: Some(("hi".into(), "t".into())),
            ..ThenChat::CustomerSpoke.change()
        };
        let agent_answered = ChatChange { unanswered_reset: true, ..ThenChat::AgentSpoke.change() };
        let queued =
            ChatChange { queue_id: Some(Some("q".into())), agent_id: Some(None), ..ChatChange::state(state::WAITING) };
        let assigned = ChatChange {
            queue_id: Some(Some("q".into())),
            agent_id: Some(Some("a".into())),
            ..ChatChange::state(state::PENDING)
        };
        let resolved = ChatChange {
            conversation_id: Some(None),
            agent_id: Some(None),
            unanswered_reset: true,
            ..ChatChange::state(state::RESOLVED)
        };
        let kinds = [
            ThenChat::Stays.change(),
            customer_wrote,
            agent_answered,
            ThenChat::BotAsks.change(),
            queued,
            assigned,
            resolved,
            ChatChange::state(state::OPEN),
        ];
        let states = [state::BOT, state::OPEN, state::WAITING, state::PENDING, state::FOLLOWING, state::RESOLVED];
        let mut rows: Vec<Vec<ChatChange>> = vec![vec![]];
        for _ in 0..4 {
            rows = rows.iter().flat_map(|row| kinds.clone().map(|kind| [row.clone(), vec![kind]].concat())).collect();
        }
        for row in rows {
            for given in states.iter().flat_map(|state| [(*state, true, 2), (*state, false, 0)]) {
                let one_by_one = row.iter().fold(given, |chat, change| written(change, chat));
                let together = row.iter().cloned().fold(ChatChange::default(), ChatChange::then);
                assert_eq!(written(&together, given), one_by_one, "{row:?} on {given:?}");
            }
        }
    }
}
