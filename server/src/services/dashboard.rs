//! The agent's own dashboard (P11): their chats pending and following now, and — since midnight in
//! their time zone — the conversations they resolved and how fast they first answered.

use crate::caller::Caller;
use crate::error::AppError;
use crate::state::AppState;
use domain::calendar::{day_start, zone_or_utc};
use domain::user::Role;
use projections::chat_board::{state as chat_state, ChatBoard};
use projections::reports::{Reports, Span};

/// An agent's chats now and their day so far.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct AgentDay {
    /// Assigned to them, the customer waiting for their answer.
    pub pending: i64,
    /// Assigned to them, answered, waiting for the customer.
    pub following: i64,
    /// Conversations they resolved since midnight in their time zone.
    pub resolved_today: i64,
    /// From each chat's assignment to them today to their first answer, on average, in seconds;
    /// none when they answered none yet.
    pub average_first_response: Option<i64>,
}

/// `time_zone`: an IANA name (the browser's); none, or one that is not a zone, counts in UTC.
pub async fn my_day(state: &AppState, caller: &Caller, time_zone: Option<&str>) -> Result<AgentDay, AppError> {
    caller.require(&[Role::Agent])?;
    let zone = zone_or_utc(time_zone);
    let now = state.clock.now();
    let (company, agent) = (caller.company_id.to_string(), caller.user_id.to_string());
    let chats = ChatBoard.chats_of_agent(&state.store, &company, &agent).await?;
    let count = |wanted: &str| chats.iter().filter(|chat| chat.state == wanted).count() as i64;
    let since = day_start(now, zone).timestamp_millis();
    let today =
        Reports.agent(&state.store, &company, &agent, Span { since, until: now.timestamp_millis() + 1 }).await?;
    Ok(AgentDay {
        pending: count(chat_state::PENDING),
        following: count(chat_state::FOLLOWING),
        resolved_today: today.resolved,
        average_first_response: today.average_first_response_seconds(),
    })
}
