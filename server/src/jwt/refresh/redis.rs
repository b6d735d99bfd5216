//! Refresh families in Redis, shared by every authlens that points at it: one JSON row per
//! family (`<prefix>family:<id>`). Rotation and revocation are decided by [`Family`]'s own
//! rules in Rust and applied with a compare-and-set script, so two servers refreshing the same
//! token at once cannot both win.

use std::sync::Arc;

use async_trait::async_trait;

use super::{Family, RefreshStore, Rotation};
use crate::clock::Clock;
use crate::ids::VisitorId;
use crate::storage::StoreError;
use crate::storage::redis::{RedisLink, RedisTable};

/// Compare-and-set attempts before a family under constant contention gives up (503).
const MAX_ATTEMPTS: usize = 16;

pub struct RedisRefreshStore {
    table: RedisTable,
    clock: Clock,
}

impl RedisRefreshStore {
    pub fn new(link: Arc<RedisLink>, clock: Clock) -> Arc<Self> {
        Arc::new(RedisRefreshStore {
            table: RedisTable::new(link, "family", "the refresh-token store (Redis)"),
            clock,
        })
    }

    fn parse(json: &str) -> Result<Family, StoreError> {
        serde_json::from_str(json).map_err(|err| StoreError::Corrupt(err.to_string()))
    }

    /// Reads the live family, lets `decide` change it, and writes the change back only if
    /// nobody changed the family in between; otherwise reads again. `decide` returns its
    /// outcome and whether it changed the family.
    async fn update<T: Copy>(
        &self,
        id: &str,
        absent: T,
        decide: impl Fn(&mut Family) -> (T, bool),
    ) -> Result<T, StoreError> {
        for _ in 0..MAX_ATTEMPTS {
            let Some(old_json) = self.table.get(id).await? else {
                return Ok(absent);
            };
            let mut family = Self::parse(&old_json)?;
            if family.expires_at <= self.clock.now_ms() {
                return Ok(absent);
            }
            let (outcome, changed) = decide(&mut family);
            if !changed {
                return Ok(outcome);
            }
            let new_json = serde_json::to_string(&family)
                .map_err(|err| StoreError::Corrupt(err.to_string()))?;
            if self
                .table
                .compare_and_set(id, &family.visitor, &old_json, &new_json, family.expires_at)
                .await?
            {
                return Ok(outcome);
            }
        }
        Err(StoreError::Unavailable(
            "the refresh family kept changing under this update".to_owned(),
        ))
    }
}

#[async_trait]
impl RefreshStore for RedisRefreshStore {
    fn backend(&self) -> &'static str {
        "redis"
    }

    async fn start(&self, family: &Family) -> Result<(), StoreError> {
        let json =
            serde_json::to_string(family).map_err(|err| StoreError::Corrupt(err.to_string()))?;
        self.table
            .put(
                &family.id,
                &family.visitor,
                &json,
                family.expires_at,
                self.clock.now_ms(),
            )
            .await
    }

    async fn rotate(
        &self,
        family_id: &str,
        presented_jti: &str,
        next_jti: &str,
        expires_at: i64,
    ) -> Result<Rotation, StoreError> {
        self.update(family_id, Rotation::Unknown, |family| {
            let outcome = family.rotate(presented_jti, next_jti, expires_at);
            (outcome, outcome != Rotation::Revoked)
        })
        .await
    }

    async fn revoke(&self, family_id: &str) -> Result<bool, StoreError> {
        self.update(family_id, false, |family| {
            let revoked = family.revoke();
            (revoked, revoked)
        })
        .await
    }

    async fn list_owned(
        &self,
        owner: &VisitorId,
        limit: usize,
    ) -> Result<(Vec<Family>, usize), StoreError> {
        let now = self.clock.now_ms();
        let (rows, total) = self.table.live_owned(owner, limit, now).await?;
        let families = rows
            .iter()
            .filter_map(|json| Self::parse(json).ok())
            .filter(|family| family.expires_at > now && family.visitor == *owner)
            .collect();
        Ok((families, total))
    }

    async fn count(&self) -> Result<usize, StoreError> {
        self.table.count(self.clock.now_ms()).await
    }
}
