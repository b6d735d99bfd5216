//! The scaling lab's JSON: what `GET /api/lab/cluster` answers and `POST` takes. The server
//! fills these in; the lab page reads them.

use serde::{Deserialize, Serialize};

pub const DEFAULT_NODES: usize = 3;
pub const MAX_NODES: usize = 8;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    RoundRobin,
    Sticky,
}

/// Where the lab's nodes keep sessions: each its own memory, replicated to the others, or one
/// central store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SessionPlacement {
    Local,
    Replicated,
    Central,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Settings {
    #[serde(default = "default_nodes")]
    pub nodes: usize,
    pub strategy: Strategy,
    pub storage: SessionPlacement,
    /// Replicated storage: a node that rejoins (healed from a partition, or revived) first
    /// copies a peer's sessions. Off, it keeps what it had and learns only new writes (claim 16).
    #[serde(default = "resync_by_default")]
    pub resync: bool,
}

fn default_nodes() -> usize {
    DEFAULT_NODES
}

fn resync_by_default() -> bool {
    true
}

/// One request the balancer forwarded.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Hop {
    pub seq: u64,
    /// 1-based node number; `None` when no node was up.
    pub node: Option<usize>,
    pub method: String,
    pub path: String,
    pub status: u16,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ClusterView {
    pub running: bool,
    /// Not running here because the visitor's cluster ran on another server process, which
    /// this request did not reach (behind a balancer: that process stopped). `settings` are
    /// then that cluster's, to set it up again.
    #[serde(default)]
    pub elsewhere: bool,
    pub settings: Option<Settings>,
    /// Where the balancer listens: paths under it go to the nodes.
    pub balancer: String,
    pub nodes: Vec<NodeView>,
    pub central: Option<CentralView>,
    pub replication: ReplicationView,
    pub hops: Vec<Hop>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NodeView {
    pub node: usize,
    pub port: u16,
    pub up: bool,
    pub requests: u64,
    /// The node's own sessions (`None` in central mode, where nodes keep none, or when down).
    pub sessions: Option<StoreView>,
    /// Cut off from replication (claim 16): it answers clients, but no write reaches it.
    #[serde(default)]
    pub cut_off: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CentralView {
    /// `redis`, or `stand-in` for the embedded stand-in.
    pub kind: String,
    pub up: bool,
    pub sessions: Option<StoreView>,
    pub error: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StoreView {
    pub count: usize,
    pub rows: Vec<RowView>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RowView {
    pub id: String,
    pub username: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReplicationView {
    pub messages: u64,
    pub bytes: u64,
    pub failed: u64,
    /// Whole copies handed to a node that rejoined.
    #[serde(default)]
    pub resyncs: u64,
}
