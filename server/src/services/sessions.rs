//! Sign-in: passwords hashed with argon2id, sessions behind an HTTP-only cookie, and the first
//! supervisor of a fresh installation.

use crate::caller::Caller;
use crate::error::WRONG_CREDENTIALS;
use crate::services::seats::check_sign_in_seat;
use crate::services::users::{hash_password, register_user};
use crate::state::execute;
use crate::write::command::CommandContext;

use crate::error::AppError;
use crate::limits::{address_key, ComeBackIn};
use crate::state::AppState;
use app::ssr::SESSION_COOKIE;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::PasswordVerifier;
use argon2::Argon2;
use chrono::Duration;
use domain::email::Email;
use domain::ids::{CompanyId, UserId};
use domain::user::{user_stream, Role, User, UserCommand};
use projections::people::People;
use sha2::{Digest, Sha256};
use std::net::IpAddr;
use uuid::Uuid;

const SESSION_LIFETIME_DAYS: i64 = 7;

const TOO_MANY_FOR_ACCOUNT: &str = "too many failed sign-ins for this account";
const TOO_MANY_FROM_ADDRESS: &str = "too many failed sign-ins from your address";
const BUSY_CHECKING: &str = "the server is busy checking other sign-ins";

fn parse_role(text: &str) -> Option<Role> {
    match text {
        "supervisor" => Some(Role::Supervisor),
        "agent" => Some(Role::Agent),
        "auditor" => Some(Role::Auditor),
        _ => None,
    }
}

async fn password_matches(password: String, phc: String) -> bool {
    tokio::task::spawn_blocking(move || {
        argon2::PasswordHash::new(&phc)
            .is_ok_and(|hash| Argon2::default().verify_password(password.as_bytes(), &hash).is_ok())
    })
    .await
    .unwrap_or(false)
}

fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

fn new_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The `Set-Cookie` value that opens a session in the browser; `secure`: over HTTPS only.
pub fn session_cookie(token: &str, secure: bool) -> String {
    let max_age = SESSION_LIFETIME_DAYS * 24 * 3600;
    let secure = if secure { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}={token}; HttpOnly; SameSite=Lax; Path=/; Max-Age={max_age}{secure}")
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn expired_session_cookie(secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0{secure}")
}

/// On a fresh installation, creates the first supervisor; does nothing once anyone exists.
pub async fn bootstrap_supervisor(state: &AppState, email: &str, password: &str) -> Result<bool, AppError> {
    if People.count_users(&state.store).await? > 0 {
        return Ok(false);
    }
    let company = CompanyId::from_uuid(state.settings.company_id);
    let context = CommandContext::system(company, state.clock.now());
    let user = register_user(state, &context, company, email, "Administrator", Role::Supervisor, password).await?;
    if password == crate::config::DEFAULT_ADMIN_PASSWORD {
        execute::<User>(state, &context, &user_stream(user), &UserCommand::RequirePasswordChange, &state.people)
            .await?;
    }
    Ok(true)
}

/// An open session: the token for its cookie, who it is, and whether they must change their
/// password (it is the installation's default).
pub struct Session {
    pub token: String,
    pub caller: Caller,
    pub password_to_change: bool,
}

/// How long a sign-in waits its turn to have its password checked before it is told the server
/// is busy.
const PASSWORD_CHECK_TURN: std::time::Duration = std::time::Duration::from_secs(5);

/// Whether `password` matches the stored hash `phc`, checked in its turn among at most
/// [`Limits::password_checks_at_once`](crate::limits::Limits); with no hash (an unknown account)
/// a hash is computed at the same cost and the answer is no, so the delay reveals nothing.
async fn password_checked(state: &AppState, password: &str, phc: Option<String>) -> Result<bool, AppError> {
    let _turn = tokio::time::timeout(PASSWORD_CHECK_TURN, state.guards.password_checks.acquire())
        .await
        .map_err(|_| AppError::too_many(BUSY_CHECKING, ComeBackIn(Duration::seconds(1))))?
        .map_err(|_| AppError::Internal("the password checks were closed".into()))?;
    let _check = state.metrics.password_check();
    Ok(match phc {
        Some(phc) => password_matches(password.to_string(), phc).await,
        None => {
            let _ = hash_password(password.to_string()).await;
            false
        }
    })
}

/// The key failed sign-ins of an account are counted under.
fn account_key(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Checks the password and opens a session; answers the token for the cookie. An account, or an
/// address (`client`), that failed too often lately waits before it may try again; at most
/// [`Limits::password_checks_at_once`](crate::limits::Limits) checks run at once, and an unknown
/// account costs one too, so that neither the answer's delay nor the limits reveal accounts.
pub async fn sign_in(state: &AppState, email: &str, password: &str, client: IpAddr) -> Result<Session, AppError> {
    let wrong = || AppError::Unauthorized(WRONG_CREDENTIALS.into());
    let guards = &state.guards;
    let account = account_key(email);
    let address = address_key(client);
    let now = state.clock.now();
    guards.sign_in_accounts.check(&account, now).map_err(|wait| AppError::too_many(TOO_MANY_FOR_ACCOUNT, wait))?;
    guards.sign_in_addresses.check(&address, now).map_err(|wait| AppError::too_many(TOO_MANY_FROM_ADDRESS, wait))?;
    let failed = || {
        let now = state.clock.now();
        guards.sign_in_accounts.failed(&account, now);
        guards.sign_in_addresses.failed(&address, now);
        wrong()
    };
    let Ok(email) = Email::parse(email) else {
        return Err(failed());
    };
    let user = People.user_by_email(&state.store, email.as_str()).await?;
    let matches = password_checked(state, password, user.as_ref().map(|user| user.password_hash.clone())).await?;
    let Some(user) = user.filter(|_| matches) else {
        return Err(failed());
    };
    guards.sign_in_accounts.succeeded(&account);
    let user_id: UserId = user.user_id.parse().map_err(|_| AppError::Internal("a stored user id".into()))?;
    let company_id: CompanyId =
        user.company_id.parse().map_err(|_| AppError::Internal("a stored company id".into()))?;
    let role = parse_role(&user.role).ok_or_else(|| AppError::Internal(format!("stored role {}", user.role)))?;
    if role == Role::Agent {
        check_sign_in_seat(state, company_id, user_id).await?;
    }
    let token = new_token();
    let session_id = Uuid::now_v7();
    let now = state.clock.now();
    let session_ends = now + Duration::days(SESSION_LIFETIME_DAYS);
    let caller = Caller { user_id, company_id, role, name: user.name, session_id, session_ends };
    let context = caller.context(now);
    let command = UserCommand::StartSession { session_id, token_hash: token_hash(&token), expires_at: session_ends };
    execute::<User>(state, &context, &user_stream(user_id), &command, &state.people).await?;
    Ok(Session { token, caller, password_to_change: user.password_to_change })
}

/// Changes the caller's password once their current one is checked (a wrong one counts as a
/// failed sign-in of the account); every other session of theirs ends.
pub async fn change_password(state: &AppState, caller: &Caller, current: &str, new: &str) -> Result<(), AppError> {
    let user = People
        .user(&state.store, &caller.user_id.to_string())
        .await?
        .ok_or_else(|| AppError::Unauthorized("please sign in".into()))?;
    let account = account_key(&user.email);
    let guards = &state.guards;
    guards
        .sign_in_accounts
        .check(&account, state.clock.now())
        .map_err(|wait| AppError::too_many(TOO_MANY_FOR_ACCOUNT, wait))?;
    crate::services::users::check_new_password(new)?;
    if !password_checked(state, current, Some(user.password_hash.clone())).await? {
        guards.sign_in_accounts.failed(&account, state.clock.now());
        return Err(AppError::Invalid("the current password is not right".into()));
    }
    let password_hash = hash_password(new.to_string()).await?;
    let context = caller.context(state.clock.now());
    let command = UserCommand::ChangePassword { password_hash, keep_session: Some(caller.session_id) };
    execute::<User>(state, &context, &user_stream(caller.user_id), &command, &state.people).await
}

/// Ends the caller's session.
pub async fn sign_out(state: &AppState, caller: &Caller) -> Result<(), AppError> {
    let context = caller.context(state.clock.now());
    let command = UserCommand::EndSession { session_id: caller.session_id };
    execute::<User>(state, &context, &user_stream(caller.user_id), &command, &state.people).await
}

/// The caller an open session's token names.
pub async fn caller_from_token(state: &AppState, token: Option<&str>) -> Result<Caller, AppError> {
    let unauthorized = || AppError::Unauthorized("please sign in".into());
    let token = token.ok_or_else(unauthorized)?;
    let now = state.clock.now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let session = People.open_session(&state.store, &token_hash(token), &now).await?.ok_or_else(unauthorized)?;
    let corrupt = |what: &str| AppError::Internal(format!("stored {what} unreadable"));
    Ok(Caller {
        user_id: session.user_id.parse().map_err(|_| corrupt("user id"))?,
        company_id: session.company_id.parse().map_err(|_| corrupt("company id"))?,
        role: parse_role(&session.role).ok_or_else(|| corrupt("role"))?,
        name: session.name,
        session_id: session.session_id.parse().map_err(|_| corrupt("session id"))?,
        session_ends: chrono::DateTime::parse_from_rfc3339(&session.expires_at)
            .map_err(|_| corrupt("session expiry"))?
            .with_timezone(&chrono::Utc),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::ssr::token_from_cookies;
    use axum::http::{HeaderMap, HeaderValue};

    #[test]
    fn the_session_token_is_read_from_among_other_cookies() {
        let mut headers = HeaderMap::new();
        headers.append("cookie", HeaderValue::from_static("theme=dark; ikono_session=abc123; lang=es"));
        assert_eq!(token_from_cookies(&headers), Some("abc123".into()));
        let mut empty = HeaderMap::new();
        empty.append("cookie", HeaderValue::from_static("ikono_session="));
        assert_eq!(token_from_cookies(&empty), None);
    }

    #[test]
    fn the_session_cookie_is_http_only_and_same_site() {
        assert!(session_cookie("t", true).ends_with("; Secure") && !session_cookie("t", false).contains("Secure"));
        let cookie = session_cookie("t", false);
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"));
    }

    #[test]
    fn tokens_are_random_and_only_their_hash_is_kept() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), a);
    }
}
