//! People's own accounts: a password changed signs out whoever knew the old one; a deactivated
//! supervisor or auditor is signed out like an agent; a session's end closes its live connections
//! at once; the first supervisor with the default password is asked to change it.

use crate::support::*;
use chrono::Duration;
use eventlog::testing::Backend;
use futures::StreamExt;
use server::clock::TestClock;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

eventlog::on_both_backends!(
    a_changed_password_ends_the_other_sessions_and_the_old_password,
    sign_out_deactivation_and_expiry_close_the_live_connections_at_once,
    supervisors_and_auditors_are_deactivated_and_a_company_keeps_a_supervisor,
    the_first_supervisor_with_the_default_password_is_asked_to_change_it,
);

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// The live WebSocket of a session (its cookie), past its greeting.
async fn live_socket(app: &TestApp, cookie: &str) -> Socket {
    let mut request = format!("{}/api/v1/ws", app.address.replace("http://", "ws://")).into_client_request().unwrap();
    request.headers_mut().insert("cookie", cookie.parse().unwrap());
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.expect("the live socket opens");
    assert_eq!(socket.next().await.and_then(|m| m.ok()), Some(Message::text(r#"{"topic":"connected"}"#)));
    socket
}

/// Reads the socket until the server closes it; fails, saying what came, if it does not within
/// ten seconds.
async fn closed_by_the_server(socket: &mut Socket, why: &str) {
    let mut seen = Vec::new();
    let outcome = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        loop {
            match socket.next().await {
                Some(Ok(Message::Text(text))) => seen.push(text.to_string()),
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                _ => return,
            }
        }
    })
    .await;
    assert!(outcome.is_ok(), "{why}: the socket stayed open; it received {seen:?}");
}

/// A session cookie for `email`.
async fn cookie_of(app: &TestApp, email: &str, password: &str) -> String {
    let answer = sign_in(&anonymous(), &app.address, email, password).await;
    assert_eq!(answer.status(), 200, "{email} signs in");
    answer.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string()
}

async fn session_status(app: &TestApp, cookie: &str) -> u16 {
    let answer = anonymous().get(format!("{}/api/v1/session", app.address)).header("cookie", cookie).send().await;
    answer.unwrap().status().as_u16()
}

async fn change_password(app: &TestApp, cookie: &str, current: &str, new: &str) -> (u16, String) {
    let answer = anonymous()
        .put(format!("{}/api/v1/session/password", app.address))
        .header("cookie", cookie)
        .json(&serde_json::json!({ "current": current, "new": new }))
        .send()
        .await
        .unwrap();
    let status = answer.status().as_u16();
    (status, answer.text().await.unwrap_or_default())
}

async fn a_changed_password_ends_the_other_sessions_and_the_old_password(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let _ana = app.agent("Ana").await;
    let here = cookie_of(&app, "ana@example.com", PASSWORD).await;
    let elsewhere = cookie_of(&app, "ana@example.com", PASSWORD).await;
    let mut elsewhere_live = live_socket(&app, &elsewhere).await;

    let (status, said) = change_password(&app, &here, "not my password", "a brand new one").await;
    assert_eq!(status, 422, "{said}");
    assert!(said.contains("current password is not right"), "{said}");
    let (status, said) = change_password(&app, &here, PASSWORD, "short").await;
    assert_eq!(status, 422, "{said}");
    assert_eq!(session_status(&app, &elsewhere).await, 200, "refused changes end nothing");

    assert_eq!(change_password(&app, &here, PASSWORD, "a brand new one").await.0, 204);
    closed_by_the_server(&mut elsewhere_live, "the other session's socket").await;
    assert_eq!(session_status(&app, &elsewhere).await, 401, "the other session ended");
    assert_eq!(session_status(&app, &here).await, 200, "the session that changed it goes on");
    assert_eq!(sign_in(&anonymous(), &app.address, "ana@example.com", PASSWORD).await.status(), 401);
    assert_eq!(sign_in(&anonymous(), &app.address, "ana@example.com", "a brand new one").await.status(), 200);
    let anonymous_change = anonymous()
        .put(format!("{}/api/v1/session/password", app.address))
        .json(&serde_json::json!({ "current": "a brand new one", "new": "whatever it is" }));
    assert_eq!(anonymous_change.send().await.unwrap().status(), 401, "only a signed-in user changes their own");
}

async fn sign_out_deactivation_and_expiry_close_the_live_connections_at_once(backend: Backend) {
    let clock = TestClock::default();
    let app = TestApp::on(backend).with_clock(clock.clone()).start().await;
    let ana = app.agent("Ana").await;
    let bea = app.agent("Bea").await;
    let created = app
        .client
        .post(format!("{}/api/v1/supervisors", app.address))
        .json(&serde_json::json!({ "name": "Sol", "email": "sol@example.com", "password": "supervisor password" }));
    let sol_id = created.send().await.unwrap().json::<serde_json::Value>().await.unwrap()["user_id"]
        .as_str()
        .unwrap()
        .to_string();
    let sol = cookie_of(&app, "sol@example.com", "supervisor password").await;

    // Signing out closes that session's socket.
    let mut ana_live = live_socket(&app, &ana.cookie).await;
    let signed_out = anonymous().delete(format!("{}/api/v1/session", app.address)).header("cookie", &ana.cookie);
    assert_eq!(signed_out.send().await.unwrap().status(), 204);
    closed_by_the_server(&mut ana_live, "signed out").await;

    // Deactivation closes the supervisor's socket and ends their event stream.
    let mut sol_live = live_socket(&app, &sol).await;
    let mut sol_events =
        anonymous().get(format!("{}/api/v1/live", app.address)).header("cookie", &sol).send().await.unwrap();
    let deactivated = app.client.post(format!("{}/api/v1/supervisors/{sol_id}/deactivate", app.address));
    assert_eq!(deactivated.send().await.unwrap().status(), 204);
    closed_by_the_server(&mut sol_live, "deactivated").await;
    let ended = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        while let Ok(Some(_)) = sol_events.chunk().await {}
    })
    .await;
    assert!(ended.is_ok(), "the deactivated supervisor's event stream ended");

    // Expiry, by the business clock: the next change (or the periodic check) closes the socket.
    let mut bea_live = live_socket(&app, &bea.cookie).await;
    clock.advance(Duration::days(7) + Duration::minutes(1));
    // (The supervisor's own session expired too: they sign in again and make a change.)
    let admin = signed_in(&app.address, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let created = admin.post(format!("{}/api/v1/queues", app.address)).json(&serde_json::json!({ "name": "Later" }));
    assert_eq!(created.send().await.unwrap().status(), 201);
    closed_by_the_server(&mut bea_live, "expired").await;
    assert_eq!(session_status(&app, &bea.cookie).await, 401);
}

async fn supervisors_and_auditors_are_deactivated_and_a_company_keeps_a_supervisor(backend: Backend) {
    let app = TestApp::on(backend).start().await;
    let create = |path: &'static str, email: &'static str| {
        let request = app
            .client
            .post(format!("{}{path}", app.address))
            .json(&serde_json::json!({ "name": "Someone", "email": email, "password": "a good password" }));
        async move {
            request.send().await.unwrap().json::<serde_json::Value>().await.unwrap()["user_id"]
                .as_str()
                .unwrap()
                .to_string()
        }
    };
    let auditor = create("/api/v1/auditors", "audit@example.com").await;
    let supervisor = create("/api/v1/supervisors", "boss2@example.com").await;
    let admin_id = app.client.get(format!("{}/api/v1/session", app.address)).send().await.unwrap();
    let admin_id =
        admin_id.json::<serde_json::Value>().await.unwrap()["user_id"].as_str().unwrap_or_default().to_string();
    let address = app.address.clone();
    let deactivate = move |path: String, client: reqwest::Client| {
        let url = format!("{address}{path}");
        async move { client.post(url).send().await.unwrap().status().as_u16() }
    };

    let auditor_session = cookie_of(&app, "audit@example.com", "a good password").await;
    let agent = app.agent("Ana").await;
    assert_eq!(
        deactivate(format!("/api/v1/auditors/{auditor}/deactivate"), agent.client.clone()).await,
        403,
        "agents may not"
    );
    assert_eq!(
        deactivate(format!("/api/v1/auditors/{}/deactivate", agent.id), app.client.clone()).await,
        404,
        "an agent is no auditor"
    );
    assert_eq!(deactivate(format!("/api/v1/auditors/{auditor}/deactivate"), app.client.clone()).await, 204);
    assert_eq!(session_status(&app, &auditor_session).await, 401, "signed out at once");
    assert_eq!(sign_in(&anonymous(), &app.address, "audit@example.com", "a good password").await.status(), 403);

    let other = app.other_company().await;
    assert_eq!(
        deactivate(format!("/api/v1/supervisors/{supervisor}/deactivate"), other).await,
        404,
        "another company's"
    );
    assert_eq!(deactivate(format!("/api/v1/supervisors/{supervisor}/deactivate"), app.client.clone()).await, 204);
    let last = deactivate(format!("/api/v1/supervisors/{admin_id}/deactivate"), app.client.clone()).await;
    assert_eq!(last, 409, "the last active supervisor stays");
    let still = app.client.get(format!("{}/api/v1/session", app.address)).send().await.unwrap();
    assert_eq!(still.status(), 200, "and is still signed in");
}

async fn the_first_supervisor_with_the_default_password_is_asked_to_change_it(backend: Backend) {
    let default = server::config::DEFAULT_ADMIN_PASSWORD;
    let app = TestApp::on(backend)
        .with_settings(move |settings| settings.admin = Some((ADMIN_EMAIL.to_string(), default.to_string())))
        .start()
        .await;
    let signed = sign_in(&anonymous(), &app.address, ADMIN_EMAIL, default).await;
    assert_eq!(signed.json::<serde_json::Value>().await.unwrap()["password_to_change"], true);
    // The console's sign-in sends them to the page that changes it, in their language.
    let console = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let page = console
        .post(format!("{}/api/sign_in", app.address))
        .form(&[("email", ADMIN_EMAIL), ("password", default)])
        .send()
        .await
        .unwrap();
    let location = page.headers().get("location").and_then(|l| l.to_str().ok()).unwrap_or_default().to_string();
    assert_eq!(location, "/account/password?first=1");
    for (lang, said) in [("en", "default password"), ("es", "contraseña predeterminada")] {
        let shown = app.client.get(format!("{}{location}&lang={lang}", app.address)).send().await.unwrap();
        let html = shown.text().await.unwrap();
        assert!(html.contains(said), "{lang}: {said}");
    }

    let _ana = app.agent("Ana").await;
    let cookie = cookie_of(&app, ADMIN_EMAIL, default).await;
    assert_eq!(change_password(&app, &cookie, default, "my very own password").await.0, 204);
    let again = sign_in(&anonymous(), &app.address, ADMIN_EMAIL, "my very own password").await;
    assert_eq!(again.json::<serde_json::Value>().await.unwrap()["password_to_change"], false, "asked once");
    // Nobody else is asked about theirs.
    let signed = sign_in(&anonymous(), &app.address, "ana@example.com", PASSWORD).await;
    assert_eq!(signed.json::<serde_json::Value>().await.unwrap()["password_to_change"], false);
}
