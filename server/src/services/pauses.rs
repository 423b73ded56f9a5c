//! Pause reasons (O1), agents pausing and resuming (O2) and agents' capacity.

use crate::caller::Caller;
use crate::error::AppError;
use crate::services::agents::ensure_agent_of_caller;
use crate::state::execute;
use crate::write::command::load;

use crate::state::AppState;
use domain::agent::{agent_stream, Agent, AgentCommand};
use domain::ids::UserId;
use domain::pause::{pause_reasons_stream, PauseReasonCommand, PauseReasons, PauseRejection};
use domain::user::Role;
use uuid::Uuid;

/// Creates, renames or retires one of the caller's company's pause reasons.
pub async fn change_reasons(state: &AppState, caller: &Caller, command: PauseReasonCommand) -> Result<(), AppError> {
    caller.require(&[Role::Supervisor])?;
    let stream = pause_reasons_stream(caller.company_id);
    execute::<PauseReasons>(state, &caller.context(state.clock.now()), &stream, &command, &state.agent_board).await
}

/// The caller pauses with one of their company's reasons.
pub async fn pause(state: &AppState, caller: &Caller, reason_id: Uuid) -> Result<(), AppError> {
    caller.require(&[Role::Agent])?;
    let (reasons, _) = load::<PauseReasons>(state.log.as_ref(), &pause_reasons_stream(caller.company_id)).await?;
    let reason = reasons.name_of(reason_id).ok_or_else(|| AppError::from(PauseRejection::UnknownReason))?.to_string();
    let command = AgentCommand::Pause { agent: caller.user_id, reason_id, reason, at: state.clock.now() };
    change_agent(state, caller, caller.user_id, command).await
}

/// The caller ends their pause.
pub async fn resume(state: &AppState, caller: &Caller) -> Result<(), AppError> {
    caller.require(&[Role::Agent])?;
    change_agent(state, caller, caller.user_id, AgentCommand::Resume { agent: caller.user_id, at: state.clock.now() })
        .await
}

/// A supervisor sets how many chats an agent of their company handles at once.
pub async fn set_capacity(state: &AppState, caller: &Caller, agent: UserId, capacity: u32) -> Result<(), AppError> {
    caller.require(&[Role::Supervisor])?;
    ensure_agent_of_caller(state, caller, agent).await?;
    change_agent(state, caller, agent, AgentCommand::SetCapacity { agent, capacity }).await
}

async fn change_agent(state: &AppState, caller: &Caller, agent: UserId, command: AgentCommand) -> Result<(), AppError> {
    execute::<Agent>(state, &caller.context(state.clock.now()), &agent_stream(agent), &command, &state.agent_board)
        .await
}
