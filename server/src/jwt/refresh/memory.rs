//! Refresh families in memory: the embedded default, purged in deadline order like the sessions.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use super::{Family, RefreshStore, Rotation};
use crate::clock::Clock;
use crate::ids::VisitorId;
use crate::storage::StoreError;
use crate::storage::expiring::{Owned, OwnedMap};
use crate::storage::purge::{PURGE_BATCH, purge_in_batches, spawn_purge};
use crate::sync::lock;

impl Owned for Family {
    fn owner(&self) -> VisitorId {
        self.visitor
    }
}

pub struct MemoryRefreshStore {
    families: Mutex<OwnedMap<String, Family>>,
    clock: Clock,
}

impl MemoryRefreshStore {
    pub fn new(clock: Clock) -> Arc<Self> {
        let store = Arc::new(MemoryRefreshStore {
            families: Mutex::new(OwnedMap::default()),
            clock,
        });
        spawn_purge(Arc::downgrade(&store), |store| {
            let now = store.clock.now_ms();
            purge_in_batches(|| lock(&store.families).purge_until(now, PURGE_BATCH))
        });
        store
    }
}

#[async_trait]
impl RefreshStore for MemoryRefreshStore {
    fn backend(&self) -> &'static str {
        "memory"
    }

    async fn start(&self, family: &Family) -> Result<(), StoreError> {
        lock(&self.families).insert(family.id.clone(), family.expires_at, family.clone());
        Ok(())
    }

    async fn rotate(
        &self,
        family_id: &str,
        presented_jti: &str,
        next_jti: &str,
        expires_at: i64,
    ) -> Result<Rotation, StoreError> {
        let now = self.clock.now_ms();
        let mut families = lock(&self.families);
        let key = family_id.to_owned();
        let Some(family) = families.get_mut(&key, now) else {
            return Ok(Rotation::Unknown);
        };
        let outcome = family.rotate(presented_jti, next_jti, expires_at);
        if outcome == Rotation::Rotated {
            let family = family.clone();
            families.insert(key, expires_at, family);
        }
        Ok(outcome)
    }

    async fn revoke(&self, family_id: &str) -> Result<bool, StoreError> {
        let now = self.clock.now_ms();
        let mut families = lock(&self.families);
        Ok(families
            .get_mut(&family_id.to_owned(), now)
            .is_some_and(Family::revoke))
    }

    async fn list_owned(
        &self,
        owner: &VisitorId,
        limit: usize,
    ) -> Result<(Vec<Family>, usize), StoreError> {
        let families = lock(&self.families);
        let (live, total) = families.owned(owner, self.clock.now_ms(), limit);
        let listed = live
            .into_iter()
            .map(|(_, _, family)| family.clone())
            .collect();
        Ok((listed, total))
    }

    async fn count(&self) -> Result<usize, StoreError> {
        Ok(lock(&self.families).live_len(self.clock.now_ms()))
    }
}
