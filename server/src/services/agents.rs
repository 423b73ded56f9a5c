//! Agent administration (A1): supervisors create agents, who then sign in on the agents' page.

use crate::caller::Caller;
use crate::services::seats::release_seat;
use crate::services::users::register_user;

use crate::state::execute;
use crate::write::command::{commit, decide, with_retry};

use crate::error::AppError;

use crate::state::AppState;
use domain::ids::UserId;
use domain::user::Role;
use domain::user::{user_stream, User, UserCommand};
use projections::agent_board::{AgentBoard, DEFAULT_CAPACITY};
use projections::people::People;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
pub struct NewAgent {
    pub name: String,
    pub email: String,
    pub password: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AgentRow {
    pub user_id: String,
    pub name: String,
    pub email: String,
    /// The most chats the agent handles at once.
    pub capacity: i64,
    /// Deactivated agents stay listed, marked, so their history keeps its names.
    pub active: bool,
    /// Why the agent is paused, if they are.
    pub paused: Option<Paused>,
    /// Connected live now.
    pub online: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Paused {
    pub reason: String,
    pub since: String,
}

/// Creates a colleague who reads and acts on nothing but history (an auditor) or runs the company
/// too (a supervisor), in the supervisor's company.
pub async fn create_colleague(
    state: &AppState,
    caller: &Caller,
    person: &NewAgent,
    role: Role,
) -> Result<serde_json::Value, AppError> {
    caller.require(&[Role::Supervisor])?;
    let context = caller.context(state.clock.now());
    let user_id =
        register_user(state, &context, caller.company_id, &person.email, &person.name, role, &person.password).await?;
    Ok(serde_json::json!({ "user_id": user_id, "role": role.as_str() }))
}

/// Deactivates a supervisor or an auditor of the caller's company (signed out everywhere, no new
/// sign-in); a company keeps at least one active supervisor, so that someone can still run it.
pub async fn deactivate_colleague(state: &AppState, caller: &Caller, user: UserId, role: Role) -> Result<(), AppError> {
    caller.require(&[Role::Supervisor])?;
    let company = caller.company_id.to_string();
    let colleagues = People.users_of(&state.store, &company, role.as_str()).await?;
    let Some(colleague) = colleagues.iter().find(|row| row.user_id == user.to_string()) else {
        return Err(AppError::NotFound(format!("no such {}", role.as_str())));
    };
    let others_active = colleagues.iter().filter(|row| row.active && row.user_id != colleague.user_id).count();
    if role == Role::Supervisor && colleague.active && others_active == 0 {
        return Err(AppError::Conflict("a company keeps at least one active supervisor".into()));
    }
    let context = caller.context(state.clock.now());
    execute::<User>(state, &context, &user_stream(user), &UserCommand::Deactivate, &state.people).await
}

/// Creates an agent in the supervisor's company.
pub async fn create_agent(state: &AppState, caller: &Caller, agent: &NewAgent) -> Result<AgentRow, AppError> {
    caller.require(&[Role::Supervisor])?;
    let user_id = register_user(
        state,
        &caller.context(state.clock.now()),
        caller.company_id,
        &agent.email,
        &agent.name,
        Role::Agent,
        &agent.password,
    )
    .await?;
    let email = domain::email::Email::parse(&agent.email).map_err(|e| AppError::Invalid(e.to_string()))?;
    Ok(AgentRow {
        user_id: user_id.to_string(),
        name: agent.name.split_whitespace().collect::<Vec<_>>().join(" "),
        email: email.to_string(),
        capacity: DEFAULT_CAPACITY,
        active: true,
        paused: None,
        online: false,
    })
}

/// The agents of the caller's company, by name, with their capacity and pause.
pub async fn list_agents(state: &AppState, caller: &Caller) -> Result<Vec<AgentRow>, AppError> {
    caller.require(&[Role::Supervisor, Role::Auditor])?;
    let company = caller.company_id.to_string();
    let rows = People.users_of(&state.store, &company, Role::Agent.as_str()).await?;
    let states = AgentBoard.agents_of(&state.store, &company).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let working = states.iter().find(|s| s.agent_id == row.user_id);
            AgentRow {
                capacity: working.map_or(DEFAULT_CAPACITY, |s| s.capacity),
                paused: working
                    .and_then(|s| Some(Paused { reason: s.paused_reason.clone()?, since: s.paused_since.clone()? })),
                online: working.is_some_and(|s| s.online),
                active: row.active,
                user_id: row.user_id,
                name: row.name,
                email: row.email,
            }
        })
        .collect())
}

/// Renames an agent of the caller's company, or deactivates them (signed out everywhere, no new
/// sign-in).
pub async fn change_agent(
    state: &AppState,
    caller: &Caller,
    agent: UserId,
    command: UserCommand,
) -> Result<(), AppError> {
    caller.require(&[Role::Supervisor])?;
    ensure_agent_of_caller(state, caller, agent).await?;
    let context = caller.context(state.clock.now());
    if command != UserCommand::Deactivate {
        return execute::<User>(state, &context, &user_stream(agent), &command, &state.people).await;
    }
    // A deactivated agent gives their seat back in the same transaction.
    let log = state.log.as_ref();
    let position = with_retry(&state.metrics, || async {
        let deactivate = decide::<User>(log, &context, &user_stream(agent), &command).await?;
        let seat = release_seat(log, &context, caller.company_id, agent).await?;
        commit(log, &state.metrics, vec![deactivate, seat]).await
    })
    .await?;
    state.caught_up(&state.people, position).await
}

/// Refuses, as not found, an id that is not an agent of the caller's company.
pub async fn ensure_agent_of_caller(state: &AppState, caller: &Caller, agent: UserId) -> Result<(), AppError> {
    let is_agent_here = People
        .user(&state.store, &agent.to_string())
        .await?
        .is_some_and(|user| user.company_id == caller.company_id.to_string() && user.role == Role::Agent.as_str());
    if is_agent_here {
        Ok(())
    } else {
        Err(AppError::NotFound("no such agent".into()))
    }
}

/// The people a chat names: its agents, and supervisors (who take chats over, answer, write notes
/// and transfer).
pub async fn who_works_chats(state: &AppState, company: &str) -> Result<Vec<projections::people::UserRow>, AppError> {
    let mut people = People.users_of(&state.store, company, Role::Agent.as_str()).await?;
    people.extend(People.users_of(&state.store, company, Role::Supervisor.as_str()).await?);
    Ok(people)
}
