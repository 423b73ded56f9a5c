//! Each company's message templates (W12, W13) with the provider's last decision, found by the
//! provider's id when its decisions arrive.

use crate::runner::{decode_event, Projection, ProjectionError};
use crate::store::ReadStore;
use async_trait::async_trait;
use domain::template::{TemplateCategory, TemplateEvent};
use eventlog::RecordedEvent;
use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Row};

crate::projection_names!("templates", version 1, tables { TEMPLATES = "templates" });

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TemplateRow {
    pub template_id: String,
    pub company_id: String,
    /// The line whose account it was submitted through.
    pub line_id: String,
    /// Shared by all the company's lines, or only `line_id`'s.
    pub shared: bool,
    pub name: String,
    pub language: String,
    pub category: TemplateCategory,
    pub body: String,
    pub provider_id: String,
    /// The provider's last word: `PENDING`, `APPROVED`, `REJECTED`, `PAUSED`…
    pub status: String,
    /// Why, for a rejection.
    pub reason: Option<String>,
}

const COLUMNS: &str =
    "template_id, company_id, line_id, shared, name, language, category, body, provider_id, status, reason";

fn template_row(row: &sqlx::any::AnyRow) -> Result<TemplateRow, sqlx::Error> {
    let category: String = row.try_get("category")?;
    Ok(TemplateRow {
        template_id: row.try_get("template_id")?,
        company_id: row.try_get("company_id")?,
        line_id: row.try_get("line_id")?,
        shared: row.try_get::<i64, _>("shared")? == 1,
        name: row.try_get("name")?,
        language: row.try_get("language")?,
        category: serde_json::from_value(serde_json::Value::String(category))
            .map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
        body: row.try_get("body")?,
        provider_id: row.try_get("provider_id")?,
        status: row.try_get("status")?,
        reason: row.try_get("reason")?,
    })
}

#[derive(Default)]
pub struct Templates;

impl Templates {
    pub async fn templates_of(&self, store: &ReadStore, company: &str) -> Result<Vec<TemplateRow>, sqlx::Error> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM {TEMPLATES} WHERE company_id = $1 ORDER BY name, language, template_id"
        ))
        .bind(company)
        .fetch_all(store.pool())
        .await?;
        rows.iter().map(template_row).collect()
    }

    pub async fn template_by_provider_id(
        &self,
        store: &ReadStore,
        provider_id: &str,
    ) -> Result<Option<TemplateRow>, sqlx::Error> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM {TEMPLATES} WHERE provider_id = $1"))
            .bind(provider_id)
            .fetch_optional(store.pool())
            .await?;
        row.as_ref().map(template_row).transpose()
    }
}

#[async_trait]
impl Projection for Templates {
    fn name(&self) -> &'static str {
        NAME
    }

    fn version(&self) -> u32 {
        VERSION
    }

    async fn create_tables(&self, connection: &mut AnyConnection) -> Result<(), ProjectionError> {
        sqlx::query(&format!(
            "CREATE TABLE IF NOT EXISTS {TEMPLATES} (template_id TEXT PRIMARY KEY, company_id TEXT NOT NULL, \
             line_id TEXT NOT NULL, shared INTEGER NOT NULL, name TEXT NOT NULL, language TEXT NOT NULL, \
             category TEXT NOT NULL, body TEXT NOT NULL, provider_id TEXT NOT NULL, status TEXT NOT NULL, reason TEXT)"
        ))
        .execute(&mut *connection)
        .await?;
        sqlx::query(&format!("CREATE INDEX IF NOT EXISTS {TEMPLATES}_provider ON {TEMPLATES} (provider_id)"))
            .execute(&mut *connection)
            .await?;
        Ok(())
    }

    fn reads(&self, event: &RecordedEvent) -> bool {
        TemplateEvent::NAMES.contains(&event.event_type.as_str())
    }

    async fn apply(&self, connection: &mut AnyConnection, event: &RecordedEvent) -> Result<(), ProjectionError> {
        match decode_event::<TemplateEvent>(event)? {
            TemplateEvent::Submitted { template_id, company_id, line_id, shared, draft, provider_id, status } => {
                let category = serde_json::to_value(draft.category)
                    .map_err(|e| ProjectionError::Event { event_id: event.event_id, reason: e.to_string() })?;
                sqlx::query(&format!(
                    "INSERT INTO {TEMPLATES} ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL) \
                     ON CONFLICT (template_id) DO NOTHING"
                ))
                .bind(template_id.to_string())
                .bind(company_id.to_string())
                .bind(line_id.to_string())
                .bind(i64::from(shared))
                .bind(draft.name)
                .bind(draft.language)
                .bind(category.as_str().unwrap_or_default().to_string())
                .bind(draft.body)
                .bind(provider_id)
                .bind(status)
                .execute(&mut *connection)
                .await?;
            }
            TemplateEvent::StatusChanged { template_id, status, reason } => {
                sqlx::query(&format!("UPDATE {TEMPLATES} SET status = $1, reason = $2 WHERE template_id = $3"))
                    .bind(status)
                    .bind(reason)
                    .bind(template_id.to_string())
                    .execute(&mut *connection)
                    .await?;
            }
        }
        Ok(())
    }
}
