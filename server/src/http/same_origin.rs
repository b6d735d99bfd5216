//! CSRF, the second layer. `SameSite=Lax` keeps the session cookie off a cross-site form post,
//! but it is one attribute on one cookie, and "same site" still lets a sibling subdomain in.
//! So every state-changing request (any method but GET, HEAD, OPTIONS) must also show it came
//! from this very origin: the browser's own `Sec-Fetch-Site` says `same-origin` (or `none`, a
//! person typing), or, from an older browser that sends no `Sec-Fetch-*`, `Origin` is ours.
//! A request with neither is not from a browser page (curl, Python) and passes: CSRF needs a
//! victim's browser. Refused: `403 cross_site_request`, naming the header that decided.

use axum::extract::Request;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::Response;

use crate::http::client::Client;
use crate::http::error::{ErrorCode, error_response};

/// The routes that record cross-site posts for experiments 9 and 15 (they must see them to
/// show them; neither acts for anyone but the demo's own test cookies and cart).
const PROBE_PATHS: [&str; 2] = ["/api/lab/csrf-probe", "/api/lab/samesite/probe"];

/// The header line that shows `headers` came from another origin, or `None` if nothing does.
pub fn refused_by(headers: &HeaderMap, client: &Client) -> Option<String> {
    let text = |name: &str| headers.get(name).map(|value| value.to_str().unwrap_or("?"));
    if let Some(site) = text("sec-fetch-site") {
        return match site {
            "same-origin" | "none" => None,
            other => Some(format!("Sec-Fetch-Site: {other}")),
        };
    }
    let origin = text(header::ORIGIN.as_str())?;
    let host = text(header::HOST.as_str()).unwrap_or_default();
    let scheme = if client.https { "https" } else { "http" };
    let ours = origin
        .strip_prefix(scheme)
        .and_then(|rest| rest.strip_prefix("://"))
        .is_some_and(|authority| authority.eq_ignore_ascii_case(host) && !host.is_empty());
    (!ours).then(|| format!("Origin: {origin}"))
}

fn changes_state(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The `403 cross_site_request` for a state-changing request from another site (the lab's
/// `/lb/` routes too), or `None` to let it through.
pub fn refusal(request: &Request, client: &Client) -> Option<Response> {
    if !changes_state(request.method()) || PROBE_PATHS.contains(&request.uri().path()) {
        return None;
    }
    let header_line = refused_by(request.headers(), client)?;
    Some(error_response(
        StatusCode::FORBIDDEN,
        ErrorCode::CrossSiteRequest,
        format!(
            "Refused: this request changes state and came from another site ({header_line}). \
             Only this site's own pages may send it."
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn verdict(pairs: &[(&'static str, &str)], https: bool) -> Option<String> {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        let client = Client {
            ip: [127, 0, 0, 1].into(),
            https,
            loopback: false,
        };
        refused_by(&headers, &client)
    }

    #[test]
    fn the_browsers_word_decides_first() {
        assert_eq!(verdict(&[("sec-fetch-site", "same-origin")], false), None);
        assert_eq!(verdict(&[("sec-fetch-site", "none")], false), None);
        for site in ["cross-site", "same-site"] {
            assert_eq!(
                verdict(
                    &[
                        ("sec-fetch-site", site),
                        ("origin", "http://a"),
                        ("host", "a")
                    ],
                    false
                ),
                Some(format!("Sec-Fetch-Site: {site}"))
            );
        }
    }

    #[test]
    fn without_it_origin_must_be_this_origin() {
        let host = ("host", "authlens.example:8080");
        assert_eq!(
            verdict(&[host, ("origin", "http://authlens.example:8080")], false),
            None
        );
        assert_eq!(
            verdict(&[host, ("origin", "http://authlens.example:8080")], true),
            Some("Origin: http://authlens.example:8080".into()),
            "over https, an http origin is another origin"
        );
        assert_eq!(
            verdict(&[host, ("origin", "https://authlens.example:8080")], true),
            None
        );
        for foreign in [
            "http://evil.example",
            "null",
            "http://authlens.example:8080.evil",
        ] {
            assert_eq!(
                verdict(&[host, ("origin", foreign)], false),
                Some(format!("Origin: {foreign}"))
            );
        }
        assert_eq!(
            verdict(&[host], false),
            None,
            "no browser header: not a browser page"
        );
    }
}
