//! Colleagues' internal chats (G8): each conversation of two people with its last message and what
//! each of them has not read, and every message in order.

use crate::runner::{decode_event, Projection, ProjectionError};
use crate::store::ReadStore;
use async_trait::async_trait;
use domain::internal_chat::InternalChatEvent;
use eventlog::RecordedEvent;
use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Row};

crate::projection_names!("internal_chats", version 1, tables {
    CONVERSATIONS = "conversations",
    MESSAGES = "messages"
});

/// One person's conversation with a colleague, as their list shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InternalChatRow {
    pub internal_chat_id: String,
    /// The other person.
    pub colleague: String,
    pub last_text: String,
    pub last_at: String,
    pub last_from: String,
    /// What the colleague wrote that this person has not read.
    pub unread: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InternalMessageRow {
    pub message_id: String,
    pub from: String,
    pub text: String,
    pub at: String,
}

#[derive(Default)]
pub struct InternalChats;

impl InternalChats {
    /// The conversations `person` takes part in, the latest first.
    pub async fn conversations_of(
        &self,
        store: &ReadStore,
        company: &str,
        person: &str,
    ) -> Result<Vec<InternalChatRow>, sqlx::Error> {
        let rows = sqlx::query(&format!(
            "SELECT internal_chat_id, \
             CASE WHEN person_a = $2 THEN person_b ELSE person_a END AS colleague, \
             CASE WHEN person_a = $2 THEN unread_a ELSE unread_b END AS unread, \
             last_text, last_at, last_from FROM {CONVERSATIONS} \
             WHERE company_id = $1 AND (person_a = $2 OR person_b = $2) ORDER BY last_at DESC, internal_chat_id"
        ))
        .bind(company)
        .bind(person)
        .fetch_all(store.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(InternalChatRow {
                    internal_chat_id: row.try_get("internal_chat_id")?,
                    colleague: row.try_get("colleague")?,
                    last_text: row.try_get("last_text")?,
                    last_at: row.try_get("last_at")?,
                    last_from: row.try_get("last_from")?,
                    unread: row.try_get("unread")?,
                })
            })
            .collect()
    }

    /// Every message of a conversation, in order.
    pub async fn messages(
        &self,
        store: &ReadStore,
        internal_chat: &str,
    ) -> Result<Vec<InternalMessageRow>, sqlx::Error> {
        let rows = sqlx::query(&format!(
            "SELECT message_id, from_id, text, at FROM {MESSAGES} WHERE internal_chat_id = $1 ORDER BY revision"
        ))
        .bind(internal_chat)
        .fetch_all(store.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(InternalMessageRow {
                    message_id: row.try_get("message_id")?,
                    from: row.try_get("from_id")?,
                    text: row.try_get("text")?,
                    at: row.try_get("at")?,
                })
            })
            .collect()
    }
}

#[async_trait]
impl Projection for InternalChats {
    fn name(&self) -> &'static str {
        NAME
    }

    fn version(&self) -> u32 {
        VERSION
    }

    async fn create_tables(&self, connection: &mut AnyConnection) -> Result<(), ProjectionError> {
        sqlx::query(&format!(
            "CREATE TABLE IF NOT EXISTS {CONVERSATIONS} (internal_chat_id TEXT PRIMARY KEY, company_id TEXT NOT NULL, \
             person_a TEXT NOT NULL, person_b TEXT NOT NULL, last_text TEXT NOT NULL, last_at TEXT NOT NULL, \
             last_from TEXT NOT NULL, unread_a BIGINT NOT NULL DEFAULT 0, unread_b BIGINT NOT NULL DEFAULT 0)"
        ))
        .execute(&mut *connection)
        .await?;
        for person in ["person_a", "person_b"] {
            sqlx::query(&format!(
                "CREATE INDEX IF NOT EXISTS {CONVERSATIONS}_{person} ON {CONVERSATIONS} (company_id, {person})"
            ))
            .execute(&mut *connection)
            .await?;
        }
        sqlx::query(&format!(
            "CREATE TABLE IF NOT EXISTS {MESSAGES} (message_id TEXT PRIMARY KEY, internal_chat_id TEXT NOT NULL, \
             revision BIGINT NOT NULL, from_id TEXT NOT NULL, text TEXT NOT NULL, at TEXT NOT NULL)"
        ))
        .execute(&mut *connection)
        .await?;
        sqlx::query(&format!("CREATE INDEX IF NOT EXISTS {MESSAGES}_chat ON {MESSAGES} (internal_chat_id, revision)"))
            .execute(&mut *connection)
            .await?;
        Ok(())
    }

    fn reads(&self, event: &RecordedEvent) -> bool {
        InternalChatEvent::NAMES.contains(&event.event_type.as_str())
    }

    async fn apply(&self, connection: &mut AnyConnection, event: &RecordedEvent) -> Result<(), ProjectionError> {
        match decode_event::<InternalChatEvent>(event)? {
            InternalChatEvent::MessageSent { internal_chat_id, company_id, message_id, from, to, text, at } => {
                let (from, to, at, id) =
                    (from.to_string(), to.to_string(), at.to_rfc3339(), internal_chat_id.to_string());
                let (a, b) = if from <= to { (&from, &to) } else { (&to, &from) };
                sqlx::query(&format!(
                    "INSERT INTO {CONVERSATIONS} (internal_chat_id, company_id, person_a, person_b, last_text, last_at, \
                     last_from) VALUES ($1, $2, $3, $4, '', $5, $6) ON CONFLICT (internal_chat_id) DO NOTHING"
                ))
                .bind(&id)
                .bind(company_id.to_string())
                .bind(a)
                .bind(b)
                .bind(&at)
                .bind(&from)
                .execute(&mut *connection)
                .await?;
                // The one who did not write has one more to read.
                sqlx::query(&format!(
                    "UPDATE {CONVERSATIONS} SET last_text = $2, last_at = $3, last_from = $4, \
                     unread_a = unread_a + CASE WHEN person_a = $5 THEN 1 ELSE 0 END, \
                     unread_b = unread_b + CASE WHEN person_b = $5 THEN 1 ELSE 0 END WHERE internal_chat_id = $1"
                ))
                .bind(&id)
                .bind(&text)
                .bind(&at)
                .bind(&from)
                .bind(&to)
                .execute(&mut *connection)
                .await?;
                sqlx::query(&format!(
                    "INSERT INTO {MESSAGES} (message_id, internal_chat_id, revision, from_id, text, at) \
                     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (message_id) DO NOTHING"
                ))
                .bind(message_id.to_string())
                .bind(&id)
                .bind(i64::try_from(event.revision).unwrap_or(i64::MAX))
                .bind(&from)
                .bind(&text)
                .bind(&at)
                .execute(&mut *connection)
                .await?;
            }
            InternalChatEvent::Read { internal_chat_id, by, up_to, .. } => {
                // Unread: what the other wrote after the message read, should they have written
                // more meanwhile.
                let (id, by) = (internal_chat_id.to_string(), by.to_string());
                let left: i64 = sqlx::query(&format!(
                    "SELECT COUNT(*) AS left_unread FROM {MESSAGES} WHERE internal_chat_id = $1 AND from_id <> $2 \
                     AND revision > (SELECT revision FROM {MESSAGES} WHERE message_id = $3)"
                ))
                .bind(&id)
                .bind(&by)
                .bind(up_to.to_string())
                .fetch_one(&mut *connection)
                .await?
                .try_get("left_unread")?;
                sqlx::query(&format!(
                    "UPDATE {CONVERSATIONS} SET \
                     unread_a = CASE WHEN person_a = $2 THEN $3 ELSE unread_a END, \
                     unread_b = CASE WHEN person_b = $2 THEN $3 ELSE unread_b END WHERE internal_chat_id = $1"
                ))
                .bind(&id)
                .bind(&by)
                .bind(left)
                .execute(&mut *connection)
                .await?;
            }
        }
        Ok(())
    }
}
