//! The supervisor's monitor figures (A3, G11): time paused per reason since the supervisor's own
//! midnight and each queue's longest wait, driven by a test clock; and the server's test clock,
//! which only a server started with `--test-clock` lets a client move.

use crate::support::*;
use chrono::{Duration, TimeZone, Utc};
use eventlog::testing::Backend;
use serde_json::{json, Value};
use server::clock::TestClock;

eventlog::on_both_backends!(
    the_monitor_counts_pauses_since_the_supervisors_midnight_and_each_queues_longest_wait,
    only_a_server_started_with_the_test_clock_flag_lets_a_client_move_its_clock,
);

/// The monitor as a supervisor whose browser lives in `zone` reads it.
async fn monitor_in(app: &TestApp, session: &str, zone: &str) -> Value {
    let response = anonymous()
        .post(format!("{}/api/monitor", app.address))
        .header("cookie", format!("{session}; ikono_tz={}", zone.replace('/', "%2F")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "the monitor answers");
    response.json().await.unwrap()
}

fn paused_today(board: &Value, agent: &SignedAgent) -> Value {
    board["agents"].as_array().unwrap().iter().find(|a| a["id"] == agent.id.as_str()).unwrap()["paused_today"].clone()
}

async fn the_monitor_counts_pauses_since_the_supervisors_midnight_and_each_queues_longest_wait(backend: Backend) {
    // 21:50 in UTC is 23:50 in Madrid (summer time): Madrid's midnight comes 10 minutes later.
    let clock = TestClock::starting_at(Utc.with_ymd_and_hms(2026, 6, 1, 21, 50, 0).unwrap());
    let app = TestApp::on(backend).with_clock(clock.clone()).start().await;
    let supervisor = sign_in(&reqwest::Client::new(), &app.address, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let session = supervisor.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
    let rita = app.agent("Rita").await;
    let reason = created_id(
        app.send(&app.client, reqwest::Method::POST, "/api/v1/pause-reasons", json!({ "name": "Lunch" })).await,
        "id",
    )
    .await;
    let queue = app.queue_with("Sales", &[]).await;
    let (line, _) = app.line(json!({ "queue": queue }), None).await;
    let key = app.api_key().await;

    let pause = app.send(&rita.client, reqwest::Method::POST, "/api/v1/me/pause", json!({ "reason_id": reason })).await;
    assert_eq!(pause.status(), 204);
    clock.advance(Duration::minutes(20));
    assert_eq!(app.send(&rita.client, reqwest::Method::POST, "/api/v1/me/resume", json!({})).await.status(), 204);
    app.customer_writes(&key, &line, "+5491100000001", "Hola").await;
    app.settled(None).await;
    clock.advance(Duration::minutes(7));

    let in_madrid = monitor_in(&app, &session, "Europe/Madrid").await;
    assert_eq!(paused_today(&in_madrid, &rita), json!([["Lunch", 10]]), "only the 10 minutes after Madrid's midnight");
    let in_utc = monitor_in(&app, &session, "UTC").await;
    assert_eq!(paused_today(&in_utc, &rita), json!([["Lunch", 20]]), "the whole pause, all of it today in UTC");
    let sales = in_madrid["queues"].as_array().unwrap().iter().find(|q| q["id"] == queue.as_str()).unwrap().clone();
    assert_eq!((sales["waiting"].clone(), sales["longest_wait"].clone()), (json!(1), json!(7)));
}

async fn only_a_server_started_with_the_test_clock_flag_lets_a_client_move_its_clock(backend: Backend) {
    let plain = TestApp::on(backend).start().await;
    let step = json!({ "advance_seconds": 3600 });
    let refused = anonymous().post(format!("{}/test/clock", plain.address)).json(&step).send().await.unwrap();
    assert_eq!(refused.status(), 404, "without the flag there is no such endpoint");
    drop(plain);

    let testing = TestApp::on(backend).with_settings(|settings| settings.test_clock = true).start().await;
    let before = Utc::now();
    let moved = anonymous().post(format!("{}/test/clock", testing.address)).json(&step).send().await.unwrap();
    assert_eq!(moved.status(), 200);
    let now: Value = moved.json().await.unwrap();
    let now = chrono::DateTime::parse_from_rfc3339(now["now"].as_str().unwrap()).unwrap().to_utc();
    assert!(now >= before + Duration::hours(1), "the clock moved an hour forward: {now} from {before}");
    let back = json!({ "advance_seconds": -60 });
    let refused = anonymous().post(format!("{}/test/clock", testing.address)).json(&back).send().await.unwrap();
    assert_eq!(refused.status(), 422, "the clock never moves back");
}
