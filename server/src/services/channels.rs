//! Channel lines (G10): a line linked to a provider's account, its credentials sealed before they
//! reach the log and opened only to call the provider or check what it sends; the callback the
//! provider is given, and its subscription handshake.

use crate::caller::Caller;
use crate::error::AppError;
use crate::services::lines::{change_directory, random_hex};
use crate::state::AppState;
use domain::ids::LineId;
use domain::line::{line_stream, ChannelLink, Line, LineCommand, Sealed};
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

/// What sealed a secret of a line is bound to.
pub fn secret_owner(line: LineId, name: &str) -> String {
    format!("line:{line}:{name}")
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
    let seal = |name: &str, secret: &str| key.seal(&secret_owner(line_id, name), secret);
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
    secrets_key(state)?.open(&secret_owner(line, name), sealed).map_err(|error| {
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
