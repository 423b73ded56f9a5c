//! The one way pages translate: each page (or part of one) keeps its words in a struct with an
//! English and a Spanish value, and picks one by the page's language — `?lang=es` for Spanish, or
//! the language the person picked, English otherwise.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    English,
    Spanish,
}

impl Lang {
    /// The language a tag such as `es`, `es-AR` or `en` names; English for anything else.
    pub fn from_tag(tag: &str) -> Self {
        if tag.trim().to_ascii_lowercase().starts_with("es") {
            Lang::Spanish
        } else {
            Lang::English
        }
    }

    /// Its tag, for `lang` attributes and for links that keep the language.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::English => "en",
            Lang::Spanish => "es",
        }
    }

    /// The words in this language.
    pub fn pick<T>(self, english: &'static T, spanish: &'static T) -> &'static T {
        match self {
            Lang::English => english,
            Lang::Spanish => spanish,
        }
    }
}

/// The page's language: the one its address asks (`?lang=`), or else the one the person picked
/// (W9), or else English.
pub fn use_lang() -> Signal<Lang> {
    let query = use_query_map();
    let picked = crate::preferences::use_preferences().map(|preferences| preferences.lang);
    // A redirect while the server renders disposes the route's query before a pending part of the
    // old page reads it; that part is never sent, so any language does.
    Signal::derive(move || match query.try_with(|query| query.get("lang")).flatten() {
        Some(tag) => Lang::from_tag(&tag),
        None => picked.and_then(|lang| lang.try_get().flatten()).map_or(Lang::English, |tag| Lang::from_tag(&tag)),
    })
}

/// A page's words in the page's language, following `?lang=` as it changes.
pub fn use_words<T: Send + Sync + 'static>(english: &'static T, spanish: &'static T) -> Signal<&'static T> {
    let lang = use_lang();
    Signal::derive(move || lang.get().pick(english, spanish))
}

/// One of a page's words, as a signal a component takes (`loading`, `empty`…).
pub fn word<T: Send + Sync + 'static>(words: Signal<&'static T>, pick: fn(&T) -> &'static str) -> Signal<&'static str> {
    Signal::derive(move || pick(words.get()))
}

#[cfg(test)]
mod tests {
    use super::Lang;

    #[test]
    fn spanish_is_asked_by_any_spanish_tag_and_english_is_the_rest() {
        for tag in ["es", "ES", "es-AR", " es"] {
            assert_eq!(Lang::from_tag(tag), Lang::Spanish, "{tag}");
        }
        for tag in ["", "en", "fr", "e"] {
            assert_eq!(Lang::from_tag(tag), Lang::English, "{tag}");
        }
        assert_eq!((*Lang::Spanish.pick(&"hello", &"hola"), *Lang::English.pick(&"hello", &"hola")), ("hola", "hello"));
    }
}
