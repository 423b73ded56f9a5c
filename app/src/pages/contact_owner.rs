//! Who looks after a contact (K6, R7) on the contact's card: an agent, who gets the contact's
//! chats even while offline, or a group (a queue) that gets their new conversations. Everyone
//! reads it; supervisors change it.

use crate::components::{refusal, succeeded, FormError};
use crate::error::UiError;
use crate::i18n::use_words;
use leptos::prelude::*;

/// `owner`: `agent:<id>`, `group:<queue id>`, or empty for nobody.
#[server(prefix = "/api", endpoint = "set_contact_owner")]
pub async fn set_contact_owner(contact_id: String, owner: String) -> Result<(), UiError> {
    crate::ssr::with_status(
        crate::ssr::services()?.set_contact_owner(crate::ssr::session_token(), contact_id, owner).await,
    )
}

struct Words {
    title: &'static str,
    nobody: &'static str,
    looks_after: &'static str,
    agent: &'static str,
    group: &'static str,
    save: &'static str,
}

const ENGLISH: Words = Words {
    title: "Looked after by",
    nobody: "Nobody in particular",
    looks_after: "Who looks after this contact",
    agent: "Agent",
    group: "Group",
    save: "Save",
};

const SPANISH: Words = Words {
    title: "Lo atiende",
    nobody: "Nadie en particular",
    looks_after: "Quién atiende a este contacto",
    agent: "Agente",
    group: "Grupo",
    save: "Guardar",
};

/// `changed` is told when the owner changed, so that the card is read again.
#[component]
pub fn ContactOwner(
    contact_id: String,
    owner: String,
    owner_name: Option<String>,
    choices: Vec<(String, String)>,
    changed: RwSignal<u64>,
) -> impl IntoView {
    let words = use_words(&ENGLISH, &SPANISH);
    let save = ServerAction::<SetContactOwner>::new();
    Effect::new(move || {
        if succeeded(save) {
            changed.update(|n| *n += 1);
        }
    });
    let words = words.get_untracked();
    let kind = |value: &str| if value.starts_with("agent:") { words.agent } else { words.group };
    let now = match owner_name {
        Some(name) => format!("{}: {name}", kind(&owner)),
        None => words.nobody.to_string(),
    };
    view! {
        <h2>{words.title}</h2>
        <p class="contact-owner">{now}</p>
        {(!choices.is_empty()).then(|| view! {
            <ActionForm action=save attr:class="inline-form" attr:aria-label=words.looks_after>
                <input type="hidden" name="contact_id" value=contact_id />
                <label for="contact-owner">{words.looks_after}</label>
                <select id="contact-owner" name="owner">
                    <option value="" selected=owner.is_empty()>{words.nobody}</option>
                    {choices.into_iter().map(|(value, name)| {
                        let shown = format!("{}: {name}", kind(&value));
                        let selected = value == owner;
                        view! { <option value=value selected=selected>{shown}</option> }
                    }).collect_view()}
                </select>
                <button type="submit">{words.save}</button>
            </ActionForm>
            <FormError error=Signal::derive(move || refusal(save)) />
        })}
    }
}
