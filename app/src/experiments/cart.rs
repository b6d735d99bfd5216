//! Claim 7: state in the token. Each item added to the token's cart re-issues a bigger token,
//! and every request carries all of it; the session's cart stays on the server and its cookie
//! keeps one size. The chart marks 4,096 bytes, about the most a browser keeps in one cookie.

use leptos::lazy;
use leptos::prelude::*;

use super::{Card, Line, ResultLines, RunButton, line, post, token_login};
use crate::api::{CartRequest, CartTokenResponse};
use crate::fetch::{self, Body, Credential, Method};
use crate::server_holds::ServerChanged;

/// Roughly the largest cookie browsers store (RFC 6265 asks for at least 4,096 bytes).
pub const COOKIE_LIMIT: u64 = 4096;

/// Items are added until the token passes the cookie limit or this many were added.
const MAX_ITEMS: usize = 120;

#[component]
pub fn CartGrowth() -> impl IntoView {
    let lang = crate::i18n::use_lang();
    let texts = move || lang.get().experiment_texts();
    let server_changed = expect_context::<ServerChanged>();
    let lines = RwSignal::new(None::<Vec<Line>>);
    let running = RwSignal::new(false);
    // Bytes of credentials per request after each item: (token, session cookie).
    let samples = RwSignal::new(Vec::<(u64, u64)>::new());

    let start = move || {
        running.set(true);
        samples.set(Vec::new());
        super::spawn_experiment(7, async move {
            lines.set(Some(grow_both(samples).await));
            running.set(false);
            server_changed.bump();
        });
    };

    view! {
        <Card number=7 title=|t| t.e7_title claim=|t| t.e7_claim wide=true>
            <RunButton number=7 running on_run=start/>
            <div class="bytes-chart" role="img" aria-label=move || texts().e7_chart_label>
                // The limit sits at 80% of the scale (see `percent`); style/main.css places it.
                <div class="limit">
                    <span>{format!("{COOKIE_LIMIT} B")}</span>
                </div>
                // SVG shapes sized by attributes: the page's CSP allows no inline styles.
                {move || samples.get().into_iter().map(|(token, cookie)| view! {
                    <svg class="bar-pair" viewBox="0 0 100 2" preserveAspectRatio="none" aria-hidden="true">
                        <rect class="jwt-bar" y="0" height="1" width=format!("{:.2}", percent(token))></rect>
                        <rect class="session-bar" y="1" height="1" width=format!("{:.2}", percent(cookie))></rect>
                    </svg>
                }).collect_view()}
            </div>
            <p class="legend">
                <span class="swatch jwt-bar"></span>{move || texts().e7_legend_token}
                " "
                <span class="swatch session-bar"></span>{move || texts().e7_legend_cookie}
            </p>
            <ResultLines lines claim=7 test_id="experiment-7-result".to_owned()/>
        </Card>
    }
}

/// Adds items to both carts until the token passes the cookie limit, recording what each
/// request carries in `samples`; the result lines compare first and last. Each token request
/// carries the token the previous item made, so the server's count of its Authorization
/// header is the measurement: no extra call per item (the run must finish well inside the
/// access token's life).
#[lazy]
async fn grow_both(samples: RwSignal<Vec<(u64, u64)>>) -> Vec<Line> {
    let (_, mut access, _) = token_login().await;
    post("/api/session/login", &super::alice()).await;
    let mut crossed_at = None;
    for n in 1..=MAX_ITEMS {
        let item = CartRequest {
            item: format!("item {n:03}: a pair of comfortable shoes, size 42"),
        };
        // Carries the token with the n - 1 items added so far.
        let added = fetch::send(
            Method::Post,
            "/api/jwt/cart",
            Some(Body::of(&item)),
            Some(access.clone()),
        )
        .await;
        let token_bytes = added.credential_bytes(Credential::Bearer).unwrap_or(0);
        let session = post("/api/session/cart", &item).await;
        let cookie_bytes = session.credential_bytes(Credential::Cookie).unwrap_or(0);
        samples.update(|samples| samples.push((token_bytes, cookie_bytes)));
        if token_bytes > COOKIE_LIMIT {
            crossed_at = Some(n - 1);
            break;
        }
        let Some(next) = added.json::<CartTokenResponse>() else {
            break;
        };
        access = next.access_token;
    }
    let all = samples.get_untracked();
    let first = all.first().copied().unwrap_or_default();
    let last = all.last().copied().unwrap_or_default();
    vec![
        line(
            last.0 > first.0,
            |t| t.e7_token_bytes,
            format!("{} → {} B", first.0, last.0),
        ),
        line(
            last.1 == first.1,
            |t| t.e7_cookie_bytes,
            format!("{} → {} B", first.1, last.1),
        ),
        line(
            crossed_at.is_some(),
            |t| t.e7_crossed,
            crossed_at.map_or_else(|| "—".to_owned(), |n| n.to_string()),
        ),
    ]
}

/// Position on a scale that ends a little past the cookie limit (which therefore sits at 80%).
fn percent(bytes: u64) -> f64 {
    (bytes as f64 / (COOKIE_LIMIT as f64 * 1.25) * 100.0).min(100.0)
}
