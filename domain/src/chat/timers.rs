//! What happens when time passes or an agent goes away: a missed reply deadline, the bot's
//! reminder and timeout, a chat handed over or its customer asked what now. A timer that rings
//! after the chat moved on is stale and does nothing.

use super::events::{ChatEvent, Resolver};
use super::rejection::ChatRejection;
use super::state::{ChatState, MenuTimer};
use crate::ids::UserId;
use crate::menu::{agent_away_buttons, agent_away_question, Menu, MenuPlace};
use chrono::{DateTime, Utc};
use uuid::Uuid;

type Decision = Result<Vec<ChatEvent>, ChatRejection>;

/// The agent did not answer by the queue's deadline: the chat waits for someone else.
pub(super) fn expire_reply_deadline(state: &ChatState, agent: UserId, at: DateTime<Utc>) -> Decision {
    let due = state.reply_deadline.is_some_and(|due| due <= at);
    match (state.conversation, state.queue) {
        (Some(conversation_id), Some(queue)) if due && state.agent == Some(agent) && !state.agent_answered => {
            let chat_id = state.id()?;
            Ok(vec![
                ChatEvent::ReplyDeadlineMissed { chat_id, conversation_id, agent, at },
                ChatEvent::Queued { chat_id, conversation_id, queue, at },
            ])
        }
        // Answered, resolved, moved or not due yet.
        _ => Ok(vec![]),
    }
}

/// The chat's agent is offline and the line passes their chats on (G6).
pub(super) fn hand_over(state: &ChatState, agent: UserId, at: DateTime<Utc>) -> Decision {
    match (state.conversation, state.queue) {
        (Some(conversation_id), Some(queue)) if state.agent == Some(agent) => {
            let chat_id = state.id()?;
            Ok(vec![
                ChatEvent::LeftByOfflineAgent { chat_id, conversation_id, agent, at },
                ChatEvent::Queued { chat_id, conversation_id, queue, at },
            ])
        }
        // Moved or resolved meanwhile: nothing to hand over.
        _ => Ok(vec![]),
    }
}

/// The customer has not answered the bot for a while (M7, M8): reminded once, then the
/// conversation ends with the menu's farewell.
pub(super) fn ring_menu_timer(state: &ChatState, menu: &Menu, at: DateTime<Utc>) -> Decision {
    let (Some((due, timer)), Some(conversation_id)) = (state.menu_timer(menu), state.conversation) else {
        return Ok(vec![]);
    };
    if due > at {
        return Ok(vec![]);
    }
    let chat_id = state.id()?;
    let since = state.bot_waiting_since.unwrap_or(at);
    let message_id = |n: &str| Uuid::new_v5(&chat_id.as_uuid(), format!("{n}:{since}").as_bytes());
    Ok(match (timer, &menu.reminder) {
        (MenuTimer::Remind, Some(reminder)) => vec![ChatEvent::MenuReminderSent {
            chat_id,
            message_id: message_id("reminder"),
            text: reminder.text.clone(),
            at,
        }],
        _ => {
            let mut events = vec![ChatEvent::MenuTimedOut { chat_id, at }];
            if let Some(text) = menu.farewell.clone() {
                events.push(ChatEvent::BotSaid { chat_id, message_id: message_id("farewell"), text, at });
            }
            events.push(ChatEvent::Resolved { chat_id, conversation_id, by: Resolver::Bot, at });
            events
        }
    })
}

/// The chat's agent is offline and the line asks the customer what now (G6); `menu`: the
/// line's, if it has one.
pub(super) fn ask_after_agent_left(
    state: &ChatState,
    agent: UserId,
    menu: Option<&Menu>,
    at: DateTime<Utc>,
) -> Decision {
    let (Some(conversation_id), Some(queue)) = (state.conversation, state.queue) else {
        return Ok(vec![]);
    };
    if state.agent != Some(agent) {
        // Moved meanwhile: nothing to ask.
        return Ok(vec![]);
    }
    let chat_id = state.id()?;
    let place = MenuPlace::AgentAway(queue);
    let text = menu.map_or_else(|| agent_away_question(None), |m| m.render(&place));
    let choices = menu.map_or_else(|| agent_away_buttons(None), |m| m.choices(&place));
    let message_id = Uuid::new_v5(&chat_id.as_uuid(), format!("away:{conversation_id}:{agent}:{at}").as_bytes());
    Ok(vec![
        ChatEvent::LeftByOfflineAgent { chat_id, conversation_id, agent, at },
        ChatEvent::MenuShown { chat_id, message_id, choices, place, text, at },
    ])
}
