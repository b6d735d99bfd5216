//! The session-store seam. The session flow talks only to [`SessionStore`]; the in-memory
//! store is the embedded default and Redis is the real central store. Both are built on the
//! storage layer (`crate::storage`), as the refresh-family store is.

pub mod memory;
pub mod redis;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

pub use memory::MemoryStore;

pub use crate::ids::VisitorId;
pub use crate::storage::StoreError;

crate::random::random_id!(
    /// A session id: 256 bits from the operating system's CSPRNG, base64url in the cookie.
    SessionId,
    32,
    "session id"
);

impl crate::storage::expiring::MinKey for SessionId {
    fn min_key() -> Self {
        SessionId([0; 32])
    }
}

/// What the server remembers about one login. Times are Unix milliseconds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRecord {
    pub id: SessionId,
    /// The demo visitor whose browser logged in: whose "your rows" listing shows it. Not part
    /// of the credential (a copied cookie works from any browser, as a stolen one would).
    pub visitor: VisitorId,
    pub username: String,
    pub cart: Vec<String>,
    pub created_at: i64,
    pub last_seen_at: i64,
    /// The earlier of the idle deadline and the absolute deadline.
    pub expires_at: i64,
}

impl SessionRecord {
    /// A fresh session of `username`, started by `visitor`'s browser at `now` (Unix ms), with
    /// a new random id, an empty cart, and `expires_at` as its first deadline.
    pub fn new(visitor: VisitorId, username: &str, now: i64, expires_at: i64) -> Self {
        SessionRecord {
            id: SessionId::generate(),
            visitor,
            username: username.to_owned(),
            cart: Vec::new(),
            created_at: now,
            last_seen_at: now,
            expires_at,
        }
    }
}

/// A change to one session record, applied by [`SessionStore::update`]. (An alias, so the
/// record's borrow stays higher-ranked through `async_trait`'s rewriting.)
pub type RecordChange<'a> = dyn Fn(&mut SessionRecord) + Send + Sync + 'a;

#[async_trait]
pub trait SessionStore: Send + Sync + 'static {
    /// Short name shown in traces and the "server holds" panel (`memory`, `redis`…).
    fn backend(&self) -> &'static str;

    /// The live record, or `None` if the id is unknown or its deadline has passed.
    async fn load(&self, id: &SessionId) -> Result<Option<SessionRecord>, StoreError>;

    /// Creates or replaces the record; the store forgets it at `expires_at`.
    async fn save(&self, record: &SessionRecord) -> Result<(), StoreError>;

    /// Applies `change` to the live record as one atomic step and returns the result; `None`
    /// if there is no live record (never issued, logged out, expired). A record deleted
    /// meanwhile is never brought back, and two changes never overwrite each other. `change`
    /// may run more than once (a store that retries on conflict), so it must be repeatable.
    /// A change that leaves the record as it was writes nothing.
    async fn update(
        &self,
        id: &SessionId,
        change: &RecordChange<'_>,
    ) -> Result<Option<SessionRecord>, StoreError>;

    /// Removes the record; `true` if there was one.
    async fn delete(&self, id: &SessionId) -> Result<bool, StoreError>;

    /// Up to `limit` of `owner`'s live records, soonest expiry first, and how many live
    /// records `owner` has in all: the demo's "server holds" panel for one visitor.
    async fn list_owned(
        &self,
        owner: &VisitorId,
        limit: usize,
    ) -> Result<(Vec<SessionRecord>, usize), StoreError>;

    /// How many live records the store holds, every visitor's.
    async fn count(&self) -> Result<usize, StoreError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_short_id_is_the_start_of_the_whole_one() {
        for _ in 0..100 {
            let id = SessionId::generate();
            assert_eq!(id.short(), app::api::shorten_id(&id.to_string()));
        }
    }
}
