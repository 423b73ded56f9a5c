//! How people's words are tidied before they are kept.

/// Words on one line, each space run made single, the ends trimmed.
pub fn single_spaced(raw: &str) -> String {
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn runs_of_spaces_tabs_and_newlines_become_one_space() {
        assert_eq!(super::single_spaced("  Rosa \t  Díaz\n(VIP) "), "Rosa Díaz (VIP)");
        assert_eq!(super::single_spaced(" \n "), "");
    }
}
