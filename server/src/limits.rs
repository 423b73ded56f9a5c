//! How much one client may do: counters per key (a client address, an account, a widget) over
//! windows of the business clock, the increasing wait after failed sign-ins, and open connections.
//! Counters live in this node's memory, bounded in size; a refusal says when to come back.

use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard};

/// Keys kept per counter before the idle ones are forgotten; an attacker who makes up more keys
/// than this only forgets their own counts sooner.
const MOST_KEYS: usize = 100_000;

/// The limits an installation applies; the defaults suit a public server.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Failed sign-ins an account may make before each further one waits; and an address (many
    /// colleagues may share an office's).
    pub sign_in_free_failures: u32,
    pub sign_in_free_failures_per_address: u32,
    /// The first wait after them; each further failure doubles it, up to [`Self::sign_in_longest_wait`].
    pub sign_in_first_wait: Duration,
    pub sign_in_longest_wait: Duration,
    /// Password checks computed at once; more callers wait their turn.
    pub password_checks_at_once: usize,
    /// New widget visitors per client address per hour, and per widget per hour.
    pub visitors_per_address_hour: u64,
    pub visitors_per_widget_hour: u64,
    /// Messages a client address may send through widgets per minute, and a widget may receive.
    pub widget_messages_per_address_minute: u64,
    pub widget_messages_per_widget_minute: u64,
    /// Files a client address may upload to widgets per day, and their bytes.
    pub widget_uploads_per_address_day: u64,
    pub widget_upload_bytes_per_address_day: u64,
    /// Visitor sockets open at once per client address, and per widget.
    pub visitor_sockets_per_address: usize,
    pub visitor_sockets_per_widget: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            sign_in_free_failures: 5,
            sign_in_free_failures_per_address: 20,
            sign_in_first_wait: Duration::seconds(1),
            sign_in_longest_wait: Duration::minutes(15),
            password_checks_at_once: std::thread::available_parallelism().map_or(2, |cores| cores.get()),
            visitors_per_address_hour: 30,
            visitors_per_widget_hour: 3_000,
            widget_messages_per_address_minute: 60,
            widget_messages_per_widget_minute: 3_000,
            widget_uploads_per_address_day: 100,
            widget_upload_bytes_per_address_day: 200 * 1024 * 1024,
            visitor_sockets_per_address: 20,
            visitor_sockets_per_widget: 5_000,
        }
    }
}

/// Counts each `(quota, key, amount)` if all of them fit, none of them otherwise: something
/// refused by one limit is not counted against another.
pub fn take_all(quotas: &[(&Quota, &str, u64)], now: DateTime<Utc>) -> Result<(), ComeBackIn> {
    for (quota, key, amount) in quotas {
        quota.fits(key, *amount, now)?;
    }
    for (quota, key, amount) in quotas {
        quota.take(key, *amount, now)?;
    }
    Ok(())
}

impl Limits {
    /// These limits with some changed by `changes`: `name=value` pairs, comma-separated, named
    /// as the fields are (`visitor_sockets_per_address=50000`); durations in seconds.
    pub fn changed(mut self, changes: &str) -> Result<Self, String> {
        for change in changes.split(',').map(str::trim).filter(|change| !change.is_empty()) {
            let (name, value) = change.split_once('=').ok_or_else(|| format!("`{change}` is not name=value"))?;
            let number: u64 = value.trim().parse().map_err(|_| format!("`{value}` is not a whole number"))?;
            let count = || usize::try_from(number).map_err(|_| format!("`{value}` is too large"));
            let times = || u32::try_from(number).map_err(|_| format!("`{value}` is too large"));
            let seconds =
                || i64::try_from(number).map(Duration::seconds).map_err(|_| format!("`{value}` is too large"));
            match name.trim() {
                "sign_in_free_failures" => self.sign_in_free_failures = times()?,
                "sign_in_free_failures_per_address" => self.sign_in_free_failures_per_address = times()?,
                "sign_in_first_wait" => self.sign_in_first_wait = seconds()?,
                "sign_in_longest_wait" => self.sign_in_longest_wait = seconds()?,
                "password_checks_at_once" => self.password_checks_at_once = count()?,
                "visitors_per_address_hour" => self.visitors_per_address_hour = number,
                "visitors_per_widget_hour" => self.visitors_per_widget_hour = number,
                "widget_messages_per_address_minute" => self.widget_messages_per_address_minute = number,
                "widget_messages_per_widget_minute" => self.widget_messages_per_widget_minute = number,
                "widget_uploads_per_address_day" => self.widget_uploads_per_address_day = number,
                "widget_upload_bytes_per_address_day" => self.widget_upload_bytes_per_address_day = number,
                "visitor_sockets_per_address" => self.visitor_sockets_per_address = count()?,
                "visitor_sockets_per_widget" => self.visitor_sockets_per_widget = count()?,
                other => return Err(format!("`{other}` is not a limit")),
            }
        }
        Ok(self)
    }
}

/// Every counter of this node, made from the installation's [`Limits`].
pub struct Guards {
    pub sign_in_accounts: Backoff,
    pub sign_in_addresses: Backoff,
    pub password_checks: tokio::sync::Semaphore,
    pub visitors_by_address: Quota,
    pub visitors_by_widget: Quota,
    pub messages_by_address: Quota,
    pub messages_by_widget: Quota,
    pub uploads_by_address: Quota,
    pub upload_bytes_by_address: Quota,
    pub sockets_by_address: OpenAtOnce,
    pub sockets_by_widget: OpenAtOnce,
}

impl Guards {
    pub fn new(limits: &Limits) -> Self {
        let (hour, minute, day) = (Duration::hours(1), Duration::minutes(1), Duration::days(1));
        Self {
            sign_in_accounts: Backoff::new(
                limits.sign_in_free_failures,
                limits.sign_in_first_wait,
                limits.sign_in_longest_wait,
            ),
            sign_in_addresses: Backoff::new(
                limits.sign_in_free_failures_per_address,
                limits.sign_in_first_wait,
                limits.sign_in_longest_wait,
            ),
            password_checks: tokio::sync::Semaphore::new(limits.password_checks_at_once.max(1)),
            visitors_by_address: Quota::new(limits.visitors_per_address_hour, hour),
            visitors_by_widget: Quota::new(limits.visitors_per_widget_hour, hour),
            messages_by_address: Quota::new(limits.widget_messages_per_address_minute, minute),
            messages_by_widget: Quota::new(limits.widget_messages_per_widget_minute, minute),
            uploads_by_address: Quota::new(limits.widget_uploads_per_address_day, day),
            upload_bytes_by_address: Quota::new(limits.widget_upload_bytes_per_address_day, day),
            sockets_by_address: OpenAtOnce::new(limits.visitor_sockets_per_address),
            sockets_by_widget: OpenAtOnce::new(limits.visitor_sockets_per_widget),
        }
    }
}

/// A refusal for now: come back after this long.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ComeBackIn(pub Duration);

impl ComeBackIn {
    /// Whole seconds, at least one, as `Retry-After` says it.
    pub fn seconds(self) -> u64 {
        u64::try_from(self.0.num_milliseconds().saturating_add(999) / 1000).unwrap_or(1).max(1)
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Keeps a map within [`MOST_KEYS`]: first the keys `idle` says are done with, then, if an
/// attacker filled it with live ones, all of them.
fn make_room<V>(entries: &mut HashMap<String, V>, idle: impl Fn(&V) -> bool) {
    if entries.len() < MOST_KEYS {
        return;
    }
    entries.retain(|_, value| !idle(value));
    if entries.len() >= MOST_KEYS {
        tracing::warn!(keys = entries.len(), "a limit's counters were full of live keys; they start again");
        entries.clear();
    }
}

/// At most `most` units per key in each window of `per` (a fixed window that starts with the key's
/// first unit).
pub struct Quota {
    most: u64,
    per: Duration,
    used: Mutex<HashMap<String, (DateTime<Utc>, u64)>>,
}

impl Quota {
    pub fn new(most: u64, per: Duration) -> Self {
        Self { most, per, used: Mutex::default() }
    }

    /// Whether `amount` more units for `key` fit in its window, counting nothing.
    pub fn fits(&self, key: &str, amount: u64, now: DateTime<Utc>) -> Result<(), ComeBackIn> {
        match lock(&self.used).get(key) {
            Some((start, count)) if now - *start < self.per && count.saturating_add(amount) > self.most => {
                Err(ComeBackIn(*start + self.per - now))
            }
            _ if amount > self.most => Err(ComeBackIn(self.per)),
            _ => Ok(()),
        }
    }

    /// Counts `amount` units for `key` if they fit in its window.
    pub fn take(&self, key: &str, amount: u64, now: DateTime<Utc>) -> Result<(), ComeBackIn> {
        let mut used = lock(&self.used);
        make_room(&mut used, |(start, _)| now - *start >= self.per);
        let (start, count) = used.entry(key.to_string()).or_insert((now, 0));
        if now - *start >= self.per {
            (*start, *count) = (now, 0);
        }
        if count.saturating_add(amount) > self.most {
            return Err(ComeBackIn(*start + self.per - now));
        }
        *count += amount;
        Ok(())
    }
}

/// Failures per key, each one past the free ones doubling the wait before the next attempt.
pub struct Backoff {
    free: u32,
    first: Duration,
    longest: Duration,
    failures: Mutex<HashMap<String, (u32, DateTime<Utc>)>>,
}

impl Backoff {
    pub fn new(free: u32, first: Duration, longest: Duration) -> Self {
        Self { free, first, longest, failures: Mutex::default() }
    }

    fn wait_after(&self, failures: u32) -> Duration {
        let Some(past_free) = failures.checked_sub(self.free) else {
            return Duration::zero();
        };
        let doublings = past_free.min(30);
        (self.first * 2i32.saturating_pow(doublings)).min(self.longest)
    }

    /// Whether `key` may try now.
    pub fn check(&self, key: &str, now: DateTime<Utc>) -> Result<(), ComeBackIn> {
        let failures = lock(&self.failures);
        match failures.get(key) {
            Some((count, last)) if *last + self.wait_after(*count) > now => {
                Err(ComeBackIn(*last + self.wait_after(*count) - now))
            }
            _ => Ok(()),
        }
    }

    pub fn failed(&self, key: &str, now: DateTime<Utc>) {
        let mut failures = lock(&self.failures);
        make_room(&mut failures, |(count, last)| *last + self.wait_after(*count) + self.longest < now);
        let (count, last) = failures.entry(key.to_string()).or_insert((0, now));
        *count = count.saturating_add(1);
        *last = now;
    }

    pub fn succeeded(&self, key: &str) {
        lock(&self.failures).remove(key);
    }
}

/// Connections open at once per key.
#[derive(Clone)]
pub struct OpenAtOnce {
    most: usize,
    open: Arc<Mutex<HashMap<String, usize>>>,
}

/// One open connection, counted until it is dropped.
pub struct Opened {
    key: String,
    open: Arc<Mutex<HashMap<String, usize>>>,
}

impl Drop for Opened {
    fn drop(&mut self) {
        let mut open = lock(&self.open);
        if let Some(count) = open.get_mut(&self.key) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.key);
            }
        }
    }
}

impl OpenAtOnce {
    pub fn new(most: usize) -> Self {
        Self { most, open: Arc::default() }
    }

    /// Counts one more connection for `key`, if it has room; `None`: it has not.
    pub fn open(&self, key: &str) -> Option<Opened> {
        let mut open = lock(&self.open);
        let count = open.entry(key.to_string()).or_insert(0);
        if *count >= self.most {
            return None;
        }
        *count += 1;
        Some(Opened { key: key.to_string(), open: self.open.clone() })
    }
}

/// The key a client address is counted under: IPv6 clients by their /64 network, since one
/// subscriber usually holds a whole one.
pub fn address_key(address: IpAddr) -> String {
    match address {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// The client's address: the connection's peer, or, when the peer is one of the operator's
/// proxies, the nearest address in `X-Forwarded-For` that is not one of them.
pub fn client_address(peer: IpAddr, forwarded_for: Option<&str>, trusted_proxies: &[IpAddr]) -> IpAddr {
    if !trusted_proxies.contains(&peer) {
        return peer;
    }
    forwarded_for
        .into_iter()
        .flat_map(|list| list.rsplit(','))
        .map_while(|hop| hop.trim().parse::<IpAddr>().ok())
        .find(|hop| !trusted_proxies.contains(hop))
        .unwrap_or(peer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::UNIX_EPOCH + Duration::seconds(seconds)
    }

    #[test]
    fn a_quota_refuses_what_does_not_fit_until_its_window_ends() {
        let quota = Quota::new(3, Duration::seconds(60));
        assert_eq!(quota.take("a", 2, at(0)), Ok(()));
        assert_eq!(quota.take("a", 1, at(10)), Ok(()));
        assert_eq!(quota.fits("a", 1, at(20)), Err(ComeBackIn(Duration::seconds(40))));
        assert_eq!(quota.take("a", 1, at(20)), Err(ComeBackIn(Duration::seconds(40))));
        assert_eq!(quota.fits("b", 3, at(20)), Ok(()));
        assert_eq!(quota.take("b", 3, at(20)), Ok(()), "other keys count apart");
        assert_eq!(quota.take("a", 3, at(60)), Ok(()), "a new window");
        assert_eq!(quota.take("a", 4, at(200)), Err(ComeBackIn(Duration::seconds(60))), "more than ever fits");
    }

    #[test]
    fn failures_past_the_free_ones_double_the_wait_up_to_the_longest() {
        let backoff = Backoff::new(2, Duration::seconds(1), Duration::seconds(5));
        backoff.failed("k", at(0));
        backoff.failed("k", at(0));
        assert_eq!(backoff.check("k", at(0)), Err(ComeBackIn(Duration::seconds(1))));
        assert_eq!(backoff.check("k", at(1)), Ok(()));
        backoff.failed("k", at(1));
        assert_eq!(backoff.check("k", at(2)), Err(ComeBackIn(Duration::seconds(1))), "2 s after the third");
        for _ in 0..10 {
            backoff.failed("k", at(3));
        }
        assert_eq!(backoff.check("k", at(3)), Err(ComeBackIn(Duration::seconds(5))), "never longer than the longest");
        backoff.succeeded("k");
        assert_eq!(backoff.check("k", at(3)), Ok(()));
    }

    #[test]
    fn limits_are_changed_by_name_and_a_mistake_is_named() {
        let changed = Limits::default().changed("visitor_sockets_per_address=50000, sign_in_first_wait=3").unwrap();
        assert_eq!(changed.visitor_sockets_per_address, 50_000);
        assert_eq!(changed.sign_in_first_wait, Duration::seconds(3));
        assert_eq!(Limits::default().changed("").unwrap().visitors_per_address_hour, 30);
        assert!(Limits::default().changed("no_such_limit=1").unwrap_err().contains("no_such_limit"));
        assert!(Limits::default().changed("visitor_sockets_per_address=many").is_err());
        assert!(Limits::default().changed("visitor_sockets_per_address").is_err());
    }

    #[test]
    fn connections_count_until_they_close() {
        let sockets = OpenAtOnce::new(2);
        let first = sockets.open("a");
        let second = sockets.open("a");
        assert!(first.is_some() && second.is_some());
        assert!(sockets.open("a").is_none());
        assert!(sockets.open("b").is_some());
        drop(first);
        assert!(sockets.open("a").is_some());
    }

    #[test]
    fn the_client_address_is_read_from_forwarded_for_only_behind_a_listed_proxy() {
        let proxy: IpAddr = "10.0.0.1".parse().unwrap();
        let client: IpAddr = "203.0.113.7".parse().unwrap();
        let forwarded = Some("198.51.100.1, 203.0.113.7");
        assert_eq!(client_address(client, forwarded, &[proxy]), client, "not from a proxy: the peer");
        assert_eq!(client_address(proxy, forwarded, &[proxy]), client, "the nearest hop the proxy saw");
        assert_eq!(client_address(proxy, Some("203.0.113.7, 10.0.0.1"), &[proxy]), client, "proxies are skipped");
        assert_eq!(client_address(proxy, Some("bogus"), &[proxy]), proxy);
        assert_eq!(client_address(proxy, None, &[proxy]), proxy);
        assert_eq!(address_key("2001:db8:1:2:3:4:5:6".parse().unwrap()), "2001:db8:1:2::/64");
        assert_eq!(address_key("::ffff:203.0.113.7".parse().unwrap()), "203.0.113.7");
    }
}
