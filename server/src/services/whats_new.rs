//! What's new (P8): every feature of the product with its state, and the changelog — the
//! project's own `docs/FEATURES.md` and `CHANGELOG.md`, built into the binary and written as HTML.

use pulldown_cmark::{html, Event, Options, Parser};
use std::sync::LazyLock;

const FEATURES: &str = include_str!("../../../docs/FEATURES.md");
const CHANGELOG: &str = include_str!("../../../CHANGELOG.md");

/// The features' table and the changelog as HTML, written once.
pub struct WhatsNew {
    pub features: String,
    pub changelog: String,
}

pub static WHATS_NEW: LazyLock<WhatsNew> =
    LazyLock::new(|| WhatsNew { features: to_html(FEATURES), changelog: to_html(CHANGELOG) });

/// Markdown as HTML. Any HTML the text holds is shown as text, never run: the page is a list of
/// words, whoever wrote them.
pub fn to_html(markdown: &str) -> String {
    let events = Parser::new_ext(markdown, Options::ENABLE_TABLES).map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        other => other,
    });
    let mut out = String::new();
    html::push_html(&mut out, events);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_become_tables_and_html_in_the_text_stays_text() {
        let page = to_html("| id | state |\n|---|---|\n| W5 | done |\n\n<script>alert(1)</script> and <b>bold</b>");
        assert!(page.contains("<table>") && page.contains("<td>W5</td>"), "{page}");
        assert!(!page.contains("<script>") && page.contains("&lt;script&gt;"), "{page}");
        assert!(!page.contains("<b>"), "{page}");
    }

    #[test]
    fn the_product_s_own_pages_are_built_in() {
        assert!(WHATS_NEW.features.contains("<td>P8</td>"));
        assert!(WHATS_NEW.changelog.contains("<h1>Changelog</h1>"));
    }
}
