//! Credentials the server never issued, sent through the real router (memory stores, HS256):
//! as a bearer token to /api/jwt/me, as a Cookie header to /api/session/me, and as a refresh
//! token to /api/jwt/refresh. Every answer must be a 4xx with a JSON `{error, message}` body.
#![no_main]

use std::sync::OnceLock;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderValue, Request, header};
use http_body_util::BodyExt;
use libfuzzer_sys::fuzz_target;
use server::{AppState, Config, app};
use tower::ServiceExt;

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| tokio::runtime::Runtime::new().expect("a tokio runtime"))
}

fn router() -> &'static Router {
    static ROUTER: OnceLock<Router> = OnceLock::new();
    ROUTER.get_or_init(|| {
        runtime().block_on(async {
            let mut config = Config::defaults();
            // The cheapest argon2: start-up hashes the demo passwords once.
            config.argon2_memory_kib = 8;
            config.argon2_iterations = 1;
            app(AppState::new(config).await.expect("the app starts"))
        })
    })
}

fn assert_clean_refusal(request: Request<Body>, what: &str, input: &[u8]) {
    let response = runtime()
        .block_on(router().clone().oneshot(request))
        .expect("an answer");
    let status = response.status();
    let bytes = runtime()
        .block_on(response.into_body().collect())
        .expect("a body")
        .to_bytes();
    let body: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
    assert!(
        status.is_client_error() && body["error"].is_string() && body["message"].is_string(),
        "{what} {input:?} → {status} {}",
        String::from_utf8_lossy(&bytes)
    );
}

fuzz_target!(|data: &[u8]| {
    if let Ok(value) = HeaderValue::from_bytes(&[b"Bearer ", data].concat()) {
        let request = Request::get("/api/jwt/me")
            .header(header::AUTHORIZATION, value)
            .body(Body::empty())
            .unwrap();
        assert_clean_refusal(request, "bearer", data);
    }
    if let Ok(value) = HeaderValue::from_bytes(data) {
        let request = Request::get("/api/session/me")
            .header(header::COOKIE, value)
            .body(Body::empty())
            .unwrap();
        assert_clean_refusal(request, "cookie", data);
    }
    let token = String::from_utf8_lossy(data);
    let body = serde_json::json!({ "refresh_token": token }).to_string();
    let request = Request::post("/api/jwt/refresh")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body))
        .unwrap();
    assert_clean_refusal(request, "refresh token", data);
});
