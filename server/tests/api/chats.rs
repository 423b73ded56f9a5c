//! Chats through the API line, over HTTP and the live WebSocket, on both backends: messages in,
//! routing to agents who are online, waiting lines, replies out through a signed webhook, and
//! resolving.

use crate::support::*;
use eventlog::testing::Backend;
use hmac::{Hmac, Mac};
use server::clock::Clock;
use sha2::Sha256;
use std::time::Duration;

eventlog::on_both_backends!(
    a_message_on_the_api_line_reaches_an_online_member_of_the_lines_queue,
    bad_keys_unknown_lines_and_malformed_messages_are_refused,
    a_message_sent_twice_is_stored_once,
    a_chat_that_finds_nobody_waits_is_told_its_place_and_goes_to_the_first_agent_online,
    a_customer_walks_the_lines_menu_through_the_webhook_and_reaches_an_agent,
    menus_a_customer_could_not_use_are_refused_with_the_reason,
    a_customer_whose_agent_goes_away_is_asked_whether_to_wait_for_another_or_see_the_menu,
    key_phrases_take_a_customer_to_an_agent_at_once_and_stop_and_resume_the_bot,
    a_customer_silent_with_the_bot_is_reminded_once_and_then_the_conversation_is_resolved,
    outside_opening_hours_customers_hear_so_and_get_the_reduced_menu,
    an_auditor_replays_a_chats_history_from_the_log_with_who_did_what_and_when_narrowed_and_as_a_file,
    an_agents_reply_reaches_the_lines_webhook_signed_with_hmac,
    a_lines_webhook_is_changed_with_a_new_secret_and_taken_away,
    members_take_turns_within_their_capacity_and_paused_agents_get_nothing,
    a_line_routes_to_its_own_group_of_agents,
    agents_resolve_their_own_chats_and_supervisors_resolve_many,
    agents_read_only_the_chats_that_are_theirs_or_wait_in_their_queues,
    an_agent_who_goes_offline_gets_no_new_chats,
    concurrent_messages_never_assign_a_chat_twice_nor_exceed_capacity,
    a_customers_next_message_is_decided_on_what_others_wrote_to_the_chat_meanwhile,
    agents_transfer_chats_to_colleagues_and_queues_with_a_note,
    a_supervisor_takes_over_an_agents_chat_answers_the_customer_and_frees_the_agent_for_the_next,
    a_private_note_is_read_by_colleagues_and_never_reaches_the_customer,
    authors_edit_and_delete_their_own_messages_unless_the_line_forbids_it_and_the_history_keeps_both,
    the_chats_agent_or_a_supervisor_names_and_tags_a_chat_and_the_list_filters_by_tag,
    chats_are_found_by_name_number_or_message_text_among_those_the_caller_may_read,
    the_list_counts_what_no_person_answered_and_filters_by_line,
    an_unanswered_chat_goes_to_the_next_agent_when_the_queues_time_to_answer_passes,
    queue_settings_are_checked_and_shown,
    paused_agents_never_get_a_chat_while_messages_and_pauses_race,
    a_contacts_own_agent_gets_their_chats_even_while_offline,
    an_agent_reads_their_own_chats_and_those_waiting_in_their_queues_only,
    the_lines_offline_policy_decides_what_happens_to_an_offline_agents_chats,
    an_agents_dashboard_counts_their_chats_now_and_their_day_in_their_time_zone,
);

mod postgres_only {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn agents_connected_to_a_node_that_dies_are_taken_offline_by_the_others() {
        super::agents_connected_to_a_node_that_dies_are_taken_offline_by_the_others().await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn two_nodes_share_one_log_and_one_router_takes_over_when_the_leader_dies() {
        super::two_nodes_share_one_log_and_one_router_takes_over_when_the_leader_dies().await
    }
}

fn states(chats: &[serde_json::Value]) -> Vec<String> {
    chats.iter().map(|c| c["state"].as_str().unwrap().to_string()).collect()
}

async fn a_message_on_the_api_line_reaches_an_online_member_of_the_lines_queue(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let ana = app.agent("Ana").await;
    let queue = app.queue_with("Sales", &[&ana]).await;
    let mut live = go_online(&app, &ana).await;
    let key = app.api_key().await;
    let (line, _) = app.line(serde_json::json!({ "queue": queue }), None).await;

    let chat = app.customer_writes(&key, &line, "+5491100000001", "Hola, quiero comprar").await;

    wait_topic(&mut live, "chats").await;
    let mine = app.wait_chats(&ana.client, |c| c.len() == 1).await;
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["chat_id"], chat.as_str());
    assert_eq!(mine[0]["state"], "pending", "the customer spoke last");
    assert_eq!(mine[0]["contact_name"], "Customer +5491100000001");
    let read = app.chat(&ana.client, &chat).await;
    assert_eq!(read["messages"][0]["text"], "Hola, quiero comprar");
    assert_eq!(read["messages"][0]["direction"], "in");
}

async fn bad_keys_unknown_lines_and_malformed_messages_are_refused(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let queue = created_id(app.create_queue("Sales").await, "id").await;
    let key = app.api_key().await;
    let (line, _) = app.line(serde_json::json!({ "queue": queue }), None).await;
    let good = serde_json::json!({ "contact_id": "c1", "text": "hi" });

    assert_eq!(app.inbound("ik_wrong", &line, good.clone()).await.status(), 401);
    let no_key = anonymous().post(format!("{}/api/v1/lines/{line}/messages", app.address)).json(&good).send().await;
    assert_eq!(no_key.unwrap().status(), 401);
    let unknown = uuid::Uuid::now_v7();
    assert_eq!(app.inbound(&key, &unknown.to_string(), good.clone()).await.status(), 404);
    assert_eq!(app.inbound(&key, "not-a-line", good.clone()).await.status(), 404);

    let truncated = anonymous()
        .post(format!("{}/api/v1/lines/{line}/messages", app.address))
        .bearer_auth(&key)
        .header("content-type", "application/json")
        .body("{\"contact_id\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(truncated.status(), 400);
    let body: serde_json::Value = truncated.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().starts_with("the body is not valid"), "{body}");
    assert_eq!(app.inbound(&key, &line, serde_json::json!({ "text": "no contact" })).await.status(), 400);
    let empty = app.inbound(&key, &line, serde_json::json!({ "contact_id": "c1", "text": "  " })).await;
    assert_eq!(empty.status(), 422);
    let body: serde_json::Value = empty.json().await.unwrap();
    assert_eq!(body["error"], "a message needs a text of at most 4096 characters, or a media reference");
    // A file that is not a web address would be a link that runs in the agent's browser (web
    // addresses are taken: `errands::a_sticker_gets_the_menus_reply_to_stickers`).
    for hostile in
        ["javascript:alert(document.cookie)", "JAVASCRIPT:alert(1)", "data:text/html,<b>x</b>", "//evil.example/x.png"]
    {
        let body = serde_json::json!({ "contact_id": "c2", "text": "look", "media": hostile });
        let refused = app.inbound(&key, &line, body).await;
        assert_eq!(refused.status(), 422, "{hostile}");
        let body: serde_json::Value = refused.json().await.unwrap();
        assert!(body["error"].as_str().unwrap_or_default().contains("https://"), "{body}");
    }

    let keys = app.get_json(&app.client, "/api/v1/api-keys").await;
    let key_id = keys[0]["key_id"].as_str().unwrap().to_string();
    assert!(keys[0].get("key").is_none(), "the key itself is never shown again");
    assert!(key.starts_with(keys[0]["prefix"].as_str().unwrap()), "its prefix identifies it");
    let revoked = app
        .send(&app.client, reqwest::Method::DELETE, &format!("/api/v1/api-keys/{key_id}"), serde_json::json!({}))
        .await;
    assert_eq!(revoked.status(), 204);
    let refused = app.inbound(&key, &line, good).await;
    assert_eq!(refused.status(), 401);
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["error"], "this API key was revoked");
    assert!(app.get_json(&app.client, "/api/v1/chats").await.as_array().unwrap().is_empty(), "nothing was stored");
}

async fn a_message_sent_twice_is_stored_once(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let queue = created_id(app.create_queue("Sales").await, "id").await;
    let key = app.api_key().await;
    let (line, _) = app.line(serde_json::json!({ "queue": queue }), None).await;
    let message = serde_json::json!({ "contact_id": "c1", "name": "Rosa", "text": "hola", "message_id": "wamid.1" });
    let first = created_id(app.inbound(&key, &line, message.clone()).await, "chat_id").await;
    let again = created_id(app.inbound(&key, &line, message).await, "chat_id").await;
    assert_eq!(first, again);
    let chats = app.wait_chats(&app.client, |c| c.len() == 1).await;
    assert_eq!(states(&chats), vec!["waiting"]);
    let read = app.chat(&app.client, &first).await;
    assert_eq!(read["messages"].as_array().unwrap().iter().filter(|m| m["direction"] == "in").count(), 1);
}

async fn a_chat_that_finds_nobody_waits_is_told_its_place_and_goes_to_the_first_agent_online(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let ana = app.agent("Ana").await;
    let queue = app.queue_with("Sales", &[&ana]).await;
    let key = app.api_key().await;
    let mut hook = webhook().await;
    let (line, _) = app.line(serde_json::json!({ "queue": queue }), Some(&hook.url)).await;

    let first = app.customer_writes(&key, &line, "c1", "hola").await;
    let (_, told) = hook.next().await;
    assert_eq!(told["chat_id"], first.as_str());
    assert_eq!(told["author"], "bot");
    assert_eq!(told["text"], "You are number 1 in line. An agent will be with you shortly.");
    let second = app.customer_writes(&key, &line, "c2", "hola").await;
    let (_, told) = hook.next().await;
    assert_eq!(told["chat_id"], second.as_str());
    assert_eq!(told["text"], "You are number 2 in line. An agent will be with you shortly.");
    let waiting = app.wait_chats(&app.client, |c| c.len() == 2).await;
    assert_eq!(states(&waiting), vec!["waiting", "waiting"]);

    let _live = go_online(&app, &ana).await;
    let mine = app.wait_chats(&ana.client, |c| c.len() == 2).await;
    let ids: Vec<&str> = mine.iter().map(|c| c["chat_id"].as_str().unwrap()).collect();
    assert_eq!(ids, vec![first.as_str(), second.as_str()], "first in, first out");
}

async fn an_agents_reply_reaches_the_lines_webhook_signed_with_hmac(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let ana = app.agent("Ana").await;
    let mut hook = webhook().await;
    let key = app.api_key().await;
    let (line, secret) = app.line(serde_json::json!({ "agent": ana.id }), Some(&hook.url)).await;
    let secret = secret.expect("a line with a webhook has a secret");
    let _live = go_online(&app, &ana).await;
    let chat = app.customer_writes(&key, &line, "c1", "hola").await;
    app.wait_chats(&ana.client, |c| c.len() == 1).await;

    let sent = app
        .send(
            &ana.client,
            reqwest::Method::POST,
            &format!("/api/v1/chats/{chat}/messages"),
            serde_json::json!({ "text": "¡Hola! ¿En qué te ayudo?" }),
        )
        .await;
    assert_eq!(sent.status(), 201);
    let (headers, raw, body) = hook.next_raw().await;
    assert_eq!(body["text"], "¡Hola! ¿En qué te ayudo?");
    assert_eq!(body["author"], "agent");
    assert_eq!(body["contact_id"], "c1");
    assert_eq!(body["chat_id"], chat.as_str());
    let timestamp = headers["x-ikono-timestamp"].to_str().unwrap();
    let signature = headers["x-ikono-signature"].to_str().unwrap().strip_prefix("sha256=").unwrap().to_string();
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{timestamp}.{raw}").as_bytes());
    let expected: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(signature, expected, "signed with the line's secret over timestamp and body");

    let read = app.wait_chat(&ana.client, &chat, |c| c["messages"][1]["delivery"] == "delivered").await;
    assert_eq!(read["messages"][1]["delivery"], "delivered", "the delivery is recorded on the chat");
    let mine = app.chats_of(&ana.client).await;
    assert_eq!(mine[0]["state"], "following", "the agent spoke last");
}

/// The signature a webhook call should carry under `secret`.
fn signed(secret: &str, headers: &axum::http::HeaderMap, raw: &str) -> bool {
    let timestamp = headers["x-ikono-timestamp"].to_str().unwrap();
    let signature = headers["x-ikono-signature"].to_str().unwrap().strip_prefix("sha256=").unwrap().to_string();
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{timestamp}.{raw}").as_bytes());
    let expected: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    signature == expected
}

async fn a_lines_webhook_is_changed_with_a_new_secret_and_taken_away(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let ana = app.agent("Ana").await;
    let (mut first, mut second) = (webhook().await, webhook().await);
    let key = app.api_key().await;
    let (line, none) = app.line(serde_json::json!({ "agent": ana.id }), None).await;
    assert_eq!(none, None, "a line made without a webhook has no secret");
    let path = format!("/api/v1/lines/{line}/webhook");
    let set =
        |url: serde_json::Value| app.send(&app.client, reqwest::Method::PUT, &path, serde_json::json!({ "url": url }));
    assert_eq!(set(serde_json::json!("ftp://crm.example.com/in")).await.status(), 422);
    let as_agent = app.send(&ana.client, reqwest::Method::PUT, &path, serde_json::json!({ "url": first.url })).await;
    assert_eq!(as_agent.status(), 403);

    let answer: serde_json::Value = set(serde_json::json!(first.url)).await.json().await.unwrap();
    let first_secret = answer["webhook_secret"].as_str().unwrap().to_string();
    let _live = go_online(&app, &ana).await;
    let chat = app.customer_writes(&key, &line, "c1", "hola").await;
    app.wait_chats(&ana.client, |c| c.len() == 1).await;
    let replies = format!("/api/v1/chats/{chat}/messages");
    let reply = |text: &'static str| {
        app.send(&ana.client, reqwest::Method::POST, &replies, serde_json::json!({ "text": text }))
    };
    assert_eq!(reply("uno").await.status(), 201);
    let (headers, raw, body) = first.next_raw().await;
    assert_eq!(body["text"], "uno");
    assert!(signed(&first_secret, &headers, &raw), "signed with the secret the change answered");

    let answer: serde_json::Value = set(serde_json::json!(second.url)).await.json().await.unwrap();
    let second_secret = answer["webhook_secret"].as_str().unwrap().to_string();
    assert_ne!(second_secret, first_secret, "each address gets a new secret");
    assert_eq!(reply("dos").await.status(), 201);
    let (headers, raw, body) = second.next_raw().await;
    assert_eq!(body["text"], "dos");
    assert!(signed(&second_secret, &headers, &raw));
    assert!(first.calls.try_recv().is_err(), "the old address hears nothing more");

    let answer: serde_json::Value = set(serde_json::Value::Null).await.json().await.unwrap();
    assert_eq!(answer["webhook_secret"], serde_json::Value::Null);
    let lines = app.get_json(&app.client, "/api/v1/lines").await;
    let row = lines.as_array().unwrap().iter().find(|l| l["line_id"] == line.as_str()).unwrap().clone();
    assert_eq!(row["webhook_url"], serde_json::Value::Null);
    assert!(row.get("webhook_secret").is_none(), "the secret is never listed");
}

async fn members_take_turns_within_their_capacity_and_paused_agents_get_nothing(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let ana = app.agent("Ana").await;
    let ben = app.agent("Ben").await;
    let cy = app.agent("Cy").await;
    for agent in [&ana, &ben, &cy] {
        let path = format!("/api/v1/agents/{}/capacity", agent.id);
        app.send(&app.client, reqwest::Method::PUT, &path, serde_json::json!({ "capacity": 2 })).await;
    }
    let queue = app.queue_with("Sales", &[&ana, &ben, &cy]).await;
    let reason = created_id(
        app.send(&app.client, reqwest::Method::POST, "/api/v1/pause-reasons", serde_json::json!({ "name": "Lunch" }))
            .await,
        "id",
    )
    .await;
    let _a = go_online(&app, &ana).await;
    let _b = go_online(&app, &ben).await;
    let _c = go_online(&app, &cy).await;
    let paused = app
        .send(&cy.client, reqwest::Method::POST, "/api/v1/me/pause", serde_json::json!({ "reason_id": reason }))
        .await;
    assert_eq!(paused.status(), 204);
    let key = app.api_key().await;
    let (line, _) = app.line(serde_json::json!({ "queue": queue }), None).await;
    for n in 0..5 {
        app.customer_writes(&key, &line, &format!("c{n}"), "hola").await;
    }
    let all = app
        .wait_chats(&app.client, |c| c.len() == 5 && states(c).iter().filter(|s| *s == "waiting").count() == 1)
        .await;
    let count = |agent: &SignedAgent| all.iter().filter(|c| c["agent_id"] == agent.id.as_str()).count();
    assert_eq!((count(&ana), count(&ben), count(&cy)), (2, 2, 0), "turns within capacity; the paused agent gets none");
    assert_eq!(states(&all).iter().filter(|s| *s == "waiting").count(), 1, "the fifth waits");

    let resumed = app.send(&cy.client, reqwest::Method::POST, "/api/v1/me/resume", serde_json::json!({})).await;
    assert_eq!(resumed.status(), 204);
    let mine = app.wait_chats(&cy.client, |c| c.len() == 1).await;
    assert_eq!(mine.len(), 1, "the waiting chat goes to the agent who resumed");
}

async fn a_line_routes_to_its_own_group_of_agents(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let ana = app.agent("Ana").await;
    let ben = app.agent("Ben").await;
    let outsider = app.agent("Olga").await;
    let _a = go_online(&app, &ana).await;
    let _b = go_online(&app, &ben).await;
    let _o = go_online(&app, &outsider).await;
    let key = app.api_key().await;
    let (line, _) = app.line(serde_json::json!({ "agents": [ana.id, ben.id] }), None).await;
    for n in 0..4 {
        app.customer_writes(&key, &line, &format!("c{n}"), "hola").await;
    }
    let all = app.wait_chats(&app.client, |c| c.len() == 4 && !states(c).contains(&"waiting".to_string())).await;
    let count = |agent: &SignedAgent| all.iter().filter(|c| c["agent_id"] == agent.id.as_str()).count();
    assert_eq!((count(&ana), count(&ben), count(&outsider)), (2, 2, 0));

    let bad = app
        .send(
            &app.client,
            reqwest::Method::POST,
            "/api/v1/lines",
            serde_json::json!({ "name": "X", "routing": { "agents": [] } }),
        )
        .await;
    assert_eq!(bad.status(), 422);
    let unknown = serde_json::json!({ "name": "X", "routing": { "queue": uuid::Uuid::now_v7() } });
    assert_eq!(app.send(&app.client, reqwest::Method::POST, "/api/v1/lines", unknown).await.status(), 422);
    let bad_hook = serde_json::json!({ "name": "X", "routing": { "agent": ana.id }, "webhook_url": "ftp://x" });
    assert_eq!(app.send(&app.client, reqwest::Method::POST, "/api/v1/lines", bad_hook).await.status(), 422);
    let by_agent = serde_json::json!({ "name": "X", "routing": { "agent": ana.id } });
    assert_eq!(app.send(&ana.client, reqwest::Method::POST, "/api/v1/lines", by_agent).await.status(), 403);
}

async fn agents_resolve_their_own_chats_and_supervisors_resolve_many(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let ana = app.agent("Ana").await;
    let ben = app.agent("Ben").await;
    let _a = go_online(&app, &ana).await;
    let key = app.api_key().await;
    let (line, _) = app.line(serde_json::json!({ "agent": ana.id }), None).await;
    let chats: Vec<String> = futures::future::join_all((0..3).map(|n| {
        let (app, key, line) = (&app, &key, &line);
        async move { app.customer_writes(key, line, &format!("c{n}"), "hola").await }
    }))
    .await;
    app.wait_chats(&ana.client, |c| c.len() == 3).await;

    let resolve = |client: &reqwest::Client, chat: &str| {
        let path = format!("/api/v1/chats/{chat}/resolve");
        let client = client.clone();
        let address = app.address.clone();
        async move { client.post(format!("{address}{path}")).send().await.unwrap() }
    };
    assert_eq!(resolve(&ben.client, &chats[0]).await.status(), 403, "not Ben's chat");
    assert_eq!(resolve(&ana.client, &chats[0]).await.status(), 204);
    assert_eq!(resolve(&ana.client, &chats[0]).await.status(), 409, "already resolved");

    let bulk = app
        .send(
            &app.client,
            reqwest::Method::POST,
            "/api/v1/chats/resolve",
            serde_json::json!({ "chat_ids": [chats[0], chats[1], chats[2]] }),
        )
        .await;
    assert_eq!(bulk.status(), 200);
    let outcome: serde_json::Value = bulk.json().await.unwrap();
    assert_eq!(outcome["resolved"], serde_json::json!([chats[1], chats[2]]));
    assert_eq!(outcome["refused"][0]["chat_id"], chats[0].as_str());
    assert_eq!(outcome["refused"][0]["reason"], "the chat has no open conversation");
    assert!(app.wait_chats(&ana.client, |c| c.is_empty()).await.is_empty());
    let too_many = app
        .send(&app.client, reqwest::Method::POST, "/api/v1/chats/resolve", serde_json::json!({ "chat_ids": [] }))
        .await;
    assert_eq!(too_many.status(), 422);

    let again = app.customer_writes(&key, &line, "c0", "otra pregunta").await;
    assert_eq!(again, chats[0], "the same contact continues the same chat");
    app.wait_chats(&ana.client, |c| c.len() == 1).await;
    let read = app.chat(&ana.client, &again).await;
    let texts: Vec<&str> = read["messages"].as_array().unwrap().iter().map(|m| m["text"].as_str().unwrap()).collect();
    assert_eq!(texts, vec!["hola", "otra pregunta"], "the whole history stays with the chat");
}

async fn agents_read_only_the_chats_that_are_theirs_or_wait_in_their_queues(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let ana = app.agent("Ana").await;
    let ben = app.agent("Ben").await;
    let queue_a = app.queue_with("Sales", &[&ana]).await;
    let _queue_b = app.queue_with("Billing", &[&ben]).await;
    let key = app.api_key().await;
    let (line, _) = app.line(serde_json::json!({ "queue": queue_a }), None).await;
    let chat = app.customer_writes(&key, &line, "c1", "hola").await;
    app.wait_chats(&app.client, |c| c.len() == 1).await;

    assert_eq!(app.chat(&ana.client, &chat).await["chat"]["state"], "waiting", "waiting in Ana's queue");
    let refused = ben.client.get(format!("{}/api/v1/chats/{chat}", app.address)).send().await.unwrap();
    assert_eq!(refused.status(), 403, "Ben's queue is another");
    assert!(app.chats_of(&ben.client).await.is_empty());
    let reply = app
        .send(
            &ben.client,
            reqwest::Method::POST,
            &format!("/api/v1/chats/{chat}/messages"),
            serde_json::json!({ "text": "hi" }),
        )
        .await;
    assert_eq!(reply.status(), 403);
    let by_supervisor = app
        .send(
            &app.client,
            reqwest::Method::POST,
            &format!("/api/v1/chats/{chat}/messages"),
            serde_json::json!({ "text": "hi" }),
        )
        .await;
    assert_eq!(by_supervisor.status(), 403, "replies come from the assigned agent");
    let unknown =
        ben.client.get(format!("{}/api/v1/chats/{}", app.address, uuid::Uuid::now_v7())).send().await.unwrap();
    assert_eq!(unknown.status(), 404);
    let keys = ana.client.get(format!("{}/api/v1/api-keys", app.address)).send().await.unwrap();
    assert_eq!(keys.status(), 403, "agents don't see API keys");
    let anonymous_chats = anonymous().get(format!("{}/api/v1/chats", app.address)).send().await.unwrap();
    assert_eq!(anonymous_chats.status(), 401);
}

async fn an_agent_who_goes_offline_gets_no_new_chats(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let ana = app.agent("Ana").await;
    let key = app.api_key().await;
    let (line, _) = app.line(serde_json::json!({ "agent": ana.id }), None).await;
    let mut live = go_online(&app, &ana).await;
    live.close(None).await.unwrap();
    drop(live);
    wait_online(&app, &ana.id, false).await;
    app.customer_writes(&key, &line, "c1", "hola").await;
    let chats = app.wait_chats(&app.client, |c| c.len() == 1).await;
    app.settled(None).await;
    assert_eq!(states(&app.chats_of(&app.client).await), vec!["waiting"]);
    assert_eq!(chats.len(), 1);
    let _back = go_online(&app, &ana).await;
    assert_eq!(app.wait_chats(&ana.client, |c| c.len() == 1).await.len(), 1, "assigned once back online");
}

async fn concurrent_messages_never_assign_a_chat_twice_nor_exceed_capacity(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let agents = [app.agent("Ana").await, app.agent("Ben").await, app.agent("Cy").await];
    for agent in &agents {
        let path = format!("/api/v1/agents/{}/capacity", agent.id);
        app.send(&app.client, reqwest::Method::PUT, &path, serde_json::json!({ "capacity": 2 })).await;
    }
    let queue = app.queue_with("Sales", &agents.iter().collect::<Vec<_>>()).await;
    let key = app.api_key().await;
    let (line, _) = app.line(serde_json::json!({ "queue": queue }), None).await;
    let mut lives = Vec::new();
    for agent in &agents {
        lives.push(go_online(&app, agent).await);
    }
    let sends = (0..40).map(|n| {
        let (app, key, line) = (&app, &key, &line);
        async move {
            let body = serde_json::json!({ "contact_id": format!("c{}", n % 20), "text": format!("m{n}") });
            app.inbound(key, line, body).await.status()
        }
    });
    let statuses = futures::future::join_all(sends).await;
    assert!(statuses.iter().all(|s| *s == 202), "{statuses:?}");
    let all = app
        .wait_chats(&app.client, |c| c.len() == 20 && states(c).iter().filter(|s| *s != "waiting").count() == 6)
        .await;
    assert_eq!(all.len(), 20, "twenty contacts, twenty chats");
    for agent in &agents {
        assert_eq!(all.iter().filter(|c| c["agent_id"] == agent.id.as_str()).count(), 2, "each at capacity");
    }
    let log = eventlog::open(&app.database.url).await.unwrap();
    let events = log.read_all(eventlog::Position::default(), 100_000).await.unwrap();
    let mut assigned = std::collections::HashMap::new();
    for event in events.iter().filter(|e| e.event_type == domain::chat::ChatEvent::CHAT_ASSIGNED) {
        *assigned.entry(event.stream.clone()).or_insert(0) += 1;
    }
    assert_eq!(assigned.len(), 6);
    assert!(assigned.values().all(|n| *n == 1), "no chat assigned twice: {assigned:?}");
    let messages: usize = events.iter().filter(|e| e.event_type == "CustomerMessageReceived").count();
    assert_eq!(messages, 40, "no message lost");
}

async fn two_nodes_share_one_log_and_one_router_takes_over_when_the_leader_dies() {
    let app = TestApp::on(Backend::Postgres).start().await;
    let ana = app.agent("Ana").await;
    let queue = app.queue_with("Sales", &[&ana]).await;
    let key = app.api_key().await;
    let (line, _) = app.line(serde_json::json!({ "queue": queue }), None).await;
    let (node_b, node_b_server) = app.another_node().await;
    let mut live = go_online_at(&app, &node_b, &ana).await;

    let first = app.customer_writes(&key, &line, "c1", "hola").await;
    wait_topic(&mut live, "chats").await;
    let on_b = |path: String| {
        let client = ana.client.clone();
        let url = format!("{node_b}{path}");
        async move { client.get(url).send().await.unwrap().json::<serde_json::Value>().await.unwrap() }
    };
    let count = |n: usize| move |chats: &serde_json::Value| chats.as_array().is_some_and(|all| all.len() == n);
    let mine = eventually("the chat on node B", || on_b("/api/v1/chats".into()), count(1)).await;
    assert_eq!(mine[0]["chat_id"], first.as_str(), "written on node A, pushed and shown on node B");

    let TestApp { database, server: node_a_server, .. } = app;
    drop(node_a_server);
    let second = anonymous()
        .post(format!("{node_b}/api/v1/lines/{line}/messages"))
        .bearer_auth(&key)
        .json(&serde_json::json!({ "contact_id": "c2", "text": "¿hola?" }))
        .send()
        .await
        .unwrap();
    assert_eq!(second.status(), 202);
    // Node B's router takes over and assigns the next chat within seconds.
    eventually("node B's router to assign the next chat", || on_b("/api/v1/chats".into()), count(2)).await;

    let log = eventlog::open(&database.url).await.unwrap();
    let events = log.read_all(eventlog::Position::default(), 100_000).await.unwrap();
    let assigned: Vec<&str> = events
        .iter()
        .filter(|e| e.event_type == domain::chat::ChatEvent::CHAT_ASSIGNED)
        .map(|e| e.stream.as_str())
        .collect();
    assert_eq!(assigned.len(), 2, "each chat assigned exactly once: {assigned:?}");
    assert_ne!(assigned[0], assigned[1]);
    drop(node_b_server);
}

async fn agents_transfer_chats_to_colleagues_and_queues_with_a_note(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let ana = app.agent("Ana").await;
    let ben = app.agent("Ben").await;
    let cy = app.agent("Cy").await;
    let billing = app.queue_with("Billing", &[&cy]).await;
    let key = app.api_key().await;
    let (line, _) = app.line(serde_json::json!({ "agent": ana.id }), None).await;
    let _a = go_online(&app, &ana).await;
    let _b = go_online(&app, &ben).await;
    let chat = app.customer_writes(&key, &line, "c1", "I want a refund").await;
    app.wait_chats(&ana.client, |c| c.len() == 1).await;
    let transfer = |client: &reqwest::Client, body: serde_json::Value| {
        let (client, url) = (client.clone(), format!("{}/api/v1/chats/{chat}/transfer", app.address));
        async move { client.post(url).json(&body).send().await.unwrap().status() }
    };

    let to_ben = serde_json::json!({ "to": { "agent": ben.id }, "note": "refund over 100 €, yours" });
    assert_eq!(transfer(&ben.client, to_ben.clone()).await, 403, "only the chat's agent transfers it");
    let unknown = serde_json::json!({ "to": { "agent": uuid::Uuid::now_v7() } });
    assert_eq!(transfer(&ana.client, unknown).await, 422);
    assert_eq!(transfer(&ana.client, to_ben).await, 204);
    let bens = app.wait_chats(&ben.client, |c| c.len() == 1).await;
    assert_eq!(bens[0]["chat_id"], chat.as_str());
    assert!(app.wait_chats(&ana.client, |c| c.is_empty()).await.is_empty());
    let read = app.chat(&ben.client, &chat).await;
    let note = read["messages"].as_array().unwrap().iter().find(|m| m["direction"] == "note").cloned();
    assert_eq!(note.unwrap()["text"], "refund over 100 €, yours", "the note stays in the chat's history");

    let to_billing = serde_json::json!({ "to": { "queue": billing } });
    assert_eq!(transfer(&ben.client, to_billing).await, 204);
    let waiting = app.wait_chats(&app.client, |c| c.len() == 1 && c[0]["state"] == "waiting").await;
    assert_eq!(waiting[0]["queue_id"], billing.as_str(), "nobody in Billing is online: it waits there");
    let _c = go_online(&app, &cy).await;
    assert_eq!(app.wait_chats(&cy.client, |c| c.len() == 1).await.len(), 1, "and goes to Cy when Cy comes online");
}

async fn a_supervisor_takes_over_an_agents_chat_answers_the_customer_and_frees_the_agent_for_the_next(
    backend: Backend,
) {
    let app = TestApp::on(backend).start().await;
    let ana = app.agent("Ana").await;
    let path = format!("/api/v1/agents/{}/capacity", ana.id);
    app.send(&app.client, reqwest::Method::PUT, &path, serde_json::json!({ "capacity": 1 })).await;
    let sales = app.queue_with("Sales", &[&ana]).await;
    let mut hook = webhook().await;
    let key = app.api_key().await;
    let (line, _) = app.line(serde_json::json!({ "queue": sales }), Some(&hook.url)).await;
    let _a = go_online(&app, &ana).await;
    let first = app.customer_writes(&key, &line, "c1", "I want a refund").await;
    app.wait_chats(&ana.client, |c| c.len() == 1).await;
    let second = app.customer_writes(&key, &line, "c2", "hello?").await;
    let waiting = app.wait_chats(&app.client, |c| c.iter().any(|c| c["state"] == "waiting")).await;
    assert_eq!(waiting.len(), 2, "Ana has room for one chat: the second waits");
    let take_over = |client: &reqwest::Client| {
        let (client, url) = (client.clone(), format!("{}/api/v1/chats/{first}/take-over", app.address));
        async move { client.post(url).send().await.unwrap().status() }
    };
    let reply = |client: &reqwest::Client, text: &'static str| {
        let (client, url) = (client.clone(), format!("{}/api/v1/chats/{first}/messages", app.address));
        async move { client.post(url).json(&serde_json::json!({ "text": text })).send().await.unwrap().status() }
    };

    assert_eq!(take_over(&ana.client).await, 403, "agents do not take chats over");
    assert_eq!(take_over(&app.client).await, 204);
    assert_eq!(take_over(&app.client).await, 409, "it is the supervisor's already");
    let anas = app.wait_chats(&ana.client, |c| c.len() == 1 && c[0]["chat_id"] == second.as_str()).await;
    assert_eq!(anas[0]["chat_id"], second.as_str(), "the first chat left Ana, who now has room for the second");
    assert_eq!(reply(&ana.client, "still mine?").await, 403, "the chat is no longer Ana's to answer");
    assert_eq!(reply(&app.client, "I am the supervisor, I will sort it out").await, 201);
    let body = hook.next_saying("I am the supervisor, I will sort it out").await;
    assert_eq!(body["chat_id"], first.as_str(), "the customer of the first chat reads the supervisor");
    let read = app.chat(&app.client, &first).await;
    let kinds: Vec<&str> =
        read["messages"].as_array().unwrap().iter().filter_map(|m| m["direction"].as_str()).collect();
    assert_eq!(kinds, ["in", "out"], "the customer's message and the supervisor's answer: {read}");
}

async fn an_unanswered_chat_goes_to_the_next_agent_when_the_queues_time_to_answer_passes(backend: Backend) {
    let clock = server::clock::TestClock::default();
    let app = TestApp::on(backend).with_clock(clock.clone()).start().await;
    let ana = app.agent("Ana").await;
    let ben = app.agent("Ben").await;
    let queue = app.queue_with("Sales", &[&ana, &ben]).await;
    let settings = serde_json::json!({ "waiting_message": "Sos el número {position}", "no_answer_minutes": 2 });
    let path = format!("/api/v1/queues/{queue}/settings");
    assert_eq!(app.send(&app.client, reqwest::Method::PUT, &path, settings).await.status(), 204);
    let key = app.api_key().await;
    let mut hook = webhook().await;
    let (line, _) = app.line(serde_json::json!({ "queue": queue }), Some(&hook.url)).await;

    let chat = app.customer_writes(&key, &line, "c1", "hola").await;
    let (_, told) = hook.next().await;
    assert_eq!(told["text"], "Sos el número 1", "the queue's own waiting words");
    let _a = go_online(&app, &ana).await;
    let mine = app.wait_chats(&ana.client, |c| c.len() == 1).await;
    assert_eq!(mine[0]["chat_id"], chat.as_str());
    let _b = go_online(&app, &ben).await;

    clock.advance(chrono::Duration::seconds(90));
    app.settled(Some(clock.now())).await;
    assert_eq!(app.chats_of(&ana.client).await.len(), 1, "still within the time to answer");

    clock.advance(chrono::Duration::seconds(60));
    let bens = app.wait_chats(&ben.client, |c| c.len() == 1).await;
    assert_eq!(bens.len(), 1, "two minutes without an answer: the next agent gets it");
    assert!(app.chats_of(&ana.client).await.is_empty());
    let read = app.chat(&ben.client, &chat).await;
    assert!(read["messages"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["direction"] == "note" && m["text"] == "Not answered in time: passed on to the next agent"));

    let reply = app
        .send(
            &ben.client,
            reqwest::Method::POST,
            &format!("/api/v1/chats/{chat}/messages"),
            serde_json::json!({ "text": "¡Hola!" }),
        )
        .await;
    assert_eq!(reply.status(), 201);
    clock.advance(chrono::Duration::minutes(10));
    app.settled(Some(clock.now())).await;
    assert_eq!(app.chats_of(&ben.client).await.len(), 1, "answered in time: the chat stays");
}

async fn queue_settings_are_checked_and_shown(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let queue = created_id(app.create_queue("Sales").await, "id").await;
    let path = format!("/api/v1/queues/{queue}/settings");
    let zero = serde_json::json!({ "waiting_message": "x", "no_answer_minutes": 0 });
    let refused = app.send(&app.client, reqwest::Method::PUT, &path, zero).await;
    assert_eq!(refused.status(), 422);
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["error"], "the time to answer is 1 to 1440 minutes, or none");
    let good = serde_json::json!({ "waiting_message": "", "no_answer_minutes": 15 });
    assert_eq!(app.send(&app.client, reqwest::Method::PUT, &path, good).await.status(), 204);
    let queues = app.get_json(&app.client, "/api/v1/queues").await;
    assert_eq!(queues[0]["settings"], serde_json::json!({ "waiting_message": "", "no_answer_minutes": 15 }));
    let unknown = format!("/api/v1/queues/{}/settings", uuid::Uuid::now_v7());
    let body = serde_json::json!({ "waiting_message": "", "no_answer_minutes": null });
    assert_eq!(app.send(&app.client, reqwest::Method::PUT, &unknown, body).await.status(), 404);
}

async fn paused_agents_never_get_a_chat_while_messages_and_pauses_race(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let agents = [app.agent("Ana").await, app.agent("Ben").await, app.agent("Cy").await];
    for agent in &agents {
        let path = format!("/api/v1/agents/{}/capacity", agent.id);
        app.send(&app.client, reqwest::Method::PUT, &path, serde_json::json!({ "capacity": 5 })).await;
    }
    let queue = app.queue_with("Sales", &agents.iter().collect::<Vec<_>>()).await;
    let reason = created_id(
        app.send(&app.client, reqwest::Method::POST, "/api/v1/pause-reasons", serde_json::json!({ "name": "Break" }))
            .await,
        "id",
    )
    .await;
    let key = app.api_key().await;
    let (line, _) = app.line(serde_json::json!({ "queue": queue }), None).await;
    let mut lives = Vec::new();
    for agent in &agents {
        lives.push(go_online(&app, agent).await);
    }

    let messages = (0..45).map(|n| {
        let (app, key, line) = (&app, &key, &line);
        async move {
            let body = serde_json::json!({ "contact_id": format!("c{n}"), "text": "hola" });
            assert_eq!(app.inbound(key, line, body).await.status(), 202);
        }
    });
    let toggles = agents.iter().map(|agent| {
        let (app, reason) = (&app, &reason);
        async move {
            for _ in 0..8 {
                let pause = serde_json::json!({ "reason_id": reason });
                app.send(&agent.client, reqwest::Method::POST, "/api/v1/me/pause", pause).await;
                app.send(&agent.client, reqwest::Method::POST, "/api/v1/me/resume", serde_json::json!({})).await;
            }
        }
    });
    futures::join!(futures::future::join_all(messages), futures::future::join_all(toggles));
    // Everyone ends available: every chat finds a place (15 places for 45 chats: 15 assigned).
    let all = app
        .wait_chats(&app.client, |c| c.len() == 45 && states(c).iter().filter(|s| *s != "waiting").count() == 15)
        .await;
    assert_eq!(states(&all).iter().filter(|s| *s != "waiting").count(), 15);

    let log = eventlog::open(&app.database.url).await.unwrap();
    let events = log.read_all(eventlog::Position::default(), 100_000).await.unwrap();
    let mut paused: std::collections::HashMap<String, bool> = std::collections::HashMap::new();
    let mut load: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut assigned_chats = std::collections::HashSet::new();
    for event in &events {
        let agent = event.data["agent"].as_str().unwrap_or_default().to_string();
        match event.event_type.as_str() {
            "AgentPaused" => {
                paused.insert(agent, true);
            }
            "AgentResumed" => {
                paused.insert(agent, false);
            }
            "AgentReceivedChat" => {
                assert!(!paused.get(&agent).copied().unwrap_or(false), "{agent} received a chat while paused");
                let active = load.entry(agent.clone()).or_default();
                *active += 1;
                assert!(*active <= 5, "{agent} over capacity");
            }
            "ChatAssigned" => assert!(assigned_chats.insert(event.stream.clone()), "{} assigned twice", event.stream),
            _ => {}
        }
    }
    let pauses = events.iter().filter(|e| e.event_type == "AgentPaused").count();
    assert_eq!(pauses, 24, "every pause raced with the messages");
}

async fn an_agent_reads_their_own_chats_and_those_waiting_in_their_queues_only(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let ana = app.agent("Ana").await;
    let ben = app.agent("Ben").await;
    let queue = app.queue_with("Sales", &[&ana, &ben]).await;
    let key = app.api_key().await;
    let (line, _) = app.line(serde_json::json!({ "queue": queue }), None).await;
    let status = |client: &reqwest::Client, chat: &str| {
        let request = client.get(format!("{}/api/v1/chats/{chat}", app.address));
        async move { request.send().await.unwrap().status().as_u16() }
    };
    let waiting = app.customer_writes(&key, &line, "c1", "hola").await;
    app.wait_chat(&app.client, &waiting, |c| c["chat"]["state"] == "waiting").await;
    assert_eq!(
        (status(&ana.client, &waiting).await, status(&ben.client, &waiting).await),
        (200, 200),
        "waiting in their queue"
    );

    let _live = go_online(&app, &ana).await;
    app.wait_chats(&ana.client, |c| c.len() == 1).await;
    assert_eq!(status(&ana.client, &waiting).await, 200, "hers");
    assert_eq!(status(&ben.client, &waiting).await, 403, "a colleague's, though in his queue");
    let resolve = format!("/api/v1/chats/{waiting}/resolve");
    assert_eq!(app.send(&ana.client, reqwest::Method::POST, &resolve, serde_json::json!({})).await.status(), 204);
    assert_eq!(status(&ana.client, &waiting).await, 403, "resolved: no longer hers to read");
    assert_eq!(status(&app.client, &waiting).await, 200, "the supervisor still reads it");
}

async fn a_contacts_own_agent_gets_their_chats_even_while_offline(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let ana = app.agent("Ana").await;
    let ben = app.agent("Ben").await;
    let queue = app.queue_with("Sales", &[&ana, &ben]).await;
    let key = app.api_key().await;
    let (line, _) = app.line(serde_json::json!({ "queue": queue }), None).await;
    let _b = go_online(&app, &ben).await;
    let chat = app.customer_writes(&key, &line, "c1", "hola").await;
    assert_eq!(app.wait_chats(&ben.client, |c| c.len() == 1).await.len(), 1, "Ana is away: Ben takes it");

    let own = |agent: serde_json::Value, client: &reqwest::Client| {
        let (client, url) = (client.clone(), format!("{}/api/v1/chats/{chat}/own-agent", app.address));
        async move { client.put(url).json(&serde_json::json!({ "agent": agent })).send().await.unwrap().status() }
    };
    assert_eq!(own(serde_json::json!(ana.id), &ben.client).await, 403, "supervisors name own agents");
    assert_eq!(own(serde_json::json!(uuid::Uuid::now_v7()), &app.client).await, 422);
    assert_eq!(own(serde_json::json!(ana.id), &app.client).await, 204);
    let resolve = format!("/api/v1/chats/{chat}/resolve");
    assert_eq!(app.send(&ben.client, reqwest::Method::POST, &resolve, serde_json::json!({})).await.status(), 204);

    app.customer_writes(&key, &line, "c1", "soy yo otra vez").await;
    let anas = app.wait_chats(&ana.client, |c| c.len() == 1).await;
    assert_eq!(anas.len(), 1, "the contact's own agent gets it, though offline");
    assert!(app.chats_of(&ben.client).await.is_empty());
    let agents = app.get_json(&app.client, "/api/v1/agents").await;
    let ana_row = agents.as_array().unwrap().iter().find(|a| a["user_id"] == ana.id.as_str()).cloned().unwrap();
    assert_eq!(ana_row["online"], false);
}

async fn the_lines_offline_policy_decides_what_happens_to_an_offline_agents_chats(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let ana = app.agent("Ana").await;
    let ben = app.agent("Ben").await;
    let queue = app.queue_with("Sales", &[&ana, &ben]).await;
    let key = app.api_key().await;
    let (line, _) = app.line(serde_json::json!({ "queue": queue }), None).await;
    let ana_live = go_online(&app, &ana).await;
    let first = app.customer_writes(&key, &line, "c1", "hola").await;
    app.wait_chats(&ana.client, |c| c.len() == 1).await;
    let _b = go_online(&app, &ben).await;

    // By default a chat waits for its agent.
    drop(ana_live);
    wait_online(&app, &ana.id, false).await;
    app.settled(None).await;
    assert_eq!(app.chats_of(&ana.client).await.len(), 1, "the default policy waits for the agent");

    let policy = format!("/api/v1/lines/{line}/offline-policy");
    let bad = app.send(&app.client, reqwest::Method::PUT, &policy, serde_json::json!({ "policy": "teleport" })).await;
    assert_eq!(bad.status(), 422);
    let by_agent = app
        .send(&ben.client, reqwest::Method::PUT, &policy, serde_json::json!({ "policy": "transfer_to_queue" }))
        .await;
    assert_eq!(by_agent.status(), 403);
    let set = app
        .send(&app.client, reqwest::Method::PUT, &policy, serde_json::json!({ "policy": "transfer_to_queue" }))
        .await;
    assert_eq!(set.status(), 204);
    let bens = app.wait_chats(&ben.client, |c| c.len() == 1).await;
    assert_eq!(bens[0]["chat_id"], first.as_str(), "with the transfer policy the chat goes to Ben");
    assert!(app.chats_of(&ana.client).await.is_empty());
    let read = app.chat(&ben.client, &first).await;
    assert!(read["messages"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["text"] == "The agent went offline: passed on to the next agent"));
    let lines = app.get_json(&app.client, "/api/v1/lines").await;
    assert_eq!(lines[0]["offline_policy"], "transfer_to_queue");
}

async fn agents_connected_to_a_node_that_dies_are_taken_offline_by_the_others() {
    let app = TestApp::on(Backend::Postgres).start().await;
    let ana = app.agent("Ana").await;
    let (node_b, node_b_server) = app.another_node().await;
    let _live = go_online_at(&app, &node_b, &ana).await;
    drop(node_b_server);
    // Node B stops beating; within its lease the router on node A ends Ana's presence there.
    let started = std::time::Instant::now();
    wait_online(&app, &ana.id, false).await;
    assert!(started.elapsed() < Duration::from_secs(10));
    let log = eventlog::open(&app.database.url).await.unwrap();
    let events = log.read_stream(&format!("agent-{}", ana.id)).await.unwrap();
    let last = events.last().unwrap();
    assert_eq!(last.event_type, "AgentWentOffline");
    assert_eq!(last.metadata.actor, "system");
}

/// Buy (a queue) · Help › (Opening hours (a text) · Returns › (Talk to support (a queue)))
fn shop_menu(sales: &str, support: &str) -> serde_json::Value {
    serde_json::json!({ "menu": {
        "header": "Welcome to the shop",
        "agent_queue": support,
        "farewell": "Bye!",
        "agent_phrases": [{ "phrase": "about my order", "queue": support }],
        "stop_phrase": "#human",
        "resume_phrase": "#bot",
        "options": [
            { "label": "Buy", "action": { "kind": "queue", "queue": sales, "message": "A seller will be with you",
                                          "on_assignment": "You are talking with a seller" } },
            { "label": "Help", "action": { "kind": "submenu", "header": "Help with", "options": [
                { "label": "Opening hours", "action": { "kind": "text", "text": "9 to 18" } },
                { "label": "Returns", "action": { "kind": "submenu", "header": "Returns", "options": [
                    { "label": "Talk to support", "action": { "kind": "queue", "queue": support } }
                ] } }
            ] } }
        ]
    } })
}

async fn a_customer_walks_the_lines_menu_through_the_webhook_and_reaches_an_agent(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let ana = app.agent("Ana").await;
    let sales = app.queue_with("Sales", &[&ana]).await;
    let support = app.queue_with("Support", &[]).await;
    let _live = go_online(&app, &ana).await;
    let key = app.api_key().await;
    let mut hook = webhook().await;
    let (line, _) = app.line(shop_menu(&sales, &support), Some(&hook.url)).await;

    let conversation = [
        ("hola", vec!["Welcome to the shop\n1. Buy\n2. Help"]),
        ("2", vec!["Help with\n1. Opening hours\n2. Returns\n0. Back"]),
        ("2", vec!["Returns\n1. Talk to support\n0. Back"]),
        ("0", vec!["Help with\n1. Opening hours\n2. Returns\n0. Back"]),
        ("1", vec!["9 to 18", "Anything else?\n1. Show the menu again\n2. Talk to an agent\n3. That's all, thanks"]),
        ("1", vec!["Welcome to the shop\n1. Buy\n2. Help"]),
        ("nope", vec!["Please answer with the number of an option.\n\nWelcome to the shop\n1. Buy\n2. Help"]),
        ("buy", vec!["A seller will be with you"]),
    ];
    let mut chat = String::new();
    for (n, (says, answers)) in conversation.iter().enumerate() {
        let body = serde_json::json!({ "contact_id": "c1", "message_id": format!("m{n}"), "text": says });
        chat = created_id(app.inbound(&key, &line, body).await, "chat_id").await;
        for answer in answers {
            let (_, told) = hook.next().await;
            assert_eq!(
                (told["author"].as_str(), told["text"].as_str()),
                (Some("bot"), Some(*answer)),
                "after {says:?}"
            );
        }
        if n == 0 {
            let chats = app.wait_chats(&app.client, |c| c.len() == 1).await;
            assert_eq!(chats[0]["state"], "bot", "the bot has the conversation");
        }
    }

    let mine = app.wait_chats(&ana.client, |c| c.len() == 1).await;
    assert_eq!(mine[0]["chat_id"], chat.as_str(), "Buy took the chat to Sales, where Ana is");
    let (_, greeting) = hook.next().await;
    assert_eq!(greeting["text"], "You are talking with a seller", "the option's words as an agent takes it");
    let read = app.wait_chat(&ana.client, &chat, |c| c["messages"].as_array().is_some_and(|m| m.len() == 18)).await;
    let messages = read["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 8 + 10, "every customer message and every bot message, in order");
    assert_eq!(messages[1]["text"], "Welcome to the shop\n1. Buy\n2. Help");
    let log = eventlog::open(&app.database.url).await.unwrap();
    let events = log.read_all(eventlog::Position::default(), 10_000).await.unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "MenuOptionChosen").count(), 6, "2, 2, 0, 1, 1, buy");
    assert_eq!(kinds.iter().filter(|k| **k == "MenuAnswerRejected").count(), 1);
}

async fn menus_a_customer_could_not_use_are_refused_with_the_reason(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let sales = created_id(app.create_queue("Sales").await, "id").await;
    let create = |routing: serde_json::Value| {
        let body = serde_json::json!({ "name": "Web shop", "routing": routing });
        app.send(&app.client, reqwest::Method::POST, "/api/v1/lines", body)
    };
    let empty = serde_json::json!({ "menu": { "header": "Hi", "options": [] } });
    let refused = create(empty).await;
    assert_eq!(refused.status(), 422);
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["error"], "the menu cannot be used: the first level: a level has 1 to 9 options");

    let unknown = uuid::Uuid::now_v7().to_string();
    let refused = create(shop_menu(&sales, &unknown)).await;
    assert_eq!(refused.status(), 422);
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["error"], format!("the line routes to a queue that does not exist ({unknown})"));

    let no_label = serde_json::json!({ "menu": { "header": "Hi", "options": [
        { "label": "", "action": { "kind": "text", "text": "x" } } ] } });
    let body: serde_json::Value = create(no_label).await.json().await.unwrap();
    assert_eq!(body["error"], "the menu cannot be used: option 1: an option needs a label of at most 80 characters");
    assert!(app.get_json(&app.client, "/api/v1/lines").await.as_array().unwrap().is_empty(), "nothing was stored");
}

async fn a_customer_whose_agent_goes_away_is_asked_whether_to_wait_for_another_or_see_the_menu(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let ana = app.agent("Ana").await;
    let ben = app.agent("Ben").await;
    let sales = app.queue_with("Sales", &[&ana]).await;
    let support = app.queue_with("Support", &[]).await;
    let key = app.api_key().await;
    let mut hook = webhook().await;
    let (line, _) = app.line(shop_menu(&sales, &support), Some(&hook.url)).await;
    let policy = format!("/api/v1/lines/{line}/offline-policy");
    let body = serde_json::json!({ "policy": "ask_the_customer" });
    assert_eq!(app.send(&app.client, reqwest::Method::PUT, &policy, body).await.status(), 204);
    let ana_live = go_online(&app, &ana).await;
    let write = |n: usize, text: &str| {
        app.inbound(&key, &line, serde_json::json!({ "contact_id": "c1", "message_id": format!("m{n}"), "text": text }))
    };
    let chat = created_id(write(0, "hola").await, "chat_id").await;
    write(1, "1").await;
    for said in ["Welcome to the shop\n1. Buy\n2. Help", "A seller will be with you", "You are talking with a seller"] {
        assert_eq!(hook.next().await.1["text"], said);
    }
    app.wait_chats(&ana.client, |c| c.len() == 1).await;
    // Ana is the customer's own agent: the router gives her their chats even while she is away,
    // unless the customer asks for another agent.
    let own = format!("/api/v1/chats/{chat}/own-agent");
    let body = serde_json::json!({ "agent": ana.id });
    assert_eq!(app.send(&app.client, reqwest::Method::PUT, &own, body).await.status(), 204);

    drop(ana_live);
    let (_, asked) = hook.next().await;
    assert_eq!(
        asked["text"],
        "Your agent is not available right now.\n1. Talk to another agent\n2. Show the menu again"
    );
    assert!(app.wait_chats(&ana.client, |c| c.is_empty()).await.is_empty(), "no longer Ana's");
    assert_eq!(app.chat(&app.client, &chat).await["chat"]["state"], "bot");

    let path = format!("/api/v1/queues/{sales}/members/{}", ben.id);
    assert_eq!(app.send(&app.client, reqwest::Method::PUT, &path, serde_json::json!({})).await.status(), 204);
    let _ben_live = go_online(&app, &ben).await;
    write(2, "1").await;
    let bens = app.wait_chats(&ben.client, |c| c.len() == 1).await;
    assert_eq!(bens[0]["chat_id"], chat.as_str(), "another agent of Sales takes it, not the absent own agent");
    assert_eq!(app.get_json(&app.client, "/api/v1/lines").await[0]["offline_policy"], "ask_the_customer");
}

async fn key_phrases_take_a_customer_to_an_agent_at_once_and_stop_and_resume_the_bot(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let ana = app.agent("Ana").await;
    let sales = app.queue_with("Sales", &[]).await;
    let support = app.queue_with("Support", &[&ana]).await;
    let _live = go_online(&app, &ana).await;
    let key = app.api_key().await;
    let (line, _) = app.line(shop_menu(&sales, &support), None).await;
    let write = |contact: &str, n: usize, text: &str| {
        let body = serde_json::json!({ "contact_id": contact, "message_id": format!("m{n}"), "text": text });
        app.inbound(&key, &line, body)
    };

    let ordered = created_id(write("c1", 0, "Hello, this is About  my ORDER 1234").await, "chat_id").await;
    let mine = app.wait_chats(&ana.client, |c| c.len() == 1).await;
    assert_eq!(mine[0]["chat_id"], ordered.as_str(), "the phrase took the chat to Support at once");

    let stopper = created_id(write("c2", 0, "hola").await, "chat_id").await;
    write("c2", 1, "#human").await;
    let mine = app.wait_chats(&ana.client, |c| c.len() == 2).await;
    assert!(
        mine.iter().any(|c| c["chat_id"] == stopper.as_str()),
        "stopping the bot hands the chat to the agent queue"
    );
    let log = eventlog::open(&app.database.url).await.unwrap();
    let events = log.read_all(eventlog::Position::default(), 10_000).await.unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e.event_type.as_str()).collect();
    assert!(kinds.contains(&"KeyPhraseHeard") && kinds.contains(&"BotStopped"), "{kinds:?}");
}

async fn a_customer_silent_with_the_bot_is_reminded_once_and_then_the_conversation_is_resolved(backend: Backend) {
    let clock = server::clock::TestClock::default();
    let app = TestApp::on(backend).with_clock(clock.clone()).start().await;
    let sales = app.queue_with("Sales", &[]).await;
    let support = app.queue_with("Support", &[]).await;
    let key = app.api_key().await;
    let mut hook = webhook().await;
    let mut routing = shop_menu(&sales, &support);
    routing["menu"]["reminder"] = serde_json::json!({ "after_minutes": 5, "text": "Still there?" });
    routing["menu"]["resolve_after_minutes"] = serde_json::json!(10);
    let (line, _) = app.line(routing, Some(&hook.url)).await;
    let chat = app.customer_writes(&key, &line, "c1", "hola").await;
    hook.next().await;

    clock.advance(chrono::Duration::seconds(5 * 60 - 1));
    app.settled(Some(clock.now())).await;
    assert!(hook.calls.try_recv().is_err(), "not yet");
    clock.advance(chrono::Duration::seconds(1));
    let (_, reminded) = hook.next().await;
    assert_eq!(reminded["text"], "Still there?");
    clock.advance(chrono::Duration::seconds(10 * 60));
    let (_, farewell) = hook.next().await;
    assert_eq!(farewell["text"], "Bye!");
    let read = app.wait_chat(&app.client, &chat, |c| c["chat"]["state"] == "resolved").await;
    assert_eq!(read["chat"]["state"], "resolved", "resolved by the bot");
}

async fn outside_opening_hours_customers_hear_so_and_get_the_reduced_menu(backend: Backend) {
    use server::clock::Clock;
    let clock = server::clock::TestClock::default();
    let app = TestApp::on(backend).with_clock(clock.clone()).start().await;
    let sales = app.queue_with("Sales", &[]).await;
    let support = app.queue_with("Support", &[]).await;
    let key = app.api_key().await;
    let mut hook = webhook().await;
    let mut routing = shop_menu(&sales, &support);
    let weekdays: Vec<serde_json::Value> = ["mon", "tue", "wed", "thu", "fri"]
        .iter()
        .map(|day| serde_json::json!({ "day": day, "from": "09:00", "to": "18:00" }))
        .collect();
    routing["menu"]["opening_hours"] = serde_json::json!({
        "time_zone": "America/Argentina/Buenos_Aires", "week": weekdays,
        "exceptions": [{ "date": "2027-01-15", "spans": [{ "from": "10:00", "to": "12:00" }] }]
    });
    let mut refused = routing.clone();
    refused["menu"]["opening_hours"]["time_zone"] = serde_json::json!("Mars/Olympus");
    let body = serde_json::json!({ "name": "Web shop", "routing": refused });
    let response = app.send(&app.client, reqwest::Method::POST, "/api/v1/lines", body).await;
    assert_eq!(response.status(), 422);
    let reason: serde_json::Value = response.json().await.unwrap();
    assert_eq!(
        reason["error"],
        "the menu cannot be used: opening hours: `Mars/Olympus` is not a time zone (use a name like America/Argentina/Buenos_Aires)"
    );

    routing["menu"]["closed_message"] = serde_json::json!("We answer on weekdays from 9 to 18.");
    routing["menu"]["closed_menu"] = serde_json::json!({ "header": "Closed now", "options": [
        { "label": "Leave a message", "action": { "kind": "queue", "queue": support } } ] });
    let (line, _) = app.line(routing, Some(&hook.url)).await;
    let set_time = |at: &str| {
        let target = chrono::DateTime::parse_from_rfc3339(at).unwrap().with_timezone(&chrono::Utc);
        clock.advance(target - clock.now());
    };

    set_time("2027-01-15T14:30:00Z"); // Friday 11:30 in Buenos Aires: within the exceptional day's hours
    app.customer_writes(&key, &line, "c1", "hola").await;
    assert_eq!(hook.next().await.1["text"], "Welcome to the shop\n1. Buy\n2. Help");
    set_time("2027-01-15T16:00:00Z"); // 13:00 there: that day closes at noon
    app.customer_writes(&key, &line, "c2", "hola").await;
    assert_eq!(hook.next().await.1["text"], "We answer on weekdays from 9 to 18.");
    assert_eq!(hook.next().await.1["text"], "Closed now\n1. Leave a message");
}

async fn an_auditor_replays_a_chats_history_from_the_log_with_who_did_what_and_when_narrowed_and_as_a_file(
    backend: Backend,
) {
    let app = TestApp::on(backend).start().await;
    let ana = app.agent("Ana").await;
    let sales = app.queue_with("Sales", &[&ana]).await;
    let support = app.queue_with("Support", &[]).await;
    let key = app.api_key().await;
    let (line, _) = app.line(shop_menu(&sales, &support), None).await;
    let auditor = serde_json::json!({ "name": "Aud", "email": "aud@example.com", "password": "auditor password" });
    assert_eq!(app.send(&app.client, reqwest::Method::POST, "/api/v1/auditors", auditor).await.status(), 201);
    let aud = signed_in(&app.address, "aud@example.com", "auditor password").await;
    let chat = app.customer_writes(&key, &line, "c1", "hola").await;
    app.customer_writes(&key, &line, "c1", "banana").await;

    let history = app.get_json(&aud, &format!("/api/v1/chats/{chat}/history")).await;
    let entries = history.as_array().unwrap();
    let kinds: Vec<&str> = entries.iter().map(|e| e["event_type"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        vec![
            "ChatStarted",
            "ConversationOpened",
            "CustomerMessageReceived",
            "MenuShown",
            "CustomerMessageReceived",
            "MenuAnswerRejected",
            "MenuShown"
        ]
    );
    assert!(entries.iter().enumerate().all(|(n, e)| e["revision"] == n as u64), "every revision, in order");
    let actors: Vec<&str> = entries.iter().map(|e| e["actor"].as_str().unwrap()).collect();
    assert!(actors[..3].iter().all(|a| a.starts_with("customer:")), "the customer wrote: {actors:?}");
    assert_eq!((actors[3], actors[5], actors[6]), ("bot", "bot", "bot"), "the bot answered and judged");
    assert!(actors[4].starts_with("customer:"));
    assert_ne!(entries[0]["correlation_id"], entries[4]["correlation_id"], "one correlation per message");
    assert_eq!(entries[5]["data"]["answer"], "banana");

    // Narrowed by type and time, and as a spreadsheet file narrowed the same way.
    let shown = app.get_json(&aud, &format!("/api/v1/chats/{chat}/history?event_type=MenuShown")).await;
    let revisions: Vec<u64> = shown.as_array().unwrap().iter().map(|e| e["revision"].as_u64().unwrap()).collect();
    assert_eq!(revisions, [3, 6]);
    let second_from = entries[4]["occurred_at"].as_str().unwrap().replace('+', "%2B");
    let later = app.get_json(&aud, &format!("/api/v1/chats/{chat}/history?from={second_from}")).await;
    assert_eq!(later.as_array().unwrap().len(), 3, "from the second message on: {later}");
    let file = aud
        .get(format!("{}/api/v1/chats/{chat}/history.csv?event_type=CustomerMessageReceived", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(file.status(), 200);
    assert_eq!(file.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(file.headers()["content-disposition"].to_str().unwrap().starts_with("attachment;"));
    let text = file.text().await.unwrap();
    let rows: Vec<&str> = text.lines().collect();
    assert_eq!(rows[0], "stream,revision,occurred_at,recorded_at,event_type,actor,correlation_id,causation_id,data");
    assert_eq!(rows.len(), 3, "the header and the two messages: {text}");
    let stream = format!("chat-{chat},");
    assert!(rows[1].starts_with(&format!("{stream}2,")) && rows[2].starts_with(&format!("{stream}4,")), "{text}");
    assert!(rows[2].contains("banana"), "{text}");
    let not_for_agents =
        ana.client.get(format!("{}/api/v1/chats/{chat}/history.csv", app.address)).send().await.unwrap();
    assert_eq!(not_for_agents.status(), 403);
    let refused = app
        .send(&ana.client, reqwest::Method::GET, &format!("/api/v1/chats/{chat}/history"), serde_json::json!({}))
        .await;
    assert_eq!(refused.status(), 403, "agents read chats, not the log");
}

async fn a_customers_next_message_is_decided_on_what_others_wrote_to_the_chat_meanwhile(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let ana = app.agent("Ana").await;
    let queue = app.queue_with("Sales", &[&ana]).await;
    let _online = go_online(&app, &ana).await;
    let key = app.api_key().await;
    let (line, _) = app.line(serde_json::json!({ "queue": queue }), None).await;
    let chat = app.customer_writes(&key, &line, "c1", "hola").await;
    app.wait_chats(&ana.client, |c| c.len() == 1).await;
    let path = format!("/api/v1/chats/{chat}/messages");
    assert_eq!(
        app.send(&ana.client, reqwest::Method::POST, &path, serde_json::json!({ "text": "¿Sí?" })).await.status(),
        201
    );
    app.customer_writes(&key, &line, "c1", "gracias").await;
    let read = app.wait_chat(&ana.client, &chat, |c| c["chat"]["state"] == "pending").await;
    let texts: Vec<&str> = read["messages"].as_array().unwrap().iter().map(|m| m["text"].as_str().unwrap()).collect();
    assert_eq!(texts, ["hola", "¿Sí?", "gracias"]);
    let resolve = format!("/api/v1/chats/{chat}/resolve");
    assert_eq!(app.send(&ana.client, reqwest::Method::POST, &resolve, serde_json::json!({})).await.status(), 204);
    app.customer_writes(&key, &line, "c1", "otra pregunta").await;
    let log = eventlog::open(&app.database.url).await.unwrap();
    let events = log.read_stream(&format!("chat-{chat}")).await.unwrap();
    let opened = events.iter().filter(|e| e.event_type == "ConversationOpened").count();
    assert_eq!(opened, 2, "the message after the agent resolved the chat opens a new conversation");
}

async fn a_private_note_is_read_by_colleagues_and_never_reaches_the_customer(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let ana = app.agent("Ana").await;
    let ben = app.agent("Ben").await;
    let mut hook = webhook().await;
    let key = app.api_key().await;
    let (line, _) = app.line(serde_json::json!({ "agent": ana.id }), Some(&hook.url)).await;
    let _live = go_online(&app, &ana).await;
    let chat = app.customer_writes(&key, &line, "c1", "hola").await;
    app.wait_chats(&ana.client, |c| c.len() == 1).await;
    let notes = format!("/api/v1/chats/{chat}/notes");

    let written = app
        .send(&ana.client, reqwest::Method::POST, &notes, serde_json::json!({ "text": "VIP: call after 6 pm" }))
        .await;
    assert_eq!(written.status(), 201);
    let note_id = written.json::<serde_json::Value>().await.unwrap()["message_id"].as_str().unwrap().to_string();
    let by_boss = serde_json::json!({ "text": "Offer the 10 % discount" });
    assert_eq!(app.send(&app.client, reqwest::Method::POST, &notes, by_boss).await.status(), 201);
    // Ana and her supervisor read both, by their authors, marked as notes.
    let read = app
        .wait_chat(&app.client, &chat, |c| {
            c["messages"].as_array().into_iter().flatten().filter(|m| m["direction"] == "note").count() == 2
        })
        .await;
    let notes_read: Vec<(String, String)> = read["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["direction"] == "note")
        .map(|m| (m["author"].as_str().unwrap().to_string(), m["text"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(notes_read[0], (ana.id.clone(), "VIP: call after 6 pm".to_string()));
    assert_eq!(notes_read[1].1, "Offer the 10 % discount");
    let anas = app.chat(&ana.client, &chat).await;
    assert!(anas["messages"].as_array().unwrap().iter().any(|m| m["message_id"] == note_id.as_str()));
    // A colleague without the chat writes none; nor does an empty note go in.
    let refused = app.send(&ben.client, reqwest::Method::POST, &notes, serde_json::json!({ "text": "hi" })).await;
    assert_eq!(refused.status(), 403);
    let empty = app.send(&ana.client, reqwest::Method::POST, &notes, serde_json::json!({ "text": "  " })).await;
    assert_eq!(empty.status(), 422);
    // The customer's line gets the reply that follows the notes, and never a note.
    let reply = serde_json::json!({ "text": "¡Hola!" });
    assert_eq!(
        app.send(&ana.client, reqwest::Method::POST, &format!("/api/v1/chats/{chat}/messages"), reply).await.status(),
        201
    );
    let (_, first) = hook.next().await;
    assert_eq!(first["text"], "¡Hola!", "the first call the line's webhook gets is the reply: {first}");
}

async fn authors_edit_and_delete_their_own_messages_unless_the_line_forbids_it_and_the_history_keeps_both(
    backend: Backend,
) {
    use reqwest::Method;
    let app = TestApp::on(backend).start().await;
    let ana = app.agent("Ana").await;
    let ben = app.agent("Ben").await;
    let key = app.api_key().await;
    let (line, _) = app.line(serde_json::json!({ "agent": ana.id }), None).await;
    let _live = go_online(&app, &ana).await;
    let chat = app.customer_writes(&key, &line, "c1", "hola").await;
    app.wait_chats(&ana.client, |c| c.len() == 1).await;
    let said = |client, path: String, text: &str| {
        let body = serde_json::json!({ "text": text });
        let app = &app;
        async move {
            let response = app.send(client, Method::POST, &path, body).await;
            assert_eq!(response.status(), 201);
            response.json::<serde_json::Value>().await.unwrap()["message_id"].as_str().unwrap().to_string()
        }
    };
    let reply = said(&ana.client, format!("/api/v1/chats/{chat}/messages"), "It leaves on Tuesday").await;
    let note = said(&ana.client, format!("/api/v1/chats/{chat}/notes"), "Call her back").await;
    let boss_note = said(&app.client, format!("/api/v1/chats/{chat}/notes"), "Offer a discount").await;
    let message = |id: &str| format!("/api/v1/chats/{chat}/messages/{id}");
    let words = |text: &str| serde_json::json!({ "text": text });

    // Ana changes her reply's words; the chat shows the new ones and keeps the earlier ones.
    assert_eq!(app.send(&ana.client, Method::PUT, &message(&reply), words("It leaves on Monday")).await.status(), 204);
    let read = app
        .wait_chat(&ana.client, &chat, |c| {
            c["messages"].as_array().into_iter().flatten().any(|m| m["text"] == "It leaves on Monday")
        })
        .await;
    let edited = read["messages"].as_array().unwrap().iter().find(|m| m["message_id"] == reply.as_str()).unwrap();
    assert_eq!(edited["earlier"][0]["text"], "It leaves on Tuesday", "{edited}");
    // Nobody else changes what Ana wrote: not a colleague, not her supervisor.
    let by_ben = app.send(&ben.client, Method::PUT, &message(&reply), words("x")).await;
    assert_eq!(by_ben.status(), 403);
    assert_eq!(app.send(&app.client, Method::DELETE, &message(&reply), serde_json::json!({})).await.status(), 403);
    let unknown = message(&uuid::Uuid::from_u128(1).to_string());
    assert_eq!(app.send(&ana.client, Method::PUT, &unknown, words("x")).await.status(), 404);

    // Ana deletes her note once; colleagues still read it, marked deleted.
    assert_eq!(app.send(&ana.client, Method::DELETE, &message(&note), serde_json::json!({})).await.status(), 204);
    let read = app
        .wait_chat(&app.client, &chat, |c| {
            c["messages"].as_array().into_iter().flatten().any(|m| m["deleted_at"].is_string())
        })
        .await;
    let deleted = read["messages"].as_array().unwrap().iter().find(|m| m["message_id"] == note.as_str()).unwrap();
    assert_eq!(deleted["text"], "Call her back");
    let again = app.send(&ana.client, Method::DELETE, &message(&note), serde_json::json!({})).await;
    assert_eq!(again.status(), 409);

    // The line's supervisor forbids it: agents are refused with the reason, the supervisor's own
    // note still changes.
    let editing = format!("/api/v1/lines/{line}/message-editing");
    let forbid = serde_json::json!({ "agents_may_edit": false });
    assert_eq!(app.send(&ana.client, Method::PUT, &editing, forbid.clone()).await.status(), 403);
    assert_eq!(app.send(&app.client, Method::PUT, &editing, forbid).await.status(), 204);
    let lines = app.get_json(&app.client, "/api/v1/lines").await;
    assert_eq!(lines[0]["agents_may_edit"], false, "{lines}");
    let refused = app.send(&ana.client, Method::PUT, &message(&reply), words("It left")).await;
    assert_eq!(refused.status(), 403);
    let reason = refused.json::<serde_json::Value>().await.unwrap();
    assert_eq!(reason["error"], "the line's agents may not edit or delete messages");
    let own = app.send(&app.client, Method::PUT, &message(&boss_note), words("Offer 10 %")).await;
    assert_eq!(own.status(), 204);

    // The log holds every version, each change with its author.
    let log = eventlog::open(&app.database.url).await.unwrap();
    let events = log.read_stream(&format!("chat-{chat}")).await.unwrap();
    let changes: Vec<(String, Option<String>)> = events
        .iter()
        .filter(|e| e.event_type.starts_with("ChatMessage"))
        .map(|e| (e.event_type.clone(), e.data["text"].as_str().map(str::to_string)))
        .collect();
    assert_eq!(
        changes,
        vec![
            ("ChatMessageEdited".to_string(), Some("It leaves on Monday".to_string())),
            ("ChatMessageDeleted".to_string(), None),
            ("ChatMessageEdited".to_string(), Some("Offer 10 %".to_string())),
        ]
    );
    assert!(events.iter().any(|e| e.event_type == "AgentReplied" && e.data["text"] == "It leaves on Tuesday"));
    let edited_by = events.iter().find(|e| e.event_type == "ChatMessageEdited").map(|e| e.metadata.actor.clone());
    assert_eq!(edited_by, Some(format!("agent:{}", ana.id)));
}

async fn an_agents_dashboard_counts_their_chats_now_and_their_day_in_their_time_zone(backend: Backend) {
    use reqwest::Method;
    // 22:30 in UTC is 23:30 in Madrid: an hour later it is tomorrow there, still today in UTC.
    let start = "2026-12-04T22:30:00Z".parse::<chrono::DateTime<chrono::Utc>>().unwrap();
    let clock = server::clock::TestClock::starting_at(start);
    let app = TestApp::on(backend).with_clock(clock.clone()).start().await;
    let ana = app.agent("Ana").await;
    let key = app.api_key().await;
    let (line, _) = app.line(serde_json::json!({ "agent": ana.id }), None).await;
    let _live = go_online(&app, &ana).await;
    let first = app.customer_writes(&key, &line, "c1", "hola").await;
    app.customer_writes(&key, &line, "c2", "buenas").await;
    app.wait_chats(&ana.client, |c| c.len() == 2).await;
    let day = |zone: &str| {
        let path =
            if zone.is_empty() { "/api/v1/me/day".to_string() } else { format!("/api/v1/me/day?time_zone={zone}") };
        let app = &app;
        let client = ana.client.clone();
        async move { app.get_json(&client, &path).await }
    };
    let fresh = day("Europe/Madrid").await;
    assert_eq!(
        fresh,
        serde_json::json!({ "pending": 2, "following": 0, "resolved_today": 0, "average_first_response": null })
    );

    clock.advance(chrono::Duration::seconds(40));
    let reply = serde_json::json!({ "text": "¿En qué te ayudo?" });
    let path = format!("/api/v1/chats/{first}/messages");
    assert_eq!(app.send(&ana.client, Method::POST, &path, reply).await.status(), 201);
    app.wait_chat(&ana.client, &first, |c| c["chat"]["state"] == "following").await;
    let answered = eventually(
        "the first answer on Ana's dashboard",
        || day("Europe/Madrid"),
        |d| !d["average_first_response"].is_null(),
    )
    .await;
    assert_eq!(answered["average_first_response"], 40, "{answered}");
    assert_eq!((answered["pending"].clone(), answered["following"].clone()), (1.into(), 1.into()), "{answered}");
    let resolve = format!("/api/v1/chats/{first}/resolve");
    assert_eq!(app.send(&ana.client, Method::POST, &resolve, serde_json::json!({})).await.status(), 204);
    app.wait_chats(&ana.client, |c| c.len() == 1).await;
    let resolved =
        eventually("the resolution on Ana's dashboard", || day("Europe/Madrid"), |d| d["resolved_today"] == 1).await;
    assert_eq!((resolved["pending"].clone(), resolved["following"].clone()), (1.into(), 0.into()));

    clock.advance(chrono::Duration::hours(1));
    let tomorrow_in_madrid = day("Europe/Madrid").await;
    assert_eq!(
        (tomorrow_in_madrid["resolved_today"].clone(), tomorrow_in_madrid["average_first_response"].clone()),
        (0.into(), serde_json::Value::Null)
    );
    assert_eq!(day("").await["resolved_today"], 1, "in UTC it is still the same day");
    assert_eq!(tomorrow_in_madrid["pending"], 1, "the chats of now do not depend on the day");

    let nowhere =
        app.send(&ana.client, Method::GET, "/api/v1/me/day?time_zone=Mars/Olympus", serde_json::Value::Null).await;
    assert_eq!(nowhere.status(), 422);
    let supervisors = app.send(&app.client, Method::GET, "/api/v1/me/day", serde_json::Value::Null).await;
    assert_eq!(supervisors.status(), 403, "the dashboard is an agent's own");
}

async fn the_chats_agent_or_a_supervisor_names_and_tags_a_chat_and_the_list_filters_by_tag(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let ana = app.agent("Ana").await;
    let ben = app.agent("Ben").await;
    let key = app.api_key().await;
    let (line, _) = app.line(serde_json::json!({ "agent": ana.id }), None).await;
    let _live = go_online(&app, &ana).await;
    let rosa = app.customer_writes(&key, &line, "c1", "hola").await;
    let _other = app.customer_writes(&key, &line, "c2", "buenas").await;
    app.wait_chats(&ana.client, |c| c.len() == 2).await;
    let send = |client: &reqwest::Client, method: reqwest::Method, path: String, body: serde_json::Value| {
        let request = client.request(method, format!("{}{path}", app.address)).json(&body);
        async move { request.send().await.unwrap().status() }
    };
    let name = format!("/api/v1/chats/{rosa}/name");
    let tags = format!("/api/v1/chats/{rosa}/tags");

    assert_eq!(
        send(&ana.client, reqwest::Method::PUT, name.clone(), serde_json::json!({ "name": " Rosa  (VIP) " })).await,
        204
    );
    assert_eq!(
        send(&ana.client, reqwest::Method::POST, tags.clone(), serde_json::json!({ "tag": "Refund" })).await,
        204
    );
    assert_eq!(send(&app.client, reqwest::Method::POST, tags.clone(), serde_json::json!({ "tag": "VIP" })).await, 204);
    assert_eq!(send(&ana.client, reqwest::Method::POST, tags.clone(), serde_json::json!({ "tag": "vip" })).await, 204);
    let mine = app
        .wait_chats(&ana.client, |c| c.iter().any(|chat| chat["tags"].as_array().is_some_and(|t| t.len() == 2)))
        .await;
    let named = mine.iter().find(|c| c["chat_id"] == rosa.as_str()).unwrap();
    assert_eq!(named["name"], "Rosa (VIP)");
    assert_eq!(named["tags"], serde_json::json!(["Refund", "VIP"]));
    // The list filtered by tag, any case.
    let tagged = app.get_json(&ana.client, "/api/v1/chats?tag=refund").await;
    let ids: Vec<&str> = tagged.as_array().unwrap().iter().filter_map(|c| c["chat_id"].as_str()).collect();
    assert_eq!(ids, [rosa.as_str()]);
    assert_eq!(app.get_json(&app.client, "/api/v1/chats?tag=VIP").await.as_array().unwrap().len(), 1);
    assert_eq!(app.get_json(&ana.client, "/api/v1/chats?tag=nothing").await, serde_json::json!([]));
    // Taken off, whatever the case; the name given back.
    assert_eq!(
        send(&ana.client, reqwest::Method::DELETE, format!("{tags}/REFUND"), serde_json::json!(null)).await,
        204
    );
    assert_eq!(send(&ana.client, reqwest::Method::PUT, name.clone(), serde_json::json!({ "name": null })).await, 204);
    let mine = app
        .wait_chats(&ana.client, |c| {
            c.iter().any(|chat| chat["tags"] == serde_json::json!(["VIP"]) && chat["name"].is_null())
        })
        .await;
    assert!(mine.iter().any(|c| c["chat_id"] == rosa.as_str()));
    // Nobody else's to change; what would not fit is refused.
    assert_eq!(send(&ben.client, reqwest::Method::POST, tags.clone(), serde_json::json!({ "tag": "x" })).await, 403);
    assert_eq!(send(&ben.client, reqwest::Method::PUT, name.clone(), serde_json::json!({ "name": "x" })).await, 403);
    assert_eq!(send(&ana.client, reqwest::Method::POST, tags.clone(), serde_json::json!({ "tag": " " })).await, 422);
    assert_eq!(send(&ana.client, reqwest::Method::PUT, name, serde_json::json!({ "name": "x".repeat(81) })).await, 422);
    let history = app.get_json(&app.client, &format!("/api/v1/chats/{rosa}/history")).await;
    let kinds: Vec<&str> = history.as_array().unwrap().iter().filter_map(|e| e["event_type"].as_str()).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "ChatTagged").count(), 2, "the repeated tag recorded nothing: {kinds:?}");
    assert_eq!(kinds.iter().filter(|k| **k == "ChatRenamed").count(), 2);
}

async fn chats_are_found_by_name_number_or_message_text_among_those_the_caller_may_read(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let ana = app.agent("Ana").await;
    let ben = app.agent("Ben").await;
    let key = app.api_key().await;
    let (line, _) = app.line(serde_json::json!({ "agent": ana.id }), None).await;
    let (bens_line, _) = app.line(serde_json::json!({ "agent": ben.id }), None).await;
    let _a = go_online(&app, &ana).await;
    let _b = go_online(&app, &ben).await;
    let rosa =
        app.customer_writes_as(&key, &line, "+5491155501234", "Rosa Díaz", "¿Dónde está mi pedido 50%_off?").await;
    let luis = app.customer_writes_as(&key, &line, "+5491155509876", "Luis Pérez", "Quiero cambiar la talla").await;
    let _bens = app.customer_writes_as(&key, &bens_line, "+5491155507777", "Rosa Ruiz", "pedido").await;
    app.wait_chats(&ana.client, |c| c.len() == 2).await;
    app.wait_chats(&ben.client, |c| c.len() == 1).await;
    let found = |client: &reqwest::Client, q: &str| {
        let (client, url) = (client.clone(), format!("{}/api/v1/chats?q={}", app.address, urlencode(q)));
        async move {
            let chats: Vec<serde_json::Value> = client.get(url).send().await.unwrap().json().await.unwrap();
            chats.iter().map(|c| c["chat_id"].as_str().unwrap().to_string()).collect::<Vec<String>>()
        }
    };
    // By name, any case; by number, however it is written; by a message's words.
    assert_eq!(found(&ana.client, "rosa").await, [rosa.as_str()]);
    assert_eq!(found(&ana.client, "11 5550-9876").await, [luis.as_str()]);
    assert_eq!(found(&ana.client, "TALLA").await, [luis.as_str()]);
    assert_eq!(found(&ana.client, "50%_off").await, [rosa.as_str()]);
    assert_eq!(found(&ana.client, "%").await, [rosa.as_str()], "a % is a character, not a pattern");
    assert_eq!(found(&ana.client, "nothing like it").await, Vec::<String>::new());
    // Only among the chats the caller may read: Ana's search never shows Ben's chat.
    assert_eq!(found(&ana.client, "pedido").await, [rosa.as_str()]);
    assert_eq!(found(&app.client, "pedido").await.len(), 2, "a supervisor searches every open chat");
    // The name a chat was given is searched too.
    let name = serde_json::json!({ "name": "Cliente mayorista" });
    let renamed = ana.client.put(format!("{}/api/v1/chats/{luis}/name", app.address)).json(&name).send().await.unwrap();
    assert_eq!(renamed.status(), 204);
    eventually("the new name found", || found(&ana.client, "mayorista"), |ids| ids == &[luis.as_str()]).await;
}

async fn the_list_counts_what_no_person_answered_and_filters_by_line(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let ana = app.agent("Ana").await;
    let key = app.api_key().await;
    let (shop, _) = app.line(serde_json::json!({ "agent": ana.id }), None).await;
    let (help, _) = app.line(serde_json::json!({ "agent": ana.id }), None).await;
    let _online = go_online(&app, &ana).await;
    let rosa = app.customer_writes(&key, &shop, "+5491155501234", "Hola").await;
    app.customer_writes(&key, &shop, "+5491155501234", "¿Hay alguien?").await;
    let luis = app.customer_writes(&key, &help, "+5491155509876", "Ayuda").await;
    let unanswered = |chats: &[serde_json::Value], chat: &str| {
        chats.iter().find(|c| c["chat_id"] == chat).map(|c| c["unanswered"].as_i64().unwrap())
    };
    app.wait_chats(&ana.client, |c| unanswered(c, &rosa) == Some(2) && unanswered(c, &luis) == Some(1)).await;
    // A person's answer answers everything before it; the customer's next message counts again.
    let reply = app
        .send(
            &ana.client,
            reqwest::Method::POST,
            &format!("/api/v1/chats/{rosa}/messages"),
            serde_json::json!({ "text": "Sí, decime" }),
        )
        .await;
    assert_eq!(reply.status(), 201);
    app.wait_chats(&ana.client, |c| unanswered(c, &rosa) == Some(0)).await;
    app.customer_writes(&key, &shop, "+5491155501234", "Mi pedido no llegó").await;
    app.wait_chats(&ana.client, |c| unanswered(c, &rosa) == Some(1)).await;
    // One line's chats only.
    let on_help = app.get_json(&ana.client, &format!("/api/v1/chats?line={help}")).await;
    let ids: Vec<&str> = on_help.as_array().unwrap().iter().map(|c| c["chat_id"].as_str().unwrap()).collect();
    assert_eq!(ids, [luis.as_str()]);
    // Resolving answers nothing, but the count starts again with the next conversation.
    let resolved = app
        .send(&ana.client, reqwest::Method::POST, &format!("/api/v1/chats/{luis}/resolve"), serde_json::json!({}))
        .await;
    assert_eq!(resolved.status(), 204);
    let again = app.customer_writes(&key, &help, "+5491155509876", "Otra cosa").await;
    assert_eq!(again, luis);
    app.wait_chats(&ana.client, |c| unanswered(c, &luis) == Some(1)).await;
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}
