//! How contacts are found (K11): the keys a contact is indexed under and the terms a search asks
//! for. A search matches a contact when each asked term is one of the contact's keys: every prefix
//! of each word of the contact (so a search is answered by equalities, each already in name order
//! in the index), and its e-mail address whole (so an address asked whole finds only its owner).
//!
//! Terms are lower-case and without accents ("López" is found by "lopez"); phone numbers are found
//! by their digits however they are written, with or without the country code.

use crate::contact::{Account, Channel};
use crate::phone::phone_digit_forms;
use std::collections::BTreeSet;
use unicode_normalization::UnicodeNormalization;

/// Terms are cut to this length: nobody types more of one word to find a contact (a phone number
/// has at most 15 digits), and every prefix of a term is indexed.
pub const TERM_MAX_CHARS: usize = 24;

/// A search is taken for a phone number from this many digits on; shorter starts of a number are
/// never asked, so they are not kept.
const PHONE_MIN_DIGITS: usize = 3;

fn folded(text: &str) -> String {
    text.nfd().filter(|c| !unicode_normalization::char::is_combining_mark(*c)).collect::<String>().to_lowercase()
}

/// What contacts are listed in order of: the name lower-case and without accents, so that "Ángel"
/// comes before "Rosa" however the database compares text.
pub fn name_order_key(name: &str) -> String {
    folded(name)
}

fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(folded)
}

fn shortened(term: String) -> String {
    term.chars().take(TERM_MAX_CHARS).collect()
}

/// An e-mail address as a search may ask for it whole: something, `@`, and a domain with a dot.
fn is_whole_email(token: &str) -> bool {
    token.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty() && domain.split_once('.').is_some_and(|(host, top)| !host.is_empty() && !top.is_empty())
    })
}

/// The keys a contact is found by: every prefix of each word of its name, e-mail and business's
/// name and of each account's id (whole and in words; phones by their digit forms), and its
/// e-mail address whole.
pub fn contact_keys<'a>(
    name: &str,
    email: Option<&str>,
    business: Option<&str>,
    accounts: impl IntoIterator<Item = &'a Account>,
) -> BTreeSet<String> {
    let mut terms: BTreeSet<String> = words(name).collect();
    terms.extend(email.into_iter().flat_map(words));
    terms.extend(business.into_iter().flat_map(words));
    let mut numbers = BTreeSet::new();
    for account in accounts {
        match account.channel {
            Channel::Whatsapp => numbers.extend(phone_digit_forms(&account.id)),
            _ => {
                terms.insert(folded(&account.id));
                terms.extend(words(&account.id));
            }
        }
    }
    let mut keys: BTreeSet<String> = terms.into_iter().flat_map(|term| prefixes(&shortened(term), 1)).collect();
    keys.extend(numbers.into_iter().flat_map(|number| prefixes(&shortened(number), PHONE_MIN_DIGITS)));
    keys.extend(email.map(|email| shortened(folded(email))));
    keys
}

/// Every prefix of a term of at least `shortest` characters, the term itself included.
fn prefixes(term: &str, shortest: usize) -> Vec<String> {
    term.char_indices().skip(shortest - 1).map(|(at, c)| term[..at + c.len_utf8()].to_string()).collect()
}

/// The terms a search asks for. A search written like a phone number ("+34 612-34 56 78",
/// "0034612…") asks for its digits; an e-mail address written whole is asked for whole; anything
/// else word by word.
pub fn query_terms(query: &str) -> Vec<String> {
    let query = query.trim();
    let digits: String = query.chars().filter(char::is_ascii_digit).collect();
    let phone_like =
        digits.len() >= PHONE_MIN_DIGITS && query.chars().all(|c| c.is_ascii_digit() || " +-.()/".contains(c));
    let terms: Vec<String> = if phone_like {
        vec![digits.strip_prefix("00").map(str::to_string).unwrap_or(digits)]
    } else {
        query
            .split_whitespace()
            .flat_map(|token| if is_whole_email(token) { vec![folded(token)] } else { words(token).collect() })
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

    #[test]
    fn contacts_are_listed_by_their_names_letters_whatever_their_accents_and_case() {
        let mut names = vec!["Rosa", "Ángel", "zoe", "Álvaro", "Óscar"];
        names.sort_by_key(|name| name_order_key(name));
        assert_eq!(names, ["Álvaro", "Ángel", "Óscar", "Rosa", "zoe"]);
    }

    fn matches(keys: &BTreeSet<String>, query: &str) -> bool {
        let asked = query_terms(query);
        !asked.is_empty() && asked.iter().all(|q| keys.contains(q))
    }

    #[test]
    fn a_contact_is_found_by_name_email_business_and_any_way_of_writing_its_phone() {
        let phone = Account::parse(Channel::Whatsapp, "+34 612 34 56 78", None).unwrap();
        let instagram = Account::parse(Channel::Instagram, "17841400000001", None).unwrap();
        let web = Account::parse(Channel::Web, "web-7781", None).unwrap();
        let terms = contact_keys(
            "Ana María López",
            Some("ana.lopez@example.com"),
            Some("Acme Ltd"),
            [&phone, &instagram, &web],
        );
        for query in [
            "ana",
            "LOPEZ",
            "maría lóp",
            "ana.lopez@exa",
            "ana.lopez@example.com",
            "acme",
            "+34 612 34 56 78",
            "0034612345678",
            "612-345",
            "(612) 34 56",
            "1784140",
            "web-7781",
            "7781",
        ] {
            assert!(matches(&terms, query), "{query} finds the contact");
        }
        for query in ["pedro", "ana pedro", "699", "example.org", "ana.lopez@example.org", "anab", ""] {
            assert!(!matches(&terms, query), "{query} does not find the contact");
        }
    }

    #[test]
    fn every_prefix_of_every_word_is_a_key_and_the_email_whole_too() {
        let keys: Vec<String> = contact_keys("Ana Iñaki", Some("a@b.es"), None, []).into_iter().collect();
        assert_eq!(keys, ["a", "a@b.es", "an", "ana", "b", "e", "es", "i", "in", "ina", "inak", "inaki"]);
    }

    #[test]
    fn long_words_are_found_by_their_first_characters_alone() {
        let long = "a".repeat(40);
        let terms = contact_keys(&long, None, None, []);
        assert_eq!(terms.iter().map(|t| t.chars().count()).max(), Some(TERM_MAX_CHARS));
        assert!(matches(&terms, &"a".repeat(30)), "a longer query is cut like the term");
    }
}
