//! The embedded in-memory session store. Expired sessions are forgotten by a
//! background purge in deadline order, so memory stays bounded by live sessions
//! and no request scans the store.

use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::Duration;

use async_trait::async_trait;

use super::expiring::ExpiringMap;
use super::{SessionId, SessionRecord, SessionStore, StoreError};
use crate::clock::Clock;

/// How often expired entries are purged.
pub const PURGE_EVERY: Duration = Duration::from_secs(1);

pub struct MemoryStore {
    records: Mutex<ExpiringMap<SessionId, SessionRecord>>,
    clock: Clock,
}

impl MemoryStore {
    /// A store with its purge task running on the current tokio runtime.
    pub fn new(clock: Clock) -> Arc<Self> {
        let store = Arc::new(MemoryStore {
            records: Mutex::new(ExpiringMap::default()),
            clock,
        });
        spawn_purge(Arc::downgrade(&store), |store| store.purge_expired());
        store
    }

    /// Forgets every session whose deadline has passed; returns how many.
    pub fn purge_expired(&self) -> usize {
        let now = self.clock.now_ms();
        lock(&self.records).purge_until(now)
    }
}

/// Runs `purge` every [`PURGE_EVERY`] until the store it belongs to is dropped.
pub fn spawn_purge<T: Send + Sync + 'static>(store: Weak<T>, purge: fn(&T) -> usize) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(PURGE_EVERY);
        loop {
            ticks.tick().await;
            let Some(store) = store.upgrade() else { return };
            purge(&store);
        }
    });
}

/// Each method does one consistent update under the lock, so a poisoned lock
/// (a panic elsewhere while holding it) leaves nothing half-done: keep going.
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[async_trait]
impl SessionStore for MemoryStore {
    fn backend(&self) -> &'static str {
        "memory"
    }

    async fn load(&self, id: &SessionId) -> Result<Option<SessionRecord>, StoreError> {
        Ok(lock(&self.records).get(id, self.clock.now_ms()).cloned())
    }

    async fn save(&self, record: &SessionRecord) -> Result<(), StoreError> {
        lock(&self.records).insert(record.id, record.expires_at, record.clone());
        Ok(())
    }

    async fn delete(&self, id: &SessionId) -> Result<bool, StoreError> {
        Ok(lock(&self.records).remove(id).is_some())
    }

    async fn list(&self, limit: usize) -> Result<Vec<SessionRecord>, StoreError> {
        let now = self.clock.now_ms();
        Ok(lock(&self.records).live(now).take(limit).cloned().collect())
    }

    async fn count(&self) -> Result<usize, StoreError> {
        Ok(lock(&self.records).live_len(self.clock.now_ms()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(expires_at: i64) -> SessionRecord {
        SessionRecord {
            id: SessionId::generate(),
            username: "alice".into(),
            cart: Vec::new(),
            created_at: 0,
            last_seen_at: 0,
            expires_at,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn the_purge_task_forgets_expired_sessions_by_itself() {
        let clock = Clock::new();
        let store = MemoryStore::new(clock.clone());
        let now = clock.now_ms();
        store.save(&record(now + 1_500)).await.unwrap();
        store.save(&record(now + 60_000)).await.unwrap();
        assert_eq!(lock(&store.records).live_len(now), 2);

        clock.advance(Duration::from_secs(3));
        // Paused tokio time: the purge task's ticks come at once, no real waiting.
        tokio::time::sleep(Duration::from_secs(3)).await;
        let records = lock(&store.records);
        assert_eq!(
            records.live_len(i64::MIN),
            1,
            "the expired record is gone from memory, not just hidden"
        );
    }
}
