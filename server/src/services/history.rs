//! Histories as the log holds them, for supervisors and auditors: every event of a chat, contact,
//! agent, queue or line, read from the log itself (not a read model), narrowed by type and time,
//! secrets hidden, and as a table for a file.

use crate::caller::Caller;
use crate::error::AppError;
use crate::services::sheets::Sheet;
use crate::state::AppState;
use domain::agent::agent_stream;
use domain::chat::chat_stream;
use domain::contact::contact_stream;
use domain::ids::{ChatId, ContactId, LineId, QueueId, UserId};
use domain::line::line_stream;
use domain::queue::queue_stream;
use domain::user::{user_stream, Role};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Whose history.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subject {
    Chat(ChatId),
    Contact(ContactId),
    /// An agent (or any colleague): their account and their work states.
    Agent(UserId),
    Queue(QueueId),
    Line(LineId),
}

impl Subject {
    /// The kinds as addresses name them (`/api/v1/<kind>/<id>/history`, `/audit/<kind>/<id>`).
    pub const KINDS: [&'static str; 5] = ["chats", "contacts", "agents", "queues", "lines"];

    /// `kind` (one of [`Subject::KINDS`]) and an id, as an address writes them.
    pub fn parse(kind: &str, id: &str) -> Result<Self, AppError> {
        let id: Uuid = id.parse().map_err(|_| AppError::NotFound(format!("no such {kind}")))?;
        Ok(match kind {
            "chats" => Subject::Chat(ChatId::from_uuid(id)),
            "contacts" => Subject::Contact(ContactId::from_uuid(id)),
            "agents" => Subject::Agent(UserId::from_uuid(id)),
            "queues" => Subject::Queue(QueueId::from_uuid(id)),
            "lines" => Subject::Line(LineId::from_uuid(id)),
            _ => return Err(AppError::NotFound(format!("no history of {kind}"))),
        })
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Subject::Chat(_) => "chats",
            Subject::Contact(_) => "contacts",
            Subject::Agent(_) => "agents",
            Subject::Queue(_) => "queues",
            Subject::Line(_) => "lines",
        }
    }

    pub fn id(&self) -> String {
        match self {
            Subject::Chat(id) => id.to_string(),
            Subject::Contact(id) => id.to_string(),
            Subject::Agent(id) => id.to_string(),
            Subject::Queue(id) => id.to_string(),
            Subject::Line(id) => id.to_string(),
        }
    }

    fn streams(&self) -> Vec<String> {
        match *self {
            Subject::Chat(id) => vec![chat_stream(id)],
            Subject::Contact(id) => vec![contact_stream(id)],
            Subject::Agent(id) => vec![user_stream(id), agent_stream(id)],
            Subject::Queue(id) => vec![queue_stream(id)],
            Subject::Line(id) => vec![line_stream(id)],
        }
    }

    /// "no such chat", "no such agent"…
    fn not_found(&self) -> AppError {
        AppError::NotFound(format!("no such {}", self.kind().trim_end_matches('s')))
    }
}

/// One event as the log holds it.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct HistoryEntry {
    /// The stream it belongs to (an agent's history reads two), and its place in it.
    pub stream: String,
    pub revision: u64,
    pub event_type: String,
    pub occurred_at: chrono::DateTime<chrono::Utc>,
    pub recorded_at: chrono::DateTime<chrono::Utc>,
    pub actor: String,
    pub correlation_id: Uuid,
    pub causation_id: Option<Uuid>,
    pub data: serde_json::Value,
}

/// Which of a history's events to read: of one type, from and until a moment (RFC 3339, both
/// included); none of them: all.
#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct HistoryQuery {
    pub event_type: Option<String>,
    pub from: Option<chrono::DateTime<chrono::Utc>>,
    pub until: Option<chrono::DateTime<chrono::Utc>>,
}

impl HistoryQuery {
    pub fn admits(&self, entry: &HistoryEntry) -> bool {
        self.event_type.as_deref().is_none_or(|kind| kind.is_empty() || entry.event_type == kind)
            && self.from.is_none_or(|from| entry.occurred_at >= from)
            && self.until.is_none_or(|until| entry.occurred_at <= until)
    }
}

/// Words in a field's name that say its value is a secret: webhook secrets, tokens, web queries'
/// headers (API keys), password hashes, sealed credentials. Kept in the log, shown as `***`.
const SECRET_WORDS: [&str; 6] = ["secret", "token", "password", "hash", "headers", "credential"];

/// `data` with the value of every field whose name says it is a secret shown as `***`, at any depth.
pub fn without_secrets(data: serde_json::Value) -> serde_json::Value {
    match data {
        serde_json::Value::Object(fields) => serde_json::Value::Object(
            fields
                .into_iter()
                .map(|(name, value)| {
                    let lower = name.to_lowercase();
                    let hidden = || serde_json::Value::from("***");
                    if lower.contains("headers") && value.is_object() {
                        // A request's headers: which were sent is no secret, what they carried is.
                        let names = value.as_object().map(|headers| headers.keys().cloned().collect::<Vec<_>>());
                        (name, names.unwrap_or_default().into_iter().map(|header| (header, hidden())).collect())
                    } else if SECRET_WORDS.iter().any(|word| lower.contains(word)) && !value.is_null() {
                        (name, hidden())
                    } else {
                        (name, without_secrets(value))
                    }
                })
                .collect(),
        ),
        serde_json::Value::Array(values) => values.into_iter().map(without_secrets).collect(),
        other => other,
    }
}

/// Every event of `subject`, from the log itself, for supervisors and auditors of its company,
/// in the log's order.
pub async fn history(state: &AppState, caller: &Caller, subject: Subject) -> Result<Vec<HistoryEntry>, AppError> {
    caller.require(&[Role::Supervisor, Role::Auditor])?;
    let mut events = Vec::new();
    for stream in subject.streams() {
        events.extend(state.log.read_stream(&stream).await?);
    }
    // A subject of another company is one that does not exist, for this caller.
    if events.first().is_none_or(|first| first.metadata.company_id != caller.company_id.as_uuid()) {
        return Err(subject.not_found());
    }
    events.sort_by_key(|event| event.position);
    Ok(events
        .into_iter()
        .map(|event| HistoryEntry {
            stream: event.stream,
            revision: event.revision,
            data: without_secrets(event.data),
            event_type: event.event_type,
            occurred_at: event.metadata.occurred_at,
            recorded_at: event.recorded_at,
            actor: event.metadata.actor,
            correlation_id: event.metadata.correlation_id,
            causation_id: event.metadata.causation_id,
        })
        .collect())
}

/// The history narrowed by `query`.
pub async fn history_where(
    state: &AppState,
    caller: &Caller,
    subject: Subject,
    query: &HistoryQuery,
) -> Result<Vec<HistoryEntry>, AppError> {
    Ok(history(state, caller, subject).await?.into_iter().filter(|entry| query.admits(entry)).collect())
}

/// The history narrowed by `query`, as a table for a file: one row an event, its data as the log
/// holds it (JSON), secrets hidden.
pub async fn history_sheet(
    state: &AppState,
    caller: &Caller,
    subject: Subject,
    query: &HistoryQuery,
) -> Result<Sheet, AppError> {
    let entries = history_where(state, caller, subject, query).await?;
    let header = [
        "stream",
        "revision",
        "occurred_at",
        "recorded_at",
        "event_type",
        "actor",
        "correlation_id",
        "causation_id",
        "data",
    ];
    Ok(Sheet::new(
        &header,
        entries.into_iter().map(|entry| {
            vec![
                entry.stream,
                entry.revision.to_string(),
                entry.occurred_at.to_rfc3339(),
                entry.recorded_at.to_rfc3339(),
                entry.event_type,
                entry.actor,
                entry.correlation_id.to_string(),
                entry.causation_id.map(|id| id.to_string()).unwrap_or_default(),
                entry.data.to_string(),
            ]
        }),
    ))
}

#[cfg(test)]
mod tests {
    use super::without_secrets;
    use serde_json::json;

    #[test]
    fn secrets_are_hidden_at_any_depth_and_everything_else_is_shown() {
        let stored = json!({
            "line_id": "l1",
            "webhook_secret": "whsec_1",
            "link": { "access_token": "EAAG", "app_secret": "s", "phone_number_id": "123" },
            "request": { "url": "https://x", "headers": { "Authorization": "Bearer k" } },
            "password_hash": "$argon2",
            "previous_secret": null,
            "options": [{ "verify_token": "v", "label": "Hi" }],
        });
        assert_eq!(
            without_secrets(stored),
            json!({
                "line_id": "l1",
                "webhook_secret": "***",
                "link": { "access_token": "***", "app_secret": "***", "phone_number_id": "123" },
                "request": { "url": "https://x", "headers": { "Authorization": "***" } },
                "password_hash": "***",
                "previous_secret": null,
                "options": [{ "verify_token": "***", "label": "Hi" }],
            })
        );
    }
}
