//! What a person picks once for every page, remembered by their browser (a cookie each, for a
//! year): the language (W9) and the theme (W3). The server reads them from the request, so the
//! page comes already in the person's language and colours; the browser writes them when the
//! person picks, and every page follows at once.

use leptos::prelude::*;

pub const LANG_COOKIE: &str = "ikono_lang";
pub const THEME_COOKIE: &str = "ikono_theme";
/// The browser's time zone, written by the browser on every page: the server counts a person's
/// day (P11) and shows times in it.
pub const TIME_ZONE_COOKIE: &str = "ikono_tz";

/// The page's colours: the system's until the person picks light or dark.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    System,
    Light,
    Dark,
}

impl Theme {
    pub const ALL: [Theme; 3] = [Theme::System, Theme::Light, Theme::Dark];

    /// The theme a cookie's value names; the system's for anything else.
    pub fn from_name(name: &str) -> Self {
        match name {
            "light" => Theme::Light,
            "dark" => Theme::Dark,
            _ => Theme::System,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Theme::System => "system",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
}

/// The person's picks, shared by every part of the page.
#[derive(Clone, Copy)]
pub struct Preferences {
    /// The picked language's tag (`en`, `es`); none: not picked.
    pub lang: RwSignal<Option<String>>,
    pub theme: RwSignal<Theme>,
}

/// Reads the picks the browser remembers and shares them with the page.
pub fn provide_preferences() {
    let cookies = cookies();
    let cookie = |name: &str| {
        cookies
            .split(';')
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.to_string())
    };
    #[cfg(feature = "hydrate")]
    if let Some(zone) = browser_time_zone().filter(|zone| cookie(TIME_ZONE_COOKIE).as_deref() != Some(zone.as_str())) {
        remember(TIME_ZONE_COOKIE, &zone);
    }
    provide_context(Preferences {
        lang: RwSignal::new(cookie(LANG_COOKIE)),
        theme: RwSignal::new(cookie(THEME_COOKIE).map_or(Theme::System, |name| Theme::from_name(&name))),
    });
}

pub fn use_preferences() -> Option<Preferences> {
    use_context::<Preferences>()
}

/// The person picks a language (by its tag): every page from now on, this one at once.
pub fn choose_lang(tag: &'static str) {
    if let Some(preferences) = use_preferences() {
        preferences.lang.set(Some(tag.to_string()));
    }
    remember(LANG_COOKIE, tag);
}

/// The person picks a theme: every page from now on, this one at once.
pub fn choose_theme(theme: Theme) {
    if let Some(preferences) = use_preferences() {
        preferences.theme.set(theme);
    }
    remember(THEME_COOKIE, theme.name());
}

/// The request's cookies, as the server received them.
#[cfg(feature = "ssr")]
fn cookies() -> String {
    use_context::<http::request::Parts>()
        .map(|parts| {
            let values = parts.headers.get_all(http::header::COOKIE).iter().filter_map(|v| v.to_str().ok());
            values.collect::<Vec<_>>().join(";")
        })
        .unwrap_or_default()
}

/// The page's cookies, as the browser keeps them (the same the server read).
#[cfg(feature = "hydrate")]
fn cookies() -> String {
    use wasm_bindgen::JsCast;
    let document = document().dyn_into::<web_sys::HtmlDocument>().ok();
    document.and_then(|d| d.cookie().ok()).unwrap_or_default()
}

#[cfg(not(any(feature = "ssr", feature = "hydrate")))]
fn cookies() -> String {
    String::new()
}

/// The time zone the browser runs in (IANA), as `Intl` says.
#[cfg(feature = "hydrate")]
fn browser_time_zone() -> Option<String> {
    let format = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new());
    let zone = js_sys::Reflect::get(&format.resolved_options(), &"timeZone".into()).ok()?.as_string()?;
    // Kept only when it reads as a zone's name: the cookie goes back to the server as is.
    let plain = zone.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-' | '+'));
    (plain && !zone.is_empty()).then_some(zone)
}

#[cfg(feature = "hydrate")]
fn remember(name: &str, value: &str) {
    use wasm_bindgen::JsCast;
    if let Ok(document) = document().dyn_into::<web_sys::HtmlDocument>() {
        let _ = document.set_cookie(&format!("{name}={value}; Path=/; Max-Age=31536000; SameSite=Lax"));
    }
}

#[cfg(not(feature = "hydrate"))]
fn remember(_name: &str, _value: &str) {}

#[cfg(test)]
mod tests {
    use super::Theme;

    #[test]
    fn a_theme_is_read_back_from_its_name_and_anything_else_is_the_systems() {
        for theme in Theme::ALL {
            assert_eq!(Theme::from_name(theme.name()), theme);
        }
        assert_eq!(Theme::from_name("<script>"), Theme::System);
    }
}
