//! The supervisor's people page (A1, A2): the company's limits beside its use; agents — created,
//! renamed, given a capacity, shown with their queues, deactivated —; supervisors and auditors —
//! created and deactivated.

use crate::components::{refusal, succeeded, FormError, Listing, Toast};
use crate::contract::{AgentView, CompanyUseView, NewAgentForm, NewStaffForm, StaffView};
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

#[server(prefix = "/api", endpoint = "rename_agent")]
pub async fn rename_agent(agent_id: String, name: String) -> Result<(), UiError> {
    crate::ssr::with_status(crate::ssr::services()?.rename_agent(crate::ssr::session_token(), agent_id, name).await)
}

/// The company's supervisors and auditors.
#[server(prefix = "/api", endpoint = "staff")]
pub async fn list_staff() -> Result<Vec<StaffView>, UiError> {
    crate::ssr::with_status(crate::ssr::services()?.staff(crate::ssr::session_token()).await)
}

#[server(prefix = "/api", endpoint = "create_staff")]
pub async fn create_staff(person: NewStaffForm) -> Result<(), UiError> {
    crate::ssr::with_status(crate::ssr::services()?.create_staff(crate::ssr::session_token(), person).await)
}

#[server(prefix = "/api", endpoint = "deactivate_staff")]
pub async fn deactivate_staff(user_id: String, role: String) -> Result<(), UiError> {
    crate::ssr::with_status(crate::ssr::services()?.deactivate_staff(crate::ssr::session_token(), user_id, role).await)
}

#[server(prefix = "/api", endpoint = "company_use")]
pub async fn company_use() -> Result<CompanyUseView, UiError> {
    crate::ssr::with_status(crate::ssr::services()?.company_use(crate::ssr::session_token()).await)
}

#[server(prefix = "/api", endpoint = "deactivate_agent")]
pub async fn deactivate_agent(agent_id: String) -> Result<(), UiError> {
    crate::ssr::with_status(crate::ssr::services()?.deactivate_agent(crate::ssr::session_token(), agent_id).await)
}

struct Words {
    title: &'static str,
    agents: &'static str,
    name_of: &'static str,
    save_name: &'static str,
    queues: &'static str,
    no_queue: &'static str,
    staff: &'static str,
    create_staff_form: &'static str,
    role: &'static str,
    supervisor: &'static str,
    auditor: &'static str,
    create_staff: &'static str,
    staff_empty: &'static str,
    company: &'static str,
    agents_used: &'static str,
    signed_in_used: &'static str,
    of: &'static str,
    no_limit: &'static str,
    limits_by: &'static str,
    saved: &'static str,
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
    title: "People",
    agents: "Agents",
    name_of: "Name of",
    save_name: "Save name",
    queues: "Queues:",
    no_queue: "in no queue yet",
    staff: "Supervisors and auditors",
    create_staff_form: "Create a supervisor or an auditor",
    role: "Role",
    supervisor: "Supervisor",
    auditor: "Auditor",
    create_staff: "Create colleague",
    staff_empty: "No supervisors or auditors.",
    company: "Your company",
    agents_used: "Agents",
    signed_in_used: "Agents signed in now",
    of: "of",
    no_limit: "no limit",
    limits_by: "The operator of this installation sets the limits.",
    saved: "Saved.",
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
    title: "Personas",
    agents: "Agentes",
    name_of: "Nombre de",
    save_name: "Guardar nombre",
    queues: "Colas:",
    no_queue: "todavía en ninguna cola",
    staff: "Supervisores y auditores",
    create_staff_form: "Crear un supervisor o un auditor",
    role: "Rol",
    supervisor: "Supervisor",
    auditor: "Auditor",
    create_staff: "Crear colega",
    staff_empty: "No hay supervisores ni auditores.",
    company: "Tu empresa",
    agents_used: "Agentes",
    signed_in_used: "Agentes con sesión abierta ahora",
    of: "de",
    no_limit: "sin límite",
    limits_by: "Los límites los fija el operador de esta instalación.",
    saved: "Guardado.",
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
    let rename = ServerAction::<RenameAgent>::new();
    let told = RwSignal::new(None);
    Effect::new(move || {
        if succeeded(rename) {
            told.set(Some(words.get_untracked().saved.to_string()));
        }
    });
    let agents = Resource::new(
        move || (create.version().get(), deactivate.version().get(), capacity.version().get(), rename.version().get()),
        |_| list_agents(),
    );
    let failure = Signal::derive(move || {
        refusal(create).or_else(|| refusal(deactivate)).or_else(|| refusal(capacity)).or_else(|| refusal(rename))
    });
    let draw = move |list: Vec<AgentView>| {
        let words = words.get();
        view! {
            <ul class="queue-list" aria-label=words.list>
                {list.into_iter().map(|a| view! { <AgentItem agent=a deactivate capacity rename words /> }).collect_view()}
            </ul>
        }
    };

    view! {
        <section class="card">
            <h1>{move || words.get().title}</h1>
            <Toast told />
            <CompanyUse words />
            <crate::brand::BrandForm />
            <h2>{move || words.get().agents}</h2>
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
            // Only for whoever may read the agents: a refused caller reads one refusal, not two.
            <Transition fallback=|| ()>
                {move || Suspend::new(async move { agents.await.is_ok().then(|| view! { <Staff words /> }) })}
            </Transition>
        </section>
    }
}

/// One agent: their name (renamed in place), e-mail, queues, capacity, and deactivation.
#[component]
fn AgentItem(
    agent: AgentView,
    deactivate: ServerAction<DeactivateAgent>,
    capacity: ServerAction<SetAgentCapacity>,
    rename: ServerAction<RenameAgent>,
    words: &'static Words,
) -> impl IntoView {
    let a = agent;
    let label = format!("{} {}", words.deactivate_who, a.name);
    let (capacity_field, name_field) = (format!("capacity-{}", a.id), format!("name-{}", a.id));
    let capacity_label = format!("{} {}", words.capacity_of, a.name);
    let name_label = format!("{} {}", words.name_of, a.name);
    let queues = if a.queues.is_empty() { words.no_queue.to_string() } else { a.queues.join(", ") };
    let (renamed, sized, leaving) = (a.id.clone(), a.id.clone(), a.id.clone());
    let name = a.name.clone();
    view! {
        <li data-id=a.id>
            {a.name.clone()} " · " <span class="muted">{a.email.clone()}</span>
            <span class="muted agent-queues">" · " {words.queues} " " <a href="/supervisor/queues">{queues}</a></span>
            {a.active.then(|| view! {
                <ActionForm action=rename attr:class="inline-form agent-name">
                    <input type="hidden" name="agent_id" value=renamed />
                    <label for=name_field.clone()>{name_label}</label>
                    <input id=name_field name="name" type="text" required maxlength="80" value=name />
                    <button type="submit">{words.save_name}</button>
                </ActionForm>
                <ActionForm action=capacity attr:class="inline-form agent-capacity">
                    <input type="hidden" name="agent_id" value=sized />
                    <label for=capacity_field.clone()>{capacity_label}</label>
                    <input id=capacity_field name="capacity" type="number" min="1" max="50" required
                        value=a.capacity.to_string() />
                    <button type="submit">{words.set}</button>
                </ActionForm>
            })}
            {if a.active {
                view! {
                    <ActionForm action=deactivate attr:class="member-remove">
                        <input type="hidden" name="agent_id" value=leaving />
                        <button type="submit" class="link-button" aria-label=label>{words.deactivate}</button>
                    </ActionForm>
                }.into_any()
            } else {
                view! { <span class="muted deactivated">{words.deactivated}</span> }.into_any()
            }}
        </li>
    }
}

/// The company's limits beside its use (A2); the operator sets the limits.
#[component]
fn CompanyUse(words: Signal<&'static Words>) -> impl IntoView {
    let used = Resource::new(|| (), |_| company_use());
    let figure = move |used: usize, most: Option<u32>, words: &Words| match most {
        Some(most) => format!("{used} {} {most}", words.of),
        None => format!("{used} ({})", words.no_limit),
    };
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let words = words.get();
                used.await.ok().map(|used| view! {
                    <section class="company-use" aria-label=words.company>
                        <h2>{words.company}</h2>
                        <dl>
                            <dt>{words.agents_used}</dt>
                            <dd class="agents-used">{figure(used.agents, used.max_agents, words)}</dd>
                            <dt>{words.signed_in_used}</dt>
                            <dd class="signed-in-used">{figure(used.signed_in_agents, used.max_signed_in_agents, words)}</dd>
                        </dl>
                        <p class="hint">{words.limits_by}</p>
                    </section>
                })
            })}
        </Transition>
    }
}

/// Supervisors and auditors: the form that creates one, the list, and deactivating one.
#[component]
fn Staff(words: Signal<&'static Words>) -> impl IntoView {
    let create = ServerAction::<CreateStaff>::new();
    let deactivate = ServerAction::<DeactivateStaff>::new();
    let staff = Resource::new(move || (create.version().get(), deactivate.version().get()), |_| list_staff());
    let failure = Signal::derive(move || refusal(create).or_else(|| refusal(deactivate)));
    let draw = move |list: Vec<StaffView>| {
        let words = words.get();
        view! {
            <ul class="queue-list" aria-label=words.staff>
                {list.into_iter().map(|person| {
                    let role = if person.role == "auditor" { words.auditor } else { words.supervisor };
                    let label = format!("{} {}", words.deactivate_who, person.name);
                    let id = person.id.clone();
                    view! {
                        <li data-id=id>
                            {person.name.clone()} " · " <span class="muted">{person.email}</span> " · " {role}
                            {if person.active {
                                view! {
                                    <ActionForm action=deactivate attr:class="member-remove">
                                        <input type="hidden" name="user_id" value=person.id />
                                        <input type="hidden" name="role" value=person.role />
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
        <h2>{move || words.get().staff}</h2>
        <ActionForm action=create attr:class="stacked-form" attr:aria-label=move || words.get().create_staff_form>
            <label for="staff-name">{move || words.get().name}</label>
            <input id="staff-name" name="person[name]" type="text" autocomplete="off" />
            <label for="staff-email">{move || words.get().email}</label>
            <input id="staff-email" name="person[email]" type="email" autocomplete="off" />
            <label for="staff-password">{move || words.get().initial_password}</label>
            <input id="staff-password" name="person[password]" type="password" autocomplete="new-password" />
            <label for="staff-role">{move || words.get().role}</label>
            <select id="staff-role" name="person[role]">
                <option value="supervisor">{move || words.get().supervisor}</option>
                <option value="auditor">{move || words.get().auditor}</option>
            </select>
            <button type="submit" disabled=move || create.pending().get()>{move || words.get().create_staff}</button>
        </ActionForm>
        <FormError error=failure />
        <Listing items=staff loading=word(words, |w| w.loading) empty=word(words, |w| w.staff_empty) draw />
    }
}
