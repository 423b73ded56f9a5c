//! The web chat widget's room (I1): the page a web site's iframe shows. The visitor's token stays
//! in their browser; their chat is fetched with it and refetched whenever the server says it
//! changed. English or Spanish, light or dark, as the embedding page asks.

use crate::error::UiError;
use crate::live::on_live_change_at;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

/// The largest file a visitor may send, checked before uploading (the server checks again).
pub const FILE_MAX_BYTES: f64 = 10.0 * 1024.0 * 1024.0;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomMessage {
    pub id: String,
    /// `visitor`, `bot` or `agent`.
    pub from: String,
    pub text: String,
    pub media: Option<String>,
    /// Buttons under the bot's message: (what tapping says, what the button reads).
    pub choices: Vec<(String, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomView {
    pub title: String,
    pub messages: Vec<RoomMessage>,
}

#[server(prefix = "/api", endpoint = "widget_start")]
pub async fn widget_start(key: String) -> Result<String, UiError> {
    crate::ssr::with_status(crate::ssr::services()?.widget_start(key).await)
}

#[server(prefix = "/api", endpoint = "widget_chat")]
pub async fn widget_chat(key: String, token: String) -> Result<RoomView, UiError> {
    crate::ssr::with_status(crate::ssr::services()?.widget_chat(key, token).await)
}

#[server(prefix = "/api", endpoint = "widget_send")]
pub async fn widget_send(key: String, token: String, text: String, media: Option<String>) -> Result<(), UiError> {
    crate::ssr::with_status(crate::ssr::services()?.widget_send(key, token, text, media).await)
}

/// What the widget says, in the visitor's language.
pub struct Words {
    pub lang: &'static str,
    pub loading: &'static str,
    pub conversation: &'static str,
    pub empty: &'static str,
    pub message: &'static str,
    pub send: &'static str,
    pub attach: &'static str,
    pub too_large: &'static str,
    pub you: &'static str,
    pub bot: &'static str,
    pub agent: &'static str,
    pub picture: &'static str,
    pub file: &'static str,
}

const ENGLISH: Words = Words {
    lang: "en",
    loading: "Loading…",
    conversation: "Conversation",
    empty: "Write to us: we answer here.",
    message: "Message",
    send: "Send",
    attach: "Attach a file",
    too_large: "Files of at most 10 MB can be sent.",
    you: "You",
    bot: "Assistant",
    agent: "Agent",
    picture: "Picture",
    file: "File",
};

const SPANISH: Words = Words {
    lang: "es",
    loading: "Cargando…",
    conversation: "Conversación",
    empty: "Escríbenos: te respondemos aquí.",
    message: "Mensaje",
    send: "Enviar",
    attach: "Adjuntar un archivo",
    too_large: "Se pueden enviar archivos de hasta 10 MB.",
    you: "Tú",
    bot: "Asistente",
    agent: "Agente",
    picture: "Imagen",
    file: "Archivo",
};

/// Spanish for `es…`, English otherwise.
pub fn words(lang: &str) -> &'static Words {
    if lang.to_ascii_lowercase().starts_with("es") {
        &SPANISH
    } else {
        &ENGLISH
    }
}

/// How a file is shown, from the extension of its address: pictures, audio and video in the page,
/// anything else as a link named `file`.
pub fn media_view(url: String, picture: &'static str, file: &'static str) -> AnyView {
    let extension = url.rsplit('.').next().unwrap_or_default().to_ascii_lowercase();
    match extension.as_str() {
        "jpg" | "png" | "gif" | "webp" => view! { <img class="media" src=url alt=picture /> }.into_any(),
        "mp3" | "ogg" | "weba" | "wav" => view! { <audio class="media" controls src=url></audio> }.into_any(),
        "mp4" | "webm" => view! { <video class="media" controls src=url></video> }.into_any(),
        _ => view! { <a class="media" href=url download="">{file}</a> }.into_any(),
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use wasm_bindgen::JsCast;

    fn storage() -> Option<web_sys::Storage> {
        web_sys::window()?.local_storage().ok()?
    }

    fn slot(key: &str) -> String {
        format!("ikono-chat-visitor-{key}")
    }

    pub fn stored_token(key: &str) -> Option<String> {
        storage()?.get_item(&slot(key)).ok()?
    }

    pub fn store_token(key: &str, token: &str) {
        if let Some(storage) = storage() {
            let _ = storage.set_item(&slot(key), token);
        }
    }

    #[derive(serde::Deserialize)]
    struct Kept {
        url: String,
    }

    #[derive(serde::Deserialize)]
    struct Refused {
        error: String,
    }

    /// Uploads a file; answers its address, or why it was refused.
    pub async fn upload(key: &str, token: &str, file: web_sys::File) -> Result<String, String> {
        let content_type = file.type_();
        let request = gloo_net::http::Request::post(&format!("/api/v1/widget/{key}/files"))
            .header("Authorization", &format!("Bearer {token}"))
            .header("Content-Type", if content_type.is_empty() { "application/octet-stream" } else { &content_type })
            .body(file.unchecked_into::<web_sys::Blob>())
            .map_err(|e| e.to_string())?;
        let response = request.send().await.map_err(|e| e.to_string())?;
        if response.ok() {
            Ok(response.json::<Kept>().await.map_err(|e| e.to_string())?.url)
        } else {
            Err(response.json::<Refused>().await.map_or_else(|e| e.to_string(), |refused| refused.error))
        }
    }
}

#[component]
pub fn WidgetRoom() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let key = move || params.read().get("key").unwrap_or_default();
    let words = words(&query.read_untracked().get("lang").unwrap_or_default());
    let theme = match query.read_untracked().get("theme").as_deref() {
        Some("dark") => "widget theme-dark",
        Some("light") => "widget theme-light",
        _ => "widget",
    };
    let token = RwSignal::new(None::<String>);
    let failure = RwSignal::new(None::<String>);
    let pushed = RwSignal::new(0u64);

    // The token lives in the browser: found there, or asked for once and kept.
    Effect::new(move |_| {
        let key = key();
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            match browser::stored_token(&key) {
                Some(kept) => token.set(Some(kept)),
                None => match widget_start(key.clone()).await {
                    Ok(new) => {
                        browser::store_token(&key, &new);
                        token.set(Some(new));
                    }
                    Err(error) => failure.set(Some(error.to_string())),
                },
            }
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = key;
    });
    on_live_change_at(
        move || token.get().map(|token| format!("/api/v1/widget/{}/live?visitor={token}", key())),
        "messages",
        move || pushed.update(|n| *n += 1),
    );
    let chat = LocalResource::new(move || {
        let (key, token) = (key(), token.get());
        pushed.track();
        async move {
            match token {
                Some(token) => widget_chat(key, token).await.map(Some),
                None => Ok(None),
            }
        }
    });
    let send = Action::new_local(move |(text, media): &(String, Option<String>)| {
        let (key, token, text, media) = (key(), token.get_untracked().unwrap_or_default(), text.clone(), media.clone());
        async move {
            match widget_send(key, token, text, media).await {
                Ok(()) => failure.set(None),
                Err(error) => failure.set(Some(error.to_string())),
            }
            pushed.update(|n| *n += 1);
        }
    });
    let text = NodeRef::<leptos::html::Input>::new();
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let Some(input) = text.get() else { return };
        let said = input.value();
        if said.trim().is_empty() || token.get_untracked().is_none() {
            return;
        }
        input.set_value("");
        send.dispatch((said, None));
    };
    let on_file = move |event: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            let input = event_target::<web_sys::HtmlInputElement>(&event);
            let Some(file) = input.files().and_then(|files| files.get(0)) else { return };
            input.set_value("");
            if file.size() > FILE_MAX_BYTES {
                failure.set(Some(words.too_large.to_string()));
                return;
            }
            let (key, Some(token)) = (key(), token.get_untracked()) else { return };
            leptos::task::spawn_local(async move {
                match browser::upload(&key, &token, file).await {
                    Ok(url) => {
                        send.dispatch((String::new(), Some(url)));
                    }
                    Err(reason) => failure.set(Some(reason)),
                }
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = event;
    };
    let who = move |from: &str| match from {
        "visitor" => words.you,
        "bot" => words.bot,
        _ => words.agent,
    };

    view! {
        <div class=theme lang=words.lang>
            <Suspense fallback=move || view! { <p class="widget-status">{words.loading}</p> }>
                {move || Suspend::new(async move {
                    match chat.await {
                        Ok(Some(chat)) => {
                            // Only the bot's last question can still be answered by tapping.
                            let last_choices = chat.messages.last().map(|m| m.choices.clone()).unwrap_or_default();
                            view! {
                            <header class="widget-title"><h1>{chat.title}</h1></header>
                            <div class="widget-scroll">
                                <ol class="widget-messages" aria-label=words.conversation>
                                    {chat.messages.is_empty().then(|| view! { <li class="widget-empty">{words.empty}</li> })}
                                    {chat.messages.into_iter().map(|message| view! {
                                        <li class=format!("bubble from-{}", message.from) data-id=message.id>
                                            <span class="author">{who(&message.from)}</span>
                                            {(!message.text.is_empty()).then(|| view! { <p class="text">{message.text}</p> })}
                                            {message.media.map(|url| media_view(url, words.picture, words.file))}
                                        </li>
                                    }).collect_view()}
                                    {(!last_choices.is_empty()).then(|| view! {
                                        <li class="choices">
                                            {last_choices.into_iter().map(|(answer, label)| view! {
                                                <button type="button" class="choice" on:click=move |_| {
                                                    send.dispatch((answer.clone(), None));
                                                }>{label}</button>
                                            }).collect_view()}
                                        </li>
                                    })}
                                </ol>
                            </div>
                        }.into_any()
                        }
                        Ok(None) => view! { <p class="widget-status">{words.loading}</p> }.into_any(),
                        Err(error) => view! { <p role="alert" class="form-error">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
            <Show when=move || failure.get().is_some()>
                <p role="alert" class="form-error">{move || failure.get()}</p>
            </Show>
            <form class="widget-compose" on:submit=on_submit>
                <label class="attach" title=words.attach>
                    <span class="visually-hidden">{words.attach}</span>
                    "📎"
                    <input
                        type="file"
                        class="visually-hidden"
                        accept="image/*,audio/*,video/*,.pdf,.txt,.csv,.docx,.xlsx"
                        on:change=on_file
                    />
                </label>
                <input type="text" node_ref=text aria-label=words.message placeholder=words.message autocomplete="off" />
                <button type="submit">{words.send}</button>
            </form>
        </div>
    }
}
