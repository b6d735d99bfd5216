//! Limits every request meets before a handler runs: a declared body over the limit is
//! refused at once (instead of waiting for bytes that may never come), and a request that
//! takes longer than the request timeout (a body trickling in, say) gets a JSON 408.

use std::time::Duration;

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::http::error::ErrorCode;
use crate::http::error::{InputError, error_response};

/// The 413 for a request whose declared body is over the limit, or `None`.
pub fn declared_oversize(headers: &HeaderMap, body_limit: usize) -> Option<Response> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|text| text.parse::<u64>().ok())?;
    (declared > body_limit as u64).then(|| InputError::TooLarge.into_response())
}

/// The answer to a request that took longer than `timeout`.
pub fn timed_out(timeout: Duration) -> Response {
    error_response(
        StatusCode::REQUEST_TIMEOUT,
        ErrorCode::RequestTimeout,
        format!(
            "The request did not complete within {}.",
            humantime::format_duration(timeout)
        ),
    )
}
