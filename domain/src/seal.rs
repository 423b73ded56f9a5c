//! The log's seals: every so often the log is sealed — a MAC, keyed from configuration the
//! database never holds, over every event since the previous seal in the log's settled order,
//! chained to that seal's MAC. An edit made in the database itself, past the log's guards, breaks
//! the seal of the events it touched; a seal forged without the key matches nothing.

use crate::event::DomainEvent;
use serde::{Deserialize, Serialize};

/// The one stream of the installation's seals, in the order they were made.
pub const SEALS_STREAM: &str = "log-seals";

/// A place in the log's global order, as a seal names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SealedPosition {
    pub transaction: i64,
    pub sequence: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum SealEvent {
    /// The events after `after` up to `until` (both in the log's order; `count` of them) are
    /// sealed with `mac` (HMAC-SHA-256, hex), which began from the previous seal's `previous`.
    #[serde(rename = "LogSealed")]
    Sealed { after: SealedPosition, until: SealedPosition, count: u64, previous: String, mac: String },
}

crate::stored_names!(SealEvent { SEALED = "LogSealed" });

impl DomainEvent for SealEvent {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stored_names_are_the_events_own() {
        crate::event::check_names::<SealEvent>(SealEvent::NAMES);
    }
}
