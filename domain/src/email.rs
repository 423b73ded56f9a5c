//! E-mail addresses: the one rule every address in the product is checked by (people, contacts, menu forms, the bot's e-mails).

use serde::{Deserialize, Serialize};
use std::fmt;

/// An e-mail address, lowercased: `local@domain.tld`, no white space, at most 254 characters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("an e-mail address is needed")]
    Empty,
    #[error("\"{0}\" is not an e-mail address (expected name@example.com)")]
    Malformed(String),
}

impl Email {
    pub fn parse(raw: &str) -> Result<Self, EmailError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(EmailError::Empty);
        }
        let malformed = || EmailError::Malformed(trimmed.to_string());
        let (local, domain) = trimmed.split_once('@').ok_or_else(malformed)?;
        let well_formed = !local.is_empty()
            && trimmed.len() <= 254
            && !domain.contains('@')
            && domain.split('.').count() >= 2
            && domain.split('.').all(|label| !label.is_empty())
            && !trimmed.chars().any(|c| c.is_whitespace() || c.is_control());
        if !well_formed {
            return Err(malformed());
        }
        Ok(Self(trimmed.to_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Email {
    type Error = EmailError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Email> for String {
    fn from(value: Email) -> Self {
        value.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_addresses_are_trimmed_and_lowercased() {
        assert_eq!(Email::parse("  Ana@Example.COM ").unwrap().as_str(), "ana@example.com");
    }

    #[test]
    fn malformed_email_addresses_are_refused_with_a_reason() {
        let cases = [
            ("", "empty"),
            ("ana", "no @"),
            ("@example.com", "no local part"),
            ("ana@example", "no dot in the domain"),
            ("ana@@example.com", "two @"),
            ("ana maria@example.com", "a space"),
            ("ana@example..com", "an empty label"),
        ];
        for (raw, description) in cases {
            assert!(Email::parse(raw).is_err(), "{description}");
        }
    }
}
