//! Floods: what one client may do is limited, the refusal is a 429 with `Retry-After`, and
//! nobody else is held back by it. Client addresses come from `X-Forwarded-For` because the
//! tests' connection is the operator's listed proxy.

use crate::support::*;
use chrono::Duration;
use eventlog::testing::Backend;
use server::clock::TestClock;

eventlog::on_both_backends!(
    failed_sign_ins_make_an_account_wait_longer_each_time_from_any_address,
    failed_sign_ins_from_one_address_make_it_wait_whatever_the_account,
    unknown_accounts_cost_a_password_check_and_checks_run_a_few_at_a_time,
);

const LOCAL: &str = "127.0.0.1";

/// A sign-in from `client` (the address the proxy says it saw): the status, `Retry-After` and the error.
async fn sign_in_from(app: &TestApp, client: &str, email: &str, password: &str) -> (u16, Option<u64>, String) {
    let answer = anonymous()
        .post(format!("{}/api/v1/session", app.address))
        .header("x-forwarded-for", client)
        .json(&serde_json::json!({ "email": email, "password": password }))
        .send()
        .await
        .unwrap();
    let status = answer.status().as_u16();
    let retry_after = answer.headers().get("retry-after").and_then(|value| value.to_str().ok()?.parse().ok());
    let body: serde_json::Value = answer.json().await.unwrap_or_default();
    (status, retry_after, body["error"].as_str().unwrap_or_default().to_string())
}

fn behind_a_proxy(clock: &TestClock, backend: Backend) -> AppBuilder {
    TestApp::on(backend).with_clock(clock.clone()).with_settings(|settings| {
        settings.trusted_proxies = vec![LOCAL.parse().unwrap()];
    })
}

async fn failed_sign_ins_make_an_account_wait_longer_each_time_from_any_address(backend: Backend) {
    let clock = TestClock::default();
    let app = behind_a_proxy(&clock, backend).start().await;
    let _ana = app.agent("Ana").await;
    let free = server::limits::Limits::default().sign_in_free_failures;
    for attempt in 1..=free {
        let (status, _, _) = sign_in_from(&app, "203.0.113.1", ADMIN_EMAIL, "guess").await;
        assert_eq!(status, 401, "free attempt {attempt}");
    }
    // Now the account waits, whatever the address and even with the right password.
    for (client, password) in
        [("203.0.113.1", ADMIN_PASSWORD), ("198.51.100.9", ADMIN_PASSWORD), ("2001:db8::1", "guess")]
    {
        let (status, retry_after, error) = sign_in_from(&app, client, &ADMIN_EMAIL.to_uppercase(), password).await;
        assert_eq!((status, retry_after), (429, Some(1)), "{client}: {error}");
        assert!(error.contains("too many failed sign-ins for this account"), "{error}");
    }
    let (status, _, _) = sign_in_from(&app, "203.0.113.1", "ana@example.com", PASSWORD).await;
    assert_eq!(status, 200, "another account from the same address is not held back");

    clock.advance(Duration::seconds(1));
    assert_eq!(sign_in_from(&app, "203.0.113.1", ADMIN_EMAIL, "guess again").await.0, 401);
    let (status, retry_after, _) = sign_in_from(&app, "203.0.113.1", ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!((status, retry_after), (429, Some(2)), "each failure doubles the wait");
    clock.advance(Duration::seconds(2));
    assert_eq!(sign_in_from(&app, "203.0.113.1", ADMIN_EMAIL, ADMIN_PASSWORD).await.0, 200, "after the wait");
    // A success starts the count again.
    for attempt in 1..=free {
        assert_eq!(sign_in_from(&app, "203.0.113.1", ADMIN_EMAIL, "guess").await.0, 401, "attempt {attempt}");
    }
}

async fn failed_sign_ins_from_one_address_make_it_wait_whatever_the_account(backend: Backend) {
    let clock = TestClock::default();
    let app = behind_a_proxy(&clock, backend).start().await;
    let free = server::limits::Limits::default().sign_in_free_failures_per_address;
    // Made-up accounts from one IPv6 network (a subscriber holds a whole /64).
    for attempt in 1..=free {
        let client = format!("2001:db8:7:7::{attempt:x}");
        let (status, _, _) = sign_in_from(&app, &client, &format!("nobody{attempt}@example.com"), "guess").await;
        assert_eq!(status, 401, "free attempt {attempt}");
    }
    let (status, retry_after, error) = sign_in_from(&app, "2001:db8:7:7::ffff", ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!((status, retry_after), (429, Some(1)), "{error}");
    assert!(error.contains("from your address"), "{error}");
    let (status, _, _) = sign_in_from(&app, "2001:db8:7:8::1", ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(status, 200, "the next network signs in");
    // The console's sign-in page is held to the same limit.
    let page = anonymous()
        .post(format!("{}/api/sign_in", app.address))
        .header("x-forwarded-for", "2001:db8:7:7::1")
        .form(&[("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)])
        .send()
        .await
        .unwrap();
    let said = page.text().await.unwrap_or_default();
    assert!(said.contains("too many failed sign-ins from your address"), "{said}");
    clock.advance(Duration::seconds(1));
    assert_eq!(sign_in_from(&app, "2001:db8:7:7::1", ADMIN_EMAIL, ADMIN_PASSWORD).await.0, 200);
}

async fn unknown_accounts_cost_a_password_check_and_checks_run_a_few_at_a_time(backend: Backend) {
    let app = TestApp::on(backend).with_settings(|settings| settings.limits.password_checks_at_once = 2).start().await;
    let metric = |name: &'static str| {
        let request = anonymous().get(format!("{}/metrics", app.address)).bearer_auth(OPERATOR_TOKEN);
        async move {
            let text = request.send().await.unwrap().text().await.unwrap();
            text.lines()
                .find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.parse::<u64>().ok())
                .unwrap_or_else(|| panic!("{name} in {text}"))
        }
    };
    let checks = metric("sign_in_password_checks_total").await;
    assert_eq!(sign_in(&anonymous(), &app.address, "nobody@example.com", "guess").await.status(), 401);
    assert_eq!(metric("sign_in_password_checks_total").await, checks + 1, "an unknown account costs a check");
    assert_eq!(sign_in(&anonymous(), &app.address, ADMIN_EMAIL, "guess").await.status(), 401);
    assert_eq!(metric("sign_in_password_checks_total").await, checks + 2, "as a known one does");

    let signing_in: Vec<_> = (0..8)
        .map(|_| {
            let address = app.address.clone();
            tokio::spawn(async move { sign_in(&anonymous(), &address, ADMIN_EMAIL, ADMIN_PASSWORD).await.status() })
        })
        .collect();
    for each in signing_in {
        assert_eq!(each.await.unwrap(), 200, "everyone gets their turn");
    }
    let most = metric("sign_in_password_checks_most_at_once").await;
    assert!((1..=2).contains(&most), "at most 2 checks ran at once: {most}");
}
