//! Consent in bulk from a file of WhatsApp numbers (K3): the file is previewed row by row, and its
//! consents are stored only when no row is refused.

use crate::components::{Refusal, SpreadsheetInput};
use crate::contract::ConsentPreviewView;
use crate::error::UiError;
use crate::i18n::word;
use crate::pages::contact_words::contact_words;
use leptos::prelude::*;

/// What the section shows: nothing yet, a preview, what was stored, or why not (all but the first
/// are the browser's answers).
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
enum Shown {
    Nothing,
    Preview(ConsentPreviewView),
    Stored(ConsentPreviewView),
    Refused(String),
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::ConsentPreviewView;
    use std::cell::RefCell;

    thread_local! {
        /// The file chosen: previewed first, then sent again to be stored.
        static CHOSEN: RefCell<Option<web_sys::File>> = const { RefCell::new(None) };
    }

    pub fn choose(file: web_sys::File) {
        CHOSEN.with(|chosen| *chosen.borrow_mut() = Some(file));
    }

    /// Sends the chosen file to `preview` or `import` with the form's choices.
    pub async fn send(step: &str, query: [(&str, String); 3]) -> Result<ConsentPreviewView, String> {
        let Some(file) = CHOSEN.with(|chosen| chosen.borrow().clone()) else { return Err("choose a file".into()) };
        crate::browser::send_file(&format!("/api/v1/contacts/consents/{step}"), query.to_vec(), file).await
    }
}

/// K3: choose a file, see each row as it would be stored, store them all or none.
#[component]
pub fn ConsentFile() -> impl IntoView {
    let words = contact_words();
    let given = RwSignal::new("true".to_string());
    let level = RwSignal::new("account".to_string());
    let country = RwSignal::new(String::new());
    let shown = RwSignal::new(Shown::Nothing);
    #[cfg(feature = "hydrate")]
    let send = move |step: &'static str| {
        leptos::task::spawn_local(async move {
            let query = [
                ("given", given.get_untracked()),
                ("level", level.get_untracked()),
                ("country", country.get_untracked()),
            ];
            shown.set(match browser::send(step, query).await {
                Ok(preview) if step == "import" => Shown::Stored(preview),
                Ok(preview) => Shown::Preview(preview),
                Err(error) => Shown::Refused(error),
            });
        });
    };
    let chosen = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            let Some(file) = crate::browser::chosen_file(&ev) else { return };
            browser::choose(file);
            send("preview");
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    let store = move |_| {
        #[cfg(feature = "hydrate")]
        send("import");
    };
    view! {
        <section class="card consent-file">
            <h2>{move || words.get().consent_file}</h2>
            <p class="muted">{move || words.get().consent_file_hint}</p>
            <div class="inline-form">
                <label for="consent-given">{move || words.get().consent}</label>
                <select id="consent-given" on:change=move |ev| given.set(event_target_value(&ev))>
                    <option value="true">{move || words.get().given}</option>
                    <option value="false">{move || words.get().withdrawn}</option>
                </select>
                <label for="consent-level">{move || words.get().level}</label>
                <select id="consent-level" on:change=move |ev| level.set(event_target_value(&ev))>
                    <option value="account">{move || words.get().per_account}</option>
                    <option value="channel">{move || words.get().per_channel}</option>
                    <option value="general">{move || words.get().general}</option>
                </select>
                <label for="consent-country">{move || words.get().country}</label>
                <input id="consent-country" type="text" size="3" maxlength="2" on:input=move |ev| country.set(event_target_value(&ev)) />
            </div>
            <SpreadsheetInput id="consent-file" label=word(words, |w| w.consent_file) chosen />
            {move || {
                let words = words.get();
                match shown.get() {
                    Shown::Nothing => None,
                    Shown::Refused(error) => Some(view! { <Refusal error=UiError::Invalid(error) /> }.into_any()),
                    Shown::Stored(done) => Some(view! {
                        <p role="status" class="consent-stored">
                            {format!("{}: {} {} · {} {}", words.stored, done.to_record, words.to_record, done.new_contacts, words.new_contacts)}
                        </p>
                    }.into_any()),
                    Shown::Preview(preview) => {
                        let refused = preview.refused;
                        Some(view! {
                            <p role="status" class="consent-summary">
                                {format!("{} {} · {} {} · {} {}", preview.to_record, words.to_record, preview.new_contacts, words.new_contacts, refused, words.refused)}
                            </p>
                            <table class="consent-preview" aria-label=words.consent_file>
                                <thead><tr><th>{words.row}</th><th>{words.number}</th><th>{words.contact}</th><th>{words.consent}</th></tr></thead>
                                <tbody>
                                    {preview.rows.into_iter().map(|r| {
                                        let contact = match (&r.error, &r.contact_name) {
                                            (Some(error), _) => error.clone(),
                                            (None, Some(name)) => name.clone(),
                                            (None, None) => words.new_contact_row.to_string(),
                                        };
                                        view! {
                                            <tr class:refused=r.error.is_some()>
                                                <td>{r.row}</td>
                                                <td>{r.number.unwrap_or_default()}</td>
                                                <td>{contact}</td>
                                                <td>{if r.given { words.given } else { words.withdrawn }}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                            {if refused > 0 {
                                view! { <p role="alert" class="form-error">{words.fix_the_file}</p> }.into_any()
                            } else {
                                view! { <button type="button" on:click=store>{words.store_consents}</button> }.into_any()
                            }}
                        }.into_any())
                    }
                }
            }}
        </section>
    }
}
