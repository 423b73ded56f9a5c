//! Starting a conversation (G3, G14, W10, W18) as the workspace offers it: the lines an agent may
//! write first from, each with its approved templates, and the start itself.

use crate::caller::Caller;
use crate::console::chats::template_offer;
use crate::error::AppError;
use crate::services::chats::{sendable_on, start_conversation, NewConversation, TemplateChoice};
use crate::state::AppState;
use app::contract::StartLineView;
use domain::user::Role;
use projections::lines::Lines;

/// The company's lines linked to WhatsApp, each with the templates an agent may open a
/// conversation with.
pub async fn start_choices(state: &AppState, caller: Caller) -> Result<Vec<StartLineView>, AppError> {
    caller.require(&[Role::Agent])?;
    let mut choices = Vec::new();
    for line in Lines.lines_of(&state.store, &caller.company_id.to_string()).await? {
        if line.credentials.is_none() {
            continue;
        }
        let templates = sendable_on(state, &caller, &line).await?.into_iter().map(template_offer).collect();
        choices.push(StartLineView { id: line.line_id, name: line.name, templates });
    }
    Ok(choices)
}

/// Opens the conversation; answers the chat's id.
pub async fn start(
    state: &AppState,
    caller: Caller,
    line_id: String,
    to: String,
    name: String,
    template_id: String,
    values: Vec<String>,
) -> Result<String, AppError> {
    caller.require(&[Role::Agent])?;
    let line_id = line_id.parse().map_err(|_| AppError::Invalid("line_id: choose a line".into()))?;
    let template_id = template_id.parse().map_err(|_| AppError::Invalid("template: choose a template".into()))?;
    let name = Some(name.trim().to_string()).filter(|n| !n.is_empty());
    let start = NewConversation { line_id, to, name, template: TemplateChoice { template_id, values } };
    Ok(start_conversation(state, &caller, start).await?.chat_id.to_string())
}
