//! What the outside world reports back about a chat: a web service's answer, an e-mail of
//! answers, a message's delivery. A report nobody waits for any more changes nothing.

use super::commands::{FileFetch, Reaction, WebOutcome};
use super::events::{ChatEvent, Resolver};
use super::rejection::ChatRejection;
use super::state::ChatState;
use crate::errand::render_answer;
use crate::ids::CompanyId;
use crate::menu::MenuPlace;
use crate::message::{is_emoji, is_reference, DeliveryStatus, REASON_MAX_CHARS};
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
    let said = ChatEvent::BotSaid { chat_id, message_id: id("answer"), text, at };
    if pending.resolve {
        let conversation_id = state.conversation.ok_or(ChatRejection::NotOpen)?;
        return Ok(vec![recorded, said, ChatEvent::Resolved { chat_id, conversation_id, by: Resolver::Bot, at }]);
    }
    Ok(vec![
        recorded,
        said,
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
    outcome: &Result<Option<String>, String>,
    at: DateTime<Utc>,
) -> Decision {
    let chat_id = state.id()?;
    Ok(vec![match outcome {
        Ok(provider_message_id) => {
            let provider_message_id = provider_message_id.clone().filter(|id| is_reference(id));
            ChatEvent::Delivered { chat_id, message_id, provider_message_id, at }
        }
        Err(reason) => ChatEvent::DeliveryFailed {
            chat_id,
            message_id,
            reason: reason.chars().take(REASON_MAX_CHARS).collect(),
            at,
        },
    }])
}

/// A customer's reaction (C8), once per reaction the channel reports.
pub(super) fn react(state: &ChatState, company: CompanyId, reaction: &Reaction, at: DateTime<Utc>) -> Decision {
    state.check_company(company)?;
    let chat_id = state.id()?;
    if !is_reference(&reaction.id) || !is_reference(&reaction.to) || !reaction.emoji.as_deref().is_none_or(is_emoji) {
        return Err(ChatRejection::InvalidMessage);
    }
    if state.has_seen(&reaction.id) {
        return Ok(vec![]);
    }
    Ok(vec![ChatEvent::CustomerReacted {
        chat_id,
        reaction_id: reaction.id.clone(),
        to: reaction.to.clone(),
        emoji: reaction.emoji.clone(),
        at,
    }])
}

/// What a channel reports of one of our messages, once per message and status.
pub(super) fn report_status(
    state: &ChatState,
    company: CompanyId,
    provider_message_id: &str,
    status: DeliveryStatus,
    reason: Option<&str>,
    at: DateTime<Utc>,
) -> Decision {
    state.check_company(company)?;
    let chat_id = state.id()?;
    if !is_reference(provider_message_id) {
        return Err(ChatRejection::InvalidMessage);
    }
    if state.has_seen(&ChatState::status_key(provider_message_id, status)) {
        return Ok(vec![]);
    }
    let reason = reason.map(|r| r.chars().take(REASON_MAX_CHARS).collect::<String>());
    Ok(vec![ChatEvent::StatusReported {
        chat_id,
        provider_message_id: provider_message_id.to_string(),
        status,
        reason,
        at,
    }])
}

/// A customer's file fetched from their channel, or why not; kept once.
pub(super) fn record_file_fetch(
    state: &ChatState,
    message_id: &str,
    outcome: &FileFetch,
    at: DateTime<Utc>,
) -> Decision {
    let chat_id = state.id()?;
    if !state.has_seen(message_id) {
        return Err(ChatRejection::NotFound);
    }
    if state.has_seen(&ChatState::file_key(message_id)) {
        return Ok(vec![]);
    }
    let message_id = message_id.to_string();
    Ok(vec![match outcome {
        FileFetch::Kept { media } => {
            if !media.starts_with("/media/") || !crate::media::is_showable(media) {
                return Err(ChatRejection::InvalidMedia);
            }
            ChatEvent::FileKept { chat_id, message_id, media: media.clone(), at }
        }
        FileFetch::Failed { attempt, reason, retry_at } => ChatEvent::FileFetchFailed {
            chat_id,
            message_id,
            attempt: *attempt,
            reason: reason.chars().take(REASON_MAX_CHARS).collect(),
            retry_at: *retry_at,
            at,
        },
    }])
}
