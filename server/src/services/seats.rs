//! Agents' seats: a company's limit on agents and on agents signed in at once (A2).

use crate::error::AppError;
use crate::write::command::{decide, load, CommandContext, Decided};

use crate::state::AppState;
use domain::company::{company_stream, Company, CompanyCommand};
use domain::ids::{CompanyId, UserId};
use eventlog::EventLog;
use projections::people::People;

/// The decision that gives a new agent a seat in their company, appended with the agent.
pub async fn take_seat(
    log: &dyn EventLog,
    context: &CommandContext,
    company: CompanyId,
    agent: UserId,
) -> Result<Decided, AppError> {
    let command = CompanyCommand::TakeSeat { company_id: company, agent };
    decide::<Company>(log, context, &company_stream(company), &command).await
}

/// The decision that frees a deactivated agent's seat.
pub async fn release_seat(
    log: &dyn EventLog,
    context: &CommandContext,
    company: CompanyId,
    agent: UserId,
) -> Result<Decided, AppError> {
    let command = CompanyCommand::ReleaseSeat { company_id: company, agent };
    decide::<Company>(log, context, &company_stream(company), &command).await
}

/// Refuses an agent's sign-in when the company's agents signed in already fill its limit.
pub async fn check_sign_in_seat(state: &AppState, company: CompanyId, agent: UserId) -> Result<(), AppError> {
    let (current, _) = load::<Company>(state.log.as_ref(), &company_stream(company)).await?;
    let Some(max) = current.limits.max_signed_in_agents else { return Ok(()) };
    let now = state.clock.now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let signed_in = People.signed_in_agents(&state.store, &company.to_string(), &now).await?;
    let others = signed_in.iter().filter(|id| **id != agent.to_string()).count();
    if others as u64 >= u64::from(max) {
        return Err(AppError::Conflict(format!(
            "all {max} agent places of your company are signed in; try again when someone signs out"
        )));
    }
    Ok(())
}
