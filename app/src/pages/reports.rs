//! The reports (W8, P1–P10): over whole days in the company's time zone, of the company or of one
//! queue, line or agent — each category's total and its chats, charts of conversations per hour,
//! day and queue and of the agents' response times, the agents' and menu options' tables; every
//! table also as a spreadsheet file.

use crate::charts::{BarChart, Series};
use crate::components::Refusal;
use crate::contract::{ReportCategoryView, ReportFilter, ReportView, TallyView};
use crate::dates::LocalTime;
use crate::error::UiError;
use crate::i18n::use_words;
use crate::pages::chats::{self, state_label};
use crate::past::{PastMoment, ShownAsItStood};
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "report_of")]
pub async fn report_of(filter: ReportFilter) -> Result<ReportView, UiError> {
    let zone = crate::ssr::time_zone();
    crate::ssr::with_status(crate::ssr::services()?.report(crate::ssr::session_token(), filter, zone).await)
}

struct Words {
    title: &'static str,
    histories: &'static str,
    loading: &'static str,
    from: &'static str,
    until: &'static str,
    of: &'static str,
    company: &'static str,
    queues: &'static str,
    lines: &'static str,
    agents_group: &'static str,
    days_in: &'static str,
    incoming: &'static str,
    categories: &'static str,
    pending: &'static str,
    following: &'static str,
    open: &'static str,
    new: &'static str,
    resolved: &'static str,
    none: &'static str,
    shown: &'static str,
    download: &'static str,
    contact: &'static str,
    line: &'static str,
    queue: &'static str,
    agent: &'static str,
    state: &'static str,
    when: &'static str,
    resolved_by: &'static str,
    charts: &'static str,
    per_hour: &'static str,
    per_day: &'static str,
    per_queue: &'static str,
    response_times: &'static str,
    hour: &'static str,
    day: &'static str,
    the_table: &'static str,
    first_response: &'static str,
    response: &'static str,
    seconds: &'static str,
    agents: &'static str,
    options: &'static str,
    option: &'static str,
    ended_by_bot: &'static str,
    no_options: &'static str,
    short_pending: &'static str,
    short_following: &'static str,
    short_new: &'static str,
    short_incoming: &'static str,
    short_resolved: &'static str,
}

const ENGLISH: Words = Words {
    title: "Reports",
    histories: "Histories of agents, queues and lines, as the log holds them",
    loading: "Loading…",
    from: "From",
    until: "Until",
    of: "Of",
    company: "The whole company",
    queues: "Queues",
    lines: "Lines",
    agents_group: "Agents",
    days_in: "Whole days in",
    incoming: "conversations came in",
    categories: "Chats by category",
    pending: "Pending — the customer waits for our answer (now)",
    following: "Following — answered, waiting for the customer (now)",
    open: "Open — no agent yet (now)",
    new: "New — first contact, in these days",
    resolved: "Resolved by an agent or a supervisor, in these days",
    none: "None.",
    shown: "The latest {n} are shown; the file holds them all.",
    download: "Download as CSV",
    contact: "Contact",
    line: "Line",
    queue: "Queue",
    agent: "Agent",
    state: "Now",
    when: "When",
    resolved_by: "Resolved by",
    charts: "Charts",
    per_hour: "Conversations per hour of the day",
    per_day: "Conversations per day",
    per_queue: "Conversations per queue",
    response_times: "Agents' average response times (seconds)",
    hour: "Hour",
    day: "Day",
    the_table: "The figures",
    first_response: "First answer",
    response: "Each answer",
    seconds: "s",
    agents: "Agents",
    options: "Menu options",
    option: "Option",
    ended_by_bot: "Ended at the bot",
    no_options: "No conversation was sorted by a menu option.",
    short_pending: "Pending",
    short_following: "Following",
    short_new: "New",
    short_incoming: "Incoming",
    short_resolved: "Resolved",
};

const SPANISH: Words = Words {
    title: "Informes",
    histories: "Historias de agentes, colas y líneas, tal como las guarda el registro",
    loading: "Cargando…",
    from: "Desde",
    until: "Hasta",
    of: "De",
    company: "Toda la empresa",
    queues: "Colas",
    lines: "Líneas",
    agents_group: "Agentes",
    days_in: "Días completos en",
    incoming: "conversaciones entraron",
    categories: "Chats por categoría",
    pending: "Pendientes — el cliente espera nuestra respuesta (ahora)",
    following: "En seguimiento — respondidos, a la espera del cliente (ahora)",
    open: "Abiertos — sin agente todavía (ahora)",
    new: "Nuevos — primer contacto, en estos días",
    resolved: "Resueltos por un agente o supervisor, en estos días",
    none: "Ninguno.",
    shown: "Se muestran los {n} más recientes; el archivo los tiene todos.",
    download: "Descargar como CSV",
    contact: "Contacto",
    line: "Línea",
    queue: "Cola",
    agent: "Agente",
    state: "Ahora",
    when: "Cuándo",
    resolved_by: "Resuelto por",
    charts: "Gráficos",
    per_hour: "Conversaciones por hora del día",
    per_day: "Conversaciones por día",
    per_queue: "Conversaciones por cola",
    response_times: "Tiempos medios de respuesta de los agentes (segundos)",
    hour: "Hora",
    day: "Día",
    the_table: "Las cifras",
    first_response: "Primera respuesta",
    response: "Cada respuesta",
    seconds: "s",
    agents: "Agentes",
    options: "Opciones del menú",
    option: "Opción",
    ended_by_bot: "Terminadas en el bot",
    no_options: "Ninguna conversación se ordenó por una opción del menú.",
    short_pending: "Pendientes",
    short_following: "En seguimiento",
    short_new: "Nuevos",
    short_incoming: "Entrantes",
    short_resolved: "Resueltos",
};

fn category_title(words: &Words, category: &str) -> &'static str {
    match category {
        "pending" => words.pending,
        "following" => words.following,
        "open" => words.open,
        "new" => words.new,
        _ => words.resolved,
    }
}

fn seconds(value: Option<i64>, unit: &str) -> String {
    value.map(|s| format!("{s} {unit}")).unwrap_or_else(|| "—".to_string())
}

#[component]
pub fn ReportsPage() -> impl IntoView {
    let words = use_words(&ENGLISH, &SPANISH);
    let chat_words = use_words(&chats::ENGLISH, &chats::SPANISH);
    let from = RwSignal::new(String::new());
    let until = RwSignal::new(String::new());
    let of = RwSignal::new(String::new());
    let at = RwSignal::new(String::new());
    let report = Resource::new(
        move || ReportFilter { from: from.get(), until: until.get(), of: of.get(), at: at.get() },
        report_of,
    );
    view! {
        <section class="card reports">
            <h1>{move || words.get().title}</h1>
            <p><a href="/audit">{move || words.get().histories}</a></p>
            <Transition fallback=move || view! { <p>{words.get().loading}</p> }>
                {move || Suspend::new(async move {
                    match report.await {
                        // Drawn again in the other language when the person picks it.
                        Ok(view) => (move || {
                            let (words, chat_words) = (words.get(), chat_words.get());
                            view! { <Report view=view.clone() from until of at words chat_words /> }
                        })
                        .into_any(),
                        Err(error) => view! { <Refusal error sign_in=Some("/login/supervisor") /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Report(
    view: ReportView,
    from: RwSignal<String>,
    until: RwSignal<String>,
    of: RwSignal<String>,
    at: RwSignal<String>,
    words: &'static Words,
    chat_words: &'static chats::ChatWords,
) -> impl IntoView {
    let ReportView {
        from: first,
        until: last,
        time_zone,
        scopes,
        of: chosen,
        incoming,
        categories,
        agents,
        options,
        per_hour,
        per_day,
        per_queue,
        query,
        at: stood,
    } = view;
    let group = |prefix: &str, label: &'static str| {
        let members: Vec<(String, String)> =
            scopes.iter().filter(|(value, _)| value.starts_with(prefix)).cloned().collect();
        let chosen = chosen.clone();
        (!members.is_empty()).then(|| {
            view! {
                <optgroup label=label>
                    {members.into_iter().map(|(value, name)| {
                        let selected = value == chosen;
                        view! { <option value=value selected=selected>{name}</option> }
                    }).collect_view()}
                </optgroup>
            }
        })
    };
    let counts = |tallies: &[TallyView], with_new: bool| -> Vec<(String, Vec<i64>)> {
        tallies
            .iter()
            .map(|t| {
                let values = if with_new { vec![t.incoming, t.new, t.resolved] } else { vec![t.incoming, t.resolved] };
                (t.key.clone(), values)
            })
            .collect()
    };
    let incoming_series = Series { name: words.short_incoming, class: "series-incoming" };
    let new_series = Series { name: words.short_new, class: "series-new" };
    let resolved_series = Series { name: words.short_resolved, class: "series-resolved" };
    let response_rows: Vec<(String, Vec<i64>)> = agents
        .iter()
        .map(|a| (a.name.clone(), vec![a.average_first_response.unwrap_or(0), a.average_response.unwrap_or(0)]))
        .collect();
    view! {
        <form class="inbox-filters report-filter" on:submit=|event| event.prevent_default()>
            <label for="report-from">{words.from}</label>
            <input id="report-from" type="date" value=first.clone() on:change=move |event| from.set(event_target_value(&event)) />
            <label for="report-until">{words.until}</label>
            <input id="report-until" type="date" value=last.clone() on:change=move |event| until.set(event_target_value(&event)) />
            <label for="report-of">{words.of}</label>
            <select id="report-of" on:change=move |event| of.set(event_target_value(&event))>
                <option value="" selected=chosen.is_empty()>{words.company}</option>
                {group("queue:", words.queues)}
                {group("line:", words.lines)}
                {group("agent:", words.agents_group)}
            </select>
            <PastMoment id="report-at" at />
        </form>
        <ShownAsItStood at=stood />
        <p class="report-summary">
            {words.days_in}" "<strong>{time_zone}</strong>" · "<strong class="incoming">{incoming}</strong>" "{words.incoming}
        </p>
        <h2>{words.categories}</h2>
        <dl class="report-totals">
            {categories.iter().map(|category| view! {
                <div class=format!("total {}", category.category)>
                    <dt>{category_title(words, &category.category)}</dt>
                    <dd>{category.total}</dd>
                </div>
            }).collect_view()}
        </dl>
        {categories.into_iter().map(|category| view! { <CategoryChats category query=query.clone() words chat_words /> }).collect_view()}
        <h2>{words.charts}</h2>
        <div class="charts">
            <BarChart id="per-hour" title=words.per_hour series=vec![incoming_series, resolved_series]
                rows=counts(&per_hour, false) table_label=words.the_table key_label=words.hour />
            <BarChart id="per-day" title=words.per_day series=vec![incoming_series, new_series, resolved_series]
                rows=counts(&per_day, true) table_label=words.the_table key_label=words.day />
            <BarChart id="per-queue" title=words.per_queue series=vec![incoming_series, resolved_series]
                rows=counts(&per_queue, false) table_label=words.the_table key_label=words.queue />
            <BarChart id="response-times" title=words.response_times
                series=vec![Series { name: words.first_response, class: "series-first" }, Series { name: words.response, class: "series-response" }]
                rows=response_rows table_label=words.the_table key_label=words.agent />
        </div>
        <h2 id="report-agents">{words.agents}</h2>
        <p><a class="download" href=format!("/api/v1/reports/agents.csv?{query}") download="">{words.download}</a></p>
        <div class="table-scroll">
            <table aria-labelledby="report-agents">
                <thead><tr>
                    <th scope="col">{words.agent}</th><th scope="col">{words.short_pending}</th>
                    <th scope="col">{words.short_following}</th><th scope="col">{words.short_incoming}</th>
                    <th scope="col">{words.short_resolved}</th><th scope="col">{words.first_response}</th>
                    <th scope="col">{words.response}</th>
                </tr></thead>
                <tbody>
                    {agents.into_iter().map(|agent| view! {
                        <tr>
                            <th scope="row">{agent.name}</th><td>{agent.pending}</td><td>{agent.following}</td>
                            <td>{agent.incoming}</td><td>{agent.resolved}</td>
                            <td>{seconds(agent.average_first_response, words.seconds)}</td>
                            <td>{seconds(agent.average_response, words.seconds)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <h2 id="report-options">{words.options}</h2>
        <p><a class="download" href=format!("/api/v1/reports/options.csv?{query}") download="">{words.download}</a></p>
        {if options.is_empty() {
            view! { <p class="empty">{words.no_options}</p> }.into_any()
        } else {
            view! {
                <div class="table-scroll">
                    <table aria-labelledby="report-options">
                        <thead><tr>
                            <th scope="col">{words.line}</th><th scope="col">{words.option}</th>
                            <th scope="col">{words.short_pending}</th><th scope="col">{words.short_following}</th>
                            <th scope="col">{words.short_incoming}</th><th scope="col">{words.short_resolved}</th>
                            <th scope="col">{words.ended_by_bot}</th>
                        </tr></thead>
                        <tbody>
                            {options.into_iter().map(|option| view! {
                                <tr>
                                    <td>{option.line}</td>
                                    <th scope="row">{format!("{} · {}", option.path, option.label)}</th>
                                    <td>{option.pending}</td><td>{option.following}</td>
                                    <td>{option.incoming}</td><td>{option.resolved}</td><td>{option.ended_by_bot}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any()
        }}
    }
}

/// One category's chats (P6), folded until opened, with its file.
#[component]
fn CategoryChats(
    category: ReportCategoryView,
    query: String,
    words: &'static Words,
    chat_words: &'static chats::ChatWords,
) -> impl IntoView {
    let ReportCategoryView { category: name, total, chats } = category;
    let title = category_title(words, &name);
    let listed = chats.len() as i64;
    let file = format!("/api/v1/reports/chats.csv?category={name}&{query}");
    let resolved = name == "resolved";
    view! {
        <details class=format!("report-category {name}")>
            <summary>{format!("{title}: {total}")}</summary>
            <p><a class="download" href=file download="">{words.download}</a></p>
            {(listed < total).then(|| view! { <p class="hint">{words.shown.replace("{n}", &listed.to_string())}</p> })}
            {if chats.is_empty() {
                view! { <p class="empty">{words.none}</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll">
                        <table aria-label=title>
                            <thead><tr>
                                <th scope="col">{words.contact}</th><th scope="col">{words.line}</th>
                                <th scope="col">{words.queue}</th><th scope="col">{words.agent}</th>
                                <th scope="col">{words.state}</th><th scope="col">{words.when}</th>
                                {resolved.then(|| view! { <th scope="col">{words.resolved_by}</th> })}
                            </tr></thead>
                            <tbody>
                                {chats.into_iter().map(|chat| view! {
                                    <tr>
                                        <th scope="row"><a href=format!("/supervisor/chats/{}", chat.chat_id)>{chat.contact}</a></th>
                                        <td>{chat.line}</td>
                                        <td>{chat.queue.unwrap_or_default()}</td>
                                        <td>{chat.agent.unwrap_or_default()}</td>
                                        <td>{state_label(chat_words, &chat.state)}</td>
                                        <td><LocalTime at=chat.at /></td>
                                        {resolved.then(|| view! { <td>{chat.resolved_by.unwrap_or_default()}</td> })}
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </details>
    }
}
