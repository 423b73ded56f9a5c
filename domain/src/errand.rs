//! The bot's errands outside (M1, M17): a query to a web service and an e-mail of a customer's
//! answers, rendered from their templates into what the edge sends, and the service's answer
//! rendered into what the customer reads. Pure: the edge sends and records the outcome.

use crate::email::Email;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const URL_MAX_CHARS: usize = 2048;
pub const TEMPLATE_MAX_CHARS: usize = 4000;
pub const TIMEOUT_MAX_MS: u32 = 30_000;
/// A customer's answers, by question name.
pub type Answers = BTreeMap<String, String>;

const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/// A query to a web service. `{{name}}` in the URL, headers and body is the customer's answer to
/// the question `name` (percent-encoded in the URL, JSON-escaped in the body).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebQuery {
    #[serde(default = "default_method")]
    pub method: String,
    pub url: String,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    #[serde(default)]
    pub body: Option<String>,
    /// What the customer reads: `{{a.b}}` is field `b` of field `a` of the service's JSON answer
    /// (`{{items.0.name}}` indexes lists), `{{body}}` its whole text, `{{name}}` an answer.
    pub answer: String,
    #[serde(default = "default_timeout")]
    pub timeout_ms: u32,
    /// Said when the service fails, answers an error, or is slower than `timeout_ms`.
    pub error: String,
    /// Resolve the chat right after the answer (or the error), instead of offering the menu, an
    /// agent or the end (G13).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub resolve: bool,
}

fn default_method() -> String {
    "GET".into()
}

fn default_timeout() -> u32 {
    5000
}

/// Where a customer's answers are e-mailed (M17).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AnswersEmail {
    pub to: String,
    pub subject: String,
}

/// A request as it is to be sent: kept in the chat's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebRequest {
    pub method: String,
    pub url: String,
    pub headers: BTreeMap<String, String>,
    pub body: Option<String>,
    pub timeout_ms: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ErrandRejection {
    #[error("a web query needs an http:// or https:// URL of at most {URL_MAX_CHARS} characters")]
    InvalidUrl,
    #[error("a web query's method is one of GET, POST, PUT, PATCH, DELETE")]
    InvalidMethod,
    #[error("a web query waits 100 to {TIMEOUT_MAX_MS} ms")]
    InvalidTimeout,
    #[error("a web query needs the words of its answer and of its error, templates of at most {TEMPLATE_MAX_CHARS} characters, and headers of its own (not Host, Content-Length, Transfer-Encoding, Connection or Proxy-…)")]
    InvalidTemplate,
    #[error("answers are e-mailed to one valid address, with a subject")]
    InvalidEmail,
}

/// Headers that say how the request travels rather than what it asks: the server sets them, a
/// menu may not (a `Host` or a length of the menu's own could smuggle another request through).
fn is_transport_header(name: &str) -> bool {
    let name = name.trim().to_ascii_lowercase();
    ["host", "content-length", "transfer-encoding", "connection", "keep-alive", "upgrade", "te", "trailer", "expect"]
        .contains(&name.as_str())
        || name.starts_with("proxy-")
}

impl WebQuery {
    pub fn check(&self, words_ok: impl Fn(&str) -> bool) -> Result<(), ErrandRejection> {
        let url = self.url.trim();
        let http = url.starts_with("http://") || url.starts_with("https://");
        if !http || url.chars().count() > URL_MAX_CHARS || url.chars().any(char::is_whitespace) {
            return Err(ErrandRejection::InvalidUrl);
        }
        if !METHODS.contains(&self.method.to_uppercase().as_str()) {
            return Err(ErrandRejection::InvalidMethod);
        }
        if !(100..=TIMEOUT_MAX_MS).contains(&self.timeout_ms) {
            return Err(ErrandRejection::InvalidTimeout);
        }
        let long = |t: &String| t.chars().count() > TEMPLATE_MAX_CHARS;
        let headers_ok = self.headers.iter().all(|(name, value)| {
            !name.trim().is_empty()
                && !long(value)
                && !name.contains(['\r', '\n', ':'])
                && !value.contains(['\r', '\n'])
                && !is_transport_header(name)
        });
        if !words_ok(&self.answer) || !words_ok(&self.error) || self.body.as_ref().is_some_and(long) || !headers_ok {
            return Err(ErrandRejection::InvalidTemplate);
        }
        Ok(())
    }

    /// The request for these answers.
    pub fn request(&self, answers: &Answers) -> WebRequest {
        let value = |name: &str| answers.get(name).cloned().unwrap_or_default();
        WebRequest {
            method: self.method.to_uppercase(),
            url: fill(self.url.trim(), |name| percent_encoded(&value(name))),
            headers: self
                .headers
                .iter()
                .map(|(k, v)| (k.trim().to_string(), fill(v, |name| value(name).replace(['\r', '\n'], " "))))
                .collect(),
            body: self.body.as_ref().map(|body| fill(body, |name| json_escaped(&value(name)))),
            timeout_ms: self.timeout_ms,
        }
    }
}

impl AnswersEmail {
    pub fn check(&self) -> Result<(), ErrandRejection> {
        let subject_ok = !self.subject.trim().is_empty()
            && self.subject.chars().count() <= 200
            && !self.subject.contains(['\r', '\n']);
        if Email::parse(&self.to).is_err() || !subject_ok {
            return Err(ErrandRejection::InvalidEmail);
        }
        Ok(())
    }
}

/// What the customer reads of a service's answer.
pub fn render_answer(template: &str, body: &str, answers: &Answers) -> String {
    let json: Option<serde_json::Value> = serde_json::from_str(body).ok();
    fill(template, |path| {
        if path == "body" {
            return body.to_string();
        }
        if let Some(answer) = answers.get(path) {
            return answer.clone();
        }
        let mut value = json.as_ref();
        for step in path.split('.') {
            value = value.and_then(|v| match step.parse::<usize>() {
                Ok(index) if v.is_array() => v.get(index),
                _ => v.get(step),
            });
        }
        match value {
            Some(serde_json::Value::String(text)) => text.clone(),
            Some(serde_json::Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        }
    })
}

/// The text of an e-mail of answers: one line per question, in the order asked.
pub fn answers_text(questions: &[(String, String)], answers: &Answers) -> String {
    questions
        .iter()
        .map(|(name, text)| format!("{}: {}", text.trim(), answers.get(name).map_or("", String::as_str)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `template` with every `{{name}}` replaced by `value(name)` (spaces inside the braces aside).
fn fill(template: &str, value: impl Fn(&str) -> String) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        let Some(length) = rest[start + 2..].find("}}") else { break };
        out.push_str(&rest[..start]);
        out.push_str(&value(rest[start + 2..start + 2 + length].trim()));
        rest = &rest[start + 2 + length + 2..];
    }
    out.push_str(rest);
    out
}

fn percent_encoded(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn json_escaped(text: &str) -> String {
    let quoted = serde_json::Value::String(text.to_string()).to_string();
    quoted[1..quoted.len() - 1].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answers() -> Answers {
        Answers::from([("order".to_string(), "AB 12/\"x\"".to_string())])
    }

    #[test]
    fn a_query_carries_the_answers_encoded_for_where_they_go() {
        let query = WebQuery {
            method: "post".into(),
            url: "https://shop.example/orders/{{ order }}?q=1".into(),
            headers: BTreeMap::from([("X-Order".to_string(), "{{order}}".to_string())]),
            body: Some(r#"{"order": "{{order}}"}"#.into()),
            answer: "Status: {{status}}".into(),
            timeout_ms: 2000,
            error: "Sorry".into(),
            resolve: false,
        };
        let request = query.request(&answers());
        assert_eq!(request.method, "POST");
        assert_eq!(request.url, "https://shop.example/orders/AB%2012%2F%22x%22?q=1");
        assert_eq!(request.body.as_deref(), Some(r#"{"order": "AB 12/\"x\""}"#));
        let sent: serde_json::Value = serde_json::from_str(request.body.as_deref().unwrap()).unwrap();
        assert_eq!(sent["order"], "AB 12/\"x\"", "the body stays JSON whatever the customer typed");
        assert_eq!(request.headers["X-Order"], "AB 12/\"x\"");
    }

    #[test]
    fn the_answer_reads_fields_of_the_services_json() {
        let body = r#"{"status": "shipped", "items": [{"name": "Mate"}], "count": 2, "gone": null}"#;
        let template = "{{status}}: {{items.0.name}} ×{{count}} {{gone}}{{missing}} for {{order}}";
        assert_eq!(render_answer(template, body, &answers()), "shipped: Mate ×2  for AB 12/\"x\"");
        assert_eq!(render_answer("Said: {{body}}", "plain words", &Answers::new()), "Said: plain words");
        assert_eq!(render_answer("{{unclosed", "{}", &Answers::new()), "{{unclosed");
    }

    #[test]
    fn queries_and_emails_that_cannot_work_are_refused() {
        let query = |url: &str, method: &str, timeout_ms: u32| WebQuery {
            method: method.into(),
            url: url.into(),
            headers: BTreeMap::new(),
            body: None,
            answer: "a".into(),
            timeout_ms,
            error: "e".into(),
            resolve: false,
        };
        let ok = |t: &str| !t.trim().is_empty();
        assert_eq!(query("ftp://x", "GET", 1000).check(ok), Err(ErrandRejection::InvalidUrl));
        assert_eq!(query("https://x", "TRACE", 1000).check(ok), Err(ErrandRejection::InvalidMethod));
        assert_eq!(query("https://x", "GET", 10).check(ok), Err(ErrandRejection::InvalidTimeout));
        assert_eq!(query("https://x", "get", 1000).check(ok), Ok(()));
        for header in ["Host", " content-length", "Transfer-Encoding", "CONNECTION", "Proxy-Authorization", "TE"] {
            let mut with_header = query("https://x", "GET", 1000);
            with_header.headers.insert(header.into(), "x".into());
            assert_eq!(with_header.check(ok), Err(ErrandRejection::InvalidTemplate), "{header}");
        }
        let mut own_header = query("https://x", "GET", 1000);
        own_header.headers.insert("X-Api-Key".into(), "k".into());
        assert_eq!(own_header.check(ok), Ok(()));
        let email = |to: &str| AnswersEmail { to: to.into(), subject: "New lead".into() };
        assert_eq!(email("sales@shop.example").check(), Ok(()));
        assert_eq!(email("sales").check(), Err(ErrandRejection::InvalidEmail));
        assert_eq!(email("sales@shop..example").check(), Err(ErrandRejection::InvalidEmail), "the one e-mail rule");
    }
}
