//! The accept loop over real sockets: idle and trickling connections are closed within their
//! timeouts, and past a ceiling new connections are refused at once with a 503 while other
//! clients are still served.

mod common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::oneshot;
use tokio::time::{Instant, timeout};

use server::http::client::TrustedProxies;
use server::http::serve::{ConnectionLimits, serve};

const HEADER_READ: Duration = Duration::from_millis(400);
const IDLE: Duration = Duration::from_millis(700);
/// Longest any step may take before the test gives up (a hang is a failure, not a wait).
const GIVE_UP: Duration = Duration::from_secs(10);

struct Running {
    addr: SocketAddr,
    _stop: oneshot::Sender<()>,
}

async fn running(max_connections: usize, max_connections_per_client: usize) -> Running {
    let app = common::start_default().await;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let limits = ConnectionLimits {
        header_read_timeout: HEADER_READ,
        idle_timeout: IDLE,
        max_connections,
        max_connections_per_client,
        trusted: Arc::new(TrustedProxies::default()),
    };
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(serve(listener, app.router, limits, async {
        let _ = stopped.await;
    }));
    Running { addr, _stop: stop }
}

/// A connection from `source` (another loopback address is another client).
async fn connect_from(source: &str, to: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(format!("{source}:0").parse().unwrap()).unwrap();
    socket.connect(to).await.unwrap()
}

/// Reads until the server closes the connection; answers what it sent.
async fn read_to_close(stream: &mut TcpStream) -> String {
    let mut received = Vec::new();
    timeout(GIVE_UP, async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => received.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await
    .expect("the server closed the connection");
    String::from_utf8_lossy(&received).into_owned()
}

/// One GET on a fresh connection, read to its end (`Connection: close`).
async fn get(source: &str, to: SocketAddr, path: &str) -> String {
    let mut stream = connect_from(source, to).await;
    let head = format!("GET {path} HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    read_to_close(&mut stream).await
}

#[tokio::test]
async fn a_connection_that_sends_nothing_is_closed_after_the_idle_timeout() {
    let server = running(64, 64).await;
    let mut silent = connect_from("127.0.0.1", server.addr).await;
    let opened = Instant::now();
    assert_eq!(
        read_to_close(&mut silent).await,
        "",
        "closed without a word"
    );
    let lived = opened.elapsed();
    assert!(
        lived >= IDLE,
        "closed after {lived:?}, before the idle timeout"
    );
    assert!(lived < IDLE * 4, "still open after {lived:?}");
}

#[tokio::test]
async fn a_kept_alive_connection_is_closed_once_idle_after_its_answer() {
    let server = running(64, 64).await;
    let mut stream = connect_from("127.0.0.1", server.addr).await;
    stream
        .write_all(b"GET /api/health HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n")
        .await
        .unwrap();
    let answered = Instant::now();
    let received = read_to_close(&mut stream).await;
    assert!(received.starts_with("HTTP/1.1 200"), "{received}");
    assert!(received.contains(r#"{"status":"ok"}"#));
    let lived = answered.elapsed();
    assert!(
        lived >= IDLE,
        "closed after {lived:?}, before the idle timeout"
    );
    assert!(lived < IDLE * 4, "still open {lived:?} after its answer");
}

#[tokio::test]
async fn a_connection_trickling_its_head_is_closed_by_the_header_timeout() {
    let server = running(64, 64).await;
    let mut trickler = connect_from("127.0.0.1", server.addr).await;
    trickler.write_all(b"GET / HTTP/1.1\r\n").await.unwrap();
    let started = Instant::now();
    // A byte every 100 ms: never idle, never a whole head.
    let closed_at = loop {
        let mut probe = [0u8; 64];
        let write = trickler.write_all(b"x").await;
        let read = timeout(Duration::from_millis(100), trickler.read(&mut probe)).await;
        if write.is_err() || matches!(read, Ok(Ok(0)) | Ok(Err(_))) {
            break started.elapsed();
        }
        assert!(
            started.elapsed() < GIVE_UP,
            "a trickled head was never cut off"
        );
    };
    assert!(closed_at >= HEADER_READ, "closed after {closed_at:?}");
    assert!(
        closed_at < IDLE + HEADER_READ,
        "closed only after {closed_at:?}: the header timeout did not count"
    );
}

#[tokio::test]
async fn past_the_per_client_ceiling_that_client_is_refused_and_others_are_served() {
    let server = running(64, 4).await;
    let mut held = Vec::new();
    for _ in 0..4 {
        held.push(connect_from("127.0.0.1", server.addr).await);
    }
    let asked = Instant::now();
    let refused = get("127.0.0.1", server.addr, "/api/health").await;
    assert!(refused.starts_with("HTTP/1.1 503"), "{refused}");
    assert!(
        refused.to_ascii_lowercase().contains("retry-after: 5"),
        "{refused}"
    );
    assert!(refused.contains(r#""error":"server_busy""#), "{refused}");
    assert!(
        asked.elapsed() < IDLE,
        "the refusal was not fast: {:?}",
        asked.elapsed()
    );
    let other = get("127.0.0.2", server.addr, "/api/health").await;
    assert!(other.starts_with("HTTP/1.1 200"), "another client: {other}");
    drop(held);
}

#[tokio::test]
async fn past_the_server_ceiling_new_connections_are_refused_until_one_closes() {
    let server = running(3, 64).await;
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(connect_from("127.0.0.1", server.addr).await);
    }
    let refused = get("127.0.0.2", server.addr, "/api/health").await;
    assert!(refused.starts_with("HTTP/1.1 503"), "{refused}");
    held.pop();
    // The freed slot is taken back once the server has seen the close.
    let deadline = Instant::now() + GIVE_UP;
    loop {
        let answer = get("127.0.0.2", server.addr, "/api/health").await;
        if answer.starts_with("HTTP/1.1 200") {
            break;
        }
        assert!(Instant::now() < deadline, "no slot came back: {answer}");
        tokio::task::yield_now().await;
    }
}
