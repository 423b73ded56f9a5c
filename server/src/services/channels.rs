//! Channel lines (G10): a line linked to a provider's account, its credentials sealed before they
//! reach the log and opened only to call the provider or check what it sends; the callback the
//! provider is given, and its subscription handshake.

use crate::caller::Caller;
use crate::error::AppError;
use crate::live::channel_health::Health;
use crate::meta_api::{self, Channels};
use crate::secrets::line_secret;
use crate::services::lines::{
    change_directory, random_hex, record_account_consent, store_account_message, InboundMessage, ProviderConsent,
};
use crate::state::AppState;
use crate::write::command::{decide_and_append, CommandContext};
use bridges::whatsapp_cloud::inbound::{self, Update};
use bridges::whatsapp_cloud::outbound::{message_body, Outgoing};
use domain::chat::{chat_of, chat_stream, Chat, ChatCommand, Reaction};
use domain::contact::{Account, Channel, NameSource};
use domain::ids::{CompanyId, LineId};
use domain::line::{line_stream, ChannelLink, Line, LineCommand, Sealed};
use domain::message::{Content, MessageKind};
use domain::user::Role;
use projections::lines::LineRow;
use serde::{Deserialize, Serialize};

/// The longest credential a provider issues that we keep (Meta's tokens are a few hundred).
const CREDENTIAL_MAX_CHARS: usize = 2048;

/// A WhatsApp Cloud API number's credentials, from Meta's developer console.
#[derive(Clone, Deserialize, utoipa::ToSchema)]
pub struct WhatsappCloudCredentials {
    pub phone_number_id: String,
    pub business_account_id: String,
    /// A system user's permanent access token.
    pub access_token: String,
    /// The app secret Meta signs its notifications with.
    pub app_secret: String,
    /// The token Meta echoes when subscribing the callback; one is made when not given.
    pub verify_token: Option<String>,
}

/// What the supervisor pastes at Meta.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LinkedWhatsappCloud {
    pub line_id: LineId,
    pub phone_number_id: String,
    /// The callback URL's path on this server.
    pub callback_path: String,
    /// Shown once: only its sealed form is kept.
    pub verify_token: String,
    /// The last characters of the access token.
    pub token_hint: String,
}

/// The path Meta posts a line's notifications to.
pub fn whatsapp_callback_path(line: LineId) -> String {
    format!("/api/v1/webhooks/whatsapp-cloud/{line}")
}

fn credential(name: &str, value: &str) -> Result<String, AppError> {
    let value = value.trim();
    if value.is_empty()
        || value.chars().count() > CREDENTIAL_MAX_CHARS
        || value.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(AppError::Invalid(format!(
            "{name}: 1 to {CREDENTIAL_MAX_CHARS} characters without spaces, as Meta's console shows it"
        )));
    }
    Ok(value.to_string())
}

fn secrets_key(state: &AppState) -> Result<&crate::secrets::SecretsKey, AppError> {
    state.settings.secrets_key.as_ref().ok_or_else(|| {
        AppError::Conflict(
            "this installation keeps no channel credentials: its operator has not set a secrets key \
             (IKONO_SECRETS_KEY_FILE)"
                .into(),
        )
    })
}

/// Links the line to a WhatsApp Cloud API number, or replaces its credentials.
pub async fn link_whatsapp_cloud(
    state: &AppState,
    caller: &Caller,
    line_id: LineId,
    given: WhatsappCloudCredentials,
) -> Result<LinkedWhatsappCloud, AppError> {
    caller.require(&[Role::Supervisor])?;
    let key = secrets_key(state)?;
    let access_token = credential("access_token", &given.access_token)?;
    let app_secret = credential("app_secret", &given.app_secret)?;
    let verify_token = match given.verify_token.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(token) => credential("verify_token", token)?,
        None => random_hex(16),
    };
    let token_hint: String = {
        let chars: Vec<char> = access_token.chars().collect();
        chars[chars.len().saturating_sub(4)..].iter().collect()
    };
    let seal = |name: &str, secret: &str| key.seal(&line_secret(line_id, name), secret);
    let link = ChannelLink::WhatsappCloud {
        phone_number_id: given.phone_number_id.trim().to_string(),
        business_account_id: given.business_account_id.trim().to_string(),
        access_token: seal("access_token", &access_token),
        app_secret: seal("app_secret", &app_secret),
        verify_token: seal("verify_token", &verify_token),
        token_hint: token_hint.clone(),
    };
    let command = LineCommand::LinkChannel { line_id, company_id: caller.company_id, link };
    change_directory::<Line>(state, caller, &line_stream(line_id), &command).await?;
    Ok(LinkedWhatsappCloud {
        line_id,
        phone_number_id: given.phone_number_id.trim().to_string(),
        callback_path: whatsapp_callback_path(line_id),
        verify_token,
        token_hint,
    })
}

pub async fn unlink_channel(state: &AppState, caller: &Caller, line_id: LineId) -> Result<(), AppError> {
    caller.require(&[Role::Supervisor])?;
    let command = LineCommand::UnlinkChannel { line_id, company_id: caller.company_id };
    change_directory::<Line>(state, caller, &line_stream(line_id), &command).await
}

/// The line of a callback, with its WhatsApp Cloud link; anything else is not found, the same
/// for every caller, so that the callback tells nobody which lines exist.
async fn whatsapp_line(state: &AppState, line_id: &str) -> Result<(LineRow, ChannelLink), AppError> {
    let not_found = || AppError::NotFound("no such callback".into());
    let line = state.directory.line(&state.store, line_id).await?.ok_or_else(not_found)?;
    match line.credentials.clone() {
        Some(link @ ChannelLink::WhatsappCloud { .. }) => Ok((line, link)),
        None => Err(not_found()),
    }
}

fn open(state: &AppState, line: LineId, name: &str, sealed: &Sealed) -> Result<String, AppError> {
    secrets_key(state)?.open(&line_secret(line, name), sealed).map_err(|error| {
        tracing::error!(%line, secret = name, %error, "a line's secret could not be opened");
        AppError::Internal("the line's credentials cannot be read on this server".into())
    })
}

/// Meta's subscription handshake on a line's callback: the challenge, echoed when the verify
/// token is the line's.
pub async fn whatsapp_subscription(
    state: &AppState,
    line_id: &str,
    mode: Option<&str>,
    token: Option<&str>,
    challenge: Option<&str>,
) -> Result<String, AppError> {
    let (line, ChannelLink::WhatsappCloud { verify_token, .. }) = whatsapp_line(state, line_id).await?;
    let line_id: LineId = line.line_id.parse().map_err(|_| AppError::Internal("a stored line id".into()))?;
    let expected = open(state, line_id, "verify_token", &verify_token)?;
    bridges::meta::subscription_challenge(mode, token, challenge, &expected)
        .ok_or_else(|| AppError::Forbidden("the verify token is not this line's".into()))
}

/// Meta's template every business account has from the start, which any number may receive: what
/// "send a test" sends, as Meta's own console does.
const TEST_TEMPLATE: (&str, &str) = ("hello_world", "en_US");

/// A test the supervisor sends from the line's number.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
pub struct TestMessage {
    /// A number on WhatsApp, international (`+54 9 11 5555 0000`).
    pub to: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SentTest {
    /// Meta's id of the message it took.
    pub provider_message_id: String,
}

/// Sends Meta's `hello_world` template from the line's number to `to`, straight through Meta's
/// API (no chat is opened): Meta's answer says whether the credentials, the number and the
/// account work. Not an event: nothing of the company's changes.
pub async fn send_test(
    state: &AppState,
    caller: &Caller,
    line_id: LineId,
    test: TestMessage,
) -> Result<SentTest, AppError> {
    caller.require(&[Role::Supervisor])?;
    let line = state
        .directory
        .line(&state.store, &line_id.to_string())
        .await?
        .filter(|line| line.company_id == caller.company_id.to_string())
        .ok_or_else(|| AppError::NotFound("no such line".into()))?;
    let link = line.credentials.ok_or_else(|| AppError::NotFound("the line has no WhatsApp number linked".into()))?;
    let account =
        Account::parse(Channel::Whatsapp, &test.to, None).map_err(|e| AppError::Invalid(format!("to: {e}")))?;
    let route = Channels::of(&state.settings)
        .route(line_id, &link)
        .ok_or_else(|| AppError::Internal("the line's credentials cannot be read on this server".into()))?;
    let (name, language) = TEST_TEMPLATE;
    let to = account.id.trim_start_matches('+');
    let body = message_body(to, &Outgoing::Template { name, language, parameters: &[] })
        .map_err(|refused| AppError::Invalid(refused.to_string()))?;
    tracing::info!(%line_id, user = %caller.user_id, "a supervisor sends a test from a WhatsApp line");
    let provider_message_id = meta_api::send_message(&meta_api::client(), &route, &body)
        .await
        .map_err(|refusal| AppError::Invalid(format!("WhatsApp refused the test: {}", refusal.words)))?;
    Ok(SentTest { provider_message_id })
}

/// A WhatsApp Cloud line as its supervisor checks it after linking it.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct WhatsappCloudState {
    pub line_id: LineId,
    pub phone_number_id: String,
    pub business_account_id: String,
    pub token_hint: String,
    /// The callback URL's path on this server.
    pub callback_path: String,
    /// When Meta last reached the callback with a notification we took, and the last we refused
    /// (as this node saw them).
    pub health: Health,
}

/// The line's WhatsApp Cloud link and how its callback fares.
pub async fn whatsapp_state(
    state: &AppState,
    caller: &Caller,
    line_id: LineId,
) -> Result<WhatsappCloudState, AppError> {
    caller.require(&[Role::Supervisor, Role::Auditor])?;
    let line = state
        .directory
        .line(&state.store, &line_id.to_string())
        .await?
        .filter(|line| line.company_id == caller.company_id.to_string())
        .ok_or_else(|| AppError::NotFound("no such line".into()))?;
    let Some(ChannelLink::WhatsappCloud { phone_number_id, business_account_id, token_hint, .. }) = line.credentials
    else {
        return Err(AppError::NotFound("the line has no WhatsApp number linked".into()));
    };
    Ok(WhatsappCloudState {
        line_id,
        phone_number_id,
        business_account_id,
        token_hint,
        callback_path: whatsapp_callback_path(line_id),
        health: state.channel_health.of(line_id),
    })
}

/// What became of a notification's updates.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NotificationOutcome {
    /// Messages, reactions, statuses and preferences recorded (or recorded already).
    pub recorded: usize,
    /// Updates that could not be placed (another number, an unknown chat, an unreadable part):
    /// logged, and not asked again, since asking again changes nothing.
    pub skipped: usize,
}

/// A notification Meta posts to a line's callback: checked against the line's app secret on the
/// bytes as they came, then each update recorded. Every update is idempotent, so a notification
/// delivered twice (or in another key order) records nothing new; a failure of our own answers an
/// error, so that Meta delivers it again.
pub async fn receive_whatsapp_notification(
    state: &AppState,
    line_id: &str,
    signature: Option<&str>,
    body: &[u8],
) -> Result<NotificationOutcome, AppError> {
    let (line, ChannelLink::WhatsappCloud { app_secret, phone_number_id, .. }) = whatsapp_line(state, line_id).await?;
    let line_id: LineId = line.line_id.parse().map_err(|_| AppError::Internal("a stored line id".into()))?;
    let secret = open(state, line_id, "app_secret", &app_secret)?;
    let now = state.clock.now();
    let refused = |error: AppError| {
        state.channel_health.refused(line_id, now, &error.to_string());
        error
    };
    bridges::meta::verify_signature(&secret, body, signature)
        .map_err(|e| refused(AppError::Unauthorized(e.to_string())))?;
    let updates = inbound::parse(body).map_err(|e| refused(AppError::Malformed(e.to_string())))?;
    state.channel_health.notified(line_id, now);
    let company: CompanyId = line.company_id.parse().map_err(|_| AppError::Internal("a stored company id".into()))?;
    let mut outcome = NotificationOutcome::default();
    for update in updates {
        let recorded = match update {
            Update::Message(message) if message.phone_number_id == phone_number_id => {
                store_whatsapp_message(state, company, line_id, *message).await
            }
            Update::Reaction(reaction) if reaction.phone_number_id == phone_number_id => {
                let account = whatsapp_account(&reaction.from)?;
                let command = ChatCommand::React {
                    company_id: company,
                    reaction: Reaction { id: reaction.id, to: reaction.to, emoji: reaction.emoji },
                    at: state.clock.now(),
                };
                on_chat(state, company, line_id, &account, &command).await
            }
            Update::Status(report) if report.phone_number_id == phone_number_id => {
                let account = whatsapp_account(&report.recipient)?;
                let command = ChatCommand::ReportStatus {
                    company_id: company,
                    provider_message_id: report.message,
                    status: report.status,
                    reason: report.failure,
                    at: state.clock.now(),
                };
                on_chat(state, company, line_id, &account, &command).await
            }
            Update::Marketing(preference) if preference.phone_number_id == phone_number_id => {
                let account = whatsapp_account(&preference.from)?;
                let report = ProviderConsent {
                    channel: Channel::Whatsapp,
                    contact_id: account.id.clone(),
                    given: preference.given,
                    at: preference.at,
                };
                record_account_consent(state, company, line_id, account, report).await.map(|_| ())
            }
            Update::Template(template) => {
                crate::services::templates::record_template_status(
                    state,
                    company,
                    &template.template_id,
                    &template.event,
                    template.reason,
                )
                .await
            }
            Update::Unreadable(why) => Err(AppError::Invalid(why)),
            _ => Err(AppError::Invalid("an update for another number".into())),
        };
        match recorded {
            Ok(()) => outcome.recorded += 1,
            // Ours: Meta delivers the notification again, and what was recorded stays recorded.
            Err(error @ (AppError::Internal(_) | AppError::Contention)) => return Err(error),
            Err(refused) => {
                tracing::warn!(%line_id, reason = %refused, "a part of a WhatsApp notification was skipped");
                outcome.skipped += 1;
            }
        }
    }
    Ok(outcome)
}

fn whatsapp_account(raw: &str) -> Result<Account, AppError> {
    Account::from_provider(Channel::Whatsapp, raw).map_err(|e| AppError::Invalid(format!("the customer's number: {e}")))
}

async fn store_whatsapp_message(
    state: &AppState,
    company: CompanyId,
    line_id: LineId,
    message: inbound::CustomerMessage,
) -> Result<(), AppError> {
    let account = whatsapp_account(&message.from)?;
    let content = Content {
        kind: message.kind,
        file: message.file,
        location: message.location,
        cards: message.cards,
        quoted: message.quoted,
        choice: message.choice,
    };
    let inbound = InboundMessage {
        channel: Channel::Whatsapp,
        contact_id: account.id.clone(),
        name: message.name.unwrap_or_default(),
        name_source: NameSource::Profile,
        text: message.text,
        media: None,
        sticker: message.kind == MessageKind::Sticker,
        message_id: Some(message.id),
        content,
    };
    store_account_message(state, company, line_id, account, inbound).await.map(|_| ())
}

/// Runs `command` on the chat of `account` on the line: a chat we never had is not found.
async fn on_chat(
    state: &AppState,
    company: CompanyId,
    line_id: LineId,
    account: &Account,
    command: &ChatCommand,
) -> Result<(), AppError> {
    let chat_id = chat_of(line_id, &account.id);
    let context = CommandContext::new(
        company.as_uuid(),
        domain::actor::Actor::Customer(chat_id.as_uuid()).to_string(),
        state.clock.now(),
    );
    decide_and_append::<Chat>(state.log.as_ref(), &state.metrics, &context, &chat_stream(chat_id), command).await?;
    Ok(())
}
