//! A chat's history as the log holds it, for auditors and supervisors: every event with when,
//! who, in answer to what and what it says, narrowed by event type and time, and downloaded as a
//! spreadsheet file narrowed the same way.

use crate::components::Refusal;
use crate::contract::{HistoryFilter, HistoryView};
use crate::dates::LocalTime;
use crate::error::UiError;
use crate::i18n::use_words;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[server(prefix = "/api", endpoint = "chat_history_of")]
pub async fn chat_history_of(chat_id: String, filter: HistoryFilter) -> Result<HistoryView, UiError> {
    let zone = crate::ssr::time_zone();
    crate::ssr::with_status(
        crate::ssr::services()?.chat_history(crate::ssr::session_token(), chat_id, filter, zone).await,
    )
}

struct Words {
    title: &'static str,
    back: &'static str,
    loading: &'static str,
    event_type: &'static str,
    every_type: &'static str,
    from: &'static str,
    until: &'static str,
    download: &'static str,
    events: &'static str,
    none: &'static str,
    revision: &'static str,
    when: &'static str,
    event: &'static str,
    who: &'static str,
    correlation: &'static str,
    data: &'static str,
}

const ENGLISH: Words = Words {
    title: "History of the chat, as the log holds it",
    back: "← The chat",
    loading: "Loading…",
    event_type: "Event type",
    every_type: "Every type",
    from: "From",
    until: "Until",
    download: "Download as CSV",
    events: "Events",
    none: "No event is like that.",
    revision: "#",
    when: "When",
    event: "Event",
    who: "Who",
    correlation: "Correlation / cause",
    data: "What it says",
};

const SPANISH: Words = Words {
    title: "Historia del chat, tal como la guarda el registro",
    back: "← El chat",
    loading: "Cargando…",
    event_type: "Tipo de evento",
    every_type: "Todos los tipos",
    from: "Desde",
    until: "Hasta",
    download: "Descargar como CSV",
    events: "Eventos",
    none: "Ningún evento es así.",
    revision: "#",
    when: "Cuándo",
    event: "Evento",
    who: "Quién",
    correlation: "Correlación / causa",
    data: "Qué dice",
};

#[component]
pub fn ChatHistoryPage() -> impl IntoView {
    let words = use_words(&ENGLISH, &SPANISH);
    let params = use_params_map();
    let chat_id = move || params.read().get("id").unwrap_or_default();
    let event_type = RwSignal::new(String::new());
    let from = RwSignal::new(String::new());
    let until = RwSignal::new(String::new());
    let history = Resource::new(
        move || (chat_id(), HistoryFilter { event_type: event_type.get(), from: from.get(), until: until.get() }),
        |(id, filter)| chat_history_of(id, filter),
    );
    // The types to narrow by, kept from the first answer: narrowing does not take them away.
    let types: RwSignal<Vec<String>> = RwSignal::new(Vec::new());
    Effect::new(move || {
        if let Some(Ok(view)) = history.get() {
            if types.with_untracked(Vec::is_empty) {
                types.set(view.event_types);
            }
        }
    });
    view! {
        <section class="card chat-history">
            <p><a href=move || format!("/supervisor/chats/{}", chat_id())>{move || words.get().back}</a></p>
            <h1>{move || words.get().title}</h1>
            <div class="inbox-filters">
                <label for="history-type">{move || words.get().event_type}</label>
                <select id="history-type" on:change=move |event| event_type.set(event_target_value(&event))>
                    <option value="">{move || words.get().every_type}</option>
                    {move || types.get().into_iter().map(|kind| view! { <option value=kind.clone()>{kind.clone()}</option> }).collect_view()}
                </select>
                <label for="history-from">{move || words.get().from}</label>
                <input id="history-from" type="datetime-local" on:change=move |event| from.set(event_target_value(&event)) />
                <label for="history-until">{move || words.get().until}</label>
                <input id="history-until" type="datetime-local" on:change=move |event| until.set(event_target_value(&event)) />
            </div>
            <Transition fallback=move || view! { <p>{words.get().loading}</p> }>
                {move || Suspend::new(async move {
                    let words = words.get();
                    let view = match history.await {
                        Ok(view) => view,
                        Err(error) => return view! { <Refusal error sign_in=Some("/login/supervisor") /> }.into_any(),
                    };
                    let rows = (!view.entries.is_empty()).then(|| view! {
                        <div class="table-scroll">
                            <table aria-label=words.events class="history">
                                <thead><tr>
                                    <th scope="col">{words.revision}</th><th scope="col">{words.when}</th>
                                    <th scope="col">{words.event}</th><th scope="col">{words.who}</th>
                                    <th scope="col">{words.correlation}</th><th scope="col">{words.data}</th>
                                </tr></thead>
                                <tbody>
                                    {view.entries.into_iter().map(|entry| {
                                        let kind = entry.event_type.clone();
                                        view! {
                                        <tr data-type=kind>
                                            <td>{entry.revision}</td>
                                            <td><LocalTime at=entry.occurred_at /></td>
                                            <th scope="row">{entry.event_type}</th>
                                            <td class="actor">{entry.actor}</td>
                                            <td class="correlation"><code>{entry.correlation_id}</code>
                                                {entry.causation_id.map(|cause| view! { <br /><code>{cause}</code> })}</td>
                                            <td><pre class="event-data" tabindex="0">{entry.data}</pre></td>
                                        </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any());
                    view! {
                        <p><a class="download" href=view.file download="">{words.download}</a></p>
                        {rows.unwrap_or_else(|| view! { <p class="empty">{words.none}</p> }.into_any())}
                    }
                    .into_any()
                })}
            </Transition>
        </section>
    }
}
