//! The web chat widget's room (I1): the page a web site's iframe shows. The server renders the
//! page and every message; `/widget-room.js` (a few kilobytes, no WASM: customers open it on
//! phones, inside other companies' sites) keeps the visitor's token in their browser, asks for
//! their messages with it whenever the server says the chat changed, and sends what they write,
//! tap or attach. English or Spanish, light or dark, as the embedding page asks.

use crate::i18n::Lang;
use leptos::prelude::*;

/// The largest file a visitor may send, checked before uploading (the server checks again).
pub const FILE_MAX_BYTES: u64 = 10 * 1024 * 1024;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoomMessage {
    pub id: String,
    /// `visitor`, `bot` or `agent`.
    pub from: String,
    pub text: String,
    pub media: Option<String>,
    /// Buttons under the bot's message: (what tapping says, what the button reads).
    pub choices: Vec<(String, String)>,
    /// How many times the agent changed its words, and whether they took it back (G18).
    pub edits: usize,
    pub deleted: bool,
}

#[cfg(feature = "ssr")]
impl RoomMessage {
    /// What changes when the agent edits or deletes the message: the room replaces it then.
    fn version(&self) -> String {
        format!("{}{}", self.edits, if self.deleted { "d" } else { "" })
    }
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
    pub uploading: &'static str,
    pub unavailable: &'static str,
    pub unreachable: &'static str,
    pub edited: &'static str,
    pub deleted: &'static str,
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
    uploading: "Sending the file",
    unavailable: "This chat is not available.",
    unreachable: "The chat cannot be reached; trying again…",
    edited: "edited",
    deleted: "This message was deleted.",
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
    uploading: "Enviando el archivo",
    unavailable: "Este chat no está disponible.",
    unreachable: "No se puede llegar al chat; volviendo a intentar…",
    edited: "editado",
    deleted: "Este mensaje se eliminó.",
};

/// Spanish for `es…`, English otherwise.
pub fn words(lang: &str) -> &'static Words {
    Lang::from_tag(lang).pick(&ENGLISH, &SPANISH)
}

/// Who reads a message's files: the console's signed-in members, whose browser shows our own
/// files by their address; or a widget's visitor, whose files the room's script fetches with their
/// token (marked `data-media`), so that no token travels in an address.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum FileReader {
    Member,
    Visitor,
}

/// How a file is shown, from the extension of its address: pictures, audio and video in the page,
/// anything else as a link named `file`. An address that is neither a web address nor one of our
/// uploads is shown as text, never as a link (the server refuses such addresses since
/// `domain::media`; older messages may hold one, and the app does not depend on `domain`).
pub fn media_view(url: String, picture: &'static str, file: &'static str, reader: FileReader) -> AnyView {
    let lower = url.get(..8).unwrap_or(&url).to_ascii_lowercase();
    let ours = url.starts_with("/media/") && !url.contains("..");
    let showable = lower.starts_with("https://") || lower.starts_with("http://") || ours;
    if !showable || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return view! { <span class="media media-unsafe">{url}</span> }.into_any();
    }
    let extension = url.rsplit('.').next().unwrap_or_default().to_ascii_lowercase();
    let (address, fetched) = if ours && reader == FileReader::Visitor { (None, Some(url)) } else { (Some(url), None) };
    match extension.as_str() {
        "jpg" | "png" | "gif" | "webp" => {
            view! { <img class="media" src=address data-media=fetched alt=picture /> }.into_any()
        }
        "mp3" | "ogg" | "weba" | "wav" => {
            view! { <audio class="media" controls src=address data-media=fetched></audio> }.into_any()
        }
        "mp4" | "webm" => view! { <video class="media" controls src=address data-media=fetched></video> }.into_any(),
        _ => view! { <a class="media" href=address data-media=fetched download="">{file}</a> }.into_any(),
    }
}

/// The room's page as the server sends it: the line's name (`None`: no such widget), the compose
/// box and a conversation that the room's script fills with the visitor's messages.
#[cfg(feature = "ssr")]
pub fn room_page(key: &str, title: Option<&str>, lang: &str, theme: Option<&str>) -> String {
    let words = words(lang);
    let class = match theme {
        Some("dark") => "widget theme-dark",
        Some("light") => "widget theme-light",
        _ => "widget",
    };
    let heading = title.unwrap_or(words.unavailable).to_string();
    let room = title.map(|_| {
        view! {
            <div class="widget-scroll">
                <ol class="widget-messages" aria-label=words.conversation aria-live="polite">
                    <li class="widget-status">{words.loading}</li>
                </ol>
            </div>
            <p role="alert" class="form-error" hidden></p>
            <progress class="widget-upload" max="100" aria-label=words.uploading hidden></progress>
            <form class="widget-compose">
                <label class="attach" title=words.attach>
                    <span class="visually-hidden">{words.attach}</span>
                    "📎"
                    <input type="file" class="visually-hidden" accept="image/*,audio/*,video/*,.pdf,.txt,.csv,.docx,.xlsx" />
                </label>
                <input type="text" aria-label=words.message placeholder=words.message autocomplete="off" />
                <button type="submit">{words.send}</button>
            </form>
        }
    });
    let page = view! {
        <!DOCTYPE html>
        <html lang=words.lang>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <title>{heading.clone()}</title>
                <link rel="stylesheet" href=crate::assets::STYLESHEET />
                <script src="/widget-room.js" defer></script>
            </head>
            <body>
                <div
                    class=class
                    lang=words.lang
                    data-widget-key=key.to_string()
                    data-file-max-bytes=FILE_MAX_BYTES.to_string()
                    data-too-large=words.too_large
                    data-unreachable=words.unreachable
                >
                    <header class="widget-title">
                        <h1>{heading}</h1>
                    </header>
                    {room}
                </div>
            </body>
        </html>
    };
    Owner::new().with(|| page.to_html())
}

/// The visitor's messages as the room lists them (each `li` named by its message's id, so the
/// room's script adds only new ones), then the buttons of the bot's last question, if any.
#[cfg(feature = "ssr")]
pub fn room_messages(messages: Vec<RoomMessage>, lang: &str) -> String {
    let words = words(lang);
    let who = move |from: &str| match from {
        "visitor" => words.you,
        "bot" => words.bot,
        _ => words.agent,
    };
    // Only the bot's last question can still be answered by tapping.
    let last_choices = messages.last().map(|m| m.choices.clone()).unwrap_or_default();
    let list = view! {
        {messages.is_empty().then(|| view! { <li class="widget-empty">{words.empty}</li> })}
        {messages
            .into_iter()
            .map(|message| {
                let version = message.version();
                view! {
                    <li class=format!("bubble from-{}", message.from) data-id=message.id data-version=version>
                        <span class="author">{who(&message.from)}</span>
                        {message.deleted.then(|| view! { <p class="text deleted">{words.deleted}</p> })}
                        {(!message.text.is_empty()).then(|| view! { <p class="text">{message.text}</p> })}
                        {message.media.map(|url| media_view(url, words.picture, words.file, FileReader::Visitor))}
                        {(message.edits > 0 && !message.deleted)
                            .then(|| view! { <span class="edited">{words.edited}</span> })}
                    </li>
                }
            })
            .collect_view()}
        {(!last_choices.is_empty())
            .then(|| {
                view! {
                    <li class="choices">
                        {last_choices
                            .into_iter()
                            .map(|(answer, label)| {
                                view! { <button type="button" class="choice" data-answer=answer>{label}</button> }
                            })
                            .collect_view()}
                    </li>
                }
            })}
    };
    Owner::new().with(|| list.to_html())
}
