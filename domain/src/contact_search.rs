//! How contacts are found (K11): the terms a contact is indexed under and the terms a search asks
//! for. A search matches a contact when each asked term starts one of the contact's terms.
//!
//! Terms are lower-case and without accents ("López" is found by "lopez"); phone numbers are found
//! by their digits however they are written, with or without the country code.

use crate::contact::{Account, Channel};
use crate::phone::phone_digit_forms;
use std::collections::BTreeSet;
use unicode_normalization::UnicodeNormalization;

/// Terms are cut to this length: nobody types more of one word to find a contact.
pub const TERM_MAX_CHARS: usize = 64;

fn folded(text: &str) -> String {
    text.nfd().filter(|c| !unicode_normalization::char::is_combining_mark(*c)).collect::<String>().to_lowercase()
}

fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(folded)
}

fn shortened(term: String) -> String {
    term.chars().take(TERM_MAX_CHARS).collect()
}

/// The terms a contact is found by: the words of its name, its e-mail (whole and in words), its
/// business's name, and each account's id (phones by their digit forms).
pub fn contact_terms<'a>(
    name: &str,
    email: Option<&str>,
    business: Option<&str>,
    accounts: impl IntoIterator<Item = &'a Account>,
) -> BTreeSet<String> {
    let mut terms: BTreeSet<String> = words(name).collect();
    if let Some(email) = email {
        terms.insert(folded(email));
        terms.extend(words(email));
    }
    terms.extend(business.into_iter().flat_map(words));
    for account in accounts {
        match account.channel {
            Channel::Whatsapp => terms.extend(phone_digit_forms(&account.id)),
            _ => {
                terms.insert(folded(&account.id));
            }
        }
    }
    terms.into_iter().map(shortened).collect()
}

/// The terms a search asks for. A search written like a phone number ("+34 612-34 56 78",
/// "0034612…") asks for its digits; an e-mail address is asked for whole; anything else word by word.
pub fn query_terms(query: &str) -> Vec<String> {
    let query = query.trim();
    let digits: String = query.chars().filter(char::is_ascii_digit).collect();
    let phone_like = digits.len() >= 3 && query.chars().all(|c| c.is_ascii_digit() || " +-.()/".contains(c));
    let terms: Vec<String> = if phone_like {
        vec![digits.strip_prefix("00").map(str::to_string).unwrap_or(digits)]
    } else {
        query
            .split_whitespace()
            .flat_map(|token| if token.contains('@') { vec![folded(token)] } else { words(token).collect() })
            .collect()
    };
    let mut unique = Vec::new();
    for term in terms.into_iter().map(shortened) {
        if !unique.contains(&term) {
            unique.push(term);
        }
    }
    unique
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(terms: &BTreeSet<String>, query: &str) -> bool {
        let asked = query_terms(query);
        !asked.is_empty() && asked.iter().all(|q| terms.iter().any(|t| t.starts_with(q.as_str())))
    }

    #[test]
    fn a_contact_is_found_by_name_email_business_and_any_way_of_writing_its_phone() {
        let phone = Account::parse(Channel::Whatsapp, "+34 612 34 56 78", None).unwrap();
        let instagram = Account::parse(Channel::Instagram, "17841400000001", None).unwrap();
        let terms =
            contact_terms("Ana María López", Some("ana.lopez@example.com"), Some("Acme Ltd"), [&phone, &instagram]);
        for query in [
            "ana",
            "LOPEZ",
            "maría lóp",
            "ana.lopez@exa",
            "acme",
            "+34 612 34 56 78",
            "0034612345678",
            "612-345",
            "(612) 34 56",
            "1784140",
        ] {
            assert!(matches(&terms, query), "{query} finds the contact");
        }
        for query in ["pedro", "ana pedro", "699", "example.org", ""] {
            assert!(!matches(&terms, query), "{query} does not find the contact");
        }
    }
}
