//! Internal chats (G8) as the workspace shows them: names instead of ids, whose each message is.

use crate::caller::Caller;
use crate::error::AppError;
use crate::services::internal_chats::{colleagues, messages_with, read_with, write_to};
use crate::state::AppState;
use app::contract::{ColleagueChatView, ColleagueView, InternalMessageView};
use domain::ids::UserId;
use projections::people::People;

fn colleague_id(id: &str) -> Result<UserId, AppError> {
    id.parse().map_err(|_| AppError::NotFound("no such colleague".into()))
}

pub async fn colleague_list(state: &AppState, caller: Caller) -> Result<Vec<ColleagueView>, AppError> {
    Ok(colleagues(state, &caller)
        .await?
        .into_iter()
        .map(|c| ColleagueView {
            id: c.user_id,
            name: c.name,
            unread: u32::try_from(c.unread).unwrap_or(0),
            last_text: c.last_text,
        })
        .collect())
}

/// The conversation with a colleague, which the caller has now read.
pub async fn colleague_chat(
    state: &AppState,
    caller: Caller,
    colleague: String,
) -> Result<ColleagueChatView, AppError> {
    let colleague = colleague_id(&colleague)?;
    let messages = messages_with(state, &caller, colleague).await?;
    read_with(state, &caller, colleague).await?;
    // One row, not the whole list: and a colleague who left keeps their name on what they wrote.
    let name = People.user(&state.store, &colleague.to_string()).await?.map_or_else(String::new, |user| user.name);
    let me = caller.user_id.to_string();
    Ok(ColleagueChatView {
        messages: messages
            .into_iter()
            .map(|m| InternalMessageView {
                mine: m.from == me,
                author: if m.from == me { caller.name.clone() } else { name.clone() },
                id: m.message_id,
                text: m.text,
                at: m.at,
            })
            .collect(),
        name,
    })
}

pub async fn write_to_colleague(
    state: &AppState,
    caller: Caller,
    colleague: String,
    text: String,
) -> Result<(), AppError> {
    write_to(state, &caller, colleague_id(&colleague)?, text).await?;
    Ok(())
}
