//! Lines (by id and by widget key), API keys and widget visitors' tokens as the inbound path reads
//! them, kept in memory: every customer message needs them, and they rarely change. Everything
//! kept is forgotten whenever any line or key changes — at once on the node that changed it, and
//! on the others when their live hub sees the change in the log.

use crate::error::AppError;
use projections::lines::{ApiKeyRow, LineRow, Lines};
use projections::store::ReadStore;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

#[derive(Default)]
struct Kept {
    /// The generation the entries below were read in.
    generation: u64,
    keys: HashMap<String, ApiKeyRow>,
    lines: HashMap<String, LineRow>,
    /// Lines by the key of their widget.
    widgets: HashMap<String, LineRow>,
    /// Visitor tokens known issued, as `widget key:token hash` (a token is never withdrawn).
    visitors: HashMap<String, ()>,
}

/// Beyond this many entries of one kind, everything kept is forgotten and the keeping starts over.
const KEPT_MAX: usize = 100_000;

#[derive(Clone, Default)]
pub struct Directory {
    generation: Arc<AtomicU64>,
    kept: Arc<Mutex<Kept>>,
}

impl Directory {
    /// Forgets everything kept: a line or key changed.
    pub fn forget(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    fn kept(&self) -> std::sync::MutexGuard<'_, Kept> {
        let mut kept = self.kept.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let now = self.generation.load(Ordering::SeqCst);
        if kept.generation != now {
            *kept = Kept { generation: now, ..Kept::default() };
        }
        kept
    }

    /// What `among` keeps under `name`, or what `read` finds, kept from now on. What does not
    /// exist is not kept, so a line or key is found the moment it is created.
    async fn find<T: Clone, E>(
        &self,
        among: fn(&mut Kept) -> &mut HashMap<String, T>,
        name: &str,
        read: impl std::future::Future<Output = Result<Option<T>, E>>,
    ) -> Result<Option<T>, AppError>
    where
        AppError: From<E>,
    {
        if let Some(row) = among(&mut self.kept()).get(name) {
            return Ok(Some(row.clone()));
        }
        let generation = self.generation.load(Ordering::SeqCst);
        let row = read.await?;
        if let Some(row) = &row {
            let mut kept = self.kept();
            // Read before a change was announced: not kept, the next read sees the change.
            if kept.generation == generation {
                if among(&mut kept).len() >= KEPT_MAX {
                    *kept = Kept { generation, ..Kept::default() };
                }
                among(&mut kept).insert(name.to_string(), row.clone());
            }
        }
        Ok(row)
    }

    /// The key whose hash is `hash`, if it exists (revoked or not).
    pub async fn api_key(&self, store: &ReadStore, hash: &str) -> Result<Option<ApiKeyRow>, AppError> {
        self.find(|kept| &mut kept.keys, hash, Lines.api_key(store, hash)).await
    }

    pub async fn line(&self, store: &ReadStore, line_id: &str) -> Result<Option<LineRow>, AppError> {
        self.find(|kept| &mut kept.lines, line_id, Lines.line(store, line_id)).await
    }

    /// The line whose widget web sites embed with `key`.
    pub async fn widget_line(&self, store: &ReadStore, key: &str) -> Result<Option<LineRow>, AppError> {
        self.find(|kept| &mut kept.widgets, key, Lines.line_by_widget_key(store, key)).await
    }

    /// Whether widget `key` issued the token of this hash, as `issued` finds it when not known.
    pub async fn visitor_issued(
        &self,
        key: &str,
        hash: &str,
        issued: impl std::future::Future<Output = Result<bool, AppError>>,
    ) -> Result<bool, AppError> {
        let name = format!("{key}:{hash}");
        let read = async { issued.await.map(|issued| issued.then_some(())) };
        Ok(self.find(|kept| &mut kept.visitors, &name, read).await?.is_some())
    }
}
