//! Shadow tables: read models rebuilt from the log apart from the live ones, in a throwaway
//! SQLite file or a throwaway PostgreSQL schema (reached through `search_path`), where the same
//! table names hold another copy.

use projections::{Dialect, ReadStore};

/// Why read models could not be rebuilt apart.
#[derive(Debug, thiserror::Error)]
pub enum RebuildError {
    #[error("the event log: {0}")]
    Log(#[from] eventlog::EventLogError),
    #[error("a read model's database: {0}")]
    Store(#[from] sqlx::Error),
    #[error("a read model could not be rebuilt: {0}")]
    Projection(#[from] projections::ProjectionError),
    #[error("the shadow tables: {0}")]
    Io(#[from] std::io::Error),
    #[error("a part of the work stopped: {0}")]
    Stopped(String),
}

/// The past moments a node keeps rebuilt for time travel, the latest asked last.
pub type Pasts = tokio::sync::Mutex<Vec<(chrono::DateTime<chrono::Utc>, std::sync::Arc<Shadow>)>>;

/// Where the rebuilt read models go, and how it is cleared away.
pub struct Shadow {
    pub store: ReadStore,
    cleared: Cleared,
}

enum Cleared {
    File(std::path::PathBuf),
    Schema(String),
}

impl Shadow {
    /// Empty shadow tables beside `live` (at `url`), named for `purpose` (`audit`, `past`, `replay`).
    pub async fn beside(live: &ReadStore, url: &str, purpose: &str) -> Result<Self, RebuildError> {
        let name = format!("{purpose}_{}", uuid::Uuid::now_v7().simple());
        let (shadow_url, cleared) = match live.dialect() {
            Dialect::Sqlite => {
                let path = std::env::temp_dir().join(format!("ikono-{name}.db"));
                (format!("sqlite://{}?mode=rwc", path.display()), Cleared::File(path))
            }
            Dialect::Postgres => {
                sqlx::query(&format!("CREATE SCHEMA {name}")).execute(live.pool()).await?;
                let joiner = if url.contains('?') { '&' } else { '?' };
                (format!("{url}{joiner}options=-c%20search_path%3D{name}"), Cleared::Schema(name))
            }
        };
        let store = ReadStore::connect(&shadow_url).await?;
        sqlx::query(
            "CREATE TABLE projection_checkpoints (name TEXT NOT NULL, version INTEGER NOT NULL, \
             transaction_id BIGINT NOT NULL, sequence BIGINT NOT NULL, PRIMARY KEY (name, version))",
        )
        .execute(store.pool())
        .await?;
        Ok(Self { store, cleared })
    }

    /// Where the shadow tables are, for whoever keeps them to read.
    pub fn kept(&self) -> String {
        match &self.cleared {
            Cleared::File(path) => format!("the SQLite file {}", path.display()),
            Cleared::Schema(name) => format!("the PostgreSQL schema {name}"),
        }
    }

    pub async fn clear(self, live: &ReadStore) -> Result<(), RebuildError> {
        self.store.pool().close().await;
        match self.cleared {
            Cleared::File(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let file = std::path::PathBuf::from(format!("{}{suffix}", path.display()));
                    if file.exists() {
                        std::fs::remove_file(file)?;
                    }
                }
            }
            Cleared::Schema(name) => {
                sqlx::query(&format!("DROP SCHEMA {name} CASCADE")).execute(live.pool()).await?;
            }
        }
        Ok(())
    }
}
