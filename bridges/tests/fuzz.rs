//! The bridges read what anyone on the internet can post to a callback: no input may panic them.
//! `make test` runs a bounded number of cases; `make fuzz` many more (`PROPTEST_CASES`).

use bridges::meta::{subscription_challenge, verify_signature};
use bridges::whatsapp_cloud::inbound::{parse, Update};
use bridges::whatsapp_cloud::outbound::{file_address, refusal, sent_message_id};
use proptest::prelude::*;
use serde_json::Value;
use std::path::PathBuf;

fn fixtures() -> Vec<Value> {
    // Relative to the package, where cargo runs its tests: a path compiled in would point
    // wherever the binary was built (another checkout sharing the target folder).
    let folder = PathBuf::from("tests/fixtures/whatsapp_cloud");
    let mut bodies: Vec<Value> = std::fs::read_dir(folder)
        .expect("the fixtures")
        .map(|entry| entry.expect("an entry").path())
        .filter(|path| {
            path.file_name().is_some_and(|n| {
                n.to_string_lossy().starts_with("inbound_") || n.to_string_lossy().starts_with("status_")
            })
        })
        .map(|path| serde_json::from_slice(&std::fs::read(path).expect("a fixture")).expect("JSON"))
        .collect();
    bodies.sort_by_key(|body| body.to_string());
    bodies
}

/// Every place in a JSON value, as pointers.
fn places(value: &Value, here: String, all: &mut Vec<String>) {
    match value {
        Value::Object(object) => {
            for (key, inner) in object {
                places(inner, format!("{here}/{}", key.replace('~', "~0").replace('/', "~1")), all);
            }
        }
        Value::Array(items) => {
            for (index, inner) in items.iter().enumerate() {
                places(inner, format!("{here}/{index}"), all);
            }
        }
        _ => {}
    }
    all.push(here);
}

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        ".{0,40}".prop_map(Value::from),
        Just(Value::from("x".repeat(10_000))),
        Just(Value::from("")),
        Just(Value::from("unsupported")),
        Just(Value::from("audio")),
        Just(Value::from("interactive")),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,12}", inner, 0..4)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

fn check_reads(updates: &[Update]) {
    for update in updates {
        if let Update::Message(message) = update {
            assert!(message.text.chars().count() <= 4096);
            assert!(message.location.as_ref().is_none_or(|l| l.is_valid()));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(2_000), ..ProptestConfig::default() })]

    #[test]
    fn any_bytes_are_read_or_refused_without_a_panic(body in prop::collection::vec(any::<u8>(), 0..4096)) {
        if let Ok(updates) = parse(&body) {
            check_reads(&updates);
        }
        let _ = sent_message_id(&body);
        let _ = file_address(&body);
        let _ = refusal(500, &body);
    }

    #[test]
    fn a_notification_with_any_part_replaced_is_read_or_refused_without_a_panic(
        which in any::<prop::sample::Index>(),
        place in any::<prop::sample::Index>(),
        replacement in any_json(),
    ) {
        let bodies = fixtures();
        let mut body = which.get(&bodies).clone();
        let mut all = Vec::new();
        places(&body, String::new(), &mut all);
        let pointer = place.get(&all).clone();
        if pointer.is_empty() {
            body = replacement;
        } else if let Some(slot) = body.pointer_mut(&pointer) {
            *slot = replacement;
        }
        let bytes = serde_json::to_vec(&body).expect("JSON");
        if let Ok(updates) = parse(&bytes) {
            check_reads(&updates);
        }
    }

    #[test]
    fn any_signature_or_handshake_is_checked_without_a_panic(
        secret in ".{0,64}",
        body in prop::collection::vec(any::<u8>(), 0..256),
        header in prop::option::of(".{0,80}"),
        mode in prop::option::of(".{0,12}"),
        challenge in prop::option::of(".{0,200}"),
    ) {
        prop_assert!(verify_signature(&secret, &body, header.as_deref()).is_err() || header.is_some());
        if let Some(echo) = subscription_challenge(mode.as_deref(), header.as_deref(), challenge.as_deref(), &secret) {
            prop_assert!(echo.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)));
        }
    }
}
