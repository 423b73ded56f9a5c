//! Moments as a person reads them (W9): in their language and in their browser's time zone. The
//! server writes them in the zone the browser told it (the `ikono_tz` cookie), so the first paint
//! is already right; the browser then writes them with its own `Intl`, which knows the person's
//! zone even before the cookie does.

use crate::i18n::use_words;
use leptos::prelude::*;

/// A moment (RFC 3339) as a `<time>`: its date and time in the person's words and zone.
#[component]
pub fn LocalTime(#[prop(into)] at: String) -> impl IntoView {
    let lang = use_words(&"en", &"es");
    let shown = RwSignal::new(first_text(&at, lang.get_untracked()));
    #[cfg(feature = "hydrate")]
    {
        let at = at.clone();
        Effect::new(move || {
            if let Some(text) = browser_text(&at, lang.get()) {
                shown.set(text);
            }
        });
    }
    view! { <time datetime=at>{move || shown.get()}</time> }
}

/// What the page shows before the browser writes the moment itself.
#[cfg(feature = "ssr")]
fn first_text(at: &str, lang: &str) -> String {
    server_text(at, lang, crate::ssr::time_zone().as_deref()).unwrap_or_else(|| at.to_string())
}

#[cfg(not(feature = "ssr"))]
fn first_text(at: &str, _lang: &str) -> String {
    at.to_string()
}

#[cfg(feature = "ssr")]
const MONTHS_EN: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
#[cfg(feature = "ssr")]
const MONTHS_ES: [&str; 12] = ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic"];

/// The moment in `zone` (UTC when none or not a zone), written as the browser's `Intl` writes a
/// medium date and a short time: `Dec 4, 2026, 3:05 PM`, `4 dic 2026, 15:05`, `5 dic 2026, 0:18`.
#[cfg(feature = "ssr")]
pub fn server_text(at: &str, lang: &str, zone: Option<&str>) -> Option<String> {
    use chrono::{Datelike, Timelike};
    let zone: chrono_tz::Tz = zone.and_then(|zone| zone.parse().ok()).unwrap_or(chrono_tz::Tz::UTC);
    let local = chrono::DateTime::parse_from_rfc3339(at).ok()?.with_timezone(&zone);
    let month = local.month0() as usize;
    Some(if lang == "es" {
        // Spanish writes the hour as it is (`H:mm`): 0:18, 9:05, 15:05.
        format!("{} {} {}, {}:{:02}", local.day(), MONTHS_ES[month], local.year(), local.hour(), local.minute())
    } else {
        let (afternoon, hour) = local.hour12();
        let half = if afternoon { "PM" } else { "AM" };
        format!("{} {}, {}, {hour}:{:02}\u{202f}{half}", MONTHS_EN[month], local.day(), local.year(), local.minute())
    })
}

/// The moment as the browser's `Intl` writes it in `lang`, in the browser's own zone.
#[cfg(feature = "hydrate")]
fn browser_text(at: &str, lang: &str) -> Option<String> {
    let options = js_sys::Object::new();
    js_sys::Reflect::set(&options, &"dateStyle".into(), &"medium".into()).ok()?;
    js_sys::Reflect::set(&options, &"timeStyle".into(), &"short".into()).ok()?;
    let locales = js_sys::Array::of1(&lang.into());
    let format = js_sys::Intl::DateTimeFormat::new(&locales, &options);
    let moment = js_sys::Date::new(&at.into());
    if moment.get_time().is_nan() {
        return None;
    }
    format.format().call1(&format, &moment).ok()?.as_string()
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn a_moment_reads_in_the_persons_language_and_zone() {
        let at = "2026-12-04T14:05:00Z";
        assert_eq!(server_text(at, "en", Some("Europe/Madrid")).unwrap(), "Dec 4, 2026, 3:05\u{202f}PM");
        assert_eq!(server_text(at, "es", Some("Europe/Madrid")).unwrap(), "4 dic 2026, 15:05");
        assert_eq!(server_text(at, "es", Some("Mars/Olympus")).unwrap(), "4 dic 2026, 14:05");
        let after_midnight = "2026-12-04T23:18:00Z";
        assert_eq!(server_text(after_midnight, "es", Some("Europe/Madrid")).unwrap(), "5 dic 2026, 0:18");
        assert_eq!(server_text("2026-12-04T08:05:00Z", "es", None).unwrap(), "4 dic 2026, 8:05");
        assert_eq!(server_text("yesterday", "en", None), None);
    }
}
