//! The supervisor's monitor (A3, G11): every agent's state — online, paused (why, since when) or
//! offline —, their time paused per reason today and their active chats, pending and following;
//! every queue's waiting chats and the longest wait; and the open chats. Live.

use crate::components::{choices_of, refusal, FormError, Narrow, Refusal};
use crate::contract::{AgentMonitorView, ChatView, MonitorView};
use crate::error::UiError;
use crate::i18n::use_words;
use crate::live::on_live_change;
use crate::pages::chats::{self, state_label, ChooseChat, ResolveChats, ResolveChosen};
use crate::past::{PastMoment, ShownAsItStood};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The monitor now, or as it stood at `at` (`datetime-local`, the reader's zone).
#[server(prefix = "/api", endpoint = "monitor")]
pub async fn monitor(#[server(default)] at: String) -> Result<MonitorView, UiError> {
    crate::ssr::with_status(
        crate::ssr::services()?.monitor(crate::ssr::session_token(), crate::ssr::time_zone(), at).await,
    )
}

struct Words {
    title: &'static str,
    loading: &'static str,
    agents_now: &'static str,
    agent: &'static str,
    state: &'static str,
    chats: &'static str,
    paused_today: &'static str,
    paused: &'static str,
    online: &'static str,
    offline: &'static str,
    open_chats: &'static str,
    pending: &'static str,
    following: &'static str,
    queues_now: &'static str,
    queue: &'static str,
    waiting: &'static str,
    longest_wait: &'static str,
    by_queue: &'static str,
    by_agent: &'static str,
    by_state: &'static str,
    by_tag: &'static str,
    none_like_that: &'static str,
}

/// What the supervisor narrowed the open chats to; an empty value admits every chat.
#[derive(Clone, Copy)]
struct ChatFilter {
    line: RwSignal<String>,
    queue: RwSignal<String>,
    agent: RwSignal<String>,
    state: RwSignal<String>,
    tag: RwSignal<String>,
}

impl ChatFilter {
    fn new() -> Self {
        let empty = || RwSignal::new(String::new());
        Self { line: empty(), queue: empty(), agent: empty(), state: empty(), tag: empty() }
    }

    fn admits(&self, chat: &ChatView) -> bool {
        let is = |wanted: RwSignal<String>, value: Option<&str>| {
            wanted.with(|wanted| wanted.is_empty() || value == Some(wanted.as_str()))
        };
        is(self.line, Some(&chat.line_id))
            && is(self.queue, chat.queue.as_deref())
            && is(self.agent, chat.agent.as_deref())
            && is(self.state, Some(&chat.state))
            && self.tag.with(|tag| tag.is_empty() || chat.tags.iter().any(|t| t.to_lowercase() == *tag))
    }
}

/// Minutes as a person reads them: `12 min`, `1 h 05 min` (the same in both languages).
fn minutes_text(minutes: i64) -> String {
    match (minutes / 60, minutes % 60) {
        (0, minutes) => format!("{minutes} min"),
        (hours, minutes) => format!("{hours} h {minutes:02} min"),
    }
}

const ENGLISH: Words = Words {
    title: "Monitor",
    loading: "Loading…",
    agents_now: "Agents now",
    agent: "Agent",
    state: "State",
    chats: "Chats",
    paused_today: "Paused today",
    paused: "Paused",
    online: "Online",
    offline: "Offline",
    open_chats: "Open chats",
    pending: "Pending",
    following: "Following",
    queues_now: "Queues now",
    queue: "Queue",
    waiting: "Waiting",
    longest_wait: "Longest wait",
    by_queue: "Queue",
    by_agent: "Agent",
    by_state: "State",
    by_tag: "Tag",
    none_like_that: "No open chat is like that.",
};

const SPANISH: Words = Words {
    title: "Monitor",
    loading: "Cargando…",
    agents_now: "Agentes ahora",
    agent: "Agente",
    state: "Estado",
    chats: "Chats",
    paused_today: "En pausa hoy",
    paused: "En pausa",
    online: "Conectado",
    offline: "Desconectado",
    open_chats: "Chats abiertos",
    pending: "Pendientes",
    following: "En seguimiento",
    queues_now: "Colas ahora",
    queue: "Cola",
    waiting: "En espera",
    longest_wait: "Espera más larga",
    by_queue: "Cola",
    by_agent: "Agente",
    by_state: "Estado",
    by_tag: "Etiqueta",
    none_like_that: "Ningún chat abierto es así.",
};

fn state_text(words: &Words, agent: &AgentMonitorView) -> String {
    match (&agent.paused, agent.state.as_str()) {
        (Some((reason, _)), _) => format!("{}: {reason}", words.paused),
        (None, "online") => words.online.into(),
        _ => words.offline.into(),
    }
}

#[component]
pub fn MonitorPage() -> impl IntoView {
    let words = use_words(&ENGLISH, &SPANISH);
    let chat_words = use_words(&chats::ENGLISH, &chats::SPANISH);
    let pushed = RwSignal::new(0u64);
    on_live_change("agents", move || pushed.update(|n| *n += 1));
    on_live_change("chats", move || pushed.update(|n| *n += 1));
    let resolve = ServerAction::<ResolveChats>::new();
    // A link from another page may ask for a past moment.
    let at = RwSignal::new(use_query_map().read_untracked().get("at").unwrap_or_default());
    let board = Resource::new(move || (pushed.get(), resolve.version().get(), at.get()), |(_, _, at)| monitor(at));
    let filter = ChatFilter::new();
    let chosen: RwSignal<Vec<String>> = RwSignal::new(Vec::new());
    Effect::new(move || {
        if resolve.version().get() > 0 {
            chosen.set(Vec::new());
        }
    });
    view! {
        <section class="card">
            <h1>{move || words.get().title}</h1>
            <form class="inbox-filters" on:submit=|event| event.prevent_default()>
                <PastMoment id="monitor-at" at />
            </form>
            <FormError error=Signal::derive(move || refusal(resolve)) />
            <Transition fallback=move || view! { <p>{words.get().loading}</p> }>
                {move || Suspend::new(async move {
                    let (words, chat_words) = (words.get(), chat_words.get());
                    match board.await {
                        Ok(board) => view! {
                            <ShownAsItStood at=board.at.clone() />
                            <table class="monitor" aria-label=words.agents_now>
                                <thead><tr>
                                    <th scope="col">{words.agent}</th><th scope="col">{words.state}</th>
                                    <th scope="col">{words.chats}</th><th scope="col">{words.pending}</th>
                                    <th scope="col">{words.following}</th><th scope="col">{words.paused_today}</th>
                                </tr></thead>
                                <tbody>
                                    {board.agents.into_iter().map(|agent| {
                                        let state = state_text(words, &agent);
                                        let today = agent.paused_today.iter()
                                            .map(|(reason, minutes)| format!("{reason} {}", minutes_text(*minutes)))
                                            .collect::<Vec<_>>().join(", ");
                                        view! {
                                            <tr data-id=agent.id.clone() class=format!("agent-{}", agent.state)>
                                                <th scope="row">{agent.name}</th>
                                                <td class="state">{state}</td>
                                                <td class="chats">{format!("{} / {}", agent.pending + agent.following, agent.capacity)}</td>
                                                <td class="pending">{agent.pending}</td>
                                                <td class="following">{agent.following}</td>
                                                <td class="paused-today">{today}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                            <h2>{words.queues_now}</h2>
                            <table class="monitor" aria-label=words.queues_now>
                                <thead><tr>
                                    <th scope="col">{words.queue}</th><th scope="col">{words.waiting}</th>
                                    <th scope="col">{words.longest_wait}</th>
                                </tr></thead>
                                <tbody>
                                    {board.queues.into_iter().map(|queue| view! {
                                        <tr data-id=queue.id>
                                            <th scope="row">{queue.name}</th>
                                            <td class="waiting">{queue.waiting}</td>
                                            <td class="longest-wait">{queue.longest_wait.map(minutes_text)}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                            <h2>{words.open_chats}</h2>
                            <OpenChats chats=board.chats past=board.at.map(|_| at.get_untracked()) filter chosen resolve words chat_words />
                        }.into_any(),
                        Err(error) => view! { <Refusal error sign_in=Some("/login/supervisor") /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// The open chats, narrowed by line, queue, agent, state and tag; any of them chosen and resolved
/// at once (G16). In the past (`past`: the moment as the field holds it) they are only read, each
/// leading to the chat as it stood then.
#[component]
fn OpenChats(
    chats: Vec<ChatView>,
    past: Option<String>,
    filter: ChatFilter,
    chosen: RwSignal<Vec<String>>,
    resolve: ServerAction<ResolveChats>,
    words: &'static Words,
    chat_words: &'static chats::ChatWords,
) -> impl IntoView {
    let lines = choices_of(chats.iter().map(|c| (c.line_id.clone(), c.line.clone())));
    let queues = choices_of(chats.iter().filter_map(|c| c.queue.clone().map(|q| (q.clone(), q))));
    let agents = choices_of(chats.iter().filter_map(|c| c.agent.clone().map(|a| (a.clone(), a))));
    let states = choices_of(chats.iter().map(|c| (c.state.clone(), state_label(chat_words, &c.state).to_string())));
    let tags = choices_of(chats.iter().flat_map(|c| c.tags.iter().map(|t| (t.to_lowercase(), t.clone()))));
    let read_only = past.is_some();
    let then = past.map(|at| format!("?at={at}")).unwrap_or_default();
    let list = move || {
        let shown: Vec<ChatView> = chats.iter().filter(|chat| filter.admits(chat)).cloned().collect();
        if shown.is_empty() {
            return view! { <p class="empty">{words.none_like_that}</p> }.into_any();
        }
        view! {
            <ul class="chat-list" aria-label=words.open_chats>
                {shown.into_iter().map(|chat| {
                    let class = format!("chat chat-{}", chat.state);
                    let state = state_label(chat_words, &chat.state);
                    let title = chat.name.clone().unwrap_or_else(|| chat.contact.clone());
                    let label = format!("{} {title}", chat_words.choose);
                    view! {
                    <li data-id=chat.id.clone() class=class>
                        {(!read_only).then(|| view! { <ChooseChat id=chat.id.clone() label chosen /> })}
                        <a class="contact" href=format!("/supervisor/chats/{}{then}", chat.id)><strong>{title}</strong></a>
                        <span class="state">{state}</span>
                        <span class="muted">{chat.queue.unwrap_or_default()}</span>
                        <span class="agent">{chat.agent.unwrap_or_default()}</span>
                        <span class="muted line-name">{chat.line}</span>
                        {(!chat.tags.is_empty()).then(|| view! {
                            <ul class="tags" aria-label=chat_words.tags>
                                {chat.tags.iter().map(|tag| view! { <li class="tag">{tag.clone()}</li> }).collect_view()}
                            </ul>
                        })}
                    </li>
                    }
                }).collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <div class="inbox-filters">
            <Narrow id="monitor-line" label=chat_words.by_line any=chat_words.any options=lines chosen=filter.line />
            <Narrow id="monitor-queue" label=words.by_queue any=chat_words.any options=queues chosen=filter.queue />
            <Narrow id="monitor-agent" label=words.by_agent any=chat_words.any options=agents chosen=filter.agent />
            <Narrow id="monitor-state" label=words.by_state any=chat_words.any options=states chosen=filter.state />
            <Narrow id="monitor-tag" label=words.by_tag any=chat_words.any options=tags chosen=filter.tag />
        </div>
        {(!read_only).then(|| view! { <ResolveChosen resolve chosen label=chat_words.resolve_chosen /> })}
        {list}
    }
}

#[cfg(test)]
mod tests {
    use super::minutes_text;

    #[test]
    fn minutes_read_as_minutes_then_hours_and_minutes() {
        assert_eq!(minutes_text(0), "0 min");
        assert_eq!(minutes_text(59), "59 min");
        assert_eq!(minutes_text(65), "1 h 05 min");
        assert_eq!(minutes_text(600), "10 h 00 min");
    }
}
