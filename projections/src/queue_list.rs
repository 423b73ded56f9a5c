//! The queues of each company, by name, with their members (R1, R2).

use crate::runner::{decode_event, Projection, ProjectionError};
use crate::store::ReadStore;
use crate::tables::table_name;
use async_trait::async_trait;
use domain::ids::CompanyId;
use domain::queue::{QueueEvent, QueueSettings};
use eventlog::RecordedEvent;
use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Row};

pub const NAME: &str = "queue_list";
/// 2: members. 3: settings. 4: the queues' table named as every projection's are
/// (`queue_list_queues_v4`).
pub const VERSION: u32 = 4;

/// One queue as the supervisor's list shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueueRow {
    pub queue_id: String,
    pub name: String,
    pub created_at: String,
    /// Agent ids, in the order they joined.
    pub members: Vec<String>,
    pub settings: QueueSettings,
}

/// Its version is a field, not a constant, so that a test can fold the same events into another
/// version's tables and compare them with a rebuild.
pub struct QueueList {
    version: u32,
}

impl QueueList {
    pub fn new() -> Self {
        Self { version: VERSION }
    }

    /// The same fold into another version's tables: a rebuild from position 0.
    pub fn at_version(version: u32) -> Self {
        Self { version }
    }

    fn table(&self) -> String {
        table_name(NAME, "queues", self.version)
    }

    fn members_table(&self) -> String {
        table_name(NAME, "members", self.version)
    }

    /// A company's queues, alphabetically.
    pub async fn queues_of(&self, store: &ReadStore, company: CompanyId) -> Result<Vec<QueueRow>, sqlx::Error> {
        let rows = sqlx::query(&format!(
            "SELECT queue_id, name, created_at, settings FROM {} WHERE company_id = $1 ORDER BY lower(name), queue_id",
            self.table()
        ))
        .bind(company.to_string())
        .fetch_all(store.pool())
        .await?;
        let mut queues = rows
            .iter()
            .map(|row| {
                let settings: Option<String> = row.try_get("settings")?;
                Ok(QueueRow {
                    queue_id: row.try_get("queue_id")?,
                    name: row.try_get("name")?,
                    created_at: row.try_get("created_at")?,
                    members: Vec::new(),
                    settings: settings.and_then(|s| serde_json::from_str(&s).ok()).unwrap_or_default(),
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        let members = sqlx::query(&format!(
            "SELECT m.queue_id, m.agent_id FROM {} m JOIN {} q ON q.queue_id = m.queue_id \
             WHERE q.company_id = $1 ORDER BY m.joined",
            self.members_table(),
            self.table()
        ))
        .bind(company.to_string())
        .fetch_all(store.pool())
        .await?;
        for member in members {
            let queue_id: String = member.try_get("queue_id")?;
            if let Some(queue) = queues.iter_mut().find(|q| q.queue_id == queue_id) {
                queue.members.push(member.try_get("agent_id")?);
            }
        }
        Ok(queues)
    }
}

impl Default for QueueList {
    fn default() -> Self {
        Self::new()
    }
}

#[async_trait]
impl Projection for QueueList {
    fn name(&self) -> &'static str {
        NAME
    }

    fn version(&self) -> u32 {
        self.version
    }

    async fn create_tables(&self, connection: &mut AnyConnection) -> Result<(), ProjectionError> {
        let table = self.table();
        sqlx::query(&format!(
            "CREATE TABLE IF NOT EXISTS {table} (queue_id TEXT PRIMARY KEY, company_id TEXT NOT NULL, \
             name TEXT NOT NULL, created_at TEXT NOT NULL, settings TEXT)"
        ))
        .execute(&mut *connection)
        .await?;
        sqlx::query(&format!(
            "CREATE TABLE IF NOT EXISTS {} (queue_id TEXT NOT NULL, agent_id TEXT NOT NULL, joined BIGINT NOT NULL, \
             PRIMARY KEY (queue_id, agent_id))",
            self.members_table()
        ))
        .execute(&mut *connection)
        .await?;
        sqlx::query(&format!("CREATE INDEX IF NOT EXISTS {table}_company ON {table} (company_id)"))
            .execute(&mut *connection)
            .await?;
        Ok(())
    }

    fn reads(&self, event: &RecordedEvent) -> bool {
        matches!(
            event.event_type.as_str(),
            QueueEvent::CREATED
                | QueueEvent::RENAMED
                | QueueEvent::AGENT_ADDED
                | QueueEvent::AGENT_REMOVED
                | QueueEvent::SETTINGS_CHANGED
        )
    }

    async fn apply(&self, connection: &mut AnyConnection, event: &RecordedEvent) -> Result<(), ProjectionError> {
        let decoded = decode_event::<QueueEvent>(event)?;
        match decoded {
            QueueEvent::Created { queue_id, company_id, name } => {
                sqlx::query(&format!(
                    "INSERT INTO {} (queue_id, company_id, name, created_at) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (queue_id) DO NOTHING",
                    self.table()
                ))
                .bind(queue_id.to_string())
                .bind(company_id.to_string())
                .bind(name.as_str().to_string())
                .bind(event.metadata.occurred_at.to_rfc3339())
                .execute(&mut *connection)
                .await?;
            }
            QueueEvent::AgentAdded { queue_id, agent } => {
                sqlx::query(&format!(
                    "INSERT INTO {} (queue_id, agent_id, joined) VALUES ($1, $2, $3) ON CONFLICT (queue_id, agent_id) DO NOTHING",
                    self.members_table()
                ))
                .bind(queue_id.to_string())
                .bind(agent.to_string())
                .bind(event.position.sequence)
                .execute(&mut *connection)
                .await?;
            }
            QueueEvent::Renamed { queue_id, name } => {
                sqlx::query(&format!("UPDATE {} SET name = $1 WHERE queue_id = $2", self.table()))
                    .bind(name.as_str().to_string())
                    .bind(queue_id.to_string())
                    .execute(&mut *connection)
                    .await?;
            }
            QueueEvent::SettingsChanged { queue_id, settings } => {
                let settings = serde_json::to_string(&settings)
                    .map_err(|e| ProjectionError::Event { event_id: event.event_id, reason: e.to_string() })?;
                sqlx::query(&format!("UPDATE {} SET settings = $1 WHERE queue_id = $2", self.table()))
                    .bind(settings)
                    .bind(queue_id.to_string())
                    .execute(&mut *connection)
                    .await?;
            }
            QueueEvent::AgentRemoved { queue_id, agent } => {
                sqlx::query(&format!("DELETE FROM {} WHERE queue_id = $1 AND agent_id = $2", self.members_table()))
                    .bind(queue_id.to_string())
                    .bind(agent.to_string())
                    .execute(&mut *connection)
                    .await?;
            }
        }
        Ok(())
    }
}
