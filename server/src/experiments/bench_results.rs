//! `GET /api/bench`: the last benchmark run (`scripts/bench.sh` writes the file), for the /cost
//! page. The file is checked against the shared type, so the page never draws a half-read run.

use std::path::Path;
use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use app::api::bench::BenchResults;

use crate::http::error::ErrorCode;
use crate::http::error::error_response;
use app::api::ErrorBody;

/// Where scripts/bench.sh writes its results (`--bench-results`).
#[derive(Clone)]
pub struct BenchFile(pub Arc<Path>);

/// The last benchmark run, as scripts/bench.sh wrote it.
#[utoipa::path(get, path = "/api/bench", tag = "meta",
    responses(
        (status = 200, body = BenchResults, description = "The figures /cost draws"),
        (status = 404, body = ErrorBody, description = "no_bench_results"),
        (status = 503, body = ErrorBody, description = "bench_results_unreadable"),
    ))]
pub async fn latest(State(BenchFile(path)): State<BenchFile>) -> Response {
    let text = match tokio::fs::read_to_string(&path).await {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            return error_response(
                StatusCode::NOT_FOUND,
                ErrorCode::NoBenchResults,
                format!(
                    "No benchmark results at {}: run scripts/bench.sh to measure them.",
                    path.display()
                ),
            );
        }
        Err(err) => return unreadable(&path, err),
    };
    match serde_json::from_str::<BenchResults>(&text) {
        Ok(results) => Json(results).into_response(),
        Err(err) => unreadable(&path, err),
    }
}

fn unreadable(path: &std::path::Path, err: impl std::fmt::Display) -> Response {
    tracing::warn!(path = %path.display(), %err, "benchmark results unreadable");
    error_response(
        StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::BenchResultsUnreadable,
        format!(
            "The benchmark results at {} cannot be read ({err}); run scripts/bench.sh again.",
            path.display()
        ),
    )
}
