//! What each agent did with their chats: every assignment with when they first answered it, and
//! every conversation they resolved — the agent's own dashboard (P11) over any span of time.

use crate::runner::{decode_event, Projection, ProjectionError};
use crate::store::ReadStore;
use async_trait::async_trait;
use domain::chat::{ChatEvent, Resolver};
use eventlog::RecordedEvent;
use sqlx::{AnyConnection, Row};

crate::projection_names!("agent_work", version 1, tables {
    ASSIGNMENTS = "assignments",
    RESOLUTIONS = "resolutions"
});

/// An agent's work between two moments.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AgentSpan {
    /// Conversations they resolved.
    pub resolved: i64,
    /// Chats assigned to them that they answered, and the milliseconds from each assignment to
    /// their first answer, added up.
    pub answered: i64,
    pub first_response_ms: i64,
}

impl AgentSpan {
    /// The average time to a first answer, in whole seconds; none when nothing was answered.
    pub fn average_first_response_seconds(&self) -> Option<i64> {
        (self.answered > 0).then(|| self.first_response_ms / self.answered / 1000)
    }
}

#[derive(Default)]
pub struct AgentWork;

impl AgentWork {
    /// What `agent` did from `since` (included) to `until` (excluded), in milliseconds since the
    /// epoch: an assignment counts in the span it was made in.
    pub async fn span_of(
        &self,
        store: &ReadStore,
        agent: &str,
        since: i64,
        until: i64,
    ) -> Result<AgentSpan, sqlx::Error> {
        let resolved: i64 = sqlx::query(&format!(
            "SELECT COUNT(*) AS resolved FROM {RESOLUTIONS} WHERE agent_id = $1 AND resolved_ms >= $2 AND resolved_ms < $3"
        ))
        .bind(agent)
        .bind(since)
        .bind(until)
        .fetch_one(store.pool())
        .await?
        .try_get("resolved")?;
        // Summed here, not in SQL: the two databases answer sums of big integers in different types.
        let waits = sqlx::query(&format!(
            "SELECT first_reply_ms - assigned_ms AS waited FROM {ASSIGNMENTS} \
             WHERE agent_id = $1 AND assigned_ms >= $2 AND assigned_ms < $3 AND first_reply_ms IS NOT NULL"
        ))
        .bind(agent)
        .bind(since)
        .bind(until)
        .fetch_all(store.pool())
        .await?;
        let mut span = AgentSpan { resolved, ..AgentSpan::default() };
        for row in waits {
            span.answered += 1;
            span.first_response_ms += row.try_get::<i64, _>("waited")?.max(0);
        }
        Ok(span)
    }
}

#[async_trait]
impl Projection for AgentWork {
    fn name(&self) -> &'static str {
        NAME
    }

    fn version(&self) -> u32 {
        VERSION
    }

    async fn create_tables(&self, connection: &mut AnyConnection) -> Result<(), ProjectionError> {
        sqlx::query(&format!(
            "CREATE TABLE IF NOT EXISTS {ASSIGNMENTS} (event_id TEXT PRIMARY KEY, chat_id TEXT NOT NULL, \
             agent_id TEXT NOT NULL, revision BIGINT NOT NULL, assigned_ms BIGINT NOT NULL, first_reply_ms BIGINT)"
        ))
        .execute(&mut *connection)
        .await?;
        sqlx::query(&format!(
            "CREATE INDEX IF NOT EXISTS {ASSIGNMENTS}_agent ON {ASSIGNMENTS} (agent_id, assigned_ms)"
        ))
        .execute(&mut *connection)
        .await?;
        sqlx::query(&format!("CREATE INDEX IF NOT EXISTS {ASSIGNMENTS}_chat ON {ASSIGNMENTS} (chat_id, revision)"))
            .execute(&mut *connection)
            .await?;
        sqlx::query(&format!(
            "CREATE TABLE IF NOT EXISTS {RESOLUTIONS} (event_id TEXT PRIMARY KEY, chat_id TEXT NOT NULL, \
             agent_id TEXT NOT NULL, resolved_ms BIGINT NOT NULL)"
        ))
        .execute(&mut *connection)
        .await?;
        sqlx::query(&format!(
            "CREATE INDEX IF NOT EXISTS {RESOLUTIONS}_agent ON {RESOLUTIONS} (agent_id, resolved_ms)"
        ))
        .execute(&mut *connection)
        .await?;
        Ok(())
    }

    fn reads(&self, event: &RecordedEvent) -> bool {
        matches!(
            event.event_type.as_str(),
            ChatEvent::CHAT_ASSIGNED | ChatEvent::AGENT_REPLIED | ChatEvent::CHAT_RESOLVED
        )
    }

    async fn apply(&self, connection: &mut AnyConnection, event: &RecordedEvent) -> Result<(), ProjectionError> {
        match decode_event::<ChatEvent>(event)? {
            ChatEvent::Assigned { chat_id, agent, at, .. } => {
                sqlx::query(&format!(
                    "INSERT INTO {ASSIGNMENTS} (event_id, chat_id, agent_id, revision, assigned_ms) \
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (event_id) DO NOTHING"
                ))
                .bind(event.event_id.to_string())
                .bind(chat_id.to_string())
                .bind(agent.to_string())
                .bind(i64::try_from(event.revision).unwrap_or(i64::MAX))
                .bind(at.timestamp_millis())
                .execute(&mut *connection)
                .await?;
            }
            // The first answer of the chat's latest assignment, when it is this agent's.
            ChatEvent::AgentReplied { chat_id, agent, at, .. } => {
                sqlx::query(&format!(
                    "UPDATE {ASSIGNMENTS} SET first_reply_ms = $1 WHERE chat_id = $2 AND agent_id = $3 \
                     AND first_reply_ms IS NULL \
                     AND revision = (SELECT MAX(revision) FROM {ASSIGNMENTS} WHERE chat_id = $2)"
                ))
                .bind(at.timestamp_millis())
                .bind(chat_id.to_string())
                .bind(agent.to_string())
                .execute(&mut *connection)
                .await?;
            }
            ChatEvent::Resolved { chat_id, by: Resolver::Agent(agent), at, .. } => {
                sqlx::query(&format!(
                    "INSERT INTO {RESOLUTIONS} (event_id, chat_id, agent_id, resolved_ms) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (event_id) DO NOTHING"
                ))
                .bind(event.event_id.to_string())
                .bind(chat_id.to_string())
                .bind(agent.to_string())
                .bind(at.timestamp_millis())
                .execute(&mut *connection)
                .await?;
            }
            _ => {}
        }
        Ok(())
    }
}
