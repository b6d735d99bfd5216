//! The front end's files on the wire: hashed files cached for a year, precompressed siblings
//! chosen by Accept-Encoding, the page HTML compressed on the fly and revalidated, and API
//! answers left exactly as they are.

mod common;

use std::path::PathBuf;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;

use server::{AppState, app};

/// A site root with one "hashed" wasm file and its .br and .gz siblings.
fn site(name: &str) -> PathBuf {
    let root = std::env::temp_dir().join(format!("authlens-assets-{name}-{}", std::process::id()));
    let pkg = root.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(pkg.join("authlens.H4sh.wasm"), b"\0asm raw bytes").unwrap();
    std::fs::write(pkg.join("authlens.H4sh.wasm.br"), b"brotli bytes").unwrap();
    std::fs::write(pkg.join("authlens.H4sh.wasm.gz"), b"gzip bytes").unwrap();
    root
}

async fn router(root: &std::path::Path, hashed: bool) -> server::http::edge::Server {
    let mut config = common::test_config();
    config.site_root = root.to_path_buf();
    let state = AppState::new(config).await.unwrap();
    let front_end = server::http::assets::FrontEnd {
        hashed,
        ..state.front_end.clone()
    };
    app(state.with_front_end(front_end))
}

async fn get(
    router: &server::http::edge::Server,
    path: &str,
    accept: &str,
) -> (StatusCode, header::HeaderMap, Vec<u8>) {
    let request = Request::get(path)
        .header(header::ACCEPT_ENCODING, accept)
        .body(Body::empty())
        .unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    let (parts, body) = response.into_parts();
    let bytes = body.collect().await.unwrap().to_bytes().to_vec();
    (parts.status, parts.headers, bytes)
}

#[tokio::test]
async fn hashed_files_come_precompressed_and_are_cached_for_a_year() {
    let root = site("hashed");
    let router = router(&root, true).await;
    let wasm = "/pkg/authlens.H4sh.wasm";
    let (status, headers, body) = get(&router, wasm, "gzip, deflate, br").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_ENCODING], "br");
    assert_eq!(body, b"brotli bytes");
    assert_eq!(
        headers[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(headers[header::CONTENT_TYPE], "application/wasm");
    assert!(
        headers
            .get(header::VARY)
            .is_some_and(|vary| vary.to_str().unwrap().contains("accept-encoding")),
        "{headers:?}"
    );
    let (_, headers, body) = get(&router, wasm, "gzip").await;
    assert_eq!(headers[header::CONTENT_ENCODING], "gzip");
    assert_eq!(body, b"gzip bytes");
    let (_, headers, body) = get(&router, wasm, "identity").await;
    assert!(headers.get(header::CONTENT_ENCODING).is_none());
    assert_eq!(body, b"\0asm raw bytes");
    let (missing, ..) = get(&router, "/pkg/authlens.0ther.wasm", "br").await;
    assert_eq!(missing, StatusCode::NOT_FOUND);
    std::fs::remove_dir_all(root).ok();
}

#[tokio::test]
async fn unhashed_files_are_revalidated_every_time() {
    let root = site("unhashed");
    let router = router(&root, false).await;
    let (status, headers, _) = get(&router, "/pkg/authlens.H4sh.wasm", "br").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CACHE_CONTROL], "no-cache");
    std::fs::remove_dir_all(root).ok();
}

#[tokio::test]
async fn the_page_is_compressed_and_revalidated_and_json_keeps_its_bytes() {
    let root = site("page");
    let router = router(&root, true).await;
    let (status, headers, body) = get(&router, "/", "gzip, br").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_ENCODING], "br");
    assert_eq!(headers[header::CACHE_CONTROL], "no-cache, private");
    assert!(
        !String::from_utf8_lossy(&body).contains("<html"),
        "the body is compressed"
    );
    let (_, headers, _) = get(&router, "/", "gzip").await;
    assert_eq!(headers[header::CONTENT_ENCODING], "gzip");
    let (_, headers, body) = get(&router, "/api/health", "gzip, br").await;
    assert!(
        headers.get(header::CONTENT_ENCODING).is_none(),
        "{headers:?}"
    );
    assert_eq!(body, br#"{"status":"ok"}"#);
    std::fs::remove_dir_all(root).ok();
}
