//! Queues (R2): the create command across its name reservation and the queue itself, and the list.

use crate::caller::Caller;
use crate::error::AppError;
use crate::services::agents::ensure_agent_of_caller;
use crate::state::execute;
use crate::write::command::{commit, decide, load, with_retry, CommandContext};

use crate::state::AppState;
use domain::ids::{CompanyId, QueueId, UserId};
use domain::queue::{queue_name_stream, queue_stream, Queue, QueueCommand, QueueName, QueueSettings};
use domain::reservation::{Reservation, ReservationCommand, Reserved};
use domain::user::Role;
use projections::queue_list::QueueList;
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct CreatedQueue {
    pub id: QueueId,
    pub name: QueueName,
}

/// Claims the name and creates the queue in one transaction, so neither exists without the other.
pub async fn create_queue(
    state: &AppState,
    context: &CommandContext,
    raw_name: &str,
) -> Result<CreatedQueue, AppError> {
    let name = QueueName::parse(raw_name).map_err(|e| AppError::Invalid(e.to_string()))?;
    let company = CompanyId::from_uuid(context.company_id);
    let queue_id = QueueId::from_uuid(Uuid::now_v7());
    let log = state.log.as_ref();
    let position = with_retry(&state.metrics, || async {
        let claim = decide::<Reservation>(
            log,
            context,
            &queue_name_stream(company, &name),
            &ReservationCommand::Claim { owner: queue_id.as_uuid(), name: name.to_string(), what: Reserved::QueueName },
        )
        .await?;
        let create = decide::<Queue>(
            log,
            context,
            &queue_stream(queue_id),
            &QueueCommand::CreateQueue { queue_id, company_id: company, name: name.clone() },
        )
        .await?;
        commit(log, &state.metrics, vec![claim, create]).await
    })
    .await?;
    state.caught_up(&state.queue_list, position).await?;
    Ok(CreatedQueue { id: queue_id, name })
}

/// Renames a queue: claims the new name, lets the old one go and renames the queue, in one
/// transaction.
pub async fn rename_queue(
    state: &AppState,
    caller: &Caller,
    queue_id: QueueId,
    raw_name: &str,
) -> Result<(), AppError> {
    caller.require(&[Role::Supervisor])?;
    let name = QueueName::parse(raw_name).map_err(|e| AppError::Invalid(e.to_string()))?;
    let context = caller.context(state.clock.now());
    let company = caller.company_id;
    let log = state.log.as_ref();
    let position = with_retry(&state.metrics, || async {
        let (queue, _) = load::<Queue>(log, &queue_stream(queue_id)).await?;
        let rename = QueueCommand::Rename { queue_id, company_id: company, name: name.clone() };
        let renamed = decide::<Queue>(log, &context, &queue_stream(queue_id), &rename).await?;
        let claim =
            ReservationCommand::Claim { owner: queue_id.as_uuid(), name: name.to_string(), what: Reserved::QueueName };
        let mut decisions =
            vec![decide::<Reservation>(log, &context, &queue_name_stream(company, &name), &claim).await?];
        if let Some(old) = queue.name.filter(|old| old.key() != name.key()) {
            let release = ReservationCommand::Release { owner: queue_id.as_uuid() };
            let old_stream = queue_name_stream(company, &old);
            decisions.push(decide::<Reservation>(log, &context, &old_stream, &release).await?);
        }
        decisions.push(renamed);
        commit(log, &state.metrics, decisions).await
    })
    .await?;
    state.caught_up(&state.queue_list, position).await
}

/// A company's queues as the read model holds them.
pub async fn list_queues(
    state: &AppState,
    company: CompanyId,
) -> Result<Vec<projections::queue_list::QueueRow>, AppError> {
    Ok(QueueList::new().queues_of(&state.store, company).await?)
}

/// Adds an agent of the caller's company to one of its queues, or takes them out (R1, R2).
pub async fn set_membership(
    state: &AppState,
    caller: &Caller,
    queue_id: QueueId,
    agent: UserId,
    member: bool,
) -> Result<(), AppError> {
    caller.require(&[Role::Supervisor])?;
    ensure_agent_of_caller(state, caller, agent).await?;
    let context = caller.context(state.clock.now());
    let command = if member {
        QueueCommand::AddAgent { queue_id, company_id: caller.company_id, agent }
    } else {
        QueueCommand::RemoveAgent { queue_id, company_id: caller.company_id, agent }
    };
    execute::<Queue>(state, &context, &queue_stream(queue_id), &command, &state.queue_list).await
}

/// Sets a queue's waiting message (G21) and time to answer.
pub async fn configure_queue(
    state: &AppState,
    caller: &Caller,
    queue_id: QueueId,
    settings: QueueSettings,
) -> Result<(), AppError> {
    caller.require(&[Role::Supervisor])?;
    let command = QueueCommand::Configure { queue_id, company_id: caller.company_id, settings };
    execute::<Queue>(state, &caller.context(state.clock.now()), &queue_stream(queue_id), &command, &state.queue_list)
        .await
}
