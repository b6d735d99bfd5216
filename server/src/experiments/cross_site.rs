//! Claim 9: a page on another site cannot ride the `SameSite=Lax` session cookie, and cannot
//! attach a bearer token at all. authlens serves a small "attacker site" (on a second loopback
//! port, or under a public name of its own: [`crate::http::attacker`]); its page auto-submits two
//! forms at this server's probe endpoint, which records what actually arrived (cookie?
//! Authorization? which site the browser said it came from) in the visitor's probe log
//! ([`crate::experiments::probe_log`]).

use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRef, Query, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::experiments::probe_log::ProbeLog;
use crate::http::attacker::AttackerSite;
use crate::http::client::Client;
use crate::http::error::ErrorCode;
use crate::http::error::{busy, error_response, with_fault};
use crate::http::visitor::Visitor;
use crate::session::SessionState;
use crate::storage::StoreError;
use app::api::{AttackerAddress, ErrorBody, ProbeNonce, ProbeRecord};
use app::i18n::{Lang, fill_named};

/// What experiments 9 and 15 use: where the attacker site is, the probe logs, and the session
/// flow a forged form tries to ride.
pub struct CrossSiteState {
    pub attacker: AttackerSite,
    pub probes: ProbeLog,
    pub sessions: Arc<SessionState>,
}

/// Routes on the main server, under `/api/lab`.
pub fn routes<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Arc<CrossSiteState>: FromRef<S>,
{
    OpenApiRouter::new()
        .routes(routes!(probe))
        .routes(routes!(list_probes, new_probe))
        .routes(routes!(attacker_address))
}

/// Where this page's browser reaches the demo's attacker site (claims 9 and 15).
#[utoipa::path(get, path = "/api/lab/attacker", tag = "lab",
    responses(
        (status = 200, body = AttackerAddress, description = "The attacker site's origin, as this page's browser reaches it"),
        (status = 404, body = ErrorBody, description = "no_attacker_site: none this browser can reach (a page on a public name needs --attacker-origin)"),
    ))]
pub(crate) async fn attacker_address(
    State(state): State<Arc<CrossSiteState>>,
    client: Client,
    headers: HeaderMap,
) -> Response {
    let host = header_text(&headers, "host").unwrap_or_default();
    match state.attacker.for_page(&host, client.loopback) {
        Some(origin) => Json(AttackerAddress {
            origin,
            same_site: state.attacker.same_site_as(&host),
        })
        .into_response(),
        None => error_response(
            StatusCode::NOT_FOUND,
            ErrorCode::NoAttackerSite,
            "This server has no attacker site your browser can reach: its loopback one is only for a browser on the server's machine. A hosted authlens needs a second public name for it: start it with --attacker-origin.",
        ),
    }
}

/// The form posts the probe received for this visitor's nonces, newest first.
#[utoipa::path(get, path = "/api/lab/csrf-probes", tag = "lab",
    responses(
        (status = 200, body = Vec<ProbeRecord>, description = "Your recorded probes"),
        (status = 503, body = ErrorBody, description = "store_unavailable: the probe log's Redis is down"),
    ))]
pub(crate) async fn list_probes(
    State(state): State<Arc<CrossSiteState>>,
    Visitor(visitor): Visitor,
) -> Response {
    match state.probes.of(&visitor).await {
        Ok(records) => Json(records).into_response(),
        Err(err) => log_down(err),
    }
}

/// A nonce for this visitor's next probe run: the probes that carry it are filed in this
/// visitor's log (the cross-site form itself carries no visitor cookie).
#[utoipa::path(post, path = "/api/lab/csrf-probes", tag = "lab",
    responses(
        (status = 200, body = ProbeNonce, description = "Your new nonce"),
        crate::http::error::Busy,
    ))]
pub(crate) async fn new_probe(
    State(state): State<Arc<CrossSiteState>>,
    Visitor(visitor): Visitor,
    client: Client,
) -> Response {
    match issue_nonce(&state, visitor, &client).await {
        Ok(nonce) => Json(ProbeNonce { nonce }).into_response(),
        Err(refusal) => refusal,
    }
}

/// A probe nonce for `visitor` (experiments 9 and 15), or the answer saying why there is none:
/// every log the server may keep is taken (503 server_busy), or the log's store is down.
pub(crate) async fn issue_nonce(
    state: &CrossSiteState,
    visitor: crate::http::visitor::VisitorId,
    client: &Client,
) -> Result<String, Response> {
    match state.probes.issue(visitor, client.ip).await {
        Ok(Some(nonce)) => Ok(nonce),
        Ok(None) => Err(busy(
            ErrorCode::ServerBusy,
            "The server keeps as many visitors' probe logs as it may; try again in a few minutes.",
            60,
        )),
        Err(err) => Err(log_down(err)),
    }
}

/// The probe log's Redis did not answer.
fn log_down(err: StoreError) -> Response {
    let response = error_response(
        StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::StoreUnavailable,
        "The probe log (Redis) is unavailable; try again in a moment.",
    );
    with_fault(response, err)
}

/// `POST /api/lab/csrf-probe?flow=session|jwt&nonce=…`: a state-changing endpoint as a forged
/// form sees it: acts (adds to the cart) only when a
/// live session cookie came along. The log records what such a route answers (`status`: 200
/// acted, 401 refused); the form itself gets 200 and those words in HTML, so the attacker
/// page's frame shows them with no failed load in the browser's console.
#[utoipa::path(post, path = "/api/lab/csrf-probe", tag = "lab",
    params(("flow" = String, Query, description = "session or jwt"),
           ("nonce" = String, Query, description = "Tags the probe so the page can find it")),
    responses(
        (status = 200, content_type = "text/html", body = String, description = "Recorded; says whether a live session came along and the request acted (the log's status: 200) or nothing happened (401)"),
    ))]
pub(crate) async fn probe(
    State(state): State<Arc<CrossSiteState>>,
    client: Client,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let param = |name: &str| query_param(query.as_deref(), name);
    let flow = param("flow");
    let cookie_name = state.sessions.cookie.name(&client);
    let cookie_sent = crate::session::cookie_came_along(&headers, cookie_name);
    let authorization_sent = headers.contains_key(header::AUTHORIZATION);
    let acted = match flow.as_str() {
        "session" => crate::session::add_probe_item(&state.sessions, &headers, cookie_name).await,
        _ => false,
    };
    let status = if acted { 200 } else { 401 };
    let filed = state.probes.push(ProbeRecord {
        nonce: param("nonce").chars().take(64).collect(),
        flow,
        cookie_sent,
        authorization_sent,
        sec_fetch_site: header_text(&headers, "sec-fetch-site"),
        origin: header_text(&headers, "origin"),
        refused_by: crate::http::same_origin::refused_by(&headers, &client),
        status,
        test_cookies: Vec::new(),
        cut: Vec::new(),
    });
    if let Err(err) = filed.await {
        // The form still gets its answer; the page's wait for the record says the rest.
        tracing::warn!("a CSRF probe was not recorded: {err}");
    }
    let texts = Lang::from_code(&param("lang"))
        .unwrap_or_default()
        .experiment_texts();
    let verdict = if acted {
        texts.e9_probe_acted
    } else {
        texts.e9_probe_nothing
    };
    probe_page(&state.attacker, verdict)
}

/// A probe's answer to the form that reached it: one line of HTML, which the attacker site may
/// show in its frames (or a tab shows as is). Both probes (experiments 9 and 15) answer so.
pub(crate) fn probe_page(attacker: &AttackerSite, text: &str) -> Response {
    let policy = crate::http::security_headers::probe_policy(attacker);
    (
        [(header::CONTENT_SECURITY_POLICY, policy)],
        Html(format!("<!DOCTYPE html><p>{text}</p>")),
    )
        .into_response()
}

/// Experiment 15's attacker page: one form at the SameSite probe, sent at once (in the
/// experiment's frame: a cross-site post from a frame; in a tab of its own: a top-level
/// cross-site post, the one case "Lax+POST" was about).
fn samesite_attacker_page(
    target: &str,
    nonce: &str,
    via: &str,
    lang: Lang,
    script_nonce: &str,
) -> Response {
    let texts = lang.experiment_texts();
    let code = lang.code();
    let title = texts.e9_site_title;
    let banner = fill_named(texts.e15_site_banner, &[("target", target.to_owned())]);
    // In a frame, the form lands in a frame of this page's own (the page that framed this one
    // lets only the attacker site into its frames); in a tab, it replaces this page.
    let (result_frame, form_target) = if via == "frame" {
        let title = texts.e15_frame_title;
        (
            format!(
                r#"<iframe name="samesite-result" title="{title}" style="width: 90%; height: 3.5rem"></iframe>"#
            ),
            "samesite-result",
        )
    } else {
        (String::new(), "_self")
    };
    Html(format!(
        r#"<!DOCTYPE html>
<html lang="{code}"><head><meta charset="utf-8"><title>{title}</title></head>
<body style="font-family: sans-serif; background: #fee2e2; margin: 0.5rem">
<p>{banner}</p>
{result_frame}
<form id="samesite" method="POST" target="{form_target}" action="{target}/api/lab/samesite/probe?nonce={nonce}&amp;via={via}&amp;lang={code}">
  <input type="hidden" name="from" value="another site">
</form>
<script nonce="{script_nonce}">document.getElementById("samesite").submit();</script>
</body></html>"#
    ))
    .into_response()
}

/// A raw query's value for `name` (undecoded: the probes' values are hex and plain words),
/// empty when absent. The probes read their query this way so that no form of it is refused.
pub(crate) fn query_param(query: Option<&str>, name: &str) -> String {
    query
        .unwrap_or_default()
        .split('&')
        .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
        .map(str::to_owned)
        .unwrap_or_default()
}

/// A request header's value as text, if it has one.
pub(crate) fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
}

fn bad_attacker_query() -> Response {
    error_response(
        StatusCode::BAD_REQUEST,
        ErrorCode::BadRequest,
        "target must be this authlens's page origin (http://127.0.0.1:<its port>, http://localhost:<its port>, or a public name on the attacker origin's scheme and port); nonce alphanumeric",
    )
}

/// The attacker site: its own tiny router (on its own loopback port, or behind the main
/// listener for its public name), whose forms aim at this authlens and nowhere else.
pub fn attacker_site(site: AttackerSite) -> Router {
    Router::new()
        .route("/", get(attacker_page))
        .fallback(|| async {
            error_response(
                StatusCode::NOT_FOUND,
                ErrorCode::NotFound,
                "The attacker site has one page: /?target=…&nonce=…",
            )
        })
        .with_state(Arc::new(site))
}

/// Both fields default, so a missing one gets the same JSON 400 as a bad one.
#[derive(Deserialize)]
struct AttackerQuery {
    #[serde(default)]
    target: String,
    #[serde(default)]
    nonce: String,
    /// The page's language, which this page and the probe's answers speak too.
    #[serde(default)]
    lang: String,
    /// `samesite` for experiment 15's one form at the SameSite probe; else experiment 9's two.
    #[serde(default)]
    test: String,
    /// Experiment 15: `frame` (this page is in the experiment's frame) or `top` (in a tab).
    #[serde(default)]
    via: String,
}

/// A page that, on load, posts two forms at the target: one at the session flow (hoping the
/// browser adds the cookie), one at the token flow (which no form can give a bearer header).
async fn attacker_page(
    State(site): State<Arc<AttackerSite>>,
    query: Result<Query<AttackerQuery>, QueryRejection>,
) -> Response {
    let Ok(Query(query)) = query else {
        return bad_attacker_query();
    };
    let nonce_ok =
        query.nonce.bytes().all(|b| b.is_ascii_alphanumeric()) && query.nonce.len() <= 64;
    if !site.accepts_target(&query.target) || !nonce_ok {
        return bad_attacker_query();
    }
    let (target, nonce) = (&query.target, &query.nonce);
    // Its own policy: one inline script by nonce, forms and frames at the target only.
    let script_nonce = crate::random::hex::<16>();
    let policy = crate::http::security_headers::attacker_page_policy(&script_nonce, target);
    let page = attacker_page_html(target, nonce, &query, &script_nonce);
    ([(header::CONTENT_SECURITY_POLICY, policy)], page).into_response()
}

/// The attacker page's HTML: experiment 15's one form, or experiment 9's two.
fn attacker_page_html(
    target: &str,
    nonce: &str,
    query: &AttackerQuery,
    script_nonce: &str,
) -> Response {
    let lang = Lang::from_code(&query.lang).unwrap_or_default();
    let texts = lang.experiment_texts();
    if query.test == "samesite" {
        let via = match query.via.as_str() {
            "top" => "top",
            _ => "frame",
        };
        return samesite_attacker_page(target, nonce, via, lang, script_nonce);
    }
    let (code, title) = (lang.code(), texts.e9_site_title);
    let banner = fill_named(texts.e9_site_banner, &[("target", target.to_owned())]);
    let (session_frame, token_frame) = (texts.e9_site_session_frame, texts.e9_site_token_frame);
    Html(format!(
        r#"<!DOCTYPE html>
<html lang="{code}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title></head>
<body style="font-family: sans-serif; background: #fee2e2; margin: 0.5rem; overflow-wrap: anywhere">
<p style="margin: 0 0 0.5rem">{banner}</p>
<div style="display: flex; flex-wrap: wrap; gap: 0.5rem">
<iframe name="session-result" title="{session_frame}" style="flex: 1 1 12rem; height: 4.5rem"></iframe>
<iframe name="jwt-result" title="{token_frame}" style="flex: 1 1 12rem; height: 4.5rem"></iframe>
</div>
<form id="session" method="POST" target="session-result" action="{target}/api/lab/csrf-probe?flow=session&amp;nonce={nonce}&amp;lang={code}">
  <input type="hidden" name="item" value="bought by the attacker">
</form>
<form id="jwt" method="POST" target="jwt-result" action="{target}/api/lab/csrf-probe?flow=jwt&amp;nonce={nonce}&amp;lang={code}">
  <input type="hidden" name="item" value="bought by the attacker">
</form>
<script nonce="{script_nonce}">document.getElementById("session").submit(); document.getElementById("jwt").submit();</script>
</body></html>"#
    ))
    .into_response()
}
