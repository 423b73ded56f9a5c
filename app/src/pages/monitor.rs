//! The supervisor's monitor (A3, G11): every agent's state — online, paused (why, since when) or
//! offline —, their time paused per reason today and their active chats, pending and following;
//! every queue's waiting chats and the longest wait; and the open chats. Live.

use crate::components::Refusal;
use crate::contract::{AgentMonitorView, MonitorView};
use crate::error::UiError;
use crate::i18n::use_words;
use crate::live::on_live_change;
use crate::pages::chats::{self, state_label};
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "monitor")]
pub async fn monitor() -> Result<MonitorView, UiError> {
    crate::ssr::with_status(crate::ssr::services()?.monitor(crate::ssr::session_token(), crate::ssr::time_zone()).await)
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
