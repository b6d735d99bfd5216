//! Claim 10, measured on this very process: create N sessions or issue N access tokens and
//! report what the server holds before, while the batch is held, and after it is removed
//! (the visitor's store rows, resident memory). The rows are the visitor's own and are deleted
//! as soon as the measurement is taken; each visitor runs one batch at a time and only a few
//! run at once server-wide, so no visitor can use the button to exhaust the server.

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::ErrorCode;
use crate::error::{ApiJson, busy, error_response, json_response};
use crate::jwt::ACCESS_TYP;
use crate::store::{SessionId, SessionRecord, StoreError, VisitorId};
use crate::sync::lock;
use crate::visitor::Visitor;
use app::api::ErrorBody;
pub use app::api::{BulkKind, BulkRequest, BulkResponse, MAX_BULK};

/// Records made or removed between two yields to the other requests on this worker.
const CHUNK: usize = 500;

/// The sizes of the chunks `count` records are made in: `CHUNK` each, the rest last.
fn chunk_sizes(count: usize) -> impl Iterator<Item = usize> {
    (0..count)
        .step_by(CHUNK)
        .map(move |start| CHUNK.min(count - start))
}
/// What a busy bulk runner suggests waiting: a run of 10 000 takes a second or two.
const BUSY_RETRY_AFTER_SECS: u64 = 5;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(bulk))
}

/// The bulk runs going on now: one per visitor, `max` in all. Their rows are bounded apart
/// from the visitors' logins (at most `max` × [`MAX_BULK`], and only for the length of a run),
/// so a bulk run never makes a login meet the `--max-sessions` ceiling.
pub struct BulkRuns {
    running: Mutex<HashSet<VisitorId>>,
    max: usize,
    /// Session rows that bulk runs hold right now.
    rows_held: AtomicUsize,
}

impl BulkRuns {
    pub fn new(max: usize) -> Self {
        BulkRuns {
            running: Mutex::default(),
            max,
            rows_held: AtomicUsize::new(0),
        }
    }

    /// Session rows that bulk runs hold right now (not counted against `--max-sessions`).
    pub fn rows_held(&self) -> usize {
        self.rows_held.load(Ordering::Relaxed)
    }

    /// A place for `visitor`'s run, held until the guard is dropped; or why there is none.
    fn enter(self: &Arc<Self>, visitor: VisitorId) -> Result<RunGuard, &'static str> {
        let mut running = lock(&self.running);
        if running.contains(&visitor) {
            return Err("Your previous bulk run is still going; wait for its result.");
        }
        if running.len() >= self.max {
            return Err(
                "Other visitors' bulk runs are using the server; try again in a few seconds.",
            );
        }
        running.insert(visitor);
        Ok(RunGuard {
            runs: Arc::clone(self),
            visitor,
        })
    }
}

struct RunGuard {
    runs: Arc<BulkRuns>,
    visitor: VisitorId,
}

impl Drop for RunGuard {
    fn drop(&mut self) {
        lock(&self.runs.running).remove(&self.visitor);
    }
}

/// Creates many sessions or JWTs at once and reports the visitor's store rows and the
/// process's resident memory before, while the batch is held, and after its cleanup (claim 10).
#[utoipa::path(post, path = "/api/lab/bulk", tag = "lab",
    request_body = BulkRequest,
    responses(
        (status = 200, body = BulkResponse, description = "What the batch cost; its rows are gone again"),
        (status = 503, body = ErrorBody, description = "server_busy (your run is still going, too many runs at once, or the server is full; with Retry-After) or store_unavailable",
            headers(("retry-after" = Option<u64>, description = "With server_busy: seconds to wait"))),
        crate::error::BodyRejections,
    ))]
pub(crate) async fn bulk(
    State(state): State<AppState>,
    Visitor(visitor): Visitor,
    ApiJson(request): ApiJson<BulkRequest>,
) -> Response {
    if request.count == 0 || request.count > MAX_BULK {
        return error_response(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadRequest,
            format!("count must be between 1 and {MAX_BULK}"),
        );
    }
    let _place = match state.bulk_runs.enter(visitor) {
        Ok(place) => place,
        Err(why) => return busy(ErrorCode::ServerBusy, why, BUSY_RETRY_AFTER_SECS),
    };
    match run(&state, visitor, &request).await {
        Ok(response) => json_response(&response),
        Err(response) => response,
    }
}

fn unavailable(err: StoreError) -> Response {
    error_response(
        StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::StoreUnavailable,
        err.to_string(),
    )
}

async fn run(
    state: &AppState,
    visitor: VisitorId,
    request: &BulkRequest,
) -> Result<BulkResponse, Response> {
    let started = Instant::now();
    let sessions = &state.sessions;
    let refresh = &state.jwt.refresh;
    let your_session_rows = || async {
        sessions
            .list_owned(&visitor, 0)
            .await
            .map(|(_, yours)| yours)
            .map_err(unavailable)
    };
    let your_refresh_rows = || async {
        refresh
            .list_owned(&visitor, 0)
            .await
            .map(|(_, yours)| yours)
            .map_err(unavailable)
    };
    let your_session_rows_before = your_session_rows().await?;
    let your_refresh_rows_before = your_refresh_rows().await?;
    let resident_bytes_before = resident_bytes();
    let mut token_bytes_total = 0;
    let mut created = Vec::new();
    let outcome = match request.kind {
        BulkKind::Sessions => create_sessions(state, visitor, request.count, &mut created).await,
        BulkKind::Tokens => sign_tokens(state, request.count)
            .await
            .map(|bytes| token_bytes_total = bytes),
    };
    // The measurement, with the batch held.
    let held = async {
        outcome?;
        Ok::<_, Response>((
            your_session_rows().await?,
            your_refresh_rows().await?,
            sessions.count().await.map_err(unavailable)?,
            resident_bytes(),
        ))
    }
    .await;
    // Whatever happened, the batch goes: nothing of it outlives the request.
    remove_sessions(state, &created).await;
    drop(created);
    give_memory_back();
    let (your_session_rows_held, your_refresh_rows_held, server_session_rows_held, resident_held) =
        held?;
    Ok(BulkResponse {
        kind: request.kind,
        created: request.count,
        backend: sessions.backend().to_owned(),
        your_session_rows_before,
        your_session_rows_held,
        your_session_rows_after: your_session_rows().await?,
        your_refresh_rows_before,
        your_refresh_rows_held,
        server_session_rows_held,
        resident_bytes_before,
        resident_bytes_held: resident_held,
        resident_bytes_after: resident_bytes(),
        token_bytes_total,
        elapsed_ms: started.elapsed().as_millis() as u64,
    })
}

/// `count` sessions of `visitor`, a chunk at a time with a yield in between, their ids pushed
/// to `created` as they are saved (so a failure half-way still cleans up).
async fn create_sessions(
    state: &AppState,
    visitor: VisitorId,
    count: usize,
    created: &mut Vec<SessionId>,
) -> Result<(), Response> {
    let store = &state.sessions;
    let now = state.clock.now_ms();
    created.reserve(count);
    for size in chunk_sizes(count) {
        for _ in 0..size {
            let record =
                SessionRecord::new(visitor, "alice", now, state.session_deadline(now, now));
            store.save(&record).await.map_err(unavailable)?;
            created.push(record.id);
            state.bulk_runs.rows_held.fetch_add(1, Ordering::Relaxed);
        }
        tokio::task::yield_now().await;
    }
    Ok(())
}

/// Deletes the batch a chunk at a time. A store that fails here leaves the rest to expire.
async fn remove_sessions(state: &AppState, created: &[SessionId]) {
    'chunks: for chunk in created.chunks(CHUNK) {
        for id in chunk {
            if let Err(err) = state.sessions.delete(id).await {
                tracing::warn!(%err, "bulk sessions could not be removed; they will expire");
                break 'chunks;
            }
        }
        tokio::task::yield_now().await;
    }
    state
        .bulk_runs
        .rows_held
        .fetch_sub(created.len(), Ordering::Relaxed);
}

/// Signs `count` access tokens on the idle-priority threads (Ed25519 costs tens of µs each),
/// a chunk per job, and forgets them: the server keeps nothing. Returns their total bytes.
async fn sign_tokens(state: &AppState, count: usize) -> Result<usize, Response> {
    let alice = state.users.find("alice").ok_or_else(|| {
        error_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::InternalError,
            "the demo account is missing",
        )
    })?;
    let mut total = 0;
    for (chunk, size) in chunk_sizes(count).enumerate() {
        let jwt = Arc::clone(&state.jwt);
        let alice = alice.clone();
        let now = state.clock.now_secs();
        let signed = state
            .users
            .hashing
            .run(move || {
                let mut bytes = 0;
                for n in 0..size {
                    let claims = jwt.access_claims(&alice, now, format!("bulk-{chunk}-{n}"));
                    bytes += jwt.sign(ACCESS_TYP, &claims)?.len();
                }
                Ok::<_, crate::jwt::JwtError>(bytes)
            })
            .await;
        match signed {
            Some(Ok(bytes)) => total += bytes,
            Some(Err(err)) => return Err(err.into_response()),
            None => {
                return Err(error_response(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    ErrorCode::InternalError,
                    "signing a batch of tokens failed",
                ));
            }
        }
    }
    Ok(total)
}

/// Hands freed heap pages back to the operating system. glibc's allocator keeps what a big
/// batch freed for reuse, so resident memory would stay at its peak; `malloc_trim` returns it.
pub fn give_memory_back() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks the allocator's own free lists.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// This process's resident set size.
pub fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let resident_pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(resident_pages * 4096)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_the_count_exactly() {
        assert_eq!(chunk_sizes(1_200).collect::<Vec<_>>(), [500, 500, 200]);
        assert_eq!(chunk_sizes(500).collect::<Vec<_>>(), [500]);
        assert_eq!(chunk_sizes(0).count(), 0);
    }

    #[test]
    fn one_run_per_visitor_and_a_ceiling_for_all() {
        let runs = Arc::new(BulkRuns::new(2));
        let (a, b, c) = (
            VisitorId::generate(),
            VisitorId::generate(),
            VisitorId::generate(),
        );
        let first = runs.enter(a).expect("a place");
        assert!(runs.enter(a).is_err(), "a's second run waits for the first");
        let second = runs.enter(b).expect("a place");
        assert!(runs.enter(c).is_err(), "two run at once, no more");
        drop(first);
        assert!(runs.enter(c).is_ok(), "a's place is free again");
        drop(second);
    }
}
