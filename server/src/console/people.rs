//! People as the supervisor's page lists, creates, renames and deactivates them: agents (with their
//! capacity), supervisors and auditors; and the company's limits beside its use.

use crate::caller::Caller;
use crate::error::AppError;
use crate::services::agents::{change_agent, create_colleague, deactivate_colleague, list_agents, NewAgent};
use crate::state::AppState;
use app::contract::{AgentView, CompanyUseView, NewAgentForm, NewStaffForm, StaffView};
use domain::user::{Role, UserCommand};
use projections::people::People;

/// The company's agents, each with the names of the queues they belong to.
pub async fn agents(state: &AppState, caller: Caller) -> Result<Vec<AgentView>, AppError> {
    let rows = list_agents(state, &caller).await?;
    let queues = crate::services::queues::list_queues(state, caller.company_id).await?;
    Ok(rows
        .into_iter()
        .map(|row| AgentView {
            queues: queues.iter().filter(|q| q.members.contains(&row.user_id)).map(|q| q.name.clone()).collect(),
            capacity: u32::try_from(row.capacity).unwrap_or(domain::agent::DEFAULT_CAPACITY),
            id: row.user_id,
            name: row.name,
            email: row.email,
            active: row.active,
        })
        .collect())
}

/// How many chats an agent handles at once, as the form wrote it.
pub async fn set_agent_capacity(
    state: &AppState,
    caller: Caller,
    agent_id: String,
    capacity: String,
) -> Result<(), AppError> {
    let agent = agent_id.parse().map_err(|_| AppError::Invalid("no such agent".into()))?;
    let capacity = capacity.trim().parse().map_err(|_| {
        AppError::Invalid(format!("capacity is a number of chats from 1 to {}", domain::agent::CAPACITY_MAX))
    })?;
    crate::services::pauses::set_capacity(state, &caller, agent, capacity).await
}

pub async fn create_agent(state: &AppState, caller: Caller, agent: NewAgentForm) -> Result<AgentView, AppError> {
    let new = NewAgent { name: agent.name, email: agent.email, password: agent.password };
    let row = crate::services::agents::create_agent(state, &caller, &new).await?;
    Ok(AgentView {
        id: row.user_id,
        name: row.name,
        email: row.email,
        active: row.active,
        capacity: domain::agent::DEFAULT_CAPACITY,
        queues: Vec::new(),
    })
}

pub async fn deactivate_agent(state: &AppState, caller: Caller, agent_id: String) -> Result<(), AppError> {
    let agent = agent_id.parse().map_err(|_| AppError::Invalid("no such agent".into()))?;
    change_agent(state, &caller, agent, UserCommand::Deactivate).await
}

pub async fn rename_agent(state: &AppState, caller: Caller, agent_id: String, name: String) -> Result<(), AppError> {
    let agent = agent_id.parse().map_err(|_| AppError::Invalid("no such agent".into()))?;
    change_agent(state, &caller, agent, UserCommand::Rename { name }).await
}

/// The role a form names, among those the page manages besides agents.
fn staff_role(role: &str) -> Result<Role, AppError> {
    match role {
        "supervisor" => Ok(Role::Supervisor),
        "auditor" => Ok(Role::Auditor),
        _ => Err(AppError::Invalid("a colleague here is a supervisor or an auditor".into())),
    }
}

/// The company's supervisors, then its auditors, each by name.
pub async fn staff(state: &AppState, caller: Caller) -> Result<Vec<StaffView>, AppError> {
    caller.require(&[Role::Supervisor])?;
    let company = caller.company_id.to_string();
    let mut people = Vec::new();
    for role in [Role::Supervisor, Role::Auditor] {
        let mut rows = People.users_of(&state.store, &company, role.as_str()).await?;
        rows.sort_by_key(|row| row.name.to_lowercase());
        people.extend(rows.into_iter().map(|row| StaffView {
            id: row.user_id,
            name: row.name,
            email: row.email,
            role: row.role,
            active: row.active,
        }));
    }
    Ok(people)
}

pub async fn create_staff(state: &AppState, caller: Caller, person: NewStaffForm) -> Result<(), AppError> {
    let role = staff_role(&person.role)?;
    let new = NewAgent { name: person.name, email: person.email, password: person.password };
    create_colleague(state, &caller, &new, role).await.map(|_| ())
}

pub async fn deactivate_staff(state: &AppState, caller: Caller, user_id: String, role: String) -> Result<(), AppError> {
    let user = user_id.parse().map_err(|_| AppError::Invalid("no such colleague".into()))?;
    deactivate_colleague(state, &caller, user, staff_role(&role)?).await
}

pub async fn company_use(state: &AppState, caller: Caller) -> Result<CompanyUseView, AppError> {
    let used = crate::services::companies::company_use(state, &caller).await?;
    Ok(CompanyUseView {
        agents: used.agents,
        max_agents: used.limits.max_agents,
        signed_in_agents: used.signed_in_agents,
        max_signed_in_agents: used.limits.max_signed_in_agents,
    })
}
