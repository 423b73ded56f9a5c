//! Companies over HTTP, on both backends: the operator creates them and sets their limits (A2);
//! nothing of one company is visible to or changeable by another.

use crate::support::*;
use eventlog::testing::Backend;

eventlog::on_both_backends!(
    companies_created_by_the_operator_never_see_nor_touch_each_others_data,
    only_the_operator_creates_companies_and_bad_requests_are_refused,
    a_company_limits_its_agents_and_its_signed_in_agents,
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
