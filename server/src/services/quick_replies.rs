//! Quick replies (G4, G5): supervisors write them, every member of the company finds them by
//! shortcut, title or text, within a category.

use crate::caller::Caller;
use crate::error::AppError;
use crate::state::{execute, AppState};
use domain::quick_reply::{quick_reply_stream, QuickReply, QuickReplyCommand, QuickReplyDraft};
use domain::user::Role;
use projections::quick_replies::{QuickReplies, QuickReplyRow};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CreatedQuickReply {
    pub quick_reply_id: Uuid,
}

async fn run(state: &AppState, caller: &Caller, id: Uuid, command: &QuickReplyCommand) -> Result<(), AppError> {
    caller.require(&[Role::Supervisor])?;
    let context = caller.context(state.clock.now());
    execute::<QuickReply>(state, &context, &quick_reply_stream(id), command, &state.quick_replies).await
}

pub async fn create_quick_reply(
    state: &AppState,
    caller: &Caller,
    draft: QuickReplyDraft,
) -> Result<CreatedQuickReply, AppError> {
    let quick_reply_id = Uuid::now_v7();
    let command = QuickReplyCommand::Create { quick_reply_id, company_id: caller.company_id, draft };
    run(state, caller, quick_reply_id, &command).await?;
    Ok(CreatedQuickReply { quick_reply_id })
}

pub async fn change_quick_reply(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    draft: QuickReplyDraft,
) -> Result<(), AppError> {
    run(state, caller, id, &QuickReplyCommand::Change { company_id: caller.company_id, draft }).await
}

pub async fn retire_quick_reply(state: &AppState, caller: &Caller, id: Uuid) -> Result<(), AppError> {
    run(state, caller, id, &QuickReplyCommand::Retire { company_id: caller.company_id }).await
}

/// The company's replies whose shortcut, title or text holds `words`, in `category` if given.
pub async fn find_quick_replies(
    state: &AppState,
    caller: &Caller,
    words: &str,
    category: Option<&str>,
) -> Result<Vec<QuickReplyRow>, AppError> {
    let category = category.map(str::trim).filter(|c| !c.is_empty());
    Ok(QuickReplies.search(&state.store, &caller.company_id.to_string(), words, category).await?)
}

pub async fn quick_reply_categories(state: &AppState, caller: &Caller) -> Result<Vec<String>, AppError> {
    Ok(QuickReplies.categories(&state.store, &caller.company_id.to_string()).await?)
}
