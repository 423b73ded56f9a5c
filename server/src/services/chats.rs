//! Chats as people act on them: lists scoped by role, one chat's history, agents' replies, and
//! transfers (R5), and resolving one chat or many at once (G16).

use crate::caller::Caller;
use crate::state::execute;

use crate::error::AppError;

use crate::services::contacts::directory::consent_on_record;
use crate::services::media::{self, KeptFile};
use crate::state::AppState;
use domain::chat::{chat_of, chat_stream, Chat, ChatCommand, ChatEvent, Resolver, TransferTarget};
use domain::contact::{Account, Channel};
use domain::ids::{ChatId, ConversationId, LineId, UserId};
use domain::line::ChannelLink;
use domain::template::ApprovedTemplate;
use domain::user::Role;
use projections::chat_board::{state as chat_state, ChatBoard, ChatRow, MessageRow};
use projections::lines::{LineRow, Lines};
use projections::people::People;
use projections::queue_list::QueueList;
use projections::templates::{TemplateRow, Templates};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use uuid::Uuid;

/// At most this many chats are resolved by one request.
pub const BULK_MAX: usize = 500;

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ChatWithMessages {
    pub chat: ChatRow,
    pub messages: Vec<MessageRow>,
}

/// Supervisors and auditors see every open chat of their company; an agent sees the chats
/// assigned to them.
pub async fn list_chats(state: &AppState, caller: &Caller) -> Result<Vec<ChatRow>, AppError> {
    let company = caller.company_id.to_string();
    Ok(match caller.role {
        Role::Agent => ChatBoard.chats_of_agent(&state.store, &company, &caller.user_id.to_string()).await?,
        Role::Supervisor | Role::Auditor => ChatBoard.open_chats_of(&state.store, &company).await?,
    })
}

/// What narrows a list of chats.
#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct ChatSearch {
    /// Only chats with this tag (any case) (W11).
    pub tag: Option<String>,
    /// Only chats on this line.
    pub line: Option<String>,
    /// Only chats whose name, contact's name or number, or any message holds these words (W7);
    /// a number is found whatever spaces, dashes or `+` it is written with.
    pub q: Option<String>,
}

/// [`list_chats`], narrowed by `search`.
pub async fn find_chats(state: &AppState, caller: &Caller, search: &ChatSearch) -> Result<Vec<ChatRow>, AppError> {
    let chats = list_chats(state, caller).await?;
    narrow_chats(state, caller, chats, search).await
}

/// The chats waiting for an agent in the caller's queues (an agent's; nobody else has queues).
pub async fn waiting_for_me(state: &AppState, caller: &Caller) -> Result<Vec<ChatRow>, AppError> {
    let me = caller.user_id.to_string();
    let queues: Vec<String> = QueueList::new()
        .queues_of(&state.store, caller.company_id)
        .await?
        .into_iter()
        .filter(|queue| queue.members.contains(&me))
        .map(|queue| queue.queue_id)
        .collect();
    Ok(ChatBoard.waiting_in(&state.store, &caller.company_id.to_string(), &queues).await?)
}

/// Those of `chats` that `search` keeps.
pub async fn narrow_chats(
    state: &AppState,
    caller: &Caller,
    mut chats: Vec<ChatRow>,
    search: &ChatSearch,
) -> Result<Vec<ChatRow>, AppError> {
    if let Some(line) = search.line.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
        chats.retain(|chat| chat.line_id == line);
    }
    if let Some(tag) = search.tag.as_deref().map(|t| t.trim().to_lowercase()).filter(|t| !t.is_empty()) {
        chats.retain(|chat| chat.tags.iter().any(|t| t.to_lowercase() == tag));
    }
    let Some(words) = search.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) else {
        return Ok(chats);
    };
    let lower = words.to_lowercase();
    let digits: String = words.chars().filter(char::is_ascii_digit).collect();
    let a_number = digits.len() >= 3 && words.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c));
    let said = ChatBoard.chats_with_words(&state.store, &caller.company_id.to_string(), words).await?;
    chats.retain(|chat| {
        let named = [chat.name.as_deref().unwrap_or_default(), &chat.contact_name, &chat.contact_id]
            .iter()
            .any(|field| field.to_lowercase().contains(&lower));
        let numbered =
            a_number && chat.contact_id.chars().filter(char::is_ascii_digit).collect::<String>().contains(&digits);
        named || numbered || said.contains(&chat.chat_id)
    });
    Ok(chats)
}

/// One chat with its whole history, if the caller may read it: supervisors and auditors of its
/// company; an agent while it is assigned to them or waits in one of their queues, not a
/// colleague's nor a resolved one.
pub async fn read_chat(state: &AppState, caller: &Caller, chat_id: ChatId) -> Result<ChatWithMessages, AppError> {
    let chat = readable_chat(state, caller, chat_id).await?;
    let messages = ChatBoard.messages_of_chat(&state.store, &chat.chat_id).await?;
    Ok(ChatWithMessages { chat, messages })
}

/// Which of a chat's messages a page shows: a long history is read a window at a time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Window {
    /// The latest ones.
    Latest(usize),
    /// From this message on (the latest ones when the chat has no such message).
    From(String, usize),
}

/// The same with only the messages of `window`, and whether it has earlier ones.
pub async fn read_window(
    state: &AppState,
    caller: &Caller,
    chat_id: ChatId,
    window: Window,
) -> Result<(ChatWithMessages, bool), AppError> {
    let chat = readable_chat(state, caller, chat_id).await?;
    let read = match &window {
        Window::From(message, _) => ChatBoard.messages_from(&state.store, &chat.chat_id, message).await?,
        Window::Latest(_) => None,
    };
    let (messages, earlier) = match (read, window) {
        (Some(read), _) => read,
        (None, Window::Latest(count) | Window::From(_, count)) => {
            ChatBoard.latest_messages(&state.store, &chat.chat_id, count).await?
        }
    };
    Ok((ChatWithMessages { chat, messages }, earlier))
}

/// The chat, if the caller may read it (see [`read_chat`]).
async fn readable_chat(state: &AppState, caller: &Caller, chat_id: ChatId) -> Result<ChatRow, AppError> {
    let not_found = || AppError::NotFound("no such chat".into());
    let id = chat_id.to_string();
    let chat = match ChatBoard.chat(&state.store, &id).await? {
        Some(chat) => Some(chat),
        // A chat accepted a moment ago (a 202 of the API line) may not be on the board yet: if
        // the log has it, the board catches up with its last event and is asked again.
        None => match state.log.read_stream(&chat_stream(chat_id)).await?.last() {
            Some(last) => {
                state.caught_up(&state.chat_board, Some(last.position)).await?;
                ChatBoard.chat(&state.store, &id).await?
            }
            None => None,
        },
    };
    let chat = chat.filter(|chat| chat.company_id == caller.company_id.to_string()).ok_or_else(not_found)?;
    if caller.role == Role::Agent && !agent_may_read(state, caller, &chat).await? {
        return Err(AppError::Forbidden("this chat is neither yours nor waiting in one of your queues".into()));
    }
    Ok(chat)
}

/// A file sent or received in a chat (C3).
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ChatFile {
    pub message_id: String,
    /// `in` from the customer, `out` to them.
    pub direction: String,
    pub author: String,
    /// Its address: `/media/…` for files kept here, or a web address.
    pub media: String,
    /// `image`, `video`, `audio`, `voice`, `document`, `sticker`; `text` for a file sent by link.
    pub kind: String,
    /// The name the sender gave it, when it had one.
    pub filename: Option<String>,
    pub at: String,
}

/// Every file of a chat, oldest first, for whoever may read the chat.
pub async fn files_of_chat(state: &AppState, caller: &Caller, chat_id: ChatId) -> Result<Vec<ChatFile>, AppError> {
    let chat = readable_chat(state, caller, chat_id).await?;
    Ok(ChatBoard
        .messages_with_files(&state.store, &chat.chat_id)
        .await?
        .into_iter()
        .filter_map(|message| {
            Some(ChatFile {
                media: message.media?,
                message_id: message.message_id,
                direction: message.direction,
                author: message.author,
                kind: message.kind.as_str().to_string(),
                filename: message.file.and_then(|file| file.filename),
                at: message.at,
            })
        })
        .collect())
}

/// What happened to the chat besides its messages, for whoever may read it (W14): who took it,
/// where it waited, who passed it on, named, tagged or resolved it, with when; with `since`
/// (RFC 3339), from then on.
pub async fn chat_happenings(
    state: &AppState,
    caller: &Caller,
    chat_id: ChatId,
    since: Option<&str>,
) -> Result<Vec<(chrono::DateTime<chrono::Utc>, ChatEvent)>, AppError> {
    let chat = readable_chat(state, caller, chat_id).await?;
    let events = ChatBoard.happenings(&state.store, &chat.chat_id, since).await?;
    Ok(events
        .into_iter()
        .filter_map(|event| {
            let at = match &event {
                ChatEvent::Queued { at, .. }
                | ChatEvent::Assigned { at, .. }
                | ChatEvent::Transferred { at, .. }
                | ChatEvent::Renamed { at, .. }
                | ChatEvent::Tagged { at, .. }
                | ChatEvent::Untagged { at, .. }
                | ChatEvent::Resolved { at, .. } => *at,
                _ => return None,
            };
            Some((at, event))
        })
        .collect())
}

async fn agent_may_read(state: &AppState, caller: &Caller, chat: &ChatRow) -> Result<bool, AppError> {
    let me = caller.user_id.to_string();
    if chat.state == chat_state::RESOLVED {
        return Ok(false);
    }
    if chat.agent_id.is_some() {
        return Ok(chat.agent_id.as_deref() == Some(me.as_str()));
    }
    let Some(queue) = chat.queue_id.as_deref().filter(|_| chat.state == chat_state::WAITING) else { return Ok(false) };
    let queues = QueueList::new().queues_of(&state.store, caller.company_id).await?;
    Ok(queues.iter().any(|row| row.queue_id == queue && row.members.contains(&me)))
}

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SentMessage {
    pub message_id: Uuid,
}

/// What an agent answers: words, the id of a message of the chat they quote (C4), a place they
/// share (C6), a file they uploaded to the chat (C1) with the words as its caption, or one of the
/// line's approved templates (G3).
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct Answer {
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub quote: Option<String>,
    #[serde(default)]
    pub location: Option<domain::message::Location>,
    /// The address `POST /api/v1/chats/{chat}/files` answered.
    #[serde(default)]
    pub media: Option<String>,
    #[serde(default)]
    pub template: Option<TemplateChoice>,
}

/// An approved template and the values of its variables, in order.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
pub struct TemplateChoice {
    pub template_id: Uuid,
    #[serde(default)]
    pub values: Vec<String>,
}

/// The chat's agent reacts to one of its messages (`message`: its id in the chat), or takes the
/// reaction back (`emoji` none).
pub async fn react(
    state: &AppState,
    caller: &Caller,
    chat_id: ChatId,
    message: &str,
    emoji: Option<String>,
) -> Result<SentMessage, AppError> {
    caller.require(&[Role::Agent])?;
    let to = provider_id_of(state, chat_id, message).await?;
    let reaction_id = Uuid::now_v7();
    let command = ChatCommand::ReactAsAgent {
        company_id: caller.company_id,
        agent: caller.user_id,
        reaction_id,
        to,
        emoji: emoji.filter(|e| !e.trim().is_empty()),
        at: state.clock.now(),
    };
    execute::<Chat>(state, &caller.context(state.clock.now()), &chat_stream(chat_id), &command, &state.chat_board)
        .await?;
    Ok(SentMessage { message_id: reaction_id })
}

/// The channel's id of the chat's message `message`.
async fn provider_id_of(state: &AppState, chat_id: ChatId, message: &str) -> Result<String, AppError> {
    let messages = ChatBoard.messages_of_chat(&state.store, &chat_id.to_string()).await?;
    messages
        .into_iter()
        .find(|m| m.message_id == message)
        .and_then(|m| m.provider_id)
        .ok_or_else(|| AppError::Invalid("no message of this chat that its channel knows by that id".into()))
}

/// The chat's agent answers (a supervisor who took it over is its agent). On a WhatsApp Cloud line, free text goes out only within 24 hours of
/// the customer's last message (G3).
pub async fn reply(
    state: &AppState,
    caller: &Caller,
    chat_id: ChatId,
    answer: Answer,
) -> Result<SentMessage, AppError> {
    let Answer { text, quote, location, media, template } = answer;
    let quote = quote.as_deref().map(str::trim).filter(|quote| !quote.is_empty());
    caller.require(&[Role::Agent, Role::Supervisor])?;
    let message_id = Uuid::now_v7();
    let row = ChatBoard.chat(&state.store, &chat_id.to_string()).await?;
    if let Some(row) = &row {
        let channel = Channel::parse(&row.channel).map_err(|_| AppError::Internal("a stored channel".into()))?;
        let account = Account { channel, id: row.contact_id.clone() };
        crate::services::blacklist::refuse_if_listed(state, caller.company_id, &account).await?;
    }
    let line = match &row {
        Some(row) => state.directory.line(&state.store, &row.line_id).await?,
        None => None,
    };
    let window = line.as_ref().and_then(|line| line.credentials.as_ref()).and_then(|link| link.free_text_window());
    let media = match media.as_deref().map(str::trim).filter(|media| !media.is_empty()) {
        None => None,
        Some(media) => Some(company_file(state, caller, media).await?),
    };
    let template = match (template, &line) {
        (None, _) => None,
        (Some(choice), Some(line)) => Some(approved_template(state, caller, line, choice).await?),
        (Some(_), None) => return Err(AppError::NotFound("no such chat".into())),
    };
    let quoted = match quote {
        None => None,
        Some(quote) => {
            Some(provider_id_of(state, chat_id, quote).await.map_err(|e| AppError::Invalid(format!("quote: {e}")))?)
        }
    };
    let command = ChatCommand::Reply {
        company_id: caller.company_id,
        agent: caller.user_id,
        message_id,
        text,
        quoted,
        location,
        media,
        template,
        window,
        at: state.clock.now(),
    };
    execute::<Chat>(state, &caller.context(state.clock.now()), &chat_stream(chat_id), &command, &state.chat_board)
        .await?;
    Ok(SentMessage { message_id })
}

/// `media` when it is one of the company's files kept here.
async fn company_file(state: &AppState, caller: &Caller, media: &str) -> Result<String, AppError> {
    let file = media.strip_prefix("/media/").filter(|file| !file.contains('/'));
    match file {
        Some(file) if media::find(&state.store, &caller.company_id.to_string(), file).await?.is_some() => {
            Ok(media.to_string())
        }
        _ => Err(AppError::Invalid("media: send a file uploaded with POST /api/v1/chats/{chat}/files".into())),
    }
}

/// The templates the chat's line may send: the company's approved ones, shared or bound to it
/// (W13), on a line linked to WhatsApp; none elsewhere. Meta approves a template for one business
/// account: a shared one goes only to lines on the account it was submitted through.
/// The approved templates an agent may send on `line`: its own and those shared by the company.
pub async fn sendable_on(state: &AppState, caller: &Caller, line: &LineRow) -> Result<Vec<TemplateRow>, AppError> {
    let company = caller.company_id.to_string();
    let account_of = |link: Option<&ChannelLink>| {
        link.map(|ChannelLink::WhatsappCloud { business_account_id, .. }| business_account_id.clone())
    };
    let Some(account) = account_of(line.credentials.as_ref()) else {
        return Ok(Vec::new());
    };
    let accounts: HashMap<String, Option<String>> = Lines
        .lines_of(&state.store, &company)
        .await?
        .into_iter()
        .map(|row| (row.line_id.clone(), account_of(row.credentials.as_ref())))
        .collect();
    let templates = Templates.templates_of(&state.store, &company).await?;
    let on_this_account = |t: &TemplateRow| accounts.get(&t.line_id).is_some_and(|a| a.as_ref() == Some(&account));
    Ok(templates
        .into_iter()
        .filter(|t| t.status == "APPROVED" && (t.line_id == line.line_id || (t.shared && on_this_account(t))))
        .collect())
}

async fn approved_template(
    state: &AppState,
    caller: &Caller,
    line: &LineRow,
    choice: TemplateChoice,
) -> Result<ApprovedTemplate, AppError> {
    let wanted = choice.template_id.to_string();
    let template = sendable_on(state, caller, line)
        .await?
        .into_iter()
        .find(|t| t.template_id == wanted)
        .ok_or_else(|| AppError::Invalid("template: none of the line's approved templates has that id".into()))?;
    Ok(ApprovedTemplate {
        name: template.name,
        language: template.language,
        body: template.body,
        values: choice.values,
    })
}

/// The approved templates an agent may send in the chat (G3): offered when its channel takes no
/// more free text.
pub async fn templates_for_chat(
    state: &AppState,
    caller: &Caller,
    chat_id: ChatId,
) -> Result<Vec<TemplateRow>, AppError> {
    let chat = readable_chat(state, caller, chat_id).await?;
    let Some(line) = state.directory.line(&state.store, &chat.line_id).await? else {
        return Ok(Vec::new());
    };
    sendable_on(state, caller, &line).await
}

/// Whom an agent writes first (G3): a customer's number on one of the company's WhatsApp lines,
/// with an approved template.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
pub struct NewConversation {
    pub line_id: LineId,
    /// The customer's number, international (`+54 9 11 5555 0000`).
    pub to: String,
    /// The customer's name, if the agent knows it.
    #[serde(default)]
    pub name: Option<String>,
    pub template: TemplateChoice,
}

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StartedConversation {
    pub chat_id: ChatId,
    pub message_id: Uuid,
}

/// The agent writes first: the customer's chat on the line opens a conversation that is theirs,
/// with the template as its first message.
pub async fn start_conversation(
    state: &AppState,
    caller: &Caller,
    start: NewConversation,
) -> Result<StartedConversation, AppError> {
    caller.require(&[Role::Agent])?;
    let line = state
        .directory
        .line(&state.store, &start.line_id.to_string())
        .await?
        .filter(|line| line.company_id == caller.company_id.to_string())
        .ok_or_else(|| AppError::NotFound("no such line".into()))?;
    if line.credentials.is_none() {
        return Err(AppError::Invalid("line_id: conversations are started on lines linked to WhatsApp".into()));
    }
    let account =
        Account::parse(Channel::Whatsapp, &start.to, None).map_err(|e| AppError::Invalid(format!("to: {e}")))?;
    crate::services::blacklist::refuse_if_listed(state, caller.company_id, &account).await?;
    // K2, K4: a customer who withdrew their consent is not written to first.
    if consent_on_record(state, caller.company_id, &account).await? == Some(false) {
        return Err(AppError::Conflict("to: the customer withdrew their consent to be written to".into()));
    }
    let template = approved_template(state, caller, &line, start.template).await?;
    let chat_id = chat_of(start.line_id, &account.id);
    let message_id = Uuid::now_v7();
    let now = state.clock.now();
    let command = ChatCommand::StartConversation {
        company_id: caller.company_id,
        line_id: start.line_id,
        channel: account.channel,
        contact_id: account.id,
        contact_name: start.name,
        agent: caller.user_id,
        conversation_id: ConversationId::from_uuid(Uuid::now_v7()),
        message_id,
        template,
        at: now,
    };
    execute::<Chat>(state, &caller.context(now), &chat_stream(chat_id), &command, &state.chat_board).await?;
    Ok(StartedConversation { chat_id, message_id })
}

/// Keeps a file an agent or supervisor will send in one of the company's chats (C1); answers its
/// address.
pub async fn keep_file(
    state: &AppState,
    caller: &Caller,
    chat_id: ChatId,
    content_type: &str,
    content: &[u8],
) -> Result<KeptFile, AppError> {
    caller.require(&[Role::Agent, Role::Supervisor])?;
    readable_chat(state, caller, chat_id).await?;
    let url = media::keep(&state.store, &caller.company_id.to_string(), content_type, content).await?;
    Ok(KeptFile { url })
}

/// Closes a chat's conversation: its agent, or a supervisor.
pub async fn resolve(state: &AppState, caller: &Caller, chat_id: ChatId) -> Result<(), AppError> {
    let by = acting(caller, "resolve chats")?;
    let command = ChatCommand::Resolve { company_id: caller.company_id, by, at: state.clock.now() };
    execute::<Chat>(state, &caller.context(state.clock.now()), &chat_stream(chat_id), &command, &state.chat_board).await
}

/// Who acts on a chat: its agent or a supervisor; auditors only read.
fn acting(caller: &Caller, what: &str) -> Result<Resolver, AppError> {
    match caller.role {
        Role::Agent => Ok(Resolver::Agent(caller.user_id)),
        Role::Supervisor => Ok(Resolver::Supervisor(caller.user_id)),
        Role::Auditor => Err(AppError::Forbidden(format!("auditors read; they do not {what}"))),
    }
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
pub struct NewNote {
    pub text: String,
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
pub struct ChatName {
    /// None, or blank: the contact's name again.
    pub name: Option<String>,
}

/// The chat's name for the company (W6): its agent's or a supervisor's to give.
pub async fn rename_chat(state: &AppState, caller: &Caller, chat_id: ChatId, name: ChatName) -> Result<(), AppError> {
    let by = acting(caller, "rename chats")?;
    let now = state.clock.now();
    let command = ChatCommand::Rename { company_id: caller.company_id, by, name: name.name, at: now };
    execute::<Chat>(state, &caller.context(now), &chat_stream(chat_id), &command, &state.chat_board).await
}

/// Puts a tag on the chat (W11), or takes it off (`on` false): its agent's or a supervisor's.
pub async fn tag_chat(state: &AppState, caller: &Caller, chat_id: ChatId, tag: &str, on: bool) -> Result<(), AppError> {
    let by = acting(caller, "tag chats")?;
    let now = state.clock.now();
    let command = ChatCommand::Tag { company_id: caller.company_id, by, tag: tag.to_string(), on, at: now };
    execute::<Chat>(state, &caller.context(now), &chat_stream(chat_id), &command, &state.chat_board).await
}

/// A private note in the chat (G7): its agent's or a supervisor's, read by colleagues only.
pub async fn write_note(
    state: &AppState,
    caller: &Caller,
    chat_id: ChatId,
    note: NewNote,
) -> Result<SentMessage, AppError> {
    let by = acting(caller, "write notes")?;
    let note_id = Uuid::now_v7();
    let now = state.clock.now();
    let command = ChatCommand::WriteNote { company_id: caller.company_id, by, note_id, text: note.text, at: now };
    execute::<Chat>(state, &caller.context(now), &chat_stream(chat_id), &command, &state.chat_board).await?;
    Ok(SentMessage { message_id: note_id })
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
pub struct NewWords {
    pub text: String,
}

/// The author of a reply or a note changes its words (G18), where the chat's line lets its agents.
/// The customer's channel is told where it can be (the web widget shows the new words); the
/// history keeps the earlier ones.
pub async fn edit_message(
    state: &AppState,
    caller: &Caller,
    chat_id: ChatId,
    message_id: Uuid,
    words: NewWords,
) -> Result<(), AppError> {
    let by = acting(caller, "edit messages")?;
    let allowed = agents_may_edit(state, chat_id).await?;
    let now = state.clock.now();
    let command =
        ChatCommand::EditMessage { company_id: caller.company_id, by, message_id, text: words.text, allowed, at: now };
    execute::<Chat>(state, &caller.context(now), &chat_stream(chat_id), &command, &state.chat_board).await?;
    Ok(())
}

/// The author of a reply or a note takes it back (G18); colleagues still read what it said.
pub async fn delete_message(
    state: &AppState,
    caller: &Caller,
    chat_id: ChatId,
    message_id: Uuid,
) -> Result<(), AppError> {
    let by = acting(caller, "delete messages")?;
    let allowed = agents_may_edit(state, chat_id).await?;
    let now = state.clock.now();
    let command = ChatCommand::DeleteMessage { company_id: caller.company_id, by, message_id, allowed, at: now };
    execute::<Chat>(state, &caller.context(now), &chat_stream(chat_id), &command, &state.chat_board).await?;
    Ok(())
}

/// Whether the chat's line lets its agents edit and delete their messages (a chat not found is
/// refused by the chat itself).
async fn agents_may_edit(state: &AppState, chat_id: ChatId) -> Result<bool, AppError> {
    let Some(chat) = ChatBoard.chat(&state.store, &chat_id.to_string()).await? else { return Ok(true) };
    Ok(state.directory.line(&state.store, &chat.line_id).await?.is_none_or(|line| line.agents_may_edit))
}

/// Moves a chat to a colleague or a queue (R5): its agent, or a supervisor. It waits there until
/// the colleague, or a member of the queue, can take it.
pub async fn transfer(
    state: &AppState,
    caller: &Caller,
    chat_id: ChatId,
    to: TransferTarget,
    note: Option<String>,
) -> Result<(), AppError> {
    let by = acting(caller, "transfer chats")?;
    match to {
        TransferTarget::Agent(agent) => {
            let active = People
                .user(&state.store, &agent.to_string())
                .await?
                .is_some_and(|u| u.company_id == caller.company_id.to_string() && u.role == "agent" && u.active);
            if !active {
                return Err(AppError::Invalid("transfer to an active agent of your company".into()));
            }
        }
        TransferTarget::Queue(queue) => {
            let queues = QueueList::new().queues_of(&state.store, caller.company_id).await?;
            if !queues.iter().any(|q| q.queue_id == queue.to_string()) {
                return Err(AppError::Invalid("transfer to a queue of your company".into()));
            }
        }
    }
    let command = ChatCommand::Transfer { company_id: caller.company_id, by, to, note, at: state.clock.now() };
    execute::<Chat>(state, &caller.context(state.clock.now()), &chat_stream(chat_id), &command, &state.chat_board).await
}

/// A supervisor makes an open chat theirs to answer (G1); its agent no longer has it.
pub async fn take_over(state: &AppState, caller: &Caller, chat_id: ChatId) -> Result<(), AppError> {
    caller.require(&[Role::Supervisor])?;
    let now = state.clock.now();
    let command = ChatCommand::TakeOver { company_id: caller.company_id, supervisor: caller.user_id, at: now };
    execute::<Chat>(state, &caller.context(now), &chat_stream(chat_id), &command, &state.chat_board).await
}

/// A supervisor names the contact's own agent of a chat (R7), or none.
pub async fn set_own_agent(
    state: &AppState,
    caller: &Caller,
    chat_id: ChatId,
    agent: Option<UserId>,
) -> Result<(), AppError> {
    caller.require(&[Role::Supervisor])?;
    if let Some(agent) = agent {
        crate::services::agents::ensure_agent_of_caller(state, caller, agent)
            .await
            .map_err(|_| AppError::Invalid("the own agent must be an agent of your company".into()))?;
    }
    let command = ChatCommand::SetOwnAgent { company_id: caller.company_id, agent, by: caller.user_id };
    execute::<Chat>(state, &caller.context(state.clock.now()), &chat_stream(chat_id), &command, &state.chat_board).await
}

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Refused {
    pub chat_id: ChatId,
    pub reason: String,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BulkOutcome {
    pub resolved: Vec<ChatId>,
    pub refused: Vec<Refused>,
}

/// Resolves many chats: each on its own, so one that can't be resolved stops none of the others.
pub async fn resolve_many(state: &AppState, caller: &Caller, chats: &[ChatId]) -> Result<BulkOutcome, AppError> {
    if chats.is_empty() || chats.len() > BULK_MAX {
        return Err(AppError::Invalid(format!("resolve 1 to {BULK_MAX} chats at once")));
    }
    let mut outcome = BulkOutcome::default();
    for chat_id in chats {
        match resolve(state, caller, *chat_id).await {
            Ok(()) => outcome.resolved.push(*chat_id),
            Err(error @ AppError::Forbidden(_)) if caller.role == Role::Auditor => return Err(error),
            Err(AppError::Internal(cause)) => return Err(AppError::Internal(cause)),
            Err(error) => outcome.refused.push(Refused { chat_id: *chat_id, reason: error.to_string() }),
        }
    }
    Ok(outcome)
}
