//! Node liveness: each node writes a heartbeat every second; a node silent for longer than the
//! lease is taken for dead, and the leading router ends the presence of agents connected to it —
//! their browsers lost their connection with the node, so they are not there any more.
//!
//! Heartbeats are operational state, not history: they live in a table of their own, outside the
//! log. What they cause (an agent going offline) is an event like any other.

use crate::clock::machine_time;
use chrono::{DateTime, Duration as Span, Utc};
use projections::ReadStore;
use std::time::Duration;

pub const HEARTBEAT: Duration = Duration::from_secs(1);
/// A node silent this long is dead.
pub const LEASE: Duration = Duration::from_secs(5);

/// Writes this node's heartbeat for ever.
pub async fn beat(store: ReadStore, node: String) {
    loop {
        let now = machine_time().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        let written = sqlx::query(
            "INSERT INTO node_heartbeats (node, seen_at) VALUES ($1, $2) \
             ON CONFLICT (node) DO UPDATE SET seen_at = excluded.seen_at",
        )
        .bind(&node)
        .bind(now)
        .execute(store.pool())
        .await;
        if let Err(error) = written {
            tracing::warn!(%error, "could not write this node's heartbeat");
        }
        tokio::time::sleep(HEARTBEAT).await;
    }
}

/// The nodes whose last heartbeat is older than the lease at `now`.
pub async fn dead_nodes(store: &ReadStore, now: DateTime<Utc>) -> Result<Vec<String>, sqlx::Error> {
    let lease = Span::from_std(LEASE).unwrap_or_else(|_| Span::seconds(5));
    let horizon = (now - lease).to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    sqlx::query_scalar("SELECT node FROM node_heartbeats WHERE seen_at < $1")
        .bind(horizon)
        .fetch_all(store.pool())
        .await
}
