//! The left column: a session id in an `HttpOnly` cookie, state on the server.

use crate::api::session_cookie_name;
use crate::browser::document_cookie;
use crate::fetch::{self, Body, Credential, Exchange, Method, watch_exchanges};
use crate::server_holds::{ServerChanged, SessionStoreHolds};
use crate::use_texts;
use crate::widgets::{LoginForm, ResponseView, SignIn, SignInStatus};
use crate::wire::{CookieAttributes, Wire, WireLog};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The routes whose answers say whether this browser's session cookie is logged in (the
/// store listing says nothing about it).
fn is_session_login_route(path: &str) -> bool {
    [
        "/api/session/login",
        "/api/session/me",
        "/api/session/cart",
        "/api/session/logout",
    ]
    .iter()
    .any(|route| path.split('?').next() == Some(*route))
}

/// The `Set-Cookie` of the session cookie an answer carried, as the server's trace reports it.
fn session_set_cookie(exchange: &Exchange) -> Option<String> {
    exchange
        .emitted()
        .iter()
        .find(|line| line.name == "set-cookie" && is_session_cookie(&line.value))
        .map(|line| line.value.clone())
}

/// `authlens_sid=…` or `__Host-authlens_sid=…`, and no other cookie.
fn is_session_cookie(set_cookie: &str) -> bool {
    let name = set_cookie.split('=').next().unwrap_or_default();
    [false, true].map(session_cookie_name).contains(&name)
}

#[component]
pub fn SessionPanel() -> AnyView {
    let texts = use_texts();
    let reply = RwSignal::new(None::<Exchange>);
    let log = WireLog::new(Credential::Cookie);
    let server_changed = expect_context::<ServerChanged>();
    let sign_in = RwSignal::new(SignIn::Unknown);
    // What this page's JavaScript can see of its cookies (an HttpOnly cookie is not in it).
    let visible_cookies = RwSignal::new(String::new());
    // What the server last put in Set-Cookie, as its trace reports it.
    let set_cookie = RwSignal::new(None::<String>);
    Effect::new(move |_| visible_cookies.set(document_cookie()));
    // The pill follows every answer of a session route, whoever on this page asked: the
    // experiments log in and out with this same cookie, so they change this column's login.
    // The cookie box too: it shows the last Set-Cookie of the session cookie, whoever asked.
    watch_exchanges(move |exchange| {
        if is_session_login_route(&exchange.path) {
            sign_in.try_update(|state| *state = state.clone().after(exchange));
            visible_cookies.try_set(document_cookie());
            if let Some(value) = session_set_cookie(exchange) {
                set_cookie.try_set(Some(value));
            }
        }
    });

    // The browser attaches the cookie by itself: no credential is passed here.
    let call = move |method: Method, path: &'static str, body: Option<Body>| {
        spawn_local(async move {
            let exchange = fetch::send(method, path, body, None).await;
            log.record(&exchange);
            server_changed.bump();
            reply.set(Some(exchange));
        });
    };
    let login = move |request| {
        call(Method::Post, "/api/session/login", Some(Body::of(&request)));
    };

    view! {
        <section class="column session" aria-labelledby="session-title">
            <h2 id="session-title">{move || texts().session_title}</h2>
            <p class="blurb">{move || texts().session_blurb}</p>
            <LoginForm id_prefix="session" on_login=login/>
            <div class="actions">
                <button type="button" on:click=move |_| call(Method::Get, "/api/session/me", None)>
                    {move || texts().call_me}
                </button>
                <button type="button" on:click=move |_| call(Method::Post, "/api/session/logout", None)>
                    {move || texts().log_out}
                </button>
            </div>
            <SignInStatus state=sign_in/>
            <section class="holds" aria-labelledby="session-holds-title session-title">
                <h3 id="session-holds-title">{move || texts().browser_holds}</h3>
                <p>
                    <code>"document.cookie = "</code>
                    <code data-testid="document-cookie">{move || format!("{:?}", visible_cookies.get())}</code>
                </p>
                <p class="muted">{move || texts().cookie_hidden}</p>
                <p class="muted" data-testid="visitor-cookie-note">{move || texts().visitor_cookie}</p>
                <p>{move || texts().cookie_as_set}</p>
                {move || match set_cookie.get() {
                    Some(value) => view! {
                        <p><code data-testid="cookie-as-set">{format!("Set-Cookie: {value}")}</code></p>
                        <CookieAttributes set_cookie=value/>
                    }.into_any(),
                    None => view! { <p class="muted">{texts().no_set_cookie_yet}</p> }.into_any(),
                }}
            </section>
            <SessionStoreHolds/>
            <ResponseView reply id_prefix="session"/>
            <Wire log id_prefix="session"/>
        </section>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pill_follows_the_login_routes_only() {
        assert!(is_session_login_route(
            "/api/session/logout?keep_cookie=true"
        ));
        assert!(is_session_login_route("/api/session/me"));
        assert!(!is_session_login_route("/api/session/store"));
        assert!(!is_session_login_route("/api/jwt/me"));
    }

    #[test]
    fn the_cookie_box_takes_the_session_cookie_only() {
        assert!(is_session_cookie("__Host-authlens_sid=abc; HttpOnly"));
        assert!(is_session_cookie("authlens_sid=abc; HttpOnly"));
        assert!(!is_session_cookie("__Host-authlens_visitor=v; HttpOnly"));
        assert!(!is_session_cookie("corp_authlens_sid=abc"));
    }
}
