//! Pushes read-model changes to browsers: after a projection commits a batch, every company whose
//! events it held is told which topic changed, and its open pages refetch.

use eventlog::RecordedEvent;
use projections::ProjectionUpdate;
use std::collections::BTreeSet;
use tokio::sync::broadcast;
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LiveChange {
    pub company_id: Uuid,
    pub topic: &'static str,
}

#[derive(Clone)]
pub struct LiveHub {
    changes: broadcast::Sender<LiveChange>,
}

impl Default for LiveHub {
    fn default() -> Self {
        let (changes, _) = broadcast::channel(1024);
        Self { changes }
    }
}

/// The page topic an event changes, if any page shows it.
fn topic_of(event: &RecordedEvent) -> Option<&'static str> {
    match event.event_type.as_str() {
        "QueueCreated" | "AgentAddedToQueue" | "AgentRemovedFromQueue" => Some("queues"),
        _ => None,
    }
}

impl LiveHub {
    pub fn subscribe(&self) -> broadcast::Receiver<LiveChange> {
        self.changes.subscribe()
    }

    /// Forwards a projection's committed batches as changes, one per company and topic.
    pub async fn forward(self, mut updates: broadcast::Receiver<ProjectionUpdate>) {
        loop {
            match updates.recv().await {
                Ok(update) => {
                    let changes: BTreeSet<LiveChange> = update
                        .events
                        .iter()
                        .filter_map(|event| {
                            topic_of(event).map(|topic| LiveChange { company_id: event.metadata.company_id, topic })
                        })
                        .collect();
                    for change in changes {
                        let _ = self.changes.send(change);
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return,
            }
        }
    }
}
