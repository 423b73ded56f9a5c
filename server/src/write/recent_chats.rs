//! The states of the chats customers wrote to lately, as the inbound path last decided on them,
//! with the revision they were at: the next message is decided without reading the chat's
//! history again. Kept state may be stale (another writer appended since); the append then fails
//! on the revision, the state is forgotten and the message is decided again on the history.

use domain::chat::ChatState;
use domain::ids::ChatId;
use eventlog::ExpectedRevision;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

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

    pub fn keep(&self, chat: ChatId, state: ChatState, revision: ExpectedRevision) {
        let mut kept = self.kept();
        if kept.len() >= KEPT_MAX {
            kept.clear();
        }
        kept.insert(chat, (state, revision));
    }

    pub fn forget(&self, chat: ChatId) {
        self.kept().remove(&chat);
    }
}
