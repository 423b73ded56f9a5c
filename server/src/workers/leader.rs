//! Leadership: the process managers that must act once per installation (the router, outbound
//! delivery) act only on the node holding their lock. On PostgreSQL the lock is a session advisory
//! lock: when the leader dies its connection closes and another node takes over. SQLite serves one
//! node, which always leads.

use sqlx::{Connection, PgConnection};
use std::time::Duration;

/// How often a follower asks for the lock, and a leader checks it still holds it.
const RETRY: Duration = Duration::from_millis(500);

pub enum Leadership {
    /// One node only: always the leader.
    Alone,
    Shared {
        url: String,
        name: String,
        connection: Option<PgConnection>,
    },
}

impl Leadership {
    pub fn new(database_url: &str, name: &str) -> Self {
        if database_url.starts_with("postgres") {
            Leadership::Shared { url: database_url.to_string(), name: name.to_string(), connection: None }
        } else {
            Leadership::Alone
        }
    }

    /// Waits until this node leads. Cheap when it already does.
    pub async fn lead(&mut self) {
        while !self.try_lead().await {
            tokio::time::sleep(RETRY).await;
        }
    }

    /// Whether this node leads now, taking the lock if it is free.
    pub async fn try_lead(&mut self) -> bool {
        let Leadership::Shared { url, name, connection } = self else {
            return true;
        };
        if let Some(held) = connection.as_mut() {
            if sqlx::query("SELECT 1").execute(&mut *held).await.is_ok() {
                return true;
            }
            tracing::warn!("lost the connection holding a leader lock");
            *connection = None;
        }
        let Ok(mut fresh) = PgConnection::connect(url).await else {
            return false;
        };
        // Advisory locks span the database: the installation's schema is part of the lock's name,
        // so installations sharing a database (tests do) lead separately.
        let Ok(schema) = sqlx::query_scalar::<_, String>("SELECT current_schema()").fetch_one(&mut fresh).await else {
            return false;
        };
        let key = lock_key(&format!("{schema}/{name}"));
        let taken: Result<bool, _> =
            sqlx::query_scalar("SELECT pg_try_advisory_lock($1)").bind(key).fetch_one(&mut fresh).await;
        if matches!(taken, Ok(true)) {
            tracing::info!(lock = %name, %schema, "this node now leads");
            *connection = Some(fresh);
            true
        } else {
            false
        }
    }
}

/// A stable 64-bit key for a lock's name (FNV-1a), the same on every node.
fn lock_key(name: &str) -> i64 {
    let hash = name
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| (hash ^ u64::from(byte)).wrapping_mul(0x100_0000_01b3));
    i64::from_ne_bytes(hash.to_ne_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_keys_are_stable_and_distinct() {
        assert_eq!(lock_key("router"), lock_key("router"));
        assert_ne!(lock_key("router"), lock_key("delivery"));
    }
}
