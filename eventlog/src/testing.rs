//! Fresh, isolated databases for tests: a temporary SQLite file, or a new schema in the PostgreSQL
//! database named by `TEST_DATABASE_URL` (`make test` provides it); and reading what a test wrote.

use crate::log::EventLog;
use crate::record::{Position, RecordedEvent};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use uuid::Uuid;

/// Runs each named test `async fn name(backend: Backend)` twice, as `sqlite::name` and
/// `postgres::name`: every storage test of the workspace runs on both backends through this one
/// macro. `threads = N;` first sets the runtime's worker threads (2 unless said).
#[macro_export]
macro_rules! on_both_backends {
    (threads = $threads:literal; $($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = $threads)]
            async fn $name() { super::$name($crate::testing::Backend::Sqlite).await }) *
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = $threads)]
            async fn $name() { super::$name($crate::testing::Backend::Postgres).await }) *
        }
    };
    ($($name:ident),* $(,)?) => {
        $crate::on_both_backends!(threads = 2; $($name),*);
    };
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database no other test uses; a SQLite file is removed when this is dropped, a PostgreSQL
/// schema by [`TestDatabase::remove`] (`make test` starts from a new database each time; a
/// benchmark's millions of events would otherwise stay).
pub struct TestDatabase {
    pub url: String,
    pub backend: Backend,
    _directory: Option<tempfile::TempDir>,
    schema: Option<String>,
}

impl TestDatabase {
    /// Removes the database now: its PostgreSQL schema with everything in it, or its SQLite file.
    pub async fn remove(self) {
        if let Some(schema) = &self.schema {
            let base = std::env::var("TEST_DATABASE_URL").expect("TEST_DATABASE_URL names the test database");
            let admin = sqlx::PgPool::connect(&base).await.expect("the test PostgreSQL database answers");
            sqlx::query(&format!("DROP SCHEMA {schema} CASCADE")).execute(&admin).await.expect("the schema goes");
            admin.close().await;
        }
    }
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

pub async fn fresh_database(backend: Backend) -> TestDatabase {
    match backend {
        Backend::Sqlite => {
            let directory = tempfile::tempdir().expect("a temporary directory for the test database");
            let url = format!("sqlite://{}", directory.path().join("test.db").display());
            TestDatabase { url, backend, _directory: Some(directory), schema: None }
        }
        Backend::Postgres => {
            let base = std::env::var("TEST_DATABASE_URL")
                .expect("TEST_DATABASE_URL must name a PostgreSQL database for tests (make test sets it up)");
            let schema = format!("t_{}_{}", Uuid::now_v7().simple(), COUNTER.fetch_add(1, Ordering::Relaxed));
            let admin = sqlx::PgPool::connect(&base).await.expect("the test PostgreSQL database answers");
            sqlx::query(&format!("CREATE SCHEMA {schema}")).execute(&admin).await.expect("a test schema");
            admin.close().await;
            let separator = if base.contains('?') { '&' } else { '?' };
            let url = format!("{base}{separator}options=-c%20search_path%3D{schema}");
            TestDatabase { url, backend, _directory: None, schema: Some(schema) }
        }
    }
}

/// The events after `after`, read once at least `count` of them are readable: on PostgreSQL an
/// event becomes readable once every older transaction that may append has ended, other tests' too.
/// Panics after 30 seconds.
pub async fn readable(log: &dyn EventLog, after: Position, count: usize) -> Vec<RecordedEvent> {
    tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            let events = log.read_all(after, 100_000).await.expect("the log reads");
            if events.len() >= count {
                return events;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("{count} events become readable"))
}

/// Waits until readers see every event up to `end` (the position an append returned): on
/// PostgreSQL a transaction in flight elsewhere in the cluster, another test's too, may hold the
/// readable head back for a moment, never for ever. Panics after 30 seconds, saying where it stood.
pub async fn settled(log: &dyn EventLog, end: Position) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let head = log.head().await.expect("the log answers");
        if head >= end {
            return;
        }
        assert!(tokio::time::Instant::now() < deadline, "the log shows up to {head:?}, short of {end:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
