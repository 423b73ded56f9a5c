//! What the outside world reports back about a chat: a web service's answer, an e-mail of
//! answers, a message's delivery. A report nobody waits for any more changes nothing.

use super::commands::WebOutcome;
use super::events::ChatEvent;
use super::rejection::ChatRejection;
use super::state::ChatState;
use crate::errand::render_answer;
use crate::menu::MenuPlace;
use chrono::{DateTime, Utc};
use uuid::Uuid;

type Decision = Result<Vec<ChatEvent>, ChatRejection>;

/// The bot tells the customer the answer (or the query's error words), then offers what comes
/// after a text.
pub(super) fn record_web_answer(
    state: &ChatState,
    query_id: Uuid,
    outcome: &WebOutcome,
    at: DateTime<Utc>,
) -> Decision {
    let Some(pending) = state.pending_query.as_ref().filter(|p| p.query_id == query_id) else {
        // Answered already, or the conversation moved on: nothing to say.
        return Ok(vec![]);
    };
    let chat_id = state.id()?;
    let id = |n: &str| Uuid::new_v5(&chat_id.as_uuid(), format!("{n}:{query_id}").as_bytes());
    let (recorded, text) = match outcome {
        WebOutcome::Answered { status, body } => {
            let said = render_answer(&pending.answer, body, &pending.answers);
            let text = if said.trim().is_empty() { pending.error.clone() } else { said };
            (ChatEvent::WebQueryAnswered { chat_id, query_id, status: *status, at }, text)
        }
        WebOutcome::Failed { reason } => {
            (ChatEvent::WebQueryFailed { chat_id, query_id, reason: reason.clone(), at }, pending.error.clone())
        }
    };
    Ok(vec![
        recorded,
        ChatEvent::BotSaid { chat_id, message_id: id("answer"), text, at },
        ChatEvent::MenuShown {
            chat_id,
            message_id: id("after"),
            place: MenuPlace::AfterText,
            text: pending.after.clone(),
            choices: pending.after_choices.clone(),
            at,
        },
    ])
}

pub(super) fn record_email(state: &ChatState, email_id: Uuid, failure: Option<&str>, at: DateTime<Utc>) -> Decision {
    if !state.pending_emails.contains(&email_id) {
        return Ok(vec![]);
    }
    let chat_id = state.id()?;
    Ok(vec![match failure {
        None => ChatEvent::AnswersEmailed { chat_id, email_id, at },
        Some(reason) => ChatEvent::AnswersEmailFailed { chat_id, email_id, reason: reason.to_string(), at },
    }])
}

pub(super) fn record_delivery(
    state: &ChatState,
    message_id: Uuid,
    failure: Option<&str>,
    at: DateTime<Utc>,
) -> Decision {
    let chat_id = state.id()?;
    Ok(vec![match failure {
        None => ChatEvent::Delivered { chat_id, message_id, at },
        Some(reason) => ChatEvent::DeliveryFailed { chat_id, message_id, reason: reason.to_string(), at },
    }])
}
