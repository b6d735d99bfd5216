//! Who the client is and how it reached us. By default that is the TCP peer, and `Host` or
//! `X-Forwarded-*` from anyone decide nothing. Only when the peer is a proxy the server was
//! told to trust (`--trusted-proxy`) are `X-Forwarded-For` (the client's address, for the login
//! limit and the per-client connection ceiling) and `X-Forwarded-Proto` (https, for `Secure`
//! cookies and HSTS) believed.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{Extensions, HeaderMap, HeaderValue, header};
use axum::response::Response;
use ipnet::IpNet;

/// The proxies whose forwarding headers are believed.
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    pub fn new(networks: Vec<IpNet>) -> Self {
        TrustedProxies(networks)
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|network| network.contains(&ip))
    }
}

/// What the server knows of the request's client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Client {
    /// The client's address: the peer, or the address a trusted proxy forwarded for it.
    /// Unspecified (`::`) for an in-process caller with no peer (the tests, the lab's balancer).
    pub ip: IpAddr,
    /// A trusted proxy says the request came over https.
    pub https: bool,
    /// The browser is on this machine and on a loopback name (http://localhost, 127.0.0.1,
    /// [::1]), which browsers treat as a secure context: `Secure` cookies are kept there.
    pub loopback: bool,
}

impl Client {
    /// Resolves the client of a request that came from `peer` (`None`: in-process).
    pub fn resolve(peer: Option<IpAddr>, headers: &HeaderMap, trusted: &TrustedProxies) -> Self {
        let via_proxy = peer.is_some_and(|ip| trusted.contains(ip));
        let ip = match peer {
            Some(peer) if via_proxy => forwarded_for(headers, trusted).unwrap_or(peer),
            Some(peer) => peer,
            None => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
        };
        Client {
            ip: canonical(ip),
            https: via_proxy && forwarded_https(headers),
            loopback: peer.is_none_or(|ip| canonical(ip).is_loopback()) && loopback_host(headers),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(of(parts))
    }
}

/// The request's client as the edge resolved it (or, outside it, from the peer alone).
pub fn of(parts: &Parts) -> Client {
    found(&parts.extensions, &parts.headers)
}

/// [`of`] for a whole request, in middleware.
pub fn of_request(request: &Request) -> Client {
    found(request.extensions(), request.headers())
}

fn found(extensions: &Extensions, headers: &HeaderMap) -> Client {
    extensions
        .get::<Client>()
        .copied()
        .unwrap_or_else(|| Client::resolve(peer(extensions), headers, &TrustedProxies::default()))
}

/// The TCP peer's address (`None` in-process).
pub fn peer(extensions: &Extensions) -> Option<IpAddr> {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip())
}

impl Client {
    /// Adds HSTS to an answer sent over https: browsers then never try plain http first.
    pub fn add_hsts(&self, response: &mut Response) {
        if self.https {
            // Two years, as hstspreload.org asks; no includeSubDomains: other apps may share the domain.
            response.headers_mut().insert(
                header::STRICT_TRANSPORT_SECURITY,
                HeaderValue::from_static("max-age=63072000"),
            );
        }
    }
}

/// The client address in `X-Forwarded-For`: walking from the right (the nearest proxy's entry),
/// the first address that is not itself a trusted proxy. Entries further left were written by
/// whoever sent the request, so they are never believed over a nearer one.
fn forwarded_for(headers: &HeaderMap, trusted: &TrustedProxies) -> Option<IpAddr> {
    let entries: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(|entry| entry.trim().parse::<IpAddr>().ok())
        .collect::<Option<_>>()?;
    let mut nearest_first = entries.iter().rev().copied();
    let mut last = None;
    for ip in nearest_first.by_ref() {
        if !trusted.contains(ip) {
            return Some(ip);
        }
        last = Some(ip);
    }
    last
}

/// `X-Forwarded-Proto: https` as the nearest proxy wrote it (the last entry).
fn forwarded_https(headers: &HeaderMap) -> bool {
    headers
        .get_all("x-forwarded-proto")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .next_back()
        .is_some_and(|proto| proto.trim().eq_ignore_ascii_case("https"))
}

/// `Host` names this machine: `localhost` (or a name under it), or a loopback address.
fn loopback_host(headers: &HeaderMap) -> bool {
    let Some(host) = headers
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
    else {
        return false;
    };
    let name = host_name(host).trim_end_matches('.');
    let under_localhost = name.len() > ".localhost".len()
        && name.is_char_boundary(name.len() - ".localhost".len())
        && name[name.len() - ".localhost".len()..].eq_ignore_ascii_case(".localhost");
    name.eq_ignore_ascii_case("localhost")
        || under_localhost
        || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// A `Host` value's name, without its port or an IPv6 address's brackets
/// (`a.test:8443` → `a.test`, `[::1]:3000` → `::1`).
pub fn host_name(host: &str) -> &str {
    match host.strip_prefix('[') {
        Some(bracketed) => bracketed.split(']').next().unwrap_or_default(),
        None => host.rsplit_once(':').map_or(host, |(name, _port)| name),
    }
}

/// An IPv4 address written as IPv6 (`::ffff:10.0.0.1`) is that IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        IpAddr::V4(_) => ip,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(*name, HeaderValue::from_str(value).unwrap());
        }
        headers
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn proxies(networks: &[&str]) -> TrustedProxies {
        TrustedProxies::new(
            networks
                .iter()
                .map(|n| crate::config::parse_network(n).unwrap())
                .collect(),
        )
    }

    #[test]
    fn without_a_trusted_proxy_forwarding_headers_decide_nothing() {
        let forged = headers(&[
            ("host", "example.com"),
            ("x-forwarded-for", "203.0.113.9"),
            ("x-forwarded-proto", "https"),
        ]);
        let client = Client::resolve(Some(ip("198.51.100.7")), &forged, &proxies(&[]));
        assert_eq!(client.ip, ip("198.51.100.7"));
        assert!(!client.https && !client.loopback);
    }

    #[test]
    fn a_trusted_proxy_names_the_client_and_the_scheme() {
        let trusted = proxies(&["10.0.0.0/8", "192.0.2.1"]);
        let forwarded = headers(&[
            // The leftmost entry came from the client itself: a nearer one wins.
            ("x-forwarded-for", "1.2.3.4, 203.0.113.9"),
            ("x-forwarded-for", "10.1.1.1"),
            ("x-forwarded-proto", "https"),
        ]);
        let client = Client::resolve(Some(ip("10.0.0.2")), &forwarded, &trusted);
        assert_eq!(client.ip, ip("203.0.113.9"));
        assert!(client.https);
        let direct = Client::resolve(Some(ip("192.0.2.1")), &headers(&[]), &trusted);
        assert_eq!(direct.ip, ip("192.0.2.1"), "no header: the proxy itself");
        assert!(!direct.https);
        let garbage = headers(&[("x-forwarded-for", "not an address")]);
        let client = Client::resolve(Some(ip("10.0.0.2")), &garbage, &trusted);
        assert_eq!(
            client.ip,
            ip("10.0.0.2"),
            "an unreadable chain is not believed"
        );
    }

    #[test]
    fn only_a_real_loopback_name_is_a_secure_context() {
        let local = Some(ip("127.0.0.1"));
        let none = proxies(&[]);
        for host in [
            "localhost:3000",
            "127.0.0.1:3000",
            "[::1]:3000",
            "app.localhost",
            "127.5.5.5",
        ] {
            let client = Client::resolve(local, &headers(&[("host", host)]), &none);
            assert!(client.loopback, "{host}");
        }
        for host in [
            "127.evil.example",
            "localhost.evil.example",
            "example.com",
            "10.0.0.1:80",
        ] {
            let client = Client::resolve(local, &headers(&[("host", host)]), &none);
            assert!(!client.loopback, "{host}");
        }
        let remote = Client::resolve(
            Some(ip("198.51.100.7")),
            &headers(&[("host", "localhost")]),
            &none,
        );
        assert!(!remote.loopback, "a remote peer is not on this machine");
        let mapped = Client::resolve(
            Some(ip("::ffff:127.0.0.1")),
            &headers(&[("host", "localhost")]),
            &none,
        );
        assert!(mapped.loopback);
    }
}
