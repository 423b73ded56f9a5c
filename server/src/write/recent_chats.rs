//! The states of the chats customers wrote to lately, as the inbound path last decided on them,
//! with the revision they were at: the next message is decided without reading the chat's
//! history again. What other writers append to a kept chat (the router's assignment, a timer, an
//! agent's reply, another node) is applied to it as the log shows it. Kept state may still be
//! stale (the log has not shown it yet); the append then fails on the revision, the state is
//! forgotten and the message is decided again on the history.

use domain::chat::{Chat, ChatEvent, ChatState};
use domain::decider::Decider;
use domain::event::decode;
use domain::ids::ChatId;
use eventlog::{EventLog, ExpectedRevision, RecordedEvent};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Beyond this many chats, all are forgotten and the keeping starts over.
const KEPT_MAX: usize = 100_000;

#[derive(Clone, Default)]
pub struct RecentChats {
    kept: Arc<Mutex<HashMap<ChatId, (ChatState, ExpectedRevision)>>>,
}

impl RecentChats {
    fn kept(&self) -> std::sync::MutexGuard<'_, HashMap<ChatId, (ChatState, ExpectedRevision)>> {
        self.kept.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn get(&self, chat: ChatId) -> Option<(ChatState, ExpectedRevision)> {
        self.kept().get(&chat).cloned()
    }

    /// Keeps a chat's state at `revision`, unless the log already showed a later one.
    pub fn keep(&self, chat: ChatId, state: ChatState, revision: ExpectedRevision) {
        let mut kept = self.kept();
        if let (Some((_, ExpectedRevision::Exact(known))), ExpectedRevision::Exact(new)) = (kept.get(&chat), revision) {
            if *known > new {
                return;
            }
        }
        if kept.len() >= KEPT_MAX {
            kept.clear();
        }
        kept.insert(chat, (state, revision));
    }

    pub fn forget(&self, chat: ChatId) {
        self.kept().remove(&chat);
    }

    /// Applies a chat's event to the chat's kept state, if kept: the next revision moves it on,
    /// a later one (an event missed) forgets it, an earlier one is already in it.
    fn learn(&self, event: &RecordedEvent) {
        let Some(chat) = event.stream.strip_prefix("chat-").and_then(|id| id.parse::<uuid::Uuid>().ok()) else {
            return;
        };
        let chat = ChatId::from_uuid(chat);
        let mut kept = self.kept();
        let Some((_, ExpectedRevision::Exact(revision))) = kept.get(&chat) else { return };
        if event.revision <= *revision {
            return;
        }
        let next = (event.revision == revision + 1)
            .then(|| decode::<ChatEvent>(&event.event_type, event.metadata.schema_version, &event.data).ok())
            .flatten();
        if let (Some(next), Some((state, _))) = (next, kept.remove(&chat)) {
            kept.insert(chat, (Chat::evolve(state, &next), ExpectedRevision::Exact(event.revision)));
        }
    }

    /// Follows the log from its head for ever, applying what any writer appends to kept chats.
    pub async fn follow(self, log: Arc<dyn EventLog>) {
        loop {
            let head = match log.head().await {
                Ok(head) => head,
                Err(error) => {
                    tracing::warn!(%error, "recent chats cannot read the log yet");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                    continue;
                }
            };
            // Whatever was kept may have missed what happened before this head.
            self.kept().clear();
            let mut subscription = eventlog::subscribe_all(log.clone(), head);
            while let Some(Ok(batch)) = subscription.next_batch(500).await {
                for event in batch.iter().filter(|event| event.stream.starts_with("chat-")) {
                    self.learn(event);
                }
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::ids::ConversationId;

    fn opened(chat: ChatId, revision: u64) -> (RecordedEvent, ConversationId) {
        let conversation = ConversationId::from_uuid(uuid::Uuid::now_v7());
        let event =
            ChatEvent::ConversationOpened { chat_id: chat, conversation_id: conversation, at: chrono::Utc::now() };
        let (event_type, data) = domain::event::encode(&event).expect("an event");
        let recorded = RecordedEvent {
            event_id: uuid::Uuid::now_v7(),
            stream: domain::chat::chat_stream(chat),
            revision,
            position: eventlog::Position::default(),
            event_type,
            data,
            metadata: eventlog::Metadata {
                occurred_at: chrono::Utc::now(),
                company_id: uuid::Uuid::nil(),
                actor: "system".into(),
                correlation_id: uuid::Uuid::now_v7(),
                causation_id: None,
                schema_version: 1,
            },
            recorded_at: chrono::Utc::now(),
        };
        (recorded, conversation)
    }

    #[test]
    fn a_kept_chat_follows_what_other_writers_append_and_is_forgotten_when_it_missed_some() {
        let recent = RecentChats::default();
        let (chat, other) = (ChatId::from_uuid(uuid::Uuid::now_v7()), ChatId::from_uuid(uuid::Uuid::now_v7()));
        recent.keep(chat, ChatState::default(), ExpectedRevision::Exact(3));

        let (next, conversation) = opened(chat, 4);
        recent.learn(&next);
        let (state, revision) = recent.get(chat).expect("still kept");
        assert_eq!((state.conversation, revision), (Some(conversation), ExpectedRevision::Exact(4)));

        recent.learn(&opened(chat, 2).0);
        assert_eq!(recent.get(chat).map(|(_, revision)| revision), Some(ExpectedRevision::Exact(4)), "already in it");
        recent.keep(chat, ChatState::default(), ExpectedRevision::Exact(3));
        assert_eq!(recent.get(chat).map(|(_, revision)| revision), Some(ExpectedRevision::Exact(4)), "never back");

        recent.learn(&opened(other, 0).0);
        assert!(recent.get(other).is_none(), "a chat not kept is not started by the log");

        recent.learn(&opened(chat, 6).0);
        assert!(recent.get(chat).is_none(), "revision 5 was missed: forgotten");
    }
}
