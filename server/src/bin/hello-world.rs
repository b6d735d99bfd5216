//! The limit the benchmarks compare authlens against: a plain axum server answering
//! `GET /api/health` with the same JSON, no layers, no state. `scripts/bench.sh` runs it in the
//! same rounds as authlens, so the ratio says what authlens's stack costs per request.
//!   target/release/hello-world 127.0.0.1:0   (prints the address it listens on)
//!
//! With `--security-headers` its answer also carries the headers authlens puts on every JSON
//! answer (`security_headers::add`), still with no layer: the same bytes on the wire as
//! authlens's `/api/health`, which tells the cost of those bytes from the cost of the stack.

use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:0".to_owned());
    let security_headers = match args.next().as_deref() {
        None => false,
        Some("--security-headers") => true,
        Some(other) => anyhow::bail!(
            "unknown argument {other:?}; usage: hello-world ADDR [--security-headers]"
        ),
    };
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("listening on http://{}", listener.local_addr()?);
    let app = Router::new().route(
        "/api/health",
        get(move || async move {
            let answer = Json(serde_json::json!({ "status": "ok" })).into_response();
            if security_headers {
                server::http::security_headers::add(answer)
            } else {
                answer
            }
        }),
    );
    axum::serve(listener, app).await?;
    Ok(())
}
