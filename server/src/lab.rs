//! Claim 10, measured on this very process: create N sessions or issue N access tokens and
//! report what the server holds before and after (store rows, resident memory).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::error::{ApiJson, error_response};
use crate::jwt::{ACCESS_TYP, AUDIENCE, AccessClaims, ISSUER};
use crate::store::{SessionId, SessionRecord};
use app::api::ErrorBody;

/// The most records one request may create: enough to see memory move, bounded so one
/// click cannot exhaust the server.
pub const MAX_BULK: usize = 100_000;

pub fn routes() -> Router<AppState> {
    Router::new().route("/bulk", post(bulk))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BulkKind {
    Sessions,
    Tokens,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct BulkRequest {
    pub kind: BulkKind,
    pub count: usize,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BulkResponse {
    pub created: usize,
    pub backend: String,
    pub session_rows_before: usize,
    pub session_rows_after: usize,
    pub refresh_rows_before: usize,
    pub refresh_rows_after: usize,
    /// Resident memory of this process, from /proc/self/statm (None where unavailable).
    pub resident_bytes_before: Option<u64>,
    pub resident_bytes_after: Option<u64>,
    /// Bytes of the tokens issued (for tokens), so the cost moved to the wire is visible too.
    pub token_bytes_total: usize,
    pub elapsed_ms: u128,
}

/// Creates many sessions or JWTs at once and reports store rows and resident memory before
/// and after (claim 10).
#[utoipa::path(post, path = "/api/lab/bulk", tag = "lab",
    request_body = BulkRequest,
    responses(
        (status = 200, body = BulkResponse, description = "What the batch cost"),
        (status = 503, body = ErrorBody, description = "A store is unreachable"),
        crate::openapi::BodyRejections,
    ))]
pub(crate) async fn bulk(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<BulkRequest>,
) -> Response {
    if request.count == 0 || request.count > MAX_BULK {
        return error_response(
            StatusCode::BAD_REQUEST,
            "bad_request",
            format!("count must be between 1 and {MAX_BULK}"),
        );
    }
    match run(&state, &request).await {
        Ok(response) => Json(response).into_response(),
        Err(response) => response,
    }
}

async fn run(state: &AppState, request: &BulkRequest) -> Result<BulkResponse, Response> {
    let unavailable = |err: crate::store::StoreError| {
        error_response(
            StatusCode::SERVICE_UNAVAILABLE,
            "store_unavailable",
            err.to_string(),
        )
    };
    let started = std::time::Instant::now();
    let session_rows_before = state.sessions.count().await.map_err(unavailable)?;
    let refresh_rows_before = state.jwt.refresh.count().await.map_err(unavailable)?;
    let resident_bytes_before = resident_bytes();
    let mut token_bytes_total = 0;
    match request.kind {
        BulkKind::Sessions => {
            let now = state.clock.now_ms();
            for _ in 0..request.count {
                let record = SessionRecord {
                    id: SessionId::generate(),
                    username: "alice".to_owned(),
                    cart: Vec::new(),
                    created_at: now,
                    last_seen_at: now,
                    expires_at: state.session_deadline(now, now),
                };
                state.sessions.save(&record).await.map_err(unavailable)?;
            }
        }
        BulkKind::Tokens => {
            let now = state.clock.now_secs();
            for n in 0..request.count {
                let claims = AccessClaims {
                    iss: ISSUER.to_owned(),
                    sub: "alice".to_owned(),
                    aud: AUDIENCE.to_owned(),
                    iat: now,
                    exp: now + state.jwt.access_ttl.as_secs(),
                    jti: format!("bulk-{n}"),
                    name: "Alice".to_owned(),
                    cart: Vec::new(),
                };
                let token = state
                    .jwt
                    .sign(ACCESS_TYP, &claims)
                    .map_err(|err| err.into_response())?;
                // Handed out and forgotten: the server keeps nothing of it.
                token_bytes_total += token.len();
            }
        }
    }
    Ok(BulkResponse {
        created: request.count,
        backend: state.sessions.backend().to_owned(),
        session_rows_before,
        session_rows_after: state.sessions.count().await.map_err(unavailable)?,
        refresh_rows_before,
        refresh_rows_after: state.jwt.refresh.count().await.map_err(unavailable)?,
        resident_bytes_before,
        resident_bytes_after: resident_bytes(),
        token_bytes_total,
        elapsed_ms: started.elapsed().as_millis(),
    })
}

/// This process's resident set size.
pub fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let resident_pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(resident_pages * 4096)
}
