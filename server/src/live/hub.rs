//! Pushes read-model changes to browsers: once the read models show a batch of the log, each
//! change is offered to the connections it concerns — the company's supervisors and auditors, and the one
//! agent a chat or a working state belongs to — and their open pages refetch.

use crate::caller::Caller;
use crate::live::directory::Directory;
use domain::agent::AgentEvent;
use domain::chat::ChatEvent;
use domain::internal_chat::InternalChatEvent;
use domain::line::LineEvent;
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
use tokio::sync::mpsc;
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LiveChange {
    pub company_id: Uuid,
    pub topic: &'static str,
    /// The agent the change belongs to, when it belongs to one.
    pub agent: Option<Uuid>,
    /// The chat that changed, for the customer in it (the widget's visitors).
    pub chat: Option<String>,
    /// A chat came to wait in a queue or left it: every agent's inbox shows their queues' waiting
    /// chats. (Only the topic goes out; each page asks for what its agent may read. What a waiting
    /// chat's customer writes meanwhile shows with the next change, not pushed to every agent.)
    pub waiting: bool,
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
            Role::Agent => self.topic == "queues" || self.waiting || self.agent == Some(caller.user_id.as_uuid()),
        }
    }
}

/// How often a live connection checks that its session is still open when nothing changes.
const SESSION_CHECK: Duration = Duration::from_secs(30);

/// Says `{"topic": "connected"}` on `socket`, then `{"topic": …}` (as `topic_of` names it) for
/// every change the hub offers the listener, until the socket closes, or until `ended` says its session ended (asked
/// with each change, and every [`SESSION_CHECK`] with none); then it closes the socket.
pub async fn push_changes(
    changes: &mut Listener,
    socket: &mut WebSocket,
    topic_of: impl Fn(&LiveChange) -> &'static str,
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
                Some(change) if ended(Some(&change)) => {
                    let _ = socket.send(Message::Close(None)).await;
                    break;
                }
                Some(change) => {
                    if socket.send(say(topic_of(&change))).await.is_err() {
                        break;
                    }
                }
                None => break,
            },
            received = socket.recv() => match received {
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
                Some(Ok(_)) => {}
            },
        }
    }
}

/// The person an event's `field` names.
fn person(event: &RecordedEvent, field: &str) -> Option<Uuid> {
    event.data.get(field).and_then(|a| a.as_str()).and_then(|a| a.parse().ok())
}

/// Who a live connection listens for: the customer in one chat (a widget's visitor), or a
/// signed-in person of a company.
pub enum Audience {
    Chat(String),
    Person(Caller),
}

/// Changes a connection has not taken yet beyond which newer ones are dropped for it (its page
/// refetches on the next one; a connection that slow is behind anyway).
const LISTENER_BACKLOG: usize = 64;

/// The changes offered to one connection, as they come; it is offered none once dropped.
pub struct Listener {
    changes: mpsc::Receiver<LiveChange>,
    _registration: Registration,
}

impl Listener {
    /// The next change for this connection; `None` once the hub is gone.
    pub async fn recv(&mut self) -> Option<LiveChange> {
        self.changes.recv().await
    }
}

enum Place {
    Chat(String),
    Company(Uuid),
}

/// Takes its connection off the hub's lists when dropped.
struct Registration {
    id: u64,
    place: Place,
    listeners: Arc<Mutex<Listeners>>,
}

impl Drop for Registration {
    fn drop(&mut self) {
        let mut listeners = self.listeners.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        match &self.place {
            Place::Chat(chat) => forget(&mut listeners.by_chat, chat, |(id, _)| *id == self.id),
            Place::Company(company) => forget(&mut listeners.by_company, company, |(id, _, _)| *id == self.id),
        }
    }
}

/// Takes the listener `is_it` finds off `key`'s list, and the list once it is empty.
fn forget<K: std::hash::Hash + Eq, V>(lists: &mut HashMap<K, Vec<V>>, key: &K, is_it: impl Fn(&V) -> bool) {
    if let Some(list) = lists.get_mut(key) {
        list.retain(|listener| !is_it(listener));
        if list.is_empty() {
            lists.remove(key);
        }
    }
}

/// The open connections, by what they listen for: a change is offered only to the connections of
/// its chat and of its company, never to every connection of the node.
#[derive(Default)]
struct Listeners {
    next: u64,
    by_chat: HashMap<String, Vec<(u64, mpsc::Sender<LiveChange>)>>,
    by_company: HashMap<Uuid, Vec<(u64, Caller, mpsc::Sender<LiveChange>)>>,
}

#[derive(Clone, Default)]
pub struct LiveHub {
    listeners: Arc<Mutex<Listeners>>,
    /// Each chat's agent, so that a message in a chat reaches the agent who has it.
    chat_agents: Arc<Mutex<HashMap<String, Uuid>>>,
    /// The chats waiting in a queue.
    waiting_chats: Arc<Mutex<BTreeSet<String>>>,
    /// Told when lines or keys change, whichever node changed them.
    directory: Directory,
}

impl LiveHub {
    /// The lines and keys kept in memory, forgotten as the log shows them change.
    pub fn directory(&self) -> Directory {
        self.directory.clone()
    }

    /// Starts offering a connection the changes its audience follows.
    pub fn listen(&self, audience: Audience) -> Listener {
        let (sender, changes) = mpsc::channel(LISTENER_BACKLOG);
        let mut listeners = self.listeners.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        listeners.next += 1;
        let id = listeners.next;
        let place = match audience {
            Audience::Chat(chat) => {
                listeners.by_chat.entry(chat.clone()).or_default().push((id, sender));
                Place::Chat(chat)
            }
            Audience::Person(caller) => {
                let company = caller.company_id.as_uuid();
                listeners.by_company.entry(company).or_default().push((id, caller, sender));
                Place::Company(company)
            }
        };
        Listener { changes, _registration: Registration { id, place, listeners: self.listeners.clone() } }
    }

    /// Offers a change to the connections it concerns: its chat's customer, and the people of its
    /// company whose pages show it or whose session it ended.
    fn offer(&self, change: &LiveChange) {
        let listeners = self.listeners.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let in_chat = change.chat.as_ref().and_then(|chat| listeners.by_chat.get(chat)).into_iter().flatten();
        for (_, sender) in in_chat {
            let _ = sender.try_send(change.clone());
        }
        for (_, caller, sender) in listeners.by_company.get(&change.company_id).into_iter().flatten() {
            if change.concerns(caller) || change.ended_session == Some(caller.session_id) {
                let _ = sender.try_send(change.clone());
            }
        }
    }

    /// The change an event makes to the pages, if any page shows it.
    fn change_of(&self, event: &RecordedEvent) -> Option<LiveChange> {
        let company_id = event.metadata.company_id;
        let mut chat = None;
        let mut ended_session = None;
        let mut waiting = false;
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
            | AgentEvent::WENT_OFFLINE => ("agents", person(event, "agent")),
            // The one a message is for, and the one who read (their other pages).
            // Whether a line can send: every supervisor's pages warn of a line that cannot (W15).
            LineEvent::SENDING_FAILED | LineEvent::SENDING_RESTORED => ("lines", None),
            InternalChatEvent::MESSAGE_SENT => ("internal", person(event, "to")),
            InternalChatEvent::READ => ("internal", person(event, "by")),
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
                let mut queued = self.waiting_chats.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                waiting = match kind {
                    ChatEvent::CHAT_QUEUED => {
                        queued.insert(event.stream.clone());
                        true
                    }
                    ChatEvent::CHAT_ASSIGNED | ChatEvent::CHAT_RESOLVED => queued.remove(&event.stream),
                    // Not every message of a waiting chat: each would reach every agent's page.
                    _ => false,
                };
                chat = Some(event.stream.clone());
                ("chats", agent)
            }
            _ => return None,
        };
        Some(LiveChange { company_id, topic, agent, chat, ended_session, waiting })
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
                    self.offer(&change);
                }
                after = last;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}
