//! How PostgreSQL nodes wake each other's readers: `LISTEN/NOTIFY` on the log's channel, a node's
//! commits told only while another node listens.
//!
//! Most installations are one node, and a `NOTIFY` is a transaction of its own delivered to every
//! listener, the sender's included: telling no one cost a single writer of 100-event batches 4% of
//! its appends (measured, docs/BENCHMARKS.md). So each node says it has joined when it starts
//! listening, answers every newcomer, and speaks at least every [`HEARTBEAT`]; it tells its commits
//! while it has heard another node within [`FORGET_AFTER`]. No commit goes untold across the moment
//! two nodes meet: whoever hears of another node for the first time tells at once, covering what
//! it committed while it thought itself alone, and a newcomer's readers read everything once it
//! listens.

use crate::log::tick;
use sqlx::postgres::{PgListener, PgPool};
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::watch;
use tokio::time::Instant;

/// At most one NOTIFY in this long: the first commit after a quiet spell is told at once, the
/// commits of a busy one together at its end. Each NOTIFY is a transaction of its own; one a
/// commit cost a single writer a fifth of its appends (measured, docs/BENCHMARKS.md).
const NOTIFY_EVERY: Duration = Duration::from_millis(5);

/// A node quiet this long says it is still there.
const HEARTBEAT: Duration = Duration::from_secs(20);

/// Another node not heard of in this long is taken to be gone: three heartbeats missed.
const FORGET_AFTER: Duration = Duration::from_secs(60);

/// How a node's notification ends when it says it has just started listening.
const JOINED: &str = " joined";

/// What one notification on the channel says.
#[derive(Debug, PartialEq, Eq)]
enum Heard {
    /// This node's own, which PostgreSQL delivers to it too.
    Own,
    /// Another node committed, or is still there.
    Commit,
    /// Another node started listening.
    Joined,
}

fn heard(payload: &str, own: &str) -> Heard {
    let (node, joined) = match payload.strip_suffix(JOINED) {
        Some(node) => (node, true),
        None => (payload, false),
    };
    match (node == own, joined) {
        (true, _) => Heard::Own,
        (false, true) => Heard::Joined,
        (false, false) => Heard::Commit,
    }
}

/// This node among the others sharing the log: what it has heard of them, and the ticks for its
/// readers and for its notifier.
pub(crate) struct Nodes {
    /// This node's signature on its notifications.
    own: String,
    channel: String,
    /// When another node was last heard of.
    others_heard: Mutex<Option<Instant>>,
    /// Ticks for this node's readers: a commit here or on another node.
    commits: watch::Sender<u64>,
    /// Ticks for the notifier: something other nodes are to hear.
    to_tell: watch::Sender<u64>,
}

impl Nodes {
    pub(crate) fn new(own: String, channel: String) -> Self {
        Self {
            own,
            channel,
            others_heard: Mutex::new(None),
            commits: watch::channel(0).0,
            to_tell: watch::channel(0).0,
        }
    }

    pub(crate) fn commits(&self) -> watch::Receiver<u64> {
        self.commits.subscribe()
    }

    /// How many times this node has had something to tell other nodes.
    pub(crate) fn told(&self) -> u64 {
        *self.to_tell.borrow()
    }

    /// Whether another node has been heard of lately.
    pub(crate) fn others_listen(&self) -> bool {
        self.others_listen_at(Instant::now())
    }

    fn others_listen_at(&self, now: Instant) -> bool {
        self.others_heard
            .lock()
            .is_ok_and(|heard| heard.is_some_and(|at| now.saturating_duration_since(at) < FORGET_AFTER))
    }

    /// Wakes this node's readers after a commit here, and other nodes' if any listen.
    pub(crate) fn committed_here(&self) {
        tick(&self.commits);
        if self.others_listen() {
            tick(&self.to_tell);
        }
    }

    fn heard(&self, payload: &str) {
        let heard = heard(payload, &self.own);
        if heard == Heard::Own {
            return;
        }
        let was_alone = !self.others_listen();
        if let Ok(mut others) = self.others_heard.lock() {
            *others = Some(Instant::now());
        }
        tick(&self.commits);
        // A newcomer learns of this node from the answer; and what this node committed while it
        // thought itself alone is told now.
        if heard == Heard::Joined || was_alone {
            tick(&self.to_tell);
        }
    }
}

/// Hears other nodes on a connection of its own, reconnecting when it drops: every (re)connection
/// wakes this node's readers, as notifications may have been missed, and says this node joined.
pub(crate) async fn listen(pool: PgPool, nodes: std::sync::Arc<Nodes>) {
    loop {
        match PgListener::connect_with(&pool).await {
            Ok(mut listener) => match listener.listen(&nodes.channel).await {
                Ok(()) => hear(&mut listener, &nodes).await,
                Err(error) => tracing::warn!(%error, "could not LISTEN for event log commits"),
            },
            Err(error) => tracing::warn!(%error, "could not connect to LISTEN for event log commits"),
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

async fn hear(listener: &mut PgListener, nodes: &Nodes) {
    loop {
        tick(&nodes.commits);
        let joined = format!("{}{JOINED}", nodes.own);
        if let Err(error) = notify(&mut *listener, &nodes.channel, &joined).await {
            tracing::warn!(%error, "could not tell other nodes this one listens");
        }
        // `None`: the connection dropped and the listener listens again on a new one.
        loop {
            match listener.try_recv().await {
                Ok(Some(notification)) => nodes.heard(notification.payload()),
                Ok(None) => break,
                Err(error) => {
                    tracing::warn!(%error, "stopped hearing event log commits");
                    return;
                }
            }
        }
    }
}

/// Tells other nodes, on a connection of its own and outside the writers' transactions, whatever
/// [`Nodes`] has to tell; and, after [`HEARTBEAT`] of quiet, that this node is still there.
/// What comes while a NOTIFY is under way, or within [`NOTIFY_EVERY`] of it, goes in the next.
pub(crate) async fn tell(pool: PgPool, nodes: std::sync::Arc<Nodes>) {
    let mut to_tell = nodes.to_tell.subscribe();
    loop {
        match tokio::time::timeout(HEARTBEAT, to_tell.changed()).await {
            Ok(Err(_)) => return,
            Ok(Ok(())) => {
                to_tell.borrow_and_update();
            }
            Err(_) => {}
        }
        let told = Instant::now();
        if let Err(error) = notify(&pool, &nodes.channel, &nodes.own).await {
            tracing::warn!(%error, "could not NOTIFY other nodes of a commit");
        }
        tokio::time::sleep_until(told + NOTIFY_EVERY).await;
    }
}

async fn notify<'c>(
    connection: impl sqlx::Executor<'c, Database = sqlx::Postgres>,
    channel: &str,
    payload: &str,
) -> sqlx::Result<()> {
    sqlx::query("SELECT pg_notify($1, $2)").bind(channel).bind(payload).execute(connection).await.map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nodes() -> Nodes {
        Nodes::new("a".into(), "eventlog_test".into())
    }

    #[test]
    fn a_node_alone_wakes_its_readers_and_tells_no_one() {
        let nodes = nodes();
        nodes.committed_here();
        nodes.committed_here();
        assert_eq!(*nodes.commits.borrow(), 2);
        assert_eq!(nodes.told(), 0);
    }

    #[test]
    fn its_own_notifications_are_not_another_node() {
        let nodes = nodes();
        nodes.heard("a");
        nodes.heard("a joined");
        assert!(!nodes.others_listen());
        assert_eq!((*nodes.commits.borrow(), nodes.told()), (0, 0));
    }

    #[test]
    fn a_newcomer_is_answered_and_then_told_every_commit() {
        let nodes = nodes();
        nodes.committed_here();
        nodes.heard("b joined");
        assert!(nodes.others_listen());
        assert_eq!(nodes.told(), 1, "the newcomer is answered");
        nodes.committed_here();
        assert_eq!(nodes.told(), 2);
    }

    #[test]
    fn the_first_node_heard_of_is_told_what_was_committed_alone_and_known_ones_are_not_answered() {
        let nodes = nodes();
        nodes.committed_here();
        nodes.heard("b");
        assert_eq!(nodes.told(), 1, "the commit made alone is told once another node is heard");
        nodes.heard("b");
        assert_eq!(nodes.told(), 1, "a node already heard of is not answered");
        assert_eq!(*nodes.commits.borrow(), 3, "each commit, here or there, wakes the readers");
    }

    #[test]
    fn a_node_not_heard_of_for_three_heartbeats_is_forgotten() {
        let nodes = nodes();
        let before = Instant::now();
        nodes.heard("b");
        let after = Instant::now();
        assert!(nodes.others_listen_at(before + FORGET_AFTER - Duration::from_millis(1)));
        assert!(!nodes.others_listen_at(after + FORGET_AFTER));
    }
}
