//! The session cookie: `HttpOnly` so scripts cannot read it, `SameSite=Lax` so
//! cross-site form posts do not carry it, `Path=/`, and `Secure` where the browser allows it.

use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue};
use axum_extra::extract::cookie::{Cookie, SameSite};

use crate::storage::sessions::SessionId;

pub enum CookieValue {
    Missing,
    /// Present but not something this server could have issued (tampered, truncated…).
    Malformed,
    /// Sent more than once (a cookie tossed in from a sibling subdomain can sit beside the real
    /// one): which one the browser meant cannot be known, so none is trusted.
    Twice,
    Id(SessionId),
}

/// The value of the cookie called `name` (the app's `authlens_sid`, or the lab nodes' own).
/// Only that cookie is looked at, borrowed from the header: no jar of every cookie is built.
pub fn read(headers: &HeaderMap, name: &str) -> CookieValue {
    let mut found = crate::http::cookies::named(headers, name);
    match (found.next(), found.next()) {
        (None, _) => CookieValue::Missing,
        (Some(_), Some(_)) => CookieValue::Twice,
        (Some(cookie), None) => {
            SessionId::parse(cookie.value()).map_or(CookieValue::Malformed, CookieValue::Id)
        }
    }
}

/// Every well-formed session id the request named, however many times the cookie came.
pub fn every_id(headers: &HeaderMap, name: &str) -> Vec<SessionId> {
    crate::http::cookies::named(headers, name)
        .filter_map(|cookie| SessionId::parse(cookie.value()))
        .collect()
}

pub fn session_cookie(
    name: &'static str,
    id: &SessionId,
    secure: bool,
    lifetime: Duration,
) -> HeaderValue {
    let max_age = time::Duration::seconds(lifetime.as_secs().min(i64::MAX as u64) as i64);
    header_value(base(name, id.to_string(), secure).max_age(max_age).build())
}

/// Tells the browser to drop the cookie now.
pub fn expired_cookie(name: &'static str, secure: bool) -> HeaderValue {
    let mut cookie = base(name, String::new(), secure).build();
    cookie.make_removal();
    header_value(cookie)
}

fn base(name: &'static str, value: String, secure: bool) -> ::cookie::CookieBuilder<'static> {
    Cookie::build((name, value))
        .http_only(true)
        .same_site(SameSite::Lax)
        .path("/")
        .secure(secure)
}

fn header_value(cookie: Cookie<'_>) -> HeaderValue {
    // The name is a constant and the value base64url, so the header is always valid.
    HeaderValue::from_str(&cookie.encoded().to_string())
        .expect("a session cookie is a valid header value")
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::api::SESSION_COOKIE;
    use axum::http::header;

    fn cookie_header(value: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.append(header::COOKIE, HeaderValue::from_static(value));
        headers
    }

    #[test]
    fn reads_the_named_cookie_among_others() {
        let id = SessionId::generate();
        let line = format!("theme=dark; {SESSION_COOKIE}={id}; lang=ko").leak();
        let CookieValue::Id(read_id) = read(&cookie_header(line), SESSION_COOKIE) else {
            panic!("the session cookie was not found in {line}");
        };
        assert_eq!(read_id, id);
        assert!(matches!(
            read(&cookie_header("theme=dark"), SESSION_COOKIE),
            CookieValue::Missing
        ));
        assert!(matches!(
            read(&cookie_header("authlens_sid=tampered"), SESSION_COOKIE),
            CookieValue::Malformed
        ));
    }

    #[test]
    fn the_session_cookie_has_every_protective_attribute() {
        let id = SessionId::generate();
        let header = session_cookie(SESSION_COOKIE, &id, true, Duration::from_secs(3600));
        let header = header.to_str().unwrap();
        assert!(
            header.starts_with(&format!("{SESSION_COOKIE}={id};")),
            "{header}"
        );
        for attribute in [
            "HttpOnly",
            "SameSite=Lax",
            "Path=/",
            "Secure",
            "Max-Age=3600",
        ] {
            assert!(
                header.contains(attribute),
                "{attribute} missing from {header}"
            );
        }
    }

    #[test]
    fn secure_is_left_out_only_when_asked() {
        let header = session_cookie(
            SESSION_COOKIE,
            &SessionId::generate(),
            false,
            Duration::from_secs(60),
        );
        assert!(!header.to_str().unwrap().contains("Secure"));
    }

    #[test]
    fn the_removal_cookie_expires_at_once() {
        let header = expired_cookie(SESSION_COOKIE, true);
        let header = header.to_str().unwrap();
        assert!(
            header.starts_with(&format!("{SESSION_COOKIE}=;")),
            "{header}"
        );
        assert!(header.contains("Max-Age=0"), "{header}");
    }
}
