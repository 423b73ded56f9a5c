//! Businesses (K10): the organisations a company's contacts work for.
//!
//! Deleting a business keeps its history; contacts that named it simply name none any more.

use crate::decider::Decider;
use crate::event::DomainEvent;
use crate::ids::{BusinessId, CompanyId};
use serde::{Deserialize, Serialize};

pub const BUSINESS_NAME_MAX_CHARS: usize = 120;

pub fn business_stream(business: BusinessId) -> String {
    format!("business-{business}")
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum BusinessEvent {
    #[serde(rename = "BusinessCreated")]
    Created { business_id: BusinessId, company_id: CompanyId, name: String },
    #[serde(rename = "BusinessRenamed")]
    Renamed { business_id: BusinessId, name: String },
    #[serde(rename = "BusinessDeleted")]
    Deleted { business_id: BusinessId },
}

crate::stored_names!(BusinessEvent {
    CREATED = "BusinessCreated",
    RENAMED = "BusinessRenamed",
    DELETED = "BusinessDeleted",
});

impl DomainEvent for BusinessEvent {}

#[derive(Clone, Debug, PartialEq)]
pub enum BusinessCommand {
    Create { business_id: BusinessId, company_id: CompanyId, name: String },
    Rename { name: String },
    Delete,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BusinessRejection {
    #[error("a business name has 1 to {BUSINESS_NAME_MAX_CHARS} characters")]
    InvalidName,
    #[error("this business already exists")]
    AlreadyExists,
    #[error("no such business")]
    NotFound,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct BusinessState {
    pub business_id: Option<BusinessId>,
    pub name: String,
    pub deleted: bool,
}

fn parse_business_name(raw: &str) -> Result<String, BusinessRejection> {
    let name = crate::text::single_spaced(raw);
    if name.is_empty() || name.chars().count() > BUSINESS_NAME_MAX_CHARS || name.chars().any(char::is_control) {
        return Err(BusinessRejection::InvalidName);
    }
    Ok(name)
}

pub struct Business;

impl Decider for Business {
    type State = BusinessState;
    type Command = BusinessCommand;
    type Event = BusinessEvent;
    type Rejection = BusinessRejection;

    fn decide(state: &BusinessState, command: &BusinessCommand) -> Result<Vec<BusinessEvent>, BusinessRejection> {
        match (command, state.business_id) {
            (BusinessCommand::Create { business_id, company_id, name }, None) => Ok(vec![BusinessEvent::Created {
                business_id: *business_id,
                company_id: *company_id,
                name: parse_business_name(name)?,
            }]),
            (BusinessCommand::Create { name, .. }, Some(_)) => {
                if !state.deleted && parse_business_name(name)? == state.name {
                    Ok(vec![])
                } else {
                    Err(BusinessRejection::AlreadyExists)
                }
            }
            (_, None) => Err(BusinessRejection::NotFound),
            (_, Some(_)) if state.deleted => Err(BusinessRejection::NotFound),
            (BusinessCommand::Rename { name }, Some(business_id)) => {
                let name = parse_business_name(name)?;
                Ok(if name == state.name { vec![] } else { vec![BusinessEvent::Renamed { business_id, name }] })
            }
            (BusinessCommand::Delete, Some(business_id)) => Ok(vec![BusinessEvent::Deleted { business_id }]),
        }
    }

    fn evolve(mut state: BusinessState, event: &BusinessEvent) -> BusinessState {
        match event {
            BusinessEvent::Created { business_id, name, .. } => {
                state.business_id = Some(*business_id);
                state.name = name.clone();
            }
            BusinessEvent::Renamed { name, .. } => state.name = name.clone(),
            BusinessEvent::Deleted { .. } => state.deleted = true,
        }
        state
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decider::given;
    use uuid::Uuid;

    #[test]
    fn the_stored_names_are_the_events_own() {
        crate::event::check_names::<BusinessEvent>(BusinessEvent::NAMES);
    }

    fn acme() -> BusinessId {
        BusinessId::from_uuid(Uuid::from_u128(7))
    }

    fn created() -> BusinessEvent {
        BusinessEvent::Created {
            business_id: acme(),
            company_id: CompanyId::from_uuid(Uuid::from_u128(1)),
            name: "Acme Ltd".into(),
        }
    }

    #[test]
    fn a_business_is_created_with_a_tidy_name_and_renamed() {
        given::<Business>(vec![])
            .when(BusinessCommand::Create {
                business_id: acme(),
                company_id: CompanyId::from_uuid(Uuid::from_u128(1)),
                name: "  Acme   Ltd ".into(),
            })
            .then(vec![created()]);
        given::<Business>(vec![created()])
            .when(BusinessCommand::Rename { name: "Acme Group".into() })
            .then(vec![BusinessEvent::Renamed { business_id: acme(), name: "Acme Group".into() }]);
        given::<Business>(vec![created()])
            .when(BusinessCommand::Rename { name: " ".into() })
            .then_rejects(BusinessRejection::InvalidName);
    }

    #[test]
    fn a_deleted_business_takes_no_more_changes() {
        given::<Business>(vec![created()])
            .when(BusinessCommand::Delete)
            .then(vec![BusinessEvent::Deleted { business_id: acme() }]);
        given::<Business>(vec![created(), BusinessEvent::Deleted { business_id: acme() }])
            .when(BusinessCommand::Rename { name: "Other".into() })
            .then_rejects(BusinessRejection::NotFound);
        given::<Business>(vec![]).when(BusinessCommand::Delete).then_rejects(BusinessRejection::NotFound);
    }
}
