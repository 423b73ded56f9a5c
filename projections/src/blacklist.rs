//! Each company's blacklist (G19): the accounts on it, why, since when, and how many of their
//! messages were dropped.

use crate::runner::{decode_event, Projection, ProjectionError};
use crate::store::ReadStore;
use async_trait::async_trait;
use domain::blacklist::BlacklistEvent;
use domain::contact::Account;
use eventlog::RecordedEvent;
use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Row};

crate::projection_names!("blacklist", version 1, tables { ENTRIES = "entries" });

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BlacklistRow {
    /// `whatsapp`, `instagram`, `messenger`, `web` or `api`.
    pub channel: String,
    pub account_id: String,
    pub reason: String,
    /// Who listed it (a user id) and when (RFC 3339).
    pub added_by: String,
    pub added_at: String,
    /// Messages from it dropped since it was listed.
    pub dropped: i64,
}

const COLUMNS: &str = "channel, account_id, reason, added_by, added_at, dropped";

fn entry_row(row: &sqlx::any::AnyRow) -> Result<BlacklistRow, sqlx::Error> {
    Ok(BlacklistRow {
        channel: row.try_get("channel")?,
        account_id: row.try_get("account_id")?,
        reason: row.try_get("reason")?,
        added_by: row.try_get("added_by")?,
        added_at: row.try_get("added_at")?,
        dropped: row.try_get("dropped")?,
    })
}

#[derive(Default)]
pub struct Blacklists;

impl Blacklists {
    pub async fn entries_of(&self, store: &ReadStore, company: &str) -> Result<Vec<BlacklistRow>, sqlx::Error> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM {ENTRIES} WHERE company_id = $1 ORDER BY added_at DESC, account_id"
        ))
        .bind(company)
        .fetch_all(store.pool())
        .await?;
        rows.iter().map(entry_row).collect()
    }

    /// The entry of `account` on `company`'s blacklist, if it is listed.
    pub async fn entry(
        &self,
        store: &ReadStore,
        company: &str,
        account: &Account,
    ) -> Result<Option<BlacklistRow>, sqlx::Error> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM {ENTRIES} WHERE company_id = $1 AND channel = $2 AND account_id = $3"
        ))
        .bind(company)
        .bind(account.channel.as_str())
        .bind(&account.id)
        .fetch_optional(store.pool())
        .await?;
        row.as_ref().map(entry_row).transpose()
    }
}

#[async_trait]
impl Projection for Blacklists {
    fn name(&self) -> &'static str {
        NAME
    }

    fn version(&self) -> u32 {
        VERSION
    }

    async fn create_tables(&self, connection: &mut AnyConnection) -> Result<(), ProjectionError> {
        sqlx::query(&format!(
            "CREATE TABLE IF NOT EXISTS {ENTRIES} (company_id TEXT NOT NULL, channel TEXT NOT NULL, \
             account_id TEXT NOT NULL, reason TEXT NOT NULL, added_by TEXT NOT NULL, added_at TEXT NOT NULL, \
             dropped BIGINT NOT NULL DEFAULT 0, PRIMARY KEY (company_id, channel, account_id))"
        ))
        .execute(&mut *connection)
        .await?;
        Ok(())
    }

    fn reads(&self, event: &RecordedEvent) -> bool {
        BlacklistEvent::NAMES.contains(&event.event_type.as_str())
    }

    async fn apply(&self, connection: &mut AnyConnection, event: &RecordedEvent) -> Result<(), ProjectionError> {
        match decode_event::<BlacklistEvent>(event)? {
            BlacklistEvent::Added { company_id, account, reason } => {
                sqlx::query(&format!(
                    "INSERT INTO {ENTRIES} ({COLUMNS}, company_id) VALUES ($1, $2, $3, $4, $5, 0, $6) \
                     ON CONFLICT (company_id, channel, account_id) DO NOTHING"
                ))
                .bind(account.channel.as_str())
                .bind(account.id)
                .bind(reason)
                .bind(&event.metadata.actor)
                .bind(event.metadata.occurred_at.to_rfc3339())
                .bind(company_id.to_string())
                .execute(&mut *connection)
                .await?;
            }
            BlacklistEvent::Removed { company_id, account } => {
                sqlx::query(&format!(
                    "DELETE FROM {ENTRIES} WHERE company_id = $1 AND channel = $2 AND account_id = $3"
                ))
                .bind(company_id.to_string())
                .bind(account.channel.as_str())
                .bind(account.id)
                .execute(&mut *connection)
                .await?;
            }
            BlacklistEvent::MessageDropped { company_id, account, .. } => {
                sqlx::query(&format!(
                    "UPDATE {ENTRIES} SET dropped = dropped + 1 \
                     WHERE company_id = $1 AND channel = $2 AND account_id = $3"
                ))
                .bind(company_id.to_string())
                .bind(account.channel.as_str())
                .bind(account.id)
                .execute(&mut *connection)
                .await?;
            }
        }
        Ok(())
    }
}
