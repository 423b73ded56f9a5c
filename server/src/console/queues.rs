//! Queues as the supervisor's page shows them: members by name.

use crate::caller::Caller;
use crate::error::AppError;
use crate::services::queues::{list_queues, set_membership};
use crate::state::AppState;
use app::contract::{MemberView, QueueView};

use domain::user::Role;
use projections::people::People;

pub async fn queues(state: &AppState, caller: Caller) -> Result<Vec<QueueView>, AppError> {
    let rows = list_queues(state, caller.company_id).await?;
    let agents = People
        .users_of(&state.store, &caller.company_id.to_string(), Role::Agent.as_str())
        .await
        .map_err(AppError::from)?;
    let name_of = |id: &str| agents.iter().find(|a| a.user_id == id).map_or_else(|| id.to_string(), |a| a.name.clone());
    Ok(rows
        .into_iter()
        .map(|row| QueueView {
            members: row.members.iter().map(|id| MemberView { id: id.clone(), name: name_of(id) }).collect(),
            id: row.queue_id,
            name: row.name,
        })
        .collect())
}

pub async fn set_queue_member(
    state: &AppState,
    caller: Caller,
    queue_id: String,
    agent_id: String,
    member: bool,
) -> Result<(), AppError> {
    let queue = queue_id.parse().map_err(|_| AppError::Invalid("no such queue".into()))?;
    let agent = agent_id.parse().map_err(|_| AppError::Invalid("no such agent".into()))?;
    set_membership(state, &caller, queue, agent, member).await
}

pub async fn create_queue(state: &AppState, caller: Caller, name: String) -> Result<QueueView, AppError> {
    caller.require(&[Role::Supervisor])?;
    let created = crate::services::queues::create_queue(state, &caller.context(state.clock.now()), &name).await?;
    Ok(QueueView { id: created.id.to_string(), name: created.name.to_string(), members: Vec::new() })
}
