//! How each channel line's callback fares on this node: when its provider last reached it with a
//! notification we took, and the last one we refused and why — what a supervisor checks after
//! linking a line ("is Meta reaching us?"). Each node keeps its own; nothing here is history.

use chrono::{DateTime, Utc};
use domain::ids::LineId;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// A refused notification: when, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Refused {
    pub at: DateTime<Utc>,
    pub reason: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Health {
    pub last_notification_at: Option<DateTime<Utc>>,
    pub last_refused: Option<Refused>,
}

#[derive(Clone, Default)]
pub struct ChannelHealth(Arc<Mutex<HashMap<LineId, Health>>>);

impl ChannelHealth {
    fn with(&self, line: LineId, change: impl FnOnce(&mut Health)) {
        let mut lines = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        change(lines.entry(line).or_default());
    }

    pub fn notified(&self, line: LineId, at: DateTime<Utc>) {
        self.with(line, |health| health.last_notification_at = Some(at));
    }

    pub fn refused(&self, line: LineId, at: DateTime<Utc>, reason: &str) {
        self.with(line, |health| health.last_refused = Some(Refused { at, reason: reason.to_string() }));
    }

    pub fn of(&self, line: LineId) -> Health {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(&line).cloned().unwrap_or_default()
    }
}
