//! `GET /api/bench` hands the /cost page the last benchmark run, or says clearly why it cannot.

mod common;

use app::api::{ErrorBody, ErrorCode};

use std::path::PathBuf;

use app::api::bench::BenchResults;
use axum::http::StatusCode;
use common::{start, test_config};

/// A results file path of this test's own, removed when the test ends.
struct TempFile(PathBuf);

impl TempFile {
    fn new(name: &str) -> Self {
        TempFile(std::env::temp_dir().join(format!("authlens-{}-{name}.json", std::process::id())))
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

async fn bench_reply(file: &TempFile) -> common::Reply {
    let mut config = test_config();
    config.bench_results = file.0.clone();
    start(config).await.get("/api/bench", &[]).await
}

#[tokio::test]
async fn the_committed_results_file_is_served_as_written() {
    let written = include_str!("../../bench/results.json");
    let file = TempFile::new("valid");
    std::fs::write(&file.0, written).unwrap();
    let reply = bench_reply(&file).await;
    assert_eq!(reply.status, StatusCode::OK);
    let expected: BenchResults = serde_json::from_str(written).unwrap();
    let served: BenchResults = serde_json::from_value(reply.body).unwrap();
    assert_eq!(served, expected, "every figure reaches the page unchanged");
}

#[tokio::test]
async fn no_results_yet_is_a_404_that_says_how_to_make_them() {
    let reply = bench_reply(&TempFile::new("missing")).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.error_code(), ErrorCode::NoBenchResults);
    assert!(
        reply
            .json::<ErrorBody>()
            .message
            .contains("scripts/bench.sh")
    );
}

#[tokio::test]
async fn a_truncated_results_file_is_a_503_not_half_a_chart() {
    let file = TempFile::new("truncated");
    let written = include_str!("../../bench/results.json");
    std::fs::write(&file.0, &written[..written.len() / 2]).unwrap();
    let reply = bench_reply(&file).await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(reply.error_code(), ErrorCode::BenchResultsUnreadable);
}
