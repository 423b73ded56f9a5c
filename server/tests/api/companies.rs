//! Companies over HTTP, on both backends: the operator creates them and sets their limits (A2);
//! nothing of one company is visible to or changeable by another.

use crate::support::*;
use eventlog::testing::Backend;

eventlog::on_both_backends!(
    companies_created_by_the_operator_never_see_nor_touch_each_others_data,
    only_the_operator_creates_companies_and_bad_requests_are_refused,
    a_company_limits_its_agents_and_its_signed_in_agents,
    a_supervisor_brands_the_company_with_a_name_and_a_logo_anyone_may_see_and_nothing_else,
);

fn operator() -> reqwest::Client {
    anonymous()
}

async fn create_company(app: &TestApp, name: &str, email: &str) -> reqwest::Response {
    operator()
        .post(format!("{}/api/v1/companies", app.address))
        .bearer_auth(OPERATOR_TOKEN)
        .json(&serde_json::json!({
            "name": name,
            "supervisor": { "name": "Boss", "email": email, "password": "boss password" },
        }))
        .send()
        .await
        .unwrap()
}

async fn status(client: &reqwest::Client, method: reqwest::Method, url: String, body: serde_json::Value) -> u16 {
    client.request(method, url).json(&body).send().await.unwrap().status().as_u16()
}

async fn companies_created_by_the_operator_never_see_nor_touch_each_others_data(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let queue = created_id(app.create_queue("Sales").await, "id").await;
    let agent = created_id(app.create_agent("Ana", "ana@example.com", "agent password").await, "user_id").await;
    let key_a = created_id(
        app.send(&app.client, reqwest::Method::POST, "/api/v1/api-keys", serde_json::json!({ "name": "A" })).await,
        "key",
    )
    .await;
    let line_a = created_id(
        app.send(
            &app.client,
            reqwest::Method::POST,
            "/api/v1/lines",
            serde_json::json!({ "name": "A", "routing": { "queue": queue } }),
        )
        .await,
        "id",
    )
    .await;
    let chat = created_id(
        anonymous()
            .post(format!("{}/api/v1/lines/{line_a}/messages", app.address))
            .bearer_auth(&key_a)
            .json(&serde_json::json!({ "contact_id": "c1", "text": "hola" }))
            .send()
            .await
            .unwrap(),
        "chat_id",
    )
    .await;

    assert_eq!(create_company(&app, "Other Co", "boss@other.example").await.status(), 201);
    let other = signed_in(&app.address, "boss@other.example", "boss password").await;
    let url = |path: &str| format!("{}{path}", app.address);
    for path in [
        "/api/v1/queues",
        "/api/v1/agents",
        "/api/v1/chats",
        "/api/v1/lines",
        "/api/v1/api-keys",
        "/api/v1/pause-reasons",
    ] {
        let seen = app.get_json(&other, path).await;
        assert_eq!(seen, serde_json::json!([]), "{path} shows nothing of the first company");
    }
    assert_eq!(
        status(&other, reqwest::Method::GET, url(&format!("/api/v1/chats/{chat}")), serde_json::json!({})).await,
        404
    );
    let capacity = url(&format!("/api/v1/agents/{agent}/capacity"));
    assert_eq!(status(&other, reqwest::Method::PUT, capacity, serde_json::json!({ "capacity": 5 })).await, 404);
    let member = url(&format!("/api/v1/queues/{queue}/members/{agent}"));
    assert_eq!(status(&other, reqwest::Method::PUT, member, serde_json::json!({})).await, 404);
    let resolve = url(&format!("/api/v1/chats/{chat}/resolve"));
    assert_eq!(status(&other, reqwest::Method::POST, resolve, serde_json::json!({})).await, 404);
    let routing = serde_json::json!({ "name": "Mine", "routing": { "queue": queue } });
    assert_eq!(
        status(&other, reqwest::Method::POST, url("/api/v1/lines"), routing).await,
        422,
        "a queue of another company"
    );

    let key_b = created_id(
        app.send(&other, reqwest::Method::POST, "/api/v1/api-keys", serde_json::json!({ "name": "B" })).await,
        "key",
    )
    .await;
    let foreign = anonymous()
        .post(url(&format!("/api/v1/lines/{line_a}/messages")))
        .bearer_auth(&key_b)
        .json(&serde_json::json!({ "contact_id": "c9", "text": "hola" }))
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), 404, "a key of one company does not reach another's line");
    let chats = app.get_json(&app.client, "/api/v1/chats").await;
    assert_eq!(chats.as_array().unwrap().len(), 1, "the first company's chats are untouched");
}

async fn only_the_operator_creates_companies_and_bad_requests_are_refused(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let body = serde_json::json!({ "name": "X", "supervisor": { "name": "B", "email": "b@x.example", "password": "long enough" } });
    let url = format!("{}/api/v1/companies", app.address);
    let anonymous_try = anonymous().post(&url).json(&body).send().await.unwrap();
    assert_eq!(anonymous_try.status(), 401);
    let wrong = anonymous().post(&url).bearer_auth("not the operator token").json(&body).send().await.unwrap();
    assert_eq!(wrong.status(), 401);
    assert_eq!(
        app.client.post(&url).json(&body).send().await.unwrap().status(),
        401,
        "a supervisor is not the operator"
    );
    let malformed = operator().post(&url).bearer_auth(OPERATOR_TOKEN).body("{").send().await.unwrap();
    assert_eq!(malformed.status(), 400);
    let zero = serde_json::json!({ "name": "X", "limits": { "max_agents": 0 }, "supervisor": { "name": "B", "email": "b@x.example", "password": "long enough" } });
    let refused = operator().post(&url).bearer_auth(OPERATOR_TOKEN).json(&zero).send().await.unwrap();
    assert_eq!(refused.status(), 422);
    assert_eq!(create_company(&app, "Dup", ADMIN_EMAIL).await.status(), 409, "the e-mail already has an account");
}

async fn a_company_limits_its_agents_and_its_signed_in_agents(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let company = app.get_json(&app.client, "/api/v1/company").await["id"].as_str().unwrap().to_string();
    let limits = serde_json::json!({ "max_agents": 2, "max_signed_in_agents": 1 });
    let set = operator()
        .put(format!("{}/api/v1/companies/{company}/limits", app.address))
        .bearer_auth(OPERATOR_TOKEN)
        .json(&limits)
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), 204);

    let ana = created_id(app.create_agent("Ana", "ana@example.com", "agent password").await, "user_id").await;
    assert_eq!(app.create_agent("Ben", "ben@example.com", "agent password").await.status(), 201);
    let third = app.create_agent("Cy", "cy@example.com", "agent password").await;
    assert_eq!(third.status(), 409);
    let body: serde_json::Value = third.json().await.unwrap();
    assert_eq!(body["error"], "your company may have at most 2 agents; deactivate one or raise the limit");
    let deactivate = format!("/api/v1/agents/{ana}/deactivate");
    assert_eq!(app.send(&app.client, reqwest::Method::POST, &deactivate, serde_json::json!({})).await.status(), 204);
    assert_eq!(app.create_agent("Cy", "cy@example.com", "agent password").await.status(), 201, "the seat was freed");

    let ben = anonymous();
    assert_eq!(sign_in(&ben, &app.address, "ben@example.com", "agent password").await.status(), 200);
    let cy = anonymous();
    let refused = sign_in(&cy, &app.address, "cy@example.com", "agent password").await;
    assert_eq!(refused.status(), 409);
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["error"], "all 1 agent places of your company are signed in; try again when someone signs out");
    let used = app.get_json(&app.client, "/api/v1/company").await;
    assert_eq!((used["agents"].as_u64(), used["signed_in_agents"].as_u64()), (Some(2), Some(1)));
    assert_eq!(ben.delete(format!("{}/api/v1/session", app.address)).send().await.unwrap().status(), 204);
    assert_eq!(sign_in(&cy, &app.address, "cy@example.com", "agent password").await.status(), 200);
}

/// The smallest PNG: one transparent pixel.
const PIXEL: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\0\x01\0\0\x05\0\x01\r\n-\xb4\0\0\0\0IEND\xaeB`\x82";

async fn upload_logo(app: &TestApp, client: &reqwest::Client, content_type: &str, body: Vec<u8>) -> reqwest::Response {
    client
        .post(format!("{}/api/v1/company/logo", app.address))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn a_supervisor_brands_the_company_with_a_name_and_a_logo_anyone_may_see_and_nothing_else(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let name = |value: &str| serde_json::json!({ "name": value });
    let rename = app.send(&app.client, reqwest::Method::PUT, "/api/v1/company/name", name("  Acme   Andina ")).await;
    assert_eq!(rename.status(), 204);
    assert_eq!(app.get_json(&app.client, "/api/v1/company").await["name"], "Acme Andina");
    let empty = app.send(&app.client, reqwest::Method::PUT, "/api/v1/company/name", name("   ")).await;
    assert_eq!(empty.status(), 422);

    let svg = b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>".to_vec();
    assert_eq!(upload_logo(&app, &app.client, "image/svg+xml", svg).await.status(), 415, "an SVG may run script");
    let html = b"<html><script>alert(1)</script></html>".to_vec();
    assert_eq!(upload_logo(&app, &app.client, "image/png", html).await.status(), 415, "not the PNG it says it is");
    let mut huge = PIXEL.to_vec();
    huge.resize(1024 * 1024 + 1, 0);
    assert_eq!(upload_logo(&app, &app.client, "image/png", huge).await.status(), 413);
    let agent = created_id(app.create_agent("Ana", "ana@example.com", "agent password").await, "user_id").await;
    assert!(!agent.is_empty());
    let ana = signed_in(&app.address, "ana@example.com", "agent password").await;
    assert_eq!(upload_logo(&app, &ana, "image/png", PIXEL.to_vec()).await.status(), 403);

    let kept = upload_logo(&app, &app.client, "image/png", PIXEL.to_vec()).await;
    assert_eq!(kept.status(), 200);
    let logo = kept.json::<serde_json::Value>().await.unwrap()["logo_url"].as_str().unwrap().to_string();
    let seen = anonymous().get(format!("{}{logo}", app.address)).send().await.unwrap();
    assert_eq!(seen.status(), 200, "anyone sees the logo: sign-in pages show it");
    assert_eq!(seen.headers()["content-type"], "image/png");
    assert_eq!(seen.headers()["x-content-type-options"], "nosniff");
    assert_eq!(seen.bytes().await.unwrap().as_ref(), PIXEL);

    // Another company's file, asked for under this company's address, is nobody's logo.
    let other = app.other_company().await;
    let mut theirs = PIXEL.to_vec();
    theirs.extend_from_slice(b"other");
    let their_logo = upload_logo(&app, &other, "image/png", theirs).await.json::<serde_json::Value>().await.unwrap();
    let their_file = their_logo["logo_url"].as_str().unwrap().rsplit('/').next().unwrap().to_string();
    let ours = logo.rsplit_once('/').unwrap().0;
    let crossed = anonymous().get(format!("{}{ours}/{their_file}", app.address)).send().await.unwrap();
    assert_eq!(crossed.status(), 404);

    let removed = app.client.delete(format!("{}/api/v1/company/logo", app.address)).send().await.unwrap();
    assert_eq!(removed.status(), 204);
    let gone = anonymous().get(format!("{}{logo}", app.address)).send().await.unwrap();
    assert_eq!(gone.status(), 404, "a logo taken away is served no more");
}
