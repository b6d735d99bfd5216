//! The stateful half of the hybrid: refresh tokens are recorded per family (one login),
//! so they can be rotated, revoked at logout, and a stolen one detected when reused.

mod memory;
mod redis;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use app::api::{FamilyState, RefreshFamilyRow, shorten_id};

use crate::ids::VisitorId;
use crate::storage::StoreError;
pub use memory::MemoryRefreshStore;
pub use redis::RedisRefreshStore;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Family {
    pub id: String,
    /// The demo visitor whose browser logged in (whose listing shows the family).
    pub visitor: VisitorId,
    pub username: String,
    /// `jti` of the one refresh token of this family that may still be used.
    pub current_jti: String,
    pub rotated: u32,
    pub revoked: bool,
    pub created_at: i64,
    /// Unix ms; the family is forgotten then.
    pub expires_at: i64,
}

impl Family {
    pub fn row(&self) -> RefreshFamilyRow {
        RefreshFamilyRow {
            family: shorten_id(&self.id),
            username: self.username.clone(),
            state: if self.revoked {
                FamilyState::Revoked
            } else {
                FamilyState::Active
            },
            rotated: self.rotated,
            created_at: self.created_at,
            expires_at: self.expires_at,
        }
    }
}

/// What presenting a refresh token did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rotation {
    /// It was the family's current token: it is now rotated out and `next_jti` is current.
    Rotated,
    /// It had already been rotated out: someone replayed it, so the whole family is revoked.
    ReuseDetected,
    /// The family was revoked earlier (logout or an earlier reuse).
    Revoked,
    /// No such family (expired and forgotten, or a server restart wiped memory).
    Unknown,
}

impl Family {
    /// The rotation policy, applied atomically by each store. Keep policy apart from mechanism:
    /// this pure function decides, the memory store applies it under a lock and Redis with a
    /// compare-and-set, and one set of unit tests below covers the rules for both.
    pub fn rotate(&mut self, presented_jti: &str, next_jti: &str, expires_at: i64) -> Rotation {
        if self.revoked {
            Rotation::Revoked
        } else if self.current_jti == presented_jti {
            self.current_jti = next_jti.to_owned();
            self.rotated += 1;
            self.expires_at = expires_at;
            Rotation::Rotated
        } else {
            self.revoked = true;
            Rotation::ReuseDetected
        }
    }

    /// Logout: `true` if the family was active until now.
    pub fn revoke(&mut self) -> bool {
        !std::mem::replace(&mut self.revoked, true)
    }
}

#[async_trait]
pub trait RefreshStore: Send + Sync + 'static {
    fn backend(&self) -> &'static str;
    async fn start(&self, family: &Family) -> Result<(), StoreError>;
    async fn rotate(
        &self,
        family_id: &str,
        presented_jti: &str,
        next_jti: &str,
        expires_at: i64,
    ) -> Result<Rotation, StoreError>;
    /// Revokes the family; `true` if it existed and was active.
    async fn revoke(&self, family_id: &str) -> Result<bool, StoreError>;
    /// Up to `limit` of `owner`'s live families, soonest expiry first, and how many
    /// `owner` has in all.
    async fn list_owned(
        &self,
        owner: &VisitorId,
        limit: usize,
    ) -> Result<(Vec<Family>, usize), StoreError>;
    /// Every visitor's live families.
    async fn count(&self) -> Result<usize, StoreError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn family() -> Family {
        Family {
            id: "fam".into(),
            visitor: VisitorId::generate(),
            username: "alice".into(),
            current_jti: "r1".into(),
            rotated: 0,
            revoked: false,
            created_at: 0,
            expires_at: 1_000,
        }
    }

    #[test]
    fn the_current_token_rotates_once() {
        let mut family = family();
        assert_eq!(family.rotate("r1", "r2", 2_000), Rotation::Rotated);
        assert_eq!(
            (
                family.current_jti.as_str(),
                family.rotated,
                family.expires_at
            ),
            ("r2", 1, 2_000)
        );
    }

    #[test]
    fn reusing_a_rotated_token_revokes_the_family() {
        let mut family = family();
        family.rotate("r1", "r2", 2_000);
        assert_eq!(family.rotate("r1", "r3", 3_000), Rotation::ReuseDetected);
        assert!(family.revoked);
        assert_eq!(
            family.rotate("r2", "r4", 4_000),
            Rotation::Revoked,
            "even the newest token is dead"
        );
    }
}
