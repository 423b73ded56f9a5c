//! Companies (tenants): the installation operator creates them with their first supervisor and
//! sets their limits (A2); supervisors read their own company's limits and use.

use crate::caller::Caller;
use crate::error::AppError;

use crate::services::users::register_user;
use crate::write::command::{commit, decide, load, with_retry, CommandContext};

use crate::state::AppState;
use domain::company::{company_stream, Company, CompanyCommand, CompanyLimits};
use domain::ids::{CompanyId, UserId};
use domain::user::Role;
use projections::people::People;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

fn operator_context(state: &AppState, company: CompanyId) -> CommandContext {
    CommandContext::new(company.as_uuid(), "operator", state.clock.now())
}

/// Refuses a request without the installation operator's token.
pub fn require_operator(state: &AppState, presented: Option<&str>) -> Result<(), AppError> {
    let denied = || AppError::Unauthorized("the installation operator's token is needed".into());
    let expected = state.settings.operator_token.as_deref().ok_or_else(denied)?;
    let presented = presented.ok_or_else(denied)?;
    // Compared as hashes, so the time taken says nothing about how much of the token matched.
    if Sha256::digest(expected.as_bytes()) == Sha256::digest(presented.as_bytes()) {
        Ok(())
    } else {
        Err(denied())
    }
}

/// Creates the installation's first company when it does not exist yet.
pub async fn ensure_company(state: &AppState, company: CompanyId, name: &str) -> Result<(), AppError> {
    let (current, _) = load::<Company>(state.log.as_ref(), &company_stream(company)).await?;
    if current.exists {
        return Ok(());
    }
    let command = CompanyCommand::Create { company_id: company, name: name.into(), limits: CompanyLimits::default() };
    let context = operator_context(state, company);
    let log = state.log.as_ref();
    with_retry(&state.metrics, || async {
        let decided = decide::<Company>(log, &context, &company_stream(company), &command).await;
        match decided {
            Ok(decided) => commit(log, &state.metrics, vec![decided]).await,
            // Another node created it meanwhile.
            Err(AppError::Conflict(_)) => Ok(None),
            Err(error) => Err(error.into()),
        }
    })
    .await?;
    Ok(())
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
pub struct FirstSupervisor {
    pub name: String,
    pub email: String,
    pub password: String,
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
pub struct NewCompany {
    pub name: String,
    #[serde(default)]
    pub limits: CompanyLimits,
    pub supervisor: FirstSupervisor,
}

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CreatedCompany {
    pub id: CompanyId,
    pub supervisor_id: UserId,
}

/// The operator creates a company and its first supervisor.
pub async fn create_company(state: &AppState, company: &NewCompany) -> Result<CreatedCompany, AppError> {
    let company_id = CompanyId::from_uuid(Uuid::now_v7());
    let context = operator_context(state, company_id);
    let command = CompanyCommand::Create { company_id, name: company.name.clone(), limits: company.limits };
    let stream = company_stream(company_id);
    let log = state.log.as_ref();
    with_retry(&state.metrics, || async {
        let decided = decide::<Company>(log, &context, &stream, &command).await?;
        commit(log, &state.metrics, vec![decided]).await
    })
    .await?;
    let first = &company.supervisor;
    let supervisor_id =
        register_user(state, &context, company_id, &first.email, &first.name, Role::Supervisor, &first.password)
            .await?;
    Ok(CreatedCompany { id: company_id, supervisor_id })
}

pub async fn change_limits(state: &AppState, company: CompanyId, limits: CompanyLimits) -> Result<(), AppError> {
    let command = CompanyCommand::ChangeLimits { company_id: company, limits };
    let context = operator_context(state, company);
    let log = state.log.as_ref();
    with_retry(&state.metrics, || async {
        let decided = decide::<Company>(log, &context, &company_stream(company), &command).await?;
        commit(log, &state.metrics, vec![decided]).await
    })
    .await?;
    Ok(())
}

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CompanyUse {
    pub id: CompanyId,
    /// The name its pages show (W5).
    pub name: String,
    pub limits: CompanyLimits,
    pub agents: usize,
    pub signed_in_agents: usize,
}

/// A supervisor's view of their own company's limits and use.
pub async fn company_use(state: &AppState, caller: &Caller) -> Result<CompanyUse, AppError> {
    caller.require(&[Role::Supervisor, Role::Auditor])?;
    let (current, _) = load::<Company>(state.log.as_ref(), &company_stream(caller.company_id)).await?;
    let now = state.clock.now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let signed_in = People.signed_in_agents(&state.store, &caller.company_id.to_string(), &now).await?;
    Ok(CompanyUse {
        id: caller.company_id,
        name: current.name,
        limits: current.limits,
        agents: current.seats.len(),
        signed_in_agents: signed_in.len(),
    })
}
