//! Pushes read-model changes to browsers: once the read models show a batch of the log, each
//! change is offered to the connections it concerns — the company's supervisors and auditors, and the one
//! agent a chat or a working state belongs to — and their open pages refetch.

use crate::caller::Caller;
use crate::live::directory::Directory;
use domain::agent::AgentEvent;
use domain::chat::ChatEvent;
use domain::queue::QueueEvent;
use domain::user::UserEvent;

use axum::extract::ws::{Message, WebSocket};
use domain::user::Role;
use eventlog::{EventLog, RecordedEvent};
use projections::lines::Lines;
use projections::{Projection, ProjectionRunner};
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::broadcast;
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LiveChange {
    pub company_id: Uuid,
    pub topic: &'static str,
    /// The agent the change belongs to, when it belongs to one.
    pub agent: Option<Uuid>,
    /// The chat that changed, for the customer in it (the widget's visitors).
    pub chat: Option<String>,
    /// The session that ended (a sign-out, a deactivation, a password change): its live
    /// connections close.
    pub ended_session: Option<Uuid>,
}

impl LiveChange {
    /// Whether this caller's pages show what changed.
    pub fn concerns(&self, caller: &Caller) -> bool {
        if self.company_id != caller.company_id.as_uuid() {
            return false;
        }
        match caller.role {
            Role::Supervisor | Role::Auditor => true,
            Role::Agent => self.topic == "queues" || self.agent == Some(caller.user_id.as_uuid()),
        }
    }
}

/// How often a live connection checks that its session is still open when nothing changes.
const SESSION_CHECK: Duration = Duration::from_secs(30);

/// Says `{"topic": "connected"}` on `socket`, then `{"topic": …}` for every change `topic_of`
/// names a topic for, until the socket closes, or until `ended` says its session ended (asked
/// with each change, and every [`SESSION_CHECK`] with none); then it closes the socket.
pub async fn push_changes(
    changes: &mut broadcast::Receiver<LiveChange>,
    socket: &mut WebSocket,
    topic_of: impl Fn(&LiveChange) -> Option<&'static str>,
    ended: impl Fn(Option<&LiveChange>) -> bool,
) {
    let say = |topic: &str| Message::Text(serde_json::json!({ "topic": topic }).to_string().into());
    if socket.send(say("connected")).await.is_err() {
        return;
    }
    let mut check = tokio::time::interval(SESSION_CHECK);
    loop {
        tokio::select! {
            _ = check.tick() => if ended(None) {
                let _ = socket.send(Message::Close(None)).await;
                break;
            },
            change = changes.recv() => match change {
                Ok(change) if ended(Some(&change)) => {
                    let _ = socket.send(Message::Close(None)).await;
                    break;
                }
                Ok(change) => {
                    if let Some(topic) = topic_of(&change) {
                        if socket.send(say(topic)).await.is_err() {
                            break;
                        }
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => break,
            },
            received = socket.recv() => match received {
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
                Some(Ok(_)) => {}
            },
        }
    }
}

#[derive(Clone)]
pub struct LiveHub {
    changes: broadcast::Sender<LiveChange>,
    /// Each chat's agent, so that a message in a chat reaches the agent who has it.
    chat_agents: Arc<Mutex<HashMap<String, Uuid>>>,
    /// Told when lines or keys change, whichever node changed them.
    directory: Directory,
}

impl Default for LiveHub {
    fn default() -> Self {
        let (changes, _) = broadcast::channel(4096);
        Self { changes, chat_agents: Arc::default(), directory: Directory::default() }
    }
}

impl LiveHub {
    /// The lines and keys kept in memory, forgotten as the log shows them change.
    pub fn directory(&self) -> Directory {
        self.directory.clone()
    }

    pub fn subscribe(&self) -> broadcast::Receiver<LiveChange> {
        self.changes.subscribe()
    }

    /// The change an event makes to the pages, if any page shows it.
    fn change_of(&self, event: &RecordedEvent) -> Option<LiveChange> {
        let company_id = event.metadata.company_id;
        let mut chat = None;
        let mut ended_session = None;
        let (topic, agent) = match event.event_type.as_str() {
            UserEvent::SESSION_ENDED => {
                ended_session = event.data.get("session_id").and_then(|s| s.as_str()).and_then(|s| s.parse().ok());
                ("session", None)
            }
            QueueEvent::CREATED
            | QueueEvent::RENAMED
            | QueueEvent::SETTINGS_CHANGED
            | QueueEvent::AGENT_ADDED
            | QueueEvent::AGENT_REMOVED => ("queues", None),
            AgentEvent::CAPACITY_SET
            | AgentEvent::PAUSED
            | AgentEvent::RESUMED
            | AgentEvent::CAME_ONLINE
            | AgentEvent::WENT_OFFLINE => {
                ("agents", event.data.get("agent").and_then(|a| a.as_str()).and_then(|a| a.parse().ok()))
            }
            kind if event.stream.starts_with("chat-") => {
                let mut agents = self.chat_agents.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                if kind == ChatEvent::CHAT_ASSIGNED {
                    if let Some(agent) = event.data.get("agent").and_then(|a| a.as_str()).and_then(|a| a.parse().ok()) {
                        agents.insert(event.stream.clone(), agent);
                    }
                }
                let agent = agents.get(&event.stream).copied();
                if matches!(kind, ChatEvent::CHAT_RESOLVED | ChatEvent::CHAT_QUEUED) {
                    agents.remove(&event.stream);
                }
                chat = Some(event.stream.clone());
                ("chats", agent)
            }
            _ => return None,
        };
        Some(LiveChange { company_id, topic, agent, chat, ended_session })
    }

    /// Follows the log from its head and offers each batch's changes once the read models show
    /// them (whichever node's runner applied them), so that a page refetching at once sees them.
    pub async fn follow(self, log: Arc<dyn EventLog>, read_models: Vec<Arc<ProjectionRunner>>) {
        let mut after = loop {
            match log.head().await {
                Ok(head) => break head,
                Err(error) => {
                    tracing::warn!(%error, "the live hub cannot read the log yet");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
            }
        };
        loop {
            let mut subscription = eventlog::subscribe_all(log.clone(), after);
            while let Some(Ok(batch)) = subscription.next_batch(500).await {
                let Some(last) = batch.last().map(|event| event.position) else { continue };
                for read_model in &read_models {
                    if let Err(error) = read_model.wait_for(last, Duration::from_secs(10)).await {
                        tracing::warn!(%error, "pushing a change before its read model shows it");
                    }
                }
                // The directory keeps what the lines' read model shows.
                if batch.iter().any(|event| Lines.reads(event)) {
                    self.directory.forget();
                }
                let changes: BTreeSet<LiveChange> = batch.iter().filter_map(|event| self.change_of(event)).collect();
                for change in changes {
                    let _ = self.changes.send(change);
                }
                after = last;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}
