//! The workspace's keyboard shortcuts, listed on `?`: every one also has a button or a link, so
//! nobody needs them, and none fires while the person types in a field.

use crate::i18n::use_words;
use leptos::prelude::*;

/// What each key does, in the page's words: (keys, what).
struct Words {
    title: &'static str,
    close: &'static str,
    keys: [(&'static str, &'static str); 6],
}

const ENGLISH: Words = Words {
    title: "Keyboard shortcuts",
    close: "Close",
    keys: [
        ("?", "Show or hide this list"),
        ("j / k", "Next / previous chat of the inbox"),
        ("/", "Write the reply (then / again for quick replies)"),
        ("s", "Search the chats"),
        ("n", "New conversation"),
        ("Esc", "Close this list"),
    ],
};

const SPANISH: Words = Words {
    title: "Atajos de teclado",
    close: "Cerrar",
    keys: [
        ("?", "Mostrar u ocultar esta lista"),
        ("j / k", "Chat siguiente / anterior de la bandeja"),
        ("/", "Escribir la respuesta (y / otra vez para las respuestas rápidas)"),
        ("s", "Buscar en los chats"),
        ("n", "Nueva conversación"),
        ("Esc", "Cerrar esta lista"),
    ],
};

/// Listens to the keys on the whole page and shows the list when asked.
#[component]
pub fn Shortcuts() -> impl IntoView {
    let words = use_words(&ENGLISH, &SPANISH);
    let shown = RwSignal::new(false);
    #[cfg(feature = "hydrate")]
    {
        let navigate = leptos_router::hooks::use_navigate();
        let handle = window_event_listener(leptos::ev::keydown, move |event| {
            if event.ctrl_key() || event.meta_key() || event.alt_key() || typing(&event) {
                return;
            }
            let handled = match event.key().as_str() {
                "?" => {
                    shown.update(|shown| *shown = !*shown);
                    true
                }
                "Escape" if shown.get_untracked() => {
                    shown.set(false);
                    true
                }
                "j" => step_through_chats(1),
                "k" => step_through_chats(-1),
                "/" => focus("reply-text"),
                "s" => focus("chat-search"),
                "n" => {
                    navigate("/agent/new", Default::default());
                    true
                }
                _ => false,
            };
            if handled {
                event.prevent_default();
            }
        });
        on_cleanup(move || handle.remove());
    }
    let list = move || {
        shown.get().then(|| {
            let words = words.get();
            view! {
                <section class="card shortcuts" role="dialog" aria-modal="false" aria-labelledby="shortcuts-title">
                    <h2 id="shortcuts-title">{words.title}</h2>
                    <dl>
                        {words.keys.iter().map(|(keys, what)| view! {
                            <dt><kbd>{*keys}</kbd></dt>
                            <dd>{*what}</dd>
                        }).collect_view()}
                    </dl>
                    <button type="button" on:click=move |_| shown.set(false)>{words.close}</button>
                </section>
            }
        })
    };
    view! {
        <button type="button" class="link-button shortcuts-hint" aria-keyshortcuts="?"
            on:click=move |_| shown.update(|shown| *shown = !*shown)>
            {move || format!("{} (?)", words.get().title)}
        </button>
        {list}
    }
}

/// Whether the key goes to a field the person is writing in.
#[cfg(feature = "hydrate")]
fn typing(event: &web_sys::KeyboardEvent) -> bool {
    use wasm_bindgen::JsCast;
    let Some(element) = event.target().and_then(|target| target.dyn_into::<web_sys::Element>().ok()) else {
        return false;
    };
    matches!(element.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
        || element.get_attribute("contenteditable").is_some()
}

/// Puts the keyboard in the field `id`, when the page has it.
#[cfg(feature = "hydrate")]
fn focus(id: &str) -> bool {
    use wasm_bindgen::JsCast;
    let field = document().get_element_by_id(id).and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    field.map(|field| field.focus().is_ok()).unwrap_or(false)
}

/// Opens the chat `by` places after (or before) the open one in the inbox shown; the first one
/// when none is open.
#[cfg(feature = "hydrate")]
fn step_through_chats(by: i32) -> bool {
    use wasm_bindgen::JsCast;
    let Ok(links) = document().query_selector_all(".workspace-side .chat-list a[href^='/agent/chats/']") else {
        return false;
    };
    let links: Vec<web_sys::HtmlElement> =
        (0..links.length()).filter_map(|i| links.item(i)?.dyn_into::<web_sys::HtmlElement>().ok()).collect();
    if links.is_empty() {
        return false;
    }
    let open = links.iter().position(|link| link.get_attribute("aria-current").as_deref() == Some("page"));
    let next = match open {
        Some(open) => (open as i32 + by).clamp(0, links.len() as i32 - 1) as usize,
        None => 0,
    };
    links[next].click();
    links[next].focus().is_ok()
}
