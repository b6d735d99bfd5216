//! Nothing outlives its request: a client that hangs up midway (here: the request's future
//! dropped, which is what hyper does with it) leaves no bulk rows, no count of them, no lab
//! node listening and no lab session in Redis, and the ceilings keep refusing as before.

mod common;

use std::future::Future;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::StatusCode;
use serde_json::{Value, json};
use tower::ServiceExt;

use app::api::ErrorCode;
use common::*;
use server::Config;

/// Waits (yielding to the server's tasks) until `done` holds, for at most 20 s.
async fn until(what: &str, mut done: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done().await {
        assert!(Instant::now() < deadline, "still not so after 20 s: {what}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Polls `request` until `cut_when` holds (or once, when `cut_when` is `None`), then drops it
/// as a server drops the request of a client that hung up. Panics if it finished first.
async fn hang_up(request: impl Future<Output = impl Sized>, mut cut_when: impl FnMut() -> bool) {
    tokio::pin!(request);
    loop {
        tokio::select! {
            biased;
            _ = &mut request => panic!("the request finished before its client hung up"),
            () = std::future::ready(()) => {}
        }
        if cut_when() {
            return;
        }
        tokio::task::yield_now().await;
    }
}

fn as_visitor(app: &TestApp, method: &str, path: &str, body: Value) -> axum::http::Request<Body> {
    with_visitor(
        &app.visitor,
        request(method, path, Body::from(body.to_string()), &[]),
    )
}

async fn a_bulk_run_cut_off_midway_leaves_no_row(backend: Backend) {
    let mut config: Config = test_config();
    config.login_burst = 0;
    config.max_sessions = 1;
    let app = start_with(config, backend).await;
    assert_eq!(
        app.post("/api/session/login", alice(), &[]).await.status,
        StatusCode::OK
    );
    let keys_before = match &app.redis {
        Some(redis) => redis.keys("authlens:session:*").await,
        None => Vec::new(),
    };
    let bulk = app.router.clone().oneshot(as_visitor(
        &app,
        "POST",
        "/api/lab/bulk",
        json!({"kind": "sessions", "count": 100_000}),
    ));
    let state = app.state.clone();
    hang_up(bulk, || state.bulk.runs.rows_held.get() >= 2_000).await;

    until("the batch is removed", async || {
        app.state.session.store.count().await.unwrap() == 1
            && app.state.bulk.runs.rows_held.get() == 0
    })
    .await;
    // The login ceiling still counts: one session held, one allowed.
    let login = app.post("/api/session/login", alice(), &[]).await;
    assert_eq!(
        login.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        login.body
    );
    assert_eq!(login.error_code(), ErrorCode::ServerBusy);
    // The run's place is free again: the same visitor measures a new batch.
    let again = app
        .post(
            "/api/lab/bulk",
            json!({"kind": "sessions", "count": 10}),
            &[],
        )
        .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    if let Some(redis) = &app.redis {
        let mut keys = redis.keys("authlens:session:*").await;
        keys.sort();
        let mut expected = keys_before;
        expected.sort();
        assert_eq!(keys, expected, "the login's keys, no batch row");
    }
}

for_each_store!(a_bulk_run_cut_off_midway_leaves_no_row);

/// Whether anything listens on 127.0.0.1:`port`.
fn listening(port: u16) -> bool {
    std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
}

async fn start_cluster(app: &TestApp, nodes: usize, storage: &str) -> Vec<u16> {
    let reply = app
        .post(
            "/api/lab/cluster",
            json!({"nodes": nodes, "strategy": "round_robin", "storage": storage}),
            &[],
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let ports: Vec<u16> = reply.body["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|node| node["port"].as_u64().expect("a port") as u16)
        .collect();
    assert!(ports.iter().all(|port| listening(*port)));
    ports
}

#[tokio::test]
async fn a_lab_stop_cut_off_midway_stops_every_node() {
    let app = start_default().await;
    let ports = start_cluster(&app, 8, "local").await;
    let stop =
        app.router
            .clone()
            .oneshot(as_visitor(&app, "DELETE", "/api/lab/cluster", json!({})));
    hang_up(stop, || true).await;
    until("every node has stopped listening", async || {
        !ports.iter().any(|port| listening(*port))
    })
    .await;
    assert_eq!(app.state.lab.running(), (0, 0));
}

#[tokio::test]
async fn a_replacing_start_cut_off_midway_leaves_neither_cluster() {
    let app = start_default().await;
    let old = start_cluster(&app, 8, "local").await;
    let replace = app.router.clone().oneshot(as_visitor(
        &app,
        "POST",
        "/api/lab/cluster",
        json!({"nodes": 8, "strategy": "round_robin", "storage": "local"}),
    ));
    hang_up(replace, || true).await;
    until("the old cluster's nodes have stopped", async || {
        !old.iter().any(|port| listening(*port))
    })
    .await;
    until("no cluster holds a place", async || {
        app.state.lab.running() == (0, 0)
    })
    .await;
    // The place is free: the visitor starts a cluster again, within the ceilings.
    start_cluster(&app, 8, "local").await;
}

#[tokio::test]
async fn a_stopped_central_cluster_leaves_no_session_in_redis() {
    let mut config = test_config();
    config.login_burst = 0;
    let app = start_with(config, Backend::Redis).await;
    start_cluster(&app, 2, "central").await;
    for _ in 0..3 {
        let login = app.post("/lb/api/session/login", alice(), &[]).await;
        assert_eq!(login.status, StatusCode::OK, "{}", login.body);
    }
    let redis = app.redis.as_ref().expect("a Redis");
    assert!(!redis.keys("authlens:lab:*").await.is_empty());
    let stop =
        app.router
            .clone()
            .oneshot(as_visitor(&app, "DELETE", "/api/lab/cluster", json!({})));
    hang_up(stop, || true).await;
    until("the lab's sessions are gone from Redis", async || {
        redis.keys("authlens:lab:*").await.is_empty()
    })
    .await;
}
