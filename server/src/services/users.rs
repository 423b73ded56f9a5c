//! People registered in a company: their e-mail claimed, their password hashed, an agent's seat taken.

use crate::services::seats::take_seat;
use crate::write::command::{commit, decide, with_retry, CommandContext};

use crate::error::AppError;
use crate::state::AppState;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHasher, SaltString};
use argon2::Argon2;
use domain::email::Email;
use domain::ids::{CompanyId, UserId};
use domain::reservation::{Reservation, ReservationCommand, Reserved};
use domain::user::{email_stream, parse_person_name, user_stream, PasswordHash, Role, User, UserCommand};
use uuid::Uuid;

const PASSWORD_MIN_CHARS: usize = 8;

pub(crate) async fn hash_password(password: String) -> Result<PasswordHash, AppError> {
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

/// Refuses a password too short to be one.
pub(crate) fn check_new_password(password: &str) -> Result<(), AppError> {
    if password.chars().count() < PASSWORD_MIN_CHARS {
        return Err(AppError::Invalid(format!("a password has at least {PASSWORD_MIN_CHARS} characters")));
    }
    Ok(())
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
    let name = parse_person_name(name)?;
    check_new_password(password)?;
    let password_hash = hash_password(password.to_string()).await?;
    let user_id = UserId::from_uuid(Uuid::now_v7());
    let log = state.log.as_ref();
    let position = with_retry(&state.metrics, || async {
        let claim = decide::<Reservation>(
            log,
            context,
            &email_stream(&email),
            &ReservationCommand::Claim {
                owner: user_id.as_uuid(),
                name: email.to_string(),
                what: Reserved::EmailAddress,
            },
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
