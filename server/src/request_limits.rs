//! Limits every request meets before a handler runs: a declared body over the limit is
//! refused at once (instead of waiting for bytes that may never come), and a request that
//! takes longer than the request timeout (a body trickling in, say) gets a JSON 408.

use std::time::Duration;

use axum::Router;
use axum::error_handling::HandleErrorLayer;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use tower::{BoxError, ServiceBuilder};

use crate::error::{InputError, error_response};

pub fn apply<S: Clone + Send + Sync + 'static>(
    router: Router<S>,
    body_limit: usize,
    timeout: Duration,
) -> Router<S> {
    router
        .layer(from_fn_with_state(body_limit, refuse_declared_oversize))
        .layer(
            ServiceBuilder::new()
                .layer(HandleErrorLayer::new(move |_: BoxError| async move {
                    timed_out(timeout)
                }))
                .timeout(timeout),
        )
}

async fn refuse_declared_oversize(
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

fn timed_out(timeout: Duration) -> Response {
    error_response(
        StatusCode::REQUEST_TIMEOUT,
        "request_timeout",
        format!(
            "The request did not complete within {}.",
            humantime::format_duration(timeout)
        ),
    )
}
