//! Internal chats (G8): the one-to-one conversation of two colleagues of a company (agents and
//! supervisors), apart from customers' chats. Each of the two reads at their own pace: what the
//! other wrote after the last message they read is unread.

use crate::decider::Decider;
use crate::event::DomainEvent;
use crate::ids::{CompanyId, UserId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const TEXT_MAX_CHARS: usize = 4096;

/// The names of internal chats' ids: the same two people always make the same id.
const NAMESPACE: Uuid = Uuid::from_u128(0x6b1c_5f0e_2d4a_4c1b_9e3f_8a7d_6c5b_4a39);

/// The conversation of two colleagues, whichever of them writes first.
pub fn internal_chat_id(one: UserId, other: UserId) -> Uuid {
    let (first, second) = if one.as_uuid() <= other.as_uuid() { (one, other) } else { (other, one) };
    Uuid::new_v5(&NAMESPACE, format!("{first}:{second}").as_bytes())
}

pub fn internal_chat_stream(internal_chat: Uuid) -> String {
    format!("internal-chat-{internal_chat}")
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InternalChatRejection {
    #[error("a message to a colleague has 1 to {TEXT_MAX_CHARS} characters")]
    InvalidText,
    #[error("write to a colleague, not to yourself")]
    ToOneself,
    #[error("no such conversation")]
    NotFound,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum InternalChatEvent {
    #[serde(rename = "InternalMessageSent")]
    MessageSent {
        internal_chat_id: Uuid,
        company_id: CompanyId,
        message_id: Uuid,
        from: UserId,
        to: UserId,
        text: String,
        at: DateTime<Utc>,
    },
    /// `by` read everything the other wrote up to `up_to`.
    #[serde(rename = "InternalChatRead")]
    Read { internal_chat_id: Uuid, by: UserId, up_to: Uuid, at: DateTime<Utc> },
}

crate::stored_names!(InternalChatEvent { MESSAGE_SENT = "InternalMessageSent", READ = "InternalChatRead" });

impl DomainEvent for InternalChatEvent {}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InternalChatCommand {
    Send {
        company_id: CompanyId,
        message_id: Uuid,
        from: UserId,
        to: UserId,
        text: String,
        at: DateTime<Utc>,
    },
    /// `by` has read everything so far.
    Read {
        company_id: CompanyId,
        by: UserId,
        at: DateTime<Utc>,
    },
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InternalChatState {
    pub company_id: Option<CompanyId>,
    /// The two colleagues, once one has written.
    pub people: Option<(UserId, UserId)>,
    /// The last message and who wrote it.
    pub last: Option<(Uuid, UserId)>,
    /// The last message each of the two has read, when they have.
    pub read: Vec<(UserId, Uuid)>,
}

impl InternalChatState {
    fn takes_part(&self, company: CompanyId, person: UserId) -> bool {
        self.company_id == Some(company) && self.people.is_some_and(|(a, b)| a == person || b == person)
    }
}

pub struct InternalChat;

impl Decider for InternalChat {
    type State = InternalChatState;
    type Command = InternalChatCommand;
    type Event = InternalChatEvent;
    type Rejection = InternalChatRejection;

    fn decide(
        state: &InternalChatState,
        command: &InternalChatCommand,
    ) -> Result<Vec<InternalChatEvent>, InternalChatRejection> {
        match command {
            InternalChatCommand::Send { company_id, message_id, from, to, text, at } => {
                if from == to {
                    return Err(InternalChatRejection::ToOneself);
                }
                if state.company_id.is_some() && !state.takes_part(*company_id, *from) {
                    return Err(InternalChatRejection::NotFound);
                }
                let text = text.trim();
                let sized = !text.is_empty() && text.chars().count() <= TEXT_MAX_CHARS;
                if !sized || text.chars().any(|c| c.is_control() && c != '\n') {
                    return Err(InternalChatRejection::InvalidText);
                }
                Ok(vec![InternalChatEvent::MessageSent {
                    internal_chat_id: internal_chat_id(*from, *to),
                    company_id: *company_id,
                    message_id: *message_id,
                    from: *from,
                    to: *to,
                    text: text.to_string(),
                    at: *at,
                }])
            }
            InternalChatCommand::Read { company_id, by, at } => {
                if !state.takes_part(*company_id, *by) {
                    return Err(InternalChatRejection::NotFound);
                }
                let Some((last, author)) = state.last else { return Ok(vec![]) };
                let read_already = state.read.iter().any(|(who, up_to)| who == by && *up_to == last);
                if author == *by || read_already {
                    return Ok(vec![]);
                }
                let (a, b) = state.people.unwrap_or((*by, *by));
                Ok(vec![InternalChatEvent::Read {
                    internal_chat_id: internal_chat_id(a, b),
                    by: *by,
                    up_to: last,
                    at: *at,
                }])
            }
        }
    }

    fn evolve(mut state: InternalChatState, event: &InternalChatEvent) -> InternalChatState {
        match event {
            InternalChatEvent::MessageSent { company_id, message_id, from, to, .. } => {
                state.company_id = Some(*company_id);
                state.people = Some((*from, *to));
                state.last = Some((*message_id, *from));
            }
            InternalChatEvent::Read { by, up_to, .. } => {
                state.read.retain(|(who, _)| who != by);
                state.read.push((*by, *up_to));
            }
        }
        state
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decider::given;

    fn company() -> CompanyId {
        CompanyId::from_uuid(Uuid::from_u128(1))
    }
    fn ana() -> UserId {
        UserId::from_uuid(Uuid::from_u128(10))
    }
    fn ben() -> UserId {
        UserId::from_uuid(Uuid::from_u128(11))
    }
    fn eva() -> UserId {
        UserId::from_uuid(Uuid::from_u128(12))
    }
    fn at(second: u32) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + i64::from(second), 0).unwrap_or_default()
    }
    fn send(from: UserId, to: UserId, n: u128, text: &str) -> InternalChatCommand {
        InternalChatCommand::Send {
            company_id: company(),
            message_id: Uuid::from_u128(n),
            from,
            to,
            text: text.into(),
            at: at(0),
        }
    }
    fn sent(from: UserId, to: UserId, n: u128, text: &str) -> InternalChatEvent {
        InternalChatEvent::MessageSent {
            internal_chat_id: internal_chat_id(ana(), ben()),
            company_id: company(),
            message_id: Uuid::from_u128(n),
            from,
            to,
            text: text.into(),
            at: at(0),
        }
    }

    #[test]
    fn two_colleagues_share_one_conversation_whoever_writes_first() {
        assert_eq!(internal_chat_id(ana(), ben()), internal_chat_id(ben(), ana()));
        assert_ne!(internal_chat_id(ana(), ben()), internal_chat_id(ana(), eva()));
        given::<InternalChat>(vec![]).when(send(ana(), ben(), 1, "  ¿Me cubrís?  ")).then(vec![sent(
            ana(),
            ben(),
            1,
            "¿Me cubrís?",
        )]);
        given::<InternalChat>(vec![sent(ana(), ben(), 1, "¿Me cubrís?")])
            .when(send(ben(), ana(), 2, "Dale"))
            .then(vec![sent(ben(), ana(), 2, "Dale")]);
    }

    #[test]
    fn a_message_to_oneself_an_empty_or_overlong_one_and_a_stranger_are_refused() {
        given::<InternalChat>(vec![])
            .when(send(ana(), ana(), 1, "hola"))
            .then_rejects(InternalChatRejection::ToOneself);
        for text in ["", "   ", "a\u{0}b"] {
            given::<InternalChat>(vec![])
                .when(send(ana(), ben(), 1, text))
                .then_rejects(InternalChatRejection::InvalidText);
        }
        given::<InternalChat>(vec![])
            .when(send(ana(), ben(), 1, &"x".repeat(TEXT_MAX_CHARS + 1)))
            .then_rejects(InternalChatRejection::InvalidText);
        let other_company = InternalChatCommand::Send {
            company_id: CompanyId::from_uuid(Uuid::from_u128(2)),
            message_id: Uuid::from_u128(2),
            from: ana(),
            to: ben(),
            text: "hola".into(),
            at: at(0),
        };
        given::<InternalChat>(vec![sent(ana(), ben(), 1, "hola")])
            .when(other_company)
            .then_rejects(InternalChatRejection::NotFound);
    }

    #[test]
    fn each_reads_what_the_other_wrote_once_and_nothing_of_their_own() {
        let read = |by| InternalChatCommand::Read { company_id: company(), by, at: at(5) };
        let history = vec![sent(ana(), ben(), 1, "¿Me cubrís?")];
        given::<InternalChat>(history.clone()).when(read(ben())).then(vec![InternalChatEvent::Read {
            internal_chat_id: internal_chat_id(ana(), ben()),
            by: ben(),
            up_to: Uuid::from_u128(1),
            at: at(5),
        }]);
        given::<InternalChat>(history.clone()).when(read(ana())).then(vec![]);
        let mut read_once = history.clone();
        read_once.push(InternalChatEvent::Read {
            internal_chat_id: internal_chat_id(ana(), ben()),
            by: ben(),
            up_to: Uuid::from_u128(1),
            at: at(5),
        });
        given::<InternalChat>(read_once).when(read(ben())).then(vec![]);
        given::<InternalChat>(history).when(read(eva())).then_rejects(InternalChatRejection::NotFound);
        given::<InternalChat>(vec![]).when(read(ben())).then_rejects(InternalChatRejection::NotFound);
    }
}
