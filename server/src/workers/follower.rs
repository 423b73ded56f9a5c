//! Process managers that follow the whole log: each learns every event, acts once it has caught
//! up (after a batch that was not full: a full one means more is waiting) and on every tick, and
//! after a failure starts again from the last event it learnt.

use crate::metrics::Metrics;
use async_trait::async_trait;
use eventlog::{EventLog, EventLogError, Position, RecordedEvent};
use std::sync::Arc;
use std::time::Duration;

const BATCH: usize = 1000;
/// Learning is decoding, with no wait in it: a follower catching up on a full batch would hold
/// one of the runtime's threads (two, on a 2-core machine) for milliseconds, and every request on
/// it would wait. It lets them by every so many events.
const LEARNT_BEFORE_YIELDING: usize = 64;

#[async_trait]
pub trait Follower: Send + 'static {
    type Error: std::fmt::Display + From<EventLogError> + Send;
    /// How the logs name it when it stops and starts again.
    const NAME: &'static str;

    fn log(&self) -> Arc<dyn EventLog>;
    /// The last event learnt.
    fn position(&mut self) -> &mut Position;
    fn learn(&mut self, event: &RecordedEvent) -> Result<(), Self::Error>;
    async fn act(&mut self) -> Result<(), Self::Error>;
    /// What it does on each tick: by default, act.
    async fn on_tick(&mut self) -> Result<(), Self::Error> {
        self.act().await
    }
}

/// Follows the log for ever, saying in `metrics` how far it has acted.
pub async fn follow<F: Follower>(mut follower: F, metrics: Arc<Metrics>) {
    loop {
        if let Err(error) = follow_once(&mut follower, &metrics).await {
            tracing::warn!(%error, follower = F::NAME, "stopped; starting again");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

async fn follow_once<F: Follower>(follower: &mut F, metrics: &Metrics) -> Result<(), F::Error> {
    let mut subscription = eventlog::subscribe_all(follower.log(), *follower.position());
    let mut tick = tokio::time::interval(Duration::from_millis(500));
    loop {
        tokio::select! {
            batch = subscription.next_batch(BATCH) => {
                let Some(batch) = batch else { return Ok(()) };
                let batch = batch?;
                for (n, event) in batch.iter().enumerate() {
                    follower.learn(event)?;
                    *follower.position() = event.position;
                    if n % LEARNT_BEFORE_YIELDING == LEARNT_BEFORE_YIELDING - 1 {
                        tokio::task::yield_now().await;
                    }
                }
                if batch.len() < BATCH {
                    follower.act().await?;
                    metrics.follower_acted(F::NAME, *follower.position());
                }
            }
            _ = tick.tick() => {
                follower.on_tick().await?;
                metrics.follower_acted(F::NAME, *follower.position());
            }
        }
    }
}
