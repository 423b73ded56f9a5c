//! Requests to addresses a tenant wrote (menu web queries, line webhooks). They reach only public
//! addresses, checked on the address actually connected to: a name after it is resolved, a literal
//! address in whatever notation it was written, and the same again after every redirect. The
//! operator may allow private hosts by name for services on the installation's own network.
//! Answers are read up to a cap. What fails says nothing of the network behind it.

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::redirect::{Attempt, Policy};
use reqwest::{Method, RequestBuilder, Response, StatusCode, Url};
use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

/// Why a request to a tenant's address did not give an answer; worded for the tenant's agents.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OutboundError {
    #[error("the address is not a public one, and is not allowed")]
    NotPublic,
    #[error("the address is not a valid http:// or https:// URL")]
    InvalidUrl,
    #[error("the service redirected more than {0} times")]
    TooManyRedirects(usize),
    #[error("the service redirected, and this call does not follow redirects")]
    Redirected,
    #[error("the service could not be reached")]
    Unreachable,
    #[error("no answer within {0} ms")]
    Timeout(u128),
    #[error("the service answered {0}")]
    Status(StatusCode),
    #[error("the answer is larger than {} KB", .0 / 1024)]
    TooLarge(usize),
}

/// Hosts the operator allows though they are not public (`IKONO_ALLOW_PRIVATE_HOSTS`): names as
/// written in a URL, or addresses.
#[derive(Clone, Debug, Default)]
pub struct AllowedHosts(Arc<HashSet<String>>);

impl AllowedHosts {
    /// From a comma-separated list such as `crm.internal, 10.0.0.7, [fd00::7]`.
    pub fn parse(list: &str) -> Self {
        Self(Arc::new(list.split(',').map(canonical_host).filter(|host| !host.is_empty()).collect()))
    }

    fn allows(&self, host: &str) -> bool {
        !self.0.is_empty() && self.0.contains(&canonical_host(host))
    }
}

/// One spelling per host: lower case, no trailing dot, no brackets, an address in its standard
/// notation (an IPv4 address mapped into IPv6 as the IPv4 address).
fn canonical_host(host: &str) -> String {
    let host = host.trim().trim_end_matches('.').trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase();
    match host.parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(IpAddr::V6(v6)).to_string(),
        Ok(ip) => ip.to_string(),
        Err(_) => host,
    }
}

/// Whether `ip` is an address of the public internet: not loopback, private, link-local (cloud
/// metadata), shared, reserved, documentation, multicast or unspecified, nor an IPv6 form of one.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(a == 0
        || a == 10
        || a == 127
        || (a == 100 && (64..128).contains(&b))
        || (a == 169 && b == 254)
        || (a == 172 && (16..32).contains(&b))
        || (a == 192 && b == 0 && (c == 0 || c == 2))
        || (a == 192 && b == 88 && c == 99)
        || (a == 192 && b == 168)
        || (a == 198 && (b == 18 || b == 19))
        || (a == 198 && b == 51 && c == 100)
        || (a == 203 && b == 0 && c == 113)
        || a >= 224)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let segments = ip.segments();
    let embedded_v4 = |high: usize| {
        let bytes = ip.octets();
        Ipv4Addr::new(bytes[high], bytes[high + 1], bytes[high + 2], bytes[high + 3])
    };
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    match segments {
        // Unspecified, loopback, and the deprecated IPv4-compatible ::a.b.c.d.
        [0, 0, 0, 0, 0, 0, _, _] => false,
        // NAT64 (64:ff9b::/96) reaches the IPv4 address inside it.
        [0x64, 0xff9b, 0, 0, 0, 0, _, _] => is_public_v4(embedded_v4(12)),
        // 6to4 (2002::/16) likewise, from its second and third segments.
        [0x2002, ..] => is_public_v4(embedded_v4(2)),
        // Teredo, ORCHID, documentation.
        [0x2001, 0, ..] | [0x2001, 0x10..=0x2f, ..] | [0x2001, 0xdb8, ..] | [0x3fff, 0..=0x0fff, ..] => false,
        // Unique local, link-local, site-local, multicast.
        [first, ..] if (first & 0xfe00) == 0xfc00 || (first & 0xffc0) == 0xfe80 || (first & 0xffc0) == 0xfec0 => false,
        [first, ..] if (first & 0xff00) == 0xff00 => false,
        _ => true,
    }
}

/// Whether a request may go to `url`: an http(s) URL whose literal address, if it has one, is
/// public or allowed. Names are checked once resolved, by `PublicResolver`.
fn check_url(url: &Url, allowed: &AllowedHosts) -> Result<(), OutboundError> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(OutboundError::InvalidUrl);
    }
    let host = url.host_str().ok_or(OutboundError::InvalidUrl)?;
    // The URL parser already wrote a literal address in its standard notation.
    let Ok(ip) = host.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>() else {
        return Ok(());
    };
    if is_public(ip) || allowed.allows(&ip.to_string()) {
        Ok(())
    } else {
        Err(OutboundError::NotPublic)
    }
}

/// Resolves names, keeping only public addresses (every address, for a host the operator allows),
/// so the connection is made to an address that was checked.
struct PublicResolver {
    allowed: AllowedHosts,
}

impl Resolve for PublicResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allowed = self.allowed.allows(name.as_str());
        let host = name.as_str().to_string();
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let usable: Vec<SocketAddr> =
                found.into_iter().filter(|address| allowed || is_public(address.ip())).collect();
            if usable.is_empty() {
                return Err(Box::new(OutboundError::NotPublic) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(usable.into_iter()) as Addrs)
        })
    }
}

/// Reads an answer's body as it arrives, up to `cap` bytes, never holding more: `None` when it
/// is longer.
pub async fn read_up_to(response: &mut Response, cap: usize) -> Result<Option<Vec<u8>>, reqwest::Error> {
    if response.content_length().is_some_and(|length| length > cap as u64) {
        return Ok(None);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if body.len() + chunk.len() > cap {
            return Ok(None);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Some(body))
}

/// The client for tenants' addresses.
#[derive(Clone)]
pub struct TenantHttp {
    http: reqwest::Client,
    allowed: AllowedHosts,
    redirects: usize,
}

impl TenantHttp {
    /// A client that follows up to `redirects` redirects (none: a redirect is a failure), each
    /// checked like the first address.
    pub fn new(allowed: AllowedHosts, redirects: usize) -> Self {
        let in_policy = allowed.clone();
        let policy = Policy::custom(move |attempt: Attempt| {
            if redirects == 0 {
                return attempt.error(OutboundError::Redirected);
            }
            if attempt.previous().len() > redirects {
                return attempt.error(OutboundError::TooManyRedirects(redirects));
            }
            match check_url(attempt.url(), &in_policy) {
                Ok(()) => attempt.follow(),
                Err(refused) => attempt.error(refused),
            }
        });
        let http = reqwest::Client::builder()
            .no_proxy()
            .dns_resolver(Arc::new(PublicResolver { allowed: allowed.clone() }))
            .redirect(policy)
            .connect_timeout(Duration::from_secs(10))
            .build()
            .unwrap_or_default();
        Self { http, allowed, redirects }
    }

    /// A request to `url`, which must be allowed; `deadline` bounds the whole call, answer included.
    pub fn request(&self, method: Method, url: &str, deadline: Duration) -> Result<RequestBuilder, OutboundError> {
        let url = Url::parse(url.trim()).map_err(|_| OutboundError::InvalidUrl)?;
        check_url(&url, &self.allowed)?;
        Ok(self.http.request(method, url).timeout(deadline))
    }

    /// Sends `request`: a 2xx answer, or why not, in words for the tenant.
    pub async fn send(&self, request: RequestBuilder, deadline: Duration) -> Result<Response, OutboundError> {
        let response = request.send().await.map_err(|error| self.failure(&error, deadline))?;
        if response.status().is_redirection() {
            // Only reached when redirects are not followed.
            return Err(OutboundError::Redirected);
        }
        if !response.status().is_success() {
            return Err(OutboundError::Status(response.status()));
        }
        Ok(response)
    }

    /// Reads an answer's body, failing as soon as it passes `cap` bytes (never holding more).
    pub async fn read_capped(
        &self,
        mut response: Response,
        cap: usize,
        deadline: Duration,
    ) -> Result<Vec<u8>, OutboundError> {
        match read_up_to(&mut response, cap).await {
            Ok(Some(body)) => Ok(body),
            Ok(None) => Err(OutboundError::TooLarge(cap)),
            Err(error) => Err(self.failure(&error, deadline)),
        }
    }

    /// What a transport error means to the tenant; the detail stays in this node's log.
    fn failure(&self, error: &reqwest::Error, deadline: Duration) -> OutboundError {
        if let Some(refused) = cause::<OutboundError>(error) {
            return refused.clone();
        }
        if error.is_timeout() {
            return OutboundError::Timeout(deadline.as_millis());
        }
        if error.is_redirect() {
            return OutboundError::TooManyRedirects(self.redirects);
        }
        tracing::debug!(%error, "a tenant's address could not be reached");
        OutboundError::Unreachable
    }
}

/// The first error of type `E` in `error`'s chain of causes.
fn cause<'a, E: std::error::Error + 'static>(error: &'a (dyn std::error::Error + 'static)) -> Option<&'a E> {
    let mut current = Some(error);
    while let Some(error) = current {
        if let Some(found) = error.downcast_ref::<E>() {
            return Some(found);
        }
        current = error.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public(address: &str) -> bool {
        is_public(address.parse().unwrap())
    }

    #[test]
    fn loopback_private_link_local_and_reserved_addresses_are_not_public() {
        for address in [
            "127.0.0.1",
            "127.255.0.9",
            "0.0.0.0",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "192.0.0.8",
            "198.18.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "::",
            "::1",
            "::127.0.0.1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::ffff:10.0.0.1",
            "64:ff9b::a9fe:a9fe",
            "2002:7f00:1::",
            "2002:a00:1::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "ff02::1",
            "2001:db8::1",
            "2001::1",
        ] {
            assert!(!public(address), "{address} is not public");
        }
    }

    #[test]
    fn addresses_of_the_internet_are_public() {
        for address in [
            "8.8.8.8",
            "1.1.1.1",
            "172.32.0.1",
            "100.128.0.1",
            "2606:4700:4700::1111",
            "::ffff:8.8.8.8",
            "2002:808:808::",
        ] {
            assert!(public(address), "{address} is public");
        }
    }

    #[test]
    fn a_literal_address_is_checked_in_every_notation_a_url_can_write_it() {
        let none = AllowedHosts::default();
        for url in [
            "http://127.0.0.1/",
            "http://2130706433/",
            "http://0x7f000001/",
            "http://0x7f.0.0.1/",
            "http://0177.0.0.1/",
            "http://127.1/",
            "http://0/",
            "http://[::1]/",
            "http://[::ffff:7f00:1]/",
            "http://[0:0:0:0:0:ffff:127.0.0.1]/",
            "http://169.254.169.254/latest/meta-data/",
            "https://[fd00::1]:8443/",
        ] {
            let parsed = Url::parse(url).unwrap();
            assert_eq!(check_url(&parsed, &none), Err(OutboundError::NotPublic), "{url}");
        }
        assert_eq!(check_url(&Url::parse("ftp://8.8.8.8/").unwrap(), &none), Err(OutboundError::InvalidUrl));
        assert_eq!(check_url(&Url::parse("http://8.8.8.8/").unwrap(), &none), Ok(()));
    }

    #[test]
    fn the_operator_allows_hosts_by_name_or_address_in_any_spelling() {
        let allowed = AllowedHosts::parse(" CRM.internal. , 10.0.0.7,[fd00::7], ::ffff:10.0.0.8");
        for host in ["crm.internal", "crm.internal.", "10.0.0.7", "fd00::7", "[fd00::7]", "10.0.0.8", "::ffff:a00:7"] {
            assert!(allowed.allows(host), "{host} is allowed");
        }
        for host in ["other.internal", "10.0.0.9", "internal"] {
            assert!(!allowed.allows(host), "{host} is not allowed");
        }
        assert!(!AllowedHosts::parse("").allows(""), "an empty list allows nothing");
    }
}
