//! A bare http(s) origin, as `--attacker-origin` takes it.

use std::fmt;
use std::net::IpAddr;

/// A bare http(s) origin: scheme, host and an optional port, nothing else.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    https: bool,
    /// Lower case, as browsers and `Host` compare it; an IPv6 address keeps its brackets.
    host: String,
    /// `None` for the scheme's default port.
    port: Option<u16>,
}

impl Origin {
    /// Reads `https://name.example` or `http://name.example:8080` (one trailing `/` allowed);
    /// refuses a path, query, fragment, user name or another scheme, saying which.
    pub fn parse(text: &str) -> Result<Origin, String> {
        let refuse = |why: &str| {
            Err(format!(
                "{text:?} is not a bare http(s) origin (scheme, host, optional port, e.g. https://authlens-attacker.example): {why}"
            ))
        };
        let url = match url::Url::parse(text) {
            Ok(url) => url,
            Err(err) => return refuse(&err.to_string()),
        };
        let https = match url.scheme() {
            "https" => true,
            "http" => false,
            other => return refuse(&format!("the scheme is {other}")),
        };
        if !url.username().is_empty() || url.password().is_some() {
            return refuse("it names a user");
        }
        if url.path() != "/" || text.ends_with("//") {
            return refuse("it has a path");
        }
        if url.query().is_some() || url.fragment().is_some() {
            return refuse("it has a query or fragment");
        }
        let Some(host) = url.host_str() else {
            return refuse("it has no host");
        };
        Ok(Origin {
            https,
            host: host.to_ascii_lowercase(),
            port: url.port(),
        })
    }

    pub fn https(&self) -> bool {
        self.https
    }

    pub fn host(&self) -> &str {
        &self.host
    }

    /// The port a browser connects to.
    pub fn effective_port(&self) -> u16 {
        self.port.unwrap_or(if self.https { 443 } else { 80 })
    }

    /// The host as a `Host` header's name is compared with it: an IPv6 address without brackets.
    pub fn bare_host(&self) -> &str {
        self.host.trim_start_matches('[').trim_end_matches(']')
    }

    /// Whether the host is an address or a loopback name rather than a public name.
    pub fn is_local_or_literal(&self) -> bool {
        let bare = self.bare_host();
        bare.parse::<IpAddr>().is_ok() || bare == "localhost" || bare.ends_with(".localhost")
    }
}

/// As a browser serializes it: `https://host` or `https://host:port`.
impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = if self.https { "https" } else { "http" };
        match self.port {
            Some(port) => write!(f, "{scheme}://{}:{port}", self.host),
            None => write!(f, "{scheme}://{}", self.host),
        }
    }
}
