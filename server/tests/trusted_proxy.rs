//! Behind a proxy: `X-Forwarded-For` and `X-Forwarded-Proto` are believed only from a peer the
//! server was told to trust (`--trusted-proxy`), for `Secure`, HSTS and the login limit.

mod common;

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::StatusCode;
use common::*;
use serde_json::json;

/// A session login that reached the server over TCP from `peer` with `headers`.
async fn login_via(app: &TestApp, peer: &str, headers: &[(&str, &str)]) -> Reply {
    let mut request = with_visitor(
        &app.visitor,
        request(
            "POST",
            "/api/session/login",
            Body::from(alice().to_string()),
            headers,
        ),
    );
    let peer: SocketAddr = format!("{peer}:40000").parse().unwrap();
    request.extensions_mut().insert(ConnectInfo(peer));
    app.send(request).await
}

async fn behind(proxies: &[&str]) -> TestApp {
    let mut config = test_config();
    config.trusted_proxy = proxies
        .iter()
        .map(|network| server::config::parse_network(network).unwrap())
        .collect();
    start(config).await
}

const TLS: &[(&str, &str)] = &[("host", "authlens.example"), ("x-forwarded-proto", "https")];

#[tokio::test]
async fn a_trusted_proxy_saying_https_gets_secure_cookies_and_hsts() {
    let app = behind(&["10.0.0.0/8"]).await;
    let login = login_via(&app, "10.1.2.3", TLS).await;
    assert_eq!(login.status, StatusCode::OK);
    let cookies: Vec<_> = login.headers.get_all("set-cookie").iter().collect();
    assert!(!cookies.is_empty());
    for cookie in cookies {
        assert!(cookie.to_str().unwrap().contains("; Secure"), "{cookie:?}");
    }
    assert_eq!(
        login.header("strict-transport-security"),
        "max-age=63072000"
    );
}

#[tokio::test]
async fn the_same_headers_from_anyone_else_decide_nothing() {
    let app = behind(&["10.0.0.0/8"]).await;
    for peer in ["192.0.2.7", "11.0.0.1"] {
        let login = login_via(&app, peer, TLS).await;
        assert_eq!(login.status, StatusCode::OK);
        assert!(!login.header("set-cookie").contains("Secure"), "{peer}");
        assert!(login.headers.get("strict-transport-security").is_none());
    }
    // A name that merely starts like a loopback address is not one.
    let fake_loopback = login_via(&app, "127.0.0.1", &[("host", "127.evil.example")]).await;
    assert!(!fake_loopback.header("set-cookie").contains("Secure"));
    let real_loopback = login_via(&app, "127.0.0.1", &[("host", "127.0.0.1:3000")]).await;
    assert!(real_loopback.header("set-cookie").contains("Secure"));
}

#[tokio::test]
async fn the_login_limit_counts_each_forwarded_client_apart() {
    let mut config = test_config();
    config.trusted_proxy = vec![server::config::parse_network("10.0.0.1").unwrap()];
    config.login_burst = 2;
    config.login_per_minute = 1;
    let app = start(config).await;
    let wrong = json!({"username": "alice", "password": "guess"}).to_string();
    let attempt = |peer: &'static str, forwarded: &'static str| {
        let mut request = request(
            "POST",
            "/api/session/login",
            Body::from(wrong.clone()),
            &[("x-forwarded-for", forwarded)],
        );
        request.extensions_mut().insert(ConnectInfo::<SocketAddr>(
            format!("{peer}:1").parse().unwrap(),
        ));
        request
    };
    // Two students behind the class's proxy: one's flood does not lock out the other.
    for _ in 0..2 {
        let reply = app.send(attempt("10.0.0.1", "198.51.100.1")).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    }
    let flooder = app.send(attempt("10.0.0.1", "198.51.100.1")).await;
    assert_eq!(flooder.status, StatusCode::TOO_MANY_REQUESTS);
    let neighbour = app.send(attempt("10.0.0.1", "198.51.100.2")).await;
    assert_eq!(
        neighbour.status,
        StatusCode::UNAUTHORIZED,
        "{}",
        neighbour.body
    );
    // A client that is not the proxy cannot pick a fresh bucket by writing the header itself.
    for forged in ["203.0.113.1", "203.0.113.2"] {
        let reply = app.send(attempt("192.0.2.9", forged)).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    }
    let third = app.send(attempt("192.0.2.9", "203.0.113.3")).await;
    assert_eq!(
        third.status,
        StatusCode::TOO_MANY_REQUESTS,
        "one bucket: the peer's"
    );
}

/// A login from `student` through the proxy at 10.0.0.1 whose body has not arrived yet:
/// polled once, it is in flight until the returned sender is dropped.
fn slow_login_through_proxy<'a>(
    app: &'a TestApp,
    student: &str,
) -> (
    impl std::future::Future<Output = Reply> + 'a,
    tokio::sync::mpsc::Sender<Result<axum::body::Bytes, std::io::Error>>,
) {
    let (body, chunks) = tokio::sync::mpsc::channel(1);
    let stream = futures::stream::unfold(chunks, |mut chunks| async move {
        chunks.recv().await.map(|chunk| (chunk, chunks))
    });
    let mut request = with_visitor(
        &app.visitor,
        request(
            "POST",
            "/api/session/login",
            Body::from_stream(stream),
            &[("x-forwarded-for", student)],
        ),
    );
    request
        .extensions_mut()
        .insert(ConnectInfo("10.0.0.1:40000".parse::<SocketAddr>().unwrap()));
    (app.send(request), body)
}

/// Polls `request` once, as a server does when its head has arrived, and keeps it.
async fn begin<F: std::future::Future>(request: F) -> std::pin::Pin<Box<F>> {
    let mut request = Box::pin(request);
    tokio::select! {
        biased;
        _ = &mut request => panic!("the request should wait for its body"),
        () = std::future::ready(()) => {}
    }
    request
}

#[tokio::test]
async fn behind_the_proxy_each_student_has_a_share_of_requests_in_flight() {
    let mut config = test_config();
    config.trusted_proxy = vec![server::config::parse_network("10.0.0.1").unwrap()];
    config.max_connections_per_client = 2;
    let app = start(config).await;
    let (first, first_body) = slow_login_through_proxy(&app, "198.51.100.1");
    let (second, second_body) = slow_login_through_proxy(&app, "198.51.100.1");
    let (first, second) = (begin(first).await, begin(second).await);

    let (third, _third_body) = slow_login_through_proxy(&app, "198.51.100.1");
    let refused = third.await;
    assert_eq!(
        refused.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        refused.body
    );
    assert_eq!(refused.error_code(), app::api::ErrorCode::ServerBusy);
    assert_eq!(refused.header("retry-after"), "5");

    // The student beside them is not held up by the first one's requests.
    let neighbour = login_via(&app, "10.0.0.1", &[("x-forwarded-for", "198.51.100.2")]).await;
    assert_eq!(neighbour.status, StatusCode::OK, "{}", neighbour.body);

    // A request whose client hung up gives its place back.
    drop(first);
    drop(first_body);
    let (again, again_body) = slow_login_through_proxy(&app, "198.51.100.1");
    let again = begin(again).await;
    drop((again, again_body, second, second_body));
}
