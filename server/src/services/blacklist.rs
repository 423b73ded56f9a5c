//! The company's blacklist (G19): supervisors list and unlist customers' accounts; an agent's
//! message to a listed account is refused with the reason; a listed account's messages are dropped
//! before any chat is made, each drop recorded.

use crate::caller::Caller;
use crate::error::AppError;
use crate::state::{execute, AppState};
use crate::write::command::{commit, with_retry, CommandContext, Decided};
use domain::blacklist::{blacklist_stream, drops_stream, Blacklist, BlacklistCommand, BlacklistEvent};
use domain::contact::{Account, Channel};
use domain::ids::{CompanyId, LineId};
use domain::user::Role;
use projections::blacklist::{BlacklistRow, Blacklists};
use serde::Deserialize;

/// An account as a supervisor writes it: its channel and its id (a WhatsApp number in any
/// notation).
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
pub struct ListedAccount {
    pub channel: Channel,
    pub account_id: String,
}

impl ListedAccount {
    fn account(&self) -> Result<Account, AppError> {
        Account::parse(self.channel, &self.account_id, None).map_err(|e| AppError::Invalid(e.to_string()))
    }
}

pub async fn entries(state: &AppState, caller: &Caller) -> Result<Vec<BlacklistRow>, AppError> {
    caller.require(&[Role::Supervisor, Role::Auditor])?;
    Ok(Blacklists.entries_of(&state.store, &caller.company_id.to_string()).await?)
}

pub async fn add(state: &AppState, caller: &Caller, listed: &ListedAccount, reason: &str) -> Result<(), AppError> {
    caller.require(&[Role::Supervisor])?;
    let command =
        BlacklistCommand::Add { company_id: caller.company_id, account: listed.account()?, reason: reason.to_string() };
    let context = caller.context(state.clock.now());
    execute::<Blacklist>(state, &context, &blacklist_stream(caller.company_id), &command, &state.blacklist).await
}

pub async fn remove(state: &AppState, caller: &Caller, listed: &ListedAccount) -> Result<(), AppError> {
    caller.require(&[Role::Supervisor])?;
    let command = BlacklistCommand::Remove { company_id: caller.company_id, account: listed.account()? };
    let context = caller.context(state.clock.now());
    execute::<Blacklist>(state, &context, &blacklist_stream(caller.company_id), &command, &state.blacklist).await
}

/// Refuses to write to `account` of `company` while it is on the blacklist, saying why.
pub async fn refuse_if_listed(state: &AppState, company: CompanyId, account: &Account) -> Result<(), AppError> {
    match Blacklists.entry(&state.store, &company.to_string(), account).await? {
        Some(entry) => Err(AppError::Forbidden(format!(
            "{} is on the company's blacklist and may not be written to: {}",
            account.id, entry.reason
        ))),
        None => Ok(()),
    }
}

/// Drops a message from `account` to `line` when the account is on the blacklist: records the drop
/// and answers the refusal; answers nothing for an account that is not listed.
pub async fn drop_if_listed(
    state: &AppState,
    company: CompanyId,
    line: LineId,
    account: &Account,
) -> Result<(), AppError> {
    if Blacklists.entry(&state.store, &company.to_string(), account).await?.is_none() {
        return Ok(());
    }
    let context = CommandContext::system(company, state.clock.now());
    let dropped = BlacklistEvent::MessageDropped { company_id: company, account: account.clone(), line_id: line };
    let stream = drops_stream(company);
    let position = with_retry(&state.metrics, || async {
        let decided = Decided::new(&context, &stream, eventlog::ExpectedRevision::Any, std::slice::from_ref(&dropped))?;
        commit(state.log.as_ref(), &state.metrics, vec![decided]).await
    })
    .await?;
    state.caught_up(&state.blacklist, position).await?;
    Err(AppError::Forbidden(format!("{} is on the company's blacklist: the message was dropped", account.id)))
}
