//! The embedded in-memory session store. Expired sessions are forgotten by a
//! background purge in deadline order, so memory stays bounded by live sessions
//! and no request scans the store.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use super::{RecordChange, SessionId, SessionRecord, SessionStore, StoreError, VisitorId};
use crate::clock::Clock;
use crate::storage::expiring::{Owned, OwnedMap};
use crate::storage::purge::{PURGE_BATCH, purge_in_batches, spawn_purge};
use crate::sync::lock;

pub struct MemoryStore {
    records: Mutex<Rows>,
    clock: Clock,
}

/// The sessions, kept compact because memory per session is what this store is measured on
/// (scripts/bench.sh: at most 300 bytes each at 100 000 sessions).
#[derive(Default)]
struct Rows {
    by_id: OwnedMap<SessionId, Row>,
    /// Each username once, shared by all of that user's sessions.
    usernames: HashSet<Arc<str>>,
}

/// A session without what the map already holds: the id is its key, `expires_at` its deadline.
struct Row {
    visitor: VisitorId,
    username: Arc<str>,
    cart: Box<[String]>,
    created_at: i64,
    last_seen_at: i64,
}

impl Rows {
    fn insert(&mut self, record: &SessionRecord) {
        let username = match self.usernames.get(record.username.as_str()) {
            Some(name) => Arc::clone(name),
            None => {
                let name: Arc<str> = Arc::from(record.username.as_str());
                self.usernames.insert(Arc::clone(&name));
                name
            }
        };
        let row = Row {
            visitor: record.visitor,
            username,
            cart: record.cart.clone().into_boxed_slice(),
            created_at: record.created_at,
            last_seen_at: record.last_seen_at,
        };
        self.by_id.insert(record.id, record.expires_at, row);
    }
}

impl Owned for Row {
    fn owner(&self) -> VisitorId {
        self.visitor
    }
}

impl Row {
    fn record(&self, id: SessionId, expires_at: i64) -> SessionRecord {
        SessionRecord {
            id,
            visitor: self.visitor,
            username: self.username.to_string(),
            cart: self.cart.to_vec(),
            created_at: self.created_at,
            last_seen_at: self.last_seen_at,
            expires_at,
        }
    }
}

impl MemoryStore {
    /// A store with its purge task running on the current tokio runtime.
    pub fn new(clock: Clock) -> Arc<Self> {
        let store = Arc::new(MemoryStore {
            records: Mutex::new(Rows::default()),
            clock,
        });
        spawn_purge(Arc::downgrade(&store), |store| store.purge_expired());
        store
    }

    /// Every live session: what a node hands a peer that rejoins the lab's replicated cluster.
    pub fn snapshot(&self) -> Vec<SessionRecord> {
        let rows = lock(&self.records);
        rows.by_id
            .live(self.clock.now_ms())
            .map(|(id, expires_at, row)| row.record(*id, expires_at))
            .collect()
    }

    /// Makes this store hold exactly `records`: a rejoining node's copy, replaced by a peer's.
    pub fn replace_all(&self, records: &[SessionRecord]) {
        let mut rows = lock(&self.records);
        *rows = Rows::default();
        for record in records {
            rows.insert(record);
        }
    }

    /// Forgets every session whose deadline has passed, a batch per hold of the lock;
    /// returns how many.
    pub fn purge_expired(&self) -> usize {
        let now = self.clock.now_ms();
        purge_in_batches(|| lock(&self.records).by_id.purge_until(now, PURGE_BATCH))
    }
}

#[async_trait]
impl SessionStore for MemoryStore {
    fn backend(&self) -> &'static str {
        "memory"
    }

    async fn load(&self, id: &SessionId) -> Result<Option<SessionRecord>, StoreError> {
        let rows = lock(&self.records);
        let found = rows.by_id.get_with_deadline(id, self.clock.now_ms());
        Ok(found.map(|(expires_at, row)| row.record(*id, expires_at)))
    }

    async fn save(&self, record: &SessionRecord) -> Result<(), StoreError> {
        lock(&self.records).insert(record);
        Ok(())
    }

    async fn update(
        &self,
        id: &SessionId,
        change: &RecordChange<'_>,
    ) -> Result<Option<SessionRecord>, StoreError> {
        // One lock over the read, the change and the write: nothing can come in between.
        let mut rows = lock(&self.records);
        let Some((expires_at, row)) = rows.by_id.get_with_deadline(id, self.clock.now_ms()) else {
            return Ok(None);
        };
        let original = row.record(*id, expires_at);
        let mut record = original.clone();
        change(&mut record);
        if record != original {
            rows.insert(&record);
        }
        Ok(Some(record))
    }

    async fn delete(&self, id: &SessionId) -> Result<bool, StoreError> {
        Ok(lock(&self.records).by_id.remove(id).is_some())
    }

    async fn list_owned(
        &self,
        owner: &VisitorId,
        limit: usize,
    ) -> Result<(Vec<SessionRecord>, usize), StoreError> {
        let rows = lock(&self.records);
        let (live, total) = rows.by_id.owned(owner, self.clock.now_ms(), limit);
        let records = live
            .into_iter()
            .map(|(id, expires_at, row)| row.record(*id, expires_at))
            .collect();
        Ok((records, total))
    }

    async fn count(&self) -> Result<usize, StoreError> {
        Ok(lock(&self.records).by_id.live_len(self.clock.now_ms()))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn record(expires_at: i64) -> SessionRecord {
        SessionRecord {
            id: SessionId::generate(),
            visitor: VisitorId::generate(),
            username: "alice".into(),
            cart: Vec::new(),
            created_at: 0,
            last_seen_at: 0,
            expires_at,
        }
    }

    #[tokio::test]
    async fn a_saved_session_comes_back_whole_and_shares_its_username() {
        let store = MemoryStore::new(Clock::new());
        let mut first = record(i64::MAX);
        first.cart = vec!["apple".into(), "pear".into()];
        first.created_at = 7;
        first.last_seen_at = 9;
        let second = SessionRecord {
            visitor: first.visitor,
            ..record(i64::MAX - 1)
        };
        let someone_elses = record(i64::MAX - 2);
        store.save(&first).await.unwrap();
        store.save(&second).await.unwrap();
        store.save(&someone_elses).await.unwrap();
        assert_eq!(store.load(&first.id).await.unwrap(), Some(first.clone()));
        assert_eq!(
            store.list_owned(&first.visitor, 10).await.unwrap(),
            (vec![second, first.clone()], 2)
        );
        assert_eq!(store.count().await.unwrap(), 3);
        assert_eq!(
            lock(&store.records).usernames.len(),
            1,
            "one copy of \"alice\""
        );
    }

    #[tokio::test]
    async fn a_snapshot_replaces_another_stores_copy_exactly() {
        let (peer, rejoining) = (
            MemoryStore::new(Clock::new()),
            MemoryStore::new(Clock::new()),
        );
        let (kept, logged_out) = (record(i64::MAX), record(i64::MAX - 1));
        for store in [&peer, &rejoining] {
            store.save(&kept).await.unwrap();
        }
        // The rejoining node missed the delete of a session its peers dropped.
        rejoining.save(&logged_out).await.unwrap();
        rejoining.replace_all(&peer.snapshot());
        assert_eq!(rejoining.load(&logged_out.id).await.unwrap(), None);
        assert_eq!(rejoining.load(&kept.id).await.unwrap(), Some(kept.clone()));
        assert_eq!(rejoining.count().await.unwrap(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn the_purge_task_forgets_expired_sessions_by_itself() {
        let clock = Clock::new();
        let store = MemoryStore::new(clock.clone());
        let now = clock.now_ms();
        store.save(&record(now + 1_500)).await.unwrap();
        store.save(&record(now + 60_000)).await.unwrap();
        assert_eq!(lock(&store.records).by_id.live_len(now), 2);

        clock.advance(Duration::from_secs(3));
        // Paused tokio time: the purge task's ticks come at once, no real waiting.
        tokio::time::sleep(Duration::from_secs(3)).await;
        let records = lock(&store.records);
        assert_eq!(
            records.by_id.live_len(i64::MIN),
            1,
            "the expired record is gone from memory, not just hidden"
        );
    }
}
