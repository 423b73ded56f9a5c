//! Open live connections per agent on this node.

use domain::ids::UserId;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Open live connections per agent on this node, and each agent's turn to change them.
#[derive(Clone, Default)]
pub struct Connections(Arc<Mutex<HashMap<UserId, usize>>>, Arc<Mutex<HashMap<UserId, Arc<tokio::sync::Mutex<()>>>>>);

impl Connections {
    /// Waits for the agent's turn: while it is held, nobody else counts or records the agent's
    /// connections on this node.
    pub(crate) async fn turn(&self, agent: UserId) -> tokio::sync::OwnedMutexGuard<()> {
        let turn = {
            let mut turns = self.1.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            turns.entry(agent).or_default().clone()
        };
        turn.lock_owned().await
    }

    /// Counts one more; answers whether it is the agent's first here.
    pub(crate) fn open(&self, agent: UserId) -> bool {
        let mut counts = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let count = counts.entry(agent).or_default();
        *count += 1;
        *count == 1
    }

    /// Counts one less; answers whether it was the agent's last here.
    pub(crate) fn close(&self, agent: UserId) -> bool {
        let mut counts = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        match counts.get_mut(&agent) {
            Some(count) if *count > 1 => {
                *count -= 1;
                false
            }
            Some(_) => {
                counts.remove(&agent);
                true
            }
            None => false,
        }
    }
}
