//! Security headers. Every response gets `X-Content-Type-Options` and a Content-Security-Policy,
//! documents (HTML) also `Referrer-Policy` and `Cross-Origin-Opener-Policy`; the page's policy allows only its own files, the inline scripts
//! Leptos marks with this response's nonce, and the attacker site's frame for claim 9.

use axum::http::{HeaderMap, HeaderName, HeaderValue, header};
use axum::response::Response;

use crate::http::attacker::AttackerSite;

/// What any response that sets no policy of its own gets: nothing may load, nothing may frame it.
pub const DEFAULT_POLICY: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

/// The same for a JSON answer, without `base-uri`: a JSON document has no `<base>` to restrict,
/// and every answer's bytes cost time on the wire (the API answers most requests).
pub const JSON_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";

/// The page's policy. Leptos puts `nonce` on its hydration script (which imports the wasm
/// glue from /pkg) and on the scripts that carry server data; `'wasm-unsafe-eval'` lets that
/// glue compile the wasm. No inline styles: bars are SVG shapes, sized by attributes.
pub fn page_policy(nonce: &str, attacker: &AttackerSite) -> String {
    let frames = attacker_origins(attacker);
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-src {frames}; \
         frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
    )
}

/// The policy of the CSRF probe's answer, which the attacker site shows in its own frame.
/// Every ancestor must be allowed: the attacker page that frames it, and this site's own page
/// (`'self'`) that frames the attacker page; any one missing and the browser refuses.
pub fn probe_policy(attacker: &AttackerSite) -> String {
    let ancestors = attacker_origins(attacker);
    format!("default-src 'none'; frame-ancestors 'self' {ancestors}; base-uri 'none'")
}

/// The attacker page's own policy: its one inline script (by `nonce`) and inline styles; its
/// forms may go to `target` only, whose answers it frames, and only `target`'s page may frame it.
pub fn attacker_page_policy(nonce: &str, target: &str) -> String {
    format!(
        "default-src 'none'; script-src 'nonce-{nonce}'; style-src 'unsafe-inline'; \
         form-action {target}; frame-src {target}; frame-ancestors {target}; base-uri 'none'"
    )
}

/// Every origin the attacker site is reached under (the page frames the one its browser can
/// reach), or `'none'` when there is none.
fn attacker_origins(attacker: &AttackerSite) -> String {
    let origins = attacker.origins();
    if origins.is_empty() {
        "'none'".to_owned()
    } else {
        origins.join(" ")
    }
}

/// Sets the page's policy on the response being rendered. Called from inside the Leptos
/// shell, where the response's nonce and header options live.
pub fn set_page_policy(attacker: &AttackerSite) {
    let Some(nonce) = leptos::nonce::use_nonce() else {
        return;
    };
    let Some(options) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() else {
        return;
    };
    if let Ok(value) = HeaderValue::from_str(&page_policy(&nonce, attacker)) {
        options.insert_header(header::CONTENT_SECURITY_POLICY, value);
    }
}

/// The headers every response carries; a policy set by the handler (the page, the probe) wins.
/// Every response passes here, so the answer's kind is read once and each header is one map
/// operation.
pub fn add(mut response: Response) -> Response {
    let headers = response.headers_mut();
    let content_type = headers.get(header::CONTENT_TYPE);
    let is_json = is_media_type(content_type, "application/json");
    let is_html = is_media_type(content_type, "text/html");
    headers
        .entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(if is_json {
            JSON_POLICY
        } else {
            DEFAULT_POLICY
        }));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if is_json {
        // Every JSON answer is about one visitor at one moment (listings, the lab, probes): no
        // cache may keep it, unless its handler said otherwise (the JWKS is public).
        headers
            .entry(header::CACHE_CONTROL)
            .or_insert(HeaderValue::from_static("no-store"));
    } else if is_html {
        // The page: each render has its own nonce and speaks to one visitor, so a cache must
        // ask again every time (and no shared cache may keep it).
        headers
            .entry(header::CACHE_CONTROL)
            .or_insert(HeaderValue::from_static("no-cache, private"));
        // What only a document uses: the referrer its links and fetches send, and its
        // browsing-context group. On JSON and files they would be bytes on every answer for nothing.
        headers.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        );
        headers.insert(
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        );
    }
    response
}

/// Whether the answer's `Content-Type` is `media_type` (parameters such as `charset` aside).
pub fn content_type_is(headers: &HeaderMap, media_type: &str) -> bool {
    is_media_type(headers.get(header::CONTENT_TYPE), media_type)
}

fn is_media_type(content_type: Option<&HeaderValue>, media_type: &str) -> bool {
    content_type.is_some_and(|value| value.as_bytes().starts_with(media_type.as_bytes()))
}
