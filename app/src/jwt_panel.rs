//! The right column: an access token in `localStorage`, attached by code as a Bearer header,
//! and the hybrid a real client runs: when the short-lived access token has expired, the
//! stateful refresh token buys a new pair (by a button, or by itself on an expiry 401).

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{ACCESS_TOKEN_KEY, ErrorCode, REFRESH_TOKEN_KEY, RefreshRequest, TokenResponse};
use crate::browser::{now_secs, storage};
use crate::fetch::{self, Body, Credential, Exchange, Method, watch_exchanges};
use crate::server_holds::{RefreshStoreHolds, ServerChanged};
use crate::token_login::{Heard, TokenLogin, token_login};
use crate::token_view::{AccessTokenView, use_now};
use crate::use_texts;
use crate::widgets::{LoginForm, ResponseView};
use crate::wire::{Initiator, Wire, WireLog};

/// Whether a refused bearer request was refused because the token it carried had expired:
/// the server says `invalid_token`, and the token's own `exp` (which the client can read) is past.
fn refused_as_expired(exchange: &Exchange, sent: Option<&str>, now: i64) -> bool {
    exchange.error_code() == Some(ErrorCode::InvalidToken)
        && sent
            .and_then(|token| crate::token::decode(token).ok())
            .and_then(|decoded| decoded.time_claim("exp"))
            .is_some_and(|exp| exp <= now)
}

/// Whether the client should renew its access token now, as real clients do shortly before
/// expiry (an OIDC client's silent renew, the OAuth 2.0 Playground's auto-refresh): within the
/// last sixth of its lifetime (5 s of 30 s; at most a minute), or already expired, while the
/// refresh token is still good.
fn renewal_due(access: Option<&str>, refresh: Option<&str>, now: i64) -> bool {
    let times = |token: Option<&str>| {
        let decoded = crate::token::decode(token?).ok()?;
        Some((decoded.time_claim("iat"), decoded.time_claim("exp")?))
    };
    let (Some((issued, expires)), Some((_, refresh_expires))) = (times(access), times(refresh))
    else {
        return false;
    };
    let lifetime = issued.map_or(expires - now, |issued| expires - issued);
    let margin = (lifetime / 6).clamp(1, 60);
    now < refresh_expires && expires - now <= margin
}

#[component]
pub fn JwtPanel() -> AnyView {
    let texts = use_texts();
    let reply = RwSignal::new(None::<Exchange>);
    let log = WireLog::new(Credential::Bearer);
    let server_changed = expect_context::<ServerChanged>();
    // Mirrors localStorage; read back after every change so the panel shows the real thing.
    let stored_access = RwSignal::new(None::<String>);
    let stored_refresh = RwSignal::new(None::<String>);
    let refreshed_at = RwSignal::new(None::<i64>);
    let refused = RwSignal::new(None::<ErrorCode>);
    let answered = RwSignal::new(false);
    let reload_storage = move || {
        stored_access.try_set(storage::load(ACCESS_TOKEN_KEY));
        stored_refresh.try_set(storage::load(REFRESH_TOKEN_KEY));
    };
    Effect::new(move |_| reload_storage());
    // Experiment 3 plays an XSS payload against these very tokens: whatever on the page talks
    // to the JWT routes may have changed them, so the column reads them again.
    watch_exchanges(move |exchange| {
        if exchange.path.starts_with("/api/jwt/") {
            answered.try_set(true);
            reload_storage();
        }
    });
    let now = use_now();
    let login_state = move || {
        token_login(
            stored_access.get().as_deref(),
            stored_refresh.get().as_deref(),
            now.get(),
            Heard {
                answered: answered.get(),
                refreshed_at: refreshed_at.get(),
                refused: refused.get(),
            },
        )
    };

    let show = move |initiator: Initiator, exchange: Exchange| {
        log.record_by(initiator, &exchange);
        server_changed.bump();
        reply.set(Some(exchange));
    };

    let keep_tokens = move |exchange: &Exchange| {
        if let Some(tokens) = exchange.json::<TokenResponse>() {
            storage::save(ACCESS_TOKEN_KEY, &tokens.access_token);
            storage::save(REFRESH_TOKEN_KEY, &tokens.refresh_token);
            refused.set(None);
            true
        } else {
            false
        }
    };

    // The refresh token buys a new pair; the spent one is dead from now on (rotation). A
    // refusal means the login is over (revoked, reused, unknown): the client forgets both.
    let refresh = move |initiator: Initiator| async move {
        let refresh_token = storage::load(REFRESH_TOKEN_KEY).unwrap_or_default();
        let body = Some(Body::of(&RefreshRequest { refresh_token }));
        let exchange = fetch::send(Method::Post, "/api/jwt/refresh", body, None).await;
        let renewed = keep_tokens(&exchange);
        if renewed {
            refreshed_at.set(Some(now_secs()));
        } else if exchange.status == Some(401) {
            storage::remove(ACCESS_TOKEN_KEY);
            storage::remove(REFRESH_TOKEN_KEY);
            refused.set(exchange.error_code());
        }
        reload_storage();
        show(initiator, exchange);
        renewed
    };

    // A call with the access token; if it was refused for having expired, refresh once by
    // itself (its own row in the wire) and try again, as a real client does.
    let call = move |method: Method, path: &'static str, body: Option<Body>| {
        spawn_local(async move {
            // Nothing is sent unless this code attaches the token.
            let bearer = storage::load(ACCESS_TOKEN_KEY);
            let exchange = fetch::send(method, path, body.clone(), bearer.clone()).await;
            let expired = refused_as_expired(&exchange, bearer.as_deref(), now_secs());
            show(Initiator::Visitor, exchange);
            if expired
                && storage::load(REFRESH_TOKEN_KEY).is_some()
                && refresh(Initiator::AutomaticRefresh).await
            {
                let bearer = storage::load(ACCESS_TOKEN_KEY);
                show(
                    Initiator::Visitor,
                    fetch::send(method, path, body, bearer).await,
                );
            }
        });
    };

    let login = move |request| {
        spawn_local(async move {
            let body = Some(Body::of(&request));
            let exchange = fetch::send(Method::Post, "/api/jwt/login", body, None).await;
            keep_tokens(&exchange);
            refreshed_at.set(None);
            reload_storage();
            show(Initiator::Visitor, exchange);
        });
    };
    let logout = move |_| {
        spawn_local(async move {
            let refresh_token = storage::load(REFRESH_TOKEN_KEY).unwrap_or_default();
            let body = Some(Body::of(&RefreshRequest { refresh_token }));
            let exchange = fetch::send(Method::Post, "/api/jwt/logout", body, None).await;
            // Logging out of a token login is the client forgetting its tokens;
            // the server can only revoke the refresh token.
            storage::remove(ACCESS_TOKEN_KEY);
            storage::remove(REFRESH_TOKEN_KEY);
            refreshed_at.set(None);
            reload_storage();
            show(Initiator::Visitor, exchange);
        });
    };

    // Renewing before expiry is on by default; turned off, the column waits for the expiry
    // 401 and refreshes then (the path above). Each access token is renewed at most once.
    let renew_early = RwSignal::new(true);
    let renewed_for = StoredValue::new(None::<String>);
    Effect::new(move |_| {
        let access = stored_access.get();
        if renew_early.get()
            && renewal_due(
                access.as_deref(),
                stored_refresh.get().as_deref(),
                now.get(),
            )
            && renewed_for.get_value() != access
        {
            renewed_for.set_value(access);
            spawn_local(async move {
                refresh(Initiator::EarlyRenewal).await;
            });
        }
    });

    let shown = move |value: Option<String>| value.unwrap_or_else(|| texts().empty.to_owned());
    view! {
        <section class="column jwt" aria-labelledby="jwt-title">
            <h2 id="jwt-title">{move || texts().jwt_title}</h2>
            <p class="blurb">{move || texts().jwt_blurb}</p>
            <LoginForm id_prefix="jwt" on_login=login/>
            <div class="actions">
                <button type="button" on:click=move |_| call(Method::Get, "/api/jwt/me", None)>
                    {move || texts().call_me}
                </button>
                <button type="button" on:click=move |_| spawn_local(async move { refresh(Initiator::Visitor).await; })>
                    {move || texts().refresh}
                </button>
                <button type="button" on:click=logout>{move || texts().log_out}</button>
            </div>
            <label class="switch">
                <input type="checkbox" prop:checked=move || renew_early.get()
                    on:change=move |event| renew_early.set(event_target_checked(&event))/>
                " "
                {move || texts().renew_early}
            </label>
            <p class="sign-in" role="status" data-testid="jwt-login-state"
                class:expired=move || matches!(login_state(), TokenLogin::AccessExpired { .. } | TokenLogin::BothExpired)>
                {move || login_state().words(texts())}
            </p>
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

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use serde_json::{Value, json};

    /// An unsigned token with this payload (the client reads claims; it checks no signature).
    fn token(payload: Value) -> String {
        let part =
            |json: Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json.to_string());
        format!("{}.{}.c2ln", part(json!({"alg": "HS256"})), part(payload))
    }

    fn token_issued(iat: i64, exp: i64) -> String {
        token(json!({"iat": iat, "exp": exp}))
    }

    #[test]
    fn renewal_comes_in_the_last_sixth_of_the_lifetime_while_the_refresh_token_lives() {
        let access = token_issued(1_000, 1_030);
        let refresh = token_issued(1_000, 1_600);
        let due = |now| renewal_due(Some(&access), Some(&refresh), now);
        // A 30 s token: renewed from 5 s before its exp, and at once if found expired.
        assert!(!due(1_024));
        assert!(due(1_025));
        assert!(due(1_040));
        // A dead refresh token renews nothing; nor does a missing one.
        assert!(!renewal_due(Some(&access), Some(&refresh), 1_600));
        assert!(!renewal_due(Some(&access), None, 1_025));
        assert!(!renewal_due(None, Some(&refresh), 1_025));
        // A 15 min token: a minute before, not a sixth of it.
        let long = token_issued(1_000, 1_900);
        let refresh = token_issued(1_000, 9_000);
        assert!(!renewal_due(Some(&long), Some(&refresh), 1_839));
        assert!(renewal_due(Some(&long), Some(&refresh), 1_840));
    }

    #[test]
    fn only_an_expiry_refusal_starts_an_automatic_refresh() {
        let refused = Exchange {
            status: Some(401),
            body: json!({"error": "invalid_token", "message": "the token has expired"}),
            ..Exchange::default()
        };
        let sent = token(json!({"exp": 1_000}));
        assert!(refused_as_expired(&refused, Some(&sent), 1_000));
        // Not yet expired: refused for another reason (a forged signature), no refresh.
        assert!(!refused_as_expired(&refused, Some(&sent), 999));
        let missing = Exchange {
            body: json!({"error": "missing_token", "message": "…"}),
            ..refused.clone()
        };
        assert!(!refused_as_expired(&missing, Some(&sent), 2_000));
        assert!(!refused_as_expired(&refused, None, 2_000));
    }
}
