//! What happens to a chat, as stored in its stream.

use crate::contact::{Channel, NameSource};
use crate::errand::{Answers, WebRequest};
use crate::event::DomainEvent;
use crate::ids::{ChatId, CompanyId, ConversationId, LineId, QueueId, UserId};
use crate::menu::{Choice, MenuPlace};
use crate::message::{Content, DeliveryStatus};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Where a chat is transferred to (R5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum TransferTarget {
    Agent(UserId),
    Queue(QueueId),
}

impl TransferTarget {
    /// The queue the chat waits in until the target takes it.
    pub fn queue(&self) -> QueueId {
        match self {
            TransferTarget::Agent(agent) => crate::queue::personal_queue(*agent),
            TransferTarget::Queue(queue) => *queue,
        }
    }
}

/// Who closes a conversation: its agent, or any supervisor of the company.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "role", content = "id")]
pub enum Resolver {
    Agent(UserId),
    Supervisor(UserId),
    /// The menu bot, when the customer ends the conversation there.
    Bot,
    /// The system following a rule: a chat sent to its contact's group (K6).
    System,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum ChatEvent {
    #[serde(rename = "ChatStarted")]
    Started {
        chat_id: ChatId,
        company_id: CompanyId,
        line_id: LineId,
        /// With `contact_id`, the contact's account (K1): whose chat this is.
        #[serde(default = "api_channel")]
        channel: Channel,
        contact_id: String,
        contact_name: String,
        /// Whose name `contact_name` is (K5): the customer's profile, or the company's phone book.
        #[serde(default)]
        name_source: NameSource,
    },
    /// A later message shows the customer under another name, or the phone book's name (K5).
    #[serde(rename = "ContactNameSeen")]
    ContactNameSeen { chat_id: ChatId, name: String, source: NameSource, at: DateTime<Utc> },
    #[serde(rename = "ConversationOpened")]
    ConversationOpened { chat_id: ChatId, conversation_id: ConversationId, at: DateTime<Utc> },
    /// `message_id` is the sender's own id of the message: a message sent twice is stored once.
    #[serde(rename = "CustomerMessageReceived")]
    CustomerMessageReceived {
        chat_id: ChatId,
        message_id: String,
        text: String,
        media: Option<String>,
        /// The media is a sticker (M15).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        sticker: bool,
        /// What a channel's message carries besides its text (absent: a plain text).
        #[serde(default, skip_serializing_if = "Content::is_plain")]
        content: Content,
        at: DateTime<Utc>,
    },
    /// The customer reacted to a message (C8); `emoji` `None`: they took the reaction back.
    /// `to` is the channel's id of the message reacted to, ours or theirs.
    #[serde(rename = "CustomerReacted")]
    CustomerReacted { chat_id: ChatId, reaction_id: String, to: String, emoji: Option<String>, at: DateTime<Utc> },
    /// The file a channel kept for a customer's message is kept here now, at `media` (C1).
    #[serde(rename = "CustomerFileKept")]
    FileKept { chat_id: ChatId, message_id: String, media: String, at: DateTime<Utc> },
    /// Fetching a customer's file from the channel failed (attempt `attempt`); it is tried again
    /// at `retry_at`, or given up when there is none.
    #[serde(rename = "CustomerFileFetchFailed")]
    FileFetchFailed {
        chat_id: ChatId,
        message_id: String,
        attempt: u32,
        reason: String,
        retry_at: Option<DateTime<Utc>>,
        at: DateTime<Utc>,
    },
    /// The chat's agent reacted to a message (the channel's id of it); `emoji` `None`: taken back.
    #[serde(rename = "AgentReacted")]
    AgentReacted {
        chat_id: ChatId,
        reaction_id: Uuid,
        agent: UserId,
        to: String,
        emoji: Option<String>,
        at: DateTime<Utc>,
    },
    /// How far one of our messages got, as its channel reports it (by the channel's id of it).
    #[serde(rename = "OutboundStatusReported")]
    StatusReported {
        chat_id: ChatId,
        provider_message_id: String,
        status: DeliveryStatus,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
        at: DateTime<Utc>,
    },
    #[serde(rename = "ChatQueued")]
    Queued { chat_id: ChatId, conversation_id: ConversationId, queue: QueueId, at: DateTime<Utc> },
    #[serde(rename = "ChatAssigned")]
    Assigned { chat_id: ChatId, conversation_id: ConversationId, agent: UserId, queue: QueueId, at: DateTime<Utc> },
    /// The agent is to answer by `due_at` (the queue's time to answer), or the chat moves on.
    #[serde(rename = "ReplyDeadlineSet")]
    ReplyDeadlineSet { chat_id: ChatId, conversation_id: ConversationId, agent: UserId, due_at: DateTime<Utc> },
    /// The agent did not answer in time; the chat waits again for someone else.
    #[serde(rename = "ReplyDeadlineMissed")]
    ReplyDeadlineMissed { chat_id: ChatId, conversation_id: ConversationId, agent: UserId, at: DateTime<Utc> },
    #[serde(rename = "AgentReplied")]
    AgentReplied {
        chat_id: ChatId,
        message_id: Uuid,
        agent: UserId,
        text: String,
        /// The channel's id of the message it quotes (C4).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        quoted: Option<String>,
        /// A place the agent shared (C6).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        location: Option<crate::message::Location>,
        /// A file the agent sent (C1): one of the company's, kept here (`/media/…`), or a public
        /// address.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        media: Option<String>,
        /// The approved template this message is (G3); `text` is its body as the customer reads it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        template: Option<crate::template::SentTemplate>,
        at: DateTime<Utc>,
    },
    /// The bot told a waiting customer their place in the queue's line (G21).
    #[serde(rename = "WaitingPositionTold")]
    WaitingPositionTold { chat_id: ChatId, message_id: Uuid, position: u32, text: String, at: DateTime<Utc> },
    /// `from` is the agent who had the chat, if any; `by` who moved it.
    #[serde(rename = "ChatTransferred")]
    Transferred {
        chat_id: ChatId,
        conversation_id: ConversationId,
        from: Option<UserId>,
        to: TransferTarget,
        by: Resolver,
        note: Option<String>,
        at: DateTime<Utc>,
    },
    /// The contact's own agent (R7): their chats go to them even while they are away.
    #[serde(rename = "ChatOwnAgentSet")]
    OwnAgentSet { chat_id: ChatId, agent: Option<UserId>, by: UserId },
    /// The chat's agent went offline and the line passes such chats on (G6).
    #[serde(rename = "ChatLeftByOfflineAgent")]
    LeftByOfflineAgent { chat_id: ChatId, conversation_id: ConversationId, agent: UserId, at: DateTime<Utc> },
    #[serde(rename = "ChatResolved")]
    Resolved { chat_id: ChatId, conversation_id: ConversationId, by: Resolver, at: DateTime<Utc> },
    /// The menu bot showed a level of the line's menu (or the choice after a text); `text` is what
    /// the customer read.
    #[serde(rename = "MenuShown")]
    MenuShown {
        chat_id: ChatId,
        message_id: Uuid,
        place: MenuPlace,
        text: String,
        /// The same options as buttons, for channels that have them (C7, M16).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        choices: Vec<Choice>,
        at: DateTime<Utc>,
    },
    /// The customer chose option `option` (from 1; 0 is back) at `place`.
    #[serde(rename = "MenuOptionChosen")]
    MenuOptionChosen { chat_id: ChatId, place: MenuPlace, option: u8, label: String, at: DateTime<Utc> },
    /// The customer's answer was none of the options shown.
    #[serde(rename = "MenuAnswerRejected")]
    MenuAnswerRejected { chat_id: ChatId, place: MenuPlace, answer: String, at: DateTime<Utc> },
    /// The menu bot said something other than a menu: a text option, a farewell, a queue's words.
    #[serde(rename = "BotSaid")]
    BotSaid { chat_id: ChatId, message_id: Uuid, text: String, at: DateTime<Utc> },
    /// What the bot will say when an agent takes the chat (M5).
    #[serde(rename = "AssignmentGreetingSet")]
    AssignmentGreetingSet { chat_id: ChatId, text: String },
    /// The customer's message carried a phrase that hands the chat to a queue at once (M11).
    #[serde(rename = "KeyPhraseHeard")]
    KeyPhraseHeard { chat_id: ChatId, phrase: String, at: DateTime<Utc> },
    /// The customer stopped the bot for this conversation (G12).
    #[serde(rename = "BotStopped")]
    BotStopped { chat_id: ChatId, at: DateTime<Utc> },
    #[serde(rename = "BotResumed")]
    BotResumed { chat_id: ChatId, at: DateTime<Utc> },
    /// The customer had not answered the bot for a while (M7).
    #[serde(rename = "MenuReminderSent")]
    MenuReminderSent { chat_id: ChatId, message_id: Uuid, text: String, at: DateTime<Utc> },
    /// The customer never answered the bot: the conversation ends (M8; a `ChatResolved` by the
    /// bot follows).
    #[serde(rename = "MenuTimedOut")]
    MenuTimedOut { chat_id: ChatId, at: DateTime<Utc> },
    /// The bot asked the customer a form's question (M21); `place` says which.
    #[serde(rename = "InputRequested")]
    InputRequested {
        chat_id: ChatId,
        message_id: Uuid,
        place: MenuPlace,
        question: String,
        text: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        choices: Vec<Choice>,
        at: DateTime<Utc>,
    },
    #[serde(rename = "InputAccepted")]
    InputAccepted { chat_id: ChatId, question: String, value: String, at: DateTime<Utc> },
    /// The answer did not pass the question's check; `attempt` wrong answers so far.
    #[serde(rename = "InputRejected")]
    InputRejected { chat_id: ChatId, question: String, answer: String, attempt: u8, at: DateTime<Utc> },
    /// Too many wrong answers: the form's give-up action follows (M21).
    #[serde(rename = "InputAbandoned")]
    InputAbandoned { chat_id: ChatId, question: String, at: DateTime<Utc> },
    /// Every answer of a form, kept in the conversation (G20).
    #[serde(rename = "FormCompleted")]
    FormCompleted { chat_id: ChatId, answers: Answers, at: DateTime<Utc> },
    /// The bot asks a web service (M1); `answer` and `error` are what the customer will read,
    /// `after` the choice offered then.
    #[serde(rename = "WebQueryRequested")]
    WebQueryRequested {
        chat_id: ChatId,
        query_id: Uuid,
        request: WebRequest,
        answer: String,
        error: String,
        answers: Answers,
        after: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        after_choices: Vec<Choice>,
        /// The chat is resolved right after the answer instead (G13).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        resolve: bool,
        at: DateTime<Utc>,
    },
    #[serde(rename = "WebQueryAnswered")]
    WebQueryAnswered { chat_id: ChatId, query_id: Uuid, status: u16, at: DateTime<Utc> },
    #[serde(rename = "WebQueryFailed")]
    WebQueryFailed { chat_id: ChatId, query_id: Uuid, reason: String, at: DateTime<Utc> },
    /// The customer's answers are to be e-mailed (M17).
    #[serde(rename = "AnswersEmailRequested")]
    AnswersEmailRequested {
        chat_id: ChatId,
        email_id: Uuid,
        to: String,
        subject: String,
        body: String,
        at: DateTime<Utc>,
    },
    #[serde(rename = "AnswersEmailed")]
    AnswersEmailed { chat_id: ChatId, email_id: Uuid, at: DateTime<Utc> },
    #[serde(rename = "AnswersEmailFailed")]
    AnswersEmailFailed { chat_id: ChatId, email_id: Uuid, reason: String, at: DateTime<Utc> },
    /// The bot asked the customer's consent before the menu (M12).
    #[serde(rename = "ConsentAsked")]
    ConsentAsked {
        chat_id: ChatId,
        message_id: Uuid,
        text: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        choices: Vec<Choice>,
        at: DateTime<Utc>,
    },
    /// The customer consented, through the menu; `remembered`: not asked again on this line (M14).
    #[serde(rename = "ConsentGiven")]
    ConsentGiven { chat_id: ChatId, source: String, remembered: bool, at: DateTime<Utc> },
    /// The customer refused: the conversation ends without the menu (M13).
    #[serde(rename = "ConsentRefused")]
    ConsentRefused { chat_id: ChatId, source: String, at: DateTime<Utc> },
    /// The bot sent a file (M18, M20): `media` is its address.
    #[serde(rename = "BotSentFile")]
    BotSentFile { chat_id: ChatId, message_id: Uuid, text: String, media: String, at: DateTime<Utc> },
    /// A message to the customer reached the line's webhook, or its channel's provider, which
    /// knows it by `provider_message_id` from then on.
    #[serde(rename = "OutboundMessageDelivered")]
    Delivered {
        chat_id: ChatId,
        message_id: Uuid,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        provider_message_id: Option<String>,
        at: DateTime<Utc>,
    },
    #[serde(rename = "OutboundMessageFailed")]
    DeliveryFailed { chat_id: ChatId, message_id: Uuid, reason: String, at: DateTime<Utc> },
    /// The chat's name for the company (W6), instead of the contact's; `None`: the contact's again.
    #[serde(rename = "ChatRenamed")]
    Renamed { chat_id: ChatId, name: Option<String>, by: Resolver, at: DateTime<Utc> },
    /// A tag put on the chat (W11), or taken off.
    #[serde(rename = "ChatTagged")]
    Tagged { chat_id: ChatId, tag: String, by: Resolver, at: DateTime<Utc> },
    #[serde(rename = "ChatUntagged")]
    Untagged { chat_id: ChatId, tag: String, by: Resolver, at: DateTime<Utc> },
    /// A private note between colleagues (G7): agents and supervisors read it, the customer never.
    #[serde(rename = "ChatNoteWritten")]
    NoteWritten { chat_id: ChatId, note_id: Uuid, by: Resolver, text: String, at: DateTime<Utc> },
    /// Its author changed the words of a reply or a note (G18): the event holds the new words,
    /// the history keeps the earlier ones.
    #[serde(rename = "ChatMessageEdited")]
    MessageEdited { chat_id: ChatId, message_id: Uuid, by: Resolver, text: String, at: DateTime<Utc> },
    /// Its author took back a reply or a note (G18); the history keeps what it said.
    #[serde(rename = "ChatMessageDeleted")]
    MessageDeleted { chat_id: ChatId, message_id: Uuid, by: Resolver, at: DateTime<Utc> },
}

crate::stored_names!(ChatEvent {
    CHAT_STARTED = "ChatStarted",
    CONTACT_NAME_SEEN = "ContactNameSeen",
    CONVERSATION_OPENED = "ConversationOpened",
    CUSTOMER_MESSAGE_RECEIVED = "CustomerMessageReceived",
    CUSTOMER_REACTED = "CustomerReacted",
    AGENT_REACTED = "AgentReacted",
    NOTE_WRITTEN = "ChatNoteWritten",
    MESSAGE_EDITED = "ChatMessageEdited",
    MESSAGE_DELETED = "ChatMessageDeleted",
    RENAMED = "ChatRenamed",
    TAGGED = "ChatTagged",
    UNTAGGED = "ChatUntagged",
    CUSTOMER_FILE_KEPT = "CustomerFileKept",
    CUSTOMER_FILE_FETCH_FAILED = "CustomerFileFetchFailed",
    OUTBOUND_STATUS_REPORTED = "OutboundStatusReported",
    CHAT_QUEUED = "ChatQueued",
    CHAT_ASSIGNED = "ChatAssigned",
    REPLY_DEADLINE_SET = "ReplyDeadlineSet",
    REPLY_DEADLINE_MISSED = "ReplyDeadlineMissed",
    AGENT_REPLIED = "AgentReplied",
    WAITING_POSITION_TOLD = "WaitingPositionTold",
    CHAT_TRANSFERRED = "ChatTransferred",
    CHAT_OWN_AGENT_SET = "ChatOwnAgentSet",
    CHAT_LEFT_BY_OFFLINE_AGENT = "ChatLeftByOfflineAgent",
    CHAT_RESOLVED = "ChatResolved",
    MENU_SHOWN = "MenuShown",
    MENU_OPTION_CHOSEN = "MenuOptionChosen",
    MENU_ANSWER_REJECTED = "MenuAnswerRejected",
    BOT_SAID = "BotSaid",
    ASSIGNMENT_GREETING_SET = "AssignmentGreetingSet",
    KEY_PHRASE_HEARD = "KeyPhraseHeard",
    BOT_STOPPED = "BotStopped",
    BOT_RESUMED = "BotResumed",
    MENU_REMINDER_SENT = "MenuReminderSent",
    MENU_TIMED_OUT = "MenuTimedOut",
    INPUT_REQUESTED = "InputRequested",
    INPUT_ACCEPTED = "InputAccepted",
    INPUT_REJECTED = "InputRejected",
    INPUT_ABANDONED = "InputAbandoned",
    FORM_COMPLETED = "FormCompleted",
    WEB_QUERY_REQUESTED = "WebQueryRequested",
    WEB_QUERY_ANSWERED = "WebQueryAnswered",
    WEB_QUERY_FAILED = "WebQueryFailed",
    ANSWERS_EMAIL_REQUESTED = "AnswersEmailRequested",
    ANSWERS_EMAILED = "AnswersEmailed",
    ANSWERS_EMAIL_FAILED = "AnswersEmailFailed",
    CONSENT_ASKED = "ConsentAsked",
    CONSENT_GIVEN = "ConsentGiven",
    CONSENT_REFUSED = "ConsentRefused",
    BOT_SENT_FILE = "BotSentFile",
    OUTBOUND_MESSAGE_DELIVERED = "OutboundMessageDelivered",
    OUTBOUND_MESSAGE_FAILED = "OutboundMessageFailed",
});

impl DomainEvent for ChatEvent {
    fn actor(&self) -> Option<crate::actor::Actor> {
        let the_bots = matches!(
            self,
            ChatEvent::MenuShown { .. }
                | ChatEvent::MenuAnswerRejected { .. }
                | ChatEvent::BotSaid { .. }
                | ChatEvent::AssignmentGreetingSet { .. }
                | ChatEvent::KeyPhraseHeard { .. }
                | ChatEvent::MenuReminderSent { .. }
                | ChatEvent::MenuTimedOut { .. }
                | ChatEvent::Resolved { by: Resolver::Bot, .. }
                | ChatEvent::InputRequested { .. }
                | ChatEvent::InputRejected { .. }
                | ChatEvent::InputAbandoned { .. }
                | ChatEvent::FormCompleted { .. }
                | ChatEvent::WebQueryRequested { .. }
                | ChatEvent::WebQueryAnswered { .. }
                | ChatEvent::WebQueryFailed { .. }
                | ChatEvent::AnswersEmailRequested { .. }
                | ChatEvent::AnswersEmailed { .. }
                | ChatEvent::AnswersEmailFailed { .. }
                | ChatEvent::BotSentFile { .. }
                | ChatEvent::ConsentAsked { .. }
        );
        the_bots.then_some(crate::actor::Actor::Bot)
    }
}

/// Chats started before channels were recorded all came through the API line.
fn api_channel() -> Channel {
    Channel::Api
}
