//! `/inspect`: paste any JWT, read it, and check it with a pasted key. All of it runs in
//! the page (the token and key are never sent), with a reason for every failure.

use leptos::prelude::*;

use crate::browser::local_time;
use crate::i18n::{Lang, TokenTexts};
use crate::token::{self, Check, DecodeError, KeyError, Part};
use crate::token_view::{ColouredToken, DecodedParts, ExpiryBar, use_now};

#[component]
pub fn InspectPage() -> impl IntoView {
    let lang = crate::i18n::use_lang();
    let texts = move || lang.get().token_texts();
    let token_text = RwSignal::new(String::new());
    let key_text = RwSignal::new(String::new());
    let now = use_now();
    let decoded = Memo::new(move |_| {
        let text = token_text.get();
        (!text.trim().is_empty()).then(|| token::decode(&text))
    });

    view! {
        <section class="inspector" aria-labelledby="inspect-title">
            <h2 id="inspect-title">{move || texts().inspect_title}</h2>
            <p>{move || texts().inspect_intro}</p>
            <p class="privacy" role="note">{move || texts().stays_here}</p>
            <label for="inspect-token">{move || texts().token_label}</label>
            <textarea
                id="inspect-token"
                rows="4"
                spellcheck="false"
                autocomplete="off"
                placeholder=move || texts().token_placeholder
                bind:value=token_text
            ></textarea>
            <label for="inspect-key">{move || texts().key_label}</label>
            <textarea
                id="inspect-key"
                rows="3"
                spellcheck="false"
                autocomplete="off"
                aria-describedby="inspect-key-hint"
                bind:value=key_text
            ></textarea>
            <p id="inspect-key-hint" class="muted">{move || texts().key_hint}</p>

            <section class="verdict" aria-labelledby="verdict-title">
                <h3 id="verdict-title">{move || texts().verdict}</h3>
                <div aria-live="polite" data-testid="verdict">
                    {move || match decoded.get() {
                        None => view! { <p class="muted">{texts().paste_a_token}</p> }.into_any(),
                        Some(Err(error)) => view! {
                            <p class="check failed">
                                <strong>{texts().failed} ": "</strong>
                                {decode_error(texts(), &error)}
                            </p>
                        }
                            .into_any(),
                        Some(Ok(decoded)) => {
                            let kid = decoded.header.get("kid").and_then(|kid| kid.as_str()).map(str::to_owned);
                            let key = token::parse_key(&key_text.get(), kid.as_deref());
                            let lines = match key {
                                // An unsigned token is refused before any key is needed.
                                Err(KeyError::Empty) if token::alg_is_none(&decoded) => vec![
                                    (Some(false), texts().check_alg_none.to_owned()),
                                    (None, texts().paste_a_key.to_owned()),
                                ],
                                Err(KeyError::Empty) => vec![(None, texts().paste_a_key.to_owned())],
                                Err(error) => vec![(Some(false), key_error(texts(), &error).to_owned())],
                                Ok(key) => token::verify(&decoded, &key, now.get())
                                    .iter()
                                    .map(|check| (Some(check.passed()), describe(texts(), check, lang.get())))
                                    .collect(),
                            };
                            view! {
                                <p class="check">{texts().decoded_fine}</p>
                                <ul class="checks">
                                    {lines
                                        .into_iter()
                                        .map(|(passed, line)| {
                                            let label = match passed {
                                                Some(true) => texts().passed,
                                                Some(false) => texts().failed,
                                                None => "",
                                            };
                                            view! {
                                                <li class="check" class:passed=passed == Some(true) class:failed=passed == Some(false)>
                                                    <strong>{label}</strong>
                                                    {(!label.is_empty()).then_some(": ")}
                                                    {line}
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                            }
                                .into_any()
                        }
                    }}
                </div>
            </section>

            {move || {
                decoded
                    .get()
                    .and_then(Result::ok)
                    .map(|decoded| {
                        let exp = decoded.time_claim("exp");
                        let iat = decoded.time_claim("iat");
                        view! {
                            <ColouredToken decoded=decoded.clone()/>
                            <ExpiryBar exp iat now/>
                            <DecodedParts decoded/>
                        }
                    })
            }}
        </section>
    }
}

fn part_name(texts: &TokenTexts, part: Part) -> &'static str {
    match part {
        Part::Header => texts.header,
        Part::Payload => texts.payload,
        Part::Signature => texts.signature,
    }
}

fn decode_error(texts: &TokenTexts, error: &DecodeError) -> String {
    match error {
        DecodeError::Empty => texts.err_empty.to_owned(),
        DecodeError::PartCount(count) => format!("{} {count}", texts.err_part_count),
        DecodeError::NotBase64(part) => {
            format!("{} {}", texts.err_not_base64, part_name(texts, *part))
        }
        DecodeError::NotJson(part) => format!("{} {}", texts.err_not_json, part_name(texts, *part)),
        DecodeError::NotObject(part) => {
            format!("{} {}", texts.err_not_object, part_name(texts, *part))
        }
    }
}

fn key_error(texts: &TokenTexts, error: &KeyError) -> &'static str {
    match error {
        KeyError::Empty => texts.paste_a_key,
        KeyError::UnsupportedJwk => texts.key_unsupported_jwk,
        KeyError::UnsupportedPem => texts.key_unsupported_pem,
        KeyError::BadKeyBytes => texts.key_bad_bytes,
    }
}

fn describe(texts: &TokenTexts, check: &Check, lang: Lang) -> String {
    match check {
        Check::AlgNone => texts.check_alg_none.to_owned(),
        Check::UnsupportedAlg(alg) => format!("{} {alg:?}", texts.check_unsupported_alg),
        Check::KeyMismatch { alg } => format!("{} {alg}", texts.check_key_mismatch),
        Check::SignatureValid { alg } => format!("{} {alg}", texts.check_signature_valid),
        Check::SignatureInvalid { alg } => format!("{} {alg}", texts.check_signature_invalid),
        Check::Expired { exp, .. } => format!("{} {}", texts.check_expired, local_time(*exp, lang)),
        Check::NotExpired { exp, .. } => {
            format!("{} {}", texts.check_not_expired, local_time(*exp, lang))
        }
        Check::NoExpiry => texts.check_no_expiry.to_owned(),
        Check::NotYetValid { nbf, .. } => {
            format!("{} {}", texts.check_not_yet_valid, local_time(*nbf, lang))
        }
    }
}
