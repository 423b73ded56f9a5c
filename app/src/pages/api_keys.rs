//! The company's API keys, with which outside systems hand customers' messages to its API lines:
//! created (the key shown once), listed by name and first characters, and revoked.

use crate::components::{refusal, FormError, Listing};
use crate::contract::ApiKeyView;
use crate::error::UiError;
use crate::i18n::{use_words, word};
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "api_keys")]
pub async fn api_keys() -> Result<Vec<ApiKeyView>, UiError> {
    crate::ssr::with_status(crate::ssr::services()?.api_keys(crate::ssr::session_token()).await)
}

/// Answers the key itself, which is never shown again.
#[server(prefix = "/api", endpoint = "create_api_key")]
pub async fn create_api_key(name: String) -> Result<String, UiError> {
    crate::ssr::with_status(crate::ssr::services()?.create_api_key(crate::ssr::session_token(), name).await)
}

#[server(prefix = "/api", endpoint = "revoke_api_key")]
pub async fn revoke_api_key(key_id: String) -> Result<(), UiError> {
    crate::ssr::with_status(crate::ssr::services()?.revoke_api_key(crate::ssr::session_token(), key_id).await)
}

struct Words {
    title: &'static str,
    explained: &'static str,
    create_form: &'static str,
    name: &'static str,
    create: &'static str,
    shown_once: &'static str,
    loading: &'static str,
    empty: &'static str,
    list: &'static str,
    revoke: &'static str,
    revoke_which: &'static str,
    revoked: &'static str,
}

const ENGLISH: Words = Words {
    title: "API keys",
    explained: "Outside systems send customers' messages to your API lines with a key (Authorization: Bearer …).",
    create_form: "Create an API key",
    name: "Key name",
    create: "Create key",
    shown_once: "Copy the key now: it is not shown again.",
    loading: "Loading keys…",
    empty: "No API keys yet.",
    list: "API keys",
    revoke: "revoke",
    revoke_which: "Revoke key",
    revoked: "(revoked)",
};

const SPANISH: Words = Words {
    title: "Claves de API",
    explained: "Los sistemas externos envían los mensajes de los clientes a tus líneas de API con una clave (Authorization: Bearer …).",
    create_form: "Crear una clave de API",
    name: "Nombre de la clave",
    create: "Crear clave",
    shown_once: "Copia la clave ahora: no se vuelve a mostrar.",
    loading: "Cargando claves…",
    empty: "Todavía no hay claves de API.",
    list: "Claves de API",
    revoke: "revocar",
    revoke_which: "Revocar la clave",
    revoked: "(revocada)",
};

#[component]
pub fn ApiKeys() -> impl IntoView {
    let words = use_words(&ENGLISH, &SPANISH);
    let create = ServerAction::<CreateApiKey>::new();
    let revoke = ServerAction::<RevokeApiKey>::new();
    let keys = Resource::new(move || (create.version().get(), revoke.version().get()), |_| api_keys());
    let failure = Signal::derive(move || refusal(create).or_else(|| refusal(revoke)));
    let draw = move |list: Vec<ApiKeyView>| {
        let words = words.get();
        view! {
            <ul class="queue-list" aria-label=words.list>
                {list.into_iter().map(|key| {
                    let label = format!("{} {}", words.revoke_which, key.name);
                    let id = key.id.clone();
                    view! {
                        <li data-id=id>
                            {key.name} " · " <code>{format!("{}…", key.prefix)}</code>
                            {if key.revoked {
                                view! { " " <span class="muted deactivated">{words.revoked}</span> }.into_any()
                            } else {
                                view! {
                                    <ActionForm action=revoke attr:class="member-remove">
                                        <input type="hidden" name="key_id" value=key.id />
                                        <button type="submit" class="link-button" aria-label=label>{words.revoke}</button>
                                    </ActionForm>
                                }.into_any()
                            }}
                        </li>
                    }
                }).collect_view()}
            </ul>
        }
    };
    view! {
        <section class="card api-keys" aria-labelledby="api-keys">
            <h2 id="api-keys">{move || words.get().title}</h2>
            <p class="hint">{move || words.get().explained}</p>
            <ActionForm action=create attr:class="inline-form" attr:aria-label=move || words.get().create_form>
                <label for="api-key-name">{move || words.get().name}</label>
                <input id="api-key-name" name="name" type="text" autocomplete="off" maxlength="80" required />
                <button type="submit">{move || words.get().create}</button>
            </ActionForm>
            {move || create.value().get().and_then(Result::ok).map(|key| view! {
                <p role="status" class="shown-once">{words.get().shown_once} " " <code class="secret">{key}</code></p>
            })}
            <FormError error=failure />
            <Listing items=keys loading=word(words, |w| w.loading) empty=word(words, |w| w.empty) draw />
        </section>
    }
}
