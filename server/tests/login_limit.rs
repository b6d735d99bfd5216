//! Login floods are slowed per client address; visitors clicking through the demo never are.

mod common;

use app::api::{ErrorBody, ErrorCode};

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::StatusCode;
use common::*;
use serde_json::{Value, json};

/// A login as if it came over TCP from `client`, as `main` serves it (with connect info).
async fn login_from(app: &TestApp, flow: &str, client: &str, credentials: Value) -> Reply {
    let mut request = request(
        "POST",
        &format!("/api/{flow}/login"),
        Body::from(credentials.to_string()),
        &[],
    );
    let peer: SocketAddr = format!("{client}:40000").parse().unwrap();
    request.extensions_mut().insert(ConnectInfo(peer));
    app.send(request).await
}

fn wrong_password() -> Value {
    json!({"username": "alice", "password": "guess"})
}

#[tokio::test]
async fn twenty_logins_a_minute_are_never_limited() {
    let app = start_default().await;
    for attempt in 0..20 {
        let flow = if attempt % 2 == 0 { "session" } else { "jwt" };
        let reply = login_from(&app, flow, "192.0.2.10", alice()).await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "login {attempt}: {}",
            reply.body
        );
    }
}

#[tokio::test]
async fn sixty_failed_logins_in_a_burst_are_limited_with_retry_after() {
    let app = start_default().await;
    let mut statuses = Vec::new();
    let mut limited = None;
    for _ in 0..60 {
        let reply = login_from(&app, "session", "192.0.2.20", wrong_password()).await;
        statuses.push(reply.status.as_u16());
        if reply.status == StatusCode::TOO_MANY_REQUESTS {
            limited = Some(reply);
        }
    }
    let refused = statuses.iter().filter(|&&status| status == 429).count();
    assert!(
        statuses[..30].iter().all(|&status| status == 401),
        "the burst allowance answers normally: {statuses:?}"
    );
    assert!(refused >= 25, "{refused} of 60 limited: {statuses:?}");
    let limited = limited.unwrap();
    assert_eq!(limited.error_code(), ErrorCode::TooManyRequests);
    let retry_after: u64 = limited
        .header("retry-after")
        .parse()
        .expect("Retry-After in seconds");
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert!(
        limited
            .json::<ErrorBody>()
            .message
            .contains(&format!("{retry_after} s")),
        "{}",
        limited.body
    );

    // The limit is per client and per login, and the flood locks nobody else out.
    assert_eq!(
        login_from(&app, "jwt", "192.0.2.20", alice()).await.status,
        StatusCode::TOO_MANY_REQUESTS,
        "both login endpoints share the client's allowance"
    );
    assert_eq!(
        login_from(&app, "session", "192.0.2.99", alice())
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        app.get("/api/session/store", &[]).await.status,
        StatusCode::OK,
        "other routes are not limited"
    );
}

#[tokio::test]
async fn a_burst_of_zero_turns_the_limit_off() {
    let mut config = test_config();
    config.login_burst = 0;
    let app = start(config).await;
    for _ in 0..40 {
        let reply = login_from(&app, "session", "192.0.2.30", wrong_password()).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    }
}
