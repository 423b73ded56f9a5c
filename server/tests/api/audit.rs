//! `server audit` on both backends, through the command line and HTTP: a clean installation passes;
//! a read model edited in the database is found; an event edited past the log's guards (its
//! triggers dropped) and its seal recomputed without the key are found and located.

use crate::support::*;
use eventlog::testing::Backend;
use reqwest::Method;
use serde_json::json;
use std::time::Duration;

eventlog::on_both_backends!(
    the_audit_finds_an_edited_read_model_and_an_event_edited_past_the_logs_guards_and_locates_its_seal,
);

/// `server audit` run as an operator would, on the test's database with the tests' key.
fn audit_command(url: &str) -> (i32, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .arg("audit")
        .env("IKONO_DATABASE_URL", url)
        .env("IKONO_SECRETS_KEY", SECRETS_KEY)
        .output()
        .expect("the server's binary runs");
    let printed = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    (output.status.code().unwrap_or(-1), printed)
}

async fn the_audit_finds_an_edited_read_model_and_an_event_edited_past_the_logs_guards_and_locates_its_seal(
    backend: Backend,
) {
    let app =
        TestApp::on(backend).with_settings(|settings| settings.seal_every = Duration::from_millis(20)).start().await;
    let ana = app.agent("Ana").await;
    let sales = app.queue_with("Sales", &[&ana]).await;
    let _live = go_online(&app, &ana).await;
    let key = app.api_key().await;
    let (line, _) = app.line(json!({ "queue": sales }), None).await;
    let chat = app.customer_writes(&key, &line, "+34600000001", "Hola, quiero comprar").await;
    app.wait_chats(&ana.client, |c| c.len() == 1).await;
    let path = format!("/api/v1/chats/{chat}/messages");
    assert_eq!(app.send(&ana.client, Method::POST, &path, json!({ "text": "¿Qué buscas?" })).await.status(), 201);
    app.settled(None).await;

    // The sealer catches up with everything but its own seals.
    let log = eventlog::open(&app.database.url).await.unwrap();
    let message = log.read_stream(&format!("chat-{chat}")).await.unwrap();
    let message = message.iter().find(|e| e.event_type == "CustomerMessageReceived").expect("the message").clone();
    let last = eventually(
        "seals over every event",
        || {
            let log = log.clone();
            async move {
                let all = log.read_all(eventlog::Position::START, 100_000).await.unwrap();
                let head = all.iter().rev().find(|e| e.stream != "log-seals").map(|e| e.position);
                let seals = log.read_stream("log-seals").await.unwrap();
                let sealed = seals.last().map(|seal| eventlog::Position {
                    transaction: seal.data["until"]["transaction"].as_i64().unwrap(),
                    sequence: seal.data["until"]["sequence"].as_i64().unwrap(),
                });
                (head, sealed)
            }
        },
        |(head, sealed)| head.is_some() && sealed >= head,
    )
    .await;
    assert!(last.1.is_some());
    app.settled(None).await;

    let (code, printed) = audit_command(&app.database.url);
    assert_eq!(code, 0, "{printed}");
    assert!(printed.contains("every seal matches"), "{printed}");
    assert!(printed.contains("chat_board v9: 4 tables"), "{printed}");
    assert!(printed.contains("Nothing differs"), "{printed}");
    // The same through HTTP, for an auditor; never for an agent.
    let outcome = app.send(&app.client, Method::POST, "/api/v1/audit", json!({})).await;
    assert_eq!(outcome.status(), 200);
    let outcome: serde_json::Value = outcome.json().await.unwrap();
    assert_eq!(outcome["clean"], true, "{outcome}");
    assert_eq!(app.send(&ana.client, Method::POST, "/api/v1/audit", json!({})).await.status(), 403);

    // A read model edited in the database: the rebuild says otherwise.
    let store = sqlx::AnyPool::connect(&app.database.url).await.unwrap();
    sqlx::query("UPDATE queue_list_queues_v4 SET name = 'Tampered' WHERE queue_id = $1")
        .bind(&sales)
        .execute(&store)
        .await
        .unwrap();
    let (code, printed) = audit_command(&app.database.url);
    assert_eq!(code, 1, "{printed}");
    assert!(
        printed.contains("queue_list_queues_v4: only in the live table") && printed.contains("Tampered"),
        "{printed}"
    );
    assert!(printed.contains("every seal matches"), "the log itself is untouched: {printed}");

    // An event edited past the log's guards, and its seal made again without the key.
    let (drop_guard, forge, ids) = match backend {
        Backend::Sqlite => (
            "DROP TRIGGER events_no_update",
            "UPDATE events SET data = json_set(data, '$.text', 'Forged') WHERE event_id = $1",
            message.event_id.to_string(),
        ),
        Backend::Postgres => (
            "ALTER TABLE events DISABLE TRIGGER events_no_update_or_delete",
            "UPDATE events SET data = jsonb_set(data, '{text}', '\"Forged\"') WHERE event_id = CAST($1 AS uuid)",
            message.event_id.to_string(),
        ),
    };
    sqlx::query(drop_guard).execute(&store).await.unwrap();
    let changed = sqlx::query(forge).bind(&ids).execute(&store).await.unwrap();
    assert_eq!(changed.rows_affected(), 1);
    let seals = log.read_stream("log-seals").await.unwrap();
    let at = (message.position.transaction, message.position.sequence);
    let holder = seals
        .iter()
        .find(|seal| {
            let bound = |end: &str| {
                (seal.data[end]["transaction"].as_i64().unwrap(), seal.data[end]["sequence"].as_i64().unwrap())
            };
            bound("after") < at && at <= bound("until")
        })
        .expect("a seal holds the message");
    let (code, printed) = audit_command(&app.database.url);
    assert_eq!(code, 1, "{printed}");
    assert!(printed.contains("SEALS BROKEN"), "{printed}");
    assert!(
        printed.contains(&format!("seal #{} ", holder.revision)) && printed.contains("one of them was changed"),
        "the seal of the edited event is named: {printed}"
    );
    assert!(printed.contains("Forged"), "the chats' rebuild shows the forged words beside the live ones: {printed}");

    // Whoever edits the seal too, without the key, breaks it and the next one's chain.
    let forged_mac = "0".repeat(64);
    let reseal = match backend {
        Backend::Sqlite => "UPDATE events SET data = json_set(data, '$.mac', $1) WHERE event_id = $2",
        Backend::Postgres => "UPDATE events SET data = jsonb_set(data, '{mac}', to_jsonb(CAST($1 AS text))) WHERE event_id = CAST($2 AS uuid)",
    };
    sqlx::query(reseal).bind(&forged_mac).bind(holder.event_id.to_string()).execute(&store).await.unwrap();
    let (code, printed) = audit_command(&app.database.url);
    assert_eq!(code, 1, "{printed}");
    assert!(printed.contains(&format!("seal #{} ", holder.revision)), "{printed}");
}
