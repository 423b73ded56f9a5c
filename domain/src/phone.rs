//! Phone numbers in one form, E.164 (`+34612345678`), whatever way people or providers wrote them.
//!
//! Numbering plans change every year; the rules come from a kept library (`phonenumber`, Google's
//! libphonenumber metadata), never from a parser of our own.

use phonenumber::country;
use phonenumber::Mode;

pub const PHONE_MAX_CHARS: usize = 40;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PhoneRejection {
    #[error("a phone number is needed")]
    Empty,
    #[error("\"{0}\" is not a phone number: write it with its country code, e.g. +34 612 34 56 78")]
    Unreadable(String),
    #[error("\"{0}\" is not a number in use in its country's numbering plan")]
    NotInUse(String),
    #[error("\"{0}\" is not a country code (expected two letters, e.g. ES)")]
    UnknownCountry(String),
}

/// A country to read numbers written without their country code, e.g. `ES`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Country(country::Id);

impl Country {
    pub fn parse(code: &str) -> Result<Self, PhoneRejection> {
        code.trim()
            .to_uppercase()
            .parse::<country::Id>()
            .map(Self)
            .map_err(|_| PhoneRejection::UnknownCountry(code.trim().to_string()))
    }
}

/// `raw` in E.164. A number without `+` or `00` is read in `country` when one is given, and as
/// international digits otherwise (how WhatsApp names its users: `34612345678`).
pub fn normalize_phone(raw: &str, country: Option<Country>) -> Result<String, PhoneRejection> {
    let written = raw.trim();
    if written.is_empty() {
        return Err(PhoneRejection::Empty);
    }
    let unreadable = || PhoneRejection::Unreadable(written.to_string());
    if written.chars().count() > PHONE_MAX_CHARS
        || !written.chars().all(|c| c.is_ascii_digit() || " +-.()/".contains(c))
        || written.chars().filter(char::is_ascii_digit).count() < 4
    {
        return Err(unreadable());
    }
    let digits: String = written.chars().filter(char::is_ascii_digit).collect();
    let text = if written.starts_with('+') {
        format!("+{digits}")
    } else if let Some(rest) = digits.strip_prefix("00") {
        format!("+{rest}")
    } else if country.is_some() {
        digits
    } else {
        format!("+{digits}")
    };
    let number = phonenumber::parse(country.map(|c| c.0), &text).map_err(|_| unreadable())?;
    if !phonenumber::is_valid(&number) {
        return Err(PhoneRejection::NotInUse(written.to_string()));
    }
    Ok(number.format().mode(Mode::E164).to_string())
}

/// The digits people may type to find an E.164 number: with its country code and without.
pub fn phone_digit_forms(e164: &str) -> Vec<String> {
    let mut forms = vec![e164.trim_start_matches('+').to_string()];
    if let Ok(number) = phonenumber::parse(None, e164) {
        let national = number.national().value().to_string();
        if !forms.contains(&national) {
            forms.push(national);
        }
    }
    forms
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spain() -> Option<Country> {
        Some(Country::parse("es").unwrap())
    }

    #[test]
    fn the_same_number_written_many_ways_is_one_number() {
        for written in ["+34 612 34 56 78", "0034612345678", "+34-612-345-678", "(+34) 612.34.56.78", "34612345678"] {
            assert_eq!(normalize_phone(written, None), Ok("+34612345678".into()), "{written}");
        }
        assert_eq!(normalize_phone("612 34 56 78", spain()), Ok("+34612345678".into()));
        assert_eq!(normalize_phone("+1 (415) 555-2671", spain()), Ok("+14155552671".into()));
    }

    #[test]
    fn a_number_is_found_by_its_digits_with_or_without_the_country_code() {
        assert_eq!(phone_digit_forms("+34612345678"), vec!["34612345678".to_string(), "612345678".to_string()]);
    }

    #[test]
    fn what_is_not_a_number_in_use_is_refused_with_the_reason() {
        assert_eq!(normalize_phone("  ", None), Err(PhoneRejection::Empty));
        assert_eq!(normalize_phone("call me", None), Err(PhoneRejection::Unreadable("call me".into())));
        assert_eq!(normalize_phone("+34 1", None), Err(PhoneRejection::Unreadable("+34 1".into())));
        assert_eq!(normalize_phone("+34 12", None), Err(PhoneRejection::NotInUse("+34 12".into())));
        assert_eq!(Country::parse("XX"), Err(PhoneRejection::UnknownCountry("XX".into())));
    }
}
