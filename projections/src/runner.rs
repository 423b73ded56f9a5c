//! Runs one projection: reads the log after its checkpoint, applies a batch of events and moves the
//! checkpoint in the same transaction, so a crash anywhere leaves the read model and its checkpoint
//! in agreement. A new version starts from position 0 into its own tables.

use crate::store::ReadStore;
use async_trait::async_trait;
use domain::event::{decode, DomainEvent};
use eventlog::{EventLog, EventLogError, Position, RecordedEvent};
use sqlx::AnyConnection;
use std::borrow::Borrow;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// A read model: a name, a version (bump it to rebuild) and how each event changes its tables.
#[async_trait]
pub trait Projection: Send + Sync + 'static {
    fn name(&self) -> &'static str;
    fn version(&self) -> u32;
    /// Creates this version's tables when they don't exist yet.
    async fn create_tables(&self, connection: &mut AnyConnection) -> Result<(), ProjectionError>;
    /// Applies one event inside the batch's transaction.
    async fn apply(&self, connection: &mut AnyConnection, event: &RecordedEvent) -> Result<(), ProjectionError>;
}

#[derive(Debug, thiserror::Error)]
pub enum ProjectionError {
    #[error("read model database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("event log: {0}")]
    Log(#[from] EventLogError),
    #[error("event {event_id} could not be projected: {reason}")]
    Event { event_id: uuid::Uuid, reason: String },
    #[error("another runner moved the checkpoint of {0}")]
    CheckpointMoved(String),
    #[error("the projection {0} did not catch up in time")]
    Behind(String),
}

/// Reads a stored event as the domain event `E`, or says which stored event could not be read.
pub fn decode_event<E: DomainEvent>(event: &RecordedEvent) -> Result<E, ProjectionError> {
    decode::<E>(&event.event_type, event.metadata.schema_version, &event.data)
        .map_err(|e| ProjectionError::Event { event_id: event.event_id, reason: e.to_string() })
}

pub struct ProjectionRunner {
    store: ReadStore,
    log: Arc<dyn EventLog>,
    projection: Arc<dyn Projection>,
    batch_size: usize,
    /// The last position this runner committed: wakes those waiting for it.
    applied: watch::Sender<Position>,
}

impl ProjectionRunner {
    pub fn new(store: ReadStore, log: Arc<dyn EventLog>, projection: Arc<dyn Projection>) -> Self {
        Self { store, log, projection, batch_size: 100, applied: watch::channel(Position::START).0 }
    }

    pub fn with_batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size.max(1);
        self
    }

    pub fn projection(&self) -> &Arc<dyn Projection> {
        &self.projection
    }

    /// Creates the tables and the checkpoint of this projection's version when missing.
    pub async fn prepare(&self) -> Result<(), ProjectionError> {
        let mut transaction = self.store.begin_write().await?;
        self.projection.create_tables(&mut transaction).await?;
        sqlx::query(
            "INSERT INTO projection_checkpoints (name, version, transaction_id, sequence) VALUES ($1, $2, 0, 0) \
             ON CONFLICT (name, version) DO NOTHING",
        )
        .bind(self.projection.name())
        .bind(i64::from(self.projection.version()))
        .execute(&mut **transaction)
        .await?;
        transaction.commit().await?;
        Ok(())
    }

    pub async fn checkpoint(&self) -> Result<Position, ProjectionError> {
        let (transaction, sequence): (i64, i64) = sqlx::query_as(
            "SELECT transaction_id, sequence FROM projection_checkpoints WHERE name = $1 AND version = $2",
        )
        .bind(self.projection.name())
        .bind(i64::from(self.projection.version()))
        .fetch_one(self.store.pool())
        .await?;
        Ok(Position { transaction, sequence })
    }

    /// Applies the events that follow `from` and moves the checkpoint from `from` to the last of
    /// them, all in one transaction.
    async fn apply_batch(
        &self,
        from: Position,
        events: &[impl Borrow<RecordedEvent>],
    ) -> Result<Position, ProjectionError> {
        let Some(last) = events.last().map(|e| e.borrow().position) else {
            return Ok(from);
        };
        let mut transaction = self.store.begin_write().await?;
        let moved = sqlx::query(
            "UPDATE projection_checkpoints SET transaction_id = $1, sequence = $2 \
             WHERE name = $3 AND version = $4 AND transaction_id = $5 AND sequence = $6",
        )
        .bind(last.transaction)
        .bind(last.sequence)
        .bind(self.projection.name())
        .bind(i64::from(self.projection.version()))
        .bind(from.transaction)
        .bind(from.sequence)
        .execute(&mut **transaction)
        .await?;
        if moved.rows_affected() != 1 {
            return Err(ProjectionError::CheckpointMoved(self.projection.name().to_string()));
        }
        for event in events {
            self.projection.apply(&mut transaction, event.borrow()).await?;
        }
        transaction.commit().await?;
        self.applied.send_replace(last);
        Ok(last)
    }

    /// Applies the next batch after the stored checkpoint; returns how many events it applied.
    /// Tests drain work with it without sleeping.
    pub async fn run_once(&self) -> Result<usize, ProjectionError> {
        let from = self.checkpoint().await?;
        let events = self.log.read_all(from, self.batch_size).await?;
        let count = events.len();
        self.apply_batch(from, &events).await?;
        Ok(count)
    }

    /// Applies batches until the projection has caught up with everything visible now.
    pub async fn catch_up(&self) -> Result<(), ProjectionError> {
        loop {
            match self.run_once().await {
                Ok(0) => return Ok(()),
                Ok(_) => continue,
                // Another runner moved the checkpoint first (or an aborted one's commit landed
                // late): carry on from wherever it now is.
                Err(ProjectionError::CheckpointMoved(_)) => continue,
                Err(error) => return Err(error),
            }
        }
    }

    /// Waits until this projection has applied the event at `position`, so that an answer given
    /// after a command already shows its effect (read your writes).
    pub async fn wait_for(&self, position: Position, timeout: Duration) -> Result<(), ProjectionError> {
        let mut applied = self.applied.subscribe();
        let deadline = tokio::time::Instant::now() + timeout;
        while self.checkpoint().await? < position {
            if tokio::time::Instant::now() >= deadline {
                return Err(ProjectionError::Behind(self.projection.name().to_string()));
            }
            // Woken by this runner's batches; another node's runner may apply it instead, so the
            // stored checkpoint is looked at again after a short pause either way.
            let _ = tokio::time::timeout(Duration::from_millis(20), applied.changed()).await;
        }
        Ok(())
    }

    /// Follows the log for ever, restarting from the stored checkpoint after any failure.
    pub async fn run(self: Arc<Self>) {
        loop {
            if let Err(error) = self.follow().await {
                tracing::warn!(projection = self.projection.name(), %error, "projection stopped; restarting");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }

    async fn follow(&self) -> Result<(), ProjectionError> {
        self.prepare().await?;
        let mut checkpoint = self.checkpoint().await?;
        let mut subscription = eventlog::subscribe_all(self.log.clone(), checkpoint);
        while let Some(batch) = subscription.next_batch(self.batch_size).await {
            checkpoint = self.apply_batch(checkpoint, &batch?).await?;
        }
        Ok(())
    }
}
