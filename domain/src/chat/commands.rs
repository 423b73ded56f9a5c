//! What is asked of a chat: a customer's message, the people answering it, its timers, and the
//! outcomes the outside world reports back.

use super::events::{Resolver, TransferTarget};
use crate::contact::{Channel, NameSource};
use crate::ids::{ChatId, CompanyId, ConversationId, LineId, QueueId, UserId};
use crate::menu::Menu;
use crate::message::{Content, DeliveryStatus};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// A customer's message as it came in.
#[derive(Clone, Debug, PartialEq)]
pub struct Inbound {
    pub company_id: CompanyId,
    pub line_id: LineId,
    pub channel: Channel,
    pub contact_id: String,
    pub contact_name: String,
    /// Whose name `contact_name` is: the channel's profile or the company's phone book (K5).
    pub name_source: NameSource,
    pub message_id: String,
    pub text: String,
    pub media: Option<String>,
    /// The media is a sticker (M15).
    pub sticker: bool,
    /// What a channel's message carries besides its text: kind, file, place, cards, quote, tap.
    pub content: Box<Content>,
    /// Where the chat waits if this message opens a conversation and the line has no menu.
    pub queue: QueueId,
    /// The line's menu, which greets every new conversation and sorts it (M2: none, straight to
    /// `queue`).
    pub menu: Option<Box<Menu>>,
    /// The customer's contact has given consent for this account (K4: its own, its channel's or
    /// the general one, wherever it was given), so a menu that remembers consent does not ask it.
    pub consent_on_record: bool,
}

impl Inbound {
    /// What the customer answers the bot: the option they tapped, or what they wrote.
    pub fn answer(&self) -> &str {
        self.content.choice.as_deref().unwrap_or(&self.text)
    }
}

/// What fetching a customer's file from their channel came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileFetch {
    /// Kept here, at this address (`/media/…`).
    Kept { media: String },
    /// Attempt `attempt` failed; tried again at `retry_at`, or given up.
    Failed { attempt: u32, reason: String, retry_at: Option<DateTime<Utc>> },
}

/// A customer's reaction to a message, as the channel reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reaction {
    /// The channel's id of the reaction itself: reported twice, it is recorded once.
    pub id: String,
    /// The channel's id of the message reacted to.
    pub to: String,
    /// `None`: the customer took their reaction back.
    pub emoji: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ChatCommand {
    /// `conversation_id` is used when the message opens a new conversation.
    Receive {
        chat_id: ChatId,
        inbound: Inbound,
        conversation_id: ConversationId,
        at: DateTime<Utc>,
    },
    /// `reply_by`: when the queue has a time to answer, the deadline it sets.
    Assign {
        agent: UserId,
        queue: QueueId,
        reply_by: Option<DateTime<Utc>>,
        at: DateTime<Utc>,
    },
    /// The timer of a reply deadline rang: moves the chat on unless it is stale.
    ExpireReplyDeadline {
        agent: UserId,
        at: DateTime<Utc>,
    },
    Reply {
        company_id: CompanyId,
        agent: UserId,
        message_id: Uuid,
        text: String,
        /// The channel's id of the message the reply quotes (C4).
        quoted: Option<String>,
        /// A place the agent shares (C6); the text may then be empty.
        location: Option<crate::message::Location>,
        /// A file the agent sends (C1), with `text` as its caption.
        media: Option<String>,
        /// An approved template instead of free text (G3): it goes out whenever, window or not.
        template: Option<crate::template::ApprovedTemplate>,
        /// How long after the customer's last message the line's channel takes free text
        /// (WhatsApp's 24 hours); none: any time.
        window: Option<chrono::Duration>,
        at: DateTime<Utc>,
    },
    /// An agent writes first to a customer (G3): the chat (started if it never was) opens a
    /// conversation assigned to them, with an approved template as its first message.
    StartConversation {
        company_id: CompanyId,
        line_id: LineId,
        channel: Channel,
        contact_id: String,
        /// The name the agent gave (none: the account's id, until the channel names them).
        contact_name: Option<String>,
        agent: UserId,
        conversation_id: ConversationId,
        message_id: Uuid,
        template: crate::template::ApprovedTemplate,
        at: DateTime<Utc>,
    },
    TellPosition {
        message_id: Uuid,
        position: u32,
        text: String,
        at: DateTime<Utc>,
    },
    Resolve {
        company_id: CompanyId,
        by: Resolver,
        at: DateTime<Utc>,
    },
    SetOwnAgent {
        company_id: CompanyId,
        agent: Option<UserId>,
        by: UserId,
    },
    /// The chat's agent is offline and the line passes their chats on.
    HandOver {
        agent: UserId,
        at: DateTime<Utc>,
    },
    /// A menu timer may be due (M7, M8); stale when the customer answered meanwhile.
    RingMenuTimer {
        menu: Box<Menu>,
        at: DateTime<Utc>,
    },
    /// The chat's agent is offline and the line asks the customer what now (G6); `menu`: the
    /// line's, if it has one.
    AskAfterAgentLeft {
        agent: UserId,
        menu: Option<Box<Menu>>,
        at: DateTime<Utc>,
    },
    /// A supervisor makes an open chat theirs to answer (G1): its agent, if any, no longer has it.
    TakeOver {
        company_id: CompanyId,
        supervisor: UserId,
        at: DateTime<Utc>,
    },
    Transfer {
        company_id: CompanyId,
        by: Resolver,
        to: TransferTarget,
        note: Option<String>,
        at: DateTime<Utc>,
    },
    /// A message went out (`Ok`, with the provider's id of it when it gives one) or was given up
    /// (`Err`, why).
    RecordDelivery {
        message_id: Uuid,
        outcome: Result<Option<String>, String>,
        at: DateTime<Utc>,
    },
    /// What fetching the file of the customer's message `message_id` came to.
    RecordFileFetch {
        message_id: String,
        outcome: FileFetch,
        at: DateTime<Utc>,
    },
    /// The chat's agent reacts to a message (the channel's id of it); `emoji` `None` takes the
    /// reaction back.
    ReactAsAgent {
        company_id: CompanyId,
        agent: UserId,
        reaction_id: Uuid,
        to: String,
        emoji: Option<String>,
        at: DateTime<Utc>,
    },
    /// The chat's agent or a supervisor names the chat (W6); `None` or blank: the contact's name.
    Rename {
        company_id: CompanyId,
        by: Resolver,
        name: Option<String>,
        at: DateTime<Utc>,
    },
    /// The chat's agent or a supervisor puts a tag on the chat (W11), or takes it off.
    Tag {
        company_id: CompanyId,
        by: Resolver,
        tag: String,
        on: bool,
        at: DateTime<Utc>,
    },
    /// The chat's agent or a supervisor writes a private note (G7).
    WriteNote {
        company_id: CompanyId,
        by: Resolver,
        note_id: Uuid,
        text: String,
        at: DateTime<Utc>,
    },
    /// The author of a reply or a note changes its words (G18); `allowed`: whether the chat's
    /// line lets agents edit and delete (supervisors always may).
    EditMessage {
        company_id: CompanyId,
        by: Resolver,
        message_id: Uuid,
        text: String,
        allowed: bool,
        at: DateTime<Utc>,
    },
    /// The author of a reply or a note takes it back (G18).
    DeleteMessage {
        company_id: CompanyId,
        by: Resolver,
        message_id: Uuid,
        allowed: bool,
        at: DateTime<Utc>,
    },
    /// The customer reacted to a message (C8).
    React {
        company_id: CompanyId,
        reaction: Reaction,
        at: DateTime<Utc>,
    },
    /// The channel says how far one of our messages got (its id on the channel).
    ReportStatus {
        company_id: CompanyId,
        provider_message_id: String,
        status: DeliveryStatus,
        reason: Option<String>,
        at: DateTime<Utc>,
    },
    /// What a web service the bot asked answered; stale unless the chat still waits for it.
    RecordWebAnswer {
        query_id: Uuid,
        outcome: WebOutcome,
        at: DateTime<Utc>,
    },
    /// Whether an e-mail of answers went out.
    RecordEmail {
        email_id: Uuid,
        failure: Option<String>,
        at: DateTime<Utc>,
    },
}

/// How a web query went: a 2xx answer's body, or why not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WebOutcome {
    Answered { status: u16, body: String },
    Failed { reason: String },
}
