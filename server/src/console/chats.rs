//! Chats and conversations as the pages show them: names instead of ids.

use crate::caller::Caller;
use crate::error::AppError;
use crate::services::agents::who_works_chats;
use crate::services::chats::{
    list_chats, narrow_chats, read_window, resolve, resolve_many, templates_for_chat, waiting_for_me, ChatSearch,
    TemplateChoice, Window,
};
use crate::state::AppState;
use app::contract::{
    ChatView, ConversationEvent, ConversationMessage, ConversationView, FileLink, Place, QuickReplyView, TemplateOffer,
    TransferTargets,
};
use domain::chat::ChatEvent;

use domain::user::Role;
use projections::chat_board::{ChatBoard, ChatRow};
use projections::lines::Lines;
use projections::people::People;
use projections::queue_list::QueueList;
use projections::templates::TemplateRow;

/// The agent's chats and those waiting in their queues; those whose name, number or messages hold
/// `words` when there are some (W7).
/// The chat a page names, or the refusal of an id that names none.
fn chat_of(chat_id: &str) -> Result<domain::ids::ChatId, AppError> {
    chat_id.parse().map_err(|_| AppError::Invalid("no such chat".into()))
}

pub async fn my_chats(state: &AppState, caller: Caller, words: String) -> Result<Vec<ChatView>, AppError> {
    caller.require(&[Role::Agent])?;
    let mut rows = list_chats(state, &caller).await?;
    rows.extend(waiting_for_me(state, &caller).await?);
    let search = ChatSearch { q: Some(words), ..ChatSearch::default() };
    let rows = narrow_chats(state, &caller, rows, &search).await?;
    chat_views(state, &caller, rows).await
}

/// How many of a chat's latest messages a conversation shows at first, and at most.
pub const MESSAGES_PER_PAGE: usize = 50;
const MESSAGES_AT_MOST: usize = 10_000;

/// A chat read-only, for supervisors and auditors: as it stood at `at` (read in `time_zone`), or
/// as it is when `at` is blank.
pub async fn chat_as_it_stood(
    state: &AppState,
    caller: Caller,
    time_zone: Option<String>,
    chat_id: String,
    at: String,
) -> Result<ConversationView, AppError> {
    caller.require(&[Role::Supervisor, Role::Auditor])?;
    let (state, at) = crate::console::history::as_it_stood(state, &caller, time_zone.as_deref(), &at).await?;
    let view = conversation(state.as_ref(), caller, chat_id, 0, None).await?;
    Ok(ConversationView { yours: false, at: at.map(|at| at.to_rfc3339()), ..view })
}

/// The chat as its conversation page shows it: its messages from `from` on when it has that
/// message, else its latest `shown` (a page's worth when 0); what happened meanwhile, its files and
/// what its agent may send.
pub async fn conversation(
    state: &AppState,
    caller: Caller,
    chat_id: String,
    shown: usize,
    from: Option<String>,
) -> Result<ConversationView, AppError> {
    let chat = chat_of(&chat_id)?;
    let shown = if shown == 0 { MESSAGES_PER_PAGE } else { shown.min(MESSAGES_AT_MOST) };
    let window = match from.filter(|from| !from.is_empty()) {
        Some(from) => Window::From(from, shown),
        None => Window::Latest(shown),
    };
    let (read, earlier) = read_window(state, &caller, chat, window).await?;
    let since = if earlier { read.messages.first().map(|m| m.at.clone()) } else { None };
    let people = who_works_chats(state, &read.chat.company_id).await?;
    let author = |id: &str| match id {
        "customer" => read.chat.contact_name.clone(),
        "bot" => "Bot".to_string(),
        agent => people.iter().find(|p| p.user_id == agent).map_or_else(|| agent.to_string(), |p| p.name.clone()),
    };
    let mut people_in_order: Vec<&str> = Vec::new();
    for message in &read.messages {
        let author = message.author.as_str();
        if !matches!(author, "customer" | "bot" | "system") && !people_in_order.contains(&author) {
            people_in_order.push(author);
        }
    }
    let participant = |id: &str| match id {
        "customer" | "bot" | "system" => id.to_string(),
        person => format!("agent-{}", people_in_order.iter().position(|p| *p == person).unwrap_or_default() % 6),
    };
    let messages = read
        .messages
        .iter()
        .map(|message| ConversationMessage {
            id: message.message_id.clone(),
            participant: participant(&message.author),
            at: message.at.clone(),
            direction: message.direction.clone(),
            author: author(&message.author),
            text: message.text.clone(),
            media: message.media.clone(),
            kind: message.kind.as_str().to_string(),
            place: message.location.as_ref().map(|place| Place {
                link: place.map_link(),
                label: match (&place.name, &place.address) {
                    (Some(name), Some(address)) => format!("{name}, {address}"),
                    (Some(name), None) => name.clone(),
                    (None, Some(address)) => address.clone(),
                    (None, None) => format!("{}, {}", place.latitude, place.longitude),
                },
            }),
            cards: message.cards.iter().map(|card| format!("{}: {}", card.name, card.phones.join(", "))).collect(),
            quote: message.quoted.as_ref().map(|quoted| quoted.text.clone()),
            reaction: message.reaction.clone(),
            status: message.status.map(|status| status.as_str().to_string()),
            problem: message
                .delivery_reason
                .clone()
                .or_else(|| message.file_problem.as_ref().map(|problem| problem.reason.clone())),
            quotable: message.provider_id.is_some(),
            earlier: message.earlier.iter().map(|words| (words.text.clone(), words.until.clone())).collect(),
            deleted: message.deleted_at.is_some(),
            yours: message.author == caller.user_id.to_string()
                && message.direction != "in"
                && message.deleted_at.is_none()
                && is_uuid(&message.message_id),
            editable: !matches!(
                message.kind,
                domain::message::MessageKind::Location | domain::message::MessageKind::Template
            ),
        })
        .collect();
    let with_files = ChatBoard.messages_with_files(&state.store, &read.chat.chat_id).await?;
    let files = with_files
        .iter()
        .filter_map(|message| {
            let link = message.media.clone().filter(|media| domain::media::is_showable(media))?;
            let named = message.file.as_ref().and_then(|file| file.filename.clone());
            let label = named.unwrap_or_else(|| format!("{} · {}", message.kind.as_str(), author(&message.author)));
            Some(FileLink { link, label })
        })
        .collect();
    // Only the chat's agent sends; supervisors and auditors are offered nothing.
    let sendable =
        if caller.role == Role::Agent { templates_for_chat(state, &caller, chat).await? } else { Vec::new() };
    let templates = sendable.into_iter().map(template_offer).collect();
    let queues = QueueList::new().queues_of(&state.store, caller.company_id).await?;
    let queue_name = |queue: domain::ids::QueueId| {
        let id = queue.to_string();
        queues.iter().find(|q| q.queue_id == id).map(|q| q.name.clone()).or_else(|| {
            // An agent's own queue is named after them.
            people.iter().find(|p| p.user_id == id).map(|p| p.name.clone())
        })
    };
    let by = |resolver: domain::chat::Resolver| match resolver {
        domain::chat::Resolver::Agent(id) | domain::chat::Resolver::Supervisor(id) => author(&id.to_string()),
        domain::chat::Resolver::Bot => "Bot".to_string(),
        domain::chat::Resolver::System => "System".to_string(),
    };
    let events = crate::services::chats::chat_happenings(state, &caller, chat, since.as_deref())
        .await?
        .into_iter()
        .filter_map(|(at, event)| {
            let (kind, who, what) = match event {
                ChatEvent::Queued { queue, .. } => ("queued", None, queue_name(queue)),
                ChatEvent::Assigned { agent, .. } => ("assigned", Some(author(&agent.to_string())), None),
                ChatEvent::Transferred { by: from, to, .. } => {
                    let target = match to {
                        domain::chat::TransferTarget::Agent(agent) => Some(author(&agent.to_string())),
                        domain::chat::TransferTarget::Queue(queue) => queue_name(queue),
                    };
                    ("transferred", Some(by(from)), target)
                }
                ChatEvent::Renamed { by: who, name, .. } => ("renamed", Some(by(who)), name),
                ChatEvent::Tagged { by: who, tag, .. } => ("tagged", Some(by(who)), Some(tag)),
                ChatEvent::Untagged { by: who, tag, .. } => ("untagged", Some(by(who)), Some(tag)),
                ChatEvent::Resolved { by: who, .. } => ("resolved", Some(by(who)), None),
                _ => return None,
            };
            Some(ConversationEvent { kind: kind.to_string(), who, what, at: at.to_rfc3339() })
        })
        .collect();
    Ok(ConversationView {
        events,
        id: read.chat.chat_id.clone(),
        contact: read.chat.contact_name.clone(),
        name: read.chat.name.clone(),
        tags: read.chat.tags.clone(),
        state: read.chat.state.clone(),
        messages,
        files,
        templates,
        earlier,
        changes_reach_customer: read.chat.channel == domain::contact::Channel::Web.as_str(),
        agent: read.chat.agent_id.as_deref().map(author),
        yours: read.chat.agent_id.as_deref() == Some(caller.user_id.to_string().as_str()),
        at: None,
    })
}

/// An approved template as the workspace offers it, with how many values it asks for.
pub fn template_offer(template: TemplateRow) -> TemplateOffer {
    TemplateOffer {
        variables: domain::template::variable_count(&template.body),
        id: template.template_id,
        name: template.name,
        language: template.language,
        body: template.body,
    }
}

/// A reply's or a note's id: a customer's message is named by its channel's id instead.
fn is_uuid(id: &str) -> bool {
    id.parse::<uuid::Uuid>().is_ok()
}

pub async fn quick_replies(
    state: &AppState,
    caller: Caller,
    words: String,
    category: String,
) -> Result<Vec<QuickReplyView>, AppError> {
    let found = crate::services::quick_replies::find_quick_replies(state, &caller, &words, Some(&category)).await?;
    Ok(found
        .into_iter()
        .map(|row| QuickReplyView {
            id: row.quick_reply_id,
            shortcut: row.shortcut,
            title: row.title,
            text: row.text,
            category: row.category,
        })
        .collect())
}

/// The active colleagues (not the caller) and the queues of the company.
pub async fn transfer_targets(state: &AppState, caller: Caller) -> Result<TransferTargets, AppError> {
    let company = caller.company_id.to_string();
    let me = caller.user_id.to_string();
    let agents = People.users_of(&state.store, &company, Role::Agent.as_str()).await?;
    let queues = QueueList::new().queues_of(&state.store, caller.company_id).await?;
    Ok(TransferTargets {
        agents: agents.into_iter().filter(|a| a.active && a.user_id != me).map(|a| (a.user_id, a.name)).collect(),
        queues: queues.into_iter().map(|q| (q.queue_id, q.name)).collect(),
    })
}

pub async fn take_over(state: &AppState, caller: Caller, chat_id: String) -> Result<(), AppError> {
    crate::services::chats::take_over(state, &caller, chat_of(&chat_id)?).await
}

pub async fn transfer_chat(
    state: &AppState,
    caller: Caller,
    chat_id: String,
    to: String,
    note: String,
) -> Result<(), AppError> {
    let chat = chat_of(&chat_id)?;
    let target = match to.split_once(':') {
        Some(("agent", id)) => id.parse().ok().map(domain::chat::TransferTarget::Agent),
        Some(("queue", id)) => id.parse().ok().map(domain::chat::TransferTarget::Queue),
        _ => None,
    };
    let target = target.ok_or_else(|| AppError::Invalid("to: choose a colleague or a queue".into()))?;
    let note = Some(note).filter(|n| !n.trim().is_empty());
    crate::services::chats::transfer(state, &caller, chat, target, note).await
}

pub async fn rename_chat(state: &AppState, caller: Caller, chat_id: String, name: String) -> Result<(), AppError> {
    let chat = chat_of(&chat_id)?;
    let name = crate::services::chats::ChatName { name: Some(name) };
    crate::services::chats::rename_chat(state, &caller, chat, name).await
}

pub async fn tag_chat(
    state: &AppState,
    caller: Caller,
    chat_id: String,
    tag: String,
    on: bool,
) -> Result<(), AppError> {
    let chat = chat_of(&chat_id)?;
    crate::services::chats::tag_chat(state, &caller, chat, &tag, on).await
}

pub async fn write_note(state: &AppState, caller: Caller, chat_id: String, text: String) -> Result<(), AppError> {
    let chat = chat_of(&chat_id)?;
    crate::services::chats::write_note(state, &caller, chat, crate::services::chats::NewNote { text }).await?;
    Ok(())
}

/// A place sent to the customer (C6); the coordinates come as the agent wrote them.
pub async fn share_place(
    state: &AppState,
    caller: Caller,
    chat_id: String,
    latitude: &str,
    longitude: &str,
    name: String,
) -> Result<(), AppError> {
    let chat = chat_of(&chat_id)?;
    let number = |what: &str, written: &str| {
        written
            .trim()
            .replace(',', ".")
            .parse::<f64>()
            .map_err(|_| AppError::Invalid(format!("{what}: a number, such as -34.6037")))
    };
    let location = domain::message::Location {
        latitude: number("latitude", latitude)?,
        longitude: number("longitude", longitude)?,
        name: Some(name.trim().to_string()).filter(|name| !name.is_empty()),
        address: None,
    };
    let answer = crate::services::chats::Answer { location: Some(location), ..Default::default() };
    crate::services::chats::reply(state, &caller, chat, answer).await?;
    Ok(())
}

pub async fn edit_message(
    state: &AppState,
    caller: Caller,
    chat_id: String,
    message_id: String,
    text: String,
) -> Result<(), AppError> {
    let chat = chat_of(&chat_id)?;
    let message = message_of(&message_id)?;
    crate::services::chats::edit_message(state, &caller, chat, message, crate::services::chats::NewWords { text }).await
}

pub async fn delete_message(
    state: &AppState,
    caller: Caller,
    chat_id: String,
    message_id: String,
) -> Result<(), AppError> {
    let chat = chat_of(&chat_id)?;
    crate::services::chats::delete_message(state, &caller, chat, message_of(&message_id)?).await
}

fn message_of(message_id: &str) -> Result<uuid::Uuid, AppError> {
    message_id.parse().map_err(|_| AppError::NotFound("no such message in the chat".into()))
}

pub async fn send_template(
    state: &AppState,
    caller: Caller,
    chat_id: String,
    template_id: String,
    values: Vec<String>,
) -> Result<(), AppError> {
    let chat = chat_of(&chat_id)?;
    let template_id = template_id.parse().map_err(|_| AppError::Invalid("no such template".into()))?;
    let template = Some(TemplateChoice { template_id, values });
    let answer = crate::services::chats::Answer { template, ..Default::default() };
    crate::services::chats::reply(state, &caller, chat, answer).await?;
    Ok(())
}

pub async fn reply(
    state: &AppState,
    caller: Caller,
    chat_id: String,
    text: String,
    quote: Option<String>,
    media: Option<String>,
) -> Result<(), AppError> {
    let chat = chat_of(&chat_id)?;
    let answer = crate::services::chats::Answer { text, quote, media, ..Default::default() };
    crate::services::chats::reply(state, &caller, chat, answer).await?;
    Ok(())
}

/// Resolves each chat on its own (G16); the refusals, if any, name the chats they refused.
pub async fn resolve_chats(state: &AppState, caller: Caller, chat_ids: Vec<String>) -> Result<(), AppError> {
    let chats = chat_ids.iter().map(|id| chat_of(id)).collect::<Result<Vec<_>, _>>()?;
    // One chat: its own refusal, with its own status.
    if let [one] = chats.as_slice() {
        return resolve(state, &caller, *one).await;
    }
    let outcome = resolve_many(state, &caller, &chats).await?;
    if outcome.refused.is_empty() {
        return Ok(());
    }
    let reasons: Vec<String> = outcome.refused.iter().map(|r| format!("{}: {}", r.chat_id, r.reason)).collect();
    Err(AppError::Conflict(reasons.join("; ")))
}

/// Chats as the pages show them: names of contacts, agents and queues (or lines) instead of ids.
pub async fn chat_views(state: &AppState, caller: &Caller, rows: Vec<ChatRow>) -> Result<Vec<ChatView>, AppError> {
    let company = caller.company_id.to_string();
    // A supervisor who took a chat over is its agent.
    let agents = who_works_chats(state, &company).await?;
    let queues = QueueList::new().queues_of(&state.store, caller.company_id).await?;
    let lines = Lines.lines_of(&state.store, &company).await?;
    let queue_name = |id: &str| {
        queues
            .iter()
            .find(|q| q.queue_id == id)
            .map(|q| q.name.clone())
            .or_else(|| lines.iter().find(|l| l.line_id == id).map(|l| l.name.clone()))
            .or_else(|| agents.iter().find(|a| a.user_id == id).map(|a| a.name.clone()))
    };
    Ok(rows
        .into_iter()
        .map(|row| ChatView {
            agent: row
                .agent_id
                .as_deref()
                .and_then(|id| agents.iter().find(|a| a.user_id == id))
                .map(|a| a.name.clone()),
            queue: row.queue_id.as_deref().and_then(queue_name),
            line: lines.iter().find(|l| l.line_id == row.line_id).map(|l| l.name.clone()).unwrap_or_default(),
            line_id: row.line_id,
            unanswered: u32::try_from(row.unanswered).unwrap_or(u32::MAX),
            last_at: row.last_at,
            contact: if row.contact_name.is_empty() { row.contact_id } else { row.contact_name },
            name: row.name,
            tags: row.tags,
            id: row.chat_id,
            state: row.state,
            last_text: row.last_text,
        })
        .collect())
}
