//! Where the demo's attacker site is (claims 9 and 15), and where its forms may aim.
//!
//! A browser on the server's machine reaches it on a second loopback port, under the other
//! loopback name (`localhost` and `127.0.0.1` are different sites to a browser). A visitor on
//! another machine reaches it only under a public name of its own, a different registrable
//! domain pointed at the same proxy: `--attacker-origin`. authlens then serves the attacker
//! page to requests whose `Host` is that name, on its main listener.

use std::net::IpAddr;

use crate::config::Origin;
use crate::http::client::host_name;

/// The attacker site of this server, as far as it has one.
#[derive(Clone, Debug, Default)]
pub struct AttackerSite {
    /// The loopback listener's port (`--attacker-addr`), once bound.
    pub loopback_port: Option<u16>,
    /// This authlens's own listening port, the one target of the loopback site's forms.
    pub authlens_port: u16,
    /// `--attacker-origin`: the public name, served on the main listener.
    pub public: Option<Origin>,
}

impl AttackerSite {
    /// Every origin the attacker site may be reached under, for the page's and the probes'
    /// policies: the public one, then the loopback pair.
    pub fn origins(&self) -> Vec<String> {
        let mut origins: Vec<String> = self.public.iter().map(Origin::to_string).collect();
        if let Some(port) = self.loopback_port {
            origins.push(format!("http://127.0.0.1:{port}"));
            origins.push(format!("http://localhost:{port}"));
        }
        origins
    }

    /// The attacker origin for a page reached under `page_host` (its `Host`), if its browser
    /// can reach one: the public origin; else, for a browser on this machine on a loopback name
    /// (`on_loopback`), the loopback listener under the other loopback name.
    pub fn for_page(&self, page_host: &str, on_loopback: bool) -> Option<String> {
        if let Some(public) = &self.public {
            return Some(public.to_string());
        }
        let port = self.loopback_port.filter(|_| on_loopback)?;
        let other = if host_name(page_host) == "localhost" {
            "127.0.0.1"
        } else {
            "localhost"
        };
        Some(format!("http://{other}:{port}"))
    }

    /// Whether the public attacker site is the same *site* as a page reached under
    /// `page_host`: the same registrable domain (a subdomain, or the page's own name). Then
    /// `SameSite` does not apply between them and claims 9 and 15 can show nothing. The
    /// browser's `Sec-Fetch-Site` would say so too, but it sends that header only to https
    /// and loopback origins.
    pub fn same_site_as(&self, page_host: &str) -> bool {
        let Some(public) = &self.public else {
            return false;
        };
        let page = host_name(page_host).to_ascii_lowercase();
        registrable(&page) == registrable(public.bare_host())
    }

    /// Whether a request whose `Host` is `host` is for the public attacker site.
    pub fn serves_host(&self, host: &str) -> bool {
        self.public
            .as_ref()
            .is_some_and(|public| host_name(host).eq_ignore_ascii_case(public.bare_host()))
    }

    /// Whether the attacker page may aim its forms at `target`, a page origin. On loopback:
    /// this authlens's own port only (not another service on the machine, such as Redis).
    /// Public: a public name on the attacker origin's scheme and port (the proxy that serves
    /// both names), never the attacker's own name, an address or a loopback name.
    pub fn accepts_target(&self, target: &str) -> bool {
        let port = self.authlens_port;
        if ["127.0.0.1", "localhost"]
            .iter()
            .any(|host| target == format!("http://{host}:{port}"))
        {
            return true;
        }
        let (Some(public), Ok(target)) = (&self.public, Origin::parse(target)) else {
            return false;
        };
        target.https() == public.https()
            && target.effective_port() == public.effective_port()
            && target.host() != public.host()
            && !target.is_local_or_literal()
    }
}

/// A host's registrable domain ("site"): `a.authlens.example` → `authlens.example`; a name the
/// Public Suffix List does not know (`authlens.test`) counts as its last two labels, and an
/// address as itself.
fn registrable(host: &str) -> String {
    if host.parse::<IpAddr>().is_ok() {
        return host.to_owned();
    }
    psl::domain_str(host).unwrap_or(host).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosted() -> AttackerSite {
        AttackerSite {
            loopback_port: Some(4000),
            authlens_port: 3000,
            public: Some(Origin::parse("https://Attacker.test:8443").unwrap()),
        }
    }

    #[test]
    fn an_origin_is_scheme_host_and_port_only() {
        let origin = Origin::parse("https://Attacker.Example/").unwrap();
        assert_eq!(origin.to_string(), "https://attacker.example");
        assert_eq!(
            Origin::parse("http://a.test:8080").unwrap().to_string(),
            "http://a.test:8080"
        );
        // The default port is no port: that is how a browser writes the origin.
        assert_eq!(
            Origin::parse("https://a.test:443").unwrap().to_string(),
            "https://a.test"
        );
        for bad in [
            "attacker.example",
            "ftp://a.test",
            "https://a.test/path",
            "https://a.test?x=1",
            "https://a.test#top",
            "https://user@a.test",
            "https://",
            "https://a.test//",
        ] {
            let why = Origin::parse(bad).expect_err(bad);
            assert!(why.contains("bare http(s) origin"), "{bad}: {why}");
        }
    }

    #[test]
    fn the_page_gets_the_public_origin_or_the_other_loopback_name_or_none() {
        assert_eq!(
            hosted().for_page("authlens.test:8443", false).as_deref(),
            Some("https://attacker.test:8443")
        );
        let loopback = AttackerSite {
            public: None,
            ..hosted()
        };
        assert_eq!(
            loopback.for_page("127.0.0.1:3000", true).as_deref(),
            Some("http://localhost:4000")
        );
        assert_eq!(
            loopback.for_page("localhost:3000", true).as_deref(),
            Some("http://127.0.0.1:4000")
        );
        // A remote browser would reach its own machine on a loopback name.
        assert_eq!(loopback.for_page("authlens.example", false), None);
    }

    #[test]
    fn only_the_public_name_is_served_as_the_attacker_site() {
        assert!(hosted().serves_host("attacker.test:8443"));
        assert!(hosted().serves_host("ATTACKER.test"));
        assert!(!hosted().serves_host("authlens.test:8443"));
        assert!(!AttackerSite::default().serves_host("attacker.test"));
    }

    #[test]
    fn an_attacker_under_the_pages_own_domain_is_the_same_site() {
        let under = |origin: &str| AttackerSite {
            public: Some(Origin::parse(origin).unwrap()),
            ..hosted()
        };
        assert!(!hosted().same_site_as("authlens.test:8443"));
        assert!(under("https://evil.authlens.test").same_site_as("authlens.test"));
        assert!(
            under("https://attacker.authlens.example").same_site_as("www.authlens.example:443")
        );
        assert!(!under("https://authlens-attacker.example").same_site_as("authlens.example"));
        // github.io is a public suffix: two pages under it are two sites.
        assert!(!under("https://attacker.github.io").same_site_as("authlens.github.io"));
        assert!(!AttackerSite::default().same_site_as("authlens.test"));
    }

    #[test]
    fn forms_aim_only_at_this_authlens() {
        let site = hosted();
        assert!(site.accepts_target("http://127.0.0.1:3000"));
        assert!(site.accepts_target("http://localhost:3000"));
        assert!(site.accepts_target("https://authlens.test:8443"));
        for bad in [
            "http://127.0.0.1:6379",
            "https://attacker.test:8443",
            "https://authlens.test:9999",
            "http://authlens.test:8443",
            "https://127.0.0.1:8443",
            "https://localhost:8443",
            "https://authlens.test:8443/path",
            "",
        ] {
            assert!(!site.accepts_target(bad), "{bad}");
        }
        let loopback = AttackerSite {
            public: None,
            ..hosted()
        };
        assert!(!loopback.accepts_target("https://authlens.test:8443"));
    }
}
