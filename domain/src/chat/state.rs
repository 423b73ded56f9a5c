//! What a chat remembers of its history to decide the next command.

use super::events::{ChatEvent, Resolver};
use super::rejection::ChatRejection;
use crate::contact::NameSource;
use crate::errand::Answers;
use crate::ids::{ChatId, CompanyId, ConversationId, LineId, QueueId, UserId};
use crate::menu::{Choice, Menu, MenuPlace};
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

/// A web query the chat waits for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingQuery {
    pub query_id: Uuid,
    pub answer: String,
    pub error: String,
    pub answers: Answers,
    pub after: String,
    pub after_choices: Vec<Choice>,
    /// Resolve the chat right after the answer (G13).
    pub resolve: bool,
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
    /// When the customer last wrote: a channel's window for free text counts from it.
    pub last_customer_at: Option<DateTime<Utc>>,
    /// The name the channel last showed for the customer, and whose it is.
    pub name_seen: (String, NameSource),
    /// The chat's name for the company (W6), when it has one.
    pub name: Option<String>,
    /// Its tags (W11), as first written.
    pub tags: Vec<String>,
    /// The replies and notes people wrote, by their id: what their authors may change (G18).
    pub written: BTreeMap<Uuid, Written>,
    seen: BTreeSet<String>,
}

/// A reply or a note a person wrote, as it stands now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Written {
    pub author: UserId,
    pub note: bool,
    /// Its words can change: a template or a place cannot.
    pub editable: bool,
    pub has_media: bool,
    pub text: String,
    pub deleted: bool,
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

    /// What a status report is remembered by, among the ids seen.
    pub(super) fn status_key(provider_message_id: &str, status: crate::message::DeliveryStatus) -> String {
        format!("status:{}:{provider_message_id}", status.as_str())
    }

    /// What a customer's file kept here is remembered by, among the ids seen.
    pub(super) fn file_key(message_id: &str) -> String {
        format!("file:{message_id}")
    }

    /// Whether a customer's message (or reaction) with this id was received already.
    pub fn has_seen(&self, message_id: &str) -> bool {
        self.seen.contains(message_id)
    }

    /// The chat's id; a chat never started is not found.
    pub(super) fn id(&self) -> Result<ChatId, ChatRejection> {
        self.chat_id.ok_or(ChatRejection::NotFound)
    }

    /// Refuses a command from another company as if the chat did not exist.
    pub(super) fn check_company(&self, company: CompanyId) -> Result<(), ChatRejection> {
        match self.company_id {
            Some(owner) if owner == company => Ok(()),
            _ => Err(ChatRejection::NotFound),
        }
    }
}

/// What an event leaves of the chat.
pub(super) fn evolve(mut state: ChatState, event: &ChatEvent) -> ChatState {
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
        ChatEvent::CustomerMessageReceived { message_id, at, .. } => {
            state.seen.insert(message_id.clone());
            state.last_customer_at = Some(*at);
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
        ChatEvent::AgentReplied { message_id, agent, text, template, location, media, .. } => {
            state.written.insert(
                *message_id,
                Written {
                    author: *agent,
                    note: false,
                    editable: template.is_none() && location.is_none(),
                    has_media: media.is_some(),
                    text: text.clone(),
                    deleted: false,
                },
            );
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
        ChatEvent::WebQueryRequested { query_id, answer, error, answers, after, after_choices, resolve, .. } => {
            state.menu_place = Some(MenuPlace::Waiting);
            state.pending_query = Some(PendingQuery {
                query_id: *query_id,
                answer: answer.clone(),
                error: error.clone(),
                answers: answers.clone(),
                after: after.clone(),
                after_choices: after_choices.clone(),
                resolve: *resolve,
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
        ChatEvent::FileKept { message_id, .. } => {
            state.seen.insert(ChatState::file_key(message_id));
        }
        ChatEvent::NoteWritten {
            note_id, by: Resolver::Agent(author) | Resolver::Supervisor(author), text, ..
        } => {
            let note = Written {
                author: *author,
                note: true,
                editable: true,
                has_media: false,
                text: text.clone(),
                deleted: false,
            };
            state.written.insert(*note_id, note);
        }
        ChatEvent::MessageEdited { message_id, text, .. } => {
            if let Some(written) = state.written.get_mut(message_id) {
                written.text = text.clone();
            }
        }
        ChatEvent::MessageDeleted { message_id, .. } => {
            if let Some(written) = state.written.get_mut(message_id) {
                written.deleted = true;
            }
        }
        ChatEvent::FileFetchFailed { .. } | ChatEvent::AgentReacted { .. } | ChatEvent::NoteWritten { .. } => {}
        ChatEvent::Renamed { name, .. } => state.name = name.clone(),
        ChatEvent::Tagged { tag, .. } => state.tags.push(tag.clone()),
        ChatEvent::Untagged { tag, .. } => state.tags.retain(|t| t != tag),
        ChatEvent::CustomerReacted { reaction_id, .. } => {
            state.seen.insert(reaction_id.clone());
        }
        ChatEvent::StatusReported { provider_message_id, status, .. } => {
            state.seen.insert(ChatState::status_key(provider_message_id, *status));
        }
        ChatEvent::WaitingPositionTold { .. }
        | ChatEvent::Transferred { .. }
        | ChatEvent::Delivered { .. }
        | ChatEvent::DeliveryFailed { .. } => {}
    }
    state
}
