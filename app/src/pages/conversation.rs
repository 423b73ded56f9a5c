//! One chat as its agent works it: every message so far, kept live, and the reply box.

use crate::components::{refusal, FormError, Refusal, Toast};
use crate::contract::{ConversationView, TransferTargets};
use crate::dates::LocalTime;
use crate::error::UiError;
use crate::i18n::use_words;
use crate::live::on_live_change;
use crate::pages::chats::{self, state_label};
use crate::pages::own_message::{Changing, DeleteMessageInChat, EditMessageInChat, MessageChanges, OwnMessageActions};
use crate::pages::reply_box::ReplyBox;
use crate::pages::widget::{media_view, FileReader};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// `shown`: how many of the latest messages to show (0: the first page's worth); `from`: the
/// message the page shows first, kept while new ones come.
#[server(prefix = "/api", endpoint = "conversation")]
pub async fn conversation(
    chat_id: String,
    #[server(default)] shown: usize,
    #[server(default)] from: Option<String>,
) -> Result<ConversationView, UiError> {
    crate::ssr::with_status(
        crate::ssr::services()?.conversation(crate::ssr::session_token(), chat_id, shown, from).await,
    )
}

/// A place on the map sent to the customer (C6); `name`: blank for none.
#[server(prefix = "/api", endpoint = "share_place_in_chat")]
pub async fn share_place_in_chat(
    chat_id: String,
    latitude: String,
    longitude: String,
    #[server(default)] name: String,
) -> Result<(), UiError> {
    crate::ssr::with_status(
        crate::ssr::services()?.share_place(crate::ssr::session_token(), chat_id, latitude, longitude, name).await,
    )
}

/// How many more of a chat's earlier messages "Show earlier messages" adds.
pub(crate) const PAGE: usize = 200;

#[server(prefix = "/api", endpoint = "write_note_in_chat")]
pub async fn write_note_in_chat(chat_id: String, text: String) -> Result<(), UiError> {
    crate::ssr::with_status(crate::ssr::services()?.write_note(crate::ssr::session_token(), chat_id, text).await)
}

#[server(prefix = "/api", endpoint = "transfer_choices")]
pub async fn transfer_choices() -> Result<TransferTargets, UiError> {
    crate::ssr::with_status(crate::ssr::services()?.transfer_targets(crate::ssr::session_token()).await)
}

/// `to`: `agent:<id>` or `queue:<id>`; `note`: for whoever takes the chat, blank for none.
#[server(prefix = "/api", endpoint = "transfer_chat")]
pub async fn transfer_chat(chat_id: String, to: String, #[server(default)] note: String) -> Result<(), UiError> {
    crate::ssr::with_status(crate::ssr::services()?.transfer_chat(crate::ssr::session_token(), chat_id, to, note).await)
}

/// `name`: blank gives the chat the contact's name again.
#[server(prefix = "/api", endpoint = "rename_chat")]
pub async fn rename_chat(chat_id: String, name: String) -> Result<(), UiError> {
    crate::ssr::with_status(crate::ssr::services()?.rename_chat(crate::ssr::session_token(), chat_id, name).await)
}

/// `on`: put the tag on; otherwise take it off.
#[server(prefix = "/api", endpoint = "tag_chat")]
pub async fn tag_chat(chat_id: String, tag: String, on: bool) -> Result<(), UiError> {
    crate::ssr::with_status(crate::ssr::services()?.tag_chat(crate::ssr::session_token(), chat_id, tag, on).await)
}

/// `values`: the template's variables' values, in order.
#[server(prefix = "/api", endpoint = "send_template_in_chat")]
pub async fn send_template_in_chat(
    chat_id: String,
    template_id: String,
    #[server(default)] values: Vec<String>,
) -> Result<(), UiError> {
    crate::ssr::with_status(
        crate::ssr::services()?.send_template(crate::ssr::session_token(), chat_id, template_id, values).await,
    )
}

/// `quote`: the id of the message the reply quotes; `media`: a file uploaded to the chat; empty
/// for none.
#[server(prefix = "/api", endpoint = "reply_in_chat")]
pub async fn reply_in_chat(
    chat_id: String,
    #[server(default)] text: String,
    quote: Option<String>,
    #[server(default)] media: Option<String>,
) -> Result<(), UiError> {
    let media = media.filter(|m| !m.is_empty());
    crate::ssr::with_status(
        crate::ssr::services()?.reply(crate::ssr::session_token(), chat_id, text, quote, media).await,
    )
}

pub(crate) struct Words {
    pub(crate) back: &'static str,
    pub(crate) loading: &'static str,
    pub(crate) messages: &'static str,
    pub(crate) picture: &'static str,
    pub(crate) file: &'static str,
    pub(crate) reply: &'static str,
    pub(crate) send: &'static str,
    pub(crate) quote: &'static str,
    pub(crate) quoting: &'static str,
    pub(crate) cancel: &'static str,
    pub(crate) unknown: &'static str,
    pub(crate) unsupported: &'static str,
    pub(crate) place: &'static str,
    pub(crate) reaction: &'static str,
    pub(crate) sent: &'static str,
    pub(crate) delivered: &'static str,
    pub(crate) read: &'static str,
    pub(crate) played: &'static str,
    pub(crate) failed: &'static str,
    pub(crate) files: &'static str,
    pub(crate) templates: &'static str,
    pub(crate) templates_hint: &'static str,
    pub(crate) send_template: &'static str,
    pub(crate) value: &'static str,
    pub(crate) show_events: &'static str,
    happened: Happened,
    pub(crate) transfer: &'static str,
    pub(crate) transfer_to: &'static str,
    pub(crate) colleagues: &'static str,
    pub(crate) queues: &'static str,
    pub(crate) transfer_note: &'static str,
    pub(crate) note: &'static str,
    pub(crate) add_note: &'static str,
    pub(crate) note_author: &'static str,
    pub(crate) earlier: &'static str,
    pub(crate) changed: &'static str,
    pub(crate) deleted: &'static str,
    pub(crate) share_place: &'static str,
    pub(crate) latitude: &'static str,
    pub(crate) longitude: &'static str,
    pub(crate) place_name: &'static str,
    pub(crate) share: &'static str,
}

pub(crate) const ENGLISH: Words = Words {
    back: "← My chats",
    loading: "Loading…",
    messages: "Messages",
    picture: "Picture",
    file: "File",
    reply: "Reply",
    send: "Send",
    quote: "Quote",
    quoting: "Quoting",
    cancel: "Cancel",
    unknown: "A message that is not in this chat",
    unsupported: "Unsupported message",
    place: "Location",
    reaction: "Reaction",
    sent: "Sent",
    delivered: "Delivered",
    read: "Read",
    played: "Played",
    failed: "Not delivered",
    files: "Files in this chat",
    templates: "Templates",
    templates_hint: "24 hours after the customer's last message, WhatsApp takes only an approved template.",
    send_template: "Send template",
    value: "Value",
    show_events: "Show what happened besides the messages",
    happened: Happened {
        queued: "Waiting in {what}",
        waiting: "Waiting for an agent",
        assigned: "Assigned to {who}",
        transferred: "{who} transferred the chat to {what}",
        renamed: "{who} named the chat “{what}”",
        unnamed: "{who} gave the chat back the contact's name",
        tagged: "{who} tagged the chat {what}",
        untagged: "{who} took the tag {what} off",
        resolved: "Resolved by {who}",
    },
    transfer: "Transfer",
    transfer_to: "Transfer to",
    colleagues: "Colleagues",
    queues: "Queues",
    transfer_note: "Note for whoever takes it (optional)",
    note: "Private note (only colleagues read it)",
    add_note: "Add note",
    note_author: "Note",
    earlier: "Show earlier messages",
    changed: "Message changed",
    deleted: "Message deleted",
    share_place: "Share a location",
    latitude: "Latitude",
    longitude: "Longitude",
    place_name: "Name of the place (optional)",
    share: "Share",
};

pub(crate) const SPANISH: Words = Words {
    back: "← Mis chats",
    loading: "Cargando…",
    messages: "Mensajes",
    picture: "Imagen",
    file: "Archivo",
    reply: "Responder",
    send: "Enviar",
    quote: "Citar",
    quoting: "Citando",
    cancel: "Cancelar",
    unknown: "Un mensaje que no está en este chat",
    unsupported: "Mensaje no admitido",
    place: "Ubicación",
    reaction: "Reacción",
    sent: "Enviado",
    delivered: "Entregado",
    read: "Leído",
    played: "Reproducido",
    failed: "No entregado",
    files: "Archivos de este chat",
    templates: "Plantillas",
    templates_hint: "24 horas después del último mensaje del cliente, WhatsApp solo acepta una plantilla aprobada.",
    send_template: "Enviar plantilla",
    value: "Valor",
    show_events: "Mostrar lo que pasó además de los mensajes",
    happened: Happened {
        queued: "En espera en {what}",
        waiting: "En espera de un agente",
        assigned: "Asignado a {who}",
        transferred: "{who} transfirió el chat a {what}",
        renamed: "{who} llamó al chat «{what}»",
        unnamed: "{who} devolvió al chat el nombre del contacto",
        tagged: "{who} etiquetó el chat: {what}",
        untagged: "{who} quitó la etiqueta {what}",
        resolved: "Resuelto por {who}",
    },
    transfer: "Transferir",
    transfer_to: "Transferir a",
    colleagues: "Compañeros",
    queues: "Colas",
    transfer_note: "Nota para quien lo tome (opcional)",
    note: "Nota privada (solo la leen los compañeros)",
    add_note: "Añadir nota",
    note_author: "Nota",
    earlier: "Ver mensajes anteriores",
    changed: "Mensaje cambiado",
    deleted: "Mensaje eliminado",
    share_place: "Compartir una ubicación",
    latitude: "Latitud",
    longitude: "Longitud",
    place_name: "Nombre del lugar (opcional)",
    share: "Compartir",
};

/// A line of the conversation: a message, or something that happened to the chat.
pub(crate) enum Entry {
    Message(Box<crate::contract::ConversationMessage>),
    Event(crate::contract::ConversationEvent),
}

/// Messages and events in the order they happened (a message before an event of the same moment).
pub(crate) fn entries(
    messages: Vec<crate::contract::ConversationMessage>,
    events: Vec<crate::contract::ConversationEvent>,
) -> Vec<Entry> {
    let mut all: Vec<(String, Entry)> =
        messages.into_iter().map(|m| (m.at.clone(), Entry::Message(Box::new(m)))).collect();
    all.extend(events.into_iter().map(|e| (e.at.clone(), Entry::Event(e))));
    all.sort_by(|a, b| a.0.cmp(&b.0));
    all.into_iter().map(|(_, entry)| entry).collect()
}

/// What happened, in the page's words: `{who}` and `{what}` filled in.
fn event_text(words: &Words, event: &crate::contract::ConversationEvent) -> String {
    let said = &words.happened;
    let template = match event.kind.as_str() {
        "queued" if event.what.is_some() => said.queued,
        "queued" => said.waiting,
        "assigned" => said.assigned,
        "transferred" => said.transferred,
        "renamed" if event.what.is_some() => said.renamed,
        "renamed" => said.unnamed,
        "tagged" => said.tagged,
        "untagged" => said.untagged,
        _ => said.resolved,
    };
    template
        .replace("{who}", event.who.as_deref().unwrap_or_default())
        .replace("{what}", event.what.as_deref().unwrap_or_default())
}

/// The page's sentences for what happened to a chat.
struct Happened {
    queued: &'static str,
    /// Waiting in a queue that has no name to show (an agent's own).
    waiting: &'static str,
    assigned: &'static str,
    transferred: &'static str,
    renamed: &'static str,
    unnamed: &'static str,
    tagged: &'static str,
    untagged: &'static str,
    resolved: &'static str,
}

/// Something that happened to the chat, as a line between its messages (hidden with the switch).
pub(crate) fn happening(
    words: &Words,
    event: &crate::contract::ConversationEvent,
    show_events: RwSignal<bool>,
) -> AnyView {
    let text = event_text(words, event);
    view! {
        <li class=format!("event event-{}", event.kind) style:display=move || if show_events.get() { "" } else { "none" }>
            {text}
        </li>
    }
    .into_any()
}

/// A message as its bubble: who wrote it, what it says and carries, when, how it changed;
/// `actions`: what the reader may do with it.
pub(crate) fn bubble(
    words: &'static Words,
    message: &crate::contract::ConversationMessage,
    actions: AnyView,
) -> AnyView {
    let parts = message_parts(words, message);
    let deleted = if message.deleted { " deleted" } else { "" };
    let author = if message.direction == "note" {
        format!("{} · {}", words.note_author, message.author)
    } else {
        message.author.clone()
    };
    view! {
        <li class=format!("bubble direction-{} kind-{} who-{}{deleted}", message.direction, message.kind, message.participant) data-id=message.id.clone()>
            <span class="author">{author}</span>
            {parts}
            {(!message.text.is_empty()).then(|| view! { <p class="text">{message.text.clone()}</p> })}
            {message.media.clone().map(|url| media_view(url, words.picture, words.file, FileReader::Member))}
            <span class="at"><LocalTime at=message.at.clone() /></span>
            <MessageChanges message=message.clone() />
            {actions}
        </li>
    }
    .into_any()
}

/// How far a message got, in the page's words.
fn status_label(words: &Words, status: &str) -> &'static str {
    match status {
        "sent" => words.sent,
        "delivered" => words.delivered,
        "read" => words.read,
        "played" => words.played,
        _ => words.failed,
    }
}

/// A message's parts besides its text and file: what it quotes, a place, cards, a reaction, how
/// far it got and what went wrong.
fn message_parts(words: &'static Words, message: &crate::contract::ConversationMessage) -> impl IntoView {
    let quote = message.quote.clone().map(|quoted| {
        let text = quoted.unwrap_or_else(|| words.unknown.to_string());
        view! { <blockquote class="quote">{text}</blockquote> }
    });
    let unsupported = (message.kind == "unsupported").then(|| view! { <p class="unsupported">{words.unsupported}</p> });
    let place = message.place.clone().map(|place| {
        view! {
            <p class="place">
                <a href=place.link target="_blank" rel="noopener noreferrer">{format!("📍 {}: {}", words.place, place.label)}</a>
            </p>
        }
    });
    let cards = (!message.cards.is_empty()).then(|| {
        view! { <ul class="cards">{message.cards.iter().map(|card| view! { <li>{card.clone()}</li> }).collect_view()}</ul> }
    });
    let reaction = message.reaction.clone().map(|emoji| {
        view! { <span class="reaction" title=words.reaction aria-label=format!("{}: {emoji}", words.reaction)>{emoji.clone()}</span> }
    });
    let status = message.status.clone().map(|status| {
        view! { <span class=format!("status status-{status}")>{status_label(words, &status)}</span> }
    });
    let problem = message.problem.clone().map(|problem| view! { <p class="problem" role="status">{problem}</p> });
    (quote, unsupported, place, cards, reaction, status, problem)
}

#[component]
pub fn ConversationPage() -> impl IntoView {
    let words = use_words(&ENGLISH, &SPANISH);
    let chat_words = use_words(&chats::ENGLISH, &chats::SPANISH);
    let params = use_params_map();
    let chat_id = move || params.read().get("id").unwrap_or_default();
    let reply = ServerAction::<ReplyInChat>::new();
    let send_template = ServerAction::<SendTemplateInChat>::new();
    let note = ServerAction::<WriteNoteInChat>::new();
    let edit = ServerAction::<EditMessageInChat>::new();
    let delete = ServerAction::<DeleteMessageInChat>::new();
    let changing = Changing::new();
    let share = ServerAction::<SharePlaceInChat>::new();
    // Said in a toast once done: what changed in the chat's history.
    let told: RwSignal<Option<String>> = RwSignal::new(None);
    Effect::new(move || {
        if edit.value().get().is_some_and(|done| done.is_ok()) {
            told.set(Some(words.get_untracked().changed.to_string()));
        }
    });
    Effect::new(move || {
        if delete.value().get().is_some_and(|done| done.is_ok()) {
            told.set(Some(words.get_untracked().deleted.to_string()));
        }
    });
    let note_failure = Signal::derive(move || refusal(note));
    let change_failure = Signal::derive(move || refusal(edit).or_else(|| refusal(delete)));
    // W14: what happened besides the messages, shown or hidden with one switch.
    let show_events = RwSignal::new(true);
    let rename = ServerAction::<RenameChat>::new();
    let transfer = ServerAction::<TransferChat>::new();
    let transfer_failure = Signal::derive(move || refusal(transfer));
    // A chat passed on is no longer this agent's: back to their list.
    let navigate = leptos_router::hooks::use_navigate();
    Effect::new(move || {
        if matches!(transfer.value().get(), Some(Ok(()))) {
            navigate("/agent", Default::default());
        }
    });
    let tag = ServerAction::<TagChat>::new();
    let chat_failure = Signal::derive(move || refusal(rename).or_else(|| refusal(tag)));
    let template_failure = Signal::derive(move || refusal(send_template));
    let pushed = RwSignal::new(0u64);
    on_live_change("chats", move || pushed.update(|n| *n += 1));
    // How many of the latest messages are shown, for the chat they were asked for: a long history
    // comes a page at a time, another chat starts again from one page.
    let shown_for: RwSignal<(String, usize)> = RwSignal::new((String::new(), 0));
    let shown = move || shown_for.with(|(id, shown)| if *id == chat_id() { *shown } else { 0 });
    // The first message shown, per chat: new messages extend the list below it instead of pushing
    // it out, so nothing the agent reads moves (no layout jump).
    let first_shown: RwSignal<Option<(String, String)>> = RwSignal::new(None);
    let first_for = move |chat: &str| {
        first_shown
            .with_untracked(|first| first.as_ref().filter(|(id, _)| id == chat).map(|(_, message)| message.clone()))
    };
    let chat = Resource::new(
        move || {
            let acted = reply.version().get()
                + send_template.version().get()
                + note.version().get()
                + edit.version().get()
                + delete.version().get()
                + share.version().get();
            (chat_id(), shown(), pushed.get(), acted + rename.version().get() + tag.version().get())
        },
        move |(id, shown, _, _)| {
            let from = first_for(&id);
            conversation(id, shown, from)
        },
    );
    Effect::new(move || {
        if let Some(Ok(chat)) = chat.get() {
            if let Some(first) = chat.messages.first() {
                first_shown.set(Some((chat.id.clone(), first.id.clone())));
            }
        }
    });
    let failure = Signal::derive(move || refusal(reply).or_else(|| refusal(share)));
    // The chat's name and a new tag as the agent writes them: the name starts as the chat's own
    // each time another chat opens; a tag put on clears its field.
    let name_draft = RwSignal::new(String::new());
    let tag_draft = RwSignal::new(String::new());
    let named_for: StoredValue<String> = StoredValue::new(String::new());
    Effect::new(move || {
        if let Some(Ok(chat)) = chat.get() {
            if named_for.get_value() != chat.id {
                named_for.set_value(chat.id.clone());
                name_draft.set(chat.name.clone().unwrap_or_default());
            }
        }
    });
    Effect::new(move || {
        if matches!(tag.value().get(), Some(Ok(()))) {
            tag_draft.set(String::new());
        }
    });
    // The message the next reply quotes: its id and what to show of it.
    let quoting: RwSignal<Option<(String, String)>> = RwSignal::new(None);
    // What the agent is writing: kept here so that a quick reply can fill it.
    let draft = RwSignal::new(String::new());
    // A file to send with the reply (C1): chosen, dropped or pasted, uploaded at once.
    let attached: RwSignal<Option<(String, String)>> = RwSignal::new(None);
    let attach_failure: RwSignal<Option<String>> = RwSignal::new(None);
    Effect::new(move || {
        if matches!(reply.value().get(), Some(Ok(()))) {
            quoting.set(None);
            draft.set(String::new());
            attached.set(None);
        }
    });
    view! {
        <section class="card conversation">
            <p><a href="/agent">{move || words.get().back}</a></p>
            <Transition fallback=move || view! { <p>{words.get().loading}</p> }>
                {move || Suspend::new(async move {
                    let words = words.get();
                    match chat.await {
                        Ok(chat) => view! {
                            <h1>{chat.name.clone().unwrap_or_else(|| chat.contact.clone())}</h1>
                            {chat.name.is_some().then(|| view! { <p class="muted contact-name">{chat.contact.clone()}</p> })}
                            <p class="state">{state_label(chat_words.get(), &chat.state)}</p>
                            {
                                let chat_words = chat_words.get();
                                let tag_id = chat.id.clone();
                                let tags = chat.tags.clone();
                                view! {
                                    <ul class="tags" aria-label=chat_words.tags>
                                        {tags.into_iter().map(|name| {
                                            let id = tag_id.clone();
                                            view! {
                                                <li class="tag">
                                                    {name.clone()}
                                                    <ActionForm action=tag attr:class="tag-remove">
                                                        <input type="hidden" name="chat_id" value=id />
                                                        <input type="hidden" name="tag" value=name.clone() />
                                                        <input type="hidden" name="on" value="false" />
                                                        <button type="submit" class="link-button" aria-label=format!("{} {name}", chat_words.remove_tag)>"×"</button>
                                                    </ActionForm>
                                                </li>
                                            }
                                        }).collect_view()}
                                    </ul>
                                }
                            }
                            <p class="events-switch">
                                <input id="show-events" type="checkbox" prop:checked=move || show_events.get()
                                    on:change=move |event| show_events.set(event_target_checked(&event)) />
                                <label for="show-events">{words.show_events}</label>
                            </p>
                            <FormError error=change_failure />
                            {chat.earlier.then(|| {
                                let count = chat.messages.len();
                                view! {
                                    <button type="button" class="link-button earlier-messages"
                                        on:click=move |_| {
                                            first_shown.set(None);
                                            shown_for.set((chat_id(), count + PAGE));
                                        }>
                                        {words.earlier}
                                    </button>
                                }
                            })}
                            <ol class="messages" aria-label=words.messages>
                                {entries(chat.messages, chat.events).into_iter().map(|entry| {
                                    let message = match entry {
                                        Entry::Message(message) => *message,
                                        Entry::Event(event) => return happening(words, &event, show_events),
                                    };
                                    let quote_button = message.quotable.then(|| {
                                        let (id, text) = (message.id.clone(), message.text.clone());
                                        let shown = if text.is_empty() { message.kind.clone() } else { text };
                                        view! {
                                            <button type="button" class="link-button quote-button"
                                                on:click=move |_| quoting.set(Some((id.clone(), shown.clone())))>
                                                {words.quote}
                                            </button>
                                        }
                                    });
                                    let own = message.yours.then(|| view! {
                                        <OwnMessageActions chat_id=chat.id.clone() message=message.clone()
                                            changes_reach_customer=chat.changes_reach_customer edit delete changing />
                                    });
                                    bubble(words, &message, view! { {quote_button}{own} }.into_any())
                                }).collect_view()}
                            </ol>
                            {(!chat.templates.is_empty()).then(|| {
                                let chat_id = chat.id.clone();
                                view! {
                                <section class="templates" aria-label=words.templates>
                                    <h2>{words.templates}</h2>
                                    <p class="hint">{words.templates_hint}</p>
                                    <FormError error=template_failure />
                                    {chat.templates.into_iter().map(|template| {
                                        let values = (0..template.variables).map(|i| {
                                            let id = format!("template-{}-{i}", template.id);
                                            view! {
                                                <label for=id.clone()>{format!("{} {{{{{}}}}}", words.value, i + 1)}</label>
                                                <input id=id name=format!("values[{i}]") required autocomplete="off" />
                                            }
                                        }).collect_view();
                                        let (chat_id, name) = (chat_id.clone(), template.name.clone());
                                        view! {
                                            <ActionForm action=send_template attr:class="template-form" attr:data-template=name>
                                                <input type="hidden" name="chat_id" value=chat_id />
                                                <input type="hidden" name="template_id" value=template.id />
                                                <p><strong>{template.name}</strong>" · "{template.language}</p>
                                                <p class="template-body">{template.body}</p>
                                                {values}
                                                <button type="submit">{words.send_template}</button>
                                            </ActionForm>
                                        }
                                    }).collect_view()}
                                </section>
                                }
                            })}
                            {(!chat.files.is_empty()).then(|| view! {
                                <section class="files" aria-label=words.files>
                                    <h2>{words.files}</h2>
                                    <ul>
                                        {chat.files.into_iter().map(|file| view! {
                                            <li><a href=file.link target="_blank" rel="noopener noreferrer">{file.label}</a></li>
                                        }).collect_view()}
                                    </ul>
                                </section>
                            })}
                        }.into_any(),
                        Err(error) => view! { <Refusal error sign_in=Some("/login/agent") /> }.into_any(),
                    }
                })}
            </Transition>
            <FormError error=failure />
            <ActionForm action=reply attr:class="inline-form reply-form"
                on:dragover=|event: leptos::ev::DragEvent| event.prevent_default()
                on:drop=move |event: leptos::ev::DragEvent| {
                    event.prevent_default();
                    #[cfg(feature = "hydrate")]
                    attach(chat_id(), crate::browser::dropped_file(&event), attached, attach_failure);
                }
                on:paste=move |event: leptos::ev::ClipboardEvent| {
                    #[cfg(feature = "hydrate")]
                    if let Some(file) = crate::browser::pasted_file(&event) {
                        event.prevent_default();
                        attach(chat_id(), Some(file), attached, attach_failure);
                    }
                    #[cfg(not(feature = "hydrate"))]
                    let _ = event;
                }>
                <input type="hidden" name="chat_id" value=chat_id />
                <input type="hidden" name="quote" prop:value=move || quoting.get().map(|(id, _)| id).unwrap_or_default() />
                {move || quoting.get().map(|(_, text)| view! {
                    <p class="quoting">
                        <span>{format!("{}: ", words.get().quoting)}</span>
                        <q>{text}</q>
                        " "
                        <button type="button" class="link-button" on:click=move |_| quoting.set(None)>{words.get().cancel}</button>
                    </p>
                })}
                <input type="hidden" name="media" prop:value=move || attached.get().map(|(url, _)| url).unwrap_or_default() />
                <ReplyBox label=Signal::derive(move || words.get().reply) draft
                    required=Signal::derive(move || attached.with(Option::is_none)) />
                <Attachment chat_id=Signal::derive(chat_id) attached failure=attach_failure />
                <button type="submit">{move || words.get().send}</button>
            </ActionForm>
            // Outside the chat's redrawn part: a message arriving while the agent types keeps what
            // they type and where the keyboard is.
            <FormError error=chat_failure />
            <ActionForm action=rename attr:class="inline-form rename-form">
                <input type="hidden" name="chat_id" value=chat_id />
                <label for="chat-name">{move || chat_words.get().chat_name}</label>
                <input id="chat-name" name="name" autocomplete="off" maxlength="80" prop:value=move || name_draft.get()
                    on:input=move |event| name_draft.set(event_target_value(&event)) />
                <button type="submit">{move || chat_words.get().rename}</button>
            </ActionForm>
            <ActionForm action=tag attr:class="inline-form tag-form">
                <input type="hidden" name="chat_id" value=chat_id />
                <input type="hidden" name="on" value="true" />
                <label for="new-tag">{move || chat_words.get().tag}</label>
                <input id="new-tag" name="tag" required autocomplete="off" maxlength="40" prop:value=move || tag_draft.get()
                    on:input=move |event| tag_draft.set(event_target_value(&event)) />
                <button type="submit">{move || chat_words.get().add_tag}</button>
            </ActionForm>
            <details class="share-place">
                <summary>{move || words.get().share_place}</summary>
                <ActionForm action=share attr:class="inline-form">
                    <input type="hidden" name="chat_id" value=chat_id />
                    <label for="place-latitude">{move || words.get().latitude}</label>
                    <input id="place-latitude" name="latitude" required inputmode="decimal" autocomplete="off" size="10" />
                    <label for="place-longitude">{move || words.get().longitude}</label>
                    <input id="place-longitude" name="longitude" required inputmode="decimal" autocomplete="off" size="10" />
                    <label for="place-name">{move || words.get().place_name}</label>
                    <input id="place-name" name="name" autocomplete="off" maxlength="200" />
                    <button type="submit">{move || words.get().share}</button>
                </ActionForm>
            </details>
            <FormError error=transfer_failure />
            <TransferForm transfer chat_id=Signal::derive(chat_id) />
            <FormError error=note_failure />
            <NoteForm note chat_id=Signal::derive(chat_id) />
            <Toast told />
        </section>
    }
}

/// Passes the chat to a colleague or a queue, with a note for whoever takes it (R5).
#[component]
pub(crate) fn TransferForm(transfer: ServerAction<TransferChat>, chat_id: Signal<String>) -> impl IntoView {
    let words = use_words(&ENGLISH, &SPANISH);
    let targets = Resource::new(|| (), |_| transfer_choices());
    view! {
        <ActionForm action=transfer attr:class="inline-form transfer-form">
            <input type="hidden" name="chat_id" value=chat_id />
            <label for="transfer-to">{move || words.get().transfer_to}</label>
            <select id="transfer-to" name="to" required>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        let words = words.get();
                        let targets = targets.await.unwrap_or_default();
                        view! {
                            <optgroup label=words.colleagues>
                                {targets.agents.into_iter().map(|(id, name)| view! { <option value=format!("agent:{id}")>{name}</option> }).collect_view()}
                            </optgroup>
                            <optgroup label=words.queues>
                                {targets.queues.into_iter().map(|(id, name)| view! { <option value=format!("queue:{id}")>{name}</option> }).collect_view()}
                            </optgroup>
                        }
                    })}
                </Suspense>
            </select>
            <label for="transfer-note">{move || words.get().transfer_note}</label>
            <input id="transfer-note" name="note" autocomplete="off" maxlength="1000" />
            <button type="submit">{move || words.get().transfer}</button>
        </ActionForm>
    }
}

/// A private note in the chat (G7), read by colleagues only.
#[component]
pub(crate) fn NoteForm(note: ServerAction<WriteNoteInChat>, chat_id: Signal<String>) -> impl IntoView {
    let words = use_words(&ENGLISH, &SPANISH);
    view! {
        <ActionForm action=note attr:class="inline-form note-form">
            <input type="hidden" name="chat_id" value=chat_id />
            <label for="note-text">{move || words.get().note}</label>
            <input id="note-text" name="text" required autocomplete="off" />
            <button type="submit">{move || words.get().add_note}</button>
        </ActionForm>
    }
}

/// Uploads `file` to the chat and keeps its address for the reply; says why when it is refused.
#[cfg(feature = "hydrate")]
fn attach(
    chat_id: String,
    file: Option<web_sys::File>,
    attached: RwSignal<Option<(String, String)>>,
    failure: RwSignal<Option<String>>,
) {
    let Some(file) = file else { return };
    leptos::task::spawn_local(async move {
        let name = file.name();
        let kept = crate::browser::send_file::<crate::contract::KeptFileView>(
            &format!("/api/v1/chats/{chat_id}/files"),
            Vec::new(),
            file,
        )
        .await;
        match kept {
            Ok(kept) => {
                failure.set(None);
                attached.set(Some((kept.url, name)));
            }
            Err(reason) => failure.set(Some(reason)),
        }
    });
}

/// The reply's attachment: a file picker, and the file attached (also by dropping or pasting one
/// on the reply) with a way to take it off.
#[component]
fn Attachment(
    chat_id: Signal<String>,
    attached: RwSignal<Option<(String, String)>>,
    failure: RwSignal<Option<String>>,
) -> impl IntoView {
    let words = use_words(&ATTACH_ENGLISH, &ATTACH_SPANISH);
    view! {
        <label for="reply-file" class="attach">{move || words.get().attach}</label>
        <input id="reply-file" type="file" on:change=move |event| {
            #[cfg(feature = "hydrate")]
            attach(chat_id.get_untracked(), crate::browser::chosen_file(&event), attached, failure);
            #[cfg(not(feature = "hydrate"))]
            let _ = (event, chat_id, failure);
        } />
        {move || attached.get().map(|(_, name)| view! {
            <p class="attached" role="status">
                {format!("{}: {name} ", words.get().attached)}
                <button type="button" class="link-button" on:click=move |_| attached.set(None)>{words.get().remove}</button>
            </p>
        })}
        {move || failure.get().map(|reason| view! { <p role="alert" class="form-error">{reason}</p> })}
    }
}

struct AttachWords {
    attach: &'static str,
    attached: &'static str,
    remove: &'static str,
}

const ATTACH_ENGLISH: AttachWords =
    AttachWords { attach: "Attach a file (or drop or paste one here)", attached: "Attached", remove: "Remove" };

const ATTACH_SPANISH: AttachWords =
    AttachWords { attach: "Adjuntar un archivo (o soltarlo o pegarlo aquí)", attached: "Adjunto", remove: "Quitar" };
