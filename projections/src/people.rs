//! Users of each company and their open sessions: what sign-in and every authenticated request read.

use crate::runner::{decode_event, Projection, ProjectionError};
use crate::store::ReadStore;
use async_trait::async_trait;
use domain::user::UserEvent;
use eventlog::RecordedEvent;
use sqlx::{AnyConnection, Row};

// Versions — 2: names change, users are deactivated; 3: passwords change, and some must.
crate::projection_names!("people", version 3, tables { USERS = "users", SESSIONS = "sessions" });

/// A user as sign-in needs them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserRow {
    pub user_id: String,
    pub company_id: String,
    pub email: String,
    pub name: String,
    pub role: String,
    pub password_hash: String,
    pub active: bool,
    /// Signs in with a password others know, and is asked to change it.
    pub password_to_change: bool,
}

/// An open session and whose it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRow {
    pub session_id: String,
    pub user_id: String,
    pub company_id: String,
    pub role: String,
    pub name: String,
    pub expires_at: String,
}

const USER_COLUMNS: &str = "user_id, company_id, email, name, role, password_hash, active, password_to_change";

fn user_row(row: &sqlx::any::AnyRow) -> Result<UserRow, sqlx::Error> {
    Ok(UserRow {
        user_id: row.try_get("user_id")?,
        company_id: row.try_get("company_id")?,
        email: row.try_get("email")?,
        name: row.try_get("name")?,
        role: row.try_get("role")?,
        password_hash: row.try_get("password_hash")?,
        active: row.try_get::<i64, _>("active")? == 1,
        password_to_change: row.try_get::<i64, _>("password_to_change")? == 1,
    })
}

#[derive(Default)]
pub struct People;

impl People {
    pub async fn user_by_email(&self, store: &ReadStore, email: &str) -> Result<Option<UserRow>, sqlx::Error> {
        let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM {USERS} WHERE email = $1"))
            .bind(email)
            .fetch_optional(store.pool())
            .await?;
        row.as_ref().map(user_row).transpose()
    }

    pub async fn user(&self, store: &ReadStore, user_id: &str) -> Result<Option<UserRow>, sqlx::Error> {
        let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM {USERS} WHERE user_id = $1"))
            .bind(user_id)
            .fetch_optional(store.pool())
            .await?;
        row.as_ref().map(user_row).transpose()
    }

    /// A company's users of one role, by name.
    pub async fn users_of(&self, store: &ReadStore, company: &str, role: &str) -> Result<Vec<UserRow>, sqlx::Error> {
        let rows = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM {USERS} \
             WHERE company_id = $1 AND role = $2 ORDER BY lower(name), email"
        ))
        .bind(company)
        .bind(role)
        .fetch_all(store.pool())
        .await?;
        rows.iter().map(user_row).collect()
    }

    pub async fn count_users(&self, store: &ReadStore) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar(&format!("SELECT count(*) FROM {USERS}")).fetch_one(store.pool()).await
    }

    /// The agents of a company with a session open at `now` (RFC 3339).
    pub async fn signed_in_agents(
        &self,
        store: &ReadStore,
        company: &str,
        now: &str,
    ) -> Result<Vec<String>, sqlx::Error> {
        sqlx::query_scalar(&format!(
            "SELECT DISTINCT s.user_id FROM {SESSIONS} s JOIN {USERS} u ON u.user_id = s.user_id \
             WHERE u.company_id = $1 AND u.role = 'agent' AND s.ended = 0 AND s.expires_at > $2"
        ))
        .bind(company)
        .bind(now)
        .fetch_all(store.pool())
        .await
    }

    /// The open session a token's hash names, if it has not expired by `now` (RFC 3339).
    pub async fn open_session(
        &self,
        store: &ReadStore,
        token_hash: &str,
        now: &str,
    ) -> Result<Option<SessionRow>, sqlx::Error> {
        let row = sqlx::query(&format!(
            "SELECT s.session_id, s.user_id, u.company_id, u.role, u.name, s.expires_at \
             FROM {SESSIONS} s JOIN {USERS} u ON u.user_id = s.user_id \
             WHERE s.token_hash = $1 AND s.ended = 0 AND s.expires_at > $2"
        ))
        .bind(token_hash)
        .bind(now)
        .fetch_optional(store.pool())
        .await?;
        row.map(|row| {
            Ok(SessionRow {
                session_id: row.try_get("session_id")?,
                user_id: row.try_get("user_id")?,
                company_id: row.try_get("company_id")?,
                role: row.try_get("role")?,
                name: row.try_get("name")?,
                expires_at: row.try_get("expires_at")?,
            })
        })
        .transpose()
    }
}

#[async_trait]
impl Projection for People {
    fn name(&self) -> &'static str {
        NAME
    }

    fn version(&self) -> u32 {
        VERSION
    }

    async fn create_tables(&self, connection: &mut AnyConnection) -> Result<(), ProjectionError> {
        sqlx::query(&format!(
            "CREATE TABLE IF NOT EXISTS {USERS} (user_id TEXT PRIMARY KEY, company_id TEXT NOT NULL, \
             email TEXT NOT NULL UNIQUE, name TEXT NOT NULL, role TEXT NOT NULL, password_hash TEXT NOT NULL, \
             active BIGINT NOT NULL, password_to_change BIGINT NOT NULL)"
        ))
        .execute(&mut *connection)
        .await?;
        sqlx::query(&format!(
            "CREATE TABLE IF NOT EXISTS {SESSIONS} (token_hash TEXT PRIMARY KEY, session_id TEXT NOT NULL UNIQUE, \
             user_id TEXT NOT NULL, expires_at TEXT NOT NULL, ended INTEGER NOT NULL)"
        ))
        .execute(&mut *connection)
        .await?;
        Ok(())
    }

    fn reads(&self, event: &RecordedEvent) -> bool {
        UserEvent::NAMES.contains(&event.event_type.as_str())
    }

    async fn apply(&self, connection: &mut AnyConnection, event: &RecordedEvent) -> Result<(), ProjectionError> {
        let decoded = decode_event::<UserEvent>(event)?;
        let user_id = event.stream.trim_start_matches("user-").to_string();
        match decoded {
            UserEvent::Registered { user_id, company_id, email, name, role, password_hash } => {
                sqlx::query(&format!(
                    "INSERT INTO {USERS} (user_id, company_id, email, name, role, password_hash, active, \
                     password_to_change) VALUES ($1, $2, $3, $4, $5, $6, 1, 0) ON CONFLICT (user_id) DO NOTHING"
                ))
                .bind(user_id.to_string())
                .bind(company_id.to_string())
                .bind(email.as_str().to_string())
                .bind(name)
                .bind(role.as_str())
                .bind(password_hash.as_str().to_string())
                .execute(&mut *connection)
                .await?;
            }
            UserEvent::SessionStarted { session_id, token_hash, expires_at } => {
                sqlx::query(&format!(
                    "INSERT INTO {SESSIONS} (token_hash, session_id, user_id, expires_at, ended) \
                     VALUES ($1, $2, $3, $4, 0) ON CONFLICT (token_hash) DO NOTHING"
                ))
                .bind(token_hash)
                .bind(session_id.to_string())
                .bind(user_id)
                .bind(expires_at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
                .execute(&mut *connection)
                .await?;
            }
            UserEvent::Renamed { name } => {
                sqlx::query(&format!("UPDATE {USERS} SET name = $1 WHERE user_id = $2"))
                    .bind(name)
                    .bind(user_id)
                    .execute(&mut *connection)
                    .await?;
            }
            UserEvent::Deactivated => {
                sqlx::query(&format!("UPDATE {USERS} SET active = 0 WHERE user_id = $1"))
                    .bind(user_id)
                    .execute(&mut *connection)
                    .await?;
            }
            UserEvent::PasswordChanged { password_hash } => {
                sqlx::query(&format!(
                    "UPDATE {USERS} SET password_hash = $1, password_to_change = 0 WHERE user_id = $2"
                ))
                .bind(password_hash.as_str().to_string())
                .bind(user_id)
                .execute(&mut *connection)
                .await?;
            }
            UserEvent::PasswordChangeRequired => {
                sqlx::query(&format!("UPDATE {USERS} SET password_to_change = 1 WHERE user_id = $1"))
                    .bind(user_id)
                    .execute(&mut *connection)
                    .await?;
            }
            UserEvent::SessionEnded { session_id } => {
                sqlx::query(&format!("UPDATE {SESSIONS} SET ended = 1 WHERE session_id = $1"))
                    .bind(session_id.to_string())
                    .execute(&mut *connection)
                    .await?;
            }
        }
        Ok(())
    }
}
