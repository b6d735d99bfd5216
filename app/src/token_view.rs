//! A JWT shown the way jwt.io shows it: the three parts in their own colours, the decoded
//! header and payload, a table of claims in plain words, and a live countdown to `exp`.
//! Used by the JWT column (the stored access token) and by the `/inspect` page.

use leptos::prelude::*;
use serde_json::{Map, Value};

use crate::browser::{every, local_time, now_secs};
use crate::i18n::claim_meaning;
use crate::token::{Decoded, Part};

/// The current Unix time in seconds, ticking in the browser (static on the server).
pub fn use_now() -> ReadSignal<i64> {
    let (now, set_now) = signal(now_secs());
    every(std::time::Duration::from_millis(250), move || {
        set_now.set(now_secs())
    });
    now
}

fn part_class(part: Part) -> &'static str {
    match part {
        Part::Header => "jwt-header",
        Part::Payload => "jwt-payload",
        Part::Signature => "jwt-signature",
    }
}

/// The token as sent, each part in its colour and named for screen readers.
#[component]
pub fn ColouredToken(decoded: Decoded) -> impl IntoView {
    let lang = crate::i18n::use_lang();
    let texts = move || lang.get().token_texts();
    let [header, payload, signature] = decoded.raw;
    view! {
        <p class="coloured-token" data-testid="coloured-token">
            <span class=part_class(Part::Header) title=move || texts().header>{header}</span>
            "."
            <span class=part_class(Part::Payload) title=move || texts().payload>{payload}</span>
            "."
            <span class=part_class(Part::Signature) title=move || texts().signature>{signature}</span>
        </p>
    }
}

/// Header and payload side by side, then every field explained.
#[component]
pub fn DecodedParts(decoded: Decoded) -> impl IntoView {
    let lang = crate::i18n::use_lang();
    let texts = move || lang.get().token_texts();
    let pretty = |map: &Map<String, Value>| serde_json::to_string_pretty(map).unwrap_or_default();
    let header_json = pretty(&decoded.header);
    let payload_json = pretty(&decoded.payload);
    let signature_hex: String = decoded
        .signature
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    let rows: Vec<(String, Value)> = decoded
        .header
        .iter()
        .chain(decoded.payload.iter())
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect();
    view! {
        <div class="decoded-parts">
            <figure class=part_class(Part::Header)>
                <figcaption>{move || texts().header}</figcaption>
                <pre data-testid="decoded-header">{header_json}</pre>
            </figure>
            <figure class=part_class(Part::Payload)>
                <figcaption>{move || texts().payload}</figcaption>
                <pre data-testid="decoded-payload">{payload_json}</pre>
            </figure>
            <figure class=part_class(Part::Signature)>
                <figcaption>{move || texts().signature} " (hex)"</figcaption>
                <pre>{signature_hex}</pre>
            </figure>
        </div>
        <table class="claims">
            <caption>{move || texts().claims}</caption>
            <thead>
                <tr>
                    <th scope="col">{move || texts().claim}</th>
                    <th scope="col">{move || texts().value}</th>
                    <th scope="col">{move || texts().meaning}</th>
                </tr>
            </thead>
            <tbody>
                {rows
                    .into_iter()
                    .map(|(name, value)| {
                        let is_time = matches!(name.as_str(), "exp" | "iat" | "nbf");
                        let shown = match (&value, is_time) {
                            (Value::Number(number), true) => number.as_i64().map(|secs| {
                                move || format!("{secs} · {}", local_time(secs, lang.get()))
                            }),
                            _ => None,
                        };
                        let plain = match &value {
                            Value::String(text) => text.clone(),
                            other => other.to_string(),
                        };
                        let meaning_name = name.clone();
                        view! {
                            <tr>
                                <th scope="row"><code>{name}</code></th>
                                <td>
                                    <code>
                                        {match shown {
                                            Some(with_time) => with_time.into_any(),
                                            None => plain.into_any(),
                                        }}
                                    </code>
                                </td>
                                <td>{move || claim_meaning(lang.get(), &meaning_name).unwrap_or("")}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

/// A bar that empties from `iat` to `exp` and turns red, with words, once `exp` has passed.
#[component]
pub fn ExpiryBar(exp: Option<i64>, iat: Option<i64>, now: ReadSignal<i64>) -> impl IntoView {
    let lang = crate::i18n::use_lang();
    let texts = move || lang.get().token_texts();
    let Some(exp) = exp else {
        return view! { <p class="expiry none">{move || texts().no_expiry}</p> }.into_any();
    };
    let total = (exp - iat.unwrap_or(exp - 60)).max(1);
    let left = move || (exp - now.get()).max(0);
    let expired = move || now.get() >= exp;
    view! {
        <div class="expiry" class:expired=expired data-testid="expiry">
            <p class="expiry-label" aria-live="polite">
                {move || {
                    if expired() {
                        texts().expired.to_owned()
                    } else {
                        format!("{}: {} {}", texts().lifetime, left(), texts().seconds_left)
                    }
                }}
            </p>
            <progress
                max=total
                value=left
                aria-label=move || texts().lifetime
            ></progress>
        </div>
    }
    .into_any()
}

/// The JWT column's stored access token, decoded, with its countdown.
#[component]
pub fn AccessTokenView(token: RwSignal<Option<String>>) -> impl IntoView {
    let lang = crate::i18n::use_lang();
    let texts = move || lang.get().token_texts();
    let now = use_now();
    view! {
        <section class="token-view" aria-labelledby="token-view-title">
            <h3 id="token-view-title">{move || texts().view_title}</h3>
            {move || match token.get().map(|token| crate::token::decode(&token)) {
                Some(Ok(decoded)) => {
                    let exp = decoded.time_claim("exp");
                    let iat = decoded.time_claim("iat");
                    view! {
                        <ExpiryBar exp iat now/>
                        <DecodedParts decoded/>
                    }
                        .into_any()
                }
                _ => view! { <p class="muted">{crate::i18n::Lang::texts(lang.get()).empty}</p> }.into_any(),
            }}
        </section>
    }
}
