//! Seals the log as it grows (see `crate::seals`): every few seconds, whatever came since the last
//! seal, a seal at most every thousand events. Every node seals; the seals' stream lets one win.

use crate::clock::Clock;
use crate::seals::{seal_next, SealKey};
use eventlog::EventLog;
use std::sync::Arc;
use std::time::Duration;

pub async fn seal(log: Arc<dyn EventLog>, key: SealKey, clock: Arc<dyn Clock>, every: Duration) {
    loop {
        tokio::time::sleep(every).await;
        // Seal again at once while there is more than one seal's worth waiting.
        loop {
            match seal_next(log.as_ref(), &key, clock.now()).await {
                Ok(true) => continue,
                Ok(false) => break,
                Err(error) => {
                    tracing::warn!(%error, "could not seal the log; trying again");
                    break;
                }
            }
        }
    }
}
