//! Sessions in Redis: one JSON row per session that Redis expires by itself, indexed by
//! deadline so the demo can list and count live sessions.

use std::sync::Arc;

use async_trait::async_trait;

use crate::clock::Clock;
use crate::storage::redis::{RedisLink, RedisTable};
use crate::storage::sessions::{
    RecordChange, SessionId, SessionRecord, SessionStore, StoreError, VisitorId,
};

/// How often one update retries when other requests keep changing the same session.
const UPDATE_ATTEMPTS: usize = 32;

pub struct RedisSessionStore {
    table: RedisTable,
    clock: Clock,
}

impl RedisSessionStore {
    pub fn new(link: Arc<RedisLink>, clock: Clock) -> Arc<Self> {
        Arc::new(RedisSessionStore {
            table: RedisTable::new(link, "session", "the session store (Redis)"),
            clock,
        })
    }

    /// A row that does not parse, or has passed its deadline by the server's clock, is no
    /// session at all: a bad row must never let anyone in, nor take the server down.
    fn live(&self, json: &str) -> Option<SessionRecord> {
        let record: SessionRecord = serde_json::from_str(json)
            .inspect_err(|err| tracing::warn!(%err, "unreadable session record in Redis"))
            .ok()?;
        (record.expires_at > self.clock.now_ms()).then_some(record)
    }
}

#[async_trait]
impl SessionStore for RedisSessionStore {
    fn backend(&self) -> &'static str {
        "redis"
    }

    async fn load(&self, id: &SessionId) -> Result<Option<SessionRecord>, StoreError> {
        let json = self.table.get(&id.to_string()).await?;
        Ok(json
            .and_then(|json| self.live(&json))
            .filter(|record| record.id == *id))
    }

    async fn save(&self, record: &SessionRecord) -> Result<(), StoreError> {
        let json =
            serde_json::to_string(record).map_err(|err| StoreError::Corrupt(err.to_string()))?;
        self.table
            .put(
                &record.id.to_string(),
                &record.visitor,
                &json,
                record.expires_at,
                self.clock.now_ms(),
            )
            .await
    }

    async fn update(
        &self,
        id: &SessionId,
        change: &RecordChange<'_>,
    ) -> Result<Option<SessionRecord>, StoreError> {
        // Optimistic: read, change in Rust, write only if the row still holds what was read.
        // A lost race reads again; a row deleted meanwhile ends it with `None`.
        let key = id.to_string();
        for _ in 0..UPDATE_ATTEMPTS {
            let Some(old) = self.table.get(&key).await? else {
                return Ok(None);
            };
            let Some(original) = self.live(&old).filter(|record| record.id == *id) else {
                return Ok(None);
            };
            let mut record = original.clone();
            change(&mut record);
            if record == original {
                return Ok(Some(record));
            }
            let new = serde_json::to_string(&record)
                .map_err(|err| StoreError::Corrupt(err.to_string()))?;
            if self
                .table
                .compare_and_set(&key, &record.visitor, &old, &new, record.expires_at)
                .await?
            {
                return Ok(Some(record));
            }
        }
        Err(StoreError::Unavailable(format!(
            "session {} changed under {UPDATE_ATTEMPTS} attempts in a row",
            id.short()
        )))
    }

    async fn delete(&self, id: &SessionId) -> Result<bool, StoreError> {
        self.table.remove(&id.to_string()).await
    }

    async fn list_owned(
        &self,
        owner: &VisitorId,
        limit: usize,
    ) -> Result<(Vec<SessionRecord>, usize), StoreError> {
        let (rows, total) = self
            .table
            .live_owned(owner, limit, self.clock.now_ms())
            .await?;
        let records = rows
            .iter()
            .filter_map(|json| self.live(json))
            .filter(|record| record.visitor == *owner)
            .collect();
        Ok((records, total))
    }

    async fn count(&self) -> Result<usize, StoreError> {
        self.table.count(self.clock.now_ms()).await
    }
}
