//! Asking a customer for data (M21, G20): a menu option's questions, each with the check its
//! answer must pass, and the conditions on the answers that send the chat to a queue. Pure.

use crate::email::Email;
use crate::errand::{Answers, AnswersEmail, WebQuery};
use crate::ids::QueueId;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub const MAX_QUESTIONS: usize = 10;
pub const NAME_MAX_CHARS: usize = 40;
pub const MAX_ATTEMPTS: u8 = 10;
pub const ANSWER_MAX_CHARS: usize = 500;
pub const PATTERN_MAX_CHARS: usize = 300;

/// Questions asked in order; once all are answered the answers are kept in the conversation,
/// e-mailed, sent to a web service, or they send the chat to a queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Form {
    pub questions: Vec<Question>,
    /// Wrong answers to one question before `on_give_up` (M21).
    #[serde(default = "default_attempts")]
    pub max_attempts: u8,
    #[serde(default)]
    pub on_give_up: GiveUp,
    /// The first route whose conditions the answers meet sends the chat to its queue (G20).
    #[serde(default)]
    pub routes: Vec<FormRoute>,
    /// E-mails the answers (M17).
    #[serde(default)]
    pub email: Option<AnswersEmail>,
    /// Sends the answers to a web service and says what it answers.
    #[serde(default)]
    pub query: Option<WebQuery>,
    /// Said once the answers are in, unless a route or the query answers instead.
    #[serde(default)]
    pub done: Option<String>,
}

fn default_attempts() -> u8 {
    3
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Question {
    /// How the answer is called in conditions, templates and the record: `[a-z0-9_]`.
    pub name: String,
    pub text: String,
    #[serde(default)]
    pub check: AnswerCheck,
    /// Said before the question again after a wrong answer.
    #[serde(default)]
    pub error: Option<String>,
}

/// What an answer must be.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum AnswerCheck {
    /// Any text.
    #[default]
    Any,
    /// The whole answer matches the regular expression.
    Regex {
        pattern: String,
    },
    /// A number (a decimal comma is read as a point), within the bounds given.
    Number {
        #[serde(default)]
        min: Option<i64>,
        #[serde(default)]
        max: Option<i64>,
    },
    /// A date, `2026-11-26` or `26/11/2026`; kept as `2026-11-26`.
    Date,
    Email,
    /// One of the options, by its words (any case) or its number from 1; kept as the option.
    OneOf {
        options: Vec<String>,
    },
}

/// What happens when a customer gave `max_attempts` wrong answers to a question.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "then")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum GiveUp {
    /// Back to the top of the menu.
    #[default]
    Menu,
    /// To an agent of a queue.
    Queue { queue: QueueId },
    /// The conversation ends (with the menu's farewell).
    End,
}

/// Sends the chat to `queue` when the answer to `question` meets every condition given.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FormRoute {
    pub question: String,
    /// The answer is this (any case).
    #[serde(default)]
    pub equals: Option<String>,
    /// The answer is a number at least this…
    #[serde(default)]
    pub at_least: Option<i64>,
    /// …and at most this.
    #[serde(default)]
    pub at_most: Option<i64>,
    pub queue: QueueId,
    /// Said as the chat goes to the queue.
    #[serde(default)]
    pub message: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FormRejection {
    #[error("a form asks 1 to {MAX_QUESTIONS} questions")]
    QuestionCount,
    #[error("question names are 1 to {NAME_MAX_CHARS} of a-z, 0-9 and _, each different (`{0}`)")]
    InvalidName(String),
    #[error("question `{0}` needs words")]
    InvalidText(String),
    #[error("question `{name}`: the pattern is not a regular expression: {reason}")]
    InvalidPattern { name: String, reason: String },
    #[error("question `{0}`: a list of options needs 1 to 9, none empty")]
    InvalidOptions(String),
    #[error("question `{0}`: the smallest number is above the largest")]
    InvalidBounds(String),
    #[error("a form allows 1 to {MAX_ATTEMPTS} attempts per question")]
    InvalidAttempts,
    #[error("a route names question `{0}`, which the form does not ask")]
    UnknownQuestion(String),
}

/// Why an answer did not pass its question's check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WrongAnswer;

fn name_ok(name: &str) -> bool {
    !name.is_empty()
        && name.chars().count() <= NAME_MAX_CHARS
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

impl Form {
    /// Refuses a form a customer could not get through, with the reason; `words_ok` checks
    /// the length of what the bot says.
    pub fn check(&self, words_ok: impl Fn(&str) -> bool) -> Result<(), FormRejection> {
        if self.questions.is_empty() || self.questions.len() > MAX_QUESTIONS {
            return Err(FormRejection::QuestionCount);
        }
        if !(1..=MAX_ATTEMPTS).contains(&self.max_attempts) {
            return Err(FormRejection::InvalidAttempts);
        }
        let mut names: Vec<&str> = Vec::new();
        for question in &self.questions {
            if !name_ok(&question.name) || names.contains(&question.name.as_str()) {
                return Err(FormRejection::InvalidName(question.name.clone()));
            }
            names.push(&question.name);
            if !words_ok(&question.text) || !question.error.as_deref().is_none_or(&words_ok) {
                return Err(FormRejection::InvalidText(question.name.clone()));
            }
            question.check.check(&question.name)?;
        }
        if let Some(route) = self.routes.iter().find(|route| !names.contains(&route.question.as_str())) {
            return Err(FormRejection::UnknownQuestion(route.question.clone()));
        }
        let said = self.done.iter().chain(self.routes.iter().filter_map(|r| r.message.as_ref()));
        if let Some(bad) = said.into_iter().find(|text| !words_ok(text)) {
            return Err(FormRejection::InvalidText(bad.chars().take(20).collect()));
        }
        Ok(())
    }

    /// The queue the answers send the chat to, with its words, if a route's conditions are met.
    pub fn route_for(&self, answers: &Answers) -> Option<&FormRoute> {
        self.routes.iter().find(|route| route.matches(answers))
    }
}

impl FormRoute {
    fn matches(&self, answers: &Answers) -> bool {
        let Some(answer) = answers.get(&self.question) else { return false };
        let number = read_number(answer);
        let equals = self.equals.as_ref().is_none_or(|wanted| wanted.trim().to_lowercase() == answer.to_lowercase());
        let at_least = self.at_least.is_none_or(|min| number.is_some_and(|n| n >= min as f64));
        let at_most = self.at_most.is_none_or(|max| number.is_some_and(|n| n <= max as f64));
        equals && at_least && at_most
    }
}

fn read_number(text: &str) -> Option<f64> {
    text.trim().replace(',', ".").parse::<f64>().ok().filter(|n| n.is_finite())
}

impl AnswerCheck {
    fn check(&self, name: &str) -> Result<(), FormRejection> {
        match self {
            AnswerCheck::Regex { pattern } => {
                if pattern.chars().count() > PATTERN_MAX_CHARS {
                    return Err(FormRejection::InvalidPattern { name: name.into(), reason: "too long".into() });
                }
                regex::Regex::new(pattern)
                    .map(|_| ())
                    .map_err(|e| FormRejection::InvalidPattern { name: name.into(), reason: e.to_string() })
            }
            AnswerCheck::Number { min: Some(min), max: Some(max) } if min > max => {
                Err(FormRejection::InvalidBounds(name.into()))
            }
            AnswerCheck::OneOf { options } if options.is_empty() || options.len() > 9 => {
                Err(FormRejection::InvalidOptions(name.into()))
            }
            AnswerCheck::OneOf { options } if options.iter().any(|o| o.trim().is_empty()) => {
                Err(FormRejection::InvalidOptions(name.into()))
            }
            _ => Ok(()),
        }
    }

    /// The answer as it is kept, if it passes.
    pub fn accept(&self, answer: &str) -> Result<String, WrongAnswer> {
        let answer = answer.trim();
        if answer.is_empty() || answer.chars().count() > ANSWER_MAX_CHARS {
            return Err(WrongAnswer);
        }
        match self {
            AnswerCheck::Any => Ok(answer.to_string()),
            AnswerCheck::Regex { pattern } => {
                let whole = regex::Regex::new(&format!("^(?:{pattern})$")).map_err(|_| WrongAnswer)?;
                whole.is_match(answer).then(|| answer.to_string()).ok_or(WrongAnswer)
            }
            AnswerCheck::Number { min, max } => {
                let number = read_number(answer).ok_or(WrongAnswer)?;
                let within = min.is_none_or(|m| number >= m as f64) && max.is_none_or(|m| number <= m as f64);
                within.then(|| answer.replace(',', ".")).ok_or(WrongAnswer)
            }
            AnswerCheck::Date => NaiveDate::parse_from_str(answer, "%Y-%m-%d")
                .or_else(|_| NaiveDate::parse_from_str(answer, "%d/%m/%Y"))
                .map(|date| date.format("%Y-%m-%d").to_string())
                .map_err(|_| WrongAnswer),
            AnswerCheck::Email => Email::parse(answer).map(String::from).map_err(|_| WrongAnswer),
            AnswerCheck::OneOf { options } => {
                let by_number =
                    answer.trim_end_matches('.').parse::<usize>().ok().and_then(|n| options.get(n.checked_sub(1)?));
                let by_words = options.iter().find(|o| o.trim().to_lowercase() == answer.to_lowercase());
                by_number.or(by_words).map(|o| o.trim().to_string()).ok_or(WrongAnswer)
            }
        }
    }

    /// The options, numbered, to show under the question.
    pub fn options_text(&self) -> Option<String> {
        match self {
            AnswerCheck::OneOf { options } => {
                Some(options.iter().enumerate().map(|(i, o)| format!("{}. {o}", i + 1)).collect::<Vec<_>>().join("\n"))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_checked_and_kept_in_one_form() {
        let number = AnswerCheck::Number { min: Some(1), max: Some(100) };
        assert_eq!(number.accept(" 12,5 "), Ok("12.5".into()));
        assert_eq!(number.accept("101"), Err(WrongAnswer));
        assert_eq!(number.accept("twelve"), Err(WrongAnswer));
        assert_eq!(AnswerCheck::Date.accept("26/11/2026"), Ok("2026-11-26".into()));
        assert_eq!(AnswerCheck::Date.accept("2026-02-30"), Err(WrongAnswer));
        assert_eq!(AnswerCheck::Email.accept("Ana@Example.com"), Ok("ana@example.com".into()));
        assert_eq!(AnswerCheck::Email.accept("ana@example"), Err(WrongAnswer));
        assert_eq!(
            AnswerCheck::Email.accept("ana@example..com"),
            Err(WrongAnswer),
            "the one e-mail rule: no empty label"
        );
        let order = AnswerCheck::Regex { pattern: "[A-Z]{2}-\\d{4}".into() };
        assert_eq!(order.accept("AB-1234"), Ok("AB-1234".into()));
        assert_eq!(order.accept("xAB-1234"), Err(WrongAnswer), "the whole answer must match");
        let sizes = AnswerCheck::OneOf { options: vec!["Small".into(), "Large".into()] };
        assert_eq!(sizes.accept("2"), Ok("Large".into()));
        assert_eq!(sizes.accept("small"), Ok("Small".into()));
        assert_eq!(sizes.accept("3"), Err(WrongAnswer));
        assert_eq!(AnswerCheck::Any.accept("   "), Err(WrongAnswer));
    }

    #[test]
    fn forms_a_customer_could_not_get_through_are_refused() {
        let question =
            |name: &str, check: AnswerCheck| Question { name: name.into(), text: "?".into(), check, error: None };
        let form = |questions: Vec<Question>| Form {
            questions,
            max_attempts: 3,
            on_give_up: GiveUp::Menu,
            routes: vec![],
            email: None,
            query: None,
            done: None,
        };
        let ok = |t: &str| !t.trim().is_empty();
        assert_eq!(form(vec![]).check(ok), Err(FormRejection::QuestionCount));
        assert_eq!(
            form(vec![question("a", AnswerCheck::Any), question("a", AnswerCheck::Any)]).check(ok),
            Err(FormRejection::InvalidName("a".into()))
        );
        assert!(matches!(
            form(vec![question("a", AnswerCheck::Regex { pattern: "(".into() })]).check(ok),
            Err(FormRejection::InvalidPattern { .. })
        ));
        let mut routed = form(vec![question("amount", AnswerCheck::Any)]);
        routed.routes.push(FormRoute {
            question: "total".into(),
            equals: None,
            at_least: Some(1),
            at_most: None,
            queue: QueueId::from_uuid(uuid::Uuid::nil()),
            message: None,
        });
        assert_eq!(routed.check(ok), Err(FormRejection::UnknownQuestion("total".into())));
    }

    #[test]
    fn the_first_route_whose_conditions_hold_wins() {
        let queue = |n: u128| QueueId::from_uuid(uuid::Uuid::from_u128(n));
        let route = |at_least: Option<i64>, equals: Option<&str>, n: u128| FormRoute {
            question: "amount".into(),
            equals: equals.map(String::from),
            at_least,
            at_most: None,
            queue: queue(n),
            message: None,
        };
        let form = Form {
            questions: vec![],
            max_attempts: 3,
            on_give_up: GiveUp::Menu,
            routes: vec![route(Some(1000), None, 1), route(None, Some("zero"), 2)],
            email: None,
            query: None,
            done: None,
        };
        let answers = |amount: &str| Answers::from([("amount".to_string(), amount.to_string())]);
        assert_eq!(form.route_for(&answers("1500")).map(|r| r.queue), Some(queue(1)));
        assert_eq!(form.route_for(&answers("ZERO")).map(|r| r.queue), Some(queue(2)));
        assert_eq!(form.route_for(&answers("999")), None);
    }
}
