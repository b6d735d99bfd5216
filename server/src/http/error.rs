//! The error body every API error shares, and the JSON extractor that turns
//! malformed or oversized input into a clean 400 / 413 instead of axum's plain-text rejection.

use axum::extract::FromRequest;
use axum::extract::rejection::JsonRejection;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

pub use app::api::{ErrorBody, ErrorCode};

/// What a full server suggests waiting (`Retry-After`) before a login: sessions end by the
/// idle timeout, minutes apart.
pub const FULL_RETRY_AFTER_SECS: u64 = 60;

/// Builds the `{error, message}` response all error types share.
pub fn error_response(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Response {
    let body = ErrorBody {
        error: code,
        message: message.into(),
    };
    let mut response = json_response(&body);
    *response.status_mut() = status;
    // Error answers about credentials must not be cached either.
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `503` with `Retry-After`: a server-wide ceiling is reached (`server_busy`, `lab_busy`).
/// Nothing was changed; the same request may succeed after `retry_after` seconds.
pub fn busy(code: ErrorCode, message: impl Into<String>, retry_after: u64) -> Response {
    let mut response = error_response(StatusCode::SERVICE_UNAVAILABLE, code, message);
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
    response
}

/// A JSON answer, written straight into one buffer big enough for a typical body. (axum's
/// `Json` grows a small buffer write by write: a fifth of `/me`'s time in the profile.)
pub fn json_response(body: &impl Serialize) -> Response {
    let content_type = [(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    )];
    let mut bytes = Vec::with_capacity(1024);
    match serde_json::to_writer(&mut bytes, body) {
        Ok(()) => (content_type, bytes).into_response(),
        // Only a map with non-string keys could fail, and no answer has one.
        Err(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            content_type,
            format!(
                r#"{{"error":"{}","message":"The answer could not be written as JSON."}}"#,
                ErrorCode::InternalError
            ),
        )
            .into_response(),
    }
}

/// Bad request input, the same for every flow.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("The request body is larger than this server accepts.")]
    TooLarge,
    #[error("The request body is not the JSON this endpoint expects: {0}")]
    Malformed(String),
}

impl IntoResponse for InputError {
    fn into_response(self) -> Response {
        match &self {
            InputError::TooLarge => error_response(
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::PayloadTooLarge,
                self.to_string(),
            ),
            InputError::Malformed(_) => error_response(
                StatusCode::BAD_REQUEST,
                ErrorCode::BadRequest,
                self.to_string(),
            ),
        }
    }
}

impl From<JsonRejection> for InputError {
    fn from(rejection: JsonRejection) -> Self {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            InputError::TooLarge
        } else {
            InputError::Malformed(rejection.body_text())
        }
    }
}

/// `Json<T>` whose rejection is an [`InputError`] (axum's `examples/error-handling` shape).
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(InputError))]
pub struct ApiJson<T>(pub T);

/// What went wrong on the server's side of an error answer (a store down, a signing failure),
/// for the log. An error's `into_response` attaches it; [`log_fault`], around the whole router,
/// logs it once.
#[derive(Clone, Debug)]
pub struct Fault(pub String);

/// `response` with `fault` attached for the log.
pub fn with_fault(mut response: Response, fault: impl std::fmt::Display) -> Response {
    response.extensions_mut().insert(Fault(fault.to_string()));
    response
}

/// Logs the fault an answer carries, once, with its status.
pub fn log_fault(response: Response) -> Response {
    if let Some(Fault(fault)) = response.extensions().get::<Fault>() {
        let status = response.status().as_u16();
        if response.status().is_server_error() && status != 503 {
            tracing::error!(status, fault, "request failed");
        } else {
            tracing::warn!(status, fault, "request failed");
        }
    }
    response
}

/// JSON 404 for unknown API paths (the page router would answer HTML).
pub async fn api_not_found() -> Response {
    error_response(
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
        "There is no API endpoint at this path.",
    )
}

/// JSON 405 for a known API path called with the wrong method.
pub async fn api_method_not_allowed() -> Response {
    error_response(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::MethodNotAllowed,
        "This API endpoint does not accept that HTTP method.",
    )
}

// The answers several endpoints share, documented once (`responses(crate::http::error::StoreDown)`).

/// The answers every endpoint that reads a JSON body may give before its handler runs.
#[derive(utoipa::IntoResponses)]
pub enum BodyRejections {
    /// `bad_request`: not the JSON this endpoint expects (malformed, a missing field, a wrong
    /// type), or a bad value in it.
    #[response(status = 400)]
    BadRequest(ErrorBody),
    /// `payload_too_large`: the body, or the `Content-Length` announcing it, is over
    /// `--body-limit`.
    #[response(status = 413)]
    TooLarge(ErrorBody),
}

/// `store_unavailable`: the store this endpoint needs (Redis) cannot be reached in time.
#[derive(utoipa::IntoResponses)]
pub enum StoreDown {
    /// `store_unavailable`: the store cannot be reached right now; it works again once the
    /// store is back.
    #[response(status = 503)]
    Unavailable(ErrorBody),
}

/// `store_unavailable` or `server_busy`: the store cannot be reached, or the server holds as
/// many sessions as `--max-sessions` allows.
#[derive(utoipa::IntoResponses)]
pub enum StoreDownOrFull {
    /// The store cannot be reached right now (`store_unavailable`), or the server is full
    /// (`server_busy`, with `Retry-After`); nothing was created.
    #[response(status = 503, headers(("retry-after" = Option<u64>, description = "With server_busy: seconds to wait")))]
    Unavailable(ErrorBody),
}

/// `server_busy` / `lab_busy`: a server-wide ceiling is reached.
#[derive(utoipa::IntoResponses)]
pub enum Busy {
    /// `server_busy`: too much of this runs at once on the server; nothing was started.
    #[response(status = 503, headers(("retry-after" = u64, description = "Seconds to wait before trying again")))]
    Busy(ErrorBody),
}

/// `too_many_requests`: the login limit per client address.
#[derive(utoipa::IntoResponses)]
pub enum LoginLimited {
    /// `too_many_requests`: too many logins from this address.
    #[response(status = 429, headers(("retry-after" = u64, description = "Seconds until a login is allowed again")))]
    TooMany(ErrorBody),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jwt::JwtError;
    use crate::session::SessionError;
    use crate::storage::StoreError;

    #[test]
    fn a_store_failure_answers_503_and_carries_its_fault_for_the_log_once() {
        let down = || StoreError::Unavailable("the session store (Redis): refused".into());
        for response in [
            SessionError::StoreUnavailable(down()).into_response(),
            JwtError::StoreUnavailable(down()).into_response(),
        ] {
            assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
            let Some(Fault(fault)) = response.extensions().get::<Fault>() else {
                panic!("no fault attached");
            };
            assert!(
                fault.contains("the session store (Redis): refused"),
                "{fault}"
            );
        }
        let refused = SessionError::UnknownSession.into_response();
        assert!(
            refused.extensions().get::<Fault>().is_none(),
            "a 401 is no fault"
        );
    }
}
