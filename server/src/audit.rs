//! `server audit`: every read model rebuilt from position 0 into shadow tables (a throwaway SQLite
//! file, or a throwaway PostgreSQL schema), up to where the live one stands, and compared with it
//! row by row; and every seal of the log checked against the events it sealed.

use crate::seals::{check, SealCheck, SealKey};
use crate::secrets::SecretsKey;
use crate::shadow::{RebuildError, Shadow};
use eventlog::{EventLog, Position};
use projections::rows::{rows_of, rows_of_tables, tables_of};
use projections::runner::stored_checkpoint;
use projections::together::{catch_up_together, UpTo};
use projections::{Dialect, Projection, ProjectionRunner, ReadStore};
use std::sync::Arc;

/// How many rows of a difference the report shows, each way.
const SHOWN: usize = 5;

/// What the auditor's page and `POST /api/v1/audit` answer.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct AuditOutcome {
    /// Nothing differs and every seal matches.
    pub clean: bool,
    /// The report as `server audit` prints it.
    pub report: String,
}

/// Audits the installation a running server serves, for a supervisor or an auditor: one audit at
/// a time on a node.
pub async fn audit_for(
    state: &crate::state::AppState,
    caller: &crate::caller::Caller,
) -> Result<AuditOutcome, crate::error::AppError> {
    caller.require(&[domain::user::Role::Supervisor, domain::user::Role::Auditor])?;
    let Ok(_running) = state.audit_running.try_lock() else {
        return Err(crate::error::AppError::Conflict("an audit is running already; ask again when it ends".into()));
    };
    let report = audit(&state.settings.database_url, state.settings.secrets_key.as_ref())
        .await
        .map_err(|error| crate::error::AppError::Internal(error.to_string()))?;
    Ok(AuditOutcome { clean: report.clean(), report: report.to_string() })
}

/// One read model compared with its rebuild.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadModelAudit {
    pub name: String,
    pub version: u32,
    pub tables: usize,
    pub rows: usize,
    /// Each difference: the table, and a row only one side has.
    pub differences: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditReport {
    pub read_models: Vec<ReadModelAudit>,
    /// None when the installation has no key: seals can be neither made nor checked.
    pub seals: Option<SealCheck>,
    /// Seals exist in the log but there is no key to check them with.
    pub seals_unchecked: bool,
    /// How long each part took, for the operator (not part of what was found).
    pub took: Took,
}

/// How long the parts of an audit took.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Took {
    pub rebuilding: std::time::Duration,
    pub comparing: std::time::Duration,
    pub checking_seals: std::time::Duration,
}

impl std::fmt::Display for Took {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "read models rebuilt in {:.1} s, compared in {:.1} s; seals checked meanwhile in {:.1} s",
            self.rebuilding.as_secs_f64(),
            self.comparing.as_secs_f64(),
            self.checking_seals.as_secs_f64()
        )
    }
}

impl AuditReport {
    /// Nothing differs and every seal matches.
    pub fn clean(&self) -> bool {
        self.read_models.iter().all(|model| model.differences.is_empty())
            && self.seals.as_ref().is_none_or(|seals| seals.broken.is_empty())
            && !self.seals_unchecked
    }
}

impl std::fmt::Display for AuditReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "Read models rebuilt from the log beside the live ones:")?;
        for model in &self.read_models {
            let verdict = if model.differences.is_empty() {
                "the same".to_string()
            } else {
                format!("{} differences", model.differences.len())
            };
            writeln!(
                f,
                "  {} v{}: {} tables, {} rows — {verdict}",
                model.name, model.version, model.tables, model.rows
            )?;
            for difference in &model.differences {
                writeln!(f, "    {difference}")?;
            }
        }
        match (&self.seals, self.seals_unchecked) {
            (_, true) => {
                writeln!(f, "Seals: the log has seals but no key is configured to check them (IKONO_SECRETS_KEY)")?
            }
            (None, false) => writeln!(f, "Seals: none (no key is configured: IKONO_SECRETS_KEY)")?,
            (Some(seals), false) => {
                let verdict = if seals.broken.is_empty() { "every seal matches" } else { "SEALS BROKEN" };
                writeln!(
                    f,
                    "Seals: {} seals over {} events, {} events not sealed yet — {verdict}",
                    seals.seals, seals.sealed_events, seals.unsealed_events
                )?;
                for broken in &seals.broken {
                    writeln!(f, "  {broken}")?;
                }
            }
        }
        if self.clean() {
            writeln!(f, "Nothing differs: the read models are what the log says, and every seal matches.")
        } else {
            writeln!(f, "The audit found differences.")
        }
    }
}

/// The live read model as it stands, in one snapshot: where its checkpoint is, and its tables' rows.
async fn live_snapshot(
    live: &ReadStore,
    projection: &dyn Projection,
    tables: &[String],
) -> Result<Option<(Position, Vec<Vec<String>>)>, sqlx::Error> {
    let mut transaction = live.pool().begin().await?;
    if live.dialect() == Dialect::Postgres {
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ").execute(&mut *transaction).await?;
    }
    let Some(position) = stored_checkpoint(&mut *transaction, projection).await? else { return Ok(None) };
    let mut rows = Vec::new();
    for table in tables {
        rows.push(rows_of(&mut transaction, live.dialect(), table).await?);
    }
    transaction.commit().await?;
    Ok(Some((position, rows)))
}

/// The rows only one of two sorted lists holds, as the report writes them.
fn differences(table: &str, live: &[String], rebuilt: &[String]) -> Vec<String> {
    let (mut only_live, mut only_rebuilt) = (Vec::new(), Vec::new());
    let (mut l, mut r) = (0, 0);
    while l < live.len() || r < rebuilt.len() {
        match (live.get(l), rebuilt.get(r)) {
            (Some(a), Some(b)) if a == b => (l, r) = (l + 1, r + 1),
            (Some(a), Some(b)) if a < b => {
                only_live.push(a);
                l += 1;
            }
            (Some(_), Some(b)) | (None, Some(b)) => {
                only_rebuilt.push(b);
                r += 1;
            }
            (Some(a), None) => {
                only_live.push(a);
                l += 1;
            }
            (None, None) => break,
        }
    }
    let mut found: Vec<String> =
        only_live.iter().take(SHOWN).map(|row| format!("{table}: only in the live table: {row}")).collect();
    found.extend(only_rebuilt.iter().take(SHOWN).map(|row| format!("{table}: only in the rebuild: {row}")));
    let unshown = only_live.len().saturating_sub(SHOWN) + only_rebuilt.len().saturating_sub(SHOWN);
    if unshown > 0 {
        found.push(format!("{table}: and {unshown} more rows differ"));
    }
    found
}

/// Compares the live read model with its rebuild in `runner`, brought first to where the live one
/// stands in the snapshot compared (it may have moved on while the rebuild ran).
async fn audit_read_model(live: &ReadStore, runner: &ProjectionRunner) -> Result<ReadModelAudit, RebuildError> {
    let (projection, shadow) = (runner.projection().as_ref(), runner.store());
    let tables = tables_of(shadow, projection).await?;
    let mut audit = ReadModelAudit {
        name: projection.name().to_string(),
        version: projection.version(),
        tables: tables.len(),
        rows: 0,
        differences: Vec::new(),
    };
    // The rebuild is read on another core while the live tables are: most often the live read
    // model has not moved since the rebuild stopped where it stood.
    let rebuilt_at = runner.checkpoint().await?;
    let reading = {
        let (shadow, tables) = (shadow.clone(), tables.clone());
        tokio::spawn(async move { rows_of_tables(&shadow, &tables).await })
    };
    let Some((position, live_rows)) = live_snapshot(live, projection, &tables).await? else {
        audit.differences.push("the live read model has not been built on this database".into());
        return Ok(audit);
    };
    let mut rebuilt_rows = reading.await.map_err(|error| RebuildError::Stopped(error.to_string()))??;
    if position != rebuilt_at {
        runner.catch_up_to(position).await?;
        rebuilt_rows = rows_of_tables(shadow, &tables).await?;
    }
    for ((table, live_rows), rebuilt) in tables.iter().zip(&live_rows).zip(&rebuilt_rows) {
        audit.rows += live_rows.len();
        audit.differences.extend(differences(table, live_rows, rebuilt));
    }
    Ok(audit)
}

/// Every read model rebuilt in `shadow` from one read of the log, each up to where its live copy
/// stands now, then compared with it one after the other.
async fn audit_read_models(
    log: &Arc<dyn EventLog>,
    live: &ReadStore,
    shadow: &ReadStore,
    took: &mut Took,
) -> Result<Vec<ReadModelAudit>, RebuildError> {
    let started = std::time::Instant::now();
    let mut runners = Vec::new();
    let mut until = Vec::new();
    for projection in projections::all() {
        let runner = ProjectionRunner::new(shadow.clone(), log.clone(), projection);
        runner.prepare().await?;
        until.push(stored_checkpoint(live.pool(), runner.projection().as_ref()).await?);
        runners.push(runner);
    }
    let rebuilt: Vec<UpTo> = runners
        .iter()
        .zip(&until)
        .filter_map(|(runner, until)| until.map(|until| UpTo { runner, until: Some(until) }))
        .collect();
    catch_up_together(&rebuilt).await?;
    took.rebuilding = started.elapsed();
    let started = std::time::Instant::now();
    let mut read_models = Vec::new();
    for runner in &runners {
        read_models.push(audit_read_model(live, runner).await?);
    }
    took.comparing = started.elapsed();
    Ok(read_models)
}

/// Audits the installation at `database_url`: its read models, and its seals with `key`.
pub async fn audit(database_url: &str, key: Option<&SecretsKey>) -> Result<AuditReport, RebuildError> {
    let log = eventlog::open(database_url).await?;
    let live = ReadStore::connect(database_url).await?;
    let shadow = Shadow::beside(&live, database_url, "audit").await?;
    // The seals are checked while the read models are rebuilt: each reads the log on its own core.
    let sealed = {
        let (log, key) = (log.clone(), key.map(SealKey::of));
        tokio::spawn(async move {
            let started = std::time::Instant::now();
            let checked = match key {
                Some(key) => check(log.as_ref(), &key).await.map(|check| (Some(check), false)),
                None => crate::seals::seals(log.as_ref()).await.map(|seals| (None, !seals.is_empty())),
            };
            (checked, started.elapsed())
        })
    };
    let mut took = Took::default();
    let read_models = audit_read_models(&log, &live, &shadow.store, &mut took).await;
    shadow.clear(&live).await?;
    let read_models = read_models?;
    let (checked, checking_seals) = sealed.await.map_err(|error| RebuildError::Stopped(error.to_string()))?;
    let (seals, seals_unchecked) = checked?;
    took.checking_seals = checking_seals;
    Ok(AuditReport { read_models, seals, seals_unchecked, took })
}

#[cfg(test)]
mod tests {
    use super::differences;

    #[test]
    fn rows_only_one_side_holds_are_told_and_the_rest_counted() {
        let live: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
        let rebuilt: Vec<String> = ["a", "c", "d"].map(String::from).to_vec();
        assert_eq!(
            differences("t", &live, &rebuilt),
            vec!["t: only in the live table: b".to_string(), "t: only in the rebuild: d".to_string()]
        );
        assert!(differences("t", &live, &live).is_empty());
        let many: Vec<String> = (0..8).map(|n| n.to_string()).collect();
        let told = differences("t", &many, &[]);
        assert_eq!(told.last().map(String::as_str), Some("t: and 3 more rows differ"));
    }
}
