//! Limits every request meets before a handler runs: a declared body over the limit is
//! refused at once (instead of waiting for bytes that may never come), and a request that
//! takes longer than the request timeout (a body trickling in, say) gets a JSON 408.

use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ErrorCode;
use crate::error::{InputError, error_response};

/// Answers 413 at once when the declared body is over the limit.
pub async fn refuse_declared_oversize(
    State(body_limit): State<usize>,
    request: Request,
    next: Next,
) -> Response {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|text| text.parse::<u64>().ok());
    match declared {
        Some(length) if length > body_limit as u64 => InputError::TooLarge.into_response(),
        _ => next.run(request).await,
    }
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
