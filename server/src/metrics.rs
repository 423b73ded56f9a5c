//! Prometheus metrics in the text exposition format: requests, appends, conflicts, projection lag.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, u16), u64>>,
    appended: AtomicU64,
    conflicts: AtomicU64,
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
        out.push_str("# HELP projection_lag_events Events visible in the log that a projection has not applied.\n");
        out.push_str("# TYPE projection_lag_events gauge\n");
        for lag in lags {
            let _ = writeln!(
                out,
                "projection_lag_events{{projection=\"{}\",version=\"{}\"}} {}",
                lag.name, lag.version, lag.events_behind
            );
        }
        out
    }
}
