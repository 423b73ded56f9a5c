//! Fresh, isolated databases for tests: a temporary SQLite file, or a new schema in the PostgreSQL
//! database named by `TEST_DATABASE_URL` (`make test` provides it).

use std::sync::atomic::{AtomicU64, Ordering};
use uuid::Uuid;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database no other test uses; a SQLite file is removed when this is dropped.
pub struct TestDatabase {
    pub url: String,
    pub backend: Backend,
    _directory: Option<tempfile::TempDir>,
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

pub async fn fresh_database(backend: Backend) -> TestDatabase {
    match backend {
        Backend::Sqlite => {
            let directory = tempfile::tempdir().expect("a temporary directory for the test database");
            let url = format!("sqlite://{}", directory.path().join("test.db").display());
            TestDatabase { url, backend, _directory: Some(directory) }
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
            TestDatabase { url, backend, _directory: None }
        }
    }
}
