//! Who is looking: every browser gets a visitor id in a cookie of its own (`authlens_visitor`),
//! never the session cookie under study. Every piece of demo state (store rows listed as
//! "yours", the lab cluster, the probe log, bulk runs) is keyed by it, so what one visitor does
//! never changes what another sees. A request without the cookie (plain curl) is a visitor of
//! its own for that one request, and is offered the cookie for the next.

use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use axum_extra::extract::cookie::{Cookie, SameSite};

pub use app::api::VISITOR_COOKIE;

crate::random::random_id!(
    /// 128 random bits: unguessable, so nobody can act as another visitor by naming their id.
    VisitorId,
    16,
    "visitor id"
);

impl VisitorId {
    /// The visitor cookie's value in `headers`, if it holds a well-formed id. When a browser
    /// sends the name twice (a cookie tossed in from a sibling site), none is trusted.
    pub fn from_cookie(headers: &HeaderMap) -> Option<Self> {
        let mut found = crate::cookies::named(headers, VISITOR_COOKIE);
        let first = found.next()?;
        if found.next().is_some() {
            return None;
        }
        VisitorId::parse(first.value())
    }
}

/// The visitor a request belongs to: the one its cookie names, or a new one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Visitor(pub VisitorId);

impl<S: Send + Sync> FromRequestParts<S> for Visitor {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        // Set by [`assign`] on the main server; a lab node reads the forwarded cookie itself.
        if let Some(visitor) = parts.extensions.get::<Visitor>() {
            return Ok(*visitor);
        }
        let visitor =
            Visitor(VisitorId::from_cookie(&parts.headers).unwrap_or_else(VisitorId::generate));
        parts.extensions.insert(visitor);
        Ok(visitor)
    }
}

/// Middleware around the whole server: finds the request's visitor and, when the browser had
/// no (valid) visitor cookie, sets one on the answer. `secure` says whether the cookie gets
/// `Secure`, decided as for the session cookie.
pub async fn assign(secure: bool, mut request: Request, next: Next) -> Response {
    let known = VisitorId::from_cookie(request.headers());
    let visitor = known.unwrap_or_else(VisitorId::generate);
    request.extensions_mut().insert(Visitor(visitor));
    let mut response = next.run(request).await;
    if known.is_none() {
        response
            .headers_mut()
            .append(header::SET_COOKIE, visitor_cookie(&visitor, secure));
    }
    response
}

/// `authlens_visitor=<id>; HttpOnly; SameSite=Lax; Path=/` (+ `Secure`): a browser-session
/// cookie, gone when the browser closes, like the demo state it keys.
pub fn visitor_cookie(visitor: &VisitorId, secure: bool) -> HeaderValue {
    let cookie = Cookie::build((VISITOR_COOKIE, visitor.to_string()))
        .http_only(true)
        .same_site(SameSite::Lax)
        .path("/")
        .secure(secure)
        .build();
    HeaderValue::from_str(&cookie.encoded().to_string())
        .expect("a base64url cookie is a valid header value")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(cookie: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_str(cookie).unwrap());
        headers
    }

    #[test]
    fn an_id_round_trips_through_its_cookie() {
        let id = VisitorId::generate();
        let found = VisitorId::from_cookie(&headers(&format!(
            "authlens_sid=x; {VISITOR_COOKIE}={id}; other=1"
        )));
        assert_eq!(found, Some(id));
        assert_ne!(VisitorId::generate(), id, "every visitor gets a new id");
    }

    #[test]
    fn a_malformed_or_doubled_cookie_names_no_visitor() {
        let id = VisitorId::generate();
        for cookie in [
            format!("{VISITOR_COOKIE}=short"),
            format!("{VISITOR_COOKIE}={id}x"),
            format!(
                "{VISITOR_COOKIE}={id}; {VISITOR_COOKIE}={}",
                VisitorId::generate()
            ),
            "authlens_sid=abc".to_owned(),
        ] {
            assert_eq!(VisitorId::from_cookie(&headers(&cookie)), None, "{cookie}");
        }
    }

    #[test]
    fn the_cookie_is_http_only_lax_and_site_wide() {
        let cookie = visitor_cookie(&VisitorId::generate(), false);
        let text = cookie.to_str().unwrap();
        assert!(text.starts_with(&format!("{VISITOR_COOKIE}=")), "{text}");
        for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
            assert!(text.contains(attribute), "{text} lacks {attribute}");
        }
        assert!(!text.contains("Max-Age"), "{text}");
    }
}
