//! Time travel on a page (the auditor's, and the supervisor's): the field that asks for a past
//! moment, and the notice that the page shows one, read-only.

use crate::dates::LocalTime;
use crate::i18n::use_words;
use leptos::prelude::*;

struct Words {
    as_it_stood: &'static str,
    hint: &'static str,
}

const ENGLISH: Words = Words {
    as_it_stood: "As it stood at",
    hint: "Blank: now. A past moment shows this page as the log held it then, read-only.",
};

const SPANISH: Words = Words {
    as_it_stood: "Tal como estaba el",
    hint: "Vacío: ahora. Un momento pasado muestra esta página como la tenía el registro entonces, solo para leer.",
};

/// The field: blank for now, or a moment (to the second) in the person's zone, as
/// `datetime-local` writes it.
#[component]
pub fn PastMoment(id: &'static str, at: RwSignal<String>) -> impl IntoView {
    // The reports page draws this inside a part redrawn per language, which a redirect may
    // dispose of before it is sent: then any language does.
    let words = use_words(&ENGLISH, &SPANISH);
    let words = move || words.try_get().unwrap_or(&ENGLISH);
    let hint = format!("{id}-hint");
    view! {
        <label for=id>{move || words().as_it_stood}</label>
        <input id=id type="datetime-local" step="1" aria-describedby=hint.clone() value=at.get_untracked()
            on:change=move |event| at.set(event_target_value(&event)) />
        <p class="hint" id=hint>{move || words().hint}</p>
    }
}

/// Says which past moment the page shows, when it shows one. Drawn with what the server sends,
/// which pages draw again when the language changes.
#[component]
pub fn ShownAsItStood(at: Option<String>) -> impl IntoView {
    let words = use_words(&ENGLISH, &SPANISH).try_get_untracked().unwrap_or(&ENGLISH);
    at.map(|moment| view! { <p class="past-moment" role="status">{words.as_it_stood}" "<LocalTime at=moment /></p> })
}
