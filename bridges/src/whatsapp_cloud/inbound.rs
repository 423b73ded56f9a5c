//! What Meta posts to a line's callback: customers' messages, reactions, the statuses of our
//! messages, templates' approval and customers' marketing preferences, read from the raw body
//! after its signature was checked.
//!
//! Meta's format is read leniently (any field may be missing, unknown fields are ignored), so that
//! one odd message never costs the others of its delivery: a message we cannot place is reported
//! as [`Update::Unreadable`], a kind we do not know as a message of kind `unsupported`.

use super::limits::{clip, TEXT_MAX_CHARS};
use chrono::{DateTime, Utc};
use domain::message::{
    ContactCard, DeliveryStatus, Location, MessageKind, ProviderFile, CARD_PHONES_MAX, CONTACT_CARDS_MAX,
};
use serde::Deserialize;
use serde_json::Value;

/// A customer's message.
#[derive(Clone, Debug, PartialEq)]
pub struct CustomerMessage {
    /// Which of the business's numbers received it: the line.
    pub phone_number_id: String,
    /// The customer's WhatsApp id (their number, digits only).
    pub from: String,
    /// The name on the customer's profile.
    pub name: Option<String>,
    /// Meta's id of the message (`wamid…`): a delivery repeated carries the same.
    pub id: String,
    pub at: Option<DateTime<Utc>>,
    pub kind: MessageKind,
    /// The text, a file's caption, a tapped button's title, or what an unsupported kind was.
    pub text: String,
    pub file: Option<ProviderFile>,
    pub location: Option<Location>,
    pub cards: Vec<ContactCard>,
    /// The message this one quotes (Meta's id).
    pub quoted: Option<String>,
    /// The id of the button or list row the customer tapped: the answer the bot offered with it.
    pub choice: Option<String>,
}

/// A customer's reaction to a message: `emoji` `None` when they took it back.
#[derive(Clone, Debug, PartialEq)]
pub struct CustomerReaction {
    pub phone_number_id: String,
    pub from: String,
    pub name: Option<String>,
    pub id: String,
    /// Meta's id of the message reacted to.
    pub to: String,
    pub emoji: Option<String>,
    pub at: Option<DateTime<Utc>>,
}

/// How far one of our messages got.
#[derive(Clone, Debug, PartialEq)]
pub struct StatusReport {
    pub phone_number_id: String,
    /// Meta's id of our message, as its send answered.
    pub message: String,
    /// The customer it was sent to.
    pub recipient: String,
    pub status: DeliveryStatus,
    pub at: Option<DateTime<Utc>>,
    /// Why it failed, as Meta says it (code and words).
    pub failure: Option<String>,
}

/// What Meta decided about a template the company submitted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateReport {
    /// Meta's id of the template.
    pub template_id: String,
    pub name: String,
    pub language: String,
    /// `APPROVED`, `REJECTED`, `PENDING`, `PAUSED`, `DISABLED`… as Meta writes it.
    pub event: String,
    /// Why, for a rejection: Meta's reason and its explanation.
    pub reason: Option<String>,
}

/// A customer stopped or resumed marketing messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MarketingPreference {
    pub phone_number_id: String,
    pub from: String,
    pub given: bool,
    pub at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Update {
    Message(Box<CustomerMessage>),
    Reaction(CustomerReaction),
    Status(StatusReport),
    Template(TemplateReport),
    Marketing(MarketingPreference),
    /// Something in the delivery we cannot place (no id, no sender…), and why.
    Unreadable(String),
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ParseError {
    #[error("the body is not JSON: {0}")]
    NotJson(String),
    #[error("this is not a WhatsApp Business Account notification")]
    NotWhatsapp,
}

#[derive(Deserialize)]
struct Envelope {
    #[serde(default)]
    object: String,
    #[serde(default)]
    entry: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    #[serde(default)]
    changes: Vec<Change>,
}

#[derive(Deserialize)]
struct Change {
    #[serde(default)]
    field: String,
    #[serde(default)]
    value: Value,
}

/// Every update of a notification, in the order Meta wrote them.
pub fn parse(body: &[u8]) -> Result<Vec<Update>, ParseError> {
    let envelope: Envelope = serde_json::from_slice(body).map_err(|e| ParseError::NotJson(e.to_string()))?;
    if envelope.object != "whatsapp_business_account" {
        return Err(ParseError::NotWhatsapp);
    }
    let mut updates = Vec::new();
    for change in envelope.entry.iter().flat_map(|entry| &entry.changes) {
        match change.field.as_str() {
            "messages" => messages(&change.value, &mut updates),
            "message_template_status_update" => updates.push(template(&change.value)),
            "user_preferences" => preferences(&change.value, &mut updates),
            // Quality and category changes of templates, account notices: nothing of a chat's.
            _ => {}
        }
    }
    Ok(updates)
}

fn text_at(value: &Value, pointer: &str) -> Option<String> {
    match value.pointer(pointer)? {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

fn nonempty(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().to_string()).filter(|t| !t.is_empty())
}

/// Meta's timestamps are Unix seconds, written as a string or a number.
fn time_at(value: &Value, pointer: &str) -> Option<DateTime<Utc>> {
    text_at(value, pointer)?.trim().parse::<i64>().ok().and_then(|seconds| DateTime::from_timestamp(seconds, 0))
}

fn messages(value: &Value, updates: &mut Vec<Update>) {
    let phone_number_id = text_at(value, "/metadata/phone_number_id").unwrap_or_default();
    // The profile names of the senders, by their WhatsApp id.
    let name_of = |wa_id: &str| -> Option<String> {
        value.get("contacts")?.as_array()?.iter().find_map(|contact| {
            (text_at(contact, "/wa_id").as_deref() == Some(wa_id))
                .then(|| nonempty(text_at(contact, "/profile/name")))
                .flatten()
        })
    };
    let value_errors = error_words(value.get("errors"));
    for message in value.get("messages").and_then(Value::as_array).into_iter().flatten() {
        let (Some(id), Some(from)) = (nonempty(text_at(message, "/id")), nonempty(text_at(message, "/from"))) else {
            updates.push(Update::Unreadable("a message without its id or its sender".into()));
            continue;
        };
        let name = name_of(&from).map(|n| clip(&n, TEXT_MAX_CHARS));
        let at = time_at(message, "/timestamp");
        let kind = text_at(message, "/type").unwrap_or_default();
        if kind == "reaction" {
            let Some(to) = nonempty(text_at(message, "/reaction/message_id")) else {
                updates.push(Update::Unreadable(format!("reaction {id} names no message")));
                continue;
            };
            let emoji = nonempty(text_at(message, "/reaction/emoji")).map(|e| clip(&e, 32));
            updates.push(Update::Reaction(CustomerReaction {
                phone_number_id: phone_number_id.clone(),
                from,
                name,
                id,
                to,
                emoji,
                at,
            }));
            continue;
        }
        let forwarded = message.pointer("/context/forwarded").and_then(Value::as_bool).unwrap_or(false);
        let quoted = nonempty(text_at(message, "/context/id")).filter(|_| !forwarded);
        let mut read = content(&kind, message);
        if read.kind == MessageKind::Unsupported && read.text.is_empty() {
            read.text = error_words(message.get("errors"))
                .or_else(|| value_errors.clone())
                .unwrap_or_else(|| format!("({})", clip(&kind, 40)));
        }
        updates.push(Update::Message(Box::new(CustomerMessage {
            phone_number_id: phone_number_id.clone(),
            from,
            name,
            id,
            at,
            kind: read.kind,
            text: clip(&read.text, TEXT_MAX_CHARS),
            file: read.file,
            location: read.location,
            cards: read.cards,
            quoted,
            choice: read.choice,
        })));
    }
    for status in value.get("statuses").and_then(Value::as_array).into_iter().flatten() {
        updates.push(status_report(&phone_number_id, status));
    }
}

/// What a message carries, by its type.
struct Content {
    kind: MessageKind,
    text: String,
    file: Option<ProviderFile>,
    location: Option<Location>,
    cards: Vec<ContactCard>,
    choice: Option<String>,
}

impl Content {
    fn of(kind: MessageKind, text: String) -> Self {
        Content { kind, text, file: None, location: None, cards: Vec::new(), choice: None }
    }

    fn unsupported(what: &str) -> Self {
        Content::of(MessageKind::Unsupported, what.to_string())
    }
}

fn content(kind: &str, message: &Value) -> Content {
    match kind {
        "text" => match text_at(message, "/text/body") {
            Some(body) => Content::of(MessageKind::Text, body),
            None => Content::unsupported(""),
        },
        "image" | "video" | "audio" | "document" | "sticker" => file_content(kind, message),
        "location" => {
            let coordinate = |name: &str| message.pointer(&format!("/location/{name}")).and_then(Value::as_f64);
            let (Some(latitude), Some(longitude)) = (coordinate("latitude"), coordinate("longitude")) else {
                return Content::unsupported("a location without its coordinates");
            };
            let location = Location {
                latitude,
                longitude,
                name: nonempty(text_at(message, "/location/name")),
                address: nonempty(text_at(message, "/location/address")),
            };
            if !location.is_valid() {
                return Content::unsupported("a location off the map");
            }
            Content { location: Some(location), ..Content::of(MessageKind::Location, String::new()) }
        }
        "contacts" => {
            let cards = message
                .get("contacts")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .take(CONTACT_CARDS_MAX)
                .map(|card| ContactCard {
                    name: clip(&nonempty(text_at(card, "/name/formatted_name")).unwrap_or_default(), 200),
                    phones: card
                        .get("phones")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .filter_map(|phone| nonempty(text_at(phone, "/phone")))
                        .map(|phone| clip(&phone, 200))
                        .take(CARD_PHONES_MAX)
                        .collect(),
                })
                .collect();
            Content { cards, ..Content::of(MessageKind::Contacts, String::new()) }
        }
        "interactive" => {
            let tapped = ["button_reply", "list_reply"].iter().find_map(|reply| {
                let id = nonempty(text_at(message, &format!("/interactive/{reply}/id")))?;
                let title = text_at(message, &format!("/interactive/{reply}/title")).unwrap_or_else(|| id.clone());
                Some((id, title))
            });
            match tapped {
                Some((id, title)) => Content { choice: Some(clip(&id, 256)), ..Content::of(MessageKind::Text, title) },
                None => Content::unsupported(""),
            }
        }
        // A template's quick-reply button.
        "button" => match nonempty(text_at(message, "/button/payload")) {
            Some(payload) => Content {
                choice: Some(clip(&payload, 256)),
                ..Content::of(MessageKind::Text, text_at(message, "/button/text").unwrap_or_else(|| payload.clone()))
            },
            None => Content::unsupported(""),
        },
        "system" => Content::unsupported(&text_at(message, "/system/body").unwrap_or_default()),
        _ => Content::unsupported(""),
    }
}

fn file_content(kind: &str, message: &Value) -> Content {
    let field = |name: &str| text_at(message, &format!("/{kind}/{name}"));
    let Some(id) = nonempty(field("id")) else {
        return Content::unsupported("a file without its id");
    };
    let kind = match kind {
        "image" => MessageKind::Image,
        "video" => MessageKind::Video,
        "audio" if message.pointer("/audio/voice").and_then(Value::as_bool) == Some(true) => MessageKind::Voice,
        "audio" => MessageKind::Audio,
        "sticker" => MessageKind::Sticker,
        _ => MessageKind::Document,
    };
    let file = ProviderFile {
        id: clip(&id, domain::message::PROVIDER_REFERENCE_MAX_CHARS),
        content_type: clip(&field("mime_type").unwrap_or_default(), 200),
        filename: nonempty(field("filename")).map(|name| clip(&name, 255)),
    };
    Content { file: Some(file), ..Content::of(kind, field("caption").unwrap_or_default()) }
}

/// Meta's errors as words: "code: title (details)", each.
fn error_words(errors: Option<&Value>) -> Option<String> {
    let words: Vec<String> = errors?
        .as_array()?
        .iter()
        .map(|error| {
            let code = text_at(error, "/code").unwrap_or_default();
            let title = text_at(error, "/title").or_else(|| text_at(error, "/message")).unwrap_or_default();
            match nonempty(text_at(error, "/error_data/details")) {
                Some(details) if details != title => format!("{code}: {title} ({details})"),
                _ => format!("{code}: {title}"),
            }
        })
        .collect();
    (!words.is_empty()).then(|| clip(&words.join("; "), domain::message::REASON_MAX_CHARS))
}

fn status_report(phone_number_id: &str, status: &Value) -> Update {
    let (Some(message), Some(reported)) = (nonempty(text_at(status, "/id")), text_at(status, "/status")) else {
        return Update::Unreadable("a status without its message or its status".into());
    };
    let Some(reported) = DeliveryStatus::parse(&reported) else {
        return Update::Unreadable(format!("status {} of {message} is not one we know", clip(&reported, 40)));
    };
    Update::Status(StatusReport {
        phone_number_id: phone_number_id.to_string(),
        message,
        recipient: text_at(status, "/recipient_id").unwrap_or_default(),
        status: reported,
        at: time_at(status, "/timestamp"),
        failure: error_words(status.get("errors")),
    })
}

fn template(value: &Value) -> Update {
    let (Some(template_id), Some(event)) =
        (nonempty(text_at(value, "/message_template_id")), nonempty(text_at(value, "/event")))
    else {
        return Update::Unreadable("a template's status without its id or its event".into());
    };
    let reason = nonempty(text_at(value, "/reason")).filter(|r| r != "NONE");
    let explained = nonempty(text_at(value, "/rejection_info/reason"));
    let reason = match (reason, explained) {
        (Some(code), Some(words)) => Some(format!("{code}: {words}")),
        (code, words) => code.or(words),
    };
    Update::Template(TemplateReport {
        template_id,
        name: text_at(value, "/message_template_name").unwrap_or_default(),
        language: text_at(value, "/message_template_language").unwrap_or_default(),
        event,
        reason: reason.map(|r| clip(&r, domain::message::REASON_MAX_CHARS)),
    })
}

fn preferences(value: &Value, updates: &mut Vec<Update>) {
    let phone_number_id = text_at(value, "/metadata/phone_number_id").unwrap_or_default();
    for preference in value.get("user_preferences").and_then(Value::as_array).into_iter().flatten() {
        if text_at(preference, "/category").as_deref() != Some("marketing_messages") {
            continue;
        }
        let given = match text_at(preference, "/value").as_deref() {
            Some("stop") => false,
            Some("resume" | "signup") => true,
            _ => continue,
        };
        let Some(from) = nonempty(text_at(preference, "/wa_id")) else {
            updates.push(Update::Unreadable("a marketing preference without its customer".into()));
            continue;
        };
        updates.push(Update::Marketing(MarketingPreference {
            phone_number_id: phone_number_id.clone(),
            from,
            given,
            at: time_at(preference, "/timestamp"),
        }));
    }
}
