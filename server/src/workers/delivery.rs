//! Outbound delivery: every message to a customer of an API line (an agent's reply, the bot's
//! word on their place in line) is POSTed to the line's webhook, signed with HMAC-SHA256, and
//! the outcome is recorded on the chat. Only the leading node delivers.
//!
//! The call carries `X-Ikono-Timestamp` (Unix seconds) and `X-Ikono-Signature: sha256=<hex>`, the
//! HMAC of `<timestamp>.<body>` under the line's webhook secret.

use crate::clock::{machine_time, Clock};
use crate::error::AppError;
use crate::metrics::Metrics;

use crate::workers::follower::Follower;
use crate::workers::leader::Leadership;
use crate::write::command::{decide_and_append, CommandContext};
use chrono::{DateTime, Utc};
use domain::chat::{chat_stream, Chat, ChatCommand, ChatEvent};
use domain::event::decode;
use domain::ids::{ChatId, LineId};
use domain::line::{LineEvent, Webhook};
use domain::menu::Choice;
use eventlog::{EventLog, EventLogError, Position, RecordedEvent};
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

const ATTEMPTS: u32 = 3;

/// What the line's webhook receives.
#[derive(Clone, Debug, Serialize)]
pub struct OutboundMessage {
    pub chat_id: ChatId,
    pub line_id: LineId,
    pub contact_id: String,
    pub message_id: Uuid,
    /// `agent` or `bot`.
    pub author: &'static str,
    pub text: String,
    /// The address of a file the bot sends (M18, M20).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media: Option<String>,
    /// The bot's options, for channels that show buttons (C7, M16): each `answer` is what to send
    /// back as the customer's text when they tap its `label`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<Choice>,
    pub sent_at: DateTime<Utc>,
}

struct ChatLine {
    line_id: LineId,
    contact_id: String,
    company_id: Uuid,
}

/// The signature of a webhook call: hex HMAC-SHA256 of `<timestamp>.<body>`.
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    #[error(transparent)]
    Log(#[from] EventLogError),
    #[error(transparent)]
    App(#[from] AppError),
}

pub struct Delivery {
    /// When deliveries are recorded.
    clock: Arc<dyn Clock>,
    log: Arc<dyn EventLog>,
    metrics: Arc<Metrics>,
    leadership: Leadership,
    http: reqwest::Client,
    position: Position,
    webhooks: HashMap<LineId, Webhook>,
    chats: HashMap<ChatId, ChatLine>,
    /// Messages not yet delivered nor given up, in the order they were written.
    pending: BTreeMap<Position, OutboundMessage>,
    /// Delivered or given up by this node; its record is on its way through the log.
    settled: HashSet<Uuid>,
}

impl Delivery {
    pub fn new(log: Arc<dyn EventLog>, metrics: Arc<Metrics>, leadership: Leadership, clock: Arc<dyn Clock>) -> Self {
        let http = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap_or_default();
        Self {
            log,
            metrics,
            leadership,
            clock,
            http,
            position: Position::default(),
            webhooks: HashMap::new(),
            chats: HashMap::new(),
            pending: BTreeMap::new(),
            settled: HashSet::new(),
        }
    }

    fn learn_event(&mut self, event: &RecordedEvent) -> Result<(), DeliveryError> {
        let version = event.metadata.schema_version;
        if event.event_type == LineEvent::CREATED {
            if let LineEvent::Created { line_id, webhook: Some(webhook), .. } =
                decode::<LineEvent>(&event.event_type, version, &event.data).map_err(AppError::from)?
            {
                self.webhooks.insert(line_id, webhook);
            }
            return Ok(());
        }
        if !event.stream.starts_with("chat-") {
            return Ok(());
        }
        // Only messages to lines with a webhook wait to be sent: the others have nowhere to go.
        let webhooks = &self.webhooks;
        let outbound = |chat_id: ChatId, message_id, author, text: String, at, chats: &HashMap<ChatId, ChatLine>| {
            chats.get(&chat_id).filter(|line| webhooks.contains_key(&line.line_id)).map(|line| OutboundMessage {
                chat_id,
                line_id: line.line_id,
                contact_id: line.contact_id.clone(),
                message_id,
                author,
                text,
                media: None,
                choices: Vec::new(),
                sent_at: at,
            })
        };
        match decode::<ChatEvent>(&event.event_type, version, &event.data).map_err(AppError::from)? {
            ChatEvent::Started { chat_id, line_id, contact_id, company_id, .. } => {
                self.chats.insert(chat_id, ChatLine { line_id, contact_id, company_id: company_id.as_uuid() });
            }
            ChatEvent::AgentReplied { chat_id, message_id, text, at, .. } => {
                if let Some(message) = outbound(chat_id, message_id, "agent", text, at, &self.chats) {
                    self.pending.insert(event.position, message);
                }
            }
            ChatEvent::WaitingPositionTold { chat_id, message_id, text, at, .. }
            | ChatEvent::BotSaid { chat_id, message_id, text, at }
            | ChatEvent::MenuReminderSent { chat_id, message_id, text, at } => {
                if let Some(message) = outbound(chat_id, message_id, "bot", text, at, &self.chats) {
                    self.pending.insert(event.position, message);
                }
            }
            ChatEvent::MenuShown { chat_id, message_id, text, choices, at, .. }
            | ChatEvent::InputRequested { chat_id, message_id, text, choices, at, .. }
            | ChatEvent::ConsentAsked { chat_id, message_id, text, choices, at } => {
                if let Some(message) = outbound(chat_id, message_id, "bot", text, at, &self.chats) {
                    self.pending.insert(event.position, OutboundMessage { choices, ..message });
                }
            }
            ChatEvent::BotSentFile { chat_id, message_id, text, media, at } => {
                if let Some(message) = outbound(chat_id, message_id, "bot", text, at, &self.chats) {
                    self.pending.insert(event.position, OutboundMessage { media: Some(media), ..message });
                }
            }
            ChatEvent::Delivered { message_id, .. } | ChatEvent::DeliveryFailed { message_id, .. } => {
                self.pending.retain(|_, message| message.message_id != message_id);
                self.settled.remove(&message_id);
            }
            _ => {}
        }
        Ok(())
    }

    /// On the leading node, sends every pending message whose line has a webhook.
    async fn deliver(&mut self) -> Result<(), DeliveryError> {
        let waiting: Vec<OutboundMessage> = self
            .pending
            .values()
            .filter(|m| !self.settled.contains(&m.message_id) && self.webhooks.contains_key(&m.line_id))
            .cloned()
            .collect();
        if waiting.is_empty() || !self.leadership.try_lead().await {
            return Ok(());
        }
        for message in waiting {
            let Some(webhook) = self.webhooks.get(&message.line_id).cloned() else { continue };
            let failure = self.send(&webhook, &message).await.err();
            if let Some(reason) = &failure {
                tracing::warn!(message = %message.message_id, %reason, "a message could not be delivered");
            }
            self.record(&message, failure).await?;
            self.settled.insert(message.message_id);
        }
        Ok(())
    }

    async fn send(&self, webhook: &Webhook, message: &OutboundMessage) -> Result<(), String> {
        let body = serde_json::to_vec(message).map_err(|e| e.to_string())?;
        let mut last_failure = String::new();
        for attempt in 0..ATTEMPTS {
            if attempt > 0 {
                tokio::time::sleep(Duration::from_millis(250 * 4u64.pow(attempt - 1))).await;
            }
            let timestamp = machine_time().timestamp();
            let outcome = self
                .http
                .post(&webhook.url)
                .header("content-type", "application/json")
                .header("x-ikono-timestamp", timestamp.to_string())
                .header("x-ikono-signature", format!("sha256={}", signature(&webhook.secret, timestamp, &body)))
                .body(body.clone())
                .send()
                .await;
            match outcome {
                Ok(response) if response.status().is_success() => return Ok(()),
                Ok(response) => last_failure = format!("the webhook answered {}", response.status()),
                Err(error) => last_failure = format!("the webhook could not be reached: {error}"),
            }
        }
        Err(last_failure)
    }

    async fn record(&self, message: &OutboundMessage, failure: Option<String>) -> Result<(), DeliveryError> {
        let Some(line) = self.chats.get(&message.chat_id) else { return Ok(()) };
        let mut context =
            CommandContext::new(line.company_id, domain::actor::Actor::System.to_string(), self.clock.now());
        context.causation_id = Some(message.message_id);
        let command = ChatCommand::RecordDelivery { message_id: message.message_id, failure, at: context.now };
        let stream = chat_stream(message.chat_id);
        decide_and_append::<Chat>(self.log.as_ref(), &self.metrics, &context, &stream, &command).await?;
        Ok(())
    }
}

#[async_trait::async_trait]
impl Follower for Delivery {
    type Error = DeliveryError;
    const NAME: &'static str = "delivery";

    fn log(&self) -> Arc<dyn EventLog> {
        self.log.clone()
    }

    fn position(&mut self) -> &mut Position {
        &mut self.position
    }

    fn learn(&mut self, event: &RecordedEvent) -> Result<(), DeliveryError> {
        self.learn_event(event)
    }

    async fn act(&mut self) -> Result<(), DeliveryError> {
        self.deliver().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_the_hmac_of_timestamp_and_body() {
        // RFC 4231-style check computed independently: HMAC-SHA256("key", "1.{}").
        let signed = signature("key", 1, b"{}");
        assert_eq!(signed.len(), 64);
        assert_ne!(signed, signature("key", 2, b"{}"));
        assert_ne!(signed, signature("other", 1, b"{}"));
        assert_eq!(
            signature("key", 1, b"The quick brown fox jumps over the lazy dog"),
            signature("key", 1, b"The quick brown fox jumps over the lazy dog")
        );
    }
}
