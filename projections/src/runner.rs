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
    /// Whether `event` can change this read model. The runner passes only these to `apply`, and a
    /// batch with none of them costs no transaction: say yes to anything `apply` handles.
    fn reads(&self, event: &RecordedEvent) -> bool;
    /// Applies one event that this projection `reads`, inside the batch's transaction.
    async fn apply(&self, connection: &mut AnyConnection, event: &RecordedEvent) -> Result<(), ProjectionError>;
    /// Applies, in order, a batch's events that this projection `reads`, inside the batch's
    /// transaction: one by one, unless the projection has work better done once per batch.
    async fn apply_all(
        &self,
        connection: &mut AnyConnection,
        events: &[&RecordedEvent],
    ) -> Result<(), ProjectionError> {
        for event in events {
            self.apply(connection, event).await?;
        }
        Ok(())
    }
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
    #[error("the log's reader stopped: {0}")]
    Reader(String),
}

/// Reads a stored event as the domain event `E`, or says which stored event could not be read.
pub fn decode_event<E: DomainEvent>(event: &RecordedEvent) -> Result<E, ProjectionError> {
    decode::<E>(&event.event_type, event.metadata.schema_version, &event.data)
        .map_err(|e| ProjectionError::Event { event_id: event.event_id, reason: e.to_string() })
}

/// Where `projection`'s stored checkpoint stands in the database `executor` reaches; none until
/// its runner has prepared it there.
pub async fn stored_checkpoint<'c, E>(executor: E, projection: &dyn Projection) -> Result<Option<Position>, sqlx::Error>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    let stored: Option<(i64, i64)> =
        sqlx::query_as("SELECT transaction_id, sequence FROM projection_checkpoints WHERE name = $1 AND version = $2")
            .bind(projection.name())
            .bind(i64::from(projection.version()))
            .fetch_optional(executor)
            .await?;
    Ok(stored.map(|(transaction, sequence)| Position { transaction, sequence }))
}

/// While following the log, the stored checkpoint is moved past events the projection does not
/// read only with its next batch of events it reads, or once this many have gone by: a restart
/// reads again at most these.
pub(crate) const SKIPPED_BEFORE_SAVING: usize = 10_000;

/// How long a wait for a position goes without this runner's news before it looks at the stored
/// checkpoint (another node's runner may have applied it), and how long at most between looks.
const FIRST_LOOK_AT_CHECKPOINT: Duration = Duration::from_millis(20);
const LONGEST_LOOK_AT_CHECKPOINT: Duration = Duration::from_millis(320);

pub struct ProjectionRunner {
    store: ReadStore,
    log: Arc<dyn EventLog>,
    projection: Arc<dyn Projection>,
    batch_size: usize,
    /// The furthest position whose effects this runner knows the read model shows (it committed
    /// them, or they were events the projection does not read): wakes those waiting for it.
    shown: watch::Sender<Position>,
}

impl ProjectionRunner {
    pub fn new(store: ReadStore, log: Arc<dyn EventLog>, projection: Arc<dyn Projection>) -> Self {
        Self { store, log, projection, batch_size: 100, shown: watch::channel(Position::START).0 }
    }

    pub fn with_batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size.max(1);
        self
    }

    pub fn projection(&self) -> &Arc<dyn Projection> {
        &self.projection
    }

    /// The database its read model is in.
    pub fn store(&self) -> &ReadStore {
        &self.store
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

    /// Where the stored checkpoint stands: a restarted runner starts after it.
    pub async fn checkpoint(&self) -> Result<Position, ProjectionError> {
        Ok(stored_checkpoint(self.store.pool(), self.projection.as_ref()).await?.ok_or(sqlx::Error::RowNotFound)?)
    }

    /// The log it reads.
    pub(crate) fn log(&self) -> &Arc<dyn EventLog> {
        &self.log
    }

    /// Up to where the read model shows the log: the stored checkpoint, or further where this
    /// runner has gone past events its projection does not read.
    pub async fn shown(&self) -> Result<Position, ProjectionError> {
        let passed = *self.shown.borrow();
        Ok(self.checkpoint().await?.max(passed))
    }

    pub(crate) fn show(&self, position: Position) {
        self.shown.send_if_modified(|shown| {
            let further = position > *shown;
            if further {
                *shown = position;
            }
            further
        });
    }

    /// Applies the events up to `last` that follow `from` and that the projection reads, and
    /// moves the checkpoint from `from` to `last`, all in one transaction.
    pub(crate) async fn save_batch(
        &self,
        from: Position,
        last: Position,
        events: &[&RecordedEvent],
    ) -> Result<(), ProjectionError> {
        let mut transaction = self.store.begin_rebuildable().await?;
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
        self.projection.apply_all(&mut transaction, events).await?;
        transaction.commit().await?;
        self.show(last);
        Ok(())
    }

    /// The events of a batch that the projection reads.
    pub(crate) fn read_in<'a>(&self, batch: &'a [impl Borrow<RecordedEvent>]) -> Vec<&'a RecordedEvent> {
        batch.iter().map(Borrow::borrow).filter(|event| self.projection.reads(event)).collect()
    }

    /// Applies the next batch after the stored checkpoint and stores the checkpoint after it;
    /// returns how many events it went through. Tests drain work with it without sleeping.
    pub async fn run_once(&self) -> Result<usize, ProjectionError> {
        let from = self.checkpoint().await?;
        let events = self.log.read_all(from, self.batch_size).await?;
        if let Some(last) = events.last() {
            self.save_batch(from, last.position, &self.read_in(&events)).await?;
        }
        Ok(events.len())
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

    /// Applies batches up to `until` and no further: a rebuild that stops where another copy of
    /// the read model stands, to compare the two.
    pub async fn catch_up_to(&self, until: Position) -> Result<(), ProjectionError> {
        loop {
            let from = self.checkpoint().await?;
            if from >= until {
                return Ok(());
            }
            let events = self.log.read_all(from, self.batch_size).await?;
            let taken: Vec<&RecordedEvent> = events.iter().filter(|event| event.position <= until).collect();
            let Some(last) = taken.last().map(|event| event.position) else { return Ok(()) };
            self.save_batch(from, last, &self.read_in(&taken)).await?;
        }
    }

    /// Waits until this projection has applied the event at `position`, so that an answer given
    /// after a command already shows its effect (read your writes).
    pub async fn wait_for(&self, position: Position, timeout: Duration) -> Result<(), ProjectionError> {
        let mut shown = self.shown.subscribe();
        let deadline = tokio::time::Instant::now() + timeout;
        let mut pause = FIRST_LOOK_AT_CHECKPOINT;
        loop {
            if *shown.borrow_and_update() >= position {
                return Ok(());
            }
            // Woken by this runner's batches without asking the database: hundreds of requests
            // may wait at once, and each batch wakes them all. Another node's runner may apply
            // the event instead, so the stored checkpoint is looked at after a pause with no
            // batch of ours, a longer one each time (a busy database is not asked the more for
            // being slow).
            if tokio::time::timeout(pause, shown.changed()).await.is_err() {
                if self.checkpoint().await? >= position {
                    return Ok(());
                }
                pause = (pause * 2).min(LONGEST_LOOK_AT_CHECKPOINT);
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(ProjectionError::Behind(self.projection.name().to_string()));
            }
        }
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
        let mut stored = self.checkpoint().await?;
        let mut unsaved = 0;
        let mut subscription = eventlog::subscribe_all(self.log.clone(), stored);
        while let Some(batch) = subscription.next_batch(self.batch_size).await {
            let batch = batch?;
            let Some(last) = batch.last().map(|event| event.position) else { continue };
            let read = self.read_in(&batch);
            unsaved += batch.len();
            if read.is_empty() && unsaved < SKIPPED_BEFORE_SAVING {
                self.show(last);
                continue;
            }
            self.save_batch(stored, last, &read).await?;
            (stored, unsaved) = (last, 0);
        }
        Ok(())
    }
}
