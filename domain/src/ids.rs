//! Typed identifiers: a queue id can never be passed where a company id is expected.

use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            pub fn from_uuid(id: Uuid) -> Self {
                Self(id)
            }
            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

id_type!(
    /// A tenant: every stream, read model and query belongs to one.
    CompanyId
);
id_type!(
    /// An attention queue (R1, R2).
    QueueId
);
id_type!(
    /// A person using the app (supervisor, agent or auditor).
    UserId
);
id_type!(
    /// The thread between one contact account and one company line (C2).
    ChatId
);
id_type!(
    /// A company's way in for customers: an API line, a WhatsApp number, a web widget…
    LineId
);
id_type!(
    /// One episode of a chat, from its first unanswered message to its resolution.
    ConversationId
);
id_type!(
    /// A customer of a company, with their accounts on each channel (K1).
    ContactId
);
id_type!(
    /// An organisation contacts belong to (K10).
    BusinessId
);
id_type!(
    /// A file of contacts being imported in the background (K8, K14).
    ImportId
);
