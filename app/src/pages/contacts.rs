//! The contact directory (K1, K10–K12): search, the list with each contact's accounts, a new
//! contact, and the company's businesses — in English or Spanish (`?lang=es`).

use crate::components::{refusal, FormError, Listing, Refusal, SpreadsheetInput};
use crate::contract::{BusinessView, ContactListView, ImportView, NewContactForm};
use crate::error::UiError;
use crate::i18n::word;
use crate::pages::contact_words::{channel_label, contact_words};
use leptos::prelude::*;

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

#[component]
pub fn ContactsPage() -> impl IntoView {
    let words = contact_words();
    let query = RwSignal::new(String::new());
    let create = ServerAction::<CreateContact>::new();
    let found = Resource::new(move || (query.get(), create.version().get()), |(q, _)| find_contacts(q));
    let created = move || create.value().get();
    let draw_contacts = move |list: Vec<ContactListView>| {
        let words = words.get();
        view! {
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
        }
    };
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
            <Listing items=found loading=word(words, |w| w.loading) empty=word(words, |w| w.nobody) draw=draw_contacts />
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
                Some(Err(error)) => Some(view! { <Refusal error /> }.into_any()),
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

#[cfg(feature = "hydrate")]
pub(crate) mod browser {
    use crate::browser::{answer, send_file};
    use crate::contract::ImportView;
    use leptos::prelude::*;

    /// Sends a file to be imported; answers the import started, or why the file was refused.
    pub async fn import(file: web_sys::File) -> Result<ImportView, String> {
        send_file("/api/v1/contacts/import", vec![("name", file.name())], file).await
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
            let Some(file) = crate::browser::chosen_file(&ev) else { return };
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
            <SpreadsheetInput id="contact-import" label=word(words, |w| w.import_file) chosen />
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
                    Some(Err(error)) => Some(view! { <Refusal error=UiError::Invalid(error) /> }.into_any()),
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
    let failure = Signal::derive(move || refusal(create).or_else(|| refusal(rename)).or_else(|| refusal(delete)));
    let draw = move |list: Vec<BusinessView>| {
        let words = words.get();
        view! {
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
        }
    };
    view! {
        <section class="card businesses">
            <h2>{move || words.get().businesses}</h2>
            <ActionForm action=create attr:class="inline-form" attr:aria-label=move || words.get().new_business>
                <label for="business-name">{move || words.get().new_business}</label>
                <input id="business-name" name="name" type="text" autocomplete="off" />
                <button type="submit">{move || words.get().create_business}</button>
            </ActionForm>
            <FormError error=failure />
            <Listing items=businesses loading=word(words, |w| w.loading) empty=word(words, |w| w.no_businesses) draw />
        </section>
    }
}
