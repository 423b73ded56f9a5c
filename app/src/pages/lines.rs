//! The supervisor's lines: where each line's chats go, the web chat widget's tag, and the menu
//! editor — the menu as JSON, checked as it is typed, beside a live preview in which the
//! supervisor answers as a customer would.

use crate::contract::{LineView, MenuPreview};
use crate::error::UiError;
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

#[component]
pub fn LinesPage() -> impl IntoView {
    let create = ServerAction::<CreateLine>::new();
    let widget = ServerAction::<OpenWidget>::new();
    let save = ServerAction::<SaveMenu>::new();
    let lines =
        Resource::new(move || (create.version().get(), widget.version().get(), save.version().get()), |_| list_lines());
    let queues = Resource::new(|| (), |_| list_queues());
    // The line whose menu is being edited: (id, name, the menu's JSON as it was).
    let editing = RwSignal::new(None::<(String, String, String)>);
    let failure =
        move || create.value().get().and_then(|o| o.err()).or_else(|| widget.value().get().and_then(|o| o.err()));
    view! {
        <section class="card">
            <h1>"Lines"</h1>
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let queues = queues.await.unwrap_or_default();
                    view! {
                        <ActionForm action=create attr:class="inline-form" attr:aria-label="Create a line">
                            <label for="line-name">"Line name"</label>
                            <input id="line-name" name="name" type="text" autocomplete="off" maxlength="80" />
                            <label for="line-queue">"Chats go to"</label>
                            <select id="line-queue" name="queue_id">
                                {queues.into_iter().map(|q| view! { <option value=q.id>{q.name}</option> }).collect_view()}
                            </select>
                            <button type="submit">"Create line"</button>
                        </ActionForm>
                    }
                })}
            </Transition>
            <Show when=move || failure().is_some()>
                <p role="alert" class="form-error">{move || failure().map(|e| e.to_string())}</p>
            </Show>
            <Transition fallback=|| view! { <p>"Loading lines…"</p> }>
                {move || Suspend::new(async move {
                    match lines.await {
                        Ok(list) if list.is_empty() => view! { <p class="empty">"No lines yet."</p> }.into_any(),
                        Ok(list) => view! {
                            <table class="lines" aria-label="Lines">
                                <thead><tr>
                                    <th scope="col">"Line"</th><th scope="col">"Chats go to"</th>
                                    <th scope="col">"Web chat widget"</th><th scope="col">"Menu"</th>
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
                                                            <button type="submit">"Open widget"</button>
                                                        </ActionForm>
                                                    }.into_any(),
                                                }}</td>
                                                <td><button type="button" on:click=move |_| {
                                                    editing.set(Some((id.clone(), name.clone(), menu.clone())))
                                                }>"Edit menu"</button></td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                        Err(error) => view! { <p role="alert" class="form-error">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
        {move || editing.get().map(|(id, name, menu)| view! { <MenuEditor line_id=id name=name menu=menu save=save /> })}
    }
}

#[component]
fn MenuEditor(line_id: String, name: String, menu: String, save: ServerAction<SaveMenu>) -> impl IntoView {
    let text = RwSignal::new(menu.clone());
    let answers = RwSignal::new(Vec::<String>::new());
    let preview = Resource::new(move || (text.get(), answers.get()), |(menu, answers)| preview_menu(menu, answers));
    let answer = NodeRef::<leptos::html::Input>::new();
    let say = move |said: String| answers.update(|all| all.push(said));
    let saved = move || save.value().get();
    view! {
        <section class="card" aria-labelledby="menu-editor">
            <h2 id="menu-editor">{format!("Menu of {name}")}</h2>
            <div class="menu-editor">
                <div class="menu-source">
                    <label for="menu-json">"Menu (JSON)"</label>
                    <textarea id="menu-json" rows="24" spellcheck="false" prop:value=menu
                        on:input=move |event| text.set(event_target_value(&event))></textarea>
                    <ActionForm action=save attr:class="inline-form">
                        <input type="hidden" name="line_id" value=line_id />
                        <input type="hidden" name="menu" prop:value=move || text.get() />
                        <button type="submit">"Save menu"</button>
                    </ActionForm>
                    {move || match saved() {
                        Some(Ok(())) => view! { <p role="status" class="saved">"Saved: customers get this menu now."</p> }.into_any(),
                        Some(Err(error)) => view! { <p role="alert" class="form-error">{error.to_string()}</p> }.into_any(),
                        None => ().into_any(),
                    }}
                </div>
                <div class="menu-preview">
                    <h3>"What the customer sees"</h3>
                    <Transition fallback=|| view! { <p>"…"</p> }>
                        {move || Suspend::new(async move {
                            match preview.await {
                                Ok(MenuPreview { problem: Some(problem), .. }) => view! {
                                    <p role="alert" class="form-error menu-problem">{problem}</p>
                                }.into_any(),
                                Ok(MenuPreview { lines, .. }) => {
                                    let last_choices = lines.last().map(|l| l.choices.clone()).unwrap_or_default();
                                    view! {
                                        <p role="status" class="menu-ok">"The menu is ready to use."</p>
                                        <ol class="messages" aria-label="Preview">
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
                                Err(error) => view! { <p role="alert" class="form-error">{error.to_string()}</p> }.into_any(),
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
                        <label for="preview-answer">"Answer as the customer"</label>
                        <input id="preview-answer" node_ref=answer autocomplete="off" />
                        <button type="submit">"Say"</button>
                        <button type="button" on:click=move |_| answers.set(Vec::new())>"Start again"</button>
                    </form>
                </div>
            </div>
        </section>
    }
}
