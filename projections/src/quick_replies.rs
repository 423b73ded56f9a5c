//! Each company's quick replies in use (G4, G5), searched by shortcut, title or text and filtered
//! by category.

use crate::runner::{decode_event, Projection, ProjectionError};
use crate::store::ReadStore;
use async_trait::async_trait;
use domain::quick_reply::{QuickReplyDraft, QuickReplyEvent};
use eventlog::RecordedEvent;
use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Row};

crate::projection_names!("quick_replies", version 1, tables { QUICK_REPLIES = "quick_replies" });

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuickReplyRow {
    pub quick_reply_id: String,
    pub shortcut: String,
    pub title: String,
    pub text: String,
    pub category: Option<String>,
}

const COLUMNS: &str = "quick_reply_id, shortcut, title, text, category";

/// At most this many replies answer one search.
pub const FOUND_MAX: i64 = 200;

#[derive(Default)]
pub struct QuickReplies;

impl QuickReplies {
    /// The company's replies in use whose shortcut, title or text holds `words` (any case), in
    /// `category` when one is given; shortcuts that start with the words first, then by shortcut.
    pub async fn search(
        &self,
        store: &ReadStore,
        company: &str,
        words: &str,
        category: Option<&str>,
    ) -> Result<Vec<QuickReplyRow>, sqlx::Error> {
        let words = words.trim().trim_start_matches('/');
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM {QUICK_REPLIES} WHERE company_id = $1 \
             AND (search LIKE $2 ESCAPE '\\') AND ($3 = '' OR category_key = $3) \
             ORDER BY CASE WHEN shortcut LIKE $4 ESCAPE '\\' THEN 0 ELSE 1 END, shortcut, title LIMIT {FOUND_MAX}"
        ))
        .bind(company)
        .bind(crate::store::like_holding(words))
        .bind(category.map(|c| c.trim().to_lowercase()).unwrap_or_default())
        .bind(crate::store::like_starting(words))
        .fetch_all(store.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(QuickReplyRow {
                    quick_reply_id: row.try_get("quick_reply_id")?,
                    shortcut: row.try_get("shortcut")?,
                    title: row.try_get("title")?,
                    text: row.try_get("text")?,
                    category: row.try_get("category")?,
                })
            })
            .collect()
    }

    /// The company's categories in use, in order.
    pub async fn categories(&self, store: &ReadStore, company: &str) -> Result<Vec<String>, sqlx::Error> {
        let rows = sqlx::query(&format!(
            "SELECT MIN(category) AS category FROM {QUICK_REPLIES} WHERE company_id = $1 AND category IS NOT NULL \
             GROUP BY category_key ORDER BY category_key"
        ))
        .bind(company)
        .fetch_all(store.pool())
        .await?;
        rows.iter().map(|row| row.try_get("category")).collect()
    }
}

/// What a search looks in: the shortcut, the title and the text, in lower case.
fn search_key(draft: &QuickReplyDraft) -> String {
    format!("{}\n{}\n{}", draft.shortcut, draft.title, draft.text).to_lowercase()
}

/// The columns a draft fills, bound after the reply's ids, in this order.
fn draft_values(draft: &QuickReplyDraft) -> [Option<String>; 6] {
    [
        Some(draft.shortcut.clone()),
        Some(draft.title.clone()),
        Some(draft.text.clone()),
        draft.category.clone(),
        draft.category.as_deref().map(str::to_lowercase),
        Some(search_key(draft)),
    ]
}

async fn execute_with(
    connection: &mut AnyConnection,
    query: &str,
    ids: &[String],
    draft: &QuickReplyDraft,
) -> Result<(), ProjectionError> {
    let mut query = sqlx::query(query);
    for id in ids {
        query = query.bind(id.clone());
    }
    for value in draft_values(draft) {
        query = query.bind(value);
    }
    query.execute(&mut *connection).await?;
    Ok(())
}

#[async_trait]
impl Projection for QuickReplies {
    fn name(&self) -> &'static str {
        NAME
    }

    fn version(&self) -> u32 {
        VERSION
    }

    async fn create_tables(&self, connection: &mut AnyConnection) -> Result<(), ProjectionError> {
        sqlx::query(&format!(
            "CREATE TABLE IF NOT EXISTS {QUICK_REPLIES} (quick_reply_id TEXT PRIMARY KEY, company_id TEXT NOT NULL, \
             shortcut TEXT NOT NULL, title TEXT NOT NULL, text TEXT NOT NULL, category TEXT, category_key TEXT, \
             search TEXT NOT NULL)"
        ))
        .execute(&mut *connection)
        .await?;
        sqlx::query(&format!(
            "CREATE INDEX IF NOT EXISTS {QUICK_REPLIES}_company ON {QUICK_REPLIES} (company_id, shortcut)"
        ))
        .execute(&mut *connection)
        .await?;
        Ok(())
    }

    fn reads(&self, event: &RecordedEvent) -> bool {
        QuickReplyEvent::NAMES.contains(&event.event_type.as_str())
    }

    async fn apply(&self, connection: &mut AnyConnection, event: &RecordedEvent) -> Result<(), ProjectionError> {
        match decode_event::<QuickReplyEvent>(event)? {
            QuickReplyEvent::Created { quick_reply_id, company_id, draft } => {
                let insert = format!(
                    "INSERT INTO {QUICK_REPLIES} (quick_reply_id, company_id, shortcut, title, text, category, \
                     category_key, search) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (quick_reply_id) DO NOTHING"
                );
                execute_with(connection, &insert, &[quick_reply_id.to_string(), company_id.to_string()], &draft)
                    .await?;
            }
            QuickReplyEvent::Changed { quick_reply_id, draft } => {
                let update = format!(
                    "UPDATE {QUICK_REPLIES} SET shortcut = $2, title = $3, text = $4, category = $5, category_key = $6, \
                     search = $7 WHERE quick_reply_id = $1"
                );
                execute_with(connection, &update, &[quick_reply_id.to_string()], &draft).await?;
            }
            QuickReplyEvent::Retired { quick_reply_id } => {
                sqlx::query(&format!("DELETE FROM {QUICK_REPLIES} WHERE quick_reply_id = $1"))
                    .bind(quick_reply_id.to_string())
                    .execute(&mut *connection)
                    .await?;
            }
        }
        Ok(())
    }
}
