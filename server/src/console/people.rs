//! Agents as the supervisor's page lists, creates and deactivates them.

use crate::caller::Caller;
use crate::error::AppError;
use crate::services::agents::{change_agent, list_agents, NewAgent};
use crate::state::AppState;
use app::contract::{AgentView, NewAgentForm};

pub async fn agents(state: &AppState, caller: Caller) -> Result<Vec<AgentView>, AppError> {
    let rows = list_agents(state, &caller).await?;
    Ok(rows
        .into_iter()
        .map(|row| AgentView { id: row.user_id, name: row.name, email: row.email, active: row.active })
        .collect())
}

pub async fn create_agent(state: &AppState, caller: Caller, agent: NewAgentForm) -> Result<AgentView, AppError> {
    let new = NewAgent { name: agent.name, email: agent.email, password: agent.password };
    let row = crate::services::agents::create_agent(state, &caller, &new).await?;
    Ok(AgentView { id: row.user_id, name: row.name, email: row.email, active: row.active })
}

pub async fn deactivate_agent(state: &AppState, caller: Caller, agent_id: String) -> Result<(), AppError> {
    let agent = agent_id.parse().map_err(|_| AppError::Invalid("no such agent".into()))?;
    change_agent(state, &caller, agent, domain::user::UserCommand::Deactivate).await
}
