//! A person's changes to their own replies and notes (G18): words edited, messages taken back.

use super::agents::works_on;
use super::events::{ChatEvent, Resolver};
use super::rejection::{check_text, ChatRejection};
use super::state::{ChatState, Written};
use crate::ids::CompanyId;
use chrono::{DateTime, Utc};
use uuid::Uuid;

type Decision = Result<Vec<ChatEvent>, ChatRejection>;

/// The message `by` may change: theirs, not deleted, in a chat they work on, on a line that lets
/// agents change messages (supervisors always may).
fn changeable(
    state: &ChatState,
    company_id: CompanyId,
    by: Resolver,
    message_id: Uuid,
    allowed: bool,
) -> Result<&Written, ChatRejection> {
    state.check_company(company_id)?;
    let written = state.written.get(&message_id).ok_or(ChatRejection::NoSuchMessage)?;
    let person = match by {
        Resolver::Agent(person) | Resolver::Supervisor(person) => person,
        Resolver::Bot | Resolver::System => return Err(ChatRejection::NotYourMessage),
    };
    if written.author != person || works_on(state, by).is_err() {
        return Err(ChatRejection::NotYourMessage);
    }
    if !allowed && matches!(by, Resolver::Agent(_)) {
        return Err(ChatRejection::EditingNotAllowed);
    }
    if written.deleted {
        return Err(ChatRejection::MessageDeleted);
    }
    Ok(written)
}

pub(super) fn edit(
    state: &ChatState,
    company_id: CompanyId,
    by: Resolver,
    message_id: Uuid,
    text: &str,
    allowed: bool,
    at: DateTime<Utc>,
) -> Decision {
    let written = changeable(state, company_id, by, message_id, allowed)?;
    if !written.editable {
        return Err(ChatRejection::NotEditable);
    }
    let text = text.trim();
    check_text(text, written.has_media)?;
    if text == written.text {
        return Ok(vec![]);
    }
    Ok(vec![ChatEvent::MessageEdited { chat_id: state.id()?, message_id, by, text: text.to_string(), at }])
}

pub(super) fn delete(
    state: &ChatState,
    company_id: CompanyId,
    by: Resolver,
    message_id: Uuid,
    allowed: bool,
    at: DateTime<Utc>,
) -> Decision {
    changeable(state, company_id, by, message_id, allowed)?;
    Ok(vec![ChatEvent::MessageDeleted { chat_id: state.id()?, message_id, by, at }])
}
