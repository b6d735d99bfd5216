//! The session cookie: `HttpOnly` so scripts cannot read it, `SameSite=Lax` so
//! cross-site form posts do not carry it, `Path=/`, and `Secure` where the browser allows it.

use std::time::Duration;

use axum::http::HeaderValue;
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};

use app::api::SESSION_COOKIE;

use crate::store::SessionId;

pub enum CookieValue {
    Missing,
    /// Present but not something this server could have issued (tampered, truncated…).
    Malformed,
    Id(SessionId),
}

pub fn read(jar: &CookieJar) -> CookieValue {
    match jar.get(SESSION_COOKIE) {
        None => CookieValue::Missing,
        Some(cookie) => {
            SessionId::parse(cookie.value()).map_or(CookieValue::Malformed, CookieValue::Id)
        }
    }
}

pub fn session_cookie(id: &SessionId, secure: bool, lifetime: Duration) -> HeaderValue {
    let max_age = time::Duration::seconds(lifetime.as_secs().min(i64::MAX as u64) as i64);
    header_value(base(id.to_string(), secure).max_age(max_age).build())
}

/// Tells the browser to drop the cookie now.
pub fn expired_cookie(secure: bool) -> HeaderValue {
    let mut cookie = base(String::new(), secure).build();
    cookie.make_removal();
    header_value(cookie)
}

fn base(value: String, secure: bool) -> ::cookie::CookieBuilder<'static> {
    Cookie::build((SESSION_COOKIE, value))
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

    #[test]
    fn the_session_cookie_has_every_protective_attribute() {
        let id = SessionId::generate();
        let header = session_cookie(&id, true, Duration::from_secs(3600));
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
        let header = session_cookie(&SessionId::generate(), false, Duration::from_secs(60));
        assert!(!header.to_str().unwrap().contains("Secure"));
    }

    #[test]
    fn the_removal_cookie_expires_at_once() {
        let header = expired_cookie(true);
        let header = header.to_str().unwrap();
        assert!(
            header.starts_with(&format!("{SESSION_COOKIE}=;")),
            "{header}"
        );
        assert!(header.contains("Max-Age=0"), "{header}");
    }
}
