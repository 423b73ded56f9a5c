//! Queues as the supervisor's page shows them: members by name.

use crate::caller::Caller;
use crate::error::AppError;
use crate::services::queues::{list_queues, set_membership};
use crate::state::AppState;
use app::contract::{MemberView, QueueForm, QueueView};

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
            waiting_message: row.settings.waiting_message,
            no_answer_minutes: row.settings.no_answer_minutes,
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
    let settings = domain::queue::QueueSettings::default();
    Ok(QueueView {
        id: created.id.to_string(),
        name: created.name.to_string(),
        members: Vec::new(),
        waiting_message: settings.waiting_message,
        no_answer_minutes: settings.no_answer_minutes,
    })
}

/// Renames a queue and sets its waiting message and time to answer, each only when it changed.
pub async fn save_queue(state: &AppState, caller: Caller, form: QueueForm) -> Result<(), AppError> {
    caller.require(&[Role::Supervisor])?;
    let queue_id = form.queue_id.parse().map_err(|_| AppError::Invalid("no such queue".into()))?;
    let no_answer_minutes = match form.no_answer_minutes.trim() {
        "" => None,
        minutes => Some(minutes.parse().map_err(|_| {
            AppError::Invalid(format!(
                "the time to answer is a number of minutes from 1 to {}, or empty for never",
                domain::queue::NO_ANSWER_MAX_MINUTES
            ))
        })?),
    };
    let settings =
        domain::queue::QueueSettings { waiting_message: form.waiting_message.replace("\r\n", "\n"), no_answer_minutes };
    let current = list_queues(state, caller.company_id)
        .await?
        .into_iter()
        .find(|queue| queue.queue_id == form.queue_id)
        .ok_or_else(|| AppError::NotFound("no such queue".into()))?;
    if current.name != form.name.trim() {
        crate::services::queues::rename_queue(state, &caller, queue_id, &form.name).await?;
    }
    if current.settings != settings {
        crate::services::queues::configure_queue(state, &caller, queue_id, settings).await?;
    }
    Ok(())
}
