//! The web chat widget (I1): supervisors open a line's widget; a web site's visitors start, read
//! and continue their chat with a token their browser keeps.
//!
//! The token is the visitor's secret, issued by the server and recorded (by its SHA-256) with the
//! widget it was issued for, so that a browser cannot make one up; the contact id the chat is known
//! by is derived from it too, so nobody can guess a visitor's chat from ids others see. Each client
//! address and each widget may take so many visitors, messages, files and sockets (see
//! [`crate::limits`]).

use crate::caller::Caller;
use crate::error::AppError;
use crate::services::lines::{change_directory, hex, random_hex, store_message, AcceptedMessage, InboundMessage};

use crate::limits::{address_key, take_all, ComeBackIn, Opened};
use crate::state::AppState;
use domain::chat::chat_of;
use domain::contact::{Channel, NameSource};
use domain::ids::{ChatId, CompanyId, LineId};
use domain::line::{line_stream, Line, LineCommand};
use domain::user::Role;
use projections::chat_board::ChatBoard;
use projections::lines::{LineRow, Lines};
use projections::store::ReadStore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::net::IpAddr;

const WIDGET_KEY_PREFIX: &str = "wk_";
const VISITOR_PREFIX: &str = "wv_";
/// Random bytes in a visitor's token.
const VISITOR_TOKEN_BYTES: usize = 32;

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OpenedWidget {
    /// The public key web pages embed the widget with.
    pub key: String,
    /// The tag to put on a web page, for a server reached at `origin`.
    pub snippet: String,
}

/// The tag a web page embeds a widget with, for a server reached at `origin`.
pub fn snippet(origin: &str, key: &str) -> String {
    format!(r#"<script src="{origin}/widget.js" data-line="{key}" async></script>"#)
}

/// Opens a line's widget (or reads the one it has) and answers its key: supervisors.
pub async fn open_widget(state: &AppState, caller: &Caller, line_id: LineId) -> Result<String, AppError> {
    caller.require(&[Role::Supervisor])?;
    let command = LineCommand::OpenWidget {
        line_id,
        company_id: caller.company_id,
        key: format!("{WIDGET_KEY_PREFIX}{}", random_hex(16)),
    };
    change_directory::<Line>(state, caller, &line_stream(line_id), &command).await?;
    Lines
        .line(&state.store, &line_id.to_string())
        .await?
        .and_then(|row| row.widget_key)
        .ok_or_else(|| AppError::Internal("an opened widget has no key".into()))
}

/// The line a widget key opens.
pub async fn widget_line(state: &AppState, key: &str) -> Result<LineRow, AppError> {
    state
        .directory
        .widget_line(&state.store, key)
        .await?
        .ok_or_else(|| AppError::NotFound("no such chat widget".into()))
}

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NewVisitor {
    /// The visitor's secret: kept by their browser, sent with everything they do.
    pub token: String,
}

/// The tokens issued, by their SHA-256, with the widget each was issued for. Not business history
/// (a visitor who never writes leaves nothing in the log); the chat they start is.
const VISITORS: &str = "widget_visitors";

/// Creates the table of issued visitor tokens if it is missing.
pub async fn prepare(store: &ReadStore) -> Result<(), sqlx::Error> {
    sqlx::query(&format!(
        "CREATE TABLE IF NOT EXISTS {VISITORS} (token_hash TEXT PRIMARY KEY, widget_key TEXT NOT NULL, \
         issued_at TEXT NOT NULL)"
    ))
    .execute(store.pool())
    .await?;
    Ok(())
}

fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// A new visitor of a widget's web site, from `client`: a token, recorded.
pub async fn new_visitor(state: &AppState, key: &str, client: IpAddr) -> Result<NewVisitor, AppError> {
    widget_line(state, key).await?;
    let guards = &state.guards;
    let now = state.clock.now();
    let address = address_key(client);
    take_all(&[(&guards.visitors_by_widget, key, 1), (&guards.visitors_by_address, &address, 1)], now)
        .map_err(|wait| AppError::too_many("too many new conversations", wait))?;
    let token = format!("{VISITOR_PREFIX}{}", random_hex(VISITOR_TOKEN_BYTES));
    record_visitor(state, key, &token_hash(&token)).await?;
    Ok(NewVisitor { token })
}

/// Records that widget `key` issued the token of this hash.
async fn record_visitor(state: &AppState, key: &str, hash: &str) -> Result<(), AppError> {
    sqlx::query(&format!(
        "INSERT INTO {VISITORS} (token_hash, widget_key, issued_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING"
    ))
    .bind(hash)
    .bind(key)
    .bind(state.clock.now().to_rfc3339())
    .execute(state.store.pool())
    .await?;
    Ok(())
}

/// Whether this widget issued `token`. A token from before tokens were recorded is still its
/// visitor's if it already names a chat on the widget's line (a made-up one cannot: it would have
/// to match a random 256-bit secret), and is recorded now.
async fn issued(state: &AppState, key: &str, token: &str, chat_id: ChatId) -> Result<bool, AppError> {
    let hash = token_hash(token);
    state.directory.visitor_issued(key, &hash, issued_by_store(state, key, &hash, chat_id)).await
}

async fn issued_by_store(state: &AppState, key: &str, hash: &str, chat_id: ChatId) -> Result<bool, AppError> {
    let recorded = sqlx::query(&format!("SELECT 1 FROM {VISITORS} WHERE token_hash = $1 AND widget_key = $2"))
        .bind(hash)
        .bind(key)
        .fetch_optional(state.store.pool())
        .await?;
    if recorded.is_some() {
        return Ok(true);
    }
    if ChatBoard.chat(&state.store, &chat_id.to_string()).await?.is_none() {
        return Ok(false);
    }
    record_visitor(state, key, hash).await?;
    Ok(true)
}

/// The contact id a visitor's chat is known by.
fn contact_of(token: Option<&str>) -> Result<String, AppError> {
    let unauthorized = || AppError::Unauthorized("a visitor token is needed (POST …/visitors gives one)".into());
    let token = token.ok_or_else(unauthorized)?;
    let random = token.strip_prefix(VISITOR_PREFIX).ok_or_else(unauthorized)?;
    if random.len() != VISITOR_TOKEN_BYTES * 2 || !random.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(unauthorized());
    }
    Ok(format!("web-{}", &hex(&Sha256::digest(token.as_bytes()))[..32]))
}

/// One visitor on one widget: the line and the chat they are in.
pub struct Visit {
    pub line: LineRow,
    pub company_id: CompanyId,
    pub line_id: LineId,
    pub contact_id: String,
    pub chat_id: ChatId,
}

pub async fn visit(state: &AppState, key: &str, token: Option<&str>) -> Result<Visit, AppError> {
    let contact_id = contact_of(token)?;
    let line = widget_line(state, key).await?;
    let corrupt = |what: &str| AppError::Internal(format!("stored {what} unreadable"));
    let line_id: LineId = line.line_id.parse().map_err(|_| corrupt("line id"))?;
    let company_id = line.company_id.parse().map_err(|_| corrupt("company id"))?;
    let chat_id = chat_of(line_id, &contact_id);
    if !issued(state, key, token.unwrap_or_default(), chat_id).await? {
        return Err(AppError::Unauthorized(NOT_ISSUED.into()));
    }
    Ok(Visit { chat_id, line, company_id, line_id, contact_id })
}

const NOT_ISSUED: &str = "this visitor token was not issued by this widget (POST …/visitors gives one)";

/// Counts a file of `bytes` a visitor uploads from `client` against the day's limits.
pub fn count_upload(state: &AppState, client: IpAddr, bytes: usize) -> Result<(), AppError> {
    let guards = &state.guards;
    let address = address_key(client);
    let now = state.clock.now();
    let bytes = u64::try_from(bytes).unwrap_or(u64::MAX);
    take_all(&[(&guards.uploads_by_address, &address, 1), (&guards.upload_bytes_by_address, &address, bytes)], now)
        .map_err(|wait| AppError::too_many(TOO_MANY_FILES, wait))
}

const TOO_MANY_FILES: &str = "too many files sent from your address today";

/// Opens a visitor's socket from `client` if the widget and the address have room for one more;
/// the answer is held while the socket is open.
pub fn open_socket(state: &AppState, key: &str, client: IpAddr) -> Result<[Opened; 2], AppError> {
    let guards = &state.guards;
    let full = || AppError::too_many("too many open chat windows", ComeBackIn(chrono::Duration::seconds(30)));
    let by_widget = guards.sockets_by_widget.open(key).ok_or_else(full)?;
    let by_address = guards.sockets_by_address.open(&address_key(client)).ok_or_else(full)?;
    Ok([by_widget, by_address])
}

/// A file of the visitor's own chat (one they sent, or one the bot or an agent sent them);
/// any other file is, for them, no such file.
pub async fn visitor_file(
    state: &AppState,
    key: &str,
    token: Option<&str>,
    file: &str,
) -> Result<crate::services::media::MediaFile, AppError> {
    let no_such_file = || AppError::NotFound("no such file".into());
    let visit = visit(state, key, token).await?;
    let address = format!("/media/{file}");
    if !messages_of(state, &visit).await?.iter().any(|message| message.media.as_deref() == Some(address.as_str())) {
        return Err(no_such_file());
    }
    crate::services::media::find(&state.store, &visit.line.company_id, file).await?.ok_or_else(no_such_file)
}

/// A message of the visitor's chat as the visitor sees it.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct VisitorMessage {
    pub id: String,
    /// `visitor`, `bot` or `agent`.
    pub from: String,
    pub text: String,
    /// `/media/…` for a file.
    pub media: Option<String>,
    pub at: String,
    /// The bot's options as buttons: tapping one says its `answer`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<domain::menu::Choice>,
    /// How many times the agent changed its words (G18).
    #[serde(default)]
    pub edits: usize,
    /// The agent took it back: its words and file are gone for the visitor (G18).
    #[serde(default)]
    pub deleted: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct VisitorChat {
    /// The line's name: who the visitor is talking to.
    pub title: String,
    pub messages: Vec<VisitorMessage>,
}

/// The visitor's whole chat with the company, notes between colleagues left out.
pub async fn visitor_chat(state: &AppState, key: &str, token: Option<&str>) -> Result<VisitorChat, AppError> {
    let visit = visit(state, key, token).await?;
    let messages = messages_of(state, &visit).await?;
    Ok(VisitorChat { title: visit.line.name, messages })
}

/// The messages of a visit's chat as its visitor sees them.
async fn messages_of(state: &AppState, visit: &Visit) -> Result<Vec<VisitorMessage>, AppError> {
    Ok(ChatBoard
        .messages_of_chat(&state.store, &visit.chat_id.to_string())
        .await?
        .into_iter()
        .filter(|message| message.direction != "note")
        .map(|message| {
            let deleted = message.deleted_at.is_some();
            VisitorMessage {
                from: match (message.direction.as_str(), message.author.as_str()) {
                    ("in", _) => "visitor",
                    (_, "bot") => "bot",
                    _ => "agent",
                }
                .to_string(),
                id: message.message_id,
                text: if deleted { String::new() } else { message.text },
                media: message.media.filter(|_| !deleted),
                at: message.at,
                choices: message.choices,
                edits: message.earlier.len(),
                deleted,
            }
        })
        .collect())
}

/// What a visitor sends: text, a file they uploaded, or both.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
pub struct VisitorSays {
    #[serde(default)]
    pub text: String,
    /// The address `POST …/files` answered.
    pub media: Option<String>,
}

pub async fn visitor_says(
    state: &AppState,
    key: &str,
    token: Option<&str>,
    client: IpAddr,
    says: VisitorSays,
) -> Result<AcceptedMessage, AppError> {
    let visit = visit(state, key, token).await?;
    let guards = &state.guards;
    let address = address_key(client);
    take_all(&[(&guards.messages_by_widget, key, 1), (&guards.messages_by_address, &address, 1)], state.clock.now())
        .map_err(|wait| AppError::too_many("too many messages", wait))?;
    if let Some(media) = &says.media {
        let kept = media.strip_prefix("/media/").is_some_and(|file| !file.contains('/'));
        if !kept {
            return Err(AppError::Invalid("a file is sent by the address its upload answered (/media/…)".into()));
        }
    }
    // Until the contact directory knows their name, a visitor is told apart by their id's start.
    let name = format!("Visitor {}", &visit.contact_id["web-".len().."web-".len() + 4]);
    let message = InboundMessage {
        channel: Channel::Web,
        contact_id: visit.contact_id,
        name,
        name_source: NameSource::Profile,
        text: says.text,
        media: says.media,
        sticker: false,
        message_id: None,
        content: Default::default(),
    };
    let (accepted, position) = store_message(state, visit.company_id, visit.line_id, message).await?;
    state.caught_up(&state.chat_board, position).await?;
    Ok(accepted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_well_formed_tokens_name_a_visitor_and_each_names_its_own() {
        let token = format!("{VISITOR_PREFIX}{}", "ab".repeat(VISITOR_TOKEN_BYTES));
        let other = format!("{VISITOR_PREFIX}{}", "cd".repeat(VISITOR_TOKEN_BYTES));
        assert_eq!(contact_of(Some(&token)).unwrap(), contact_of(Some(&token)).unwrap());
        assert_ne!(contact_of(Some(&token)).unwrap(), contact_of(Some(&other)).unwrap());
        for bad in [None, Some("wv_short"), Some("ab"), Some(&token[1..])] {
            assert!(matches!(contact_of(bad), Err(AppError::Unauthorized(_))), "{bad:?}");
        }
    }
}
