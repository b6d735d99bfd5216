//! Every response carries the security headers; the page's Content-Security-Policy names the
//! nonce its own inline scripts carry, and nothing else inline.

mod common;

use axum::http::header;
use common::*;

fn assert_common_headers(reply: &Reply, what: &str) {
    assert_eq!(
        reply.header(header::X_CONTENT_TYPE_OPTIONS),
        "nosniff",
        "{what}"
    );
    assert!(
        reply
            .header(header::CONTENT_SECURITY_POLICY)
            .contains("frame-ancestors"),
        "{what}: {}",
        reply.header(header::CONTENT_SECURITY_POLICY)
    );
}

#[tokio::test]
async fn the_page_policy_allows_exactly_the_scripts_that_carry_its_nonce() {
    let app = start_default().await;
    for path in ["/", "/inspect", "/lab", "/cost"] {
        let page = app.get(path, &[]).await;
        assert_common_headers(&page, path);
        assert_eq!(
            page.header(header::REFERRER_POLICY),
            "no-referrer",
            "{path}"
        );
        assert_eq!(
            page.header("cross-origin-opener-policy"),
            "same-origin",
            "{path}"
        );
        let policy = page.header(header::CONTENT_SECURITY_POLICY);
        let nonce = policy
            .split("'nonce-")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .unwrap_or_else(|| panic!("{path}: no nonce in {policy}"));
        assert!(nonce.len() >= 16, "{path}: a short nonce {nonce}");
        assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
        assert!(policy.contains("'wasm-unsafe-eval'"), "{policy}");
        assert!(!policy.contains("unsafe-inline"), "{policy}");

        let html = page.body.as_str().expect("an HTML page");
        let scripts: Vec<&str> = html.split("<script").skip(1).collect();
        assert!(!scripts.is_empty(), "{path}: no hydration script");
        for script in scripts {
            let tag = script.split('>').next().unwrap_or_default();
            assert!(
                tag.contains(&format!("nonce=\"{nonce}\"")),
                "{path}: a script without this response's nonce: <script{tag}>"
            );
        }
        assert!(!html.contains(" style=\""), "{path}: an inline style");
    }
}

#[tokio::test]
async fn every_page_response_gets_a_fresh_nonce() {
    let app = start_default().await;
    let first = app.get("/", &[]).await;
    let second = app.get("/", &[]).await;
    assert_ne!(
        first.header(header::CONTENT_SECURITY_POLICY),
        second.header(header::CONTENT_SECURITY_POLICY)
    );
}

#[tokio::test]
async fn json_answers_and_errors_get_the_deny_everything_policy() {
    // Nothing may load, nothing may frame it (base-uri has nothing to restrict in JSON).
    let app = start_default().await;
    for (path, status) in [
        ("/api/health", 200),
        ("/api/session/me", 401),
        ("/api/nowhere", 404),
        ("/api/jwt/me", 401),
    ] {
        let reply = app.get(path, &[]).await;
        assert_eq!(reply.status.as_u16(), status, "{path}");
        assert_common_headers(&reply, path);
        assert_eq!(
            reply.header(header::CONTENT_SECURITY_POLICY),
            "default-src 'none'; frame-ancestors 'none'",
            "{path}"
        );
    }
}

#[tokio::test]
async fn only_the_attacker_site_may_frame_the_csrf_probe_answer() {
    let app = start_with_attacker_port(4242).await;
    let reply = app
        .post(
            "/api/lab/csrf-probe?flow=jwt&nonce=abc",
            serde_json::json!({}),
            &[],
        )
        .await;
    assert_eq!(
        reply.header(header::CONTENT_SECURITY_POLICY),
        "default-src 'none'; frame-ancestors 'self' http://127.0.0.1:4242 http://localhost:4242; base-uri 'none'"
    );
    let page = app.get("/", &[]).await;
    assert!(
        page.header(header::CONTENT_SECURITY_POLICY)
            .contains("frame-src http://127.0.0.1:4242 http://localhost:4242"),
        "{}",
        page.header(header::CONTENT_SECURITY_POLICY)
    );
}

#[tokio::test]
async fn listings_and_lab_answers_are_never_cached_but_the_jwks_may_be() {
    let app = start_signing_with(server::config::JwtAlg::Eddsa).await;
    for path in [
        "/api/session/store",
        "/api/jwt/refresh-store",
        "/api/lab/cluster",
        "/api/lab/csrf-probes",
        "/api/health",
    ] {
        let reply = app.get(path, &[]).await;
        assert_eq!(reply.header(header::CACHE_CONTROL), "no-store", "{path}");
    }
    let bulk = app
        .post(
            "/api/lab/bulk",
            serde_json::json!({"kind": "tokens", "count": 1}),
            &[],
        )
        .await;
    assert_eq!(bulk.header(header::CACHE_CONTROL), "no-store");
    let jwks = app.get("/.well-known/jwks.json", &[]).await;
    assert_eq!(jwks.header(header::CACHE_CONTROL), "public, max-age=300");
}
