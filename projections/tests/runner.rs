//! The projection runner survives being killed between or in the middle of batches, a new version
//! rebuilds from position 0 into fresh tables, and several read models fed from one read of the
//! log each end where they are told.

use async_trait::async_trait;
use domain::event::{encode, DomainEvent};
use domain::ids::{CompanyId, QueueId};
use domain::pause::PauseReasonEvent;
use domain::queue::{QueueEvent, QueueName};
use eventlog::testing::{fresh_database, settled, Backend, TestDatabase};
use eventlog::{EventLog, ExpectedRevision, Metadata, NewEvent, Position, RecordedEvent};
use projections::queue_list::{QueueList, QueueRow, VERSION};
use projections::together::{catch_up_together_in_pages_of, UpTo};
use projections::{Projection, ProjectionError, ProjectionRunner, ReadStore};
use sqlx::AnyConnection;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

eventlog::on_both_backends!(
    a_runner_killed_between_and_within_batches_ends_equal_to_a_rebuild,
    bumping_the_version_rebuilds_into_fresh_tables,
    two_runners_of_one_projection_race_and_agree_with_a_rebuild,
    a_following_runner_passes_events_it_does_not_read_without_storing_each,
    read_models_commit_without_waiting_for_the_disk,
    read_models_fed_from_one_read_of_the_log_stop_where_each_is_told_and_equal_their_rebuilds,
);

const COMPANIES: [u128; 3] = [1, 2, 3];

fn company(n: u128) -> CompanyId {
    CompanyId::from_uuid(Uuid::from_u128(n))
}

fn new_event(company: CompanyId, event: &impl DomainEvent) -> NewEvent {
    let (event_type, data) = encode(event).unwrap();
    NewEvent {
        event_id: Uuid::now_v7(),
        event_type,
        data,
        metadata: Metadata {
            occurred_at: "2026-12-02T12:00:00Z".parse().expect("a time"),
            company_id: company.as_uuid(),
            actor: "system".into(),
            correlation_id: Uuid::now_v7(),
            causation_id: None,
            schema_version: 1,
        },
    }
}

/// Appends one queue; returns its position. (`head()` may lag behind on PostgreSQL while another
/// database's transaction is in flight, so tests go by the positions their appends return.)
async fn add_queue(log: &dyn EventLog, i: usize) -> Position {
    let company = company(COMPANIES[i % COMPANIES.len()]);
    let queue_id = QueueId::from_uuid(Uuid::now_v7());
    let created =
        QueueEvent::Created { queue_id, company_id: company, name: QueueName::parse(&format!("Queue {i}")).unwrap() };
    let event = new_event(company, &created);
    let appended = log.append(&format!("queue-{queue_id}"), ExpectedRevision::NoStream, vec![event]).await.unwrap();
    appended.position.expect("one event appended")
}

/// A log of `queues` queues, all visible to readers, its read store, and the position of its last
/// event.
async fn history(backend: Backend, queues: usize) -> (TestDatabase, Arc<dyn EventLog>, ReadStore, Position) {
    let database = fresh_database(backend).await;
    let log = eventlog::open(&database.url).await.unwrap();
    let mut end = Position::START;
    for i in 0..queues {
        end = add_queue(log.as_ref(), i).await;
    }
    settled(log.as_ref(), end).await;
    let store = ReadStore::connect(&database.url).await.unwrap();
    (database, log, store, end)
}

/// Events the queue list does not read: `count` pause reasons, in appends of up to 1,000; returns
/// the position of the last.
async fn add_pause_reasons(log: &dyn EventLog, count: usize) -> Position {
    let company = company(COMPANIES[0]);
    let stream = format!("pausereasons-{}", Uuid::now_v7());
    let mut added = 0;
    let mut last = Position::START;
    while added < count {
        let events: Vec<NewEvent> = (added..count.min(added + 1_000))
            .map(|n| {
                new_event(company, &PauseReasonEvent::Created { reason_id: Uuid::now_v7(), name: format!("R{n}") })
            })
            .collect();
        added += events.len();
        last = log.append(&stream, ExpectedRevision::Any, events).await.unwrap().position.expect("appended");
    }
    last
}

async fn rows(store: &ReadStore, version: u32) -> Vec<Vec<QueueRow>> {
    let mut all = Vec::new();
    for n in COMPANIES {
        all.push(QueueList::at_version(version).queues_of(store, company(n)).await.unwrap());
    }
    all
}

/// Fails after applying a given number of events: a crash in the middle of a batch.
struct CrashAfter {
    inner: QueueList,
    remaining: AtomicUsize,
}

#[async_trait]
impl Projection for CrashAfter {
    fn name(&self) -> &'static str {
        self.inner.name()
    }
    fn version(&self) -> u32 {
        self.inner.version()
    }
    async fn create_tables(&self, connection: &mut AnyConnection) -> Result<(), ProjectionError> {
        self.inner.create_tables(connection).await
    }
    fn reads(&self, event: &RecordedEvent) -> bool {
        self.inner.reads(event)
    }
    async fn apply(&self, connection: &mut AnyConnection, event: &RecordedEvent) -> Result<(), ProjectionError> {
        if self.remaining.fetch_sub(1, Ordering::SeqCst) == 0 {
            return Err(ProjectionError::Event { event_id: event.event_id, reason: "crash".into() });
        }
        self.inner.apply(connection, event).await
    }
}

async fn a_runner_killed_between_and_within_batches_ends_equal_to_a_rebuild(backend: Backend) {
    let (_db, log, store, end) = history(backend, 300).await;
    let runner = ProjectionRunner::new(store.clone(), log.clone(), Arc::new(QueueList::new())).with_batch_size(40);
    runner.prepare().await.unwrap();

    // Stopped between batches: two batches applied, then the runner is gone.
    assert_eq!(runner.run_once().await.unwrap(), 40);
    assert_eq!(runner.run_once().await.unwrap(), 40);
    let before_crash = runner.checkpoint().await.unwrap();
    drop(runner);

    // Crashed mid-batch: 15 of 40 events applied, then the transaction is dropped.
    let crashing = ProjectionRunner::new(
        store.clone(),
        log.clone(),
        Arc::new(CrashAfter { inner: QueueList::new(), remaining: AtomicUsize::new(15) }),
    )
    .with_batch_size(40);
    assert!(crashing.run_once().await.is_err());
    assert_eq!(crashing.checkpoint().await.unwrap(), before_crash, "a failed batch does not move the checkpoint");
    let visible: usize = rows(&store, VERSION).await.iter().map(Vec::len).sum();
    assert_eq!(visible, 80, "nothing of the failed batch is visible");

    // Killed while following the log: the task is aborted at some point of its work.
    let following =
        Arc::new(ProjectionRunner::new(store.clone(), log.clone(), Arc::new(QueueList::new())).with_batch_size(7));
    let task = tokio::spawn(following.clone().run());
    tokio::time::timeout(Duration::from_secs(30), async {
        while following.checkpoint().await.unwrap() == before_crash {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    })
    .await
    .expect("the runner moves past the checkpoint it had when it crashed");
    task.abort();
    let _ = task.await;

    // Restarted: it catches up from its checkpoint.
    let restarted = ProjectionRunner::new(store.clone(), log.clone(), Arc::new(QueueList::new()));
    restarted.catch_up().await.unwrap();

    let rebuild = ProjectionRunner::new(store.clone(), log.clone(), Arc::new(QueueList::at_version(VERSION + 1)));
    rebuild.prepare().await.unwrap();
    rebuild.catch_up().await.unwrap();

    let recovered = rows(&store, VERSION).await;
    assert_eq!(recovered.iter().map(Vec::len).sum::<usize>(), 300);
    assert_eq!(recovered, rows(&store, VERSION + 1).await);
    assert_eq!(restarted.checkpoint().await.unwrap(), end);
}

async fn bumping_the_version_rebuilds_into_fresh_tables(backend: Backend) {
    let (_db, log, store, _) = history(backend, 30).await;
    let v1 = ProjectionRunner::new(store.clone(), log.clone(), Arc::new(QueueList::at_version(1)));
    v1.prepare().await.unwrap();
    v1.catch_up().await.unwrap();

    let v2 = ProjectionRunner::new(store.clone(), log.clone(), Arc::new(QueueList::at_version(2)));
    v2.prepare().await.unwrap();
    assert_eq!(v2.checkpoint().await.unwrap(), Position::START, "a new version starts from position 0");
    assert!(rows(&store, 2).await.iter().all(Vec::is_empty), "into fresh, empty tables");
    v2.catch_up().await.unwrap();
    assert_eq!(rows(&store, 2).await, rows(&store, 1).await);
    assert_eq!(rows(&store, 2).await.iter().map(Vec::len).sum::<usize>(), 30);
}

async fn two_runners_of_one_projection_race_and_agree_with_a_rebuild(backend: Backend) {
    let (_db, log, store, head) = history(backend, 60).await;
    let first =
        Arc::new(ProjectionRunner::new(store.clone(), log.clone(), Arc::new(QueueList::new())).with_batch_size(5));
    let second =
        Arc::new(ProjectionRunner::new(store.clone(), log.clone(), Arc::new(QueueList::new())).with_batch_size(5));
    first.prepare().await.unwrap();
    let a = tokio::spawn(first.clone().run());
    let b = tokio::spawn(second.clone().run());
    tokio::time::timeout(Duration::from_secs(30), async {
        while first.checkpoint().await.unwrap() != head {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .expect("the runners catch up");
    a.abort();
    b.abort();
    // The checkpoint's compare-and-set lets one runner win each batch; the loser restarts from
    // the stored checkpoint. Whatever the interleaving, the result is the rebuild's.
    let rebuild = ProjectionRunner::new(store.clone(), log.clone(), Arc::new(QueueList::at_version(9)));
    rebuild.prepare().await.unwrap();
    rebuild.catch_up().await.unwrap();
    assert_eq!(rows(&store, VERSION).await, rows(&store, 9).await);
}

async fn a_following_runner_passes_events_it_does_not_read_without_storing_each(backend: Backend) {
    let (_db, log, store, last_queue) = history(backend, 3).await;
    let runner = Arc::new(ProjectionRunner::new(store.clone(), log.clone(), Arc::new(QueueList::new())));
    runner.prepare().await.unwrap();
    let task = tokio::spawn(runner.clone().run());
    runner.wait_for(last_queue, Duration::from_secs(30)).await.unwrap();

    // Events it does not read: shown at once, the stored checkpoint left where it was.
    let head = add_pause_reasons(log.as_ref(), 50).await;
    runner.wait_for(head, Duration::from_secs(30)).await.expect("passed without a transaction");
    assert_eq!(runner.shown().await.unwrap(), head);
    assert_eq!(runner.checkpoint().await.unwrap(), last_queue, "no transaction for events it does not read");

    // The next event it reads stores the checkpoint past everything before it.
    let fourth_queue = add_queue(log.as_ref(), 3).await;
    runner.wait_for(fourth_queue, Duration::from_secs(30)).await.unwrap();
    assert_eq!(runner.checkpoint().await.unwrap(), fourth_queue);
    assert_eq!(rows(&store, VERSION).await.iter().map(Vec::len).sum::<usize>(), 4);

    // However long a stretch it does not read, a restart reads at most 10,000 events of it again.
    let head = add_pause_reasons(log.as_ref(), 12_000).await;
    runner.wait_for(head, Duration::from_secs(60)).await.unwrap();
    let stored = runner.checkpoint().await.unwrap();
    assert!(stored > fourth_queue && stored < head, "stored after 10,000 skipped events, not after each");
    assert!(log.read_all(stored, 20_000).await.unwrap().len() < 10_000);
    task.abort();
}

/// Read models are rebuilt from the log, so their transactions commit without waiting for the
/// disk; whatever else is written to the store still waits for it.
async fn read_models_commit_without_waiting_for_the_disk(backend: Backend) {
    let database = fresh_database(backend).await;
    let _log = eventlog::open(&database.url).await.expect("the log opens");
    let store = ReadStore::connect(&database.url).await.expect("the store opens");
    let waits = |mut transaction: projections::store::WriteTransaction| async move {
        let setting = match backend {
            Backend::Postgres => sqlx::query_scalar("SELECT current_setting('synchronous_commit')")
                .fetch_one(&mut **transaction)
                .await
                .expect("the setting reads"),
            Backend::Sqlite => {
                let level: i64 = sqlx::query_scalar("PRAGMA synchronous")
                    .fetch_one(&mut **transaction)
                    .await
                    .expect("the setting reads");
                // SQLite's levels: 1 NORMAL (a commit in WAL does not sync), 2 FULL.
                if level == 2 { "on" } else { "off" }.to_string()
            }
        };
        transaction.commit().await.expect("the transaction commits");
        setting
    };
    assert_eq!(waits(store.begin_rebuildable().await.expect("a transaction")).await, "off");
    assert_eq!(waits(store.begin_write().await.expect("a transaction")).await, "on");
    assert_eq!(waits(store.begin_rebuildable().await.expect("a transaction")).await, "off", "whichever came before");
}

async fn read_models_fed_from_one_read_of_the_log_stop_where_each_is_told_and_equal_their_rebuilds(backend: Backend) {
    const PAGE: usize = 2_000;
    // Queues, then more events the queue list does not read than one page of the shared read
    // holds (pages of `PAGE` events here), then queues again.
    let (_db, log, store, first_queues) = history(backend, 300).await;
    let last_pause_reason = add_pause_reasons(log.as_ref(), 4_500).await;
    let mut end = last_pause_reason;
    for i in 300..400 {
        end = add_queue(log.as_ref(), i).await;
    }
    settled(log.as_ref(), end).await;

    let runner = |version| ProjectionRunner::new(store.clone(), log.clone(), Arc::new(QueueList::at_version(version)));
    let (everything, to_first_queues, to_pause_reasons, half_way) =
        (runner(VERSION + 1), runner(VERSION + 2), runner(VERSION + 3), runner(VERSION + 4).with_batch_size(120));
    for runner in [&everything, &to_first_queues, &to_pause_reasons, &half_way] {
        runner.prepare().await.unwrap();
    }
    // One of them has gone some way already on its own.
    half_way.run_once().await.unwrap();
    catch_up_together_in_pages_of(
        &[
            UpTo { runner: &everything, until: None },
            UpTo { runner: &to_first_queues, until: Some(first_queues) },
            UpTo { runner: &to_pause_reasons, until: Some(last_pause_reason) },
            UpTo { runner: &half_way, until: None },
        ],
        PAGE,
    )
    .await
    .unwrap();

    let rebuild = runner(VERSION + 5);
    rebuild.prepare().await.unwrap();
    rebuild.catch_up().await.unwrap();
    let all = rows(&store, VERSION + 5).await;
    assert_eq!(all.iter().map(Vec::len).sum::<usize>(), 400);
    assert_eq!(rows(&store, VERSION + 1).await, all);
    assert_eq!(rows(&store, VERSION + 4).await, all, "one that had gone some way ends where the others do");
    assert_eq!(everything.checkpoint().await.unwrap(), end);
    assert_eq!(half_way.checkpoint().await.unwrap(), end);
    assert_eq!(rows(&store, VERSION + 2).await.iter().map(Vec::len).sum::<usize>(), 300);
    assert_eq!(to_first_queues.checkpoint().await.unwrap(), first_queues, "stopped where it was told");
    assert_eq!(rows(&store, VERSION + 3).await.iter().map(Vec::len).sum::<usize>(), 300);
    assert_eq!(
        to_pause_reasons.checkpoint().await.unwrap(),
        last_pause_reason,
        "stored past the events it does not read, up to where it was told"
    );
}
