//! The wire: every request a column made, like a DevTools network row that expands. What
//! fetch hides from the page (the `Cookie` the browser attached, the `Set-Cookie` it got) is
//! shown from the server's trace, and marked as such.

use leptos::prelude::*;

use serde::Deserialize;

use crate::api::{BulkKind, BulkRequest, SESSION_COOKIE, VISITOR_COOKIE};
use crate::comparison::VisitFigures;
use crate::fetch::{Credential, Exchange, set_by_browser, watch_exchanges};
use crate::i18n::PanelTexts;

/// Rows kept per column; older ones drop off.
pub const WIRE_ROWS: usize = 40;

/// Who made a request: the visitor with a button, the column's code by itself, or an
/// experiment's run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Initiator {
    Visitor,
    /// The JWT column's client refreshing an expired access token on its own.
    AutomaticRefresh,
    /// The JWT column's client renewing its access token shortly before it expires.
    EarlyRenewal,
    /// An experiment's request: its number, and whether it was sent as from another machine
    /// (experiment 3's attacker, with none of this origin's cookies).
    Experiment {
        number: u8,
        as_attacker: bool,
    },
}

/// The column an experiment's request is shown in: the token column for the token routes,
/// for any request that carried a Bearer token and for experiment 10's token batch; the
/// session column for the rest, which all ride this browser's cookies.
pub fn column_of(exchange: &Exchange) -> Credential {
    let carried_bearer = exchange
        .request_headers
        .iter()
        .any(|(name, _)| name == Credential::Bearer.header());
    let token_batch = exchange.path == "/api/lab/bulk"
        && exchange
            .request_body
            .as_ref()
            .and_then(|body| BulkRequest::deserialize(body).ok())
            .is_some_and(|request| request.kind == BulkKind::Tokens);
    if exchange.path.starts_with("/api/jwt/") || carried_bearer || token_batch {
        Credential::Bearer
    } else {
        Credential::Cookie
    }
}

#[derive(Clone)]
struct WireEntry {
    /// Numbered from 1 in the order sent, so the newest-first list reads the same both ways.
    number: usize,
    exchange: Exchange,
    initiator: Initiator,
}

/// One column's log of exchanges, newest first. Each recorded exchange also feeds the
/// comparison table's per-request figures, counted by the column's own credential.
#[derive(Clone, Copy)]
pub struct WireLog {
    rows: RwSignal<Vec<WireEntry>>,
    sent: StoredValue<usize>,
    credential: Credential,
    figures: Option<VisitFigures>,
}

impl WireLog {
    /// A column's log; it also takes in the experiments' requests that belong in the column
    /// ([`column_of`]), labelled with their experiment.
    pub fn new(credential: Credential) -> Self {
        let log = WireLog {
            rows: RwSignal::new(Vec::new()),
            sent: StoredValue::new(0),
            credential,
            figures: use_context::<VisitFigures>(),
        };
        watch_exchanges(move |exchange| {
            if let Some(number) = exchange.experiment
                && column_of(exchange) == credential
            {
                let initiator = Initiator::Experiment {
                    number,
                    as_attacker: exchange.cookies_omitted,
                };
                log.record_by(initiator, exchange);
            }
        });
        log
    }

    pub fn record(self, exchange: &Exchange) {
        self.record_by(Initiator::Visitor, exchange);
    }

    pub fn record_by(self, initiator: Initiator, exchange: &Exchange) {
        self.sent.update_value(|sent| *sent += 1);
        let number = self.sent.get_value();
        self.rows.update(|rows| {
            rows.insert(
                0,
                WireEntry {
                    number,
                    exchange: exchange.clone(),
                    initiator,
                },
            );
            rows.truncate(WIRE_ROWS);
        });
        if let Some(figures) = self.figures {
            figures.observe_credentials(self.credential, exchange);
        }
    }
}

/// The badge of a row the visitor did not ask for with the column's own buttons.
fn initiator_badge(texts: &PanelTexts, initiator: Initiator) -> String {
    match initiator {
        Initiator::Visitor => String::new(),
        Initiator::AutomaticRefresh => texts.automatic_refresh.to_owned(),
        Initiator::EarlyRenewal => texts.early_renewal.to_owned(),
        Initiator::Experiment {
            number,
            as_attacker,
        } => {
            let template = if as_attacker {
                texts.by_experiment_as_attacker
            } else {
                texts.by_experiment
            };
            crate::i18n::fill_named(template, &[("number", number.to_string())])
        }
    }
}

/// Header lines as (name, value).
pub type Headers = Vec<(String, String)>;

/// A request's headers in the wire's two groups, as the server received them (`received` of
/// the trace): what the page's code set, and what the browser added on its own. An answer
/// without a trace (an error) leaves only what the page's code set, as it sent them.
pub fn header_groups(exchange: &Exchange) -> (Headers, Headers) {
    let Some(trace) = &exchange.trace else {
        return (exchange.request_headers.clone(), Vec::new());
    };
    trace
        .received
        .iter()
        .map(|line| (line.name.clone(), line.value.clone()))
        .partition(|(name, _)| !set_by_browser(name))
}

/// Whether a token request carried this origin's session cookie along, unasked.
fn session_cookie_rode_along(credential: Credential, browser_set: &[(String, String)]) -> bool {
    credential == Credential::Bearer
        && browser_set
            .iter()
            .any(|(name, value)| name == "cookie" && value.contains(SESSION_COOKIE))
}

#[component]
pub fn Wire(log: WireLog, id_prefix: &'static str) -> impl IntoView {
    let lang = crate::i18n::use_lang();
    let texts = move || lang.get().panel_texts();
    let heading_id = format!("{id_prefix}-wire-title");
    // Named by its heading and its column: the two columns' sections must differ.
    let labelled_by = format!("{heading_id} {id_prefix}-title");
    view! {
        <section class="wire" aria-labelledby=labelled_by>
            <h3 id=heading_id>{move || texts().wire_title}</h3>
            <ol class="wire-rows" data-testid=format!("{id_prefix}-wire")>
                {move || log.rows.with(Vec::is_empty).then(|| view! {
                    <li class="muted">{move || texts().wire_empty}</li>
                })}
                // Keyed by number: a new row is added, the others are left as they are.
                <For
                    each=move || log.rows.get()
                    key=|entry| entry.number
                    children=move |entry| view! { <WireRow entry credential=log.credential/> }
                />
            </ol>
        </section>
    }
}

#[component]
fn WireRow(entry: WireEntry, credential: Credential) -> impl IntoView {
    let lang = crate::i18n::use_lang();
    let texts = move || lang.get().panel_texts();
    let WireEntry {
        number,
        exchange,
        initiator,
    } = entry;
    let status = exchange
        .status
        .map_or_else(|| "—".to_owned(), |code| code.to_string());
    let credentials = exchange
        .credential_bytes(credential)
        .filter(|bytes| *bytes > 0);
    let (test_id, experiment) = match initiator {
        Initiator::Visitor => (None, None),
        Initiator::AutomaticRefresh => (Some("automatic-refresh-row"), None),
        Initiator::EarlyRenewal => (Some("early-renewal-row"), None),
        Initiator::Experiment { number, .. } => (Some("experiment-row"), Some(number)),
    };
    let ok = exchange.ok();
    let (method, path, duration_ms) =
        (exchange.method, exchange.path.clone(), exchange.duration_ms);
    // The headers and bodies are laid out when the row is first opened: an experiment adds
    // dozens of rows, and most are never opened.
    let opened = RwSignal::new(false);
    let exchange = StoredValue::new(exchange);
    view! {
        <li data-testid=test_id data-experiment=experiment.map(|number| number.to_string())
            data-credential-bytes=credentials.map(|bytes| bytes.to_string())>
            <details on:toggle=move |_| opened.set(true)>
                <summary>
                    <span class="wire-number">{format!("#{number} ")}</span>
                    {(initiator != Initiator::Visitor).then(|| view! {
                        <span class="badge">{move || initiator_badge(texts(), initiator)}</span> " "
                    })}
                    <code class="method">{method.as_str()}</code>
                    " "
                    <code>{path}</code>
                    " → "
                    <strong class="status" class:ok=ok>{status}</strong>
                    <span class="wire-meta">
                        {format!(" · {duration_ms:.0} ms")}
                        {move || credentials.map(|bytes| format!(" · {} {bytes} B", texts().credentials))}
                    </span>
                </summary>
                {move || opened.get().then(|| exchange.with_value(|exchange| view! {
                    <WireDetail exchange=exchange.clone() credential/>
                }))}
            </details>
        </li>
    }
}

/// An opened row: the request's headers in who-set-them groups, the bodies, the response's
/// headers (those fetch hides from the page included, from the trace).
#[component]
fn WireDetail(exchange: Exchange, credential: Credential) -> impl IntoView {
    let lang = crate::i18n::use_lang();
    let texts = move || lang.get().panel_texts();
    let (page_set, browser_set) = header_groups(&exchange);
    let visitor_cookie_sent = browser_set
        .iter()
        .any(|(name, value)| name == "cookie" && value.contains(VISITOR_COOKIE));
    let rode_along = session_cookie_rode_along(credential, &browser_set);
    let emitted: Headers = exchange
        .emitted()
        .iter()
        .map(|line| (line.name.clone(), line.value.clone()))
        .collect();
    let body = serde_json::to_string_pretty(&exchange.body).unwrap_or_default();
    let sent_body = exchange
        .request_body
        .as_ref()
        .map(|body| serde_json::to_string_pretty(body).unwrap_or_default());
    view! {
        <div class="wire-detail">
            <h4>{move || texts().request_headers}</h4>
            <HeaderList lines=page_set note=Some(texts().page_set_note) test_id="headers-set-by-page"/>
            <HeaderList lines=browser_set note=Some(texts().browser_set_note) test_id="headers-set-by-browser"/>
            {rode_along.then(|| view! {
                <p class="wire-note" data-testid="cookie-rode-along">{move || texts().cookie_rode_along}</p>
            })}
            {visitor_cookie_sent.then(|| view! {
                <p class="wire-note" data-testid="visitor-cookie-label">{move || texts().visitor_cookie_note}</p>
            })}
            {sent_body.map(|body| view! { <pre class="json small" tabindex="0">{body}</pre> })}
            <h4>{move || texts().response_headers}</h4>
            <HeaderList lines=exchange.response_headers.clone() note=None test_id="response-headers"/>
            <HeaderList lines=emitted.clone() note=Some(texts().emitted_note) test_id="headers-hidden-by-fetch"/>
            {emitted
                .iter()
                .find(|(name, _)| name == "set-cookie")
                .map(|(_, value)| view! { <CookieAttributes set_cookie=value.clone()/> })}
            <h4>{move || texts().response_body}</h4>
            <pre class="json small" tabindex="0">{body}</pre>
        </div>
    }
}

#[component]
fn HeaderList(
    lines: Vec<(String, String)>,
    note: Option<&'static str>,
    test_id: &'static str,
) -> impl IntoView {
    (!lines.is_empty()).then(|| {
        view! {
            {note.map(|note| view! { <p class="wire-note">{note}</p> })}
            <dl class="headers" data-testid=test_id>
                {lines
                    .into_iter()
                    .map(|(name, value)| {
                        view! {
                            <dt><code>{name}</code></dt>
                            <dd><code>{value}</code></dd>
                        }
                    })
                    .collect_view()}
            </dl>
        }
    })
}

/// Each attribute of a `Set-Cookie`, in words.
#[component]
pub fn CookieAttributes(set_cookie: String) -> impl IntoView {
    let lang = crate::i18n::use_lang();
    let attributes: Vec<String> = set_cookie
        .split(';')
        .skip(1)
        .map(|attribute| attribute.trim().to_owned())
        .filter(|attribute| !attribute.is_empty())
        .collect();
    view! {
        <ul class="cookie-attributes">
            {attributes
                .into_iter()
                .map(|attribute| {
                    let (name, value) = attribute
                        .split_once('=')
                        .map_or((attribute.as_str(), ""), |(name, value)| (name, value));
                    let (name, value) = (name.to_ascii_lowercase(), value.to_owned());
                    view! {
                        <li>
                            <code>{attribute.clone()}</code>
                            " — "
                            {move || cookie_attribute_meaning(lang.get().panel_texts(), &name, &value)}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

/// What an attribute does, in words; `Max-Age` with its own figure.
fn cookie_attribute_meaning(texts: &PanelTexts, name: &str, value: &str) -> String {
    match name {
        "httponly" => texts.attr_http_only.to_owned(),
        "samesite" => texts.attr_same_site.to_owned(),
        "secure" => texts.attr_secure.to_owned(),
        "path" => texts.attr_path.to_owned(),
        "expires" => texts.attr_expires.to_owned(),
        "max-age" => match value.parse::<u64>() {
            Ok(0) | Err(_) => texts.attr_max_age_zero.to_owned(),
            Ok(secs) => {
                crate::i18n::fill_named(texts.attr_max_age, &[("value", lifetime(texts, secs))])
            }
        },
        _ => String::new(),
    }
}

/// Seconds as the largest whole units, in the page's language (`8 h`, `1 h 30 min 45 s`;
/// `8시간`, `1시간 30분 45초`).
fn lifetime(texts: &PanelTexts, secs: u64) -> String {
    let (hours, minutes, seconds) = (secs / 3600, secs % 3600 / 60, secs % 60);
    [
        (hours, texts.unit_hours),
        (minutes, texts.unit_minutes),
        (seconds, texts.unit_seconds),
    ]
    .into_iter()
    .filter(|(amount, _)| *amount > 0)
    .map(|(amount, unit)| crate::i18n::fill_named(unit, &[("n", amount.to_string())]))
    .collect::<Vec<_>>()
    .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fetch::Method;
    use crate::i18n::Lang;
    use serde_json::json;

    #[test]
    fn lifetimes_read_in_whole_units_of_the_pages_language() {
        let (en, ko) = (Lang::En.panel_texts(), Lang::Ko.panel_texts());
        assert_eq!(lifetime(en, 28_800), "8 h");
        assert_eq!(lifetime(en, 900), "15 min");
        assert_eq!(lifetime(en, 5_445), "1 h 30 min 45 s");
        assert_eq!(lifetime(ko, 28_800), "8시간");
        assert_eq!(lifetime(ko, 5_445), "1시간 30분 45초");
    }

    #[test]
    fn max_age_is_explained_with_its_own_figure_and_against_the_idle_expiry() {
        let texts = Lang::En.panel_texts();
        let meaning = cookie_attribute_meaning(texts, "max-age", "28800");
        assert!(
            meaning.contains("8 h") && meaning.contains("idle"),
            "{meaning}"
        );
        assert_eq!(
            cookie_attribute_meaning(texts, "max-age", "0"),
            texts.attr_max_age_zero
        );
        assert!(!cookie_attribute_meaning(texts, "expires", "Thu, 01 Jan 1970").is_empty());
    }

    fn token_request(received: serde_json::Value) -> Exchange {
        Exchange {
            method: Method::Get,
            path: "/api/jwt/me".into(),
            status: Some(200),
            request_headers: vec![("authorization".into(), "Bearer eyJ…".into())],
            ..Exchange::default()
        }
        .with_body(
            json!({"trace": {"received": received, "emitted": [], "store": [], "verify": []}}),
        )
    }

    #[test]
    fn the_bearer_header_is_the_pages_and_the_cookie_the_browsers() {
        let exchange = token_request(json!([
            {"name": "authorization", "value": "Bearer eyJ…", "bytes": 300},
            {"name": "cookie", "value": "authlens_sid=abcdef…", "bytes": 57},
            {"name": "sec-fetch-site", "value": "same-origin", "bytes": 27},
        ]));
        let (page, browser) = header_groups(&exchange);
        let names = |lines: &[(String, String)]| {
            lines
                .iter()
                .map(|(name, _)| name.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(names(&page), ["authorization"]);
        assert_eq!(names(&browser), ["cookie", "sec-fetch-site"]);
        assert!(session_cookie_rode_along(Credential::Bearer, &browser));
        // On the session side the cookie is the credential itself, not a passenger.
        assert!(!session_cookie_rode_along(Credential::Cookie, &browser));
    }

    #[test]
    fn an_answer_without_a_trace_shows_what_the_page_sent() {
        let mut refused = token_request(json!([]))
            .with_body(json!({"error": "invalid_token", "message": "expired"}));
        refused.status = Some(401);
        let (page, browser) = header_groups(&refused);
        assert_eq!(page, refused.request_headers);
        assert!(browser.is_empty());
    }
}
