//! Outbound delivery: every message to a customer (an agent's reply, the bot's words, menus and
//! files) goes out by its line's route — POSTed to an API line's webhook, signed with
//! HMAC-SHA256, or sent through Meta's API for a WhatsApp Cloud line — and the outcome is recorded
//! on the chat, with the provider's id of the message when it gives one. Only the leading node
//! delivers.
//!
//! The call carries `X-Ikono-Timestamp` (Unix seconds) and `X-Ikono-Signature: sha256=<hex>`, the
//! HMAC of `<timestamp>.<body>` under the line's webhook secret. A message may arrive more than
//! once (a retry, a restart before its outcome was recorded): every copy carries the same
//! `message_id`, on which receivers deduplicate.
//!
//! Each line has its own sender with a bounded queue, so a slow or silent webhook delays only its
//! own line, in order; redirects are not followed and only public addresses are reached. Meta's
//! transient refusals (rate limits, its own errors) are tried again after a while; a permanent
//! one (outside the 24-hour window, a number not on WhatsApp) is given up with Meta's words.
//! A WhatsApp number's messages go out at most [`WHATSAPP_PER_SECOND`] a second.

use crate::clock::{machine_time, Clock};
use crate::error::AppError;
use crate::metrics::Metrics;
use crate::outbound::{AllowedHosts, OutboundError, TenantHttp};

use crate::meta_api::{self, Channels, WhatsappLines, WhatsappRoute};
use crate::services::media;
use crate::workers::follower::Follower;
use crate::workers::leader::Leadership;
use crate::write::command::{decide_and_append, CommandContext};
use bridges::whatsapp_cloud::outbound::{link_kind, message_body, uploadable, FileSource, Outgoing, Refusal};
use chrono::{DateTime, Utc};
use domain::chat::{chat_stream, Chat, ChatCommand, ChatEvent};
use domain::event::decode;
use domain::ids::{ChatId, LineId};
use domain::line::{line_stream, Line, LineCommand, LineEvent, Webhook};
use domain::menu::Choice;
use domain::message::MessageKind;
use domain::template::SentTemplate;
use eventlog::{EventLog, EventLogError, Position, RecordedEvent};
use hmac::{Hmac, Mac};
use projections::store::ReadStore;
use serde::Serialize;
use sha2::Sha256;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;
use uuid::Uuid;

const ATTEMPTS: u32 = 3;
/// How long one call may take, its answer included.
const CALL_DEADLINE: Duration = Duration::from_secs(10);
/// Messages handed to a line's sender and not yet sent; the rest wait their turn in `pending`.
const LINE_QUEUE: usize = 64;
/// Meta takes 80 messages a second from one number (its "throughput"); we stay within it.
pub const WHATSAPP_PER_SECOND: u64 = 80;
/// The label of the button that opens a list of the bot's options on WhatsApp.
const LIST_BUTTON: &str = "Opciones · Options";

/// How a line's messages reach its customers.
#[derive(Clone, Debug)]
enum Route {
    Webhook(Webhook),
    WhatsappCloud(WhatsappRoute),
}

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
    /// The channel's id of the message this one quotes (C4).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quoted: Option<String>,
    /// A place the agent shares (C6).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<domain::message::Location>,
    /// The agent's reaction to a message (the channel's id of it); `emoji` none takes it back.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reaction: Option<OutboundReaction>,
    /// The approved template this message is (G3): `text` is its body, filled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template: Option<SentTemplate>,
    pub sent_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Serialize)]
pub struct OutboundReaction {
    pub to: String,
    pub emoji: Option<String>,
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
    http: TenantHttp,
    meta: reqwest::Client,
    store: ReadStore,
    uploads: Uploads,
    position: Position,
    webhooks: HashMap<LineId, Webhook>,
    /// Lines linked to a provider's account: their messages go there, not to a webhook.
    linked: WhatsappLines,
    chats: HashMap<ChatId, ChatLine>,
    /// Messages not yet delivered nor given up, in the order they were written.
    pending: BTreeMap<Position, OutboundMessage>,
    /// Handed to their line's sender by this node: sent, or their record is on its way. A sender
    /// that could not record an outcome takes its message out, to be sent again.
    started: Arc<Mutex<HashSet<Uuid>>>,
    /// Each line's sender.
    senders: HashMap<LineId, mpsc::Sender<Parcel>>,
}

/// A message for its line's sender, with what recording its outcome needs.
struct Parcel {
    message: OutboundMessage,
    route: Route,
    company_id: Uuid,
}

/// What every line's sender shares.
#[derive(Clone)]
struct Sending {
    clock: Arc<dyn Clock>,
    log: Arc<dyn EventLog>,
    metrics: Arc<Metrics>,
    http: TenantHttp,
    meta: reqwest::Client,
    /// Where the company's files are kept, for those sent to WhatsApp.
    store: ReadStore,
    uploads: Uploads,
    started: Arc<Mutex<HashSet<Uuid>>>,
}

/// Our files already uploaded to a WhatsApp number, by (number, file): Meta's id of each and
/// when it was uploaded, so that a file sent twice is uploaded once while Meta keeps it.
type Uploads = Arc<Mutex<HashMap<(String, String), (String, MessageKind, tokio::time::Instant)>>>;
/// Meta keeps an uploaded file 30 days; it is uploaded again a little before.
const UPLOAD_KEPT: Duration = Duration::from_secs(29 * 24 * 3600);

impl Delivery {
    /// Webhooks are reached at public addresses and those `allowed`, without following redirects.
    pub fn new(
        log: Arc<dyn EventLog>,
        metrics: Arc<Metrics>,
        leadership: Leadership,
        allowed: AllowedHosts,
        clock: Arc<dyn Clock>,
        channels: Channels,
        store: ReadStore,
    ) -> Self {
        Self {
            log,
            metrics,
            leadership,
            clock,
            http: TenantHttp::new(allowed, 0),
            meta: meta_api::client(),
            store,
            uploads: Arc::default(),
            position: Position::default(),
            webhooks: HashMap::new(),
            linked: WhatsappLines::new(channels),
            chats: HashMap::new(),
            pending: BTreeMap::new(),
            started: Arc::default(),
            senders: HashMap::new(),
        }
    }

    /// Whether a line's messages have somewhere to go.
    fn has_route(&self, line: LineId) -> bool {
        self.linked.route(line).is_some() || self.webhooks.contains_key(&line)
    }

    /// Where a line's messages go now.
    fn route_of(&self, line: LineId) -> Option<Route> {
        match self.linked.route(line) {
            Some(whatsapp) => Some(Route::WhatsappCloud(whatsapp.clone())),
            None => self.webhooks.get(&line).cloned().map(Route::Webhook),
        }
    }

    fn learn_event(&mut self, event: &RecordedEvent) -> Result<(), DeliveryError> {
        let version = event.metadata.schema_version;
        if LineEvent::NAMES.contains(&event.event_type.as_str()) {
            match decode::<LineEvent>(&event.event_type, version, &event.data).map_err(AppError::from)? {
                LineEvent::Created { line_id, webhook: Some(webhook), .. }
                | LineEvent::WebhookSet { line_id, webhook: Some(webhook) } => {
                    self.webhooks.insert(line_id, webhook);
                }
                LineEvent::WebhookSet { line_id, webhook: None } => {
                    self.webhooks.remove(&line_id);
                }
                other => self.linked.learn(&other),
            }
            return Ok(());
        }
        if !event.stream.starts_with("chat-") {
            return Ok(());
        }
        // Only messages to lines with a route wait to be sent: the others have nowhere to go.
        let (webhooks, linked) = (&self.webhooks, &self.linked);
        let outbound = |chat_id: ChatId, message_id, author, text: String, at, chats: &HashMap<ChatId, ChatLine>| {
            let routed =
                |line: &&ChatLine| webhooks.contains_key(&line.line_id) || linked.route(line.line_id).is_some();
            chats.get(&chat_id).filter(routed).map(|line| OutboundMessage {
                chat_id,
                line_id: line.line_id,
                contact_id: line.contact_id.clone(),
                message_id,
                author,
                text,
                media: None,
                choices: Vec::new(),
                quoted: None,
                location: None,
                reaction: None,
                template: None,
                sent_at: at,
            })
        };
        match decode::<ChatEvent>(&event.event_type, version, &event.data).map_err(AppError::from)? {
            ChatEvent::Started { chat_id, line_id, contact_id, company_id, .. } => {
                self.chats.insert(chat_id, ChatLine { line_id, contact_id, company_id: company_id.as_uuid() });
            }
            ChatEvent::AgentReplied { chat_id, message_id, text, quoted, location, media, template, at, .. } => {
                if let Some(message) = outbound(chat_id, message_id, "agent", text, at, &self.chats) {
                    self.pending
                        .insert(event.position, OutboundMessage { quoted, location, media, template, ..message });
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
            ChatEvent::AgentReacted { chat_id, reaction_id, to, emoji, at, .. } => {
                if let Some(message) = outbound(chat_id, reaction_id, "agent", String::new(), at, &self.chats) {
                    let reaction = Some(OutboundReaction { to, emoji });
                    self.pending.insert(event.position, OutboundMessage { reaction, ..message });
                }
            }
            ChatEvent::BotSentFile { chat_id, message_id, text, media, at } => {
                if let Some(message) = outbound(chat_id, message_id, "bot", text, at, &self.chats) {
                    self.pending.insert(event.position, OutboundMessage { media: Some(media), ..message });
                }
            }
            ChatEvent::Delivered { message_id, .. } | ChatEvent::DeliveryFailed { message_id, .. } => {
                self.pending.retain(|_, message| message.message_id != message_id);
                self.started_ids().remove(&message_id);
            }
            _ => {}
        }
        Ok(())
    }

    fn started_ids(&self) -> std::sync::MutexGuard<'_, HashSet<Uuid>> {
        self.started.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// On the leading node, hands every pending message to its line's sender, in order, as far
    /// as the line's queue has room. Runs after every batch the log hands over, with hundreds of
    /// messages pending under load: only the positions are gathered, and a message is copied
    /// only when it is handed over.
    async fn deliver(&mut self) -> Result<(), DeliveryError> {
        let waiting: Vec<Position> = {
            let started = self.started_ids();
            self.pending
                .iter()
                .filter(|(_, m)| !started.contains(&m.message_id) && self.has_route(m.line_id))
                .map(|(position, _)| *position)
                .collect()
        };
        if waiting.is_empty() || !self.leadership.try_lead().await {
            return Ok(());
        }
        let mut full = HashSet::new();
        for position in waiting {
            let Some(message) = self.pending.get(&position) else { continue };
            if full.contains(&message.line_id) {
                continue;
            }
            let (Some(route), Some(line)) = (self.route_of(message.line_id), self.chats.get(&message.chat_id)) else {
                continue;
            };
            let message = message.clone();
            let parcel = Parcel { message: message.clone(), route, company_id: line.company_id };
            let sender = self.senders.entry(message.line_id).or_insert_with(|| {
                let (sender, queue) = mpsc::channel(LINE_QUEUE);
                let sending = Sending {
                    clock: self.clock.clone(),
                    log: self.log.clone(),
                    metrics: self.metrics.clone(),
                    http: self.http.clone(),
                    meta: self.meta.clone(),
                    store: self.store.clone(),
                    uploads: self.uploads.clone(),
                    started: self.started.clone(),
                };
                tokio::spawn(sending.line(queue));
                sender
            });
            match sender.try_send(parcel) {
                Ok(()) => {
                    self.started_ids().insert(message.message_id);
                }
                // The rest of this line waits for the next turn, keeping its order.
                Err(mpsc::error::TrySendError::Full(_)) => {
                    full.insert(message.line_id);
                }
                Err(mpsc::error::TrySendError::Closed(_)) => {
                    self.senders.remove(&message.line_id);
                    full.insert(message.line_id);
                }
            }
        }
        Ok(())
    }
}

impl Sending {
    /// Sends one line's messages one after the other, recording each outcome; a WhatsApp
    /// number's no faster than Meta takes them.
    async fn line(self, mut queue: mpsc::Receiver<Parcel>) {
        let mut next_send = tokio::time::Instant::now();
        // Whether the line may be recorded as unable to send: unknown at first, so the first
        // message out tells the line's history whether it sends again.
        let mut may_be_failing = true;
        while let Some(parcel) = queue.recv().await {
            let outcome = match &parcel.route {
                Route::Webhook(webhook) => self.send(webhook, &parcel.message).await.map(|()| None),
                Route::WhatsappCloud(route) => {
                    tokio::time::sleep_until(next_send).await;
                    next_send = tokio::time::Instant::now() + Duration::from_micros(1_000_000 / WHATSAPP_PER_SECOND);
                    let sent = self.send_whatsapp(route, &parcel).await;
                    let line = match &sent {
                        Err(refusal) if refusal.refuses_the_line() => Some(Err(refusal.words.clone())),
                        Ok(_) if may_be_failing => Some(Ok(())),
                        _ => None,
                    };
                    if let Some(line) = line {
                        may_be_failing = line.is_err();
                        if let Err(error) = self.record_line(&parcel, line).await {
                            tracing::warn!(%error, line = %parcel.message.line_id, "the line's state could not be recorded");
                            may_be_failing = true;
                        }
                    }
                    sent.map(Some).map_err(|refusal| refusal.words)
                }
            };
            if let Err(reason) = &outcome {
                tracing::warn!(message = %parcel.message.message_id, %reason, "a message could not be delivered");
            }
            if let Err(error) = self.record(&parcel, outcome).await {
                tracing::warn!(%error, message = %parcel.message.message_id, "a delivery could not be recorded");
                self.started
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .remove(&parcel.message.message_id);
            }
        }
    }

    async fn send(&self, webhook: &Webhook, message: &OutboundMessage) -> Result<(), String> {
        let body = serde_json::to_vec(message).map_err(|e| e.to_string())?;
        let mut last_failure = String::new();
        for attempt in 0..ATTEMPTS {
            if attempt > 0 {
                tokio::time::sleep(Duration::from_millis(250 * 4u64.pow(attempt - 1))).await;
            }
            let timestamp = machine_time().timestamp();
            let call = self.http.request(reqwest::Method::POST, &webhook.url, CALL_DEADLINE).map(|call| {
                call.header("content-type", "application/json")
                    .header("x-ikono-timestamp", timestamp.to_string())
                    .header("x-ikono-signature", format!("sha256={}", signature(&webhook.secret, timestamp, &body)))
                    .body(body.clone())
            });
            let outcome = match call {
                Ok(call) => self.http.send(call, CALL_DEADLINE).await.map(|_| ()),
                Err(refused) => Err(refused),
            };
            match outcome {
                Ok(()) => return Ok(()),
                // Neither changes by trying again.
                Err(refused @ (OutboundError::NotPublic | OutboundError::InvalidUrl | OutboundError::Redirected)) => {
                    return Err(format!("the webhook was not called: {refused}"))
                }
                Err(failure) => last_failure = format!("the webhook failed: {failure}"),
            }
        }
        Err(last_failure)
    }

    /// Sends through Meta: what Meta would refuse is given up before, a refusal that may pass
    /// later is tried again, and what Meta took answers its id of the message.
    async fn send_whatsapp(&self, route: &WhatsappRoute, parcel: &Parcel) -> Result<String, Refusal> {
        let message = &parcel.message;
        let kept = message.media.as_deref().and_then(|media| media.strip_prefix("/media/"));
        let to = message.contact_id.trim_start_matches('+');
        let mut last_failure = Refusal { code: None, words: String::new(), transient: true };
        for attempt in 0..ATTEMPTS {
            if attempt > 0 {
                tokio::time::sleep(Duration::from_millis(250 * 4u64.pow(attempt - 1))).await;
            }
            let uploaded = match kept {
                Some(file) => match self.uploaded(route, parcel.company_id, file).await {
                    Ok(uploaded) => Some(uploaded),
                    Err(refusal) if refusal.transient => {
                        last_failure = refusal;
                        continue;
                    }
                    Err(refusal) => return Err(refusal),
                },
                None => None,
            };
            let outgoing = whatsapp_outgoing(message, uploaded);
            let body = message_body(to, &outgoing).map_err(|refused| Refusal {
                code: None,
                words: refused.to_string(),
                transient: false,
            })?;
            match meta_api::send_message(&self.meta, route, &body).await {
                Ok(id) => return Ok(id),
                Err(refusal) if refusal.transient => last_failure = refusal,
                Err(refusal) => return Err(refusal),
            }
        }
        Err(last_failure)
    }

    /// Meta's id of one of the company's files on the line's number, and what WhatsApp takes it
    /// as: uploaded now, unless it was lately. A file that cannot be read now may be read on the
    /// next attempt; one that is not the company's, or that WhatsApp would refuse, is given up.
    async fn uploaded(
        &self,
        route: &WhatsappRoute,
        company: Uuid,
        file: &str,
    ) -> Result<(MessageKind, String), Refusal> {
        let key = (route.phone_number_id.clone(), file.to_string());
        let known = self.uploads.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(&key).cloned();
        if let Some((id, kind, _)) = known.filter(|(_, _, at)| at.elapsed() < UPLOAD_KEPT) {
            return Ok((kind, id));
        }
        let given_up = |words: String| Refusal { code: None, words, transient: false };
        let found = media::find(&self.store, &company.to_string(), file)
            .await
            .map_err(|error| Refusal {
                code: None,
                words: format!("the file could not be read: {error}"),
                transient: true,
            })?
            .ok_or_else(|| given_up("the file is not one of the company's".into()))?;
        let kind =
            uploadable(found.content_type, found.content.len()).map_err(|refused| given_up(refused.to_string()))?;
        let id = meta_api::upload_file(&self.meta, route, found.content_type, file, found.content).await?;
        let now = tokio::time::Instant::now();
        self.uploads.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(key, (id.clone(), kind, now));
        Ok((kind, id))
    }

    /// How the line's last send went, into its history when it changes whether the line sends.
    async fn record_line(&self, parcel: &Parcel, outcome: Result<(), String>) -> Result<(), DeliveryError> {
        let line_id = parcel.message.line_id;
        let context =
            CommandContext::new(parcel.company_id, domain::actor::Actor::System.to_string(), self.clock.now());
        let command = LineCommand::RecordSending { line_id, outcome, at: context.now };
        decide_and_append::<Line>(self.log.as_ref(), &self.metrics, &context, &line_stream(line_id), &command).await?;
        Ok(())
    }

    async fn record(&self, parcel: &Parcel, outcome: Result<Option<String>, String>) -> Result<(), DeliveryError> {
        let message = &parcel.message;
        let mut context =
            CommandContext::new(parcel.company_id, domain::actor::Actor::System.to_string(), self.clock.now());
        context.causation_id = Some(message.message_id);
        let command = ChatCommand::RecordDelivery { message_id: message.message_id, outcome, at: context.now };
        let stream = chat_stream(message.chat_id);
        decide_and_append::<Chat>(self.log.as_ref(), &self.metrics, &context, &stream, &command).await?;
        Ok(())
    }
}

/// What a message to a customer is on WhatsApp: a template, the bot's options as buttons or a
/// list, a file (`uploaded` to Meta, or by its public address), or a text.
fn whatsapp_outgoing(message: &OutboundMessage, uploaded: Option<(MessageKind, String)>) -> Outgoing<'_> {
    if let Some(template) = &message.template {
        return Outgoing::Template { name: &template.name, language: &template.language, parameters: &template.values };
    }
    if let Some((kind, id)) = uploaded {
        let filename = message.media.as_deref().and_then(domain::media::file_name);
        return Outgoing::File { kind, source: FileSource::Uploaded(id), caption: &message.text, filename };
    }
    if let Some(media) = &message.media {
        return Outgoing::File {
            kind: link_kind(media),
            source: FileSource::Link(media.clone()),
            caption: &message.text,
            filename: domain::media::file_name(media),
        };
    }
    if let Some(reaction) = &message.reaction {
        return Outgoing::Reaction { to: &reaction.to, emoji: reaction.emoji.as_deref() };
    }
    if let Some(place) = &message.location {
        return Outgoing::Location(place);
    }
    if !message.choices.is_empty() {
        return Outgoing::Menu { text: &message.text, choices: &message.choices, list_button: LIST_BUTTON };
    }
    Outgoing::Text { text: &message.text, quoted: message.quoted.as_deref() }
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
