//! Prometheus metrics in the text exposition format: requests, appends, conflicts, projection lag,
//! and how far each log follower has acted.

use chrono::{DateTime, Utc};
use eventlog::Position;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, u16), u64>>,
    appended: AtomicU64,
    conflicts: AtomicU64,
    password_checks: AtomicU64,
    password_checks_running: AtomicU64,
    password_checks_most_at_once: AtomicU64,
    followers: Mutex<BTreeMap<&'static str, FollowerProgress>>,
}

/// How far a process that follows the log has acted: on every event up to `acted`, and (the
/// router) on every timer due at `timers_checked_at` of the business clock. Tests wait on it to
/// know that something did not happen; operators see it in `/healthz` and `/metrics`.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct FollowerProgress {
    pub acted: Option<Position>,
    pub timers_checked_at: Option<DateTime<Utc>>,
}

/// One password check under way.
pub struct PasswordCheck<'a>(&'a Metrics);

impl Drop for PasswordCheck<'_> {
    fn drop(&mut self) {
        self.0.password_checks_running.fetch_sub(1, Ordering::SeqCst);
    }
}

/// How far one projection trails the log.
pub struct ProjectionLag {
    pub name: &'static str,
    pub version: u32,
    /// Events visible in the log that the projection has not applied yet.
    pub events_behind: u64,
}

impl Metrics {
    pub fn request(&self, method: &str, status: u16) {
        if let Ok(mut requests) = self.requests.lock() {
            *requests.entry((method.to_string(), status)).or_default() += 1;
        }
    }

    pub fn events_appended(&self, count: usize) {
        self.appended.fetch_add(count as u64, Ordering::Relaxed);
    }

    pub fn append_conflict(&self) {
        self.conflicts.fetch_add(1, Ordering::Relaxed);
    }

    /// A sign-in's password is being checked (or, for an unknown account, a hash computed at the
    /// same cost) until the answer is dropped.
    pub fn password_check(&self) -> PasswordCheck<'_> {
        self.password_checks.fetch_add(1, Ordering::Relaxed);
        let running = self.password_checks_running.fetch_add(1, Ordering::SeqCst) + 1;
        self.password_checks_most_at_once.fetch_max(running, Ordering::SeqCst);
        PasswordCheck(self)
    }

    /// `follower` has acted on every event up to `position`.
    pub fn follower_acted(&self, follower: &'static str, position: Position) {
        if let Ok(mut followers) = self.followers.lock() {
            followers.entry(follower).or_default().acted = Some(position);
        }
    }

    /// `follower` has rung every timer due at `now`.
    pub fn timers_checked(&self, follower: &'static str, now: DateTime<Utc>) {
        if let Ok(mut followers) = self.followers.lock() {
            followers.entry(follower).or_default().timers_checked_at = Some(now);
        }
    }

    pub fn followers(&self) -> BTreeMap<&'static str, FollowerProgress> {
        self.followers.lock().map(|followers| followers.clone()).unwrap_or_default()
    }

    pub fn render(&self, lags: &[ProjectionLag]) -> String {
        let mut out = String::new();
        out.push_str("# HELP http_requests_total HTTP requests answered, by method and status.\n");
        out.push_str("# TYPE http_requests_total counter\n");
        if let Ok(requests) = self.requests.lock() {
            for ((method, status), count) in requests.iter() {
                let _ = writeln!(out, "http_requests_total{{method=\"{method}\",status=\"{status}\"}} {count}");
            }
        }
        out.push_str("# HELP eventlog_events_appended_total Events appended by this process.\n");
        out.push_str("# TYPE eventlog_events_appended_total counter\n");
        let _ = writeln!(out, "eventlog_events_appended_total {}", self.appended.load(Ordering::Relaxed));
        out.push_str(
            "# HELP eventlog_append_conflicts_total Appends refused for a wrong expected revision, then retried.\n",
        );
        out.push_str("# TYPE eventlog_append_conflicts_total counter\n");
        let _ = writeln!(out, "eventlog_append_conflicts_total {}", self.conflicts.load(Ordering::Relaxed));
        out.push_str("# HELP sign_in_password_checks_total Password hashes computed for sign-ins.\n");
        out.push_str("# TYPE sign_in_password_checks_total counter\n");
        let _ = writeln!(out, "sign_in_password_checks_total {}", self.password_checks.load(Ordering::Relaxed));
        out.push_str("# HELP sign_in_password_checks_most_at_once The most password checks that ran at once.\n");
        out.push_str("# TYPE sign_in_password_checks_most_at_once gauge\n");
        let most = self.password_checks_most_at_once.load(Ordering::SeqCst);
        let _ = writeln!(out, "sign_in_password_checks_most_at_once {most}");
        out.push_str("# HELP projection_lag_events Events visible in the log that a projection has not applied.\n");
        out.push_str("# TYPE projection_lag_events gauge\n");
        for lag in lags {
            let _ = writeln!(
                out,
                "projection_lag_events{{projection=\"{}\",version=\"{}\"}} {}",
                lag.name, lag.version, lag.events_behind
            );
        }
        out.push_str("# HELP follower_acted_transaction The log transaction up to which a follower has acted.\n");
        out.push_str("# TYPE follower_acted_transaction gauge\n");
        for (name, progress) in self.followers() {
            if let Some(acted) = progress.acted {
                let _ = writeln!(out, "follower_acted_transaction{{follower=\"{name}\"}} {}", acted.transaction);
            }
        }
        out
    }
}
