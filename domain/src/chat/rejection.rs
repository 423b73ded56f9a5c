//! What a chat refuses, and the sizes of what it takes.

pub const TEXT_MAX_CHARS: usize = 4096;
pub const REFERENCE_MAX_CHARS: usize = 2048;
pub const CONTACT_ID_MAX_CHARS: usize = 200;
pub const NOTE_MAX_CHARS: usize = 1000;
pub const CHAT_NAME_MAX_CHARS: usize = 80;
pub const TAG_MAX_CHARS: usize = 40;
pub const TAGS_MAX: usize = 20;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ChatRejection {
    #[error("a message needs a text of at most {TEXT_MAX_CHARS} characters, or a media reference")]
    InvalidMessage,
    #[error("a contact id has 1 to {CONTACT_ID_MAX_CHARS} characters")]
    InvalidContact,
    #[error("a file is an http:// or https:// address, or one of our /media/ uploads, of at most {REFERENCE_MAX_CHARS} characters")]
    InvalidMedia,
    #[error("no such chat")]
    NotFound,
    #[error("the chat is not waiting for an agent")]
    NotWaiting,
    #[error("the chat is not assigned to you")]
    NotYours,
    #[error("the chat has no open conversation")]
    NotOpen,
    #[error("a note has at most {NOTE_MAX_CHARS} characters")]
    InvalidNote,
    #[error("the chat is already there")]
    AlreadyThere,
    /// The channel takes free text only this long after the customer's last message (WhatsApp: 24
    /// hours); after it, only an approved template (G3).
    #[error("the customer last wrote more than {hours} hours ago: their channel takes only an approved template now")]
    OutsideWindow { hours: i64 },
    #[error("a chat's name has at most {CHAT_NAME_MAX_CHARS} characters")]
    InvalidName,
    #[error("a tag has 1 to {TAG_MAX_CHARS} characters, and a chat at most {TAGS_MAX} tags")]
    InvalidTag,
    #[error("the customer's chat is open already: write there")]
    AlreadyOpen,
    #[error("no such message in the chat")]
    NoSuchMessage,
    /// Only a message's author changes it, while they work on the chat (G18).
    #[error("only its author may change a message, while the chat is theirs")]
    NotYourMessage,
    #[error("the line's agents may not edit or delete messages")]
    EditingNotAllowed,
    #[error("the message was deleted")]
    MessageDeleted,
    #[error("only a message's words can be changed: a template or a place cannot")]
    NotEditable,
    #[error(transparent)]
    Template(#[from] crate::template::TemplateRejection),
}

/// A message's text: some words (or none beside a file), never more than fit.
pub(super) fn check_text(text: &str, has_media: bool) -> Result<(), ChatRejection> {
    if (text.trim().is_empty() && !has_media) || text.chars().count() > TEXT_MAX_CHARS {
        return Err(ChatRejection::InvalidMessage);
    }
    Ok(())
}
