//! The page's side of the wire: plain `fetch` calls to the JSON API, and `localStorage`.
//! Only the browser build talks to the network; the server build renders the page
//! and never runs these (they are called from event handlers only).

use serde_json::Value;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
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
#[derive(Clone, Debug, PartialEq)]
pub struct Exchange {
    pub method: Method,
    pub path: String,
    /// `None` when the request never got an HTTP answer (network error).
    pub status: Option<u16>,
    pub body: Value,
}

impl Exchange {
    pub fn ok(&self) -> bool {
        matches!(self.status, Some(200..=299))
    }

    /// A string field of the JSON body, e.g. `field(&["user", "display_name"])`.
    pub fn field(&self, path: &[&str]) -> Option<String> {
        path.iter()
            .try_fold(&self.body, |value, key| value.get(key))
            .and_then(Value::as_str)
            .map(str::to_owned)
    }
}

#[cfg(feature = "hydrate")]
pub async fn send(
    method: Method,
    path: &str,
    json: Option<Value>,
    bearer: Option<String>,
) -> Exchange {
    use gloo_net::http::Request;

    let mut builder = match method {
        Method::Get => Request::get(path),
        Method::Post => Request::post(path),
    };
    // The bearer token is attached by code: the browser never adds it by itself.
    if let Some(token) = bearer {
        builder = builder.header("Authorization", &format!("Bearer {token}"));
    }
    let request = match json {
        Some(body) => builder.json(&body),
        None => builder.build(),
    };
    let outcome = match request {
        Ok(request) => request.send().await,
        Err(err) => Err(err),
    };
    match outcome {
        Ok(response) => {
            let status = response.status();
            let text = response.text().await.unwrap_or_default();
            let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
            Exchange {
                method,
                path: path.to_owned(),
                status: Some(status),
                body,
            }
        }
        Err(err) => Exchange {
            method,
            path: path.to_owned(),
            status: None,
            body: Value::String(err.to_string()),
        },
    }
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
        status: None,
        body: Value::String("requests are made by the browser build only".into()),
    }
}

/// `localStorage`, holding raw strings exactly as a hand-written app would
/// (so what an XSS payload reads is the bare token).
pub mod storage {
    #[cfg(feature = "hydrate")]
    pub fn load(key: &str) -> Option<String> {
        use gloo_storage::{LocalStorage, Storage};
        LocalStorage::raw().get_item(key).ok().flatten()
    }

    #[cfg(feature = "hydrate")]
    pub fn save(key: &str, value: &str) {
        use gloo_storage::{LocalStorage, Storage};
        // A full or disabled storage only means the token is not kept across reloads.
        let _ = LocalStorage::raw().set_item(key, value);
    }

    #[cfg(feature = "hydrate")]
    pub fn remove(key: &str) {
        use gloo_storage::{LocalStorage, Storage};
        LocalStorage::delete(key);
    }

    #[cfg(not(feature = "hydrate"))]
    pub fn load(_key: &str) -> Option<String> {
        None
    }

    #[cfg(not(feature = "hydrate"))]
    pub fn save(_key: &str, _value: &str) {}

    #[cfg(not(feature = "hydrate"))]
    pub fn remove(_key: &str) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn field_walks_nested_json() {
        let exchange = Exchange {
            method: Method::Get,
            path: "/api/session/me".into(),
            status: Some(200),
            body: json!({"user": {"display_name": "Alice"}}),
        };
        assert!(exchange.ok());
        assert_eq!(
            exchange.field(&["user", "display_name"]).as_deref(),
            Some("Alice")
        );
        assert_eq!(exchange.field(&["user", "missing"]), None);
    }

    #[test]
    fn network_failures_and_errors_are_not_ok() {
        let mut exchange = Exchange {
            method: Method::Post,
            path: "/api/jwt/login".into(),
            status: None,
            body: json!("offline"),
        };
        assert!(!exchange.ok());
        exchange.status = Some(401);
        assert!(!exchange.ok());
    }
}
