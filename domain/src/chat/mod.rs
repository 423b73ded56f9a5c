//! Chats and conversations (C2): a chat is the thread between one contact and one line, kept whole
//! for ever; a conversation is one episode of it, from the first unanswered customer message to its
//! resolution. States: with the menu bot, waiting in a queue, assigned (pending when the customer
//! spoke last, following when the agent did), resolved.
//!
//! Read in this order: `events` (what is stored), `commands` (what is asked), `state` (what is
//! remembered, and `evolve`), then the decisions: `receive` (a customer's message) with `bot`
//! (the menu bot's turn), `agents` (routing and the people answering), `own_messages` (their
//! changes to what they wrote), `timers` (time passing,
//! agents going away) and `outcomes` (what the outside world reports back).

mod agents;
mod bot;
mod commands;
mod events;
mod outcomes;
mod own_messages;
mod receive;
mod rejection;
mod state;
#[cfg(test)]
mod tests;
mod timers;

pub use commands::{ChatCommand, FileFetch, Inbound, Reaction, WebOutcome};
pub use events::{ChatEvent, Resolver, TransferTarget};
pub use rejection::{ChatRejection, CONTACT_ID_MAX_CHARS, NOTE_MAX_CHARS, REFERENCE_MAX_CHARS, TEXT_MAX_CHARS};
pub use state::{ChatState, MenuTimer, PendingQuery, Written};

use crate::decider::Decider;
use crate::ids::{ChatId, LineId};
use uuid::Uuid;

/// The stream of one chat.
pub fn chat_stream(chat: ChatId) -> String {
    format!("chat-{chat}")
}

/// The chat of one contact on one line: the same contact writing to the same line always continues
/// the same chat, on every node, without a lookup.
pub fn chat_of(line: LineId, contact_id: &str) -> ChatId {
    ChatId::from_uuid(Uuid::new_v5(&line.as_uuid(), contact_id.as_bytes()))
}

pub struct Chat;

impl Decider for Chat {
    type State = ChatState;
    type Command = ChatCommand;
    type Event = ChatEvent;
    type Rejection = ChatRejection;

    fn decide(state: &ChatState, command: &ChatCommand) -> Result<Vec<ChatEvent>, ChatRejection> {
        match command {
            ChatCommand::Receive { chat_id, inbound, conversation_id, at } => {
                receive::receive(state, *chat_id, inbound, *conversation_id, *at)
            }
            ChatCommand::Assign { agent, queue, reply_by, at } => agents::assign(state, *agent, *queue, *reply_by, *at),
            ChatCommand::Reply {
                company_id,
                agent,
                message_id,
                text,
                quoted,
                location,
                media,
                template,
                window,
                at,
            } => {
                let reply = agents::Reply {
                    message_id: *message_id,
                    text,
                    quoted: quoted.as_deref(),
                    location: location.as_ref(),
                    media: media.as_deref(),
                    template: template.as_ref(),
                    window: *window,
                };
                agents::reply(state, *company_id, *agent, &reply, *at)
            }
            ChatCommand::StartConversation { .. } => agents::start_conversation(state, command),
            ChatCommand::TellPosition { message_id, position, text, at } => {
                agents::tell_position(state, *message_id, *position, text, *at)
            }
            ChatCommand::Resolve { company_id, by, at } => agents::resolve(state, *company_id, *by, *at),
            ChatCommand::SetOwnAgent { company_id, agent, by } => {
                agents::set_own_agent(state, *company_id, *agent, *by)
            }
            ChatCommand::Transfer { company_id, by, to, note, at } => {
                agents::transfer(state, *company_id, *by, *to, note.as_deref(), *at)
            }
            ChatCommand::TakeOver { company_id, supervisor, at } => {
                agents::take_over(state, *company_id, *supervisor, *at)
            }
            ChatCommand::ExpireReplyDeadline { agent, at } => timers::expire_reply_deadline(state, *agent, *at),
            ChatCommand::HandOver { agent, at } => timers::hand_over(state, *agent, *at),
            ChatCommand::RingMenuTimer { menu, at } => timers::ring_menu_timer(state, menu, *at),
            ChatCommand::AskAfterAgentLeft { agent, menu, at } => {
                timers::ask_after_agent_left(state, *agent, menu.as_deref(), *at)
            }
            ChatCommand::RecordWebAnswer { query_id, outcome, at } => {
                outcomes::record_web_answer(state, *query_id, outcome, *at)
            }
            ChatCommand::RecordEmail { email_id, failure, at } => {
                outcomes::record_email(state, *email_id, failure.as_deref(), *at)
            }
            ChatCommand::RecordDelivery { message_id, outcome, at } => {
                outcomes::record_delivery(state, *message_id, outcome, *at)
            }
            ChatCommand::React { company_id, reaction, at } => outcomes::react(state, *company_id, reaction, *at),
            ChatCommand::Rename { company_id, by, name, at } => {
                agents::rename(state, *company_id, *by, name.as_deref(), *at)
            }
            ChatCommand::Tag { company_id, by, tag, on, at } => agents::tag(state, *company_id, *by, tag, *on, *at),
            ChatCommand::WriteNote { company_id, by, note_id, text, at } => {
                agents::write_note(state, *company_id, *by, *note_id, text, *at)
            }
            ChatCommand::EditMessage { company_id, by, message_id, text, allowed, at } => {
                own_messages::edit(state, *company_id, *by, *message_id, text, *allowed, *at)
            }
            ChatCommand::DeleteMessage { company_id, by, message_id, allowed, at } => {
                own_messages::delete(state, *company_id, *by, *message_id, *allowed, *at)
            }
            ChatCommand::ReactAsAgent { company_id, agent, reaction_id, to, emoji, at } => {
                agents::react(state, *company_id, *agent, *reaction_id, to, emoji.as_deref(), *at)
            }
            ChatCommand::RecordFileFetch { message_id, outcome, at } => {
                outcomes::record_file_fetch(state, message_id, outcome, *at)
            }
            ChatCommand::ReportStatus { company_id, provider_message_id, status, reason, at } => {
                outcomes::report_status(state, *company_id, provider_message_id, *status, reason.as_deref(), *at)
            }
        }
    }

    fn evolve(state: ChatState, event: &ChatEvent) -> ChatState {
        state::evolve(state, event)
    }
}
