//! Companies (tenants), their limits (A2), their brand (W5) and their time zone: how many agents
//! they may have, and how many of them may be signed in at once; the name and logo their people
//! see; the zone whose days their reports count. Every agent holds
//! a seat taken in the company's stream, so that two supervisors creating agents at once can never
//! pass the limit.

use crate::decider::Decider;
use crate::event::DomainEvent;
use crate::ids::{CompanyId, UserId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

pub const COMPANY_NAME_MAX_CHARS: usize = 120;

/// The stream of one company.
pub fn company_stream(company: CompanyId) -> String {
    format!("company-{company}")
}

/// A company's limits; none means unlimited.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CompanyLimits {
    pub max_agents: Option<u32>,
    pub max_signed_in_agents: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CompanyRejection {
    #[error("a company name has 1 to {COMPANY_NAME_MAX_CHARS} characters")]
    InvalidName,
    #[error("this company already exists")]
    AlreadyExists,
    #[error("no such company")]
    NotFound,
    #[error("your company may have at most {0} agents; deactivate one or raise the limit")]
    NoSeatLeft(u32),
    #[error("a limit is a number from 1 up, or none")]
    InvalidLimit,
    #[error("{0:?} is not a time zone; name one as the IANA list does, such as Europe/Madrid")]
    UnknownTimeZone(String),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum CompanyEvent {
    #[serde(rename = "CompanyCreated")]
    Created { company_id: CompanyId, name: String, limits: CompanyLimits },
    #[serde(rename = "CompanyLimitsChanged")]
    LimitsChanged { company_id: CompanyId, limits: CompanyLimits },
    #[serde(rename = "AgentSeatTaken")]
    SeatTaken { company_id: CompanyId, agent: UserId },
    #[serde(rename = "AgentSeatReleased")]
    SeatReleased { company_id: CompanyId, agent: UserId },
    /// The name and logo (a kept image's address, or none) the company's pages show.
    #[serde(rename = "CompanyBrandingSet")]
    BrandingSet { company_id: CompanyId, name: String, logo: Option<String> },
    /// The zone whose days the company's reports count (an IANA name).
    #[serde(rename = "CompanyTimeZoneSet")]
    TimeZoneSet { company_id: CompanyId, time_zone: String },
}

crate::stored_names!(CompanyEvent {
    CREATED = "CompanyCreated",
    LIMITS_CHANGED = "CompanyLimitsChanged",
    SEAT_TAKEN = "AgentSeatTaken",
    SEAT_RELEASED = "AgentSeatReleased",
    BRANDING_SET = "CompanyBrandingSet",
    TIME_ZONE_SET = "CompanyTimeZoneSet",
});

impl DomainEvent for CompanyEvent {}

#[derive(Clone, Debug, PartialEq)]
pub enum CompanyCommand {
    Create {
        company_id: CompanyId,
        name: String,
        limits: CompanyLimits,
    },
    ChangeLimits {
        company_id: CompanyId,
        limits: CompanyLimits,
    },
    TakeSeat {
        company_id: CompanyId,
        agent: UserId,
    },
    ReleaseSeat {
        company_id: CompanyId,
        agent: UserId,
    },
    /// `logo`: the address of an image already kept for the company, or none.
    SetBranding {
        company_id: CompanyId,
        name: String,
        logo: Option<String>,
    },
    SetTimeZone {
        company_id: CompanyId,
        time_zone: String,
    },
}

#[derive(Clone, Debug, Default)]
pub struct CompanyState {
    pub exists: bool,
    pub limits: CompanyLimits,
    pub seats: BTreeSet<UserId>,
    pub name: String,
    pub logo: Option<String>,
    /// None until a supervisor names one: the reports count in UTC.
    pub time_zone: Option<String>,
}

fn company_name(raw: &str) -> Result<String, CompanyRejection> {
    let name = crate::text::single_spaced(raw);
    if name.is_empty() || name.chars().count() > COMPANY_NAME_MAX_CHARS || name.chars().any(char::is_control) {
        return Err(CompanyRejection::InvalidName);
    }
    Ok(name)
}

fn check_limits(limits: &CompanyLimits) -> Result<(), CompanyRejection> {
    if limits.max_agents == Some(0) || limits.max_signed_in_agents == Some(0) {
        return Err(CompanyRejection::InvalidLimit);
    }
    Ok(())
}

pub struct Company;

impl Decider for Company {
    type State = CompanyState;
    type Command = CompanyCommand;
    type Event = CompanyEvent;
    type Rejection = CompanyRejection;

    fn decide(state: &CompanyState, command: &CompanyCommand) -> Result<Vec<CompanyEvent>, CompanyRejection> {
        if !state.exists && !matches!(command, CompanyCommand::Create { .. }) {
            return Err(CompanyRejection::NotFound);
        }
        match command {
            CompanyCommand::Create { company_id, name, limits } => {
                if state.exists {
                    return Err(CompanyRejection::AlreadyExists);
                }
                let name = company_name(name)?;
                check_limits(limits)?;
                Ok(vec![CompanyEvent::Created { company_id: *company_id, name, limits: *limits }])
            }
            CompanyCommand::ChangeLimits { company_id, limits } => {
                check_limits(limits)?;
                Ok(vec![CompanyEvent::LimitsChanged { company_id: *company_id, limits: *limits }])
            }
            CompanyCommand::TakeSeat { company_id, agent } => {
                if state.seats.contains(agent) {
                    return Ok(vec![]);
                }
                if let Some(max) = state.limits.max_agents {
                    if state.seats.len() as u64 >= u64::from(max) {
                        return Err(CompanyRejection::NoSeatLeft(max));
                    }
                }
                Ok(vec![CompanyEvent::SeatTaken { company_id: *company_id, agent: *agent }])
            }
            CompanyCommand::SetBranding { company_id, name, logo } => {
                let name = company_name(name)?;
                if name == state.name && *logo == state.logo {
                    return Ok(vec![]);
                }
                Ok(vec![CompanyEvent::BrandingSet { company_id: *company_id, name, logo: logo.clone() }])
            }
            CompanyCommand::SetTimeZone { company_id, time_zone } => {
                let zone = crate::calendar::zone(time_zone)
                    .ok_or_else(|| CompanyRejection::UnknownTimeZone(time_zone.chars().take(64).collect()))?;
                let time_zone = zone.name().to_string();
                if state.time_zone.as_deref() == Some(time_zone.as_str()) {
                    return Ok(vec![]);
                }
                Ok(vec![CompanyEvent::TimeZoneSet { company_id: *company_id, time_zone }])
            }
            CompanyCommand::ReleaseSeat { company_id, agent } => Ok(if state.seats.contains(agent) {
                vec![CompanyEvent::SeatReleased { company_id: *company_id, agent: *agent }]
            } else {
                vec![]
            }),
        }
    }

    fn evolve(mut state: CompanyState, event: &CompanyEvent) -> CompanyState {
        match event {
            CompanyEvent::Created { limits, name, .. } => {
                state.exists = true;
                state.limits = *limits;
                state.name = name.clone();
            }
            CompanyEvent::BrandingSet { name, logo, .. } => {
                state.name = name.clone();
                state.logo = logo.clone();
            }
            CompanyEvent::TimeZoneSet { time_zone, .. } => state.time_zone = Some(time_zone.clone()),
            CompanyEvent::LimitsChanged { limits, .. } => state.limits = *limits,
            CompanyEvent::SeatTaken { agent, .. } => {
                state.seats.insert(*agent);
            }
            CompanyEvent::SeatReleased { agent, .. } => {
                state.seats.remove(agent);
            }
        }
        state
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decider::given;
    use uuid::Uuid;

    fn company() -> CompanyId {
        CompanyId::from_uuid(Uuid::from_u128(1))
    }
    fn agent(n: u128) -> UserId {
        UserId::from_uuid(Uuid::from_u128(10 + n))
    }
    fn created(max_agents: Option<u32>) -> CompanyEvent {
        CompanyEvent::Created {
            company_id: company(),
            name: "Acme".into(),
            limits: CompanyLimits { max_agents, max_signed_in_agents: None },
        }
    }
    fn seat(n: u128) -> CompanyEvent {
        CompanyEvent::SeatTaken { company_id: company(), agent: agent(n) }
    }

    #[test]
    fn agents_take_seats_up_to_the_limit() {
        given::<Company>(vec![created(Some(2)), seat(1)])
            .when(CompanyCommand::TakeSeat { company_id: company(), agent: agent(2) })
            .then(vec![seat(2)]);
        given::<Company>(vec![created(Some(2)), seat(1), seat(2)])
            .when(CompanyCommand::TakeSeat { company_id: company(), agent: agent(3) })
            .then_rejects(CompanyRejection::NoSeatLeft(2));
        given::<Company>(vec![created(None), seat(1), seat(2)])
            .when(CompanyCommand::TakeSeat { company_id: company(), agent: agent(3) })
            .then(vec![seat(3)]);
    }

    #[test]
    fn the_time_zone_is_one_of_the_iana_list_and_the_same_zone_twice_changes_nothing() {
        let set = |zone: &str| CompanyCommand::SetTimeZone { company_id: company(), time_zone: zone.into() };
        let madrid = CompanyEvent::TimeZoneSet { company_id: company(), time_zone: "Europe/Madrid".into() };
        given::<Company>(vec![created(None)]).when(set(" Europe/Madrid ")).then(vec![madrid.clone()]);
        given::<Company>(vec![created(None), madrid.clone()]).when(set("Europe/Madrid")).then(vec![]);
        given::<Company>(vec![created(None), madrid])
            .when(set("Mars/Olympus"))
            .then_rejects(CompanyRejection::UnknownTimeZone("Mars/Olympus".into()));
    }

    #[test]
    fn the_brand_is_a_name_and_maybe_a_logo_and_the_same_brand_twice_changes_nothing() {
        let brand = |name: &str, logo: Option<&str>| CompanyCommand::SetBranding {
            company_id: company(),
            name: name.into(),
            logo: logo.map(str::to_string),
        };
        let set = CompanyEvent::BrandingSet {
            company_id: company(),
            name: "Acme Andina".into(),
            logo: Some("/media/a.png".into()),
        };
        given::<Company>(vec![created(None)])
            .when(brand("  Acme   Andina ", Some("/media/a.png")))
            .then(vec![set.clone()]);
        given::<Company>(vec![created(None), set]).when(brand("Acme Andina", Some("/media/a.png"))).then(vec![]);
        given::<Company>(vec![created(None)]).when(brand("Acme", None)).then(vec![]);
        given::<Company>(vec![created(None)]).when(brand("  ", None)).then_rejects(CompanyRejection::InvalidName);
    }

    #[test]
    fn stored_names_are_those_of_the_variants() {
        crate::event::check_names::<CompanyEvent>(CompanyEvent::NAMES);
    }

    #[test]
    fn a_released_seat_can_be_taken_again() {
        let released = CompanyEvent::SeatReleased { company_id: company(), agent: agent(1) };
        given::<Company>(vec![created(Some(1)), seat(1), released])
            .when(CompanyCommand::TakeSeat { company_id: company(), agent: agent(2) })
            .then(vec![seat(2)]);
    }

    #[test]
    fn nothing_happens_in_a_company_that_does_not_exist_and_limits_are_positive() {
        given::<Company>(vec![])
            .when(CompanyCommand::TakeSeat { company_id: company(), agent: agent(1) })
            .then_rejects(CompanyRejection::NotFound);
        given::<Company>(vec![created(None)])
            .when(CompanyCommand::ChangeLimits {
                company_id: company(),
                limits: CompanyLimits { max_agents: Some(0), max_signed_in_agents: None },
            })
            .then_rejects(CompanyRejection::InvalidLimit);
    }
}
