//! The lab's session stores, each just another [`SessionStore`]: a replicating store that
//! copies every write to the other nodes over HTTP (session clustering), and the switchable
//! stand-in for a central store when no Redis is configured.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use axum::body::Body;
use axum::http::{Request, header};
use serde::{Deserialize, Serialize};

use super::{HttpClient, LAB_SECRET_HEADER};
use crate::storage::sessions::{
    MemoryStore, RecordChange, SessionId, SessionRecord, SessionStore, StoreError, VisitorId,
};

/// How long a write waits for one peer before counting the message as failed.
const PEER_TIMEOUT: Duration = Duration::from_millis(500);

/// One replication message, as it crosses the wire between nodes.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Replica {
    Save {
        record: SessionRecord,
    },
    Delete {
        id: SessionId,
    },
    /// A rejoining node's whole copy, replaced by a peer's (the resync).
    Replace {
        records: Vec<SessionRecord>,
    },
}

/// What replication has cost so far, for the whole cluster.
#[derive(Default)]
pub struct ReplicationStats {
    pub messages: AtomicU64,
    pub bytes: AtomicU64,
    pub failed: AtomicU64,
    /// Whole copies handed to a rejoining node.
    pub resyncs: AtomicU64,
}

/// Which nodes are cut off from replication (claim 16): a cut-off node still answers its
/// clients, but no replication message reaches it or leaves it, as in a network partition.
pub struct Partition(Vec<AtomicBool>);

impl Partition {
    pub fn new(nodes: usize) -> Arc<Self> {
        Arc::new(Partition(
            (0..nodes).map(|_| AtomicBool::new(false)).collect(),
        ))
    }

    pub fn set(&self, node: usize, cut_off: bool) {
        if let Some(flag) = self.0.get(node) {
            flag.store(cut_off, Ordering::Relaxed);
        }
    }

    pub fn is_cut_off(&self, node: usize) -> bool {
        self.0
            .get(node)
            .is_some_and(|flag| flag.load(Ordering::Relaxed))
    }

    /// Whether a message from node `from` can reach node `to`.
    fn connects(&self, from: usize, to: usize) -> bool {
        !self.is_cut_off(from) && !self.is_cut_off(to)
    }
}

/// A node's own copy of every session, kept in step with the others: each save or delete is
/// applied here, then sent to every peer (N-1 messages per write), waiting for their answers.
pub struct ReplicatedStore {
    pub local: Arc<MemoryStore>,
    /// This node's index in the cluster.
    pub index: usize,
    /// The other nodes: (index, port).
    pub peers: Vec<(usize, u16)>,
    pub partition: Arc<Partition>,
    pub stats: Arc<ReplicationStats>,
    pub client: HttpClient,
    /// The cluster's secret: peers refuse replication without it.
    pub secret: Arc<str>,
}

impl ReplicatedStore {
    async fn broadcast(&self, replica: &Replica) {
        let Ok(body) = serde_json::to_vec(replica) else {
            return;
        };
        let sends = self
            .peers
            .iter()
            .map(|(peer, port)| self.send(*peer, *port, body.clone()));
        futures::future::join_all(sends).await;
    }

    async fn send(&self, peer: usize, port: u16, body: Vec<u8>) {
        self.stats.messages.fetch_add(1, Ordering::Relaxed);
        self.stats
            .bytes
            .fetch_add(body.len() as u64, Ordering::Relaxed);
        // Across a partition the message is lost, as on a real network: nobody retries it.
        let delivered = self.partition.connects(self.index, peer)
            && send_replica(&self.client, port, &self.secret, body).await;
        if !delivered {
            // A dead or cut-off peer misses the write; only a resync brings it back in step.
            self.stats.failed.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// Posts one replication message to the node on `port`; whether it took it.
pub async fn send_replica(client: &HttpClient, port: u16, secret: &str, body: Vec<u8>) -> bool {
    let request = Request::post(format!("http://127.0.0.1:{port}/internal/replicate"))
        .header(header::CONTENT_TYPE, "application/json")
        .header(LAB_SECRET_HEADER, secret)
        .body(Body::from(body));
    match request {
        Ok(request) => matches!(
            tokio::time::timeout(PEER_TIMEOUT, client.request(request)).await,
            Ok(Ok(response)) if response.status().is_success()
        ),
        Err(_) => false,
    }
}

/// A peer's whole copy of the sessions, as it answers `GET /internal/snapshot`.
pub async fn fetch_snapshot(
    client: &HttpClient,
    port: u16,
    secret: &str,
) -> Option<Vec<SessionRecord>> {
    let request = Request::get(format!("http://127.0.0.1:{port}/internal/snapshot"))
        .header(LAB_SECRET_HEADER, secret)
        .body(Body::empty())
        .ok()?;
    let response = tokio::time::timeout(PEER_TIMEOUT, client.request(request))
        .await
        .ok()?
        .ok()?;
    if !response.status().is_success() {
        return None;
    }
    // A lab cluster is one visitor's: its sessions fit in a few megabytes.
    let body = axum::body::to_bytes(Body::new(response.into_body()), 4 << 20)
        .await
        .ok()?;
    serde_json::from_slice(&body).ok()
}

#[async_trait]
impl SessionStore for ReplicatedStore {
    fn backend(&self) -> &'static str {
        "replicated"
    }

    async fn load(&self, id: &SessionId) -> Result<Option<SessionRecord>, StoreError> {
        self.local.load(id).await
    }

    async fn save(&self, record: &SessionRecord) -> Result<(), StoreError> {
        self.local.save(record).await?;
        self.broadcast(&Replica::Save {
            record: record.clone(),
        })
        .await;
        Ok(())
    }

    async fn update(
        &self,
        id: &SessionId,
        change: &RecordChange<'_>,
    ) -> Result<Option<SessionRecord>, StoreError> {
        // Atomic on this node; peers get the result as a plain save (last writer wins there).
        let updated = self.local.update(id, change).await?;
        if let Some(record) = &updated {
            self.broadcast(&Replica::Save {
                record: record.clone(),
            })
            .await;
        }
        Ok(updated)
    }

    async fn delete(&self, id: &SessionId) -> Result<bool, StoreError> {
        let existed = self.local.delete(id).await?;
        self.broadcast(&Replica::Delete { id: *id }).await;
        Ok(existed)
    }

    async fn list_owned(
        &self,
        owner: &VisitorId,
        limit: usize,
    ) -> Result<(Vec<SessionRecord>, usize), StoreError> {
        self.local.list_owned(owner, limit).await
    }

    async fn count(&self) -> Result<usize, StoreError> {
        self.local.count().await
    }
}

/// Applies a peer's write to this node's copy, without sending it on.
pub async fn apply(local: &MemoryStore, replica: Replica) -> Result<(), StoreError> {
    match replica {
        Replica::Save { record } => local.save(&record).await,
        Replica::Delete { id } => local.delete(&id).await.map(|_| ()),
        Replica::Replace { records } => {
            local.replace_all(&records);
            Ok(())
        }
    }
}

/// The embedded stand-in for a central store (one memory store every node shares), which the
/// lab can take down and bring back. Labelled as a stand-in wherever it is shown.
pub struct StandInStore {
    pub inner: Arc<MemoryStore>,
    pub up: AtomicBool,
}

impl StandInStore {
    fn check(&self) -> Result<(), StoreError> {
        if self.up.load(Ordering::Relaxed) {
            Ok(())
        } else {
            Err(StoreError::Unavailable(
                "the stand-in central store: down".into(),
            ))
        }
    }
}

#[async_trait]
impl SessionStore for StandInStore {
    fn backend(&self) -> &'static str {
        "stand-in"
    }

    async fn load(&self, id: &SessionId) -> Result<Option<SessionRecord>, StoreError> {
        self.check()?;
        self.inner.load(id).await
    }

    async fn save(&self, record: &SessionRecord) -> Result<(), StoreError> {
        self.check()?;
        self.inner.save(record).await
    }

    async fn update(
        &self,
        id: &SessionId,
        change: &RecordChange<'_>,
    ) -> Result<Option<SessionRecord>, StoreError> {
        self.check()?;
        self.inner.update(id, change).await
    }

    async fn delete(&self, id: &SessionId) -> Result<bool, StoreError> {
        self.check()?;
        self.inner.delete(id).await
    }

    async fn list_owned(
        &self,
        owner: &VisitorId,
        limit: usize,
    ) -> Result<(Vec<SessionRecord>, usize), StoreError> {
        self.check()?;
        self.inner.list_owned(owner, limit).await
    }

    async fn count(&self) -> Result<usize, StoreError> {
        self.check()?;
        self.inner.count().await
    }
}
