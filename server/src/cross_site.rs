//! Claim 9: a page on another site cannot ride the `SameSite=Lax` session cookie, and cannot
//! attach a bearer token at all. authlens runs a small "attacker site" on a second loopback
//! port; its page auto-submits two forms at this server's probe endpoint, which records
//! what actually arrived (cookie? Authorization? which site the browser said it came from).

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use tokio::time::Instant;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::client::Client;
use crate::error::ErrorCode;
use crate::error::{busy, error_response};
use crate::sync::lock;
use crate::visitor::{Visitor, VisitorId};
use app::api::{AttackerAddress, ErrorBody, ProbeNonce, ProbeRecord};
use app::i18n::{Lang, fill_named};

/// Probe records kept per visitor; older ones drop off. With every field cut to
/// [`PROBE_FIELD_BYTES`], a visitor's log is a few kilobytes at most.
const KEPT: usize = 16;
/// The most bytes a probe record keeps of any header it shows (a real `Origin` or
/// `Sec-Fetch-Site` is tens of bytes; a longer one is cut, and the record says so).
pub const PROBE_FIELD_BYTES: usize = 256;
/// The share of the probe-log ceiling one client address may hold: a tenth (at least one), so
/// no single client fills it; its next visitor replaces that address's oldest log instead.
const SHARE_DIVISOR: usize = 10;
/// Probe nonces a visitor holds at once; the oldest is forgotten for a new one.
const NONCES_KEPT: usize = 8;
/// Probes recorded per nonce: the attacker page sends two forms, a reload sends two more.
const PROBES_PER_NONCE: usize = 4;
/// A visitor's log unused this long is forgotten when room is needed.
const LOG_IDLE: Duration = Duration::from_secs(30 * 60);

/// The probes each visitor has seen. A cross-site form carries no visitor cookie (that is the
/// lesson: `SameSite=Lax`), so a probe is filed under the visitor who was handed its nonce; a
/// nonce nobody was handed records nothing.
#[derive(Clone)]
pub struct ProbeLog(Arc<Mutex<Logs>>);

struct Logs {
    by_visitor: HashMap<VisitorId, VisitorLog>,
    owner_of: HashMap<String, VisitorId>,
    /// Each client address's logs, oldest first.
    by_address: HashMap<IpAddr, VecDeque<VisitorId>>,
    max_visitors: usize,
}

struct VisitorLog {
    nonces: VecDeque<String>,
    records: VecDeque<ProbeRecord>,
    used: Instant,
    /// The client address that asked for the log's first nonce.
    address: IpAddr,
}

impl ProbeLog {
    pub fn new(max_visitors: usize) -> Self {
        ProbeLog(Arc::new(Mutex::new(Logs {
            by_visitor: HashMap::new(),
            owner_of: HashMap::new(),
            by_address: HashMap::new(),
            max_visitors,
        })))
    }

    /// A fresh nonce for `visitor`'s next probe, asked for from `address`; or `None` when the
    /// server keeps as many visitors' logs as it may and none has been idle long enough to
    /// forget. An address that holds its whole share gives up its own oldest log instead.
    pub fn issue(&self, visitor: VisitorId, address: IpAddr) -> Option<String> {
        let mut logs = lock(&self.0);
        let now = Instant::now();
        if !logs.by_visitor.contains_key(&visitor) {
            let share = (logs.max_visitors / SHARE_DIVISOR).max(1);
            let held = logs.by_address.get(&address).map_or(0, VecDeque::len);
            if held >= share {
                let oldest = logs
                    .by_address
                    .get(&address)
                    .and_then(|own| own.front().copied());
                if let Some(oldest) = oldest {
                    logs.forget(&oldest);
                }
            } else if logs.by_visitor.len() >= logs.max_visitors {
                logs.forget_idle(now);
                if logs.by_visitor.len() >= logs.max_visitors {
                    return None;
                }
            }
            logs.by_address
                .entry(address)
                .or_default()
                .push_back(visitor);
        }
        let nonce = crate::random::hex::<16>();
        let log = logs
            .by_visitor
            .entry(visitor)
            .or_insert_with(|| VisitorLog {
                nonces: VecDeque::new(),
                records: VecDeque::new(),
                used: now,
                address,
            });
        log.used = now;
        log.nonces.push_back(nonce.clone());
        let dropped = (log.nonces.len() > NONCES_KEPT)
            .then(|| log.nonces.pop_front())
            .flatten();
        if let Some(dropped) = dropped {
            logs.owner_of.remove(&dropped);
        }
        logs.owner_of.insert(nonce.clone(), visitor);
        Some(nonce)
    }

    /// Files `record` under the visitor its nonce was issued to; a nonce nobody was handed,
    /// or one whose share of probes is used up, records nothing.
    pub(crate) fn push(&self, mut record: ProbeRecord) {
        cut_fields(&mut record);
        let mut logs = lock(&self.0);
        let Some(owner) = logs.owner_of.get(&record.nonce).copied() else {
            return;
        };
        let Some(log) = logs.by_visitor.get_mut(&owner) else {
            return;
        };
        let same_nonce = log
            .records
            .iter()
            .filter(|seen| seen.nonce == record.nonce)
            .count();
        if same_nonce >= PROBES_PER_NONCE {
            return;
        }
        log.used = Instant::now();
        log.records.push_front(record);
        log.records.truncate(KEPT);
    }

    /// `visitor`'s probes, newest first.
    pub fn of(&self, visitor: &VisitorId) -> Vec<ProbeRecord> {
        lock(&self.0)
            .by_visitor
            .get(visitor)
            .map(|log| log.records.iter().cloned().collect())
            .unwrap_or_default()
    }
}

impl Logs {
    fn forget_idle(&mut self, now: Instant) {
        let idle: Vec<VisitorId> = self
            .by_visitor
            .iter()
            .filter(|(_, log)| now.duration_since(log.used) >= LOG_IDLE)
            .map(|(visitor, _)| *visitor)
            .collect();
        for visitor in idle {
            self.forget(&visitor);
        }
    }

    /// Drops `visitor`'s log, its nonces and its place in its address's share.
    fn forget(&mut self, visitor: &VisitorId) {
        let Some(log) = self.by_visitor.remove(visitor) else {
            return;
        };
        for nonce in &log.nonces {
            self.owner_of.remove(nonce);
        }
        if let Some(own) = self.by_address.get_mut(&log.address) {
            own.retain(|held| held != visitor);
            if own.is_empty() {
                self.by_address.remove(&log.address);
            }
        }
    }
}

/// Cuts each header a record shows to [`PROBE_FIELD_BYTES`] (at a character boundary) and
/// names the cut ones in `record.cut`, so a record has a size whatever a client sends.
fn cut_fields(record: &mut ProbeRecord) {
    let mut cut = Vec::new();
    for (name, field) in [
        ("flow", Some(&mut record.flow)),
        ("sec_fetch_site", record.sec_fetch_site.as_mut()),
        ("origin", record.origin.as_mut()),
        ("refused_by", record.refused_by.as_mut()),
    ] {
        if let Some(text) = field
            && text.len() > PROBE_FIELD_BYTES
        {
            let mut end = PROBE_FIELD_BYTES;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            text.truncate(end);
            cut.push(name.to_owned());
        }
    }
    record.cut = cut;
}

/// Routes on the main server, under `/api/lab`.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(probe))
        .routes(routes!(list_probes, new_probe))
        .routes(routes!(attacker_address))
}

/// The port of the demo's attacker site (claim 9).
#[utoipa::path(get, path = "/api/lab/attacker", tag = "lab",
    responses(
        (status = 200, body = AttackerAddress, description = "The attacker site's port"),
        (status = 404, body = ErrorBody, description = "no_attacker_site"),
    ))]
pub(crate) async fn attacker_address(State(state): State<AppState>) -> Response {
    match state.attacker_port {
        Some(port) => Json(AttackerAddress { port }).into_response(),
        None => error_response(
            StatusCode::NOT_FOUND,
            ErrorCode::NoAttackerSite,
            "This server runs no attacker site (start it with --attacker-addr).",
        ),
    }
}

/// The form posts the probe received for this visitor's nonces, newest first.
#[utoipa::path(get, path = "/api/lab/csrf-probes", tag = "lab",
    responses((status = 200, body = Vec<ProbeRecord>, description = "Your recorded probes")))]
pub(crate) async fn list_probes(
    State(state): State<AppState>,
    Visitor(visitor): Visitor,
) -> Json<Vec<ProbeRecord>> {
    Json(state.probes.of(&visitor))
}

/// A nonce for this visitor's next probe run: the probes that carry it are filed in this
/// visitor's log (the cross-site form itself carries no visitor cookie).
#[utoipa::path(post, path = "/api/lab/csrf-probes", tag = "lab",
    responses(
        (status = 200, body = ProbeNonce, description = "Your new nonce"),
        crate::error::Busy,
    ))]
pub(crate) async fn new_probe(
    State(state): State<AppState>,
    Visitor(visitor): Visitor,
    client: Client,
) -> Response {
    match state.probes.issue(visitor, client.ip) {
        Some(nonce) => Json(ProbeNonce { nonce }).into_response(),
        None => busy(
            ErrorCode::ServerBusy,
            "The server keeps as many visitors' probe logs as it may; try again in a few minutes.",
            60,
        ),
    }
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
    State(state): State<AppState>,
    client: Client,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let param = |name: &str| query_param(query.as_deref(), name);
    let flow = param("flow");
    let cookie_name = state.session_cookie_name(&client);
    let cookie_sent = crate::session::cookie_came_along(&headers, cookie_name);
    let authorization_sent = headers.contains_key(header::AUTHORIZATION);
    let acted = match flow.as_str() {
        "session" => crate::session::add_probe_item(&state, &headers, cookie_name).await,
        _ => false,
    };
    let status = if acted { 200 } else { 401 };
    state.probes.push(ProbeRecord {
        nonce: param("nonce").chars().take(64).collect(),
        flow,
        cookie_sent,
        authorization_sent,
        sec_fetch_site: header_text(&headers, "sec-fetch-site"),
        origin: header_text(&headers, "origin"),
        refused_by: crate::same_origin::refused_by(&headers, &client),
        status,
        test_cookies: Vec::new(),
        cut: Vec::new(),
    });
    let texts = Lang::from_code(&param("lang"))
        .unwrap_or_default()
        .experiment_texts();
    let verdict = if acted {
        texts.e9_probe_acted
    } else {
        texts.e9_probe_nothing
    };
    probe_page(state.attacker_port, verdict)
}

/// A probe's answer to the form that reached it: one line of HTML, which the attacker site may
/// show in its frames (or a tab shows as is). Both probes (experiments 9 and 15) answer so.
pub(crate) fn probe_page(attacker_port: Option<u16>, text: &str) -> Response {
    let policy = crate::security_headers::probe_policy(attacker_port);
    (
        [(header::CONTENT_SECURITY_POLICY, policy)],
        Html(format!("<!DOCTYPE html><p>{text}</p>")),
    )
        .into_response()
}

/// Experiment 15's attacker page: one form at the SameSite probe, sent at once (in the
/// experiment's frame: a cross-site post from a frame; in a tab of its own: a top-level
/// cross-site post, the one case "Lax+POST" was about).
fn samesite_attacker_page(target: &str, nonce: &str, via: &str, lang: Lang) -> Response {
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
<script>document.getElementById("samesite").submit();</script>
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

fn bad_attacker_query(authlens_port: u16) -> Response {
    error_response(
        StatusCode::BAD_REQUEST,
        ErrorCode::BadRequest,
        format!(
            "target must be this authlens, http://127.0.0.1:{authlens_port} or http://localhost:{authlens_port}; nonce alphanumeric"
        ),
    )
}

/// The attacker site: its own tiny router on its own port, whose forms aim at authlens on
/// `authlens_port` and nowhere else (not at another service on this machine, such as Redis).
pub fn attacker_site(authlens_port: u16) -> Router {
    Router::new()
        .route("/", get(attacker_page))
        .with_state(authlens_port)
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
    State(authlens_port): State<u16>,
    query: Result<Query<AttackerQuery>, QueryRejection>,
) -> Response {
    let Ok(Query(query)) = query else {
        return bad_attacker_query(authlens_port);
    };
    let target_ok = ["127.0.0.1", "localhost"]
        .iter()
        .any(|host| query.target == format!("http://{host}:{authlens_port}"));
    let nonce_ok =
        query.nonce.bytes().all(|b| b.is_ascii_alphanumeric()) && query.nonce.len() <= 64;
    if !target_ok || !nonce_ok {
        return bad_attacker_query(authlens_port);
    }
    let (target, nonce) = (&query.target, &query.nonce);
    let lang = Lang::from_code(&query.lang).unwrap_or_default();
    let texts = lang.experiment_texts();
    if query.test == "samesite" {
        let via = match query.via.as_str() {
            "top" => "top",
            _ => "frame",
        };
        return samesite_attacker_page(target, nonce, via, lang);
    }
    let (code, title) = (lang.code(), texts.e9_site_title);
    let banner = fill_named(texts.e9_site_banner, &[("target", target.clone())]);
    let (session_frame, token_frame) = (texts.e9_site_session_frame, texts.e9_site_token_frame);
    Html(format!(
        r#"<!DOCTYPE html>
<html lang="{code}"><head><meta charset="utf-8"><title>{title}</title></head>
<body style="font-family: sans-serif; background: #fee2e2; margin: 0.5rem">
<p>{banner}</p>
<iframe name="session-result" title="{session_frame}" style="width: 45%; height: 4.5rem"></iframe>
<iframe name="jwt-result" title="{token_frame}" style="width: 45%; height: 4.5rem"></iframe>
<form id="session" method="POST" target="session-result" action="{target}/api/lab/csrf-probe?flow=session&amp;nonce={nonce}&amp;lang={code}">
  <input type="hidden" name="item" value="bought by the attacker">
</form>
<form id="jwt" method="POST" target="jwt-result" action="{target}/api/lab/csrf-probe?flow=jwt&amp;nonce={nonce}&amp;lang={code}">
  <input type="hidden" name="item" value="bought by the attacker">
</form>
<script>document.getElementById("session").submit(); document.getElementById("jwt").submit();</script>
</body></html>"#
    ))
    .into_response()
}
