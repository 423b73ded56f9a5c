//! Histories as the log holds them, for auditors and supervisors — of a chat, contact, agent, queue
//! or line: every event with when, who, in answer to what and what it says, narrowed by event type
//! and time, and downloaded as a spreadsheet file narrowed the same way; and the index of whose
//! histories there are.

use crate::components::Refusal;
use crate::contract::{HistoryFilter, HistoryView};
use crate::dates::LocalTime;
use crate::error::UiError;
use crate::i18n::use_words;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[server(prefix = "/api", endpoint = "history_of")]
pub async fn history_of(kind: String, id: String, filter: HistoryFilter) -> Result<HistoryView, UiError> {
    let zone = crate::ssr::time_zone();
    crate::ssr::with_status(crate::ssr::services()?.history(crate::ssr::session_token(), kind, id, filter, zone).await)
}

#[server(prefix = "/api", endpoint = "run_audit")]
pub async fn run_audit() -> Result<(bool, String), UiError> {
    crate::ssr::with_status(crate::ssr::services()?.audit(crate::ssr::session_token()).await)
}

#[server(prefix = "/api", endpoint = "audit_subjects")]
pub async fn audit_subjects() -> Result<Vec<(String, String, String)>, UiError> {
    crate::ssr::with_status(crate::ssr::services()?.audit_subjects(crate::ssr::session_token()).await)
}

struct Words {
    chat: &'static str,
    contact: &'static str,
    agent: &'static str,
    queue: &'static str,
    line: &'static str,
    back: &'static str,
    excel: &'static str,
    index: &'static str,
    index_hint: &'static str,
    agents: &'static str,
    queues: &'static str,
    lines: &'static str,
    audit: &'static str,
    audit_hint: &'static str,
    run_audit: &'static str,
    auditing: &'static str,
    clean: &'static str,
    found: &'static str,
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
    chat: "History of the chat",
    contact: "History of the contact",
    agent: "History of the agent",
    queue: "History of the queue",
    line: "History of the line",
    back: "← Back",
    excel: "Download as Excel",
    index: "Histories, as the log holds them",
    index_hint: "A chat's history opens from the chat; a contact's, from their card.",
    agents: "Agents",
    queues: "Queues",
    lines: "Lines",
    audit: "Audit",
    audit_hint: "Rebuilds every read model from the log beside the live one and compares them, and checks every seal of the log: an edit made in the database itself is found. It takes a while on a large log.",
    run_audit: "Audit now",
    auditing: "Auditing…",
    clean: "Nothing differs: the read models are what the log says, and every seal matches.",
    found: "The audit found differences:",
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
    chat: "Historia del chat",
    contact: "Historia del contacto",
    agent: "Historia del agente",
    queue: "Historia de la cola",
    line: "Historia de la línea",
    back: "← Volver",
    excel: "Descargar como Excel",
    index: "Historias, tal como las guarda el registro",
    index_hint: "La historia de un chat se abre desde el chat; la de un contacto, desde su ficha.",
    agents: "Agentes",
    queues: "Colas",
    lines: "Líneas",
    audit: "Auditoría",
    audit_hint: "Reconstruye cada modelo de lectura desde el registro junto al vivo y los compara, y comprueba cada sello del registro: se encuentra cualquier cambio hecho en la base de datos misma. Tarda en un registro grande.",
    run_audit: "Auditar ahora",
    auditing: "Auditando…",
    clean: "Nada difiere: los modelos de lectura son lo que dice el registro, y cada sello coincide.",
    found: "La auditoría encontró diferencias:",
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
pub fn HistoryPage() -> impl IntoView {
    let words = use_words(&ENGLISH, &SPANISH);
    let params = use_params_map();
    let kind = move || params.read().get("kind").unwrap_or_default();
    let id = move || params.read().get("id").unwrap_or_default();
    let event_type = RwSignal::new(String::new());
    let from = RwSignal::new(String::new());
    let until = RwSignal::new(String::new());
    let history = Resource::new(
        move || (kind(), id(), HistoryFilter { event_type: event_type.get(), from: from.get(), until: until.get() }),
        |(kind, id, filter)| history_of(kind, id, filter),
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
            <h1>{move || {
                let words = words.get();
                match kind().as_str() {
                    "chats" => words.chat,
                    "contacts" => words.contact,
                    "agents" => words.agent,
                    "queues" => words.queue,
                    _ => words.line,
                }
            }}</h1>
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
                    let query = if view.query.is_empty() { String::new() } else { format!("?{}", view.query) };
                    view! {
                        <p class="history-of"><a href=view.back>{words.back}</a>" · "<strong>{view.name}</strong></p>
                        <p>
                            <a class="download" href=format!("{}.csv{query}", view.file) download="">{words.download}</a>
                            " · "
                            <a class="download" href=format!("{}.xlsx{query}", view.file) download="">{words.excel}</a>
                        </p>
                        {rows.unwrap_or_else(|| view! { <p class="empty">{words.none}</p> }.into_any())}
                    }
                    .into_any()
                })}
            </Transition>
        </section>
    }
}

/// Whose histories there are: every agent, queue and line of the company.
#[component]
pub fn AuditIndexPage() -> impl IntoView {
    let words = use_words(&ENGLISH, &SPANISH);
    let subjects = Resource::new(|| (), |_| audit_subjects());
    let audit = ServerAction::<RunAudit>::new();
    let outcome = move || {
        let words = words.get();
        match audit.value().get() {
            Some(Ok((true, report))) => view! {
                <p role="status" class="audit-clean">{words.clean}</p>
                <pre class="audit-report" tabindex="0">{report}</pre>
            }
            .into_any(),
            Some(Ok((false, report))) => view! {
                <p role="alert" class="audit-found">{words.found}</p>
                <pre class="audit-report" tabindex="0">{report}</pre>
            }
            .into_any(),
            Some(Err(error)) => view! { <Refusal error /> }.into_any(),
            None => ().into_any(),
        }
    };
    view! {
        <section class="card audit-index">
            <h1>{move || words.get().index}</h1>
            <h2 id="audit-now">{move || words.get().audit}</h2>
            <p class="hint">{move || words.get().audit_hint}</p>
            <ActionForm action=audit attr:aria-labelledby="audit-now">
                <button type="submit" disabled=move || audit.pending().get()>
                    {move || if audit.pending().get() { words.get().auditing } else { words.get().run_audit }}
                </button>
            </ActionForm>
            {outcome}
            <p class="hint">{move || words.get().index_hint}</p>
            <Transition fallback=move || view! { <p>{words.get().loading}</p> }>
                {move || Suspend::new(async move {
                    let words = words.get();
                    let subjects = match subjects.await {
                        Ok(subjects) => subjects,
                        Err(error) => return view! { <Refusal error sign_in=Some("/login/supervisor") /> }.into_any(),
                    };
                    [("agents", words.agents), ("queues", words.queues), ("lines", words.lines)]
                        .into_iter()
                        .map(|(kind, title)| {
                            let listed: Vec<_> = subjects.iter().filter(|(k, _, _)| k == kind).cloned().collect();
                            view! {
                                <h2 id=format!("audit-{kind}")>{title}</h2>
                                <ul aria-labelledby=format!("audit-{kind}")>
                                    {listed.into_iter().map(|(kind, id, name)| view! {
                                        <li><a href=format!("/audit/{kind}/{id}")>{name}</a></li>
                                    }).collect_view()}
                                </ul>
                            }
                        })
                        .collect_view()
                        .into_any()
                })}
            </Transition>
        </section>
    }
}
