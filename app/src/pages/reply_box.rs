//! The reply box of a conversation: what the agent writes, and the company's quick replies (G4,
//! G5) offered while the text starts with `/`, narrowed by what follows and by category, chosen
//! with the mouse or the keyboard (↑ ↓ to move, Enter to take, Esc to close).

use crate::contract::QuickReplyView;
use crate::error::UiError;
use crate::i18n::use_words;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "find_quick_replies")]
pub async fn find_quick_replies(words: String, category: String) -> Result<Vec<QuickReplyView>, UiError> {
    crate::ssr::with_status(crate::ssr::services()?.quick_replies(crate::ssr::session_token(), words, category).await)
}

#[server(prefix = "/api", endpoint = "quick_reply_categories")]
pub async fn quick_reply_categories() -> Result<Vec<String>, UiError> {
    crate::ssr::with_status(crate::ssr::services()?.quick_reply_categories(crate::ssr::session_token()).await)
}

/// The emojis offered under the reply, most used in customer service first.
const EMOJIS: [&str; 20] = [
    "😊", "🙂", "😉", "😀", "🙏", "👍", "👏", "🙌", "🎉", "❤️", "😅", "😢", "😮", "🤔", "✅", "❌", "⏳", "📦", "🚚",
    "💳",
];

struct Words {
    emoji: &'static str,
    quick_replies: &'static str,
    category: &'static str,
    every_category: &'static str,
    none_found: &'static str,
    hint: &'static str,
}

const ENGLISH: Words = Words {
    emoji: "Emoji",
    quick_replies: "Quick replies",
    category: "Category",
    every_category: "All",
    none_found: "No quick reply has those words.",
    hint: "Type / for quick replies",
};

const SPANISH: Words = Words {
    emoji: "Emoji",
    quick_replies: "Respuestas rápidas",
    category: "Categoría",
    every_category: "Todas",
    none_found: "Ninguna respuesta rápida tiene esas palabras.",
    hint: "Escribe / para ver las respuestas rápidas",
};

/// The reply's text field (named `text`, for the form around it), with the quick replies under it.
#[component]
pub fn ReplyBox(
    label: Signal<&'static str>,
    draft: RwSignal<String>,
    /// Whether the text must be written (not when a file goes with the reply).
    #[prop(optional, into)]
    required: Option<Signal<bool>>,
) -> impl IntoView {
    let required = required.unwrap_or_else(|| Signal::derive(|| true));
    let words = use_words(&ENGLISH, &SPANISH);
    let category = RwSignal::new(String::new());
    let dismissed = RwSignal::new(false);
    let highlighted = RwSignal::new(0usize);
    let asked = move || draft.get().strip_prefix('/').map(str::to_string);
    let found = Resource::new(
        move || (asked(), category.get()),
        |(asked, category)| async move {
            match asked {
                Some(words) => find_quick_replies(words, category).await.unwrap_or_default(),
                None => Vec::new(),
            }
        },
    );
    let categories = Resource::new(|| (), |_| quick_reply_categories());
    let open = move || asked().is_some() && !dismissed.get();
    let emojis_open = RwSignal::new(false);
    // Taking a reply starts the next search afresh, in every category.
    let choose = move |text: String| {
        draft.set(text);
        highlighted.set(0);
        category.set(String::new());
    };
    let on_key = move |event: leptos::ev::KeyboardEvent| {
        if !open() {
            return;
        }
        let replies = found.get().unwrap_or_default();
        match event.key().as_str() {
            "ArrowDown" => {
                event.prevent_default();
                highlighted.update(|h| *h = (*h + 1).min(replies.len().saturating_sub(1)));
            }
            "ArrowUp" => {
                event.prevent_default();
                highlighted.update(|h| *h = h.saturating_sub(1));
            }
            "Enter" => {
                if let Some(reply) = replies.get(highlighted.get()) {
                    event.prevent_default();
                    choose(reply.text.clone());
                }
            }
            "Escape" => dismissed.set(true),
            _ => {}
        }
    };
    view! {
        <label for="reply-text">{label}</label>
        <input id="reply-text" name="text" required=required autocomplete="off" role="combobox"
            aria-autocomplete="list" aria-controls="quick-replies" aria-expanded=move || open().to_string()
            placeholder=move || words.get().hint
            aria-activedescendant=move || open().then(|| format!("quick-reply-{}", highlighted.get()))
            prop:value=move || draft.get()
            on:input=move |event| {
                draft.set(event_target_value(&event));
                dismissed.set(false);
                highlighted.set(0);
            }
            on:keydown=on_key />
        <button type="button" class="link-button emoji-button" aria-expanded=move || emojis_open.get().to_string()
            aria-controls="emojis" on:click=move |_| emojis_open.update(|open| *open = !*open)>
            {move || format!("😊 {}", words.get().emoji)}
        </button>
        <Show when=move || emojis_open.get()>
            <div id="emojis" class="emojis" role="group" aria-label=move || words.get().emoji>
                {EMOJIS.into_iter().map(|emoji| view! {
                    <button type="button" class="tab emoji" on:click=move |_| {
                        draft.update(|text| text.push_str(emoji));
                        emojis_open.set(false);
                        #[cfg(feature = "hydrate")]
                        if let Some(field) = document().get_element_by_id("reply-text") {
                            use wasm_bindgen::JsCast;
                            if let Ok(field) = field.dyn_into::<web_sys::HtmlElement>() {
                                let _ = field.focus();
                            }
                        }
                    }>{emoji}</button>
                }).collect_view()}
            </div>
        </Show>
        <Show when=open>
            <div class="quick-replies">
                <label for="quick-reply-category">{move || words.get().category}</label>
                <select id="quick-reply-category" prop:value=move || category.get()
                    on:change=move |event| {
                        category.set(event_target_value(&event));
                        highlighted.set(0);
                    }>
                    <option value="">{move || words.get().every_category}</option>
                    <Suspense fallback=|| ()>
                        {move || Suspend::new(async move {
                            categories.await.unwrap_or_default().into_iter()
                                .map(|name| view! { <option value=name.clone()>{name.clone()}</option> })
                                .collect_view()
                        })}
                    </Suspense>
                </select>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        let replies = found.await;
                        if replies.is_empty() {
                            return view! { <p class="muted" role="status">{words.get().none_found}</p> }.into_any();
                        }
                        view! {
                            <ul id="quick-replies" role="listbox" aria-label=words.get().quick_replies>
                                {replies.into_iter().enumerate().map(|(i, reply)| {
                                    let text = reply.text.clone();
                                    view! {
                                        <li id=format!("quick-reply-{i}") role="option"
                                            class:highlighted=move || highlighted.get() == i
                                            aria-selected=move || (highlighted.get() == i).to_string()
                                            on:mousedown=move |event| {
                                                // Before the field loses its focus to the list.
                                                event.prevent_default();
                                                choose(text.clone());
                                            }>
                                            <strong>{format!("/{}", reply.shortcut)}</strong>
                                            " " <span class="title">{reply.title}</span>
                                            <span class="muted preview">{reply.text}</span>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    })}
                </Suspense>
            </div>
        </Show>
    }
}
