//! The supervisor's lines: where each line's chats go, the web chat widget's tag, and the menu
//! editor — the menu as JSON, checked as it is typed, beside a live preview in which the
//! supervisor answers as a customer would.

use crate::components::{refusal, FormError, Listing, Refusal};
use crate::contract::{LineView, MenuPreview, WhatsappLinkForm, WhatsappLinkView, WhatsappLinked};
use crate::dates::LocalTime;
use crate::error::UiError;
use crate::i18n::{use_words, word};
use crate::live::on_live_change;
use crate::pages::api_keys::ApiKeys;
use crate::pages::line_settings::{self, LineSettings};
use crate::pages::menu_builder::{Draft, MenuBuilder};
use crate::pages::queues::list_queues;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "lines")]
pub async fn list_lines() -> Result<Vec<LineView>, UiError> {
    crate::ssr::with_status(
        crate::ssr::services()?.lines(crate::ssr::session_token(), crate::ssr::request_origin()).await,
    )
}

#[server(prefix = "/api", endpoint = "create_line")]
pub async fn create_line(name: String, queue_id: String) -> Result<(), UiError> {
    crate::ssr::with_status(crate::ssr::services()?.create_line(crate::ssr::session_token(), name, queue_id).await)
}

/// `agents_may_edit`: the checkbox, present (`on`) when ticked.
#[server(prefix = "/api", endpoint = "set_line_rules")]
pub async fn set_line_rules(
    line_id: String,
    offline_policy: String,
    #[server(default)] agents_may_edit: Option<String>,
) -> Result<(), UiError> {
    let may_edit = agents_may_edit.is_some();
    crate::ssr::with_status(
        crate::ssr::services()?.set_line_rules(crate::ssr::session_token(), line_id, offline_policy, may_edit).await,
    )
}

#[server(prefix = "/api", endpoint = "open_widget")]
pub async fn open_widget(line_id: String) -> Result<(), UiError> {
    crate::ssr::with_status(crate::ssr::services()?.open_widget(crate::ssr::session_token(), line_id).await)
}

// JSON: an empty list of answers is a list, where a form would leave the field out.
#[server(prefix = "/api", endpoint = "preview_menu", input = server_fn::codec::Json)]
pub async fn preview_menu(menu: String, answers: Vec<String>) -> Result<MenuPreview, UiError> {
    crate::ssr::with_status(crate::ssr::services()?.preview_menu(crate::ssr::session_token(), menu, answers).await)
}

#[server(prefix = "/api", endpoint = "save_menu")]
pub async fn save_menu(line_id: String, menu: String) -> Result<(), UiError> {
    crate::ssr::with_status(crate::ssr::services()?.save_menu(crate::ssr::session_token(), line_id, menu).await)
}

#[server(prefix = "/api", endpoint = "link_whatsapp")]
pub async fn link_whatsapp(line_id: String, form: WhatsappLinkForm) -> Result<WhatsappLinked, UiError> {
    let origin = crate::ssr::request_origin();
    crate::ssr::with_status(
        crate::ssr::services()?.link_whatsapp(crate::ssr::session_token(), line_id, origin, form).await,
    )
}

#[server(prefix = "/api", endpoint = "unlink_whatsapp")]
pub async fn unlink_whatsapp(line_id: String) -> Result<(), UiError> {
    crate::ssr::with_status(crate::ssr::services()?.unlink_whatsapp(crate::ssr::session_token(), line_id).await)
}

/// Answers the line tested and Meta's id of the test message.
#[server(prefix = "/api", endpoint = "test_whatsapp")]
pub async fn test_whatsapp(line_id: String, to: String) -> Result<(String, String), UiError> {
    let sent = crate::ssr::services()?.test_whatsapp(crate::ssr::session_token(), line_id.clone(), to).await;
    crate::ssr::with_status(sent.map(|id| (line_id, id)))
}

/// Where a new menu starts from.
const FIRST_MENU: &str = r#"{
  "header": "Welcome! How can we help?",
  "options": [
    { "label": "Opening hours", "action": { "kind": "text", "text": "We are open Monday to Friday, 9 to 18." } }
  ]
}"#;

struct Words {
    title: &'static str,
    loading: &'static str,
    create_form: &'static str,
    line_name: &'static str,
    chats_go_to: &'static str,
    create: &'static str,
    loading_lines: &'static str,
    empty: &'static str,
    list: &'static str,
    line: &'static str,
    widget: &'static str,
    menu: &'static str,
    open_widget: &'static str,
    edit_menu: &'static str,
    menu_of: &'static str,
    menu_json: &'static str,
    json_view: &'static str,
    cannot_send: &'static str,
    copy_to: &'static str,
    copy: &'static str,
    copied: &'static str,
    save_menu: &'static str,
    saved: &'static str,
    customer_sees: &'static str,
    ready: &'static str,
    preview: &'static str,
    answer_as_customer: &'static str,
    say: &'static str,
    start_again: &'static str,
    whatsapp: &'static str,
    rules: &'static str,
    offline: &'static str,
    offline_wait: &'static str,
    offline_transfer: &'static str,
    offline_ask: &'static str,
    may_edit: &'static str,
    save_rules: &'static str,
    link_whatsapp: &'static str,
    link_whatsapp_of: &'static str,
    link_hint: &'static str,
    phone_number_id: &'static str,
    business_account_id: &'static str,
    access_token: &'static str,
    app_secret: &'static str,
    verify_token: &'static str,
    verify_token_hint: &'static str,
    link: &'static str,
    linked: &'static str,
    paste_at_meta: &'static str,
    callback_url: &'static str,
    shown_once: &'static str,
    unlink: &'static str,
    token_ends: &'static str,
    last_notification: &'static str,
    never: &'static str,
    last_refusal: &'static str,
    test_to: &'static str,
    send_test: &'static str,
    test_sent: &'static str,
    close: &'static str,
}

const ENGLISH: Words = Words {
    title: "Lines",
    loading: "Loading…",
    create_form: "Create a line",
    line_name: "Line name",
    chats_go_to: "Chats go to",
    create: "Create line",
    loading_lines: "Loading lines…",
    empty: "No lines yet.",
    list: "Lines",
    line: "Line",
    widget: "Web chat widget",
    menu: "Menu",
    open_widget: "Open widget",
    edit_menu: "Edit menu",
    menu_of: "Menu of",
    menu_json: "Menu (JSON)",
    json_view: "JSON view",
    cannot_send: "Cannot send since",
    copy_to: "Copy this menu to the line",
    copy: "Copy",
    copied: "Copied: that line's customers get this menu now.",
    save_menu: "Save menu",
    saved: "Saved: customers get this menu now.",
    customer_sees: "What the customer sees",
    ready: "The menu is ready to use.",
    preview: "Preview",
    answer_as_customer: "Answer as the customer",
    say: "Say",
    start_again: "Start again",
    whatsapp: "WhatsApp",
    rules: "Agents' rules",
    offline: "When an agent goes offline",
    offline_wait: "Their chats wait for them",
    offline_transfer: "Their chats go to another agent of the queue",
    offline_ask: "The customer chooses: another agent or the menu",
    may_edit: "Agents may edit and delete their messages",
    save_rules: "Save rules",
    link_whatsapp: "Link WhatsApp",
    link_whatsapp_of: "Link a WhatsApp number to",
    link_hint: "From Meta's developer console (WhatsApp › API Setup): the number's id, the business account's id, a system user's permanent token and the app's secret.",
    phone_number_id: "Phone number id",
    business_account_id: "WhatsApp business account id",
    access_token: "Access token",
    app_secret: "App secret",
    verify_token: "Verify token (optional)",
    verify_token_hint: "Leave it empty and one is made for you.",
    link: "Link",
    linked: "Linked.",
    paste_at_meta: "Paste these in Meta's console, under WhatsApp › Configuration › Webhook:",
    callback_url: "Callback URL",
    shown_once: "Verify token (shown only now)",
    unlink: "Unlink",
    token_ends: "token …",
    last_notification: "Last notification",
    never: "never",
    last_refusal: "Last refused",
    test_to: "Test number",
    send_test: "Send a test",
    test_sent: "WhatsApp took the test message:",
    close: "Close",
};

const SPANISH: Words = Words {
    title: "Líneas",
    loading: "Cargando…",
    create_form: "Crear una línea",
    line_name: "Nombre de la línea",
    chats_go_to: "Los chats van a",
    create: "Crear línea",
    loading_lines: "Cargando líneas…",
    empty: "Todavía no hay líneas.",
    list: "Líneas",
    line: "Línea",
    widget: "Chat web",
    menu: "Menú",
    open_widget: "Abrir el chat web",
    edit_menu: "Editar el menú",
    menu_of: "Menú de",
    menu_json: "Menú (JSON)",
    json_view: "Vista JSON",
    cannot_send: "No puede enviar desde",
    copy_to: "Copiar este menú a la línea",
    copy: "Copiar",
    copied: "Copiado: los clientes de esa línea ya reciben este menú.",
    save_menu: "Guardar el menú",
    saved: "Guardado: los clientes ya reciben este menú.",
    customer_sees: "Lo que ve el cliente",
    ready: "El menú está listo para usarse.",
    preview: "Vista previa",
    answer_as_customer: "Responder como el cliente",
    say: "Decir",
    start_again: "Empezar de nuevo",
    whatsapp: "WhatsApp",
    rules: "Reglas de los agentes",
    offline: "Cuando un agente se desconecta",
    offline_wait: "Sus chats lo esperan",
    offline_transfer: "Sus chats pasan a otro agente de la cola",
    offline_ask: "El cliente elige: otro agente o el menú",
    may_edit: "Los agentes pueden editar y eliminar sus mensajes",
    save_rules: "Guardar reglas",
    link_whatsapp: "Vincular WhatsApp",
    link_whatsapp_of: "Vincular un número de WhatsApp a",
    link_hint: "Desde la consola de desarrolladores de Meta (WhatsApp › Configuración de la API): el id del número, el id de la cuenta comercial, un token permanente de usuario del sistema y la clave secreta de la app.",
    phone_number_id: "Id del número de teléfono",
    business_account_id: "Id de la cuenta de WhatsApp Business",
    access_token: "Token de acceso",
    app_secret: "Clave secreta de la app",
    verify_token: "Token de verificación (opcional)",
    verify_token_hint: "Déjalo vacío y se crea uno.",
    link: "Vincular",
    linked: "Vinculado.",
    paste_at_meta: "Pega esto en la consola de Meta, en WhatsApp › Configuración › Webhook:",
    callback_url: "URL de devolución de llamada",
    shown_once: "Token de verificación (solo se muestra ahora)",
    unlink: "Desvincular",
    token_ends: "token …",
    last_notification: "Última notificación",
    never: "nunca",
    last_refusal: "Último rechazo",
    test_to: "Número de prueba",
    send_test: "Enviar una prueba",
    test_sent: "WhatsApp aceptó el mensaje de prueba:",
    close: "Cerrar",
};

#[component]
pub fn LinesPage() -> impl IntoView {
    let words = use_words(&ENGLISH, &SPANISH);
    let create = ServerAction::<CreateLine>::new();
    let widget = ServerAction::<OpenWidget>::new();
    let save = ServerAction::<SaveMenu>::new();
    // A menu copied to another line (kept apart from `save` to say which happened).
    let copy = ServerAction::<SaveMenu>::new();
    let link = ServerAction::<LinkWhatsapp>::new();
    let unlink = ServerAction::<UnlinkWhatsapp>::new();
    let test = ServerAction::<TestWhatsapp>::new();
    let rules = ServerAction::<SetLineRules>::new();
    let settings_words = use_words(&line_settings::ENGLISH, &line_settings::SPANISH);
    // The line whose settings are open, and how many times they changed what the table shows.
    let setting = RwSignal::new(None::<LineView>);
    let changed = RwSignal::new(0u64);
    // A line that stops or starts sending again shows at once.
    on_live_change("lines", move || changed.update(|n| *n += 1));
    let lines = Resource::new(
        move || {
            let linking = link.version().get() + unlink.version().get() + rules.version().get();
            let menus = save.version().get() + copy.version().get();
            (create.version().get(), widget.version().get(), menus, linking, changed.get())
        },
        |_| list_lines(),
    );
    // The line a WhatsApp number is being linked to: (id, name).
    let linking = RwSignal::new(None::<(String, String)>);
    let queues = Resource::new(|| (), |_| list_queues());
    // The line whose menu is being edited: (id, name, the menu's JSON as it was).
    let editing = RwSignal::new(None::<(String, String, String)>);
    let failure = Signal::derive(move || {
        refusal(create)
            .or_else(|| refusal(widget))
            .or_else(|| refusal(unlink))
            .or_else(|| refusal(test))
            .or_else(|| refusal(rules))
    });
    let draw = move |list: Vec<LineView>| {
        let (words, settings_words) = (words.get(), settings_words.get());
        view! {
            <table class="lines" aria-label=words.list>
                <thead><tr>
                    <th scope="col">{words.line}</th><th scope="col">{words.chats_go_to}</th>
                    <th scope="col">{words.widget}</th><th scope="col">{words.menu}</th>
                    <th scope="col">{words.whatsapp}</th>
                    <th scope="col">{words.rules}</th>
                </tr></thead>
                <tbody>
                    {list.into_iter().map(|line| {
                        let (id, name) = (line.id.clone(), line.name.clone());
                        let menu = line.menu.clone().unwrap_or_else(|| FIRST_MENU.to_string());
                        let row_id = line.id.clone();
                        let rules_id = line.id.clone();
                        let shown = line.clone();
                        let settings_label = format!("{} {}", settings_words.settings_of, line.name);
                        let whatsapp = match line.whatsapp {
                            Some(link) => whatsapp_cell(words, line.id.clone(), link, unlink, test).into_any(),
                            None => {
                                let (id, name) = (line.id.clone(), line.name.clone());
                                view! {
                                    <button type="button" on:click=move |_| {
                                        // What the last linking answered belongs to its own line.
                                        link.value().set(None);
                                        linking.set(Some((id.clone(), name.clone())));
                                    }>
                                        {words.link_whatsapp}
                                    </button>
                                }.into_any()
                            }
                        };
                        view! {
                            <tr data-id=row_id>
                                <th scope="row">
                                    {line.name}
                                    {line.cannot_send.map(|(since, reason)| view! {
                                        <p class="problem cannot-send">
                                            {words.cannot_send}" "<LocalTime at=since />": "{reason}
                                        </p>
                                    })}
                                </th>
                                <td>
                                    {line.routes_to}
                                    " "
                                    <button type="button" class="link-button" aria-label=settings_label
                                        on:click=move |_| setting.set(Some(shown.clone()))>
                                        {settings_words.settings}
                                    </button>
                                </td>
                                <td>{match line.widget_snippet {
                                    Some(snippet) => view! { <code class="snippet">{snippet}</code> }.into_any(),
                                    None => view! {
                                        <ActionForm action=widget attr:class="inline-form">
                                            <input type="hidden" name="line_id" value=line.id />
                                            <button type="submit">{words.open_widget}</button>
                                        </ActionForm>
                                    }.into_any(),
                                }}</td>
                                <td><button type="button" on:click=move |_| {
                                    editing.set(Some((id.clone(), name.clone(), menu.clone())))
                                }>{words.edit_menu}</button></td>
                                <td class="whatsapp">{whatsapp}</td>
                                <td>{rules_form(words, rules_id, &line.offline_policy, line.agents_may_edit, rules)}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        }
    };
    view! {
        <section class="card">
            <h1>{move || words.get().title}</h1>
            <Transition fallback=move || view! { <p>{words.get().loading}</p> }>
                {move || Suspend::new(async move {
                    let queues = queues.await.unwrap_or_default();
                    let words = words.get();
                    view! {
                        <ActionForm action=create attr:class="inline-form" attr:aria-label=words.create_form>
                            <label for="line-name">{words.line_name}</label>
                            <input id="line-name" name="name" type="text" autocomplete="off" maxlength="80" />
                            <label for="line-queue">{words.chats_go_to}</label>
                            <select id="line-queue" name="queue_id">
                                {queues.into_iter().map(|q| view! { <option value=q.id>{q.name}</option> }).collect_view()}
                            </select>
                            <button type="submit">{words.create}</button>
                        </ActionForm>
                    }
                })}
            </Transition>
            <FormError error=failure />
            <Listing
                items=lines
                loading=word(words, |w| w.loading_lines)
                empty=word(words, |w| w.empty)
                sign_in="/login/supervisor"
                draw
            />
        </section>
        {move || setting.get().map(|line| view! { <LineSettings line changed close=setting /> })}
        <ApiKeys />
        {move || editing.get().map(|(id, name, menu)| {
            let others: Vec<(String, String)> = lines
                .get_untracked()
                .and_then(Result::ok)
                .unwrap_or_default()
                .into_iter()
                .filter(|line| line.id != id)
                .map(|line| (line.id, line.name))
                .collect();
            view! { <MenuEditor line_id=id name=name menu=menu save=save copy others words=words.get() /> }
        })}
        {move || linking.get().map(|(id, name)| view! { <WhatsappLinker line_id=id name=name link=link words=words.get() close=linking /> })}
    }
}

/// A linked line's number, how its callback fares, and what the supervisor may do with it.
/// A line's rules for its agents (G6, G18), as one form.
fn rules_form(
    words: &'static Words,
    line_id: String,
    policy: &str,
    may_edit: bool,
    rules: ServerAction<SetLineRules>,
) -> impl IntoView {
    let (policy_id, edit_id) = (format!("offline-{line_id}"), format!("may-edit-{line_id}"));
    let policy = policy.to_string();
    let options = [
        ("wait", words.offline_wait),
        ("transfer_to_queue", words.offline_transfer),
        ("ask_the_customer", words.offline_ask),
    ];
    view! {
        <ActionForm action=rules attr:class="stacked-form line-rules">
            <input type="hidden" name="line_id" value=line_id />
            <label for=policy_id.clone()>{words.offline}</label>
            <select id=policy_id name="offline_policy">
                {options.into_iter().map(|(value, label)| view! {
                    <option value=value selected=value == policy.as_str()>{label}</option>
                }).collect_view()}
            </select>
            <span>
                <input id=edit_id.clone() type="checkbox" name="agents_may_edit" checked=may_edit />
                " "
                <label for=edit_id>{words.may_edit}</label>
            </span>
            <button type="submit">{words.save_rules}</button>
        </ActionForm>
    }
}

fn whatsapp_cell(
    words: &'static Words,
    line_id: String,
    link: WhatsappLinkView,
    unlink: ServerAction<UnlinkWhatsapp>,
    test: ServerAction<TestWhatsapp>,
) -> impl IntoView {
    let test_id = format!("test-to-{line_id}");
    let (test_line, this_line, unlink_line) = (line_id.clone(), line_id.clone(), line_id);
    let tested = move || match test.value().get() {
        Some(Ok((tested, id))) if tested == this_line => {
            Some(view! { <p role="status" class="test-sent">{format!("{} {id}", words.test_sent)}</p> })
        }
        _ => None,
    };
    view! {
        <p><strong class="whatsapp-number">{link.phone_number_id}</strong>" · "{format!("{}{}", words.token_ends, link.token_hint)}</p>
        <p class="callback"><code>{link.callback_url}</code></p>
        <p class="last-notification">{format!("{}: {}", words.last_notification, link.last_notification_at.unwrap_or_else(|| words.never.to_string()))}</p>
        {link.last_refusal.map(|refusal| view! { <p class="problem">{format!("{}: {refusal}", words.last_refusal)}</p> })}
        <ActionForm action=test attr:class="inline-form">
            <input type="hidden" name="line_id" value=test_line />
            <label for=test_id.clone()>{words.test_to}</label>
            <input id=test_id name="to" type="tel" required autocomplete="off" />
            <button type="submit">{words.send_test}</button>
        </ActionForm>
        {tested}
        <ActionForm action=unlink attr:class="inline-form">
            <input type="hidden" name="line_id" value=unlink_line />
            <button type="submit" class="danger">{words.unlink}</button>
        </ActionForm>
    }
}

#[component]
fn WhatsappLinker(
    line_id: String,
    name: String,
    link: ServerAction<LinkWhatsapp>,
    words: &'static Words,
    close: RwSignal<Option<(String, String)>>,
) -> impl IntoView {
    let field = |id: &'static str, label: &'static str, kind: &'static str, required: bool| {
        view! {
            <label for=format!("whatsapp-{id}")>{label}</label>
            <input id=format!("whatsapp-{id}") name=format!("form[{id}]") type=kind required=required
                autocomplete="off" spellcheck="false" />
        }
    };
    let this_line = line_id.clone();
    let outcome = move || match link.value().get() {
        Some(Ok(WhatsappLinked { line_id, callback_url, verify_token })) if line_id == this_line => view! {
            <div role="status" class="linked">
                <p>{words.linked}" "{words.paste_at_meta}</p>
                <dl>
                    <dt>{words.callback_url}</dt><dd><code class="callback-url">{callback_url}</code></dd>
                    <dt>{words.shown_once}</dt><dd><code class="verify-token">{verify_token}</code></dd>
                </dl>
            </div>
        }
        .into_any(),
        Some(Err(error)) => view! { <Refusal error /> }.into_any(),
        _ => ().into_any(),
    };
    view! {
        <section class="card" aria-labelledby="whatsapp-linker">
            <h2 id="whatsapp-linker">{format!("{} {name}", words.link_whatsapp_of)}</h2>
            <p class="hint">{words.link_hint}</p>
            <ActionForm action=link attr:class="stacked-form">
                <input type="hidden" name="line_id" value=line_id />
                {field("phone_number_id", words.phone_number_id, "text", true)}
                {field("business_account_id", words.business_account_id, "text", true)}
                {field("access_token", words.access_token, "password", true)}
                {field("app_secret", words.app_secret, "password", true)}
                {field("verify_token", words.verify_token, "text", false)}
                <p class="hint">{words.verify_token_hint}</p>
                <button type="submit">{words.link}</button>
            </ActionForm>
            {outcome}
            <button type="button" class="link-button" on:click=move |_| close.set(None)>{words.close}</button>
        </section>
    }
}

#[component]
fn MenuEditor(
    line_id: String,
    name: String,
    menu: String,
    save: ServerAction<SaveMenu>,
    copy: ServerAction<SaveMenu>,
    /// The company's other lines, which the menu may be copied to: (id, name).
    others: Vec<(String, String)>,
    words: &'static Words,
) -> impl IntoView {
    let draft = Draft::new(&menu);
    let text = draft.text;
    // Why the JSON view does not read as JSON, while it does not.
    let broken: RwSignal<Option<String>> = RwSignal::new(None);
    let answers = RwSignal::new(Vec::<String>::new());
    let preview = Resource::new(move || (text.get(), answers.get()), |(menu, answers)| preview_menu(menu, answers));
    let problem = Signal::derive(move || match preview.get() {
        Some(Ok(MenuPreview { problem: Some(problem), problem_at, .. })) => Some((problem, problem_at)),
        _ => None,
    });
    let answer = NodeRef::<leptos::html::Input>::new();
    let say = move |said: String| answers.update(|all| all.push(said));
    let saved = move || save.value().get();
    view! {
        <section class="card" aria-labelledby="menu-editor">
            <h2 id="menu-editor">{format!("{} {name}", words.menu_of)}</h2>
            <div class="menu-editor">
                <div class="menu-source">
                    <MenuBuilder draft problem broken=broken.into() />
                    <details class="menu-json">
                        <summary>{words.json_view}</summary>
                        <label for="menu-json">{words.menu_json}</label>
                        <textarea id="menu-json" rows="24" spellcheck="false" prop:value=move || text.get()
                            on:input=move |event| broken.set(draft.edit_json(event_target_value(&event)).err())></textarea>
                    </details>
                    <ActionForm action=save attr:class="inline-form">
                        <input type="hidden" name="line_id" value=line_id />
                        <input type="hidden" name="menu" prop:value=move || text.get() />
                        <button type="submit">{words.save_menu}</button>
                    </ActionForm>
                    {move || match saved() {
                        Some(Ok(())) => view! { <p role="status" class="saved">{words.saved}</p> }.into_any(),
                        Some(Err(error)) => view! { <Refusal error /> }.into_any(),
                        None => ().into_any(),
                    }}
                    {(!others.is_empty()).then(|| view! {
                        <ActionForm action=copy attr:class="inline-form copy-menu">
                            <label for="copy-menu-to">{words.copy_to}</label>
                            <select id="copy-menu-to" name="line_id" required>
                                {others.into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                            </select>
                            <input type="hidden" name="menu" prop:value=move || text.get() />
                            <button type="submit">{words.copy}</button>
                        </ActionForm>
                    })}
                    {move || match copy.value().get() {
                        Some(Ok(())) => view! { <p role="status" class="copied">{words.copied}</p> }.into_any(),
                        Some(Err(error)) => view! { <Refusal error /> }.into_any(),
                        None => ().into_any(),
                    }}
                </div>
                <div class="menu-preview">
                    <h3>{words.customer_sees}</h3>
                    <Transition fallback=|| view! { <p>"…"</p> }>
                        {move || Suspend::new(async move {
                            match preview.await {
                                Ok(MenuPreview { problem: Some(problem), .. }) => view! {
                                    <p role="alert" class="form-error menu-problem">{problem}</p>
                                }.into_any(),
                                Ok(MenuPreview { lines, .. }) => {
                                    let last_choices = lines.last().map(|l| l.choices.clone()).unwrap_or_default();
                                    view! {
                                        <p role="status" class="menu-ok">{words.ready}</p>
                                        <ol class="messages" aria-label=words.preview>
                                            {lines.into_iter().map(|line| view! {
                                                <li class=format!("bubble from-{}", line.from)>
                                                    <p class="text">{line.text}</p>
                                                </li>
                                            }).collect_view()}
                                            <li class="choices">
                                                {last_choices.into_iter().map(|(answer, label)| view! {
                                                    <button type="button" class="choice" on:click=move |_| say(answer.clone())>{label}</button>
                                                }).collect_view()}
                                            </li>
                                        </ol>
                                    }.into_any()
                                }
                                Err(error) => view! { <Refusal error /> }.into_any(),
                            }
                        })}
                    </Transition>
                    <form class="inline-form" on:submit=move |event: leptos::ev::SubmitEvent| {
                        event.prevent_default();
                        if let Some(input) = answer.get() {
                            let said = input.value();
                            if !said.trim().is_empty() {
                                input.set_value("");
                                say(said);
                            }
                        }
                    }>
                        <label for="preview-answer">{words.answer_as_customer}</label>
                        <input id="preview-answer" node_ref=answer autocomplete="off" />
                        <button type="submit">{words.say}</button>
                        <button type="button" on:click=move |_| answers.set(Vec::new())>{words.start_again}</button>
                    </form>
                </div>
            </div>
        </section>
    }
}
