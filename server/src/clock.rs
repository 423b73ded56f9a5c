//! Time as the process managers read it: the system's clock, or one a test moves by hand so that
//! timers ring without waiting.

use chrono::{DateTime, Duration, Utc};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> DateTime<Utc>;
}

/// The machine's own time, for what is about processes rather than the business: nodes' heartbeats
/// and their silence, and the timestamps webhooks are signed with. Every rule of the business reads
/// a [`Clock`] instead, so that tests can drive it.
pub fn machine_time() -> DateTime<Utc> {
    Utc::now()
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        machine_time()
    }
}

/// Starts at the real time and moves only when told.
#[derive(Clone)]
pub struct TestClock(Arc<Mutex<DateTime<Utc>>>);

impl Default for TestClock {
    fn default() -> Self {
        Self(Arc::new(Mutex::new(Utc::now())))
    }
}

impl TestClock {
    /// A clock that starts at `at`: for rules that depend on the hour or the day.
    pub fn starting_at(at: DateTime<Utc>) -> Self {
        Self(Arc::new(Mutex::new(at)))
    }

    pub fn advance(&self, by: Duration) {
        let mut now = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        *now += by;
    }
}

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The machine's time moved forward by what browser tests asked (`--test-clock`): time still runs,
/// so everything else behaves as it does in production, and a test can make an hour pass at once.
#[derive(Clone, Default)]
pub struct ShiftedClock(Arc<AtomicI64>);

impl ShiftedClock {
    /// Moves the clock forward by `by` (never back: the log's times only grow).
    pub fn advance(&self, by: Duration) {
        self.0.fetch_add(by.num_milliseconds().max(0), Ordering::SeqCst);
    }
}

impl Clock for ShiftedClock {
    fn now(&self) -> DateTime<Utc> {
        machine_time() + Duration::milliseconds(self.0.load(Ordering::SeqCst))
    }
}
