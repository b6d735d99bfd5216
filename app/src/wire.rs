//! The wire: every request a column made, like a DevTools network row that expands. What
//! fetch hides from the page (the `Cookie` the browser attached, the `Set-Cookie` it got) is
//! shown from the server's trace, and marked as such.

use leptos::prelude::*;

use crate::client::Exchange;
use crate::comparison::VisitFigures;
use crate::i18n::{Lang, PanelTexts};

/// Rows kept per column; older ones drop off.
pub const WIRE_ROWS: usize = 40;

/// One column's log of exchanges, newest first. Each recorded exchange also feeds the
/// comparison table's per-request figures.
#[derive(Clone, Copy)]
pub struct WireLog {
    rows: RwSignal<Vec<Exchange>>,
    figures: Option<VisitFigures>,
}

impl WireLog {
    pub fn new() -> Self {
        WireLog {
            rows: RwSignal::new(Vec::new()),
            figures: use_context::<VisitFigures>(),
        }
    }

    pub fn record(self, exchange: &Exchange) {
        self.rows.update(|rows| {
            rows.insert(0, exchange.clone());
            rows.truncate(WIRE_ROWS);
        });
        if let Some(figures) = self.figures {
            figures.observe_credentials(exchange);
        }
    }
}

#[component]
pub fn Wire(log: WireLog, id_prefix: &'static str) -> impl IntoView {
    let lang = expect_context::<RwSignal<Lang>>();
    let texts = move || lang.get().panel_texts();
    let heading_id = format!("{id_prefix}-wire-title");
    // Named by its heading and its column: the two columns' sections must differ.
    let labelled_by = format!("{heading_id} {id_prefix}-title");
    view! {
        <section class="wire" aria-labelledby=labelled_by>
            <h3 id=heading_id>{move || texts().wire_title}</h3>
            <ol class="wire-rows" data-testid=format!("{id_prefix}-wire")>
                {move || {
                    let rows = log.rows.get();
                    if rows.is_empty() {
                        return view! { <li class="muted">{texts().wire_empty}</li> }.into_any();
                    }
                    rows.into_iter()
                        .map(|exchange| view! { <WireRow exchange/> })
                        .collect_view()
                        .into_any()
                }}
            </ol>
        </section>
    }
}

#[component]
fn WireRow(exchange: Exchange) -> impl IntoView {
    let lang = expect_context::<RwSignal<Lang>>();
    let texts = move || lang.get().panel_texts();
    let status = exchange
        .status
        .map_or_else(|| "—".to_owned(), |code| code.to_string());
    let credentials = exchange.credential_bytes();
    let received = exchange.traced("received");
    let visitor_cookie_sent = received
        .iter()
        .any(|(name, value)| name == "cookie" && value.contains(crate::api::VISITOR_COOKIE));
    let emitted = exchange.traced("emitted");
    let body = serde_json::to_string_pretty(&exchange.body).unwrap_or_default();
    let sent_body = exchange
        .request_body
        .as_ref()
        .map(|body| serde_json::to_string_pretty(body).unwrap_or_default());
    let ok = exchange.ok();
    view! {
        <li>
            <details>
                <summary>
                    <code class="method">{exchange.method.as_str()}</code>
                    " "
                    <code>{exchange.path.clone()}</code>
                    " → "
                    <strong class="status" class:ok=ok>{status}</strong>
                    <span class="wire-meta">
                        {format!(" · {:.0} ms", exchange.duration_ms)}
                        {move || credentials.map(|bytes| format!(" · {} {bytes} B", texts().credentials))}
                    </span>
                </summary>
                <div class="wire-detail">
                    <h4>{move || texts().request_headers}</h4>
                    <HeaderList lines=exchange.request_headers.clone() note=None/>
                    <HeaderList lines=received note=Some(texts().received_note)/>
                    {visitor_cookie_sent.then(|| view! {
                        <p class="wire-note" data-testid="visitor-cookie-label">{move || texts().visitor_cookie_note}</p>
                    })}
                    {sent_body.map(|body| view! { <pre class="json small" tabindex="0">{body}</pre> })}
                    <h4>{move || texts().response_headers}</h4>
                    <HeaderList lines=exchange.response_headers.clone() note=None/>
                    <HeaderList lines=emitted.clone() note=Some(texts().emitted_note)/>
                    {emitted
                        .iter()
                        .find(|(name, _)| name == "set-cookie")
                        .map(|(_, value)| view! { <CookieAttributes set_cookie=value.clone()/> })}
                    <h4>{move || texts().response_body}</h4>
                    <pre class="json small" tabindex="0">{body}</pre>
                </div>
            </details>
        </li>
    }
}

#[component]
fn HeaderList(lines: Vec<(String, String)>, note: Option<&'static str>) -> impl IntoView {
    (!lines.is_empty()).then(|| {
        view! {
            {note.map(|note| view! { <p class="wire-note">{note}</p> })}
            <dl class="headers">
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
    let lang = expect_context::<RwSignal<Lang>>();
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
                    let name = attribute.split('=').next().unwrap_or_default().to_ascii_lowercase();
                    view! {
                        <li>
                            <code>{attribute}</code>
                            " — "
                            {move || cookie_attribute_meaning(lang.get().panel_texts(), &name)}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

fn cookie_attribute_meaning(texts: &PanelTexts, name: &str) -> &'static str {
    match name {
        "httponly" => texts.attr_http_only,
        "samesite" => texts.attr_same_site,
        "secure" => texts.attr_secure,
        "path" => texts.attr_path,
        "max-age" => texts.attr_max_age,
        _ => "",
    }
}
