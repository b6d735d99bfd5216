//! Who is looking: every browser gets a visitor id in a cookie of its own (`authlens_visitor`),
//! never the session cookie under study. Every piece of demo state (store rows listed as
//! "yours", the lab cluster, the probe log, bulk runs) is keyed by it, so what one visitor does
//! never changes what another sees. A request without the cookie (plain curl) is a visitor of
//! its own for that one request, and is offered the cookie for the next, but only if it used
//! one (or loaded the page): a health check or a static file costs no random id and no cookie.

use std::sync::{Arc, OnceLock};

use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use axum_extra::extract::cookie::{Cookie, SameSite};

pub use app::api::{VISITOR_COOKIE, VISITOR_COOKIE_HOST, visitor_cookie_name};

pub use crate::ids::VisitorId;

impl VisitorId {
    /// The value of the visitor cookie called `name` in `headers`, if it holds a well-formed
    /// id. When a browser sends the name twice (a cookie tossed in from a sibling site), none
    /// is trusted.
    pub fn from_cookie(headers: &HeaderMap, name: &str) -> Option<Self> {
        let mut found = crate::http::cookies::named(headers, name);
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
        // Set by [`arrive`] on the main server; a lab node reads the forwarded cookie itself.
        if let Some(visitor) = parts.extensions.get::<Visitor>() {
            return Ok(*visitor);
        }
        if let Some(NewVisitor(made)) = parts.extensions.get::<NewVisitor>() {
            return Ok(Visitor(*made.get_or_init(VisitorId::generate)));
        }
        // A lab node sees the browser's cookies as the balancer forwarded them, under either name.
        let visitor = Visitor(
            VisitorId::from_cookie(&parts.headers, VISITOR_COOKIE_HOST)
                .or_else(|| VisitorId::from_cookie(&parts.headers, VISITOR_COOKIE))
                .unwrap_or_else(VisitorId::generate),
        );
        parts.extensions.insert(visitor);
        Ok(visitor)
    }
}

/// A cookieless request's visitor, made the first time something asks for it.
#[derive(Clone)]
struct NewVisitor(Arc<OnceLock<VisitorId>>);

/// What [`arrive`] found, for [`leave`]: room for a new visitor if the request had none, and
/// whether it could be a page load (a `GET`).
pub struct Arrival(Option<Arc<OnceLock<VisitorId>>>, bool);

/// Before the route: the visitor the request's cookie names, or room for a new one. `secure`
/// says which name the cookie has (`__Host-authlens_visitor` where it is `Secure`).
pub fn arrive(request: &mut Request, secure: bool) -> Arrival {
    let loads_a_page = request.method() == axum::http::Method::GET;
    match VisitorId::from_cookie(request.headers(), visitor_cookie_name(secure)) {
        Some(known) => {
            request.extensions_mut().insert(Visitor(known));
            Arrival(None, loads_a_page)
        }
        None => {
            let made = Arc::new(OnceLock::new());
            request.extensions_mut().insert(NewVisitor(made.clone()));
            Arrival(Some(made), loads_a_page)
        }
    }
}

/// After the route: a visitor made for this request gets its cookie, and so does a browser
/// loading the page without one, before its scripts make calls of their own (which, sent
/// together, would each be made a different visitor). `secure` as for the session cookie.
/// An HTML answer to a form post is no page load: the cross-site probes' answers (experiments
/// 9 and 15) come without the visitor's cookie by design, and must not hand out a new one that
/// would replace it.
pub fn leave(arrival: Arrival, response: &mut Response, secure: bool) {
    let Arrival(Some(made), loads_a_page) = arrival else {
        return;
    };
    let is_page = loads_a_page
        && crate::http::security_headers::content_type_is(response.headers(), "text/html");
    let visitor = match made.get() {
        Some(visitor) => *visitor,
        None if is_page => VisitorId::generate(),
        None => return,
    };
    response
        .headers_mut()
        .append(header::SET_COOKIE, visitor_cookie(&visitor, secure));
}

/// `authlens_visitor=<id>; HttpOnly; SameSite=Lax; Path=/`, or where it is `Secure`
/// `__Host-authlens_visitor=<id>; …; Secure`: a browser-session cookie, gone when the browser
/// closes, like the demo state it keys.
pub fn visitor_cookie(visitor: &VisitorId, secure: bool) -> HeaderValue {
    let cookie = Cookie::build((visitor_cookie_name(secure), visitor.to_string()))
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
        let found = VisitorId::from_cookie(
            &headers(&format!("authlens_sid=x; {VISITOR_COOKIE}={id}; other=1")),
            VISITOR_COOKIE,
        );
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
            assert_eq!(
                VisitorId::from_cookie(&headers(&cookie), VISITOR_COOKIE),
                None,
                "{cookie}"
            );
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
        let secure = visitor_cookie(&VisitorId::generate(), true);
        let text = secure.to_str().unwrap();
        assert!(text.starts_with("__Host-authlens_visitor="), "{text}");
        assert!(text.contains("Secure") && text.contains("Path=/") && !text.contains("Domain"));
    }
}
