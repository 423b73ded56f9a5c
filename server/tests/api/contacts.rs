//! The contact directory through the API, on both backends: contacts and their accounts, search,
//! contacts made by inbound chats, consent at three levels, merge and split, businesses.

use crate::support::*;
use eventlog::testing::Backend;
use reqwest::Method;
use serde_json::{json, Value};
use server::clock::{Clock, SystemClock};
use std::time::Duration;

eventlog::on_both_backends!(
    contacts_are_created_edited_and_found_by_name_phone_email_business_and_account,
    bad_contacts_are_refused_with_the_reason_and_an_account_belongs_to_one_contact,
    an_inbound_chat_finds_or_creates_its_contact_and_the_card_lists_its_chats_on_every_line,
    consent_is_recorded_at_three_levels_and_the_most_specific_decides,
    a_merge_unifies_accounts_chats_and_consent_and_a_split_restores_both,
    businesses_are_renamed_and_deleted_and_their_contacts_follow,
    a_contacts_own_agent_gets_their_chats_on_every_line_even_while_offline,
    a_contacts_group_gets_their_new_conversations_on_every_line_and_a_transfer_still_goes_where_sent,
    an_export_imported_into_an_empty_company_gives_the_same_contacts_and_twice_creates_nothing_new,
    google_contacts_files_are_imported_and_refused_rows_are_reported_without_losing_the_others,
    an_excel_workbook_is_imported_like_a_csv_and_a_broken_one_is_refused_with_the_reason,
    hostile_workbooks_are_refused_with_422_or_read_within_limits_and_the_server_goes_on,
    exported_cells_a_spreadsheet_would_run_are_text_and_import_back_as_they_were,
    a_large_import_runs_in_the_background_shows_its_progress_and_resumes_after_a_restart,
    consent_in_bulk_is_previewed_row_by_row_and_a_file_with_a_refused_row_stores_nothing,
    a_search_gives_the_first_contacts_by_name_that_every_word_finds_however_many_share_one,
    the_bot_does_not_ask_for_a_consent_the_contact_gave_elsewhere,
    a_providers_opt_out_and_opt_in_are_the_accounts_consent_with_their_source,
);

impl TestApp {
    async fn new_contact(&self, body: Value) -> String {
        let response = self.send(&self.client, Method::POST, "/api/v1/contacts", body).await;
        assert_eq!(response.status(), 201, "{:?}", response.text().await);
        created_id_of(response).await
    }

    async fn find(&self, client: &reqwest::Client, query: &str) -> Vec<Value> {
        let response =
            client.get(format!("{}/api/v1/contacts", self.address)).query(&[("q", query)]).send().await.unwrap();
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }

    async fn names_found(&self, query: &str) -> Vec<String> {
        self.find(&self.client, query).await.iter().map(|c| c["name"].as_str().unwrap().to_string()).collect()
    }

    async fn card(&self, contact: &str) -> Value {
        let response = self.client.get(format!("{}/api/v1/contacts/{contact}", self.address)).send().await.unwrap();
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }

    /// A line whose menu asks consent before its one option (a queue) and remembers it; what the
    /// bot says goes to the webhook answered.
    async fn line_asking_consent(&self) -> (String, Webhook) {
        let sales = self.queue_with("Sales", &[]).await;
        let routing = json!({ "menu": {
            "header": "Welcome",
            "consent": { "text": "May we write to you here?", "yes": "Yes", "no": "No" },
            "options": [{ "label": "Buy", "action": { "kind": "queue", "queue": sales } }]
        } });
        let hook = webhook().await;
        let (line, _) = self.line(routing, Some(&hook.url)).await;
        (line, hook)
    }

    /// Waits until the chat list shows a chat under `name`: the name its channel showed last.
    async fn wait_chat_named(&self, name: &str) {
        let shown = |chats: &Value| chats.as_array().is_some_and(|all| all.iter().any(|c| c["contact_name"] == name));
        let chats = || self.get_json(&self.client, "/api/v1/chats");
        eventually(&format!("a chat shown as {name}"), chats, shown).await;
    }

    /// Waits until a search finds exactly one contact, made by the contact keeper.
    async fn wait_contact(&self, query: &str, holds: impl Fn(&Value) -> bool) -> Value {
        let one_as_expected = |found: &Vec<Value>| matches!(found.as_slice(), [one] if holds(one));
        let waiting_for = format!("one contact as expected for {query}");
        eventually(&waiting_for, || self.find(&self.client, query), one_as_expected).await.remove(0)
    }
}

async fn created_id_of(response: reqwest::Response) -> String {
    let body: Value = response.json().await.unwrap();
    body["id"].as_str().unwrap().to_string()
}

fn accounts_of(contact: &Value) -> Vec<String> {
    contact["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| format!("{}:{}", a["channel"].as_str().unwrap(), a["id"].as_str().unwrap()))
        .collect()
}

async fn contacts_are_created_edited_and_found_by_name_phone_email_business_and_account(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let acme =
        created_id_of(app.send(&app.client, Method::POST, "/api/v1/businesses", json!({ "name": "Acme Ltd" })).await)
            .await;
    let ana = app
        .new_contact(json!({
            "name": "Ana María López",
            "email": "Ana.Lopez@Example.com",
            "notes": "prefers mornings",
            "fields": { "Customer number": "C-42" },
            "business_id": acme,
            "accounts": [
                { "channel": "whatsapp", "id": "612 34 56 78" },
                { "channel": "instagram", "id": "17841400000001" }
            ],
            "country": "ES"
        }))
        .await;
    app.new_contact(
        json!({ "name": "Pedro Gómez", "accounts": [{ "channel": "whatsapp", "id": "+34 699 11 22 33" }] }),
    )
    .await;

    let card = app.card(&ana).await;
    assert_eq!(card["contact"]["name"], "Ana María López");
    assert_eq!(card["contact"]["name_source"], "agent");
    assert_eq!(card["contact"]["email"], "ana.lopez@example.com");
    assert_eq!(card["contact"]["business_name"], "Acme Ltd");
    assert_eq!(card["contact"]["fields"]["Customer number"], "C-42");
    assert_eq!(accounts_of(&card["contact"]), vec!["instagram:17841400000001", "whatsapp:+34612345678"]);

    for query in [
        "ana",
        "LOPEZ",
        "maría lóp",
        "+34 612 34 56 78",
        "0034612345678",
        "612-345",
        "ana.lopez@exa",
        "acme",
        "1784140",
    ] {
        assert_eq!(app.names_found(query).await, vec!["Ana María López"], "{query}");
    }
    assert_eq!(app.names_found("gomez").await, vec!["Pedro Gómez"]);
    assert!(app.names_found("nobody").await.is_empty());
    assert_eq!(app.names_found("").await, vec!["Ana María López", "Pedro Gómez"], "everyone, by name");

    let agent = app.agent("Lucia").await;
    assert_eq!(app.find(&agent.client, "612").await.len(), 1, "agents search the directory too");
    let edit = json!({ "name": "Ana López", "email": "ana@acme.example", "notes": "", "fields": {} });
    let response = app.send(&agent.client, Method::PUT, &format!("/api/v1/contacts/{ana}"), edit).await;
    assert_eq!(response.status(), 204);
    assert_eq!(app.names_found("ana@acme").await, vec!["Ana López"]);
    assert!(app.names_found("maría").await.is_empty(), "the old name finds nobody");
    assert!(app.names_found("ana.lopez@example.com").await.is_empty(), "nor the old e-mail");
}

async fn bad_contacts_are_refused_with_the_reason_and_an_account_belongs_to_one_contact(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let refused = |body: Value| {
        let app = &app;
        async move {
            let response = app.send(&app.client, Method::POST, "/api/v1/contacts", body).await;
            let status = response.status().as_u16();
            let body: Value = response.json().await.unwrap();
            (status, body["error"].as_str().unwrap_or_default().to_string())
        }
    };
    let (status, error) =
        refused(json!({ "name": "Ana", "accounts": [{ "channel": "whatsapp", "id": "612 34" }] })).await;
    assert_eq!(status, 422);
    assert!(error.contains("accounts[0]") && error.contains("612 34"), "{error}");
    let (status, error) = refused(json!({ "name": "Ana", "email": "not an address" })).await;
    assert_eq!((status, error.contains("not an e-mail address")), (422, true), "{error}");
    let (status, error) = refused(json!({ "name": " " })).await;
    assert_eq!((status, error.contains("name")), (422, true), "{error}");
    let (status, _) = refused(json!({ "name": "Ana", "accounts": [{ "channel": "fax", "id": "1" }] })).await;
    assert_eq!(status, 400, "an unknown channel is not a readable body");
    let (status, error) =
        refused(json!({ "name": "Ana", "business_id": "0190a0a0-0000-7000-8000-000000000000" })).await;
    assert_eq!((status, error.as_str()), (422, "business_id: no such business"));

    app.new_contact(json!({ "name": "Ana", "accounts": [{ "channel": "whatsapp", "id": "+34612345678" }] })).await;
    let (status, error) =
        refused(json!({ "name": "Other Ana", "accounts": [{ "channel": "whatsapp", "id": "0034 612 345 678" }] }))
            .await;
    assert_eq!(status, 409);
    assert!(error.contains("whatsapp:+34612345678") && error.contains("another contact"), "{error}");
    assert_eq!(app.names_found("").await, vec!["Ana"], "nothing of the refused contact was kept");
}

async fn an_inbound_chat_finds_or_creates_its_contact_and_the_card_lists_its_chats_on_every_line(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let key = app.api_key().await;
    let queue = app.queue_with("Sales", &[]).await;
    let (shop, _) = app.line(json!({ "queue": queue }), None).await;
    let (support_line, _) = app.line(json!({ "queue": queue }), None).await;
    let say = |line: String, name: &'static str, number: &'static str| {
        let (app, key) = (&app, key.clone());
        async move {
            let body = json!({ "channel": "whatsapp", "contact_id": number, "name": name, "text": "hola" });
            let response = app.inbound(&key, &line, body).await;
            assert_eq!(response.status(), 202);
        }
    };
    say(shop.clone(), "Ana WhatsApp", "34612345678").await;
    let contact = app.wait_contact("612345678", |c| c["accounts"][0]["lines"].as_array().unwrap().len() == 1).await;
    assert_eq!(contact["name"], "Ana WhatsApp");
    assert_eq!(contact["name_source"], "profile");
    assert_eq!(accounts_of(&contact), vec!["whatsapp:+34612345678"]);

    say(support_line.clone(), "Ana W.", "+34 612 345 678").await;
    // A profile name nobody changed follows the channel. The new line and the new name are two
    // changes of the contact: the directory may show one first.
    let contact = app
        .wait_contact("612345678", |c| {
            c["accounts"][0]["lines"].as_array().unwrap().len() == 2 && c["name"] == "Ana W."
        })
        .await;
    let id = contact["contact_id"].as_str().unwrap().to_string();
    let card = app.card(&id).await;
    let lines: Vec<&str> = card["chats"].as_array().unwrap().iter().map(|c| c["line_id"].as_str().unwrap()).collect();
    assert_eq!(lines.len(), 2);
    assert!(lines.contains(&shop.as_str()) && lines.contains(&support_line.as_str()));

    // A gateway that reads the company's phone book hands over the name saved there (K5).
    let from_phone_book = |name: &str, source: &str, message: &str| {
        json!({ "channel": "whatsapp", "contact_id": "+34612345678", "name": name, "name_source": source,
                "text": "sigo", "message_id": message })
    };
    let response = app.inbound(&key, &shop, from_phone_book("Ana Martín (Acme)", "phone_book", "pb1")).await;
    assert_eq!(response.status(), 202);
    let contact = app.wait_contact("612345678", |c| c["name_source"] == "phone_book").await;
    assert_eq!(contact["name"], "Ana Martín (Acme)", "the phone book's name outranks the profile's");
    app.wait_chat_named("Ana Martín (Acme)").await;
    assert_eq!(app.inbound(&key, &shop, from_phone_book("Ana Perfil", "profile", "pb2")).await.status(), 202);
    let refused = app.inbound(&key, &shop, from_phone_book("Ana", "agent", "pb3")).await;
    assert_eq!(refused.status(), 422);
    let body: Value = refused.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().starts_with("name_source:"), "{body}");
    let (third, _) = app.line(json!({ "queue": queue }), None).await;
    say(third, "Ana Profile", "34612345678").await;
    let lines_are = |n: usize| move |c: &Value| c["accounts"][0]["lines"].as_array().unwrap().len() == n;
    let contact = app.wait_contact("612345678", lines_are(3)).await;
    assert_eq!(contact["name"], "Ana Martín (Acme)", "no profile name replaces the phone book's");

    let edit = json!({ "name": "Ana López" });
    assert_eq!(app.send(&app.client, Method::PUT, &format!("/api/v1/contacts/{id}"), edit).await.status(), 204);
    assert_eq!(app.inbound(&key, &shop, from_phone_book("Ana M. (Acme)", "phone_book", "pb4")).await.status(), 202);
    app.wait_chat_named("Ana M. (Acme)").await;
    let (fourth, _) = app.line(json!({ "queue": queue }), None).await;
    say(fourth, "Ana Profile", "34612345678").await;
    let contact = app.wait_contact("612345678", lines_are(4)).await;
    assert_eq!(contact["name"], "Ana López", "a name a person gave outranks the profile's and the phone book's");

    let response = app.inbound(&key, &shop, json!({ "channel": "whatsapp", "contact_id": "12", "text": "x" })).await;
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().starts_with("contact_id:"), "{body}");
}

async fn consent_is_recorded_at_three_levels_and_the_most_specific_decides(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let ana = app
        .new_contact(json!({ "name": "Ana", "accounts": [
            { "channel": "whatsapp", "id": "+34612345678" },
            { "channel": "whatsapp", "id": "+34699112233" },
            { "channel": "instagram", "id": "1784" }
        ] }))
        .await;
    let consent = |scope: Value, given: bool| {
        let (app, ana) = (&app, ana.clone());
        async move {
            let body = json!({ "scope": scope, "given": given });
            let response = app.send(&app.client, Method::POST, &format!("/api/v1/contacts/{ana}/consents"), body).await;
            assert_eq!(response.status(), 204);
        }
    };
    let reachable = || {
        let (app, ana) = (&app, ana.clone());
        async move {
            let card = app.card(&ana).await;
            card["reachable"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| (a["id"].as_str().unwrap().to_string(), a["consented"].as_bool()))
                .collect::<Vec<_>>()
        }
    };
    assert!(reachable().await.iter().all(|(_, consented)| consented.is_none()), "nobody recorded any");
    consent(json!({ "level": "general" }), true).await;
    consent(json!({ "level": "channel", "channel": "whatsapp" }), false).await;
    consent(json!({ "level": "account", "account": { "channel": "whatsapp", "id": "+34612345678" } }), true).await;
    assert_eq!(
        reachable().await,
        vec![
            ("1784".to_string(), Some(true)),
            ("+34612345678".to_string(), Some(true)),
            ("+34699112233".to_string(), Some(false)),
        ]
    );
    let card = app.card(&ana).await;
    let sources: Vec<&str> =
        card["consents"].as_array().unwrap().iter().map(|c| c["source"].as_str().unwrap()).collect();
    assert_eq!(sources, vec!["agent"; 3]);
    let history = app.get_json(&app.client, &format!("/api/v1/contacts/{ana}")).await;
    assert_eq!(history["consents"].as_array().unwrap().len(), 3);
}

async fn a_merge_unifies_accounts_chats_and_consent_and_a_split_restores_both(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let key = app.api_key().await;
    let queue = app.queue_with("Sales", &[]).await;
    let (shop, _) = app.line(json!({ "queue": queue }), None).await;
    let body = json!({ "channel": "whatsapp", "contact_id": "34612345678", "name": "Ana WA", "text": "hola" });
    assert_eq!(app.inbound(&key, &shop, body).await.status(), 202);
    let from_chat = app.wait_contact("612345678", |_| true).await["contact_id"].as_str().unwrap().to_string();
    let kept =
        app.new_contact(json!({ "name": "Ana López", "accounts": [{ "channel": "instagram", "id": "1784" }] })).await;
    let body = json!({ "scope": { "level": "general" }, "given": true });
    app.send(&app.client, Method::POST, &format!("/api/v1/contacts/{from_chat}/consents"), body).await;

    let agent = app.agent("Lucia").await;
    let merge_path = format!("/api/v1/contacts/{kept}/merge");
    let response = app.send(&agent.client, Method::POST, &merge_path, json!({ "from": from_chat })).await;
    assert_eq!(response.status(), 403, "only supervisors merge");
    let response = app.send(&app.client, Method::POST, &merge_path, json!({ "from": kept })).await;
    assert_eq!(response.status(), 422);
    let response = app.send(&app.client, Method::POST, &merge_path, json!({ "from": from_chat })).await;
    assert_eq!(response.status(), 200);
    let merge = response.json::<Value>().await.unwrap()["merge"].as_str().unwrap().to_string();

    let card = app.card(&kept).await;
    assert_eq!(accounts_of(&card["contact"]), vec!["instagram:1784", "whatsapp:+34612345678"]);
    assert_eq!(card["chats"].as_array().unwrap().len(), 1, "the merged contact's chat is the survivor's");
    assert!(card["reachable"].as_array().unwrap().iter().all(|a| a["consented"] == true), "its consent came along");
    assert_eq!(
        card["merges"],
        json!([{ "merge": merge, "contact_id": from_chat, "name": "Ana WA" }]),
        "the card lists what to split"
    );
    assert_eq!(app.card(&from_chat).await["contact"]["merged_into"], kept.as_str(), "the merged one's card says where");
    assert_eq!(app.names_found("ana").await, vec!["Ana López"], "a merged contact is not found any more");
    let again =
        app.send(&app.client, Method::PUT, &format!("/api/v1/contacts/{from_chat}"), json!({ "name": "X" })).await;
    assert_eq!(again.status(), 409);

    let (second_line, _) = app.line(json!({ "queue": queue }), None).await;
    let body = json!({ "channel": "whatsapp", "contact_id": "34612345678", "name": "Ana WA", "text": "otra vez" });
    assert_eq!(app.inbound(&key, &second_line, body).await.status(), 202);
    app.wait_contact("612345678", |c| {
        c["contact_id"] == kept.as_str() && c["accounts"][1]["lines"].as_array().unwrap().len() == 2
    })
    .await;

    let response =
        app.send(&app.client, Method::POST, &format!("/api/v1/contacts/{kept}/merges/{merge}/split"), json!({})).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.json::<Value>().await.unwrap()["restored"], from_chat.as_str());
    let kept_card = app.card(&kept).await;
    assert_eq!(accounts_of(&kept_card["contact"]), vec!["instagram:1784"]);
    assert!(kept_card["reachable"][0]["consented"].is_null(), "the consent went back with its contact");
    assert_eq!(kept_card["merges"], json!([]));
    let restored = app.card(&from_chat).await;
    assert!(restored["contact"]["merged_into"].is_null());
    assert_eq!(accounts_of(&restored["contact"]), vec!["whatsapp:+34612345678"]);
    assert_eq!(
        restored["contact"]["accounts"][0]["lines"].as_array().unwrap().len(),
        2,
        "with the line it talked to meanwhile"
    );
    assert_eq!(restored["chats"].as_array().unwrap().len(), 2);
    assert_eq!(app.names_found("ana").await, vec!["Ana López", "Ana WA"]);
    let twice =
        app.send(&app.client, Method::POST, &format!("/api/v1/contacts/{kept}/merges/{merge}/split"), json!({})).await;
    assert_eq!(twice.status(), 409);
}

async fn businesses_are_renamed_and_deleted_and_their_contacts_follow(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let acme =
        created_id_of(app.send(&app.client, Method::POST, "/api/v1/businesses", json!({ "name": "Acme" })).await).await;
    let ana = app.new_contact(json!({ "name": "Ana", "business_id": acme })).await;
    let rename =
        app.send(&app.client, Method::PATCH, &format!("/api/v1/businesses/{acme}"), json!({ "name": "Globex" })).await;
    assert_eq!(rename.status(), 204);
    assert_eq!(app.names_found("globex").await, vec!["Ana"]);
    assert!(app.names_found("acme").await.is_empty());
    let businesses = app.get_json(&app.client, "/api/v1/businesses").await;
    assert_eq!(businesses[0]["name"], "Globex");

    let agent = app.agent("Lucia").await;
    let refused = app.send(&agent.client, Method::DELETE, &format!("/api/v1/businesses/{acme}"), json!({})).await;
    assert_eq!(refused.status(), 403);
    let bad = app.send(&app.client, Method::POST, "/api/v1/businesses", json!({ "name": "  " })).await;
    assert_eq!(bad.status(), 422);
    let deleted = app.send(&app.client, Method::DELETE, &format!("/api/v1/businesses/{acme}"), json!({})).await;
    assert_eq!(deleted.status(), 204);
    assert!(app.card(&ana).await["contact"]["business_name"].is_null());
    assert!(app.names_found("globex").await.is_empty());
    assert_eq!(app.get_json(&app.client, "/api/v1/businesses").await, json!([]));
    let gone = app.send(&app.client, Method::DELETE, &format!("/api/v1/businesses/{acme}"), json!({})).await;
    assert_eq!(gone.status(), 404);
}

async fn a_contacts_own_agent_gets_their_chats_on_every_line_even_while_offline(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let ana = app.agent("Ana").await;
    let ben = app.agent("Ben").await;
    let queue = app.queue_with("Sales", &[&ana, &ben]).await;
    let key = app.api_key().await;
    let (shop, _) = app.line(json!({ "queue": queue }), None).await;
    let (support_line, _) = app.line(json!({ "queue": queue }), None).await;
    let _ben_online = go_online(&app, &ben).await;
    let rosa = app
        .new_contact(json!({ "name": "Rosa", "accounts": [
            { "channel": "whatsapp", "id": "+34612345678" },
            { "channel": "instagram", "id": "rosa.ig" }
        ] }))
        .await;
    let owner = |body: Value, client: &reqwest::Client| {
        let (client, url) = (client.clone(), format!("{}/api/v1/contacts/{rosa}/owner", app.address));
        async move { client.put(url).json(&body).send().await.unwrap().status() }
    };
    assert_eq!(owner(json!({ "owner": { "kind": "agent", "id": ana.id } }), &ben.client).await, 403);
    assert_eq!(owner(json!({ "owner": { "kind": "agent", "id": uuid::Uuid::now_v7() } }), &app.client).await, 404);
    assert_eq!(owner(json!({ "owner": { "kind": "agent", "id": ana.id } }), &app.client).await, 204);

    let write = |channel: &str, id: &str| json!({ "channel": channel, "contact_id": id, "text": "hola" });
    assert_eq!(app.inbound(&key, &shop, write("whatsapp", "34612345678")).await.status(), 202);
    assert_eq!(app.inbound(&key, &support_line, write("instagram", "rosa.ig")).await.status(), 202);
    let anas = app.wait_chats(&ana.client, |c| c.len() == 2).await;
    assert_eq!(anas.len(), 2, "both lines' chats go to Rosa's own agent, though she is offline: {anas:?}");
    assert!(app.chats_of(&ben.client).await.is_empty(), "Ben, online, gets none of them");

    assert_eq!(app.inbound(&key, &shop, write("api", "someone-else")).await.status(), 202);
    assert_eq!(app.wait_chats(&ben.client, |c| c.len() == 1).await.len(), 1, "other customers still go round");
}

async fn a_contacts_group_gets_their_new_conversations_on_every_line_and_a_transfer_still_goes_where_sent(
    backend: Backend,
) {
    let app = TestApp::on(backend).start().await;
    let ana = app.agent("Ana").await;
    let ben = app.agent("Ben").await;
    let sales = app.queue_with("Sales", &[&ana]).await;
    let vip = app.queue_with("VIP", &[&ben]).await;
    let key = app.api_key().await;
    let (shop, _) = app.line(json!({ "queue": sales }), None).await;
    let _ana_online = go_online(&app, &ana).await;
    let _ben_online = go_online(&app, &ben).await;
    let rosa =
        app.new_contact(json!({ "name": "Rosa", "accounts": [{ "channel": "whatsapp", "id": "+34612345678" }] })).await;
    let owner = format!("/api/v1/contacts/{rosa}/owner");
    let unknown = json!({ "owner": { "kind": "group", "id": uuid::Uuid::now_v7() } });
    assert_eq!(app.send(&app.client, Method::PUT, &owner, unknown).await.status(), 404);
    let group = json!({ "owner": { "kind": "group", "id": vip } });
    assert_eq!(app.send(&app.client, Method::PUT, &owner, group).await.status(), 204);

    let write = |channel: &str, id: &str| json!({ "channel": channel, "contact_id": id, "text": "hola" });
    assert_eq!(app.inbound(&key, &shop, write("whatsapp", "34612345678")).await.status(), 202);
    let bens = app.wait_chats(&ben.client, |c| c.len() == 1).await;
    let chat = bens[0]["chat_id"].as_str().unwrap().to_string();
    let history = app.get_json(&app.client, &format!("/api/v1/chats/{chat}/history")).await;
    let moved = history.as_array().unwrap().iter().find(|e| e["event_type"] == "ChatTransferred").cloned();
    let moved = moved.unwrap_or_else(|| panic!("the move to the group is in the history: {history}"));
    assert_eq!((moved["actor"].as_str(), moved["data"]["by"]["role"].as_str()), (Some("system"), Some("system")));
    assert_eq!(moved["data"]["to"]["queue"], vip.as_str());
    assert_eq!(app.inbound(&key, &shop, write("api", "someone-else")).await.status(), 202);
    assert_eq!(
        app.wait_chats(&ana.client, |c| c.len() == 1).await.len(),
        1,
        "other customers stay on the line's queue"
    );

    let transfer = json!({ "to": { "queue": sales }, "note": "for sales" });
    let url = format!("{}/api/v1/chats/{chat}/transfer", app.address);
    assert_eq!(ben.client.post(url).json(&transfer).send().await.unwrap().status(), 204);
    assert_eq!(app.wait_chats(&ana.client, |c| c.len() == 2).await.len(), 2, "a transfer goes where it was sent");
    assert!(app.wait_chats(&ben.client, |c| c.is_empty()).await.is_empty());
}

/// Waits until the import has done every row (failing when it stops moving); answers what it came to.
async fn finished_import(app: &TestApp, client: &reqwest::Client, import: &str) -> Value {
    let (mut done, mut since) = (None, std::time::Instant::now());
    loop {
        let status = app.get_json(client, &format!("/api/v1/contacts/imports/{import}")).await;
        if status["finished"] == true {
            return json!({ "created": status["created"], "unchanged": status["unchanged"], "refused": status["refused"] });
        }
        if status["done"] != done.clone().unwrap_or(Value::Null) {
            (done, since) = (Some(status["done"].clone()), std::time::Instant::now());
        }
        assert!(since.elapsed() < Duration::from_secs(30), "the import stopped moving: {status}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Imports a file and waits for its report.
async fn import_file(app: &TestApp, client: &reqwest::Client, file: impl Into<reqwest::Body>) -> Value {
    let response = app.post_file(client, "/api/v1/contacts/import", file).await;
    assert_eq!(response.status(), 202);
    let started: Value = response.json().await.unwrap();
    finished_import(app, client, started["id"].as_str().unwrap()).await
}

async fn export_file(app: &TestApp, client: &reqwest::Client, format: &str) -> String {
    let response = client
        .get(format!("{}/api/v1/contacts/export", app.address))
        .query(&[("format", format)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
    response.text().await.unwrap()
}

/// What two directories must agree on: each contact's details and accounts, by name.
async fn directory(app: &TestApp, client: &reqwest::Client) -> Vec<Value> {
    app.find(client, "")
        .await
        .into_iter()
        .map(|c| {
            json!({
                "name": c["name"], "email": c["email"], "notes": c["notes"], "fields": c["fields"],
                "business": c["business_name"], "accounts": accounts_of(&c),
            })
        })
        .collect()
}

async fn an_export_imported_into_an_empty_company_gives_the_same_contacts_and_twice_creates_nothing_new(
    backend: Backend,
) {
    let app = TestApp::on(backend).start().await;
    let acme =
        created_id_of(app.send(&app.client, Method::POST, "/api/v1/businesses", json!({ "name": "Acme, Ltd" })).await)
            .await;
    app.new_contact(json!({
        "name": "Ana María López", "email": "ana@example.com", "notes": "prefers \"mornings\"\nand e-mail",
        "fields": { "Customer number": "C-42" }, "business_id": acme,
        "accounts": [{ "channel": "whatsapp", "id": "+34612345678" }, { "channel": "whatsapp", "id": "+34699112233" },
                     { "channel": "instagram", "id": "ana.ig" }]
    }))
    .await;
    app.new_contact(json!({ "name": "Pedro", "accounts": [{ "channel": "web", "id": "web-1234" }] })).await;
    app.new_contact(json!({ "name": "Zoe Without Accounts", "email": "zoe@example.com" })).await;
    let file = export_file(&app, &app.client, "standard").await;
    assert!(
        file.starts_with("Name,E-mail,WhatsApp,Instagram,Messenger,Web,API,Business,Notes,Field: Customer number"),
        "{file}"
    );

    let other = app.other_company().await;
    assert!(app.find(&other, "").await.is_empty());
    let report = import_file(&app, &other, file.clone()).await;
    assert_eq!(report, json!({ "created": 3, "unchanged": 0, "refused": [] }));
    assert_eq!(directory(&app, &other).await, directory(&app, &app.client).await, "the same contacts");

    let again = import_file(&app, &other, file).await;
    assert_eq!(
        again,
        json!({ "created": 0, "unchanged": 3, "refused": [] }),
        "the same file twice creates nothing new"
    );
    assert_eq!(app.find(&other, "").await.len(), 3);

    let agent = app.agent("Lucia").await;
    let refused = agent.client.get(format!("{}/api/v1/contacts/export", app.address)).send().await.unwrap();
    assert_eq!(refused.status(), 403, "exports are supervisors'");
}

async fn google_contacts_files_are_imported_and_refused_rows_are_reported_without_losing_the_others(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    // The shape of Google Contacts' export: its own headers, several phones in one cell.
    let google = "First Name,Middle Name,Last Name,Notes,E-mail 1 - Label,E-mail 1 - Value,Phone 1 - Label,Phone 1 - Value,Phone 2 - Label,Phone 2 - Value,Organization Name\n\
        Ana,,López,VIP,* Other,ana@example.com,Mobile,+34 612 34 56 78 ::: +34 699 11 22 33,,,Acme\n\
        Pedro,,,,,,Mobile,not a phone,,,\n\
        ,,,,,,,,,,\n\
        Rosa,María,Díaz,,,,Work,0034 655 44 33 22,Home,+1 415 555 2671,Acme\n";
    let report = import_file(&app, &app.client, google.to_string()).await;
    assert_eq!(report["created"], 2);
    let refused = report["refused"].as_array().unwrap();
    assert_eq!(refused.len(), 2, "{report}");
    assert_eq!(refused[0]["row"], 3);
    assert!(refused[0]["reason"].as_str().unwrap().contains("not a phone"), "{report}");
    assert_eq!(refused[1]["row"], 4);
    assert!(refused[1]["reason"].as_str().unwrap().contains("name"), "{report}");

    let rosa = &app.find(&app.client, "rosa").await[0];
    assert_eq!(rosa["name"], "Rosa María Díaz");
    assert_eq!(rosa["name_source"], "import");
    assert_eq!(accounts_of(rosa), vec!["whatsapp:+14155552671", "whatsapp:+34655443322"]);
    assert_eq!(rosa["business_name"], "Acme");
    assert_eq!(app.names_found("acme").await, vec!["Ana López", "Rosa María Díaz"], "one business, found by both");
    assert_eq!(app.get_json(&app.client, "/api/v1/businesses").await.as_array().unwrap().len(), 1);

    let exported = export_file(&app, &app.client, "google").await;
    assert!(
        exported.contains("Ana,López,VIP,* Other,ana@example.com,Mobile,+34612345678 ::: +34699112233,Acme"),
        "{exported}"
    );
    let not_csv = import_file_status(&app, "Phone,Mail\n1,2\n").await;
    assert_eq!(not_csv.0, 422);
    assert!(not_csv.1.contains("\"First Name\""), "{}", not_csv.1);
}

async fn import_file_status(app: &TestApp, file: &str) -> (u16, String) {
    let response =
        app.client.post(format!("{}/api/v1/contacts/import", app.address)).body(file.to_string()).send().await.unwrap();
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap();
    (status, body["error"].as_str().unwrap_or_default().to_string())
}

async fn an_excel_workbook_is_imported_like_a_csv_and_a_broken_one_is_refused_with_the_reason(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (column, title) in ["Name", "E-mail", "WhatsApp", "Business", "Field: Customer number"].into_iter().enumerate()
    {
        sheet.write_string(0, column as u16, title).unwrap();
    }
    sheet.write_string(1, 0, "Ana López").unwrap();
    sheet.write_string(1, 1, "ana@example.com").unwrap();
    // Spreadsheets keep phone numbers as numbers.
    sheet.write_number(1, 2, 34612345678.0).unwrap();
    sheet.write_string(1, 3, "Acme").unwrap();
    sheet.write_number(1, 4, 42.0).unwrap();
    sheet.write_string(2, 0, "Bad Number").unwrap();
    sheet.write_string(2, 2, "12").unwrap();
    let file = workbook.save_to_buffer().unwrap();

    let report = import_file(&app, &app.client, file.clone()).await;
    assert_eq!(report["created"], 1, "{report}");
    assert_eq!(report["refused"][0]["row"], 3);
    assert!(report["refused"][0]["reason"].as_str().unwrap().contains("\"12\""), "{report}");
    let ana = &app.find(&app.client, "ana").await[0];
    assert_eq!(accounts_of(ana), vec!["whatsapp:+34612345678"]);
    assert_eq!(ana["business_name"], "Acme");
    assert_eq!(ana["fields"]["Customer number"], "42");

    let mut broken = file[..200].to_vec();
    broken.extend_from_slice(b"not the rest of a workbook");
    let refused = app.client.post(format!("{}/api/v1/contacts/import", app.address)).body(broken).send().await.unwrap();
    assert_eq!(refused.status(), 422);
    let body: Value = refused.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains(".xlsx"), "{body}");
}

/// A workbook of `rows` (the first one its header) as rust_xlsxwriter writes it.
fn workbook(rows: &[&[&str]], adjust: impl FnOnce(&mut rust_xlsxwriter::Worksheet)) -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, value) in row.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, *value).unwrap();
        }
    }
    adjust(sheet);
    workbook.save_to_buffer().unwrap()
}

/// `file` with one more part of `size` zero bytes, which packs to a few kilobytes.
fn with_packed_zeros(file: &[u8], size: usize) -> Vec<u8> {
    use std::io::Write;
    let mut source = zip::ZipArchive::new(std::io::Cursor::new(file)).unwrap();
    let mut packed = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for index in 0..source.len() {
        packed.raw_copy_file(source.by_index(index).unwrap()).unwrap();
    }
    let deflated = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    packed.start_file("xl/media/zeros.bin", deflated).unwrap();
    let zeros = vec![0u8; 1024 * 1024];
    for _ in 0..size / zeros.len() {
        packed.write_all(&zeros).unwrap();
    }
    packed.finish().unwrap().into_inner()
}

async fn hostile_workbooks_are_refused_with_422_or_read_within_limits_and_the_server_goes_on(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let refusal = |file: Vec<u8>| {
        let client = app.client.clone();
        let url = format!("{}/api/v1/contacts/import", app.address);
        async move {
            let response = client.post(url).body(file).send().await.unwrap();
            let status = response.status().as_u16();
            let body: Value = response.json().await.unwrap();
            (status, body["error"].as_str().unwrap_or_default().to_string())
        }
    };
    let header: &[&str] = &["Name", "E-mail"];

    // A few kilobytes that unpack to 64 MB.
    let bomb = with_packed_zeros(&workbook(&[header, &["Ana", "ana@example.com"]], |_| {}), 64 * 1024 * 1024);
    assert!(bomb.len() < 200 * 1024, "the bomb is small: {} bytes", bomb.len());
    let (status, error) = refusal(bomb).await;
    assert_eq!((status, error.as_str()), (422, "the workbook unpacks to more than 32 MB"));

    // More rows than a sheet may have.
    let many = workbook(&[header], |sheet| {
        for row in 1..=200_001u32 {
            sheet.write_string(row, 0, "x").unwrap();
        }
    });
    let (status, error) = refusal(many).await;
    assert_eq!((status, error.as_str()), (422, "the sheet has more than 200000 rows"));

    // More named columns than a sheet may have.
    let wide = workbook(&[], |sheet| {
        for column in 0..501u16 {
            sheet.write_string(0, column, format!("Field: f{column}")).unwrap();
        }
    });
    let (status, error) = refusal(wide).await;
    assert_eq!((status, error.as_str()), (422, "the sheet has more than 500 columns"));

    // A sheet that declares the largest size a workbook can have, for one far cell, is read for
    // what it holds (it used to be laid out in memory whole).
    let far = workbook(&[header, &["Ana", "ana@example.com"]], |sheet| {
        sheet.write_string(1_048_575, 16_383, "far away").unwrap();
    });
    let report = import_file(&app, &app.client, far).await;
    assert_eq!(report["created"], 1, "{report}");
    assert_eq!(app.find(&app.client, "ana").await.len(), 1, "the server went on, and kept the valid row");
}

async fn exported_cells_a_spreadsheet_would_run_are_text_and_import_back_as_they_were(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let name = "=HYPERLINK(\"http://attacker.example\",\"Click\")";
    app.new_contact(
        json!({ "name": name, "notes": "@SUM(A1)", "accounts": [{ "channel": "whatsapp", "id": "+34612345678" }],
                            "fields": { "Code": "-1+2" } }),
    )
    .await;
    let exported = export_file(&app, &app.client, "standard").await;
    let row = exported.lines().nth(1).unwrap_or_default();
    assert!(row.starts_with("\"'=HYPERLINK("), "the formula is text: {row}");
    assert!(row.contains(",'@SUM(A1),") && row.ends_with(",'-1+2"), "{row}");
    assert!(row.contains(",+34612345678,"), "a phone number stays a number: {row}");
    let google = export_file(&app, &app.client, "google").await;
    assert!(google.lines().nth(1).unwrap_or_default().starts_with("\"'=HYPERLINK("), "{google}");

    let other = app.other_company().await;
    let report = import_file(&app, &other, exported).await;
    assert_eq!(report["created"], 1, "{report}");
    let imported = &app.find(&other, "HYPERLINK").await[0];
    assert_eq!(imported["name"], name, "imported back as it was");
    assert_eq!(imported["notes"], "@SUM(A1)");
    assert_eq!(imported["fields"]["Code"], "-1+2");
}

async fn a_large_import_runs_in_the_background_shows_its_progress_and_resumes_after_a_restart(backend: Backend) {
    const ROWS: usize = 5_000;
    let app = TestApp::on(backend).start().await;
    let mut file = String::from("Name,WhatsApp,Business\n");
    for n in 0..ROWS {
        // Every five hundredth row's number is too short to be one.
        let phone = if n % 500 == 499 { "12".to_string() } else { format!("+3461{n:07}") };
        file.push_str(&format!("Person {n},{phone},Firm {}\n", n % 3));
    }
    let response = app.post_file(&app.client, "/api/v1/contacts/import?name=people.csv", file).await;
    assert_eq!(response.status(), 202);
    let started: Value = response.json().await.unwrap();
    assert_eq!((started["rows"].as_u64(), started["done"].as_u64()), (Some(ROWS as u64), Some(0)));
    assert_eq!(started["file_name"], "people.csv");
    let import = started["id"].as_str().unwrap().to_string();

    let status = format!("/api/v1/contacts/imports/{import}");
    let begun = |status: &Value| status["done"].as_u64().is_some_and(|done| done > 0);
    let half_way = eventually("the import's first rows", || app.get_json(&app.client, &status), begun).await;
    let TestApp { database, server, .. } = app;
    drop(server);
    let done_when_stopped = half_way["done"].as_u64().unwrap();
    assert!(done_when_stopped < ROWS as u64 && half_way["finished"] == false, "stopped half-way: {half_way}");

    let app = TestApp::on_database(database).start().await;
    let resumed = std::time::Instant::now();
    let report = finished_import(&app, &app.client, &import).await;
    eprintln!("{} rows resumed at row {done_when_stopped} and finished in {:?}", ROWS, resumed.elapsed());
    assert_eq!(report["created"], (ROWS - ROWS / 500) as u64, "every valid row once, none lost: {}", report["created"]);
    assert_eq!(report["unchanged"], 0, "no row done twice");
    let refused = report["refused"].as_array().unwrap();
    assert_eq!(refused.len(), ROWS / 500);
    assert_eq!(refused[0]["row"], 501, "numbered as in the file, the header being row 1");
    assert!(refused[0]["reason"].as_str().unwrap().contains("\"12\""), "{}", refused[0]);
    let exported = export_file(&app, &app.client, "standard").await;
    assert_eq!(exported.lines().count(), 1 + ROWS - ROWS / 500);
    assert_eq!(app.names_found("+34 61 0001234").await, vec!["Person 1234"]);
    assert_eq!(app.get_json(&app.client, "/api/v1/businesses").await.as_array().unwrap().len(), 3);
}

async fn consent_in_bulk_is_previewed_row_by_row_and_a_file_with_a_refused_row_stores_nothing(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let ana =
        app.new_contact(json!({ "name": "Ana", "accounts": [{ "channel": "whatsapp", "id": "+34612345678" }] })).await;
    let file = "Name,Phone,Consent\n\
        Ana,612 34 56 78,yes\n\
        Nuevo,+34 699 11 22 33,\n\
        Bad,12,yes\n\
        Ana again,+34612345678,no\n";
    let preview = app.post_file(&app.client, "/api/v1/contacts/consents/preview?country=ES", file).await;
    assert_eq!(preview.status(), 200);
    let preview: Value = preview.json().await.unwrap();
    assert_eq!(
        (preview["to_record"].as_u64(), preview["new_contacts"].as_u64(), preview["refused"].as_u64()),
        (Some(2), Some(1), Some(2)),
        "{preview}"
    );
    let rows = preview["rows"].as_array().unwrap();
    assert_eq!((rows[0]["row"].as_u64(), rows[0]["number"].as_str()), (Some(2), Some("+34612345678")));
    assert_eq!((rows[0]["contact_id"].as_str(), rows[0]["contact_name"].as_str()), (Some(ana.as_str()), Some("Ana")));
    assert_eq!(
        (rows[1]["number"].as_str(), rows[1]["contact_name"].as_str(), rows[1]["given"].as_bool()),
        (Some("+34699112233"), None, Some(true))
    );
    assert!(rows[2]["error"].as_str().unwrap().contains("\"12\""), "{}", rows[2]);
    assert!(rows[3]["error"].as_str().unwrap().contains("row 2 says the opposite"), "{}", rows[3]);

    let refused = app.post_file(&app.client, "/api/v1/contacts/consents/import?country=ES", file).await;
    assert_eq!(refused.status(), 422);
    let error = refused.json::<Value>().await.unwrap()["error"].as_str().unwrap().to_string();
    assert!(error.contains("nothing was stored") && error.contains("row 4") && error.contains("row 5"), "{error}");
    assert!(app.card(&ana).await["consents"].as_array().unwrap().is_empty(), "nothing stored");
    assert!(app.find(&app.client, "699112233").await.is_empty(), "no contact made");

    let good = "Name,Phone,Consent\nAna,612 34 56 78,yes\nNuevo,+34 699 11 22 33,\n";
    let stored = app.post_file(&app.client, "/api/v1/contacts/consents/import?country=ES", good).await;
    assert_eq!(stored.status(), 200);
    assert_eq!(stored.json::<Value>().await.unwrap()["to_record"], 2);
    let card = app.card(&ana).await;
    assert_eq!(card["reachable"][0]["consented"], true);
    assert_eq!(card["consents"][0]["source"], "import");
    let nuevo = &app.find(&app.client, "699112233").await[0];
    assert_eq!(nuevo["name"], "Nuevo");
    assert_eq!(app.card(nuevo["contact_id"].as_str().unwrap()).await["reachable"][0]["consented"], true);
    let again: Value =
        app.post_file(&app.client, "/api/v1/contacts/consents/import?country=ES", good).await.json().await.unwrap();
    assert_eq!(
        (again["to_record"].as_u64(), again["new_contacts"].as_u64()),
        (Some(0), Some(0)),
        "the same file twice records nothing new"
    );

    // A bare list of numbers, withdrawing consent on the whole channel.
    let channel = app
        .post_file(&app.client, "/api/v1/contacts/consents/import?given=false&level=channel", "+34612345678\n")
        .await;
    assert_eq!(channel.status(), 200);
    let consents = app.card(&ana).await["consents"].clone();
    assert!(
        consents.as_array().unwrap().iter().any(|c| c["scope"]["level"] == "channel" && c["given"] == false),
        "{consents}"
    );
    assert_eq!(app.card(&ana).await["reachable"][0]["consented"], true, "the number's own consent is more specific");

    let agent = app.agent("Lucia").await;
    let forbidden = app.post_file(&agent.client, "/api/v1/contacts/consents/preview", good).await;
    assert_eq!(forbidden.status(), 403, "bulk consent is supervisors'");
}

async fn a_search_gives_the_first_contacts_by_name_that_every_word_finds_however_many_share_one(backend: Backend) {
    const FIRST: [&str; 6] = ["Ana", "Paula", "Pedro", "Sofía", "Lucía", "Anabel"];
    const LAST: [&str; 6] = ["García", "Torres", "Pérez", "Gómez", "Ruiz", "Garcés"];
    let app = TestApp::on(backend).start().await;
    let mut names = Vec::new();
    let mut file = String::from("Name,WhatsApp\n");
    for n in 0..720 {
        let name = format!("{} {} {}", FIRST[n % 6], LAST[(n / 6) % 6], n / 36);
        file.push_str(&format!("{name},+34 68{:07}\n", n));
        names.push(name);
    }
    let report = import_file(&app, &app.client, file).await;
    assert_eq!(report["created"], 720, "{report}");

    let folded = |text: &str| {
        text.to_lowercase().replace('á', "a").replace('é', "e").replace('í', "i").replace('ó', "o").replace('ú', "u")
    };
    // What the directory owes: the names each of whose words starts some word of the name, by name.
    let expected = |query: &str, limit: usize| {
        let mut found: Vec<&String> = names
            .iter()
            .filter(|name| {
                let words: Vec<String> = folded(name).split(' ').map(str::to_string).collect();
                folded(query).split(' ').all(|asked| words.iter().any(|word| word.starts_with(asked)))
            })
            .collect();
        found.sort_by_key(|name| name.to_lowercase());
        found.into_iter().take(limit).cloned().collect::<Vec<_>>()
    };
    for (query, limit) in [
        ("paula torres", 50),
        ("torres paula", 50),
        ("sofia garc", 50),
        ("ana", 50),
        ("an", 7),
        ("a", 50),
        ("garc", 200),
        ("lucia ruiz 19", 50),
        ("pedro anabel", 50),
        ("p t 1", 50),
    ] {
        let response = app
            .client
            .get(format!("{}/api/v1/contacts", app.address))
            .query(&[("q", query), ("limit", &limit.to_string())])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let found: Vec<String> = response
            .json::<Vec<Value>>()
            .await
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap().to_string())
            .collect();
        let owed = expected(query, limit);
        assert_eq!(found, owed, "{query} (limit {limit})");
        assert!(!owed.is_empty() || query == "pedro anabel", "{query} is meant to find someone");
    }
}

async fn the_bot_does_not_ask_for_a_consent_the_contact_gave_elsewhere(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let key = app.api_key().await;
    let (line, mut hook) = app.line_asking_consent().await;
    let ana =
        app.new_contact(json!({ "name": "Ana", "accounts": [{ "channel": "whatsapp", "id": "+34612345678" }] })).await;
    let pedro = app
        .new_contact(json!({ "name": "Pedro", "accounts": [{ "channel": "whatsapp", "id": "+34699112233" }] }))
        .await;
    // An agent recorded Ana's consent for the whole channel; Pedro withdrew his everywhere.
    for (contact, scope, given) in [
        (&ana, json!({ "level": "channel", "channel": "whatsapp" }), true),
        (&pedro, json!({ "level": "general" }), false),
    ] {
        let body = json!({ "scope": scope, "given": given });
        let response = app.send(&app.client, Method::POST, &format!("/api/v1/contacts/{contact}/consents"), body).await;
        assert_eq!(response.status(), 204);
        let recorded = |card: &Value| card["reachable"][0]["consented"] == given;
        eventually("the consent on the contact's card", || app.card(contact), recorded).await;
    }
    let mut first_answer = async |number: &str| {
        let body = json!({ "channel": "whatsapp", "contact_id": number, "name": "Someone", "text": "hola" });
        assert_eq!(app.inbound(&key, &line, body).await.status(), 202);
        let (_, told) = hook.next().await;
        told["text"].as_str().unwrap().to_string()
    };
    assert_eq!(first_answer("+34612345678").await, "Welcome\n1. Buy", "Ana's consent is on record: the menu at once");
    assert_eq!(first_answer("+34699112233").await, "May we write to you here?\n1. Yes\n2. No", "Pedro is asked");
    assert_eq!(first_answer("+34655443322").await, "May we write to you here?\n1. Yes\n2. No", "so is a stranger");
}

async fn a_providers_opt_out_and_opt_in_are_the_accounts_consent_with_their_source(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let key = app.api_key().await;
    let (line, mut hook) = app.line_asking_consent().await;
    let report = |key: &str, line: &str, body: Value| {
        let request = anonymous().post(format!("{}/api/v1/lines/{line}/consents", app.address)).bearer_auth(key);
        async move { request.json(&body).send().await.unwrap() }
    };
    let ana =
        app.new_contact(json!({ "name": "Ana", "accounts": [{ "channel": "whatsapp", "id": "+34612345678" }] })).await;
    let general = json!({ "scope": { "level": "general" }, "given": true });
    let recorded = app.send(&app.client, Method::POST, &format!("/api/v1/contacts/{ana}/consents"), general).await;
    assert_eq!(recorded.status(), 204);

    // The provider says Ana opted out of this number: it decides over her general consent (K4).
    let opt_out = json!({ "channel": "whatsapp", "contact_id": "+34 612 34 56 78", "given": false,
                          "at": "2026-01-02T03:04:05Z" });
    let response = report(&key, &line, opt_out.clone()).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["contact_id"], ana.as_str(), "the account's contact");
    let card = app.card(&ana).await;
    assert_eq!(card["reachable"][0]["consented"], false);
    let recorded: Vec<(String, String)> = card["consents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["source"].as_str().unwrap().into(), c["at"].as_str().unwrap().into()))
        .collect();
    assert!(recorded.contains(&("provider".into(), "2026-01-02T03:04:05Z".into())), "{recorded:?}");
    assert_eq!(report(&key, &line, opt_out).await.status(), 200);
    let history = app.get_json(&app.client, &format!("/api/v1/contacts/{ana}")).await;
    assert_eq!(history["consents"].as_array().unwrap().len(), 2, "the same report twice records it once");
    let first_answer = async |hook: &mut Webhook, number: &str| {
        let body = json!({ "channel": "whatsapp", "contact_id": number, "text": "hola" });
        assert_eq!(app.inbound(&key, &line, body).await.status(), 202);
        hook.next().await.1["text"].as_str().unwrap().to_string()
    };
    assert_eq!(first_answer(&mut hook, "+34612345678").await, "May we write to you here?\n1. Yes\n2. No");

    // A number nobody knew opts in: it gets a contact, and the bot does not ask it.
    let opt_in = json!({ "channel": "whatsapp", "contact_id": "+34699112233", "given": true });
    let response = report(&key, &line, opt_in).await;
    assert_eq!(response.status(), 200);
    let stranger: Value = response.json().await.unwrap();
    let card = app.card(stranger["contact_id"].as_str().unwrap()).await;
    assert_eq!(card["contact"]["name"], "+34699112233");
    assert_eq!(card["reachable"][0]["consented"], true);
    assert_eq!(card["consents"][0]["source"], "provider");
    assert_eq!(first_answer(&mut hook, "+34699112233").await, "Welcome\n1. Buy");

    let ahead = (SystemClock.now() + chrono::Duration::minutes(1)).to_rfc3339();
    let body = json!({ "channel": "whatsapp", "contact_id": "+34611000111", "given": false, "at": ahead });
    assert_eq!(report(&key, &line, body).await.status(), 200, "a provider's clock a little ahead is taken as now");

    // Bad reports are refused with the reason, and record nothing.
    let fine = json!({ "channel": "whatsapp", "contact_id": "+34655443322", "given": false });
    assert_eq!(report("not a key", &line, fine.clone()).await.status(), 401);
    assert_eq!(report(&key, &uuid::Uuid::now_v7().to_string(), fine).await.status(), 404);
    for (body, reason) in [
        (json!({ "channel": "whatsapp", "contact_id": "12", "given": false }), "contact_id:"),
        (
            json!({ "channel": "whatsapp", "contact_id": "+34655443322", "given": false, "at": "2999-01-01T00:00:00Z" }),
            "at:",
        ),
    ] {
        let response = report(&key, &line, body).await;
        assert_eq!(response.status(), 422);
        let body: Value = response.json().await.unwrap();
        assert!(body["error"].as_str().unwrap().starts_with(reason), "{body}");
    }
    let response = report(&key, &line, json!({ "channel": "whatsapp", "given": false })).await;
    assert_eq!(response.status(), 400);
    assert!(app.find(&app.client, "655443322").await.is_empty(), "no contact for a refused report");
}
