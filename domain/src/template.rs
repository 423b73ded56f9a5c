//! Message templates (W12, W13): what a company submits to its channel's provider for approval, to
//! write to customers outside the channel's window (G3). A template is submitted through one line's
//! account and either shared by all the company's lines or bound to that one; the provider's
//! decisions (approved, rejected with the reason, paused…) are recorded as they come.

use crate::decider::Decider;
use crate::event::DomainEvent;
use crate::ids::{CompanyId, LineId};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const TEMPLATE_NAME_MAX_CHARS: usize = 512;
pub const TEMPLATE_BODY_MAX_CHARS: usize = 1024;
pub const EXAMPLE_MAX_CHARS: usize = 200;
const STATUS_MAX_CHARS: usize = 40;
const REASON_MAX_CHARS: usize = 500;

/// The stream of one template.
pub fn template_stream(template: Uuid) -> String {
    format!("template-{template}")
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TemplateCategory {
    Marketing,
    Utility,
}

/// A template as a supervisor writes it: its body's variables are `{{1}}`, `{{2}}`… with one
/// example value each, which the provider's reviewers read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TemplateDraft {
    /// Lower-case letters, digits and `_`, as the provider requires.
    pub name: String,
    /// The language and locale, as `es`, `en_US`.
    pub language: String,
    pub category: TemplateCategory,
    pub body: String,
    #[serde(default)]
    pub examples: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TemplateRejection {
    #[error("a template's name has 1 to {TEMPLATE_NAME_MAX_CHARS} lower-case letters, digits and `_`")]
    InvalidName,
    #[error("a template's language is a code such as `es` or `en_US`")]
    InvalidLanguage,
    #[error("the template's body: {0}")]
    InvalidBody(String),
    #[error("this template was submitted already")]
    AlreadyExists,
    #[error("no such template")]
    NotFound,
    #[error("the template takes {expected} values, one for each variable: each one line of at most {VALUE_MAX_CHARS} characters")]
    InvalidValues { expected: usize },
}

/// The variables a body uses, by number: `{{1}}`, `{{2}}`…
fn variables(body: &str) -> Result<Vec<u32>, TemplateRejection> {
    let mut found = Vec::new();
    let mut rest = body;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let end = after.find("}}").ok_or_else(|| TemplateRejection::InvalidBody("a `{{` is never closed".into()))?;
        let number = after[..end]
            .trim()
            .parse::<u32>()
            .map_err(|_| TemplateRejection::InvalidBody("variables are written {{1}}, {{2}}…".into()))?;
        found.push(number);
        rest = &after[end + 2..];
    }
    Ok(found)
}

/// How many values a body takes: its distinct variables.
pub fn variable_count(body: &str) -> usize {
    let mut numbers = variables(body).unwrap_or_default();
    numbers.sort_unstable();
    numbers.dedup();
    numbers.len()
}

/// The draft as the provider will read it, or what is wrong with it.
pub fn check_draft(draft: &TemplateDraft) -> Result<TemplateDraft, TemplateRejection> {
    let name = draft.name.trim();
    if name.is_empty()
        || name.chars().count() > TEMPLATE_NAME_MAX_CHARS
        || !name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err(TemplateRejection::InvalidName);
    }
    let language = draft.language.trim();
    let (code, locale) = language.split_once('_').map_or((language, None), |(code, locale)| (code, Some(locale)));
    let code_ok = (2..=3).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_lowercase());
    let locale_ok = locale.is_none_or(|l| l.len() == 2 && l.bytes().all(|b| b.is_ascii_uppercase()));
    if !code_ok || !locale_ok {
        return Err(TemplateRejection::InvalidLanguage);
    }
    let body = draft.body.trim();
    if body.is_empty() || body.chars().count() > TEMPLATE_BODY_MAX_CHARS {
        return Err(TemplateRejection::InvalidBody(format!("1 to {TEMPLATE_BODY_MAX_CHARS} characters")));
    }
    let mut numbers = variables(body)?;
    numbers.sort_unstable();
    numbers.dedup();
    if numbers.iter().enumerate().any(|(i, n)| usize::try_from(*n).ok() != Some(i + 1)) {
        return Err(TemplateRejection::InvalidBody("variables are numbered from {{1}} without gaps".into()));
    }
    let examples: Vec<String> = draft.examples.iter().map(|e| e.trim().to_string()).collect();
    if examples.len() != numbers.len()
        || examples
            .iter()
            .any(|e| e.is_empty() || e.chars().count() > EXAMPLE_MAX_CHARS || e.chars().any(char::is_control))
    {
        return Err(TemplateRejection::InvalidBody(format!(
            "one example of at most {EXAMPLE_MAX_CHARS} characters for each of its {} variables",
            numbers.len()
        )));
    }
    Ok(TemplateDraft {
        name: name.into(),
        language: language.into(),
        category: draft.category,
        body: body.into(),
        examples,
    })
}

/// The most a variable's value may be: WhatsApp's limit is on the whole body, this keeps one value
/// from taking it all.
pub const VALUE_MAX_CHARS: usize = 200;

/// An approved template an agent sends, with a value for each of its variables (G3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApprovedTemplate {
    pub name: String,
    pub language: String,
    pub body: String,
    pub values: Vec<String>,
}

/// Which template a message is, and what filled its variables: the provider builds the message
/// from these, the history shows the body as the customer read it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SentTemplate {
    pub name: String,
    pub language: String,
    pub values: Vec<String>,
}

impl ApprovedTemplate {
    /// The body with each `{{n}}` replaced by the n-th value, and what goes to the provider; a
    /// value for every variable, none left over, each as WhatsApp takes it: one line, no tabs, no
    /// more than four spaces in a row.
    pub fn fill(&self) -> Result<(String, SentTemplate), TemplateRejection> {
        let mut numbers = variables(&self.body)?;
        numbers.sort_unstable();
        numbers.dedup();
        let values: Vec<String> = self.values.iter().map(|v| v.trim().to_string()).collect();
        let fits = |v: &String| {
            !v.is_empty()
                && v.chars().count() <= VALUE_MAX_CHARS
                && !v.chars().any(char::is_control)
                && !v.contains("     ")
        };
        if values.len() != numbers.len() || !values.iter().all(fits) {
            return Err(TemplateRejection::InvalidValues { expected: numbers.len() });
        }
        let mut text = String::with_capacity(self.body.len());
        let mut rest = self.body.as_str();
        while let Some(start) = rest.find("{{") {
            text.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let end = after.find("}}").ok_or(TemplateRejection::InvalidValues { expected: numbers.len() })?;
            let value = after[..end]
                .trim()
                .parse::<usize>()
                .ok()
                .and_then(|n| n.checked_sub(1))
                .and_then(|i| values.get(i))
                .ok_or(TemplateRejection::InvalidValues { expected: numbers.len() })?;
            text.push_str(value);
            rest = &after[end + 2..];
        }
        text.push_str(rest);
        Ok((text, SentTemplate { name: self.name.clone(), language: self.language.clone(), values }))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum TemplateEvent {
    /// The provider took the template for review: its id there and the state it gave it.
    #[serde(rename = "TemplateSubmitted")]
    Submitted {
        template_id: Uuid,
        company_id: CompanyId,
        /// The line whose account it was submitted through.
        line_id: LineId,
        /// Shared by all the company's lines (W13), or only `line_id`'s.
        shared: bool,
        draft: TemplateDraft,
        provider_id: String,
        status: String,
    },
    /// The provider decided: approved, rejected (with its reason), paused, disabled…
    #[serde(rename = "TemplateStatusChanged")]
    StatusChanged { template_id: Uuid, status: String, reason: Option<String> },
}

crate::stored_names!(TemplateEvent { SUBMITTED = "TemplateSubmitted", STATUS_CHANGED = "TemplateStatusChanged" });

impl DomainEvent for TemplateEvent {}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TemplateCommand {
    /// Records a template the provider took, checked first.
    Submit {
        template_id: Uuid,
        company_id: CompanyId,
        line_id: LineId,
        shared: bool,
        draft: TemplateDraft,
        provider_id: String,
        status: String,
    },
    RecordStatus {
        status: String,
        reason: Option<String>,
    },
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TemplateState {
    pub template_id: Option<Uuid>,
    pub status: Option<String>,
    pub reason: Option<String>,
}

pub struct Template;

fn words(text: &str, max: usize) -> String {
    text.trim().chars().filter(|c| !c.is_control()).take(max).collect()
}

impl Decider for Template {
    type State = TemplateState;
    type Command = TemplateCommand;
    type Event = TemplateEvent;
    type Rejection = TemplateRejection;

    fn decide(state: &TemplateState, command: &TemplateCommand) -> Result<Vec<TemplateEvent>, TemplateRejection> {
        match command {
            TemplateCommand::Submit { template_id, company_id, line_id, shared, draft, provider_id, status } => {
                if state.template_id.is_some() {
                    return Err(TemplateRejection::AlreadyExists);
                }
                Ok(vec![TemplateEvent::Submitted {
                    template_id: *template_id,
                    company_id: *company_id,
                    line_id: *line_id,
                    shared: *shared,
                    draft: check_draft(draft)?,
                    provider_id: words(provider_id, crate::message::PROVIDER_REFERENCE_MAX_CHARS),
                    status: words(status, STATUS_MAX_CHARS).to_uppercase(),
                }])
            }
            TemplateCommand::RecordStatus { status, reason } => {
                let template_id = state.template_id.ok_or(TemplateRejection::NotFound)?;
                let status = words(status, STATUS_MAX_CHARS).to_uppercase();
                let reason = reason.as_deref().map(|r| words(r, REASON_MAX_CHARS)).filter(|r| !r.is_empty());
                if state.status.as_ref() == Some(&status) && state.reason == reason {
                    return Ok(vec![]);
                }
                Ok(vec![TemplateEvent::StatusChanged { template_id, status, reason }])
            }
        }
    }

    fn evolve(mut state: TemplateState, event: &TemplateEvent) -> TemplateState {
        match event {
            TemplateEvent::Submitted { template_id, status, .. } => {
                state.template_id = Some(*template_id);
                state.status = Some(status.clone());
            }
            TemplateEvent::StatusChanged { status, reason, .. } => {
                state.status = Some(status.clone());
                state.reason = reason.clone();
            }
        }
        state
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decider::given;

    #[test]
    fn the_stored_names_are_the_events_own() {
        crate::event::check_names::<TemplateEvent>(TemplateEvent::NAMES);
    }

    fn draft(body: &str, examples: &[&str]) -> TemplateDraft {
        TemplateDraft {
            name: "order_ready".into(),
            language: "es".into(),
            category: TemplateCategory::Utility,
            body: body.into(),
            examples: examples.iter().map(|e| e.to_string()).collect(),
        }
    }

    fn submit(draft: TemplateDraft) -> TemplateCommand {
        TemplateCommand::Submit {
            template_id: Uuid::from_u128(1),
            company_id: CompanyId::from_uuid(Uuid::from_u128(2)),
            line_id: LineId::from_uuid(Uuid::from_u128(3)),
            shared: true,
            draft,
            provider_id: "594425479261596".into(),
            status: "pending".into(),
        }
    }

    fn submitted() -> TemplateEvent {
        TemplateEvent::Submitted {
            template_id: Uuid::from_u128(1),
            company_id: CompanyId::from_uuid(Uuid::from_u128(2)),
            line_id: LineId::from_uuid(Uuid::from_u128(3)),
            shared: true,
            draft: draft("Hola {{1}}, tu pedido {{2}} está listo.", &["Ana", "A-12"]),
            provider_id: "594425479261596".into(),
            status: "PENDING".into(),
        }
    }

    #[test]
    fn a_template_is_submitted_with_one_example_per_variable() {
        given::<Template>(vec![])
            .when(submit(draft("Hola {{1}}, tu pedido {{2}} está listo.", &["Ana", "A-12"])))
            .then(vec![submitted()]);
        given::<Template>(vec![submitted()])
            .when(submit(draft("Hola {{1}}", &["Ana"])))
            .then_rejects(TemplateRejection::AlreadyExists);
    }

    #[test]
    fn what_the_provider_would_refuse_is_refused_first() {
        let bad_body = |body: &str, examples: &[&str]| check_draft(&draft(body, examples)).unwrap_err();
        assert!(matches!(bad_body("Hola {{1}} y {{3}}", &["a", "b"]), TemplateRejection::InvalidBody(_)));
        assert!(matches!(bad_body("Hola {{1}}", &[]), TemplateRejection::InvalidBody(_)));
        assert!(matches!(bad_body("Hola {{uno}}", &["a"]), TemplateRejection::InvalidBody(_)));
        assert!(matches!(bad_body("Hola {{1", &["a"]), TemplateRejection::InvalidBody(_)));
        assert!(matches!(bad_body("  ", &[]), TemplateRejection::InvalidBody(_)));
        assert!(check_draft(&draft("Sin variables", &[])).is_ok());
        assert!(check_draft(&draft("{{1}} y otra vez {{1}}", &["x"])).is_ok());
        for name in ["Order", "order ready", "", "pedido-listo"] {
            let named = TemplateDraft { name: name.into(), ..draft("Hola", &[]) };
            assert_eq!(check_draft(&named), Err(TemplateRejection::InvalidName), "{name}");
        }
        for language in ["ES", "es-AR", "e", "en_us", "en_USA"] {
            let spoken = TemplateDraft { language: language.into(), ..draft("Hola", &[]) };
            assert_eq!(check_draft(&spoken), Err(TemplateRejection::InvalidLanguage), "{language}");
        }
        assert!(check_draft(&TemplateDraft { language: "en_US".into(), ..draft("Hi", &[]) }).is_ok());
    }

    #[test]
    fn each_decision_is_recorded_once() {
        let rejected =
            TemplateCommand::RecordStatus { status: "REJECTED".into(), reason: Some("INVALID_FORMAT".into()) };
        let changed = TemplateEvent::StatusChanged {
            template_id: Uuid::from_u128(1),
            status: "REJECTED".into(),
            reason: Some("INVALID_FORMAT".into()),
        };
        given::<Template>(vec![submitted()]).when(rejected.clone()).then(vec![changed.clone()]);
        given::<Template>(vec![submitted(), changed]).when(rejected.clone()).then(vec![]);
        given::<Template>(vec![]).when(rejected).then_rejects(TemplateRejection::NotFound);
    }
}
