//! The supervisor's pause reasons (O1): the list, the form that creates one, and retiring one.

use crate::components::{refusal, FormError, Listing};
use crate::contract::ReasonView;
use crate::error::UiError;
use crate::i18n::{use_words, word};
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "pause_reasons")]
pub async fn pause_reasons() -> Result<Vec<ReasonView>, UiError> {
    crate::ssr::with_status(crate::ssr::services()?.pause_reasons(crate::ssr::session_token()).await)
}

#[server(prefix = "/api", endpoint = "create_pause_reason")]
pub async fn create_pause_reason(name: String) -> Result<(), UiError> {
    crate::ssr::with_status(crate::ssr::services()?.create_pause_reason(crate::ssr::session_token(), name).await)
}

#[server(prefix = "/api", endpoint = "rename_pause_reason")]
pub async fn rename_pause_reason(reason_id: String, name: String) -> Result<(), UiError> {
    crate::ssr::with_status(
        crate::ssr::services()?.rename_pause_reason(crate::ssr::session_token(), reason_id, name).await,
    )
}

#[server(prefix = "/api", endpoint = "retire_pause_reason")]
pub async fn retire_pause_reason(reason_id: String) -> Result<(), UiError> {
    crate::ssr::with_status(crate::ssr::services()?.retire_pause_reason(crate::ssr::session_token(), reason_id).await)
}

struct Words {
    title: &'static str,
    create_form: &'static str,
    reason: &'static str,
    add: &'static str,
    loading: &'static str,
    empty: &'static str,
    list: &'static str,
    retire: &'static str,
    retire_which: &'static str,
    new_name: &'static str,
    rename: &'static str,
}

const ENGLISH: Words = Words {
    title: "Pause reasons",
    create_form: "Create a pause reason",
    reason: "Reason",
    add: "Add reason",
    loading: "Loading…",
    empty: "No pause reasons yet.",
    list: "Pause reasons",
    retire: "retire",
    retire_which: "Retire",
    new_name: "New name for",
    rename: "Rename",
};

const SPANISH: Words = Words {
    title: "Motivos de pausa",
    create_form: "Crear un motivo de pausa",
    reason: "Motivo",
    add: "Añadir motivo",
    loading: "Cargando…",
    empty: "Todavía no hay motivos de pausa.",
    list: "Motivos de pausa",
    retire: "retirar",
    retire_which: "Retirar",
    new_name: "Nuevo nombre para",
    rename: "Renombrar",
};

#[component]
pub fn PauseReasonsPage() -> impl IntoView {
    let words = use_words(&ENGLISH, &SPANISH);
    let create = ServerAction::<CreatePauseReason>::new();
    let retire = ServerAction::<RetirePauseReason>::new();
    let rename = ServerAction::<RenamePauseReason>::new();
    let reasons = Resource::new(
        move || (create.version().get(), retire.version().get(), rename.version().get()),
        |_| pause_reasons(),
    );
    let failure = Signal::derive(move || refusal(create).or_else(|| refusal(retire)).or_else(|| refusal(rename)));
    let draw = move |list: Vec<ReasonView>| {
        let words = words.get();
        view! {
            <ul class="queue-list" aria-label=words.list>
                {list.into_iter().map(|reason| {
                    let label = format!("{} {}", words.retire_which, reason.name);
                    let id = reason.id.clone();
                    let (rename_id, field) = (reason.id.clone(), format!("rename-{}", reason.id));
                    let rename_label = format!("{} {}", words.new_name, reason.name);
                    view! {
                        <li data-id=id>
                            <span class="reason-name">{reason.name.clone()}</span>
                            <ActionForm action=rename attr:class="inline-form rename-reason">
                                <input type="hidden" name="reason_id" value=rename_id />
                                <input id=field name="name" type="text" value=reason.name aria-label=rename_label
                                    autocomplete="off" maxlength="60" required />
                                <button type="submit">{words.rename}</button>
                            </ActionForm>
                            <ActionForm action=retire attr:class="member-remove">
                                <input type="hidden" name="reason_id" value=reason.id />
                                <button type="submit" class="link-button" aria-label=label>{words.retire}</button>
                            </ActionForm>
                        </li>
                    }
                }).collect_view()}
            </ul>
        }
    };
    view! {
        <section class="card">
            <h1>{move || words.get().title}</h1>
            <ActionForm action=create attr:class="inline-form" attr:aria-label=move || words.get().create_form>
                <label for="reason-name">{move || words.get().reason}</label>
                <input id="reason-name" name="name" type="text" autocomplete="off" maxlength="60" />
                <button type="submit" disabled=move || create.pending().get()>{move || words.get().add}</button>
            </ActionForm>
            <FormError error=failure />
            <Listing items=reasons loading=word(words, |w| w.loading) empty=word(words, |w| w.empty) draw />
        </section>
    }
}
