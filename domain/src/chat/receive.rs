//! A customer's message: it starts the chat, opens a conversation, is recorded once, and goes to
//! the menu bot or straight to the line's queue.

use super::bot::{bot_answers, bot_message_id};
use super::commands::Inbound;
use super::events::ChatEvent;
use super::rejection::{check_text, ChatRejection, CONTACT_ID_MAX_CHARS, REFERENCE_MAX_CHARS};
use super::state::ChatState;
use crate::ids::{ChatId, ConversationId};
use crate::menu::{KeyPhrase, MenuPlace};
use chrono::{DateTime, Utc};

pub(super) fn receive(
    state: &ChatState,
    chat_id: ChatId,
    inbound: &Inbound,
    conversation_id: ConversationId,
    at: DateTime<Utc>,
) -> Result<Vec<ChatEvent>, ChatRejection> {
    check_inbound(inbound)?;
    if state.company_id.is_some_and(|company| company != inbound.company_id) {
        return Err(ChatRejection::NotFound);
    }
    if state.has_seen(&inbound.message_id) {
        return Ok(vec![]);
    }
    let opens = state.conversation.is_none();
    let mut events = recorded(state, chat_id, inbound, conversation_id, at);
    let conversation_id = state.conversation.unwrap_or(conversation_id);
    events.extend(answered(state, chat_id, conversation_id, inbound, opens, at));
    Ok(events)
}

fn check_inbound(inbound: &Inbound) -> Result<(), ChatRejection> {
    let contact_chars = inbound.contact_id.trim().chars().count();
    if contact_chars == 0 || contact_chars > CONTACT_ID_MAX_CHARS {
        return Err(ChatRejection::InvalidContact);
    }
    if inbound.media.as_ref().is_some_and(|m| !crate::media::is_showable(m) || m.chars().count() > REFERENCE_MAX_CHARS)
    {
        return Err(ChatRejection::InvalidMedia);
    }
    if !inbound.content.is_valid() {
        return Err(ChatRejection::InvalidMessage);
    }
    check_text(&inbound.text, inbound.media.is_some() || inbound.content.speaks_without_text())
}

/// The chat's start, a name the channel shows for the first time, the conversation's opening,
/// and the message itself.
fn recorded(
    state: &ChatState,
    chat_id: ChatId,
    inbound: &Inbound,
    conversation_id: ConversationId,
    at: DateTime<Utc>,
) -> Vec<ChatEvent> {
    let mut events = Vec::new();
    let name = crate::text::single_spaced(&inbound.contact_name);
    if state.company_id.is_none() {
        events.push(ChatEvent::Started {
            chat_id,
            company_id: inbound.company_id,
            line_id: inbound.line_id,
            channel: inbound.channel,
            contact_id: inbound.contact_id.trim().to_string(),
            contact_name: name,
            name_source: inbound.name_source,
        });
    } else if !name.is_empty()
        && (&name, inbound.name_source) != (&state.name_seen.0, state.name_seen.1)
        && inbound.name_source.channel_rank() >= state.name_seen.1.channel_rank()
    {
        events.push(ChatEvent::ContactNameSeen { chat_id, name, source: inbound.name_source, at });
    }
    if state.conversation.is_none() {
        events.push(ChatEvent::ConversationOpened { chat_id, conversation_id, at });
    }
    events.push(ChatEvent::CustomerMessageReceived {
        chat_id,
        message_id: inbound.message_id.clone(),
        text: inbound.text.clone(),
        media: inbound.media.clone(),
        sticker: inbound.sticker,
        content: (*inbound.content).clone(),
        at,
    });
    events
}

/// Who takes the message up: a key phrase's queue, the bot (stopped, resumed, replying to a
/// sticker, or taking its turn), the line's queue, or nobody new (an agent has the chat).
fn answered(
    state: &ChatState,
    chat_id: ChatId,
    conversation_id: ConversationId,
    inbound: &Inbound,
    opens: bool,
    at: DateTime<Utc>,
) -> Vec<ChatEvent> {
    let with_bot = opens || state.menu_place.is_some();
    let place = if opens { None } else { state.menu_place.as_ref() };
    let menu = inbound.menu.as_deref();
    let bot_turn = |place| bot_answers(chat_id, conversation_id, menu, place, inbound, state.consented, at);
    match (menu.and_then(|m| m.key_phrase_in(&inbound.text)), menu) {
        (Some(KeyPhrase::ToQueue { phrase, queue }), _) if with_bot => {
            return vec![
                ChatEvent::KeyPhraseHeard { chat_id, phrase, at },
                ChatEvent::Queued { chat_id, conversation_id, queue, at },
            ];
        }
        (Some(KeyPhrase::StopBot), Some(menu)) if with_bot => {
            let mut events = vec![ChatEvent::BotStopped { chat_id, at }];
            if let Some(queue) = menu.agent_queue {
                events.push(ChatEvent::Queued { chat_id, conversation_id, queue, at });
            }
            return events;
        }
        (Some(KeyPhrase::ResumeBot), Some(_)) if state.bot_stopped && state.agent.is_none() => {
            let mut events = vec![ChatEvent::BotResumed { chat_id, at }];
            events.extend(bot_turn(None));
            return events;
        }
        _ => {}
    }
    // A sticker to the bot gets the menu's reply to stickers (M15), and the menu when it opens
    // the conversation; it answers no question.
    let sticker_reply = menu.and_then(|m| m.sticker_reply.clone()).filter(|_| inbound.sticker && with_bot);
    if let Some(text) = sticker_reply {
        let message_id = bot_message_id(chat_id, &format!("sticker:{}", inbound.message_id), 1);
        let mut events = vec![ChatEvent::BotSaid { chat_id, message_id, text, at }];
        if opens {
            events.extend(bot_turn(None));
        }
        return events;
    }
    match (menu, place) {
        _ if !with_bot => vec![],
        (Some(_), _) | (None, Some(MenuPlace::AgentAway(_))) => bot_turn(place),
        // No menu (any more): the conversation goes straight to the line's queue.
        (None, _) => vec![ChatEvent::Queued { chat_id, conversation_id, queue: inbound.queue, at }],
    }
}
