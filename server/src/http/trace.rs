//! Records what the server saw and did for one request, for the `trace` object in
//! every auth response and its `Server-Timing` header.
//!
//! Keep this shape: one recorder per request times each step and writes the trace, the
//! `Server-Timing` header and `no-store` at the end, so a handler stays a straight line of
//! steps (`trace.store(…)`, `trace.verify(…)`, `trace.respond(…)`). A new flow uses it the same way.

use std::future::Future;
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, HeaderName, HeaderValue, header};
use axum::response::Response;
use serde::Serialize;

use app::api::{HeaderLine, StoreOp, Trace, VerifyStep, mask_cookie_header, mask_session_cookie};

use crate::http::error::json_response;

/// The request headers the page's wire shows as the server received them: the two that the
/// page's code sets (the bearer token, the body's type) and the ones only the browser may set
/// (the cookies, where the request came from). A page cannot read back what the browser added.
const RECEIVED_REQUEST_HEADERS: [HeaderName; 7] = [
    header::AUTHORIZATION,
    header::CONTENT_TYPE,
    header::COOKIE,
    header::ORIGIN,
    HeaderName::from_static("sec-fetch-site"),
    HeaderName::from_static("sec-fetch-mode"),
    HeaderName::from_static("sec-fetch-dest"),
];

#[derive(Default)]
pub struct TraceRecorder {
    trace: Trace,
    store_time: Duration,
    verify_time: Duration,
}

impl TraceRecorder {
    pub fn for_request(headers: &HeaderMap) -> Self {
        let mut recorder = TraceRecorder::default();
        for name in RECEIVED_REQUEST_HEADERS {
            for value in headers.get_all(&name) {
                recorder.trace.received.push(header_line(&name, value));
            }
        }
        recorder
    }

    /// Runs one store operation, timing it and recording it with its outcome.
    pub async fn store<T, E>(
        &mut self,
        backend: &str,
        op: &str,
        key: String,
        found: impl FnOnce(&T) -> Option<bool>,
        work: impl Future<Output = Result<T, E>>,
    ) -> Result<T, E> {
        let started = Instant::now();
        let result = work.await;
        let elapsed = started.elapsed();
        self.store_time += elapsed;
        self.trace.store.push(StoreOp {
            backend: backend.to_owned(),
            op: op.to_owned(),
            key,
            found: result.as_ref().ok().and_then(found),
            micros: elapsed.as_micros() as u64,
        });
        result
    }

    /// Runs one verification step, timing it. `work` yields its value, whether it passed, and why.
    pub async fn verify<T>(
        &mut self,
        step: &str,
        work: impl Future<Output = (T, bool, String)>,
    ) -> T {
        let started = Instant::now();
        let (value, ok, detail) = work.await;
        self.verify_time += started.elapsed();
        self.step(step, ok, detail);
        value
    }

    /// Records a check that costs nothing worth timing.
    pub fn step(&mut self, step: &str, ok: bool, detail: impl Into<String>) {
        self.trace.verify.push(VerifyStep {
            step: step.to_owned(),
            ok,
            detail: detail.into(),
        });
    }

    /// Records a response header that fetch hides from the page (`Set-Cookie`).
    pub fn emitted(&mut self, name: &HeaderName, value: &HeaderValue) {
        self.trace.emitted.push(header_line(name, value));
    }

    /// The `Server-Timing` header: store and verify durations in milliseconds.
    pub fn server_timing(&self) -> (HeaderName, HeaderValue) {
        use std::fmt::Write;
        // Whole microseconds printed as milliseconds with three decimals: the same text
        // `{:.3}` gives for a float, without float formatting on every answer.
        let mut value = String::with_capacity(96);
        let _ = write!(
            value,
            "store;dur={};desc=\"session/refresh store\", verify;dur={};desc=\"credential checks\"",
            Millis(self.store_time),
            Millis(self.verify_time),
        );
        let value = HeaderValue::try_from(value)
            .unwrap_or_else(|_| HeaderValue::from_static("store, verify"));
        (HeaderName::from_static("server-timing"), value)
    }

    pub fn finish(self) -> Trace {
        self.trace
    }

    /// The JSON response carrying the trace, with `Server-Timing`, `Cache-Control: no-store`
    /// (credentials must never be cached) and the `Set-Cookie`, if any.
    pub fn respond<T: Serialize>(
        mut self,
        set_cookie: Option<HeaderValue>,
        body: impl FnOnce(Trace) -> T,
    ) -> Response {
        if let Some(value) = &set_cookie {
            self.emitted(&header::SET_COOKIE, value);
        }
        let (timing_name, timing) = self.server_timing();
        let mut response = json_response(&body(self.finish()));
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        headers.insert(timing_name, timing);
        if let Some(value) = set_cookie {
            headers.insert(header::SET_COOKIE, value);
        }
        response
    }
}

/// A duration as milliseconds with microsecond precision (`1.234`).
struct Millis(Duration);

impl std::fmt::Display for Millis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let micros = self.0.as_micros();
        write!(f, "{}.{:03}", micros / 1000, micros % 1000)
    }
}

/// A header for the trace: its size as sent (the demo's visitor cookie left out, as it is no
/// credential), and its value with any session or visitor id shortened.
fn header_line(name: &HeaderName, value: &HeaderValue) -> HeaderLine {
    let text = String::from_utf8_lossy(value.as_bytes());
    let credential_len = if name == header::COOKIE {
        len_without_visitor_cookie(&text)
    } else {
        text.len()
    };
    HeaderLine {
        name: name.to_string(),
        value: if name == header::COOKIE {
            mask_cookie_header(&text)
        } else {
            mask_session_cookie(&text)
        },
        bytes: if credential_len == 0 {
            0
        } else {
            name.as_str().len() + 2 + credential_len
        },
    }
}

/// The length a `Cookie` header's value would have without the visitor cookie (counted, not
/// built: this runs on every traced request).
fn len_without_visitor_cookie(cookies: &str) -> usize {
    let (pairs, bytes): (usize, usize) = cookies
        .split("; ")
        .filter(|pair| {
            let name = pair.split_once('=').map_or(*pair, |(name, _)| name);
            name != app::api::VISITOR_COOKIE && name != app::api::VISITOR_COOKIE_HOST
        })
        .fold((0, 0), |(pairs, bytes), pair| {
            (pairs + 1, bytes + pair.len())
        });
    // The "; " between the pairs that remain.
    bytes + 2 * pairs.saturating_sub(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_visitor_cookie_is_no_credential_bytes() {
        let line =
            |value: &'static str| header_line(&header::COOKIE, &HeaderValue::from_static(value));
        let session = "authlens_sid=abcdefghij";
        assert_eq!(line(session).bytes, "cookie: ".len() + session.len());
        assert_eq!(
            line("authlens_visitor=0123456789abcdefghijkl; authlens_sid=abcdefghij").bytes,
            "cookie: ".len() + session.len()
        );
        assert_eq!(line("authlens_visitor=0123456789abcdefghijkl").bytes, 0);
    }

    #[test]
    fn records_the_credentials_the_body_type_and_what_the_browser_added() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("authlens_sid=abcdefghij"),
        );
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer xyz"),
        );
        headers.insert(header::ACCEPT, HeaderValue::from_static("*/*"));
        headers.insert("sec-fetch-site", HeaderValue::from_static("same-origin"));
        let trace = TraceRecorder::for_request(&headers).finish();
        let names: Vec<_> = trace
            .received
            .iter()
            .map(|line| line.name.as_str())
            .collect();
        // `Accept` is neither a credential nor the browser's own: left out.
        assert_eq!(names, ["authorization", "cookie", "sec-fetch-site"]);
        assert_eq!(trace.received[0].value, "Bearer xyz");
        assert_eq!(trace.received[1].value, "authlens_sid=abcdef…");
        assert_eq!(
            trace.received[1].bytes,
            "cookie: authlens_sid=abcdefghij".len()
        );
        assert_eq!(trace.received[2].bytes, "sec-fetch-site: same-origin".len());
    }

    #[test]
    fn server_timing_names_store_and_verify() {
        let (name, value) = TraceRecorder::default().server_timing();
        assert_eq!(name, "server-timing");
        let value = value.to_str().unwrap();
        assert!(value.starts_with("store;dur=0.000"), "{value}");
        assert_eq!(Millis(Duration::from_micros(12_345)).to_string(), "12.345");
        assert_eq!(Millis(Duration::from_nanos(999)).to_string(), "0.000");
        assert!(value.contains("verify;dur="), "{value}");
    }
}
