//! Agents as the supervisor's page lists, creates, sets the capacity of and deactivates them.

use crate::caller::Caller;
use crate::error::AppError;
use crate::services::agents::{change_agent, list_agents, NewAgent};
use crate::state::AppState;
use app::contract::{AgentView, NewAgentForm};

pub async fn agents(state: &AppState, caller: Caller) -> Result<Vec<AgentView>, AppError> {
    let rows = list_agents(state, &caller).await?;
    Ok(rows
        .into_iter()
        .map(|row| AgentView {
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
    })
}

pub async fn deactivate_agent(state: &AppState, caller: Caller, agent_id: String) -> Result<(), AppError> {
    let agent = agent_id.parse().map_err(|_| AppError::Invalid("no such agent".into()))?;
    change_agent(state, &caller, agent, domain::user::UserCommand::Deactivate).await
}
