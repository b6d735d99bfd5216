//! The page's side of the wire: plain `fetch` calls to the JSON API, and `localStorage`.
//! Only the browser build talks to the network; the server build renders the page
//! and never runs these (they are called from event handlers only).

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::api::{ErrorBody, ErrorCode, Trace};

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

/// One request the page made and what came back.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Exchange {
    pub method: Method,
    pub path: String,
    /// `None` when the request never got an HTTP answer (network error).
    pub status: Option<u16>,
    pub body: Value,
    /// Headers this page's code set on the request (the browser adds more, e.g. `Cookie`,
    /// which the server's trace reports).
    pub request_headers: Vec<(String, String)>,
    pub request_body: Option<Value>,
    /// Response headers as fetch shows them (never `Set-Cookie`; the trace reports it).
    pub response_headers: Vec<(String, String)>,
    /// Milliseconds from sending to the whole body read, as the page measured it.
    pub duration_ms: f64,
}

impl Exchange {
    pub fn ok(&self) -> bool {
        matches!(self.status, Some(200..=299))
    }

    /// The `trace` an auth answer carries (what the server saw and did), decoded.
    pub fn trace(&self) -> Option<Trace> {
        #[derive(serde::Deserialize)]
        struct Traced {
            trace: Trace,
        }
        serde_json::from_value::<Traced>(self.body.clone())
            .ok()
            .map(|traced| traced.trace)
    }

    /// Bytes of credentials the request carried, as the server received them
    /// (`Cookie` and `Authorization` headers, from the trace).
    pub fn credential_bytes(&self) -> Option<u64> {
        let trace = self.trace()?;
        Some(trace.received.iter().map(|line| line.bytes as u64).sum())
    }

    /// The header lines of the trace's `received` or `emitted` list, as (name, value).
    pub fn traced(&self, list: &str) -> Vec<(String, String)> {
        let Some(trace) = self.trace() else {
            return Vec::new();
        };
        let lines = match list {
            "received" => trace.received,
            "emitted" => trace.emitted,
            _ => Vec::new(),
        };
        lines
            .into_iter()
            .map(|line| (line.name, line.value))
            .collect()
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

#[cfg(feature = "hydrate")]
pub async fn send(
    method: Method,
    path: &str,
    json: Option<Value>,
    bearer: Option<String>,
) -> Exchange {
    make_request(method, path.to_owned(), json, bearer).await
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
            exchange.body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        }
        Err(err) => exchange.body = Value::String(err.to_string()),
    }
    exchange.duration_ms = js_sys::Date::now() - started;
    exchange
}

#[cfg(not(feature = "hydrate"))]
pub async fn send(
    method: Method,
    path: &str,
    _json: Option<Value>,
    _bearer: Option<String>,
) -> Exchange {
    Exchange {
        method,
        path: path.to_owned(),
        body: Value::String("requests are made by the browser build only".into()),
        ..Exchange::default()
    }
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
        let exchange = Exchange {
            body: json!({"trace": {
                "received": [{"name": "cookie", "value": "authlens_sid=abcdef…", "bytes": 57}],
                "emitted": [{"name": "set-cookie", "value": "authlens_sid=abcdef…; HttpOnly", "bytes": 90}],
                "store": [],
                "verify": [],
            }}),
            ..Exchange::default()
        };
        assert_eq!(exchange.credential_bytes(), Some(57));
        assert_eq!(
            exchange.traced("emitted"),
            [(
                "set-cookie".to_owned(),
                "authlens_sid=abcdef…; HttpOnly".to_owned()
            )]
        );
        assert_eq!(Exchange::default().credential_bytes(), None);
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
