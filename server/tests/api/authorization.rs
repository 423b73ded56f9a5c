//! The authorization matrix, on both backends: for every endpoint and server function, what an
//! anonymous caller, an agent who is a member of the chat's queue, an agent who is not, an auditor,
//! and the supervisor of another company get — and that none of them changed what they may not.
//! (The supervisor of the company itself is proved allowed by every other HTTP test.)

use crate::support::*;
use eventlog::testing::Backend;
use serde_json::json;

eventlog::on_both_backends!(every_role_of_every_company_gets_what_it_should_and_nothing_else);

/// One request: method, path, body (JSON, or a form for server functions).
enum Body {
    None,
    Json(serde_json::Value),
    Form(Vec<(&'static str, String)>),
    Text(&'static str),
}

struct Case {
    method: reqwest::Method,
    path: String,
    body: Body,
    /// anonymous, member agent, other agent, auditor, other company's supervisor
    expected: [u16; 5],
}

const HOURS_MENU: &str =
    r#"{ "header": "Hi", "options": [{ "label": "Hours", "action": { "kind": "text", "text": "9 to 18" } }] }"#;

fn case(method: reqwest::Method, path: String, body: Body, expected: [u16; 5]) -> Case {
    Case { method, path, body, expected }
}

async fn every_role_of_every_company_gets_what_it_should_and_nothing_else(backend: Backend) {
    use reqwest::Method as M;
    let app = TestApp::on(backend).start().await;
    let ana = created_id(app.create_agent("Ana", "ana@example.com", "agent password").await, "user_id").await;
    app.create_agent("Ben", "ben@example.com", "agent password").await;
    let auditor = json!({ "name": "Aud", "email": "aud@example.com", "password": "auditor password" });
    let auditor_id = created_id(app.send(&app.client, M::POST, "/api/v1/auditors", auditor).await, "user_id").await;
    let queue = created_id(app.create_queue("Sales").await, "id").await;
    let member = format!("/api/v1/queues/{queue}/members/{ana}");
    assert_eq!(app.send(&app.client, M::PUT, &member, json!({})).await.status(), 204);
    let reason =
        created_id(app.send(&app.client, M::POST, "/api/v1/pause-reasons", json!({ "name": "Lunch" })).await, "id")
            .await;
    let created_key = app.send(&app.client, M::POST, "/api/v1/api-keys", json!({ "name": "CRM" })).await;
    let key: serde_json::Value = created_key.json().await.unwrap();
    let (key, key_id) = (key["key"].as_str().unwrap().to_string(), key["id"].as_str().unwrap().to_string());
    let line = created_id(
        app.send(&app.client, M::POST, "/api/v1/lines", json!({ "name": "Shop", "routing": { "queue": queue } })).await,
        "id",
    )
    .await;
    let chat = created_id(
        anonymous()
            .post(format!("{}/api/v1/lines/{line}/messages", app.address))
            .bearer_auth(&key)
            .json(&json!({ "contact_id": "c1", "text": "hola" }))
            .send()
            .await
            .unwrap(),
        "chat_id",
    )
    .await;
    let contact = created_id(
        app.send(
            &app.client,
            M::POST,
            "/api/v1/contacts",
            json!({ "name": "Rosa", "accounts": [{ "channel": "api", "id": "c9" }] }),
        )
        .await,
        "id",
    )
    .await;
    let second_contact =
        created_id(app.send(&app.client, M::POST, "/api/v1/contacts", json!({ "name": "Rosa D." })).await, "id").await;
    let business =
        created_id(app.send(&app.client, M::POST, "/api/v1/businesses", json!({ "name": "Acme" })).await, "id").await;
    let import = app.post_file(&app.client, "/api/v1/contacts/import", "Name\nRosa F.\n").await;
    assert_eq!(import.status(), 202);
    let import = created_id(import, "id").await;
    let other_supervisor = app.other_company().await;

    let callers = [
        anonymous(),
        signed_in(&app.address, "ana@example.com", "agent password").await,
        signed_in(&app.address, "ben@example.com", "agent password").await,
        signed_in(&app.address, "aud@example.com", "auditor password").await,
        other_supervisor,
    ];
    let new_person = |n: &str| json!({ "name": n, "email": format!("{n}@new.example"), "password": "long enough" });
    let cases = vec![
        case(M::GET, "/api/v1/session".into(), Body::None, [401, 200, 200, 200, 200]),
        case(M::GET, "/api/v1/queues".into(), Body::None, [401, 200, 200, 200, 200]),
        case(M::GET, "/api/v1/agents".into(), Body::None, [401, 403, 403, 200, 200]),
        case(M::GET, "/api/v1/pause-reasons".into(), Body::None, [401, 200, 200, 200, 200]),
        case(M::GET, "/api/v1/lines".into(), Body::None, [401, 403, 403, 200, 200]),
        case(M::GET, "/api/v1/api-keys".into(), Body::None, [401, 403, 403, 403, 200]),
        case(M::GET, "/api/v1/chats".into(), Body::None, [401, 200, 200, 200, 200]),
        case(M::GET, format!("/api/v1/chats/{chat}"), Body::None, [401, 200, 403, 200, 404]),
        case(M::GET, format!("/api/v1/chats/{chat}/history"), Body::None, [401, 403, 403, 200, 404]),
        case(M::GET, format!("/api/v1/chats/{chat}/history.csv"), Body::None, [401, 403, 403, 200, 404]),
        case(M::GET, format!("/api/v1/chats/{chat}/history.xlsx"), Body::None, [401, 403, 403, 200, 404]),
        case(M::GET, format!("/api/v1/agents/{ana}/history"), Body::None, [401, 403, 403, 200, 404]),
        case(M::GET, format!("/api/v1/queues/{queue}/history.csv"), Body::None, [401, 403, 403, 200, 404]),
        case(M::GET, format!("/api/v1/lines/{line}/history"), Body::None, [401, 403, 403, 200, 404]),
        case(M::POST, "/api/audit_subjects".into(), Body::Form(vec![]), [401, 403, 403, 200, 200]),
        case(M::POST, "/api/run_audit".into(), Body::Form(vec![]), [401, 403, 403, 200, 200]),
        case(M::GET, "/api/v1/past/chats?at=2020-01-01T00:00:00Z".into(), Body::None, [401, 403, 403, 200, 200]),
        case(
            M::GET,
            format!("/api/v1/past/chats/{chat}?at=2099-01-01T00:00:00Z"),
            Body::None,
            [401, 403, 403, 422, 422],
        ),
        case(M::POST, "/api/v1/audit".into(), Body::Json(json!({})), [401, 403, 403, 200, 200]),
        case(M::GET, "/api/v1/company".into(), Body::None, [401, 403, 403, 200, 200]),
        case(M::GET, "/api/v1/reports?from=2026-01-01&until=2026-01-07".into(), Body::None, [401, 403, 403, 200, 200]),
        case(
            M::GET,
            "/api/v1/reports/chats.csv?category=pending&from=2026-01-01&until=2026-01-07".into(),
            Body::None,
            [401, 403, 403, 200, 200],
        ),
        case(
            M::GET,
            "/api/v1/reports/agents.xlsx?from=2026-01-01&until=2026-01-07".into(),
            Body::None,
            [401, 403, 403, 200, 200],
        ),
        case(
            M::GET,
            "/api/v1/reports/options.csv?from=2026-01-01&until=2026-01-07".into(),
            Body::None,
            [401, 403, 403, 200, 200],
        ),
        case(
            M::POST,
            "/api/report_of".into(),
            Body::Form(vec![
                ("filter[from]", String::new()),
                ("filter[until]", String::new()),
                ("filter[of]", format!("queue:{queue}")),
                ("filter[at]", String::new()),
            ]),
            [401, 403, 403, 200, 200],
        ),
        case(M::POST, "/api/v1/queues".into(), Body::Json(json!({ "name": "Other queue" })), [401, 403, 403, 403, 201]),
        case(
            M::PATCH,
            format!("/api/v1/queues/{queue}"),
            Body::Json(json!({ "name": "Taken over" })),
            [401, 403, 403, 403, 404],
        ),
        case(M::PUT, member.clone(), Body::Json(json!({})), [401, 403, 403, 403, 404]),
        case(M::DELETE, member.clone(), Body::Json(json!({})), [401, 403, 403, 403, 404]),
        case(
            M::PUT,
            format!("/api/v1/queues/{queue}/settings"),
            Body::Json(json!({ "waiting_message": "", "no_answer_minutes": 1 })),
            [401, 403, 403, 403, 404],
        ),
        case(M::POST, "/api/v1/agents".into(), Body::Json(new_person("agent")), [401, 403, 403, 403, 201]),
        case(M::POST, "/api/v1/auditors".into(), Body::Json(new_person("auditor")), [401, 403, 403, 403, 201]),
        case(M::POST, "/api/v1/supervisors".into(), Body::Json(new_person("boss")), [401, 403, 403, 403, 201]),
        case(
            M::PATCH,
            format!("/api/v1/agents/{ana}"),
            Body::Json(json!({ "name": "Hacked" })),
            [401, 403, 403, 403, 404],
        ),
        case(
            M::PUT,
            format!("/api/v1/agents/{ana}/capacity"),
            Body::Json(json!({ "capacity": 9 })),
            [401, 403, 403, 403, 404],
        ),
        case(M::POST, format!("/api/v1/agents/{ana}/deactivate"), Body::Json(json!({})), [401, 403, 403, 403, 404]),
        case(
            M::POST,
            "/api/v1/pause-reasons".into(),
            Body::Json(json!({ "name": "Coffee" })),
            [401, 403, 403, 403, 201],
        ),
        case(
            M::PATCH,
            format!("/api/v1/pause-reasons/{reason}"),
            Body::Json(json!({ "name": "X" })),
            [401, 403, 403, 403, 404],
        ),
        case(M::DELETE, format!("/api/v1/pause-reasons/{reason}"), Body::Json(json!({})), [401, 403, 403, 403, 404]),
        case(M::POST, "/api/v1/me/pause".into(), Body::Json(json!({ "reason_id": reason })), [401, 204, 204, 403, 403]),
        case(M::POST, "/api/v1/me/resume".into(), Body::Json(json!({})), [401, 204, 204, 403, 403]),
        case(M::POST, "/api/v1/api-keys".into(), Body::Json(json!({ "name": "Mine" })), [401, 403, 403, 403, 201]),
        case(M::DELETE, format!("/api/v1/api-keys/{key_id}"), Body::Json(json!({})), [401, 403, 403, 403, 404]),
        case(
            M::POST,
            "/api/v1/lines".into(),
            Body::Json(json!({ "name": "L", "routing": { "queue": queue } })),
            [401, 403, 403, 403, 422],
        ),
        case(
            M::PUT,
            format!("/api/v1/lines/{line}/routing"),
            Body::Json(json!({ "queue": queue })),
            [401, 403, 403, 403, 422],
        ),
        case(
            M::POST,
            format!("/api/v1/chats/{chat}/messages"),
            Body::Json(json!({ "text": "hi" })),
            [401, 403, 403, 403, 404],
        ),
        case(M::POST, format!("/api/v1/chats/{chat}/take-over"), Body::Json(json!({})), [401, 403, 403, 403, 404]),
        case(
            M::POST,
            format!("/api/v1/chats/{chat}/transfer"),
            Body::Json(json!({ "to": { "queue": queue } })),
            [401, 403, 403, 403, 422],
        ),
        case(M::POST, format!("/api/v1/chats/{chat}/resolve"), Body::Json(json!({})), [401, 403, 403, 403, 404]),
        // Nobody here wrote in the chat: the message is nobody's to change, in another company not
        // even there.
        case(
            M::PUT,
            format!("/api/v1/chats/{chat}/messages/{}", uuid::Uuid::from_u128(7)),
            Body::Json(json!({ "text": "x" })),
            [401, 404, 404, 403, 404],
        ),
        case(
            M::DELETE,
            format!("/api/v1/chats/{chat}/messages/{}", uuid::Uuid::from_u128(7)),
            Body::Json(json!({})),
            [401, 404, 404, 403, 404],
        ),
        case(
            M::PUT,
            format!("/api/v1/lines/{line}/message-editing"),
            Body::Json(json!({ "agents_may_edit": false })),
            [401, 403, 403, 403, 404],
        ),
        case(
            M::PUT,
            format!("/api/v1/chats/{chat}/own-agent"),
            Body::Json(json!({ "agent": null })),
            [401, 403, 403, 403, 404],
        ),
        case(
            M::PUT,
            format!("/api/v1/lines/{line}/offline-policy"),
            Body::Json(json!({ "policy": "transfer_to_queue" })),
            [401, 403, 403, 403, 404],
        ),
        case(
            M::POST,
            "/api/v1/chats/resolve".into(),
            Body::Json(json!({ "chat_ids": [chat] })),
            [401, 200, 200, 403, 200],
        ),
        case(M::GET, "/api/v1/contacts?q=rosa".into(), Body::None, [401, 200, 200, 200, 200]),
        case(M::GET, format!("/api/v1/contacts/{contact}"), Body::None, [401, 200, 200, 200, 404]),
        case(M::POST, "/api/v1/contacts".into(), Body::Json(json!({ "name": "New" })), [401, 201, 201, 403, 201]),
        case(
            M::PUT,
            format!("/api/v1/contacts/{contact}"),
            Body::Json(json!({ "name": "Rosa Díaz" })),
            [401, 204, 204, 403, 404],
        ),
        case(
            M::POST,
            format!("/api/v1/contacts/{contact}/accounts"),
            Body::Json(json!({ "channel": "api", "id": "c10" })),
            [401, 204, 204, 403, 404],
        ),
        case(
            M::PUT,
            format!("/api/v1/contacts/{contact}/owner"),
            Body::Json(json!({ "owner": null })),
            [401, 403, 403, 403, 404],
        ),
        case(
            M::POST,
            format!("/api/v1/contacts/{contact}/consents"),
            Body::Json(json!({ "scope": { "level": "general" }, "given": true })),
            [401, 204, 204, 403, 404],
        ),
        case(
            M::POST,
            format!("/api/v1/contacts/{contact}/merge"),
            Body::Json(json!({ "from": second_contact })),
            [401, 403, 403, 403, 404],
        ),
        case(
            M::POST,
            format!("/api/v1/contacts/{contact}/merges/{second_contact}/split"),
            Body::Json(json!({})),
            [401, 403, 403, 403, 404],
        ),
        case(M::GET, "/api/v1/contacts/export".into(), Body::None, [401, 403, 403, 403, 200]),
        case(M::POST, "/api/v1/contacts/import".into(), Body::Text("Name\nNew\n"), [401, 403, 403, 403, 202]),
        case(M::GET, format!("/api/v1/contacts/imports/{import}"), Body::None, [401, 403, 403, 403, 404]),
        case(
            M::POST,
            "/api/v1/contacts/consents/preview".into(),
            Body::Text("Phone\n+34612345678\n"),
            [401, 403, 403, 403, 200],
        ),
        case(
            M::POST,
            "/api/v1/contacts/consents/import".into(),
            Body::Text("Phone\n+34612345678\n"),
            [401, 403, 403, 403, 200],
        ),
        case(M::GET, "/api/v1/businesses".into(), Body::None, [401, 200, 200, 200, 200]),
        case(M::POST, "/api/v1/businesses".into(), Body::Json(json!({ "name": "Globex" })), [401, 403, 403, 403, 201]),
        case(
            M::PATCH,
            format!("/api/v1/businesses/{business}"),
            Body::Json(json!({ "name": "Taken" })),
            [401, 403, 403, 403, 404],
        ),
        case(M::DELETE, format!("/api/v1/businesses/{business}"), Body::Json(json!({})), [401, 403, 403, 403, 404]),
        case(M::POST, "/api/queues".into(), Body::Form(vec![]), [401, 200, 200, 200, 200]),
        case(M::POST, "/api/agents".into(), Body::Form(vec![]), [401, 403, 403, 200, 200]),
        case(
            M::POST,
            "/api/create_queue".into(),
            Body::Form(vec![("name", "Form queue".into())]),
            [401, 403, 403, 403, 200],
        ),
        case(
            M::POST,
            "/api/set_queue_member".into(),
            Body::Form(vec![("queue_id", queue.clone()), ("agent_id", ana.clone()), ("member", "false".into())]),
            [401, 403, 403, 403, 422],
        ),
        case(M::POST, "/api/who_am_i".into(), Body::Form(vec![]), [200, 200, 200, 200, 200]),
        case(M::POST, "/api/my_status".into(), Body::Form(vec![]), [401, 200, 200, 403, 403]),
        case(M::POST, "/api/my_chats".into(), Body::Form(vec![]), [401, 200, 200, 403, 403]),
        case(M::POST, "/api/my_figures".into(), Body::Form(vec![]), [401, 200, 200, 403, 403]),
        case(M::GET, "/api/v1/me/day".into(), Body::None, [401, 200, 200, 403, 403]),
        case(M::POST, "/api/monitor".into(), Body::Form(vec![]), [401, 403, 403, 200, 200]),
        case(M::PUT, format!("/api/v1/lines/{line}/widget"), Body::Json(json!({})), [401, 403, 403, 403, 404]),
        case(M::POST, "/api/lines".into(), Body::Form(vec![]), [401, 403, 403, 200, 200]),
        case(
            M::POST,
            "/api/create_line".into(),
            Body::Form(vec![("name", "Taken".into()), ("queue_id", queue.clone())]),
            [401, 403, 403, 403, 422],
        ),
        case(
            M::POST,
            "/api/open_widget".into(),
            Body::Form(vec![("line_id", line.clone())]),
            [401, 403, 403, 403, 422],
        ),
        case(
            M::POST,
            "/api/preview_menu".into(),
            Body::Json(json!({ "menu": HOURS_MENU, "answers": [] })),
            [401, 403, 403, 403, 200],
        ),
        case(
            M::POST,
            "/api/save_menu".into(),
            Body::Form(vec![("line_id", line.clone()), ("menu", HOURS_MENU.into())]),
            [401, 403, 403, 403, 422],
        ),
        case(
            M::POST,
            "/api/conversation".into(),
            Body::Form(vec![("chat_id", chat.clone())]),
            [401, 200, 403, 200, 422],
        ),
        case(
            M::POST,
            "/api/chat_as_it_stood".into(),
            Body::Form(vec![("chat_id", chat.clone()), ("at", String::new())]),
            [401, 403, 403, 200, 422],
        ),
        case(
            M::POST,
            "/api/reply_in_chat".into(),
            Body::Form(vec![("chat_id", chat.clone()), ("text", "hi".into())]),
            [401, 403, 403, 403, 422],
        ),
        case(
            M::POST,
            "/api/set_line_rules".into(),
            Body::Form(vec![("line_id", line.clone()), ("offline_policy", "wait".into())]),
            [401, 403, 403, 403, 422],
        ),
        case(
            M::POST,
            "/api/edit_message_in_chat".into(),
            Body::Form(vec![
                ("chat_id", chat.clone()),
                ("message_id", uuid::Uuid::from_u128(7).to_string()),
                ("text", "x".into()),
            ]),
            [401, 422, 422, 403, 422],
        ),
        case(
            M::POST,
            "/api/delete_message_in_chat".into(),
            Body::Form(vec![("chat_id", chat.clone()), ("message_id", uuid::Uuid::from_u128(7).to_string())]),
            [401, 422, 422, 403, 422],
        ),
        case(
            M::POST,
            "/api/save_queue".into(),
            Body::Form(vec![
                ("queue[queue_id]", queue.clone()),
                ("queue[name]", "Taken over".into()),
                ("queue[waiting_message]", String::new()),
                ("queue[no_answer_minutes]", "5".into()),
            ]),
            [401, 403, 403, 403, 422],
        ),
        case(
            M::POST,
            "/api/rename_agent".into(),
            Body::Form(vec![("agent_id", ana.clone()), ("name", "Renamed".into())]),
            [401, 403, 403, 403, 422],
        ),
        case(M::POST, "/api/staff".into(), Body::Form(vec![]), [401, 403, 403, 403, 200]),
        case(
            M::POST,
            "/api/create_staff".into(),
            Body::Form(vec![
                ("person[name]", "Sneaky".into()),
                ("person[email]", "sneaky@example.com".into()),
                ("person[password]", "sneaky password".into()),
                ("person[role]", "supervisor".into()),
            ]),
            [401, 403, 403, 403, 200],
        ),
        case(
            M::POST,
            "/api/deactivate_staff".into(),
            Body::Form(vec![("user_id", auditor_id.clone()), ("role", "auditor".into())]),
            [401, 403, 403, 403, 422],
        ),
        case(M::POST, "/api/company_use".into(), Body::Form(vec![]), [401, 403, 403, 200, 200]),
        case(
            M::POST,
            "/api/set_line_route".into(),
            Body::Form(vec![("line_id", line.clone()), ("kind", "agent".into()), ("ids", ana.clone())]),
            [401, 403, 403, 403, 422],
        ),
        case(
            M::POST,
            "/api/set_line_webhook".into(),
            Body::Form(vec![("line_id", line.clone()), ("url", "https://attacker.example.com/in".into())]),
            [401, 403, 403, 403, 422],
        ),
        case(M::POST, "/api/api_keys".into(), Body::Form(vec![]), [401, 403, 403, 403, 200]),
        case(
            M::POST,
            "/api/create_api_key".into(),
            Body::Form(vec![("name", "Theirs".into())]),
            [401, 403, 403, 403, 200],
        ),
        case(
            M::POST,
            "/api/revoke_api_key".into(),
            Body::Form(vec![("key_id", key_id.clone())]),
            [401, 403, 403, 403, 422],
        ),
        case(
            M::POST,
            "/api/set_contact_owner".into(),
            Body::Form(vec![("contact_id", contact.clone()), ("owner", format!("agent:{ana}"))]),
            [401, 403, 403, 403, 422],
        ),
        case(M::POST, "/api/branding".into(), Body::Form(vec![]), [200, 200, 200, 200, 200]),
        case(
            M::POST,
            "/api/save_quick_reply".into(),
            Body::Form(vec![
                ("reply[id]", String::new()),
                ("reply[shortcut]", "theirs".into()),
                ("reply[title]", "Theirs".into()),
                ("reply[text]", "Theirs".into()),
                ("reply[category]", String::new()),
            ]),
            [401, 403, 403, 403, 200],
        ),
        case(
            M::POST,
            "/api/retire_quick_reply".into(),
            Body::Form(vec![("reply_id", uuid::Uuid::now_v7().to_string())]),
            [401, 403, 403, 403, 422],
        ),
        case(M::POST, "/api/templates".into(), Body::Form(vec![]), [401, 403, 403, 200, 200]),
        case(M::GET, "/api/v1/blacklist".into(), Body::None, [401, 403, 403, 200, 200]),
        case(
            M::POST,
            "/api/v1/blacklist".into(),
            Body::Json(json!({ "channel": "api", "account_id": "c1", "reason": "Theirs" })),
            [401, 403, 403, 403, 201],
        ),
        case(M::DELETE, "/api/v1/blacklist/api/c1".into(), Body::None, [401, 403, 403, 403, 204]),
        case(M::POST, "/api/blacklist".into(), Body::Form(vec![]), [401, 403, 403, 200, 200]),
        case(
            M::POST,
            "/api/add_to_blacklist".into(),
            Body::Form(vec![("channel", "api".into()), ("account_id", "c1".into()), ("reason", "Theirs".into())]),
            [401, 403, 403, 403, 200],
        ),
        case(
            M::POST,
            "/api/remove_from_blacklist".into(),
            Body::Form(vec![("channel", "api".into()), ("account_id", "c9".into())]),
            [401, 403, 403, 403, 422],
        ),
        case(
            M::POST,
            "/api/rename_company".into(),
            Body::Form(vec![("name", "Theirs".into())]),
            [401, 403, 403, 403, 200],
        ),
        case(M::POST, "/api/remove_company_logo".into(), Body::Form(vec![]), [401, 403, 403, 403, 200]),
        case(M::PUT, "/api/v1/company/name".into(), Body::Json(json!({ "name": "Taken" })), [401, 403, 403, 403, 204]),
        case(
            M::PUT,
            "/api/v1/company/time-zone".into(),
            Body::Json(json!({ "time_zone": "Asia/Tokyo" })),
            [401, 403, 403, 403, 204],
        ),
        case(
            M::POST,
            "/api/set_company_time_zone".into(),
            Body::Form(vec![("time_zone", "Asia/Tokyo".into())]),
            [401, 403, 403, 403, 200],
        ),
        case(M::DELETE, "/api/v1/company/logo".into(), Body::Json(json!({})), [401, 403, 403, 403, 204]),
        case(
            M::POST,
            "/api/set_agent_capacity".into(),
            Body::Form(vec![("agent_id", ana.clone()), ("capacity", "5".into())]),
            [401, 403, 403, 403, 422],
        ),
        case(
            M::POST,
            "/api/deactivate_agent".into(),
            Body::Form(vec![("agent_id", ana.clone())]),
            [401, 403, 403, 403, 422],
        ),
        case(M::POST, "/api/pause_reasons".into(), Body::Form(vec![]), [401, 403, 403, 403, 200]),
        case(
            M::POST,
            "/api/create_pause_reason".into(),
            Body::Form(vec![("name", "Form reason".into())]),
            [401, 403, 403, 403, 200],
        ),
        case(
            M::POST,
            "/api/rename_pause_reason".into(),
            Body::Form(vec![("reason_id", reason.clone()), ("name", "Renamed".into())]),
            [401, 403, 403, 403, 422],
        ),
        case(
            M::POST,
            "/api/retire_pause_reason".into(),
            Body::Form(vec![("reason_id", reason.clone())]),
            [401, 403, 403, 403, 422],
        ),
        case(
            M::POST,
            "/api/resolve_chats".into(),
            Body::Form(vec![("chat_ids[0]", chat.clone())]),
            [401, 403, 403, 403, 422],
        ),
        case(
            M::POST,
            "/api/submit_template".into(),
            Body::Form(vec![
                ("form[line_id]", line.clone()),
                ("form[name]", "hacked".into()),
                ("form[language]", "es".into()),
                ("form[category]", "utility".into()),
                ("form[body]", "Hi".into()),
            ]),
            [401, 403, 403, 403, 422],
        ),
        case(M::POST, "/api/lines_that_cannot_send".into(), Body::Form(vec![]), [401, 403, 403, 200, 200]),
        case(
            M::POST,
            "/api/history_of".into(),
            Body::Form(vec![
                ("kind", "chats".into()),
                ("id", chat.clone()),
                ("filter[event_type]", String::new()),
                ("filter[from]", String::new()),
                ("filter[until]", String::new()),
            ]),
            [401, 403, 403, 200, 422],
        ),
        case(
            M::POST,
            "/api/take_over_chat".into(),
            Body::Form(vec![("chat_id", chat.clone())]),
            [401, 403, 403, 403, 422],
        ),
        case(M::GET, "/api/v1/colleagues".into(), Body::None, [401, 200, 200, 403, 200]),
        case(M::POST, "/api/start_choices".into(), Body::Form(vec![]), [401, 200, 200, 403, 403]),
        case(
            M::POST,
            "/api/start_conversation_with".into(),
            Body::Form(vec![
                ("line_id", line.clone()),
                ("to", "+5491155550000".into()),
                ("template_id", uuid::Uuid::now_v7().to_string()),
            ]),
            [401, 422, 422, 403, 403],
        ),
        case(M::POST, "/api/colleagues".into(), Body::Form(vec![]), [401, 200, 200, 403, 200]),
        case(
            M::POST,
            format!("/api/v1/colleagues/{ana}/messages"),
            Body::Json(json!({ "text": "hola" })),
            [401, 422, 201, 403, 404],
        ),
        case(
            M::POST,
            "/api/write_to_colleague".into(),
            Body::Form(vec![("colleague_id", ana.clone()), ("text", "hola".into())]),
            [401, 422, 200, 403, 422],
        ),
        case(M::POST, format!("/api/v1/colleagues/{ana}/read"), Body::None, [401, 204, 204, 403, 404]),
    ];
    let roles = ["anonymous", "member agent", "other agent", "auditor", "other company's supervisor"];
    let mut wrong = Vec::new();
    for case in &cases {
        for (caller, (expected, role)) in callers.iter().zip(case.expected.iter().zip(roles)) {
            let request = caller.request(case.method.clone(), format!("{}{}", app.address, case.path));
            let request = match &case.body {
                Body::None => request,
                Body::Json(body) => request.json(body),
                Body::Form(fields) => request.form(fields),
                Body::Text(text) => request.body(*text),
            };
            let status = request.send().await.unwrap().status().as_u16();
            if status != *expected {
                wrong.push(format!("{} {} as {role}: {status}, expected {expected}", case.method, case.path));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));

    let read = app.get_json(&app.client, &format!("/api/v1/chats/{chat}")).await;
    assert_eq!(read["chat"]["state"], "waiting", "nobody resolved, answered or moved the chat");
    let agents = app.get_json(&app.client, "/api/v1/agents").await;
    let ana_row = agents.as_array().unwrap().iter().find(|a| a["user_id"] == ana.as_str()).cloned().unwrap();
    assert_eq!(
        (ana_row["name"].as_str(), ana_row["active"].as_bool(), ana_row["capacity"].as_i64()),
        (Some("Ana"), Some(true), Some(3))
    );
    let blacklist = app.get_json(&app.client, "/api/v1/blacklist").await;
    assert_eq!(blacklist, json!([]), "another company's blacklist is its own");
    let company = app.get_json(&app.client, "/api/v1/company").await;
    assert_eq!(company["name"], "My company", "nobody else renamed the company");
    let lines = app.get_json(&app.client, "/api/v1/lines").await;
    assert_eq!(lines[0]["webhook_url"], json!(null), "nobody else gave the line a webhook");
    assert_eq!(lines[0]["routing"], json!({ "queue": queue }), "nobody else moved the line's chats");
    let queues = app.get_json(&app.client, "/api/v1/queues").await;
    let names: Vec<&str> = queues.as_array().unwrap().iter().map(|q| q["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["Sales"], "the other company's queues stay in the other company");
    assert_eq!(queues[0]["members"], json!([ana]));
    assert_eq!(queues[0]["settings"]["no_answer_minutes"], json!(null), "nobody else set the queue's time to answer");
    let auditor = json!({ "email": "aud@example.com", "password": "auditor password" });
    let signed = anonymous().post(format!("{}/api/v1/session", app.address)).json(&auditor).send().await.unwrap();
    assert_eq!(signed.status(), 200, "the auditor is still active");
    let reasons = app.get_json(&app.client, "/api/v1/pause-reasons").await;
    assert_eq!(reasons[0]["name"], "Lunch");
    assert_eq!(
        app.get_json(&app.client, "/api/v1/api-keys")
            .await
            .as_array()
            .unwrap()
            .iter()
            .filter(|k| k["revoked"] == false)
            .count(),
        1
    );
}
