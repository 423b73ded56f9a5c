//! Pause reasons of each company and each agent's working state (O1, O2, A3): capacity, and
//! whether and why they are paused since when.

use crate::runner::{decode_event, Projection, ProjectionError};
use crate::store::ReadStore;
use async_trait::async_trait;
use domain::pause::{AgentEvent, PauseReasonEvent};
use eventlog::RecordedEvent;
use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Row};

pub const NAME: &str = "agent_board";
pub const VERSION: u32 = 1;
const REASONS: &str = "agent_board_reasons_v1";
const AGENTS: &str = "agent_board_agents_v1";

/// The capacity an agent has until a supervisor sets one.
pub const DEFAULT_CAPACITY: i64 = 3;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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

    /// The working state of every agent of a company that has one recorded.
    pub async fn agents_of(&self, store: &ReadStore, company: &str) -> Result<Vec<AgentStateRow>, sqlx::Error> {
        let rows = sqlx::query(&format!(
            "SELECT agent_id, capacity, paused_reason, paused_since FROM {AGENTS} WHERE company_id = $1"
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
        Ok(())
    }

    async fn apply(&self, connection: &mut AnyConnection, event: &RecordedEvent) -> Result<(), ProjectionError> {
        let company = event.metadata.company_id.to_string();
        match event.event_type.as_str() {
            "PauseReasonCreated" | "PauseReasonRenamed" | "PauseReasonRetired" => {
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
            }
            "AgentCapacitySet" | "AgentPaused" | "AgentResumed" => {
                let decoded = decode_event::<AgentEvent>(event)?;
                let (agent, capacity, reason, since) = match decoded {
                    AgentEvent::CapacitySet { agent, capacity } => (agent, Some(i64::from(capacity)), None, None),
                    AgentEvent::Paused { agent, reason, since, .. } => {
                        (agent, None, Some(reason), Some(since.to_rfc3339()))
                    }
                    AgentEvent::Resumed { agent, .. } => (agent, None, None, None),
                };
                sqlx::query(&format!(
                    "INSERT INTO {AGENTS} (agent_id, company_id, capacity, paused_reason, paused_since) \
                     VALUES ($1, $2, $3, NULL, NULL) ON CONFLICT (agent_id) DO NOTHING"
                ))
                .bind(agent.to_string())
                .bind(company)
                .bind(DEFAULT_CAPACITY)
                .execute(&mut *connection)
                .await?;
                match capacity {
                    Some(capacity) => {
                        sqlx::query(&format!("UPDATE {AGENTS} SET capacity = $1 WHERE agent_id = $2"))
                            .bind(capacity)
                            .bind(agent.to_string())
                            .execute(&mut *connection)
                            .await?
                    }
                    None => {
                        sqlx::query(&format!(
                            "UPDATE {AGENTS} SET paused_reason = $1, paused_since = $2 WHERE agent_id = $3"
                        ))
                        .bind(reason)
                        .bind(since)
                        .bind(agent.to_string())
                        .execute(&mut *connection)
                        .await?
                    }
                };
            }
            _ => {}
        }
        Ok(())
    }
}
