//! The supervisor's agents (A1): the list, the form that creates one, and deactivating one.

use crate::contract::{AgentView, NewAgentForm};
use crate::error::UiError;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "agents")]
pub async fn list_agents() -> Result<Vec<AgentView>, UiError> {
    crate::ssr::with_status(crate::ssr::services()?.agents(crate::ssr::session_token()).await)
}

#[server(prefix = "/api", endpoint = "create_agent")]
pub async fn create_agent(agent: NewAgentForm) -> Result<AgentView, UiError> {
    crate::ssr::with_status(crate::ssr::services()?.create_agent(crate::ssr::session_token(), agent).await)
}

#[server(prefix = "/api", endpoint = "deactivate_agent")]
pub async fn deactivate_agent(agent_id: String) -> Result<(), UiError> {
    crate::ssr::with_status(crate::ssr::services()?.deactivate_agent(crate::ssr::session_token(), agent_id).await)
}

#[component]
pub fn AgentsPage() -> impl IntoView {
    let create = ServerAction::<CreateAgent>::new();
    let deactivate = ServerAction::<DeactivateAgent>::new();
    let agents = Resource::new(move || (create.version().get(), deactivate.version().get()), |_| list_agents());
    let failure = move || {
        create
            .value()
            .get()
            .and_then(|outcome| outcome.err())
            .or_else(|| deactivate.value().get().and_then(|o| o.err()))
    };

    view! {
        <section class="card">
            <h1>"Agents"</h1>
            <ActionForm action=create attr:class="stacked-form" attr:aria-label="Create an agent">
                <label for="agent-name">"Name"</label>
                <input id="agent-name" name="agent[name]" type="text" autocomplete="off" />
                <label for="agent-email">"E-mail"</label>
                <input id="agent-email" name="agent[email]" type="email" autocomplete="off" />
                <label for="agent-password">"Initial password"</label>
                <input id="agent-password" name="agent[password]" type="password" autocomplete="new-password" />
                <button type="submit" disabled=move || create.pending().get()>"Create agent"</button>
            </ActionForm>
            <Show when=move || failure().is_some()>
                <p role="alert" class="form-error">{move || failure().map(|e| e.to_string())}</p>
            </Show>
            <Transition fallback=|| view! { <p>"Loading agents…"</p> }>
                {move || Suspend::new(async move {
                    match agents.await {
                        Ok(list) if list.is_empty() => view! { <p class="empty">"No agents yet."</p> }.into_any(),
                        Ok(list) => view! {
                            <ul class="queue-list" aria-label="Agents">
                                {list.into_iter().map(|a| {
                                    let label = format!("Deactivate {}", a.name);
                                    let id = a.id.clone();
                                    view! {
                                        <li data-id=id>
                                            {a.name} " · " <span class="muted">{a.email}</span>
                                            {if a.active {
                                                view! {
                                                    <ActionForm action=deactivate attr:class="member-remove">
                                                        <input type="hidden" name="agent_id" value=a.id />
                                                        <button type="submit" class="link-button" aria-label=label>"deactivate"</button>
                                                    </ActionForm>
                                                }.into_any()
                                            } else {
                                                view! { <span class="muted deactivated">" (deactivated)"</span> }.into_any()
                                            }}
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
