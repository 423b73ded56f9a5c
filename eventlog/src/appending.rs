//! The checks both backends make around an append: distinct ids in a batch, a retry recognised
//! as the same batch, an expectation on an empty batch, revisions and limits the database holds.

use crate::record::{AppendResult, EventLogError, ExpectedRevision, NewEvent, Position, Result};
use uuid::Uuid;

/// Checks a batch before it reaches the database: every event id must be distinct.
pub(crate) fn check_batch(events: &[NewEvent]) -> Result<()> {
    let mut ids: Vec<Uuid> = events.iter().map(|e| e.event_id).collect();
    ids.sort_unstable();
    if ids.windows(2).any(|pair| pair[0] == pair[1]) {
        return Err(EventLogError::InvalidBatch("the same event id appears twice in one batch".into()));
    }
    Ok(())
}

/// Compares a batch with the events already stored under its ids, for idempotent retries:
/// the same ids, in the same order, consecutively in the same stream, are the first result again.
pub(crate) fn idempotent_result(
    stream: &str,
    events: &[NewEvent],
    stored: &[(Uuid, String, u64, Position)],
) -> Result<AppendResult> {
    if let Some((event_id, other, _, _)) = stored.iter().find(|(_, s, _, _)| s != stream) {
        return Err(EventLogError::DuplicateEventId { event_id: *event_id, stored_in: other.clone() });
    }
    let mut by_revision = stored.to_vec();
    by_revision.sort_by_key(|(_, _, revision, _)| *revision);
    let same_batch = by_revision.len() == events.len()
        && by_revision.iter().zip(events).all(|((id, _, _, _), event)| *id == event.event_id)
        && by_revision.windows(2).all(|pair| pair[1].2 == pair[0].2 + 1);
    match by_revision.last() {
        Some((_, _, revision, position)) if same_batch => {
            Ok(AppendResult { next_expected_revision: Some(*revision), position: Some(*position) })
        }
        _ => Err(EventLogError::DuplicateEventId { event_id: by_revision[0].0, stored_in: stream.to_string() }),
    }
}

pub(crate) fn revision_to_db(revision: u64) -> Result<i64> {
    i64::try_from(revision).map_err(|_| EventLogError::InvalidBatch(format!("revision {revision} is out of range")))
}

pub(crate) fn revision_from_db(revision: i64) -> Result<u64> {
    u64::try_from(revision).map_err(|_| EventLogError::Corrupt(format!("negative revision {revision}")))
}

pub(crate) fn limit_to_db(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

/// An empty batch appends nothing, but its expectation is still checked.
pub(crate) fn checked_empty_append(
    stream: &str,
    expected: ExpectedRevision,
    actual: Option<u64>,
) -> Result<AppendResult> {
    if expected.admits(actual) {
        Ok(AppendResult { next_expected_revision: actual, position: None })
    } else {
        Err(EventLogError::WrongExpectedRevision { stream: stream.to_string(), expected, actual })
    }
}
