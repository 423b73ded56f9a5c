//! The signed-in person a request comes from, and what they may do.

use crate::write::command::CommandContext;

use crate::error::AppError;
use chrono::{DateTime, Utc};
use domain::ids::{CompanyId, UserId};
use domain::user::Role;
use uuid::Uuid;

/// The signed-in person a request comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    pub user_id: UserId,
    pub company_id: CompanyId,
    pub role: Role,
    pub name: String,
    pub session_id: Uuid,
    /// When the session expires: its live connections close then.
    pub session_ends: chrono::DateTime<chrono::Utc>,
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
    pub fn context(&self, now: DateTime<Utc>) -> CommandContext {
        CommandContext {
            company_id: self.company_id.as_uuid(),
            actor: format!("{}:{}", self.role.as_str(), self.user_id),
            correlation_id: Uuid::now_v7(),
            causation_id: None,
            now,
        }
    }
}
