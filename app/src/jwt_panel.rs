//! The right column: an access token in `localStorage`, attached by code as a Bearer header.

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::json;

use crate::api::{ACCESS_TOKEN_KEY, REFRESH_TOKEN_KEY, TokenResponse};
use crate::browser::storage;
use crate::client::{self, Exchange, Method};
use crate::server_holds::{RefreshStoreHolds, ServerChanged};
use crate::token_view::AccessTokenView;
use crate::use_texts;
use crate::widgets::{LoginForm, ResponseView, SignIn, SignInStatus};
use crate::wire::{Wire, WireLog};

#[component]
pub fn JwtPanel() -> AnyView {
    let texts = use_texts();
    let reply = RwSignal::new(None::<Exchange>);
    let log = WireLog::new();
    let server_changed = expect_context::<ServerChanged>();
    let sign_in = RwSignal::new(SignIn::Unknown);
    // Mirrors localStorage; read back after every change so the panel shows the real thing.
    let stored_access = RwSignal::new(None::<String>);
    let stored_refresh = RwSignal::new(None::<String>);
    let reload_storage = move || {
        stored_access.set(storage::load(ACCESS_TOKEN_KEY));
        stored_refresh.set(storage::load(REFRESH_TOKEN_KEY));
    };
    Effect::new(move |_| reload_storage());

    let finish = move |exchange: Exchange| {
        sign_in.update(|state| *state = state.clone().after(&exchange));
        reload_storage();
        log.record(&exchange);
        server_changed.bump();
        reply.set(Some(exchange));
    };

    let login = move |request| {
        spawn_local(async move {
            let body = serde_json::to_value(request).ok();
            let exchange = client::send(Method::Post, "/api/jwt/login", body, None).await;
            if let Some(tokens) = exchange.json::<TokenResponse>() {
                storage::save(ACCESS_TOKEN_KEY, &tokens.access_token);
                storage::save(REFRESH_TOKEN_KEY, &tokens.refresh_token);
            }
            finish(exchange);
        });
    };
    let me = move |_| {
        spawn_local(async move {
            // Nothing is sent unless this code attaches the token.
            let bearer = storage::load(ACCESS_TOKEN_KEY);
            finish(client::send(Method::Get, "/api/jwt/me", None, bearer).await);
        });
    };
    let logout = move |_| {
        spawn_local(async move {
            let refresh_token = storage::load(REFRESH_TOKEN_KEY).unwrap_or_default();
            let body = Some(json!({ "refresh_token": refresh_token }));
            let exchange = client::send(Method::Post, "/api/jwt/logout", body, None).await;
            // Logging out of a token login is the client forgetting its tokens;
            // the server can only revoke the refresh token.
            storage::remove(ACCESS_TOKEN_KEY);
            storage::remove(REFRESH_TOKEN_KEY);
            finish(exchange);
        });
    };

    let shown = move |value: Option<String>| value.unwrap_or_else(|| texts().empty.to_owned());
    view! {
        <section class="column jwt" aria-labelledby="jwt-title">
            <h2 id="jwt-title">{move || texts().jwt_title}</h2>
            <p class="blurb">{move || texts().jwt_blurb}</p>
            <LoginForm id_prefix="jwt" on_login=login/>
            <div class="actions">
                <button type="button" on:click=me>{move || texts().call_me}</button>
                <button type="button" on:click=logout>{move || texts().log_out}</button>
            </div>
            <SignInStatus state=sign_in/>
            <section class="holds" aria-labelledby="jwt-holds-title jwt-title">
                <h3 id="jwt-holds-title">{move || texts().browser_holds}</h3>
                <dl class="storage">
                    <dt><code>{format!("{} · {ACCESS_TOKEN_KEY}", "localStorage")}</code></dt>
                    <dd><code class="token" data-testid="stored-access-token">{move || shown(stored_access.get())}</code></dd>
                    <dt><code>{format!("{} · {REFRESH_TOKEN_KEY}", "localStorage")}</code></dt>
                    <dd><code class="token" data-testid="stored-refresh-token">{move || shown(stored_refresh.get())}</code></dd>
                </dl>
            </section>
            <RefreshStoreHolds/>
            <AccessTokenView token=stored_access/>
            <ResponseView reply id_prefix="jwt"/>
            <Wire log id_prefix="jwt"/>
        </section>
    }
    .into_any()
}
