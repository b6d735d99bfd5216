//! Every JSON endpoint answers bad input with a clean 4xx and a `{error, message}` body:
//! never a 500, never a panic, and the server keeps working afterwards.

mod common;

use app::api::ErrorBody;

use axum::body::Body;
use axum::http::StatusCode;
use common::*;
use serde_json::json;

const JSON_ENDPOINTS: [&str; 7] = [
    "/api/session/login",
    "/api/session/cart",
    "/api/session/logout",
    "/api/jwt/login",
    "/api/jwt/cart",
    "/api/jwt/refresh",
    "/api/jwt/logout",
];

/// Bodies no endpoint accepts, with the status each must get.
fn hostile_bodies() -> Vec<(&'static str, Vec<u8>, StatusCode)> {
    vec![
        (
            "truncated JSON",
            b"{\"username\": ".to_vec(),
            StatusCode::BAD_REQUEST,
        ),
        (
            "not JSON",
            b"username=alice".to_vec(),
            StatusCode::BAD_REQUEST,
        ),
        (
            "wrong types",
            br#"{"username": 1, "password": [], "item": {}, "refresh_token": 2}"#.to_vec(),
            StatusCode::BAD_REQUEST,
        ),
        (
            "invalid UTF-8",
            vec![b'{', b'"', 0xff, 0xfe, b'"', b':', b'1', b'}'],
            StatusCode::BAD_REQUEST,
        ),
        (
            "deep nesting",
            format!("{}{}", "[".repeat(5_000), "]".repeat(5_000)).into_bytes(),
            StatusCode::BAD_REQUEST,
        ),
        (
            "over the body limit",
            format!(r#"{{"username": "{}"}}"#, "a".repeat(20_000)).into_bytes(),
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
    ]
}

fn assert_clean_error(reply: &Reply, expected: StatusCode, what: &str) {
    assert_eq!(reply.status, expected, "{what}: {}", reply.body);
    assert!(reply.body["error"].is_string(), "{what}: {}", reply.body);
    assert!(reply.body["message"].is_string(), "{what}: {}", reply.body);
}

#[tokio::test]
async fn hostile_bodies_get_a_clean_4xx_from_every_json_endpoint() {
    let app = start_default().await;
    // Logged in, so that endpoints which check credentials first still reach the body.
    let LoggedIn { cookie, bearer, .. } = log_in_both(&app).await;
    let credentials = [
        ("cookie", cookie.as_str()),
        ("authorization", bearer.as_str()),
    ];
    for path in JSON_ENDPOINTS {
        for (what, body, expected) in hostile_bodies() {
            let reply = app
                .send(request("POST", path, Body::from(body), &credentials))
                .await;
            let expected = if path == "/api/session/logout" {
                // Logout reads no body: a body, whatever it holds, does not stop a logout.
                reply.status
            } else {
                expected
            };
            assert_clean_error_or_ok(&reply, expected, &format!("{path} with {what}"));
        }
    }
    // Nothing above broke the server.
    let me = app.get("/api/jwt/me", &[("authorization", &bearer)]).await;
    assert_eq!(me.status, StatusCode::OK);
}

fn assert_clean_error_or_ok(reply: &Reply, expected: StatusCode, what: &str) {
    if reply.status.is_success() && expected.is_success() {
        return;
    }
    assert!(
        reply.status.is_client_error(),
        "{what}: {} {}",
        reply.status,
        reply.body
    );
    assert_clean_error(reply, expected, what);
}

#[tokio::test]
async fn a_missing_field_is_named_in_the_message() {
    let app = start_default().await;
    let reply = app
        .post("/api/jwt/refresh", json!({"refresh": "x"}), &[])
        .await;
    assert_clean_error(&reply, StatusCode::BAD_REQUEST, "missing refresh_token");
    assert!(
        reply.json::<ErrorBody>().message.contains("refresh_token"),
        "{}",
        reply.body
    );
}

#[tokio::test]
async fn hostile_cookies_and_headers_are_refused_cleanly() {
    let app = start_default().await;
    let many_cookies = (0..300)
        .map(|n| format!("c{n}=v{n}"))
        .collect::<Vec<_>>()
        .join("; ");
    let cases: Vec<(&str, Vec<(&str, String)>)> = vec![
        ("300 cookies, none ours", vec![("cookie", many_cookies)]),
        (
            "the session cookie twice",
            vec![("cookie", "authlens_sid=a; authlens_sid=b".into())],
        ),
        (
            "an empty session cookie",
            vec![("cookie", "authlens_sid=".into())],
        ),
        (
            "a huge session cookie",
            vec![("cookie", format!("authlens_sid={}", "A".repeat(8_000)))],
        ),
        (
            "quotes and escapes",
            vec![("cookie", r#"authlens_sid="\"%00%ff""#.into())],
        ),
    ];
    for (what, headers) in cases {
        let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
        let reply = app.get("/api/session/me", &headers).await;
        assert_clean_error(&reply, StatusCode::UNAUTHORIZED, what);
    }
    let tokens = [
        "Bearer a.b.c.d".to_owned(),
        format!("Bearer {}", "x".repeat(8_000)),
        "Bearer ..".to_owned(),
        "Bearer eyJhbGciOiJub25lIn0.e30.".to_owned(),
        "bearer     spaced-out".to_owned(),
    ];
    for token in &tokens {
        let reply = app.get("/api/jwt/me", &[("authorization", token)]).await;
        assert_clean_error(&reply, StatusCode::UNAUTHORIZED, token);
    }
}

#[tokio::test]
async fn path_tricks_get_a_clean_404() {
    let app = start_default().await;
    let api_paths = [
        "/api/../api/health/..",
        "/api/session/me/../../jwt/me",
        "/api/%2e%2e/session/me",
        "/api/session/me%00",
        "/api/session/%2fme",
        "/api/session/me/",
        "/api/lab/cluster/nodes/../../../../etc/passwd/kill",
        "/api/session/login;jsessionid=1",
    ];
    for path in api_paths {
        let reply = app.get(path, &[]).await;
        assert_clean_error(&reply, StatusCode::NOT_FOUND, path);
    }
    // Outside /api, nothing beyond the site's own files is ever served.
    for path in [
        "/pkg/../../Cargo.toml",
        "/pkg/%2e%2e/%2e%2e/Cargo.toml",
        "/..%2f..%2fetc/passwd",
        "/pkg/..%5c..%5cCargo.toml",
    ] {
        let reply = app.get(path, &[]).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
        assert!(!reply.body.to_string().contains("[workspace]"), "{path}");
    }
}

#[tokio::test]
async fn header_bytes_that_are_not_utf8_are_refused_cleanly() {
    let app = start_default().await;
    let mut request = request("GET", "/api/session/me", Body::empty(), &[]);
    request.headers_mut().insert(
        "cookie",
        axum::http::HeaderValue::from_bytes(b"authlens_sid=\xff\xfe\xfd").unwrap(),
    );
    assert_clean_error(&app.send(request).await, StatusCode::UNAUTHORIZED, "cookie");
    let request = request_with_bearer_bytes(b"Bearer \xffabc.def.ghi");
    assert_clean_error(&app.send(request).await, StatusCode::UNAUTHORIZED, "bearer");
}

fn request_with_bearer_bytes(bytes: &[u8]) -> axum::http::Request<Body> {
    let mut request = request("GET", "/api/jwt/me", Body::empty(), &[]);
    request.headers_mut().insert(
        "authorization",
        axum::http::HeaderValue::from_bytes(bytes).unwrap(),
    );
    request
}

/// The status line a raw socket gets back for bytes no HTTP client would send. Bounded, so a
/// server that never answers fails the test instead of hanging it.
async fn raw_exchange(address: std::net::SocketAddr, bytes: Vec<u8>) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let exchange = async {
        let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
        // The server may answer and close before reading everything: a failed write is fine.
        let _ = stream.write_all(&bytes).await;
        let mut answer = Vec::new();
        let mut chunk = [0; 1024];
        while !answer.windows(2).any(|pair| pair == b"\r\n") {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&chunk[..n]),
            }
        }
        String::from_utf8_lossy(&answer)
            .lines()
            .next()
            .unwrap_or_default()
            .to_owned()
    };
    tokio::time::timeout(std::time::Duration::from_secs(10), exchange)
        .await
        .unwrap_or_else(|_| "no answer within 10 s".to_owned())
}

/// Serves `app` on a free loopback port, as `main` does, until the returned task is aborted.
async fn serve(app: &TestApp) -> (std::net::SocketAddr, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let config = &app.state.config;
    let limits = server::http::serve::ConnectionLimits {
        header_read_timeout: config.header_read_timeout,
        idle_timeout: config.idle_timeout,
        max_connections: config.max_connections,
        max_connections_per_client: config.max_connections_per_client,
        trusted: app.state.trusted_proxies.clone(),
    };
    let server = tokio::spawn(server::http::serve::serve(
        listener,
        app.router.clone(),
        limits,
        std::future::pending(),
    ));
    (address, server)
}

#[tokio::test]
async fn oversized_and_malformed_requests_on_the_wire_get_a_4xx_and_the_server_carries_on() {
    let app = start_default().await;
    let (address, server) = serve(&app).await;

    let huge_header = format!(
        "GET /api/health HTTP/1.1\r\nhost: x\r\nx-big: {}\r\n\r\n",
        "a".repeat(1 << 20)
    );
    let many_headers = format!(
        "GET /api/health HTTP/1.1\r\nhost: x\r\n{}\r\n",
        (0..500)
            .map(|n| format!("x-h{n}: {n}\r\n"))
            .collect::<String>()
    );
    // No declared length: the limit stops it as it is read.
    let oversized_json = format!(r#"{{"username": "{}"}}"#, "a".repeat(20_000));
    let chunked_over_the_limit = format!(
        "POST /api/session/login HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n\
         transfer-encoding: chunked\r\n\r\n{:x}\r\n{oversized_json}\r\n0\r\n\r\n",
        oversized_json.len()
    );
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("a 1 MiB header", huge_header.into_bytes(), "431"),
        ("500 headers", many_headers.into_bytes(), "431"),
        ("garbage", b"\x00\x01\x02 hello\r\n\r\n".to_vec(), "400"),
        (
            "a header name with a space",
            b"GET /api/health HTTP/1.1\r\nhost: x\r\nbad name: 1\r\n\r\n".to_vec(),
            "400",
        ),
        (
            "a declared body far over the limit",
            b"POST /api/session/login HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 99999999\r\n\r\n{".to_vec(),
            "413",
        ),
        (
            "a chunked body over the limit",
            chunked_over_the_limit.into_bytes(),
            "413",
        ),
    ];
    for (what, bytes, expected) in cases {
        let status_line = raw_exchange(address, bytes).await;
        assert!(
            status_line.starts_with(&format!("HTTP/1.1 {expected}")),
            "{what}: {status_line:?}"
        );
    }
    let healthy = raw_exchange(
        address,
        b"GET /api/health HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n".to_vec(),
    )
    .await;
    assert_eq!(healthy, "HTTP/1.1 200 OK");
    server.abort();
}

#[tokio::test]
async fn a_body_that_never_arrives_gets_a_json_408_at_the_request_timeout() {
    let mut config = test_config();
    config.request_timeout = std::time::Duration::from_millis(300);
    let app = start(config).await;
    let (address, server) = serve(&app).await;
    let status_line = raw_exchange(
        address,
        b"POST /api/session/login HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{".to_vec(),
    )
    .await;
    assert_eq!(status_line, "HTTP/1.1 408 Request Timeout");
    // The same answer through the router, with its JSON body.
    let never = futures::stream::pending::<Result<axum::body::Bytes, std::io::Error>>();
    let reply = app
        .send(request(
            "POST",
            "/api/session/login",
            Body::from_stream(never),
            &[],
        ))
        .await;
    assert_clean_error(&reply, StatusCode::REQUEST_TIMEOUT, "slow body");
    server.abort();
}
