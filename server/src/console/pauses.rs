//! Pause reasons, and an agent pausing and resuming from their page.

use crate::caller::Caller;
use crate::error::AppError;
use crate::services::pauses::change_reasons;
use crate::state::AppState;
use app::contract::{AgentStatus, ReasonView};

use domain::pause::PauseReasonCommand;
use domain::user::Role;
use projections::agent_board::AgentBoard;

pub async fn my_status(state: &AppState, caller: Caller) -> Result<AgentStatus, AppError> {
    caller.require(&[Role::Agent])?;
    let company = caller.company_id.to_string();
    let me = caller.user_id.to_string();
    let states = AgentBoard.agents_of(&state.store, &company).await.map_err(AppError::from)?;
    let paused = states.into_iter().find(|s| s.agent_id == me).and_then(|s| Some((s.paused_reason?, s.paused_since?)));
    let reasons = AgentBoard.reasons_of(&state.store, &company).await.map_err(AppError::from)?;
    Ok(AgentStatus {
        name: caller.name,
        paused,
        reasons: reasons.into_iter().map(|r| ReasonView { id: r.id, name: r.name }).collect(),
    })
}

pub async fn pause_reasons(state: &AppState, caller: Caller) -> Result<Vec<ReasonView>, AppError> {
    caller.require(&[Role::Supervisor])?;
    let reasons = AgentBoard.reasons_of(&state.store, &caller.company_id.to_string()).await.map_err(AppError::from)?;
    Ok(reasons.into_iter().map(|r| ReasonView { id: r.id, name: r.name }).collect())
}

pub async fn create_pause_reason(state: &AppState, caller: Caller, name: String) -> Result<(), AppError> {
    let command = PauseReasonCommand::Create { reason_id: uuid::Uuid::now_v7(), name };
    change_reasons(state, &caller, command).await
}

pub async fn rename_pause_reason(
    state: &AppState,
    caller: Caller,
    reason_id: String,
    name: String,
) -> Result<(), AppError> {
    let reason_id = reason_id.parse().map_err(|_| AppError::Invalid("no such pause reason".into()))?;
    change_reasons(state, &caller, PauseReasonCommand::Rename { reason_id, name }).await
}

pub async fn retire_pause_reason(state: &AppState, caller: Caller, reason_id: String) -> Result<(), AppError> {
    let reason_id = reason_id.parse().map_err(|_| AppError::Invalid("no such pause reason".into()))?;
    change_reasons(state, &caller, PauseReasonCommand::Retire { reason_id }).await
}

pub async fn pause(state: &AppState, caller: Caller, reason_id: String) -> Result<(), AppError> {
    let reason = reason_id.parse().map_err(|_| AppError::Invalid("choose a pause reason".into()))?;
    crate::services::pauses::pause(state, &caller, reason).await
}

pub async fn resume(state: &AppState, caller: Caller) -> Result<(), AppError> {
    crate::services::pauses::resume(state, &caller).await
}
