//! One chat as its agent works it: every message so far, kept live, and the reply box.

use crate::components::{refusal, FormError, Refusal};
use crate::contract::ConversationView;
use crate::error::UiError;
use crate::i18n::use_words;
use crate::live::on_live_change;
use crate::pages::chats::{self, state_label};
use crate::pages::widget::{media_view, FileReader};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[server(prefix = "/api", endpoint = "conversation")]
pub async fn conversation(chat_id: String) -> Result<ConversationView, UiError> {
    crate::ssr::with_status(crate::ssr::services()?.conversation(crate::ssr::session_token(), chat_id).await)
}

#[server(prefix = "/api", endpoint = "reply_in_chat")]
pub async fn reply_in_chat(chat_id: String, text: String) -> Result<(), UiError> {
    crate::ssr::with_status(crate::ssr::services()?.reply(crate::ssr::session_token(), chat_id, text).await)
}

struct Words {
    back: &'static str,
    loading: &'static str,
    messages: &'static str,
    picture: &'static str,
    file: &'static str,
    reply: &'static str,
    send: &'static str,
}

const ENGLISH: Words = Words {
    back: "← My chats",
    loading: "Loading…",
    messages: "Messages",
    picture: "Picture",
    file: "File",
    reply: "Reply",
    send: "Send",
};

const SPANISH: Words = Words {
    back: "← Mis chats",
    loading: "Cargando…",
    messages: "Mensajes",
    picture: "Imagen",
    file: "Archivo",
    reply: "Responder",
    send: "Enviar",
};

#[component]
pub fn ConversationPage() -> impl IntoView {
    let words = use_words(&ENGLISH, &SPANISH);
    let chat_words = use_words(&chats::ENGLISH, &chats::SPANISH);
    let params = use_params_map();
    let chat_id = move || params.read().get("id").unwrap_or_default();
    let reply = ServerAction::<ReplyInChat>::new();
    let pushed = RwSignal::new(0u64);
    on_live_change("chats", move || pushed.update(|n| *n += 1));
    let chat = Resource::new(move || (chat_id(), pushed.get(), reply.version().get()), |(id, _, _)| conversation(id));
    let failure = Signal::derive(move || refusal(reply));
    view! {
        <section class="card conversation">
            <p><a href="/agent">{move || words.get().back}</a></p>
            <Transition fallback=move || view! { <p>{words.get().loading}</p> }>
                {move || Suspend::new(async move {
                    let words = words.get();
                    match chat.await {
                        Ok(chat) => view! {
                            <h1>{chat.contact}</h1>
                            <p class="state">{state_label(chat_words.get(), &chat.state)}</p>
                            <ol class="messages" aria-label=words.messages>
                                {chat.messages.into_iter().map(|message| view! {
                                    <li class=format!("bubble direction-{}", message.direction) data-id=message.id>
                                        <span class="author">{message.author}</span>
                                        {(!message.text.is_empty()).then(|| view! { <p class="text">{message.text}</p> })}
                                        {message.media.map(|url| media_view(url, words.picture, words.file, FileReader::Member))}
                                    </li>
                                }).collect_view()}
                            </ol>
                        }.into_any(),
                        Err(error) => view! { <Refusal error sign_in=Some("/login/agent") /> }.into_any(),
                    }
                })}
            </Transition>
            <FormError error=failure />
            <ActionForm action=reply attr:class="inline-form reply-form">
                <input type="hidden" name="chat_id" value=chat_id />
                <label for="reply-text">{move || words.get().reply}</label>
                <input id="reply-text" name="text" required autocomplete="off" />
                <button type="submit">{move || words.get().send}</button>
            </ActionForm>
        </section>
    }
}
