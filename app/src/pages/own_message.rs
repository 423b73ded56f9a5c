//! A message's changes by its author (G18): what it said before an edit, that it was deleted, and
//! — on the reader's own replies and notes — the buttons to edit its words or delete it.

use crate::contract::ConversationMessage;
use crate::error::UiError;
use crate::i18n::use_words;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "edit_message_in_chat")]
pub async fn edit_message_in_chat(chat_id: String, message_id: String, text: String) -> Result<(), UiError> {
    crate::ssr::with_status(
        crate::ssr::services()?.edit_message(crate::ssr::session_token(), chat_id, message_id, text).await,
    )
}

#[server(prefix = "/api", endpoint = "delete_message_in_chat")]
pub async fn delete_message_in_chat(chat_id: String, message_id: String) -> Result<(), UiError> {
    crate::ssr::with_status(
        crate::ssr::services()?.delete_message(crate::ssr::session_token(), chat_id, message_id).await,
    )
}

struct Words {
    edited: &'static str,
    earlier: &'static str,
    until: &'static str,
    deleted: &'static str,
    edit: &'static str,
    delete: &'static str,
    new_words: &'static str,
    save: &'static str,
    cancel: &'static str,
    sure: &'static str,
    yes_delete: &'static str,
    keep: &'static str,
    only_here: &'static str,
}

const ENGLISH: Words = Words {
    edited: "Edited",
    earlier: "Earlier words",
    until: "until",
    deleted: "Deleted",
    edit: "Edit",
    delete: "Delete",
    new_words: "New words",
    save: "Save",
    cancel: "Cancel",
    sure: "Delete this message?",
    yes_delete: "Yes, delete",
    keep: "Keep it",
    only_here: "Changed here only: the customer's channel keeps what it received.",
};

const SPANISH: Words = Words {
    edited: "Editado",
    earlier: "Palabras anteriores",
    until: "hasta",
    deleted: "Eliminado",
    edit: "Editar",
    delete: "Eliminar",
    new_words: "Nuevas palabras",
    save: "Guardar",
    cancel: "Cancelar",
    sure: "¿Eliminar este mensaje?",
    yes_delete: "Sí, eliminar",
    keep: "Conservarlo",
    only_here: "Cambia solo aquí: el canal del cliente conserva lo que recibió.",
};

/// That the message was deleted or edited, with the words it had before.
#[component]
pub fn MessageChanges(message: ConversationMessage) -> impl IntoView {
    let words = use_words(&ENGLISH, &SPANISH);
    let deleted = message
        .deleted
        .then(|| view! { <span class="badge changed deleted-mark">{move || words.get().deleted}</span> });
    let earlier = (!message.earlier.is_empty()).then(|| {
        let versions = message.earlier.clone();
        view! {
            <details class="earlier">
                <summary><span class="badge changed edited-mark">{move || words.get().edited}</span></summary>
                <ul aria-label=move || words.get().earlier>
                    {versions.into_iter().map(|(text, until)| view! {
                        <li><del>{text}</del>" "<span class="muted">{move || format!("({} {until})", words.get().until)}</span></li>
                    }).collect_view()}
                </ul>
            </details>
        }
    });
    (deleted, earlier)
}

/// Which of the reader's messages they are changing, kept by the conversation: a message arriving
/// meanwhile redraws the list, and the form comes back open with the words being written.
#[derive(Clone, Copy)]
pub struct Changing {
    editing: RwSignal<Option<String>>,
    draft: RwSignal<String>,
    confirming: RwSignal<Option<String>>,
}

impl Changing {
    pub fn new() -> Self {
        Self { editing: RwSignal::new(None), draft: RwSignal::new(String::new()), confirming: RwSignal::new(None) }
    }

    fn stop(self) {
        self.editing.set(None);
        self.confirming.set(None);
    }
}

impl Default for Changing {
    fn default() -> Self {
        Self::new()
    }
}

/// Edit and delete for a message the reader wrote; `changes_reach_customer`: whether the
/// customer's channel shows the change (otherwise the agent is told it does not).
#[component]
pub fn OwnMessageActions(
    chat_id: String,
    message: ConversationMessage,
    changes_reach_customer: bool,
    edit: ServerAction<EditMessageInChat>,
    delete: ServerAction<DeleteMessageInChat>,
    changing: Changing,
) -> impl IntoView {
    let words = use_words(&ENGLISH, &SPANISH);
    let field = format!("edit-{}", message.id);
    let only_here = (message.direction == "out" && !changes_reach_customer).then_some(());
    let (chat, id, text, editable) = (chat_id, message.id.clone(), message.text.clone(), message.editable);
    let editing = {
        let id = id.clone();
        move || changing.editing.with(|editing| editing.as_deref() == Some(id.as_str()))
    };
    let confirming = {
        let id = id.clone();
        move || changing.confirming.with(|confirming| confirming.as_deref() == Some(id.as_str()))
    };
    let hint = move || only_here.map(|_| view! { <p class="hint">{move || words.get().only_here}</p> });
    let editor = {
        let (chat, id, editing) = (chat.clone(), id.clone(), editing.clone());
        move || {
            editing().then(|| {
                let (chat, id, field) = (chat.clone(), id.clone(), field.clone());
                view! {
                    <ActionForm action=edit attr:class="inline-form edit-form" on:submit=move |_| changing.stop()>
                        <input type="hidden" name="chat_id" value=chat />
                        <input type="hidden" name="message_id" value=id />
                        <label for=field.clone()>{move || words.get().new_words}</label>
                        <textarea id=field name="text" required rows="2" prop:value=move || changing.draft.get()
                            on:input=move |event| changing.draft.set(event_target_value(&event))></textarea>
                        {hint()}
                        <button type="submit">{move || words.get().save}</button>
                        <button type="button" class="link-button" on:click=move |_| changing.stop()>
                            {move || words.get().cancel}
                        </button>
                    </ActionForm>
                }
            })
        }
    };
    let confirm = {
        let (chat, id, confirming) = (chat.clone(), id.clone(), confirming.clone());
        move || {
            confirming().then(|| {
                let (chat, id) = (chat.clone(), id.clone());
                view! {
                    <ActionForm action=delete attr:class="inline-form delete-form" on:submit=move |_| changing.stop()>
                        <input type="hidden" name="chat_id" value=chat />
                        <input type="hidden" name="message_id" value=id />
                        <span>{move || words.get().sure}</span>
                        {hint()}
                        <button type="submit" class="danger">{move || words.get().yes_delete}</button>
                        <button type="button" class="link-button" on:click=move |_| changing.stop()>
                            {move || words.get().keep}
                        </button>
                    </ActionForm>
                }
            })
        }
    };
    let buttons = move || {
        (!editing() && !confirming()).then(|| {
            let (edit_id, delete_id, text) = (id.clone(), id.clone(), text.clone());
            view! {
                {editable.then(|| view! {
                    <button type="button" class="link-button edit-button" on:click=move |_| {
                        changing.draft.set(text.clone());
                        changing.confirming.set(None);
                        changing.editing.set(Some(edit_id.clone()));
                    }>
                        {move || words.get().edit}
                    </button>
                })}
                <button type="button" class="link-button delete-button" on:click=move |_| {
                    changing.editing.set(None);
                    changing.confirming.set(Some(delete_id.clone()));
                }>
                    {move || words.get().delete}
                </button>
            }
        })
    };
    view! { <div class="own-actions">{buttons}{editor}{confirm}</div> }
}
