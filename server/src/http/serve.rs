//! The accept loop: hyper's HTTP/1 server with the limits a public server needs, which
//! `axum::serve` does not offer. A connection that sends nothing is closed after the idle
//! timeout, one that trickles a request head is closed when the head has not arrived within
//! the header-read timeout, and past a ceiling of open connections (server-wide, and per
//! client address) a new connection is answered `503` + `Retry-After` and closed at once, so
//! one host cannot take every file descriptor from everyone else.

use std::cell::RefCell;
use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::response::Response;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc, oneshot, watch};
use tokio::time::Instant;
use tower::Service;

use crate::http::client::TrustedProxies;
use crate::http::per_client::{Held, PerAddress};

/// How long connections are given, and how many may be open.
#[derive(Clone, Debug)]
pub struct ConnectionLimits {
    /// A request head must arrive within this of its first byte.
    pub header_read_timeout: Duration,
    /// A connection with no request going on and no byte either way for this long is closed.
    pub idle_timeout: Duration,
    /// Open connections, server-wide.
    pub max_connections: usize,
    /// Open connections from one address (a trusted proxy is exempt: every client comes through it).
    pub max_connections_per_client: usize,
    pub trusted: Arc<TrustedProxies>,
}

/// Refusals being written at once; past it a refused connection is just closed.
const REFUSALS_AT_ONCE: usize = 64;
/// Longest a refusal may take to write.
const REFUSAL_WRITE: Duration = Duration::from_secs(1);
/// How long in-flight requests may finish after the shutdown signal.
const DRAIN: Duration = Duration::from_secs(10);

/// Seconds a refused connection is told to wait.
const REFUSAL_RETRY_AFTER: u64 = 5;

/// What a connection past a ceiling reads before it is closed: the API's error body.
fn refusal() -> &'static [u8] {
    static REFUSAL: OnceLock<Vec<u8>> = OnceLock::new();
    REFUSAL.get_or_init(|| {
        let body = serde_json::to_string(&app::api::ErrorBody {
            error: app::api::ErrorCode::ServerBusy,
            message: format!("Too many open connections. Try again in {REFUSAL_RETRY_AFTER} s."),
        })
        .unwrap_or_default();
        format!(
            "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n\
             retry-after: {REFUSAL_RETRY_AFTER}\r\ncache-control: no-store\r\n\
             connection: close\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        )
        .into_bytes()
    })
}

/// What [`serve`] can serve: the app ([`crate::http::edge::Server`]) or a plain router. Both are
/// always ready, so a connection calls its copy directly for each request.
pub trait Served:
    Service<Request, Response = Response, Error = Infallible, Future: Send + 'static>
    + Clone
    + Send
    + 'static
{
    /// The service for one connection from `peer`.
    fn for_peer(&self, peer: SocketAddr) -> Self;
}

impl Served for crate::http::edge::Server {
    fn for_peer(&self, peer: SocketAddr) -> Self {
        crate::http::edge::Server::for_peer(self, peer)
    }
}

/// A plain router (the attacker site) is not told the peer: it has no use for it.
impl Served for axum::Router {
    fn for_peer(&self, _: SocketAddr) -> Self {
        self.clone()
    }
}

/// A plain router told each connection's peer as a `ConnectInfo` extension, as
/// `axum::serve` does (the lab nodes: their login limit keys on the peer).
#[derive(Clone)]
pub struct WithPeer {
    router: axum::Router,
    peer: Option<SocketAddr>,
}

impl WithPeer {
    pub fn new(router: axum::Router) -> Self {
        WithPeer { router, peer: None }
    }
}

impl Service<Request> for WithPeer {
    type Response = Response;
    type Error = Infallible;
    type Future = axum::routing::future::RouteFuture<Infallible>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, mut request: Request) -> Self::Future {
        if let Some(peer) = self.peer {
            request
                .extensions_mut()
                .insert(axum::extract::ConnectInfo(peer));
        }
        self.router.call(request)
    }
}

impl Served for WithPeer {
    fn for_peer(&self, peer: SocketAddr) -> Self {
        WithPeer {
            router: self.router.clone(),
            peer: Some(peer),
        }
    }
}

/// Serves `router` on `listener` until `shutdown` completes, then lets in-flight requests finish.
pub async fn serve<S: Served>(
    listener: TcpListener,
    router: S,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
) {
    let limits = Arc::new(limits);
    let open = Arc::new(Semaphore::new(limits.max_connections));
    let per_client = Arc::new(PerAddress::default());
    let refusals = Arc::new(Semaphore::new(REFUSALS_AT_ONCE));
    let (stop, stopping) = watch::channel(false);
    // Every connection task holds a sender; when all are gone, every connection has ended.
    let (alive, mut all_ended) = mpsc::channel::<()>(1);
    let mut accept_errors = AcceptErrors::default();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    accept_errors.wait_after(err).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Some(slot) = admit(&open, &per_client, &limits, peer.ip()) else {
            refuse(stream, &refusals);
            continue;
        };
        let connection = Connection {
            stream,
            peer,
            router: router.clone(),
            limits: limits.clone(),
            stopping: stopping.clone(),
        };
        let alive = alive.clone();
        tokio::spawn(async move {
            connection.run().await;
            drop(slot);
            drop(alive);
        });
    }
    drop(listener);
    stop.send_replace(true);
    drop(alive);
    let _ = tokio::time::timeout(DRAIN, all_ended.recv()).await;
}

/// The slot a connection holds while open: its share of both ceilings.
struct Slot {
    _server_wide: OwnedSemaphorePermit,
    _client: Option<Held>,
}

fn admit(
    open: &Arc<Semaphore>,
    per_client: &Arc<PerAddress>,
    limits: &ConnectionLimits,
    ip: IpAddr,
) -> Option<Slot> {
    let server_wide = open.clone().try_acquire_owned().ok()?;
    let client = if limits.trusted.contains(ip) {
        None // every client comes through it; the edge counts them apart (their requests)
    } else {
        Some(per_client.hold(ip, limits.max_connections_per_client)?)
    };
    Some(Slot {
        _server_wide: server_wide,
        _client: client,
    })
}

/// Answers a connection past a ceiling with a 503 and closes it, without reading its request.
fn refuse(mut stream: TcpStream, refusals: &Arc<Semaphore>) {
    let Ok(permit) = refusals.clone().try_acquire_owned() else {
        return; // dropping the stream closes it
    };
    tokio::spawn(async move {
        let _ = tokio::time::timeout(REFUSAL_WRITE, async {
            stream.write_all(refusal()).await?;
            stream.shutdown().await
        })
        .await;
        drop(permit);
    });
}

/// Accept failures (most often: out of file descriptors) are logged once a second at most,
/// with a short pause so the loop does not spin while none is free.
#[derive(Default)]
struct AcceptErrors {
    last_logged: Option<Instant>,
    since: u64,
}

impl AcceptErrors {
    async fn wait_after(&mut self, err: io::Error) {
        self.since += 1;
        let now = Instant::now();
        if self
            .last_logged
            .is_none_or(|last| now - last >= Duration::from_secs(1))
        {
            tracing::warn!(error = %err, failures = self.since, "accepting a connection failed");
            self.last_logged = Some(now);
            self.since = 0;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

struct Connection<S> {
    stream: TcpStream,
    peer: SocketAddr,
    router: S,
    limits: Arc<ConnectionLimits>,
    stopping: watch::Receiver<bool>,
}

impl<S: Served> Connection<S> {
    async fn run(self) {
        let _ = self.stream.set_nodelay(true);
        let fd = std::os::fd::AsRawFd::as_raw_fd(&self.stream);
        let activity = Arc::new(Activity::new());
        let io = TokioIo::new(Watched {
            inner: self.stream,
            activity: activity.clone(),
        });
        // hyper calls its service through `&self`, a `Served` through `&mut self`: the
        // connection's own copy sits in a `RefCell`, borrowed only while a call starts (never
        // twice at once: hyper calls one request after another). No clone per request.
        let router = RefCell::new(self.router.for_peer(self.peer));
        let in_service = activity.clone();
        let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
            let busy = InFlight::enter(&in_service);
            // No poll_ready: both kinds of `Served` are always ready.
            let answer = router.borrow_mut().call(request.map(Body::new));
            async move {
                let response = answer.await;
                drop(busy);
                response
            }
        });
        // No hyper timer: the watchdog below keeps both timeouts, so a request costs no timer.
        let connection = hyper::server::conn::http1::Builder::new().serve_connection(io, service);
        // The timeouts and the shutdown signal are watched by a task of their own: polled
        // beside the connection, they would be polled again on every wake-up of every request.
        let (verdict, ended) = oneshot::channel::<End>();
        let mut stopping = self.stopping;
        let limits = self.limits;
        let watchdog = tokio::spawn(async move {
            let end = tokio::select! {
                () = activity.expired(&limits) => End::Expired,
                _ = stopping.wait_for(|stop| *stop) => End::Drain,
            };
            let _ = verdict.send(end);
        });
        tokio::pin!(connection);
        let end = tokio::select! {
            biased; // the connection is what wakes; the verdict is rare
            _ = connection.as_mut() => None,
            end = ended => end.ok(),
        };
        watchdog.abort();
        if end == Some(End::Drain) {
            connection.as_mut().graceful_shutdown();
            let _ = tokio::time::timeout(DRAIN, connection).await;
        }
        if end == Some(End::Expired) {
            // What the kernel still queues for a slow reader would trickle out after the
            // close: a reset drops it, and the client learns at once.
            reset_on_close(fd);
        }
        // Otherwise the connection has ended, or expired: dropping it closes the socket.
    }
}

/// Makes closing socket `fd` send a reset and drop its unsent bytes (`SO_LINGER` 0). Called
/// while the connection that owns the socket is still alive, so `fd` is its own.
fn reset_on_close(fd: std::os::fd::RawFd) {
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: `fd` is an open socket owned by the caller's connection; `linger` outlives the
    // call and its size is passed.
    unsafe {
        libc::setsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&raw const linger).cast(),
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        );
    }
}

/// Why the watchdog ends a connection.
#[derive(Debug, PartialEq, Eq)]
enum End {
    /// Idle, or a head trickling, past its timeout: closed at once.
    Expired,
    /// The server is shutting down: in-flight requests finish first.
    Drain,
}

/// What a connection has been doing, for its timeouts. Moving bytes only bumps counters (no
/// clock read, no timer, no wake-up per request); the watchdog looks at them a few times per
/// timeout and reads the clock itself.
struct Activity {
    /// Bumped by every read, write and answered request.
    progress: AtomicU64,
    /// Request heads begun; with `reading_head`, tells the watchdog whether the head it saw
    /// being read last time is still the same one.
    heads: AtomicU64,
    reading_head: AtomicBool,
    in_flight: AtomicUsize,
    /// Bytes written, and whether the last write waited on the client (its window full):
    /// together they show a client that reads its answer too slowly.
    written: AtomicU64,
    write_blocked: AtomicBool,
}

/// The slowest a client may read an answer the server is waiting to write, in bytes per
/// second over an idle timeout: slower, and the connection is closed like an idle one.
const SLOWEST_READ_PER_SEC: u64 = 1024;

impl Activity {
    fn new() -> Self {
        Activity {
            progress: AtomicU64::new(0),
            heads: AtomicU64::new(0),
            reading_head: AtomicBool::new(false),
            in_flight: AtomicUsize::new(0),
            written: AtomicU64::new(0),
            write_blocked: AtomicBool::new(false),
        }
    }

    // Only the connection's own task reads and writes; the watchdog only loads.
    fn read_bytes(&self) {
        self.progress.fetch_add(1, Ordering::Relaxed);
        if self.in_flight.load(Ordering::Relaxed) == 0 && !self.reading_head.load(Ordering::Relaxed)
        {
            self.heads.fetch_add(1, Ordering::Relaxed);
            self.reading_head.store(true, Ordering::Relaxed);
        }
    }

    fn wrote_bytes(&self, n: usize) {
        self.progress.fetch_add(1, Ordering::Relaxed);
        self.written.fetch_add(n as u64, Ordering::Relaxed);
        self.write_blocked.store(false, Ordering::Relaxed);
    }

    fn write_waits(&self) {
        self.write_blocked.store(true, Ordering::Relaxed);
    }

    /// Completes when the connection has moved no byte and had no request going on for the
    /// idle timeout, has been reading one head for the header-read timeout, or has waited on
    /// its client to read an answer at under [`SLOWEST_READ_PER_SEC`] for the idle timeout
    /// (a slow reader holds its connection and its answer's memory as an idle one would). Each is
    /// noticed on the first look after it (a fifth of the shorter timeout apart), so a
    /// connection is never closed early and at most two looks late.
    async fn expired(&self, limits: &ConnectionLimits) {
        let look_every =
            (limits.header_read_timeout.min(limits.idle_timeout) / 5).max(Duration::from_millis(1));
        let mut looks = tokio::time::interval(look_every);
        looks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut seen_progress = self.progress.load(Ordering::Relaxed);
        let mut quiet_since = Instant::now();
        // The head being read when last looked (its number), and since when it was seen.
        let mut head: Option<(u64, Instant)> = None;
        // Since when writes have waited on the client, and the bytes written by then.
        let mut slow_since: Option<(Instant, u64)> = None;
        loop {
            looks.tick().await;
            let now = Instant::now();
            let written = self.written.load(Ordering::Relaxed);
            if !self.write_blocked.load(Ordering::Relaxed) {
                slow_since = None;
            } else {
                match slow_since {
                    None => slow_since = Some((now, written)),
                    Some((since, before)) if now - since >= limits.idle_timeout => {
                        let floor = SLOWEST_READ_PER_SEC * (now - since).as_secs().max(1);
                        if written - before < floor {
                            return;
                        }
                        slow_since = Some((now, written));
                    }
                    Some(_) => {}
                }
            }
            let progress = self.progress.load(Ordering::Relaxed);
            if progress != seen_progress {
                seen_progress = progress;
                quiet_since = now;
            }
            if self.in_flight.load(Ordering::Relaxed) > 0 {
                head = None;
            } else if self.reading_head.load(Ordering::Relaxed) {
                let current = self.heads.load(Ordering::Relaxed);
                match head {
                    Some((number, since)) if number == current => {
                        if now - since >= limits.header_read_timeout {
                            return;
                        }
                    }
                    _ => head = Some((current, now)),
                }
            } else {
                head = None;
                if now - quiet_since >= limits.idle_timeout {
                    return;
                }
            }
        }
    }
}

/// A request being answered: its head is complete, and the connection is not idle.
struct InFlight(Arc<Activity>);

impl InFlight {
    fn enter(activity: &Arc<Activity>) -> Self {
        activity.in_flight.fetch_add(1, Ordering::Relaxed);
        activity.reading_head.store(false, Ordering::Relaxed);
        InFlight(activity.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.progress.fetch_add(1, Ordering::Relaxed);
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

/// The socket, noting when bytes move.
struct Watched {
    inner: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let result = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(result, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.activity.read_bytes();
        }
        result
    }
}

impl Watched {
    fn note_write(&self, result: &Poll<io::Result<usize>>) {
        match result {
            Poll::Ready(Ok(n)) if *n > 0 => self.activity.wrote_bytes(*n),
            Poll::Pending => self.activity.write_waits(),
            _ => {}
        }
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let result = Pin::new(&mut self.inner).poll_write(cx, buf);
        self.note_write(&result);
        result
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let result = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        self.note_write(&result);
        result
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Raises this process's open-file limit to its hard limit and answers how many connections
/// fit under it, leaving room for files, Redis and the lab's listeners.
pub fn connections_that_fit(wanted: usize) -> usize {
    const RESERVED: u64 = 512;
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit only read and write the struct passed to them.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return wanted;
        }
        if limit.rlim_cur < limit.rlim_max {
            let raised = libc::rlimit {
                rlim_cur: limit.rlim_max,
                rlim_max: limit.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                limit.rlim_cur = limit.rlim_max;
            }
        }
    }
    let room = limit.rlim_cur.saturating_sub(RESERVED).max(16);
    wanted.min(usize::try_from(room).unwrap_or(usize::MAX))
}
