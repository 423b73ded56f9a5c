//! The SQLite file itself: what reaches it, and when.

use chrono::Utc;
use eventlog::testing::{fresh_database, Backend};
use eventlog::{ExpectedRevision, Metadata, NewEvent};
use std::time::{Duration, Instant};
use uuid::Uuid;

fn large_event() -> NewEvent {
    NewEvent {
        event_id: Uuid::now_v7(),
        event_type: "Written".into(),
        data: serde_json::json!({ "text": "x".repeat(1000) }),
        metadata: Metadata {
            occurred_at: Utc::now(),
            company_id: Uuid::from_u128(1),
            actor: "system".into(),
            correlation_id: Uuid::now_v7(),
            causation_id: None,
            schema_version: 1,
        },
    }
}

/// No writer copies the write-ahead log into the database file (SQLite's own checkpoints are off,
/// so that none runs inside an append's turn): the log's checkpointer does, soon after commits.
#[tokio::test]
async fn the_logs_commits_reach_the_database_file_without_a_writer_copying_them() {
    let database = fresh_database(Backend::Sqlite).await;
    let log = eventlog::open(&database.url).await.expect("the log opens");
    let file = database.url.trim_start_matches("sqlite://").to_string();
    let size = || std::fs::metadata(&file).map(|m| m.len()).unwrap_or_default();
    let before = size();
    for batch in 0..20 {
        let events = (0..100).map(|_| large_event()).collect();
        log.append(&format!("stream-{batch}"), ExpectedRevision::NoStream, events).await.expect("appended");
    }
    // No connection made as every user of the file makes them copies the WAL itself.
    let mut connection: sqlx::SqliteConnection =
        sqlx::Connection::connect_with(&eventlog::sqlite::connect_options(&database.url).expect("options"))
            .await
            .expect("a connection");
    let automatic: i64 =
        sqlx::query_scalar("PRAGMA wal_autocheckpoint").fetch_one(&mut connection).await.expect("read");
    assert_eq!(automatic, 0, "SQLite's automatic checkpoints are off");
    let deadline = Instant::now() + Duration::from_secs(10);
    while size() < before + 2_000_000 {
        assert!(
            Instant::now() < deadline,
            "the database file is still {} bytes (it was {before}) 10 s after the commits",
            size()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A stopping server drops its tasks, some of them appends waiting for the file's write turn: the
/// read models, which let waiting appends go first, must not wait for those for ever.
#[tokio::test]
async fn an_append_given_up_while_waiting_for_its_turn_keeps_no_read_model_waiting() {
    let database = fresh_database(Backend::Sqlite).await;
    let gate = eventlog::sqlite::WriteGate::of(&database.url).expect("the file's gate");
    let held = gate.for_read_models().await;
    let waiting = tokio::spawn({
        let gate = gate.clone();
        async move {
            let _turn = gate.for_append().await;
        }
    });
    // On this test's one thread, the append runs up to the turn it cannot get when this yields.
    for _ in 0..3 {
        tokio::task::yield_now().await;
    }
    assert!(!waiting.is_finished(), "the append waits while the turn is held");
    waiting.abort();
    assert!(waiting.await.expect_err("the append was given up").is_cancelled());
    drop(held);
    tokio::time::timeout(Duration::from_secs(10), gate.for_read_models())
        .await
        .expect("a read model gets its turn once the given-up append is gone");
}
