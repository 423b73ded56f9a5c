//! One chat as a supervisor follows it from the monitor (G1): read live, taken over and answered,
//! transferred, resolved, or given a private note.

use crate::components::{refusal, succeeded, FormError, Refusal, Toast};
use crate::contract::ConversationView;
use crate::error::UiError;
use crate::i18n::use_words;
use crate::live::on_live_change;
use crate::pages::chats::{self, state_label, ResolveChats};
use crate::pages::conversation::{
    self as agent_view, bubble, conversation, entries, happening, Entry, NoteForm, ReplyInChat, TransferChat,
    TransferForm, WriteNoteInChat,
};
use crate::pages::reply_box::ReplyBox;
use crate::past::{PastMoment, ShownAsItStood};
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

#[server(prefix = "/api", endpoint = "take_over_chat")]
pub async fn take_over_chat(chat_id: String) -> Result<(), UiError> {
    crate::ssr::with_status(crate::ssr::services()?.take_over(crate::ssr::session_token(), chat_id).await)
}

/// The chat read-only, as it stood at `at` (`datetime-local`, the reader's zone; blank: now).
#[server(prefix = "/api", endpoint = "chat_as_it_stood")]
pub async fn chat_as_it_stood(chat_id: String, at: String) -> Result<ConversationView, UiError> {
    crate::ssr::with_status(
        crate::ssr::services()?
            .chat_as_it_stood(crate::ssr::session_token(), crate::ssr::time_zone(), chat_id, at)
            .await,
    )
}

struct Words {
    back: &'static str,
    has_it: &'static str,
    nobody_has_it: &'static str,
    yours: &'static str,
    take_over: &'static str,
    take_over_hint: &'static str,
    history: &'static str,
    resolve: &'static str,
    taken: &'static str,
    transferred: &'static str,
    resolved: &'static str,
    noted: &'static str,
}

const ENGLISH: Words = Words {
    back: "← Monitor",
    has_it: "Handled by",
    nobody_has_it: "No agent has this chat.",
    yours: "You have this chat: the customer reads what you send.",
    take_over: "Take over",
    take_over_hint: "The chat leaves its agent and you answer the customer yourself.",
    history: "History as the log holds it",
    resolve: "Resolve",
    taken: "The chat is yours now.",
    transferred: "Chat transferred",
    resolved: "Chat resolved",
    noted: "Note added",
};

const SPANISH: Words = Words {
    back: "← Monitor",
    has_it: "Lo atiende",
    nobody_has_it: "Ningún agente tiene este chat.",
    yours: "Este chat es tuyo: el cliente lee lo que envíes.",
    take_over: "Tomar el chat",
    take_over_hint: "El chat deja a su agente y respondes tú al cliente.",
    history: "Historia tal como la guarda el registro",
    resolve: "Resolver",
    taken: "El chat ahora es tuyo.",
    transferred: "Chat transferido",
    resolved: "Chat resuelto",
    noted: "Nota añadida",
};

#[component]
pub fn SupervisedChatPage() -> impl IntoView {
    let words = use_words(&ENGLISH, &SPANISH);
    let said = use_words(&agent_view::ENGLISH, &agent_view::SPANISH);
    let chat_words = use_words(&chats::ENGLISH, &chats::SPANISH);
    let params = use_params_map();
    let chat_id = move || params.read().get("id").unwrap_or_default();
    // A past moment, from the field or from the monitor's link: the chat read-only as it stood then.
    let at = RwSignal::new(use_query_map().read_untracked().get("at").unwrap_or_default());
    let in_the_past = move || !at.with(String::is_empty);
    let take_over = ServerAction::<TakeOverChat>::new();
    let transfer = ServerAction::<TransferChat>::new();
    let resolve = ServerAction::<ResolveChats>::new();
    let note = ServerAction::<WriteNoteInChat>::new();
    let reply = ServerAction::<ReplyInChat>::new();
    let failure = Signal::derive(move || {
        refusal(take_over)
            .or_else(|| refusal(transfer))
            .or_else(|| refusal(resolve))
            .or_else(|| refusal(note))
            .or_else(|| refusal(reply))
    });
    let told: RwSignal<Option<String>> = RwSignal::new(None);
    Effect::new(move || {
        let words = words.get_untracked();
        let done = [
            (succeeded(take_over), words.taken),
            (succeeded(transfer), words.transferred),
            (succeeded(resolve), words.resolved),
            (succeeded(note), words.noted),
        ];
        if let Some((_, text)) = done.into_iter().find(|(done, _)| *done) {
            told.set(Some(text.to_string()));
        }
    });
    let draft = RwSignal::new(String::new());
    Effect::new(move || {
        if succeeded(reply) {
            draft.set(String::new());
        }
    });
    let show_events = RwSignal::new(true);
    let shown_for: RwSignal<(String, usize)> = RwSignal::new((String::new(), 0));
    let shown = move || shown_for.with(|(id, shown)| if *id == chat_id() { *shown } else { 0 });
    let pushed = RwSignal::new(0u64);
    on_live_change("chats", move || pushed.update(|n| *n += 1));
    let chat = Resource::new(
        move || {
            let acted = take_over.version().get()
                + transfer.version().get()
                + resolve.version().get()
                + note.version().get()
                + reply.version().get();
            (chat_id(), shown(), pushed.get(), acted, at.get())
        },
        move |(id, shown, _, _, at)| async move {
            if at.is_empty() {
                conversation(id, shown, None).await
            } else {
                chat_as_it_stood(id, at).await
            }
        },
    );
    view! {
        <section class="card conversation supervised-chat">
            <p>
                <a href="/supervisor/monitor">{move || words.get().back}</a>" · "
                <a href=move || format!("/audit/chats/{}", chat_id())>{move || words.get().history}</a>
            </p>
            <form class="inbox-filters" on:submit=|event| event.prevent_default()>
                <PastMoment id="chat-at" at />
            </form>
            <FormError error=failure />
            <Transition fallback=move || view! { <p>{said.get().loading}</p> }>
                {move || Suspend::new(async move {
                    let (words, said, chat_words) = (words.get(), said.get(), chat_words.get());
                    let chat = match chat.await {
                        Ok(chat) => chat,
                        Err(error) => return view! { <Refusal error sign_in=Some("/login/supervisor") /> }.into_any(),
                    };
                    // In the past the chat is only read.
                    let open = chat.state != "resolved" && !in_the_past();
                    let who = match (&chat.agent, chat.yours) {
                        (_, true) => words.yours.to_string(),
                        (Some(agent), false) => format!("{}: {agent}", words.has_it),
                        (None, false) => words.nobody_has_it.to_string(),
                    };
                    let count = chat.messages.len();
                    let (take_id, resolve_id) = (chat.id.clone(), chat.id.clone());
                    view! {
                        <ShownAsItStood at=chat.at.clone() />
                        <h1>{chat.name.clone().unwrap_or_else(|| chat.contact.clone())}</h1>
                        {chat.name.is_some().then(|| view! { <p class="muted contact-name">{chat.contact.clone()}</p> })}
                        <p class="state">{state_label(chat_words, &chat.state)}</p>
                        <p class="handled-by">{who}</p>
                        <p class="events-switch">
                            <input id="show-events" type="checkbox" prop:checked=move || show_events.get()
                                on:change=move |event| show_events.set(event_target_checked(&event)) />
                            <label for="show-events">{said.show_events}</label>
                        </p>
                        {chat.earlier.then(|| view! {
                            <button type="button" class="link-button earlier-messages"
                                on:click=move |_| shown_for.set((chat_id(), count + agent_view::PAGE))>
                                {said.earlier}
                            </button>
                        })}
                        <ol class="messages" aria-label=said.messages>
                            {entries(chat.messages, chat.events).into_iter().map(|entry| match entry {
                                Entry::Message(message) => bubble(said, &message, ().into_any()),
                                Entry::Event(event) => happening(said, &event, show_events),
                            }).collect_view()}
                        </ol>
                        {(open && !chat.yours).then(|| view! {
                            <ActionForm action=take_over attr:class="inline-form take-over">
                                <input type="hidden" name="chat_id" value=take_id />
                                <button type="submit">{words.take_over}</button>
                                <span class="hint">{words.take_over_hint}</span>
                            </ActionForm>
                        })}
                        {open.then(|| view! {
                            <ActionForm action=resolve attr:class="inline-form resolve-chat">
                                <input type="hidden" name="chat_ids[0]" value=resolve_id />
                                <button type="submit">{words.resolve}</button>
                            </ActionForm>
                        })}
                    }
                    .into_any()
                })}
            </Transition>
            // Outside the redrawn part: a message arriving while the supervisor types keeps what
            // they type.
            {move || {
                let yours = chat.get().and_then(Result::ok).is_some_and(|chat| chat.yours && chat.state != "resolved");
                yours.then(|| view! {
                    <ActionForm action=reply attr:class="inline-form reply-form">
                        <input type="hidden" name="chat_id" value=chat_id />
                        <input type="hidden" name="quote" value="" />
                        <ReplyBox label=Signal::derive(move || said.get().reply) draft required=Signal::derive(|| true) />
                        <button type="submit">{move || said.get().send}</button>
                    </ActionForm>
                })
            }}
            {move || (!in_the_past()).then(|| view! {
                <TransferForm transfer chat_id=Signal::derive(chat_id) />
                <NoteForm note chat_id=Signal::derive(chat_id) />
            })}
            <Toast told />
        </section>
    }
}
