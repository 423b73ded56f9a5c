//! A company's API keys: created and revoked by supervisors; only a hash of each key is kept.

use crate::decider::Decider;
use crate::event::DomainEvent;
use crate::ids::CompanyId;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

pub const KEY_NAME_MAX_CHARS: usize = 80;

/// The stream of a company's API keys.
pub fn api_keys_stream(company: CompanyId) -> String {
    format!("apikeys-{company}")
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ApiKeyRejection {
    #[error("an API key's name has 1 to {KEY_NAME_MAX_CHARS} characters")]
    InvalidName,
    #[error("no such API key")]
    NotFound,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum ApiKeyEvent {
    /// `key_hash` is the SHA-256 of the whole key; `prefix` is its first characters, to recognise it.
    #[serde(rename = "ApiKeyCreated")]
    Created { key_id: Uuid, company_id: CompanyId, name: String, key_hash: String, prefix: String },
    #[serde(rename = "ApiKeyRevoked")]
    Revoked { key_id: Uuid },
}

crate::stored_names!(ApiKeyEvent {
    CREATED = "ApiKeyCreated",
    REVOKED = "ApiKeyRevoked",
});

impl DomainEvent for ApiKeyEvent {}

#[derive(Clone, Debug, PartialEq)]
pub enum ApiKeyCommand {
    Create { key_id: Uuid, company_id: CompanyId, name: String, key_hash: String, prefix: String },
    Revoke { key_id: Uuid },
}

/// The keys not revoked, by id.
#[derive(Default, Debug)]
pub struct ApiKeysState {
    active: BTreeMap<Uuid, String>,
}

pub struct ApiKeys;

impl Decider for ApiKeys {
    type State = ApiKeysState;
    type Command = ApiKeyCommand;
    type Event = ApiKeyEvent;
    type Rejection = ApiKeyRejection;

    fn decide(state: &ApiKeysState, command: &ApiKeyCommand) -> Result<Vec<ApiKeyEvent>, ApiKeyRejection> {
        match command {
            ApiKeyCommand::Create { key_id, company_id, name, key_hash, prefix } => {
                let name = crate::text::single_spaced(name);
                if name.is_empty() || name.chars().count() > KEY_NAME_MAX_CHARS {
                    return Err(ApiKeyRejection::InvalidName);
                }
                Ok(vec![ApiKeyEvent::Created {
                    key_id: *key_id,
                    company_id: *company_id,
                    name,
                    key_hash: key_hash.clone(),
                    prefix: prefix.clone(),
                }])
            }
            ApiKeyCommand::Revoke { key_id } => match state.active.contains_key(key_id) {
                true => Ok(vec![ApiKeyEvent::Revoked { key_id: *key_id }]),
                false => Err(ApiKeyRejection::NotFound),
            },
        }
    }

    fn evolve(mut state: ApiKeysState, event: &ApiKeyEvent) -> ApiKeysState {
        match event {
            ApiKeyEvent::Created { key_id, name, .. } => {
                state.active.insert(*key_id, name.clone());
            }
            ApiKeyEvent::Revoked { key_id } => {
                state.active.remove(key_id);
            }
        }
        state
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stored_names_are_the_events_own() {
        crate::event::check_names::<ApiKeyEvent>(ApiKeyEvent::NAMES);
    }
    use crate::decider::given;

    fn created() -> ApiKeyEvent {
        ApiKeyEvent::Created {
            key_id: Uuid::from_u128(1),
            company_id: CompanyId::from_uuid(Uuid::from_u128(2)),
            name: "CRM".into(),
            key_hash: "h".into(),
            prefix: "ik_1".into(),
        }
    }

    #[test]
    fn a_key_is_revoked_once() {
        given::<ApiKeys>(vec![created()])
            .when(ApiKeyCommand::Revoke { key_id: Uuid::from_u128(1) })
            .then(vec![ApiKeyEvent::Revoked { key_id: Uuid::from_u128(1) }]);
        given::<ApiKeys>(vec![created(), ApiKeyEvent::Revoked { key_id: Uuid::from_u128(1) }])
            .when(ApiKeyCommand::Revoke { key_id: Uuid::from_u128(1) })
            .then_rejects(ApiKeyRejection::NotFound);
    }

    #[test]
    fn a_key_needs_a_name() {
        given::<ApiKeys>(vec![])
            .when(ApiKeyCommand::Create {
                key_id: Uuid::from_u128(1),
                company_id: CompanyId::from_uuid(Uuid::from_u128(2)),
                name: "  ".into(),
                key_hash: "h".into(),
                prefix: "p".into(),
            })
            .then_rejects(ApiKeyRejection::InvalidName);
    }
}
