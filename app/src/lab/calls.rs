//! The two logins, through the balancer: each call says which node answered and how.

use super::LabState;
use crate::api::{DEMO_ACCOUNTS, ErrorCode, RefreshRequest, TokenResponse};
use crate::fetch::{self, Body, Exchange, Method};
use crate::i18n::{LabTexts, fill_named};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// How many times "Call /me" asks, and a claim's run calls /me (the cards say ten).
pub(super) const CALLS: usize = 10;

/// One call through the balancer: the node that answered (from `X-Authlens-Node`) and the status.
#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    pub node: Option<String>,
    label: String,
    pub status: Option<u16>,
    pub error: Option<ErrorCode>,
}

impl Call {
    pub fn of(exchange: &Exchange) -> Call {
        Call {
            node: exchange
                .response_headers
                .iter()
                .find(|(name, _)| name == "x-authlens-node")
                .map(|(_, value)| value.clone()),
            label: format!(
                "{} {}",
                exchange.method.as_str(),
                exchange.path.trim_start_matches("/lb")
            ),
            status: exchange.status,
            error: exchange.error_code(),
        }
    }
}

/// A side's list of calls and whether it is busy; one runner serves both logins.
#[derive(Clone, Copy)]
struct Runner {
    lab: LabState,
    calls: RwSignal<Vec<Call>>,
    running: RwSignal<bool>,
}

impl Runner {
    fn new(calls: fn(LabState) -> RwSignal<Vec<Call>>) -> Runner {
        let lab = expect_context::<LabState>();
        Runner {
            lab,
            calls: calls(lab),
            running: RwSignal::new(false),
        }
    }

    /// Sends one request `times` times in a row, listing each call as it comes back, hands every
    /// exchange to `seen`, then redraws the cluster (its counters and tables changed).
    fn run(
        self,
        method: Method,
        path: &'static str,
        body: Option<Body>,
        bearer: Option<String>,
        times: usize,
        seen: impl Fn(&Exchange) + 'static,
    ) {
        self.running.set(true);
        spawn_local(async move {
            let mut made = Vec::new();
            for _ in 0..times {
                let exchange = fetch::send(method, path, body.clone(), bearer.clone()).await;
                seen(&exchange);
                made.push(Call::of(&exchange));
                self.calls.set(made.clone());
            }
            self.running.set(false);
            self.lab.refresh();
        });
    }
}

#[component]
pub fn SessionSide() -> impl IntoView {
    let runner = Runner::new(|lab| lab.session_calls);
    let running = runner.running;
    // The browser carries the node's session cookie (and, in sticky mode, the balancer's).
    let run = move |method: Method, path: &'static str, body: Option<Body>, times: usize| {
        runner.run(method, path, body, None, times, |_| {});
    };
    view! {
        <Side id="lab-session" title=|t| t.session_side calls=runner.calls running>
            <button type="button" disabled=move || running.get()
                on:click=move |_| run(Method::Post, "/lb/api/session/login", Some(Body::of(&DEMO_ACCOUNTS[0].login())), 1)>
                <Text text=|t| t.log_in/>
            </button>
            <button type="button" disabled=move || running.get()
                on:click=move |_| run(Method::Get, "/lb/api/session/me", None, CALLS)>
                <Text text=|t| t.me_ten/>
            </button>
            <button type="button" disabled=move || running.get()
                on:click=move |_| run(Method::Post, "/lb/api/session/logout", Some(Body::none()), 1)>
                <Text text=|t| t.log_out/>
            </button>
        </Side>
    }
}

#[component]
pub fn JwtSide() -> impl IntoView {
    let runner = Runner::new(|lab| lab.jwt_calls);
    let running = runner.running;
    // Kept in this page's memory, not localStorage, so the lab never touches the home page's tokens.
    let token = RwSignal::new(None::<String>);
    let refresh_token = RwSignal::new(None::<String>);
    let keep = move |exchange: &Exchange| {
        if let Some(tokens) = exchange.json::<TokenResponse>() {
            token.set(Some(tokens.access_token));
            refresh_token.set(Some(tokens.refresh_token));
        }
    };
    let login = move |_| {
        runner.run(
            Method::Post,
            "/lb/api/jwt/login",
            Some(Body::of(&DEMO_ACCOUNTS[0].login())),
            None,
            1,
            keep,
        );
    };
    // Claim 14: the access token needs no store, its refresh does.
    let refresh = move |_| {
        let body = Body::of(&RefreshRequest {
            refresh_token: refresh_token.get_untracked().unwrap_or_default(),
        });
        runner.run(
            Method::Post,
            "/lb/api/jwt/refresh",
            Some(body),
            None,
            1,
            keep,
        );
    };
    let me = move |_| {
        let bearer = token.get_untracked();
        runner.run(Method::Get, "/lb/api/jwt/me", None, bearer, CALLS, |_| {});
    };
    view! {
        <Side id="lab-jwt" title=|t| t.jwt_side calls=runner.calls running>
            <button type="button" disabled=move || running.get() on:click=login>
                <Text text=|t| t.log_in/>
            </button>
            <button type="button" disabled=move || running.get() on:click=me>
                <Text text=|t| t.me_ten/>
            </button>
            <button type="button" disabled=move || running.get() on:click=refresh>
                <Text text=|t| t.refresh/>
            </button>
        </Side>
    }
}

#[component]
fn Text(text: fn(&LabTexts) -> &'static str) -> impl IntoView {
    let lang = crate::i18n::use_lang();
    move || text(lang.get().lab_texts())
}

/// A column: its buttons, then the calls it made, each with the node that answered.
#[component]
fn Side(
    id: &'static str,
    title: fn(&LabTexts) -> &'static str,
    calls: RwSignal<Vec<Call>>,
    running: RwSignal<bool>,
    children: Children,
) -> impl IntoView {
    let lang = crate::i18n::use_lang();
    let texts = move || lang.get().lab_texts();
    let heading = format!("{id}-title");
    let labelled_by = heading.clone();
    view! {
        <section class="column lab-side" aria-labelledby=labelled_by aria-busy=move || running.get().to_string()>
            <h3 id=heading>{move || title(texts())}</h3>
            <div class="actions">{children()}</div>
            <h4>{move || texts().calls_title}</h4>
            <p data-testid=format!("{id}-summary")>
                {move || {
                    let calls = calls.get();
                    let ok = calls.iter().filter(|call| call.status == Some(200)).count();
                    texts()
                        .calls_summary
                        .replace("{ok}", &ok.to_string())
                        .replace("{total}", &calls.len().to_string())
                }}
            </p>
            <ol class="hops" data-testid=format!("{id}-calls")>
                {move || calls.get().into_iter().map(|call| {
                    let ok = call.status == Some(200);
                    let status = call.status.map_or_else(|| "—".to_owned(), |code| code.to_string());
                    view! {
                        <li class:ok=ok class:bad=!ok>
                            {if ok { "✓ " } else { "✗ " }}
                            {move || fill_named(texts().node, &[("number", call.node.clone().unwrap_or_else(|| "—".into()))])}
                            " · "
                            <code>{format!("{} → {status}", call.label)}</code>
                            {call.error.map(|error| format!(" {error}"))}
                        </li>
                    }
                }).collect_view()}
            </ol>
        </section>
    }
}
