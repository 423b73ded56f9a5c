//! Each company's lines (where their chats go, where replies are sent) and API keys (by hash, for
//! authenticating the API line).

use crate::runner::{decode_event, Projection, ProjectionError};
use crate::store::ReadStore;
use async_trait::async_trait;
use domain::apikey::ApiKeyEvent;
use domain::line::{ChannelLink, LineEvent, LineRouting, OfflinePolicy};
use eventlog::RecordedEvent;
use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Row};

// Versions — 2: offline policy. 3: widget key. 4: linked channel. 5: agents may edit messages.
// 6: whether the line can send.
crate::projection_names!("lines", version 6, tables { LINES = "lines", KEYS = "api_keys" });

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LineRow {
    pub line_id: String,
    pub company_id: String,
    pub name: String,
    pub routing: LineRouting,
    pub webhook_url: Option<String>,
    #[serde(skip_serializing)]
    pub webhook_secret: Option<String>,
    pub offline_policy: OfflinePolicy,
    /// Its agents may edit and delete their own messages (G18).
    pub agents_may_edit: bool,
    /// The public key web sites embed the line's widget with (I1), once opened.
    pub widget_key: Option<String>,
    /// The provider account the line speaks through, as people may see it.
    pub channel: Option<LinkedChannel>,
    /// The same with its sealed secrets, for the server's own use.
    #[serde(skip)]
    pub credentials: Option<ChannelLink>,
    /// Since when (RFC 3339) and why the line cannot send: its provider refuses the line itself
    /// (W15). None: it sends.
    pub sending_failure: Option<SendingFailure>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SendingFailure {
    pub since: String,
    pub reason: String,
}

/// A line's provider account without its secrets.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LinkedChannel {
    /// `whatsapp_cloud`.
    pub kind: String,
    pub phone_number_id: String,
    pub business_account_id: String,
    /// The last characters of the access token.
    pub token_hint: String,
}

impl From<&ChannelLink> for LinkedChannel {
    fn from(link: &ChannelLink) -> Self {
        match link {
            ChannelLink::WhatsappCloud { phone_number_id, business_account_id, token_hint, .. } => LinkedChannel {
                kind: link.kind().to_string(),
                phone_number_id: phone_number_id.clone(),
                business_account_id: business_account_id.clone(),
                token_hint: token_hint.clone(),
            },
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiKeyRow {
    pub key_id: String,
    pub company_id: String,
    pub name: String,
    pub prefix: String,
    pub revoked: bool,
}

fn line_row(row: &sqlx::any::AnyRow) -> Result<LineRow, sqlx::Error> {
    let routing: String = row.try_get("routing")?;
    let credentials: Option<ChannelLink> = row
        .try_get::<Option<String>, _>("channel")?
        .map(|link| serde_json::from_str(&link))
        .transpose()
        .map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
    Ok(LineRow {
        line_id: row.try_get("line_id")?,
        company_id: row.try_get("company_id")?,
        name: row.try_get("name")?,
        routing: serde_json::from_str(&routing).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
        webhook_url: row.try_get("webhook_url")?,
        webhook_secret: row.try_get("webhook_secret")?,
        offline_policy: serde_json::from_value(serde_json::Value::String(row.try_get("offline_policy")?))
            .map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
        agents_may_edit: row.try_get::<i64, _>("agents_may_edit")? == 1,
        widget_key: row.try_get("widget_key")?,
        channel: credentials.as_ref().map(LinkedChannel::from),
        credentials,
        sending_failure: match (row.try_get("sending_failed_at")?, row.try_get("sending_failure")?) {
            (Some(since), Some(reason)) => Some(SendingFailure { since, reason }),
            _ => None,
        },
    })
}

fn key_row(row: &sqlx::any::AnyRow) -> Result<ApiKeyRow, sqlx::Error> {
    Ok(ApiKeyRow {
        key_id: row.try_get("key_id")?,
        company_id: row.try_get("company_id")?,
        name: row.try_get("name")?,
        prefix: row.try_get("prefix")?,
        revoked: row.try_get::<i64, _>("revoked")? == 1,
    })
}

const LINE_COLUMNS: &str =
    "line_id, company_id, name, routing, webhook_url, webhook_secret, offline_policy, widget_key, channel, \
     agents_may_edit, sending_failure, sending_failed_at";
const KEY_COLUMNS: &str = "key_id, company_id, name, prefix, revoked";

#[derive(Default)]
pub struct Lines;

impl Lines {
    pub async fn line(&self, store: &ReadStore, line_id: &str) -> Result<Option<LineRow>, sqlx::Error> {
        let row = sqlx::query(&format!("SELECT {LINE_COLUMNS} FROM {LINES} WHERE line_id = $1"))
            .bind(line_id)
            .fetch_optional(store.pool())
            .await?;
        row.as_ref().map(line_row).transpose()
    }

    /// The line whose widget web sites embed with `key`.
    pub async fn line_by_widget_key(&self, store: &ReadStore, key: &str) -> Result<Option<LineRow>, sqlx::Error> {
        let row = sqlx::query(&format!("SELECT {LINE_COLUMNS} FROM {LINES} WHERE widget_key = $1"))
            .bind(key)
            .fetch_optional(store.pool())
            .await?;
        row.as_ref().map(line_row).transpose()
    }

    pub async fn lines_of(&self, store: &ReadStore, company: &str) -> Result<Vec<LineRow>, sqlx::Error> {
        let rows =
            sqlx::query(&format!("SELECT {LINE_COLUMNS} FROM {LINES} WHERE company_id = $1 ORDER BY lower(name)"))
                .bind(company)
                .fetch_all(store.pool())
                .await?;
        rows.iter().map(line_row).collect()
    }

    /// The key whose SHA-256 is `key_hash`, revoked or not.
    pub async fn api_key(&self, store: &ReadStore, key_hash: &str) -> Result<Option<ApiKeyRow>, sqlx::Error> {
        let row = sqlx::query(&format!("SELECT {KEY_COLUMNS} FROM {KEYS} WHERE key_hash = $1"))
            .bind(key_hash)
            .fetch_optional(store.pool())
            .await?;
        row.as_ref().map(key_row).transpose()
    }

    pub async fn api_keys_of(&self, store: &ReadStore, company: &str) -> Result<Vec<ApiKeyRow>, sqlx::Error> {
        let rows = sqlx::query(&format!(
            "SELECT {KEY_COLUMNS} FROM {KEYS} WHERE company_id = $1 ORDER BY lower(name), key_id"
        ))
        .bind(company)
        .fetch_all(store.pool())
        .await?;
        rows.iter().map(key_row).collect()
    }
}

#[async_trait]
impl Projection for Lines {
    fn name(&self) -> &'static str {
        NAME
    }

    fn version(&self) -> u32 {
        VERSION
    }

    async fn create_tables(&self, connection: &mut AnyConnection) -> Result<(), ProjectionError> {
        sqlx::query(&format!(
            "CREATE TABLE IF NOT EXISTS {LINES} (line_id TEXT PRIMARY KEY, company_id TEXT NOT NULL, \
             name TEXT NOT NULL, routing TEXT NOT NULL, webhook_url TEXT, webhook_secret TEXT, \
             offline_policy TEXT NOT NULL, widget_key TEXT UNIQUE, channel TEXT, agents_may_edit INTEGER NOT NULL, \
             sending_failure TEXT, sending_failed_at TEXT)"
        ))
        .execute(&mut *connection)
        .await?;
        sqlx::query(&format!(
            "CREATE TABLE IF NOT EXISTS {KEYS} (key_id TEXT PRIMARY KEY, company_id TEXT NOT NULL, \
             name TEXT NOT NULL, key_hash TEXT NOT NULL UNIQUE, prefix TEXT NOT NULL, revoked INTEGER NOT NULL)"
        ))
        .execute(&mut *connection)
        .await?;
        Ok(())
    }

    fn reads(&self, event: &RecordedEvent) -> bool {
        LineEvent::NAMES.contains(&event.event_type.as_str()) || ApiKeyEvent::NAMES.contains(&event.event_type.as_str())
    }

    async fn apply(&self, connection: &mut AnyConnection, event: &RecordedEvent) -> Result<(), ProjectionError> {
        match event.event_type.as_str() {
            LineEvent::CREATED
            | LineEvent::ROUTING_CHANGED
            | LineEvent::OFFLINE_POLICY_SET
            | LineEvent::MESSAGE_EDITING_SET
            | LineEvent::WIDGET_OPENED
            | LineEvent::CHANNEL_LINKED
            | LineEvent::CHANNEL_UNLINKED
            | LineEvent::WEBHOOK_SET
            | LineEvent::SENDING_FAILED
            | LineEvent::SENDING_RESTORED => match decode_event::<LineEvent>(event)? {
                LineEvent::SendingFailed { line_id, reason, at } => {
                    sqlx::query(&format!(
                        "UPDATE {LINES} SET sending_failure = $1, sending_failed_at = $2 WHERE line_id = $3"
                    ))
                    .bind(reason)
                    .bind(at.to_rfc3339())
                    .bind(line_id.to_string())
                    .execute(&mut *connection)
                    .await?;
                }
                LineEvent::SendingRestored { line_id, .. } => {
                    sqlx::query(&format!(
                        "UPDATE {LINES} SET sending_failure = NULL, sending_failed_at = NULL WHERE line_id = $1"
                    ))
                    .bind(line_id.to_string())
                    .execute(&mut *connection)
                    .await?;
                }
                LineEvent::ChannelLinked { line_id, link } => {
                    let link = serde_json::to_string(&link)
                        .map_err(|e| ProjectionError::Event { event_id: event.event_id, reason: e.to_string() })?;
                    sqlx::query(&format!("UPDATE {LINES} SET channel = $1 WHERE line_id = $2"))
                        .bind(link)
                        .bind(line_id.to_string())
                        .execute(&mut *connection)
                        .await?;
                }
                LineEvent::ChannelUnlinked { line_id } => {
                    sqlx::query(&format!("UPDATE {LINES} SET channel = NULL WHERE line_id = $1"))
                        .bind(line_id.to_string())
                        .execute(&mut *connection)
                        .await?;
                }
                LineEvent::WidgetOpened { line_id, key } => {
                    sqlx::query(&format!("UPDATE {LINES} SET widget_key = $1 WHERE line_id = $2"))
                        .bind(key)
                        .bind(line_id.to_string())
                        .execute(&mut *connection)
                        .await?;
                }
                LineEvent::MessageEditingSet { line_id, agents_may_edit } => {
                    sqlx::query(&format!("UPDATE {LINES} SET agents_may_edit = $1 WHERE line_id = $2"))
                        .bind(i64::from(agents_may_edit))
                        .bind(line_id.to_string())
                        .execute(&mut *connection)
                        .await?;
                }
                LineEvent::OfflinePolicySet { line_id, policy } => {
                    let policy = serde_json::to_value(policy).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
                    sqlx::query(&format!("UPDATE {LINES} SET offline_policy = $1 WHERE line_id = $2"))
                        .bind(policy.as_str().unwrap_or("wait").to_string())
                        .bind(line_id.to_string())
                        .execute(&mut *connection)
                        .await?;
                }
                LineEvent::Created { line_id, company_id, name, routing, webhook } => {
                    sqlx::query(&format!(
                        "INSERT INTO {LINES} ({LINE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, 'wait', NULL, NULL, 1, NULL, NULL) \
                         ON CONFLICT (line_id) DO NOTHING"
                    ))
                    .bind(line_id.to_string())
                    .bind(company_id.to_string())
                    .bind(name)
                    .bind(routing_json(event, &routing)?)
                    .bind(webhook.as_ref().map(|w| w.url.clone()))
                    .bind(webhook.map(|w| w.secret))
                    .execute(&mut *connection)
                    .await?;
                }
                LineEvent::WebhookSet { line_id, webhook } => {
                    sqlx::query(&format!(
                        "UPDATE {LINES} SET webhook_url = $1, webhook_secret = $2 WHERE line_id = $3"
                    ))
                    .bind(webhook.as_ref().map(|w| w.url.clone()))
                    .bind(webhook.map(|w| w.secret))
                    .bind(line_id.to_string())
                    .execute(&mut *connection)
                    .await?;
                }
                LineEvent::RoutingChanged { line_id, routing } => {
                    sqlx::query(&format!("UPDATE {LINES} SET routing = $1 WHERE line_id = $2"))
                        .bind(routing_json(event, &routing)?)
                        .bind(line_id.to_string())
                        .execute(&mut *connection)
                        .await?;
                }
            },
            ApiKeyEvent::CREATED | ApiKeyEvent::REVOKED => match decode_event::<ApiKeyEvent>(event)? {
                ApiKeyEvent::Created { key_id, company_id, name, key_hash, prefix } => {
                    sqlx::query(&format!(
                        "INSERT INTO {KEYS} (key_id, company_id, name, key_hash, prefix, revoked) \
                         VALUES ($1, $2, $3, $4, $5, 0) ON CONFLICT (key_id) DO NOTHING"
                    ))
                    .bind(key_id.to_string())
                    .bind(company_id.to_string())
                    .bind(name)
                    .bind(key_hash)
                    .bind(prefix)
                    .execute(&mut *connection)
                    .await?;
                }
                ApiKeyEvent::Revoked { key_id } => {
                    sqlx::query(&format!("UPDATE {KEYS} SET revoked = 1 WHERE key_id = $1"))
                        .bind(key_id.to_string())
                        .execute(&mut *connection)
                        .await?;
                }
            },
            _ => {}
        }
        Ok(())
    }
}

fn routing_json(event: &RecordedEvent, routing: &LineRouting) -> Result<String, ProjectionError> {
    serde_json::to_string(routing)
        .map_err(|e| ProjectionError::Event { event_id: event.event_id, reason: e.to_string() })
}
