//! The agent's chats: the list of chats assigned to them, kept live, each with its last message
//! and a button that resolves it.

use crate::components::{choices_of, refusal, FormError, Listing, Narrow};
use crate::contract::ChatView;
use crate::error::UiError;
use crate::i18n::{use_words, word};
use crate::live::on_live_change;
use leptos::prelude::*;

/// `words`: only the chats whose name, number or messages hold them; empty: every one.
#[server(prefix = "/api", endpoint = "my_chats")]
pub async fn my_chats(#[server(default)] words: String) -> Result<Vec<ChatView>, UiError> {
    crate::ssr::with_status(crate::ssr::services()?.my_chats(crate::ssr::session_token(), words).await)
}

/// Resolves each of the chats (G16); answers the refusals, if any, one per chat refused.
#[server(prefix = "/api", endpoint = "resolve_chats")]
pub async fn resolve_chats(chat_ids: Vec<String>) -> Result<(), UiError> {
    crate::ssr::with_status(crate::ssr::services()?.resolve_chats(crate::ssr::session_token(), chat_ids).await)
}

/// The words of chats wherever they are listed or shown.
pub struct ChatWords {
    pub my_chats: &'static str,
    pub loading: &'static str,
    pub empty: &'static str,
    /// `{n}`: how many more chats the list holds.
    pub more: &'static str,
    pub resolve: &'static str,
    pub waiting: &'static str,
    pub pending: &'static str,
    pub following: &'static str,
    pub with_the_bot: &'static str,
    pub open: &'static str,
    pub resolved: &'static str,
    pub tags: &'static str,
    pub chat_name: &'static str,
    pub rename: &'static str,
    pub add_tag: &'static str,
    pub tag: &'static str,
    pub remove_tag: &'static str,
    pub search: &'static str,
    pub inbox: &'static str,
    pub tab_pending: &'static str,
    pub tab_following: &'static str,
    pub tab_queues: &'static str,
    pub unanswered: &'static str,
    pub choose: &'static str,
    pub resolve_chosen: &'static str,
    pub by_tag: &'static str,
    pub by_line: &'static str,
    pub any: &'static str,
    pub allow_notifications: &'static str,
    pub notifications_on: &'static str,
}

pub const ENGLISH: ChatWords = ChatWords {
    my_chats: "My chats",
    loading: "Loading chats…",
    empty: "No chats right now.",
    more: "Show more chats ({n} more)",
    resolve: "Resolve",
    waiting: "Waiting",
    pending: "Customer waiting for you",
    following: "Answered",
    with_the_bot: "With the bot",
    open: "Open",
    resolved: "Resolved",
    tags: "Tags",
    chat_name: "Name of this chat (empty: the contact's)",
    rename: "Save name",
    add_tag: "Add tag",
    tag: "New tag",
    remove_tag: "Remove tag",
    search: "Search by name, number or message",
    inbox: "Inbox",
    tab_pending: "To answer",
    tab_following: "Answered",
    tab_queues: "In my queues",
    unanswered: "messages not answered",
    choose: "Choose",
    resolve_chosen: "Resolve the chosen chats",
    by_tag: "Tag",
    by_line: "Line",
    any: "Any",
    allow_notifications: "Notify me of new messages",
    notifications_on: "New messages are notified.",
};

pub const SPANISH: ChatWords = ChatWords {
    my_chats: "Mis chats",
    loading: "Cargando chats…",
    empty: "No hay chats ahora.",
    more: "Ver más chats ({n} más)",
    resolve: "Resolver",
    waiting: "En espera",
    pending: "El cliente espera tu respuesta",
    following: "Respondido",
    with_the_bot: "Con el bot",
    open: "Abierto",
    resolved: "Resuelto",
    tags: "Etiquetas",
    chat_name: "Nombre de este chat (vacío: el del contacto)",
    rename: "Guardar nombre",
    add_tag: "Añadir etiqueta",
    tag: "Nueva etiqueta",
    remove_tag: "Quitar la etiqueta",
    search: "Buscar por nombre, número o mensaje",
    inbox: "Bandeja",
    tab_pending: "Por responder",
    tab_following: "Respondidos",
    tab_queues: "En mis colas",
    unanswered: "mensajes sin responder",
    choose: "Elegir",
    resolve_chosen: "Resolver los chats elegidos",
    by_tag: "Etiqueta",
    by_line: "Línea",
    any: "Cualquiera",
    allow_notifications: "Avisarme de los mensajes nuevos",
    notifications_on: "Se avisan los mensajes nuevos.",
};

/// How a chat's state reads to people.
pub fn state_label(words: &ChatWords, state: &str) -> &'static str {
    match state {
        "waiting" => words.waiting,
        "pending" => words.pending,
        "following" => words.following,
        "bot" => words.with_the_bot,
        "open" => words.open,
        _ => words.resolved,
    }
}

/// The inbox's tabs: every chat of the agent's, those waiting for their answer, those waiting
/// for the customer, and those waiting in their queues for an agent.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Tab {
    Mine,
    Pending,
    Following,
    Queues,
}

impl Tab {
    const ALL: [Tab; 4] = [Tab::Mine, Tab::Pending, Tab::Following, Tab::Queues];

    fn holds(self, chat: &ChatView) -> bool {
        match self {
            Tab::Mine => chat.state != "waiting",
            Tab::Pending => chat.state == "pending",
            Tab::Following => chat.state == "following",
            Tab::Queues => chat.state == "waiting",
        }
    }

    fn label(self, words: &ChatWords) -> &'static str {
        match self {
            Tab::Mine => words.my_chats,
            Tab::Pending => words.tab_pending,
            Tab::Following => words.tab_following,
            Tab::Queues => words.tab_queues,
        }
    }
}

/// Asks the browser to show notifications of new messages (W2) until the agent has answered.
#[component]
fn NotificationSwitch() -> impl IntoView {
    let words = use_words(&ENGLISH, &SPANISH);
    // Known only in the browser, once the page is live: the server draws nothing here.
    let allowed: RwSignal<Option<Option<bool>>> = RwSignal::new(None);
    Effect::new(move || allowed.set(Some(crate::alerts::notifications_allowed())));
    move || match allowed.get() {
        Some(None) => Some(
            view! {
                <button type="button" class="link-button notifications"
                    on:click=move |_| crate::alerts::ask_for_notifications(move |answer| allowed.set(Some(answer)))>
                    {words.get().allow_notifications}
                </button>
            }
            .into_any(),
        ),
        Some(Some(true)) => {
            Some(view! { <p class="muted notifications">{words.get().notifications_on}</p> }.into_any())
        }
        _ => None,
    }
}

/// A chat's box in a list: ticked, it is among the `chosen` ones.
#[component]
pub fn ChooseChat(id: String, label: String, chosen: RwSignal<Vec<String>>) -> impl IntoView {
    let checked = id.clone();
    view! {
        <input type="checkbox" aria-label=label
            prop:checked=move || chosen.with(|c| c.contains(&checked))
            on:change=move |event| {
                let on = event_target_checked(&event);
                chosen.update(|c| {
                    c.retain(|other| *other != id);
                    if on { c.push(id.clone()); }
                });
            } />
    }
}

/// Resolves the `chosen` chats at once (G16); shown only while some are chosen.
#[component]
pub fn ResolveChosen(
    resolve: ServerAction<ResolveChats>,
    chosen: RwSignal<Vec<String>>,
    label: &'static str,
) -> impl IntoView {
    move || {
        (!chosen.with(Vec::is_empty)).then(|| {
            let ids = chosen.get();
            view! {
                <ActionForm action=resolve attr:class="inline-form bulk-resolve">
                    {ids.iter().enumerate().map(|(i, id)| view! {
                        <input type="hidden" name=format!("chat_ids[{i}]") value=id.clone() />
                    }).collect_view()}
                    <button type="submit">{format!("{label} ({})", ids.len())}</button>
                </ActionForm>
            }
        })
    }
}

/// The agent's inbox (W1): their chats and their queues' in tabs with live counts, the count of
/// messages nobody answered yet on each, found by words and narrowed by tag and line, resolved one
/// or many at once (G16). The open chat is marked.
/// How many chats the inbox draws at first, and adds on "Show more".
const CHATS_PER_PAGE: usize = 100;

#[component]
pub fn MyChats() -> impl IntoView {
    let words = use_words(&ENGLISH, &SPANISH);
    let resolve = ServerAction::<ResolveChats>::new();
    let pushed = RwSignal::new(0u64);
    on_live_change("chats", move || pushed.update(|n| *n += 1));
    let words_searched = RwSignal::new(String::new());
    let chats = Resource::new(
        move || (pushed.get(), resolve.version().get(), words_searched.get()),
        |(_, _, searched)| my_chats(searched),
    );
    let tab = RwSignal::new(Tab::Mine);
    // A long inbox (a thousand chats) draws a page at a time.
    let shown = RwSignal::new(CHATS_PER_PAGE);
    let tag = RwSignal::new(String::new());
    let line = RwSignal::new(String::new());
    let chosen: RwSignal<Vec<String>> = RwSignal::new(Vec::new());
    Effect::new(move || {
        if resolve.version().get() > 0 {
            chosen.set(Vec::new());
        }
    });
    let location = leptos_router::hooks::use_location();
    let failure = Signal::derive(move || refusal(resolve));
    // W2: the messages no one answered in the tab's title; a sound and a notification for each of
    // the agent's chats with new ones since the list was last read — except the chat open before
    // the agent's eyes.
    let unanswered_total = RwSignal::new(0u32);
    let heard: StoredValue<Option<std::collections::HashMap<String, u32>>> = StoredValue::new(None);
    Effect::new(move || {
        let Some(Ok(list)) = chats.get() else { return };
        let open = location.pathname.get_untracked();
        let mine: Vec<&ChatView> = list.iter().filter(|chat| chat.state != "waiting").collect();
        unanswered_total.set(mine.iter().map(|chat| chat.unanswered).sum());
        heard.update_value(|heard| {
            let first_reading = heard.is_none();
            let heard = heard.get_or_insert_with(Default::default);
            for chat in mine {
                let before = heard.insert(chat.id.clone(), chat.unanswered).unwrap_or(0);
                let in_view = open == format!("/agent/chats/{}", chat.id) && crate::alerts::page_in_view();
                if !first_reading && chat.unanswered > before && !in_view {
                    let from = chat.name.clone().unwrap_or_else(|| chat.contact.clone());
                    crate::alerts::new_message(&from, &chat.last_text);
                }
            }
        });
    });
    let title = move || match unanswered_total.get() {
        0 => "Ikono Chat".to_string(),
        n => format!("({n}) Ikono Chat"),
    };
    // Read only by awaiting under a Transition: read at once, the server (which has not
    // fetched it) and the browser (which has it from the page) would draw different things.
    let all = move || async move { chats.await.unwrap_or_default() };
    let draw = move |list: Vec<ChatView>| {
        let words = words.get();
        let (tab, tag, line) = (tab.get(), tag.get(), line.get());
        let list: Vec<ChatView> = list
            .into_iter()
            .filter(|chat| tab.holds(chat))
            .filter(|chat| tag.is_empty() || chat.tags.iter().any(|t| t.to_lowercase() == tag))
            .filter(|chat| line.is_empty() || chat.line_id == line)
            .collect();
        if list.is_empty() {
            return view! { <p class="empty">{words.empty}</p> }.into_any();
        }
        let open = location.pathname.get();
        let left = list.len().saturating_sub(shown.get());
        let more = (left > 0).then(|| view! {
            <button type="button" class="link-button more-chats" on:click=move |_| shown.update(|n| *n += CHATS_PER_PAGE)>
                {words.more.replace("{n}", &left.to_string())}
            </button>
        });
        view! {
            <ul class="chat-list" aria-label=tab.label(words)>
                {list.into_iter().take(shown.get()).map(|chat| {
                    let id = chat.id.clone();
                    let href = format!("/agent/chats/{}", chat.id);
                    let current = (open == href).then_some("page");
                    let class = format!("chat chat-{}", chat.state);
                    let state = state_label(words, &chat.state);
                    let title = chat.name.clone().unwrap_or_else(|| chat.contact.clone());
                    let mine = chat.state != "waiting";
                    let choose_label = format!("{} {title}", words.choose);
                    view! {
                    <li data-id=id.clone() class=class>
                        <span class="chat-title">
                            {mine.then(|| view! { <ChooseChat id=id.clone() label=choose_label chosen /> })}
                            <a class="contact" href=href aria-current=current>{title.clone()}</a>
                            {(chat.unanswered > 0).then(|| view! {
                                <span class="badge unanswered" title=words.unanswered
                                    aria-label=format!("{} {}", chat.unanswered, words.unanswered)>{chat.unanswered}</span>
                            })}
                        </span>
                        <span class="state">{state}</span>
                        {chat.name.is_some().then(|| view! { <span class="muted contact-name">{chat.contact.clone()}</span> })}
                        <span class="muted line-name">{chat.line.clone()}</span>
                        {(!chat.tags.is_empty()).then(|| view! {
                            <ul class="tags" aria-label=words.tags>
                                {chat.tags.iter().map(|tag| view! { <li class="tag">{tag.clone()}</li> }).collect_view()}
                            </ul>
                        })}
                        <p class="last-message">{chat.last_text}</p>
                        {mine.then(|| view! {
                            <ActionForm action=resolve attr:class="inline-form">
                                <input type="hidden" name="chat_ids[0]" value=chat.id />
                                <button type="submit">{words.resolve}</button>
                            </ActionForm>
                        })}
                    </li>
                    }
                }).collect_view()}
            </ul>
            {more}
        }
        .into_any()
    };
    let tabs = move || {
        Suspend::new(async move {
            let list = all().await;
            let words = words.get();
            Tab::ALL
            .into_iter()
            .map(|this| {
                let count = list.iter().filter(|chat| this.holds(chat)).count();
                view! {
                    <button type="button" role="tab" class="tab" aria-selected=move || (tab.get() == this).to_string()
                        on:click=move |_| tab.set(this)>
                        {this.label(words)} " " <span class="badge">{count}</span>
                    </button>
                }
            })
            .collect_view()
        })
    };
    let choices = move || async move {
        let list = all().await;
        // A tag is the same whatever its case: listed once.
        let tags = choices_of(list.iter().flat_map(|chat| chat.tags.iter().map(|t| (t.to_lowercase(), t.clone()))));
        let lines = choices_of(list.iter().map(|chat| (chat.line_id.clone(), chat.line.clone())));
        (tags, lines)
    };
    view! {
        <leptos_meta::Title text=title />
        <section class="card inbox" aria-labelledby="my-chats">
            <h2 id="my-chats">{move || words.get().inbox}</h2>
            <NotificationSwitch />
            <div role="tablist" class="tabs" aria-label=move || words.get().inbox>
                <Transition fallback=|| ()>{tabs}</Transition>
            </div>
            <FormError error=failure />
            <div class="inbox-filters">
                <label for="chat-search">{move || words.get().search}</label>
                <input id="chat-search" type="search" autocomplete="off"
                    on:input=move |event| words_searched.set(event_target_value(&event)) />
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        let words = words.get();
                        let (tags, lines) = choices().await;
                        view! {
                            <Narrow id="chat-tag" label=words.by_tag any=words.any options=tags chosen=tag />
                            <Narrow id="chat-line" label=words.by_line any=words.any options=lines chosen=line />
                        }
                    })}
                </Transition>
            </div>
            {move || view! { <ResolveChosen resolve chosen label=words.get().resolve_chosen /> }}
            <Listing items=chats loading=word(words, |w| w.loading) empty=word(words, |w| w.empty) draw />
        </section>
    }
}
