//! The supervisor's queues (R1, R2): the list with each queue's members, kept live; the form that
//! creates a queue; adding agents to queues and taking them out; each queue's name, waiting message
//! and time to answer before the chat goes to another agent.

use crate::components::{refusal, succeeded, FormError, Refusal, Toast};
use crate::contract::{QueueForm, QueueView};
use crate::error::UiError;
use crate::i18n::use_words;
use crate::live::on_live_change;
use crate::pages::agents::list_agents;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "queues")]
pub async fn list_queues() -> Result<Vec<QueueView>, UiError> {
    crate::ssr::with_status(crate::ssr::services()?.queues(crate::ssr::session_token()).await)
}

#[server(prefix = "/api", endpoint = "create_queue")]
pub async fn create_queue(name: String) -> Result<QueueView, UiError> {
    crate::ssr::with_status(crate::ssr::services()?.create_queue(crate::ssr::session_token(), name).await)
}

#[server(prefix = "/api", endpoint = "set_queue_member")]
pub async fn set_queue_member(queue_id: String, agent_id: String, member: bool) -> Result<(), UiError> {
    crate::ssr::with_status(
        crate::ssr::services()?.set_queue_member(crate::ssr::session_token(), queue_id, agent_id, member).await,
    )
}

/// Renames the queue and sets its waiting message and time to answer, each only if it changed.
#[server(prefix = "/api", endpoint = "save_queue")]
pub async fn save_queue(queue: QueueForm) -> Result<(), UiError> {
    crate::ssr::with_status(crate::ssr::services()?.save_queue(crate::ssr::session_token(), queue).await)
}

struct Words {
    title: &'static str,
    create_form: &'static str,
    queue_name: &'static str,
    create: &'static str,
    loading: &'static str,
    empty: &'static str,
    list: &'static str,
    members_of: &'static str,
    remove: &'static str,
    remove_who: &'static str,
    from: &'static str,
    add_form: &'static str,
    agent: &'static str,
    queue: &'static str,
    add: &'static str,
    settings_of: &'static str,
    name: &'static str,
    waiting_message: &'static str,
    waiting_hint: &'static str,
    no_answer: &'static str,
    no_answer_hint: &'static str,
    save: &'static str,
    saved: &'static str,
}

const ENGLISH: Words = Words {
    title: "Queues",
    create_form: "Create a queue",
    queue_name: "Queue name",
    create: "Create queue",
    loading: "Loading queues…",
    empty: "No queues yet.",
    list: "Queues",
    members_of: "Members of",
    remove: "remove",
    remove_who: "Remove",
    from: "from",
    add_form: "Add an agent to a queue",
    agent: "Agent",
    queue: "Queue",
    add: "Add to queue",
    settings_of: "Settings of",
    name: "Name",
    waiting_message: "Waiting message",
    waiting_hint: "{position} becomes the customer's place in line; leave it empty to say nothing.",
    no_answer: "Minutes to answer before the chat goes to another agent",
    no_answer_hint: "Empty: the chat stays with its agent.",
    save: "Save queue",
    saved: "Saved.",
};

const SPANISH: Words = Words {
    title: "Colas",
    create_form: "Crear una cola",
    queue_name: "Nombre de la cola",
    create: "Crear cola",
    loading: "Cargando colas…",
    empty: "Todavía no hay colas.",
    list: "Colas",
    members_of: "Miembros de",
    remove: "quitar",
    remove_who: "Quitar a",
    from: "de",
    add_form: "Añadir un agente a una cola",
    agent: "Agente",
    queue: "Cola",
    add: "Añadir a la cola",
    settings_of: "Ajustes de",
    name: "Nombre",
    waiting_message: "Mensaje de espera",
    waiting_hint: "{position} se cambia por el lugar del cliente en la fila; vacío, no se dice nada.",
    no_answer: "Minutos para responder antes de que el chat pase a otro agente",
    no_answer_hint: "Vacío: el chat se queda con su agente.",
    save: "Guardar cola",
    saved: "Guardado.",
};

#[component]
pub fn QueuesPage() -> impl IntoView {
    let words = use_words(&ENGLISH, &SPANISH);
    let create = ServerAction::<CreateQueue>::new();
    let membership = ServerAction::<SetQueueMember>::new();
    let pushed = RwSignal::new(0usize);
    on_live_change("queues", move || pushed.update(|n| *n += 1));
    // One action for every queue's settings form, kept by the page: a queue's list redrawn by a
    // live change while its save is under way must not lose the answer. The form last sent shows
    // the refusal.
    let save = ServerAction::<SaveQueue>::new();
    let sent_from = RwSignal::new(String::new());
    let told = RwSignal::new(None);
    // Redrawn after a save that worked only: a refused form stays open with what was typed.
    let saved = RwSignal::new(0u64);
    Effect::new(move || {
        if succeeded(save) {
            told.set(Some(words.get_untracked().saved.to_string()));
            saved.update(|n| *n += 1);
        }
    });
    let queues = Resource::new(
        move || (create.version().get(), membership.version().get(), pushed.get(), saved.get()),
        |_| list_queues(),
    );
    let agents = Resource::new(|| (), |_| list_agents());
    // The queues as last read, drawn outside the suspense so that a new reading does not draw
    // them all again.
    let shown: RwSignal<Vec<QueueView>> = RwSignal::new(Vec::new());
    Effect::new(move || {
        if let Some(Ok(list)) = queues.get() {
            shown.set(list);
        }
    });
    let failure = Signal::derive(move || refusal(create).or_else(|| refusal(membership)));
    view! {
        <section class="card">
            <h1>{move || words.get().title}</h1>
            <ActionForm action=create attr:class="inline-form" attr:aria-label=move || words.get().create_form>
                <label for="queue-name">{move || words.get().queue_name}</label>
                <input id="queue-name" name="name" type="text" autocomplete="off" maxlength="80" />
                <button type="submit" disabled=move || create.pending().get()>{move || words.get().create}</button>
            </ActionForm>
            <FormError error=failure />
            <Toast told />
            // Not a `Listing`: the form that adds members needs the agents as well as the queues,
            // read in the same suspense.
            <Transition fallback=move || view! { <p>{words.get().loading}</p> }>
                {move || Suspend::new(async move {
                    let words = words.get();
                    let agents = agents.await.unwrap_or_default();
                    match queues.await {
                        Ok(list) if list.is_empty() => view! { <p class="empty">{words.empty}</p> }.into_any(),
                        Ok(list) => view! { <AddMemberForm action=membership queues=list agents=agents words /> }.into_any(),
                        Err(error) => view! { <Refusal error sign_in=Some("/login/supervisor") /> }.into_any(),
                    }
                })}
            </Transition>
            // Keyed by what each queue is: a live change redraws only the queues it changed, so a
            // settings form open on another queue stays open with what was typed in it.
            <ul class="queue-list" aria-label=move || words.get().list>
                <For
                    each=move || {
                        let words = words.get();
                        shown.get().into_iter().map(|queue| (words, queue)).collect::<Vec<_>>()
                    }
                    key=|(words, queue)| format!("{}{queue:?}", words.title)
                    let:((words, queue))
                >
                    <QueueItem queue action=membership save sent_from words />
                </For>
            </ul>
        </section>
    }
}

#[component]
fn QueueItem(
    queue: QueueView,
    action: ServerAction<SetQueueMember>,
    save: ServerAction<SaveQueue>,
    sent_from: RwSignal<String>,
    words: &'static Words,
) -> impl IntoView {
    let queue_id = queue.id.clone();
    let queue_name = queue.name.clone();
    view! {
        <li data-id=queue.id.clone()>
            <span class="queue-name">{queue.name.clone()}</span>
            <QueueSettingsForm queue=queue.clone() save sent_from words />
            <ul class="members" aria-label=format!("{} {}", words.members_of, queue.name)>
                {queue.members.into_iter().map(|m| {
                    let label = format!("{} {} {} {}", words.remove_who, m.name, words.from, queue_name);
                    let queue_id = queue_id.clone();
                    view! {
                        <li>
                            {m.name.clone()}
                            <ActionForm action=action attr:class="member-remove">
                                <input type="hidden" name="queue_id" value=queue_id />
                                <input type="hidden" name="agent_id" value=m.id.clone() />
                                <input type="hidden" name="member" value="false" />
                                <button type="submit" class="link-button" aria-label=label>{words.remove}</button>
                            </ActionForm>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </li>
    }
}

/// A queue's name, waiting message and time to answer, saved together; a refusal shows here.
#[component]
fn QueueSettingsForm(
    queue: QueueView,
    save: ServerAction<SaveQueue>,
    sent_from: RwSignal<String>,
    words: &'static Words,
) -> impl IntoView {
    let (this, sender) = (queue.id.clone(), queue.id.clone());
    let field = |what: &str| format!("queue-{what}-{}", queue.id);
    let (name, message, minutes) = (field("name"), field("waiting"), field("minutes"));
    let (message_hint, minutes_hint) = (field("waiting-hint"), field("minutes-hint"));
    let title = format!("{} {}", words.settings_of, queue.name);
    view! {
        <details class="queue-settings">
            <summary>{title.clone()}</summary>
            <ActionForm action=save attr:class="stacked-form" attr:aria-label=title>
                <input type="hidden" name="queue[queue_id]" value=queue.id.clone() />
                <label for=name.clone()>{words.name}</label>
                <input id=name name="queue[name]" type="text" maxlength="80" required value=queue.name.clone() />
                <label for=message.clone()>{words.waiting_message}</label>
                <textarea id=message name="queue[waiting_message]" rows="2" maxlength="1000"
                    aria-describedby=message_hint.clone()>{queue.waiting_message.clone()}</textarea>
                <p class="hint" id=message_hint>{words.waiting_hint}</p>
                <label for=minutes.clone()>{words.no_answer}</label>
                <input id=minutes name="queue[no_answer_minutes]" type="number"
                    aria-describedby=minutes_hint.clone()
                    value=queue.no_answer_minutes.map(|m| m.to_string()).unwrap_or_default() />
                <p class="hint" id=minutes_hint>{words.no_answer_hint}</p>
                <button type="submit" disabled=move || save.pending().get()
                    on:click=move |_| sent_from.set(sender.clone())>{words.save}</button>
                <FormError error=Signal::derive(move || refusal(save).filter(|_| sent_from.with(|from| *from == this))) />
            </ActionForm>
        </details>
    }
}

#[component]
fn AddMemberForm(
    action: ServerAction<SetQueueMember>,
    queues: Vec<QueueView>,
    agents: Vec<crate::contract::AgentView>,
    words: &'static Words,
) -> impl IntoView {
    (!agents.is_empty()).then(|| {
        view! {
            <ActionForm action=action attr:class="inline-form" attr:aria-label=words.add_form>
                <label for="member-agent">{words.agent}</label>
                <select id="member-agent" name="agent_id">
                    {agents.into_iter().filter(|a| a.active).map(|a| view! { <option value=a.id>{a.name}</option> }).collect_view()}
                </select>
                <label for="member-queue">{words.queue}</label>
                <select id="member-queue" name="queue_id">
                    {queues.into_iter().map(|q| view! { <option value=q.id>{q.name}</option> }).collect_view()}
                </select>
                <input type="hidden" name="member" value="true" />
                <button type="submit">{words.add}</button>
            </ActionForm>
        }
    })
}
