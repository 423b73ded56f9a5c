//! Who caused an event; stored with every event as `kind:id`.

use crate::ids::UserId;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Actor {
    Supervisor(UserId),
    Agent(UserId),
    Customer(uuid::Uuid),
    Bot,
    System,
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::Supervisor(id) => write!(f, "supervisor:{id}"),
            Actor::Agent(id) => write!(f, "agent:{id}"),
            Actor::Customer(id) => write!(f, "customer:{id}"),
            Actor::Bot => f.write_str("bot"),
            Actor::System => f.write_str("system"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn actors_are_written_as_kind_and_id() {
        let id = Uuid::nil();
        assert_eq!(Actor::Supervisor(UserId::from_uuid(id)).to_string(), format!("supervisor:{id}"));
        assert_eq!(Actor::Bot.to_string(), "bot");
        assert_eq!(Actor::System.to_string(), "system");
    }
}
