//! The lab's load balancer, at `/lb/…` on the main server: it picks a node that is up
//! (round-robin, or sticky by its own affinity cookie), forwards the request to it over
//! real HTTP, and says in `X-Authlens-Node` which node answered.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;

use super::{CLIENT_HEADER, Cluster, LAB_SECRET_HEADER, Lab, LabError, Strategy, no_cluster};
use crate::http::visitor::Visitor;

/// The balancer's own cookie in sticky mode: which node this browser is pinned to.
pub use app::api::AFFINITY_COOKIE;
/// The response header naming the node (1-based) that served the request.
pub const NODE_HEADER: &str = "x-authlens-node";
/// Longest wait for a node's answer.
const FORWARD_TIMEOUT: Duration = Duration::from_secs(5);

impl Cluster {
    /// The node for this request and whether the browser must be (re)pinned to it.
    fn pick(&mut self, affinity: Option<usize>) -> Option<(usize, bool)> {
        let up: Vec<usize> = (0..self.nodes.len())
            .filter(|index| self.nodes[*index].is_up())
            .collect();
        if up.is_empty() {
            return None;
        }
        let sticky = self.settings.strategy == Strategy::Sticky;
        if sticky && let Some(index) = affinity.filter(|index| up.contains(index)) {
            return Some((index, false));
        }
        // Round-robin over the nodes that are up (a dead one fails its health check).
        let index = up[self.next % up.len()];
        self.next = self.next.wrapping_add(1);
        Some((index, sticky))
    }
}

/// The balancer in the OpenAPI document (its route is [`forward`], a wildcard).
#[utoipa::path(method(get, post, delete), path = "/lb/{rest}", tag = "lab",
    params(("rest" = String, Path, description = "The node's path: api/session/… or api/jwt/…, as the operations of those tags")),
    responses(
        (status = 200, description = "The node's answer (any status the node gives), with an x-authlens-node header naming the node"),
        (status = 404, body = app::api::ErrorBody, description = "not_found (a path not under /lb/api/) or no_cluster"),
        (status = 410, body = app::api::ErrorBody, description = "lab_gone: your cluster ran on another authlens process, which this request no longer reaches"),
        (status = 502, body = app::api::ErrorBody, description = "bad_gateway: the node did not answer"),
        (status = 503, body = app::api::ErrorBody, description = "no_node_up: every node is down"),
        (status = 504, body = app::api::ErrorBody, description = "gateway_timeout: the node took too long"),
    ))]
#[allow(dead_code)] // documentation only
pub(super) fn balancer_doc() {}

/// Forwards `/lb/api/…` to a node of the visitor's own cluster, telling the node (with the
/// cluster's secret, so nobody else can claim it) which client address the request came from.
pub async fn forward(
    State(lab): State<Arc<Lab>>,
    Visitor(visitor): Visitor,
    jar: CookieJar,
    request: Request,
) -> Response {
    let (mut parts, body) = request.into_parts();
    let target = parts
        .uri
        .path_and_query()
        .map(|pq| pq.as_str())
        .unwrap_or("/")
        .strip_prefix("/lb")
        .unwrap_or("/")
        .to_owned();
    let path = target.split('?').next().unwrap_or_default().to_owned();
    let method = parts.method.to_string();
    if !path.starts_with("/api/") {
        return LabError::NotForwarded.into_response();
    }
    let affinity = jar
        .get(AFFINITY_COOKIE)
        .and_then(|cookie| cookie.value().parse::<usize>().ok())
        .and_then(|node| node.checked_sub(1));

    let Some(shared) = lab.cluster_of(&visitor) else {
        return no_cluster(&lab, &visitor).await;
    };
    let picked = {
        let mut guard = shared.lock().await;
        let Some(cluster) = guard.as_mut() else {
            return no_cluster(&lab, &visitor).await;
        };
        match cluster.pick(affinity) {
            Some((index, pin)) => (
                index,
                cluster.nodes[index].port,
                pin,
                cluster.secret.clone(),
            ),
            None => {
                cluster.record(None, &method, &path, 503);
                return LabError::NoNodeUp.into_response();
            }
        }
    };
    let (index, port, pin, secret) = picked;

    parts.headers.remove(header::HOST);
    // Only the balancer may say who the client is: whatever a client sent as these is dropped.
    parts.headers.remove(CLIENT_HEADER);
    parts.headers.remove(LAB_SECRET_HEADER);
    let client = crate::http::client::of(&parts).ip;
    if !client.is_unspecified() {
        let address = HeaderValue::from_str(&client.to_string());
        if let (Ok(address), Ok(secret)) = (address, HeaderValue::from_str(&secret)) {
            parts.headers.insert(CLIENT_HEADER, address);
            parts.headers.insert(LAB_SECRET_HEADER, secret);
        }
    }
    let mut response = match format!("http://127.0.0.1:{port}{target}").parse() {
        Ok(uri) => {
            parts.uri = uri;
            let outbound = Request::from_parts(parts, body);
            match tokio::time::timeout(FORWARD_TIMEOUT, lab.client.request(outbound)).await {
                Ok(Ok(answer)) => answer.map(Body::new),
                Ok(Err(err)) => LabError::NodeFailed {
                    node: index + 1,
                    why: err.to_string(),
                }
                .into_response(),
                Err(_) => LabError::NodeTimeout(index + 1).into_response(),
            }
        }
        Err(_) => LabError::BadPath.into_response(),
    };

    let headers = response.headers_mut();
    headers.insert(NODE_HEADER, HeaderValue::from(index + 1));
    if pin {
        let cookie = format!(
            "{AFFINITY_COOKIE}={}; Path=/lb; HttpOnly; SameSite=Lax",
            index + 1
        );
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            headers.append(header::SET_COOKIE, value);
        }
    }
    if let Some(cluster) = shared.lock().await.as_mut() {
        cluster.record(Some(index), &method, &path, response.status().as_u16());
    }
    response
}
