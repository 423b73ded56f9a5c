//! The generic API line: supervisors create API keys and lines; outside systems inject customers'
//! messages with a key; where each line's chats go (R6, G17).

use crate::caller::Caller;
use crate::error::AppError;
use crate::services::contacts::directory::{change_in_turn, find_or_create_contact, ChannelName, Holder};
use crate::state::execute;
use crate::write::command::{load, with_retry, CommandContext, Decided};
use chrono::{DateTime, Utc};
use domain::contact::{ConsentRecord, ConsentScope, ConsentSource, ContactCommand};
use domain::ids::ContactId;

use crate::state::AppState;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use domain::apikey::{api_keys_stream, ApiKeyCommand, ApiKeys};
use domain::chat::{chat_of, chat_stream, Chat, ChatCommand, ChatEvent, Inbound};
use domain::contact::{Account, Channel, NameSource};
use domain::decider::Decider;
use domain::ids::{ChatId, CompanyId, ConversationId, LineId};
use domain::line::{line_stream, Line, LineCommand, LineRouting, OfflinePolicy, Webhook};
use domain::user::Role;
use projections::lines::{ApiKeyRow, LineRow, Lines};
use projections::people::People;
use projections::queue_list::QueueList;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

const KEY_PREFIX: &str = "ik_";

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn random_hex(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    OsRng.fill_bytes(&mut buffer);
    hex(&buffer)
}

/// The SHA-256 of an API key: all that is stored of it.
pub fn key_hash(key: &str) -> String {
    hex(&Sha256::digest(key.as_bytes()))
}

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CreatedApiKey {
    pub id: Uuid,
    pub name: String,
    /// Shown once: only its hash is kept.
    pub key: String,
}

/// Creates an API key of the caller's company.
pub async fn create_api_key(state: &AppState, caller: &Caller, name: &str) -> Result<CreatedApiKey, AppError> {
    caller.require(&[Role::Supervisor])?;
    let key_id = Uuid::now_v7();
    let key = format!("{KEY_PREFIX}{}", random_hex(24));
    let command = ApiKeyCommand::Create {
        key_id,
        company_id: caller.company_id,
        name: name.to_string(),
        key_hash: key_hash(&key),
        prefix: key.chars().take(KEY_PREFIX.len() + 6).collect(),
    };
    let stream = api_keys_stream(caller.company_id);
    execute::<ApiKeys>(state, &caller.context(state.clock.now()), &stream, &command, &state.lines).await?;
    Ok(CreatedApiKey { id: key_id, name: name.split_whitespace().collect::<Vec<_>>().join(" "), key })
}

pub async fn revoke_api_key(state: &AppState, caller: &Caller, key_id: Uuid) -> Result<(), AppError> {
    caller.require(&[Role::Supervisor])?;
    let stream = api_keys_stream(caller.company_id);
    let command = ApiKeyCommand::Revoke { key_id };
    change_directory::<ApiKeys>(state, caller, &stream, &command).await
}

/// Runs a command that changes a line or an API key, then forgets what the inbound path kept of
/// them, so that this node's next message sees the change.
pub(crate) async fn change_directory<D>(
    state: &AppState,
    caller: &Caller,
    stream: &str,
    command: &D::Command,
) -> Result<(), AppError>
where
    D: domain::decider::Decider,
    D::Event: domain::event::DomainEvent,
    AppError: From<D::Rejection>,
{
    let changed = execute::<D>(state, &caller.context(state.clock.now()), stream, command, &state.lines).await;
    state.directory.forget();
    changed
}

pub async fn list_api_keys(state: &AppState, caller: &Caller) -> Result<Vec<ApiKeyRow>, AppError> {
    caller.require(&[Role::Supervisor])?;
    Ok(Lines.api_keys_of(&state.store, &caller.company_id.to_string()).await?)
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
pub struct NewLine {
    pub name: String,
    pub routing: LineRouting,
    pub webhook_url: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CreatedLine {
    pub id: LineId,
    pub name: String,
    /// Signs every webhook call (HMAC-SHA256); shown once.
    pub webhook_secret: Option<String>,
}

/// Checks that the queue or agents a routing names belong to the caller's company.
async fn check_routing(state: &AppState, caller: &Caller, routing: &LineRouting) -> Result<(), AppError> {
    let company = caller.company_id.to_string();
    let queues = match routing {
        LineRouting::Queue(queue) => vec![*queue],
        LineRouting::Menu(menu) => menu.queues(),
        LineRouting::Agent(_) | LineRouting::Agents(_) => vec![],
    };
    if !queues.is_empty() {
        let known = QueueList::new().queues_of(&state.store, caller.company_id).await?;
        if let Some(missing) = queues.iter().find(|queue| !known.iter().any(|row| row.queue_id == queue.to_string())) {
            return Err(AppError::Invalid(format!("the line routes to a queue that does not exist ({missing})")));
        }
    }
    let known = People.users_of(&state.store, &company, Role::Agent.as_str()).await?;
    for agent in routing.own_agents() {
        if !known.iter().any(|row| row.user_id == agent.to_string() && row.active) {
            return Err(AppError::Invalid(format!("{agent} is not an active agent of your company")));
        }
    }
    Ok(())
}

pub async fn create_line(state: &AppState, caller: &Caller, line: &NewLine) -> Result<CreatedLine, AppError> {
    caller.require(&[Role::Supervisor])?;
    check_routing(state, caller, &line.routing).await?;
    let routing = line.routing.clone();
    let line_id = LineId::from_uuid(Uuid::now_v7());
    let secret = line.webhook_url.as_ref().map(|_| random_hex(32));
    let webhook = line
        .webhook_url
        .as_ref()
        .zip(secret.as_ref())
        .map(|(url, secret)| Webhook { url: url.clone(), secret: secret.clone() });
    let command =
        LineCommand::Create { line_id, company_id: caller.company_id, name: line.name.clone(), routing, webhook };
    execute::<Line>(state, &caller.context(state.clock.now()), &line_stream(line_id), &command, &state.lines).await?;
    let name = Lines.line(&state.store, &line_id.to_string()).await?.map_or_else(String::new, |row| row.name);
    Ok(CreatedLine { id: line_id, name, webhook_secret: secret })
}

pub async fn change_line_routing(
    state: &AppState,
    caller: &Caller,
    line_id: LineId,
    routing: LineRouting,
) -> Result<(), AppError> {
    caller.require(&[Role::Supervisor])?;
    check_routing(state, caller, &routing).await?;
    let command = LineCommand::ChangeRouting { line_id, company_id: caller.company_id, routing };
    change_directory::<Line>(state, caller, &line_stream(line_id), &command).await
}

/// What a line does with chats whose agent is offline (G6).
pub async fn set_offline_policy(
    state: &AppState,
    caller: &Caller,
    line_id: LineId,
    policy: OfflinePolicy,
) -> Result<(), AppError> {
    caller.require(&[Role::Supervisor])?;
    let command = LineCommand::SetOfflinePolicy { line_id, company_id: caller.company_id, policy };
    change_directory::<Line>(state, caller, &line_stream(line_id), &command).await
}

/// Whether the line's agents may edit and delete their own messages (G18).
pub async fn set_message_editing(
    state: &AppState,
    caller: &Caller,
    line_id: LineId,
    agents_may_edit: bool,
) -> Result<(), AppError> {
    caller.require(&[Role::Supervisor])?;
    let command = LineCommand::SetMessageEditing { line_id, company_id: caller.company_id, agents_may_edit };
    change_directory::<Line>(state, caller, &line_stream(line_id), &command).await
}

/// Where the line's messages are POSTed (an API line's webhook), or nowhere: answers the new
/// secret they are signed with, shown once.
pub async fn set_webhook(
    state: &AppState,
    caller: &Caller,
    line_id: LineId,
    url: Option<String>,
) -> Result<Option<String>, AppError> {
    caller.require(&[Role::Supervisor])?;
    let webhook = url.filter(|url| !url.trim().is_empty()).map(|url| Webhook { url, secret: random_hex(32) });
    let secret = webhook.as_ref().map(|hook| hook.secret.clone());
    let command = LineCommand::SetWebhook { line_id, company_id: caller.company_id, webhook };
    change_directory::<Line>(state, caller, &line_stream(line_id), &command).await?;
    Ok(secret)
}

pub async fn list_lines(state: &AppState, caller: &Caller) -> Result<Vec<LineRow>, AppError> {
    caller.require(&[Role::Supervisor, Role::Auditor])?;
    Ok(Lines.lines_of(&state.store, &caller.company_id.to_string()).await?)
}

/// A customer's message as an outside system hands it to the API line.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
pub struct InboundMessage {
    /// The channel the customer writes from (`api` when not said); with `contact_id`, the
    /// contact's account. WhatsApp ids are phone numbers, kept in E.164.
    #[serde(default = "api_channel")]
    pub channel: Channel,
    /// The customer's id in the outside system: the same id continues the same chat.
    pub contact_id: String,
    /// The name the channel shows for the customer.
    #[serde(default)]
    pub name: String,
    /// Whose `name` it is: the customer's own profile (`profile`, the default) or the one saved in
    /// the company's phone book (`phone_book`, e.g. from a WhatsApp Web gateway), which names the
    /// contact over a profile name (K5). A name a person gave the contact outranks both.
    #[serde(default)]
    pub name_source: NameSource,
    #[serde(default)]
    pub text: String,
    /// The address of an image, audio, video or file: `https://…` or `http://…`.
    pub media: Option<String>,
    /// The media is a sticker: the menu bot answers it with its reply to stickers.
    #[serde(default)]
    pub sticker: bool,
    /// The outside system's id of this message: sending it again stores nothing new.
    pub message_id: Option<String>,
    /// What a channel bridge read besides the text (kind, file, place, quote, tap); not part of
    /// the API line's body.
    #[serde(skip)]
    pub content: domain::message::Content,
}

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AcceptedMessage {
    pub chat_id: ChatId,
    pub message_id: String,
}

fn api_channel() -> Channel {
    Channel::Api
}

/// The company an API key belongs to, if it is a key and not revoked.
pub async fn company_of_key(state: &AppState, key: Option<&str>) -> Result<CompanyId, AppError> {
    let unauthorized = || AppError::Unauthorized("a valid API key is needed (Authorization: Bearer …)".into());
    let key = key.ok_or_else(unauthorized)?;
    let row = state.directory.api_key(&state.store, &key_hash(key)).await?.ok_or_else(unauthorized)?;
    if row.revoked {
        return Err(AppError::Unauthorized("this API key was revoked".into()));
    }
    row.company_id.parse().map_err(|_| AppError::Internal("a stored company id".into()))
}

/// Stores a customer's message on a line of the key's company; the chat opens and waits for the
/// router if it had no open conversation.
pub async fn receive_message(
    state: &AppState,
    company: CompanyId,
    line_id: LineId,
    message: InboundMessage,
) -> Result<AcceptedMessage, AppError> {
    Ok(store_message(state, company, line_id, message).await?.0)
}

/// The line `line_id` of `company`, as the API line's callers name it.
pub async fn company_line(state: &AppState, company: CompanyId, line_id: LineId) -> Result<LineRow, AppError> {
    state
        .directory
        .line(&state.store, &line_id.to_string())
        .await?
        .filter(|row| row.company_id == company.to_string())
        .ok_or_else(|| AppError::NotFound("no such line".into()))
}

fn with_consent_on_record(command: &ChatCommand) -> ChatCommand {
    let mut command = command.clone();
    if let ChatCommand::Receive { inbound, .. } = &mut command {
        inbound.consent_on_record = true;
    }
    command
}

/// [`receive_message`], answering also where in the log the message (and what the bot said to it)
/// was stored, for callers that read their writes.
pub async fn store_message(
    state: &AppState,
    company: CompanyId,
    line_id: LineId,
    message: InboundMessage,
) -> Result<(AcceptedMessage, Option<eventlog::Position>), AppError> {
    let account = Account::parse(message.channel, &message.contact_id, None)
        .map_err(|e| AppError::Invalid(format!("contact_id: {e}")))?;
    store_account_message(state, company, line_id, account, message).await
}

/// [`store_message`] from the customer's account as the channel named it.
pub async fn store_account_message(
    state: &AppState,
    company: CompanyId,
    line_id: LineId,
    account: Account,
    message: InboundMessage,
) -> Result<(AcceptedMessage, Option<eventlog::Position>), AppError> {
    let line = company_line(state, company, line_id).await?;
    crate::services::blacklist::drop_if_listed(state, company, line_id, &account).await?;
    if message.name_source.channel_rank().is_none() {
        return Err(AppError::Invalid("name_source: a channel names its customer by `profile` or `phone_book`".into()));
    }
    let chat_id = chat_of(line_id, &account.id);
    let message_id = message.message_id.clone().unwrap_or_else(|| Uuid::now_v7().to_string());
    let menu = line.routing.menu();
    let remembers_consent = menu.and_then(|m| m.consent.as_ref()).is_some_and(|question| question.remember);
    let inbound = Inbound {
        company_id: company,
        line_id,
        channel: account.channel,
        contact_id: account.id.clone(),
        contact_name: message.name,
        name_source: message.name_source,
        message_id: message_id.clone(),
        text: message.text,
        media: message.media,
        sticker: message.sticker,
        content: Box::new(message.content),
        queue: line.routing.queue_of(line_id),
        menu: menu.cloned().map(Box::new),
        consent_on_record: false,
    };
    let context = CommandContext {
        company_id: company.as_uuid(),
        actor: domain::actor::Actor::Customer(chat_id.as_uuid()).to_string(),
        correlation_id: Uuid::now_v7(),
        causation_id: None,
        now: state.clock.now(),
    };
    let command = ChatCommand::Receive {
        chat_id,
        inbound,
        conversation_id: ConversationId::from_uuid(Uuid::now_v7()),
        at: context.now,
    };
    let stream = chat_stream(chat_id);
    let log = state.log.as_ref();
    let position = with_retry(&state.metrics, || async {
        let (chat, expected) = match state.recent_chats.get(chat_id) {
            Some(kept) => kept,
            None => load::<Chat>(log, &stream).await?,
        };
        let mut events = Chat::decide(&chat, &command).map_err(AppError::from)?;
        // M12–M14: a menu that remembers consent does not ask a customer who gave it anywhere
        // (K4); the directory is asked only when the bot would ask, not on every message.
        if remembers_consent
            && events.iter().any(|e| matches!(e, ChatEvent::ConsentAsked { .. }))
            && crate::services::contacts::directory::consent_on_record(state, company, &account).await? == Some(true)
        {
            events = Chat::decide(&chat, &with_consent_on_record(&command)).map_err(AppError::from)?;
        }
        let decided = Decided::new(&context, &stream, expected, &events)?;
        let after = decided.expected_after();
        match state.inbound.commit(decided).await {
            Ok(position) => {
                state.recent_chats.keep(chat_id, events.iter().fold(chat, Chat::evolve), after);
                Ok(position)
            }
            Err(error) => {
                state.recent_chats.forget(chat_id);
                Err(error)
            }
        }
    })
    .await?;
    Ok((AcceptedMessage { chat_id, message_id }, position))
}

/// What a channel's provider reports of a customer's consent (K2): they opted out, or back in.
#[derive(Clone, Debug, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ProviderConsent {
    /// The channel and the customer's id on it, as in the line's messages.
    pub channel: Channel,
    pub contact_id: String,
    /// `false`: the customer opted out (WhatsApp's "stop", Gupshup's opted-out); `true`: they
    /// opted back in.
    pub given: bool,
    /// When the provider says it happened; now when not said.
    pub at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, Deserialize, Serialize, utoipa::ToSchema)]
pub struct RecordedProviderConsent {
    /// The contact that holds the account: found, or made for it.
    pub contact_id: ContactId,
}

/// How far ahead of ours a provider's clock may be.
const PROVIDER_CLOCK_AHEAD_MINUTES: i64 = 5;

/// K2: a provider's opt-out or opt-in, handed over on a line, is the account's consent (the most
/// specific level, K4), with source `provider`; a number nobody knew gets a contact.
pub async fn record_provider_consent(
    state: &AppState,
    company: CompanyId,
    line: LineId,
    report: ProviderConsent,
) -> Result<RecordedProviderConsent, AppError> {
    let account = Account::parse(report.channel, &report.contact_id, None)
        .map_err(|e| AppError::Invalid(format!("contact_id: {e}")))?;
    record_account_consent(state, company, line, account, report).await
}

/// [`record_provider_consent`] for the account as the channel named it.
pub async fn record_account_consent(
    state: &AppState,
    company: CompanyId,
    line: LineId,
    account: Account,
    report: ProviderConsent,
) -> Result<RecordedProviderConsent, AppError> {
    company_line(state, company, line).await?;
    let now = state.clock.now();
    // A provider's clock a little ahead of ours is taken as now; one far ahead is a mistake.
    let at = match report.at {
        Some(at) if at > now + chrono::Duration::minutes(PROVIDER_CLOCK_AHEAD_MINUTES) => {
            return Err(AppError::Invalid("at: the provider's time is in the future".into()))
        }
        Some(at) => at.min(now),
        None => now,
    };
    let context = CommandContext::system(company, now);
    let log = state.log.as_ref();
    let unnamed = ChannelName { name: "", source: NameSource::Profile };
    let (Holder::New(contact) | Holder::Known(contact)) =
        find_or_create_contact(log, &state.metrics, &context, &account, line, unnamed).await?;
    let consent = ConsentRecord {
        scope: ConsentScope::Account { account },
        given: report.given,
        source: ConsentSource::Provider,
        at,
    };
    let position =
        change_in_turn(log, &state.metrics, &context, contact, &[ContactCommand::RecordConsent { consent }]).await?;
    state.caught_up(&state.contacts, position).await?;
    Ok(RecordedProviderConsent { contact_id: contact })
}
