//! Domain events as stored data: a stable type name, a schema version and a JSON body.
//!
//! Events are enums tagged by `type` with explicit, stable names (never the Rust `Debug` name).
//! Old schema versions are rewritten by a pure [`DomainEvent::upcast`] when read; stored events are
//! never changed.

use serde::de::{value::MapDeserializer, DeserializeOwned};
use serde::Serialize;
use serde_json::Value;

pub trait DomainEvent: Serialize + DeserializeOwned {
    /// The version new events of this kind are written with.
    const SCHEMA_VERSION: u32 = 1;

    /// Rewrites the body of an event written with an older schema version into the current shape.
    fn upcast(_event_type: &str, _schema_version: u32, data: Value) -> Value {
        data
    }

    /// Who this event is always the act of, whoever's command it was decided in: the bot's
    /// answers are the bot's even when a customer's message brought them about.
    fn actor(&self) -> Option<crate::actor::Actor> {
        None
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum EventDataError {
    #[error("an event must serialize to an object with a string `type`")]
    NotTagged,
    #[error("event `{event_type}` v{schema_version} could not be read: {reason}")]
    Unreadable { event_type: String, schema_version: u32, reason: String },
}

/// Splits an event into its stored type name and body.
pub fn encode<E: DomainEvent>(event: &E) -> Result<(String, Value), EventDataError> {
    let mut value = serde_json::to_value(event).map_err(|_| EventDataError::NotTagged)?;
    let object = value.as_object_mut().ok_or(EventDataError::NotTagged)?;
    match object.remove("type") {
        Some(Value::String(event_type)) => Ok((event_type, value)),
        _ => Err(EventDataError::NotTagged),
    }
}

/// Reads a stored event back, upcasting it first when it was written by an older schema version.
/// The body is read where it lies: every follower of the log decodes the events it cares about,
/// and copying each body first was a tenth of the server's work.
pub fn decode<E: DomainEvent>(event_type: &str, schema_version: u32, data: &Value) -> Result<E, EventDataError> {
    let unreadable =
        |reason: String| EventDataError::Unreadable { event_type: event_type.to_string(), schema_version, reason };
    if schema_version < E::SCHEMA_VERSION {
        let upcast = E::upcast(event_type, schema_version, data.clone());
        return read_tagged(event_type, &upcast).map_err(unreadable);
    }
    read_tagged(event_type, data).map_err(unreadable)
}

/// The body's fields with `type` set to the stored type name, as the tagged enum expects them.
fn read_tagged<E: DomainEvent>(event_type: &str, data: &Value) -> Result<E, String> {
    let object = data.as_object().ok_or_else(|| "the body is not an object".to_string())?;
    let tag = Value::String(event_type.to_string());
    let fields = std::iter::once(("type", &tag))
        .chain(object.iter().filter(|(name, _)| name.as_str() != "type").map(|(name, value)| (name.as_str(), value)));
    E::deserialize(MapDeserializer::<_, serde_json::Error>::new(fields)).map_err(|e| e.to_string())
}

/// The stored names of an event enum's variants as constants, for readers that pick events by
/// name before decoding them (projections, log followers, the live hub), so that nobody outside
/// the domain writes a name again. Each is the name its variant's `#[serde(rename)]` stores; every
/// module's tests prove it with [`check_names`].
#[macro_export]
macro_rules! stored_names {
    ($event:ident { $($name:ident = $text:literal),+ $(,)? }) => {
        impl $event {
            $(pub const $name: &'static str = $text;)+
            /// Every stored name of this kind of event.
            pub const NAMES: &'static [&'static str] = &[$($text),+];
        }
    };
}

/// Fails unless `names` are exactly the stored names of `E`'s variants, as serde itself lists
/// them when asked for a name no variant has.
#[cfg(test)]
pub(crate) fn check_names<E: DomainEvent + std::fmt::Debug>(names: &[&str]) {
    let empty = Value::Object(Default::default());
    let reason = match decode::<E>("NoSuchEvent", E::SCHEMA_VERSION, &empty) {
        Err(EventDataError::Unreadable { reason, .. }) => reason,
        other => panic!("a name no variant has was read: {other:?}"),
    };
    // serde says "expected `A`", "expected `A` or `B`" or "expected one of `A`, `B`, …".
    let expected = reason.split_once("expected").map_or("", |(_, list)| list);
    let mut known: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    let mut listed = names.to_vec();
    known.sort_unstable();
    listed.sort_unstable();
    assert_eq!(listed, known, "the constants name every variant, as serde stores them ({reason})");
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(tag = "type")]
    enum Sample {
        #[serde(rename = "SampleHappened")]
        Happened { size: u32 },
    }

    impl DomainEvent for Sample {
        const SCHEMA_VERSION: u32 = 2;
        fn upcast(_event_type: &str, schema_version: u32, mut data: Value) -> Value {
            if schema_version == 1 {
                let old = data["length"].take();
                data = serde_json::json!({ "size": old });
            }
            data
        }
    }

    #[test]
    fn an_event_round_trips_through_its_stored_form() {
        let (event_type, data) = encode(&Sample::Happened { size: 3 }).unwrap();
        assert_eq!(event_type, "SampleHappened");
        assert_eq!(data, serde_json::json!({ "size": 3 }));
        assert_eq!(decode::<Sample>(&event_type, 2, &data), Ok(Sample::Happened { size: 3 }));
    }

    #[test]
    fn an_old_schema_version_is_upcast_when_read() {
        let data = serde_json::json!({ "length": 7 });
        assert_eq!(decode::<Sample>("SampleHappened", 1, &data), Ok(Sample::Happened { size: 7 }));
    }

    #[test]
    fn an_unknown_type_is_an_error_not_a_panic() {
        let outcome = decode::<Sample>("SomethingElse", 2, &serde_json::json!({}));
        assert!(matches!(outcome, Err(EventDataError::Unreadable { .. })));
    }
}
