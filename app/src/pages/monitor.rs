//! The supervisor's monitor (A3, G11): every agent's state — online, paused (why, since when) or
//! offline —, their time paused per reason today and their active chats; and the open chats. Live.

use crate::components::Refusal;
use crate::contract::{AgentMonitorView, MonitorView};
use crate::error::UiError;
use crate::i18n::use_words;
use crate::live::on_live_change;
use crate::pages::chats::{self, state_label};
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "monitor")]
pub async fn monitor() -> Result<MonitorView, UiError> {
    crate::ssr::with_status(crate::ssr::services()?.monitor(crate::ssr::session_token()).await)
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
    let board = Resource::new(move || pushed.get(), |_| monitor());
    view! {
        <section class="card">
            <h1>{move || words.get().title}</h1>
            <Transition fallback=move || view! { <p>{words.get().loading}</p> }>
                {move || Suspend::new(async move {
                    let (words, chat_words) = (words.get(), chat_words.get());
                    match board.await {
                        Ok(board) => view! {
                            <table class="monitor" aria-label=words.agents_now>
                                <thead><tr>
                                    <th scope="col">{words.agent}</th><th scope="col">{words.state}</th>
                                    <th scope="col">{words.chats}</th><th scope="col">{words.paused_today}</th>
                                </tr></thead>
                                <tbody>
                                    {board.agents.into_iter().map(|agent| {
                                        let state = state_text(words, &agent);
                                        let today = agent.paused_today.iter()
                                            .map(|(reason, minutes)| format!("{reason} {minutes} min"))
                                            .collect::<Vec<_>>().join(", ");
                                        view! {
                                            <tr data-id=agent.id.clone() class=format!("agent-{}", agent.state)>
                                                <th scope="row">{agent.name}</th>
                                                <td class="state">{state}</td>
                                                <td class="chats">{format!("{} / {}", agent.active_chats, agent.capacity)}</td>
                                                <td class="paused-today">{today}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                            <h2>{words.open_chats}</h2>
                            <ul class="chat-list" aria-label=words.open_chats>
                                {board.chats.into_iter().map(|chat| {
                                    let class = format!("chat chat-{}", chat.state);
                                    let state = state_label(chat_words, &chat.state);
                                    view! {
                                    <li data-id=chat.id class=class>
                                        <strong>{chat.contact}</strong>
                                        <span class="state">{state}</span>
                                        <span class="muted">{chat.queue.unwrap_or_default()}</span>
                                        <span class="agent">{chat.agent.unwrap_or_default()}</span>
                                    </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(error) => view! { <Refusal error sign_in=Some("/login/supervisor") /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
