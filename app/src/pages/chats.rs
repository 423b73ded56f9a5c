//! The agent's chats: the list of chats assigned to them, kept live, each with its last message
//! and a button that resolves it.

use crate::components::{refusal, FormError, Listing};
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

#[server(prefix = "/api", endpoint = "resolve_chat")]
pub async fn resolve_chat(chat_id: String) -> Result<(), UiError> {
    crate::ssr::with_status(crate::ssr::services()?.resolve_chat(crate::ssr::session_token(), chat_id).await)
}

/// The words of chats wherever they are listed or shown.
pub struct ChatWords {
    pub my_chats: &'static str,
    pub loading: &'static str,
    pub empty: &'static str,
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
}

pub const ENGLISH: ChatWords = ChatWords {
    my_chats: "My chats",
    loading: "Loading chats…",
    empty: "No chats right now.",
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
};

pub const SPANISH: ChatWords = ChatWords {
    my_chats: "Mis chats",
    loading: "Cargando chats…",
    empty: "No hay chats ahora.",
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

#[component]
pub fn MyChats() -> impl IntoView {
    let words = use_words(&ENGLISH, &SPANISH);
    let resolve = ServerAction::<ResolveChat>::new();
    let pushed = RwSignal::new(0u64);
    on_live_change("chats", move || pushed.update(|n| *n += 1));
    let words_searched = RwSignal::new(String::new());
    let chats = Resource::new(
        move || (pushed.get(), resolve.version().get(), words_searched.get()),
        |(_, _, searched)| my_chats(searched),
    );
    let failure = Signal::derive(move || refusal(resolve));
    let draw = move |list: Vec<ChatView>| {
        let words = words.get();
        view! {
            <ul class="chat-list" aria-label=words.my_chats>
                {list.into_iter().map(|chat| {
                    let id = chat.id.clone();
                    let class = format!("chat chat-{}", chat.state);
                    let state = state_label(words, &chat.state);
                    view! {
                    <li data-id=id class=class>
                        <a class="contact" href=format!("/agent/chats/{}", chat.id)>{chat.name.clone().unwrap_or_else(|| chat.contact.clone())}</a>
                        {chat.name.is_some().then(|| view! { <span class="muted contact-name">{chat.contact.clone()}</span> })}
                        <span class="state">{state}</span>
                        {(!chat.tags.is_empty()).then(|| view! {
                            <ul class="tags" aria-label=words.tags>
                                {chat.tags.iter().map(|tag| view! { <li class="tag">{tag.clone()}</li> }).collect_view()}
                            </ul>
                        })}
                        <p class="last-message">{chat.last_text}</p>
                        <ActionForm action=resolve attr:class="inline-form">
                            <input type="hidden" name="chat_id" value=chat.id />
                            <button type="submit">{words.resolve}</button>
                        </ActionForm>
                    </li>
                    }
                }).collect_view()}
            </ul>
        }
    };
    view! {
        <section class="card" aria-labelledby="my-chats">
            <h2 id="my-chats">{move || words.get().my_chats}</h2>
            <FormError error=failure />
            <label for="chat-search">{move || words.get().search}</label>
            <input id="chat-search" type="search" autocomplete="off"
                on:input=move |event| words_searched.set(event_target_value(&event)) />
            <Listing items=chats loading=word(words, |w| w.loading) empty=word(words, |w| w.empty) draw />
        </section>
    }
}
