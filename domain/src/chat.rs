//! Chats and conversations (C2): a chat is the thread between one contact and one line, kept whole
//! for ever; a conversation is one episode of it, from the first unanswered customer message to its
//! resolution. States: with the menu bot, waiting in a queue, assigned (pending when the customer
//! spoke last, following when the agent did), resolved.

use crate::contact::{Channel, NameSource};
use crate::decider::Decider;
use crate::errand::Answers;
use crate::errand::{answers_text, render_answer, WebQuery, WebRequest};
use crate::event::DomainEvent;
use crate::form::{Form, GiveUp};
use crate::ids::{ChatId, CompanyId, ConversationId, LineId, QueueId, UserId};
use crate::menu::{
    agent_away_buttons, agent_away_move, agent_away_question, Choice, FormMove, FormNext, KeyPhrase, Menu, MenuMove,
    MenuOutcome, MenuPlace, MenuWords,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use uuid::Uuid;

pub const TEXT_MAX_CHARS: usize = 4096;
pub const REFERENCE_MAX_CHARS: usize = 2048;
pub const CONTACT_ID_MAX_CHARS: usize = 200;

/// The stream of one chat.
pub fn chat_stream(chat: ChatId) -> String {
    format!("chat-{chat}")
}

/// The chat of one contact on one line: the same contact writing to the same line always continues
/// the same chat, on every node, without a lookup.
pub fn chat_of(line: LineId, contact_id: &str) -> ChatId {
    ChatId::from_uuid(Uuid::new_v5(&line.as_uuid(), contact_id.as_bytes()))
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ChatRejection {
    #[error("a message needs a text of at most {TEXT_MAX_CHARS} characters, or a media reference")]
    InvalidMessage,
    #[error("a contact id has 1 to {CONTACT_ID_MAX_CHARS} characters")]
    InvalidContact,
    #[error("a media reference has at most {REFERENCE_MAX_CHARS} characters")]
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
}

pub const NOTE_MAX_CHARS: usize = 1000;

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
    AgentReplied { chat_id: ChatId, message_id: Uuid, agent: UserId, text: String, at: DateTime<Utc> },
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
    /// A message to the customer reached the line's webhook.
    #[serde(rename = "OutboundMessageDelivered")]
    Delivered { chat_id: ChatId, message_id: Uuid, at: DateTime<Utc> },
    #[serde(rename = "OutboundMessageFailed")]
    DeliveryFailed { chat_id: ChatId, message_id: Uuid, reason: String, at: DateTime<Utc> },
}

crate::stored_names!(ChatEvent {
    CHAT_STARTED = "ChatStarted",
    CONTACT_NAME_SEEN = "ContactNameSeen",
    CONVERSATION_OPENED = "ConversationOpened",
    CUSTOMER_MESSAGE_RECEIVED = "CustomerMessageReceived",
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
    /// Where the chat waits if this message opens a conversation and the line has no menu.
    pub queue: QueueId,
    /// The line's menu, which greets every new conversation and sorts it (M2: none, straight to
    /// `queue`).
    pub menu: Option<Box<Menu>>,
    /// The customer's contact has given consent for this account (K4: its own, its channel's or
    /// the general one, wherever it was given), so a menu that remembers consent does not ask it.
    pub consent_on_record: bool,
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
    Transfer {
        company_id: CompanyId,
        by: Resolver,
        to: TransferTarget,
        note: Option<String>,
        at: DateTime<Utc>,
    },
    RecordDelivery {
        message_id: Uuid,
        failure: Option<String>,
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

/// A web query the chat waits for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingQuery {
    pub query_id: Uuid,
    pub answer: String,
    pub error: String,
    pub answers: Answers,
    pub after: String,
    pub after_choices: Vec<Choice>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ChatState {
    pub chat_id: Option<ChatId>,
    pub company_id: Option<CompanyId>,
    pub line_id: Option<LineId>,
    /// The open conversation, if any.
    pub conversation: Option<ConversationId>,
    pub queue: Option<QueueId>,
    pub agent: Option<UserId>,
    pub customer_spoke_last: bool,
    /// Whether the agent answered since the chat was assigned to them.
    pub agent_answered: bool,
    pub reply_deadline: Option<DateTime<Utc>>,
    /// The contact's own agent (R7).
    pub own_agent: Option<UserId>,
    /// Where the customer is in the line's menu, while the menu bot has the conversation.
    pub menu_place: Option<MenuPlace>,
    /// The customer stopped the bot for this conversation (G12).
    pub bot_stopped: bool,
    /// The customer's consent, kept for their next conversations on the line (M12, M14).
    pub consented: bool,
    /// Since when the bot has waited for the customer's answer, and whether it reminded them.
    pub bot_waiting_since: Option<DateTime<Utc>>,
    pub reminded: bool,
    /// What the bot says when an agent takes the chat (M5).
    pub assignment_greeting: Option<String>,
    pub pending_query: Option<PendingQuery>,
    /// E-mails of answers requested and not yet sent nor failed.
    pub pending_emails: BTreeSet<Uuid>,
    /// The name the channel last showed for the customer, and whose it is.
    pub name_seen: (String, NameSource),
    seen: BTreeSet<String>,
}

/// A menu timer that rings for a chat with the bot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MenuTimer {
    Remind,
    Resolve,
}

impl ChatState {
    /// When the bot next acts on its own for this chat under `menu` (M7, M8), and what it does.
    pub fn menu_timer(&self, menu: &Menu) -> Option<(DateTime<Utc>, MenuTimer)> {
        let since = self.bot_waiting_since.filter(|_| self.menu_place.is_some())?;
        let after = |minutes: u32| since + chrono::Duration::minutes(i64::from(minutes));
        match (&menu.reminder, menu.resolve_after_minutes) {
            (Some(reminder), _) if !self.reminded => Some((after(reminder.after_minutes), MenuTimer::Remind)),
            (_, Some(minutes)) => Some((after(minutes), MenuTimer::Resolve)),
            _ => None,
        }
    }

    /// Waiting in a queue for an agent.
    pub fn is_waiting(&self) -> bool {
        self.conversation.is_some() && self.agent.is_none() && self.queue.is_some()
    }
}

/// The id of the `n`th message the bot says in answer to a customer's message: derived from that
/// message, so that deciding again on the same message says the same thing under the same ids.
fn bot_message_id(chat_id: ChatId, answering: &str, n: u8) -> Uuid {
    Uuid::new_v5(&chat_id.as_uuid(), format!("bot:{answering}:{n}").as_bytes())
}

/// One turn of the menu bot, answering one customer message: what it says gets ids derived from
/// that message, in order.
struct BotTurn<'a> {
    chat_id: ChatId,
    conversation_id: ConversationId,
    menu: Option<&'a Menu>,
    answering: &'a str,
    said: u8,
    at: DateTime<Utc>,
}

impl BotTurn<'_> {
    fn next_id(&mut self) -> Uuid {
        self.said += 1;
        bot_message_id(self.chat_id, self.answering, self.said)
    }

    fn say(&mut self, text: String) -> ChatEvent {
        ChatEvent::BotSaid { chat_id: self.chat_id, message_id: self.next_id(), text, at: self.at }
    }

    /// The menu at `place`, after `prefix` when given.
    fn show(&mut self, place: MenuPlace, prefix: Option<&str>) -> ChatEvent {
        // Back at the top outside opening hours means the reduced menu (G15).
        let place = match self.menu {
            Some(menu) if place == MenuPlace::top() => menu.greeting_place(self.at),
            _ => place,
        };
        let menu_text = self.menu.map_or_else(|| agent_away_question(None), |m| m.render(&place));
        let text = match prefix {
            Some(prefix) => format!("{prefix}\n\n{menu_text}"),
            None => menu_text,
        };
        let choices = self.menu.map_or_else(|| agent_away_buttons(None), |m| m.choices(&place));
        ChatEvent::MenuShown { chat_id: self.chat_id, message_id: self.next_id(), place, text, choices, at: self.at }
    }

    fn queue(&self, queue: QueueId) -> ChatEvent {
        ChatEvent::Queued { chat_id: self.chat_id, conversation_id: self.conversation_id, queue, at: self.at }
    }

    /// The words outside opening hours, when it is closed, and the menu.
    fn greet(&mut self) -> Vec<ChatEvent> {
        let closed_message = self.menu.filter(|m| m.is_closed_at(self.at)).and_then(|m| m.closed_message.clone());
        let mut events: Vec<ChatEvent> = closed_message.map(|text| self.say(text)).into_iter().collect();
        events.push(self.show(MenuPlace::top(), None));
        events
    }

    fn ask_consent(&mut self, menu: &Menu) -> ChatEvent {
        ChatEvent::ConsentAsked {
            chat_id: self.chat_id,
            message_id: self.next_id(),
            text: menu.render(&MenuPlace::Consent),
            choices: menu.choices(&MenuPlace::Consent),
            at: self.at,
        }
    }

    /// The menu's farewell, when there is one, and the end of the conversation.
    fn end(&mut self) -> Vec<ChatEvent> {
        self.end_with(self.menu.and_then(|m| m.farewell.clone()))
    }

    fn end_with(&mut self, farewell: Option<String>) -> Vec<ChatEvent> {
        let mut events: Vec<ChatEvent> = farewell.map(|t| self.say(t)).into_iter().collect();
        events.push(ChatEvent::Resolved {
            chat_id: self.chat_id,
            conversation_id: self.conversation_id,
            by: Resolver::Bot,
            at: self.at,
        });
        events
    }

    fn ask(&mut self, place: MenuPlace, question: String, text: String) -> ChatEvent {
        let choices = self.menu.map(|m| m.choices(&place)).unwrap_or_default();
        let message_id = self.next_id();
        ChatEvent::InputRequested { chat_id: self.chat_id, message_id, place, question, text, choices, at: self.at }
    }

    fn web_query(&mut self, query: &WebQuery, answers: Answers) -> ChatEvent {
        let after = self.menu.map(|m| m.render(&MenuPlace::AfterText)).unwrap_or_default();
        let after_choices = self.menu.map(|m| m.choices(&MenuPlace::AfterText)).unwrap_or_default();
        ChatEvent::WebQueryRequested {
            chat_id: self.chat_id,
            query_id: self.next_id(),
            request: query.request(&answers),
            answer: query.answer.clone(),
            error: query.error.clone(),
            answers,
            after,
            after_choices,
            at: self.at,
        }
    }

    /// A form's answers are in: kept, e-mailed, and a route's queue, the web query, or the words
    /// of the end and the choice after a text (G20).
    fn complete(&mut self, form: &Form, answers: Answers) -> Vec<ChatEvent> {
        let mut events =
            vec![ChatEvent::FormCompleted { chat_id: self.chat_id, answers: answers.clone(), at: self.at }];
        if let Some(email) = &form.email {
            let questions: Vec<(String, String)> =
                form.questions.iter().map(|q| (q.name.clone(), q.text.clone())).collect();
            events.push(ChatEvent::AnswersEmailRequested {
                chat_id: self.chat_id,
                email_id: self.next_id(),
                to: email.to.trim().to_string(),
                subject: email.subject.trim().to_string(),
                body: answers_text(&questions, &answers),
                at: self.at,
            });
        }
        if let Some(route) = form.route_for(&answers) {
            if let Some(text) = route.message.clone() {
                events.push(self.say(text));
            }
            if let Some(text) = self.menu.and_then(|m| m.on_assignment.clone()) {
                events.push(ChatEvent::AssignmentGreetingSet { chat_id: self.chat_id, text });
            }
            events.push(self.queue(route.queue));
        } else if let Some(query) = &form.query {
            events.push(self.web_query(query, answers));
        } else {
            if let Some(text) = form.done.clone() {
                events.push(self.say(text));
            }
            events.push(self.show(MenuPlace::AfterText, None));
        }
        events
    }

    /// A customer's answer to a form's question at `place`.
    fn answer_form(&mut self, menu: &Menu, place: &MenuPlace, answer: &str) -> Vec<ChatEvent> {
        let (chat_id, at) = (self.chat_id, self.at);
        let (mut events, next) = match menu.answer_form(place, answer) {
            FormMove::Restart => return vec![self.show(MenuPlace::top(), None)],
            FormMove::Accepted { question, value, next } => {
                (vec![ChatEvent::InputAccepted { chat_id, question, value, at }], next)
            }
            FormMove::Rejected { question, attempts, next } => {
                let rejected = ChatEvent::InputRejected {
                    chat_id,
                    question: question.clone(),
                    answer: answer.to_string(),
                    attempt: attempts,
                    at,
                };
                let mut events = vec![rejected];
                if matches!(next, FormNext::GiveUp(_)) {
                    events.push(ChatEvent::InputAbandoned { chat_id, question, at });
                }
                (events, next)
            }
        };
        match next {
            FormNext::Ask { place, question, text } => events.push(self.ask(place, question, text)),
            FormNext::Complete { form, answers } => events.extend(self.complete(&form, answers)),
            FormNext::GiveUp(GiveUp::Menu) => events.push(self.show(MenuPlace::top(), None)),
            FormNext::GiveUp(GiveUp::Queue { queue }) => events.push(self.queue(queue)),
            FormNext::GiveUp(GiveUp::End) => events.extend(self.end()),
        }
        events
    }

    /// Where an option chosen at `place` takes the customer.
    fn chose(&mut self, place: &MenuPlace, option: u8, label: String, then: MenuOutcome) -> Vec<ChatEvent> {
        let (chat_id, at) = (self.chat_id, self.at);
        let mut events = vec![ChatEvent::MenuOptionChosen { chat_id, place: place.clone(), option, label, at }];
        match then {
            MenuOutcome::Show(place) => events.push(self.show(place, None)),
            MenuOutcome::Queue { queue, message, on_assignment } => {
                if let Some(text) = message {
                    events.push(self.say(text));
                }
                if let Some(text) = on_assignment {
                    events.push(ChatEvent::AssignmentGreetingSet { chat_id, text });
                }
                events.push(self.queue(queue));
            }
            MenuOutcome::Text(text) => {
                events.push(self.say(text));
                events.push(self.show(MenuPlace::AfterText, None));
            }
            MenuOutcome::End => events.extend(self.end()),
            MenuOutcome::Ask(place) => {
                let question = match (&place, self.menu) {
                    (MenuPlace::Form { option, out_of_hours, .. }, Some(menu)) => {
                        menu.form_at(option, *out_of_hours).and_then(|f| f.questions.first()).map(|q| q.name.clone())
                    }
                    _ => None,
                };
                let text = self.menu.map(|m| m.question_text(&place, false)).unwrap_or_default();
                events.push(self.ask(place, question.unwrap_or_default(), text));
            }
            MenuOutcome::Query(query) => events.push(self.web_query(&query, Answers::new())),
            MenuOutcome::Consent(given) => {
                let consent = self.menu.and_then(|m| m.consent.clone());
                let source = "menu".to_string();
                if given {
                    let remembered = consent.is_some_and(|c| c.remember);
                    events.push(ChatEvent::ConsentGiven { chat_id, source, remembered, at });
                    events.extend(self.greet());
                } else {
                    events.push(ChatEvent::ConsentRefused { chat_id, source, at });
                    events.extend(self.end_with(consent.and_then(|c| c.farewell)));
                }
            }
            MenuOutcome::Files { text, files } => {
                for (n, media) in files.into_iter().enumerate() {
                    let text = if n == 0 { text.clone().unwrap_or_default() } else { String::new() };
                    let message_id = self.next_id();
                    events.push(ChatEvent::BotSentFile {
                        chat_id,
                        message_id,
                        text,
                        media: media.trim().to_string(),
                        at,
                    });
                }
                events.push(self.show(MenuPlace::AfterText, None));
            }
        }
        events
    }
}

/// The menu bot's answer to a customer's message at `place` (or to a new conversation, `None`).
/// Without a menu the bot only ever asks what to do after an agent went away.
#[allow(clippy::too_many_arguments)]
fn bot_answers(
    chat_id: ChatId,
    conversation_id: ConversationId,
    menu: Option<&Menu>,
    place: Option<&MenuPlace>,
    inbound: &Inbound,
    consented: bool,
    at: DateTime<Utc>,
) -> Vec<ChatEvent> {
    let mut turn = BotTurn { chat_id, conversation_id, menu, answering: &inbound.message_id, said: 0, at };
    let Some(place) = place else {
        let known = |remember: bool| consented || (remember && inbound.consent_on_record);
        return match menu.filter(|m| m.consent.as_ref().is_some_and(|question| !known(question.remember))) {
            Some(menu) => vec![turn.ask_consent(menu)],
            None => turn.greet(),
        };
    };
    let answer = match (menu, place) {
        // The bot waits for a web service: what the customer says meanwhile is only recorded.
        (_, MenuPlace::Waiting) => return vec![],
        (Some(menu), MenuPlace::Form { .. }) => return turn.answer_form(menu, place, &inbound.text),
        (Some(menu), _) => menu.answer(place, &inbound.text),
        (None, MenuPlace::AgentAway(queue)) => agent_away_move(None, *queue, &inbound.text),
        (None, _) => MenuMove::Restart,
    };
    match answer {
        MenuMove::Restart => vec![turn.show(MenuPlace::top(), None)],
        MenuMove::NotAnOption => {
            let default_words = MenuWords::default();
            let words = menu.map_or(&default_words, |m| &m.words);
            vec![
                ChatEvent::MenuAnswerRejected { chat_id, place: place.clone(), answer: inbound.text.clone(), at },
                turn.show(place.clone(), Some(&words.not_an_option)),
            ]
        }
        MenuMove::Chose { option, label, then } => turn.chose(place, option, label, then),
    }
}

fn check_inbound(inbound: &Inbound) -> Result<(), ChatRejection> {
    let contact_chars = inbound.contact_id.trim().chars().count();
    if contact_chars == 0 || contact_chars > CONTACT_ID_MAX_CHARS {
        return Err(ChatRejection::InvalidContact);
    }
    if inbound.media.as_ref().is_some_and(|m| m.trim().is_empty() || m.chars().count() > REFERENCE_MAX_CHARS) {
        return Err(ChatRejection::InvalidMedia);
    }
    check_text(&inbound.text, inbound.media.is_some())
}

fn check_text(text: &str, has_media: bool) -> Result<(), ChatRejection> {
    if (text.trim().is_empty() && !has_media) || text.chars().count() > TEXT_MAX_CHARS {
        return Err(ChatRejection::InvalidMessage);
    }
    Ok(())
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
                check_inbound(inbound)?;
                if state.company_id.is_some_and(|company| company != inbound.company_id) {
                    return Err(ChatRejection::NotFound);
                }
                if state.seen.contains(&inbound.message_id) {
                    return Ok(vec![]);
                }
                let mut events = Vec::new();
                let name = inbound.contact_name.split_whitespace().collect::<Vec<_>>().join(" ");
                if state.company_id.is_none() {
                    events.push(ChatEvent::Started {
                        chat_id: *chat_id,
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
                    events.push(ChatEvent::ContactNameSeen {
                        chat_id: *chat_id,
                        name,
                        source: inbound.name_source,
                        at: *at,
                    });
                }
                let opens = state.conversation.is_none();
                if opens {
                    events.push(ChatEvent::ConversationOpened {
                        chat_id: *chat_id,
                        conversation_id: *conversation_id,
                        at: *at,
                    });
                }
                events.push(ChatEvent::CustomerMessageReceived {
                    chat_id: *chat_id,
                    message_id: inbound.message_id.clone(),
                    text: inbound.text.clone(),
                    media: inbound.media.clone(),
                    sticker: inbound.sticker,
                    at: *at,
                });
                let conversation_id = state.conversation.unwrap_or(*conversation_id);
                let with_bot = opens || state.menu_place.is_some();
                let place = if opens { None } else { state.menu_place.as_ref() };
                let menu = inbound.menu.as_deref();
                let phrase = menu.and_then(|m| m.key_phrase_in(&inbound.text));
                let (chat_id, at) = (*chat_id, *at);
                match (phrase, menu) {
                    (Some(KeyPhrase::ToQueue { phrase, queue }), _) if with_bot => {
                        events.push(ChatEvent::KeyPhraseHeard { chat_id, phrase, at });
                        events.push(ChatEvent::Queued { chat_id, conversation_id, queue, at });
                        return Ok(events);
                    }
                    (Some(KeyPhrase::StopBot), Some(menu)) if with_bot => {
                        events.push(ChatEvent::BotStopped { chat_id, at });
                        if let Some(queue) = menu.agent_queue {
                            events.push(ChatEvent::Queued { chat_id, conversation_id, queue, at });
                        }
                        return Ok(events);
                    }
                    (Some(KeyPhrase::ResumeBot), Some(_)) if state.bot_stopped && state.agent.is_none() => {
                        events.push(ChatEvent::BotResumed { chat_id, at });
                        events.extend(bot_answers(chat_id, conversation_id, menu, None, inbound, state.consented, at));
                        return Ok(events);
                    }
                    _ => {}
                }
                // A sticker to the bot gets the menu's reply to stickers (M15), and the menu when it
                // opens the conversation; it answers no question.
                let sticker_reply = menu.and_then(|m| m.sticker_reply.clone()).filter(|_| inbound.sticker && with_bot);
                if let Some(text) = sticker_reply {
                    let message_id = bot_message_id(chat_id, &format!("sticker:{}", inbound.message_id), 1);
                    events.push(ChatEvent::BotSaid { chat_id, message_id, text, at });
                    if opens {
                        events.extend(bot_answers(chat_id, conversation_id, menu, None, inbound, state.consented, at));
                    }
                    return Ok(events);
                }
                match (menu, place) {
                    _ if !with_bot => {}
                    (Some(_), _) | (None, Some(MenuPlace::AgentAway(_))) => {
                        events.extend(bot_answers(chat_id, conversation_id, menu, place, inbound, state.consented, at));
                    }
                    // No menu (any more): the conversation goes straight to the line's queue.
                    (None, _) => events.push(ChatEvent::Queued { chat_id, conversation_id, queue: inbound.queue, at }),
                }
                Ok(events)
            }
            ChatCommand::Assign { agent, queue, reply_by, at } => match (state.conversation, state.is_waiting()) {
                (Some(conversation_id), true) if state.queue == Some(*queue) => {
                    let chat_id = chat_id_of(state)?;
                    let mut events =
                        vec![ChatEvent::Assigned { chat_id, conversation_id, agent: *agent, queue: *queue, at: *at }];
                    if let Some(due_at) = reply_by {
                        events.push(ChatEvent::ReplyDeadlineSet {
                            chat_id,
                            conversation_id,
                            agent: *agent,
                            due_at: *due_at,
                        });
                    }
                    if let Some(text) = state.assignment_greeting.clone() {
                        let id = format!("greeting:{conversation_id}:{agent}");
                        let message_id = Uuid::new_v5(&chat_id.as_uuid(), id.as_bytes());
                        events.push(ChatEvent::BotSaid { chat_id, message_id, text, at: *at });
                    }
                    Ok(events)
                }
                _ => Err(ChatRejection::NotWaiting),
            },
            ChatCommand::ExpireReplyDeadline { agent, at } => {
                let due = state.reply_deadline.is_some_and(|due| due <= *at);
                match (state.conversation, state.queue) {
                    (Some(conversation_id), Some(queue))
                        if due && state.agent == Some(*agent) && !state.agent_answered =>
                    {
                        let chat_id = chat_id_of(state)?;
                        Ok(vec![
                            ChatEvent::ReplyDeadlineMissed { chat_id, conversation_id, agent: *agent, at: *at },
                            ChatEvent::Queued { chat_id, conversation_id, queue, at: *at },
                        ])
                    }
                    // Answered, resolved, moved or not due yet: the timer is stale.
                    _ => Ok(vec![]),
                }
            }
            ChatCommand::Reply { company_id, agent, message_id, text, at } => {
                check_company(state, *company_id)?;
                check_text(text, false)?;
                if state.conversation.is_none() {
                    return Err(ChatRejection::NotOpen);
                }
                if state.agent != Some(*agent) {
                    return Err(ChatRejection::NotYours);
                }
                Ok(vec![ChatEvent::AgentReplied {
                    chat_id: chat_id_of(state)?,
                    message_id: *message_id,
                    agent: *agent,
                    text: text.clone(),
                    at: *at,
                }])
            }
            ChatCommand::TellPosition { message_id, position, text, at } => {
                if !state.is_waiting() {
                    return Err(ChatRejection::NotWaiting);
                }
                Ok(vec![ChatEvent::WaitingPositionTold {
                    chat_id: chat_id_of(state)?,
                    message_id: *message_id,
                    position: *position,
                    text: text.clone(),
                    at: *at,
                }])
            }
            ChatCommand::Resolve { company_id, by, at } => {
                check_company(state, *company_id)?;
                let Some(conversation_id) = state.conversation else {
                    return Err(ChatRejection::NotOpen);
                };
                if let Resolver::Agent(agent) = by {
                    if state.agent != Some(*agent) {
                        return Err(ChatRejection::NotYours);
                    }
                }
                Ok(vec![ChatEvent::Resolved { chat_id: chat_id_of(state)?, conversation_id, by: *by, at: *at }])
            }
            ChatCommand::SetOwnAgent { company_id, agent, by } => {
                check_company(state, *company_id)?;
                Ok(if state.own_agent == *agent {
                    vec![]
                } else {
                    vec![ChatEvent::OwnAgentSet { chat_id: chat_id_of(state)?, agent: *agent, by: *by }]
                })
            }
            ChatCommand::HandOver { agent, at } => match (state.conversation, state.queue) {
                (Some(conversation_id), Some(queue)) if state.agent == Some(*agent) => {
                    let chat_id = chat_id_of(state)?;
                    Ok(vec![
                        ChatEvent::LeftByOfflineAgent { chat_id, conversation_id, agent: *agent, at: *at },
                        ChatEvent::Queued { chat_id, conversation_id, queue, at: *at },
                    ])
                }
                // Moved or resolved meanwhile: nothing to hand over.
                _ => Ok(vec![]),
            },
            ChatCommand::RingMenuTimer { menu, at } => match (state.menu_timer(menu), state.conversation) {
                (Some((due, timer)), Some(conversation_id)) if due <= *at => {
                    let chat_id = chat_id_of(state)?;
                    let since = state.bot_waiting_since.unwrap_or(*at);
                    let message_id = |n: &str| Uuid::new_v5(&chat_id.as_uuid(), format!("{n}:{since}").as_bytes());
                    Ok(match (timer, &menu.reminder) {
                        (MenuTimer::Remind, Some(reminder)) => vec![ChatEvent::MenuReminderSent {
                            chat_id,
                            message_id: message_id("reminder"),
                            text: reminder.text.clone(),
                            at: *at,
                        }],
                        _ => {
                            let mut events = vec![ChatEvent::MenuTimedOut { chat_id, at: *at }];
                            if let Some(text) = menu.farewell.clone() {
                                events.push(ChatEvent::BotSaid {
                                    chat_id,
                                    message_id: message_id("farewell"),
                                    text,
                                    at: *at,
                                });
                            }
                            events.push(ChatEvent::Resolved { chat_id, conversation_id, by: Resolver::Bot, at: *at });
                            events
                        }
                    })
                }
                // Answered, moved on, or not due yet: the timer is stale.
                _ => Ok(vec![]),
            },
            ChatCommand::AskAfterAgentLeft { agent, menu, at } => match (state.conversation, state.queue) {
                (Some(conversation_id), Some(queue)) if state.agent == Some(*agent) => {
                    let chat_id = chat_id_of(state)?;
                    let place = MenuPlace::AgentAway(queue);
                    let text = menu.as_deref().map_or_else(|| agent_away_question(None), |m| m.render(&place));
                    let message_id =
                        Uuid::new_v5(&chat_id.as_uuid(), format!("away:{conversation_id}:{agent}:{at}").as_bytes());
                    Ok(vec![
                        ChatEvent::LeftByOfflineAgent { chat_id, conversation_id, agent: *agent, at: *at },
                        ChatEvent::MenuShown {
                            chat_id,
                            message_id,
                            choices: menu.as_deref().map_or_else(|| agent_away_buttons(None), |m| m.choices(&place)),
                            place,
                            text,
                            at: *at,
                        },
                    ])
                }
                // Moved or resolved meanwhile: nothing to ask.
                _ => Ok(vec![]),
            },
            ChatCommand::Transfer { company_id, by, to, note, at } => {
                check_company(state, *company_id)?;
                let Some(conversation_id) = state.conversation else {
                    return Err(ChatRejection::NotOpen);
                };
                if let Resolver::Agent(agent) = by {
                    if state.agent != Some(*agent) {
                        return Err(ChatRejection::NotYours);
                    }
                }
                let note = note.as_ref().map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
                if note.as_ref().is_some_and(|n| n.chars().count() > NOTE_MAX_CHARS) {
                    return Err(ChatRejection::InvalidNote);
                }
                let already_there = match to {
                    TransferTarget::Agent(agent) => state.agent == Some(*agent),
                    TransferTarget::Queue(queue) => state.agent.is_none() && state.queue == Some(*queue),
                };
                if already_there {
                    return Err(ChatRejection::AlreadyThere);
                }
                let chat_id = chat_id_of(state)?;
                Ok(vec![
                    ChatEvent::Transferred {
                        chat_id,
                        conversation_id,
                        from: state.agent,
                        to: *to,
                        by: *by,
                        note,
                        at: *at,
                    },
                    ChatEvent::Queued { chat_id, conversation_id, queue: to.queue(), at: *at },
                ])
            }
            ChatCommand::RecordWebAnswer { query_id, outcome, at } => {
                let Some(pending) = state.pending_query.as_ref().filter(|p| p.query_id == *query_id) else {
                    // Answered already, or the conversation moved on: nothing to say.
                    return Ok(vec![]);
                };
                let chat_id = chat_id_of(state)?;
                let id = |n: &str| Uuid::new_v5(&chat_id.as_uuid(), format!("{n}:{query_id}").as_bytes());
                let (recorded, text) = match outcome {
                    WebOutcome::Answered { status, body } => {
                        let said = render_answer(&pending.answer, body, &pending.answers);
                        let text = if said.trim().is_empty() { pending.error.clone() } else { said };
                        (ChatEvent::WebQueryAnswered { chat_id, query_id: *query_id, status: *status, at: *at }, text)
                    }
                    WebOutcome::Failed { reason } => (
                        ChatEvent::WebQueryFailed { chat_id, query_id: *query_id, reason: reason.clone(), at: *at },
                        pending.error.clone(),
                    ),
                };
                Ok(vec![
                    recorded,
                    ChatEvent::BotSaid { chat_id, message_id: id("answer"), text, at: *at },
                    ChatEvent::MenuShown {
                        chat_id,
                        message_id: id("after"),
                        place: MenuPlace::AfterText,
                        text: pending.after.clone(),
                        choices: pending.after_choices.clone(),
                        at: *at,
                    },
                ])
            }
            ChatCommand::RecordEmail { email_id, failure, at } => {
                if !state.pending_emails.contains(email_id) {
                    return Ok(vec![]);
                }
                let chat_id = chat_id_of(state)?;
                Ok(vec![match failure {
                    None => ChatEvent::AnswersEmailed { chat_id, email_id: *email_id, at: *at },
                    Some(reason) => {
                        ChatEvent::AnswersEmailFailed { chat_id, email_id: *email_id, reason: reason.clone(), at: *at }
                    }
                }])
            }
            ChatCommand::RecordDelivery { message_id, failure, at } => {
                let chat_id = chat_id_of(state)?;
                Ok(vec![match failure {
                    None => ChatEvent::Delivered { chat_id, message_id: *message_id, at: *at },
                    Some(reason) => {
                        ChatEvent::DeliveryFailed { chat_id, message_id: *message_id, reason: reason.clone(), at: *at }
                    }
                }])
            }
        }
    }

    fn evolve(mut state: ChatState, event: &ChatEvent) -> ChatState {
        match event {
            ChatEvent::Started { chat_id, company_id, line_id, contact_name, name_source, .. } => {
                state.chat_id = Some(*chat_id);
                state.company_id = Some(*company_id);
                state.line_id = Some(*line_id);
                state.name_seen = (contact_name.clone(), *name_source);
            }
            ChatEvent::ContactNameSeen { name, source, .. } => state.name_seen = (name.clone(), *source),
            ChatEvent::ConversationOpened { conversation_id, .. } => {
                state.conversation = Some(*conversation_id);
                state.agent = None;
                state.queue = None;
            }
            ChatEvent::CustomerMessageReceived { message_id, .. } => {
                state.seen.insert(message_id.clone());
                state.customer_spoke_last = true;
            }
            ChatEvent::Queued { queue, .. } => {
                state.queue = Some(*queue);
                state.agent = None;
                state.reply_deadline = None;
                state.menu_place = None;
                state.pending_query = None;
            }
            ChatEvent::AssignmentGreetingSet { text, .. } => state.assignment_greeting = Some(text.clone()),
            ChatEvent::Assigned { agent, queue, .. } => {
                state.assignment_greeting = None;
                state.agent = Some(*agent);
                state.queue = Some(*queue);
                state.agent_answered = false;
                state.reply_deadline = None;
            }
            ChatEvent::ReplyDeadlineSet { due_at, .. } => state.reply_deadline = Some(*due_at),
            ChatEvent::ReplyDeadlineMissed { .. } => state.reply_deadline = None,
            ChatEvent::OwnAgentSet { agent, .. } => state.own_agent = *agent,
            ChatEvent::LeftByOfflineAgent { .. } => {
                state.agent = None;
                state.reply_deadline = None;
            }
            ChatEvent::AgentReplied { .. } => {
                state.customer_spoke_last = false;
                state.agent_answered = true;
                state.reply_deadline = None;
            }
            ChatEvent::Resolved { .. } => {
                state.conversation = None;
                state.agent = None;
                state.queue = None;
                state.reply_deadline = None;
                state.menu_place = None;
                state.bot_stopped = false;
                state.assignment_greeting = None;
                state.pending_query = None;
            }
            ChatEvent::BotStopped { .. } => {
                state.menu_place = None;
                state.bot_stopped = true;
            }
            ChatEvent::BotResumed { .. } => state.bot_stopped = false,
            ChatEvent::KeyPhraseHeard { .. } => {}
            ChatEvent::MenuShown { place, at, .. } => {
                state.menu_place = Some(place.clone());
                state.queue = None;
                state.bot_waiting_since = Some(*at);
                state.reminded = false;
            }
            ChatEvent::MenuReminderSent { at, .. } => {
                state.bot_waiting_since = Some(*at);
                state.reminded = true;
            }
            ChatEvent::MenuTimedOut { .. } => {}
            ChatEvent::InputRequested { place, at, .. } => {
                state.menu_place = Some(place.clone());
                state.queue = None;
                state.bot_waiting_since = Some(*at);
                state.reminded = false;
            }
            ChatEvent::WebQueryRequested { query_id, answer, error, answers, after, after_choices, .. } => {
                state.menu_place = Some(MenuPlace::Waiting);
                state.pending_query = Some(PendingQuery {
                    query_id: *query_id,
                    answer: answer.clone(),
                    error: error.clone(),
                    answers: answers.clone(),
                    after: after.clone(),
                    after_choices: after_choices.clone(),
                });
            }
            ChatEvent::WebQueryAnswered { .. } | ChatEvent::WebQueryFailed { .. } => state.pending_query = None,
            ChatEvent::AnswersEmailRequested { email_id, .. } => {
                state.pending_emails.insert(*email_id);
            }
            ChatEvent::AnswersEmailed { email_id, .. } | ChatEvent::AnswersEmailFailed { email_id, .. } => {
                state.pending_emails.remove(email_id);
            }
            ChatEvent::ConsentAsked { at, .. } => {
                state.menu_place = Some(MenuPlace::Consent);
                state.queue = None;
                state.bot_waiting_since = Some(*at);
                state.reminded = false;
            }
            ChatEvent::ConsentGiven { remembered, .. } => state.consented = *remembered,
            ChatEvent::ConsentRefused { .. } => state.consented = false,
            ChatEvent::InputAccepted { .. }
            | ChatEvent::InputRejected { .. }
            | ChatEvent::InputAbandoned { .. }
            | ChatEvent::FormCompleted { .. }
            | ChatEvent::BotSentFile { .. } => {}
            ChatEvent::MenuOptionChosen { .. } | ChatEvent::MenuAnswerRejected { .. } | ChatEvent::BotSaid { .. } => {}
            ChatEvent::WaitingPositionTold { .. }
            | ChatEvent::Transferred { .. }
            | ChatEvent::Delivered { .. }
            | ChatEvent::DeliveryFailed { .. } => {}
        }
        state
    }
}

fn chat_id_of(state: &ChatState) -> Result<ChatId, ChatRejection> {
    state.chat_id.ok_or(ChatRejection::NotFound)
}

fn check_company(state: &ChatState, company: CompanyId) -> Result<(), ChatRejection> {
    match state.company_id {
        Some(owner) if owner == company => Ok(()),
        _ => Err(ChatRejection::NotFound),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stored_names_are_the_events_own() {
        crate::event::check_names::<ChatEvent>(ChatEvent::NAMES);
    }
    use crate::decider::given;

    fn at() -> DateTime<Utc> {
        DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap()
    }
    fn company() -> CompanyId {
        CompanyId::from_uuid(Uuid::from_u128(1))
    }
    fn line() -> LineId {
        LineId::from_uuid(Uuid::from_u128(2))
    }
    fn queue() -> QueueId {
        QueueId::from_uuid(Uuid::from_u128(3))
    }
    fn ana() -> UserId {
        UserId::from_uuid(Uuid::from_u128(4))
    }
    fn chat() -> ChatId {
        chat_of(line(), "+5491100000000")
    }
    fn conversation(n: u128) -> ConversationId {
        ConversationId::from_uuid(Uuid::from_u128(100 + n))
    }
    fn receive(message_id: &str, text: &str, n: u128) -> ChatCommand {
        ChatCommand::Receive {
            chat_id: chat(),
            inbound: Inbound {
                channel: Channel::Whatsapp,
                company_id: company(),
                line_id: line(),
                contact_id: "+5491100000000".into(),
                contact_name: " Rosa  Díaz ".into(),
                name_source: NameSource::Profile,
                message_id: message_id.into(),
                text: text.into(),
                media: None,
                sticker: false,
                queue: queue(),
                menu: None,
                consent_on_record: false,
            },
            conversation_id: conversation(n),
            at: at(),
        }
    }
    fn receive_with_menu(message_id: &str, text: &str, n: u128) -> ChatCommand {
        match receive(message_id, text, n) {
            ChatCommand::Receive { chat_id, mut inbound, conversation_id, at } => {
                inbound.menu = Some(Box::new(crate::menu::tests::three_levels()));
                ChatCommand::Receive { chat_id, inbound, conversation_id, at }
            }
            other => other,
        }
    }
    /// Decides each message in turn on the history so far; answers the whole history.
    fn talk(history: Vec<ChatEvent>, messages: &[(&str, &str)]) -> Vec<ChatEvent> {
        let mut history = history;
        for (n, (id, text)) in messages.iter().enumerate() {
            let state = history.iter().fold(ChatState::default(), Chat::evolve);
            history.extend(Chat::decide(&state, &receive_with_menu(id, text, n as u128)).unwrap());
        }
        history
    }
    fn bot_lines(history: &[ChatEvent]) -> Vec<String> {
        history
            .iter()
            .filter_map(|e| match e {
                ChatEvent::MenuShown { text, .. } | ChatEvent::BotSaid { text, .. } => Some(text.clone()),
                _ => None,
            })
            .collect()
    }

    /// A menu of forms, a web query and files, from its JSON as supervisors write it.
    fn errands_menu() -> Menu {
        serde_json::from_value(serde_json::json!({
            "header": "Hi",
            "agent_queue": Uuid::from_u128(7),
            "options": [
                { "label": "Leave your details", "action": { "kind": "form",
                    "questions": [
                        { "name": "name", "text": "Your name?" },
                        { "name": "email", "text": "Your e-mail?", "check": { "kind": "email" },
                          "error": "That is not an e-mail." },
                        { "name": "size", "text": "Which size?", "check": { "kind": "one_of", "options": ["Small", "Large"] } }
                    ],
                    "email": { "to": "sales@shop.example", "subject": "New lead" },
                    "done": "Thanks!" } },
                { "label": "Quote", "action": { "kind": "form",
                    "questions": [{ "name": "amount", "text": "How much?", "check": { "kind": "number", "min": 1 } }],
                    "max_attempts": 2,
                    "on_give_up": { "then": "queue", "queue": Uuid::from_u128(8) },
                    "routes": [{ "question": "amount", "at_least": 1000, "queue": Uuid::from_u128(9),
                                 "message": "A senior seller will help you" }],
                    "query": { "url": "https://prices.example/quote?amount={{amount}}",
                               "answer": "Your price: {{price}}", "error": "Prices are down" } } },
                { "label": "Order status", "action": { "kind": "query", "method": "POST",
                    "url": "https://shop.example/status", "body": "{}",
                    "answer": "Your order is {{status}}", "error": "We cannot check now" } },
                { "label": "Catalogue", "action": { "kind": "files", "text": "Our catalogue",
                    "files": ["https://shop.example/c.pdf", "/media/abc.png"] } }
            ]
        }))
        .unwrap()
    }
    fn talk_to(menu: &Menu, history: Vec<ChatEvent>, messages: &[(&str, &str)]) -> Vec<ChatEvent> {
        let mut history = history;
        for (n, (id, text)) in messages.iter().enumerate() {
            let state = history.iter().fold(ChatState::default(), Chat::evolve);
            let command = match receive(id, text, n as u128) {
                ChatCommand::Receive { chat_id, mut inbound, conversation_id, at } => {
                    inbound.menu = Some(Box::new(menu.clone()));
                    ChatCommand::Receive { chat_id, inbound, conversation_id, at }
                }
                other => other,
            };
            history.extend(Chat::decide(&state, &command).unwrap());
        }
        history
    }
    fn said_by_bot(history: &[ChatEvent]) -> Vec<String> {
        history
            .iter()
            .filter_map(|e| match e {
                ChatEvent::MenuShown { text, .. }
                | ChatEvent::BotSaid { text, .. }
                | ChatEvent::InputRequested { text, .. }
                | ChatEvent::ConsentAsked { text, .. }
                | ChatEvent::BotSentFile { text, .. } => Some(text.clone()),
                _ => None,
            })
            .collect()
    }
    fn kinds(events: &[ChatEvent]) -> Vec<String> {
        events.iter().map(|e| crate::event::encode(e).unwrap().0).collect()
    }

    #[test]
    fn a_form_asks_each_question_checks_every_answer_keeps_them_and_emails_them() {
        let menu = errands_menu();
        let history = talk_to(&menu, vec![], &[("m1", "hola"), ("m2", "1"), ("m3", " Ana  ")]);
        let history = talk_to(&menu, history, &[("m4", "ana@"), ("m5", "Ana@Shop.example"), ("m6", "2")]);
        assert_eq!(
            said_by_bot(&history)[1..],
            [
                "Your name?",
                "Your e-mail?",
                "That is not an e-mail.\n\nYour e-mail?",
                "Which size?\n1. Small\n2. Large",
                "Thanks!",
                "Anything else?\n1. Show the menu again\n2. Talk to an agent\n3. That's all, thanks",
            ]
        );
        assert!(history.contains(&ChatEvent::InputRejected {
            chat_id: chat(),
            question: "email".into(),
            answer: "ana@".into(),
            attempt: 1,
            at: at(),
        }));
        let answers = Answers::from([
            ("name".to_string(), "Ana".to_string()),
            ("email".to_string(), "ana@shop.example".to_string()),
            ("size".to_string(), "Large".to_string()),
        ]);
        assert!(history.contains(&ChatEvent::FormCompleted { chat_id: chat(), answers, at: at() }));
        let email = history.iter().find_map(|e| match e {
            ChatEvent::AnswersEmailRequested { email_id, to, subject, body, .. } => {
                Some((*email_id, to.clone(), subject.clone(), body.clone()))
            }
            _ => None,
        });
        let (email_id, to, subject, body) = email.expect("the answers are e-mailed");
        assert_eq!((to.as_str(), subject.as_str()), ("sales@shop.example", "New lead"));
        assert_eq!(body, "Your name?: Ana\nYour e-mail?: ana@shop.example\nWhich size?: Large");
        let state = history.iter().fold(ChatState::default(), Chat::evolve);
        let sent = ChatCommand::RecordEmail { email_id, failure: None, at: at() };
        let recorded = Chat::decide(&state, &sent).unwrap();
        assert_eq!(recorded, vec![ChatEvent::AnswersEmailed { chat_id: chat(), email_id, at: at() }]);
        let state = recorded.iter().fold(state, Chat::evolve);
        assert_eq!(Chat::decide(&state, &sent), Ok(vec![]), "recorded once");
    }

    #[test]
    fn too_many_wrong_answers_run_the_forms_give_up_action_and_answers_meeting_a_route_go_to_its_queue() {
        let menu = errands_menu();
        let history = talk_to(&menu, vec![], &[("m1", "hola"), ("m2", "2"), ("m3", "lots"), ("m4", "0")]);
        let tail = kinds(&history[history.len() - 4..]);
        assert_eq!(tail, ["CustomerMessageReceived", "InputRejected", "InputAbandoned", "ChatQueued"]);
        assert!(
            matches!(history.last(), Some(ChatEvent::Queued { queue, .. }) if *queue == QueueId::from_uuid(Uuid::from_u128(8)))
        );

        let history = talk_to(&menu, vec![], &[("m1", "hola"), ("m2", "2"), ("m3", "1500")]);
        assert!(
            matches!(history.last(), Some(ChatEvent::Queued { queue, .. }) if *queue == QueueId::from_uuid(Uuid::from_u128(9)))
        );
        assert_eq!(said_by_bot(&history).last().map(String::as_str), Some("A senior seller will help you"));
    }

    #[test]
    fn a_web_query_is_made_with_the_answers_and_its_answer_or_its_error_is_told() {
        let menu = errands_menu();
        let history = talk_to(&menu, vec![], &[("m1", "hola"), ("m2", "2"), ("m3", "250")]);
        let Some(ChatEvent::WebQueryRequested { query_id, request, .. }) = history.last().cloned() else {
            panic!("a query follows the answers: {:?}", kinds(&history));
        };
        assert_eq!(request.url, "https://prices.example/quote?amount=250");
        assert_eq!(request.method, "GET");
        let history = talk_to(&menu, history, &[("m4", "hello?")]);
        assert_eq!(kinds(&history[history.len() - 1..]), ["CustomerMessageReceived"], "the bot waits for the service");
        let state = history.iter().fold(ChatState::default(), Chat::evolve);
        let answered = ChatCommand::RecordWebAnswer {
            query_id,
            outcome: WebOutcome::Answered { status: 200, body: r#"{"price": "$ 99"}"#.into() },
            at: at(),
        };
        let events = Chat::decide(&state, &answered).unwrap();
        assert_eq!(kinds(&events), ["WebQueryAnswered", "BotSaid", "MenuShown"]);
        assert_eq!(said_by_bot(&events)[0], "Your price: $ 99");
        let state = events.iter().fold(state, Chat::evolve);
        assert_eq!(state.menu_place, Some(MenuPlace::AfterText));
        assert_eq!(Chat::decide(&state, &answered), Ok(vec![]), "a late second answer says nothing");

        let history = talk_to(&menu, vec![], &[("m1", "hola"), ("m2", "3")]);
        let Some(ChatEvent::WebQueryRequested { query_id, request, .. }) = history.last().cloned() else {
            panic!("the query option asks at once");
        };
        assert_eq!((request.method.as_str(), request.body.as_deref()), ("POST", Some("{}")));
        let state = history.iter().fold(ChatState::default(), Chat::evolve);
        let failed = ChatCommand::RecordWebAnswer {
            query_id,
            outcome: WebOutcome::Failed { reason: "timed out after 5000 ms".into() },
            at: at(),
        };
        let events = Chat::decide(&state, &failed).unwrap();
        assert_eq!(kinds(&events), ["WebQueryFailed", "BotSaid", "MenuShown"]);
        assert_eq!(said_by_bot(&events)[0], "We cannot check now");
    }

    #[test]
    fn menus_with_forms_queries_or_files_that_cannot_work_are_refused_with_where() {
        assert_eq!(errands_menu().check(), Ok(()));
        let refused = |edit: fn(&mut serde_json::Value)| {
            let mut json = serde_json::to_value(errands_menu()).unwrap();
            edit(&mut json);
            serde_json::from_value::<Menu>(json).unwrap().check().unwrap_err().to_string()
        };
        let bad_pattern = refused(|m| {
            m["options"][0]["action"]["questions"][0]["check"] = serde_json::json!({ "kind": "regex", "pattern": "(" })
        });
        assert!(
            bad_pattern.starts_with("option 1: question `name`: the pattern is not a regular expression"),
            "{bad_pattern}"
        );
        let bad_url = refused(|m| m["options"][2]["action"]["url"] = "file:///etc/passwd".into());
        assert_eq!(bad_url, "option 3: a web query needs an http:// or https:// URL of at most 2048 characters");
        let bad_email = refused(|m| m["options"][0]["action"]["email"]["to"] = "nobody".into());
        assert_eq!(bad_email, "option 1: answers are e-mailed to one valid address, with a subject");
        let no_files = refused(|m| m["options"][3]["action"]["files"] = serde_json::json!([]));
        assert!(no_files.starts_with("option 4: an option sends 1 to 10 files"), "{no_files}");
        assert!(
            errands_menu().queues().contains(&QueueId::from_uuid(Uuid::from_u128(9))),
            "routes' queues are checked too"
        );
    }

    #[test]
    fn a_sticker_to_the_bot_gets_the_menus_reply_and_answers_no_question() {
        let menu = Menu { sticker_reply: Some("Nice sticker! Please choose an option.".into()), ..errands_menu() };
        let sticker = |history: &[ChatEvent], id: &str| {
            let state = history.iter().fold(ChatState::default(), Chat::evolve);
            let command = match receive(id, "", 0) {
                ChatCommand::Receive { chat_id, mut inbound, conversation_id, at } => {
                    inbound.menu = Some(Box::new(menu.clone()));
                    inbound.media = Some("https://cdn.example/sticker.webp".into());
                    inbound.sticker = true;
                    ChatCommand::Receive { chat_id, inbound, conversation_id, at }
                }
                other => other,
            };
            Chat::decide(&state, &command).unwrap()
        };
        let opened = sticker(&[], "s1");
        assert_eq!(
            said_by_bot(&opened),
            [
                "Nice sticker! Please choose an option.",
                "Hi\n1. Leave your details\n2. Quote\n3. Order status\n4. Catalogue"
            ]
        );
        assert!(opened.iter().any(|e| matches!(e, ChatEvent::CustomerMessageReceived { sticker: true, .. })));
        let mut history = opened;
        history.extend(sticker(&history, "s2"));
        assert_eq!(said_by_bot(&history).last().map(String::as_str), Some("Nice sticker! Please choose an option."));
        assert!(!history.iter().any(|e| matches!(e, ChatEvent::MenuAnswerRejected { .. })), "not a wrong answer");
        let state = history.iter().fold(ChatState::default(), Chat::evolve);
        assert_eq!(state.menu_place, Some(MenuPlace::top()), "still at the menu");
    }

    #[test]
    fn a_consent_given_elsewhere_spares_the_question_unless_the_menu_asks_every_time() {
        let consent = |remember: bool| crate::menu::ConsentQuestion {
            text: "May we contact you on WhatsApp?".into(),
            yes: "Yes".into(),
            no: "No".into(),
            farewell: None,
            remember,
        };
        let first_message = |menu: Menu, on_record: bool| {
            let command = match receive("m1", "hola", 0) {
                ChatCommand::Receive { chat_id, mut inbound, conversation_id, at } => {
                    inbound.menu = Some(Box::new(menu));
                    inbound.consent_on_record = on_record;
                    ChatCommand::Receive { chat_id, inbound, conversation_id, at }
                }
                other => other,
            };
            Chat::decide(&ChatState::default(), &command).unwrap()
        };
        let remembering = Menu { consent: Some(consent(true)), ..errands_menu() };
        let spared = first_message(remembering.clone(), true);
        assert!(matches!(spared.last(), Some(ChatEvent::MenuShown { place, .. }) if *place == MenuPlace::top()));
        assert!(!spared.iter().any(|e| matches!(e, ChatEvent::ConsentAsked { .. })));
        let unknown = first_message(remembering, false);
        assert!(matches!(unknown.last(), Some(ChatEvent::ConsentAsked { .. })), "nothing on record: asked");
        let asking_always = first_message(Menu { consent: Some(consent(false)), ..errands_menu() }, true);
        assert!(matches!(asking_always.last(), Some(ChatEvent::ConsentAsked { .. })), "asked every time (M14)");
    }

    #[test]
    fn consent_is_asked_before_the_menu_remembered_when_so_configured_and_a_refusal_ends_it() {
        let consent = |remember: bool| crate::menu::ConsentQuestion {
            text: "May we contact you on WhatsApp?".into(),
            yes: "Yes".into(),
            no: "No".into(),
            farewell: Some("Understood, bye!".into()),
            remember,
        };
        let menu = Menu { consent: Some(consent(true)), ..errands_menu() };
        let history = talk_to(&menu, vec![], &[("m1", "hola"), ("m2", "maybe"), ("m3", "1")]);
        assert_eq!(
            said_by_bot(&history),
            [
                "May we contact you on WhatsApp?\n1. Yes\n2. No",
                "Please answer with the number of an option.\n\nMay we contact you on WhatsApp?\n1. Yes\n2. No",
                "Hi\n1. Leave your details\n2. Quote\n3. Order status\n4. Catalogue",
            ]
        );
        assert!(history.contains(&ChatEvent::ConsentGiven {
            chat_id: chat(),
            source: "menu".into(),
            remembered: true,
            at: at()
        }));
        assert!(matches!(history.last(), Some(ChatEvent::MenuShown { place, .. }) if *place == MenuPlace::top()));
        assert!(matches!(
            history.iter().find(|e| matches!(e, ChatEvent::ConsentAsked { .. })),
            Some(ChatEvent::ConsentAsked { choices, .. }) if choices.len() == 2
        ));

        let state = history.iter().fold(ChatState::default(), Chat::evolve);
        let resolve = ChatCommand::Resolve { company_id: company(), by: Resolver::Bot, at: at() };
        let history: Vec<ChatEvent> = history.into_iter().chain(Chat::decide(&state, &resolve).unwrap()).collect();
        let next = talk_to(&menu, history.clone(), &[("m4", "hola otra vez")]);
        assert!(
            matches!(next.last(), Some(ChatEvent::MenuShown { place, .. }) if *place == MenuPlace::top()),
            "remembered: straight to the menu"
        );
        let asking_always = Menu { consent: Some(consent(false)), ..errands_menu() };
        let given_once = talk_to(&asking_always, vec![], &[("m1", "hola"), ("m2", "yes")]);
        let state = given_once.iter().fold(ChatState::default(), Chat::evolve);
        let given_once: Vec<ChatEvent> =
            given_once.into_iter().chain(Chat::decide(&state, &resolve).unwrap()).collect();
        let again = talk_to(&asking_always, given_once, &[("m3", "hola")]);
        assert!(matches!(again.last(), Some(ChatEvent::ConsentAsked { .. })), "asked every time (M14)");

        let refused = talk_to(&menu, vec![], &[("m1", "hola"), ("m2", "2")]);
        let tail = kinds(&refused[refused.len() - 4..]);
        assert_eq!(tail, ["MenuOptionChosen", "ConsentRefused", "BotSaid", "ChatResolved"]);
        assert_eq!(said_by_bot(&refused).last().map(String::as_str), Some("Understood, bye!"));
        assert!(!refused.iter().any(|e| matches!(e, ChatEvent::MenuShown { .. })), "no menu without consent (M13)");
    }

    #[test]
    fn a_files_option_sends_each_file_then_offers_what_a_text_does() {
        let history = talk_to(&errands_menu(), vec![], &[("m1", "hola"), ("m2", "4")]);
        let files: Vec<(String, String)> = history
            .iter()
            .filter_map(|e| match e {
                ChatEvent::BotSentFile { text, media, .. } => Some((text.clone(), media.clone())),
                _ => None,
            })
            .collect();
        assert_eq!(
            files,
            [("Our catalogue".into(), "https://shop.example/c.pdf".into()), (String::new(), "/media/abc.png".into())]
        );
        assert!(matches!(history.last(), Some(ChatEvent::MenuShown { place: MenuPlace::AfterText, .. })));
    }

    #[test]
    fn on_a_line_with_a_menu_a_new_conversation_is_greeted_by_the_menu_instead_of_queued() {
        let events = Chat::decide(&ChatState::default(), &receive_with_menu("m1", "hola", 1)).unwrap();
        let kinds: Vec<String> = events.iter().map(|e| crate::event::encode(e).unwrap().0).collect();
        assert_eq!(kinds, vec!["ChatStarted", "ConversationOpened", "CustomerMessageReceived", "MenuShown"]);
        assert_eq!(
            events[3],
            ChatEvent::MenuShown {
                chat_id: chat(),
                message_id: bot_message_id(chat(), "m1", 1),
                place: MenuPlace::top(),
                text: "Welcome to Ikono!\n1. Sales\n2. Help".into(),
                choices: vec![
                    Choice { answer: "1".into(), label: "Sales".into() },
                    Choice { answer: "2".into(), label: "Help".into() }
                ],
                at: at(),
            }
        );
        let state = events.iter().fold(ChatState::default(), Chat::evolve);
        assert!(!state.is_waiting(), "with the bot, not waiting for an agent");
        assert_eq!(Chat::decide(&state, &receive_with_menu("m1", "hola", 1)), Ok(vec![]), "the same message twice");
    }

    #[test]
    fn a_customer_walks_down_the_menu_goes_back_is_told_off_and_lands_in_a_queue() {
        let history =
            talk(vec![], &[("m1", "hola"), ("m2", "2"), ("m3", "2"), ("m4", "0"), ("m5", "banana"), ("m6", "0")]);
        assert_eq!(
            bot_lines(&history),
            vec![
                "Welcome to Ikono!\n1. Sales\n2. Help",
                "How can we help?\n1. Opening hours\n2. Orders\n0. Back",
                "Orders\n1. Track\n0. Back",
                "How can we help?\n1. Opening hours\n2. Orders\n0. Back",
                "Please answer with the number of an option.\n\nHow can we help?\n1. Opening hours\n2. Orders\n0. Back",
                "Welcome to Ikono!\n1. Sales\n2. Help",
            ]
        );
        assert!(history.contains(&ChatEvent::MenuAnswerRejected {
            chat_id: chat(),
            place: MenuPlace::Level(vec![2]),
            answer: "banana".into(),
            at: at(),
        }));
        let history = talk(history, &[("m7", "Sales")]);
        let tail: Vec<&ChatEvent> = history.iter().rev().take(4).collect();
        assert_eq!(
            tail[0],
            &ChatEvent::Queued {
                chat_id: chat(),
                conversation_id: conversation(0),
                queue: QueueId::from_uuid(Uuid::from_u128(1)),
                at: at()
            }
        );
        assert!(
            matches!(tail[1], ChatEvent::AssignmentGreetingSet { text, .. } if text == "You are talking with Sales")
        );
        assert!(matches!(tail[2], ChatEvent::BotSaid { text, .. } if text == "Connecting you with Sales"));
        assert!(matches!(tail[3], ChatEvent::MenuOptionChosen { option: 1, label, .. } if label == "Sales"));
        let state = history.iter().fold(ChatState::default(), Chat::evolve);
        assert!(state.is_waiting() && state.menu_place.is_none(), "now waiting for an agent, the bot is done");
        let after = talk(history.clone(), &[("m8", "1")]);
        assert_eq!(after.len(), history.len() + 1, "later messages are for the agent, not the bot");

        let sales = QueueId::from_uuid(Uuid::from_u128(1));
        let assign = ChatCommand::Assign { agent: ana(), queue: sales, reply_by: None, at: at() };
        let assigned = Chat::decide(&state, &assign).unwrap();
        assert!(
            matches!(&assigned[..], [ChatEvent::Assigned { .. }, ChatEvent::BotSaid { text, .. }]
            if text == "You are talking with Sales"),
            "the option's words when an agent takes it (M5)"
        );
        let state = assigned.iter().fold(state, Chat::evolve);
        assert_eq!(state.assignment_greeting, None, "said once");
    }

    #[test]
    fn a_text_option_offers_the_menu_an_agent_or_the_end_which_resolves_with_a_farewell() {
        let history = talk(vec![], &[("m1", "hola"), ("m2", "2"), ("m3", "1")]);
        assert_eq!(
            bot_lines(&history)[2..],
            ["Mon–Fri 9 to 18", "Anything else?\n1. Show the menu again\n2. Talk to an agent\n3. That's all, thanks"]
        );
        let ended = talk(history, &[("m4", "3")]);
        assert!(matches!(ended[ended.len() - 2], ChatEvent::BotSaid { ref text, .. } if text == "Bye!"));
        assert!(matches!(ended[ended.len() - 1], ChatEvent::Resolved { by: Resolver::Bot, .. }));
        let again = talk(ended.clone(), &[("m5", "hola otra vez")]);
        assert!(matches!(again[ended.len()], ChatEvent::ConversationOpened { .. }), "a new conversation");
        assert!(matches!(again.last(), Some(ChatEvent::MenuShown { place, .. }) if *place == MenuPlace::top()));
    }
    fn first_message() -> Vec<ChatEvent> {
        Chat::decide(&ChatState::default(), &receive("m1", "hola", 1)).unwrap()
    }
    fn assigned() -> ChatEvent {
        ChatEvent::Assigned {
            chat_id: chat(),
            conversation_id: conversation(1),
            agent: ana(),
            queue: queue(),
            at: at(),
        }
    }

    #[test]
    fn a_later_message_under_another_name_or_the_phone_books_is_seen_once() {
        let named = |message_id: &str, name: &str, source: NameSource| match receive(message_id, "otra", 2) {
            ChatCommand::Receive { chat_id, mut inbound, conversation_id, at } => {
                inbound.contact_name = name.into();
                inbound.name_source = source;
                ChatCommand::Receive { chat_id, inbound, conversation_id, at }
            }
            other => other,
        };
        let seen = |history: &[ChatEvent], command: &ChatCommand| {
            Chat::decide(&Chat::fold(history), command)
                .unwrap()
                .into_iter()
                .filter_map(|e| match e {
                    ChatEvent::ContactNameSeen { name, source, .. } => Some((name, source)),
                    _ => None,
                })
                .collect::<Vec<_>>()
        };
        let mut history = Chat::decide(&ChatState::default(), &receive("m1", "hola", 1)).unwrap();
        assert!(seen(&history, &named("m2", " Rosa Díaz", NameSource::Profile)).is_empty(), "the same name");
        assert!(seen(&history, &named("m2", "", NameSource::Profile)).is_empty(), "no name shown");
        assert_eq!(
            seen(&history, &named("m2", "Rosa María Díaz", NameSource::Profile)),
            vec![("Rosa María Díaz".to_string(), NameSource::Profile)]
        );
        let phone_book = named("m2", "Rosa Díaz", NameSource::PhoneBook);
        assert_eq!(seen(&history, &phone_book), vec![("Rosa Díaz".to_string(), NameSource::PhoneBook)]);
        let more = Chat::decide(&Chat::fold(&history), &phone_book).unwrap();
        history.extend(more);
        assert!(seen(&history, &named("m3", "Rosa Díaz", NameSource::PhoneBook)).is_empty(), "seen once");
        assert!(
            seen(&history, &named("m3", "Rosa M.", NameSource::Profile)).is_empty(),
            "a profile name does not replace the phone book's"
        );
    }

    #[test]
    fn a_first_message_starts_the_chat_opens_a_conversation_and_queues_it() {
        given::<Chat>(vec![]).when(receive("m1", "hola", 1)).then(vec![
            ChatEvent::Started {
                chat_id: chat(),
                company_id: company(),
                line_id: line(),
                channel: Channel::Whatsapp,
                contact_id: "+5491100000000".into(),
                contact_name: "Rosa Díaz".into(),
                name_source: NameSource::Profile,
            },
            ChatEvent::ConversationOpened { chat_id: chat(), conversation_id: conversation(1), at: at() },
            ChatEvent::CustomerMessageReceived {
                chat_id: chat(),
                message_id: "m1".into(),
                text: "hola".into(),
                media: None,
                sticker: false,
                at: at(),
            },
            ChatEvent::Queued { chat_id: chat(), conversation_id: conversation(1), queue: queue(), at: at() },
        ]);
    }

    #[test]
    fn a_message_sent_twice_is_stored_once() {
        given::<Chat>(first_message()).when(receive("m1", "hola", 2)).then(vec![]);
    }

    #[test]
    fn a_message_during_an_open_conversation_only_adds_the_message() {
        let mut history = first_message();
        history.push(assigned());
        given::<Chat>(history).when(receive("m2", "¿hay alguien?", 2)).then(vec![ChatEvent::CustomerMessageReceived {
            chat_id: chat(),
            message_id: "m2".into(),
            text: "¿hay alguien?".into(),
            media: None,
            sticker: false,
            at: at(),
        }]);
    }

    #[test]
    fn after_resolution_the_next_message_opens_a_new_conversation_in_the_same_chat() {
        let mut history = first_message();
        history.push(assigned());
        history.push(ChatEvent::Resolved {
            chat_id: chat(),
            conversation_id: conversation(1),
            by: Resolver::Agent(ana()),
            at: at(),
        });
        let events = Chat::decide(&Chat::fold(&history), &receive("m2", "otra vez", 2)).unwrap();
        assert!(
            matches!(events[0], ChatEvent::ConversationOpened { conversation_id, .. } if conversation_id == conversation(2))
        );
        assert!(matches!(events.last(), Some(ChatEvent::Queued { .. })));
        assert!(!events.iter().any(|e| matches!(e, ChatEvent::Started { .. })), "the chat and its history go on");
    }

    #[test]
    fn empty_or_oversized_messages_and_contacts_are_refused() {
        given::<Chat>(vec![]).when(receive("m1", "   ", 1)).then_rejects(ChatRejection::InvalidMessage);
        given::<Chat>(vec![])
            .when(receive("m1", &"x".repeat(TEXT_MAX_CHARS + 1), 1))
            .then_rejects(ChatRejection::InvalidMessage);
        let mut command = receive("m1", "hola", 1);
        if let ChatCommand::Receive { inbound, .. } = &mut command {
            inbound.contact_id = " ".into();
        }
        given::<Chat>(vec![]).when(command).then_rejects(ChatRejection::InvalidContact);
    }

    #[test]
    fn a_chat_is_assigned_only_while_waiting_and_only_once() {
        given::<Chat>(first_message())
            .when(ChatCommand::Assign { agent: ana(), queue: queue(), reply_by: None, at: at() })
            .then(vec![assigned()]);
        let mut history = first_message();
        history.push(assigned());
        given::<Chat>(history)
            .when(ChatCommand::Assign { agent: ana(), queue: queue(), reply_by: None, at: at() })
            .then_rejects(ChatRejection::NotWaiting);
    }

    #[test]
    fn only_the_assigned_agent_replies_and_only_within_the_company() {
        let mut history = first_message();
        history.push(assigned());
        let reply = |company_id, agent| ChatCommand::Reply {
            company_id,
            agent,
            message_id: Uuid::from_u128(9),
            text: "¡Hola!".into(),
            at: at(),
        };
        given::<Chat>(history.clone()).when(reply(company(), ana())).then(vec![ChatEvent::AgentReplied {
            chat_id: chat(),
            message_id: Uuid::from_u128(9),
            agent: ana(),
            text: "¡Hola!".into(),
            at: at(),
        }]);
        let other = UserId::from_uuid(Uuid::from_u128(5));
        given::<Chat>(history.clone()).when(reply(company(), other)).then_rejects(ChatRejection::NotYours);
        let elsewhere = CompanyId::from_uuid(Uuid::from_u128(6));
        given::<Chat>(history).when(reply(elsewhere, ana())).then_rejects(ChatRejection::NotFound);
    }

    #[test]
    fn a_supervisor_resolves_any_open_chat_an_agent_only_their_own() {
        let history = first_message();
        let boss = UserId::from_uuid(Uuid::from_u128(7));
        given::<Chat>(history.clone())
            .when(ChatCommand::Resolve { company_id: company(), by: Resolver::Supervisor(boss), at: at() })
            .then(vec![ChatEvent::Resolved {
                chat_id: chat(),
                conversation_id: conversation(1),
                by: Resolver::Supervisor(boss),
                at: at(),
            }]);
        given::<Chat>(history)
            .when(ChatCommand::Resolve { company_id: company(), by: Resolver::Agent(ana()), at: at() })
            .then_rejects(ChatRejection::NotYours);
    }

    #[test]
    fn an_agent_transfers_their_chat_to_a_colleague_with_a_note_and_it_waits_for_them() {
        let mut history = first_message();
        history.push(assigned());
        let ben = UserId::from_uuid(Uuid::from_u128(8));
        let transfer = |by, to| ChatCommand::Transfer {
            company_id: company(),
            by,
            to,
            note: Some(" wants a refund ".into()),
            at: at(),
        };
        given::<Chat>(history.clone()).when(transfer(Resolver::Agent(ana()), TransferTarget::Agent(ben))).then(vec![
            ChatEvent::Transferred {
                chat_id: chat(),
                conversation_id: conversation(1),
                from: Some(ana()),
                to: TransferTarget::Agent(ben),
                by: Resolver::Agent(ana()),
                note: Some("wants a refund".into()),
                at: at(),
            },
            ChatEvent::Queued {
                chat_id: chat(),
                conversation_id: conversation(1),
                queue: crate::queue::personal_queue(ben),
                at: at(),
            },
        ]);
        given::<Chat>(history.clone())
            .when(transfer(Resolver::Agent(ben), TransferTarget::Queue(queue())))
            .then_rejects(ChatRejection::NotYours);
        given::<Chat>(history)
            .when(transfer(Resolver::Agent(ana()), TransferTarget::Agent(ana())))
            .then_rejects(ChatRejection::AlreadyThere);
    }

    #[test]
    fn an_unanswered_chat_moves_on_when_its_deadline_rings_and_a_stale_timer_does_nothing() {
        let due = at() + chrono::Duration::minutes(5);
        let mut history = first_message();
        history.push(assigned());
        history.push(ChatEvent::ReplyDeadlineSet {
            chat_id: chat(),
            conversation_id: conversation(1),
            agent: ana(),
            due_at: due,
        });
        given::<Chat>(history.clone()).when(ChatCommand::ExpireReplyDeadline { agent: ana(), at: due }).then(vec![
            ChatEvent::ReplyDeadlineMissed { chat_id: chat(), conversation_id: conversation(1), agent: ana(), at: due },
            ChatEvent::Queued { chat_id: chat(), conversation_id: conversation(1), queue: queue(), at: due },
        ]);
        given::<Chat>(history.clone())
            .when(ChatCommand::ExpireReplyDeadline { agent: ana(), at: due - chrono::Duration::seconds(1) })
            .then(vec![]);
        history.push(ChatEvent::AgentReplied {
            chat_id: chat(),
            message_id: Uuid::from_u128(9),
            agent: ana(),
            text: "hola".into(),
            at: at(),
        });
        given::<Chat>(history).when(ChatCommand::ExpireReplyDeadline { agent: ana(), at: due }).then(vec![]);
    }

    #[test]
    fn outside_opening_hours_the_customer_hears_so_and_gets_the_reduced_menu() {
        let closed_menu = Menu::new(
            "We are closed now.",
            vec![crate::menu::MenuOption {
                label: "Hours".into(),
                action: crate::menu::MenuAction::Text { text: "Weekdays 9 to 18".into() },
            }],
        );
        let menu = Menu {
            opening_hours: Some(crate::hours::tests::office()),
            closed_message: Some("Thanks for writing! We answer on weekdays.".into()),
            closed_menu: Some(Box::new(closed_menu)),
            ..crate::menu::tests::three_levels()
        };
        assert_eq!(menu.check(), Ok(()));
        let write = |state: &ChatState, id: &str, text: &str, at: DateTime<Utc>| {
            let ChatCommand::Receive { chat_id, mut inbound, conversation_id, .. } = receive(id, text, 1) else {
                unreachable!("receive builds a Receive")
            };
            inbound.menu = Some(Box::new(menu.clone()));
            Chat::decide(state, &ChatCommand::Receive { chat_id, inbound, conversation_id, at }).unwrap()
        };
        // 2027-01-15 is a Friday; 08:00 UTC is 05:00 in Buenos Aires.
        let night = write(&ChatState::default(), "m1", "hola", at());
        let said = bot_lines(&night);
        assert_eq!(said, vec!["Thanks for writing! We answer on weekdays.", "We are closed now.\n1. Hours"]);
        let state = night.iter().fold(ChatState::default(), Chat::evolve);
        assert_eq!(state.menu_place, Some(MenuPlace::OutOfHours(vec![])));
        let answered = write(&state, "m2", "1", at());
        assert_eq!(bot_lines(&answered)[0], "Weekdays 9 to 18");

        let noon = at() + chrono::Duration::hours(7);
        let day = write(&ChatState::default(), "m1", "hola", noon);
        assert_eq!(bot_lines(&day), vec!["Welcome to Ikono!\n1. Sales\n2. Help"], "open: the whole menu");
    }

    #[test]
    fn a_customer_who_does_not_answer_the_bot_is_reminded_once_then_the_conversation_is_resolved() {
        let menu = Box::new(crate::menu::tests::three_levels());
        let history = talk(vec![], &[("m1", "hola")]);
        let state = |history: &[ChatEvent]| history.iter().fold(ChatState::default(), Chat::evolve);
        let ring = |minutes: i64| ChatCommand::RingMenuTimer {
            menu: menu.clone(),
            at: at() + chrono::Duration::minutes(minutes),
        };
        assert_eq!(Chat::decide(&state(&history), &ring(4)), Ok(vec![]), "not yet");
        let reminded = Chat::decide(&state(&history), &ring(5)).unwrap();
        assert!(matches!(&reminded[..], [ChatEvent::MenuReminderSent { text, .. }] if text == "Still there?"));
        let mut history = history;
        history.extend(reminded);
        assert_eq!(Chat::decide(&state(&history), &ring(14)), Ok(vec![]), "ten minutes after the reminder");
        let ended = Chat::decide(&state(&history), &ring(15)).unwrap();
        assert!(matches!(ended[0], ChatEvent::MenuTimedOut { .. }));
        assert!(matches!(&ended[1], ChatEvent::BotSaid { text, .. } if text == "Bye!"));
        assert!(matches!(ended[2], ChatEvent::Resolved { by: Resolver::Bot, .. }));

        let answered = talk(history.clone(), &[("m2", "2")]);
        let timer = state(&answered).menu_timer(&menu);
        assert_eq!(timer, Some((at() + chrono::Duration::minutes(5), MenuTimer::Remind)), "an answer starts over");
        let queued = talk(history, &[("m2", "1")]);
        assert_eq!(state(&queued).menu_timer(&menu), None, "no timers once the bot is done");
    }

    #[test]
    fn key_phrases_hand_the_chat_to_a_queue_at_once_or_stop_and_resume_the_bot() {
        let ordered = talk(vec![], &[("m1", "Hi! my ORDER number is 1234")]);
        assert!(ordered.contains(&ChatEvent::KeyPhraseHeard {
            chat_id: chat(),
            phrase: "My order number is".into(),
            at: at()
        }));
        assert!(
            matches!(ordered.last(), Some(ChatEvent::Queued { queue: q, .. }) if *q == QueueId::from_uuid(Uuid::from_u128(3)))
        );
        assert!(!ordered.iter().any(|e| matches!(e, ChatEvent::MenuShown { .. })), "straight to the queue");

        let stopped = talk(vec![], &[("m1", "hola"), ("m2", "2"), ("m3", "#human please")]);
        let tail = &stopped[stopped.len() - 2..];
        assert_eq!(tail[0], ChatEvent::BotStopped { chat_id: chat(), at: at() });
        assert!(
            matches!(tail[1], ChatEvent::Queued { queue: q, .. } if q == QueueId::from_uuid(Uuid::from_u128(1))),
            "to the agent queue"
        );
        let quiet = talk(stopped.clone(), &[("m4", "1")]);
        assert_eq!(quiet.len(), stopped.len() + 1, "the bot no longer answers");
        let resumed = talk(quiet.clone(), &[("m5", "#BOT")]);
        assert_eq!(resumed[quiet.len() + 1], ChatEvent::BotResumed { chat_id: chat(), at: at() });
        assert!(matches!(resumed.last(), Some(ChatEvent::MenuShown { place, .. }) if *place == MenuPlace::top()));
        let state = resumed.iter().fold(ChatState::default(), Chat::evolve);
        assert!(!state.is_waiting() && !state.bot_stopped, "with the bot again, out of the queue");
    }

    #[test]
    fn a_customer_whose_agent_went_away_is_asked_and_chooses_another_agent_or_the_menu() {
        let mut history = first_message();
        history.push(assigned());
        let ask = ChatCommand::AskAfterAgentLeft { agent: ana(), menu: None, at: at() };
        let asked = Chat::decide(&history.iter().fold(ChatState::default(), Chat::evolve), &ask).unwrap();
        assert_eq!(
            asked[0],
            ChatEvent::LeftByOfflineAgent { chat_id: chat(), conversation_id: conversation(1), agent: ana(), at: at() }
        );
        assert!(matches!(&asked[1], ChatEvent::MenuShown { place: MenuPlace::AgentAway(q), text, .. }
            if *q == queue() && text == "Your agent is not available right now.\n1. Talk to another agent"));
        history.extend(asked);
        let state = history.iter().fold(ChatState::default(), Chat::evolve);
        assert_eq!((state.agent, state.is_waiting()), (None, false), "with the bot until they answer");
        let again = Chat::decide(&state, &ChatCommand::AskAfterAgentLeft { agent: ana(), menu: None, at: at() });
        assert_eq!(again, Ok(vec![]), "asked once");

        let answered = talk(history.clone(), &[("m9", "1")]);
        assert!(matches!(answered.last(), Some(ChatEvent::Queued { queue: q, .. }) if *q == queue()));
        let nonsense = Chat::decide(&state, &receive("m9", "2", 9)).unwrap();
        assert!(
            matches!(&nonsense[1], ChatEvent::MenuAnswerRejected { .. }),
            "no menu on this line: 2 is not a choice"
        );

        let with_menu = Chat::decide(&state, &receive_with_menu("m9", "2", 9)).unwrap();
        assert!(matches!(with_menu.last(), Some(ChatEvent::MenuShown { place, .. }) if *place == MenuPlace::top()));
    }

    #[test]
    fn a_chat_whose_agent_went_offline_is_handed_over_unless_it_moved_meanwhile() {
        let mut history = first_message();
        history.push(assigned());
        given::<Chat>(history.clone()).when(ChatCommand::HandOver { agent: ana(), at: at() }).then(vec![
            ChatEvent::LeftByOfflineAgent { chat_id: chat(), conversation_id: conversation(1), agent: ana(), at: at() },
            ChatEvent::Queued { chat_id: chat(), conversation_id: conversation(1), queue: queue(), at: at() },
        ]);
        let ben = UserId::from_uuid(Uuid::from_u128(8));
        given::<Chat>(history).when(ChatCommand::HandOver { agent: ben, at: at() }).then(vec![]);
    }

    #[test]
    fn the_same_contact_on_the_same_line_is_always_the_same_chat() {
        assert_eq!(chat_of(line(), "abc"), chat_of(line(), "abc"));
        assert_ne!(chat_of(line(), "abc"), chat_of(line(), "abd"));
        assert_ne!(chat_of(line(), "abc"), chat_of(LineId::from_uuid(Uuid::from_u128(99)), "abc"));
    }
}
