//! What we send to Meta's Graph API, and how its answers read: the body of each kind of message
//! (`POST /<phone number id>/messages`), a file's address (`GET /<media id>`), and whether a
//! refused send is worth trying again.
//!
//! A body is only built when Meta would take it: what exceeds its limits is refused here, with
//! words an agent can read, or sent in a plainer form (a menu too big for buttons becomes a
//! list, then numbered text).

use super::limits::*;
use domain::menu::Choice;
use domain::message::{Location, MessageKind};
use domain::template::TemplateCategory;
use serde_json::{json, Value};

/// Where Meta takes a file we send from: a file uploaded to it, or a public address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileSource {
    Uploaded(String),
    Link(String),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Outgoing<'a> {
    Text {
        text: &'a str,
        /// Meta's id of the message this one quotes (C4).
        quoted: Option<&'a str>,
    },
    /// The bot's options: buttons, a list, or numbered text, whichever fits (C7, M16).
    Menu {
        text: &'a str,
        choices: &'a [Choice],
        /// The label of the button that opens a list, in the customer's language.
        list_button: &'a str,
    },
    File {
        kind: MessageKind,
        source: FileSource,
        caption: &'a str,
        filename: Option<&'a str>,
    },
    Reaction {
        /// Meta's id of the message reacted to.
        to: &'a str,
        /// `None` takes the reaction back.
        emoji: Option<&'a str>,
    },
    Location(&'a Location),
    /// An approved template, outside the 24-hour window (G3); `parameters` fill its body's
    /// `{{1}}`, `{{2}}`…
    Template {
        name: &'a str,
        language: &'a str,
        parameters: &'a [String],
    },
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Unsendable {
    #[error("WhatsApp takes texts of at most {TEXT_MAX_CHARS} characters")]
    TextTooLong,
    #[error("WhatsApp takes captions of at most {CAPTION_MAX_CHARS} characters")]
    CaptionTooLong,
    #[error("an empty message cannot be sent")]
    Empty,
    #[error("WhatsApp cannot send a file of this kind ({0})")]
    NotAFile(&'static str),
    #[error("the location is not on the map")]
    LocationOffTheMap,
    #[error("WhatsApp does not take files of type {0}")]
    FileKind(String),
    #[error("WhatsApp takes files of this kind of at most {max_mb} MB")]
    FileTooLarge { max_mb: usize },
}

fn envelope(to: &str, kind: &str, content: Value) -> Value {
    let mut body = json!({ "messaging_product": "whatsapp", "recipient_type": "individual", "to": to, "type": kind });
    body[kind] = content;
    body
}

fn checked_text(text: &str) -> Result<&str, Unsendable> {
    if text.trim().is_empty() {
        return Err(Unsendable::Empty);
    }
    if text.chars().count() > TEXT_MAX_CHARS {
        return Err(Unsendable::TextTooLong);
    }
    Ok(text)
}

/// The body of `outgoing` to the customer `to` (their WhatsApp id).
pub fn message_body(to: &str, outgoing: &Outgoing<'_>) -> Result<Value, Unsendable> {
    match outgoing {
        Outgoing::Text { text, quoted } => {
            let mut body = envelope(to, "text", json!({ "preview_url": false, "body": checked_text(text)? }));
            if let Some(quoted) = quoted {
                body["context"] = json!({ "message_id": quoted });
            }
            Ok(body)
        }
        Outgoing::Menu { text, choices, list_button } => menu_body(to, text, choices, list_button),
        Outgoing::File { kind, source, caption, filename } => {
            let field = match kind {
                MessageKind::Image => "image",
                MessageKind::Video => "video",
                MessageKind::Audio | MessageKind::Voice => "audio",
                MessageKind::Document => "document",
                MessageKind::Sticker => "sticker",
                other => return Err(Unsendable::NotAFile(other.as_str())),
            };
            let mut content = match source {
                FileSource::Uploaded(id) => json!({ "id": id }),
                FileSource::Link(link) => json!({ "link": link }),
            };
            // Meta refuses captions on audio and stickers.
            let captioned = matches!(field, "image" | "video" | "document");
            if captioned && !caption.trim().is_empty() {
                if caption.chars().count() > CAPTION_MAX_CHARS {
                    return Err(Unsendable::CaptionTooLong);
                }
                content["caption"] = json!(caption);
            }
            if let (Some(name), "document") = (filename, field) {
                content["filename"] = json!(clip(name, 240));
            }
            Ok(envelope(to, field, content))
        }
        Outgoing::Reaction { to: message, emoji } => {
            Ok(envelope(to, "reaction", json!({ "message_id": message, "emoji": emoji.unwrap_or("") })))
        }
        Outgoing::Location(location) => {
            if !location.is_valid() {
                return Err(Unsendable::LocationOffTheMap);
            }
            let mut content = json!({ "latitude": location.latitude, "longitude": location.longitude });
            if let Some(name) = &location.name {
                content["name"] = json!(name);
            }
            if let Some(address) = &location.address {
                content["address"] = json!(address);
            }
            Ok(envelope(to, "location", content))
        }
        Outgoing::Template { name, language, parameters } => {
            let mut content = json!({ "name": name, "language": { "policy": "deterministic", "code": language } });
            if !parameters.is_empty() {
                let values: Vec<Value> = parameters.iter().map(|p| json!({ "type": "text", "text": p })).collect();
                content["components"] = json!([{ "type": "body", "parameters": values }]);
            }
            Ok(envelope(to, "template", content))
        }
    }
}

/// Buttons when the options fit three buttons, else a list when they fit ten rows, else the text
/// as it is (the bot's text already numbers its options).
fn menu_body(to: &str, text: &str, choices: &[Choice], list_button: &str) -> Result<Value, Unsendable> {
    let body_fits = !text.trim().is_empty() && text.chars().count() <= INTERACTIVE_BODY_MAX_CHARS;
    let fits = |count: usize, title: usize, id: usize| {
        body_fits
            && (1..=count).contains(&choices.len())
            && choices.iter().all(|c| {
                let label = c.label.chars().count();
                (1..=title).contains(&label) && (1..=id).contains(&c.answer.chars().count())
            })
    };
    if fits(BUTTONS_MAX, BUTTON_TITLE_MAX_CHARS, BUTTON_ID_MAX_CHARS) {
        let buttons: Vec<Value> =
            choices.iter().map(|c| json!({ "type": "reply", "reply": { "id": c.answer, "title": c.label } })).collect();
        return Ok(envelope(
            to,
            "interactive",
            json!({ "type": "button", "body": { "text": text }, "action": { "buttons": buttons } }),
        ));
    }
    let button = clip(list_button.trim(), LIST_BUTTON_MAX_CHARS);
    if fits(LIST_ROWS_MAX, ROW_TITLE_MAX_CHARS, ROW_ID_MAX_CHARS) && !button.is_empty() {
        let rows: Vec<Value> = choices.iter().map(|c| json!({ "id": c.answer, "title": c.label })).collect();
        return Ok(envelope(
            to,
            "interactive",
            json!({
                "type": "list",
                "body": { "text": text },
                "action": { "button": button, "sections": [{ "rows": rows }] }
            }),
        ));
    }
    message_body(to, &Outgoing::Text { text, quoted: None })
}

/// A template's category, as Meta names it.
fn meta_category(category: TemplateCategory) -> &'static str {
    match category {
        TemplateCategory::Marketing => "MARKETING",
        TemplateCategory::Utility => "UTILITY",
    }
}

/// The body of `POST /<business account id>/message_templates`: a template whose body has
/// variables `{{1}}`, `{{2}}`… with one example value each, for Meta's review (W12).
pub fn template_definition(
    name: &str,
    language: &str,
    category: TemplateCategory,
    body: &str,
    examples: &[String],
) -> Value {
    let mut component = json!({ "type": "BODY", "text": body });
    if !examples.is_empty() {
        component["example"] = json!({ "body_text": [examples] });
    }
    json!({ "name": name, "language": language, "category": meta_category(category), "components": [component] })
}

/// Meta's id of a template it took for review, and the state it gave it: `{"id":…,"status":…}`.
pub fn submitted_template(answer: &[u8]) -> Option<(String, String)> {
    let answer: Value = serde_json::from_slice(answer).ok()?;
    let id = match answer.get("id")? {
        Value::String(id) => id.trim().to_string(),
        Value::Number(id) => id.to_string(),
        _ => return None,
    };
    let status = answer.get("status").and_then(Value::as_str).unwrap_or("PENDING").trim().to_string();
    (!id.is_empty() && id.len() <= domain::message::PROVIDER_REFERENCE_MAX_CHARS).then_some((id, clip(&status, 40)))
}

/// Marks a customer's message read (the blue ticks they see), with "typing…" shown to them for
/// up to 25 seconds or until our next message when `typing`.
pub fn mark_read_body(message: &str, typing: bool) -> Value {
    let mut body = json!({ "messaging_product": "whatsapp", "status": "read", "message_id": message });
    if typing {
        body["typing_indicator"] = json!({ "type": "text" });
    }
    body
}

/// Meta's id of the message a send created: `{"messages":[{"id":"wamid…"}]}`.
pub fn sent_message_id(answer: &[u8]) -> Option<String> {
    let answer: Value = serde_json::from_slice(answer).ok()?;
    let id = answer.pointer("/messages/0/id")?.as_str()?.trim();
    (!id.is_empty() && id.chars().count() <= domain::message::PROVIDER_REFERENCE_MAX_CHARS).then(|| id.to_string())
}

/// What a file of ours is on WhatsApp, by its type and size, or why WhatsApp would refuse it
/// (Meta's "supported media types"): images are JPEG or PNG up to 5 MB; videos MP4 or 3GP, audio
/// AAC, AMR, MP3, MP4 or OGG, up to 16 MB; documents PDF, text or Office, up to 100 MB.
pub fn uploadable(content_type: &str, size: usize) -> Result<MessageKind, Unsendable> {
    const MB: usize = 1024 * 1024;
    let essence = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    let (kind, max_mb) = match essence.as_str() {
        "image/jpeg" | "image/png" => (MessageKind::Image, 5),
        "video/mp4" | "video/3gpp" => (MessageKind::Video, 16),
        "audio/aac" | "audio/amr" | "audio/mpeg" | "audio/mp4" | "audio/ogg" => (MessageKind::Audio, 16),
        "application/pdf"
        | "text/plain"
        | "application/msword"
        | "application/vnd.ms-excel"
        | "application/vnd.ms-powerpoint"
        | "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        | "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        | "application/vnd.openxmlformats-officedocument.presentationml.presentation" => (MessageKind::Document, 100),
        _ => return Err(Unsendable::FileKind(essence)),
    };
    if size > max_mb * MB {
        return Err(Unsendable::FileTooLarge { max_mb });
    }
    Ok(kind)
}

/// What WhatsApp takes a file at a public address as, by the extension it ends with: an image, a
/// video or audio only of the types [`uploadable`] names; anything else as a document, which
/// WhatsApp takes of any name.
pub fn link_kind(address: &str) -> MessageKind {
    let path = address.split(['?', '#']).next().unwrap_or_default();
    match path.rsplit('.').next().unwrap_or_default().to_ascii_lowercase().as_str() {
        "jpg" | "jpeg" | "png" => MessageKind::Image,
        "mp4" | "3gp" => MessageKind::Video,
        "aac" | "amr" | "mp3" | "m4a" | "ogg" => MessageKind::Audio,
        _ => MessageKind::Document,
    }
}

/// The id of a file uploaded to Meta: `{"id":"…"}`.
pub fn uploaded_file_id(answer: &[u8]) -> Option<String> {
    let answer: Value = serde_json::from_slice(answer).ok()?;
    let id = answer.get("id")?.as_str()?.trim();
    (!id.is_empty() && id.len() <= domain::message::PROVIDER_REFERENCE_MAX_CHARS).then(|| id.to_string())
}

/// Where a customer's file can be downloaded for a few minutes, and what Meta says it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileAddress {
    pub url: String,
    pub content_type: Option<String>,
    pub size: Option<u64>,
}

/// The answer of `GET /<media id>`.
pub fn file_address(answer: &[u8]) -> Option<FileAddress> {
    let answer: Value = serde_json::from_slice(answer).ok()?;
    let url = answer.get("url")?.as_str()?.trim().to_string();
    let size = match answer.get("file_size") {
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    };
    let content_type = answer.get("mime_type").and_then(Value::as_str).map(str::to_string);
    // Plain HTTP too: tests and on-premises proxies of the Graph API answer over it.
    let scheme = url.get(..8).unwrap_or(&url).to_ascii_lowercase();
    (scheme.starts_with("https://") || scheme.starts_with("http://")).then_some(FileAddress { url, content_type, size })
}

/// Why Meta refused a call, and whether trying again later may succeed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub code: Option<i64>,
    /// Meta's words, with its code: what the agent reads.
    pub words: String,
    pub transient: bool,
}

/// Meta's codes that refuse the line itself, whatever the message: its token expired or lost its
/// permissions, the business account is locked or unpaid, the number is not registered or is
/// blocked. Until one of them is mended, nothing the line sends goes out.
const LINE_CODES: &[i64] = &[0, 3, 10, 190, 200, 368, 131031, 131042, 131045, 133010];

impl Refusal {
    /// Meta refuses the line itself, not this message (W15).
    pub fn refuses_the_line(&self) -> bool {
        self.code.is_some_and(|code| LINE_CODES.contains(&code))
    }
}

/// Meta's codes that mean "not now": rate limits, a service down for a while.
const TRANSIENT_CODES: &[i64] = &[1, 2, 4, 17, 341, 80007, 130429, 131000, 131016, 131056, 133004];

/// Reads a refused call's answer (`{"error":{"code":…,"message":…,"error_data":{"details":…}}}`).
pub fn refusal(status: u16, answer: &[u8]) -> Refusal {
    let error = serde_json::from_slice::<Value>(answer).ok().and_then(|v| v.get("error").cloned());
    let code = error.as_ref().and_then(|e| e.get("code")).and_then(Value::as_i64);
    let message = error.as_ref().and_then(|e| e.get("message")).and_then(Value::as_str).unwrap_or_default();
    let details =
        error.as_ref().and_then(|e| e.pointer("/error_data/details")).and_then(Value::as_str).unwrap_or_default();
    let words = match (code, message.trim(), details.trim()) {
        (Some(code), "", "") => format!("WhatsApp refused the message (code {code}, HTTP {status})"),
        (Some(code), message, "") => format!("{code}: {message}"),
        (Some(code), message, details) => format!("{code}: {message} ({details})"),
        (None, _, _) => format!("WhatsApp answered HTTP {status}"),
    };
    let transient = status == 429 || status >= 500 || code.is_some_and(|c| TRANSIENT_CODES.contains(&c));
    Refusal { code, words: clip(&words, domain::message::REASON_MAX_CHARS), transient }
}

/// The code Meta answers for free text outside the 24-hour window.
pub const OUTSIDE_THE_WINDOW: i64 = 131047;

#[cfg(test)]
mod tests {
    use super::*;

    fn choices(labels: &[&str]) -> Vec<Choice> {
        labels.iter().enumerate().map(|(i, l)| Choice { answer: (i + 1).to_string(), label: l.to_string() }).collect()
    }

    #[test]
    fn a_menu_is_buttons_then_a_list_then_text_as_it_fits() {
        let menu = |labels: &[&str]| {
            let choices = choices(labels);
            message_body("34600", &Outgoing::Menu { text: "Pick one", choices: &choices, list_button: "Options" })
                .unwrap()
        };
        let three = menu(&["Sales", "Help", "Other"]);
        assert_eq!(three["interactive"]["type"], "button");
        assert_eq!(three["interactive"]["action"]["buttons"][2]["reply"], json!({ "id": "3", "title": "Other" }));
        let four = menu(&["Sales", "Help", "Other", "Back"]);
        assert_eq!(four["interactive"]["type"], "list");
        assert_eq!(four["interactive"]["action"]["sections"][0]["rows"][3], json!({ "id": "4", "title": "Back" }));
        let long_title = menu(&["Twenty-two characters.", "B"]);
        assert_eq!(long_title["interactive"]["type"], "list", "over 20 but within 24");
        let too_long = menu(&["A label of more than twenty-four", "B"]);
        assert_eq!(too_long["type"], "text");
        let eleven: Vec<String> = (1..=11).map(|n| format!("Option {n}")).collect();
        let eleven: Vec<&str> = eleven.iter().map(String::as_str).collect();
        assert_eq!(menu(&eleven)["type"], "text");
        assert_eq!(menu(&eleven)["text"]["body"], "Pick one");
    }

    #[test]
    fn what_meta_would_refuse_is_not_built() {
        let long = "x".repeat(TEXT_MAX_CHARS + 1);
        assert_eq!(message_body("1", &Outgoing::Text { text: &long, quoted: None }), Err(Unsendable::TextTooLong));
        assert_eq!(message_body("1", &Outgoing::Text { text: "  ", quoted: None }), Err(Unsendable::Empty));
        let off = Location { latitude: 91.0, longitude: 0.0, name: None, address: None };
        assert_eq!(message_body("1", &Outgoing::Location(&off)), Err(Unsendable::LocationOffTheMap));
        let caption = "c".repeat(CAPTION_MAX_CHARS + 1);
        let file = Outgoing::File {
            kind: MessageKind::Image,
            source: FileSource::Uploaded("9".into()),
            caption: &caption,
            filename: None,
        };
        assert_eq!(message_body("1", &file), Err(Unsendable::CaptionTooLong));
    }

    #[test]
    fn refusals_say_meta_s_words_and_whether_to_try_again() {
        let outside = br#"{"error":{"message":"(#131047) Re-engagement message","type":"OAuthException","code":131047,"error_data":{"messaging_product":"whatsapp","details":"Message failed to send because more than 24 hours have passed since the customer last replied to this number."}}}"#;
        let refused = refusal(400, outside);
        assert_eq!(refused.code, Some(OUTSIDE_THE_WINDOW));
        assert!(!refused.transient);
        assert!(refused.words.contains("24 hours"), "{}", refused.words);
        assert!(refusal(500, b"").transient);
        assert!(refusal(429, b"<html>").transient);
        assert!(refusal(400, br#"{"error":{"code":130429,"message":"Rate limit hit"}}"#).transient);
        assert!(!refusal(400, br#"{"error":{"code":100,"message":"Invalid parameter"}}"#).transient);
        assert_eq!(refusal(502, b"").words, "WhatsApp answered HTTP 502");
    }

    #[test]
    fn answers_are_read_or_refused_never_trusted() {
        assert_eq!(sent_message_id(br#"{"messages":[{"id":"wamid.1"}]}"#), Some("wamid.1".into()));
        assert_eq!(sent_message_id(br#"{"messages":[]}"#), None);
        assert_eq!(sent_message_id(b"not json"), None);
        let fixture = include_bytes!("../../tests/fixtures/whatsapp_cloud/media_retrieve_url_response.json");
        let address = file_address(fixture).unwrap();
        assert!(address.url.starts_with("https://lookaside.fbsbx.com/"));
        assert_eq!((address.content_type.as_deref(), address.size), (Some("image/jpeg"), Some(303_833)));
        assert_eq!(file_address(br#"{"url":"file:///etc/passwd"}"#), None);
        assert_eq!(file_address(br#"{"url":"javascript:alert(1)"}"#), None);
    }
}
