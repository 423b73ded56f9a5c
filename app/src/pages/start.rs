//! Starting a conversation (G3, G14, W10, W18): the agent finds the customer in the directory —
//! or adds them, or a number to them — picks one of their numbers and the line to write from, and
//! opens the conversation with one of the line's approved templates (WhatsApp takes nothing else
//! from a business that writes first).

use crate::components::{FormError, Refusal};
use crate::contract::{ContactListView, StartLineView};
use crate::error::UiError;
use crate::i18n::use_words;
use crate::pages::contact_card::AddContactAccount;
use crate::pages::contacts::{find_contacts, CreateContact};
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "start_choices")]
pub async fn start_choices() -> Result<Vec<StartLineView>, UiError> {
    crate::ssr::with_status(crate::ssr::services()?.start_choices(crate::ssr::session_token()).await)
}

/// Answers the chat's id.
#[server(prefix = "/api", endpoint = "start_conversation_with")]
pub async fn start_conversation_with(
    line_id: String,
    to: String,
    #[server(default)] name: String,
    template_id: String,
    #[server(default)] values: Vec<String>,
) -> Result<String, UiError> {
    crate::ssr::with_status(
        crate::ssr::services()?
            .start_conversation(crate::ssr::session_token(), line_id, to, name, template_id, values)
            .await,
    )
}

struct Words {
    title: &'static str,
    find: &'static str,
    nobody: &'static str,
    write_to: &'static str,
    add_number: &'static str,
    number: &'static str,
    new_contact: &'static str,
    name: &'static str,
    add_contact: &'static str,
    to: &'static str,
    line: &'static str,
    no_lines: &'static str,
    template: &'static str,
    no_templates: &'static str,
    value: &'static str,
    start: &'static str,
}

const ENGLISH: Words = Words {
    title: "New conversation",
    find: "Find the customer (name, number, e-mail)",
    nobody: "Nobody found.",
    write_to: "Write to",
    add_number: "Add this number",
    number: "WhatsApp number",
    new_contact: "Or add a new customer",
    name: "Name",
    add_contact: "Add customer",
    to: "To",
    line: "Write from",
    no_lines: "No line of the company is linked to WhatsApp yet.",
    template: "Approved template",
    no_templates:
        "This line has no approved template yet: WhatsApp takes only a template from a business that writes first.",
    value: "Value",
    start: "Start conversation",
};

const SPANISH: Words = Words {
    title: "Nueva conversación",
    find: "Buscar al cliente (nombre, número, e-mail)",
    nobody: "No se encontró a nadie.",
    write_to: "Escribir a",
    add_number: "Añadir este número",
    number: "Número de WhatsApp",
    new_contact: "O añadir un cliente nuevo",
    name: "Nombre",
    add_contact: "Añadir cliente",
    to: "Para",
    line: "Escribir desde",
    no_lines: "Todavía no hay ninguna línea de la empresa vinculada a WhatsApp.",
    template: "Plantilla aprobada",
    no_templates: "Esta línea todavía no tiene plantillas aprobadas: WhatsApp solo acepta una plantilla de una empresa que escribe primero.",
    value: "Valor",
    start: "Iniciar conversación",
};

/// Whom the conversation is with: their name and one of their numbers.
#[derive(Clone, PartialEq)]
struct Recipient {
    name: String,
    number: String,
}

#[component]
pub fn StartPage() -> impl IntoView {
    let words = use_words(&ENGLISH, &SPANISH);
    let query = RwSignal::new(String::new());
    let create = ServerAction::<CreateContact>::new();
    let add_number = ServerAction::<AddContactAccount>::new();
    let found = Resource::new(
        move || (query.get(), create.version().get(), add_number.version().get()),
        |(query, _, _)| async move {
            if query.trim().chars().count() < 2 {
                return Ok(Vec::new());
            }
            find_contacts(query).await
        },
    );
    // A customer just added is found at once by their name.
    let new_name = RwSignal::new(String::new());
    Effect::new(move || {
        if matches!(create.value().get(), Some(Ok(_))) {
            query.set(new_name.get_untracked());
        }
    });
    let recipient: RwSignal<Option<Recipient>> = RwSignal::new(None);
    let failure = Signal::derive(move || {
        let created = create.value().get().and_then(Result::err);
        created.or_else(|| add_number.value().get().and_then(Result::err))
    });
    let draw = move |contacts: Vec<ContactListView>| {
        let words = words.get();
        if contacts.is_empty() {
            return view! { <p class="empty">{words.nobody}</p> }.into_any();
        }
        view! {
            <ul class="contact-results" aria-label=words.find>
                {contacts.into_iter().map(|contact| {
                    let numbers: Vec<String> =
                        contact.accounts.iter().filter(|a| a.channel == "whatsapp").map(|a| a.id.clone()).collect();
                    let contact_id = contact.id.clone();
                    let name = contact.name.clone();
                    view! {
                        <li>
                            <strong>{contact.name.clone()}</strong>
                            {numbers.into_iter().map(|number| {
                                let chosen = Recipient { name: name.clone(), number: number.clone() };
                                view! {
                                    <button type="button" class="link-button"
                                        on:click=move |_| recipient.set(Some(chosen.clone()))>
                                        {format!("{} {number}", words.write_to)}
                                    </button>
                                }
                            }).collect_view()}
                            <ActionForm action=add_number attr:class="inline-form">
                                <input type="hidden" name="contact_id" value=contact_id />
                                <input type="hidden" name="channel" value="whatsapp" />
                                <label>
                                    {format!("{} ({})", words.number, contact.name)}
                                    <input name="account_id" required autocomplete="off" inputmode="tel" />
                                </label>
                                <button type="submit">{words.add_number}</button>
                            </ActionForm>
                        </li>
                    }
                }).collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <section class="card start-conversation">
            <h1>{move || words.get().title}</h1>
            <label for="find-customer">{move || words.get().find}</label>
            <input id="find-customer" type="search" autocomplete="off"
                on:input=move |event| query.set(event_target_value(&event)) />
            <FormError error=failure />
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match found.await {
                        Ok(contacts) if query.get_untracked().trim().chars().count() < 2 && contacts.is_empty() => ().into_any(),
                        Ok(contacts) => draw(contacts),
                        Err(error) => view! { <Refusal error sign_in=Some("/login/agent") /> }.into_any(),
                    }
                })}
            </Transition>
            <details class="new-customer">
                <summary>{move || words.get().new_contact}</summary>
                <ActionForm action=create attr:class="inline-form">
                    <label for="new-customer-name">{move || words.get().name}</label>
                    <input id="new-customer-name" name="contact[name]" required autocomplete="off"
                        on:input=move |event| new_name.set(event_target_value(&event)) />
                    <label for="new-customer-number">{move || words.get().number}</label>
                    <input id="new-customer-number" name="contact[phone]" required autocomplete="off" inputmode="tel" />
                    <input type="hidden" name="contact[email]" value="" />
                    <input type="hidden" name="contact[country]" value="" />
                    <button type="submit">{move || words.get().add_contact}</button>
                </ActionForm>
            </details>
            {move || recipient.get().map(|to| view! { <StartForm to /> })}
        </section>
    }
}

/// The line, the template and its values, for the chosen customer.
#[component]
fn StartForm(to: Recipient) -> impl IntoView {
    let words = use_words(&ENGLISH, &SPANISH);
    let lines = Resource::new(|| (), |_| start_choices());
    let start = ServerAction::<StartConversationWith>::new();
    let line = RwSignal::new(String::new());
    let template = RwSignal::new(String::new());
    let values: RwSignal<Vec<String>> = RwSignal::new(Vec::new());
    let navigate = leptos_router::hooks::use_navigate();
    Effect::new(move || {
        if let Some(Ok(chat)) = start.value().get() {
            navigate(&format!("/agent/chats/{chat}"), Default::default());
        }
    });
    let failure = Signal::derive(move || start.value().get().and_then(Result::err));
    let Recipient { name, number } = to;
    let (send_name, send_number) = (name.clone(), number.clone());
    view! {
        <form class="start-form" on:submit=move |event| {
            event.prevent_default();
            start.dispatch(StartConversationWith {
                line_id: line.get_untracked(),
                to: send_number.clone(),
                name: send_name.clone(),
                template_id: template.get_untracked(),
                values: values.get_untracked(),
            });
        }>
            <p class="recipient">{move || words.get().to} ": " <strong>{name.clone()}</strong> " " {number.clone()}</p>
            <FormError error=failure />
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let words = words.get();
                    let choices = match lines.await {
                        Ok(choices) => choices,
                        Err(error) => return view! { <Refusal error /> }.into_any(),
                    };
                    if choices.is_empty() {
                        return view! { <p class="empty">{words.no_lines}</p> }.into_any();
                    }
                    if line.get_untracked().is_empty() {
                        line.set(choices[0].id.clone());
                    }
                    let line_options =
                        choices.iter().map(|l| view! { <option value=l.id.clone()>{l.name.clone()}</option> }).collect_view();
                    let offered = move || {
                        let chosen = line.get();
                        choices.iter().find(|l| l.id == chosen).map(|l| l.templates.clone()).unwrap_or_default()
                    };
                    view! {
                        <label for="start-line">{words.line}</label>
                        <select id="start-line" on:change=move |event| { line.set(event_target_value(&event)); template.set(String::new()); }>
                            {line_options}
                        </select>
                        {move || {
                            let templates = offered();
                            if templates.is_empty() {
                                return view! { <p class="empty">{words.no_templates}</p> }.into_any();
                            }
                            let chosen = template.get();
                            let variables = templates.iter().find(|t| t.id == chosen).map_or(0, |t| t.variables);
                            let body = templates.iter().find(|t| t.id == chosen).map(|t| t.body.clone());
                            view! {
                                <label for="start-template">{words.template}</label>
                                <select id="start-template" required on:change=move |event| {
                                    template.set(event_target_value(&event));
                                    values.set(Vec::new());
                                }>
                                    <option value="">"—"</option>
                                    {templates.into_iter().map(|t| {
                                        let selected = t.id == chosen;
                                        view! { <option value=t.id.clone() selected=selected>{format!("{} · {}", t.name, t.language)}</option> }
                                    }).collect_view()}
                                </select>
                                {body.map(|body| view! { <p class="template-body">{body}</p> })}
                                {(1..=variables).map(|n| {
                                    let id = format!("start-value-{n}");
                                    view! {
                                        <label for=id.clone()>{format!("{} {{{{{n}}}}}", words.value)}</label>
                                        <input id=id required autocomplete="off" maxlength="200"
                                            on:input=move |event| values.update(|all| {
                                                if all.len() < n { all.resize(n, String::new()); }
                                                all[n - 1] = event_target_value(&event);
                                            }) />
                                    }
                                }).collect_view()}
                                <button type="submit">{words.start}</button>
                            }.into_any()
                        }}
                    }.into_any()
                })}
            </Transition>
        </form>
    }
}
