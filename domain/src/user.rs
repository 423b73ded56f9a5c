//! People using the app (supervisors, agents, auditors) and their sign-in sessions.

use crate::decider::Decider;
use crate::email::Email;
use crate::event::DomainEvent;
use crate::ids::{CompanyId, UserId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use uuid::Uuid;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Supervisor,
    Agent,
    /// Reads the history; changes nothing.
    Auditor,
}

impl Role {
    pub fn as_str(&self) -> &'static str {
        match self {
            Role::Supervisor => "supervisor",
            Role::Agent => "agent",
            Role::Auditor => "auditor",
        }
    }
}

/// A password hash in PHC format (argon2id), computed outside the domain. Never printed.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PasswordHash(String);

impl PasswordHash {
    pub fn new(phc: String) -> Self {
        Self(phc)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(…)")
    }
}

/// The stream of one user.
pub fn user_stream(user: UserId) -> String {
    format!("user-{user}")
}

/// The stream that reserves one e-mail address across the installation.
pub fn email_stream(email: &Email) -> String {
    format!("useremail-{email}")
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum UserEvent {
    #[serde(rename = "UserRegistered")]
    Registered {
        user_id: UserId,
        company_id: CompanyId,
        email: Email,
        name: String,
        role: Role,
        password_hash: PasswordHash,
    },
    #[serde(rename = "UserSessionStarted")]
    SessionStarted { session_id: Uuid, token_hash: String, expires_at: DateTime<Utc> },
    #[serde(rename = "UserSessionEnded")]
    SessionEnded { session_id: Uuid },
    #[serde(rename = "UserRenamed")]
    Renamed { name: String },
    #[serde(rename = "UserDeactivated")]
    Deactivated,
    /// The user set a new password; the hash only, never the password.
    #[serde(rename = "UserPasswordChanged")]
    PasswordChanged { password_hash: PasswordHash },
    /// The user signs in with a password others know (the installation's default) and is asked
    /// to change it.
    #[serde(rename = "UserPasswordChangeRequired")]
    PasswordChangeRequired,
}

crate::stored_names!(UserEvent {
    REGISTERED = "UserRegistered",
    SESSION_STARTED = "UserSessionStarted",
    SESSION_ENDED = "UserSessionEnded",
    RENAMED = "UserRenamed",
    DEACTIVATED = "UserDeactivated",
    PASSWORD_CHANGED = "UserPasswordChanged",
    PASSWORD_CHANGE_REQUIRED = "UserPasswordChangeRequired",
});

impl DomainEvent for UserEvent {}

#[derive(Clone, Debug, PartialEq)]
pub enum UserCommand {
    Register {
        user_id: UserId,
        company_id: CompanyId,
        email: Email,
        name: String,
        role: Role,
        password_hash: PasswordHash,
    },
    /// The password was checked outside (argon2 is not pure); the domain records the session.
    StartSession {
        session_id: Uuid,
        token_hash: String,
        expires_at: DateTime<Utc>,
    },
    EndSession {
        session_id: Uuid,
    },
    Rename {
        name: String,
    },
    /// Ends every open session too: a deactivated user is signed out everywhere at once.
    Deactivate,
    /// The current password was checked outside; every other session of the user ends, so that
    /// whoever knew the old password is signed out.
    ChangePassword {
        password_hash: PasswordHash,
        keep_session: Option<Uuid>,
    },
    RequirePasswordChange,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UserRejection {
    #[error("this user already exists")]
    AlreadyRegistered,
    #[error("no such user")]
    NotRegistered,
    #[error("this account is deactivated")]
    Deactivated,
    #[error("a name has 1 to {NAME_MAX_CHARS} characters")]
    InvalidName,
}

pub const NAME_MAX_CHARS: usize = 120;

/// A person's name: trimmed, inner white space folded, 1 to 120 characters.
pub fn parse_person_name(raw: &str) -> Result<String, UserRejection> {
    let name = crate::text::single_spaced(raw);
    if name.is_empty() || name.chars().count() > NAME_MAX_CHARS || name.chars().any(char::is_control) {
        return Err(UserRejection::InvalidName);
    }
    Ok(name)
}

#[derive(Default, Debug)]
pub struct UserState {
    registered: bool,
    active: bool,
    name: String,
    sessions: BTreeMap<Uuid, DateTime<Utc>>,
    password_to_change: bool,
}

pub struct User;

impl Decider for User {
    type State = UserState;
    type Command = UserCommand;
    type Event = UserEvent;
    type Rejection = UserRejection;

    fn decide(state: &UserState, command: &UserCommand) -> Result<Vec<UserEvent>, UserRejection> {
        match command {
            UserCommand::Register { user_id, company_id, email, name, role, password_hash } => {
                if state.registered {
                    return Err(UserRejection::AlreadyRegistered);
                }
                Ok(vec![UserEvent::Registered {
                    user_id: *user_id,
                    company_id: *company_id,
                    email: email.clone(),
                    name: name.clone(),
                    role: *role,
                    password_hash: password_hash.clone(),
                }])
            }
            UserCommand::StartSession { session_id, token_hash, expires_at } => {
                if !state.registered {
                    return Err(UserRejection::NotRegistered);
                }
                if !state.active {
                    return Err(UserRejection::Deactivated);
                }
                Ok(vec![UserEvent::SessionStarted {
                    session_id: *session_id,
                    token_hash: token_hash.clone(),
                    expires_at: *expires_at,
                }])
            }
            // Ending a session that is not open changes nothing: logging out twice is harmless.
            UserCommand::EndSession { session_id } => Ok(if state.sessions.contains_key(session_id) {
                vec![UserEvent::SessionEnded { session_id: *session_id }]
            } else {
                vec![]
            }),
            UserCommand::Rename { name } => {
                if !state.registered {
                    return Err(UserRejection::NotRegistered);
                }
                let name = parse_person_name(name)?;
                Ok(if name == state.name { vec![] } else { vec![UserEvent::Renamed { name }] })
            }
            UserCommand::Deactivate => {
                if !state.registered {
                    return Err(UserRejection::NotRegistered);
                }
                if !state.active {
                    return Ok(vec![]);
                }
                let mut events: Vec<UserEvent> = state
                    .sessions
                    .keys()
                    .map(|session_id| UserEvent::SessionEnded { session_id: *session_id })
                    .collect();
                events.push(UserEvent::Deactivated);
                Ok(events)
            }
            UserCommand::ChangePassword { password_hash, keep_session } => {
                if !state.registered {
                    return Err(UserRejection::NotRegistered);
                }
                if !state.active {
                    return Err(UserRejection::Deactivated);
                }
                let mut events: Vec<UserEvent> = state
                    .sessions
                    .keys()
                    .filter(|session_id| Some(**session_id) != *keep_session)
                    .map(|session_id| UserEvent::SessionEnded { session_id: *session_id })
                    .collect();
                events.push(UserEvent::PasswordChanged { password_hash: password_hash.clone() });
                Ok(events)
            }
            UserCommand::RequirePasswordChange => {
                if !state.registered {
                    return Err(UserRejection::NotRegistered);
                }
                Ok(if state.password_to_change { vec![] } else { vec![UserEvent::PasswordChangeRequired] })
            }
        }
    }

    fn evolve(mut state: UserState, event: &UserEvent) -> UserState {
        match event {
            UserEvent::Registered { name, .. } => {
                state.registered = true;
                state.active = true;
                state.name = name.clone();
            }
            UserEvent::Renamed { name } => state.name = name.clone(),
            UserEvent::Deactivated => state.active = false,
            UserEvent::SessionStarted { session_id, expires_at, .. } => {
                state.sessions.insert(*session_id, *expires_at);
            }
            UserEvent::SessionEnded { session_id } => {
                state.sessions.remove(session_id);
            }
            UserEvent::PasswordChanged { .. } => state.password_to_change = false,
            UserEvent::PasswordChangeRequired => state.password_to_change = true,
        }
        state
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stored_names_are_the_events_own() {
        crate::event::check_names::<UserEvent>(UserEvent::NAMES);
    }
    use crate::decider::given;

    /// A fixed time: these tests are about order, not about when.
    fn noon() -> DateTime<Utc> {
        "2026-12-02T12:00:00Z".parse().expect("a time")
    }

    fn registered() -> UserEvent {
        UserEvent::Registered {
            user_id: UserId::from_uuid(Uuid::from_u128(1)),
            company_id: CompanyId::from_uuid(Uuid::from_u128(2)),
            email: Email::parse("ana@example.com").unwrap(),
            name: "Ana".into(),
            role: Role::Supervisor,
            password_hash: PasswordHash::new("$argon2id$…".into()),
        }
    }

    fn register() -> UserCommand {
        let UserEvent::Registered { user_id, company_id, email, name, role, password_hash } = registered() else {
            unreachable!()
        };
        UserCommand::Register { user_id, company_id, email, name, role, password_hash }
    }

    #[test]
    fn a_password_hash_never_prints() {
        assert_eq!(format!("{:?}", PasswordHash::new("secret".into())), "PasswordHash(…)");
    }

    #[test]
    fn given_nothing_when_registered_then_registered() {
        given::<User>(vec![]).when(register()).then(vec![registered()]);
    }

    #[test]
    fn given_a_user_when_registered_again_then_rejected() {
        given::<User>(vec![registered()]).when(register()).then_rejects(UserRejection::AlreadyRegistered);
    }

    #[test]
    fn given_no_user_when_a_session_starts_then_rejected() {
        let start =
            UserCommand::StartSession { session_id: Uuid::from_u128(9), token_hash: "h".into(), expires_at: noon() };
        given::<User>(vec![]).when(start).then_rejects(UserRejection::NotRegistered);
    }

    #[test]
    fn given_an_open_session_when_ended_twice_then_one_event() {
        let session_id = Uuid::from_u128(9);
        let started = UserEvent::SessionStarted { session_id, token_hash: "h".into(), expires_at: noon() };
        given::<User>(vec![registered(), started.clone()])
            .when(UserCommand::EndSession { session_id })
            .then(vec![UserEvent::SessionEnded { session_id }]);
        given::<User>(vec![registered(), started, UserEvent::SessionEnded { session_id }])
            .when(UserCommand::EndSession { session_id })
            .then(vec![]);
    }

    #[test]
    fn given_a_user_with_two_sessions_when_deactivated_then_both_end_and_no_new_one_starts() {
        let (one, two) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let started = |session_id| UserEvent::SessionStarted { session_id, token_hash: "h".into(), expires_at: noon() };
        let history = vec![registered(), started(one), started(two)];
        given::<User>(history.clone()).when(UserCommand::Deactivate).then(vec![
            UserEvent::SessionEnded { session_id: one },
            UserEvent::SessionEnded { session_id: two },
            UserEvent::Deactivated,
        ]);
        let mut deactivated = history;
        deactivated.extend([
            UserEvent::SessionEnded { session_id: one },
            UserEvent::SessionEnded { session_id: two },
            UserEvent::Deactivated,
        ]);
        let start =
            UserCommand::StartSession { session_id: Uuid::from_u128(3), token_hash: "h".into(), expires_at: noon() };
        given::<User>(deactivated).when(start).then_rejects(UserRejection::Deactivated);
    }

    #[test]
    fn given_two_sessions_when_the_password_changes_then_the_other_session_ends() {
        let (mine, other) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let started = |session_id| UserEvent::SessionStarted { session_id, token_hash: "h".into(), expires_at: noon() };
        let password_hash = PasswordHash::new("$argon2id$new".into());
        given::<User>(vec![registered(), started(mine), started(other)])
            .when(UserCommand::ChangePassword { password_hash: password_hash.clone(), keep_session: Some(mine) })
            .then(vec![UserEvent::SessionEnded { session_id: other }, UserEvent::PasswordChanged { password_hash }]);
    }

    #[test]
    fn given_a_deactivated_user_when_the_password_changes_then_rejected() {
        let change = UserCommand::ChangePassword { password_hash: PasswordHash::new("x".into()), keep_session: None };
        given::<User>(vec![registered(), UserEvent::Deactivated]).when(change).then_rejects(UserRejection::Deactivated);
    }

    #[test]
    fn given_a_required_change_when_required_again_then_nothing_and_a_change_clears_it() {
        given::<User>(vec![registered()])
            .when(UserCommand::RequirePasswordChange)
            .then(vec![UserEvent::PasswordChangeRequired]);
        given::<User>(vec![registered(), UserEvent::PasswordChangeRequired])
            .when(UserCommand::RequirePasswordChange)
            .then(vec![]);
        let changed = UserEvent::PasswordChanged { password_hash: PasswordHash::new("x".into()) };
        given::<User>(vec![registered(), UserEvent::PasswordChangeRequired, changed])
            .when(UserCommand::RequirePasswordChange)
            .then(vec![UserEvent::PasswordChangeRequired]);
    }

    #[test]
    fn given_a_user_when_renamed_then_renamed_with_a_folded_name() {
        given::<User>(vec![registered()])
            .when(UserCommand::Rename { name: "  Ana   Lucía ".into() })
            .then(vec![UserEvent::Renamed { name: "Ana Lucía".into() }]);
        given::<User>(vec![registered()])
            .when(UserCommand::Rename { name: " ".into() })
            .then_rejects(UserRejection::InvalidName);
    }
}
