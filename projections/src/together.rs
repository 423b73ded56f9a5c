//! Brings several projections up to date from one read of the log: the log is read as one query
//! (`EventLog::read_all_into`), each page of events decoded once and handed to every runner, the
//! next page read while they apply this one. A rebuild of every read model then costs one scan of
//! the log instead of one per read model, and the read models write at the same time where the
//! database lets them.

use crate::runner::{ProjectionError, ProjectionRunner};
use eventlog::{Position, RecordedEvent};

/// How many events each page of the shared read holds. A page is a transaction of each read
/// model: the larger, the fewer times the pages they all rewrite (a chat's row, an index's leaf)
/// are written out. A million events rebuilt: 2,000 a page 42.8 s, 10,000 32.7 s, 20,000 27.6 s,
/// at about 100 MB more of memory at the peak than 10,000 (docs/BENCHMARKS.md).
pub const PAGE: usize = 20_000;

/// Every this many pages, the read models' write-ahead log is copied into their database file.
const PAGES_BETWEEN_COPIES: usize = 10;

/// A runner to bring up to date, and the position it stops at (`None`: everything the log holds).
pub struct UpTo<'a> {
    pub runner: &'a ProjectionRunner,
    pub until: Option<Position>,
}

/// Where one runner stands during a shared catch-up.
struct Fed<'a> {
    runner: &'a ProjectionRunner,
    until: Option<Position>,
    /// Its stored checkpoint.
    stored: Position,
    /// Events gone by since the stored checkpoint that it did not read.
    passed: Option<Position>,
    unsaved: usize,
}

impl Fed<'_> {
    fn wants_more(&self) -> bool {
        self.until.is_none_or(|until| self.passed.unwrap_or(self.stored) < until)
    }

    /// Applies the events of `page` after where it stands and up to its `until`; a page with
    /// nothing it reads only moves the stored checkpoint once enough have gone by.
    async fn feed(&mut self, page: &[RecordedEvent]) -> Result<(), ProjectionError> {
        loop {
            let from = self.passed.unwrap_or(self.stored);
            let start = page.partition_point(|event| event.position <= from);
            let end = match self.until {
                Some(until) => page.partition_point(|event| event.position <= until),
                None => page.len(),
            };
            let Some(last) = page.get(start..end).and_then(<[_]>::last).map(|event| event.position) else {
                return Ok(());
            };
            let newer = &page[start..end];
            let read = self.runner.read_in(newer);
            self.unsaved += newer.len();
            if read.is_empty() && self.unsaved < crate::runner::SKIPPED_BEFORE_SAVING {
                self.passed = Some(last);
                self.runner.show(last);
                return Ok(());
            }
            match self.runner.save_batch(self.stored, last, &read).await {
                Ok(()) => {
                    (self.stored, self.passed, self.unsaved) = (last, None, 0);
                    return Ok(());
                }
                // Another runner of the same read model got there first: go on from where it is.
                Err(ProjectionError::CheckpointMoved(_)) => {
                    (self.stored, self.passed, self.unsaved) = (self.runner.checkpoint().await?, None, 0);
                }
                Err(error) => return Err(error),
            }
        }
    }

    /// Stores the checkpoint past the events it did not read.
    async fn settle(&mut self) -> Result<(), ProjectionError> {
        if let Some(passed) = self.passed.take() {
            match self.runner.save_batch(self.stored, passed, &[]).await {
                Ok(()) | Err(ProjectionError::CheckpointMoved(_)) => {}
                Err(error) => return Err(error),
            }
        }
        Ok(())
    }
}

/// Brings every runner of `runners` to its position, reading their log once (the first one's:
/// they share it).
pub async fn catch_up_together(runners: &[UpTo<'_>]) -> Result<(), ProjectionError> {
    catch_up_together_in_pages_of(runners, PAGE).await
}

/// The same, reading `page_size` events at a time.
pub async fn catch_up_together_in_pages_of(runners: &[UpTo<'_>], page_size: usize) -> Result<(), ProjectionError> {
    let Some(UpTo { runner: first, .. }) = runners.first() else { return Ok(()) };
    let log = first.log().clone();
    let mut fed = Vec::with_capacity(runners.len());
    for UpTo { runner, until } in runners {
        let stored = runner.checkpoint().await?;
        fed.push(Fed { runner, until: *until, stored, passed: None, unsaved: 0 });
    }
    let Some(from) = fed.iter().filter(|fed| fed.wants_more()).map(|fed| fed.stored).min() else { return Ok(()) };
    // One page read ahead of the one applied.
    let (sender, mut read) = tokio::sync::mpsc::channel(1);
    let reading = tokio::spawn(async move { log.read_all_into(from, page_size, sender).await });
    let mut pages = 0;
    while let Some(page) = read.recv().await {
        let Some(last) = page.last().map(|event| event.position) else { break };
        // Read models apart write apart: on PostgreSQL at once; on SQLite each in its turn, one
        // preparing its statements while another writes.
        futures::future::try_join_all(fed.iter_mut().map(|runner| runner.feed(&page))).await?;
        pages += 1;
        if pages % PAGES_BETWEEN_COPIES == 0 {
            // The runners most often share one store: after the first, the others find nothing to copy.
            for runner in &fed {
                runner.runner.store().copy_write_ahead_log().await?;
            }
        }
        if fed.iter().all(|fed| fed.until.is_some_and(|until| until <= last)) {
            break;
        }
    }
    // Read no further than the runners wanted, or learn why the read stopped.
    drop(read);
    reading.await.map_err(|error| ProjectionError::Reader(error.to_string()))??;
    for runner in &mut fed {
        runner.settle().await?;
    }
    Ok(())
}
