//! The supervisor's monitor: every agent's state and today's pauses, and the open chats.

use crate::caller::Caller;
use crate::error::AppError;
use crate::services::agents::list_agents;
use crate::services::chats::list_chats;
use crate::state::AppState;
use app::contract::{AgentMonitorView, MonitorView};

use domain::user::Role;
use projections::agent_board::AgentBoard;

pub async fn monitor(state: &AppState, caller: Caller) -> Result<MonitorView, AppError> {
    caller.require(&[Role::Supervisor, Role::Auditor])?;
    let company = caller.company_id.to_string();
    let agents = list_agents(state, &caller).await?;
    let chats = list_chats(state, &caller).await?;
    let now = state.clock.now();
    let day_start = now.date_naive().and_hms_opt(0, 0, 0).map_or(now, |start| start.and_utc());
    let paused = AgentBoard.paused_between(&state.store, &company, day_start, now).await.map_err(AppError::from)?;
    let agents = agents
        .into_iter()
        .filter(|agent| agent.active)
        .map(|agent| AgentMonitorView {
            state: match (&agent.paused, agent.online) {
                (Some(_), _) => "paused",
                (None, true) => "online",
                (None, false) => "offline",
            }
            .to_string(),
            paused: agent.paused.map(|p| (p.reason, p.since)),
            active_chats: chats.iter().filter(|c| c.agent_id.as_deref() == Some(agent.user_id.as_str())).count(),
            capacity: agent.capacity,
            paused_today: paused
                .iter()
                .filter(|p| p.agent_id == agent.user_id)
                .map(|p| (p.reason.clone(), p.seconds / 60))
                .collect(),
            id: agent.user_id,
            name: agent.name,
        })
        .collect();
    Ok(MonitorView { agents, chats: crate::console::chats::chat_views(state, &caller, chats).await? })
}
