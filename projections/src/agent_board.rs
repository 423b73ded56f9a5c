//! Pause reasons of each company and each agent's working state (O1, O2, A3): capacity, and
//! whether and why they are paused since when, their pauses of the day, and where they are connected.

use crate::runner::{decode_event, Projection, ProjectionError};
use crate::store::ReadStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::agent::AgentEvent;
use domain::pause::PauseReasonEvent;
use eventlog::RecordedEvent;
use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Row};
use std::collections::BTreeMap;

// Versions — 2: presence.
crate::projection_names!("agent_board", version 2, tables {
    REASONS = "reasons",
    AGENTS = "agents",
    PRESENCE = "presence",
    PAUSES = "pauses",
});

/// The capacity an agent has until a supervisor sets one.
pub const DEFAULT_CAPACITY: i64 = domain::agent::DEFAULT_CAPACITY as i64;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReasonRow {
    pub id: String,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentStateRow {
    pub agent_id: String,
    pub capacity: i64,
    pub paused_reason: Option<String>,
    pub paused_since: Option<String>,
    /// Connected live on at least one node.
    pub online: bool,
}

/// Seconds an agent spent paused for one reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PausedTime {
    pub agent_id: String,
    pub reason: String,
    pub seconds: i64,
}

#[derive(Default)]
pub struct AgentBoard;

impl AgentBoard {
    /// A company's pause reasons in use, by name.
    pub async fn reasons_of(&self, store: &ReadStore, company: &str) -> Result<Vec<ReasonRow>, sqlx::Error> {
        let rows = sqlx::query(&format!(
            "SELECT reason_id, name FROM {REASONS} WHERE company_id = $1 AND retired = 0 ORDER BY lower(name)"
        ))
        .bind(company)
        .fetch_all(store.pool())
        .await?;
        rows.iter().map(|row| Ok(ReasonRow { id: row.try_get("reason_id")?, name: row.try_get("name")? })).collect()
    }

    /// Time each agent of a company spent paused, per reason, between `from` and `to`.
    pub async fn paused_between(
        &self,
        store: &ReadStore,
        company: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<PausedTime>, sqlx::Error> {
        let rows = sqlx::query(&format!(
            "SELECT agent_id, reason, started, ended FROM {PAUSES} \
             WHERE company_id = $1 AND started < $2 AND (ended IS NULL OR ended > $3)"
        ))
        .bind(company)
        .bind(to.to_rfc3339())
        .bind(from.to_rfc3339())
        .fetch_all(store.pool())
        .await?;
        let mut totals: BTreeMap<(String, String), i64> = BTreeMap::new();
        for row in &rows {
            let moment =
                |text: Option<String>| text.and_then(|t| DateTime::parse_from_rfc3339(&t).ok()).map(|t| t.to_utc());
            let started = moment(row.try_get("started")?).unwrap_or(from).max(from);
            let ended = moment(row.try_get("ended")?).unwrap_or(to).min(to);
            *totals.entry((row.try_get("agent_id")?, row.try_get("reason")?)).or_default() +=
                (ended - started).num_seconds().max(0);
        }
        Ok(totals.into_iter().map(|((agent_id, reason), seconds)| PausedTime { agent_id, reason, seconds }).collect())
    }

    /// The agents (and their companies) connected on `node`.
    pub async fn online_on(&self, store: &ReadStore, node: &str) -> Result<Vec<(String, String)>, sqlx::Error> {
        let rows = sqlx::query(&format!(
            "SELECT p.agent_id, a.company_id FROM {PRESENCE} p JOIN {AGENTS} a ON a.agent_id = p.agent_id \
             WHERE p.node = $1"
        ))
        .bind(node)
        .fetch_all(store.pool())
        .await?;
        rows.iter().map(|row| Ok((row.try_get("agent_id")?, row.try_get("company_id")?))).collect()
    }

    /// The working state of every agent of a company that has one recorded.
    pub async fn agents_of(&self, store: &ReadStore, company: &str) -> Result<Vec<AgentStateRow>, sqlx::Error> {
        let rows = sqlx::query(&format!(
            "SELECT agent_id, capacity, paused_reason, paused_since, \
             EXISTS (SELECT 1 FROM {PRESENCE} p WHERE p.agent_id = a.agent_id) AS online \
             FROM {AGENTS} a WHERE company_id = $1"
        ))
        .bind(company)
        .fetch_all(store.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(AgentStateRow {
                    agent_id: row.try_get("agent_id")?,
                    capacity: row.try_get("capacity")?,
                    paused_reason: row.try_get("paused_reason")?,
                    paused_since: row.try_get("paused_since")?,
                    online: online_flag(row)?,
                })
            })
            .collect()
    }
}

#[async_trait]
impl Projection for AgentBoard {
    fn name(&self) -> &'static str {
        NAME
    }

    fn version(&self) -> u32 {
        VERSION
    }

    async fn create_tables(&self, connection: &mut AnyConnection) -> Result<(), ProjectionError> {
        sqlx::query(&format!(
            "CREATE TABLE IF NOT EXISTS {REASONS} (reason_id TEXT PRIMARY KEY, company_id TEXT NOT NULL, \
             name TEXT NOT NULL, retired INTEGER NOT NULL)"
        ))
        .execute(&mut *connection)
        .await?;
        sqlx::query(&format!(
            "CREATE TABLE IF NOT EXISTS {AGENTS} (agent_id TEXT PRIMARY KEY, company_id TEXT NOT NULL, \
             capacity BIGINT NOT NULL, paused_reason TEXT, paused_since TEXT)"
        ))
        .execute(&mut *connection)
        .await?;
        sqlx::query(&format!(
            "CREATE TABLE IF NOT EXISTS {PAUSES} (agent_id TEXT NOT NULL, company_id TEXT NOT NULL, \
             reason TEXT NOT NULL, started TEXT NOT NULL, ended TEXT)"
        ))
        .execute(&mut *connection)
        .await?;
        sqlx::query(&format!("CREATE INDEX IF NOT EXISTS {PAUSES}_company ON {PAUSES} (company_id, started)"))
            .execute(&mut *connection)
            .await?;
        sqlx::query(&format!(
            "CREATE TABLE IF NOT EXISTS {PRESENCE} (agent_id TEXT NOT NULL, node TEXT NOT NULL, since TEXT NOT NULL, \
             PRIMARY KEY (agent_id, node))"
        ))
        .execute(&mut *connection)
        .await?;
        Ok(())
    }

    /// Pause reasons, and agents' capacity, pauses and presence; not the chats they receive.
    fn reads(&self, event: &RecordedEvent) -> bool {
        PauseReasonEvent::NAMES.contains(&event.event_type.as_str())
            || matches!(
                event.event_type.as_str(),
                AgentEvent::CAPACITY_SET
                    | AgentEvent::PAUSED
                    | AgentEvent::RESUMED
                    | AgentEvent::CAME_ONLINE
                    | AgentEvent::WENT_OFFLINE
            )
    }

    async fn apply(&self, connection: &mut AnyConnection, event: &RecordedEvent) -> Result<(), ProjectionError> {
        let company = event.metadata.company_id.to_string();
        if PauseReasonEvent::NAMES.contains(&event.event_type.as_str()) {
            match decode_event::<PauseReasonEvent>(event)? {
                PauseReasonEvent::Created { reason_id, name } | PauseReasonEvent::Renamed { reason_id, name } => {
                    sqlx::query(&format!(
                        "INSERT INTO {REASONS} (reason_id, company_id, name, retired) VALUES ($1, $2, $3, 0) \
                             ON CONFLICT (reason_id) DO UPDATE SET name = excluded.name"
                    ))
                    .bind(reason_id.to_string())
                    .bind(company)
                    .bind(name)
                    .execute(&mut *connection)
                    .await?;
                }
                PauseReasonEvent::Retired { reason_id } => {
                    sqlx::query(&format!("UPDATE {REASONS} SET retired = 1 WHERE reason_id = $1"))
                        .bind(reason_id.to_string())
                        .execute(&mut *connection)
                        .await?;
                }
            }
        } else {
            apply_agent_event(connection, &company, decode_event::<AgentEvent>(event)?).await?;
        }
        Ok(())
    }
}

/// SQLite answers `EXISTS` as an integer, PostgreSQL as a boolean.
fn online_flag(row: &sqlx::any::AnyRow) -> Result<bool, sqlx::Error> {
    row.try_get::<bool, _>("online").or_else(|_| row.try_get::<i64, _>("online").map(|n| n != 0))
}

async fn apply_agent_event(
    connection: &mut AnyConnection,
    company: &str,
    event: AgentEvent,
) -> Result<(), ProjectionError> {
    let agent = match &event {
        AgentEvent::CapacitySet { agent, .. }
        | AgentEvent::Paused { agent, .. }
        | AgentEvent::Resumed { agent, .. }
        | AgentEvent::CameOnline { agent, .. }
        | AgentEvent::WentOffline { agent, .. }
        | AgentEvent::ReceivedChat { agent, .. } => agent.to_string(),
    };
    sqlx::query(&format!(
        "INSERT INTO {AGENTS} (agent_id, company_id, capacity, paused_reason, paused_since) \
         VALUES ($1, $2, $3, NULL, NULL) ON CONFLICT (agent_id) DO NOTHING"
    ))
    .bind(&agent)
    .bind(company)
    .bind(DEFAULT_CAPACITY)
    .execute(&mut *connection)
    .await?;
    let _ = match event {
        AgentEvent::CapacitySet { capacity, .. } => {
            sqlx::query(&format!("UPDATE {AGENTS} SET capacity = $1 WHERE agent_id = $2"))
                .bind(i64::from(capacity))
                .bind(agent)
                .execute(&mut *connection)
                .await?
        }
        AgentEvent::Paused { reason, since, .. } => {
            sqlx::query(&format!(
                "INSERT INTO {PAUSES} (agent_id, company_id, reason, started, ended) VALUES ($1, $2, $3, $4, NULL)"
            ))
            .bind(&agent)
            .bind(company)
            .bind(&reason)
            .bind(since.to_rfc3339())
            .execute(&mut *connection)
            .await?;
            sqlx::query(&format!("UPDATE {AGENTS} SET paused_reason = $1, paused_since = $2 WHERE agent_id = $3"))
                .bind(reason)
                .bind(since.to_rfc3339())
                .bind(agent)
                .execute(&mut *connection)
                .await?
        }
        AgentEvent::Resumed { at, .. } => {
            sqlx::query(&format!("UPDATE {PAUSES} SET ended = $1 WHERE agent_id = $2 AND ended IS NULL"))
                .bind(at.to_rfc3339())
                .bind(&agent)
                .execute(&mut *connection)
                .await?;
            sqlx::query(&format!("UPDATE {AGENTS} SET paused_reason = NULL, paused_since = NULL WHERE agent_id = $1"))
                .bind(agent)
                .execute(&mut *connection)
                .await?
        }
        AgentEvent::CameOnline { node, at, .. } => {
            sqlx::query(&format!(
            "INSERT INTO {PRESENCE} (agent_id, node, since) VALUES ($1, $2, $3) ON CONFLICT (agent_id, node) DO NOTHING"
        ))
            .bind(agent)
            .bind(node)
            .bind(at.to_rfc3339())
            .execute(&mut *connection)
            .await?
        }
        AgentEvent::WentOffline { node, .. } => {
            sqlx::query(&format!("DELETE FROM {PRESENCE} WHERE agent_id = $1 AND node = $2"))
                .bind(agent)
                .bind(node)
                .execute(&mut *connection)
                .await?
        }
        AgentEvent::ReceivedChat { .. } => return Ok(()),
    };
    Ok(())
}
