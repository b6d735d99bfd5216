//! Every JSON endpoint answers bad input with a clean 4xx and a `{error, message}` body:
//! never a 500, never a panic, and the server keeps working afterwards.

mod common;

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
    let cookie = app
        .post("/api/session/login", alice(), &[])
        .await
        .cookie_pair();
    let tokens = app.post("/api/jwt/login", alice(), &[]).await;
    let bearer = format!("Bearer {}", tokens.text("/access_token"));
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
        reply.text("/message").contains("refresh_token"),
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
