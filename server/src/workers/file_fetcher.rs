//! Customers' files a channel keeps for us (WhatsApp's media ids), fetched and kept here by their
//! content, so that agents see them (C1). The message was stored at once; its file follows. A
//! failed fetch is recorded on the message with when it is tried again, later each time; a file
//! that can never come (too large, of a kind we do not keep, gone) is given up with the reason.
//! Only the leading node fetches; times are the business clock's, so tests drive the retries.

use crate::clock::Clock;
use crate::error::AppError;
use crate::meta_api::{self, Channels, WhatsappLines};
use crate::metrics::Metrics;
use crate::outbound::{AllowedHosts, TenantHttp};
use crate::services::media::{keep, MEDIA_MAX_BYTES};
use crate::workers::follower::Follower;
use crate::workers::leader::Leadership;
use crate::write::command::{decide_and_append, CommandContext};
use chrono::{DateTime, Duration, Utc};
use domain::chat::{chat_stream, Chat, ChatCommand, ChatEvent, FileFetch};
use domain::event::decode;
use domain::ids::{ChatId, CompanyId, LineId};
use domain::line::LineEvent;
use domain::message::ProviderFile;
use eventlog::{EventLog, EventLogError, Position, RecordedEvent};
use projections::store::ReadStore;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// The waits before each new attempt, in minutes; after the last, the file is given up.
const RETRY_MINUTES: [i64; 5] = [1, 4, 16, 64, 256];
/// Files fetched at once.
const AT_ONCE: usize = 8;

#[derive(Debug, thiserror::Error)]
pub enum FileFetchError {
    #[error(transparent)]
    Log(#[from] EventLogError),
    #[error(transparent)]
    App(#[from] AppError),
}

/// A file to fetch, and when.
#[derive(Clone, Debug)]
struct Waiting {
    file: ProviderFile,
    line: LineId,
    company: CompanyId,
    /// Attempts made so far.
    attempts: u32,
    due: DateTime<Utc>,
}

pub struct FileFetcher {
    clock: Arc<dyn Clock>,
    log: Arc<dyn EventLog>,
    metrics: Arc<Metrics>,
    leadership: Leadership,
    store: ReadStore,
    meta: reqwest::Client,
    tenant: TenantHttp,
    position: Position,
    linked: WhatsappLines,
    chats: HashMap<ChatId, (LineId, CompanyId)>,
    /// By chat and the customer's message id.
    waiting: BTreeMap<(ChatId, String), Waiting>,
}

/// When attempt `attempts + 1` is made after `attempts` failed, or none: given up.
fn retry_after(attempts: u32, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let index = usize::try_from(attempts).ok()?.checked_sub(1)?;
    RETRY_MINUTES.get(index).map(|minutes| now + Duration::minutes(*minutes))
}

impl FileFetcher {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        log: Arc<dyn EventLog>,
        metrics: Arc<Metrics>,
        leadership: Leadership,
        store: ReadStore,
        allowed: AllowedHosts,
        clock: Arc<dyn Clock>,
        channels: Channels,
    ) -> Self {
        Self {
            clock,
            log,
            metrics,
            leadership,
            store,
            meta: meta_api::client(),
            tenant: TenantHttp::new(allowed, 0),
            position: Position::default(),
            linked: WhatsappLines::new(channels),
            chats: HashMap::new(),
            waiting: BTreeMap::new(),
        }
    }

    fn learn_event(&mut self, event: &RecordedEvent) -> Result<(), FileFetchError> {
        let version = event.metadata.schema_version;
        if LineEvent::NAMES.contains(&event.event_type.as_str()) {
            let line = decode::<LineEvent>(&event.event_type, version, &event.data).map_err(AppError::from)?;
            self.linked.learn(&line);
            return Ok(());
        }
        let reads = [
            ChatEvent::CHAT_STARTED,
            ChatEvent::CUSTOMER_MESSAGE_RECEIVED,
            ChatEvent::CUSTOMER_FILE_KEPT,
            ChatEvent::CUSTOMER_FILE_FETCH_FAILED,
        ];
        if !reads.contains(&event.event_type.as_str()) {
            return Ok(());
        }
        match decode::<ChatEvent>(&event.event_type, version, &event.data).map_err(AppError::from)? {
            ChatEvent::Started { chat_id, line_id, company_id, .. } => {
                self.chats.insert(chat_id, (line_id, company_id));
            }
            ChatEvent::CustomerMessageReceived { chat_id, message_id, content, at, .. } => {
                let (Some(file), Some((line, company))) = (content.file, self.chats.get(&chat_id)) else {
                    return Ok(());
                };
                let waiting = Waiting { file, line: *line, company: *company, attempts: 0, due: at };
                self.waiting.insert((chat_id, message_id), waiting);
            }
            ChatEvent::FileKept { chat_id, message_id, .. } => {
                self.waiting.remove(&(chat_id, message_id));
            }
            ChatEvent::FileFetchFailed { chat_id, message_id, attempt, retry_at, .. } => match retry_at {
                Some(due) => {
                    if let Some(waiting) = self.waiting.get_mut(&(chat_id, message_id)) {
                        (waiting.attempts, waiting.due) = (attempt, due);
                    }
                }
                None => {
                    self.waiting.remove(&(chat_id, message_id));
                }
            },
            _ => {}
        }
        Ok(())
    }

    /// On the leading node, fetches the files due now, a few at once.
    async fn fetch_due(&mut self) -> Result<(), FileFetchError> {
        let now = self.clock.now();
        let due: Vec<((ChatId, String), Waiting)> = self
            .waiting
            .iter()
            .filter(|(_, waiting)| waiting.due <= now && self.linked.route(waiting.line).is_some())
            .take(AT_ONCE)
            .map(|(key, waiting)| (key.clone(), waiting.clone()))
            .collect();
        if !due.is_empty() && self.leadership.try_lead().await {
            let fetches = due.iter().map(|((chat, message), waiting)| self.fetch_one(*chat, message, waiting, now));
            for (((chat, message), waiting), outcome) in due.iter().zip(futures::future::join_all(fetches).await) {
                outcome?;
                // Until the log shows the outcome, the file is not fetched again.
                match self.waiting.get_mut(&(*chat, message.clone())) {
                    Some(left) if left.attempts == waiting.attempts => {
                        left.due = retry_after(waiting.attempts + 1, now).unwrap_or(DateTime::<Utc>::MAX_UTC);
                    }
                    _ => {}
                }
            }
        }
        self.metrics.timers_checked(Self::NAME, now);
        Ok(())
    }

    async fn fetch_one(
        &self,
        chat: ChatId,
        message_id: &str,
        waiting: &Waiting,
        now: DateTime<Utc>,
    ) -> Result<(), FileFetchError> {
        let Some(route) = self.linked.route(waiting.line) else { return Ok(()) };
        let fetched = meta_api::fetch_file(&self.meta, &self.tenant, route, &waiting.file.id, MEDIA_MAX_BYTES).await;
        let company = waiting.company.to_string();
        let outcome = match fetched {
            Ok((bytes, content_type)) => {
                let content_type = content_type.unwrap_or_else(|| waiting.file.content_type.clone());
                match keep(&self.store, &company, &content_type, &bytes).await {
                    Ok(media) => FileFetch::Kept { media },
                    Err(AppError::Internal(reason)) => return Err(AppError::Internal(reason).into()),
                    Err(refused) => {
                        FileFetch::Failed { attempt: waiting.attempts + 1, reason: refused.to_string(), retry_at: None }
                    }
                }
            }
            Err(refusal) => {
                let attempt = waiting.attempts + 1;
                let retry_at = if refusal.transient { retry_after(attempt, now) } else { None };
                tracing::warn!(%chat, reason = %refusal.words, ?retry_at, "a customer's file could not be fetched");
                FileFetch::Failed { attempt, reason: refusal.words, retry_at }
            }
        };
        let context = CommandContext::system(waiting.company, now);
        let command = ChatCommand::RecordFileFetch { message_id: message_id.to_string(), outcome, at: now };
        decide_and_append::<Chat>(self.log.as_ref(), &self.metrics, &context, &chat_stream(chat), &command).await?;
        Ok(())
    }
}

#[async_trait::async_trait]
impl Follower for FileFetcher {
    type Error = FileFetchError;
    const NAME: &'static str = "file fetcher";

    fn log(&self) -> Arc<dyn EventLog> {
        self.log.clone()
    }

    fn position(&mut self) -> &mut Position {
        &mut self.position
    }

    fn learn(&mut self, event: &RecordedEvent) -> Result<(), FileFetchError> {
        self.learn_event(event)
    }

    async fn act(&mut self) -> Result<(), FileFetchError> {
        self.fetch_due().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_attempt_waits_longer_and_the_sixth_failure_gives_up() {
        let now = DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap();
        let waits: Vec<Option<i64>> = (1..=6).map(|n| retry_after(n, now).map(|at| (at - now).num_minutes())).collect();
        assert_eq!(waits, [Some(1), Some(4), Some(16), Some(64), Some(256), None]);
        assert_eq!(retry_after(0, now), None);
    }
}
