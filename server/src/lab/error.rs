//! Everything the lab can answer besides success, mapped to a status in one place (as the
//! flows' `SessionError` and `JwtError` are).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use app::api::cluster::MAX_NODES;

use crate::http::error::{ErrorCode, busy, error_response};

/// What a full lab suggests waiting: clusters are reaped after minutes of idleness.
pub const BUSY_RETRY_AFTER_SECS: u64 = 60;

#[derive(Debug, thiserror::Error)]
pub enum LabError {
    #[error("nodes must be between 2 and {MAX_NODES}")]
    NodeCount,
    /// The server-wide ceilings, or the client address's share of them, say no (the why).
    #[error("{0}")]
    Busy(String),
    #[error("the lab could not start its nodes: {0}")]
    StartFailed(String),
    #[error("You have no lab cluster running: POST /api/lab/cluster starts one.")]
    NoCluster,
    #[error(
        "Your lab cluster ran on another authlens process, which this request no longer reaches: it stopped, or the balancer moved you. Set it up again: POST /api/lab/cluster starts a new one here."
    )]
    Gone,
    #[error("node must be a node number, not {0:?}")]
    NotANodeNumber(String),
    #[error("there is no node {0}")]
    NoSuchNode(usize),
    #[error("`{0}` is not an action here: use kill or revive (nodes: also cut or heal)")]
    UnknownAction(String),
    /// Cut or heal on a cluster that does not replicate (the why).
    #[error("{0}")]
    NotReplicating(String),
    #[error("node {node} could not restart: {why}")]
    RestartFailed { node: usize, why: String },
    #[error(
        "The central store is a real Redis: stop and start that redis-server itself (e.g. `redis-cli shutdown nosave`) to watch the nodes lose it."
    )]
    CentralIsRedis,
    #[error("The cluster is not in central mode.")]
    NoCentralStore,
    #[error("The balancer forwards /lb/api/… only.")]
    NotForwarded,
    #[error("not a valid path")]
    BadPath,
    #[error("Every node is down: the balancer has nowhere to send the request.")]
    NoNodeUp,
    #[error("node {node} did not answer: {why}")]
    NodeFailed { node: usize, why: String },
    #[error("node {0} took too long")]
    NodeTimeout(usize),
}

impl IntoResponse for LabError {
    fn into_response(self) -> Response {
        let (status, code) = match &self {
            LabError::Busy(_) => {
                return busy(ErrorCode::LabBusy, self.to_string(), BUSY_RETRY_AFTER_SECS);
            }
            LabError::NodeCount | LabError::NotANodeNumber(_) | LabError::BadPath => {
                (StatusCode::BAD_REQUEST, ErrorCode::BadRequest)
            }
            LabError::NotReplicating(_) => (StatusCode::CONFLICT, ErrorCode::BadRequest),
            LabError::StartFailed(_) | LabError::RestartFailed { .. } => {
                (StatusCode::SERVICE_UNAVAILABLE, ErrorCode::LabUnavailable)
            }
            LabError::NoCluster => (StatusCode::NOT_FOUND, ErrorCode::NoCluster),
            LabError::Gone => (StatusCode::GONE, ErrorCode::LabGone),
            LabError::NoSuchNode(_) => (StatusCode::NOT_FOUND, ErrorCode::NoSuchNode),
            LabError::UnknownAction(_) => (StatusCode::NOT_FOUND, ErrorCode::UnknownAction),
            LabError::CentralIsRedis => (StatusCode::CONFLICT, ErrorCode::CentralIsRedis),
            LabError::NoCentralStore => (StatusCode::CONFLICT, ErrorCode::NoCentralStore),
            LabError::NotForwarded => (StatusCode::NOT_FOUND, ErrorCode::NotFound),
            LabError::NoNodeUp => (StatusCode::SERVICE_UNAVAILABLE, ErrorCode::NoNodeUp),
            LabError::NodeFailed { .. } => (StatusCode::BAD_GATEWAY, ErrorCode::BadGateway),
            LabError::NodeTimeout(_) => (StatusCode::GATEWAY_TIMEOUT, ErrorCode::GatewayTimeout),
        };
        error_response(status, code, self.to_string())
    }
}
