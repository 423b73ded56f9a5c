//! The agent's chats: the list of chats assigned to them, kept live, each with its last message
//! and a button that resolves it.

use crate::contract::ChatView;
use crate::error::UiError;
use crate::live::on_live_change;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "my_chats")]
pub async fn my_chats() -> Result<Vec<ChatView>, UiError> {
    crate::ssr::with_status(crate::ssr::services()?.my_chats(crate::ssr::session_token()).await)
}

#[server(prefix = "/api", endpoint = "resolve_chat")]
pub async fn resolve_chat(chat_id: String) -> Result<(), UiError> {
    crate::ssr::with_status(crate::ssr::services()?.resolve_chat(crate::ssr::session_token(), chat_id).await)
}

/// How a chat's state reads to people.
pub fn state_label(state: &str) -> &'static str {
    match state {
        "waiting" => "Waiting",
        "pending" => "Customer waiting for you",
        "following" => "Answered",
        _ => "Resolved",
    }
}

#[component]
pub fn MyChats() -> impl IntoView {
    let resolve = ServerAction::<ResolveChat>::new();
    let pushed = RwSignal::new(0u64);
    on_live_change("chats", move || pushed.update(|n| *n += 1));
    let chats = Resource::new(move || (pushed.get(), resolve.version().get()), |_| my_chats());
    let failure = move || resolve.value().get().and_then(|outcome| outcome.err());
    view! {
        <section class="card" aria-labelledby="my-chats">
            <h2 id="my-chats">"My chats"</h2>
            <Show when=move || failure().is_some()>
                <p role="alert" class="form-error">{move || failure().map(|e| e.to_string())}</p>
            </Show>
            <Transition fallback=|| view! { <p>"Loading chats…"</p> }>
                {move || Suspend::new(async move {
                    match chats.await {
                        Ok(list) if list.is_empty() => view! { <p class="empty">"No chats right now."</p> }.into_any(),
                        Ok(list) => view! {
                            <ul class="chat-list" aria-label="My chats">
                                {list.into_iter().map(|chat| {
                                    let id = chat.id.clone();
                                    let class = format!("chat chat-{}", chat.state);
                                    let state = state_label(&chat.state);
                                    view! {
                                    <li data-id=id class=class>
                                        <a class="contact" href=format!("/agent/chats/{}", chat.id)>{chat.contact}</a>
                                        <span class="state">{state}</span>
                                        <p class="last-message">{chat.last_text}</p>
                                        <ActionForm action=resolve attr:class="inline-form">
                                            <input type="hidden" name="chat_id" value=chat.id />
                                            <button type="submit">"Resolve"</button>
                                        </ActionForm>
                                    </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(error) => view! { <p role="alert" class="form-error">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
