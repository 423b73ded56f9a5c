//! The latest events of the log, kept in memory by the process's one reader of it (see `tailed`).
//!
//! Every projection and process manager follows the whole log; each reading it from the database
//! would read every event a dozen times over. `crate::tailed` wraps a log so that one task follows it
//! and keeps the latest events in memory, in the log's order; subscriptions whose place is among
//! them are served from memory (shared, not copied) and woken when more arrive, and only one
//! further behind (catching up on history) reads the database. Reads by anyone else (`read_all`,
//! `read_stream`) still go to the database, so a writer reads its own writes.

use crate::record::{Position, RecordedEvent};
use std::collections::VecDeque;
use std::sync::{Arc, RwLock};
use tokio::sync::watch;

/// The latest events of the log, as its one reader in this process saw them.
pub struct Tail {
    keeps: usize,
    kept: RwLock<Kept>,
    head: watch::Sender<Position>,
}

struct Kept {
    /// The position just before the first event kept: the tail knows everything after it.
    start: Position,
    events: VecDeque<Arc<RecordedEvent>>,
}

impl Tail {
    pub(crate) fn new(start: Position, keeps: usize) -> Self {
        Self { keeps, kept: RwLock::new(Kept { start, events: VecDeque::new() }), head: watch::channel(start).0 }
    }

    /// Up to `limit` events after `after`, if the tail knows what follows `after` (an empty list:
    /// nothing yet); `None` when `after` is older than what it keeps.
    pub fn after(&self, after: Position, limit: usize) -> Option<Vec<Arc<RecordedEvent>>> {
        let kept = self.kept.read().unwrap_or_else(|poisoned| poisoned.into_inner());
        if after < kept.start {
            return None;
        }
        let first = kept.events.partition_point(|event| event.position <= after);
        Some(kept.events.range(first..).take(limit).cloned().collect())
    }

    /// Changes whenever the tail learns more events.
    pub fn learnt(&self) -> watch::Receiver<Position> {
        self.head.subscribe()
    }

    pub(crate) fn keep(&self, batch: Vec<Arc<RecordedEvent>>) {
        let mut kept = self.kept.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        kept.events.extend(batch);
        while kept.events.len() > self.keeps {
            if let Some(forgotten) = kept.events.pop_front() {
                kept.start = forgotten.position;
            }
        }
        let head = kept.events.back().map_or(kept.start, |event| event.position);
        drop(kept);
        self.head.send_replace(head);
    }

    /// The position of the last event learnt.
    pub fn head(&self) -> Position {
        *self.head.borrow()
    }
}
