//! The supervisor's monitor: every agent's state and today's pauses, every queue's waiting chats,
//! and the open chats.

use crate::caller::Caller;
use crate::console::history::as_it_stood;
use crate::error::AppError;
use crate::services::agents::list_agents;
use crate::services::chats::list_chats;
use crate::services::queues::list_queues;
use crate::state::AppState;
use app::contract::{AgentMonitorView, MonitorView, QueueMonitorView};

use domain::calendar::{day_start, zone_or_utc};
use domain::user::Role;
use projections::agent_board::AgentBoard;
use projections::chat_board::{state as chat_state, ChatBoard};

/// "Today" is since midnight in `time_zone`, the supervisor's (UTC when unknown); with a moment
/// (`at`, read in that zone), the monitor as it stood then.
pub async fn monitor(
    state: &AppState,
    caller: Caller,
    time_zone: Option<String>,
    at: String,
) -> Result<MonitorView, AppError> {
    caller.require(&[Role::Supervisor, Role::Auditor])?;
    let (state, at) = as_it_stood(state, &caller, time_zone.as_deref(), &at).await?;
    let state = state.as_ref();
    let company = caller.company_id.to_string();
    let agents = list_agents(state, &caller).await?;
    let chats = list_chats(state, &caller).await?;
    let now = state.clock.now();
    let since = day_start(now, zone_or_utc(time_zone.as_deref()));
    let paused = AgentBoard.paused_between(&state.store, &company, since, now).await?;
    let count = |agent: &str, chat_state: &str| {
        chats.iter().filter(|c| c.agent_id.as_deref() == Some(agent) && c.state == chat_state).count()
    };
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
            pending: count(&agent.user_id, chat_state::PENDING),
            following: count(&agent.user_id, chat_state::FOLLOWING),
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
    let waiting = ChatBoard.waiting_per_queue(&state.store, &company).await?;
    let queues = list_queues(state, caller.company_id)
        .await?
        .into_iter()
        .map(|queue| {
            let wait = waiting.iter().find(|w| w.queue_id == queue.queue_id);
            QueueMonitorView {
                waiting: wait.map_or(0, |w| w.waiting),
                longest_wait: wait.and_then(|w| w.since).map(|since| (now - since).num_minutes().max(0)),
                id: queue.queue_id,
                name: queue.name,
            }
        })
        .collect();
    let chats = crate::console::chats::chat_views(state, &caller, chats).await?;
    Ok(MonitorView { agents, queues, chats, at: at.map(|at| at.to_rfc3339()) })
}
