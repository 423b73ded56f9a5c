//! The reports over HTTP on both backends, on a scripted history with known times in the
//! company's zone (Madrid): a conversation across midnight, a day 25 hours long (the clocks went
//! back on 25 October 2026), a reopened chat, the figures counted by hand.

use crate::support::*;
use eventlog::testing::Backend;
use reqwest::Method;
use serde_json::{json, Value};

eventlog::on_both_backends!(
    the_report_counts_each_category_agents_and_hours_on_the_companys_days_across_midnight_and_a_clock_change,
    reports_are_refused_to_agents_and_for_spans_or_scopes_that_are_no_report,
);

fn utc(text: &str) -> chrono::DateTime<chrono::Utc> {
    text.parse().expect("a moment")
}

fn category<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["categories"].as_array().unwrap().iter().find(|c| c["category"] == name).expect(name)
}

fn totals(report: &Value) -> Vec<(String, i64)> {
    report["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["category"].as_str().unwrap().to_string(), c["total"].as_i64().unwrap()))
        .collect()
}

fn counts(tallies: &Value, field: &str) -> Vec<(String, i64)> {
    tallies
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t[field].as_i64().unwrap() > 0)
        .map(|t| (t["key"].as_str().unwrap().to_string(), t[field].as_i64().unwrap()))
        .collect()
}

fn expected(pairs: &[(&str, i64)]) -> Vec<(String, i64)> {
    pairs.iter().map(|(key, n)| (key.to_string(), *n)).collect()
}

async fn the_report_counts_each_category_agents_and_hours_on_the_companys_days_across_midnight_and_a_clock_change(
    backend: Backend,
) {
    // 21:50 UTC on 24 October is 23:50 in Madrid (summer time, UTC+2).
    let clock = server::clock::TestClock::starting_at(utc("2026-10-24T21:50:00Z"));
    let app = TestApp::on(backend).with_clock(clock.clone()).start().await;
    let zone = app.send(&app.client, Method::PUT, "/api/v1/company/time-zone", json!({ "time_zone": "Europe/Madrid" }));
    assert_eq!(zone.await.status(), 204);
    let ana = app.agent("Ana").await;
    let ben = app.agent("Ben").await;
    let sales = app.queue_with("Sales", &[&ana]).await;
    let _live = go_online(&app, &ana).await;
    let key = app.api_key().await;
    let (line, _) = app.line(json!({ "queue": sales }), None).await;

    // 23:50 on the 24th: a new customer; Ana takes the chat at once.
    let first = app.customer_writes_as(&key, &line, "+34600000001", "Rosa", "hola").await;
    app.wait_chats(&ana.client, |c| c.len() == 1).await;
    // 00:10 on the 25th: Ana answers, 20 minutes later; another new customer writes.
    clock.advance(chrono::Duration::minutes(20));
    let path = format!("/api/v1/chats/{first}/messages");
    assert_eq!(app.send(&ana.client, Method::POST, &path, json!({ "text": "Dime" })).await.status(), 201);
    let second = app.customer_writes_as(&key, &line, "+34600000002", "Luis", "buenas").await;
    app.wait_chats(&ana.client, |c| c.len() == 2).await;
    // 23:30 on the 25th, now in winter time (UTC+1): Ana resolves the first chat. A day counted
    // as 24 hours from midnight would have ended at 23:00 UTC+1 and missed it.
    clock.advance(utc("2026-10-25T22:30:00Z") - utc("2026-10-24T22:10:00Z"));
    let path = format!("/api/v1/chats/{first}/resolve");
    assert_eq!(app.send(&ana.client, Method::POST, &path, json!({})).await.status(), 204);
    // 00:30 on the 26th: Rosa writes again: the same chat, a new conversation, not a new contact.
    clock.advance(chrono::Duration::hours(1));
    assert_eq!(app.customer_writes_as(&key, &line, "+34600000001", "Rosa", "otra cosa").await, first);
    app.settled(None).await;

    let report = |query: String| {
        let app = &app;
        async move { app.get_json(&app.client, &format!("/api/v1/reports?{query}")).await }
    };
    let day_24 = report("from=2026-10-24&until=2026-10-24".into()).await;
    assert_eq!(day_24["time_zone"], "Europe/Madrid");
    assert_eq!(day_24["incoming"], 1);
    // Pending, following and open are now; new and resolved, in the days.
    assert_eq!(
        totals(&day_24),
        expected(&[("pending", 2), ("following", 0), ("open", 0), ("new", 1), ("resolved", 0)])
    );
    assert_eq!(category(&day_24, "new")["chats"][0]["contact"], "Rosa");

    let day_25 = report("from=2026-10-25&until=2026-10-25".into()).await;
    assert_eq!(day_25["incoming"], 1);
    assert_eq!(totals(&day_25)[3..], expected(&[("new", 1), ("resolved", 1)]));
    let resolved = &category(&day_25, "resolved")["chats"][0];
    assert_eq!((resolved["chat_id"].as_str(), &resolved["contact"]), (Some(first.as_str()), &json!("Rosa")));
    assert_eq!(
        (&resolved["agent"], &resolved["resolved_by"], &resolved["queue"]),
        (&json!("Ana"), &json!("Ana"), &json!("Sales"))
    );
    assert_eq!(resolved["at"], "2026-10-25T22:30:00Z");
    assert_eq!(counts(&day_25["per_hour"], "incoming"), expected(&[("0", 1)]));
    assert_eq!(counts(&day_25["per_hour"], "resolved"), expected(&[("23", 1)]));

    let three_days = report("from=2026-10-24&until=2026-10-26".into()).await;
    assert_eq!(three_days["incoming"], 3);
    assert_eq!(totals(&three_days)[3..], expected(&[("new", 2), ("resolved", 1)]));
    let pending: Vec<&str> = category(&three_days, "pending")["chats"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["chat_id"].as_str().unwrap())
        .collect();
    assert_eq!(pending, vec![second.as_str(), first.as_str()], "the longest waiting first");
    assert_eq!(
        counts(&three_days["per_day"], "incoming"),
        expected(&[("2026-10-24", 1), ("2026-10-25", 1), ("2026-10-26", 1)])
    );
    assert_eq!(counts(&three_days["per_day"], "new"), expected(&[("2026-10-24", 1), ("2026-10-25", 1)]));
    assert_eq!(counts(&three_days["per_queue"], "incoming"), expected(&[("Sales", 3)]));
    // Ana: three chats came to her; she answered the first after 20 minutes and resolved it; two
    // wait for her now. Ben did nothing.
    assert_eq!(
        three_days["agents"],
        json!([
            { "agent_id": ana.id, "name": "Ana", "pending": 2, "following": 0, "incoming": 3, "resolved": 1,
              "average_first_response": 1200, "average_response": 1200 },
            { "agent_id": ben.id, "name": "Ben", "pending": 0, "following": 0, "incoming": 0, "resolved": 0,
              "average_first_response": null, "average_response": null },
        ])
    );

    // Of one agent, one queue, one line.
    let bens = report(format!("from=2026-10-24&until=2026-10-26&agent={}", ben.id)).await;
    assert_eq!(totals(&bens), expected(&[("pending", 0), ("following", 0), ("open", 0), ("new", 0), ("resolved", 0)]));
    let sales_report = report(format!("from=2026-10-24&until=2026-10-26&queue={sales}")).await;
    assert_eq!(totals(&sales_report), totals(&three_days));
    let lines = report(format!("from=2026-10-24&until=2026-10-26&line={line}")).await;
    assert_eq!(lines["incoming"], 3);

    // The same as files.
    let file = app
        .client
        .get(format!("{}/api/v1/reports/chats.csv?category=resolved&from=2026-10-24&until=2026-10-26", app.address));
    let file = file.send().await.unwrap();
    assert_eq!(file.status(), 200);
    assert!(file.headers()["content-disposition"].to_str().unwrap().contains("resolved-2026-10-24-2026-10-26.csv"));
    let text = file.text().await.unwrap();
    let rows: Vec<&str> = text.lines().collect();
    assert_eq!(rows[0], "chat,contact,line,queue,agent,state,at,resolved_by");
    assert_eq!(rows[1], format!("{first},Rosa,Web shop,Sales,Ana,pending,2026-10-25T23:30:00+01:00,Ana"));
    assert_eq!(rows.len(), 2);
    let agents = app.client.get(format!("{}/api/v1/reports/agents.csv?from=2026-10-24&until=2026-10-26", app.address));
    let agents = agents.send().await.unwrap().text().await.unwrap();
    assert_eq!(agents.lines().nth(1), Some("Ana,2,0,3,1,1200,1200"));
}

async fn reports_are_refused_to_agents_and_for_spans_or_scopes_that_are_no_report(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let ana = app.agent("Ana").await;
    let queue = app.queue_with("Sales", &[]).await;
    let asked = |client: &reqwest::Client, query: &str| {
        let request = client.get(format!("{}/api/v1/reports?{query}", app.address));
        async move {
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.unwrap_or_default())
        }
    };
    assert_eq!(asked(&ana.client, "from=2026-10-24&until=2026-10-26").await.0, 403);
    assert_eq!(asked(&anonymous(), "from=2026-10-24&until=2026-10-26").await.0, 401);
    let (status, body) = asked(&app.client, "from=2026-10-26&until=2026-10-24").await;
    assert_eq!((status, body["error"].as_str()), (422, Some("the last day comes before the first")));
    let (status, body) = asked(&app.client, "from=2025-01-01&until=2026-10-24").await;
    assert_eq!((status, body["error"].as_str()), (422, Some("a report spans at most 366 days")));
    let (status, _) =
        asked(&app.client, &format!("from=2026-10-24&until=2026-10-24&queue={queue}&agent={}", ana.id)).await;
    assert_eq!(status, 422, "one scope at a time");
    assert_eq!(asked(&app.client, "from=yesterday&until=2026-10-24").await.0, 400);
    let file = app
        .client
        .get(format!("{}/api/v1/reports/chats.csv?category=everything&from=2026-10-24&until=2026-10-24", app.address));
    assert_eq!(file.send().await.unwrap().status(), 400);
    // UTC until a supervisor names a zone, and only a zone of the IANA list.
    assert_eq!(asked(&app.client, "from=2026-10-24&until=2026-10-24").await.1["time_zone"], "UTC");
    let wrong = app.send(&app.client, Method::PUT, "/api/v1/company/time-zone", json!({ "time_zone": "Mars/Olympus" }));
    let wrong = wrong.await;
    assert_eq!(wrong.status(), 422);
    let agents_zone =
        app.send(&ana.client, Method::PUT, "/api/v1/company/time-zone", json!({ "time_zone": "Europe/Madrid" }));
    assert_eq!(agents_zone.await.status(), 403);
    // Another company's supervisor reads their own company's report, with nothing of this one.
    let key = app.api_key().await;
    let (line, _) = app.line(json!({ "queue": queue }), None).await;
    app.customer_writes(&key, &line, "+34600000009", "hola").await;
    app.settled(None).await;
    let today = chrono::Utc::now().date_naive();
    let query = format!("from={}&until={}", today - chrono::Days::new(1), today + chrono::Days::new(1));
    let ours = asked(&app.client, &query).await.1;
    assert_eq!(ours["incoming"], 1, "{ours}");
    let theirs = asked(&app.other_company().await, &query).await.1;
    assert_eq!((theirs["incoming"].as_i64(), totals(&theirs).iter().map(|(_, n)| n).sum::<i64>()), (Some(0), 0));
}
