//! The supervisor's queues (R1, R2): the list with each queue's members, kept live; the form that
//! creates a queue; adding agents to queues and taking them out.

use crate::contract::QueueView;
use crate::error::UiError;
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

#[component]
pub fn QueuesPage() -> impl IntoView {
    let create = ServerAction::<CreateQueue>::new();
    let membership = ServerAction::<SetQueueMember>::new();
    let pushed = RwSignal::new(0usize);
    on_live_change("queues", move || pushed.update(|n| *n += 1));
    let queues =
        Resource::new(move || (create.version().get(), membership.version().get(), pushed.get()), |_| list_queues());
    let agents = Resource::new(|| (), |_| list_agents());
    let failure = move || {
        create
            .value()
            .get()
            .and_then(|outcome| outcome.err())
            .or_else(|| membership.value().get().and_then(|outcome| outcome.err()))
    };

    view! {
        <section class="card">
            <h1>"Queues"</h1>
            <ActionForm action=create attr:class="inline-form" attr:aria-label="Create a queue">
                <label for="queue-name">"Queue name"</label>
                <input id="queue-name" name="name" type="text" autocomplete="off" maxlength="80" />
                <button type="submit" disabled=move || create.pending().get()>"Create queue"</button>
            </ActionForm>
            <Show when=move || failure().is_some()>
                <p role="alert" class="form-error">{move || failure().map(|e| e.to_string())}</p>
            </Show>
            <Transition fallback=|| view! { <p>"Loading queues…"</p> }>
                {move || Suspend::new(async move {
                    let agents = agents.await.unwrap_or_default();
                    match queues.await {
                        Ok(list) if list.is_empty() => view! { <p class="empty">"No queues yet."</p> }.into_any(),
                        Ok(list) => view! {
                            <AddMemberForm action=membership queues=list.clone() agents=agents />
                            <ul class="queue-list" aria-label="Queues">
                                {list.into_iter().map(|q| view! { <QueueItem queue=q action=membership /> }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(UiError::Unauthorized(reason)) => view! {
                            <p role="alert" class="form-error">
                                {reason} " — " <a href="/login/supervisor">"sign in"</a>
                            </p>
                        }.into_any(),
                        Err(error) => view! { <p role="alert" class="form-error">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn QueueItem(queue: QueueView, action: ServerAction<SetQueueMember>) -> impl IntoView {
    let queue_id = queue.id.clone();
    let queue_name = queue.name.clone();
    view! {
        <li data-id=queue.id.clone()>
            <span class="queue-name">{queue.name.clone()}</span>
            <ul class="members" aria-label=format!("Members of {}", queue.name)>
                {queue.members.into_iter().map(|m| {
                    let label = format!("Remove {} from {}", m.name, queue_name);
                    let queue_id = queue_id.clone();
                    view! {
                        <li>
                            {m.name.clone()}
                            <ActionForm action=action attr:class="member-remove">
                                <input type="hidden" name="queue_id" value=queue_id />
                                <input type="hidden" name="agent_id" value=m.id.clone() />
                                <input type="hidden" name="member" value="false" />
                                <button type="submit" class="link-button" aria-label=label>"remove"</button>
                            </ActionForm>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </li>
    }
}

#[component]
fn AddMemberForm(
    action: ServerAction<SetQueueMember>,
    queues: Vec<QueueView>,
    agents: Vec<crate::contract::AgentView>,
) -> impl IntoView {
    (!agents.is_empty()).then(|| {
        view! {
            <ActionForm action=action attr:class="inline-form" attr:aria-label="Add an agent to a queue">
                <label for="member-agent">"Agent"</label>
                <select id="member-agent" name="agent_id">
                    {agents.into_iter().filter(|a| a.active).map(|a| view! { <option value=a.id>{a.name}</option> }).collect_view()}
                </select>
                <label for="member-queue">"Queue"</label>
                <select id="member-queue" name="queue_id">
                    {queues.into_iter().map(|q| view! { <option value=q.id>{q.name}</option> }).collect_view()}
                </select>
                <input type="hidden" name="member" value="true" />
                <button type="submit">"Add to queue"</button>
            </ActionForm>
        }
    })
}
