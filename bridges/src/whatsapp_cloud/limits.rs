//! What Meta accepts, from its documentation (`tests/fixtures/whatsapp_cloud/README.md`).

/// A text message's body.
pub const TEXT_MAX_CHARS: usize = 4096;
/// The body of a message with buttons or a list, and a file's caption.
pub const INTERACTIVE_BODY_MAX_CHARS: usize = 1024;
pub const CAPTION_MAX_CHARS: usize = 1024;
/// Reply buttons: how many, a title's and an id's length.
pub const BUTTONS_MAX: usize = 3;
pub const BUTTON_TITLE_MAX_CHARS: usize = 20;
pub const BUTTON_ID_MAX_CHARS: usize = 256;
/// A list: its rows, a row's title and id, and the label of the button that opens it.
pub const LIST_ROWS_MAX: usize = 10;
pub const ROW_TITLE_MAX_CHARS: usize = 24;
pub const ROW_ID_MAX_CHARS: usize = 200;
pub const LIST_BUTTON_MAX_CHARS: usize = 20;

/// `text` cut to `max` characters (never inside a character).
pub fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((end, _)) => text[..end].to_string(),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn clipping_counts_characters_not_bytes() {
        assert_eq!(super::clip("ñandú", 3), "ñan");
        assert_eq!(super::clip("ab", 5), "ab");
        assert_eq!(super::clip("😮😮", 1), "😮");
    }
}
