//! Quick replies (G4, G5): phrases an agent sends often, found by their shortcut, title or text
//! and sorted by a category of the company's own words. A shortcut need not be unique: it is a
//! search key, and the list shows each reply's title beside it.

use crate::decider::Decider;
use crate::event::DomainEvent;
use crate::ids::CompanyId;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const SHORTCUT_MAX_CHARS: usize = 32;
pub const TITLE_MAX_CHARS: usize = 80;
pub const TEXT_MAX_CHARS: usize = 4096;
pub const CATEGORY_MAX_CHARS: usize = 40;

/// The stream of one quick reply.
pub fn quick_reply_stream(quick_reply: Uuid) -> String {
    format!("quick-reply-{quick_reply}")
}

/// A quick reply as a supervisor writes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuickReplyDraft {
    /// What an agent types after `/`: lower-case letters, digits, `_` and `-`.
    pub shortcut: String,
    pub title: String,
    pub text: String,
    /// The company's own words for a kind of reply (`Billing`, `Greetings`…); none: uncategorised.
    #[serde(default)]
    pub category: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QuickReplyRejection {
    #[error("a shortcut has 1 to {SHORTCUT_MAX_CHARS} lower-case letters, digits, `_` or `-`")]
    InvalidShortcut,
    #[error("a quick reply has a title of 1 to {TITLE_MAX_CHARS} characters and a text of 1 to {TEXT_MAX_CHARS}")]
    InvalidWords,
    #[error("a category has at most {CATEGORY_MAX_CHARS} characters")]
    InvalidCategory,
    #[error("no such quick reply")]
    NotFound,
    #[error("this quick reply exists already")]
    AlreadyExists,
}

/// The draft as it is kept, or what is wrong with it.
pub fn check_draft(draft: &QuickReplyDraft) -> Result<QuickReplyDraft, QuickReplyRejection> {
    let shortcut = draft.shortcut.trim().trim_start_matches('/').to_lowercase();
    let shortcut_ok = !shortcut.is_empty()
        && shortcut.chars().count() <= SHORTCUT_MAX_CHARS
        && shortcut.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-');
    if !shortcut_ok {
        return Err(QuickReplyRejection::InvalidShortcut);
    }
    let title = crate::text::single_spaced(&draft.title);
    let text = draft.text.trim().to_string();
    let sized = |s: &str, max: usize| !s.is_empty() && s.chars().count() <= max;
    if !sized(&title, TITLE_MAX_CHARS)
        || !sized(&text, TEXT_MAX_CHARS)
        || text.chars().any(|c| c.is_control() && c != '\n')
    {
        return Err(QuickReplyRejection::InvalidWords);
    }
    let category = draft.category.as_deref().map(crate::text::single_spaced).filter(|c| !c.is_empty());
    if category.as_ref().is_some_and(|c| c.chars().count() > CATEGORY_MAX_CHARS) {
        return Err(QuickReplyRejection::InvalidCategory);
    }
    Ok(QuickReplyDraft { shortcut, title, text, category })
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum QuickReplyEvent {
    #[serde(rename = "QuickReplyCreated")]
    Created { quick_reply_id: Uuid, company_id: CompanyId, draft: QuickReplyDraft },
    #[serde(rename = "QuickReplyChanged")]
    Changed { quick_reply_id: Uuid, draft: QuickReplyDraft },
    #[serde(rename = "QuickReplyRetired")]
    Retired { quick_reply_id: Uuid },
}

crate::stored_names!(QuickReplyEvent {
    CREATED = "QuickReplyCreated",
    CHANGED = "QuickReplyChanged",
    RETIRED = "QuickReplyRetired",
});

impl DomainEvent for QuickReplyEvent {}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QuickReplyCommand {
    Create { quick_reply_id: Uuid, company_id: CompanyId, draft: QuickReplyDraft },
    Change { company_id: CompanyId, draft: QuickReplyDraft },
    Retire { company_id: CompanyId },
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QuickReplyState {
    pub quick_reply_id: Option<Uuid>,
    pub company_id: Option<CompanyId>,
    pub draft: Option<QuickReplyDraft>,
    pub retired: bool,
}

impl QuickReplyState {
    /// The reply, if it is the company's and in use.
    fn of(&self, company: CompanyId) -> Result<(Uuid, &QuickReplyDraft), QuickReplyRejection> {
        match (self.quick_reply_id, &self.draft) {
            (Some(id), Some(draft)) if self.company_id == Some(company) && !self.retired => Ok((id, draft)),
            _ => Err(QuickReplyRejection::NotFound),
        }
    }
}

pub struct QuickReply;

impl Decider for QuickReply {
    type State = QuickReplyState;
    type Command = QuickReplyCommand;
    type Event = QuickReplyEvent;
    type Rejection = QuickReplyRejection;

    fn decide(
        state: &QuickReplyState,
        command: &QuickReplyCommand,
    ) -> Result<Vec<QuickReplyEvent>, QuickReplyRejection> {
        match command {
            QuickReplyCommand::Create { quick_reply_id, company_id, draft } => {
                if state.quick_reply_id.is_some() {
                    return Err(QuickReplyRejection::AlreadyExists);
                }
                let draft = check_draft(draft)?;
                Ok(vec![QuickReplyEvent::Created { quick_reply_id: *quick_reply_id, company_id: *company_id, draft }])
            }
            QuickReplyCommand::Change { company_id, draft } => {
                let (quick_reply_id, now) = state.of(*company_id)?;
                let draft = check_draft(draft)?;
                Ok(if &draft == now { vec![] } else { vec![QuickReplyEvent::Changed { quick_reply_id, draft }] })
            }
            QuickReplyCommand::Retire { company_id } => {
                let (quick_reply_id, _) = state.of(*company_id)?;
                Ok(vec![QuickReplyEvent::Retired { quick_reply_id }])
            }
        }
    }

    fn evolve(mut state: QuickReplyState, event: &QuickReplyEvent) -> QuickReplyState {
        match event {
            QuickReplyEvent::Created { quick_reply_id, company_id, draft } => {
                state.quick_reply_id = Some(*quick_reply_id);
                state.company_id = Some(*company_id);
                state.draft = Some(draft.clone());
            }
            QuickReplyEvent::Changed { draft, .. } => state.draft = Some(draft.clone()),
            QuickReplyEvent::Retired { .. } => state.retired = true,
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

    fn draft(shortcut: &str, title: &str, text: &str, category: Option<&str>) -> QuickReplyDraft {
        QuickReplyDraft {
            shortcut: shortcut.into(),
            title: title.into(),
            text: text.into(),
            category: category.map(str::to_string),
        }
    }

    fn created() -> QuickReplyEvent {
        QuickReplyEvent::Created {
            quick_reply_id: Uuid::from_u128(5),
            company_id: company(),
            draft: draft("saludo", "Greeting", "¡Hola! ¿En qué te ayudo?", Some("Greetings")),
        }
    }

    #[test]
    fn a_quick_reply_is_kept_as_written_tidied_and_refused_when_it_would_not_work() {
        let create =
            |d| QuickReplyCommand::Create { quick_reply_id: Uuid::from_u128(5), company_id: company(), draft: d };
        given::<QuickReply>(vec![])
            .when(create(draft(" /Saludo ", "  Greeting ", " ¡Hola! ¿En qué te ayudo? ", Some(" Greetings "))))
            .then(vec![created()]);
        for shortcut in ["", "/", "two words", &"x".repeat(SHORTCUT_MAX_CHARS + 1), "<b>"] {
            given::<QuickReply>(vec![])
                .when(create(draft(shortcut, "t", "x", None)))
                .then_rejects(QuickReplyRejection::InvalidShortcut);
        }
        given::<QuickReply>(vec![])
            .when(create(draft("a", "", "x", None)))
            .then_rejects(QuickReplyRejection::InvalidWords);
        given::<QuickReply>(vec![])
            .when(create(draft("a", "t", " ", None)))
            .then_rejects(QuickReplyRejection::InvalidWords);
        given::<QuickReply>(vec![])
            .when(create(draft("a", "t", "x", Some(&"c".repeat(CATEGORY_MAX_CHARS + 1)))))
            .then_rejects(QuickReplyRejection::InvalidCategory);
        given::<QuickReply>(vec![created()])
            .when(create(draft("a", "t", "x", None)))
            .then_rejects(QuickReplyRejection::AlreadyExists);
    }

    #[test]
    fn a_quick_reply_is_changed_and_retired_by_its_company_only_and_a_retired_one_no_more() {
        let change = |company_id, text: &str| QuickReplyCommand::Change {
            company_id,
            draft: draft("saludo", "Greeting", text, Some("Greetings")),
        };
        let other = CompanyId::from_uuid(Uuid::from_u128(2));
        given::<QuickReply>(vec![created()]).when(change(company(), "¡Buenas!")).then(vec![QuickReplyEvent::Changed {
            quick_reply_id: Uuid::from_u128(5),
            draft: draft("saludo", "Greeting", "¡Buenas!", Some("Greetings")),
        }]);
        given::<QuickReply>(vec![created()]).when(change(company(), "¡Hola! ¿En qué te ayudo?")).then(vec![]);
        given::<QuickReply>(vec![created()]).when(change(other, "x")).then_rejects(QuickReplyRejection::NotFound);
        given::<QuickReply>(vec![created()])
            .when(QuickReplyCommand::Retire { company_id: company() })
            .then(vec![QuickReplyEvent::Retired { quick_reply_id: Uuid::from_u128(5) }]);
        let retired = vec![created(), QuickReplyEvent::Retired { quick_reply_id: Uuid::from_u128(5) }];
        given::<QuickReply>(retired).when(change(company(), "x")).then_rejects(QuickReplyRejection::NotFound);
    }
}
