//! The scaling lab (claims 11-14): N real nodes on loopback ports of their own, a load balancer
//! in front that forwards real HTTP to them (`/lb/…` on the main server), and the session
//! storage strategies of the textbook story, each nothing but another session store:
//! node-local memory, replication between nodes, and a central store (Redis, or a stand-in).

mod balancer;
mod error;
mod node;
mod replication;
mod whereabouts;

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use app::api::cluster::{
    CentralView, ClusterView, Hop, MAX_NODES, NodeView, ReplicationView, RowView, SessionPlacement,
    Settings, StoreView, Strategy,
};
use axum::Json;
use axum::body::Body;
use axum::extract::{FromRef, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use tokio::net::TcpListener;
use tokio::sync::{Mutex, OwnedMutexGuard};
use tokio::time::Instant;

pub use balancer::{AFFINITY_COOKIE, NODE_HEADER, forward};
use node::Node;
pub use node::{CLIENT_HEADER, LAB_SECRET_HEADER, LAB_SESSION_COOKIE};
use replication::{Partition, Replica, ReplicatedStore, ReplicationStats, StandInStore};

use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::error::ApiJson;
use crate::http::per_client::share;
use crate::http::visitor::{Visitor, VisitorId};
use crate::jwt::JwtState;
use crate::session::SessionState;
use crate::storage::redis::RedisLink;
use crate::storage::sessions::redis::RedisSessionStore;
use crate::storage::sessions::{MemoryStore, SessionStore};
use crate::sync::lock;
use app::api::ErrorBody;
pub use error::LabError;

pub type HttpClient = Client<HttpConnector, Body>;

/// Hops kept for the lab's request view.
const HOPS_KEPT: usize = 100;
/// Session rows of a stopped cluster's central Redis removed per listing.
const ROWS_REMOVED_AT_ONCE: usize = 1000;
/// Session rows listed per store in the lab's view.
const ROWS_LISTED: usize = 20;

/// The central store every node shares in `central` mode.
enum Central {
    Redis(Arc<dyn SessionStore>),
    StandIn(Arc<StandInStore>),
}

struct Cluster {
    visitor: VisitorId,
    settings: Settings,
    nodes: Vec<Node>,
    central: Option<Central>,
    replication: Arc<ReplicationStats>,
    /// Which nodes replication cannot reach (claim 16).
    partition: Arc<Partition>,
    /// Shared by this cluster's balancer and nodes only: replication and the forwarded client
    /// address are trusted with it, and nobody else on the machine knows it.
    secret: Arc<str>,
    next: usize,
    seq: u64,
    hops: VecDeque<Hop>,
}

/// One visitor's cluster. `None` while it starts (or when it failed to).
type SharedCluster = Arc<Mutex<Option<Cluster>>>;

/// A new cluster's place, locked until it has started. Dropped before [`Reservation::fill`]
/// (the start failed, or its client hung up midway) it gives the place back, so a cluster
/// that never started holds no share of the ceilings.
struct Reservation {
    lab: Arc<Lab>,
    visitor: VisitorId,
    guard: Option<OwnedMutexGuard<Option<Cluster>>>,
    /// The visitor's cluster this one replaces, to be stopped first.
    replaced: Option<SharedCluster>,
}

impl Reservation {
    fn fill(mut self, cluster: Cluster) {
        if let Some(mut guard) = self.guard.take() {
            *guard = Some(cluster);
        }
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        if let Some(guard) = self.guard.take() {
            let cluster = Arc::clone(OwnedMutexGuard::mutex(&guard));
            drop(guard);
            self.lab.release(&self.visitor, &cluster);
        }
    }
}

struct Slot {
    cluster: SharedCluster,
    /// Nodes the cluster runs, counted against the server-wide ceiling.
    nodes: usize,
    /// The client address that started it, for its share of the ceilings.
    address: IpAddr,
    used: Instant,
}

/// One client address may run a quarter of the clusters and half of the nodes (at least one
/// cluster of the biggest size).
const CLUSTER_SHARE_DIVISOR: usize = 4;
const NODE_SHARE_DIVISOR: usize = 2;

/// The lab, held by the app state: at most one cluster per visitor, a few in all.
pub struct Lab {
    slots: std::sync::Mutex<HashMap<VisitorId, Slot>>,
    client: HttpClient,
    max_clusters: usize,
    max_nodes: usize,
    /// With Redis: which process runs each visitor's cluster (several may share the Redis).
    whereabouts: Option<Arc<whereabouts::Whereabouts>>,
    template: NodeTemplate,
}

/// What the lab's nodes are made of: the main server's two flows (each node gives the session
/// flow a store and a cookie of its own), the main server's connection limits, and where a
/// central Redis is.
pub struct NodeTemplate {
    pub sessions: Arc<SessionState>,
    pub tokens: Arc<JwtState>,
    pub header_read_timeout: Duration,
    pub idle_timeout: Duration,
    pub body_limit: usize,
    pub redis_url: Option<String>,
    pub redis_prefix: String,
    pub redis_timeout: Duration,
}

impl Lab {
    /// A lab whose clusters are stopped once unused for `idle` (checked by a task on the
    /// current runtime, which ends with the lab). With `redis`, it records there which process
    /// runs each visitor's cluster.
    pub fn new(
        max_clusters: usize,
        max_nodes: usize,
        idle: Duration,
        redis: Option<Arc<RedisLink>>,
        template: NodeTemplate,
    ) -> Arc<Self> {
        let client = Client::builder(TokioExecutor::new())
            // No pooled connections: a killed node must not leave stale ones behind.
            .pool_max_idle_per_host(0)
            .build_http();
        let lab = Arc::new(Lab {
            slots: std::sync::Mutex::default(),
            client,
            max_clusters,
            max_nodes,
            whereabouts: redis.map(|link| Arc::new(whereabouts::Whereabouts::new(link, idle))),
            template,
        });
        spawn_reaper(Arc::downgrade(&lab), idle);
        lab
    }

    /// `visitor`'s cluster, marked as used now.
    fn cluster_of(&self, visitor: &VisitorId) -> Option<SharedCluster> {
        let mut slots = lock(&self.slots);
        let slot = slots.get_mut(visitor)?;
        slot.used = Instant::now();
        Some(Arc::clone(&slot.cluster))
    }

    /// Takes `visitor`'s place for a cluster of `nodes` nodes, locked for its start, with the
    /// cluster it replaces; or says why not when the server-wide ceilings, or `address`'s
    /// share of them, are reached.
    fn reserve(
        self: &Arc<Self>,
        visitor: VisitorId,
        address: IpAddr,
        nodes: usize,
    ) -> Result<Reservation, String> {
        let mut slots = lock(&self.slots);
        let others = slots.iter().filter(|(owner, _)| **owner != visitor);
        let (clusters, nodes_running) = others
            .clone()
            .fold((0, 0), |(clusters, running), (_, slot)| {
                (clusters + 1, running + slot.nodes)
            });
        let (own_clusters, own_nodes) = others
            .filter(|(_, slot)| slot.address == address)
            .fold((0, 0), |(clusters, running), (_, slot)| {
                (clusters + 1, running + slot.nodes)
            });
        let cluster_share = share(self.max_clusters, CLUSTER_SHARE_DIVISOR);
        // Never so small that one address cannot run one cluster of the biggest size.
        let node_share =
            share(self.max_nodes, NODE_SHARE_DIVISOR).max(MAX_NODES.min(self.max_nodes));
        if own_clusters >= cluster_share || own_nodes + nodes > node_share {
            return Err(format!(
                "Other visitors from your address run {own_clusters} lab clusters with {own_nodes} nodes; one address may run {cluster_share} clusters with {node_share} nodes on this server. An unused one stops after a few minutes."
            ));
        }
        if clusters >= self.max_clusters {
            return Err(format!(
                "{clusters} other visitors' lab clusters are running, as many as this server allows; an unused one stops after a few minutes."
            ));
        }
        if nodes_running + nodes > self.max_nodes {
            return Err(format!(
                "Other visitors' clusters run {nodes_running} of the {} lab nodes this server allows; try fewer nodes, or later.",
                self.max_nodes
            ));
        }
        let fresh: SharedCluster = Arc::default();
        let guard = Arc::clone(&fresh)
            .try_lock_owned()
            .expect("nobody else holds a new cluster's lock");
        let slot = Slot {
            cluster: fresh,
            nodes,
            address,
            used: Instant::now(),
        };
        let replaced = slots.insert(visitor, slot).map(|old| old.cluster);
        Ok(Reservation {
            lab: Arc::clone(self),
            visitor,
            guard: Some(guard),
            replaced,
        })
    }

    /// Forgets `visitor`'s slot if it still holds `cluster`.
    fn release(&self, visitor: &VisitorId, cluster: &SharedCluster) {
        let mut slots = lock(&self.slots);
        if slots
            .get(visitor)
            .is_some_and(|slot| Arc::ptr_eq(&slot.cluster, cluster))
        {
            slots.remove(visitor);
        }
    }

    /// Stops every cluster unused for `idle`; returns how many.
    pub async fn reap_idle(&self, idle: Duration) -> usize {
        let now = Instant::now();
        let idle_clusters: Vec<SharedCluster> = {
            let mut slots = lock(&self.slots);
            let idle_visitors: Vec<VisitorId> = slots
                .iter()
                .filter(|(_, slot)| now.duration_since(slot.used) >= idle)
                .map(|(visitor, _)| *visitor)
                .collect();
            idle_visitors
                .iter()
                .filter_map(|visitor| slots.remove(visitor))
                .map(|slot| slot.cluster)
                .collect()
        };
        let reaped = idle_clusters.len();
        for cluster in idle_clusters {
            stop_detached(cluster, self.forget()).await;
        }
        if let Some(whereabouts) = &self.whereabouts {
            let running: Vec<VisitorId> = lock(&self.slots).keys().copied().collect();
            whereabouts.still_here(&running).await;
        }
        reaped
    }

    /// Records that `visitor`'s cluster runs in this process (with Redis).
    async fn here(&self, visitor: &VisitorId, settings: Settings) {
        if let Some(whereabouts) = &self.whereabouts {
            whereabouts.here(visitor, settings).await;
        }
    }

    /// What a stop forgets with its cluster (with Redis): where it ran.
    fn forget(&self) -> Option<Arc<whereabouts::Whereabouts>> {
        self.whereabouts.clone()
    }

    /// The settings of `visitor`'s cluster if it ran on another process (with Redis).
    async fn elsewhere(&self, visitor: &VisitorId) -> Option<Settings> {
        self.whereabouts.as_ref()?.elsewhere(visitor).await
    }

    /// Clusters and nodes running now, over every visitor.
    pub fn running(&self) -> (usize, usize) {
        let slots = lock(&self.slots);
        (slots.len(), slots.values().map(|slot| slot.nodes).sum())
    }
}

/// Checks for idle clusters a few times per idle period.
fn spawn_reaper(lab: Weak<Lab>, idle: Duration) {
    let every = (idle / 4).clamp(Duration::from_millis(100), Duration::from_secs(30));
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            let Some(lab) = lab.upgrade() else { return };
            let reaped = lab.reap_idle(idle).await;
            if reaped > 0 {
                tracing::info!(reaped, "stopped idle lab clusters");
            }
        }
    });
}

/// Stops `cluster` on a task of its own and waits for it: a client that hangs up midway
/// cannot leave it half-stopped (its nodes still listening, its Redis rows still there).
/// With `forget`, the record of where it ran goes in the same task.
async fn stop_detached(cluster: SharedCluster, forget: Option<Arc<whereabouts::Whereabouts>>) {
    let stopping = tokio::spawn(async move {
        if let Some(mut old) = cluster.lock().await.take() {
            if let Some(whereabouts) = forget {
                whereabouts.gone(&old.visitor).await;
            }
            old.stop().await;
        }
    });
    let _ = stopping.await;
}

pub fn routes<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Arc<Lab>: FromRef<S>,
{
    // The balancer takes any method on any path below /lb, so axum routes it as a wildcard
    // and the document names it once, as `/lb/{rest}`.
    OpenApiRouter::with_openapi(BalancerDoc::openapi())
        .routes(routes!(view, start, stop))
        .routes(routes!(node_action))
        .routes(routes!(central_action))
        .route("/lb/{*rest}", axum::routing::any(forward))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(balancer::balancer_doc))]
struct BalancerDoc;

/// Starts the scaling lab: N nodes on loopback ports behind the balancer at `/lb/api/…`
/// (replacing any running cluster).
#[utoipa::path(post, path = "/api/lab/cluster", tag = "lab",
    request_body = Settings,
    responses(
        (status = 200, body = ClusterView, description = "The running cluster"),
        (status = 503, body = ErrorBody, description = "lab_unavailable: a node could not bind a port"),
        crate::http::error::BodyRejections,
    ))]
pub(crate) async fn start(
    State(lab): State<Arc<Lab>>,
    Visitor(visitor): Visitor,
    client: crate::http::client::Client,
    ApiJson(settings): ApiJson<Settings>,
) -> Response {
    if !(2..=MAX_NODES).contains(&settings.nodes) {
        return LabError::NodeCount.into_response();
    }
    let mut reservation = match lab.reserve(visitor, client.ip, settings.nodes) {
        Ok(reserved) => reserved,
        Err(why) => return LabError::Busy(why).into_response(),
    };
    if let Some(old) = reservation.replaced.take() {
        // Replaced by a new cluster of the same visitor here: the record stays (it is rewritten).
        stop_detached(old, None).await;
    }
    // Dropped midway, the half-started cluster's nodes abort (`Node`'s drop) and the
    // reservation gives its place back.
    match Cluster::start(&lab, visitor, settings).await {
        Ok(started) => {
            reservation.fill(started);
            lab.here(&visitor, settings).await;
        }
        Err(err) => {
            drop(reservation);
            return LabError::StartFailed(err.to_string()).into_response();
        }
    }
    view(State(lab), Visitor(visitor)).await
}

/// Stops every node and frees their ports.
#[utoipa::path(delete, path = "/api/lab/cluster", tag = "lab",
    responses((status = 204, description = "Your cluster runs no more")))]
pub(crate) async fn stop(State(lab): State<Arc<Lab>>, Visitor(visitor): Visitor) -> Response {
    if let Some(cluster) = lab.cluster_of(&visitor) {
        lab.release(&visitor, &cluster);
        stop_detached(cluster, lab.forget()).await;
    }
    StatusCode::NO_CONTENT.into_response()
}

/// Kills a node (its listener stops, its port closes) or revives it (same port, empty memory,
/// unless a replicating cluster resyncs it); cuts it off from replication or heals the cut.
#[utoipa::path(post, path = "/api/lab/cluster/nodes/{node}/{action}", tag = "lab",
    params(("node" = usize, Path, description = "1-based node number"),
           ("action" = String, Path, description = "kill, revive, cut (off from replication) or heal")),
    responses(
        (status = 200, body = ClusterView, description = "The cluster after the action"),
        (status = 400, body = ErrorBody, description = "bad_request: a node that is not a number"),
        (status = 404, body = ErrorBody, description = "no_cluster (you have none running), no_such_node, or unknown_action (not kill, revive, cut or heal)"),
        (status = 410, body = ErrorBody, description = "lab_gone: your cluster ran on another authlens process, which this request no longer reaches"),
        (status = 409, body = ErrorBody, description = "bad_request: cut or heal on a cluster that does not replicate"),
        (status = 503, body = ErrorBody, description = "lab_unavailable: the node could not rebind its port"),
    ))]
pub(crate) async fn node_action(
    State(lab): State<Arc<Lab>>,
    Visitor(visitor): Visitor,
    Path((node, action)): Path<(String, String)>,
) -> Response {
    let Ok(node) = node.parse::<usize>() else {
        return LabError::NotANodeNumber(node).into_response();
    };
    let Some(shared) = lab.cluster_of(&visitor) else {
        return no_cluster(&lab, &visitor).await;
    };
    let mut guard = shared.lock().await;
    let Some(cluster) = guard.as_mut() else {
        return no_cluster(&lab, &visitor).await;
    };
    let Some(index) = node.checked_sub(1).filter(|i| *i < cluster.nodes.len()) else {
        return LabError::NoSuchNode(node).into_response();
    };
    let result = match action.as_str() {
        "kill" => {
            cluster.nodes[index].kill().await;
            Ok(())
        }
        "revive" => cluster.revive(&lab, index).await,
        "cut" | "heal" => {
            if let Err(why) = cluster.partition(&lab, index, action == "cut").await {
                return LabError::NotReplicating(why).into_response();
            }
            Ok(())
        }
        _ => return LabError::UnknownAction(action).into_response(),
    };
    drop(guard);
    match result {
        Ok(()) => view(State(lab), Visitor(visitor)).await,
        Err(err) => LabError::RestartFailed {
            node,
            why: err.to_string(),
        }
        .into_response(),
    }
}

/// Takes the stand-in central store down or brings it back (a real Redis is stopped by hand).
#[utoipa::path(post, path = "/api/lab/cluster/central/{action}", tag = "lab",
    params(("action" = String, Path, description = "kill or revive")),
    responses(
        (status = 200, body = ClusterView, description = "The cluster after the action"),
        (status = 404, body = ErrorBody, description = "no_cluster (you have none running) or unknown_action (not kill or revive)"),
        (status = 410, body = ErrorBody, description = "lab_gone: your cluster ran on another authlens process, which this request no longer reaches"),
        (status = 409, body = ErrorBody, description = "central_is_redis or no_central_store"),
    ))]
pub(crate) async fn central_action(
    State(lab): State<Arc<Lab>>,
    Visitor(visitor): Visitor,
    Path(action): Path<String>,
) -> Response {
    let Some(shared) = lab.cluster_of(&visitor) else {
        return no_cluster(&lab, &visitor).await;
    };
    let mut guard = shared.lock().await;
    let Some(cluster) = guard.as_mut() else {
        return no_cluster(&lab, &visitor).await;
    };
    let up = match action.as_str() {
        "kill" => false,
        "revive" => true,
        _ => return LabError::UnknownAction(action).into_response(),
    };
    match &cluster.central {
        Some(Central::StandIn(store)) => store.up.store(up, Ordering::Relaxed),
        Some(Central::Redis(_)) => return LabError::CentralIsRedis.into_response(),
        None => return LabError::NoCentralStore.into_response(),
    }
    drop(guard);
    view(State(lab), Visitor(visitor)).await
}

/// The answer when `visitor` has no cluster in this process: it ran on another one, which
/// this request did not reach (410 lab_gone), or there is none (404 no_cluster).
async fn no_cluster(lab: &Arc<Lab>, visitor: &VisitorId) -> Response {
    if lab.elsewhere(visitor).await.is_some() {
        return LabError::Gone.into_response();
    }
    LabError::NoCluster.into_response()
}

impl Cluster {
    async fn start(
        lab: &Arc<Lab>,
        visitor: VisitorId,
        settings: Settings,
    ) -> anyhow::Result<Cluster> {
        let central = match settings.storage {
            SessionPlacement::Central => Some(match &lab.template.redis_url {
                Some(url) => {
                    // Each visitor's cluster keeps its sessions under a key prefix of its own.
                    let prefix = format!("{}lab:{visitor}:", lab.template.redis_prefix);
                    let link = RedisLink::new(url, &prefix, lab.template.redis_timeout)?;
                    Central::Redis(RedisSessionStore::new(
                        Arc::new(link),
                        lab.template.sessions.clock.clone(),
                    ))
                }
                None => Central::StandIn(Arc::new(StandInStore {
                    inner: MemoryStore::new(lab.template.sessions.clock.clone()),
                    up: AtomicBool::new(true),
                })),
            }),
            _ => None,
        };
        let mut cluster = Cluster {
            visitor,
            settings,
            nodes: Vec::with_capacity(settings.nodes),
            central,
            replication: Arc::new(ReplicationStats::default()),
            partition: Partition::new(settings.nodes),
            // 256 random bits: the cluster's shared secret.
            secret: crate::random::token::<32>().into(),
            next: 0,
            seq: 0,
            hops: VecDeque::new(),
        };
        // Bind every port first: replicating nodes need to know their peers' ports. Each
        // listener stays bound until its node serves it, so no other socket takes its port
        // in between.
        let mut listeners = Vec::with_capacity(settings.nodes);
        for _ in 0..settings.nodes {
            listeners.push(TcpListener::bind(("127.0.0.1", 0)).await?);
        }
        let ports = listeners
            .iter()
            .map(|listener| listener.local_addr().map(|address| address.port()))
            .collect::<std::io::Result<Vec<u16>>>()?;
        for (index, listener) in listeners.into_iter().enumerate() {
            let node = cluster.start_node(lab, index, &ports, listener).await?;
            cluster.nodes.push(node);
        }
        Ok(cluster)
    }

    /// Starts node `index` on `listener` (bound to `ports[index]`) with a store for the
    /// cluster's storage mode.
    async fn start_node(
        &self,
        lab: &Arc<Lab>,
        index: usize,
        ports: &[u16],
        listener: TcpListener,
    ) -> std::io::Result<Node> {
        let clock = lab.template.sessions.clock.clone();
        let (store, replica_target): (Arc<dyn SessionStore>, _) = match &self.central {
            Some(Central::Redis(store)) => (store.clone(), None),
            Some(Central::StandIn(store)) => (store.clone(), None),
            None => match self.settings.storage {
                SessionPlacement::Replicated => {
                    let local = MemoryStore::new(clock);
                    let peers = ports
                        .iter()
                        .enumerate()
                        .filter(|(peer, _)| *peer != index)
                        .map(|(peer, port)| (peer, *port))
                        .collect();
                    let store = ReplicatedStore {
                        local: local.clone(),
                        index,
                        peers,
                        partition: Arc::clone(&self.partition),
                        stats: self.replication.clone(),
                        client: lab.client.clone(),
                        secret: Arc::clone(&self.secret),
                    };
                    (Arc::new(store), Some(local))
                }
                _ => (MemoryStore::new(clock), None),
            },
        };
        Node::start(
            &lab.template,
            listener,
            store,
            replica_target,
            Arc::clone(&self.secret),
        )
        .await
    }

    /// Restarts a dead node on its old port. Like a restarted process, a node that kept its
    /// sessions in its own memory comes back empty; a replicating one with resync on first
    /// copies a peer's sessions.
    async fn revive(&mut self, lab: &Arc<Lab>, index: usize) -> anyhow::Result<()> {
        if self.nodes[index].is_up() {
            return Ok(());
        }
        let ports: Vec<u16> = self.nodes.iter().map(|node| node.port).collect();
        let requests = self.nodes[index].requests;
        let listener = TcpListener::bind(("127.0.0.1", ports[index])).await?;
        let mut node = self.start_node(lab, index, &ports, listener).await?;
        node.requests = requests;
        self.nodes[index] = node;
        self.rejoin(lab, index).await;
        Ok(())
    }

    /// Claim 16: cuts node `index` off from replication, or heals the cut.
    async fn partition(
        &mut self,
        lab: &Arc<Lab>,
        index: usize,
        cut_off: bool,
    ) -> Result<(), String> {
        if self.settings.storage != SessionPlacement::Replicated {
            return Err(
                "cut and heal act on replication: start the cluster with replicated storage".into(),
            );
        }
        let was_cut_off = self.partition.is_cut_off(index);
        self.partition.set(index, cut_off);
        if was_cut_off && !cut_off {
            self.rejoin(lab, index).await;
        }
        Ok(())
    }

    /// A replicating node back in the cluster: with resync on, it replaces its copy with a
    /// connected peer's (asked over HTTP, handed over as one replication message), so what it
    /// missed (a logout above all) is not kept for ever. The replication counters say how it
    /// went (a resync, or a failed message); with no peer to ask, nothing happens.
    async fn rejoin(&self, lab: &Arc<Lab>, index: usize) {
        if self.settings.storage != SessionPlacement::Replicated || !self.settings.resync {
            return;
        }
        let client = &lab.client;
        let peers = self.nodes.iter().enumerate().filter(|(peer, node)| {
            *peer != index && node.is_up() && !self.partition.is_cut_off(*peer)
        });
        for (_, peer) in peers {
            let Some(records) = replication::fetch_snapshot(client, peer.port, &self.secret).await
            else {
                continue;
            };
            let Ok(body) = serde_json::to_vec(&Replica::Replace { records }) else {
                return;
            };
            let stats = &self.replication;
            stats.messages.fetch_add(1, Ordering::Relaxed);
            stats.bytes.fetch_add(body.len() as u64, Ordering::Relaxed);
            let port = self.nodes[index].port;
            let counter = if replication::send_replica(client, port, &self.secret, body).await {
                &stats.resyncs
            } else {
                &stats.failed
            };
            counter.fetch_add(1, Ordering::Relaxed);
            return;
        }
    }

    /// Kills every node and removes the sessions it kept in a central Redis (a stand-in
    /// goes with the cluster).
    async fn stop(&mut self) {
        for node in &mut self.nodes {
            node.kill().await;
        }
        if let Some(Central::Redis(store)) = &self.central {
            // A page at a time until none is left; a Redis that fails leaves the rest to
            // expire with their sessions.
            for _ in 0..100 {
                let Ok((rows, _)) = store.list_owned(&self.visitor, ROWS_REMOVED_AT_ONCE).await
                else {
                    return;
                };
                if rows.is_empty() {
                    return;
                }
                for record in rows {
                    if store.delete(&record.id).await.is_err() {
                        return;
                    }
                }
            }
        }
    }

    fn record(&mut self, node: Option<usize>, method: &str, path: &str, status: u16) {
        self.seq += 1;
        // The cluster may have been restarted with fewer nodes while the request was out.
        if let Some(node) = node.and_then(|index| self.nodes.get_mut(index)) {
            node.requests += 1;
        }
        self.hops.push_front(Hop {
            seq: self.seq,
            node: node.map(|index| index + 1),
            method: method.to_owned(),
            path: path.to_owned(),
            status,
        });
        self.hops.truncate(HOPS_KEPT);
    }
}

/// The cluster as the lab page draws it: nodes, their stores, replication counters, hops.
#[utoipa::path(get, path = "/api/lab/cluster", tag = "lab",
    responses(
        (status = 200, body = ClusterView, description = "The running cluster"),
        (status = 404, body = ErrorBody, description = "no_cluster"),
    ))]
pub(crate) async fn view(State(lab): State<Arc<Lab>>, Visitor(visitor): Visitor) -> Response {
    // Take what is needed under the lock; read the stores after releasing it.
    let shared = lab.cluster_of(&visitor);
    let snapshot = match &shared {
        None => None,
        Some(shared) => shared.lock().await.as_ref().map(|cluster| {
            let nodes: Vec<_> = cluster
                .nodes
                .iter()
                .enumerate()
                .map(|(index, node)| {
                    let own_store =
                        (cluster.central.is_none() && node.is_up()).then(|| node.store.clone());
                    let cut_off = cluster.partition.is_cut_off(index);
                    (
                        index + 1,
                        node.port,
                        node.is_up(),
                        node.requests,
                        own_store,
                        cut_off,
                    )
                })
                .collect();
            let central = cluster.central.as_ref().map(|central| match central {
                Central::Redis(store) => ("redis".to_owned(), true, store.clone()),
                Central::StandIn(store) => (
                    "stand-in".to_owned(),
                    store.up.load(Ordering::Relaxed),
                    store.clone() as Arc<dyn SessionStore>,
                ),
            });
            let stats = &cluster.replication;
            let replication = ReplicationView {
                messages: stats.messages.load(Ordering::Relaxed),
                bytes: stats.bytes.load(Ordering::Relaxed),
                failed: stats.failed.load(Ordering::Relaxed),
                resyncs: stats.resyncs.load(Ordering::Relaxed),
            };
            let hops = cluster.hops.iter().cloned().collect::<Vec<_>>();
            (cluster.settings, nodes, central, replication, hops)
        }),
    };
    let Some((settings, nodes, central, replication, hops)) = snapshot else {
        let elsewhere = lab.elsewhere(&visitor).await;
        return Json(ClusterView {
            running: false,
            elsewhere: elsewhere.is_some(),
            settings: elsewhere,
            balancer: "/lb".to_owned(),
            nodes: Vec::new(),
            central: None,
            replication: ReplicationView::default(),
            hops: Vec::new(),
        })
        .into_response();
    };
    let mut node_views = Vec::with_capacity(nodes.len());
    for (node, port, up, requests, store, cut_off) in nodes {
        let sessions = match store {
            Some(store) => store_view(store.as_ref(), &visitor).await.ok(),
            None => None,
        };
        node_views.push(NodeView {
            node,
            port,
            up,
            requests,
            sessions,
            cut_off,
        });
    }
    let central = match central {
        Some((kind, up, store)) => {
            let listed = store_view(store.as_ref(), &visitor).await;
            // A Redis that does not answer is down, whatever the lab last did to it.
            let up = up && listed.is_ok();
            let (sessions, error) = match listed {
                Ok(view) => (Some(view), None),
                Err(err) => (None, Some(err)),
            };
            Some(CentralView {
                kind,
                up,
                sessions,
                error,
            })
        }
        None => None,
    };
    Json(ClusterView {
        running: true,
        elsewhere: false,
        settings: Some(settings),
        balancer: "/lb".to_owned(),
        nodes: node_views,
        central,
        replication,
        hops,
    })
    .into_response()
}

/// A store of `visitor`'s cluster: its rows are `visitor`'s (logins through their balancer).
async fn store_view(store: &dyn SessionStore, visitor: &VisitorId) -> Result<StoreView, String> {
    let count = store.count().await.map_err(|err| err.to_string())?;
    let (rows, _) = store
        .list_owned(visitor, ROWS_LISTED)
        .await
        .map_err(|err| err.to_string())?;
    let rows = rows
        .into_iter()
        .map(|record| RowView {
            id: record.id.short(),
            username: record.username,
        })
        .collect();
    Ok(StoreView { count, rows })
}
