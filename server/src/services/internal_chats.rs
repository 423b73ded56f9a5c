//! Internal chats (G8): agents and supervisors of a company write to each other one to one, apart
//! from customers' chats; auditors read the log, not these.

use crate::caller::Caller;
use crate::error::AppError;
use crate::state::{execute, AppState};
use domain::ids::UserId;
use domain::internal_chat::{internal_chat_id, internal_chat_stream, InternalChat, InternalChatCommand};
use domain::user::Role;
use projections::internal_chats::{InternalChats, InternalMessageRow};
use projections::people::{People, UserRow};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A colleague one may write to, with the conversation so far.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Colleague {
    pub user_id: String,
    pub name: String,
    /// `agent` or `supervisor`.
    pub role: String,
    /// What they wrote that the caller has not read.
    pub unread: i64,
    pub last_text: Option<String>,
    pub last_at: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct InternalMessage {
    pub message_id: Uuid,
}

const WHO_CHATS: [Role; 2] = [Role::Agent, Role::Supervisor];

/// The company's active agents and supervisors besides the caller: those with a conversation
/// first, the latest first, then the others by name.
pub async fn colleagues(state: &AppState, caller: &Caller) -> Result<Vec<Colleague>, AppError> {
    caller.require(&WHO_CHATS)?;
    let company = caller.company_id.to_string();
    let me = caller.user_id.to_string();
    let conversations = InternalChats.conversations_of(&state.store, &company, &me).await?;
    let mut people = Vec::new();
    for role in WHO_CHATS {
        people.extend(People.users_of(&state.store, &company, role.as_str()).await?);
    }
    let mut colleagues: Vec<Colleague> = people
        .into_iter()
        .filter(|person| person.active && person.user_id != me)
        .map(|person| {
            let conversation = conversations.iter().find(|c| c.colleague == person.user_id);
            Colleague {
                unread: conversation.map_or(0, |c| c.unread),
                last_text: conversation.map(|c| c.last_text.clone()),
                last_at: conversation.map(|c| c.last_at.clone()),
                user_id: person.user_id,
                name: person.name,
                role: person.role,
            }
        })
        .collect();
    colleagues
        .sort_by(|a, b| b.last_at.cmp(&a.last_at).then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase())));
    Ok(colleagues)
}

/// The caller's conversation with a colleague, every message in order (none yet: empty).
pub async fn messages_with(
    state: &AppState,
    caller: &Caller,
    colleague: UserId,
) -> Result<Vec<InternalMessageRow>, AppError> {
    caller.require(&WHO_CHATS)?;
    colleague_of(state, caller, colleague, false).await?;
    let id = internal_chat_id(caller.user_id, colleague).to_string();
    Ok(InternalChats.messages(&state.store, &id).await?)
}

/// The caller writes to an active colleague.
pub async fn write_to(
    state: &AppState,
    caller: &Caller,
    colleague: UserId,
    text: String,
) -> Result<InternalMessage, AppError> {
    caller.require(&WHO_CHATS)?;
    colleague_of(state, caller, colleague, true).await?;
    let message_id = Uuid::now_v7();
    let command = InternalChatCommand::Send {
        company_id: caller.company_id,
        message_id,
        from: caller.user_id,
        to: colleague,
        text,
        at: state.clock.now(),
    };
    run(state, caller, colleague, &command).await?;
    Ok(InternalMessage { message_id })
}

/// The caller has read everything the colleague wrote so far (nothing to read: nothing changes).
pub async fn read_with(state: &AppState, caller: &Caller, colleague: UserId) -> Result<(), AppError> {
    caller.require(&WHO_CHATS)?;
    colleague_of(state, caller, colleague, false).await?;
    let command =
        InternalChatCommand::Read { company_id: caller.company_id, by: caller.user_id, at: state.clock.now() };
    match run(state, caller, colleague, &command).await {
        Err(AppError::NotFound(_)) if !talked(state, caller, colleague).await? => Ok(()),
        done => done,
    }
}

async fn run(
    state: &AppState,
    caller: &Caller,
    colleague: UserId,
    command: &InternalChatCommand,
) -> Result<(), AppError> {
    let stream = internal_chat_stream(internal_chat_id(caller.user_id, colleague));
    execute::<InternalChat>(state, &caller.context(state.clock.now()), &stream, command, &state.internal_chats).await
}

async fn talked(state: &AppState, caller: &Caller, colleague: UserId) -> Result<bool, AppError> {
    let conversations = InternalChats
        .conversations_of(&state.store, &caller.company_id.to_string(), &caller.user_id.to_string())
        .await?;
    Ok(conversations.iter().any(|c| c.colleague == colleague.to_string()))
}

/// The colleague, if they are an agent or supervisor of the caller's company (and active, when
/// `to_write`): someone else's user is no colleague, whatever their id.
async fn colleague_of(
    state: &AppState,
    caller: &Caller,
    colleague: UserId,
    to_write: bool,
) -> Result<UserRow, AppError> {
    let user = People.user(&state.store, &colleague.to_string()).await?;
    let user = user
        .filter(|user| user.company_id == caller.company_id.to_string())
        .filter(|user| WHO_CHATS.iter().any(|role| role.as_str() == user.role))
        .ok_or_else(|| AppError::NotFound("no such colleague".into()))?;
    if to_write && !user.active {
        return Err(AppError::Conflict(format!("{} no longer works here", user.name)));
    }
    Ok(user)
}
