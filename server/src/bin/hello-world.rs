//! The limit the benchmarks compare authlens against: a plain axum server answering
//! `GET /api/health` with the same JSON, no layers, no state. `scripts/bench.sh` runs it in the
//! same rounds as authlens, so the ratio says what authlens's stack costs per request.
//!   target/release/hello-world 127.0.0.1:0   (prints the address it listens on)

use axum::routing::get;
use axum::{Json, Router};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:0".to_owned());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("listening on http://{}", listener.local_addr()?);
    let app = Router::new().route(
        "/api/health",
        get(|| async { Json(serde_json::json!({ "status": "ok" })) }),
    );
    axum::serve(listener, app).await?;
    Ok(())
}
