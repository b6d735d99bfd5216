//! Pieces both columns use: the login form, the response view, the sign-in status,
//! plus the page-level language switch and demo-account list.

use leptos::prelude::*;

use crate::api::{AnswerUser, DEMO_ACCOUNTS, ErrorCode, LoginRequest};
use crate::browser;
use crate::fetch::Exchange;
use crate::i18n::LANG_PARAM;
use crate::use_texts;

#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let lang = crate::i18n::use_lang();
    let texts = use_texts();
    // Without JavaScript (or before hydration) the button submits `?lang=…` and the server
    // answers the page in that language and remembers it; once hydrated it switches in place.
    let switch = move |event: leptos::ev::MouseEvent| {
        event.prevent_default();
        let next = lang.get_untracked().other();
        lang.set(next);
        browser::save_lang_cookie(next);
    };
    view! {
        <form class="language" method="get" aria-label=move || texts().language>
            <button
                type="submit"
                name=LANG_PARAM
                value=move || lang.get().other().code()
                lang=move || lang.get().other().code()
                on:click=switch
            >
                {move || texts().switch_language}
            </button>
        </form>
    }
}

/// A table wider than a phone, in a box of its own that scrolls sideways (the page never does):
/// focusable, so a keyboard can scroll it too, and named for a screen reader's region list.
#[component]
pub fn TableScroll(#[prop(into)] label: Signal<&'static str>, children: Children) -> impl IntoView {
    view! {
        <div class="table-scroll" tabindex="0" role="region" aria-label=move || label.get()>
            {children()}
        </div>
    }
}

#[component]
pub fn DemoAccounts() -> impl IntoView {
    let texts = use_texts();
    view! {
        <section class="demo-accounts" aria-labelledby="demo-accounts-title">
            <h2 id="demo-accounts-title">{move || texts().demo_accounts}</h2>
            <ul>
                {DEMO_ACCOUNTS
                    .iter()
                    .map(|account| {
                        view! {
                            <li>
                                <code>{account.username}</code>
                                " / "
                                <code>{account.password}</code>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}

#[component]
pub fn LoginForm(
    /// Prefix that keeps the two columns' input ids unique.
    id_prefix: &'static str,
    #[prop(into)] on_login: Callback<LoginRequest>,
) -> impl IntoView {
    let texts = use_texts();
    let account = DEMO_ACCOUNTS[0];
    let username = RwSignal::new(account.username.to_owned());
    let password = RwSignal::new(account.password.to_owned());
    let (user_id, user_for) = (
        format!("{id_prefix}-username"),
        format!("{id_prefix}-username"),
    );
    let (password_id, password_for) = (
        format!("{id_prefix}-password"),
        format!("{id_prefix}-password"),
    );
    // Until the page's code runs, the form cannot do what it is for (a JSON request), so it
    // cannot be sent at all: no click before hydration, or with JavaScript off, sends the
    // password anywhere. `post`, so that even then it would travel in a body, never a URL.
    let ready = RwSignal::new(false);
    Effect::new(move |_| ready.set(true));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        on_login.run(LoginRequest {
            username: username.get_untracked(),
            password: password.get_untracked(),
        });
    };
    view! {
        <form class="login" method="post" on:submit=submit>
            <label for=user_for>{move || texts().username}</label>
            <input id=user_id name="username" autocomplete="username" bind:value=username/>
            <label for=password_for>{move || texts().password}</label>
            <input
                id=password_id
                name="password"
                type="password"
                autocomplete="current-password"
                bind:value=password
            />
            <button type="submit" disabled=move || !ready.get()>
                {move || if ready.get() { texts().log_in } else { texts().loading }}
            </button>
        </form>
    }
}

/// The part of `LogoutResponse` that says it was one.
#[derive(serde::Deserialize)]
struct LoggedOut {
    #[allow(dead_code)]
    logged_out: bool,
}

/// Who the column believes is signed in, learned only from server answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignIn {
    Unknown,
    SignedIn(String),
    SignedOut,
    /// The cookie was sent and refused: the server has no such session (any more).
    SessionGone,
}

impl SignIn {
    /// The state after an answer: a user in the body means signed in, a logout or a
    /// 401 means signed out, anything else (a 400, a network error) changes nothing.
    pub fn after(self, exchange: &Exchange) -> SignIn {
        if let Some(answer) = exchange.json::<AnswerUser>() {
            SignIn::SignedIn(answer.user.display_name)
        } else if exchange.error_code() == Some(ErrorCode::InvalidSession) {
            SignIn::SessionGone
        } else if exchange.json::<LoggedOut>().is_some() || exchange.status == Some(401) {
            SignIn::SignedOut
        } else {
            self
        }
    }
}

#[component]
pub fn SignInStatus(state: RwSignal<SignIn>) -> impl IntoView {
    let texts = use_texts();
    view! {
        <p class="sign-in" role="status">
            {move || match state.get() {
                SignIn::Unknown => texts().status_unknown.to_owned(),
                SignIn::SignedIn(name) => format!("{} {name}", texts().signed_in_as),
                SignIn::SignedOut => texts().signed_out.to_owned(),
                SignIn::SessionGone => texts().session_gone.to_owned(),
            }}
        </p>
    }
}

#[component]
pub fn ResponseView(reply: RwSignal<Option<Exchange>>, id_prefix: &'static str) -> impl IntoView {
    let texts = use_texts();
    let heading_id = format!("{id_prefix}-response-title");
    // Named by its heading and its column: the two columns' sections must differ.
    let labelled_by = format!("{heading_id} {id_prefix}-title");
    view! {
        <section class="response" aria-labelledby=labelled_by>
            <h3 id=heading_id>{move || texts().last_response}</h3>
            <div aria-live="polite">
                {move || match reply.get() {
                    None => view! { <p class="muted">{texts().no_request_yet}</p> }.into_any(),
                    Some(exchange) => {
                        let status = match exchange.status {
                            Some(code) => code.to_string(),
                            None => texts().request_failed.to_owned(),
                        };
                        let pretty = serde_json::to_string_pretty(&exchange.body).unwrap_or_default();
                        view! {
                            <p class="request-line">
                                <code>{exchange.method.as_str()} " " {exchange.path.clone()}</code>
                                " → "
                                <strong class="status" class:ok=exchange.ok() data-testid="status">
                                    {status}
                                </strong>
                            </p>
                            <pre class="json" tabindex="0">{pretty}</pre>
                        }
                            .into_any()
                    }
                }}
            </div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fetch::Method;
    use serde_json::json;

    fn answer(status: u16, body: serde_json::Value) -> Exchange {
        Exchange {
            method: Method::Get,
            path: "/api/session/me".into(),
            status: Some(status),
            body,
            ..Exchange::default()
        }
    }

    #[test]
    fn a_user_in_a_success_means_signed_in() {
        let me = answer(
            200,
            json!({"user": {"username": "alice", "display_name": "Alice"}}),
        );
        assert_eq!(SignIn::Unknown.after(&me), SignIn::SignedIn("Alice".into()));
    }

    #[test]
    fn logout_and_no_cookie_mean_signed_out() {
        let signed_in = SignIn::SignedIn("Alice".into());
        assert_eq!(
            signed_in
                .clone()
                .after(&answer(200, json!({"logged_out": true}))),
            SignIn::SignedOut
        );
        let no_cookie = answer(401, json!({"error": ErrorCode::NoSession, "message": "…"}));
        assert_eq!(signed_in.clone().after(&no_cookie), SignIn::SignedOut);
    }

    #[test]
    fn a_refused_cookie_means_the_session_is_gone() {
        // Logged out elsewhere, expired, or lost in a restart of a memory store: the panel says why.
        let refused = answer(
            401,
            json!({"error": ErrorCode::InvalidSession, "message": "…"}),
        );
        assert_eq!(
            SignIn::SignedIn("Alice".into()).after(&refused),
            SignIn::SessionGone
        );
    }

    #[test]
    fn other_failures_change_nothing() {
        let signed_in = SignIn::SignedIn("Alice".into());
        let bad_request = answer(400, json!({"error": ErrorCode::BadRequest, "message": "…"}));
        assert_eq!(signed_in.clone().after(&bad_request), signed_in);
        let offline = Exchange {
            status: None,
            ..answer(0, json!("offline"))
        };
        assert_eq!(signed_in.clone().after(&offline), signed_in);
    }
}
