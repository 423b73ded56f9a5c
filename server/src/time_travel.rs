//! Time travel: every read model as it stood at a chosen moment, rebuilt from the log into shadow
//! tables and read through the same operations as today's, read-only; and `server replay`.

use crate::caller::Caller;
use crate::clock::TestClock;
use crate::error::AppError;
use crate::shadow::{RebuildError, Shadow};
use crate::state::AppState;
use chrono::{DateTime, Utc};
use domain::user::Role;
use eventlog::{EventLog, Position};
use projections::together::{catch_up_together, UpTo};
use projections::{ProjectionRunner, ReadStore};
use std::sync::Arc;

/// How many past moments a node keeps rebuilt, the latest asked last out.
const KEPT: usize = 4;

/// The last event that had happened at `at` (by the business clock that recorded it), in the
/// log's order: the log as it stood then.
pub async fn position_at(log: &dyn EventLog, at: DateTime<Utc>) -> Result<(Position, u64), eventlog::EventLogError> {
    let (mut position, mut count) = (Position::START, 0);
    loop {
        let page = log.read_all(position, 1_000).await?;
        if page.is_empty() {
            return Ok((position, count));
        }
        for event in &page {
            if event.metadata.occurred_at > at {
                return Ok((position, count));
            }
            position = event.position;
            count += 1;
        }
    }
}

/// Rebuilds every read model into `shadow` up to `until`, from one read of the log.
pub async fn rebuild(log: &Arc<dyn EventLog>, shadow: &ReadStore, until: Position) -> Result<(), RebuildError> {
    let mut runners = Vec::new();
    for projection in projections::all() {
        let runner = ProjectionRunner::new(shadow.clone(), log.clone(), projection);
        runner.prepare().await?;
        runners.push(runner);
    }
    let rebuilt: Vec<UpTo> = runners.iter().map(|runner| UpTo { runner, until: Some(until) }).collect();
    catch_up_together(&rebuilt).await?;
    Ok(())
}

/// The server's state as it stood at `at`, to read only: its read models rebuilt then, its clock
/// stopped then. For supervisors and auditors.
pub async fn as_of(state: &AppState, caller: &Caller, at: DateTime<Utc>) -> Result<AppState, AppError> {
    caller.require(&[Role::Supervisor, Role::Auditor])?;
    if at > state.clock.now() {
        return Err(AppError::Invalid("that moment has not come yet".into()));
    }
    let broken = |error: RebuildError| AppError::Internal(error.to_string());
    let mut pasts = state.pasts.lock().await;
    let shadow = match pasts.iter().position(|(moment, _)| *moment == at) {
        Some(index) => {
            let kept = pasts.remove(index);
            let shadow = kept.1.clone();
            pasts.push(kept);
            shadow
        }
        None => {
            let shadow = Shadow::beside(&state.store, &state.settings.database_url, "past").await.map_err(broken)?;
            let (until, _) = position_at(state.log.as_ref(), at).await?;
            rebuild(&state.log, &shadow.store, until).await.map_err(broken)?;
            let shadow = Arc::new(shadow);
            pasts.push((at, shadow.clone()));
            if pasts.len() > KEPT {
                let (_, oldest) = pasts.remove(0);
                if let Ok(oldest) = Arc::try_unwrap(oldest) {
                    oldest.clear(&state.store).await.map_err(broken)?;
                }
            }
            shadow
        }
    };
    let mut past = state.clone();
    past.store = shadow.store.clone();
    past.clock = Arc::new(TestClock::starting_at(at));
    Ok(past)
}

/// `server replay --until <moment>`: the read models as they stood then, rebuilt into shadow
/// tables that stay for the operator to read; says where, and how many events it replayed.
pub async fn replay(database_url: &str, at: DateTime<Utc>) -> Result<String, RebuildError> {
    let log = eventlog::open(database_url).await?;
    let live = ReadStore::connect(database_url).await?;
    let shadow = Shadow::beside(&live, database_url, "replay").await?;
    let (until, count) = position_at(log.as_ref(), at).await?;
    rebuild(&log, &shadow.store, until).await?;
    let place = shadow.kept();
    Ok(format!(
        "{count} events replayed, up to {}/{}: the read models as they stood at {} are in {place}\n",
        until.transaction,
        until.sequence,
        at.to_rfc3339()
    ))
}
