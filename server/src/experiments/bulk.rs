//! Claim 10, measured on this very process: create N sessions or issue N access tokens and
//! report what the server holds before, while the batch is held, and after it is removed
//! (the visitor's store rows, resident memory). The rows are the visitor's own and are deleted
//! as soon as the measurement is taken; each visitor runs one batch at a time and only a few
//! run at once server-wide, so no visitor can use the button to exhaust the server.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{FromRef, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::client::Client;
use crate::http::error::ErrorCode;
use crate::http::error::{ApiJson, busy, error_response, json_response};
use crate::http::per_client::share;
use crate::http::visitor::Visitor;
use crate::jwt::{ACCESS_TYP, JwtState};
use crate::session::{HeldApart, SessionState};
use crate::storage::sessions::{SessionId, SessionRecord, StoreError, VisitorId};
use crate::sync::lock;
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

pub fn routes<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Arc<BulkState>: FromRef<S>,
{
    OpenApiRouter::new().routes(routes!(bulk))
}

/// What experiment 10 uses: its runs, and the two flows' stores and signer it fills.
pub struct BulkState {
    pub runs: Arc<BulkRuns>,
    pub sessions: Arc<SessionState>,
    pub tokens: Arc<JwtState>,
}

/// The bulk runs going on now: one per visitor, `max` in all. Their rows are bounded apart
/// from the visitors' logins (at most `max` × [`MAX_BULK`], and only for the length of a run),
/// so a bulk run never makes a login meet the `--max-sessions` ceiling.
pub struct BulkRuns {
    /// Each run's visitor and the client address that started it.
    running: Mutex<HashMap<VisitorId, IpAddr>>,
    max: usize,
    /// Session rows that bulk runs hold right now: the session flow's ceiling leaves them out.
    pub rows_held: Arc<HeldApart>,
}

impl BulkRuns {
    pub fn new(max: usize, rows_held: Arc<HeldApart>) -> Self {
        BulkRuns {
            running: Mutex::default(),
            max,
            rows_held,
        }
    }

    /// A place for `visitor`'s run from `address`, held until the guard is dropped; or why
    /// there is none. One address may hold half the places (at least one).
    fn enter(
        self: &Arc<Self>,
        visitor: VisitorId,
        address: IpAddr,
    ) -> Result<RunGuard, &'static str> {
        let mut running = lock(&self.running);
        if running.contains_key(&visitor) {
            return Err("Your previous bulk run is still going; wait for its result.");
        }
        let from_address = running.values().filter(|held| **held == address).count();
        if from_address >= share(self.max, 2) {
            return Err(
                "Other bulk runs from your address are using its share of the server; try again in a few seconds.",
            );
        }
        if running.len() >= self.max {
            return Err(
                "Other visitors' bulk runs are using the server; try again in a few seconds.",
            );
        }
        running.insert(visitor, address);
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
        crate::http::error::BodyRejections,
    ))]
pub(crate) async fn bulk(
    State(state): State<Arc<BulkState>>,
    Visitor(visitor): Visitor,
    client: Client,
    ApiJson(request): ApiJson<BulkRequest>,
) -> Response {
    if request.count == 0 || request.count > MAX_BULK {
        return error_response(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadRequest,
            format!("count must be between 1 and {MAX_BULK}"),
        );
    }
    let place = match state.runs.enter(visitor, client.ip) {
        Ok(place) => place,
        Err(why) => return busy(ErrorCode::ServerBusy, why, BUSY_RETRY_AFTER_SECS),
    };
    match run(&state, visitor, &request, place).await {
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
    state: &Arc<BulkState>,
    visitor: VisitorId,
    request: &BulkRequest,
    place: RunGuard,
) -> Result<BulkResponse, Response> {
    let started = Instant::now();
    let sessions = &state.sessions.store;
    let refresh = &state.tokens.service.refresh;
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
    let mut batch = Batch::new(state, place);
    let outcome = match request.kind {
        BulkKind::Sessions => batch.create(visitor, request.count).await,
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
    batch.remove().await;
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

/// The sessions one run made, owned so that nothing of them outlives the request: the
/// handler removes them after the measurement, and if the request is dropped first (its
/// client hung up) `Drop` hands what is left to a task that removes it. The run's place is
/// held until the last row is gone, so a hang-up cannot start more runs than the ceiling.
struct Batch {
    state: Arc<BulkState>,
    ids: Vec<SessionId>,
    place: Option<RunGuard>,
}

impl Batch {
    fn new(state: &Arc<BulkState>, place: RunGuard) -> Self {
        Batch {
            state: Arc::clone(state),
            ids: Vec::new(),
            place: Some(place),
        }
    }

    /// `count` sessions of `visitor`, a chunk at a time with a yield in between. Each id is
    /// counted before its save starts, so a save cut off midway is removed too.
    async fn create(&mut self, visitor: VisitorId, count: usize) -> Result<(), Response> {
        let state = Arc::clone(&self.state);
        let sessions = &state.sessions;
        let now = sessions.clock.now_ms();
        self.ids.reserve(count);
        for size in chunk_sizes(count) {
            for _ in 0..size {
                let record = SessionRecord::new(visitor, "alice", now, sessions.deadline(now, now));
                self.ids.push(record.id);
                state.runs.rows_held.add(1);
                sessions.store.save(&record).await.map_err(unavailable)?;
            }
            tokio::task::yield_now().await;
        }
        Ok(())
    }

    /// Deletes the batch a chunk at a time, taking each chunk off the batch only once it is
    /// gone (a drop midway leaves the rest to `Drop`). A store that fails here leaves the
    /// rest to expire.
    async fn remove(&mut self) {
        while !self.ids.is_empty() {
            let from = self.ids.len().saturating_sub(CHUNK);
            for id in &self.ids[from..] {
                if let Err(err) = self.state.sessions.store.delete(id).await {
                    tracing::warn!(%err, "bulk sessions could not be removed; they will expire");
                    self.forget(self.ids.len());
                    return;
                }
            }
            self.forget(self.ids.len() - from);
            tokio::task::yield_now().await;
        }
    }

    /// Takes the last `n` ids off the batch and off the rows bulk runs hold.
    fn forget(&mut self, n: usize) {
        let keep = self.ids.len() - n;
        self.ids.truncate(keep);
        self.state.runs.rows_held.remove(n);
    }
}

impl Drop for Batch {
    fn drop(&mut self) {
        if self.ids.is_empty() {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let mut rest = Batch {
            state: Arc::clone(&self.state),
            ids: std::mem::take(&mut self.ids),
            place: self.place.take(),
        };
        runtime.spawn(async move {
            rest.remove().await;
            give_memory_back();
        });
    }
}

/// Signs `count` access tokens on the idle-priority threads (Ed25519 costs tens of µs each),
/// a chunk per job, and forgets them: the server keeps nothing. Returns their total bytes.
async fn sign_tokens(state: &BulkState, count: usize) -> Result<usize, Response> {
    let tokens = &state.tokens;
    let alice = tokens.users.find("alice").ok_or_else(|| {
        error_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::InternalError,
            "the demo account is missing",
        )
    })?;
    let mut total = 0;
    for (chunk, size) in chunk_sizes(count).enumerate() {
        let jwt = Arc::clone(&tokens.service);
        let alice = alice.clone();
        let now = jwt.clock.now_secs();
        let signed = tokens
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
        let runs = Arc::new(BulkRuns::new(2, Arc::default()));
        let (a, b, c) = (
            VisitorId::generate(),
            VisitorId::generate(),
            VisitorId::generate(),
        );
        let (here, there): (IpAddr, IpAddr) =
            ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        let first = runs.enter(a, here).expect("a place");
        assert!(
            runs.enter(a, here).is_err(),
            "a's second run waits for the first"
        );
        assert!(
            runs.enter(b, here).is_err(),
            "one address holds half the places"
        );
        let second = runs.enter(b, there).expect("a place");
        assert!(runs.enter(c, there).is_err(), "two run at once, no more");
        drop(first);
        assert!(runs.enter(c, here).is_ok(), "a's place is free again");
        drop(second);
    }
}
