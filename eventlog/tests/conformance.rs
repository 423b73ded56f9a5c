//! One body of tests that every backend of the event log must pass.

use chrono::Utc;
use eventlog::testing::{fresh_database, readable, Backend, TestDatabase};
use eventlog::{
    postgres::PostgresLog, subscribe_all, AppendResult, EventLog, EventLogError, ExpectedRevision, Metadata, NewEvent,
    Position, Result, StreamBatch, Subscription,
};
use sqlx::Connection;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

eventlog::on_both_backends!(
    threads = 4;
    expected_revision_matrix_accepts_and_refuses_as_specified,
    wrong_expected_revision_writes_nothing,
    empty_append_creates_nothing,
    retrying_the_same_batch_returns_the_first_result_and_stores_it_once,
    the_same_event_id_in_another_stream_is_refused,
    a_batch_that_fails_midway_leaves_nothing_visible,
    a_transaction_over_two_streams_is_all_or_nothing,
    several_streams_appended_in_one_call_behave_like_appends_one_after_the_other,
    calls_of_hundreds_of_events_and_streams_append_atomically_and_in_order,
    concurrent_appends_expecting_any_revision_all_land_one_after_the_other,
    revisions_of_a_transaction_that_did_not_commit_are_not_followed,
    streams_appended_each_on_their_own_keep_what_the_log_accepts_and_only_that,
    concurrent_appends_with_the_same_exact_revision_have_exactly_one_winner,
    read_all_pages_in_global_order,
    read_all_into_hands_every_event_on_once_in_pages_in_global_order_and_stops_with_its_reader,
    several_streams_read_at_once_are_each_whole_and_in_order,
    subscription_delivers_events_before_and_after_subscribing_once_in_order,
    subscription_resumes_from_a_client_held_checkpoint,
    stored_events_cannot_be_updated_or_deleted,
    metadata_is_stored_with_every_event,
    soak_sixteen_writers_with_rollbacks_and_a_tailing_reader_see_exactly_the_committed_events,
    a_tailed_log_gives_every_subscription_every_event_once_in_order_kept_forgotten_or_older,
);

fn event(kind: &str) -> NewEvent {
    NewEvent {
        event_id: Uuid::now_v7(),
        event_type: kind.to_string(),
        data: serde_json::json!({ "kind": kind }),
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

async fn open(backend: Backend) -> (TestDatabase, Arc<dyn EventLog>) {
    let database = fresh_database(backend).await;
    let log = eventlog::open(&database.url).await.expect("the log opens");
    (database, log)
}

async fn expected_revision_matrix_accepts_and_refuses_as_specified(backend: Backend) {
    use ExpectedRevision::*;
    // (expectation, stream present?, accepted?, actual reported when refused)
    let cases = [
        (Any, false, true, None),
        (NoStream, false, true, None),
        (StreamExists, false, false, None),
        (Exact(0), false, false, None),
        (Any, true, true, None),
        (NoStream, true, false, Some(0)),
        (StreamExists, true, true, None),
        (Exact(0), true, true, None),
        (Exact(3), true, false, Some(0)),
    ];
    let (_db, log) = open(backend).await;
    for (expected, present, accepted, actual) in cases {
        let stream = format!("matrix-{}", Uuid::now_v7());
        if present {
            log.append(&stream, NoStream, vec![event("First")]).await.unwrap();
        }
        let outcome = log.append(&stream, expected, vec![event("Next")]).await;
        let description = format!("{expected:?} on a stream that is {}", if present { "present" } else { "absent" });
        match (accepted, outcome) {
            (true, Ok(result)) => {
                let revision = if present { 1 } else { 0 };
                assert_eq!(result.next_expected_revision, Some(revision), "{description}");
            }
            (false, Err(EventLogError::WrongExpectedRevision { stream: s, expected: e, actual: a })) => {
                assert_eq!((s, e, a), (stream.clone(), expected, actual), "{description}");
            }
            (_, other) => panic!("{description}: unexpected {other:?}"),
        }
    }
}

async fn wrong_expected_revision_writes_nothing(backend: Backend) {
    let (_db, log) = open(backend).await;
    log.append("s", ExpectedRevision::NoStream, vec![event("A")]).await.unwrap();
    let refused = log.append("s", ExpectedRevision::Exact(7), vec![event("B"), event("C")]).await;
    assert!(matches!(refused, Err(EventLogError::WrongExpectedRevision { actual: Some(0), .. })));
    assert_eq!(log.read_stream("s").await.unwrap().len(), 1);
}

async fn several_streams_read_at_once_are_each_whole_and_in_order(backend: Backend) {
    let (_db, log) = open(backend).await;
    log.append("one", ExpectedRevision::NoStream, vec![event("A"), event("B")]).await.unwrap();
    log.append("two", ExpectedRevision::NoStream, vec![event("C")]).await.unwrap();
    log.append("one", ExpectedRevision::Exact(1), vec![event("D")]).await.unwrap();
    log.append("other", ExpectedRevision::NoStream, vec![event("E")]).await.unwrap();
    let asked = ["one", "two", "none"].map(String::from);
    let read = log.read_streams(&asked).await.unwrap();
    let types = |stream: &str| read[stream].iter().map(|e| e.event_type.clone()).collect::<Vec<_>>();
    assert_eq!(read.len(), 3, "only the streams asked for: {:?}", read.keys());
    assert_eq!(types("one"), ["A", "B", "D"]);
    assert_eq!(types("two"), ["C"]);
    assert!(types("none").is_empty());
    assert_eq!(read["one"], log.read_stream("one").await.unwrap(), "as each stream read alone");
}

async fn empty_append_creates_nothing(backend: Backend) {
    let (_db, log) = open(backend).await;
    let result = log.append("empty", ExpectedRevision::NoStream, vec![]).await.unwrap();
    assert_eq!(result.next_expected_revision, None);
    assert!(log.read_stream("empty").await.unwrap().is_empty());
    assert_eq!(log.head().await.unwrap(), Position::START);
    let refused = log.append("empty", ExpectedRevision::StreamExists, vec![]).await;
    assert!(matches!(refused, Err(EventLogError::WrongExpectedRevision { actual: None, .. })));
}

async fn retrying_the_same_batch_returns_the_first_result_and_stores_it_once(backend: Backend) {
    let (_db, log) = open(backend).await;
    let batch = vec![event("A"), event("B")];
    let first = log.append("retry", ExpectedRevision::NoStream, batch.clone()).await.unwrap();
    let again = log.append("retry", ExpectedRevision::NoStream, batch.clone()).await.unwrap();
    assert_eq!(first, again);
    assert_eq!(first.next_expected_revision, Some(1));
    let stored = log.read_stream("retry").await.unwrap();
    assert_eq!(stored.iter().map(|e| e.event_id).collect::<Vec<_>>(), vec![batch[0].event_id, batch[1].event_id]);
}

async fn the_same_event_id_in_another_stream_is_refused(backend: Backend) {
    let (_db, log) = open(backend).await;
    let shared = event("A");
    log.append("one", ExpectedRevision::Any, vec![shared.clone()]).await.unwrap();
    let refused = log.append("two", ExpectedRevision::Any, vec![shared.clone()]).await;
    match refused {
        Err(EventLogError::DuplicateEventId { event_id, stored_in }) => {
            assert_eq!(event_id, shared.event_id);
            assert_eq!(stored_in, "one");
        }
        other => panic!("expected a duplicate id error, got {other:?}"),
    }
    assert!(log.read_stream("two").await.unwrap().is_empty());
}

async fn a_batch_that_fails_midway_leaves_nothing_visible(backend: Backend) {
    let (_db, log) = open(backend).await;
    let elsewhere = event("Elsewhere");
    log.append("other", ExpectedRevision::Any, vec![elsewhere.clone()]).await.unwrap();
    let batch = vec![event("A"), event("B"), elsewhere.clone(), event("D")];
    assert!(log.append("victim", ExpectedRevision::Any, batch).await.is_err());
    let twice = event("Twice");
    assert!(matches!(
        log.append("victim", ExpectedRevision::Any, vec![event("A"), twice.clone(), twice]).await,
        Err(EventLogError::InvalidBatch(_))
    ));
    assert!(log.read_stream("victim").await.unwrap().is_empty());
    // The whole log, read once a later marker may be, holds nothing of the failed batches.
    let marker = event("Marker");
    log.append("other", ExpectedRevision::Any, vec![marker.clone()]).await.unwrap();
    let ids: Vec<Uuid> = readable(&*log, Position::START, 2).await.iter().map(|e| e.event_id).collect();
    assert_eq!(ids, vec![elsewhere.event_id, marker.event_id]);
}

fn batch(stream: &str, expected: ExpectedRevision, events: Vec<NewEvent>) -> StreamBatch {
    StreamBatch { stream: stream.into(), expected, events }
}

/// The two ways to hand the log several streams' batches in one call: in a transaction of its
/// own, or to the log (which may spare the transaction).
#[derive(Clone, Copy, Debug)]
enum OneCall {
    Transaction,
    Log,
}

async fn in_one_call(log: &Arc<dyn EventLog>, via: OneCall, batches: Vec<StreamBatch>) -> Result<Vec<AppendResult>> {
    match via {
        OneCall::Log => log.append_many(batches).await,
        OneCall::Transaction => {
            // Dropped without commit when refused: nothing of it stays.
            let mut transaction = log.begin().await?;
            let results = transaction.append_many(batches).await?;
            transaction.commit().await?;
            Ok(results)
        }
    }
}

async fn several_streams_appended_in_one_call_behave_like_appends_one_after_the_other(backend: Backend) {
    for via in [OneCall::Transaction, OneCall::Log] {
        several_streams_in_one_call(backend, via).await;
    }
}

async fn several_streams_in_one_call(backend: Backend, via: OneCall) {
    let (_db, log) = open(backend).await;
    log.append("b", ExpectedRevision::Any, vec![event("B0")]).await.unwrap();
    let refused = in_one_call(
        &log,
        via,
        vec![
            batch("a", ExpectedRevision::NoStream, vec![event("A0")]),
            batch("b", ExpectedRevision::NoStream, vec![event("B1")]),
        ],
    )
    .await;
    match refused {
        Err(EventLogError::WrongExpectedRevision { stream, actual, .. }) => {
            assert_eq!((stream.as_str(), actual), ("b", Some(0)), "{via:?}")
        }
        other => panic!("{via:?}: expected a wrong expectation on b, got {other:?}"),
    }
    assert!(log.read_stream("a").await.unwrap().is_empty(), "{via:?}: nothing of a refused call is stored");

    let batches = vec![
        batch("a", ExpectedRevision::NoStream, vec![event("A0"), event("A1")]),
        batch("b", ExpectedRevision::Exact(0), vec![event("B1")]),
        batch("c", ExpectedRevision::Any, vec![event("C0")]),
    ];
    let results = in_one_call(&log, via, batches.clone()).await.unwrap();
    let next: Vec<Option<u64>> = results.iter().map(|r| r.next_expected_revision).collect();
    assert_eq!(next, vec![Some(1), Some(1), Some(0)], "{via:?}");
    let positions: Vec<Position> = results.iter().map(|r| r.position.unwrap()).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{via:?}: in the order given: {positions:?}");
    assert_eq!(log.read_stream("a").await.unwrap().len(), 2, "{via:?}");
    assert_eq!(log.read_stream("b").await.unwrap()[1].event_type, "B1", "{via:?}");

    let retried = in_one_call(&log, via, batches).await.unwrap();
    assert_eq!(
        retried.iter().map(|r| r.position).collect::<Vec<_>>(),
        results.iter().map(|r| r.position).collect::<Vec<_>>(),
        "{via:?}"
    );
    assert_eq!(log.read_stream("a").await.unwrap().len(), 2, "{via:?}: a retry stores nothing twice");

    let twice = in_one_call(
        &log,
        via,
        vec![
            batch("f", ExpectedRevision::NoStream, vec![event("F0")]),
            batch("f", ExpectedRevision::Exact(0), vec![event("F1"), event("F2")]),
        ],
    )
    .await
    .unwrap();
    assert_eq!(twice.iter().map(|r| r.next_expected_revision).collect::<Vec<_>>(), vec![Some(0), Some(2)]);
    let f: Vec<String> = log.read_stream("f").await.unwrap().into_iter().map(|e| e.event_type).collect();
    assert_eq!(f, ["F0", "F1", "F2"], "{via:?}: a stream named twice in one call gets both batches, in order");

    let stored_in_c = log.read_stream("c").await.unwrap()[0].event_id;
    let mut reused = event("Reused");
    reused.event_id = stored_in_c;
    let refused = in_one_call(
        &log,
        via,
        vec![batch("d", ExpectedRevision::Any, vec![event("D0")]), batch("e", ExpectedRevision::Any, vec![reused])],
    )
    .await;
    match refused {
        Err(EventLogError::DuplicateEventId { stored_in, .. }) => assert_eq!(stored_in, "c", "{via:?}"),
        other => panic!("{via:?}: expected a duplicate id error, got {other:?}"),
    }
    assert!(log.read_stream("d").await.unwrap().is_empty(), "{via:?}: nothing of a refused call is stored");

    let refused = in_one_call(
        &log,
        via,
        vec![
            batch("g", ExpectedRevision::NoStream, vec![event("G0")]),
            batch("a", ExpectedRevision::Exact(0), vec![event("A2")]),
            batch("b", ExpectedRevision::NoStream, vec![event("B2")]),
        ],
    )
    .await;
    match refused {
        Err(EventLogError::WrongExpectedRevision { stream, actual, .. }) => assert_eq!(
            (stream.as_str(), actual),
            ("a", Some(1)),
            "{via:?}: the first stale stream, as one after the other"
        ),
        other => panic!("{via:?}: expected a wrong expectation on a, got {other:?}"),
    }
    assert!(log.read_stream("g").await.unwrap().is_empty(), "{via:?}: nothing of a refused call is stored");
}

/// Calls too large to list every event in the statement (hundreds of events and of streams) keep
/// every promise of small ones.
async fn calls_of_hundreds_of_events_and_streams_append_atomically_and_in_order(backend: Backend) {
    for via in [OneCall::Transaction, OneCall::Log] {
        let (_db, log) = open(backend).await;
        let big: Vec<NewEvent> = (0..300).map(|_| event("Big")).collect();
        let first = in_one_call(&log, via, vec![batch("big", ExpectedRevision::NoStream, big.clone())]).await.unwrap();
        assert_eq!(first[0].next_expected_revision, Some(299), "{via:?}");
        let stored = log.read_stream("big").await.unwrap();
        assert_eq!(
            stored.iter().map(|e| e.event_id).collect::<Vec<_>>(),
            big.iter().map(|e| e.event_id).collect::<Vec<_>>()
        );
        assert!(stored.windows(2).all(|w| w[0].position < w[1].position), "{via:?}: revisions in the global order");
        assert_eq!(stored.last().map(|e| e.position), first[0].position, "{via:?}");

        let many = |stale: bool| {
            let mut batches: Vec<StreamBatch> =
                (0..200).map(|i| batch(&format!("s-{i}"), ExpectedRevision::NoStream, vec![event("S")])).collect();
            let expected = ExpectedRevision::Exact(if stale { 5 } else { 299 });
            batches.push(batch("big", expected, vec![event("Big"), event("Big")]));
            batches
        };
        let refused = in_one_call(&log, via, many(true)).await;
        match refused {
            Err(EventLogError::WrongExpectedRevision { stream, actual, .. }) => {
                assert_eq!((stream.as_str(), actual), ("big", Some(299)), "{via:?}")
            }
            other => panic!("{via:?}: expected a wrong expectation on big, got {other:?}"),
        }
        assert!(log.read_stream("s-0").await.unwrap().is_empty(), "{via:?}: nothing of a refused call is stored");
        let batches = many(false);
        let results = in_one_call(&log, via, batches.clone()).await.unwrap();
        assert_eq!(results.last().unwrap().next_expected_revision, Some(301), "{via:?}");
        let positions: Vec<Position> = results.iter().map(|r| r.position.unwrap()).collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{via:?}: in the order given");
        assert_eq!(in_one_call(&log, via, batches).await.unwrap(), results, "{via:?}: a retry answers the same");
        let read = log.read_streams(&["s-0".to_string(), "s-199".to_string()]).await.unwrap();
        assert!(read.values().all(|events| events.len() == 1), "{via:?}: each stored once");

        let any: Vec<NewEvent> = (0..150).map(|_| event("Any")).collect();
        let appended = in_one_call(&log, via, vec![batch("big", ExpectedRevision::Any, any)]).await.unwrap();
        assert_eq!(appended[0].next_expected_revision, Some(451), "{via:?}");
    }
}

/// Revisions a transaction wrote and then lost (rolled back, or dropped) are not taken for stored:
/// an append that follows them is refused, and leaves no gap.
async fn revisions_of_a_transaction_that_did_not_commit_are_not_followed(backend: Backend) {
    let (_db, log) = open(backend).await;
    log.append("s", ExpectedRevision::NoStream, vec![event("A")]).await.unwrap();
    let lost = || vec![event("Lost"), event("Lost")];
    let mut rolled_back = log.begin().await.unwrap();
    assert_eq!(
        rolled_back.append("s", ExpectedRevision::Exact(0), lost()).await.unwrap().next_expected_revision,
        Some(2)
    );
    rolled_back.rollback().await.unwrap();
    let mut dropped = log.begin().await.unwrap();
    dropped.append_many(vec![batch("s", ExpectedRevision::Exact(0), lost())]).await.unwrap();
    drop(dropped);
    let mut dropped = log.begin().await.unwrap();
    assert!(dropped.append_each(vec![batch("s", ExpectedRevision::Exact(0), lost())]).await.unwrap()[0].is_ok());
    drop(dropped);
    for via in [OneCall::Transaction, OneCall::Log] {
        match in_one_call(&log, via, vec![batch("s", ExpectedRevision::Exact(2), vec![event("D")])]).await {
            Err(EventLogError::WrongExpectedRevision { actual, .. }) => assert_eq!(actual, Some(0), "{via:?}"),
            other => panic!("{via:?}: expected a wrong expectation, got {other:?}"),
        }
    }
    match log.append("s", ExpectedRevision::Exact(2), vec![event("D")]).await {
        Err(EventLogError::WrongExpectedRevision { actual, .. }) => assert_eq!(actual, Some(0)),
        other => panic!("expected a wrong expectation, got {other:?}"),
    }
    let stored: Vec<String> = log.read_stream("s").await.unwrap().into_iter().map(|e| e.event_type).collect();
    assert_eq!(stored, ["A"]);
}

/// Writers that expect any revision all land, one after the other, however they race.
async fn concurrent_appends_expecting_any_revision_all_land_one_after_the_other(backend: Backend) {
    let (_db, log) = open(backend).await;
    let writers = (0..16).map(|writer| {
        let log = log.clone();
        tokio::spawn(async move {
            let mut appended = Vec::new();
            for round in 0..20 {
                let events: Vec<NewEvent> = (0..1 + (writer + round) % 2).map(|_| event("Busy")).collect();
                log.append("busy", ExpectedRevision::Any, events.clone()).await.expect("an append expecting any lands");
                appended.extend(events.into_iter().map(|e| e.event_id));
            }
            appended
        })
    });
    let appended: HashSet<Uuid> =
        futures::future::join_all(writers).await.into_iter().flat_map(|r| r.unwrap()).collect();
    let stored = log.read_stream("busy").await.unwrap();
    assert_eq!(stored.iter().map(|e| e.event_id).collect::<HashSet<_>>(), appended, "every event, once");
    assert_eq!(stored.len(), appended.len(), "every event, once");
    assert!(stored.iter().enumerate().all(|(i, e)| e.revision == i as u64), "revisions without a gap");
    assert!(stored.windows(2).all(|w| w[0].position < w[1].position), "revisions in the global order");
}

async fn streams_appended_each_on_their_own_keep_what_the_log_accepts_and_only_that(backend: Backend) {
    let (_db, log) = open(backend).await;
    log.append("b", ExpectedRevision::Any, vec![event("B0")]).await.unwrap();
    let stored_in_b = log.read_stream("b").await.unwrap()[0].event_id;
    let mut reused = event("Reused");
    reused.event_id = stored_in_b;
    let twice = event("Twice");

    let mut transaction = log.begin().await.unwrap();
    let results = transaction
        .append_each(vec![
            batch("a", ExpectedRevision::NoStream, vec![event("A0"), event("A1")]),
            batch("b", ExpectedRevision::NoStream, vec![event("B1")]),
            batch("c", ExpectedRevision::Any, vec![reused]),
            batch("d", ExpectedRevision::Any, vec![twice.clone(), twice]),
            batch("b", ExpectedRevision::Exact(0), vec![event("B2")]),
            batch("e", ExpectedRevision::Any, vec![event("E0")]),
        ])
        .await
        .expect("the database answers");
    transaction.commit().await.unwrap();

    let outcome: Vec<&str> = results
        .iter()
        .map(|result| match result {
            Ok(_) => "appended",
            Err(EventLogError::WrongExpectedRevision { .. }) => "stale",
            Err(EventLogError::DuplicateEventId { .. }) => "duplicate",
            Err(EventLogError::InvalidBatch(_)) => "invalid",
            Err(other) => panic!("a refusal, not {other:?}"),
        })
        .collect();
    assert_eq!(outcome, ["appended", "stale", "duplicate", "invalid", "appended", "appended"]);
    let stream = |name: &'static str| {
        let log = log.clone();
        async move { log.read_stream(name).await.unwrap().into_iter().map(|e| e.event_type).collect::<Vec<_>>() }
    };
    assert_eq!(stream("a").await, ["A0", "A1"]);
    assert_eq!(stream("b").await, ["B0", "B2"], "a refused batch leaves nothing, and the stream's next one goes on");
    assert!(stream("c").await.is_empty() && stream("d").await.is_empty(), "refused batches leave nothing");
    assert_eq!(stream("e").await, ["E0"]);
    let positions: Vec<Position> = results.iter().filter_map(|r| r.as_ref().ok()?.position).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "in the order given: {positions:?}");
    let all: Vec<String> = readable(&*log, Position::START, 5).await.into_iter().map(|e| e.event_type).collect();
    assert_eq!(all, ["B0", "A0", "A1", "B2", "E0"], "readers see exactly what was accepted, in order");

    let mut dropped = log.begin().await.unwrap();
    let results = dropped.append_each(vec![batch("f", ExpectedRevision::Any, vec![event("F0")])]).await.unwrap();
    assert!(results[0].is_ok());
    drop(dropped);
    assert!(stream("f").await.is_empty(), "what a transaction accepted goes only with its commit");
}

async fn a_transaction_over_two_streams_is_all_or_nothing(backend: Backend) {
    let (_db, log) = open(backend).await;
    log.append("b", ExpectedRevision::Any, vec![event("B0")]).await.unwrap();
    {
        let mut transaction = log.begin().await.unwrap();
        transaction.append("a", ExpectedRevision::NoStream, vec![event("A0")]).await.unwrap();
        let refused = transaction.append("b", ExpectedRevision::NoStream, vec![event("B1")]).await;
        assert!(refused.is_err());
        // Dropped without commit: the first append must vanish with it.
    }
    assert!(log.read_stream("a").await.unwrap().is_empty());
    let mut transaction = log.begin().await.unwrap();
    transaction.append("a", ExpectedRevision::NoStream, vec![event("A0")]).await.unwrap();
    transaction.append("b", ExpectedRevision::Exact(0), vec![event("B1")]).await.unwrap();
    transaction.commit().await.unwrap();
    assert_eq!(log.read_stream("a").await.unwrap().len(), 1);
    assert_eq!(log.read_stream("b").await.unwrap().len(), 2);
}

async fn concurrent_appends_with_the_same_exact_revision_have_exactly_one_winner(backend: Backend) {
    let (_db, log) = open(backend).await;
    log.append("race", ExpectedRevision::NoStream, vec![event("Start")]).await.unwrap();
    let attempts = (0..16).map(|_| {
        let log = log.clone();
        tokio::spawn(async move { log.append("race", ExpectedRevision::Exact(0), vec![event("Next")]).await })
    });
    let outcomes = futures::future::join_all(attempts).await;
    let mut winners = 0;
    for outcome in outcomes {
        match outcome.unwrap() {
            Ok(_) => winners += 1,
            Err(EventLogError::WrongExpectedRevision { actual: Some(1), .. }) => {}
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(winners, 1);
    assert_eq!(log.read_stream("race").await.unwrap().len(), 2);
}

/// Everything after `after` as `read_all_into` hands it on, page by page.
async fn pages_read_into(log: &Arc<dyn EventLog>, after: Position, page: usize) -> Vec<Vec<eventlog::RecordedEvent>> {
    let (sender, mut pages) = tokio::sync::mpsc::channel(1);
    let reading = tokio::spawn({
        let log = log.clone();
        async move { log.read_all_into(after, page, sender).await }
    });
    let mut read = Vec::new();
    while let Some(page) = pages.recv().await {
        read.push(page);
    }
    reading.await.expect("the read's task").expect("the log reads");
    read
}

async fn read_all_into_hands_every_event_on_once_in_pages_in_global_order_and_stops_with_its_reader(backend: Backend) {
    let (_db, log) = open(backend).await;
    let mut written = Vec::new();
    let mut end = Position::START;
    for i in 0..10 {
        let e = event(&format!("E{i}"));
        written.push(e.event_id);
        end = log.append(&format!("s{}", i % 3), ExpectedRevision::Any, vec![e]).await.unwrap().position.unwrap();
    }
    eventlog::testing::settled(log.as_ref(), end).await;
    let pages = pages_read_into(&log, Position::START, 3).await;
    assert_eq!(pages.iter().map(Vec::len).collect::<Vec<_>>(), [3, 3, 3, 1], "full pages, the rest last");
    let read: Vec<_> = pages.concat();
    assert_eq!(read.iter().map(|e| e.event_id).collect::<Vec<_>>(), written, "once each, in the order written");
    assert!(read.windows(2).all(|two| two[0].position < two[1].position), "positions increase");
    assert_eq!(read.last().map(|e| e.position), Some(end));

    let later = pages_read_into(&log, read[3].position, 100).await.concat();
    assert_eq!(later.iter().map(|e| e.event_id).collect::<Vec<_>>(), written[4..], "from any position on");
    assert!(pages_read_into(&log, end, 100).await.is_empty(), "nothing after the last");

    // A reader that has what it wanted lets go: the read ends there, without error.
    let (sender, mut pages) = tokio::sync::mpsc::channel(1);
    let reading = tokio::spawn({
        let log = log.clone();
        async move { log.read_all_into(Position::START, 1, sender).await }
    });
    assert_eq!(pages.recv().await.map(|page| page[0].event_id), Some(written[0]));
    drop(pages);
    reading.await.expect("the read's task").expect("a read whose reader left ends well");
}

async fn read_all_pages_in_global_order(backend: Backend) {
    let (_db, log) = open(backend).await;
    let mut written = Vec::new();
    for i in 0..10 {
        let e = event(&format!("E{i}"));
        written.push(e.event_id);
        log.append(&format!("s{}", i % 3), ExpectedRevision::Any, vec![e]).await.unwrap();
    }
    let mut seen = Vec::new();
    let mut after = Position::START;
    // On PostgreSQL an event becomes readable once every older transaction of the database has
    // ended — other tests' included — so the last pages may take a moment to appear.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let page = log.read_all(after, 3).await.unwrap();
        if page.is_empty() {
            if seen.len() == written.len() || tokio::time::Instant::now() > deadline {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        }
        assert!(page.len() <= 3);
        for e in page {
            assert!(e.position > after, "positions increase");
            after = e.position;
            seen.push(e.event_id);
        }
    }
    assert_eq!(seen, written);
    assert_eq!(log.head().await.unwrap(), after);
}

async fn subscription_delivers_events_before_and_after_subscribing_once_in_order(backend: Backend) {
    let (_db, log) = open(backend).await;
    let mut written = Vec::new();
    for i in 0..3 {
        let e = event(&format!("Before{i}"));
        written.push(e.event_id);
        log.append("sub", ExpectedRevision::Any, vec![e]).await.unwrap();
    }
    let mut subscription = subscribe_all(log.clone(), Position::START);
    for i in 0..3 {
        let e = event(&format!("After{i}"));
        written.push(e.event_id);
        log.append("sub", ExpectedRevision::Any, vec![e]).await.unwrap();
    }
    let mut received = Vec::new();
    while received.len() < written.len() {
        let next = tokio::time::timeout(Duration::from_secs(10), subscription.next()).await;
        received.push(next.expect("events arrive live").unwrap().unwrap().event_id);
    }
    assert_eq!(received, written);
    assert_next_is_a_new_event(&log, &mut subscription, "no event is delivered twice").await;
}

/// Appends one event and asserts it is the next the subscription delivers: nothing stood
/// between (the deterministic way of saying "nothing more came").
async fn assert_next_is_a_new_event(log: &Arc<dyn EventLog>, subscription: &mut Subscription, what: &str) {
    let last = append_last(log).await;
    assert_next_is(subscription, last, what).await;
}

async fn append_last(log: &Arc<dyn EventLog>) -> Uuid {
    let last = event("Last");
    let id = last.event_id;
    log.append("last", ExpectedRevision::Any, vec![last]).await.unwrap();
    id
}

async fn assert_next_is(subscription: &mut Subscription, expected: Uuid, what: &str) {
    let next = tokio::time::timeout(Duration::from_secs(30), subscription.next())
        .await
        .unwrap_or_else(|_| panic!("{what}: the event appended last never came"));
    assert_eq!(next.unwrap().unwrap().event_id, expected, "{what}");
}

async fn subscription_resumes_from_a_client_held_checkpoint(backend: Backend) {
    let (_db, log) = open(backend).await;
    log.append("cp", ExpectedRevision::Any, vec![event("A"), event("B")]).await.unwrap();
    let all = readable(&*log, Position::START, 2).await;
    let checkpoint = all[0].position;
    let mut subscription = subscribe_all(log.clone(), checkpoint);
    let next = tokio::time::timeout(Duration::from_secs(10), subscription.next()).await.unwrap().unwrap().unwrap();
    assert_eq!(next.event_id, all[1].event_id);
}

async fn stored_events_cannot_be_updated_or_deleted(backend: Backend) {
    let (db, log) = open(backend).await;
    log.append("sacred", ExpectedRevision::Any, vec![event("A")]).await.unwrap();
    sqlx::any::install_default_drivers();
    let raw = sqlx::AnyPool::connect(&db.url).await.unwrap();
    let update = sqlx::query("UPDATE events SET event_type = 'Tampered'").execute(&raw).await;
    let delete = sqlx::query("DELETE FROM events").execute(&raw).await;
    for refused in [update, delete] {
        let message = refused.expect_err("the database refuses").to_string();
        assert!(message.contains("events are immutable"), "{message}");
    }
    let stored = log.read_stream("sacred").await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].event_type, "A");
}

async fn metadata_is_stored_with_every_event(backend: Backend) {
    let (_db, log) = open(backend).await;
    let mut written = event("WithMetadata");
    written.metadata.causation_id = Some(Uuid::now_v7());
    written.metadata.actor = "supervisor:42".into();
    written.metadata.schema_version = 3;
    log.append("meta", ExpectedRevision::Any, vec![written.clone()]).await.unwrap();
    let stored = log.read_stream("meta").await.unwrap().remove(0);
    assert_eq!(stored.metadata.company_id, written.metadata.company_id);
    assert_eq!(stored.metadata.actor, "supervisor:42");
    assert_eq!(stored.metadata.correlation_id, written.metadata.correlation_id);
    assert_eq!(stored.metadata.causation_id, written.metadata.causation_id);
    assert_eq!(stored.metadata.schema_version, 3);
    let drift = (stored.metadata.occurred_at - written.metadata.occurred_at).num_microseconds().unwrap_or(i64::MAX);
    assert!(drift.abs() <= 1, "occurred_at kept to the microsecond");
    assert_eq!(stored.data, written.data);
}

async fn soak_sixteen_writers_with_rollbacks_and_a_tailing_reader_see_exactly_the_committed_events(backend: Backend) {
    const WRITERS: usize = 16;
    const TARGET: usize = 10_000;
    let (_db, log) = open(backend).await;
    let mut subscription = subscribe_all(log.clone(), Position::START);
    let writers = (0..WRITERS).map(|writer| {
        let log = log.clone();
        tokio::spawn(async move {
            let mut committed = Vec::new();
            let mut revisions: HashMap<String, u64> = HashMap::new();
            let mut round = 0usize;
            while committed.len() < TARGET / WRITERS {
                round += 1;
                let stream = format!("soak-{writer}-{}", round % 4);
                let expected =
                    revisions.get(&stream).map_or(ExpectedRevision::NoStream, |r| ExpectedRevision::Exact(*r));
                let batch: Vec<NewEvent> = (0..1 + round % 5).map(|_| event("Soak")).collect();
                let mut transaction = log.begin().await.unwrap();
                let result = transaction.append(&stream, expected, batch.clone()).await.unwrap();
                if round.is_multiple_of(10) {
                    transaction.rollback().await.unwrap();
                } else {
                    transaction.commit().await.unwrap();
                    revisions.insert(stream.clone(), result.next_expected_revision.unwrap());
                    committed.extend(batch.into_iter().map(|e| (stream.clone(), e.event_id)));
                }
            }
            committed
        })
    });
    let committed: Vec<(String, Uuid)> =
        futures::future::join_all(writers).await.into_iter().flat_map(|r| r.unwrap()).collect();
    assert!(committed.len() >= TARGET);

    let mut seen = Vec::with_capacity(committed.len());
    while seen.len() < committed.len() {
        let batch = tokio::time::timeout(Duration::from_secs(30), subscription.next_batch(1000))
            .await
            .expect("the reader keeps up")
            .unwrap()
            .unwrap();
        seen.extend(batch);
    }
    assert_next_is_a_new_event(&log, &mut subscription, "nothing beyond the committed events").await;

    let committed_ids: HashSet<Uuid> = committed.iter().map(|(_, id)| *id).collect();
    let seen_ids: HashSet<Uuid> = seen.iter().map(|e| e.event_id).collect();
    assert_eq!(seen_ids.len(), seen.len(), "each event once");
    assert_eq!(seen_ids, committed_ids, "exactly the committed events");
    let mut positions = seen.iter().map(|e| e.position);
    let mut last = positions.next().unwrap();
    for p in positions {
        assert!(p > last, "global order strictly increases");
        last = p;
    }
    let mut per_stream: HashMap<&str, Vec<Uuid>> = HashMap::new();
    for e in &seen {
        let revisions = per_stream.entry(e.stream.as_str()).or_default();
        assert_eq!(e.revision as usize, revisions.len(), "in order within its stream");
        revisions.push(e.event_id);
    }
    for (stream, id) in &committed {
        assert!(per_stream[stream.as_str()].contains(id));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_reader_never_moves_past_an_event_whose_transaction_commits_late() {
    let database = fresh_database(Backend::Postgres).await;
    let log = PostgresLog::connect(&database.url, 4).await.unwrap();
    let mut a = log.pool().acquire().await.unwrap();
    let mut b = log.pool().acquire().await.unwrap();

    let mut transaction_a = PostgresLog::begin_on(&mut a).await.unwrap();
    let event_a = event("A");
    PostgresLog::append_on(&mut transaction_a, "late-a", ExpectedRevision::Any, vec![event_a.clone()]).await.unwrap();

    let mut transaction_b = PostgresLog::begin_on(&mut b).await.unwrap();
    let event_b = event("B");
    PostgresLog::append_on(&mut transaction_b, "late-b", ExpectedRevision::Any, vec![event_b.clone()]).await.unwrap();
    transaction_b.commit().await.unwrap();

    let mut checkpoint = Position::START;
    let mut seen = Vec::new();
    for _ in 0..5 {
        for e in log.read_all(checkpoint, 100).await.unwrap() {
            checkpoint = e.position;
            seen.push(e.event_id);
        }
        assert!(!seen.contains(&event_b.event_id), "the reader must not pass A while A is in flight");
    }
    // Nor does a whole read as one query.
    let log: Arc<dyn EventLog> = Arc::new(log);
    let streamed = pages_read_into(&log, Position::START, 100).await.concat();
    assert!(streamed.iter().all(|e| e.event_id != event_b.event_id), "one query must not pass A while A is in flight");
    transaction_a.commit().await.unwrap();
    seen.extend(readable(log.as_ref(), checkpoint, 2 - seen.len()).await.iter().map(|e| e.event_id));
    assert_eq!(seen, vec![event_a.event_id, event_b.event_id]);
    let streamed = pages_read_into(&log, Position::START, 100).await.concat();
    assert_eq!(streamed.iter().map(|e| e.event_id).collect::<Vec<_>>(), seen, "once A commits, both in order");
}

/// A transaction of a connection that never appends events (a read model's) does not hold the
/// log's readers back; one of any other connection does, as it may still append.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_readers_wait_for_transactions_that_may_append_and_not_for_the_read_models() {
    let database = fresh_database(Backend::Postgres).await;
    let log = PostgresLog::connect(&database.url, 4).await.unwrap();
    let holding = |name: &'static str| {
        let url = database.url.clone();
        async move {
            let mut connection = sqlx::PgConnection::connect(&url).await.unwrap();
            sqlx::query(&format!("SET application_name = '{name}'")).execute(&mut connection).await.unwrap();
            sqlx::query("BEGIN").execute(&mut connection).await.unwrap();
            // Takes a transaction id, as a transaction's first write does.
            sqlx::query("SELECT pg_current_xact_id()").execute(&mut connection).await.unwrap();
            connection
        }
    };
    let read_model = holding(eventlog::postgres::READ_MODELS).await;
    log.append("seen", ExpectedRevision::Any, vec![event("A")]).await.unwrap();
    // It would wait for ever if the read model's transaction, held all along, were waited for.
    assert_eq!(readable(&log, Position::START, 1).await.len(), 1, "a read model's transaction is not waited for");
    let mut writer = holding("a-writer").await;
    log.append("held", ExpectedRevision::Any, vec![event("B")]).await.unwrap();
    assert_eq!(log.read_all(Position::START, 10).await.unwrap().len(), 1, "another connection's may still append");
    sqlx::query("COMMIT").execute(&mut writer).await.unwrap();
    assert_eq!(readable(&log, Position::START, 2).await.len(), 2);
    drop(read_model);
}

/// What makes it safe for readers not to wait for the read models: their connections cannot append.
#[tokio::test]
async fn postgres_a_read_models_connection_cannot_append_events() {
    let database = fresh_database(Backend::Postgres).await;
    let log = PostgresLog::connect(&database.url, 2).await.unwrap();
    let mut read_model = sqlx::PgConnection::connect(&database.url).await.unwrap();
    sqlx::query(&format!("SET application_name = '{}'", eventlog::postgres::READ_MODELS))
        .execute(&mut read_model)
        .await
        .unwrap();
    let mut transaction = PostgresLog::begin_on(&mut read_model).await.unwrap();
    let refused = PostgresLog::append_on(&mut transaction, "s", ExpectedRevision::Any, vec![event("A")]).await;
    match refused {
        Err(EventLogError::Database(error)) => assert_eq!(
            error.as_database_error().and_then(|e| e.constraint()),
            Some("events_not_from_read_models"),
            "{error}"
        ),
        other => panic!("expected the read model's append to be refused, got {other:?}"),
    }
    drop(transaction);
    log.append("s", ExpectedRevision::Any, vec![event("B")]).await.unwrap();
    let stored: Vec<String> = readable(&log, Position::START, 1).await.into_iter().map(|e| e.event_type).collect();
    assert_eq!(stored, ["B"], "the log's own connections still append");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_commits_on_one_node_wake_readers_on_another() {
    let database = fresh_database(Backend::Postgres).await;
    let node_a = PostgresLog::connect(&database.url, 4).await.unwrap();
    let node_b = PostgresLog::connect(&database.url, 4).await.unwrap();
    let mut woken = node_b.commits();
    // Node B's listener may not be listening yet (and its first tick may have come before we
    // subscribed): node A commits until node B hears of one, each commit notifying anew.
    // Its first tick, when it starts listening, is not a commit: let it pass if it is still to come.
    let _ = tokio::time::timeout(Duration::from_secs(3), woken.changed()).await;
    let mut heard = false;
    let mut appended = 0;
    for _ in 0..10 {
        woken.borrow_and_update();
        node_a.append("cross-node", ExpectedRevision::Any, vec![event("A")]).await.unwrap();
        appended += 1;
        if tokio::time::timeout(Duration::from_secs(2), woken.changed()).await.is_ok() {
            heard = true;
            break;
        }
    }
    assert!(heard, "node B hears of node A's commits through LISTEN/NOTIFY");
    assert_eq!(node_b.read_stream("cross-node").await.unwrap().len(), appended);
}

/// Waits, tick by tick of `node`'s readers, until `done` holds; fails at once with what it last saw
/// when ten seconds pass.
async fn until_node<T: std::fmt::Debug>(
    node: &PostgresLog,
    what: &str,
    mut seen: impl AsyncFnMut(&PostgresLog) -> T,
    done: impl Fn(&T) -> bool,
) {
    let mut woken = node.commits();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        woken.borrow_and_update();
        let now = seen(node).await;
        if done(&now) {
            return;
        }
        if tokio::time::timeout_at(deadline, woken.changed()).await.is_err() {
            panic!("{what}: still {now:?} after ten seconds");
        }
    }
}

/// Waits until `node` reads `events` events in `stream`.
async fn until_read(node: &PostgresLog, what: &str, stream: &str, events: usize) {
    until_node(node, what, async |node| node.read_stream(stream).await.unwrap().len(), |read| *read == events).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_a_node_alone_tells_no_one_until_another_joins_and_then_tells_it_every_commit() {
    let database = fresh_database(Backend::Postgres).await;
    let node_a = PostgresLog::connect(&database.url, 4).await.unwrap();
    for n in 0..3 {
        node_a.append("alone", ExpectedRevision::Any, vec![event(&format!("A{n}"))]).await.unwrap();
    }
    assert!(!node_a.hears_other_nodes());
    assert_eq!(node_a.commits_told(), 0, "a node alone sends no NOTIFY for its commits");

    let node_b = PostgresLog::connect(&database.url, 4).await.unwrap();
    until_node(&node_a, "node A hears that node B joined", async |a| a.hears_other_nodes(), |heard| *heard).await;
    let told = node_a.commits_told();
    node_a.append("alone", ExpectedRevision::Any, vec![event("A3")]).await.unwrap();
    assert!(node_a.commits_told() > told, "with node B there, node A tells its commits");
    until_read(&node_b, "node B reads every event of node A", "alone", 4).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_a_node_that_joins_is_heard_from_its_first_commit() {
    let database = fresh_database(Backend::Postgres).await;
    let node_a = PostgresLog::connect(&database.url, 4).await.unwrap();
    // Node B commits before it can have heard of node A: it tells node A once it does.
    let node_b = PostgresLog::connect(&database.url, 4).await.unwrap();
    node_b.append("newcomer", ExpectedRevision::NoStream, vec![event("B")]).await.unwrap();
    until_read(&node_a, "node A reads node B's first commit", "newcomer", 1).await;
    until_node(&node_b, "node B hears of node A", async |b| b.hears_other_nodes(), |heard| *heard).await;
}

/// Every subscription of a tailed log, wherever it starts, gets what the plain log's would.
async fn a_tailed_log_gives_every_subscription_every_event_once_in_order_kept_forgotten_or_older(backend: Backend) {
    let (_db, log) = open(backend).await;
    let before = log.append("old", ExpectedRevision::Any, vec![event("Before0"), event("Before1")]).await.unwrap();
    let tailed = eventlog::tailed_keeping(log.clone(), 16_384).await.unwrap();
    assert!(tailed.tail().is_some() && log.tail().is_none());
    let from_the_start = subscribe_all(tailed.clone(), Position::START);
    // From the last event appended, not from `head()`, which another database's transaction in
    // flight may hold back on PostgreSQL.
    let live = subscribe_all(tailed.clone(), before.position.expect("appended"));
    // More events than the tail keeps (16,384), so that the first ones are forgotten.
    for round in 0..20 {
        let batch: Vec<NewEvent> = (0..1_000).map(|_| event("Many")).collect();
        tailed.append(&format!("many-{round}"), ExpectedRevision::NoStream, batch).await.unwrap();
    }
    let all = readable(&*log, Position::START, 20_002).await;
    let late = subscribe_all(tailed.clone(), Position::START);
    let from_the_middle = subscribe_all(tailed.clone(), all[10_000].position);
    tailed.append("new", ExpectedRevision::Any, vec![event("After0"), event("After1")]).await.unwrap();
    let all: Vec<Uuid> = readable(&*log, Position::START, 20_004).await.iter().map(|e| e.event_id).collect();
    assert_eq!(all.len(), 20_004);
    let mut subscriptions = Vec::new();
    for (name, mut subscription, skipped) in [
        ("from the start", from_the_start, 0),
        ("live", live, 2),
        ("late", late, 0),
        ("from the middle", from_the_middle, 10_001),
    ] {
        let mut received = Vec::new();
        while received.len() < all.len() - skipped {
            let batch = tokio::time::timeout(Duration::from_secs(30), subscription.next_batch(1_000))
                .await
                .unwrap_or_else(|_| panic!("{name}: events stopped at {}", received.len()));
            received.extend(batch.unwrap().unwrap().iter().map(|e| e.event_id));
        }
        assert_eq!(received, all[skipped..], "{name}");
        subscriptions.push((name, subscription));
    }
    // Nothing is delivered twice: the next event each subscription gets is one appended after.
    let last = append_last(&tailed).await;
    for (name, mut subscription) in subscriptions {
        assert_next_is(&mut subscription, last, &format!("{name}: no event is delivered twice")).await;
    }
}
