//! The page's language, chosen for each request by the order in `app::i18n::negotiate`
//! (`?lang=`, the `lang` cookie, `Accept-Language`, English) and handed to the Leptos render,
//! so the HTML arrives in it. A `?lang=` choice is remembered in the `lang` cookie.

use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use leptos::prelude::{provide_context, use_context};
use leptos_axum::ResponseOptions;

use app::i18n::{LANG_COOKIE, Lang, lang_cookie, lang_in_query};

use crate::config::SecureCookie;
use crate::http::{client, cookies};

/// Decides the language of the page being rendered and puts it in the render's context.
/// Called from inside the Leptos render, where the request's parts and header options live.
pub fn provide(secure_cookie: SecureCookie) {
    let Some(parts) = use_context::<Parts>() else {
        return;
    };
    let lang = of_request(&parts);
    provide_context(lang);
    let Some(options) = use_context::<ResponseOptions>() else {
        return;
    };
    // The same URL is a page in either language: a cache must tell them apart.
    options.append_header(
        header::VARY,
        HeaderValue::from_static("accept-language, cookie"),
    );
    if let Some(chosen) = parts.uri.query().and_then(lang_in_query) {
        let secure = cookies::secure_for(secure_cookie, &client::of(&parts));
        if let Ok(cookie) = HeaderValue::from_str(&lang_cookie(chosen, secure)) {
            options.append_header(header::SET_COOKIE, cookie);
        }
    }
}

fn of_request(parts: &Parts) -> Lang {
    let cookie = cookies::named(&parts.headers, LANG_COOKIE).next();
    let accept_language = parts
        .headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|value| value.to_str().ok());
    Lang::negotiate(
        parts.uri.query(),
        cookie.as_ref().map(|cookie| cookie.value()),
        accept_language,
    )
}
