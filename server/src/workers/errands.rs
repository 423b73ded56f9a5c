//! The bot's errands outside (M1, M17): queries to web services and e-mails of customers'
//! answers, as the chats asked for them. Only the leading node runs them; each runs once per node
//! (at least once overall: a query or e-mail whose outcome was never recorded is run again after a
//! restart), and its outcome is recorded on the chat, which ignores a second one.

use crate::clock::Clock;
use crate::error::AppError;
use crate::metrics::Metrics;
use crate::outbound::{AllowedHosts, OutboundError, TenantHttp};

use crate::workers::follower::Follower;
use crate::workers::leader::Leadership;
use crate::write::command::{decide_and_append, CommandContext};
use domain::chat::{chat_stream, Chat, ChatCommand, ChatEvent, WebOutcome};
use domain::errand::WebRequest;
use domain::event::decode;
use domain::ids::{ChatId, CompanyId};
use eventlog::{EventLog, Position, RecordedEvent};
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

/// The most of a service's answer that is read; a longer answer is a failure.
const ANSWER_MAX_BYTES: usize = 256 * 1024;

/// How many redirects a web query follows, each to an address checked like the first.
const REDIRECTS: usize = 3;

/// Something the bot is to do outside, for a chat.
#[derive(Clone, Debug)]
enum Errand {
    Query { request: WebRequest },
    Email { to: String, subject: String, body: String },
}

#[derive(Clone, Debug)]
struct Pending {
    chat_id: ChatId,
    company_id: CompanyId,
    errand: Errand,
}

/// Where e-mails go out, as configured.
#[derive(Clone)]
pub struct Mailer {
    transport: Option<AsyncSmtpTransport<Tokio1Executor>>,
    from: String,
}

impl Mailer {
    /// A mailer for `url` (none: every e-mail fails, saying so).
    pub fn new(url: Option<&str>, from: &str) -> Result<Self, String> {
        let transport = match url {
            Some(url) => Some(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| format!("the SMTP URL is not valid: {e}"))?
                    .timeout(Some(Duration::from_secs(20)))
                    .build(),
            ),
            None => None,
        };
        from.parse::<Mailbox>().map_err(|e| format!("the sender `{from}` is not an e-mail address: {e}"))?;
        Ok(Self { transport, from: from.to_string() })
    }

    async fn send(&self, to: &str, subject: &str, body: &str) -> Result<(), String> {
        let transport = self.transport.as_ref().ok_or("no SMTP server is configured (IKONO_SMTP_URL / --smtp-url)")?;
        let from: Mailbox = self.from.parse().map_err(|e| format!("the sender is not valid: {e}"))?;
        let to: Mailbox = to.parse().map_err(|e| format!("`{to}` is not an e-mail address: {e}"))?;
        let message = Message::builder()
            .from(from)
            .to(to)
            .subject(subject)
            .body(body.to_string())
            .map_err(|e| format!("the e-mail could not be written: {e}"))?;
        transport.send(message).await.map(|_| ()).map_err(|e| format!("the SMTP server refused it: {e}"))
    }
}

pub struct Errands {
    /// When outcomes are recorded.
    clock: Arc<dyn Clock>,
    log: Arc<dyn EventLog>,
    metrics: Arc<Metrics>,
    leadership: Leadership,
    /// Web queries go where the tenant's menu says, so only to public addresses.
    http: TenantHttp,
    mailer: Mailer,
    position: Position,
    /// Requested and not yet recorded as done or failed, by errand id.
    pending: BTreeMap<Uuid, Pending>,
    /// Started by this node; their outcome is on its way through the log.
    started: HashSet<Uuid>,
}

impl Errands {
    pub fn new(
        log: Arc<dyn EventLog>,
        metrics: Arc<Metrics>,
        leadership: Leadership,
        mailer: Mailer,
        allowed: AllowedHosts,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            log,
            metrics,
            leadership,
            clock,
            http: TenantHttp::new(allowed, REDIRECTS),
            mailer,
            position: Position::default(),
            pending: BTreeMap::new(),
            started: HashSet::new(),
        }
    }

    fn learn_event(&mut self, event: &RecordedEvent) -> Result<(), AppError> {
        let interesting = matches!(
            event.event_type.as_str(),
            ChatEvent::WEB_QUERY_REQUESTED
                | ChatEvent::WEB_QUERY_ANSWERED
                | ChatEvent::WEB_QUERY_FAILED
                | ChatEvent::ANSWERS_EMAIL_REQUESTED
                | ChatEvent::ANSWERS_EMAILED
                | ChatEvent::ANSWERS_EMAIL_FAILED
        );
        if !interesting {
            return Ok(());
        }
        let company_id = CompanyId::from_uuid(event.metadata.company_id);
        match decode::<ChatEvent>(&event.event_type, event.metadata.schema_version, &event.data)? {
            ChatEvent::WebQueryRequested { chat_id, query_id, request, .. } => {
                self.pending.insert(query_id, Pending { chat_id, company_id, errand: Errand::Query { request } });
            }
            ChatEvent::AnswersEmailRequested { chat_id, email_id, to, subject, body, .. } => {
                let errand = Errand::Email { to, subject, body };
                self.pending.insert(email_id, Pending { chat_id, company_id, errand });
            }
            ChatEvent::WebQueryAnswered { query_id: id, .. }
            | ChatEvent::WebQueryFailed { query_id: id, .. }
            | ChatEvent::AnswersEmailed { email_id: id, .. }
            | ChatEvent::AnswersEmailFailed { email_id: id, .. } => {
                self.pending.remove(&id);
                self.started.remove(&id);
            }
            _ => {}
        }
        Ok(())
    }

    /// On the leading node, starts every errand not started yet; each runs on its own, so a slow
    /// service keeps nobody else waiting.
    async fn start_errands(&mut self) {
        let waiting: Vec<(Uuid, Pending)> = self
            .pending
            .iter()
            .filter(|(id, _)| !self.started.contains(id))
            .map(|(id, pending)| (*id, pending.clone()))
            .collect();
        if waiting.is_empty() || !self.leadership.try_lead().await {
            return;
        }
        for (id, pending) in waiting {
            self.started.insert(id);
            let (log, metrics, http, mailer, clock) =
                (self.log.clone(), self.metrics.clone(), self.http.clone(), self.mailer.clone(), self.clock.clone());
            tokio::spawn(async move {
                let command = match &pending.errand {
                    Errand::Query { request } => ChatCommand::RecordWebAnswer {
                        query_id: id,
                        outcome: query(&http, request).await,
                        at: clock.now(),
                    },
                    Errand::Email { to, subject, body } => {
                        let failure = mailer.send(to, subject, body).await.err();
                        ChatCommand::RecordEmail { email_id: id, failure, at: clock.now() }
                    }
                };
                let mut context = CommandContext::system(pending.company_id, clock.now());
                context.causation_id = Some(id);
                let stream = chat_stream(pending.chat_id);
                let recorded = decide_and_append::<Chat>(log.as_ref(), &metrics, &context, &stream, &command).await;
                if let Err(error) = recorded {
                    tracing::warn!(%error, errand = %id, "the outcome of an errand could not be recorded");
                }
            });
        }
    }
}

#[async_trait::async_trait]
impl Follower for Errands {
    type Error = AppError;
    const NAME: &'static str = "errands";

    fn log(&self) -> Arc<dyn EventLog> {
        self.log.clone()
    }

    fn position(&mut self) -> &mut Position {
        &mut self.position
    }

    fn learn(&mut self, event: &RecordedEvent) -> Result<(), AppError> {
        self.learn_event(event)
    }

    async fn act(&mut self) -> Result<(), AppError> {
        self.start_errands().await;
        Ok(())
    }
}

/// Makes a web query; a 2xx answer's body, or why not in words an agent may read.
async fn query(http: &TenantHttp, request: &WebRequest) -> WebOutcome {
    let Ok(method) = reqwest::Method::from_bytes(request.method.as_bytes()) else {
        return WebOutcome::Failed { reason: format!("`{}` is not an HTTP method", request.method) };
    };
    let deadline = Duration::from_millis(u64::from(request.timeout_ms));
    let answer = async {
        let mut call = http.request(method, &request.url, deadline)?;
        for (name, value) in &request.headers {
            call = call.header(name, value);
        }
        if let Some(body) = &request.body {
            let json = serde_json::from_str::<serde_json::Value>(body).is_ok();
            if json && !request.headers.keys().any(|name| name.eq_ignore_ascii_case("content-type")) {
                call = call.header("content-type", "application/json");
            }
            call = call.body(body.clone());
        }
        let response = http.send(call, deadline).await?;
        let status = response.status().as_u16();
        let body = http.read_capped(response, ANSWER_MAX_BYTES, deadline).await?;
        Ok::<_, OutboundError>(WebOutcome::Answered { status, body: String::from_utf8_lossy(&body).into_owned() })
    };
    answer.await.unwrap_or_else(|failure| WebOutcome::Failed { reason: failure.to_string() })
}
