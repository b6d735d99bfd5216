//! One lab node: the real session and JWT routes on a loopback port of its own, with its own
//! session store. Killing a node aborts its server task, as a crash would: its listener and
//! connections close and whatever it held only in memory is gone.

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use super::stores::{Replica, apply};
use crate::error::{self, ApiJson, error_response};
use crate::store::{MemoryStore, SessionStore};
use crate::{AppState, jwt, session};

/// The lab nodes' session cookie. Its name differs from the app's own so the two never
/// collide in one browser; it still ends in `authlens_sid`, so traces shorten it the same way.
pub const LAB_SESSION_COOKIE: &str = "lab_authlens_sid";

pub struct Node {
    pub port: u16,
    pub store: Arc<dyn SessionStore>,
    /// Requests the balancer sent here.
    pub requests: u64,
    task: Option<JoinHandle<()>>,
}

impl Node {
    /// Starts a node on `port` (0: any free port) serving `state` with `store` as its sessions;
    /// `replica_target` is where peers' replicated writes land, in replicated mode.
    pub async fn start(
        state: &AppState,
        port: u16,
        store: Arc<dyn SessionStore>,
        replica_target: Option<Arc<MemoryStore>>,
    ) -> std::io::Result<Node> {
        let listener = TcpListener::bind(("127.0.0.1", port)).await?;
        let port = listener.local_addr()?.port();
        let node_state = state.with(|parts| {
            parts.sessions = store.clone();
            parts.session_cookie = LAB_SESSION_COOKIE;
        });
        let router = router(node_state, replica_target);
        let task = tokio::spawn(async move {
            if let Err(err) = axum::serve(listener, router).await {
                tracing::warn!(port, %err, "lab node stopped with an error");
            }
        });
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

fn router(state: AppState, replica_target: Option<Arc<MemoryStore>>) -> Router {
    let flows = Router::new()
        .merge(session::routes(&state))
        .merge(jwt::routes(&state));
    let mut router = Router::new().nest("/api", flows);
    if let Some(local) = replica_target {
        router = router.route(
            "/internal/replicate",
            post(move |ApiJson(replica): ApiJson<Replica>| {
                let local = local.clone();
                async move { receive(&local, replica).await }
            }),
        );
    }
    router
        .fallback(error::api_not_found)
        .method_not_allowed_fallback(error::api_method_not_allowed)
        .layer(DefaultBodyLimit::max(state.config.body_limit))
        .with_state(state)
}

async fn receive(local: &MemoryStore, replica: Replica) -> Response {
    match apply(local, replica).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(err) => error_response(
            StatusCode::SERVICE_UNAVAILABLE,
            "store_unavailable",
            err.to_string(),
        ),
    }
}
