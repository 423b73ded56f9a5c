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

/// What a file is, by the extension its address ends with (before any query).
pub fn kind_of(address: &str) -> crate::message::MessageKind {
    use crate::message::MessageKind;
    let path = address.split(['?', '#']).next().unwrap_or_default();
    match path.rsplit('.').next().unwrap_or_default().to_ascii_lowercase().as_str() {
        "jpg" | "jpeg" | "png" | "gif" | "webp" => MessageKind::Image,
        "mp4" | "3gp" | "webm" => MessageKind::Video,
        "mp3" | "ogg" | "aac" | "amr" | "m4a" | "weba" | "wav" => MessageKind::Audio,
        _ => MessageKind::Document,
    }
}

/// The name a file's address ends with, if any.
pub fn file_name(address: &str) -> Option<&str> {
    let path = address.split(['?', '#']).next().unwrap_or_default();
    path.rsplit('/').next().filter(|name| !name.is_empty())
}

#[cfg(test)]
mod tests {
    use super::{file_name, is_showable, kind_of};
    use crate::message::MessageKind;

    #[test]
    fn a_files_kind_and_name_are_read_from_its_address() {
        assert_eq!(kind_of("/media/ab.JPG"), MessageKind::Image);
        assert_eq!(kind_of("https://x.example/a.mp4?sig=1"), MessageKind::Video);
        assert_eq!(kind_of("/media/ab.ogg"), MessageKind::Audio);
        assert_eq!(kind_of("https://x.example/report"), MessageKind::Document);
        assert_eq!(file_name("https://x.example/docs/menu.pdf#page=2"), Some("menu.pdf"));
        assert_eq!(file_name("https://x.example/"), None);
    }

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
