//! Internal chats (G8): the agent's colleagues with what each wrote that they have not read, kept
//! live, and one conversation with a colleague beside them, apart from customers' chats.

use crate::components::{refusal, FormError, Listing, Refusal};
use crate::contract::{ColleagueChatView, ColleagueView};
use crate::dates::LocalTime;
use crate::error::UiError;
use crate::i18n::{use_words, word};
use crate::live::on_live_change;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[server(prefix = "/api", endpoint = "colleagues")]
pub async fn colleagues() -> Result<Vec<ColleagueView>, UiError> {
    crate::ssr::with_status(crate::ssr::services()?.colleagues(crate::ssr::session_token()).await)
}

/// The conversation with a colleague; asking for it reads it.
#[server(prefix = "/api", endpoint = "colleague_chat")]
pub async fn colleague_chat(colleague_id: String) -> Result<ColleagueChatView, UiError> {
    crate::ssr::with_status(crate::ssr::services()?.colleague_chat(crate::ssr::session_token(), colleague_id).await)
}

#[server(prefix = "/api", endpoint = "write_to_colleague")]
pub async fn write_to_colleague(colleague_id: String, text: String) -> Result<(), UiError> {
    crate::ssr::with_status(
        crate::ssr::services()?.write_to_colleague(crate::ssr::session_token(), colleague_id, text).await,
    )
}

struct Words {
    colleagues: &'static str,
    loading: &'static str,
    nobody: &'static str,
    unread: &'static str,
    write: &'static str,
    send: &'static str,
    empty: &'static str,
    messages: &'static str,
}

const ENGLISH: Words = Words {
    colleagues: "Colleagues",
    loading: "Loading…",
    nobody: "No colleagues yet.",
    unread: "unread",
    write: "Message to your colleague",
    send: "Send",
    empty: "No messages yet: write the first.",
    messages: "Messages with your colleague",
};

const SPANISH: Words = Words {
    colleagues: "Compañeros",
    loading: "Cargando…",
    nobody: "Todavía no hay compañeros.",
    unread: "sin leer",
    write: "Mensaje a tu compañero",
    send: "Enviar",
    empty: "Todavía no hay mensajes: escribí el primero.",
    messages: "Mensajes con tu compañero",
};

/// The colleagues, in the workspace's side, each with their unread count.
#[component]
pub fn Colleagues() -> impl IntoView {
    let words = use_words(&ENGLISH, &SPANISH);
    let pushed = RwSignal::new(0u64);
    on_live_change("internal", move || pushed.update(|n| *n += 1));
    let location = leptos_router::hooks::use_location();
    // Opening a conversation reads it: the list asks again then.
    let list = Resource::new(move || (pushed.get(), location.pathname.get()), |_| colleagues());
    let draw = move |people: Vec<ColleagueView>| {
        let words = words.get();
        let open = location.pathname.get();
        view! {
            <ul class="colleague-list" aria-label=words.colleagues>
                {people.into_iter().map(|person| {
                    let href = format!("/agent/colleagues/{}", person.id);
                    let current = (open == href).then_some("page");
                    view! {
                        <li>
                            <a href=href aria-current=current>{person.name.clone()}</a>
                            {(person.unread > 0).then(|| view! {
                                <span class="badge unanswered" aria-label=format!("{} {}", person.unread, words.unread)>
                                    {person.unread}
                                </span>
                            })}
                            {person.last_text.map(|text| view! { <p class="last-message">{text}</p> })}
                        </li>
                    }
                }).collect_view()}
            </ul>
        }
    };
    view! {
        <section class="card colleagues" aria-labelledby="colleagues">
            <h2 id="colleagues">{move || words.get().colleagues}</h2>
            <Listing items=list loading=word(words, |w| w.loading) empty=word(words, |w| w.nobody) draw />
        </section>
    }
}

/// One conversation with a colleague, live.
#[component]
pub fn ColleagueChatPage() -> impl IntoView {
    let words = use_words(&ENGLISH, &SPANISH);
    let params = use_params_map();
    let colleague_id = move || params.read().get("id").unwrap_or_default();
    let write = ServerAction::<WriteToColleague>::new();
    let pushed = RwSignal::new(0u64);
    on_live_change("internal", move || pushed.update(|n| *n += 1));
    let chat =
        Resource::new(move || (colleague_id(), pushed.get(), write.version().get()), |(id, _, _)| colleague_chat(id));
    let failure = Signal::derive(move || refusal(write));
    let draft = RwSignal::new(String::new());
    Effect::new(move || {
        if matches!(write.value().get(), Some(Ok(()))) {
            draft.set(String::new());
        }
    });
    view! {
        <section class="card colleague-chat">
            <Transition fallback=move || view! { <p>{words.get().loading}</p> }>
                {move || Suspend::new(async move {
                    let words = words.get();
                    match chat.await {
                        Ok(chat) => view! {
                            <h1>{chat.name.clone()}</h1>
                            {chat.messages.is_empty().then(|| view! { <p class="empty">{words.empty}</p> })}
                            <ol class="messages" aria-label=words.messages>
                                {chat.messages.into_iter().map(|message| {
                                    let class = if message.mine { "bubble direction-out who-agent-0" } else { "bubble direction-in" };
                                    view! {
                                        <li class=class>
                                            <span class="author">{message.author}</span>
                                            <p>{message.text}</p>
                                            <span class="at"><LocalTime at=message.at.clone() /></span>
                                        </li>
                                    }
                                }).collect_view()}
                            </ol>
                        }.into_any(),
                        Err(error) => view! { <Refusal error sign_in=Some("/login/agent") /> }.into_any(),
                    }
                })}
            </Transition>
            <FormError error=failure />
            <ActionForm action=write attr:class="inline-form colleague-form">
                <input type="hidden" name="colleague_id" value=colleague_id />
                <label for="colleague-text">{move || words.get().write}</label>
                <input id="colleague-text" name="text" required autocomplete="off" maxlength="4096"
                    prop:value=move || draft.get() on:input=move |event| draft.set(event_target_value(&event)) />
                <button type="submit">{move || words.get().send}</button>
            </ActionForm>
        </section>
    }
}
