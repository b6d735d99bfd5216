//! Reading one cookie by name from the `Cookie` headers, borrowed from them: no jar of every
//! cookie is built (the session and visitor cookies are read on every request).

use axum::http::{HeaderMap, header};
use cookie::Cookie;

use crate::config::SecureCookie;
use crate::http::client::Client;

/// Every cookie called `name` the request carried, in order (a browser may send one name
/// twice, e.g. when a sibling subdomain set it too).
pub fn named<'a>(headers: &'a HeaderMap, name: &'a str) -> impl Iterator<Item = Cookie<'a>> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .filter(move |cookie| cookie.name() == name)
}

/// Whether cookies get `Secure` for `client`: over https (as a trusted proxy says), and for a
/// browser on http://localhost, which keeps `Secure` cookies there.
pub fn secure_for(policy: SecureCookie, client: &Client) -> bool {
    match policy {
        SecureCookie::Always => true,
        SecureCookie::Never => false,
        SecureCookie::Auto => client.https || client.loopback,
    }
}
