//! One lab node: the real session and JWT routes on a loopback port of its own, with its own
//! session store. Killing a node aborts its server task, as a crash would: its listener and
//! connections close and whatever it held only in memory is gone.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::Router;
use axum::extract::{ConnectInfo, DefaultBodyLimit, FromRef, FromRequest, Request};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::{Next, from_fn};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use super::replication::{Replica, apply};
use crate::http::error::ErrorCode;
use crate::http::error::{self, ApiJson, error_response};
use crate::http::serve::{ConnectionLimits, WithPeer, serve};
use crate::jwt::{self, JwtState};
use crate::session::{self, SessionCookie, SessionState};
use crate::storage::sessions::{MemoryStore, SessionStore};

use super::NodeTemplate;

/// The lab nodes' session cookie. Its name differs from the app's own so the two never
/// collide in one browser; traces shorten it as they do the app's own.
pub use app::api::LAB_SESSION_COOKIE;
/// The cluster's shared secret, sent by its balancer and its replicating nodes.
pub const LAB_SECRET_HEADER: &str = "x-authlens-lab-secret";
/// The client address the balancer saw (trusted only with the secret beside it).
pub const CLIENT_HEADER: &str = "x-authlens-client";

/// Open connections one node accepts.
const NODE_CONNECTIONS: usize = 128;

/// A running node. Dropping it (its cluster stopped, replaced, or dropped with a request whose
/// client hung up) aborts its server task, so no node outlives its cluster.
pub struct Node {
    pub port: u16,
    pub store: Arc<dyn SessionStore>,
    /// Requests the balancer sent here.
    pub requests: u64,
    task: Option<JoinHandle<()>>,
}

impl Node {
    /// Starts a node on `listener` serving the template's flows with `store` as its sessions;
    /// `replica_target` is where peers' replicated writes land, in replicated mode.
    pub async fn start(
        template: &NodeTemplate,
        listener: TcpListener,
        store: Arc<dyn SessionStore>,
        replica_target: Option<Arc<MemoryStore>>,
        secret: Arc<str>,
    ) -> std::io::Result<Node> {
        let port = listener.local_addr()?.port();
        // The main server's session flow with this node's store and cookie (and none of the
        // main store's bulk rows to leave out of its ceiling).
        let node_state = NodeState {
            sessions: Arc::new(SessionState {
                store: store.clone(),
                held_apart: Arc::default(),
                cookie: SessionCookie {
                    fixed_name: Some(LAB_SESSION_COOKIE),
                    ..template.sessions.cookie
                },
                ..SessionState::clone(&template.sessions)
            }),
            tokens: Arc::clone(&template.tokens),
        };
        // The main server's accept loop and timeouts: a node is a public listener too.
        let limits = ConnectionLimits {
            header_read_timeout: template.header_read_timeout,
            idle_timeout: template.idle_timeout,
            max_connections: NODE_CONNECTIONS,
            // Every request comes through the balancer, one address; the node's whole
            // ceiling is its share.
            max_connections_per_client: NODE_CONNECTIONS,
            trusted: Arc::default(),
        };
        let body_limit = template.body_limit;
        let router = WithPeer::new(router(node_state, body_limit, replica_target, secret));
        let task = tokio::spawn(serve(listener, router, limits, std::future::pending()));
        Ok(Node {
            port,
            store,
            requests: 0,
            task: Some(task),
        })
    }

    pub fn is_up(&self) -> bool {
        self.task.is_some()
    }

    /// Stops the node at once, like a crash; returns when its port is closed.
    pub async fn kill(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
            let _ = task.await;
        }
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// A node's state: the two flows' own.
#[derive(Clone)]
struct NodeState {
    sessions: Arc<SessionState>,
    tokens: Arc<JwtState>,
}

impl FromRef<NodeState> for Arc<SessionState> {
    fn from_ref(state: &NodeState) -> Self {
        Arc::clone(&state.sessions)
    }
}

impl FromRef<NodeState> for Arc<JwtState> {
    fn from_ref(state: &NodeState) -> Self {
        Arc::clone(&state.tokens)
    }
}

fn router(
    state: NodeState,
    body_limit: usize,
    replica_target: Option<Arc<MemoryStore>>,
    secret: Arc<str>,
) -> Router {
    let (flows, _) = session::routes(&state.sessions)
        .merge(jwt::routes(&state.tokens))
        .split_for_parts();
    let mut router = Router::new().merge(flows);
    if let Some(local) = replica_target {
        // A rejoining peer's resync reads this node's whole copy.
        let snapshot_of = local.clone();
        let snapshot_secret = Arc::clone(&secret);
        router = router.route(
            "/internal/snapshot",
            get(move |headers: HeaderMap| {
                let local = snapshot_of.clone();
                let trusted = carries_secret(&headers, &snapshot_secret);
                async move {
                    if !trusted {
                        return error_response(
                            StatusCode::FORBIDDEN,
                            ErrorCode::Forbidden,
                            "Only the other nodes of this cluster may read its sessions.",
                        );
                    }
                    axum::Json(local.snapshot()).into_response()
                }
            }),
        );
        let secret = Arc::clone(&secret);
        router = router.route(
            "/internal/replicate",
            // The secret is checked before the body is read: a stranger learns nothing of
            // the message's shape.
            post(move |request: Request| {
                let local = local.clone();
                let secret = Arc::clone(&secret);
                async move {
                    if !carries_secret(request.headers(), &secret) {
                        return error_response(
                            StatusCode::FORBIDDEN,
                            ErrorCode::Forbidden,
                            "Only the other nodes of this cluster may replicate to it.",
                        );
                    }
                    match ApiJson::<Replica>::from_request(request, &()).await {
                        Ok(ApiJson(replica)) => receive(&local, replica).await,
                        Err(rejection) => rejection.into_response(),
                    }
                }
            }),
        );
    }
    router
        .fallback(error::api_not_found)
        .method_not_allowed_fallback(error::api_method_not_allowed)
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(axum::middleware::map_response(
            |response: Response| async move { error::log_fault(response) },
        ))
        .layer(from_fn(move |request, next| {
            let secret = Arc::clone(&secret);
            async move { client_from_balancer(&secret, request, next).await }
        }))
        .with_state(state)
}

/// Whether `headers` carry this cluster's secret (compared in constant time).
fn carries_secret(headers: &HeaderMap, secret: &str) -> bool {
    headers
        .get(LAB_SECRET_HEADER)
        .is_some_and(|sent| constant_time_eq(sent.as_bytes(), secret.as_bytes()))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

/// Every request reaches a node through the balancer, so the TCP peer is the balancer. When
/// the balancer vouches (with the secret) for the client's address, the node's login limit
/// keys on that address instead, as a real node behind a real balancer would.
async fn client_from_balancer(secret: &str, mut request: Request, next: Next) -> Response {
    if carries_secret(request.headers(), secret) {
        let client = request
            .headers()
            .get(CLIENT_HEADER)
            .and_then(|value| value.to_str().ok())
            .and_then(|text| text.parse::<IpAddr>().ok());
        if let Some(ip) = client {
            request
                .extensions_mut()
                .insert(ConnectInfo(SocketAddr::new(ip, 0)));
        }
    }
    next.run(request).await
}

async fn receive(local: &MemoryStore, replica: Replica) -> Response {
    match apply(local, replica).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(err) => error_response(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::StoreUnavailable,
            err.to_string(),
        ),
    }
}
