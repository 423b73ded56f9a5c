//! The read-side database: one pool over the log's database, SQL written once for both backends
//! (`$n` placeholders, TEXT for ids and times).

use sqlx::any::AnyPoolOptions;
use sqlx::{Any, AnyPool, Transaction};
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
pub struct ReadStore {
    pool: AnyPool,
    dialect: Dialect,
}

impl ReadStore {
    pub async fn connect(url: &str) -> Result<Self, sqlx::Error> {
        sqlx::any::install_default_drivers();
        let dialect = if url.starts_with("sqlite:") { Dialect::Sqlite } else { Dialect::Postgres };
        let pool = AnyPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |connection, _| {
                Box::pin(async move {
                    if dialect == Dialect::Sqlite {
                        sqlx::query("PRAGMA busy_timeout = 30000").execute(&mut *connection).await?;
                    }
                    Ok(())
                })
            })
            .after_release(|connection, _| {
                // A task dropped in the middle of opening a transaction can leave it open with no
                // `Transaction` to roll it back; on SQLite it would hold the write lock for ever.
                // Such a connection is closed, which ends the transaction, instead of pooled.
                Box::pin(async move { Ok(!sqlx::Connection::is_in_transaction(connection)) })
            })
            .connect(url)
            .await?;
        Ok(Self { pool, dialect })
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// A write transaction. SQLite takes the write lock at once so that reading the checkpoint and
    /// then writing can never fail on a snapshot another writer has moved.
    pub async fn begin_write(&self) -> Result<Transaction<'static, Any>, sqlx::Error> {
        match self.dialect {
            Dialect::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Dialect::Postgres => self.pool.begin().await,
        }
    }
}
