//! The page's side of the wire: plain `fetch` calls to the JSON API, and `localStorage`.
//! Only the browser build talks to the network; the server build renders the page
//! and never runs these (they are called from event handlers only).

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::api::{ErrorBody, ErrorCode, HeaderLine, NoFields, RequestBody, Trace};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Method {
    #[default]
    Get,
    Post,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

/// The credential a column's requests carry: the session cookie, or the bearer token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Credential {
    Cookie,
    Bearer,
}

impl Credential {
    /// The request header that carries it.
    pub fn header(self) -> &'static str {
        match self {
            Credential::Cookie => "cookie",
            Credential::Bearer => "authorization",
        }
    }
}

/// Whether only the browser may set a request header (the Fetch standard's forbidden request
/// headers: `Cookie`, `Origin`, `Host`, `Referer`, every `Sec-` and `Proxy-` header, …): a
/// page's code can neither set nor read them, so the wire shows them as the browser's.
pub fn set_by_browser(header: &str) -> bool {
    const FORBIDDEN: [&str; 21] = [
        "accept-charset",
        "accept-encoding",
        "access-control-request-headers",
        "access-control-request-method",
        "connection",
        "content-length",
        "cookie",
        "cookie2",
        "date",
        "dnt",
        "expect",
        "host",
        "keep-alive",
        "origin",
        "referer",
        "set-cookie",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "via",
    ];
    let header = header.to_ascii_lowercase();
    header.starts_with("sec-")
        || header.starts_with("proxy-")
        || FORBIDDEN.contains(&header.as_str())
}

/// One request the page made and what came back.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Exchange {
    pub method: Method,
    pub path: String,
    /// `None` when the request never got an HTTP answer (network error).
    pub status: Option<u16>,
    pub body: Value,
    /// The `trace` an auth answer carries (what the server saw and did), decoded once with
    /// the body ([`Exchange::with_body`]).
    pub trace: Option<Trace>,
    /// Headers this page's code set on the request (the browser adds more, e.g. `Cookie`,
    /// which the server's trace reports).
    pub request_headers: Vec<(String, String)>,
    pub request_body: Option<Value>,
    /// Response headers as fetch shows them (never `Set-Cookie`; the trace reports it).
    pub response_headers: Vec<(String, String)>,
    /// Milliseconds from sending to the whole body read, as the page measured it.
    pub duration_ms: f64,
    /// The experiment whose run made this request (see [`MadeByExperiment`]); `None` for a
    /// column's own buttons.
    pub experiment: Option<u8>,
    /// Sent as from another machine: the browser attached none of this origin's cookies.
    pub cookies_omitted: bool,
}

/// Put in context by an experiment's run (`experiments::spawn_experiment`): every request the
/// run makes is stamped with its number, so the columns' wires can show it as that
/// experiment's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MadeByExperiment(pub u8);

impl Exchange {
    pub fn ok(&self) -> bool {
        matches!(self.status, Some(200..=299))
    }

    /// The answer's body, and the trace in it decoded into its type.
    pub fn with_body(mut self, body: Value) -> Self {
        #[derive(serde::Deserialize)]
        struct Traced {
            trace: Trace,
        }
        self.trace = <Traced as serde::Deserialize>::deserialize(&body)
            .ok()
            .map(|traced| traced.trace);
        self.body = body;
        self
    }

    /// The request headers as the server received them (none without a trace).
    pub fn received(&self) -> &[HeaderLine] {
        self.trace.as_ref().map_or(&[], |trace| &trace.received)
    }

    /// The response headers fetch hides, as the server emitted them (none without a trace).
    pub fn emitted(&self) -> &[HeaderLine] {
        self.trace.as_ref().map_or(&[], |trace| &trace.emitted)
    }

    /// Whether the server received a header `name` whose value contains `part`.
    pub fn received_header_with(&self, name: &str, part: &str) -> bool {
        self.received()
            .iter()
            .any(|line| line.name == name && line.value.contains(part))
    }

    /// Bytes of one credential the request carried, as the server received it (its whole
    /// header, from the trace; for the cookie, the demo's visitor cookie left out). Only the
    /// column's own scheme counts: a session cookie riding along on a token request is no
    /// part of what the token costs.
    pub fn credential_bytes(&self, credential: Credential) -> Option<u64> {
        let trace = self.trace.as_ref()?;
        Some(
            trace
                .received
                .iter()
                .filter(|line| line.name == credential.header())
                .map(|line| line.bytes as u64)
                .sum(),
        )
    }

    /// A success's body as the API type the server sent (`None` for an error answer, or a
    /// body of another shape). The raw body stays for the wire panel only.
    pub fn json<T: DeserializeOwned>(&self) -> Option<T> {
        if !self.ok() {
            return None;
        }
        serde_json::from_value(self.body.clone()).ok()
    }

    /// An error answer's `{error, message}`.
    pub fn error(&self) -> Option<ErrorBody> {
        if self.ok() {
            return None;
        }
        serde_json::from_value(self.body.clone()).ok()
    }

    /// An error answer's code: what the page branches on.
    pub fn error_code(&self) -> Option<ErrorCode> {
        self.error().map(|error| error.error)
    }

    /// An error answer's message for people, or what went wrong without one (network).
    pub fn message(&self) -> String {
        match (self.error(), &self.body) {
            (Some(error), _) => error.message,
            (None, Value::String(text)) => text.clone(),
            (None, _) => self
                .status
                .map_or_else(String::new, |status| format!("HTTP {status}")),
        }
    }
}

/// Whoever watches every answer this page gets, whatever part of it asked: the columns' status
/// pills follow their flow's answers, so an experiment that logs in or out with the column's
/// cookie or tokens changes the column's pill too.
#[cfg(feature = "hydrate")]
mod watchers {
    use std::cell::RefCell;
    use std::rc::Rc;

    use super::Exchange;

    type Watcher = Rc<dyn Fn(&Exchange)>;

    thread_local! {
        static WATCHERS: RefCell<Vec<(u64, Watcher)>> = const { RefCell::new(Vec::new()) };
        static NEXT_ID: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    }

    pub fn add(watcher: Watcher) -> u64 {
        let id = NEXT_ID.with(|next| {
            next.set(next.get() + 1);
            next.get()
        });
        WATCHERS.with(|watchers| watchers.borrow_mut().push((id, watcher)));
        id
    }

    pub fn remove(id: u64) {
        WATCHERS.with(|watchers| watchers.borrow_mut().retain(|(each, _)| *each != id));
    }

    pub fn tell(exchange: &Exchange) {
        // Cloned out first: a watcher may itself add or remove one.
        let watchers: Vec<Watcher> =
            WATCHERS.with(|watchers| watchers.borrow().iter().map(|(_, w)| w.clone()).collect());
        for watcher in watchers {
            watcher(exchange);
        }
    }
}

/// Calls `watcher` with every exchange this page completes until the calling component is
/// dropped (the browser build; the server build makes no requests).
pub fn watch_exchanges(watcher: impl Fn(&Exchange) + 'static) {
    #[cfg(feature = "hydrate")]
    {
        let id = watchers::add(std::rc::Rc::new(watcher));
        leptos::prelude::on_cleanup(move || watchers::remove(id));
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = watcher;
}

/// A request's JSON body, made only from the contract's request types ([`RequestBody`]): the
/// page sends no shape the server does not declare.
#[derive(Clone, Debug, PartialEq)]
pub struct Body(Value);

impl Body {
    pub fn of<T: RequestBody>(request: &T) -> Self {
        Body(serde_json::to_value(request).unwrap_or_default())
    }

    /// `{}`, for a POST that carries nothing.
    pub fn none() -> Self {
        Body::of(&NoFields {})
    }
}

/// A request from this page, with this origin's cookies as the browser attaches them.
pub async fn send(
    method: Method,
    path: &str,
    body: Option<Body>,
    bearer: Option<String>,
) -> Exchange {
    exchange(method, path, body.map(|body| body.0), bearer, true).await
}

/// A request as from another machine: the same JSON, but the browser attaches none of this
/// origin's cookies (`credentials: "omit"`). Experiment 3 plays the attacker with it.
pub async fn send_without_cookies(
    method: Method,
    path: &str,
    body: Option<Body>,
    bearer: Option<String>,
) -> Exchange {
    exchange(method, path, body.map(|body| body.0), bearer, false).await
}

/// Makes the request in the browser and tells the watchers; the server build, which renders
/// the page and never runs a click, answers a stand-in.
async fn exchange(
    method: Method,
    path: &str,
    json: Option<Value>,
    bearer: Option<String>,
    with_cookies: bool,
) -> Exchange {
    #[cfg(feature = "hydrate")]
    {
        // Read before the first await: the run's context is its owner's at every poll.
        let experiment = leptos::prelude::use_context::<MadeByExperiment>().map(|made| made.0);
        let mut exchange = make_request(method, path.to_owned(), json, bearer, with_cookies).await;
        exchange.experiment = experiment;
        exchange.cookies_omitted = !with_cookies;
        watchers::tell(&exchange);
        exchange
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (json, bearer, with_cookies);
        Exchange {
            method,
            path: path.to_owned(),
            body: Value::String("requests are made by the browser build only".into()),
            ..Exchange::default()
        }
    }
}

/// The request and its answer. Lazy: the HTTP and JSON code loads with the first request, in
/// a wasm chunk of its own (release builds), not before the page can be used.
#[cfg(feature = "hydrate")]
#[leptos::lazy]
async fn make_request(
    method: Method,
    path: String,
    json: Option<Value>,
    bearer: Option<String>,
    with_cookies: bool,
) -> Exchange {
    use gloo_net::http::Request;

    let mut exchange = Exchange {
        method,
        path: path.clone(),
        request_body: json.clone(),
        ..Exchange::default()
    };
    let mut builder = match method {
        Method::Get => Request::get(&path),
        Method::Post => Request::post(&path),
    };
    if !with_cookies {
        builder = builder.credentials(web_sys::RequestCredentials::Omit);
    }
    // The bearer token is attached by code: the browser never adds it by itself.
    if let Some(token) = bearer {
        let value = format!("Bearer {token}");
        builder = builder.header("Authorization", &value);
        exchange
            .request_headers
            .push(("authorization".into(), value));
    }
    let request = match json {
        Some(body) => {
            exchange
                .request_headers
                .push(("content-type".into(), "application/json".into()));
            builder.json(&body)
        }
        None => builder.build(),
    };
    let started = js_sys::Date::now();
    let outcome = match request {
        Ok(request) => request.send().await,
        Err(err) => Err(err),
    };
    match outcome {
        Ok(response) => {
            exchange.status = Some(response.status());
            exchange.response_headers = response.headers().entries().collect();
            let text = response.text().await.unwrap_or_default();
            exchange =
                exchange.with_body(serde_json::from_str(&text).unwrap_or(Value::String(text)));
        }
        Err(err) => exchange.body = Value::String(err.to_string()),
    }
    exchange.duration_ms = js_sys::Date::now() - started;
    exchange
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn answers_decode_into_the_api_types() {
        let success = Exchange {
            status: Some(200),
            body: json!({"user": {"username": "alice", "display_name": "Alice"}}),
            ..Exchange::default()
        };
        let decoded: Option<crate::api::AnswerUser> = success.json();
        assert_eq!(decoded.unwrap().user.display_name, "Alice");
        assert_eq!(success.error(), None);
        let refused = Exchange {
            status: Some(401),
            body: json!({"error": ErrorCode::InvalidSession, "message": "Log in again."}),
            ..Exchange::default()
        };
        assert_eq!(refused.json::<crate::api::AnswerUser>(), None);
        assert_eq!(refused.error_code(), Some(ErrorCode::InvalidSession));
        assert_eq!(refused.message(), "Log in again.");
        let offline = Exchange {
            body: json!("offline"),
            ..Exchange::default()
        };
        assert_eq!(
            (offline.error_code(), offline.message()),
            (None, "offline".to_owned())
        );
    }

    #[test]
    fn credentials_and_hidden_headers_come_from_the_trace() {
        let exchange = Exchange::default().with_body(json!({"trace": {
                "received": [
                    {"name": "authorization", "value": "Bearer eyJ", "bytes": 25},
                    {"name": "cookie", "value": "authlens_sid=abcdef…", "bytes": 57},
                    {"name": "sec-fetch-site", "value": "same-origin", "bytes": 27},
                ],
                "emitted": [{"name": "set-cookie", "value": "authlens_sid=abcdef…; HttpOnly", "bytes": 90}],
                "store": [],
                "verify": [],
        }}));
        // Each column counts its own scheme, never the sum.
        assert_eq!(exchange.credential_bytes(Credential::Cookie), Some(57));
        assert_eq!(exchange.credential_bytes(Credential::Bearer), Some(25));
        let emitted = exchange.emitted();
        assert_eq!(emitted.len(), 1);
        assert_eq!(
            (emitted[0].name.as_str(), emitted[0].value.as_str()),
            ("set-cookie", "authlens_sid=abcdef…; HttpOnly")
        );
        assert!(exchange.received_header_with("cookie", "authlens_sid="));
        assert!(!exchange.received_header_with("cookie", "authlens_visitor"));
        assert_eq!(
            Exchange::default().credential_bytes(Credential::Cookie),
            None
        );
    }

    #[test]
    fn the_browser_sets_cookies_origins_and_sec_headers_the_page_sets_the_rest() {
        for header in [
            "cookie",
            "Origin",
            "sec-fetch-site",
            "Sec-Fetch-Mode",
            "host",
            "referer",
        ] {
            assert!(set_by_browser(header), "{header}");
        }
        for header in ["authorization", "content-type", "x-anything"] {
            assert!(!set_by_browser(header), "{header}");
        }
    }

    #[test]
    fn network_failures_and_errors_are_not_ok() {
        let mut exchange = Exchange {
            method: Method::Post,
            path: "/api/jwt/login".into(),
            status: None,
            body: json!("offline"),
            ..Exchange::default()
        };
        assert!(!exchange.ok());
        exchange.status = Some(401);
        assert!(!exchange.ok());
    }
}
