//! How contacts are found (K11): the words a contact is found by and the terms a search asks for.
//! A search finds a contact when every asked term starts one of the contact's words, or, for an
//! e-mail address written whole, is the contact's address (so it finds only its owner).
//!
//! Words are lower-case and without accents ("López" is found by "lopez"); phone numbers are found
//! by their digits however they are written, with or without the country code. Words are kept as
//! tokens a full-text index splits only at spaces: letters and digits alone.

use crate::contact::{Account, Channel};
use crate::phone::phone_digit_forms;
use std::collections::BTreeSet;
use std::fmt::Write;
use unicode_normalization::UnicodeNormalization;

/// Words and terms are cut to this length: nobody types more of one word to find a contact (a
/// phone number has at most 15 digits), and a hostile name cannot make the index grow without end.
pub const TERM_MAX_CHARS: usize = 24;

/// A search is taken for a phone number from this many digits on.
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
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(|w| shortened(folded(w)))
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

/// An e-mail address as one token: `@`, then its folded, shortened text in hex. No word starts
/// with `@`, so no start of a word finds it; a full-text index that splits at `@` keeps the hex.
fn address_token(email: &str) -> String {
    shortened(folded(email)).bytes().fold(String::from("@"), |mut token, byte| {
        let _ = write!(token, "{byte:02x}");
        token
    })
}

/// What one contact is found by.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SearchText {
    /// Every word of its name, e-mail and business's name, of each account's id, and each phone
    /// number's digit forms.
    pub words: BTreeSet<String>,
    /// Its e-mail address whole, as a token.
    pub addresses: BTreeSet<String>,
}

impl SearchText {
    pub fn of<'a>(
        name: &str,
        email: Option<&str>,
        business: Option<&str>,
        accounts: impl IntoIterator<Item = &'a Account>,
    ) -> Self {
        let mut text = SearchText::default();
        text.words.extend(words(name));
        text.words.extend(email.into_iter().flat_map(words));
        text.words.extend(business.into_iter().flat_map(words));
        for account in accounts {
            match account.channel {
                Channel::Whatsapp => text.words.extend(phone_digit_forms(&account.id).into_iter().map(shortened)),
                _ => text.words.extend(words(&account.id)),
            }
        }
        text.addresses.extend(email.map(address_token));
        text
    }

    /// The words as one text, a space between each.
    pub fn words_text(&self) -> String {
        self.words.iter().map(String::as_str).collect::<Vec<_>>().join(" ")
    }

    pub fn addresses_text(&self) -> String {
        self.addresses.iter().map(String::as_str).collect::<Vec<_>>().join(" ")
    }
}

/// One term of a search.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Asked {
    /// The start of one of the contact's words.
    Start(String),
    /// The contact's e-mail address, whole (as its token).
    Address(String),
}

/// The terms a search asks for. A search written like a phone number ("+34 612-34 56 78",
/// "0034612…") asks for its digits; an e-mail address written whole is asked for whole; anything
/// else word by word.
pub fn query_terms(query: &str) -> Vec<Asked> {
    let query = query.trim();
    let digits: String = query.chars().filter(char::is_ascii_digit).collect();
    let phone_like =
        digits.len() >= PHONE_MIN_DIGITS && query.chars().all(|c| c.is_ascii_digit() || " +-.()/".contains(c));
    let terms: Vec<Asked> = if phone_like {
        vec![Asked::Start(shortened(digits.strip_prefix("00").map(str::to_string).unwrap_or(digits)))]
    } else {
        query
            .split_whitespace()
            .flat_map(|token| {
                if is_whole_email(token) {
                    vec![Asked::Address(address_token(token))]
                } else {
                    words(token).map(Asked::Start).collect()
                }
            })
            .collect()
    };
    let mut unique = Vec::new();
    for term in terms {
        if !unique.contains(&term) {
            unique.push(term);
        }
    }
    unique
}

/// Whether a contact's words and addresses (each a text of tokens between spaces, as
/// [`SearchText`] writes them) hold every asked term: what the full-text indexes answer, for
/// contacts read one by one.
pub fn finds(asked: &[Asked], words: &str, addresses: &str) -> bool {
    !asked.is_empty()
        && asked.iter().all(|term| match term {
            Asked::Start(start) => words.split(' ').any(|word| word.starts_with(start.as_str())),
            Asked::Address(address) => addresses.split(' ').any(|held| held == address),
        })
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

    fn matches(text: &SearchText, query: &str) -> bool {
        finds(&query_terms(query), &text.words_text(), &text.addresses_text())
    }

    #[test]
    fn a_contact_is_found_by_name_email_business_and_any_way_of_writing_its_phone() {
        let phone = Account::parse(Channel::Whatsapp, "+34 612 34 56 78", None).unwrap();
        let instagram = Account::parse(Channel::Instagram, "17841400000001", None).unwrap();
        let web = Account::parse(Channel::Web, "web-7781", None).unwrap();
        let terms = SearchText::of(
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
    fn a_contact_is_kept_as_words_of_letters_and_digits_and_its_address_whole() {
        let phone = Account::parse(Channel::Whatsapp, "+34 612 34 56 78", None).unwrap();
        let text = SearchText::of("Ana Iñaki", Some("a@b.es"), Some("Café-Bar"), [&phone]);
        assert_eq!(text.words_text(), "34612345678 612345678 a ana b bar cafe es inaki");
        assert_eq!(text.addresses_text(), "@6140622e6573");
        assert!(text.words.iter().all(|word| word.chars().all(char::is_alphanumeric)));
    }

    #[test]
    fn an_address_asked_whole_is_not_found_by_the_start_of_its_token() {
        let text = SearchText::of("Ana", Some("a@b.es"), None, []);
        assert!(matches(&text, "a@b.es"));
        assert!(!matches(&text, "61"), "the digits of the address's token are no word of the contact");
    }

    #[test]
    fn long_words_are_found_by_their_first_characters_alone() {
        let long = "a".repeat(40);
        let text = SearchText::of(&long, None, None, []);
        assert_eq!(text.words.iter().map(|t| t.chars().count()).max(), Some(TERM_MAX_CHARS));
        assert!(matches(&text, &"a".repeat(30)), "a longer query is cut like the word");
    }
}
