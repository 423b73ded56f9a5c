//! One chat as its agent works it: every message so far, kept live, and the reply box.

use crate::contract::ConversationView;
use crate::error::UiError;
use crate::live::on_live_change;
use crate::pages::chats::state_label;
use crate::pages::widget::media_view;
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

#[component]
pub fn ConversationPage() -> impl IntoView {
    let params = use_params_map();
    let chat_id = move || params.read().get("id").unwrap_or_default();
    let reply = ServerAction::<ReplyInChat>::new();
    let pushed = RwSignal::new(0u64);
    on_live_change("chats", move || pushed.update(|n| *n += 1));
    let chat = Resource::new(move || (chat_id(), pushed.get(), reply.version().get()), |(id, _, _)| conversation(id));
    let failure = move || reply.value().get().and_then(|outcome| outcome.err());
    view! {
        <section class="card conversation">
            <p><a href="/agent">"← My chats"</a></p>
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match chat.await {
                        Ok(chat) => view! {
                            <h1>{chat.contact}</h1>
                            <p class="state">{state_label(&chat.state)}</p>
                            <ol class="messages" aria-label="Messages">
                                {chat.messages.into_iter().map(|message| view! {
                                    <li class=format!("bubble direction-{}", message.direction) data-id=message.id>
                                        <span class="author">{message.author}</span>
                                        {(!message.text.is_empty()).then(|| view! { <p class="text">{message.text}</p> })}
                                        {message.media.map(|url| media_view(url, "Picture", "File"))}
                                    </li>
                                }).collect_view()}
                            </ol>
                        }.into_any(),
                        Err(error) => view! { <p role="alert" class="form-error">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
            <Show when=move || failure().is_some()>
                <p role="alert" class="form-error">{move || failure().map(|e| e.to_string())}</p>
            </Show>
            <ActionForm action=reply attr:class="inline-form reply-form">
                <input type="hidden" name="chat_id" value=chat_id />
                <label for="reply-text">"Reply"</label>
                <input id="reply-text" name="text" required autocomplete="off" />
                <button type="submit">"Send"</button>
            </ActionForm>
        </section>
    }
}
