//! The supervisor's quick replies (G4, G5): found by shortcut, title or text and narrowed by
//! category, written, rewritten in place and retired; the company's templates below them.

use crate::components::{refusal, succeeded, FormError, Narrow, Toast};
use crate::contract::{QuickReplyForm, QuickReplyView};
use crate::error::UiError;
use crate::i18n::use_words;
use crate::pages::reply_box::{find_quick_replies, quick_reply_categories};
use crate::pages::templates::Templates;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "save_quick_reply")]
pub async fn save_quick_reply(reply: QuickReplyForm) -> Result<(), UiError> {
    crate::ssr::with_status(crate::ssr::services()?.save_quick_reply(crate::ssr::session_token(), reply).await)
}

#[server(prefix = "/api", endpoint = "retire_quick_reply")]
pub async fn retire_quick_reply(reply_id: String) -> Result<(), UiError> {
    crate::ssr::with_status(crate::ssr::services()?.retire_quick_reply(crate::ssr::session_token(), reply_id).await)
}

struct Words {
    title: &'static str,
    new_reply: &'static str,
    shortcut: &'static str,
    reply_title: &'static str,
    text: &'static str,
    category: &'static str,
    save: &'static str,
    saved: &'static str,
    search: &'static str,
    any: &'static str,
    loading: &'static str,
    empty: &'static str,
    list: &'static str,
    edit: &'static str,
    retire: &'static str,
    retire_which: &'static str,
}

const ENGLISH: Words = Words {
    title: "Quick replies and templates",
    new_reply: "Write a quick reply",
    shortcut: "Shortcut",
    reply_title: "Title",
    text: "Text",
    category: "Category",
    save: "Save quick reply",
    saved: "Saved.",
    search: "Find by shortcut, title or text",
    any: "Any",
    loading: "Loading…",
    empty: "No quick reply is like that.",
    list: "Quick replies",
    edit: "Edit",
    retire: "Retire",
    retire_which: "Retire quick reply",
};

const SPANISH: Words = Words {
    title: "Respuestas rápidas y plantillas",
    new_reply: "Escribir una respuesta rápida",
    shortcut: "Atajo",
    reply_title: "Título",
    text: "Texto",
    category: "Categoría",
    save: "Guardar respuesta rápida",
    saved: "Guardado.",
    search: "Buscar por atajo, título o texto",
    any: "Cualquiera",
    loading: "Cargando…",
    empty: "Ninguna respuesta rápida es así.",
    list: "Respuestas rápidas",
    edit: "Editar",
    retire: "Retirar",
    retire_which: "Retirar la respuesta rápida",
};

#[component]
pub fn QuickRepliesPage() -> impl IntoView {
    let words = use_words(&ENGLISH, &SPANISH);
    let save = ServerAction::<SaveQuickReply>::new();
    let retire = ServerAction::<RetireQuickReply>::new();
    let told = RwSignal::new(None);
    // The list is read again after a save that worked only: a refused form stays as it was typed.
    let saved = RwSignal::new(0u64);
    Effect::new(move || {
        if succeeded(save) {
            told.set(Some(words.get_untracked().saved.to_string()));
            saved.update(|n| *n += 1);
        }
    });
    let searched = RwSignal::new(String::new());
    let category = RwSignal::new(String::new());
    let changed = move || (saved.get(), retire.version().get());
    let replies = Resource::new(
        move || (changed(), searched.get(), category.get()),
        |(_, words, category)| find_quick_replies(words, category),
    );
    let categories = Resource::new(changed, |_| quick_reply_categories());
    let failure = Signal::derive(move || refusal(save).or_else(|| refusal(retire)));
    view! {
        <section class="card">
            <h1>{move || words.get().title}</h1>
            <Toast told />
            <details class="new-quick-reply">
                <summary>{move || words.get().new_reply}</summary>
                {move || view! { <ReplyForm reply=None save words=words.get() /> }}
            </details>
            <FormError error=failure />
            <div class="inbox-filters">
                <label for="reply-search">{move || words.get().search}</label>
                <input id="reply-search" type="search" autocomplete="off"
                    on:input=move |event| searched.set(event_target_value(&event)) />
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        let words = words.get();
                        let options = categories.await.unwrap_or_default().into_iter().map(|c| (c.clone(), c)).collect();
                        view! { <Narrow id="reply-category" label=words.category any=words.any options chosen=category /> }
                    })}
                </Transition>
            </div>
            <Transition fallback=move || view! { <p>{words.get().loading}</p> }>
                {move || Suspend::new(async move {
                    let words = words.get();
                    match replies.await {
                        Ok(list) if list.is_empty() => view! { <p class="empty">{words.empty}</p> }.into_any(),
                        Ok(list) => view! {
                            <ul class="queue-list quick-replies" aria-label=words.list>
                                {list.into_iter().map(|reply| view! { <ReplyItem reply save retire words /> }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(error) => view! { <crate::components::Refusal error sign_in=Some("/login/supervisor") /> }.into_any(),
                    }
                })}
            </Transition>
            <Templates />
        </section>
    }
}

/// One quick reply: what agents see of it, its form (folded) and its retirement.
#[component]
fn ReplyItem(
    reply: QuickReplyView,
    save: ServerAction<SaveQuickReply>,
    retire: ServerAction<RetireQuickReply>,
    words: &'static Words,
) -> impl IntoView {
    let label = format!("{} /{}", words.retire_which, reply.shortcut);
    let (id, row) = (reply.id.clone(), reply.id.clone());
    view! {
        <li data-id=row>
            <strong class="shortcut">{format!("/{}", reply.shortcut)}</strong> " · " {reply.title.clone()}
            {reply.category.clone().map(|c| view! { " · " <span class="badge">{c}</span> })}
            <p class="muted reply-text">{reply.text.clone()}</p>
            <details>
                <summary>{format!("{} /{}", words.edit, reply.shortcut)}</summary>
                <ReplyForm reply=Some(reply) save words />
            </details>
            <ActionForm action=retire attr:class="member-remove">
                <input type="hidden" name="reply_id" value=id />
                <button type="submit" class="link-button" aria-label=label>{words.retire}</button>
            </ActionForm>
        </li>
    }
}

/// A quick reply's form: empty for a new one.
#[component]
fn ReplyForm(
    reply: Option<QuickReplyView>,
    save: ServerAction<SaveQuickReply>,
    words: &'static Words,
) -> impl IntoView {
    let key = reply.as_ref().map_or_else(|| "new".to_string(), |r| r.id.clone());
    let field = |what: &str| format!("reply-{what}-{key}");
    let (shortcut, title, text, category) = (field("shortcut"), field("title"), field("text"), field("category"));
    let form_label = match &reply {
        Some(r) => format!("{} /{}", words.edit, r.shortcut),
        None => words.new_reply.to_string(),
    };
    let reply = reply.unwrap_or(QuickReplyView {
        id: String::new(),
        shortcut: String::new(),
        title: String::new(),
        text: String::new(),
        category: None,
    });
    view! {
        <ActionForm action=save attr:class="stacked-form" attr:aria-label=form_label>
            <input type="hidden" name="reply[id]" value=reply.id />
            <label for=shortcut.clone()>{words.shortcut}</label>
            <input id=shortcut name="reply[shortcut]" type="text" required autocomplete="off" maxlength="40" value=reply.shortcut />
            <label for=title.clone()>{words.reply_title}</label>
            <input id=title name="reply[title]" type="text" required autocomplete="off" maxlength="80" value=reply.title />
            <label for=text.clone()>{words.text}</label>
            <textarea id=text name="reply[text]" rows="3" required maxlength="4096">{reply.text}</textarea>
            <label for=category.clone()>{words.category}</label>
            <input id=category name="reply[category]" type="text" autocomplete="off" maxlength="60"
                value=reply.category.unwrap_or_default() />
            <button type="submit">{words.save}</button>
        </ActionForm>
    }
}
