//! The auditor's histories of a contact, an agent, a queue and a line over HTTP on both backends:
//! every event from the log with its actor, secrets hidden, narrowed, and as CSV and Excel files.

use crate::support::*;
use calamine::Reader;
use eventlog::testing::Backend;
use reqwest::Method;
use serde_json::{json, Value};

eventlog::on_both_backends!(
    an_auditor_reads_the_history_of_a_contact_an_agent_a_queue_and_a_line_with_secrets_hidden_and_as_files,
);

fn types(history: &Value) -> Vec<String> {
    history.as_array().unwrap().iter().map(|e| e["event_type"].as_str().unwrap().to_string()).collect()
}

async fn an_auditor_reads_the_history_of_a_contact_an_agent_a_queue_and_a_line_with_secrets_hidden_and_as_files(
    backend: Backend,
) {
    let app = TestApp::on(backend).start().await;
    let auditor = json!({ "name": "Aud", "email": "aud@example.com", "password": "auditor password" });
    assert_eq!(app.send(&app.client, Method::POST, "/api/v1/auditors", auditor).await.status(), 201);
    let aud = signed_in(&app.address, "aud@example.com", "auditor password").await;
    let ana = app.agent("Ana").await;
    let sales = app.queue_with("Sales", &[&ana]).await;
    let path = format!("/api/v1/agents/{}/capacity", ana.id);
    assert_eq!(app.send(&app.client, Method::PUT, &path, json!({ "capacity": 3 })).await.status(), 204);
    let hook = webhook().await;
    let (line, secret) = app.line(json!({ "queue": sales }), Some(&hook.url)).await;
    let secret = secret.expect("a webhook's secret, shown once");
    let contact = app.send(
        &app.client,
        Method::POST,
        "/api/v1/contacts",
        json!({ "name": "Rosa", "accounts": [{ "channel": "whatsapp", "id": "+34612345678" }] }),
    );
    let contact: Value = contact.await.json().await.unwrap();
    let contact = contact["id"].as_str().expect("the contact's id").to_string();
    let path = format!("/api/v1/contacts/{contact}");
    let rename = json!({ "name": "Rosa Díaz", "email": "", "notes": "", "fields": {} });
    assert_eq!(app.send(&app.client, Method::PUT, &path, rename).await.status(), 204);

    let read = |path: String| {
        let (app, aud) = (&app, aud.clone());
        async move { app.get_json(&aud, &path).await }
    };
    let agent = read(format!("/api/v1/agents/{}/history", ana.id)).await;
    let kinds = types(&agent);
    assert!(kinds.iter().any(|k| k.starts_with("User")), "{kinds:?}");
    assert!(kinds.iter().any(|k| k.contains("Capacity")), "the capacity the supervisor set: {kinds:?}");
    // Two streams, one order: the log's.
    let streams: Vec<&str> = agent.as_array().unwrap().iter().map(|e| e["stream"].as_str().unwrap()).collect();
    assert!(
        streams.contains(&format!("user-{}", ana.id).as_str())
            && streams.contains(&format!("agent-{}", ana.id).as_str()),
        "{streams:?}"
    );
    assert!(!agent.to_string().contains("$argon2"), "no password hash is shown: {agent}");

    let queue = read(format!("/api/v1/queues/{sales}/history")).await;
    assert_eq!(types(&queue), ["QueueCreated", "AgentAddedToQueue"]);
    assert!(queue[0]["actor"].as_str().unwrap().starts_with("supervisor:"), "{queue}");

    let line_history = read(format!("/api/v1/lines/{line}/history")).await;
    let text = line_history.to_string();
    assert!(!text.contains(&secret), "the webhook's secret is never shown: {text}");
    assert!(text.contains("\"***\""), "{text}");
    assert!(text.contains(&hook.url), "what is no secret is shown: {text}");

    let contact_history = read(format!("/api/v1/contacts/{contact}/history")).await;
    assert!(contact_history.to_string().contains("Rosa Díaz"), "{contact_history}");
    let narrowed = read(format!(
        "/api/v1/contacts/{contact}/history?event_type={}",
        contact_history[0]["event_type"].as_str().unwrap()
    ))
    .await;
    assert_eq!(narrowed.as_array().unwrap().len(), 1, "{narrowed}");

    // The same as an Excel workbook: one row an event under the header, numbers as numbers.
    let file = aud.get(format!("{}/api/v1/queues/{sales}/history.xlsx", app.address)).send().await.unwrap();
    assert_eq!(file.status(), 200);
    assert_eq!(file.headers()["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    assert!(file.headers()["content-disposition"].to_str().unwrap().contains(&format!("queue-{sales}-history.xlsx")));
    let bytes = file.bytes().await.unwrap();
    let mut workbook = calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec())).expect("a workbook");
    let sheet = workbook.worksheet_range_at(0).expect("a sheet").expect("readable");
    let rows: Vec<Vec<String>> = sheet.rows().map(|row| row.iter().map(|cell| cell.to_string()).collect()).collect();
    assert_eq!(rows[0][..5], ["stream", "revision", "occurred_at", "recorded_at", "event_type"]);
    assert_eq!((rows.len(), rows[1][4].as_str(), rows[2][4].as_str()), (3, "QueueCreated", "AgentAddedToQueue"));
    assert!(matches!(sheet.get((2, 1)), Some(calamine::Data::Float(n)) if *n == 1.0), "{:?}", sheet.get((2, 1)));

    // Nothing of another company, nothing for agents, nothing of what is no subject.
    let theirs = app.other_company().await;
    let other = theirs.get(format!("{}/api/v1/lines/{line}/history", app.address)).send().await.unwrap();
    assert_eq!(other.status(), 404);
    let agents = ana.client.get(format!("{}/api/v1/contacts/{contact}/history", app.address)).send().await.unwrap();
    assert_eq!(agents.status(), 403);
    let nonsense = aud.get(format!("{}/api/v1/queues/not-an-id/history", app.address)).send().await.unwrap();
    assert_eq!(nonsense.status(), 404);
}
