//! The supervisor's monitor (A3, G11): every agent's state — online, paused (why, since when) or
//! offline —, their time paused per reason today and their active chats; and the open chats. Live.

use crate::contract::{AgentMonitorView, MonitorView};
use crate::error::UiError;
use crate::live::on_live_change;
use crate::pages::chats::state_label;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "monitor")]
pub async fn monitor() -> Result<MonitorView, UiError> {
    crate::ssr::with_status(crate::ssr::services()?.monitor(crate::ssr::session_token()).await)
}

fn state_text(agent: &AgentMonitorView) -> String {
    match (&agent.paused, agent.state.as_str()) {
        (Some((reason, _)), _) => format!("Paused: {reason}"),
        (None, "online") => "Online".into(),
        _ => "Offline".into(),
    }
}

#[component]
pub fn MonitorPage() -> impl IntoView {
    let pushed = RwSignal::new(0u64);
    on_live_change("agents", move || pushed.update(|n| *n += 1));
    on_live_change("chats", move || pushed.update(|n| *n += 1));
    let board = Resource::new(move || pushed.get(), |_| monitor());
    view! {
        <section class="card">
            <h1>"Monitor"</h1>
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match board.await {
                        Ok(board) => view! {
                            <table class="monitor" aria-label="Agents now">
                                <thead><tr>
                                    <th scope="col">"Agent"</th><th scope="col">"State"</th>
                                    <th scope="col">"Chats"</th><th scope="col">"Paused today"</th>
                                </tr></thead>
                                <tbody>
                                    {board.agents.into_iter().map(|agent| {
                                        let state = state_text(&agent);
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
                            <h2>"Open chats"</h2>
                            <ul class="chat-list" aria-label="Open chats">
                                {board.chats.into_iter().map(|chat| {
                                    let class = format!("chat chat-{}", chat.state);
                                    let state = state_label(&chat.state);
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
                        Err(error) => view! { <p role="alert" class="form-error">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
