//! The supervisor's lines: where each line's chats go, the web chat widget's tag, and the menu
//! editor — the menu as JSON, checked as it is typed, beside a live preview in which the
//! supervisor answers as a customer would.

use crate::components::{refusal, FormError, Listing, Refusal};
use crate::contract::{LineView, MenuPreview};
use crate::error::UiError;
use crate::i18n::{use_words, word};
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
    save_menu: &'static str,
    saved: &'static str,
    customer_sees: &'static str,
    ready: &'static str,
    preview: &'static str,
    answer_as_customer: &'static str,
    say: &'static str,
    start_again: &'static str,
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
    save_menu: "Save menu",
    saved: "Saved: customers get this menu now.",
    customer_sees: "What the customer sees",
    ready: "The menu is ready to use.",
    preview: "Preview",
    answer_as_customer: "Answer as the customer",
    say: "Say",
    start_again: "Start again",
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
    save_menu: "Guardar el menú",
    saved: "Guardado: los clientes ya reciben este menú.",
    customer_sees: "Lo que ve el cliente",
    ready: "El menú está listo para usarse.",
    preview: "Vista previa",
    answer_as_customer: "Responder como el cliente",
    say: "Decir",
    start_again: "Empezar de nuevo",
};

#[component]
pub fn LinesPage() -> impl IntoView {
    let words = use_words(&ENGLISH, &SPANISH);
    let create = ServerAction::<CreateLine>::new();
    let widget = ServerAction::<OpenWidget>::new();
    let save = ServerAction::<SaveMenu>::new();
    let lines =
        Resource::new(move || (create.version().get(), widget.version().get(), save.version().get()), |_| list_lines());
    let queues = Resource::new(|| (), |_| list_queues());
    // The line whose menu is being edited: (id, name, the menu's JSON as it was).
    let editing = RwSignal::new(None::<(String, String, String)>);
    let failure = Signal::derive(move || refusal(create).or_else(|| refusal(widget)));
    let draw = move |list: Vec<LineView>| {
        let words = words.get();
        view! {
            <table class="lines" aria-label=words.list>
                <thead><tr>
                    <th scope="col">{words.line}</th><th scope="col">{words.chats_go_to}</th>
                    <th scope="col">{words.widget}</th><th scope="col">{words.menu}</th>
                </tr></thead>
                <tbody>
                    {list.into_iter().map(|line| {
                        let (id, name) = (line.id.clone(), line.name.clone());
                        let menu = line.menu.clone().unwrap_or_else(|| FIRST_MENU.to_string());
                        let row_id = line.id.clone();
                        view! {
                            <tr data-id=row_id>
                                <th scope="row">{line.name}</th>
                                <td>{line.routes_to}</td>
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
        {move || editing.get().map(|(id, name, menu)| view! { <MenuEditor line_id=id name=name menu=menu save=save words=words.get() /> })}
    }
}

#[component]
fn MenuEditor(
    line_id: String,
    name: String,
    menu: String,
    save: ServerAction<SaveMenu>,
    words: &'static Words,
) -> impl IntoView {
    let text = RwSignal::new(menu.clone());
    let answers = RwSignal::new(Vec::<String>::new());
    let preview = Resource::new(move || (text.get(), answers.get()), |(menu, answers)| preview_menu(menu, answers));
    let answer = NodeRef::<leptos::html::Input>::new();
    let say = move |said: String| answers.update(|all| all.push(said));
    let saved = move || save.value().get();
    view! {
        <section class="card" aria-labelledby="menu-editor">
            <h2 id="menu-editor">{format!("{} {name}", words.menu_of)}</h2>
            <div class="menu-editor">
                <div class="menu-source">
                    <label for="menu-json">{words.menu_json}</label>
                    <textarea id="menu-json" rows="24" spellcheck="false" prop:value=menu
                        on:input=move |event| text.set(event_target_value(&event))></textarea>
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
