//! Sign-in: passwords hashed with argon2id, sessions behind an HTTP-only cookie, and the first
//! supervisor of a fresh installation.

use crate::commands::{commit, decide, execute, with_retry, CommandContext};
use crate::companies::{check_sign_in_seat, take_seat};
use crate::error::AppError;
use crate::startup::AppState;
use app::ssr::{token_from_cookies, SESSION_COOKIE};
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use chrono::{Duration, Utc};
use domain::ids::{CompanyId, UserId};
use domain::reservation::{Reservation, ReservationCommand, ReservationRejection};
use domain::user::{
    email_stream, parse_person_name, user_stream, Email, PasswordHash, Role, User, UserCommand, UserRejection,
};
use projections::people::People;
use sha2::{Digest, Sha256};
use uuid::Uuid;

const SESSION_LIFETIME_DAYS: i64 = 7;
const PASSWORD_MIN_CHARS: usize = 8;
const WRONG_CREDENTIALS: &str = "wrong e-mail or password";

/// The signed-in person a request comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    pub user_id: UserId,
    pub company_id: CompanyId,
    pub role: Role,
    pub name: String,
    pub session_id: Uuid,
}

impl Caller {
    /// Refuses the request unless the caller has one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), AppError> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!("your role ({}) may not do this", self.role.as_str())))
        }
    }

    /// The context of a command this caller gives.
    pub fn context(&self) -> CommandContext {
        CommandContext {
            company_id: self.company_id.as_uuid(),
            actor: format!("{}:{}", self.role.as_str(), self.user_id),
            correlation_id: Uuid::now_v7(),
            causation_id: None,
            now: Utc::now(),
        }
    }
}

fn parse_role(text: &str) -> Option<Role> {
    match text {
        "supervisor" => Some(Role::Supervisor),
        "agent" => Some(Role::Agent),
        "auditor" => Some(Role::Auditor),
        _ => None,
    }
}

async fn hash_password(password: String) -> Result<PasswordHash, AppError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| PasswordHash::new(hash.to_string()))
            .map_err(|e| AppError::Internal(format!("hashing a password: {e}")))
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
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

/// The `Set-Cookie` value that opens a session in the browser.
pub fn session_cookie(token: &str) -> String {
    let max_age = SESSION_LIFETIME_DAYS * 24 * 3600;
    format!("{SESSION_COOKIE}={token}; HttpOnly; SameSite=Lax; Path=/; Max-Age={max_age}")
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn expired_session_cookie() -> String {
    format!("{SESSION_COOKIE}=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0")
}

/// Registers a user: claims the e-mail address and records the user in one transaction.
pub async fn register_user(
    state: &AppState,
    context: &CommandContext,
    company: CompanyId,
    email: &str,
    name: &str,
    role: Role,
    password: &str,
) -> Result<UserId, AppError> {
    let email = Email::parse(email).map_err(|e| AppError::Invalid(e.to_string()))?;
    let name = parse_person_name(name).map_err(user_rejected)?;
    if password.chars().count() < PASSWORD_MIN_CHARS {
        return Err(AppError::Invalid(format!("a password has at least {PASSWORD_MIN_CHARS} characters")));
    }
    let password_hash = hash_password(password.to_string()).await?;
    let user_id = UserId::from_uuid(Uuid::now_v7());
    let log = state.log.as_ref();
    let position = with_retry(&state.metrics, || async {
        let claim = decide::<Reservation>(
            log,
            context,
            &email_stream(&email),
            &ReservationCommand::Claim { owner: user_id.as_uuid(), name: email.to_string() },
            |ReservationRejection::Taken(address)| AppError::Conflict(format!("{address} already has an account")),
        )
        .await?;
        let register = decide::<User>(
            log,
            context,
            &user_stream(user_id),
            &UserCommand::Register {
                user_id,
                company_id: company,
                email: email.clone(),
                name: name.clone(),
                role,
                password_hash: password_hash.clone(),
            },
            user_rejected,
        )
        .await?;
        let mut decisions = vec![claim, register];
        if role == Role::Agent {
            decisions.push(take_seat(log, context, company, user_id).await?);
        }
        commit(log, &state.metrics, decisions).await
    })
    .await?;
    state.caught_up(&state.people, position).await?;
    Ok(user_id)
}

pub(crate) fn user_rejected(rejection: UserRejection) -> AppError {
    match rejection {
        UserRejection::AlreadyRegistered => AppError::Conflict(rejection.to_string()),
        UserRejection::NotRegistered => AppError::Unauthorized(WRONG_CREDENTIALS.into()),
        UserRejection::Deactivated => AppError::Forbidden(rejection.to_string()),
        UserRejection::InvalidName => AppError::Invalid(rejection.to_string()),
    }
}

/// On a fresh installation, creates the first supervisor; does nothing once anyone exists.
pub async fn bootstrap_supervisor(state: &AppState, email: &str, password: &str) -> Result<bool, AppError> {
    if People.count_users(&state.store).await? > 0 {
        return Ok(false);
    }
    let company = CompanyId::from_uuid(state.settings.company_id);
    let context = CommandContext::system(company, Utc::now());
    register_user(state, &context, company, email, "Administrator", Role::Supervisor, password).await?;
    Ok(true)
}

/// Checks the password and opens a session; answers the token for the cookie.
pub async fn sign_in(state: &AppState, email: &str, password: &str) -> Result<(String, Caller), AppError> {
    let wrong = || AppError::Unauthorized(WRONG_CREDENTIALS.into());
    let email = Email::parse(email).map_err(|_| wrong())?;
    let Some(user) = People.user_by_email(&state.store, email.as_str()).await? else {
        // Spend the same time as a real check, so the answer's delay does not reveal accounts.
        let _ = hash_password(password.to_string()).await;
        return Err(wrong());
    };
    if !password_matches(password.to_string(), user.password_hash.clone()).await {
        return Err(wrong());
    }
    let user_id: UserId = user.user_id.parse().map_err(|_| AppError::Internal("a stored user id".into()))?;
    let company_id: CompanyId =
        user.company_id.parse().map_err(|_| AppError::Internal("a stored company id".into()))?;
    let role = parse_role(&user.role).ok_or_else(|| AppError::Internal(format!("stored role {}", user.role)))?;
    if role == Role::Agent {
        check_sign_in_seat(state, company_id, user_id).await?;
    }
    let token = new_token();
    let session_id = Uuid::now_v7();
    let caller = Caller { user_id, company_id, role, name: user.name, session_id };
    let context = caller.context();
    let command = UserCommand::StartSession {
        session_id,
        token_hash: token_hash(&token),
        expires_at: context.now + Duration::days(SESSION_LIFETIME_DAYS),
    };
    execute::<User>(state, &context, &user_stream(user_id), &command, user_rejected, &state.people).await?;
    Ok((token, caller))
}

/// Ends the caller's session.
pub async fn sign_out(state: &AppState, caller: &Caller) -> Result<(), AppError> {
    let context = caller.context();
    let command = UserCommand::EndSession { session_id: caller.session_id };
    execute::<User>(state, &context, &user_stream(caller.user_id), &command, user_rejected, &state.people).await
}

/// The caller an open session's token names.
pub async fn caller_from_token(state: &AppState, token: Option<&str>) -> Result<Caller, AppError> {
    let unauthorized = || AppError::Unauthorized("please sign in".into());
    let token = token.ok_or_else(unauthorized)?;
    let now = Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let session = People.open_session(&state.store, &token_hash(token), &now).await?.ok_or_else(unauthorized)?;
    let corrupt = |what: &str| AppError::Internal(format!("stored {what} unreadable"));
    Ok(Caller {
        user_id: session.user_id.parse().map_err(|_| corrupt("user id"))?,
        company_id: session.company_id.parse().map_err(|_| corrupt("company id"))?,
        role: parse_role(&session.role).ok_or_else(|| corrupt("role"))?,
        name: session.name,
        session_id: session.session_id.parse().map_err(|_| corrupt("session id"))?,
    })
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        caller_from_token(state, token_from_cookies(&parts.headers).as_deref()).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
        let cookie = session_cookie("t");
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
