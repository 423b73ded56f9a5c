//! The supervisor's agents (A1): the list, the form that creates one, and deactivating one.

use crate::components::{refusal, FormError, Listing};
use crate::contract::{AgentView, NewAgentForm};
use crate::error::UiError;
use crate::i18n::{use_words, word};
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "agents")]
pub async fn list_agents() -> Result<Vec<AgentView>, UiError> {
    crate::ssr::with_status(crate::ssr::services()?.agents(crate::ssr::session_token()).await)
}

#[server(prefix = "/api", endpoint = "create_agent")]
pub async fn create_agent(agent: NewAgentForm) -> Result<AgentView, UiError> {
    crate::ssr::with_status(crate::ssr::services()?.create_agent(crate::ssr::session_token(), agent).await)
}

/// `capacity`: as written in the form; the server reads the number.
#[server(prefix = "/api", endpoint = "set_agent_capacity")]
pub async fn set_agent_capacity(agent_id: String, capacity: String) -> Result<(), UiError> {
    crate::ssr::with_status(
        crate::ssr::services()?.set_agent_capacity(crate::ssr::session_token(), agent_id, capacity).await,
    )
}

#[server(prefix = "/api", endpoint = "deactivate_agent")]
pub async fn deactivate_agent(agent_id: String) -> Result<(), UiError> {
    crate::ssr::with_status(crate::ssr::services()?.deactivate_agent(crate::ssr::session_token(), agent_id).await)
}

struct Words {
    title: &'static str,
    create_form: &'static str,
    name: &'static str,
    email: &'static str,
    initial_password: &'static str,
    create: &'static str,
    loading: &'static str,
    empty: &'static str,
    list: &'static str,
    deactivate: &'static str,
    /// The button's name to assistive technology, before the agent's name.
    deactivate_who: &'static str,
    deactivated: &'static str,
    capacity_of: &'static str,
    set: &'static str,
}

const ENGLISH: Words = Words {
    title: "Agents",
    create_form: "Create an agent",
    name: "Name",
    email: "E-mail",
    initial_password: "Initial password",
    create: "Create agent",
    loading: "Loading agents…",
    empty: "No agents yet.",
    list: "Agents",
    deactivate: "deactivate",
    deactivate_who: "Deactivate",
    deactivated: " (deactivated)",
    capacity_of: "Chats at once for",
    set: "Set",
};

const SPANISH: Words = Words {
    title: "Agentes",
    create_form: "Crear un agente",
    name: "Nombre",
    email: "Correo electrónico",
    initial_password: "Contraseña inicial",
    create: "Crear agente",
    loading: "Cargando agentes…",
    empty: "Todavía no hay agentes.",
    list: "Agentes",
    deactivate: "desactivar",
    deactivate_who: "Desactivar a",
    deactivated: " (desactivado)",
    capacity_of: "Chats a la vez de",
    set: "Guardar",
};

#[component]
pub fn AgentsPage() -> impl IntoView {
    let words = use_words(&ENGLISH, &SPANISH);
    let create = ServerAction::<CreateAgent>::new();
    let deactivate = ServerAction::<DeactivateAgent>::new();
    let capacity = ServerAction::<SetAgentCapacity>::new();
    let agents = Resource::new(
        move || (create.version().get(), deactivate.version().get(), capacity.version().get()),
        |_| list_agents(),
    );
    let failure = Signal::derive(move || refusal(create).or_else(|| refusal(deactivate)).or_else(|| refusal(capacity)));
    let draw = move |list: Vec<AgentView>| {
        let words = words.get();
        view! {
            <ul class="queue-list" aria-label=words.list>
                {list.into_iter().map(|a| {
                    let label = format!("{} {}", words.deactivate_who, a.name);
                    let id = a.id.clone();
                    let (capacity_id, field) = (a.id.clone(), format!("capacity-{}", a.id));
                    let capacity_label = format!("{} {}", words.capacity_of, a.name);
                    view! {
                        <li data-id=id>
                            {a.name} " · " <span class="muted">{a.email}</span>
                            {a.active.then(|| view! {
                                <ActionForm action=capacity attr:class="inline-form agent-capacity">
                                    <input type="hidden" name="agent_id" value=capacity_id />
                                    <label for=field.clone()>{capacity_label}</label>
                                    <input id=field name="capacity" type="number" min="1" max="50" required
                                        value=a.capacity.to_string() />
                                    <button type="submit">{words.set}</button>
                                </ActionForm>
                            })}
                            {if a.active {
                                view! {
                                    <ActionForm action=deactivate attr:class="member-remove">
                                        <input type="hidden" name="agent_id" value=a.id />
                                        <button type="submit" class="link-button" aria-label=label>{words.deactivate}</button>
                                    </ActionForm>
                                }.into_any()
                            } else {
                                view! { <span class="muted deactivated">{words.deactivated}</span> }.into_any()
                            }}
                        </li>
                    }
                }).collect_view()}
            </ul>
        }
    };

    view! {
        <section class="card">
            <h1>{move || words.get().title}</h1>
            <ActionForm action=create attr:class="stacked-form" attr:aria-label=move || words.get().create_form>
                <label for="agent-name">{move || words.get().name}</label>
                <input id="agent-name" name="agent[name]" type="text" autocomplete="off" />
                <label for="agent-email">{move || words.get().email}</label>
                <input id="agent-email" name="agent[email]" type="email" autocomplete="off" />
                <label for="agent-password">{move || words.get().initial_password}</label>
                <input id="agent-password" name="agent[password]" type="password" autocomplete="new-password" />
                <button type="submit" disabled=move || create.pending().get()>{move || words.get().create}</button>
            </ActionForm>
            <FormError error=failure />
            <Listing items=agents loading=word(words, |w| w.loading) empty=word(words, |w| w.empty) draw />
        </section>
    }
}
