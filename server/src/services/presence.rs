//! Presence: an agent is online while a live connection of theirs is open. Each node counts its
//! own connections and records only the first opening and the last closing, as events of the
//! agent tagged with the node.

use crate::caller::Caller;
use crate::error::AppError;
use crate::state::execute;
use crate::write::command::CommandContext;

use crate::state::AppState;
use domain::agent::{agent_stream, Agent, AgentCommand};
use domain::ids::{CompanyId, UserId};
use domain::user::Role;
use projections::agent_board::AgentBoard;

async fn record(state: &AppState, context: &CommandContext, agent: UserId, online: bool) -> Result<(), AppError> {
    let node = state.node.clone();
    let at = context.now;
    let command =
        if online { AgentCommand::ComeOnline { agent, node, at } } else { AgentCommand::GoOffline { agent, node, at } };
    execute::<Agent>(state, context, &agent_stream(agent), &command, &state.agent_board).await
}

/// A live connection opened.
pub async fn connected(state: &AppState, caller: &Caller) -> Result<(), AppError> {
    if caller.role != Role::Agent {
        return Ok(());
    }
    // One agent's openings and closings are counted and recorded one after another: a page that
    // reconnects at once (its last socket closing as a new one opens) would otherwise have its
    // "offline" decided beside its "online", and could end offline with a socket open.
    let _turn = state.connections.turn(caller.user_id).await;
    if state.connections.open(caller.user_id) {
        record(state, &caller.context(state.clock.now()), caller.user_id, true).await?;
    }
    Ok(())
}

/// A live connection closed.
pub async fn disconnected(state: &AppState, caller: &Caller) -> Result<(), AppError> {
    if caller.role != Role::Agent {
        return Ok(());
    }
    let _turn = state.connections.turn(caller.user_id).await;
    if state.connections.close(caller.user_id) {
        record(state, &caller.context(state.clock.now()), caller.user_id, false).await?;
    }
    Ok(())
}

/// On start, nobody is connected to this node yet: presence a previous run of it left behind
/// (it stopped without closing its connections) is ended.
pub async fn forget_stale_presence(state: &AppState) -> Result<(), AppError> {
    for (agent, company) in AgentBoard.online_on(&state.store, &state.node).await? {
        let (Ok(agent), Ok(company)) = (agent.parse::<UserId>(), company.parse::<CompanyId>()) else { continue };
        let context = CommandContext::system(company, state.clock.now());
        record(state, &context, agent, false).await?;
    }
    Ok(())
}
