//! What routing and the people answering chats do with one: assign it, reply, tell a waiting
//! customer their place, transfer it, resolve it, name the contact's own agent.

use super::commands::ChatCommand;
use super::events::{ChatEvent, Resolver, TransferTarget};
use super::rejection::{
    check_text, ChatRejection, CHAT_NAME_MAX_CHARS, CONTACT_ID_MAX_CHARS, NOTE_MAX_CHARS, REFERENCE_MAX_CHARS,
    TAGS_MAX, TAG_MAX_CHARS,
};
use super::state::ChatState;
use crate::contact::NameSource;
use crate::ids::{CompanyId, ConversationId, QueueId, UserId};
use crate::message::{is_emoji, is_reference};
use crate::queue::personal_queue;
use crate::template::ApprovedTemplate;
use chrono::{DateTime, Utc};
use uuid::Uuid;

type Decision = Result<Vec<ChatEvent>, ChatRejection>;

/// `reply_by`: when the queue has a time to answer, the deadline it sets.
pub(super) fn assign(
    state: &ChatState,
    agent: UserId,
    queue: QueueId,
    reply_by: Option<DateTime<Utc>>,
    at: DateTime<Utc>,
) -> Decision {
    let waiting_there = state.is_waiting() && state.queue == Some(queue);
    let conversation_id = state.conversation.filter(|_| waiting_there).ok_or(ChatRejection::NotWaiting)?;
    let chat_id = state.id()?;
    let mut events = vec![ChatEvent::Assigned { chat_id, conversation_id, agent, queue, at }];
    if let Some(due_at) = reply_by {
        events.push(ChatEvent::ReplyDeadlineSet { chat_id, conversation_id, agent, due_at });
    }
    if let Some(text) = state.assignment_greeting.clone() {
        let id = format!("greeting:{conversation_id}:{agent}");
        let message_id = Uuid::new_v5(&chat_id.as_uuid(), id.as_bytes());
        events.push(ChatEvent::BotSaid { chat_id, message_id, text, at });
    }
    Ok(events)
}

/// An agent's reply as asked.
pub(super) struct Reply<'a> {
    pub message_id: Uuid,
    pub text: &'a str,
    pub quoted: Option<&'a str>,
    pub location: Option<&'a crate::message::Location>,
    pub media: Option<&'a str>,
    pub template: Option<&'a ApprovedTemplate>,
    pub window: Option<chrono::Duration>,
}

pub(super) fn reply(
    state: &ChatState,
    company_id: CompanyId,
    agent: UserId,
    reply: &Reply<'_>,
    at: DateTime<Utc>,
) -> Decision {
    state.check_company(company_id)?;
    let (text, template) = match reply.template {
        // A template is the whole message: its body, filled.
        Some(template)
            if reply.text.trim().is_empty()
                && reply.location.is_none()
                && reply.media.is_none()
                && reply.quoted.is_none() =>
        {
            let (text, sent) = template.fill()?;
            (text, Some(sent))
        }
        Some(_) => return Err(ChatRejection::InvalidMessage),
        None => (reply.text.to_string(), None),
    };
    check_text(&text, reply.location.is_some() || reply.media.is_some())?;
    if reply.location.is_some_and(|place| !place.is_valid()) {
        return Err(ChatRejection::InvalidMessage);
    }
    if !reply.quoted.is_none_or(is_reference) {
        return Err(ChatRejection::InvalidMessage);
    }
    if reply.media.is_some_and(|m| !crate::media::is_showable(m) || m.chars().count() > REFERENCE_MAX_CHARS) {
        return Err(ChatRejection::InvalidMedia);
    }
    if state.conversation.is_none() {
        return Err(ChatRejection::NotOpen);
    }
    if state.agent != Some(agent) {
        return Err(ChatRejection::NotYours);
    }
    if let Some(window) = reply.window.filter(|_| template.is_none()) {
        let within = state.last_customer_at.is_some_and(|last| at - last <= window);
        if !within {
            return Err(ChatRejection::OutsideWindow { hours: window.num_hours() });
        }
    }
    Ok(vec![ChatEvent::AgentReplied {
        chat_id: state.id()?,
        message_id: reply.message_id,
        agent,
        text,
        quoted: reply.quoted.map(str::to_string),
        location: reply.location.cloned(),
        media: reply.media.map(str::to_string),
        template,
        at,
    }])
}

/// The chat of the customer's account on the line, started if it never was, opens a conversation
/// with the agent and the template; a chat open already is theirs to write in.
pub(super) fn start_conversation(state: &ChatState, command: &ChatCommand) -> Decision {
    let ChatCommand::StartConversation {
        company_id,
        line_id,
        channel,
        contact_id,
        contact_name,
        agent,
        conversation_id,
        message_id,
        template,
        at,
    } = command
    else {
        return Ok(vec![]);
    };
    let contact_id = contact_id.trim();
    if contact_id.is_empty() || contact_id.chars().count() > CONTACT_ID_MAX_CHARS {
        return Err(ChatRejection::InvalidContact);
    }
    if state.company_id.is_some_and(|company| company != *company_id) {
        return Err(ChatRejection::NotFound);
    }
    if state.conversation.is_some() {
        return Err(ChatRejection::AlreadyOpen);
    }
    let (text, sent) = template.fill()?;
    let chat_id = crate::chat::chat_of(*line_id, contact_id);
    let mut events = Vec::new();
    if state.company_id.is_none() {
        let given = contact_name.as_deref().map(crate::text::single_spaced);
        let given = given.filter(|n| !n.is_empty() && n.chars().count() <= CONTACT_ID_MAX_CHARS);
        let (contact_name, name_source) = match given {
            Some(name) => (name, NameSource::Agent),
            None => (contact_id.to_string(), NameSource::Profile),
        };
        events.push(ChatEvent::Started {
            chat_id,
            company_id: *company_id,
            line_id: *line_id,
            channel: *channel,
            contact_id: contact_id.to_string(),
            contact_name,
            name_source,
        });
    }
    let (conversation_id, at) = (*conversation_id, *at);
    events.extend([
        ChatEvent::ConversationOpened { chat_id, conversation_id, at },
        ChatEvent::Assigned { chat_id, conversation_id, agent: *agent, queue: personal_queue(*agent), at },
        ChatEvent::AgentReplied {
            chat_id,
            message_id: *message_id,
            agent: *agent,
            text,
            quoted: None,
            location: None,
            media: None,
            template: Some(sent),
            at,
        },
    ]);
    Ok(events)
}

pub(super) fn tell_position(
    state: &ChatState,
    message_id: Uuid,
    position: u32,
    text: &str,
    at: DateTime<Utc>,
) -> Decision {
    if !state.is_waiting() {
        return Err(ChatRejection::NotWaiting);
    }
    Ok(vec![ChatEvent::WaitingPositionTold { chat_id: state.id()?, message_id, position, text: text.to_string(), at }])
}

/// A supervisor resolves any open conversation of the company, an agent only their own.
pub(super) fn resolve(state: &ChatState, company_id: CompanyId, by: Resolver, at: DateTime<Utc>) -> Decision {
    state.check_company(company_id)?;
    let conversation_id = open_and_theirs(state, by)?;
    Ok(vec![ChatEvent::Resolved { chat_id: state.id()?, conversation_id, by, at }])
}

pub(super) fn set_own_agent(state: &ChatState, company_id: CompanyId, agent: Option<UserId>, by: UserId) -> Decision {
    state.check_company(company_id)?;
    Ok(if state.own_agent == agent { vec![] } else { vec![ChatEvent::OwnAgentSet { chat_id: state.id()?, agent, by }] })
}

/// The chat waits in the target's queue (an agent's own, for a colleague) until it is taken.
pub(super) fn transfer(
    state: &ChatState,
    company_id: CompanyId,
    by: Resolver,
    to: TransferTarget,
    note: Option<&str>,
    at: DateTime<Utc>,
) -> Decision {
    state.check_company(company_id)?;
    let conversation_id = open_and_theirs(state, by)?;
    let note = note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
    if note.as_ref().is_some_and(|n| n.chars().count() > NOTE_MAX_CHARS) {
        return Err(ChatRejection::InvalidNote);
    }
    let already_there = match to {
        TransferTarget::Agent(agent) => state.agent == Some(agent),
        TransferTarget::Queue(queue) => state.agent.is_none() && state.queue == Some(queue),
    };
    if already_there {
        return Err(ChatRejection::AlreadyThere);
    }
    let chat_id = state.id()?;
    Ok(vec![
        ChatEvent::Transferred { chat_id, conversation_id, from: state.agent, to, by, note, at },
        ChatEvent::Queued { chat_id, conversation_id, queue: to.queue(), at },
    ])
}

/// Told as a transfer to the supervisor, who has it at once: the chat leaves its agent's list and
/// any bot or deadline stops, as after any transfer, and the supervisor answers it as its agent.
pub(super) fn take_over(state: &ChatState, company_id: CompanyId, supervisor: UserId, at: DateTime<Utc>) -> Decision {
    state.check_company(company_id)?;
    let conversation_id = state.conversation.ok_or(ChatRejection::NotOpen)?;
    if state.agent == Some(supervisor) {
        return Err(ChatRejection::AlreadyThere);
    }
    let (chat_id, to) = (state.id()?, TransferTarget::Agent(supervisor));
    let queue = to.queue();
    Ok(vec![
        ChatEvent::Transferred {
            chat_id,
            conversation_id,
            from: state.agent,
            to,
            by: Resolver::Supervisor(supervisor),
            note: None,
            at,
        },
        ChatEvent::Queued { chat_id, conversation_id, queue, at },
        ChatEvent::Assigned { chat_id, conversation_id, agent: supervisor, queue, at },
    ])
}

/// The open conversation, when `by` may act on it: an agent only on their own chat.
fn open_and_theirs(state: &ChatState, by: Resolver) -> Result<ConversationId, ChatRejection> {
    let Some(conversation_id) = state.conversation else {
        return Err(ChatRejection::NotOpen);
    };
    match by {
        Resolver::Agent(agent) if state.agent != Some(agent) => Err(ChatRejection::NotYours),
        _ => Ok(conversation_id),
    }
}

/// The chat's agent reacts to one of its messages (or takes the reaction back).
/// Whether `by` may work on the chat's own things (its name, tags, notes): its agent, or a supervisor.
pub(super) fn works_on(state: &ChatState, by: Resolver) -> Result<(), ChatRejection> {
    match by {
        Resolver::Supervisor(_) => Ok(()),
        Resolver::Agent(agent) if state.agent == Some(agent) => Ok(()),
        Resolver::Agent(_) | Resolver::Bot | Resolver::System => Err(ChatRejection::NotYours),
    }
}

/// The chat's name for the company (W6): none, or blank, gives it back the contact's.
pub(super) fn rename(
    state: &ChatState,
    company_id: CompanyId,
    by: Resolver,
    name: Option<&str>,
    at: DateTime<Utc>,
) -> Decision {
    state.check_company(company_id)?;
    works_on(state, by)?;
    let name = name.map(crate::text::single_spaced).filter(|n| !n.is_empty());
    if name.as_ref().is_some_and(|n| n.chars().count() > CHAT_NAME_MAX_CHARS) {
        return Err(ChatRejection::InvalidName);
    }
    if name == state.name {
        return Ok(vec![]);
    }
    Ok(vec![ChatEvent::Renamed { chat_id: state.id()?, name, by, at }])
}

/// A tag on the chat (W11), compared without regard to case; putting one that is there, or taking
/// one off that is not, changes nothing.
pub(super) fn tag(
    state: &ChatState,
    company_id: CompanyId,
    by: Resolver,
    tag: &str,
    on: bool,
    at: DateTime<Utc>,
) -> Decision {
    state.check_company(company_id)?;
    works_on(state, by)?;
    let tag = crate::text::single_spaced(tag);
    if tag.is_empty() || tag.chars().count() > TAG_MAX_CHARS {
        return Err(ChatRejection::InvalidTag);
    }
    let present = state.tags.iter().find(|t| t.to_lowercase() == tag.to_lowercase()).cloned();
    let chat_id = state.id()?;
    match (on, present) {
        (true, Some(_)) | (false, None) => Ok(vec![]),
        (true, None) if state.tags.len() >= TAGS_MAX => Err(ChatRejection::InvalidTag),
        (true, None) => Ok(vec![ChatEvent::Tagged { chat_id, tag, by, at }]),
        (false, Some(tag)) => Ok(vec![ChatEvent::Untagged { chat_id, tag, by, at }]),
    }
}

/// A note for colleagues: the chat's agent's, or a supervisor's; never the customer's to read.
pub(super) fn write_note(
    state: &ChatState,
    company_id: CompanyId,
    by: Resolver,
    note_id: Uuid,
    text: &str,
    at: DateTime<Utc>,
) -> Decision {
    state.check_company(company_id)?;
    let text = text.trim();
    check_text(text, false)?;
    works_on(state, by)?;
    Ok(vec![ChatEvent::NoteWritten { chat_id: state.id()?, note_id, by, text: text.to_string(), at }])
}

pub(super) fn react(
    state: &ChatState,
    company_id: CompanyId,
    agent: UserId,
    reaction_id: Uuid,
    to: &str,
    emoji: Option<&str>,
    at: DateTime<Utc>,
) -> Decision {
    state.check_company(company_id)?;
    if !is_reference(to) || !emoji.is_none_or(is_emoji) {
        return Err(ChatRejection::InvalidMessage);
    }
    if state.agent != Some(agent) {
        return Err(ChatRejection::NotYours);
    }
    Ok(vec![ChatEvent::AgentReacted {
        chat_id: state.id()?,
        reaction_id,
        agent,
        to: to.to_string(),
        emoji: emoji.map(str::to_string),
        at,
    }])
}
