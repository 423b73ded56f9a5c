//! The addresses of files a chat may show: a web address, or one of our own uploads. Anything
//! else (`javascript:`, `data:`, `//elsewhere`, a path out of `/media/`) would be a link a
//! customer or a menu could make run in an agent's or a visitor's browser.

/// Whether `address` is a file a chat may show and link to.
pub fn is_showable(address: &str) -> bool {
    let lower = address.get(..8).unwrap_or(address).to_ascii_lowercase();
    let web = lower.starts_with("https://") || lower.starts_with("http://");
    let ours = address.starts_with("/media/") && !address.contains("..") && !address.contains('\\');
    (web || ours) && !address.chars().any(|c| c.is_whitespace() || c.is_control())
}

#[cfg(test)]
mod tests {
    use super::is_showable;

    #[test]
    fn web_addresses_and_our_uploads_are_shown_and_nothing_else() {
        for address in ["https://cdn.example/a.png", "HTTP://cdn.example/a.pdf", "/media/0123abcd.png"] {
            assert!(is_showable(address), "{address}");
        }
        for address in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            " javascript:alert(1)",
            "\u{1}javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "vbscript:msgbox(1)",
            "//evil.example/x.png",
            "/media/../api/v1/session",
            "/media/..\\x",
            "/api/v1/session",
            "https://x.example/a b.png",
            "https://x.example/\na.png",
            "",
        ] {
            assert!(!is_showable(address), "{address:?}");
        }
    }
}
