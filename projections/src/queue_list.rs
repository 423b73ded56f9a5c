//! The queues of each company, by name (R2).

use crate::runner::{Projection, ProjectionError};
use crate::store::ReadStore;
use async_trait::async_trait;
use domain::event::decode;
use domain::ids::CompanyId;
use domain::queue::QueueEvent;
use eventlog::RecordedEvent;
use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Row};

pub const NAME: &str = "queue_list";
pub const VERSION: u32 = 1;

/// One queue as the supervisor's list shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueRow {
    pub queue_id: String,
    pub name: String,
    pub created_at: String,
}

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
        format!("{NAME}_v{}", self.version)
    }

    /// A company's queues, alphabetically.
    pub async fn queues_of(
        &self,
        store: &ReadStore,
        company: CompanyId,
    ) -> Result<Vec<QueueRow>, sqlx::Error> {
        let rows = sqlx::query(&format!(
            "SELECT queue_id, name, created_at FROM {} WHERE company_id = $1 ORDER BY lower(name), queue_id",
            self.table()
        ))
        .bind(company.to_string())
        .fetch_all(store.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(QueueRow {
                    queue_id: row.try_get("queue_id")?,
                    name: row.try_get("name")?,
                    created_at: row.try_get("created_at")?,
                })
            })
            .collect()
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
             name TEXT NOT NULL, created_at TEXT NOT NULL)"
        ))
        .execute(&mut *connection)
        .await?;
        sqlx::query(&format!(
            "CREATE INDEX IF NOT EXISTS {table}_company ON {table} (company_id)"
        ))
        .execute(&mut *connection)
        .await?;
        Ok(())
    }

    async fn apply(
        &self,
        connection: &mut AnyConnection,
        event: &RecordedEvent,
    ) -> Result<(), ProjectionError> {
        if event.event_type != "QueueCreated" {
            return Ok(());
        }
        let decoded = decode::<QueueEvent>(
            &event.event_type,
            event.metadata.schema_version,
            event.data.clone(),
        )
        .map_err(|e| ProjectionError::Event {
            event_id: event.event_id,
            reason: e.to_string(),
        })?;
        match decoded {
            QueueEvent::Created {
                queue_id,
                company_id,
                name,
            } => {
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
        }
        Ok(())
    }
}
