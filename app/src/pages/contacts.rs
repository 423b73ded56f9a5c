//! The contact directory (K1, K10–K12): search, the list with each contact's accounts, a new
//! contact, and the company's businesses — in English or Spanish (`?lang=es`).

use crate::error::UiError;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountView {
    pub channel: String,
    pub id: String,
    /// How many lines it talked to.
    pub lines: usize,
    /// What the most specific consent says of it (K4), if any was recorded.
    pub consented: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactListView {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    pub business: Option<String>,
    pub accounts: Vec<AccountView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BusinessView {
    pub id: String,
    pub name: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewContactForm {
    pub name: String,
    pub email: String,
    /// A WhatsApp number, written any way.
    pub phone: String,
    /// Two letters reading a number written without its country code.
    pub country: String,
}

#[server(prefix = "/api", endpoint = "contacts")]
pub async fn find_contacts(query: String) -> Result<Vec<ContactListView>, UiError> {
    crate::ssr::with_status(crate::ssr::services()?.contacts(crate::ssr::session_token(), query).await)
}

#[server(prefix = "/api", endpoint = "create_contact")]
pub async fn create_contact(contact: NewContactForm) -> Result<String, UiError> {
    crate::ssr::with_status(crate::ssr::services()?.create_contact(crate::ssr::session_token(), contact).await)
}

#[server(prefix = "/api", endpoint = "businesses")]
pub async fn list_businesses() -> Result<Vec<BusinessView>, UiError> {
    crate::ssr::with_status(crate::ssr::services()?.businesses(crate::ssr::session_token()).await)
}

#[server(prefix = "/api", endpoint = "create_business")]
pub async fn create_business(name: String) -> Result<(), UiError> {
    crate::ssr::with_status(crate::ssr::services()?.create_business(crate::ssr::session_token(), name).await)
}

#[server(prefix = "/api", endpoint = "rename_business")]
pub async fn rename_business(business_id: String, name: String) -> Result<(), UiError> {
    crate::ssr::with_status(
        crate::ssr::services()?.rename_business(crate::ssr::session_token(), business_id, name).await,
    )
}

#[server(prefix = "/api", endpoint = "delete_business")]
pub async fn delete_business(business_id: String) -> Result<(), UiError> {
    crate::ssr::with_status(crate::ssr::services()?.delete_business(crate::ssr::session_token(), business_id).await)
}

/// The words of the contact pages, in one language.
#[derive(PartialEq, Eq)]
pub struct ContactWords {
    pub lang: &'static str,
    pub contacts: &'static str,
    pub search: &'static str,
    pub search_hint: &'static str,
    pub name: &'static str,
    pub accounts: &'static str,
    pub email: &'static str,
    pub business: &'static str,
    pub nobody: &'static str,
    pub new_contact: &'static str,
    pub phone: &'static str,
    pub country: &'static str,
    pub create: &'static str,
    pub businesses: &'static str,
    pub new_business: &'static str,
    pub create_business: &'static str,
    pub rename: &'static str,
    pub delete: &'static str,
    pub no_businesses: &'static str,
    pub loading: &'static str,
    pub other_language: (&'static str, &'static str),
    pub back: &'static str,
    pub details: &'static str,
    pub notes: &'static str,
    pub none: &'static str,
    pub save: &'static str,
    pub add_account: &'static str,
    pub channel: &'static str,
    pub account_id: &'static str,
    pub lines: &'static str,
    pub consent: &'static str,
    pub consents: &'static str,
    pub level: &'static str,
    pub general: &'static str,
    pub per_channel: &'static str,
    pub per_account: &'static str,
    pub given: &'static str,
    pub withdrawn: &'static str,
    pub unknown: &'static str,
    pub record: &'static str,
    pub chats: &'static str,
    pub no_chats: &'static str,
    pub merge: &'static str,
    pub merge_hint: &'static str,
    pub merge_into_this: &'static str,
    pub merged_into: &'static str,
    pub merged: &'static str,
    pub split: &'static str,
    pub saved: &'static str,
    pub files: &'static str,
    pub export_standard: &'static str,
    pub export_google: &'static str,
    pub import_file: &'static str,
    pub importing: &'static str,
    /// Every row is done; the directory is still indexing them.
    pub indexing: &'static str,
    pub created: &'static str,
    pub unchanged: &'static str,
    pub refused: &'static str,
    pub row: &'static str,
    pub consent_file: &'static str,
    pub consent_file_hint: &'static str,
    pub new_contact_row: &'static str,
    pub to_record: &'static str,
    pub new_contacts: &'static str,
    pub store_consents: &'static str,
    pub fix_the_file: &'static str,
    pub stored: &'static str,
    pub number: &'static str,
    pub contact: &'static str,
}

pub const ENGLISH: ContactWords = ContactWords {
    lang: "en",
    contacts: "Contacts",
    search: "Search contacts",
    search_hint: "Name, phone, e-mail, business or account",
    name: "Name",
    accounts: "Accounts",
    email: "E-mail",
    business: "Business",
    nobody: "No contacts found.",
    new_contact: "New contact",
    phone: "WhatsApp number",
    country: "Country (for numbers without +)",
    create: "Create contact",
    businesses: "Businesses",
    new_business: "New business",
    create_business: "Create business",
    rename: "Rename",
    delete: "Delete",
    no_businesses: "No businesses yet.",
    loading: "Loading…",
    other_language: ("?lang=es", "Español"),
    back: "← Contacts",
    details: "Details",
    notes: "Notes",
    none: "(none)",
    save: "Save",
    add_account: "Add account",
    channel: "Channel",
    account_id: "Account",
    lines: "lines",
    consent: "Consent to be contacted",
    consents: "Consents",
    level: "Level",
    general: "All accounts",
    per_channel: "One channel",
    per_account: "One account",
    given: "Given",
    withdrawn: "Withdrawn",
    unknown: "Not asked",
    record: "Record",
    chats: "Chats",
    no_chats: "No chats yet.",
    merge: "Merge a duplicate into this contact",
    merge_hint: "Find the duplicate",
    merge_into_this: "Merge into this contact",
    merged_into: "This contact was merged into another one:",
    merged: "Merged into this contact",
    split: "Undo the merge of",
    saved: "Saved.",
    files: "Import and export",
    export_standard: "Export (CSV)",
    export_google: "Export for Google Contacts",
    import_file: "Import a file: CSV (ours or Google Contacts') or Excel",
    importing: "Importing…",
    indexing: "Every row is in; making them searchable…",
    created: "created",
    unchanged: "already there",
    refused: "refused",
    row: "Row",
    consent_file: "Consent from a file",
    consent_file_hint: "A CSV or Excel list of WhatsApp numbers (a \"Phone\" column, or numbers alone); an optional \"Consent\" column says yes or no row by row",
    new_contact_row: "new contact",
    to_record: "to record",
    new_contacts: "new contacts",
    store_consents: "Store these consents",
    fix_the_file: "Nothing is stored while a row is refused: fix the file and choose it again.",
    stored: "Stored",
    number: "Number",
    contact: "Contact",
};

pub const SPANISH: ContactWords = ContactWords {
    lang: "es",
    contacts: "Contactos",
    search: "Buscar contactos",
    search_hint: "Nombre, teléfono, correo, empresa o cuenta",
    name: "Nombre",
    accounts: "Cuentas",
    email: "Correo electrónico",
    business: "Empresa",
    nobody: "No se encontraron contactos.",
    new_contact: "Nuevo contacto",
    phone: "Número de WhatsApp",
    country: "País (para números sin +)",
    create: "Crear contacto",
    businesses: "Empresas",
    new_business: "Nueva empresa",
    create_business: "Crear empresa",
    rename: "Renombrar",
    delete: "Eliminar",
    no_businesses: "Todavía no hay empresas.",
    loading: "Cargando…",
    other_language: ("?lang=en", "English"),
    back: "← Contactos",
    details: "Datos",
    notes: "Notas",
    none: "(ninguna)",
    save: "Guardar",
    add_account: "Añadir cuenta",
    channel: "Canal",
    account_id: "Cuenta",
    lines: "líneas",
    consent: "Permiso para contactarle",
    consents: "Permisos",
    level: "Nivel",
    general: "Todas las cuentas",
    per_channel: "Un canal",
    per_account: "Una cuenta",
    given: "Dado",
    withdrawn: "Retirado",
    unknown: "Sin preguntar",
    record: "Registrar",
    chats: "Chats",
    no_chats: "Todavía no hay chats.",
    merge: "Unir un duplicado a este contacto",
    merge_hint: "Buscar el duplicado",
    merge_into_this: "Unir a este contacto",
    merged_into: "Este contacto se unió a otro:",
    merged: "Unidos a este contacto",
    split: "Deshacer la unión de",
    saved: "Guardado.",
    files: "Importar y exportar",
    export_standard: "Exportar (CSV)",
    export_google: "Exportar para Google Contacts",
    import_file: "Importar un archivo: CSV (nuestro o de Google Contacts) o Excel",
    importing: "Importando…",
    indexing: "Todas las filas están; preparándolas para la búsqueda…",
    created: "creados",
    unchanged: "ya estaban",
    refused: "rechazadas",
    row: "Fila",
    consent_file: "Permisos desde un archivo",
    consent_file_hint: "Una lista CSV o Excel de números de WhatsApp (una columna \"Teléfono\", o solo números); una columna \"Consentimiento\" opcional dice sí o no en cada fila",
    new_contact_row: "contacto nuevo",
    to_record: "por registrar",
    new_contacts: "contactos nuevos",
    store_consents: "Guardar estos permisos",
    fix_the_file: "No se guarda nada mientras haya filas rechazadas: corrija el archivo y elíjalo de nuevo.",
    stored: "Guardado",
    number: "Número",
    contact: "Contacto",
};

/// The words for the page's `?lang=` (English unless `es`).
pub fn contact_words() -> Memo<&'static ContactWords> {
    let query = use_query_map();
    Memo::new(move |_| if query.read().get("lang").is_some_and(|l| l.starts_with("es")) { &SPANISH } else { &ENGLISH })
}

/// A channel's name as people say it.
pub fn channel_label(channel: &str) -> &'static str {
    match channel {
        "whatsapp" => "WhatsApp",
        "instagram" => "Instagram",
        "messenger" => "Messenger",
        "web" => "Web chat",
        _ => "API",
    }
}

#[component]
pub fn ContactsPage() -> impl IntoView {
    let words = contact_words();
    let query = RwSignal::new(String::new());
    let create = ServerAction::<CreateContact>::new();
    let found = Resource::new(move || (query.get(), create.version().get()), |(q, _)| find_contacts(q));
    let created = move || create.value().get();
    view! {
        <section class="card contacts">
            <h1>{move || words.get().contacts}</h1>
            <p class="language"><a href=move || words.get().other_language.0>{move || words.get().other_language.1}</a></p>
            <label for="contact-search">{move || words.get().search}</label>
            <input
                id="contact-search"
                type="search"
                autocomplete="off"
                placeholder=move || words.get().search_hint
                prop:value=move || query.get()
                on:input=move |ev| query.set(event_target_value(&ev))
            />
            <Transition fallback=move || view! { <p>{words.get().loading}</p> }>
                {move || Suspend::new(async move {
                    let words = words.get();
                    match found.await {
                        Ok(list) if list.is_empty() => view! { <p class="empty">{words.nobody}</p> }.into_any(),
                        Ok(list) => view! {
                            <table class="contact-list" aria-label=words.contacts>
                                <thead><tr><th>{words.name}</th><th>{words.accounts}</th><th>{words.email}</th><th>{words.business}</th></tr></thead>
                                <tbody>
                                    {list.into_iter().map(|contact| view! {
                                        <tr data-id=contact.id.clone()>
                                            <td><a href=format!("/contacts/{}?lang={}", contact.id, words.lang)>{contact.name}</a></td>
                                            <td class="accounts">
                                                {contact.accounts.into_iter().map(|a| view! {
                                                    <span class=format!("account channel-{}", a.channel)>{format!("{} {}", channel_label(&a.channel), a.id)}</span>
                                                }).collect_view()}
                                            </td>
                                            <td>{contact.email.unwrap_or_default()}</td>
                                            <td>{contact.business.unwrap_or_default()}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                        Err(error) => view! { <p role="alert" class="form-error">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
        <section class="card">
            <h2>{move || words.get().new_contact}</h2>
            <ActionForm action=create attr:class="stacked-form" attr:aria-label=move || words.get().new_contact>
                <label for="new-contact-name">{move || words.get().name}</label>
                <input id="new-contact-name" name="contact[name]" type="text" autocomplete="off" />
                <label for="new-contact-email">{move || words.get().email}</label>
                <input id="new-contact-email" name="contact[email]" type="email" autocomplete="off" />
                <label for="new-contact-phone">{move || words.get().phone}</label>
                <input id="new-contact-phone" name="contact[phone]" type="tel" autocomplete="off" />
                <label for="new-contact-country">{move || words.get().country}</label>
                <input id="new-contact-country" name="contact[country]" type="text" maxlength="2" autocomplete="off" />
                <button type="submit" disabled=move || create.pending().get()>{move || words.get().create}</button>
            </ActionForm>
            {move || match created() {
                Some(Err(error)) => Some(view! { <p role="alert" class="form-error">{error.to_string()}</p> }.into_any()),
                Some(Ok(id)) => Some(view! {
                    <p class="saved"><a href=format!("/contacts/{id}?lang={}", words.get().lang)>{words.get().saved}</a></p>
                }.into_any()),
                None => None,
            }}
        </section>
        <ContactFiles />
        <super::consent_file::ConsentFile />
        <Businesses />
    }
}

/// Where an import stands: rows done of the file's, and what they came to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportView {
    pub id: String,
    pub file_name: String,
    pub rows: usize,
    pub done: usize,
    pub finished: bool,
    pub created: usize,
    pub unchanged: usize,
    pub refused: Vec<RefusedRowView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefusedRowView {
    pub row: usize,
    pub reason: String,
}

#[cfg(feature = "hydrate")]
pub(crate) mod browser {
    use super::ImportView;
    use leptos::prelude::*;
    use wasm_bindgen::JsCast;

    #[derive(serde::Deserialize)]
    struct Refused {
        error: String,
    }

    /// The answer's body, or the reason the server gave for refusing.
    pub async fn answer<T: serde::de::DeserializeOwned>(response: gloo_net::http::Response) -> Result<T, String> {
        if response.ok() {
            response.json::<T>().await.map_err(|e| e.to_string())
        } else {
            Err(response.json::<Refused>().await.map_or_else(|e| e.to_string(), |refused| refused.error))
        }
    }

    /// Sends a file to be imported; answers the import started, or why the file was refused.
    pub async fn import(file: web_sys::File) -> Result<ImportView, String> {
        let content_type = file.type_();
        let request = gloo_net::http::Request::post("/api/v1/contacts/import")
            .query([("name", file.name())])
            .header("Content-Type", if content_type.is_empty() { "text/csv" } else { &content_type })
            .body(file.unchecked_into::<web_sys::Blob>())
            .map_err(|e| e.to_string())?;
        answer(request.send().await.map_err(|e| e.to_string())?).await
    }

    /// Shows how far the import has gone until it finishes (the rows are imported on the server).
    pub fn follow(import: String, shown: RwSignal<Option<Result<ImportView, String>>>) {
        leptos::task::spawn_local(async move {
            let status = match gloo_net::http::Request::get(&format!("/api/v1/contacts/imports/{import}")).send().await
            {
                Ok(response) => answer::<ImportView>(response).await,
                Err(error) => Err(error.to_string()),
            };
            let going = matches!(&status, Ok(now) if !now.finished);
            shown.set(Some(status));
            if going {
                set_timeout(move || follow(import, shown), std::time::Duration::from_millis(400));
            }
        });
    }
}

/// Export links, and the import of a file with its progress and report (K7, K8, K14).
#[component]
fn ContactFiles() -> impl IntoView {
    let words = contact_words();
    let import = RwSignal::new(None::<Result<ImportView, String>>);
    let chosen = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let input = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok());
            let Some(file) = input.and_then(|i| i.files()).and_then(|files| files.get(0)) else { return };
            import.set(None);
            leptos::task::spawn_local(async move {
                let started = browser::import(file).await;
                if let Ok(started) = &started {
                    browser::follow(started.id.clone(), import);
                }
                import.set(Some(started));
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, import);
    };
    view! {
        <section class="card contact-files">
            <h2>{move || words.get().files}</h2>
            <p>
                <a href="/api/v1/contacts/export?format=standard" download="contacts.csv">{move || words.get().export_standard}</a>
                " · "
                <a href="/api/v1/contacts/export?format=google" download="google-contacts.csv">{move || words.get().export_google}</a>
            </p>
            <label for="contact-import">{move || words.get().import_file}</label>
            <input id="contact-import" type="file" accept=".csv,text/csv,.xlsx" on:change=chosen />
            {move || {
                let words = words.get();
                match import.get() {
                    Some(Ok(going)) if !going.finished => Some(view! {
                        <p class="muted">{if going.done == going.rows { words.indexing.to_string() } else { format!("{} {}", words.importing, going.file_name) }}</p>
                        <progress class="import-progress" max=going.rows value=going.done aria-label=words.importing></progress>
                        <span class="import-rows">{format!("{} / {}", going.done, going.rows)}</span>
                    }.into_any()),
                    Some(Ok(done)) => Some(view! {
                        <p role="status" class="import-report">
                            {format!("{} {} · {} {} · {} {}", done.created, words.created, done.unchanged, words.unchanged, done.refused.len(), words.refused)}
                        </p>
                        <ul class="refused-rows" aria-label=words.refused>
                            {done.refused.into_iter().map(|r| view! { <li>{format!("{} {}: {}", words.row, r.row, r.reason)}</li> }).collect_view()}
                        </ul>
                    }.into_any()),
                    Some(Err(error)) => Some(view! { <p role="alert" class="form-error">{error}</p> }.into_any()),
                    None => None,
                }
            }}
        </section>
    }
}

/// The company's businesses (K10): create, rename, delete.
#[component]
fn Businesses() -> impl IntoView {
    let words = contact_words();
    let create = ServerAction::<CreateBusiness>::new();
    let rename = ServerAction::<RenameBusiness>::new();
    let delete = ServerAction::<DeleteBusiness>::new();
    let businesses = Resource::new(
        move || (create.version().get(), rename.version().get(), delete.version().get()),
        |_| list_businesses(),
    );
    let failure = move || {
        create
            .value()
            .get()
            .and_then(|o| o.err())
            .or_else(|| rename.value().get().and_then(|o| o.err()))
            .or_else(|| delete.value().get().and_then(|o| o.err()))
    };
    view! {
        <section class="card businesses">
            <h2>{move || words.get().businesses}</h2>
            <ActionForm action=create attr:class="inline-form" attr:aria-label=move || words.get().new_business>
                <label for="business-name">{move || words.get().new_business}</label>
                <input id="business-name" name="name" type="text" autocomplete="off" />
                <button type="submit">{move || words.get().create_business}</button>
            </ActionForm>
            <Show when=move || failure().is_some()>
                <p role="alert" class="form-error">{move || failure().map(|e| e.to_string())}</p>
            </Show>
            <Transition fallback=move || view! { <p>{words.get().loading}</p> }>
                {move || Suspend::new(async move {
                    let words = words.get();
                    match businesses.await {
                        Ok(list) if list.is_empty() => view! { <p class="empty">{words.no_businesses}</p> }.into_any(),
                        Ok(list) => view! {
                            <ul class="queue-list" aria-label=words.businesses>
                                {list.into_iter().map(|b| {
                                    let (rename_id, delete_id) = (b.id.clone(), b.id.clone());
                                    let rename_label = format!("{} {}", words.rename, b.name);
                                    let delete_label = format!("{} {}", words.delete, b.name);
                                    view! {
                                        <li data-id=b.id>
                                            <ActionForm action=rename attr:class="inline-form">
                                                <input type="hidden" name="business_id" value=rename_id />
                                                <input name="name" type="text" value=b.name aria-label=rename_label />
                                                <button type="submit">{words.rename}</button>
                                            </ActionForm>
                                            <ActionForm action=delete attr:class="member-remove">
                                                <input type="hidden" name="business_id" value=delete_id />
                                                <button type="submit" class="link-button" aria-label=delete_label>{words.delete}</button>
                                            </ActionForm>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(error) => view! { <p role="alert" class="form-error">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
