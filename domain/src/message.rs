//! What a message can carry, whatever the channel it came by: its kind, a file the channel holds
//! for us, where a customer is, the contact cards they share, and how far one of our messages got.

use serde::{Deserialize, Serialize};

pub const LOCATION_TEXT_MAX_CHARS: usize = 500;
pub const CONTACT_CARDS_MAX: usize = 20;
pub const CARD_PHONES_MAX: usize = 10;
pub const CARD_TEXT_MAX_CHARS: usize = 200;
pub const PROVIDER_REFERENCE_MAX_CHARS: usize = 512;
pub const REASON_MAX_CHARS: usize = 500;

/// The longest reaction: one emoji may take several characters (skin tones, joiners).
pub const EMOJI_MAX_CHARS: usize = 16;

/// Whether `id` can be a channel's id of something (a message, a file, a tapped option).
pub fn is_reference(id: &str) -> bool {
    !id.trim().is_empty() && id.chars().count() <= PROVIDER_REFERENCE_MAX_CHARS && !id.chars().any(char::is_control)
}

/// Whether `emoji` can be a reaction.
pub fn is_emoji(emoji: &str) -> bool {
    !emoji.trim().is_empty() && emoji.chars().count() <= EMOJI_MAX_CHARS && !emoji.chars().any(char::is_control)
}

/// What a customer's message is, as the agent's page shows it and the bot reads it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    #[default]
    Text,
    Image,
    Video,
    Audio,
    /// A recorded voice note (played inline like audio, marked as spoken).
    Voice,
    Document,
    Sticker,
    Location,
    Contacts,
    /// A kind the channel sent that we do not know: kept and shown as "unsupported message".
    Unsupported,
    /// One of the company's approved templates (G3), its text the body as the customer read it.
    Template,
}

impl MessageKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::Text => "text",
            MessageKind::Image => "image",
            MessageKind::Video => "video",
            MessageKind::Audio => "audio",
            MessageKind::Voice => "voice",
            MessageKind::Document => "document",
            MessageKind::Sticker => "sticker",
            MessageKind::Location => "location",
            MessageKind::Contacts => "contacts",
            MessageKind::Unsupported => "unsupported",
            MessageKind::Template => "template",
        }
    }

    /// Whether a message of this kind carries a file.
    pub fn has_file(self) -> bool {
        matches!(
            self,
            MessageKind::Image
                | MessageKind::Video
                | MessageKind::Audio
                | MessageKind::Voice
                | MessageKind::Document
                | MessageKind::Sticker
        )
    }
}

/// A file the channel keeps until we fetch it (WhatsApp's media id), with what the channel says
/// of it. The message is stored at once; the file follows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProviderFile {
    pub id: String,
    pub content_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filename: Option<String>,
}

/// Where a customer is, or a place they chose (C6).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Location {
    pub latitude: f64,
    pub longitude: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

impl Location {
    /// Coordinates on the globe and texts of a sensible length.
    pub fn is_valid(&self) -> bool {
        let text_ok = |text: &Option<String>| {
            text.as_ref()
                .is_none_or(|t| t.chars().count() <= LOCATION_TEXT_MAX_CHARS && !t.chars().any(char::is_control))
        };
        self.latitude.is_finite()
            && self.longitude.is_finite()
            && (-90.0..=90.0).contains(&self.latitude)
            && (-180.0..=180.0).contains(&self.longitude)
            && text_ok(&self.name)
            && text_ok(&self.address)
    }

    /// A map link with the coordinates, for people and for channels without locations.
    pub fn map_link(&self) -> String {
        format!("https://www.openstreetmap.org/?mlat={0}&mlon={1}#map=17/{0}/{1}", self.latitude, self.longitude)
    }
}

/// A contact card a customer shared.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactCard {
    pub name: String,
    #[serde(default)]
    pub phones: Vec<String>,
}

/// Whether shared cards are within their limits.
pub fn cards_are_valid(cards: &[ContactCard]) -> bool {
    let text_ok = |t: &str| t.chars().count() <= CARD_TEXT_MAX_CHARS && !t.chars().any(char::is_control);
    cards.len() <= CONTACT_CARDS_MAX
        && cards.iter().all(|card| {
            text_ok(&card.name) && card.phones.len() <= CARD_PHONES_MAX && card.phones.iter().all(|p| text_ok(p))
        })
}

/// What a channel's message carries besides its text and its file's address: its kind, the file
/// the channel keeps for us, a place, contact cards, the message it quotes (C4, C5) and the
/// option it tapped (C7).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Content {
    #[serde(default)]
    pub kind: MessageKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<ProviderFile>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cards: Vec<ContactCard>,
    /// The channel's id of the message this one quotes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quoted: Option<String>,
    /// The answer behind the button or list row the customer tapped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub choice: Option<String>,
}

impl Content {
    /// A plain text: nothing beyond it.
    pub fn is_plain(&self) -> bool {
        *self == Content::default()
    }

    /// Whether the message says something without a text: a file, a place, cards, or a kind we
    /// keep without knowing it.
    pub fn speaks_without_text(&self) -> bool {
        self.file.is_some()
            || self.location.is_some()
            || !self.cards.is_empty()
            || self.kind == MessageKind::Unsupported
    }

    /// Within the limits every part has.
    pub fn is_valid(&self) -> bool {
        let file_ok = self.file.as_ref().is_none_or(|file| {
            is_reference(&file.id)
                && file.content_type.chars().count() <= 200
                && file
                    .filename
                    .as_ref()
                    .is_none_or(|name| name.chars().count() <= 255 && !name.chars().any(char::is_control))
        });
        file_ok
            && self.location.as_ref().is_none_or(Location::is_valid)
            && cards_are_valid(&self.cards)
            && self.quoted.as_deref().is_none_or(is_reference)
            && self.choice.as_deref().is_none_or(is_reference)
    }
}

/// How far one of our messages got, as the channel reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    Sent,
    Delivered,
    Read,
    /// A voice note or video was played.
    Played,
    Failed,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Sent => "sent",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Read => "read",
            DeliveryStatus::Played => "played",
            DeliveryStatus::Failed => "failed",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Sent, Self::Delivered, Self::Read, Self::Played, Self::Failed]
            .into_iter()
            .find(|status| status.as_str() == raw.trim().to_ascii_lowercase())
    }

    /// Reports arrive in any order: the furthest a message got stands. A failure stands over a
    /// message only sent (or not yet reported); a message delivered did not fail after all.
    pub fn merge(current: Option<Self>, reported: Self) -> Self {
        use DeliveryStatus::{Failed, Sent};
        match (current, reported) {
            (None, reported) => reported,
            (Some(Failed), Sent) | (Some(Sent), Failed) => Failed,
            (Some(Failed), reported) => reported,
            (Some(current), Failed) => current,
            (Some(current), reported) => current.max(reported),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use DeliveryStatus::*;

    #[test]
    fn the_furthest_status_stands_whatever_the_order_reports_arrive_in() {
        let all = [Sent, Delivered, Read, Played, Failed];
        // Every order of every pair, and every order of the four successes.
        for a in all {
            for b in all {
                let ab = DeliveryStatus::merge(Some(DeliveryStatus::merge(None, a)), b);
                let ba = DeliveryStatus::merge(Some(DeliveryStatus::merge(None, b)), a);
                assert_eq!(ab, ba, "{a:?} then {b:?} against {b:?} then {a:?}");
            }
        }
        assert_eq!(DeliveryStatus::merge(Some(Read), Delivered), Read);
        assert_eq!(DeliveryStatus::merge(Some(Delivered), Sent), Delivered);
        assert_eq!(DeliveryStatus::merge(Some(Sent), Failed), Failed);
        assert_eq!(DeliveryStatus::merge(Some(Failed), Sent), Failed);
        assert_eq!(DeliveryStatus::merge(Some(Failed), Read), Read);
        assert_eq!(DeliveryStatus::merge(Some(Read), Failed), Read);
        assert_eq!(DeliveryStatus::merge(Some(Played), Read), Played);
    }

    #[test]
    fn a_plain_text_is_stored_as_before_and_parts_are_checked() {
        assert!(Content::default().is_plain());
        assert_eq!(serde_json::to_value(Content::default()).unwrap(), serde_json::json!({ "kind": "text" }));
        let place = Content {
            kind: MessageKind::Location,
            location: Some(Location { latitude: 1.0, longitude: 2.0, name: None, address: None }),
            ..Content::default()
        };
        assert!(place.is_valid() && place.speaks_without_text() && !place.is_plain());
        let quoting_nothing = Content { quoted: Some("  ".into()), ..Content::default() };
        assert!(!quoting_nothing.is_valid());
        let too_many = Content {
            cards: vec![ContactCard { name: "x".into(), phones: vec![] }; CONTACT_CARDS_MAX + 1],
            ..Content::default()
        };
        assert!(!too_many.is_valid());
    }

    #[test]
    fn statuses_are_read_by_their_names() {
        assert_eq!(DeliveryStatus::parse(" READ "), Some(Read));
        assert_eq!(DeliveryStatus::parse("deleted"), None);
    }

    #[test]
    fn a_location_is_on_the_globe() {
        let at = |latitude, longitude| Location { latitude, longitude, name: None, address: None };
        assert!(at(37.46, -122.21).is_valid());
        for (lat, long) in [(90.1, 0.0), (0.0, -180.5), (f64::NAN, 0.0), (0.0, f64::INFINITY)] {
            assert!(!at(lat, long).is_valid(), "{lat} {long}");
        }
        let named = Location { name: Some("x".repeat(LOCATION_TEXT_MAX_CHARS + 1)), ..at(1.0, 1.0) };
        assert!(!named.is_valid());
        assert!(at(1.5, -2.25).map_link().contains("mlat=1.5&mlon=-2.25"));
    }
}
